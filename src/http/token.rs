//! The bearer token, in one place: where it is read from (`XCONN_TOKEN`, else
//! `CSPARK_BEARER_TOKEN`, or `--token-env NAME` / `--token-file PATH`), how it is cleaned (outer
//! whitespace and a leading `Bearer ` trimmed), and how a JWT is read: its parts, header and
//! claims ([`Jwt`]), the time claims by [`numeric_date`]. Nothing here verifies a signature
//! (`serve::auth` does, with `jsonwebtoken`). The secret itself is only ever handed to the HTTP
//! client; `Debug` masks it.

use std::fmt;
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::oidc::Refresher;

use crate::error::{input_error, usage_error};
use crate::json;

/// The variables read when no flag names a source, in order.
pub(crate) const DEFAULT_VARS: [&str; 2] = ["XCONN_TOKEN", "CSPARK_BEARER_TOKEN"];

/// A token is about to expire when `exp` is at most this far away.
pub(crate) const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// Where the user asked the token to come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum TokenSource {
    /// `XCONN_TOKEN`, else `CSPARK_BEARER_TOKEN`.
    #[default]
    Default,
    /// `--token-env NAME`.
    Env(String),
    /// `--token-file PATH`; `-` reads standard input.
    File(String),
}

/// Where a token was found: said in messages (`token from XCONN_TOKEN`) and used by `--curl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    Env(String),
    File(String),
    Stdin,
    /// Client credentials (`super::oidc`): the client, `issuer URL` or `token-url URL`, and
    /// whether the token came from the cache.
    Provider {
        client: String,
        endpoint: String,
        cached: bool,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Env(name) => write!(f, "${name}"),
            Origin::File(path) => write!(f, "file {path}"),
            Origin::Stdin => f.write_str("standard input"),
            Origin::Provider {
                client,
                endpoint,
                cached,
            } => write!(
                f,
                "client credentials of `{client}` at {endpoint} ({})",
                if *cached { "cached" } else { "new" }
            ),
        }
    }
}

/// A bearer token: the secret and where it came from.
#[derive(Clone)]
pub(crate) struct Token {
    secret: String,
    pub(crate) origin: Origin,
    /// For a token by client credentials: how to get a new one when the service refuses it.
    refresher: Option<Arc<Refresher>>,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("secret", &super::redact::MASK)
            .field("origin", &self.origin)
            .finish()
    }
}

impl Token {
    /// A token from raw text, cleaned with [`clean`]; `None` when nothing is left.
    pub(crate) fn new(raw: &str, origin: Origin) -> Option<Token> {
        let secret = clean(raw);
        if secret.is_empty() {
            return None;
        }
        // From here on every output of this run masks it (the sink, `redact::Masked`).
        super::redact::register(secret);
        Some(Token {
            secret: secret.to_string(),
            origin,
            refresher: None,
        })
    }

    /// This token, able to fetch its successor through `refresher`.
    pub(crate) fn refreshing_with(self, refresher: Arc<Refresher>) -> Token {
        Token {
            refresher: Some(refresher),
            ..self
        }
    }

    /// The token to send now: for a token by client credentials, the latest its refresher holds
    /// (another batch may have renewed it); else this one.
    pub(crate) fn current(&self) -> Token {
        self.refresher
            .as_ref()
            .and_then(|r| r.current())
            .unwrap_or_else(|| self.clone())
    }

    /// A new token in place of this one after the service answered 401: `None` when this one
    /// cannot be renewed (it was given directly) or the provider did not give one (said on
    /// standard error). Of the requests that met the 401 with this token, one fetches (and says
    /// so); the others get the same new token.
    pub(crate) async fn refreshed(&self) -> Option<Token> {
        let refresher = self.refresher.as_ref()?;
        match refresher.clone().refresh(self.secret.clone()).await {
            Ok((token, fetched)) => {
                if fetched {
                    crate::say!(
                        "xconn: the service answered 401: sending again once with a new token \
                         from {}",
                        token.origin
                    );
                }
                Some(token)
            }
            Err(e) => {
                crate::say!("xconn: the service answered 401 and no new token came: {e:#}");
                None
            }
        }
    }

    /// The secret. Only the HTTP client (for the `Authorization` header) and the redactor (to
    /// scrub echoes of it) should call this.
    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }

    /// The JWT claims when the token is a JWT.
    pub(crate) fn claims(&self) -> Option<Claims> {
        decode_jwt(&self.secret)
    }
}

