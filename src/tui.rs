//! The e-volunteer's console: ratatui + crossterm, one file per screen.
//!
//! Shape (after atuin's newer TUI): [`app::Model`] holds all state,
//! [`app::update`] turns a [`app::Msg`] into state changes and
//! [`app::Effect`]s, and this runtime is the only place with IO. Database
//! work runs on a worker thread that owns the books and answers with
//! messages, so the screen never freezes on a slow disk (and, later, a slow
//! printer or network). The screen is redrawn on input, on every message and
//! on a 1-second tick; between those the process sleeps in `recv_timeout`,
//! so the Pi stays cool. `ratatui::init` installs a panic hook that restores
//! the terminal; every way out goes through `ratatui::restore`.

pub mod app;
pub mod close;
pub mod date_check;
pub mod enrol;
pub mod field;
pub mod find;
pub mod home;
pub mod login;
pub mod member;
pub mod pay;
pub mod printer;
pub mod queue;
pub mod reverse;
pub mod screen;
pub mod scroll;
pub mod settings;
pub mod setup;
pub mod shg;
pub mod sync;

use std::sync::mpsc;
use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, Clear, ClearType, EndSynchronizedUpdate,
};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

use crate::books::members::{DuplicateOk, EnrolForm};
use crate::books::setup::InitForm;
use crate::books::status::now;
use crate::books::sync::LinkFrom;
use crate::books::{Books, BooksError, DataDir};
use crate::books::{KioskInfo, OperatorRow};
use crate::domain::search::Index;
use crate::domain::time::display_instant;
use crate::i18n::{Lang, Localized, Message, t};
use crate::tui::enrol::EnrolRequest;
use app::{Effect, Model, Msg, update};
use jiff::Timestamp;

/// `Label: text▏` with the cursor shown when focused.
pub fn field_line(label: &str, f: &field::Field, focused: bool) -> Line<'static> {
    let shown = f.shown();
    let style = if focused {
        Style::new().add_modifier(Modifier::UNDERLINED)
    } else {
        Style::new()
    };
    let mut spans = vec![Span::raw(format!("{label}: ")), Span::styled(shown, style)];
    if focused {
        spans.push(Span::styled(
            "▏",
            Style::new().add_modifier(Modifier::SLOW_BLINK),
        ));
    }
    Line::from(spans)
}

/// Renders lines, re-wrapping any line too wide for `area` at word breaks
/// ourselves, one cell short of the edge: terminals and `unicode-width`
/// can disagree by a cell on Devanagari, and a grapheme that lands on the
/// last column may be dropped.
pub fn render_lines(lines: Vec<Line<'static>>, area: Rect, buf: &mut Buffer) {
    Paragraph::new(wrap(lines, area.width)).render(area, buf);
}

/// How many rows `line` takes at `width` once wrapped as [`render_lines`]
/// wraps it.
pub fn rows_of(line: &Line<'static>, width: u16) -> usize {
    wrap(vec![line.clone()], width).len()
}

/// Lines wrapped at spaces to `width` less one cell of slack.
fn wrap(lines: Vec<Line<'static>>, width: u16) -> Vec<Line<'static>> {
    let limit = usize::from(width.saturating_sub(1)).max(1);
    let mut out: Vec<Line<'static>> = Vec::with_capacity(lines.len());
    for line in lines {
        if line.width() <= limit {
            out.push(line);
            continue;
        }
        let style = line
            .spans
            .first()
            .map(|s| s.style)
            .unwrap_or_default()
            .patch(line.style);
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        for row in pack(&text, " ", limit) {
            out.push(Line::from(Span::styled(row, style)));
        }
    }
    out
}

/// `text` cut at `sep` into rows of at most `limit` cells, greedily; a
/// piece wider than the limit is a row of its own.
fn pack(text: &str, sep: &str, limit: usize) -> Vec<String> {
    let mut rows = Vec::new();
    let mut current = String::new();
    for piece in text.split(sep) {
        let candidate = if current.is_empty() {
            piece.to_string()
        } else {
            format!("{current}{sep}{piece}")
        };
        if UnicodeWidthStr::width(candidate.as_str()) > limit && !current.is_empty() {
            rows.push(std::mem::replace(&mut current, piece.to_string()));
        } else {
            current = candidate;
        }
    }
    rows.push(current);
    rows
}

pub fn error_line(text: String) -> Line<'static> {
    Line::from(Span::styled(
        text,
        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
    ))
}

