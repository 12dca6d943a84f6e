-- dastak schema v3: the link to the district lab. Migrations are only added.
--
-- local: where this kiosk's batches go (the lab's age recipient and the key
-- its acknowledgements are signed with, and its URL for uploads), and what
-- the lab last acknowledged holding. Events after `acked_through` are
-- pending: they are sent again, by stick or network, until a verified
-- acknowledgement covers them. Nothing is marked sent on sending alone.
CREATE TABLE lab_link (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    recipient     TEXT NOT NULL,
    ack_key       TEXT NOT NULL,
    url           TEXT,
    acked_through INTEGER NOT NULL DEFAULT 0,
    acked_at      TEXT,
    last_sent_at  TEXT
) STRICT;
