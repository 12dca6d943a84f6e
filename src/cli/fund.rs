//! `dastak fund`: the mutual-aid fund's death claims.
//!
//! `dastak fund claim file` is filed by a supervisor (PIN from
//! $DASTAK_PIN) and attested by another operator (PIN from
//! $DASTAK_ATTESTER_PIN); the bank account number is read from
//! $DASTAK_ACCOUNT, never from the arguments, which anyone on the kiosk can
//! read in `ps`; the accounts of the other nominees, where each takes
//! her own part, likewise from $DASTAK_PAYEE_ACCOUNTS.

use clap::Subcommand;

use crate::books::claims::ClaimForm;
use crate::cli::{Ctx, Failure, OperatorArg, now, required_env};
use crate::i18n::{Localized, Message};
use crate::print::DocKind;

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Death claims.
    #[command(subcommand)]
    Claim(ClaimCmd),
    /// The fund's rules: each version in force from its date.
    #[command(subcommand)]
    Rules(RulesCmd),
    /// The fund's monthly statement, made and signed by the district lab,
    /// printed for the notice board. With --from, first takes every
    /// statement on the stick (checked with the linked lab's key; no PIN:
    /// the lab's signature is what vouches for it). Prints the month asked
    /// for, else the latest held; `dastak reprint FUND-2026-11` prints it
    /// again, as a duplicate.
    Statement {
        /// The stick's mount point.
        #[arg(long, value_name = "DIR")]
        from: Option<std::path::PathBuf>,
        /// mm-yyyy (or yyyy-mm).
        #[arg(long)]
        month: Option<String>,
        #[arg(long, default_value = crate::domain::scheme::FUND)]
        scheme: String,
        /// Draw it into this PNG as the printer would print it, instead of
        /// printing it.
        #[arg(long, value_name = "FILE")]
        png: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesCmd {
    /// Every version of the rules recorded (the standard rules until one is).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Record a new version (admins), in force from --from (today or
    /// later: never retroactive). What is not given stays as the rules in
    /// force on that date have it.
    Set(RulesArgs),
}

#[derive(clap::Args, Debug)]
pub struct RulesArgs {
    #[command(flatten)]
    pub op: OperatorArg,
    /// The day the rules take effect, dd-mm-yyyy (default: today).
    #[arg(long)]
    pub from: Option<String>,
    /// The benefit, in rupees.
    #[arg(long)]
    pub benefit: Option<String>,
    #[arg(long)]
    pub waiting_days: Option<u32>,
    #[arg(long)]
    pub grace_months: Option<u32>,
    #[arg(long)]
    pub lapse_months: Option<u32>,
    /// Days after a death within which its claim must be filed.
    #[arg(long)]
    pub deadline_days: Option<u32>,
    #[arg(long)]
    pub objection_days: Option<u32>,
    /// The administration fee, whole percent of the benefit.
    #[arg(long)]
    pub fee_percent: Option<u32>,
}

#[derive(Subcommand, Debug)]
pub enum ClaimCmd {
    /// File a death claim for a fund member (supervisors), attested by
    /// another operator; the account number from $DASTAK_ACCOUNT.
    File(FileArgs),
}

#[derive(clap::Args, Debug)]
pub struct FileArgs {
    #[command(flatten)]
    pub op: OperatorArg,
    /// The operator who attests (not the one who enrolled the member); PIN
    /// from $DASTAK_ATTESTER_PIN.
    #[arg(long, value_name = "CODE")]
    pub attested_by: String,
    #[arg(long)]
    pub member: String,
    /// Date of death, dd-mm-yyyy.
    #[arg(long)]
    pub died_on: String,
    /// natural, accident or illness.
    #[arg(long)]
    pub cause: String,
    /// The death certificate's number.
    #[arg(long)]
    pub certificate: String,
    /// Who issued the certificate.
    #[arg(long)]
    pub authority: String,
    /// The claimant's name (the recorded nominee, or give --reason).
    #[arg(long)]
    pub claimant: String,
    /// The claimant's relation to the member.
    #[arg(long)]
    pub relation: String,
    /// The claimant's mobile number.
    #[arg(long)]
    pub phone: String,
    /// Why someone other than the recorded nominee claims.
    #[arg(long)]
    pub reason: Option<String>,
    /// The bank branch's IFSC.
    #[arg(long)]
    pub ifsc: String,
    /// Another nominee's own account for her part, as NAME,IFSC (e.g.
    /// "मोहन लाल,SBIN0001234"), once for each nominee but the claimant;
    /// the numbers from $DASTAK_PAYEE_ACCOUNTS, in the same order,
    /// separated by commas.
    #[arg(long = "payee", value_name = "NAME,IFSC")]
    pub payees: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &mut Ctx, cmd: Cmd) -> Result<(), Failure> {
    match cmd {
        Cmd::Statement {
            from,
            month,
            scheme,
            png,
        } => statement(
            ctx,
            from.as_deref(),
            month.as_deref(),
            &scheme,
            png.as_deref(),
        )?,
        Cmd::Rules(RulesCmd::Show { json }) => {
            let book = ctx.open()?.fund_rules(crate::domain::scheme::FUND)?;
            crate::cli::emit(json, &book.versions(), |versions| {
                for r in *versions {
                    ctx.say(rules_line(r));
                }
            })?;
        }
        Cmd::Rules(RulesCmd::Set(a)) => {
            let today = crate::domain::time::local_date(now()?);
            let from = match a.from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(d) => crate::domain::time::parse_date(d).ok_or_else(|| {
                    Failure::of(&crate::books::BooksError::BadDate(
                        crate::books::Field::Date,
                    ))
                })?,
                None => today,
            };
            let (mut books, by) = ctx.open_as(&a.op)?;
            let base = books
                .fund_rules(crate::domain::scheme::FUND)?
                .in_force(from)
                .clone();
            let benefit = match a.benefit {
                Some(b) => crate::domain::money::Paise::parse(&b).map_err(|e| Failure::of(&e))?,
                None => base.benefit,
            };
            let rules = crate::domain::fund::FundRules {
                from,
                benefit,
                waiting_days: a.waiting_days.unwrap_or(base.waiting_days),
                grace_months: a.grace_months.unwrap_or(base.grace_months),
                lapse_months: a.lapse_months.unwrap_or(base.lapse_months),
                claim_deadline_days: a.deadline_days.unwrap_or(base.claim_deadline_days),
                objection_days: a.objection_days.unwrap_or(base.objection_days),
                fee_percent: a.fee_percent.unwrap_or(base.fee_percent),
            };
            let book = books.set_fund_rules(&by, rules, now()?)?;
            ctx.say(Message::new("fund.rules_set"));
            for r in book.versions() {
                ctx.say(rules_line(r));
            }
        }
        Cmd::Claim(ClaimCmd::File(a)) => {
            let account = required_env("DASTAK_ACCOUNT", "claim.no_account")?;
            let pin = required_env("DASTAK_ATTESTER_PIN", "claim.no_attester_pin")?;
            let form = ClaimForm {
                member_id: a.member,
                died_on: a.died_on,
                cause: a.cause,
                certificate: a.certificate,
                authority: a.authority,
                claimant: a.claimant,
                relation: a.relation,
                phone: a.phone,
                reason: a.reason,
                ifsc: a.ifsc,
                account,
                payees: a.payees,
                // Never from the arguments, as the claimant's: anyone on
                // the kiosk can read those.
                payee_accounts: crate::cli::env_nonempty("DASTAK_PAYEE_ACCOUNTS")
                    .map(|s| s.split(',').map(|n| n.trim().to_string()).collect())
                    .unwrap_or_default(),
            };
            let attested_by = a.attested_by;
            ctx.commit_and_print(
                &a.op,
                a.json,
                |books, by| {
                    let attester = books.authenticate(&attested_by, &pin, now()?)?;
                    Ok(books.file_claim(by, &attester, &form, now()?)?)
                },
                |f| (DocKind::Claim, f.claim.clone()),
                |ctx, f| {
                    ctx.say(
                        Message::new("claim.filed")
                            .arg("claim", &f.claim)
                            .arg("member", &f.member_id)
                            .arg("account", &f.account),
                    );
                    if f.bars.is_empty() {
                        ctx.say(Message::new("claim.eligible"));
                    } else {
                        ctx.say(Message::new("claim.not_eligible"));
                        for b in &f.bars {
                            ctx.say(b.message());
                        }
                    }
                },
            )?;
        }
    }
    Ok(())
}

