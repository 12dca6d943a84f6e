-- SQLite's step 0008 (see migrations/0008_coverage.sql): members' ration
-- cards, and the households of each kiosk's PDS lists. The events a lab
-- already held are filled in by the step's hook (`fill_coverage` in
-- src/store/postgres.rs).
ALTER TABLE events ADD COLUMN ration_card text;
ALTER TABLE lab_members ADD COLUMN ration_card text;
CREATE INDEX lab_members_by_card ON lab_members (kiosk, ration_card);
CREATE TABLE lab_households (
    kiosk       text NOT NULL,
    ration_card text NOT NULL,
    village     text NOT NULL,
    women       bigint NOT NULL,
    PRIMARY KEY (kiosk, ration_card)
);
