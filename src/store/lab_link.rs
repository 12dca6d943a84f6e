//! The kiosk's link to its district lab (one row): where batches are
//! sealed to, whose acknowledgements are believed, and how far the lab has
//! acknowledged. Local state, not ledger events.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::store::StoreError;

/// This kiosk's link to its lab.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Link {
    pub recipient: String,
    pub ack_key: String,
    pub url: Option<String>,
    pub acked_through: u64,
    pub acked_at: Option<String>,
    pub last_sent_at: Option<String>,
}

pub fn get(conn: &Connection) -> Result<Option<Link>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT recipient, ack_key, url, acked_through, acked_at, last_sent_at FROM lab_link WHERE id = 1",
            [],
            |r| {
                Ok(Link {
                    recipient: r.get(0)?,
                    ack_key: r.get(1)?,
                    url: r.get(2)?,
                    acked_through: r.get(3)?,
                    acked_at: r.get(4)?,
                    last_sent_at: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// Links to a lab (inside the caller's transaction; the caller checked
/// the keys).
pub fn set(
    conn: &Connection,
    recipient: &str,
    ack_key: &str,
    url: Option<&str>,
) -> Result<(), StoreError> {
    conn.execute(
        // Linked to another lab (another key), the kiosk knows nothing of
        // what that lab holds: start from nothing, so the first answer is
        // not taken for a lab restored from backup.
        "INSERT INTO lab_link (id, recipient, ack_key, url) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET recipient = excluded.recipient,
             ack_key = excluded.ack_key, url = excluded.url,
             acked_through = CASE WHEN lab_link.ack_key = excluded.ack_key
                             THEN lab_link.acked_through ELSE 0 END,
             acked_at = CASE WHEN lab_link.ack_key = excluded.ack_key
                        THEN lab_link.acked_at ELSE NULL END",
        params![recipient, ack_key, url],
    )?;
    Ok(())
}

/// Forgets the link (the demo, whose made-up lab must not stay linked).
pub fn clear(conn: &Connection) -> Result<(), StoreError> {
    conn.execute("DELETE FROM lab_link WHERE id = 1", [])?;
    Ok(())
}

/// The lab holds every event up to `through` (a checked acknowledgement).
pub fn set_acked(conn: &Connection, through: u64, at: &str) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE lab_link SET acked_through = ?1, acked_at = ?2 WHERE id = 1",
        params![through, at],
    )?;
    Ok(())
}

/// Batches were last sent at `at`.
pub fn set_sent(conn: &Connection, at: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE lab_link SET last_sent_at = ?1 WHERE id = 1", [at])?;
    Ok(())
}
