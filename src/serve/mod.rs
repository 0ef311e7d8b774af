//! `xconn serve`: a local XConnector remote service. axum on a multi-thread tokio runtime; every
//! request is authenticated ([`auth`]), size-limited, put through the fault injection, validated
//! as a request with the one validator, then answered by one handler (echo, a fixture, or a
//! command run per request, see [`exec`]). Every answer that is not the handler's is a
//! spec-shaped request-level failure (see [`failure_body`]); one log line per request goes to
//! standard error.

pub(crate) mod auth;
pub(crate) mod exec;
pub(crate) mod jwks;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body as HttpBody, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;

use crate::body::build::{ErrorEntry, ResponseBuilder};
use crate::body::columns::{self, Column};
use crate::body::{Body, Kind};
use crate::diag::{Diagnostic, Severity};
use crate::error::input_error;
use crate::http::retry::{random_u64, uuid_v4};
use crate::validate::{self, Options};

pub(crate) use auth::Auth;

/// Bodies at least this long are validated on the blocking pool, not on a runtime worker.
const BLOCKING_BODY: usize = 256 * 1024;

/// Diagnostics carried in one error body at most (the rest are counted in the last entry).
const MAX_DIAGNOSTICS: usize = 100;

/// What answers a valid request.
#[derive(Debug, Clone)]
pub(crate) enum Handler {
    /// `outputs` = the request's `inputs`.
    Echo,
    /// Always this (validated) response body.
    Fixture(Bytes),
    /// `sh -c CMD` per request: the body on its stdin, the response on its stdout.
    Exec {
        command: String,
        timeout: Duration,
        /// A handler writing more than this many bytes to stdout is killed (500).
        max_output: usize,
    },
}

/// Fault injection.
#[derive(Debug, Clone, Default)]
pub(crate) struct Faults {
    /// Wait a random time in this range (milliseconds) before answering.
    pub(crate) delay: Option<(u64, u64)>,
    /// Answer this share of requests (0–1) with 503.
    pub(crate) fail_rate: f64,
    /// Answer with this status: a 2xx keeps the handler's body, anything else gets a failure body.
    pub(crate) status: Option<u16>,
}

/// Everything `serve` needs.
pub(crate) struct Settings {
    pub(crate) addr: String,
    pub(crate) handler: Handler,
    pub(crate) auth: Auth,
    pub(crate) max_body_size: usize,
    pub(crate) faults: Faults,
    /// After the first signal, how long the requests in flight may take.
    pub(crate) grace: Duration,
    /// The `--token-env` variable: never passed to an `--exec` handler.
    pub(crate) token_env: Option<String>,
    /// `--sample` / `--columns`: the columns (and kinds) a request must keep, checked before
    /// the handler runs.
    pub(crate) contract: Option<Vec<Column>>,
}

struct App {
    handler: Handler,
    guarded: exec::Guarded,
    auth: Auth,
    max_body_size: usize,
    faults: Faults,
    contract: Option<Arc<Vec<Column>>>,
}

