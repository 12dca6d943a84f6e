//! The mutual-aid fund's promise, as rules both the kiosk and the lab
//! compute from the ledger alone: a member's standing on any date, whether
//! a death claim is payable and why not, and how a benefit is shared among
//! nominees.
//!
//! Rules are versioned by the date they take effect and never reach back:
//! each question is answered by the version in force on the date it is
//! about (the date of death for the grace allowed and the benefit, the day
//! a waiting period began for its length, the day of each lapse for the
//! months that make one).
//!
//! Standing is a walk through a member's history in date order: each
//! month's dues fall on its first day (the enrolment month on the day she
//! joined), each payment covers the periods it says. Owing `lapse_months`
//! or more lapses the cover, from that day; paying every arrear reinstates
//! it, and a new waiting period starts on that payment's day. Money paid
//! after the date asked about is not part of that date's standing, so a
//! family's payment after a death never makes the death covered.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::domain::dues::{period_start, periods_begun};
use crate::domain::money::Paise;
use crate::domain::scheme::Frequency;
use crate::i18n::{Localized, Message, english};

/// One version of the fund's rules, in force from `from` until the next
/// version's `from`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundRules {
    pub from: Date,
    /// Paid to the nominees of a member whose death is covered.
    pub benefit: Paise,
    /// Days after joining (or reinstatement) before a death is covered.
    pub waiting_days: u32,
    /// Months a member may owe on the date of death and still be covered.
    pub grace_months: u32,
    /// Months owed that lapse the cover.
    pub lapse_months: u32,
    /// Days after a death within which its claim must be filed.
    pub claim_deadline_days: u32,
    /// Days a published claim waits for objections.
    pub objection_days: u32,
    /// Administration fee, whole percent of the benefit.
    pub fee_percent: u32,
}

impl FundRules {
    /// The rules a fund starts with: ₹1,00,000, 180 days' wait, 2 months'
    /// grace, lapse after 3, claims within 180 days, 7 days for
    /// objections, no fee.
    pub fn standard(from: Date) -> FundRules {
        FundRules {
            from,
            benefit: Paise::from_rupees(100_000),
            waiting_days: 180,
            grace_months: 2,
            lapse_months: 3,
            claim_deadline_days: 180,
            objection_days: 7,
            fee_percent: 0,
        }
    }

