//! One story suite, run unchanged against both of the lab's backends: the
//! embedded SQLite file and a real PostgreSQL (a throwaway cluster from the
//! system's binaries, see support/pg.rs). Synthetic kiosks (the lab's
//! simulator: real keys, signed and sealed batches) sync to the lab: every
//! event once, replays and a stick imported twice change nothing, a gap is
//! reported and then filled, other content under a held number is
//! quarantined, a lab restored from an older backup takes the rest again,
//! a batch from a kiosk the lab does not know or signed by another key is
//! refused, and 200 kiosks upload at once over HTTP on loopback.

#[path = "support/pg.rs"]
mod pg;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use dastak_core::domain::event::{Body, Event};
use dastak_core::domain::proof::parse_public_key;
use dastak_core::wire::BatchError;
use dastak_core::wire::{Ack, seal};
use dastak_lab::simulate::{Plan, SimKiosk, kiosk};
use dastak_lab::{DbUrl, Lab, LabError};
use jiff::Timestamp;

/// A lab directory and where its books are.
struct Books {
    dir: tempfile::TempDir,
    db: DbUrl,
    /// The PostgreSQL databases this story uses (its books, and backups).
    pg: Vec<pg::Database>,
}

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A copy of the books as they were.
struct Backup {
    db: DbUrl,
    pg: Option<pg::Database>,
}

impl Books {
    fn new(backend: Backend) -> Books {
        let dir = tempfile::tempdir().expect("dir");
        let (db, pg) = match backend {
            Backend::Sqlite => (DbUrl::Sqlite(dir.path().join(dastak_lab::DB_FILE)), vec![]),
            Backend::Postgres => {
                let d = pg::Cluster::shared().database();
                (DbUrl::parse(&d.url), vec![d])
            }
        };
        Lab::init_at(dir.path(), &db).expect("init");
        Books { dir, db, pg }
    }

    fn lab(&self) -> Lab {
        Lab::open_at(self.dir.path(), &self.db).expect("open lab")
    }

    /// A backup of the books, as an operator takes one (no lab open): a
    /// copy of the file, or a database made from this one as template.
    fn backup(&self) -> Backup {
        match &self.db {
            DbUrl::Sqlite(path) => {
                let copy = self.dir.path().join("backup.db");
                std::fs::copy(path, &copy).expect("copy the database file");
                Backup {
                    db: DbUrl::Sqlite(copy),
                    pg: None,
                }
            }
            DbUrl::Postgres(_) => {
                let copy = self.pg.last().expect("a database").copy();
                Backup {
                    db: DbUrl::parse(&copy.url),
                    pg: Some(copy),
                }
            }
        }
    }

    /// The lab's books replaced by `backup` (its keys stay).
    fn restore(&mut self, backup: Backup) {
        self.db = backup.db;
        self.pg.extend(backup.pg);
    }
}

fn now() -> Timestamp {
    "2026-11-20T10:00:00Z".parse().expect("time")
}

fn small(kiosks: u32, seed: u64) -> Plan {
    Plan {
        kiosks,
        days: 40,
        members: 12,
        per_day: 16,
        seed,
        ..Plan::default()
    }
}

/// A kiosk registered with the lab, and its batches sealed to it.
fn enrolled(lab: &mut Lab, k: &SimKiosk) -> Vec<Vec<u8>> {
    lab.add_kiosk(
        &k.code,
        &hex::encode(k.key.verifying_key().to_bytes()),
        now(),
    )
    .expect("add kiosk");
    let to = lab.identity().recipient;
    k.signed_batches()
        .iter()
        .map(|b| seal(b, &to).expect("seal"))
        .collect()
}

/// Noon (IST) `d` days after `start`: when the claim stories' kiosks and
/// officers act.
fn noon(start: jiff::civil::Date, d: i64) -> Timestamp {
    start
        .checked_add(jiff::Span::new().days(d))
        .expect("day")
        .at(12, 0, 0, 0)
        .to_zoned(dastak_core::domain::time::ist())
        .expect("zoned")
        .timestamp()
}

/// Every batch of `k` sealed afresh and received (those the lab holds are
/// duplicates): how a kiosk's later events reach the lab in these stories.
fn receive_all_again(lab: &mut Lab, k: &SimKiosk) -> (u64, u64, u64) {
    let to = lab.identity().recipient;
    let again: Vec<Vec<u8>> = k
        .signed_batches()
        .iter()
        .map(|b| seal(b, &to).expect("seal"))
        .collect();
    receive(lab, &again)
}

/// (new, duplicate, quarantined) over `batches`, received one by one as
/// uploads are.
fn receive(lab: &mut Lab, batches: &[Vec<u8>]) -> (u64, u64, u64) {
    let mut t = (0, 0, 0);
    for b in batches {
        let (_, got) = lab.receive(b, now()).expect("receive");
        t.0 += got.new;
        t.1 += got.duplicate;
        t.2 += got.quarantined;
    }
    t
}

/// The acknowledgement's `through`, verified with the lab's key.
fn acked(lab: &Lab, kiosk: &str) -> u64 {
    let key = parse_public_key(&lab.identity().ack_key).expect("ack key");
    Ack::verify(&lab.ack(kiosk, now()).expect("ack"), &key)
        .expect("verifies")
        .through
}

/// Receipts and their amount in the daily rollup, and in the report.
fn totals(lab: &Lab) -> ((u64, i64), (u64, i64)) {
    let daily = dastak_lab::daily(lab).expect("daily");
    let d = daily.iter().fold((0, 0), |t, r| {
        (t.0 + r.receipts, t.1 + r.amount.0 - r.reversed.0)
    });
    let report = dastak_lab::report(lab).expect("report");
    let r = report
        .iter()
        .fold((0, 0), |t, r| (t.0 + r.receipts, t.1 + r.total.0));
    (d, r)
}

fn receipts_in(k: &SimKiosk) -> u64 {
    k.events
        .iter()
        .map(|e| Event::from_canonical(e.as_bytes()).expect("a simulated event parses"))
        .filter(|e| e.body.kind() == "contribution_taken")
        .count() as u64
}

/// Also guards the PostgreSQL lab's prepared statements: they are
/// prepared by the first upload, before the later months' partitions are
/// made, and the replay must still find those months' events.
fn every_event_once_and_a_replay_changes_nothing(b: Backend) {
    let books = Books::new(b);
    let mut lab = books.lab();
    let k = kiosk(&small(1, 7), 0);
    let batches = enrolled(&mut lab, &k);
    assert!(batches.len() >= 2, "the story needs several batches");
    let n = k.events.len() as u64;
    assert_eq!(receive(&mut lab, &batches), (n, 0, 0));
    assert_eq!(receive(&mut lab, &batches), (0, n, 0), "a replay");
    // A stick's worth of the same batches, all at once.
    let again = lab.receive_all(&batches, now()).expect("receive all");
    assert!(
        again
            .iter()
            .all(|r| r.as_ref().is_ok_and(|(_, g)| g.new == 0))
    );
    assert_eq!(acked(&lab, &k.code), n);
    let status = lab.status().expect("status");
    assert_eq!(status.len(), 1);
    assert_eq!((status[0].through, status[0].last_seq), (n, n));
    assert!(status[0].gaps.is_empty() && status[0].quarantined == 0);
    let (daily, report) = totals(&lab);
    assert_eq!(daily, report, "the rollup agrees with the events");
    assert_eq!(daily.0, receipts_in(&k));
}

fn a_gap_is_reported_then_filled_and_the_rollup_waits_for_it(b: Backend) {
    let books = Books::new(b);
    let mut lab = books.lab();
    let k = kiosk(&small(1, 8), 0);
    let batches = enrolled(&mut lab, &k);
    assert!(batches.len() >= 3);
    let first_len = 250u64;
    receive(&mut lab, &batches[..1]);
    receive(&mut lab, &batches[2..]);
    let s = &lab.status().expect("status")[0];
    assert_eq!(s.through, first_len);
    assert_eq!(s.gaps, vec![(first_len + 1, 2 * first_len)]);
    assert_eq!(acked(&lab, &k.code), first_len, "the ack stops at the gap");
    let counted = totals(&lab).0.0;
    assert!(counted < receipts_in(&k), "events above a gap wait");
    receive(&mut lab, &batches[1..2]);
    let s = &lab.status().expect("status")[0];
    assert!(s.gaps.is_empty());
    assert_eq!(s.through, k.events.len() as u64);
    let (daily, report) = totals(&lab);
    assert_eq!(daily, report);
    assert_eq!(daily.0, receipts_in(&k));
}

fn other_content_under_a_held_number_is_quarantined_not_written_over(b: Backend) {
    let books = Books::new(b);
    let mut lab = books.lab();
    let k = kiosk(&small(1, 9), 0);
    let batches = enrolled(&mut lab, &k);
    receive(&mut lab, &batches[..1]);
    let through = acked(&lab, &k.code);
    // The same kiosk and key, another ledger: a restored or cloned card.
    let other = SimKiosk {
        code: k.code.clone(),
        key: k.key.clone(),
        events: kiosk(&small(1, 10), 0).events,
    };
    let to = lab.identity().recipient;
    let forged: Vec<Vec<u8>> = other
        .signed_batches()
        .iter()
        .take(1)
        .map(|b| seal(b, &to).expect("seal"))
        .collect();
    let (new, dup, quarantined) = receive(&mut lab, &forged);
    assert_eq!(new, 0);
    assert!(
        quarantined > 0 && dup + quarantined == 250,
        "{dup} {quarantined}"
    );
    assert_eq!(acked(&lab, &k.code), through, "nothing written over");
    assert_eq!(lab.status().expect("status")[0].quarantined, quarantined);
    // Quarantine is idempotent too.
    receive(&mut lab, &forged);
    assert_eq!(lab.status().expect("status")[0].quarantined, quarantined);
}

fn a_lab_restored_from_an_older_backup_takes_the_rest_again(b: Backend) {
    let mut books = Books::new(b);
    let mut lab = books.lab();
    let k = kiosk(&small(1, 11), 0);
    let batches = enrolled(&mut lab, &k);
    let n = k.events.len() as u64;
    receive(&mut lab, &batches[..1]);
    drop(lab);
    let backup = books.backup();
    let mut lab = books.lab();
    assert_eq!(receive(&mut lab, &batches[1..]), (n - 250, 0, 0));
    assert_eq!(acked(&lab, &k.code), n);
    drop(lab);
    // The disk is lost; the backup, which held the first batch, is put back.
    books.restore(backup);
    let mut lab = books.lab();
    assert_eq!(acked(&lab, &k.code), 250, "it says what it holds");
    // The kiosk sends what lies above that acknowledgement, again.
    assert_eq!(receive(&mut lab, &batches[1..]), (n - 250, 0, 0));
    assert_eq!(acked(&lab, &k.code), n);
    let s = &lab.status().expect("status")[0];
    assert!(s.gaps.is_empty() && s.quarantined == 0);
    let (daily, report) = totals(&lab);
    assert_eq!(daily, report);
    assert_eq!(daily.0, receipts_in(&k));
}

fn batches_from_an_unregistered_kiosk_or_signed_by_another_key_are_refused(b: Backend) {
    let books = Books::new(b);
    let mut lab = books.lab();
    let k = kiosk(&small(1, 14), 0);
    let to = lab.identity().recipient;
    let sealed = seal(&k.signed_batches()[0], &to).expect("seal");
    let refused = lab.receive(&sealed, now());
    assert!(
        matches!(
            refused,
            Err(LabError::Batch(BatchError::UnknownKiosk { .. }))
        ),
        "{refused:?}"
    );
    // Registered under another key: the batch's signature fails.
    let other = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    lab.add_kiosk(
        &k.code,
        &hex::encode(other.verifying_key().to_bytes()),
        now(),
    )
    .expect("add kiosk");
    let refused = lab.receive(&sealed, now());
    assert!(matches!(refused, Err(LabError::Batch(_))), "{refused:?}");
    let s = &lab.status().expect("status")[0];
    assert_eq!((s.through, s.last_seq, s.quarantined), (0, 0, 0));
    assert_eq!(totals(&lab), ((0, 0), (0, 0)), "nothing was stored");
}

