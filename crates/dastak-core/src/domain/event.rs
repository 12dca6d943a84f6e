//! The ledger's record format: events and their canonical bytes.
//!
//! This module is IO-free and is the one place the format lives. An event's
//! canonical bytes are its JSON serialisation with fields in declaration
//! order, no whitespace, UTF-8 text unescaped, money as integer paise, dates
//! as `YYYY-MM-DD` and instants as RFC 3339 in IST. Its hash is the SHA-256
//! of those bytes; each event carries the previous event's hash, so the
//! ledger is a chain that any edit breaks. The lab re-computes the same
//! hashes, so the bytes are frozen by a golden test (`tests/golden_events.rs`):
//! changing a field's name, order or type is a new format version.

use jiff::civil::Date;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::aadhaar::AadhaarRef;
use crate::domain::cash::NoteCount;
use crate::domain::claim::{Claimant, DeathCause, SealedAccount};
use crate::domain::fund::{Bar, FundRules};
use crate::domain::money::Paise;
use crate::domain::operator::Role;
use crate::domain::person::{Birth, Gender};
use crate::domain::scheme::Scheme;
use crate::i18n::Lang;

pub const FORMAT_VERSION: u16 = 1;
/// The `prev` of the first event of a kiosk.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One row of a PDS ration-card list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdsRow {
    pub ration_card: String,
    pub village: String,
    pub name: String,
    pub gender: Gender,
    pub age: u8,
    pub relation: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRecord {
    pub member_id: String,
    pub name: String,
    /// Father's or husband's name: how namesakes are told apart.
    pub relative_name: String,
    pub gender: Gender,
    pub birth: Birth,
    pub village: String,
    pub ration_card: Option<String>,
    pub phone: Option<String>,
    pub aadhaar: Option<AadhaarRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nominee {
    pub name: String,
    pub relation: String,
}

/// What happened. Every variant names the operator (`by`) who did it.
///
/// Each variant's fields are a struct of their own: serialised with the tag
/// first (`{"type":"contribution_taken","receipt":…}`), and read back by
/// [`Body`]'s own `Deserialize`, which goes straight from the tag to the
/// struct. Serde's derived reader for internally tagged enums buffers every
/// field before it knows the type, and costs twice as much; the lab reads
/// every event every kiosk sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    KioskInitialised(KioskInitialised),
    OperatorAdded(OperatorAdded),
    SchemeDefined(SchemeDefined),
    GroupCreated(GroupCreated),
    HouseholdsImported(HouseholdsImported),
    MemberRegistered(MemberRegistered),
    Enrolled(Enrolled),
    ContributionTaken(ContributionTaken),
    ContributionReversed(ContributionReversed),
    DayClosed(DayClosed),
    ClockConfirmed(ClockConfirmed),
    DuplicateAccepted(DuplicateAccepted),
    MemberCorrected(MemberCorrected),
    NomineeChanged(NomineeChanged),
    SchemeLeft(SchemeLeft),
    FundRulesSet(FundRulesSet),
    NomineesSet(NomineesSet),
    ClaimFiled(ClaimFiled),
    ClaimDecided(ClaimDecided),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskInitialised {
    pub kiosk: String,
    pub panchayat: String,
    pub block: String,
    pub district: String,
    pub language: Lang,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorAdded {
    pub code: String,
    pub name: String,
    pub role: Role,
    pub language: Lang,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeDefined {
    pub scheme: Scheme,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCreated {
    pub code: String,
    pub scheme: String,
    pub name: String,
    pub village: String,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdsImported {
    pub source: String,
    pub rows: Vec<PdsRow>,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRegistered {
    pub member: MemberRecord,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolled {
    pub member_id: String,
    pub scheme: String,
    pub group: Option<String>,
    pub on: Date,
    pub nominee: Option<Nominee>,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributionTaken {
    pub receipt: String,
    pub member_id: String,
    pub scheme: String,
    pub amount: Paise,
    /// Index of the first period covered (0 = the enrolment period).
    pub first_period: u32,
    pub periods: u32,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributionReversed {
    /// The reversal slip's own number, from the same series.
    pub receipt: String,
    pub original: String,
    pub member_id: String,
    pub scheme: String,
    pub amount: Paise,
    pub periods: u32,
    pub reason: String,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayClosed {
    pub date: Date,
    pub notes: Vec<NoteCount>,
    pub coins: Paise,
    pub counted: Paise,
    pub expected: Paise,
    pub variance: Paise,
    pub reason: Option<String>,
    /// The close covers cash events after the previous close up to here.
    pub through_seq: u64,
    /// Hash of the previous DayClosed event, or GENESIS for the first.
    pub prev_close: String,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockConfirmed {
    pub date: Date,
    pub by: String,
}

/// A registration that looked like an existing member (same person by
/// name across scripts) and that a supervisor let through with a reason:
/// namesakes exist. Follows the `member_registered` of `member_id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateAccepted {
    pub member_id: String,
    /// The existing member the new one resembled.
    pub like: String,
    pub supervisor: String,
    pub reason: String,
    pub by: String,
}

/// A member's details corrected or added after registration (a phone, an
/// Aadhaar number brought later, a relative's name spelt right). Fields
/// left `None` are unchanged. The registration event stays as it was; the
/// correction is its own event, shown on the statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberCorrected {
    pub member_id: String,
    pub phone: Option<String>,
    pub aadhaar: Option<AadhaarRef>,
    pub relative_name: Option<String>,
    pub reason: String,
    pub by: String,
}

/// A new nominee for a member's enrolment in one scheme, from `on`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NomineeChanged {
    pub member_id: String,
    pub scheme: String,
    pub nominee: Nominee,
    pub on: Date,
    pub reason: String,
    pub by: String,
}

/// A member leaves a scheme on a date: no dues fall after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeLeft {
    pub member_id: String,
    pub scheme: String,
    pub on: Date,
    pub reason: String,
    pub by: String,
}

/// A version of a fund scheme's rules, in force from its `from` date (never
/// before it: a change never reaches back to deaths already past).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundRulesSet {
    pub scheme: String,
    pub rules: FundRules,
    pub by: String,
}

/// One nominee and her share of a benefit, in whole percent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NomineeShare {
    pub name: String,
    pub relation: String,
    pub share: u32,
    /// On a claim, the account her part is paid into, sealed to the lab's
    /// key as the claim's own is: when a claim names several nominees and
    /// each has one, the lab pays each part by its own transfer. Left out
    /// when none (a nominee set at the kiosk never carries one, and the
    /// bytes of earlier events are what they were).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<crate::domain::claim::SealedAccount>,
}

/// A member's nominees for a scheme from `on`, their shares adding up to
/// 100 (the nominees in force on the date of death are the ones paid).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NomineesSet {
    pub member_id: String,
    pub scheme: String,
    pub nominees: Vec<NomineeShare>,
    pub on: Date,
    pub reason: String,
    pub by: String,
}

/// A death claim filed at the kiosk by a supervisor (`by`) and attested
/// by another operator, not the one who enrolled the member. `bars` are
/// the reasons the kiosk found it not payable on the spot (empty when it
/// found none): an ineligible claim is still filed, so the family is heard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimFiled {
    pub claim: String,
    pub member_id: String,
    pub scheme: String,
    pub died_on: Date,
    pub cause: DeathCause,
    pub certificate: String,
    pub authority: String,
    pub claimant: Claimant,
    pub account: SealedAccount,
    pub bars: Vec<Bar>,
    pub attested_by: String,
    pub by: String,
    /// The nominees in force on the day of death, with their shares, as
    /// the kiosk's books name them: whose parts the benefit is. Left out
    /// when none (and so in claims filed before kiosks recorded it: their
    /// bytes, and so their hashes, are what they were).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nominees: Vec<NomineeShare>,
}

/// A lab decision on one of this kiosk's claims, taken from the lab's
/// acknowledgement: entry `n` of the lab's claim log, kept as the lab
/// signed it (`decision`, a [`crate::wire::Decision`]'s bytes) so it can
/// be checked again with the lab's key; `step` is its step's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDecided {
    pub claim: String,
    pub n: u64,
    pub step: String,
    pub decision: String,
}

impl Body {
    /// The code of the operator who recorded it (the lab counts each
    /// operator's work and anomalies by it).
    pub fn by(&self) -> &str {
        match self {
            // The kiosk records its own setting up: there is no operator yet.
            Body::KioskInitialised(_) => "",
            Body::OperatorAdded(b) => &b.by,
            Body::SchemeDefined(b) => &b.by,
            Body::GroupCreated(b) => &b.by,
            Body::HouseholdsImported(b) => &b.by,
            Body::MemberRegistered(b) => &b.by,
            Body::Enrolled(b) => &b.by,
            Body::ContributionTaken(b) => &b.by,
            Body::ContributionReversed(b) => &b.by,
            Body::DayClosed(b) => &b.by,
            Body::ClockConfirmed(b) => &b.by,
            Body::DuplicateAccepted(b) => &b.by,
            Body::MemberCorrected(b) => &b.by,
            Body::NomineeChanged(b) => &b.by,
            Body::SchemeLeft(b) => &b.by,
            Body::FundRulesSet(b) => &b.by,
            Body::NomineesSet(b) => &b.by,
            Body::ClaimFiled(b) => &b.by,
            // Taken from the lab's acknowledgement by the sync, not an
            // operator: the officer who decided is inside the decision.
            Body::ClaimDecided(_) => "",
        }
    }

    /// The `type` tag, for the events table and messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Body::KioskInitialised(_) => "kiosk_initialised",
            Body::OperatorAdded(_) => "operator_added",
            Body::SchemeDefined(_) => "scheme_defined",
            Body::GroupCreated(_) => "group_created",
            Body::HouseholdsImported(_) => "households_imported",
            Body::MemberRegistered(_) => "member_registered",
            Body::Enrolled(_) => "enrolled",
            Body::ContributionTaken(_) => "contribution_taken",
            Body::ContributionReversed(_) => "contribution_reversed",
            Body::DayClosed(_) => "day_closed",
            Body::ClockConfirmed(_) => "clock_confirmed",
            Body::DuplicateAccepted(_) => "duplicate_accepted",
            Body::MemberCorrected(_) => "member_corrected",
            Body::NomineeChanged(_) => "nominee_changed",
            Body::SchemeLeft(_) => "scheme_left",
            Body::FundRulesSet(_) => "fund_rules_set",
            Body::NomineesSet(_) => "nominees_set",
            Body::ClaimFiled(_) => "claim_filed",
            Body::ClaimDecided(_) => "claim_decided",
        }
    }
}

