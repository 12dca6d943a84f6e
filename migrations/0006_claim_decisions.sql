-- The lab's decisions on this kiosk's death claims, as its acknowledgements
-- bring them (`claim_decided` events): entry `n` of the lab's claim log,
-- kept as the lab signed it. The claim's `state` follows the last one.
CREATE TABLE claim_decisions (
    n        INTEGER PRIMARY KEY,
    seq      INTEGER NOT NULL,
    claim    TEXT NOT NULL REFERENCES claims(claim),
    step     TEXT NOT NULL,
    decision TEXT NOT NULL
) STRICT;
CREATE INDEX claim_decisions_claim ON claim_decisions(claim, n);
