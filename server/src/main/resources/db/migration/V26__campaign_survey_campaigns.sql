-- campaign surveys, continued: a campaign may carry a survey's first question as its in-app card
-- (definition -> offer -> surveyId), so its recipients handed off are invited as a trigger's are; a
-- survey may be closed (no more answers, no more invitations; results stay readable).

ALTER TABLE campaigns_surveys
  ADD COLUMN closed_at TIMESTAMPTZ,
  -- a username or an API key, as created_by
  ADD COLUMN closed_by TEXT;

-- who was invited by a campaign: the campaigns naming a survey (their handed-off recipients are in
-- campaigns_engagement with the store that spoke)
CREATE INDEX campaigns_campaigns_survey_idx ON campaigns_campaigns ((definition -> 'offer' ->> 'surveyId'))
  WHERE definition -> 'offer' ->> 'surveyId' IS NOT NULL;
