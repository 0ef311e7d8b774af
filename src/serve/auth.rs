//! Who may call `serve`: a fixed bearer token (`--token-env VAR`, compared in constant time by
//! aws-lc-rs) or an RS256 / ES256 JWT checked against the issuer's keys (`--issuer URL
//! [--audience A] [--leeway SECONDS]`): the key set its discovery document publishes
//! ([`super::jwks`]), or a local JWKS file (`--jwks FILE`). Keys are chosen by the token's `kid`;
//! the token's own `iss` is compared, never followed. `jsonwebtoken` checks the signature; the
//! header and claims are read by `http::token` (the same reader as `xconn token`). A refusal says
//! which check failed and never repeats the token.

use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey};

use crate::error::{input_error, usage_error};
use crate::http::token::{self, base64url_decode, format_rfc3339, human_duration, Crit, Jwt};
use crate::json;

/// How requests are authenticated.
pub(crate) enum Auth {
    /// Anyone may call.
    Open,
    /// `Authorization: Bearer SECRET` with exactly this secret.
    Token(Secret),
    /// An RS256 or ES256 JWT signed by one of these keys.
    Jwt(Box<JwtCheck>),
}

/// The expected token; `Debug` masks it.
pub(crate) struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(crate::http::redact::MASK)
    }
}

/// Why a request was refused (answered 401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The check that failed, for the 401 body: never the token.
    pub(crate) reason: String,
    /// A token was sent but is not acceptable (`error="invalid_token"` in `WWW-Authenticate`).
    pub(crate) invalid_token: bool,
}

fn refuse(reason: impl Into<String>) -> Refusal {
    Refusal {
        reason: reason.into(),
        invalid_token: true,
    }
}

impl Auth {
    /// `--token-env VAR`: the secret from the environment (cleaned as `call` cleans it); unset or
    /// empty is a usage error.
    pub(crate) fn from_env(var: &str) -> anyhow::Result<Auth> {
        let raw = std::env::var(var).map_err(|_| {
            usage_error(format!("--token-env {var}: the variable {var} is not set"))
        })?;
        let secret = token::clean(&raw);
        if secret.is_empty() {
            return Err(usage_error(format!(
                "--token-env {var}: the variable {var} is empty"
            )));
        }
        // serve's log and answers mask it from here on (the sink, `redact::Masked`).
        crate::http::redact::register(secret);
        Ok(Auth::Token(Secret(secret.to_string())))
    }

    /// The fixed token (`--token-env`), if that is how requests are authenticated.
    pub(crate) fn secret(&self) -> Option<&str> {
        match self {
            Auth::Token(secret) => Some(&secret.0),
            _ => None,
        }
    }

    /// `--jwks`: read the key file again now (`why` is said in the log); otherwise nothing.
    pub(crate) fn reload(&self, why: &str) {
        if let Auth::Jwt(check) = self {
            check.reload(why);
        }
    }

    /// Before [`check`](Self::check): with the issuer's published keys, fetch them again when
    /// they are due (expired, or the token's `kid` is not among them; see [`super::jwks`]).
    pub(crate) async fn prepare(&self, authorization: &[&[u8]]) {
        let Auth::Jwt(check) = self else { return };
        let KeySource::Remote(remote) = &check.source else {
            return;
        };
        let kid = match authorization {
            [one] => bearer(Some(one))
                .and_then(|token| Jwt::split(token).ok())
                .and_then(|jwt| jwt.header.kid),
            _ => None,
        };
        let known =
            kid.is_none_or(|kid| check.keys().iter().any(|k| k.kid.as_deref() == Some(&kid)));
        if let Some(keys) = remote.refresh(known).await {
            *check.keys.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(keys);
        }
    }

