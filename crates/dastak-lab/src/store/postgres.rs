//! The lab's books on PostgreSQL (15, as Debian ships it): for a lab that
//! many districts share, or that wants a database server's backups and
//! replicas. The same use cases as the SQLite file, decided by the same
//! shared code (`fates`, `Head::walk`, `Fold`), so that a kiosk syncs to
//! either exactly alike; the story suite in tests/stories.rs runs on both.
//!
//! Events are partitioned by month (see migrations/postgres/0001_lab.sql);
//! a batch is stored with a handful of statements whatever its size: the
//! hashes held under its numbers in one read, its numbers claimed as runs
//! in one INSERT, its events in one binary COPY, the rollup in one upsert
//! each. A big commit of a stick is stored in two halves that share no
//! kiosk, on two connections at once ([`halves`]).
//!
//! The rollups' upserts are `MERGE`, not `INSERT … ON CONFLICT`: a MERGE
//! inserts a new row plainly, where ON CONFLICT inserts it speculatively
//! (checked, inserted, then confirmed): the rollups of the ingest bench's
//! stick took 36 ms instead of 42 (the statements' own time, three runs
//! of each alternately). What MERGE gives up is the guard against another
//! transaction inserting the same key meanwhile (it fails with a unique
//! violation instead), and no other transaction can: every rollup row's key
//! holds its kiosk, and ingest locks its kiosks' rows (`FOR UPDATE`) before
//! it reads or writes anything of theirs. The migrations' backfills write
//! the same rows under the schema's lock, before any process of their
//! version ingests; one that met a row an older process wrote meanwhile
//! would fail whole and run again at the next start.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use ed25519_dalek::VerifyingKey;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls};

mod tx;
use tx::{Prepared, Tx};

use dastak_core::domain::money::Paise;
use dastak_core::domain::proof::parse_public_key;

use super::{
    Above, Advances, AuditEntry, CashDifference, ClaimMember, CoverageRow, DailyRow, DayCounts,
    EnrolmentRow, FACT_COLUMNS, FOLD_COLUMNS, FOLD_COLUMNS_0006, FOLD_COLUMNS_0007, Facts, Fate,
    Fold, Head, HeldEvent, HeldReceipt, Household, Incoming, Ingested, KioskStatus, LabStore,
    LabStoreError, MemberEvent, Officer, OperatorDay, Place, ReportRow, Row, SESSION_SPAN,
    SchemeDues, SessionRow, SharedAadhaar, Stored, fate_range, fates, gaps_between, place_of,
};

/// The schema's steps, as (version, SQL); a step that has landed is never
/// edited (add one).
///
/// Applied by the dozen lines of [`migrate`] rather than a migration
/// crate: refinery or sqlx's migrator would be a second framework beside
/// rusqlite_migration, and sqlx's brings another SQLite.
const MIGRATIONS: &[(i32, &str, Option<Hook>)] = &[
    (
        1,
        include_str!("../../migrations/postgres/0001_lab.sql"),
        None,
    ),
    (
        2,
        include_str!("../../migrations/postgres/0002_officers.sql"),
        None,
    ),
    (
        3,
        include_str!("../../migrations/postgres/0003_operators.sql"),
        Some(fill_operators),
    ),
    (
        4,
        include_str!("../../migrations/postgres/0004_enrolments.sql"),
        Some(fill_enrolments),
    ),
    (
        5,
        include_str!("../../migrations/postgres/0005_coverage.sql"),
        Some(fill_coverage),
    ),
    (
        6,
        include_str!("../../migrations/postgres/0006_claims.sql"),
        None,
    ),
    (
        7,
        include_str!("../../migrations/postgres/0007_event_runs.sql"),
        None,
    ),
];

/// Step 5's backfill: registrations' ration cards, each kiosk's members'
/// cards folded from its first event to its head, and the households of
/// every PDS list held.
fn fill_coverage(tx: &mut Tx<'_>) -> Result<(), postgres::Error> {
    let held = tx.query(
        "SELECT kiosk, seq, canonical, kind FROM events
         WHERE kind IN ('member_registered', 'households_imported') ORDER BY kiosk, seq",
        &[],
    )?;
    let mut cards: (Vec<String>, Vec<i64>, Vec<Option<String>>) = Default::default();
    for r in &held {
        let canonical: Vec<u8> = r.try_get(2)?;
        // An event that no longer parses keeps its facts empty rather
        // than stopping the lab (it parsed when it came).
        let Ok(event) = dastak_core::domain::event::Event::from_canonical(&canonical) else {
            continue;
        };
        let kiosk: String = r.try_get(0)?;
        match Facts::from(event.body) {
            Facts::Households(list) => write_households(tx, &[(&kiosk, &list)])?,
            Facts::Member { ration_card, .. } => {
                cards.0.push(kiosk);
                cards.1.push(r.try_get(1)?);
                cards.2.push(ration_card);
            }
            _ => {}
        }
    }
    tx.execute(
        "UPDATE events e SET ration_card = t.c
         FROM unnest($1::text[], $2::bigint[], $3::text[]) AS t(k, q, c)
         WHERE e.kiosk = t.k AND e.seq = t.q",
        &[&cards.0, &cards.1, &cards.2],
    )?;
    refold(tx, FOLD_COLUMNS, write_cards)
}

/// PDS lists' households (kiosk, list; in the kiosks' order), in one
/// upsert: a later list's line for a card replaces an earlier one's, so
/// each card is written once, as its last line says (one statement may
/// not touch a row twice).
fn write_households(
    tx: &mut Tx<'_>,
    lists: &[(&str, &[Household])],
) -> Result<(), postgres::Error> {
    let mut last: BTreeMap<(&str, &str), &Household> = BTreeMap::new();
    for (kiosk, list) in lists {
        for h in *list {
            last.insert((kiosk, &h.ration_card), h);
        }
    }
    if last.is_empty() {
        return Ok(());
    }
    let mut c: (Vec<&str>, Vec<&str>, Vec<&str>, Vec<i64>) = Default::default();
    for ((kiosk, card), h) in last {
        c.0.push(kiosk);
        c.1.push(card);
        c.2.push(&h.village);
        c.3.push(h.women);
    }
    tx.execute(
        "MERGE INTO lab_households AS h
         USING unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(k, r, v, w)
         ON h.kiosk = t.k AND h.ration_card = t.r
         WHEN MATCHED THEN UPDATE SET village = t.v, women = t.w
         WHEN NOT MATCHED THEN INSERT (kiosk, ration_card, village, women)
             VALUES (t.k, t.r, t.v, t.w)",
        &[&c.0, &c.1, &c.2, &c.3],
    )?;
    Ok(())
}

/// Folds of several kiosks, written together: each writer below makes one
/// statement for all of them (a stick's kiosks in one round trip a table,
/// not one a kiosk).
type Folds<'a> = [(&'a str, &'a Fold)];

/// A fold's counts by (village, day or month, scheme).
type Sums = BTreeMap<(String, String, String), DayCounts>;

/// The ration cards of the folds' registered members (step 5's column).
fn write_cards(tx: &mut Tx<'_>, folds: &Folds<'_>) -> Result<(), postgres::Error> {
    let mut c: [Vec<&str>; 3] = Default::default();
    for (kiosk, fold) in folds {
        for (m, card) in &fold.cards {
            for (v, x) in c.iter_mut().zip([*kiosk, m, card]) {
                v.push(x);
            }
        }
    }
    if c[0].is_empty() {
        return Ok(());
    }
    tx.execute(
        "UPDATE lab_members l SET ration_card = t.c
         FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, m, c)
         WHERE l.kiosk = t.k AND l.member_id = t.m",
        &[&c[0], &c[1], &c[2]],
    )?;
    Ok(())
}

/// Step 4's backfill: the facts of schemes, money, enrolments, leavings
/// and registrations, then each kiosk's schemes, members' names and
/// enrolments folded from its first event to its head.
fn fill_enrolments(tx: &mut Tx<'_>) -> Result<(), postgres::Error> {
    let held = tx.query(
        "SELECT kiosk, seq, canonical FROM events
         WHERE kind IN ('scheme_defined', 'member_registered', 'enrolled', 'scheme_left',
                        'contribution_taken', 'contribution_reversed')",
        &[],
    )?;
    let mut keys: (Vec<String>, Vec<i64>) = Default::default();
    let mut text: [Vec<Option<String>>; 5] = Default::default();
    let mut numbers: [Vec<Option<i64>>; 2] = Default::default();
    for r in &held {
        let canonical: Vec<u8> = r.try_get(2)?;
        // An event that no longer parses keeps its facts empty rather
        // than stopping the lab (it parsed when it came).
        let Ok(event) = dastak_core::domain::event::Event::from_canonical(&canonical) else {
            continue;
        };
        let facts = Facts::from(event.body);
        let v = facts.values();
        keys.0.push(r.try_get(0)?);
        keys.1.push(r.try_get(1)?);
        for (col, x) in text.iter_mut().zip([v.3, v.4, v.14, v.16, v.17]) {
            col.push(x.map(str::to_string));
        }
        numbers[0].push(v.5);
        numbers[1].push(v.15);
    }
    tx.execute(
        "UPDATE events e SET member_id = t.m, scheme = t.s, amount = t.a, frequency = t.f,
             periods = t.p, on_date = t.o, member_name = t.n
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::bigint[], $9::bigint[]) AS t(k, q, m, s, f, o, n, a, p)
         WHERE e.kiosk = t.k AND e.seq = t.q",
        &[
            &keys.0,
            &keys.1,
            &text[0],
            &text[1],
            &text[2],
            &text[3],
            &text[4],
            &numbers[0],
            &numbers[1],
        ],
    )?;
    refold(tx, FOLD_COLUMNS_0007, write_names_and_enrolments)
}

