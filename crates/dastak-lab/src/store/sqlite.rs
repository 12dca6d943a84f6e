//! The lab's books in one SQLite file: the embedded default, for a
//! district's lab on one machine. Schema by `rusqlite_migration`, in
//! `migrations/NNNN_*.sql`; WAL with `synchronous=FULL`, so that a batch
//! acknowledged is a batch on disk.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};

use dastak_core::domain::event::Event;
use dastak_core::domain::money::Paise;
use dastak_core::domain::proof::parse_public_key;

use super::{
    Above, Advances, AuditEntry, CashDifference, ClaimMember, CoverageRow, DailyRow, DayCounts,
    EnrolmentRow, FACT_COLUMNS, FOLD_COLUMNS, FOLD_COLUMNS_0006, FOLD_COLUMNS_0007, FactValues,
    Facts, Fate, Fold, Head, HeldEvent, HeldReceipt, Household, Incoming, Ingested, KioskStatus,
    LabStore, LabStoreError, MemberEvent, Officer, OperatorDay, Place, ReportRow, Row,
    SESSION_SPAN, SchemeDues, SessionRow, SharedAadhaar, Stored, fate_range, fates, gaps, place_of,
};
use ed25519_dalek::VerifyingKey;

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
        M::up(include_str!("../../migrations/0001_lab.sql")),
        M::up_with_hook(include_str!("../../migrations/0002_facts.sql"), fill_facts),
        M::up_with_hook(include_str!("../../migrations/0003_heads.sql"), fill_heads),
        M::up_with_hook(include_str!("../../migrations/0004_daily.sql"), fill_daily),
        M::up(include_str!("../../migrations/0005_officers.sql")),
        M::up_with_hook(
            include_str!("../../migrations/0006_operators.sql"),
            fill_operators,
        ),
        M::up_with_hook(
            include_str!("../../migrations/0007_enrolments.sql"),
            fill_enrolments,
        ),
        M::up_with_hook(
            include_str!("../../migrations/0008_coverage.sql"),
            fill_coverage,
        ),
        M::up(include_str!("../../migrations/0009_claims.sql")),
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
    // The columns as 0004 left them: the operator came with 0006.
    refold(tx, FOLD_COLUMNS_0004, write_daily)
}

/// [`FOLD_COLUMNS`] as they were before 0006 added the operator.
const FOLD_COLUMNS_0004: &str = "seq, hash, kind, at, member_id, scheme, amount, village, \
     NULL, NULL, NULL, NULL, CAST(NULL AS BIGINT), NULL, NULL, NULL";

/// 0008's backfill: registrations' ration cards, then each kiosk's
/// members' cards folded from its first event to its head, and the
/// households of every PDS list held.
fn fill_coverage(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    {
        let mut update =
            tx.prepare("UPDATE events SET ration_card = ?3 WHERE kiosk = ?1 AND seq = ?2")?;
        refill(tx, "'member_registered'", |kiosk, seq, v| {
            update.execute(params![kiosk, seq, v.18]).map(drop)
        })?;
    }
    refold(tx, FOLD_COLUMNS, write_cards)?;
    let mut lists = tx.prepare(
        "SELECT kiosk, seq, canonical FROM events WHERE kind = 'households_imported' ORDER BY kiosk, seq",
    )?;
    let mut rows = lists.query([])?;
    while let Some(r) = rows.next()? {
        let (kiosk, seq): (String, u64) = (r.get(0)?, r.get(1)?);
        let canonical: Vec<u8> = r.get(2)?;
        let event = Event::from_canonical(&canonical).map_err(|e| {
            rusqlite_migration::HookError::Hook(format!("{kiosk} event {seq}: {e}"))
        })?;
        if let Facts::Households(list) = Facts::from(event.body) {
            write_households(tx, &kiosk, &list)?;
        }
    }
    Ok(())
}

/// A PDS list's households (a later list's line for a card replaces an
/// earlier one's).
fn write_households(
    conn: &Connection,
    kiosk: &str,
    list: &[Household],
) -> Result<(), rusqlite::Error> {
    let mut add = conn.prepare_cached(
        "INSERT INTO lab_households (kiosk, ration_card, village, women) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (kiosk, ration_card) DO UPDATE SET
             village = excluded.village, women = excluded.women",
    )?;
    for h in list {
        add.execute(params![kiosk, h.ration_card, h.village, h.women])?;
    }
    Ok(())
}

