//! `dastak demo`: fill a data directory with a synthetic panchayat to try
//! everything on.

use crate::cli::{Ctx, Failure, now};
use crate::i18n::Message;

/// The top of the settings `dastak demo` writes.
const DEMO_HEADER: &str = "# Written by `dastak demo`. Receipts go to the printer emulator:\n\
# run `dastak printer emulate --out receipts` in another terminal to see\n\
# them as PNG pictures. See dastak.example.toml for every setting.\n";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Households on the synthetic ration-card list.
    #[arg(long, default_value_t = 300)]
    pub households: u32,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<(), Failure> {
    if ctx.dir.is_initialised()
        && let Ok(books) = ctx.dir.open_books()
        && books.kiosk()?.code == "DEMO01"
    {
        ctx.say(Message::new("demo.already").arg("dir", ctx.dir.root.display()));
        return Ok(());
    }
    let summary = crate::books::demo::fill(&ctx.dir, args.households.clamp(10, 20_000), now()?)?;
    // Receipts go to the printer emulator unless the directory
    // already names a printer. The rest is the system's settings: a
    // demo on a kiosk image keeps the image's stick and lab.
    if !ctx.dir.config_path().exists() {
        let raw = crate::config::RawConfig::read_kiosk(&ctx.dir.root)?.for_demo();
        ctx.dir.write_private(
            crate::books::datadir::CONFIG_FILE,
            raw.to_text_headed(DEMO_HEADER).as_bytes(),
        )?;
    }
    ctx.say(
        Message::new("demo.done")
            .arg("dir", ctx.dir.root.display())
            .arg("households", summary.households)
            .arg("members", summary.members)
            .arg("receipts", summary.receipts),
    );
    ctx.say(Message::new("demo.logins"));
    Ok(())
}
