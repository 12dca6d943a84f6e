//! The ledger's canonical bytes are frozen: the lab re-computes these
//! hashes, so any change to a field's name, order or encoding must fail
//! here and become a new format version instead.

use dastak::domain::aadhaar::AadhaarRef;
use dastak::domain::cash::NoteCount;
use dastak::domain::claim::{Claimant, DeathCause, Ifsc, SealedAccount};
use dastak::domain::event::{
    Body, ClockConfirmed, ContributionReversed, ContributionTaken, DayClosed, DuplicateAccepted,
    Enrolled, Event, GENESIS, GroupCreated, HouseholdsImported, KioskInitialised, MemberCorrected,
    MemberRecord, MemberRegistered, Nominee, NomineeChanged, OperatorAdded, PdsRow, SchemeDefined,
    SchemeLeft, hash_hex,
};
use dastak::domain::event::{ClaimDecided, ClaimFiled, FundRulesSet, NomineeShare, NomineesSet};
use dastak::domain::fund::{Bar, FundRules};
use dastak::domain::money::Paise;
use dastak::domain::operator::Role;
use dastak::domain::person::{Birth, Gender};
use dastak::domain::scheme::builtin_schemes;
use dastak::i18n::Lang;
use jiff::civil::date;

fn bodies() -> Vec<Body> {
    vec![
        Body::KioskInitialised(KioskInitialised {
            kiosk: "RMP01".into(),
            panchayat: "रामपुर".into(),
            block: "सांगानेर".into(),
            district: "जयपुर".into(),
            language: Lang::Hi,
        }),
        Body::OperatorAdded(OperatorAdded {
            code: "VOL1".into(),
            name: "Pooja".into(),
            role: Role::Volunteer,
            language: Lang::En,
            by: "ADMIN".into(),
        }),
        Body::SchemeDefined(SchemeDefined {
            scheme: builtin_schemes().remove(0),
            by: "ADMIN".into(),
        }),
        Body::GroupCreated(GroupCreated {
            code: "SHG1".into(),
            scheme: "SHG".into(),
            name: "लक्ष्मी समूह".into(),
            village: "रामपुर".into(),
            by: "SUP1".into(),
        }),
        Body::HouseholdsImported(HouseholdsImported {
            source: "pds.csv".into(),
            rows: vec![PdsRow {
                ration_card: "RJ0001".into(),
                village: "रामपुर".into(),
                name: "सुनीता देवी".into(),
                gender: Gender::Female,
                age: 45,
                relation: "पत्नी".into(),
            }],
            by: "VOL1".into(),
        }),
        Body::MemberRegistered(MemberRegistered {
            member: MemberRecord {
                member_id: "RMP01-00001".into(),
                name: "सुनीता देवी".into(),
                relative_name: "रामलाल मीणा".into(),
                gender: Gender::Female,
                birth: Birth::Approx {
                    years: 45,
                    as_of: date(2026, 11, 23),
                },
                village: "रामपुर".into(),
                ration_card: Some("RJ0001".into()),
                phone: None,
                aadhaar: Some(AadhaarRef {
                    last4: "0124".into(),
                    hash: "ab".repeat(32),
                }),
            },
            by: "VOL1".into(),
        }),
        Body::Enrolled(Enrolled {
            member_id: "RMP01-00001".into(),
            scheme: "FUND".into(),
            group: None,
            on: date(2026, 11, 23),
            nominee: Some(Nominee {
                name: "रामलाल मीणा".into(),
                relation: "पति".into(),
            }),
            by: "VOL1".into(),
        }),
        Body::ContributionTaken(ContributionTaken {
            receipt: "RMP01/2026-27/000001".into(),
            member_id: "RMP01-00001".into(),
            scheme: "FUND".into(),
            amount: Paise(10_000),
            first_period: 0,
            periods: 1,
            by: "VOL1".into(),
        }),
        Body::ContributionReversed(ContributionReversed {
            receipt: "RMP01/2026-27/000002".into(),
            original: "RMP01/2026-27/000001".into(),
            member_id: "RMP01-00001".into(),
            scheme: "FUND".into(),
            amount: Paise(10_000),
            periods: 1,
            reason: "गलत सदस्य".into(),
            by: "SUP1".into(),
        }),
        Body::DayClosed(DayClosed {
            date: date(2026, 11, 23),
            notes: vec![NoteCount {
                rupees: 100,
                count: 2,
            }],
            coins: Paise(550),
            counted: Paise(20_550),
            expected: Paise(20_000),
            variance: Paise(550),
            reason: Some("extra coins".into()),
            through_seq: 9,
            prev_close: GENESIS.into(),
            by: "VOL1".into(),
        }),
        Body::ClockConfirmed(ClockConfirmed {
            date: date(2026, 11, 23),
            by: "ADMIN".into(),
        }),
        // Issue 10: members change, and namesakes let through.
        Body::DuplicateAccepted(DuplicateAccepted {
            member_id: "RMP01-00002".into(),
            like: "RMP01-00001".into(),
            supervisor: "SUP1".into(),
            reason: "दूसरी सुनीता, पति मोहन".into(),
            by: "VOL1".into(),
        }),
        Body::MemberCorrected(MemberCorrected {
            member_id: "RMP01-00001".into(),
            phone: Some("9876543210".into()),
            aadhaar: Some(AadhaarRef {
                last4: "0124".into(),
                hash: "cd".repeat(32),
            }),
            relative_name: None,
            reason: "कार्ड बाद में लाईं".into(),
            by: "VOL1".into(),
        }),
        Body::NomineeChanged(NomineeChanged {
            member_id: "RMP01-00001".into(),
            scheme: "FUND".into(),
            nominee: Nominee {
                name: "राजू".into(),
                relation: "पुत्र".into(),
            },
            on: date(2026, 11, 24),
            reason: "पति का देहांत".into(),
            by: "VOL1".into(),
        }),
        Body::SchemeLeft(SchemeLeft {
            member_id: "RMP01-00001".into(),
            scheme: "SHG".into(),
            on: date(2026, 11, 24),
            reason: "गाँव छोड़ दिया".into(),
            by: "SUP1".into(),
        }),
        Body::FundRulesSet(FundRulesSet {
            scheme: "FUND".into(),
            rules: FundRules::standard(date(2027, 1, 1)),
            by: "ADMIN".into(),
        }),
        Body::NomineesSet(NomineesSet {
            member_id: "RMP01-00001".into(),
            scheme: "FUND".into(),
            nominees: vec![
                NomineeShare {
                    name: "राजू".into(),
                    relation: "पुत्र".into(),
                    share: 60,
                    account: None,
                },
                NomineeShare {
                    name: "गीता".into(),
                    relation: "पुत्री".into(),
                    share: 40,
                    account: None,
                },
            ],
            on: date(2026, 11, 24),
            reason: "बेटी को भी जोड़ा".into(),
            by: "VOL1".into(),
        }),
        Body::ClaimFiled(ClaimFiled {
            claim: "RMP01-C0001".into(),
            member_id: "RMP01-00001".into(),
            scheme: "FUND".into(),
            died_on: date(2026, 11, 20),
            cause: DeathCause::Illness,
            certificate: "D-2026-000123".into(),
            authority: "ग्राम पंचायत रामपुर".into(),
            claimant: Claimant {
                name: "राजू".into(),
                relation: "पुत्र".into(),
                phone: "9829012345".into(),
                nominee: true,
                reason: None,
            },
            account: SealedAccount {
                ifsc: Ifsc::parse("SBIN0001234").expect("ifsc"),
                last4: "9012".into(),
                // Sealed bytes differ each time; fixed here for the golden.
                sealed: "YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==".into(),
            },
            bars: vec![Bar::Waiting {
                until: date(2027, 3, 1),
            }],
            attested_by: "VOL2".into(),
            by: "SUP1".into(),
            nominees: Vec::new(),
        }),
        Body::ClaimDecided(ClaimDecided {
            claim: "RMP01-C0001".into(),
            n: 1,
            step: "verified".into(),
            decision: "DASTAK-DECISION 1\n{\"v\":1,\"n\":1}\n00\n".into(),
        }),
        // Filed with the nominees in force on the day of death (the one
        // above, without, keeps the bytes claims had before they carried
        // them).
        Body::ClaimFiled(ClaimFiled {
            claim: "RMP01-C0002".into(),
            member_id: "RMP01-00002".into(),
            scheme: "FUND".into(),
            died_on: date(2026, 11, 21),
            cause: DeathCause::Natural,
            certificate: "D-2026-000124".into(),
            authority: "ग्राम पंचायत रामपुर".into(),
            claimant: Claimant {
                name: "सीता देवी".into(),
                relation: "पुत्री".into(),
                phone: "9829012346".into(),
                nominee: true,
                reason: None,
            },
            account: SealedAccount {
                ifsc: Ifsc::parse("SBIN0001234").expect("ifsc"),
                last4: "9013".into(),
                sealed: "YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==".into(),
            },
            bars: vec![],
            attested_by: "VOL2".into(),
            by: "SUP1".into(),
            nominees: vec![
                NomineeShare {
                    name: "सीता देवी".into(),
                    relation: "पुत्री".into(),
                    share: 60,
                    account: None,
                },
                NomineeShare {
                    name: "राजू".into(),
                    relation: "पुत्र".into(),
                    share: 40,
                    account: None,
                },
            ],
        }),
        // Each nominee with her own account, for her part by its own
        // transfer (the claimant's is the claim's).
        Body::ClaimFiled(ClaimFiled {
            claim: "RMP01-C0003".into(),
            member_id: "RMP01-00003".into(),
            scheme: "FUND".into(),
            died_on: date(2026, 11, 22),
            cause: DeathCause::Accident,
            certificate: "D-2026-000125".into(),
            authority: "ग्राम पंचायत रामपुर".into(),
            claimant: Claimant {
                name: "गीता".into(),
                relation: "पत्नी".into(),
                phone: "9829012347".into(),
                nominee: true,
                reason: None,
            },
            account: SealedAccount {
                ifsc: Ifsc::parse("SBIN0001234").expect("ifsc"),
                last4: "9014".into(),
                sealed: "YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==".into(),
            },
            bars: vec![],
            attested_by: "VOL2".into(),
            by: "SUP1".into(),
            nominees: vec![
                NomineeShare {
                    name: "गीता".into(),
                    relation: "पत्नी".into(),
                    share: 50,
                    account: Some(SealedAccount {
                        ifsc: Ifsc::parse("SBIN0001234").expect("ifsc"),
                        last4: "9014".into(),
                        sealed: "YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==".into(),
                    }),
                },
                NomineeShare {
                    name: "श्याम".into(),
                    relation: "पुत्र".into(),
                    share: 50,
                    account: Some(SealedAccount {
                        ifsc: Ifsc::parse("BARB0RAMPUR").expect("ifsc"),
                        last4: "7777".into(),
                        sealed: "YWdlLWVuY3J5cHRpb24ub3JnL3YyCg==".into(),
                    }),
                },
            ],
        }),
    ]
}

