-- campaigns: a promotion's definition, its send (status and schedule), every recipient with where
-- they stand (the exactly-once guard and the progress), and counters read by the progress view.
-- Customers, stores, segments, coupon templates and deliveries belong to other modules: no foreign
-- keys into their tables.

CREATE TABLE campaigns_campaigns
(
  id                 UUID PRIMARY KEY,
  name               TEXT        NOT NULL,
  -- MARKETING | TRANSACTIONAL
  purpose            TEXT        NOT NULL,
  starts_at          TIMESTAMPTZ NOT NULL,
  ends_at            TIMESTAMPTZ NOT NULL CHECK (ends_at > starts_at),
  -- the definition as the API takes it: offer, stores, route, templates, audience
  definition         JSONB       NOT NULL,
  -- the lowest org node holding every participating store: who may read the campaign, and the
  -- scope of a segment snapshot
  scope_node_id      UUID        NOT NULL,
  scope_path         TEXT        NOT NULL,
  -- DRAFT, SCHEDULED, SENDING, SENT, CANCELLED, FAILED
  status             TEXT        NOT NULL,
  status_reason      TEXT,
  send_at            TIMESTAMPTZ,
  -- set once every recipient is in campaigns_recipients (planning is then never repeated)
  planned_at         TIMESTAMPTZ,
  snapshot_id        UUID,
  started_at         TIMESTAMPTZ,
  finished_at        TIMESTAMPTZ,
  created_by         TEXT        NOT NULL,
  created_at         TIMESTAMPTZ NOT NULL,
  updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX campaigns_campaigns_list_idx ON campaigns_campaigns (created_at DESC, id DESC);
CREATE INDEX campaigns_campaigns_status_idx ON campaigns_campaigns (status) WHERE status IN ('SCHEDULED', 'SENDING');

CREATE TABLE campaigns_recipients
(
  campaign_id   UUID        NOT NULL,
  customer_id   UUID        NOT NULL,
  -- PLANNED, HANDED_OFF, DEFERRED, SKIPPED
  status        TEXT        NOT NULL,
  reason        TEXT,
  defer_until   TIMESTAMPTZ,
  delivery_id   UUID,
  coupon_code   TEXT,
  planned_at    TIMESTAMPTZ NOT NULL,
  decided_at    TIMESTAMPTZ,
  PRIMARY KEY (campaign_id, customer_id)
);
-- the sender reads pending recipients in customer order
CREATE INDEX campaigns_recipients_pending_idx ON campaigns_recipients (campaign_id, customer_id)
  WHERE status = 'PLANNED';
CREATE INDEX campaigns_recipients_deferred_idx ON campaigns_recipients (campaign_id, defer_until)
  WHERE status = 'DEFERRED';

-- counts per campaign kept as recipients move (PLANNED, HANDED_OFF, DEFERRED, SKIPPED:<reason>,
-- recipients) and as deliveries report (delivery:SENT, delivery:DELIVERED, ...); a delivery counter
-- is split over a few shards so concurrent writers do not queue on one row
CREATE TABLE campaigns_counters
(
  campaign_id UUID   NOT NULL,
  name        TEXT   NOT NULL,
  shard       SMALLINT NOT NULL DEFAULT 0,
  n           BIGINT NOT NULL,
  PRIMARY KEY (campaign_id, name, shard)
);
