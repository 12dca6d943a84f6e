//! What the district lab's dashboard shows, computed without IO from what
//! the books answer (each kiosk's status and place, the daily rollup): the
//! overview's counts, the kiosks table filtered and sorted as an officer
//! asked, collections over time, and each table's CSV. The pages are drawn
//! by [`views`] (HTML) and [`chart`] (SVG); the server's [`crate::server`]
//! reads the books and sends the pages.
//!
//! Times are shown in IST as dd-mm-yyyy, amounts with Indian digit
//! grouping; every page says as of when its numbers are.

pub mod chart;
pub mod views;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use dastak_core::domain::money::Paise;
use dastak_core::domain::time::local_date;
use jiff::Timestamp;
use serde::Serialize;

use crate::store::{
    CashDifference, CoverageRow, DailyRow, EnrolmentRow, KioskStatus, OperatorDay, Place,
    SchemeDues, SharedAadhaar,
};
use dastak_core::domain::dues::{period_start, periods_begun};
use dastak_core::domain::scheme::Frequency;
use jiff::civil::Date;

/// How recently a kiosk was last heard from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Freshness {
    /// Within 24 hours.
    Day,
    /// Within 48 hours.
    TwoDays,
    /// Longer ago: someone should call.
    Stale,
    /// Never synced.
    Never,
}

impl Freshness {
    pub fn of(last_contact: Option<&str>, now: Timestamp) -> Freshness {
        let Some(at) = last_contact.and_then(|t| t.parse::<Timestamp>().ok()) else {
            return Freshness::Never;
        };
        let hours = (now.as_second() - at.as_second()) / 3600;
        if hours < 24 {
            Freshness::Day
        } else if hours < 48 {
            Freshness::TwoDays
        } else {
            Freshness::Stale
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Freshness::Day => "dash.fresh_day",
            Freshness::TwoDays => "dash.fresh_two_days",
            Freshness::Stale => "dash.fresh_stale",
            Freshness::Never => "dash.fresh_never",
        }
    }
}

/// The days a page reads and says it shows: `from` to `to` (YYYY-MM-DD,
/// both included, the kiosks' local dates). Every page reads a window of
/// the rollups ending today, never the whole of them, so that what a page
/// costs follows what it shows and not how many events the lab holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    pub from: String,
    pub to: String,
}

/// Days shown by the collections (by day), day closes, operators and
/// anomalies pages.
pub const RECENT_DAYS: i64 = 30;
/// Months shown by the collections page by month.
pub const RECENT_MONTHS: i64 = 12;

impl Window {
    /// The last `n` days, today included.
    pub fn days(now: Timestamp, n: i64) -> Window {
        let today = local_date(now);
        let from = today
            .checked_sub(jiff::Span::new().days(n.max(1) - 1))
            .unwrap_or(today);
        Window {
            from: from.to_string(),
            to: today.to_string(),
        }
    }

    /// This month and the `n - 1` before it, to today.
    pub fn months(now: Timestamp, n: i64) -> Window {
        let today = local_date(now);
        let first = today.first_of_month();
        let from = first
            .checked_sub(jiff::Span::new().months(n.max(1) - 1))
            .unwrap_or(first);
        Window {
            from: from.to_string(),
            to: today.to_string(),
        }
    }
}

/// How long a member's oldest unpaid due has been waiting, in calendar
/// months: the arrears ageing's buckets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Age {
    /// Due this month or last.
    UpToOne,
    TwoToThree,
    MoreThanThree,
}

impl Age {
    pub const ALL: [Age; 3] = [Age::UpToOne, Age::TwoToThree, Age::MoreThanThree];

    fn of(oldest_unpaid: Date, today: Date) -> Age {
        // Calendar months since: the months begun, less the first.
        let months = periods_begun(Frequency::Monthly, oldest_unpaid, today).saturating_sub(1);
        match months {
            ..=1 => Age::UpToOne,
            2..=3 => Age::TwoToThree,
            _ => Age::MoreThanThree,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Age::UpToOne => "dash.age_0_1",
            Age::TwoToThree => "dash.age_2_3",
            Age::MoreThanThree => "dash.age_over_3",
        }
    }
}

/// A member behind with a scheme's dues, for the defaulters list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Owing {
    pub kiosk: String,
    pub village: String,
    pub member_id: String,
    pub name: String,
    pub scheme: String,
    pub periods: i64,
    pub amount: Paise,
    /// The first day of her oldest unpaid period.
    pub since: String,
    pub age: Age,
}

/// An enrolment with its kiosk's dues for the scheme.
struct Dued<'a> {
    e: &'a EnrolmentRow,
    dues: &'a SchemeDues,
    freq: Frequency,
    enrolled: Date,
}