/// A byte-order mark, outer whitespace and one leading `Bearer` word (any case, followed by
/// whitespace or nothing) removed, as the Coherent SDKs do. `Bearer ` alone cleans to nothing.
pub(crate) fn clean(raw: &str) -> &str {
    let t = raw.trim_start_matches('\u{feff}').trim();
    match t.get(..6) {
        Some(prefix)
            if prefix.eq_ignore_ascii_case("bearer")
                && t[6..].chars().next().is_none_or(char::is_whitespace) =>
        {
            t[6..].trim()
        }
        _ => t,
    }
}

/// RFC 6750's `b64token` (RFC 7235 `token68`): letters, digits and `-._~+/`, then any `=`; what
/// a token by client credentials must be, fetched or cached (a JWT is one; the redactor's `***`
/// is not).
pub(crate) fn is_token68(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// A cleaned token must be printable ASCII with no space (a bearer token is RFC 6750 `token68`):
/// anything else is refused naming where it came from (`shown`), never the value.
fn check_ascii(cleaned: &str, shown: &str) -> anyhow::Result<()> {
    if cleaned.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(());
    }
    Err(usage_error(format!(
        "{shown}: the token holds a space, a control or a non-ASCII character; a bearer token is \
         printable ASCII (RFC 6750 token68): nothing was sent (the value is not shown)"
    )))
}

/// `XCONN_TOKEN is empty and CSPARK_BEARER_TOKEN is unset`: what the default variables hold when
/// neither gave a token (empty: set to nothing, or to only whitespace / `Bearer`).
pub(crate) fn default_vars_state(env: impl Fn(&str) -> Option<String>) -> String {
    let state = |name: &str| match env(name) {
        None => format!("{name} is unset"),
        Some(_) => format!("{name} is empty"),
    };
    format!("{} and {}", state(DEFAULT_VARS[0]), state(DEFAULT_VARS[1]))
}