    /// Check the `Authorization` header values of one request (more than one is refused).
    pub(crate) fn check(&self, authorization: &[&[u8]], now: i64) -> Result<(), Refusal> {
        let given = match (self, authorization) {
            (Auth::Open, _) => return Ok(()),
            (_, [] | [_]) => bearer(authorization.first().copied()),
            (_, _) => {
                return Err(Refusal {
                    reason: format!(
                        "more than one `Authorization` header ({}): send exactly one",
                        authorization.len()
                    ),
                    invalid_token: false,
                })
            }
        };
        let Some(given) = given else {
            return Err(Refusal {
                reason: "no bearer token: send `Authorization: Bearer <token>`".into(),
                invalid_token: false,
            });
        };
        match self {
            Auth::Open => Ok(()),
            Auth::Token(secret) => {
                let equal = aws_lc_rs::constant_time::verify_slices_are_equal(
                    given.as_bytes(),
                    secret.0.as_bytes(),
                );
                if equal.is_ok() {
                    Ok(())
                } else {
                    Err(refuse("the bearer token is not the expected one"))
                }
            }
            Auth::Jwt(check) => {
                check.reload_if_changed();
                check.verify(given, now)
            }
        }
    }
}

/// The token of an `Authorization: Bearer TOKEN` header value (scheme in any case).
fn bearer(value: Option<&[u8]>) -> Option<&str> {
    let value = std::str::from_utf8(value?).ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    let rest = rest.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty()).then_some(rest)
}

/// The algorithms a token may be signed with.
const ACCEPTED: &str = "only RS256 and ES256 are accepted";

/// One public key of the JWKS: an RSA key for RS256 or an EC P-256 key for ES256.
pub(crate) struct Key {
    kid: Option<String>,
    alg: Algorithm,
    key: DecodingKey,
}

/// `--issuer URL [--jwks FILE] [--audience A] [--leeway SECONDS]`.
pub(crate) struct JwtCheck {
    keys: RwLock<Arc<Vec<Key>>>,
    source: KeySource,
    issuer: String,
    audience: Option<String>,
    /// Seconds of clock difference allowed on `exp` and `nbf`.
    leeway: i64,
}

/// Where the keys come from.
enum KeySource {
    /// `--jwks FILE`, watched for changes.
    File { file: String, watch: Mutex<Watch> },
    /// The issuer's `jwks_uri`.
    Remote(Box<super::jwks::Remote>),
}

impl KeySource {
    /// `the JWKS FILE` / `the key set URL`, for refusals.
    fn name(&self) -> String {
        match self {
            KeySource::File { file, .. } => format!("the JWKS {file}"),
            KeySource::Remote(remote) => {
                format!("the key set {}", crate::http::redact::url(&remote.uri))
            }
        }
    }
}

/// When the JWKS file was last looked at, and what it was then.
struct Watch {
    checked: Instant,
    seen: Option<Stamp>,
}

/// What tells a changed file: its inode (a file renamed over it), size and modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    inode: u64,
    len: u64,
    modified: Option<SystemTime>,
}

