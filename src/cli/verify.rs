//! `dastak verify`: check the database against its ledger; names the first
//! bad event.

use crate::cli::{Ctx, Failure, print_json};
use crate::i18n::{Localized, Message};

/// Its one flag is `--json`, for programs.
pub type Args = crate::cli::JsonArg;

pub fn run(ctx: &mut Ctx, args: Args) -> Result<(), Failure> {
    let books = ctx.open()?;
    let report = books.verify()?;
    if args.json {
        print_json(&report)?;
    } else if report.ok() {
        ctx.say(
            Message::new("verify.ok")
                .arg("events", report.events)
                .arg("head", report.head.clone().unwrap_or_default()),
        );
    } else {
        for p in &report.problems {
            ctx.warn(p.message());
        }
    }
    if !report.ok() {
        let first = report
            .first_bad_event()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "-".into());
        return Err(Failure {
            message: Message::new("verify.failed")
                .arg("count", report.problems.len())
                .arg("seq", first),
            code: 3,
        });
    }
    Ok(())
}
