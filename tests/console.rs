//! The console driven in-process: real books in a temp directory, the real
//! `update` and worker, frames rendered on a fixed-size test backend.
//! Snapshots of every screen in both languages; random keys on every screen;
//! resizing mid-form.

use dastak::books::DataDir;
use dastak::books::members::{EnrolForm, MemberForm};
use dastak::books::setup::{InitForm, NewOperator, init};
use dastak::domain::time::{ClockVerdict, ist};
use dastak::i18n::Lang;
use dastak::store::queries;
use dastak::tui::Worker;
use dastak::tui::app::{Effect, Model, Msg, Screen, update};
use dastak::tui::printer::PrintDesk;
use jiff::civil::date;
use jiff::{Timestamp, ToSpan};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn at(day: i8, hour: i8) -> Timestamp {
    at_in(11, day, hour)
}

fn at_in(month: i8, day: i8, hour: i8) -> Timestamp {
    date(2026, month, day)
        .at(hour, 0, 0, 0)
        .to_zoned(ist())
        .expect("zoned")
        .timestamp()
}

/// A kiosk with two operators, three members and a few receipts.
fn kiosk() -> (tempfile::TempDir, DataDir) {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = DataDir {
        root: tmp.path().to_path_buf(),
    };
    let form = InitForm {
        kiosk: "RMP01".into(),
        panchayat: "रामपुर".into(),
        block: "सांगानेर".into(),
        district: "जयपुर".into(),
        language: "hi".into(),
        admin_code: "ADMIN".into(),
        admin_name: "अरुण शर्मा".into(),
        admin_pin: "1234".into(),
        district_secret: Some("11".repeat(32)),
    };
    // Enrolled in September: by 23 November each owes for some months.
    let t0 = at_in(9, 1, 10);
    let mut books = init(&dir, &form, t0).expect("init");
    let admin = queries::operator(books.store().conn(), "ADMIN")
        .expect("q")
        .expect("admin");
    for (code, name, role, language, pin) in [
        ("SUP1", "सरोज मीणा", "supervisor", "hi", "2345"),
        ("VOL1", "Pooja Saini", "volunteer", "en", "3456"),
    ] {
        books
            .add_operator(
                &admin,
                &NewOperator {
                    code,
                    name,
                    role,
                    language,
                    pin,
                },
                t0,
            )
            .expect("op");
    }
    let vol = queries::operator(books.store().conn(), "VOL1")
        .expect("q")
        .expect("vol");
    let pds = "ration_card,village,member_name,gender,age,relation\n\
               RJ0002,रामपुर,Gopal Saini,M,38,head\n\
               RJ0002,रामपुर,Kamla Saini,F,34,wife\n\
               RJ0003,सीतापुर,कैलाश जाट,M,61,मुखिया\n";
    books
        .import_households(&vol, "pds.csv", pds.as_bytes(), t0)
        .expect("pds");
    for (name, rel, g) in [
        ("सुनीता देवी", "रामलाल मीणा", "F"),
        ("Sunita Devi", "Ram Kumar", "F"),
        ("रमेश जाट", "भोलाराम", "M"),
    ] {
        let m = MemberForm {
            name: name.into(),
            relative_name: rel.into(),
            gender: g.into(),
            age: Some("40".into()),
            village: "रामपुर".into(),
            ..MemberForm::default()
        };
        let e = EnrolForm {
            scheme: "FUND".into(),
            nominee_name: Some("नामित व्यक्ति".into()),
            nominee_relation: Some("पुत्र".into()),
            ..EnrolForm::default()
        };
        books.register_member(&vol, &m, &[e], t0).expect("member");
    }
    // Two months later: the operator confirms the date before taking cash.
    books
        .confirm_date(&vol, "05-11-2026", at(5, 11))
        .expect("confirm");
    books
        .pay(&vol, "RMP01-00001", "FUND", None, None, at(5, 11))
        .expect("pay");
    books
        .pay(&vol, "RMP01-00002", "FUND", Some("200"), None, at(5, 12))
        .expect("pay");
    (tmp, dir)
}

const NOW_DAY: i8 = 23;

struct Harness {
    model: Model,
    worker: Worker,
    desk: PrintDesk,
    terminal: Terminal<TestBackend>,
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

impl Harness {
    fn new(dir: &DataDir, lang: Lang) -> Harness {
        let now = at(NOW_DAY, 10);
        let books = dir.open_books().expect("books");
        let kiosk = books.kiosk().expect("kiosk");
        let clock = books.clock_verdict(now).expect("clock");
        Harness {
            model: Model::new(kiosk, lang, now, clock),
            worker: Worker::new(books, Some(now)),
            desk: PrintDesk::new(dir.root.clone()),
            terminal: Terminal::new(TestBackend::new(80, 24)).expect("terminal"),
        }
    }

    /// Delivers a message and everything it causes, as the runtime would.
    fn send(&mut self, msg: Msg) {
        let mut queue = vec![msg];
        while let Some(m) = queue.pop() {
            for effect in update(&mut self.model, m) {
                if effect == Effect::Quit {
                    continue;
                }
                let reply = if effect.is_for_printer() {
                    self.desk.perform(effect)
                } else {
                    self.worker.perform(effect)
                };
                if let Some(reply) = reply {
                    queue.push(reply);
                }
            }
        }
    }

    fn keys(&mut self, keys: &[KeyCode]) {
        for k in keys {
            self.send(key(*k));
        }
    }

    fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.send(key(KeyCode::Char(c)));
        }
    }

    /// Types `s` and presses Enter, as an operator fills a field.
    fn enter(&mut self, s: &str) {
        self.type_text(s);
        self.send(key(KeyCode::Enter));
    }

    fn login(&mut self, code: &str, pin: &str) {
        self.enter(code);
        self.enter(pin);
    }

    /// Rows of a kiosk table, read from the books the worker holds.
    fn count(&self, table: &str) -> i64 {
        self.worker
            .books()
            .expect("books")
            .store()
            .conn()
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .expect("count")
    }

    fn screen(&mut self) -> String {
        self.terminal
            .draw(|f| f.render_widget(&self.model, f.area()))
            .expect("draw");
        let buf = self.terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            let mut x = 0;
            while x < buf.area.width {
                // A two-wide grapheme covers the next cell too: skip it, so
                // the snapshot reads as the screen does.
                let symbol = buf[(x, y)].symbol();
                line.push_str(symbol);
                x += unicode_width::UnicodeWidthStr::width(symbol).max(1) as u16;
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// Drives one screen in `lang` and snapshots it.
fn snap(lang: Lang, name: &str, drive: impl Fn(&mut Harness)) {
    let (_tmp, dir) = kiosk();
    let mut h = Harness::new(&dir, lang);
    drive(&mut h);
    let text = h.screen();
    if lang == Lang::Hi {
        assert_no_english_values(name, &text);
    }
    insta::assert_snapshot!(format!("{name}_{}", lang.code()), text);
}

/// A Hindi screen shows no English values: a word of lower-case Latin
/// letters ("male", "female", "supervisor", "ready") is a value that was
/// not translated. Names, codes (FUND, RMP01) and key names (Enter, Esc,
/// PgUp) are capitalised; URLs, paths and file names are not words; the
/// allowed words are a product and a command name and what the operator
/// typed (search words).
fn assert_no_english_values(name: &str, text: &str) {
    // Relations as the test's ration-card list spells them are the
    // district's data, not words of ours.
    let allowed = ["dastak", "link", "sunita", "saini", "head", "wife"];
    let tokens = text
        .split_whitespace()
        .filter(|t| !t.contains("://") && !t.contains('/') && !t.contains(".toml"));
    for token in tokens {
        for word in token.split(|c: char| !c.is_ascii_alphabetic()) {
            assert!(
                word.len() < 3
                    || !word.chars().all(|c| c.is_ascii_lowercase())
                    || allowed.contains(&word),
                "{name}: the English word {word:?} on a Hindi screen:\n{text}"
            );
        }
    }
}

fn login_as_lang(h: &mut Harness) {
    // Log in with an operator of the screen's language.
    match h.model.lang {
        Lang::En => h.login("VOL1", "3456"),
        Lang::Hi => h.login("SUP1", "2345"),
    }
}

#[test]
fn every_screen_in_both_languages() {
    for lang in Lang::ALL {
        snap(lang, "login", |_| {});
        snap(lang, "login_wrong_pin", |h| h.login("VOL1", "0000"));
        snap(lang, "home", login_as_lang);
        snap(lang, "find", |h| {
            login_as_lang(h);
            h.type_text("f");
            h.type_text("sunita");
        });
        snap(lang, "member", |h| {
            login_as_lang(h);
            h.enter("fsunita");
        });
        snap(lang, "pay_entry", |h| {
            login_as_lang(h);
            h.enter("fsunita");
            h.type_text("p");
        });
        snap(lang, "pay_bad_amount", |h| {
            login_as_lang(h);
            h.enter("fsunita");
            h.type_text("p");
            h.keys(&[KeyCode::Backspace, KeyCode::Backspace, KeyCode::Backspace]);
            h.enter("-5");
        });
        snap(lang, "pay_confirm", |h| {
            login_as_lang(h);
            h.enter("fsunita");
            h.enter("p");
        });
        snap(lang, "pay_done", |h| {
            login_as_lang(h);
            h.enter("fsunita");
            h.type_text("p");
            h.keys(&[KeyCode::Enter, KeyCode::Enter]);
        });
        snap(lang, "reverse", |h| {
            login_as_lang(h);
            h.type_text("r");
            h.type_text("RMP01/2026-27/000001");
        });
        snap(lang, "day_close", |h| {
            login_as_lang(h);
            h.type_text("c");
            h.type_text("1");
            h.keys(&[KeyCode::Down, KeyCode::Down]);
            h.type_text("2");
        });
        snap(lang, "enrol_household", |h| {
            login_as_lang(h);
            h.type_text("n");
            h.type_text("saini");
        });
        snap(lang, "enrol_person", |h| {
            login_as_lang(h);
            h.type_text("n");
            h.enter("RJ0002");
        });
        snap(lang, "enrol_form", |h| {
            login_as_lang(h);
            h.type_text("n");
            h.type_text("RJ0002");
            h.keys(&[KeyCode::Enter, KeyCode::Down, KeyCode::Enter]);
            h.keys(&[
                KeyCode::Down,
                KeyCode::Down,
                KeyCode::Down,
                KeyCode::Down,
                KeyCode::Down,
                KeyCode::Down,
            ]);
            h.type_text("12");
        });
        snap(lang, "sync", |h| {
            login_as_lang(h);
            h.type_text("s");
        });
        snap(lang, "settings", |h| {
            login_as_lang(h);
            h.type_text("t");
        });
        snap(lang, "print_queue", |h| {
            login_as_lang(h);
            h.type_text("w");
        });
        snap(lang, "settings_printer", |h| {
            login_as_lang(h);
            h.type_text("t");
            h.keys(&[KeyCode::Tab]);
            h.type_text("tcp://127.0.0.1:9100");
            h.keys(&[KeyCode::Tab, KeyCode::Char(' ')]);
        });
        snap(lang, "date_check", |h| {
            // The clock jumped 60 days past the last record.
            h.model.clock = ClockVerdict::FarAhead { last: at(5, 12) };
            h.model.now = at(5, 12).checked_add((60 * 24).hours()).expect("t");
            login_as_lang(h);
        });
    }
}

#[test]
fn a_contribution_taken_in_the_console_is_in_the_books() {
    let (_tmp, dir) = kiosk();
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    h.enter("fरमेश");
    h.type_text("p");
    // Replace the default with Devanagari digits.
    for _ in 0..6 {
        h.keys(&[KeyCode::Backspace]);
    }
    h.type_text("३००");
    h.keys(&[KeyCode::Enter, KeyCode::Enter]);
    let screen = h.screen();
    assert!(screen.contains("Receipt RMP01/2026-27/000003"), "{screen}");
    let c = queries::contribution(
        h.worker.books().expect("books").store().conn(),
        "RMP01/2026-27/000003",
    )
    .expect("q")
    .expect("row");
    assert_eq!(c.amount.0, 30_000);
    assert_eq!(c.periods, 3);
    assert_eq!(c.operator, "VOL1");
    assert!(
        dastak::store::verify::verify(h.worker.books().expect("books").store())
            .expect("verify")
            .ok()
    );
}

#[test]
fn a_reversal_and_a_day_close_from_the_console() {
    let (_tmp, dir) = kiosk();
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    h.type_text("r");
    h.enter("RMP01/2026-27/000001");
    h.enter("SUP1");
    h.enter("2345");
    h.enter("wrong member");
    let screen = h.screen();
    assert!(
        screen.contains("Reversal slip RMP01/2026-27/000003"),
        "{screen}"
    );
    h.keys(&[KeyCode::Enter]);
    // Expected: 100 + 200 - 100 = ₹200, counted as two ₹100 notes.
    h.type_text("c");
    h.keys(&[KeyCode::Down, KeyCode::Down]);
    h.type_text("2");
    // Down to the reason row, then Enter on it closes the day.
    for _ in 0..6 {
        h.keys(&[KeyCode::Enter]);
    }
    let screen = h.screen();
    assert!(screen.contains("variance ₹0.00"), "{screen}");
    let n = h.count("day_closes");
    assert_eq!(n, 1);
}

#[test]
fn a_wrong_amount_is_explained_and_nothing_is_taken() {
    let (_tmp, dir) = kiosk();
    let mut h = Harness::new(&dir, Lang::Hi);
    h.login("SUP1", "2345");
    h.enter("fsunita");
    h.type_text("p");
    h.enter("1.555");
    let screen = h.screen();
    assert!(screen.contains("दशमलव के बाद अधिकतम दो अंक"), "{screen}");
    assert!(matches!(h.model.screen, Screen::Pay(_)));
    let n = h.count("contributions");
    assert_eq!(n, 2);
}

#[test]
fn resizing_mid_form_loses_nothing_typed() {
    let (_tmp, dir) = kiosk();
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    h.type_text("c");
    h.type_text("7");
    h.keys(&[KeyCode::Down]);
    h.type_text("3");
    for (w, ht) in [(40, 12), (120, 40), (80, 24), (20, 5)] {
        h.terminal.backend_mut().resize(w, ht);
        h.terminal
            .resize(ratatui::layout::Rect::new(0, 0, w, ht))
            .expect("resize");
        h.send(Msg::Resize);
        h.screen();
    }
    h.terminal.backend_mut().resize(80, 24);
    h.terminal
        .resize(ratatui::layout::Rect::new(0, 0, 80, 24))
        .expect("resize");
    let screen = h.screen();
    assert!(screen.contains("₹500 ×: 7"), "{screen}");
    assert!(screen.contains("₹200 ×: 3"), "{screen}");
    assert!(
        screen.contains("₹4,100.00"),
        "running total after resizes: {screen}"
    );
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn thousands_of_random_keys_on_every_screen_break_nothing() {
    let (_tmp, dir) = kiosk();
    let keys = [
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::F(10),
        KeyCode::Char('f'),
        KeyCode::Char('p'),
        KeyCode::Char('r'),
        KeyCode::Char('c'),
        KeyCode::Char('1'),
        KeyCode::Char('y'),
        KeyCode::Char('n'),
        KeyCode::Char('0'),
        KeyCode::Char('5'),
        KeyCode::Char('स'),
        KeyCode::Char('ु'),
        KeyCode::Char('\u{202E}'),
        KeyCode::Char(';'),
        KeyCode::Char('\''),
        KeyCode::Char('-'),
        KeyCode::Char('.'),
        KeyCode::Char('a'),
        KeyCode::F(2),
        KeyCode::Char('s'),
        KeyCode::Char('t'),
        KeyCode::Char('h'),
        KeyCode::Char('e'),
        KeyCode::Char('w'),
    ];
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut screens_seen = std::collections::BTreeSet::new();
    for round in 0..8 {
        let mut h = Harness::new(&dir, if round % 2 == 0 { Lang::Hi } else { Lang::En });
        h.login(
            if round % 2 == 0 { "SUP1" } else { "VOL1" },
            if round % 2 == 0 { "2345" } else { "3456" },
        );
        for i in 0..800 {
            let k = keys[(rng.next() % keys.len() as u64) as usize];
            // Never the quit key: the point is to wander every screen.
            if matches!(k, KeyCode::Char('q')) {
                continue;
            }
            h.send(key(k));
            screens_seen.insert(match &h.model.screen {
                Screen::Setup(_) => "setup",
                Screen::Enrol(_) => "enrol",
                Screen::Meeting(_) => "meeting",
                Screen::Sync(_) => "sync",
                Screen::Settings(_) => "settings",
                Screen::Login(_) => "login",
                Screen::DateCheck(_) => "date",
                Screen::Home(_) => "home",
                Screen::Find(_) => "find",
                Screen::Member(_) => "member",
                Screen::Pay(_) => "pay",
                Screen::Reverse(_) => "reverse",
                Screen::Close(_) => "close",
                Screen::Queue(_) => "queue",
            });
            if i % 10 == 0 {
                h.screen();
            }
        }
    }
    for s in [
        "home", "find", "member", "pay", "reverse", "close", "enrol", "sync", "settings", "queue",
    ] {
        assert!(
            screens_seen.contains(s),
            "random walk never reached {s}: {screens_seen:?}"
        );
    }
    let books = dir.open_books().expect("books");
    let report = dastak::store::verify::verify(books.store()).expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn first_run_setup_makes_the_books_then_asks_for_login() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = DataDir {
        root: tmp.path().to_path_buf(),
    };
    let now = at(NOW_DAY, 10);
    let mut h = Harness {
        model: Model::first_run(Lang::Hi, now),
        worker: Worker::first_run(dir.clone(), Some(now)),
        desk: PrintDesk::new(dir.root.clone()),
        terminal: Terminal::new(TestBackend::new(80, 24)).expect("terminal"),
    };
    insta::assert_snapshot!("setup_hi", h.screen());
    for (i, value) in [
        "rmp09",
        "रामपुर",
        "सांगानेर",
        "जयपुर",
        "en",
        "ADMIN",
        "Arun Sharma",
        "1234",
        "9999",
    ]
    .iter()
    .enumerate()
    {
        if i == 4 {
            // The language field starts as "hi".
            h.keys(&[KeyCode::Backspace, KeyCode::Backspace]);
        }
        h.enter(value);
    }
    // The PINs differ: refused, nothing written.
    assert!(h.screen().contains("The two PINs differ"), "{}", h.screen());
    assert!(!dir.is_initialised());
    h.enter("1234");
    assert!(matches!(h.model.screen, Screen::Login(_)), "{}", h.screen());
    h.login("ADMIN", "1234");
    assert!(h.screen().contains("Take a contribution"), "{}", h.screen());
    let books = dir.open_books().expect("books");
    assert_eq!(books.kiosk().expect("kiosk").code, "RMP09");
}

#[test]
fn enrolling_from_the_ration_card_list_warns_of_a_duplicate_before_saving() {
    let (_tmp, dir) = kiosk();
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    let enrol_kamla = |h: &mut Harness| {
        h.type_text("n");
        h.type_text("kamla");
        // The household, then its second person (Kamla), then the form.
        h.keys(&[KeyCode::Enter, KeyCode::Down, KeyCode::Enter]);
        // From the relative's name (prefilled) down to the nominee.
        for _ in 0..10 {
            h.keys(&[KeyCode::Down]);
        }
        h.type_text("Gopal Saini");
        h.keys(&[KeyCode::Down]);
        h.type_text("पति");
    };
    enrol_kamla(&mut h);
    // A bad phone is explained as it is typed, and blocks saving.
    h.keys(&[
        KeyCode::Up,
        KeyCode::Up,
        KeyCode::Up,
        KeyCode::Up,
        KeyCode::Up,
    ]);
    h.type_text("12");
    assert!(
        h.screen().contains("✗ a mobile number has 10 digits"),
        "{}",
        h.screen()
    );
    h.keys(&[KeyCode::F(10)]);
    assert!(
        h.screen()
            .contains("Mobile number: a mobile number has 10 digits"),
        "{}",
        h.screen()
    );
    h.keys(&[KeyCode::Backspace, KeyCode::Backspace, KeyCode::F(10)]);
    let screen = h.screen();
    assert!(
        screen.contains("Member RMP01-00004 registered and enrolled in FUND"),
        "{screen}"
    );
    h.keys(&[KeyCode::Esc]);

    // The same woman again: the warning shows before saving, and saving is refused.
    enrol_kamla(&mut h);
    assert!(
        h.screen().contains(
            "Possibly already registered: Kamla Saini (RMP01-00004), relative Gopal Saini"
        ),
        "{}",
        h.screen()
    );
    h.keys(&[KeyCode::F(10)]);
    assert!(
        h.screen()
            .contains("a supervisor enters their code, PIN and a reason"),
        "{}",
        h.screen()
    );
    let n = h.count("members");
    assert_eq!(n, 4);
    // The new member is found at once, by name, in the console's index.
    h.keys(&[KeyCode::Esc]);
    h.type_text("fkamla");
    assert!(h.screen().contains("RMP01-00004"), "{}", h.screen());
}

#[test]
fn settings_switch_the_language_at_once() {
    let (_tmp, dir) = kiosk();
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    assert!(h.screen().contains("Take a contribution"));
    h.type_text("th");
    assert!(h.screen().contains("सेटिंग"), "{}", h.screen());
    h.keys(&[KeyCode::Esc]);
    assert!(h.screen().contains("जमा लें"), "{}", h.screen());
    h.type_text("te");
    h.keys(&[KeyCode::Esc]);
    assert!(h.screen().contains("Take a contribution"), "{}", h.screen());
}

/// The kiosk above plus an SHG with two women in it.
fn kiosk_with_group() -> (tempfile::TempDir, DataDir) {
    let (tmp, dir) = kiosk();
    let mut books = dir.open_books().expect("books");
    let sup = queries::operator(books.store().conn(), "SUP1")
        .expect("q")
        .expect("sup");
    let t = at(6, 10);
    books
        .create_group(&sup, "SHG1", "SHG", "लक्ष्मी समूह", "रामपुर", t)
        .expect("group");
    for (name, rc, aadhaar) in [
        ("Kamla Saini", "RJ0002", "234567890124"),
        ("मीना बैरवा", "RJ0005", "234567890153"),
    ] {
        let m = MemberForm {
            name: name.into(),
            relative_name: "Gopal".into(),
            gender: "F".into(),
            age: Some("34".into()),
            village: "रामपुर".into(),
            ration_card: Some(rc.into()),
            aadhaar: Some(aadhaar.into()),
            ..MemberForm::default()
        };
        let e = EnrolForm {
            scheme: "SHG".into(),
            group: Some("SHG1".into()),
            ..EnrolForm::default()
        };
        books
            .register_member(&sup, &m, &[e], t)
            .expect("shg member");
    }
    (tmp, dir)
}

#[test]
fn an_shg_meeting_commits_all_savings_at_once_or_none() {
    for lang in Lang::ALL {
        let (_tmp, dir) = kiosk_with_group();
        let mut h = Harness::new(&dir, lang);
        login_as_lang(&mut h);
        h.enter("m");
        insta::assert_snapshot!(format!("meeting_entry_{}", lang.code()), h.screen());
        // A bad amount for the second member: the whole meeting is refused.
        h.keys(&[KeyCode::Down]);
        for _ in 0..6 {
            h.keys(&[KeyCode::Backspace]);
        }
        h.type_text("5");
        h.keys(&[KeyCode::Enter, KeyCode::Enter]);
        let refused = h.screen();
        let before: i64 = h
            .worker
            .books()
            .expect("books")
            .store()
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM contributions WHERE scheme = 'SHG'",
                [],
                |r| r.get(0),
            )
            .expect("n");
        assert_eq!(
            before, 0,
            "nothing is taken when one saving is refused:\n{refused}"
        );
        assert!(
            refused.contains("मीना बैरवा (RMP01-00005)"),
            "the refusal names the member:\n{refused}"
        );
        // Fix it (₹५० in Devanagari digits) and commit.
        h.keys(&[KeyCode::Backspace]);
        h.enter("५०");
        insta::assert_snapshot!(format!("meeting_confirm_{}", lang.code()), h.screen());
        h.keys(&[KeyCode::Enter]);
        let done = h.screen();
        let conn = h.worker.books().expect("books").store().conn();
        let n: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM contributions WHERE scheme = 'SHG'",
                [],
                |r| r.get(0),
            )
            .expect("n");
        assert_eq!(n, 2, "{done}");
        let total: i64 = conn
            .query_row(
                "SELECT SUM(amount) FROM contributions WHERE scheme = 'SHG'",
                [],
                |r| r.get(0),
            )
            .expect("sum");
        assert!(done.contains("RMP01/2026-27/"), "{done}");
        assert!(total >= 5_000 + 2_000, "{total}");
    }
}

/// Starts the printer emulator on loopback and names it in the kiosk's
/// settings.
fn emulator_for(dir: &DataDir, out: &std::path::Path) -> dastak::print::emulate::Running {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::fs::write(
        dir.root.join("dastak.toml"),
        format!("[printer]\nurl = \"tcp://{addr}\"\ntimeout_seconds = 1\n"),
    )
    .expect("config");
    dastak::print::emulate::Emulator::new(out, 384, false).spawn(listener)
}

#[test]
fn a_contribution_in_the_console_prints_or_waits_in_the_queue_and_reprints_once() {
    let (_tmp, dir) = kiosk();
    let out = tempfile::tempdir().expect("out");
    let emu = emulator_for(&dir, out.path());
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    // Out of paper: the money is taken and the receipt waits.
    emu.emulator
        .paper_out
        .store(true, std::sync::atomic::Ordering::SeqCst);
    h.enter("fरमेश");
    h.type_text("p");
    h.keys(&[KeyCode::Enter, KeyCode::Enter]);
    let screen = h.screen();
    assert!(screen.contains("NOT printed"), "{screen}");
    assert!(screen.contains("out of paper"), "{screen}");
    assert_eq!(emu.emulator.jobs(), 0);
    let books = dir.open_books().expect("books");
    let receipt: String = books
        .store()
        .conn()
        .query_row(
            "SELECT receipt_no FROM contributions ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("committed");
    assert!(
        books
            .print_queue()
            .expect("queue")
            .iter()
            .any(|j| j.reference == receipt)
    );
    // Paper in; from home, W and Enter print everything that waits.
    emu.emulator
        .paper_out
        .store(false, std::sync::atomic::Ordering::SeqCst);
    // Back to the member's card, the search, and home.
    h.keys(&[KeyCode::Esc, KeyCode::Esc, KeyCode::Esc]);
    let home = h.screen();
    assert!(home.contains("Waiting to print: 6"), "{home}");
    h.type_text("w");
    assert!(h.screen().contains(&receipt));
    h.keys(&[KeyCode::Enter]);
    assert!(books.print_queue().expect("queue").is_empty());
    let printed: String = (1..=emu.emulator.jobs())
        .map(|n| std::fs::read_to_string(out.path().join(format!("job-{n:04}.txt"))).expect("txt"))
        .collect();
    assert_eq!(printed.matches(&receipt).count(), 1, "{printed}");
    // The next villager's receipt prints at once.
    h.keys(&[KeyCode::Esc]);
    h.enter("fSunita Devi");
    h.type_text("p");
    h.keys(&[KeyCode::Enter, KeyCode::Enter]);
    let screen = h.screen();
    assert!(screen.contains("Printed RMP01/2026-27/"), "{screen}");
}

#[test]
fn the_sync_screen_uploads_and_writes_a_stick_that_the_lab_takes_once() {
    let (_tmp, dir) = kiosk();
    let labdir = tempfile::tempdir().expect("lab");
    let mut lab = dastak_lab::Lab::init(labdir.path()).expect("lab init");
    let id = lab.identity();
    {
        let mut books = dir.open_books().expect("books");
        let key = books.key.clone().expect("key");
        lab.add_kiosk(
            "RMP01",
            &hex::encode(key.verifying_key().to_bytes()),
            at(NOW_DAY, 9),
        )
        .expect("register");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        dastak::sync::link(books.store_mut(), &id.recipient, &id.ack_key, Some(&url))
            .expect("link");
        let mut server = dastak_lab::server::Background::start(lab, listener, Default::default());
        let mut h = Harness::new(&dir, Lang::En);
        h.login("VOL1", "3456");
        h.type_text("s");
        assert!(
            h.screen().contains("16 events not sent yet"),
            "{}",
            h.screen()
        );
        h.keys(&[KeyCode::F(5)]);
        let screen = h.screen();
        assert!(screen.contains("16 event(s) sent"), "{screen}");
        assert!(screen.contains("0 events not sent yet"), "{screen}");
        // The stick too: nothing pending, so nothing but the folder.
        let stick = tempfile::tempdir().expect("stick");
        for _ in 0.."/media/usb".len() {
            h.keys(&[KeyCode::Backspace]);
        }
        h.enter(stick.path().to_str().expect("utf8"));
        assert!(
            h.screen().contains("0 batch(es), 0 event(s) written"),
            "{}",
            h.screen()
        );
        server.stop().expect("server");
    }
    let lab = dastak_lab::Lab::open(labdir.path()).expect("lab");
    let status = lab.status().expect("status");
    assert_eq!(status[0].through, 16);
}

/// First boot on the appliance: the district's stick carries the lab's
/// signed link file; F6 on the sync screen links the kiosk, for an admin
/// only, and only to a lab the settings trust.
#[test]
fn f6_links_the_kiosk_from_the_sticks_signed_file_for_an_admin_only() {
    let (_tmp, dir) = kiosk();
    let labdir = tempfile::tempdir().expect("lab");
    let lab = dastak_lab::Lab::init(labdir.path()).expect("lab init");
    let stick = tempfile::tempdir().expect("stick");
    lab.write_link_file(stick.path(), Some("http://127.0.0.1:9/"), at(NOW_DAY, 9))
        .expect("link file");
    let trusted =
        dastak::domain::proof::parse_public_key(&lab.identity().ack_key).expect("lab key");
    let press_f6 = |who: &str, pin: &str| {
        let mut h = Harness::new(&dir, Lang::En);
        h.worker.trusted_labs = vec![trusted];
        h.login(who, pin);
        h.type_text("s");
        for _ in 0.."/media/usb".len() {
            h.keys(&[KeyCode::Backspace]);
        }
        h.type_text(stick.path().to_str().expect("utf8"));
        h.keys(&[KeyCode::F(6)]);
        h.screen()
    };
    let linked =
        || dastak::sync::link_info(dir.open_books().expect("books").store()).expect("link");
    let screen = press_f6("VOL1", "3456");
    assert!(screen.contains("only an admin"), "{screen}");
    assert_eq!(linked(), None);
    // The admin reads Hindi: the message names the lab's key.
    let screen = press_f6("ADMIN", "1234");
    let lab_key = lab.identity().ack_key;
    assert!(
        screen.contains(&format!("लैब कुंजी {}…", &lab_key[..16])),
        "{screen}"
    );
    let link = linked().expect("linked");
    assert_eq!(link.ack_key, lab_key);
    assert_eq!(link.url.as_deref(), Some("http://127.0.0.1:9/"));
}

// ---- Field blockers (issue 10): each test is named after what it guards.

/// The fixture kiosk plus `n` fund members whose names all start with
/// "Sita", on `n` ration cards of the list: more than a screen of results
/// and households.
fn kiosk_with_many(n: usize) -> (tempfile::TempDir, DataDir) {
    let (tmp, dir) = kiosk();
    let mut books = dir.open_books().expect("books");
    let vol = queries::operator(books.store().conn(), "VOL1")
        .expect("q")
        .expect("vol");
    let first = [
        "Sita",
        "Sitara",
        "Sitabai",
        "Sitadevi",
        "Sitakumari",
        "Sitarani",
    ];
    let last = [
        "Meena", "Saini", "Jat", "Gurjar", "Sharma", "Verma", "Yadav", "Bairwa", "Mali", "Kumawat",
    ];
    let mut pds = String::from("ration_card,village,member_name,gender,age,relation\n");
    for i in 0..n {
        let name = format!(
            "{} {}",
            first[i % first.len()],
            last[i / first.len() % last.len()]
        );
        pds.push_str(&format!("RJ9{i:03},रामपुर,{name},F,30,wife\n"));
    }
    books
        .import_households(&vol, "many.csv", pds.as_bytes(), at(6, 10))
        .expect("pds");
    for i in 0..n {
        let name = format!(
            "{} {}",
            first[i % first.len()],
            last[i / first.len() % last.len()]
        );
        let m = MemberForm {
            name,
            relative_name: "Mohan".into(),
            gender: "F".into(),
            age: Some("30".into()),
            ration_card: Some(format!("RJ9{i:03}")),
            ..MemberForm::default()
        };
        let e = EnrolForm {
            scheme: "FUND".into(),
            nominee_name: Some("Mohan".into()),
            nominee_relation: Some("पति".into()),
            ..EnrolForm::default()
        };
        books
            .register_member(&vol, &m, &[e], at(6, 10))
            .expect("member");
    }
    (tmp, dir)
}

#[test]
fn search_results_and_the_household_picker_keep_the_selected_row_on_screen() {
    let (_tmp, dir) = kiosk_with_many(60);
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    h.type_text("fsita");
    let ids: Vec<String> = match &h.model.screen {
        Screen::Find(f) => f.results.iter().map(|e| e.member_id.clone()).collect(),
        _ => panic!("not the find screen"),
    };
    assert_eq!(ids.len(), 60);
    let screen = h.screen();
    assert!(screen.contains("of 60"), "{screen}");
    let mut expected = 0usize;
    for k in [KeyCode::Down; 30]
        .into_iter()
        .chain([
            KeyCode::PageDown,
            KeyCode::PageDown,
            KeyCode::End,
            KeyCode::Up,
        ])
        .chain([KeyCode::PageUp, KeyCode::Home, KeyCode::PageDown])
    {
        h.keys(&[k]);
        expected = match k {
            KeyCode::Down => (expected + 1).min(59),
            KeyCode::Up => expected.saturating_sub(1),
            KeyCode::PageDown => (expected + 10).min(59),
            KeyCode::PageUp => expected.saturating_sub(10),
            KeyCode::Home => 0,
            _ => 59,
        };
        let screen = h.screen();
        assert!(
            screen.contains(&ids[expected]),
            "{k:?} → row {expected}:\n{screen}"
        );
    }
    // The household picker, searched by a name in either script.
    h.keys(&[KeyCode::Esc]);
    h.type_text("n");
    h.type_text("सीता");
    let cards: Vec<String> = match &h.model.screen {
        Screen::Enrol(e) => e.households.iter().map(|x| x.ration_card.clone()).collect(),
        _ => panic!("not the enrol screen"),
    };
    assert!(cards.len() > 20, "{cards:?}");
    let mut row = 0;
    for _ in 0..cards.len() + 2 {
        h.keys(&[KeyCode::Down]);
        row = (row + 1).min(cards.len() - 1);
        let screen = h.screen();
        assert!(screen.contains(&cards[row]), "row {row}:\n{screen}");
        assert!(screen.contains(&format!("of {}", cards.len())), "{screen}");
    }
}

#[test]
fn the_household_picker_shows_who_is_a_member_already_and_of_what() {
    let (_tmp, dir) = kiosk();
    {
        let mut books = dir.open_books().expect("books");
        let vol = queries::operator(books.store().conn(), "VOL1")
            .expect("q")
            .expect("vol");
        let m = MemberForm {
            name: "कमला सैनी".into(),
            relative_name: "Gopal Saini".into(),
            gender: "F".into(),
            age: Some("34".into()),
            ration_card: Some("RJ0002".into()),
            ..MemberForm::default()
        };
        let e = EnrolForm {
            scheme: "FUND".into(),
            nominee_name: Some("Gopal".into()),
            nominee_relation: Some("पति".into()),
            ..EnrolForm::default()
        };
        books
            .register_member(&vol, &m, &[e], at(6, 10))
            .expect("member");
    }
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    h.type_text("n");
    // "gopal" in Latin finds the household; Kamla, registered in
    // Devanagari, is shown as a member of the fund.
    h.enter("gopal");
    let screen = h.screen();
    assert!(
        screen.contains("Already a member: कमला सैनी (RMP01-00004) FUND"),
        "{screen}"
    );
    assert!(
        screen.contains("Kamla Saini  female  34  wife  ✓ RMP01-00004 FUND"),
        "{screen}"
    );
}

#[test]
fn the_same_person_typed_in_another_spelling_is_caught_and_a_supervisor_may_let_a_namesake_through()
{
    let (_tmp, dir) = kiosk();
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    // Someone not on the list: Raamlaal Meena, then रामलाल मीणा.
    let enrol = |h: &mut Harness, name: &str, relative: &str| {
        h.type_text("n");
        h.keys(&[KeyCode::F(2)]);
        h.type_text(name);
        h.keys(&[KeyCode::Down]);
        h.type_text(relative);
        h.keys(&[KeyCode::Down]);
        h.type_text("M");
        h.keys(&[KeyCode::Down]);
        h.type_text("50");
        h.keys(&[KeyCode::Down, KeyCode::Down]);
        h.type_text("रामपुर");
        for _ in 0..6 {
            h.keys(&[KeyCode::Down]);
        }
        h.type_text("Sita");
        h.keys(&[KeyCode::Down]);
        h.type_text("पत्नी");
    };
    enrol(&mut h, "Raamlaal Meena", "Bhola Ram");
    h.keys(&[KeyCode::F(10)]);
    assert!(h.screen().contains("registered"), "{}", h.screen());
    h.keys(&[KeyCode::Esc]);
    for name in ["Ramlal Meena", "रामलाल मीणा"] {
        enrol(&mut h, name, "भोला राम");
        let screen = h.screen();
        assert!(
            screen.contains("Possibly already registered: Raamlaal Meena (RMP01-00004)"),
            "{name}:\n{screen}"
        );
        h.keys(&[KeyCode::F(10)]);
        assert!(
            h.screen().contains("a supervisor enters their code"),
            "{}",
            h.screen()
        );
        h.keys(&[KeyCode::Esc]);
    }
    let n = |h: &Harness| h.count("members");
    assert_eq!(n(&h), 4);
    // A real namesake: the supervisor's code, PIN and reason let it through.
    enrol(&mut h, "रामलाल मीणा", "भोला राम");
    h.keys(&[KeyCode::Down]);
    h.type_text("SUP1");
    h.keys(&[KeyCode::Down]);
    h.type_text("0000");
    h.keys(&[KeyCode::Down]);
    h.type_text("another Ramlal, of ward 4");
    h.keys(&[KeyCode::F(10)]);
    assert!(h.screen().contains("wrong PIN"), "{}", h.screen());
    assert_eq!(n(&h), 4);
    // The PIN again, right this time.
    h.keys(&[KeyCode::Up]);
    for _ in 0..4 {
        h.keys(&[KeyCode::Backspace]);
    }
    h.type_text("2345");
    h.keys(&[KeyCode::F(10)]);
    assert!(
        h.screen().contains("Member RMP01-00005 registered"),
        "{}",
        h.screen()
    );
    let books = h.worker.books().expect("books");
    let (like, supervisor, by): (String, String, String) = books
        .store()
        .conn()
        .query_row(
            "SELECT like_member, supervisor, by_operator FROM duplicate_overrides WHERE member_id = 'RMP01-00005'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("override recorded");
    assert_eq!(
        (like.as_str(), supervisor.as_str(), by.as_str()),
        ("RMP01-00004", "SUP1", "VOL1")
    );
    assert!(
        dastak::store::verify::verify(books.store())
            .expect("verify")
            .ok()
    );
}

#[test]
fn an_amount_the_scheme_refuses_is_explained_before_the_confirmation() {
    let (_tmp, dir) = kiosk();
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    h.enter("fरमेश");
    h.type_text("p");
    for _ in 0..8 {
        h.keys(&[KeyCode::Backspace]);
    }
    h.enter("250");
    let screen = h.screen();
    assert!(!screen.contains("Take this amount?"), "{screen}");
    assert!(
        matches!(&h.model.screen, Screen::Pay(p) if matches!(p.stage, dastak::tui::pay::Stage::Entry))
    );
    assert!(
        screen.contains("₹250.00") || screen.contains("250"),
        "{screen}"
    );
    assert!(screen.contains("whole"), "{screen}");
}

#[test]
fn the_screen_locks_on_f9_and_after_five_idle_minutes() {
    let (_tmp, dir) = kiosk();
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    h.type_text("fरमेश");
    h.keys(&[KeyCode::F(9)]);
    assert!(matches!(h.model.screen, Screen::Login(_)));
    assert!(h.model.operator.is_none());
    assert!(
        h.screen().contains("The screen was locked"),
        "{}",
        h.screen()
    );
    // The worker forgot the operator too: nothing can be done in their name.
    let r = h.worker.perform(Effect::Pay {
        member: "RMP01-00003".into(),
        scheme: "FUND".into(),
        amount: String::new(),
        periods: String::new(),
    });
    assert!(matches!(r, Some(Msg::Paid(Err(_)))));
    // Another operator logs in; left idle, the screen locks by itself.
    h.login("SUP1", "2345");
    assert!(h.screen().contains("जमा लें"), "{}", h.screen());
    let now = h.model.now;
    h.send(Msg::Tick(now.checked_add(4.minutes()).expect("t")));
    assert!(h.model.operator.is_some());
    h.send(Msg::Tick(now.checked_add(5.minutes()).expect("t")));
    assert!(matches!(h.model.screen, Screen::Login(_)));
    assert!(h.model.operator.is_none());
}

#[test]
fn home_counts_only_receipts_that_stand_and_agrees_with_day_close() {
    let (_tmp, dir) = kiosk();
    let mut books = dir.open_books().expect("books");
    let sup = queries::operator(books.store().conn(), "SUP1")
        .expect("q")
        .expect("sup");
    books
        .reverse(&sup, "RMP01/2026-27/000002", "wrong member", at(NOW_DAY, 9))
        .expect("reverse");
    drop(books);
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    let books = dir.open_books().expect("books");
    let expected = books.expected_cash().expect("expected");
    let status = books.status(at(NOW_DAY, 10)).expect("status");
    assert_eq!(status.today_receipts, 1);
    assert_eq!(status.today_total, expected);
    let screen = h.screen();
    assert!(
        screen.contains(&format!(
            "Since the last day close: 1 receipts, {expected} in the drawer"
        )),
        "{screen}"
    );
    h.type_text("c");
    assert!(h.screen().contains(&expected.to_string()), "{}", h.screen());
}

#[test]
fn the_print_queue_reads_itself_again_and_home_says_when_the_paper_is_out() {
    let (_tmp, dir) = kiosk();
    let out = tempfile::tempdir().expect("out");
    let emu = emulator_for(&dir, out.path());
    emu.emulator
        .paper_out
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    let home = h.screen();
    assert!(
        home.contains("Printer: the printer is out of paper"),
        "{home}"
    );
    assert!(!home.contains("Printer: ready"), "{home}");
    emu.emulator
        .paper_out
        .store(false, std::sync::atomic::Ordering::SeqCst);
    h.enter("w");
    // No key pressed since: the queue on screen is the one after printing.
    let screen = h.screen();
    assert!(screen.contains("Nothing waits to be printed"), "{screen}");
    assert!(!screen.contains("Please wait"), "{screen}");
    // A reference that names nothing is explained, and the list comes back.
    h.enter("RMP01/2026-27/000099");
    let screen = h.screen();
    assert!(!screen.contains("Please wait"), "{screen}");
}

#[test]
fn the_member_card_shows_the_dues_after_a_payment() {
    let (_tmp, dir) = kiosk();
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    h.enter("fरमेश");
    let before = h.screen();
    assert!(before.contains("Due: ₹300.00"), "{before}");
    h.type_text("p");
    h.keys(&[KeyCode::Enter, KeyCode::Enter]);
    assert!(h.screen().contains("Receipt RMP01/2026-27/000003"));
    h.keys(&[KeyCode::Esc]);
    let after = h.screen();
    assert!(after.contains("Paid up"), "{after}");
    assert!(!after.contains("Due: ₹300.00"), "{after}");
    // And the search it came from shows the new due too.
    h.keys(&[KeyCode::Esc]);
    let results = h.screen();
    assert!(matches!(h.model.screen, Screen::Find(_)), "{results}");
    assert!(!results.contains("₹300.00"), "{results}");
}

#[test]
fn the_help_line_is_never_cut_at_80_or_100_columns() {
    for lang in Lang::ALL {
        for width in [80u16, 100] {
            let (_tmp, dir) = kiosk();
            let mut h = Harness::new(&dir, lang);
            h.terminal = Terminal::new(TestBackend::new(width, 24)).expect("terminal");
            login_as_lang(&mut h);
            for keys in ["", "f", "n", "m", "w", "c", "s", "t"] {
                h.keys(&[KeyCode::Esc]);
                h.type_text(keys);
                let help = dastak::i18n::t(h.model.lang, h.model.screen.help());
                let screen = h.screen();
                for item in help.split(" · ") {
                    assert!(
                        screen.contains(item),
                        "{width} columns, {keys:?}: {item:?} is cut:\n{screen}"
                    );
                }
                for row in dastak::tui::help_rows(&help, width) {
                    assert!(
                        unicode_width::UnicodeWidthStr::width(row.as_str()) < usize::from(width),
                        "{row}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_broken_settings_file_is_named_on_home_and_a_payment_still_stands() {
    let (_tmp, dir) = kiosk();
    std::fs::write(dir.root.join("dastak.toml"), "printer = [broken").expect("toml");
    let mut h = Harness::new(&dir, Lang::En);
    h.login("VOL1", "3456");
    let home = h.screen();
    assert!(
        home.contains("Printer: the settings file") && home.contains("cannot be used"),
        "{home}"
    );
    h.enter("fरमेश");
    h.type_text("p");
    h.keys(&[KeyCode::Enter, KeyCode::Enter]);
    let screen = h.screen();
    assert!(screen.contains("Receipt RMP01/2026-27/000003"), "{screen}");
    assert!(
        screen.contains("is saved but NOT printed: the settings file"),
        "{screen}"
    );
    assert!(!screen.contains("could not be reached"), "{screen}");
}
