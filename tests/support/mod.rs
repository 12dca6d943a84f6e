//! Shared helpers for the integration tests: a real kiosk data directory in
//! a temp dir, driven through the real `dastak` binary.
#![allow(dead_code)]

pub mod http;
pub mod pty;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rusqlite::Connection;
use tempfile::TempDir;

pub const NOW: &str = "2026-11-23T10:00:00+05:30";
pub const ADMIN_PIN: &str = "1234";
pub const SUP_PIN: &str = "2345";
pub const VOL_PIN: &str = "3456";

pub const PDS: &str = "ration_card,village,member_name,gender,age,relation
RJ0001,रामपुर,रामलाल मीणा,M,52,मुखिया
RJ0001,रामपुर,सुनीता देवी,F,45,पत्नी
RJ0002,रामपुर,Gopal Saini,M,38,head
RJ0002,रामपुर,Kamla Saini,F,34,wife
RJ0003,सीतापुर,कैलाश जाट,M,61,मुखिया
";

/// A valid Aadhaar number (Verhoeff-checked) for tests.
pub const AADHAAR: &str = "234567890124";

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dastak"))
}

/// `dastak ARGS --data-dir DIR`, in English at [`NOW`], with no secrets
/// from the environment.
pub fn dastak_in(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("DASTAK_PIN")
        .env_remove("DASTAK_AADHAAR")
        .env_remove("DASTAK_DATA")
        // A machine with the Debian package has /etc/dastak/dastak.toml:
        // the tests' kiosks never read it.
        .env("DASTAK_SYSTEM_CONFIG", dir.join(".no-system-config"))
        .env("DASTAK_LANG", "en")
        .env("DASTAK_NOW", NOW);
    c
}

pub struct Kiosk {
    pub tmp: TempDir,
}

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.status, 0,
            "command failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
    pub fn failed(&self) -> &Self {
        assert_ne!(
            self.status, 0,
            "command should have failed:\nstdout: {}",
            self.stdout
        );
        assert!(!self.stderr.contains("panicked"), "panic: {}", self.stderr);
        assert_ne!(self.status, 101, "exit 101 is a panic: {}", self.stderr);
        self
    }
    /// Failed (not by a panic) with `text` in its message.
    pub fn failed_saying(&self, text: &str) -> &Self {
        self.failed();
        assert!(self.stderr.contains(text), "{}", self.stderr);
        self
    }
}

