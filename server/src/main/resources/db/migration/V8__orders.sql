-- orders: orders from the merchant's systems (REST and the signed inbound webhook), their lines priced
-- against the catalog's SKUs, and a timeline of status events ordered by each event's own time.
-- Customer, store and SKU ids belong to identity and catalog; like every module, orders holds no
-- foreign key into another module's tables and checks them through their APIs instead. Lines keep
-- what the SKU was called (and its category) when the order was recorded.

CREATE TABLE orders_orders
(
  id                   UUID PRIMARY KEY,
  -- the merchant's order number
  external_id          TEXT        NOT NULL UNIQUE,
  customer_id          UUID        NOT NULL,
  customer_external_id TEXT        NOT NULL,
  store_id             UUID        NOT NULL,
  currency             TEXT        NOT NULL,
  subtotal_fen         BIGINT      NOT NULL CHECK (subtotal_fen >= 0),
  discount_fen         BIGINT      NOT NULL CHECK (discount_fen >= 0),
  shipping_fen         BIGINT      NOT NULL CHECK (shipping_fen >= 0),
  total_fen            BIGINT      NOT NULL CHECK (total_fen >= 0),
  refunded_fen         BIGINT      NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0),
  coupon_codes         TEXT[]      NOT NULL DEFAULT '{}',
  -- what the timeline says now (a replay of orders_status_events by occurred_at), kept for listings
  status               TEXT        NOT NULL CHECK (status IN ('CREATED', 'PAID', 'SHIPPED', 'OUT_FOR_DELIVERY',
                                                            'DELIVERED', 'CANCELLED', 'REFUNDED')),
  status_at            TIMESTAMPTZ NOT NULL,
  placed_at            TIMESTAMPTZ NOT NULL,
  paid_at              TIMESTAMPTZ,
  carrier              TEXT,
  tracking_number      TEXT,
  -- an ISO date or instant, as the merchant's system gave it
  expected_delivery    TEXT,
  -- DEMO orders are imported history: they publish no events and send no cards
  source               TEXT        NOT NULL CHECK (source IN ('API', 'WEBHOOK', 'DEMO')),
  created_at           TIMESTAMPTZ NOT NULL,
  updated_at           TIMESTAMPTZ NOT NULL,
  CHECK (total_fen = subtotal_fen - discount_fen + shipping_fen),
  CHECK (refunded_fen <= total_fen)
);
CREATE INDEX orders_orders_customer_idx ON orders_orders (customer_id, placed_at DESC, id DESC);
CREATE INDEX orders_orders_store_idx ON orders_orders (store_id, placed_at DESC, id DESC);
CREATE INDEX orders_orders_placed_idx ON orders_orders (placed_at DESC, id DESC);

CREATE TABLE orders_lines
(
  order_id            UUID   NOT NULL REFERENCES orders_orders (id) ON DELETE CASCADE,
  line_no             INT    NOT NULL CHECK (line_no > 0),
  sku_id              UUID   NOT NULL,
  sku_external_id     TEXT   NOT NULL,
  product_id          UUID   NOT NULL,
  product_external_id TEXT   NOT NULL,
  name                TEXT   NOT NULL,
  category            TEXT,
  quantity            INT    NOT NULL CHECK (quantity > 0),
  unit_price_fen      BIGINT NOT NULL CHECK (unit_price_fen >= 0),
  amount_fen          BIGINT NOT NULL CHECK (amount_fen = quantity * unit_price_fen),
  PRIMARY KEY (order_id, line_no)
);
CREATE INDEX orders_lines_sku_idx ON orders_lines (sku_id);

-- every status event reported, late ones too; the first of each (order, event_key) wins
CREATE TABLE orders_status_events
(
  id                UUID PRIMARY KEY,
  order_id          UUID        NOT NULL REFERENCES orders_orders (id) ON DELETE CASCADE,
  -- the webhook's event id, the Idempotency-Key, 'STATUS@occurredAt', or 'created'
  event_key         TEXT        NOT NULL,
  status            TEXT        NOT NULL CHECK (status IN ('CREATED', 'PAID', 'SHIPPED', 'OUT_FOR_DELIVERY',
                                                         'DELIVERED', 'CANCELLED', 'REFUNDED')),
  -- when it happened, by the merchant's clock: the order of the timeline
  occurred_at       TIMESTAMPTZ NOT NULL,
  recorded_at       TIMESTAMPTZ NOT NULL,
  -- whether recording it changed the order's status (false for a late event)
  changed_status    BOOLEAN     NOT NULL,
  carrier           TEXT,
  tracking_number   TEXT,
  expected_delivery TEXT,
  refund_fen        BIGINT CHECK (refund_fen >= 0),
  note              TEXT,
  -- 'api-key:<uuid>', 'staff:<uuid>', 'webhook', 'demo'
  recorded_by       TEXT        NOT NULL,
  UNIQUE (order_id, event_key)
);
CREATE INDEX orders_status_events_order_idx ON orders_status_events (order_id, occurred_at);

-- the event ids of processed webhook deliveries: a replay of one is a no-op
CREATE TABLE orders_webhook_events
(
  event_id          TEXT PRIMARY KEY,
  type              TEXT        NOT NULL,
  order_external_id TEXT,
  received_at       TIMESTAMPTZ NOT NULL
);
