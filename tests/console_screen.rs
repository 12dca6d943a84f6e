//! The console on the kiosk's own screen, as a person sees it: the real
//! binary in a pseudo-terminal (the keyboard) drawing on a framebuffer (a
//! plain file of pixels here, `/dev/fb0` on the kiosk), the frames read back
//! as pictures and read by `tesseract -l hin`. Login, home, a member's card
//! and the SHG meeting screen, in Hindi. The pictures are kept in
//! `target/screenshots/` to look at.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use dastak::tui::screen::Canvas;
use expectrl::process::Healthcheck;
use support::*;

const W: u32 = 1280;
const H: u32 = 800;

struct Screen {
    session: expectrl::session::OsSession,
    fb: PathBuf,
    shots: PathBuf,
}

fn tesseract(png: &Path) -> String {
    let out = Command::new("tesseract")
        .arg(png)
        .arg("-")
        .args(["-l", "hin+eng"])
        .output()
        .expect("tesseract (Debian: tesseract-ocr tesseract-ocr-hin) must be installed");
    run_output(out).ok().stdout.clone()
}

/// What tesseract reads on a frame. It reads dark print on light paper
/// best, so it is given the frame's negative (beside `png`); the picture
/// kept to look at is the frame as shown.
fn read_screen(frame: &Canvas, png: &Path) -> String {
    let mut negative = frame.clone();
    for p in &mut negative.pixels {
        *p = p.map(|c| 255 - c);
    }
    let path = png.with_extension("ocr.png");
    std::fs::write(&path, negative.to_png().expect("png")).expect("write png");
    tesseract(&path)
}

/// `dastak console` on `dir`, drawing on a W×H framebuffer file `fb`, in
/// the kiosk's own language at [`NOW`].
fn console_on(dir: &Path, fb: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.arg("--data-dir")
        .arg(dir)
        .arg("console")
        .arg("--framebuffer")
        .arg(fb)
        .arg("--framebuffer-size")
        .arg(format!("{W}x{H}"))
        .env("DASTAK_NOW", NOW)
        .env_remove("DASTAK_LANG");
    cmd
}

impl Screen {
    fn spawn(dir: &Path, fb: &Path) -> Screen {
        let mut cmd = console_on(dir, fb);
        cmd.env("TERM", "linux").env_remove("DASTAK_PIN");
        let session = expectrl::Session::spawn(cmd).expect("spawn in a pty");
        let shots = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("target dir")
            .join("screenshots");
        std::fs::create_dir_all(&shots).expect("screenshots dir");
        Screen {
            session,
            fb: fb.to_path_buf(),
            shots,
        }
    }

    fn keys(&mut self, s: &str) {
        self.session.write_all(s.as_bytes()).expect("write");
        self.session.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Waits (at most 60 s) until tesseract reads every one of `words` on
    /// the screen; keeps the picture as `name`.png.
    fn wait_for(&mut self, name: &str, words: &[&str]) -> String {
        let png = self.shots.join(format!("{name}.png"));
        let start = Instant::now();
        loop {
            let bytes = std::fs::read(&self.fb).unwrap_or_default();
            if let Some(frame) = Canvas::from_xrgb(W, H, &bytes) {
                std::fs::write(&png, frame.to_png().expect("png")).expect("write png");
                let text = read_screen(&frame, &png);
                if words.iter().all(|w| text.contains(w)) {
                    return text;
                }
                assert!(
                    start.elapsed() < Duration::from_secs(60),
                    "waited for {words:?} on {}; tesseract reads:\n{text}",
                    png.display()
                );
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

#[test]
fn the_kiosks_own_screen_shows_hindi_that_tesseract_reads() {
    let k = Kiosk::demo(20);
    let fb = k.dir().join("fb0");
    let mut s = Screen::spawn(k.dir(), &fb);
    s.wait_for("login", &["लॉग", "पिन"]);
    s.keys("SUP1\r");
    s.keys("2345\r");
    // Conjuncts (स्व), the i-matra before its consonant (खोजें), nukta
    // (ज़िला-style dots in सहायता's neighbours), reph-free text: the home
    // screen in Hindi.
    s.wait_for("home", &["सदस्य", "खोजें", "स्वयं", "सहायता"]);
    s.keys("f");
    s.keys("demo01-00001");
    s.keys("\r");
    s.wait_for("member", &["इतिहास", "गोपाल", "प्रजापत", "राशन", "सहायता"]);
    s.keys("\x1b");
    s.keys("\x1b");
    s.wait_for("home-again", &["खोजें"]);
    s.keys("m");
    s.wait_for("meeting", &["बैठक", "समूह"]);
    s.keys("\x1b");
    s.keys("q");
    let start = Instant::now();
    while s.session.is_alive().unwrap_or(false) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "console did not quit"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_reference_rendering_of_the_first_run_screen_needs_no_keyboard() {
    let dir = tempfile::tempdir().expect("dir");
    let png = dir.path().join("first.png");
    let out = console_on(&dir.path().join("data"), &dir.path().join("fb"))
        .arg("--screenshot")
        .arg(&png)
        .output()
        .expect("run");
    run_output(out).ok();
    let text = tesseract(&png);
    for word in ["कियोस्क", "पंचायत", "ब्लॉक", "ज़िला"]
    {
        assert!(text.contains(word), "{word} not read in:\n{text}");
    }
}

#[test]
fn a_bad_screen_size_is_refused_with_a_translated_message() {
    let dir = tempfile::tempdir().expect("dir");
    let out = Command::new(bin())
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--lang", "hi", "console", "--framebuffer"])
        .arg(dir.path().join("fb"))
        .args(["--framebuffer-size", "wide"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("स्क्रीन का माप नहीं"), "{err}");
    assert!(!dir.path().join("fb").exists(), "nothing was created");
}

#[test]
fn a_missing_framebuffer_is_named_in_the_operators_language() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("no-such-fb0");
    let out = Command::new(bin())
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["--lang", "hi", "console", "--framebuffer"])
        .arg(&missing)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-fb0"), "{err}");
    // The Hindi message, "त्रुटि: … का उपयोग नहीं हो सका: …",
    // from the catalog, not the English "could not use".
    assert!(err.starts_with("त्रुटि"), "{err}");
    assert!(!err.contains("could not use"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!dir.path().join("data").exists(), "nothing was created");
}
