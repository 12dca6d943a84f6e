//! What the kiosk's and the lab's command lines share (the `cli` feature):
//! a failure as a message and an exit status, clap's own help and usage
//! errors, the one error line on stderr in the person's language, JSON for
//! programs, and the environment's stand-ins (`$DASTAK_LANG`, `$DASTAK_NOW`).
//!
//! Here and not in each binary so that both answer alike: the same exit
//! statuses, the same error line, the same reading of `$DASTAK_NOW`.

use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;
use serde::Serialize;

use crate::i18n::{Lang, Localized, Message};

/// A failure to report: a message, and the exit status.
pub struct Failure {
    pub message: Message,
    pub code: u8,
}

impl Failure {
    pub fn new(message: Message, code: u8) -> Failure {
        Failure { message, code }
    }

    /// An error that explains itself, with exit status 1.
    pub fn of(e: &impl Localized) -> Failure {
        Failure::new(e.message(), 1)
    }
}

/// Parses argv into `A`; clap's help and version (exit 0) and usage
/// errors (exit 2) come back as the exit status, already printed.
pub fn parse<A: clap::Parser>() -> Result<A, ExitCode> {
    A::try_parse().map_err(|e| {
        if !e.use_stderr() {
            // Help and version: what was asked for, on stdout.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        // A mistake on the command line: said first in the run's language
        // (clap words its own messages in English only), then clap's
        // message with the usage line, which names the flags as typed.
        let lang = args_lang(std::env::args());
        let prefix = Message::new("error.prefix").render(lang);
        let _ = writeln!(
            std::io::stderr().lock(),
            "{prefix}: {}",
            usage_message(&e).render(lang)
        );
        let _ = e.print();
        ExitCode::from(2)
    })
}

/// The language a command line that did not parse asks for: its
/// `--lang`, else `$DASTAK_LANG`, else Hindi (as a run's default).
fn args_lang(args: impl Iterator<Item = String>) -> Lang {
    let args: Vec<String> = args.collect();
    let given = args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--lang=")
            .map(str::to_string)
            .or_else(|| (a == "--lang").then(|| args.get(i + 1).cloned()).flatten())
    });
    given
        .or_else(|| env_nonempty("DASTAK_LANG"))
        .and_then(|l| Lang::parse(&l))
        .unwrap_or(Lang::Hi)
}

/// What is wrong with a command line, in words the catalog translates.
fn usage_message(e: &clap::Error) -> Message {
    use clap::error::{ContextKind, ErrorKind};
    let ctx = |k: ContextKind| e.get(k).map(|v| v.to_string()).unwrap_or_default();
    match e.kind() {
        ErrorKind::UnknownArgument => {
            Message::new("cli.unknown_argument").arg("arg", ctx(ContextKind::InvalidArg))
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => Message::new("cli.invalid_value")
            .arg("value", ctx(ContextKind::InvalidValue))
            .arg("arg", ctx(ContextKind::InvalidArg)),
        ErrorKind::MissingRequiredArgument => {
            Message::new("cli.missing_argument").arg("arg", ctx(ContextKind::InvalidArg))
        }
        ErrorKind::InvalidSubcommand => {
            Message::new("cli.unknown_command").arg("command", ctx(ContextKind::InvalidSubcommand))
        }
        _ => Message::new("cli.usage"),
    }
}

/// Writes the failure as one line on stderr in `lang` and gives its exit
/// status (never 0).
pub fn exit(lang: Lang, f: &Failure) -> ExitCode {
    let prefix = Message::new("error.prefix").render(lang);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{prefix}: {}", f.message.render(lang));
    ExitCode::from(f.code.max(1))
}

/// The language the run's messages are in, once the command line has said
/// it (see [`asked_lang`]), for the few that are printed where no context
/// is at hand.
static RUN_LANG: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

/// Writes one line to stdout. A reader that went away (`dastak-lab report
/// | head`) ends the program quietly with success, as other Unix tools do,
/// instead of the panic `println!` gives; whatever was to be saved was
/// saved before anything is printed. Any other failure (a full disk under
/// `> report.csv`) ends it with status 1 and says why: output cut short
/// must not pass for output written.
pub fn out(line: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    let written = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            let m = Message::new("io.error")
                .arg("path", "stdout")
                .arg("detail", e);
            eprintln!("{}", m.render(RUN_LANG.get().copied().unwrap_or(Lang::Hi)));
            std::process::exit(1);
        }
    }
}

/// `println!` for the command lines: see [`out`].
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::out(format_args!($($arg)*))
    };
}

/// Prints `value` as JSON, for programs.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let s = serde_json::to_string_pretty(value).map_err(|e| {
        Failure::new(
            Message::new("io.error")
                .arg("path", "stdout")
                .arg("detail", e),
            1,
        )
    })?;
    out(format_args!("{s}"));
    Ok(())
}

/// Prints `value` as JSON for programs, or as `human` shows it to people.
pub fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce(&T)) -> Result<(), Failure> {
    if json {
        print_json(value)
    } else {
        human(value);
        Ok(())
    }
}

/// An environment variable that is set to something.
pub fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The language asked for: `--lang`, else `$DASTAK_LANG`; `None` when
/// neither says (the caller decides the default). An unknown one is a
/// usage error.
pub fn asked_lang(arg: Option<&str>) -> Result<Option<Lang>, Failure> {
    match arg
        .map(str::to_string)
        .or_else(|| env_nonempty("DASTAK_LANG"))
    {
        None => Ok(None),
        Some(l) => {
            let lang = Lang::parse(&l)
                .ok_or_else(|| Failure::new(Message::new("operator.bad_language"), 2))?;
            // The first language asked for is the run's.
            let _ = RUN_LANG.set(lang);
            Ok(Some(lang))
        }
    }
}

/// The current time: the system clock, or `$DASTAK_NOW` (see
/// [`crate::domain::time::parse_now`]) for training, tests and the demo.
pub fn now() -> Result<Timestamp, Failure> {
    match env_nonempty("DASTAK_NOW") {
        None => Ok(Timestamp::now()),
        Some(s) => crate::domain::time::parse_now(&s)
            .ok_or_else(|| Failure::new(Message::new("clock.bad_now"), 1)),
    }
}
