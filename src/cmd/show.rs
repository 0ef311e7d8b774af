//! `xconn show`: read a body, check it with the validator, render what can be rendered, and print
//! the validator's diagnostics on standard error (exit 1 when there are errors).

use std::io;

use crate::cli::{ShowArgs, ShowFormat};
use crate::error::Outcome;
use crate::output::Output;
use crate::render::{self, Options};
use crate::source::Source;
use crate::validate;

pub fn run(args: ShowArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let source = Source::read(&args.file)?;
    let checked = validate::check_source(&source, args.kind.map(super::kind));
    let options = Options {
        format: format(args.format),
        expand: args.expand,
        record: args.record,
        width: out.width(args.width),
        color: out.color,
        terminal: out.is_terminal,
    };
    render::render_checked(
        out,
        &mut io::stderr().lock(),
        &source.name,
        &checked,
        &options,
    )
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
