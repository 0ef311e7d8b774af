//! `xconn serve`: the real binary on 127.0.0.1 port 0, real HTTP requests (reqwest), every
//! handler, validation (400), size limit (413), both auth modes (the tests make their own RSA key
//! and JWKS), fault injection, concurrency and a clean shutdown on SIGTERM.

use crate::common;

use std::time::{Duration, Instant};

use common::serve::{post, post_async, runtime, Serve};
use common::{fixture, fixture_text, Scratch};

fn request_body() -> String {
    fixture_text("serve/request.json")
}

#[test]
fn echo_answers_with_the_inputs_and_logs_one_line_per_request() {
    let s = Scratch::new();
    let serve = Serve::start(&s, &["--echo"], &[]);
    let answer = post(
        &format!("{}/run?x=1", serve.url),
        request_body(),
        &[("x-request-id", "req-42")],
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.headers["x-request-id"], "req-42");
    assert_eq!(answer.headers["content-type"], "application/json");
    let doc = answer.json();
    let request = common::json(&request_body());
    assert_eq!(doc["outputs"], request["inputs"]);
    assert_eq!(doc["warnings"], serde_json::json!([null, null, null]));
    assert_eq!(doc["errors"], serde_json::json!([null, null, null]));
    assert_eq!(doc["process_time"], serde_json::json!([1, 1, 1]));
    // Numbers keep their text: 10.50, 1e3, -0.000.
    assert!(answer.body.contains("10.50") && answer.body.contains("1e3"));
    assert!(answer.body.contains("-0.000"));

    let second = post(&serve.url, request_body(), &[]);
    assert_eq!(second.status, 200);
    let fresh_id = second.headers["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(fresh_id.len(), 36, "{fresh_id}");
    let log = serve.log_of_requests(2);
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(
        lines[0].contains("POST /run 200 records=3") && lines[0].ends_with("id=req-42"),
        "{log}"
    );
    assert!(!lines[0].contains("x=1"), "the query is not logged: {log}");
    assert!(lines[1].contains(&format!("id={fresh_id}")), "{log}");
    assert!(
        lines[0].starts_with("20") && lines[0].contains("Z POST"),
        "{log}"
    );
}

#[test]
fn call_against_serve_echo_round_trips_the_records() {
    let s = Scratch::new();
    let serve = Serve::start(&s, &["--echo"], &[]);
    let out = s
        .xconn()
        .args(["call", &serve.url])
        .arg(fixture("serve/request.json"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", out);
    let doc = common::json(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(doc["outputs"], common::json(&request_body())["inputs"]);

    // Batched: 7 records in batches of 2, 3 at a time, merged in order.
    let mut big = String::from(r#"{"inputs": [["n", "s"]"#);
    for i in 0..7 {
        big.push_str(&format!(r#", [{i}, "r{i}"]"#));
    }
    big.push_str("]}");
    s.write("big.json", &big);
    let out = s
        .xconn()
        .args(["call", &serve.url, "big.json", "--format", "json"])
        .args(["--batch-size", "2", "--concurrency", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", out);
    let doc = common::json(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(doc["outputs"], common::json(&big)["inputs"]);
}

#[test]
fn an_invalid_request_gets_400_with_the_diagnostics_in_a_spec_shaped_body() {
    let s = Scratch::new();
    let serve = Serve::start(&s, &["--echo"], &[]);
    let bad = "{\"inputs\": [[\"a\", \"b\"],\n [1]]}";
    let answer = post(&serve.url, bad, &[]);
    assert_eq!(answer.status, 400, "{}", answer.body);
    let doc = answer.json();
    let entry = &doc["errors"][0][0];
    assert_eq!(entry["error_category"], "validation_error");
    assert_eq!(entry["error_type"], "400");
    assert_eq!(entry["source_path"], "/inputs/1");
    assert_eq!(
        entry["additional_details"],
        "XC107 at /inputs/1 (line 2, column 2)"
    );
    assert!(entry["message"].as_str().unwrap().contains("header"));
    assert_eq!(doc["process_time"], serde_json::json!([1]));

    // The failure body is a valid answer to the request, for `validate --against`.
    s.write("bad-request.json", "{\"inputs\": [[\"a\"], [1], [2]]}");
    s.write("answer.json", &answer.body);
    s.xconn()
        .args(["validate", "answer.json", "--against", "bad-request.json"])
        .assert()
        .code(0);

    let not_json = post(&serve.url, "{\"inputs\": [", &[]);
    assert_eq!(not_json.status, 400);
    assert!(not_json.body.contains("XC001"), "{}", not_json.body);
    let get = runtime()
        .block_on(reqwest::Client::new().get(&serve.url).send())
        .unwrap();
    assert_eq!(get.status().as_u16(), 405);
    assert_eq!(get.headers()["allow"], "POST");
}

#[test]
fn bodies_over_max_body_size_get_413() {
    let s = Scratch::new();
    let serve = Serve::start(&s, &["--echo", "--max-body-size", "1K"], &[]);
    let mut big = String::from(r#"{"inputs": [["a"]"#);
    while big.len() < 2000 {
        big.push_str(r#", ["xxxxxxxxxxxxxxxx"]"#);
    }
    big.push_str("]}");
    let answer = post(&serve.url, big, &[]);
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert!(answer.messages()[0].contains("--max-body-size (1024 bytes)"));
    assert_eq!(post(&serve.url, request_body(), &[]).status, 200);
}

#[test]
fn fixture_answers_with_the_file_and_an_invalid_fixture_exits_1() {
    let s = Scratch::new();
    let path = fixture("serve/response.json");
    let serve = Serve::start(&s, &["--fixture", path.to_str().unwrap()], &[]);
    let answer = post(&serve.url, request_body(), &[]);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, fixture_text("serve/response.json"));

    let objects = fixture("serve/response-objects.json");
    let out = s
        .xconn()
        .args(["serve", "--addr", "127.0.0.1:0", "--fixture"])
        .arg(&objects)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error[XC106]") && stderr.contains("not a valid response"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing listens");
}

#[test]
fn exec_runs_the_command_per_request_and_refuses_its_failures_with_500() {
    let s = Scratch::new();
    s.write("response.json", fixture_text("serve/response.json"));
    s.write("objects.json", fixture_text("serve/response-objects.json"));
    // The handler reads its stdin (the request) and answers the fixture.
    let serve = Serve::start(
        &s,
        &["--exec", "cat > last-request.json; cat response.json"],
        &[],
    );
    let answer = post(&serve.url, request_body(), &[("x-request-id", "e-1")]);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body, fixture_text("serve/response.json"));
    assert_eq!(s.read("last-request.json"), request_body());
    drop(serve);

    let failing = Serve::start(
        &s,
        &[
            "--exec",
            "echo \"boom: $XCONN_REQUEST_ID\" >&2; echo second >&2; exit 3",
        ],
        &[],
    );
    let answer = post(&failing.url, request_body(), &[("x-request-id", "e-2")]);
    assert_eq!(answer.status, 500, "{}", answer.body);
    let messages = answer.messages();
    assert!(messages[0].contains("exit status 3"), "{messages:?}");
    assert_eq!(messages[1..], ["boom: e-2", "second"]);
    assert_eq!(
        answer.json()["errors"][0][0]["error_category"],
        "handler_error"
    );

    let objects = Serve::start(&s, &["--exec", "cat objects.json"], &[]);
    let answer = post(&objects.url, request_body(), &[]);
    assert_eq!(answer.status, 500);
    assert!(answer.body.contains("XC106"), "{}", answer.body);

    // One record dropped: the answer does not match the request.
    let dropped = Serve::start(
        &s,
        &[
            "--exec",
            r#"echo '{"outputs": [["id"], [1], [2]], "warnings": [null, null], "errors": [null, null], "process_time": [1, 1]}'"#,
        ],
        &[],
    );
    let answer = post(&dropped.url, request_body(), &[]);
    assert_eq!(answer.status, 500);
    assert!(
        answer.body.contains("XC130") && answer.body.contains("has 3 input records"),
        "{}",
        answer.body
    );

    let slow = Serve::start(&s, &["--exec", "sleep 30", "--exec-timeout", "0.5"], &[]);
    let started = Instant::now();
    let answer = post(&slow.url, request_body(), &[]);
    assert_eq!(answer.status, 500);
    // Well before the handler's own 30 s, however loaded the machine.
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        answer.messages()[0].contains("did not finish within --exec-timeout (0.5 s)"),
        "{}",
        answer.body
    );
}

/// A handler that writes without end is stopped at `--max-output-size`: a 500 that says so, not
/// a server that fills its memory; stderr beyond what is quoted does not block it either.
#[test]
fn an_exec_handler_that_never_stops_writing_is_killed_at_the_output_limit() {
    let s = Scratch::new();
    let serve = Serve::start(
        &s,
        &[
            "--exec",
            "echo 'a line of stderr' >&2; yes 'a line of stderr' >&2 & exec yes",
            "--max-output-size",
            "4M",
        ],
        &[],
    );
    let answer = post(&serve.url, request_body(), &[]);
    assert_eq!(answer.status, 500, "{}", answer.body);
    assert!(
        answer.messages()[0]
            .contains("wrote more than 4194304 bytes to stdout (--max-output-size); it was killed"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("a line of stderr"),
        "the first stderr lines are quoted: {}",
        answer.body
    );
    // The server goes on answering.
    let answer = post(&serve.url, "{", &[]);
    assert_eq!(answer.status, 400);
}

/// Two requests run their handlers at the same time: each handler notes its start, then waits
/// (up to 20 s) until both have started before it notes its end. Run one after the other, the
/// first would time out waiting and the notes would read start, end, start, end; run side by
/// side they read start, start, end, end — whatever the machine's load.
#[test]
fn a_slow_exec_handler_does_not_block_other_requests() {
    let s = Scratch::new();
    s.write("response.json", fixture_text("serve/response.json"));
    let handler = "echo start >> notes; i=0; \
        while [ \"$(grep -c start notes)\" -lt 2 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; \
        echo end >> notes; cat response.json";
    let serve = Serve::start(&s, &["--exec", handler], &[]);
    let client = reqwest::Client::new();
    let (a, b) = runtime().block_on(async {
        tokio::join!(
            post_async(&client, &serve.url, request_body().into(), &[]),
            post_async(&client, &serve.url, request_body().into(), &[])
        )
    });
    assert_eq!((a.status, b.status), (200, 200), "{}\n{}", a.body, b.body);
    let notes = s.read("notes");
    assert_eq!(
        notes.lines().collect::<Vec<_>>(),
        ["start", "start", "end", "end"],
        "the handlers did not overlap"
    );
}

#[test]
fn token_env_requires_the_bearer_token_and_never_logs_it() {
    let s = Scratch::new();
    let secret = "tok-9f8e7d6c5b4a";
    let serve = Serve::start(
        &s,
        &["--echo", "--token-env", "SERVE_TOKEN"],
        &[("SERVE_TOKEN", secret)],
    );
    let none = post(&serve.url, request_body(), &[]);
    assert_eq!(none.status, 401);
    assert_eq!(none.headers["www-authenticate"], "Bearer");
    assert!(none.messages()[0].contains("no bearer token"));
    let wrong = post(
        &serve.url,
        request_body(),
        &[("authorization", "Bearer tok-9f8e7d6c5b4b")],
    );
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.headers["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    let bearer = format!("Bearer {secret}");
    let good = post(&serve.url, request_body(), &[("authorization", &bearer)]);
    assert_eq!(good.status, 200, "{}", good.body);

    // `call` sends it from its own variable.
    let out = s
        .xconn()
        .env("XCONN_TOKEN", secret)
        .args(["call", &serve.url])
        .arg(fixture("serve/request.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let log = serve.log_of_requests(4);
    assert_eq!(log.lines().count(), 4, "{log}");
    assert!(!log.contains(secret) && !log.contains("tok-9f"), "{log}");

    s.xconn()
        .args(["serve", "--echo", "--token-env", "UNSET_VAR"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("UNSET_VAR is not set"));
}

mod jwt {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::rsa::KeySize;
    use aws_lc_rs::signature::{
        EcdsaKeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING, RSA_PKCS1_SHA256,
    };

    pub const ISSUER: &str = "https://id.example.test/realms/acme";

    /// base64url without padding: the tests' one encoder.
    pub use crate::common::base64url as b64;

    pub fn key() -> RsaKeyPair {
        RsaKeyPair::generate(KeySize::Rsa2048).unwrap()
    }

    pub fn jwk(key: &RsaKeyPair, kid: &str) -> String {
        let public = key.public_key();
        format!(
            r#"{{"kty": "RSA", "kid": "{kid}", "use": "sig", "alg": "RS256", "n": "{}", "e": "{}"}}"#,
            b64(public.modulus().big_endian_without_leading_zero()),
            b64(public.exponent().big_endian_without_leading_zero())
        )
    }

    pub fn sign(key: &RsaKeyPair, header: &str, claims: &str) -> String {
        let signed = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
        let mut signature = vec![0; key.public_modulus_len()];
        key.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            signed.as_bytes(),
            &mut signature,
        )
        .unwrap();
        format!("{signed}.{}", b64(&signature))
    }

    /// `HEADER.PAYLOAD.SIGNATURE` over these exact base64url parts (to sign malformed encodings).
    pub fn sign_parts(key: &RsaKeyPair, header: &str, payload: &str) -> String {
        let signed = format!("{header}.{payload}");
        let mut signature = vec![0; key.public_modulus_len()];
        key.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            signed.as_bytes(),
            &mut signature,
        )
        .unwrap();
        format!("{signed}.{}", b64(&signature))
    }

    /// A P-256 key for ES256, made now.
    pub fn ec_key() -> EcdsaKeyPair {
        EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap()
    }

    pub fn ec_jwk(key: &EcdsaKeyPair, kid: &str) -> String {
        // The public key is the uncompressed point: 0x04, then x and y (32 bytes each).
        let point = key.public_key().as_ref();
        format!(
            r#"{{"kty": "EC", "crv": "P-256", "kid": "{kid}", "use": "sig", "alg": "ES256", "x": "{}", "y": "{}"}}"#,
            b64(&point[1..33]),
            b64(&point[33..])
        )
    }

    /// An ES256 JWT: the signature is r || s (JWS), as `ECDSA_P256_SHA256_FIXED_SIGNING` makes it.
    pub fn ec_sign(key: &EcdsaKeyPair, header: &str, claims: &str) -> String {
        let signed = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
        let signature = key.sign(&SystemRandom::new(), signed.as_bytes()).unwrap();
        format!("{signed}.{}", b64(signature.as_ref()))
    }

    pub fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    pub fn claims(iss: &str, aud: &str, exp: i64) -> String {
        format!(
            r#"{{"iss": "{iss}", "aud": ["account", "{aud}"], "sub": "u1", "exp": {exp}, "iat": {}}}"#,
            now() - 10
        )
    }
}

#[test]
fn jwks_accepts_a_good_rs256_token_and_says_which_check_refused_the_others() {
    let s = Scratch::new();
    let key = jwt::key();
    let other = jwt::key();
    s.write(
        "jwks.json",
        format!(
            r#"{{"keys": [{{"kty": "EC", "kid": "ec"}}, {}]}}"#,
            jwt::jwk(&key, "k1")
        ),
    );
    let serve = Serve::start(
        &s,
        &[
            "--echo",
            "--jwks",
            "jwks.json",
            "--issuer",
            jwt::ISSUER,
            "--audience",
            "product-factory",
        ],
        &[],
    );
    let rs256 = r#"{"alg": "RS256", "typ": "JWT", "kid": "k1"}"#;
    let later = jwt::now() + 600;
    let good_claims = jwt::claims(jwt::ISSUER, "product-factory", later);
    let good = jwt::sign(&key, rs256, &good_claims);
    let ask = |token: &str| {
        post(
            &serve.url,
            request_body(),
            &[("authorization", &format!("Bearer {token}"))],
        )
    };
    let answer = ask(&good);
    assert_eq!(answer.status, 200, "{}", answer.body);

    let payload = jwt::b64(good_claims.as_bytes());
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "wrong issuer",
            jwt::sign(
                &key,
                rs256,
                &jwt::claims("https://evil.example/realms/acme", "product-factory", later),
            ),
            "wrong issuer",
        ),
        (
            "wrong audience",
            jwt::sign(&key, rs256, &jwt::claims(jwt::ISSUER, "billing", later)),
            "wrong audience",
        ),
        (
            "expired",
            jwt::sign(
                &key,
                rs256,
                &jwt::claims(jwt::ISSUER, "product-factory", jwt::now() - 3600),
            ),
            "the token expired",
        ),
        (
            "bad signature",
            jwt::sign(&other, rs256, &good_claims),
            "bad signature",
        ),
        (
            "alg none",
            format!(
                "{}.{payload}.",
                jwt::b64(br#"{"alg": "none", "kid": "k1"}"#)
            ),
            "alg `none`",
        ),
        (
            "HS256",
            format!(
                "{}.{payload}.{}",
                jwt::b64(br#"{"alg": "HS256", "kid": "k1"}"#),
                jwt::b64(b"hmac-signature-bytes")
            ),
            "alg `HS256` is refused",
        ),
        (
            "unknown kid",
            jwt::sign(&key, r#"{"alg": "RS256", "kid": "k9"}"#, &good_claims),
            "kid `k9` is not in the JWKS",
        ),
        (
            "not yet valid",
            jwt::sign(
                &key,
                rs256,
                &good_claims.replace("\"sub\"", &format!("\"nbf\": {later}, \"sub\"")),
            ),
            "not valid before",
        ),
        ("not a JWT", "opaque-token".to_string(), "not a JWT"),
    ];
    for (name, token, reason) in &cases {
        let answer = ask(token);
        assert_eq!(answer.status, 401, "{name}: {}", answer.body);
        assert_eq!(
            answer.headers["www-authenticate"], "Bearer error=\"invalid_token\"",
            "{name}"
        );
        let message = &answer.messages()[0];
        assert!(message.contains(reason), "{name}: {message}");
        assert!(
            !answer.body.contains(token.as_str()),
            "{name}: token echoed"
        );
        assert_eq!(
            answer.json()["errors"][0][0]["error_category"],
            "authentication_error"
        );
    }
    let log = serve.log_when(&format!("{} refusals", cases.len()), |log| {
        log.matches(" 401 ").count() >= cases.len()
    });
    assert_eq!(log.matches(" 401 ").count(), cases.len(), "{log}");
    assert!(!log.contains(&good[..40]), "{log}");

    // A JWKS with no usable key, or too small a key, is refused at start-up.
    s.write("empty.json", r#"{"keys": [{"kty": "EC"}]}"#);
    s.xconn()
        .args([
            "serve",
            "--echo",
            "--jwks",
            "empty.json",
            "--issuer",
            jwt::ISSUER,
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no RSA signing key"));
    s.xconn()
        .args(["serve", "--echo", "--jwks", "jwks.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--issuer"));
}

const RS256_K1: &str = r#"{"alg": "RS256", "typ": "JWT", "kid": "k1"}"#;

/// `serve --echo --jwks jwks.json --issuer ISSUER` over this JWKS text.
fn jwks_serve(s: &Scratch, jwks: &str) -> Serve {
    s.write("jwks.json", jwks);
    Serve::start(
        s,
        &["--echo", "--jwks", "jwks.json", "--issuer", jwt::ISSUER],
        &[],
    )
}

fn ask(serve: &Serve, token: &str) -> common::serve::Answer {
    post(
        &serve.url,
        request_body(),
        &[("authorization", &format!("Bearer {token}"))],
    )
}

/// Claims with `exp` written exactly as `exp` (number text, or any JSON) and more members.
fn timed(exp: &str, more: &str) -> String {
    format!(
        r#"{{"iss": "{}", "sub": "u1", "exp": {exp}{more}}}"#,
        jwt::ISSUER
    )
}

/// Each case: a token signed by `key`, the status expected, and a text its message must hold.
fn assert_answers(
    serve: &Serve,
    key: &aws_lc_rs::signature::RsaKeyPair,
    cases: &[(&str, String, u16, &str)],
) {
    for (name, claims, status, reason) in cases {
        let answer = ask(serve, &jwt::sign(key, RS256_K1, claims));
        assert_eq!(answer.status, *status, "{name}: {claims}: {}", answer.body);
        if *status != 200 {
            let message = &answer.messages()[0];
            assert!(message.contains(reason), "{name}: {message}");
        }
    }
}

#[test]
fn jwks_numeric_dates_are_read_exactly_in_every_json_number_form() {
    let s = Scratch::new();
    let key = jwt::key();
    let serve = jwks_serve(&s, &format!(r#"{{"keys": [{}]}}"#, jwt::jwk(&key, "k1")));
    let now = jwt::now();
    let later = now + 600;
    let ahead = now + 3600;
    let ago = now - 3600;
    let l = later.to_string();
    let cases: Vec<(&str, String, u16, &str)> = vec![
        // Wrongly refused before: only the digits before `.`/`e` were read.
        ("exp 2e9", timed("2e9", ""), 200, ""),
        ("exp 1.9e9", timed("1.9e9", ""), 200, ""),
        ("exp 0.19E+10", timed("0.19E+10", ""), 200, ""),
        (
            "exp D.De1",
            timed(&format!("{}.{}e1", later / 10, later % 10), ""),
            200,
            "",
        ),
        ("exp fractional", timed(&format!("{later}.5"), ""), 200, ""),
        ("exp e-0", timed(&format!("{later}e-0"), ""), 200, ""),
        (
            "exp within the leeway",
            timed(&(now - 10).to_string(), ""),
            200,
            "",
        ),
        (
            "nbf past, exponent",
            timed(&l, r#", "nbf": 1.5e9"#),
            200,
            "",
        ),
        (
            "nbf within the leeway",
            timed(&l, &format!(r#", "nbf": {}"#, now + 10)),
            200,
            "",
        ),
        (
            "nbf past, fractional",
            timed(&l, &format!(r#", "nbf": {}.999"#, now - 60)),
            200,
            "",
        ),
        ("iat exponent", timed(&l, r#", "iat": 1.7e9"#), 200, ""),
        (
            "iat fractional",
            timed(&l, r#", "iat": 1700000000.25"#),
            200,
            "",
        ),
        ("iat -0", timed(&l, r#", "iat": -0.0"#), 200, ""),
        // Wrongly accepted before.
        (
            "exp 9999999999e-1",
            timed("9999999999e-1", ""),
            401,
            "expired at 2001-09-09T01:46:39Z",
        ),
        (
            "exp 0.1e10",
            timed("0.1e10", ""),
            401,
            "expired at 2001-09-09T01:46:40Z",
        ),
        (
            "exp an hour ago, e-1",
            timed(&format!("{}e-1", ago * 10), ""),
            401,
            "expired",
        ),
        (
            "exp an hour ago, fractional",
            timed(&format!("{ago}.9"), ""),
            401,
            "expired",
        ),
        (
            "exp past the leeway",
            timed(&(now - 60).to_string(), ""),
            401,
            "expired",
        ),
        (
            "nbf 3e9",
            timed(&l, r#", "nbf": 3e9"#),
            401,
            "not valid before 2065-01-24T05:20:00Z",
        ),
        (
            "nbf D.De1",
            timed(&l, &format!(r#", "nbf": {}.{}e1"#, ahead / 10, ahead % 10)),
            401,
            "not valid before",
        ),
        (
            "nbf fractional",
            timed(&l, &format!(r#", "nbf": {ahead}.5"#)),
            401,
            "not valid before",
        ),
        (
            "nbf past the leeway",
            timed(&l, &format!(r#", "nbf": {}"#, now + 120)),
            401,
            "not valid before",
        ),
        // Out of range: refused, naming the claim.
        ("exp negative", timed("-1", ""), 401, "`exp`"),
        ("exp tiny negative", timed("-1e-400", ""), 401, "`exp`"),
        ("exp 1e400", timed("1e400", ""), 401, "`exp`"),
        ("exp 1e19", timed("1e19", ""), 401, "`exp`"),
        ("nbf 1e20", timed(&l, r#", "nbf": 1e20"#), 401, "`nbf`"),
        ("iat negative", timed(&l, r#", "iat": -1e3"#), 401, "`iat`"),
        (
            "iat 30 digits",
            timed(&l, r#", "iat": 123456789012345678901234567890"#),
            401,
            "`iat`",
        ),
    ];
    assert_answers(&serve, &key, &cases);
}

#[test]
fn jwks_time_claims_of_the_wrong_type_are_refused_naming_the_claim() {
    let s = Scratch::new();
    let key = jwt::key();
    let serve = jwks_serve(&s, &format!(r#"{{"keys": [{}]}}"#, jwt::jwk(&key, "k1")));
    let l = (jwt::now() + 600).to_string();
    let cases: Vec<(&str, String, u16, &str)> = vec![
        (
            "string nbf",
            timed(&l, r#", "nbf": "2099-01-01""#),
            401,
            "`nbf`",
        ),
        (
            "numeric string nbf",
            timed(&l, r#", "nbf": "4000000000""#),
            401,
            "`nbf`",
        ),
        ("null nbf", timed(&l, r#", "nbf": null"#), 401, "`nbf`"),
        ("array nbf", timed(&l, r#", "nbf": [1]"#), 401, "`nbf`"),
        ("string exp", timed(r#""4000000000""#, ""), 401, "`exp`"),
        ("NaN exp", timed(r#""NaN""#, ""), 401, "`exp`"),
        ("bool exp", timed("true", ""), 401, "`exp`"),
        ("object exp", timed("{}", ""), 401, "`exp`"),
        (
            "string iat",
            timed(&l, r#", "iat": "yesterday""#),
            401,
            "`iat`",
        ),
    ];
    assert_answers(&serve, &key, &cases);
}

#[test]
fn jwks_a_crit_header_is_refused() {
    let s = Scratch::new();
    let key = jwt::key();
    let serve = jwks_serve(&s, &format!(r#"{{"keys": [{}]}}"#, jwt::jwk(&key, "k1")));
    let claims = timed(&(jwt::now() + 600).to_string(), "");
    assert_eq!(ask(&serve, &jwt::sign(&key, RS256_K1, &claims)).status, 200);
    for (header, reason) in [
        (
            r#"{"alg": "RS256", "kid": "k1", "crit": ["exp"], "exp": 1}"#,
            "`exp`",
        ),
        (
            r#"{"alg": "RS256", "kid": "k1", "crit": ["b64"], "b64": true}"#,
            "`b64`",
        ),
        (
            r#"{"alg": "RS256", "kid": "k1", "crit": "b64"}"#,
            "malformed `crit`",
        ),
        (
            r#"{"alg": "RS256", "kid": "k1", "crit": []}"#,
            "malformed `crit`",
        ),
        (
            r#"{"alg": "RS256", "kid": "k1", "crit": [1]}"#,
            "malformed `crit`",
        ),
        (
            r#"{"alg": "RS256", "kid": "k1", "crit": null}"#,
            "malformed `crit`",
        ),
    ] {
        let answer = ask(&serve, &jwt::sign(&key, header, &claims));
        assert_eq!(answer.status, 401, "{header}: {}", answer.body);
        let message = &answer.messages()[0];
        assert!(
            message.contains(reason) && message.contains("crit"),
            "{header}: {message}"
        );
    }
}

#[test]
fn more_than_one_authorization_header_is_refused() {
    let s = Scratch::new();
    let key = jwt::key();
    let serve = jwks_serve(&s, &format!(r#"{{"keys": [{}]}}"#, jwt::jwk(&key, "k1")));
    let good = format!(
        "Bearer {}",
        jwt::sign(&key, RS256_K1, &timed(&(jwt::now() + 600).to_string(), ""))
    );
    let one = post(&serve.url, request_body(), &[("authorization", &good)]);
    assert_eq!(one.status, 200, "{}", one.body);
    for second in [good.as_str(), "Bearer nonsense", "Basic dXNlcjpwdw=="] {
        let answer = post(
            &serve.url,
            request_body(),
            &[("authorization", &good), ("authorization", second)],
        );
        assert!(
            matches!(answer.status, 400 | 401),
            "{second}: {}",
            answer.body
        );
        assert!(
            answer.messages()[0].contains("more than one `Authorization` header"),
            "{}",
            answer.body
        );
    }
    let serve = Serve::start(
        &s,
        &["--echo", "--token-env", "T"],
        &[("T", "s3cret-value")],
    );
    let answer = post(
        &serve.url,
        request_body(),
        &[
            ("authorization", "Bearer s3cret-value"),
            ("authorization", "Bearer s3cret-value"),
        ],
    );
    assert!(matches!(answer.status, 400 | 401), "{}", answer.body);
}

#[test]
fn jwks_only_unpadded_base64url_is_accepted_in_every_part() {
    let s = Scratch::new();
    let key = jwt::key();
    let serve = jwks_serve(&s, &format!(r#"{{"keys": [{}]}}"#, jwt::jwk(&key, "k1")));
    let l = (jwt::now() + 600).to_string();
    let header = jwt::b64(RS256_K1.as_bytes());
    // A payload whose base64url holds both `-` and `_` (`~~~` and `???`).
    let payload = (0..3)
        .map(|pad| {
            jwt::b64(timed(&l, &format!(r#", "note": "{}~~~???""#, "x".repeat(pad))).as_bytes())
        })
        .find(|p| p.contains('-') && p.contains('_'))
        .unwrap();
    let good = jwt::sign_parts(&key, &header, &payload);
    assert_eq!(ask(&serve, &good).status, 200);
    assert_ne!(header.len() % 4, 0, "{header}");
    let signature = good.rsplit('.').next().unwrap().to_string();
    let signed = &good[..good.len() - signature.len() - 1];
    let mut cases = vec![
        (
            "`+` in the payload",
            jwt::sign_parts(&key, &header, &payload.replace('-', "+")),
        ),
        (
            "`/` in the payload",
            jwt::sign_parts(&key, &header, &payload.replace('_', "/")),
        ),
        (
            "`=` after the header",
            jwt::sign_parts(&key, &format!("{header}="), &payload),
        ),
        (
            "a space in the header",
            jwt::sign_parts(
                &key,
                &format!("{} {}", &header[..4], &header[4..]),
                &payload,
            ),
        ),
        ("`==` after the signature", format!("{good}==")),
        ("`*` in the signature", format!("{signed}.{}*", signature)),
    ];
    // The signature with a `-` or `_` written as `+` or `/` (same bytes for a lax decoder).
    for iat in 0.. {
        let token = jwt::sign(&key, RS256_K1, &timed(&l, &format!(r#", "iat": {iat}"#)));
        let sig = token.rsplit('.').next().unwrap();
        if sig.contains('-') && sig.contains('_') {
            let signed = &token[..token.len() - sig.len() - 1];
            assert_eq!(ask(&serve, &token).status, 200);
            cases.push((
                "`+` in the signature",
                format!("{signed}.{}", sig.replace('-', "+")),
            ));
            cases.push((
                "`/` in the signature",
                format!("{signed}.{}", sig.replace('_', "/")),
            ));
            break;
        }
    }
    for (name, token) in &cases {
        let answer = ask(&serve, token);
        assert_eq!(answer.status, 401, "{name}: {}", answer.body);
        assert!(
            answer.messages()[0].contains("base64url"),
            "{name}: {}",
            answer.body
        );
    }
}

#[test]
fn jwks_every_key_with_the_tokens_kid_is_tried() {
    let s = Scratch::new();
    let (first, second, stranger) = (jwt::key(), jwt::key(), jwt::key());
    let serve = jwks_serve(
        &s,
        &format!(
            r#"{{"keys": [{}, {}]}}"#,
            jwt::jwk(&first, "k1"),
            jwt::jwk(&second, "k1")
        ),
    );
    let claims = timed(&(jwt::now() + 600).to_string(), "");
    for key in [&first, &second] {
        let answer = ask(&serve, &jwt::sign(key, RS256_K1, &claims));
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let answer = ask(&serve, &jwt::sign(&stranger, RS256_K1, &claims));
    assert_eq!(answer.status, 401);
    assert!(
        answer.messages()[0].contains("bad signature"),
        "{}",
        answer.body
    );
}

#[test]
fn jwks_accepts_an_es256_token_signed_by_a_p256_key() {
    let s = Scratch::new();
    let (ec, rsa, stranger) = (jwt::ec_key(), jwt::key(), jwt::ec_key());
    let serve = jwks_serve(
        &s,
        &format!(
            r#"{{"keys": [{}, {}]}}"#,
            jwt::ec_jwk(&ec, "e1"),
            jwt::jwk(&rsa, "k1")
        ),
    );
    let claims = timed(&(jwt::now() + 600).to_string(), "");
    let es256 = r#"{"alg": "ES256", "typ": "JWT", "kid": "e1"}"#;
    let good = jwt::ec_sign(&ec, es256, &claims);
    let answer = ask(&serve, &good);
    assert_eq!(answer.status, 200, "{}", answer.body);
    // The RSA key of the same file still signs RS256 tokens.
    let answer = ask(&serve, &jwt::sign(&rsa, RS256_K1, &claims));
    assert_eq!(answer.status, 200, "{}", answer.body);

    let signed = &good[..good.rfind('.').unwrap()];
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "another P-256 key",
            jwt::ec_sign(&stranger, es256, &claims),
            "bad signature",
        ),
        (
            "ES256 naming the RSA key",
            jwt::ec_sign(&ec, r#"{"alg": "ES256", "kid": "k1"}"#, &claims),
            "alg `ES256` does not fit key `k1`",
        ),
        (
            "RS256 naming the EC key",
            jwt::sign(&rsa, r#"{"alg": "RS256", "kid": "e1"}"#, &claims),
            "alg `RS256` does not fit key `e1`",
        ),
        (
            "a signature of the wrong length",
            format!("{signed}.{}", jwt::b64(&[7; 70])),
            "bad signature",
        ),
        (
            "ES384",
            jwt::ec_sign(&ec, r#"{"alg": "ES384", "kid": "e1"}"#, &claims),
            "alg `ES384` is refused",
        ),
        (
            "expired",
            jwt::ec_sign(&ec, es256, &timed(&(jwt::now() - 3600).to_string(), "")),
            "the token expired",
        ),
    ];
    for (name, token, reason) in &cases {
        let answer = ask(&serve, token);
        assert_eq!(answer.status, 401, "{name}: {}", answer.body);
        let message = &answer.messages()[0];
        assert!(message.contains(reason), "{name}: {message}");
    }

    // A JWKS of one P-256 key is enough; a P-256 key whose point is off the curve is refused.
    s.write(
        "ec-only.json",
        format!(r#"{{"keys": [{}]}}"#, jwt::ec_jwk(&ec, "e1")),
    );
    let serve = Serve::start(
        &s,
        &["--echo", "--jwks", "ec-only.json", "--issuer", jwt::ISSUER],
        &[],
    );
    assert_eq!(ask(&serve, &good).status, 200);
    let off_curve = jwt::ec_jwk(&ec, "e1").replace(
        &format!(r#""y": "{}""#, jwt::b64(&ec_y(&ec))),
        &format!(r#""y": "{}""#, jwt::b64(&[1; 32])),
    );
    s.write("off-curve.json", format!(r#"{{"keys": [{off_curve}]}}"#));
    s.xconn()
        .args([
            "serve",
            "--echo",
            "--jwks",
            "off-curve.json",
            "--issuer",
            jwt::ISSUER,
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a point of P-256"));
}

fn ec_y(key: &aws_lc_rs::signature::EcdsaKeyPair) -> Vec<u8> {
    use aws_lc_rs::signature::KeyPair;
    key.public_key().as_ref()[33..].to_vec()
}

/// Replace `jwks.json` at once (a new file renamed over it), as key rotation tools do.
fn rotate(s: &Scratch, text: &str) {
    s.write("jwks.json.new", text);
    std::fs::rename(
        s.dir.path().join("jwks.json.new"),
        s.dir.path().join("jwks.json"),
    )
    .unwrap();
}

/// Ask with `token` until the answer has `status` (the file is checked at most once a second).
fn until_status(serve: &Serve, token: &str, status: u16) {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let answer = ask(serve, token);
        if answer.status == status {
            return;
        }
        assert!(
            Instant::now() < until,
            "never {status}: {}\n{}",
            answer.body,
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn jwks_file_is_reloaded_when_it_changes_and_a_bad_one_keeps_the_keys() {
    let s = Scratch::new();
    let (old, new) = (jwt::key(), jwt::key());
    let serve = jwks_serve(&s, &format!(r#"{{"keys": [{}]}}"#, jwt::jwk(&old, "k1")));
    let claims = timed(&(jwt::now() + 600).to_string(), "");
    let by_old = jwt::sign(&old, RS256_K1, &claims);
    let by_new = jwt::sign(&new, r#"{"alg": "RS256", "kid": "k2"}"#, &claims);
    assert_eq!(ask(&serve, &by_old).status, 200);
    assert_eq!(ask(&serve, &by_new).status, 401);

    rotate(&s, &format!(r#"{{"keys": [{}]}}"#, jwt::jwk(&new, "k2")));
    until_status(&serve, &by_new, 200);
    let answer = ask(&serve, &by_old);
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert!(
        answer.messages()[0].contains("kid `k1` is not in the JWKS"),
        "{}",
        answer.body
    );
    serve.log_when("the reload", |log| log.contains("jwks.json: reloaded"));

    // Broken, then gone: the keys stay, the log says so.
    rotate(&s, r#"{"keys": [oops"#);
    serve.log_when("a failed reload", |log| {
        assert_eq!(ask(&serve, &by_new).status, 200);
        log.contains("keeping the previous")
    });
    std::fs::remove_file(s.dir.path().join("jwks.json")).unwrap();
    serve.log_when("a missing file", |log| {
        assert_eq!(ask(&serve, &by_new).status, 200);
        log.matches("keeping the previous").count() >= 2
    });
    assert_eq!(ask(&serve, &by_old).status, 401);
}

#[test]
fn sighup_reloads_the_jwks_and_a_bad_one_keeps_the_keys() {
    let s = Scratch::new();
    let (old, new) = (jwt::key(), jwt::key());
    let serve = jwks_serve(&s, &format!(r#"{{"keys": [{}]}}"#, jwt::jwk(&old, "k1")));
    let claims = timed(&(jwt::now() + 600).to_string(), "");
    let by_old = jwt::sign(&old, RS256_K1, &claims);
    let by_new = jwt::sign(&new, r#"{"alg": "RS256", "kid": "k2"}"#, &claims);

    rotate(&s, &format!(r#"{{"keys": [{}]}}"#, jwt::jwk(&new, "k2")));
    serve.hangup();
    serve.log_when("the SIGHUP reload", |log| log.contains("reloaded (SIGHUP)"));
    assert_eq!(ask(&serve, &by_new).status, 200);
    assert_eq!(ask(&serve, &by_old).status, 401);

    rotate(&s, r#"{"keys": []}"#);
    serve.hangup();
    serve.log_when("the failed SIGHUP reload", |log| {
        log.contains("reload (SIGHUP) failed, keeping the previous")
    });
    assert_eq!(ask(&serve, &by_new).status, 200);
}

#[test]
fn fault_injection_status_fail_rate_and_delay() {
    let s = Scratch::new();
    let status = Serve::start(&s, &["--echo", "--status", "502"], &[]);
    let answer = post(&status.url, request_body(), &[]);
    assert_eq!(answer.status, 502);
    assert!(answer.messages()[0].contains("--status 502"));
    drop(status);

    let accepted = Serve::start(&s, &["--echo", "--status", "202"], &[]);
    let answer = post(&accepted.url, request_body(), &[]);
    assert_eq!(answer.status, 202);
    assert_eq!(answer.json()["process_time"], serde_json::json!([1, 1, 1]));
    drop(accepted);

    let failing = Serve::start(&s, &["--echo", "--fail-rate", "1"], &[]);
    for _ in 0..3 {
        let answer = post(&failing.url, request_body(), &[]);
        assert_eq!(answer.status, 503);
        assert!(answer.messages()[0].contains("--fail-rate 1"));
    }
    drop(failing);
    let never = Serve::start(&s, &["--echo", "--fail-rate", "0"], &[]);
    assert_eq!(post(&never.url, request_body(), &[]).status, 200);
    drop(never);

    let delayed = Serve::start(&s, &["--echo", "--delay", "300-400"], &[]);
    let started = Instant::now();
    assert_eq!(post(&delayed.url, request_body(), &[]).status, 200);
    let took = started.elapsed();
    // At least the delay; the upper bound only tells milliseconds from seconds (300 s), so a
    // loaded machine cannot fail it.
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(30),
        "{took:?}"
    );

    for bad in [
        &["--delay", "5-1"][..],
        &["--fail-rate", "1.5"],
        &["--status", "99"],
    ] {
        s.xconn()
            .args(["serve", "--echo"])
            .args(bad)
            .assert()
            .code(2);
    }
}

#[test]
fn sigterm_finishes_the_request_in_flight_then_exits_0() {
    let s = Scratch::new();
    s.write("response.json", fixture_text("serve/response.json"));
    // The handler says it has started, then waits for the test's go (at most 20 s): the signal
    // is sure to arrive while the request is in flight, however slow the machine.
    let handler = "touch started; i=0; while [ ! -e go ] && [ $i -lt 200 ]; do sleep 0.1; \
        i=$((i+1)); done; cat response.json";
    let mut serve = Serve::start(&s, &["--exec", handler], &[]);
    let url = serve.url.clone();
    let in_flight = std::thread::spawn(move || post(&url, request_body(), &[]));
    wait_for_file(&s.path("started"));
    serve.terminate();
    serve.log_when("shutting down", |log| log.contains("shutting down"));
    s.write("go", "");
    let answer = in_flight.join().unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(serve.wait(Duration::from_secs(60)), Some(0));
    let log = serve.log();
    assert!(log.contains("POST / 200 records=3"), "{log}");
}

/// A client that never finishes sending its body cannot keep the server from stopping: after
/// SIGTERM it gets `--grace` seconds, then the server exits 0 and says requests were cut off.
#[test]
fn a_request_that_never_finishes_is_cut_off_after_grace() {
    let s = Scratch::new();
    let mut serve = Serve::start(&s, &["--echo", "--grace", "1"], &[]);
    let _stuck = serve.stuck_request();
    let asked = Instant::now();
    serve.terminate();
    assert_eq!(
        serve.wait(Duration::from_secs(60)),
        Some(0),
        "{}",
        serve.log()
    );
    // At least the grace; without it the request would hold the server forever (the upper
    // bound is far from 1 s so that a loaded machine cannot fail it).
    let took = asked.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(30),
        "stopped after {took:?}"
    );
    let log = serve.log();
    assert!(log.contains("at most 1 s (--grace"), "{log}");
    assert!(log.contains("cut off"), "{log}");
}

/// A second signal while requests are in flight stops the server at once, with exit 130.
#[test]
fn a_second_signal_stops_at_once_with_130() {
    let s = Scratch::new();
    let mut serve = Serve::start(&s, &["--echo"], &[]);
    let _stuck = serve.stuck_request();
    serve.terminate();
    serve.log_when("the first signal", |log| log.contains("shutting down"));
    serve.terminate();
    assert_eq!(
        serve.wait(Duration::from_secs(60)),
        Some(130),
        "{}",
        serve.log()
    );
    assert!(serve.log().contains("stopped at once"), "{}", serve.log());
}

#[test]
fn exactly_one_handler_is_required() {
    let s = Scratch::new();
    s.xconn().args(["serve"]).assert().code(2);
    s.xconn()
        .args(["serve", "--echo", "--exec", "cat"])
        .assert()
        .code(2);
    s.xconn()
        .args(["serve", "--echo", "--addr", "not-an-address"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--addr not-an-address"));
    s.xconn()
        .args(["serve", "--help"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("Exit codes:"));
}

/// Wait (at most a minute) until a handler has made `path`.
fn wait_for_file(path: &std::path::Path) {
    let until = Instant::now() + Duration::from_secs(60);
    while !path.exists() {
        assert!(Instant::now() < until, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// What `--exec` guards never reaches the handler, the client or the log: the `--token-env`
/// variable (under its own name) and `XCONN_TOKEN`, `XCONN_TOKEN_FILE`, `XCONN_CLIENT_SECRET`,
/// every `CSPARK_*` are not in the handler's environment; a handler that gets the token anyway
/// (here from a file) and writes it to stderr sees it masked in the 500 body (for a failure and
/// for an invalid answer, which quotes the first 5 stderr lines) and in serve's log, where each
/// stderr line is prefixed with the request id.
#[test]
fn an_exec_handler_gets_no_secrets_and_its_stderr_never_carries_the_token() {
    let s = Scratch::new();
    let secret = "tok-5e4d3c2b1a09";
    s.write("secret.txt", secret);
    let handler = "env > env-$XCONN_REQUEST_ID.txt; \
        echo \"seen: $(cat secret.txt) and ${SERVE_TOKEN:-unset}\" >&2; \
        case $XCONN_REQUEST_ID in \
          fail) echo 'second line' >&2; exit 3 ;; \
          invalid) for i in 1 2 3 4 5 6; do echo \"line $i\" >&2; done; echo not-json ;; \
        esac";
    let others = [
        ("XCONN_TOKEN", "other-secret-xconn-token"),
        ("XCONN_TOKEN_FILE", "/nonexistent/token-file"),
        ("XCONN_CLIENT_SECRET", "other-secret-client"),
        ("CSPARK_BEARER_TOKEN", "other-secret-cspark-bearer"),
        ("CSPARK_API_KEY", "other-secret-cspark-key"),
        ("CSPARK_ANYTHING", "other-secret-cspark-anything"),
    ];
    let mut env = vec![("SERVE_TOKEN", secret), ("KEPT_VARIABLE", "kept-value")];
    env.extend(others);
    let serve = Serve::start(&s, &["--exec", handler, "--token-env", "SERVE_TOKEN"], &env);
    let bearer = format!("Bearer {secret}");

    let fail = post(
        &serve.url,
        request_body(),
        &[("authorization", &bearer), ("x-request-id", "fail")],
    );
    assert_eq!(fail.status, 500, "{}", fail.body);
    assert!(
        fail.messages()[0].contains("exit status 3"),
        "{}",
        fail.body
    );
    assert_eq!(
        fail.messages()[1..],
        ["seen: *** and unset", "second line"],
        "{}",
        fail.body
    );

    let invalid = post(
        &serve.url,
        request_body(),
        &[("authorization", &bearer), ("x-request-id", "invalid")],
    );
    assert_eq!(invalid.status, 500, "{}", invalid.body);
    let messages = invalid.messages();
    assert!(
        messages[0].contains("not a valid answer"),
        "{}",
        invalid.body
    );
    for line in [
        "seen: *** and unset",
        "line 1",
        "line 4",
        "(2 more stderr lines)",
    ] {
        assert!(messages.iter().any(|m| m == line), "{line}: {messages:?}");
    }
    assert!(!messages.iter().any(|m| m == "line 5"), "{messages:?}");

    for answer in [&fail, &invalid] {
        assert!(!answer.body.contains(secret), "{}", answer.body);
    }
    for id in ["fail", "invalid"] {
        let seen = s.read(&format!("env-{id}.txt"));
        assert!(seen.contains("KEPT_VARIABLE=kept-value"), "{seen}");
        assert!(seen.contains(&format!("XCONN_REQUEST_ID={id}")), "{seen}");
        for (name, value) in env.iter().filter(|(n, _)| *n != "KEPT_VARIABLE") {
            assert!(
                !seen.lines().any(|l| l.starts_with(&format!("{name}="))),
                "{name} reached the handler: {seen}"
            );
            assert!(!seen.contains(value), "{value} reached the handler: {seen}");
        }
    }

    let log = serve.log_of_requests(2);
    assert!(!log.contains(secret), "{log}");
    assert!(
        log.lines()
            .any(|l| l.contains(" [fail] stderr: ") && l.ends_with("seen: *** and unset")),
        "{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains(" [invalid] stderr: ") && l.ends_with("line 6")),
        "every stderr line is logged: {log}"
    );
}

/// Handler processes never outlive their request, however it ends: each handler starts
/// `sleep 300` in the background and writes its pid; after the event that ends the request the
/// sleep must be gone (polled, bounded; a zombie waiting to be reaped counts as gone).
mod handler_processes {
    use super::*;

    const SPAWN: &str =
        "sleep 300 </dev/null >/dev/null 2>&1 & echo $! > pid.tmp; mv pid.tmp pid; ";

    fn pid_of(s: &Scratch) -> i32 {
        wait_for_file(&s.path("pid"));
        s.read("pid").trim().parse().unwrap()
    }

    fn gone(pid: i32) -> bool {
        // SAFETY: kill(2) with signal 0 only checks that the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        if !alive {
            return std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        }
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|stat| {
                stat.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z')
            })
            .unwrap_or(true)
    }

    fn assert_gone(pid: i32, what: &str) {
        let until = Instant::now() + Duration::from_secs(60);
        while !gone(pid) {
            if Instant::now() > until {
                // SAFETY: kill(2) on the leftover process this test made.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                panic!("the handler's child {pid} outlived its request ({what})");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A request sent whole on a raw connection (returned: closing it disconnects).
    fn send(serve: &Serve, id: &str) -> std::net::TcpStream {
        use std::io::Write;
        let address = serve
            .url
            .trim_start_matches("http://")
            .trim_end_matches('/');
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        let body = request_body();
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: x\r\nx-request-id: {id}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        stream
    }

    #[test]
    fn after_a_normal_answer() {
        let s = Scratch::new();
        s.write("response.json", fixture_text("serve/response.json"));
        let serve = Serve::start(&s, &["--exec", &format!("{SPAWN} cat response.json")], &[]);
        let answer = post(&serve.url, request_body(), &[]);
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_gone(pid_of(&s), "answered");
    }

    #[test]
    fn after_a_timeout_and_at_the_output_limit() {
        let s = Scratch::new();
        let serve = Serve::start(
            &s,
            &["--exec", &format!("{SPAWN} wait"), "--exec-timeout", "1"],
            &[],
        );
        let answer = post(&serve.url, request_body(), &[]);
        assert_eq!(answer.status, 500, "{}", answer.body);
        assert_gone(pid_of(&s), "--exec-timeout");
        drop(serve);
        std::fs::remove_file(s.path("pid")).unwrap();

        let serve = Serve::start(
            &s,
            &[
                "--exec",
                &format!("{SPAWN} exec yes"),
                "--max-output-size",
                "1M",
            ],
            &[],
        );
        let answer = post(&serve.url, request_body(), &[]);
        assert_eq!(answer.status, 500, "{}", answer.body);
        assert_gone(pid_of(&s), "--max-output-size");
    }

    #[test]
    fn after_the_client_disconnects() {
        let s = Scratch::new();
        let serve = Serve::start(&s, &["--exec", &format!("{SPAWN} wait")], &[]);
        let stream = send(&serve, "gone-away");
        let pid = pid_of(&s);
        drop(stream);
        assert_gone(pid, "client disconnected");
        let log = serve.log_when("the disconnected request", |log| {
            log.lines()
                .any(|l| l.contains(" 499 ") && l.contains("id=gone-away"))
        });
        assert!(log.contains("client closed request"), "{log}");
    }

    #[test]
    fn after_grace_runs_out() {
        let s = Scratch::new();
        let mut serve = Serve::start(
            &s,
            &["--exec", &format!("{SPAWN} wait"), "--grace", "1"],
            &[],
        );
        let _stream = send(&serve, "cut");
        let pid = pid_of(&s);
        serve.terminate();
        assert_eq!(
            serve.wait(Duration::from_secs(60)),
            Some(0),
            "{}",
            serve.log()
        );
        assert_gone(pid, "--grace");
        let log = serve.log();
        assert!(
            log.lines()
                .any(|l| l.contains("id=cut") && l.contains("cut off")),
            "{log}"
        );
    }

    #[test]
    fn after_a_second_signal() {
        let s = Scratch::new();
        let mut serve = Serve::start(&s, &["--exec", &format!("{SPAWN} wait")], &[]);
        let _stream = send(&serve, "cut");
        let pid = pid_of(&s);
        serve.terminate();
        serve.log_when("the first signal", |log| log.contains("shutting down"));
        serve.terminate();
        assert_eq!(
            serve.wait(Duration::from_secs(60)),
            Some(130),
            "{}",
            serve.log()
        );
        assert_gone(pid, "second signal");
    }
}
