//! xconn: the library behind the `xconn` binary. `run` dispatches a parsed command line.
//!
//! Items are `pub(crate)` by default, so the compiler reports what nothing uses. What is `pub`
//! is the facade for the binary (`run`, `cli::Cli`, `error`), the integration tests (`tests/it`),
//! the doc test and the fuzz targets (`fuzz/`, checked with `cargo check` there): the validator's
//! entry points (`validate::check_source`, `check_bytes`, `body_root`, `Options`, `rules::RULES`),
//! the body model (`body::{Body, Table, Cell, Kind, Layout}`), the JSON reader (`json::parse`,
//! `Value`), `convert::Settings`, `render::render`, `batch::{Split, Merger}` and `source::Source`.

pub mod batch;
pub mod body;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod convert;
pub mod diag;
pub mod error;
pub mod http;
pub mod json;
pub(crate) mod openapi;
pub mod output;
pub mod render;
pub mod serve;
pub mod source;
pub mod text;
pub mod validate;

use anyhow::Context;

use cli::{Cli, Command};
use error::Outcome;
use output::Output;

/// Run one parsed command line, writing to standard output.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let mut out = Output::stdout(cmd::color(cli.color));
    let outcome = match cli.command {
        Command::Convert(args) => cmd::convert::run(args, &mut out),
        Command::Validate(args) => cmd::validate::run(args, &mut out),
        Command::Schema(args) => cmd::schema::run(args, &mut out),
        Command::Show(args) => cmd::show::run(args, &mut out),
        Command::Completions(args) => cmd::completions::run(args, &mut out),
        Command::Call(args) => cmd::call::run(*args, &mut out),
        Command::Token(args) => cmd::token::run(args, &mut out),
        Command::Serve(args) => cmd::serve::run(*args, &mut out),
        Command::Check(args) => cmd::check::run(*args, &mut out),
        Command::Man => cmd::completions::man(&mut out),
    }
    .map_err(name_bare_write_error)?;
    out.finish().context("cannot write standard output")?;
    Ok(outcome)
}

/// An I/O error with no context around it comes from writing standard output (every read and
/// file write names its file): say so instead of a bare "No space left on device".
fn name_bare_write_error(err: anyhow::Error) -> anyhow::Error {
    if err.chain().count() == 1 && err.is::<std::io::Error>() {
        err.context("cannot write standard output")
    } else {
        err
    }
}