/// Digits in large type (5 rows), for the confirmation screen: an amount a
/// villager standing at the counter can read.
pub fn big_text(s: &str) -> Vec<Line<'static>> {
    const GLYPHS: [(char, [&str; 5]); 13] = [
        ('0', ["███", "█ █", "█ █", "█ █", "███"]),
        ('1', [" █ ", "██ ", " █ ", " █ ", "███"]),
        ('2', ["███", "  █", "███", "█  ", "███"]),
        ('3', ["███", "  █", "███", "  █", "███"]),
        ('4', ["█ █", "█ █", "███", "  █", "  █"]),
        ('5', ["███", "█  ", "███", "  █", "███"]),
        ('6', ["███", "█  ", "███", "█ █", "███"]),
        ('7', ["███", "  █", "  █", "  █", "  █"]),
        ('8', ["███", "█ █", "███", "█ █", "███"]),
        ('9', ["███", "█ █", "███", "  █", "███"]),
        (',', ["   ", "   ", "   ", " █ ", "█  "]),
        ('.', ["   ", "   ", "   ", "   ", " █ "]),
        ('₹', ["███", " █ ", "███", " █ ", "  █"]),
    ];
    let text = format!("₹{s}");
    (0..5)
        .map(|row| {
            let line: Vec<&str> = text
                .chars()
                .filter_map(|c| {
                    GLYPHS
                        .iter()
                        .find(|(g, _)| *g == c)
                        .map(|(_, rows)| rows[row])
                })
                .collect();
            Line::from(line.join(" ")).style(Style::new().add_modifier(Modifier::BOLD))
        })
        .collect()
}

impl Widget for &Model {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = self.lang;
        // The printer's last word gets two rows when there is one, so a
        // long explanation wraps instead of being cut at the edge.
        let notice_rows = if self.notice.is_some() { 2 } else { 1 };
        // F9 locks the screen from anywhere once someone is logged in.
        let mut help_text = t(l, self.screen.help());
        if self.operator.is_some() && !matches!(self.screen, app::Screen::Login(_)) {
            help_text = format!("{help_text} · {}", t(l, "tui.help.lock"));
        }
        let help_lines = help_rows(&help_text, area.width);
        let [head, notice_area, body, help] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(notice_rows),
            Constraint::Min(0),
            Constraint::Length(help_lines.len() as u16),
        ])
        .areas(area);
        let who = self
            .operator
            .as_ref()
            .map(|o| format!("{} ({})", o.name, o.code))
            .unwrap_or_default();
        let (code, panchayat) = self
            .kiosk
            .as_ref()
            .map(|k| (k.code.as_str(), k.panchayat.as_str()))
            .unwrap_or_default();
        let when = display_instant(self.now);
        let parts: Vec<&str> = ["dastak", code, panchayat, who.as_str(), when.as_str()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect();
        let header =
            Line::from(parts.join(" · ")).style(Style::new().add_modifier(Modifier::REVERSED));
        let notice = match &self.notice {
            Some((m, true)) => error_line(m.render(l)),
            Some((m, false)) => Line::from(m.render(l)),
            None => Line::from(""),
        };
        Paragraph::new(vec![header]).render(head, buf);
        render_lines(vec![notice], notice_area, buf);
        self.screen.render(body, buf);
        Paragraph::new(
            help_lines
                .into_iter()
                .map(|h| Line::from(h).style(Style::new().add_modifier(Modifier::REVERSED)))
                .collect::<Vec<_>>(),
        )
        .render(help, buf);
    }
}

