-- dastak schema v1. Migrations are only ever added, never edited.
--
-- `events` is the ledger: append-only (triggers refuse UPDATE and DELETE),
-- each row the canonical bytes of one event and their SHA-256.
-- Tables marked "derived" are written in the same transaction as the event
-- that causes them and can be rebuilt from the ledger (`dastak verify`).
-- Tables marked "local" are this kiosk's working state and never leave it.

CREATE TABLE events (
    seq       INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL,
    at        TEXT    NOT NULL,
    canonical BLOB    NOT NULL,
    hash      TEXT    NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- derived
CREATE TABLE kiosk (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    code      TEXT NOT NULL,
    panchayat TEXT NOT NULL,
    block     TEXT NOT NULL,
    district  TEXT NOT NULL,
    language  TEXT NOT NULL,
    seq       INTEGER NOT NULL
) STRICT;

-- derived
CREATE TABLE operators (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL,
    language TEXT NOT NULL,
    seq      INTEGER NOT NULL
) STRICT;

-- derived
CREATE TABLE schemes (
    code       TEXT PRIMARY KEY,
    name_hi    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    definition TEXT NOT NULL,
    seq        INTEGER NOT NULL
) STRICT;

-- derived
CREATE TABLE scheme_groups (
    code    TEXT PRIMARY KEY,
    scheme  TEXT NOT NULL REFERENCES schemes(code),
    name    TEXT NOT NULL,
    village TEXT NOT NULL,
    seq     INTEGER NOT NULL
) STRICT;

-- derived
CREATE TABLE households (
    ration_card TEXT PRIMARY KEY,
    village     TEXT NOT NULL,
    seq         INTEGER NOT NULL
) STRICT;
CREATE INDEX households_village ON households(village);

-- derived
CREATE TABLE pds_people (
    ration_card TEXT NOT NULL REFERENCES households(ration_card),
    name        TEXT NOT NULL,
    gender      TEXT NOT NULL,
    age         INTEGER NOT NULL,
    relation    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (ration_card, name, relation)
) STRICT;

-- derived
CREATE TABLE members (
    member_id     TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    name_fold     TEXT NOT NULL,
    relative_name TEXT NOT NULL,
    gender        TEXT NOT NULL,
    birth         TEXT NOT NULL,
    village       TEXT NOT NULL,
    ration_card   TEXT,
    phone         TEXT,
    aadhaar_last4 TEXT,
    aadhaar_hash  TEXT UNIQUE,
    seq           INTEGER NOT NULL
) STRICT;
CREATE INDEX members_ration_card ON members(ration_card);
CREATE INDEX members_phone ON members(phone);

-- derived
CREATE TABLE enrolments (
    member_id        TEXT NOT NULL REFERENCES members(member_id),
    scheme           TEXT NOT NULL REFERENCES schemes(code),
    group_code       TEXT REFERENCES scheme_groups(code),
    enrolled_on      TEXT NOT NULL,
    nominee_name     TEXT,
    nominee_relation TEXT,
    seq              INTEGER NOT NULL,
    PRIMARY KEY (member_id, scheme)
) STRICT;
CREATE INDEX enrolments_group ON enrolments(group_code);

-- derived: every numbered money document, gap-free per financial year
CREATE TABLE receipts (
    receipt_no TEXT PRIMARY KEY,
    fy         INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    seq        INTEGER NOT NULL UNIQUE,
    UNIQUE (fy, n)
) STRICT;

-- derived
CREATE TABLE contributions (
    receipt_no   TEXT PRIMARY KEY REFERENCES receipts(receipt_no),
    member_id    TEXT NOT NULL REFERENCES members(member_id),
    scheme       TEXT NOT NULL REFERENCES schemes(code),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    first_period INTEGER NOT NULL,
    periods      INTEGER NOT NULL CHECK (periods > 0),
    operator     TEXT NOT NULL REFERENCES operators(code),
    at           TEXT NOT NULL,
    seq          INTEGER NOT NULL UNIQUE,
    reversed_by  TEXT
) STRICT;
CREATE INDEX contributions_member ON contributions(member_id, scheme);

-- derived
CREATE TABLE reversals (
    receipt_no TEXT PRIMARY KEY REFERENCES receipts(receipt_no),
    original   TEXT NOT NULL UNIQUE REFERENCES contributions(receipt_no),
    member_id  TEXT NOT NULL,
    scheme     TEXT NOT NULL,
    amount     INTEGER NOT NULL,
    periods    INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    supervisor TEXT NOT NULL REFERENCES operators(code),
    at         TEXT NOT NULL,
    seq        INTEGER NOT NULL UNIQUE
) STRICT;

-- derived
CREATE TABLE day_closes (
    seq         INTEGER PRIMARY KEY,
    close_date  TEXT NOT NULL,
    notes       TEXT NOT NULL,
    coins       INTEGER NOT NULL,
    counted     INTEGER NOT NULL,
    expected    INTEGER NOT NULL,
    variance    INTEGER NOT NULL,
    reason      TEXT,
    through_seq INTEGER NOT NULL,
    prev_close  TEXT NOT NULL,
    hash        TEXT NOT NULL,
    operator    TEXT NOT NULL,
    at          TEXT NOT NULL
) STRICT;

-- local: PIN hashes stay on the kiosk and never enter the ledger, so a
-- batch that reaches the lab carries no credential to brute-force.
CREATE TABLE operator_pins (
    code            TEXT PRIMARY KEY,
    phc             TEXT NOT NULL,
    failures        INTEGER NOT NULL DEFAULT 0,
    last_failure_at TEXT
) STRICT;

-- local: every PIN attempt, right or wrong
CREATE TABLE auth_log (
    id       INTEGER PRIMARY KEY,
    operator TEXT NOT NULL,
    at       TEXT NOT NULL,
    ok       INTEGER NOT NULL
) STRICT;
