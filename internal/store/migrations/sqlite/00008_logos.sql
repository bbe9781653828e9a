-- +goose Up
-- Logos vendors set on integrations (issues 13–15). A logo's name is the
-- SHA-256 of its bytes and its type's extension, so it never changes and
-- Oriel serves it as an immutable asset at /logos/{name}. Each vendor keeps
-- its own copy, deleted with the vendor or when its last integration drops it.
CREATE TABLE logos (
    vendor_id    TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (vendor_id, name)
);
CREATE INDEX logos_name ON logos (name);
-- The name of the integration's logo, or '' for its provider's monogram.
ALTER TABLE integrations ADD COLUMN logo TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE integrations DROP COLUMN logo;
DROP TABLE logos;