/// The help line, wrapped between its keys (" · ") into as many rows as
/// the width needs, so that no key is ever cut off at the edge. One cell of
/// slack, as for all text here (terminals disagree on Devanagari widths).
pub fn help_rows(help: &str, width: u16) -> Vec<String> {
    pack(help, " · ", usize::from(width.saturating_sub(1)).max(1))
}

/// The worker: owns the books, performs effects, answers with messages.
/// Public so that tests can drive the console without a terminal.
pub struct Worker {
    /// `None` on an empty data directory until first-run setup.
    books: Option<Books>,
    dir: Option<DataDir>,
    operator: Option<OperatorRow>,
    /// A fixed clock for tests; `None` reads the real one (or `DASTAK_NOW`).
    clock: Option<Timestamp>,
    /// Where to ask for the stick's unmount after an export (the kiosk
    /// image's settings; see [`crate::books::sync::eject`]).
    pub eject_request: Option<std::path::PathBuf>,
    /// Labs whose link file on a stick is taken (the kiosk's settings).
    pub trusted_labs: Vec<ed25519_dalek::VerifyingKey>,
}

fn msg<T>(r: Result<T, BooksError>) -> Result<T, Message> {
    r.map_err(|e| e.message())
}

fn opt(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// The logged-in operator, for effects that need one.
fn operator(op: &Option<OperatorRow>) -> Result<OperatorRow, BooksError> {
    op.clone().ok_or(BooksError::NeedsSupervisor)
}

/// What the sync screen says after an export to `dir`: when the kiosk
/// image asks for unmounts and `dir` is where a stick is mounted, the stick
/// is unmounted first and the message says whether it can be removed.
fn exported(
    r: &crate::books::sync::ExportReport,
    dir: &std::path::Path,
    eject_request: Option<&std::path::Path>,
) -> Result<Message, Message> {
    use crate::books::sync::eject;
    let written = |key: &'static str| {
        Message::new(key)
            .arg("batches", r.batches)
            .arg("events", crate::domain::money::group_indian(r.events))
            .arg("dir", &r.folder)
    };
    // Only a stick's own mount point is unmounted: a folder typed
    // elsewhere is left alone.
    match eject_request {
        Some(request) if eject::is_mount_point(dir) => {
            match eject::eject(request, dir, eject::WAIT) {
                Ok(()) => Ok(written("sync.exported_ejected")),
                Err(e) => Err(written("sync.exported_not_ejected").arg_msg("why", e.message())),
            }
        }
        _ => Ok(written("sync.exported")),
    }
}

impl Worker {
    pub fn new(books: Books, clock: Option<Timestamp>) -> Worker {
        Worker {
            books: Some(books),
            dir: None,
            operator: None,
            clock,
            eject_request: None,
            trusted_labs: Vec::new(),
        }
    }

    /// A worker for an empty data directory: it can only set it up.
    pub fn first_run(dir: DataDir, clock: Option<Timestamp>) -> Worker {
        Worker {
            books: None,
            dir: Some(dir),
            operator: None,
            clock,
            eject_request: None,
            trusted_labs: Vec::new(),
        }
    }

    pub fn books(&self) -> Option<&Books> {
        self.books.as_ref()
    }

    fn init(&mut self, form: &InitForm, now: Timestamp) -> Result<KioskInfo, BooksError> {
        let dir = self.dir.as_ref().ok_or(BooksError::AlreadyInitialised)?;
        let form = InitForm {
            district_secret: std::env::var("DASTAK_DISTRICT_SECRET")
                .ok()
                .filter(|s| !s.trim().is_empty()),
            ..form.clone()
        };
        let books = crate::books::setup::init(dir, &form, now)?;
        let k = books.kiosk()?;
        self.books = Some(books);
        Ok(k)
    }

