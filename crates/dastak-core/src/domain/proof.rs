//! The verifiable QR code on a paper receipt: what it says and its
//! signature by the kiosk's own ed25519 key.
//!
//! A villager, an auditor or the district lab scans the code and checks it
//! against the kiosk's public key; a forged or altered paper fails. The
//! payload is one line of upper-case text, fields separated by single
//! spaces, so that a QR code can hold it in its compact alphanumeric mode:
//!
//! `DASTAK1 C RMP01 RMP01/2026-27/000042 RMP01-00001 10000 2026-11-23 <SIG>`
//!
//! version, kind (`C` contribution, `R` reversal slip, `E` enrolment slip,
//! `D` death claim slip: the benefit the rules give and the day filed;
//! for the papers a lab decision prints, `N` public notice: the amount and
//! the last day to object, `J` rejection letter: no amount and the day
//! decided, `P` payout slip: the amount paid and the day; `F` the fund's
//! monthly statement, signed by the lab and not a kiosk: issuer `LAB`,
//! document `FUND-2026-11`, the scheme in place of a member, the closing
//! balance and the day the statement stands at),
//! kiosk, document number, member, amount in paise, date, and the base32
//! signature of everything before it (the text up to the last space).
//! This module is IO-free; keys are kept by the data directory.

use data_encoding::BASE32_NOPAD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use jiff::civil::Date;

use crate::domain::money::Paise;
use crate::i18n::{Localized, Message, english};

pub const MAGIC: &str = "DASTAK1";

/// The issuer a lab's papers name in place of a kiosk: a kiosk is linked
/// to one lab, whose key tells it apart.
pub const LAB_ISSUER: &str = "LAB";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProofKind {
    Contribution,
    Reversal,
    Enrolment,
    Claim,
    ClaimNotice,
    ClaimRejection,
    ClaimPayout,
    FundStatement,
}

impl ProofKind {
    fn letter(self) -> &'static str {
        match self {
            ProofKind::Contribution => "C",
            ProofKind::Reversal => "R",
            ProofKind::Enrolment => "E",
            ProofKind::Claim => "D",
            ProofKind::ClaimNotice => "N",
            ProofKind::ClaimRejection => "J",
            ProofKind::ClaimPayout => "P",
            ProofKind::FundStatement => "F",
        }
    }

    fn parse(s: &str) -> Option<ProofKind> {
        match s {
            "C" => Some(ProofKind::Contribution),
            "R" => Some(ProofKind::Reversal),
            "E" => Some(ProofKind::Enrolment),
            "D" => Some(ProofKind::Claim),
            "N" => Some(ProofKind::ClaimNotice),
            "J" => Some(ProofKind::ClaimRejection),
            "P" => Some(ProofKind::ClaimPayout),
            "F" => Some(ProofKind::FundStatement),
            _ => None,
        }
    }

    /// The catalog key naming this kind of document.
    pub fn message_key(self) -> &'static str {
        match self {
            ProofKind::Contribution => "proof.kind_contribution",
            ProofKind::Reversal => "proof.kind_reversal",
            ProofKind::Enrolment => "proof.kind_enrolment",
            ProofKind::Claim => "proof.kind_claim",
            ProofKind::ClaimNotice => "proof.kind_claim_notice",
            ProofKind::ClaimRejection => "proof.kind_claim_rejection",
            ProofKind::ClaimPayout => "proof.kind_claim_payout",
            ProofKind::FundStatement => "proof.kind_fund_statement",
        }
    }
}

/// What a receipt's QR code vouches for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    pub kind: ProofKind,
    pub kiosk: String,
    /// The receipt or slip number; the member ID for an enrolment slip.
    pub document: String,
    pub member: String,
    pub amount: Paise,
    pub date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", english(self))]
pub enum ProofError {
    /// Not a dastak receipt code at all, or damaged in a way that loses fields.
    Malformed,
    /// Well-formed, but the signature does not match: altered or forged.
    BadSignature,
    /// Signed by a kiosk other than the one whose key was used to check.
    OtherKiosk { kiosk: String },
}

impl Localized for ProofError {
    fn message(&self) -> Message {
        match self {
            ProofError::Malformed => Message::new("proof.malformed"),
            ProofError::BadSignature => Message::new("proof.bad_signature"),
            ProofError::OtherKiosk { kiosk } => {
                Message::new("proof.other_kiosk").arg("kiosk", kiosk)
            }
        }
    }
}

fn is_field(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "/-_".contains(c))
}

impl Proof {
    /// The signed text (everything but the signature).
    pub fn body(&self) -> String {
        format!(
            "{MAGIC} {} {} {} {} {} {}",
            self.kind.letter(),
            self.kiosk,
            self.document,
            self.member,
            self.amount.0,
            self.date
        )
    }

    /// The full QR payload, signed with the kiosk's key. ed25519 signing is
    /// deterministic: a reprint carries the very same code.
    pub fn sign(&self, key: &SigningKey) -> String {
        let body = self.body();
        let sig = key.sign(body.as_bytes());
        format!("{body} {}", BASE32_NOPAD.encode(&sig.to_bytes()))
    }

