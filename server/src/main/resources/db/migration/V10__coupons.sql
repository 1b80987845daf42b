-- coupons: templates, their stock split into slots (striped counters, so concurrent claims do not
-- queue on one row lock), per-customer holdings (the per-customer limit), issued coupons with
-- unguessable codes, and redemptions against the merchant's orders.
-- Customer, store and SKU ids belong to identity and catalog: no foreign keys into their tables.

CREATE TABLE coupons_templates
(
  id                       UUID PRIMARY KEY,
  name                     TEXT        NOT NULL,
  description              TEXT,
  -- AMOUNT_OFF (满减), PERCENT_OFF, NO_THRESHOLD, FREE_GIFT, SHIPPING
  kind                     TEXT        NOT NULL,
  discount_fen             BIGINT CHECK (discount_fen > 0),
  threshold_fen            BIGINT      NOT NULL DEFAULT 0 CHECK (threshold_fen >= 0),
  percent_off              INT CHECK (percent_off BETWEEN 1 AND 99),
  cap_fen                  BIGINT CHECK (cap_fen > 0),
  gift_sku                 TEXT,
  -- the most one coupon can take off an order (null: unbounded, a percentage without a cap)
  face_value_fen           BIGINT CHECK (face_value_fen >= 0),
  -- claims are open from valid_from until valid_until; a coupon is valid in that window, or, with
  -- valid_days, for that many days from its issue
  valid_from               TIMESTAMPTZ NOT NULL,
  valid_until              TIMESTAMPTZ NOT NULL,
  valid_days               INT CHECK (valid_days BETWEEN 1 AND 3650),
  -- stock: coupons that may ever be issued (already reduced to what the budget pays for)
  stock                    INT         NOT NULL CHECK (stock > 0),
  budget_fen               BIGINT CHECK (budget_fen > 0),
  slots                    INT         NOT NULL CHECK (slots BETWEEN 1 AND 1024),
  per_customer_limit       INT         NOT NULL CHECK (per_customer_limit > 0),
  per_customer_daily_limit INT CHECK (per_customer_daily_limit > 0),
  -- where it applies; empty: everywhere
  products                 TEXT[]      NOT NULL DEFAULT '{}',
  categories               TEXT[]      NOT NULL DEFAULT '{}',
  stores                   UUID[]      NOT NULL DEFAULT '{}',
  -- stacking: an exclusive coupon is the only one on its order; others combine, at most
  -- max_per_order of one stack_group on an order
  exclusive                BOOLEAN     NOT NULL,
  stack_group              TEXT,
  max_per_order            INT         NOT NULL CHECK (max_per_order BETWEEN 1 AND 20),
  -- audience of claims (grants skip it: the granting campaign chose its audience)
  new_customers_only       BOOLEAN     NOT NULL DEFAULT FALSE,
  member_levels            TEXT[]      NOT NULL DEFAULT '{}',
  win_back                 BOOLEAN     NOT NULL DEFAULT FALSE,
  -- ACTIVE or PAUSED (no claims nor grants)
  status                   TEXT        NOT NULL,
  created_by               TEXT        NOT NULL,
  created_at               TIMESTAMPTZ NOT NULL,
  updated_at               TIMESTAMPTZ NOT NULL,
  CHECK (valid_until > valid_from),
  CHECK (per_customer_daily_limit IS NULL OR per_customer_daily_limit <= per_customer_limit)
);
CREATE INDEX coupons_templates_created_idx ON coupons_templates (id DESC);

-- A template's stock in slots: a claim takes one unit from a slot with room, chosen at random, so
-- concurrent claims lock different rows. Sum(cap) = the template's stock; issued never passes cap.
-- Redemption counts live here too (by the slot the coupon came from), for the same reason.
CREATE TABLE coupons_stock_slots
(
  template_id  UUID   NOT NULL REFERENCES coupons_templates (id),
  slot         INT    NOT NULL,
  cap          INT    NOT NULL CHECK (cap >= 0),
  issued       INT    NOT NULL DEFAULT 0,
  redeemed     INT    NOT NULL DEFAULT 0,
  redeemed_fen BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (template_id, slot),
  CHECK (issued BETWEEN 0 AND cap),
  CHECK (redeemed BETWEEN 0 AND issued),
  CHECK (redeemed_fen >= 0)
);

