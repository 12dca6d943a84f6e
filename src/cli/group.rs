//! `dastak group`: self-help groups.

use clap::Subcommand;

use crate::cli::{Ctx, Failure, OperatorArg, emit, now};
use crate::i18n::Message;

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Create a self-help group.
    Add {
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        code: String,
        #[arg(long, default_value = "SHG")]
        scheme: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        village: String,
    },
    /// List groups.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(ctx: &mut Ctx, cmd: Cmd) -> Result<(), Failure> {
    match cmd {
        Cmd::Add {
            op,
            code,
            scheme,
            name,
            village,
        } => {
            let (mut books, by) = ctx.open_as(&op)?;
            let g = books.create_group(&by, &code, &scheme, &name, &village, now()?)?;
            ctx.say(
                Message::new("group.added")
                    .arg("code", g.code)
                    .arg("name", g.name),
            );
        }
        Cmd::List { json } => {
            let books = ctx.open()?;
            let groups = books.groups()?;
            emit(json, &groups, |groups| {
                for g in groups {
                    dastak_core::outln!("{}\t{}\t{}\t{}", g.code, g.scheme, g.name, g.village);
                }
            })?;
        }
    }
    Ok(())
}
