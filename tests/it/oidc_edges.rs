//! The edges of client credentials that a well-behaved provider does not reach: a token endpoint
//! (`common::server`) that always gives the same token, a cache file that is corrupt or not a
//! file, plain http to another host, a provider that never answers or answers too much, an
//! `expires_in` sent as a string; and a key set with a broken key (the real provider,
//! `common::oidc_provider`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::common::oidc_provider::{Provider, CLIENT_ID};
use crate::common::serve::Serve;
use crate::common::server::{Recorded, Reply, Server};
use crate::common::{fixture, jwt, unix_now, Scratch};
use crate::oidc::{cache_files, cached_token, text};

const SECRET: &str = "edge-Secret-of-the-client";

fn request() -> PathBuf {
    fixture("request-example1-single-values.json")
}

/// `xconn` with this scratch's cache folder, the secret in CSPARK_CLIENT_SECRET and quick
/// retries.
fn xconn(s: &Scratch) -> assert_cmd::Command {
    let mut cmd = s.xconn();
    cmd.env("XDG_CACHE_HOME", s.path("cache"))
        .env("CSPARK_CLIENT_SECRET", SECRET)
        .env("XCONN_RETRY_BASE_MS", "1")
        .timeout(Duration::from_secs(30));
    cmd
}

/// A token endpoint at `/token` that answers every request with this JSON.
fn token_endpoint(answer: String) -> Server {
    Server::always(Reply::json(&answer))
}

