-- campaigns: results. What became of each message (per recipient, so results group by store,
-- channel, variant and hour from the facts themselves), tracked links, and the coupons, redemptions
-- and order revenue attributed to a campaign. Coupons and orders belong to other modules: no
-- foreign keys into their tables; the rows here are facts copied from their events.

-- the key that signs tracked links (platform StoredHmacKey)
CREATE TABLE campaigns_keys
(
  name       TEXT PRIMARY KEY,
  secret     BYTEA       NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);

-- a tracked link's id, allocated a chunk at a time when the messages are rendered
CREATE SEQUENCE campaigns_link_ids;

-- one row per recipient handed to delivery: the store that spoke, the channel, the tracked link,
-- and the first time each outcome happened (sent, delivered, read, failed, clicked, replied,
-- unsubscribed); a time is set once (coalesce), so a repeated report changes nothing
CREATE TABLE campaigns_engagement
(
  campaign_id      UUID        NOT NULL,
  customer_id      UUID        NOT NULL,
  store_id         UUID        NOT NULL,
  -- the A/B variant; 'A' until A/B tests exist
  variant          TEXT        NOT NULL DEFAULT 'A',
  -- the route's first channel, then the channel of the latest delivery report
  channel          TEXT        NOT NULL,
  link_id          BIGINT UNIQUE,
  handed_off_at    TIMESTAMPTZ NOT NULL,
  sent_at          TIMESTAMPTZ,
  delivered_at     TIMESTAMPTZ,
  read_at          TIMESTAMPTZ,
  failed_at        TIMESTAMPTZ,
  clicked_at       TIMESTAMPTZ,
  clicks           INTEGER     NOT NULL DEFAULT 0,
  replied_at       TIMESTAMPTZ,
  unsubscribed_at  TIMESTAMPTZ,
  PRIMARY KEY (campaign_id, customer_id)
);
-- a reply or an unsubscribe is credited to the customer's latest campaign message
CREATE INDEX campaigns_engagement_customer_idx ON campaigns_engagement (customer_id, handed_off_at DESC);

-- coupons issued through a campaign: granted by its send, or claimed with source 'campaign' and the
-- campaign's id as sourceRef; store and channel are the recipient's (null for a claim by someone the
-- campaign did not message, in a campaign of several stores)
CREATE TABLE campaigns_coupons
(
  coupon_id    UUID PRIMARY KEY,
  campaign_id  UUID        NOT NULL,
  customer_id  UUID        NOT NULL,
  -- the code without separators, upper case (as orders may carry it)
  code         TEXT        NOT NULL UNIQUE,
  -- CLAIM | GRANT
  how          TEXT        NOT NULL,
  store_id     UUID,
  channel      TEXT,
  issued_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX campaigns_coupons_campaign_idx ON campaigns_coupons (campaign_id);

-- a redemption of such a coupon within the attribution window: the order and the coupon's cost;
-- a rollback (the order cancelled or refunded) marks it, and it no longer counts
CREATE TABLE campaigns_redemptions
(
  coupon_id          UUID        NOT NULL,
  order_external_id  TEXT        NOT NULL,
  campaign_id        UUID        NOT NULL,
  discount_fen       BIGINT      NOT NULL,
  redeemed_at        TIMESTAMPTZ NOT NULL,
  rolled_back_at     TIMESTAMPTZ,
  PRIMARY KEY (coupon_id, order_external_id)
);
CREATE INDEX campaigns_redemptions_campaign_idx ON campaigns_redemptions (campaign_id);

-- paid orders that carried an attributed coupon's code: their revenue (counted while one of the
-- campaign's redemptions on them stands), less what was refunded in part
CREATE TABLE campaigns_orders
(
  order_external_id  TEXT PRIMARY KEY,
  total_fen          BIGINT      NOT NULL,
  refunded_fen       BIGINT      NOT NULL DEFAULT 0,
  paid_at            TIMESTAMPTZ NOT NULL
);
