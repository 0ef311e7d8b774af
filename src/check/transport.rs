//! The transport group: the spec requires an HTTPS endpoint. A non-loopback `http://` URL fails
//! `https`; for an `https://` URL one TLS handshake (rustls, the stack `call` uses; trust is
//! judged by the other probes, not here) reports the TLS version and the certificate's days to
//! expiry, failing under TLS 1.2 or on an expired certificate, warning under `--cert-days`.

use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

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
    let seen = tokio::task::spawn_blocking(move || handshake(&url))
        .await
        .unwrap_or_else(|e| Err(format!("the TLS probe failed: {e}")));
    vec![match seen {
        Err(why) => probe(Verdict::Fail, why),
        Ok(tls) => judge(&tls, cert_days, crate::http::token::now()),
    }]
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

/// One TLS handshake with the URL's host: the version and the leaf certificate's expiry.
fn handshake(url: &Url) -> Result<Tls, String> {
    let host = url.host_str().ok_or("the URL has no host")?.to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Inspect(provider)))
        .with_no_client_auth();
    let bare = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let name = ServerName::try_from(bare.clone()).map_err(|e| format!("{host}: {e}"))?;
    let mut conn =
        rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    let addr = (bare.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .next()
        .ok_or_else(|| format!("cannot resolve {host}"))?;
    let mut sock = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
        .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    while conn.is_handshaking() {
        conn.complete_io(&mut sock)
            .map_err(|e| format!("no TLS 1.2 or 1.3 handshake with {host}:{port}: {e}"))?;
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
    let _ = conn.write_tls(&mut sock);
    let _ = sock.flush();
    let _ = sock.read(&mut [0u8; 1]);
    Ok(Tls { version, not_after })
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
