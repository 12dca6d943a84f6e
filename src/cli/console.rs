//! `dastak console`: open the operator console (what `dastak` alone does on a
//! terminal).

use std::path::PathBuf;

use crate::cli::{Ctx, Failure};
use crate::i18n::Message;

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Draw on this framebuffer (the kiosk's own screen, /dev/fb0)
    /// instead of the terminal; keys still come from the terminal.
    #[arg(long, value_name = "DEVICE")]
    pub framebuffer: Option<PathBuf>,
    /// Treat --framebuffer as a plain file of WIDTHxHEIGHT pixels
    /// (XRGB8888), for tests and reference renderings.
    #[arg(long, value_name = "WxH", requires = "framebuffer")]
    pub framebuffer_size: Option<String>,
    /// Write the first frame to this PNG (or .ppm) file and stop (needs
    /// --framebuffer).
    #[arg(long, value_name = "PNG", requires = "framebuffer")]
    pub screenshot: Option<PathBuf>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<(), Failure> {
    let display = match args.framebuffer {
        None => crate::tui::Display::Terminal,
        Some(path) => crate::tui::Display::Framebuffer {
            path,
            size: args
                .framebuffer_size
                .as_deref()
                .map(screen_size)
                .transpose()?,
            screenshot: args.screenshot,
        },
    };
    let lang = ctx.lang_fixed.then_some(ctx.lang);
    crate::tui::run(&ctx.dir, lang, &display)?;
    Ok(())
}

/// `1280x800` → (1280, 800).
fn screen_size(s: &str) -> Result<(u32, u32), Failure> {
    s.split_once(['x', 'X'])
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .filter(|&(w, h): &(u32, u32)| (64..=8192).contains(&w) && (64..=8192).contains(&h))
        .ok_or_else(|| Failure {
            message: Message::new("console.bad_size").arg("value", s),
            code: 2,
        })
}
