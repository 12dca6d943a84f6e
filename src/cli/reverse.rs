//! `dastak reverse`: reverse a contribution (a supervisor other than who took
//! the cash).

use crate::cli::{Ctx, Failure, OperatorArg, emit, now};
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
    let Args {
        receipt,
        receipt_flag,
        op,
        reason,
        json,
    } = args;
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
    Ok(())
}
