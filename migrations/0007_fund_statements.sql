-- dastak schema v7: the fund's monthly statements. Migrations are only added.
--
-- local: each month's statement of a fund as the district lab signed it
-- (wire::FundStatement's bytes, checked with the linked lab's key when it
-- came off a stick), kept to print and reprint for the notice board. Not
-- ledger events: the kiosk recorded nothing, it holds the lab's paper. The
-- lab may make a month's statement again (a late batch, a payout); the
-- one it made last replaces the one before (`made_at`, the lab's clock).
CREATE TABLE fund_statements (
    scheme      TEXT NOT NULL,
    month       TEXT NOT NULL,
    made_at     TEXT NOT NULL,
    statement   TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (scheme, month)
) STRICT;
