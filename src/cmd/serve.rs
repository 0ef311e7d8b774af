//! `xconn serve`: turns the command line into [`serve::Settings`] (the fixture checked, the JWKS
//! read or the issuer's keys fetched, the token variable looked up, the column contract read, all
//! before listening), prints the bound address as the
//! first line on standard output, and serves until Ctrl-C or SIGTERM.

use std::io::Write;

use crate::body::columns::{self, Column};
use crate::body::Kind;
use crate::cli::ServeArgs;
use crate::error::{data_error, usage_error, Outcome};
use crate::output::Output;
use crate::serve::{self, auth::JwtCheck, Auth, Faults, Handler, Settings};
use crate::source::Source;
use crate::validate::{self, report, Options};

pub(crate) fn run(args: ServeArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let handler = if let Some(file) = &args.fixture {
        Handler::Fixture(fixture(file)?)
    } else if let Some(command) = &args.exec {
        if command.trim().is_empty() {
            return Err(usage_error("--exec: give a command to run"));
        }
        Handler::Exec {
            command: command.clone(),
            timeout: args.exec_timeout,
            max_output: usize::try_from(args.max_output_size).unwrap_or(usize::MAX),
        }
    } else {
        Handler::Echo
    };
    let leeway = i64::from(args.leeway);
    let auth = match (&args.token_env, &args.jwks, &args.issuer) {
        (Some(var), _, _) => Auth::from_env(var)?,
        (None, Some(file), issuer) => Auth::Jwt(Box::new(JwtCheck::load(
            file,
            issuer.as_deref().unwrap_or_default(),
            args.audience.as_deref(),
            leeway,
        )?)),
        (None, None, Some(issuer)) => Auth::Jwt(Box::new(JwtCheck::discover(
            issuer,
            args.audience.as_deref(),
            leeway,
        )?)),
        (None, None, None) => Auth::Open,
    };
    let settings = Settings {
        addr: args.addr.clone(),
        handler,
        auth,
        max_body_size: usize::try_from(args.max_body_size).unwrap_or(usize::MAX),
        faults: Faults {
            delay: args.delay,
            fail_rate: args.fail_rate.unwrap_or(0.0),
            status: args.status,
        },
        grace: args.grace,
        token_env: args.token_env.clone(),
        contract: contract(&args)?,
    };
    serve::run(settings, |addr| {
        writeln!(out, "listening on http://{addr}")?;
        out.flush()?;
        Ok(())
    })?;
    Ok(Outcome::Success)
}

/// The `--fixture` body, checked as a response; invalid: its diagnostics on standard error and a
/// data error (exit 1).
fn fixture(file: &str) -> anyhow::Result<axum::body::Bytes> {
    let source = Source::read(file)?;
    let options = Options {
        kind: Some(Kind::Response),
        against: None,
    };
    let validated = validate::check_source_with(&source, &options);
    if validated.checked.has_errors() {
        let mut stderr = crate::output::stderr();
        report::write_text_lines(
            &mut stderr,
            &source.name,
            &validated.checked.diagnostics,
            false,
        )?;
        return Err(data_error(format!(
            "--fixture {file}: not a valid response (the problems are listed above)"
        )));
    }
    Ok(axum::body::Bytes::from(source.bytes.to_vec()))
}

/// `--sample` / `--columns`: the column contract requests are held to (the sample's columns and
/// inferred kinds, the file's kinds over them), read and checked before listening.
fn contract(args: &ServeArgs) -> anyhow::Result<Option<Vec<Column>>> {
    let super::SampleAndColumns {
        sample,
        columns: stated,
    } = super::read_sample_and_columns(args.sample.as_deref(), args.columns.as_deref())?;
    if sample.is_none() && stated.is_none() {
        return Ok(None);
    }
    match columns::contract_of(sample.as_deref(), stated) {
        Some(contract) => Ok(Some(contract)),
        None => Err(usage_error(
            "--sample: the sample has no columns to hold requests to (give --columns)",
        )),
    }
}
