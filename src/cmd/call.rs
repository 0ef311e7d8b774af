//! `xconn call URL [BODY|-]`: the flags as settings, then the call engine ([`crate::batch`]):
//! build the request body ([`convert::request::request_body`]), check it with the validator, send
//! it (one request, or `--batch-size` batches merged in input order) with the bearer token, and
//! print the answer checked like `validate --against` the request. `--dry-run` and `--curl` print
//! the request instead of sending it ([`http::curl`]). Secrets are masked in all of it.

use bytes::Bytes;

use crate::batch::print::{self, Format, Printing};
use crate::batch::{one, run};
use crate::cli::{CallArgs, CallFormat, SummaryFormat};
use crate::convert;
use crate::error::{usage_error, ErrorKind, Outcome};
use crate::http::{self, curl, request, token, Client, Request, Settings};
use crate::output::Output;
use crate::source;
use crate::validate;

pub(crate) fn run(args: CallArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let url = request::parse_url(&args.url)?;
    let (method, headers) = request::request_shape(&args.request.method, &args.request.headers)?;
    refuse_conflicts(&args)?;
    let provider = super::token_flags::ProviderSettings {
        cacert: args.tls.cacert.clone(),
        insecure: args.tls.insecure,
        has_insecure: true,
        timeout: Some(args.timeout),
        connect_timeout: args.connect_timeout,
        verbose: args.verbose,
    };
    let token = super::token_flags::resolve(&args.token, &args.credentials, &provider)?;
    if args.verbose {
        say_source(token.as_ref(), &args.credentials);
    }
    if !args.no_validate {
        crate::validate::schema::compile_in_background();
    }
    let (body, body_name) = match &args.body {
        Some(arg) => {
            let data = super::convert::data_settings(String::new(), &args.data)?;
            convert::request::request_body(arg, data)?
        }
        None => (String::new(), "the request".to_string()),
    };
    // The request as checked (its record count, and where its root is for `--batch-size`).
    let (records, validated) = if args.no_validate {
        crate::say!("xconn: --no-validate: the request is sent without being checked");
        (None, None)
    } else {
        match check_request(&body, &body_name)? {
            Some(validated) => (validated.records, Some(validated)),
            None => return Ok(Outcome::Invalid),
        }
    };
    let print = Printing {
        format: format(args.format, out.is_terminal),
        output: args.output.clone(),
    };
    // With `--batch-size` the batches carry their own bodies: the request's text is split.
    let (sent, text) = match args.batch_size {
        Some(_) => (Bytes::new(), body),
        None => (Bytes::from(body), String::new()),
    };
    let request = Request::new(method, url, headers, sent);
    request::announce_token(token.as_ref(), &request);
    request::warn_if_insecure(args.tls.insecure);
    let client = Client::new(settings(&args, &request), token)?;
    if let Some(size) = args.batch_size {
        let settings = run::Settings {
            size: size as usize,
            concurrency: args.concurrency as usize,
            summary: match args.summary {
                SummaryFormat::Text => run::Summary::Text,
                SummaryFormat::Json => run::Summary::Json,
            },
        };
        let ran = run::run(&client, &request, &text, validated.as_ref(), &settings)?;
        let outcome = print::print_merged(out, &ran.merged, &print)?;
        return Ok(match ran.first_failure {
            Some(ErrorKind::Network) => Outcome::NetworkFailure,
            Some(ErrorKind::Http) => Outcome::HttpFailure,
            Some(_) => Outcome::Invalid,
            None => outcome,
        });
    }
    if args.dry_run {
        curl::print_dry_run(out, &client, &request)?;
        return Ok(Outcome::Success);
    }
    if args.curl {
        curl::print_curl(out, &client, &request, args.body.as_deref())?;
        return Ok(Outcome::Success);
    }
    let response = one::send(&client, &request, args.verbose)?;
    let name = format!("response (x-request-id {})", response.request_id);
    let not_json = |why: &str| one::not_json(&response, why);
    print::print_answer(out, &response.body, &name, records, &print, &not_json)
}

/// `-v`: where the token comes from (and that a token given directly wins over `--issuer`).
fn say_source(token: Option<&token::Token>, provider: &crate::cli::ClientCredentialsArgs) {
    let Some(token) = token else { return };
    let skipped = provider.issuer.is_some() || provider.token_url.is_some();
    let direct = !matches!(token.origin, token::Origin::Provider { .. });
    crate::say!(
        "xconn: token from {}{}",
        token.origin,
        if skipped && direct {
            " (given directly: client credentials are not used)"
        } else {
            ""
        }
    );
}

/// Usage errors no single flag can say.
fn refuse_conflicts(args: &CallArgs) -> anyhow::Result<()> {
    let stdin = |arg: Option<&str>| arg.is_some_and(source::is_stdin);
    if stdin(args.body.as_deref()) && stdin(args.token.token_file.as_deref()) {
        return Err(usage_error(
            "the body and --token-file cannot both be standard input",
        ));
    }
    if args.batch_size.is_some() && (args.dry_run || args.curl) {
        return Err(usage_error(
            "--batch-size sends several requests: it does not go with --dry-run or --curl",
        ));
    }
    Ok(())
}

/// The request body checked as a request (its diagnostics on standard error); `None` when it
/// breaks the format: nothing is sent.
fn check_request(body: &str, name: &str) -> anyhow::Result<Option<validate::Validated>> {
    let validated = validate::check_request_text(body);
    if !validated.checked.diagnostics.is_empty() {
        validate::write_text(
            &mut crate::output::stderr(),
            name,
            &validated.checked.diagnostics,
        )?;
    }
    if validated.checked.has_errors() {
        crate::say!("xconn: the request breaks the format: nothing was sent");
        return Ok(None);
    }
    Ok(Some(validated))
}

/// The transport settings from the flags, for `request`.
fn settings(args: &CallArgs, request: &Request) -> Settings {
    Settings {
        timeout: args.timeout,
        connect_timeout: args.connect_timeout,
        retries: args.retries,
        backoff: http::retry::Backoff::from_env(),
        cacert: args.tls.cacert.clone(),
        insecure: args.tls.insecure,
        max_response_size: args.max_response_size,
        tls: request::needs_tls(&request.url, |name| std::env::var(name).ok()),
    }
}

/// `--format`, else tables on a terminal and the raw body when piped.
fn format(format: Option<CallFormat>, terminal: bool) -> Format {
    match format {
        Some(CallFormat::Table) => Format::Table,
        Some(CallFormat::Markdown) => Format::Markdown,
        Some(CallFormat::Json) => Format::Json,
        Some(CallFormat::Raw) => Format::Raw,
        None if terminal => Format::Table,
        None => Format::Raw,
    }
}
