//! `xconn serve` as a child process for tests: started on 127.0.0.1 port 0 with a pinned
//! environment, its URL read from its first line, its log collected, killed when dropped.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Scratch;

/// A running `xconn serve`: its URL and its standard error so far.
pub struct Serve {
    child: Child,
    pub url: String,
    log: Arc<Mutex<String>>,
    /// The thread collecting standard error: done once serve (and whatever shares its stderr)
    /// has closed it.
    reader: std::thread::JoinHandle<()>,
}

impl Serve {
    pub fn start(s: &Scratch, args: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xconn"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", "/nonexistent")
            .env("LANG", "C.UTF-8")
            .envs(env.iter().copied())
            .current_dir(s.dir.path())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start xconn serve");
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                let _ = child.kill();
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "first line {first:?}, stderr: {}",
                    log.lock().unwrap().as_str()
                )
            })
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Serve {
            child,
            url,
            log,
            reader,
        }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The log once `ready(log)` holds: polled, never a fixed sleep, so a loaded machine only
    /// makes it wait longer. Panics with the log if it does not hold within a minute.
    pub fn log_when(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let log = self.log();
            if ready(&log) {
                return log;
            }
            assert!(
                Instant::now() < until,
                "the log never showed {what}:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The log once it holds `n` request lines (one per answered request; not the `[ID] stderr:`
    /// lines of `--exec` handlers).
    pub fn log_of_requests(&self, n: usize) -> String {
        self.log_when(&format!("{n} request lines"), |log| {
            log.lines().filter(|l| is_request_line(l)).count() >= n
        })
    }

    /// A request that never finishes, held open while the returned stream lives: its head (with
    /// `Expect: 100-continue`) and the start of a 1,000-byte body. Returns once the server has
    /// answered `100 Continue`, i.e. once the request is in its hands (no sleep, no race).
    pub fn stuck_request(&self) -> std::net::TcpStream {
        use std::io::Write;
        let address = self.url.trim_start_matches("http://").trim_end_matches('/');
        let mut stuck = std::net::TcpStream::connect(address).unwrap();
        stuck
            .write_all(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n",
            )
            .unwrap();
        stuck
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        while !seen.ends_with(b"\r\n\r\n") {
            let n = stuck
                .read(&mut byte)
                .expect("the server answers 100 Continue");
            assert_eq!(n, 1, "closed before 100 Continue: {seen:?}");
            seen.push(byte[0]);
        }
        assert!(
            seen.starts_with(b"HTTP/1.1 100"),
            "{}",
            String::from_utf8_lossy(&seen)
        );
        stuck.write_all(b"{\"inputs\"").unwrap();
        stuck
    }

    pub fn terminate(&self) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
    }

    /// SIGHUP: `serve --jwks` reads its key file again.
    pub fn hangup(&self) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGHUP);
        }
    }

    /// Wait for the process to end (at most `limit`); its exit code.
    pub fn wait(&mut self, limit: Duration) -> Option<i32> {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Everything serve wrote before it exited is in the log before this returns
                // (bounded: a process it left behind could hold its stderr open).
                let read_until = Instant::now() + Duration::from_secs(10);
                while !self.reader.is_finished() && Instant::now() < read_until {
                    std::thread::sleep(Duration::from_millis(5));
                }
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

/// `TIME METHOD PATH STATUS records=N …ms id=ID`, not a handler's `TIME [ID] stderr: …`.
pub fn is_request_line(line: &str) -> bool {
    let mut fields = line.split(' ');
    let _stamp = fields.next();
    fields.next().is_some_and(|f| !f.starts_with('[')) && line.contains(" id=")
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One answer from a server, read with reqwest.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// The `message` of every error entry.
    pub fn messages(&self) -> Vec<String> {
        let doc = self.json();
        assert_eq!(doc["outputs"], serde_json::json!([]), "{}", self.body);
        doc["errors"][0]
            .as_array()
            .unwrap_or_else(|| panic!("no request-level errors: {}", self.body))
            .iter()
            .map(|e| e["message"].as_str().unwrap().to_string())
            .collect()
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

pub async fn post_async(
    client: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = client.post(url).body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

/// POST `body` to `url` with extra `headers`; the answer whatever its status.
pub fn post(url: &str, body: impl Into<Vec<u8>>, headers: &[(&str, &str)]) -> Answer {
    let client = reqwest::Client::new();
    runtime().block_on(post_async(&client, url, body.into(), headers))
}
