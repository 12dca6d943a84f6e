//! The real `dastak` binary in a pseudo-terminal (expectrl), its screen
//! read back through a vt100 parser: what a person at the kiosk sees.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use super::{NOW, bin};

pub struct Pty {
    pub session: expectrl::session::OsSession,
    pub parser: vt100::Parser,
}

impl Pty {
    pub fn spawn(dir: &std::path::Path) -> Pty {
        Pty::spawn_with(dir, &[])
    }

    pub fn spawn_with(dir: &std::path::Path, env: &[(&str, &str)]) -> Pty {
        let mut cmd = Command::new(bin());
        for (k, v) in env {
            cmd.env(k, v);
        }
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

    pub fn pump(&mut self) {
        let mut buf = [0u8; 8192];
        loop {
            match self.session.try_read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self.parser.process(&buf[..n]),
                Err(_) => break,
            }
        }
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Waits (at most 15 s) until the screen shows `text`.
    pub fn wait_for(&mut self, text: &str) -> String {
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

    pub fn keys(&mut self, s: &str) {
        self.session.write_all(s.as_bytes()).expect("write");
        self.session.flush().expect("flush");
        // Let the console take each burst before the next one.
        std::thread::sleep(Duration::from_millis(120));
        self.pump();
    }
}
