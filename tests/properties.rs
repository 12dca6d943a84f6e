//! Property tests: money parsing and words, Verhoeff, dues, and receipt
//! numbering across a financial-year boundary.

use dastak::books::DataDir;
use dastak::books::members::{EnrolForm, MemberForm};
use dastak::books::setup::{InitForm, init};
use dastak::domain::aadhaar::{verhoeff_check_digit, verhoeff_valid};
use dastak::domain::digits::to_devanagari_digits;
use dastak::domain::dues::{dues, periods_begun, plan_payment};
use dastak::domain::money::{MAX_AMOUNT, Paise};
use dastak::domain::scheme::{Frequency, builtin_schemes};
use dastak::domain::words::{EN_ONES, EN_TENS, HI_0_99, amount_in_words};
use dastak::i18n::Lang;
use dastak::store::queries;
use jiff::civil::{Date, date};
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;

/// Reads English amount words back into paise (the inverse of
/// `amount_in_words` for the test's sake).
fn parse_en(words: &str) -> Option<i64> {
    let small = |w: &str| -> Option<u64> {
        EN_ONES
            .iter()
            .position(|x| *x == w)
            .map(|i| i as u64)
            .or_else(|| {
                EN_TENS
                    .iter()
                    .position(|x| !x.is_empty() && *x == w)
                    .map(|i| i as u64 * 10)
            })
    };
    let body = words.strip_suffix(" Only")?;
    let (rupee_part, paise_part) = match body.split_once(" and ") {
        Some((r, p)) => (Some(r), Some(p.strip_suffix(" Paise")?)),
        None if body.ends_with(" Paise") => (None, body.strip_suffix(" Paise")),
        None => (Some(body), None),
    };
    let number = |s: &str| -> Option<u64> {
        // Indian system: crore may itself hold lakh/thousand/hundred.
        let mut total = 0u64;
        let mut current = 0u64;
        let mut crore_part = 0u64;
        for w in s.split(' ') {
            match w {
                "Hundred" => current *= 100,
                "Thousand" => {
                    total += current * 1_000;
                    current = 0;
                }
                "Lakh" => {
                    total += current * 100_000;
                    current = 0;
                }
                "Crore" => {
                    crore_part = (total + current) * 10_000_000;
                    total = 0;
                    current = 0;
                }
                w => current += small(w)?,
            }
        }
        Some(crore_part + total + current)
    };
    let rupees = match rupee_part {
        Some(r) => number(r.strip_prefix("Rupees ")?)?,
        None => 0,
    };
    let paise = match paise_part {
        Some(p) => number(p)?,
        None => 0,
    };
    Some((rupees * 100 + paise) as i64)
}

/// Reads Hindi amount words back into paise.
fn parse_hi(words: &str) -> Option<i64> {
    let body = words.strip_suffix(" मात्र")?;
    let (r, p) = match body.split_once(" और ") {
        Some((r, p)) => (Some(r), Some(p)),
        None if body.ends_with(" पैसे") => (None, Some(body)),
        None => (Some(body), None),
    };
    let number = |s: &str| -> Option<u64> {
        let (mut total, mut current, mut crore) = (0u64, 0u64, 0u64);
        for w in s.split(' ') {
            match w {
                "सौ" => current *= 100,
                "हज़ार" => {
                    total += current * 1_000;
                    current = 0;
                }
                "लाख" => {
                    total += current * 100_000;
                    current = 0;
                }
                "करोड़" => {
                    crore = (total + current) * 10_000_000;
                    total = 0;
                    current = 0;
                }
                w => current += HI_0_99.iter().position(|x| *x == w)? as u64,
            }
        }
        Some(crore + total + current)
    };
    let rupees = match r {
        Some(r) => number(r.strip_suffix(" रुपये").or_else(|| r.strip_suffix(" रुपया"))?)?,
        None => 0,
    };
    let paise = match p {
        Some(p) => number(p.strip_suffix(" पैसे")?)?,
        None => 0,
    };
    Some((rupees * 100 + paise) as i64)
}

