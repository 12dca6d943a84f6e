-- dastak schema v2: the print queue. Migrations are only ever added.
--
-- local: every document the kiosk owes the paper. A row is written in the
-- same transaction as the record it prints (a receipt, a reversal slip, an
-- enrolment slip, a day-close report), so a record committed just before a
-- power cut or with the printer out of paper is never forgotten: it waits
-- here until it prints. `printed_at` is set only when the printer confirmed
-- the first copy; a later copy of such a document says DUPLICATE.
CREATE TABLE print_jobs (
    id         INTEGER PRIMARY KEY,
    doc        TEXT NOT NULL,
    ref        TEXT NOT NULL,
    created_at TEXT NOT NULL,
    printed_at TEXT,
    copies     INTEGER NOT NULL DEFAULT 0,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (doc, ref)
) STRICT;
CREATE INDEX print_jobs_waiting ON print_jobs(printed_at) WHERE printed_at IS NULL;
