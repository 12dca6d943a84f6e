//! The operators' PIN hashes and the log of every login attempt: local
//! tables, not ledger events (a PIN is never synced, and a failed attempt
//! is no fact of the books).

use rusqlite::{Connection, params};

use crate::store::StoreError;

/// Stores a new PIN hash for `code` (inside the caller's transaction); its
/// count of wrong PINs starts again.
pub fn set_pin(conn: &Connection, code: &str, phc: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO operator_pins (code, phc, failures, last_failure_at) VALUES (?1, ?2, 0, NULL)
         ON CONFLICT (code) DO UPDATE SET phc = excluded.phc, failures = 0, last_failure_at = NULL",
        params![code, phc],
    )?;
    Ok(())
}

/// Logs one login attempt at `at` and counts it: a right PIN clears the
/// count of wrong ones, a wrong one adds to it (inside the caller's
/// transaction).
pub fn record_attempt(conn: &Connection, code: &str, at: &str, ok: bool) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO auth_log (operator, at, ok) VALUES (?1, ?2, ?3)",
        params![code, at, ok],
    )?;
    if ok {
        conn.execute(
            "UPDATE operator_pins SET failures = 0, last_failure_at = NULL WHERE code = ?1",
            [code],
        )?;
    } else {
        conn.execute(
            "UPDATE operator_pins SET failures = failures + 1, last_failure_at = ?2 WHERE code = ?1",
            params![code, at],
        )?;
    }
    Ok(())
}
