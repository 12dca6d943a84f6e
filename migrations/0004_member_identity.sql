-- dastak schema v4: one person, one membership; members change. Migrations
-- are only added.
--
-- derived: each member's identity keys (domain::search::identity_key of the
-- name and of the father's or husband's name), so that "Savitri" and
-- "सावित्री" on one ration card, or the same name and relative anywhere in
-- the kiosk, are found as one person before a second registration. The keys
-- are computed by the application's SQL function identity_key(), which the
-- migration's hook (store.rs) registers and then fills in for rows written
-- before it.
ALTER TABLE members ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN relative_key TEXT NOT NULL DEFAULT '';
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

-- derived: a member may leave a scheme (no dues after the date).
ALTER TABLE enrolments ADD COLUMN left_on TEXT;
ALTER TABLE enrolments ADD COLUMN left_reason TEXT;

-- derived: every change to a member after registration, as the statement
-- shows it: what changed, from what to what (Aadhaar as its last four
-- digits only), why and by whom.
CREATE TABLE member_changes (
    seq         INTEGER NOT NULL,
    member_id   TEXT NOT NULL REFERENCES members(member_id),
    at          TEXT NOT NULL,
    what        TEXT NOT NULL,
    scheme      TEXT,
    old_value   TEXT,
    new_value   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    by_operator TEXT NOT NULL,
    PRIMARY KEY (seq, what)
) STRICT;
CREATE INDEX member_changes_member ON member_changes(member_id);

-- derived: the periods each enrolment has paid (contributions less their
-- reversals), kept as they are written, so that taking a contribution
-- does not add up a member's whole history each time.
ALTER TABLE enrolments ADD COLUMN periods_paid INTEGER NOT NULL DEFAULT 0;
