//! SQLite storage: the append-only event ledger with its hash chain, the
//! tables derived from it, and the queries the kiosk needs.
//!
//! One [`Store`] holds the one writer connection. The file is opened with
//! `journal_mode=WAL`, `synchronous=FULL` and `foreign_keys=ON`; `quick_check`
//! runs on every open. All writes go through [`Store::write`], a `BEGIN
//! IMMEDIATE` transaction in which [`Writer::append`] adds an event and
//! projects it onto the derived tables, so a commit is all-or-nothing: an
//! event, its derived rows and its receipt number land together or not at all.

pub mod auth;
pub mod lab_link;
pub mod ledger;
pub mod print_queue;
pub mod project;
pub mod queries;
pub mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

use crate::i18n::{Localized, Message, english};

pub use ledger::Writer;

/// Oldest bundled SQLite we accept: 3.51.3 fixed a WAL corruption bug.
pub const MIN_SQLITE: (u32, u32, u32) = (3, 51, 3);

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_ledger.sql")),
        M::up(include_str!("../migrations/0002_print_queue.sql")),
        M::up(include_str!("../migrations/0003_lab_link.sql")),
        M::up_with_hook(
            include_str!("../migrations/0004_member_identity.sql"),
            fill_identity_keys,
        ),
        M::up(include_str!("../migrations/0005_fund_claims.sql")),
        M::up(include_str!("../migrations/0006_claim_decisions.sql")),
        M::up(include_str!("../migrations/0007_fund_statements.sql")),
        M::up(include_str!("../migrations/0008_statement_keys.sql")),
        M::up(include_str!("../migrations/0009_decisions_by_lab.sql")),
    ])
}

#[derive(Debug, thiserror::Error)]
#[error("{}", english(self))]
pub enum StoreError {
    Sqlite(#[from] rusqlite::Error),
    Migration(String),
    Corrupt(String),
    Format(#[from] crate::domain::event::FormatError),
    NotInitialised,
    Json(#[from] serde_json::Error),
}

impl StoreError {
    /// Busy or locked: another process holds the write lock; trying again
    /// in a moment will work.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

impl Localized for StoreError {
    fn message(&self) -> Message {
        match self {
            e if e.is_retryable() => Message::new("store.busy"),
            StoreError::Sqlite(e) => Message::new("store.sqlite").arg("detail", e),
            StoreError::Migration(d) => Message::new("store.migration").arg("detail", d),
            StoreError::Corrupt(d) => Message::new("store.corrupt").arg("detail", d),
            StoreError::Format(e) => Message::new("store.format").arg("detail", e),
            StoreError::NotInitialised => Message::new("store.not_initialised"),
            StoreError::Json(e) => Message::new("store.format").arg("detail", e),
        }
    }
}

/// The kiosk database.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` with the durable
    /// settings, checks it and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // Room for every statement the kiosk runs (see `row`).
        conn.set_prepared_statement_cache_capacity(128);
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!(
                "journal_mode is {mode}, not wal"
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt(check));
        }
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
        };
        store.migrate()?;
        Ok(store)
    }

    /// A scratch database in memory, used by `verify` to rebuild the derived
    /// tables from the ledger.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        conn.set_prepared_statement_cache_capacity(128);
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store { conn, path: None };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        migrations()
            .to_latest(&mut self.conn)
            .map_err(|e| StoreError::Migration(e.to_string()))
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Read access. Reads see only committed data.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction and commits it durably.
    /// If `f` fails, nothing it did remains.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&Writer<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let writer = Writer::new(&tx);
        let out = f(&writer)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Trades durability for speed while generating synthetic data (`demo`).
    /// Never used on real books.
    pub fn set_bulk_mode(&self, on: bool) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "synchronous", if on { "OFF" } else { "FULL" })?;
        Ok(())
    }

    /// Folds the WAL back into the main file (day close).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

/// Migration 4's derived values for rows written before it: identity keys
/// by the same functions as the projection ([`crate::domain::search`]),
/// and each enrolment's periods paid.
fn fill_identity_keys(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    register_functions(tx)?;
    tx.execute_batch(
        "UPDATE members SET name_key = identity_key(name), relative_key = identity_key(relative_name);
         UPDATE pds_people SET name_phonetic = phonetic_key(name);
         UPDATE enrolments SET periods_paid = (
             SELECT COALESCE(SUM(c.periods), 0) FROM contributions c
             WHERE c.member_id = enrolments.member_id AND c.scheme = enrolments.scheme
               AND c.reversed_by IS NULL);",
    )?;
    Ok(())
}

