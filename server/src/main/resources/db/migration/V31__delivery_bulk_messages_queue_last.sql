-- A bulk message (a campaign's, or a request that says "bulk") is leased after every other due
-- message of its channel: an order's shipping notice or a new arrival's followers do not wait
-- behind a million-recipient campaign's backlog, which was leased oldest first with the rest.
-- Retries and fallbacks of a message keep its lane.
ALTER TABLE delivery_messages ADD COLUMN bulk BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE delivery_attempts ADD COLUMN bulk BOOLEAN NOT NULL DEFAULT FALSE;
-- a campaign sending while the server is upgraded: what it has queued, and the retries and fallbacks
-- still to come of what it has sent, join the bulk lane too (campaigns' sources are 'campaign:<id>')
UPDATE delivery_messages m SET bulk = TRUE
 WHERE m.source LIKE 'campaign:%'
   AND EXISTS (SELECT 1 FROM delivery_attempts a
                WHERE a.delivery_id = m.id AND (a.status IN ('QUEUED', 'SENDING') OR a.fallback_at IS NOT NULL));
UPDATE delivery_attempts a SET bulk = TRUE FROM delivery_messages m
 WHERE m.id = a.delivery_id AND m.bulk AND a.status IN ('QUEUED', 'SENDING');
-- only queued attempts are in it; building it reads the table once (and blocks writes to it meanwhile)
DROP INDEX IF EXISTS delivery_attempts_due_idx;
CREATE INDEX delivery_attempts_due_idx ON delivery_attempts (channel, bulk, due_at) WHERE status = 'QUEUED';
