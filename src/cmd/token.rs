//! `xconn token`: the claims of the token `call` would send (issuer, realm, audience, subject,
//! expiry) and where it came from, read by the one JWT reader `serve` uses too
//! (`http::token::Jwt`); with `--issuer`, also put through `serve --issuer`'s verifier (the
//! issuer's published keys), else without a signature check (there is no key). Never the token or
//! its signature: the report is written by `http::token_report`. `--refresh` and `--forget` act on
//! the client-credentials cache; the token flags become settings in [`super::token_flags`].

use std::io::Write;

use super::token_flags::{client, credentials, resolve, Client, ProviderSettings};
use crate::cli::{TokenArgs, TokenFormat};
use crate::error::{input_error, usage_error, Outcome};
use crate::http::oidc::{self, Mode};
use crate::http::token::{self, Token};
use crate::http::token_cache;
use crate::http::token_report::{write_json, write_text, Shown};
use crate::output::Output;
use crate::serve::auth::JwtCheck;

pub(crate) fn run(args: TokenArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    if args.forget {
        let client = client(&args.credentials)?
            .ok_or_else(|| usage_error("--forget needs --issuer or --token-url"))?;
        return forget(out, &client);
    }
    let token = if args.refresh {
        let credentials = credentials(&args.credentials, &ProviderSettings::default())?
            .ok_or_else(|| usage_error("--refresh needs --issuer or --token-url"))?;
        oidc::obtain(&credentials, Mode::Refresh)?
    } else {
        resolve(&args.token, &args.credentials, &ProviderSettings::default())?
            .ok_or_else(|| usage_error(token::describe_missing()))?
    };
    let claims = token.claims();
    let now = token::now();
    let signature = args
        .credentials
        .issuer
        .as_deref()
        .filter(|_| claims.is_some())
        .map(|issuer| signature(issuer, &token, now));
    let shown = Shown {
        token: &token,
        claims: claims.as_ref(),
        signature: signature.as_deref(),
        now,
    };
    match args.format {
        TokenFormat::Text => write_text(out, &shown)?,
        TokenFormat::Json => write_json(out, &shown)?,
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

/// With `--issuer`: the token put through `serve --issuer`'s verifier (the issuer's published
/// keys, its `iss`, the times): `verified …`, `refused: why`, or `not checked: why`.
fn signature(issuer: &str, token: &Token, now: i64) -> String {
    match JwtCheck::discover(issuer, None, LEEWAY) {
        Ok(check) => match check.verify(token.secret(), now) {
            Ok(()) => "verified with the issuer's published keys".to_string(),
            Err(refusal) => format!("refused: {}", refusal.reason),
        },
        Err(e) => format!("not checked: {e:#}"),
    }
}

/// `serve --leeway`'s default, for the check above.
const LEEWAY: i64 = 30;

/// `--forget`: remove the cached token of this client (no secret needed) and say whether there
/// was one.
fn forget(out: &mut Output, client: &Client) -> anyhow::Result<Outcome> {
    let folder = token_cache::folder(|name| std::env::var(name).ok());
    let Some(file) =
        folder.map(|f| oidc::cache_file(&f, &client.endpoint, &client.id, client.scope.as_deref()))
    else {
        writeln!(
            out,
            "No cache folder (neither XDG_CACHE_HOME nor HOME is set): nothing to forget."
        )?;
        return Ok(Outcome::Success);
    };
    let removed = token_cache::forget(&file)
        .map_err(|e| input_error(format!("cannot remove {}: {e}", file.display())))?;
    if removed {
        writeln!(out, "Forgot the cached token ({}).", file.display())?;
    } else {
        writeln!(out, "No cached token to forget ({}).", file.display())?;
    }
    Ok(Outcome::Success)
}
