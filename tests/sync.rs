//! Batches to the district lab, as a fault matrix: whatever happens on the
//! way — a stick pulled or damaged, a byte flipped, a forged or replayed
//! batch, a lab killed mid-upload or restored from an old backup, a
//! response lost after the lab committed, 200 kiosks at once — the lab ends
//! up with exactly the kiosk's events, once. Real binaries, real SQLite
//! files, a real HTTP server on 127.0.0.1.

mod support;

use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use dastak_lab::Lab;
use support::*;

/// A kiosk with a member, `payments` contributions and a day close.
fn busy_kiosk(payments: usize) -> Kiosk {
    let k = Kiosk::ready();
    let id = k.fund_member();
    for _ in 0..payments {
        k.pay(&id);
    }
    k.vol(
        "day-close",
        &["--notes", &format!("100={payments}"), "--coins", "0"],
    )
    .ok();
    k
}

/// A kiosk with several batches' worth of events: the demo panchayat.
fn demo_kiosk() -> Kiosk {
    let k = Kiosk::empty();
    k.run(None, &["demo", "--households", "40"]).ok();
    k
}

/// The demo's admin has PIN 1234 too, but say so where it matters.
fn demo_link(k: &Kiosk, l: &Kiosk, url: Option<&str>) {
    link_as(k, l, url, "1234");
}

/// A lab that has registered kiosk `k` and that `k` is linked to (by
/// typed keys, no address), the demo's admin PIN when `demo`.
fn linked_lab(k: &Kiosk, demo: bool) -> Kiosk {
    let l = lab();
    register(&l, k);
    if demo {
        demo_link(k, &l, None);
    } else {
        link(k, &l, None);
    }
    l
}

/// A new lab that knows `k`, serving on loopback, and `k` linked to it.
fn served_lab(k: &Kiosk) -> (Kiosk, LabServer) {
    let l = lab();
    register(&l, k);
    let server = LabServer::start(l.dir());
    link(k, &l, Some(&server.url));
    (l, server)
}

/// `k`'s batches carried to lab `l` on a stick, and imported.
fn by_stick(k: &Kiosk, l: &Kiosk) {
    let stick = tempfile::tempdir().expect("stick");
    let s = stick.path().to_str().expect("utf8");
    k.run(None, &["export", "--to", s]).ok();
    l.run(None, &["lab", "import", s]).ok();
}

fn kiosk_events(k: &Kiosk) -> Vec<(i64, String)> {
    let conn = k.db();
    let mut stmt = conn
        .prepare("SELECT seq, hash FROM events ORDER BY seq")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// The lab's copy of one kiosk's events, in order.
fn lab_events(l: &Kiosk, kiosk: &str) -> Vec<(i64, String)> {
    let conn = rusqlite::Connection::open(l.dir().join(dastak_lab::DB_FILE)).expect("lab db");
    let mut stmt = conn
        .prepare("SELECT seq, hash FROM events WHERE kiosk = ?1 ORDER BY seq")
        .expect("prepare");
    stmt.query_map([kiosk], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn acked(k: &Kiosk) -> i64 {
    k.count("SELECT acked_through FROM lab_link")
}

fn sync(k: &Kiosk) -> Run {
    let mut c = k.command(&["sync"]);
    c.env("DASTAK_RETRY_MS", "20");
    run_output(c.output().expect("spawn"))
}

#[test]
fn a_day_reaches_the_lab_by_usb_and_network_once_with_the_day_close_totals() {
    let k = busy_kiosk(4);
    let (l, _server) = served_lab(&k);
    let stick = tempfile::tempdir().expect("stick");
    let s = stick.path().to_str().expect("utf8");
    k.run(None, &["export", "--to", s]).ok();
    // The lab imports the stick (the server holds the database too: SQLite
    // serialises the two writers).
    l.run(None, &["lab", "import", s]).ok();
    assert_eq!(lab_events(&l, "RMP01"), kiosk_events(&k));
    // The same events by network: nothing changes, and the ack arrives.
    sync(&k).ok();
    assert_eq!(lab_events(&l, "RMP01"), kiosk_events(&k));
    assert_eq!(acked(&k), kiosk_events(&k).len() as i64);
    // The lab's report shows the day close's cash.
    let counted = k.count("SELECT counted FROM day_closes ORDER BY seq DESC LIMIT 1");
    let r = l.run(None, &["lab", "report", "--json"]);
    r.ok();
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let total: i64 = rows
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["total"].as_i64().expect("total"))
        .sum();
    assert_eq!(total, counted);
    assert_eq!(counted, 40_000);
    // And the next export reads the lab's acknowledgement off the stick.
    let e = k.run(None, &["export", "--to", s, "--json"]);
    e.ok();
    let v: serde_json::Value = serde_json::from_str(&e.stdout).expect("json");
    assert_eq!(v["batches"], 0);
    l.run(None, &["lab", "status"]).ok();
}

#[test]
fn a_stick_imported_twice_and_a_replayed_batch_change_nothing() {
    let k = demo_kiosk();
    let l = linked_lab(&k, true);
    let stick = tempfile::tempdir().expect("stick");
    let s = stick.path().to_str().expect("utf8");
    k.run(None, &["export", "--to", s]).ok();
    let old: Vec<_> = std::fs::read_dir(stick.path().join("dastak"))
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".batch"))
        .map(|e| (e.file_name(), std::fs::read(e.path()).expect("read")))
        .collect();
    assert_eq!(old.len(), 3, "507 events make 3 batches of at most 250");
    l.run(None, &["lab", "import", s]).ok();
    let once = lab_events(&l, "DEMO01");
    assert_eq!(once, kiosk_events(&k));
    let r = l.run(None, &["lab", "import", s]);
    r.ok();
    assert!(r.stdout.contains("0 new event"), "{}", r.stdout);
    // A replay: an old batch copied back onto a stick later.
    let replay = tempfile::tempdir().expect("replay");
    std::fs::create_dir_all(replay.path().join("dastak")).expect("mkdir");
    std::fs::write(replay.path().join("dastak").join(&old[0].0), &old[0].1).expect("copy");
    l.run(
        None,
        &["lab", "import", replay.path().to_str().expect("utf8")],
    )
    .ok();
    assert_eq!(lab_events(&l, "DEMO01"), once);
}

