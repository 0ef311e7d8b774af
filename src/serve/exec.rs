//! `serve --exec CMD`: one `sh -c CMD` per request, in its own process group, the request body on
//! its stdin and `XCONN_REQUEST_ID` in its environment; its stdout is the response body. A
//! failure to start, a non-zero exit, a timeout (the whole group is killed) or a response that is
//! not a valid answer to the request becomes a 500 that says which, with the first stderr lines.

use std::process::Stdio;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::StatusCode;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::{diagnostic_entries, entry, Answer};
use crate::validate::{self, Against, Options};

/// Stderr lines quoted in a failure, at most.
const STDERR_LINES: usize = 5;
/// Stderr kept for the failure message (the rest is read and dropped).
const STDERR_KEPT: usize = 64 << 10;
/// Characters of one quoted stderr line, at most.
const STDERR_WIDTH: usize = 300;

const CATEGORY: &str = "handler_error";

fn failure(message: String, stderr: &[u8]) -> Answer {
    let status = StatusCode::INTERNAL_SERVER_ERROR;
    let mut entries = vec![entry(
        CATEGORY,
        status,
        String::new(),
        String::new(),
        message,
    )];
    let lines: Vec<&[u8]> = stderr
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .collect();
    for line in lines.iter().take(STDERR_LINES) {
        entries.push(entry(
            CATEGORY,
            status,
            "stderr".to_string(),
            String::new(),
            crate::http::redact::body_prefix(line, STDERR_WIDTH),
        ));
    }
    if lines.len() > STDERR_LINES {
        entries.push(entry(
            CATEGORY,
            status,
            "stderr".to_string(),
            String::new(),
            format!("({} more stderr lines)", lines.len() - STDERR_LINES),
        ));
    }
    Answer::failure(status, entries)
}

/// How long a handler may run and how much it may write.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub timeout: Duration,
    /// Past this many bytes of stdout the handler is killed and the request gets a 500 (the
    /// answer is held whole to be checked).
    pub max_output: usize,
}

/// Run `command` for one request of `records` records; `Ok` is the handler's (valid) response.
pub(super) async fn run(
    command: &str,
    Limits {
        timeout,
        max_output,
    }: Limits,
    body: Bytes,
    records: usize,
    request_id: &str,
) -> Result<Vec<u8>, Answer> {
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .env("XCONN_REQUEST_ID", request_id)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = cmd
        .spawn()
        .map_err(|e| failure(format!("--exec: cannot start `sh`: {e}"), b""))?;
    let pid = child.id();
    if let Some(mut stdin) = child.stdin.take() {
        // A handler that does not read its input closes the pipe early: not an error here.
        tokio::spawn(async move {
            let _ = stdin.write_all(&body).await;
        });
    }
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let collect = async {
        // Both pipes at once (a handler blocked on a full stderr pipe would never finish its
        // stdout); past the stdout limit the handler's group is killed, which ends both.
        let (stdout, stderr) = tokio::join!(
            async {
                let stdout = read_at_most(stdout, max_output + 1, false).await;
                if stdout.as_ref().is_ok_and(|out| out.len() > max_output) {
                    kill_group(pid);
                }
                stdout
            },
            read_at_most(stderr, STDERR_KEPT, true)
        );
        let status = child.wait().await?;
        Ok::<_, std::io::Error>(std::process::Output {
            status,
            stdout: stdout?,
            stderr: stderr?,
        })
    };
    let output = match tokio::time::timeout(timeout, collect).await {
        Ok(Ok(output)) if output.stdout.len() > max_output => {
            return Err(failure(
                format!(
                    "--exec: the handler wrote more than {max_output} bytes to stdout \
                     (--max-output-size); it was killed"
                ),
                &output.stderr,
            ))
        }
        Ok(Ok(output)) => output,
        Ok(Err(e)) => {
            return Err(failure(
                format!("--exec: waiting for the handler: {e}"),
                b"",
            ))
        }
        Err(_) => {
            kill_group(pid);
            return Err(failure(
                format!(
                    "--exec: the handler did not finish within --exec-timeout ({}); it was killed",
                    seconds(timeout)
                ),
                b"",
            ));
        }
    };
    if !output.status.success() {
        return Err(failure(
            format!("--exec: the handler failed ({})", describe(&output.status)),
            &output.stderr,
        ));
    }
    let options = Options {
        kind: Some(crate::body::Kind::Response),
        against: Some(Against {
            name: "it answers".to_string(),
            records,
        }),
    };
    let mut stdout = output.stdout;
    stdout.drain(..crate::source::bom_len(&stdout));
    let validated = validate::check_bytes(&stdout, &options);
    if validated.checked.has_errors() {
        let status = StatusCode::INTERNAL_SERVER_ERROR;
        let mut entries = vec![entry(
            CATEGORY,
            status,
            String::new(),
            String::new(),
            "--exec: the handler's response is not a valid answer to the request".to_string(),
        )];
        entries.extend(diagnostic_entries(
            CATEGORY,
            status,
            &validated.checked.diagnostics,
        ));
        return Err(Answer::failure(status, entries));
    }
    Ok(stdout)
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

/// Kill the handler's whole process group (`sh` and what it started).
fn kill_group(pid: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()).filter(|&p| p > 0) {
        // SAFETY: kill(2) with a negative pid signals the process group the child leads (it
        // was started with process_group(0)); no memory is touched.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// Up to `limit` bytes of `pipe` (all of it when shorter). With `drain`, the rest is read and
/// dropped to the end, so the writer never blocks on a full pipe; without, reading stops there.
async fn read_at_most(
    pipe: Option<impl AsyncRead + Unpin>,
    limit: usize,
    drain: bool,
) -> std::io::Result<Vec<u8>> {
    let Some(mut pipe) = pipe else {
        return Ok(Vec::new());
    };
    let mut kept = Vec::new();
    (&mut pipe)
        .take(limit as u64)
        .read_to_end(&mut kept)
        .await?;
    if drain && kept.len() == limit {
        tokio::io::copy(&mut pipe, &mut tokio::io::sink()).await?;
    }
    Ok(kept)
}
