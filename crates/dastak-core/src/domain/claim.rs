//! A death claim on the mutual-aid fund as the kiosk records it: who died
//! and when, the certificate, who claims, and the bank account the benefit
//! goes to.
//!
//! Payouts are bank transfers made by the lab, never cash from a kiosk's
//! drawer, so the account number is the one secret a claim carries. It is
//! checked here (an IFSC of the bank's form, 9 to 18 digits) and then
//! sealed to the lab's key before it is recorded: the ledger, the stick and
//! the kiosk's screen hold only the IFSC, the last four digits and the
//! sealed bytes, which only the lab can open.

use serde::{Deserialize, Serialize};

use crate::i18n::{Localized, Message, english};

/// What a claim's fields may not be: each with a message the operator can
/// act on in her language.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum ClaimError {
    /// Not four letters, a zero and six letters or digits.
    Ifsc,
    /// Not 9 to 18 digits.
    Account,
}

impl Localized for ClaimError {
    fn message(&self) -> Message {
        match self {
            ClaimError::Ifsc => Message::new("claim.ifsc"),
            ClaimError::Account => Message::new("claim.account"),
        }
    }
}

/// A bank branch's IFSC: four letters (the bank), a zero, six letters or
/// digits (the branch), as the RBI issues them. Typed lower case or with
/// spaces at a kiosk, it is kept upper case and whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ifsc(String);

impl Ifsc {
    pub fn parse(raw: &str) -> Result<Ifsc, ClaimError> {
        let code: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let b = code.as_bytes();
        let ok = b.len() == 11
            && b[..4].iter().all(u8::is_ascii_uppercase)
            && b[4] == b'0'
            && b[5..]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if ok {
            Ok(Ifsc(code))
        } else {
            Err(ClaimError::Ifsc)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A bank account number as typed: 9 to 18 digits (spaces and dashes
/// between groups are dropped). It lives only until it is sealed; it is
/// never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountNumber(String);

impl std::fmt::Debug for AccountNumber {
    // Never the whole number, not even in a log or a panic message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccountNumber(…{})", self.last4())
    }
}

impl AccountNumber {
    pub fn parse(raw: &str) -> Result<AccountNumber, ClaimError> {
        let digits: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if (9..=18).contains(&digits.len()) && digits.bytes().all(|c| c.is_ascii_digit()) {
            Ok(AccountNumber(digits))
        } else {
            Err(ClaimError::Account)
        }
    }

    /// The last four digits: all a kiosk keeps readable.
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// The digits, to be sealed to the lab's key (and for nothing else).
    pub fn digits(&self) -> &str {
        &self.0
    }
}

/// The account a benefit is paid to, as recorded: the branch, the last
/// four digits, and the whole number sealed to the lab's key (base64 of
/// the sealed bytes, which differ every time they are made).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedAccount {
    pub ifsc: Ifsc,
    pub last4: String,
    pub sealed: String,
}

impl SealedAccount {
    /// `sealed` is `number` sealed to the lab's key by the caller (the
    /// domain does no cryptography of its own).
    pub fn new(ifsc: Ifsc, number: &AccountNumber, sealed: &[u8]) -> SealedAccount {
        SealedAccount {
            ifsc,
            last4: number.last4().to_string(),
            sealed: data_encoding::BASE64.encode(sealed),
        }
    }

    /// The sealed bytes, for the lab to open.
    pub fn sealed_bytes(&self) -> Option<Vec<u8>> {
        data_encoding::BASE64.decode(self.sealed.as_bytes()).ok()
    }

    /// For slips and screens: "SBIN0001234 ····5678".
    pub fn masked(&self) -> String {
        format!("{} ····{}", self.ifsc.as_str(), self.last4)
    }
}

/// What the certificate gives as the cause of death.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeathCause {
    Natural,
    Accident,
    Illness,
}

impl DeathCause {
    pub const ALL: [DeathCause; 3] = [
        DeathCause::Natural,
        DeathCause::Accident,
        DeathCause::Illness,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DeathCause::Natural => "natural",
            DeathCause::Accident => "accident",
            DeathCause::Illness => "illness",
        }
    }

    pub fn parse(raw: &str) -> Option<DeathCause> {
        let raw = raw.trim().to_ascii_lowercase();
        DeathCause::ALL.into_iter().find(|c| c.code() == raw)
    }

