//! Who may call `serve`: a fixed bearer token (`--token-env VAR`, compared in constant time) or
//! an RS256 JWT checked against a local JWKS file (`--jwks FILE --issuer URL [--audience A]`).
//! Keys come from the file only, chosen by the token's `kid`; the token's own `iss` is compared,
//! never followed. A refusal says which check failed and never repeats the token.

use aws_lc_rs::signature::{RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};

use crate::error::{input_error, usage_error};
use crate::http::token::{self, base64url_decode, format_rfc3339, human_duration};
use crate::json;

/// Seconds of clock difference allowed on `exp` and `nbf`.
pub const LEEWAY: i64 = 30;

/// How requests are authenticated.
pub enum Auth {
    /// Anyone may call.
    Open,
    /// `Authorization: Bearer SECRET` with exactly this secret.
    Token(Secret),
    /// An RS256 JWT signed by one of these keys.
    Jwt(Box<JwtCheck>),
}

/// The expected token; `Debug` masks it.
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(crate::http::redact::MASK)
    }
}

/// Why a request was refused (answered 401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The check that failed, for the 401 body: never the token.
    pub reason: String,
    /// A token was sent but is not acceptable (`error="invalid_token"` in `WWW-Authenticate`).
    pub invalid_token: bool,
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
    pub fn from_env(var: &str) -> anyhow::Result<Auth> {
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
    pub fn secret(&self) -> Option<&str> {
        match self {
            Auth::Token(secret) => Some(&secret.0),
            _ => None,
        }
    }

    /// Check the `Authorization` header value of one request.
    pub fn check(&self, authorization: Option<&[u8]>, now: i64) -> Result<(), Refusal> {
        let given = match self {
            Auth::Open => return Ok(()),
            _ => bearer(authorization),
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
                if constant_time_eq(given.as_bytes(), secret.0.as_bytes()) {
                    Ok(())
                } else {
                    Err(refuse("the bearer token is not the expected one"))
                }
            }
            Auth::Jwt(check) => check.verify(given, now),
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

/// Equal bytes, in time that depends on the lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// One RSA public key of the JWKS.
struct Key {
    kid: Option<String>,
    n: Vec<u8>,
    e: Vec<u8>,
}

/// `--jwks FILE --issuer URL [--audience A]`.
pub struct JwtCheck {
    keys: Vec<Key>,
    file: String,
    issuer: String,
    audience: Option<String>,
}

impl JwtCheck {
    /// Read the JWKS file (`{"keys": [{"kty": "RSA", "kid", "n", "e"}, …]}`). Keys that are not
    /// RSA signing keys for RS256 are left out; a file with none, or unreadable, is an error.
    pub fn load(file: &str, issuer: &str, audience: Option<&str>) -> anyhow::Result<JwtCheck> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| input_error(format!("--jwks {file}: cannot read: {e}")))?;
        let bad = |why: String| usage_error(format!("--jwks {file}: {why}"));
        let doc = json::parse(&text).map_err(|e| bad(format!("not JSON: {}", e.kind.message())))?;
        let keys = doc
            .get("keys")
            .filter(|k| k.is_array())
            .ok_or_else(|| bad("not a JWKS: no `keys` array".into()))?;
        let mut found = Vec::new();
        for (i, key) in keys.items().enumerate() {
            let field = |name: &str| {
                key.get(name)
                    .and_then(|v| v.as_str())
                    .map(|s| s.into_owned())
            };
            if field("kty").as_deref() != Some("RSA")
                || field("use").is_some_and(|u| u != "sig")
                || field("alg").is_some_and(|a| a != "RS256")
            {
                continue;
            }
            let part = |name: &str| {
                field(name)
                    .and_then(|t| base64url_decode(&t))
                    .map(|b| strip_zeros(&b).to_vec())
                    .filter(|b| !b.is_empty())
                    .ok_or_else(|| bad(format!("key {i}: `{name}` is not base64url")))
            };
            let (n, e) = (part("n")?, part("e")?);
            if n.len() < 256 {
                return Err(bad(format!(
                    "key {i}: a {}-bit RSA key is too small for RS256 (at least 2048)",
                    n.len() * 8
                )));
            }
            found.push(Key {
                kid: field("kid"),
                n,
                e,
            });
        }
        if found.is_empty() {
            return Err(bad("no RSA signing key for RS256 in `keys`".into()));
        }
        if issuer.is_empty() {
            return Err(usage_error(
                "--issuer: give the exact issuer URL tokens carry",
            ));
        }
        Ok(JwtCheck {
            keys: found,
            file: file.to_string(),
            issuer: issuer.to_string(),
            audience: audience.map(str::to_string),
        })
    }

    /// Check one token: its algorithm, its key and signature, then issuer, audience and times.
    pub fn verify(&self, jwt: &str, now: i64) -> Result<(), Refusal> {
        let mut parts = jwt.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(refuse("the token is not a JWT (header.payload.signature)"));
        };
        let header_text = base64url_decode(header)
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| refuse("the token's header is not base64url JSON"))?;
        let header_doc = json::parse(&header_text)
            .ok()
            .filter(|h| h.is_object())
            .ok_or_else(|| refuse("the token's header is not a JSON object"))?;
        let text = |name: &str| {
            header_doc
                .get(name)
                .and_then(|v| v.as_str())
                .map(|s| s.into_owned())
        };
        match text("alg").as_deref() {
            Some("RS256") => {}
            Some(alg) if alg.eq_ignore_ascii_case("none") => {
                return Err(refuse(
                    "alg `none` (an unsigned token) is refused: only RS256 is accepted",
                ))
            }
            Some(alg) => {
                return Err(refuse(format!(
                    "alg `{}` is refused: only RS256 is accepted",
                    shown(alg)
                )))
            }
            None => {
                return Err(refuse(
                    "the token's header has no `alg`: only RS256 is accepted",
                ))
            }
        }
        let key = match text("kid") {
            Some(kid) => self
                .keys
                .iter()
                .find(|k| k.kid.as_deref() == Some(kid.as_str()))
                .ok_or_else(|| {
                    refuse(format!(
                        "kid `{}` is not in the JWKS {}",
                        shown(&kid),
                        self.file
                    ))
                })?,
            None if self.keys.len() == 1 => &self.keys[0],
            None => {
                return Err(refuse(format!(
                    "the token has no kid and the JWKS {} holds {} keys",
                    self.file,
                    self.keys.len()
                )))
            }
        };
        let signature = base64url_decode(signature)
            .ok_or_else(|| refuse("the token's signature is not base64url"))?;
        let signed = &jwt.as_bytes()[..header.len() + 1 + payload.len()];
        let public = RsaPublicKeyComponents {
            n: &key.n,
            e: &key.e,
        };
        if public
            .verify(&RSA_PKCS1_2048_8192_SHA256, signed, &signature)
            .is_err()
        {
            return Err(refuse(format!(
                "bad signature: the token is not signed by {}",
                match &key.kid {
                    Some(kid) => format!("key `{}` of the JWKS", shown(kid)),
                    None => "the JWKS key".to_string(),
                }
            )));
        }

        // Signed by a trusted key: the claims can be read and named.
        let claims = token::decode_jwt(jwt)
            .ok_or_else(|| refuse("the token's payload is not a JSON object"))?;
        match claims.issuer.as_deref() {
            Some(iss) if iss == self.issuer => {}
            Some(iss) => {
                return Err(refuse(format!(
                    "wrong issuer: `{}`, expected `{}`",
                    shown(iss),
                    self.issuer
                )))
            }
            None => return Err(refuse("the token has no `iss` (issuer)")),
        }
        if let Some(audience) = &self.audience {
            if !claims.audience.iter().any(|a| a == audience) {
                let given: Vec<String> = claims
                    .audience
                    .iter()
                    .map(|a| format!("`{}`", shown(a)))
                    .collect();
                return Err(refuse(if given.is_empty() {
                    format!("wrong audience: the token has no `aud`, expected `{audience}`")
                } else {
                    format!(
                        "wrong audience: {}, expected `{audience}`",
                        given.join(", ")
                    )
                }));
            }
        }
        let Some(exp) = claims.expires else {
            return Err(refuse("the token has no `exp` (expiry)"));
        };
        if now > exp.saturating_add(LEEWAY) {
            return Err(refuse(format!(
                "the token expired at {} ({} ago)",
                format_rfc3339(exp),
                human_duration(now - exp)
            )));
        }
        if let Some(nbf) = time_claim(jwt, "nbf") {
            if now.saturating_add(LEEWAY) < nbf {
                return Err(refuse(format!(
                    "the token is not valid before {}",
                    format_rfc3339(nbf)
                )));
            }
        }
        Ok(())
    }
}

