-- campaigns: A/B tests. Each recipient row carries the variant it is sent (decided when the send is
-- planned, from a hash of campaign and customer); recipients held back for the winner are HELD and
-- marked as the rest, and become PLANNED with the winner's key once it is chosen — the same row, so
-- the same delivery key: nobody hears the campaign twice.
ALTER TABLE campaigns_recipients
  -- A..D for a campaign with an A/B test; null otherwise
  ADD COLUMN variant TEXT,
  -- held back from the test for the winner (true also once released)
  ADD COLUMN rest    BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX campaigns_recipients_held_idx ON campaigns_recipients (campaign_id) WHERE status = 'HELD';

-- an A/B test's course: when its test part was handed off, when it is decided (AUTO), the winner,
-- who chose it (a username, an API key, or 'auto'), when and why, and when the rest was released
CREATE TABLE campaigns_ab_tests
(
  campaign_id   UUID PRIMARY KEY,
  test_sent_at  TIMESTAMPTZ NOT NULL,
  decide_at     TIMESTAMPTZ,
  winner        TEXT,
  chosen_by     TEXT,
  chosen_at     TIMESTAMPTZ,
  reason        TEXT,
  released_at   TIMESTAMPTZ
);
