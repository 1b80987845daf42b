-- Bulk in-app messages handed off in one call (a campaign's chunk: Delivery.enqueueNew) are stored as
-- batches of up to 64, one row each, instead of a message row and an attempt row per message. A worker
-- leases a batch (SENDING with a lease, as an attempt), posts its messages, and writes each message's
-- delivery_messages and delivery_attempts rows once, as they end up: posted (DELIVERED) or, for the few
-- that are refused or fail, QUEUED with the attempt's outcome, from where the usual retries and fallbacks
-- take them. The batch row is deleted when all of its messages have their rows. A lease that runs out
-- (the node died) puts the batch back; the messages that already have rows are left out when it is
-- leased again, and the others are posted again under the same key (messaging stores nothing twice).
CREATE TABLE delivery_batches
(
  id           UUID PRIMARY KEY,
  source       TEXT        NOT NULL,
  purpose      TEXT        NOT NULL CHECK (purpose IN ('MARKETING', 'TRANSACTIONAL')),
  -- as delivery_messages.route; its first step is IN_APP
  route        JSONB       NOT NULL,
  status       TEXT        NOT NULL CHECK (status IN ('QUEUED', 'SENDING')),
  due_at       TIMESTAMPTZ NOT NULL,
  lease_until  TIMESTAMPTZ,
  -- leased at least once: some of its messages may have their rows already
  leased       BOOLEAN     NOT NULL DEFAULT false,
  -- one element per message, in the same order: the delivery ids given back to the caller, the
  -- request keys, customers, stores and contents (delivery_messages.content as text)
  message_ids  UUID[]      NOT NULL,
  request_keys TEXT[]      NOT NULL,
  customer_ids UUID[]      NOT NULL,
  store_ids    UUID[]      NOT NULL,
  contents     TEXT[]      NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX delivery_batches_due_idx ON delivery_batches (due_at) WHERE status = 'QUEUED';
CREATE INDEX delivery_batches_lease_idx ON delivery_batches (lease_until) WHERE status = 'SENDING';
CREATE INDEX delivery_batches_source_idx ON delivery_batches (source);

-- A customer's read receipt that covered a delivery's in-app post no attempt took (a batch's message
-- posted but not yet written down): kept until the message's rows are written (then it is READ at
-- this time: by the recorder, or by the housekeeping when the two ran at once), forgotten after 3 days.
CREATE TABLE delivery_early_reads
(
  delivery_id UUID        NOT NULL,
  step        INT         NOT NULL,
  read_at     TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (delivery_id, step)
);