    /// Performs one effect; `None` for `Quit`.
    pub fn perform(&mut self, effect: Effect) -> Option<Msg> {
        let now = match self.clock.map(Ok).unwrap_or_else(now) {
            Ok(t) => t,
            Err(e) => return Some(Msg::Home(Err(e.message()))),
        };
        if let Effect::Init(form) = &effect {
            return Some(Msg::Initialised(msg(self.init(form, now))));
        }
        let Some(b) = self.books.as_mut() else {
            return Some(Msg::Home(Err(BooksError::NotInitialised.message())));
        };
        Some(match effect {
            Effect::Quit | Effect::Init(_) => return None,
            Effect::Authenticate { code, pin } => {
                let r = b.authenticate(&code, &pin, now);
                if let Ok(op) = &r {
                    self.operator = Some(op.clone());
                }
                Msg::LoggedIn(msg(r))
            }
            Effect::Lock => {
                self.operator = None;
                Msg::Tick(now)
            }
            Effect::LoadHome => Msg::Home(msg(b.status(now))),
            Effect::BuildIndex => match b.search_entries() {
                Ok(entries) => Msg::Index(Index::new(entries)),
                Err(e) => Msg::Home(Err(e.message())),
            },
            Effect::LoadDues(ids) => Msg::Dues(
                ids.into_iter()
                    .filter_map(|id| {
                        let due = b.amount_due(&id, now).ok()?;
                        Some((id, due))
                    })
                    .collect(),
            ),
            Effect::LoadMember(id) => Msg::Member(msg(b.member_view(&id, now))),
            Effect::CheckPay {
                member,
                scheme,
                amount,
                periods,
            } => Msg::PayChecked(msg(b.check_payment(
                &member,
                &scheme,
                opt(&amount),
                opt(&periods),
                now,
            ))),
            Effect::Pay {
                member,
                scheme,
                amount,
                periods,
            } => Msg::Paid(msg(operator(&self.operator).and_then(|op| {
                b.pay(&op, &member, &scheme, opt(&amount), opt(&periods), now)
            }))),
            Effect::Reverse {
                receipt,
                supervisor,
                pin,
                reason,
            } => Msg::Reversed(msg(b
                .authenticate(&supervisor, &pin, now)
                .and_then(|sup| b.reverse(&sup, &receipt, &reason, now)))),
            Effect::LoadExpected => Msg::Expected(msg(b.expected_cash())),
            Effect::DayClose {
                notes,
                coins,
                reason,
            } => Msg::Closed(msg(operator(&self.operator)
                .and_then(|op| b.day_close(&op, &notes, &coins, opt(&reason), now)))),
            Effect::LoadGroups => Msg::Groups(b.groups().unwrap_or_default()),
            Effect::LoadRoll(g) => Msg::Roll(msg(b.group_roll(&g, now))),
            Effect::Meeting { group, savings } => {
                Msg::Met(msg(operator(&self.operator)
                    .and_then(|op| b.shg_meeting(&op, &group, &savings, now))))
            }
            Effect::FindHouseholds(q) => {
                Msg::Households(b.find_households(&q, 50).unwrap_or_default())
            }
            Effect::CheckDuplicate {
                name,
                relative_name,
                ration_card,
                aadhaar,
            } => Msg::Duplicate(
                b.possible_duplicate(&name, &relative_name, &ration_card, &aadhaar)
                    .ok()
                    .flatten(),
            ),
            Effect::Enrol(req) => enrol(b, &self.operator, *req, now),
            Effect::ConfirmDate(d) => Msg::DateConfirmed(msg(
                operator(&self.operator).and_then(|op| b.confirm_date(&op, &d, now))
            )),
            Effect::Print { kind, reference } => Msg::PrintReady(msg(b
                .kiosk()
                .and_then(|k| b.print_task(kind, &reference, k.language, now))
                .map(|t| vec![t]))),
            Effect::Reprint(reference) => {
                let r = b.kiosk().and_then(|k| {
                    let refs = if reference.trim().is_empty() {
                        b.waiting_documents()?
                    } else {
                        vec![b.find_printable(&reference)?]
                    };
                    refs.into_iter()
                        .map(|(d, r)| b.print_task(d, &r, k.language, now))
                        .collect::<Result<Vec<_>, _>>()
                });
                Msg::PrintReady(msg(r))
            }
            Effect::RecordPrint {
                kind,
                reference,
                error,
            } => {
                let r = b.record_print(kind, &reference, error.as_ref().map_or(Ok(()), Err), now);
                match r {
                    Ok(()) => Msg::Home(msg(b.status(now))),
                    Err(e) => Msg::PrintReady(Err(e.message())),
                }
            }
            Effect::LoadQueue => Msg::Queue(msg(b.print_queue())),
            Effect::Upload { background } => upload(b, background, now),
            Effect::Export(dir) => {
                let dir = std::path::Path::new(&dir);
                let r = b
                    .export(dir, now)
                    .map_err(|e| e.message())
                    .and_then(|r| exported(&r, dir, self.eject_request.as_deref()));
                Msg::Synced(r)
            }
            Effect::LinkFromStick(dir) => {
                link_from_stick(b, &self.operator, &dir, &self.trusted_labs)
            }
            // The printer desk's effects never reach the books.
            Effect::Send(_)
            | Effect::PrinterStatus
            | Effect::LoadSettings
            | Effect::SaveSettings { .. } => Msg::Tick(now),
        })
    }
}

