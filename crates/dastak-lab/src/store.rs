//! The lab's storage behind a narrow interface, `LabStore`, with two
//! backends chosen by `--db` ([`DbUrl`]): one SQLite file (`sqlite`, the
//! default) and PostgreSQL (`postgres`, for state-wide use). It holds
//! registered kiosks, their events keyed by (kiosk, sequence), quarantined
//! conflicts, each kiosk's head and the daily rollup. What both backends
//! must decide alike — each event's fate, how far a head moves, what the
//! rollup adds — is decided here, by code that does no IO.
//!
//! Inserts are idempotent (`ON CONFLICT DO NOTHING` on the key): the same
//! event arriving twice — by stick and network, or a replayed batch — changes
//! nothing. Different content under a key the lab already holds is never
//! written over: it goes to quarantine and raises an alarm.

mod postgres;
mod sqlite;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use ed25519_dalek::VerifyingKey;
use serde::Serialize;

use dastak_core::domain::event::Body;
use dastak_core::domain::money::Paise;
use dastak_core::domain::scheme::Frequency;

#[derive(Debug, thiserror::Error)]
pub enum LabStoreError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Postgres(#[from] ::postgres::Error),
    /// Another lab process claimed some of the same kiosk's events while
    /// this batch was being stored: nothing of the batch was kept.
    #[error(
        "another lab process stored kiosk {kiosk}'s events at the same time; send the batch again"
    )]
    Raced { kiosk: String },
    #[error("migrating the lab database: {0}")]
    Migration(String),
}

/// What one ingest did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Ingested {
    pub new: u64,
    pub duplicate: u64,
    pub quarantined: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct KioskStatus {
    pub kiosk: String,
    /// Every event up to here is held.
    pub through: u64,
    pub last_seq: u64,
    pub last_event_at: Option<String>,
    pub last_contact: Option<String>,
    /// Missing ranges below the last event held.
    pub gaps: Vec<(u64, u64)>,
    pub quarantined: u64,
}

/// One event as the lab keeps it: what its row needs and nothing more (the
/// rest of the parsed event is dropped where it was checked, so a batch
/// handed from a verifying thread to the storing one is small).
#[derive(Clone, Debug)]
pub struct Row {
    pub seq: u64,
    pub hash: String,
    pub prev: String,
    pub kind: &'static str,
    pub at: String,
    /// The event's canonical bytes, as received.
    pub canonical: String,
    /// What the reports read of it.
    pub facts: Facts,
    /// The code of the operator who recorded it (empty for the kiosk's own
    /// first event).
    pub operator: String,
}

/// What the lab's reports read of an event, taken from its typed body when
/// it is ingested (so no SQL reads the event's JSON, and the format stays
/// the shared crate's alone).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Facts {
    /// Nothing a report reads.
    #[default]
    None,
    /// The kiosk's panchayat.
    Place { panchayat: String },
    /// Money in (a receipt) or back out (a reversal slip, `original` the
    /// receipt it reverses).
    Money {
        receipt: String,
        original: Option<String>,
        member_id: String,
        scheme: String,
        amount: i64,
        /// The periods it paid (or a reversal took back).
        periods: u32,
    },
    /// A member registered, her village, and her Aadhaar reference's
    /// last four digits and keyed hash (the district's HMAC: the same
    /// number gives the same hash at every kiosk of the district).
    Member {
        member_id: String,
        village: String,
        aadhaar: Option<(String, String)>,
        /// Her name, for the defaulters list a field worker takes along.
        name: String,
        /// Her household's ration card, for the coverage page.
        ration_card: Option<String>,
    },
    /// A PDS list: its households (ration card, village, women of 18 to
    /// 60). Not columns of the event's row: ingest writes them to the
    /// households table when the list arrives.
    Households(Vec<Household>),
    /// A member enrolled in a scheme on a date.
    Enrolment {
        member_id: String,
        scheme: String,
        on: String,
    },
    /// A member left a scheme on a date.
    Left {
        member_id: String,
        scheme: String,
        on: String,
    },
    /// A scheme's dues: how often (`monthly` or `weekly`) and how much a
    /// period (paise).
    Scheme {
        scheme: String,
        frequency: &'static str,
        per_period: i64,
    },
    /// A day close's count.
    Close {
        date: String,
        expected: i64,
        counted: i64,
        variance: i64,
        reason: String,
    },
}

