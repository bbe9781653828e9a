-- +goose Up
-- Benefits enrollment (issue 10): employment data on users, pay settings on
-- customers, plans, enrollment windows, dependents and versioned elections.
-- Dates are TEXT YYYY-MM-DD (NULL when unset); money is integer cents.
ALTER TABLE customers ADD COLUMN pay_frequency TEXT NOT NULL DEFAULT 'biweekly';
ALTER TABLE customers ADD COLUMN new_hire_window_days INTEGER NOT NULL DEFAULT 30;

ALTER TABLE users ADD COLUMN hire_date TEXT;
ALTER TABLE users ADD COLUMN employment_status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE users ADD COLUMN date_of_birth TEXT;
ALTER TABLE users ADD COLUMN work_state TEXT NOT NULL DEFAULT '';
CREATE INDEX users_vendor_external ON users (vendor_id, external_id);

-- details holds the JSON payload of events that are not about a connection.
ALTER TABLE webhook_events ADD COLUMN details TEXT NOT NULL DEFAULT '{}';

-- tiers is a JSON list of {tier, employee_monthly_cents, employer_monthly_cents}.
CREATE TABLE benefit_plans (
    id                      TEXT PRIMARY KEY,
    vendor_id               TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    customer_id             TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind                    TEXT NOT NULL,
    name                    TEXT NOT NULL,
    carrier                 TEXT NOT NULL DEFAULT '',
    plan_year_start         TEXT NOT NULL,
    plan_year_end           TEXT NOT NULL,
    network_type            TEXT NOT NULL DEFAULT '',
    deductible_cents        INTEGER NOT NULL DEFAULT 0,
    out_of_pocket_max_cents INTEGER NOT NULL DEFAULT 0,
    copays                  TEXT NOT NULL DEFAULT '{}',
    summary_url             TEXT NOT NULL DEFAULT '',
    currency                TEXT NOT NULL,
    tiers                   TEXT NOT NULL DEFAULT '[]',
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
);
CREATE INDEX benefit_plans_customer ON benefit_plans (customer_id, id);

-- An open-enrollment window is the customer's; a special window is one user's
-- (user_id) and may allow some plan kinds only (plan_kinds, a JSON list).
CREATE TABLE enrollment_windows (
    id              TEXT PRIMARY KEY,
    vendor_id       TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    customer_id     TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('open_enrollment', 'special')),
    user_id         TEXT REFERENCES users (id) ON DELETE CASCADE,
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    plan_year_start TEXT NOT NULL,
    plan_year_end   TEXT NOT NULL,
    plan_kinds      TEXT NOT NULL DEFAULT '[]',
    reason          TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL
);
CREATE INDEX enrollment_windows_customer ON enrollment_windows (customer_id, id);

CREATE TABLE dependents (
    id            TEXT PRIMARY KEY,
    vendor_id     TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    customer_id   TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    relationship  TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX dependents_user ON dependents (user_id, id);

-- One row per version; superseded_by is NULL on the current version of a
-- user's plan kind. dependents is a JSON copy of the covered dependents.
CREATE TABLE elections (
    id                            TEXT PRIMARY KEY,
    vendor_id                     TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    customer_id                   TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    user_id                       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan_kind                     TEXT NOT NULL,
    version                       INTEGER NOT NULL,
    status                        TEXT NOT NULL CHECK (status IN ('submitted', 'waived', 'active', 'terminated')),
    superseded_by                 TEXT,
    plan_id                       TEXT,
    plan_name                     TEXT,
    tier                          TEXT,
    dependents                    TEXT NOT NULL DEFAULT '[]',
    waive_reason                  TEXT,
    employee_monthly_cents        INTEGER NOT NULL DEFAULT 0,
    employer_monthly_cents        INTEGER NOT NULL DEFAULT 0,
    employee_per_pay_period_cents INTEGER NOT NULL DEFAULT 0,
    employer_per_pay_period_cents INTEGER NOT NULL DEFAULT 0,
    currency                      TEXT NOT NULL DEFAULT '',
    plan_year_start               TEXT NOT NULL,
    plan_year_end                 TEXT NOT NULL,
    window_kind                   TEXT NOT NULL,
    effective_date                TEXT,
    end_date                      TEXT,
    attested_name                 TEXT NOT NULL,
    attested_address              TEXT NOT NULL,
    submitted_at                  INTEGER NOT NULL,
    updated_at                    INTEGER NOT NULL,
    UNIQUE (user_id, plan_kind, version)
);
CREATE INDEX elections_vendor ON elections (vendor_id, id);
CREATE INDEX elections_plan ON elections (plan_id);

-- +goose Down
DROP TABLE elections;
DROP TABLE dependents;
DROP TABLE enrollment_windows;
DROP TABLE benefit_plans;
ALTER TABLE webhook_events DROP COLUMN details;
DROP INDEX users_vendor_external;
ALTER TABLE users DROP COLUMN work_state;
ALTER TABLE users DROP COLUMN date_of_birth;
ALTER TABLE users DROP COLUMN employment_status;
ALTER TABLE users DROP COLUMN hire_date;
ALTER TABLE customers DROP COLUMN new_hire_window_days;
ALTER TABLE customers DROP COLUMN pay_frequency;
