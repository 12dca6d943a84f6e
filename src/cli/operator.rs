//! `dastak operator`: the kiosk's operators.

use clap::Subcommand;

use crate::books::setup::NewOperator;
use crate::cli::{Ctx, Failure, OperatorArg, now, required_env};
use crate::i18n::Message;

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Add an operator (admins only; the new PIN from $DASTAK_NEW_PIN).
    Add {
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// admin, supervisor or volunteer.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "hi")]
        language: String,
    },
}

pub fn run(ctx: &mut Ctx, cmd: Cmd) -> Result<(), Failure> {
    match cmd {
        Cmd::Add {
            op,
            code,
            name,
            role,
            language,
        } => {
            let (mut books, by) = ctx.open_as(&op)?;
            let pin = required_env("DASTAK_NEW_PIN", "auth.no_new_pin")?;
            let new = NewOperator {
                code: &code,
                name: &name,
                role: &role,
                language: &language,
                pin: &pin,
            };
            let added = books.add_operator(&by, &new, now()?)?;
            ctx.say(
                Message::new("operator.added")
                    .arg("code", added.code)
                    .arg_msg("role", added.role.message()),
            );
        }
    }
    Ok(())
}