/// The enrolments that `keep` keeps, each with its kiosk's dues: not one
/// with no known enrolment day, or whose scheme's dues the lab does not
/// know (what is owed cannot be reckoned for those).
fn dued<'a>(
    enrolments: &'a [EnrolmentRow],
    dues: &'a [SchemeDues],
    keep: impl Fn(&EnrolmentRow) -> bool + 'a,
) -> impl Iterator<Item = Dued<'a>> {
    let known: HashMap<(&str, &str), &SchemeDues> = dues
        .iter()
        .map(|d| ((d.kiosk.as_str(), d.scheme.as_str()), d))
        .collect();
    enrolments.iter().filter_map(move |e| {
        if !keep(e) {
            return None;
        }
        let dues = *known.get(&(e.kiosk.as_str(), e.scheme.as_str()))?;
        let enrolled: Date = e.enrolled_on.as_deref()?.parse().ok()?;
        let freq = match dues.frequency.as_str() {
            "weekly" => Frequency::Weekly,
            _ => Frequency::Monthly,
        };
        Some(Dued {
            e,
            dues,
            freq,
            enrolled,
        })
    })
}

/// An enrolment in force, reckoned as of a day with its kiosk's dues.
struct InForce<'a> {
    e: &'a EnrolmentRow,
    dues: &'a SchemeDues,
    freq: Frequency,
    enrolled: Date,
    /// Periods begun less periods paid: behind when positive.
    owed: i64,
}

/// The enrolments in force as of `today` of the kiosks the officer sees,
/// each with its kiosk's dues: not one she has left, has no known
/// enrolment day for, or whose scheme's dues the lab does not know. The
/// same reckoning as the kiosk's (`dastak_core::domain::dues`): a period
/// is due once it has begun; payments cover the oldest first.
fn in_force<'a>(
    enrolments: &'a [EnrolmentRow],
    dues: &'a [SchemeDues],
    scope: Scope<'a>,
    today: Date,
) -> impl Iterator<Item = InForce<'a>> {
    dued(enrolments, dues, move |e| {
        scope.sees(&e.kiosk) && e.left_on.is_none()
    })
    .map(move |d| InForce {
        owed: i64::from(periods_begun(d.freq, d.enrolled, today)) - d.e.periods,
        e: d.e,
        dues: d.dues,
        freq: d.freq,
        enrolled: d.enrolled,
    })
}

/// Members behind with their dues as of `today`, of the kiosks the
/// officer sees, by village then the longest waiting first.
pub fn owing(
    enrolments: &[EnrolmentRow],
    dues: &[SchemeDues],
    scope: Scope<'_>,
    today: Date,
) -> Vec<Owing> {
    let mut out: Vec<Owing> = in_force(enrolments, dues, scope, today)
        .filter(|f| f.owed > 0)
        .map(|f| {
            let paid = u32::try_from(f.e.periods.max(0)).unwrap_or(u32::MAX);
            let since = period_start(f.freq, f.enrolled, paid);
            Owing {
                kiosk: f.e.kiosk.clone(),
                village: f.e.village.clone(),
                member_id: f.e.member_id.clone(),
                name: f.e.name.clone(),
                scheme: f.e.scheme.clone(),
                periods: f.owed,
                amount: Paise(f.dues.per_period.0.saturating_mul(f.owed)),
                since: since.to_string(),
                age: Age::of(since, today),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.village, &a.since, &a.kiosk, &a.member_id).cmp(&(
            &b.village,
            &b.since,
            &b.kiosk,
            &b.member_id,
        ))
    });
    out
}

/// One village's line of the coverage page: the drive's numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CoverageLine {
    pub village: String,
    /// Households the PDS lists name.
    pub households: u64,
    /// Of those, households with a registered member.
    pub reached: u64,
    /// Women of 18 to 60 in the listed households.
    pub women: u64,
    /// Members in a self-help group (its scheme's eligibility is women
    /// of 18 to 60), still in it.
    pub in_shg: u64,
}

/// Coverage by village, of the kiosks the officer sees.
pub fn coverage(
    rows: &[CoverageRow],
    enrolments: &[EnrolmentRow],
    scope: Scope<'_>,
) -> Vec<CoverageLine> {
    let mut by: BTreeMap<&str, CoverageLine> = BTreeMap::new();
    for r in rows.iter().filter(|r| scope.sees(&r.kiosk)) {
        let line = by.entry(&r.village).or_default();
        line.households += r.households;
        line.reached += r.reached;
        line.women += r.women;
    }
    for e in enrolments.iter().filter(|e| {
        scope.sees(&e.kiosk) && e.scheme == dastak_core::domain::scheme::SHG && e.left_on.is_none()
    }) {
        by.entry(&e.village).or_default().in_shg += 1;
    }
    by.into_iter()
        .map(|(village, mut line)| {
            line.village = village.to_string();
            line
        })
        .collect()
}

/// `part` of `whole` in whole percent, rounded down; none of nothing.
pub fn percent(part: u64, whole: u64) -> Option<u64> {
    (whole > 0).then(|| part.saturating_mul(100) / whole)
}

/// One village's line of the arrears ageing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AgeingRow {
    pub village: String,
    /// Enrolments in force (members × schemes).
    pub enrolled: u64,
    pub paid_up: u64,
    /// Behind, by [`Age`].
    pub behind: [u64; 3],
    pub owed: Paise,
}

