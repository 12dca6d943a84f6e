//! The console's state machine, in the Elm shape: a [`Model`], the [`Msg`]s
//! that change it (keys, ticks, answers from the worker), and [`update`],
//! which changes the model and returns [`Effect`]s as data. Only the runtime
//! (`tui.rs`) performs effects; nothing here touches the database, the
//! terminal or the clock, so every screen can be driven in a test.

use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::books::cash::{DayClose, Payment, Reversal};
use crate::books::members::MemberView;
use crate::books::receipts::{PrintTask, QueuedJob};
use crate::books::status::Status;
use crate::books::{KioskInfo, OperatorRow};
use crate::domain::money::Paise;
use crate::domain::search::Index;
use crate::domain::time::ClockVerdict;
use crate::i18n::{Lang, Localized, Message};
use crate::print::DocKind;
use crate::print::escpos::PrinterState;
use crate::print::transport::PrintError;
use crate::tui::{
    close, date_check, enrol, find, home, login, member, pay, queue, reverse, settings, setup, shg,
    sync,
};

/// How often the console uploads by itself.
pub const AUTO_SYNC_SECONDS: i64 = 600;

/// Everything that can happen to the console.
pub enum Msg {
    Key(KeyEvent),
    Tick(Timestamp),
    /// The terminal changed size. Nothing is lost: all typed text lives in
    /// the model, and the next draw lays it out in the new size.
    Resize,
    LoggedIn(Result<OperatorRow, Message>),
    Home(Result<Status, Message>),
    Index(Index),
    Dues(Vec<(String, Paise)>),
    Member(Result<MemberView, Message>),
    Paid(Result<Payment, Message>),
    /// What a contribution would take, or why it would be refused.
    PayChecked(Result<crate::domain::money::Paise, Message>),
    Reversed(Result<Reversal, Message>),
    Expected(Result<Paise, Message>),
    Closed(Result<DayClose, Message>),
    DateConfirmed(Result<(), Message>),
    Initialised(Result<KioskInfo, Message>),
    Households(Vec<crate::books::members::Household>),
    Groups(Vec<crate::books::GroupRow>),
    Roll(Result<Vec<crate::books::cash::RollRow>, Message>),
    Met(Result<Vec<Payment>, Message>),
    Duplicate(Option<crate::books::MemberRow>),
    Enrolled(
        Result<crate::books::members::Registered, Message>,
        Box<crate::domain::search::Entry>,
    ),
    /// Documents ready for the printer (or why they could not be made).
    PrintReady(Result<Vec<PrintTask>, Message>),
    /// The printer desk's answer for one document.
    PrintSent {
        task: Box<PrintTask>,
        result: Result<(), PrintError>,
        /// A district template that was broken; the built-in printed.
        warning: Option<Message>,
    },
    PrinterState(Result<Option<PrinterState>, PrintError>),
    Queue(Result<Vec<QueuedJob>, Message>),
    SettingsLoaded(Result<(String, u32), Message>),
    /// How an upload or export went, in words for the sync screen.
    Synced(Result<Message, Message>),
    SettingsSaved(Result<(), Message>),
}

/// Work for the runtime: database calls, run off the UI thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Authenticate {
        code: String,
        pin: String,
    },
    LoadHome,
    /// Forget the operator (the screen was locked).
    Lock,
    BuildIndex,
    LoadDues(Vec<String>),
    LoadMember(String),
    /// Check a contribution by the books' rules before its confirmation.
    CheckPay {
        member: String,
        scheme: String,
        amount: String,
        periods: String,
    },
    Pay {
        member: String,
        scheme: String,
        amount: String,
        periods: String,
    },
    Reverse {
        receipt: String,
        supervisor: String,
        pin: String,
        reason: String,
    },
    LoadExpected,
    DayClose {
        notes: String,
        coins: String,
        reason: String,
    },
    ConfirmDate(String),
    /// First-run setup, the form's fields in order.
    Init(Box<crate::books::setup::InitForm>),
    FindHouseholds(String),
    CheckDuplicate {
        name: String,
        relative_name: String,
        ration_card: String,
        aadhaar: String,
    },
    /// The enrol form's fields in order (see `enrol.rs`).
    Enrol(Box<enrol::EnrolRequest>),
    LoadGroups,
    LoadRoll(String),
    Meeting {
        group: String,
        savings: Vec<(String, String)>,
    },
    /// Prepare a document for the printer (worker).
    Print {
        kind: DocKind,
        reference: String,
    },
    /// Prepare a copy of a receipt, slip or member's slip by number, or
    /// every waiting document when empty (worker).
    Reprint(String),
    /// Render and send (printer desk).
    Send(Box<PrintTask>),
    /// Note how a print went in the queue (worker).
    RecordPrint {
        kind: DocKind,
        reference: String,
        error: Option<PrintError>,
    },
    /// Ask the printer how it is (printer desk).
    PrinterStatus,
    LoadQueue,
    /// Printer settings from `dastak.toml` (printer desk).
    LoadSettings,
    SaveSettings {
        url: String,
        paper: u32,
    },
    /// Upload pending batches to the lab (worker; short timeouts when in
    /// the background, so the books are not held up for long).
    Upload {
        background: bool,
    },
    /// Write pending batches to a USB stick at this folder (worker).
    Export(String),
    /// Link to the lab from the signed link file on the stick at this
    /// folder (worker; admins only).
    LinkFromStick(String),
    Quit,
}