/// Registers the person the enrol screen sends, in the one scheme chosen,
/// with a supervisor's acceptance when a resemblance was on screen.
fn enrol(b: &mut Books, op: &Option<OperatorRow>, req: EnrolRequest, now: Timestamp) -> Msg {
    let form = req.member;
    let entry = crate::domain::search::Entry {
        member_id: String::new(),
        name: form.name.trim().to_string(),
        relative_name: form.relative_name.trim().to_string(),
        phone: form.phone.clone(),
        ration_card: form.ration_card.clone(),
        village: form.village.trim().to_string(),
    };
    let r = EnrolForm::for_scheme(
        b,
        &req.scheme,
        req.group,
        req.nominee_name,
        req.nominee_relation,
    )
    .and_then(|enrol| {
        let accept = match req.accept {
            Some(a) => Some(DuplicateOk {
                supervisor: b.authenticate(&a.supervisor, &a.pin, now)?,
                reason: a.reason,
            }),
            None => None,
        };
        let op = operator(op)?;
        b.register_member_accepting(&op, &form, &[enrol], accept.as_ref(), now)
    });
    Msg::Enrolled(msg(r), Box::new(entry))
}

/// Uploads to the lab; in the background (every ten minutes) with fewer,
/// shorter tries, so that a kiosk off the network is not held up.
fn upload(b: &mut Books, background: bool, now: Timestamp) -> Msg {
    let mut retry = crate::books::sync::Retry::default();
    if background {
        retry.attempts = 2;
        retry.timeout = Duration::from_secs(5);
    }
    let r = b
        .upload(None, retry, now)
        .map(|r| {
            Message::new("sync.uploaded")
                .arg("batches", r.batches)
                .arg("events", crate::domain::money::group_indian(r.events))
        })
        .map_err(|e| e.message());
    Msg::Synced(r)
}

/// F6 on the sync screen: the lab's signed link file from the stick.
fn link_from_stick(
    b: &mut Books,
    op: &Option<OperatorRow>,
    dir: &str,
    trusted: &[ed25519_dalek::VerifyingKey],
) -> Msg {
    let r = operator(op)
        .and_then(|op| {
            b.link(
                &op,
                LinkFrom::Stick {
                    root: std::path::Path::new(dir),
                    trusted,
                },
            )
        })
        .map(|link| {
            Message::new("sync.linked_from_stick")
                .arg("key", crate::books::sync::short_key(&link.ack_key))
        })
        .map_err(|e| e.message());
    Msg::Synced(r)
}

/// Where the console draws: a terminal (crossterm), or the kiosk's own
/// screen (see [`screen`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Display {
    #[default]
    Terminal,
    Framebuffer {
        path: std::path::PathBuf,
        /// A plain file of this many pixels instead of a device.
        size: Option<(u32, u32)>,
        /// Write the first frame to this PNG (or .ppm) file and stop (a
        /// reference rendering: no keyboard needed).
        screenshot: Option<std::path::PathBuf>,
    },
}