/// A numeric claim (seconds) of the token's payload.
fn time_claim(jwt: &str, name: &str) -> Option<i64> {
    let payload = base64url_decode(jwt.split('.').nth(1)?)?;
    let text = String::from_utf8(payload).ok()?;
    let doc = json::parse(&text).ok()?;
    let number = doc.get(name)?.number_text()?.to_string();
    number.split(['.', 'e', 'E']).next()?.parse::<i64>().ok()
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

    #[test]
    fn bearer_tokens_are_compared_whole() {
        let auth = Auth::Token(Secret("s3cret-value".into()));
        assert!(auth.check(Some(b"Bearer s3cret-value"), 0).is_ok());
        assert!(auth.check(Some(b"bearer  s3cret-value "), 0).is_ok());
        for bad in [
            &b"Bearer s3cret-valu"[..],
            b"Bearer s3cret-value2",
            b"Basic s3cret-value",
            b"s3cret-value",
        ] {
            let refusal = auth.check(Some(bad), 0).unwrap_err();
            assert!(!refusal.reason.contains("s3cret"), "{}", refusal.reason);
        }
        assert!(!auth.check(None, 0).unwrap_err().invalid_token);
        assert!(Auth::Open.check(None, 0).is_ok());
    }

    #[test]
    fn unsigned_and_hmac_tokens_are_refused_before_any_key_is_tried() {
        let check = JwtCheck {
            keys: vec![Key {
                kid: Some("k".into()),
                n: vec![1; 256],
                e: vec![1, 0, 1],
            }],
            file: "jwks.json".into(),
            issuer: "https://id.example/realms/x".into(),
            audience: None,
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
        assert!(check
            .verify("a.b", 0)
            .unwrap_err()
            .reason
            .contains("not a JWT"));
    }
}