impl From<Body> for Facts {
    /// The facts of an event, moved out of its parsed body (ingest has no
    /// more use for the body, and copying its strings cost the lab time).
    fn from(body: Body) -> Facts {
        match body {
            Body::KioskInitialised(k) => Facts::Place {
                panchayat: k.panchayat,
            },
            Body::ContributionTaken(c) => Facts::Money {
                receipt: c.receipt,
                original: None,
                member_id: c.member_id,
                scheme: c.scheme,
                amount: c.amount.0,
                periods: c.periods,
            },
            Body::ContributionReversed(r) => Facts::Money {
                receipt: r.receipt,
                original: Some(r.original),
                member_id: r.member_id,
                scheme: r.scheme,
                amount: r.amount.0,
                periods: r.periods,
            },
            Body::MemberRegistered(m) => Facts::Member {
                member_id: m.member.member_id,
                village: m.member.village,
                aadhaar: m.member.aadhaar.map(|a| (a.last4, a.hash)),
                name: m.member.name,
                ration_card: m.member.ration_card,
            },
            Body::HouseholdsImported(h) => Facts::Households(households(h.rows)),
            Body::Enrolled(e) => Facts::Enrolment {
                member_id: e.member_id,
                scheme: e.scheme,
                on: e.on.to_string(),
            },
            Body::SchemeLeft(l) => Facts::Left {
                member_id: l.member_id,
                scheme: l.scheme,
                on: l.on.to_string(),
            },
            Body::SchemeDefined(d) => Facts::Scheme {
                frequency: match d.scheme.frequency {
                    Frequency::Monthly => "monthly",
                    Frequency::Weekly => "weekly",
                },
                per_period: d.scheme.amount.per_period().0,
                scheme: d.scheme.code,
            },
            Body::DayClosed(d) => Facts::Close {
                date: d.date.to_string(),
                expected: d.expected.0,
                counted: d.counted.0,
                variance: d.variance.0,
                reason: d.reason.unwrap_or_default(),
            },
            _ => Facts::None,
        }
    }
}

/// One household of a PDS list, as the coverage page counts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Household {
    pub ration_card: String,
    pub village: String,
    /// Its women of 18 to 60: who may join a self-help group.
    pub women: i64,
}

/// A PDS list's lines (one per person) as households: the village of a
/// card's first line, its women of 18 to 60 counted.
pub fn households(rows: Vec<dastak_core::domain::event::PdsRow>) -> Vec<Household> {
    let mut by: BTreeMap<String, Household> = BTreeMap::new();
    for r in rows {
        let woman =
            r.gender == dastak_core::domain::person::Gender::Female && (18..=60).contains(&r.age);
        let h = by.entry(r.ration_card.clone()).or_insert(Household {
            ration_card: r.ration_card,
            village: r.village,
            women: 0,
        });
        h.women += i64::from(woman);
    }
    by.into_values().collect()
}

/// The facts as the event row's typed columns, in the order of
/// [`FACT_COLUMNS`].
pub(crate) type FactValues<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<i64>,
    Option<&'a str>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<i64>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

/// The event row's fact columns (migration 0002).
pub(crate) const FACT_COLUMNS: &str = "panchayat, receipt, original, member_id, scheme, amount, \
     close_date, expected, counted, variance, reason, village, aadhaar_last4, aadhaar_hash, \
     frequency, periods, on_date, member_name, ration_card";

impl Facts {
    pub(crate) fn values(&self) -> FactValues<'_> {
        // (Tuples this long have no Default.)
        let mut v: FactValues<'_> = (
            None, None, None, None, None, None, None, None, None, None, None, None, None, None,
            None, None, None, None, None,
        );
        match self {
            Facts::None | Facts::Households(_) => {}
            Facts::Place { panchayat } => v.0 = Some(panchayat),
            Facts::Money {
                receipt,
                original,
                member_id,
                scheme,
                amount,
                periods,
            } => {
                v.1 = Some(receipt);
                v.2 = original.as_deref();
                v.3 = Some(member_id);
                v.4 = Some(scheme);
                v.5 = Some(*amount);
                v.15 = Some(i64::from(*periods));
            }
            Facts::Member {
                member_id,
                village,
                aadhaar,
                name,
                ration_card,
            } => {
                v.18 = ration_card.as_deref();
                v.3 = Some(member_id);
                v.11 = Some(village);
                if let Some((last4, hash)) = aadhaar {
                    v.12 = Some(last4);
                    v.13 = Some(hash);
                }
                v.17 = Some(name);
            }
            Facts::Enrolment {
                member_id,
                scheme,
                on,
            }
            | Facts::Left {
                member_id,
                scheme,
                on,
            } => {
                v.3 = Some(member_id);
                v.4 = Some(scheme);
                v.16 = Some(on);
            }
            Facts::Scheme {
                scheme,
                frequency,
                per_period,
            } => {
                v.4 = Some(scheme);
                v.5 = Some(*per_period);
                v.14 = Some(frequency);
            }
            Facts::Close {
                date,
                expected,
                counted,
                variance,
                reason,
            } => {
                v.6 = Some(date);
                v.7 = Some(*expected);
                v.8 = Some(*counted);
                v.9 = Some(*variance);
                v.10 = Some(reason);
            }
        }
        v
    }
}

/// One verified batch: its kiosk and its events' rows.
pub type Incoming = (String, Vec<Row>);

