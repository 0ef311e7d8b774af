//! OAuth2 client credentials (RFC 6749 §4.4) against an OpenID Connect provider: discovery
//! ([`discover`]: `ISSUER/.well-known/openid-configuration`, also what `serve --issuer` reads), the
//! token request with `client_secret_basic` or `client_secret_post`, the provider's answer read
//! strictly, and the token kept in [`super::token_cache`]. The client secret is registered with
//! the redactor the moment it is read, so no output shows it, nor an echo of it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use reqwest::{Method, Url};

use super::token::{self, Origin, Token};
use super::token_cache::{self, Entry, Key};
use super::{redact, request, Client, Failure, HttpError, Request, Settings};
use crate::error::{error, usage_error, ErrorKind};

/// The longest answer read from an identity provider (discovery, token, keys).
pub(crate) const MAX_ANSWER: u64 = 1 << 20;

/// Where the token endpoint is found.
#[derive(Debug, Clone)]
pub(crate) enum Endpoint {
    /// `--issuer URL`: its discovery document names the token endpoint.
    Issuer(Url),
    /// `--token-url URL`.
    TokenUrl(Url),
}

impl Endpoint {
    /// What the cache key and messages call it: `issuer URL` or `token-url URL`.
    fn named(&self) -> String {
        match self {
            Endpoint::Issuer(url) => format!("issuer {}", redact::url(url)),
            Endpoint::TokenUrl(url) => format!("token-url {}", redact::url(url)),
        }
    }
}

/// How the client authenticates to the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthMethod {
    /// `client_secret_basic`: HTTP Basic with the form-encoded id and secret.
    Basic,
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    Post,
}

impl AuthMethod {
    pub(crate) fn name(self) -> &'static str {
        match self {
            AuthMethod::Basic => "client_secret_basic",
            AuthMethod::Post => "client_secret_post",
        }
    }
}

/// The client secret; `Debug` masks it.
#[derive(Clone)]
pub(crate) struct ClientSecret(String);

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(redact::MASK)
    }
}

impl ClientSecret {
    /// The secret from raw text (a byte-order mark and outer whitespace trimmed), registered with
    /// the redactor in every spelling a request carries it (as is, form-encoded); `None` when
    /// nothing is left.
    pub(crate) fn new(raw: &str) -> Option<ClientSecret> {
        let secret = raw.trim_start_matches('\u{feff}').trim();
        if secret.is_empty() {
            return None;
        }
        redact::register(secret);
        redact::register(&form_value(secret));
        Some(ClientSecret(secret.to_string()))
    }
}

/// Everything needed to obtain a token by client credentials.
#[derive(Debug, Clone)]
pub(crate) struct Credentials {
    pub(crate) endpoint: Endpoint,
    pub(crate) client_id: String,
    pub(crate) secret: ClientSecret,
    pub(crate) scope: Option<String>,
    /// `--auth-method`; `None`: chosen from the discovery document.
    pub(crate) auth_method: Option<AuthMethod>,
    /// The cache folder; `None`: nothing is cached.
    pub(crate) cache: Option<PathBuf>,
    /// Timeouts, retries and TLS towards the provider (the command's `--timeout`, `--cacert`,
    /// `--insecure` where it has them; `--insecure` also allows plain http to another host).
    pub(crate) http: Settings,
    /// `-v`: say why the cache was not used or not written.
    pub(crate) verbose: bool,
}

/// The cache file in `folder` of the token of `client_id` at `endpoint` for `scope`.
pub(crate) fn cache_file(
    folder: &std::path::Path,
    endpoint: &Endpoint,
    client_id: &str,
    scope: Option<&str>,
) -> PathBuf {
    let endpoint = endpoint.named();
    let key = Key {
        endpoint: &endpoint,
        client_id,
        scope: scope.unwrap_or(""),
    };
    token_cache::file(folder, key)
}

