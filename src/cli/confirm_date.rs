//! `dastak confirm-date`: confirm today's date after the clock check asks for
//! it.

use crate::cli::{Ctx, Failure, OperatorArg, now};
use crate::i18n::Message;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Today's date as on the calendar, dd-mm-yyyy.
    pub date: String,
    #[command(flatten)]
    pub op: OperatorArg,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<(), Failure> {
    let (mut books, by) = ctx.open_as(&args.op)?;
    books.confirm_date(&by, &args.date, now()?)?;
    ctx.say(Message::new("clock.confirmed"));
    Ok(())
}
