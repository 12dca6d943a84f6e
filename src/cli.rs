//! The `dastak` command line: argument parsing (clap), wiring, and what the
//! person at the terminal sees.
//!
//! Parsing happens in two steps, as in ripgrep: clap turns argv into raw
//! [`Args`]; [`Ctx::resolve`] turns those plus the environment into settings
//! (data directory, language, the clock). Secrets never come from argv, where
//! any user could read them in `ps`: PINs come from `DASTAK_PIN` (and
//! `DASTAK_NEW_PIN` for a new operator), an Aadhaar number from
//! `DASTAK_AADHAAR`, the district secret from `DASTAK_DISTRICT_SECRET` or a
//! file.
//!
//! Every error is one line on stderr in the operator's language and a
//! non-zero exit status; nothing is half-written because every command is
//! one transaction in [`crate::books`].
//!
//! Each command is a module of its own (`cli/pay.rs` for `dastak pay`, as
//! ripgrep and atuin lay theirs out): its clap arguments and its `run`.
//! [`dispatch`] only routes; `printing` holds what several commands share
//! (printing a document just committed), `show` how records look on a
//! terminal. The CLI reaches the kiosk's data through [`crate::books`]
//! alone, never the store or the sync client.

mod clock_floor;
mod confirm_date;
mod console;
mod coverage;
mod day_close;
mod demo;
mod export;
mod fund;
mod group;
mod households;
mod identity;
mod init;
mod lab;
mod link;
mod member;
mod operator;
mod pay;
mod print_queue;
mod printer;
mod printing;
mod receipt;
mod reprint;
mod reverse;
mod show;
mod status;
mod sync;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, Parser, Subcommand};

use crate::books::OperatorRow;
use crate::books::{Books, BooksError, DataDir};
use crate::i18n::{Lang, Message};

#[derive(Parser, Debug)]
#[command(
    name = "dastak",
    version,
    about = "Panchayat e-Dastak kiosk: enrolment, contributions, receipts, sync"
)]
pub struct Args {
    /// Data directory (default: $DASTAK_DATA, else the platform data dir).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Language of messages: hi or en (default: the operator's, else the kiosk's).
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The flag of commands that print either for people or, with `--json`,
/// for programs.
#[derive(ClapArgs, Debug, Clone, Copy)]
pub struct JsonArg {
    #[arg(long)]
    pub json: bool,
}

#[derive(ClapArgs, Debug, Clone)]
pub struct OperatorArg {
    /// Operator code; the PIN is read from $DASTAK_PIN.
    #[arg(long, value_name = "CODE")]
    pub operator: String,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open the operator console (what `dastak` alone does on a terminal).
    Console(console::Args),
    /// Create a kiosk's books (first admin's PIN from $DASTAK_PIN).
    Init(init::Args),
    /// Fill a data directory with a synthetic panchayat to try everything on.
    Demo(demo::Args),
    /// Operators of the kiosk.
    #[command(subcommand)]
    Operator(operator::Cmd),
    /// Self-help groups.
    #[command(subcommand)]
    Group(group::Cmd),
    /// The PDS ration-card list.
    #[command(subcommand)]
    Households(households::Cmd),
    /// Households per village with and without an enrolled member.
    Coverage(coverage::Args),
    /// Members: add, enrol, find, show.
    #[command(subcommand)]
    Member(member::Cmd),
    /// The mutual-aid fund: death claims.
    #[command(subcommand)]
    Fund(fund::Cmd),
    /// Take a contribution and print its receipt number.
    Pay(pay::Args),
    /// Reverse a contribution (a supervisor other than who took the cash).
    Reverse(reverse::Args),
    /// Close the day: cash counted by denomination against the ledger.
    DayClose(day_close::Args),
    /// Confirm today's date after the clock check asks for it.
    ConfirmDate(confirm_date::Args),
    /// Check the database against its ledger; names the first bad event.
    Verify(verify::Args),
    /// The time of the last recorded event, in seconds since 1970 (0 when
    /// there is none): the appliance's clock is never set before it at
    /// boot (a Pi has no battery clock).
    ClockFloor,
    /// Kiosk, today's totals and the clock check.
    Status(status::Args),
    /// Print a document again: a receipt, slip or member ID (a copy of one
    /// that printed says DUPLICATE), or --all that wait in the queue.
    Reprint(reprint::Args),
    /// Documents committed but not yet printed.
    PrintQueue(print_queue::Args),
    /// Receipts: render one to a PNG, or check a scanned QR code.
    #[command(subcommand)]
    Receipt(receipt::Cmd),
    /// The thermal printer: test page, status, emulator.
    #[command(subcommand)]
    Printer(printer::Cmd),
    /// This kiosk's code and public key (for the lab and receipt checks).
    Identity(identity::Args),
    /// Link this kiosk to its district lab (admins only).
    Link(link::Args),
    /// Write the batches not yet acknowledged onto a USB stick at DIR.
    Export(export::Args),
    /// Upload the batches not yet acknowledged to the lab.
    Sync(sync::Args),
    /// The district lab: hands over to its own program, `dastak-lab`
    /// (the lab directory is --data-dir).
    Lab(lab::Args),
}

/// Resolved settings for one run.
pub struct Ctx {
    pub dir: DataDir,
    pub lang: Lang,
    /// The language was chosen explicitly and is not overridden by the
    /// operator's own.
    lang_fixed: bool,
}

pub use dastak_core::cli::{Failure, emit, env_nonempty, now, print_json};

impl From<BooksError> for Failure {
    fn from(e: BooksError) -> Failure {
        Failure::of(&e)
    }
}

/// A secret the command needs from the environment (never from argv,
/// which anyone can read in `ps`), or the message that says how to give it.
fn required_env(name: &str, missing: &'static str) -> Result<String, Failure> {
    env_nonempty(name).ok_or_else(|| Failure::new(Message::new(missing), 1))
}

impl Ctx {
    fn resolve(args: &Args) -> Result<Ctx, Failure> {
        let dir = DataDir::resolve(args.data_dir.clone());
        let asked = dastak_core::cli::asked_lang(args.lang.as_deref())?;
        let (lang, lang_fixed) = (asked.unwrap_or(Lang::Hi), asked.is_some());
        Ok(Ctx {
            dir,
            lang,
            lang_fixed,
        })
    }

