//! `dastak verify`: is this database exactly what its ledger says?
//!
//! Three checks, in order: SQLite's `integrity_check`; a walk of the ledger
//! (dense sequence, canonical bytes, each hash, each link to the previous
//! hash); and a rebuild of every derived table from the ledger in a scratch
//! in-memory database, compared row by row with the live tables. Problems
//! name the event (by sequence number) where they were found.

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::Serialize;

use crate::domain::event::{Event, GENESIS, hash_hex};
use crate::i18n::{Localized, Message};
use crate::store::{Store, StoreError, project};

/// Derived tables and the key they are compared in.
pub const DERIVED_TABLES: [(&str, &str); 18] = [
    ("kiosk", "id"),
    ("operators", "code"),
    ("schemes", "code"),
    ("scheme_groups", "code"),
    ("households", "ration_card"),
    ("pds_people", "ration_card, name, relation"),
    ("members", "member_id"),
    ("enrolments", "member_id, scheme"),
    ("receipts", "receipt_no"),
    ("contributions", "receipt_no"),
    ("reversals", "receipt_no"),
    ("day_closes", "seq"),
    ("duplicate_overrides", "member_id"),
    ("member_changes", "seq, what"),
    ("fund_rules", "seq"),
    ("nominee_shares", "seq, position"),
    ("claims", "claim"),
    ("claim_decisions", "seq"),
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    Integrity {
        detail: String,
    },
    Missing {
        seq: u64,
    },
    Unreadable {
        seq: u64,
        detail: String,
    },
    HashMismatch {
        seq: u64,
    },
    ChainBroken {
        seq: u64,
    },
    Mislabelled {
        seq: u64,
    },
    Replay {
        seq: u64,
        detail: String,
    },
    Derived {
        table: String,
        key: String,
        seq: Option<u64>,
    },
}

impl Problem {
    /// The event this problem points at, if any.
    pub fn seq(&self) -> Option<u64> {
        match self {
            Problem::Integrity { .. } => None,
            Problem::Missing { seq }
            | Problem::Unreadable { seq, .. }
            | Problem::HashMismatch { seq }
            | Problem::ChainBroken { seq }
            | Problem::Mislabelled { seq }
            | Problem::Replay { seq, .. } => Some(*seq),
            Problem::Derived { seq, .. } => *seq,
        }
    }
}

