-- What the dashboard's expected dues, arrears and defaulters list read
-- instead of the events.
--
-- Typed facts like 0002's: a scheme's frequency (`monthly`, `weekly`;
-- its dues a period are in `amount`), the periods a contribution paid or
-- a reversal took back, the day of an enrolment or of leaving a scheme,
-- and a registered member's name (for the defaulters list a field worker
-- takes along).
ALTER TABLE events ADD COLUMN frequency TEXT;
ALTER TABLE events ADD COLUMN periods INTEGER;
ALTER TABLE events ADD COLUMN on_date TEXT;
ALTER TABLE events ADD COLUMN member_name TEXT;
ALTER TABLE lab_members ADD COLUMN name TEXT;
-- Per kiosk, its schemes' dues as its `scheme_defined` events say.
CREATE TABLE lab_schemes (
    kiosk      TEXT NOT NULL,
    scheme     TEXT NOT NULL,
    frequency  TEXT NOT NULL,
    per_period INTEGER NOT NULL,
    PRIMARY KEY (kiosk, scheme)
) STRICT, WITHOUT ROWID;
-- Per member and scheme: her village, the day she joined (the latest
-- time), the day she left (NULL while she is in), and the periods paid
-- less those taken back. Kept by ingest as the head moves (see `Fold` in
-- src/store.rs); filled for the events a lab held by this step's hook.
CREATE TABLE lab_enrolments (
    kiosk       TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    scheme      TEXT NOT NULL,
    village     TEXT NOT NULL,
    enrolled_on TEXT,
    left_on     TEXT,
    periods     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kiosk, member_id, scheme)
) STRICT, WITHOUT ROWID;
