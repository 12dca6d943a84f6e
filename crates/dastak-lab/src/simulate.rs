//! Synthetic kiosks, for load tests, benches and demos: each has its own
//! key and a ledger that a busy panchayat centre would write (the kiosk set
//! up, two operators, villagers registered and enrolled in the fund, cash
//! taken most days, a reversal now and then, a day close every evening,
//! now and then short with a reason), built with the shared crate's event
//! types and batch format, signed with the kiosk's key and sealed to the
//! lab, so the lab opens and checks them exactly as a real kiosk's.
//!
//! Deterministic for a seed: the same plan makes the same bytes, so load
//! runs compare. Written here rather than with a random-data crate because
//! what matters is the shape of a kiosk's day, which no such crate knows.

use ed25519_dalek::SigningKey;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use dastak_core::domain::aadhaar::{Aadhaar, DistrictSecret, verhoeff_check_digit};
use dastak_core::domain::cash::NoteCount;
use dastak_core::domain::event::{
    Body, ClaimFiled, ClockConfirmed, ContributionReversed, ContributionTaken, DayClosed, Enrolled,
    Event, FORMAT_VERSION, GENESIS, HouseholdsImported, KioskInitialised, MemberRecord,
    MemberRegistered, Nominee, OperatorAdded, PdsRow, SchemeDefined, hash_hex,
};
use dastak_core::domain::money::Paise;
use dastak_core::domain::operator::Role;
use dastak_core::domain::person::{Birth, Gender};
use dastak_core::domain::scheme::{SHG, builtin_schemes};
use dastak_core::domain::time::{format_instant, ist};
use dastak_core::i18n::Lang;
use dastak_core::wire::BatchBody;

/// What to simulate.
#[derive(Clone, Debug)]
pub struct Plan {
    pub kiosks: u32,
    pub days: u32,
    /// Members each kiosk registers on its first day.
    pub members: u32,
    /// Contributions each kiosk takes on a working day.
    pub per_day: u32,
    /// The first day.
    pub start: Date,
    pub seed: u64,
    /// The kiosks' codes are this and a number: SIM00001…
    pub prefix: String,
    /// Every kiosk's panchayat, when set, instead of a made-up one: what a
    /// careless or hostile kiosk may send (tests of how the lab shows it).
    pub panchayat: Option<String>,
}

impl Default for Plan {
    fn default() -> Plan {
        Plan {
            kiosks: 10,
            days: 30,
            members: 60,
            per_day: 20,
            start: jiff::civil::date(2026, 10, 1),
            seed: 1,
            prefix: "SIM".into(),
            panchayat: None,
        }
    }
}

/// One synthetic kiosk: its code, key, and its events' canonical bytes in
/// order.
pub struct SimKiosk {
    pub code: String,
    pub key: SigningKey,
    pub events: Vec<String>,
}

impl SimKiosk {
    /// Its ledger as signed batches of at most 250 events, as `dastak
    /// export` writes them (before sealing).
    pub fn signed_batches(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut prev = GENESIS.to_string();
        for (i, chunk) in self.events.chunks(250).enumerate() {
            let first = (i * 250) as u64 + 1;
            // Built from events this module serialised: always JSON.
            let Ok(body) = BatchBody::new(&self.code, first, &prev, chunk.to_vec()) else {
                continue;
            };
            prev = body.head.clone();
            out.push(body.sign(&self.key));
        }
        out
    }

    /// Appends an event at `at`, chained to its last one (a claim, for the
    /// demo and the tests).
    pub fn push(&mut self, at: Timestamp, body: Body) {
        let mut ledger = Ledger {
            code: self.code.clone(),
            prev: self
                .events
                .last()
                .map_or_else(|| GENESIS.to_string(), |e| hash_hex(e.as_bytes())),
            events: std::mem::take(&mut self.events),
        };
        ledger.push(at, body);
        self.events = ledger.events;
    }

