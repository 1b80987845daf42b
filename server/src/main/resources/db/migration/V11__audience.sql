-- audience: customer profiles (identity data joined with purchase and engagement facts), tags and
-- tagging rules, subscriptions to topics, segments and their snapshots, consent with its append-only
-- history, suppressed phone numbers, and the contact policy (send windows, holidays, frequency caps,
-- recorded decisions). Customer, store and order ids belong to identity and orders: no foreign key
-- leaves this module. Segments compile to one SQL query over audience_profiles, so the columns a
-- segment filters on live here, narrow, with the indexes the counts need.

CREATE TABLE audience_profiles
(
  customer_id          UUID PRIMARY KEY,
  -- copied from identity (CustomerRegistered / CustomerUpdated), so that a segment is one query
  home_store_id        UUID,
  member_level         TEXT,
  birthday             DATE,
  -- month * 100 + day of the birthday: "birthday in the next N days" is one index lookup
  birthday_md          SMALLINT,
  phone                TEXT,
  registered_at        TIMESTAMPTZ NOT NULL,
  -- the customer's own time zone for quiet hours, when known (else the home store's)
  time_zone            TEXT,
  -- derived from audience_purchases
  first_purchase_at    TIMESTAMPTZ,
  last_purchase_at     TIMESTAMPTZ,
  order_count          INT         NOT NULL DEFAULT 0,
  total_spend_fen      BIGINT      NOT NULL DEFAULT 0,
  favourite_categories TEXT[]      NOT NULL DEFAULT '{}',
  -- engagement
  last_read_at         TIMESTAMPTZ,
  last_click_at        TIMESTAMPTZ,
  updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX audience_profiles_home_store_idx ON audience_profiles (home_store_id);
CREATE INDEX audience_profiles_level_last_purchase_idx ON audience_profiles (member_level, last_purchase_at);
CREATE INDEX audience_profiles_last_purchase_idx ON audience_profiles (last_purchase_at);
CREATE INDEX audience_profiles_spend_idx ON audience_profiles (total_spend_fen);
CREATE INDEX audience_profiles_birthday_idx ON audience_profiles (birthday_md);
CREATE INDEX audience_profiles_phone_idx ON audience_profiles (phone);
-- the facts segments filter on and the contact policy reads, narrow, beside each id: a scan over
-- everyone, a lookup per tagged customer or a chunk of a snapshot (in id order) reads this index
-- alone (index-only) instead of the wider rows
CREATE INDEX audience_profiles_facts_idx ON audience_profiles (customer_id)
  INCLUDE (home_store_id, member_level, first_purchase_at, last_purchase_at, order_count, total_spend_fen, birthday_md,
           time_zone, phone);