impl Credentials {
    /// This client's cache file, when there is a cache.
    pub(crate) fn cache_file(&self) -> Option<PathBuf> {
        let folder = self.cache.as_deref()?;
        Some(cache_file(
            folder,
            &self.endpoint,
            &self.client_id,
            self.scope.as_deref(),
        ))
    }

    fn key<'a>(&'a self, endpoint: &'a str) -> Key<'a> {
        Key {
            endpoint,
            client_id: &self.client_id,
            scope: self.scope.as_deref().unwrap_or(""),
        }
    }
}

/// Whether a cached token may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A cached token that is still fresh is used; otherwise one is fetched.
    Cached,
    /// A new token is fetched whatever the cache holds (`xconn token --refresh`).
    Refresh,
}

/// What an OpenID Connect discovery document says that xconn uses.
#[derive(Debug, Clone)]
pub(crate) struct Discovery {
    /// `issuer`: exactly the `iss` of the provider's tokens.
    pub(crate) issuer: String,
    pub(crate) token_endpoint: Option<Url>,
    pub(crate) jwks_uri: Option<Url>,
    /// `token_endpoint_auth_methods_supported`, when listed.
    pub(crate) auth_methods: Option<Vec<String>>,
}

/// Read `ISSUER/.well-known/openid-configuration`. Unreachable: a network error (exit 3); not a
/// discovery document, or one for another issuer: a usage error (exit 2).
pub(crate) async fn discover(issuer: &Url, http: &Settings) -> anyhow::Result<Discovery> {
    let base = issuer.as_str().trim_end_matches('/');
    let url = Url::parse(&format!("{base}/.well-known/openid-configuration"))
        .map_err(|e| usage_error(format!("--issuer {base}: {e}")))?;
    let what = format!("--issuer {}: the discovery document", redact::url(issuer));
    let (doc, _) = get_json(&url, http, &what).await?;
    let text = |name: &str| doc.get(name).and_then(|v| v.as_str());
    let claimed = text("issuer").ok_or_else(|| usage_error(format!("{what} has no `issuer`")))?;
    if claimed.trim_end_matches('/') != base {
        return Err(usage_error(format!(
            "{what} is for another issuer, `{}` (OpenID Connect discovery requires the two equal)",
            shown(claimed)
        )));
    }
    let url_of = |name: &str| -> anyhow::Result<Option<Url>> {
        text(name)
            .map(|u| {
                Url::parse(u).map_err(|e| {
                    usage_error(format!("{what}: `{name}` is not a URL ({e}): {}", shown(u)))
                })
            })
            .transpose()
    };
    Ok(Discovery {
        issuer: claimed.to_string(),
        token_endpoint: url_of("token_endpoint")?,
        jwks_uri: url_of("jwks_uri")?,
        auth_methods: doc
            .get("token_endpoint_auth_methods_supported")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.as_str().map(str::to_string))
                    .collect()
            }),
    })
}

/// GET `url` as JSON: the object and the response headers. `what` names it in errors.
pub(crate) async fn get_json(
    url: &Url,
    http: &Settings,
    what: &str,
) -> anyhow::Result<(serde_json::Value, Vec<(String, String)>)> {
    let client = Client::new(http.clone(), None)?;
    let accept = vec![("Accept".to_string(), "application/json".to_string())];
    let request = Request::new(Method::GET, url.clone(), accept, Bytes::new());
    let response = super::send(&client, &request)
        .await
        .map_err(|e| failed(what, &e))?;
    let doc = serde_json::from_slice::<serde_json::Value>(&response.body)
        .ok()
        .filter(serde_json::Value::is_object)
        .ok_or_else(|| {
            usage_error(format!(
                "{what} is not a JSON object; it starts: {}",
                redact::body_prefix(&response.body, super::ERROR_BODY_PREFIX)
            ))
        })?;
    Ok((doc, response.headers))
}

