//! `dastak identity`: what a lab needs to check this kiosk's receipts.

use crate::books::BooksError;
use crate::cli::{Ctx, Failure};

/// Its one flag is `--json`, for programs.
pub type Args = crate::cli::JsonArg;

/// `dastak identity`: what a lab needs to check this kiosk's receipts.
pub fn run(ctx: &mut Ctx, Args { json }: Args) -> Result<(), Failure> {
    let books = ctx.open()?;
    let key = books.key.as_ref().ok_or(BooksError::NoKioskKey)?;
    let id = serde_json::json!({
        "kiosk": books.kiosk()?.code,
        "public_key": hex::encode(key.verifying_key().to_bytes()),
    });
    crate::cli::emit(json, &id, |id| {
        dastak_core::outln!(
            "{} {}",
            id["kiosk"].as_str().unwrap_or(""),
            id["public_key"].as_str().unwrap_or("")
        );
    })
}
