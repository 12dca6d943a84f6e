//! Operator PINs: Argon2id hashes in a local table, escalating delay after
//! wrong PINs, every attempt logged.
//!
//! We use the `argon2` crate's defaults (Argon2id v19, 19 MiB, 2 passes):
//! about 0.1 s on a Raspberry Pi 4, which is unnoticeable at login and makes
//! each guess of a copied hash cost the same.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use jiff::{Timestamp, ToSpan};

use crate::books::{Books, BooksError};
use crate::domain::operator::{normalise_pin, pin_delay_seconds};
use crate::domain::time::format_instant;
use crate::store::queries::{self, OperatorRow};

/// Hashes a (checked) PIN to a PHC string.
pub fn hash_pin(pin: &str) -> Result<String, BooksError> {
    Argon2::default()
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| BooksError::Io {
            path: "argon2".into(),
            detail: e.to_string(),
        })
}

fn pin_matches(phc: &str, pin: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(pin.as_bytes(), &h)
            .is_ok()
    })
}

impl Books {
    /// Checks `pin` for operator `code`. After three wrong PINs in a row the
    /// operator must wait (5 s, doubling to a minute) before the next try;
    /// an attempt during the wait is refused without being checked.
    pub fn authenticate(
        &mut self,
        code: &str,
        pin: &str,
        now: Timestamp,
    ) -> Result<OperatorRow, BooksError> {
        let code = code.trim().to_ascii_uppercase();
        let conn = self.store.conn();
        let op = queries::operator(conn, &code)?
            .ok_or_else(|| BooksError::UnknownOperator { code: code.clone() })?;
        let row = queries::operator_pin(conn, &code)?
            .ok_or_else(|| BooksError::UnknownOperator { code: code.clone() })?;
        let delay = pin_delay_seconds(row.failures);
        if delay > 0
            && let Some(last) = row.last_failure_at
        {
            let until = last.checked_add(delay.seconds()).unwrap_or(last);
            if now < until {
                let wait = (until.as_second() - now.as_second()).max(1);
                return Err(BooksError::TooSoon { wait_seconds: wait });
            }
        }
        let ok = pin_matches(&row.phc, &normalise_pin(pin));
        let at = format_instant(now);
        self.store
            .write(|w| crate::store::auth::record_attempt(w.conn(), &code, &at, ok))?;
        if ok {
            Ok(op)
        } else {
            Err(BooksError::WrongPin {
                wait_seconds: pin_delay_seconds(row.failures + 1),
            })
        }
    }
}