/// What the lab needs from its storage: nothing here names SQL, so that
/// another backend (PostgreSQL for state-wide use) can stand behind it.
pub trait LabStore {
    fn add_kiosk(&mut self, code: &str, key: &str, now: &str) -> Result<(), LabStoreError>;
    fn kiosk_key(&self, code: &str) -> Result<Option<VerifyingKey>, LabStoreError>;
    /// Every registered kiosk's key, to verify batches off the storing
    /// thread.
    fn kiosk_keys(&self) -> Result<HashMap<String, VerifyingKey>, LabStoreError>;
    /// Verified batches, inserted idempotently in one durable commit (one
    /// upload, or a stick's worth), each in a savepoint of its own, taken
    /// as they come (so the caller can still be verifying the later ones);
    /// conflicts go to quarantine.
    fn ingest_all(
        &mut self,
        batches: &mut dyn Iterator<Item = Incoming>,
        now: &str,
    ) -> Result<Vec<Result<Ingested, LabStoreError>>, LabStoreError>;
    /// The contiguous high-water mark and its hash: kept by ingest in the
    /// same transaction as the events, so reading it never scans a
    /// kiosk's history.
    fn head(&self, kiosk: &str) -> Result<(u64, String), LabStoreError>;
    fn status(&self) -> Result<Vec<KioskStatus>, LabStoreError>;
    /// Money by panchayat, kiosk, scheme and month, from the events.
    fn report(&self) -> Result<Vec<ReportRow>, LabStoreError>;
    /// What the lab holds of one receipt: its member and amount as
    /// received, and the slip that reversed it, if any.
    fn receipt(&self, kiosk: &str, receipt: &str) -> Result<HeldReceipt, LabStoreError>;
    /// Day closes whose count differed from what was expected (short or
    /// over), with the reason the operator gave, of days from `from`
    /// (YYYY-MM-DD; empty: all). Read through an index of the day closes,
    /// not a scan of the events.
    fn cash_differences(&self, from: &str) -> Result<Vec<CashDifference>, LabStoreError>;
    /// One cheap read, to show the database answers.
    fn ping(&self) -> Result<(), LabStoreError>;
    /// Makes ready, before their first event comes, what the events of
    /// `months` (`YYYY-MM`) are stored in, waiting only a moment for
    /// readers of the events; returns the months it left for ingest to
    /// make. SQLite keeps every month in one table: nothing to make.
    fn make_months(&mut self, months: &[String]) -> Result<Vec<String>, LabStoreError> {
        let _ = months;
        Ok(Vec::new())
    }
    /// The daily rollup: per kiosk, village, day and scheme, of the events
    /// held without a gap below them.
    fn daily(&self) -> Result<Vec<DailyRow>, LabStoreError> {
        self.daily_between("", "9999-99-99")
    }
    /// The rows of the daily rollup of days `from` to `to` (YYYY-MM-DD,
    /// both included), by day, then kiosk, village and scheme (the order
    /// of its index by day, so that no more than the days asked for are
    /// read and nothing is sorted): what a dashboard page
    /// reads, so that its cost follows the days it shows, not the events
    /// the lab holds.
    fn daily_between(&self, from: &str, to: &str) -> Result<Vec<DailyRow>, LabStoreError> {
        let mut rows = Vec::new();
        self.daily_each(from, to, &mut |r| {
            rows.push(r);
            true
        })?;
        Ok(rows)
    }
    /// The same rows handed to `each` one by one as the database sends
    /// them, never all in memory (an export of millions); stops when
    /// `each` says false.
    fn daily_each(
        &self,
        from: &str,
        to: &str,
        each: &mut dyn FnMut(DailyRow) -> bool,
    ) -> Result<(), LabStoreError>;
    /// The monthly rollup of months `from` to `to` (YYYY-MM, both
    /// included), each row's `day` its month.
    fn monthly_between(&self, from: &str, to: &str) -> Result<Vec<DailyRow>, LabStoreError>;
    /// The operators' rollup of days `from` to `to`, as `daily_between`.
    fn operator_days(&self, from: &str, to: &str) -> Result<Vec<OperatorDay>, LabStoreError>;
    /// Every member's enrolments, with her name (what expected dues and
    /// arrears are computed from: one row per member and scheme, never
    /// the events).
    fn enrolments(&self) -> Result<Vec<EnrolmentRow>, LabStoreError>;
    /// Each kiosk's schemes' dues.
    fn scheme_dues(&self) -> Result<Vec<SchemeDues>, LabStoreError>;
    /// Per kiosk and village: households its PDS lists name, those with a
    /// registered member, and their women of 18 to 60.
    fn coverage(&self) -> Result<Vec<CoverageRow>, LabStoreError>;
    /// Members whose Aadhaar reference is registered at more than one
    /// kiosk, marked so by ingest when the second one came (read through
    /// a partial index, not by grouping every member).
    fn shared_aadhaar(&self) -> Result<Vec<SharedAadhaar>, LabStoreError>;
    /// Where each kiosk is, from its first event (a kiosk's ledger begins
    /// with `kiosk_initialised`): one keyed read per kiosk.
    fn kiosk_places(&self) -> Result<HashMap<String, Place>, LabStoreError>;

    /// A new officer; false when the name is taken (nothing changes).
    fn add_officer(&mut self, officer: &Officer, now: &str) -> Result<bool, LabStoreError>;
    fn officer(&self, name: &str) -> Result<Option<Officer>, LabStoreError>;
    fn set_officer_lang(&mut self, name: &str, lang: &str) -> Result<(), LabStoreError>;
    fn open_session(&mut self, session: &SessionRow) -> Result<(), LabStoreError>;
    /// The session under `token_hash` that has not expired by `now` (Unix
    /// seconds), with its officer.
    fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(SessionRow, Officer)>, LabStoreError>;
    fn close_session(&mut self, token_hash: &str) -> Result<(), LabStoreError>;
    /// Appends to the audit log (which the database keeps append-only).
    fn audit(&mut self, entry: &AuditEntry) -> Result<(), LabStoreError>;
    /// The newest `limit` entries of the audit log, newest first.
    fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, LabStoreError>;

