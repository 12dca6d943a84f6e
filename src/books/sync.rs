//! The kiosk's side of sync as use cases: link to a lab (typed, or from a
//! signed file on a stick; admins only), write the unacknowledged batches
//! onto a stick, upload them. The CLI and the console call these; the
//! formats and the transport are [`crate::sync`]'s.

use std::path::Path;

use ed25519_dalek::VerifyingKey;
use jiff::Timestamp;

use crate::books::{Books, BooksError, require_admin};
use crate::store::queries::OperatorRow;
use crate::sync;
pub use crate::sync::{ExportReport, Link, Retry, UploadReport, eject, short_key};

/// How an admin tells the kiosk its lab.
pub enum LinkFrom<'a> {
    /// The lab's age recipient and acknowledgement key, as
    /// `dastak-lab identity` prints them, and its upload address if any.
    Typed {
        recipient: &'a str,
        key: &'a str,
        url: Option<&'a str>,
    },
    /// The signed link file on the stick mounted at this folder, from one
    /// of the labs the settings trust.
    Stick {
        root: &'a Path,
        trusted: &'a [VerifyingKey],
    },
}

impl Books {
    /// Links this kiosk to its lab; only an admin may.
    pub fn link(&mut self, by: &OperatorRow, from: LinkFrom) -> Result<Link, BooksError> {
        require_admin(by)?;
        Ok(match from {
            LinkFrom::Typed {
                recipient,
                key,
                url,
            } => {
                sync::link(&mut self.store, recipient, key, url)?;
                sync::link_info(&self.store)?.ok_or(sync::SyncError::NotLinked)?
            }
            LinkFrom::Stick { root, trusted } => {
                sync::link_from_stick(&mut self.store, root, trusted)?
            }
        })
    }

    /// Writes the batches the lab has not acknowledged onto the stick at
    /// `root`, and takes the lab's acknowledgement from it if one is there.
    pub fn export(&mut self, root: &Path, now: Timestamp) -> Result<ExportReport, BooksError> {
        let key = self.key.clone().ok_or(BooksError::NoKioskKey)?;
        Ok(sync::export(&mut self.store, &key, root, now)?)
    }

    /// Uploads the batches the lab has not acknowledged (to `url`, else the
    /// linked lab's address), retrying as `retry` says.
    pub fn upload(
        &mut self,
        url: Option<&str>,
        retry: Retry,
        now: Timestamp,
    ) -> Result<UploadReport, BooksError> {
        let key = self.key.clone().ok_or(BooksError::NoKioskKey)?;
        Ok(sync::upload(&mut self.store, &key, url, retry, now)?)
    }

    /// Takes the fund statements on the stick at `root`, checked with the
    /// linked lab's key (see [`sync::take_statements`]).
    pub fn take_statements(
        &mut self,
        root: &Path,
        now: Timestamp,
    ) -> Result<(Vec<dastak_core::wire::FundStatement>, usize), BooksError> {
        Ok(sync::take_statements(&mut self.store, root, now)?)
    }

    /// The print reference of the statement of `scheme` for `month`
    /// (YYYY-MM; None: the latest held), when it is held.
    pub fn statement_reference(
        &self,
        scheme: &str,
        month: Option<&str>,
    ) -> Result<String, BooksError> {
        let scheme = scheme.trim().to_ascii_uppercase();
        let conn = self.store.conn();
        let missing = |month: &str| BooksError::NoStatementHeld {
            scheme: scheme.clone(),
            month: month.to_string(),
        };
        let month = match month {
            Some(m) => {
                crate::store::queries::statement(conn, &scheme, m)?.ok_or_else(|| missing(m))?;
                m.to_string()
            }
            None => crate::store::queries::newest_statement_month(conn, &scheme)?
                .ok_or_else(|| missing(""))?,
        };
        Ok(format!("{scheme}-{month}"))
    }

    /// The key of the lab this kiosk is linked to: what its papers (the
    /// fund statement) are checked with.
    pub fn lab_key(&self) -> Result<VerifyingKey, BooksError> {
        let link = sync::link_info(&self.store)?.ok_or(sync::SyncError::NotLinked)?;
        Ok(crate::domain::proof::parse_public_key(&link.ack_key)
            .ok_or(sync::SyncError::BadLabKey)?)
    }

    /// The key a lab paper's proof for `document` (`FUND-2026-11`) is
    /// checked with: the one its statement was checked with when it was
    /// kept, when one is held (the kiosk may have been linked to another
    /// lab since, or, after `dastak demo`, to none), else the linked lab's.
    pub fn paper_key(&self, document: &str) -> Result<VerifyingKey, BooksError> {
        let held = match document.split_once('-') {
            Some((scheme, month)) => {
                crate::store::queries::statement_key(self.store.conn(), scheme, month)?
            }
            None => None,
        };
        match held {
            Some(k) => {
                Ok(crate::domain::proof::parse_public_key(&k).ok_or(sync::SyncError::BadLabKey)?)
            }
            None => self.lab_key(),
        }
    }

    /// The statement held for a proof's document (`FUND-2026-11`), as the
    /// lab signed it.
    pub fn statement_of(
        &self,
        document: &str,
    ) -> Result<Option<dastak_core::wire::FundStatement>, BooksError> {
        let Some((scheme, month)) = document
            .split_once('-')
            .filter(|(_, m)| crate::domain::time::month_start(m).is_some())
        else {
            return Ok(None);
        };
        Ok(
            crate::store::queries::statement(self.store.conn(), scheme, month)?
                .and_then(|s| dastak_core::wire::FundStatement::read_recorded(s.as_bytes()).ok()),
        )
    }
}