/// A request to the provider that failed: unreachable, timed out or a 5xx is a network error
/// (exit 3); another status, or an answer over the size limit, a usage error (exit 2: a bad
/// provider answer).
fn failed(what: &str, err: &HttpError) -> anyhow::Error {
    let kind = match &err.failure {
        Failure::Status { status, .. } if *status < 500 => ErrorKind::Usage,
        Failure::Invalid(_) => ErrorKind::Usage,
        // `--max-response-size` governs the service's answers, not the provider's.
        Failure::TooLarge { limit, .. } => {
            return usage_error(format!(
                "{what}: {}: the answer is larger than {limit} bytes, the most xconn reads from \
                 an identity provider (x-request-id {})",
                err.request, err.request_id
            ))
        }
        _ => ErrorKind::Network,
    };
    error(kind, format!("{what}: {err}"))
}

/// A token for `credentials`: from the cache while it is fresh (with [`Mode::Cached`]), else
/// fetched from the provider (and cached). The token can refresh itself when the service answers
/// 401 ([`Token::refreshed`]); every copy of it sends the latest ([`Token::current`]).
pub(crate) fn obtain(credentials: &Credentials, mode: Mode) -> anyhow::Result<Token> {
    let refresher = Arc::new(Refresher {
        credentials: credentials.clone(),
        current: Mutex::new(None),
        renewing: tokio::sync::Mutex::new(None),
    });
    if mode == Mode::Cached {
        if let Some(entry) = cached(credentials) {
            return refresher.keep(&entry.access_token, true);
        }
    }
    super::block_on(refresher.fetch())?
}

/// The cached entry of `credentials` when it is fresh; `-v` says why a cache file was not used.
fn cached(credentials: &Credentials) -> Option<Entry> {
    let file = credentials.cache_file()?;
    match token_cache::read(&file) {
        Ok(Some(entry)) if entry.fresh(token::now()) => Some(entry),
        Ok(_) => None,
        Err(why) => {
            if credentials.verbose {
                crate::say!(
                    "xconn: the cached token in {} is not used ({why}): a new one is fetched",
                    file.display()
                );
            }
            None
        }
    }
}

/// The future of [`Refresher::refresh`]: the new token, and whether this call fetched it (a
/// call that waited for another's fetch gets the same token, `false`).
pub(crate) type Renewal =
    std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<(Token, bool)>> + Send>>;

/// Fetches tokens for one client and holds the one every request sends now, so the batches of
/// one `call` share it: a renewal is fetched once, and every batch sends it from then on.
pub(crate) struct Refresher {
    credentials: Credentials,
    /// The token sent now (without its refresher: a token holds its refresher, not the reverse).
    current: Mutex<Option<Token>>,
    /// Held across a renewal, so one fetch serves every batch that met the same 401; holds the
    /// refused token whose renewal failed (those waiting are not sent to the provider again).
    renewing: tokio::sync::Mutex<Option<String>>,
}

impl Refresher {
    /// The token every request should send now.
    pub(crate) fn current(self: &Arc<Self>) -> Option<Token> {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current.clone().map(|t| t.refreshing_with(self.clone()))
    }

    /// A token in place of `stale`, which the service refused: the current one when another
    /// request already renewed it, else a new one from the provider (one fetch at a time).
    /// Boxed, with its type said: fetching sends a request, and sending is what calls this.
    pub(crate) fn refresh(self: Arc<Self>, stale: String) -> Renewal {
        Box::pin(async move {
            let mut failed = self.renewing.lock().await;
            if let Some(token) = self.current().filter(|t| t.secret() != stale) {
                return Ok((token, false));
            }
            if failed.as_deref() == Some(stale.as_str()) {
                return Err(usage_error("the provider gave no new token (said above)"));
            }
            match self.fetch().await {
                Ok(token) => Ok((token, true)),
                Err(e) => {
                    *failed = Some(stale);
                    Err(e)
                }
            }
        })
    }

