//! `dastak pay`: take a contribution and print its receipt number.

use crate::cli::{Ctx, Failure, OperatorArg, now, opt, show};
use crate::print::DocKind;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub op: OperatorArg,
    #[arg(long)]
    pub member: String,
    #[arg(long)]
    pub scheme: String,
    /// Amount in rupees (default: what is due). A negative amount is
    /// read as one (and refused with its reason), not taken for a flag.
    #[arg(long, allow_hyphen_values = true)]
    pub amount: Option<String>,
    /// Periods covered (default: what the amount or the dues make).
    #[arg(long, allow_hyphen_values = true)]
    pub periods: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<(), Failure> {
    ctx.commit_and_print(
        &args.op,
        args.json,
        |books, by| {
            let (amount, periods) = (opt(&args.amount), opt(&args.periods));
            Ok(books.pay(by, &args.member, &args.scheme, amount, periods, now()?)?)
        },
        |p| (DocKind::Contribution, p.receipt.clone()),
        |ctx, p| show::payment(ctx.lang, p),
    )
}
