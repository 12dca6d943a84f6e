//! `dastak demo`: a synthetic panchayat to try everything on.
//!
//! Three villages, a ration-card list of a few hundred households with Hindi
//! names, the fund, two SHGs, three operators, and about six months of
//! contributions, reversals and day closes — all made through the same
//! operations as real work, so `dastak verify` passes on the result.
//!
//! The numbers come from a fixed-seed SplitMix64 written here rather than
//! the `rand` crate: the demo must be the same on every machine and every
//! version, and SplitMix64 is ten lines.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use crate::books::members::{EnrolForm, MemberForm};
use crate::books::setup::{InitForm, NewOperator, init};
use crate::books::{Books, BooksError, DataDir};
use crate::domain::scheme::{FUND, SHG};
use crate::domain::time::{ist, local_date};
use crate::store::queries::{self, OperatorRow};

pub const ADMIN: (&str, &str) = ("ADMIN", "1234");
pub const SUPERVISOR: (&str, &str) = ("SUP1", "2345");
pub const VOLUNTEER: (&str, &str) = ("VOL1", "3456");
const DAYS: i64 = 182;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const VILLAGES: [&str; 3] = ["रामपुर", "सीतापुर", "मोहनपुरा"];
const MEN: [&str; 24] = [
    "रामेश्वर",
    "सुरेश",
    "रमेश",
    "महेश",
    "राजेश",
    "मुकेश",
    "दिनेश",
    "गोपाल",
    "मोहन",
    "श्याम",
    "हरि",
    "कैलाश",
    "ओमप्रकाश",
    "भगवान सहाय",
    "लक्ष्मण",
    "बाबूलाल",
    "रामलाल",
    "शंकर",
    "गणेश",
    "विनोद",
    "अशोक",
    "प्रकाश",
    "जगदीश",
    "सत्यनारायण",
];
const WOMEN: [&str; 24] = [
    "सुनीता",
    "अनीता",
    "गीता",
    "सीता",
    "कमला",
    "शांति",
    "पूजा",
    "रेखा",
    "मीना",
    "सरिता",
    "ममता",
    "लक्ष्मी",
    "राधा",
    "सावित्री",
    "कविता",
    "उर्मिला",
    "पार्वती",
    "संगीता",
    "सुमन",
    "किरण",
    "मंजू",
    "आशा",
    "निर्मला",
    "प्रियंका",
];
const SURNAMES: [&str; 12] = [
    "शर्मा",
    "मीणा",
    "गुर्जर",
    "जाट",
    "यादव",
    "वर्मा",
    "सैनी",
    "कुमावत",
    "प्रजापत",
    "बैरवा",
    "रैगर",
    "माली",
];

#[derive(Clone)]
struct Person {
    name: String,
    gender: &'static str,
    age: u8,
    relation: &'static str,
}

struct Household {
    card: String,
    village: &'static str,
    people: Vec<Person>,
}

fn households(rng: &mut Rng, n: u32) -> Vec<Household> {
    (0..n)
        .map(|i| {
            let village = VILLAGES[(i as usize) % VILLAGES.len()];
            let surname = rng.pick(&SURNAMES);
            let head_age = 28 + rng.below(45) as u8;
            let mut people = vec![Person {
                name: format!("{} {surname}", rng.pick(&MEN)),
                gender: "M",
                age: head_age,
                relation: "मुखिया",
            }];
            if rng.chance(92) {
                people.push(Person {
                    name: format!("{} देवी", rng.pick(&WOMEN)),
                    gender: "F",
                    age: head_age.saturating_sub(3 + rng.below(5) as u8).max(18),
                    relation: "पत्नी",
                });
            }
            for _ in 0..rng.below(4) {
                let daughter = rng.chance(50);
                let age = (rng.below(u64::from(head_age.saturating_sub(18)).max(1))) as u8;
                let first = if daughter {
                    rng.pick(&WOMEN)
                } else {
                    rng.pick(&MEN)
                };
                let name = format!("{first} {surname}");
                if people.iter().any(|p| p.name == name) {
                    continue;
                }
                people.push(Person {
                    name,
                    gender: if daughter { "F" } else { "M" },
                    age,
                    relation: if daughter {
                        "पुत्री"
                    } else {
                        "पुत्र"
                    },
                });
            }
            Household {
                card: format!("RJ{:010}", 1_402_000_000 + u64::from(i) * 7),
                village,
                people,
            }
        })
        .collect()
}

