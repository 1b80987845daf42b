-- campaigns: automatic forwarding in cascades. A store's forward rule forwards every cascade announced
-- to the store by itself after a delay, in the name of whoever set the rule; each automatic forward is
-- tracked from the announcement to its outcome (forwarded, beaten by a forward by hand, skipped, failed).
-- Staff, org nodes and segments belong to other modules: no foreign keys into them.

-- one rule per store
CREATE TABLE campaigns_forward_rules
(
  store_id       UUID PRIMARY KEY,
  enabled        BOOLEAN     NOT NULL,
  delay_minutes  INTEGER     NOT NULL CHECK (delay_minutes BETWEEN 0 AND 1440),
  -- STORES or SEGMENT (with segment_id)
  audience_kind  TEXT        NOT NULL,
  segment_id     UUID,
  -- the purposes of the campaigns it forwards (MARKETING, TRANSACTIONAL); NULL: any
  purposes       TEXT[],
  -- the staff member the rule's forwards are made by (and measured for)
  set_by         UUID        NOT NULL,
  set_by_name    TEXT        NOT NULL,
  updated_at     TIMESTAMPTZ NOT NULL
);

-- a forward made by a rule rather than by hand
ALTER TABLE campaigns_forwards ADD COLUMN automatic BOOLEAN NOT NULL DEFAULT false;

-- an automatic forward of a source campaign to a store, from the announcement that scheduled it
-- (db-scheduler task campaigns-auto-forward, instance <source>/<store>) to its outcome
CREATE TABLE campaigns_auto_forwards
(
  source_id    UUID        NOT NULL,
  store_id     UUID        NOT NULL,
  -- the staff notice whose posting announced the campaign to the store
  notice_id    UUID        NOT NULL,
  due_at       TIMESTAMPTZ NOT NULL,
  -- PENDING, FORWARDED, BY_HAND, SKIPPED, FAILED
  status       TEXT        NOT NULL,
  -- why it was skipped or failed (a problem code), and in words
  reason       TEXT,
  detail       TEXT,
  child_id     UUID,
  created_at   TIMESTAMPTZ NOT NULL,
  decided_at   TIMESTAMPTZ,
  PRIMARY KEY (source_id, store_id)
);