impl Screen {
    /// Hands a message to the screen showing: each screen's own `update`
    /// (one per screen, in its file) takes the messages that are its
    /// business and ignores the others.
    fn update(&mut self, msg: Msg) {
        match self {
            Screen::Setup(s) => s.update(msg),
            Screen::Enrol(s) => s.update(msg),
            Screen::Meeting(s) => s.update(msg),
            Screen::Sync(s) => s.update(msg),
            Screen::Settings(s) => s.update(msg),
            Screen::Login(s) => s.update(msg),
            Screen::DateCheck(s) => s.update(msg),
            Screen::Find(s) => s.update(msg),
            Screen::Member(s) => s.update(msg),
            Screen::Pay(s) => s.update(msg),
            Screen::Reverse(s) => s.update(msg),
            Screen::Close(s) => s.update(msg),
            Screen::Queue(s) => s.update(msg),
            // The home screen's figures and printer state are the model's,
            // kept in step by `update` itself.
            Screen::Home(_) => {}
        }
    }
}

impl Effect {
    /// Effects for the printer desk's thread rather than the books'.
    pub fn is_for_printer(&self) -> bool {
        matches!(
            self,
            Effect::Send(_)
                | Effect::PrinterStatus
                | Effect::LoadSettings
                | Effect::SaveSettings { .. }
        )
    }
}

pub enum Screen {
    Setup(setup::Setup),
    Enrol(enrol::Enrol),
    Meeting(shg::Meeting),
    Sync(sync::Sync),
    Settings(settings::Settings),
    Login(login::Login),
    DateCheck(date_check::DateCheck),
    Home(home::Home),
    Find(find::Find),
    Member(member::MemberCard),
    Pay(pay::Pay),
    Reverse(reverse::Reverse),
    Close(close::Close),
    Queue(queue::Queue),
}

impl Screen {
    /// The catalog key of the screen's help line: fixed for most screens,
    /// by stage for those whose keys change as the operator goes on.
    pub fn help(&self) -> &'static str {
        match self {
            Screen::Setup(_) => "tui.help.form",
            Screen::Enrol(s) => s.help(),
            Screen::Meeting(s) => s.help(),
            Screen::Sync(_) => "tui.help.sync",
            Screen::Settings(s) => s.help(),
            Screen::Login(_) => "tui.help.login",
            Screen::DateCheck(s) => s.help(),
            Screen::Home(_) => "tui.help.home",
            Screen::Find(_) => "tui.help.find",
            Screen::Member(_) => "tui.help.member",
            Screen::Pay(s) => s.help(),
            Screen::Reverse(_) => "tui.help.form",
            Screen::Close(_) => "tui.help.close",
            Screen::Queue(_) => "tui.help.queue",
        }
    }
}

impl Widget for &Screen {
    fn render(self, area: Rect, buf: &mut Buffer) {
        match self {
            Screen::Setup(s) => s.render(area, buf),
            Screen::Enrol(s) => s.render(area, buf),
            Screen::Meeting(s) => s.render(area, buf),
            Screen::Sync(s) => s.render(area, buf),
            Screen::Settings(s) => s.render(area, buf),
            Screen::Login(s) => s.render(area, buf),
            Screen::DateCheck(s) => s.render(area, buf),
            Screen::Home(s) => s.render(area, buf),
            Screen::Find(s) => s.render(area, buf),
            Screen::Member(s) => s.render(area, buf),
            Screen::Pay(s) => s.render(area, buf),
            Screen::Reverse(s) => s.render(area, buf),
            Screen::Close(s) => s.render(area, buf),
            Screen::Queue(s) => s.render(area, buf),
        }
    }
}

