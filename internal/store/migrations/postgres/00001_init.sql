-- +goose Up
-- Times are unix microseconds (BIGINT); lists are JSON text.
CREATE TABLE vendors (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    allowed_origins TEXT NOT NULL DEFAULT '[]',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    vendor_id    TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hint         TEXT NOT NULL,
    secret_hash  BYTEA NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_vendor ON api_keys (vendor_id, id);

CREATE TABLE customers (
    id              TEXT PRIMARY KEY,
    vendor_id       TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    external_id     TEXT NOT NULL,
    name            TEXT NOT NULL,
    allowed_origins TEXT NOT NULL DEFAULT '[]',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (vendor_id, external_id)
);
CREATE INDEX customers_vendor ON customers (vendor_id, id);

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    vendor_id   TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    external_id TEXT,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (customer_id, external_id)
);
CREATE INDEX users_customer ON users (customer_id, id);

CREATE TABLE signing_keys (
    id             TEXT PRIMARY KEY,
    vendor_id      TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    kid            TEXT NOT NULL,
    algorithm      TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    UNIQUE (vendor_id, fingerprint)
);
CREATE UNIQUE INDEX signing_keys_kid ON signing_keys (vendor_id, kid) WHERE kid <> '';
CREATE INDEX signing_keys_vendor ON signing_keys (vendor_id, id);

CREATE TABLE idempotency_keys (
    vendor_id    TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash BYTEA NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    body         BYTEA,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (vendor_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE signing_keys;
DROP TABLE users;
DROP TABLE customers;
DROP TABLE api_keys;
DROP TABLE vendors;
