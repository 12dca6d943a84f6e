//! The lab's storage behind a narrow interface, so that PostgreSQL can
//! follow SQLite for state-wide use: registered kiosks, their events keyed
//! by (kiosk, sequence), and quarantined conflicts.
//!
//! Inserts are idempotent (`ON CONFLICT DO NOTHING` on the key): the same
//! event arriving twice — by stick and network, or a replayed batch — changes
//! nothing. Different content under a key the lab already holds is never
//! written over: it goes to quarantine and raises an alarm.

use std::collections::HashMap;

use ed25519_dalek::VerifyingKey;
use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};
use serde::Serialize;

use dastak_core::domain::event::{Body, Event};
use dastak_core::domain::money::Paise;
use dastak_core::domain::proof::parse_public_key;

#[derive(Debug, thiserror::Error)]
pub enum LabStoreError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
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
    },
    /// A member registered, and her village.
    Member { member_id: String, village: String },
    /// A member enrolled in a scheme.
    Enrolment { member_id: String, scheme: String },
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
            },
            Body::ContributionReversed(r) => Facts::Money {
                receipt: r.receipt,
                original: Some(r.original),
                member_id: r.member_id,
                scheme: r.scheme,
                amount: r.amount.0,
            },
            Body::MemberRegistered(m) => Facts::Member {
                member_id: m.member.member_id,
                village: m.member.village,
            },
            Body::Enrolled(e) => Facts::Enrolment {
                member_id: e.member_id,
                scheme: e.scheme,
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

/// The facts as the event row's typed columns, in the order of
/// [`FACT_COLUMNS`].
type FactValues<'a> = (
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
);

/// The event row's fact columns (migration 0002).
const FACT_COLUMNS: &str = "panchayat, receipt, original, member_id, scheme, amount, \
     close_date, expected, counted, variance, reason, village";

impl Facts {
    fn values(&self) -> FactValues<'_> {
        let mut v: FactValues<'_> = Default::default();
        match self {
            Facts::None => {}
            Facts::Place { panchayat } => v.0 = Some(panchayat),
            Facts::Money {
                receipt,
                original,
                member_id,
                scheme,
                amount,
            } => {
                v.1 = Some(receipt);
                v.2 = original.as_deref();
                v.3 = Some(member_id);
                v.4 = Some(scheme);
                v.5 = Some(*amount);
            }
            Facts::Member { member_id, village } => {
                v.3 = Some(member_id);
                v.11 = Some(village);
            }
            Facts::Enrolment { member_id, scheme } => {
                v.3 = Some(member_id);
                v.4 = Some(scheme);
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
    /// over), with the reason the operator gave.
    fn cash_differences(&self) -> Result<Vec<CashDifference>, LabStoreError>;
    /// One cheap read, to show the database answers.
    fn ping(&self) -> Result<(), LabStoreError>;
    /// The daily rollup: per kiosk, village, day and scheme, of the events
    /// held without a gap below them.
    fn daily(&self) -> Result<Vec<DailyRow>, LabStoreError>;
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

/// kiosk, last contact, held through, last seq, last event time,
/// quarantined.
type StatusRow = (String, Option<String>, u64, u64, Option<String>, u64);

pub struct SqliteLab {
    conn: Connection,
}

/// The lab's schema, step by step; a step that has landed is never edited
/// (add one).
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_lab.sql")),
        M::up_with_hook(include_str!("../migrations/0002_facts.sql"), fill_facts),
        M::up_with_hook(include_str!("../migrations/0003_heads.sql"), fill_heads),
        M::up_with_hook(include_str!("../migrations/0004_daily.sql"), fill_daily),
    ])
}