/// Bind, call `ready` with the bound address (the caller prints it), serve until Ctrl-C or
/// SIGTERM, then finish the requests in flight and return. A second signal exits at once.
pub(crate) fn run(
    settings: Settings,
    ready: impl FnOnce(SocketAddr) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| input_error(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&settings.addr)
            .await
            .map_err(|e| input_error(format!("--addr {}: cannot listen: {e}", settings.addr)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| input_error(format!("--addr {}: {e}", settings.addr)))?;
        let guarded = exec::Guarded::new(settings.token_env.as_deref(), settings.auth.secret());
        let app = Arc::new(App {
            handler: settings.handler,
            guarded,
            auth: settings.auth,
            max_body_size: settings.max_body_size,
            faults: settings.faults,
            contract: settings.contract.map(Arc::new),
        });
        #[cfg(unix)]
        if matches!(app.auth, Auth::Jwt(_)) {
            // SIGHUP: read the --jwks file again (set up before the address is printed).
            use tokio::signal::unix::{signal, SignalKind};
            let mut hangup = signal(SignalKind::hangup())
                .map_err(|e| input_error(format!("cannot watch SIGHUP: {e}")))?;
            let app = app.clone();
            tokio::spawn(async move {
                while hangup.recv().await.is_some() {
                    app.auth.reload("SIGHUP");
                }
            });
        }
        let router = Router::new().fallback(handle).with_state(app);
        // The signal handlers are in place before anyone is told the address: a SIGTERM sent
        // as soon as serve answers is never the default action (death without cleanup), and a
        // second one is caught by the same streams.
        let signals = Signals::install();
        ready(addr)?;
        // Answers go out as soon as they are written (no Nagle wait on small responses).
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown_signal(settings.grace, signals))
            .await
            .map_err(|e| input_error(format!("serving: {e}")))?;
        log_line("stopped");
        Ok(())
    })
}

/// Resolves on the first Ctrl-C or SIGTERM; a second one exits the process at once (130), and
/// so does the end of the grace period (0: the stop was asked for).
async fn shutdown_signal(grace: Duration, mut signals: Signals) {
    signals.next().await;
    log_line(&format!(
        "shutting down: finishing the requests in flight, for at most {} s (--grace; a second \
         signal stops at once)",
        grace.as_secs_f64()
    ));
    tokio::spawn(async move {
        signals.next().await;
        cut_off("a second signal");
        log_line("stopped at once");
        std::process::exit(130);
    });
    tokio::spawn(async move {
        tokio::time::sleep(grace).await;
        cut_off("--grace ran out");
        log_line("stopped: requests still in flight at the end of --grace were cut off");
        std::process::exit(0);
    });
}

/// Before serve exits with requests in flight: every handler's process group is killed, and
/// each request gets its log line.
fn cut_off(why: &str) {
    exec::kill_all();
    let in_flight = IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner());
    for request in in_flight.values() {
        log_line(&request.line("-", "-", &format!("cut off ({why})")));
    }
}

/// The requests being answered now, by a serial number.
static IN_FLIGHT: std::sync::Mutex<std::collections::BTreeMap<u64, InFlight>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// One request being answered: what its log line says.
#[derive(Clone)]
struct InFlight {
    method: Method,
    path: String,
    id: String,
    started: Instant,
}

impl InFlight {
    /// `POST /path 200 records=3 1.2ms id=ID`, then `note` if any.
    fn line(&self, status: &str, records: &str, note: &str) -> String {
        let line = format!(
            "{} {} {status} records={records} {:.1}ms id={}",
            self.method,
            crate::error::escape_control(&shorten(&self.path, 200)),
            self.started.elapsed().as_secs_f64() * 1000.0,
            self.id,
        );
        if note.is_empty() {
            line
        } else {
            format!("{line} {note}")
        }
    }
}

/// Registered while its request is answered; dropped unanswered (the client closed the
/// connection, so the request's future was dropped), it logs the request as 499.
struct Pending {
    key: u64,
    request: InFlight,
    answered: bool,
}

impl Pending {
    fn new(request: InFlight) -> Pending {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let key = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        IN_FLIGHT
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, request.clone());
        Pending {
            key,
            request,
            answered: false,
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        IN_FLIGHT
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.key);
        if !self.answered {
            log_line(&self.request.line("499", "-", "client closed request"));
        }
    }
}

/// SIGTERM and SIGINT (Ctrl-C), listened for from the moment they are installed: a signal that
/// comes before anyone waits is kept for the next wait.
struct Signals {
    #[cfg(unix)]
    streams: Vec<tokio::signal::unix::Signal>,
}