/// One raw HTTP/1.1 request on loopback; the status and the body.
fn post(addr: std::net::SocketAddr, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(120)))
        .expect("timeout");
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: lab\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .expect("head");
    s.write_all(body).expect("body");
    let mut got = Vec::new();
    s.read_to_end(&mut got).expect("answer");
    let split = got
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&got[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    (status, got[split + 4..].to_vec())
}

fn two_hundred_kiosks_uploading_at_once_lose_and_double_nothing(b: Backend) {
    let books = Books::new(b);
    let plan = Plan {
        kiosks: 200,
        days: 2,
        members: 3,
        per_day: 2,
        seed: 12,
        ..Plan::default()
    };
    let kiosks: Vec<SimKiosk> = (0..plan.kiosks).map(|i| kiosk(&plan, i)).collect();
    let mut lab = books.lab();
    let sealed: Vec<Vec<Vec<u8>>> = kiosks.iter().map(|k| enrolled(&mut lab, k)).collect();
    let key = parse_public_key(&lab.identity().ack_key).expect("key");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut server = dastak_lab::server::Background::start(lab, listener, Default::default());
    let answers: Vec<(String, u64, u64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = kiosks
            .iter()
            .zip(&sealed)
            .map(|(k, batches)| {
                let key = &key;
                scope.spawn(move || {
                    let mut through = 0;
                    for b in batches {
                        // Busy is an answer to try again, as a kiosk does.
                        let body = loop {
                            let (status, body) = post(addr, "/api/batches", b);
                            if status != 503 {
                                assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
                                break body;
                            }
                            std::thread::sleep(std::time::Duration::from_millis(50));
                        };
                        through = Ack::verify(&body, key).expect("ack verifies").through;
                    }
                    (k.code.clone(), through, k.events.len() as u64)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client"))
            .collect()
    });
    server.stop().expect("server stops");
    for (code, through, n) in &answers {
        assert_eq!(through, n, "{code}");
    }
    let lab = books.lab();
    let status = lab.status().expect("status");
    assert_eq!(status.len(), 200);
    let held: u64 = status.iter().map(|s| s.through).sum();
    let sent: u64 = kiosks.iter().map(|k| k.events.len() as u64).sum();
    assert_eq!(held, sent);
    assert!(
        status
            .iter()
            .all(|s| s.gaps.is_empty() && s.quarantined == 0)
    );
    let (daily, report) = totals(&lab);
    assert_eq!(daily, report);
    assert_eq!(daily.0, kiosks.iter().map(receipts_in).sum::<u64>());
}

/// Runs SQL on the books behind the lab's back (a tamper, or a check the
/// database itself refuses something).
fn raw_sql(books: &Books, b: Backend, sql: &str) -> Result<u64, String> {
    match b {
        Backend::Sqlite => {
            let conn = rusqlite::Connection::open(books.dir.path().join(dastak_lab::DB_FILE))
                .expect("open");
            conn.execute_batch(sql)
                .map(|()| conn.changes())
                .map_err(|e| e.to_string())
        }
        Backend::Postgres => {
            let mut c =
                ::postgres::Client::connect(&books.pg[0].url, ::postgres::NoTls).expect("connect");
            c.execute(sql, &[]).map_err(|e| e.to_string())
        }
    }
}

/// Death claims on either backend, through the lab's pipeline: two claims
/// a kiosk filed under rules it recorded; every refusal the steps make
/// (role, maker-checker, the objection window, order of approval, what
/// the fund holds, the amount, the day, the bank reference) writes
/// nothing; the log is one signed chain that the database keeps
/// append-only and whose tampering `check` names.
fn claims_go_through_the_pipeline_in_one_signed_chain(b: Backend) {
    use dastak_core::domain::event::FundRulesSet;
    use dastak_core::domain::fund::FundRules;
    use dastak_core::domain::money::Paise;
    use dastak_core::i18n::Lang;
    use dastak_core::wire::{Decision, Step};
    use dastak_lab::claims::{Action, ClaimStepError, Flag, State};
    use dastak_lab::officers::Role;
    let books = Books::new(b);
    let mut lab = books.lab();
    let plan = small(1, 41);
    let mut k = kiosk(&plan, 0);
    let first = enrolled(&mut lab, &k);
    receive(&mut lab, &first);
    // What the fund took, as the kiosk's events say.
    let took: i64 = k
        .events
        .iter()
        .map(|e| Event::from_canonical(e.as_bytes()).expect("parses").body)
        .map(|body| match body {
            Body::ContributionTaken(c) if c.scheme == "FUND" => c.amount.0,
            Body::ContributionReversed(r) if r.scheme == "FUND" => -r.amount.0,
            _ => 0,
        })
        .sum();
    assert!(took > 0, "the simulated fund took money");
    assert_eq!(lab.fund_balance("FUND", &[]).expect("balance"), Paise(took));

    // Rules the kiosk recorded: a benefit of two thirds of what the fund
    // holds, 10% fee, so one claim can be paid and a second cannot.
    let gross = Paise::from_rupees(took / 100 * 2 / 3);
    let net = Paise(gross.0 - gross.0 / 10);
    let start = plan.start;
    let day = |d: i64| start.checked_add(jiff::Span::new().days(d)).expect("day");
    let at = |d: i64| noon(start, d);
    k.push(
        at(plan.days.into()),
        Body::FundRulesSet(FundRulesSet {
            scheme: "FUND".into(),
            rules: FundRules {
                benefit: gross,
                fee_percent: 10,
                ..FundRules::standard(start)
            },
            by: "ADMIN".into(),
        }),
    );
    let to = lab.identity().recipient;
    for n in 1..=2u32 {
        let member = format!("{}-{n:05}", k.code);
        let claim = k.claim(n, &member, day(30), &to).expect("claim");
        k.push(at(i64::from(plan.days) + 1), Body::ClaimFiled(claim));
    }
    let again: Vec<Vec<u8>> = k
        .signed_batches()
        .iter()
        .map(|b| seal(b, &to).expect("seal"))
        .collect();
    let (new, _, q) = receive(&mut lab, &again);
    assert_eq!((new, q), (3, 0));

    let c1 = format!("{}-C0001", k.code);
    let c2 = format!("{}-C0002", k.code);
    let lines = lab.claim_lines().expect("list");
    assert_eq!(lines.len(), 2);
    assert!(
        lines
            .iter()
            .all(|l| l.state == State::Filed && l.payable == net)
    );
    assert!(
        lines
            .iter()
            .all(|l| !l.member.is_empty() && !l.village.is_empty())
    );
    // Flags from the books: both died inside the 180 days' wait; money
    // taken after the death is flagged exactly when the kiosk took some.
    let died = day(30);
    for (c, n) in [(&c1, 1u32), (&c2, 2)] {
        let member = format!("{}-{n:05}", k.code);
        let flags = lab.claim(c).expect("claim").flags;
        assert!(
            flags.contains(&Flag::DiedWaiting { until: day(180) }),
            "{flags:?}"
        );
        let paid_after = k.events.iter().any(|e| {
            let e = Event::from_canonical(e.as_bytes()).expect("parses");
            let on = dastak_core::domain::time::local_date(e.at.parse().expect("at"));
            matches!(&e.body, Body::ContributionTaken(t) if t.member_id == member && t.scheme == "FUND")
                && on > died
        });
        assert_eq!(
            flags
                .iter()
                .any(|f| matches!(f, Flag::PaidAfterDeath { .. })),
            paid_after,
            "{c}: {flags:?}"
        );
    }
    let shown = lab.claim(&c1.to_lowercase()).expect("show");
    assert_eq!(
        shown.member.expect("member").enrolled_on,
        Some(start.to_string())
    );
    assert_eq!(
        lab.open_account(&shown.filing.account)
            .expect("opens")
            .len(),
        12
    );

    let pw = "a long password";
    for (name, role) in [
        ("vikram", Role::Viewer),
        ("vera", Role::Officer),
        ("arun", Role::Approver),
        ("asha", Role::Approver),
    ] {
        lab.add_officer("cli", name, pw, role, None, Lang::En, now())
            .expect("officer");
    }
    let t = |d: i64| at(i64::from(plan.days) + d);
    let step =
        |lab: &mut Lab, who: &str, c: &str, a: Action, d: i64| lab.claim_step(who, pw, c, a, t(d));
    let refused = |r: Result<Decision, LabError>| match r {
        Err(LabError::ClaimStep(e)) => e,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let log_len = |lab: &Lab| lab.check_claim_log().expect("log holds");

    // Who may do what.
    let verified = step(&mut lab, "vera", &c1, Action::Verify, 2).expect("verify");
    assert_eq!((verified.n, verified.step), (1, Step::Verified));
    assert_eq!(log_len(&lab), 1);
    assert_eq!(
        refused(step(&mut lab, "vikram", &c2, Action::Verify, 2)),
        ClaimStepError::Role {
            need: Role::Officer
        }
    );
    assert!(matches!(
        step(&mut lab, "vera", &c1, Action::Verify, 2),
        Err(LabError::ClaimStep(ClaimStepError::State { .. }))
    ));
    assert!(matches!(
        step(&mut lab, "vera", &c1, Action::Approve, 2),
        Err(LabError::ClaimStep(ClaimStepError::Role {
            need: Role::Approver
        }))
    ));
    assert!(matches!(
        lab.claim_step("vera", "wrong password!", &c2, Action::Verify, t(2)),
        Err(LabError::BadLogin)
    ));
    assert!(matches!(
        step(&mut lab, "vera", "NOPE-C0001", Action::Verify, 2),
        Err(LabError::ClaimStep(ClaimStepError::NoSuchClaim { .. }))
    ));
    assert_eq!(log_len(&lab), 1, "a refusal writes nothing");

    // Published: objections heard for the rules' seven days.
    let published = step(&mut lab, "vera", &c1, Action::Publish, 2).expect("publish");
    let until = day(i64::from(plan.days) + 2 + 7);
    assert_eq!(published.step, Step::Published { until });
    assert_eq!(
        refused(step(&mut lab, "asha", &c1, Action::Approve, 9)),
        ClaimStepError::WindowOpen { until }
    );
    assert!(matches!(
        refused(step(
            &mut lab,
            "vera",
            &c1,
            Action::Object {
                objection: "\u{7}".into()
            },
            3
        )),
        ClaimStepError::Objection(_)
    ));
    step(
        &mut lab,
        "vera",
        &c1,
        Action::Object {
            objection: "सरपंच: दावेदार का पता जाँचें".into(),
        },
        3,
    )
    .expect("an objection inside the window");
    assert_eq!(
        refused(step(
            &mut lab,
            "vera",
            &c1,
            Action::Object {
                objection: "too late to object".into()
            },
            10
        )),
        ClaimStepError::WindowClosed { until }
    );

    // The second claim: verified by an approver, who may not decide it.
    step(&mut lab, "arun", &c2, Action::Verify, 2).expect("verify c2");
    step(&mut lab, "vera", &c2, Action::Publish, 2).expect("publish c2");
    assert_eq!(
        refused(step(&mut lab, "arun", &c2, Action::Approve, 10)),
        ClaimStepError::SameChecker {
            verifier: "arun".into()
        }
    );
    // Approved: C2 first, then C1 — payments go in that order.
    let a2 = step(&mut lab, "asha", &c2, Action::Approve, 10).expect("approve c2");
    assert_eq!(a2.step, Step::Approved { amount: net });
    step(&mut lab, "arun", &c1, Action::Approve, 10).expect("approve c1");
    assert!(matches!(
        step(
            &mut lab,
            "asha",
            &c1,
            Action::Reject {
                reasons: "late thoughts".into()
            },
            10
        ),
        Err(LabError::ClaimStep(ClaimStepError::State { .. }))
    ));
    let lines = lab.claim_lines().expect("list");
    let waiting: Vec<&str> = lines
        .iter()
        .filter(|l| l.waiting_for_money)
        .map(|l| l.claim.as_str())
        .collect();
    assert_eq!(waiting, [c1.as_str()], "the fund pays one: the later waits");

    let pay = |amount: Paise, bank_ref: &str, on: i64| Action::Pay {
        amount,
        bank_refs: vec![bank_ref.into()],
        on: day(i64::from(plan.days) + on),
    };
    assert_eq!(
        refused(step(&mut lab, "vera", &c1, pay(net, "UTR123456", 11), 11)),
        ClaimStepError::NotInOrder { first: c2.clone() }
    );
    assert!(matches!(
        refused(step(
            &mut lab,
            "vera",
            &c2,
            pay(Paise(net.0 + 100), "UTR123456", 11),
            11
        )),
        ClaimStepError::Amount { .. }
    ));
    assert_eq!(
        refused(step(&mut lab, "vera", &c2, pay(net, "UTR 12;--", 11), 11)),
        ClaimStepError::BankRef
    );
    assert!(matches!(
        refused(step(&mut lab, "vera", &c2, pay(net, "UTR123456", 12), 11)),
        ClaimStepError::PaidOn { .. }
    ));
    // The whole account, for the transfer: an officer's, once approved.
    assert!(matches!(
        lab.claim_account("vikram", pw, &c2, t(11)),
        Err(LabError::ClaimStep(ClaimStepError::Role { .. }))
    ));
    let (_, transfers) = lab.claim_account("vera", pw, &c2, t(11)).expect("account");
    assert_eq!(transfers.len(), 1, "one nominee: one transfer");
    let digits = &transfers[0].number;
    assert_eq!(digits.len(), 12);
    assert_eq!(
        &digits[8..],
        lab.claim(&c2).expect("c2").filing.account.last4
    );
    let before = log_len(&lab);
    let paid = step(&mut lab, "vera", &c2, pay(net, "utr123456", 11), 11).expect("pay c2");
    assert_eq!(
        paid.step,
        Step::Paid {
            amount: net,
            bank_ref: "UTR123456".into(),
            on: day(i64::from(plan.days) + 11),
            parts: Vec::new(),
        }
    );
    assert_eq!(log_len(&lab), before + 1);
    assert_eq!(
        lab.fund_balance("FUND", &lab.claims().expect("claims"))
            .expect("balance"),
        Paise(took - net.0)
    );
    assert_eq!(
        refused(step(&mut lab, "vera", &c1, pay(net, "UTR999999", 11), 11)),
        ClaimStepError::FundShort {
            balance: Paise(took - net.0),
            need: net
        }
    );
    assert_eq!(lab.claim(&c2).expect("c2").state, State::Paid);

    // The month's statement: what the kiosk's events took, less the one
    // payout; the fee shown and kept; members by standing (both claimed
    // members as died), signed with the lab's key.
    let paid_day = t(11);
    let month =
        dastak_core::domain::time::month_code(dastak_core::domain::time::local_date(paid_day));
    let s = lab
        .fund_statement("fund", &month, paid_day)
        .expect("statement");
    assert_eq!(
        (s.scheme.as_str(), s.month.as_str()),
        ("FUND", month.as_str())
    );
    assert_eq!(s.opening.0 + s.collected.0, took);
    assert_eq!((s.payouts, s.fees), (net, Paise(gross.0 / 10)));
    assert_eq!(s.closing, Paise(took - net.0));
    assert_eq!(
        s.closing,
        lab.fund_balance("FUND", &lab.claims().expect("claims"))
            .expect("balance")
    );
    let paid_lines: Vec<(&str, &str, Paise)> = s
        .claims
        .iter()
        .filter(|c| c.step == "paid")
        .map(|c| (c.claim.as_str(), c.name.as_str(), c.amount))
        .collect();
    assert_eq!(paid_lines.len(), 1);
    assert_eq!((paid_lines[0].0, paid_lines[0].2), (c2.as_str(), net));
    assert!(
        paid_lines[0].1.ends_with('.'),
        "a masked name: {paid_lines:?}"
    );
    let fund_members = k
        .events
        .iter()
        .filter(|e| {
            matches!(Event::from_canonical(e.as_bytes()).expect("parses").body,
                Body::Enrolled(en) if en.scheme == "FUND")
        })
        .count() as u64;
    let m = &s.members;
    assert_eq!(m.died, 2);
    assert_eq!(
        m.waiting + m.good + m.grace + m.lapsed + m.died,
        fund_members
    );
    let key = parse_public_key(&lab.identity().ack_key).expect("ack key");
    let stick = tempfile::tempdir().expect("stick");
    let path = lab
        .write_fund_statement(s.clone(), stick.path())
        .expect("written");
    assert!(path.ends_with(format!("statement-FUND-{month}.txt")));
    let signed = std::fs::read(&path).expect("read");
    let read = dastak_core::wire::FundStatement::verify(&signed, &key).expect("verifies");
    assert_eq!(read.closing, s.closing);
    let forged = String::from_utf8(signed).expect("utf8").replacen(
        &format!("\"closing\":{}", s.closing.0),
        "\"closing\":1",
        1,
    );
    assert!(dastak_core::wire::FundStatement::verify(forged.as_bytes(), &key).is_err());
    for bad in ["2026-13", "next month", "2999-01"] {
        assert!(
            matches!(
                lab.fund_statement("FUND", bad, paid_day),
                Err(LabError::BadMonth { .. })
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        lab.claim_account("vera", pw, &c2, t(12)),
        Err(LabError::ClaimStep(ClaimStepError::State { .. }))
    ));

    // The log: each entry signed, chained, in the order taken, and every
    // step in the audit log.
    let entries = log_len(&lab);
    assert_eq!(entries, 8);
    let audited = lab
        .audit_log(100)
        .expect("audit")
        .iter()
        .filter(|e| e.action == "claim")
        .count();
    assert_eq!(audited, entries);

    // The kiosk's acknowledgement carries every decision on its claims,
    // each signed by the lab, in the log's order and in an order a claim
    // may take; another kiosk's carries none.
    let key = parse_public_key(&lab.identity().ack_key).expect("ack key");
    let ack = Ack::verify(&lab.ack(&k.code, t(12)).expect("ack"), &key).expect("verifies");
    let carried: Vec<Decision> = ack
        .decisions
        .iter()
        .map(|d| Decision::verify(d.as_bytes(), &key).expect("signed by the lab"))
        .collect();
    assert_eq!(
        carried.iter().map(|d| d.n).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<u64>>()
    );
    for c in [&c1, &c2] {
        let mut before = Vec::new();
        for d in carried.iter().filter(|d| &d.claim == c) {
            assert!(
                d.step.may_follow(&before),
                "{c}: {:?} after {before:?}",
                d.step
            );
            before.push(d.step.clone());
        }
    }
    let other = kiosk(&plan, 1);
    enrolled(&mut lab, &other);
    let none = Ack::verify(&lab.ack(&other.code, t(12)).expect("ack"), &key).expect("verifies");
    assert!(none.decisions.is_empty());
    drop(lab);
    // Two officers' steps decided on the same log: the second one's entry
    // number is taken, and it is not written.
    {
        let mut store = books.db.open().expect("store");
        let last = store.claim_log().expect("log").pop().expect("an entry");
        assert!(
            !store
                .append_claim_log(8, &k.code, &c1, &last)
                .expect("append")
        );
        assert_eq!(store.claim_log().expect("log").len(), 8);
    }

    // The database keeps the log append-only; a change made around that
    // is named by the check, and no step is taken on a broken log.
    assert!(raw_sql(&books, b, "UPDATE claim_log SET claim = 'X'").is_err());
    assert!(raw_sql(&books, b, "DELETE FROM claim_log").is_err());
    let (drop_guard, amount_tamper) = match b {
        Backend::Sqlite => (
            "DROP TRIGGER claim_log_no_update; DROP TRIGGER claim_log_no_delete",
            "UPDATE claim_log SET signed = CAST(replace(CAST(signed AS TEXT), 'approved', 'rejected') AS BLOB) WHERE n = 6",
        ),
        Backend::Postgres => (
            "DROP TRIGGER claim_log_append_only ON claim_log",
            "UPDATE claim_log SET signed = convert_to(replace(convert_from(signed, 'UTF8'), 'approved', 'rejected'), 'UTF8') WHERE n = 6",
        ),
    };
    raw_sql(&books, b, drop_guard).expect("drop the guard");
    raw_sql(&books, b, amount_tamper).expect("tamper");
    let mut lab = books.lab();
    assert!(matches!(
        lab.check_claim_log(),
        Err(LabError::ClaimLog(
            dastak_lab::claims::LogError::Signature { n: 6 }
        ))
    ));
    assert!(matches!(
        lab.claim_step("asha", pw, &c1, Action::Verify, t(12)),
        Err(LabError::ClaimLog(_))
    ));
    raw_sql(&books, b, "DELETE FROM claim_log WHERE n = 6").expect("remove");
    assert!(matches!(
        books.lab().check_claim_log(),
        Err(LabError::ClaimLog(dastak_lab::claims::LogError::Chain {
            n: 6
        }))
    ));
}

/// A claim records a death: the member's enrolments end on that day in
/// what the dashboard reckons (no arrears chased, no dues expected after
/// it), in every scheme; a rejected claim records none.
fn a_recorded_death_ends_dues_at_the_lab_and_a_rejected_claim_records_none(b: Backend) {
    use dastak_core::i18n::Lang;
    use dastak_lab::claims::Action;
    use dastak_lab::officers::Role;
    let books = Books::new(b);
    let mut lab = books.lab();
    let plan = small(1, 43);
    let mut k = kiosk(&plan, 0);
    let first = enrolled(&mut lab, &k);
    receive(&mut lab, &first);
    let member = format!("{}-00001", k.code);
    let left = |lab: &Lab| -> Vec<Option<String>> {
        dastak_lab::enrolments(lab)
            .expect("enrolments")
            .into_iter()
            .filter(|e| e.member_id == member)
            .map(|e| e.left_on)
            .collect()
    };
    let before = left(&lab);
    assert!(
        !before.is_empty() && before.iter().all(Option::is_none),
        "{before:?}"
    );

    let died = plan
        .start
        .checked_add(jiff::Span::new().days(30))
        .expect("day");
    let to = lab.identity().recipient;
    let claim = k.claim(1, &member, died, &to).expect("claim");
    let filed_at = noon(plan.start, i64::from(plan.days) + 1);
    k.push(filed_at, Body::ClaimFiled(claim.clone()));
    receive_all_again(&mut lab, &k);
    assert_eq!(
        left(&lab),
        vec![Some(died.to_string()); before.len()],
        "every enrolment of hers ends on the day she died"
    );

    lab.add_officer(
        "cli",
        "asha",
        "a long password",
        Role::Approver,
        None,
        Lang::En,
        now(),
    )
    .expect("officer");
    lab.claim_step(
        "asha",
        "a long password",
        &claim.claim,
        Action::Reject {
            reasons: "the certificate is not of this member".into(),
        },
        filed_at,
    )
    .expect("reject");
    assert_eq!(left(&lab), before, "a rejected claim records no death");
}

/// A member leaves a scheme, pays what she owed from before, and joins
/// again, each reaching the lab in a later upload: the enrolments say she
/// left on that day, keep it when a later upload writes her row again
/// without deciding her leaving, and clear it when she rejoins. (Guards
/// the rollups' merge of `left_on` over a row already held: the day a
/// leaving decided, the row's own day when nothing decided it.)
fn leaving_a_scheme_and_joining_again_is_what_the_enrolments_say(b: Backend) {
    use dastak_core::domain::event::{Enrolled, SchemeLeft};
    let books = Books::new(b);
    let mut lab = books.lab();
    let plan = small(1, 44);
    let mut k = kiosk(&plan, 0);
    let first = enrolled(&mut lab, &k);
    receive(&mut lab, &first);
    let member = format!("{}-00001", k.code);
    let rows = |lab: &Lab| -> BTreeMap<String, (Option<String>, i64)> {
        dastak_lab::enrolments(lab)
            .expect("enrolments")
            .into_iter()
            .filter(|e| e.member_id == member)
            .map(|e| (e.scheme, (e.left_on, e.periods)))
            .collect()
    };
    let before = rows(&lab);
    let scheme = before.keys().next().expect("she is enrolled").clone();
    assert!(
        before.values().all(|(left, _)| left.is_none()),
        "{before:?}"
    );

    let day = |d: i64| {
        plan.start
            .checked_add(jiff::Span::new().days(d))
            .expect("day")
    };
    let days = i64::from(plan.days);
    k.push(
        noon(plan.start, days + 1),
        Body::SchemeLeft(SchemeLeft {
            member_id: member.clone(),
            scheme: scheme.clone(),
            on: day(days + 1),
            reason: "moved away".into(),
            by: "VOL1".into(),
        }),
    );
    receive_all_again(&mut lab, &k);
    let left = rows(&lab);
    assert_eq!(
        left[&scheme].0,
        Some(day(days + 1).to_string()),
        "she left on that day"
    );
    assert_eq!(left[&scheme].1, before[&scheme].1, "no period added");

    // Her dues from before she left, paid in a later upload: her row is
    // written again without anything deciding her leaving, and the day
    // stays.
    k.push(
        noon(plan.start, days + 2),
        Body::ContributionTaken(dastak_core::domain::event::ContributionTaken {
            receipt: format!("{}/2026-27/900001", k.code),
            member_id: member.clone(),
            scheme: scheme.clone(),
            amount: dastak_core::domain::money::Paise(2_000),
            first_period: 0,
            periods: 1,
            by: "VOL1".into(),
        }),
    );
    receive_all_again(&mut lab, &k);
    let paid = rows(&lab);
    assert_eq!(paid[&scheme].0, left[&scheme].0, "the leaving day stays");
    assert_eq!(paid[&scheme].1, before[&scheme].1 + 1, "one period more");

    k.push(
        noon(plan.start, days + 3),
        Body::Enrolled(Enrolled {
            member_id: member.clone(),
            scheme: scheme.clone(),
            group: None,
            on: day(days + 3),
            nominee: None,
            by: "VOL1".into(),
        }),
    );
    receive_all_again(&mut lab, &k);
    let back = rows(&lab);
    assert_eq!(back[&scheme].0, None, "joined again: no leaving day");
    assert_eq!(back[&scheme].1, before[&scheme].1 + 1, "periods kept");
}

/// The family went to two kiosks: each files for the same death. The lab
/// hears both, flags each with the other, approves one, and refuses to
/// approve the second (one death is paid once); the second is rejected.
fn two_kiosks_filing_for_one_member_are_both_heard_and_only_one_is_approved(b: Backend) {
    use dastak_core::i18n::Lang;
    use dastak_lab::claims::{Action, ClaimStepError, Flag, State};
    use dastak_lab::officers::Role;
    let books = Books::new(b);
    let mut lab = books.lab();
    let plan = small(2, 47);
    let (mut home, mut other) = (kiosk(&plan, 0), kiosk(&plan, 1));
    for k in [&home, &other] {
        let batches = enrolled(&mut lab, k);
        receive(&mut lab, &batches);
    }
    let to = lab.identity().recipient;
    let member = format!("{}-00001", home.code);
    let died = plan
        .start
        .checked_add(jiff::Span::new().days(30))
        .expect("day");
    let at = |d: i64| noon(plan.start, d);
    let filed = i64::from(plan.days) + 1;
    let first = home.claim(1, &member, died, &to).expect("claim");
    let mut twin = first.clone();
    twin.claim = format!("{}-C0001", other.code);
    home.push(at(filed), Body::ClaimFiled(first.clone()));
    other.push(at(filed), Body::ClaimFiled(twin.clone()));
    for k in [&home, &other] {
        receive_all_again(&mut lab, k);
    }
    let flags = |lab: &Lab, c: &str| lab.claim(c).expect("claim").flags;
    assert!(
        flags(&lab, &first.claim).contains(&Flag::SameMember {
            other: twin.claim.clone()
        }),
        "{:?}",
        flags(&lab, &first.claim)
    );
    assert!(
        flags(&lab, &twin.claim).contains(&Flag::SameMember {
            other: first.claim.clone()
        }),
        "{:?}",
        flags(&lab, &twin.claim)
    );

    let pw = "a long password";
    for (name, role) in [("vera", Role::Officer), ("asha", Role::Approver)] {
        lab.add_officer("cli", name, pw, role, None, Lang::En, now())
            .expect("officer");
    }
    let t = |d: i64| at(filed + d);
    for c in [&first.claim, &twin.claim] {
        lab.claim_step("vera", pw, c, Action::Verify, t(1))
            .expect("verify");
        lab.claim_step("vera", pw, c, Action::Publish, t(1))
            .expect("publish");
    }
    lab.claim_step("asha", pw, &twin.claim, Action::Approve, t(10))
        .expect("the first approved");
    let log = lab.check_claim_log().expect("log");
    match lab.claim_step("asha", pw, &first.claim, Action::Approve, t(10)) {
        Err(LabError::ClaimStep(ClaimStepError::MemberClaimed { other })) => {
            assert_eq!(other, twin.claim)
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(lab.check_claim_log().expect("log"), log, "nothing written");
    lab.claim_step(
        "asha",
        pw,
        &first.claim,
        Action::Reject {
            reasons: format!("{} is approved for this death", twin.claim),
        },
        t(10),
    )
    .expect("rejected");
    assert_eq!(
        lab.claim(&first.claim).expect("claim").state,
        State::Rejected
    );
    assert_eq!(
        lab.claim(&twin.claim).expect("claim").state,
        State::Approved
    );
}

macro_rules! stories {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $story() { super::$story(super::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $story() { super::$story(super::Backend::Postgres) })*
        }
    };
}

/// Officers on either backend: one name once, a session found only by its
/// token and only until it expires, a logout that ends it, the places of
/// kiosks from their first event, and an audit log the database itself
/// keeps append-only.
fn officers_log_in_their_sessions_expire_and_the_audit_log_cannot_be_changed(b: Backend) {
    use dastak_core::i18n::Lang;
    use dastak_lab::officers::Role;
    let books = Books::new(b);
    let mut lab = books.lab();
    let t0 = now();
    lab.add_officer(
        "cli",
        "Asha.K",
        "a long password",
        Role::Officer,
        Some("Jaipur"),
        Lang::En,
        t0,
    )
    .expect("add");
    let again = lab.add_officer(
        "cli",
        "asha.k",
        "another password",
        Role::Admin,
        None,
        Lang::Hi,
        t0,
    );
    assert!(
        matches!(again, Err(LabError::OfficerExists { .. })),
        "{again:?}"
    );
    assert!(matches!(
        lab.add_officer("cli", "ravi", "short", Role::Viewer, None, Lang::Hi, t0),
        Err(LabError::ShortPassword { .. })
    ));
    assert!(matches!(
        lab.add_officer(
            "cli",
            "ravi",
            &"x".repeat(200),
            Role::Viewer,
            None,
            Lang::Hi,
            t0
        ),
        Err(LabError::LongPassword { .. })
    ));
    assert!(matches!(
        lab.add_officer(
            "cli",
            "<b>",
            "a long password",
            Role::Viewer,
            None,
            Lang::Hi,
            t0
        ),
        Err(LabError::BadOfficerName)
    ));

    assert!(matches!(
        lab.login("asha.k", "wrong password", t0),
        Err(LabError::BadLogin)
    ));
    assert!(matches!(
        lab.login("nobody", "a long password", t0),
        Err(LabError::BadLogin)
    ));
    let (token, s) = lab.login("ASHA.K", "a long password", t0).expect("login");
    assert_eq!(
        (s.officer.as_str(), s.role, s.district.as_deref()),
        ("asha.k", Role::Officer, Some("Jaipur"))
    );
    let found = lab.session(&token, t0).expect("read").expect("live");
    assert_eq!(found.csrf, s.csrf);
    assert!(lab.session("not-a-token", t0).expect("read").is_none());
    let later = t0 + jiff::SignedDuration::from_hours(11);
    assert!(
        lab.session(&token, later).expect("read").is_none(),
        "expired"
    );
    lab.set_officer_lang(&found, Lang::Hi, t0).expect("lang");
    assert_eq!(
        lab.session(&token, t0).expect("read").expect("live").lang,
        Lang::Hi
    );
    lab.logout(&found, t0).expect("logout");
    assert!(
        lab.session(&token, t0).expect("read").is_none(),
        "logged out"
    );

    let actions: Vec<String> = lab
        .audit_log(100)
        .expect("log")
        .iter()
        .map(|e| e.action.clone())
        .collect();
    assert_eq!(
        actions,
        [
            "logout",
            "set_lang",
            "login",
            "login_failed",
            "login_failed",
            "officer_add"
        ]
    );

    // Each kiosk's panchayat, read from its first event.
    let plan = small(2, 31);
    lab.simulate(&plan, t0).expect("simulate");
    let places = lab.kiosk_places().expect("places");
    assert_eq!(places.len(), 2);
    assert!(
        places
            .values()
            .all(|p| !p.panchayat.is_empty() && !p.block.is_empty() && p.district == "जयपुर"),
        "{places:?}"
    );
    drop(lab);

    // The database refuses to change the audit log, whoever asks.
    match b {
        Backend::Sqlite => {
            let conn = rusqlite::Connection::open(books.dir.path().join(dastak_lab::DB_FILE))
                .expect("open");
            assert!(conn.execute("UPDATE audit SET officer = 'x'", []).is_err());
            assert!(conn.execute("DELETE FROM audit", []).is_err());
        }
        Backend::Postgres => {
            let mut c =
                ::postgres::Client::connect(&books.pg[0].url, ::postgres::NoTls).expect("connect");
            assert!(c.execute("UPDATE audit SET officer = 'x'", &[]).is_err());
            assert!(c.execute("DELETE FROM audit", &[]).is_err());
        }
    }
    assert_eq!(books.lab().audit_log(100).expect("log").len(), 6);
}

/// What the operators' rollup must hold, counted here from the kiosks'
/// own events: per (kiosk, operator, day), receipts, reversals,
/// registrations, enrolments, clock confirmations, and events dated
/// before the event before them.
fn operators_counted_from(kiosks: &[SimKiosk]) -> BTreeMap<(String, String, String), [u64; 6]> {
    let mut out: BTreeMap<(String, String, String), [u64; 6]> = BTreeMap::new();
    for k in kiosks {
        let mut before: Option<String> = None;
        for e in &k.events {
            let e = Event::from_canonical(e.as_bytes()).expect("a simulated event parses");
            let back = before.as_ref().is_some_and(|b| e.at < *b);
            before = Some(e.at.clone());
            let by = e.body.by().to_string();
            if by.is_empty() {
                continue;
            }
            let c = out
                .entry((k.code.clone(), by, e.at[..10].to_string()))
                .or_default();
            match e.body.kind() {
                "contribution_taken" => c[0] += 1,
                "contribution_reversed" => c[1] += 1,
                "member_registered" => c[2] += 1,
                "enrolled" => c[3] += 1,
                "clock_confirmed" => c[4] += 1,
                _ => {}
            }
            c[5] += u64::from(back);
        }
    }
    out
}

fn operators_held(lab: &Lab) -> BTreeMap<(String, String, String), [u64; 6]> {
    dastak_lab::operator_days(lab, "", "9999-99-99")
        .expect("operator days")
        .into_iter()
        .map(|o| {
            (
                (o.kiosk, o.operator, o.day),
                [
                    o.receipts,
                    o.reversals,
                    o.registrations,
                    o.enrolments,
                    o.clock_confirms,
                    o.backdated,
                ],
            )
        })
        .collect()
}

/// Undoes PostgreSQL step 7: a row a held number in `event_keys`, as
/// labs held them before the numbers' runs (the schema version is left to
/// the caller).
const BEFORE_EVENT_RUNS: &str = "
    CREATE TABLE event_keys (kiosk text NOT NULL, seq bigint NOT NULL,
                             hash text NOT NULL, PRIMARY KEY (kiosk, seq));
    INSERT INTO event_keys SELECT kiosk, seq, hash FROM events;
    DROP TABLE event_runs;";

/// The books taken back to before the operators' rollup (SQLite's step 5,
/// PostgreSQL's step 2), as a lab of that age left them.
fn step_back_before_operators(db: &DbUrl) {
    match db {
        DbUrl::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).expect("db");
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
                 ALTER TABLE events DROP COLUMN operator;
                 ALTER TABLE events DROP COLUMN aadhaar_last4;
                 ALTER TABLE events DROP COLUMN aadhaar_hash;
                 ALTER TABLE kiosk_heads DROP COLUMN through_at;
                 PRAGMA user_version = 5;",
            )
            .expect("back to step 5");
        }
        DbUrl::Postgres(url) => {
            let mut c = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
            c.batch_execute(BEFORE_EVENT_RUNS).expect("back to step 6");
            c.batch_execute(
                "DROP TABLE claim_log; DROP FUNCTION claim_log_append_only(); DROP INDEX events_fund;
             DROP TABLE lab_households; DROP INDEX lab_members_by_card;
             ALTER TABLE lab_members DROP COLUMN ration_card; ALTER TABLE events DROP COLUMN ration_card;
             DROP TABLE lab_enrolments; DROP TABLE lab_schemes;
             ALTER TABLE lab_members DROP COLUMN name; ALTER TABLE events DROP COLUMN frequency;
             ALTER TABLE events DROP COLUMN periods; ALTER TABLE events DROP COLUMN on_date;
             ALTER TABLE events DROP COLUMN member_name;
             DROP TABLE operator_daily; DROP TABLE aadhaar_seen; DROP TABLE monthly;
             DROP INDEX events_closes;
                 ALTER TABLE events DROP COLUMN operator, DROP COLUMN aadhaar_last4,
                     DROP COLUMN aadhaar_hash;
                 ALTER TABLE kiosk_heads DROP COLUMN through_at;
                 DELETE FROM lab_schema WHERE version >= 3;",
            )
            .expect("back to step 2");
        }
    }
}

/// Everything ingest keeps of a lab's events, for comparing two labs.
fn kept(lab: &Lab) -> String {
    let mut status = lab.status().expect("status");
    for s in &mut status {
        s.last_contact = None;
    }
    format!(
        "{status:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        dastak_lab::daily(lab).expect("daily"),
        dastak_lab::monthly_between(lab, "", "9999-99").expect("monthly"),
        dastak_lab::operator_days(lab, "", "9999-99-99").expect("operators"),
        dastak_lab::enrolments(lab).expect("enrolments"),
        dastak_lab::coverage(lab).expect("coverage"),
        dastak_lab::scheme_dues(lab).expect("dues"),
        dastak_lab::shared_aadhaar(lab).expect("shared"),
    )
}

/// A stick's batches are folded into the rollups once a kiosk, at the end
/// of the stick: the lab must keep exactly what it keeps when the same
/// batches come one by one, whatever their order on the stick, with
/// replays among them and a refused batch in the middle (its savepoint
/// rolled back, its events in no rollup).
fn a_stick_folds_as_its_batches_would_one_by_one(b: Backend) {
    let kiosks: Vec<SimKiosk> = (0..3).map(|i| kiosk(&small(3, 13), i)).collect();
    let one = Books::new(b);
    let mut by_one = one.lab();
    let mut each = Vec::new();
    for k in &kiosks {
        each.push(enrolled(&mut by_one, k));
    }
    for batches in &each {
        receive(&mut by_one, batches);
    }
    // The first kiosk's batches last to first (each waits above a gap
    // until the first comes), the others' interleaved, one batch twice,
    // and in the middle a batch of a kiosk the lab does not know (refused
    // alone).
    let stranger = kiosk(&small(4, 13), 3);
    let on_stick = |lab: &mut Lab| -> Vec<Vec<u8>> {
        let mut sealed: Vec<Vec<Vec<u8>>> = kiosks.iter().map(|k| enrolled(lab, k)).collect();
        sealed[0].reverse();
        let mut out = in_turns(&sealed);
        out.push(sealed[1][0].clone());
        let to = lab.identity().recipient;
        let refused = seal(&stranger.signed_batches()[0], &to).expect("seal");
        out.insert(out.len() / 2, refused);
        out
    };
    let stick = Books::new(b);
    let mut at_once = stick.lab();
    let sealed = on_stick(&mut at_once);
    let got = at_once.receive_all(&sealed, now()).expect("receive all");
    assert_eq!(
        got.iter().filter(|r| r.is_err()).count(),
        1,
        "the stranger's"
    );
    let new: u64 = got.iter().flatten().map(|(_, g)| g.new).sum();
    took_all_as(&at_once, new, &kiosks, &by_one);
    // Half a stick now and the rest later, with the first kiosk's first
    // batch in the later half: its others wait in the table above the gap
    // and are read back when it comes.
    let later = Books::new(b);
    let mut halves = later.lab();
    let sealed = on_stick(&mut halves);
    let (first, rest) = sealed.split_at(sealed.len() / 2);
    halves.receive_all(first, now()).expect("first half");
    assert!(acked(&halves, &kiosks[0].code) < kiosks[0].events.len() as u64);
    assert!(
        halves.status().expect("status")[0].last_seq > 0,
        "held above the gap"
    );
    halves.receive_all(rest, now()).expect("second half");
    assert_eq!(kept(&halves), kept(&by_one));
}

/// Each operator's day is counted by ingest as the kiosks' own events
/// say, across a lab's migration to the operators' rollup (the backfill
/// and the ingest after it agree); the anomalies are there to be found:
/// days of many reversals, doubted clocks, entries dated back, and the
/// one person the simulator registers at two kiosks.
fn operators_days_and_anomalies_are_counted_as_the_events_say(b: Backend) {
    let books = Books::new(b);
    let kiosks: Vec<SimKiosk> = (0..9).map(|i| kiosk(&small(9, 12), i)).collect();
    let mut first = Vec::new();
    let mut rest = Vec::new();
    {
        let mut lab = books.lab();
        for k in &kiosks {
            let batches = enrolled(&mut lab, k);
            let half = batches.len() / 2;
            first.extend_from_slice(&batches[..half]);
            rest.extend_from_slice(&batches[half..]);
        }
        receive(&mut lab, &first);
    }
    step_back_before_operators(&books.db);
    let mut lab = books.lab();
    receive(&mut lab, &rest);
    let expected = operators_counted_from(&kiosks);
    assert_eq!(operators_held(&lab), expected);
    // The monthly rollup (filled from the daily one by the migration, then
    // kept by ingest) is the daily one added up by month.
    let mut by_month: BTreeMap<(String, String, String, String), [u64; 5]> = BTreeMap::new();
    for r in dastak_lab::daily(&lab).expect("daily") {
        let c = by_month
            .entry((r.kiosk, r.village, r.day[..7].to_string(), r.scheme))
            .or_default();
        for (v, n) in c.iter_mut().zip([
            r.receipts,
            r.amount.0 as u64,
            r.reversals,
            r.reversed.0 as u64,
            r.enrolments,
        ]) {
            *v += n;
        }
    }
    let monthly: BTreeMap<_, _> = dastak_lab::monthly_between(&lab, "", "9999-99")
        .expect("monthly")
        .into_iter()
        .map(|r| {
            (
                (r.kiosk, r.village, r.day, r.scheme),
                [
                    r.receipts,
                    r.amount.0 as u64,
                    r.reversals,
                    r.reversed.0 as u64,
                    r.enrolments,
                ],
            )
        })
        .collect();
    assert!(monthly.len() > 9, "months of several kiosks");
    assert_eq!(monthly, by_month);
    let sum = |i: usize| expected.values().map(|c| c[i]).sum::<u64>();
    assert!(
        sum(4) > 0 && sum(5) > 0,
        "the simulator doubts clocks and dates back"
    );
    let days = dastak_lab::operator_days(&lab, "", "9999-99-99").expect("days");
    let places = lab.kiosk_places().expect("places");
    let anomalies = dastak_lab::dashboard::Anomalies::compute(
        &days,
        dastak_lab::cash_differences(&lab, "").expect("differences"),
        dastak_lab::shared_aadhaar(&lab).expect("shared"),
        dastak_lab::dashboard::Scope {
            district: None,
            places: &places,
        },
    );
    assert!(!anomalies.reversals.is_empty(), "days of many reversals");
    assert!(anomalies.reversals.iter().all(|o| o.reversals >= 3));
    assert!(!anomalies.differences.is_empty());
    let shared: Vec<(&str, &str)> = anomalies
        .aadhaar
        .iter()
        .map(|r| (r.kiosk.as_str(), r.member_id.as_str()))
        .collect();
    let (a, b2) = (&kiosks[7].code, &kiosks[8].code);
    assert_eq!(
        shared,
        vec![
            (a.as_str(), format!("{a}-00001").as_str()),
            (b2.as_str(), format!("{b2}-00002").as_str())
        ],
        "one person at two kiosks, and no one else"
    );
    assert_eq!(anomalies.aadhaar[0].group, anomalies.aadhaar[1].group);
    // Each member's enrolment as her kiosk's events say: the day she
    // joined, and the periods paid less those taken back; her name; the
    // kiosk's scheme's dues.
    let mut expected: BTreeMap<(String, String, String), (Option<String>, i64)> = BTreeMap::new();
    let mut names: BTreeMap<(String, String), String> = BTreeMap::new();
    for k in &kiosks {
        for e in &k.events {
            let e = Event::from_canonical(e.as_bytes()).expect("parses");
            let key = |m: &str, s: &str| (k.code.clone(), m.to_string(), s.to_string());
            match e.body {
                Body::MemberRegistered(m) => {
                    names.insert((k.code.clone(), m.member.member_id), m.member.name);
                }
                Body::Enrolled(x) => {
                    expected.entry(key(&x.member_id, &x.scheme)).or_default().0 =
                        Some(x.on.to_string());
                }
                Body::ContributionTaken(c) => {
                    expected.entry(key(&c.member_id, &c.scheme)).or_default().1 +=
                        i64::from(c.periods);
                }
                Body::ContributionReversed(r) => {
                    expected.entry(key(&r.member_id, &r.scheme)).or_default().1 -=
                        i64::from(r.periods);
                }
                _ => {}
            }
        }
    }
    let held: BTreeMap<_, _> = dastak_lab::enrolments(&lab)
        .expect("enrolments")
        .into_iter()
        .map(|e| {
            assert_eq!(
                names.get(&(e.kiosk.clone(), e.member_id.clone())),
                Some(&e.name)
            );
            assert_eq!(e.left_on, None);
            ((e.kiosk, e.member_id, e.scheme), (e.enrolled_on, e.periods))
        })
        .collect();
    assert_eq!(held, expected);
    let dues = dastak_lab::scheme_dues(&lab).expect("dues");
    assert_eq!(dues.len(), 2 * kiosks.len(), "the fund and SHG savings");
    assert!(dues.iter().all(
        |d| (d.scheme.as_str(), d.frequency.as_str(), d.per_period.0)
            == ("FUND", "monthly", 10_000)
            || (d.scheme.as_str(), d.frequency.as_str(), d.per_period.0)
                == ("SHG", "weekly", 2_000)
    ));
    // Coverage as the kiosks' PDS lists and registrations say: per kiosk
    // and village, households listed, those with a registered member,
    // their women of 18 to 60.
    let mut listed: BTreeMap<(String, String), (u64, u64, u64)> = BTreeMap::new();
    for k in &kiosks {
        let mut cards_of_members = std::collections::BTreeSet::new();
        let mut households: BTreeMap<String, (String, u64)> = BTreeMap::new();
        for e in &k.events {
            match Event::from_canonical(e.as_bytes()).expect("parses").body {
                Body::MemberRegistered(m) => {
                    cards_of_members.extend(m.member.ration_card);
                }
                Body::HouseholdsImported(h) => {
                    for r in h.rows {
                        let woman = r.gender == dastak_core::domain::person::Gender::Female
                            && (18..=60).contains(&r.age);
                        let e = households.entry(r.ration_card).or_insert((r.village, 0));
                        e.1 += u64::from(woman);
                    }
                }
                _ => {}
            }
        }
        for (card, (village, women)) in households {
            let c = listed.entry((k.code.clone(), village)).or_default();
            c.0 += 1;
            c.1 += u64::from(cards_of_members.contains(&card));
            c.2 += women;
        }
    }
    let held: BTreeMap<_, _> = dastak_lab::coverage(&lab)
        .expect("coverage")
        .into_iter()
        .map(|c| ((c.kiosk, c.village), (c.households, c.reached, c.women)))
        .collect();
    assert!(
        held.values().any(|c| c.1 < c.0),
        "some households not reached yet"
    );
    assert_eq!(held, listed);
}

/// Each kiosk's batches taken in turns: the first of each, then the
/// second of each, and so on.
fn in_turns(each: &[Vec<Vec<u8>>]) -> Vec<Vec<u8>> {
    let longest = each.iter().map(Vec::len).max().unwrap_or(0);
    (0..longest)
        .flat_map(|i| each.iter().filter_map(move |s| s.get(i).cloned()))
        .collect()
}

/// The batches of `kiosks`, sealed to `lab`, taken in turns: a kiosk's run
/// crosses the stick's commits.
fn interleaved(lab: &mut Lab, kiosks: &[SimKiosk]) -> Vec<Vec<u8>> {
    let each: Vec<Vec<Vec<u8>>> = kiosks.iter().map(|k| enrolled(lab, k)).collect();
    in_turns(&each)
}

/// `lab` took every event of `kiosks` as new (`new` of them), keeps what
/// `by_one` kept from the same batches one by one, and acknowledges each
/// kiosk's last event.
fn took_all_as(lab: &Lab, new: u64, kiosks: &[SimKiosk], by_one: &Lab) {
    assert_eq!(
        new,
        kiosks.iter().map(|k| k.events.len() as u64).sum::<u64>()
    );
    assert_eq!(kept(lab), kept(by_one));
    for k in kiosks {
        assert_eq!(acked(lab, &k.code), k.events.len() as u64);
    }
}

/// A stick longer than one commit (`commit_sizes`) is stored in several,
/// the workers opening the next batches meanwhile: the lab keeps what it
/// keeps from the same batches one by one, and acknowledges all.
fn a_stick_longer_than_a_commit_keeps_what_one_by_one_keeps(b: Backend) {
    let kiosks: Vec<SimKiosk> = (0..30).map(|i| kiosk(&small(30, 21), i)).collect();
    let by_one = Books::new(b);
    let mut one = by_one.lab();
    let batches = interleaved(&mut one, &kiosks);
    receive(&mut one, &batches);
    let stick = Books::new(b);
    let mut lab = stick.lab();
    let sealed = interleaved(&mut lab, &kiosks);
    assert!(
        sealed.len() > 2 * dastak_lab::COMMIT_EVERY,
        "commits of the most batches, too: {} batches",
        sealed.len()
    );
    let got = lab.receive_all(&sealed, now()).expect("the stick");
    assert_eq!(got.len(), sealed.len());
    let new: u64 = got.iter().map(|r| r.as_ref().expect("taken").1.new).sum();
    took_all_as(&lab, new, &kiosks, &one);
}

stories!(
    a_stick_longer_than_a_commit_keeps_what_one_by_one_keeps,
    operators_days_and_anomalies_are_counted_as_the_events_say,
    every_event_once_and_a_replay_changes_nothing,
    a_stick_folds_as_its_batches_would_one_by_one,
    a_gap_is_reported_then_filled_and_the_rollup_waits_for_it,
    other_content_under_a_held_number_is_quarantined_not_written_over,
    a_lab_restored_from_an_older_backup_takes_the_rest_again,
    batches_from_an_unregistered_kiosk_or_signed_by_another_key_are_refused,
    two_hundred_kiosks_uploading_at_once_lose_and_double_nothing,
    officers_log_in_their_sessions_expire_and_the_audit_log_cannot_be_changed,
    claims_go_through_the_pipeline_in_one_signed_chain,
    a_recorded_death_ends_dues_at_the_lab_and_a_rejected_claim_records_none,
    leaving_a_scheme_and_joining_again_is_what_the_enrolments_say,
    two_kiosks_filing_for_one_member_are_both_heard_and_only_one_is_approved,
    two_lab_processes_storing_one_kiosks_batches_at_once_take_turns,
);

/// The command line, with `--db` naming the backend.
fn lab_cli(dir: &Path, db: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dastak-lab"))
        .arg("--data-dir")
        .arg(dir)
        .args(["--lang", "en", "--db", db])
        .args(args)
        .env_remove("DASTAK_NOW")
        .output()
        .expect("dastak-lab");
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn the_same_kiosks_give_the_same_reports_on_sqlite_and_postgres() {
    let pg = pg::Cluster::shared().database();
    let sqlite_dir = tempfile::tempdir().expect("dir");
    let sqlite = format!("sqlite:{}", sqlite_dir.path().join("books.db").display());
    let pg_dir = tempfile::tempdir().expect("dir");
    let mut seen = Vec::new();
    for (dir, db) in [
        (sqlite_dir.path(), sqlite.as_str()),
        (pg_dir.path(), &pg.url),
    ] {
        lab_cli(dir, db, &["init"]);
        lab_cli(
            dir,
            db,
            &["simulate", "--kiosks", "3", "--days", "35", "--seed", "5"],
        );
        let status: serde_json::Value =
            serde_json::from_str(&lab_cli(dir, db, &["status", "--json"])).expect("json");
        // Drop what differs by design: when the lab heard from each kiosk.
        let status: Vec<_> = status
            .as_array()
            .expect("array")
            .iter()
            .map(|s| {
                let mut s = s.clone();
                s.as_object_mut().expect("object").remove("last_contact");
                s
            })
            .collect();
        seen.push((
            status,
            lab_cli(dir, db, &["report", "--json"]),
            lab_cli(dir, db, &["report", "--daily", "--csv"]),
        ));
    }
    assert!(!seen[0].1.trim().is_empty() && seen[0].2.lines().count() > 3);
    assert_eq!(seen[0], seen[1]);
    // The SQLite side really was a file, and not the default one.
    assert!(sqlite_dir.path().join("books.db").exists());
    assert!(!sqlite_dir.path().join(dastak_lab::DB_FILE).exists());
}

#[test]
fn events_are_partitioned_by_the_month_their_kiosk_claims() {
    let books = Books::new(Backend::Postgres);
    let mut lab = books.lab();
    // 40 days from the 1st of October: October and November.
    let k = kiosk(&small(1, 13), 0);
    let batches = enrolled(&mut lab, &k);
    receive(&mut lab, &batches);
    let DbUrl::Postgres(url) = &books.db else {
        panic!("postgres")
    };
    let mut c = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
    let parts: Vec<(String, i64)> = c
        .query(
            "SELECT c.relname::text,
                    (SELECT COUNT(*) FROM events e WHERE e.tableoid = c.oid)
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'events'::regclass ORDER BY 1",
            &[],
        )
        .expect("partitions")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let names: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(names, ["events_2026_10", "events_2026_11", "events_other"]);
    assert!(
        parts[0].1 > 0 && parts[1].1 > 0 && parts[2].1 == 0,
        "{parts:?}"
    );
    let total: i64 = parts.iter().map(|p| p.1).sum();
    assert_eq!(total as usize, k.events.len());
}

#[test]
fn a_postgres_lab_that_cannot_be_reached_is_named_and_nothing_is_changed() {
    let dir = tempfile::tempdir().expect("dir");
    let sqlite = format!("sqlite:{}", dir.path().join(dastak_lab::DB_FILE).display());
    lab_cli(dir.path(), &sqlite, &["init"]);
    let before: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    let unreachable = "postgresql://nobody:secret@%2Fnonexistent%2Fsocket/lab";
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dastak-lab"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--lang", "en", "--db", unreachable, "status"])
        .output()
        .expect("dastak-lab");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("lab database:"), "{err}");
    assert!(
        !err.contains("secret"),
        "a password is never printed: {err}"
    );
    let after: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(before, after);
    // `init` against it makes no keys, so that it can be run again.
    let fresh = tempfile::tempdir().expect("dir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dastak-lab"))
        .arg("--data-dir")
        .arg(fresh.path())
        .args(["--lang", "en", "--db", unreachable, "init"])
        .output()
        .expect("dastak-lab");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("lab database:") && !err.contains("panicked"),
        "{err}"
    );
    assert!(!fresh.path().join(dastak_lab::IDENTITY_FILE).exists());
    assert!(!fresh.path().join(dastak_lab::KEY_FILE).exists());
}