/// Find the token `source` names. `env` looks a variable up (the process environment in the
/// binary, a map in tests). `Ok(None)`: the default variables are unset or empty. A named
/// variable that is unset or empty, an unreadable or empty file, or a token that is not printable
/// ASCII (from any source, named, never shown) is an error (exit 2). A token file others can read
/// is warned about.
pub(crate) fn find(
    source: &TokenSource,
    env: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<Token>> {
    match source {
        TokenSource::Default => {
            for name in DEFAULT_VARS {
                let Some(raw) = env(name) else { continue };
                if clean(&raw).is_empty() {
                    continue;
                }
                check_ascii(clean(&raw), &format!("${name}"))?;
                return Ok(Token::new(&raw, Origin::Env(name.to_string())));
            }
            Ok(None)
        }
        TokenSource::Env(name) => {
            let raw = env(name).ok_or_else(|| {
                usage_error(format!(
                    "--token-env {name}: the variable {name} is not set"
                ))
            })?;
            check_ascii(clean(&raw), &format!("--token-env {name}"))?;
            Token::new(&raw, Origin::Env(name.clone()))
                .map(Some)
                .ok_or_else(|| {
                    usage_error(format!("--token-env {name}: the variable {name} is empty"))
                })
        }
        TokenSource::File(path) => {
            let (raw, origin) = if crate::source::is_stdin(path) {
                let mut raw = String::new();
                std::io::stdin().read_to_string(&mut raw).map_err(|e| {
                    input_error(format!("--token-file -: cannot read standard input: {e}"))
                })?;
                (raw, Origin::Stdin)
            } else {
                warn_if_readable_by_others("--token-file", path);
                let raw = std::fs::read_to_string(path)
                    .map_err(|e| input_error(format!("--token-file {path}: cannot read: {e}")))?;
                (raw, Origin::File(path.clone()))
            };
            let shown = origin.to_string();
            check_ascii(clean(&raw), &format!("--token-file: {shown}"))?;
            Token::new(&raw, origin).map(Some).ok_or_else(|| {
                input_error(format!(
                    "--token-file: {shown} holds no token (nothing is left once whitespace and a \
                     leading `Bearer` are trimmed)"
                ))
            })
        }
    }
}

/// Warn (as ssh does about keys) when a secret's file (given with `flag`) can be read by its
/// group or by others.
pub(crate) fn warn_if_readable_by_others(flag: &str, path: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if meta.is_file() && mode & 0o044 != 0 {
                crate::say!(
                    "xconn: warning: {flag} {path} is readable by others (mode {mode:o}): chmod \
                     600 {path}"
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (flag, path);
}

/// [`find`] over the process environment.
pub(crate) fn find_in_env(source: &TokenSource) -> anyhow::Result<Option<Token>> {
    find(source, |name| std::env::var(name).ok())
}

/// The claims of a JWT that xconn shows. Decoded from the payload; the signature is not checked
/// (xconn holds no key) and never kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Claims {
    pub(crate) issuer: Option<String>,
    /// The tenant: a `realm` / `tenant` claim, else the Keycloak realm in the issuer URL
    /// (`…/realms/NAME`).
    pub(crate) realm: Option<String>,
    pub(crate) audience: Vec<String>,
    pub(crate) subject: Option<String>,
    /// `azp`: the client the token was issued to.
    pub(crate) client: Option<String>,
    /// `exp`.
    pub(crate) expires: Option<NumericDate>,
    /// `nbf`.
    pub(crate) not_before: Option<NumericDate>,
    /// `iat`.
    pub(crate) issued: Option<NumericDate>,
    /// The registered time claims (`exp`, `nbf`, `iat`) present with a value that is not a usable
    /// NumericDate, in that order: what is wrong, naming the claim (see [`numeric_date`]).
    pub(crate) invalid_times: Vec<String>,
}

/// The latest NumericDate accepted: 9999-12-31T23:59:59Z.
pub(crate) const MAX_NUMERIC_DATE: i64 = 253_402_300_799;

/// A NumericDate (RFC 7519 §2): seconds since 1970-01-01T00:00:00Z, read exactly from the JSON
/// number's text: whole seconds, and whether a fraction of a second follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct NumericDate {
    secs: i64,
    fraction: bool,
}

impl NumericDate {
    /// Whole seconds (the value rounded down).
    pub(crate) fn secs(self) -> i64 {
        self.secs
    }

    /// The date is earlier than `t` seconds.
    pub(crate) fn before(self, t: i64) -> bool {
        self.secs < t
    }

    /// The date is later than `t` seconds.
    pub(crate) fn after(self, t: i64) -> bool {
        self.secs > t || (self.secs == t && self.fraction)
    }
}

/// The one reader of a NumericDate claim (`exp`, `nbf`, `iat`), for `serve` and `xconn token`.
/// Any JSON number is read exactly, in every form of the JSON number grammar (`1.8e9`,
/// `9999999999e-1`, `1700000000.25`, `-0`); no float rounding, no overflow. Refused, with a
/// message naming the claim: a value that is not a number (a string, even `"NaN"` or digits;
/// `null`; `true`; an array or object), a negative number (below zero after exact evaluation;
/// `-0` is zero), and a date after 9999-12-31T23:59:59Z ([`MAX_NUMERIC_DATE`]).
pub(crate) fn numeric_date(claim: &str, value: &json::Value) -> Result<NumericDate, String> {
    let Some(text) = value.number_text() else {
        return Err(format!(
            "`{claim}` is {}, not a NumericDate (a number of seconds since 1970)",
            value.kind().article_name()
        ));
    };
    // The text follows the JSON number grammar: -?int(.frac)?([eE][+-]?exp)?
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = text.split_once(['e', 'E']).unwrap_or((text, ""));
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let exponent = {
        let (sign, digits) = match exponent.as_bytes().first() {
            Some(b'-') => (-1, &exponent[1..]),
            Some(b'+') => (1, &exponent[1..]),
            _ => (1, exponent),
        };
        sign * digits.bytes().fold(0i64, |acc, d| {
            acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
        })
    };
    let digits: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
    let Some(first) = digits.iter().position(|&d| d != b'0') else {
        return Ok(NumericDate::default()); // zero, `-0` included
    };
    if negative {
        return Err(format!("`{claim}` is negative (before 1970)"));
    }
    let significant = &digits[first..];
    // The decimal point sits after this many significant digits.
    let point = (int.len() as i64 - first as i64).saturating_add(exponent);
    let too_late = || {
        format!(
            "`{claim}` is after {} (out of range)",
            format_rfc3339(MAX_NUMERIC_DATE)
        )
    };
    if point > 12 {
        return Err(too_late());
    }
    if point <= 0 {
        return Ok(NumericDate {
            secs: 0,
            fraction: true,
        });
    }
    let point = point as usize;
    let whole = (0..point).fold(0i64, |acc, i| {
        acc * 10 + i64::from(significant.get(i).map_or(0, |d| d - b'0'))
    });
    if whole > MAX_NUMERIC_DATE {
        return Err(too_late());
    }
    Ok(NumericDate {
        secs: whole,
        fraction: significant
            .get(point..)
            .is_some_and(|rest| rest.iter().any(|&d| d != b'0')),
    })
}

/// A compact JWT (`HEADER.PAYLOAD.SIGNATURE`, RFC 7519 §3) with its header read: the one reader
/// of a token's parts, for `xconn token` (claims shown, nothing verified) and `serve --jwks`
/// (the signature checked by `jsonwebtoken` over [`Jwt::signed`], then the claims read here).
#[derive(Debug)]
pub(crate) struct Jwt<'a> {
    pub(crate) header: JwtHeader,
    /// `HEADER.PAYLOAD` as sent: the bytes the signature covers.
    pub(crate) signed: &'a str,
    /// The signature part as sent (base64url, not decoded here).
    pub(crate) signature: &'a str,
    payload: &'a str,
}