    /// The held `claim_filed` and `fund_rules_set` events (through their
    /// partial index), by kiosk and sequence.
    fn fund_events(&self) -> Result<Vec<HeldEvent>, LabStoreError>;
    /// A claimed member: her name, village, and the day she joined the
    /// claim's scheme (None when the lab holds no such member).
    fn claim_member(
        &self,
        kiosk: &str,
        member_id: &str,
        scheme: &str,
    ) -> Result<Option<ClaimMember>, LabStoreError>;
    /// A member's contributions, reversals and enrolments at her kiosk, in
    /// order (for a claim's risk flags: a few hundred rows at most, read
    /// through the events' key on the kiosk).
    fn member_events(
        &self,
        kiosk: &str,
        member_id: &str,
    ) -> Result<Vec<MemberEvent>, LabStoreError>;
    /// The claim log's entries, their signed bytes in order of `n`.
    fn claim_log(&self) -> Result<Vec<Vec<u8>>, LabStoreError>;
    /// The claim log's entries on `kiosk`'s claims, in order of `n` (what
    /// its acknowledgement carries back).
    fn claim_log_of(&self, kiosk: &str) -> Result<Vec<Vec<u8>>, LabStoreError>;
    /// Appends entry `n` of the claim log; false (nothing written) when an
    /// entry `n` is there already: another officer's step came first.
    fn append_claim_log(
        &mut self,
        n: u64,
        kiosk: &str,
        claim: &str,
        signed: &[u8],
    ) -> Result<bool, LabStoreError>;
}

/// One held event as its kiosk signed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldEvent {
    pub kiosk: String,
    pub seq: u64,
    pub canonical: Vec<u8>,
}

/// One of a member's events as a claim's risk flags read it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberEvent {
    pub kind: String,
    pub at: String,
    pub scheme: Option<String>,
    pub receipt: Option<String>,
    /// The receipt a reversal took back.
    pub original: Option<String>,
    pub periods: Option<i64>,
    pub operator: String,
}

/// What a claim's page shows of its member.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ClaimMember {
    pub name: String,
    pub village: String,
    /// YYYY-MM-DD; None when her enrolment is not held.
    pub enrolled_on: Option<String>,
}

/// Where a kiosk is, as its first event says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Place {
    pub panchayat: String,
    pub block: String,
    pub district: String,
}

/// The place in a kiosk's first event's canonical bytes; none when that
/// event is not a `kiosk_initialised` (which a kiosk cannot make).
pub fn place_of(canonical: &[u8]) -> Option<Place> {
    match dastak_core::domain::event::Event::from_canonical(canonical)
        .ok()?
        .body
    {
        Body::KioskInitialised(k) => Some(Place {
            panchayat: k.panchayat,
            block: k.block,
            district: k.district,
        }),
        _ => None,
    }
}

/// How long a session lasts after its login, in seconds: a working day.
/// Sessions expired this long are swept when a new one opens.
pub const SESSION_SPAN: i64 = 10 * 3600;

/// An officer as the books keep one: the password only as its Argon2id
/// PHC string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Officer {
    pub name: String,
    pub password_hash: String,
    /// viewer, officer, approver or admin.
    pub role: String,
    /// None: the whole state.
    pub district: Option<String>,
    /// hi or en.
    pub lang: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    /// SHA-256 of the cookie's token, in hex.
    pub token_hash: String,
    pub officer: String,
    pub csrf: String,
    /// Unix seconds.
    pub expires: i64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: String,
    pub officer: String,
    pub action: String,
    pub detail: String,
}

/// One row of the daily rollup (`dastak-lab report --daily`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DailyRow {
    pub kiosk: String,
    pub village: String,
    /// The kiosk's local date, YYYY-MM-DD.
    pub day: String,
    pub scheme: String,
    pub receipts: u64,
    /// Taken by those receipts.
    pub amount: Paise,
    pub reversals: u64,
    /// Given back by those reversals.
    pub reversed: Paise,
    pub enrolments: u64,
}

/// What one operator recorded at one kiosk on one day (the kiosk's local
/// date), from the operators' rollup (migration 0006).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct OperatorDay {
    pub kiosk: String,
    pub operator: String,
    pub day: String,
    pub receipts: u64,
    pub reversals: u64,
    pub registrations: u64,
    pub enrolments: u64,
    /// Times the operator confirmed the kiosk's date (`clock_confirmed`):
    /// the kiosk doubted its clock.
    pub clock_confirms: u64,
    /// Events dated earlier than the event before them in the kiosk's
    /// chain: the clock was set back, or an entry back-dated.
    pub backdated: u64,
}

/// One member's enrolment in one scheme, as the lab holds it.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct EnrolmentRow {
    pub kiosk: String,
    pub member_id: String,
    pub name: String,
    pub scheme: String,
    pub village: String,
    /// YYYY-MM-DD; None if the lab holds her money but not her enrolment.
    pub enrolled_on: Option<String>,
    /// YYYY-MM-DD when she has left the scheme.
    pub left_on: Option<String>,
    /// Periods paid less those taken back.
    pub periods: i64,
}

