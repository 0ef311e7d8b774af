//! `call --dry-run` and `call --curl`: the request printed instead of sent — its line, headers and
//! body, or an equivalent curl command. Secrets are masked in both: header values through
//! [`redact::header_line`], the token read by the shell from where xconn read it.

use std::io::Write;
use std::time::Duration;

use super::token::{self, Origin, Token};
use super::{redact, Client, Request};
use crate::source;
use crate::text::shell_word;

/// `--dry-run`: the request line, the headers (secrets masked) and the body.
pub(crate) fn print_dry_run(
    out: &mut dyn Write,
    client: &Client,
    request: &Request,
) -> anyhow::Result<()> {
    writeln!(out, "{}", request.describe())?;
    for (name, value) in client.headers(request) {
        writeln!(out, "{}", redact::header_line(&name, &value))?;
    }
    writeln!(out)?;
    out.write_all(&request.body)?;
    if !request.body.is_empty() && !request.body.ends_with(b"\n") {
        writeln!(out)?;
    }
    crate::say!("xconn: --dry-run: nothing was sent");
    Ok(())
}

/// `--curl`: an equivalent curl command, run by bash or zsh (`<(…)`), sending the same bytes and
/// the same headers as `call` would (docs/call.md says how):
/// - `--globoff` (a `[` or `{` in the URL is sent as is), `--compressed` with xconn's own
///   `Accept-Encoding: gzip`, `Expect:` (no `100-continue`), every header of
///   [`Client::headers`] in order, `User-Agent` and this run's `x-request-id` included;
/// - the token as `-H @<(printf 'Authorization: Bearer %s\n' "…")`, read by the shell from the
///   same variable or file (cleaned like xconn cleans it) and never on curl's command line; a
///   token from standard input is read from `$XCONN_TOKEN`; other secret `-H` values are masked
///   and must be filled in by hand;
/// - the body as `--data-binary @FILE` when BODY is a file sent as it is, else (converted, or
///   read from standard input) the bytes sent, inline: `printf '%s' '…' | curl … --data-binary @-`.
pub(crate) fn print_curl(
    out: &mut dyn Write,
    client: &Client,
    request: &Request,
    body_arg: Option<&str>,
) -> anyhow::Result<()> {
    // The body: the file itself when its bytes are the ones sent, else inline on stdin.
    let from_file = body_arg.filter(|arg| {
        !source::is_stdin(arg)
            && std::fs::metadata(arg).is_ok_and(|m| m.is_file())
            && std::fs::read(arg).is_ok_and(|bytes| bytes == request.body)
    });
    let inline = from_file.is_none() && !request.body.is_empty();
    let mut parts = curl_transport(client, request, inline);
    let (masked, notes) = curl_headers(client, request, &mut parts);
    if !request.body.is_empty() {
        parts.push("-H Expect:".into());
    }
    match from_file {
        Some(arg) => parts.push(format!("--data-binary @{}", shell_word(arg))),
        None if inline => parts.push("--data-binary @-".into()),
        None => {}
    }
    writeln!(out, "{}", parts.join(" \\\n  "))?;
    for note in notes {
        crate::say!("xconn: --curl: {note}");
    }
    if !masked.is_empty() {
        crate::say!(
            "xconn: --curl: fill in the masked value of {} by hand",
            masked.join(", ")
        );
    }
    Ok(())
}

/// The start of the curl command: the body piped in when `inline`, the method, the URL
/// (redacted) and the transport settings.
fn curl_transport(client: &Client, request: &Request, inline: bool) -> Vec<String> {
    let settings = client.settings();
    let mut parts = Vec::new();
    if inline {
        parts.push(format!(
            "printf '%s' {} |\n  curl -sS --globoff --compressed",
            shell_word(&String::from_utf8_lossy(&request.body))
        ));
    } else {
        parts.push("curl -sS --globoff --compressed".to_string());
    }
    parts.push(format!("-X {}", shell_word(request.method.as_str())));
    parts.push(shell_word(&redact::url(&request.url)));
    parts.push(format!("--max-time {}", seconds_plain(settings.timeout)));
    if let Some(connect) = settings.connect_timeout {
        parts.push(format!("--connect-timeout {}", seconds_plain(connect)));
    }
    if let Some(cacert) = &settings.cacert {
        parts.push(format!(
            "--cacert {}",
            shell_word(&cacert.display().to_string())
        ));
    }
    if settings.insecure {
        parts.push("--insecure".into());
    }
    parts
}