/// The arrears ageing by village, from the enrolments in force and those
/// behind ([`owing`]).
pub fn ageing(
    enrolments: &[EnrolmentRow],
    dues: &[SchemeDues],
    owing: &[Owing],
    scope: Scope<'_>,
    today: Date,
) -> Vec<AgeingRow> {
    let mut by: BTreeMap<&str, AgeingRow> = BTreeMap::new();
    for f in in_force(enrolments, dues, scope, today) {
        by.entry(&f.e.village).or_default().enrolled += 1;
    }
    for o in owing {
        let row = by.entry(&o.village).or_default();
        row.behind[o.age as usize] += 1;
        row.owed = Paise(row.owed.0 + o.amount.0);
    }
    by.into_iter()
        .map(|(village, mut row)| {
            row.village = village.to_string();
            row.paid_up = row.enrolled.saturating_sub(row.behind.iter().sum());
            row
        })
        .collect()
}

/// What the enrolments in force owe for the periods that begin in
/// `today`'s month, up to today: members × dues, the month's expected
/// collections.
pub fn expected_this_month(
    enrolments: &[EnrolmentRow],
    dues: &[SchemeDues],
    scope: Scope<'_>,
    today: Date,
) -> Paise {
    let last_month_end = today.first_of_month().yesterday().ok();
    let mut total = 0i64;
    for f in in_force(enrolments, dues, scope, today) {
        let before = last_month_end.map_or(0, |end| periods_begun(f.freq, f.enrolled, end));
        let now = periods_begun(f.freq, f.enrolled, today);
        total = total.saturating_add(
            f.dues
                .per_period
                .0
                .saturating_mul(i64::from(now.saturating_sub(before))),
        );
    }
    Paise(total)
}

/// An operator-day is flagged for reversals when it has at least this
/// many, and at least one for every [`REVERSAL_SHARE`] receipts: a slip or
/// two is a mistake put right; more, and a large share, is worth a call.
pub const REVERSAL_FLOOR: u64 = 3;
pub const REVERSAL_SHARE: u64 = 5;

/// What the anomalies page lists, of the kiosks the officer sees.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Anomalies {
    /// Operator-days with many reversals.
    pub reversals: Vec<OperatorDay>,
    /// Operator-days where the kiosk's date had to be confirmed.
    pub clock: Vec<OperatorDay>,
    /// Operator-days with entries dated before the one before them.
    pub backdated: Vec<OperatorDay>,
    /// Day closes with a difference.
    pub differences: Vec<CashDifference>,
    /// Members whose Aadhaar reference is also registered at another
    /// kiosk, grouped by reference.
    pub aadhaar: Vec<SharedAadhaar>,
}

impl Anomalies {
    pub fn compute(
        ops: &[OperatorDay],
        differences: Vec<CashDifference>,
        aadhaar: Vec<SharedAadhaar>,
        scope: Scope<'_>,
    ) -> Anomalies {
        let seen = || ops.iter().filter(|o| scope.sees(&o.kiosk));
        let mut a = Anomalies {
            reversals: seen()
                .filter(|o| {
                    o.reversals >= REVERSAL_FLOOR && o.reversals * REVERSAL_SHARE >= o.receipts
                })
                .cloned()
                .collect(),
            clock: seen().filter(|o| o.clock_confirms > 0).cloned().collect(),
            backdated: seen().filter(|o| o.backdated > 0).cloned().collect(),
            differences: differences
                .into_iter()
                .filter(|d| scope.sees(&d.kiosk))
                .collect(),
            aadhaar: aadhaar
                .into_iter()
                .filter(|r| scope.sees(&r.kiosk))
                .collect(),
        };
        // Newest first, as an officer reads them.
        for v in [&mut a.reversals, &mut a.clock, &mut a.backdated] {
            v.sort_by(|x, y| (&y.day, &x.kiosk, &x.operator).cmp(&(&x.day, &y.kiosk, &y.operator)));
        }
        a.differences
            .sort_by(|x, y| (&y.date, &x.kiosk).cmp(&(&x.date, &y.kiosk)));
        a
    }

    /// Every anomaly as one line (its kind's catalog key, day, kiosk, who,
    /// and how many or how much): the page's CSV.
    pub fn lines(&self) -> Vec<(&'static str, [String; 4])> {
        let mut out = Vec::new();
        for (key, rows, n) in [
            (
                "dash.anomaly_reversals",
                &self.reversals,
                (|o: &OperatorDay| o.reversals) as fn(&OperatorDay) -> u64,
            ),
            ("dash.anomaly_clock", &self.clock, |o| o.clock_confirms),
            ("dash.anomaly_backdated", &self.backdated, |o| o.backdated),
        ] {
            for o in rows {
                out.push((
                    key,
                    [
                        o.day.clone(),
                        o.kiosk.clone(),
                        o.operator.clone(),
                        n(o).to_string(),
                    ],
                ));
            }
        }
        for d in &self.differences {
            out.push((
                "dash.anomaly_difference",
                [
                    d.date.clone(),
                    d.kiosk.clone(),
                    String::new(),
                    d.variance.as_decimal().to_string(),
                ],
            ));
        }
        for r in &self.aadhaar {
            out.push((
                "dash.anomaly_aadhaar",
                [
                    String::new(),
                    r.kiosk.clone(),
                    r.member_id.clone(),
                    dastak_core::domain::aadhaar::masked(&r.last4),
                ],
            ));
        }
        out
    }
}