/// The facts of the held events of `kinds` (a SQL list of kind names),
/// read through the shared crate's typed events, each handed to `set`
/// with its kiosk and sequence number: how a migration fills a new fact
/// column for the events a lab held before ingest wrote it.
fn refill(
    tx: &rusqlite::Transaction,
    kinds: &str,
    mut set: impl FnMut(&str, u64, FactValues<'_>) -> Result<(), rusqlite::Error>,
) -> rusqlite_migration::HookResult {
    let mut held = tx.prepare(&format!(
        "SELECT kiosk, seq, canonical FROM events WHERE kind IN ({kinds})"
    ))?;
    let mut rows = held.query([])?;
    while let Some(r) = rows.next()? {
        let (kiosk, seq): (String, u64) = (r.get(0)?, r.get(1)?);
        let canonical: Vec<u8> = r.get(2)?;
        let event = Event::from_canonical(&canonical).map_err(|e| {
            rusqlite_migration::HookError::Hook(format!("{kiosk} event {seq}: {e}"))
        })?;
        set(&kiosk, seq, Facts::from(event.body).values())?;
    }
    Ok(())
}

/// 0002's backfill: money, places and day closes.
fn fill_facts(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    let mut update = tx.prepare(
        "UPDATE events SET panchayat = ?3, receipt = ?4, original = ?5, member_id = ?6,
             scheme = ?7, amount = ?8, close_date = ?9, expected = ?10, counted = ?11,
             variance = ?12, reason = ?13
         WHERE kiosk = ?1 AND seq = ?2",
    )?;
    refill(
        tx,
        "'kiosk_initialised', 'contribution_taken', 'contribution_reversed', 'day_closed'",
        |kiosk, seq, v| {
            update
                .execute(params![
                    kiosk, seq, v.0, v.1, v.2, v.3, v.4, v.5, v.6, v.7, v.8, v.9, v.10
                ])
                .map(drop)
        },
    )
}

/// 0003's backfill: every kiosk's head from the events held, by the scan
/// that acknowledgements made before (once, here, instead of every time).
fn fill_heads(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    tx.execute(
        "INSERT INTO kiosk_heads (kiosk, through, hash, last_seq, last_event_at)
         SELECT k.kiosk, k.through, COALESCE(h.hash, ''), k.last_seq, k.last_event_at
         FROM (SELECT kiosk, MAX(seq) AS last_seq, MAX(at) AS last_event_at,
                      (SELECT COALESCE(MIN(e.seq), 0)
                       FROM (SELECT 0 AS seq UNION ALL SELECT seq FROM events WHERE kiosk = x.kiosk) e
                       WHERE NOT EXISTS (SELECT 1 FROM events n
                                         WHERE n.kiosk = x.kiosk AND n.seq = e.seq + 1)) AS through
               FROM events x GROUP BY kiosk) k
         LEFT JOIN events h ON h.kiosk = k.kiosk AND h.seq = k.through",
        [],
    )?;
    Ok(())
}

/// 0004's backfill: the registrations' and enrolments' facts, then each
/// kiosk's daily rollup folded from its first event up to its head.
fn fill_daily(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    {
        let mut update = tx.prepare(
            "UPDATE events SET member_id = ?3, scheme = ?4, village = ?5
             WHERE kiosk = ?1 AND seq = ?2",
        )?;
        refill(tx, "'member_registered', 'enrolled'", |kiosk, seq, v| {
            update
                .execute(params![kiosk, seq, v.3, v.4, v.11])
                .map(drop)
        })?;
    }
    let heads: Vec<(String, u64)> = tx
        .prepare("SELECT kiosk, through FROM kiosk_heads")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (kiosk, through) in heads {
        fold_through(tx, &kiosk, through)?;
    }
    Ok(())
}

impl SqliteLab {
    pub fn open(path: &std::path::Path) -> Result<SqliteLab, LabStoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut conn = conn;
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| LabStoreError::Migration(e.to_string()))?;
        Ok(SqliteLab { conn })
    }
}

impl LabStore for SqliteLab {
    fn add_kiosk(&mut self, code: &str, key: &str, now: &str) -> Result<(), LabStoreError> {
        self.conn.execute(
            "INSERT INTO kiosks (code, public_key, added_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (code) DO UPDATE SET public_key = excluded.public_key",
            params![code, key, now],
        )?;
        Ok(())
    }

