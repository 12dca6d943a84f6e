//! The printer from the command line: receipts after a commit, reprints,
//! the queue, rendering to PNG, checking a scanned QR code, the emulator.

use std::path::Path;

use jiff::Timestamp;

use crate::books::receipts::PrintTask;
use crate::books::{Books, BooksError};
use crate::cli::{Ctx, Failure};
use crate::config::Settings;
use crate::domain::proof::{Proof, parse_public_key};
use crate::i18n::{Lang, Localized, Message};
use crate::print::escpos::Profile;
use crate::print::transport::{self, PrintError};
use crate::print::{DocKind, Renderer};

impl From<crate::config::ConfigError> for Failure {
    fn from(e: crate::config::ConfigError) -> Failure {
        Failure {
            message: e.message(),
            code: 1,
        }
    }
}

/// What became of one document sent to the printer.
pub enum Printed {
    Ok { duplicate: bool },
    Queued(Message),
}

/// Sends `task` to the configured printer with `renderer` (built once for
/// a run of jobs: building one parses the fonts) and records the outcome in
/// the queue. Never fails the command: the record is already committed, and
/// a document that did not print waits in the queue.
pub fn deliver(
    books: &mut Books,
    renderer: &mut Renderer,
    settings: &Settings,
    task: &PrintTask,
    lang: Lang,
    now: Timestamp,
) -> Printed {
    let (outcome, warning) = renderer.print(settings, &task.document);
    if let Some(w) = &warning {
        eprintln!("{}", w.localized(lang));
    }
    let recorded = books.record_print(
        task.kind,
        &task.reference,
        outcome.as_ref().map(|_| ()),
        now,
    );
    match (outcome, recorded) {
        (Ok(()), Ok(())) => Printed::Ok {
            duplicate: task.duplicate,
        },
        (Err(e), _) => Printed::Queued(e.message()),
        (Ok(()), Err(e)) => Printed::Queued(e.message()),
    }
}

impl Ctx {
    pub(crate) fn settings(&self) -> Result<Settings, Failure> {
        Ok(crate::config::load(&self.dir.root)?)
    }

    /// Prints a document just committed, and says how it went. Never
    /// fails: the record is saved, so whatever goes wrong here is a warning
    /// that says so, and the document waits in the print queue. An
    /// operator who saw an error would take the cash again. `settings` were
    /// read before the commit, so a broken `dastak.toml` stops the command
    /// before anything is saved.
    pub(crate) fn print_now(
        &self,
        books: &mut Books,
        settings: &Settings,
        kind: DocKind,
        reference: &str,
        quiet: bool,
    ) {
        let mut label = reference.to_string();
        let printed = (|| -> Result<Printed, BooksError> {
            let now = crate::books::status::now()?;
            let lang = books.kiosk()?.language;
            let task = books.print_task(kind, reference, lang, now)?;
            label = task.label(self.lang);
            let mut renderer = Renderer::new(settings.profile, settings.templates.as_deref());
            Ok(deliver(
                books,
                &mut renderer,
                settings,
                &task,
                self.lang,
                now,
            ))
        })();
        match printed {
            Ok(Printed::Ok { .. }) if !quiet => {
                self.say(Message::new("print.done").arg("doc", label))
            }
            Ok(Printed::Ok { .. }) => {}
            Ok(Printed::Queued(why)) => {
                let m = Message::new("print.queued")
                    .arg("doc", label)
                    .arg_msg("reason", why);
                if quiet { self.warn(m) } else { self.say(m) }
            }
            Err(e) => self.warn(
                Message::new("print.queued")
                    .arg("doc", label)
                    .arg_msg("reason", e.message()),
            ),
        }
    }
}