/// One kiosk's village in the coverage page.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct CoverageRow {
    pub kiosk: String,
    pub village: String,
    /// Households its PDS lists name.
    pub households: u64,
    /// Of those, households with a registered member.
    pub reached: u64,
    /// Women of 18 to 60 in the listed households.
    pub women: u64,
}

/// A kiosk's scheme's dues, from its `scheme_defined` event.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SchemeDues {
    pub kiosk: String,
    pub scheme: String,
    /// `monthly` or `weekly`.
    pub frequency: String,
    pub per_period: Paise,
}

/// A member whose Aadhaar reference (the same keyed hash) is also
/// registered at another kiosk: one person enrolled twice, or a number
/// typed wrong.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SharedAadhaar {
    /// Which reference it is, to group the members who share one; the
    /// page shows only the last four digits.
    pub group: String,
    pub last4: String,
    pub kiosk: String,
    pub member_id: String,
    pub village: String,
}

/// A day close where the cash counted was not what the books expected.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CashDifference {
    pub panchayat: String,
    pub kiosk: String,
    pub date: String,
    pub expected: Paise,
    pub counted: Paise,
    /// Counted less expected: negative is short, positive is over.
    pub variance: Paise,
    pub reason: String,
}

/// One line of `dastak-lab report`: money by panchayat, scheme and month.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ReportRow {
    pub panchayat: String,
    pub kiosk: String,
    pub scheme: String,
    pub month: String,
    pub receipts: u64,
    pub reversals: u64,
    /// Contributions less reversals.
    pub total: Paise,
}

/// A receipt as the lab holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeldReceipt {
    /// Member and amount (paise) of the contribution, if held.
    pub taken: Option<(String, i64)>,
    /// The reversal slip that cancelled it, if held.
    pub reversed_by: Option<String>,
}

pub use postgres::PgLab;
pub use sqlite::{SqliteLab, migrations};

/// Where a lab keeps its books, as `--db` names it. Parsed once, then
/// opened: the keys stay in the lab directory whichever it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DbUrl {
    /// `sqlite:PATH`, or a bare path: one file, the default.
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`, as libpq writes them; a Unix
    /// socket's directory is a percent-encoded host
    /// (`postgresql://lab@%2Frun%2Fpostgresql/district`).
    Postgres(String),
}

impl DbUrl {
    /// Every text names a database: what is not a PostgreSQL URL is a
    /// SQLite file, so a path given before URLs existed means what it did.
    pub fn parse(text: &str) -> DbUrl {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            DbUrl::Postgres(text.to_string())
        } else {
            let path = text
                .strip_prefix("sqlite://")
                .or_else(|| text.strip_prefix("sqlite:"))
                .unwrap_or(text);
            DbUrl::Sqlite(PathBuf::from(path))
        }
    }

    /// Opens the books, bringing their schema up to date.
    pub fn open(&self) -> Result<Box<dyn LabStore + Send>, LabStoreError> {
        Ok(match self {
            DbUrl::Sqlite(path) => Box::new(SqliteLab::open(path)?),
            DbUrl::Postgres(url) => Box::new(PgLab::open(url)?),
        })
    }
}

/// A kiosk's row of `kiosk_heads`: `through`, the last event held with
/// none missing below it, and its hash; `last_seq`, the highest held;
/// `last_event_at`, the latest time its events claim.
#[derive(Clone, Debug, Default)]
pub(crate) struct Head {
    pub through: u64,
    pub hash: String,
    /// The time event `through` claims: what the next one's is compared
    /// with to find entries dated back.
    pub through_at: Option<String>,
    pub last_seq: u64,
    pub last_event_at: Option<String>,
}

/// The columns of the events table that the head's walk reads, in the
/// order of [`Above`]'s fields.
pub(crate) const FOLD_COLUMNS: &str = "seq, hash, kind, at, member_id, scheme, amount, village, \
     operator, aadhaar_last4, aadhaar_hash, frequency, periods, on_date, member_name, ration_card";

/// [`FOLD_COLUMNS`] as they were at migration 0006 (PostgreSQL's 0003),
/// for that step's backfill: the columns after it came with 0007 (the
/// number is cast, so that PostgreSQL types the empty column as one).
pub(crate) const FOLD_COLUMNS_0006: &str = "seq, hash, kind, at, member_id, scheme, amount, \
     village, operator, aadhaar_last4, aadhaar_hash, NULL, CAST(NULL AS BIGINT), NULL, NULL, NULL";

/// [`FOLD_COLUMNS`] as they were at migration 0007 (PostgreSQL's 0004).
pub(crate) const FOLD_COLUMNS_0007: &str = "seq, hash, kind, at, member_id, scheme, amount, \
     village, operator, aadhaar_last4, aadhaar_hash, frequency, periods, on_date, member_name, \
     NULL";