/// The token endpoint's answer: `access_token`, Bearer, and `expires_in` when given (JSON text).
fn answer(token: &str, expires_in: Option<&str>) -> String {
    let expires = expires_in.map_or(String::new(), |e| format!(r#","expires_in":{e}"#));
    format!(r#"{{"access_token":"{token}","token_type":"Bearer"{expires}}}"#)
}

fn token_url(server: &Server) -> [String; 4] {
    [
        "--token-url".into(),
        server.url("/token"),
        "--client-id".into(),
        CLIENT_ID.into(),
    ]
}

/// The three parts of a JWT, each decoded from base64url (panics when `token` is not one).
fn jwt_parts(token: &str) -> Vec<Vec<u8>> {
    use base64::Engine;
    let parts: Vec<Vec<u8>> = token
        .split('.')
        .map(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .unwrap_or_else(|e| panic!("{p:?} of {token:?}: {e}"))
        })
        .collect();
    assert_eq!(parts.len(), 3, "{token}");
    parts
}

/// `call --dry-run -v` with the client of `provider`: it succeeds; its standard error.
fn dry_run_verbose(s: &Scratch, provider: &Server) -> String {
    let out = xconn(s)
        .args(["call", "http://127.0.0.1:9/", request().to_str().unwrap()])
        .args(["--dry-run", "-v"])
        .args(token_url(provider))
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    stderr
}

fn bearer(recorded: &Recorded) -> String {
    recorded.header("authorization").unwrap_or("").to_string()
}

#[test]
fn a_renewal_that_brings_the_same_token_caches_the_token_not_a_mask() {
    let s = Scratch::new();
    let token = jwt(&format!(
        r#"{{"sub":"{CLIENT_ID}","exp":{}}}"#,
        unix_now() + 3600
    ));
    let provider = token_endpoint(answer(&token, None));
    xconn(&s)
        .arg("token")
        .args(token_url(&provider))
        .assert()
        .success();
    assert_eq!(cached_token(&s), token);
    // The service refuses the first request: the renewal brings the very token this run already
    // registered with the redactor (and sent).
    let service = Server::start(|hit, _| {
        if hit == 0 {
            Reply::status(401)
        } else {
            Reply::json(&crate::common::fixture_text(
                "response-example1-success.json",
            ))
        }
    });
    let run = |s: &Scratch| {
        xconn(s)
            .args(["call", &service.url("/"), request().to_str().unwrap()])
            .args(token_url(&provider))
            .output()
            .unwrap()
    };
    let out = run(&s);
    assert!(
        text(&out.stderr).contains("the service answered 401: sending again once"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(provider.hits(), 2, "one renewal");
    let cached = cached_token(&s);
    assert_eq!(cached, token, "the cache holds the token itself");
    assert!(String::from_utf8(jwt_parts(&cached)[1].clone())
        .unwrap()
        .contains(CLIENT_ID));
    // The next call sends the cached token itself, not `***`.
    run(&s);
    let sent = service.requests();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert_eq!(bearer(&sent[2]), format!("Bearer {token}"));
    assert_eq!(provider.hits(), 2, "the cached token is used");
}

/// A cache file holding `contents` in place of the fresh entry of `s`'s one client.
fn corrupt(s: &Scratch, contents: &[u8]) {
    let files = cache_files(s);
    assert_eq!(files.len(), 1, "{files:?}");
    std::fs::remove_file(&files[0]).unwrap();
    std::fs::write(&files[0], contents).unwrap();
}

#[test]
fn a_corrupt_cache_file_is_fetched_anew_without_panic_or_hang() {
    let s = Scratch::new();
    let token = jwt(&format!(r#"{{"exp":{}}}"#, unix_now() + 3600));
    let provider = token_endpoint(answer(&token, None));
    let get = |s: &Scratch| {
        xconn(s)
            .arg("token")
            .args(token_url(&provider))
            .output()
            .unwrap()
    };
    assert!(get(&s).status.success());
    let entry =
        |at: &str| format!(r#"{{"access_token":"{token}","expires_at":{at}}}"#).into_bytes();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("i64::MIN", entry("-9223372036854775808")),
        ("i64::MAX", entry("9223372036854775807")),
        ("a float", entry("1.8e9")),
        ("a string", entry(r#""9999999999""#)),
        ("garbage", b"{\"access_token\": \"abc".to_vec()),
        (
            "a mask",
            format!(
                r#"{{"access_token":"***","expires_at":{}}}"#,
                unix_now() + 3600
            )
            .into_bytes(),
        ),
        ("10 MB", vec![b' '; 10 << 20]),
    ];
    for (n, (what, contents)) in cases.iter().enumerate() {
        corrupt(&s, contents);
        let began = Instant::now();
        let out = get(&s);
        assert_eq!(out.status.code(), Some(0), "{what}: {}", text(&out.stderr));
        assert!(began.elapsed() < Duration::from_secs(10), "{what}");
        assert_eq!(provider.hits(), n + 2, "{what}: fetched anew");
        assert_eq!(cached_token(&s), token, "{what}: overwritten");
    }
    // -v says why the cache was not used.
    corrupt(&s, b"not json");
    let stderr = dry_run_verbose(&s, &provider);
    assert!(
        stderr.contains("is not used (not a JSON object): a new one is fetched"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_the_cache_file_neither_blocks_nor_stays() {
    let s = Scratch::new();
    let token = jwt(&format!(r#"{{"exp":{}}}"#, unix_now() + 3600));
    let provider = token_endpoint(answer(&token, None));
    let get = || {
        xconn(&s)
            .arg("token")
            .args(token_url(&provider))
            .output()
            .unwrap()
    };
    assert!(get().status.success());
    let file = cache_files(&s).remove(0);
    std::fs::remove_file(&file).unwrap();
    crate::common::make_fifo(
        file.parent().unwrap(),
        file.file_name().unwrap().to_str().unwrap(),
    );
    let began = Instant::now();
    let out = get();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(began.elapsed() < Duration::from_secs(10));
    assert_eq!(provider.hits(), 2);
    assert!(std::fs::metadata(&file).unwrap().is_file(), "replaced");
    // A link to /dev/zero: not followed.
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &file).unwrap();
    let out = get();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(provider.hits(), 3);
    assert_eq!(cached_token(&s), token);
}

#[test]
fn plain_http_to_another_host_is_refused_before_anything_is_sent() {
    let s = Scratch::new();
    for flag in ["--issuer", "--token-url"] {
        let out = xconn(&s)
            .args(["call", "http://127.0.0.1:9/", request().to_str().unwrap()])
            .args([flag, "http://idp.example/realms/acme", "--client-id", "c"])
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "{flag} http://idp.example/realms/acme: plain http to idp.example"
            )) && stderr.contains("use https, or give --insecure"),
            "{flag}: {stderr}"
        );
    }
    // call's --insecure allows it: the request is made, and fails here (exit 3).
    let out = xconn(&s)
        .args(["call", "http://127.0.0.1:9/", request().to_str().unwrap()])
        .args(["--insecure", "--timeout", "1", "--client-id", "c"])
        .args(["--token-url", "http://192.0.2.1/token"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("the token endpoint http://192.0.2.1/token")
            && !stderr.contains("plain http"),
        "{stderr}"
    );
    // serve has no opt-in.
    let out = s
        .xconn()
        .args(["serve", "--addr", "127.0.0.1:0", "--echo"])
        .args(["--issuer", "http://idp.example/realms/acme"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("plain http to idp.example"), "{stderr}");
}

#[test]
fn a_discovery_document_naming_plain_http_elsewhere_is_refused() {
    let s = Scratch::new();
    let doc = Server::start(|_, r: &Recorded| {
        // The issuer is this server's own address, from the Host header.
        let host = r.header("host").unwrap_or_default().to_string();
        Reply::json(&format!(
            r#"{{"issuer":"http://{host}","token_endpoint":"http://idp.example/token","jwks_uri":"http://keys.example/jwks"}}"#
        ))
    });
    let issuer = doc.url("");
    let out = xconn(&s)
        .args(["call", "http://127.0.0.1:9/", request().to_str().unwrap()])
        .args(["--issuer", &issuer, "--client-id", "c"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`token_endpoint` http://idp.example/token: plain http to idp.example"),
        "{stderr}"
    );
    let out = s
        .xconn()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--echo",
            "--issuer",
            &issuer,
        ])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`jwks_uri` http://keys.example/jwks: plain http to keys.example")
            && stderr.contains("use https"),
        "{stderr}"
    );
    assert_eq!(doc.hits(), 2, "discovery only: nothing sent elsewhere");
}

#[test]
fn call_timeout_bounds_a_provider_that_never_answers() {
    let s = Scratch::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    // Accepts and never answers (the connections are kept open until the test ends).
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    let began = Instant::now();
    let out = xconn(&s)
        .args(["call", "http://127.0.0.1:9/", request().to_str().unwrap()])
        .args(["--timeout", "2", "--issuer", &issuer, "--client-id", "c"])
        .output()
        .unwrap();
    let took = began.elapsed();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(6),
        "{took:?}: {stderr}"
    );
    assert!(stderr.contains("no complete answer within 2 s"), "{stderr}");
}

#[test]
fn an_oversize_provider_answer_exits_2_without_naming_max_response_size() {
    let s = Scratch::new();
    let big = format!(r#"{{"pad":"{}"}}"#, "x".repeat(2 << 20));
    let provider = Server::always(Reply::json(&big));
    let out = xconn(&s)
        .args(["call", "http://127.0.0.1:9/", request().to_str().unwrap()])
        .args(["--issuer", &provider.url(""), "--client-id", "c"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the answer is larger than 1048576 bytes, the most xconn reads from an identity provider"),
        "{stderr}"
    );
    assert!(!stderr.contains("--max-response-size"), "{stderr}");
}

#[test]
fn expires_in_as_a_string_is_cached_and_no_expiry_is_not() {
    let s = Scratch::new();
    let provider = token_endpoint(answer("opaque-token-abc123", Some(r#""3600""#)));
    for _ in 0..2 {
        xconn(&s)
            .arg("token")
            .args(token_url(&provider))
            .assert()
            .success();
    }
    assert_eq!(provider.hits(), 1, "the second `token` used the cache");
    assert_eq!(cached_token(&s), "opaque-token-abc123");
    let s = Scratch::new();
    let provider = token_endpoint(answer("opaque-token-xyz789", None));
    let stderr = dry_run_verbose(&s, &provider);
    assert!(
        stderr.contains("the token is used but not cached: its expiry is unknown"),
        "{stderr}"
    );
    assert!(cache_files(&s).is_empty());
}

#[test]
fn concurrent_batches_renew_once_and_then_all_send_the_new_token() {
    let Some(mut p) = Provider::start(SECRET, &["--audience", "another-service"]) else {
        return;
    };
    let s = Scratch::new();
    let issuer = p.issuer.clone();
    let client = ["--issuer", &issuer, "--client-id", CLIENT_ID];
    xconn(&s).arg("token").args(client).assert().success();
    let serve = Serve::start(
        &s,
        &["--echo", "--issuer", &issuer, "--audience", "my-service"],
        &[],
    );
    p.audience("my-service");
    let records: Vec<String> = (0..9).map(|i| format!("[{i},{i}]")).collect();
    s.write(
        "nine.json",
        format!(r#"{{"inputs":[["a","b"],{}]}}"#, records.join(",")),
    );
    let out = xconn(&s)
        .args(["call", &serve.url, "nine.json"])
        .args(["--batch-size", "1", "--concurrency", "3"])
        .args(client)
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(p.counts().token, 2, "one renewal for all the batches");
    assert_eq!(
        stderr.matches("the service answered 401").count(),
        1,
        "{stderr}"
    );
    let log = serve.log_of_requests(9);
    assert_eq!(log.matches("POST / 200").count(), 9, "{log}");
    assert!(
        log.matches("POST / 401").count() <= 3,
        "only the batches in flight met the old token: {log}"
    );
    // Nothing in flight any more: the next request sends the new token.
    let out = xconn(&s)
        .args(["call", &serve.url, request().to_str().unwrap()])
        .args(client)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(p.counts().token, 2);
}

#[test]
fn serve_skips_a_broken_key_of_the_issuers_set_and_keeps_the_others() {
    let Some(mut p) = Provider::start(SECRET, &[]) else {
        return;
    };
    p.broken_key("broken-1");
    let s = Scratch::new();
    let issuer = p.issuer.clone();
    let client = ["--issuer", &issuer, "--client-id", CLIENT_ID];
    let serve = Serve::start(&s, &["--echo", "--issuer", &issuer], &[]);
    let call = |s: &Scratch| {
        xconn(s)
            .args(["call", &serve.url, request().to_str().unwrap()])
            .args(client)
            .output()
            .unwrap()
    };
    let out = call(&s);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A new key signs: the set is fetched again (the broken key still in it) and replaces the
    // cached one.
    let kid = p.rotate();
    let s = Scratch::new();
    let out = call(&s);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(p.counts().jwks, 2, "refetched for {kid}");
    let log = serve.log_of_requests(2);
    assert_eq!(
        log.matches("(kid `broken-1`) is skipped: a 24-bit RSA key is too small")
            .count(),
        1,
        "said once: {log}"
    );
    assert!(log.contains("2 keys fetched"), "{log}");
    assert!(!log.contains("cannot be fetched again"), "{log}");
}
