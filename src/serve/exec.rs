//! `serve --exec CMD`: one `sh -c CMD` per request, in its own process group, the request body on
//! its stdin and `XCONN_REQUEST_ID` in its environment; its stdout is the response body. A
//! failure to start, a non-zero exit, a timeout, the output limit or a response that is not a
//! valid answer to the request becomes a 500 that says which, with the first stderr lines.
//!
//! What serve guards never reaches a handler or leaves through one ([`Guarded`]): the
//! `--token-env` variable and the client credentials of `call` are not in its environment, and
//! every stderr line (logged with the request id, quoted in a 500) is masked first. The handler's
//! process group is killed whenever its request ends, however it ends ([`Group`], [`kill_all`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::StatusCode;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::{diagnostic_entries, entry, log_line, Answer};
use crate::body::build::ErrorEntry;
use crate::validate::{self, Against, Options};

/// Stderr lines quoted in a failure, at most.
const STDERR_LINES: usize = 5;
/// Stderr lines of one request copied to serve's log, at most (the rest are counted).
const STDERR_LOGGED: usize = 200;
/// Bytes of one stderr line looked at (the rest of a longer line is read and dropped).
const STDERR_LINE_KEPT: usize = 16 << 10;
/// Characters of one quoted or logged stderr line, at most.
const STDERR_WIDTH: usize = 300;

const CATEGORY: &str = "handler_error";

/// Variables never passed to a handler, besides the `--token-env` one and every `CSPARK_*`: the
/// credentials `call` would use.
const HIDDEN_VARIABLES: [&str; 4] = [
    "XCONN_TOKEN",
    "XCONN_TOKEN_FILE",
    "XCONN_CLIENT_SECRET",
    "CSPARK_CLIENT_SECRET",
];

/// What serve guards from its handlers: the variables removed from their environment and the
/// secret masked in what they write.
#[derive(Default)]
pub(crate) struct Guarded {
    hidden: Vec<OsString>,
    secret: Option<String>,
}

impl std::fmt::Debug for Guarded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guarded")
            .field("hidden", &self.hidden)
            .field(
                "secret",
                &self.secret.as_ref().map(|_| crate::http::redact::MASK),
            )
            .finish()
    }
}

impl Guarded {
    /// `token_env`: the `--token-env` variable's name; `secret`: the token it holds.
    pub(crate) fn new(token_env: Option<&str>, secret: Option<&str>) -> Guarded {
        let mut hidden: Vec<OsString> = HIDDEN_VARIABLES.iter().map(OsString::from).collect();
        hidden.extend(token_env.map(OsString::from));
        hidden.extend(
            std::env::vars_os()
                .map(|(name, _)| name)
                .filter(|name| name.as_encoded_bytes().starts_with(b"CSPARK_")),
        );
        Guarded {
            hidden,
            secret: secret.map(str::to_string),
        }
    }

    /// The one masker of serve: every occurrence of the guarded token becomes
    /// [`crate::http::redact::MASK`] (as [`crate::http::redact::scrub`] does it).
    pub(crate) fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        crate::http::redact::scrub(text, self.secret.as_deref())
    }

    /// One error entry with every text in it masked.
    fn masked(&self, mut entry: ErrorEntry) -> ErrorEntry {
        for text in [
            &mut entry.message,
            &mut entry.additional_details,
            &mut entry.source_path,
        ] {
            if let Cow::Owned(masked) = self.mask(text) {
                *text = masked;
            }
        }
        entry
    }
}

/// The handler's stderr as read so far: the first lines (masked, shown as one line each) and
/// how many there were.
#[derive(Default)]
struct Stderr {
    first: Vec<String>,
    count: usize,
}

/// A 500 saying `message`, with the first stderr lines; every entry masked.
fn failure(guarded: &Guarded, message: String, stderr: &Mutex<Stderr>) -> Answer {
    failure_with(guarded, message, Vec::new(), stderr)
}

fn failure_with(
    guarded: &Guarded,
    message: String,
    more: Vec<ErrorEntry>,
    stderr: &Mutex<Stderr>,
) -> Answer {
    let status = StatusCode::INTERNAL_SERVER_ERROR;
    let line = |text: String| entry(CATEGORY, status, "stderr".to_string(), String::new(), text);
    let mut entries = vec![entry(
        CATEGORY,
        status,
        String::new(),
        String::new(),
        message,
    )];
    entries.extend(more);
    let stderr = stderr.lock().unwrap_or_else(|e| e.into_inner());
    entries.extend(stderr.first.iter().cloned().map(line));
    if stderr.count > stderr.first.len() {
        entries.push(line(format!(
            "({} more stderr lines)",
            stderr.count - stderr.first.len()
        )));
    }
    let entries = entries.into_iter().map(|e| guarded.masked(e)).collect();
    Answer::failure(status, entries)
}

