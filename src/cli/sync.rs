//! `dastak link`, `dastak export`, `dastak sync`, and `dastak lab …`, which
//! hands over to the district lab's own program.

use std::path::Path;

use crate::books::sync::LinkFrom;
use crate::books::sync::{Retry, short_key};
use crate::cli::{Ctx, Failure, OperatorArg, emit, now};
use crate::domain::money::group_indian;
use crate::i18n::Message;

/// How `dastak link` was told the lab.
pub enum LinkArg<'a> {
    Typed {
        recipient: &'a str,
        key: &'a str,
        url: Option<&'a str>,
    },
    Stick(&'a Path),
}

pub fn link(ctx: &mut Ctx, op: &OperatorArg, from: LinkArg) -> Result<(), Failure> {
    let (mut books, by) = ctx.open_as(op)?;
    match from {
        LinkArg::Typed {
            recipient,
            key,
            url,
        } => {
            books.link(
                &by,
                LinkFrom::Typed {
                    recipient,
                    key,
                    url,
                },
            )?;
            ctx.say(Message::new("sync.linked"));
        }
        LinkArg::Stick(root) => {
            let settings = crate::config::load(&ctx.dir.root)?;
            let link = books.link(
                &by,
                LinkFrom::Stick {
                    root,
                    trusted: &settings.trusted_labs,
                },
            )?;
            ctx.say(Message::new("sync.linked_from_stick").arg("key", short_key(&link.ack_key)));
        }
    }
    Ok(())
}

pub fn export(ctx: &mut Ctx, to: &Path, json: bool) -> Result<(), Failure> {
    let mut books = ctx.open()?;
    let r = books.export(to, now()?)?;
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
    })
}

fn ack_message(through: u64, went_back: bool) -> Message {
    if went_back {
        Message::new("sync.lab_went_back").arg("through", through)
    } else {
        Message::new("sync.acked").arg("through", through)
    }
}

pub fn upload(ctx: &mut Ctx, url: Option<&str>, json: bool) -> Result<(), Failure> {
    let mut books = ctx.open()?;
    // Tests and training shorten the waits between retries.
    let mut retry = Retry::default();
    if let Some(ms) = std::env::var("DASTAK_RETRY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        retry.first_wait = std::time::Duration::from_millis(ms);
    }
    let r = books.upload(url, retry, now()?)?;
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
    })
}

/// `dastak lab …`: the district lab is its own program, `dastak-lab`, so
/// that the kiosk's binary carries no server. For one release the kiosk's
/// `lab` commands hand over to it — found beside this binary, else on
/// `PATH` — with the data directory and language this run resolved.
pub fn lab(ctx: &Ctx, args: Vec<std::ffi::OsString>) -> Result<(), Failure> {
    use std::os::unix::process::CommandExt;
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("dastak-lab")))
        .filter(|p| p.is_file());
    let program = beside.unwrap_or_else(|| "dastak-lab".into());
    let mut cmd = std::process::Command::new(&program);
    cmd.arg("--data-dir").arg(&ctx.dir.root);
    if ctx.lang_fixed {
        cmd.arg("--lang").arg(ctx.lang.code());
    }
    cmd.args(args);
    // exec only returns when it failed.
    let e = cmd.exec();
    Err(Failure {
        message: Message::new("lab.not_installed")
            .arg("program", program.display())
            .arg("detail", e),
        code: 127,
    })
}
