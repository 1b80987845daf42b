-- messaging: the key that signs file links (short-lived download URLs that need no Authorization
-- header, for <img src> and <video src>). Created once by the server, shared by every node.
CREATE TABLE messaging_keys
(
  name       TEXT PRIMARY KEY,
  secret     BYTEA       NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
