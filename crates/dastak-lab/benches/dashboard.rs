//! Bench: the dashboard's pages at a lab of 100,000 events and at one of
//! 10,000,000 (issue 13: a state-year's events; at most 2× the small lab's
//! time, because the pages read rollups, not events).
//!
//! Both labs have the same 200 kiosks (3 villages, 30 members in the
//! fund, 2 operators and 3 schemes each), the same shape of day, and history up
//! to today: the small one 30 days of it at ~17 events a kiosk-day, the
//! big one 365 days at ~137. So the last 30 days that the pages show hold
//! the same rollup rows in both; what differs is everything else the lab
//! holds: 100 times the events, 12 times the days.
//!
//! The events are stored through the lab's own ingest
//! (`LabStore::ingest_all`, 250 to a batch, 40 batches to a commit, as a
//! stick brings them), skipping only what makes them genuine (encryption
//! and signatures, which no page looks at); each kiosk's first event is a
//! real `kiosk_initialised`, whose place the pages read. Then each lab is
//! served by the real `dastak-lab serve` on loopback, an officer logs in,
//! and every page is fetched over HTTP, alternating between the two labs,
//! 15 times each after a warm-up; the medians and their ratio are printed,
//! per page and for the pages together.
//!
//! Building the big lab takes several minutes and about 4 GB of disk in
//! the system's temporary directory; it is removed at the end. Set
//! `DASH_BENCH_BIG` to another number of events to try another size.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dastak_core::domain::event::{Body, Event, FORMAT_VERSION, GENESIS, KioskInitialised};
use dastak_core::domain::time::{format_instant, ist, local_date};
use dastak_core::i18n::Lang;
use dastak_lab::officers::Role;
use dastak_lab::store::{Facts, LabStore, Row, SqliteLab};
use dastak_lab::{DB_FILE, Lab};
use jiff::{Timestamp, ToSpan};

const KIOSKS: u64 = 200;
const MEMBERS: u64 = 30;
const SCHEMES: [&str; 3] = ["FUND", "SHG", "PDS"];
const REPS: usize = 15;
const PASSWORD: &str = "bench-password-1";
const PAGES: [&str; 9] = [
    "/overview",
    "/arrears",
    "/coverage",
    "/kiosks",
    "/collections",
    "/collections?by=month",
    "/closes",
    "/operators",
    "/anomalies",
];

/// One kiosk's events over `days` days ending today, ~`per_day` a day.
fn kiosk_rows(k: u64, days: i64, per_day: u64, now: Timestamp) -> Vec<Row> {
    let code = format!("B{k:05}");
    let today = local_date(now);
    let at = |day: i64, minute: i64| {
        let d = today.checked_sub((days - 1 - day).days()).unwrap_or(today);
        let t = d
            .at(9, 0, 0, 0)
            .to_zoned(ist())
            .map(|z| z.timestamp())
            .unwrap_or(now);
        format_instant(t.checked_add(minute.minutes()).unwrap_or(t))
    };
    let hash = |seq: u64| format!("{k:08x}{seq:056x}");
    let mut rows = Vec::new();
    let mut push = |kind: &'static str, at: String, facts: Facts, canonical: String, op: &str| {
        let seq = rows.len() as u64 + 1;
        rows.push(Row {
            seq,
            hash: hash(seq),
            prev: if seq == 1 {
                GENESIS.to_string()
            } else {
                hash(seq - 1)
            },
            kind,
            at,
            canonical,
            facts,
            operator: op.to_string(),
        });
    };
    let first = Event {
        v: FORMAT_VERSION,
        kiosk: code.clone(),
        seq: 1,
        at: at(0, 0),
        prev: GENESIS.to_string(),
        body: Body::KioskInitialised(KioskInitialised {
            kiosk: code.clone(),
            panchayat: format!("Panchayat {}", k % 40),
            block: format!("Block {}", k % 8),
            district: "Jaipur".into(),
            language: Lang::Hi,
        }),
    };
    push(
        "kiosk_initialised",
        first.at.clone(),
        Facts::Place {
            panchayat: format!("Panchayat {}", k % 40),
        },
        String::from_utf8(first.canonical_bytes()).unwrap_or_default(),
        "",
    );
    let member = |m: u64| format!("{code}-{m:05}");
    for m in 0..MEMBERS {
        push(
            "member_registered",
            at(0, 1),
            Facts::Member {
                member_id: member(m),
                village: format!("Village {}-{}", k, m % 3),
                aadhaar: None,
                name: format!("Member {m}"),
                ration_card: None,
            },
            String::new(),
            "VOL1",
        );
    }
    // Every member in the fund, from the first day: what expected dues
    // and arrears read.
    push(
        "scheme_defined",
        at(0, 2),
        Facts::Scheme {
            scheme: "FUND".into(),
            frequency: "monthly",
            per_period: 10_000,
        },
        String::new(),
        "ADMIN",
    );
    for m in 0..MEMBERS {
        push(
            "enrolled",
            at(0, 3),
            Facts::Enrolment {
                member_id: member(m),
                scheme: "FUND".into(),
                on: at(0, 3)[..10].to_string(),
            },
            String::new(),
            "VOL1",
        );
    }
    let mut receipt = 0u64;
    for day in 0..days {
        let op = if day % 4 == 0 { "VOL2" } else { "VOL1" };
        let mut cash = 0;
        for j in 0..per_day.saturating_sub(1) {
            receipt += 1;
            let m = (receipt * 7 + k) % MEMBERS;
            cash += 10_000;
            push(
                "contribution_taken",
                at(day, 10 + j as i64),
                Facts::Money {
                    receipt: format!("{code}/{receipt:07}"),
                    original: None,
                    member_id: member(m),
                    scheme: SCHEMES[(receipt % 3) as usize].into(),
                    amount: 10_000,
                    periods: 1,
                },
                String::new(),
                op,
            );
        }
        let short = if (day + k as i64) % 15 == 0 { 1_000 } else { 0 };
        push(
            "day_closed",
            at(day, 600),
            Facts::Close {
                date: at(day, 600)[..10].to_string(),
                expected: cash,
                counted: cash - short,
                variance: -short,
                reason: String::new(),
            },
            String::new(),
            op,
        );
    }
    rows
}

