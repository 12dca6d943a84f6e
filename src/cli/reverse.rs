//! `dastak reverse`: reverse a contribution (a supervisor other than who took
//! the cash).

use crate::cli::{Ctx, Failure, OperatorArg, now};
use crate::i18n::Message;
use crate::print::DocKind;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The receipt to reverse (also accepted as `--receipt`).
    #[arg(
        required_unless_present = "receipt_flag",
        conflicts_with = "receipt_flag"
    )]
    pub receipt: Option<String>,
    #[arg(long = "receipt", id = "receipt_flag", value_name = "RECEIPT")]
    pub receipt_flag: Option<String>,
    #[command(flatten)]
    pub op: OperatorArg,
    #[arg(long)]
    pub reason: String,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<(), Failure> {
    let receipt = args.receipt.or(args.receipt_flag).unwrap_or_default();
    ctx.commit_and_print(
        &args.op,
        args.json,
        |books, by| Ok(books.reverse(by, &receipt, &args.reason, now()?)?),
        |r| (DocKind::Reversal, r.receipt.clone()),
        |ctx, r| {
            ctx.say(
                Message::new("reverse.done")
                    .arg("slip", &r.receipt)
                    .arg("original", &r.original)
                    .arg("amount", r.amount),
            )
        },
    )
}