/// What a screen's key handler asks for.
pub enum Step {
    Nothing,
    Do(Effect),
    /// A new screen (boxed: screens are large, steps are many).
    Go(Box<Screen>, Vec<Effect>),
    Home,
    Back,
    Quit,
    /// Switch the console's language for this session.
    Language(Lang),
    /// Open the sync screen with what home last loaded.
    Sync,
}

impl Step {
    /// A form waiting on the worker takes no keys; a form whose slip is
    /// done goes home on Enter or Esc. `None` when the form takes the key.
    pub fn while_busy_or_done(busy: bool, done: bool, code: KeyCode) -> Option<Step> {
        if busy {
            Some(Step::Nothing)
        } else if done {
            Some(if matches!(code, KeyCode::Enter | KeyCode::Esc) {
                Step::Home
            } else {
                Step::Nothing
            })
        } else {
            None
        }
    }
}

pub struct Model {
    pub lang: Lang,
    /// `None` until first-run setup has made the books.
    pub kiosk: Option<KioskInfo>,
    pub operator: Option<OperatorRow>,
    pub screen: Screen,
    /// Where Esc goes from the member card: the search as it was.
    pub last_find: Option<find::Find>,
    pub index: Option<Index>,
    pub home: Option<Status>,
    pub now: Timestamp,
    pub clock: ClockVerdict,
    pub quit: bool,
    /// The last thing the printer did, shown under the header on every
    /// screen: (message, is it a problem).
    pub notice: Option<(Message, bool)>,
    /// What the printer last said about itself.
    pub printer: Option<Result<Option<PrinterState>, PrintError>>,
    /// When the console last uploaded by itself.
    pub last_auto_sync: Option<Timestamp>,
    /// When the operator last pressed a key (the idle lock counts from it).
    pub last_input: Timestamp,
}

/// An operator's session locks after this long without a key, so that
/// nobody works under another's login when the kiosk is left for a moment.
pub const IDLE_LOCK_SECONDS: i64 = 5 * 60;

impl Model {
    pub fn new(kiosk: KioskInfo, lang: Lang, now: Timestamp, clock: ClockVerdict) -> Model {
        Model {
            lang,
            screen: Screen::Login(login::Login::new(lang)),
            kiosk: Some(kiosk),
            operator: None,
            last_find: None,
            index: None,
            home: None,
            now,
            clock,
            quit: false,
            notice: None,
            printer: None,
            last_auto_sync: None,
            last_input: now,
        }
    }

    /// A console on an empty data directory: first-run setup.
    pub fn first_run(lang: Lang, now: Timestamp) -> Model {
        Model {
            lang,
            screen: Screen::Setup(setup::Setup::new(lang)),
            kiosk: None,
            operator: None,
            last_find: None,
            index: None,
            home: None,
            now,
            clock: ClockVerdict::Believable,
            quit: false,
            notice: None,
            printer: None,
            last_auto_sync: None,
            last_input: now,
        }
    }

    fn go_home(&mut self) -> Vec<Effect> {
        let mut h = home::Home::new(self.lang);
        h.printer = self.printer.clone();
        self.screen = Screen::Home(h);
        vec![Effect::LoadHome, Effect::PrinterStatus]
    }
}

impl Model {
    /// Someone is logged in and not in the middle of first-run setup.
    fn can_lock(&self) -> bool {
        self.operator.is_some() && !matches!(self.screen, Screen::Setup(_) | Screen::Login(_))
    }

    /// Locks the screen (F9 on any screen, or idle): back to the login, the
    /// operator forgotten here and in the worker. What was saved is saved;
    /// a form half typed is dropped, as it would be by Esc.
    fn lock(&mut self) -> Vec<Effect> {
        self.operator = None;
        self.last_find = None;
        self.screen = Screen::Login(login::Login::new(self.lang));
        self.notice = Some((Message::new("tui.locked"), false));
        vec![Effect::Lock]
    }
}