impl Signals {
    fn install() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let streams = [SignalKind::terminate(), SignalKind::interrupt()]
                .into_iter()
                .filter_map(|kind| signal(kind).ok())
                .collect();
            Signals { streams }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        {
            if self.streams.is_empty() {
                std::future::pending::<()>().await;
            }
            let waits = self.streams.iter_mut().map(|s| Box::pin(s.recv()));
            let _ = futures_select_all(waits).await;
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The first of several futures to finish.
#[cfg(unix)]
async fn futures_select_all<F: std::future::Future + Unpin>(futures: impl Iterator<Item = F>) {
    let mut futures: Vec<F> = futures.collect();
    std::future::poll_fn(|cx| {
        for future in futures.iter_mut() {
            if std::pin::Pin::new(future).poll(cx).is_ready() {
                return std::task::Poll::Ready(());
            }
        }
        std::task::Poll::Pending
    })
    .await
}

/// One request: answer it, then log it.
async fn handle(State(app): State<Arc<App>>, request: Request) -> Response {
    let id = request_id(request.headers());
    let mut pending = Pending::new(InFlight {
        method: request.method().clone(),
        path: request.uri().path().to_string(),
        id: id.clone(),
        started: Instant::now(),
    });
    let answer = checked_answer(app.answer(request, &id).await).await;
    let mut response = Response::new(HttpBody::from(answer.body));
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert("x-request-id", value);
    }
    for (name, value) in answer.headers {
        headers.insert(name, HeaderValue::from_static(value));
    }
    let records = answer
        .records
        .map_or_else(|| "-".to_string(), |n| n.to_string());
    pending.answered = true;
    log_line(
        &pending
            .request
            .line(&answer.status.as_u16().to_string(), &records, ""),
    );
    response
}

/// One line on standard error, with the time: `2026-05-01T12:00:00.123Z message`.
fn log_line(message: &str) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let stamp = crate::http::token::format_rfc3339(now.as_secs() as i64);
    let stamp = format!(
        "{}.{:03}Z",
        stamp.trim_end_matches('Z'),
        now.subsec_millis()
    );
    let _ = writeln!(crate::output::stderr(), "{stamp} {message}");
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

/// The `x-request-id` the client sent (1–200 visible ASCII characters), else a fresh UUID.
fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 200 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(uuid_v4, str::to_string)
}

