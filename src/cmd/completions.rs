//! `xconn completions SHELL`: print the shell completion script generated from the clap definitions;
//! `xconn man` (hidden): the man page, generated from the same definitions.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::Outcome;
use crate::output::Output;

pub(crate) fn run(args: CompletionsArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "xconn", &mut script);
    out.write_all(&script)?;
    Ok(Outcome::Success)
}

/// `xconn man`: the roff man page for `xconn` and its commands.
pub(crate) fn man(out: &mut Output) -> anyhow::Result<Outcome> {
    let command = Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    // One page for every visible command, under SUBCOMMAND headings of the same page.
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("xconn {}", sub.get_name());
        let mut section = Vec::new();
        clap_mangen::Man::new(sub.clone()).render_options_section(&mut section)?;
        page.extend_from_slice(format!(".SH \"{}\"\n", name.to_uppercase()).as_bytes());
        if let Some(about) = sub.get_about() {
            page.extend_from_slice(format!("{about}\n").as_bytes());
        }
        // Drop the section's own `.SH OPTIONS` heading: the command's heading stands above it.
        let section = String::from_utf8_lossy(&section).replacen(".SH OPTIONS\n", ".PP\n", 1);
        page.extend_from_slice(section.as_bytes());
    }
    out.write_all(&page)?;
    Ok(Outcome::Success)
}
