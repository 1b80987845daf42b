-- delivery: in-app messages without a fallback step learn that they were read too. An in-app
-- attempt carries the time its customer's read cursor is next looked at; the checks thin out as the
-- message ages (after 1 minute, then doubling, at most every 6 hours) and stop after 7 days.
ALTER TABLE delivery_attempts ADD COLUMN read_check_at TIMESTAMPTZ;
CREATE INDEX delivery_attempts_read_check_idx ON delivery_attempts (read_check_at) WHERE read_check_at IS NOT NULL;