    /// Places an event at `at` among the others in time order, the ones
    /// after it numbered and chained again (the ledger is synthetic, so it
    /// can be written as if the event had always been there).
    pub fn insert(&mut self, at: Timestamp, body: Body) {
        let when = |e: &String| {
            Event::from_canonical(e.as_bytes())
                .ok()
                .and_then(|e| e.at.parse::<Timestamp>().ok())
        };
        let split = self
            .events
            .iter()
            .position(|e| when(e).is_some_and(|t| t > at))
            .unwrap_or(self.events.len());
        let later = self.events.split_off(split);
        self.push(at, body);
        for e in later {
            // Each was written by this module: it parses.
            if let Ok(event) = Event::from_canonical(e.as_bytes())
                && let Ok(t) = event.at.parse::<Timestamp>()
            {
                self.push(t, event.body);
            }
        }
    }

    /// Keeps only the events `keep` says to, numbered and chained again
    /// (the demo's dead members pay nothing after their deaths).
    pub fn retain(&mut self, keep: impl Fn(&Event) -> bool) {
        let all = std::mem::take(&mut self.events);
        for e in all {
            // Each was written by this module: it parses.
            if let Ok(event) = Event::from_canonical(e.as_bytes())
                && keep(&event)
                && let Ok(t) = event.at.parse::<Timestamp>()
            {
                self.push(t, event.body);
            }
        }
    }

    /// A death claim as this kiosk's supervisor would file it for its
    /// member `member_id` of the fund (its `n`th claim), claimed by her
    /// recorded nominee, the bank account sealed to the lab (`recipient`).
    /// None when `recipient` is not an age recipient, or she is no member
    /// of the fund with a nominee.
    pub fn claim(
        &self,
        n: u32,
        member_id: &str,
        died_on: jiff::civil::Date,
        recipient: &str,
    ) -> Option<ClaimFiled> {
        use dastak_core::domain::claim::{
            AccountNumber, Claimant, DeathCause, Ifsc, SealedAccount,
        };
        // An account number of the kiosk and the claim (so two claims never
        // share one by chance); both it and the IFSC are well formed.
        let of_kiosk = hash_hex(self.code.as_bytes())
            .bytes()
            .take(6)
            .fold(0u32, |a, b| a * 10 + u32::from(b % 10));
        let number = AccountNumber::parse(&format!("3{of_kiosk:06}{n:05}")).ok()?;
        let ifsc = Ifsc::parse("SBIN0001234").ok()?;
        let sealed = dastak_core::wire::seal(number.digits().as_bytes(), recipient).ok()?;
        // Claimed by the nominee she named when she joined.
        let nominee = self.events.iter().find_map(|e| {
            match Event::from_canonical(e.as_bytes()).ok()?.body {
                Body::Enrolled(en) if en.member_id == member_id && en.scheme == "FUND" => {
                    en.nominee
                }
                _ => None,
            }
        })?;
        Some(ClaimFiled {
            claim: format!("{}-C{n:04}", self.code),
            member_id: member_id.to_string(),
            scheme: "FUND".into(),
            died_on,
            cause: DeathCause::Illness,
            certificate: format!("D-2026-{n:05}"),
            authority: "ग्राम पंचायत".into(),
            claimant: Claimant {
                name: nominee.name,
                relation: nominee.relation,
                phone: format!("98{:08}", of_kiosk * 100 + n % 100),
                nominee: true,
                reason: None,
            },
            account: SealedAccount::new(ifsc, &number, &sealed),
            bars: Vec::new(),
            attested_by: "VOL2".into(),
            by: "ADMIN".into(),
            nominees: Vec::new(),
        })
    }
}

/// A small deterministic generator (xorshift64*): enough to vary names and
/// amounts; nothing here is secret.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

const PANCHAYATS: &[&str] = &[
    "रामपुर",
    "सीतापुर",
    "बड़ी खेड़ा",
    "गोविंदपुरा",
    "चौमूं",
    "बस्सी",
    "कालवाड़",
    "नरैना",
];
const BLOCKS: &[&str] = &["सांगानेर", "दूदू", "फागी", "शाहपुरा"];
const GIVEN_F: &[&str] = &[
    "सुनीता",
    "कमला",
    "गीता",
    "आशा",
    "सरोज",
    "मीरा",
    "Pooja",
    "Anita",
];
const GIVEN_M: &[&str] = &["रामलाल", "गोपाल", "कैलाश", "मोहन", "सुरेश", "Ramesh", "Mahesh"];
const FAMILY: &[&str] = &["मीणा", "सैनी", "जाट", "शर्मा", "Gurjar", "Meena", "Saini"];
const WARDS: &[&str] = &["", " ढाणी", " कलां", " खुर्द"];