fn is_ctrl_c(k: &KeyEvent) -> bool {
    k.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(k.code, KeyCode::Char('c') | KeyCode::Char('q'))
}

/// Applies one message; returns the effects to perform.
pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(k) if is_ctrl_c(&k) => {
            model.quit = true;
            vec![Effect::Quit]
        }
        Msg::Key(k) if k.code == KeyCode::F(9) && model.can_lock() => model.lock(),
        Msg::Key(k) => {
            model.last_input = model.now;
            let step = match &mut model.screen {
                Screen::Setup(s) => s.key(k),
                Screen::Enrol(s) => s.key(k),
                Screen::Meeting(s) => s.key(k),
                Screen::Sync(s) => s.key(k),
                Screen::Settings(s) => s.key(k),
                Screen::Login(s) => s.key(k),
                Screen::DateCheck(s) => s.key(k),
                Screen::Home(s) => s.key(k),
                Screen::Find(s) => s.key(k, model.index.as_ref()),
                Screen::Member(s) => s.key(k),
                Screen::Pay(s) => s.key(k),
                Screen::Reverse(s) => s.key(k),
                Screen::Close(s) => s.key(k),
                Screen::Queue(s) => s.key(k),
            };
            apply(model, step)
        }
        Msg::Tick(now) => {
            model.now = now;
            if model.can_lock()
                && now.as_second() - model.last_input.as_second() >= IDLE_LOCK_SECONDS
            {
                return model.lock();
            }
            // Every ten minutes, when the lab's address is known and there
            // is something to send, upload in the background.
            let due = model
                .last_auto_sync
                .is_none_or(|t| now.as_second() - t.as_second() >= AUTO_SYNC_SECONDS);
            let wanted = model.operator.is_some()
                && model
                    .home
                    .as_ref()
                    .is_some_and(|h| h.lab_url.is_some() && h.pending_to_lab > 0);
            if due && wanted {
                model.last_auto_sync = Some(now);
                return vec![Effect::Upload { background: true }];
            }
            Vec::new()
        }
        Msg::Resize => Vec::new(),
        Msg::LoggedIn(Ok(op)) => {
            model.lang = op.language;
            model.operator = Some(op);
            let mut effects = vec![Effect::BuildIndex];
            match model.clock {
                ClockVerdict::Believable => effects.extend(model.go_home()),
                verdict => {
                    model.screen = Screen::DateCheck(date_check::DateCheck::new(
                        model.lang, verdict, model.now,
                    ))
                }
            }
            effects
        }
        Msg::Home(r) => {
            if let Ok(s) = &r {
                if s.clock == crate::books::status::ClockState::Ok {
                    model.clock = ClockVerdict::Believable;
                }
                model.home = Some(s.clone());
                if let Screen::Sync(y) = &mut model.screen {
                    y.status = Some(s.clone());
                }
            }
            if let Screen::Home(h) = &mut model.screen {
                h.loaded(r);
            }
            // A print was just recorded: the queue on screen reads itself
            // again rather than waiting for a key.
            if matches!(model.screen, Screen::Queue(_)) {
                return vec![Effect::LoadQueue];
            }
            Vec::new()
        }
        Msg::Index(i) => {
            model.index = Some(i);
            // A search typed before the index arrived runs now.
            if let Screen::Find(f) = &mut model.screen {
                return f.research(model.index.as_ref());
            }
            Vec::new()
        }
        Msg::Initialised(Ok(k)) => {
            model.lang = k.language;
            model.kiosk = Some(k);
            model.screen = Screen::Login(login::Login::new(model.lang));
            Vec::new()
        }
        Msg::PrintReady(Ok(tasks)) => {
            if tasks.is_empty() && matches!(model.screen, Screen::Queue(_)) {
                return vec![Effect::LoadQueue];
            }
            if let Some(t) = tasks.first() {
                model.notice = Some((
                    Message::new("tui.print.printing").arg("doc", t.label(model.lang)),
                    false,
                ));
            }
            tasks
                .into_iter()
                .map(|t| Effect::Send(Box::new(t)))
                .collect()
        }
        Msg::PrintReady(Err(m)) => {
            model.notice = Some((m, true));
            if matches!(model.screen, Screen::Queue(_)) {
                return vec![Effect::LoadQueue];
            }
            Vec::new()
        }
        Msg::PrintSent {
            task,
            result,
            warning,
        } => {
            model.notice = Some(match (&result, warning) {
                (Ok(()), Some(w)) => (w, true),
                (Ok(()), None) if task.duplicate => (
                    Message::new("print.duplicate").arg("doc", task.label(model.lang)),
                    false,
                ),
                (Ok(()), None) => (
                    Message::new("print.done").arg("doc", task.label(model.lang)),
                    false,
                ),
                (Err(e), _) => (
                    Message::new("tui.print.queued")
                        .arg("doc", task.label(model.lang))
                        .arg_msg("reason", e.message()),
                    true,
                ),
            });
            model.printer = Some(result.clone().map(|()| None));
            if let Screen::Home(h) = &mut model.screen {
                h.printer = model.printer.clone();
            }
            vec![Effect::RecordPrint {
                kind: task.kind,
                reference: task.reference.clone(),
                error: result.err(),
            }]
        }
        Msg::PrinterState(r) => {
            if let Screen::Home(h) = &mut model.screen {
                h.printer = Some(r.clone());
            }
            model.printer = Some(r);
            Vec::new()
        }
        Msg::DateConfirmed(Ok(())) => {
            model.clock = ClockVerdict::Believable;
            model.go_home()
        }
        // Everything else belongs to a screen. What a commit does whichever
        // screen shows by the time it comes back (print its document) is
        // done first; then the screen showing takes the message, if it is
        // one of its own.
        msg => {
            let effects = after_commit(model, &msg);
            model.screen.update(msg);
            effects
        }
    }
}