    /// The catalog key of its name.
    pub fn key(self) -> &'static str {
        match self {
            DeathCause::Natural => "claim.cause_natural",
            DeathCause::Accident => "claim.cause_accident",
            DeathCause::Illness => "claim.cause_illness",
        }
    }
}

/// Who claims the benefit. The nominee in force on the date of death is
/// the one paid; anyone else claims with a reason, and the claim says so
/// (the lab flags it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claimant {
    pub name: String,
    pub relation: String,
    pub phone: String,
    /// Whether this is the nominee recorded on the date of death.
    pub nominee: bool,
    /// Why someone other than the nominee claims (None for the nominee).
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ifsc_is_four_letters_a_zero_and_six_more() {
        assert_eq!(
            Ifsc::parse("sbin0001234").map(|i| i.0),
            Ok("SBIN0001234".into())
        );
        assert_eq!(
            Ifsc::parse(" HDFC 0 AB12CD ").map(|i| i.0),
            Ok("HDFC0AB12CD".into())
        );
        for bad in [
            "",
            "SBIN1001234",
            "SBI00001234",
            "SBIN000123",
            "SBIN00012345",
            "SBIN0-01234",
            "ऍसबीआई0001234",
        ] {
            assert_eq!(Ifsc::parse(bad), Err(ClaimError::Ifsc), "{bad}");
        }
    }

    #[test]
    fn an_account_is_nine_to_eighteen_digits_and_shows_only_its_last_four() {
        let a = AccountNumber::parse("1234 5678 9012").expect("12 digits");
        assert_eq!(a.last4(), "9012");
        assert_eq!(format!("{a:?}"), "AccountNumber(…9012)");
        assert!(AccountNumber::parse("12345678").is_err(), "8 digits");
        assert!(
            AccountNumber::parse("1234567890123456789").is_err(),
            "19 digits"
        );
        assert!(
            AccountNumber::parse("12345678९").is_err(),
            "a Devanagari digit"
        );
        assert!(AccountNumber::parse("12345678X").is_err());
        let s = SealedAccount::new(Ifsc::parse("SBIN0001234").expect("ifsc"), &a, b"sealed");
        assert_eq!(s.masked(), "SBIN0001234 ····9012");
        assert_eq!(s.sealed_bytes().as_deref(), Some(&b"sealed"[..]));
        assert!(
            !serde_json::to_string(&s)
                .expect("json")
                .contains("123456789012")
        );
    }

    #[test]
    fn causes_are_three() {
        assert_eq!(DeathCause::parse(" Accident "), Some(DeathCause::Accident));
        assert_eq!(DeathCause::parse("murder"), None);
    }

    proptest! {
        /// Garbage is refused or kept as checked; never a panic.
        #[test]
        fn garbage_never_panics(s in "\\PC{0,40}") {
            if let Ok(i) = Ifsc::parse(&s) {
                prop_assert_eq!(i.as_str().len(), 11);
            }
            if let Ok(a) = AccountNumber::parse(&s) {
                prop_assert!((9..=18).contains(&a.digits().len()));
                prop_assert_eq!(a.last4().len(), 4);
            }
            let _ = DeathCause::parse(&s);
        }
    }
}

/// The nominees of `member_id`'s enrolment in `scheme` in force on `day`:
/// the enrolment's nominee, then each change of nominee and each set of
/// nominees with shares, in the order recorded, each in force from its own
/// date; the last whose date is not after `day` is the one paid (a change
/// after a death does not decide who is paid for it). A single nominee
/// without a share takes 100 %. Empty when none was named by then.
pub fn nominees_on<'a>(
    history: impl IntoIterator<Item = &'a crate::domain::event::Body>,
    member_id: &str,
    scheme: &str,
    day: jiff::civil::Date,
) -> Vec<crate::domain::event::NomineeShare> {
    use crate::domain::event::{Body, Nominee, NomineeShare};
    let whole = |n: &Nominee| {
        vec![NomineeShare {
            name: n.name.clone(),
            relation: n.relation.clone(),
            share: 100,
            account: None,
        }]
    };
    let mut in_force = Vec::new();
    for body in history {
        let (who, of, on, named) = match body {
            Body::Enrolled(e) => (
                &e.member_id,
                &e.scheme,
                e.on,
                e.nominee.as_ref().map(whole).unwrap_or_default(),
            ),
            Body::NomineeChanged(c) => (&c.member_id, &c.scheme, c.on, whole(&c.nominee)),
            Body::NomineesSet(n) => (&n.member_id, &n.scheme, n.on, n.nominees.clone()),
            _ => continue,
        };
        if who == member_id && of == scheme && on <= day {
            in_force = named;
        }
    }
    in_force
}

