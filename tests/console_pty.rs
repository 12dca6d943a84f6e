//! The real binary in a pseudo-terminal, keys in and screen read back
//! through a terminal emulator (vt100): login → enrol → find →
//! contribution (printed on the printer emulator) → reversal → day close on
//! a fresh `demo` directory, then the database is checked and the terminal
//! must be restored. Also: a storm of random keys on the real binary, and a
//! panic injected mid-session, each leaving the terminal restored.

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use support::pty::Pty;
use support::*;

#[test]
fn a_day_at_the_console_in_a_real_terminal() {
    let k = Kiosk::demo(80);
    let before: i64 = k.count("SELECT COUNT(*) FROM contributions");
    let members: i64 = k.count("SELECT COUNT(*) FROM members");
    // The printer emulator stands in for the thermal printer.
    let out = tempfile::tempdir().expect("out");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let emu = dastak::print::emulate::Emulator::new(out.path(), 384, false).spawn(listener);
    std::fs::write(
        k.dir().join("dastak.toml"),
        format!("[printer]\nurl = \"tcp://{addr}\"\ntimeout_seconds = 2\n"),
    )
    .expect("config");

    let mut t = Pty::spawn(k.dir());
    t.wait_for("लॉग इन");
    t.keys("VOL1\r");
    t.keys("3456\r");
    t.wait_for("Take a contribution");

    // Enrol someone not on the ration-card list (F2), in the fund.
    t.keys("n");
    t.wait_for("Enrol");
    t.keys("\x1bOQ");
    for field in [
        "Ramesh Kumar",
        "Mohan Lal",
        "M",
        "45",
        "",
        "Rampur",
        "",
        "",
        "",
        "",
        "",
        "Sita Devi",
    ] {
        t.keys(field);
        t.keys("\t");
    }
    t.keys("wife\r");
    t.wait_for("registered and enrolled in FUND");
    t.keys("\x1b");
    t.wait_for("Take a contribution");
    assert_eq!(k.count("SELECT COUNT(*) FROM members"), members + 1);
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
    t.wait_for(&format!("Printed {receipt}"));
    // Esc goes back to the member's card, read again: it lists the new
    // receipt with the dues after it, not the ones before.
    t.keys("\x1b");
    t.wait_for(&format!("{receipt}  FUND"));
    t.keys("\x1b");
    t.wait_for("Find a member");
    t.keys("\x1b");
    t.wait_for("Take a contribution");
    let printed: String = (1..=emu.emulator.jobs())
        .map(|n| std::fs::read_to_string(out.path().join(format!("job-{n:04}.txt"))).expect("job"))
        .collect();
    assert_eq!(printed.matches(&receipt).count(), 1, "{printed}");

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
    ended(&mut t);

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

/// Waits for the console to end, then checks it gave the terminal back:
/// no alternate screen, cursor shown.
fn ended(t: &mut Pty) {
    let start = Instant::now();
    while t.session.get_process().is_alive().unwrap_or(false) {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the console did not end; the screen shows:\n{}",
            t.screen()
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
}

#[test]
fn a_storm_of_random_keys_in_a_real_terminal_leaves_books_and_terminal_whole() {
    let k = Kiosk::demo(40);
    let mut t = Pty::spawn(k.dir());
    t.wait_for("लॉग इन");
    t.keys("SUP1\r");
    t.keys("2345\r");
    t.wait_for("F खोजें");
    // Every key the screens use, Latin and Devanagari, arrows, function
    // keys, garbage; never Q or Ctrl-C, so the storm visits every screen.
    let keys: [&str; 24] = [
        "\r", "\x1b", "\t", "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x7f", "f", "p", "r", "c",
        "n", "m", "s", "t", "w", "1", "5", "स", "ु", "\x1bOQ", "\x1b[21~", "y",
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..2000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let key = keys[(x % keys.len() as u64) as usize];
        t.session.write_all(key.as_bytes()).expect("write");
        if i % 50 == 0 {
            t.session.flush().expect("flush");
            std::thread::sleep(Duration::from_millis(20));
            t.pump();
        }
    }
    t.session.flush().expect("flush");
    // Let the console work through the storm: wait until the screen has
    // been still for a second.
    let start = Instant::now();
    let mut last = String::new();
    let mut still = Instant::now();
    while still.elapsed() < Duration::from_secs(1) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the console never settled"
        );
        std::thread::sleep(Duration::from_millis(50));
        t.pump();
        let now = t.screen();
        if now != last {
            last = now;
            still = Instant::now();
        }
    }
    eprintln!("settled after {:?}", start.elapsed());
    // Back home and out. A still screen may still be busy (a screen
    // waiting for the books ignores keys by design), so Esc is pressed
    // until home's help line shows, not a fixed number of times.
    // (Under load a storm has been seen to end it already: then there is
    // nothing to lead home, and `ended` checks the terminal as before.)
    let alive = |t: &Pty| t.session.get_process().is_alive().unwrap_or(false);
    let start = Instant::now();
    while alive(&t) {
        t.keys("\x1b");
        if t.screen().contains("F खोजें") {
            t.keys("\x1b[B");
            t.keys("\x1b");
            t.keys("q");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "Esc never led home; the screen shows:\n{}",
            t.screen()
        );
    }
    ended(&mut t);
    k.run(None, &["verify"]).ok();
}

