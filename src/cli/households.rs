//! `dastak households`: the PDS ration-card list.

use std::path::PathBuf;

use clap::Subcommand;

use crate::books::BooksError;
use crate::cli::{Ctx, Failure, OperatorArg, now, print_json};
use crate::i18n::Message;

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Load a PDS ration-card list (CSV, UTF-8).
    Import {
        file: PathBuf,
        #[command(flatten)]
        op: OperatorArg,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(ctx: &mut Ctx, cmd: Cmd) -> Result<(), Failure> {
    match cmd {
        Cmd::Import { file, op, json } => {
            let (mut books, by) = ctx.open_as(&op)?;
            let bytes = std::fs::read(&file).map_err(|e| BooksError::Io {
                path: file.display().to_string(),
                detail: e.to_string(),
            })?;
            let source = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let report = books.import_households(&by, &source, &bytes, now()?)?;
            if json {
                let bad: Vec<serde_json::Value> = report
                    .bad
                    .iter()
                    .map(|b| serde_json::json!({"line": b.line, "reason": b.reason.render(ctx.lang)}))
                    .collect();
                print_json(&serde_json::json!({
                    "rows": report.rows, "added": report.added, "already_present": report.already_present,
                    "households_added": report.households_added, "bad": bad,
                }))?;
            } else {
                for b in &report.bad {
                    ctx.warn(
                        Message::new("import.bad_row")
                            .arg("line", b.line)
                            .arg_msg("reason", b.reason.clone()),
                    );
                }
                ctx.say(
                    Message::new("import.done")
                        .arg("rows", report.rows)
                        .arg("added", report.added)
                        .arg("present", report.already_present)
                        .arg("bad", report.bad.len())
                        .arg("households", report.households_added),
                );
            }
        }
    }
    Ok(())
}
