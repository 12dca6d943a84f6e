//! Bench: the lab's ingest rate, and what a flaky line costs a kiosk.
//!
//! 1. Ingest: one month of a busy kiosk (30 days × 40 contributions, plus
//!    enrolments and day closes), sealed as it would travel, received by
//!    the lab: decrypt, verify the signature and the chain, insert by
//!    (kiosk, sequence) with conflict checks, as `lab import` does it: a
//!    stick's batches in one durable commit, each in its own savepoint.
//!    Baseline: the same rows inserted into the same table shape in one
//!    transaction, no checks, same pragmas. Target: ratio ≥ 0.5.
//! 2. Bytes: the same month uploaded over loopback through a proxy that
//!    drops 30% of connections (half cut mid-request, half losing the
//!    lab's answer after it committed), against the same upload through a
//!    proxy that drops nothing. Bytes counted as the proxy receives them
//!    from the kiosk. Target: ratio ≤ 1.2.

#[path = "../tests/support/http.rs"]
mod http;
#[path = "support/kiosk.rs"]
mod kiosk;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dastak::books::DataDir;
use dastak::store::queries;
use dastak_lab::Lab;
use jiff::{Timestamp, ToSpan};

const ROUNDS: usize = 15;

fn main() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = DataDir {
        root: tmp.path().join("kiosk"),
    };
    let t0: Timestamp = "2026-10-01T04:30:00Z".parse().expect("ts");
    let (mut books, admin) = kiosk::kiosk(dir.root.clone(), "BUSY01", t0);
    books.store_mut().set_bulk_mode(true).expect("bulk");
    let ids: Vec<String> = (0..60u8)
        .map(|i| {
            let name = format!("Member {}", (b'A' + i % 26) as char);
            let relative = format!("Relative {}", (b'A' + i / 26) as char);
            kiosk::fund_member(&mut books, &admin, &name, &relative, t0)
        })
        .collect();
    let mut receipts = 0;
    for day in 0..30i64 {
        let start = t0.checked_add((day * 24).hours()).expect("day");
        for j in 0..40i64 {
            let id = &ids[((day * 40 + j) % 60) as usize];
            let at = start.checked_add((j * 5).minutes()).expect("t");
            if books.pay(&admin, id, "FUND", Some("100"), None, at).is_ok() {
                receipts += 1;
            }
        }
        let at = start.checked_add(10.hours()).expect("t");
        let expected = queries::open_cash(books.store().conn())
            .expect("cash")
            .expected;
        books
            .day_close(&admin, "", &expected.grouped().replace(',', ""), None, at)
            .expect("close");
    }
    books.store_mut().set_bulk_mode(false).expect("bulk");
    let key = books.key.clone().expect("key");
    let events: u64 = queries::last_event(books.store().conn())
        .expect("last")
        .map(|(s, _)| s)
        .unwrap_or(0);

    // --- 1. Ingest rate: fifteen rounds (one is a few milliseconds, and
    // this machine is shared), each on a fresh lab and a fresh
    // baseline database, run back to back. The ratio is the median of the
    // rounds' own ratios: each pair ran within milliseconds of each other,
    // so a slow spell of the machine slows both sides of it alike.
    let mut sealed: Vec<Vec<u8>> = Vec::new();
    let (mut ours_t, mut base_t, mut verify_t) = (Vec::new(), Vec::new(), Vec::new());
    let mut narrow_t = Vec::new();
    let mut wide = 0;
    for round in 0..ROUNDS {
        let labdir = tmp.path().join(format!("lab{round}"));
        let mut lab = Lab::init(&labdir).expect("lab");
        lab.add_kiosk("BUSY01", &hex::encode(key.verifying_key().to_bytes()), t0)
            .expect("register");
        let ident = lab.identity();
        dastak::sync::link(books.store_mut(), &ident.recipient, &ident.ack_key, None)
            .expect("link");
        sealed = dastak::sync::pending_batches(books.store(), &key)
            .expect("batches")
            .iter()
            .map(|b| dastak::sync::seal(&b.signed, &ident.recipient).expect("seal"))
            .collect();
        let v = Instant::now();
        for s in &sealed {
            lab.open_batch(s).expect("open");
        }
        verify_t.push(v.elapsed());
        // A month's stick at the lab (`dastak lab import`).
        let a = Instant::now();
        let held: u64 = lab
            .receive_all(&sealed, t0)
            .expect("receive")
            .into_iter()
            .map(|r| r.expect("batch").1.new)
            .sum();
        ours_t.push(a.elapsed());
        assert_eq!(held, events);
        // The same rows, as the lab stored them, inserted bare into a
        // table made by the lab's own CREATE TABLE (as its migrations
        // left it), and into 0001's eight columns, for the figure the
        // README gave before the report columns.
        drop(lab);
        let stored = Stored::read(&labdir.join(dastak_lab::DB_FILE));
        wide = stored.columns;
        base_t.push(stored.insert_bare(&tmp.path().join(format!("base{round}.db")), &stored.table));
        narrow_t.push(stored.insert_bare(&tmp.path().join(format!("narrow{round}.db")), NARROW));
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    // Each round's own ratio, then their median and range.
    let ratios_to = |base: &[Duration]| -> (f64, f64, f64) {
        let mut r: Vec<f64> = ours_t
            .iter()
            .zip(base)
            .map(|(o, b)| b.as_secs_f64() / o.as_secs_f64())
            .collect();
        r.sort_by(f64::total_cmp);
        (r[r.len() / 2], r[0], r[r.len() - 1])
    };
    let (ratio, lowest, highest) = ratios_to(&base_t);
    let (narrow_ratio, narrow_low, narrow_high) = ratios_to(&narrow_t);
    let (ours, baseline, verify_only) = (median(ours_t), median(base_t), median(verify_t));
    let ours_rate = events as f64 / ours.as_secs_f64();
    let base_rate = events as f64 / baseline.as_secs_f64();
    println!(
        "one busy month: {events} events ({receipts} receipts), {} batches; medians of {ROUNDS} rounds",
        sealed.len()
    );
    println!(
        "  ingest  ours {ours_rate:>9.0} events/s (decrypt, verify, chain, idempotent insert; one stick, one commit)"
    );
    println!(
        "  ingest  baseline {base_rate:>9.0} events/s (the same rows, plain INSERTs into the lab's table shape, one transaction)"
    );
    println!(
        "  (decrypting and verifying alone, one thread: {:.1} ms; the whole import: {:.1} ms)",
        verify_only.as_secs_f64() * 1e3,
        ours.as_secs_f64() * 1e3
    );
    println!(
        "  ratio ours/baseline {ratio:.3} (rounds from {lowest:.2} to {highest:.2})   target >= 0.50   {}",
        if ratio >= 0.5 { "MET" } else { "NOT MET" }
    );
    println!(
        "  (against the table before its report columns, 8 of its {wide}: {narrow_ratio:.3}, rounds from {narrow_low:.2} to {narrow_high:.2})"
    );

    // --- 2. Bytes over a line that drops 30% of connections.
    let upload = |drop_percent: u64, name: &str| -> u64 {
        let labdir = tmp.path().join(name);
        let mut lab = Lab::init(&labdir).expect("lab");
        let id = lab.identity();
        lab.add_kiosk("BUSY01", &hex::encode(key.verifying_key().to_bytes()), t0)
            .expect("register");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let lab_addr = listener.local_addr().expect("addr");
        let mut server = dastak_lab::server::Background::start(lab, listener, Default::default());
        let (proxy, counted, pstop) = proxy(lab_addr.to_string(), drop_percent);
        let mut store = dastak::store::Store::open(&dir.db_path()).expect("store");
        dastak::sync::link(&mut store, &id.recipient, &id.ack_key, Some(&proxy)).expect("link");
        store
            .write(|w| -> Result<(), dastak::store::StoreError> {
                w.conn()
                    .execute("UPDATE lab_link SET acked_through = 0", [])?;
                Ok(())
            })
            .expect("reset");
        let retry = dastak::sync::Retry {
            attempts: 12,
            first_wait: Duration::from_millis(1),
            timeout: Duration::from_secs(10),
        };
        let r = dastak::sync::upload(&mut store, &key, None, retry, t0).expect("upload");
        assert_eq!(r.acked_through, events);
        pstop.store(true, Ordering::SeqCst);
        server.stop().expect("server");
        counted.load(Ordering::SeqCst)
    };
    let clean = upload(0, "lab-clean");
    let lossy = upload(30, "lab-lossy");
    let r = lossy as f64 / clean as f64;
    println!(
        "  bytes   clean {clean:>9}   30% dropped {lossy:>9}   ratio {r:.2}   target <= 1.20   {}",
        if r <= 1.2 { "MET" } else { "NOT MET" }
    );
}

