//! Redaction, in one place: which header names are secret, how their values, URLs and free text
//! (error bodies) are masked. Every output that shows a header (`-v`, `--dry-run`, `--curl`,
//! errors, reports) formats it through [`header_value`].
//!
//! And, beneath every output, masking at the sink: once a secret is loaded ([`register`]: the
//! bearer token, the value of a sensitive `-H`, serve's guarded token), every byte xconn writes to
//! standard output, standard error and `-o` files passes [`Masked`] (through `crate::output`),
//! which replaces each occurrence by `***` — whatever code path produced the bytes: an echo in
//! an error body, a validator message quoting a key, a scorecard, a table.

use std::borrow::Cow;

/// The mask shown instead of a secret.
pub(crate) const MASK: &str = "***";

/// True for headers whose value is a secret: `Authorization`, `Proxy-Authorization`, `Cookie`,
/// `Set-Cookie`, and any name containing `key`, `token` or `secret` (case-insensitive).
pub(crate) fn is_sensitive(name: &str) -> bool {
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
pub(crate) fn header_value<'a>(name: &str, value: &'a str) -> Cow<'a, str> {
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
pub(crate) fn header_line(name: &str, value: &str) -> String {
    crate::error::escape_control(&format!("{name}: {}", header_value(name, value)))
}

/// A URL fit to print: a password in it becomes `***`, and so does the value of every query
/// parameter whose name looks secret (`api_key`, `token`, `client_secret` …).
pub(crate) fn url(url: &reqwest::Url) -> String {
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
pub(crate) fn scrub<'a>(text: &'a str, secret: Option<&str>) -> Cow<'a, str> {
    match secret {
        Some(secret) if secret.len() >= 4 && text.contains(secret) => {
            Cow::Owned(text.replace(secret, MASK))
        }
        _ => Cow::Borrowed(text),
    }
}

