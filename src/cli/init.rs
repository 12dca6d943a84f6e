//! `dastak init`: create a kiosk's books (first admin's PIN from
//! $DASTAK_PIN).

use std::path::PathBuf;

use crate::books::BooksError;
use crate::books::setup::InitForm;
use crate::cli::{Ctx, Failure, env_nonempty, now, required_env};
use crate::i18n::Message;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long)]
    pub kiosk: String,
    #[arg(long)]
    pub panchayat: String,
    #[arg(long)]
    pub block: String,
    #[arg(long)]
    pub district: String,
    /// First admin's operator code.
    #[arg(long)]
    pub admin: String,
    #[arg(long)]
    pub admin_name: String,
    /// Kiosk language: hi (default) or en.
    #[arg(long, default_value = "hi")]
    pub language: String,
    /// File holding the district's 64-hex-character Aadhaar key
    /// (else $DASTAK_DISTRICT_SECRET, else a new random key).
    #[arg(long, value_name = "FILE")]
    pub district_secret_file: Option<PathBuf>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<(), Failure> {
    let pin = required_env("DASTAK_PIN", "auth.no_pin")?;
    let secret = match args.district_secret_file {
        Some(path) => Some(std::fs::read_to_string(&path).map_err(|e| BooksError::Io {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?),
        None => env_nonempty("DASTAK_DISTRICT_SECRET"),
    };
    let form = InitForm {
        kiosk: args.kiosk,
        panchayat: args.panchayat,
        block: args.block,
        district: args.district,
        language: args.language,
        admin_code: args.admin,
        admin_name: args.admin_name,
        admin_pin: pin,
        district_secret: secret,
    };
    let books = crate::books::setup::init(&ctx.dir, &form, now()?)?;
    let k = books.kiosk()?;
    if !ctx.lang_fixed {
        ctx.lang = k.language;
    }
    ctx.say(
        Message::new("init.done")
            .arg("kiosk", &k.code)
            .arg("dir", ctx.dir.root.display()),
    );
    Ok(())
}
