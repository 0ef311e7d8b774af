//! `xconn token`: the claims of the token `call` would send (issuer, realm, audience, subject,
//! expiry) and where it came from, read by the one JWT reader `serve` uses too
//! (`http::token::Jwt`); with `--issuer`, also put through `serve --issuer`'s verifier (the
//! issuer's published keys), else without a signature check (there is no key). Never the token or its
//! signature. Also the one place the token flags become settings for `call`, `check` and
//! `token`: a token given directly ([`source`]) or one by client credentials ([`credentials`]),
//! chosen by [`resolve`]; `--refresh` and `--forget` act on the client-credentials cache.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{AuthMethodArg, ClientCredentialsArgs, TokenArgs, TokenFormat, TokenSourceArgs};
use crate::error::{input_error, usage_error, Outcome};
use crate::http::oidc::{self, AuthMethod, ClientSecret, Credentials, Endpoint, Mode};
use crate::http::token::{self, Claims, Token, TokenSource};
use crate::http::{self, request, token_cache};
use crate::output::Output;
use crate::serve::auth::JwtCheck;

/// The variables the client id is read from when `--client-id` is not given, in order.
pub(crate) const CLIENT_ID_VARS: [&str; 2] = ["XCONN_CLIENT_ID", "CSPARK_CLIENT_ID"];

/// The variables the client secret is read from without `--client-secret-file`, in order.
pub(crate) const CLIENT_SECRET_VARS: [&str; 2] = ["XCONN_CLIENT_SECRET", "CSPARK_CLIENT_SECRET"];

/// `--token-env` / `--token-file` as the token module's [`TokenSource`] (shared with `call`).
pub(crate) fn source(args: &TokenSourceArgs) -> TokenSource {
    match (&args.token_env, &args.token_file) {
        (Some(name), _) => TokenSource::Env(name.clone()),
        (None, Some(path)) => TokenSource::File(path.clone()),
        (None, None) => TokenSource::Default,
    }
}

/// The command's settings that apply to the identity provider too: `--timeout`,
/// `--connect-timeout`, `--cacert`, `--insecure` and `-v` where the command has them.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProviderSettings {
    pub(crate) cacert: Option<PathBuf>,
    pub(crate) insecure: bool,
    /// Whether the command has `--insecure` (which also allows plain http to another host).
    pub(crate) has_insecure: bool,
    /// `--timeout`; `None`: [`PROVIDER_TIMEOUT`].
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) verbose: bool,
}

/// The time one request to the identity provider may take when the command has no `--timeout`.
pub(crate) const PROVIDER_TIMEOUT: Duration = Duration::from_secs(30);

/// Which client at which provider, for which scope: the flags without the secret.
pub(crate) struct Client {
    endpoint: Endpoint,
    id: String,
    scope: Option<String>,
}

/// `--issuer` / `--token-url`, the client id (`--client-id`, else [`CLIENT_ID_VARS`]) and
/// `--scope`; `None` without `--issuer` / `--token-url`.
fn client(args: &ClientCredentialsArgs) -> anyhow::Result<Option<Client>> {
    let flag = |name: &str, url: &str| {
        request::parse_url(url).map_err(|e| usage_error(format!("{name}: {e:#}")))
    };
    let endpoint = match (&args.issuer, &args.token_url) {
        (Some(url), _) => Endpoint::Issuer(flag("--issuer", url)?),
        (None, Some(url)) => Endpoint::TokenUrl(flag("--token-url", url)?),
        (None, None) => {
            let given = args.client_id.is_some()
                || args.client_secret_file.is_some()
                || args.scope.is_some()
                || args.auth_method.is_some();
            if given {
                return Err(usage_error(
                    "--client-id, --client-secret-file, --scope and --auth-method need --issuer \
                     URL or --token-url URL (where to get the token)",
                ));
            }
            return Ok(None);
        }
    };
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let id = args
        .client_id
        .clone()
        .or_else(|| CLIENT_ID_VARS.iter().find_map(|name| env(name)))
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            usage_error(format!(
                "no client id: give --client-id ID or set {} (or {})",
                CLIENT_ID_VARS[1], CLIENT_ID_VARS[0]
            ))
        })?;
    Ok(Some(Client {
        endpoint,
        id,
        scope: args.scope.clone().filter(|s| !s.trim().is_empty()),
    }))
}