-- What one customer holds of one template: the per-customer limits, checked and counted in the
-- claim's transaction under this row's lock. lim repeats the template's limit so that the database
-- itself refuses a count over it.
CREATE TABLE coupons_holdings
(
  template_id UUID NOT NULL REFERENCES coupons_templates (id),
  customer_id UUID NOT NULL,
  issued      INT  NOT NULL,
  lim         INT  NOT NULL,
  -- the merchant's calendar day of the last issue, and how many were issued on it
  day         DATE NOT NULL,
  day_issued  INT  NOT NULL,
  PRIMARY KEY (template_id, customer_id),
  CHECK (issued BETWEEN 0 AND lim),
  CHECK (day_issued BETWEEN 0 AND issued)
);

CREATE TABLE coupons_coupons
(
  id            UUID PRIMARY KEY,
  -- 16 characters of 23456789ABCDEFGHJKLMNPQRSTUVWXYZ, the last a check character
  code          TEXT        NOT NULL UNIQUE,
  template_id   UUID        NOT NULL REFERENCES coupons_templates (id),
  customer_id   UUID        NOT NULL,
  slot          INT         NOT NULL,
  -- ISSUED, REDEEMED, EXPIRED, REVOKED (a rolled-back redemption returns it to ISSUED)
  status        TEXT        NOT NULL,
  -- CLAIM (by the customer) or GRANT (by the merchant's systems)
  channel       TEXT        NOT NULL,
  source        TEXT,
  source_ref    TEXT,
  -- who asked and their Idempotency-Key, e.g. 'customer:<id>|<key>': a retry finds this coupon
  issue_key     TEXT        NOT NULL UNIQUE,
  issued_by     TEXT        NOT NULL,
  valid_from    TIMESTAMPTZ NOT NULL,
  valid_until   TIMESTAMPTZ NOT NULL,
  issued_at     TIMESTAMPTZ NOT NULL,
  redeemed_at   TIMESTAMPTZ,
  expired_at    TIMESTAMPTZ,
  revoked_at    TIMESTAMPTZ,
  revoke_reason TEXT,
  reminded_at   TIMESTAMPTZ
);
CREATE INDEX coupons_coupons_customer_idx ON coupons_coupons (customer_id, id DESC);
CREATE INDEX coupons_coupons_template_idx ON coupons_coupons (template_id, id DESC);
-- the expiry job's work list
CREATE INDEX coupons_coupons_due_idx ON coupons_coupons (valid_until) WHERE status = 'ISSUED';

CREATE TABLE coupons_redemptions
(
  id                UUID PRIMARY KEY,
  coupon_id         UUID        NOT NULL REFERENCES coupons_coupons (id),
  template_id       UUID        NOT NULL,
  customer_id       UUID        NOT NULL,
  order_external_id TEXT        NOT NULL,
  store_id          UUID,
  discount_fen      BIGINT      NOT NULL CHECK (discount_fen >= 0),
  -- ACTIVE, or ROLLED_BACK when the order was cancelled or refunded
  status            TEXT        NOT NULL,
  redeemed_by       TEXT        NOT NULL,
  redeemed_at       TIMESTAMPTZ NOT NULL,
  rolled_back_at    TIMESTAMPTZ,
  rollback_reason   TEXT
);
-- a coupon is redeemed at most once at a time, whatever the order
CREATE UNIQUE INDEX coupons_redemptions_active_idx ON coupons_redemptions (coupon_id) WHERE status = 'ACTIVE';
CREATE INDEX coupons_redemptions_order_idx ON coupons_redemptions (order_external_id);
CREATE INDEX coupons_redemptions_customer_idx ON coupons_redemptions (customer_id, redeemed_at DESC);

-- db-scheduler's table (PostgreSQL schema as the library documents it, 16.x): persistent,
-- cluster-safe scheduled work; first used by the coupon expiry job, shared by later modules.
CREATE TABLE scheduled_tasks
(
  task_name            TEXT                     NOT NULL,
  task_instance        TEXT                     NOT NULL,
  task_data            BYTEA,
  execution_time       TIMESTAMP WITH TIME ZONE,
  picked               BOOLEAN                  NOT NULL,
  picked_by            TEXT,
  last_success         TIMESTAMP WITH TIME ZONE,
  last_failure         TIMESTAMP WITH TIME ZONE,
  consecutive_failures INT,
  last_heartbeat       TIMESTAMP WITH TIME ZONE,
  version              BIGINT                   NOT NULL,
  priority             SMALLINT,
  state                TEXT,
  PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);