/// One event held above a kiosk's head, as the walk reads it back.
pub(crate) struct Above {
    pub seq: u64,
    pub hash: String,
    pub kind: String,
    pub at: String,
    pub member: Option<String>,
    pub scheme: Option<String>,
    pub amount: Option<i64>,
    pub village: Option<String>,
    pub operator: Option<String>,
    pub aadhaar_last4: Option<String>,
    pub aadhaar_hash: Option<String>,
    pub frequency: Option<String>,
    pub periods: Option<i64>,
    pub on_date: Option<String>,
    pub member_name: Option<String>,
    pub ration_card: Option<String>,
}

impl Above {
    /// An event just stored, as the walk would read its row back (so a
    /// stick's new events are folded from memory, not read again).
    pub fn of(e: &Row) -> Above {
        let v = e.facts.values();
        let text = |x: Option<&str>| x.map(str::to_string);
        Above {
            seq: e.seq,
            hash: e.hash.clone(),
            kind: e.kind.to_string(),
            at: e.at.clone(),
            member: text(v.3),
            scheme: text(v.4),
            amount: v.5,
            village: text(v.11),
            operator: Some(e.operator.clone()),
            aadhaar_last4: text(v.12),
            aadhaar_hash: text(v.13),
            frequency: text(v.14),
            periods: v.15,
            on_date: text(v.16),
            member_name: text(v.17),
            ration_card: text(v.18),
        }
    }
}

/// What a stick's batches stored for one kiosk, for its head to pass once
/// at the end of the stick (one fold and one write per rollup key a stick,
/// not a batch).
#[derive(Default)]
pub(crate) struct Stored {
    /// The new events, as the walk reads them.
    pub above: Vec<Above>,
    pub last_seq: u64,
    pub last_at: Option<String>,
}

/// Every kiosk a stick's stored batches came from, in the order first seen.
#[derive(Default)]
pub(crate) struct Advances(Vec<(String, Stored)>);

impl Advances {
    /// Notes a batch that was stored (its savepoint released).
    pub fn note(&mut self, kiosk: &str, events: &[Row], fates: &[Fate]) {
        let at = match self.0.iter().position(|(k, _)| k == kiosk) {
            Some(i) => i,
            None => {
                self.0.push((kiosk.to_string(), Stored::default()));
                self.0.len() - 1
            }
        };
        let s = &mut self.0[at].1;
        let (last_seq, last_at) = newest(events, fates);
        s.last_seq = s.last_seq.max(last_seq);
        if let Some(t) = last_at
            && s.last_at.as_deref().is_none_or(|h| t > h)
        {
            s.last_at = Some(t.to_string());
        }
        s.above.extend(
            events
                .iter()
                .zip(fates)
                .filter(|(_, f)| **f == Fate::New)
                .map(|(e, _)| Above::of(e)),
        );
    }

    /// Each kiosk and what it stored, the new events in sequence order.
    pub fn into_kiosks(self) -> impl Iterator<Item = (String, Stored)> {
        self.0.into_iter().map(|(k, mut s)| {
            s.above.sort_by_key(|a| a.seq);
            (k, s)
        })
    }
}

/// Finds the village a member registered in, among the ones held before
/// this walk (the backend's `lab_members`).
pub(crate) type Villages<'a, E> = dyn FnMut(&str) -> Result<Option<String>, E> + 'a;

impl Head {
    /// Moves the head up `above` — the events held above it, in order:
    /// the batch just stored, and any held above a gap that it closes —
    /// while none is missing, adding each it passes to `fold`. Both
    /// backends walk the same way, so their heads and rollups agree.
    pub fn walk<E>(
        &mut self,
        above: impl IntoIterator<Item = Result<Above, E>>,
        fold: &mut Fold,
        villages: &mut Villages<'_, E>,
    ) -> Result<(), E> {
        if fold.last_at.is_none() {
            fold.last_at = self.through_at.clone();
        }
        for a in above {
            let mut a = a?;
            if a.seq != self.through + 1 {
                break;
            }
            self.through = a.seq;
            self.hash = std::mem::take(&mut a.hash);
            self.through_at = Some(a.at.clone());
            fold.add(a, villages)?;
        }
        Ok(())
    }

    /// Notes the highest event and the latest time among those just
    /// stored.
    pub fn saw(&mut self, last_seq: u64, last_at: Option<&str>) {
        self.last_seq = self.last_seq.max(last_seq);
        if let Some(t) = last_at
            && self.last_event_at.as_deref().is_none_or(|h| t > h)
        {
            self.last_event_at = Some(t.to_string());
        }
    }
}

/// One row of the daily rollup, as it is added up.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DayCounts {
    pub receipts: i64,
    pub amount: i64,
    pub reversals: i64,
    pub reversed: i64,
    pub enrolments: i64,
}

/// What a run of events changed of one member's enrolment in a scheme:
/// written as an upsert of `lab_enrolments`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EnrolmentChange {
    pub village: String,
    /// The day she (re)joined, if she did in this run.
    pub enrolled_on: Option<String>,
    /// Whether the run decided her leaving: `Some(None)` she rejoined
    /// after leaving, `Some(Some(day))` she left.
    pub left_on: Option<Option<String>>,
    /// Periods paid less periods taken back.
    pub periods: i64,
}

