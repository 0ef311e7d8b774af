//! What a request is made of, from the command line's text (shared by `call` and `check`): the
//! URL, the method and the `-H` headers (a usage error naming the bad one, a secret never echoed),
//! and what is said on standard error before anything is sent (`--insecure`, the token).

use super::token::{self, Token};
use super::{redact, Method, Request, Url};
use crate::error::usage_error;

/// The URL to send to: `http` or `https` only; one without its scheme says so, with both fixes.
pub(crate) fn parse_url(text: &str) -> anyhow::Result<Url> {
    let trimmed = text.trim();
    // `localhost:8080/run` parses as the scheme `localhost`, `example.com/run` not at all: both
    // are a URL without its scheme, and say so.
    let no_scheme = !trimmed.contains("://");
    let hint = |shown: &str| {
        format!(
            "URL {shown} has no scheme: write http://{shown} or https://{shown} (only http and https are supported)"
        )
    };
    let url = Url::parse(trimmed).map_err(|e| {
        let shown = crate::error::escape_control(text);
        if no_scheme {
            usage_error(hint(&shown))
        } else {
            usage_error(format!("URL {shown}: {e}"))
        }
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        if no_scheme {
            return Err(usage_error(hint(&redact::url(&url).to_string())));
        }
        return Err(usage_error(format!(
            "URL {}: only http and https are supported",
            redact::url(&url)
        )));
    }
    Ok(url)
}

/// Whether sending to `url` may need TLS: an `https` URL, or an `http` one through a proxy
/// reached over `https` (`HTTP_PROXY` / `ALL_PROXY`, as reqwest reads them). Redirects are
/// followed within the origin only, so an `http` request stays on `http`. `env` reads a variable.
pub(crate) fn needs_tls(url: &Url, env: impl Fn(&str) -> Option<String>) -> bool {
    let https_proxy = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .filter_map(|name| env(name))
        .any(|proxy| {
            proxy
                .trim()
                .get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        });
    url.scheme() != "http" || https_proxy
}

/// `--insecure`: said loudly on stderr, once, before anything is sent.
pub(crate) fn warn_if_insecure(insecure: bool) {
    if insecure {
        crate::say!(
            "xconn: WARNING: --insecure: TLS certificates are NOT checked; anyone between you and \
             the service can read the token and the data"
        );
    }
}

/// Whether `url` names this machine: `localhost`, 127.0.0.0/8 or `::1`. The one rule for where
/// plain `http` may carry a secret ([`refuse_plain_http`]).
pub(crate) fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
    }
}

/// Refuse (exit 2) an `http` URL to a host other than this machine for what carries a secret or
/// decides what is trusted: the identity provider's issuer, token endpoint and key set. `what`
/// names it (`--issuer URL`); `opt_in` names the flag that allows it anyway (`--insecure`), when
/// the command has one and it was given (`allowed`).
pub(crate) fn refuse_plain_http(
    url: &Url,
    what: &str,
    allowed: bool,
    opt_in: Option<&str>,
) -> anyhow::Result<()> {
    if url.scheme() != "http" || is_loopback(url) || allowed {
        return Ok(());
    }
    let escape = opt_in.map_or(String::new(), |flag| {
        format!(", or give {flag} to allow it")
    });
    Err(usage_error(format!(
        "{what}: plain http to {}, a host other than this machine, would let anyone in between          read or change what the identity provider sends (and the client secret): use https{escape}          (http is allowed to localhost, 127.0.0.0/8 and ::1 only); nothing was sent",
        url.host_str().unwrap_or_default()
    )))
}

/// `-X` and `-H`: the method and the extra headers, or a usage error naming the bad one.
pub(crate) fn request_shape(
    method: &str,
    headers: &[String],
) -> anyhow::Result<(Method, Vec<(String, String)>)> {
    let method = parse_method(method)?;
    let headers = headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((method, headers))
}

pub(crate) fn parse_method(text: &str) -> anyhow::Result<Method> {
    Method::from_bytes(text.trim().to_ascii_uppercase().as_bytes()).map_err(|_| {
        usage_error(format!(
            "-X {}: not an HTTP method",
            crate::error::escape_control(text)
        ))
    })
}

