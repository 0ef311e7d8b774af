//! `xconn call URL [BODY|-]`: read a body, send it with the bearer token through
//! [`crate::http::send`], and print the answer. `--dry-run` and `--curl` print the request instead
//! of sending it; `-v` shows both heads on standard error. Secrets are masked in all of it.
//!
//! The body-model pieces plug in at the `// seam:` comments: converting CSV / objects on the fly,
//! validating the request before sending, validating the answer against the request, rendering it
//! with `show`, and batches.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;

use crate::cli::{CallArgs, CallFormat};
use crate::error::{data_error, usage_error, Outcome};
use crate::http::token::{self, Origin, Token};
use crate::http::{self, redact, Client, Event, Method, Request, Response, Settings, Url};
use crate::output::{self, Output};
use crate::source::{self, Source};

pub fn run(args: CallArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let url = parse_url(&args.url)?;
    let method = parse_method(&args.method)?;
    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let token_source = super::token::source(&args.token);
    if args.body.as_deref().is_some_and(source::is_stdin)
        && args
            .token
            .token_file
            .as_deref()
            .is_some_and(source::is_stdin)
    {
        return Err(usage_error(
            "the body and --token-file cannot both be standard input",
        ));
    }
    let token = token::find_in_env(&token_source)?;

    // seam: convert-on-the-fly — a CSV / objects / NDJSON BODY (`--from`, `--nest`, `--type` …)
    // becomes an `inputs` body here, with `convert`'s detection and settings.
    let body = match &args.body {
        Some(arg) => Bytes::copy_from_slice(&Source::read(arg)?.bytes),
        None => Bytes::new(),
    };
    // seam: validate-before-send — check `body` as a request (`validate::check_source`); an
    // invalid one is refused with the diagnostics (exit 1) and nothing is sent; `--no-validate`
    // skips this and says so on stderr. `--dry-run` validates too.
    // seam: batches — with `--batch-size N`, split the checked request's records into requests
    // written from their original bytes and send them `--concurrency C` at a time, each through
    // `http::send` on one shared `Client`; merge the answers in input order.

    let settings = Settings {
        timeout: args.timeout,
        connect_timeout: args.connect_timeout,
        retries: args.retries,
        backoff: http::retry::Backoff::from_env(),
        cacert: args.cacert.clone(),
        insecure: args.insecure,
        max_response_size: args.max_response_size,
    };
    let request = Request::new(method, url, headers, body);
    announce_token(token.as_ref(), &request);
    if args.insecure {
        eprintln!(
            "xconn: WARNING: --insecure: TLS certificates are NOT checked; anyone between you and \
             the service can read the token and the data"
        );
    }
    let client = Client::new(settings, token)?;

    if args.dry_run {
        print_dry_run(out, &client, &request)?;
        return Ok(Outcome::Success);
    }
    if args.curl {
        print_curl(out, &client, &request, args.body.as_deref())?;
        return Ok(Outcome::Success);
    }

    if args.verbose {
        let mut err = std::io::stderr().lock();
        writeln!(err, "> {}", request.describe())?;
        for (name, value) in client.headers(&request) {
            writeln!(err, "> {}", redact::header_line(&name, &value))?;
        }
        writeln!(err, "> ({} bytes of body)", request.body.len())?;
    }
    let retries = client.settings().retries;
    let verbose = args.verbose;
    let scrubber = client.clone();
    let request_id = request.request_id.clone();
    let mut on_event = move |event: Event<'_>| match event {
        Event::Retry {
            attempt,
            reason,
            wait,
            retry_after,
        } => eprintln!(
            "xconn: {reason}; retry {attempt} of {retries} in {}{} (x-request-id {})",
            seconds(wait),
            if retry_after { " (Retry-After)" } else { "" },
            request_id
        ),
        Event::Answer { status, headers } if verbose => {
            eprintln!("< {}", http::status_line(status));
            for (name, value) in headers {
                eprintln!("< {}", scrubber.scrub(&redact::header_line(name, value)));
            }
        }
        Event::Answer { .. } => {}
    };
    let response = http::block_on(http::send_with(&client, &request, &mut on_event))?
        .map_err(http::HttpError::into_anyhow)?;
    if args.verbose {
        eprintln!(
            "< ({} bytes in {}, {} attempt{}, x-request-id {})",
            response.body.len(),
            seconds(response.latency),
            response.attempts,
            if response.attempts == 1 { "" } else { "s" },
            response.request_id
        );
    }

    // seam: response validation — parse `response.body` once and check it like
    // `validate --against <the request sent>` (record counts must match): exit 1 when it breaks
    // the format, `Outcome::RecordErrors` (exit 5) when some record carries errors.
    // seam: rendering — with no --format, a terminal gets the `show` renderer
    // (`--format table|markdown` too); piped output stays the raw body.
    let format = args.format.unwrap_or(CallFormat::Raw);
    match &args.output {
        Some(path) => {
            output::write_atomically(Path::new(path), |w| write_answer(w, &response, format))?
        }
        None => write_answer(out, &response, format)?,
    }
    Ok(Outcome::Success)
}