fn chain() -> Vec<(String, String)> {
    let mut prev = GENESIS.to_string();
    let mut out = Vec::new();
    for (i, body) in bodies().into_iter().enumerate() {
        let e = Event {
            v: 1,
            kiosk: "RMP01".into(),
            seq: i as u64 + 1,
            at: "2026-11-23T10:00:00+05:30".into(),
            prev: prev.clone(),
            body,
        };
        let bytes = e.canonical_bytes();
        let hash = hash_hex(&bytes);
        assert_eq!(Event::from_canonical(&bytes).expect("parses back"), e);
        prev = hash.clone();
        out.push((String::from_utf8(bytes).expect("utf8"), hash));
    }
    out
}

#[test]
fn canonical_bytes_of_every_event_type_are_frozen() {
    let got = chain();
    let golden = include_str!("golden/events.txt");
    let expected: Vec<(String, String)> = golden
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (hash, json) = l.split_once(' ').expect("hash json");
            (json.to_string(), hash.to_string())
        })
        .collect();
    if std::env::var_os("DASTAK_BLESS").is_some() {
        let text: String = got.iter().map(|(j, h)| format!("{h} {j}\n")).collect();
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/events.txt"),
            text,
        )
        .expect("bless");
        return;
    }
    assert_eq!(got.len(), expected.len(), "one golden line per event type");
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e);
    }
}

