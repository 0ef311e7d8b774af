//! The transport group: the spec requires an HTTPS endpoint. A non-loopback `http://` URL fails
//! `https`; for an `https://` URL one TLS handshake (rustls, the stack `call` uses; trust is
//! judged by the other probes, not here) reports the TLS version and the certificate's days to
//! expiry, failing under TLS 1.2 or on an expired certificate, warning under `--cert-days`.

use std::io::{self, Read, Write};
use std::net::{IpAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::{Group, Probe, Settings, Verdict};
use crate::http::{Client, Url};

/// Run the transport probe (skipped with `--skip https` or `--skip transport`).
pub(crate) async fn run(settings: &Settings, _client: &Client) -> Vec<Probe> {
    let url = settings.url.clone();
    let cert_days = settings.cert_days;
    let probe = |verdict, reason: String| Probe::new(Group::Transport, "https", verdict, reason);
    if !settings.runs(Group::Transport, "https") {
        return Vec::new();
    }
    if url.scheme() != "https" {
        return vec![if loopback(&url) {
            probe(
                Verdict::Pass,
                "http:// to a loopback address: fine for local development (Spark needs HTTPS)"
                    .to_string(),
            )
        } else {
            probe(
                Verdict::Fail,
                "http:// to a host that is not loopback: the spec requires an HTTPS endpoint"
                    .to_string(),
            )
        }];
    }
    let proxy = match proxy_for(&url, |name| std::env::var(name).ok()) {
        Ok(proxy) => proxy,
        Err(why) => return vec![probe(Verdict::Skip, why)],
    };
    let budget = &settings.spending;
    // The handshake is no request (`--max-requests` does not count it). The whole probe —
    // connecting, the CONNECT exchange, the TLS handshake — has one deadline: `--timeout`, or
    // the `--budget` deadline when that comes first (then it is not started after it, and is cut
    // there as a budget skip, not a failure).
    let by_budget = budget.remaining().filter(|left| *left < settings.timeout);
    let deadline = Deadline::after(by_budget.unwrap_or(settings.timeout));
    let via = proxy.as_ref().map(|p| p.shown.clone());
    let task = tokio::task::spawn_blocking(move || handshake(&url, proxy.as_ref(), deadline));
    let seen = match budget.within(task).await {
        Err(spent) => return vec![spent.probe(Group::Transport, "https")],
        Ok(joined) => {
            joined.unwrap_or_else(|e| Err(Broke::Other(format!("the TLS probe failed: {e}"))))
        }
    };
    let mut verdict = match seen {
        Err(Broke::TimedOut(why)) => match by_budget.and_then(|_| budget.cut()) {
            Some(spent) => return vec![spent.probe(Group::Transport, "https")],
            None => probe(Verdict::Fail, why),
        },
        Err(Broke::Other(why)) => probe(Verdict::Fail, why),
        Ok(tls) => judge(&tls, cert_days, crate::http::token::now()),
    };
    if let Some(via) = via {
        verdict
            .reason
            .push_str(&format!(" (through the proxy {via}, tunnelled by CONNECT)"));
    }
    vec![verdict]
}

/// The one deadline of the TLS probe: every socket wait (connecting, each write and read) is
/// given the time left, so a proxy or server that trickles bytes cannot stretch it.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: Instant,
    wait: Duration,
}

/// Why the probe saw no handshake: the deadline passed, or something else.
#[derive(Debug)]
enum Broke {
    TimedOut(String),
    Other(String),
}

impl Deadline {
    fn after(wait: Duration) -> Deadline {
        Deadline {
            at: Instant::now() + wait,
            wait,
        }
    }

    /// `timed out after 2 s (doing)`.
    fn timed_out(&self, doing: &str) -> Broke {
        let seconds = self.wait.as_millis() as f64 / 1000.0;
        Broke::TimedOut(format!("timed out after {seconds} s ({doing})"))
    }

    /// The time left before the deadline, or the timeout while `doing`.
    fn left(&self, doing: &str) -> Result<Duration, Broke> {
        let left = self.at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.timed_out(doing));
        }
        Ok(left)
    }

    /// `sock`'s reads and writes wait at most the time left.
    fn arm(&self, sock: &TcpStream, doing: &str) -> Result<(), Broke> {
        let left = self.left(doing)?;
        sock.set_read_timeout(Some(left))
            .and_then(|()| sock.set_write_timeout(Some(left)))
            .map_err(|e| Broke::Other(e.to_string()))
    }

    /// An I/O error while `doing`: a socket wait that ran out is the timeout; any other error
    /// is `failed: error`.
    fn io(&self, e: &io::Error, doing: &str, failed: &str) -> Broke {
        match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => self.timed_out(doing),
            _ => Broke::Other(format!("{failed}: {e}")),
        }
    }
}

