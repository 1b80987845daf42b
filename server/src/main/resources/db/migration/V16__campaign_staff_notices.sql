-- campaigns: staff notices (a notice to staff in their chat, optionally to be acknowledged, with
-- reminders to those who have not, and check-in rounds each store answers until it is closed), and
-- cascades (a campaign announced to store managers by a notice and forwarded by each of them to
-- their store's customers as a child campaign linked to its source and the forwarding employee).
-- Staff, org nodes, conversations and messages belong to other modules: no foreign keys into them.

CREATE TABLE campaigns_staff_notices
(
  id                    UUID PRIMARY KEY,
  title                 TEXT        NOT NULL,
  text                  TEXT        NOT NULL,
  -- {"nodes": [...], "roles": [...]} or {"staffIds": [...]}, as checked
  audience              JSONB       NOT NULL,
  requires_ack          BOOLEAN     NOT NULL,
  remind_after_minutes  INTEGER,
  max_reminders         INTEGER     NOT NULL,
  check_in_minutes      INTEGER,
  check_in_prompt       TEXT,
  -- the campaign this notice announces (a cascade), if any
  campaign_id           UUID,
  -- the lowest org node holding the audience: who may read and close the notice
  scope_node_id         UUID        NOT NULL,
  scope_path            TEXT        NOT NULL,
  -- SCHEDULED, OPEN, CLOSED, FAILED
  status                TEXT        NOT NULL,
  status_reason         TEXT,
  send_at               TIMESTAMPTZ NOT NULL,
  sent_at               TIMESTAMPTZ,
  closed_at             TIMESTAMPTZ,
  closed_by             TEXT,
  -- the reminder and the check-in round to come next (the guard that makes each run once)
  next_reminder         INTEGER     NOT NULL DEFAULT 1,
  next_check_in         INTEGER     NOT NULL DEFAULT 1,
  created_by            TEXT        NOT NULL,
  created_at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX campaigns_staff_notices_list_idx ON campaigns_staff_notices (created_at DESC, id DESC);
CREATE INDEX campaigns_staff_notices_campaign_idx ON campaigns_staff_notices (campaign_id) WHERE campaign_id IS NOT NULL;

-- who a notice is for, the room it reached them in, and the reminders they were sent
CREATE TABLE campaigns_staff_notice_recipients
(
  notice_id         UUID        NOT NULL,
  staff_id          UUID        NOT NULL,
  -- as they were when the notice was created
  display_name      TEXT        NOT NULL,
  role              TEXT        NOT NULL,
  -- the recipient's own org node (their store): a row of the check-in table
  org_node_id       UUID        NOT NULL,
  -- the node whose staff room carries the notice to them, and that room once it is posted
  room_node_id      UUID        NOT NULL,
  conversation_id   UUID,
  reminders         INTEGER     NOT NULL DEFAULT 0,
  last_reminded_at  TIMESTAMPTZ,
  PRIMARY KEY (notice_id, staff_id)
);

-- every message a notice posted (the notice itself, reminders, check-in cards), found again by
-- conversation and sequence number when a card's button is pressed
CREATE TABLE campaigns_staff_notice_posts
(
  conversation_id UUID        NOT NULL,
  seq             BIGINT      NOT NULL,
  notice_id       UUID        NOT NULL,
  -- NOTICE, REMINDER, CHECK_IN
  kind            TEXT        NOT NULL,
  round           INTEGER     NOT NULL,
  posted_at       TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX campaigns_staff_notice_posts_notice_idx ON campaigns_staff_notice_posts (notice_id, kind, round);

-- check-in rounds as they were asked, and each org node's answer (one per node and round)
CREATE TABLE campaigns_staff_notice_rounds
(
  notice_id  UUID        NOT NULL,
  round      INTEGER     NOT NULL,
  due_at     TIMESTAMPTZ NOT NULL,
  posted_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (notice_id, round)
);

CREATE TABLE campaigns_staff_notice_check_ins
(
  notice_id    UUID        NOT NULL,
  round        INTEGER     NOT NULL,
  org_node_id  UUID        NOT NULL,
  staff_id     UUID        NOT NULL,
  -- OK, NEEDS_HELP
  status       TEXT        NOT NULL,
  text         TEXT,
  answered_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (notice_id, round, org_node_id)
);

-- a cascade's forwards: the child campaign a store's employee sent to the store's customers
CREATE TABLE campaigns_forwards
(
  child_id           UUID PRIMARY KEY,
  source_id          UUID        NOT NULL,
  store_id           UUID        NOT NULL,
  forwarded_by       UUID        NOT NULL,
  forwarded_by_name  TEXT        NOT NULL,
  forwarded_at       TIMESTAMPTZ NOT NULL,
  UNIQUE (source_id, store_id)
);
