//! The HTTP client and [`send`]: one request with its headers, retries and backoff, same-origin
//! redirects (followed here, hop by hop, not by reqwest: 307/308 keep the method and body, a
//! 301/302/303 is followed only by a GET or HEAD), the response size cap, and errors that name the request (method, redacted URL,
//! `x-request-id`) and never the token. `call` uses it; batches and `check` reuse it.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};

use super::redact;
use super::retry::{self, Backoff};
use super::token::Token;
use crate::error::{ErrorKind, KindError};

/// Redirects followed at most (same origin only).
pub(crate) const MAX_REDIRECTS: usize = 5;

/// How many characters of a body an error message quotes.
pub(crate) const ERROR_BODY_PREFIX: usize = 200;

/// The transport settings of a [`Client`].
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// The whole of one attempt: connecting, sending, and reading the response to its end.
    pub(crate) timeout: Duration,
    /// Connecting (TCP and TLS) only.
    pub(crate) connect_timeout: Option<Duration>,
    /// Further attempts after the first, on the failures [`retry`] names.
    pub(crate) retries: u32,
    pub(crate) backoff: Backoff,
    /// Trust only the certificates in this PEM file (as curl's `--cacert`).
    pub(crate) cacert: Option<PathBuf>,
    /// Accept any certificate (and host name).
    pub(crate) insecure: bool,
    /// A longer response body is refused.
    pub(crate) max_response_size: u64,
    /// Whether a connection may need TLS ([`super::request::needs_tls`]). When not (an `http`
    /// URL, reached directly or through an `http` proxy: a redirect stays within the origin), no
    /// root certificates are loaded — reading the system's costs each client about 19 million
    /// instructions, a fifth of a 10,000-record `call --batch-size 100`.
    pub(crate) tls: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            timeout: Duration::from_secs(60),
            connect_timeout: None,
            retries: 2,
            backoff: Backoff::default(),
            cacert: None,
            insecure: false,
            max_response_size: 256 * 1024 * 1024,
            tls: true,
        }
    }
}

/// The `User-Agent` xconn sends.
pub(crate) fn user_agent() -> String {
    format!("xconn/{}", env!("CARGO_PKG_VERSION"))
}

/// A configured client: the connection pool, the settings and the token. Cheap to clone (the
/// pool is shared), so concurrent batches can each hold one.
#[derive(Clone)]
pub(crate) struct Client {
    inner: reqwest::Client,
    settings: Settings,
    token: Option<Token>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("settings", &self.settings)
            .field("token", &self.token)
            .finish()
    }
}

impl Client {
    /// Build a client. An unreadable or invalid `--cacert` file is an input error (exit 2).
    pub(crate) fn new(settings: Settings, token: Option<Token>) -> anyhow::Result<Client> {
        let mut builder = reqwest::Client::builder()
            .user_agent(user_agent())
            .gzip(true)
            .referer(false)
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(connect) = settings.connect_timeout {
            builder = builder.connect_timeout(connect);
        }
        if let Some(path) = &settings.cacert {
            let pem = std::fs::read(path).map_err(|e| {
                crate::error::input_error(format!("--cacert {}: cannot read: {e}", path.display()))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    crate::error::input_error(format!(
                        "--cacert {}: no PEM certificate in it",
                        path.display()
                    ))
                })?;
            builder = builder.tls_certs_only(certs);
        }
        if settings.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if !settings.tls && settings.cacert.is_none() && !settings.insecure {
            builder = builder.tls_certs_only(std::iter::empty());
        }
        let inner = builder.build().map_err(|e| {
            crate::error::usage_error(format!("cannot set up the HTTP client: {}", root_cause(&e)))
        })?;
        Ok(Client {
            inner,
            settings,
            token,
        })
    }

    /// A client with the same settings and token and a connection pool of its own, for another
    /// thread's runtime (a pooled connection belongs to the runtime that opened it).
    pub(crate) fn fresh(&self) -> anyhow::Result<Client> {
        Client::new(self.settings.clone(), self.token.clone())
    }

