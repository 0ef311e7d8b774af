//! `xconn token`: the claims of the token `call` would send (issuer, realm, audience, subject,
//! expiry), read by the one JWT reader `serve --jwks` uses too (`http::token::Jwt`), without a
//! signature check (there is no key here). Never the token or its signature.

use std::io::Write;

use crate::cli::{TokenArgs, TokenFormat, TokenSourceArgs};
use crate::error::{usage_error, Outcome};
use crate::http::token::{self, Claims, Token, TokenSource};
use crate::json::write::write_str;
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

fn write_json(
    out: &mut dyn Write,
    token: &Token,
    claims: Option<&Claims>,
    now: i64,
) -> anyhow::Result<()> {
    fn field(out: &mut dyn Write, key: &str, value: Option<&str>) -> std::io::Result<()> {
        write!(out, ",\n  ")?;
        write_str(out, key)?;
        write!(out, ": ")?;
        match value {
            Some(v) => write_str(out, v),
            None => write!(out, "null"),
        }
    }
    write!(out, "{{\n  \"source\": ")?;
    write_str(out, &token.origin.to_string())?;
    write!(out, ",\n  \"jwt\": {}", claims.is_some())?;
    let Some(c) = claims else {
        write!(
            out,
            ",\n  \"length\": {}\n}}\n",
            token.secret().chars().count()
        )?;
        return Ok(());
    };
    field(out, "issuer", c.issuer.as_deref())?;
    field(out, "realm", c.realm.as_deref())?;
    write!(out, ",\n  \"audience\": [")?;
    for (i, aud) in c.audience.iter().enumerate() {
        if i > 0 {
            write!(out, ", ")?;
        }
        write_str(out, aud)?;
    }
    write!(out, "]")?;
    field(out, "subject", c.subject.as_deref())?;
    field(out, "client", c.client.as_deref())?;
    field(
        out,
        "issued_at",
        c.issued.map(|d| token::format_rfc3339(d.secs())).as_deref(),
    )?;
    field(
        out,
        "expires_at",
        c.expires
            .map(|d| token::format_rfc3339(d.secs()))
            .as_deref(),
    )?;
    match c.expires {
        Some(exp) => write!(
            out,
            ",\n  \"expires_in_seconds\": {},\n  \"expired\": {}",
            exp.secs() - now,
            !exp.after(now)
        )?,
        None => write!(
            out,
            ",\n  \"expires_in_seconds\": null,\n  \"expired\": null"
        )?,
    }
    write!(out, ",\n  \"invalid_claims\": [")?;
    for (i, why) in c.invalid_times.iter().enumerate() {
        if i > 0 {
            write!(out, ", ")?;
        }
        write_str(out, why)?;
    }
    write!(out, "]")?;
    writeln!(out, "\n}}")?;
    Ok(())
}
