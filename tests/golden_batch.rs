//! The batch and acknowledgement bytes are frozen: kiosks and labs of
//! different versions must agree on them. A change here is a new format
//! version. Remade with `DASTAK_BLESS=1 cargo test --test golden_batch`.

use dastak::domain::event::{
    Body, Event, FORMAT_VERSION, GENESIS, KioskInitialised, OperatorAdded, hash_hex,
};
use dastak::domain::operator::Role;
use dastak::i18n::Lang;
use dastak::sync::batch::{Ack, BatchBody, BatchError, verify_batch};
use ed25519_dalek::SigningKey;

fn sample() -> (Vec<u8>, Vec<u8>) {
    let kiosk = SigningKey::from_bytes(&[11; 32]);
    let lab = SigningKey::from_bytes(&[22; 32]);
    let first = Event {
        v: FORMAT_VERSION,
        kiosk: "RMP01".into(),
        seq: 1,
        at: "2026-11-23T10:00:00+05:30".into(),
        prev: GENESIS.into(),
        body: Body::KioskInitialised(KioskInitialised {
            kiosk: "RMP01".into(),
            panchayat: "रामपुर".into(),
            block: "सांगानेर".into(),
            district: "जयपुर".into(),
            language: Lang::Hi,
        }),
    };
    let b1 = first.canonical_bytes();
    let second = Event {
        v: FORMAT_VERSION,
        kiosk: "RMP01".into(),
        seq: 2,
        at: "2026-11-23T10:00:00+05:30".into(),
        prev: hash_hex(&b1),
        body: Body::OperatorAdded(OperatorAdded {
            code: "ADMIN".into(),
            name: "अरुण शर्मा".into(),
            role: Role::Admin,
            language: Lang::Hi,
            by: "ADMIN".into(),
        }),
    };
    let b2 = second.canonical_bytes();
    let batch = BatchBody::new(
        "RMP01",
        1,
        GENESIS,
        vec![
            String::from_utf8(b1).expect("utf8"),
            String::from_utf8(b2.clone()).expect("utf8"),
        ],
    )
    .expect("batch")
    .sign(&kiosk);
    let ack = Ack {
        decisions: vec![],
        v: 1,
        kiosk: "RMP01".into(),
        through: 2,
        hash: hash_hex(&b2),
        at: "2026-11-23T10:05:00+05:30".into(),
    }
    .sign(&lab);
    // The sample is itself a valid batch.
    assert!(verify_batch(&batch, &kiosk.verifying_key()).is_ok());
    (batch, ack)
}

#[test]
fn batch_and_ack_bytes_are_frozen() {
    let (batch, ack) = sample();
    let mut text = String::from_utf8(batch).expect("utf8");
    text.push_str(&String::from_utf8(ack).expect("utf8"));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/batch.txt");
    if std::env::var("DASTAK_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &text).expect("bless");
    }
    let want = std::fs::read_to_string(&path).expect("golden batch exists");
    assert_eq!(
        text, want,
        "the batch format changed: that is a new version"
    );
}

/// The signature covers the header only; the chain and the signed head
/// must catch any change to the events, the last one included.
#[test]
fn a_changed_event_is_refused_though_the_header_is_signed() {
    let (batch, _) = sample();
    let kiosk = SigningKey::from_bytes(&[11; 32]).verifying_key();
    let text = String::from_utf8(batch).expect("utf8");
    // The last event, whose hash only the head vouches for.
    let last = text.replacen("\"by\":\"ADMIN\"", "\"by\":\"ADMIM\"", 1);
    assert_ne!(last, text);
    assert!(matches!(
        verify_batch(last.as_bytes(), &kiosk),
        Err(BatchError::BrokenChain { seq: 2, .. })
    ));
    // The first event: its successor's link breaks.
    let first = text.replacen("रामपुर", "रामपूर", 1);
    assert_ne!(first, text);
    assert!(matches!(
        verify_batch(first.as_bytes(), &kiosk),
        Err(BatchError::BrokenChain { .. })
    ));
    // A new head to match a changed event: the signature no longer holds.
    let body: BatchBody = serde_json::from_str(last.lines().nth(1).expect("json")).expect("body");
    let new_head = hash_hex(body.events[1].get().as_bytes());
    assert_ne!(new_head, body.head);
    let reheaded = last.replacen(&body.head, &new_head, 1);
    assert!(matches!(
        verify_batch(reheaded.as_bytes(), &kiosk),
        Err(BatchError::BadSignature { .. })
    ));
    // A batch in the old format is named as such.
    let old = text.replacen("DASTAK-BATCH 2", "DASTAK-BATCH 1", 1);
    let err = verify_batch(old.as_bytes(), &kiosk).expect_err("old format");
    assert!(err.to_string().contains("format 1"), "{err}");
}

