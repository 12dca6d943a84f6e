//! `dastak demo`: a synthetic panchayat to try everything on.
//!
//! Three villages, a ration-card list of a few hundred households with Hindi
//! names, the fund, two SHGs, three operators, and about six months of
//! contributions, reversals and day closes — all made through the same
//! operations as real work, so `dastak verify` passes on the result.
//!
//! The fund's rules (a 90-day wait, ₹150 of benefit per listed household,
//! a 2 % fee) are recorded on the first day, and two fund members die near the end: one claim filed 20
//! days ago, taken through every step and paid, and one filed 4 days ago
//! whose notice is up and whose objection window is still open. Their
//! decisions come, as a lab's do, in signed acknowledgements applied by
//! [`crate::sync`]; the lab is made up ([`DemoLab`]): its key is derived
//! from a fixed phrase that only this module knows, its age identity is
//! thrown away once the two accounts are sealed to it, and the kiosk is
//! left unlinked afterwards, as a new kiosk is, to be linked to a real lab.
//! Before that, the made-up lab's fund statements of the story's last
//! month and the one before are kept, as if they had come on a stick, so
//! `dastak fund statement` has one to print. A demo of fewer than six fund
//! members has no claims and no statement.
//!
//! The numbers come from a fixed-seed SplitMix64 written here rather than
//! the `rand` crate: the demo must be the same on every machine and every
//! version, and SplitMix64 is ten lines.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use crate::books::claims::ClaimForm;
use crate::books::members::{EnrolForm, MemberForm};
use crate::books::setup::{InitForm, NewOperator, init};
use crate::books::{Books, BooksError, DataDir};
use crate::domain::fund::FundRules;
use crate::domain::scheme::{FUND, SHG};
use crate::domain::time::{display_date, format_instant, ist, local_date};
use crate::store::queries::{self, OperatorRow};
use dastak_core::domain::event::{GENESIS, hash_hex};
use dastak_core::wire::{Ack, Decision, Step};

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

/// The demo's district lab, which exists only here: a fixed key that
/// signs its decisions on the demo's claims, and its claim log (the signed
/// entries, in order). Deriving the key from a phrase, not drawing it, is
/// what makes the demo the same everywhere; it is no secret, which is why
/// the demo kiosk does not stay linked to it.
struct DemoLab {
    key: ed25519_dalek::SigningKey,
    log: Vec<String>,
    /// The demo kiosk's code: every decision is on its claims.
    kiosk: String,
}

impl DemoLab {
    fn new(kiosk: &str) -> DemoLab {
        use sha2::Digest;
        let seed: [u8; 32] = sha2::Sha256::digest(b"dastak demo lab, not a real one").into();
        DemoLab {
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
            log: Vec::new(),
            kiosk: kiosk.to_string(),
        }
    }

    fn ack_key(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    /// Takes one step on `claim` in the lab's log and hands the kiosk the
    /// acknowledgement that carries it, as a sync at `now` would.
    fn decide(
        &mut self,
        books: &mut Books,
        claim: &str,
        officer: &str,
        step: Step,
        now: Timestamp,
    ) -> Result<(), BooksError> {
        let prev = self
            .log
            .last()
            .map_or_else(|| GENESIS.to_string(), |b| hash_hex(b.as_bytes()));
        let decision = Decision {
            v: Decision::VERSION,
            n: self.log.len() as u64 + 1,
            prev,
            kiosk: self.kiosk.clone(),
            claim: claim.to_string(),
            officer: officer.to_string(),
            at: format_instant(now),
            step,
        };
        self.log
            .push(String::from_utf8_lossy(&decision.sign(&self.key)).into_owned());
        // The lab holds none of the kiosk's events (`through` 0): the demo
        // kiosk never sent any, and says so.
        let ack = Ack {
            v: 1,
            kiosk: self.kiosk.clone(),
            through: 0,
            hash: GENESIS.to_string(),
            at: format_instant(now),
            decisions: self.log.clone(),
        };
        crate::sync::apply_ack(&mut books.store, &ack.sign(&self.key), now)?;
        Ok(())
    }
}

impl DemoLab {
    /// What the fund holds: everything its only kiosk took, less what was
    /// given back, less what this lab paid out.
    fn holds(&self, books: &Books) -> Result<crate::domain::money::Paise, BooksError> {
        let mut held = 0i64;
        for (_, amount, reversal) in queries::scheme_takings(books.store.conn(), FUND)? {
            held += if reversal { -amount.0 } else { amount.0 };
        }
        for entry in &self.log {
            if let Ok(d) = Decision::read_recorded(entry.as_bytes())
                && let Step::Paid { amount, .. } = d.step
            {
                held -= amount.0;
            }
        }
        Ok(crate::domain::money::Paise(held))
    }

