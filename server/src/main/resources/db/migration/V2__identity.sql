-- identity: the org tree, staff, customers, sessions, API keys, signing keys and the audit log.

CREATE TABLE identity_org_nodes
(
  id            UUID PRIMARY KEY,
  parent_id     UUID REFERENCES identity_org_nodes (id),
  kind          TEXT        NOT NULL CHECK (kind IN ('HEAD_OFFICE', 'REGION', 'STORE')),
  code          TEXT        NOT NULL,
  name          TEXT        NOT NULL,
  -- materialized path of ids, '/<hq>/<region>/<store>/': a subtree is one prefix scan
  path          TEXT        NOT NULL,
  time_zone     TEXT        NOT NULL,
  city          TEXT,
  opening_hours JSONB       NOT NULL DEFAULT '{}'::jsonb,
  created_at    TIMESTAMPTZ NOT NULL,
  updated_at    TIMESTAMPTZ NOT NULL,
  CHECK ((kind = 'HEAD_OFFICE') = (parent_id IS NULL))
);
CREATE UNIQUE INDEX identity_org_nodes_code_uq ON identity_org_nodes (lower(code));
CREATE UNIQUE INDEX identity_org_nodes_one_head_office ON identity_org_nodes (kind) WHERE kind = 'HEAD_OFFICE';
CREATE INDEX identity_org_nodes_path_idx ON identity_org_nodes (path text_pattern_ops);
CREATE INDEX identity_org_nodes_parent_idx ON identity_org_nodes (parent_id);

CREATE TABLE identity_staff
(
  id                       UUID PRIMARY KEY,
  username                 TEXT        NOT NULL,
  display_name             TEXT        NOT NULL,
  role                     TEXT        NOT NULL CHECK (role IN ('OWNER', 'HQ_MARKETER', 'REGION_MANAGER', 'STORE_MANAGER', 'CLERK')),
  org_node_id              UUID        NOT NULL REFERENCES identity_org_nodes (id),
  phone                    TEXT,
  password_hash            TEXT        NOT NULL,
  password_change_required BOOLEAN     NOT NULL DEFAULT FALSE,
  status                   TEXT        NOT NULL CHECK (status IN ('ACTIVE', 'DISABLED')),
  created_at               TIMESTAMPTZ NOT NULL,
  updated_at               TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX identity_staff_username_uq ON identity_staff (lower(username));
CREATE INDEX identity_staff_org_node_idx ON identity_staff (org_node_id);

CREATE TABLE identity_customers
(
  id            UUID PRIMARY KEY,
  external_id   TEXT        NOT NULL,
  phone         TEXT,
  nickname      TEXT,
  home_store_id UUID REFERENCES identity_org_nodes (id),
  member_level  TEXT,
  birthday      DATE,
  created_at    TIMESTAMPTZ NOT NULL,
  updated_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX identity_customers_external_id_uq ON identity_customers (external_id);
CREATE INDEX identity_customers_home_store_idx ON identity_customers (home_store_id, id);
CREATE INDEX identity_customers_phone_idx ON identity_customers (phone);

-- one row per login (or minted customer/visitor token); access tokens name it, so revoking it is immediate
CREATE TABLE identity_sessions
(
  id                    UUID PRIMARY KEY,
  subject_kind          TEXT        NOT NULL CHECK (subject_kind IN ('STAFF', 'CUSTOMER', 'VISITOR')),
  subject_id            UUID        NOT NULL,
  refresh_hash          BYTEA       NOT NULL,
  previous_refresh_hash BYTEA,
  created_at            TIMESTAMPTZ NOT NULL,
  refreshed_at          TIMESTAMPTZ NOT NULL,
  expires_at            TIMESTAMPTZ NOT NULL,
  revoked_at            TIMESTAMPTZ,
  revoke_reason         TEXT,
  client_ip             TEXT
);
CREATE UNIQUE INDEX identity_sessions_refresh_uq ON identity_sessions (refresh_hash);
CREATE INDEX identity_sessions_previous_refresh_idx ON identity_sessions (previous_refresh_hash);
CREATE INDEX identity_sessions_subject_idx ON identity_sessions (subject_kind, subject_id) WHERE revoked_at IS NULL;

CREATE TABLE identity_api_keys
(
  id           UUID PRIMARY KEY,
  name         TEXT        NOT NULL,
  secret_hash  BYTEA       NOT NULL,
  scopes       TEXT[]      NOT NULL,
  created_by   UUID        NOT NULL REFERENCES identity_staff (id),
  created_at   TIMESTAMPTZ NOT NULL,
  last_used_at TIMESTAMPTZ,
  revoked_at   TIMESTAMPTZ
);

CREATE TABLE identity_signing_keys
(
  id         TEXT PRIMARY KEY,
  secret     BYTEA       NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE identity_audit_log
(
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         TIMESTAMPTZ NOT NULL,
  action     TEXT        NOT NULL,
  actor_kind TEXT,
  actor_id   TEXT,
  subject    TEXT,
  org_path   TEXT,
  client_ip  TEXT,
  detail     JSONB       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX identity_audit_log_at_idx ON identity_audit_log (at DESC);
CREATE INDEX identity_audit_log_action_idx ON identity_audit_log (action, at DESC);

-- one row: facts about this installation (demo loaded, owner bootstrapped)
CREATE TABLE identity_installation
(
  key   TEXT PRIMARY KEY,
  value TEXT        NOT NULL,
  at    TIMESTAMPTZ NOT NULL
);
