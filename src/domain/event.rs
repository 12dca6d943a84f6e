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
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::aadhaar::AadhaarRef;
use crate::domain::cash::NoteCount;
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    KioskInitialised {
        kiosk: String,
        panchayat: String,
        block: String,
        district: String,
        language: Lang,
    },
    OperatorAdded {
        code: String,
        name: String,
        role: Role,
        language: Lang,
        by: String,
    },
    SchemeDefined {
        scheme: Scheme,
        by: String,
    },
    GroupCreated {
        code: String,
        scheme: String,
        name: String,
        village: String,
        by: String,
    },
    HouseholdsImported {
        source: String,
        rows: Vec<PdsRow>,
        by: String,
    },
    MemberRegistered {
        member: MemberRecord,
        by: String,
    },
    Enrolled {
        member_id: String,
        scheme: String,
        group: Option<String>,
        on: Date,
        nominee: Option<Nominee>,
        by: String,
    },
    ContributionTaken {
        receipt: String,
        member_id: String,
        scheme: String,
        amount: Paise,
        /// Index of the first period covered (0 = the enrolment period).
        first_period: u32,
        periods: u32,
        by: String,
    },
    ContributionReversed {
        /// The reversal slip's own number, from the same series.
        receipt: String,
        original: String,
        member_id: String,
        scheme: String,
        amount: Paise,
        periods: u32,
        reason: String,
        by: String,
    },
    DayClosed {
        date: Date,
        notes: Vec<NoteCount>,
        coins: Paise,
        counted: Paise,
        expected: Paise,
        variance: Paise,
        reason: Option<String>,
        /// The close covers cash events after the previous close up to here.
        through_seq: u64,
        /// Hash of the previous DayClosed event, or GENESIS for the first.
        prev_close: String,
        by: String,
    },
    ClockConfirmed {
        date: Date,
        by: String,
    },
}

impl Body {
    /// The `type` tag, for the events table and messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Body::KioskInitialised { .. } => "kiosk_initialised",
            Body::OperatorAdded { .. } => "operator_added",
            Body::SchemeDefined { .. } => "scheme_defined",
            Body::GroupCreated { .. } => "group_created",
            Body::HouseholdsImported { .. } => "households_imported",
            Body::MemberRegistered { .. } => "member_registered",
            Body::Enrolled { .. } => "enrolled",
            Body::ContributionTaken { .. } => "contribution_taken",
            Body::ContributionReversed { .. } => "contribution_reversed",
            Body::DayClosed { .. } => "day_closed",
            Body::ClockConfirmed { .. } => "clock_confirmed",
        }
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
        if e.canonical_bytes() != bytes {
            return Err(FormatError::NotCanonical);
        }
        Ok(e)
    }
}

/// Lower-case hex SHA-256 of canonical bytes.
pub fn hash_hex(canonical: &[u8]) -> String {
    hex::encode(Sha256::digest(canonical))
}
