//! Officers of the district lab: who may log in to the dashboard, what each
//! role may do, how a password is kept and checked, and how many wrong
//! passwords an officer may type before the lab makes her wait.
//!
//! Passwords are kept as Argon2id PHC strings with the `argon2` crate's
//! defaults, as the kiosk keeps operators' PINs. A session is a random
//! token in a cookie; the books keep only its SHA-256, so a copy of the
//! database opens no session. Every form of a session carries that
//! session's CSRF token. Kiosks never use any of this: their endpoints
//! stay authenticated by their keys.

use std::collections::HashMap;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use dastak_core::domain::operator::pin_delay_seconds;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// What an officer may do, each role able to do what the ones before it
/// can: a viewer reads, an officer acts on kiosks' records (acknowledges
/// gaps, verifies claims), an approver decides claims, an admin manages
/// officers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Officer,
    Approver,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Some(Role::Viewer),
            "officer" => Some(Role::Officer),
            "approver" => Some(Role::Approver),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Officer => "officer",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }
}

/// The shortest password the lab takes: officers log in from anywhere a
/// district office's network reaches.
pub const MIN_PASSWORD: usize = 10;
/// Longer than anyone types; bounds the hashing work one request can ask.
pub const MAX_PASSWORD: usize = 128;

/// Hashes a password to its PHC string.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn password_matches(phc: &str, password: &str) -> bool {
    password.len() <= MAX_PASSWORD
        && PasswordHash::new(phc).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
}

/// A fresh random token (a session's cookie, a CSRF token), 32 bytes in
/// hex.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// What the books keep of a session's token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two tokens in time that does not depend on where they differ
/// (`subtle`, which the signature crates already bring).
pub fn same_token(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Wrong passwords per officer name, kept by the running lab: after three
/// in a row each next try waits (5 s doubling to a minute, as the kiosk's
/// PINs). Kept in memory, not in the books: a restart forgets it, which
/// gives a guesser one more free three tries per restart — while each
/// guess still costs an Argon2 hash, and every failure is in the audit
/// log.
#[derive(Debug, Default)]
pub struct Throttle {
    failures: HashMap<String, (u32, Timestamp)>,
}

impl Throttle {
    /// Seconds `name` must still wait before a password is checked.
    pub fn wait(&self, name: &str, now: Timestamp) -> i64 {
        match self.failures.get(name) {
            Some(&(n, last)) => {
                let until = last.as_second() + pin_delay_seconds(n);
                (until - now.as_second()).max(0)
            }
            None => 0,
        }
    }

    pub fn failed(&mut self, name: &str, now: Timestamp) {
        // Bounded: a flood of made-up names cannot grow it without end.
        if self.failures.len() > 10_000 {
            self.failures.clear();
        }
        let e = self.failures.entry(name.to_string()).or_insert((0, now));
        *e = (e.0.saturating_add(1), now);
    }

    pub fn succeeded(&mut self, name: &str) {
        self.failures.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_checked_against_its_hash_only() {
        let phc = hash_password("correct horse").expect("hash");
        assert!(phc.starts_with("$argon2id$"));
        assert!(password_matches(&phc, "correct horse"));
        assert!(!password_matches(&phc, "correct horsf"));
        assert!(!password_matches("not a hash", "correct horse"));
    }

    #[test]
    fn roles_are_ordered_by_what_they_may_do() {
        assert!(Role::Viewer < Role::Officer);
        assert!(Role::Approver < Role::Admin);
        assert_eq!(Role::parse(" Admin "), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn a_fourth_wrong_password_waits_and_a_right_one_clears() {
        let mut t = Throttle::default();
        let now = Timestamp::from_second(1_000_000).expect("ts");
        for _ in 0..3 {
            assert_eq!(t.wait("asha", now), 0);
            t.failed("asha", now);
        }
        assert_eq!(t.wait("asha", now), 5);
        assert_eq!(t.wait("ravi", now), 0);
        t.succeeded("asha");
        assert_eq!(t.wait("asha", now), 0);
    }

    #[test]
    fn tokens_differ_and_compare_exactly() {
        let a = new_token().expect("token");
        let b = new_token().expect("token");
        assert_ne!(a, b);
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &b));
        assert!(!same_token(&a, ""));
    }
}
