-- The dashboard's people: officers who log in, their sessions, and an
-- append-only log of what each did.
--
-- `role` is one of viewer, officer, approver, admin; `district` NULL is
-- the whole state. `lang` is the officer's language for every page.
-- A password is kept only as its Argon2id PHC string.
CREATE TABLE officers (
    name          TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'officer', 'approver', 'admin')),
    district      TEXT,
    lang          TEXT NOT NULL DEFAULT 'hi' CHECK (lang IN ('hi', 'en')),
    created_at    TEXT NOT NULL
) STRICT;
-- A session is found by the SHA-256 of its cookie, so a copy of the
-- database opens no one's session; `csrf` is the token every form of the
-- session must carry. `expires` is in Unix seconds (compared as numbers).
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    officer    TEXT NOT NULL REFERENCES officers (name),
    csrf       TEXT NOT NULL,
    expires    INTEGER NOT NULL
) STRICT;
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    officer TEXT NOT NULL,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL
) STRICT;
-- The audit log is append-only: the database itself refuses to change it.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
