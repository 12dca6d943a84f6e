//! `dastak print-queue`: documents committed but not yet printed.

use crate::cli::{Ctx, Failure};
use crate::i18n::Message;

/// Its one flag is `--json`, for programs.
pub type Args = crate::cli::JsonArg;

pub fn run(ctx: &mut Ctx, Args { json }: Args) -> Result<(), Failure> {
    let books = ctx.open()?;
    let q = books.print_queue()?;
    crate::cli::emit(json, &q, |q| {
        if q.is_empty() {
            ctx.say(Message::new("print.queue_empty"));
        }
        for j in q {
            ctx.say(j.line());
        }
    })
}
