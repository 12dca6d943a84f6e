//! The print queue: every document committed waits here until the printer
//! took it (DESIGN: a receipt only after a durable commit, and never lost
//! to a printer out of paper). Local state, not ledger events.

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::StoreError;

/// One document still waiting, as stored.
pub struct WaitingRow {
    pub doc: String,
    pub reference: String,
    pub created_at: String,
    pub attempts: u32,
    /// The last failure, as the books recorded it (JSON of the print error).
    pub last_error: Option<String>,
}

/// How many documents wait.
pub fn waiting(conn: &Connection) -> Result<u64, StoreError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM print_jobs WHERE printed_at IS NULL",
        [],
        |r| r.get(0),
    )?)
}

/// The documents waiting, oldest first.
pub fn waiting_jobs(conn: &Connection) -> Result<Vec<WaitingRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT doc, ref, created_at, attempts, last_error FROM print_jobs
         WHERE printed_at IS NULL ORDER BY id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(WaitingRow {
                doc: r.get(0)?,
                reference: r.get(1)?,
                created_at: r.get(2)?,
                attempts: r.get(3)?,
                last_error: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Whether a copy of `doc`/`reference` is known to have printed.
pub fn has_printed(conn: &Connection, doc: &str, reference: &str) -> Result<bool, StoreError> {
    let printed: Option<Option<String>> = conn
        .query_row(
            "SELECT printed_at FROM print_jobs WHERE doc = ?1 AND ref = ?2",
            params![doc, reference],
            |r| r.get(0),
        )
        .optional()?;
    Ok(matches!(printed, Some(Some(_))))
}

/// The kind of the first queued document with this reference.
pub fn doc_of(conn: &Connection, reference: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT doc FROM print_jobs WHERE ref = ?1 ORDER BY id LIMIT 1",
            [reference],
            |row| row.get(0),
        )
        .optional()?)
}

/// A copy printed at `at` (the first one marks the document printed).
pub fn record_printed(
    conn: &Connection,
    doc: &str,
    reference: &str,
    at: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE print_jobs SET printed_at = COALESCE(printed_at, ?3), copies = copies + 1,
                attempts = attempts + 1, last_error = NULL
         WHERE doc = ?1 AND ref = ?2",
        params![doc, reference, at],
    )?;
    Ok(())
}

/// A failed attempt; the document keeps waiting.
pub fn record_failure(
    conn: &Connection,
    doc: &str,
    reference: &str,
    error: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE print_jobs SET attempts = attempts + 1, last_error = ?3
         WHERE doc = ?1 AND ref = ?2",
        params![doc, reference, error],
    )?;
    Ok(())
}

/// Everything waiting counts as printed (the demo's synthetic past, handed
/// out on paper long ago).
pub fn mark_all_printed(conn: &Connection) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE print_jobs SET printed_at = created_at, copies = 1 WHERE printed_at IS NULL",
        [],
    )?;
    Ok(())
}
