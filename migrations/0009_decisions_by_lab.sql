-- dastak schema v9: the lab's decisions kept by what the lab signed, not by
-- their number. Migrations are only added.
--
-- derived: a decision's `n` is its place in the claim log of the lab that
-- signed it, and a kiosk linked anew to another lab (the demo's kiosk to a
-- real one, a district's lab replaced) gets that lab's entries 1, 2, … too:
-- keyed by `n`, they were taken for ones already held and never recorded.
-- A decision is now known by its signed bytes (the same acknowledgement
-- read again adds nothing) and kept in the order recorded (`seq`).
CREATE TABLE claim_decisions_v9 (
    seq      INTEGER PRIMARY KEY,
    n        INTEGER NOT NULL,
    claim    TEXT NOT NULL REFERENCES claims(claim),
    step     TEXT NOT NULL,
    decision TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO claim_decisions_v9 (seq, n, claim, step, decision)
    SELECT seq, n, claim, step, decision FROM claim_decisions;
DROP TABLE claim_decisions;
ALTER TABLE claim_decisions_v9 RENAME TO claim_decisions;
CREATE INDEX claim_decisions_claim ON claim_decisions(claim, seq);
