//! Power cut mid-payment: a child `dastak pay` is killed with SIGKILL at
//! random moments, 200 times. Every receipt number a child reported must be
//! in the database, the numbers must be contiguous, and `verify` must pass.

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use support::*;

#[test]
fn kill_nine_during_pay_loses_no_reported_receipt_and_leaves_no_gap() {
    let k = Kiosk::ready();
    let id = k.fund_member();
    let args = [
        "pay",
        "--operator",
        "VOL1",
        "--member",
        id.as_str(),
        "--scheme",
        "FUND",
        "--amount",
        "100",
        "--json",
    ];

    // How long one uninterrupted payment takes here, so kills land across
    // the whole of it: start-up, PIN check, the transaction, the output.
    let mut full = Duration::ZERO;
    for _ in 0..3 {
        let t = Instant::now();
        k.run(Some(VOL_PIN), &args).ok();
        full = full.max(t.elapsed());
    }
    let mut rng = Lcg::from_clock();
    eprintln!("kill9 seed {}, full payment {full:?}", rng.0);
    let span = (full.as_micros() as u64 * 6 / 5).max(1);

    let mut reported = vec![
        "RMP01/2026-27/000001".to_string(),
        "RMP01/2026-27/000002".to_string(),
        "RMP01/2026-27/000003".to_string(),
    ];
    let (mut killed, mut finished) = (0, 0);
    for _ in 0..200 {
        let mut child = k
            .command(&args)
            .env("DASTAK_PIN", VOL_PIN)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_micros(rng.next() % span));
        match child.try_wait().expect("try_wait") {
            Some(_) => finished += 1,
            None => {
                child.kill().expect("SIGKILL");
                killed += 1;
            }
        }
        let out = child.wait_with_output().expect("wait");
        let text = String::from_utf8_lossy(&out.stdout);
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
            && let Some(r) = v["receipt"].as_str()
        {
            reported.push(r.to_string());
        }
    }
    eprintln!(
        "killed {killed}, finished before the kill {finished}, receipts reported {}",
        reported.len()
    );
    assert!(
        killed > 50,
        "too few rounds were actually interrupted ({killed}); the test would prove little"
    );

    let conn = k.db();
    let mut stmt = conn
        .prepare("SELECT receipt_no, n FROM receipts ORDER BY n")
        .expect("prepare");
    let rows: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    for r in &reported {
        assert!(
            rows.iter().any(|(no, _)| no == r),
            "reported receipt {r} is not in the database"
        );
    }
    for (i, (_, n)) in rows.iter().enumerate() {
        assert_eq!(*n, i as i64 + 1, "receipt numbers have a gap before {n}");
    }
    assert!(rows.len() >= reported.len());
    let contributions: i64 = conn
        .query_row("SELECT COUNT(*) FROM contributions", [], |r| r.get(0))
        .expect("count");
    assert_eq!(
        contributions as usize,
        rows.len(),
        "every receipt has its contribution and vice versa"
    );
    k.run(None, &["verify"]).ok();
}