/// An HTTP proxy the TLS handshake is tunnelled through, as `call`'s client would use it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Proxy {
    host: String,
    port: u16,
    /// `Proxy-Authorization` (Basic), from the proxy URL's user and password.
    authorization: Option<String>,
    /// `host:port`, for the report (never the credentials).
    shown: String,
}

/// The proxy `call`'s client (reqwest) takes for the `https` URL `url`, read from the
/// environment the same way: `HTTPS_PROXY` (else `https_proxy`), else `ALL_PROXY` (else
/// `all_proxy`); none when `NO_PROXY` (else `no_proxy`) names the host — a domain with its
/// subdomains, an IP address or network, or `*` — or under CGI (`REQUEST_METHOD` set). An
/// `https://` or SOCKS proxy is an `Err`: the probe is skipped, saying why.
fn proxy_for(url: &Url, env: impl Fn(&str) -> Option<String>) -> Result<Option<Proxy>, String> {
    let first = |names: [&str; 2]| names.iter().find_map(|n| env(n)).unwrap_or_default();
    if env("REQUEST_METHOD").is_some() {
        return Ok(None);
    }
    let host = url.host_str().unwrap_or("");
    if no_proxy(&first(["NO_PROXY", "no_proxy"]), host) {
        return Ok(None);
    }
    let https = first(["HTTPS_PROXY", "https_proxy"]);
    let all = first(["ALL_PROXY", "all_proxy"]);
    let Some(value) = [https, all].into_iter().find(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    let value = value.trim();
    let with_scheme = if value.contains("://") {
        value.to_string()
    } else {
        format!("http://{value}")
    };
    let parsed = Url::parse(&with_scheme)
        .ok()
        .filter(|u| u.host_str().is_some());
    let Some(proxy) = parsed else {
        return Ok(None);
    };
    let (host, port) = (
        proxy.host_str().unwrap_or_default(),
        proxy.port_or_known_default(),
    );
    // `[::1]` in the URL; `::1` to connect to.
    let bare = unbracketed(host);
    let shown = format!("{}://{host}:{}", proxy.scheme(), port.unwrap_or(0));
    if proxy.scheme() != "http" {
        return Err(format!(
            "through the proxy {shown}: the TLS probe tunnels only through an http:// proxy, so \
             it cannot see the service's own TLS here (the other probes still go through it)"
        ));
    }
    let authorization = (!proxy.username().is_empty()).then(|| {
        use base64::engine::general_purpose::STANDARD;
        use base64::Engine;
        let user = percent_decoded(proxy.username());
        let password = percent_decoded(proxy.password().unwrap_or(""));
        format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
    });
    Ok(Some(Proxy {
        host: bare.to_string(),
        port: port.unwrap_or(80),
        authorization,
        shown: format!("{host}:{}", port.unwrap_or(80)),
    }))
}

/// `%XX` escapes decoded (a proxy URL's user and password).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An IPv6 host without the brackets of its URL form (`[::1]` → `::1`).
fn unbracketed(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// Whether a `NO_PROXY` list sends `host` past the proxy, exactly as `call`'s client
/// (hyper-util's matcher) decides: an IP host only by an entry that is an IP address or network
/// (`10.0.0.0/8`) holding it — never by a domain entry, nor by `*`; a domain host by `*`, or by
/// a domain (with or without a leading `.`) that is the host or one of its parents.
fn no_proxy(list: &str, host: &str) -> bool {
    let host = unbracketed(host);
    let ip = host.parse::<IpAddr>().ok();
    list.split(',')
        .map(str::trim)
        .any(|entry| match (network(entry), ip) {
            (Some((net, bits)), Some(ip)) => in_network(ip, net, bits),
            (Some(_), None) | (None, Some(_)) => false,
            (None, None) => {
                let domain = entry.strip_prefix('.').unwrap_or(entry);
                entry == "*"
                    || !domain.is_empty()
                        && (host.eq_ignore_ascii_case(domain)
                            || host.len() > domain.len()
                                && host[host.len() - domain.len()..].eq_ignore_ascii_case(domain)
                                && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
            }
        })
}

/// A `NO_PROXY` entry that is an IP address, or a network `address/bits` with `bits` no more
/// than the address's width (anything else is a domain, as for hyper-util).
fn network(entry: &str) -> Option<(IpAddr, Option<u32>)> {
    let Some((addr, bits)) = entry.split_once('/') else {
        return entry.parse().ok().map(|ip| (ip, None));
    };
    let net: IpAddr = addr.parse().ok()?;
    let width = if net.is_ipv4() { 32 } else { 128 };
    let bits = Some(bits)
        .filter(|b| !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()))?
        .parse::<u32>()
        .ok()
        .filter(|b| *b <= width)?;
    Some((net, Some(bits)))
}

/// Whether `ip` is in `net`/`bits` (all bits when `bits` is `None`).
fn in_network(ip: IpAddr, net: IpAddr, bits: Option<u32>) -> bool {
    let (ip, net, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(a) as u128, u32::from(b) as u128, 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    let bits = bits.unwrap_or(width);
    let shift = width - bits;
    bits == 0 || (ip >> shift) == (net >> shift)
}

/// What one handshake showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tls {
    pub(crate) version: String,
    /// The leaf certificate's `notAfter`, seconds since the epoch.
    pub(crate) not_after: Option<i64>,
}

pub(crate) fn judge(tls: &Tls, cert_days: i64, now: i64) -> Probe {
    let probe = |verdict, reason: String| Probe::new(Group::Transport, "https", verdict, reason);
    let modern = matches!(tls.version.as_str(), "TLS 1.2" | "TLS 1.3");
    let Some(not_after) = tls.not_after else {
        return probe(
            Verdict::Fail,
            format!(
                "{}: the certificate's expiry could not be read",
                tls.version
            ),
        );
    };
    let days = (not_after - now).div_euclid(86_400);
    let text = format!(
        "{}, certificate expires in {days} days ({})",
        tls.version,
        crate::http::token::format_date(not_after)
    );
    if !modern {
        probe(Verdict::Fail, format!("{text}: below TLS 1.2"))
    } else if not_after <= now {
        probe(
            Verdict::Fail,
            format!("{text}: the certificate has expired"),
        )
    } else if days < cert_days {
        probe(
            Verdict::Warn,
            format!("{text}: under --cert-days {cert_days}"),
        )
    } else {
        probe(Verdict::Pass, text)
    }
}

fn loopback(url: &Url) -> bool {
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

/// Accepts any certificate: this probe reads the handshake, it does not judge trust.
#[derive(Debug)]
struct Inspect(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Inspect {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// One TLS handshake with the URL's host — directly, or tunnelled through `proxy` by an HTTP
/// `CONNECT` — all of it by `deadline`: the version and the leaf certificate's expiry.
fn handshake(url: &Url, proxy: Option<&Proxy>, deadline: Deadline) -> Result<Tls, Broke> {
    let other = Broke::Other;
    let host = url
        .host_str()
        .ok_or(other("the URL has no host".to_string()))?;
    let port = url.port_or_known_default().unwrap_or(443);
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| other(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Inspect(provider)))
        .with_no_client_auth();
    let bare = unbracketed(host);
    let name = ServerName::try_from(bare.to_string()).map_err(|e| other(format!("{host}: {e}")))?;
    let mut conn =
        rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| other(e.to_string()))?;
    let mut sock = match proxy {
        None => connect(bare, port, &format!("{host}:{port}"), deadline)?,
        Some(proxy) => tunnel(proxy, host, port, deadline)?,
    };
    let doing = format!("the TLS handshake with {host}:{port}");
    let failed = format!("no TLS 1.2 or 1.3 handshake with {host}:{port}");
    while conn.is_handshaking() {
        deadline.arm(&sock, &doing)?;
        if conn.wants_write() {
            conn.write_tls(&mut sock)
                .map_err(|e| deadline.io(&e, &doing, &failed))?;
            continue;
        }
        match conn.read_tls(&mut sock) {
            Ok(0) => return Err(other(format!("{failed}: the connection closed"))),
            Ok(_) => {}
            Err(e) => return Err(deadline.io(&e, &doing, &failed)),
        }
        if let Err(e) = conn.process_new_packets() {
            let _ = conn.write_tls(&mut sock);
            return Err(other(format!("{failed}: {e}")));
        }
    }
    let version = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".to_string(),
        Some(other) => format!("{other:?}"),
        None => "an unknown TLS version".to_string(),
    };
    let not_after = conn
        .peer_certificates()
        .and_then(|certs| certs.first())
        .and_then(|leaf| not_after(leaf.as_ref()));
    conn.send_close_notify();
    if deadline.arm(&sock, &doing).is_ok() {
        let _ = conn.write_tls(&mut sock);
        let _ = sock.flush();
        let _ = sock.read(&mut [0u8; 1]);
    }
    Ok(Tls { version, not_after })
}

/// A TCP connection to `host:port` (`shown` in messages: `the proxy`, `host:port`) by
/// `deadline`.
fn connect(host: &str, port: u16, shown: &str, deadline: Deadline) -> Result<TcpStream, Broke> {
    let doing = format!("connecting to {shown}");
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(|e| Broke::Other(format!("cannot resolve {shown}: {e}")))?
        .next()
        .ok_or_else(|| Broke::Other(format!("cannot resolve {shown}")))?;
    let left = deadline.left(&doing)?;
    TcpStream::connect_timeout(&addr, left)
        .map_err(|e| deadline.io(&e, &doing, &format!("cannot connect to {shown}")))
}

/// A connection to `host:port` through `proxy`: `CONNECT host:port`, and its 2xx answer read
/// (byte by byte, so nothing of the tunnel is read with it), by `deadline`. The messages say
/// "the proxy"; the probe's reason names it once, after them.
fn tunnel(proxy: &Proxy, host: &str, port: u16, deadline: Deadline) -> Result<TcpStream, Broke> {
    let mut sock = connect(&proxy.host, proxy.port, "the proxy", deadline)?;
    let mut head = format!("CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n");
    if let Some(authorization) = &proxy.authorization {
        head.push_str(&format!("Proxy-Authorization: {authorization}\r\n"));
    }
    head.push_str("\r\n");
    let sending = "sending CONNECT to the proxy";
    deadline.arm(&sock, sending)?;
    sock.write_all(head.as_bytes())
        .map_err(|e| deadline.io(&e, sending, "the proxy"))?;
    let waiting = format!("waiting for the proxy's answer to CONNECT {host}:{port}");
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n\r\n") {
        deadline.arm(&sock, &waiting)?;
        match sock.read(&mut byte) {
            Ok(1) if answer.len() < 16 * 1024 => answer.push(byte[0]),
            Ok(_) => {
                return Err(Broke::Other(format!(
                    "the proxy closed the tunnel to {host}:{port}"
                )))
            }
            Err(e) => return Err(deadline.io(&e, &waiting, "the proxy")),
        }
    }
    let status_line = String::from_utf8_lossy(&answer);
    let status = status_line.split_whitespace().nth(1).unwrap_or("");
    if !status.starts_with('2') {
        return Err(Broke::Other(format!(
            "the proxy refused the tunnel to {host}:{port}: HTTP {status}"
        )));
    }
    Ok(sock)
}

/// One DER element at `pos`: its tag, its contents, and where the next one starts.
fn element(der: &[u8], pos: usize) -> Option<(u8, &[u8], usize)> {
    let tag = *der.get(pos)?;
    let first = *der.get(pos + 1)? as usize;
    let (len, start) = if first < 0x80 {
        (first, pos + 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = der.get(pos + 2..pos + 2 + n)?;
        (
            bytes.iter().fold(0usize, |acc, b| acc << 8 | *b as usize),
            pos + 2 + n,
        )
    };
    let content = der.get(start..start.checked_add(len)?)?;
    Some((tag, content, start + len))
}

/// A certificate's `notAfter` (RFC 5280 §4.1.2.5), seconds since the epoch.
pub(crate) fn not_after(der: &[u8]) -> Option<i64> {
    let (_, cert, _) = element(der, 0)?;
    let (_, tbs, _) = element(cert, 0)?;
    let mut pos = 0;
    // [0] version (optional), serial, signature, issuer, then validity.
    if tbs.first() == Some(&0xa0) {
        pos = element(tbs, pos)?.2;
    }
    for _ in 0..3 {
        pos = element(tbs, pos)?.2;
    }
    let (_, validity, _) = element(tbs, pos)?;
    let after = element(validity, 0)?.2;
    let (tag, time, _) = element(validity, after)?;
    let text = std::str::from_utf8(time).ok()?;
    let digits = |s: &str| s.parse::<i64>().ok();
    let (year, rest) = match tag {
        0x17 => {
            let yy = digits(text.get(..2)?)?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, text.get(2..)?)
        }
        0x18 => (digits(text.get(..4)?)?, text.get(4..)?),
        _ => return None,
    };
    let field = |i: usize| rest.get(i..i + 2).and_then(digits);
    let days = days_from_civil(year, field(0)?, field(2)?);
    Some(days * 86_400 + field(4)? * 3600 + field(6)? * 60 + field(8)?)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_days_and_versions_are_judged() {
        let now = 1_700_000_000;
        let tls = |version: &str, days: i64| Tls {
            version: version.to_string(),
            not_after: Some(now + days * 86_400 + 10),
        };
        assert_eq!(judge(&tls("TLS 1.3", 90), 14, now).verdict, Verdict::Pass);
        let soon = judge(&tls("TLS 1.2", 3), 14, now);
        assert_eq!(soon.verdict, Verdict::Warn);
        assert!(soon.reason.contains("expires in 3 days"), "{}", soon.reason);
        assert_eq!(judge(&tls("TLS 1.3", -1), 14, now).verdict, Verdict::Fail);
        assert_eq!(judge(&tls("TLSv1_1", 90), 14, now).verdict, Verdict::Fail);
    }

    #[test]
    fn civil_dates_count_days_from_the_epoch() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2049, 12, 31), 29_219);
    }

    /// The proxy comes from the variables reqwest reads, in its order; `NO_PROXY` takes a host,
    /// a parent domain, an address or network, or `*`; an https:// proxy is said, not used.
    #[test]
    fn the_proxy_is_found_as_calls_client_finds_it() {
        let url = Url::parse("https://svc.example.com:8443/run").unwrap();
        let find = |vars: &[(&str, &str)]| {
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            proxy_for(&url, move |name| {
                vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
            })
        };
        assert_eq!(find(&[]), Ok(None));
        let found = find(&[("https_proxy", "http://u:p%40ss@proxy:3128")])
            .unwrap()
            .unwrap();
        assert_eq!(found.shown, "proxy:3128");
        assert_eq!(found.authorization.as_deref(), Some("Basic dTpwQHNz"));
        let found = find(&[("HTTPS_PROXY", "proxy.corp"), ("ALL_PROXY", "other:1")]);
        assert_eq!(found.unwrap().unwrap().shown, "proxy.corp:80");
        assert_eq!(
            find(&[("ALL_PROXY", "all:9")]).unwrap().unwrap().shown,
            "all:9"
        );
        for no in [
            "example.com",
            ".example.com",
            "svc.example.com",
            "*",
            "x, example.com",
        ] {
            assert_eq!(
                find(&[("HTTPS_PROXY", "p:1"), ("NO_PROXY", no)]),
                Ok(None),
                "{no}"
            );
        }
        assert!(find(&[("HTTPS_PROXY", "p:1"), ("NO_PROXY", "ample.com")])
            .unwrap()
            .is_some());
        assert_eq!(
            find(&[("HTTPS_PROXY", "p:1"), ("REQUEST_METHOD", "GET")]),
            Ok(None)
        );
        assert!(find(&[("HTTPS_PROXY", "https://p:1")]).is_err());
        assert!(no_proxy("10.0.0.0/8", "10.2.3.4"));
        assert!(!no_proxy("10.0.0.0/8", "11.2.3.4"));
        assert!(no_proxy("::1", "[::1]"));
        // As hyper-util: `*` and domain entries never send an IP host past the proxy; a network
        // wider than its address is no network.
        assert!(no_proxy("*", "svc.example.com"));
        assert!(!no_proxy("*", "127.0.0.1"));
        assert!(!no_proxy("*", "[::1]"));
        assert!(!no_proxy("10.0.0.0/33", "10.0.0.1"));
        assert!(no_proxy("10.0.0.0/0", "11.0.0.1"));
        let v6 = find(&[("HTTPS_PROXY", "http://[::1]:3128")])
            .unwrap()
            .unwrap();
        assert_eq!((v6.host.as_str(), v6.shown.as_str()), ("::1", "[::1]:3128"));
    }

    #[test]
    fn loopback_hosts_are_known() {
        for (url, expected) in [
            ("http://127.0.0.1:8/", true),
            ("http://localhost/", true),
            ("http://[::1]:8/", true),
            ("http://example.com/", false),
            ("http://10.0.0.1/", false),
        ] {
            assert_eq!(loopback(&Url::parse(url).unwrap()), expected, "{url}");
        }
    }
}
