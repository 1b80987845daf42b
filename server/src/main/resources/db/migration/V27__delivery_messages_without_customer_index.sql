-- delivery_messages_customer_idx was never read (no query finds deliveries by customer), and each of a
-- campaign's million deliveries paid for it twice: inserted, and again on every status change (a
-- status update is never HOT, the status being indexed)
DROP INDEX IF EXISTS delivery_messages_customer_idx;