fn stamp(file: &str) -> Option<Stamp> {
    let meta = std::fs::metadata(file).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some(Stamp {
        inode,
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// How often, at most, a request makes serve look at the JWKS file.
const WATCH_EVERY: Duration = Duration::from_secs(1);

impl JwtCheck {
    /// Read the JWKS file (`{"keys": [{"kty": "RSA", "kid", "n", "e"}, {"kty": "EC", "crv":
    /// "P-256", "kid", "x", "y"}, …]}`). Keys that are not signing keys for RS256 or ES256 are
    /// left out; a file with none, or unreadable, is an error.
    pub(crate) fn load(
        file: &str,
        issuer: &str,
        audience: Option<&str>,
        leeway: i64,
    ) -> anyhow::Result<JwtCheck> {
        let seen = stamp(file);
        let keys = read_keys(file)?;
        if issuer.is_empty() {
            return Err(usage_error(
                "--issuer: give the exact issuer URL tokens carry",
            ));
        }
        Ok(JwtCheck {
            keys: RwLock::new(Arc::new(keys)),
            source: KeySource::File {
                file: file.to_string(),
                watch: Mutex::new(Watch {
                    checked: Instant::now(),
                    seen,
                }),
            },
            issuer: issuer.to_string(),
            audience: audience.map(str::to_string),
            leeway,
        })
    }

    /// `--issuer URL` alone: the keys its discovery document publishes, fetched now (see
    /// [`super::jwks::discover`]); tokens must carry the document's `issuer` exactly.
    pub(crate) fn discover(
        issuer: &str,
        audience: Option<&str>,
        leeway: i64,
    ) -> anyhow::Result<JwtCheck> {
        let url = crate::http::request::parse_url(issuer)
            .map_err(|e| usage_error(format!("--issuer: {e:#}")))?;
        let found = crate::http::block_on(super::jwks::discover(&url))??;
        Ok(JwtCheck {
            keys: RwLock::new(Arc::new(found.keys)),
            source: KeySource::Remote(Box::new(found.remote)),
            issuer: found.issuer,
            audience: audience.map(str::to_string),
            leeway,
        })
    }

    /// Read the file again when its inode, size or modification time changed since it was last
    /// read; looked at most once per [`WATCH_EVERY`], when a token arrives.
    pub(crate) fn reload_if_changed(&self) {
        let KeySource::File { file, watch } = &self.source else {
            return;
        };
        let mut watch = watch.lock().unwrap_or_else(PoisonError::into_inner);
        if watch.checked.elapsed() < WATCH_EVERY {
            return;
        }
        watch.checked = Instant::now();
        let now = stamp(file);
        if now == watch.seen {
            return;
        }
        watch.seen = now;
        drop(watch);
        self.reload("file changed");
    }

    /// Read the file again: its keys replace the current ones; a file that cannot be read, is not
    /// a JWKS or holds no usable key keeps the current keys. Either way one log line says so.
    pub(crate) fn reload(&self, why: &str) {
        let KeySource::File { file, .. } = &self.source else {
            return;
        };
        let current = self.keys().len();
        match read_keys(file) {
            Ok(keys) => {
                let n = keys.len();
                *self.keys.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(keys);
                super::log_line(&format!(
                    "--jwks {file}: reloaded ({why}): {n} key{}",
                    if n == 1 { "" } else { "s" }
                ));
            }
            Err(e) => super::log_line(&format!(
                "reload ({why}) failed, keeping the previous {current} key{}: {e:#}",
                if current == 1 { "" } else { "s" }
            )),
        }
    }

    fn keys(&self) -> Arc<Vec<Key>> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Check one token: its algorithm, its key and signature, then issuer, audience and times.
    pub(crate) fn verify(&self, text: &str, now: i64) -> Result<(), Refusal> {
        let jwt = Jwt::split(text).map_err(refuse)?;
        let alg = accepted_alg(jwt.header.alg.as_deref())?;
        refuse_crit(jwt.header.crit.as_ref())?;
        let keys = self.keys();
        let candidates = self.candidates(&keys, jwt.header.kid.as_deref(), alg)?;
        check_signature(&jwt, alg, &candidates)?;
        // Signed by a trusted key: the claims can be read and named.
        let claims = jwt.claims().map_err(refuse)?;
        self.check_issuer(&claims)?;
        self.check_audience(&claims)?;
        check_times(&claims, now, self.leeway)
    }

    /// The keys to try: every key with the token's `kid` (a JWKS may list two during a rotation),
    /// or the only key when the token has none; each must be a key for `alg`.
    fn candidates<'k>(
        &self,
        keys: &'k [Key],
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Vec<&'k Key>, Refusal> {
        let found: Vec<&Key> = match kid {
            Some(kid) => {
                let found: Vec<&Key> = keys
                    .iter()
                    .filter(|k| k.kid.as_deref() == Some(kid))
                    .collect();
                if found.is_empty() {
                    return Err(refuse(format!(
                        "kid `{}` is not in {}",
                        shown(kid),
                        self.source.name()
                    )));
                }
                found
            }
            None if keys.len() == 1 => vec![&keys[0]],
            None => {
                return Err(refuse(format!(
                    "the token has no kid and {} holds {} keys",
                    self.source.name(),
                    keys.len()
                )))
            }
        };
        let fitting: Vec<&Key> = found.iter().copied().filter(|k| k.alg == alg).collect();
        if fitting.is_empty() {
            return Err(refuse(format!(
                "alg `{alg:?}` does not fit {}: a {:?} key",
                described(&found),
                found[0].alg
            )));
        }
        Ok(fitting)
    }

    /// `iss` is exactly `--issuer`.
    fn check_issuer(&self, claims: &token::Claims) -> Result<(), Refusal> {
        match claims.issuer.as_deref() {
            Some(iss) if iss == self.issuer => Ok(()),
            Some(iss) => Err(refuse(format!(
                "wrong issuer: `{}`, expected `{}`",
                shown(iss),
                self.issuer
            ))),
            None => Err(refuse("the token has no `iss` (issuer)")),
        }
    }

    /// With `--audience A`: `aud` (a string or an array) holds `A`.
    fn check_audience(&self, claims: &token::Claims) -> Result<(), Refusal> {
        let Some(audience) = &self.audience else {
            return Ok(());
        };
        if claims.audience.iter().any(|a| a == audience) {
            return Ok(());
        }
        let given: Vec<String> = claims
            .audience
            .iter()
            .map(|a| format!("`{}`", shown(a)))
            .collect();
        Err(refuse(if given.is_empty() {
            format!("wrong audience: the token has no `aud`, expected `{audience}`")
        } else {
            format!(
                "wrong audience: {}, expected `{audience}`",
                given.join(", ")
            )
        }))
    }
}

/// The header's `alg`, when it is one this check accepts; `none`, HMAC and the rest are refused
/// before any key is tried.
fn accepted_alg(alg: Option<&str>) -> Result<Algorithm, Refusal> {
    match alg {
        Some("RS256") => Ok(Algorithm::RS256),
        Some("ES256") => Ok(Algorithm::ES256),
        Some(alg) if alg.eq_ignore_ascii_case("none") => Err(refuse(format!(
            "alg `none` (an unsigned token) is refused: {ACCEPTED}"
        ))),
        Some(alg) => Err(refuse(format!(
            "alg `{}` is refused: {ACCEPTED}",
            shown(alg)
        ))),
        None => Err(refuse(format!(
            "the token's header has no `alg`: {ACCEPTED}"
        ))),
    }
}

/// RFC 7515 §4.1.11: every parameter `crit` lists must be understood, and none is here.
fn refuse_crit(crit: Option<&Crit>) -> Result<(), Refusal> {
    match crit {
        None => Ok(()),
        Some(Crit::Names(names)) => {
            let names: Vec<String> = names.iter().map(|n| format!("`{}`", shown(n))).collect();
            Err(refuse(format!(
                "the token's header marks {} critical (`crit`): no JWS extension is understood \
                 here, so the token is refused",
                names.join(", ")
            )))
        }
        Some(Crit::Malformed) => Err(refuse(
            "the token's header has a malformed `crit` (RFC 7515: a non-empty array of header \
             parameter names)",
        )),
    }
}

/// `jsonwebtoken` checks the signature of `HEADER.PAYLOAD` for `alg` with each candidate key;
/// one match is enough.
fn check_signature(jwt: &Jwt, alg: Algorithm, candidates: &[&Key]) -> Result<(), Refusal> {
    for key in candidates {
        match jsonwebtoken::crypto::verify(jwt.signature, jwt.signed.as_bytes(), &key.key, alg) {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) if matches!(e.kind(), ErrorKind::Base64(_)) => {
                return Err(refuse("the token's signature is not base64url"))
            }
            // A key the crate cannot use for `alg`: not a signature by it.
            Err(_) => {}
        }
    }
    Err(refuse(format!(
        "bad signature: the token is not signed by {}",
        described(candidates)
    )))
}

/// `key `k1` of the JWKS`, `any of the 2 keys `k1` of the JWKS`, `the JWKS key`.
fn described(keys: &[&Key]) -> String {
    match &keys[0].kid {
        Some(kid) if keys.len() > 1 => format!(
            "any of the {} keys `{}` of the JWKS",
            keys.len(),
            shown(kid)
        ),
        Some(kid) => format!("key `{}` of the JWKS", shown(kid)),
        None => "the JWKS key".to_string(),
    }
}

/// The signing keys of a JWKS file (RSA for RS256, EC P-256 for ES256); none, or an unreadable
/// file, is an error.
fn read_keys(file: &str) -> anyhow::Result<Vec<Key>> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| input_error(format!("--jwks {file}: cannot read: {e}")))?;
    parse_keys(&text, &format!("--jwks {file}"))
}

