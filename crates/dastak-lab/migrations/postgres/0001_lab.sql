-- The lab's schema on PostgreSQL, in one step: the shape SQLite reached by
-- its steps 0001-0004 (PostgreSQL labs start here). Times are the kiosks'
-- own ISO 8601 text, as on SQLite: a kiosk's clock can lie, and the text
-- is what it claimed. Money is paise in bigint.
CREATE TABLE kiosks (
    code         text PRIMARY KEY,
    public_key   text NOT NULL,
    added_at     text NOT NULL,
    last_contact text
);
-- Events are partitioned by the month their kiosk says they happened in
-- (`month`, the first 7 characters of `at`): a dashboard's month is one
-- partition, and old months can be detached to cheaper storage. Ingest
-- creates a month's partition the first time it sees the month.
--
-- A partitioned table's unique keys must contain the partition key, and a
-- kiosk that sends other content under a number the lab holds may well
-- date it in another month: so (kiosk, seq) is kept unique by
-- `event_keys`, one narrow unpartitioned table that ingest claims first.
CREATE TABLE event_keys (
    kiosk text NOT NULL,
    seq   bigint NOT NULL,
    hash  text NOT NULL,
    PRIMARY KEY (kiosk, seq)
);
CREATE TABLE events (
    kiosk       text NOT NULL,
    seq         bigint NOT NULL,
    hash        text NOT NULL,
    prev        text NOT NULL,
    kind        text NOT NULL,
    at          text NOT NULL,
    month       text NOT NULL,
    canonical   bytea NOT NULL,
    received_at text NOT NULL,
    -- The facts the reports read (see `Facts` in src/store.rs), NULL where
    -- the kind has none.
    panchayat   text,
    receipt     text,
    original    text,
    member_id   text,
    scheme      text,
    amount      bigint,
    close_date  text,
    expected    bigint,
    counted     bigint,
    variance    bigint,
    reason      text,
    village     text,
    PRIMARY KEY (kiosk, seq, month)
) PARTITION BY LIST (month);
-- What a kiosk's clock claimed that is no month at all cannot happen (the
-- shared crate parses every `at`), but a row must never be refused for its
-- partition: such a row lands here.
CREATE TABLE events_other PARTITION OF events DEFAULT;
CREATE TABLE quarantine (
    id          bigserial PRIMARY KEY,
    kiosk       text NOT NULL,
    seq         bigint NOT NULL,
    hash        text NOT NULL,
    canonical   bytea NOT NULL,
    reason      text NOT NULL,
    received_at text NOT NULL,
    UNIQUE (kiosk, seq, hash)
);
CREATE TABLE kiosk_heads (
    kiosk         text PRIMARY KEY,
    through       bigint NOT NULL,
    hash          text NOT NULL,
    last_seq      bigint NOT NULL,
    last_event_at text
);
CREATE TABLE lab_members (
    kiosk     text NOT NULL,
    member_id text NOT NULL,
    village   text NOT NULL,
    PRIMARY KEY (kiosk, member_id)
);
CREATE TABLE daily (
    kiosk      text NOT NULL,
    village    text NOT NULL,
    day        text NOT NULL,
    scheme     text NOT NULL,
    receipts   bigint NOT NULL DEFAULT 0,
    amount     bigint NOT NULL DEFAULT 0,
    reversals  bigint NOT NULL DEFAULT 0,
    reversed   bigint NOT NULL DEFAULT 0,
    enrolments bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (kiosk, village, day, scheme)
);
CREATE INDEX daily_by_day ON daily (day);