    /// Parses a scanned payload without checking the signature (to find
    /// out which kiosk's key to check it with).
    pub fn parse_unverified(text: &str) -> Result<(Proof, Signature), ProofError> {
        let text = text.trim();
        let parts: Vec<&str> = text.split(' ').collect();
        let [magic, kind, kiosk, document, member, amount, date, sig] = parts[..] else {
            return Err(ProofError::Malformed);
        };
        if magic != MAGIC || ![kiosk, document, member].into_iter().all(is_field) {
            return Err(ProofError::Malformed);
        }
        let kind = ProofKind::parse(kind).ok_or(ProofError::Malformed)?;
        if amount.is_empty() || amount.len() > 12 || !amount.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ProofError::Malformed);
        }
        let amount: i64 = amount.parse().map_err(|_| ProofError::Malformed)?;
        let date: Date = date.parse().map_err(|_| ProofError::Malformed)?;
        let sig_bytes = BASE32_NOPAD
            .decode(sig.as_bytes())
            .map_err(|_| ProofError::Malformed)?;
        let sig_arr: [u8; 64] = sig_bytes.try_into().map_err(|_| ProofError::Malformed)?;
        let proof = Proof {
            kind,
            kiosk: kiosk.to_string(),
            document: document.to_string(),
            member: member.to_string(),
            amount: Paise(amount),
            date,
        };
        // The canonical text must be exactly what was scanned: no second
        // spelling of the same receipt (leading zeros, lower case) verifies.
        if proof.body() != text[..text.len() - sig.len() - 1] {
            return Err(ProofError::Malformed);
        }
        Ok((proof, Signature::from_bytes(&sig_arr)))
    }

    /// Parses and checks a scanned payload against the kiosk's public key
    /// (`verify_strict`: no malleable signatures).
    pub fn verify(text: &str, kiosk: &str, key: &VerifyingKey) -> Result<Proof, ProofError> {
        let (proof, sig) = Proof::parse_unverified(text)?;
        if proof.kiosk != kiosk {
            return Err(ProofError::OtherKiosk { kiosk: proof.kiosk });
        }
        key.verify_strict(proof.body().as_bytes(), &sig)
            .map_err(|_| ProofError::BadSignature)?;
        Ok(proof)
    }
}

impl Proof {
    /// "GENUINE receipt … of kiosk …: member …, amount, date."
    pub fn genuine_message(&self) -> Message {
        // The lab's statement names no member: its line carries the scheme
        // and the closing balance on its day.
        if self.kind == ProofKind::FundStatement {
            return Message::new("proof.valid_statement")
                .arg_msg("kind", Message::new(self.kind.message_key()))
                .arg("doc", &self.document)
                .arg("amount", self.amount)
                .arg("date", crate::domain::time::display_date(self.date));
        }
        Message::new("proof.valid")
            .arg_msg("kind", Message::new(self.kind.message_key()))
            .arg("doc", &self.document)
            .arg("kiosk", &self.kiosk)
            .arg("member", &self.member)
            .arg("amount", self.amount)
            .arg("date", crate::domain::time::display_date(self.date))
    }
}

/// A public key as printed by `dastak identity`: 64 hex characters.
pub fn parse_public_key(s: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(s.trim()).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> SigningKey {
        SigningKey::from_bytes(&[n; 32])
    }

    fn sample() -> Proof {
        Proof {
            kind: ProofKind::Contribution,
            kiosk: "RMP01".into(),
            document: "RMP01/2026-27/000042".into(),
            member: "RMP01-00001".into(),
            amount: Paise(10000),
            date: jiff::civil::date(2026, 11, 23),
        }
    }

    #[test]
    fn a_signed_receipt_verifies_and_round_trips() {
        let text = sample().sign(&key(7));
        assert!(
            text.starts_with("DASTAK1 C RMP01 RMP01/2026-27/000042 RMP01-00001 10000 2026-11-23 ")
        );
        let back = Proof::verify(&text, "RMP01", &key(7).verifying_key()).expect("verifies");
        assert_eq!(back, sample());
    }

    #[test]
    fn an_altered_amount_or_another_key_fails() {
        let text = sample().sign(&key(7));
        let altered = text.replace(" 10000 ", " 90000 ");
        assert_eq!(
            Proof::verify(&altered, "RMP01", &key(7).verifying_key()),
            Err(ProofError::BadSignature)
        );
        assert_eq!(
            Proof::verify(&text, "RMP01", &key(8).verifying_key()),
            Err(ProofError::BadSignature)
        );
        assert_eq!(
            Proof::verify(&text, "SKR02", &key(7).verifying_key()),
            Err(ProofError::OtherKiosk {
                kiosk: "RMP01".into()
            })
        );
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for g in [
            "",
            "hello",
            "DASTAK1 C RMP01",
            "DASTAK1 X RMP01 A B 1 2026-11-23 AAAA",
            "DASTAK1 C RMP01 A B -1 2026-11-23 AAAA",
            "DASTAK1 C RMP01 A B 1 2026-13-45 AAAA",
            "DASTAK1 C rmp01 A B 1 2026-11-23 AAAA",
        ] {
            assert_eq!(
                Proof::verify(g, "RMP01", &key(7).verifying_key()),
                Err(ProofError::Malformed),
                "{g}"
            );
        }
    }
}
