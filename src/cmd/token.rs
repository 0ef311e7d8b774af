//! `xconn token`: the claims of the token `call` would send (issuer, realm, audience, subject,
//! expiry), read by the one JWT reader `serve --jwks` uses too (`http::token::Jwt`), without a
//! signature check (there is no key here). Never the token or its signature.

use std::io::Write;

use crate::cli::{TokenArgs, TokenFormat, TokenSourceArgs};
use crate::error::{usage_error, Outcome};
use crate::http::token::{self, Claims, Token, TokenSource};
use crate::output::Output;

/// `--token-env` / `--token-file` as the token module's [`TokenSource`] (shared with `call`).
pub(crate) fn source(args: &TokenSourceArgs) -> TokenSource {
    match (&args.token_env, &args.token_file) {
        (Some(name), _) => TokenSource::Env(name.clone()),
        (None, Some(path)) => TokenSource::File(path.clone()),
        (None, None) => TokenSource::Default,
    }
}

pub(crate) fn run(args: TokenArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let token = token::find_in_env(&source(&args.token))?
        .ok_or_else(|| usage_error(token::describe_missing()))?;
    let claims = token.claims();
    let now = token::now();
    match args.format {
        TokenFormat::Text => write_text(out, &token, claims.as_ref(), now)?,
        TokenFormat::Json => write_json(out, &token, claims.as_ref(), now)?,
    }
    if let Some(c) = &claims {
        if c.invalid_times.is_empty() {
            if let Some(warning) = token::expiry_warning(c, now) {
                crate::say!("xconn: warning: {warning}");
            }
        }
        for why in &c.invalid_times {
            crate::say!("xconn: warning: the token's {why}");
        }
    }
    Ok(Outcome::Success)
}

fn shown(text: &str) -> String {
    crate::error::escape_control(text)
}

fn write_text(
    out: &mut dyn Write,
    token: &Token,
    claims: Option<&Claims>,
    now: i64,
) -> anyhow::Result<()> {
    let Some(c) = claims else {
        writeln!(
            out,
            "The token from {} is not a JWT ({} characters): it has no claims to show.",
            token.origin,
            token.secret().chars().count()
        )?;
        return Ok(());
    };
    writeln!(
        out,
        "JWT from {} (claims decoded, signature not checked)",
        token.origin
    )?;
    let mut line = |label: &str, value: Option<String>| -> std::io::Result<()> {
        writeln!(
            out,
            "{label:<9} {}",
            value.as_deref().map_or("-".to_string(), shown)
        )
    };
    line("issuer:", c.issuer.clone())?;
    line("realm:", c.realm.clone())?;
    line(
        "audience:",
        (!c.audience.is_empty()).then(|| c.audience.join(", ")),
    )?;
    line("subject:", c.subject.clone())?;
    line("client:", c.client.clone())?;
    line("issued:", c.issued.map(|d| token::format_date(d.secs())))?;
    line(
        "expires:",
        c.expires.map(|exp| {
            let left = exp.secs() - now;
            if exp.after(now) {
                format!(
                    "{} (expires in {})",
                    token::format_date(exp.secs()),
                    token::human_duration(left)
                )
            } else {
                format!(
                    "{} (expired {} ago)",
                    token::format_date(exp.secs()),
                    token::human_duration(-left)
                )
            }
        }),
    )?;
    Ok(())
}

/// The claims as one JSON object (serde_json, keys in this order), never the token itself.
fn write_json(
    out: &mut dyn Write,
    token: &Token,
    claims: Option<&Claims>,
    now: i64,
) -> anyhow::Result<()> {
    let origin = token.origin.to_string();
    let date = |d: Option<token::NumericDate>| d.map(|d| token::format_rfc3339(d.secs()));
    let report = match claims {
        None => serde_json::json!({
            "source": origin,
            "jwt": false,
            "length": token.secret().chars().count(),
        }),
        Some(c) => serde_json::json!({
            "source": origin,
            "jwt": true,
            "issuer": c.issuer,
            "realm": c.realm,
            "audience": c.audience,
            "subject": c.subject,
            "client": c.client,
            "issued_at": date(c.issued),
            "expires_at": date(c.expires),
            "expires_in_seconds": c.expires.map(|exp| exp.secs() - now),
            "expired": c.expires.map(|exp| !exp.after(now)),
            "invalid_claims": c.invalid_times,
        }),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)?;
    Ok(())
}
