//! Aadhaar numbers: checked on entry, then reduced to what may be kept.
//!
//! A full Aadhaar number never reaches the database, a log or an error
//! message (DESIGN invariant 5). [`Aadhaar::parse`] checks the form and the
//! Verhoeff check digit; [`Aadhaar::reduce`] turns it into an [`AadhaarRef`]:
//! the last four digits (printed on papers, read out to the villager) and an
//! HMAC-SHA256 under the district secret, so that the same person enrolling
//! twice — at this kiosk or, at the lab, at another — is caught without
//! anyone holding the number. The secret lives outside the database so that
//! a copied database alone cannot be brute-forced back to numbers.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::domain::digits::to_ascii_digits;
use crate::i18n::{Localized, Message, english};

/// The Verhoeff multiplication table (dihedral group D5).
const D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
/// The Verhoeff permutation table.
const P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const INV: [u8; 10] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/// True when a string of ASCII digits carries a valid Verhoeff check digit.
pub fn verhoeff_valid(digits: &[u8]) -> bool {
    let mut c = 0u8;
    for (i, d) in digits.iter().rev().enumerate() {
        c = D[c as usize][P[i % 8][*d as usize] as usize];
    }
    c == 0
}

/// The check digit to append to `digits` (each 0–9).
pub fn verhoeff_check_digit(digits: &[u8]) -> u8 {
    let mut c = 0u8;
    for (i, d) in digits.iter().rev().enumerate() {
        c = D[c as usize][P[(i + 1) % 8][*d as usize] as usize];
    }
    INV[c as usize]
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum AadhaarError {
    Empty,
    NotDigits,
    WrongLength { got: usize },
    BadFirstDigit,
    BadChecksum,
}

impl Localized for AadhaarError {
    // No variant carries the number: messages can be shown and logged freely.
    fn message(&self) -> Message {
        match self {
            AadhaarError::Empty => Message::new("aadhaar.empty"),
            AadhaarError::NotDigits => Message::new("aadhaar.not_digits"),
            AadhaarError::WrongLength { got } => Message::new("aadhaar.length").arg("got", got),
            AadhaarError::BadFirstDigit => Message::new("aadhaar.first_digit"),
            AadhaarError::BadChecksum => Message::new("aadhaar.checksum"),
        }
    }
}

/// A checked Aadhaar number, held only in memory for as long as it takes to
/// reduce it. It has no `Display`, and its `Debug` shows the last four only.
#[derive(Clone, PartialEq, Eq)]
pub struct Aadhaar([u8; 12]);

impl fmt::Debug for Aadhaar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Aadhaar(XXXX-XXXX-{})", self.last4())
    }
}

impl Aadhaar {
    /// Accepts 12 digits, Latin or Devanagari, with optional spaces or
    /// hyphens between groups (as printed on the card: `2345 6789 0124`).
    pub fn parse(input: &str) -> Result<Aadhaar, AadhaarError> {
        let ascii = to_ascii_digits(input.trim());
        if ascii.is_empty() {
            return Err(AadhaarError::Empty);
        }
        let mut digits = Vec::with_capacity(12);
        for c in ascii.chars() {
            match c {
                '0'..='9' => digits.push(c as u8 - b'0'),
                ' ' | '-' => {}
                _ => return Err(AadhaarError::NotDigits),
            }
        }
        let arr: [u8; 12] = digits
            .as_slice()
            .try_into()
            .map_err(|_| AadhaarError::WrongLength { got: digits.len() })?;
        if arr[0] < 2 {
            return Err(AadhaarError::BadFirstDigit);
        }
        if !verhoeff_valid(&arr) {
            return Err(AadhaarError::BadChecksum);
        }
        Ok(Aadhaar(arr))
    }

    pub fn last4(&self) -> String {
        self.0[8..].iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// The only form that may be stored.
    pub fn reduce(&self, secret: &DistrictSecret) -> AadhaarRef {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&secret.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        let ascii: Vec<u8> = self.0.iter().map(|d| b'0' + d).collect();
        mac.update(b"dastak-aadhaar-v1:");
        mac.update(&ascii);
        AadhaarRef {
            last4: self.last4(),
            hash: hex::encode(mac.finalize().into_bytes()),
        }
    }
}

/// How an Aadhaar number is shown once reduced: `XXXX-XXXX-0124`.
pub fn masked(last4: &str) -> String {
    format!("XXXX-XXXX-{last4}")
}

/// What is kept of an Aadhaar number: last four digits and a keyed hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AadhaarRef {
    pub last4: String,
    pub hash: String,
}

/// The district's HMAC key for Aadhaar duplicate detection, set at `init`.
#[derive(Clone)]
pub struct DistrictSecret(pub [u8; 32]);

impl fmt::Debug for DistrictSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DistrictSecret(..)")
    }
}

impl DistrictSecret {
    /// Parses 64 hex characters.
    pub fn from_hex(s: &str) -> Option<DistrictSecret> {
        let bytes = hex::decode(s.trim()).ok()?;
        Some(DistrictSecret(bytes.try_into().ok()?))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid 12-digit number from an 11-digit prefix.
    pub(crate) fn with_check(prefix: &str) -> String {
        let d: Vec<u8> = prefix.bytes().map(|b| b - b'0').collect();
        format!("{prefix}{}", verhoeff_check_digit(&d))
    }

    #[test]
    fn verhoeff_known_vector() {
        // The classic example: 236 has check digit 3.
        assert_eq!(verhoeff_check_digit(&[2, 3, 6]), 3);
        assert!(verhoeff_valid(&[2, 3, 6, 3]));
        assert!(!verhoeff_valid(&[2, 3, 6, 4]));
    }

    #[test]
    fn aadhaar_accepts_spaces_and_devanagari_and_hides_itself() {
        let n = with_check("23456789012");
        let spaced = format!("{} {} {}", &n[0..4], &n[4..8], &n[8..12]);
        let a = Aadhaar::parse(&spaced).expect("valid");
        let dev = crate::domain::digits::to_devanagari_digits(&n);
        assert_eq!(Aadhaar::parse(&dev), Ok(a.clone()));
        let debug = format!("{a:?}");
        assert!(
            !debug.contains(&n[..8]),
            "debug output leaks digits: {debug}"
        );
        assert_eq!(a.last4(), n[8..].to_string());
    }

    #[test]
    fn aadhaar_refusals() {
        assert_eq!(Aadhaar::parse(""), Err(AadhaarError::Empty));
        assert_eq!(
            Aadhaar::parse("1234"),
            Err(AadhaarError::WrongLength { got: 4 })
        );
        assert_eq!(Aadhaar::parse("12345678901a"), Err(AadhaarError::NotDigits));
        assert_eq!(
            Aadhaar::parse(&with_check("13456789012")),
            Err(AadhaarError::BadFirstDigit)
        );
        let good = with_check("23456789012");
        let last = good.as_bytes()[11] - b'0';
        let bad = format!("{}{}", &good[..11], (last + 1) % 10);
        assert_eq!(Aadhaar::parse(&bad), Err(AadhaarError::BadChecksum));
    }

    #[test]
    fn reduction_is_keyed() {
        let a = Aadhaar::parse(&with_check("23456789012")).expect("valid");
        let r1 = a.reduce(&DistrictSecret([1; 32]));
        let r2 = a.reduce(&DistrictSecret([2; 32]));
        assert_eq!(r1.last4, r2.last4);
        assert_ne!(r1.hash, r2.hash);
        assert_eq!(r1, a.reduce(&DistrictSecret([1; 32])));
    }
}
