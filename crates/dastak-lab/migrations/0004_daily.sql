-- What a dashboard reads instead of the events: per kiosk, village, day
-- and scheme, the receipts and their amount, the reversals and theirs, and
-- the enrolments. Folded by ingest in the same transaction as the events,
-- as the kiosk's head moves over them (see `fold` in src/store.rs): only
-- the events held without a gap below them are counted, in the kiosk's own
-- order, so a member's village is always known by the time her money is
-- (her registration comes before it in the chain). Events held above a gap
-- are counted when the gap is filled. The day is the kiosk's local date of
-- the event (its clock can lie: this is the day it claimed).
--
-- A member's village, from her registration (the typed fact `village` of
-- her `member_registered` event, written at ingest like 0002's).
ALTER TABLE events ADD COLUMN village TEXT;
CREATE TABLE lab_members (
    kiosk     TEXT NOT NULL,
    member_id TEXT NOT NULL,
    village   TEXT NOT NULL,
    PRIMARY KEY (kiosk, member_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE daily (
    kiosk      TEXT NOT NULL,
    village    TEXT NOT NULL,
    day        TEXT NOT NULL,
    scheme     TEXT NOT NULL,
    receipts   INTEGER NOT NULL DEFAULT 0,
    amount     INTEGER NOT NULL DEFAULT 0,
    reversals  INTEGER NOT NULL DEFAULT 0,
    reversed   INTEGER NOT NULL DEFAULT 0,
    enrolments INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kiosk, village, day, scheme)
) STRICT, WITHOUT ROWID;
CREATE INDEX daily_by_day ON daily (day);