/// 0001's events table: the shape before the report columns.
const NARROW: &str = "CREATE TABLE events (kiosk TEXT NOT NULL, seq INTEGER NOT NULL,
    hash TEXT NOT NULL, prev TEXT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL,
    canonical BLOB NOT NULL, received_at TEXT NOT NULL, PRIMARY KEY (kiosk, seq)) STRICT";

/// What the lab stored: its events table's own CREATE TABLE, its column
/// count, and every row, all its columns, in order.
struct Stored {
    table: String,
    columns: usize,
    rows: Vec<Vec<rusqlite::types::Value>>,
}

impl Stored {
    fn read(db: &std::path::Path) -> Stored {
        let conn = rusqlite::Connection::open(db).expect("lab db");
        let table: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'",
                [],
                |r| r.get(0),
            )
            .expect("events table");
        let mut stmt = conn
            .prepare("SELECT * FROM events ORDER BY kiosk, seq")
            .expect("prepare");
        let columns = stmt.column_count();
        let rows = stmt
            .query_map([], |r| (0..columns).map(|i| r.get(i)).collect())
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        Stored {
            table,
            columns,
            rows,
        }
    }

    /// The rows' leading columns, as many as `create` makes, inserted with
    /// plain INSERTs in one transaction into a new database with the lab's
    /// pragmas. Returns the time from BEGIN to COMMIT.
    fn insert_bare(&self, path: &std::path::Path, create: &str) -> Duration {
        let base = rusqlite::Connection::open(path).expect("db");
        base.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))
            .expect("wal");
        base.pragma_update(None, "synchronous", "FULL")
            .expect("sync");
        base.execute_batch(create).expect("create");
        let n: usize = base
            .query_row(
                "SELECT COUNT(*) FROM pragma_table_info('events')",
                [],
                |r| r.get(0),
            )
            .expect("columns");
        let marks = (1..=n)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let b = Instant::now();
        base.execute_batch("BEGIN").expect("begin");
        {
            let mut ins = base
                .prepare(&format!("INSERT INTO events VALUES ({marks})"))
                .expect("prepare");
            for row in &self.rows {
                ins.execute(rusqlite::params_from_iter(&row[..n]))
                    .expect("insert");
            }
        }
        base.execute_batch("COMMIT").expect("commit");
        b.elapsed()
    }
}