/// How long a handler may run and how much it may write.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub(crate) timeout: Duration,
    /// Past this many bytes of stdout the handler is killed and the request gets a 500 (the
    /// answer is held whole to be checked).
    pub(crate) max_output: usize,
}

/// Run `command` for one request of `records` records; `Ok` is the handler's (valid) response.
/// The handler's process group is killed when this returns or is dropped (the client went away).
pub(super) async fn run(
    command: &str,
    limits: Limits,
    guarded: &Guarded,
    body: Bytes,
    records: usize,
    request_id: &str,
) -> Result<Vec<u8>, Answer> {
    let lines = Mutex::new(Stderr::default());
    let mut child = spawn(command, guarded, request_id)
        .map_err(|e| failure(guarded, format!("--exec: cannot start `sh`: {e}"), &lines))?;
    // Declared after `child`, so dropped before it: the group is killed while `sh` (alive or
    // not yet reaped) still holds its id.
    let group = Group::new(child.id(), request_id);
    if let Some(mut stdin) = child.stdin.take() {
        // A handler that does not read its input closes the pipe early: not an error here.
        tokio::spawn(async move {
            let _ = stdin.write_all(&body).await;
        });
    }
    let outputs = collect(
        &mut child,
        &group,
        limits.max_output,
        guarded,
        request_id,
        &lines,
    );
    let outcome = tokio::time::timeout(limits.timeout, outputs).await;
    group.kill();
    let stdout = finished(outcome, limits, guarded, &lines)?;
    valid_answer(stdout, records, guarded, &lines)
}

/// `sh -c COMMAND` in its own process group, pipes on all three streams, the request id in its
/// environment and the guarded variables out of it.
fn spawn(
    command: &str,
    guarded: &Guarded,
    request_id: &str,
) -> std::io::Result<tokio::process::Child> {
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .env("XCONN_REQUEST_ID", request_id)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for name in &guarded.hidden {
        cmd.env_remove(name);
    }
    #[cfg(unix)]
    cmd.process_group(0);
    cmd.spawn()
}

/// How the handler ended and its stdout (at most `max_output + 1` bytes). Both pipes are read at
/// once (a handler blocked on a full stderr pipe would never finish its stdout); past the stdout
/// limit the handler's group is killed, which ends both.
async fn collect(
    child: &mut tokio::process::Child,
    group: &Group,
    max_output: usize,
    guarded: &Guarded,
    request_id: &str,
    lines: &Mutex<Stderr>,
) -> std::io::Result<(std::process::ExitStatus, Vec<u8>)> {
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let (stdout, stderr) = tokio::join!(
        async {
            let stdout = read_at_most(stdout, max_output + 1).await;
            if stdout.as_ref().is_ok_and(|out| out.len() > max_output) {
                group.kill();
            }
            stdout
        },
        read_stderr(stderr, guarded, request_id, lines)
    );
    let status = child.wait().await?;
    stderr?;
    Ok((status, stdout?))
}

/// The handler's stdout when it exited 0 in time and within `--max-output-size`; otherwise the
/// 500 that says which of these it did not.
fn finished(
    outcome: Result<
        std::io::Result<(std::process::ExitStatus, Vec<u8>)>,
        tokio::time::error::Elapsed,
    >,
    limits: Limits,
    guarded: &Guarded,
    lines: &Mutex<Stderr>,
) -> Result<Vec<u8>, Answer> {
    let max_output = limits.max_output;
    let message = match outcome {
        Ok(Ok((_, stdout))) if stdout.len() > max_output => format!(
            "--exec: the handler wrote more than {max_output} bytes to stdout \
             (--max-output-size); it was killed"
        ),
        Ok(Ok((status, stdout))) if status.success() => return Ok(stdout),
        Ok(Ok((status, _))) => format!("--exec: the handler failed ({})", describe(&status)),
        Ok(Err(e)) => format!("--exec: waiting for the handler: {e}"),
        Err(_) => format!(
            "--exec: the handler did not finish within --exec-timeout ({}); it was killed",
            seconds(limits.timeout)
        ),
    };
    Err(failure(guarded, message, lines))
}