pub fn reprint(ctx: &mut Ctx, reference: Option<String>, all: bool) -> Result<(), Failure> {
    let mut books = ctx.open()?;
    let refs: Vec<(DocKind, String)> = match (reference, all) {
        (Some(r), _) => vec![books.find_printable(&r)?],
        (None, true) => books
            .print_queue()?
            .into_iter()
            .filter_map(|j| DocKind::parse(&j.doc).map(|k| (k, j.reference)))
            .collect(),
        (None, false) => {
            return Err(Failure {
                message: Message::new("print.which"),
                code: 2,
            });
        }
    };
    if refs.is_empty() {
        ctx.say(Message::new("print.queue_empty"));
    }
    let settings = ctx.settings()?;
    let mut renderer = Renderer::new(settings.profile, settings.templates.as_deref());
    let lang = books.kiosk()?.language;
    let mut failed = 0;
    for (kind, r) in refs {
        let now = crate::cli::now()?;
        let task = books.print_task(kind, &r, lang, now)?;
        match deliver(&mut books, &mut renderer, &settings, &task, ctx.lang, now) {
            Printed::Ok { duplicate: true } => {
                ctx.say(Message::new("print.duplicate").arg("doc", &r))
            }
            Printed::Ok { duplicate: false } => ctx.say(Message::new("print.done").arg("doc", &r)),
            Printed::Queued(why) => {
                failed += 1;
                ctx.say(
                    Message::new("print.queued")
                        .arg("doc", &r)
                        .arg_msg("reason", why),
                );
            }
        }
    }
    if failed > 0 {
        return Err(Failure {
            message: Message::new("print.some_failed").arg("count", failed),
            code: 1,
        });
    }
    Ok(())
}

pub fn queue(ctx: &mut Ctx, json: bool) -> Result<(), Failure> {
    let books = ctx.open()?;
    let q = books.print_queue()?;
    crate::cli::emit(json, &q, |q| {
        if q.is_empty() {
            ctx.say(Message::new("print.queue_empty"));
        }
        for j in q {
            ctx.say(j.line());
        }
    })
}

fn profile_for(settings: &Settings, paper: Option<u32>) -> Result<Profile, Failure> {
    let mut p = settings.profile;
    match paper {
        None => {}
        Some(58) => p.width = 384,
        Some(80) => p.width = 576,
        Some(got) => return Err(crate::config::ConfigError::Paper { got }.into()),
    }
    Ok(p)
}

/// `dastak receipt render`: the PNG the printer would produce, without one.
pub fn render(
    ctx: &mut Ctx,
    reference: &str,
    png: &Path,
    paper: Option<u32>,
    doc_lang: Option<Lang>,
) -> Result<(), Failure> {
    let books = ctx.open()?;
    let settings = ctx.settings()?;
    let lang = doc_lang.unwrap_or(books.kiosk()?.language);
    let (kind, r) = match books.find_printable(reference) {
        Ok(found) => found,
        // A member ID without a queued slip: their statement.
        Err(_) => (DocKind::Statement, reference.trim().to_ascii_uppercase()),
    };
    let task = books.print_task(kind, &r, lang, crate::cli::now()?)?;
    let profile = profile_for(&settings, paper)?;
    let mut renderer = Renderer::new(profile, settings.templates.as_deref());
    let job = renderer.render(&task.document).map_err(|e| Failure {
        message: e.message(),
        code: 1,
    })?;
    if let Some(w) = &job.warning {
        ctx.warn(w.message());
    }
    let paper = crate::print::paper::print_job(&job.bytes, profile.width, &mut renderer.shaper);
    let bytes = paper
        .bitmap()
        .to_png()
        .map_err(|e| io_failure(png, &e.to_string()))?;
    std::fs::write(png, bytes).map_err(|e| io_failure(png, &e.to_string()))?;
    ctx.say(
        Message::new("print.rendered")
            .arg("doc", &r)
            .arg("file", png.display()),
    );
    Ok(())
}

