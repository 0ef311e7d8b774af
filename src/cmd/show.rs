//! `xconn show`: read a body, check it with the validator, render what can be rendered, and print
//! the validator's diagnostics on standard error (exit 1 when there are errors). The text is
//! checked once (the validator's pass) and then viewed as it is, never parsed into a tree.

use std::io::IsTerminal;

use crate::cli::{ShowArgs, ShowFormat};
use crate::error::Outcome;
use crate::output::Output;
use crate::render::{self, Options};
use crate::source::Source;
use crate::validate;

pub(crate) fn run(args: ShowArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let file = match args.file.as_deref() {
        Some(file) => file,
        // No FILE: standard input, unless it is a terminal (nobody types a body there).
        None if std::io::stdin().is_terminal() => {
            return Err(crate::error::usage_error(
                "no FILE given and standard input is a terminal: name a body file, or pipe one in (`-`)",
            ))
        }
        None => "-",
    };
    // The schemas compile on a core of their own while the file is read and scanned.
    validate::schema::compile_in_background();
    let source = Source::read(file)?;
    let check = validate::Options {
        kind: args.kind.map(super::kind),
        ..validate::Options::default()
    };
    let validated = validate::check_source_with(&source, &check);
    let options = Options {
        format: format(args.format),
        expand: args.expand,
        record: args.record,
        width: out.width(args.width),
        color: out.color,
        terminal: out.is_terminal,
    };
    let stderr = &mut crate::output::stderr();
    render::render_validated(out, stderr, &source, &validated, &options)
}

/// `--format` as the renderer's [`render::Format`].
fn format(format: ShowFormat) -> render::Format {
    match format {
        ShowFormat::Table => render::Format::Table,
        ShowFormat::Markdown => render::Format::Markdown,
        ShowFormat::Csv => render::Format::Csv,
        ShowFormat::Json => render::Format::Json,
    }
}
