//! The real binary in a pseudo-terminal, keys in and screen read back
//! through a terminal emulator (vt100): login → find → contribution →
//! reversal → day close on a fresh `demo` directory, then the database is
//! checked and the terminal must be restored.

mod support;

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use support::*;

struct Pty {
    session: expectrl::session::OsSession,
    parser: vt100::Parser,
}

impl Pty {
    fn spawn(dir: &std::path::Path) -> Pty {
        let mut cmd = Command::new(bin());
        cmd.arg("--data-dir")
            .arg(dir)
            .env("DASTAK_NOW", NOW)
            .env("TERM", "xterm-256color")
            .env_remove("DASTAK_LANG")
            .env_remove("DASTAK_PIN");
        let mut session = expectrl::Session::spawn(cmd).expect("spawn in a pty");
        session
            .get_process_mut()
            .set_window_size(80, 24)
            .expect("window size");
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("non-zero");
        Pty {
            session,
            parser: vt100::Parser::new(size(24), size(80), 0),
        }
    }

    fn pump(&mut self) {
        let mut buf = [0u8; 8192];
        loop {
            match self.session.try_read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self.parser.process(&buf[..n]),
                Err(_) => break,
            }
        }
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Waits (at most 15 s) until the screen shows `text`.
    fn wait_for(&mut self, text: &str) -> String {
        let start = Instant::now();
        loop {
            self.pump();
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "waited for {text:?}; the screen shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn keys(&mut self, s: &str) {
        self.session.write_all(s.as_bytes()).expect("write");
        self.session.flush().expect("flush");
        // Let the console take each burst before the next one.
        std::thread::sleep(Duration::from_millis(120));
        self.pump();
    }
}

#[test]
fn a_day_at_the_console_in_a_real_terminal() {
    let k = Kiosk::empty();
    k.run_env(
        &[("DASTAK_NOW", "2026-11-23T08:00:00+05:30")],
        &["demo", "--households", "80"],
    )
    .ok();
    let before: i64 = k.count("SELECT COUNT(*) FROM contributions");

    let mut t = Pty::spawn(k.dir());
    t.wait_for("लॉग इन");
    t.keys("VOL1\r");
    t.keys("3456\r");
    t.wait_for("Take a contribution");
    t.keys("f");
    t.wait_for("Find a member");
    t.keys("demo01-00001");
    t.wait_for("DEMO01-00001");
    t.keys("\r");
    t.wait_for("History");
    t.keys("1");
    t.wait_for("Amount");
    t.keys("\r");
    t.wait_for("Take this amount?");
    t.keys("\r");
    let s = t.wait_for("Receipt DEMO01/2026-27/");
    let receipt: String = s
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Receipt ")
                .map(|r| r.trim().to_string())
        })
        .expect("receipt line");
    t.keys("\x1b");
    t.wait_for("Take a contribution");

    t.keys("r");
    t.wait_for("Reverse a receipt");
    t.keys(&format!("{receipt}\r"));
    t.keys("SUP1\r");
    t.keys("2345\r");
    t.keys("wrong member chosen\r");
    t.wait_for("Reversal slip");
    t.keys("\r");
    t.wait_for("Take a contribution");

    // Cash since the demo's last close: the payment minus its reversal.
    t.keys("c");
    t.wait_for("Expected");
    for _ in 0..8 {
        t.keys("\r");
    }
    t.wait_for("Day closed");
    t.keys("\r");
    t.wait_for("Take a contribution");
    t.keys("q");

    let start = Instant::now();
    while t.session.get_process().is_alive().unwrap_or(false) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the console did not quit"
        );
        t.pump();
        std::thread::sleep(Duration::from_millis(50));
    }
    t.pump();
    assert!(
        !t.parser.screen().alternate_screen(),
        "the terminal was left on the alternate screen"
    );
    assert!(
        !t.parser.screen().hide_cursor(),
        "the cursor was left hidden"
    );

    assert_eq!(k.count("SELECT COUNT(*) FROM contributions"), before + 1);
    let reversed: Option<String> = k
        .db()
        .query_row(
            "SELECT reversed_by FROM contributions WHERE receipt_no = ?1",
            [&receipt],
            |r| r.get(0),
        )
        .expect("row");
    assert!(reversed.is_some(), "{receipt} should be reversed");
    let variance: i64 = k.count("SELECT variance FROM day_closes ORDER BY seq DESC LIMIT 1");
    assert_eq!(variance, 0);
    k.run(None, &["verify"]).ok();
}
