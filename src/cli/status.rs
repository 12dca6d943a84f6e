//! `dastak status`: the kiosk, today's totals and the clock check (what
//! `dastak` alone prints when it is not on a terminal).

use crate::cli::{Ctx, Failure, emit, now, show};
use crate::i18n::Message;

/// Its one flag is `--json`, for programs.
pub type Args = crate::cli::JsonArg;

pub fn run(ctx: &mut Ctx, Args { json }: Args) -> Result<(), Failure> {
    if !ctx.dir.is_initialised() {
        ctx.say(Message::new("status.fresh").arg("dir", ctx.dir.root.display()));
        return Ok(());
    }
    let books = ctx.open()?;
    let t = now()?;
    let s = books.status(t)?;
    emit(json, &s, |s| {
        show::status(ctx.lang, s);
    })?;
    Ok(())
}
