//! The fund statement's arithmetic, kept apart from where its figures are
//! read: the lab reckons it from its rollups and its claim log, and
//! `dastak demo`'s made-up lab from the one kiosk it has, and the two must
//! add up the same way. No IO: the caller digests its books into
//! [`MonthTotal`]s, [`ClaimHistory`]s and the standings, and gets back the
//! unsigned [`FundStatement`].
//!
//! What the numbers are, decided here:
//! - *collected* is the month's contributions less what reversals in the
//!   month gave back (each by the kiosk's local date); what came in before
//!   the month opens it;
//! - *payouts* are the transfers recorded as paid in the month (by the day
//!   paid), and a payout before the month comes off the opening; the *fee*
//!   is what the rules kept back from those claims' benefit. The fee stays
//!   in the fund (it pays its running, which the fund does not record yet),
//!   so it is shown and not taken off: closing = opening + collected −
//!   payouts;
//! - a claim's name is masked to a first name and an initial (the paper
//!   goes up in public), and no amount is shown before the lab decides one.

use jiff::civil::Date;

use crate::domain::fund::{RuleBook, payout};
use crate::domain::money::Paise;
use crate::domain::person::masked_name;
use crate::domain::time::month_code;
use crate::wire::{FundStatement, StandingCounts, StatementClaim, Step};

/// One kiosk's (or the whole fund's) takings of the scheme in one month:
/// rows of the same month add up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthTotal {
    /// YYYY-MM.
    pub month: String,
    /// Contributions less reversals.
    pub net: Paise,
    pub receipts: u64,
    pub reversals: u64,
}

/// One claim of the scheme as the statement reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimHistory {
    pub claim: String,
    /// The member's full name (masked on the paper).
    pub name: String,
    pub village: String,
    pub died_on: Date,
    /// The kiosk's local day it was filed, when known.
    pub filed_on: Option<Date>,
    /// The lab's steps in order, each with the local day it was decided.
    pub steps: Vec<(Option<Date>, Step)>,
    /// What the rules in force on the day of death keep from the benefit.
    pub fee: Paise,
}

impl ClaimHistory {
    /// Whether the claim records the member's death by `day`: a rejected
    /// claim records none (the death may not have been).
    pub fn records_death_by(&self, day: Date) -> bool {
        self.died_on <= day
            && !self
                .steps
                .iter()
                .any(|(_, s)| matches!(s, Step::Rejected { .. }))
    }
}

/// The fee the rules in force on the day of death keep from the benefit.
pub fn fee(book: &RuleBook, died_on: Date) -> Paise {
    // One nominee at 100 % cannot be refused by `payout`.
    payout(book, died_on, &[100])
        .map(|p| p.fee)
        .unwrap_or_default()
}