/// A lab in `dir` holding about `events` events over `days` days.
fn build(dir: &Path, events: u64, days: i64, now: Timestamp) -> u64 {
    let mut lab = Lab::init(dir).expect("lab");
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let hex_key = hex::encode(key.verifying_key().to_bytes());
    for k in 0..KIOSKS {
        lab.add_kiosk(&format!("B{k:05}"), &hex_key, now)
            .expect("kiosk");
    }
    lab.add_officer(
        "bench",
        "officer",
        PASSWORD,
        Role::Viewer,
        None,
        Lang::En,
        now,
    )
    .expect("officer");
    drop(lab);
    let per_day = (events / KIOSKS).saturating_sub(MEMBERS + 1) / days as u64;
    let mut store = SqliteLab::open(&dir.join(DB_FILE)).expect("store");
    let mut held = 0;
    for k in 0..KIOSKS {
        let rows = kiosk_rows(k, days, per_day.max(2), now);
        held += rows.len() as u64;
        let code = format!("B{k:05}");
        let mut batches = rows
            .chunks(250)
            .map(|c| (code.clone(), c.to_vec()))
            .collect::<Vec<_>>()
            .into_iter();
        loop {
            let mut stick = batches.by_ref().take(40).peekable();
            if stick.peek().is_none() {
                break;
            }
            for got in store
                .ingest_all(&mut stick, &format_instant(now))
                .expect("ingest")
            {
                got.expect("stored");
            }
        }
    }
    held
}

struct Served {
    child: Child,
    addr: String,
    cookie: String,
}

impl Served {
    fn start(dir: &Path) -> Served {
        let token = Lab::open(dir)
            .expect("open")
            .login("officer", PASSWORD, Timestamp::now())
            .expect("login")
            .0;
        let mut child = Command::new(env!("CARGO_BIN_EXE_dastak-lab"))
            .arg("--data-dir")
            .arg(dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("DASTAK_LANG", "en")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn dastak-lab serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("first line");
        let addr = line
            .split_whitespace()
            .find(|w| w.starts_with("127.0.0.1:"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('.')
            .to_string();
        Served {
            child,
            addr,
            cookie: format!("dastak_session={token}"),
        }
    }

    /// One page, whole; its time and size.
    fn get(&self, path: &str) -> (Duration, usize) {
        let t = Instant::now();
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
            self.addr, self.cookie
        )
        .expect("send");
        let mut out = Vec::new();
        s.read_to_end(&mut out).expect("read");
        let took = t.elapsed();
        assert!(
            out.starts_with(b"HTTP/1.1 200"),
            "{path}: {}",
            String::from_utf8_lossy(&out[..out.len().min(200)])
        );
        (took, out.len())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let now = Timestamp::now();
    let big_events: u64 = std::env::var("DASH_BENCH_BIG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let small_dir = tempfile::tempdir().expect("dir");
    let big_dir = tempfile::tempdir().expect("dir");
    let t = Instant::now();
    let small_n = build(small_dir.path(), 100_000, 30, now);
    println!(
        "dashboard bench: small lab {small_n} events built in {:.0?}",
        t.elapsed()
    );
    let t = Instant::now();
    let big_n = build(big_dir.path(), big_events, 365, now);
    println!(
        "dashboard bench: big lab {big_n} events built in {:.0?}",
        t.elapsed()
    );
    let small = Served::start(small_dir.path());
    let big = Served::start(big_dir.path());
    println!(
        "{:<24} {:>12} {:>12} {:>7}   (medians of {REPS}, over HTTP on loopback)",
        "page", "100k", "big", "ratio"
    );
    let (mut all_small, mut all_big) = (Duration::ZERO, Duration::ZERO);
    for page in PAGES {
        for _ in 0..3 {
            small.get(page);
            big.get(page);
        }
        let (mut s, mut b) = (Vec::new(), Vec::new());
        for _ in 0..REPS {
            s.push(small.get(page).0);
            b.push(big.get(page).0);
        }
        let (s, b) = (median(s), median(b));
        all_small += s;
        all_big += b;
        println!(
            "{page:<24} {:>12.2?} {:>12.2?} {:>7.2}",
            s,
            b,
            b.as_secs_f64() / s.as_secs_f64()
        );
    }
    let ratio = all_big.as_secs_f64() / all_small.as_secs_f64();
    println!(
        "all pages together      {:>12.2?} {:>12.2?} {ratio:>7.2}   target <= 2.00   {}",
        all_small,
        all_big,
        if ratio <= 2.0 { "MET" } else { "NOT MET" }
    );
}