impl Localized for Problem {
    fn message(&self) -> Message {
        match self {
            Problem::Integrity { detail } => Message::new("verify.integrity").arg("detail", detail),
            Problem::Missing { seq } => Message::new("verify.missing").arg("seq", seq),
            Problem::Unreadable { seq, detail } => Message::new("verify.unreadable")
                .arg("seq", seq)
                .arg("detail", detail),
            Problem::HashMismatch { seq } => Message::new("verify.hash").arg("seq", seq),
            Problem::ChainBroken { seq } => Message::new("verify.chain").arg("seq", seq),
            Problem::Mislabelled { seq } => Message::new("verify.mislabelled").arg("seq", seq),
            Problem::Replay { seq, detail } => Message::new("verify.replay")
                .arg("seq", seq)
                .arg("detail", detail),
            Problem::Derived { table, key, seq } => Message::new("verify.derived")
                .arg("table", table)
                .arg("key", key)
                .arg(
                    "seq",
                    seq.map(|s| s.to_string()).unwrap_or_else(|| "?".into()),
                ),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub events: u64,
    pub head: Option<String>,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The earliest event named by any problem.
    pub fn first_bad_event(&self) -> Option<u64> {
        self.problems.iter().filter_map(Problem::seq).min()
    }
}

/// Stop collecting after this many problems: the first ones are what matter.
const MAX_PROBLEMS: usize = 50;

pub fn verify(store: &Store) -> Result<Report, StoreError> {
    let conn = store.conn();
    // One read transaction, so that the ledger and the tables derived from
    // it are read at one moment: a payment committed between the two reads
    // showed up as a "derived" problem (seen when `dastak verify` ran
    // beside the console taking payments).
    let snapshot = conn.unchecked_transaction()?;
    let mut problems = Vec::new();

    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let lines: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if lines != ["ok"] {
        problems.extend(
            lines
                .into_iter()
                .take(10)
                .map(|detail| Problem::Integrity { detail }),
        );
    }

    let rebuilt = Store::open_in_memory()?;
    let mut expected_seq = 1u64;
    let mut prev_hash = GENESIS.to_string();
    let mut head = None;
    let mut count = 0u64;
    let mut stmt = conn.prepare("SELECT seq, kind, canonical, hash FROM events ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let seq: u64 = row.get(0)?;
        let kind: String = row.get(1)?;
        let bytes: Vec<u8> = row.get(2)?;
        let stored_hash: String = row.get(3)?;
        count += 1;
        if seq != expected_seq {
            problems.push(Problem::Missing { seq: expected_seq });
        }
        expected_seq = seq + 1;
        let actual_hash = hash_hex(&bytes);
        if actual_hash != stored_hash {
            problems.push(Problem::HashMismatch { seq });
        }
        match Event::from_canonical(&bytes) {
            Err(e) => problems.push(Problem::Unreadable {
                seq,
                detail: e.to_string(),
            }),
            Ok(event) => {
                if event.prev != prev_hash {
                    problems.push(Problem::ChainBroken { seq });
                }
                if event.seq != seq || event.body.kind() != kind {
                    problems.push(Problem::Mislabelled { seq });
                }
                let replay = rebuilt.conn().execute("INSERT INTO events (seq, kind, at, canonical, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
                    rusqlite::params![seq, kind, event.at, bytes, actual_hash])
                    .map_err(StoreError::from)
                    .and_then(|_| project::apply(rebuilt.conn(), &event, &actual_hash));
                if let Err(e) = replay {
                    problems.push(Problem::Replay {
                        seq,
                        detail: e.to_string(),
                    });
                }
            }
        }
        prev_hash = stored_hash.clone();
        head = Some(stored_hash);
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
    }
    drop(rows);

    if problems.len() < MAX_PROBLEMS {
        for (table, key) in DERIVED_TABLES {
            if let Some(p) = compare_table(conn, rebuilt.conn(), table, key)? {
                problems.push(p);
            }
        }
    }
    // Read-only: ending it is the same whichever way.
    drop(snapshot);
    Ok(Report {
        events: count,
        head,
        problems,
    })
}

fn dump(
    conn: &Connection,
    table: &str,
    key: &str,
) -> Result<(Vec<String>, Vec<Vec<Value>>), StoreError> {
    // Table and key names come from DERIVED_TABLES, never from input.
    let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY {key}"))?;
    let cols: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let n = cols.len();
    let rows = stmt
        .query_map([], |r| {
            (0..n)
                .map(|i| r.get::<_, Value>(i))
                .collect::<Result<Vec<_>, _>>()
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((cols, rows))
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(t) => t.clone(),
        Value::Blob(_) => "<blob>".into(),
    }
}

/// The first row where the live table and the rebuilt one disagree.
fn compare_table(
    live: &Connection,
    rebuilt: &Connection,
    table: &str,
    key: &str,
) -> Result<Option<Problem>, StoreError> {
    let (cols, a) = dump(live, table, key)?;
    let (_, b) = dump(rebuilt, table, key)?;
    let seq_col = cols.iter().position(|c| c == "seq");
    let seq_of = |row: &Vec<Value>| match seq_col.and_then(|i| row.get(i)) {
        Some(Value::Integer(s)) => u64::try_from(*s).ok(),
        _ => None,
    };
    let max = a.len().max(b.len());
    for i in 0..max {
        let (x, y) = (a.get(i), b.get(i));
        if x == y {
            continue;
        }
        // Name the row by its key and the event that made it; prefer the
        // rebuilt (trustworthy) side's event number.
        let row = y.or(x).cloned().unwrap_or_default();
        let key_text = row.first().map(describe).unwrap_or_default();
        let seq = y.and_then(seq_of).or_else(|| x.and_then(seq_of));
        return Ok(Some(Problem::Derived {
            table: table.to_string(),
            key: key_text,
            seq,
        }));
    }
    Ok(None)
}