/// The header parameters xconn acts on.
#[derive(Debug, Default)]
pub(crate) struct JwtHeader {
    pub(crate) alg: Option<String>,
    pub(crate) kid: Option<String>,
    /// `crit` (RFC 7515 §4.1.11), when present.
    pub(crate) crit: Option<Crit>,
}

/// A `crit` header parameter: the names it lists, or not a non-empty array of names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Crit {
    Names(Vec<String>),
    Malformed,
}

impl<'a> Jwt<'a> {
    /// Split `text` into its three parts and read the header (unpadded base64url of a JSON
    /// object). The error says which part is wrong, never repeating the token.
    pub(crate) fn split(text: &'a str) -> Result<Jwt<'a>, &'static str> {
        let mut parts = text.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("the token is not a JWT (header.payload.signature)");
        };
        let header_text = base64url_decode(header)
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or("the token's header is not base64url JSON")?;
        let doc = json::parse(&header_text)
            .ok()
            .filter(|h| h.is_object())
            .ok_or("the token's header is not a JSON object")?;
        Ok(Jwt {
            header: read_header(&doc),
            signed: &text[..header.len() + 1 + payload.len()],
            signature,
            payload,
        })
    }

    /// The claims of the payload (unpadded base64url of a JSON object).
    pub(crate) fn claims(&self) -> Result<Claims, &'static str> {
        let payload =
            base64url_decode(self.payload).ok_or("the token's payload is not base64url")?;
        let not_object = "the token's payload is not a JSON object";
        let text = String::from_utf8(payload).map_err(|_| not_object)?;
        let doc = json::parse(&text)
            .ok()
            .filter(|doc| doc.is_object())
            .ok_or(not_object)?;
        Ok(read_claims(&doc))
    }
}

fn read_header(doc: &json::Value) -> JwtHeader {
    let text = |name: &str| {
        doc.get(name)
            .and_then(|v| v.as_str())
            .map(|s| s.into_owned())
    };
    let crit = doc.get("crit").map(|crit| {
        let names: Option<Vec<String>> = crit
            .is_array()
            .then(|| {
                crit.items()
                    .map(|v| v.as_str().map(|s| s.into_owned()))
                    .collect()
            })
            .flatten();
        match names {
            Some(names) if !names.is_empty() => Crit::Names(names),
            _ => Crit::Malformed,
        }
    });
    JwtHeader {
        alg: text("alg"),
        kid: text("kid"),
        crit,
    }
}

/// The claims xconn shows and checks, from a payload object; the time claims through
/// [`numeric_date`].
fn read_claims(claims: &json::Value) -> Claims {
    let text = |key: &str| {
        claims
            .get(key)
            .and_then(|v| v.as_str())
            .map(|s| s.into_owned())
    };
    let mut invalid_times = Vec::new();
    let mut time = |key: &str| {
        let value = claims.get(key)?;
        numeric_date(key, &value)
            .map_err(|why| invalid_times.push(why))
            .ok()
    };
    let (expires, not_before, issued) = (time("exp"), time("nbf"), time("iat"));
    let issuer = text("iss");
    let realm = text("realm").or_else(|| text("tenant")).or_else(|| {
        let iss = issuer.as_deref()?;
        let (_, rest) = iss.split_once("/realms/")?;
        let name = rest.split('/').next()?;
        (!name.is_empty()).then(|| name.to_string())
    });
    let audience = match claims.get("aud") {
        Some(v) if v.is_array() => v
            .items()
            .filter_map(|a| a.as_str().map(|s| s.into_owned()))
            .collect(),
        Some(v) => v.as_str().map(|s| vec![s.into_owned()]).unwrap_or_default(),
        None => Vec::new(),
    };
    Claims {
        issuer,
        realm,
        audience,
        subject: text("sub"),
        client: text("azp"),
        expires,
        not_before,
        issued,
        invalid_times,
    }
}

