-- SQLite's step 0007 (see migrations/0007_enrolments.sql): the facts of
-- schemes, periods, enrolment days and members' names, each kiosk's
-- schemes' dues, and each member's enrolments. The events a lab already
-- held are filled in by the step's hook (`fill_enrolments` in
-- src/store/postgres.rs).
ALTER TABLE events ADD COLUMN frequency text;
ALTER TABLE events ADD COLUMN periods bigint;
ALTER TABLE events ADD COLUMN on_date text;
ALTER TABLE events ADD COLUMN member_name text;
ALTER TABLE lab_members ADD COLUMN name text;
CREATE TABLE lab_schemes (
    kiosk      text NOT NULL,
    scheme     text NOT NULL,
    frequency  text NOT NULL,
    per_period bigint NOT NULL,
    PRIMARY KEY (kiosk, scheme)
);
CREATE TABLE lab_enrolments (
    kiosk       text NOT NULL,
    member_id   text NOT NULL,
    scheme      text NOT NULL,
    village     text NOT NULL,
    enrolled_on text,
    left_on     text,
    periods     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (kiosk, member_id, scheme)
);