/// `identity_key(text)` and `phonetic_key(text)` as SQL functions.
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    type Key = fn(&str) -> String;
    let keys: [(&str, Key); 2] = [
        ("identity_key", crate::domain::search::identity_key),
        ("phonetic_key", crate::domain::search::phonetic_key),
    ];
    for (name, key) in keys {
        conn.create_scalar_function(
            name,
            1,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            move |ctx| {
                let s: String = ctx.get(0)?;
                Ok(key(&s))
            },
        )?;
    }
    Ok(())
}

/// `query_row` through the connection's statement cache. The kiosk runs the
/// same few statements over and over, and parsing their SQL cost more than
/// running them (a contribution spent over a third of its CPU in
/// `sqlite3Prepare`).
pub(crate) fn row<T, P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached(sql)?.query_row(params, f)
}

/// `execute` through the statement cache (see [`row`]).
pub(crate) fn exec<P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// The bundled SQLite version as (major, minor, patch).
pub fn sqlite_version() -> (u32, u32, u32) {
    let n = rusqlite::version_number() as u32;
    (n / 1_000_000, (n / 1_000) % 1_000, n % 1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    #[test]
    fn members_registered_before_migration_4_get_their_identity_keys() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrations().to_version(&mut conn, 3).expect("v3");
        conn.execute_batch(
            "INSERT INTO households (ration_card, village, seq) VALUES ('RJ1', 'गाँव', 1);
             INSERT INTO pds_people (ration_card, name, gender, age, relation, seq)
                VALUES ('RJ1', 'सुनीता देवी', 'female', 40, 'पत्नी', 1);
             INSERT INTO members (member_id, name, name_fold, relative_name, gender, birth,
                                  village, seq)
                VALUES ('K-00001', 'सावित्री', 'सावित्री', 'रामलाल', 'female', '{}', 'गाँव', 2);",
        )
        .expect("old rows");
        migrations().to_latest(&mut conn).expect("v4");
        let (name, relative): (String, String) = conn
            .query_row("SELECT name_key, relative_key FROM members", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("keys");
        assert_eq!(name, crate::domain::search::identity_key("Savitri"));
        assert_eq!(relative, crate::domain::search::identity_key("Ramlal"));
        let pds: String = conn
            .query_row("SELECT name_phonetic FROM pds_people", [], |r| r.get(0))
            .expect("pds key");
        assert_eq!(pds, crate::domain::search::phonetic_key("sunita devi"));
    }

    /// Schema step 0009 rebuilds `claim_decisions` keyed by `seq`: the
    /// decisions a kiosk held before it keep their numbers, order and
    /// bytes, the same signed bytes still cannot be kept twice, and a
    /// second lab's entry 1 now has a place beside the first lab's.
    #[test]
    fn decisions_recorded_before_migration_9_are_carried_across() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrations().to_version(&mut conn, 8).expect("v8");
        // Only the claim's rows matter here, not the member it names.
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO claims (claim, seq, member_id, scheme, died_on, cause, certificate,
                                 authority, claimant, relation, phone, nominee, ifsc,
                                 account_last4, account_sealed, bars, attested_by,
                                 by_operator, filed_at)
                VALUES ('K-C0001', 5, 'K-00001', 'FUND', '2026-11-20', 'natural', 'D-1',
                        'पंचायत', 'सुनीता', 'पत्नी', '9829012345', 1, 'SBIN0001234',
                        '9012', 'x', '[]', 'ADMIN', 'SUP1', '2026-11-21T10:00:00+05:30');
             INSERT INTO claim_decisions (n, seq, claim, step, decision)
                VALUES (1, 6, 'K-C0001', 'verified', 'signed one'),
                       (2, 7, 'K-C0001', 'published', 'signed two');",
        )
        .expect("old rows");
        migrations().to_latest(&mut conn).expect("latest");
        let rows: Vec<(i64, i64, String, String)> = conn
            .prepare("SELECT seq, n, step, decision FROM claim_decisions ORDER BY seq")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(
            rows,
            vec![
                (6, 1, "verified".into(), "signed one".into()),
                (7, 2, "published".into(), "signed two".into()),
            ]
        );
        let add = |seq: i64, n: i64, decision: &str| {
            conn.execute(
                "INSERT INTO claim_decisions (seq, n, claim, step, decision)
                 VALUES (?1, ?2, 'K-C0001', 'verified', ?3)",
                rusqlite::params![seq, n, decision],
            )
        };
        assert!(add(8, 3, "signed one").is_err(), "the same bytes twice");
        add(9, 1, "another lab's one").expect("another lab's entry 1");
    }

    #[test]
    fn bundled_sqlite_is_at_least_3_51_3() {
        assert!(
            sqlite_version() >= MIN_SQLITE,
            "bundled SQLite {:?} is older than {:?}",
            sqlite_version(),
            MIN_SQLITE
        );
    }
}
