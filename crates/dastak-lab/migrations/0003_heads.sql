-- Per kiosk, what an acknowledgement and the status read, kept by ingest
-- in the same transaction as the events (see `advance_head` in
-- src/store.rs), so that neither scans a kiosk's history: `through`, the
-- last event held with none missing below it, and its hash; `last_seq`,
-- the highest event held (above `through` when there is a gap); and
-- `last_event_at`, the latest time the kiosk's events claim (its clock can
-- lie: this says what it claimed, not when the lab heard of it). The
-- migration's hook fills it for the events a lab already held.
CREATE TABLE kiosk_heads (
    kiosk         TEXT PRIMARY KEY,
    through       INTEGER NOT NULL,
    hash          TEXT NOT NULL,
    last_seq      INTEGER NOT NULL,
    last_event_at TEXT
) STRICT;