/// Every header as a `-H` argument (the token read by the shell, other secrets masked); returns
/// the names of the masked ones and notes for the user.
fn curl_headers(
    client: &Client,
    request: &Request,
    parts: &mut Vec<String>,
) -> (Vec<String>, Vec<String>) {
    let given_auth = request
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    let mut masked = Vec::new();
    let mut notes = Vec::new();
    for (name, value) in client.headers(request) {
        if name == "Authorization" && !given_auth {
            if let Some(token) = client.token() {
                let (arg, note) = curl_token_header(token);
                parts.push(arg);
                notes.extend(note);
                continue;
            }
        }
        if redact::is_sensitive(&name) {
            masked.push(name.clone());
        }
        parts.push(format!(
            "-H {}",
            shell_word(&redact::header_line(&name, &value))
        ));
    }
    (masked, notes)
}

/// The `-H` argument that gives curl the token from where xconn read it, and a note for the
/// user when that cannot be done (a token from standard input is read from `$XCONN_TOKEN`). The
/// value is read by the shell: `$NAME` for a clean variable, else a pipeline that removes what
/// [`token::clean`] removes (a byte-order mark, whitespace, a leading `Bearer`).
fn curl_token_header(token: &Token) -> (String, Option<String>) {
    let (raw, input, note) = match &token.origin {
        Origin::Env(name) => (
            std::env::var(name).unwrap_or_default(),
            format!("printenv {}", shell_word(name)),
            None,
        ),
        Origin::File(path) => (
            std::fs::read_to_string(path).unwrap_or_default(),
            format!("cat {}", shell_word(path)),
            None,
        ),
        // A token by client credentials is in no variable or file the shell could read.
        Origin::Stdin | Origin::Provider { .. } => (
            String::new(),
            String::new(),
            Some(format!(
                "the command reads the token from ${}; set it first",
                token::DEFAULT_VARS[0]
            )),
        ),
    };
    let value = match &token.origin {
        Origin::Stdin | Origin::Provider { .. } => format!("${}", token::DEFAULT_VARS[0]),
        Origin::Env(name) if is_shell_name(name) && raw == token.secret() => format!("${name}"),
        _ => format!("$({})", cleaning_pipeline(&raw, input)),
    };
    (
        format!(r#"-H @<(printf 'Authorization: Bearer %s\n' "{value}")"#),
        note,
    )
}

/// `input` (a command printing the raw token `raw`) piped through what removes what
/// [`token::clean`] removes from `raw`.
fn cleaning_pipeline(raw: &str, input: String) -> String {
    let bom = raw.starts_with('\u{feff}');
    let bearer = token::clean(raw) != raw.trim_start_matches('\u{feff}').trim();
    let mut pipeline = input;
    if bom || bearer {
        pipeline.push_str(" | LC_ALL=C sed");
        if bom {
            pipeline.push_str(r#" -e "1s/^$(printf '\357\273\277')//""#);
        }
        if bearer {
            pipeline.push_str(" -e 's/^[[:space:]]*[Bb][Ee][Aa][Rr][Ee][Rr]//'");
        }
    }
    pipeline.push_str(" | tr -d '[:space:]'");
    pipeline
}

fn is_shell_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn seconds_plain(d: Duration) -> String {
    let s = format!("{:.3}", d.as_secs_f64());
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_seconds() {
        assert_eq!(shell_word("abc"), "abc");
        assert_eq!(shell_word("a b'c"), r"'a b'\''c'");
        assert_eq!(seconds_plain(Duration::from_millis(1500)), "1.5");
        assert_eq!(seconds_plain(Duration::from_secs(60)), "60");
    }
}
