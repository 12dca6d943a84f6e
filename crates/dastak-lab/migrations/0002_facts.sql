-- What the lab's reports read, as typed columns written at ingest in the
-- same transaction as the event (see `Facts` in src/store.rs): no SQL
-- reads an event's JSON, whose format belongs to dastak-core alone. The
-- migration's hook fills these for the events a lab already held.

-- A kiosk's panchayat, from its kiosk_initialised event.
CREATE TABLE places (
    kiosk     TEXT PRIMARY KEY,
    panchayat TEXT NOT NULL
) STRICT;

-- Receipts (original IS NULL) and reversal slips (original: the receipt
-- reversed), at the kiosk's event time.
CREATE TABLE money (
    kiosk     TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    receipt   TEXT NOT NULL,
    original  TEXT,
    member_id TEXT NOT NULL,
    scheme    TEXT NOT NULL,
    amount    INTEGER NOT NULL,
    PRIMARY KEY (kiosk, seq)
) STRICT;
CREATE INDEX money_by_receipt ON money (kiosk, receipt);
CREATE INDEX money_by_original ON money (kiosk, original) WHERE original IS NOT NULL;

-- Day closes: the count against what the books expected.
CREATE TABLE closes (
    kiosk    TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    date     TEXT NOT NULL,
    expected INTEGER NOT NULL,
    counted  INTEGER NOT NULL,
    variance INTEGER NOT NULL,
    reason   TEXT NOT NULL,
    PRIMARY KEY (kiosk, seq)
) STRICT;
