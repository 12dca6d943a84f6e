//! `dastak export`: the batches the lab has not acknowledged, onto a USB
//! stick (and the lab's acknowledgement from it, when one is there).

use std::path::PathBuf;

use crate::cli::{Ctx, Failure, emit, now};
use crate::domain::money::group_indian;
use crate::i18n::Message;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, value_name = "DIR")]
    pub to: PathBuf,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &mut Ctx, Args { to, json }: Args) -> Result<(), Failure> {
    let mut books = ctx.open()?;
    let r = books.export(&to, now()?)?;
    emit(json, &r, |r| {
        if let Some(a) = &r.ack {
            ctx.say(ack_message(a.through, a.lab_went_back));
        }
        if let Some(p) = &r.ack_problem {
            ctx.warn(p.clone());
        }
        ctx.say(
            Message::new("sync.exported")
                .arg("batches", r.batches)
                .arg("events", group_indian(r.events))
                .arg("dir", &r.folder),
        );
    })?;
    if let Some(a) = &r.ack {
        ctx.print_decisions(&mut books, a.decisions, &a.documents, json);
    }
    Ok(())
}

fn ack_message(through: u64, went_back: bool) -> Message {
    if went_back {
        Message::new("sync.lab_went_back").arg("through", through)
    } else {
        Message::new("sync.acked").arg("through", through)
    }
}
