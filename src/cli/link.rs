//! `dastak link`: link this kiosk to its district lab (admins only), by
//! the lab's two keys or from its signed link file on a stick.

use std::path::PathBuf;

use crate::books::sync::{LinkFrom, short_key};
use crate::cli::{Ctx, Failure, OperatorArg};
use crate::i18n::Message;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub op: OperatorArg,
    /// The lab's age recipient (age1…), from `dastak-lab identity`.
    #[arg(long, required_unless_present = "from_stick", requires = "lab_key")]
    pub lab_recipient: Option<String>,
    /// The lab's acknowledgement key (64 hex), from `dastak-lab identity`.
    #[arg(long, requires = "lab_recipient")]
    pub lab_key: Option<String>,
    /// The lab's upload address, e.g. https://lab.example/ (optional).
    #[arg(long, conflicts_with = "from_stick")]
    pub url: Option<String>,
    /// Instead: the lab's signed link file on the USB stick at DIR
    /// (`dastak-lab link-file`), from a lab that `[lab] trusted_keys`
    /// in dastak.toml names.
    #[arg(long, value_name = "DIR", conflicts_with = "lab_recipient")]
    pub from_stick: Option<PathBuf>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<(), Failure> {
    let (mut books, by) = ctx.open_as(&args.op)?;
    match &args.from_stick {
        Some(root) => {
            let settings = crate::config::load(&ctx.dir.root)?;
            let from = LinkFrom::Stick {
                root,
                trusted: &settings.trusted_labs,
            };
            let link = books.link(&by, from)?;
            ctx.say(Message::new("sync.linked_from_stick").arg("key", short_key(&link.ack_key)));
        }
        // clap sees that either the stick or both keys are given; an empty
        // key is refused by the books with its own message.
        None => {
            let from = LinkFrom::Typed {
                recipient: args.lab_recipient.as_deref().unwrap_or_default(),
                key: args.lab_key.as_deref().unwrap_or_default(),
                url: args.url.as_deref(),
            };
            books.link(&by, from)?;
            ctx.say(Message::new("sync.linked"));
        }
    }
    Ok(())
}