/// The `index`th kiosk of `plan`.
pub fn kiosk(plan: &Plan, index: u32) -> SimKiosk {
    let mut rng = Rng(plan.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (u64::from(index) + 1));
    rng.next();
    let code = format!("{}{:05}", plan.prefix, index + 1);
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&plan.seed.to_le_bytes());
    seed[8..12].copy_from_slice(&index.to_le_bytes());
    seed[12] = 0x5a;
    let key = SigningKey::from_bytes(&seed);
    let panchayat = format!(
        "{}{}",
        rng.pick(PANCHAYATS),
        if index as usize >= PANCHAYATS.len() {
            format!(" {}", index as usize / PANCHAYATS.len() + 1)
        } else {
            String::new()
        }
    );
    let villages: Vec<String> = (0..3)
        .map(|_| format!("{}{}", rng.pick(PANCHAYATS), rng.pick(WARDS)))
        .collect();
    let mut ledger = Ledger {
        code: code.clone(),
        prev: GENESIS.to_string(),
        events: Vec::new(),
    };
    let morning = |day: u32, minutes: i64| -> Timestamp {
        let d = plan
            .start
            .checked_add(i64::from(day).days())
            .unwrap_or(plan.start);
        d.at(9, 0, 0, 0)
            .to_zoned(ist())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .checked_add(minutes.minutes())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    };
    ledger.push(
        morning(0, 0),
        Body::KioskInitialised(KioskInitialised {
            kiosk: code.clone(),
            panchayat: plan.panchayat.clone().unwrap_or(panchayat),
            block: rng.pick(BLOCKS).to_string(),
            district: "जयपुर".into(),
            language: Lang::Hi,
        }),
    );
    // The fund and SHG savings, as `dastak init` defines them.
    for scheme in builtin_schemes() {
        ledger.push(
            morning(0, 0),
            Body::SchemeDefined(SchemeDefined {
                scheme,
                by: "ADMIN".into(),
            }),
        );
    }
    // Two volunteers: VOL2 keeps the centre one day in four.
    for (i, op) in ["VOL1", "VOL2"].into_iter().enumerate() {
        ledger.push(
            morning(0, 1 + i as i64),
            Body::OperatorAdded(OperatorAdded {
                code: op.into(),
                name: format!("{} {}", rng.pick(GIVEN_F), rng.pick(FAMILY)),
                role: Role::Volunteer,
                language: Lang::Hi,
                by: "ADMIN".into(),
            }),
        );
    }
    // Each member's village, and whether she may join an SHG (a woman of
    // 18 to 60).
    let mut roster: Vec<(String, bool)> = Vec::new();
    let members: Vec<String> = (0..plan.members.max(1))
        .map(|m| {
            let member_id = format!("{code}-{:05}", m + 1);
            let female = rng.below(2) == 0;
            let village = villages[rng.below(villages.len() as u64) as usize].clone();
            let years = 20 + rng.below(45) as u8;
            roster.push((village.clone(), female && years <= 60));
            let (given, gender) = if female {
                (rng.pick(GIVEN_F), Gender::Female)
            } else {
                (rng.pick(GIVEN_M), Gender::Male)
            };
            let at = morning(0, 10 + i64::from(m));
            ledger.push(
                at,
                Body::MemberRegistered(MemberRegistered {
                    member: MemberRecord {
                        member_id: member_id.clone(),
                        name: format!("{given} {}", rng.pick(FAMILY)),
                        relative_name: format!("{} {}", rng.pick(GIVEN_M), rng.pick(FAMILY)),
                        gender,
                        birth: Birth::Approx {
                            years,
                            as_of: plan.start,
                        },
                        village: villages[rng.below(villages.len() as u64) as usize].clone(),
                        ration_card: Some(card(&code, m)),
                        phone: None,
                        aadhaar: aadhaar_of(plan, index, m).map(|a| a.reduce(&district_secret())),
                    },
                    by: "VOL1".into(),
                }),
            );
            ledger.push(
                at,
                Body::Enrolled(Enrolled {
                    member_id: member_id.clone(),
                    scheme: "FUND".into(),
                    group: None,
                    on: plan.start,
                    nominee: Some(Nominee {
                        name: format!("{} {}", rng.pick(GIVEN_F), rng.pick(FAMILY)),
                        relation: "पत्नी".into(),
                    }),
                    by: "VOL1".into(),
                }),
            );
            member_id
        })
        .collect();
    // The panchayat's PDS list: every member's household, and half as
    // many again that no one from has come yet.
    let rows = (0..plan.members.max(1) * 3 / 2)
        .flat_map(|h| {
            let village = roster.get(h as usize).map_or_else(
                || villages[h as usize % villages.len()].clone(),
                |r| r.0.clone(),
            );
            let person = |name: &str, gender, age, relation: &str| PdsRow {
                ration_card: card(&code, h),
                village: village.clone(),
                name: name.to_string(),
                gender,
                age,
                relation: relation.to_string(),
            };
            let mut people = vec![
                person("मुखिया", Gender::Male, 45, "स्वयं"),
                person("पत्नी", Gender::Female, 40, "पत्नी"),
            ];
            if h % 2 == 1 {
                people.push(person("बेटी", Gender::Female, 19, "बेटी"));
            }
            people
        })
        .collect();
    ledger.push(
        morning(0, 5),
        Body::HouseholdsImported(HouseholdsImported {
            source: "pds.csv".into(),
            rows,
            by: "VOL1".into(),
        }),
    );
    // Every other woman who may joins the SHG.
    let shg: Vec<&String> = members
        .iter()
        .zip(&roster)
        .enumerate()
        .filter(|(m, (_, (_, may)))| *may && m % 2 == 0)
        .map(|(_, (id, _))| id)
        .collect();
    for (i, member) in shg.iter().enumerate() {
        ledger.push(
            morning(0, 100 + i as i64),
            Body::Enrolled(Enrolled {
                member_id: (*member).clone(),
                scheme: SHG.into(),
                group: None,
                on: plan.start,
                nominee: None,
                by: "VOL1".into(),
            }),
        );
    }
    let mut receipt_no = 0u32;
    for day in 0..plan.days {
        // Sundays the centre is shut.
        let date = plan
            .start
            .checked_add(i64::from(day).days())
            .unwrap_or(plan.start);
        if date.weekday() == jiff::civil::Weekday::Sunday {
            continue;
        }
        let mut cash: i64 = 0;
        let mut last_receipt: Option<(String, String, i64)> = None;
        let op = if rng.below(4) == 0 { "VOL2" } else { "VOL1" };
        // One day in thirty the kiosk doubted its clock and the volunteer
        // confirmed the date.
        if rng.below(30) == 0 {
            ledger.push(
                morning(day, 20),
                Body::ClockConfirmed(ClockConfirmed {
                    date,
                    by: op.into(),
                }),
            );
        }
        // One day in forty, a receipt is dated an hour before the one
        // before it (a clock set back, or an entry back-dated).
        let back = if rng.below(40) == 0 { 1 } else { 0 };
        // Mondays the SHG members bring their week's savings.
        if date.weekday() == jiff::civil::Weekday::Monday {
            for (i, member) in shg.iter().enumerate() {
                receipt_no += 1;
                cash += 2_000;
                ledger.push(
                    morning(day, 5 + i as i64 % 20),
                    Body::ContributionTaken(ContributionTaken {
                        receipt: format!("{code}/2026-27/{receipt_no:06}"),
                        member_id: (*member).clone(),
                        scheme: SHG.into(),
                        amount: Paise(2_000),
                        first_period: 0,
                        periods: 1,
                        by: op.into(),
                    }),
                );
            }
        }
        let taken = plan.per_day / 2 + rng.below(u64::from(plan.per_day)) as u32;
        let mut receipts_today = Vec::new();
        for j in 0..taken {
            receipt_no += 1;
            let receipt = format!("{code}/2026-27/{receipt_no:06}");
            let member = members[rng.below(members.len() as u64) as usize].clone();
            let periods = 1 + u32::from(rng.below(10) == 0);
            let amount = 10_000 * i64::from(periods);
            cash += amount;
            let minutes = 30 + i64::from(j) * 7 - if back == 1 && j == 1 { 60 } else { 0 };
            ledger.push(
                morning(day, minutes),
                Body::ContributionTaken(ContributionTaken {
                    receipt: receipt.clone(),
                    member_id: member.clone(),
                    scheme: "FUND".into(),
                    amount: Paise(amount),
                    first_period: 0,
                    periods,
                    by: op.into(),
                }),
            );
            receipts_today.push((receipt.clone(), member.clone(), amount));
            last_receipt = Some((receipt, member, amount));
        }
        // One day in twenty, the last receipt was for the wrong member;
        // one day in sixty, four receipts are taken back (a day an
        // officer should ask about).
        let reversed: Vec<(String, String, i64)> = if rng.below(60) == 0 {
            receipts_today.into_iter().rev().take(4).collect()
        } else if rng.below(20) == 0 {
            last_receipt.into_iter().collect()
        } else {
            Vec::new()
        };
        for (k, (original, member, amount)) in reversed.into_iter().enumerate() {
            receipt_no += 1;
            cash -= amount;
            ledger.push(
                morning(day, 400 + k as i64),
                Body::ContributionReversed(ContributionReversed {
                    receipt: format!("{code}/2026-27/{receipt_no:06}"),
                    original,
                    member_id: member,
                    scheme: "FUND".into(),
                    amount: Paise(amount),
                    periods: 1,
                    reason: "गलत सदस्य".into(),
                    by: op.into(),
                }),
            );
        }
        // One close in fifteen is ₹10 short.
        let short = if rng.below(15) == 0 { 1_000 } else { 0 };
        let counted = cash - short;
        let through_seq = ledger.events.len() as u64;
        ledger.push(
            morning(day, 480),
            Body::DayClosed(DayClosed {
                date,
                notes: vec![NoteCount {
                    rupees: 100,
                    count: (counted / 10_000).max(0) as u32,
                }],
                coins: Paise(counted % 10_000),
                counted: Paise(counted),
                expected: Paise(cash),
                variance: Paise(-short),
                reason: (short > 0).then(|| "छुट्टे पैसे कम".to_string()),
                through_seq,
                prev_close: GENESIS.into(),
                by: op.into(),
            }),
        );
    }
    SimKiosk {
        code,
        key,
        events: ledger.events,
    }
}