/// The ration cards of a fold's registered members (step 0008's column).
fn write_cards(conn: &Connection, kiosk: &str, fold: &Fold) -> Result<(), rusqlite::Error> {
    if fold.cards.is_empty() {
        return Ok(());
    }
    let mut card = conn.prepare_cached(
        "UPDATE lab_members SET ration_card = ?3 WHERE kiosk = ?1 AND member_id = ?2",
    )?;
    for (member, c) in &fold.cards {
        card.execute(params![kiosk, member, c])?;
    }
    Ok(())
}

/// 0007's backfill: the facts of schemes, money, enrolments, leavings and
/// registrations, then each kiosk's schemes, members' names and
/// enrolments folded from its first event to its head.
fn fill_enrolments(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    {
        let mut update = tx.prepare(
            "UPDATE events SET member_id = ?3, scheme = ?4, amount = ?5, frequency = ?6,
                 periods = ?7, on_date = ?8, member_name = ?9
             WHERE kiosk = ?1 AND seq = ?2",
        )?;
        refill(
            tx,
            "'scheme_defined', 'member_registered', 'enrolled', 'scheme_left',
             'contribution_taken', 'contribution_reversed'",
            |kiosk, seq, v| {
                update
                    .execute(params![kiosk, seq, v.3, v.4, v.5, v.14, v.15, v.16, v.17])
                    .map(drop)
            },
        )?;
    }
    refold(tx, FOLD_COLUMNS_0007, write_enrolments)
}