    /// A token from the provider, cached (when its expiry is known) and made current.
    async fn fetch(self: &Arc<Self>) -> anyhow::Result<Token> {
        let fetched = fetch(&self.credentials).await?;
        self.store(&fetched);
        self.keep(&fetched.access_token, false)
    }

    /// Write `fetched` to the cache, when there is one and the token's expiry is known.
    fn store(&self, fetched: &Fetched) {
        let Some(file) = self.credentials.cache_file() else {
            return;
        };
        let Some(expires_at) = fetched.expires_at else {
            if self.credentials.verbose {
                crate::say!(
                    "xconn: the token is used but not cached: its expiry is unknown (no usable \
                     `expires_in`, and it is not a JWT with `exp`)"
                );
            }
            return;
        };
        let endpoint = self.credentials.endpoint.named();
        let entry = Entry {
            access_token: fetched.access_token.clone(),
            expires_at,
        };
        if let Err(e) = token_cache::write(&file, self.credentials.key(&endpoint), &entry) {
            crate::say!("xconn: warning: the token is not cached: {e:#}");
        }
    }

    /// `access_token` as the token every request sends from now on.
    fn keep(self: &Arc<Self>, access_token: &str, cached: bool) -> anyhow::Result<Token> {
        let origin = Origin::Provider {
            client: self.credentials.client_id.clone(),
            endpoint: self.credentials.endpoint.named(),
            cached,
        };
        let token = Token::new(access_token, origin).ok_or_else(|| {
            usage_error("the provider's `access_token` is empty (nothing to send)")
        })?;
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(token.clone());
        Ok(token.refreshing_with(self.clone()))
    }
}

/// A token as the provider gave it.
struct Fetched {
    access_token: String,
    /// `exp` of the JWT, else now plus `expires_in`; `None`: not cached.
    expires_at: Option<i64>,
}

/// Discover the token endpoint (with `--issuer`), choose the authentication method, and ask.
async fn fetch(credentials: &Credentials) -> anyhow::Result<Fetched> {
    let insecure = credentials.http.insecure;
    let (endpoint, method) = match &credentials.endpoint {
        Endpoint::TokenUrl(url) => (
            url.clone(),
            credentials.auth_method.unwrap_or(AuthMethod::Basic),
        ),
        Endpoint::Issuer(issuer) => {
            let found = discover(issuer, &credentials.http).await?;
            let endpoint = found.token_endpoint.ok_or_else(|| {
                usage_error(format!(
                    "--issuer {}: the discovery document names no `token_endpoint`",
                    redact::url(issuer)
                ))
            })?;
            request::refuse_plain_http(
                &endpoint,
                &format!(
                    "--issuer {}: the discovery document's `token_endpoint` {}",
                    redact::url(issuer),
                    redact::url(&endpoint)
                ),
                insecure,
                Some("--insecure"),
            )?;
            let method = match credentials.auth_method {
                Some(method) => method,
                None => choose_method(found.auth_methods.as_deref())?,
            };
            (endpoint, method)
        }
    };
    request_token(credentials, &endpoint, method).await
}

/// `client_secret_basic` when the provider lists it (or lists nothing: RFC 6749's default), else
/// `client_secret_post` when listed; a provider that lists neither is refused.
pub(crate) fn choose_method(listed: Option<&[String]>) -> anyhow::Result<AuthMethod> {
    let Some(listed) = listed else {
        return Ok(AuthMethod::Basic);
    };
    for method in [AuthMethod::Basic, AuthMethod::Post] {
        if listed.iter().any(|m| m == method.name()) {
            return Ok(method);
        }
    }
    Err(usage_error(format!(
        "the provider accepts neither client_secret_basic nor client_secret_post for its token \
         endpoint (token_endpoint_auth_methods_supported: {})",
        shown(&listed.join(", "))
    )))
}