/// Waits until a backend of the database at `url` waits for a lock (the
/// lab's claim behind another process's uncommitted one), a minute at
/// most; seen from a connection of its own.
fn wait_for_a_lock_wait(url: &str) {
    wait_for_lock_waits(url, 1);
}

/// How many backends of `watch`'s database wait for a lock.
fn lock_waits(watch: &mut ::postgres::Client) -> i64 {
    watch
        .query_one(
            "SELECT COUNT(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            &[],
        )
        .expect("activity")
        .get(0)
}

/// Waits until `n` backends of the database at `url` wait for a lock, a
/// minute at most.
fn wait_for_lock_waits(url: &str, n: i64) {
    let mut watch = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
    let waiting = (0..600).any(|_| {
        lock_waits(&mut watch) >= n || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            false
        }
    });
    assert!(waiting, "no lab came to wait for a lock");
}

/// Two lab processes storing different batches of one kiosk at once (a
/// stick at the import while the kiosk uploads its next batch) take
/// turns: the second waits for the first to commit, and finds the head
/// and the numbers where the first left them. Regression: on PostgreSQL
/// each read the head before the other had committed, the one that
/// committed last wrote its own back over the other's, and the next batch
/// counted again into the rollups what the head had been moved back over;
/// on SQLite the second found its reads stale and failed.
fn two_lab_processes_storing_one_kiosks_batches_at_once_take_turns(b: Backend) {
    let books = Books::new(b);
    let mut lab = books.lab();
    let k = kiosk(&small(1, 15), 0);
    let batches = enrolled(&mut lab, &k);
    assert_eq!(batches.len(), 3);
    assert_eq!(receive(&mut lab, &batches[..1]), (250, 0, 0));
    // The events' months (October and November) made ahead, so that
    // neither lab waits for the other to make one.
    let october: Timestamp = "2026-10-15T10:00:00Z".parse().expect("time");
    assert_eq!(
        lab.make_months_ahead(october).expect("months"),
        Vec::<String>::new()
    );
    // A third connection stops the labs inside their commits: on
    // PostgreSQL it holds the kiosk's head, where the first lab writes it;
    // on SQLite it holds the database's write lock, with a change.
    let holder = Holder::new(&books, &k);
    let second = batches[1].clone();
    let first = std::thread::spawn(move || {
        let got = lab.receive(&second, now());
        (lab, got)
    });
    holder.wait_for_labs(1);
    let mut other = books.lab();
    let third = batches[2].clone();
    let next = std::thread::spawn(move || other.receive(&third, now()));
    holder.wait_for_labs(2);
    holder.let_go();
    let (mut lab, got) = first.join().expect("thread");
    assert_eq!(got.expect("the first lab's batch").1.new, 250);
    let got = next.join().expect("thread");
    let last = k.events.len() as u64;
    assert_eq!(got.expect("the second lab's batch").1.new, last - 500);
    assert_eq!(acked(&lab, &k.code), last, "the head is past both");
    // Sent again, every batch is a duplicate, and every receipt is
    // counted once in the rollups.
    assert_eq!(receive(&mut lab, &batches), (0, last, 0));
    let (daily, report) = totals(&lab);
    assert_eq!(daily, report);
    assert_eq!(daily.0, receipts_in(&k));
}