/// 0006's backfill: every held event's operator and registration's
/// Aadhaar reference, each head's time, and the operators' rollup and the
/// references seen folded from each kiosk's first event to its head (the
/// daily rollup is not touched: it holds those events already).
fn fill_operators(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    {
        let mut update = tx.prepare(
            "UPDATE events SET operator = ?3, aadhaar_last4 = ?4, aadhaar_hash = ?5
             WHERE kiosk = ?1 AND seq = ?2",
        )?;
        let mut held = tx.prepare("SELECT kiosk, seq, canonical FROM events")?;
        let mut rows = held.query([])?;
        while let Some(r) = rows.next()? {
            let (kiosk, seq): (String, u64) = (r.get(0)?, r.get(1)?);
            let canonical: Vec<u8> = r.get(2)?;
            let event = Event::from_canonical(&canonical).map_err(|e| {
                rusqlite_migration::HookError::Hook(format!("{kiosk} event {seq}: {e}"))
            })?;
            let by = event.body.by().to_string();
            let v = Facts::from(event.body);
            let v = v.values();
            update.execute(params![kiosk, seq, by, v.12, v.13])?;
        }
    }
    tx.execute(
        "UPDATE kiosk_heads SET through_at = (SELECT e.at FROM events e
             WHERE e.kiosk = kiosk_heads.kiosk AND e.seq = kiosk_heads.through)",
        [],
    )?;
    // The daily and monthly rollups hold these events already.
    refold(tx, FOLD_COLUMNS_0006, |tx, kiosk, fold| {
        write_ops(tx, kiosk, fold)?;
        write_aadhaar(tx, kiosk, fold)
    })
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
        // The write lock first, so that another lab process storing now is
        // waited for (the busy timeout) before anything is read: begun as
        // a reader, the commit found its reads stale once the other had
        // written, and failed as busy.
        let mut tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut out = Vec::new();
        let mut advances = Advances::default();
        for (kiosk, events) in batches {
            // Each batch in a savepoint: one that fails leaves the others in.
            let sp = tx.savepoint()?;
            match ingest_on(&sp, &kiosk, &events, now) {
                Ok((got, fates)) => {
                    sp.commit()?;
                    advances.note(&kiosk, &events, &fates);
                    out.push(Ok(got));
                }
                Err(e) => out.push(Err(e)),
            }
        }
        // Heads and rollups once a kiosk a stick, in the same commit.
        for (kiosk, stored) in advances.into_kiosks() {
            if stored.last_seq > 0 {
                advance_head(&tx, &kiosk, stored)?;
            }
            tx.prepare_cached("UPDATE kiosks SET last_contact = ?2 WHERE code = ?1")?
                .execute(params![kiosk, now])?;
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
            let gaps = gaps(through, held);
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

    fn cash_differences(&self, from: &str) -> Result<Vec<CashDifference>, LabStoreError> {
        // A kiosk's panchayat is on its first event (`kiosk_initialised`).
        let mut stmt = self.conn.prepare_cached(
            "SELECT COALESCE(p.panchayat, ''), e.kiosk, e.close_date, e.expected, e.counted,
                    e.variance, e.reason
             FROM events e INDEXED BY events_closes
             LEFT JOIN events p ON p.kiosk = e.kiosk AND p.seq = 1
             WHERE e.kind = 'day_closed' AND e.close_date >= ?1 AND e.variance != 0
             ORDER BY p.panchayat, e.kiosk, e.seq",
        )?;
        let rows = stmt
            .query_map([from], |r| {
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

    fn kiosk_places(&self) -> Result<HashMap<String, Place>, LabStoreError> {
        let mut stmt = self.conn.prepare(
            // CROSS JOIN keeps the kiosks outside: one keyed read of each
            // kiosk's first event, never a scan of the events.
            "SELECT k.code, e.canonical FROM kiosks k
             CROSS JOIN events e ON e.kiosk = k.code AND e.seq = 1",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = HashMap::new();
        while let Some(r) = rows.next()? {
            let canonical: Vec<u8> = r.get(1)?;
            if let Some(place) = place_of(&canonical) {
                out.insert(r.get(0)?, place);
            }
        }
        Ok(out)
    }

    fn add_officer(&mut self, o: &Officer, now: &str) -> Result<bool, LabStoreError> {
        let n = self.conn.execute(
            "INSERT INTO officers (name, password_hash, role, district, lang, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO NOTHING",
            params![o.name, o.password_hash, o.role, o.district, o.lang, now],
        )?;
        Ok(n == 1)
    }

    fn officer(&self, name: &str) -> Result<Option<Officer>, LabStoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT name, password_hash, role, district, lang FROM officers WHERE name = ?1",
                [name],
                officer_row,
            )
            .optional()?)
    }

    fn set_officer_lang(&mut self, name: &str, lang: &str) -> Result<(), LabStoreError> {
        self.conn.execute(
            "UPDATE officers SET lang = ?2 WHERE name = ?1",
            params![name, lang],
        )?;
        Ok(())
    }

    fn open_session(&mut self, s: &SessionRow) -> Result<(), LabStoreError> {
        // Expired sessions are swept as new ones open: the table stays the
        // size of the sessions in use.
        self.conn.execute(
            "DELETE FROM sessions WHERE expires <= ?1",
            [s.expires - SESSION_SPAN],
        )?;
        self.conn.execute(
            "INSERT INTO sessions (token_hash, officer, csrf, expires) VALUES (?1, ?2, ?3, ?4)",
            params![s.token_hash, s.officer, s.csrf, s.expires],
        )?;
        Ok(())
    }

    fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(SessionRow, Officer)>, LabStoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT o.name, o.password_hash, o.role, o.district, o.lang, s.csrf, s.expires
                 FROM sessions s JOIN officers o ON o.name = s.officer
                 WHERE s.token_hash = ?1 AND s.expires > ?2",
                params![token_hash, now],
                |r| {
                    let officer = officer_row(r)?;
                    Ok((
                        SessionRow {
                            token_hash: token_hash.to_string(),
                            officer: officer.name.clone(),
                            csrf: r.get(5)?,
                            expires: r.get(6)?,
                        },
                        officer,
                    ))
                },
            )
            .optional()?)
    }

    fn close_session(&mut self, token_hash: &str) -> Result<(), LabStoreError> {
        self.conn
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
        Ok(())
    }

    fn audit(&mut self, e: &AuditEntry) -> Result<(), LabStoreError> {
        self.conn.execute(
            "INSERT INTO audit (at, officer, action, detail) VALUES (?1, ?2, ?3, ?4)",
            params![e.at, e.officer, e.action, e.detail],
        )?;
        Ok(())
    }

    fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, LabStoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT at, officer, action, detail FROM audit ORDER BY id DESC LIMIT ?1")?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok(AuditEntry {
                    at: r.get(0)?,
                    officer: r.get(1)?,
                    action: r.get(2)?,
                    detail: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn fund_events(&self) -> Result<Vec<HeldEvent>, LabStoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kiosk, seq, canonical FROM events INDEXED BY events_fund
             WHERE kind IN ('claim_filed', 'fund_rules_set') ORDER BY kiosk, seq",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(HeldEvent {
                    kiosk: r.get(0)?,
                    seq: r.get(1)?,
                    canonical: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn claim_member(
        &self,
        kiosk: &str,
        member_id: &str,
        scheme: &str,
    ) -> Result<Option<ClaimMember>, LabStoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT COALESCE(m.name, ''), m.village, e.enrolled_on
             FROM lab_members m
             LEFT JOIN lab_enrolments e
                 ON e.kiosk = m.kiosk AND e.member_id = m.member_id AND e.scheme = ?3
             WHERE m.kiosk = ?1 AND m.member_id = ?2",
        )?;
        Ok(stmt
            .query_row(params![kiosk, member_id, scheme], |r| {
                Ok(ClaimMember {
                    name: r.get(0)?,
                    village: r.get(1)?,
                    enrolled_on: r.get(2)?,
                })
            })
            .optional()?)
    }

    fn member_events(
        &self,
        kiosk: &str,
        member_id: &str,
    ) -> Result<Vec<MemberEvent>, LabStoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, at, scheme, receipt, original, periods, COALESCE(operator, '')
             FROM events
             WHERE kiosk = ?1 AND member_id = ?2
               AND kind IN ('contribution_taken', 'contribution_reversed', 'enrolled')
             ORDER BY seq",
        )?;
        let rows = stmt
            .query_map(params![kiosk, member_id], |r| {
                Ok(MemberEvent {
                    kind: r.get(0)?,
                    at: r.get(1)?,
                    scheme: r.get(2)?,
                    receipt: r.get(3)?,
                    original: r.get(4)?,
                    periods: r.get(5)?,
                    operator: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn claim_log(&self) -> Result<Vec<Vec<u8>>, LabStoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT signed FROM claim_log ORDER BY n")?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn claim_log_of(&self, kiosk: &str) -> Result<Vec<Vec<u8>>, LabStoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT signed FROM claim_log WHERE kiosk = ?1 ORDER BY n")?;
        let rows = stmt
            .query_map([kiosk], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn append_claim_log(
        &mut self,
        n: u64,
        kiosk: &str,
        claim: &str,
        signed: &[u8],
    ) -> Result<bool, LabStoreError> {
        let added = self.conn.execute(
            "INSERT INTO claim_log (n, claim, kiosk, signed) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (n) DO NOTHING",
            params![n, claim, kiosk, signed],
        )?;
        Ok(added == 1)
    }

    fn daily_each(
        &self,
        from: &str,
        to: &str,
        each: &mut dyn FnMut(DailyRow) -> bool,
    ) -> Result<(), LabStoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kiosk, village, day, scheme, receipts, amount, reversals, reversed, enrolments
             FROM daily WHERE day BETWEEN ?1 AND ?2 ORDER BY day, kiosk, village, scheme",
        )?;
        let mut rows = stmt.query([from, to])?;
        while let Some(r) = rows.next()? {
            if !each(daily_row(r)?) {
                break;
            }
        }
        Ok(())
    }

    fn monthly_between(&self, from: &str, to: &str) -> Result<Vec<DailyRow>, LabStoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kiosk, village, month, scheme, receipts, amount, reversals, reversed,
                    enrolments
             FROM monthly WHERE month BETWEEN ?1 AND ?2 ORDER BY month, kiosk, village, scheme",
        )?;
        let rows = stmt
            .query_map([from, to], daily_row)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn enrolments(&self) -> Result<Vec<EnrolmentRow>, LabStoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.kiosk, e.member_id, COALESCE(m.name, ''), e.scheme, e.village,
                    e.enrolled_on, e.left_on, e.periods
             FROM lab_enrolments e
             LEFT JOIN lab_members m ON m.kiosk = e.kiosk AND m.member_id = e.member_id
             ORDER BY e.kiosk, e.member_id, e.scheme",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(EnrolmentRow {
                    kiosk: r.get(0)?,
                    member_id: r.get(1)?,
                    name: r.get(2)?,
                    scheme: r.get(3)?,
                    village: r.get(4)?,
                    enrolled_on: r.get(5)?,
                    left_on: r.get(6)?,
                    periods: r.get(7)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn coverage(&self) -> Result<Vec<CoverageRow>, LabStoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.kiosk, h.village, COUNT(*),
                    SUM(EXISTS (SELECT 1 FROM lab_members m
                                WHERE m.kiosk = h.kiosk AND m.ration_card = h.ration_card)),
                    SUM(h.women)
             FROM lab_households h GROUP BY h.kiosk, h.village ORDER BY h.kiosk, h.village",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(CoverageRow {
                    kiosk: r.get(0)?,
                    village: r.get(1)?,
                    households: r.get(2)?,
                    reached: r.get(3)?,
                    women: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn scheme_dues(&self) -> Result<Vec<SchemeDues>, LabStoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kiosk, scheme, frequency, per_period FROM lab_schemes ORDER BY kiosk, scheme",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SchemeDues {
                    kiosk: r.get(0)?,
                    scheme: r.get(1)?,
                    frequency: r.get(2)?,
                    per_period: Paise(r.get(3)?),
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn operator_days(&self, from: &str, to: &str) -> Result<Vec<OperatorDay>, LabStoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kiosk, operator, day, receipts, reversals, registrations, enrolments,
                    clock_confirms, backdated
             FROM operator_daily WHERE day BETWEEN ?1 AND ?2 ORDER BY day, kiosk, operator",
        )?;
        let rows = stmt
            .query_map([from, to], |r| {
                Ok(OperatorDay {
                    kiosk: r.get(0)?,
                    operator: r.get(1)?,
                    day: r.get(2)?,
                    receipts: r.get(3)?,
                    reversals: r.get(4)?,
                    registrations: r.get(5)?,
                    enrolments: r.get(6)?,
                    clock_confirms: r.get(7)?,
                    backdated: r.get(8)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn shared_aadhaar(&self) -> Result<Vec<SharedAadhaar>, LabStoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT hash, last4, kiosk, member_id, village FROM aadhaar_seen
             INDEXED BY aadhaar_shared WHERE shared = 1 ORDER BY hash, kiosk, member_id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SharedAadhaar {
                    group: r.get(0)?,
                    last4: r.get(1)?,
                    kiosk: r.get(2)?,
                    member_id: r.get(3)?,
                    village: r.get(4)?,
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

/// Inserts one batch's events on `conn` (inside the caller's transaction)
/// and says what became of each; the caller moves the kiosk's head.
fn ingest_on(
    conn: &Connection,
    kiosk: &str,
    events: &[Row],
    now: &str,
) -> Result<(Ingested, Vec<Fate>), LabStoreError> {
    let mut out = Ingested::default();
    let mut held = HashMap::new();
    if let Some((low, high)) = fate_range(events) {
        let mut range = conn.prepare_cached(
            "SELECT seq, hash FROM events WHERE kiosk = ?1 AND seq BETWEEN ?2 AND ?3",
        )?;
        for r in range.query_map(params![kiosk, low, high], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (seq, hash): (u64, String) = r?;
            held.insert(seq, hash);
        }
    }
    let fates = fates(events, &held);
    let mut insert = conn.prepare_cached(&format!(
        "INSERT INTO events (kiosk, seq, hash, prev, kind, at, canonical, received_at,
                             {FACT_COLUMNS}, operator)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                     ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,
                     ?24, ?25, ?26, ?27, ?28)
             ON CONFLICT (kiosk, seq) DO NOTHING"
    ))?;
    let mut quarantine = conn.prepare_cached(
        "INSERT INTO quarantine (kiosk, seq, hash, canonical, reason, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
    )?;
    for (e, fate) in events.iter().zip(&fates) {
        match fate {
            Fate::New => {
                let v = e.facts.values();
                insert.execute(params![
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
                    v.11,
                    v.12,
                    v.13,
                    v.14,
                    v.15,
                    v.16,
                    v.17,
                    v.18,
                    e.operator
                ])?;
                if let Facts::Households(list) = &e.facts {
                    write_households(conn, kiosk, list)?;
                }
                out.new += 1;
            }
            Fate::Duplicate => out.duplicate += 1,
            Fate::Fork | Fate::Conflict => {
                quarantine.execute(params![
                    kiosk,
                    e.seq,
                    e.hash,
                    e.canonical.as_bytes(),
                    fate.reason(),
                    now
                ])?;
                out.quarantined += 1;
            }
        }
    }
    Ok((out, fates))
}

fn read_head(conn: &Connection, kiosk: &str) -> Result<Option<Head>, rusqlite::Error> {
    conn.prepare_cached(
        "SELECT through, hash, last_seq, last_event_at, through_at
         FROM kiosk_heads WHERE kiosk = ?1",
    )?
    .query_row([kiosk], |r| {
        Ok(Head {
            through: r.get(0)?,
            hash: r.get(1)?,
            last_seq: r.get(2)?,
            last_event_at: r.get(3)?,
            through_at: r.get(4)?,
        })
    })
    .optional()
}

/// A row of the daily or monthly rollup (kiosk, village, day or month,
/// scheme, then the counts).
fn daily_row(r: &rusqlite::Row<'_>) -> Result<DailyRow, rusqlite::Error> {
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
}

/// An event row read with [`FOLD_COLUMNS`].
fn above(r: &rusqlite::Row<'_>) -> Result<Above, rusqlite::Error> {
    Ok(Above {
        seq: r.get(0)?,
        hash: r.get(1)?,
        kind: r.get(2)?,
        at: r.get(3)?,
        member: r.get(4)?,
        scheme: r.get(5)?,
        amount: r.get(6)?,
        village: r.get(7)?,
        operator: r.get(8)?,
        aadhaar_last4: r.get(9)?,
        aadhaar_hash: r.get(10)?,
        frequency: r.get(11)?,
        periods: r.get(12)?,
        on_date: r.get(13)?,
        member_name: r.get(14)?,
        ration_card: r.get(15)?,
    })
}

/// Moves a kiosk's head past the events a stick stored, folding the events
/// it passes into the rollups: first the stick's own (from memory), then
/// any held above them from before (a gap the stick filled), read from the
/// table. It never reads the kiosk's history below its head.
fn advance_head(conn: &Connection, kiosk: &str, stored: Stored) -> Result<(), rusqlite::Error> {
    let Stored {
        above: new,
        last_seq,
        last_at,
    } = stored;
    let last = (last_seq, last_at.as_deref());
    let mut head = read_head(conn, kiosk)?.unwrap_or_default();
    let mut fold = Fold::default();
    {
        let mut known = conn.prepare_cached(
            "SELECT village FROM lab_members WHERE kiosk = ?1 AND member_id = ?2",
        )?;
        let mut villages = |member: &str| {
            known
                .query_row(params![kiosk, member], |r| r.get(0))
                .optional()
        };
        head.walk(new.into_iter().map(Ok), &mut fold, &mut villages)?;
        // Events held above a gap wait in the table; most sticks leave
        // none, and then the head has reached the highest one held.
        if head.through >= head.last_seq.max(last_seq) {
            return finish_head(conn, kiosk, head, fold, last);
        }
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {FOLD_COLUMNS} FROM events WHERE kiosk = ?1 AND seq > ?2 ORDER BY seq"
        ))?;
        let rows = stmt.query_map(params![kiosk, head.through], above)?;
        head.walk(rows, &mut fold, &mut villages)?;
    }
    finish_head(conn, kiosk, head, fold, last)
}

/// Writes what a head's walk folded and the head itself.
fn finish_head(
    conn: &Connection,
    kiosk: &str,
    mut head: Head,
    fold: Fold,
    (last_seq, last_at): (u64, Option<&str>),
) -> Result<(), rusqlite::Error> {
    write_fold(conn, kiosk, fold)?;
    head.saw(last_seq, last_at);
    conn.prepare_cached(
        "INSERT INTO kiosk_heads (kiosk, through, hash, last_seq, last_event_at, through_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (kiosk) DO UPDATE SET through = excluded.through, hash = excluded.hash,
             last_seq = excluded.last_seq, last_event_at = excluded.last_event_at,
             through_at = excluded.through_at",
    )?
    .execute(params![
        kiosk,
        head.through,
        head.hash,
        head.last_seq,
        head.last_event_at,
        head.through_at
    ])?;
    Ok(())
}

/// Writes a fold's members and counts.
fn write_fold(conn: &Connection, kiosk: &str, fold: Fold) -> Result<(), rusqlite::Error> {
    write_daily(conn, kiosk, &fold)?;
    add_sums(conn, "monthly", "month", kiosk, &fold.by_month())?;
    write_ops(conn, kiosk, &fold)?;
    write_aadhaar(conn, kiosk, &fold)?;
    write_enrolments(conn, kiosk, &fold)?;
    write_cards(conn, kiosk, &fold)
}

/// Writes a fold's members' names, schemes and enrolments (the tables of
/// step 0007).
fn write_enrolments(conn: &Connection, kiosk: &str, fold: &Fold) -> Result<(), rusqlite::Error> {
    if !fold.names.is_empty() {
        let mut name = conn.prepare_cached(
            "UPDATE lab_members SET name = ?3 WHERE kiosk = ?1 AND member_id = ?2",
        )?;
        for (member, n) in &fold.names {
            name.execute(params![kiosk, member, n])?;
        }
    }
    if !fold.schemes.is_empty() {
        let mut scheme = conn.prepare_cached(
            "INSERT INTO lab_schemes (kiosk, scheme, frequency, per_period) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (kiosk, scheme) DO UPDATE SET
                 frequency = excluded.frequency, per_period = excluded.per_period",
        )?;
        for (code, (frequency, per_period)) in &fold.schemes {
            scheme.execute(params![kiosk, code, frequency, per_period])?;
        }
    }
    if !fold.enrolments.is_empty() {
        // `?8`: whether this run decided her leaving (then `left_on` is
        // what it decided, NULL when she rejoined).
        let mut enrolment = conn.prepare_cached(
            "INSERT INTO lab_enrolments (kiosk, member_id, scheme, village, enrolled_on, left_on,
                                         periods)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (kiosk, member_id, scheme) DO UPDATE SET
                 village = excluded.village,
                 enrolled_on = COALESCE(excluded.enrolled_on, enrolled_on),
                 left_on = CASE WHEN ?8 THEN excluded.left_on ELSE left_on END,
                 periods = periods + excluded.periods",
        )?;
        for ((member, scheme), c) in &fold.enrolments {
            let left = c.left_on.clone().flatten();
            enrolment.execute(params![
                kiosk,
                member,
                scheme,
                c.village,
                c.enrolled_on,
                left,
                c.periods,
                c.left_on.is_some()
            ])?;
        }
    }
    Ok(())
}