/// POST the client credentials grant to `endpoint`.
async fn request_token(
    credentials: &Credentials,
    endpoint: &Url,
    method: AuthMethod,
) -> anyhow::Result<Fetched> {
    let secret = credentials.secret.0.as_str();
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(scope) = &credentials.scope {
        form.push(("scope", scope));
    }
    let mut headers = vec![
        ("Accept".to_string(), "application/json".to_string()),
        (
            "Content-Type".to_string(),
            "application/x-www-form-urlencoded".to_string(),
        ),
    ];
    match method {
        AuthMethod::Basic => {
            use base64::Engine;
            let pair = format!(
                "{}:{}",
                form_value(&credentials.client_id),
                form_value(secret)
            );
            let basic = base64::engine::general_purpose::STANDARD.encode(pair);
            redact::register(&basic);
            headers.push(("Authorization".to_string(), format!("Basic {basic}")));
        }
        AuthMethod::Post => {
            form.push(("client_id", &credentials.client_id));
            form.push(("client_secret", secret));
        }
    }
    let client = Client::new(credentials.http.clone(), None)?;
    let body = Bytes::from(form_encoded(&form));
    let request = Request::new(Method::POST, endpoint.clone(), headers, body);
    let what = format!("the token endpoint {}", redact::url(endpoint));
    match super::send(&client, &request).await {
        Ok(response) => read_answer(&response.body, &what),
        Err(err) => Err(refused(&credentials.client_id, &what, &err)),
    }
}

