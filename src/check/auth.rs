//! The auth group, when a token is configured: requests with no token (`no-token`, in
//! [`super::fixed`]), an empty bearer, a token that is no JWT, and JWTs forged from the
//! configured token's header and claims — `alg: none`, signature stripped, signature replaced,
//! expired, for another audience. Each must get 401 or 403. The real token is never changed in
//! place, never printed, and no forged token carries its signature: a report names a token's
//! shape ("alg:none, signature stripped"), never the token.

use serde_json::{Map, Value};

use super::shape::Rng;
use super::{fixed, Group, Probe, Settings, Verdict};
use crate::http::token::{base64url_decode, now, Jwt};
use crate::http::{self, Client, Failure};

/// The probes, by the names `--skip` takes (`no-token` is one too).
pub(crate) const NAMES: [&str; 7] = [
    "empty-bearer",
    "malformed-token",
    "alg-none",
    "signature-stripped",
    "signature-altered",
    "expired",
    "other-audience",
];

/// The audience the `other-audience` token is for.
const OTHER_AUDIENCE: &str = "https://xconn-check.invalid/other-audience";

/// A token to try: its probe name, its shape for people, and the `Authorization` value.
struct Forged {
    name: &'static str,
    shape: &'static str,
    authorization: String,
}

/// Run the auth probes: skipped without a token; the JWT ones skipped when it is no JWT.
pub(crate) async fn run(settings: &Settings, authed: &Client, anonymous: &Client) -> Vec<Probe> {
    let body = body(settings);
    let mut probes = Vec::new();
    if settings.runs(Group::Auth, "no-token") {
        let sample = settings.sample.is_some();
        probes.push(fixed::no_token(settings, authed, anonymous, sample).await);
    }
    let Some(token) = authed.token() else {
        probes.extend(
            NAMES
                .iter()
                .filter(|n| settings.runs(Group::Auth, n))
                .map(|n| skip(n, "no token configured: nothing to forge")),
        );
        return probes;
    };
    let forged = forge(token.secret(), settings.seed);
    for name in NAMES {
        if !settings.runs(Group::Auth, name) {
            continue;
        }
        let Some(f) = forged.iter().find(|f| f.name == name) else {
            probes.push(skip(
                name,
                "the configured token is not a JWT: nothing to forge from",
            ));
            continue;
        };
        let headers = [("Authorization".to_string(), f.authorization.clone())];
        probes.push(
            match super::send(settings, anonymous, body.clone(), &headers).await {
                Ok(result) => judge(f, result),
                Err(spent) => spent.probe(Group::Auth, name),
            },
        );
    }
    probes
}

fn skip(name: &str, why: &str) -> Probe {
    Probe::new(Group::Auth, name, Verdict::Skip, why.to_string())
}

/// The body the auth probes send: the sample, else a small generated request.
fn body(settings: &Settings) -> Vec<u8> {
    if let Some(sample) = &settings.sample {
        return sample.clone();
    }
    match super::cases::columns(settings) {
        Some(columns) => {
            let mut rng = Rng::for_case(settings.seed, 0, 2);
            super::generate::plain_table(&columns, 1, &mut rng).body()
        }
        None => br#"{"inputs":[["x"],[1]]}"#.to_vec(),
    }
}

