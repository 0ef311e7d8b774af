//! `xconn completions SHELL`: print the shell completion script generated from the clap definitions.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::Outcome;
use crate::output::Output;

pub fn run(args: CompletionsArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "xconn", &mut script);
    out.write_all(&script)?;
    Ok(Outcome::Success)
}