-- the lines customers paid for and kept: a projection of the orders module's OrderPaid /
-- OrderCancelled / OrderRefunded events, rebuilt from Orders.purchases when needed
CREATE TABLE audience_purchases
(
  order_id            UUID        NOT NULL,
  line_no             INT         NOT NULL,
  customer_id         UUID        NOT NULL,
  store_id            UUID        NOT NULL,
  category            TEXT,
  product_external_id TEXT        NOT NULL,
  quantity            INT         NOT NULL,
  amount_fen          BIGINT      NOT NULL,
  paid_at             TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
CREATE INDEX audience_purchases_customer_idx ON audience_purchases (customer_id, paid_at);
CREATE INDEX audience_purchases_category_idx ON audience_purchases (category, paid_at) INCLUDE (customer_id, order_id);

-- tags: MANUAL ones are assigned by staff or imported, RULE ones only by their rule
CREATE TABLE audience_tags
(
  id           UUID PRIMARY KEY,
  name         TEXT        NOT NULL,
  kind         TEXT        NOT NULL CHECK (kind IN ('MANUAL', 'RULE')),
  description  TEXT,
  -- the rule's condition (the segment condition language), RULE tags only
  rule         JSONB,
  rule_version INT         NOT NULL DEFAULT 0,
  created_by   TEXT        NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL,
  updated_at   TIMESTAMPTZ NOT NULL,
  CHECK ((kind = 'RULE') = (rule IS NOT NULL))
);
CREATE UNIQUE INDEX audience_tags_name_uq ON audience_tags (lower(name));

CREATE TABLE audience_customer_tags
(
  tag_id      UUID        NOT NULL REFERENCES audience_tags (id) ON DELETE CASCADE,
  customer_id UUID        NOT NULL,
  source      TEXT        NOT NULL CHECK (source IN ('MANUAL', 'IMPORT', 'RULE')),
  assigned_by TEXT        NOT NULL,
  assigned_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (tag_id, customer_id)
);
CREATE INDEX audience_customer_tags_customer_idx ON audience_customer_tags (customer_id);

-- topics a customer follows: 'category:耳饰', 'tag:新款耳钉', 'store:<store id>'
CREATE TABLE audience_subscriptions
(
  customer_id UUID        NOT NULL,
  topic       TEXT        NOT NULL,
  source      TEXT        NOT NULL CHECK (source IN ('WIDGET', 'QR', 'GROUP', 'API', 'STAFF', 'DEMO')),
  created_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (customer_id, topic)
);
CREATE INDEX audience_subscriptions_topic_idx ON audience_subscriptions (topic, customer_id);

CREATE TABLE audience_segments
(
  id          UUID PRIMARY KEY,
  name        TEXT        NOT NULL,
  description TEXT,
  condition   JSONB       NOT NULL,
  created_by  TEXT        NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX audience_segments_name_uq ON audience_segments (lower(name));

-- a segment's members fixed at one moment (a campaign's send list), one per (segment, key)
CREATE TABLE audience_snapshots
(
  id           UUID PRIMARY KEY,
  segment_id   UUID        NOT NULL REFERENCES audience_segments (id) ON DELETE CASCADE,
  key          TEXT        NOT NULL,
  scope_node   UUID,
  member_count BIGINT      NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL,
  UNIQUE (segment_id, key)
);

CREATE TABLE audience_snapshot_members
(
  snapshot_id UUID NOT NULL REFERENCES audience_snapshots (id) ON DELETE CASCADE,
  customer_id UUID NOT NULL,
  PRIMARY KEY (snapshot_id, customer_id)
);

-- consent: the current state per customer, channel and purpose ...
CREATE TABLE audience_consents
(
  customer_id UUID        NOT NULL,
  channel     TEXT        NOT NULL CHECK (channel IN ('IN_APP', 'SMS', 'WEBHOOK')),
  purpose     TEXT        NOT NULL CHECK (purpose IN ('MARKETING', 'TRANSACTIONAL')),
  granted     BOOLEAN     NOT NULL,
  source      TEXT        NOT NULL,
  changed_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (customer_id, channel, purpose)
);
CREATE INDEX audience_consents_channel_idx ON audience_consents (channel, purpose, granted, customer_id);

-- ... and every change of it, who, when and how: the evidence. Append-only (the trigger below).
CREATE TABLE audience_consent_history
(
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id UUID        NOT NULL,
  channel     TEXT        NOT NULL,
  purpose     TEXT        NOT NULL,
  granted     BOOLEAN     NOT NULL,
  -- WIDGET, QR, GROUP, API, STAFF, CHAT_REPLY, SMS_REPLY, LINK, IMPORT, DEMO
  source      TEXT        NOT NULL,
  -- 'customer:<id>', 'staff:<id>', 'api-key:<id>', 'link', 'system'
  actor       TEXT        NOT NULL,
  -- what proves it: the reply's text, the link's client address, the staff's note
  evidence    TEXT,
  at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX audience_consent_history_customer_idx ON audience_consent_history (customer_id, id);

CREATE FUNCTION audience_consent_history_append_only() RETURNS trigger
  LANGUAGE plpgsql AS
$$
BEGIN
  RAISE EXCEPTION 'audience_consent_history is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER audience_consent_history_no_update
  BEFORE UPDATE OR DELETE ON audience_consent_history
  FOR EACH ROW EXECUTE FUNCTION audience_consent_history_append_only();
CREATE TRIGGER audience_consent_history_no_truncate
  BEFORE TRUNCATE ON audience_consent_history
  FOR EACH STATEMENT EXECUTE FUNCTION audience_consent_history_append_only();

-- phone numbers no SMS goes to: after N reported failures, or by hand
CREATE TABLE audience_suppressions
(
  phone         TEXT PRIMARY KEY,
  failures      INT         NOT NULL DEFAULT 0,
  last_reason   TEXT,
  suppressed    BOOLEAN     NOT NULL DEFAULT FALSE,
  suppressed_at TIMESTAMPTZ,
  suppressed_by TEXT,
  note          TEXT,
  updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX audience_suppressions_suppressed_idx ON audience_suppressions (phone) WHERE suppressed;

-- the contact policy per org node (null: inherited from the parent, then the settings)
CREATE TABLE audience_policy_settings
(
  org_node_id  UUID PRIMARY KEY,
  window_start TIME,
  window_end   TIME,
  cap          INT CHECK (cap >= 0),
  cap_days     INT CHECK (cap_days > 0),
  updated_by   TEXT        NOT NULL,
  updated_at   TIMESTAMPTZ NOT NULL,
  CHECK ((window_start IS NULL) = (window_end IS NULL)),
  CHECK (window_start IS NULL OR window_end > window_start)
);

-- holidays: no marketing that day (or only within its own window), for the whole merchant or a subtree
CREATE TABLE audience_holidays
(
  id           UUID PRIMARY KEY,
  day          DATE        NOT NULL,
  org_node_id  UUID,
  name         TEXT        NOT NULL,
  window_start TIME,
  window_end   TIME,
  created_at   TIMESTAMPTZ NOT NULL,
  CHECK ((window_start IS NULL) = (window_end IS NULL)),
  CHECK (window_start IS NULL OR window_end > window_start)
);
CREATE UNIQUE INDEX audience_holidays_day_uq ON audience_holidays (day, coalesce(org_node_id, '00000000-0000-0000-0000-000000000000'));

-- the frequency cap: per customer, the marketing sends still inside the longest window, with the
-- key of the message each was for. One row per customer, updated under its row lock
-- (INSERT ... ON CONFLICT DO UPDATE ... WHERE below the cap), so two senders never share a last slot.
CREATE TABLE audience_frequency
(
  customer_id UUID PRIMARY KEY,
  sends       TIMESTAMPTZ[] NOT NULL,
  keys        TEXT[]        NOT NULL
);

-- every contact-policy decision, with its reason: one row per decided chunk (up to 5,000 customers,
-- an entry per customer at the same position in each array) rather than a row and an index entry
-- per customer, so recording a million decisions is 200 inserts
CREATE TABLE audience_decisions
(
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  decided_at   TIMESTAMPTZ   NOT NULL,
  -- when the messages would go out (the decisions are about that moment)
  at           TIMESTAMPTZ   NOT NULL,
  campaign_key TEXT          NOT NULL,
  channel      TEXT          NOT NULL,
  purpose      TEXT          NOT NULL,
  customers    UUID[]        NOT NULL,
  -- SEND_NOW, DEFER, DROP
  outcomes     TEXT[]        NOT NULL,
  reasons      TEXT[]        NOT NULL,
  defer_until  TIMESTAMPTZ[] NOT NULL,
  CHECK (cardinality(outcomes) = cardinality(customers) AND cardinality(reasons) = cardinality(customers)
         AND cardinality(defer_until) = cardinality(customers))
);
CREATE INDEX audience_decisions_key_idx ON audience_decisions (campaign_key, id);

-- the key that signs one-click unsubscribe links, made once, shared by every node
CREATE TABLE audience_keys
(
  name       TEXT PRIMARY KEY,
  secret     BYTEA       NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
