//! Sync and the lab from the command line: `link`, `export`, `sync`, and
//! `lab init|identity|kiosk add|serve|import|status|report|verify-receipt`.

use std::path::Path;

use clap::Subcommand;

use crate::cli::{Ctx, Failure, OperatorArg, emit, now};
use crate::domain::money::group_indian;
use crate::i18n::{Localized, Message};
use crate::lab::{self, Lab, LabError};
use crate::sync::{self, Retry, SyncError};

#[derive(clap::Args, Debug)]
pub struct LabArgs {
    /// The lab's SQLite database, if not DIR/district-lab.db (a bigger or
    /// backed-up disk, say); the keys stay in the lab directory.
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<std::path::PathBuf>,
    #[command(subcommand)]
    pub cmd: LabCmd,
}

#[derive(Subcommand, Debug)]
pub enum LabCmd {
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
    Kiosk(LabKioskCmd),
    /// Receive uploads over HTTP.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8440")]
        listen: String,
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
    },
    /// Check a receipt's QR text against the kiosk's key and the lab's books.
    VerifyReceipt { text: String },
}

#[derive(Subcommand, Debug)]
pub enum LabKioskCmd {
    /// Register a kiosk by its code and public key (`dastak identity`).
    Add { code: String, public_key: String },
}

impl From<LabError> for Failure {
    fn from(e: LabError) -> Failure {
        Failure {
            message: e.message(),
            code: 1,
        }
    }
}

impl From<SyncError> for Failure {
    fn from(e: SyncError) -> Failure {
        Failure {
            message: e.message(),
            code: 1,
        }
    }
}

/// How `dastak link` is told the lab: typed, or from a stick.
pub enum LinkFrom<'a> {
    Typed {
        recipient: &'a str,
        key: &'a str,
        url: Option<&'a str>,
    },
    Stick(&'a Path),
}

pub fn link(ctx: &mut Ctx, op: &OperatorArg, from: LinkFrom) -> Result<(), Failure> {
    let (mut books, by) = ctx.open_as(op)?;
    crate::books::require_admin(&by)?;
    match from {
        LinkFrom::Typed {
            recipient,
            key,
            url,
        } => {
            sync::link(&mut books.store, recipient, key, url)?;
            ctx.say(Message::new("sync.linked"));
        }
        LinkFrom::Stick(dir) => {
            let settings = crate::config::load(&ctx.dir.root)?;
            let link = sync::link_from_stick(&mut books.store, dir, &settings.trusted_labs)?;
            ctx.say(
                Message::new("sync.linked_from_stick").arg("key", sync::short_key(&link.ack_key)),
            );
        }
    }
    Ok(())
}

pub fn export(ctx: &mut Ctx, to: &Path, json: bool) -> Result<(), Failure> {
    let mut books = ctx.open()?;
    let key = books
        .key
        .clone()
        .ok_or(crate::books::BooksError::NoKioskKey)?;
    let r = sync::export(&mut books.store, &key, to, now()?)?;
    emit(json, &r, |r| {
        if let Some(a) = &r.ack {
            ctx.say(ack_message(a.through, a.lab_went_back));
        }
        if let Some(p) = &r.ack_problem {
            ctx.warn(p.clone());
        }
        ctx.say(
            Message::new("sync.exported")
                .arg("batches", r.batches)
                .arg("events", group_indian(r.events))
                .arg("dir", &r.folder),
        );
    })
}

fn ack_message(through: u64, went_back: bool) -> Message {
    if went_back {
        Message::new("sync.lab_went_back").arg("through", through)
    } else {
        Message::new("sync.acked").arg("through", through)
    }
}

pub fn upload(ctx: &mut Ctx, url: Option<&str>, json: bool) -> Result<(), Failure> {
    let mut books = ctx.open()?;
    let key = books
        .key
        .clone()
        .ok_or(crate::books::BooksError::NoKioskKey)?;
    // Tests and training shorten the waits between retries.
    let mut retry = Retry::default();
    if let Some(ms) = std::env::var("DASTAK_RETRY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        retry.first_wait = std::time::Duration::from_millis(ms);
    }
    let r = sync::upload(&mut books.store, &key, url, retry, now()?)?;
    emit(json, &r, |r| {
        ctx.say(
            Message::new("sync.uploaded")
                .arg("batches", r.batches)
                .arg("events", group_indian(r.events)),
        );
        ctx.say(if r.lab_went_back {
            Message::new("sync.lab_went_back_sent")
                .arg("had", r.lab_had)
                .arg("through", r.acked_through)
        } else {
            Message::new("sync.acked").arg("through", r.acked_through)
        });
    })
}