/// The statement of `scheme` for the month starting `first`, standing at
/// `as_of` (its last day, or the day it is made), made at `at` (RFC 3339),
/// with `members` counted by the caller on `as_of`. `months` may hold any
/// months: those after the statement's are left out.
pub fn reckon(
    scheme: &str,
    first: Date,
    as_of: Date,
    at: &str,
    months: &[MonthTotal],
    claims: &[ClaimHistory],
    members: StandingCounts,
) -> FundStatement {
    let code = month_code(first);
    let in_month = |d: Date| d >= first && d <= as_of;

    let (mut opening, mut collected, mut receipts, mut reversals) = (0i64, 0i64, 0, 0);
    for m in months {
        if m.month == code {
            collected += m.net.0;
            receipts += m.receipts;
            reversals += m.reversals;
        } else if m.month < code {
            opening += m.net.0;
        }
    }

    let mut lines = Vec::new();
    let (mut payouts, mut fees) = (0i64, 0i64);
    for c in claims {
        let line = |step: &str, on: Date, amount: Paise| StatementClaim {
            claim: c.claim.clone(),
            name: masked_name(&c.name),
            village: c.village.clone(),
            step: step.to_string(),
            on,
            amount,
        };
        if let Some(on) = c.filed_on.filter(|d| in_month(*d)) {
            lines.push(line("filed", on, Paise(0)));
        }
        for (decided, step) in &c.steps {
            let decided = decided.filter(|d| in_month(*d));
            match step {
                Step::Approved { amount } => {
                    if let Some(on) = decided {
                        lines.push(line("approved", on, *amount));
                    }
                }
                Step::Rejected { .. } => {
                    if let Some(on) = decided {
                        lines.push(line("rejected", on, Paise(0)));
                    }
                }
                Step::Paid { amount, on, .. } => {
                    if *on < first {
                        opening -= amount.0;
                    } else if in_month(*on) {
                        payouts += amount.0;
                        fees += c.fee.0;
                        lines.push(line("paid", *on, *amount));
                    }
                }
                _ => {}
            }
        }
    }
    lines.sort_by(|a, b| a.on.cmp(&b.on).then(a.claim.cmp(&b.claim)));

    FundStatement {
        v: FundStatement::VERSION,
        closing: Paise(opening + collected - payouts),
        scheme: scheme.to_string(),
        month: code,
        as_of,
        at: at.to_string(),
        members,
        collected: Paise(collected),
        receipts,
        reversals,
        claims: lines,
        payouts: Paise(payouts),
        fees: Paise(fees),
        opening: Paise(opening),
        qr: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn month(m: &str, net: i64, receipts: u64, reversals: u64) -> MonthTotal {
        MonthTotal {
            month: m.to_string(),
            net: Paise(net),
            receipts,
            reversals,
        }
    }

    fn paid_claim() -> ClaimHistory {
        ClaimHistory {
            claim: "K1-C0001".into(),
            name: "सुनीता देवी".into(),
            village: "रामपुर".into(),
            died_on: d("2026-10-20"),
            filed_on: Some(d("2026-10-25")),
            steps: vec![
                (
                    Some(d("2026-11-02")),
                    Step::Approved {
                        amount: Paise(9_500_000),
                    },
                ),
                (
                    Some(d("2026-11-03")),
                    Step::Paid {
                        amount: Paise(9_500_000),
                        on: d("2026-11-03"),
                        bank_ref: "UTR1".into(),
                        parts: Vec::new(),
                    },
                ),
            ],
            fee: Paise(500_000),
        }
    }

    #[test]
    fn the_closing_balance_is_opening_plus_collected_less_payouts() {
        let months = [
            month("2026-09", 4_000_000, 400, 0),
            month("2026-10", 5_000_000, 500, 1),
            month("2026-10", 1_000_000, 100, 0),
            month("2026-11", 6_000_000, 600, 2),
            month("2026-12", 7_000_000, 700, 0),
        ];
        let s = reckon(
            "FUND",
            d("2026-11-01"),
            d("2026-11-30"),
            "2026-12-01T00:00:00Z",
            &months,
            &[paid_claim()],
            StandingCounts::default(),
        );
        assert_eq!(s.opening, Paise(10_000_000));
        assert_eq!(s.collected, Paise(6_000_000));
        assert_eq!((s.receipts, s.reversals), (600, 2));
        assert_eq!(s.payouts, Paise(9_500_000));
        assert_eq!(s.fees, Paise(500_000));
        assert_eq!(s.closing, Paise(10_000_000 + 6_000_000 - 9_500_000));
        let steps: Vec<_> = s.claims.iter().map(|c| c.step.as_str()).collect();
        assert_eq!(steps, ["approved", "paid"], "filed in October");
        assert_eq!(s.claims[0].name, "सुनीता दे.");

        // The month after: the payout has left the opening balance.
        let dec = reckon(
            "FUND",
            d("2026-12-01"),
            d("2026-12-04"),
            "2026-12-04T00:00:00Z",
            &months,
            &[paid_claim()],
            StandingCounts::default(),
        );
        assert_eq!(dec.opening, s.closing);
        assert_eq!(dec.payouts, Paise(0));
        assert!(dec.claims.is_empty());
    }

    #[test]
    fn a_rejected_claim_records_no_death() {
        let mut c = paid_claim();
        assert!(c.records_death_by(d("2026-10-20")));
        assert!(!c.records_death_by(d("2026-10-19")));
        c.steps = vec![(
            Some(d("2026-11-02")),
            Step::Rejected {
                reasons: "x".into(),
            },
        )];
        assert!(!c.records_death_by(d("2026-11-30")));
    }
}
