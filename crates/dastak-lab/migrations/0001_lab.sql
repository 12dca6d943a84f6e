-- The lab's first schema. `IF NOT EXISTS`: labs made before the schema
-- was under migrations already hold these tables (at user_version 0), and
-- take this step as a no-op.
CREATE TABLE IF NOT EXISTS kiosks (
    code         TEXT PRIMARY KEY,
    public_key   TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    last_contact TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS events (
    -- Only registered kiosks' batches get this far (their signature was
    -- checked against `kiosks`), so no foreign key is paid for per event.
    kiosk       TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    prev        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    at          TEXT NOT NULL,
    canonical   BLOB NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (kiosk, seq)
) STRICT;
CREATE TABLE IF NOT EXISTS quarantine (
    id          INTEGER PRIMARY KEY,
    kiosk       TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    canonical   BLOB NOT NULL,
    reason      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (kiosk, seq, hash)
) STRICT;