proptest! {
    #[test]
    fn formatted_amounts_parse_back_in_both_scripts(p in 1i64..=MAX_AMOUNT.0) {
        let amount = Paise(p);
        prop_assert_eq!(Paise::parse(&amount.to_string()), Ok(amount));
        prop_assert_eq!(Paise::parse(&to_devanagari_digits(&amount.grouped())), Ok(amount));
        let plain = format!("{}.{:02}", p / 100, p % 100);
        prop_assert_eq!(Paise::parse(&plain), Ok(amount));
    }

    #[test]
    fn three_decimals_and_negatives_are_always_refused(r in 0u32..100_000, f in 0u32..1000) {
        let three = format!("{}.{:03}", r, f);
        let negative = format!("-{}", r);
        prop_assert!(Paise::parse(&three).is_err());
        prop_assert!(Paise::parse(&negative).is_err());
    }

    #[test]
    fn words_read_back_to_the_same_amount(p in 0i64..=200_000_000_000) {
        let en = amount_in_words(Paise(p), Lang::En);
        prop_assert_eq!(parse_en(&en), Some(p), "{}", en);
        let hi = amount_in_words(Paise(p), Lang::Hi);
        prop_assert_eq!(parse_hi(&hi), Some(p), "{}", hi);
    }

    #[test]
    fn verhoeff_catches_every_single_digit_error_and_adjacent_swap(
        digits in proptest::collection::vec(0u8..10, 11),
        pos in 0usize..12,
        delta in 1u8..10,
    ) {
        let mut full = digits.clone();
        full.push(verhoeff_check_digit(&digits));
        prop_assert!(verhoeff_valid(&full));
        let mut typo = full.clone();
        typo[pos] = (typo[pos] + delta) % 10;
        prop_assert!(!verhoeff_valid(&typo));
        if pos < 11 && full[pos] != full[pos + 1] {
            let mut swapped = full.clone();
            swapped.swap(pos, pos + 1);
            prop_assert!(!verhoeff_valid(&swapped));
        }
    }

    #[test]
    fn dues_grow_with_time_and_default_payment_clears_them(
        start in 0i64..3000, gap in 0i64..800, later in 0i64..400, paid in 0u32..40, weekly in any::<bool>()
    ) {
        let scheme = if weekly { builtin_schemes().remove(1) } else { builtin_schemes().remove(0) };
        let freq = if weekly { Frequency::Weekly } else { Frequency::Monthly };
        let enrolled = date(2020, 1, 1).checked_add(start.days()).expect("date");
        let today = enrolled.checked_add(gap.days()).expect("date");
        let after = today.checked_add(later.days()).expect("date");
        prop_assert!(periods_begun(freq, enrolled, today) <= periods_begun(freq, enrolled, after));
        prop_assert!(periods_begun(freq, enrolled, today) >= 1);
        let d = dues(&scheme, enrolled, today, paid);
        prop_assert_eq!(d.arrears_periods, i64::from(d.periods_due) - i64::from(paid));
        if d.arrears_periods > 0 && d.arrears_periods <= 120 {
            let plan = plan_payment(&scheme, &d, None, None).expect("default plan");
            prop_assert_eq!(plan.amount, d.amount_due);
            let after_pay = dues(&scheme, enrolled, today, paid + plan.periods);
            prop_assert_eq!(after_pay.amount_due, Paise::ZERO);
        }
    }
}

fn ist(d: Date, h: i8) -> Timestamp {
    d.at(h, 0, 0, 0)
        .to_zoned(dastak::domain::time::ist())
        .expect("zoned")
        .timestamp()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, .. ProptestConfig::default() })]

    /// Receipts are numbered 1, 2, 3… in each financial year; the count
    /// restarts on 1 April, with no gap and no repeat on either side.
    #[test]
    fn receipt_numbers_are_gap_free_per_financial_year(before in 1usize..8, after in 1usize..8) {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = DataDir { root: tmp.path().to_path_buf() };
        let form = InitForm {
            kiosk: "FY01".into(), panchayat: "रामपुर".into(), block: "ब्लॉक".into(), district: "ज़िला".into(),
            language: "hi".into(), admin_code: "ADMIN".into(), admin_name: "Admin".into(), admin_pin: "1234".into(),
            district_secret: None,
        };
        let t0 = ist(date(2027, 3, 1), 9);
        let mut books = init(&dir, &form, t0).expect("init");
        let admin = queries::operator(books.store().conn(), "ADMIN").expect("q").expect("admin");
        let m = MemberForm { name: "Ram".into(), relative_name: "Shyam".into(), gender: "M".into(), age: Some("40".into()), village: "रामपुर".into(), ..MemberForm::default() };
        let e = EnrolForm { scheme: "FUND".into(), nominee_name: Some("Sita".into()), nominee_relation: Some("wife".into()), ..EnrolForm::default() };
        let id = books.register_member(&admin, &m, &[e], t0).expect("member").member_id;
        let mut got = Vec::new();
        for i in 0..before {
            let t = ist(date(2027, 3, 31), 10).checked_add((i as i64).minutes()).expect("t");
            got.push(books.pay(&admin, &id, "FUND", Some("100"), None, t).expect("pay").receipt);
        }
        for i in 0..after {
            let t = ist(date(2027, 4, 1), 10).checked_add((i as i64).minutes()).expect("t");
            got.push(books.pay(&admin, &id, "FUND", Some("100"), None, t).expect("pay").receipt);
        }
        let expected: Vec<String> = (1..=before).map(|n| format!("FY01/2026-27/{n:06}"))
            .chain((1..=after).map(|n| format!("FY01/2027-28/{n:06}")))
            .collect();
        prop_assert_eq!(got, expected);
    }
}
