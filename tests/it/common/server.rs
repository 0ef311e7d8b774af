//! A tiny real HTTP/1.1 server for the network tests: listens on 127.0.0.1 port 0, answers each
//! request from a closure (given the 0-based hit number and the recorded request), and records
//! every request it received. One thread per connection, `Connection: close` on every answer.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Announce a longer body than is sent, then close (a response cut short).
    pub truncate: bool,
    /// The status line's reason phrase (`X` unless given).
    pub reason: Option<String>,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
            truncate: false,
            reason: None,
        }
    }

    /// 200 with a JSON body.
    pub fn json(body: &str) -> Reply {
        Reply::status(200)
            .header("Content-Type", "application/json")
            .body(body)
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, body: impl AsRef<[u8]>) -> Reply {
        self.body = body.as_ref().to_vec();
        self
    }

    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    pub fn reason(mut self, reason: &str) -> Reply {
        self.reason = Some(reason.into());
        self
    }

    pub fn truncated(mut self) -> Reply {
        self.truncate = true;
        self
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = dyn Fn(usize, &Recorded) -> Reply + Send + Sync;

/// A running server; it lives until the test process ends.
pub struct Server {
    pub port: u16,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Server {
    /// Start a server answering with `handler(hit, request)`.
    pub fn start(handler: impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static) -> Server {
        Server::listen(handler, |stream, handler, recorded| {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            serve(stream, handler, recorded)
        })
    }

    /// Start an HTTPS server (TLS by rustls) with the certificate chain and PKCS#8 key in
    /// these PEM files, answering with `handler(hit, request)`. A client that gives up on the
    /// handshake (an untrusted certificate) is recorded as nothing.
    pub fn start_tls(
        cert_chain: &std::path::Path,
        key: &std::path::Path,
        handler: impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static,
    ) -> Server {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs = CertificateDer::pem_file_iter(cert_chain)
            .expect("read the certificate chain")
            .collect::<Result<Vec<_>, _>>()
            .expect("PEM certificates");
        let key = PrivateKeyDer::from_pem_file(key).expect("read the key");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("a certificate and its key");
        let config = Arc::new(config);
        Server::listen(handler, move |stream, handler, recorded| {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            if let Ok(connection) = rustls::ServerConnection::new(Arc::clone(&config)) {
                serve(
                    rustls::StreamOwned::new(connection, stream),
                    handler,
                    recorded,
                )
            }
        })
    }

    /// Listen on 127.0.0.1 port 0; each connection gets a thread running `connection`.
    fn listen(
        handler: impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static,
        connection: impl Fn(TcpStream, &Handler, &Mutex<Vec<Recorded>>) + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let recorded = Arc::clone(&requests);
        let connection = Arc::new(connection);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let handler = Arc::clone(&handler);
                let recorded = Arc::clone(&recorded);
                let connection = Arc::clone(&connection);
                std::thread::spawn(move || connection(stream, &*handler, &recorded));
            }
        });
        Server { port, requests }
    }

    /// A server that answers every request with `reply`.
    pub fn always(reply: Reply) -> Server {
        Server::start(move |_, _| reply.clone())
    }

    /// `http://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    /// `https://127.0.0.1:PORT/path`.
    pub fn https_url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{}", self.port, path)
    }

    /// Requests received so far.
    pub fn hits(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then closed).
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Answer one request on `stream` (plain TCP or TLS).
fn serve<S: Read + Write>(stream: S, handler: &Handler, recorded: &Mutex<Vec<Recorded>>) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let request = Recorded {
        method,
        path,
        headers,
        body,
    };
    let hit = {
        let mut all = recorded.lock().unwrap();
        all.push(request.clone());
        all.len() - 1
    };
    let reply = handler(hit, &request);
    std::thread::sleep(reply.delay);
    let mut stream = reader.into_inner();
    let announced = reply.body.len() + if reply.truncate { 100 } else { 0 };
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {announced}\r\nConnection: close\r\n",
        reply.status,
        reply.reason.as_deref().unwrap_or("X")
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&reply.body);
    let _ = stream.flush();
}

/// A valid answer to `request`: one `y` column holding 1 for each of its records, or 400 when
/// it has none (or is not a request).
pub fn answer_each_record(request: &Recorded) -> Reply {
    let records = xconn::json::parse(std::str::from_utf8(&request.body).unwrap_or(""))
        .ok()
        .and_then(|root| {
            xconn::body::Body::view(&root, None)
                .and_then(|b| b.records())
                .map(|t| t.records().count())
        })
        .unwrap_or(0);
    if records == 0 {
        return Reply::status(400);
    }
    let rows = vec!["[1]"; records].join(",");
    let nulls = vec!["null"; records].join(",");
    let times = vec!["1"; records].join(",");
    Reply::json(&format!(
        r#"{{"outputs":[["y"],{rows}],"warnings":[{nulls}],"errors":[{nulls}],"process_time":[{times}]}}"#
    ))
}

/// A server that answers every request with `reply` written as is (any bytes: a broken status
/// line, a lying header, a bad chunk), then closes; returns its port.
pub fn raw(reply: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                // The request head and its body (Content-Length), then the reply.
                let mut seen = Vec::new();
                let mut buf = [0u8; 8192];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if seen.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let _ = stream.write_all(reply);
            });
        }
    });
    port
}