/// The signing keys of a JWKS file (`name` says where it came from in errors): strict, as an
/// operator's own file should be: an unusable key or no key at all is an error.
pub(crate) fn parse_keys(text: &str, name: &str) -> anyhow::Result<Vec<Key>> {
    let mut found = Vec::new();
    for entry in key_entries(text, name)? {
        match entry {
            Ok(Some(key)) => found.push(key),
            Ok(None) => {}
            Err(skipped) => {
                return Err(usage_error(format!(
                    "{name}: key {}: {}",
                    skipped.index, skipped.why
                )))
            }
        }
    }
    if found.is_empty() {
        return Err(no_signing_key(name));
    }
    Ok(found)
}

/// A key of a remote set that cannot be used: where it is, its `kid`, and why (never key
/// material).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub(crate) index: usize,
    pub(crate) kid: Option<String>,
    pub(crate) why: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kid {
            Some(kid) => write!(f, "key {} (kid `{}`)", self.index, shown_kid(kid))?,
            None => write!(f, "key {} (no kid)", self.index)?,
        }
        write!(f, " is skipped: {}", self.why)
    }
}

/// A `kid` fit for the log: control characters escaped, at most 80 characters.
fn shown_kid(kid: &str) -> String {
    let escaped = crate::error::escape_control(kid);
    match escaped.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}

