//! `dastak coverage`: households per village with and without an enrolled
//! member.

use crate::cli::{Ctx, Failure, emit, show};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only this village.
    #[arg(long)]
    pub village: Option<String>,
    /// List the households not yet reached.
    #[arg(long)]
    pub list: bool,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<(), Failure> {
    let books = ctx.open()?;
    let mut cov = books.coverage()?;
    if let Some(v) = args.village {
        let v = crate::domain::text::fold(&v);
        cov.retain(|c| crate::domain::text::fold(&c.village) == v);
    }
    emit(args.json, &cov, |cov| {
        show::coverage(ctx.lang, cov, args.list);
    })?;
    Ok(())
}
