//! `dastak lab …`: hands over to the district lab's own program.

use crate::cli::{Ctx, Failure};
use crate::i18n::Message;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    pub args: Vec<std::ffi::OsString>,
}

/// `dastak lab …`: the district lab is its own program, `dastak-lab`, so
/// that the kiosk's binary carries no server. For one release the kiosk's
/// `lab` commands hand over to it — found beside this binary, else on
/// `PATH` — with the data directory and language this run resolved.
pub fn run(ctx: &mut Ctx, Args { args }: Args) -> Result<(), Failure> {
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