/// Writes a fold's members and daily counts: the tables step 0004 made,
/// all its backfill may touch.
fn write_daily(conn: &Connection, kiosk: &str, fold: &Fold) -> Result<(), rusqlite::Error> {
    let mut member = conn.prepare_cached(
        "INSERT INTO lab_members (kiosk, member_id, village) VALUES (?1, ?2, ?3)
         ON CONFLICT (kiosk, member_id) DO UPDATE SET village = excluded.village",
    )?;
    for (m, village) in &fold.registered {
        member.execute(params![kiosk, m, village])?;
    }
    add_sums(conn, "daily", "day", kiosk, &fold.sums)
}

/// Adds counts to a rollup (`daily` by `day`, or `monthly` by `month`:
/// names from this file, never from input).
fn add_sums(
    conn: &Connection,
    table: &str,
    key: &str,
    kiosk: &str,
    sums: &BTreeMap<(String, String, String), DayCounts>,
) -> Result<(), rusqlite::Error> {
    if sums.is_empty() {
        return Ok(());
    }
    let mut add = conn.prepare_cached(&format!(
        "INSERT INTO {table} (kiosk, village, {key}, scheme, receipts, amount, reversals,
                              reversed, enrolments)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (kiosk, village, {key}, scheme) DO UPDATE SET
             receipts = receipts + excluded.receipts, amount = amount + excluded.amount,
             reversals = reversals + excluded.reversals, reversed = reversed + excluded.reversed,
             enrolments = enrolments + excluded.enrolments"
    ))?;
    for ((village, at, scheme), c) in sums {
        let [r, a, rv, rd, en] = c.values();
        add.execute(params![kiosk, village, at, scheme, r, a, rv, rd, en])?;
    }
    Ok(())
}

