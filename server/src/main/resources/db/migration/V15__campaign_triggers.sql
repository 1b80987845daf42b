-- campaign triggers: event-driven messages (a new arrival, a birthday, an order shipped, ...), each a
-- kind with its parameters, participating stores, route and templates; every event a trigger fires on
-- (a firing, once per trigger and event) and every customer it reaches (once per firing), with where
-- they stand. Products, orders, coupons, customers and deliveries belong to other modules: no foreign
-- keys into their tables.

CREATE TABLE campaigns_triggers
(
  id            UUID PRIMARY KEY,
  name          TEXT        NOT NULL,
  -- NEW_ARRIVAL, BIRTHDAY, ORDER_SHIPPED, ORDER_DELIVERED, DAYS_AFTER_PURCHASE, COUPON_EXPIRING
  kind          TEXT        NOT NULL,
  -- MARKETING | TRANSACTIONAL (follows from the kind)
  purpose       TEXT        NOT NULL,
  -- params, stores, route, templates, as checked
  definition    JSONB       NOT NULL,
  -- the lowest org node holding every participating store: who may read and change the trigger
  scope_node_id UUID        NOT NULL,
  scope_path    TEXT        NOT NULL,
  enabled       BOOLEAN     NOT NULL,
  created_by    TEXT        NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL,
  updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX campaigns_triggers_list_idx ON campaigns_triggers (created_at DESC, id DESC);
CREATE INDEX campaigns_triggers_kind_idx ON campaigns_triggers (kind) WHERE enabled;

-- one row per trigger and event (product:<id>, order:<id>, coupon:<id>, birthday:<year>): an event
-- heard twice (a listener run again) finds its firing and adds nobody twice
CREATE TABLE campaigns_trigger_firings
(
  id          UUID PRIMARY KEY,
  trigger_id  UUID        NOT NULL REFERENCES campaigns_triggers (id),
  event_key   TEXT        NOT NULL,
  -- what the messages speak of: template values, an in-app card, webhook data, the speaking store
  subject     JSONB       NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL,
  UNIQUE (trigger_id, event_key)
);

-- one row per firing and customer: the exactly-once guard and the record of every decision
CREATE TABLE campaigns_trigger_recipients
(
  firing_id   UUID        NOT NULL REFERENCES campaigns_trigger_firings (id),
  customer_id UUID        NOT NULL,
  trigger_id  UUID        NOT NULL,
  -- PLANNED (decided at due_at), HANDED_OFF, DEFERRED (decided again at due_at), SKIPPED (with reason)
  status      TEXT        NOT NULL,
  reason      TEXT,
  due_at      TIMESTAMPTZ NOT NULL,
  delivery_id UUID,
  planned_at  TIMESTAMPTZ NOT NULL,
  decided_at  TIMESTAMPTZ,
  PRIMARY KEY (firing_id, customer_id)
);
CREATE INDEX campaigns_trigger_recipients_trigger_idx ON campaigns_trigger_recipients (trigger_id, planned_at, firing_id, customer_id);
-- the periodic run finds the recipients whose time has come (deferred ones, N days after a purchase)
CREATE INDEX campaigns_trigger_recipients_due_idx ON campaigns_trigger_recipients (due_at)
  WHERE status IN ('PLANNED', 'DEFERRED');