/// The operators' rows of the kiosks the officer sees, newest day first.
pub fn operator_rows(ops: Vec<OperatorDay>, scope: Scope<'_>) -> Vec<OperatorDay> {
    let mut rows: Vec<OperatorDay> = ops.into_iter().filter(|o| scope.sees(&o.kiosk)).collect();
    rows.sort_by(|x, y| (&y.day, &x.kiosk, &x.operator).cmp(&(&x.day, &y.kiosk, &y.operator)));
    rows
}

/// What an officer may see: the whole state (`district` None), or the
/// kiosks whose first event names her district. A kiosk the lab has no
/// events from yet has no known district: only state officers see it.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    pub district: Option<&'a str>,
    pub places: &'a HashMap<String, Place>,
}

impl Scope<'_> {
    pub fn sees(&self, kiosk: &str) -> bool {
        match self.district {
            None => true,
            Some(d) => self.places.get(kiosk).is_some_and(|p| p.district == d),
        }
    }

    pub fn place(&self, kiosk: &str) -> Option<&Place> {
        self.places.get(kiosk)
    }

    /// The blocks, and the panchayats (of `block` when one is chosen), the
    /// officer sees: for the filters.
    pub fn choices(&self, block: &str) -> (Vec<String>, Vec<String>) {
        let seen = || {
            self.places
                .iter()
                .filter(|(k, _)| self.sees(k))
                .map(|(_, p)| p)
        };
        let blocks: BTreeSet<&String> = seen().map(|p| &p.block).collect();
        let panchayats: BTreeSet<&String> = seen()
            .filter(|p| block.is_empty() || p.block == block)
            .map(|p| &p.panchayat)
            .collect();
        (
            blocks.into_iter().cloned().collect(),
            panchayats.into_iter().cloned().collect(),
        )
    }
}

/// A block and a panchayat chosen in a page's filter (empty: all).
#[derive(Clone, Debug, Default)]
pub struct PlaceFilter {
    pub block: String,
    pub panchayat: String,
}

impl PlaceFilter {
    fn matches(&self, place: Option<&Place>) -> bool {
        let (block, panchayat) = place.map_or(("", ""), |p| (&p.block, &p.panchayat));
        (self.block.is_empty() || self.block == block)
            && (self.panchayat.is_empty() || self.panchayat == panchayat)
    }
}

/// The overview's numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overview {
    /// Kiosks by freshness: within 24 h, 48 h, longer, never.
    pub kiosks: [u64; 4],
    pub today: Totals,
    pub month: Totals,
    /// Kiosks with missing events or quarantined conflicts.
    pub with_gaps: u64,
    pub with_conflicts: u64,
    /// Members × dues for the periods begun this month, to today
    /// ([`expected_this_month`]).
    pub expected_month: Paise,
}

/// Receipts and money over some days (from the rollup).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub receipts: u64,
    pub reversals: u64,
    pub enrolments: u64,
    /// Taken less given back.
    pub net: Paise,
}

impl Totals {
    fn add(&mut self, r: &DailyRow) {
        self.receipts += r.receipts;
        self.reversals += r.reversals;
        self.enrolments += r.enrolments;
        self.net = Paise(self.net.0 + r.amount.0 - r.reversed.0);
    }
}

impl Overview {
    pub fn compute(
        status: &[KioskStatus],
        daily: &[DailyRow],
        scope: Scope<'_>,
        now: Timestamp,
    ) -> Overview {
        let mut o = Overview::default();
        for k in status.iter().filter(|k| scope.sees(&k.kiosk)) {
            let f = Freshness::of(k.last_contact.as_deref(), now);
            o.kiosks[f as usize] += 1;
            o.with_gaps += u64::from(!k.gaps.is_empty());
            o.with_conflicts += u64::from(k.quarantined > 0);
        }
        let today = local_date(now).to_string();
        let month = &today[..7];
        for r in daily.iter().filter(|r| scope.sees(&r.kiosk)) {
            if r.day == today {
                o.today.add(r);
            }
            if r.day.starts_with(month) {
                o.month.add(r);
            }
        }
        o
    }
}

/// One row of the kiosks table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KioskRow {
    pub kiosk: String,
    pub block: String,
    pub panchayat: String,
    pub freshness: Freshness,
    pub last_contact: Option<String>,
    pub last_event_at: Option<String>,
    /// Every event up to here is held.
    pub through: u64,
    pub missing: u64,
    pub quarantined: u64,
}

/// How the kiosks table is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KioskSort {
    #[default]
    Kiosk,
    Panchayat,
    /// Longest silent first.
    LastContact,
    /// Most missing events first.
    Missing,
}

