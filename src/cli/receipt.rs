//! `dastak receipt`: render a document as the printer would, or check a
//! scanned QR code.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::books::BooksError;
use crate::cli::printing::{io_failure, profile_for};
use crate::cli::{Ctx, Failure};
use crate::domain::proof::{LAB_ISSUER, Proof, parse_public_key};
use crate::i18n::{Lang, Localized, Message};
use crate::print::{DocKind, Renderer};

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Render a receipt, slip or member statement as the printer would print it.
    Render {
        /// Receipt or slip number, or a member ID.
        reference: String,
        #[arg(long, value_name = "FILE")]
        png: PathBuf,
        /// Paper width in mm: 58 or 80 (default: the configured printer's).
        #[arg(long)]
        paper: Option<u32>,
        /// Language of the document: hi or en (default: the kiosk's).
        #[arg(long)]
        doc_lang: Option<String>,
    },
    /// Verify the text of a scanned receipt QR code.
    Check {
        text: String,
        /// The issuing kiosk's public key (64 hex), when checking elsewhere
        /// than on that kiosk.
        #[arg(long)]
        key: Option<String>,
    },
}

pub fn run(ctx: &mut Ctx, cmd: Cmd) -> Result<(), Failure> {
    match cmd {
        Cmd::Render {
            reference,
            png,
            paper,
            doc_lang,
        } => {
            let doc_lang = doc_lang
                .map(|l| {
                    Lang::parse(&l).ok_or(Failure {
                        message: Message::new("operator.bad_language"),
                        code: 2,
                    })
                })
                .transpose()?;
            render(ctx, &reference, &png, paper, doc_lang)?
        }
        Cmd::Check { text, key } => check(ctx, &text, key.as_deref())?,
    }
    Ok(())
}

/// `dastak receipt render`: the PNG the printer would produce, without one.
pub fn render(
    ctx: &mut Ctx,
    reference: &str,
    png: &Path,
    paper: Option<u32>,
    doc_lang: Option<Lang>,
) -> Result<(), Failure> {
    let books = ctx.open()?;
    let settings = ctx.settings()?;
    let lang = doc_lang.unwrap_or(books.kiosk()?.language);
    let (kind, r) = match books.find_printable(reference) {
        Ok(found) => found,
        // A member ID without a queued slip: their statement.
        Err(_) => (DocKind::Statement, reference.trim().to_ascii_uppercase()),
    };
    let task = books.print_task(kind, &r, lang, crate::cli::now()?)?;
    let profile = profile_for(&settings, paper)?;
    let mut renderer = Renderer::new(profile, settings.templates.as_deref());
    let job = renderer.render(&task.document).map_err(|e| Failure {
        message: e.message(),
        code: 1,
    })?;
    if let Some(w) = &job.warning {
        ctx.warn(w.message());
    }
    let paper = crate::print::paper::print_job(&job.bytes, profile.width, &mut renderer.shaper);
    let bytes = paper
        .bitmap()
        .to_png()
        .map_err(|e| io_failure(png, &e.to_string()))?;
    std::fs::write(png, bytes).map_err(|e| io_failure(png, &e.to_string()))?;
    ctx.say(
        Message::new("print.rendered")
            .arg("doc", &r)
            .arg("file", png.display()),
    );
    Ok(())
}

/// `dastak receipt check`: verifies a scanned QR payload.
pub fn check(ctx: &mut Ctx, text: &str, key: Option<&str>) -> Result<(), Failure> {
    let bad = |m: Message| Failure {
        message: m,
        code: 3,
    };
    let (claimed, _) = Proof::parse_unverified(text).map_err(|e| bad(e.message()))?;
    let (kiosk, public) = match key {
        Some(k) => (
            claimed.kiosk.clone(),
            parse_public_key(k).ok_or_else(|| bad(Message::new("proof.bad_key")))?,
        ),
        // The lab's own paper (the fund statement): the key the statement
        // held was checked with, else the linked lab's.
        None if claimed.kiosk == LAB_ISSUER => (
            LAB_ISSUER.to_string(),
            ctx.open()?.paper_key(&claimed.document)?,
        ),
        None => {
            let books = ctx.open()?;
            let key = books.key.as_ref().ok_or(BooksError::NoKioskKey)?;
            (books.kiosk()?.code, key.verifying_key())
        }
    };
    let proof = Proof::verify(text, &kiosk, &public).map_err(|e| bad(e.message()))?;
    ctx.say(proof.genuine_message());
    // A statement held: the printed figures must be the ones it holds.
    if key.is_none()
        && proof.kiosk == LAB_ISSUER
        && let Ok(Some(s)) = ctx.open()?.statement_of(&proof.document)
        && s.proof() != proof
    {
        return Err(bad(Message::new("proof.mismatch")));
    }
    // With the kiosk's own books at hand, say what became of it since.
    if key.is_none()
        && let Ok(books) = ctx.open()
        && let Ok(Some(c)) = books.contribution(&proof.document)
    {
        if c.amount != proof.amount || c.member_id != proof.member {
            return Err(bad(Message::new("proof.mismatch")));
        }
        if let Some(slip) = c.reversed_by {
            ctx.say(Message::new("member.reversed_by").arg("slip", slip));
        }
    }
    Ok(())
}