#[test]
fn a_truncated_a_flipped_and_an_out_of_order_batch_leave_the_rest_imported_and_the_gap_reported() {
    let k = demo_kiosk();
    let l = linked_lab(&k, true);
    let stick = tempfile::tempdir().expect("stick");
    let s = stick.path().to_str().expect("utf8");
    k.run(None, &["export", "--to", s]).ok();
    let folder = stick.path().join("dastak");
    let second = folder.join("DEMO01-000000251-000000500.batch");
    let bytes = std::fs::read(&second).expect("read");
    // Pulled mid-copy: the file is cut short.
    std::fs::write(&second, &bytes[..bytes.len() / 2]).expect("truncate");
    // And one flipped byte in the first.
    let first = folder.join("DEMO01-000000001-000000250.batch");
    let mut b1 = std::fs::read(&first).expect("read");
    let mid = b1.len() / 2;
    b1[mid] ^= 0x01;
    std::fs::write(&first, &b1).expect("flip");
    let r = l.run(None, &["lab", "import", s]);
    r.failed_saying("damaged");
    let last = k.count("SELECT MAX(seq) FROM events");
    assert!(last > 500, "three batches: {last}");
    // The third batch arrived after a gap: kept, and the gap reported.
    let st = l.run(None, &["lab", "status", "--json"]);
    st.ok();
    let v: serde_json::Value = serde_json::from_str(&st.stdout).expect("json");
    assert_eq!(v[0]["through"], 0);
    assert_eq!(v[0]["last_seq"], last);
    assert_eq!(v[0]["gaps"][0], serde_json::json!([1, 500]));
    // The kiosk marked nothing; the next export writes them again whole.
    assert_eq!(acked(&k), 0);
    k.run(None, &["export", "--to", s]).ok();
    l.run(None, &["lab", "import", s]).ok();
    assert_eq!(lab_events(&l, "DEMO01"), kiosk_events(&k));
    let st = l.run(None, &["lab", "status", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&st.stdout).expect("json");
    assert_eq!(v[0]["gaps"], serde_json::json!([]));
    k.run(None, &["export", "--to", s]).ok();
    assert_eq!(acked(&k), last);
}

#[test]
fn batches_from_an_unregistered_kiosk_or_signed_by_another_key_are_refused() {
    let a = busy_kiosk(1);
    let b = busy_kiosk(1);
    let l = lab();
    // B registered under A's code? No: B's code is RMP01 too; register A's
    // key for RMP01 and let B (another key) try to pass as it.
    register(&l, &a);
    link(&b, &l, None);
    let stick = tempfile::tempdir().expect("stick");
    let s = stick.path().to_str().expect("utf8");
    b.run(None, &["export", "--to", s]).ok();
    let r = l.run(None, &["lab", "import", s]);
    r.failed_saying("not signed by its key");
    assert!(lab_events(&l, "RMP01").is_empty());
    // A kiosk the lab never registered.
    let l2 = lab();
    link(&a, &l2, None);
    let stick2 = tempfile::tempdir().expect("stick");
    let s2 = stick2.path().to_str().expect("utf8");
    a.run(None, &["export", "--to", s2]).ok();
    let r = l2.run(None, &["lab", "import", s2]);
    r.failed_saying("not registered");
}

#[test]
fn different_content_under_a_held_sequence_number_is_quarantined_not_written_over() {
    let k = busy_kiosk(1);
    let l = linked_lab(&k, false);
    // A copy of the kiosk's data directory (same key) that goes on to
    // record something else under the same sequence numbers: a fork.
    let fork = Kiosk::empty();
    for f in ["dastak.db", "district.key", "kiosk.key"] {
        std::fs::copy(k.dir().join(f), fork.dir().join(f)).expect("copy");
    }
    let id = "RMP01-00001";
    k.pay(id);
    fork.vol(
        "pay",
        &["--member", id, "--scheme", "FUND", "--amount", "300"],
    )
    .ok();
    by_stick(&k, &l);
    let held = lab_events(&l, "RMP01");
    let stick2 = tempfile::tempdir().expect("stick");
    let s2 = stick2.path().to_str().expect("utf8");
    fork.run(None, &["export", "--to", s2]).ok();
    let r = l.run(None, &["lab", "import", s2]);
    r.ok();
    assert!(r.stdout.contains("1 quarantined"), "{}", r.stdout);
    assert_eq!(lab_events(&l, "RMP01"), held, "nothing written over");
    let st = l.run(None, &["lab", "status"]);
    st.failed();
    assert_eq!(st.status, 3);
    assert!(st.stderr.contains("ALARM"), "{}", st.stderr);
}

#[test]
fn an_exported_stick_shows_no_name_or_phone_in_clear() {
    let k = Kiosk::ready();
    let r = k.member_add(
        &[],
        &[
            "--name",
            "Kamla Saini",
            "--relative-name",
            "Gopal Saini",
            "--gender",
            "F",
            "--age",
            "34",
            "--ration-card",
            "RJ0002",
            "--phone",
            "9876543210",
            "--scheme",
            "FUND",
            "--nominee-name",
            "Gopal Saini",
            "--nominee-relation",
            "husband",
        ],
    );
    r.ok();
    let l = linked_lab(&k, false);
    let stick = tempfile::tempdir().expect("stick");
    k.run(
        None,
        &["export", "--to", stick.path().to_str().expect("utf8")],
    )
    .ok();
    let mut scanned = 0;
    for e in std::fs::read_dir(stick.path().join("dastak"))
        .expect("dir")
        .flatten()
    {
        let bytes = std::fs::read(e.path()).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        for secret in [
            "Kamla",
            "Saini",
            "9876543210",
            "रामपुर",
            "RJ0002",
            "member_registered",
        ] {
            assert!(
                !text.contains(secret),
                "{secret} in clear in {:?}",
                e.path()
            );
        }
        scanned += 1;
    }
    assert!(scanned >= 1);
    // Opened by the lab, the same files do carry the name and the phone:
    // the scan found nothing because they were sealed, not because they
    // were never there.
    let s = stick.path().to_str().expect("utf8");
    l.run(None, &["lab", "import", s]).ok();
    let lab_db = rusqlite::Connection::open(l.dir().join(dastak_lab::DB_FILE)).expect("lab db");
    let held: i64 = lab_db
        .query_row(
            "SELECT COUNT(*) FROM events WHERE CAST(canonical AS TEXT) LIKE '%Kamla Saini%'
               AND CAST(canonical AS TEXT) LIKE '%9876543210%'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(held, 1);
}

#[test]
fn a_stick_that_cannot_be_written_is_explained_and_nothing_is_marked_sent() {
    let k = busy_kiosk(1);
    let l = linked_lab(&k, false);
    // Where the folder should go there is a file: as when a stick's
    // filesystem is damaged or it was pulled and something else mounted.
    let stick = tempfile::tempdir().expect("stick");
    std::fs::write(stick.path().join("dastak"), b"not a folder").expect("file");
    let r = k.run(
        None,
        &["export", "--to", stick.path().to_str().expect("utf8")],
    );
    r.failed_saying("nothing was marked sent");
    // A stick mounted read-only.
    let read_only = Stick::mount("ro,size=64k");
    let r = k.run(None, &["export", "--to", read_only.path()]);
    r.failed_saying("nothing was marked sent");
    assert!(r.stderr.contains("cannot be written"), "{}", r.stderr);
    // No stick at all: nothing is made in its place (on the kiosk's own
    // disk, where "safe to remove" would be a lie).
    let absent = tempfile::tempdir().expect("tmp");
    let nowhere = absent.path().join("usb");
    let r = k.run(None, &["export", "--to", nowhere.to_str().expect("utf8")]);
    r.failed_saying("nothing was marked sent");
    assert!(r.stderr.contains("no stick"), "{}", r.stderr);
    assert!(!nowhere.exists());
    assert_eq!(acked(&k), 0);
    let good = tempfile::tempdir().expect("stick");
    let g = good.path().to_str().expect("utf8");
    k.run(None, &["export", "--to", g]).ok();
    l.run(None, &["lab", "import", g]).ok();
    assert_eq!(lab_events(&l, "RMP01"), kiosk_events(&k));
}

#[test]
fn a_lab_restored_from_an_older_backup_is_noticed_and_sent_the_rest_again() {
    let k = busy_kiosk(2);
    let l = lab();
    register(&l, &k);
    let mut server = LabServer::start(l.dir());
    link(&k, &l, Some(&server.url));
    sync(&k).ok();
    let early = kiosk_events(&k).len();
    server.stop();
    // The backup, taken the proper way.
    let backup = l.dir().join("backup.db");
    rusqlite::Connection::open(l.dir().join(dastak_lab::DB_FILE))
        .expect("open")
        .execute("VACUUM INTO ?1", [backup.to_str().expect("utf8")])
        .expect("vacuum into");
    let server = LabServer::start(l.dir());
    k.pay("RMP01-00001");
    let mut c = k.command(&["sync", "--url", &server.url]);
    c.env("DASTAK_RETRY_MS", "20");
    run_output(c.output().expect("spawn")).ok();
    assert_eq!(acked(&k) as usize, early + 1);
    drop(server);
    // Disaster: the lab goes back to the backup.
    let db = l.dir().join(dastak_lab::DB_FILE);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    std::fs::copy(&backup, &db).expect("restore");
    assert_eq!(lab_events(&l, "RMP01").len(), early);
    let server = LabServer::start(l.dir());
    let mut c = k.command(&["sync", "--url", &server.url]);
    c.env("DASTAK_RETRY_MS", "20");
    let r = run_output(c.output().expect("spawn"));
    r.ok();
    assert!(r.stdout.contains("restored from a backup"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains(&format!("held events only up to {early}")),
        "{}",
        r.stdout
    );
    assert_eq!(lab_events(&l, "RMP01"), kiosk_events(&k));
}

/// Regression: a kiosk moved to a new lab kept the old lab's
/// acknowledgement, so the new lab's first answer read as a lab restored
/// from a backup ("holds only up to N" with N everything).
#[test]
fn a_kiosk_linked_to_a_new_lab_sends_everything_without_crying_backup() {
    let k = busy_kiosk(2);
    let (_old, _first) = served_lab(&k);
    sync(&k).ok();
    let all = kiosk_events(&k);
    assert_eq!(acked(&k) as usize, all.len());
    let (new, second) = served_lab(&k);
    assert_eq!(acked(&k), 0, "a new lab holds nothing of ours yet");
    let r = sync(&k);
    r.ok();
    assert!(!r.stdout.contains("backup"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains(&format!("holds every event up to {}", all.len())),
        "{}",
        r.stdout
    );
    assert_eq!(lab_events(&new, "RMP01"), all);
    // The same lab again (only its address changes): what it acknowledged
    // still stands, and nothing is sent twice.
    link(&k, &new, Some(&second.url));
    assert_eq!(acked(&k) as usize, all.len());
    let again = sync(&k);
    again.ok();
    assert!(again.stdout.contains("0 batch(es)"), "{}", again.stdout);
}

/// `--db PATH`: the lab's database where the clerk wants it, the keys in
/// the lab directory; nothing is written to the default place.
#[test]
fn the_lab_database_can_live_outside_the_lab_directory() {
    let k = busy_kiosk(1);
    let l = Kiosk::empty();
    let elsewhere = tempfile::tempdir().expect("tmp");
    let db = elsewhere.path().join("district.sqlite");
    let db = db.to_str().expect("utf8");
    l.run(None, &["lab", "init", "--db", db]).ok();
    let id = k.run(None, &["identity"]);
    id.ok();
    let mut parts = id.stdout.split_whitespace();
    let (code, key) = (parts.next().expect("code"), parts.next().expect("key"));
    l.run(None, &["lab", "--db", db, "kiosk", "add", code, key])
        .ok();
    let ident = l.run(None, &["lab", "identity", "--json", "--db", db]);
    ident.ok();
    let v: serde_json::Value = serde_json::from_str(&ident.stdout).expect("json");
    k.run(
        Some(ADMIN_PIN),
        &[
            "link",
            "--operator",
            "ADMIN",
            "--lab-recipient",
            v["recipient"].as_str().expect("recipient"),
            "--lab-key",
            v["ack_key"].as_str().expect("key"),
        ],
    )
    .ok();
    let stick = tempfile::tempdir().expect("stick");
    let s = stick.path().to_str().expect("utf8");
    k.run(None, &["export", "--to", s]).ok();
    l.run(None, &["lab", "import", s, "--db", db]).ok();
    let held = rusqlite::Connection::open(db)
        .expect("db")
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get::<_, i64>(0))
        .expect("count");
    assert_eq!(held as usize, kiosk_events(&k).len());
    assert!(!l.dir().join(dastak_lab::DB_FILE).exists());
    // A database where none can be made is explained, not a panic.
    let r = l.run(
        None,
        &["lab", "status", "--db", "/nonexistent/folder/lab.db"],
    );
    r.failed();
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
}

/// A loopback proxy that forwards each request to the lab and, for the
/// first `drop_first` requests that carry a body, reads the lab's answer and
/// throws it away: the lab committed, the kiosk never heard.
fn lossy_proxy(lab_url: &str, drop_first: u32) -> (String, Arc<AtomicU32>) {
    use std::io::{Read, Write};
    let target = lab_url.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let dropped = Arc::new(AtomicU32::new(0));
    let d = dropped.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().take(64) {
            let Ok(mut client) = client else { continue };
            let _ = client.set_read_timeout(Some(Duration::from_secs(5)));
            let req = support::http::read_whole(&mut client);
            if req.is_empty() {
                continue;
            }
            let Ok(mut upstream) = TcpStream::connect(&target) else {
                continue;
            };
            let _ = upstream.write_all(&req);
            let _ = upstream.shutdown(std::net::Shutdown::Write);
            let mut answer = Vec::new();
            let _ = upstream.read_to_end(&mut answer);
            if req.starts_with(b"POST") && d.load(Ordering::SeqCst) < drop_first {
                d.fetch_add(1, Ordering::SeqCst);
                continue; // the answer is lost
            }
            let _ = client.write_all(&answer);
        }
    });
    (url, dropped)
}

#[test]
fn a_response_lost_after_the_lab_committed_and_a_lab_killed_mid_upload_end_with_every_event_once() {
    let k = demo_kiosk();
    let l = lab();
    register(&l, &k);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut server = LabServer::on(l.dir(), listener);
    let (proxy, dropped) = lossy_proxy(&server.url, 2);
    demo_link(&k, &l, Some(&proxy));
    let r = sync(&k);
    r.ok();
    assert_eq!(dropped.load(Ordering::SeqCst), 2);
    assert_eq!(lab_events(&l, "DEMO01"), kiosk_events(&k));
    // Now the lab dies; the kiosk's sync fails, marks nothing new, and
    // completes when the lab is back on the same address.
    k.pay("DEMO01-00003");
    server.stop();
    let before = acked(&k);
    let mut c = k.command(&["sync", "--url", &format!("http://{addr}")]);
    c.env("DASTAK_RETRY_MS", "10");
    let r = run_output(c.output().expect("spawn"));
    r.failed_saying("could not be reached");
    assert_eq!(acked(&k), before);
    let listener = TcpListener::bind(addr).expect("rebind");
    let _server = LabServer::on(l.dir(), listener);
    let mut c = k.command(&["sync", "--url", &format!("http://{addr}")]);
    c.env("DASTAK_RETRY_MS", "10");
    run_output(c.output().expect("spawn")).ok();
    assert_eq!(lab_events(&l, "DEMO01"), kiosk_events(&k));
}

/// 200 kiosks, each with its own key and a short chain of events, upload at
/// once to one lab over loopback: nothing lost, nothing doubled.
#[test]
fn two_hundred_kiosks_uploading_at_once_lose_and_double_nothing() {
    use dastak::domain::event::{
        Body, ClockConfirmed, Event, FORMAT_VERSION, GENESIS, KioskInitialised, hash_hex,
    };
    use dastak::sync::batch::BatchBody;
    use ed25519_dalek::SigningKey;
    let l = lab();
    let (recipient, _) = lab_identity(&l);
    let mut labdb = Lab::open(l.dir()).expect("lab");
    let now: jiff::Timestamp = "2026-11-23T04:30:00Z".parse().expect("ts");
    let kiosks: Vec<(String, SigningKey, Vec<u8>)> = (0..200u32)
        .map(|i| {
            let code = format!("K{i:04}");
            let mut seed = [0u8; 32];
            seed[..4].copy_from_slice(&i.to_le_bytes());
            seed[4] = 7;
            let key = SigningKey::from_bytes(&seed);
            labdb
                .add_kiosk(&code, &hex::encode(key.verifying_key().to_bytes()), now)
                .expect("register");
            // A chain of 20 events.
            let mut prev = GENESIS.to_string();
            let mut events = Vec::new();
            for seq in 1..=20u64 {
                let body = if seq == 1 {
                    Body::KioskInitialised(KioskInitialised {
                        kiosk: code.clone(),
                        panchayat: "रामपुर".into(),
                        block: "b".into(),
                        district: "d".into(),
                        language: dastak::i18n::Lang::Hi,
                    })
                } else {
                    Body::ClockConfirmed(ClockConfirmed {
                        date: jiff::civil::date(2026, 11, 23),
                        by: "ADMIN".into(),
                    })
                };
                let e = Event {
                    v: FORMAT_VERSION,
                    kiosk: code.clone(),
                    seq,
                    at: "2026-11-23T10:00:00+05:30".into(),
                    prev: prev.clone(),
                    body,
                };
                let bytes = e.canonical_bytes();
                prev = hash_hex(&bytes);
                events.push(String::from_utf8(bytes).expect("utf8"));
            }
            let signed = BatchBody::new(&code, 1, GENESIS, events)
                .expect("batch")
                .sign(&key);
            let sealed = dastak::sync::seal(&signed, &recipient).expect("seal");
            (code, key, sealed)
        })
        .collect();
    drop(labdb);
    let server = LabServer::start(l.dir());
    let url = format!("{}/api/batches", server.url);
    let kiosks = Arc::new(kiosks);
    let workers: Vec<_> = (0..20)
        .map(|w| {
            let (kiosks, url) = (kiosks.clone(), url.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(60)))
                    .build()
                    .into();
                for (code, _, sealed) in kiosks.iter().skip(w).step_by(20) {
                    // Each kiosk sends its batch twice: at-least-once.
                    for _ in 0..2 {
                        let r = agent.post(&url).send(&sealed[..]).expect("post");
                        assert_eq!(r.status(), 200, "{code}");
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    drop(server);
    let conn = rusqlite::Connection::open(l.dir().join(dastak_lab::DB_FILE)).expect("db");
    let total: i64 = conn
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .expect("count");
    assert_eq!(total, 200 * 20);
    let per: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM (SELECT kiosk FROM events GROUP BY kiosk HAVING COUNT(*) = 20 AND MAX(seq) = 20)",
            [],
            |r| r.get(0),
        )
        .expect("per kiosk");
    assert_eq!(per, 200);
}

#[test]
fn a_truncated_upload_is_refused_and_a_stalled_client_does_not_block_the_lab() {
    use std::io::{Read, Write};
    let k = busy_kiosk(1);
    let (l, server) = served_lab(&k);
    let addr = server.url.trim_start_matches("http://").to_string();
    // A client whose line stalls mid-body, and stays connected.
    let mut stalled = TcpStream::connect(&addr).expect("connect");
    stalled
        .write_all(
            b"POST /api/batches HTTP/1.1\r\nHost: lab\r\nContent-Length: 100000\r\n\r\npartial",
        )
        .expect("write");
    // A body cut short: the connection closes before the length is reached.
    let mut cut = TcpStream::connect(&addr).expect("connect");
    cut.write_all(b"POST /api/batches HTTP/1.1\r\nHost: lab\r\nContent-Length: 5000\r\n\r\nage-encryption.org/v1 and then nothing")
        .expect("write");
    cut.shutdown(std::net::Shutdown::Write).expect("shutdown");
    cut.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut answer = String::new();
    let _ = cut.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    // Meanwhile the kiosk's upload goes through.
    sync(&k).ok();
    assert_eq!(lab_events(&l, "RMP01"), kiosk_events(&k));
    drop(stalled);
}

#[test]
fn garbage_in_the_sync_lab_and_printer_commands_is_refused_and_changes_nothing() {
    let k = busy_kiosk(1);
    let l = lab();
    let before = k.snapshot();
    let hex64 = "a".repeat(64);
    let garbage = [
        "",
        "   ",
        "age1notakey",
        "'; DROP TABLE events;--",
        "\u{202E}abc",
        "王小明",
        &"x".repeat(5000),
    ];
    for g in garbage {
        let cases: Vec<Vec<&str>> = vec![
            vec![
                "link",
                "--operator",
                "ADMIN",
                "--lab-recipient",
                g,
                "--lab-key",
                &hex64,
            ],
            vec![
                "link",
                "--operator",
                "ADMIN",
                "--lab-recipient",
                "age1x",
                "--lab-key",
                g,
            ],
            vec!["export", "--to", g],
            vec!["sync", "--url", g],
            vec!["reprint", g],
            vec!["receipt", "render", g, "--png", "/nonexistent/dir/x.png"],
            vec!["receipt", "check", g],
        ];
        for args in cases {
            let r = k.run(Some(ADMIN_PIN), &args);
            r.failed();
            assert!(
                r.status == 2 || r.stderr.trim().lines().count() == 1,
                "{args:?}: {}",
                r.stderr
            );
        }
        for args in [
            vec!["lab", "kiosk", "add", g, &hex64],
            vec!["lab", "kiosk", "add", "RMP01", g],
            vec!["lab", "import", g],
            vec!["lab", "verify-receipt", g],
        ] {
            // "age1notakey" is in fact a well-formed kiosk code.
            if args[2] == "add" && args[3] == "age1notakey" {
                continue;
            }
            let r = l.run(None, &args);
            r.failed();
        }
    }
    // The wrong stick (no dastak folder on it) says so, in the lab's words.
    let empty = tempfile::tempdir().expect("tmp");
    let r = l.run(
        None,
        &["lab", "import", empty.path().to_str().expect("utf8")],
    );
    r.failed_saying("dastak export");
    assert!(!r.stderr.contains("os error"), "{}", r.stderr);
    // Nothing about the books changed (the PIN log aside).
    let strip = |s: String| {
        s.split("## ")
            .filter(|t| !t.starts_with("auth_log") && !t.starts_with("operator_pins"))
            .collect::<Vec<_>>()
            .join("## ")
    };
    assert_eq!(strip(k.snapshot()), strip(before));
}

/// A stick: a small tmpfs mounted with `options` for the test, unmounted
/// when dropped (mounting needs root; CI runs as root, as the kiosk's own
/// tools do).
struct Stick {
    dir: tempfile::TempDir,
}

impl Stick {
    fn mount(options: &str) -> Stick {
        let dir = tempfile::tempdir().expect("mount point");
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("run mount");
        assert!(mounted.success(), "mounting a small tmpfs needs root");
        Stick { dir }
    }

    fn path(&self) -> &str {
        self.dir.path().to_str().expect("utf8")
    }
}

impl Drop for Stick {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

/// A stick that fills up mid-export: a 64 KiB filesystem.
#[test]
fn a_full_stick_is_explained_and_the_next_export_writes_everything_again() {
    let k = demo_kiosk();
    let l = linked_lab(&k, true);
    let stick = Stick::mount("size=64k");
    let (mnt, m) = (&stick.dir, stick.path());
    let r = k.run(None, &["export", "--to", m]);
    r.failed_saying("stick is full");
    assert_eq!(acked(&k), 0);
    // No half-written file is left looking like a batch.
    for e in std::fs::read_dir(mnt.path().join("dastak"))
        .expect("dir")
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "temporary file left: {name}");
    }
    let good = tempfile::tempdir().expect("stick");
    let g = good.path().to_str().expect("utf8");
    k.run(None, &["export", "--to", g]).ok();
    l.run(None, &["lab", "import", g]).ok();
    assert_eq!(lab_events(&l, "DEMO01"), kiosk_events(&k));
}

/// The real `dastak lab serve` process, SIGKILLed while a batch is half
/// way through its body, then started again on the same address.
#[test]
fn a_lab_process_killed_mid_upload_and_restarted_ends_with_every_event_once() {
    use std::io::Write;
    use std::process::{Child, Command, Stdio};
    let k = demo_kiosk();
    let l = lab();
    register(&l, &k);
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let lab_addr = format!("127.0.0.1:{port}");
    let spawn_lab = || -> Child {
        let child = Command::new(bin())
            .args(["lab", "serve", "--listen", &lab_addr, "--data-dir"])
            .arg(l.dir())
            .env("DASTAK_LANG", "en")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn lab");
        let start = std::time::Instant::now();
        while TcpStream::connect(&lab_addr).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "lab did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        child
    };
    let child = Arc::new(std::sync::Mutex::new(spawn_lab()));
    // Whatever happens in this test, no lab process outlives it.
    struct KillOnDrop(Arc<std::sync::Mutex<Child>>);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            if let Ok(mut c) = self.0.lock() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
    }
    let _guard = KillOnDrop(child.clone());
    // A proxy that, on the second batch, passes half its body to the lab
    // and then kills the lab.
    let proxy = TcpListener::bind("127.0.0.1:0").expect("bind");
    let proxy_url = format!("http://{}", proxy.local_addr().expect("addr"));
    let (victim, target) = (child.clone(), lab_addr.clone());
    std::thread::spawn(move || {
        let mut posts = 0;
        for client in proxy.incoming().take(40) {
            let Ok(mut client) = client else { continue };
            let _ = client.set_read_timeout(Some(Duration::from_secs(5)));
            let req = support::http::read_whole(&mut client);
            let is_post = req.starts_with(b"POST");
            let Ok(mut up) = TcpStream::connect(&target) else {
                continue;
            };
            if is_post {
                posts += 1;
                if posts == 2 {
                    let _ = up.write_all(&req[..req.len() / 2]);
                    std::thread::sleep(Duration::from_millis(100));
                    if let Ok(mut c) = victim.lock() {
                        let _ = c.kill();
                        let _ = c.wait();
                    }
                    continue;
                }
            }
            let _ = up.write_all(&req);
            let _ = up.set_read_timeout(Some(Duration::from_secs(10)));
            let answer = support::http::read_whole(&mut up);
            let _ = client.write_all(&answer);
        }
    });
    demo_link(&k, &l, Some(&proxy_url));
    let r = sync(&k);
    r.failed_saying("could not be reached");
    // The first batch arrived and was acknowledged; nothing else is marked.
    assert_eq!(acked(&k), 250);
    // The lab comes back on the same address; the kiosk finishes.
    let restarted = spawn_lab();
    *child.lock().expect("lock") = restarted;
    sync(&k).ok();
    assert_eq!(lab_events(&l, "DEMO01"), kiosk_events(&k));
}

/// Only the kiosk that proves its key may read what the lab holds of it
/// (issue 10): a bare request, a forged proof, a stale or borrowed
/// challenge all get a fresh challenge and nothing else.
#[test]
fn the_lab_tells_a_kiosks_state_only_to_the_kiosk_that_signs_its_challenge() {
    let k = busy_kiosk(2);
    let (_l, server) = served_lab(&k);
    // The real kiosk still syncs: it answers the challenge with its key.
    sync(&k).ok();
    assert_eq!(acked(&k), kiosk_events(&k).len() as i64);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{}/api/ack/RMP01", server.url);
    let challenge_of = |resp: &ureq::http::Response<ureq::Body>| {
        resp.headers()
            .get(dastak::sync::batch::CHALLENGE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let mut bare = agent.get(&url).call().expect("bare");
    assert_eq!(bare.status().as_u16(), 401);
    let challenge = challenge_of(&bare).expect("a challenge");
    let body = bare.body_mut().read_to_string().expect("body");
    assert!(!body.contains("RMP01"), "{body}");
    let ask = |challenge: &str, proof: &str| {
        agent
            .get(&url)
            .header(dastak::sync::batch::CHALLENGE_HEADER, challenge)
            .header(dastak::sync::batch::PROOF_HEADER, proof)
            .call()
            .expect("ask")
            .status()
            .as_u16()
    };
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let forged = dastak::sync::batch::sign_ack_read(&stranger, "RMP01", &challenge);
    assert_eq!(ask(&challenge, &forged), 401);
    let key = dastak::books::DataDir {
        root: k.dir().to_path_buf(),
    }
    .kiosk_key()
    .expect("kiosk key");
    // A challenge the lab never made, or made long ago, is refused.
    let (_, mac) = challenge.split_once('.').expect("t.mac");
    for made_up in [
        format!("1000.{mac}"),
        "1000.00".to_string(),
        "junk".to_string(),
    ] {
        let proof = dastak::sync::batch::sign_ack_read(&key, "RMP01", &made_up);
        assert_eq!(ask(&made_up, &proof), 401, "{made_up}");
    }
    // A challenge made for another kiosk does not open this one.
    let other = agent
        .get(format!("{}/api/ack/OTHER1", server.url))
        .call()
        .expect("other");
    let borrowed = challenge_of(&other).expect("challenge");
    let proof = dastak::sync::batch::sign_ack_read(&key, "RMP01", &borrowed);
    assert_eq!(ask(&borrowed, &proof), 401);
    // The kiosk's own signature over the lab's own challenge: the ack.
    let proof = dastak::sync::batch::sign_ack_read(&key, "RMP01", &challenge);
    assert_eq!(ask(&challenge, &proof), 200);
}

/// The lab's text report has a header and a grand total, and day closes
/// that were short or over reach it with their reasons (issue 10).
#[test]
fn the_lab_report_has_headers_a_total_and_the_day_close_differences() {
    let k = Kiosk::ready();
    let id = k.fund_member();
    k.pay(&id);
    k.pay(&id);
    k.vol(
        "day-close",
        &[
            "--notes",
            "100=1",
            "--coins",
            "50",
            "--reason",
            "fifty rupees short",
        ],
    )
    .ok();
    let l = linked_lab(&k, false);
    by_stick(&k, &l);
    let r = l.run(None, &["lab", "report"]);
    r.ok();
    assert!(
        r.stdout.starts_with("Panchayat\tKiosk\tScheme"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Total: 2 receipts, 0 reversals, net ₹200.00"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "expected ₹200.00, counted ₹150.00, short by ₹50.00; reason: fifty rupees short"
        ),
        "{}",
        r.stdout
    );
    let csv = l.run(None, &["lab", "report", "--closes", "--csv"]);
    csv.ok();
    assert!(
        csv.stdout.contains(",20000,15000,-5000,fifty rupees short"),
        "{}",
        csv.stdout
    );
    // Lab status shows times as people read them, not ISO 8601.
    let status = l.run(None, &["lab", "status"]);
    status.ok();
    let contact = status
        .stdout
        .split_whitespace()
        .find(|w| w.len() == 10 && w.chars().filter(|c| *c == '-').count() == 2)
        .unwrap_or_default()
        .to_string();
    assert!(
        contact.chars().nth(2) == Some('-') && !status.stdout.contains("+05:30"),
        "{}",
        status.stdout
    );
    // The JSON for programs is as it was: the money rows.
    let json = l.run(None, &["lab", "report", "--json"]);
    json.ok();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert!(v.as_array().is_some_and(|a| !a.is_empty()));
}

fn lab_link(k: &Kiosk) -> (bool, Option<String>) {
    let r = k.run(None, &["status", "--json"]);
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    (
        v["lab_linked"].as_bool().expect("lab_linked"),
        v["lab_url"].as_str().map(str::to_string),
    )
}

/// A new kiosk links itself from the signed file its lab put on a stick
/// (the appliance's first boot). A file changed on the way, another lab's
/// file, a kiosk whose settings name no lab, a missing file and a
/// volunteer each get a clear refusal and change nothing.
#[test]
fn a_link_file_on_a_stick_links_a_kiosk_only_to_the_lab_its_settings_trust() {
    let l = lab();
    let (_, key) = lab_identity(&l);
    let stick = tempfile::tempdir().expect("stick");
    let stick_dir = stick.path().to_str().expect("utf-8");
    let made = l.run(
        None,
        &[
            "lab",
            "link-file",
            "--to",
            stick_dir,
            "--url",
            "http://127.0.0.1:9/",
        ],
    );
    made.ok();
    let file = stick.path().join("dastak").join("lab-link.txt");
    assert!(made.stdout.contains("lab-link.txt"), "{}", made.stdout);
    let good = std::fs::read_to_string(&file).expect("link file");

    let k = Kiosk::ready();
    let from = ["link", "--operator", "ADMIN", "--from-stick", stick_dir];
    let r = k.run(Some(ADMIN_PIN), &from);
    r.failed_saying("trusted_keys");
    assert_eq!(lab_link(&k), (false, None));

    std::fs::write(
        k.dir().join("dastak.toml"),
        format!("[lab]\ntrusted_keys = [\"{key}\"]\n"),
    )
    .expect("settings");

    std::fs::write(&file, good.replace("127.0.0.1:9", "127.0.0.1:8")).expect("tamper");
    let r = k.run(Some(ADMIN_PIN), &from);
    r.failed_saying("changed after the lab signed it");
    assert_eq!(lab_link(&k), (false, None));

    let other = lab();
    other
        .run(None, &["lab", "link-file", "--to", stick_dir])
        .ok();
    let r = k.run(Some(ADMIN_PIN), &from);
    r.failed_saying("does not trust");
    assert_eq!(lab_link(&k), (false, None));

    std::fs::write(&file, &good).expect("restore");
    let r = k.run(
        Some(VOL_PIN),
        &["link", "--operator", "VOL1", "--from-stick", stick_dir],
    );
    r.failed();
    assert_eq!(lab_link(&k), (false, None));

    let empty = tempfile::tempdir().expect("empty stick");
    let r = k.run(
        Some(ADMIN_PIN),
        &[
            "link",
            "--operator",
            "ADMIN",
            "--from-stick",
            empty.path().to_str().expect("utf-8"),
        ],
    );
    r.failed_saying("no lab link file");
    assert_eq!(lab_link(&k), (false, None));

    let r = k.run(Some(ADMIN_PIN), &from);
    r.ok();
    assert!(r.stdout.contains(&key[..16]), "{}", r.stdout);
    assert_eq!(lab_link(&k), (true, Some("http://127.0.0.1:9/".into())));
    // Linked for real: the lab takes what the kiosk exports.
    register(&l, &k);
    let out = tempfile::tempdir().expect("out stick");
    let out_dir = out.path().to_str().expect("utf-8");
    k.run(None, &["export", "--to", out_dir]).ok();
    l.run(None, &["lab", "import", out_dir]).ok();
    let events =
        serde_json::from_str::<serde_json::Value>(&k.run(None, &["status", "--json"]).stdout)
            .expect("json")["events"]
            .as_u64()
            .expect("events");
    let held = Lab::open(l.dir()).expect("lab").status().expect("status");
    assert_eq!(
        held[0].through, events,
        "the lab holds every event of the linked kiosk"
    );
}

/// A lab made before its reports read typed facts written at ingest
/// (schema step 2) takes them from the events it holds when it is next
/// opened, and reports exactly as before.
#[test]
fn a_lab_from_before_the_report_facts_reports_the_same_after_its_migration() {
    let k = demo_kiosk();
    let l = linked_lab(&k, true);
    by_stick(&k, &l);
    let report = |args: &[&str]| {
        let r = l.run(None, args);
        r.ok();
        r.stdout
    };
    let money = report(&["lab", "report", "--json"]);
    let closes = report(&["lab", "report", "--closes", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&money).expect("json");
    let rows = v.as_array().expect("rows");
    assert!(
        rows.iter().any(|r| r["reversals"].as_u64() > Some(0)),
        "{money}"
    );
    assert!(rows.iter().all(|r| r["panchayat"] != ""), "{money}");
    {
        let conn = rusqlite::Connection::open(l.dir().join(dastak_lab::DB_FILE)).expect("lab db");
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
             ALTER TABLE events DROP COLUMN aadhaar_hash;
             ALTER TABLE events DROP COLUMN panchayat; ALTER TABLE events DROP COLUMN receipt;
             ALTER TABLE events DROP COLUMN original; ALTER TABLE events DROP COLUMN member_id;
             ALTER TABLE events DROP COLUMN scheme; ALTER TABLE events DROP COLUMN amount;
             ALTER TABLE events DROP COLUMN close_date; ALTER TABLE events DROP COLUMN expected;
             ALTER TABLE events DROP COLUMN counted; ALTER TABLE events DROP COLUMN variance;
             ALTER TABLE events DROP COLUMN reason; DROP TABLE kiosk_heads;
             DROP TABLE daily; DROP TABLE lab_members; ALTER TABLE events DROP COLUMN village;
             DROP TABLE audit; DROP TABLE sessions; DROP TABLE officers;
             PRAGMA user_version = 1;",
        )
        .expect("back to step 1");
    }
    assert_eq!(report(&["lab", "report", "--json"]), money);
    assert_eq!(report(&["lab", "report", "--closes", "--json"]), closes);
}

/// The daily rollup's receipts, reversals, net amount (paise) and
/// enrolments, all kiosks together (`lab report --daily --json`).
fn daily_totals(l: &Kiosk) -> (u64, u64, i64, u64) {
    let r = l.run(None, &["lab", "report", "--daily", "--json"]);
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    v.as_array()
        .expect("rows")
        .iter()
        .fold((0, 0, 0, 0), |t, d| {
            let n = |k: &str| d[k].as_u64().expect("count");
            let p = |k: &str| d[k].as_i64().expect("paise");
            (
                t.0 + n("receipts"),
                t.1 + n("reversals"),
                t.2 + p("amount") - p("reversed"),
                t.3 + n("enrolments"),
            )
        })
}

/// The same from the monthly report and the kiosk's members, which the
/// lab counts from the events themselves.
fn report_totals(l: &Kiosk) -> (u64, u64, i64, u64) {
    let r = l.run(None, &["lab", "report", "--json"]);
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let (receipts, reversals, net) =
        v.as_array()
            .expect("rows")
            .iter()
            .fold((0, 0, 0), |t, row| {
                (
                    t.0 + row["receipts"].as_u64().expect("receipts"),
                    t.1 + row["reversals"].as_u64().expect("reversals"),
                    t.2 + row["total"].as_i64().expect("total"),
                )
            });
    let conn = rusqlite::Connection::open(l.dir().join(dastak_lab::DB_FILE)).expect("lab db");
    let enrolments: u64 = conn
        .query_row(
            "SELECT COUNT(*) FROM events WHERE kind = 'enrolled'",
            [],
            |r| r.get(0),
        )
        .expect("enrolments");
    (receipts, reversals, net, enrolments)
}

/// A lab from before it kept each kiosk's head (schema step 3) finds the
/// heads from the events it holds, a gap included, when it is next
/// opened: its status and the acknowledgement a kiosk reads are the same,
/// and the head moves on when the gap is filled.
#[test]
fn a_lab_from_before_the_kiosk_heads_acknowledges_the_same_after_its_migration() {
    let k = demo_kiosk();
    let l = linked_lab(&k, true);
    let stick = tempfile::tempdir().expect("stick");
    let s = stick.path().to_str().expect("utf8");
    k.run(None, &["export", "--to", s]).ok();
    // The first batch never reaches the lab: a gap below the rest.
    let first = stick
        .path()
        .join("dastak")
        .join("DEMO01-000000001-000000250.batch");
    let held_back = std::fs::read(&first).expect("read");
    std::fs::remove_file(&first).expect("remove");
    l.run(None, &["lab", "import", s]).ok();
    let status = || {
        let r = l.run(None, &["lab", "status", "--json"]);
        r.ok();
        r.stdout
    };
    let before = status();
    let v: serde_json::Value = serde_json::from_str(&before).expect("json");
    assert_eq!(v[0]["through"], 0, "{before}");
    assert_eq!(v[0]["gaps"][0], serde_json::json!([1, 250]), "{before}");
    let ack_before = std::fs::read(stick.path().join("dastak/acks/DEMO01.ack")).expect("ack");
    {
        let conn = rusqlite::Connection::open(l.dir().join(dastak_lab::DB_FILE)).expect("lab db");
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
             ALTER TABLE events DROP COLUMN aadhaar_hash;
             DROP TABLE kiosk_heads; DROP TABLE daily; DROP TABLE lab_members;
             ALTER TABLE events DROP COLUMN village;
             DROP TABLE audit; DROP TABLE sessions; DROP TABLE officers;
             PRAGMA user_version = 2;",
        )
        .expect("back to step 2");
    }
    assert_eq!(status(), before);
    // Nothing is counted by day above the gap: the head has not moved.
    assert_eq!(daily_totals(&l), (0, 0, 0, 0));
    // The same batches again: nothing new, and the same acknowledgement.
    l.run(None, &["lab", "import", s]).ok();
    let ack_after = std::fs::read(stick.path().join("dastak/acks/DEMO01.ack")).expect("ack");
    // What it holds through, and that event's hash, from the signed JSON.
    let held = |ack: &[u8]| -> (serde_json::Value, serde_json::Value) {
        let text = String::from_utf8_lossy(ack);
        let json = text.lines().find(|l| l.starts_with('{')).expect("ack json");
        let v: serde_json::Value = serde_json::from_str(json).expect("json");
        (v["through"].clone(), v["hash"].clone())
    };
    assert_eq!(held(&ack_after), held(&ack_before));
    // The missing batch arrives: the head moves to the last event.
    std::fs::write(&first, held_back).expect("put back");
    l.run(None, &["lab", "import", s]).ok();
    let after: serde_json::Value = serde_json::from_str(&status()).expect("json");
    assert_eq!(after[0]["through"], after[0]["last_seq"]);
    assert_eq!(after[0]["gaps"], serde_json::json!([]));
    // Now every event is counted by day, and the days add up to the report.
    assert_eq!(daily_totals(&l), report_totals(&l));
    assert_eq!(lab_events(&l, "DEMO01"), kiosk_events(&k));
}

/// `dastak lab …` hands over to `dastak-lab`; where that program is
/// neither beside `dastak` nor on PATH, the kiosk says so in the
/// operator's language and makes nothing.
#[test]
fn dastak_lab_missing_is_named_and_nothing_is_made() {
    let alone = tempfile::tempdir().expect("dir");
    let dastak = alone.path().join("dastak");
    std::fs::copy(env!("CARGO_BIN_EXE_dastak"), &dastak).expect("copy");
    let empty_path = tempfile::tempdir().expect("path");
    let data = tempfile::tempdir().expect("data");
    let r = std::process::Command::new(&dastak)
        .args(["--lang", "en", "--data-dir"])
        .arg(data.path())
        .args(["lab", "init"])
        .env("PATH", empty_path.path())
        .output()
        .expect("run");
    assert_eq!(r.status.code(), Some(127), "{r:?}");
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("install dastak-lab beside dastak"), "{err}");
    assert_eq!(std::fs::read_dir(data.path()).expect("ls").count(), 0);
}