/// 401 or 403 passes; anything else fails, naming the shape that got in.
fn judge(forged: &Forged, result: Result<http::Response, http::HttpError>) -> Probe {
    let probe = |verdict, reason: String| Probe::new(Group::Auth, forged.name, verdict, reason);
    match result {
        Ok(response) => probe(
            Verdict::Fail,
            format!(
                "HTTP {} with {}: the service let it in",
                response.status, forged.shape
            ),
        )
        .with_latency(Some(response.latency)),
        Err(e) => match &e.failure {
            Failure::Status { status, .. } if *status == 401 || *status == 403 => {
                probe(Verdict::Pass, format!("refused with HTTP {status}"))
            }
            Failure::Status { status, .. } => probe(
                Verdict::Fail,
                format!("HTTP {status} with {}; expected 401 or 403", forged.shape),
            ),
            // The error text could quote an echo of the forged token: only its kind is said.
            _ => probe(
                Verdict::Fail,
                format!(
                    "no answer with {} ({}); expected 401 or 403",
                    forged.shape,
                    e.error_type()
                ),
            ),
        },
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    URL_SAFE_NO_PAD.encode(bytes)
}

fn object(part: &str) -> Option<Map<String, Value>> {
    serde_json::from_slice(&base64url_decode(part)?).ok()
}

/// A base64url signature of `len` characters, drawn from the seed, never the real one.
fn random_signature(len: usize, real: &str, rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    loop {
        let sig: String = (0..len.max(16))
            .map(|_| ALPHABET[rng.below(64)] as char)
            .collect();
        if sig != real && !real.contains(&sig) {
            return sig;
        }
    }
}

/// Every forged token `secret` allows: the two that need no JWT, and the JWT ones when it is one.
fn forge(secret: &str, seed: u64) -> Vec<Forged> {
    let bearer = |t: &str| format!("Bearer {t}");
    let mut out = vec![
        Forged {
            name: "empty-bearer",
            shape: "an empty bearer token",
            authorization: "Bearer ".to_string(),
        },
        Forged {
            name: "malformed-token",
            shape: "a bearer token that is no JWT",
            authorization: bearer("not-a-jwt.!!.x"),
        },
    ];
    let Ok(jwt) = Jwt::split(secret) else {
        return out;
    };
    let (header_b64, payload_b64) = jwt.signed.split_once('.').unwrap_or((jwt.signed, ""));
    let (Some(header), Some(claims)) = (object(header_b64), object(payload_b64)) else {
        return out;
    };
    let mut rng = Rng::for_case(seed, 0, 3);
    let mut sig = || random_signature(jwt.signature.len(), jwt.signature, &mut rng);
    let encode = |m: &Map<String, Value>| b64(Value::Object(m.clone()).to_string().as_bytes());
    let mut none_header = header.clone();
    none_header.insert("alg".into(), Value::from("none"));
    let mut expired = claims.clone();
    let t = now();
    expired.insert("exp".into(), Value::from(t - 3600));
    expired.insert("iat".into(), Value::from(t - 7200));
    expired.remove("nbf");
    let mut other = claims.clone();
    other.insert("aud".into(), Value::from(OTHER_AUDIENCE));
    let forged = [
        (
            "alg-none",
            "alg:none, signature stripped",
            format!("{}.{payload_b64}.", encode(&none_header)),
        ),
        (
            "signature-stripped",
            "the token's header and claims, signature stripped",
            format!("{}.", jwt.signed),
        ),
        (
            "signature-altered",
            "the token's header and claims, another signature",
            format!("{}.{}", jwt.signed, sig()),
        ),
        (
            "expired",
            "the token's claims expired an hour ago, another signature",
            format!("{header_b64}.{}.{}", encode(&expired), sig()),
        ),
        (
            "other-audience",
            "the token's claims for another audience, another signature",
            format!("{header_b64}.{}.{}", encode(&other), sig()),
        ),
    ];
    out.extend(forged.into_iter().map(|(name, shape, token)| Forged {
        name,
        shape,
        authorization: bearer(&token),
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(header: &str, claims: &str, sig: &str) -> String {
        format!(
            "{}.{}.{sig}",
            b64(header.as_bytes()),
            b64(claims.as_bytes())
        )
    }

    /// The forged tokens change what they say and never carry the real signature.
    #[test]
    fn forged_tokens_say_what_they_are_and_never_carry_the_signature() {
        let real_sig = "c2lnbmF0dXJlLW9mLXRoZS1yZWFsLXRva2Vu";
        let token = jwt(
            r#"{"alg":"RS256","kid":"k1"}"#,
            r#"{"sub":"u","aud":"svc","exp":4102444800}"#,
            real_sig,
        );
        let forged = forge(&token, 1);
        assert_eq!(forged.len(), 7);
        for f in &forged {
            assert!(!f.authorization.contains(real_sig), "{}", f.name);
            assert!(!f.shape.contains(real_sig));
        }
        let get = |name: &str| {
            let auth = &forged
                .iter()
                .find(|f| f.name == name)
                .unwrap()
                .authorization;
            let t = auth.strip_prefix("Bearer ").unwrap().to_string();
            let parts: Vec<String> = t.split('.').map(str::to_string).collect();
            parts
        };
        let none = get("alg-none");
        assert_eq!(object(&none[0]).unwrap()["alg"], "none");
        assert_eq!(none[2], "");
        assert_eq!(get("signature-stripped")[2], "");
        let expired = object(&get("expired")[1]).unwrap();
        assert!(expired["exp"].as_i64().unwrap() < now());
        assert_eq!(
            object(&get("other-audience")[1]).unwrap()["aud"],
            OTHER_AUDIENCE
        );
        assert_eq!(forge("opaque-token", 1).len(), 2);
    }
}