/// The claims of a JWT (`header.payload.signature`, each unpadded base64url, header and payload
/// JSON objects); `None` when the text is not one. The signature is not checked.
pub(crate) fn decode_jwt(token: &str) -> Option<Claims> {
    let jwt = Jwt::split(token).ok()?;
    base64url_decode(jwt.signature)?;
    jwt.claims().ok()
}

/// Decode base64url without padding (RFC 7515 §2), strictly, with the `base64` crate: only
/// `A-Z a-z 0-9 - _`; `None` on anything else (`+`, `/`, `=`, whitespace), on an impossible
/// length, and on leftover bits that are not zero (so each byte string has exactly one encoding).
pub(crate) fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The warning to print before sending when a time claim is no usable NumericDate, or the token
/// has expired or expires within [`EXPIRY_MARGIN`]; `None` otherwise.
pub(crate) fn expiry_warning(claims: &Claims, now: i64) -> Option<String> {
    if let Some(why) = claims.invalid_times.first() {
        return Some(format!(
            "the token's {why}; the service will likely answer 401"
        ));
    }
    let exp = claims.expires?;
    let left = exp.secs() - now;
    if !exp.after(now) {
        Some(format!(
            "the token expired {} ago ({}); the service will likely answer 401",
            human_duration(-left),
            format_date(exp.secs())
        ))
    } else if left <= EXPIRY_MARGIN.as_secs() as i64 {
        Some(format!(
            "the token expires in {} ({})",
            human_duration(left),
            format_date(exp.secs())
        ))
    } else {
        None
    }
}

/// `3d 4h`, `2h 5m`, `4m 10s`, `9s`: the two largest units.
pub(crate) fn human_duration(secs: i64) -> String {
    let secs = secs.max(0);
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match () {
        _ if d > 0 => format!("{d}d {h}h"),
        _ if h > 0 => format!("{h}h {m}m"),
        _ if m > 0 => format!("{m}m {s}s"),
        _ => format!("{s}s"),
    }
}

/// Seconds since the epoch as `YYYY-MM-DD HH:MM:SS UTC`.
pub(crate) fn format_date(secs: i64) -> String {
    let (date, time) = civil(secs);
    format!("{date} {time} UTC")
}

/// Seconds since the epoch as RFC 3339 (`YYYY-MM-DDTHH:MM:SSZ`).
pub(crate) fn format_rfc3339(secs: i64) -> String {
    let (date, time) = civil(secs);
    format!("{date}T{time}Z")
}

fn civil(secs: i64) -> (String, String) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        format!("{year:04}-{month:02}-{day:02}"),
        format!("{:02}:{:02}:{:02}", rem / 3600, rem / 60 % 60, rem % 60),
    )
}