/// A migration's backfill of a rollup the lab did not keep before: each
/// kiosk's events up to its head folded (read as `columns`), and what the
/// step made written by `write`.
fn refold(
    tx: &mut Tx<'_>,
    columns: &str,
    write: fn(&mut Tx<'_>, &Folds<'_>) -> Result<(), postgres::Error>,
) -> Result<(), postgres::Error> {
    for h in tx.query("SELECT kiosk, through FROM kiosk_heads", &[])? {
        let kiosk: String = h.try_get(0)?;
        let fold = fold_up_to(tx, &kiosk, h.try_get(1)?, columns)?;
        write(tx, &[(&kiosk, &fold)])?;
    }
    Ok(())
}

/// A kiosk's events up to `through` folded, read as `columns` (which are
/// [`FOLD_COLUMNS`] as the schema had them then): a backfill's fold.
fn fold_up_to(
    tx: &mut Tx<'_>,
    kiosk: &str,
    through: i64,
    columns: &str,
) -> Result<Fold, postgres::Error> {
    let rows = tx.query(
        &format!("SELECT {columns} FROM events WHERE kiosk = $1 AND seq <= $2 ORDER BY seq"),
        &[&kiosk, &through],
    )?;
    let mut fold = Fold::default();
    let mut known: HashMap<String, String> = HashMap::new();
    for r in &rows {
        let a = above(r)?;
        if a.kind == "member_registered"
            && let (Some(m), Some(v)) = (&a.member, &a.village)
        {
            known.insert(m.clone(), v.clone());
        }
        fold.add(a, &mut |m| Ok::<_, postgres::Error>(known.get(m).cloned()))?;
    }
    Ok(fold)
}

/// What a step does after its SQL, in its transaction: fill a new column
/// or rollup for the events a lab already held, read through the shared
/// crate's typed events (no SQL reads an event's JSON).
type Hook = fn(&mut Tx<'_>) -> Result<(), postgres::Error>;

/// Step 3's backfill: every held event's operator and registration's
/// Aadhaar reference, each head's time, and the operators' rollup and the
/// references seen folded from each kiosk's first event to its head (the
/// daily rollup holds those events already).
fn fill_operators(tx: &mut Tx<'_>) -> Result<(), postgres::Error> {
    let held = tx.query("SELECT kiosk, seq, canonical FROM events", &[])?;
    let mut cols: (Vec<String>, Vec<i64>, Vec<String>) = Default::default();
    let mut refs: (Vec<Option<String>>, Vec<Option<String>>) = Default::default();
    for r in &held {
        let canonical: Vec<u8> = r.try_get(2)?;
        // An event the lab stored was parsed when it came; one that no
        // longer parses keeps no operator rather than stopping the lab.
        let (by, aadhaar) = match dastak_core::domain::event::Event::from_canonical(&canonical) {
            Ok(e) => {
                let by = e.body.by().to_string();
                match Facts::from(e.body) {
                    Facts::Member { aadhaar, .. } => (by, aadhaar),
                    _ => (by, None),
                }
            }
            Err(_) => (String::new(), None),
        };
        cols.0.push(r.try_get(0)?);
        cols.1.push(r.try_get(1)?);
        cols.2.push(by);
        let (last4, hash) = aadhaar.unzip();
        refs.0.push(last4);
        refs.1.push(hash);
    }
    tx.execute(
        "UPDATE events e SET operator = t.o, aadhaar_last4 = t.l, aadhaar_hash = t.h
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[])
              AS t(k, s, o, l, h)
         WHERE e.kiosk = t.k AND e.seq = t.s",
        &[&cols.0, &cols.1, &cols.2, &refs.0, &refs.1],
    )?;
    tx.execute(
        "UPDATE kiosk_heads h SET through_at = (SELECT e.at FROM events e
             WHERE e.kiosk = h.kiosk AND e.seq = h.through)",
        &[],
    )?;
    // The daily and monthly rollups hold these events already.
    refold(tx, FOLD_COLUMNS_0006, write_ops_and_aadhaar)
}

/// Any number, the same in every lab process: the key of the advisory
/// lock under which one process at a time migrates or makes a partition.
const LOCK: i64 = 0x6461_7374_616b;

/// The key of the advisory lock under which one process at a time writes
/// and marks Aadhaar references ([`write_ops_and_aadhaar`]).
const AADHAAR_LOCK: i64 = 0x6461_7374_616b_0041;

/// How many events above a head are read at a time by its walk (a walk
/// stops at the first missing number, so it rarely needs a second page).
const PAGE: i32 = 1000;

pub struct PgLab {
    client: std::sync::Mutex<Client>,
    /// The statements ingest has prepared on `client` (see [`tx`]).
    prepared: Prepared,
    /// Where `client` connected, for [`spare`].
    url: String,
    /// A second connection, opened at the first commit big enough to
    /// store in two halves (see [`halves`]), with its own statements.
    spare: Option<(Client, Prepared)>,
}

impl PgLab {
    /// Connects (`url` as libpq takes it) and brings the schema up to date.
    pub fn open(url: &str) -> Result<PgLab, LabStoreError> {
        let mut client = Client::connect(url, NoTls)?;
        migrate(&mut client)?;
        Ok(PgLab {
            client: std::sync::Mutex::new(client),
            prepared: Prepared::new(),
            url: url.to_string(),
            spare: None,
        })
    }
}

/// A commit of at least this many events is stored in two halves, on two
/// connections at once (see [`halves`]); a network upload (one batch) and
/// a small stick are stored on one.
const HALVES_FROM: usize = 2_000;

/// The batches of a big commit as two halves that share no kiosk, each
/// half's batches in the order given, the halves near equal in events
/// (each kiosk to the half with fewer so far, the biggest kiosks first);
/// `None` when the commit is small or holds one kiosk.
///
/// Why two: a commit's rollups are as much work again for the server as
/// its COPY, and one connection is one server process, so on the lab's
/// two cores one stood idle while the other stored a stick (the ingest
/// bench, README). Why by kiosk: every lock ingest takes but the months'
/// and the Aadhaar references' is a kiosk's, so halves that share none
/// never wait for each other there, and a kiosk's batches stay in one
/// transaction, in order.
fn halves(batches: &[Incoming]) -> Option<(Vec<usize>, Vec<usize>)> {
    let total: usize = batches.iter().map(|(_, e)| e.len()).sum();
    if total < HALVES_FROM {
        return None;
    }
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for (kiosk, events) in batches {
        *sizes.entry(kiosk.as_str()).or_default() += events.len();
    }
    if sizes.len() < 2 {
        return None;
    }
    let mut biggest: Vec<(&str, usize)> = sizes.into_iter().collect();
    biggest.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let (mut load, mut second) = ([0usize; 2], HashSet::new());
    for (kiosk, n) in biggest {
        let to = usize::from(load[1] < load[0]);
        load[to] += n;
        if to == 1 {
            second.insert(kiosk);
        }
    }
    let (b, a): (Vec<usize>, Vec<usize>) =
        (0..batches.len()).partition(|&i| second.contains(batches[i].0.as_str()));
    Some((a, b))
}

/// The spare connection, opened (or opened again, if the server closed
/// it) to `url`; `None` when it cannot be, and then the commit is stored
/// on one connection as before: slower, never refused for it.
fn spare<'a>(
    spare: &'a mut Option<(Client, Prepared)>,
    url: &str,
) -> Option<(&'a mut Client, &'a mut Prepared)> {
    if spare.as_ref().is_some_and(|(c, _)| c.is_closed()) {
        *spare = None;
    }
    if spare.is_none() {
        *spare = Client::connect(url, NoTls)
            .ok()
            .map(|c| (c, Prepared::new()));
    }
    spare.as_mut().map(|(c, p)| (c, p))
}

/// The months of every event in `batches`, each once.
fn months_of(batches: &[Incoming]) -> BTreeSet<&str> {
    batches
        .iter()
        .flat_map(|(_, events)| events.iter().map(|e| month(&e.at)))
        .collect()
}

fn migrate(client: &mut Client) -> Result<(), LabStoreError> {
    let mut prepared = Prepared::new();
    let mut tx = Tx::new(client.transaction()?, &mut prepared);
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS lab_schema (
             version    integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now())",
    )?;
    let at: i32 = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM lab_schema", &[])?
        .try_get(0)?;
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if at > known {
        return Err(LabStoreError::Migration(format!(
            "the database is at schema {at}, newer than this dastak-lab knows ({known}): use a newer dastak-lab"
        )));
    }
    for (version, sql, hook) in MIGRATIONS.iter().filter(|m| m.0 > at) {
        // What a step changes, statements prepared before it may not see.
        tx.forget_prepared();
        tx.batch_execute(sql)?;
        if let Some(hook) = hook {
            hook(&mut tx)?;
        }
        tx.execute("INSERT INTO lab_schema (version) VALUES ($1)", &[version])?;
    }
    tx.commit()?;
    Ok(())
}

fn unsigned(r: &postgres::Row, i: usize) -> Result<u64, postgres::Error> {
    // Counts and sequence numbers are never negative.
    Ok(u64::try_from(r.try_get::<_, i64>(i)?).unwrap_or(0))
}

