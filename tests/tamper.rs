//! Editing the database behind the application's back is caught by
//! `dastak verify`, which names the first bad event.

mod support;

use rusqlite::params;
use support::*;

/// A kiosk with a few payments; returns it and the seq of the first payment.
fn kiosk_with_payments() -> (Kiosk, i64) {
    let k = Kiosk::ready();
    let id = k.fund_member();
    for _ in 0..3 {
        k.vol(
            "pay",
            &["--member", &id, "--scheme", "FUND", "--amount", "100"],
        )
        .ok();
    }
    k.run(None, &["verify"]).ok();
    let seq = k.count("SELECT MIN(seq) FROM events WHERE kind = 'contribution_taken'");
    (k, seq)
}

fn verify_fails_naming(k: &Kiosk, needle: &str) {
    let r = k.run(None, &["verify"]);
    r.failed();
    assert_eq!(r.status, 3);
    assert!(
        r.stderr.contains(needle),
        "expected {needle:?} in:\n{}",
        r.stderr
    );
}

#[test]
fn the_ledger_refuses_update_and_delete() {
    let (k, seq) = kiosk_with_payments();
    let db = k.db();
    let upd = db.execute("UPDATE events SET at = 'x' WHERE seq = ?1", [seq]);
    assert!(upd.is_err_and(|e| e.to_string().contains("append-only")));
    let del = db.execute("DELETE FROM events WHERE seq = ?1", [seq]);
    assert!(del.is_err_and(|e| e.to_string().contains("append-only")));
}

/// Rewrites the ₹100 of event `seq` to ₹10 with plain SQL after dropping
/// the trigger; with `rehash`, also stores the new bytes' hash.
fn tamper_amount(k: &Kiosk, seq: i64, rehash: bool) {
    let db = k.db();
    let bytes: Vec<u8> = db
        .query_row("SELECT canonical FROM events WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .expect("row");
    let text = String::from_utf8(bytes)
        .expect("utf8")
        .replace("\"amount\":10000", "\"amount\":1000");
    db.execute_batch("DROP TRIGGER events_append_only_update")
        .expect("drop trigger");
    db.execute(
        "UPDATE events SET canonical = ?1 WHERE seq = ?2",
        params![text.as_bytes(), seq],
    )
    .expect("tamper");
    if rehash {
        let hash = dastak::domain::event::hash_hex(text.as_bytes());
        db.execute(
            "UPDATE events SET hash = ?1 WHERE seq = ?2",
            params![hash, seq],
        )
        .expect("rehash");
    }
}

#[test]
fn changed_amount_in_an_event_is_named() {
    let (k, seq) = kiosk_with_payments();
    tamper_amount(&k, seq, false);
    verify_fails_naming(&k, &format!("event {seq} was changed"));
    verify_fails_naming(&k, &format!("first at event {seq}"));
}

#[test]
fn changed_amount_with_recomputed_hash_breaks_the_chain_at_the_next_event() {
    let (k, seq) = kiosk_with_payments();
    tamper_amount(&k, seq, true);
    verify_fails_naming(&k, &format!("event {} does not follow", seq + 1));
    // The derived row still says ₹100: the rebuild disagrees at this event.
    verify_fails_naming(
        &k,
        &format!(
            "table contributions differs from the ledger at RMP01/2026-27/000001 (event {seq})"
        ),
    );
}

#[test]
fn changed_derived_row_is_named() {
    let (k, seq) = kiosk_with_payments();
    k.db()
        .execute("UPDATE contributions SET amount = 5 WHERE seq = ?1", [seq])
        .expect("tamper");
    verify_fails_naming(&k, &format!("(event {seq})"));
}

#[test]
fn deleted_event_is_named() {
    let (k, seq) = kiosk_with_payments();
    let db = k.db();
    db.execute_batch("DROP TRIGGER events_append_only_delete")
        .expect("drop trigger");
    db.execute("DELETE FROM events WHERE seq = ?1", [seq + 1])
        .expect("delete");
    drop(db);
    verify_fails_naming(&k, &format!("event {} is missing", seq + 1));
}

#[test]
fn verify_json_reports_problems_for_scripts() {
    let (k, seq) = kiosk_with_payments();
    k.db()
        .execute(
            "UPDATE contributions SET operator = 'ADMIN' WHERE seq = ?1",
            [seq],
        )
        .expect("tamper");
    let r = k.run(None, &["verify", "--json"]);
    assert_eq!(r.status, 3);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["problems"][0]["problem"], "derived");
    assert_eq!(v["problems"][0]["seq"], seq);
}
