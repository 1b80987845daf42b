-- A bulk message (a campaign's, or a request that says "bulk") is leased after every other due
-- message of its channel: an order's shipping notice or a new arrival's followers do not wait
-- behind a million-recipient campaign's backlog, which was leased oldest first with the rest.
-- Retries and fallbacks of a message keep its lane.
ALTER TABLE delivery_messages ADD COLUMN bulk BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE delivery_attempts ADD COLUMN bulk BOOLEAN NOT NULL DEFAULT FALSE;
-- only queued attempts are in it; building it reads the table once
DROP INDEX delivery_attempts_due_idx;
CREATE INDEX delivery_attempts_due_idx ON delivery_attempts (channel, bulk, due_at) WHERE status = 'QUEUED';
