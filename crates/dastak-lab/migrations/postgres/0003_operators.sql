-- SQLite's step 0006 (see migrations/0006_operators.sql): who recorded
-- each event, the time the head's event claims, the operators' rollup,
-- and the day closes indexed by their day. The events a lab already held
-- are filled in by the step's hook (`fill_operators` in
-- src/store/postgres.rs).
ALTER TABLE events ADD COLUMN operator text;
ALTER TABLE kiosk_heads ADD COLUMN through_at text;
CREATE TABLE operator_daily (
    kiosk          text NOT NULL,
    operator       text NOT NULL,
    day            text NOT NULL,
    receipts       bigint NOT NULL DEFAULT 0,
    reversals      bigint NOT NULL DEFAULT 0,
    registrations  bigint NOT NULL DEFAULT 0,
    enrolments     bigint NOT NULL DEFAULT 0,
    clock_confirms bigint NOT NULL DEFAULT 0,
    backdated      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, kiosk, operator)
);
CREATE INDEX events_closes ON events (close_date) WHERE kind = 'day_closed';
-- A registered member's Aadhaar reference (last four digits and the
-- district's keyed hash), typed facts like 0002's, and per reference the
-- kiosks and members that hold it: `shared` is set by ingest on every row
-- of a reference once a second kiosk registers it (the anomalies page
-- reads those rows alone).
ALTER TABLE events ADD COLUMN aadhaar_last4 text;
ALTER TABLE events ADD COLUMN aadhaar_hash text;
CREATE TABLE aadhaar_seen (
    hash      text NOT NULL,
    kiosk     text NOT NULL,
    member_id text NOT NULL,
    last4     text NOT NULL,
    village   text NOT NULL,
    shared    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (hash, kiosk, member_id)
);
CREATE INDEX aadhaar_shared ON aadhaar_seen (hash) WHERE shared = 1;
-- The daily rollup added up by month (the kiosks' local month), kept by
-- ingest beside it: a page of twelve months reads twelve rows per kiosk,
-- village and scheme, not 365. Filled here from the daily rollup.
CREATE TABLE monthly (
    kiosk      text NOT NULL,
    village    text NOT NULL,
    month      text NOT NULL,
    scheme     text NOT NULL,
    receipts   bigint NOT NULL DEFAULT 0,
    amount     bigint NOT NULL DEFAULT 0,
    reversals  bigint NOT NULL DEFAULT 0,
    reversed   bigint NOT NULL DEFAULT 0,
    enrolments bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (month, kiosk, village, scheme)
);
INSERT INTO monthly (kiosk, village, month, scheme, receipts, amount, reversals, reversed,
                     enrolments)
SELECT kiosk, village, substr(day, 1, 7), scheme, SUM(receipts), SUM(amount), SUM(reversals),
       SUM(reversed), SUM(enrolments)
FROM daily GROUP BY kiosk, village, substr(day, 1, 7), scheme;
