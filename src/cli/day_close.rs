//! `dastak day-close`: close the day: cash counted by denomination against
//! the ledger.

use crate::cli::{Ctx, Failure, OperatorArg, now, opt, show};
use crate::print::DocKind;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub op: OperatorArg,
    /// Notes counted, e.g. "500=2,100=3,10=4".
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub notes: String,
    /// Loose coins, in rupees.
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub coins: String,
    /// Why the count differs from what was expected.
    #[arg(long)]
    pub reason: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<(), Failure> {
    ctx.commit_and_print(
        &args.op,
        args.json,
        |books, by| {
            let reason = opt(&args.reason);
            Ok(books.day_close(by, &args.notes, &args.coins, reason, now()?)?)
        },
        |c| (DocKind::DayClose, c.seq.to_string()),
        |ctx, c| show::day_close(ctx.lang, c),
    )
}
