-- Who recorded each event, and what the dashboard's operators and
-- anomalies pages read instead of the events.
--
-- The operator's code (the body's `by`; empty for the kiosk's first
-- event), a typed fact written at ingest like 0002's.
ALTER TABLE events ADD COLUMN operator TEXT;
-- The time the head's event claims: the next event folded is compared
-- with it to find entries dated before the one before them.
ALTER TABLE kiosk_heads ADD COLUMN through_at TEXT;
-- Per kiosk, operator and day (the kiosk's local date): receipts,
-- reversals, registrations, enrolments, clock confirmations, and events
-- dated earlier than the event before them. Folded by ingest with the
-- daily rollup (see `Fold` in src/store.rs).
CREATE TABLE operator_daily (
    kiosk          TEXT NOT NULL,
    operator       TEXT NOT NULL,
    day            TEXT NOT NULL,
    receipts       INTEGER NOT NULL DEFAULT 0,
    reversals      INTEGER NOT NULL DEFAULT 0,
    registrations  INTEGER NOT NULL DEFAULT 0,
    enrolments     INTEGER NOT NULL DEFAULT 0,
    clock_confirms INTEGER NOT NULL DEFAULT 0,
    backdated      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, kiosk, operator)
) STRICT, WITHOUT ROWID;
-- The day closes by their day, so the closes page reads its days and not
-- the whole events table.
CREATE INDEX events_closes ON events (close_date) WHERE kind = 'day_closed';
-- A registered member's Aadhaar reference (last four digits and the
-- district's keyed hash), typed facts like 0002's, and per reference the
-- kiosks and members that hold it: `shared` is set by ingest on every row
-- of a reference once a second kiosk registers it (the anomalies page
-- reads those rows alone).
ALTER TABLE events ADD COLUMN aadhaar_last4 TEXT;
ALTER TABLE events ADD COLUMN aadhaar_hash TEXT;
CREATE TABLE aadhaar_seen (
    hash      TEXT NOT NULL,
    kiosk     TEXT NOT NULL,
    member_id TEXT NOT NULL,
    last4     TEXT NOT NULL,
    village   TEXT NOT NULL,
    shared    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hash, kiosk, member_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX aadhaar_shared ON aadhaar_seen (hash) WHERE shared = 1;
-- The rollups are kept in the order pages read them, by day or month
-- first (a table without rowid is stored in its key's order): a page of
-- the last 30 days reads those days' rows side by side, not one here and
-- one there among a year's. The daily rollup is remade so (0004 keyed it
-- by kiosk first, with an index by day that a page had to follow row by
-- row into the table).
CREATE TABLE daily_new (
    kiosk      TEXT NOT NULL,
    village    TEXT NOT NULL,
    day        TEXT NOT NULL,
    scheme     TEXT NOT NULL,
    receipts   INTEGER NOT NULL DEFAULT 0,
    amount     INTEGER NOT NULL DEFAULT 0,
    reversals  INTEGER NOT NULL DEFAULT 0,
    reversed   INTEGER NOT NULL DEFAULT 0,
    enrolments INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, kiosk, village, scheme)
) STRICT, WITHOUT ROWID;
INSERT INTO daily_new SELECT kiosk, village, day, scheme, receipts, amount, reversals,
                                reversed, enrolments FROM daily;
DROP TABLE daily;
ALTER TABLE daily_new RENAME TO daily;
-- The daily rollup added up by month (the kiosks' local month), kept by
-- ingest beside it: a page of twelve months reads twelve rows per kiosk,
-- village and scheme, not 365. Filled here from the daily rollup.
CREATE TABLE monthly (
    kiosk      TEXT NOT NULL,
    village    TEXT NOT NULL,
    month      TEXT NOT NULL,
    scheme     TEXT NOT NULL,
    receipts   INTEGER NOT NULL DEFAULT 0,
    amount     INTEGER NOT NULL DEFAULT 0,
    reversals  INTEGER NOT NULL DEFAULT 0,
    reversed   INTEGER NOT NULL DEFAULT 0,
    enrolments INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, kiosk, village, scheme)
) STRICT, WITHOUT ROWID;
INSERT INTO monthly (kiosk, village, month, scheme, receipts, amount, reversals, reversed,
                     enrolments)
SELECT kiosk, village, substr(day, 1, 7), scheme, SUM(receipts), SUM(amount), SUM(reversals),
       SUM(reversed), SUM(enrolments)
FROM daily GROUP BY kiosk, village, substr(day, 1, 7), scheme;
