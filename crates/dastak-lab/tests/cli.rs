//! The `dastak-lab` binary by itself: a lab directory made once, its
//! identity for kiosks, and bad input refused in the clerk's language.

use std::process::Command;

fn lab(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dastak-lab"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("DASTAK_LANG")
        .env_remove("DASTAK_NOW")
        .output()
        .expect("run dastak-lab")
}

#[test]
fn a_lab_is_made_once_and_tells_kiosks_its_two_keys() {
    let d = tempfile::tempdir().expect("dir");
    let made = lab(d.path(), &["--lang", "en", "init"]);
    assert!(made.status.success(), "{made:?}");
    let out = String::from_utf8(made.stdout).expect("utf-8");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[1].starts_with("age1"), "{out}");
    assert_eq!(lines[2].len(), 64, "{out}");

    let id = lab(d.path(), &["identity", "--json"]);
    assert!(id.status.success(), "{id:?}");
    let v: serde_json::Value = serde_json::from_slice(&id.stdout).expect("json");
    assert_eq!(v["recipient"], lines[1]);
    assert_eq!(v["ack_key"], lines[2]);

    let again = lab(d.path(), &["--lang", "en", "init"]);
    assert_eq!(again.status.code(), Some(1));
    let err = String::from_utf8(again.stderr).expect("utf-8");
    assert!(err.contains("is already a lab directory"), "{err}");
}

#[test]
fn a_directory_that_is_not_a_lab_is_named_in_hindi_by_default() {
    let d = tempfile::tempdir().expect("dir");
    let r = lab(d.path(), &["status"]);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8(r.stderr).expect("utf-8");
    assert!(err.contains(&d.path().display().to_string()), "{err}");
    assert!(
        err.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c)),
        "{err}"
    );
    assert!(!d.path().join("district-lab.db").exists(), "nothing made");
}

