-- (kiosk, sequence) kept unique by runs of numbers instead of one row a
-- number. `event_keys` took a row for every event, written at ingest
-- beside the event itself: a sixth of a stick's ingest time, for a key the
-- events' partitions cannot hold. A run is one row for each kiosk's
-- consecutive new numbers in a commit (a stick's day of one kiosk is one
-- run, whatever its size), and the exclusion constraint refuses any run
-- that overlaps one held: still the database, not a lock protocol, that
-- keeps a number from being stored twice. Another process's uncommitted
-- run is waited for, as a unique key's row was.
--
-- btree_gist gives text equality to the GiST index the constraint needs;
-- it ships with PostgreSQL (Debian's postgresql-15) and is trusted, so the
-- database's owner may create it without a superuser.
--
-- The hashes that `event_keys` also held are read from the events
-- themselves (their primary key leads with kiosk and sequence in every
-- month's partition).
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE event_runs (
    kiosk text NOT NULL,
    seqs  int8range NOT NULL,
    EXCLUDE USING gist (kiosk WITH =, seqs WITH &&)
);
-- A lab that held numbers one by one: each kiosk's numbers as runs (an
-- island of consecutive numbers has one value of seq minus its rank).
INSERT INTO event_runs (kiosk, seqs)
SELECT kiosk, int8range(MIN(seq), MAX(seq), '[]')
FROM (SELECT kiosk, seq, seq - row_number() OVER (PARTITION BY kiosk ORDER BY seq) AS island
      FROM event_keys) AS k
GROUP BY kiosk, island;
DROP TABLE event_keys;