pub fn run_output(out: Output) -> Run {
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Kiosk {
    /// An empty data directory.
    pub fn empty() -> Kiosk {
        Kiosk {
            tmp: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn dir(&self) -> &Path {
        self.tmp.path()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        dastak_in(self.dir(), args)
    }

    /// Runs `dastak ARGS` with `pin` in DASTAK_PIN.
    pub fn run(&self, pin: Option<&str>, args: &[&str]) -> Run {
        let mut c = self.command(args);
        if let Some(p) = pin {
            c.env("DASTAK_PIN", p);
        }
        run_output(c.output().expect("spawn dastak"))
    }

    pub fn run_env(&self, env: &[(&str, &str)], args: &[&str]) -> Run {
        let mut c = self.command(args);
        for (k, v) in env {
            c.env(k, v);
        }
        run_output(c.output().expect("spawn dastak"))
    }

    /// `member add --operator VOL1 ARGS` with VOL1's PIN and `env`.
    pub fn member_add(&self, env: &[(&str, &str)], args: &[&str]) -> Run {
        let mut all = vec![("DASTAK_PIN", VOL_PIN)];
        all.extend_from_slice(env);
        let mut a = vec!["member", "add", "--operator", "VOL1"];
        a.extend_from_slice(args);
        self.run_env(&all, &a)
    }

    /// `COMMAND --operator VOL1 ARGS` with VOL1's PIN.
    pub fn vol(&self, command: &str, args: &[&str]) -> Run {
        let mut a = vec![command, "--operator", "VOL1"];
        a.extend_from_slice(args);
        self.run(Some(VOL_PIN), &a)
    }

    /// `reverse RECEIPT --operator CODE --reason REASON ARGS` by the
    /// operator `(code, pin)`.
    pub fn reverse_by(&self, by: (&str, &str), receipt: &str, reason: &str, args: &[&str]) -> Run {
        let mut a = vec!["reverse", receipt, "--operator", by.0, "--reason", reason];
        a.extend_from_slice(args);
        self.run(Some(by.1), &a)
    }

    /// The demo panchayat with `households` on its ration-card list, made
    /// on the morning of [`NOW`].
    pub fn demo(households: u32) -> Kiosk {
        let k = Kiosk::empty();
        let n = households.to_string();
        k.run_env(
            &[("DASTAK_NOW", "2026-11-23T08:00:00+05:30")],
            &["demo", "--households", &n],
        )
        .ok();
        k
    }

    /// A kiosk with only its admin (ADMIN, PIN 1234): `init` and nothing
    /// else.
    pub fn initialised() -> Kiosk {
        let k = Kiosk::empty();
        k.run(
            Some(ADMIN_PIN),
            &[
                "init",
                "--kiosk",
                "RMP01",
                "--panchayat",
                "रामपुर",
                "--block",
                "सांगानेर",
                "--district",
                "जयपुर",
                "--admin",
                "ADMIN",
                "--admin-name",
                "अरुण शर्मा",
            ],
        )
        .ok();
        k
    }

    /// A kiosk with an admin, a supervisor, a volunteer, the PDS list and
    /// one SHG.
    pub fn ready() -> Kiosk {
        let k = Kiosk::initialised();
        for (code, role, pin) in [
            ("SUP1", "supervisor", SUP_PIN),
            ("VOL1", "volunteer", VOL_PIN),
        ] {
            k.run_env(
                &[("DASTAK_PIN", ADMIN_PIN), ("DASTAK_NEW_PIN", pin)],
                &[
                    "operator",
                    "add",
                    "--operator",
                    "ADMIN",
                    "--code",
                    code,
                    "--name",
                    "Test Person",
                    "--role",
                    role,
                ],
            )
            .ok();
        }
        let csv = k.dir().join("pds.csv");
        std::fs::write(&csv, PDS).expect("write csv");
        k.run(
            Some(VOL_PIN),
            &[
                "households",
                "import",
                csv.to_str().expect("utf8"),
                "--operator",
                "VOL1",
            ],
        )
        .ok();
        k.run(
            Some(SUP_PIN),
            &[
                "group",
                "add",
                "--operator",
                "SUP1",
                "--code",
                "SHG1",
                "--name",
                "लक्ष्मी समूह",
                "--village",
                "रामपुर",
            ],
        )
        .ok();
        k
    }

    /// VOL1 registers a woman of household `rc` (husband Gopal Saini, 34)
    /// in the SHG `group`, with the Aadhaar number `aadhaar`.
    pub fn shg_woman(&self, name: &str, rc: &str, group: &str, aadhaar: &str) -> Run {
        self.member_add(
            &[("DASTAK_AADHAAR", aadhaar)],
            &[
                "--name",
                name,
                "--relative-name",
                "Gopal Saini",
                "--gender",
                "F",
                "--age",
                "34",
                "--ration-card",
                rc,
                "--scheme",
                "SHG",
                "--group",
                group,
            ],
        )
    }

    /// VOL1 takes one period's contribution from `member` in the fund;
    /// returns the receipt number.
    pub fn pay(&self, member: &str) -> String {
        let r = self.vol("pay", &["--member", member, "--scheme", "FUND", "--json"]);
        r.ok();
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        v["receipt"].as_str().expect("receipt").to_string()
    }

    /// Registers रामलाल in the fund; returns the member ID.
    pub fn fund_member(&self) -> String {
        let r = self.member_add(
            &[],
            &[
                "--name",
                "रामलाल मीणा",
                "--relative-name",
                "भोलाराम",
                "--gender",
                "M",
                "--age",
                "52",
                "--ration-card",
                "RJ0001",
                "--scheme",
                "FUND",
                "--nominee-name",
                "सुनीता देवी",
                "--nominee-relation",
                "पत्नी",
                "--json",
            ],
        );
        r.ok();
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        v["member_id"].as_str().expect("id").to_string()
    }

    pub fn db(&self) -> Connection {
        Connection::open(self.dir().join("dastak.db")).expect("open db")
    }

    /// Every row of every table, as text: two equal snapshots mean nothing
    /// changed.
    pub fn snapshot(&self) -> String {
        let conn = self.db();
        let mut tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        tables.sort();
        let mut out = String::new();
        for t in tables {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM \"{t}\""))
                .expect("select");
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            r.get::<_, rusqlite::types::Value>(i)
                                .map(|v| format!("{v:?}"))
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .expect("rows")
                .collect::<Result<Vec<_>, _>>()
                .expect("collect");
            let mut lines: Vec<String> = rows.into_iter().map(|r| r.join("|")).collect();
            lines.sort();
            out.push_str(&format!("## {t}\n{}\n", lines.join("\n")));
        }
        out
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.db().query_row(sql, [], |r| r.get(0)).expect("count")
    }
}

/// A lab directory, initialised through the real binary.
pub fn lab() -> Kiosk {
    let l = Kiosk::empty();
    l.run(None, &["lab", "init"]).ok();
    l
}

pub fn lab_identity(l: &Kiosk) -> (String, String) {
    let r = l.run(None, &["lab", "identity", "--json"]);
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    (
        v["recipient"].as_str().expect("recipient").to_string(),
        v["ack_key"].as_str().expect("key").to_string(),
    )
}

/// Kiosk `k` registered at lab `l` by its code and public key.
pub fn register(l: &Kiosk, k: &Kiosk) {
    let id = k.run(None, &["identity"]);
    id.ok();
    let mut parts = id.stdout.split_whitespace();
    let (code, key) = (parts.next().expect("code"), parts.next().expect("key"));
    l.run(None, &["lab", "kiosk", "add", code, key]).ok();
}

pub fn link(k: &Kiosk, l: &Kiosk, url: Option<&str>) {
    link_as(k, l, url, ADMIN_PIN);
}

pub fn link_as(k: &Kiosk, l: &Kiosk, url: Option<&str>, admin_pin: &str) {
    let (recipient, key) = lab_identity(l);
    let mut args = vec![
        "link",
        "--operator",
        "ADMIN",
        "--lab-recipient",
        &recipient,
        "--lab-key",
        &key,
    ];
    if let Some(u) = url {
        args.extend(["--url", u]);
    }
    k.run(Some(admin_pin), &args).ok();
}

/// The ledger's hashes and the first column of each of `more` (SQL giving
/// one text), as text: equal before and after means a refused command
/// wrote nothing (sign-in attempts are logged apart, on purpose).
pub fn books_of(k: &Kiosk, more: &[&str]) -> String {
    let db = k.db();
    let q = |sql: &str| -> String {
        db.query_row(sql, [], |r| r.get::<_, Option<String>>(0))
            .expect("query")
            .unwrap_or_default()
    };
    let mut out = q("SELECT group_concat(hash, ',') FROM (SELECT hash FROM events ORDER BY seq)");
    for sql in more {
        out.push('\n');
        out.push_str(&q(sql));
    }
    out
}

/// The QR codes on a picture of the paper, decoded.
pub fn qr_codes(paper: &dastak::print::raster::Bitmap) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        paper.width as usize,
        paper.height as usize,
        |x, y| {
            if paper.get(x as u32, y as u32) {
                0
            } else {
                255
            }
        },
    );
    prepared
        .detect_grids()
        .iter()
        .map(|g| g.decode().expect("QR decodes").1)
        .collect()
}

