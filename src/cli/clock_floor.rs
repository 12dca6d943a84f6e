//! `dastak clock-floor`: the time of the last recorded event, for the
//! appliance's clock at boot.

use std::io::Write;

use crate::cli::{Ctx, Failure};

pub fn run(ctx: &mut Ctx) -> Result<(), Failure> {
    let last = if ctx.dir.is_initialised() {
        ctx.open()?.last_event_time()?
    } else {
        None
    };
    let secs = last.map(|t| t.as_second()).unwrap_or(0);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{secs}");
    Ok(())
}