/// Every answer `serve` sends passes the validator first — one function on the one path out,
/// whatever made the answer (echo, fixture, `--exec`, serve's own failure bodies): an answer
/// `xconn validate --kind response` would reject is not sent; a 500 that names the rule is, and
/// the log says so.
async fn checked_answer(answer: Answer) -> Answer {
    let body = Bytes::from(answer.body);
    let options = Options {
        kind: Some(Kind::Response),
        against: None,
    };
    let validated = match check(body.clone(), options).await {
        Ok(validated) => validated,
        Err(stopping) => return stopping,
    };
    let Some(first) = validated
        .checked
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
    else {
        return Answer {
            body: body.into(),
            ..answer
        };
    };
    let message = format!(
        "serve built an answer that is not a valid response ({} at {}: {}); it was not sent",
        first.rule,
        if first.pointer.is_empty() {
            "/"
        } else {
            &first.pointer
        },
        first.message
    );
    log_line(&message);
    Answer::simple(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", message)
        .with_records(answer.records)
}

/// What to send back.
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
    headers: Vec<(header::HeaderName, &'static str)>,
    /// The request's records, when it was read and valid.
    records: Option<usize>,
}

impl Answer {
    fn failure(status: StatusCode, entries: Vec<ErrorEntry>) -> Answer {
        Answer {
            status,
            body: failure_body(&entries),
            headers: Vec::new(),
            records: None,
        }
    }

    /// A failure with one entry.
    fn simple(status: StatusCode, category: &str, message: String) -> Answer {
        let entry = entry(category, status, String::new(), String::new(), message);
        Answer::failure(status, vec![entry])
    }

    fn with_records(mut self, records: Option<usize>) -> Answer {
        self.records = records;
        self
    }
}

/// One error entry: `error_type` is the status code, `additional_details` its reason phrase
/// unless given.
fn entry(
    category: &str,
    status: StatusCode,
    details: String,
    source_path: String,
    message: String,
) -> ErrorEntry {
    let details = if details.is_empty() {
        format!(
            "{} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        )
        .trim_end()
        .to_string()
    } else {
        details
    };
    ErrorEntry {
        error_category: category.to_string(),
        error_type: status.as_u16().to_string(),
        additional_details: details,
        source_path,
        message,
    }
}

/// The body of every answer `serve` makes itself (400, 401, 405, 413, 500, 503, `--status`): a
/// request-level failure as in the spec's Example 3 — `outputs: []`, `warnings: [null]`,
/// `errors: [[entry, …]]`, `process_time: [1]` — which `xconn validate --against` accepts for a
/// request of any size.
pub(crate) fn failure_body(entries: &[ErrorEntry]) -> Vec<u8> {
    ResponseBuilder::request_failure(entries, 1.0).to_compact()
}

/// Diagnostics as error entries (errors first, at most [`MAX_DIAGNOSTICS`]):
/// `additional_details` is `XC107 at /inputs/2 (line 3, column 5)`, `source_path` the pointer.
fn diagnostic_entries(
    category: &str,
    status: StatusCode,
    diagnostics: &[Diagnostic],
) -> Vec<ErrorEntry> {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by_key(|d| d.severity != Severity::Error);
    let mut entries: Vec<ErrorEntry> = sorted
        .iter()
        .take(MAX_DIAGNOSTICS)
        .map(|d| {
            entry(
                category,
                status,
                format!(
                    "{} at {} (line {}, column {})",
                    d.rule,
                    d.location(),
                    d.line,
                    d.col
                ),
                d.pointer.clone(),
                if d.severity == Severity::Warning {
                    format!("warning: {}", d.message)
                } else {
                    d.message.clone()
                },
            )
        })
        .collect();
    if sorted.len() > MAX_DIAGNOSTICS {
        entries.push(entry(
            category,
            status,
            String::new(),
            String::new(),
            format!(
                "{} more problems not listed",
                sorted.len() - MAX_DIAGNOSTICS
            ),
        ));
    }
    entries
}

/// Run the validator on the blocking pool when the body is large, inline otherwise.
async fn check(bytes: Bytes, options: Options) -> Result<validate::Validated, Answer> {
    let len = bytes.len();
    off_the_runtime_when_large(len, move || validate::check_bytes(&bytes, &options)).await
}

/// `work` on the blocking pool when it reads a body of `len` bytes or more (so a large body does
/// not hold a runtime worker), inline otherwise. A task the stopping runtime never started is a
/// 503.
async fn off_the_runtime_when_large<T: Send + 'static>(
    len: usize,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Answer> {
    if len < BLOCKING_BODY {
        return Ok(work());
    }
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => Ok(value),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(Answer::simple(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "the server is stopping".to_string(),
        )),
    }
}

impl App {
    /// The answer to one request: each step below either passes the request on or is the answer.
    async fn answer(&self, request: Request, id: &str) -> Answer {
        match self.steps(request, id).await {
            Ok(answer) | Err(answer) => answer,
        }
    }

    /// POST only, authenticated, sent as JSON, within `--max-body-size`, through the faults, a
    /// valid request that keeps the column contract (if any), then the handler's answer.
    async fn steps(&self, request: Request, id: &str) -> Result<Answer, Answer> {
        post_only(request.method())?;
        self.authenticate(request.headers()).await?;
        json_content_type(request.headers())?;
        let bytes = self.read_body(request).await?;
        let status = self.faults.inject().await?;
        let validated = valid_request(&bytes).await?;
        let records = validated.records.unwrap_or(0);
        self.keep_contract(&bytes, &validated)
            .await
            .map_err(|refusal| refusal.with_records(Some(records)))?;
        let body = self
            .run_handler(&bytes, &validated.checked, records, id)
            .await
            .map_err(|failure| failure.with_records(Some(records)))?;
        Ok(Answer {
            status,
            body,
            headers: Vec::new(),
            records: Some(records),
        })
    }

    /// The `Authorization` headers as `auth` wants them; a refusal is a 401 with
    /// `WWW-Authenticate`.
    async fn authenticate(&self, headers: &HeaderMap) -> Result<(), Answer> {
        let authorization: Vec<&[u8]> = headers
            .get_all(header::AUTHORIZATION)
            .iter()
            .map(|v| v.as_bytes())
            .collect();
        self.auth.prepare(&authorization).await;
        let refusal = match self.auth.check(&authorization, crate::http::token::now()) {
            Ok(()) => return Ok(()),
            Err(refusal) => refusal,
        };
        let mut answer = Answer::simple(
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            refusal.reason,
        );
        answer.headers.push((
            header::WWW_AUTHENTICATE,
            if refusal.invalid_token {
                "Bearer error=\"invalid_token\""
            } else {
                "Bearer"
            },
        ));
        Err(answer)
    }

    /// The body, at most `--max-body-size` bytes (413 past it, by `Content-Length` or as it
    /// comes), without a leading byte-order mark (not part of the body, as for a file).
    async fn read_body(&self, request: Request) -> Result<Bytes, Answer> {
        let limit = self.max_body_size;
        let too_large = || {
            Answer::simple(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request_error",
                format!("the request body is over --max-body-size ({limit} bytes)"),
            )
        };
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let bytes = match axum::body::to_bytes(request.into_body(), limit).await {
            Ok(bytes) => bytes,
            Err(e) => {
                let over = std::error::Error::source(&e)
                    .into_iter()
                    .chain(Some(&e as &dyn std::error::Error))
                    .any(|e| e.to_string().contains("length limit exceeded"));
                if over {
                    return Err(too_large());
                }
                return Err(Answer::simple(
                    StatusCode::BAD_REQUEST,
                    "request_error",
                    format!("cannot read the request body: {e}"),
                ));
            }
        };
        Ok(bytes.slice(crate::source::bom_len(&bytes)..))
    }

    /// With `--sample` / `--columns`: a request that breaks the column contract (a column missing
    /// or unknown, a value its column's kind does not admit — [`columns::breaches`]) is a 400
    /// with an entry per breach, before any handler runs.
    async fn keep_contract(
        &self,
        bytes: &Bytes,
        validated: &validate::Validated,
    ) -> Result<(), Answer> {
        let Some(contract) = self.contract.clone() else {
            return Ok(());
        };
        let (bytes, span) = (bytes.clone(), validated.checked.root);
        let breaches = off_the_runtime_when_large(bytes.len(), move || {
            let text = crate::text::utf8(&bytes).ok()?;
            let root = validate::root_at(text, span)?;
            let inputs = Body::view(&root, Some(Kind::Request))?.records()?;
            Some(columns::breaches(
                &contract,
                &inputs,
                "/inputs",
                MAX_DIAGNOSTICS,
            ))
        })
        .await?
        .unwrap_or_default();
        if breaches.is_empty() {
            return Ok(());
        }
        let status = StatusCode::BAD_REQUEST;
        Err(Answer::failure(
            status,
            breaches
                .into_iter()
                .map(|b| {
                    entry(
                        "validation_error",
                        status,
                        format!(
                            "the service's columns (--sample/--columns) at {}",
                            b.pointer
                        ),
                        b.pointer,
                        b.message,
                    )
                })
                .collect(),
        ))
    }

    /// The handler's body for a valid request of `records` records.
    async fn run_handler(
        &self,
        bytes: &Bytes,
        checked: &validate::Checked,
        records: usize,
        id: &str,
    ) -> Result<Vec<u8>, Answer> {
        match &self.handler {
            Handler::Echo => echo(bytes, checked),
            Handler::Fixture(body) => Ok(body.to_vec()),
            Handler::Exec {
                command,
                timeout,
                max_output,
            } => {
                let limits = exec::Limits {
                    timeout: *timeout,
                    max_output: *max_output,
                };
                exec::run(command, limits, &self.guarded, bytes.clone(), records, id).await
            }
        }
    }
}

/// Only POST carries a request body: anything else is a 405 with `Allow: POST`.
fn post_only(method: &Method) -> Result<(), Answer> {
    if method == Method::POST {
        return Ok(());
    }
    let mut answer = Answer::simple(
        StatusCode::METHOD_NOT_ALLOWED,
        "request_error",
        format!(
            "method {} is not allowed: send the request body with POST",
            crate::error::escape_control(method.as_str())
        ),
    );
    answer.headers.push((header::ALLOW, "POST"));
    Err(answer)
}

/// A body declared as anything but JSON (`application/json`, or `application/…+json`, any
/// parameters) is a 415 with `Accept: application/json`: the spec's service accepts JSON input,
/// and a service that parses a `text/plain` or form body as JSON hides a client's mistake. A
/// request without `Content-Type` is read as JSON.
fn json_content_type(headers: &HeaderMap) -> Result<(), Answer> {
    let declared: Vec<&[u8]> = headers
        .get_all(header::CONTENT_TYPE)
        .iter()
        .map(|v| v.as_bytes())
        .collect();
    let is_json = |value: &[u8]| {
        let media = value.split(|&b| b == b';').next().unwrap_or_default();
        let media = String::from_utf8_lossy(media).trim().to_ascii_lowercase();
        media == "application/json"
            || media
                .strip_prefix("application/")
                .is_some_and(|sub| sub.len() > "+json".len() && sub.ends_with("+json"))
    };
    let Some(other) = declared.iter().find(|value| !is_json(value)) else {
        return Ok(());
    };
    let mut answer = Answer::simple(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "request_error",
        format!(
            "Content-Type {}: send the request body as application/json",
            crate::error::escape_control(&String::from_utf8_lossy(other))
        ),
    );
    answer.headers.push((header::ACCEPT, "application/json"));
    Err(answer)
}

/// The body checked as a request; one with errors is a 400 listing them.
async fn valid_request(bytes: &Bytes) -> Result<validate::Validated, Answer> {
    let options = Options {
        kind: Some(Kind::Request),
        against: None,
    };
    let validated = check(bytes.clone(), options).await?;
    if !validated.checked.has_errors() {
        return Ok(validated);
    }
    Err(Answer::failure(
        StatusCode::BAD_REQUEST,
        diagnostic_entries(
            "validation_error",
            StatusCode::BAD_REQUEST,
            &validated.checked.diagnostics,
        ),
    )
    .with_records(validated.records))
}

impl Faults {
    /// `--delay`, then `--fail-rate` (503), then `--status`: an error status is the answer, a
    /// 2xx (or 200 without `--status`) is the status the handler's body goes out with.
    async fn inject(&self) -> Result<StatusCode, Answer> {
        if let Some(wait) = self.delay() {
            tokio::time::sleep(wait).await;
        }
        if self.fail_rate > 0.0 && chance() < self.fail_rate {
            return Err(Answer::simple(
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
                format!("injected failure (--fail-rate {})", self.fail_rate),
            ));
        }
        match self.status.and_then(|s| StatusCode::from_u16(s).ok()) {
            Some(status) if !status.is_success() => Err(Answer::simple(
                status,
                "injected_error",
                format!("injected status (--status {})", status.as_u16()),
            )),
            Some(status) => Ok(status),
            None => Ok(StatusCode::OK),
        }
    }

    fn delay(&self) -> Option<Duration> {
        let (min, max) = self.delay?;
        let ms = if max > min {
            min + random_u64() % (max - min + 1)
        } else {
            min
        };
        Some(Duration::from_millis(ms))
    }
}

/// A uniform number in [0, 1).
fn chance() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// `--echo`: the request's header and records as the outputs, each row copied from the request
/// text as it is; no warnings or errors; `process_time` 1 per record (the spec's minimum).
fn echo(bytes: &[u8], checked: &validate::Checked) -> Result<Vec<u8>, Answer> {
    let internal = || {
        Answer::simple(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the checked request could not be read again".to_string(),
        )
    };
    let text = crate::text::utf8(bytes).map_err(|_| internal())?;
    let root = validate::body_root(text, checked).ok_or_else(internal)?;
    let body = Body::view(&root, Some(Kind::Request)).ok_or_else(internal)?;
    let mut builder = ResponseBuilder::new();
    if let Some(table) = body.records() {
        if let Some(header) = table.header {
            builder.header_raw(header.raw());
        }
        for record in table.records() {
            builder.record_raw(record.raw(), &[], &[], 1.0);
        }
    }
    Ok(builder.to_compact())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked_now(status: StatusCode, body: &str) -> Answer {
        let answer = Answer {
            status,
            body: body.as_bytes().to_vec(),
            headers: Vec::new(),
            records: Some(1),
        };
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(checked_answer(answer))
    }

    /// An answer that is not a valid response never leaves: whatever built it, the one way out
    /// turns it into a 500 naming the rule, itself a valid response.
    #[test]
    fn an_invalid_answer_becomes_a_500_that_names_the_rule() {
        for body in [
            r#"{"outputs": [{"a": 1}], "warnings": [null], "errors": [null], "process_time": [1]}"#,
            r#"{"outputs": [["a", "a"], [1, 2]], "warnings": [null], "errors": [null], "process_time": [1]}"#,
            "not json",
        ] {
            let answer = checked_now(StatusCode::OK, body);
            assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
            let text = String::from_utf8(answer.body.clone()).unwrap();
            assert!(text.contains("not a valid response (XC"), "{text}");
            let again = validate::check_bytes(
                &answer.body,
                &Options {
                    kind: Some(Kind::Response),
                    against: None,
                },
            );
            assert!(!again.checked.has_errors(), "{text}");
        }
        let good = r#"{"outputs": [["a"], [1]], "warnings": [null], "errors": [null], "process_time": [1]}"#;
        let answer = checked_now(StatusCode::OK, good);
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body, good.as_bytes());
    }

    #[test]
    fn echo_copies_rows_as_written() {
        let text = br#"{"inputs": [["a", "b"], [1.50, "x"], [2e3, null]]}"#;
        let validated = validate::check_bytes(
            text,
            &Options {
                kind: Some(Kind::Request),
                against: None,
            },
        );
        let body = echo(text, &validated.checked).ok().unwrap();
        assert_eq!(
            String::from_utf8(body).unwrap(),
            r#"{"outputs":[["a", "b"],[1.50, "x"],[2e3, null]],"warnings":[null,null],"errors":[null,null],"process_time":[1,1]}"#
        );
    }

    #[test]
    fn failure_bodies_are_valid_answers_to_any_request() {
        let diagnostics = vec![Diagnostic::new(
            "XC107",
            Severity::Error,
            "/inputs/2",
            "the record has 1 value, the header 2 columns",
        )];
        let body = failure_body(&diagnostic_entries(
            "validation_error",
            StatusCode::BAD_REQUEST,
            &diagnostics,
        ));
        let options = Options {
            kind: Some(Kind::Response),
            against: Some(validate::Against {
                name: "req".into(),
                records: 7,
            }),
        };
        let validated = validate::check_bytes(&body, &options);
        assert!(
            validated.checked.diagnostics.is_empty(),
            "{:?}",
            validated.checked.diagnostics
        );
        let text = String::from_utf8(body).unwrap();
        assert!(text.contains(r#""additional_details":"XC107 at /inputs/2 (line 0, column 0)""#));
    }
}