fn csv(hh: &[Household]) -> String {
    let mut s = String::from("ration_card,village,member_name,gender,age,relation\n");
    for h in hh {
        for p in &h.people {
            s.push_str(&format!(
                "{},{},{},{},{},{}\n",
                h.card, h.village, p.name, p.gender, p.age, p.relation
            ));
        }
    }
    s
}

/// A time on `day` (IST), `minute` minutes after 10:00.
fn at(day: Date, minute: i64) -> Timestamp {
    day.at(10, 0, 0, 0)
        .to_zoned(ist())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .checked_add(minute.minutes())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn op(books: &Books, code: &str) -> Result<OperatorRow, BooksError> {
    queries::operator(books.store.conn(), code)?
        .ok_or_else(|| BooksError::UnknownOperator { code: code.into() })
}

pub struct Summary {
    pub households: u64,
    pub members: u64,
    pub receipts: u64,
}

/// Fills `dir` (which must not be initialised) with the synthetic panchayat,
/// its story ending yesterday relative to `now`.
/// The demo's settings: the printer emulator on this machine.
pub fn fill(dir: &DataDir, n_households: u32, now: Timestamp) -> Result<Summary, BooksError> {
    let mut rng = Rng(0x00DA_57A4);
    let end = local_date(now)
        .yesterday()
        .map_err(|_| BooksError::BadDate(crate::books::Field::Date))?;
    let start = end
        .checked_sub(DAYS.days())
        .map_err(|_| BooksError::BadDate(crate::books::Field::Date))?;
    let form = InitForm {
        kiosk: "DEMO01".into(),
        panchayat: "रामपुर".into(),
        block: "सांगानेर".into(),
        district: "जयपुर".into(),
        language: "hi".into(),
        admin_code: ADMIN.0.into(),
        admin_name: "अरुण शर्मा".into(),
        admin_pin: ADMIN.1.into(),
        district_secret: None,
    };
    let mut books = init(dir, &form, at(start, 0))?;
    books.store.set_bulk_mode(true)?;
    let admin = op(&books, ADMIN.0)?;
    let t0 = at(start, 1);
    for (code, name, role, language, pin) in [
        (SUPERVISOR.0, "सरोज मीणा", "supervisor", "hi", SUPERVISOR.1),
        (VOLUNTEER.0, "Pooja Saini", "volunteer", "en", VOLUNTEER.1),
    ] {
        books.add_operator(
            &admin,
            &NewOperator {
                code,
                name,
                role,
                language,
                pin,
            },
            t0,
        )?;
    }
    let volunteer = op(&books, VOLUNTEER.0)?;
    let supervisor = op(&books, SUPERVISOR.0)?;
    let hh = households(&mut rng, n_households);
    books.import_households(&admin, "demo-pds.csv", csv(&hh).as_bytes(), at(start, 2))?;
    books.create_group(
        &supervisor,
        "SHG-RAM1",
        SHG,
        "लक्ष्मी महिला समूह",
        VILLAGES[0],
        at(start, 3),
    )?;
    books.create_group(
        &supervisor,
        "SHG-SIT1",
        SHG,
        "सरस्वती महिला समूह",
        VILLAGES[1],
        at(start, 3),
    )?;

    // Enrolment drive over the first two weeks: about half the households
    // join the fund; a woman from some households in two villages joins the SHG.
    let mut fund: Vec<String> = Vec::new();
    let mut shg: Vec<(String, &str)> = Vec::new();
    for (i, h) in hh.iter().enumerate() {
        let day = start
            .checked_add(((i % 14) as i64 + 1).days())
            .unwrap_or(start);
        let t = at(day, (i / 14) as i64);
        if rng.chance(55) {
            let head = &h.people[0];
            let nominee = h.people.get(1).unwrap_or(head);
            let form = MemberForm {
                name: head.name.clone(),
                relative_name: format!(
                    "{} {}",
                    rng.pick(&MEN),
                    head.name.split(' ').next_back().unwrap_or("")
                ),
                gender: head.gender.into(),
                age: Some(head.age.to_string()),
                ration_card: Some(h.card.clone()),
                phone: rng
                    .chance(70)
                    .then(|| format!("9{:09}", rng.below(1_000_000_000))),
                ..MemberForm::default()
            };
            let e = EnrolForm {
                scheme: FUND.into(),
                nominee_name: Some(nominee.name.clone()),
                nominee_relation: Some(nominee.relation.into()),
                ..EnrolForm::default()
            };
            match books.register_member(&volunteer, &form, &[e], t) {
                Ok(r) => fund.push(r.member_id),
                // Random names can repeat with the same random father's
                // name: the kiosk takes them for one person; skip him.
                Err(BooksError::DuplicatePerson { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let group = match h.village {
            v if v == VILLAGES[0] => Some("SHG-RAM1"),
            v if v == VILLAGES[1] => Some("SHG-SIT1"),
            _ => None,
        };
        if let (Some(g), Some(woman)) = (
            group,
            h.people
                .iter()
                .find(|p| p.gender == "F" && (18..=60).contains(&p.age)),
        ) && rng.chance(25)
        {
            let husband = &h.people[0].name;
            let mut aadhaar_prefix =
                format!("{}{:010}", 2 + rng.below(8), rng.below(10_000_000_000));
            aadhaar_prefix.truncate(11);
            let digits: Vec<u8> = aadhaar_prefix.bytes().map(|b| b - b'0').collect();
            let aadhaar = format!(
                "{aadhaar_prefix}{}",
                crate::domain::aadhaar::verhoeff_check_digit(&digits)
            );
            let form = MemberForm {
                name: woman.name.clone(),
                relative_name: husband.clone(),
                gender: "F".into(),
                age: Some(woman.age.to_string()),
                ration_card: Some(h.card.clone()),
                aadhaar: Some(aadhaar),
                ..MemberForm::default()
            };
            let e = EnrolForm {
                scheme: SHG.into(),
                group: Some(g.into()),
                ..EnrolForm::default()
            };
            match books.register_member(&volunteer, &form, &[e], at(day, 200 + (i / 14) as i64)) {
                Ok(r) => shg.push((r.member_id, g)),
                // A random Aadhaar can collide with an earlier one: skip her.
                Err(BooksError::DuplicateAadhaar { .. } | BooksError::DuplicatePerson { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }

    // Day by day: fund dues on each member's own day of the month, SHG
    // savings at each group's weekly meeting, a reversal now and then, and a
    // day close every evening that had cash.
    let mut receipts = 0u64;
    let mut day = start.checked_add(15.days()).unwrap_or(start);
    while day <= end {
        let mut minute = 0i64;
        let mut had_cash = false;
        let mut last_receipt: Option<String> = None;
        for (k, id) in fund.iter().enumerate() {
            if (k as i8 % 27) + 1 != day.day() || !rng.chance(85) {
                continue;
            }
            let t = at(day, minute);
            minute += 1;
            if books.dues_in(id, FUND, t)?.amount_due.0 == 0 {
                continue;
            }
            let p = books.pay(&volunteer, id, FUND, None, None, t)?;
            last_receipt = Some(p.receipt);
            receipts += 1;
            had_cash = true;
        }
        let weekday = day.weekday().to_monday_zero_offset();
        for (g, meeting) in [("SHG-RAM1", 1), ("SHG-SIT1", 4)] {
            if weekday != meeting {
                continue;
            }
            for (id, _) in shg.iter().filter(|(_, gg)| *gg == g) {
                if !rng.chance(90) {
                    continue;
                }
                let t = at(day, 300 + minute);
                minute += 1;
                if books.dues_in(id, SHG, t)?.arrears_periods <= 0 {
                    continue;
                }
                let amount = (20 + 10 * rng.below(4)).to_string();
                books.pay(&volunteer, id, SHG, Some(&amount), Some("1"), t)?;
                receipts += 1;
                had_cash = true;
            }
        }
        if let Some(r) = last_receipt
            && day.day() == 20
        {
            books.reverse(&supervisor, &r, "गलत सदस्य के नाम पर रसीद कटी", at(day, 400))?;
            receipts += 1;
        }
        if had_cash {
            let expected = books.expected_cash()?.0;
            let hundreds = expected / 10_000;
            let rest = expected % 10_000;
            let short = day.day() == 11 && hundreds > 0;
            let notes = format!("100={}", if short { hundreds - 1 } else { hundreds });
            let coins = format!("{}.{:02}", rest / 100, rest % 100);
            let reason = short.then_some("₹100 का नोट कम मिला, कल जाँच करेंगे");
            books.day_close(&volunteer, &notes, &coins, reason, at(day, 480))?;
        }
        day = match day.tomorrow() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    // The synthetic past was handed out on paper long ago: nothing of it
    // waits in the print queue.
    books
        .store
        .write(|w| crate::store::print_queue::mark_all_printed(w.conn()))?;
    books.store.set_bulk_mode(false)?;
    books.store.checkpoint()?;
    let conn = books.store.conn();
    let households = queries::household_count(conn)?;
    Ok(Summary {
        households,
        members: queries::member_count(conn)?,
        receipts,
    })
}
