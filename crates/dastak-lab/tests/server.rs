//! The lab's server as kiosks and supervisors meet it: the real binary on
//! loopback (health check, a graceful stop on SIGTERM that still answers
//! the upload under way, HTTPS from certificate files, bad files refused
//! in the clerk's language), and the library's limits (too large, too
//! many at once, too slow) injected one by one.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use dastak_lab::Lab;
use dastak_lab::server::{Background, ServeSettings};

fn lab_command(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dastak-lab"));
    c.arg("--data-dir")
        .arg(dir)
        .args(["--lang", "en"])
        .env_remove("DASTAK_NOW");
    c
}

fn new_lab() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("dir");
    let made = lab_command(d.path()).arg("init").output().expect("init");
    assert!(made.status.success(), "{made:?}");
    d
}

/// `dastak-lab serve` on a free loopback port; its address, read from
/// what it says when it starts.
struct Served {
    child: Child,
    addr: String,
    out: BufReader<std::process::ChildStdout>,
}

impl Served {
    fn start(dir: &Path, extra: &[&str]) -> Served {
        let mut child = lab_command(dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
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
        Served { child, addr, out }
    }

    fn terminate(&self) {
        // The shell's own `kill`: a machine with only Rust may lack procps.
        let ok = Command::new("sh")
            .args(["-c", &format!("kill -TERM {}", self.child.id())])
            .status()
            .expect("kill");
        assert!(ok.success());
    }

    /// Waits for the process to end by itself (a stop that never comes is
    /// a failure, not a hang: ten minutes at most).
    fn wait(mut self) -> (std::process::ExitStatus, String) {
        for _ in 0..6000 {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let mut rest = String::new();
                self.out.read_to_string(&mut rest).expect("stdout");
                return (status, rest);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        panic!("dastak-lab serve did not stop after SIGTERM");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `request` on a new connection and reads the whole answer (the
/// request asks for the connection to close after it).
fn exchange(addr: &str, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    s.write_all(request).expect("write");
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
}

fn get(addr: &str, path: &str) -> String {
    exchange(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

#[test]
fn serve_answers_its_health_check_and_sigterm_stops_it_after_the_upload_under_way() {
    let d = new_lab();
    let served = Served::start(d.path(), &[]);
    let health = get(&served.addr, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.ends_with("ok\n"), "{health}");
    assert!(get(&served.addr, "/nothing-here").starts_with("HTTP/1.1 404"));
    // An upload is under way, half its body sent, when systemd stops the
    // lab: the lab takes no new connections but finishes this one.
    let mut upload = TcpStream::connect(&served.addr).expect("connect");
    upload
        .write_all(b"POST /api/batches HTTP/1.1\r\nHost: lab\r\nConnection: close\r\nContent-Length: 20\r\n\r\nage-encry")
        .expect("head");
    // The server has the request before the signal arrives.
    std::thread::sleep(Duration::from_millis(300));
    served.terminate();
    std::thread::sleep(Duration::from_millis(300));
    upload.write_all(b"ption.org/v").expect("rest");
    upload
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut answer = String::new();
    let _ = upload.read_to_string(&mut answer);
    // Not a batch, so refused: but answered, not cut off.
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    let (status, said) = served.wait();
    assert!(status.success(), "{status:?}");
    assert!(said.contains("Lab stopped"), "{said}");
}

#[test]
fn a_batch_over_the_limit_is_refused_before_its_body_is_read() {
    let d = new_lab();
    let served = Served::start(d.path(), &[]);
    let answer = exchange(
        &served.addr,
        b"POST /api/batches HTTP/1.1\r\nHost: lab\r\nConnection: close\r\nContent-Length: 50000000\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.ends_with("batch too large"), "{answer}");
}

#[test]
fn requests_beyond_the_limit_are_told_to_come_back_and_a_stalled_one_is_cut_off() {
    let d = new_lab();
    let lab = Lab::open(d.path()).expect("lab");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let settings = ServeSettings {
        max_in_flight: 1,
        request_timeout: Duration::from_secs(2),
        tls: None,
    };
    let mut server = Background::start(lab, listener, settings);
    // One upload stalls half-way and holds the only place.
    let mut stalled = TcpStream::connect(&addr).expect("connect");
    stalled
        .write_all(b"POST /api/batches HTTP/1.1\r\nHost: lab\r\nContent-Length: 1000\r\n\r\nage")
        .expect("write");
    std::thread::sleep(Duration::from_millis(300));
    let busy = get(&addr, "/healthz");
    assert!(busy.starts_with("HTTP/1.1 503"), "{busy}");
    assert!(busy.ends_with("busy; try again"), "{busy}");
    // Its time runs out: it is answered and the place is free again.
    stalled
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&answer).contains("too long") {
        match stalled.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(get(&addr, "/healthz").starts_with("HTTP/1.1 200"));
    server.stop().expect("stop");
}

/// A self-signed certificate for 127.0.0.1, its PEM files in `dir`.
fn certificate(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, Vec<u8>) {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("cert");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).expect("cert");
    std::fs::write(&key, made.signing_key.serialize_pem()).expect("key");
    (cert, key, made.cert.der().to_vec())
}

#[test]
fn serve_speaks_https_with_the_certificate_and_key_it_is_given() {
    let d = new_lab();
    let certs = tempfile::tempdir().expect("certs");
    let (cert, key, der) = certificate(certs.path());
    let served = Served::start(
        d.path(),
        &[
            "--tls-cert",
            cert.to_str().expect("utf-8"),
            "--tls-key",
            key.to_str().expect("utf-8"),
        ],
    );
    let mut roots = rustls::RootCertStore::empty();
    roots.add(der.into()).expect("root");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("name");
    let conn = rustls::ClientConnection::new(Arc::new(config), name).expect("client");
    let tcp = TcpStream::connect(&served.addr).expect("connect");
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut answer = String::new();
    let _ = tls.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Plain HTTP on the same port gets no answer a kiosk could mistake.
    let plain = get(&served.addr, "/healthz");
    assert!(!plain.contains("200 OK"), "{plain}");
}

#[test]
fn missing_or_mismatched_tls_files_are_named_and_nothing_listens() {
    let d = new_lab();
    let certs = tempfile::tempdir().expect("certs");
    let (cert, _key, _) = certificate(certs.path());
    let other = tempfile::tempdir().expect("other");
    let (_, other_key, _) = certificate(other.path());
    let missing = certs.path().join("nope.key");
    for (key, says) in [
        (missing.as_path(), "Could not read the TLS file"),
        (other_key.as_path(), "do not make a server identity"),
        (cert.as_path(), "Could not read the TLS file"),
    ] {
        let r = lab_command(d.path())
            .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
            .arg(&cert)
            .arg("--tls-key")
            .arg(key)
            .output()
            .expect("serve");
        assert_eq!(r.status.code(), Some(1), "{r:?}");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains(says), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        let out = String::from_utf8_lossy(&r.stdout);
        assert!(!out.contains("collecting"), "{out}");
    }
    // A certificate without its key is refused by the command line.
    let r = lab_command(d.path())
        .args(["serve", "--tls-cert"])
        .arg(&cert)
        .output()
        .expect("serve");
    assert_eq!(r.status.code(), Some(2), "{r:?}");
}
