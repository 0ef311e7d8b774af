//! Redaction, in one place: which header names are secret, how their values, URLs and free text
//! (error bodies) are masked. Every output that shows a header (`-v`, `--dry-run`, `--curl`,
//! errors, reports) formats it through [`header_value`].

use std::borrow::Cow;

/// The mask shown instead of a secret.
pub const MASK: &str = "***";

/// True for headers whose value is a secret: `Authorization`, `Proxy-Authorization`, `Cookie`,
/// `Set-Cookie`, and any name containing `key`, `token` or `secret` (case-insensitive).
pub fn is_sensitive(name: &str) -> bool {
    let name = name.trim().as_bytes();
    let is = |word: &str| name.eq_ignore_ascii_case(word.as_bytes());
    let has = |part: &str| {
        name.windows(part.len())
            .any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
    };
    is("authorization")
        || is("proxy-authorization")
        || is("cookie")
        || is("set-cookie")
        || has("key")
        || has("token")
        || has("secret")
}

/// A header value fit to print: a sensitive one keeps only its scheme (`Bearer ***`,
/// `Basic ***`) or becomes `***`; others are returned as they are.
pub fn header_value<'a>(name: &str, value: &'a str) -> Cow<'a, str> {
    if !is_sensitive(name) {
        return Cow::Borrowed(value);
    }
    let trimmed = value.trim_start();
    match trimmed.split_once(' ') {
        Some((scheme, _))
            if !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
        {
            Cow::Owned(format!("{scheme} {MASK}"))
        }
        _ => Cow::Borrowed(MASK),
    }
}

/// `Name: value` with the value redacted as [`header_value`] does, control characters escaped.
pub fn header_line(name: &str, value: &str) -> String {
    crate::error::escape_control(&format!("{name}: {}", header_value(name, value)))
}

/// A URL fit to print: a password in it becomes `***`, and so does the value of every query
/// parameter whose name looks secret (`api_key`, `token`, `client_secret` …).
pub fn url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some(MASK));
    }
    if shown.query().is_some() {
        let pairs: Vec<(String, String)> = shown
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_sensitive(&k) {
                    MASK.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        if pairs.iter().any(|(k, _)| is_sensitive(k)) {
            shown.query_pairs_mut().clear().extend_pairs(pairs);
        }
    }
    shown.to_string()
}

/// Replace every occurrence of `secret` in `text` by `***` (a server that echoes the token back
/// in an error body must not make us print it). Secrets shorter than 4 bytes are left alone:
/// masking them would garble ordinary text and protects nothing.
pub fn scrub<'a>(text: &'a str, secret: Option<&str>) -> Cow<'a, str> {
    match secret {
        Some(secret) if secret.len() >= 4 && text.contains(secret) => {
            Cow::Owned(text.replace(secret, MASK))
        }
        _ => Cow::Borrowed(text),
    }
}

/// The first `max` characters of a body as one printable line: invalid UTF-8 replaced, control
/// characters and bidirectional overrides escaped, `…` when cut.
pub fn body_prefix(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(max * 4)]);
    let mut cut: String = text.chars().take(max).collect();
    let more = text.chars().count() > max || body.len() > max * 4;
    cut = crate::error::escape_control(&cut);
    if more {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_names() {
        for name in [
            "Authorization",
            "proxy-authorization",
            "Cookie",
            "SET-COOKIE",
            "x-api-key",
            "X-Auth-Token",
            "client_secret",
            "Apikey",
        ] {
            assert!(is_sensitive(name), "{name}");
        }
        for name in ["Content-Type", "x-request-id", "Accept", "User-Agent"] {
            assert!(!is_sensitive(name), "{name}");
        }
    }

    #[test]
    fn values_keep_only_their_scheme() {
        assert_eq!(
            header_value("Authorization", "Bearer abc.def"),
            "Bearer ***"
        );
        assert_eq!(header_value("authorization", "Basic dXNlcjpw"), "Basic ***");
        assert_eq!(header_value("x-api-key", "abcdef"), "***");
        assert_eq!(header_value("Cookie", "a=b; c=d"), "***");
        assert_eq!(
            header_value("Content-Type", "application/json"),
            "application/json"
        );
        assert_eq!(
            header_line("Authorization", "Bearer x"),
            "Authorization: Bearer ***"
        );
    }

    #[test]
    fn urls_lose_passwords_and_secret_parameters() {
        let u = reqwest::Url::parse("https://me:pw@h.example/x?api_key=s3&n=1").unwrap();
        assert_eq!(url(&u), "https://me:***@h.example/x?api_key=***&n=1");
        let u = reqwest::Url::parse("http://h/p?a=1").unwrap();
        assert_eq!(url(&u), "http://h/p?a=1");
    }

    #[test]
    fn scrub_and_prefix() {
        assert_eq!(scrub("got tok123 back", Some("tok123")), "got *** back");
        assert_eq!(scrub("abc", None), "abc");
        assert_eq!(body_prefix(b"a\x1b[31mb\n", 100), "a\\u{1b}[31mb\\n");
        assert_eq!(body_prefix(b"abcdef", 3), "abc…");
        assert_eq!(body_prefix(b"\xff\xfe", 10), "\u{fffd}\u{fffd}");
    }
}
