-- recurring campaigns and approval.
-- A recurring campaign keeps its rule (a db-scheduler cron pattern in a zone, until an optional
-- instant) and every run it started: each run is a child campaign, a clone of the campaign's
-- definition sent through the ordinary send (its own recipient list, exactly once per customer and
-- run). The run number is the run's key: a run retried after a crash finds its child.
CREATE TABLE campaigns_recurrences
(
  campaign_id UUID PRIMARY KEY REFERENCES campaigns_campaigns (id),
  cron        TEXT        NOT NULL,
  zone        TEXT        NOT NULL,
  until       TIMESTAMPTZ,
  -- the next run's time; null once no run is left (the rule has ended, or the campaign was cancelled)
  next_run_at TIMESTAMPTZ,
  created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE campaigns_runs
(
  campaign_id UUID        NOT NULL REFERENCES campaigns_campaigns (id),
  run         INT         NOT NULL,
  child_id    UUID        NOT NULL UNIQUE REFERENCES campaigns_campaigns (id),
  -- the occurrence of the rule this run stands for, and when it started
  due_at      TIMESTAMPTZ NOT NULL,
  started_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (campaign_id, run)
);

-- a send waiting for approval: what was asked (at, or a recurrence), by whom, and the decision
CREATE TABLE campaigns_approvals
(
  campaign_id     UUID PRIMARY KEY REFERENCES campaigns_campaigns (id),
  requested_by    TEXT        NOT NULL,
  requested_at    TIMESTAMPTZ NOT NULL,
  -- the audience counted when asked (at least approval-above + 1)
  audience        BIGINT      NOT NULL,
  -- {"at": …} or {"recurrence": {cron, zone, until}}
  request         JSONB       NOT NULL,
  -- APPROVED or REJECTED; null while pending
  decision        TEXT,
  decided_by      TEXT,
  decided_at      TIMESTAMPTZ,
  reason          TEXT
);

-- merchant-wide campaign settings changed over the API (one row; absent: the properties' defaults)
CREATE TABLE campaigns_settings
(
  id             BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
  approval_above BIGINT      NOT NULL,
  updated_by     TEXT        NOT NULL,
  updated_at     TIMESTAMPTZ NOT NULL
);
