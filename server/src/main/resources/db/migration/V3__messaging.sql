-- messaging: conversations, members, messages with a gapless per-conversation sequence, receipts,
-- acknowledgements and reactions.

CREATE TABLE messaging_conversations
(
  id               UUID PRIMARY KEY,
  kind             TEXT        NOT NULL CHECK (kind IN ('DIRECT', 'GROUP', 'CHANNEL')),
  -- the store (or other org node) the conversation belongs to; null for staff-to-staff directs
  org_node_id      UUID,
  title            TEXT,
  -- de-duplicates direct conversations: 'store:<store>|customer:<customer>' or 'staff:<a>|staff:<b>'
  direct_key       TEXT UNIQUE,
  created_by       TEXT        NOT NULL,
  created_at       TIMESTAMPTZ NOT NULL,
  -- the last sequence number handed out; incremented in the sending transaction, so it is gapless
  last_seq         BIGINT      NOT NULL DEFAULT 0,
  last_message_at  TIMESTAMPTZ NOT NULL,
  member_count     INT         NOT NULL DEFAULT 0,
  member_limit     INT         NOT NULL,
  mute_all         BOOLEAN     NOT NULL DEFAULT FALSE,
  announcement     TEXT,
  announcement_at  TIMESTAMPTZ
);
CREATE INDEX messaging_conversations_org_idx ON messaging_conversations (org_node_id);

CREATE TABLE messaging_members
(
  conversation_id UUID        NOT NULL REFERENCES messaging_conversations (id),
  participant     TEXT        NOT NULL, -- 'staff:<uuid>' or 'customer:<uuid>'
  role            TEXT        NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER')),
  joined_at       TIMESTAMPTZ NOT NULL,
  read_seq        BIGINT      NOT NULL DEFAULT 0,
  delivered_seq   BIGINT      NOT NULL DEFAULT 0,
  muted_until     TIMESTAMPTZ,
  PRIMARY KEY (conversation_id, participant)
);
CREATE INDEX messaging_members_participant_idx ON messaging_members (participant);

CREATE TABLE messaging_messages
(
  conversation_id UUID        NOT NULL REFERENCES messaging_conversations (id),
  seq             BIGINT      NOT NULL,
  id              UUID        NOT NULL UNIQUE,
  sender          TEXT,        -- null for system messages
  client_msg_id   TEXT,
  kind            TEXT        NOT NULL,
  body            JSONB       NOT NULL,
  requires_ack    BOOLEAN     NOT NULL DEFAULT FALSE,
  created_at      TIMESTAMPTZ NOT NULL,
  recalled_at     TIMESTAMPTZ,
  PRIMARY KEY (conversation_id, seq)
);
-- a retried send (same sender, same client message id) finds the original instead of duplicating it
CREATE UNIQUE INDEX messaging_messages_idempotency_uq ON messaging_messages (conversation_id, sender, client_msg_id)
  WHERE client_msg_id IS NOT NULL;

CREATE TABLE messaging_acks
(
  conversation_id UUID        NOT NULL,
  seq             BIGINT      NOT NULL,
  participant     TEXT        NOT NULL,
  acked_at        TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (conversation_id, seq, participant),
  FOREIGN KEY (conversation_id, seq) REFERENCES messaging_messages (conversation_id, seq)
);

CREATE TABLE messaging_reactions
(
  conversation_id UUID        NOT NULL,
  seq             BIGINT      NOT NULL,
  participant     TEXT        NOT NULL,
  emoji           TEXT        NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (conversation_id, seq, participant, emoji),
  FOREIGN KEY (conversation_id, seq) REFERENCES messaging_messages (conversation_id, seq)
);