    /// This client with the token to send now ([`Token::current`]: another batch may have
    /// renewed it since this client was made).
    fn current(&self) -> std::borrow::Cow<'_, Client> {
        match &self.token {
            Some(token) => {
                let current = token.current();
                if current.secret() == token.secret() {
                    return std::borrow::Cow::Borrowed(self);
                }
                std::borrow::Cow::Owned(Client {
                    inner: self.inner.clone(),
                    settings: self.settings.clone(),
                    token: Some(current),
                })
            }
            None => std::borrow::Cow::Borrowed(self),
        }
    }

    /// This client with a new token, after the service refused its own (see [`send_with`]).
    async fn refreshed(&self) -> Option<Client> {
        let token = self.token.as_ref()?.refreshed().await?;
        Some(Client {
            inner: self.inner.clone(),
            settings: self.settings.clone(),
            token: Some(token),
        })
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    pub(crate) fn token(&self) -> Option<&Token> {
        self.token.as_ref()
    }

    /// `text` with every echo of the token masked.
    pub(crate) fn scrub<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        redact::scrub(text, self.token.as_ref().map(Token::secret))
    }

    /// Every header xconn sets on `request`, in order, values unredacted: `User-Agent`,
    /// `Accept-Encoding`, `Content-Type` (when there is a body and `-H` does not set it),
    /// `Authorization` (when there is a token and `-H` does not set it), `x-request-id`, then
    /// the `-H` headers. Format them with [`redact::header_line`] before showing them.
    pub(crate) fn headers(&self, request: &Request) -> Vec<(String, String)> {
        let given = |name: &str| {
            request
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
        };
        let mut headers = vec![
            ("User-Agent".to_string(), user_agent()),
            ("Accept-Encoding".to_string(), "gzip".to_string()),
        ];
        if !request.body.is_empty() && !given("content-type") {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        if let Some(token) = &self.token {
            if !given("authorization") {
                headers.push(("Authorization".into(), format!("Bearer {}", token.secret())));
            }
        }
        if !given("x-request-id") {
            headers.push(("x-request-id".into(), request.request_id.clone()));
        }
        headers.extend(request.headers.iter().cloned());
        headers
    }
}

/// One request to send.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) url: Url,
    /// Extra headers (`-H`), sent after xconn's own.
    pub(crate) headers: Vec<(String, String)>,
    /// The body, shared by every attempt without a copy.
    pub(crate) body: Bytes,
    /// The `x-request-id` of every attempt of this request.
    pub(crate) request_id: String,
    /// Asked before each HTTP request goes out — every attempt, every redirect hop, the resend
    /// with a refreshed token — when set (`check` admits each within its run's budget; `call`
    /// sets none). A refusal ends the send there with [`Failure::Refused`].
    pub(crate) admit: Option<Admit>,
}

/// The caller's admission of each HTTP request [`send`] is about to send: `false` refuses it.
#[derive(Clone)]
pub(crate) struct Admit(pub(crate) std::sync::Arc<dyn Fn() -> bool + Send + Sync>);

impl fmt::Debug for Admit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Admit")
    }
}

impl Request {
    /// A request with a fresh `x-request-id` (or the one an `x-request-id` header gives).
    pub(crate) fn new(
        method: Method,
        url: Url,
        headers: Vec<(String, String)>,
        body: Bytes,
    ) -> Request {
        let request_id = header(&headers, "x-request-id")
            .map(str::to_string)
            .unwrap_or_else(retry::uuid_v4);
        Request {
            method,
            url,
            headers,
            body,
            request_id,
            admit: None,
        }
    }

    /// `POST https://host/path` with the URL redacted.
    pub(crate) fn describe(&self) -> String {
        format!("{} {}", self.method, redact::url(&self.url))
    }
}

/// A 2xx answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub(crate) status: u16,
    /// The response headers as received (format them with [`redact::header_line`]).
    pub(crate) headers: Vec<(String, String)>,
    /// The body, decompressed.
    pub(crate) body: Vec<u8>,
    pub(crate) request_id: String,
    /// Attempts made (1 when the first succeeded).
    pub(crate) attempts: u32,
    /// The last attempt, from sending to the end of the body.
    pub(crate) latency: Duration,
}

impl Response {
    /// The `Content-Type` header, if any.
    pub(crate) fn content_type(&self) -> Option<&str> {
        header(&self.headers, "content-type")
    }