/// The `type` tags, read as the first key of a body.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    KioskInitialised,
    OperatorAdded,
    SchemeDefined,
    GroupCreated,
    HouseholdsImported,
    MemberRegistered,
    Enrolled,
    ContributionTaken,
    ContributionReversed,
    DayClosed,
    ClockConfirmed,
    DuplicateAccepted,
    MemberCorrected,
    NomineeChanged,
    SchemeLeft,
    FundRulesSet,
    NomineesSet,
    ClaimFiled,
    ClaimDecided,
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Body, D::Error> {
        d.deserialize_map(BodyVisitor)
    }
}

struct BodyVisitor;

impl<'de> Visitor<'de> for BodyVisitor {
    type Value = Body;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an event body, its \"type\" first")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Body, A::Error> {
        // Bodies are only ever read from canonical bytes, where the tag is
        // always the first key; anything else is not an event of ours.
        match map.next_key::<std::borrow::Cow<'de, str>>()? {
            Some(k) if k == "type" => {}
            _ => return Err(de::Error::custom("an event body starts with its \"type\"")),
        }
        let kind: Kind = map.next_value()?;
        let rest = de::value::MapAccessDeserializer::new(map);
        Ok(match kind {
            Kind::KioskInitialised => Body::KioskInitialised(KioskInitialised::deserialize(rest)?),
            Kind::OperatorAdded => Body::OperatorAdded(OperatorAdded::deserialize(rest)?),
            Kind::SchemeDefined => Body::SchemeDefined(SchemeDefined::deserialize(rest)?),
            Kind::GroupCreated => Body::GroupCreated(GroupCreated::deserialize(rest)?),
            Kind::HouseholdsImported => {
                Body::HouseholdsImported(HouseholdsImported::deserialize(rest)?)
            }
            Kind::MemberRegistered => Body::MemberRegistered(MemberRegistered::deserialize(rest)?),
            Kind::Enrolled => Body::Enrolled(Enrolled::deserialize(rest)?),
            Kind::ContributionTaken => {
                Body::ContributionTaken(ContributionTaken::deserialize(rest)?)
            }
            Kind::ContributionReversed => {
                Body::ContributionReversed(ContributionReversed::deserialize(rest)?)
            }
            Kind::DayClosed => Body::DayClosed(DayClosed::deserialize(rest)?),
            Kind::ClockConfirmed => Body::ClockConfirmed(ClockConfirmed::deserialize(rest)?),
            Kind::DuplicateAccepted => {
                Body::DuplicateAccepted(DuplicateAccepted::deserialize(rest)?)
            }
            Kind::MemberCorrected => Body::MemberCorrected(MemberCorrected::deserialize(rest)?),
            Kind::NomineeChanged => Body::NomineeChanged(NomineeChanged::deserialize(rest)?),
            Kind::SchemeLeft => Body::SchemeLeft(SchemeLeft::deserialize(rest)?),
            Kind::FundRulesSet => Body::FundRulesSet(FundRulesSet::deserialize(rest)?),
            Kind::NomineesSet => Body::NomineesSet(NomineesSet::deserialize(rest)?),
            Kind::ClaimFiled => Body::ClaimFiled(ClaimFiled::deserialize(rest)?),
            Kind::ClaimDecided => Body::ClaimDecided(ClaimDecided::deserialize(rest)?),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub v: u16,
    pub kiosk: String,
    pub seq: u64,
    /// RFC 3339, IST offset, whole seconds.
    pub at: String,
    pub prev: String,
    pub body: Body,
}

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("event bytes are not a valid event: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("event bytes are not in canonical form")]
    NotCanonical,
    #[error("unknown event format version {0}")]
    Version(u16),
}

impl Event {
    /// The frozen byte form that is hashed, stored and shipped.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        // Serialising these plain structs cannot fail: no maps with non-string
        // keys, no floats, no custom serialisers that error.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses canonical bytes and checks that they are exactly canonical, so
    /// that two byte strings never mean the same event.
    pub fn from_canonical(bytes: &[u8]) -> Result<Event, FormatError> {
        let e: Event = serde_json::from_slice(bytes)?;
        if e.v != FORMAT_VERSION {
            return Err(FormatError::Version(e.v));
        }
        // Serialised straight against the input, stopping at the first
        // byte that differs: the same check as comparing with
        // `canonical_bytes()`, without building a copy of every event.
        let mut rest = SameAs(bytes);
        if serde_json::to_writer(&mut rest, &e).is_err() || !rest.0.is_empty() {
            return Err(FormatError::NotCanonical);
        }
        Ok(e)
    }
}

/// A writer that accepts only the bytes it already holds, in order.
struct SameAs<'a>(&'a [u8]);

impl std::io::Write for SameAs<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.strip_prefix(buf) {
            Some(rest) => {
                self.0 = rest;
                Ok(buf.len())
            }
            None => Err(std::io::ErrorKind::InvalidData.into()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Lower-case hex SHA-256 of canonical bytes.
pub fn hash_hex(canonical: &[u8]) -> String {
    hex::encode(Sha256::digest(canonical))
}
