-- catalog: products and SKUs (external ids from the merchant's POS or shop), typed tags, per-store
-- stock kept as an audited ledger of adjustments, low-stock thresholds and alerts, transfers between
-- stores, delivery settings per store, and CSV import jobs with their per-row errors.
-- Store ids are identity's org node ids; like every module, catalog holds no foreign key into
-- another module's tables and checks them through identity's API instead.

CREATE TABLE catalog_products
(
  id             UUID PRIMARY KEY,
  external_id    TEXT        NOT NULL UNIQUE,
  name           TEXT        NOT NULL,
  description    TEXT,
  category       TEXT,
  images         TEXT[]      NOT NULL DEFAULT '{}',
  -- typed tags written 'DIMENSION:value' (OCCASION:中秋, RECIPIENT:老师, STYLE:简约, MATERIAL:银)
  tags           TEXT[]      NOT NULL DEFAULT '{}',
  -- seasonal and limited editions: on sale from launch_at (inclusive) until end_at (exclusive)
  launch_at      TIMESTAMPTZ,
  end_at         TIMESTAMPTZ,
  active         BOOLEAN     NOT NULL DEFAULT TRUE,
  -- [{"kind": "ENGRAVING", "priceFen": 3000, "extraLeadDays": 2}, ...]
  customisations JSONB       NOT NULL DEFAULT '[]',
  created_at     TIMESTAMPTZ NOT NULL,
  updated_at     TIMESTAMPTZ NOT NULL,
  CHECK (launch_at IS NULL OR end_at IS NULL OR end_at > launch_at)
);
CREATE INDEX catalog_products_tags_idx ON catalog_products USING gin (tags);
CREATE INDEX catalog_products_category_idx ON catalog_products (category, id);

CREATE TABLE catalog_skus
(
  id                  UUID PRIMARY KEY,
  external_id         TEXT        NOT NULL UNIQUE,
  product_id          UUID        NOT NULL REFERENCES catalog_products (id),
  -- the variant's own name, e.g. '18K金 16cm'; null when the product has one SKU
  name                TEXT,
  price_fen           BIGINT      NOT NULL CHECK (price_fen >= 0),
  currency            TEXT        NOT NULL DEFAULT 'CNY',
  -- below this many units at a store, the store's managers are alerted (null: never)
  low_stock_threshold INT CHECK (low_stock_threshold >= 0),
  active              BOOLEAN     NOT NULL DEFAULT TRUE,
  -- the import job and file row that last wrote this SKU: a second row of one file with the same
  -- external id is found here without holding the file's ids in memory
  last_import_id      UUID,
  last_import_row     BIGINT,
  created_at          TIMESTAMPTZ NOT NULL,
  updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX catalog_skus_product_idx ON catalog_skus (product_id);

-- one row per SKU and store; on_hand only ever changes together with a catalog_stock_adjustments row
CREATE TABLE catalog_stock
(
  sku_id          UUID        NOT NULL REFERENCES catalog_skus (id),
  store_id        UUID        NOT NULL,
  on_hand         BIGINT      NOT NULL CHECK (on_hand >= 0),
  -- the store's own threshold, overriding the SKU's (null: the SKU's)
  threshold       INT CHECK (threshold >= 0),
  -- true after an alert, until stock is back at or above the threshold: one alert per crossing
  alerted         BOOLEAN     NOT NULL DEFAULT FALSE,
  last_import_id  UUID,
  last_import_row BIGINT,
  updated_at      TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (sku_id, store_id)
);
CREATE INDEX catalog_stock_store_idx ON catalog_stock (store_id, sku_id);

CREATE TABLE catalog_stock_adjustments
(
  id              UUID PRIMARY KEY,
  sku_id          UUID        NOT NULL REFERENCES catalog_skus (id),
  store_id        UUID        NOT NULL,
  delta           BIGINT      NOT NULL,
  on_hand_after   BIGINT      NOT NULL,
  reason          TEXT        NOT NULL CHECK (reason IN ('SALE', 'RECEIPT', 'RETURN', 'COUNT', 'DAMAGE',
                                                         'TRANSFER_OUT', 'TRANSFER_IN')),
  note            TEXT,
  -- who: 'staff:<uuid>', 'api-key:<uuid>', 'import:<job uuid>', 'system'
  actor           TEXT        NOT NULL,
  actor_name      TEXT,
  -- a retried request with the same key applies once
  idempotency_key TEXT UNIQUE,
  transfer_id     UUID,
  import_id       UUID,
  created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX catalog_stock_adjustments_history_idx ON catalog_stock_adjustments (sku_id, store_id, id DESC);

-- the alert cards sent, so a button pressed on one knows what it was about
CREATE TABLE catalog_stock_alerts
(
  id              UUID PRIMARY KEY,
  sku_id          UUID        NOT NULL REFERENCES catalog_skus (id),
  store_id        UUID        NOT NULL,
  level           BIGINT      NOT NULL,
  threshold       INT         NOT NULL,
  -- [{"storeId": "...", "quantity": 10, "onHand": 40}]: the transfers the card offers
  suggestions     JSONB       NOT NULL DEFAULT '[]',
  conversation_id UUID,
  seq             BIGINT,
  created_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX catalog_stock_alerts_message_idx ON catalog_stock_alerts (conversation_id, seq);

CREATE TABLE catalog_transfers
(
  id                UUID PRIMARY KEY,
  sku_id            UUID        NOT NULL REFERENCES catalog_skus (id),
  from_store_id     UUID        NOT NULL,
  to_store_id       UUID        NOT NULL,
  quantity          BIGINT      NOT NULL CHECK (quantity > 0),
  status            TEXT        NOT NULL CHECK (status IN ('REQUESTED', 'APPROVED', 'REJECTED', 'CANCELLED')),
  note              TEXT,
  requested_by      TEXT        NOT NULL,
  requested_by_name TEXT,
  requested_at      TIMESTAMPTZ NOT NULL,
  decided_by        TEXT,
  decided_by_name   TEXT,
  decided_at        TIMESTAMPTZ,
  decision_note     TEXT,
  -- a retried request (or the same card button pressed twice) creates one transfer
  request_key       TEXT UNIQUE,
  -- the approval card in the source store's room
  conversation_id   UUID,
  seq               BIGINT,
  CHECK (from_store_id <> to_store_id)
);
CREATE INDEX catalog_transfers_from_idx ON catalog_transfers (from_store_id, id DESC);
CREATE INDEX catalog_transfers_to_idx ON catalog_transfers (to_store_id, id DESC);

CREATE TABLE catalog_delivery_settings
(
  store_id    UUID PRIMARY KEY,
  lead_days   INT         NOT NULL CHECK (lead_days BETWEEN 0 AND 60),
  cutoff_hour INT         NOT NULL CHECK (cutoff_hour BETWEEN 0 AND 24),
  updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE catalog_import_jobs
(
  id           UUID PRIMARY KEY,
  type         TEXT        NOT NULL CHECK (type IN ('PRODUCTS', 'STOCK')),
  status       TEXT        NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'DONE', 'FAILED')),
  file_name    TEXT,
  encoding     TEXT        NOT NULL,
  bytes        BIGINT      NOT NULL,
  rows_read    BIGINT      NOT NULL DEFAULT 0,
  rows_ok      BIGINT      NOT NULL DEFAULT 0,
  rows_failed  BIGINT      NOT NULL DEFAULT 0,
  error_code   TEXT,
  error_detail TEXT,
  created_by   TEXT        NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL,
  started_at   TIMESTAMPTZ,
  finished_at  TIMESTAMPTZ
);

CREATE TABLE catalog_import_errors
(
  job_id UUID   NOT NULL REFERENCES catalog_import_jobs (id) ON DELETE CASCADE,
  row_no BIGINT NOT NULL,
  field  TEXT   NOT NULL,
  code   TEXT   NOT NULL,
  reason TEXT   NOT NULL,
  PRIMARY KEY (job_id, row_no, field)
);