    /// The fund's statement of the month starting `first`, standing at
    /// `as_of`, signed at `made`, as a lab whose only kiosk is the demo's
    /// would make it: `dastak-lab` reads the same figures from its rollups
    /// and its claim log, and [`dastak_core::statement`] adds them up for
    /// both. Kept at the kiosk with this lab's key, as one off a stick is.
    fn statement(
        &self,
        books: &mut Books,
        claims: &[String],
        first: Date,
        as_of: Date,
        made: Timestamp,
    ) -> Result<(), BooksError> {
        use crate::domain::fund::standing;
        use dastak_core::statement::{ClaimHistory, MonthTotal, fee, reckon};
        use dastak_core::wire::StandingCounts;

        let conn = books.store.conn();
        let corrupt =
            |what: &str| crate::store::StoreError::Corrupt(format!("demo statement: {what}"));
        let months: Vec<MonthTotal> = queries::scheme_takings(conn, FUND)?
            .into_iter()
            .map(|(at, amount, reversal)| {
                let on = at.parse::<Timestamp>().map_err(|_| corrupt(&at))?;
                Ok(MonthTotal {
                    month: crate::domain::time::month_code(local_date(on)),
                    net: crate::domain::money::Paise(if reversal { -amount.0 } else { amount.0 }),
                    receipts: u64::from(!reversal),
                    reversals: u64::from(reversal),
                })
            })
            .collect::<Result<_, BooksError>>()?;

        let book = books.fund_rules(FUND)?;
        let (mut histories, mut whose) = (Vec::new(), Vec::new());
        for number in claims {
            let c = queries::claim(conn, number)?.ok_or_else(|| corrupt(number))?;
            let m = queries::member(conn, &c.member_id)?.ok_or_else(|| corrupt(number))?;
            let died_on: Date = c.died_on.parse().map_err(|_| corrupt(&c.died_on))?;
            let mut steps = Vec::new();
            for entry in &self.log {
                let d = dastak_core::wire::Decision::read_recorded(entry.as_bytes())
                    .map_err(|_| corrupt("decision"))?;
                if d.claim == *number {
                    let on = d.at.parse::<Timestamp>().ok().map(local_date);
                    steps.push((on, d.step));
                }
            }
            whose.push(c.member_id.clone());
            histories.push(ClaimHistory {
                claim: c.claim,
                name: m.name,
                village: m.village,
                died_on,
                filed_on: c.filed_at.parse::<Timestamp>().ok().map(local_date),
                steps,
                fee: fee(&book, died_on),
            });
        }

        let mut members = StandingCounts::default();
        for e in queries::enrolments_in(conn, FUND)? {
            if e.enrolled_on > as_of || e.left_on.is_some_and(|l| l <= as_of) {
                continue;
            }
            if histories
                .iter()
                .zip(&whose)
                .any(|(h, m)| *m == e.member_id && h.records_death_by(as_of))
            {
                members.died += 1;
                continue;
            }
            let paid: Vec<_> =
                crate::books::members::fund_paid(&queries::contributions_of(conn, &e.member_id)?)
                    .into_iter()
                    .filter(|p| p.on <= as_of)
                    .collect();
            members.count(&standing(&book, e.enrolled_on, &paid, as_of));
        }

        let s = reckon(
            FUND,
            first,
            as_of,
            &format_instant(made),
            &months,
            &histories,
            members,
        );
        let signed = String::from_utf8_lossy(&s.clone().sign(&self.key)).into_owned();
        books.store.write(|w| {
            queries::keep_statement(
                w.conn(),
                &s.scheme,
                &s.month,
                &s.at,
                &signed,
                &s.at,
                &self.ack_key(),
            )
        })?;
        Ok(())
    }
}

/// A fund member who dies in the demo's story, and her claim.
struct Death {
    member: String,
    nominee: String,
    relation: &'static str,
    died: Date,
    /// Filed this many days before the story's end.
    filed: i64,
    /// Paid in full; else left in its objection window.
    paid: bool,
    claim: Option<String>,
}

impl Death {
    fn file(
        &mut self,
        books: &mut Books,
        supervisor: &OperatorRow,
        admin: &OperatorRow,
        now: Timestamp,
    ) -> Result<(), BooksError> {
        let form = ClaimForm {
            member_id: self.member.clone(),
            died_on: display_date(self.died),
            cause: if self.paid { "illness" } else { "natural" }.into(),
            certificate: format!("D-2026-{:05}", 4_100 + self.filed),
            authority: "ग्राम पंचायत रामपुर".into(),
            claimant: self.nominee.clone(),
            relation: self.relation.into(),
            phone: format!("98290{:05}", 31_000 + self.filed),
            reason: None,
            ifsc: "SBIN0031234".into(),
            account: format!("3012{:08}", 55_000 + self.filed),
            payees: Vec::new(),
            payee_accounts: Vec::new(),
        };
        self.claim = Some(books.file_claim(supervisor, admin, &form, now)?.claim);
        Ok(())
    }
}

/// On `day`, the story's claims: filed, and decided at the lab in the
/// days after, each decision reaching the kiosk in an acknowledgement.
fn claim_day(
    books: &mut Books,
    lab: &mut DemoLab,
    deaths: &mut [Death],
    ago: i64,
    day: Date,
    ops: (&OperatorRow, &OperatorRow),
) -> Result<(), BooksError> {
    let (supervisor, admin) = ops;
    for d in deaths.iter_mut() {
        let mut minute = 500;
        let mut t = || {
            minute += 5;
            at(day, minute)
        };
        if ago == d.filed {
            d.file(books, supervisor, admin, t())?;
        }
        let Some(claim) = d.claim.clone() else {
            continue;
        };
        // Read only on a day a step needs them: the rules in force on the
        // day of death, and what the one nominee takes (benefit less fee).
        let rules = |books: &Books| books.fund_rules(FUND);
        let net = |books: &Books| -> Result<crate::domain::money::Paise, BooksError> {
            Ok(crate::domain::fund::payout(&rules(books)?, d.died, &[100])
                .map_err(BooksError::Fund)?
                .net)
        };
        let step = match (d.paid, d.filed - ago) {
            (_, 1) => Some(("meena", Step::Verified)),
            (_, 2) => {
                let days = rules(books)?.in_force(d.died).objection_days;
                Some((
                    "meena",
                    Step::Published {
                        until: day.checked_add(i64::from(days).days()).unwrap_or(day),
                    },
                ))
            }
            (true, 9) => Some((
                "admin",
                Step::Approved {
                    amount: net(books)?,
                },
            )),
            // Paid only from what the fund holds, as a lab pays: else it
            // stays approved, waiting for the fund.
            (true, 10) => {
                let net = net(books)?;
                (lab.holds(books)?.0 >= net.0).then(|| {
                    (
                        "admin",
                        Step::Paid {
                            amount: net,
                            bank_ref: "SBIN226123456789".into(),
                            on: day,
                            parts: Vec::new(),
                        },
                    )
                })
            }
            _ => None,
        };
        if let Some((officer, step)) = step {
            lab.decide(books, &claim, officer, step, t())?;
        }
    }
    Ok(())
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
    // The fund's rules from its first day, with a 90-day wait (the
    // standard 180 would leave the whole half-year demo still waiting), a
    // benefit of ₹150 per listed household in whole ₹500s (₹45,000 for the
    // default 300: about half of what half a year of the village's dues
    // brings; the standard ₹1,00,000 would be more than the fund holds,
    // and a lab does not pay what the fund does not hold) and a 2 % fee,
    // so the statement shows one.
    books.set_fund_rules(
        &admin,
        FundRules {
            waiting_days: 90,
            benefit: crate::domain::money::Paise(
                (i64::from(n_households) * 15_000 / 50_000 * 50_000).max(100_000),
            ),
            fee_percent: 2,
            ..FundRules::standard(start)
        },
        at(start, 1),
    )?;
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
    // Each fund member's nominee, when it is someone else in her household.
    let mut nominees: Vec<Option<(String, &'static str)>> = Vec::new();
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
                Ok(r) => {
                    fund.push(r.member_id);
                    nominees.push(h.people.get(1).map(|p| (p.name.clone(), p.relation)));
                }
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

    // The two who die: the last fund members whose nominee is someone
    // else (the first members are the ones the README and tests open),
    // both covered on the day.
    let mut deaths: Vec<Death> = Vec::new();
    if fund.len() >= 6 {
        let last_two = (0..fund.len())
            .rev()
            // Not one who pays on the 20th, the day the demo reverses the
            // day's last receipt: her cover would not hold.
            .filter(|k| k % 27 + 1 != 20)
            .filter_map(|k| nominees[k].clone().map(|n| (k, n)))
            .take(2);
        for ((k, (nominee, relation)), (paid, died, filed)) in
            last_two.zip([(true, 25, 20), (false, 6, 4)])
        {
            deaths.push(Death {
                member: fund[k].clone(),
                nominee,
                relation,
                died: end.checked_sub(died.days()).unwrap_or(end),
                filed,
                paid,
                claim: None,
            });
        }
    }
    let mut lab = DemoLab::new(&form.kiosk);
    if !deaths.is_empty() {
        // Sealed to a lab identity nobody keeps: the accounts are made up.
        let identity = age::x25519::Identity::generate();
        crate::sync::link(
            &mut books.store,
            &identity.to_public().to_string(),
            &lab.ack_key(),
            None,
        )?;
    }

    // Day by day: fund dues on each member's own day of the month, SHG
    // savings at each group's weekly meeting, a reversal now and then, and a
    // day close every evening that had cash.
    let mut receipts = 0u64;
    let mut day = start.checked_add(15.days()).unwrap_or(start);
    let mut ago = DAYS - 15;
    while day <= end {
        let mut minute = 0i64;
        let mut had_cash = false;
        let mut last_receipt: Option<String> = None;
        for (k, id) in fund.iter().enumerate() {
            // `k % 27` before narrowing: a wrapped `k as i8` left every
            // member from the 129th on without a pay day, lapsed.
            if (k % 27) as i8 + 1 != day.day() {
                continue;
            }
            // Those who die in the story pay every month while they live
            // (their cover must hold), and nothing after.
            let chance = rng.chance(85);
            let dies = deaths.iter().find(|d| d.member == *id);
            if dies.is_some_and(|d| day > d.died) || !(chance || dies.is_some()) {
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
        claim_day(
            &mut books,
            &mut lab,
            &mut deaths,
            ago,
            day,
            (&supervisor, &admin),
        )?;
        ago -= 1;
        day = match day.tomorrow() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    // The lab's statements of the story's last month and the one before,
    // made the evening the story ends, for the notice board.
    if !deaths.is_empty() {
        let claims: Vec<String> = deaths.iter().filter_map(|d| d.claim.clone()).collect();
        let this = end.first_of_month();
        let before = this
            .checked_sub(1.month())
            .map_err(|_| BooksError::BadDate(crate::books::Field::Date))?;
        for first in [before, this] {
            let as_of = first.last_of_month().min(end);
            lab.statement(&mut books, &claims, first, as_of, at(end, 600))?;
        }
    }
    // The made-up lab's key is no secret: the kiosk waits for a real one.
    books
        .store
        .write(|w| crate::store::lab_link::clear(w.conn()))?;
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