/// Two lab processes store, at the same moment, two kiosks at which one
/// woman registered with the same Aadhaar reference (a stick at the import
/// while the other kiosk uploads): both of her registrations are marked
/// shared, for the anomalies page. Regression: each process marked the
/// references its own snapshot showed at two kiosks, neither saw the
/// other's row before it committed, and the pair was never marked. (A
/// third connection holds the daily rollup, which ingest writes after the
/// references, so that both come to wait there before either commits.)
#[test]
fn one_aadhaar_reference_stored_at_two_kiosks_at_once_is_marked_shared() {
    let books = Books::new(Backend::Postgres);
    let DbUrl::Postgres(url) = &books.db else {
        panic!("postgres")
    };
    // Of these, member 1 of the eighth kiosk and member 2 of the ninth are
    // one woman (operators_days_and_anomalies_are_counted_as_the_events_say).
    let kiosks: Vec<SimKiosk> = (0..9).map(|i| kiosk(&small(9, 12), i)).collect();
    let (a, b) = (&kiosks[7], &kiosks[8]);
    let mut lab = books.lab();
    let of_a = enrolled(&mut lab, a);
    let of_b = enrolled(&mut lab, b);
    // Their months made ahead, so that neither waits for the other to make
    // one.
    let october: Timestamp = "2026-10-15T10:00:00Z".parse().expect("time");
    lab.make_months_ahead(october).expect("months");
    let mut holder = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
    holder
        .batch_execute("BEGIN; LOCK TABLE daily IN EXCLUSIVE MODE")
        .expect("hold the daily rollup");
    let first = std::thread::spawn(move || lab.receive_all(&of_a, now()).map(|_| lab));
    let mut other = books.lab();
    let second = std::thread::spawn(move || other.receive_all(&of_b, now()).map(|_| ()));
    wait_for_lock_waits(url, 2);
    holder.batch_execute("ROLLBACK").expect("let go");
    let lab = first.join().expect("thread").expect("the first stick");
    second.join().expect("thread").expect("the second stick");
    let shared: Vec<(String, String)> = dastak_lab::shared_aadhaar(&lab)
        .expect("shared")
        .into_iter()
        .map(|r| (r.kiosk, r.member_id))
        .collect();
    assert_eq!(
        shared,
        vec![
            (a.code.clone(), format!("{}-00001", a.code)),
            (b.code.clone(), format!("{}-00002", b.code)),
        ],
        "one woman at two kiosks, both marked"
    );
}

