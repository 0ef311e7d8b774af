//! `xconn check URL`: turn the arguments into [`check::Settings`], run the probes with the `call`
//! client (token handling exactly as `call`: never on the command line, never printed), and print
//! the scorecard. Exit 0 only when no probe failed and a probe that sends records ran (or
//! `--allow-skips` accepts that none did).

use std::path::Path;

use crate::check::{self, Settings};
use crate::cli::{CheckArgs, CheckFormat};
use crate::error::{usage_error, Outcome};
use crate::http::{self, request, Client};
use crate::output::{self, Output};
use crate::source::Source;
use crate::validate;

pub(crate) fn run(args: CheckArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let url = request::parse_url(&args.url)?;
    let (method, headers) = request::request_shape(&args.request.method, &args.request.headers)?;
    let sample = args.sample.as_deref().map(read_sample).transpose()?;
    let provider = super::token::ProviderSettings {
        cacert: args.tls.cacert.clone(),
        insecure: args.tls.insecure,
        has_insecure: true,
        timeout: Some(args.timeout),
        ..Default::default()
    };
    let token = super::token::resolve(&args.token, &args.credentials, &provider)?;
    let settings = http::Settings {
        timeout: args.timeout,
        connect_timeout: None,
        retries: args.retries,
        backoff: http::retry::Backoff::from_env(),
        cacert: args.tls.cacert.clone(),
        insecure: args.tls.insecure,
        max_response_size: 256 << 20,
        tls: request::needs_tls(&url, |name| std::env::var(name).ok()),
    };
    request::warn_if_insecure(args.tls.insecure);
    let authed = Client::new(settings.clone(), token)?;
    let anonymous = Client::new(settings, None)?;
    let check = Settings {
        url: url.clone(),
        method,
        headers,
        sample,
        repeat: args.repeat,
        p95_budget: args.p95.map(std::time::Duration::from_millis),
    };
    let probes = http::block_on(check::run(&check, &authed, &anonymous))?;
    let passed = check::passed(&probes, args.allow_skips);
    let shown_url = http::redact::url(&url);
    let write = |w: &mut dyn std::io::Write| -> anyhow::Result<()> {
        match args.format {
            CheckFormat::Text => check::write_text(w, &shown_url, &probes)?,
            CheckFormat::Json => check::write_json(w, &shown_url, &probes, passed)?,
            CheckFormat::Junit => check::write_junit(w, &shown_url, &probes)?,
            CheckFormat::Markdown => check::write_markdown(w, &shown_url, &probes)?,
        }
        Ok(())
    };
    match &args.output {
        Some(path) => output::write_atomically(Path::new(path), write)?,
        None => write(out)?,
    }
    let (_, failed, _) = check::totals(&probes);
    if failed == 0 && !passed {
        crate::say!(
            "xconn: every probe that sends records was skipped{}: nothing about the service's \
             answers was checked, so the run fails (--allow-skips accepts skipped probes)",
            if args.sample.is_none() {
                " (no --sample)"
            } else {
                ""
            }
        );
    }
    Ok(if passed {
        Outcome::Success
    } else {
        Outcome::Invalid
    })
}

/// `--sample FILE`: a valid request body (its diagnostics on standard error, else a usage error).
fn read_sample(arg: &str) -> anyhow::Result<Vec<u8>> {
    let source = Source::read(arg)?;
    let options = validate::Options {
        kind: Some(crate::body::Kind::Request),
        against: None,
    };
    let validated = validate::check_source_with(&source, &options);
    if validated.checked.has_errors() {
        validate::write_text(
            &mut crate::output::stderr(),
            &source.name,
            &validated.checked.diagnostics,
        )?;
        return Err(usage_error(format!(
            "--sample {}: not a valid request body (see above)",
            source.name
        )));
    }
    Ok(source.bytes.to_vec())
}
