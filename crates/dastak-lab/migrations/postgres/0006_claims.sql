-- Death claims at the lab (as the SQLite step 0009).
--
-- Claims and the rules they are judged by stay in the events (a district
-- files a handful a month), found through this partial index, which
-- PostgreSQL makes on every month's partition.
CREATE INDEX events_fund ON events (kiosk, seq)
    WHERE kind IN ('claim_filed', 'fund_rules_set');
-- The lab's claim log: one chain over all claims, each entry a signed
-- `Decision` naming the hash of the one before. Append-only: the trigger
-- refuses a change, and a change made around it breaks the chain or a
-- signature (`dastak-lab claims check`).
CREATE TABLE claim_log (
    n      bigint PRIMARY KEY,
    claim  text NOT NULL,
    kiosk  text NOT NULL,
    signed bytea NOT NULL
);
CREATE INDEX claim_log_by_claim ON claim_log (claim, n);
CREATE FUNCTION claim_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the claim log is append-only';
END;
$$;
CREATE TRIGGER claim_log_append_only BEFORE UPDATE OR DELETE ON claim_log
    FOR EACH ROW EXECUTE FUNCTION claim_log_append_only();
