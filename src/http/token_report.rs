//! The report of `xconn token`: a token's claims as text or JSON, and where it came from — never
//! the token or its signature.

use std::io::Write;

use super::token::{self, Claims, Token};

/// What `xconn token` prints.
pub(crate) struct Shown<'a> {
    pub(crate) token: &'a Token,
    pub(crate) claims: Option<&'a Claims>,
    /// [`signature`]'s verdict, with `--issuer`.
    pub(crate) signature: Option<&'a str>,
    pub(crate) now: i64,
}

fn shown(text: &str) -> String {
    crate::error::escape_control(text)
}

pub(crate) fn write_text(out: &mut dyn Write, report: &Shown<'_>) -> anyhow::Result<()> {
    let (token, now) = (report.token, report.now);
    let Some(c) = report.claims else {
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
        "JWT from {}{}",
        token.origin,
        if report.signature.is_some() {
            ""
        } else {
            " (claims decoded, signature not checked)"
        }
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
    if let Some(verdict) = report.signature {
        line("signature:", Some(verdict.to_string()))?;
    }
    Ok(())
}

/// The claims as one JSON object (serde_json, keys in this order), never the token itself.
pub(crate) fn write_json(out: &mut dyn Write, shown: &Shown<'_>) -> anyhow::Result<()> {
    let (token, claims, now) = (shown.token, shown.claims, shown.now);
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
    let mut report = report;
    if let (Some(verdict), Some(fields)) = (shown.signature, report.as_object_mut()) {
        fields.insert("signature".into(), verdict.into());
    }
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)?;
    Ok(())
}