/// The signing keys of an issuer's published set, as a gateway reads it: a key that is
/// malformed, too small or unsupported is skipped (and returned, to be logged) and the others
/// kept. An empty result is the caller's to judge; not a JWKS at all is an error.
pub(crate) fn parse_remote_keys(
    text: &str,
    name: &str,
) -> anyhow::Result<(Vec<Key>, Vec<Skipped>)> {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for entry in key_entries(text, name)? {
        match entry {
            Ok(Some(key)) => found.push(key),
            Ok(None) => {}
            Err(bad) => skipped.push(bad),
        }
    }
    Ok((found, skipped))
}

/// The error of a set without a usable signing key.
pub(crate) fn no_signing_key(name: &str) -> anyhow::Error {
    usage_error(format!(
        "{name}: no RSA signing key for RS256 (nor EC P-256 key for ES256) in `keys`"
    ))
}

/// Every member of a JWKS text's `keys`: a signing key, `None` (not one for RS256 / ES256
/// signatures), or why it cannot be used.
fn key_entries(text: &str, name: &str) -> anyhow::Result<Vec<Result<Option<Key>, Skipped>>> {
    let bad = |why: String| usage_error(format!("{name}: {why}"));
    let doc = json::parse(text).map_err(|e| bad(format!("not JSON: {}", e.kind.message())))?;
    let keys = doc
        .get("keys")
        .filter(|k| k.is_array())
        .ok_or_else(|| bad("not a JWKS: no `keys` array".into()))?;
    Ok(keys
        .items()
        .enumerate()
        .map(|(index, jwk)| {
            read_key(&jwk).map_err(|why| Skipped {
                index,
                kid: jwk
                    .get("kid")
                    .and_then(|v| v.as_str())
                    .map(|k| k.into_owned()),
                why,
            })
        })
        .collect())
}

