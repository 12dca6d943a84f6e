//! `dastak day-close`: close the day: cash counted by denomination against
//! the ledger.

use crate::cli::{Ctx, Failure, OperatorArg, emit, now, opt, show};
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
    let Args {
        op,
        notes,
        coins,
        reason,
        json,
    } = args;
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
    Ok(())
}