impl KioskSort {
    pub const ALL: [(KioskSort, &'static str); 4] = [
        (KioskSort::Kiosk, "kiosk"),
        (KioskSort::Panchayat, "panchayat"),
        (KioskSort::LastContact, "last_contact"),
        (KioskSort::Missing, "missing"),
    ];

    /// Anything unknown sorts by kiosk: a filter is never an error page.
    pub fn parse(s: &str) -> KioskSort {
        KioskSort::ALL
            .iter()
            .find(|(_, name)| *name == s)
            .map_or(KioskSort::Kiosk, |(k, _)| *k)
    }
}

/// The kiosks table: those the officer sees in the chosen place, ordered
/// by `sort`.
pub fn kiosk_rows(
    status: &[KioskStatus],
    scope: Scope<'_>,
    filter: &PlaceFilter,
    sort: KioskSort,
    now: Timestamp,
) -> Vec<KioskRow> {
    let mut rows: Vec<KioskRow> = status
        .iter()
        .filter(|k| scope.sees(&k.kiosk) && filter.matches(scope.place(&k.kiosk)))
        .map(|k| {
            let place = scope.place(&k.kiosk).cloned().unwrap_or_default();
            KioskRow {
                kiosk: k.kiosk.clone(),
                block: place.block,
                panchayat: place.panchayat,
                freshness: Freshness::of(k.last_contact.as_deref(), now),
                last_contact: k.last_contact.clone(),
                last_event_at: k.last_event_at.clone(),
                through: k.through,
                missing: k.gaps.iter().map(|(a, b)| b - a + 1).sum(),
                quarantined: k.quarantined,
            }
        })
        .collect();
    match sort {
        KioskSort::Kiosk => rows.sort_by(|a, b| a.kiosk.cmp(&b.kiosk)),
        KioskSort::Panchayat => {
            rows.sort_by(|a, b| (&a.panchayat, &a.kiosk).cmp(&(&b.panchayat, &b.kiosk)));
        }
        // Never first, then the oldest contact (the times are one format,
        // so their text orders as they do).
        KioskSort::LastContact => rows.sort_by(|a, b| {
            (a.last_contact.is_some(), &a.last_contact, &a.kiosk).cmp(&(
                b.last_contact.is_some(),
                &b.last_contact,
                &b.kiosk,
            ))
        }),
        KioskSort::Missing => {
            rows.sort_by(|a, b| b.missing.cmp(&a.missing).then(a.kiosk.cmp(&b.kiosk)));
        }
    }
    rows
}

/// Collections grouped by day or by month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Period {
    #[default]
    Day,
    Month,
}

impl Period {
    pub fn parse(s: &str) -> Period {
        if s == "month" {
            Period::Month
        } else {
            Period::Day
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Month => "month",
        }
    }
}

/// Which rows of the rollup a collections page adds up.
#[derive(Clone, Debug, Default)]
pub struct CollectionFilter {
    pub place: PlaceFilter,
    pub scheme: String,
    pub period: Period,
}

/// One day's or month's line of the collections page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CollectionRow {
    /// YYYY-MM-DD or YYYY-MM.
    pub key: String,
    pub totals: Totals,
    /// The dues of the periods that began in it ([`expected_by`]).
    pub expected: Paise,
}

impl CollectionFilter {
    fn takes(&self, scope: Scope<'_>, kiosk: &str, scheme: &str) -> bool {
        scope.sees(kiosk)
            && self.place.matches(scope.place(kiosk))
            && (self.scheme.is_empty() || scheme == self.scheme)
    }

    fn key(&self, day: &str) -> String {
        match self.period {
            Period::Day => day.to_string(),
            Period::Month => day.get(..7).unwrap_or(day).to_string(),
        }
    }
}

/// Collections per day or month (the key: YYYY-MM-DD or YYYY-MM), oldest
/// first, beside what was expected: every day or month of the window has
/// its line, so a day with dues and nothing collected shows as one.
pub fn collections(
    daily: &[DailyRow],
    expected: &BTreeMap<String, Paise>,
    scope: Scope<'_>,
    f: &CollectionFilter,
    w: &Window,
) -> Vec<CollectionRow> {
    let mut by: BTreeMap<String, CollectionRow> = BTreeMap::new();
    fn line(by: &mut BTreeMap<String, CollectionRow>, key: String) -> &mut CollectionRow {
        by.entry(key.clone()).or_insert_with(|| CollectionRow {
            key,
            ..CollectionRow::default()
        })
    }
    if let (Ok(from), Ok(to)) = (w.from.parse::<Date>(), w.to.parse::<Date>()) {
        for day in from
            .series(jiff::Span::new().days(1))
            .take_while(|d| *d <= to)
        {
            line(&mut by, f.key(&day.to_string()));
        }
    }
    for r in daily.iter().filter(|r| f.takes(scope, &r.kiosk, &r.scheme)) {
        line(&mut by, f.key(&r.day)).totals.add(r);
    }
    for (key, amount) in expected {
        if let Some(row) = by.get_mut(key) {
            row.expected = *amount;
        }
    }
    by.into_values().collect()
}