/// Two lab processes store at once the first events of a month not made
/// ahead, of two kiosks (a stick at the import while another kiosk
/// uploads): both are stored, one after the other. Regression: each read
/// the events held before making the month, so the one that made it
/// waited for the other's read to end, while the other waited for the
/// partition lock the first held, and PostgreSQL refused one as a
/// deadlock. (A third connection holds that lock, the lab's key in
/// store/postgres.rs, until both have come to wait for it.)
#[test]
fn two_lab_processes_making_one_new_month_at_once_both_store() {
    const LOCK: i64 = 0x6461_7374_616b;
    let books = Books::new(Backend::Postgres);
    let DbUrl::Postgres(url) = &books.db else {
        panic!("postgres")
    };
    let october = |i| {
        kiosk(
            &Plan {
                start: jiff::civil::date(2026, 10, 1),
                days: 10,
                ..small(2, 33)
            },
            i,
        )
    };
    let (a, b) = (october(0), october(1));
    let mut lab = books.lab();
    let of_a = enrolled(&mut lab, &a);
    let of_b = enrolled(&mut lab, &b);
    let size = |lab: &Lab, batch: &[u8]| lab.open_batch(batch).expect("open").1.len() as u64;
    let (in_a, in_b) = (size(&lab, &of_a[0]), size(&lab, &of_b[0]));
    // Opened before the lock is held: opening a lab takes it to migrate.
    let mut other = books.lab();
    let mut holder = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK])
        .expect("hold the partition lock");
    let first = std::thread::spawn(move || {
        let got = receive(&mut lab, &of_a[..1]);
        (lab, got)
    });
    let one_of_b = of_b[..1].to_vec();
    let second = std::thread::spawn(move || receive(&mut other, &one_of_b));
    wait_for_lock_waits(url, 2);
    holder
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK])
        .expect("let go");
    let (lab, got) = first.join().expect("thread");
    assert_eq!(got, (in_a, 0, 0), "the first kiosk's batch");
    assert_eq!(
        second.join().expect("thread"),
        (in_b, 0, 0),
        "the second kiosk's batch"
    );
    assert_eq!(acked(&lab, &a.code), in_a);
    assert_eq!(acked(&lab, &b.code), in_b);
}

