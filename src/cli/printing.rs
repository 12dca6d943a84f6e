//! The printer from the command line: receipts after a commit, reprints,
//! the queue, rendering to PNG, checking a scanned QR code, the emulator.

use std::path::Path;

use jiff::Timestamp;

use crate::books::receipts::PrintTask;
use crate::books::{Books, BooksError};
use serde::Serialize;

use crate::books::OperatorRow;
use crate::cli::{Ctx, Failure, OperatorArg, emit};
use crate::config::Settings;
use crate::i18n::{Lang, Localized, Message};
use crate::print::escpos::Profile;
use crate::print::{DocKind, Renderer};

impl From<crate::config::ConfigError> for Failure {
    fn from(e: crate::config::ConfigError) -> Failure {
        Failure::of(&e)
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
    let (outcome, warning) =
        renderer.print(settings.printer.as_ref(), settings.timeout, &task.document);
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

    /// What every command that records something and hands over paper
    /// does, in this order: the operator logs in; the settings are read (a
    /// broken `dastak.toml` stops the command before anything is saved);
    /// `commit` records; its result is shown, or written as JSON for
    /// programs; then its document is printed (see [`Ctx::print_now`]).
    pub(crate) fn commit_and_print<T: Serialize>(
        &mut self,
        op: &OperatorArg,
        json: bool,
        commit: impl FnOnce(&mut Books, &OperatorRow) -> Result<T, Failure>,
        doc: impl FnOnce(&T) -> (DocKind, String),
        show: impl FnOnce(&Ctx, &T),
    ) -> Result<(), Failure> {
        let (mut books, by) = self.open_as(op)?;
        let settings = self.settings()?;
        let done = commit(&mut books, &by)?;
        emit(json, &done, |d| show(self, d))?;
        let (kind, reference) = doc(&done);
        self.print_now(&mut books, &settings, kind, &reference, json);
        Ok(())
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

impl Ctx {
    /// After an acknowledgement: says how many lab decisions were recorded
    /// and prints the papers they queued (see [`Ctx::print_now`]). Settings
    /// are read only here: a broken `dastak.toml` must never keep the
    /// records from leaving the kiosk, so it leaves the papers waiting in
    /// the queue, with a warning.
    pub(crate) fn print_decisions(
        &self,
        books: &mut Books,
        decisions: usize,
        documents: &[String],
        quiet: bool,
    ) {
        if decisions > 0 && !quiet {
            self.say(Message::new("sync.decisions").arg("count", decisions));
        }
        if documents.is_empty() {
            return;
        }
        let settings = match self.settings() {
            Ok(s) => s,
            Err(f) => return self.warn(f.message),
        };
        let settings = &settings;
        for reference in documents {
            match books.find_printable(reference) {
                Ok((kind, r)) => self.print_now(books, settings, kind, &r, quiet),
                Err(e) => self.warn(e.message()),
            }
        }
    }
}

pub(crate) fn profile_for(settings: &Settings, paper: Option<u32>) -> Result<Profile, Failure> {
    let mut p = settings.profile;
    match paper {
        None => {}
        Some(58) => p.width = 384,
        Some(80) => p.width = 576,
        Some(got) => return Err(crate::config::ConfigError::Paper { got }.into()),
    }
    Ok(p)
}

pub(crate) fn io_failure(path: &Path, detail: &str) -> Failure {
    BooksError::Io {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
    .into()
}
