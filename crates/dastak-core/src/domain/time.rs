//! Kiosk time: India Standard Time, dd-mm-yyyy dates, financial years, and
//! the check that catches a lying clock (DESIGN invariant 7).
//!
//! A Raspberry Pi has no battery-backed clock. After a power cut it may come
//! up at the last shutdown time, or in 1970. Everything that takes cash first
//! asks [`check_clock`] whether the clock is believable given the last event.

use std::fmt;

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::domain::digits::to_ascii_digits;

/// India has one time zone and no daylight saving: a fixed +05:30.
pub fn ist() -> TimeZone {
    TimeZone::fixed(Offset::from_seconds(19_800).unwrap_or(Offset::UTC))
}

/// The business date of an instant, in IST.
pub fn local_date(ts: Timestamp) -> Date {
    ts.to_zoned(ist()).date()
}

/// The instant as stored in events: RFC 3339, seconds, IST offset.
pub fn format_instant(ts: Timestamp) -> String {
    ts.to_zoned(ist())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// `23-11-2026 10:15` — how people read a time at the kiosk.
pub fn display_instant(ts: Timestamp) -> String {
    ts.to_zoned(ist()).strftime("%d-%m-%Y %H:%M").to_string()
}

/// `23-11-2026`.
pub fn display_date(d: Date) -> String {
    d.strftime("%d-%m-%Y").to_string()
}

/// The first day of a month written `YYYY-MM` (or `MM-YYYY`, as people
/// write it here; Devanagari digits too); None for anything else.
pub fn month_start(s: &str) -> Option<Date> {
    let s = to_ascii_digits(s.trim());
    let (y, m) = match s.split_once('-')? {
        (y, m) if y.len() == 4 && m.len() == 2 => (y, m),
        (m, y) if y.len() == 4 && m.len() == 2 => (y, m),
        _ => return None,
    };
    if !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit()) {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok()
}

/// `2026-11`: how a month is written in files and commands.
pub fn month_code(d: Date) -> String {
    d.strftime("%Y-%m").to_string()
}

/// Reads a stand-in for the clock (`$DASTAK_NOW`, for training, tests and
/// the demo): RFC 3339, or a civil date-time or date read as IST (a date
/// alone is its noon).
pub fn parse_now(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    s.parse::<Timestamp>()
        .ok()
        .or_else(|| {
            s.parse::<jiff::civil::DateTime>()
                .ok()
                .and_then(|dt| dt.to_zoned(ist()).ok())
                .map(|z| z.timestamp())
        })
        .or_else(|| {
            s.parse::<Date>()
                .ok()
                .and_then(|d| d.at(12, 0, 0, 0).to_zoned(ist()).ok())
                .map(|z| z.timestamp())
        })
}

/// Parses a typed date: `23-11-2026`, `23/11/2026`, `23.11.2026`,
/// `2026-11-23`, in Latin or Devanagari digits.
pub fn parse_date(input: &str) -> Option<Date> {
    let s = to_ascii_digits(input.trim());
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let num = |p: &str| p.parse::<i32>().ok();
    let (y, m, d) = if parts[0].len() == 4 {
        (num(parts[0])?, num(parts[1])?, num(parts[2])?)
    } else if parts[2].len() == 4 {
        (num(parts[2])?, num(parts[1])?, num(parts[0])?)
    } else {
        return None;
    };
    if !(1900..=2200).contains(&y) {
        return None;
    }
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

/// An Indian financial year, April to March, named by its first year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FinancialYear(pub i16);

impl FinancialYear {
    pub fn of(d: Date) -> FinancialYear {
        if d.month() >= 4 {
            FinancialYear(d.year())
        } else {
            FinancialYear(d.year() - 1)
        }
    }

    /// Parses `2026-27`.
    pub fn parse(s: &str) -> Option<FinancialYear> {
        let (a, b) = s.split_once('-')?;
        let start: i16 = a.parse().ok()?;
        let end: i16 = b.parse().ok()?;
        (a.len() == 4 && b.len() == 2 && (start + 1) % 100 == end).then_some(FinancialYear(start))
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.0, (self.0 + 1) % 100)
    }
}

/// How far behind the last event the clock may be (NTP corrections, a few
/// seconds' disagreement between processes) before it is called wrong.
pub const BEHIND_TOLERANCE_MINUTES: i64 = 10;
/// A gap longer than this since the last event needs the operator to confirm
/// the date: the kiosk may have been idle, or the clock may have jumped.
pub const FAR_AHEAD_DAYS: i64 = 31;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockVerdict {
    Believable,
    /// Earlier than the last recorded event: must be corrected, not confirmed.
    Behind {
        last: Timestamp,
    },
    /// Much later than the last event: the operator must confirm the date.
    FarAhead {
        last: Timestamp,
    },
}

pub fn check_clock(now: Timestamp, last_event: Option<Timestamp>) -> ClockVerdict {
    let Some(last) = last_event else {
        return ClockVerdict::Believable;
    };
    let behind_limit = last - BEHIND_TOLERANCE_MINUTES.minutes();
    if now < behind_limit {
        return ClockVerdict::Behind { last };
    }
    let ahead_limit = last
        .checked_add((FAR_AHEAD_DAYS * 24).hours())
        .unwrap_or(Timestamp::MAX);
    if now > ahead_limit {
        return ClockVerdict::FarAhead { last };
    }
    ClockVerdict::Believable
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn financial_year_turns_in_april() {
        assert_eq!(FinancialYear::of(date(2026, 3, 31)).to_string(), "2025-26");
        assert_eq!(FinancialYear::of(date(2026, 4, 1)).to_string(), "2026-27");
        assert_eq!(FinancialYear::of(date(2099, 4, 1)).to_string(), "2099-00");
        assert_eq!(FinancialYear::parse("2026-27"), Some(FinancialYear(2026)));
        assert_eq!(FinancialYear::parse("2026-28"), None);
    }

    #[test]
    fn months_in_the_forms_people_type() {
        assert_eq!(month_start("2026-11"), Some(date(2026, 11, 1)));
        assert_eq!(month_start(" 11-2026 "), Some(date(2026, 11, 1)));
        assert_eq!(month_start("११-२०२६"), Some(date(2026, 11, 1)));
        for bad in [
            "2026-13",
            "2026-1",
            "26-11",
            "2026-11-01",
            "",
            "abcd-ef",
            "+026-11",
        ] {
            assert_eq!(month_start(bad), None, "{bad}");
        }
        assert_eq!(month_code(date(2026, 3, 31)), "2026-03");
    }

    #[test]
    fn dates_in_the_forms_people_type() {
        assert_eq!(parse_date("23-11-2026"), Some(date(2026, 11, 23)));
        assert_eq!(parse_date("२३/११/२०२६"), Some(date(2026, 11, 23)));
        assert_eq!(parse_date("2026-11-23"), Some(date(2026, 11, 23)));
        assert_eq!(parse_date("31-02-2026"), None);
        assert_eq!(parse_date("23-11-26"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(display_date(date(2026, 1, 5)), "05-01-2026");
    }

    #[test]
    fn clock_checks() {
        let last: Timestamp = "2026-11-23T05:00:00Z".parse().expect("ts");
        assert_eq!(check_clock(last, Some(last)), ClockVerdict::Believable);
        assert_eq!(
            check_clock(last - 5.minutes(), Some(last)),
            ClockVerdict::Believable
        );
        assert_eq!(
            check_clock(last - 2.hours(), Some(last)),
            ClockVerdict::Behind { last }
        );
        assert_eq!(
            check_clock(last + 40.hours() * 24, Some(last)),
            ClockVerdict::FarAhead { last }
        );
        assert_eq!(check_clock(last, None), ClockVerdict::Believable);
        assert_eq!(format_instant(last), "2026-11-23T10:30:00+05:30");
    }
}
