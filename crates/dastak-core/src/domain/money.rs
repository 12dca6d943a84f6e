//! Money: whole paise in storage, `rust_decimal` in arithmetic, never floats.
//!
//! [`Paise::parse`] is the one way typed amounts enter the system: Latin or
//! Devanagari digits, an optional `₹`/`Rs`, Indian or Western commas, at most
//! two decimals. Display is Indian grouping: `₹1,00,000.00`.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::domain::digits::to_ascii_digits;
use crate::i18n::{Localized, Message, english};

/// The largest amount one field may hold: ₹10,00,000 (ten lakh). A single
/// cash contribution at a village kiosk above that is a typing mistake.
pub const MAX_AMOUNT: Paise = Paise(100_000_000);

/// An exact amount of money in paise (1/100 rupee).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Paise(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum MoneyError {
    Empty,
    Negative,
    Zero,
    TooManyDecimals,
    TooLarge,
    NotANumber,
}

impl Localized for MoneyError {
    fn message(&self) -> Message {
        match self {
            MoneyError::Empty => Message::new("money.empty"),
            MoneyError::Negative => Message::new("money.negative"),
            MoneyError::Zero => Message::new("money.zero"),
            MoneyError::TooManyDecimals => Message::new("money.decimals"),
            MoneyError::TooLarge => Message::new("money.too_large").arg("max", MAX_AMOUNT),
            MoneyError::NotANumber => Message::new("money.not_a_number"),
        }
    }
}

impl Paise {
    pub const ZERO: Paise = Paise(0);

    pub fn from_rupees(r: i64) -> Paise {
        Paise(r * 100)
    }

    /// Parses a typed amount that must be more than zero.
    pub fn parse(input: &str) -> Result<Paise, MoneyError> {
        let p = Paise::parse_allow_zero(input)?;
        if p == Paise::ZERO {
            return Err(MoneyError::Zero);
        }
        Ok(p)
    }

    /// Parses a typed amount that may be zero (cash counts, coins).
    pub fn parse_allow_zero(input: &str) -> Result<Paise, MoneyError> {
        let ascii = to_ascii_digits(input.trim());
        let mut s = ascii.as_str();
        for prefix in ["₹", "Rs.", "Rs", "rs.", "rs", "रु.", "रु"] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.trim_start();
                break;
            }
        }
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        if s.starts_with('-') || s.starts_with('\u{2212}') {
            return Err(MoneyError::Negative);
        }
        let cleaned: String = s.chars().filter(|c| *c != ',').collect();
        let (whole, frac) = match cleaned.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (cleaned.as_str(), None),
        };
        let digits_ok = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_ok(whole) || !frac.is_none_or(digits_ok) {
            return Err(MoneyError::NotANumber);
        }
        // A comma must sit between digits ("1,00" fine, ",100" or "100," not).
        if s.starts_with(',') || s.ends_with(',') || s.contains(",,") || s.contains(",.") {
            return Err(MoneyError::NotANumber);
        }
        if frac.is_some_and(|f| f.len() > 2) {
            return Err(MoneyError::TooManyDecimals);
        }
        if whole.trim_start_matches('0').len() > 12 {
            return Err(MoneyError::TooLarge);
        }
        let d = Decimal::from_str(&cleaned).map_err(|_| MoneyError::NotANumber)?;
        let paise = (d * Decimal::ONE_HUNDRED)
            .to_i64()
            .ok_or(MoneyError::TooLarge)?;
        if paise > MAX_AMOUNT.0 {
            return Err(MoneyError::TooLarge);
        }
        Ok(Paise(paise))
    }

    pub fn as_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    pub fn checked_add(self, other: Paise) -> Option<Paise> {
        self.0.checked_add(other.0).map(Paise)
    }

    pub fn checked_sub(self, other: Paise) -> Option<Paise> {
        self.0.checked_sub(other.0).map(Paise)
    }

    pub fn checked_mul(self, n: i64) -> Option<Paise> {
        self.0.checked_mul(n).map(Paise)
    }

    pub fn rupees(self) -> i64 {
        self.0 / 100
    }

    pub fn paise_part(self) -> i64 {
        self.0 % 100
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Indian grouping without the rupee sign: `1,00,000.00`.
    pub fn grouped(self) -> String {
        let abs = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", group_indian(abs / 100), abs % 100)
    }
}

/// Groups a whole number the Indian way: 12,34,56,789.
pub fn group_indian(n: u64) -> String {
    let digits = n.to_string();
    if digits.len() <= 3 {
        return digits;
    }
    let (head, last3) = digits.split_at(digits.len() - 3);
    let mut groups: Vec<&str> = Vec::new();
    let mut end = head.len();
    while end > 0 {
        let start = end.saturating_sub(2);
        groups.push(&head[start..end]);
        end = start;
    }
    groups.reverse();
    format!("{},{}", groups.join(","), last3)
}

impl fmt::Display for Paise {
    /// `₹1,00,000.00`; negative amounts as `-₹50.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}₹{}.{:02}", group_indian(abs / 100), abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_and_devanagari_digits_parse_the_same() {
        assert_eq!(Paise::parse("१००"), Ok(Paise(10000)));
        assert_eq!(Paise::parse("100"), Ok(Paise(10000)));
        assert_eq!(Paise::parse("100.50"), Ok(Paise(10050)));
        assert_eq!(Paise::parse("१००.५०"), Ok(Paise(10050)));
        assert_eq!(Paise::parse("₹1,00,000"), Ok(Paise(10_000_000)));
        assert_eq!(Paise::parse("Rs. 20.5"), Ok(Paise(2050)));
    }

    #[test]
    fn bad_amounts_are_refused_with_a_reason() {
        assert_eq!(Paise::parse(""), Err(MoneyError::Empty));
        assert_eq!(Paise::parse("₹"), Err(MoneyError::Empty));
        assert_eq!(Paise::parse("-5"), Err(MoneyError::Negative));
        assert_eq!(Paise::parse("0"), Err(MoneyError::Zero));
        assert_eq!(Paise::parse("0.00"), Err(MoneyError::Zero));
        assert_eq!(Paise::parse("1.005"), Err(MoneyError::TooManyDecimals));
        assert_eq!(
            Paise::parse("99999999999999999999999"),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(Paise::parse("1000001"), Err(MoneyError::TooLarge));
        assert_eq!(Paise::parse("1e3"), Err(MoneyError::NotANumber));
        assert_eq!(Paise::parse("10 0"), Err(MoneyError::NotANumber));
        assert_eq!(Paise::parse(",100"), Err(MoneyError::NotANumber));
        assert_eq!(
            Paise::parse("'; DROP TABLE events;--"),
            Err(MoneyError::NotANumber)
        );
        assert_eq!(Paise::parse_allow_zero("0"), Ok(Paise::ZERO));
    }

    #[test]
    fn indian_grouping() {
        assert_eq!(Paise(10_000_000).to_string(), "₹1,00,000.00");
        assert_eq!(Paise(5).to_string(), "₹0.05");
        assert_eq!(Paise(-12345).to_string(), "-₹123.45");
        assert_eq!(group_indian(533_263_000), "53,32,63,000");
        assert_eq!(group_indian(999), "999");
        assert_eq!(group_indian(1000), "1,000");
    }
}