/// One entry of each step of the lab's claim log (a payment both whole
/// and in nominees' parts), chained and signed as the
/// lab writes them and a kiosk receives them in its acknowledgement.
fn decisions() -> Vec<Vec<u8>> {
    use dastak::domain::money::Paise;
    use dastak_core::wire::{Decision, Step};
    let lab = SigningKey::from_bytes(&[22; 32]);
    let day = |d: i8| jiff::civil::date(2026, 12, d);
    let steps = [
        Step::Verified,
        Step::Published { until: day(9) },
        Step::Objected {
            objection: "सरपंच: नामांकित व्यक्ति गाँव में नहीं रहता".into(),
        },
        Step::Approved {
            amount: Paise(5_000_000),
        },
        Step::Rejected {
            reasons: "प्रमाणपत्र जाली".into(),
        },
        Step::Paid {
            amount: Paise(5_000_000),
            bank_ref: "UTR0012345".into(),
            on: day(14),
            parts: Vec::new(),
        },
        // Each nominee's part by its own transfer.
        Step::Paid {
            amount: Paise(5_000_000),
            bank_ref: "UTR0012346".into(),
            on: day(15),
            parts: vec![
                dastak_core::wire::PaidPart {
                    name: "सीता देवी".into(),
                    amount: Paise(3_000_000),
                    bank_ref: "UTR0012346".into(),
                },
                dastak_core::wire::PaidPart {
                    name: "मोहन लाल".into(),
                    amount: Paise(2_000_000),
                    bank_ref: "UTR0012347".into(),
                },
            ],
        },
    ];
    let mut prev = GENESIS.to_string();
    steps
        .into_iter()
        .zip(1u64..)
        .map(|(step, n)| {
            let bytes = Decision {
                v: Decision::VERSION,
                n,
                prev: prev.clone(),
                kiosk: "RMP01".into(),
                claim: "RMP01-C0001".into(),
                officer: "meena".into(),
                at: "2026-12-02T11:00:00+05:30".into(),
                step,
            }
            .sign(&lab);
            prev = hash_hex(&bytes);
            bytes
        })
        .collect()
}

#[test]
fn decision_bytes_are_frozen() {
    let lab = SigningKey::from_bytes(&[22; 32]).verifying_key();
    let all = decisions();
    let mut text = String::new();
    for bytes in &all {
        // Each reads back as what was signed.
        let d = dastak_core::wire::Decision::verify(bytes, &lab).expect("verifies");
        assert_eq!(d.sign(&SigningKey::from_bytes(&[22; 32])), *bytes);
        text.push_str(&String::from_utf8(bytes.clone()).expect("utf8"));
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/decision.txt");
    if std::env::var("DASTAK_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &text).expect("bless");
    }
    let want = std::fs::read_to_string(&path).expect("golden decisions exist");
    assert_eq!(
        text, want,
        "the claim decision format changed: that is a new version"
    );
    // Another key's signature, or a changed amount, is refused.
    let other = SigningKey::from_bytes(&[23; 32]).verifying_key();
    assert!(dastak_core::wire::Decision::verify(&all[3], &other).is_err());
    let changed = String::from_utf8(all[3].clone())
        .expect("utf8")
        .replacen("5000000", "9000000", 1);
    assert!(dastak_core::wire::Decision::verify(changed.as_bytes(), &lab).is_err());
}