/// What the members of the kiosks a collections page shows were due to
/// pay, by the day or month in `w` that each period of dues began: a
/// monthly scheme's on the first of the month (her first on the day she
/// joined, as the kiosk reckons it), a weekly one's every seventh day from
/// joining. A member who left owes none that began after; a scheme whose
/// dues the lab does not know adds nothing. Members × dues, period by
/// period, for the "against expected" of the collections page.
pub fn expected_by(
    enrolments: &[EnrolmentRow],
    dues: &[SchemeDues],
    scope: Scope<'_>,
    f: &CollectionFilter,
    w: &Window,
) -> BTreeMap<String, Paise> {
    let mut out: BTreeMap<String, Paise> = BTreeMap::new();
    let (Ok(from), Ok(to)) = (w.from.parse::<Date>(), w.to.parse::<Date>()) else {
        return out;
    };
    let before = from.yesterday().ok();
    for Dued {
        e,
        dues: d,
        freq,
        enrolled,
    } in dued(enrolments, dues, |e| f.takes(scope, &e.kiosk, &e.scheme))
    {
        let left = e.left_on.as_deref().and_then(|x| x.parse::<Date>().ok());
        let last = match left.and_then(|l| l.yesterday().ok()) {
            Some(l) if l < to => l,
            _ => to,
        };
        let first = before.map_or(0, |b| periods_begun(freq, enrolled, b));
        for index in first..periods_begun(freq, enrolled, last) {
            let day = period_start(freq, enrolled, index).max(enrolled);
            let due = out.entry(f.key(&day.to_string())).or_default();
            *due = Paise(due.0.saturating_add(d.per_period.0));
        }
    }
    out
}

/// The schemes the rollup holds, for the filter.
pub fn schemes(daily: &[DailyRow]) -> Vec<String> {
    let set: BTreeSet<&String> = daily.iter().map(|r| &r.scheme).collect();
    set.into_iter().cloned().collect()
}