/// A month's partition made ahead ([`Lab::make_months_ahead`]): a reader
/// of the events (an officer's long export, a nightly backup) does not
/// hold up the month's first batches, as it holds up a month made by
/// ingest, which waits until the reader is done. Making months ahead
/// while a reader reads gives up after a moment and leaves them to
/// ingest, and `serve` makes this month's and the next when it starts.
#[test]
fn a_month_made_ahead_is_not_held_up_by_a_reader_of_the_events() {
    let books = Books::new(Backend::Postgres);
    let mut lab = books.lab();
    let DbUrl::Postgres(url) = &books.db else {
        panic!("postgres")
    };
    let url = url.clone();
    let partitions = |c: &mut ::postgres::Client| -> Vec<String> {
        c.query(
            "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'events'::regclass ORDER BY 1",
            &[],
        )
        .expect("partitions")
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    let mut reader = ::postgres::Client::connect(&url, ::postgres::NoTls).expect("connect");
    assert_eq!(
        lab.make_months_ahead(now()).expect("months"),
        Vec::<String>::new()
    );
    assert_eq!(
        partitions(&mut reader),
        ["events_2026_11", "events_2026_12", "events_other"]
    );
    let month = |start, i| {
        kiosk(
            &Plan {
                start,
                days: 10,
                ..small(2, 31)
            },
            i,
        )
    };
    let november = month(jiff::civil::date(2026, 11, 1), 0);
    let october = month(jiff::civil::date(2026, 10, 1), 1);
    let november_batches = enrolled(&mut lab, &november);
    let october_batches = enrolled(&mut lab, &october);
    // The reader reads, and goes on reading.
    reader
        .batch_execute("BEGIN; SELECT COUNT(*) FROM events")
        .expect("read");
    let storing = std::thread::spawn(move || {
        let got = receive(&mut lab, &november_batches);
        (lab, got)
    });
    assert!(
        finishes_before_a_lock_wait(&url, &storing),
        "November's batches waited for the reader"
    );
    let (mut lab, got) = storing.join().expect("thread");
    assert_eq!(got, (november.events.len() as u64, 0, 0));
    // October was not made ahead: its first batch waits for the reader,
    // and is stored once the reader is done.
    let storing = std::thread::spawn(move || {
        let got = receive(&mut lab, &october_batches);
        (lab, got)
    });
    assert!(!finishes_before_a_lock_wait(&url, &storing));
    reader.batch_execute("COMMIT").expect("done reading");
    let (mut lab, got) = storing.join().expect("thread");
    assert_eq!(got, (october.events.len() as u64, 0, 0));
    // Months made ahead while a reader reads: given up after a moment,
    // nothing made, nothing broken.
    reader
        .batch_execute("BEGIN; SELECT COUNT(*) FROM events")
        .expect("read");
    let later: Timestamp = "2027-01-20T10:00:00Z".parse().expect("time");
    assert_eq!(
        lab.make_months_ahead(later).expect("months"),
        ["2027-01", "2027-02"]
    );
    reader.batch_execute("COMMIT").expect("done reading");
    assert_eq!(
        partitions(&mut reader),
        [
            "events_2026_10",
            "events_2026_11",
            "events_2026_12",
            "events_other"
        ]
    );
    // The server makes this month's and the next when it starts.
    let this_month = Timestamp::now()
        .to_zoned(dastak_core::domain::time::ist())
        .date()
        .strftime("events_%Y_%m")
        .to_string();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut server = dastak_lab::server::Background::start(lab, listener, Default::default());
    let made = (0..600).any(|_| {
        partitions(&mut reader).contains(&this_month) || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            false
        }
    });
    server.stop().expect("server stops");
    assert!(made, "the server never made {this_month}");
}