    fn kiosk_key(&self, code: &str) -> Result<Option<VerifyingKey>, LabStoreError> {
        let k: Option<String> = self
            .conn
            .query_row(
                "SELECT public_key FROM kiosks WHERE code = ?1",
                [code],
                |r| r.get(0),
            )
            .optional()?;
        Ok(k.and_then(|k| parse_public_key(&k)))
    }

    fn kiosk_keys(&self) -> Result<HashMap<String, VerifyingKey>, LabStoreError> {
        let mut stmt = self.conn.prepare("SELECT code, public_key FROM kiosks")?;
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(c, k)| parse_public_key(&k).map(|k| (c, k)))
            .collect())
    }

    fn ingest_all(
        &mut self,
        batches: &mut dyn Iterator<Item = Incoming>,
        now: &str,
    ) -> Result<Vec<Result<Ingested, LabStoreError>>, LabStoreError> {
        let mut tx = self.conn.transaction()?;
        let mut out = Vec::new();
        for (kiosk, events) in batches {
            // Each batch in a savepoint: one that fails leaves the others in.
            let sp = tx.savepoint()?;
            match ingest_on(&sp, &kiosk, &events, now) {
                Ok(got) => {
                    sp.commit()?;
                    out.push(Ok(got));
                }
                Err(e) => out.push(Err(e)),
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn head(&self, kiosk: &str) -> Result<(u64, String), LabStoreError> {
        Ok(read_head(&self.conn, kiosk)?.map_or((0, String::new()), |h| (h.through, h.hash)))
    }

    fn status(&self) -> Result<Vec<KioskStatus>, LabStoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT k.code, k.last_contact, COALESCE(h.through, 0), COALESCE(h.last_seq, 0),
                    h.last_event_at, (SELECT COUNT(*) FROM quarantine q WHERE q.kiosk = k.code)
             FROM kiosks k LEFT JOIN kiosk_heads h ON h.kiosk = k.code ORDER BY k.code",
        )?;
        let rows: Vec<StatusRow> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (kiosk, last_contact, through, last_seq, last_event_at, quarantined) in rows {
            // Only events held above a gap are read: none, most days.
            let mut seqs = self
                .conn
                .prepare("SELECT seq FROM events WHERE kiosk = ?1 AND seq > ?2 ORDER BY seq")?;
            let held: Vec<u64> = seqs
                .query_map(params![kiosk, through], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut gaps = Vec::new();
            let mut expect = through + 1;
            for s in held {
                if s > expect {
                    gaps.push((expect, s - 1));
                }
                expect = s + 1;
            }
            out.push(KioskStatus {
                kiosk,
                through,
                last_seq,
                last_event_at,
                last_contact,
                gaps,
                quarantined,
            });
        }
        Ok(out)
    }

    fn report(&self) -> Result<Vec<ReportRow>, LabStoreError> {
        let mut stmt = self.conn.prepare(
            "WITH p AS (
                SELECT kiosk, panchayat FROM events WHERE kind = 'kiosk_initialised'),
             m AS (
                SELECT kiosk, scheme, substr(at, 1, 7) AS month,
                       CASE kind WHEN 'contribution_taken' THEN 1 ELSE 0 END AS receipt,
                       CASE kind WHEN 'contribution_reversed' THEN 1 ELSE 0 END AS reversal,
                       CASE kind WHEN 'contribution_taken' THEN amount ELSE -amount END AS amount
                FROM events WHERE kind IN ('contribution_taken', 'contribution_reversed'))
             SELECT COALESCE(p.panchayat, ''), m.kiosk, m.scheme, m.month,
                    SUM(m.receipt), SUM(m.reversal), SUM(m.amount)
             FROM m LEFT JOIN p ON p.kiosk = m.kiosk
             GROUP BY p.panchayat, m.kiosk, m.scheme, m.month
             ORDER BY p.panchayat, m.kiosk, m.scheme, m.month",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ReportRow {
                    panchayat: r.get(0)?,
                    kiosk: r.get(1)?,
                    scheme: r.get(2)?,
                    month: r.get(3)?,
                    receipts: r.get(4)?,
                    reversals: r.get(5)?,
                    total: Paise(r.get(6)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn cash_differences(&self) -> Result<Vec<CashDifference>, LabStoreError> {
        let mut stmt = self.conn.prepare(
            "WITH p AS (
                SELECT kiosk, panchayat FROM events WHERE kind = 'kiosk_initialised')
             SELECT COALESCE(p.panchayat, ''), e.kiosk, e.close_date, e.expected, e.counted,
                    e.variance, e.reason
             FROM events e LEFT JOIN p ON p.kiosk = e.kiosk
             WHERE e.kind = 'day_closed' AND e.variance != 0
             ORDER BY p.panchayat, e.kiosk, e.seq",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(CashDifference {
                    panchayat: r.get(0)?,
                    kiosk: r.get(1)?,
                    date: r.get(2)?,
                    expected: Paise(r.get(3)?),
                    counted: Paise(r.get(4)?),
                    variance: Paise(r.get(5)?),
                    reason: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn ping(&self) -> Result<(), LabStoreError> {
        self.conn
            .query_row("SELECT EXISTS (SELECT 1 FROM kiosks)", [], |r| {
                r.get::<_, i64>(0)
            })?;
        Ok(())
    }

    fn daily(&self) -> Result<Vec<DailyRow>, LabStoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT kiosk, village, day, scheme, receipts, amount, reversals, reversed, enrolments
             FROM daily ORDER BY kiosk, village, day, scheme",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DailyRow {
                    kiosk: r.get(0)?,
                    village: r.get(1)?,
                    day: r.get(2)?,
                    scheme: r.get(3)?,
                    receipts: r.get(4)?,
                    amount: Paise(r.get(5)?),
                    reversals: r.get(6)?,
                    reversed: Paise(r.get(7)?),
                    enrolments: r.get(8)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn receipt(&self, kiosk: &str, receipt: &str) -> Result<HeldReceipt, LabStoreError> {
        let taken = self
            .conn
            .query_row(
                "SELECT member_id, amount FROM events
                 WHERE kiosk = ?1 AND kind = 'contribution_taken' AND receipt = ?2",
                params![kiosk, receipt],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let reversed_by = self
            .conn
            .query_row(
                "SELECT receipt FROM events
                 WHERE kiosk = ?1 AND kind = 'contribution_reversed' AND original = ?2",
                params![kiosk, receipt],
                |r| r.get(0),
            )
            .optional()?;
        Ok(HeldReceipt { taken, reversed_by })
    }
}

/// Inserts one batch's events on `conn` (inside the caller's transaction).
fn ingest_on(
    conn: &Connection,
    kiosk: &str,
    events: &[Row],
    now: &str,
) -> Result<Ingested, LabStoreError> {
    let mut out = Ingested::default();
    {
        let mut held =
            conn.prepare_cached("SELECT hash FROM events WHERE kiosk = ?1 AND seq = ?2")?;
        let mut insert = conn.prepare_cached(&format!(
            "INSERT INTO events (kiosk, seq, hash, prev, kind, at, canonical, received_at,
                                 {FACT_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                         ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
                 ON CONFLICT (kiosk, seq) DO NOTHING"
        ))?;
        let mut quarantine = conn.prepare_cached(
            "INSERT INTO quarantine (kiosk, seq, hash, canonical, reason, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        )?;
        // Within a batch the chain is already verified, so only the
        // first event (and one after a refused event) needs checking
        // against the event below it that the lab holds.
        let mut check_below = true;
        let (mut last_seq, mut last_at): (u64, Option<&str>) = (0, None);
        for e in events {
            if check_below && e.seq > 1 {
                let below: Option<String> = held
                    .query_row(params![kiosk, e.seq - 1], |r| r.get(0))
                    .optional()?;
                if below.is_some_and(|b| b != e.prev) {
                    quarantine.execute(params![
                        kiosk,
                        e.seq,
                        e.hash,
                        e.canonical.as_bytes(),
                        "fork",
                        now
                    ])?;
                    out.quarantined += 1;
                    continue;
                }
            }
            let v = e.facts.values();
            let inserted = insert.execute(params![
                kiosk,
                e.seq,
                e.hash,
                e.prev,
                e.kind,
                e.at,
                e.canonical.as_bytes(),
                now,
                v.0,
                v.1,
                v.2,
                v.3,
                v.4,
                v.5,
                v.6,
                v.7,
                v.8,
                v.9,
                v.10,
                v.11
            ])?;
            if inserted == 1 {
                out.new += 1;
                check_below = false;
                last_seq = last_seq.max(e.seq);
                if last_at.is_none_or(|t| e.at.as_str() > t) {
                    last_at = Some(e.at.as_str());
                }
                continue;
            }
            // Already held: the same event again, or a different one.
            let existing: String = held.query_row(params![kiosk, e.seq], |r| r.get(0))?;
            if existing == e.hash {
                out.duplicate += 1;
                check_below = false;
            } else {
                quarantine.execute(params![
                    kiosk,
                    e.seq,
                    e.hash,
                    e.canonical.as_bytes(),
                    "conflict",
                    now
                ])?;
                out.quarantined += 1;
                check_below = true;
            }
        }
        if out.new > 0 {
            advance_head(conn, kiosk, last_seq, last_at)?;
        }
        conn.execute(
            "UPDATE kiosks SET last_contact = ?2 WHERE code = ?1",
            params![kiosk, now],
        )?;
    }
    Ok(out)
}

/// A kiosk's row of `kiosk_heads`.
struct Head {
    through: u64,
    hash: String,
    last_seq: u64,
    last_event_at: Option<String>,
}

fn read_head(conn: &Connection, kiosk: &str) -> Result<Option<Head>, rusqlite::Error> {
    conn.prepare_cached(
        "SELECT through, hash, last_seq, last_event_at FROM kiosk_heads WHERE kiosk = ?1",
    )?
    .query_row([kiosk], |r| {
        Ok(Head {
            through: r.get(0)?,
            hash: r.get(1)?,
            last_seq: r.get(2)?,
            last_event_at: r.get(3)?,
        })
    })
    .optional()
}

/// Moves a kiosk's head past the events just inserted (`last_seq` and
/// `last_at` the highest of them): from the old `through`, up the events
/// held while none is missing. It reads only what lies above the old head
/// (this batch, and any held above a gap that it closes), never the
/// kiosk's history.
fn advance_head(
    conn: &Connection,
    kiosk: &str,
    last_seq: u64,
    last_at: Option<&str>,
) -> Result<(), rusqlite::Error> {
    let mut head = read_head(conn, kiosk)?.unwrap_or(Head {
        through: 0,
        hash: String::new(),
        last_seq: 0,
        last_event_at: None,
    });
    {
        // One read of what lies above the old head: the walk moves the
        // head while nothing is missing, and each event it passes is
        // added to the day's counts.
        let mut above = conn.prepare_cached(&format!(
            "SELECT seq, hash, {FOLD_COLUMNS} FROM events WHERE kiosk = ?1 AND seq > ?2 ORDER BY seq"
        ))?;
        let mut rows = above.query(params![kiosk, head.through])?;
        let mut fold = Fold::new(conn, kiosk);
        while let Some(r) = rows.next()? {
            let seq: u64 = r.get(0)?;
            if seq != head.through + 1 {
                break;
            }
            head.through = seq;
            head.hash = r.get(1)?;
            fold.add(r, 2)?;
        }
        fold.write()?;
    }
    head.last_seq = head.last_seq.max(last_seq);
    if let Some(t) = last_at
        && head.last_event_at.as_deref().is_none_or(|h| t > h)
    {
        head.last_event_at = Some(t.to_string());
    }
    conn.prepare_cached(
        "INSERT INTO kiosk_heads (kiosk, through, hash, last_seq, last_event_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (kiosk) DO UPDATE SET through = excluded.through, hash = excluded.hash,
             last_seq = excluded.last_seq, last_event_at = excluded.last_event_at",
    )?
    .execute(params![
        kiosk,
        head.through,
        head.hash,
        head.last_seq,
        head.last_event_at
    ])?;
    Ok(())
}

/// One row of the daily rollup, as it is added up.
#[derive(Default)]
struct DayCounts {
    receipts: i64,
    amount: i64,
    reversals: i64,
    reversed: i64,
    enrolments: i64,
}

/// The columns [`Fold::add`] reads, in its order.
const FOLD_COLUMNS: &str = "kind, at, member_id, scheme, amount, village";

/// A run of one kiosk's events added to the daily rollup, in the kiosk's
/// order: a registration gives the member's village, which her enrolments
/// and money are counted under. The counts are added up in memory and
/// written once per (village, day, scheme).
struct Fold<'c> {
    conn: &'c Connection,
    kiosk: &'c str,
    villages: HashMap<String, String>,
    sums: std::collections::BTreeMap<(String, String, String), DayCounts>,
}

impl<'c> Fold<'c> {
    fn new(conn: &'c Connection, kiosk: &'c str) -> Fold<'c> {
        Fold {
            conn,
            kiosk,
            villages: HashMap::new(),
            sums: Default::default(),
        }
    }

    /// Adds the event in `r`, whose [`FOLD_COLUMNS`] start at `at`.
    fn add(&mut self, r: &rusqlite::Row<'_>, at: usize) -> Result<(), rusqlite::Error> {
        let kind: String = r.get(at)?;
        let when: String = r.get(at + 1)?;
        let Some(member) = r.get::<_, Option<String>>(at + 2)? else {
            return Ok(());
        };
        if kind == "member_registered" {
            let village: String = r.get::<_, Option<String>>(at + 5)?.unwrap_or_default();
            self.conn
                .prepare_cached(
                    "INSERT INTO lab_members (kiosk, member_id, village) VALUES (?1, ?2, ?3)
                     ON CONFLICT (kiosk, member_id) DO UPDATE SET village = excluded.village",
                )?
                .execute(params![self.kiosk, member, village])?;
            self.villages.insert(member, village);
            return Ok(());
        }
        let village = match self.villages.get(&member) {
            Some(v) => v.clone(),
            None => {
                let v: String = self
                    .conn
                    .prepare_cached(
                        "SELECT village FROM lab_members WHERE kiosk = ?1 AND member_id = ?2",
                    )?
                    .query_row(params![self.kiosk, member], |r| r.get(0))
                    .optional()?
                    .unwrap_or_default();
                self.villages.insert(member, v.clone());
                v
            }
        };
        let scheme: String = r.get::<_, Option<String>>(at + 3)?.unwrap_or_default();
        let amount: i64 = r.get::<_, Option<i64>>(at + 4)?.unwrap_or(0);
        // The kiosk's local date: its instants are written in IST.
        let day = when.get(..10).unwrap_or_default().to_string();
        let c = self.sums.entry((village, day, scheme)).or_default();
        match kind.as_str() {
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

    fn write(self) -> Result<(), rusqlite::Error> {
        let mut add = self.conn.prepare_cached(
            "INSERT INTO daily (kiosk, village, day, scheme, receipts, amount, reversals, reversed,
                                enrolments)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (kiosk, village, day, scheme) DO UPDATE SET
                 receipts = receipts + excluded.receipts, amount = amount + excluded.amount,
                 reversals = reversals + excluded.reversals, reversed = reversed + excluded.reversed,
                 enrolments = enrolments + excluded.enrolments",
        )?;
        for ((village, day, scheme), c) in self.sums {
            add.execute(params![
                self.kiosk,
                village,
                day,
                scheme,
                c.receipts,
                c.amount,
                c.reversals,
                c.reversed,
                c.enrolments
            ])?;
        }
        Ok(())
    }
}

/// Adds a kiosk's events up to `through` to the daily rollup (0004's
/// backfill of a lab that held events before it kept one).
fn fold_through(conn: &Connection, kiosk: &str, through: u64) -> Result<(), rusqlite::Error> {
    let mut events = conn.prepare(&format!(
        "SELECT {FOLD_COLUMNS} FROM events WHERE kiosk = ?1 AND seq <= ?2 ORDER BY seq"
    ))?;
    let mut rows = events.query(params![kiosk, through])?;
    let mut fold = Fold::new(conn, kiosk);
    while let Some(r) = rows.next()? {
        fold.add(r, 0)?;
    }
    fold.write()
}