/// One CSV field, quoted when it must be (RFC 4180). A field that a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is
/// prefixed with `'`: a village name typed at a kiosk must not become a
/// formula on a clerk's computer.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// One CSV line from its fields.
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn freshness_counts_hours_since_the_last_contact() {
        let now = ts("2026-12-02T12:00:00Z");
        assert_eq!(
            Freshness::of(Some("2026-12-02T10:00:00+05:30"), now),
            Freshness::Day
        );
        assert_eq!(
            Freshness::of(Some("2026-12-01T00:00:00Z"), now),
            Freshness::TwoDays
        );
        assert_eq!(
            Freshness::of(Some("2026-11-20T00:00:00Z"), now),
            Freshness::Stale
        );
        assert_eq!(Freshness::of(None, now), Freshness::Never);
        assert_eq!(Freshness::of(Some("garbage"), now), Freshness::Never);
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-12.50"), "-12.50");
        assert_eq!(csv_line(&["a", "b"]), "a,b\r\n");
    }

    #[test]
    fn a_district_officer_sees_only_her_districts_kiosks() {
        let place = |d: &str, b: &str, p: &str| Place {
            district: d.into(),
            block: b.into(),
            panchayat: p.into(),
        };
        let places: HashMap<String, Place> = [
            ("A".to_string(), place("जयपुर", "दूदू", "रामपुर")),
            ("B".to_string(), place("जयपुर", "फागी", "बस्सी")),
            ("C".to_string(), place("अलवर", "दूदू", "रामपुर")),
        ]
        .into();
        let state = Scope {
            district: None,
            places: &places,
        };
        let jaipur = Scope {
            district: Some("जयपुर"),
            places: &places,
        };
        assert!(state.sees("C") && state.sees("NEW"));
        assert!(jaipur.sees("A") && !jaipur.sees("C") && !jaipur.sees("NEW"));
        let (blocks, panchayats) = jaipur.choices("फागी");
        assert_eq!(blocks, ["दूदू", "फागी"]);
        assert_eq!(panchayats, ["बस्सी"]);
        let status: Vec<KioskStatus> = ["A", "B", "C"]
            .iter()
            .map(|k| KioskStatus {
                kiosk: k.to_string(),
                through: 1,
                last_seq: 1,
                last_event_at: None,
                last_contact: None,
                gaps: vec![],
                quarantined: 0,
            })
            .collect();
        let now = ts("2026-12-02T12:00:00Z");
        let in_dudu = PlaceFilter {
            block: "दूदू".into(),
            panchayat: String::new(),
        };
        let rows = kiosk_rows(&status, jaipur, &in_dudu, KioskSort::Kiosk, now);
        assert_eq!(
            rows.iter().map(|r| r.kiosk.as_str()).collect::<Vec<_>>(),
            ["A"]
        );
        let rows = kiosk_rows(&status, state, &in_dudu, KioskSort::Kiosk, now);
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn windows_end_today_in_ist_and_count_back_whole_days_and_months() {
        // 20:00 UTC on the 30th is already the 1st in IST.
        let w = Window::days(ts("2026-11-30T20:00:00Z"), 30);
        assert_eq!(
            (w.from.as_str(), w.to.as_str()),
            ("2026-11-02", "2026-12-01")
        );
        let w = Window::months(ts("2026-03-10T06:00:00Z"), 12);
        assert_eq!(
            (w.from.as_str(), w.to.as_str()),
            ("2025-04-01", "2026-03-10")
        );
        let w = Window::days(ts("2026-03-10T06:00:00Z"), 0);
        assert_eq!(w.from, w.to, "at least today");
    }

    #[test]
    fn an_operator_day_is_flagged_for_reversals_at_the_floor_and_the_share() {
        let places = HashMap::new();
        let scope = Scope {
            district: None,
            places: &places,
        };
        let day = |receipts, reversals| OperatorDay {
            kiosk: "K1".into(),
            operator: "VOL1".into(),
            day: "2026-11-20".into(),
            receipts,
            reversals,
            ..OperatorDay::default()
        };
        let flagged = |o: OperatorDay| {
            !Anomalies::compute(&[o], vec![], vec![], scope)
                .reversals
                .is_empty()
        };
        assert!(flagged(day(15, 3)), "3 of 15: one in five");
        assert!(!flagged(day(16, 3)), "3 of 16: fewer than one in five");
        assert!(!flagged(day(2, 2)), "below the floor");
        assert!(flagged(day(4, 4)));
        let mut quiet = day(20, 0);
        quiet.backdated = 1;
        quiet.clock_confirms = 2;
        let a = Anomalies::compute(&[quiet], vec![], vec![], scope);
        assert_eq!((a.backdated.len(), a.clock.len()), (1, 1));
        assert_eq!(a.lines().len(), 2);
        assert_eq!(a.lines()[0].0, "dash.anomaly_clock");
    }

    #[test]
    fn arrears_are_aged_by_the_oldest_unpaid_due_and_expected_dues_counted_for_the_month() {
        let places = HashMap::new();
        let scope = Scope {
            district: None,
            places: &places,
        };
        let dues = vec![
            SchemeDues {
                kiosk: "K1".into(),
                scheme: "FUND".into(),
                frequency: "monthly".into(),
                per_period: Paise(10_000),
            },
            SchemeDues {
                kiosk: "K1".into(),
                scheme: "SHG".into(),
                frequency: "weekly".into(),
                per_period: Paise(2_000),
            },
        ];
        let member = |id: &str, scheme: &str, on: &str, periods: i64| EnrolmentRow {
            kiosk: "K1".into(),
            member_id: id.into(),
            name: format!("name {id}"),
            scheme: scheme.into(),
            village: if id < "M3" { "A" } else { "B" }.into(),
            enrolled_on: Some(on.into()),
            left_on: None,
            periods,
        };
        let mut gone = member("M5", "FUND", "2026-01-10", 0);
        gone.left_on = Some("2026-02-01".into());
        let enrolments = vec![
            // Joined in January, paid 3 months: owes from April (due
            // January to June).
            member("M1", "FUND", "2026-01-10", 3),
            // Paid up through June.
            member("M2", "FUND", "2026-01-10", 6),
            // Owes only June: the month it is.
            member("M3", "FUND", "2026-01-10", 5),
            // Weekly, joined 1 June, none paid: weeks of 1, 8, 15 June.
            member("M4", "SHG", "2026-06-01", 0),
            gone,
            // A scheme whose dues the lab does not know.
            member("M6", "PDS", "2026-01-10", 0),
        ];
        let today: Date = "2026-06-20".parse().expect("date");
        let owing = owing(&enrolments, &dues, scope, today);
        let got: Vec<(&str, i64, &str, Age, i64)> = owing
            .iter()
            .map(|o| {
                (
                    o.member_id.as_str(),
                    o.periods,
                    o.since.as_str(),
                    o.age,
                    o.amount.0,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("M1", 3, "2026-04-01", Age::TwoToThree, 30_000),
                ("M3", 1, "2026-06-01", Age::UpToOne, 10_000),
                ("M4", 3, "2026-06-01", Age::UpToOne, 6_000),
            ]
        );
        let rows = ageing(&enrolments, &dues, &owing, scope, today);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].village.as_str(), rows[0].enrolled, rows[0].paid_up),
            ("A", 2, 1)
        );
        assert_eq!(rows[0].behind, [0, 1, 0]);
        assert_eq!((rows[1].enrolled, rows[1].behind), (2, [2, 0, 0]));
        // June: one month each of three fund members, three weeks of SHG.
        assert_eq!(
            expected_this_month(&enrolments, &dues, scope, today),
            Paise(3 * 10_000 + 3 * 2_000)
        );
        let long_ago = member("M7", "FUND", "2025-01-10", 0);
        let o = super::owing(&[long_ago], &dues, scope, today);
        assert_eq!((o[0].periods, o[0].age), (18, Age::MoreThanThree));
    }

    #[test]
    fn expected_dues_fall_on_the_day_each_period_begins_and_stop_when_she_leaves() {
        let mut places = HashMap::new();
        for (k, block) in [("K1", "B1"), ("K2", "B2")] {
            places.insert(
                k.to_string(),
                Place {
                    district: "D".into(),
                    block: block.into(),
                    panchayat: format!("P{k}"),
                },
            );
        }
        let scope = Scope {
            district: None,
            places: &places,
        };
        let dues: Vec<SchemeDues> = ["K1", "K2"]
            .iter()
            .flat_map(|k| {
                [
                    SchemeDues {
                        kiosk: (*k).into(),
                        scheme: "FUND".into(),
                        frequency: "monthly".into(),
                        per_period: Paise(10_000),
                    },
                    SchemeDues {
                        kiosk: (*k).into(),
                        scheme: "SHG".into(),
                        frequency: "weekly".into(),
                        per_period: Paise(2_000),
                    },
                ]
            })
            .collect();
        let member = |k: &str, scheme: &str, on: &str, left: Option<&str>| EnrolmentRow {
            kiosk: k.into(),
            member_id: format!("{k}-{scheme}-{on}"),
            name: String::new(),
            scheme: scheme.into(),
            village: "V".into(),
            enrolled_on: Some(on.into()),
            left_on: left.map(str::to_string),
            periods: 0,
        };
        let enrolments = vec![
            // Her first month on the day she joined, then the 1st.
            member("K1", "FUND", "2026-05-20", None),
            // Joined before the window: due on 1 June and 1 July.
            member("K1", "FUND", "2026-01-10", None),
            // Left on 1 July: owes June's, not July's.
            member("K1", "FUND", "2026-01-10", Some("2026-07-01")),
            // Weekly from Wednesday 3 June.
            member("K1", "SHG", "2026-06-03", None),
            // Another block's kiosk.
            member("K2", "FUND", "2026-01-10", None),
            // Joined after the window.
            member("K1", "FUND", "2026-07-10", None),
        ];
        let w = Window {
            from: "2026-05-15".into(),
            to: "2026-07-05".into(),
        };
        let by_day = CollectionFilter::default();
        let got = expected_by(&enrolments, &dues, scope, &by_day, &w);
        let day = |d: &str| got.get(d).copied().unwrap_or_default().0;
        assert_eq!(
            day("2026-05-20"),
            10_000,
            "her first month, the day she joined"
        );
        assert_eq!(day("2026-06-01"), 4 * 10_000, "four fund members' June");
        // Three fund members (not hers who left on 1 July) and a week of SHG.
        assert_eq!(day("2026-07-01"), 3 * 10_000 + 2_000);
        assert_eq!((day("2026-06-03"), day("2026-06-24")), (2_000, 2_000));
        assert_eq!(got.keys().filter(|k| k.as_str() > "2026-07-05").count(), 0);
        assert_eq!(day("2026-07-10"), 0, "after the window");
        let total: i64 = got.values().map(|p| p.0).sum();
        // Fund: 1 + 4 + 3 months; SHG: 3, 10, 17, 24 June and 1 July.
        assert_eq!(total, 8 * 10_000 + 5 * 2_000);
        // By month, one block, one scheme.
        let f = CollectionFilter {
            place: PlaceFilter {
                block: "B1".into(),
                panchayat: String::new(),
            },
            scheme: "FUND".into(),
            period: Period::Month,
        };
        let months = expected_by(&enrolments, &dues, scope, &f, &w);
        let m = |k: &str| months.get(k).copied().unwrap_or_default().0;
        assert_eq!(
            (m("2026-05"), m("2026-06"), m("2026-07")),
            (10_000, 30_000, 20_000)
        );
        // Every day of the window has its line, with what was due.
        let rows = collections(&[], &got, scope, &by_day, &w);
        assert_eq!(rows.len(), 52);
        assert_eq!(rows[0].key, "2026-05-15");
        assert_eq!(
            rows.iter()
                .find(|r| r.key == "2026-06-01")
                .map(|r| r.expected),
            Some(Paise(40_000))
        );
    }

    #[test]
    fn coverage_adds_up_villages_across_kiosks_and_counts_women_still_in_an_shg() {
        let mut places = HashMap::new();
        for (k, d) in [("K1", "जयपुर"), ("K2", "जयपुर"), ("K3", "अजमेर")]
        {
            places.insert(
                k.to_string(),
                Place {
                    district: d.into(),
                    ..Place::default()
                },
            );
        }
        let scope = Scope {
            district: Some("जयपुर"),
            places: &places,
        };
        let row = |k: &str, v: &str, h, r, w| CoverageRow {
            kiosk: k.into(),
            village: v.into(),
            households: h,
            reached: r,
            women: w,
        };
        let rows = [
            row("K1", "A", 10, 4, 12),
            row("K2", "A", 5, 5, 6),
            row("K3", "A", 100, 100, 100),
        ];
        let shg = |k: &str, left: Option<&str>| EnrolmentRow {
            kiosk: k.into(),
            village: "A".into(),
            scheme: "SHG".into(),
            left_on: left.map(str::to_string),
            ..EnrolmentRow::default()
        };
        let enrolments = [
            shg("K1", None),
            shg("K2", Some("2026-01-01")),
            shg("K3", None),
        ];
        let lines = coverage(&rows, &enrolments, scope);
        assert_eq!(lines.len(), 1);
        let a = &lines[0];
        assert_eq!((a.households, a.reached, a.women, a.in_shg), (15, 9, 18, 1));
        assert_eq!(percent(a.reached, a.households), Some(60));
        assert_eq!(percent(3, 0), None);
    }

    #[test]
    fn unknown_sorts_and_periods_fall_back_to_the_default() {
        assert_eq!(KioskSort::parse("'; DROP TABLE kiosks"), KioskSort::Kiosk);
        assert_eq!(KioskSort::parse("missing"), KioskSort::Missing);
        assert_eq!(Period::parse("month"), Period::Month);
        assert_eq!(Period::parse("<script>"), Period::Day);
    }
}