    pub(crate) fn open(&mut self) -> Result<Books, Failure> {
        let mut books = self.dir.open_books()?;
        // The district's rules; a broken settings file is reported by the
        // commands that commit (they read the settings before), and leaves
        // the default rules to the others.
        books.rules = crate::config::load(&self.dir.root)
            .map(|s| s.rules)
            .unwrap_or_default();
        if !self.lang_fixed {
            self.lang = books.kiosk()?.language;
        }
        Ok(books)
    }

    /// Opens the books and checks the operator's PIN.
    pub(crate) fn open_as(&mut self, op: &OperatorArg) -> Result<(Books, OperatorRow), Failure> {
        let mut books = self.open()?;
        let operator = self.login(&mut books, op)?;
        Ok((books, operator))
    }

    fn login(&mut self, books: &mut Books, op: &OperatorArg) -> Result<OperatorRow, Failure> {
        let pin = required_env("DASTAK_PIN", "auth.no_pin")?;
        let operator = books.authenticate(&op.operator, &pin, now()?)?;
        if !self.lang_fixed {
            self.lang = operator.language;
        }
        Ok(operator)
    }

    pub(crate) fn say(&self, m: Message) {
        dastak_core::outln!("{}", m.render(self.lang));
    }

    /// A warning beside the result: on stderr, in the person's language.
    pub(crate) fn warn(&self, m: Message) {
        eprintln!("{}", m.render(self.lang));
    }
}

/// Entry point of the binary.
pub fn run() -> ExitCode {
    let args: Args = match dastak_core::cli::parse() {
        Ok(a) => a,
        Err(code) => return code,
    };
    let mut ctx = match Ctx::resolve(&args) {
        Ok(c) => c,
        Err(f) => return dastak_core::cli::exit(Lang::Hi, &f),
    };
    match dispatch(&mut ctx, args.command) {
        Ok(code) => code,
        Err(f) => dastak_core::cli::exit(ctx.lang, &f),
    }
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref()
}

fn dispatch(ctx: &mut Ctx, command: Option<Command>) -> Result<ExitCode, Failure> {
    let Some(command) = command else {
        // The operator console on a terminal (first-run setup on an empty
        // directory); a summary when piped.
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
            console::run(ctx, console::Args::default())?;
            return Ok(ExitCode::SUCCESS);
        }
        status::run(ctx, status::Args { json: false })?;
        return Ok(ExitCode::SUCCESS);
    };
    match command {
        Command::Console(args) => console::run(ctx, args)?,
        Command::Init(args) => init::run(ctx, args)?,
        Command::Demo(args) => demo::run(ctx, args)?,
        Command::Coverage(args) => coverage::run(ctx, args)?,
        Command::Operator(cmd) => operator::run(ctx, cmd)?,
        Command::Group(cmd) => group::run(ctx, cmd)?,
        Command::Households(cmd) => households::run(ctx, cmd)?,
        Command::Member(cmd) => member::run(ctx, cmd)?,
        Command::Fund(cmd) => fund::run(ctx, cmd)?,
        Command::Pay(args) => pay::run(ctx, args)?,
        Command::Reverse(args) => reverse::run(ctx, args)?,
        Command::DayClose(args) => day_close::run(ctx, args)?,
        Command::ConfirmDate(args) => confirm_date::run(ctx, args)?,
        Command::Verify(args) => verify::run(ctx, args)?,
        Command::ClockFloor => clock_floor::run(ctx)?,
        Command::Status(args) => status::run(ctx, args)?,
        Command::Reprint(args) => reprint::run(ctx, args)?,
        Command::PrintQueue(args) => print_queue::run(ctx, args)?,
        Command::Receipt(cmd) => receipt::run(ctx, cmd)?,
        Command::Printer(cmd) => printer::run(ctx, cmd)?,
        Command::Identity(args) => identity::run(ctx, args)?,
        Command::Link(args) => link::run(ctx, args)?,
        Command::Export(args) => export::run(ctx, args)?,
        Command::Sync(args) => sync::run(ctx, args)?,
        Command::Lab(args) => lab::run(ctx, args)?,
    }
    Ok(ExitCode::SUCCESS)
}