/// `member add` arguments for a woman in the fund, her nominee Mohan
/// (पति), on ration card `card` or else in रामपुर.
pub fn fund(name: &str, relative: &str, card: Option<&str>) -> Vec<String> {
    let mut a: Vec<String> = [
        "--name",
        name,
        "--relative-name",
        relative,
        "--gender",
        "F",
        "--age",
        "40",
        "--scheme",
        "FUND",
        "--nominee-name",
        "Mohan",
        "--nominee-relation",
        "पति",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    match card {
        Some(c) => a.extend(["--ration-card".to_string(), c.to_string()]),
        None => a.extend(["--village".to_string(), "रामपुर".to_string()]),
    }
    a
}

pub fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// A small deterministic generator (an LCG) for where a test's kills land;
/// seeded from the clock, and the seed printed, so a failure can be rerun.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn from_clock() -> Lcg {
        Lcg(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(7))
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// A lab serving kiosks on loopback, in this process.
pub struct LabServer {
    pub url: String,
    pub server: dastak_lab::server::Background,
}

impl LabServer {
    pub fn start(dir: &Path) -> LabServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        LabServer::on(dir, listener)
    }

    pub fn on(dir: &Path, listener: std::net::TcpListener) -> LabServer {
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let lab = dastak_lab::Lab::open(dir).expect("lab");
        let server = dastak_lab::server::Background::start(lab, listener, Default::default());
        LabServer { url, server }
    }

    pub fn stop(&mut self) {
        self.server
            .stop()
            .expect("the lab's server stopped cleanly");
    }
}

/// Every line of document `reference` of `kind`, as the printer would
/// print it in each language, has its placeholders filled and no word twice
/// in a row (a template line repeating what its value already says).
pub fn every_line_reads_once(dir: &Path, kind: dastak::print::DocKind, reference: &str) {
    let books = dastak::books::DataDir {
        root: dir.to_path_buf(),
    }
    .open_books()
    .expect("books");
    let now: jiff::Timestamp = NOW.parse().expect("now");
    let r = renderer_58mm();
    for lang in dastak::i18n::Lang::ALL {
        let doc = books
            .document(kind, reference, lang, now)
            .expect("document");
        for line in r.text(&doc).expect("text") {
            assert!(!line.contains('{'), "{kind:?} {lang:?}: {line}");
            let words: Vec<&str> = line.split_whitespace().collect();
            for pair in words.windows(2) {
                assert!(
                    pair[0] != pair[1] || !pair[0].chars().any(char::is_alphabetic),
                    "{kind:?} {lang:?}: a word twice in {line:?}"
                );
            }
        }
    }
}

/// The renderer of a 58 mm printer without a cutter or its own QR codes.
pub fn renderer_58mm() -> dastak::print::Renderer {
    dastak::print::Renderer::new(
        dastak::print::escpos::Profile {
            width: 384,
            cutter: false,
            native_qr: false,
        },
        None,
    )
}