fn seq(n: u64) -> i64 {
    // Sequence numbers come from parsed events and stay far below 2^63.
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The month partition an event's time falls in: its first seven
/// characters when they are a year and month, else `other` (which cannot
/// happen for a parsed event, but a row is never refused for it).
fn month(at: &str) -> &str {
    match at.get(..7) {
        Some(m)
            if m.bytes().enumerate().all(|(i, b)| match i {
                4 => b == b'-',
                _ => b.is_ascii_digit(),
            }) =>
        {
            m
        }
        _ => "other",
    }
}

impl LabStore for PgLab {
    fn add_kiosk(&mut self, code: &str, key: &str, now: &str) -> Result<(), LabStoreError> {
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        client.execute(
            "INSERT INTO kiosks (code, public_key, added_at) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO UPDATE SET public_key = excluded.public_key",
            &[&code, &key, &now],
        )?;
        Ok(())
    }

    fn kiosk_key(&self, code: &str) -> Result<Option<VerifyingKey>, LabStoreError> {
        let key = self.read(|c| {
            c.query_opt("SELECT public_key FROM kiosks WHERE code = $1", &[&code])?
                .map(|r| r.try_get::<_, String>(0))
                .transpose()
        })?;
        Ok(key.and_then(|k| parse_public_key(&k)))
    }

    fn kiosk_keys(&self) -> Result<HashMap<String, VerifyingKey>, LabStoreError> {
        let rows = self.read(|c| c.query("SELECT code, public_key FROM kiosks", &[]))?;
        let mut out = HashMap::new();
        for r in rows {
            let (code, key): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            if let Some(k) = parse_public_key(&key) {
                out.insert(code, k);
            }
        }
        Ok(out)
    }

    fn ingest_all(
        &mut self,
        batches: &mut dyn Iterator<Item = Incoming>,
        now: &str,
    ) -> Result<Vec<Result<Ingested, LabStoreError>>, LabStoreError> {
        let batches: Vec<Incoming> = batches.collect();
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        let Some((first, second)) = halves(&batches) else {
            return ingest_one(client, &mut self.prepared, batches, now);
        };
        let Some((spare, spare_prepared)) = spare(&mut self.spare, &self.url) else {
            return ingest_one(client, &mut self.prepared, batches, now);
        };
        // Both halves find their months made: made by either, a month
        // would hold the other until it committed.
        let mut tx = Tx::new(client.transaction()?, &mut self.prepared);
        for m in months_of(&batches) {
            make_partition(&mut tx, m)?;
        }
        tx.commit()?;
        let mut slots: Vec<Option<Incoming>> = batches.into_iter().map(Some).collect();
        let mut take = |which: &[usize]| -> Vec<Incoming> {
            which.iter().filter_map(|&i| slots[i].take()).collect()
        };
        let (a, b) = (take(&first), take(&second));
        let (got_a, got_b) = std::thread::scope(|s| {
            let other = s.spawn(|| ingest_one(spare, spare_prepared, b, now));
            let got_a = ingest_one(client, &mut self.prepared, a, now);
            let got_b = other
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (got_a, got_b)
        });
        // Either half failing fails the commit for the caller, as one
        // transaction failing did; the other half may be stored, and is a
        // duplicate when the stick comes again (the halves share no kiosk,
        // so what each kiosk has stored is still the start of its batches).
        let mut out: Vec<Option<Result<Ingested, LabStoreError>>> =
            (0..first.len() + second.len()).map(|_| None).collect();
        for (which, got) in [(first, got_a?), (second, got_b?)] {
            for (i, r) in which.into_iter().zip(got) {
                out[i] = Some(r);
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    fn head(&self, kiosk: &str) -> Result<(u64, String), LabStoreError> {
        let row = self.read(|c| {
            c.query_opt(
                "SELECT through, hash FROM kiosk_heads WHERE kiosk = $1",
                &[&kiosk],
            )
        })?;
        Ok(match row {
            Some(r) => (unsigned(&r, 0)?, r.try_get(1)?),
            None => (0, String::new()),
        })
    }

    fn status(&self) -> Result<Vec<KioskStatus>, LabStoreError> {
        self.read(|c| {
            let rows = c.query(
                "SELECT k.code, k.last_contact, COALESCE(h.through, 0), COALESCE(h.last_seq, 0),
                        h.last_event_at,
                        (SELECT COUNT(*) FROM quarantine q WHERE q.kiosk = k.code)
                 FROM kiosks k LEFT JOIN kiosk_heads h ON h.kiosk = k.code
                 ORDER BY k.code COLLATE \"C\"",
                &[],
            )?;
            // The runs that reach above the head (those overlapping
            // `(through, ∞)`), through the runs' GiST index.
            let above = c.prepare(
                "SELECT lower(seqs), upper(seqs) - 1 FROM event_runs
                 WHERE kiosk = $1 AND seqs && int8range($2, NULL, '()')
                 ORDER BY lower(seqs)",
            )?;
            let mut out = Vec::new();
            for r in rows {
                let kiosk: String = r.try_get(0)?;
                let through = unsigned(&r, 2)?;
                // Only runs held above a gap are read: none, most days.
                let held = c
                    .query(&above, &[&kiosk, &seq(through)])?
                    .iter()
                    .map(|h| Ok((unsigned(h, 0)?, unsigned(h, 1)?)))
                    .collect::<Result<Vec<_>, postgres::Error>>()?;
                out.push(KioskStatus {
                    last_contact: r.try_get(1)?,
                    through,
                    last_seq: unsigned(&r, 3)?,
                    last_event_at: r.try_get(4)?,
                    quarantined: unsigned(&r, 5)?,
                    gaps: gaps_between(through, held),
                    kiosk,
                });
            }
            Ok::<_, postgres::Error>(out)
        })
    }

    fn report(&self) -> Result<Vec<ReportRow>, LabStoreError> {
        let rows = self.read(|c| {
            c.query(
                "WITH p AS (
                    SELECT kiosk, panchayat FROM events WHERE kind = 'kiosk_initialised'),
                 m AS (
                    SELECT kiosk, scheme, month,
                           CASE kind WHEN 'contribution_taken' THEN 1 ELSE 0 END AS receipt,
                           CASE kind WHEN 'contribution_reversed' THEN 1 ELSE 0 END AS reversal,
                           CASE kind WHEN 'contribution_taken' THEN amount ELSE -amount END
                               AS amount
                    FROM events WHERE kind IN ('contribution_taken', 'contribution_reversed'))
                 SELECT COALESCE(p.panchayat, ''), m.kiosk, m.scheme, m.month,
                        SUM(m.receipt)::bigint, SUM(m.reversal)::bigint, SUM(m.amount)::bigint
                 FROM m LEFT JOIN p ON p.kiosk = m.kiosk
                 GROUP BY p.panchayat, m.kiosk, m.scheme, m.month
                 ORDER BY p.panchayat COLLATE \"C\", m.kiosk COLLATE \"C\",
                          m.scheme COLLATE \"C\", m.month",
                &[],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(ReportRow {
                    panchayat: r.try_get(0)?,
                    kiosk: r.try_get(1)?,
                    scheme: r.try_get(2)?,
                    month: r.try_get(3)?,
                    receipts: unsigned(r, 4)?,
                    reversals: unsigned(r, 5)?,
                    total: Paise(r.try_get(6)?),
                })
            })
            .collect()
    }

    fn receipt(&self, kiosk: &str, receipt: &str) -> Result<HeldReceipt, LabStoreError> {
        self.read(|c| {
            let taken = c
                .query_opt(
                    "SELECT member_id, amount FROM events
                     WHERE kiosk = $1 AND kind = 'contribution_taken' AND receipt = $2",
                    &[&kiosk, &receipt],
                )?
                .map(|r| Ok::<_, postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
                .transpose()?;
            let reversed_by = c
                .query_opt(
                    "SELECT receipt FROM events
                     WHERE kiosk = $1 AND kind = 'contribution_reversed' AND original = $2",
                    &[&kiosk, &receipt],
                )?
                .map(|r| r.try_get(0))
                .transpose()?;
            Ok::<_, postgres::Error>(HeldReceipt { taken, reversed_by })
        })
    }

    fn cash_differences(&self, from: &str) -> Result<Vec<CashDifference>, LabStoreError> {
        // A kiosk's panchayat is on its first event (`kiosk_initialised`).
        let rows = self.read(|c| {
            c.query(
                "SELECT COALESCE(p.panchayat, ''), e.kiosk, e.close_date, e.expected, e.counted,
                        e.variance, e.reason
                 FROM events e LEFT JOIN events p ON p.kiosk = e.kiosk AND p.seq = 1
                 WHERE e.kind = 'day_closed' AND e.close_date >= $1 AND e.variance != 0
                 ORDER BY p.panchayat COLLATE \"C\", e.kiosk COLLATE \"C\", e.seq",
                &[&from],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(CashDifference {
                    panchayat: r.try_get(0)?,
                    kiosk: r.try_get(1)?,
                    date: r.try_get(2)?,
                    expected: Paise(r.try_get(3)?),
                    counted: Paise(r.try_get(4)?),
                    variance: Paise(r.try_get(5)?),
                    reason: r.try_get(6)?,
                })
            })
            .collect()
    }

    fn make_months(&mut self, months: &[String]) -> Result<Vec<String>, LabStoreError> {
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        let mut left = Vec::new();
        for m in months {
            let m = month(m);
            if m == "other" {
                continue;
            }
            let mut tx = Tx::new(client.transaction()?, &mut self.prepared);
            // A partition is made under a lock that waits for every reader
            // of the events (an export, a backup), and every reader after
            // it waits behind it: so a moment, and then not now.
            tx.batch_execute("SET LOCAL lock_timeout = '1s'")?;
            match make_partition(&mut tx, m) {
                Ok(()) => tx.commit()?,
                Err(e) if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) => {
                    tx.rollback()?;
                    left.push(m.to_string());
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(left)
    }

    fn ping(&self) -> Result<(), LabStoreError> {
        self.read(|c| c.query_one("SELECT EXISTS (SELECT 1 FROM kiosks)", &[]))?;
        Ok(())
    }

    fn kiosk_places(&self) -> Result<HashMap<String, Place>, LabStoreError> {
        let rows = self.read(|c| {
            c.query(
                "SELECT k.code, e.canonical FROM kiosks k
                 JOIN events e ON e.kiosk = k.code AND e.seq = 1",
                &[],
            )
        })?;
        let mut out = HashMap::new();
        for r in &rows {
            let canonical: Vec<u8> = r.try_get(1)?;
            if let Some(place) = place_of(&canonical) {
                out.insert(r.try_get(0)?, place);
            }
        }
        Ok(out)
    }

    fn add_officer(&mut self, o: &Officer, now: &str) -> Result<bool, LabStoreError> {
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        let n = client.execute(
            "INSERT INTO officers (name, password_hash, role, district, lang, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING",
            &[
                &o.name,
                &o.password_hash,
                &o.role,
                &o.district,
                &o.lang,
                &now,
            ],
        )?;
        Ok(n == 1)
    }

    fn officer(&self, name: &str) -> Result<Option<Officer>, LabStoreError> {
        let row = self.read(|c| {
            c.query_opt(
                "SELECT name, password_hash, role, district, lang FROM officers WHERE name = $1",
                &[&name],
            )
        })?;
        Ok(row.as_ref().map(officer_row).transpose()?)
    }

    fn set_officer_lang(&mut self, name: &str, lang: &str) -> Result<(), LabStoreError> {
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        client.execute(
            "UPDATE officers SET lang = $2 WHERE name = $1",
            &[&name, &lang],
        )?;
        Ok(())
    }

    fn open_session(&mut self, s: &SessionRow) -> Result<(), LabStoreError> {
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        let swept = s.expires - SESSION_SPAN;
        client.execute("DELETE FROM sessions WHERE expires <= $1", &[&swept])?;
        client.execute(
            "INSERT INTO sessions (token_hash, officer, csrf, expires) VALUES ($1, $2, $3, $4)",
            &[&s.token_hash, &s.officer, &s.csrf, &s.expires],
        )?;
        Ok(())
    }

    fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(SessionRow, Officer)>, LabStoreError> {
        let row = self.read(|c| {
            c.query_opt(
                "SELECT o.name, o.password_hash, o.role, o.district, o.lang, s.csrf, s.expires
                 FROM sessions s JOIN officers o ON o.name = s.officer
                 WHERE s.token_hash = $1 AND s.expires > $2",
                &[&token_hash, &now],
            )
        })?;
        let Some(r) = row else { return Ok(None) };
        let officer = officer_row(&r)?;
        Ok(Some((
            SessionRow {
                token_hash: token_hash.to_string(),
                officer: officer.name.clone(),
                csrf: r.try_get(5)?,
                expires: r.try_get(6)?,
            },
            officer,
        )))
    }

    fn close_session(&mut self, token_hash: &str) -> Result<(), LabStoreError> {
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        client.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])?;
        Ok(())
    }

    fn audit(&mut self, e: &AuditEntry) -> Result<(), LabStoreError> {
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        client.execute(
            "INSERT INTO audit (at, officer, action, detail) VALUES ($1, $2, $3, $4)",
            &[&e.at, &e.officer, &e.action, &e.detail],
        )?;
        Ok(())
    }

    fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, LabStoreError> {
        let limit = i64::from(limit);
        let rows = self.read(|c| {
            c.query(
                "SELECT at, officer, action, detail FROM audit ORDER BY id DESC LIMIT $1",
                &[&limit],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    at: r.try_get(0)?,
                    officer: r.try_get(1)?,
                    action: r.try_get(2)?,
                    detail: r.try_get(3)?,
                })
            })
            .collect()
    }

    fn fund_events(&self) -> Result<Vec<HeldEvent>, LabStoreError> {
        let rows = self.read(|c| {
            c.query(
                "SELECT kiosk, seq, canonical FROM events
                 WHERE kind IN ('claim_filed', 'fund_rules_set') ORDER BY kiosk, seq",
                &[],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(HeldEvent {
                    kiosk: r.try_get(0)?,
                    seq: unsigned(r, 1)?,
                    canonical: r.try_get(2)?,
                })
            })
            .collect()
    }

    fn claim_member(
        &self,
        kiosk: &str,
        member_id: &str,
        scheme: &str,
    ) -> Result<Option<ClaimMember>, LabStoreError> {
        let row = self.read(|c| {
            c.query_opt(
                "SELECT COALESCE(m.name, ''), m.village, e.enrolled_on
                 FROM lab_members m
                 LEFT JOIN lab_enrolments e
                     ON e.kiosk = m.kiosk AND e.member_id = m.member_id AND e.scheme = $3
                 WHERE m.kiosk = $1 AND m.member_id = $2",
                &[&kiosk, &member_id, &scheme],
            )
        })?;
        row.map(|r| {
            Ok(ClaimMember {
                name: r.try_get(0)?,
                village: r.try_get(1)?,
                enrolled_on: r.try_get(2)?,
            })
        })
        .transpose()
    }

    fn member_events(
        &self,
        kiosk: &str,
        member_id: &str,
    ) -> Result<Vec<MemberEvent>, LabStoreError> {
        let rows = self.read(|c| {
            c.query(
                "SELECT kind, at, scheme, receipt, original, periods::bigint,
                        COALESCE(operator, '')
                 FROM events
                 WHERE kiosk = $1 AND member_id = $2
                   AND kind IN ('contribution_taken', 'contribution_reversed', 'enrolled')
                 ORDER BY seq",
                &[&kiosk, &member_id],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(MemberEvent {
                    kind: r.try_get(0)?,
                    at: r.try_get(1)?,
                    scheme: r.try_get(2)?,
                    receipt: r.try_get(3)?,
                    original: r.try_get(4)?,
                    periods: r.try_get(5)?,
                    operator: r.try_get(6)?,
                })
            })
            .collect()
    }

    fn claim_log(&self) -> Result<Vec<Vec<u8>>, LabStoreError> {
        let rows = self.read(|c| c.query("SELECT signed FROM claim_log ORDER BY n", &[]))?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn claim_log_of(&self, kiosk: &str) -> Result<Vec<Vec<u8>>, LabStoreError> {
        let rows = self.read(|c| {
            c.query(
                "SELECT signed FROM claim_log WHERE kiosk = $1 ORDER BY n",
                &[&kiosk],
            )
        })?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn append_claim_log(
        &mut self,
        n: u64,
        kiosk: &str,
        claim: &str,
        signed: &[u8],
    ) -> Result<bool, LabStoreError> {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        let added = client.execute(
            "INSERT INTO claim_log (n, claim, kiosk, signed) VALUES ($1, $2, $3, $4)
             ON CONFLICT (n) DO NOTHING",
            &[&n, &claim, &kiosk, &signed],
        )?;
        Ok(added == 1)
    }

    fn daily_each(
        &self,
        from: &str,
        to: &str,
        each: &mut dyn FnMut(DailyRow) -> bool,
    ) -> Result<(), LabStoreError> {
        use postgres::fallible_iterator::FallibleIterator;
        self.read(|c| {
            let mut rows = c.query_raw(
                "SELECT kiosk, village, day, scheme, receipts, amount, reversals, reversed,
                        enrolments
                 FROM daily WHERE day BETWEEN $1 AND $2
                 ORDER BY day, kiosk COLLATE \"C\", village COLLATE \"C\", scheme COLLATE \"C\"",
                [from, to],
            )?;
            while let Some(r) = rows.next()? {
                if !each(daily_row(&r)?) {
                    break;
                }
            }
            Ok::<_, postgres::Error>(())
        })
    }

    fn enrolments(&self) -> Result<Vec<EnrolmentRow>, LabStoreError> {
        let rows = self.read(|c| {
            c.query(
                "SELECT e.kiosk, e.member_id, COALESCE(m.name, ''), e.scheme, e.village,
                        e.enrolled_on, e.left_on, e.periods
                 FROM lab_enrolments e
                 LEFT JOIN lab_members m ON m.kiosk = e.kiosk AND m.member_id = e.member_id
                 ORDER BY e.kiosk COLLATE \"C\", e.member_id COLLATE \"C\", e.scheme COLLATE \"C\"",
                &[],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(EnrolmentRow {
                    kiosk: r.try_get(0)?,
                    member_id: r.try_get(1)?,
                    name: r.try_get(2)?,
                    scheme: r.try_get(3)?,
                    village: r.try_get(4)?,
                    enrolled_on: r.try_get(5)?,
                    left_on: r.try_get(6)?,
                    periods: r.try_get(7)?,
                })
            })
            .collect()
    }

    fn coverage(&self) -> Result<Vec<CoverageRow>, LabStoreError> {
        let rows = self.read(|c| {
            c.query(
                "SELECT h.kiosk, h.village, COUNT(*),
                        COUNT(*) FILTER (WHERE EXISTS (
                            SELECT 1 FROM lab_members m
                            WHERE m.kiosk = h.kiosk AND m.ration_card = h.ration_card)),
                        COALESCE(SUM(h.women), 0)::bigint
                 FROM lab_households h GROUP BY h.kiosk, h.village
                 ORDER BY h.kiosk COLLATE \"C\", h.village COLLATE \"C\"",
                &[],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(CoverageRow {
                    kiosk: r.try_get(0)?,
                    village: r.try_get(1)?,
                    households: unsigned(r, 2)?,
                    reached: unsigned(r, 3)?,
                    women: unsigned(r, 4)?,
                })
            })
            .collect()
    }

    fn scheme_dues(&self) -> Result<Vec<SchemeDues>, LabStoreError> {
        let rows = self.read(|c| {
            c.query(
                "SELECT kiosk, scheme, frequency, per_period FROM lab_schemes
                 ORDER BY kiosk COLLATE \"C\", scheme COLLATE \"C\"",
                &[],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(SchemeDues {
                    kiosk: r.try_get(0)?,
                    scheme: r.try_get(1)?,
                    frequency: r.try_get(2)?,
                    per_period: Paise(r.try_get(3)?),
                })
            })
            .collect()
    }

    fn shared_aadhaar(&self) -> Result<Vec<SharedAadhaar>, LabStoreError> {
        let rows = self.read(|c| {
            c.query(
                "SELECT hash, last4, kiosk, member_id, village FROM aadhaar_seen
                 WHERE shared = 1
                 ORDER BY hash, kiosk COLLATE \"C\", member_id COLLATE \"C\"",
                &[],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(SharedAadhaar {
                    group: r.try_get(0)?,
                    last4: r.try_get(1)?,
                    kiosk: r.try_get(2)?,
                    member_id: r.try_get(3)?,
                    village: r.try_get(4)?,
                })
            })
            .collect()
    }

    fn monthly_between(&self, from: &str, to: &str) -> Result<Vec<DailyRow>, LabStoreError> {
        let rows = self.read(|c| {
            c.query(
                "SELECT kiosk, village, month, scheme, receipts, amount, reversals, reversed,
                        enrolments
                 FROM monthly WHERE month BETWEEN $1 AND $2
                 ORDER BY month, kiosk COLLATE \"C\", village COLLATE \"C\", scheme COLLATE \"C\"",
                &[&from, &to],
            )
        })?;
        Ok(rows.iter().map(daily_row).collect::<Result<_, _>>()?)
    }

    fn operator_days(&self, from: &str, to: &str) -> Result<Vec<OperatorDay>, LabStoreError> {
        let rows = self.read(|c| {
            c.query(
                "SELECT kiosk, operator, day, receipts, reversals, registrations, enrolments,
                        clock_confirms, backdated
                 FROM operator_daily WHERE day BETWEEN $1 AND $2
                 ORDER BY day, kiosk COLLATE \"C\", operator COLLATE \"C\"",
                &[&from, &to],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(OperatorDay {
                    kiosk: r.try_get(0)?,
                    operator: r.try_get(1)?,
                    day: r.try_get(2)?,
                    receipts: unsigned(r, 3)?,
                    reversals: unsigned(r, 4)?,
                    registrations: unsigned(r, 5)?,
                    enrolments: unsigned(r, 6)?,
                    clock_confirms: unsigned(r, 7)?,
                    backdated: unsigned(r, 8)?,
                })
            })
            .collect()
    }
}

impl PgLab {
    /// Runs a read on the client: a `Client` wants `&mut` for every query
    /// and the store's reads take `&self`. The lab is used by one thread at
    /// a time (the server keeps it behind a mutex), so this lock is never
    /// waited on; it is a `Mutex` rather than a `RefCell` so that nothing
    /// here can panic.
    fn read<T, E: Into<LabStoreError>>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, E>,
    ) -> Result<T, LabStoreError> {
        let mut client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut client).map_err(Into::into)
    }
}

/// Stores batches in one transaction on `client`: the whole of
/// [`LabStore::ingest_all`] for a small commit, one half of a big one.
fn ingest_one(
    client: &mut Client,
    prepared: &mut Prepared,
    batches: Vec<Incoming>,
    now: &str,
) -> Result<Vec<Result<Ingested, LabStoreError>>, LabStoreError> {
    let mut tx = Tx::new(client.transaction()?, prepared);
    let mut out = Vec::new();
    // One lab process at a time stores a kiosk's batches: one that
    // holds any of these kiosks is waited for, so that the numbers and
    // heads read next are those it committed. (Read before it had
    // committed, a head was written back over the one it wrote, and
    // what it had counted into the rollups was counted again.) The
    // kiosks are locked in one order, so two sticks never wait for
    // each other.
    let mut codes: Vec<&str> = batches.iter().map(|(k, _)| k.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    tx.query(
        "SELECT code FROM kiosks WHERE code = ANY($1) ORDER BY code COLLATE \"C\" FOR UPDATE",
        &[&codes],
    )?;
    // The months of every event here, made before anything of the
    // events is read: making one waits for every reader of the events
    // and holds the partition lock meanwhile, so a process that had
    // read them first and then wanted the lock waited for a process
    // waiting for it (two processes storing a new month's first events
    // at once, which PostgreSQL refused as a deadlock). The kiosks are
    // locked before: a process that made a month must never wait for a
    // kiosk whose holder then reads the events.
    // (Every month here is made now, so storing below never makes
    // one, in a savepoint or out of it.)
    for m in months_of(&batches) {
        make_partition(&mut tx, m)?;
    }
    // The hashes held in every batch's range, in one read; then each
    // batch judged in order against them and the stick's batches
    // before it, and the whole stick stored at once.
    let mut held = held_in_ranges(&mut tx, &batches)?;
    let mut judged: Vec<(String, Vec<Row>, Vec<Fate>)> = Vec::new();
    for (kiosk, events) in batches {
        let known = held.entry(kiosk.clone()).or_default();
        let fates = fates(&events, known);
        for (e, f) in events.iter().zip(&fates) {
            if *f == Fate::New {
                known.insert(e.seq, e.hash.clone());
            }
        }
        judged.push((kiosk, events, fates));
    }
    let all: Vec<(&str, &[Row], &[Fate])> = judged
        .iter()
        .map(|(k, e, f)| (k.as_str(), e.as_slice(), f.as_slice()))
        .collect();
    // Most sticks are stored whole. Their heads are then walked over
    // their new events on another thread while the rows are copied,
    // from heads and villages read first (the kiosks are locked above:
    // no other process moves them meanwhile). On two cores the copy
    // keeps the server busy and this thread waiting, and the walk was
    // a twentieth of a stick's ingest, with the server idle.
    let start = Start::read(&mut tx, &all)?;
    let (stored, (contacts, walked)) = std::thread::scope(|s| {
        let walking = s.spawn(|| {
            let mut notes = Advances::default();
            for (kiosk, events, fates) in &all {
                notes.note(kiosk, events, fates);
            }
            let (contacts, moved) = heads_to_move(notes);
            (contacts, start.walk(moved))
        });
        let stored = stored_in_savepoint(&mut tx, &all, now);
        let walked = walking
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (stored, walked)
    });
    let contacts = if stored?.is_ok() {
        for (_, _, fates) in &all {
            out.push(Ok(counted(fates)));
        }
        // The stick's rows are not needed past here; freeing them (a
        // tenth of a million strings) overlaps the rollups' writes
        // rather than following the commit.
        drop(all);
        std::thread::scope(|s| {
            s.spawn(move || drop((judged, held)));
            finish_heads(&mut tx, walked)
        })?;
        contacts
    } else {
        // Another process stored some of these numbers meanwhile, or a
        // batch cannot be stored: each batch again on its own (as
        // judged: a raced one is refused whole, and the kiosk sends it
        // again), in its own savepoint, so one that fails leaves the
        // others in.
        let mut advances = Advances::default();
        let mut kept = Vec::new();
        for one in &all {
            let (kiosk, events, fates) = *one;
            match stored_in_savepoint(&mut tx, &[*one], now)? {
                Ok(()) => {
                    advances.note(kiosk, events, fates);
                    out.push(Ok(counted(fates)));
                    kept.push(*one);
                }
                Err(e) => out.push(Err(e)),
            }
        }
        let (contacts, moved) = heads_to_move(advances);
        if !moved.is_empty() {
            let start = Start::read(&mut tx, &kept)?;
            finish_heads(&mut tx, start.walk(moved))?;
        }
        contacts
    };
    if !contacts.is_empty() {
        tx.execute(
            "UPDATE kiosks SET last_contact = $2 WHERE code = ANY($1)",
            &[&contacts, &now],
        )?;
    }
    tx.commit()?;
    Ok(out)
}

/// The hashes the books hold in each batch's [`fate_range`], by kiosk and
/// number, in one read for a stick (a read a batch was a round trip each,
/// a tenth of a stick's time).
fn held_in_ranges(
    tx: &mut Tx<'_>,
    batches: &[Incoming],
) -> Result<HashMap<String, HashMap<u64, String>>, postgres::Error> {
    let mut ranges: (Vec<&str>, Vec<i64>, Vec<i64>) = Default::default();
    for (kiosk, events) in batches {
        if let Some((low, high)) = fate_range(events) {
            ranges.0.push(kiosk);
            ranges.1.push(seq(low));
            ranges.2.push(seq(high));
        }
    }
    let mut held: HashMap<String, HashMap<u64, String>> = HashMap::new();
    if ranges.0.is_empty() {
        return Ok(held);
    }
    // Lateral, so that each range is an index read of every month's
    // partition, never a scan of the events.
    for r in tx.query(
        "SELECT DISTINCT t.k, e.seq, e.hash
         FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t(k, lo, hi)
         CROSS JOIN LATERAL (SELECT seq, hash FROM events
                             WHERE kiosk = t.k AND seq BETWEEN t.lo AND t.hi) AS e",
        &[&ranges.0, &ranges.1, &ranges.2],
    )? {
        held.entry(r.try_get(0)?)
            .or_default()
            .insert(unsigned(&r, 1)?, r.try_get(2)?);
    }
    Ok(held)
}

/// What a batch's fates add up to.
fn counted(fates: &[Fate]) -> Ingested {
    let mut out = Ingested::default();
    for f in fates {
        match f {
            Fate::New => out.new += 1,
            Fate::Duplicate => out.duplicate += 1,
            Fate::Fork | Fate::Conflict => out.quarantined += 1,
        }
    }
    out
}

/// [`store_judged`] in a savepoint of its own: released when they are
/// stored, rolled back when not, and why.
fn stored_in_savepoint(
    tx: &mut Tx<'_>,
    batches: &[(&str, &[Row], &[Fate])],
    now: &str,
) -> Result<Result<(), LabStoreError>, postgres::Error> {
    let mut sp = tx.transaction()?;
    match store_judged(&mut sp, batches, now) {
        Ok(()) => {
            sp.commit()?;
            Ok(Ok(()))
        }
        Err(e) => {
            sp.rollback()?;
            Ok(Err(e))
        }
    }
}

/// Stores judged batches' new events (their numbers claimed, then the
/// rows, each in one binary COPY for all the batches) and quarantines
/// the refused ones. Their months' partitions are made before (see
/// `ingest_all`).
fn store_judged(
    tx: &mut Tx<'_>,
    batches: &[(&str, &[Row], &[Fate])],
    now: &str,
) -> Result<(), LabStoreError> {
    let mut new: Vec<(&str, &Row)> = Vec::new();
    for (kiosk, events, fates) in batches {
        for (e, fate) in events.iter().zip(fates.iter()) {
            match fate {
                Fate::New => new.push((kiosk, e)),
                Fate::Duplicate => {}
                Fate::Fork | Fate::Conflict => {
                    tx.execute(
                        "INSERT INTO quarantine (kiosk, seq, hash, canonical, reason, received_at)
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                        &[
                            kiosk,
                            &seq(e.seq),
                            &e.hash,
                            &e.canonical.as_bytes(),
                            &fate.reason(),
                            &now,
                        ],
                    )?;
                }
            }
        }
    }
    if new.is_empty() {
        return Ok(());
    }
    // The numbers are claimed as runs (no conflict clause: a number
    // another process stored since they were read breaks the exclusion
    // constraint, the savepoint is rolled back and the kiosk sends again).
    if let Err(e) = claim_runs(tx, &new) {
        return Err(
            if e.code() == Some(&postgres::error::SqlState::EXCLUSION_VIOLATION) {
                LabStoreError::Raced {
                    kiosk: {
                        let mut kiosks: Vec<&str> = batches.iter().map(|b| b.0).collect();
                        kiosks.sort_unstable();
                        kiosks.dedup();
                        kiosks.join(", ")
                    },
                }
            } else {
                e.into()
            },
        );
    }
    copy_events(tx, &new, now)?;
    let lists: Vec<(&str, &[Household])> = new
        .iter()
        .filter_map(|(kiosk, e)| match &e.facts {
            Facts::Households(list) => Some((*kiosk, list.as_slice())),
            _ => None,
        })
        .collect();
    Ok(write_households(tx, &lists)?)
}

/// The partition of `month` (checked by [`month`]: digits and a dash, or
/// `other`), made if it is not there yet.
fn make_partition(tx: &mut Tx<'_>, month: &str) -> Result<(), postgres::Error> {
    let table = format!("events_{}", month.replace('-', "_"));
    let exists: bool = tx
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])?
        .try_get(0)?;
    if exists {
        return Ok(());
    }
    // Two labs making the same month wait for each other; the second
    // finds it made. DDL takes no parameters: the name and the value are
    // built only from the checked month.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])?;
    tx.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {table} PARTITION OF events FOR VALUES IN ('{month}')"
    ))
}

/// The new events' numbers, claimed as each kiosk's runs of consecutive
/// numbers in one statement (migration 0007: a row a run, not a row a
/// number).
fn claim_runs(tx: &mut Tx<'_>, new: &[(&str, &Row)]) -> Result<(), postgres::Error> {
    let mut runs: (Vec<&str>, Vec<i64>, Vec<i64>) = Default::default();
    for (kiosk, low, high) in runs_of(new.iter().map(|(k, e)| (*k, e.seq))) {
        runs.0.push(kiosk);
        runs.1.push(seq(low));
        runs.2.push(seq(high));
    }
    tx.execute(
        "INSERT INTO event_runs (kiosk, seqs)
         SELECT k, int8range(lo, hi, '[]')
         FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t(k, lo, hi)",
        &[&runs.0, &runs.1, &runs.2],
    )?;
    Ok(())
}

/// Each kiosk's runs of consecutive numbers, as (kiosk, first, last), in
/// order of kiosk and number (a stick's batches may interleave kiosks).
fn runs_of<'a>(numbers: impl Iterator<Item = (&'a str, u64)>) -> Vec<(&'a str, u64, u64)> {
    let mut numbers: Vec<(&str, u64)> = numbers.collect();
    numbers.sort_unstable();
    let mut runs: Vec<(&str, u64, u64)> = Vec::new();
    for (kiosk, n) in numbers {
        match runs.last_mut() {
            Some((k, _, last)) if *k == kiosk && n <= *last + 1 => *last = (*last).max(n),
            _ => runs.push((kiosk, n, n)),
        }
    }
    runs
}

/// The new events, in one binary COPY (routed to their months by
/// PostgreSQL).
fn copy_events(tx: &mut Tx<'_>, new: &[(&str, &Row)], now: &str) -> Result<(), postgres::Error> {
    use Type as T;
    let sink = tx.copy_in(&format!(
        "COPY events (kiosk, seq, hash, prev, kind, at, month, canonical, received_at,
                      {FACT_COLUMNS}, operator) FROM STDIN BINARY"
    ))?;
    let types = [
        T::TEXT,
        T::INT8,
        T::TEXT,
        T::TEXT,
        T::TEXT,
        T::TEXT,
        T::TEXT,
        T::BYTEA,
        T::TEXT,
        T::TEXT,
        T::TEXT,
        T::TEXT,
        T::TEXT,
        T::TEXT,
        T::INT8,
        T::TEXT,
        T::INT8,
        T::INT8,
        T::INT8,
        T::TEXT,
        T::TEXT,
        T::TEXT,
        T::TEXT,
        // frequency, periods, on_date, member_name, ration_card, then the
        // operator.
        T::TEXT,
        T::INT8,
        T::TEXT,
        T::TEXT,
        T::TEXT,
        T::TEXT,
    ];
    let mut w = BinaryCopyInWriter::new(sink, &types);
    for (kiosk, e) in new {
        let v = e.facts.values();
        let s = seq(e.seq);
        let m = month(&e.at);
        let bytes = e.canonical.as_bytes();
        let row: [&(dyn ToSql + Sync); 29] = [
            kiosk,
            &s,
            &e.hash,
            &e.prev,
            &e.kind,
            &e.at,
            &m,
            &bytes,
            &now,
            &v.0,
            &v.1,
            &v.2,
            &v.3,
            &v.4,
            &v.5,
            &v.6,
            &v.7,
            &v.8,
            &v.9,
            &v.10,
            &v.11,
            &v.12,
            &v.13,
            &v.14,
            &v.15,
            &v.16,
            &v.17,
            &v.18,
            &e.operator,
        ];
        w.write(&row)?;
    }
    w.finish()?;
    Ok(())
}

/// A row of the daily or monthly rollup (kiosk, village, day or month,
/// scheme, then the counts).
fn daily_row(r: &postgres::Row) -> Result<DailyRow, postgres::Error> {
    Ok(DailyRow {
        kiosk: r.try_get(0)?,
        village: r.try_get(1)?,
        day: r.try_get(2)?,
        scheme: r.try_get(3)?,
        receipts: unsigned(r, 4)?,
        amount: Paise(r.try_get(5)?),
        reversals: unsigned(r, 6)?,
        reversed: Paise(r.try_get(7)?),
        enrolments: unsigned(r, 8)?,
    })
}

fn above(r: &postgres::Row) -> Result<Above, postgres::Error> {
    Ok(Above {
        seq: unsigned(r, 0)?,
        hash: r.try_get(1)?,
        kind: r.try_get(2)?,
        at: r.try_get(3)?,
        member: r.try_get(4)?,
        scheme: r.try_get(5)?,
        amount: r.try_get(6)?,
        village: r.try_get(7)?,
        operator: r.try_get(8)?,
        aadhaar_last4: r.try_get(9)?,
        aadhaar_hash: r.try_get(10)?,
        frequency: r.try_get(11)?,
        periods: r.try_get(12)?,
        on_date: r.try_get(13)?,
        member_name: r.try_get(14)?,
        ration_card: r.try_get(15)?,
    })
}

/// The kiosks a stick's stored batches came from (each gets its last
/// contact), and those whose heads it may move: the ones it stored new
/// events of, with what it stored.
fn heads_to_move(advances: Advances) -> (Vec<String>, Vec<(String, Stored)>) {
    let mut contacts = Vec::new();
    let mut moved = Vec::new();
    for (kiosk, stored) in advances.into_kiosks() {
        contacts.push(kiosk.clone());
        if stored.last_seq > 0 {
            moved.push((kiosk, stored));
        }
    }
    (contacts, moved)
}

/// Where a stick's heads start from: the kiosks' heads and the villages
/// of the members whose money and enrolments the stick's events count,
/// each read once for all the kiosks.
struct Start {
    heads: HashMap<String, Head>,
    /// Kiosk, then member, to village (looked up by `&str`, without
    /// building a key for every event).
    villages: HashMap<String, HashMap<String, String>>,
}

/// A kiosk's head walked over a stick's new events, with what it folded
/// and what the stick stored.
struct Walked {
    kiosk: String,
    head: Head,
    fold: Fold,
    last_seq: u64,
    last_at: Option<String>,
}

impl Start {
    /// The heads of `batches`' kiosks, and the villages of the members
    /// their new events count for.
    fn read(
        tx: &mut Tx<'_>,
        batches: &[(&str, &[Row], &[Fate])],
    ) -> Result<Start, postgres::Error> {
        let mut codes: Vec<&str> = batches.iter().map(|b| b.0).collect();
        codes.sort_unstable();
        codes.dedup();
        let mut heads: HashMap<String, Head> = HashMap::new();
        for r in tx.query(
            "SELECT kiosk, through, hash, last_seq, last_event_at, through_at
             FROM kiosk_heads WHERE kiosk = ANY($1)",
            &[&codes],
        )? {
            heads.insert(
                r.try_get(0)?,
                Head {
                    through: unsigned(&r, 1)?,
                    hash: r.try_get(2)?,
                    last_seq: unsigned(&r, 3)?,
                    last_event_at: r.try_get(4)?,
                    through_at: r.try_get(5)?,
                },
            );
        }
        // Each member asked for once (a member has many events in a
        // stick: asking for every event's made this read a tenth of the
        // rollups' time).
        let mut asked: HashSet<(&str, &str)> = HashSet::new();
        let mut wanted: (Vec<&str>, Vec<&str>) = Default::default();
        for (kiosk, events, fates) in batches {
            for (e, f) in events.iter().zip(fates.iter()) {
                if *f == Fate::New
                    && e.kind != "member_registered"
                    && let Some(m) = e.facts.values().3
                    && asked.insert((kiosk, m))
                {
                    wanted.0.push(kiosk);
                    wanted.1.push(m);
                }
            }
        }
        let mut villages: HashMap<String, HashMap<String, String>> = HashMap::new();
        if !wanted.0.is_empty() {
            for r in tx.query(
                "SELECT l.kiosk, l.member_id, l.village
                 FROM unnest($1::text[], $2::text[]) AS t(k, m)
                 JOIN lab_members l ON l.kiosk = t.k AND l.member_id = t.m",
                &[&wanted.0, &wanted.1],
            )? {
                villages
                    .entry(r.try_get(0)?)
                    .or_default()
                    .insert(r.try_get(1)?, r.try_get(2)?);
            }
        }
        Ok(Start { heads, villages })
    }

    /// Walks each kiosk's head over the stick's new events, in memory
    /// (no reads: it may run beside the copy of the rows).
    fn walk(&self, stored: Vec<(String, Stored)>) -> Vec<Walked> {
        let none = HashMap::new();
        stored
            .into_iter()
            .map(|(kiosk, s)| {
                let mut head = self.heads.get(&kiosk).cloned().unwrap_or_default();
                let mut fold = Fold::default();
                let villages = self.villages.get(&kiosk).unwrap_or(&none);
                let Ok(()) = head.walk(s.above.into_iter().map(Ok), &mut fold, &mut |m: &str| {
                    Ok::<_, std::convert::Infallible>(villages.get(m).cloned())
                });
                Walked {
                    kiosk,
                    head,
                    fold,
                    last_seq: s.last_seq,
                    last_at: s.last_at,
                }
            })
            .collect()
    }
}

/// Moves the walked heads on over any events held above them in the table
/// from before (a gap the stick filled), read a page at a time; a walk
/// stops at the first missing number and never reads below its head.
/// Then writes every rollup and head once for all the kiosks.
fn finish_heads(tx: &mut Tx<'_>, walked: Vec<Walked>) -> Result<(), postgres::Error> {
    let mut folds: Vec<(String, Fold)> = Vec::new();
    let mut moved: Vec<(String, Head)> = Vec::new();
    for w in walked {
        let Walked {
            kiosk,
            mut head,
            mut fold,
            last_seq,
            last_at,
        } = w;
        // Events held above a gap wait in the table; most sticks leave
        // none, and then the head has reached the highest one held.
        if head.through < head.last_seq.max(last_seq) {
            walk_table(tx, &kiosk, &mut head, &mut fold)?;
        }
        head.saw(last_seq, last_at.as_deref());
        folds.push((kiosk.clone(), fold));
        moved.push((kiosk, head));
    }
    let mut c: (Vec<&str>, Vec<i64>, Vec<&str>, Vec<i64>) = Default::default();
    let mut times: (Vec<Option<&str>>, Vec<Option<&str>>) = Default::default();
    for (kiosk, h) in &moved {
        c.0.push(kiosk);
        c.1.push(seq(h.through));
        c.2.push(&h.hash);
        c.3.push(seq(h.last_seq));
        times.0.push(h.last_event_at.as_deref());
        times.1.push(h.through_at.as_deref());
    }
    tx.execute(
        "INSERT INTO kiosk_heads (kiosk, through, hash, last_seq, last_event_at, through_at)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[],
                              $6::text[])
         ON CONFLICT (kiosk) DO UPDATE SET through = excluded.through, hash = excluded.hash,
             last_seq = excluded.last_seq, last_event_at = excluded.last_event_at,
             through_at = excluded.through_at",
        &[&c.0, &c.1, &c.2, &c.3, &times.0, &times.1],
    )?;
    // The rollups after the heads: they end with the Aadhaar references,
    // whose lock is best held for as little as can be.
    let all: Vec<(&str, &Fold)> = folds.iter().map(|(k, f)| (k.as_str(), f)).collect();
    write_folds(tx, &all)
}

/// Walks a head on over the events held above it in the table, a page at
/// a time, the villages of each page's members read in one query.
fn walk_table(
    tx: &mut Tx<'_>,
    kiosk: &str,
    head: &mut Head,
    fold: &mut Fold,
) -> Result<(), postgres::Error> {
    let stmt = tx.statement(&format!(
        "SELECT {FOLD_COLUMNS} FROM events WHERE kiosk = $1 AND seq > $2 ORDER BY seq"
    ))?;
    let portal = tx.bind(&stmt, &[&kiosk, &seq(head.through)])?;
    loop {
        let page = tx.query_portal(&portal, PAGE)?;
        let rows = page.iter().map(above).collect::<Result<Vec<_>, _>>()?;
        let (full, last) = (page.len() == PAGE as usize, rows.last().map(|a| a.seq));
        let members: Vec<&str> = rows
            .iter()
            .filter(|a| a.kind != "member_registered")
            .filter_map(|a| a.member.as_deref())
            .collect();
        let known: HashMap<String, String> = tx
            .query(
                "SELECT member_id, village FROM lab_members
                 WHERE kiosk = $1 AND member_id = ANY($2)",
                &[&kiosk, &members],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, postgres::Error>>()?;
        head.walk(rows.into_iter().map(Ok), fold, &mut |m: &str| {
            Ok::<_, postgres::Error>(known.get(m).cloned())
        })?;
        if !full || last != Some(head.through) {
            return Ok(());
        }
    }
}

/// Writes the folds' members and counts, one statement a table for all
/// of them.
fn write_folds(tx: &mut Tx<'_>, folds: &Folds<'_>) -> Result<(), postgres::Error> {
    // A registration's village, name and card in one write of the row
    // (three statements wrote each new member three times: a fifth of a
    // stick's rollups). Names and cards come only with registrations; a
    // registration without one keeps what the row had.
    let mut c: [Vec<&str>; 3] = Default::default();
    let mut extra: [Vec<Option<&str>>; 2] = Default::default();
    for (kiosk, fold) in folds {
        for (m, village) in &fold.registered {
            for (v, x) in c.iter_mut().zip([*kiosk, m, village]) {
                v.push(x);
            }
            extra[0].push(fold.names.get(m).map(String::as_str));
            extra[1].push(fold.cards.get(m).map(String::as_str));
        }
    }
    if !c[0].is_empty() {
        tx.execute(
            "MERGE INTO lab_members AS l
             USING unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
                   AS t(k, m, v, n, c)
             ON l.kiosk = t.k AND l.member_id = t.m
             WHEN MATCHED THEN UPDATE SET village = t.v, name = COALESCE(t.n, l.name),
                 ration_card = COALESCE(t.c, l.ration_card)
             WHEN NOT MATCHED THEN INSERT (kiosk, member_id, village, name, ration_card)
                 VALUES (t.k, t.m, t.v, t.n, t.c)",
            &[&c[0], &c[1], &c[2], &extra[0], &extra[1]],
        )?;
    }
    write_enrolments(tx, folds)?;
    let daily: Vec<(&str, &Sums)> = folds.iter().map(|(k, f)| (*k, &f.sums)).collect();
    add_sums(tx, "daily", "day", &daily)?;
    let months: Vec<(&str, Sums)> = folds.iter().map(|(k, f)| (*k, f.by_month())).collect();
    let monthly: Vec<(&str, &Sums)> = months.iter().map(|(k, m)| (*k, m)).collect();
    add_sums(tx, "monthly", "month", &monthly)?;
    // Last: the Aadhaar references' lock is held until the commit, and
    // the other half of a commit (or another process) waits for it.
    write_ops_and_aadhaar(tx, folds)
}

/// Step 4's backfill of the members' names, then their schemes and
/// enrolments.
fn write_names_and_enrolments(tx: &mut Tx<'_>, folds: &Folds<'_>) -> Result<(), postgres::Error> {
    let mut names: [Vec<&str>; 3] = Default::default();
    for (kiosk, fold) in folds {
        for (m, n) in &fold.names {
            for (v, x) in names.iter_mut().zip([*kiosk, m, n]) {
                v.push(x);
            }
        }
    }
    if !names[0].is_empty() {
        tx.execute(
            "UPDATE lab_members l SET name = t.n
             FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, m, n)
             WHERE l.kiosk = t.k AND l.member_id = t.m",
            &[&names[0], &names[1], &names[2]],
        )?;
    }
    write_enrolments(tx, folds)
}

/// Writes the folds' schemes and enrolments (the tables of step 4), one
/// statement each.
fn write_enrolments(tx: &mut Tx<'_>, folds: &Folds<'_>) -> Result<(), postgres::Error> {
    let mut schemes: (Vec<&str>, Vec<&str>, Vec<&str>, Vec<i64>) = Default::default();
    for (kiosk, fold) in folds {
        for (code, (frequency, per_period)) in &fold.schemes {
            schemes.0.push(kiosk);
            schemes.1.push(code);
            schemes.2.push(frequency);
            schemes.3.push(*per_period);
        }
    }
    if !schemes.0.is_empty() {
        tx.execute(
            "MERGE INTO lab_schemes AS l
             USING unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(k, s, f, p)
             ON l.kiosk = t.k AND l.scheme = t.s
             WHEN MATCHED THEN UPDATE SET frequency = t.f, per_period = t.p
             WHEN NOT MATCHED THEN INSERT (kiosk, scheme, frequency, per_period)
                 VALUES (t.k, t.s, t.f, t.p)",
            &[&schemes.0, &schemes.1, &schemes.2, &schemes.3],
        )?;
    }
    // Those whose leaving this run decided (`left_on` is then what it
    // decided, NULL when she rejoined), and the others (`left_on` kept).
    for decided in [true, false] {
        let mut text: [Vec<Option<&str>>; 6] = Default::default();
        let mut periods: Vec<i64> = Vec::new();
        for (kiosk, fold) in folds {
            for ((member, scheme), c) in &fold.enrolments {
                if c.left_on.is_some() != decided {
                    continue;
                }
                let left = c.left_on.as_ref().and_then(|l| l.as_deref());
                for (col, x) in text.iter_mut().zip([
                    Some(*kiosk),
                    Some(member.as_str()),
                    Some(scheme.as_str()),
                    Some(c.village.as_str()),
                    c.enrolled_on.as_deref(),
                    left,
                ]) {
                    col.push(x);
                }
                periods.push(c.periods);
            }
        }
        if periods.is_empty() {
            continue;
        }
        let left = if decided { "t.l" } else { "e.left_on" };
        tx.execute(
            &format!(
                "MERGE INTO lab_enrolments AS e
                 USING unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::bigint[]) AS t(k, m, s, v, o, l, p)
                 ON e.kiosk = t.k AND e.member_id = t.m AND e.scheme = t.s
                 WHEN MATCHED THEN UPDATE SET village = t.v,
                     enrolled_on = COALESCE(t.o, e.enrolled_on), left_on = {left},
                     periods = e.periods + t.p
                 WHEN NOT MATCHED THEN INSERT (kiosk, member_id, scheme, village, enrolled_on,
                                               left_on, periods)
                     VALUES (t.k, t.m, t.s, t.v, t.o, t.l, t.p)"
            ),
            &[
                &text[0], &text[1], &text[2], &text[3], &text[4], &text[5], &periods,
            ],
        )?;
    }
    Ok(())
}

/// Writes the folds' operators' days and Aadhaar references.
fn write_ops_and_aadhaar(tx: &mut Tx<'_>, folds: &Folds<'_>) -> Result<(), postgres::Error> {
    let mut keys: [Vec<&str>; 3] = Default::default();
    let mut counts: [Vec<i64>; 6] = Default::default();
    let mut refs: [Vec<&str>; 5] = Default::default();
    for (kiosk, fold) in folds {
        for ((operator, day), c) in &fold.ops {
            for (v, x) in keys.iter_mut().zip([*kiosk, operator, day]) {
                v.push(x);
            }
            for (v, n) in counts.iter_mut().zip(c.values()) {
                v.push(n);
            }
        }
        for (member, (last4, hash, village)) in &fold.aadhaar {
            for (v, x) in refs.iter_mut().zip([*kiosk, member, last4, hash, village]) {
                v.push(x);
            }
        }
    }
    if !keys[0].is_empty() {
        tx.execute(
            "MERGE INTO operator_daily AS d
             USING unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[],
                          $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
                   AS t(k, o, dy, r, rv, rg, en, cc, bd)
             ON d.day = t.dy AND d.kiosk = t.k AND d.operator = t.o
             WHEN MATCHED THEN UPDATE SET receipts = d.receipts + t.r,
                 reversals = d.reversals + t.rv, registrations = d.registrations + t.rg,
                 enrolments = d.enrolments + t.en, clock_confirms = d.clock_confirms + t.cc,
                 backdated = d.backdated + t.bd
             WHEN NOT MATCHED THEN INSERT (kiosk, operator, day, receipts, reversals,
                                           registrations, enrolments, clock_confirms, backdated)
                 VALUES (t.k, t.o, t.dy, t.r, t.rv, t.rg, t.en, t.cc, t.bd)",
            &[
                &keys[0], &keys[1], &keys[2], &counts[0], &counts[1], &counts[2], &counts[3],
                &counts[4], &counts[5],
            ],
        )?;
    }
    if !refs[0].is_empty() {
        // One process at a time writes and marks references, until it
        // commits: marking reads the references of other kiosks, which a
        // process storing another kiosk at the same moment has not
        // committed yet, so each saw only its own and a woman registered
        // at two kiosks went unmarked. (The kiosks' own rows are locked
        // at the start of ingest; this lock is taken after every other,
        // so two processes never wait for each other in a circle.)
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&AADHAAR_LOCK])?;
        tx.execute(
            "MERGE INTO aadhaar_seen AS s
             USING unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
                   AS t(k, m, l, h, v)
             ON s.hash = t.h AND s.kiosk = t.k AND s.member_id = t.m
             WHEN MATCHED THEN UPDATE SET last4 = t.l, village = t.v
             WHEN NOT MATCHED THEN INSERT (hash, kiosk, member_id, last4, village)
                 VALUES (t.h, t.k, t.m, t.l, t.v)",
            &[&refs[0], &refs[1], &refs[2], &refs[3], &refs[4]],
        )?;
        // A reference is shared once more than one kiosk holds it: every
        // row of it is marked (keyed reads of the references just seen).
        // (One grouped read of the references, not a count for each row.)
        tx.execute(
            "UPDATE aadhaar_seen s SET shared = 1
             FROM (SELECT hash FROM aadhaar_seen WHERE hash = ANY($1)
                   GROUP BY hash HAVING COUNT(DISTINCT kiosk) > 1) AS d
             WHERE s.hash = d.hash AND s.shared = 0",
            &[&refs[3]],
        )?;
    }
    Ok(())
}

/// Adds counts to a rollup (`daily` by `day`, or `monthly` by `month`:
/// names from this file, never from input), in one upsert for every kiosk.
fn add_sums(
    tx: &mut Tx<'_>,
    table: &str,
    key: &str,
    sums: &[(&str, &Sums)],
) -> Result<(), postgres::Error> {
    let mut cols: [Vec<&str>; 4] = Default::default();
    let mut counts: [Vec<i64>; 5] = Default::default();
    for (kiosk, by) in sums {
        for ((village, at, scheme), c) in *by {
            for (v, x) in cols.iter_mut().zip([*kiosk, village, at, scheme]) {
                v.push(x);
            }
            for (v, n) in counts.iter_mut().zip(c.values()) {
                v.push(n);
            }
        }
    }
    if cols[0].is_empty() {
        return Ok(());
    }
    tx.execute(
        &format!(
            "MERGE INTO {table} AS d
             USING unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                          $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
                   AS t(k, v, dy, s, r, a, rv, rd, en)
             ON d.kiosk = t.k AND d.village = t.v AND d.{key} = t.dy AND d.scheme = t.s
             WHEN MATCHED THEN UPDATE SET receipts = d.receipts + t.r, amount = d.amount + t.a,
                 reversals = d.reversals + t.rv, reversed = d.reversed + t.rd,
                 enrolments = d.enrolments + t.en
             WHEN NOT MATCHED THEN INSERT (kiosk, village, {key}, scheme, receipts, amount,
                                           reversals, reversed, enrolments)
                 VALUES (t.k, t.v, t.dy, t.s, t.r, t.a, t.rv, t.rd, t.en)"
        ),
        &[
            &cols[0], &cols[1], &cols[2], &cols[3], &counts[0], &counts[1], &counts[2], &counts[3],
            &counts[4],
        ],
    )?;
    Ok(())
}

/// An officer from the first five columns of a row (name, password hash,
/// role, district, lang).
fn officer_row(r: &postgres::Row) -> Result<Officer, postgres::Error> {
    Ok(Officer {
        name: r.try_get(0)?,
        password_hash: r.try_get(1)?,
        role: r.try_get(2)?,
        district: r.try_get(3)?,
        lang: r.try_get(4)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch of `n` events of `kiosk`.
    fn batch(kiosk: &str, n: usize) -> Incoming {
        let row = |i: usize| Row {
            seq: i as u64 + 1,
            hash: String::new(),
            prev: String::new(),
            kind: "contribution_taken",
            at: "2026-11-20T10:00:00Z".into(),
            canonical: String::new(),
            facts: Facts::default(),
            operator: String::new(),
        };
        (kiosk.to_string(), (0..n).map(row).collect())
    }

    #[test]
    fn a_big_commits_halves_share_no_kiosk_keep_its_order_and_are_near_equal() {
        let batches = vec![
            batch("a", 900),
            batch("b", 300),
            batch("c", 700),
            batch("a", 100),
            batch("d", 500),
            batch("b", 300),
            batch("e", 200),
        ];
        let (first, second) = halves(&batches).expect("big enough for two halves");
        let kiosks = |half: &[usize]| -> BTreeSet<&str> {
            half.iter().map(|&i| batches[i].0.as_str()).collect()
        };
        assert!(kiosks(&first).is_disjoint(&kiosks(&second)));
        let mut every: Vec<usize> = first.iter().chain(&second).copied().collect();
        every.sort_unstable();
        assert_eq!(
            every,
            (0..batches.len()).collect::<Vec<_>>(),
            "each batch once"
        );
        for half in [&first, &second] {
            assert!(half.windows(2).all(|w| w[0] < w[1]), "in the order given");
        }
        let events = |half: &[usize]| -> usize { half.iter().map(|&i| batches[i].1.len()).sum() };
        // a 1000, c 700, b 600, d 500, e 200: 1000 + 500 against 700 + 600 + 200.
        assert_eq!((events(&first), events(&second)), (1500, 1500));
    }

    #[test]
    fn a_small_commit_or_one_kiosks_is_stored_whole() {
        assert_eq!(halves(&[batch("a", 900), batch("b", 900)]), None);
        assert_eq!(
            halves(&[batch("a", HALVES_FROM), batch("a", HALVES_FROM)]),
            None
        );
        assert!(halves(&[batch("a", HALVES_FROM), batch("b", 1)]).is_some());
    }

    #[test]
    fn runs_of_a_stick_that_interleaves_kiosks_are_each_kiosks_consecutive_numbers() {
        let numbers = [
            ("b", 4),
            ("a", 1),
            ("b", 5),
            ("a", 2),
            ("a", 4),
            ("b", 6),
            ("a", 3),
        ];
        assert_eq!(runs_of(numbers.into_iter()), vec![("a", 1, 4), ("b", 4, 6)]);
        let gapped = [("a", 1), ("a", 3), ("a", 4), ("a", 9)];
        assert_eq!(
            runs_of(gapped.into_iter()),
            vec![("a", 1, 1), ("a", 3, 4), ("a", 9, 9)]
        );
    }
}