/// One row of the operators' rollup, as it is added up.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct OpCounts {
    pub receipts: i64,
    pub reversals: i64,
    pub registrations: i64,
    pub enrolments: i64,
    pub clock_confirms: i64,
    pub backdated: i64,
}

impl OpCounts {
    pub fn values(&self) -> [i64; 6] {
        [
            self.receipts,
            self.reversals,
            self.registrations,
            self.enrolments,
            self.clock_confirms,
            self.backdated,
        ]
    }
}

/// A run of one kiosk's events added to the daily rollup, in the kiosk's
/// order: a registration gives the member's village, which her enrolments
/// and money are counted under. The counts are added up in memory; the
/// backend writes `registered` to its members and `sums` to its daily
/// rollup once per run.
#[derive(Default)]
pub(crate) struct Fold {
    villages: HashMap<String, String>,
    /// Members registered in this run, and their villages (the last
    /// registration wins, as it would row by row).
    pub registered: BTreeMap<String, String>,
    /// Per (village, day, scheme).
    pub sums: BTreeMap<(String, String, String), DayCounts>,
    /// Per (operator, day).
    pub ops: BTreeMap<(String, String), OpCounts>,
    /// Aadhaar references registered in this run: member → (last four
    /// digits, keyed hash, village).
    pub aadhaar: BTreeMap<String, (String, String, String)>,
    /// Names of the members registered in this run.
    pub names: BTreeMap<String, String>,
    /// Ration cards of the members registered in this run.
    pub cards: BTreeMap<String, String>,
    /// Schemes defined in this run: code → (frequency, dues a period).
    pub schemes: BTreeMap<String, (String, i64)>,
    /// What this run changed of each (member, scheme) enrolment.
    pub enrolments: BTreeMap<(String, String), EnrolmentChange>,
    /// The time the event before the next one claims.
    pub last_at: Option<String>,
}

impl Fold {
    pub fn add<E>(&mut self, e: Above, villages: &mut Villages<'_, E>) -> Result<(), E> {
        self.count_operator(&e);
        if e.kind == "scheme_defined"
            && let (Some(scheme), Some(frequency)) = (&e.scheme, &e.frequency)
        {
            self.schemes.insert(
                scheme.clone(),
                (frequency.clone(), e.amount.unwrap_or_default()),
            );
        }
        let Some(member) = e.member else {
            return Ok(());
        };
        if e.kind == "member_registered" {
            let village = e.village.unwrap_or_default();
            if let Some(name) = e.member_name {
                self.names.insert(member.clone(), name);
            }
            if let Some(card) = e.ration_card {
                self.cards.insert(member.clone(), card);
            }
            if let (Some(last4), Some(hash)) = (e.aadhaar_last4, e.aadhaar_hash) {
                self.aadhaar
                    .insert(member.clone(), (last4, hash, village.clone()));
            }
            self.registered.insert(member.clone(), village.clone());
            self.villages.insert(member, village);
            return Ok(());
        }
        let village = match self.villages.get(&member) {
            Some(v) => v.clone(),
            None => {
                let v = villages(&member)?.unwrap_or_default();
                self.villages.insert(member.clone(), v.clone());
                v
            }
        };
        if let Some(scheme) = &e.scheme {
            let change = self
                .enrolments
                .entry((member.clone(), scheme.clone()))
                .or_default();
            change.village = village.clone();
            let periods = e.periods.unwrap_or(0);
            match e.kind.as_str() {
                "enrolled" => {
                    change.enrolled_on = e.on_date.clone();
                    change.left_on = Some(None);
                }
                "scheme_left" => change.left_on = Some(e.on_date.clone()),
                "contribution_taken" => change.periods += periods,
                "contribution_reversed" => change.periods -= periods,
                _ => {}
            }
        }
        if !matches!(
            e.kind.as_str(),
            "contribution_taken" | "contribution_reversed" | "enrolled"
        ) {
            return Ok(());
        }
        // The kiosk's local date: its instants are written in IST.
        let day = e.at.get(..10).unwrap_or_default().to_string();
        let c = self
            .sums
            .entry((village, day, e.scheme.unwrap_or_default()))
            .or_default();
        let amount = e.amount.unwrap_or(0);
        match e.kind.as_str() {
            "contribution_taken" => {
                c.receipts += 1;
                c.amount += amount;
            }
            "contribution_reversed" => {
                c.reversals += 1;
                c.reversed += amount;
            }
            "enrolled" => c.enrolments += 1,
            _ => {}
        }
        Ok(())
    }
}

impl DayCounts {
    fn add(&mut self, o: &DayCounts) {
        self.receipts += o.receipts;
        self.amount += o.amount;
        self.reversals += o.reversals;
        self.reversed += o.reversed;
        self.enrolments += o.enrolments;
    }

    pub fn values(&self) -> [i64; 5] {
        [
            self.receipts,
            self.amount,
            self.reversals,
            self.reversed,
            self.enrolments,
        ]
    }
}

impl Fold {
    /// The run's counts per (village, month, scheme), for the monthly
    /// rollup.
    pub fn by_month(&self) -> BTreeMap<(String, String, String), DayCounts> {
        let mut out: BTreeMap<(String, String, String), DayCounts> = BTreeMap::new();
        for ((village, day, scheme), c) in &self.sums {
            let month = day.get(..7).unwrap_or(day).to_string();
            out.entry((village.clone(), month, scheme.clone()))
                .or_default()
                .add(c);
        }
        out
    }

