-- The dashboard's people, as SQLite's step 0005: officers, sessions (found
-- by the SHA-256 of the cookie; `expires` in Unix seconds) and the
-- append-only audit log.
CREATE TABLE officers (
    name          text PRIMARY KEY,
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('viewer', 'officer', 'approver', 'admin')),
    district      text,
    lang          text NOT NULL DEFAULT 'hi' CHECK (lang IN ('hi', 'en')),
    created_at    text NOT NULL
);
CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    officer    text NOT NULL REFERENCES officers (name),
    csrf       text NOT NULL,
    expires    bigint NOT NULL
);
CREATE TABLE audit (
    id      bigserial PRIMARY KEY,
    at      text NOT NULL,
    officer text NOT NULL,
    action  text NOT NULL,
    detail  text NOT NULL
);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