/// Whether `storing` ends before any backend of the database at `url`
/// waits for a lock (polled, a minute at most).
fn finishes_before_a_lock_wait<T>(url: &str, storing: &std::thread::JoinHandle<T>) -> bool {
    let mut watch = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
    for _ in 0..600 {
        if storing.is_finished() {
            return true;
        }
        if lock_waits(&mut watch) > 0 {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("neither stored nor waiting after a minute");
}

/// A connection of its own that holds what a lab's commit needs, until
/// it lets go.
enum Holder {
    Sqlite(rusqlite::Connection),
    Postgres(Box<::postgres::Client>, String),
}

impl Holder {
    fn new(books: &Books, k: &SimKiosk) -> Holder {
        match &books.db {
            DbUrl::Sqlite(path) => {
                let c = rusqlite::Connection::open(path).expect("open");
                c.execute_batch("BEGIN IMMEDIATE; UPDATE kiosks SET last_contact = last_contact")
                    .expect("hold the write lock");
                Holder::Sqlite(c)
            }
            DbUrl::Postgres(url) => {
                let mut c = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
                c.batch_execute("BEGIN").expect("begin");
                c.execute(
                    "SELECT 1 FROM kiosk_heads WHERE kiosk = $1 FOR UPDATE",
                    &[&k.code],
                )
                .expect("hold the head");
                Holder::Postgres(Box::new(c), url.clone())
            }
        }
    }

    /// Until `n` labs wait: seen on PostgreSQL; on SQLite, which shows no
    /// waiting connection, a while (a lab that came later would still find
    /// the lock held, or the first lab's commit done).
    fn wait_for_labs(&self, n: i64) {
        match self {
            Holder::Sqlite(_) => std::thread::sleep(std::time::Duration::from_millis(500)),
            Holder::Postgres(_, url) => wait_for_lock_waits(url, n),
        }
    }

    fn let_go(self) {
        match self {
            Holder::Sqlite(c) => c.execute_batch("COMMIT").expect("commit"),
            Holder::Postgres(mut c, _) => c.batch_execute("ROLLBACK").expect("rollback"),
        }
    }
}

#[test]
fn a_batch_raced_by_another_lab_process_is_refused_whole_and_taken_when_sent_again() {
    let books = Books::new(Backend::Postgres);
    let mut lab = books.lab();
    let k = kiosk(&small(1, 15), 0);
    let batches = enrolled(&mut lab, &k);
    let DbUrl::Postgres(url) = &books.db else {
        panic!("postgres")
    };
    // Another lab process on the same database is storing event 1 of this
    // kiosk and has not committed yet.
    let mut other = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
    let mut tx = other.transaction().expect("begin");
    tx.execute(
        "INSERT INTO event_runs (kiosk, seqs) VALUES ($1, '[1,1]')",
        &[&k.code],
    )
    .expect("claim");
    let first = batches[0].clone();
    let storing = std::thread::spawn(move || {
        let got = lab.receive(&first, now());
        (lab, got)
    });
    // The lab's claim waits on the other's uncommitted one: seen from a
    // third connection as a backend waiting for a lock (a minute at most).
    wait_for_a_lock_wait(url);
    tx.commit().expect("commit");
    let (mut lab, got) = storing.join().expect("thread");
    let refused = got.expect_err("the raced batch is refused");
    assert!(
        refused.to_string().contains("send the batch again"),
        "{refused}"
    );
    let s = &lab.status().expect("status")[0];
    assert_eq!((s.through, s.last_seq), (0, 0), "nothing of it was kept");
    // The other process's claim goes (here by hand); sent again, it is taken.
    other
        .execute(
            "DELETE FROM event_runs WHERE kiosk = $1 AND seqs = '[1,1]'",
            &[&k.code],
        )
        .expect("delete");
    assert_eq!(receive(&mut lab, &batches[..1]), (250, 0, 0));
}

/// A PostgreSQL lab from before step 7 held a row for every number in
/// `event_keys`; the step turns them into runs. A kiosk with a gap keeps
/// it: the status still reports it, a held number sent again is a
/// duplicate, and the missing batch fills it.
#[test]
fn a_lab_that_held_its_numbers_one_by_one_keeps_its_gaps_as_runs() {
    let books = Books::new(Backend::Postgres);
    let k = kiosk(&small(1, 8), 0);
    let batches = {
        let mut lab = books.lab();
        let batches = enrolled(&mut lab, &k);
        receive(&mut lab, &batches[..1]);
        receive(&mut lab, &batches[2..]);
        batches
    };
    let DbUrl::Postgres(url) = &books.db else {
        panic!("postgres")
    };
    let mut c = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
    c.batch_execute(BEFORE_EVENT_RUNS).expect("back to step 6");
    c.execute("DELETE FROM lab_schema WHERE version >= 7", &[])
        .expect("step 6");
    let mut lab = books.lab();
    let last = k.events.len() as i64;
    let runs: Vec<(i64, i64)> = c
        .query(
            "SELECT lower(seqs), upper(seqs) - 1 FROM event_runs ORDER BY lower(seqs)",
            &[],
        )
        .expect("runs")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(runs, vec![(1, 250), (501, last)]);
    let s = &lab.status().expect("status")[0];
    assert_eq!((s.through, s.gaps.clone()), (250, vec![(251, 500)]));
    assert_eq!(receive(&mut lab, &batches[2..]), (0, last as u64 - 500, 0));
    assert_eq!(receive(&mut lab, &batches[1..2]), (250, 0, 0));
    let s = &lab.status().expect("status")[0];
    assert!(s.gaps.is_empty());
    assert_eq!(acked(&lab, &k.code), last as u64);
}

/// A stick is stored at once; when another lab process claims one of its
/// numbers meanwhile, the stick falls back to batch by batch: the raced
/// batch is refused whole and every other batch of the stick is kept.
#[test]
fn a_raced_batch_in_a_stick_is_refused_alone_and_the_rest_are_kept() {
    let books = Books::new(Backend::Postgres);
    let mut lab = books.lab();
    let kiosks: Vec<SimKiosk> = (0..2).map(|i| kiosk(&small(2, 16), i)).collect();
    let a = enrolled(&mut lab, &kiosks[0]);
    let b = enrolled(&mut lab, &kiosks[1]);
    let stick = vec![a[0].clone(), b[0].clone(), a[1].clone()];
    let DbUrl::Postgres(url) = &books.db else {
        panic!("postgres")
    };
    let mut other = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
    let mut tx = other.transaction().expect("begin");
    tx.execute(
        "INSERT INTO event_runs (kiosk, seqs) VALUES ($1, '[1,1]')",
        &[&kiosks[1].code],
    )
    .expect("claim");
    let storing = std::thread::spawn(move || {
        let got = lab.receive_all(&stick, now());
        (lab, got)
    });
    wait_for_a_lock_wait(url);
    tx.commit().expect("commit");
    let (lab, got) = storing.join().expect("thread");
    let got = got.expect("the stick is taken");
    assert!(got[0].as_ref().is_ok_and(|(_, g)| g.new == 250));
    let refused = got[1].as_ref().expect_err("the raced batch is refused");
    assert!(
        refused.to_string().contains("send the batch again"),
        "{refused}"
    );
    assert!(got[2].as_ref().is_ok_and(|(_, g)| g.new == 250));
    assert_eq!(acked(&lab, &kiosks[0].code), 500);
    assert_eq!(acked(&lab, &kiosks[1].code), 0, "nothing of it was kept");
}

/// A batch the database refuses half way through a stick's writing (here a
/// trigger refuses one kiosk's events, after the stick made its months'
/// partitions): the stick is rolled back, partitions and all, and written
/// again batch by batch; that batch alone is refused, and the others'
/// events go to their months' partitions, made again, not to the
/// catch-all one.
#[test]
fn a_batch_refused_mid_stick_is_refused_alone_and_its_months_are_made_again() {
    let books = Books::new(Backend::Postgres);
    let mut lab = books.lab();
    let kiosks: Vec<SimKiosk> = (0..2).map(|i| kiosk(&small(2, 18), i)).collect();
    let a = enrolled(&mut lab, &kiosks[0]);
    let b = enrolled(&mut lab, &kiosks[1]);
    let DbUrl::Postgres(url) = &books.db else {
        panic!("postgres")
    };
    let mut c = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
    c.batch_execute(&format!(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
         CREATE TRIGGER refuse BEFORE INSERT ON events FOR EACH ROW
             WHEN (NEW.kiosk = '{}') EXECUTE FUNCTION refuse();",
        kiosks[1].code
    ))
    .expect("trigger");
    let got = lab
        .receive_all(&[a[0].clone(), b[0].clone(), a[1].clone()], now())
        .expect("the stick is taken");
    assert!(got[0].as_ref().is_ok_and(|(_, g)| g.new == 250));
    assert!(got[1].is_err(), "the refused batch");
    assert!(got[2].as_ref().is_ok_and(|(_, g)| g.new == 250));
    assert_eq!(acked(&lab, &kiosks[0].code), 500);
    let count = |c: &mut ::postgres::Client, table: &str| -> i64 {
        c.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])
            .expect("count")
            .get(0)
    };
    assert_eq!(count(&mut c, "events"), 500);
    assert_eq!(
        count(&mut c, "events_other"),
        0,
        "into their months' partitions"
    );
}

