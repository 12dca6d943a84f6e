-- dastak schema v4: one person, one membership. Migrations are only added.
--
-- derived: each member's identity keys (domain::search::identity_key of the
-- name and of the father's or husband's name), so that "Savitri" and
-- "सावित्री" on one ration card, or the same name and relative anywhere in
-- the kiosk, are found as one person before a second registration. The keys
-- are computed by the application's SQL function identity_key(), which the
-- store registers on every connection before it migrates.
ALTER TABLE members ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN relative_key TEXT NOT NULL DEFAULT '';
UPDATE members SET name_key = identity_key(name), relative_key = identity_key(relative_name);
CREATE INDEX members_identity ON members(name_key, relative_key);

-- derived: a registration that a supervisor let through although it looked
-- like an existing member (namesakes exist), with the reason given.
CREATE TABLE duplicate_overrides (
    member_id   TEXT PRIMARY KEY REFERENCES members(member_id),
    like_member TEXT NOT NULL REFERENCES members(member_id),
    supervisor  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    by_operator TEXT NOT NULL,
    seq         INTEGER NOT NULL
) STRICT;

-- derived: the phonetic key (domain::search::phonetic_key) of each name on
-- the ration-card list, so that the enrol screen's household picker finds
-- "sunita" in सुनीता as the member search does.
ALTER TABLE pds_people ADD COLUMN name_phonetic TEXT NOT NULL DEFAULT '';
UPDATE pds_people SET name_phonetic = phonetic_key(name);