#[test]
fn a_panic_in_the_console_still_restores_the_terminal() {
    let k = Kiosk::demo(20);
    let mut t = Pty::spawn_with(k.dir(), &[("DASTAK_INJECT_PANIC", "1")]);
    t.wait_for("लॉग इन");
    t.keys("VOL1\r");
    t.keys("3456\r");
    t.wait_for("Take a contribution");
    t.keys("\x1b[24~");
    ended(&mut t);
    k.run(None, &["verify"]).ok();
}

/// The SHG meeting table scrolls (issue 10): an SHG of 60 women on an
/// 80×24 terminal, and after every key the selected row is on screen,
/// drawn in reverse, with "k–m of 60" under the table.
#[test]
fn the_meeting_table_keeps_the_selected_member_on_screen_at_80x24() {
    let k = Kiosk::ready();
    let dir = dastak::books::DataDir {
        root: k.dir().to_path_buf(),
    };
    let now: jiff::Timestamp = NOW.parse().expect("now");
    let names: Vec<String> = {
        let first = ["Asha", "Bimla", "Chanda", "Durga", "Gita", "Hema"];
        let last = [
            "Meena", "Saini", "Jat", "Gurjar", "Sharma", "Verma", "Yadav", "Bairwa", "Mali",
            "Kumawat",
        ];
        (0..60)
            .map(|i| format!("{} {}", first[i % 6], last[i / 6]))
            .collect()
    };
    {
        let mut books = dir.open_books().expect("books");
        let vol = books.operator("VOL1").expect("q").expect("vol");
        let mut pds = String::from("ration_card,village,member_name,gender,age,relation\n");
        for (i, n) in names.iter().enumerate() {
            pds.push_str(&format!("RS{i:04},रामपुर,{n},F,30,wife\n"));
        }
        books
            .import_households(&vol, "shg.csv", pds.as_bytes(), now)
            .expect("pds");
        for (i, n) in names.iter().enumerate() {
            let prefix = format!("23456789{:03}", i);
            let digits: Vec<u8> = prefix.bytes().map(|b| b - b'0').collect();
            let aadhaar = format!(
                "{prefix}{}",
                dastak::domain::aadhaar::verhoeff_check_digit(&digits)
            );
            let m = dastak::books::members::MemberForm {
                name: n.clone(),
                relative_name: "Mohan".into(),
                gender: "F".into(),
                age: Some("30".into()),
                ration_card: Some(format!("RS{i:04}")),
                aadhaar: Some(aadhaar),
                ..Default::default()
            };
            let e = dastak::books::members::EnrolForm {
                scheme: "SHG".into(),
                group: Some("SHG1".into()),
                ..Default::default()
            };
            books.register_member(&vol, &m, &[e], now).expect("member");
        }
    }
    let roll: Vec<String> = dir
        .open_books()
        .expect("books")
        .group_roll("SHG1", now)
        .expect("roll")
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(roll.len(), 60);

    let mut t = Pty::spawn(k.dir());
    t.wait_for("लॉग इन");
    t.keys("VOL1\r");
    t.keys("3456\r");
    // The test kiosk's operators read Hindi.
    t.wait_for("बाहर निकलें");
    t.keys("m");
    t.wait_for("SHG1");
    t.keys("\r");
    t.wait_for("60 में से");
    let mut keys: Vec<(&str, &str)> = vec![("\x1b[B", "down"); 62];
    keys.extend([
        ("\x1b[5~", "pgup"),
        ("\x1b[5~", "pgup"),
        ("\x1b[A", "up"),
        ("\x1b[H", "home"),
        ("\x1b[6~", "pgdn"),
        ("\x1b[6~", "pgdn"),
        ("\x1b[F", "end"),
        ("\t", "down"),
        ("\x1b[Z", "up"),
    ]);
    let mut row = 0usize;
    check_selected(&mut t, &roll[row]);
    for (key, what) in keys {
        t.keys(key);
        row = match what {
            "down" => (row + 1).min(59),
            "up" => row.saturating_sub(1),
            "pgup" => row.saturating_sub(10),
            "pgdn" => (row + 10).min(59),
            "home" => 0,
            _ => 59,
        };
        check_selected(&mut t, &roll[row]);
    }
    t.keys("\x1b");
    t.keys("\x1b");
    t.keys("q");
    ended(&mut t);
}

/// Waits until `name` is on screen in a row drawn in reverse (the
/// selection), with the position ("60 में से k–m") under the table.
fn check_selected(t: &mut Pty, name: &str) {
    let start = Instant::now();
    loop {
        t.pump();
        let screen = t.parser.screen();
        let (rows, cols) = screen.size();
        let (rows, cols) = (rows.get(), cols.get());
        let selected = (1..rows.saturating_sub(2)).find_map(|r| {
            let inverse = screen.cell(r, 0).is_some_and(|c| c.inverse());
            let text = screen.contents_between(r, 0, r, cols);
            (inverse && text.contains(name)).then_some(text)
        });
        if selected.is_some() && screen.contents().contains("60 में से") {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{name} is not selected on screen:\n{}",
            screen.contents()
        );
        std::thread::sleep(Duration::from_millis(30));
    }
}