/// A stick's later commit fails (the database refuses the heads of a
/// kiosk whose batches are all in it): the commits before it stay, nothing
/// of that kiosk is kept, no commit after it is tried, and every kiosk
/// keeps the start of its events, never a gap (a big commit is stored in
/// two halves that share no kiosk, and the half without the refused
/// kiosk may be kept); no acknowledgement goes on, and the same stick
/// brought again is taken: the stored part as duplicates, the rest as
/// new, and the books as if it had gone in at once.
#[test]
fn a_failed_later_commit_of_a_stick_keeps_the_earlier_and_the_stick_is_taken_again() {
    let kiosks: Vec<SimKiosk> = (0..18).map(|i| kiosk(&small(18, 22), i)).collect();
    let whole = Books::new(Backend::Postgres);
    let mut at_once = whole.lab();
    let all = interleaved(&mut at_once, &kiosks);
    at_once.receive_all(&all, now()).expect("the stick");
    let books = Books::new(Backend::Postgres);
    let mut lab = books.lab();
    // The last kiosk's batches, interleaved, all fall after the first
    // commit: its heads are written only in a later one.
    let mut sealed = interleaved(&mut lab, &kiosks[..17]);
    let last = enrolled(&mut lab, &kiosks[17]);
    // Where each commit ends: those wholly before the last kiosk's
    // batches are kept, and the first after them fails.
    let ends: Vec<usize> = dastak_lab::commit_sizes(sealed.len() + last.len())
        .into_iter()
        .scan(0, |end, size| {
            *end += size;
            Some(*end)
        })
        .collect();
    let before = ends
        .iter()
        .copied()
        .take_while(|end| *end <= sealed.len())
        .last()
        .expect("a commit before the last kiosk's batches");
    sealed.extend(last.iter().cloned());
    let DbUrl::Postgres(url) = &books.db else {
        panic!("postgres")
    };
    let mut c = ::postgres::Client::connect(url, ::postgres::NoTls).expect("connect");
    c.batch_execute(&format!(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
         CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON kiosk_heads FOR EACH ROW
             WHEN (NEW.kiosk = '{}') EXECUTE FUNCTION refuse();",
        kiosks[17].code
    ))
    .expect("trigger");
    let err = lab.receive_all(&sealed, now());
    assert!(err.is_err(), "the failed commit is an error: {err:?}");
    let count = |c: &mut ::postgres::Client, sql: &str| -> i64 {
        c.query_one(sql, &[]).expect("count").get(0)
    };
    let events_in = |batches: &[Vec<u8>]| -> i64 {
        batches
            .iter()
            .map(|s| lab.open_batch(s).expect("open").1.len() as i64)
            .sum()
    };
    let first = events_in(&sealed[..before]);
    // The failed commit: the first that holds a batch of the last kiosk.
    let failed_end = ends
        .into_iter()
        .find(|end| *end > before)
        .expect("a commit after");
    let through_failed = events_in(&sealed[..failed_end]);
    let stored = count(&mut c, "SELECT COUNT(*) FROM events");
    assert!(
        stored >= first && stored < through_failed,
        "the commits before it stay, none after it is tried, and not all of it is \
         kept: {first} ≤ {stored} < {through_failed}"
    );
    let gapped: Vec<(String, i64, i64)> = c
        .query(
            "SELECT kiosk, COUNT(*), MAX(seq) FROM events GROUP BY kiosk
             HAVING COUNT(*) <> MAX(seq) OR MIN(seq) <> 1",
            &[],
        )
        .expect("prefixes")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert!(
        gapped.is_empty(),
        "each kiosk keeps the start of its events: {gapped:?}"
    );
    assert_eq!(
        count(
            &mut c,
            &format!(
                "SELECT COUNT(*) FROM events WHERE kiosk = '{}'",
                kiosks[17].code
            )
        ),
        0,
        "nothing of the failed commit"
    );
    assert_eq!(acked(&lab, &kiosks[17].code), 0);
    c.batch_execute("DROP TRIGGER refuse ON kiosk_heads")
        .expect("drop trigger");
    let again = lab.receive_all(&sealed, now()).expect("taken again");
    let (new, duplicate) = again.iter().fold((0, 0), |t, r| {
        let g = &r.as_ref().expect("taken").1;
        (t.0 + g.new, t.1 + g.duplicate)
    });
    let total: u64 = kiosks.iter().map(|k| k.events.len() as u64).sum();
    assert!(duplicate > 0, "the stored part comes back as duplicates");
    assert_eq!(new + duplicate, total);
    assert_eq!(kept(&lab), kept(&at_once));
}

/// A stick whose commits are big enough to be stored in two halves at
/// once goes in whole on the one connection the lab has when it cannot
/// open a second (the database refusing new connections, as at its
/// limit): slower, never refused; and the lab keeps what one by one keeps.
#[test]
fn a_big_stick_goes_in_on_one_connection_when_a_second_cannot_be_opened() {
    let kiosks: Vec<SimKiosk> = (0..8).map(|i| kiosk(&small(8, 43), i)).collect();
    let by_one = Books::new(Backend::Postgres);
    let mut one = by_one.lab();
    let batches = interleaved(&mut one, &kiosks);
    receive(&mut one, &batches);
    let books = Books::new(Backend::Postgres);
    let mut lab = books.lab();
    let sealed = interleaved(&mut lab, &kiosks);
    let DbUrl::Postgres(url) = &books.db else {
        panic!("postgres")
    };
    let (cluster, name) = url.rsplit_once('/').expect("a database name");
    // (A database cannot refuse connections from within itself.)
    let mut admin = ::postgres::Client::connect(&format!("{cluster}/postgres"), ::postgres::NoTls)
        .expect("connect");
    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .expect("refuse new connections");
    assert!(
        ::postgres::Client::connect(url, ::postgres::NoTls).is_err(),
        "a new connection is refused"
    );
    let got = lab
        .receive_all(&sealed, now())
        .expect("the stick, on one connection");
    let new: u64 = got.iter().map(|r| r.as_ref().expect("taken").1.new).sum();
    took_all_as(&lab, new, &kiosks, &one);
    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .expect("allow connections again");
}

/// The kiosks' places are kept between pages; a batch stored by this lab
/// makes them read again, so a new kiosk is on the pages at once.
#[test]
fn a_new_kiosk_is_placed_as_soon_as_its_first_batch_is_stored() {
    let books = Books::new(Backend::Sqlite);
    let mut lab = books.lab();
    let k = kiosk(&small(1, 17), 0);
    let batches = enrolled(&mut lab, &k);
    assert!(lab.kiosk_places().expect("places").is_empty());
    receive(&mut lab, &batches[..1]);
    let places = lab.kiosk_places().expect("places");
    assert!(places.contains_key(&k.code), "{places:?}");
    let stick = kiosk(&small(2, 17), 1);
    let sealed = enrolled(&mut lab, &stick);
    lab.receive_all(&sealed, now()).expect("stick");
    assert!(
        lab.kiosk_places()
            .expect("places")
            .contains_key(&stick.code)
    );
}
