-- dastak schema v5: the mutual-aid fund's rules, nominees' shares and death
-- claims. Migrations are only added.

-- derived: each version of a fund scheme's rules (fund_rules_set), in force
-- from `from_date` (never before it). `rules` is the event's JSON of
-- domain::fund::FundRules, read back by the same type.
CREATE TABLE fund_rules (
    seq       INTEGER PRIMARY KEY,
    scheme    TEXT NOT NULL REFERENCES schemes(code),
    from_date TEXT NOT NULL,
    rules     TEXT NOT NULL
) STRICT;

-- derived: a member's nominees with their shares (nominees_set), from
-- `on_date`; a later set replaces an earlier one from its own date.
CREATE TABLE nominee_shares (
    seq       INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    member_id TEXT NOT NULL REFERENCES members(member_id),
    scheme    TEXT NOT NULL,
    on_date   TEXT NOT NULL,
    name      TEXT NOT NULL,
    relation  TEXT NOT NULL,
    share     INTEGER NOT NULL,
    PRIMARY KEY (seq, position)
) STRICT;

-- derived: death claims filed at this kiosk (claim_filed). The bank account
-- is kept as the IFSC, its last four digits and the number sealed to the
-- lab's key: the kiosk cannot read it back. `bars` is the JSON list of the
-- reasons the kiosk found the claim not payable when it was filed.
CREATE TABLE claims (
    claim          TEXT PRIMARY KEY,
    seq            INTEGER NOT NULL,
    member_id      TEXT NOT NULL REFERENCES members(member_id),
    scheme         TEXT NOT NULL,
    died_on        TEXT NOT NULL,
    cause          TEXT NOT NULL,
    certificate    TEXT NOT NULL,
    authority      TEXT NOT NULL,
    claimant       TEXT NOT NULL,
    relation       TEXT NOT NULL,
    phone          TEXT NOT NULL,
    nominee        INTEGER NOT NULL,
    reason         TEXT,
    ifsc           TEXT NOT NULL,
    account_last4  TEXT NOT NULL,
    account_sealed TEXT NOT NULL,
    bars           TEXT NOT NULL,
    attested_by    TEXT NOT NULL,
    by_operator    TEXT NOT NULL,
    filed_at       TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'filed'
) STRICT;
CREATE INDEX claims_member ON claims(member_id, scheme);