/// The handler's stdout (less a leading byte-order mark) when it is a valid response to a
/// request of `records` records; otherwise a 500 listing the problems.
fn valid_answer(
    mut stdout: Vec<u8>,
    records: usize,
    guarded: &Guarded,
    lines: &Mutex<Stderr>,
) -> Result<Vec<u8>, Answer> {
    let options = Options {
        kind: Some(crate::body::Kind::Response),
        against: Some(Against {
            name: "it answers".to_string(),
            records,
        }),
    };
    stdout.drain(..crate::source::bom_len(&stdout));
    let validated = validate::check_bytes(&stdout, &options);
    if !validated.checked.has_errors() {
        return Ok(stdout);
    }
    Err(failure_with(
        guarded,
        "--exec: the handler's response is not a valid answer to the request".to_string(),
        diagnostic_entries(
            CATEGORY,
            StatusCode::INTERNAL_SERVER_ERROR,
            &validated.checked.diagnostics,
        ),
        lines,
    ))
}

/// The handler's stderr, line by line as it comes: each line masked, logged with the request id
/// (the first [`STDERR_LOGGED`]) and kept for a failure (the first [`STDERR_LINES`]); read to
/// the end so the handler never blocks on a full pipe.
async fn read_stderr(
    pipe: Option<impl AsyncRead + Unpin>,
    guarded: &Guarded,
    request_id: &str,
    lines: &Mutex<Stderr>,
) -> std::io::Result<()> {
    let Some(mut pipe) = pipe else {
        return Ok(());
    };
    let emit = |line: &[u8]| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let text = String::from_utf8_lossy(line);
        let shown = crate::http::redact::body_prefix(guarded.mask(&text).as_bytes(), STDERR_WIDTH);
        let mut lines = lines.lock().unwrap_or_else(|e| e.into_inner());
        lines.count += 1;
        if lines.count <= STDERR_LOGGED {
            log_line(&format!("[{request_id}] stderr: {shown}"));
        }
        if lines.first.len() < STDERR_LINES {
            lines.first.push(shown);
        }
    };
    let mut line = Vec::new();
    let mut buf = vec![0u8; 8 << 10];
    loop {
        let n = match pipe.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let mut rest = &buf[..n];
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let room = STDERR_LINE_KEPT.saturating_sub(line.len());
            line.extend_from_slice(&rest[..end.min(room)]);
            emit(&line);
            line.clear();
            rest = &rest[end + 1..];
        }
        let room = STDERR_LINE_KEPT.saturating_sub(line.len());
        line.extend_from_slice(&rest[..rest.len().min(room)]);
    }
    emit(&line);
    let count = lines.lock().unwrap_or_else(|e| e.into_inner()).count;
    if count > STDERR_LOGGED {
        log_line(&format!(
            "[{request_id}] stderr: ({} more lines not logged)",
            count - STDERR_LOGGED
        ));
    }
    Ok(())
}

/// `exit status 3` / `killed by signal 9`.
fn describe(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("killed by signal {signal}");
        }
    }
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => status.to_string(),
    }
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

/// The process groups of the handlers running now, with their request ids.
static GROUPS: Mutex<BTreeMap<i32, String>> = Mutex::new(BTreeMap::new());

/// One handler's process group: registered while it lives, killed (SIGKILL to the whole group)
/// when dropped — the request answered, failed, timed out or dropped because the client left.
struct Group {
    pgid: Option<i32>,
}

impl Group {
    fn new(pid: Option<u32>, request_id: &str) -> Group {
        let pgid = pid.and_then(|p| i32::try_from(p).ok()).filter(|&p| p > 0);
        if let Some(pgid) = pgid {
            GROUPS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(pgid, request_id.to_string());
        }
        Group { pgid }
    }

    fn kill(&self) {
        if let Some(pgid) = self.pgid {
            kill_group(pgid);
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if let Some(pgid) = self.pgid {
            kill_group(pgid);
            GROUPS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&pgid);
        }
    }
}

/// Kill the process group of every handler still running (serve is about to exit: the end of
/// `--grace` or a second signal); the request ids they were serving.
pub(super) fn kill_all() -> Vec<String> {
    let groups = GROUPS.lock().unwrap_or_else(|e| e.into_inner());
    for &pgid in groups.keys() {
        kill_group(pgid);
    }
    groups.values().cloned().collect()
}

/// SIGKILL to the handler's whole process group (`sh` and what it started).
fn kill_group(pgid: i32) {
    #[cfg(unix)]
    // SAFETY: kill(2) with a negative pid signals the process group the child leads (it was
    // started with process_group(0)); no memory is touched.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
    #[cfg(not(unix))]
    let _ = pgid;
}

/// Up to `limit` bytes of `pipe` (all of it when shorter); reading stops there.
async fn read_at_most(
    pipe: Option<impl AsyncRead + Unpin>,
    limit: usize,
) -> std::io::Result<Vec<u8>> {
    let Some(pipe) = pipe else {
        return Ok(Vec::new());
    };
    let mut kept = Vec::new();
    pipe.take(limit as u64).read_to_end(&mut kept).await?;
    Ok(kept)
}