/// What follows a message whichever screen is showing: a committed
/// document goes to the printer, a new member into the search index, and
/// the home figures and printer state are read again after a sync or a
/// change of printer.
fn after_commit(model: &mut Model, msg: &Msg) -> Vec<Effect> {
    match msg {
        Msg::Paid(Ok(p)) => vec![print(DocKind::Contribution, &p.receipt)],
        Msg::Reversed(Ok(r)) => vec![print(DocKind::Reversal, &r.receipt)],
        Msg::Closed(Ok(c)) => vec![print(DocKind::DayClose, &c.seq.to_string())],
        Msg::Met(Ok(ps)) => ps
            .iter()
            .map(|p| print(DocKind::Contribution, &p.receipt))
            .collect(),
        Msg::Enrolled(Ok(reg), entry) => {
            // The new member can be found at once, without rebuilding.
            if let Some(index) = model.index.as_mut() {
                let mut entry = (**entry).clone();
                entry.member_id = reg.member_id.clone();
                index.push(entry);
            }
            vec![print(DocKind::Enrolment, &reg.member_id)]
        }
        Msg::Synced(_) => vec![Effect::LoadHome],
        Msg::SettingsSaved(_) => vec![Effect::PrinterStatus],
        _ => Vec::new(),
    }
}

fn print(kind: DocKind, reference: &str) -> Effect {
    Effect::Print {
        kind,
        reference: reference.to_string(),
    }
}

fn apply(model: &mut Model, step: Step) -> Vec<Effect> {
    match step {
        Step::Nothing => Vec::new(),
        Step::Do(e) => vec![e],
        Step::Go(screen, effects) => {
            // Keep the search to come back to from a member card.
            let old = std::mem::replace(&mut model.screen, *screen);
            if let (Screen::Find(f), Screen::Member(_)) = (old, &model.screen) {
                model.last_find = Some(f);
            }
            effects
        }
        Step::Back => match model.last_find.take() {
            Some(f) if matches!(model.screen, Screen::Member(_)) => {
                // The dues shown may have changed since (a payment): read
                // them again for the results on screen.
                let ids: Vec<String> = f.results.iter().map(|e| e.member_id.clone()).collect();
                model.screen = Screen::Find(f);
                if ids.is_empty() {
                    Vec::new()
                } else {
                    vec![Effect::LoadDues(ids)]
                }
            }
            _ => model.go_home(),
        },
        Step::Home => model.go_home(),
        Step::Quit => {
            model.quit = true;
            vec![Effect::Quit]
        }
        Step::Language(lang) => {
            model.lang = lang;
            if let Screen::Settings(s) = &mut model.screen {
                s.lang = lang;
            }
            Vec::new()
        }
        Step::Sync => {
            model.screen = Screen::Sync(sync::Sync::new(model.lang, model.home.clone()));
            vec![Effect::LoadHome]
        }
    }
}