/// The first `max` characters of a body as one printable line: invalid UTF-8 replaced, control
/// characters and bidirectional overrides escaped, `…` when cut.
pub(crate) fn body_prefix(body: &[u8], max: usize) -> String {
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

/// The secrets of this run, as bytes, longest first (so a secret that contains another is
/// masked whole). Empty for commands that load none: then [`Masked`] passes bytes straight on.
static SECRETS: std::sync::RwLock<Vec<Vec<u8>>> = std::sync::RwLock::new(Vec::new());

/// Secrets shorter than this are not masked (as [`scrub`]): masking them would garble ordinary
/// text and protects nothing.
const MIN_SECRET: usize = 4;

/// Mask `secret` in everything written from now on (its JSON-escaped spelling too, as a JSON
/// body would carry it).
pub(crate) fn register(secret: &str) {
    if secret.len() < MIN_SECRET {
        return;
    }
    let mut forms = vec![secret.as_bytes().to_vec()];
    let escaped = serde_json::to_string(secret).unwrap_or_default();
    let escaped = escaped.trim_matches('"');
    if escaped != secret {
        forms.push(escaped.as_bytes().to_vec());
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    for form in forms {
        if !secrets.contains(&form) {
            secrets.push(form);
        }
    }
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// The registered secrets (a copy: writers mask without holding the lock while writing).
fn secrets() -> Vec<Vec<u8>> {
    SECRETS.read().map(|s| s.clone()).unwrap_or_default()
}

/// `text` with every registered secret replaced by [`MASK`].
pub(crate) fn mask_text(text: &str) -> Cow<'_, str> {
    let secrets = secrets();
    if secrets.is_empty() {
        return Cow::Borrowed(text);
    }
    let (masked, _) = mask_bytes(text.as_bytes(), &secrets, text.len());
    match String::from_utf8(masked) {
        Ok(masked) if masked != text => Cow::Owned(masked),
        _ => Cow::Borrowed(text),
    }
}

/// Mask `bytes` up to `limit`: the masked output of `bytes[..cut]` and `cut`, where `cut >= limit`
/// unless a secret starting before `limit` runs past the end of `bytes` (then `cut` is its start,
/// so that it is masked once the rest arrives).
fn mask_bytes(bytes: &[u8], secrets: &[Vec<u8>], limit: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::with_capacity(bytes.len());
    let mut p = 0;
    while p < limit {
        // The earliest occurrence of any secret from p (the longest on a tie).
        let found = secrets
            .iter()
            .filter_map(|s| memchr::memmem::find(&bytes[p..], s).map(|i| (p + i, s.len())))
            .min_by_key(|&(at, len)| (at, std::cmp::Reverse(len)));
        match found {
            Some((at, len)) if at < limit => {
                out.extend_from_slice(&bytes[p..at]);
                out.extend_from_slice(MASK.as_bytes());
                p = at + len;
            }
            _ => {
                // No whole secret starts before `limit`; one may start there and be cut by the
                // end of `bytes`: keep from the first such start.
                let mut cut = limit;
                for start in p..limit {
                    let tail = &bytes[start..];
                    if secrets
                        .iter()
                        .any(|s| s.len() > tail.len() && s.starts_with(tail))
                    {
                        cut = start;
                        break;
                    }
                }
                out.extend_from_slice(&bytes[p..cut]);
                return (out, cut);
            }
        }
    }
    (out, p)
}

/// A writer that masks the registered secrets in everything that passes through it, even when a
/// secret is split between two writes: the bytes that could be the start of a secret are held
/// until the rest (or the end) comes. `flush` lets them go only when they cannot be one.
pub(crate) struct Masked<W: std::io::Write> {
    inner: W,
    held: Vec<u8>,
    /// `false`: every byte passes as written (a private file that must hold the secret itself,
    /// see `output::FileKind::Private`).
    masking: bool,
}

impl<W: std::io::Write> Masked<W> {
    pub(crate) fn new(inner: W) -> Masked<W> {
        Masked::with(inner, true)
    }

    /// A writer that masks when `masking`, else lets every byte through unchanged.
    pub(crate) fn with(inner: W, masking: bool) -> Masked<W> {
        Masked {
            inner,
            held: Vec::new(),
            masking,
        }
    }

    pub(crate) fn get_ref(&self) -> &W {
        &self.inner
    }

    /// Write out what is held (a secret cut short at the very end cannot be masked any more:
    /// it is not a secret) and flush: the end of the output.
    pub(crate) fn finish(&mut self) -> std::io::Result<()> {
        self.release_all()?;
        self.inner.flush()
    }

    /// [`Masked::finish`], then the inner writer.
    pub(crate) fn into_inner(mut self) -> std::io::Result<W> {
        self.release_all()?;
        Ok(self.inner)
    }

    fn release_all(&mut self) -> std::io::Result<()> {
        if self.held.is_empty() {
            return Ok(());
        }
        let secrets = secrets();
        let (masked, cut) = mask_bytes(&self.held, &secrets, self.held.len());
        self.inner.write_all(&masked)?;
        self.inner.write_all(&self.held[cut..])?;
        self.held.clear();
        Ok(())
    }
}

impl<W: std::io::Write> std::io::Write for Masked<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.masking {
            return self.inner.write(buf);
        }
        let secrets = secrets();
        if secrets.is_empty() && self.held.is_empty() {
            return self.inner.write(buf);
        }
        self.held.extend_from_slice(buf);
        let longest = secrets.first().map_or(0, Vec::len);
        // Everything but the last `longest - 1` bytes is decided (a secret starting there would
        // still fit); `mask_bytes` holds back a secret cut by the end.
        let limit = self.held.len().saturating_sub(longest.saturating_sub(1));
        let (masked, cut) = mask_bytes(&self.held, &secrets, limit);
        self.inner.write_all(&masked)?;
        self.held.drain(..cut);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // Let go of what cannot be the start of a secret; keep a possible start.
        if !self.held.is_empty() {
            let secrets = secrets();
            let (masked, cut) = mask_bytes(&self.held, &secrets, self.held.len());
            self.inner.write_all(&masked)?;
            self.held.drain(..cut);
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod masked_tests {
    use super::*;
    use std::io::Write;

    fn through(secrets: &[&str], pieces: &[&str]) -> String {
        let secrets: Vec<Vec<u8>> = secrets.iter().map(|s| s.as_bytes().to_vec()).collect();
        let mut out = Vec::new();
        let mut held: Vec<u8> = Vec::new();
        for piece in pieces {
            held.extend_from_slice(piece.as_bytes());
            let longest = secrets.iter().map(Vec::len).max().unwrap_or(0);
            let limit = held.len().saturating_sub(longest.saturating_sub(1));
            let (masked, cut) = mask_bytes(&held, &secrets, limit);
            out.extend_from_slice(&masked);
            held.drain(..cut);
        }
        let (masked, cut) = mask_bytes(&held, &secrets, held.len());
        out.extend_from_slice(&masked);
        out.extend_from_slice(&held[cut..]);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_secret_is_masked_however_the_writes_cut_it() {
        let text = "a tok-1234567 b tok-1234567tok-1234567 c tok-123 d";
        let want = "a *** b ****** c tok-123 d";
        for size in 1..text.len() {
            let pieces: Vec<&str> = text
                .as_bytes()
                .chunks(size)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect();
            assert_eq!(through(&["tok-1234567"], &pieces), want, "pieces of {size}");
        }
        // Overlapping secrets: the longer one wins where both start.
        assert_eq!(
            through(&["abcdef", "abcd"], &["xabcdefy abcdz"]),
            "x***y ***z"
        );
    }

    #[test]
    fn the_writer_masks_registered_secrets_across_writes_and_flushes() {
        register("s3cr3t-token-for-masked-writer");
        let mut out = Masked::new(Vec::new());
        out.write_all(b"before s3cr3t-tok").unwrap();
        out.flush().unwrap();
        out.write_all(b"en-for-masked-writer after\n").unwrap();
        let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
        assert_eq!(text, "before *** after\n");
    }
}
