-- +goose Up
-- Appointments (issue 12). A type is offered to one customer or, with a NULL
-- customer_id, to all the vendor's customers; its questions and availability
-- are JSON documents (internal/appointment).
CREATE TABLE appointment_types (
    id               TEXT PRIMARY KEY,
    vendor_id        TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    customer_id      TEXT REFERENCES customers (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    duration_minutes INTEGER NOT NULL,
    mode             TEXT NOT NULL CHECK (mode IN ('video', 'phone', 'in_person')),
    address          TEXT NOT NULL DEFAULT '',
    who_may_book     TEXT NOT NULL CHECK (who_may_book IN ('employee', 'employee_or_dependent')),
    cutoff_minutes   INTEGER NOT NULL,
    questions        TEXT NOT NULL DEFAULT '[]',
    availability     TEXT NOT NULL,
    active           INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX appointment_types_vendor ON appointment_types (vendor_id, id);
CREATE INDEX appointment_types_customer ON appointment_types (customer_id);

-- Slots a vendor pushes for a type whose availability.source is explicit.
CREATE TABLE appointment_slots (
    id       TEXT PRIMARY KEY,
    type_id  TEXT NOT NULL REFERENCES appointment_types (id) ON DELETE CASCADE,
    start_at INTEGER NOT NULL,
    end_at   INTEGER NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    UNIQUE (type_id, start_at)
);

CREATE TABLE appointments (
    id           TEXT PRIMARY KEY,
    vendor_id    TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type_id      TEXT NOT NULL REFERENCES appointment_types (id) ON DELETE CASCADE,
    start_at     INTEGER NOT NULL,
    end_at       INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
    dependent_id TEXT NOT NULL DEFAULT '',
    answers      TEXT NOT NULL DEFAULT '{}',
    sequence     INTEGER NOT NULL DEFAULT 0,
    cancelled_by TEXT NOT NULL DEFAULT '',
    cancelled_at INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX appointments_vendor ON appointments (vendor_id, id);
CREATE INDEX appointments_user ON appointments (user_id, id);
CREATE INDEX appointments_type ON appointments (type_id, start_at);
-- One person holds one booking of a slot: a double-submitted form books once.
CREATE UNIQUE INDEX appointments_once ON appointments (type_id, start_at, user_id, dependent_id) WHERE status = 'booked';

-- The occupancy of slots: a booked appointment holds one seat of its slot,
-- and the primary key lets no seat be held twice, so a slot of capacity n
-- never holds more than n bookings, whatever the concurrency and however
-- many replicas book at once. A booking claims the first free seat number
-- below the capacity (INSERT … ON CONFLICT DO NOTHING); cancelling or
-- rescheduling deletes its seat.
CREATE TABLE appointment_seats (
    type_id        TEXT NOT NULL REFERENCES appointment_types (id) ON DELETE CASCADE,
    start_at       INTEGER NOT NULL,
    seat           INTEGER NOT NULL,
    appointment_id TEXT NOT NULL UNIQUE REFERENCES appointments (id) ON DELETE CASCADE,
    PRIMARY KEY (type_id, start_at, seat)
);

-- +goose Down
DROP TABLE appointment_seats;
DROP TABLE appointments;
DROP TABLE appointment_slots;
DROP TABLE appointment_types;