    /// `HTTP 200 OK`.
    pub(crate) fn status_line(&self) -> String {
        status_line(self.status)
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `HTTP 503 Service Unavailable`.
pub(crate) fn status_line(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(reason) => format!("HTTP {status} {reason}"),
        None => format!("HTTP {status}"),
    }
}

/// What happened along the way, for progress and `-v` output.
#[derive(Debug)]
pub(crate) enum Event<'a> {
    /// An attempt failed and another follows after `wait`.
    Retry {
        /// The attempt that failed (1-based).
        attempt: u32,
        /// Why: `HTTP 503 Service Unavailable`, `cannot connect: …`.
        reason: String,
        wait: Duration,
        /// Whether the wait comes from the server's `Retry-After`.
        retry_after: bool,
    },
    /// A redirect within the origin is followed: its status and headers (as received) and the
    /// URL the same request goes to next.
    Redirect {
        status: u16,
        headers: &'a [(String, String)],
        to: &'a Url,
    },
    /// The final answer's status line and headers arrived (before its body is read).
    Answer {
        status: u16,
        headers: &'a [(String, String)],
    },
}

/// Why a request failed, after its retries.
#[derive(Debug)]
pub(crate) struct HttpError {
    /// `POST https://host/path` (URL redacted).
    pub(crate) request: String,
    pub(crate) request_id: String,
    pub(crate) attempts: u32,
    pub(crate) failure: Failure,
}

/// The failure itself.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The request could not be built (a bad `-H` header): exit 2.
    Invalid(String),
    /// No connection (name lookup, refused, TLS, connect timeout): exit 3.
    Connect(String),
    /// The attempt did not finish within `--timeout`: exit 3.
    Timeout(Duration),
    /// The connection broke before the whole response arrived: exit 3.
    Transport {
        message: String,
        /// The status, when the response head had arrived.
        status: Option<u16>,
        content_type: Option<String>,
        /// The start of what arrived, sanitized.
        prefix: String,
    },
    /// More redirects than [`MAX_REDIRECTS`]: exit 3.
    Redirects(String),
    /// The request's [`Admit`] refused an attempt or a redirect hop before it was sent: exit 3
    /// (never under `call`, which sets none).
    Refused,
    /// The body is longer than `--max-response-size`: exit 1 (the answer cannot be accepted).
    TooLarge {
        limit: u64,
        status: u16,
        content_type: Option<String>,
    },
    /// The final answer is not 2xx: exit 4.
    Status {
        status: u16,
        content_type: Option<String>,
        /// The start of the body, sanitized, the token masked.
        prefix: String,
        /// The whole body (within the size cap), unredacted.
        body: Vec<u8>,
        /// Why a redirect was not followed (another origin, or a 301/302/303 that would turn
        /// the request into a body-less GET), naming where it pointed (redacted URL).
        refused_redirect: Option<String>,
    },
}

impl HttpError {
    /// The error kind, which chooses the exit code.
    pub(crate) fn kind(&self) -> ErrorKind {
        match self.failure {
            Failure::Invalid(_) => ErrorKind::Usage,
            Failure::Connect(_)
            | Failure::Timeout(_)
            | Failure::Transport { .. }
            | Failure::Redirects(_)
            | Failure::Refused => ErrorKind::Network,
            Failure::TooLarge { .. } => ErrorKind::Data,
            Failure::Status { .. } => ErrorKind::Http,
        }
    }

    /// A short name of the failure for per-record error entries (`error_type`): the status
    /// (`503`) or `timeout`, `connection`, `transport`, `too_large`, `redirects`, `invalid`.
    pub(crate) fn error_type(&self) -> String {
        match &self.failure {
            Failure::Status { status, .. } => status.to_string(),
            Failure::Invalid(_) => "invalid".into(),
            Failure::Connect(_) => "connection".into(),
            Failure::Timeout(_) => "timeout".into(),
            Failure::Transport { .. } => "transport".into(),
            Failure::Redirects(_) => "redirects".into(),
            Failure::Refused => "refused".into(),
            Failure::TooLarge { .. } => "too_large".into(),
        }
    }

