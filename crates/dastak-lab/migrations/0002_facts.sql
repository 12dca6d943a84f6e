-- What the lab's reports read, as typed columns of the event's own row,
-- written at ingest by the same INSERT (see `Facts` in src/store.rs): no
-- SQL reads an event's JSON, whose format belongs to dastak-core alone.
-- Columns of the row rather than tables of their own, because ingest
-- writes them for most events and a second INSERT per event cost the lab a
-- fifth of its rate. The migration's hook fills them for the events a lab
-- already held. NULL where the kind has no such fact.

-- kiosk_initialised: the kiosk's panchayat.
ALTER TABLE events ADD COLUMN panchayat TEXT;
-- contribution_taken and contribution_reversed: the receipt's or slip's
-- number, the receipt a slip reverses, the member, the scheme, the amount
-- in paise.
ALTER TABLE events ADD COLUMN receipt TEXT;
ALTER TABLE events ADD COLUMN original TEXT;
ALTER TABLE events ADD COLUMN member_id TEXT;
ALTER TABLE events ADD COLUMN scheme TEXT;
ALTER TABLE events ADD COLUMN amount INTEGER;
-- day_closed: the day, the cash expected and counted, the difference and
-- why (empty when none was given).
ALTER TABLE events ADD COLUMN close_date TEXT;
ALTER TABLE events ADD COLUMN expected INTEGER;
ALTER TABLE events ADD COLUMN counted INTEGER;
ALTER TABLE events ADD COLUMN variance INTEGER;
ALTER TABLE events ADD COLUMN reason TEXT;
