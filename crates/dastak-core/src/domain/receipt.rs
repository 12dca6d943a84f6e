//! Receipt numbers: `<KIOSK>/<FY>/<seq>`, e.g. `RMP01/2026-27/000042`.
//!
//! The sequence is gap-free per kiosk and financial year. This module only
//! names and parses numbers; the store assigns the next one inside the
//! transaction that commits the record, which is what makes it gap-free.
//! Reversal slips take numbers from the same series: every printed money
//! document of a year is one unbroken run an auditor can count.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::text;
use crate::domain::time::FinancialYear;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ReceiptNo {
    pub kiosk: String,
    pub fy: FinancialYear,
    pub n: u32,
}

impl ReceiptNo {
    /// The number after `last` in `fy` (1 when the year has none yet).
    pub fn next(kiosk: &str, fy: FinancialYear, last: Option<u32>) -> ReceiptNo {
        ReceiptNo {
            kiosk: kiosk.to_string(),
            fy,
            n: last.unwrap_or(0) + 1,
        }
    }

    /// Parses `RMP01/2026-27/42` or `RMP01/2026-27/000042`, any case.
    pub fn parse(s: &str) -> Option<ReceiptNo> {
        let mut parts = s.trim().split('/');
        let kiosk = text::code(parts.next()?).ok()?;
        let fy = FinancialYear::parse(parts.next()?)?;
        let seq = crate::domain::digits::to_ascii_digits(parts.next()?);
        if parts.next().is_some()
            || seq.is_empty()
            || seq.len() > 9
            || !seq.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let n: u32 = seq.parse().ok()?;
        (n > 0).then_some(ReceiptNo { kiosk, fy, n })
    }
}

impl fmt::Display for ReceiptNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{:06}", self.kiosk, self.fy, self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_numbers_round_trip() {
        let r = ReceiptNo::next("RMP01", FinancialYear(2026), Some(41));
        assert_eq!(r.to_string(), "RMP01/2026-27/000042");
        assert_eq!(ReceiptNo::parse("rmp01/2026-27/42"), Some(r.clone()));
        assert_eq!(ReceiptNo::parse(&r.to_string()), Some(r));
        assert_eq!(ReceiptNo::parse("RMP01/2026-27/0"), None);
        assert_eq!(ReceiptNo::parse("RMP01/2026/1"), None);
        assert_eq!(ReceiptNo::parse("RMP01/2026-27/1/2"), None);
    }
}