/// The terminal or the framebuffer, behind one `draw`.
enum Output {
    Terminal(ratatui::DefaultTerminal),
    Screen(Box<FbOutput>),
}

/// The kiosk's own screen (see [`screen`]).
struct FbOutput {
    /// The grid, rendered afresh every frame (no diffing: a diff of cells
    /// holding wide Devanagari graphemes leaves stale cells behind).
    grid: Rect,
    painter: screen::Painter,
    canvas: screen::Canvas,
    fb: screen::Framebuffer,
    screenshot: Option<std::path::PathBuf>,
}

impl Output {
    fn open(display: &Display) -> std::io::Result<Output> {
        match display {
            Display::Terminal => Ok(Output::Terminal(ratatui::init())),
            Display::Framebuffer {
                path,
                size,
                screenshot,
            } => {
                let fb = screen::Framebuffer::open(path, *size)?;
                let painter = screen::Painter::for_screen(fb.width, fb.height);
                let (cols, rows) = painter.grid(fb.width, fb.height);
                if screenshot.is_none() {
                    ratatui::crossterm::terminal::enable_raw_mode()?;
                    screen::graphics_mode(true);
                    let hook = std::panic::take_hook();
                    std::panic::set_hook(Box::new(move |info| {
                        screen::release_tty();
                        hook(info);
                    }));
                }
                Ok(Output::Screen(Box::new(FbOutput {
                    grid: Rect::new(0, 0, cols, rows),
                    canvas: screen::Canvas::new(fb.width, fb.height),
                    painter,
                    fb,
                    screenshot: screenshot.clone(),
                })))
            }
        }
    }

    /// Draws a frame; `Ok(false)` when the console should stop (after a
    /// screenshot).
    fn draw(&mut self, model: &Model) -> std::io::Result<bool> {
        match self {
            Output::Terminal(terminal) => {
                // A full repaint every frame: terminals store a Devanagari
                // base letter and its spacing vowel sign as two cells where
                // ratatui keeps one two-wide cell, so a partial update leaves
                // stray vowel signs behind. Frames are rare (keys, messages,
                // 1 Hz) and small, and the synchronized update keeps the
                // repaint from flickering. (Not `Terminal::clear`: it asks
                // the terminal for the cursor position over stdin, racing
                // the input thread for keystrokes.)
                execute!(
                    std::io::stdout(),
                    BeginSynchronizedUpdate,
                    Clear(ClearType::All)
                )?;
                terminal.swap_buffers();
                terminal.draw(|f| f.render_widget(model, f.area()))?;
                execute!(std::io::stdout(), EndSynchronizedUpdate)?;
                Ok(true)
            }
            Output::Screen(out) => {
                let mut buf = Buffer::empty(out.grid);
                model.render(out.grid, &mut buf);
                out.painter.paint(&buf, &mut out.canvas);
                if let Some(path) = &out.screenshot {
                    let bytes = if path.extension().is_some_and(|e| e == "ppm") {
                        out.canvas.to_ppm()
                    } else {
                        out.canvas.to_png().map_err(std::io::Error::other)?
                    };
                    std::fs::write(path, bytes)?;
                    return Ok(false);
                }
                out.fb.show(&out.canvas)?;
                Ok(true)
            }
        }
    }

    fn restore(self) {
        match self {
            Output::Terminal(_) => ratatui::restore(),
            Output::Screen(out) => {
                if out.screenshot.is_none() {
                    screen::release_tty();
                }
            }
        }
    }
}