#[test]
fn an_unknown_language_is_refused_before_anything_is_made() {
    let d = tempfile::tempdir().expect("dir");
    let r = lab(d.path(), &["--lang", "fr", "init"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(!d.path().join("district-lab.identity").exists());
}

/// Synthetic kiosks' ledgers pass the lab's checks (signature, chain) and
/// are held once; the same seed makes the same ledgers, another seed other
/// ones; bad numbers are refused before anything is made.
#[test]
fn simulated_kiosks_are_verified_held_once_and_the_same_for_a_seed() {
    let made = |seed: &str| {
        let d = tempfile::tempdir().expect("dir");
        assert!(lab(d.path(), &["init"]).status.success());
        let sim = lab(
            d.path(),
            &[
                "--lang", "en", "simulate", "--kiosks", "3", "--days", "10", "--seed", seed,
            ],
        );
        assert!(sim.status.success(), "{sim:?}");
        let said = String::from_utf8(sim.stdout).expect("utf-8");
        assert!(said.contains("3 synthetic kiosk(s)"), "{said}");
        assert!(said.contains("0 already held"), "{said}");
        d
    };
    let a = made("7");
    let status = lab(a.path(), &["status", "--json"]);
    assert!(status.status.success(), "{status:?}");
    let v: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    let kiosks = v.as_array().expect("kiosks");
    assert_eq!(kiosks.len(), 3);
    for k in kiosks {
        assert!(k["through"].as_u64() > Some(100), "{k}");
        assert_eq!(k["through"], k["last_seq"], "{k}");
        assert_eq!(k["quarantined"], 0, "{k}");
    }
    // Again: everything already held, nothing new.
    let again = lab(
        a.path(),
        &[
            "--lang", "en", "simulate", "--kiosks", "3", "--days", "10", "--seed", "7",
        ],
    );
    let said = String::from_utf8(again.stdout).expect("utf-8");
    assert!(said.contains(" 0 new event(s)"), "{said}");
    let report = |d: &tempfile::TempDir| lab(d.path(), &["report", "--json"]).stdout;
    assert_eq!(report(&a), report(&made("7")));
    assert_ne!(report(&a), report(&made("8")));
    // Garbage in the numbers: refused by the command line, nothing added.
    for bad in ["-1", "many", "99999999999"] {
        let r = lab(a.path(), &["simulate", "--kiosks", bad]);
        assert_eq!(r.status.code(), Some(2), "{bad}: {r:?}");
    }
    assert_eq!(report(&a), report(&made("7")));
}

/// Regression: `dastak-lab report | head -1` panicked ("failed printing
/// to stdout") when head went away. A reader that is gone ends the lab's
/// output quietly, with success.
#[test]
fn a_reader_that_went_away_ends_the_output_without_a_panic() {
    let d = tempfile::tempdir().expect("dir");
    assert!(lab(d.path(), &["init"]).status.success());
    let sim = lab(d.path(), &["simulate", "--kiosks", "2", "--days", "40"]);
    assert!(sim.status.success(), "{sim:?}");
    for args in [
        &["report"][..],
        &["report", "--json"],
        &["status"],
        &["report", "--csv"],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let r = Command::new(env!("CARGO_BIN_EXE_dastak-lab"))
            .arg("--data-dir")
            .arg(d.path())
            .args(args)
            .stdout(writer)
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(r.status.code(), Some(0), "{args:?}: {err}");
    }
    // Output that could not be written for another reason (a full disk,
    // here /dev/full) is not success: status 1, and why.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let r = Command::new(env!("CARGO_BIN_EXE_dastak-lab"))
        .arg("--data-dir")
        .arg(d.path())
        .args(["--lang", "en", "report", "--csv"])
        .stdout(full)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{err}");
    assert!(err.contains("could not use stdout"), "{err}");
}

/// The daily rollup, kept by ingest, adds up to the monthly report that is
/// counted from the events themselves, and counts every enrolment, under
/// the village the member registered in.
#[test]
fn the_daily_rollup_adds_up_to_the_report_and_counts_every_enrolment() {
    let d = tempfile::tempdir().expect("dir");
    assert!(lab(d.path(), &["init"]).status.success());
    let sim = lab(
        d.path(),
        &[
            "simulate",
            "--kiosks",
            "3",
            "--days",
            "40",
            "--members",
            "25",
        ],
    );
    assert!(sim.status.success(), "{sim:?}");
    let json = |args: &[&str]| -> serde_json::Value {
        let r = lab(d.path(), args);
        assert!(r.status.success(), "{r:?}");
        serde_json::from_slice(&r.stdout).expect("json")
    };
    let daily = json(&["report", "--daily", "--json"]);
    let monthly = json(&["report", "--json"]);
    for kiosk in ["SIM00001", "SIM00002", "SIM00003"] {
        let days: Vec<&serde_json::Value> = daily
            .as_array()
            .expect("rows")
            .iter()
            .filter(|r| r["kiosk"] == kiosk)
            .collect();
        let sum = |k: &str| days.iter().map(|r| r[k].as_i64().expect(k)).sum::<i64>();
        let months: Vec<&serde_json::Value> = monthly
            .as_array()
            .expect("rows")
            .iter()
            .filter(|r| r["kiosk"] == kiosk)
            .collect();
        let msum = |k: &str| months.iter().map(|r| r[k].as_i64().expect(k)).sum::<i64>();
        assert!(sum("receipts") > 0, "{kiosk}");
        assert_eq!(sum("receipts"), msum("receipts"), "{kiosk}");
        assert_eq!(sum("reversals"), msum("reversals"), "{kiosk}");
        assert_eq!(sum("amount") - sum("reversed"), msum("total"), "{kiosk}");
        // Every `enrolled` event of the kiosk's ledger (the simulator makes
        // the same ledgers from the same plan: 25 in the fund, and the
        // women it puts in the SHG).
        let plan = dastak_lab::simulate::Plan {
            kiosks: 3,
            days: 40,
            members: 25,
            per_day: 20,
            seed: 1,
            ..dastak_lab::simulate::Plan::default()
        };
        let index = kiosk[3..].parse::<u32>().expect("number") - 1;
        let enrolled = dastak_lab::simulate::kiosk(&plan, index)
            .events
            .iter()
            .filter(|e| e.contains("\"type\":\"enrolled\""))
            .count();
        assert!(enrolled > 25, "{kiosk}: the fund's and the SHG's");
        assert_eq!(sum("enrolments"), enrolled as i64, "{kiosk}");
        assert!(
            days.iter().all(|r| r["village"] != ""),
            "every receipt under a known village"
        );
    }
}

/// A lab being brought up to the daily rollup (0004) that holds an event
/// whose bytes do not read as an event refuses to open, naming the kiosk
/// and the event, and is left as it was: no half-made rollup, the same
/// schema step, the next open tries again.
#[test]
fn a_held_event_that_does_not_parse_stops_the_migration_and_changes_nothing() {
    let d = tempfile::tempdir().expect("dir");
    assert!(lab(d.path(), &["init"]).status.success());
    let sim = lab(d.path(), &["simulate", "--kiosks", "1", "--days", "3"]);
    assert!(sim.status.success(), "{sim:?}");
    let db = d.path().join("district-lab.db");
    let damaged_seq: u64 = {
        let conn = rusqlite::Connection::open(&db).expect("db");
        conn.execute_batch(
            "DROP TABLE claim_log; DROP INDEX events_fund;
             DROP TABLE lab_households; DROP INDEX lab_members_by_card;
             ALTER TABLE lab_members DROP COLUMN ration_card; ALTER TABLE events DROP COLUMN ration_card;
             DROP TABLE lab_enrolments; DROP TABLE lab_schemes;
             ALTER TABLE lab_members DROP COLUMN name; ALTER TABLE events DROP COLUMN frequency;
             ALTER TABLE events DROP COLUMN periods; ALTER TABLE events DROP COLUMN on_date;
             ALTER TABLE events DROP COLUMN member_name;
             DROP TABLE operator_daily; DROP TABLE aadhaar_seen; DROP TABLE monthly;
             DROP INDEX events_closes;
             ALTER TABLE events DROP COLUMN operator; ALTER TABLE events DROP COLUMN aadhaar_last4;
             ALTER TABLE events DROP COLUMN aadhaar_hash; ALTER TABLE kiosk_heads DROP COLUMN through_at;
             DROP TABLE daily; DROP TABLE lab_members; ALTER TABLE events DROP COLUMN village;
             DROP TABLE audit; DROP TABLE sessions; DROP TABLE officers;
             PRAGMA user_version = 3;",
        )
        .expect("back to step 3");
        let seq = conn
            .query_row(
                "SELECT MIN(seq) FROM events WHERE kind = 'member_registered'",
                [],
                |r| r.get(0),
            )
            .expect("a registration");
        conn.execute(
            "UPDATE events SET canonical = CAST('{\"not\":\"an event\"}' AS BLOB) WHERE seq = ?1",
            [seq],
        )
        .expect("damage");
        seq
    };
    for _ in 0..2 {
        let r = lab(d.path(), &["--lang", "en", "status"]);
        assert_eq!(r.status.code(), Some(1), "{r:?}");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains("lab database"), "{err}");
        assert!(
            err.contains(&format!("SIM00001 event {damaged_seq}")),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        let conn = rusqlite::Connection::open(&db).expect("db");
        let step: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(step, 3);
        let rollup: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('daily', 'lab_members')",
                [],
                |r| r.get(0),
            )
            .expect("tables");
        assert_eq!(rollup, 0);
    }
}

/// `dastak-lab demo` shows the fund paying out: one claim paid and closed,
/// one whose notice is up and whose objections are still heard, their
/// steps in a signed log; a second demo adds nothing and conflicts with
/// nothing.
#[test]
fn the_demo_has_a_claim_paid_and_one_in_its_objection_window() {
    let d = tempfile::tempdir().expect("dir");
    let demo = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dastak-lab"))
            .arg("--data-dir")
            .arg(d.path())
            .args(["--lang", "en", "demo", "--kiosks", "2", "--days", "10"])
            .env("DASTAK_LAB_PASSWORD", "a demo password")
            .env_remove("DASTAK_NOW")
            .output()
            .expect("spawn");
        assert!(out.status.success(), "{out:?}");
    };
    demo();
    let list = lab(d.path(), &["--lang", "en", "claims", "list", "--json"]);
    assert!(list.status.success(), "{list:?}");
    let claims: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    let states: Vec<&str> = claims
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["state"].as_str().expect("state"))
        .collect();
    assert_eq!(states, ["paid", "published"]);
    let today = dastak_core::domain::time::local_date(jiff::Timestamp::now());
    let open = lab(d.path(), &["claims", "show", "DMO00001-C0002", "--json"]);
    let open: serde_json::Value = serde_json::from_slice(&open.stdout).expect("json");
    let until: jiff::civil::Date = open["steps"][1]["until"]
        .as_str()
        .expect("until")
        .parse()
        .expect("a date");
    assert!(until >= today, "objections still heard: until {until}");
    demo();
    let check = lab(d.path(), &["--lang", "en", "claims", "check"]);
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("6 entries"),
        "{check:?}"
    );
    let status = lab(d.path(), &["status", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    assert!(
        status
            .as_array()
            .expect("kiosks")
            .iter()
            .all(|k| k["quarantined"] == 0),
        "{status}"
    );
}
