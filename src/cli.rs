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

mod printing;
mod show;
mod sync;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, Parser, Subcommand};
use jiff::Timestamp;
use serde::Serialize;

use crate::books::OperatorRow;
use crate::books::members::{DuplicateOk, EnrolForm, MemberForm};
use crate::books::setup::{InitForm, NewOperator};
use crate::books::{Books, BooksError, DataDir, demo};
use crate::i18n::{Lang, Localized, Message};
use crate::print::DocKind;

/// The top of the settings `dastak demo` writes.
const DEMO_HEADER: &str = "# Written by `dastak demo`. Receipts go to the printer emulator:\n\
# run `dastak printer emulate --out receipts` in another terminal to see\n\
# them as PNG pictures. See dastak.example.toml for every setting.\n";
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

#[derive(ClapArgs, Debug, Clone)]
pub struct OperatorArg {
    /// Operator code; the PIN is read from $DASTAK_PIN.
    #[arg(long, value_name = "CODE")]
    pub operator: String,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open the operator console (what `dastak` alone does on a terminal).
    Console {
        /// Draw on this framebuffer (the kiosk's own screen, /dev/fb0)
        /// instead of the terminal; keys still come from the terminal.
        #[arg(long, value_name = "DEVICE")]
        framebuffer: Option<PathBuf>,
        /// Treat --framebuffer as a plain file of WIDTHxHEIGHT pixels
        /// (XRGB8888), for tests and reference renderings.
        #[arg(long, value_name = "WxH", requires = "framebuffer")]
        framebuffer_size: Option<String>,
        /// Write the first frame to this PNG (or .ppm) file and stop (needs
        /// --framebuffer).
        #[arg(long, value_name = "PNG", requires = "framebuffer")]
        screenshot: Option<PathBuf>,
    },
    /// Create a kiosk's books (first admin's PIN from $DASTAK_PIN).
    Init {
        #[arg(long)]
        kiosk: String,
        #[arg(long)]
        panchayat: String,
        #[arg(long)]
        block: String,
        #[arg(long)]
        district: String,
        /// First admin's operator code.
        #[arg(long)]
        admin: String,
        #[arg(long)]
        admin_name: String,
        /// Kiosk language: hi (default) or en.
        #[arg(long, default_value = "hi")]
        language: String,
        /// File holding the district's 64-hex-character Aadhaar key
        /// (else $DASTAK_DISTRICT_SECRET, else a new random key).
        #[arg(long, value_name = "FILE")]
        district_secret_file: Option<PathBuf>,
    },
    /// Fill a data directory with a synthetic panchayat to try everything on.
    Demo {
        /// Households on the synthetic ration-card list.
        #[arg(long, default_value_t = 300)]
        households: u32,
    },
    /// Operators of the kiosk.
    #[command(subcommand)]
    Operator(OperatorCmd),
    /// Self-help groups.
    #[command(subcommand)]
    Group(GroupCmd),
    /// The PDS ration-card list.
    #[command(subcommand)]
    Households(HouseholdsCmd),
    /// Households per village with and without an enrolled member.
    Coverage {
        /// Only this village.
        #[arg(long)]
        village: Option<String>,
        /// List the households not yet reached.
        #[arg(long)]
        list: bool,
        #[arg(long)]
        json: bool,
    },
    /// Members: add, enrol, find, show.
    #[command(subcommand)]
    Member(MemberCmd),
    /// Take a contribution and print its receipt number.
    Pay {
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        member: String,
        #[arg(long)]
        scheme: String,
        /// Amount in rupees (default: what is due). A negative amount is
        /// read as one (and refused with its reason), not taken for a flag.
        #[arg(long, allow_hyphen_values = true)]
        amount: Option<String>,
        /// Periods covered (default: what the amount or the dues make).
        #[arg(long, allow_hyphen_values = true)]
        periods: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Reverse a contribution (a supervisor other than who took the cash).
    Reverse {
        /// The receipt to reverse (also accepted as `--receipt`).
        #[arg(
            required_unless_present = "receipt_flag",
            conflicts_with = "receipt_flag"
        )]
        receipt: Option<String>,
        #[arg(long = "receipt", id = "receipt_flag", value_name = "RECEIPT")]
        receipt_flag: Option<String>,
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Close the day: cash counted by denomination against the ledger.
    DayClose {
        #[command(flatten)]
        op: OperatorArg,
        /// Notes counted, e.g. "500=2,100=3,10=4".
        #[arg(long, default_value = "", allow_hyphen_values = true)]
        notes: String,
        /// Loose coins, in rupees.
        #[arg(long, default_value = "", allow_hyphen_values = true)]
        coins: String,
        /// Why the count differs from what was expected.
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Confirm today's date after the clock check asks for it.
    ConfirmDate {
        /// Today's date as on the calendar, dd-mm-yyyy.
        date: String,
        #[command(flatten)]
        op: OperatorArg,
    },
    /// Check the database against its ledger; names the first bad event.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// The time of the last recorded event, in seconds since 1970 (0 when
    /// there is none): the appliance's clock is never set before it at
    /// boot (a Pi has no battery clock).
    ClockFloor,
    /// Kiosk, today's totals and the clock check.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Print a document again: a receipt, slip or member ID (a copy of one
    /// that printed says DUPLICATE), or --all that wait in the queue.
    Reprint {
        reference: Option<String>,
        #[arg(long)]
        all: bool,
    },
    /// Documents committed but not yet printed.
    PrintQueue {
        #[arg(long)]
        json: bool,
    },
    /// Receipts: render one to a PNG, or check a scanned QR code.
    #[command(subcommand)]
    Receipt(ReceiptCmd),
    /// The thermal printer: test page, status, emulator.
    #[command(subcommand)]
    Printer(PrinterCmd),
    /// This kiosk's code and public key (for the lab and receipt checks).
    Identity {
        #[arg(long)]
        json: bool,
    },
    /// Link this kiosk to its district lab (admins only).
    Link {
        #[command(flatten)]
        op: OperatorArg,
        /// The lab's age recipient (age1…), from `dastak-lab identity`.
        #[arg(long, required_unless_present = "from_stick", requires = "lab_key")]
        lab_recipient: Option<String>,
        /// The lab's acknowledgement key (64 hex), from `dastak-lab identity`.
        #[arg(long, requires = "lab_recipient")]
        lab_key: Option<String>,
        /// The lab's upload address, e.g. https://lab.example/ (optional).
        #[arg(long, conflicts_with = "from_stick")]
        url: Option<String>,
        /// Instead: the lab's signed link file on the USB stick at DIR
        /// (`dastak-lab link-file`), from a lab that `[lab] trusted_keys`
        /// in dastak.toml names.
        #[arg(long, value_name = "DIR", conflicts_with = "lab_recipient")]
        from_stick: Option<PathBuf>,
    },
    /// Write the batches not yet acknowledged onto a USB stick at DIR.
    Export {
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Upload the batches not yet acknowledged to the lab.
    Sync {
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The district lab: hands over to its own program, `dastak-lab`
    /// (the lab directory is --data-dir).
    Lab {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<std::ffi::OsString>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReceiptCmd {
    /// Render a receipt, slip or member statement as the printer would print it.
    Render {
        /// Receipt or slip number, or a member ID.
        reference: String,
        #[arg(long, value_name = "FILE")]
        png: PathBuf,
        /// Paper width in mm: 58 or 80 (default: the configured printer's).
        #[arg(long)]
        paper: Option<u32>,
        /// Language of the document: hi or en (default: the kiosk's).
        #[arg(long)]
        doc_lang: Option<String>,
    },
    /// Verify the text of a scanned receipt QR code.
    Check {
        text: String,
        /// The issuing kiosk's public key (64 hex), when checking elsewhere
        /// than on that kiosk.
        #[arg(long)]
        key: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum PrinterCmd {
    /// Print a test page on the configured printer.
    Test,
    /// Ask the configured printer how it is (paper, cover).
    Status,
    /// Behave like a network printer and write each job as a PNG.
    Emulate {
        #[arg(long, default_value = "127.0.0.1:9100")]
        listen: String,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Paper width in mm: 58 or 80.
        #[arg(long, default_value_t = 58)]
        paper: u32,
        /// Start out of paper (or create DIR/PAPER-OUT while running).
        #[arg(long)]
        paper_out: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum OperatorCmd {
    /// Add an operator (admins only; the new PIN from $DASTAK_NEW_PIN).
    Add {
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// admin, supervisor or volunteer.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "hi")]
        language: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum GroupCmd {
    /// Create a self-help group.
    Add {
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        code: String,
        #[arg(long, default_value = "SHG")]
        scheme: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        village: String,
    },
    /// List groups.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum HouseholdsCmd {
    /// Load a PDS ration-card list (CSV, UTF-8).
    Import {
        file: PathBuf,
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        json: bool,
    },
}

#[derive(ClapArgs, Debug, Clone)]
pub struct EnrolArgs {
    /// Scheme code (FUND, SHG); repeat to enrol in several.
    #[arg(long = "scheme", required = true)]
    pub schemes: Vec<String>,
    /// Group code, for schemes that work in groups.
    #[arg(long)]
    pub group: Option<String>,
    #[arg(long)]
    pub nominee_name: Option<String>,
    #[arg(long)]
    pub nominee_relation: Option<String>,
}

/// The member a command is about: `--member ID`, as `pay` takes it, or
/// the ID alone (the older spelling, kept as an alias).
#[derive(clap::Args, Debug)]
pub struct MemberArg {
    /// Member ID, e.g. RMP01-00001.
    #[arg(long = "member", value_name = "ID", required_unless_present = "id")]
    member: Option<String>,
    #[arg(value_name = "ID", conflicts_with = "member", hide = true)]
    id: Option<String>,
}

impl MemberArg {
    fn id(&self) -> &str {
        self.member
            .as_deref()
            .or(self.id.as_deref())
            .unwrap_or_default()
    }
}

// Parsed once per run: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum MemberCmd {
    /// Register a villager and enrol them (Aadhaar, if any, from $DASTAK_AADHAAR).
    Add {
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        name: String,
        /// Father's or husband's name.
        #[arg(long)]
        relative_name: String,
        /// female, male or other.
        #[arg(long)]
        gender: String,
        /// Date of birth, dd-mm-yyyy.
        #[arg(long)]
        dob: Option<String>,
        /// Approximate age in years, when the date of birth is not known.
        #[arg(long)]
        age: Option<String>,
        /// Village (default: the ration card's village).
        #[arg(long, default_value = "")]
        village: String,
        #[arg(long)]
        ration_card: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[command(flatten)]
        enrol: EnrolArgs,
        /// When this person looks like an existing member but is another
        /// (a namesake): the supervisor who accepts it (PIN from
        /// $DASTAK_SUPERVISOR_PIN) ...
        #[arg(long, requires = "duplicate_reason")]
        supervisor: Option<String>,
        /// ... and why they are not the same person.
        #[arg(long, requires = "supervisor")]
        duplicate_reason: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Enrol an existing member in another scheme.
    Enrol {
        #[command(flatten)]
        member: MemberArg,
        #[command(flatten)]
        op: OperatorArg,
        #[command(flatten)]
        enrol: EnrolArgs,
    },
    /// Correct or add a member's phone, relative's name or Aadhaar number
    /// (from $DASTAK_AADHAAR), with a reason.
    Correct {
        #[command(flatten)]
        member: MemberArg,
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        relative_name: Option<String>,
        /// Take the Aadhaar number from $DASTAK_AADHAAR.
        #[arg(long)]
        aadhaar: bool,
        #[arg(long)]
        reason: String,
    },
    /// Name a new nominee for one scheme; prints a slip for the member.
    Nominee {
        #[command(flatten)]
        member: MemberArg,
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        scheme: String,
        #[arg(long)]
        nominee_name: String,
        #[arg(long)]
        nominee_relation: String,
        #[arg(long)]
        reason: String,
    },
    /// A member leaves a scheme (supervisors): no dues after the date.
    Leave {
        #[command(flatten)]
        member: MemberArg,
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        scheme: String,
        /// The day they left, dd-mm-yyyy (default: today).
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        reason: String,
    },
    /// Find members by name (either script), ID, phone or ration card.
    Find {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// A member's enrolments, dues and history.
    Show {
        #[command(flatten)]
        member: MemberArg,
        #[arg(long)]
        json: bool,
    },
}

/// Resolved settings for one run.
pub struct Ctx {
    pub dir: DataDir,
    pub lang: Lang,
    /// The language was chosen explicitly and is not overridden by the
    /// operator's own.
    lang_fixed: bool,
}

/// A failure to report: a message, and the exit status.
pub struct Failure {
    pub message: Message,
    pub code: u8,
}

impl From<BooksError> for Failure {
    fn from(e: BooksError) -> Failure {
        Failure {
            message: e.message(),
            code: 1,
        }
    }
}

/// A secret the command needs from the environment (never from argv,
/// which anyone can read in `ps`), or the message that says how to give it.
fn required_env(name: &str, missing: &'static str) -> Result<String, Failure> {
    env_nonempty(name).ok_or(Failure {
        message: Message::new(missing),
        code: 1,
    })
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Ctx {
    fn resolve(args: &Args) -> Result<Ctx, Failure> {
        let dir = DataDir::resolve(args.data_dir.clone());
        let explicit = args.lang.clone().or_else(|| env_nonempty("DASTAK_LANG"));
        let (lang, lang_fixed) = match explicit {
            Some(l) => (
                Lang::parse(&l).ok_or(Failure {
                    message: Message::new("operator.bad_language"),
                    code: 2,
                })?,
                true,
            ),
            None => (Lang::Hi, false),
        };
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
        println!("{}", m.render(self.lang));
    }

    /// A warning beside the result: on stderr, in the person's language.
    pub(crate) fn warn(&self, m: Message) {
        eprintln!("{}", m.render(self.lang));
    }
}

/// The current time (see [`crate::books::status::now`]).
pub fn now() -> Result<Timestamp, Failure> {
    Ok(crate::books::status::now()?)
}

/// Prints `value` as JSON for scripts, or as `human` shows it to people.
pub(crate) fn emit<T: Serialize>(
    json: bool,
    value: &T,
    human: impl FnOnce(&T),
) -> Result<(), Failure> {
    if json {
        print_json(value)
    } else {
        human(value);
        Ok(())
    }
}

fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let s = serde_json::to_string_pretty(value).map_err(|e| Failure {
        message: Message::new("io.error")
            .arg("path", "stdout")
            .arg("detail", e),
        code: 1,
    })?;
    println!("{s}");
    Ok(())
}

/// Entry point of the binary.
pub fn run() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            // clap's own help, version and usage errors.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let mut ctx = match Ctx::resolve(&args) {
        Ok(c) => c,
        Err(f) => return fail(Lang::Hi, f),
    };
    match dispatch(&mut ctx, args.command) {
        Ok(code) => code,
        Err(f) => fail(ctx.lang, f),
    }
}

fn fail(lang: Lang, f: Failure) -> ExitCode {
    let prefix = Message::new("error.prefix").render(lang);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{prefix}: {}", f.message.render(lang));
    ExitCode::from(f.code.max(1))
}

/// `1280x800` → (1280, 800).
fn screen_size(s: &str) -> Result<(u32, u32), Failure> {
    s.split_once(['x', 'X'])
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .filter(|&(w, h): &(u32, u32)| (64..=8192).contains(&w) && (64..=8192).contains(&h))
        .ok_or_else(|| Failure {
            message: Message::new("console.bad_size").arg("value", s),
            code: 2,
        })
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
            let console = Command::Console {
                framebuffer: None,
                framebuffer_size: None,
                screenshot: None,
            };
            return dispatch(ctx, Some(console));
        }
        return status(ctx, false);
    };
    match command {
        Command::Console {
            framebuffer,
            framebuffer_size,
            screenshot,
        } => {
            let display = match framebuffer {
                None => crate::tui::Display::Terminal,
                Some(path) => crate::tui::Display::Framebuffer {
                    path,
                    size: framebuffer_size.as_deref().map(screen_size).transpose()?,
                    screenshot,
                },
            };
            let lang = ctx.lang_fixed.then_some(ctx.lang);
            crate::tui::run(&ctx.dir, lang, &display)?;
        }
        Command::Init {
            kiosk,
            panchayat,
            block,
            district,
            admin,
            admin_name,
            language,
            district_secret_file,
        } => {
            let pin = required_env("DASTAK_PIN", "auth.no_pin")?;
            let secret = match district_secret_file {
                Some(path) => Some(std::fs::read_to_string(&path).map_err(|e| BooksError::Io {
                    path: path.display().to_string(),
                    detail: e.to_string(),
                })?),
                None => env_nonempty("DASTAK_DISTRICT_SECRET"),
            };
            let form = InitForm {
                kiosk,
                panchayat,
                block,
                district,
                language,
                admin_code: admin,
                admin_name,
                admin_pin: pin,
                district_secret: secret,
            };
            let books = crate::books::setup::init(&ctx.dir, &form, now()?)?;
            let k = books.kiosk()?;
            if !ctx.lang_fixed {
                ctx.lang = k.language;
            }
            ctx.say(
                Message::new("init.done")
                    .arg("kiosk", &k.code)
                    .arg("dir", ctx.dir.root.display()),
            );
        }
        Command::Demo { households } => {
            if ctx.dir.is_initialised()
                && let Ok(books) = ctx.dir.open_books()
                && books.kiosk()?.code == "DEMO01"
            {
                ctx.say(Message::new("demo.already").arg("dir", ctx.dir.root.display()));
                return Ok(ExitCode::SUCCESS);
            }
            let summary = demo::fill(&ctx.dir, households.clamp(10, 20_000), now()?)?;
            // Receipts go to the printer emulator unless the directory
            // already names a printer. The rest is the system's settings: a
            // demo on a kiosk image keeps the image's stick and lab.
            if !ctx.dir.config_path().exists() {
                let raw = crate::config::RawConfig::read_kiosk(&ctx.dir.root)?.for_demo();
                ctx.dir.write_private(
                    crate::books::datadir::CONFIG_FILE,
                    raw.to_text_headed(DEMO_HEADER).as_bytes(),
                )?;
            }
            ctx.say(
                Message::new("demo.done")
                    .arg("dir", ctx.dir.root.display())
                    .arg("households", summary.households)
                    .arg("members", summary.members)
                    .arg("receipts", summary.receipts),
            );
            ctx.say(Message::new("demo.logins"));
        }
        Command::Operator(OperatorCmd::Add {
            op,
            code,
            name,
            role,
            language,
        }) => {
            let (mut books, by) = ctx.open_as(&op)?;
            let pin = required_env("DASTAK_NEW_PIN", "auth.no_new_pin")?;
            let new = NewOperator {
                code: &code,
                name: &name,
                role: &role,
                language: &language,
                pin: &pin,
            };
            let added = books.add_operator(&by, &new, now()?)?;
            ctx.say(
                Message::new("operator.added")
                    .arg("code", added.code)
                    .arg_msg("role", added.role.message()),
            );
        }
        Command::Group(GroupCmd::Add {
            op,
            code,
            scheme,
            name,
            village,
        }) => {
            let (mut books, by) = ctx.open_as(&op)?;
            let g = books.create_group(&by, &code, &scheme, &name, &village, now()?)?;
            ctx.say(
                Message::new("group.added")
                    .arg("code", g.code)
                    .arg("name", g.name),
            );
        }
        Command::Group(GroupCmd::List { json }) => {
            let books = ctx.open()?;
            let groups = books.groups()?;
            emit(json, &groups, |groups| {
                for g in groups {
                    println!("{}\t{}\t{}\t{}", g.code, g.scheme, g.name, g.village);
                }
            })?;
        }
        Command::Households(HouseholdsCmd::Import { file, op, json }) => {
            let (mut books, by) = ctx.open_as(&op)?;
            let bytes = std::fs::read(&file).map_err(|e| BooksError::Io {
                path: file.display().to_string(),
                detail: e.to_string(),
            })?;
            let source = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let report = books.import_households(&by, &source, &bytes, now()?)?;
            if json {
                let bad: Vec<serde_json::Value> = report
                    .bad
                    .iter()
                    .map(|b| serde_json::json!({"line": b.line, "reason": b.reason.render(ctx.lang)}))
                    .collect();
                print_json(&serde_json::json!({
                    "rows": report.rows, "added": report.added, "already_present": report.already_present,
                    "households_added": report.households_added, "bad": bad,
                }))?;
            } else {
                for b in &report.bad {
                    ctx.warn(
                        Message::new("import.bad_row")
                            .arg("line", b.line)
                            .arg_msg("reason", b.reason.clone()),
                    );
                }
                ctx.say(
                    Message::new("import.done")
                        .arg("rows", report.rows)
                        .arg("added", report.added)
                        .arg("present", report.already_present)
                        .arg("bad", report.bad.len())
                        .arg("households", report.households_added),
                );
            }
        }
        Command::Coverage {
            village,
            list,
            json,
        } => {
            let books = ctx.open()?;
            let mut cov = books.coverage()?;
            if let Some(v) = village {
                let v = crate::domain::text::fold(&v);
                cov.retain(|c| crate::domain::text::fold(&c.village) == v);
            }
            emit(json, &cov, |cov| {
                show::coverage(ctx.lang, cov, list);
            })?;
        }
        Command::Member(MemberCmd::Add {
            op,
            name,
            relative_name,
            gender,
            dob,
            age,
            village,
            ration_card,
            phone,
            enrol,
            supervisor,
            duplicate_reason,
            json,
        }) => {
            let (mut books, by) = ctx.open_as(&op)?;
            let settings = ctx.settings()?;
            let accept = match (supervisor, duplicate_reason) {
                (Some(code), Some(reason)) => {
                    let pin = required_env("DASTAK_SUPERVISOR_PIN", "auth.no_supervisor_pin")?;
                    Some(DuplicateOk {
                        supervisor: books.authenticate(&code, &pin, now()?)?,
                        reason,
                    })
                }
                _ => None,
            };
            let form = MemberForm {
                name,
                relative_name,
                gender,
                dob,
                age,
                village,
                ration_card,
                phone,
                aadhaar: env_nonempty("DASTAK_AADHAAR"),
            };
            let forms = enrol_forms(&books, &enrol)?;
            let r = books.register_member_accepting(&by, &form, &forms, accept.as_ref(), now()?)?;
            emit(json, &r, |r| {
                ctx.say(
                    Message::new("member.added")
                        .arg("id", &r.member_id)
                        .arg("schemes", r.schemes.join(", ")),
                );
            })?;
            ctx.print_now(
                &mut books,
                &settings,
                DocKind::Enrolment,
                &r.member_id,
                json,
            );
        }
        Command::Member(MemberCmd::Enrol { member, op, enrol }) => {
            let id = member.id().to_string();
            let (mut books, by) = ctx.open_as(&op)?;
            let t = now()?;
            for form in enrol_forms(&books, &enrol)? {
                books.enrol(&by, &id, &form, t)?;
                ctx.say(
                    Message::new("member.enrolled")
                        .arg("id", id.to_ascii_uppercase())
                        .arg("scheme", form.scheme.to_ascii_uppercase()),
                );
            }
        }
        Command::Member(MemberCmd::Correct {
            member,
            op,
            phone,
            relative_name,
            aadhaar,
            reason,
        }) => {
            let (mut books, by) = ctx.open_as(&op)?;
            let aadhaar = if aadhaar {
                Some(required_env("DASTAK_AADHAAR", "member.no_aadhaar_env")?)
            } else {
                None
            };
            let c = crate::books::changes::Correction {
                phone,
                aadhaar,
                relative_name,
                reason,
            };
            books.correct_member(&by, member.id(), &c, now()?)?;
            ctx.say(Message::new("member.corrected").arg("id", member.id().to_ascii_uppercase()));
        }
        Command::Member(MemberCmd::Nominee {
            member,
            op,
            scheme,
            nominee_name,
            nominee_relation,
            reason,
        }) => {
            let (mut books, by) = ctx.open_as(&op)?;
            let settings = ctx.settings()?;
            let seq = books.change_nominee(
                &by,
                member.id(),
                &scheme,
                &nominee_name,
                &nominee_relation,
                &reason,
                now()?,
            )?;
            ctx.say(
                Message::new("member.nominee_changed")
                    .arg("id", member.id().to_ascii_uppercase())
                    .arg("scheme", scheme.to_ascii_uppercase()),
            );
            ctx.print_now(
                &mut books,
                &settings,
                DocKind::Nominee,
                &seq.to_string(),
                false,
            );
        }
        Command::Member(MemberCmd::Leave {
            member,
            op,
            scheme,
            on,
            reason,
        }) => {
            let (mut books, by) = ctx.open_as(&op)?;
            books.leave_scheme(&by, member.id(), &scheme, on.as_deref(), &reason, now()?)?;
            ctx.say(
                Message::new("member.left")
                    .arg("id", member.id().to_ascii_uppercase())
                    .arg("scheme", scheme.to_ascii_uppercase()),
            );
        }
        Command::Member(MemberCmd::Find { query, limit, json }) => {
            let books = ctx.open()?;
            let found = books.find_members(&query, limit.clamp(1, 500))?;
            if json {
                print_json(&found)?;
            } else if found.is_empty() {
                ctx.say(Message::new("member.none_found"));
            } else {
                show::members(ctx.lang, &found);
            }
        }
        Command::Member(MemberCmd::Show { member, json }) => {
            let id = member.id().to_string();
            let books = ctx.open()?;
            let view = books.member_view(&id, now()?)?;
            emit(json, &view, |view| {
                show::member(ctx.lang, view);
            })?;
        }
        Command::Pay {
            op,
            member,
            scheme,
            amount,
            periods,
            json,
        } => {
            let (mut books, by) = ctx.open_as(&op)?;
            let settings = ctx.settings()?;
            let p = books.pay(&by, &member, &scheme, opt(&amount), opt(&periods), now()?)?;
            emit(json, &p, |p| {
                show::payment(ctx.lang, p);
            })?;
            ctx.print_now(
                &mut books,
                &settings,
                DocKind::Contribution,
                &p.receipt,
                json,
            );
        }
        Command::Reverse {
            receipt,
            receipt_flag,
            op,
            reason,
            json,
        } => {
            let (mut books, by) = ctx.open_as(&op)?;
            let settings = ctx.settings()?;
            let receipt = receipt.or(receipt_flag).unwrap_or_default();
            let r = books.reverse(&by, &receipt, &reason, now()?)?;
            emit(json, &r, |r| {
                ctx.say(
                    Message::new("reverse.done")
                        .arg("slip", &r.receipt)
                        .arg("original", &r.original)
                        .arg("amount", r.amount),
                );
            })?;
            ctx.print_now(&mut books, &settings, DocKind::Reversal, &r.receipt, json);
        }
        Command::DayClose {
            op,
            notes,
            coins,
            reason,
            json,
        } => {
            let (mut books, by) = ctx.open_as(&op)?;
            let settings = ctx.settings()?;
            let c = books.day_close(&by, &notes, &coins, opt(&reason), now()?)?;
            emit(json, &c, |c| {
                show::day_close(ctx.lang, c);
            })?;
            ctx.print_now(
                &mut books,
                &settings,
                DocKind::DayClose,
                &c.seq.to_string(),
                json,
            );
        }
        Command::ConfirmDate { date, op } => {
            let (mut books, by) = ctx.open_as(&op)?;
            books.confirm_date(&by, &date, now()?)?;
            ctx.say(Message::new("clock.confirmed"));
        }
        Command::Verify { json } => {
            let books = ctx.open()?;
            let report = books.verify()?;
            if json {
                print_json(&report)?;
            } else if report.ok() {
                ctx.say(
                    Message::new("verify.ok")
                        .arg("events", report.events)
                        .arg("head", report.head.clone().unwrap_or_default()),
                );
            } else {
                for p in &report.problems {
                    ctx.warn(p.message());
                }
            }
            if !report.ok() {
                let first = report
                    .first_bad_event()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into());
                return Err(Failure {
                    message: Message::new("verify.failed")
                        .arg("count", report.problems.len())
                        .arg("seq", first),
                    code: 3,
                });
            }
        }
        Command::ClockFloor => {
            let last = if ctx.dir.is_initialised() {
                ctx.open()?.last_event_time()?
            } else {
                None
            };
            let secs = last.map(|t| t.as_second()).unwrap_or(0);
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{secs}");
        }
        Command::Status { json } => return status(ctx, json),
        Command::Reprint { reference, all } => printing::reprint(ctx, reference, all)?,
        Command::PrintQueue { json } => printing::queue(ctx, json)?,
        Command::Receipt(ReceiptCmd::Render {
            reference,
            png,
            paper,
            doc_lang,
        }) => {
            let doc_lang = doc_lang
                .map(|l| {
                    Lang::parse(&l).ok_or(Failure {
                        message: Message::new("operator.bad_language"),
                        code: 2,
                    })
                })
                .transpose()?;
            printing::render(ctx, &reference, &png, paper, doc_lang)?
        }
        Command::Receipt(ReceiptCmd::Check { text, key }) => {
            printing::check(ctx, &text, key.as_deref())?
        }
        Command::Printer(PrinterCmd::Test) => printing::printer_test(ctx)?,
        Command::Printer(PrinterCmd::Status) => printing::printer_status(ctx)?,
        Command::Printer(PrinterCmd::Emulate {
            listen,
            out,
            paper,
            paper_out,
        }) => printing::emulate(ctx, &listen, &out, paper, paper_out)?,
        Command::Identity { json } => printing::identity(ctx, json)?,
        Command::Link {
            op,
            lab_recipient,
            lab_key,
            url,
            from_stick,
        } => {
            // clap sees that either the stick or both keys are given; an
            // empty key is refused by `sync::link` with its own message.
            let from = match &from_stick {
                Some(dir) => sync::LinkArg::Stick(dir),
                None => sync::LinkArg::Typed {
                    recipient: lab_recipient.as_deref().unwrap_or_default(),
                    key: lab_key.as_deref().unwrap_or_default(),
                    url: url.as_deref(),
                },
            };
            sync::link(ctx, &op, from)?
        }
        Command::Export { to, json } => sync::export(ctx, &to, json)?,
        Command::Sync { url, json } => sync::upload(ctx, url.as_deref(), json)?,
        Command::Lab { args } => sync::lab(ctx, args)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// One enrolment per scheme named (see [`EnrolForm::for_scheme`]).
fn enrol_forms(books: &Books, args: &EnrolArgs) -> Result<Vec<EnrolForm>, Failure> {
    let mut out = Vec::new();
    for s in &args.schemes {
        out.push(EnrolForm::for_scheme(
            books,
            s,
            args.group.clone(),
            args.nominee_name.clone(),
            args.nominee_relation.clone(),
        )?);
    }
    Ok(out)
}

fn status(ctx: &mut Ctx, json: bool) -> Result<ExitCode, Failure> {
    if !ctx.dir.is_initialised() {
        ctx.say(Message::new("status.fresh").arg("dir", ctx.dir.root.display()));
        return Ok(ExitCode::SUCCESS);
    }
    let books = ctx.open()?;
    let t = now()?;
    let s = books.status(t)?;
    emit(json, &s, |s| {
        show::status(ctx.lang, s);
    })?;
    Ok(ExitCode::SUCCESS)
}