/// A token endpoint's error: the OAuth2 `error` and `error_description` (RFC 6749 §5.2), said
/// with exit 2 (`invalid_client`, `unauthorized_client`, any other OAuth error the provider gave
/// in a 4xx); without them, as [`failed`].
fn refused(client_id: &str, what: &str, err: &HttpError) -> anyhow::Error {
    let Failure::Status { status, body, .. } = &err.failure else {
        return failed(what, err);
    };
    let doc = serde_json::from_slice::<serde_json::Value>(body).ok();
    let text = |name: &str| {
        doc.as_ref()
            .and_then(|d| d.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let Some(code) = text("error").filter(|_| *status < 500) else {
        return failed(what, err);
    };
    let description = text("error_description")
        .map(|d| format!(": {}", shown(&d)))
        .unwrap_or_default();
    let hint = match code.as_str() {
        "invalid_client" | "unauthorized_client" => {
            " (check --client-id and the client secret; the secret was not printed)"
        }
        _ => "",
    };
    usage_error(format!(
        "{what} refused client `{}`: {}{description}{hint} ({})",
        shown(client_id),
        shown(&code),
        super::status_line(*status)
    ))
}

/// A 2xx answer of the token endpoint: a JSON object with a non-empty `access_token` and
/// `token_type` Bearer (any case); anything else is refused (exit 2) saying what was wrong.
fn read_answer(body: &[u8], what: &str) -> anyhow::Result<Fetched> {
    let refuse = |why: &str| usage_error(format!("{what} answered, but {why}: no token to send"));
    let doc = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .filter(serde_json::Value::is_object)
        .ok_or_else(|| {
            refuse(&format!(
                "not with a JSON object (it starts: {})",
                redact::body_prefix(body, super::ERROR_BODY_PREFIX)
            ))
        })?;
    let access_token = match doc.get("access_token").and_then(|v| v.as_str()) {
        Some(t) if !token::clean(t).is_empty() => t.to_string(),
        _ => return Err(refuse("without an `access_token`")),
    };
    match doc.get("token_type").and_then(|v| v.as_str()) {
        Some(kind) if kind.eq_ignore_ascii_case("bearer") => {}
        Some(kind) => {
            return Err(refuse(&format!(
                "with a `{}` token (only Bearer tokens are sent)",
                shown(kind)
            )))
        }
        None => return Err(refuse("without a `token_type` (Bearer expected)")),
    }
    let access_token = token::clean(&access_token).to_string();
    if !token::is_token68(&access_token) {
        return Err(refuse(
            "with an `access_token` that is not a bearer token (RFC 6750 token68: letters, \
             digits, `-._~+/`, then `=`)",
        ));
    }
    let exp = token::decode_jwt(&access_token)
        .and_then(|claims| claims.expires)
        .map(|exp| exp.secs());
    let expires_in = doc.get("expires_in").and_then(expires_in).map(|secs| {
        token::now().saturating_add(i64::try_from(secs).unwrap_or(token::MAX_NUMERIC_DATE))
    });
    Ok(Fetched {
        expires_at: exp
            .or(expires_in)
            .filter(|at| (1..=token::MAX_NUMERIC_DATE).contains(at)),
        access_token,
    })
}

/// `expires_in`: a number of seconds (RFC 6749 §5.1), or that number as a string, as some
/// providers send it (`"3600"`).
fn expires_in(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// `application/x-www-form-urlencoded` pairs: `k=v&k=v`.
fn form_encoded(pairs: &[(&str, &str)]) -> String {
    let mut url = Url::parse("x:").expect("a valid URL");
    url.query_pairs_mut().extend_pairs(pairs);
    url.query().unwrap_or_default().to_string()
}

/// One value form-encoded (as a name or value of [`form_encoded`]).
fn form_value(value: &str) -> String {
    form_encoded(&[("v", value)])[2..].to_string()
}

/// A provider's text fit for a message: control characters escaped, at most 300 characters.
fn shown(text: &str) -> String {
    redact::body_prefix(text.as_bytes(), 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_method_follows_the_discovery_document() {
        let listed = |m: &[&str]| m.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(choose_method(None).unwrap(), AuthMethod::Basic);
        assert_eq!(
            choose_method(Some(&listed(&[
                "client_secret_post",
                "client_secret_basic"
            ])))
            .unwrap(),
            AuthMethod::Basic
        );
        assert_eq!(
            choose_method(Some(&listed(&["private_key_jwt", "client_secret_post"]))).unwrap(),
            AuthMethod::Post
        );
        assert!(choose_method(Some(&listed(&["none"]))).is_err());
    }

    #[test]
    fn form_encoding() {
        assert_eq!(
            form_encoded(&[("grant_type", "client_credentials"), ("scope", "a b&c")]),
            "grant_type=client_credentials&scope=a+b%26c"
        );
        assert_eq!(form_value("p:w/+ x"), "p%3Aw%2F%2B+x");
    }

    #[test]
    fn answers_without_a_bearer_token_are_refused() {
        let read = |body: &str| read_answer(body.as_bytes(), "t").map(|f| f.expires_at);
        let err = |body: &str| format!("{:#}", read(body).unwrap_err());
        assert!(err(r#"{"token_type":"Bearer"}"#).contains("without an `access_token`"));
        assert!(err(r#"{"access_token":"abcd","token_type":"mac"}"#).contains("`mac` token"));
        assert!(err(r#"{"access_token":"abcd"}"#).contains("without a `token_type`"));
        assert!(err("<html>").contains("not with a JSON object"));
        let now = token::now();
        let at = read(r#"{"access_token":"abcd","token_type":"bearer","expires_in":300}"#)
            .unwrap()
            .unwrap();
        assert!((now + 299..=now + 301).contains(&at));
        // As a string, as some providers send it.
        let at = read(r#"{"access_token":"abcd","token_type":"bearer","expires_in":"300"}"#)
            .unwrap()
            .unwrap();
        assert!((now + 299..=now + 301).contains(&at));
        for odd in [r#""soon""#, "-5", "1.5", "null"] {
            let body =
                format!(r#"{{"access_token":"abcd","token_type":"Bearer","expires_in":{odd}}}"#);
            assert_eq!(read(&body).unwrap(), None, "expires_in {odd}");
        }
        assert!(err(r#"{"access_token":"a***b","token_type":"Bearer"}"#).contains("token68"));
        assert_eq!(
            read(r#"{"access_token":"abcd","token_type":"Bearer"}"#).unwrap(),
            None
        );
    }
}
