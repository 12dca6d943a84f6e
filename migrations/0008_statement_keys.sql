-- dastak schema v8: the key each fund statement was checked with. Migrations
-- are only added.
--
-- local: a statement is checked with the linked lab's key when it comes off
-- a stick; the key is kept beside it so a printed copy can still be checked
-- against it after the kiosk is linked to another lab, or, for the demo's
-- statements, after the demo's made-up lab is unlinked. NULL for those kept
-- before v8: they are checked with the linked lab's key, as they were.
ALTER TABLE fund_statements ADD COLUMN lab_key TEXT;
