//! The dashboard as officers meet it: the real `dastak-lab` binary, made a
//! demo lab by `dastak-lab demo` and served on loopback by `dastak-lab
//! serve`, driven by a real headless Chromium through chromedriver (log in,
//! the overview, a filtered kiosks table, a CSV download compared with the
//! books, the language switch, a viewer refused an admin's page, wrong
//! passwords throttled, an expired session); and hostile requests sent as
//! raw HTTP (a post without its CSRF token, oversized and malformed forms,
//! SQL in every filter, markup in a kiosk's panchayat).
//!
//! Screenshots of every page in both languages are written to
//! `target/tmp/dashboard-screenshots/`, for a person to look at.
//!
//! Chromium and chromium-driver must be installed (`apt-get install
//! chromium chromium-driver`; `.ci/run` does): without them these tests
//! fail and say so.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use dastak_lab::Lab;
use dastak_lab::simulate::Plan;
use fantoccini::{Client, ClientBuilder, Locator};

const PASSWORD: &str = "demo-password-1";
const VIEWER_PASSWORD: &str = "viewer-password-1";
/// A panchayat name no kiosk's keyboard check would let through, sent by a
/// kiosk anyway: it must show as text, and filter as text.
const HOSTILE: &str = "<script>alert(1)</script>' OR 1=1 --";

fn lab_command(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dastak-lab"));
    c.arg("--data-dir")
        .arg(dir)
        .args(["--lang", "en"])
        .env_remove("DASTAK_NOW")
        .env_remove("DASTAK_LAB_DB");
    c
}