#[test]
fn non_canonical_bytes_are_refused() {
    let (json, _) = &chain()[7];
    let spaced = json.replacen(':', ": ", 1);
    assert!(Event::from_canonical(spaced.as_bytes()).is_err());
    let reordered = json.replacen(
        "{\"v\":1,\"kiosk\":\"RMP01\"",
        "{\"kiosk\":\"RMP01\",\"v\":1",
        1,
    );
    assert!(Event::from_canonical(reordered.as_bytes()).is_err());
}

/// The lab's fast reader (tag first, compared as it is serialised) must
/// refuse everything the plain compare with `canonical_bytes()` refused.
#[test]
fn bytes_that_only_look_canonical_are_refused() {
    let events = chain();
    let (json, _) = &events[7];
    let refused = |bytes: &str| Event::from_canonical(bytes.as_bytes()).is_err();
    // Valid JSON, the same event, but not the bytes that were hashed.
    assert!(refused(&format!("{json} ")), "trailing space");
    assert!(refused(&format!(" {json}")), "leading space");
    let tag_last = json.replacen(
        "{\"type\":\"contribution_taken\",\"receipt\":",
        "{\"receipt\":",
        1,
    );
    assert_ne!(&tag_last, json);
    let tag_last = tag_last.replacen("}}", ",\"type\":\"contribution_taken\"}}", 1);
    assert!(refused(&tag_last), "type not first");
    let extra = json.replacen("}}", ",\"note\":\"x\"}}", 1);
    assert!(refused(&extra), "a field the format does not have");
    let cut = &json[..json.len() - 1];
    assert!(refused(cut), "cut short");
    // Devanagari written as \u escapes means the same text, other bytes.
    let (hindi, _) = events
        .iter()
        .find(|(j, _)| j.contains('र'))
        .expect("an event with Hindi text");
    assert!(!refused(hindi));
    assert!(refused(&hindi.replacen('र', "\\u0930", 1)), "escaped Hindi");
}