/// The client-credentials flags as [`Credentials`] (the secret read and registered with the
/// redactor); `None` without `--issuer` / `--token-url`.
pub(crate) fn credentials(
    args: &ClientCredentialsArgs,
    settings: &ProviderSettings,
) -> anyhow::Result<Option<Credentials>> {
    let Some(client) = client(args)? else {
        return Ok(None);
    };
    let (flag, url) = match &client.endpoint {
        Endpoint::Issuer(url) => ("--issuer", url),
        Endpoint::TokenUrl(url) => ("--token-url", url),
    };
    request::refuse_plain_http(
        url,
        &format!("{flag} {}", http::redact::url(url)),
        settings.insecure,
        settings.has_insecure.then_some("--insecure"),
    )?;
    let secret = client_secret(args.client_secret_file.as_deref())?;
    Ok(Some(Credentials {
        endpoint: client.endpoint,
        client_id: client.id,
        secret,
        scope: client.scope,
        auth_method: args.auth_method.map(|m| match m {
            AuthMethodArg::ClientSecretBasic => AuthMethod::Basic,
            AuthMethodArg::ClientSecretPost => AuthMethod::Post,
        }),
        cache: token_cache::folder(|name| std::env::var(name).ok()),
        // TLS roots loaded whatever the issuer's scheme: discovery may name https endpoints.
        http: http::Settings {
            timeout: settings.timeout.unwrap_or(PROVIDER_TIMEOUT),
            connect_timeout: settings.connect_timeout,
            retries: 2,
            backoff: http::retry::Backoff::from_env(),
            cacert: settings.cacert.clone(),
            insecure: settings.insecure,
            max_response_size: oidc::MAX_ANSWER,
            tls: true,
        },
        verbose: settings.verbose,
    }))
}

/// The client secret: from `--client-secret-file`, else the first of [`CLIENT_SECRET_VARS`]
/// that is set; never from the command line.
fn client_secret(file: Option<&str>) -> anyhow::Result<ClientSecret> {
    if let Some(path) = file {
        token::warn_if_readable_by_others("--client-secret-file", path);
        let raw = std::fs::read_to_string(path)
            .map_err(|e| input_error(format!("--client-secret-file {path}: cannot read: {e}")))?;
        return ClientSecret::new(&raw).ok_or_else(|| {
            input_error(format!(
                "--client-secret-file {path}: holds no secret (only whitespace)"
            ))
        });
    }
    CLIENT_SECRET_VARS
        .iter()
        .find_map(|name| std::env::var(name).ok().and_then(|v| ClientSecret::new(&v)))
        .ok_or_else(|| {
            usage_error(format!(
                "no client secret: set {} (or {}), or give --client-secret-file PATH",
                CLIENT_SECRET_VARS[1], CLIENT_SECRET_VARS[0]
            ))
        })
}

/// The token to send: one given directly (`XCONN_TOKEN`, `CSPARK_BEARER_TOKEN`, `--token-env`,
/// `--token-file`) wins; else, with `--issuer` / `--token-url`, one by client credentials
/// (cached); else none.
pub(crate) fn resolve(
    direct: &TokenSourceArgs,
    provider: &ClientCredentialsArgs,
    settings: &ProviderSettings,
) -> anyhow::Result<Option<Token>> {
    if let Some(token) = token::find_in_env(&source(direct))? {
        return Ok(Some(token));
    }
    match credentials(provider, settings)? {
        Some(credentials) => oidc::obtain(&credentials, Mode::Cached).map(Some),
        None => Ok(None),
    }
}

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

/// What `xconn token` prints.
struct Shown<'a> {
    token: &'a Token,
    claims: Option<&'a Claims>,
    /// [`signature`]'s verdict, with `--issuer`.
    signature: Option<&'a str>,
    now: i64,
}

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

fn shown(text: &str) -> String {
    crate::error::escape_control(text)
}

fn write_text(out: &mut dyn Write, report: &Shown<'_>) -> anyhow::Result<()> {
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
fn write_json(out: &mut dyn Write, shown: &Shown<'_>) -> anyhow::Result<()> {
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
