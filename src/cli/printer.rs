//! `dastak printer`: a test page, the printer's state, the emulator.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::cli::printing::io_failure;
use crate::cli::{Ctx, Failure};
use crate::i18n::{Localized, Message};
use crate::print::transport::PrintError;
use crate::print::{DocKind, Renderer, transport};

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Print a test page on the configured printer.
    Test,
    /// Ask the configured printer how it is (paper, cover).
    Status,
    /// Behave like a network printer and write each job as a PNG.
    Emulate {
        #[arg(long, default_value = "127.0.0.1:9100")]
        listen: String,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Paper width in mm: 58 or 80.
        #[arg(long, default_value_t = 58)]
        paper: u32,
        /// Start out of paper (or create DIR/PAPER-OUT while running).
        #[arg(long)]
        paper_out: bool,
    },
}

pub fn run(ctx: &mut Ctx, cmd: Cmd) -> Result<(), Failure> {
    match cmd {
        Cmd::Test => test(ctx)?,
        Cmd::Status => status(ctx)?,
        Cmd::Emulate {
            listen,
            out,
            paper,
            paper_out,
        } => emulate(ctx, &listen, &out, paper, paper_out)?,
    }
    Ok(())
}

fn test(ctx: &mut Ctx) -> Result<(), Failure> {
    let books = ctx.open()?;
    let settings = ctx.settings()?;
    let url = settings.printer.as_ref().ok_or_else(|| Failure {
        message: PrintError::NotSet.message(),
        code: 1,
    })?;
    let lang = books.kiosk()?.language;
    let doc = books.document(
        DocKind::TestPage,
        &url.to_string(),
        lang,
        crate::cli::now()?,
    )?;
    let mut renderer = Renderer::new(settings.profile, settings.templates.as_deref());
    let job = renderer.render(&doc).map_err(|e| Failure {
        message: e.message(),
        code: 1,
    })?;
    transport::send(url, &job.bytes, settings.timeout).map_err(|e| Failure {
        message: e.message(),
        code: 1,
    })?;
    ctx.say(Message::new("print.test_done").arg("bytes", job.bytes.len()));
    Ok(())
}

fn status(ctx: &mut Ctx) -> Result<(), Failure> {
    let settings = ctx.settings()?;
    let url = settings.printer.as_ref().ok_or_else(|| Failure {
        message: PrintError::NotSet.message(),
        code: 1,
    })?;
    let fail = |e: PrintError| Failure {
        message: e.message(),
        code: 1,
    };
    let state = transport::status(url, settings.timeout).map_err(fail)?;
    let key = match state {
        None => "printer.state_unknown",
        Some(s) if s.paper_out => return Err(fail(PrintError::PaperOut)),
        Some(s) if s.cover_open => return Err(fail(PrintError::CoverOpen)),
        Some(s) if s.offline => return Err(fail(PrintError::Offline)),
        Some(s) if s.paper_low => "printer.state_low",
        Some(_) => "printer.state_ready",
    };
    ctx.say(Message::new(key).arg("url", url));
    Ok(())
}

fn emulate(
    ctx: &mut Ctx,
    listen: &str,
    out: &Path,
    paper: u32,
    paper_out: bool,
) -> Result<(), Failure> {
    let width = match paper {
        58 => 384,
        80 => 576,
        got => return Err(crate::config::ConfigError::Paper { got }.into()),
    };
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| io_failure(Path::new(listen), &e.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(|e| io_failure(Path::new(listen), &e.to_string()))?;
    ctx.say(
        Message::new("emulate.listening")
            .arg("addr", addr)
            .arg("dir", out.display()),
    );
    let emu = crate::print::emulate::Emulator::new(out, width, paper_out);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    emu.run(listener, stop)
        .map_err(|e| io_failure(out, &e.to_string()))
}
