-- messaging: the key that signs file links (short-lived download URLs that need no Authorization
-- header, for <img src> and <video src>). Created once by the server, shared by every node.
CREATE TABLE messaging_keys
(
  name       TEXT PRIMARY KEY,
  secret     BYTEA       NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);

-- the sweep of uploads never sent looks messages up by the file they carry
CREATE INDEX messaging_messages_file_idx ON messaging_messages ((body ->> 'fileId')) WHERE (body ->> 'fileId') IS NOT NULL;