/// Household `h`'s ration card at kiosk `code`.
fn card(code: &str, h: u32) -> String {
    format!("RC-{code}-{:04}", h + 1)
}

/// The simulated district's Aadhaar key (every simulated kiosk is in the
/// same district, so the same number gives the same reference).
fn district_secret() -> DistrictSecret {
    DistrictSecret([0x42; 32])
}

/// A made-up, checksum-valid Aadhaar number for member `m` of kiosk
/// `index`. One kiosk in eight registers, as its second member, the
/// person the kiosk before it registered first: one person enrolled at
/// two kiosks, for the lab to find.
fn aadhaar_of(plan: &Plan, index: u32, m: u32) -> Option<Aadhaar> {
    let (index, m) = if index > 0 && index.is_multiple_of(8) && m == 1 {
        (index - 1, 0)
    } else {
        (index, m)
    };
    // Kiosks of another prefix (another simulated district's) are other
    // people.
    let prefix = plan
        .prefix
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let n = plan.seed.wrapping_mul(1_000_003).wrapping_add(prefix) % 1000 * 10_000_000
        + u64::from(index % 10_000) * 1000
        + u64::from(m % 1000);
    // 11 digits, the first of them 2 to 9, then the check digit.
    let body = format!("{:011}", 20_000_000_000 + n % 70_000_000_000);
    let mut digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
    digits.push(verhoeff_check_digit(&digits));
    let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    // A number built with its own check digit always parses.
    Aadhaar::parse(&text).ok()
}

/// A ledger being written: each event chained to the one before.
struct Ledger {
    code: String,
    prev: String,
    events: Vec<String>,
}

impl Ledger {
    fn push(&mut self, at: Timestamp, body: Body) {
        let event = Event {
            v: FORMAT_VERSION,
            kiosk: self.code.clone(),
            seq: self.events.len() as u64 + 1,
            at: format_instant(at),
            prev: self.prev.clone(),
            body,
        };
        let bytes = event.canonical_bytes();
        self.prev = hash_hex(&bytes);
        // Canonical bytes are UTF-8 JSON.
        self.events
            .push(String::from_utf8(bytes).unwrap_or_default());
    }
}
