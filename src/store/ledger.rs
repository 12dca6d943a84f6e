//! Appending to the ledger: sequence numbers, the hash chain, and receipt
//! numbers, all inside the caller's transaction.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::domain::event::{Body, Event, FORMAT_VERSION, GENESIS, KioskInitialised, hash_hex};
use crate::domain::receipt::ReceiptNo;
use crate::domain::time::{FinancialYear, format_instant};
use crate::store::{StoreError, project};

/// Write access inside one transaction. Obtained from [`crate::store::Store::write`].
pub struct Writer<'a> {
    tx: &'a Transaction<'a>,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(tx: &'a Transaction<'a>) -> Writer<'a> {
        Writer { tx }
    }

    /// The transaction, for reads that must see this transaction's writes.
    pub fn conn(&self) -> &rusqlite::Connection {
        self.tx
    }

    /// Appends one event: next sequence number, chained to the previous
    /// event's hash, then projected onto the derived tables.
    pub fn append(&self, at: Timestamp, body: Body) -> Result<Event, StoreError> {
        let last: Option<(u64, String)> = crate::store::row(
            self.tx,
            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
        let kiosk = match &body {
            Body::KioskInitialised(KioskInitialised { kiosk, .. }) => kiosk.clone(),
            _ => crate::store::row(self.tx, "SELECT code FROM kiosk WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(StoreError::NotInitialised)?,
        };
        let (seq, prev) = match last {
            Some((s, h)) => (s + 1, h),
            None => (1, GENESIS.to_string()),
        };
        let event = Event {
            v: FORMAT_VERSION,
            kiosk,
            seq,
            at: format_instant(at),
            prev,
            body,
        };
        let bytes = event.canonical_bytes();
        let hash = hash_hex(&bytes);
        crate::store::exec(
            self.tx,
            "INSERT INTO events (seq, kind, at, canonical, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![seq, event.body.kind(), event.at, bytes, hash],
        )?;
        project::apply(self.tx, &event, &hash)?;
        Ok(event)
    }

    /// Puts a document in the print queue, in this transaction: if the
    /// record commits, so does its place in the queue.
    pub fn queue_print(&self, doc: &str, reference: &str, at: Timestamp) -> Result<(), StoreError> {
        crate::store::exec(
            self.tx,
            "INSERT INTO print_jobs (doc, ref, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (doc, ref) DO NOTHING",
            params![doc, reference, format_instant(at)],
        )?;
        Ok(())
    }

    /// The next receipt number of `fy`. Taken inside the transaction that
    /// will insert it, so two commits can never take the same number and a
    /// rolled-back commit leaves no gap.
    pub fn next_receipt(&self, fy: FinancialYear) -> Result<ReceiptNo, StoreError> {
        let kiosk: String =
            crate::store::row(self.tx, "SELECT code FROM kiosk WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(StoreError::NotInitialised)?;
        let last: Option<u32> = crate::store::row(
            self.tx,
            "SELECT MAX(n) FROM receipts WHERE fy = ?1",
            [fy.0],
            |r| r.get(0),
        )?;
        Ok(ReceiptNo::next(&kiosk, fy, last))
    }
}