    /// Rules that make sense: a benefit above zero, a lapse after the
    /// grace, a fee below the benefit.
    pub fn check(&self) -> Result<(), FundError> {
        if self.benefit.0 <= 0 {
            return Err(FundError::Benefit);
        }
        if self.lapse_months == 0 || self.lapse_months <= self.grace_months {
            return Err(FundError::LapseBeforeGrace {
                grace: self.grace_months,
                lapse: self.lapse_months,
            });
        }
        if self.fee_percent >= 100 {
            return Err(FundError::Fee);
        }
        if self.waiting_days > 3650 || self.claim_deadline_days > 3650 || self.objection_days > 365
        {
            return Err(FundError::TooLong);
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum FundError {
    Benefit,
    LapseBeforeGrace { grace: u32, lapse: u32 },
    Fee,
    TooLong,
    Shares,
    NoRules,
}

impl Localized for FundError {
    fn message(&self) -> Message {
        match self {
            FundError::Benefit => Message::new("fund.benefit"),
            FundError::LapseBeforeGrace { grace, lapse } => Message::new("fund.lapse_before_grace")
                .arg("grace", grace)
                .arg("lapse", lapse),
            FundError::Fee => Message::new("fund.fee"),
            FundError::TooLong => Message::new("fund.too_long"),
            FundError::Shares => Message::new("fund.shares"),
            FundError::NoRules => Message::new("fund.no_rules"),
        }
    }
}

/// Every version of the rules, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleBook {
    versions: Vec<FundRules>,
}

impl RuleBook {
    /// The versions, in any order; two versions from the same day keep the
    /// later-recorded one (a correction made before it took effect).
    pub fn new(mut versions: Vec<FundRules>) -> Result<RuleBook, FundError> {
        if versions.is_empty() {
            return Err(FundError::NoRules);
        }
        for v in &versions {
            v.check()?;
        }
        // Stable: of versions from the same day, the last recorded stays last.
        versions.sort_by_key(|v| v.from);
        let mut kept: Vec<FundRules> = Vec::new();
        for v in versions {
            match kept.last_mut() {
                Some(last) if last.from == v.from => *last = v,
                _ => kept.push(v),
            }
        }
        Ok(RuleBook { versions: kept })
    }

    /// The book of a fund's recorded versions, over the standard rules
    /// from the start: a version recorded later never reaches back before
    /// its own date (the kiosk and the lab judge a claim alike).
    pub fn recorded(mut versions: Vec<FundRules>) -> Result<RuleBook, FundError> {
        versions.insert(0, FundRules::standard(jiff::civil::date(2000, 1, 1)));
        RuleBook::new(versions)
    }

    /// The standard rules from the start: what a fund uses until it records
    /// rules of its own.
    pub fn standard() -> RuleBook {
        RuleBook {
            versions: vec![FundRules::standard(jiff::civil::date(2000, 1, 1))],
        }
    }

    /// Every version, oldest first.
    pub fn versions(&self) -> &[FundRules] {
        &self.versions
    }

    /// The version in force on `on`; before the first version took effect,
    /// the first (a fund's first rules are its rules from the start).
    pub fn in_force(&self, on: Date) -> &FundRules {
        self.versions
            .iter()
            .rev()
            .find(|v| v.from <= on)
            .unwrap_or(&self.versions[0])
    }
}

/// A payment as standing reads it: the day it was taken and the periods it
/// covered (reversed payments are left out by the caller).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paid {
    pub on: Date,
    pub periods: u32,
}

/// A member's standing in the fund on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "standing")]
pub enum Standing {
    /// Not covered before `until` (the waiting period ends that day).
    Waiting { until: Date },
    /// Covered, dues paid up (or ahead).
    Good,
    /// Covered while `owes` is within the grace in force; owes months.
    Grace { owes: u32 },
    /// Not covered: owed the lapse months from `since` on, and not paid up
    /// since.
    Lapsed { since: Date },
}

impl Standing {
    pub fn message(&self) -> Message {
        match self {
            Standing::Waiting { until } => {
                Message::new("fund.waiting").arg("until", crate::domain::time::display_date(*until))
            }
            Standing::Good => Message::new("fund.good"),
            Standing::Grace { owes } => Message::new("fund.grace").arg("owes", owes),
            Standing::Lapsed { since } => {
                Message::new("fund.lapsed").arg("since", crate::domain::time::display_date(*since))
            }
        }
    }
}

fn add_days(d: Date, days: u32) -> Date {
    d.checked_add(i64::from(days).days()).unwrap_or(Date::MAX)
}

/// The standing on `on` of a member who joined on `enrolled` and paid
/// `paid`.
pub fn standing(book: &RuleBook, enrolled: Date, paid: &[Paid], on: Date) -> Standing {
    if on < enrolled {
        let wait = book.in_force(enrolled).waiting_days;
        return Standing::Waiting {
            until: add_days(enrolled, wait),
        };
    }
    // The walk's steps: each month's dues (a due before a payment of the
    // same day: the counter takes the month that has just begun), then
    // each payment up to `on`.
    let months = periods_begun(Frequency::Monthly, enrolled, on);
    let mut steps: Vec<(Date, u8, u32)> = (0..months)
        .map(|i| {
            let start = if i == 0 {
                enrolled
            } else {
                period_start(Frequency::Monthly, enrolled, i)
            };
            (start, 0u8, 1u32)
        })
        .collect();
    steps.extend(
        paid.iter()
            .filter(|p| p.on <= on && p.periods > 0)
            .map(|p| (p.on.max(enrolled), 1u8, p.periods)),
    );
    steps.sort_by_key(|s| (s.0, s.1));
    let (mut due, mut covered) = (0i64, 0i64);
    let mut lapsed_since: Option<Date> = None;
    let mut waiting_from = enrolled;
    for (day, kind, n) in steps {
        if kind == 0 {
            due += i64::from(n);
        } else {
            covered += i64::from(n);
        }
        let owes = due - covered;
        match lapsed_since {
            None if owes >= i64::from(book.in_force(day).lapse_months) => lapsed_since = Some(day),
            Some(_) if owes <= 0 => {
                lapsed_since = None;
                waiting_from = day;
            }
            _ => {}
        }
    }
    if let Some(since) = lapsed_since {
        return Standing::Lapsed { since };
    }
    let until = add_days(waiting_from, book.in_force(waiting_from).waiting_days);
    if on < until {
        return Standing::Waiting { until };
    }
    match u32::try_from(due - covered) {
        Ok(owes) if owes > 0 => Standing::Grace { owes },
        _ => Standing::Good,
    }
}

/// Why a death claim is not payable under the rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "bar")]
pub enum Bar {
    DeathInFuture,
    DeathBeforeEnrolment,
    /// Died within the waiting period, which ended on `until`.
    Waiting {
        until: Date,
    },
    Lapsed {
        since: Date,
    },
    /// Owed more months than the grace allowed on the date of death.
    OwedTooMuch {
        owes: u32,
        grace: u32,
    },
    /// Filed after the deadline.
    Late {
        deadline: Date,
    },
}

impl Localized for Bar {
    fn message(&self) -> Message {
        use crate::domain::time::display_date;
        match self {
            Bar::DeathInFuture => Message::new("fund.bar_future"),
            Bar::DeathBeforeEnrolment => Message::new("fund.bar_before_enrolment"),
            Bar::Waiting { until } => {
                Message::new("fund.bar_waiting").arg("until", display_date(*until))
            }
            Bar::Lapsed { since } => {
                Message::new("fund.bar_lapsed").arg("since", display_date(*since))
            }
            Bar::OwedTooMuch { owes, grace } => Message::new("fund.bar_owed")
                .arg("owes", owes)
                .arg("grace", grace),
            Bar::Late { deadline } => {
                Message::new("fund.bar_late").arg("deadline", display_date(*deadline))
            }
        }
    }
}

/// What stands between a death on `death`, claimed on `filed`, and its
/// benefit: nothing when the list is empty. `today` is the kiosk's date
/// (a death cannot be recorded in its future).
pub fn bars(
    book: &RuleBook,
    enrolled: Date,
    paid: &[Paid],
    death: Date,
    filed: Date,
    today: Date,
) -> Vec<Bar> {
    let mut out = Vec::new();
    if death > today {
        out.push(Bar::DeathInFuture);
    }
    if death < enrolled {
        out.push(Bar::DeathBeforeEnrolment);
        return out;
    }
    let rules = book.in_force(death);
    match standing(book, enrolled, paid, death) {
        Standing::Waiting { until } => out.push(Bar::Waiting { until }),
        Standing::Lapsed { since } => out.push(Bar::Lapsed { since }),
        Standing::Grace { owes } if owes > rules.grace_months => out.push(Bar::OwedTooMuch {
            owes,
            grace: rules.grace_months,
        }),
        Standing::Grace { .. } | Standing::Good => {}
    }
    let deadline = add_days(death, rules.claim_deadline_days);
    if filed > deadline {
        out.push(Bar::Late { deadline });
    }
    out
}

/// A benefit as paid: the rules' benefit on the date of death, less the
/// administration fee (rounded down to the paisa, so the fund never takes
/// more than its percent), shared among nominees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    pub gross: Paise,
    pub fee: Paise,
    pub net: Paise,
    /// Each nominee's part, in the order of `shares`.
    pub parts: Vec<Paise>,
}

