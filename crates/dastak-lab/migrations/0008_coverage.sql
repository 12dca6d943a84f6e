-- What the dashboard's coverage page reads instead of the events: the
-- drive's numbers, households reached of households listed.
--
-- A registered member's ration card, a typed fact like 0002's, kept with
-- her in lab_members (by kiosk and card, to find a household's members).
ALTER TABLE events ADD COLUMN ration_card TEXT;
ALTER TABLE lab_members ADD COLUMN ration_card TEXT;
CREATE INDEX lab_members_by_card ON lab_members (kiosk, ration_card);
-- Per kiosk, the households its PDS lists name (`households_imported`;
-- a later list's line for a card replaces an earlier one's): the village,
-- and how many of its people are women of 18 to 60 (who may join an SHG).
-- Written by ingest when the list arrives; filled for the lists a lab
-- already held by this step's hook.
CREATE TABLE lab_households (
    kiosk       TEXT NOT NULL,
    ration_card TEXT NOT NULL,
    village     TEXT NOT NULL,
    women       INTEGER NOT NULL,
    PRIMARY KEY (kiosk, ration_card)
) STRICT, WITHOUT ROWID;