/// One JWK: `None` when it is no signing key for RS256 or ES256 (another `kty`, `crv`, `use` or
/// `alg`: left out); an error when it is one but its numbers are not usable.
fn read_key(jwk: &json::Value) -> Result<Option<Key>, String> {
    let field = |name: &str| {
        jwk.get(name)
            .and_then(|v| v.as_str())
            .map(|s| s.into_owned())
    };
    if field("use").is_some_and(|u| u != "sig") {
        return Ok(None);
    }
    let part = |name: &str| {
        field(name)
            .and_then(|t| base64url_decode(&t))
            .filter(|b| !b.is_empty())
            .ok_or_else(|| format!("`{name}` is not base64url"))
    };
    let alg = field("alg");
    let (alg, key) = match field("kty").as_deref() {
        Some("RSA") if alg.as_deref().is_none_or(|a| a == "RS256") => {
            let (n, e) = (part("n")?, part("e")?);
            (Algorithm::RS256, rsa_key(strip_zeros(&n), strip_zeros(&e))?)
        }
        Some("EC")
            if field("crv").as_deref() == Some("P-256")
                && alg.as_deref().is_none_or(|a| a == "ES256") =>
        {
            (Algorithm::ES256, p256_key(&part("x")?, &part("y")?)?)
        }
        _ => return Ok(None),
    };
    Ok(Some(Key {
        kid: field("kid"),
        alg,
        key,
    }))
}

/// An RSA public key of at least 2048 bits.
fn rsa_key(n: &[u8], e: &[u8]) -> Result<DecodingKey, String> {
    if n.is_empty() || e.is_empty() {
        return Err(format!(
            "`{}` is zero",
            if n.is_empty() { "n" } else { "e" }
        ));
    }
    if n.len() < 256 {
        return Err(format!(
            "a {}-bit RSA key is too small for RS256 (at least 2048)",
            n.len() * 8
        ));
    }
    Ok(DecodingKey::from_rsa_raw_components(n, e))
}

/// A P-256 public key: `x` and `y` of 32 bytes each, a point on the curve (checked by aws-lc-rs
/// now, so a bad key is said at start-up rather than as every token's bad signature).
fn p256_key(x: &[u8], y: &[u8]) -> Result<DecodingKey, String> {
    if x.len() != 32 || y.len() != 32 {
        return Err("`x` and `y` of a P-256 key are 32 bytes each".into());
    }
    // The uncompressed SEC1 point, as `DecodingKey::from_ec_components` builds it.
    let point = [&[0x04][..], x, y].concat();
    aws_lc_rs::signature::ParsedPublicKey::new(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED,
        &point,
    )
    .map_err(|_| "`x` and `y` are not a point of P-256".to_string())?;
    Ok(DecodingKey::from_ec_der(&point))
}