/// A loopback proxy counting the bytes the kiosk sends; it drops
/// `percent`% of connections, alternately cutting the request half-way and
/// losing the lab's answer. Deterministic, so runs compare.
fn proxy(target: String, percent: u64) -> (String, Arc<AtomicU64>, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let counted = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (c, s) = (counted.clone(), stop.clone());
    std::thread::spawn(move || {
        let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
        let mut cut_next = true;
        while !s.load(Ordering::SeqCst) {
            let mut client = match listener.accept() {
                Ok((c, _)) => c,
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                }
            };
            let _ = client.set_nonblocking(false);
            let _ = client.set_read_timeout(Some(Duration::from_secs(5)));
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let drop = rng % 100 < percent;
            // A dropped line cuts every other dropped request half-way.
            let cut = drop && cut_next;
            let req = http::read_message(&mut client, |got, whole| cut && got * 2 >= whole);
            c.fetch_add(req.len() as u64, Ordering::SeqCst);
            if cut {
                cut_next = false;
                continue; // the line went down mid-request
            }
            let Ok(mut up) = TcpStream::connect(&target) else {
                continue;
            };
            let _ = up.write_all(&req);
            let _ = up.set_read_timeout(Some(Duration::from_secs(10)));
            // The lab keeps the connection open: the answer ends where its
            // head says.
            let answer = http::read_whole(&mut up);
            if drop {
                cut_next = true;
                continue; // the answer is lost after the lab committed
            }
            let _ = client.write_all(&answer);
        }
    });
    (url, counted, stop)
}