/// Runs the console on `dir` until the operator quits.
pub fn run(dir: &DataDir, lang: Option<Lang>, display: &Display) -> Result<(), BooksError> {
    let started = now()?;
    let books = dir.open_if_kiosk()?;
    // A broken settings file is the printer desk's to report; the books go
    // on with the defaults.
    let settings = crate::config::load(&dir.root).unwrap_or_default();
    let (mut model, mut worker) = if let Some(mut books) = books {
        books.rules = settings.rules;
        let kiosk = books.kiosk()?;
        let clock = books.clock_verdict(started)?;
        (
            Model::new(
                kiosk.clone(),
                lang.unwrap_or(kiosk.language),
                started,
                clock,
            ),
            Worker::new(books, None),
        )
    } else {
        (
            Model::first_run(lang.unwrap_or_default(), started),
            Worker::first_run(dir.clone(), None),
        )
    };
    worker.eject_request = settings.eject_request;
    worker.trusted_labs = settings.trusted_labs;

    let (msg_tx, msg_rx) = mpsc::channel::<Msg>();
    let (effect_tx, effect_rx) = mpsc::channel::<Effect>();
    let (print_tx, print_rx) = mpsc::channel::<Effect>();
    let worker_tx = msg_tx.clone();
    let desk_tx = msg_tx.clone();
    let mut desk = printer::PrintDesk::new(dir.root.clone());
    std::thread::spawn(move || {
        while let Ok(effect) = print_rx.recv() {
            if let Some(m) = desk.perform(effect)
                && desk_tx.send(m).is_err()
            {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        let mut worker = worker;
        while let Ok(effect) = effect_rx.recv() {
            match worker.perform(effect) {
                Some(m) => {
                    if worker_tx.send(m).is_err() {
                        break;
                    }
                }
                None => break,
            }
        }
    });
    let reference_only = matches!(
        display,
        Display::Framebuffer {
            screenshot: Some(_),
            ..
        }
    );
    // A reference rendering reads no keys.
    if !reference_only {
        std::thread::spawn(move || {
            // Blocks in `read`; ends with the process.
            while let Ok(ev) = event::read() {
                let m = match ev {
                    Event::Key(k) if k.kind != KeyEventKind::Release => Msg::Key(k),
                    Event::Resize(..) => Msg::Resize,
                    _ => continue,
                };
                if msg_tx.send(m).is_err() {
                    break;
                }
            }
        });
    }

    // The terminal-restore test's fault injection exists only in builds
    // with the `fault-injection` feature (the tests'): a kiosk's binary
    // cannot be made to panic from its environment.
    let inject_panic = cfg!(feature = "fault-injection")
        && std::env::var("DASTAK_INJECT_PANIC").is_ok_and(|v| v == "1");
    // An error names what the console draws on: the operator (or the
    // journal, on a kiosk) learns which device failed.
    let target = match display {
        Display::Terminal => "terminal".to_string(),
        Display::Framebuffer { path, .. } => path.display().to_string(),
    };
    let io_err = |e: std::io::Error| BooksError::Io {
        path: target.clone(),
        detail: e.to_string(),
    };
    let mut output = Output::open(display).map_err(io_err)?;
    let result = (|| -> std::io::Result<()> {
        let mut ready = false;
        loop {
            if !output.draw(&model)? {
                return Ok(());
            }
            // systemd: ready after the first frame, then a watchdog ping on
            // every turn of the loop (at least once a second, from the
            // tick). A hung console stops pinging and is restarted. Without
            // $NOTIFY_SOCKET (a terminal, the tests) these do nothing.
            if !ready {
                let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
                ready = true;
            }
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
            let m = match msg_rx.recv_timeout(Duration::from_secs(1)) {
                // Fault injection for the terminal-restore test: with
                // DASTAK_INJECT_PANIC=1, F12 panics as a bug would.
                Ok(Msg::Key(k)) if inject_panic && k.code == event::KeyCode::F(12) => {
                    panic!("injected panic (DASTAK_INJECT_PANIC)")
                }
                Ok(m) => m,
                Err(mpsc::RecvTimeoutError::Timeout) => Msg::Tick(now().unwrap_or(model.now)),
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
            };
            for effect in update(&mut model, m) {
                if effect == Effect::Quit {
                    return Ok(());
                }
                let to = if effect.is_for_printer() {
                    &print_tx
                } else {
                    &effect_tx
                };
                if to.send(effect).is_err() {
                    return Ok(());
                }
            }
            if model.quit {
                return Ok(());
            }
        }
    })();
    output.restore();
    result.map_err(io_err)
}
