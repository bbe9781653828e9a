-- +goose Up
-- Qualifying life events (issue 11): per-customer rules by event type, the
-- events employees report, their supporting documents (sealed, in chunks)
-- and, on enrollment windows, when the closed event was recorded.
CREATE TABLE life_event_rules (
    customer_id       TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    type              TEXT NOT NULL,
    lookback_days     INTEGER NOT NULL,
    document_required INTEGER NOT NULL,
    window_days       INTEGER NOT NULL,
    plan_kinds        TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (customer_id, type)
);

CREATE TABLE life_events (
    id           TEXT PRIMARY KEY,
    vendor_id    TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type         TEXT NOT NULL,
    event_date   TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'denied', 'withdrawn')),
    deny_reason  TEXT NOT NULL DEFAULT '',
    window_id    TEXT REFERENCES enrollment_windows (id) ON DELETE SET NULL,
    submitted_at INTEGER NOT NULL,
    decided_at   INTEGER,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX life_events_vendor ON life_events (vendor_id, id);
CREATE INDEX life_events_user ON life_events (user_id, id);

-- A document is uploaded before the event it supports is submitted
-- (event_id NULL until then); complete is 0 while its chunks are written.
CREATE TABLE life_event_documents (
    id           TEXT PRIMARY KEY,
    vendor_id    TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id     TEXT REFERENCES life_events (id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL DEFAULT 0,
    chunks       INTEGER NOT NULL DEFAULT 0,
    complete     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);
CREATE INDEX life_event_documents_event ON life_event_documents (event_id);
CREATE INDEX life_event_documents_user ON life_event_documents (user_id, id);

-- One row per chunk of a document; id is "<document id>:<index>", so the
-- sealed data is bound to its document and place.
CREATE TABLE life_event_document_chunks (
    id          TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES life_event_documents (id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    data        TEXT NOT NULL,
    UNIQUE (document_id, idx)
);

ALTER TABLE enrollment_windows ADD COLUMN closed_recorded_at INTEGER;

-- +goose Down
ALTER TABLE enrollment_windows DROP COLUMN closed_recorded_at;
DROP TABLE life_event_document_chunks;
DROP TABLE life_event_documents;
DROP TABLE life_events;
DROP TABLE life_event_rules;