/// The payout of a death on `death` to nominees with `shares` (whole
/// percent, summing to 100). Parts are rounded down to the paisa and the
/// paise left over go to the first nominee: the parts always add up to
/// the net, exactly.
pub fn payout(book: &RuleBook, death: Date, shares: &[u32]) -> Result<Payout, FundError> {
    let rules = book.in_force(death);
    let gross = rules.benefit;
    let fee = Paise(gross.0 * i64::from(rules.fee_percent) / 100);
    let net = Paise(gross.0 - fee.0);
    Ok(Payout {
        gross,
        fee,
        net,
        parts: parts(net, shares)?,
    })
}

/// `net` split by `shares` (whole percent, summing to 100): each part
/// rounded down to the paisa, the paise left over to the first, so the
/// parts add up to `net` exactly.
pub fn parts(net: Paise, shares: &[u32]) -> Result<Vec<Paise>, FundError> {
    if shares.is_empty() || shares.iter().map(|s| u64::from(*s)).sum::<u64>() != 100 {
        return Err(FundError::Shares);
    }
    let mut parts: Vec<Paise> = shares
        .iter()
        .map(|s| Paise(net.0 * i64::from(*s) / 100))
        .collect();
    let given: i64 = parts.iter().map(|p| p.0).sum();
    parts[0] = Paise(parts[0].0 + net.0 - given);
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn book() -> RuleBook {
        RuleBook::new(vec![FundRules::standard(date(2025, 1, 1))]).expect("rules")
    }

    /// A member who pays each month on its 5th, from her enrolment month,
    /// `months` times.
    fn monthly(enrolled: Date, months: u32) -> Vec<Paid> {
        (0..months)
            .map(|i| Paid {
                on: period_start(Frequency::Monthly, enrolled, i)
                    .checked_add(4.days())
                    .expect("date")
                    .max(enrolled),
                periods: 1,
            })
            .collect()
    }

    #[test]
    fn the_waiting_period_ends_on_its_last_day_and_not_before() {
        let b = book();
        let joined = date(2026, 1, 10);
        let paid = monthly(joined, 12);
        let until = date(2026, 7, 9); // 180 days after 10 January
        assert_eq!(
            standing(&b, joined, &paid, date(2026, 7, 8)),
            Standing::Waiting { until }
        );
        assert_eq!(standing(&b, joined, &paid, until), Standing::Good);
        assert_eq!(
            bars(
                &b,
                joined,
                &paid,
                date(2026, 7, 8),
                date(2026, 7, 20),
                date(2026, 7, 20)
            ),
            [Bar::Waiting { until }]
        );
    }

    #[test]
    fn owing_within_the_grace_is_covered_and_beyond_it_lapses() {
        let b = book();
        let joined = date(2025, 1, 1);
        // Paid through September 2025 (9 months), then nothing.
        let paid = monthly(joined, 9);
        assert_eq!(
            standing(&b, joined, &paid, date(2025, 9, 30)),
            Standing::Good
        );
        assert_eq!(
            standing(&b, joined, &paid, date(2025, 10, 1)),
            Standing::Grace { owes: 1 }
        );
        assert_eq!(
            standing(&b, joined, &paid, date(2025, 11, 20)),
            Standing::Grace { owes: 2 }
        );
        assert!(
            bars(
                &b,
                joined,
                &paid,
                date(2025, 11, 20),
                date(2025, 11, 25),
                date(2025, 11, 25)
            )
            .is_empty()
        );
        let since = date(2025, 12, 1);
        assert_eq!(
            standing(&b, joined, &paid, since),
            Standing::Lapsed { since }
        );
        assert_eq!(
            standing(&b, joined, &paid, date(2026, 3, 1)),
            Standing::Lapsed { since }
        );
    }

    #[test]
    fn paying_the_arrears_reinstates_and_restarts_the_waiting_period() {
        let b = book();
        let joined = date(2025, 1, 1);
        let mut paid = monthly(joined, 9);
        // Lapsed on 1 December 2025; on 10 May 2026 pays the eight months
        // owed (October to May), then each month on time.
        let back = date(2026, 5, 10);
        paid.push(Paid {
            on: back,
            periods: 8,
        });
        paid.extend((17..30).map(|i| Paid {
            on: period_start(Frequency::Monthly, joined, i),
            periods: 1,
        }));
        let until = date(2026, 11, 6); // 180 days after 10 May
        assert_eq!(
            standing(&b, joined, &paid, back),
            Standing::Waiting { until }
        );
        assert_eq!(standing(&b, joined, &paid, until), Standing::Good);
        // Before the payment, the lapse stands.
        assert_eq!(
            standing(&b, joined, &paid, date(2026, 5, 9)),
            Standing::Lapsed {
                since: date(2025, 12, 1)
            }
        );
    }

    #[test]
    fn money_paid_after_the_death_does_not_count_for_it() {
        let b = book();
        let joined = date(2025, 1, 1);
        let mut paid = monthly(joined, 9);
        let death = date(2025, 12, 15);
        paid.push(Paid {
            on: date(2025, 12, 20),
            periods: 3,
        });
        assert_eq!(
            bars(
                &b,
                joined,
                &paid,
                death,
                date(2025, 12, 21),
                date(2025, 12, 21)
            ),
            [Bar::Lapsed {
                since: date(2025, 12, 1)
            }]
        );
    }

    #[test]
    fn rules_apply_from_the_day_they_take_effect_never_before() {
        let mut later = FundRules::standard(date(2026, 4, 1));
        later.waiting_days = 90;
        later.benefit = Paise::from_rupees(150_000);
        later.fee_percent = 2;
        let b = RuleBook::new(vec![later, FundRules::standard(date(2025, 1, 1))]).expect("rules");
        // Joined before the change: her wait is the old 180 days.
        let joined = date(2026, 3, 1);
        let paid = monthly(joined, 12);
        assert_eq!(
            standing(&b, joined, &paid, date(2026, 6, 15)),
            Standing::Waiting {
                until: date(2026, 8, 28)
            }
        );
        // Joined after: 90 days.
        let joined = date(2026, 4, 1);
        assert_eq!(
            standing(&b, joined, &monthly(joined, 12), date(2026, 6, 30)),
            Standing::Good
        );
        // The benefit of a death before the change is the old one.
        let old = payout(&b, date(2026, 3, 31), &[100]).expect("payout");
        assert_eq!(
            (old.gross, old.fee),
            (Paise::from_rupees(100_000), Paise(0))
        );
        let new = payout(&b, date(2026, 4, 1), &[100]).expect("payout");
        assert_eq!(
            (new.gross, new.fee, new.net),
            (
                Paise::from_rupees(150_000),
                Paise::from_rupees(3_000),
                Paise::from_rupees(147_000)
            )
        );
    }

    #[test]
    fn a_claim_is_late_after_the_deadline_and_a_death_cannot_be_in_the_future() {
        let b = book();
        let joined = date(2025, 1, 1);
        let paid = monthly(joined, 24);
        let death = date(2025, 9, 1);
        assert_eq!(
            bars(&b, joined, &paid, death, date(2026, 3, 1), date(2026, 3, 1)),
            [Bar::Late {
                deadline: date(2026, 2, 28)
            }]
        );
        assert_eq!(
            bars(
                &b,
                joined,
                &paid,
                date(2026, 3, 2),
                date(2026, 3, 1),
                date(2026, 3, 1)
            ),
            [Bar::DeathInFuture]
        );
        assert_eq!(
            bars(
                &b,
                joined,
                &paid,
                date(2024, 12, 31),
                date(2025, 1, 2),
                date(2025, 1, 2)
            ),
            [Bar::DeathBeforeEnrolment]
        );
    }

    #[test]
    fn the_standard_rules_are_rules_that_make_sense() {
        assert_eq!(FundRules::standard(date(2000, 1, 1)).check(), Ok(()));
        assert_eq!(
            RuleBook::standard().in_force(date(2026, 1, 1)).waiting_days,
            180
        );
    }

    #[test]
    fn rules_that_make_no_sense_are_refused() {
        let mut r = FundRules::standard(date(2025, 1, 1));
        r.lapse_months = 2;
        assert!(matches!(r.check(), Err(FundError::LapseBeforeGrace { .. })));
        let mut r = FundRules::standard(date(2025, 1, 1));
        r.fee_percent = 100;
        assert_eq!(r.check(), Err(FundError::Fee));
        assert_eq!(RuleBook::new(vec![]), Err(FundError::NoRules));
        assert_eq!(
            payout(&book(), date(2025, 5, 1), &[60, 30]),
            Err(FundError::Shares)
        );
    }

    proptest! {
        /// Nominees' parts always add up to the net, to the paisa, and no
        /// part is more than a paisa per nominee off its percent.
        #[test]
        fn nominee_parts_add_up_to_the_net(a in 1u32..99, fee in 0u32..20, rupees in 1i64..1_000_000) {
            let mut r = FundRules::standard(date(2025, 1, 1));
            r.fee_percent = fee;
            r.benefit = Paise(rupees * 100 + 37);
            let b = RuleBook::new(vec![r]).expect("rules");
            let p = payout(&b, date(2025, 6, 1), &[a, 100 - a]).expect("payout");
            prop_assert_eq!(p.parts.iter().map(|x| x.0).sum::<i64>(), p.net.0);
            prop_assert_eq!(p.fee.0 + p.net.0, p.gross.0);
            prop_assert!((p.parts[1].0 - p.net.0 * i64::from(100 - a) / 100).abs() <= 1);
        }

        /// A member who has paid every month that has begun is never in
        /// grace or lapsed, on any day.
        #[test]
        fn paid_up_members_are_never_in_grace_or_lapsed(start in 0i64..700, months in 1u32..40, day in 0i64..1200) {
            let b = book();
            let joined = date(2025, 1, 1).checked_add(start.days()).expect("date");
            let on = joined.checked_add(day.days()).expect("date");
            let paid: Vec<Paid> = (0..months + 40)
                .map(|i| Paid { on: if i == 0 { joined } else { period_start(Frequency::Monthly, joined, i) }, periods: 1 })
                .collect();
            let s = standing(&b, joined, &paid, on);
            prop_assert!(matches!(s, Standing::Good | Standing::Waiting { .. }), "{:?}", s);
        }

        /// Payments after the date asked about never change its standing.
        #[test]
        fn later_payments_change_nothing_before_them(months in 0u32..30, day in 0i64..900, extra in 1u32..12) {
            let b = book();
            let joined = date(2025, 1, 1);
            let on = joined.checked_add(day.days()).expect("date");
            let paid = monthly(joined, months);
            let mut more = paid.clone();
            more.push(Paid { on: on.checked_add(1.days()).expect("date"), periods: extra });
            prop_assert_eq!(standing(&b, joined, &paid, on), standing(&b, joined, &more, on));
        }

        /// Owing at least the lapse months is always lapsed; owing none
        /// after the wait is always good.
        #[test]
        fn standing_follows_what_is_owed(paid_months in 0u32..24, day in 181i64..900) {
            let b = book();
            let joined = date(2025, 1, 1);
            let on = joined.checked_add(day.days()).expect("date");
            let paid: Vec<Paid> = if paid_months == 0 { vec![] } else { vec![Paid { on: joined, periods: paid_months }] };
            let due = periods_begun(Frequency::Monthly, joined, on);
            let owes = i64::from(due) - i64::from(paid_months);
            let s = standing(&b, joined, &paid, on);
            if owes >= 3 {
                prop_assert!(matches!(s, Standing::Lapsed { .. }), "{:?} owes {}", s, owes);
            } else if owes <= 0 {
                prop_assert_eq!(s, Standing::Good);
            } else {
                prop_assert_eq!(s, Standing::Grace { owes: owes as u32 });
            }
        }
    }

    #[test]
    fn recorded_rules_never_reach_back_before_their_date() {
        let later = FundRules {
            benefit: Paise::from_rupees(50_000),
            ..FundRules::standard(date(2026, 12, 1))
        };
        let book = RuleBook::recorded(vec![later.clone()]).expect("book");
        assert_eq!(
            book.in_force(date(2026, 11, 30)).benefit,
            Paise::from_rupees(100_000)
        );
        assert_eq!(book.in_force(date(2026, 12, 1)), &later);
        assert_eq!(
            RuleBook::recorded(vec![]).expect("book"),
            RuleBook::standard()
        );
    }
}
