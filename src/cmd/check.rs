//! `xconn check URL`: turn the arguments into [`check::Settings`], run the probes with the `call`
//! client (token handling exactly as `call`: never on the command line, never printed), save the
//! shrunk failures when asked, and print the scorecard. Exit 0 only when no probe failed and a
//! probe that sends records ran (or `--allow-skips` accepts that none did).

use std::io::IsTerminal;
use std::path::Path;

use crate::check::{self, Settings};
use crate::cli::{CheckArgs, CheckFormat};
use crate::error::{usage_error, Outcome};
use crate::http::{self, request, Client};
use crate::output::{self, Output};

pub(crate) fn run(args: CheckArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let check = settings(&args)?;
    let provider = super::token_flags::ProviderSettings {
        cacert: args.tls.cacert.clone(),
        insecure: args.tls.insecure,
        has_insecure: true,
        timeout: Some(args.timeout),
        ..Default::default()
    };
    let token = super::token_flags::resolve(&args.token, &args.credentials, &provider)?;
    let transport = http::Settings {
        timeout: args.timeout,
        connect_timeout: None,
        retries: args.retries,
        backoff: http::retry::Backoff::from_env(),
        cacert: args.tls.cacert.clone(),
        insecure: args.tls.insecure,
        max_response_size: 256 << 20,
        tls: request::needs_tls(&check.url, |name| std::env::var(name).ok()),
    };
    request::warn_if_insecure(args.tls.insecure);
    let authed = Client::new(transport.clone(), token)?;
    let anonymous = Client::new(transport, None)?;
    let mut outcome = http::block_on(check::run(&check, &authed, &anonymous))?;
    if let Some(dir) = &check.save_failures {
        check::replay::save(dir, &check, &mut outcome.probes)?;
    }
    let passed = check::passed(&outcome.probes, args.allow_skips);
    let shown_url = http::redact::url(&check.url);
    let write = |w: &mut dyn std::io::Write| -> anyhow::Result<()> {
        match args.format {
            CheckFormat::Text => check::report::write_text(w, &shown_url, &outcome)?,
            CheckFormat::Json => check::report::write_json(w, &shown_url, &outcome, passed)?,
            CheckFormat::Junit => check::report::write_junit(w, &shown_url, &outcome)?,
            CheckFormat::Markdown => check::report::write_markdown(w, &shown_url, &outcome)?,
        }
        Ok(())
    };
    match &args.output {
        Some(path) => output::write_atomically(Path::new(path), write)?,
        None => write(out)?,
    }
    if check::totals(&outcome.probes).fail == 0 && !passed {
        crate::say!(
            "xconn: every probe that sends records was skipped{}: nothing about the service's \
             answers was checked, so the run fails (--allow-skips accepts skipped probes)",
            match (&args.sample, &outcome.stopped) {
                (None, _) => " (no --sample)".to_string(),
                (Some(_), Some(why)) => format!(" (by {why}, spent before any answer came)"),
                (Some(_), None) => String::new(),
            }
        );
    }
    Ok(if passed {
        Outcome::Success
    } else {
        Outcome::Invalid
    })
}

/// The flags as the engine's settings: every input read and checked before anything is sent.
fn settings(args: &CheckArgs) -> anyhow::Result<Settings> {
    let url = request::parse_url(&args.url)?;
    let (method, headers) = request::request_shape(&args.request.method, &args.request.headers)?;
    let known = check::skippable();
    if let Some(bad) = args.skip.iter().find(|s| !known.contains(&s.as_str())) {
        return Err(usage_error(format!(
            "--skip {bad}: no such probe, property or group (one of: {})",
            known.join(", ")
        )));
    }
    check::metamorphic::Ignore::parse(&args.ignore).map_err(usage_error)?;
    if let Some(dir) = &args.save_failures {
        // Before anything is sent: a run should not end in a directory it cannot write.
        std::fs::create_dir_all(dir).map_err(|e| {
            crate::error::input_error(format!("--save-failures {dir}: cannot create: {e}"))
        })?;
    }
    let (replay_token_args, replay_notes) = replay_args(args);
    let super::SampleAndColumns { sample, columns } =
        super::read_sample_and_columns(args.sample.as_deref(), args.columns.as_deref())?;
    Ok(Settings {
        url,
        method,
        headers,
        sample,
        columns,
        repeat: args.repeat,
        p95_budget: args.p95.map(std::time::Duration::from_millis),
        cases: args.cases,
        seed: args.seed.unwrap_or_else(http::retry::random_u64),
        max_records: args.max_records as usize,
        ignore: args.ignore.clone(),
        skip: args.skip.clone(),
        budget: args.budget,
        max_requests: args.max_requests,
        spending: Default::default(),
        concurrency: args.concurrency as usize,
        save_failures: args.save_failures.as_ref().map(Into::into),
        timeout: args.timeout,
        cert_days: i64::from(args.cert_days),
        progress: std::io::stderr().is_terminal(),
        replay_token_args,
        replay_notes,
    })
}

/// The flags `replay.sh` repeats on each `xconn call` line so it reaches the service as check
/// did — the token's source (never the token), client credentials, TLS; every path absolute —
/// and a note for each thing it cannot repeat.
fn replay_args(args: &CheckArgs) -> (Vec<String>, Vec<String>) {
    let absolute = |path: &str| {
        std::path::absolute(path).map_or_else(|_| path.to_string(), |p| p.display().to_string())
    };
    let (mut words, mut notes) = (Vec::new(), Vec::new());
    if let Some(name) = &args.token.token_env {
        words.extend(["--token-env".to_string(), name.clone()]);
    }
    match args.token.token_file.as_deref() {
        Some("-") => notes.push(
            "The token was read from standard input (--token-file -): supply it to each line \
             (XCONN_TOKEN, or --token-file FILE)."
                .to_string(),
        ),
        Some(path) => words.extend(["--token-file".to_string(), absolute(path)]),
        None => {}
    }
    let credentials = &args.credentials;
    let flags = [
        ("--issuer", &credentials.issuer),
        ("--token-url", &credentials.token_url),
        ("--client-id", &credentials.client_id),
        ("--scope", &credentials.scope),
    ];
    for (flag, value) in flags {
        if let Some(value) = value {
            words.extend([flag.to_string(), value.clone()]);
        }
    }
    match credentials.client_secret_file.as_deref() {
        Some("-") => notes.push(
            "The client secret was read from standard input (--client-secret-file -): supply \
             it to each line (--client-secret-file FILE)."
                .to_string(),
        ),
        Some(path) => words.extend(["--client-secret-file".to_string(), absolute(path)]),
        None => {}
    }
    if let Some(method) = credentials.auth_method {
        let name = match method {
            crate::cli::AuthMethodArg::ClientSecretBasic => "client_secret_basic",
            crate::cli::AuthMethodArg::ClientSecretPost => "client_secret_post",
        };
        words.extend(["--auth-method".to_string(), name.to_string()]);
    }
    if let Some(path) = &args.tls.cacert {
        words.extend([
            "--cacert".to_string(),
            absolute(&path.display().to_string()),
        ]);
    }
    if args.tls.insecure {
        words.push("--insecure".to_string());
    }
    (words, notes)
}
