//! Bench: one durable contribution commit against a bare one-row INSERT.
//!
//! Ours: `Books::pay` end to end — the clock check, member/scheme/enrolment
//! reads, dues, the next receipt number, the event with its hash chain, the
//! derived rows, and a `synchronous=FULL` WAL commit.
//! Baseline: `BEGIN IMMEDIATE; INSERT one row; COMMIT` on a table with one
//! integer key and one blob, same pragmas, same disk.
//! The two are interleaved round by round so that a noisy neighbour hurts
//! both alike; medians are compared. Target: ratio ≤ 1.5.

use std::time::{Duration, Instant};

#[path = "support/kiosk.rs"]
mod kiosk;

use jiff::{Timestamp, ToSpan};
use rusqlite::Connection;

const ROUNDS: usize = 400;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn pct(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p) as usize]
}

fn main() {
    // Cargo passes `--bench`; nothing else to parse.
    let tmp = tempfile::tempdir_in(
        std::env::var_os("DASTAK_BENCH_DIR").unwrap_or_else(|| std::env::temp_dir().into()),
    )
    .expect("tempdir");
    let t0: Timestamp = "2026-11-23T04:30:00Z".parse().expect("ts");
    let (mut books, admin) = kiosk::kiosk(tmp.path().join("kiosk"), "BENCH1", t0);
    let id = kiosk::fund_member(&mut books, &admin, "सुनीता देवी", "रामलाल", t0);

    let base_path = tmp.path().join("baseline.db");
    let base = Connection::open(&base_path).expect("open baseline");
    let mode: String = base
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .expect("wal");
    assert_eq!(mode, "wal");
    base.pragma_update(None, "synchronous", "FULL")
        .expect("sync");
    base.pragma_update(None, "foreign_keys", "ON").expect("fk");
    base.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)")
        .expect("create");
    let payload = vec![7u8; 400]; // about the size of a contribution event

    let (mut ours, mut baseline) = (Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS));
    for i in 0..ROUNDS + 20 {
        let now = t0.checked_add((i as i64 + 1).seconds()).expect("t");
        let a = Instant::now();
        books
            .pay(&admin, &id, "FUND", Some("100"), None, now)
            .expect("pay");
        let ours_t = a.elapsed();
        let b = Instant::now();
        base.execute_batch("BEGIN IMMEDIATE").expect("begin");
        base.execute("INSERT INTO t (v) VALUES (?1)", [&payload])
            .expect("insert");
        base.execute_batch("COMMIT").expect("commit");
        let base_t = b.elapsed();
        if i >= 20 {
            // The first rounds warm caches and the WAL file.
            ours.push(ours_t);
            baseline.push(base_t);
        }
    }
    let (o50, b50) = (median(ours.clone()), median(baseline.clone()));
    let (o99, b99) = (pct(ours, 0.99), pct(baseline, 0.99));
    let ratio = o50.as_secs_f64() / b50.as_secs_f64();
    println!(
        "durable commit of one contribution, {ROUNDS} rounds, SQLite {}",
        rusqlite::version()
    );
    println!(
        "  ours     (Books::pay)            p50 {:>9.1} µs   p99 {:>9.1} µs",
        o50.as_secs_f64() * 1e6,
        o99.as_secs_f64() * 1e6
    );
    println!(
        "  baseline (one-row INSERT commit) p50 {:>9.1} µs   p99 {:>9.1} µs",
        b50.as_secs_f64() * 1e6,
        b99.as_secs_f64() * 1e6
    );
    println!(
        "  ratio ours/baseline (p50): {ratio:.2}x   target <= 1.50x   {}",
        if ratio <= 1.5 { "MET" } else { "NOT MET" }
    );
}
