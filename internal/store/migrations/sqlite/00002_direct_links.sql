-- +goose Up
-- Direct-link token ids seen per vendor: a jti is accepted once, then kept
-- until expires_at (at least the replay window) and pruned after.
CREATE TABLE direct_link_jtis (
    vendor_id  TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    jti        TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (vendor_id, jti)
);
CREATE INDEX direct_link_jtis_expires ON direct_link_jtis (expires_at);

-- Ids of revoked access and session tokens, kept until the token would have
-- expired anyway.
CREATE TABLE revoked_tokens (
    token_id   TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX revoked_tokens_expires ON revoked_tokens (expires_at);

-- +goose Down
DROP TABLE revoked_tokens;
DROP TABLE direct_link_jtis;
