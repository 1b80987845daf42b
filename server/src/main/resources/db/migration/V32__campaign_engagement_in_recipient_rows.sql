-- A campaign's recipient row carries what became of its message (ADR 9): the store that spoke, the
-- channel, the tracked link and the first time of each outcome, which campaigns_engagement kept in a
-- second row per recipient. The chunk that hands a recipient off now writes them in the same UPDATE
-- that records its decision: one row version per recipient instead of two rows, and one statement
-- less per chunk. It runs in one transaction that locks campaigns_recipients: every node stops for
-- it (a node still running the code before it would fail delivery's reports), and it takes about as
-- long as rewriting the handed-off recipients' rows (seconds per million).
ALTER TABLE campaigns_recipients
  -- set when the recipient is handed off; null for the planned, held, deferred and skipped
  ADD COLUMN store_id        UUID,
  ADD COLUMN channel         TEXT,
  ADD COLUMN link_id         BIGINT,
  ADD COLUMN handed_off_at   TIMESTAMPTZ,
  ADD COLUMN sent_at         TIMESTAMPTZ,
  ADD COLUMN delivered_at    TIMESTAMPTZ,
  ADD COLUMN read_at         TIMESTAMPTZ,
  ADD COLUMN failed_at       TIMESTAMPTZ,
  ADD COLUMN clicked_at      TIMESTAMPTZ,
  ADD COLUMN clicks          INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN replied_at      TIMESTAMPTZ,
  ADD COLUMN unsubscribed_at TIMESTAMPTZ;

-- every engagement row was written by the chunk that moved its recipient row (the migration fails,
-- changing nothing, should one have none)
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM campaigns_engagement e
              WHERE NOT EXISTS (SELECT 1 FROM campaigns_recipients r
                                 WHERE r.campaign_id = e.campaign_id AND r.customer_id = e.customer_id)) THEN
    RAISE EXCEPTION 'campaigns_engagement has rows without a recipient row; V32 would lose them';
  END IF;
END
$$;
UPDATE campaigns_recipients r
   SET store_id = e.store_id, channel = e.channel, link_id = e.link_id, handed_off_at = e.handed_off_at,
       sent_at = e.sent_at, delivered_at = e.delivered_at, read_at = e.read_at, failed_at = e.failed_at,
       clicked_at = e.clicked_at, clicks = e.clicks, replied_at = e.replied_at, unsubscribed_at = e.unsubscribed_at
  FROM campaigns_engagement e
 WHERE r.campaign_id = e.campaign_id AND r.customer_id = e.customer_id;

-- a click finds its recipient by the link's id
CREATE UNIQUE INDEX campaigns_recipients_link_idx ON campaigns_recipients (link_id) WHERE link_id IS NOT NULL;
-- a reply or an unsubscribe is credited to the customer's latest campaign message
CREATE INDEX campaigns_recipients_customer_idx ON campaigns_recipients (customer_id, handed_off_at DESC)
  WHERE handed_off_at IS NOT NULL;

DROP TABLE campaigns_engagement;