/// The paper a lab decision prints at the kiosk, by its document name, and
/// the suffix of its reference (`RMP01-C0001/NOTICE`): the public notice
/// when the claim is published, the letter when it is rejected, the
/// family's slip when it is paid. The other steps print nothing: the member
/// card shows them. Here, beside the claim, because the sync that records a
/// decision queues its paper in the same transaction and sits below the
/// printing code.
pub fn decision_paper(step: &str) -> Option<(&'static str, &'static str)> {
    match step {
        "published" => Some(("claim_notice", "NOTICE")),
        "rejected" => Some(("claim_rejection", "REJECTED")),
        "paid" => Some(("claim_payout", "PAID")),
        _ => None,
    }
}

/// The step whose paper `doc` (a document name) is, and the claim of
/// `reference`, when `reference` is that paper's.
pub fn decision_of_paper<'r>(doc: &str, reference: &'r str) -> Option<(&'static str, &'r str)> {
    let (claim, suffix) = reference.rsplit_once('/')?;
    ["published", "rejected", "paid"]
        .into_iter()
        .find(|s| decision_paper(s) == Some((doc, suffix)))
        .map(|s| (s, claim))
}

#[cfg(test)]
mod paper_tests {
    use super::*;

    #[test]
    fn the_nominees_paid_are_those_in_force_on_the_day_of_death() {
        use crate::domain::event::{
            Body, Enrolled, Nominee, NomineeChanged, NomineeShare, NomineesSet,
        };
        let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        let n = |name: &str| Nominee {
            name: name.into(),
            relation: "पुत्र".into(),
        };
        let history = [
            Body::Enrolled(Enrolled {
                member_id: "K-1".into(),
                scheme: "FUND".into(),
                group: None,
                on: d("2026-01-10"),
                nominee: Some(n("राम")),
                by: "VOL1".into(),
            }),
            // Another member's change is not hers.
            Body::NomineeChanged(NomineeChanged {
                member_id: "K-2".into(),
                scheme: "FUND".into(),
                nominee: n("श्याम"),
                on: d("2026-02-01"),
                reason: "x".into(),
                by: "SUP1".into(),
            }),
            Body::NomineesSet(NomineesSet {
                member_id: "K-1".into(),
                scheme: "FUND".into(),
                nominees: vec![
                    NomineeShare {
                        name: "सीता".into(),
                        relation: "पुत्री".into(),
                        share: 60,
                        account: None,
                    },
                    NomineeShare {
                        name: "राम".into(),
                        relation: "पुत्र".into(),
                        share: 40,
                        account: None,
                    },
                ],
                on: d("2026-03-01"),
                reason: "x".into(),
                by: "SUP1".into(),
            }),
            Body::NomineeChanged(NomineeChanged {
                member_id: "K-1".into(),
                scheme: "FUND".into(),
                nominee: n("मोहन"),
                on: d("2026-05-01"),
                reason: "x".into(),
                by: "SUP1".into(),
            }),
        ];
        let names = |day: &str| -> Vec<(String, u32)> {
            nominees_on(&history, "K-1", "FUND", d(day))
                .into_iter()
                .map(|n| (n.name, n.share))
                .collect()
        };
        assert!(names("2026-01-09").is_empty(), "not enrolled yet");
        assert_eq!(names("2026-02-28"), [("राम".to_string(), 100)]);
        assert_eq!(
            names("2026-03-01"),
            [("सीता".to_string(), 60), ("राम".to_string(), 40)]
        );
        assert_eq!(names("2026-04-30").len(), 2);
        assert_eq!(names("2026-05-01"), [("मोहन".to_string(), 100)]);
        assert!(nominees_on(&history, "K-1", "SHG", d("2026-06-01")).is_empty());
    }

    #[test]
    fn a_decision_paper_reference_reads_back_to_its_step() {
        for step in ["published", "rejected", "paid"] {
            let (doc, suffix) = decision_paper(step).expect("a paper");
            let reference = format!("RMP01-C0001/{suffix}");
            assert_eq!(
                decision_of_paper(doc, &reference),
                Some((step, "RMP01-C0001"))
            );
        }
        assert_eq!(decision_paper("verified"), None);
        assert_eq!(decision_of_paper("claim_notice", "RMP01-C0001/PAID"), None);
        assert_eq!(decision_of_paper("claim_notice", "RMP01-C0001"), None);
    }
}