fn io_failure(path: &Path, detail: &str) -> Failure {
    BooksError::Io {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
    .into()
}

/// `dastak receipt check`: verifies a scanned QR payload.
pub fn check(ctx: &mut Ctx, text: &str, key: Option<&str>) -> Result<(), Failure> {
    let bad = |m: Message| Failure {
        message: m,
        code: 3,
    };
    let (claimed, _) = Proof::parse_unverified(text).map_err(|e| bad(e.message()))?;
    let (kiosk, public) = match key {
        Some(k) => (
            claimed.kiosk.clone(),
            parse_public_key(k).ok_or_else(|| bad(Message::new("proof.bad_key")))?,
        ),
        None => {
            let books = ctx.open()?;
            let key = books.key.as_ref().ok_or(BooksError::NoKioskKey)?;
            (books.kiosk()?.code, key.verifying_key())
        }
    };
    let proof = Proof::verify(text, &kiosk, &public).map_err(|e| bad(e.message()))?;
    ctx.say(proof.genuine_message());
    // With the kiosk's own books at hand, say what became of it since.
    if key.is_none()
        && let Ok(books) = ctx.open()
        && let Ok(Some(c)) = books.contribution(&proof.document)
    {
        if c.amount != proof.amount || c.member_id != proof.member {
            return Err(bad(Message::new("proof.mismatch")));
        }
        if let Some(slip) = c.reversed_by {
            ctx.say(Message::new("member.reversed_by").arg("slip", slip));
        }
    }
    Ok(())
}

/// `dastak identity`: what a lab needs to check this kiosk's receipts.
pub fn identity(ctx: &mut Ctx, json: bool) -> Result<(), Failure> {
    let books = ctx.open()?;
    let key = books.key.as_ref().ok_or(BooksError::NoKioskKey)?;
    let id = serde_json::json!({
        "kiosk": books.kiosk()?.code,
        "public_key": hex::encode(key.verifying_key().to_bytes()),
    });
    crate::cli::emit(json, &id, |id| {
        println!(
            "{} {}",
            id["kiosk"].as_str().unwrap_or(""),
            id["public_key"].as_str().unwrap_or("")
        );
    })
}

pub fn printer_test(ctx: &mut Ctx) -> Result<(), Failure> {
    let books = ctx.open()?;
    let settings = ctx.settings()?;
    let url = settings.printer.as_ref().ok_or_else(|| Failure {
        message: PrintError::NotSet.message(),
        code: 1,
    })?;
    let lang = books.kiosk()?.language;
    let doc = books.document(
        DocKind::TestPage,
        &url.to_string(),
        lang,
        crate::cli::now()?,
    )?;
    let mut renderer = Renderer::new(settings.profile, settings.templates.as_deref());
    let job = renderer.render(&doc).map_err(|e| Failure {
        message: e.message(),
        code: 1,
    })?;
    transport::send(url, &job.bytes, settings.timeout).map_err(|e| Failure {
        message: e.message(),
        code: 1,
    })?;
    ctx.say(Message::new("print.test_done").arg("bytes", job.bytes.len()));
    Ok(())
}

pub fn printer_status(ctx: &mut Ctx) -> Result<(), Failure> {
    let settings = ctx.settings()?;
    let url = settings.printer.as_ref().ok_or_else(|| Failure {
        message: PrintError::NotSet.message(),
        code: 1,
    })?;
    let fail = |e: PrintError| Failure {
        message: e.message(),
        code: 1,
    };
    let state = transport::status(url, settings.timeout).map_err(fail)?;
    let key = match state {
        None => "printer.state_unknown",
        Some(s) if s.paper_out => return Err(fail(PrintError::PaperOut)),
        Some(s) if s.cover_open => return Err(fail(PrintError::CoverOpen)),
        Some(s) if s.offline => return Err(fail(PrintError::Offline)),
        Some(s) if s.paper_low => "printer.state_low",
        Some(_) => "printer.state_ready",
    };
    ctx.say(Message::new(key).arg("url", url));
    Ok(())
}

pub fn emulate(
    ctx: &mut Ctx,
    listen: &str,
    out: &Path,
    paper: u32,
    paper_out: bool,
) -> Result<(), Failure> {
    let width = match paper {
        58 => 384,
        80 => 576,
        got => return Err(crate::config::ConfigError::Paper { got }.into()),
    };
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| io_failure(Path::new(listen), &e.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(|e| io_failure(Path::new(listen), &e.to_string()))?;
    ctx.say(
        Message::new("emulate.listening")
            .arg("addr", addr)
            .arg("dir", out.display()),
    );
    let emu = crate::print::emulate::Emulator::new(out, width, paper_out);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    emu.run(listener, stop)
        .map_err(|e| io_failure(out, &e.to_string()))
}
