-- +goose Up
-- Connections, OAuth flows, webhooks and appearance (issue 4).
-- Secret columns (integrations.client_secret, connections.credentials,
-- oauth_states.code_verifier, webhook_endpoints.secret) hold ciphertexts from
-- internal/seal, each bound to its table, row id and column; NULL is "none".
-- Every table with a secret column has a TEXT id, which key rotation pages by.
CREATE TABLE integrations (
    id            TEXT PRIMARY KEY,
    vendor_id     TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    provider      TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    client_id     TEXT NOT NULL DEFAULT '',
    client_secret TEXT,
    scopes        TEXT NOT NULL DEFAULT '[]',
    config        TEXT NOT NULL DEFAULT '{}',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (vendor_id, key)
);
CREATE INDEX integrations_vendor ON integrations (vendor_id, id);

-- An integration cannot be deleted while connections use it (NO ACTION).
-- refreshable tells, without decrypting, that the credentials hold a refresh
-- token; refresh_owner and refresh_locked_until are the refresh lease.
CREATE TABLE connections (
    id                   TEXT PRIMARY KEY,
    vendor_id            TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    customer_id          TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    integration_id       TEXT NOT NULL REFERENCES integrations (id),
    status               TEXT NOT NULL CHECK (status IN ('disconnected', 'connected', 'error')),
    last_error           TEXT NOT NULL DEFAULT '',
    config               TEXT NOT NULL DEFAULT '{}',
    credentials          TEXT,
    refreshable          INTEGER NOT NULL DEFAULT 0,
    token_expires_at     INTEGER,
    connected_at         INTEGER,
    refresh_owner        TEXT,
    refresh_locked_until INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX connections_vendor ON connections (vendor_id, id);
CREATE INDEX connections_customer ON connections (customer_id, id);
CREATE INDEX connections_integration ON connections (integration_id);
CREATE INDEX connections_refresh ON connections (token_expires_at) WHERE status = 'connected' AND refreshable = 1;

-- Pending OAuth authorizations; the state itself is never stored, only its SHA-256.
CREATE TABLE oauth_states (
    id            TEXT PRIMARY KEY,
    state_hash    BLOB NOT NULL UNIQUE,
    vendor_id     TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    session_id    TEXT NOT NULL,
    code_verifier TEXT,
    redirect_uri  TEXT NOT NULL,
    origin        TEXT NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX oauth_states_expires ON oauth_states (expires_at);
CREATE INDEX oauth_states_connection ON oauth_states (connection_id);

CREATE TABLE webhook_endpoints (
    id         TEXT PRIMARY KEY,
    vendor_id  TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    url        TEXT NOT NULL,
    events     TEXT NOT NULL DEFAULT '[]',
    secret     TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_vendor ON webhook_endpoints (vendor_id, id);

-- The outbox: events are written in the same transaction as the change they
-- report, with one delivery per subscribed endpoint. An event outlives its
-- connection, so connection_id is not a foreign key.
CREATE TABLE webhook_events (
    id            TEXT PRIMARY KEY,
    vendor_id     TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    type          TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    provider      TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX webhook_events_vendor ON webhook_events (vendor_id, id);

-- A delivery is due when pending, next_attempt_at has come and no live lease
-- (lease_until) holds it.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id, id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id);

CREATE TABLE appearances (
    vendor_id     TEXT PRIMARY KEY REFERENCES vendors (id) ON DELETE CASCADE,
    mode          TEXT NOT NULL,
    colors        TEXT NOT NULL DEFAULT '{}',
    font_family   TEXT NOT NULL DEFAULT '',
    border_radius TEXT NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL
);

-- +goose Down
DROP TABLE appearances;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhook_endpoints;
DROP TABLE oauth_states;
DROP TABLE connections;
DROP TABLE integrations;