/// `-H 'Name: value'` as a (name, value) pair; names and values are checked when sent.
pub(crate) fn parse_header(text: &str) -> anyhow::Result<(String, String)> {
    // Not echoed: a header without `:` may well be `Authorization Bearer <token>`.
    let bad = || usage_error("-H: expected `Name: value` (no `:` found; the value is not shown)");
    let (name, value) = text.split_once(':').ok_or_else(bad)?;
    let name = name.trim();
    if redact::is_sensitive(name) {
        // Masked in every output from now on: the whole value, and the credential after an
        // auth scheme word (`Basic dXNlcjpwYXNz`).
        redact::register(value.trim());
        if let Some((_, credential)) = value.trim().split_once(' ') {
            redact::register(credential.trim());
        }
    }
    if name.is_empty()
        || reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
        || reqwest::header::HeaderValue::from_str(value.trim()).is_err()
    {
        return Err(usage_error(format!(
            "-H: invalid header {}",
            redact::header_line(name, value.trim())
        )));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

/// Say once, before sending: a secret given with `-H` (named, never shown), a `-H
/// Authorization` that replaces the token, no token at all (and what the default variables hold),
/// or a JWT that has expired or is about to.
pub(crate) fn announce_token(token: Option<&Token>, request: &Request) {
    for (name, _) in request
        .headers
        .iter()
        .filter(|(n, _)| redact::is_sensitive(n))
    {
        crate::say!(
            "xconn: warning: -H {name}: a secret on the command line can be read by other users \
             of this machine (ps, shell history); prefer XCONN_TOKEN, --token-env or --token-file"
        );
    }
    let given = request
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    match (token, given) {
        (None, false) => crate::say!(
            "xconn: no token ({}): sending {} without Authorization",
            token::default_vars_state(|name| std::env::var(name).ok()),
            request.describe()
        ),
        (None, true) => {}
        (Some(token), true) => crate::say!(
            "xconn: -H Authorization is sent instead of the token from {}",
            token.origin
        ),
        (Some(token), false) => {
            if let Some(warning) = token
                .claims()
                .and_then(|claims| token::expiry_warning(&claims, token::now()))
            {
                crate::say!("xconn: warning: {warning} (token from {})", token.origin);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_localhost_127_8_and_ipv6_one() {
        let url = |u: &str| Url::parse(u).unwrap();
        for near in [
            "http://localhost:8080/",
            "http://LOCALHOST./x",
            "http://127.0.0.1/",
            "http://127.3.2.1:9/",
            "http://[::1]:80/",
        ] {
            assert!(is_loopback(&url(near)), "{near}");
            assert!(refuse_plain_http(&url(near), "x", false, None).is_ok());
        }
        for far in [
            "http://idp.example/",
            "http://localhost.example/",
            "http://128.0.0.1/",
            "http://10.0.0.1/",
            "http://[::2]/",
        ] {
            assert!(!is_loopback(&url(far)), "{far}");
            let err = refuse_plain_http(&url(far), "--issuer X", false, Some("--insecure"));
            assert!(format!("{:#}", err.unwrap_err()).contains("or give --insecure"));
            assert!(refuse_plain_http(&url(far), "x", true, Some("--insecure")).is_ok());
        }
        assert!(refuse_plain_http(&url("https://idp.example/"), "x", false, None).is_ok());
    }

    #[test]
    fn tls_is_needed_for_https_and_for_an_https_proxy() {
        let url = |u: &str| Url::parse(u).unwrap();
        let none = |_: &str| None;
        assert!(needs_tls(&url("https://h/x"), none));
        assert!(!needs_tls(&url("http://h/x"), none));
        let proxy = |name: &str| (name == "http_proxy").then(|| " HTTPS://p:3128".to_string());
        assert!(needs_tls(&url("http://h/x"), proxy));
        let plain = |name: &str| (name == "ALL_PROXY").then(|| "http://p:3128".to_string());
        assert!(!needs_tls(&url("http://h/x"), plain));
    }

    #[test]
    fn headers_are_parsed_and_secrets_never_echoed() {
        assert_eq!(
            parse_header("X-Api-Key:  s3 ").unwrap(),
            ("X-Api-Key".to_string(), "s3".to_string())
        );
        let err = parse_header("Authorization Bearer s3cret").unwrap_err();
        assert!(!format!("{err:#}").contains("s3cret"), "{err:#}");
        let err = parse_header("Authorization: Bearer sec\nret").unwrap_err();
        assert!(!format!("{err:#}").contains("sec"), "{err:#}");
    }
}