    /// Adds an event to its operator's day, and notes whether it is dated
    /// before the one before it. Times are compared as text: a kiosk
    /// writes every instant in one format (IST, whole seconds).
    fn count_operator(&mut self, e: &Above) {
        let back = self.last_at.as_deref().is_some_and(|p| e.at.as_str() < p);
        self.last_at = Some(e.at.clone());
        let Some(op) = e.operator.as_deref().filter(|o| !o.is_empty()) else {
            return;
        };
        let day = e.at.get(..10).unwrap_or_default().to_string();
        let c = self.ops.entry((op.to_string(), day)).or_default();
        match e.kind.as_str() {
            "contribution_taken" => c.receipts += 1,
            "contribution_reversed" => c.reversals += 1,
            "member_registered" => c.registrations += 1,
            "enrolled" => c.enrolments += 1,
            "clock_confirmed" => c.clock_confirms += 1,
            _ => {}
        }
        c.backdated += i64::from(back);
    }
}

/// The missing ranges below the highest of `held` (the sequence numbers
/// held above `through`, in order).
pub(crate) fn gaps(through: u64, held: impl IntoIterator<Item = u64>) -> Vec<(u64, u64)> {
    gaps_between(through, held.into_iter().map(|s| (s, s)))
}

/// [`gaps`] from runs of numbers held above `through`, each as (first,
/// last), in order of their first number.
pub(crate) fn gaps_between(
    through: u64,
    runs: impl IntoIterator<Item = (u64, u64)>,
) -> Vec<(u64, u64)> {
    let mut gaps = Vec::new();
    let mut expect = through + 1;
    for (first, last) in runs {
        if first > expect {
            gaps.push((expect, first - 1));
        }
        expect = expect.max(last + 1);
    }
    gaps
}

/// What one batch's events do when stored, decided the same way by both
/// backends from the hashes already held at and below its sequence
/// numbers: each is new, a duplicate, or quarantined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fate {
    New,
    Duplicate,
    /// Its `prev` is not the hash the lab holds below it.
    Fork,
    /// The lab holds another event under its number.
    Conflict,
}

impl Fate {
    pub fn reason(self) -> &'static str {
        match self {
            Fate::Fork => "fork",
            _ => "conflict",
        }
    }
}

/// The sequence numbers whose held hashes decide a batch's fates: its
/// own, and the one below its first (read by each backend in one range
/// query, not one per event).
pub(crate) fn fate_range(events: &[Row]) -> Option<(u64, u64)> {
    let low = events.iter().map(|e| e.seq).min()?;
    let high = events.iter().map(|e| e.seq).max()?;
    Some((low.saturating_sub(1), high))
}

/// Decides each event's fate in order. `held` holds the hashes the lab
/// has in [`fate_range`] before this batch; events found new count as held
/// for those after them. Within a batch the chain is already verified, so
/// only the first event (and one after a refused event) needs checking
/// against the event below it.
pub(crate) fn fates(events: &[Row], held: &HashMap<u64, String>) -> Vec<Fate> {
    fn lookup<'a>(
        taken: &HashMap<u64, &'a str>,
        held: &'a HashMap<u64, String>,
        seq: u64,
    ) -> Option<&'a str> {
        taken
            .get(&seq)
            .copied()
            .or_else(|| held.get(&seq).map(String::as_str))
    }
    let mut taken: HashMap<u64, &str> = HashMap::new();
    let mut out = Vec::with_capacity(events.len());
    let mut check_below = true;
    for e in events {
        if check_below && e.seq > 1 && lookup(&taken, held, e.seq - 1).is_some_and(|b| b != e.prev)
        {
            out.push(Fate::Fork);
            continue;
        }
        let fate = match lookup(&taken, held, e.seq) {
            None => Fate::New,
            Some(h) if h == e.hash => Fate::Duplicate,
            Some(_) => Fate::Conflict,
        };
        check_below = fate == Fate::Conflict;
        if fate == Fate::New {
            taken.insert(e.seq, &e.hash);
        }
        out.push(fate);
    }
    out
}

/// The highest sequence number and the latest time among the new events.
pub(crate) fn newest<'r>(events: &'r [Row], fates: &[Fate]) -> (u64, Option<&'r str>) {
    let mut last: (u64, Option<&str>) = (0, None);
    for (e, f) in events.iter().zip(fates) {
        if *f == Fate::New {
            last.0 = last.0.max(e.seq);
            if last.1.is_none_or(|t| e.at.as_str() > t) {
                last.1 = Some(e.at.as_str());
            }
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_between_runs_skip_what_a_run_reaching_below_the_head_holds() {
        // Held: 3..=5 (partly at or below the head), 9, 12..=20.
        assert_eq!(
            gaps_between(4, [(3, 5), (9, 9), (12, 20)]),
            vec![(6, 8), (10, 11)]
        );
        assert_eq!(gaps_between(4, [(5, 7)]), vec![]);
        assert_eq!(gaps(0, [2, 3, 7]), vec![(1, 1), (4, 6)]);
    }
}