/// One version of the fund's rules, in words.
fn rules_line(r: &crate::domain::fund::FundRules) -> Message {
    Message::new("fund.rules_line")
        .arg("from", crate::domain::time::display_date(r.from))
        .arg("benefit", r.benefit)
        .arg("waiting", r.waiting_days)
        .arg("grace", r.grace_months)
        .arg("lapse", r.lapse_months)
        .arg("deadline", r.claim_deadline_days)
        .arg("objection", r.objection_days)
        .arg("fee", r.fee_percent)
}

/// `dastak fund statement`: see [`Cmd::Statement`].
fn statement(
    ctx: &mut Ctx,
    from: Option<&std::path::Path>,
    month: Option<&str>,
    scheme: &str,
    png: Option<&std::path::Path>,
) -> Result<(), Failure> {
    use crate::domain::time::{month_code, month_start};
    // Every argument is read before anything is kept: a mistyped month
    // takes nothing off the stick.
    let month = month
        .map(|m| {
            month_start(m).map(month_code).ok_or_else(|| Failure {
                message: Message::new("fund.bad_month").arg("got", m),
                code: 2,
            })
        })
        .transpose()?;
    let mut books = ctx.open()?;
    let settings = ctx.settings()?;
    if let Some(root) = from {
        let (found, kept) = books.take_statements(root, now()?)?;
        ctx.say(
            Message::new("fund.statements_taken")
                .arg("count", found.len())
                .arg("kept", kept),
        );
    }
    let reference = books.statement_reference(scheme, month.as_deref())?;
    if let Some(png) = png {
        drop(books);
        return crate::cli::receipt::render(ctx, &reference, png, None, None);
    }
    ctx.print_now(
        &mut books,
        &settings,
        DocKind::FundStatement,
        &reference,
        false,
    );
    Ok(())
}
