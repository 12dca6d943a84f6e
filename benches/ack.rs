//! Bench: the time the lab takes to acknowledge a kiosk, at a short history
//! and a long one (issue 13: an acknowledgement must not grow with a
//! kiosk's history).
//!
//! Two labs, one kiosk each: 1,000 events held, and 1,000,000. The events
//! are stored through the lab's own ingest (`LabStore::ingest_all`, 250 to
//! a batch as kiosks send them), skipping only what makes them genuine
//! (encryption and signatures, which an acknowledgement never looks at).
//! Then `Lab::ack` (read the kiosk's head, sign the answer) is timed, 500
//! times each, alternating between the two labs; the medians and their
//! ratio are printed. Target: ratio ≤ 1.5. Beside them, for the record,
//! the scan an acknowledgement made before the head was kept (0003).

use std::time::{Duration, Instant};

use dastak_lab::Lab;
use dastak_lab::store::{Facts, LabStore, Row, SqliteLab};
use jiff::Timestamp;

const KIOSK: &str = "BENCH01";
const REPS: usize = 500;

/// A lab directory with one kiosk holding `events` events.
fn lab_with(dir: &std::path::Path, events: u64, now: Timestamp) -> Lab {
    let mut lab = Lab::init(dir).expect("lab");
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    lab.add_kiosk(KIOSK, &hex::encode(key.verifying_key().to_bytes()), now)
        .expect("kiosk");
    drop(lab);
    let mut store = SqliteLab::open(&dir.join(dastak_lab::DB_FILE)).expect("store");
    let hash = |seq: u64| format!("{seq:064x}");
    let mut batches = (0..events.div_ceil(250)).map(|b| {
        let rows = (b * 250 + 1..=((b + 1) * 250).min(events))
            .map(|seq| Row {
                seq,
                hash: hash(seq),
                prev: hash(seq - 1),
                kind: "contribution_taken",
                at: "2026-11-23T10:00:00+05:30".into(),
                canonical: format!("{{\"seq\":{seq}}}"),
                facts: Facts::None,
                operator: String::new(),
            })
            .collect();
        (KIOSK.to_string(), rows)
    });
    // A stick's worth (40 batches) to a commit, as `dastak-lab import`.
    loop {
        let mut chunk = batches.by_ref().take(40).peekable();
        if chunk.peek().is_none() {
            break;
        }
        store
            .ingest_all(&mut chunk, "2026-11-23T10:00:00+05:30")
            .expect("ingest");
    }
    drop(store);
    Lab::open(dir).expect("open")
}

/// The scan `head` made before 0003, for comparison.
fn old_scan(dir: &std::path::Path) -> Duration {
    let conn = rusqlite::Connection::open(dir.join(dastak_lab::DB_FILE)).expect("db");
    let a = Instant::now();
    let through: u64 = conn
        .query_row(
            "SELECT COALESCE(MIN(e.seq), 0) FROM (SELECT 0 AS seq UNION ALL SELECT seq FROM events WHERE kiosk = ?1) e
             WHERE NOT EXISTS (SELECT 1 FROM events n WHERE n.kiosk = ?1 AND n.seq = e.seq + 1)",
            [KIOSK],
            |r| r.get(0),
        )
        .expect("scan");
    let t = a.elapsed();
    assert!(through > 0);
    t
}

fn main() {
    let now: Timestamp = "2026-11-23T04:30:00Z".parse().expect("ts");
    let tmp = tempfile::tempdir().expect("tmp");
    let (small_dir, big_dir) = (tmp.path().join("small"), tmp.path().join("big"));
    let built = Instant::now();
    let small = lab_with(&small_dir, 1_000, now);
    let big = lab_with(&big_dir, 1_000_000, now);
    println!(
        "two labs, 1,000 and 1,000,000 events of one kiosk, stored in {:.1} s",
        built.elapsed().as_secs_f64()
    );
    let (mut small_t, mut big_t) = (Vec::with_capacity(REPS), Vec::with_capacity(REPS));
    for _ in 0..REPS {
        for (lab, times) in [(&small, &mut small_t), (&big, &mut big_t)] {
            let a = Instant::now();
            let ack = lab.ack(KIOSK, now).expect("ack");
            times.push(a.elapsed());
            assert!(!ack.is_empty());
        }
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (s, b) = (median(small_t), median(big_t));
    let ratio = b.as_secs_f64() / s.as_secs_f64();
    println!(
        "  ack     1,000 events {:>8.1} µs   1,000,000 events {:>8.1} µs   (medians of {REPS})",
        s.as_secs_f64() * 1e6,
        b.as_secs_f64() * 1e6
    );
    println!(
        "  ratio 1,000,000/1,000 {ratio:.2}   target <= 1.50   {}",
        if ratio <= 1.5 { "MET" } else { "NOT MET" }
    );
    let (scan_s, scan_b) = (old_scan(&small_dir), old_scan(&big_dir));
    println!(
        "  (the scan an ack made before the kept head: {:.1} ms at 1,000, {:.1} ms at 1,000,000)",
        scan_s.as_secs_f64() * 1e3,
        scan_b.as_secs_f64() * 1e3
    );
}