/// Say once, before sending, that there is no token, or that the JWT has expired or is about to.
fn announce_token(token: Option<&Token>, request: &Request) {
    match token {
        None => eprintln!(
            "xconn: no token ({} and {} are unset): sending {} without Authorization",
            token::DEFAULT_VARS[0],
            token::DEFAULT_VARS[1],
            request.describe()
        ),
        Some(token) => {
            if let Some(warning) = token
                .claims()
                .and_then(|claims| token::expiry_warning(&claims, token::now()))
            {
                eprintln!("xconn: warning: {warning} (token from {})", token.origin);
            }
        }
    }
}

/// Write the answer in `format`: raw bytes, or the JSON re-indented.
fn write_answer(w: &mut dyn Write, response: &Response, format: CallFormat) -> anyhow::Result<()> {
    match format {
        CallFormat::Raw => w.write_all(&response.body)?,
        CallFormat::Json => {
            let not_json = |why: String| {
                data_error(format!(
                    "the answer to x-request-id {} is not JSON: {why} ({}, content-type {}); it starts: {}",
                    response.request_id,
                    response.status_line(),
                    response.content_type().unwrap_or("none"),
                    redact::body_prefix(&response.body, http::ERROR_BODY_PREFIX)
                ))
            };
            let text = std::str::from_utf8(&response.body)
                .map_err(|e| not_json(format!("invalid UTF-8 at byte {}", e.valid_up_to())))?;
            let value = crate::json::parse(text)
                .map_err(|e| not_json(format!("{} at byte {}", e.kind.message(), e.offset)))?;
            crate::json::write::write_value(w, &value, crate::json::write::Style::Pretty(0))?;
            w.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// `--dry-run`: the request line, the headers (secrets masked) and the body.
fn print_dry_run(out: &mut dyn Write, client: &Client, request: &Request) -> anyhow::Result<()> {
    writeln!(out, "{}", request.describe())?;
    for (name, value) in client.headers(request) {
        writeln!(out, "{}", redact::header_line(&name, &value))?;
    }
    writeln!(out)?;
    out.write_all(&request.body)?;
    if !request.body.is_empty() && !request.body.ends_with(b"\n") {
        writeln!(out)?;
    }
    eprintln!("xconn: --dry-run: nothing was sent");
    Ok(())
}

/// `--curl`: an equivalent curl command. The token is read by the shell from the variable it
/// came from (`$XCONN_TOKEN` when it came from a file or stdin); other secret headers are masked
/// and must be filled in by hand.
fn print_curl(
    out: &mut dyn Write,
    client: &Client,
    request: &Request,
    body_arg: Option<&str>,
) -> anyhow::Result<()> {
    let settings = client.settings();
    let mut parts = vec![
        "curl -sS --compressed".to_string(),
        format!("-X {}", shell_quote(request.method.as_str())),
        shell_quote(&redact::url(&request.url)),
        format!("--max-time {}", seconds_plain(settings.timeout)),
    ];
    if let Some(connect) = settings.connect_timeout {
        parts.push(format!("--connect-timeout {}", seconds_plain(connect)));
    }
    if let Some(cacert) = &settings.cacert {
        parts.push(format!(
            "--cacert {}",
            shell_quote(&cacert.display().to_string())
        ));
    }
    if settings.insecure {
        parts.push("--insecure".into());
    }
    let mut masked = Vec::new();
    for (name, value) in client.headers(request) {
        if name.eq_ignore_ascii_case("accept-encoding") {
            continue; // --compressed
        }
        if name == "Authorization" && client.token().is_some() {
            let var = match &client.token().map(|t| &t.origin) {
                Some(Origin::Env(name)) if is_shell_name(name) => name.clone(),
                _ => token::DEFAULT_VARS[0].to_string(),
            };
            parts.push(format!("-H \"Authorization: Bearer ${var}\""));
            continue;
        }
        if redact::is_sensitive(&name) {
            masked.push(name.clone());
        }
        parts.push(format!(
            "-H {}",
            shell_quote(&redact::header_line(&name, &value))
        ));
    }
    match body_arg {
        Some(arg) if source::is_stdin(arg) => parts.push("--data-binary @-".into()),
        Some(arg) => parts.push(format!("--data-binary @{}", shell_quote(arg))),
        None => {}
    }
    writeln!(out, "{}", parts.join(" \\\n  "))?;
    if let Some(Origin::File(_) | Origin::Stdin) = client.token().map(|t| &t.origin) {
        eprintln!(
            "xconn: --curl: the command reads the token from ${}; set it first",
            token::DEFAULT_VARS[0]
        );
    }
    if !masked.is_empty() {
        eprintln!(
            "xconn: --curl: fill in the masked value of {} by hand",
            masked.join(", ")
        );
    }
    Ok(())
}

fn is_shell_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Quote for a POSIX shell: `'…'`, each `'` written as `'\''`.
pub fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b))
    {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn seconds_plain(d: Duration) -> String {
    let s = format!("{:.3}", d.as_secs_f64());
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn parse_url(text: &str) -> anyhow::Result<Url> {
    let url = Url::parse(text.trim())
        .map_err(|e| usage_error(format!("URL {}: {e}", crate::error::escape_control(text))))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(usage_error(format!(
            "URL {}: only http and https are supported",
            redact::url(&url)
        )));
    }
    Ok(url)
}

fn parse_method(text: &str) -> anyhow::Result<Method> {
    Method::from_bytes(text.trim().to_ascii_uppercase().as_bytes()).map_err(|_| {
        usage_error(format!(
            "-X {}: not an HTTP method",
            crate::error::escape_control(text)
        ))
    })
}

/// `-H 'Name: value'` as a (name, value) pair; names and values are checked when sent.
fn parse_header(text: &str) -> anyhow::Result<(String, String)> {
    // Not echoed: a header without `:` may well be `Authorization Bearer <token>`.
    let bad = || usage_error("-H: expected `Name: value` (no `:` found; the value is not shown)");
    let (name, value) = text.split_once(':').ok_or_else(bad)?;
    let name = name.trim();
    if name.is_empty()
        || reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
        || reqwest::header::HeaderValue::from_str(value.trim()).is_err()
    {
        return Err(usage_error(format!(
            "-H: invalid header {}",
            redact::header_line(name, value.trim())
        )));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_headers() {
        assert_eq!(shell_quote("abc"), "abc");
        assert_eq!(shell_quote("a b'c"), r"'a b'\''c'");
        assert_eq!(
            parse_header("X-Api-Key:  s3 ").unwrap(),
            ("X-Api-Key".to_string(), "s3".to_string())
        );
        let err = parse_header("Authorization Bearer s3cret").unwrap_err();
        assert!(!format!("{err:#}").contains("s3cret"), "{err:#}");
        let err = parse_header("Authorization: Bearer sec\nret").unwrap_err();
        assert!(!format!("{err:#}").contains("sec"), "{err:#}");
        assert_eq!(seconds_plain(Duration::from_millis(1500)), "1.5");
        assert_eq!(seconds_plain(Duration::from_secs(60)), "60");
    }
}