pub fn lab(ctx: &mut Ctx, args: LabArgs) -> Result<(), Failure> {
    let dir = ctx.dir.root.clone();
    let db = args.db.unwrap_or_else(|| dir.join(lab::DB_FILE));
    match args.cmd {
        LabCmd::Init => {
            let lab = Lab::init_at(&dir, &db)?;
            let id = lab.identity();
            ctx.say(Message::new("lab.made").arg("dir", dir.display()));
            println!("{}\n{}", id.recipient, id.ack_key);
        }
        LabCmd::Identity { json } => {
            let lab = Lab::open_at(&dir, &db)?;
            let id = lab.identity();
            emit(json, &id, |id| {
                println!("{}\n{}", id.recipient, id.ack_key);
            })?;
        }
        LabCmd::LinkFile { to, url } => {
            let lab = Lab::open_at(&dir, &db)?;
            let path = lab.write_link_file(&to, url.as_deref(), now()?)?;
            ctx.say(Message::new("lab.link_file").arg("path", path.display()));
        }
        LabCmd::Kiosk(LabKioskCmd::Add { code, public_key }) => {
            let mut lab = Lab::open_at(&dir, &db)?;
            lab.add_kiosk(&code, &public_key, now()?)?;
            ctx.say(Message::new("lab.kiosk_added").arg("kiosk", code.to_ascii_uppercase()));
        }
        LabCmd::Serve { listen } => {
            let mut lab = Lab::open_at(&dir, &db)?;
            let listener = std::net::TcpListener::bind(&listen).map_err(|e| LabError::Io {
                path: listen.clone(),
                detail: e.to_string(),
            })?;
            let addr = listener.local_addr().map_err(|e| LabError::Io {
                path: listen.clone(),
                detail: e.to_string(),
            })?;
            ctx.say(Message::new("lab.serving").arg("addr", addr));
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            lab::serve(&mut lab, listener, stop)?;
        }
        LabCmd::Import { dir: stick } => {
            let mut lab = Lab::open_at(&dir, &db)?;
            let r = lab.import_dir(&stick, now()?)?;
            for (file, why) in &r.refused {
                ctx.warn(
                    Message::new("lab.refused_file")
                        .arg("file", file)
                        .arg_msg("reason", why.clone()),
                );
            }
            ctx.say(
                Message::new("lab.imported")
                    .arg("files", r.files)
                    .arg("new", r.new)
                    .arg("duplicate", r.duplicate)
                    .arg("quarantined", r.quarantined),
            );
            if !r.refused.is_empty() {
                return Err(Failure {
                    message: Message::new("lab.some_refused").arg("count", r.refused.len()),
                    code: 1,
                });
            }
        }
        LabCmd::Status { json } => {
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
                                    .map(crate::domain::time::display_instant)
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
        LabCmd::Report { json, csv, closes } => {
            let lab = Lab::open_at(&dir, &db)?;
            let rows = lab::report(&lab)?;
            let diffs = lab::cash_differences(&lab)?;
            if closes && csv {
                println!("panchayat,kiosk,date,expected_paise,counted_paise,variance_paise,reason");
                for d in &diffs {
                    println!(
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
                println!("panchayat,kiosk,scheme,month,receipts,reversals,total_paise");
                for r in &rows {
                    println!(
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
        LabCmd::VerifyReceipt { text } => {
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

/// The lab's report for a person: a header, the rows, a grand total, and
/// the day closes that were short or over with their reasons.
fn report_text(
    ctx: &Ctx,
    rows: &[lab::store::ReportRow],
    diffs: &[lab::store::CashDifference],
    closes_only: bool,
) {
    if !closes_only {
        ctx.say(Message::new("lab.report_header"));
        let (mut receipts, mut reversals, mut total) = (0u64, 0u64, 0i64);
        for r in rows {
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                r.panchayat, r.kiosk, r.scheme, r.month, r.receipts, r.reversals, r.total
            );
            receipts += r.receipts;
            reversals += r.reversals;
            total += r.total.0;
        }
        ctx.say(
            Message::new("lab.report_total")
                .arg("receipts", receipts)
                .arg("reversals", reversals)
                .arg("total", crate::domain::money::Paise(total)),
        );
    }
    if diffs.is_empty() {
        ctx.say(Message::new("lab.report_no_differences"));
        return;
    }
    ctx.say(Message::new("lab.report_differences"));
    for d in diffs {
        let date = d
            .date
            .parse::<jiff::civil::Date>()
            .map(crate::domain::time::display_date)
            .unwrap_or_else(|_| d.date.clone());
        let m = if d.variance.0 < 0 {
            Message::new("lab.report_short")
                .arg("amount", crate::domain::money::Paise(-d.variance.0))
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
