//! `dastak fund`: the mutual-aid fund's death claims.
//!
//! `dastak fund claim file` is filed by a supervisor (PIN from
//! $DASTAK_PIN) and attested by another operator (PIN from
//! $DASTAK_ATTESTER_PIN); the bank account number is read from
//! $DASTAK_ACCOUNT, never from the arguments, which anyone on the kiosk can
//! read in `ps`.

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
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &mut Ctx, cmd: Cmd) -> Result<(), Failure> {
    match cmd {
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
