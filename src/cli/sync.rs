//! `dastak sync`: upload the batches the lab has not acknowledged.

use crate::books::sync::Retry;
use crate::cli::{Ctx, Failure, emit, now};
use crate::domain::money::group_indian;
use crate::i18n::Message;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long)]
    pub url: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &mut Ctx, Args { url, json }: Args) -> Result<(), Failure> {
    let mut books = ctx.open()?;
    // Tests and training shorten the waits between retries.
    let mut retry = Retry::default();
    if let Some(ms) = std::env::var("DASTAK_RETRY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        retry.first_wait = std::time::Duration::from_millis(ms);
    }
    let r = books.upload(url.as_deref(), retry, now()?)?;
    emit(json, &r, |r| {
        ctx.say(
            Message::new("sync.uploaded")
                .arg("batches", r.batches)
                .arg("events", group_indian(r.events)),
        );
        ctx.say(if r.lab_went_back {
            Message::new("sync.lab_went_back_sent")
                .arg("had", r.lab_had)
                .arg("through", r.acked_through)
        } else {
            Message::new("sync.acked").arg("through", r.acked_through)
        });
    })?;
    ctx.print_decisions(&mut books, r.decisions, &r.documents, json);
    Ok(())
}