/// `exp` (required), `nbf` and `iat` (when present) are NumericDates; `exp` not passed and `nbf`
/// reached, each with `leeway` seconds. `now` is in whole seconds; a fractional date counts
/// exactly.
fn check_times(claims: &token::Claims, now: i64, leeway: i64) -> Result<(), Refusal> {
    if let Some(why) = claims.invalid_times.first() {
        return Err(refuse(format!("the token's {why}")));
    }
    let Some(exp) = claims.expires else {
        return Err(refuse("the token has no `exp` (expiry)"));
    };
    if exp.before(now.saturating_sub(leeway)) {
        return Err(refuse(format!(
            "the token expired at {} ({} ago)",
            format_rfc3339(exp.secs()),
            human_duration(now - exp.secs())
        )));
    }
    if let Some(nbf) = claims.not_before {
        if nbf.after(now.saturating_add(leeway)) {
            return Err(refuse(format!(
                "the token is not valid before {}",
                format_rfc3339(nbf.secs())
            )));
        }
    }
    Ok(())
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// A claim value fit for a message: control characters escaped, at most 100 characters.
fn shown(text: &str) -> String {
    crate::http::redact::body_prefix(text.as_bytes(), 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A usable P-256 JWK named `kid` (a fresh key pair's public point).
    fn p256_jwk(kid: &str) -> String {
        use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
        use base64::Engine;
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let point = pair.public_key().as_ref().to_vec();
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        format!(
            r#"{{"kty":"EC","crv":"P-256","kid":"{kid}","x":"{}","y":"{}"}}"#,
            b64(&point[1..33]),
            b64(&point[33..65])
        )
    }

    #[test]
    fn a_remote_set_skips_its_bad_keys_and_a_file_refuses_them() {
        let small = r#"{"kty":"RSA","kid":"small\u001b","n":"AQAB","e":"AQAB"}"#;
        let garbled = r#"{"kty":"EC","crv":"P-256","x":"!!","y":"AA"}"#;
        let text = format!(r#"{{"keys":[{small},{garbled},{}]}}"#, p256_jwk("good"));
        let (keys, skipped) = parse_remote_keys(&text, "the key set").unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].kid.as_deref(), Some("good"));
        let said: Vec<String> = skipped.iter().map(Skipped::to_string).collect();
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(
            said[0].starts_with("key 0 (kid `small\\u{1b}`) is skipped: a 24-bit RSA key"),
            "{said:?}"
        );
        assert!(
            said[1].starts_with("key 1 (no kid) is skipped: `x` is not base64url"),
            "{said:?}"
        );
        assert!(!said.concat().contains("AQAB"), "{said:?}");
        let Err(err) = parse_keys(&text, "--jwks f") else {
            panic!("a file with a bad key is refused");
        };
        assert!(
            format!("{err:#}").contains("key 0: a 24-bit RSA key"),
            "{err:#}"
        );
        let (keys, skipped) = parse_remote_keys(&format!(r#"{{"keys":[{small}]}}"#), "s").unwrap();
        assert!(keys.is_empty() && skipped.len() == 1);
        assert!(parse_remote_keys("[]", "s").is_err());
    }

    /// `--leeway`'s default.
    const LEEWAY: i64 = 30;

    #[test]
    fn bearer_tokens_are_compared_whole() {
        let auth = Auth::Token(Secret("s3cret-value".into()));
        assert!(auth.check(&[b"Bearer s3cret-value"], 0).is_ok());
        assert!(auth.check(&[b"bearer  s3cret-value "], 0).is_ok());
        let twice = auth
            .check(&[b"Bearer s3cret-value", b"Bearer s3cret-value"], 0)
            .unwrap_err();
        assert!(twice.reason.contains("more than one"), "{}", twice.reason);
        for bad in [
            &b"Bearer s3cret-valu"[..],
            b"Bearer s3cret-value2",
            b"Basic s3cret-value",
            b"s3cret-value",
        ] {
            let refusal = auth.check(&[bad], 0).unwrap_err();
            assert!(!refusal.reason.contains("s3cret"), "{}", refusal.reason);
        }
        assert!(!auth.check(&[], 0).unwrap_err().invalid_token);
        assert!(Auth::Open.check(&[], 0).is_ok());
    }

    #[test]
    fn unsigned_and_hmac_tokens_are_refused_before_any_key_is_tried() {
        let check = JwtCheck {
            keys: RwLock::new(Arc::new(vec![Key {
                kid: Some("k".into()),
                alg: Algorithm::RS256,
                key: DecodingKey::from_rsa_raw_components(&[1; 256], &[1, 0, 1]),
            }])),
            source: KeySource::File {
                file: "jwks.json".into(),
                watch: Mutex::new(Watch {
                    checked: Instant::now(),
                    seen: None,
                }),
            },
            issuer: "https://id.example/realms/x".into(),
            audience: None,
            leeway: LEEWAY,
        };
        let b64 = |s: &str| {
            const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut out = String::new();
            for chunk in s.as_bytes().chunks(3) {
                let n = chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b))
                    << (8 * (3 - chunk.len()));
                for i in 0..=chunk.len() {
                    out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                }
            }
            out
        };
        let payload = b64(r#"{"iss":"https://id.example/realms/x","exp":99999999999}"#);
        let none = format!("{}.{payload}.", b64(r#"{"alg":"none"}"#));
        assert!(check
            .verify(&none, 0)
            .unwrap_err()
            .reason
            .contains("`none`"));
        let hs = format!("{}.{payload}.c2ln", b64(r#"{"alg":"HS256","kid":"k"}"#));
        assert!(check.verify(&hs, 0).unwrap_err().reason.contains("HS256"));
        let other_kid = format!("{}.{payload}.c2ln", b64(r#"{"alg":"RS256","kid":"z"}"#));
        assert!(check
            .verify(&other_kid, 0)
            .unwrap_err()
            .reason
            .contains("kid `z`"));
        let crit = format!(
            "{}.{payload}.c2ln",
            b64(r#"{"alg":"RS256","kid":"k","crit":["exp"]}"#)
        );
        assert!(check
            .verify(&crit, 0)
            .unwrap_err()
            .reason
            .contains("`crit`"));
        assert!(check
            .verify("a.b", 0)
            .unwrap_err()
            .reason
            .contains("not a JWT"));
    }

    #[test]
    fn time_claims_are_compared_exactly_with_leeway() {
        let claims = |payload: &str| {
            let b64 = |t: &str| {
                let mut out = String::new();
                const A: &[u8] =
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                for chunk in t.as_bytes().chunks(3) {
                    let n = chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b))
                        << (8 * (3 - chunk.len()));
                    for i in 0..=chunk.len() {
                        out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                    }
                }
                out
            };
            token::decode_jwt(&format!("{}.{}.", b64(r#"{"alg":"RS256"}"#), b64(payload))).unwrap()
        };
        let at = |payload: &str, now: i64| {
            check_times(&claims(payload), now, LEEWAY).map_err(|r| r.reason)
        };
        // exp 1000: accepted up to now = 1030 (leeway), refused from 1031; 1000.5 the same.
        assert!(at(r#"{"exp":1000}"#, 1030).is_ok());
        assert!(at(r#"{"exp":1000}"#, 1031).is_err());
        assert!(at(r#"{"exp":1000.5}"#, 1030).is_ok());
        assert!(at(r#"{"exp":1.0005e3}"#, 1031).is_err());
        assert!(at(r#"{"exp":10000e-1}"#, 1031).is_err());
        // nbf 2000: accepted from now = 1970; 2000.5 only from 1971.
        assert!(at(r#"{"exp":9e9,"nbf":2000}"#, 1970).is_ok());
        assert!(at(r#"{"exp":9e9,"nbf":2000}"#, 1969).is_err());
        assert!(at(r#"{"exp":9e9,"nbf":2000.5}"#, 1970).is_err());
        assert!(at(r#"{"exp":9e9,"nbf":2.0005e3}"#, 1971).is_ok());
        // `--leeway`: 0 refuses a second past `exp`, 120 accepts two minutes past it.
        let with =
            |payload: &str, now: i64, leeway: i64| check_times(&claims(payload), now, leeway);
        assert!(with(r#"{"exp":1000}"#, 1000, 0).is_ok());
        assert!(with(r#"{"exp":1000}"#, 1001, 0).is_err());
        assert!(with(r#"{"exp":1000}"#, 1120, 120).is_ok());
        assert!(with(r#"{"exp":9e9,"nbf":2000}"#, 1880, 120).is_ok());
        assert!(with(r#"{"exp":9e9,"nbf":2000}"#, 1999, 0).is_err());
        // Extreme `now` does not overflow.
        assert!(at(r#"{"exp":9e9}"#, i64::MIN).is_ok());
        assert!(at(r#"{"exp":0,"nbf":0}"#, i64::MAX).is_err());
        assert!(at(r#"{"exp":9e9,"nbf":9e9}"#, i64::MIN).is_err());
        for (payload, claim) in [
            (r#"{"exp":"1"}"#, "`exp`"),
            (r#"{"exp":9e9,"nbf":"1"}"#, "`nbf`"),
            (r#"{"exp":9e9,"iat":false}"#, "`iat`"),
            (r#"{"exp":-1}"#, "`exp`"),
        ] {
            assert!(at(payload, 0).unwrap_err().contains(claim), "{payload}");
        }
    }
}