fn write_ops(conn: &Connection, kiosk: &str, fold: &Fold) -> Result<(), rusqlite::Error> {
    // Each table is prepared for only when there is something for it: a
    // backfill folds before later steps made their tables.
    if fold.ops.is_empty() {
        return Ok(());
    }
    let mut op = conn.prepare_cached(
        "INSERT INTO operator_daily (kiosk, operator, day, receipts, reversals, registrations,
                                     enrolments, clock_confirms, backdated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (kiosk, operator, day) DO UPDATE SET
             receipts = receipts + excluded.receipts, reversals = reversals + excluded.reversals,
             registrations = registrations + excluded.registrations,
             enrolments = enrolments + excluded.enrolments,
             clock_confirms = clock_confirms + excluded.clock_confirms,
             backdated = backdated + excluded.backdated",
    )?;
    for ((operator, day), c) in &fold.ops {
        let [a, b, c2, d, e, f] = c.values();
        op.execute(params![kiosk, operator, day, a, b, c2, d, e, f])?;
    }
    Ok(())
}

/// Notes the references registered, and marks a reference shared once
/// more than one kiosk holds it (a keyed read of the reference's rows).
fn write_aadhaar(conn: &Connection, kiosk: &str, fold: &Fold) -> Result<(), rusqlite::Error> {
    if fold.aadhaar.is_empty() {
        return Ok(());
    }
    let mut seen = conn.prepare_cached(
        "INSERT INTO aadhaar_seen (hash, kiosk, member_id, last4, village)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (hash, kiosk, member_id) DO UPDATE SET
             last4 = excluded.last4, village = excluded.village",
    )?;
    let mut mark = conn.prepare_cached(
        "UPDATE aadhaar_seen SET shared = 1
         WHERE hash = ?1 AND shared = 0
           AND (SELECT COUNT(DISTINCT kiosk) FROM aadhaar_seen WHERE hash = ?1) > 1",
    )?;
    for (member, (last4, hash, village)) in &fold.aadhaar {
        seen.execute(params![hash, kiosk, member, last4, village])?;
        mark.execute([hash])?;
    }
    Ok(())
}