fn run(c: &mut Command) -> String {
    let out = c.output().expect("run dastak-lab");
    assert!(out.status.success(), "{c:?}: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A demo lab, as the README makes one, with a kiosk whose panchayat is
/// markup (received first, through the library) and a viewer.
fn demo_lab() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("dir");
    let mut lab = Lab::init(d.path()).expect("init");
    let plan = Plan {
        kiosks: 1,
        days: 3,
        members: 4,
        per_day: 3,
        prefix: "EVIL".into(),
        panchayat: Some(HOSTILE.into()),
        ..Plan::default()
    };
    lab.simulate(&plan, jiff::Timestamp::now())
        .expect("hostile kiosk");
    drop(lab);
    run(lab_command(d.path())
        // Nine kiosks: the simulator registers one person at its eighth
        // and ninth, for the anomalies page.
        .args(["demo", "--kiosks", "9", "--days", "20"])
        .env("DASTAK_LAB_PASSWORD", PASSWORD));
    run(lab_command(d.path())
        .args([
            "officer",
            "add",
            "viewer1",
            "--role",
            "viewer",
            "--page-lang",
            "hi",
        ])
        .env("DASTAK_LAB_PASSWORD", VIEWER_PASSWORD));
    d
}

/// `dastak-lab serve` on a free loopback port.
struct Served {
    child: Child,
    addr: String,
}

impl Served {
    fn start(dir: &Path) -> Served {
        let mut child = lab_command(dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn dastak-lab serve");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("first line");
        let addr = line
            .split_whitespace()
            .find(|w| w.starts_with("127.0.0.1:"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('.')
            .to_string();
        Served { child, addr }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver on a free port, and a headless Chromium session on it.
struct Browser {
    driver: Child,
    client: Option<Client>,
    /// Chromium's profile and temporary files (its TMPDIR), removed with
    /// the browser: a run leaves nothing in /tmp.
    _profile: tempfile::TempDir,
}

fn chromedriver() -> PathBuf {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "chromedriver is missing: install Chromium and its driver \
                 (apt-get install chromium chromium-driver)"
            )
        })
}

impl Browser {
    async fn start(downloads: &Path) -> Browser {
        assert!(
            Path::new("/usr/bin/chromium").exists(),
            "Chromium is missing: apt-get install chromium chromium-driver"
        );
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("addr").port()
        };
        let profile = tempfile::tempdir().expect("profile dir");
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .env("TMPDIR", profile.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                // As root Chromium needs --no-sandbox.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,1100",
                         "--lang=en-IN",
                         format!("--user-data-dir={}", profile.path().join("chromium").display())],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                }
            }
        });
        let caps = caps.as_object().cloned().expect("object");
        let mut client = None;
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                // chromedriver is still starting.
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let client = client.expect("a Chromium session through chromedriver");
        Browser {
            driver,
            client: Some(client),
            _profile: profile,
        }
    }

    fn c(&self) -> &Client {
        self.client.as_ref().expect("client")
    }

    /// The text of the first element matching `css`, read again while a
    /// navigation replaces the page under it.
    async fn text(&self, css: &str) -> String {
        let mut last = String::new();
        for _ in 0..50 {
            match self.c().find(Locator::Css(css)).await {
                Ok(e) => match e.text().await {
                    Ok(t) => return t,
                    Err(err) => last = err.to_string(),
                },
                Err(err) => last = err.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css}: {last}")
    }

    async fn login(&self, served: &Served, name: &str, password: &str) {
        let c = self.c();
        c.goto(&served.url("/login?lang=en"))
            .await
            .expect("login page");
        c.find(Locator::Id("name"))
            .await
            .expect("name")
            .send_keys(name)
            .await
            .expect("type");
        c.find(Locator::Id("password"))
            .await
            .expect("password")
            .send_keys(password)
            .await
            .expect("type");
        c.find(Locator::Id("login"))
            .await
            .expect("button")
            .click()
            .await
            .expect("click");
        self.settle("/login").await;
    }

    /// Waits for the page to leave `from` (a click's navigation) or to show
    /// an error (the form again), for up to ten seconds.
    async fn settle(&self, from: &str) {
        for _ in 0..100 {
            let error = self.c().find(Locator::Css(".error")).await.is_ok();
            if error || self.path().await != from {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn path(&self) -> String {
        self.c()
            .current_url()
            .await
            .expect("url")
            .path()
            .to_string()
    }

    async fn shot(&self, name: &str) {
        let png = self.c().screenshot().await.expect("screenshot");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    async fn close(mut self) {
        if let Some(c) = self.client.take() {
            let _ = c.close().await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn status_json(dir: &Path) -> Vec<serde_json::Value> {
    let out = run(lab_command(dir).args(["status", "--json"]));
    serde_json::from_str::<serde_json::Value>(&out)
        .expect("json")
        .as_array()
        .cloned()
        .expect("array")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_logs_in_filters_downloads_and_switches_language_in_a_real_browser() {
    let lab = demo_lab();
    let served = Served::start(lab.path());
    let downloads = tempfile::tempdir().expect("downloads");
    let b = Browser::start(downloads.path()).await;
    let c = b.c();

    // No session: every page leads to the login.
    c.goto(&served.url("/overview")).await.expect("goto");
    assert_eq!(b.path().await, "/login");
    b.shot("login-en").await;

    b.login(&served, "admin", PASSWORD).await;
    assert_eq!(b.path().await, "/overview", "{}", b.text("main").await);
    // The demo's 9 kiosks: 7 heard from today, one 36 hours ago, one 4 days
    // ago; its claims' kiosk and the hostile kiosk today; one registered
    // kiosk never synced.
    let cards = b.text("#freshness").await;
    let numbers: Vec<&str> = cards
        .lines()
        .filter(|l| l.chars().all(|ch| ch.is_ascii_digit()))
        .collect();
    assert_eq!(numbers, ["9", "1", "1", "1"], "{cards}");
    assert!(b.text(".asof").await.starts_with("As of "));
    assert!(
        b.text("#expected").await.contains("Expected this month"),
        "members × dues on the overview"
    );
    b.shot("overview-en").await;

    // The kiosks of the hostile panchayat: chosen from the filter, shown as
    // text, and no script ran.
    c.goto(&served.url("/kiosks")).await.expect("kiosks");
    // (fantoccini's select_by_value writes the value into a CSS selector,
    // which this one breaks: the option is found by its value instead.)
    let mut chosen = false;
    for o in c
        .find_all(Locator::Css("select[name=panchayat] option"))
        .await
        .expect("options")
    {
        if o.attr("value").await.expect("value").as_deref() == Some(HOSTILE) {
            o.click().await.expect("choose");
            chosen = true;
        }
    }
    assert!(chosen, "the hostile panchayat is in the filter");
    c.find(Locator::Id("filter"))
        .await
        .expect("show")
        .click()
        .await
        .expect("click");
    for _ in 0..100 {
        if c.current_url().await.expect("url").query().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let table = b.text("#kiosks tbody").await;
    assert_eq!(table.lines().count(), 1, "{table}");
    assert!(
        table.contains("EVIL00001") && table.contains(HOSTILE),
        "{table}"
    );
    assert!(c.get_alert_text().await.is_err(), "a script ran");

    // The whole table as CSV, downloaded by the browser, against the books.
    c.goto(&served.url("/kiosks")).await.expect("kiosks");
    b.shot("kiosks-en").await;
    c.find(Locator::Id("csv"))
        .await
        .expect("csv")
        .click()
        .await
        .expect("click");
    let file = downloads.path().join("kiosks.csv");
    // Until the browser has finished writing it: the file there, no
    // partial download beside it, and its size the same twice running (a
    // read as soon as it appeared once caught it half written).
    let mut last = None;
    for _ in 0..100 {
        let partial = std::fs::read_dir(downloads.path())
            .expect("downloads")
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "crdownload"));
        let size = std::fs::metadata(&file).ok().map(|m| m.len());
        if size.is_some() && !partial && size == last {
            break;
        }
        last = size;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let csv = std::fs::read_to_string(&file).expect("the CSV was downloaded");
    let mut from_csv: Vec<(String, String)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[f.len() - 3].to_string())
        })
        .collect();
    from_csv.sort();
    let mut from_books: Vec<(String, String)> = status_json(lab.path())
        .iter()
        .map(|k| {
            (
                k["kiosk"].as_str().expect("kiosk").to_string(),
                k["through"].to_string(),
            )
        })
        .collect();
    from_books.sort();
    assert_eq!(from_csv, from_books);

    c.goto(&served.url("/collections"))
        .await
        .expect("collections");
    assert!(c.find(Locator::Css("figure svg")).await.is_ok(), "a chart");
    let head = b.text("#collections thead").await;
    assert!(head.contains("Dues falling due"), "{head}");
    b.shot("collections-en").await;
    c.goto(&served.url("/collections?by=month"))
        .await
        .expect("collections by month");
    let head = b.text("#collections thead").await;
    assert!(head.contains("Expected dues"), "{head}");
    let lines = b.text("#collections tbody").await;
    assert!(
        lines.contains('%'),
        "months with dues, collected as a share of them: {lines}"
    );
    b.shot("collections-month-en").await;
    c.goto(&served.url("/arrears")).await.expect("arrears");
    let ageing = c
        .find_all(Locator::Css("#ageing tbody tr"))
        .await
        .expect("ageing rows");
    assert!(!ageing.is_empty(), "the demo's villages");
    let behind = c
        .find_all(Locator::Css("#defaulters tbody tr"))
        .await
        .expect("defaulters");
    assert!(!behind.is_empty(), "some demo members are behind");
    b.shot("arrears-en").await;
    c.goto(&served.url("/coverage")).await.expect("coverage");
    let villages = b.text("#coverage tbody").await;
    assert!(
        villages.contains('%'),
        "households reached of listed: {villages}"
    );
    b.shot("coverage-en").await;
    c.goto(&served.url("/operators")).await.expect("operators");
    let rows = c
        .find_all(Locator::Css("#operators tbody tr"))
        .await
        .expect("rows");
    assert!(!rows.is_empty(), "operators' days are listed");
    b.shot("operators-en").await;
    c.goto(&served.url("/anomalies")).await.expect("anomalies");
    let shared = b.text("#aadhaar").await;
    assert_eq!(
        shared.matches("XXXX-XXXX-").count(),
        2,
        "one Aadhaar number at two kiosks, masked: {shared}"
    );
    assert!(
        c.find(Locator::Css("#reversals, #differences"))
            .await
            .is_ok()
    );
    b.shot("anomalies-en").await;
    // The demo's two claims: one paid and closed, one whose notice is up.
    c.goto(&served.url("/claims")).await.expect("claims");
    let claims = b.text("#claims tbody").await;
    assert!(
        claims.contains("DMO00001-C0001")
            && claims.contains("paid (closed)")
            && claims.contains("DMO00001-C0002")
            && claims.contains("notice published; objections until"),
        "{claims}"
    );
    b.shot("claims-en").await;
    // The fund's statement of the month the paid claim was paid in (ten
    // days ago in the demo): the payout, with the name masked.
    let paid_on = dastak_core::domain::time::local_date(
        jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 10),
    );
    let month = dastak_core::domain::time::month_code(paid_on);
    c.goto(&served.url(&format!("/fund?month={month}")))
        .await
        .expect("fund");
    let claims = b.text("#fund-claims tbody").await;
    assert!(
        claims.contains("DMO00001-C0001") && claims.contains("paid (closed)"),
        "{claims}"
    );
    let paid = b.text("#fund-money tbody tr:nth-child(3)").await;
    assert!(
        paid.starts_with("Paid to families") && paid.contains('₹') && !paid.contains("₹0.00"),
        "{paid}"
    );
    b.shot("fund-en").await;
    c.goto(&served.url("/officers")).await.expect("officers");
    let log = b.text("#audit tbody").await;
    assert!(
        log.contains("Logged in") && log.contains("Downloaded") && !log.contains("login"),
        "the audit log's actions in words: {log}"
    );
    b.shot("officers-en").await;

    // Hindi, for this officer, on every page from now on.
    c.find(Locator::Id("switch-lang"))
        .await
        .expect("switch")
        .click()
        .await
        .expect("click");
    for _ in 0..100 {
        if b.text("h1").await == "अधिकारी" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(b.path().await, "/officers");
    assert_eq!(b.text("h1").await, "अधिकारी");
    let log = b.text("#audit tbody").await;
    assert!(log.contains("भाषा बदली"), "{log}");
    for page in [
        "overview",
        "kiosks",
        "collections",
        "closes",
        "arrears",
        "coverage",
        "operators",
        "anomalies",
        "claims",
        "fund",
        "officers",
    ] {
        c.goto(&served.url(&format!("/{page}")))
            .await
            .expect("page");
        assert!(b.text(".asof").await.contains("IST तक की स्थिति"));
        b.shot(&format!("{page}-hi")).await;
    }
    c.goto(&served.url("/login?lang=hi")).await.expect("login");
    b.shot("login-hi").await;

    // A viewer may read but not manage officers.
    c.delete_cookie("dastak_session").await.expect("forget");
    b.login(&served, "viewer1", VIEWER_PASSWORD).await;
    assert_eq!(b.path().await, "/overview");
    c.goto(&served.url("/officers")).await.expect("officers");
    assert!(
        b.text(".error").await.contains("अनुमति नहीं"),
        "the viewer is refused in her language"
    );
    b.shot("refused-hi").await;

    // Wrong passwords: the fourth try must wait.
    c.delete_cookie("dastak_session").await.expect("forget");
    for _ in 0..3 {
        b.login(&served, "admin", "not-the-password").await;
        assert!(b.text(".error").await.contains("wrong name or password"));
    }
    b.login(&served, "admin", PASSWORD).await;
    assert!(b.text(".error").await.contains("wait"), "throttled");
    assert_eq!(b.path().await, "/login");

    // An expired session (opened eleven hours ago) leads back to the login.
    let token = {
        let mut lab = Lab::open(lab.path()).expect("open");
        let then = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(11);
        lab.login("viewer1", VIEWER_PASSWORD, then)
            .expect("login")
            .0
    };
    c.goto(&served.url("/login")).await.expect("login");
    let mut cookie = fantoccini::cookies::Cookie::new("dastak_session", token);
    cookie.set_path("/");
    cookie.set_domain("127.0.0.1");
    cookie.set_secure(true);
    cookie.set_http_only(true);
    c.add_cookie(cookie).await.expect("cookie");
    c.goto(&served.url("/overview")).await.expect("overview");
    assert_eq!(b.path().await, "/login");

    b.close().await;
}

/// One raw HTTP/1.1 request on loopback: the status and the body.
fn http(addr: &str, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s.write_all(request.as_bytes()).expect("send");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |b| b.1).to_string();
    (status, body)
}

fn post(addr: &str, path: &str, cookie: &str, body: &str) -> (u16, String) {
    http(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn get(addr: &str, path: &str, cookie: &str) -> (u16, String) {
    http(
        addr,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
        ),
    )
}

#[test]
fn hostile_posts_and_filters_are_refused_or_read_as_text_and_change_nothing() {
    let lab = demo_lab();
    let served = Served::start(lab.path());
    let addr = served.addr.clone();
    let (token, csrf) = {
        let mut lab = Lab::open(lab.path()).expect("open");
        let (token, s) = lab
            .login("admin", PASSWORD, jiff::Timestamp::now())
            .expect("login");
        (token, s.csrf)
    };
    let cookie = format!("dastak_session={token}");
    let audit_len = || {
        Lab::open(lab.path())
            .expect("open")
            .audit_log(10_000)
            .expect("audit")
            .len()
    };
    let before = audit_len();

    // A post without the session's CSRF token, or with another, changes
    // nothing.
    let (code, body) = post(&addr, "/lang", &cookie, "lang=en");
    assert_eq!(code, 403, "{body}");
    let (code, _) = post(
        &addr,
        "/lang",
        &cookie,
        &format!("lang=en&csrf={}", "0".repeat(64)),
    );
    assert_eq!(code, 403);
    let (code, _) = post(
        &addr,
        "/officers",
        &cookie,
        "name=mallory&password=mallory-password&role=admin",
    );
    assert_eq!(code, 403);
    // The login form's own token: a post without the cookie that carries
    // it is refused before any password is checked.
    let (code, _) = post(&addr, "/login", "", "name=admin&password=x&csrf=abc");
    assert_eq!(code, 403);
    assert_eq!(audit_len(), before, "nothing was done");

    // Oversized and malformed forms.
    let big = format!("csrf={csrf}&lang=en&pad={}", "a".repeat(64 * 1024));
    let (code, _) = post(&addr, "/lang", &cookie, &big);
    assert!(code == 413 || code == 400, "oversized: {code}");
    let (code, body) = post(&addr, "/lang", &cookie, &format!("csrf={csrf}&lang=xx"));
    assert_eq!(code, 400, "{body}");
    let (code, _) = post(&addr, "/officers", &cookie, "%%%=&&=%zz");
    assert!(code == 400 || code == 403, "malformed: {code}");
    assert_eq!(audit_len(), before, "nothing was done");

    // The fund page's month: anything but a month is refused, in words,
    // as the asker's mistake.
    for q in [
        "%27%20OR%201%3D1%20--",
        "2026-13",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ] {
        let (code, page) = get(&addr, &format!("/fund?month={q}"), &cookie);
        assert_eq!(code, 400, "{q}: {page}");
        assert!(!page.contains("<script>alert"), "escaped");
    }

    // SQL and markup in every filter: read as text, matching nothing.
    for q in [
        "/kiosks?panchayat=%27%20OR%201%3D1%20--&sort=%27%3B%20DROP%20TABLE%20kiosks",
        "/collections?panchayat=%22%3E%3Cscript%3E&scheme=%27%20OR%20%271%27%3D%271&by=%3Cb%3E",
        "/kiosks.csv?panchayat=%27%20OR%201%3D1%20--",
    ] {
        let (code, body) = get(&addr, q, &cookie);
        assert_eq!(code, 200, "{q}");
        assert!(!body.contains("<script>"), "{q} echoed markup");
    }
    let (_, kiosks) = get(&addr, "/kiosks?panchayat=%27%20OR%201%3D1%20--", &cookie);
    assert!(!kiosks.contains("SIM0000"), "the filter matched nothing");
    // The arrears page's village filter: markup and SQL are a village
    // that matches no one, shown as text.
    for q in [
        "%27%20OR%201%3D1%20--",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ] {
        let (code, page) = get(&addr, &format!("/arrears?village={q}"), &cookie);
        assert_eq!(code, 200);
        assert!(!page.contains("<script>alert"), "escaped");
        let defaulters = page.split("id=\"defaulters\"").nth(1).expect("the list");
        assert!(!defaulters.contains("SIM0"), "the filter matched no one");
        let (code, csv) = get(&addr, &format!("/arrears.csv?village={q}"), &cookie);
        assert_eq!(code, 200);
        assert!(csv.contains("Village,Kiosk,Member"), "{csv}");
        assert!(!csv.contains("SIM0"), "only the header: {csv}");
    }
    // The hostile panchayat itself is shown escaped.
    let (_, all) = get(&addr, "/kiosks", &cookie);
    assert!(all.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!all.contains(HOSTILE));
    assert_eq!(
        status_json(lab.path()).len(),
        12,
        "the kiosks are all there (9, the claims' kiosk, the hostile one, the silent one)"
    );

    // A genuine post is taken, and logged (as was the export above).
    let before = audit_len();
    let (code, _) = post(&addr, "/lang", &cookie, &format!("csrf={csrf}&lang=en"));
    assert_eq!(code, 303);
    assert_eq!(audit_len(), before + 1);
}

/// The claims page's forms take a claim's steps as `dastak-lab claims`
/// does: offered where the claim stands, to the roles that may take them;
/// a viewer's post, or one without the session's CSRF token, is refused
/// before anything is read; a refused step (the objection window still
/// open, an empty objection, a step that does not exist) says why in the
/// officer's language and writes nothing; a good one is signed into the
/// claim log and shown on the page.
#[test]
fn claim_steps_are_taken_on_the_claims_page_by_role_and_token() {
    let lab = demo_lab();
    let served = Served::start(lab.path());
    let addr = served.addr.clone();
    let now = jiff::Timestamp::now();
    let (admin, csrf, viewer, viewer_csrf, open) = {
        let mut lab = Lab::open(lab.path()).expect("open");
        let (a, s) = lab.login("admin", PASSWORD, now).expect("admin");
        let (v, vs) = lab.login("viewer1", VIEWER_PASSWORD, now).expect("viewer");
        let open = lab
            .claims()
            .expect("claims")
            .into_iter()
            .find(|c| c.state == dastak_lab::claims::State::Published)
            .expect("the demo's claim in its objection window");
        (
            format!("dastak_session={a}"),
            s.csrf,
            format!("dastak_session={v}"),
            vs.csrf,
            open.number().to_string(),
        )
    };
    let log_len = || {
        Lab::open(lab.path())
            .expect("open")
            .check_claim_log()
            .expect("the log holds")
    };
    let before = log_len();

    // What the page offers: on the published claim, an objection and
    // (to an approver or admin) the approval and rejection.
    let (code, page) = get(&addr, "/claims", &admin);
    assert_eq!(code, 200);
    for form in [
        "class=\"step-object\"",
        "class=\"step-approve\"",
        "class=\"step-reject\"",
    ] {
        assert!(page.contains(form), "{form} not offered");
    }
    assert!(
        page.contains(&format!("value=\"{csrf}\"")),
        "the session's token"
    );
    let (_, seen) = get(&addr, "/claims", &viewer);
    assert!(!seen.contains("step-object"), "a viewer is offered no step");

    let step = |cookie: &str, body: String| post(&addr, "/claims", cookie, &body);
    let object =
        |token: &str, text: &str| format!("csrf={token}&claim={open}&step=object&objection={text}");
    // A viewer, or a post without the token, is refused.
    let (code, _) = step(&viewer, object(&viewer_csrf, "%E0%A4%97%E0%A4%B2%E0%A4%A4"));
    assert_eq!(code, 403);
    let (code, _) = step(
        &admin,
        format!("claim={open}&step=object&objection=x%20y%20z%20w%20v"),
    );
    assert_eq!(code, 403);
    // Refused by the lab, said in words.
    let (code, page) = step(&admin, format!("csrf={csrf}&claim={open}&step=approve"));
    assert_eq!(code, 400, "{page}");
    assert!(page.contains("Objections are heard until"), "{page}");
    let (code, page) = step(&admin, object(&csrf, "%20%20"));
    assert_eq!(code, 400, "{page}");
    assert!(page.contains("id=\"notice\""), "{page}");
    let (code, _) = step(&admin, format!("csrf={csrf}&claim={open}&step=erase"));
    assert_eq!(code, 400);
    let (code, page) = step(&admin, format!("csrf={csrf}&claim=NOPE-C0001&step=verify"));
    assert_eq!(code, 400, "{page}");
    assert_eq!(log_len(), before, "nothing was written");

    // Taken: signed into the log, and on the page.
    let objection = "The nominee lives in another village";
    let (code, page) = step(&admin, object(&csrf, &objection.replace(' ', "+")));
    assert_eq!(code, 200, "{page}");
    assert!(page.contains(&format!("Claim {open}:")), "{page}");
    assert!(page.contains(objection), "{page}");
    assert_eq!(log_len(), before + 1);
}

#[test]
fn a_district_officer_sees_only_her_districts_kiosks() {
    use dastak_core::i18n::Lang;
    use dastak_lab::officers::Role;
    let lab = demo_lab();
    let served = Served::start(lab.path());
    let cookies: Vec<String> = {
        let mut books = Lab::open(lab.path()).expect("open");
        let now = jiff::Timestamp::now();
        for (name, district) in [("jaipur1", "जयपुर"), ("alwar1", "अलवर")] {
            books
                .add_officer(
                    "cli",
                    name,
                    PASSWORD,
                    Role::Viewer,
                    Some(district),
                    Lang::En,
                    now,
                )
                .expect("add");
        }
        ["jaipur1", "alwar1", "admin"]
            .iter()
            .map(|n| {
                format!(
                    "dastak_session={}",
                    books.login(n, PASSWORD, now).expect("login").0
                )
            })
            .collect()
    };
    let rows = |cookie: &str| {
        let (code, body) = get(&served.addr, "/kiosks", cookie);
        assert_eq!(code, 200);
        body.matches("<td>SIM0").count()
            + body.matches("<td>EVIL0").count()
            + body.matches("<td>NEW0").count()
    };
    // The demo's kiosks are all in जयपुर; the one never synced has no
    // known district, so only the state sees it.
    assert_eq!(rows(&cookies[0]), 10);
    assert_eq!(rows(&cookies[1]), 0);
    assert_eq!(rows(&cookies[2]), 11);
    let (_, overview) = get(&served.addr, "/overview", &cookies[1]);
    assert!(
        overview.contains("<b>0</b>"),
        "the Alwar officer counts no kiosks"
    );
}

/// A million lines of the daily rollup download whole through the real
/// server, streamed from the database on a connection of its own: every
/// line, the same total as the database's, and the export in the audit
/// log.
#[test]
fn a_million_line_export_is_streamed_whole_and_adds_up() {
    let d = tempfile::tempdir().expect("dir");
    {
        let mut lab = Lab::init(d.path()).expect("init");
        lab.add_officer(
            "test",
            "clerk",
            PASSWORD,
            dastak_lab::officers::Role::Viewer,
            None,
            dastak_core::i18n::Lang::En,
            jiff::Timestamp::now(),
        )
        .expect("officer");
    }
    // The rollup as a state's year leaves it: 200 kiosks, 5 villages, 3
    // schemes, 333 days (each key once), written straight into the table
    // the export reads.
    let total: i64 = {
        let conn = rusqlite::Connection::open(d.path().join(dastak_lab::DB_FILE)).expect("db");
        conn.execute_batch(
            "WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 999999)
             INSERT INTO daily (kiosk, village, day, scheme, receipts, amount, reversals,
                                reversed, enrolments)
             SELECT printf('K%05d', x % 200), 'गाँव ' || ((x / 200) % 5),
                    date('2026-01-01', '+' || (x / 3000) || ' days'),
                    CASE (x / 1000) % 3 WHEN 0 THEN 'FUND' WHEN 1 THEN 'SHG' ELSE 'PDS' END,
                    1, (x % 997) * 100, 0, 0, 0
             FROM n",
        )
        .expect("a million rows");
        conn.query_row("SELECT SUM(amount) FROM daily", [], |r| r.get(0))
            .expect("sum")
    };
    let token = Lab::open(d.path())
        .expect("open")
        .login("clerk", PASSWORD, jiff::Timestamp::now())
        .expect("login")
        .0;
    let served = Served::start(d.path());
    // HTTP/1.0: the body runs to the end of the connection, unchunked.
    let mut s = TcpStream::connect(&served.addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120)))
        .expect("timeout");
    write!(
        s,
        "GET /daily.csv HTTP/1.0\r\nHost: {}\r\nCookie: dastak_session={token}\r\n\r\n",
        served.addr
    )
    .expect("send");
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("read the export");
    let text = String::from_utf8(out).expect("UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("headers");
    assert!(
        head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
        "{head}"
    );
    assert!(head.contains("text/csv"), "{head}");
    let mut lines = body.lines();
    assert!(lines.next().expect("header").starts_with("Kiosk,"));
    let (mut n, mut rupees) = (0u64, 0i64);
    for line in lines {
        n += 1;
        let amount = line.split(',').nth(7).expect("amount column");
        let (whole, fraction) = amount.split_once('.').unwrap_or((amount, "0"));
        assert!(fraction.bytes().all(|b| b == b'0'), "{line}");
        rupees += whole.parse::<i64>().expect("rupees");
    }
    assert_eq!(n, 1_000_000, "every line");
    assert_eq!(rupees * 100, total, "the export adds up to the database");
    drop(served);
    let log = Lab::open(d.path())
        .expect("open")
        .audit_log(10)
        .expect("audit");
    assert!(
        log.iter()
            .any(|e| e.action == "export" && e.detail == "daily.csv")
    );
}
