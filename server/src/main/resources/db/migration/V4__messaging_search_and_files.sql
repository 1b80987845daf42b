-- messaging: full-text search within a conversation's history, and the files that media messages carry.

-- The words of a message as HanLP segments them (lower-cased, traditional folded to simplified), so
-- PostgreSQL's 'simple' configuration finds Chinese words inside sentences. Filled in the insert of the
-- message; null for messages with nothing to find (recalls, system messages) and once a message is recalled.
ALTER TABLE messaging_messages ADD COLUMN search_vector TSVECTOR;
CREATE INDEX messaging_messages_search_idx ON messaging_messages USING GIN (search_vector);

CREATE TABLE messaging_files
(
  id              UUID PRIMARY KEY,
  conversation_id UUID        NOT NULL REFERENCES messaging_conversations (id),
  uploader        TEXT        NOT NULL, -- 'staff:<uuid>' or 'customer:<uuid>'
  kind            TEXT        NOT NULL CHECK (kind IN ('IMAGE', 'VOICE', 'VIDEO', 'FILE')),
  -- sniffed from the content's first bytes, never taken from the client
  content_type    TEXT        NOT NULL,
  size            BIGINT      NOT NULL CHECK (size > 0),
  sha256          TEXT        NOT NULL, -- lower-case hex; also the download's ETag
  original_name   TEXT,
  created_at      TIMESTAMPTZ NOT NULL,
  -- set when the message carrying the file is recalled: the file is no longer served
  recalled_at     TIMESTAMPTZ
);
CREATE INDEX messaging_files_conversation_idx ON messaging_files (conversation_id);
