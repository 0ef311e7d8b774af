//! The token flags as settings for `call`, `check` and `token` — the one place they are read: a
//! token given directly ([`source`]) or one by client credentials ([`credentials`]: the client
//! id, the secret from a variable or a file, never from the command line), chosen by
//! [`resolve`].

use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{AuthMethodArg, ClientCredentialsArgs, TokenSourceArgs};
use crate::error::{input_error, usage_error};
use crate::http::oidc::{self, AuthMethod, ClientSecret, Credentials, Endpoint, Mode};
use crate::http::token::{self, Token, TokenSource};
use crate::http::{self, request, token_cache};

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
    pub(crate) endpoint: Endpoint,
    pub(crate) id: String,
    pub(crate) scope: Option<String>,
}

/// `--issuer` / `--token-url`, the client id (`--client-id`, else [`CLIENT_ID_VARS`]) and
/// `--scope`; `None` without `--issuer` / `--token-url`.
pub(crate) fn client(args: &ClientCredentialsArgs) -> anyhow::Result<Option<Client>> {
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