/// Context for reading a token for a command (used by `call` and `token`).
pub(crate) fn describe_missing() -> String {
    format!(
        "no token: set {} (or {}), use --token-env NAME / --token-file PATH, or get one by client \
         credentials with --issuer URL --client-id ID",
        DEFAULT_VARS[0], DEFAULT_VARS[1]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(bytes: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b))
                << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.c2ln",
            b64(br#"{"alg":"RS256","typ":"JWT"}"#),
            b64(payload.as_bytes())
        )
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean("  abc \n"), "abc");
        assert_eq!(clean("Bearer abc"), "abc");
        assert_eq!(clean("bearer  abc\n"), "abc");
        assert_eq!(clean("Bearerabc"), "Bearerabc");
        assert!(Token::new(" \n", Origin::Stdin).is_none());
        assert_eq!(clean("\u{feff}abc\n"), "abc");
        assert_eq!(clean("Bearer \n"), "");
        assert_eq!(clean("bearer\tabc"), "abc");
        assert!(check_ascii("t\u{f6}ken", "x").is_err());
        assert!(check_ascii("a b", "x").is_err());
        assert!(check_ascii("abc.DEF-_~+/=", "x").is_ok());
    }

    #[test]
    fn sources_in_order() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let t = find(
            &TokenSource::Default,
            env(&[("CSPARK_BEARER_TOKEN", "b"), ("XCONN_TOKEN", "a")]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (t.secret(), &t.origin),
            ("a", &Origin::Env("XCONN_TOKEN".into()))
        );
        let t = find(
            &TokenSource::Default,
            env(&[("XCONN_TOKEN", " "), ("CSPARK_BEARER_TOKEN", "Bearer b")]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.secret(), "b");
        assert!(find(&TokenSource::Default, env(&[])).unwrap().is_none());
        let named = TokenSource::Env("MY".into());
        assert_eq!(
            find(&named, env(&[("MY", "m")])).unwrap().unwrap().secret(),
            "m"
        );
        assert_eq!(
            crate::error::code_for(&find(&named, env(&[])).unwrap_err()),
            2
        );
        assert!(!format!("{t:?}").contains('b') || !format!("{t:?}").contains("\"b\""));
    }

    #[test]
    fn jwt_claims() {
        let token = jwt(
            r#"{"iss":"https://kc.example/auth/realms/acme","aud":["a","b"],"sub":"u1","exp":1700000000,"azp":"cli"}"#,
        );
        let c = decode_jwt(&token).unwrap();
        assert_eq!(c.realm.as_deref(), Some("acme"));
        assert_eq!(c.audience, ["a", "b"]);
        assert_eq!(c.expires.map(NumericDate::secs), Some(1_700_000_000));
        assert_eq!(c.client.as_deref(), Some("cli"));
        assert!(decode_jwt("opaque-token").is_none());
        assert!(decode_jwt("a.b.c").is_none());
        assert!(decode_jwt(&format!("{}.{}.x", b64(b"{}"), b64(b"[1]"))).is_none());
    }

    #[test]
    fn numeric_dates_are_read_exactly() {
        let read = |text: &str| {
            let doc = json::parse(text).unwrap();
            numeric_date("exp", &doc).map(|d| (d.secs, d.fraction))
        };
        for (text, secs, fraction) in [
            ("0", 0, false),
            ("-0", 0, false),
            ("-0.0e-5", 0, false),
            ("0.5", 0, true),
            ("1e-400", 0, true),
            ("9999999999e-1", 999_999_999, true),
            ("1.8e9", 1_800_000_000, false),
            ("1.8E+9", 1_800_000_000, false),
            ("18000000000000e-4", 1_800_000_000, false),
            ("1800000000.000", 1_800_000_000, false),
            ("1800000000.0001", 1_800_000_000, true),
            ("0.00018e13", 1_800_000_000, false),
            ("253402300799", MAX_NUMERIC_DATE, false),
            ("253402300799.9", MAX_NUMERIC_DATE, true),
        ] {
            assert_eq!(read(text), Ok((secs, fraction)), "{text}");
        }
        for (text, why) in [
            ("-1", "negative"),
            ("-1e-400", "negative"),
            ("253402300800", "out of range"),
            ("1e12", "out of range"),
            ("1e400", "out of range"),
            ("1e99999999999999999999999", "out of range"),
            ("123456789012345678901234567890", "out of range"),
            ("\"1\"", "a string"),
            ("\"NaN\"", "a string"),
            ("null", "null"),
            ("true", "not a NumericDate"),
            ("[1]", "an array"),
        ] {
            let err = read(text).unwrap_err();
            assert!(
                err.contains(why) && err.starts_with("`exp`"),
                "{text}: {err}"
            );
        }
        let d = |secs, fraction| NumericDate { secs, fraction };
        assert!(d(10, true).after(10) && !d(10, false).after(10) && d(11, false).after(10));
        assert!(d(9, true).before(10) && !d(10, false).before(10) && !d(10, true).before(10));
    }

    #[test]
    fn base64url_is_strict() {
        assert_eq!(base64url_decode("c2ln").unwrap(), b"sig");
        assert_eq!(base64url_decode("-_8").unwrap(), [0xfb, 0xff]);
        assert_eq!(base64url_decode("").unwrap(), b"");
        for bad in [
            "+_8", "-/8", "c2ln=", "c2k=", "c2l", "c2k ", "c", "c2lu\n", "-_9",
        ] {
            assert!(base64url_decode(bad).is_none(), "{bad}");
        }
        assert_eq!(base64url_decode("c2k").unwrap(), b"si");
    }

    #[test]
    fn expiry() {
        let c = Claims {
            expires: Some(NumericDate {
                secs: 1000,
                fraction: false,
            }),
            ..Claims::default()
        };
        assert!(expiry_warning(&c, 1001).unwrap().contains("expired 1s ago"));
        assert!(expiry_warning(&c, 950).unwrap().contains("expires in 50s"));
        assert!(expiry_warning(&c, 900).is_none());
        assert_eq!(format_date(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(human_duration(90_061), "1d 1h");
    }
}
