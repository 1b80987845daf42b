-- delivery: the outbox. One row per message to one customer (delivery_messages), one row per try
-- on one channel (delivery_attempts), written in the requester's transaction and processed by
-- workers after commit. A worker leases due attempts (SENDING with a lease); a lease that runs out
-- (the node died between "decided to send" and "recorded the result") puts the attempt back, and the
-- same idempotency key goes out again: in-app posts and webhook receivers de-duplicate on it.
-- Customer and store ids belong to identity: no foreign key leaves this module.

CREATE TABLE delivery_messages
(
  id          UUID PRIMARY KEY,
  source      TEXT        NOT NULL,
  request_key TEXT        NOT NULL,
  customer_id UUID        NOT NULL,
  store_id    UUID        NOT NULL,
  purpose     TEXT        NOT NULL CHECK (purpose IN ('MARKETING', 'TRANSACTIONAL')),
  -- [{"channel":"IN_APP","fallbackAfterSeconds":1800},{"channel":"SMS"}]
  route       JSONB       NOT NULL,
  -- {"text":…,"smsText":…,"card":{…},"data":{…}}
  content     JSONB       NOT NULL,
  status      TEXT        NOT NULL CHECK (status IN ('QUEUED', 'SENT', 'DELIVERED', 'READ', 'FAILED', 'CANCELLED')),
  reason      TEXT,
  -- the route step being tried (0-based)
  step        INT         NOT NULL DEFAULT 0,
  created_at  TIMESTAMPTZ NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL,
  UNIQUE (source, request_key)
);
CREATE INDEX delivery_messages_customer_idx ON delivery_messages (customer_id, created_at);
CREATE INDEX delivery_messages_source_status_idx ON delivery_messages (source, status);
-- the dead-letter view
CREATE INDEX delivery_messages_failed_idx ON delivery_messages (updated_at) WHERE status = 'FAILED';

CREATE TABLE delivery_attempts
(
  id            BIGSERIAL PRIMARY KEY,
  delivery_id   UUID        NOT NULL REFERENCES delivery_messages (id),
  step          INT         NOT NULL,
  channel       TEXT        NOT NULL CHECK (channel IN ('IN_APP', 'SMS', 'WEBHOOK')),
  -- the try on this step, from 1; a retry is a new row
  number        INT         NOT NULL,
  status        TEXT        NOT NULL CHECK (status IN ('QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ', 'RETRIED',
                                                       'FAILED', 'SKIPPED')),
  due_at        TIMESTAMPTZ NOT NULL,
  lease_until   TIMESTAMPTZ,
  -- E.164 phone, endpoint URL, or null (in-app)
  address       TEXT,
  -- SHA-256 of what was sent (hex), for the record
  payload_hash  TEXT,
  -- the channel's id: SMSC message id; in-app '<conversation id>/<seq>'
  provider_id   TEXT,
  segments      INT         NOT NULL DEFAULT 1,
  error_code    TEXT,
  error         TEXT,
  response_code INT,
  -- in-app with a fallback: when to look whether it was read
  fallback_at   TIMESTAMPTZ,
  created_at    TIMESTAMPTZ NOT NULL,
  sent_at       TIMESTAMPTZ,
  delivered_at  TIMESTAMPTZ,
  read_at       TIMESTAMPTZ,
  updated_at    TIMESTAMPTZ NOT NULL,
  UNIQUE (delivery_id, step, number)
);
CREATE INDEX delivery_attempts_due_idx ON delivery_attempts (channel, due_at) WHERE status = 'QUEUED';
CREATE INDEX delivery_attempts_lease_idx ON delivery_attempts (lease_until) WHERE status = 'SENDING';
CREATE UNIQUE INDEX delivery_attempts_provider_idx ON delivery_attempts (channel, provider_id)
  WHERE provider_id IS NOT NULL AND channel <> 'IN_APP';
CREATE INDEX delivery_attempts_fallback_idx ON delivery_attempts (fallback_at) WHERE fallback_at IS NOT NULL;
CREATE INDEX delivery_attempts_address_idx ON delivery_attempts (address, created_at) WHERE channel = 'SMS';

-- receipts that arrived before their send's result was recorded (an SMSC may send the receipt
-- before its submit_sm_resp is processed); matched when the result is recorded
CREATE TABLE delivery_early_receipts
(
  channel       TEXT        NOT NULL,
  provider_id   TEXT        NOT NULL,
  delivered     BOOLEAN     NOT NULL,
  code          TEXT        NOT NULL,
  address_fault BOOLEAN     NOT NULL,
  detail        TEXT,
  received_at   TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (channel, provider_id)
);

-- messages from customers on a channel (SMS MO), and where they went
CREATE TABLE delivery_inbound
(
  id          BIGSERIAL PRIMARY KEY,
  channel     TEXT        NOT NULL,
  sender      TEXT        NOT NULL,
  recipient   TEXT        NOT NULL,
  text        TEXT        NOT NULL,
  -- UNSUBSCRIBED, REPLY (posted to a conversation), UNROUTED (no delivery to this number to answer)
  outcome     TEXT        NOT NULL,
  customer_id UUID,
  received_at TIMESTAMPTZ NOT NULL
);

-- the merchant's webhook endpoint (one per server) and the key its requests are signed with
CREATE TABLE delivery_webhook_endpoint
(
  id              SMALLINT PRIMARY KEY CHECK (id = 1),
  url             TEXT        NOT NULL,
  secret          TEXT        NOT NULL,
  timeout_millis  INT         NOT NULL,
  updated_at      TIMESTAMPTZ NOT NULL
);
