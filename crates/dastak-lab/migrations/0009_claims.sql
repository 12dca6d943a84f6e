-- Death claims at the lab.
--
-- A claim arrives as a kiosk's `claim_filed` event; the rules it is judged
-- by as `fund_rules_set` events. They are few (a district files a handful
-- a month), so they stay in the events and are found through this partial
-- index instead of being copied into a table of their own.
CREATE INDEX events_fund ON events (kiosk, seq)
    WHERE kind IN ('claim_filed', 'fund_rules_set');
-- The lab's claim log: every step an officer takes on a claim, one chain
-- over all claims (`n` without a gap), each entry the signed bytes of a
-- `Decision` (see crates/dastak-core/src/wire.rs) naming the hash of the
-- one before. Append-only: the triggers refuse a change, and a change made
-- around them breaks the chain or a signature (`dastak-lab claims check`).
CREATE TABLE claim_log (
    n      INTEGER PRIMARY KEY,
    claim  TEXT NOT NULL,
    kiosk  TEXT NOT NULL,
    signed BLOB NOT NULL
) STRICT;
CREATE INDEX claim_log_by_claim ON claim_log (claim, n);
CREATE TRIGGER claim_log_no_update BEFORE UPDATE ON claim_log
BEGIN
    SELECT RAISE(ABORT, 'the claim log is append-only');
END;
CREATE TRIGGER claim_log_no_delete BEFORE DELETE ON claim_log
BEGIN
    SELECT RAISE(ABORT, 'the claim log is append-only');
END;
