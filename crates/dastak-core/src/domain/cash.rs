//! Cash counted at day close: notes by denomination plus loose coins.

use serde::{Deserialize, Serialize};

use crate::domain::digits::parse_count;
use crate::domain::money::{MoneyError, Paise};
use crate::i18n::{Localized, Message, english};

/// Notes in circulation that a village kiosk sees, in rupees, largest first.
pub const NOTES: [u32; 6] = [500, 200, 100, 50, 20, 10];
/// More notes of one kind than this in one drawer is a typing mistake.
pub const MAX_NOTES: u32 = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteCount {
    pub rupees: u32,
    pub count: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashCount {
    pub notes: Vec<NoteCount>,
    pub coins: Paise,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum CashError {
    BadEntry { entry: String },
    UnknownNote { rupees: String },
    BadCount { max: u32 },
    Coins(MoneyError),
    Repeated { rupees: u32 },
}

impl Localized for CashError {
    fn message(&self) -> Message {
        match self {
            CashError::BadEntry { entry } => Message::new("cash.entry").arg("entry", entry),
            CashError::UnknownNote { rupees } => Message::new("cash.note").arg("note", rupees),
            CashError::BadCount { max } => Message::new("cash.count").arg("max", max),
            CashError::Coins(e) => e.message(),
            CashError::Repeated { rupees } => Message::new("cash.repeated").arg("note", rupees),
        }
    }
}

impl CashCount {
    /// Parses `500=3,100=2` (also `500x3`, `500:3`, Devanagari digits).
    pub fn parse_notes(input: &str, coins: &str) -> Result<CashCount, CashError> {
        let mut notes: Vec<NoteCount> = Vec::new();
        for entry in input.split([',', ' ']).filter(|e| !e.trim().is_empty()) {
            let Some((face, count)) = entry.split_once(['=', 'x', 'X', ':', '×']) else {
                return Err(CashError::BadEntry {
                    entry: entry.chars().take(20).collect(),
                });
            };
            let rupees = parse_count(face, 100_000)
                .filter(|r| NOTES.contains(r))
                .ok_or_else(|| CashError::UnknownNote {
                    rupees: face.chars().take(10).collect(),
                })?;
            let count =
                parse_count(count, MAX_NOTES).ok_or(CashError::BadCount { max: MAX_NOTES })?;
            if notes.iter().any(|n| n.rupees == rupees) {
                return Err(CashError::Repeated { rupees });
            }
            notes.push(NoteCount { rupees, count });
        }
        notes.sort_by_key(|n| std::cmp::Reverse(n.rupees));
        let coins = if coins.trim().is_empty() {
            Paise::ZERO
        } else {
            Paise::parse_allow_zero(coins).map_err(CashError::Coins)?
        };
        Ok(CashCount { notes, coins })
    }

    pub fn total(&self) -> Paise {
        let notes: i64 = self
            .notes
            .iter()
            .map(|n| i64::from(n.rupees) * i64::from(n.count) * 100)
            .sum();
        Paise(notes + self.coins.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parse_and_total() {
        let c = CashCount::parse_notes("100=2, ५००x१", "15.50").expect("ok");
        assert_eq!(c.total(), Paise(70_000 + 1550));
        assert_eq!(c.notes[0].rupees, 500);
        assert!(matches!(
            CashCount::parse_notes("300=1", ""),
            Err(CashError::UnknownNote { .. })
        ));
        assert!(matches!(
            CashCount::parse_notes("100=1,100=2", ""),
            Err(CashError::Repeated { .. })
        ));
        assert!(matches!(
            CashCount::parse_notes("100", ""),
            Err(CashError::BadEntry { .. })
        ));
        assert!(matches!(
            CashCount::parse_notes("100=-1", ""),
            Err(CashError::BadCount { .. })
        ));
        assert_eq!(
            CashCount::parse_notes("", "").expect("empty").total(),
            Paise::ZERO
        );
    }
}