    /// As an `anyhow::Error` of its [`kind`](Self::kind).
    pub(crate) fn into_anyhow(self) -> anyhow::Error {
        let kind = self.kind();
        crate::error::error(kind, self.to_string())
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let attempts = if self.attempts > 1 {
            format!("{} attempts, ", self.attempts)
        } else {
            String::new()
        };
        let tail = format!("({attempts}x-request-id {})", self.request_id);
        let ctype = |c: &Option<String>| {
            c.as_deref().map_or("no content-type".to_string(), |c| {
                format!("content-type {}", redact::body_prefix(c.as_bytes(), 100))
            })
        };
        match &self.failure {
            Failure::Invalid(m) => write!(f, "{}: {m}", self.request),
            Failure::Connect(m) => write!(f, "{}: cannot connect: {m} {tail}", self.request),
            Failure::Timeout(t) => write!(
                f,
                "{}: no complete answer within {} (--timeout) {tail}",
                self.request,
                seconds(*t)
            ),
            Failure::Transport {
                message,
                status,
                content_type,
                prefix,
            } => {
                write!(f, "{}: ", self.request)?;
                match status {
                    Some(s) => write!(
                        f,
                        "the answer was cut short: {message} ({}, {}) {tail}",
                        status_line(*s),
                        ctype(content_type)
                    )?,
                    None => write!(f, "the connection failed: {message} {tail}")?,
                }
                if !prefix.is_empty() {
                    write!(f, "; it starts: {prefix}")?;
                }
                Ok(())
            }
            Failure::Redirects(m) => write!(f, "{}: {m} {tail}", self.request),
            Failure::Refused => write!(
                f,
                "{}: not sent (refused by its admission) {tail}",
                self.request
            ),
            Failure::TooLarge {
                limit,
                status,
                content_type,
            } => write!(
                f,
                "{}: the answer ({}, {}) is larger than {limit} bytes (--max-response-size) {tail}",
                self.request,
                status_line(*status),
                ctype(content_type)
            ),
            Failure::Status {
                status,
                content_type,
                prefix,
                body,
                refused_redirect,
            } => {
                write!(
                    f,
                    "{}: {} ({}, {} bytes) {tail}",
                    self.request,
                    status_line(*status),
                    ctype(content_type),
                    body.len()
                )?;
                if let Some(why) = refused_redirect {
                    write!(f, "; {why}")?;
                }
                if !prefix.is_empty() {
                    write!(f, "; body: {prefix}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for HttpError {}

impl From<HttpError> for KindError {
    fn from(err: HttpError) -> KindError {
        KindError {
            kind: err.kind(),
            message: err.to_string(),
        }
    }
}

fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.3} s", d.as_secs_f64())
    }
}

/// Same scheme, host and port (default ports filled in).
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Send `request` with [`Client`]'s settings, retrying as [`retry`] says. `Ok` only for a 2xx
/// answer whose body was read whole.
pub(crate) async fn send(client: &Client, request: &Request) -> Result<Response, HttpError> {
    send_with(client, request, &mut |_| {}).await
}

/// [`send`], telling `on_event` about retries and the final answer's head. The token sent is the
/// current one ([`Token::current`]). A 401 to a token obtained by client credentials (not
/// replaced by `-H Authorization`) sends the request once more with a new token
/// ([`Token::refreshed`]).
pub(crate) async fn send_with(
    client: &Client,
    request: &Request,
    on_event: &mut (dyn FnMut(Event<'_>) + Send),
) -> Result<Response, HttpError> {
    let client = client.current();
    let answer = send_attempts(&client, request, on_event).await;
    let refused = matches!(
        &answer,
        Err(HttpError {
            failure: Failure::Status { status: 401, .. },
            ..
        })
    );
    if refused && header(&request.headers, "authorization").is_none() {
        if let Some(renewed) = client.refreshed().await {
            return send_attempts(&renewed, request, on_event).await;
        }
    }
    answer
}

/// One request with its retries.
async fn send_attempts(
    client: &Client,
    request: &Request,
    on_event: &mut (dyn FnMut(Event<'_>) + Send),
) -> Result<Response, HttpError> {
    let settings = &client.settings;
    let fail = |attempts: u32, failure: Failure| HttpError {
        request: request.describe(),
        request_id: request.request_id.clone(),
        attempts,
        failure,
    };
    let headers = header_map(client, request).map_err(|failure| fail(0, failure))?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let began = Instant::now();
        let sent = send_following(client, request, &headers, on_event)
            .await
            .map_err(|failure| fail(attempt, failure))?;
        let (reason, retry_after) = match sent {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| settings.backoff.retry_after(v, SystemTime::now()));
                if retry::retryable_status(status) && attempt <= settings.retries {
                    (status_line(status), retry_after)
                } else {
                    let head = head_of(&response);
                    on_event(Event::Answer {
                        status,
                        headers: &head,
                    });
                    match finish(client, request, response, head, attempt, began).await {
                        Ok(response) => return Ok(response),
                        // The connection broke while the body came: worth another try.
                        Err(failure @ Failure::Transport { .. }) if attempt <= settings.retries => {
                            (fail(attempt, failure).failure_reason(), None)
                        }
                        Err(failure) => return Err(fail(attempt, failure)),
                    }
                }
            }
            Err(err) => {
                let failure = transport_failure(&err, settings);
                let retryable = matches!(failure, Failure::Connect(_) | Failure::Transport { .. });
                if !retryable || attempt > settings.retries {
                    return Err(fail(attempt, failure));
                }
                (fail(attempt, failure).failure_reason(), None)
            }
        };
        let wait = retry_after.unwrap_or_else(|| settings.backoff.delay(attempt));
        on_event(Event::Retry {
            attempt,
            reason,
            wait,
            retry_after: retry_after.is_some(),
        });
        tokio::time::sleep(wait).await;
    }
}

/// Every header of [`Client::headers`] as sent (secrets marked sensitive), or the one that
/// cannot be sent.
fn header_map(client: &Client, request: &Request) -> Result<reqwest::header::HeaderMap, Failure> {
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in client.headers(request) {
        let shown = || redact::header_line(&name, &value);
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| Failure::Invalid(format!("invalid header name in `{}`", shown())))?;
        let mut value = HeaderValue::from_str(value.trim())
            .map_err(|_| Failure::Invalid(format!("invalid header value in `{}`", shown())))?;
        if redact::is_sensitive(name.as_str()) {
            value.set_sensitive(true);
        }
        headers.append(name, value);
    }
    Ok(headers)
}

/// One attempt: the request, then each redirect within the origin it may follow (at most
/// [`MAX_REDIRECTS`], the same method, headers and body each time). The final response or
/// reqwest's error; `Err` past the redirect limit.
async fn send_following(
    client: &Client,
    request: &Request,
    headers: &reqwest::header::HeaderMap,
    on_event: &mut (dyn FnMut(Event<'_>) + Send),
) -> Result<Result<reqwest::Response, reqwest::Error>, Failure> {
    let mut url = request.url.clone();
    let mut hops = 0;
    loop {
        if request.admit.as_ref().is_some_and(|admit| !(admit.0)()) {
            return Err(Failure::Refused);
        }
        let sent = client
            .inner
            .request(request.method.clone(), url.clone())
            .headers(headers.clone())
            .body(request.body.clone())
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(err) => return Ok(Err(err)),
        };
        let Some(target) = redirect_to_follow(&request.method, &response) else {
            return Ok(Ok(response));
        };
        if hops == MAX_REDIRECTS {
            return Err(Failure::Redirects(format!(
                "more than {MAX_REDIRECTS} redirects"
            )));
        }
        hops += 1;
        let head = head_of(&response);
        on_event(Event::Redirect {
            status: response.status().as_u16(),
            headers: &head,
            to: &target,
        });
        url = target;
    }
}

impl HttpError {
    /// The failure alone, without the request and id (for retry notes).
    fn failure_reason(&self) -> String {
        match &self.failure {
            Failure::Connect(m) => format!("cannot connect: {m}"),
            Failure::Transport {
                message,
                status: Some(status),
                ..
            } => format!("{} cut short: {message}", status_line(*status)),
            Failure::Transport { message, .. } => format!("connection failed: {message}"),
            _ => self.to_string(),
        }
    }
}

/// Where a 3xx answer sends the request next, when xconn follows it: a `Location` within the
/// origin, for a 307/308 (method and body kept) or, for a GET or HEAD, a 301/302/303. A 301/302/303
/// to any other method would make it a GET without its body: not followed (see [`finish`]).
fn redirect_to_follow(method: &Method, response: &reqwest::Response) -> Option<Url> {
    let status = response.status().as_u16();
    let keeps_method = matches!(status, 307 | 308)
        || (matches!(status, 301..=303) && matches!(*method, Method::GET | Method::HEAD));
    if !keeps_method {
        return None;
    }
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)?
        .to_str()
        .ok()?;
    let target = response.url().join(location).ok()?;
    same_origin(&target, response.url()).then_some(target)
}

fn head_of(response: &reqwest::Response) -> Vec<(String, String)> {
    response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Read the final answer's body within the cap and judge its status.
async fn finish(
    client: &Client,
    request: &Request,
    mut response: reqwest::Response,
    headers: Vec<(String, String)>,
    attempts: u32,
    began: Instant,
) -> Result<Response, Failure> {
    let status = response.status().as_u16();
    let content_type = header(&headers, "content-type").map(str::to_string);
    let body = read_body(client, &mut response, status, &content_type).await?;
    if (200..300).contains(&status) {
        return Ok(Response {
            status,
            headers,
            body,
            request_id: request.request_id.clone(),
            attempts,
            latency: began.elapsed(),
        });
    }
    let refused_redirect = (300..400)
        .contains(&status)
        .then(|| header(&headers, "location"))
        .flatten()
        .and_then(|location| response.url().join(location).ok())
        .map(|target| refused_redirect(request, response.url(), status, &target));
    Err(Failure::Status {
        status,
        content_type,
        prefix: client
            .scrub(&redact::body_prefix(&body, ERROR_BODY_PREFIX))
            .into_owned(),
        body,
        refused_redirect,
    })
}

/// The body of `response` (status `status`), within `--max-response-size`: in one allocation of
/// the announced length, more only if the server lied.
async fn read_body(
    client: &Client,
    response: &mut reqwest::Response,
    status: u16,
    content_type: &Option<String>,
) -> Result<Vec<u8>, Failure> {
    let limit = client.settings.max_response_size;
    let too_large = || Failure::TooLarge {
        limit,
        status,
        content_type: content_type.clone(),
    };
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() as u64 + chunk.len() as u64 > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(err) => {
                return Err(match transport_failure(&err, &client.settings) {
                    Failure::Timeout(t) => Failure::Timeout(t),
                    Failure::Transport { message, .. } | Failure::Connect(message) => {
                        Failure::Transport {
                            message,
                            status: Some(status),
                            content_type: content_type.clone(),
                            prefix: client
                                .scrub(&redact::body_prefix(&body, ERROR_BODY_PREFIX))
                                .into_owned(),
                        }
                    }
                    other => other,
                })
            }
        }
    }
}

/// Why a redirect from `from` to `target` was not followed: another origin, or a 301/302/303
/// that would turn the request into a GET without its body.
fn refused_redirect(request: &Request, from: &Url, status: u16, target: &Url) -> String {
    if !same_origin(target, from) {
        format!(
            "a redirect to another origin ({}) is not followed",
            redact::url(target)
        )
    } else {
        format!(
            "a {status} would turn the {} into a GET without its body: not followed (send \
             it to {} instead, or have the service answer 307 or 308)",
            request.method,
            redact::url(target)
        )
    }
}

/// Sort a reqwest error into a [`Failure`].
fn transport_failure(err: &reqwest::Error, settings: &Settings) -> Failure {
    let cause = root_cause(err);
    if err.is_redirect() {
        Failure::Redirects(cause)
    } else if err.is_connect() {
        Failure::Connect(cause)
    } else if err.is_timeout() {
        Failure::Timeout(settings.timeout)
    } else if err.is_builder() {
        Failure::Invalid(cause)
    } else {
        Failure::Transport {
            message: cause,
            status: None,
            content_type: None,
            prefix: String::new(),
        }
    }
}

/// The innermost cause of an error, without the URL reqwest puts in its own message.
fn root_cause(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    let mut text = err.to_string();
    while let Some(next) = cause.source() {
        cause = next;
        text = next.to_string();
    }
    if std::ptr::addr_eq(cause, err as &dyn std::error::Error) {
        if let Some(url) = err.url() {
            text = text.replace(url.as_str(), &redact::url(url));
        }
    }
    crate::error::escape_control(&text)
}
