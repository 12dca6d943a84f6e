//! `dastak reprint`: a document again (a copy of one that printed says
//! DUPLICATE), or every one that waits in the queue.

use crate::cli::printing::{Printed, deliver};
use crate::cli::{Ctx, Failure};
use crate::i18n::Message;
use crate::print::{DocKind, Renderer};

#[derive(clap::Args, Debug)]
pub struct Args {
    pub reference: Option<String>,
    #[arg(long)]
    pub all: bool,
}

pub fn run(ctx: &mut Ctx, Args { reference, all }: Args) -> Result<(), Failure> {
    let mut books = ctx.open()?;
    let refs: Vec<(DocKind, String)> = match (reference, all) {
        (Some(r), _) => vec![books.find_printable(&r)?],
        (None, true) => books.waiting_documents()?,
        (None, false) => {
            return Err(Failure {
                message: Message::new("print.which"),
                code: 2,
            });
        }
    };
    if refs.is_empty() {
        ctx.say(Message::new("print.queue_empty"));
    }
    let settings = ctx.settings()?;
    let mut renderer = Renderer::new(settings.profile, settings.templates.as_deref());
    let lang = books.kiosk()?.language;
    let mut failed = 0;
    for (kind, r) in refs {
        let now = crate::cli::now()?;
        let task = books.print_task(kind, &r, lang, now)?;
        match deliver(&mut books, &mut renderer, &settings, &task, ctx.lang, now) {
            Printed::Ok { duplicate: true } => {
                ctx.say(Message::new("print.duplicate").arg("doc", &r))
            }
            Printed::Ok { duplicate: false } => ctx.say(Message::new("print.done").arg("doc", &r)),
            Printed::Queued(why) => {
                failed += 1;
                ctx.say(
                    Message::new("print.queued")
                        .arg("doc", &r)
                        .arg_msg("reason", why),
                );
            }
        }
    }
    if failed > 0 {
        return Err(Failure {
            message: Message::new("print.some_failed").arg("count", failed),
            code: 1,
        });
    }
    Ok(())
}
