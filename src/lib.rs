//! xconn: the library behind the `xconn` binary. `run` dispatches a parsed command line.

pub mod body;
pub mod cli;
pub mod cmd;
pub mod convert;
pub mod diag;
pub mod error;
pub mod json;
pub mod output;
pub mod render;
pub mod source;
pub mod validate;

use std::io::Write;

use cli::{Cli, Command};
use error::Outcome;
use output::Output;

/// Run one parsed command line, writing to standard output.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let mut out = Output::stdout(cli.color);
    let outcome = match cli.command {
        Command::Convert(args) => cmd::convert::run(args, &mut out),
        Command::Validate(args) => cmd::validate::run(args, &mut out),
        Command::Schema(args) => cmd::schema::run(args, &mut out),
        Command::Show(args) => cmd::show::run(args, &mut out),
        Command::Completions(args) => cmd::completions::run(args, &mut out),
    }?;
    out.flush()?;
    Ok(outcome)
}
