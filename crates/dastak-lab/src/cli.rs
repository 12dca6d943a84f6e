//! The `dastak-lab` command line: `init`, `identity`, `link-file`, `kiosk
//! add`, `serve`, `simulate`, `import`, `status`, `report`, `verify-receipt`,
//! `officer add`, `demo`.
//!
//! As in the kiosk's CLI, clap parses argv into raw [`Args`] and [`Ctx`]
//! resolves them (lab directory, language). Every error is one line on
//! stderr in the clerk's language and a non-zero exit status.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::server::{self, ServeSettings, Server, TlsFiles};
use crate::{self as lab, Lab, LabError};
use dastak_core::cli::{Failure, asked_lang, emit, env_nonempty, exit, now, parse};
use dastak_core::i18n::{Lang, Localized, Message};

#[derive(Parser, Debug)]
#[command(
    name = "dastak-lab",
    version,
    about = "dastak's district lab: collects kiosks' batches, acknowledges them, reports"
)]
pub struct Args {
    /// Lab directory (default: $DASTAK_LAB_DATA, else the platform data
    /// dir's dastak-lab).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Language of messages: hi or en (default: $DASTAK_LANG, else hi).
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    /// Where the lab keeps its books: sqlite:PATH (default
    /// DIR/district-lab.db; a bare PATH means the same) or a PostgreSQL URL,
    /// postgresql://USER@HOST:PORT/DB (a Unix socket's directory as a
    /// percent-encoded HOST). The keys stay in the lab directory.
    #[arg(long, global = true, value_name = "URL", env = "DASTAK_LAB_DB")]
    pub db: Option<String>,
    #[command(subcommand)]
    pub cmd: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Make a lab directory (--data-dir) with fresh keys.
    Init,
    /// What a kiosk needs to link to this lab.
    Identity {
        #[arg(long)]
        json: bool,
    },
    /// Write a signed link file onto a USB stick at DIR, for new kiosks
    /// whose image trusts this lab (`dastak link --from-stick`, or F6 on
    /// the console's sync screen).
    LinkFile {
        #[arg(long, value_name = "DIR")]
        to: std::path::PathBuf,
        /// Where kiosks upload, e.g. https://lab.example/ (optional).
        #[arg(long)]
        url: Option<String>,
    },
    /// Register kiosks.
    #[command(subcommand)]
    Kiosk(KioskCmd),
    /// Receive uploads over HTTP (HTTPS with --tls-cert and --tls-key);
    /// SIGTERM or Ctrl+C stops it after the uploads under way.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8440")]
        listen: String,
        /// PEM certificate chain, for HTTPS without a reverse proxy.
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// PEM private key of --tls-cert.
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Make synthetic kiosks (SIM00001…) with a busy centre's ledgers,
    /// signed and sealed as real kiosks', and receive them: for load
    /// tests and demos. The same seed makes the same ledgers.
    Simulate {
        #[arg(long, default_value_t = 10)]
        kiosks: u32,
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Members each kiosk registers.
        #[arg(long, default_value_t = 60)]
        members: u32,
        /// Contributions on a working day, about.
        #[arg(long, default_value_t = 20)]
        per_day: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Import the batches on a USB stick mounted at DIR.
    Import { dir: std::path::PathBuf },
    /// Per kiosk: events held, gaps, quarantined conflicts, last contact.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Money by panchayat, scheme and month.
    Report {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        csv: bool,
        /// Day closes that were short or over, with their reasons, instead
        /// of the money (the text report shows both).
        #[arg(long)]
        closes: bool,
        /// Per kiosk, village, day and scheme: receipts, reversals and
        /// enrolments (events held without a gap below them).
        #[arg(long, conflicts_with = "closes")]
        daily: bool,
    },
    /// Check a receipt's QR text against the kiosk's key and the lab's books.
    VerifyReceipt { text: String },
    /// Officers who log in to the dashboard.
    #[command(subcommand)]
    Officer(OfficerCmd),
    /// Death claims the kiosks filed: list and show them, take a step
    /// (verify, publish, object, approve, reject, pay) as an officer whose
    /// password is read from $DASTAK_LAB_PASSWORD, else from the first
    /// line of standard input, and check the signed claim log.
    #[command(subcommand)]
    Claims(ClaimsCmd),
    /// The mutual-aid fund as a whole.
    #[command(subcommand)]
    Fund(FundCmd),
    /// A lab to look around in: made if missing (keys, books), filled with
    /// synthetic kiosks' last 45 days (some silent, one never synced), and
    /// the admin officer `admin`, whose password is $DASTAK_LAB_PASSWORD
    /// (made up and printed once when unset). Then `serve`.
    Demo {
        #[arg(long, default_value_t = 24)]
        kiosks: u32,
        #[arg(long, default_value_t = 45)]
        days: u32,
    },
}

#[derive(Subcommand, Debug)]
pub enum OfficerCmd {
    /// Add an officer. The password is read from $DASTAK_LAB_PASSWORD, else
    /// from the first line of standard input.
    Add {
        name: String,
        /// viewer, officer, approver or admin.
        #[arg(long, default_value = "viewer")]
        role: String,
        /// The district the officer sees (default: the whole state).
        #[arg(long)]
        district: Option<String>,
        /// The officer's language on the dashboard: hi or en.
        #[arg(long = "page-lang", default_value = "hi")]
        page_lang: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ClaimsCmd {
    /// Every claim: its member, village, date of death, state, amount.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One claim whole, with every step taken on it.
    Show {
        claim: String,
        #[arg(long)]
        json: bool,
    },
    /// The whole bank account number of an approved claim, for the
    /// transfer (an officer, by password; audited).
    Account {
        claim: String,
        #[arg(long = "as", value_name = "OFFICER")]
        officer: String,
    },
    /// The death certificate and the claimant's identity were seen.
    Verify {
        claim: String,
        #[arg(long = "as", value_name = "OFFICER")]
        officer: String,
    },
    /// The notice goes up: objections are heard for the fund's window.
    Publish {
        claim: String,
        #[arg(long = "as", value_name = "OFFICER")]
        officer: String,
    },
    /// Record an objection heard while the notice is up.
    Object {
        claim: String,
        #[arg(long = "as", value_name = "OFFICER")]
        officer: String,
        #[arg(long)]
        objection: String,
    },
    /// Approve the claim once its window has closed (an approver who did
    /// not verify it).
    Approve {
        claim: String,
        #[arg(long = "as", value_name = "OFFICER")]
        officer: String,
    },
    /// Turn the claim down, saying why (an approver who did not verify it).
    Reject {
        claim: String,
        #[arg(long = "as", value_name = "OFFICER")]
        officer: String,
        #[arg(long)]
        reasons: String,
    },
    /// Record the bank transfer that paid an approved claim.
    Pay {
        claim: String,
        #[arg(long = "as", value_name = "OFFICER")]
        officer: String,
        /// The approved amount, in rupees (e.g. 50000).
        // A minus sign is the amount's mistake, said in the officer's
        // language, not a flag clap does not know.
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// The bank's reference of the transfer (UTR). Where the claim's
        /// nominees are paid each by her own transfer, give one per
        /// nominee, in the order `claims show` lists them.
        #[arg(long, allow_hyphen_values = true, required = true)]
        bank_ref: Vec<String>,
        /// The day it was paid, dd-mm-yyyy or yyyy-mm-dd (default: today).
        #[arg(long, allow_hyphen_values = true)]
        on: Option<String>,
    },
    /// Check the claim log: every entry signed by this lab and chained.
    Check,
}

#[derive(Subcommand, Debug)]
pub enum FundCmd {
    /// The fund's statement of a month: members by standing, what was
    /// collected, which claims moved, what was paid out, the opening and
    /// closing balance. Signed by the lab; with --to it is written onto
    /// the stick at DIR, where a kiosk prints it for the notice board
    /// (`dastak fund statement`).
    Statement {
        #[arg(long, default_value = "FUND")]
        scheme: String,
        /// yyyy-mm (default: the last whole month; the running month
        /// stands at today).
        #[arg(long)]
        month: Option<String>,
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum KioskCmd {
    /// Register a kiosk by its code and public key (`dastak identity`).
    Add { code: String, public_key: String },
}

/// Resolved settings for one run.
pub struct Ctx {
    pub dir: PathBuf,
    pub lang: Lang,
}

impl Ctx {
    fn resolve(args: &Args) -> Result<Ctx, Failure> {
        let dir = args
            .data_dir
            .clone()
            .or_else(|| env_nonempty("DASTAK_LAB_DATA").map(PathBuf::from))
            .or_else(|| dirs::data_dir().map(|d| d.join("dastak-lab")))
            .unwrap_or_else(|| PathBuf::from("dastak-lab-data"));
        let lang = asked_lang(args.lang.as_deref())?.unwrap_or(Lang::Hi);
        Ok(Ctx { dir, lang })
    }

    fn say(&self, m: Message) {
        dastak_core::outln!("{}", m.render(self.lang));
    }

    fn warn(&self, m: Message) {
        eprintln!("{}", m.render(self.lang));
    }
}

impl From<LabError> for Failure {
    fn from(e: LabError) -> Failure {
        Failure::of(&e)
    }
}

/// Entry point of the binary.
pub fn run() -> ExitCode {
    let args: Args = match parse() {
        Ok(a) => a,
        Err(code) => return code,
    };
    let mut ctx = match Ctx::resolve(&args) {
        Ok(c) => c,
        Err(f) => return exit(Lang::Hi, &f),
    };
    match dispatch(&mut ctx, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => exit(ctx.lang, &f),
    }
}

fn dispatch(ctx: &mut Ctx, args: Args) -> Result<(), Failure> {
    let dir = ctx.dir.clone();
    let db = args.db.as_deref().map_or_else(
        || lab::DbUrl::Sqlite(dir.join(lab::DB_FILE)),
        lab::DbUrl::parse,
    );
    match args.cmd {
        Command::Init => {
            let lab = Lab::init_at(&dir, &db)?;
            let id = lab.identity();
            ctx.say(Message::new("lab.made").arg("dir", dir.display()));
            dastak_core::outln!("{}\n{}", id.recipient, id.ack_key);
        }
        Command::Identity { json } => {
            let lab = Lab::open_at(&dir, &db)?;
            let id = lab.identity();
            emit(json, &id, |id| {
                dastak_core::outln!("{}\n{}", id.recipient, id.ack_key);
            })?;
        }
        Command::LinkFile { to, url } => {
            let lab = Lab::open_at(&dir, &db)?;
            let path = lab.write_link_file(&to, url.as_deref(), now()?)?;
            ctx.say(Message::new("lab.link_file").arg("path", path.display()));
        }
        Command::Kiosk(KioskCmd::Add { code, public_key }) => {
            let mut lab = Lab::open_at(&dir, &db)?;
            lab.add_kiosk(&code, &public_key, now()?)?;
            ctx.say(Message::new("lab.kiosk_added").arg("kiosk", code.to_ascii_uppercase()));
        }
        Command::Serve {
            listen,
            tls_cert,
            tls_key,
        } => {
            let lab = Lab::open_at(&dir, &db)?;
            let settings = ServeSettings {
                tls: tls_cert
                    .zip(tls_key)
                    .map(|(cert, key)| TlsFiles { cert, key }),
                ..ServeSettings::default()
            };
            let io = |e: std::io::Error| LabError::Io {
                path: listen.clone(),
                detail: e.to_string(),
            };
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(io)?;
            let server = Server::new(lab, &settings).map_err(LabError::from)?;
            rt.block_on(async {
                let listener = tokio::net::TcpListener::bind(&listen).await.map_err(io)?;
                let addr = listener.local_addr().map_err(io)?;
                ctx.say(Message::new("lab.serving").arg("addr", addr));
                server.run(listener, server::stop_signal()).await?;
                ctx.say(Message::new("lab.stopped"));
                Ok::<(), LabError>(())
            })?;
        }
        Command::Simulate {
            kiosks,
            days,
            members,
            per_day,
            seed,
        } => {
            let mut lab = Lab::open_at(&dir, &db)?;
            let plan = lab::simulate::Plan {
                kiosks,
                days,
                members,
                per_day,
                seed,
                ..lab::simulate::Plan::default()
            };
            let r = lab.simulate(&plan, now()?)?;
            warn_refused(ctx, &r);
            say_simulated(ctx, kiosks, &r);
            refused_fails(&r)?;
        }
        Command::Officer(OfficerCmd::Add {
            name,
            role,
            district,
            page_lang,
        }) => {
            let role = crate::officers::Role::parse(&role).ok_or(LabError::BadRole)?;
            let page_lang = asked_lang(Some(&page_lang))?.unwrap_or(Lang::Hi);
            let password = password()?;
            let mut lab = Lab::open_at(&dir, &db)?;
            lab.add_officer(
                "cli",
                &name,
                &password,
                role,
                district.as_deref(),
                page_lang,
                now()?,
            )?;
            ctx.say(
                Message::new("dash.officer_added").arg("name", name.trim().to_ascii_lowercase()),
            );
        }
        Command::Demo { kiosks, days } => demo(ctx, &dir, &db, kiosks, days)?,
        Command::Claims(cmd) => claims(ctx, &dir, &db, cmd)?,
        Command::Fund(FundCmd::Statement {
            scheme,
            month,
            to,
            json,
        }) => fund_statement(ctx, &Lab::open_at(&dir, &db)?, &scheme, month, to, json)?,
        Command::Import { dir: stick } => {
            let mut lab = Lab::open_at(&dir, &db)?;
            let r = lab.import_dir(&stick, now()?)?;
            warn_refused(ctx, &r);
            ctx.say(
                Message::new("lab.imported")
                    .arg("files", r.files)
                    .arg("new", r.new)
                    .arg("duplicate", r.duplicate)
                    .arg("quarantined", r.quarantined),
            );
            refused_fails(&r)?;
        }
        Command::Status { json } => {
            let lab = Lab::open_at(&dir, &db)?;
            let s = lab.status()?;
            emit(json, &s, |s| {
                for k in s {
                    let gaps: Vec<String> =
                        k.gaps.iter().map(|(a, b)| format!("{a}-{b}")).collect();
                    ctx.say(
                        Message::new("lab.status_line")
                            .arg("kiosk", &k.kiosk)
                            .arg("through", k.through)
                            .arg("last", k.last_seq)
                            .arg(
                                "gaps",
                                if gaps.is_empty() {
                                    "-".into()
                                } else {
                                    gaps.join(", ")
                                },
                            )
                            .arg("quarantined", k.quarantined)
                            .arg(
                                "contact",
                                k.last_contact
                                    .as_deref()
                                    .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                                    .map(dastak_core::domain::time::display_instant)
                                    .unwrap_or_else(|| "-".into()),
                            ),
                    );
                }
            })?;
            if s.iter().any(|k| k.quarantined > 0) {
                return Err(Failure {
                    message: Message::new("lab.alarm"),
                    code: 3,
                });
            }
        }
        Command::Report {
            json,
            csv,
            daily: true,
            ..
        } => {
            let lab = Lab::open_at(&dir, &db)?;
            let rows = lab::daily(&lab)?;
            if csv {
                dastak_core::outln!(
                    "kiosk,village,day,scheme,receipts,amount_paise,reversals,reversed_paise,enrolments"
                );
                for r in &rows {
                    dastak_core::outln!(
                        "{},{},{},{},{},{},{},{},{}",
                        csv_field(&r.kiosk),
                        csv_field(&r.village),
                        r.day,
                        csv_field(&r.scheme),
                        r.receipts,
                        r.amount.0,
                        r.reversals,
                        r.reversed.0,
                        r.enrolments
                    );
                }
            } else {
                emit(json, &rows, |rows| {
                    ctx.say(Message::new("lab.daily_header"));
                    for r in rows {
                        dastak_core::outln!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                            r.kiosk,
                            r.village,
                            shown_date(&r.day),
                            r.scheme,
                            r.receipts,
                            r.amount,
                            r.reversals,
                            r.reversed,
                            r.enrolments
                        );
                    }
                })?;
            }
        }
        Command::Report {
            json, csv, closes, ..
        } => {
            let lab = Lab::open_at(&dir, &db)?;
            let rows = lab::report(&lab)?;
            let diffs = lab::cash_differences(&lab, "")?;
            if closes && csv {
                dastak_core::outln!(
                    "panchayat,kiosk,date,expected_paise,counted_paise,variance_paise,reason"
                );
                for d in &diffs {
                    dastak_core::outln!(
                        "{},{},{},{},{},{},{}",
                        csv_field(&d.panchayat),
                        csv_field(&d.kiosk),
                        d.date,
                        d.expected.0,
                        d.counted.0,
                        d.variance.0,
                        csv_field(&d.reason)
                    );
                }
            } else if closes && json {
                emit(true, &diffs, |_| {})?;
            } else if csv {
                dastak_core::outln!("panchayat,kiosk,scheme,month,receipts,reversals,total_paise");
                for r in &rows {
                    dastak_core::outln!(
                        "{},{},{},{},{},{},{}",
                        csv_field(&r.panchayat),
                        csv_field(&r.kiosk),
                        csv_field(&r.scheme),
                        r.month,
                        r.receipts,
                        r.reversals,
                        r.total.0
                    );
                }
            } else if json {
                emit(true, &rows, |_| {})?;
            } else {
                report_text(ctx, &rows, &diffs, closes);
            }
        }
        Command::VerifyReceipt { text } => {
            let lab = Lab::open_at(&dir, &db)?;
            let (proof, held, reversed) =
                lab::verify_receipt(&lab, &text).map_err(|e| Failure {
                    message: e.message(),
                    code: 3,
                })?;
            if !held {
                return Err(Failure {
                    message: Message::new("lab.receipt_not_held").arg("doc", &proof.document),
                    code: 3,
                });
            }
            ctx.say(proof.genuine_message());
            if let Some(slip) = reversed {
                ctx.say(Message::new("member.reversed_by").arg("slip", slip));
            }
        }
    }
    Ok(())
}

/// A CSV field, quoted when it needs to be; a leading `=`, `+`, `-` or `@`
/// is defused so a spreadsheet does not run it as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Each refused batch file, and why, on stderr.
fn warn_refused(ctx: &Ctx, r: &lab::ImportReport) {
    for (file, why) in &r.refused {
        ctx.warn(
            Message::new("lab.refused_file")
                .arg("file", file)
                .arg_msg("reason", why.clone()),
        );
    }
}

/// A run that refused any batch fails (after saying what it took), so a
/// script notices.
fn refused_fails(r: &lab::ImportReport) -> Result<(), Failure> {
    if r.refused.is_empty() {
        Ok(())
    } else {
        Err(Failure {
            message: Message::new("lab.some_refused").arg("count", r.refused.len()),
            code: 1,
        })
    }
}

/// A stored YYYY-MM-DD as a clerk reads it (dd-mm-yyyy).
fn shown_date(day: &str) -> String {
    day.parse::<jiff::civil::Date>()
        .map(dastak_core::domain::time::display_date)
        .unwrap_or_else(|_| day.to_string())
}

/// The lab's report for a person: a header, the rows, a grand total, and
/// the day closes that were short or over with their reasons.
fn report_text(
    ctx: &Ctx,
    rows: &[crate::store::ReportRow],
    diffs: &[crate::store::CashDifference],
    closes_only: bool,
) {
    if !closes_only {
        ctx.say(Message::new("lab.report_header"));
        let (mut receipts, mut reversals, mut total) = (0u64, 0u64, 0i64);
        for r in rows {
            dastak_core::outln!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                r.panchayat,
                r.kiosk,
                r.scheme,
                r.month,
                r.receipts,
                r.reversals,
                r.total
            );
            receipts += r.receipts;
            reversals += r.reversals;
            total += r.total.0;
        }
        ctx.say(
            Message::new("lab.report_total")
                .arg("receipts", receipts)
                .arg("reversals", reversals)
                .arg("total", dastak_core::domain::money::Paise(total)),
        );
    }
    if diffs.is_empty() {
        ctx.say(Message::new("lab.report_no_differences"));
        return;
    }
    ctx.say(Message::new("lab.report_differences"));
    for d in diffs {
        let date = shown_date(&d.date);
        let m = if d.variance.0 < 0 {
            Message::new("lab.report_short")
                .arg("amount", dastak_core::domain::money::Paise(-d.variance.0))
        } else {
            Message::new("lab.report_over").arg("amount", d.variance)
        };
        ctx.say(
            Message::new("lab.report_difference")
                .arg("panchayat", &d.panchayat)
                .arg("kiosk", &d.kiosk)
                .arg("date", date)
                .arg("expected", d.expected)
                .arg("counted", d.counted)
                .arg_msg("difference", m)
                .arg("reason", &d.reason),
        );
    }
}

/// What a simulation received.
fn say_simulated(ctx: &Ctx, kiosks: u32, r: &lab::ImportReport) {
    ctx.say(
        Message::new("lab.simulated")
            .arg("kiosks", kiosks)
            .arg("files", r.files)
            .arg("new", r.new)
            .arg("duplicate", r.duplicate),
    );
}

/// An officer's password: $DASTAK_LAB_PASSWORD, else the first line of
/// standard input (never an argument, which `ps` shows).
fn password() -> Result<String, Failure> {
    let password = match env_nonempty("DASTAK_LAB_PASSWORD") {
        Some(p) => p,
        None => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| LabError::Io {
                    path: "stdin".into(),
                    detail: e.to_string(),
                })?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if password.is_empty() {
        return Err(LabError::NoPassword.into());
    }
    Ok(password)
}

/// `dastak-lab claims …`: see [`ClaimsCmd`].
fn claims(
    ctx: &Ctx,
    dir: &std::path::Path,
    db: &lab::DbUrl,
    cmd: ClaimsCmd,
) -> Result<(), Failure> {
    use crate::claims::Action;
    let mut lab = Lab::open_at(dir, db)?;
    let (claim, officer, action) = match cmd {
        ClaimsCmd::List { json } => {
            let lines = lab.claim_lines()?;
            return emit(json, &lines, |lines| {
                if lines.is_empty() {
                    ctx.say(Message::new("labclaim.none"));
                }
                for l in lines {
                    ctx.say(claim_line(l));
                }
            });
        }
        ClaimsCmd::Show { claim, json } => {
            let c = lab.claim(&claim)?;
            return emit(json, &c, |c| show_claim(ctx, c));
        }
        ClaimsCmd::Account { claim, officer } => {
            let password = password()?;
            let (c, transfers) = lab.claim_account(&officer, &password, &claim, now()?)?;
            for t in transfers {
                ctx.say(
                    Message::new("labclaim.account")
                        .arg("claim", c.number())
                        .arg("ifsc", t.ifsc)
                        .arg("number", t.number)
                        .arg("name", t.name)
                        .arg("amount", t.amount),
                );
            }
            return Ok(());
        }
        ClaimsCmd::Check => {
            let n = lab.check_claim_log()?;
            ctx.say(Message::new("labclaim.log_ok").arg("n", n));
            return Ok(());
        }
        ClaimsCmd::Verify { claim, officer } => (claim, officer, Action::Verify),
        ClaimsCmd::Publish { claim, officer } => (claim, officer, Action::Publish),
        ClaimsCmd::Object {
            claim,
            officer,
            objection,
        } => (claim, officer, Action::Object { objection }),
        ClaimsCmd::Approve { claim, officer } => (claim, officer, Action::Approve),
        ClaimsCmd::Reject {
            claim,
            officer,
            reasons,
        } => (claim, officer, Action::Reject { reasons }),
        ClaimsCmd::Pay {
            claim,
            officer,
            amount,
            bank_ref,
            on,
        } => {
            let amount = dastak_core::domain::money::Paise::parse(&amount)
                .map_err(|_| Failure::of(&LabError::BadAmount))?;
            let on = match on {
                None => dastak_core::domain::time::local_date(now()?),
                Some(d) => dastak_core::domain::time::parse_date(&d)
                    .ok_or_else(|| Failure::of(&LabError::BadDate { got: d.clone() }))?,
            };
            (
                claim,
                officer,
                Action::Pay {
                    amount,
                    bank_refs: bank_ref,
                    on,
                },
            )
        }
    };
    let password = password()?;
    let entry = lab.claim_step(&officer, &password, &claim, action, now()?)?;
    ctx.say(
        Message::new("labclaim.recorded")
            .arg("claim", &entry.claim)
            .arg_msg("step", crate::claims::step_message(&entry.step))
            .arg("n", entry.n),
    );
    Ok(())
}

/// A claim's line in `claims list`.
fn claim_line(l: &crate::claims::ClaimLine) -> Message {
    let mut m = Message::new("labclaim.line")
        .arg("claim", &l.claim)
        .arg("member", &l.member)
        .arg("member_id", &l.member_id)
        .arg("village", &l.village)
        .arg("died", dastak_core::domain::time::display_date(l.died_on))
        .arg_msg("state", l.state.message())
        .arg("amount", l.payable);
    if l.flags > 0 {
        m = Message::new("labclaim.line_flags")
            .arg_msg("line", m)
            .arg("flags", l.flags);
    }
    if l.waiting_for_money {
        m = Message::new("labclaim.line_waiting").arg_msg("line", m);
    }
    m
}

/// `claims show`, as text.
/// `dastak-lab fund statement`: see [`FundCmd::Statement`].
fn fund_statement(
    ctx: &Ctx,
    lab: &Lab,
    scheme: &str,
    month: Option<String>,
    to: Option<PathBuf>,
    json: bool,
) -> Result<(), Failure> {
    use dastak_core::domain::time::{display_date, local_date, month_code};
    let now = now()?;
    let month = month.unwrap_or_else(|| {
        let today = local_date(now);
        // The last whole month: what a notice board wants at the month's
        // turn. A first day before it cannot fail: jiff's dates reach far.
        today
            .first_of_month()
            .yesterday()
            .map_or_else(|_| month_code(today), month_code)
    });
    let s = lab.fund_statement(scheme, &month, now)?;
    let path = to
        .map(|to| lab.write_fund_statement(s.clone(), &to))
        .transpose()?;
    emit(json, &s, |s| {
        ctx.say(
            Message::new("fundstmt.head")
                .arg("scheme", &s.scheme)
                .arg("month", &s.month)
                .arg("as_of", display_date(s.as_of)),
        );
        let m = &s.members;
        ctx.say(
            Message::new("fundstmt.members")
                .arg("good", m.good)
                .arg("grace", m.grace)
                .arg("waiting", m.waiting)
                .arg("lapsed", m.lapsed)
                .arg("died", m.died),
        );
        ctx.say(
            Message::new("fundstmt.money")
                .arg("opening", s.opening)
                .arg("collected", s.collected)
                .arg("receipts", s.receipts)
                .arg("reversals", s.reversals)
                .arg("payouts", s.payouts)
                .arg("fees", s.fees)
                .arg("closing", s.closing),
        );
        for c in &s.claims {
            ctx.say(
                Message::new("fundstmt.claim")
                    .arg("on", display_date(c.on))
                    .arg("claim", &c.claim)
                    .arg("name", &c.name)
                    .arg("village", &c.village)
                    .arg_msg("step", Message::new(c.step_key()))
                    .arg("amount", c.amount),
            );
        }
    })?;
    // With --json, stdout is the statement alone: where it went is said on
    // stderr.
    if let Some(path) = path {
        let m = Message::new("fundstmt.written").arg("path", path.display());
        if json { ctx.warn(m) } else { ctx.say(m) }
    }
    Ok(())
}

fn show_claim(ctx: &Ctx, c: &crate::claims::LabClaim) {
    use dastak_core::domain::time::display_date;
    let f = &c.filing;
    let m = c.member.clone().unwrap_or_default();
    ctx.say(
        Message::new("labclaim.show_head")
            .arg("claim", &f.claim)
            .arg_msg("state", c.state.message()),
    );
    ctx.say(
        Message::new("labclaim.show_member")
            .arg("member", &m.name)
            .arg("member_id", &f.member_id)
            .arg("village", &m.village)
            .arg(
                "joined",
                m.enrolled_on
                    .as_deref()
                    .and_then(dastak_core::domain::time::parse_date)
                    .map_or_else(|| "-".into(), display_date),
            ),
    );
    ctx.say(
        Message::new("labclaim.show_death")
            .arg("died", display_date(f.died_on))
            .arg_msg("cause", Message::new(f.cause.key()))
            .arg("certificate", &f.certificate)
            .arg("authority", &f.authority),
    );
    let claimant = Message::new(if f.claimant.nominee {
        "labclaim.show_nominee"
    } else {
        "labclaim.show_not_nominee"
    })
    .arg("name", &f.claimant.name)
    .arg("relation", &f.claimant.relation)
    .arg("phone", &f.claimant.phone)
    .arg("reason", f.claimant.reason.as_deref().unwrap_or(""));
    ctx.say(claimant);
    ctx.say(
        Message::new("labclaim.show_account")
            .arg("ifsc", f.account.ifsc.as_str())
            .arg("last4", &f.account.last4),
    );
    ctx.say(
        Message::new("labclaim.show_filed")
            .arg("kiosk", &c.kiosk)
            .arg(
                "at",
                c.filed_at
                    .parse::<jiff::Timestamp>()
                    .map(dastak_core::domain::time::display_instant)
                    .unwrap_or_else(|_| c.filed_at.clone()),
            )
            .arg("by", &f.by)
            .arg("attested", &f.attested_by),
    );
    for bar in &f.bars {
        ctx.say(Message::new("labclaim.show_bar").arg_msg("bar", bar.message()));
    }
    ctx.say(Message::new("labclaim.show_payable").arg("amount", c.payable));
    // Whose parts the benefit is: the nominees the kiosk's books name on
    // the day of death (claims filed before kiosks said so name none).
    let shares: Vec<u32> = f.nominees.iter().map(|n| n.share).collect();
    if let Ok(parts) = dastak_core::domain::fund::parts(c.payable, &shares) {
        ctx.say(Message::new("labclaim.show_shares"));
        for (n, part) in f.nominees.iter().zip(parts) {
            ctx.say(
                Message::new("labclaim.show_share")
                    .arg("name", &n.name)
                    .arg("relation", &n.relation)
                    .arg("share", n.share)
                    .arg("part", part),
            );
            // Paid each by her own transfer: into which account.
            if !c.payees().is_empty()
                && let Some(a) = &n.account
            {
                ctx.say(Message::new("labclaim.show_share_account").arg("account", a.masked()));
            }
        }
    }
    for flag in &c.flags {
        ctx.say(Message::new("labclaim.show_flag").arg_msg("flag", flag.message()));
    }
    for d in &c.steps {
        ctx.say(
            Message::new("labclaim.show_step")
                .arg("n", d.n)
                .arg(
                    "at",
                    d.at.parse::<jiff::Timestamp>()
                        .map(dastak_core::domain::time::display_instant)
                        .unwrap_or_else(|_| d.at.clone()),
                )
                .arg("officer", &d.officer)
                .arg_msg("step", crate::claims::step_message(&d.step)),
        );
    }
}

/// `dastak-lab demo`: see [`Command::Demo`].
fn demo(
    ctx: &Ctx,
    dir: &std::path::Path,
    db: &lab::DbUrl,
    kiosks: u32,
    days: u32,
) -> Result<(), Failure> {
    let now = now()?;
    let mut lab = match Lab::open_at(dir, db) {
        Ok(lab) => lab,
        Err(LabError::NotInitialised { .. }) => Lab::init_at(dir, db)?,
        Err(e) => return Err(e.into()),
    };
    let days = days.max(1);
    let today = dastak_core::domain::time::local_date(now);
    let plan = lab::simulate::Plan {
        kiosks,
        days,
        start: today
            .checked_sub(jiff::Span::new().days(i64::from(days) - 1))
            .unwrap_or(today),
        ..lab::simulate::Plan::default()
    };
    // Kiosks last heard from at different times, as a district's are: most
    // today, every eighth a day and a half ago, every eighth four days ago.
    let contact = |i: u32| {
        let ago = match i % 8 {
            6 => 36 * 3600,
            7 => 4 * 86_400,
            _ => i64::from(i) * 600,
        };
        now.checked_sub(jiff::SignedDuration::from_secs(ago))
            .unwrap_or(now)
    };
    let r = lab.simulate_at(&plan, &contact)?;
    warn_refused(ctx, &r);
    // A kiosk registered and never heard from.
    let silent = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    lab.add_kiosk(
        "NEW00001",
        &hex::encode(silent.verifying_key().to_bytes()),
        now,
    )?;
    say_simulated(ctx, kiosks, &r);
    let (password, made_up) = match env_nonempty("DASTAK_LAB_PASSWORD") {
        Some(p) => (p, false),
        None => {
            let token = crate::officers::new_token().map_err(crate::no_randomness)?;
            (token[..16].to_string(), true)
        }
    };
    let added = lab.add_officer(
        "cli",
        "admin",
        &password,
        crate::officers::Role::Admin,
        None,
        ctx.lang,
        now,
    );
    match added {
        Ok(()) if made_up => ctx.say(Message::new("dash.demo_password").arg("password", &password)),
        Ok(()) => ctx.say(Message::new("dash.officer_added").arg("name", "admin")),
        Err(LabError::OfficerExists { .. }) => ctx.say(Message::new("dash.demo_admin_kept")),
        Err(e) => return Err(e.into()),
    }
    refused_fails(&r)?;
    if lab.claims()?.is_empty() {
        demo_claims(&mut lab, &plan, now)?;
    }
    Ok(())
}

/// The demo's death claims, at one more synthetic kiosk (DMO00001) whose
/// ledger holds them among its days: one filed 20 days ago and paid, one
/// filed 4 days ago whose notice is up. Their steps are taken by the
/// demo's officer `meena` (verifies, publishes) and `admin` (approves,
/// pays), so the claim log has both hands. Made once: a claim's account is
/// sealed afresh each time, so the same kiosk sent again would conflict.
fn demo_claims(
    lab: &mut Lab,
    plan: &lab::simulate::Plan,
    now: jiff::Timestamp,
) -> Result<(), LabError> {
    use crate::claims::Action;
    use dastak_core::domain::event::Body;
    let date = |days: i64| {
        dastak_core::domain::time::local_date(now)
            .checked_sub(jiff::Span::new().days(days))
            .unwrap_or(dastak_core::domain::time::local_date(now))
    };
    // That day in office hours (IST), never after now.
    let ago = |days: i64| {
        date(days)
            .at(11, 30, 0, 0)
            .to_zoned(dastak_core::domain::time::ist())
            .map_or(now, |z| z.timestamp())
            .min(now)
    };
    // Members who joined 120 days ago under rules with a 90-day wait (the
    // kiosk records them), so the paid claim's death, 25 days ago, was
    // covered; the other died 6 days ago. Neither paid after dying.
    let days: u32 = 120;
    let start = date(i64::from(days) - 1);
    let mut k = lab::simulate::kiosk(
        &lab::simulate::Plan {
            kiosks: 1,
            days,
            start,
            prefix: "DMO".into(),
            seed: plan.seed.wrapping_add(1),
            ..plan.clone()
        },
        0,
    );
    let to = lab.identity().recipient;
    let member = |n: u32| format!("{}-{n:05}", k.code);
    let cannot = |n: u32| LabError::DemoClaims { member: member(n) };
    let paid = k
        .claim(1, &member(1), date(25), &to)
        .ok_or_else(|| cannot(1))?;
    let open = k
        .claim(2, &member(2), date(6), &to)
        .ok_or_else(|| cannot(2))?;
    let deaths = [
        (paid.member_id.clone(), paid.died_on),
        (open.member_id.clone(), open.died_on),
    ];
    k.retain(|e| match &e.body {
        Body::ContributionTaken(c) => !deaths.iter().any(|(m, died)| {
            *m == c.member_id
                && e.at
                    .parse::<jiff::Timestamp>()
                    .is_ok_and(|t| dastak_core::domain::time::local_date(t) > *died)
        }),
        _ => true,
    });
    k.insert(
        ago(i64::from(days) - 1),
        Body::FundRulesSet(dastak_core::domain::event::FundRulesSet {
            scheme: paid.scheme.clone(),
            rules: dastak_core::domain::fund::FundRules {
                waiting_days: 90,
                ..dastak_core::domain::fund::FundRules::standard(start)
            },
            by: "ADMIN".into(),
        }),
    );
    k.insert(ago(20), Body::ClaimFiled(paid.clone()));
    k.insert(ago(4), Body::ClaimFiled(open.clone()));
    lab.add_kiosk(&k.code, &hex::encode(k.key.verifying_key().to_bytes()), now)?;
    let sealed = k
        .signed_batches()
        .iter()
        .map(|b| dastak_core::wire::seal(b, &to))
        .collect::<Result<Vec<_>, _>>()?;
    lab.receive_all(&sealed, now)?;

    let token = crate::officers::new_token().map_err(crate::no_randomness)?;
    match lab.add_officer(
        "cli",
        "meena",
        &token[..20],
        crate::officers::Role::Officer,
        None,
        Lang::Hi,
        now,
    ) {
        Ok(()) | Err(LabError::OfficerExists { .. }) => {}
        Err(e) => return Err(e),
    }
    let officer = |name: &str| lab.officer_record(name);
    let meena = officer("meena")?;
    let admin = officer("admin")?;
    let steps = [
        (&meena, &paid.claim, Action::Verify, 19),
        (&meena, &paid.claim, Action::Publish, 19),
        (&admin, &paid.claim, Action::Approve, 11),
        (
            &admin,
            &paid.claim,
            Action::Pay {
                amount: lab.claim(&paid.claim)?.payable,
                bank_refs: vec!["SBIN226123456789".into()],
                on: date(10),
            },
            10,
        ),
        (&meena, &open.claim, Action::Verify, 3),
        (&meena, &open.claim, Action::Publish, 2),
    ];
    for (who, claim, action, days) in steps {
        lab.claim_step_by(who, claim, action, ago(days))?;
    }
    Ok(())
}