/// A migration's backfill of a rollup the lab did not keep before: each
/// kiosk's events up to its head folded (read as `columns`), and what the
/// step made written by `write`.
fn refold(
    tx: &rusqlite::Transaction,
    columns: &str,
    write: impl Fn(&Connection, &str, &Fold) -> Result<(), rusqlite::Error>,
) -> rusqlite_migration::HookResult {
    let heads: Vec<(String, u64)> = tx
        .prepare("SELECT kiosk, through FROM kiosk_heads")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (kiosk, through) in heads {
        write(tx, &kiosk, &fold_through(tx, &kiosk, through, columns)?)?;
    }
    Ok(())
}

/// A kiosk's events up to `through` folded (read as `columns`, which
/// are [`FOLD_COLUMNS`] as the schema had them then): the backfill of a
/// rollup that a lab holding events did not keep before.
fn fold_through(
    conn: &Connection,
    kiosk: &str,
    through: u64,
    columns: &str,
) -> Result<Fold, rusqlite::Error> {
    let mut fold = Fold::default();
    {
        let mut events = conn.prepare(&format!(
            "SELECT {columns} FROM events WHERE kiosk = ?1 AND seq <= ?2 ORDER BY seq"
        ))?;
        let mut known =
            conn.prepare("SELECT village FROM lab_members WHERE kiosk = ?1 AND member_id = ?2")?;
        for a in events.query_map(params![kiosk, through], above)? {
            fold.add(a?, &mut |member| {
                known
                    .query_row(params![kiosk, member], |r| r.get(0))
                    .optional()
            })?;
        }
    }
    Ok(fold)
}

/// An officer from the first five columns of a row (name, password hash,
/// role, district, lang).
fn officer_row(r: &rusqlite::Row<'_>) -> Result<Officer, rusqlite::Error> {
    Ok(Officer {
        name: r.get(0)?,
        password_hash: r.get(1)?,
        role: r.get(2)?,
        district: r.get(3)?,
        lang: r.get(4)?,
    })
}
