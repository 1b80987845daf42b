-- campaign surveys: up to 5 single or multiple choice questions, sent as the in-app card of a
-- DAYS_AFTER_PURCHASE trigger (params.surveyId) or answered through the app; each customer's answers
-- (one row per question) and where they stand (one row per customer: started, completed, the reward).
-- Customers, coupons and conversations belong to other modules: no foreign keys into their tables.

CREATE TABLE campaigns_surveys
(
  id                 UUID PRIMARY KEY,
  title              TEXT        NOT NULL,
  -- [{text: {zh-CN, en?}, kind: SINGLE|MULTIPLE, options: [{zh-CN, en?}]}], as checked; never changed
  questions          JSONB       NOT NULL,
  -- the reward on completion: a coupon template granted once per customer, or a fixed code; or neither
  coupon_template_id UUID,
  reward_code        TEXT,
  -- the creator's org node: who may read the survey and its results
  scope_node_id      UUID        NOT NULL,
  scope_path         TEXT        NOT NULL,
  created_by         TEXT        NOT NULL,
  created_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX campaigns_surveys_list_idx ON campaigns_surveys (created_at DESC, id DESC);

-- one row per customer who answered anything: completed_at once the last question is answered, and
-- the reward given then (a granted coupon's id and code, or the fixed code)
CREATE TABLE campaigns_survey_responses
(
  survey_id    UUID        NOT NULL REFERENCES campaigns_surveys (id),
  customer_id  UUID        NOT NULL,
  -- CHAT (card buttons) or API (all answers at once)
  channel      TEXT        NOT NULL,
  started_at   TIMESTAMPTZ NOT NULL,
  completed_at TIMESTAMPTZ,
  coupon_id    UUID,
  reward_code  TEXT,
  PRIMARY KEY (survey_id, customer_id)
);

-- one row per customer and question: the chosen options (indexes); a multiple choice answered in the
-- chat collects options until 下一题 makes it final
CREATE TABLE campaigns_survey_answers
(
  survey_id   UUID        NOT NULL REFERENCES campaigns_surveys (id),
  customer_id UUID        NOT NULL,
  question    SMALLINT    NOT NULL,
  options     SMALLINT[]  NOT NULL,
  final       BOOLEAN     NOT NULL,
  answered_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (survey_id, customer_id, question)
);

-- who was invited: the trigger firings that carry a survey's card
CREATE INDEX campaigns_trigger_firings_survey_idx ON campaigns_trigger_firings ((subject -> 'data' ->> 'surveyId'));
