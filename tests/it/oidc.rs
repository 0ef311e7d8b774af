//! Tokens from a real OpenID Connect provider (oauth2-mock-server, `common::oidc_provider`):
//! `call`, `check` and `token` get one by client credentials and cache it; `serve --issuer`
//! verifies it through the provider's published keys. Every test starts its own provider and
//! its own cache folder.

use std::path::{Path, PathBuf};

use crate::common::oidc_provider::{Provider, CLIENT_ID};
use crate::common::serve::Serve;
use crate::common::{base64url, fixture, json, Scratch};

const SECRET: &str = "s3cret-Of-The-Client/+=";
const AUDIENCE: &str = "my-service";

/// A URL where nothing listens (for dry runs, and calls that fail before sending).
const NOWHERE: &str = "http://127.0.0.1:9/";

/// `xconn` with this scratch's cache folder, the client secret in CSPARK_CLIENT_SECRET and quick
/// retries.
fn xconn(s: &Scratch, secret: &str) -> assert_cmd::Command {
    let mut cmd = s.xconn();
    cmd.env("XDG_CACHE_HOME", s.path("cache"))
        .env("CSPARK_CLIENT_SECRET", secret)
        .env("XCONN_RETRY_BASE_MS", "1");
    cmd
}

fn client(p: &Provider) -> [String; 4] {
    [
        "--issuer".into(),
        p.issuer.clone(),
        "--client-id".into(),
        CLIENT_ID.into(),
    ]
}

/// `xconn token` with the provider's client: it succeeds.
fn get_token(s: &Scratch, p: &Provider) {
    xconn(s, SECRET)
        .arg("token")
        .args(client(p))
        .assert()
        .success();
}

/// `xconn call URL REQUEST` with the provider's client and `extra` flags.
fn call(s: &Scratch, p: &Provider, url: &str, extra: &[&str]) -> std::process::Output {
    xconn(s, SECRET)
        .args(["call", url, request().to_str().unwrap()])
        .args(extra)
        .args(client(p))
        .output()
        .unwrap()
}

/// `serve --echo --issuer ISSUER --audience AUDIENCE`.
fn gateway(s: &Scratch, p: &Provider) -> Serve {
    Serve::start(
        s,
        &["--echo", "--issuer", &p.issuer, "--audience", AUDIENCE],
        &[],
    )
}

fn request() -> PathBuf {
    fixture("request-example1-single-values.json")
}

/// The cache files of a scratch (none but `token-*.json` may be there).
pub(crate) fn cache_files(s: &Scratch) -> Vec<PathBuf> {
    let dir = s.path("cache/xconn");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

/// The one cached token.
pub(crate) fn cached_token(s: &Scratch) -> String {
    let files = cache_files(s);
    assert_eq!(files.len(), 1, "{files:?}");
    let doc = json(&std::fs::read_to_string(&files[0]).unwrap());
    doc["access_token"].as_str().unwrap().to_string()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The decoded header of a JWT (panics when `token` is not three base64url parts).
fn jwt_header(token: &str) -> String {
    use base64::Engine;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    for part in &parts {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap_or_else(|e| panic!("{part:?}: {e}"));
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[0])
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino()
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn call_gets_a_token_that_serve_verifies_through_the_issuers_keys() {
    let Some(p) = Provider::start(SECRET, &["--audience", AUDIENCE]) else {
        return;
    };
    let s = Scratch::new();
    let serve = gateway(&s, &p);
    let out = call(&s, &p, &serve.url, &["-v"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("\"outputs\""), "{stdout}");
    assert!(
        stderr.contains("xconn: token from client credentials of `xconn-test`"),
        "{stderr}"
    );
    let token = cached_token(&s);
    for shown in [&stdout, &stderr, &serve.log()] {
        assert!(
            !shown.contains(SECRET) && !shown.contains(&token),
            "{shown}"
        );
    }
    serve.log_of_requests(1);
    assert!(serve.log().contains("POST / 200"), "{}", serve.log());
}

#[test]
fn the_cache_is_private_reused_and_shared_by_the_commands() {
    let Some(mut p) = Provider::start(SECRET, &[]) else {
        return;
    };
    let s = Scratch::new();
    for _ in 0..2 {
        get_token(&s, &p);
    }
    assert_eq!(p.counts().token, 1, "two `token`s, one token request");
    let files = cache_files(&s);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(mode(&s.path("cache/xconn")), 0o700);
    assert_eq!(mode(&files[0]), 0o600);
    let out = xconn(&s, SECRET)
        .args(["token", "--format", "json"])
        .args(client(&p))
        .output()
        .unwrap();
    let report = json(&text(&out.stdout));
    assert!(
        report["source"].as_str().unwrap().ends_with("(cached)"),
        "{report}"
    );
    assert_eq!(report["client"], CLIENT_ID);
    // `call` (its dry run) takes the same cached token.
    let out = call(&s, &p, NOWHERE, &["--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(p.counts().token, 1);
}

#[test]
fn refresh_fetches_anew_and_forget_removes_the_cached_token() {
    let Some(mut p) = Provider::start(SECRET, &[]) else {
        return;
    };
    let s = Scratch::new();
    get_token(&s, &p);
    let before = inode(&cache_files(&s)[0]);
    let out = xconn(&s, SECRET)
        .args(["token", "--refresh"])
        .args(client(&p))
        .output()
        .unwrap();
    assert!(text(&out.stdout).contains("(new)"), "{}", text(&out.stdout));
    assert_eq!(p.counts().token, 2);
    // Rewritten (a new file renamed over the old one), with a whole JWT. (Within the same second
    // the provider signs the same claims into the same token, so the text may well be equal.)
    assert_ne!(
        inode(&cache_files(&s)[0]),
        before,
        "the cache was rewritten"
    );
    assert!(jwt_header(&cached_token(&s)).contains("\"alg\":\"RS256\""));
    // A plain `token` reuses it: not rewritten.
    let kept = inode(&cache_files(&s)[0]);
    get_token(&s, &p);
    assert_eq!(
        inode(&cache_files(&s)[0]),
        kept,
        "the cache was not rewritten"
    );
    // Forgetting needs no secret.
    let out = xconn(&s, SECRET)
        .env_remove("CSPARK_CLIENT_SECRET")
        .args(["token", "--forget"])
        .args(client(&p))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Forgot the cached token"));
    assert!(cache_files(&s).is_empty());
    assert_eq!(p.counts().token, 2, "--forget fetches nothing");
    get_token(&s, &p);
    assert_eq!(p.counts().token, 3);
}

#[test]
fn a_token_within_60_s_of_its_expiry_is_not_reused() {
    let Some(mut p) = Provider::start(SECRET, &["--expires-in", "59"]) else {
        return;
    };
    let s = Scratch::new();
    for _ in 0..2 {
        get_token(&s, &p);
    }
    assert_eq!(
        p.counts().token,
        2,
        "a token with 59 s left is fetched again"
    );
    let Some(mut p) = Provider::start(SECRET, &["--expires-in", "120"]) else {
        return;
    };
    let s = Scratch::new();
    for _ in 0..2 {
        get_token(&s, &p);
    }
    assert_eq!(p.counts().token, 1, "a token with 120 s left is reused");
}

#[test]
fn concurrent_calls_leave_one_valid_cache_file() {
    let Some(p) = Provider::start(SECRET, &[]) else {
        return;
    };
    let s = Scratch::new();
    let children: Vec<_> = (0..8)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_xconn"))
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("XDG_CACHE_HOME", s.path("cache"))
                .env("CSPARK_CLIENT_SECRET", SECRET)
                .arg("token")
                .args(client(&p))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let token = cached_token(&s);
    assert_eq!(token.split('.').count(), 3, "a whole JWT: {token}");
    assert_eq!(mode(&cache_files(&s)[0]), 0o600);
    get_token(&s, &p);
}

#[test]
fn a_token_given_directly_wins_and_v_says_so() {
    let Some(mut p) = Provider::start(SECRET, &[]) else {
        return;
    };
    let s = Scratch::new();
    let out = xconn(&s, SECRET)
        .env("XCONN_TOKEN", "direct-token-value")
        .args(["call", NOWHERE, request().to_str().unwrap()])
        .args(["--dry-run", "-v"])
        .args(client(&p))
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(
        stderr
            .contains("token from $XCONN_TOKEN (given directly: client credentials are not used)"),
        "{stderr}"
    );
    assert_eq!(p.counts().token, 0);
}

#[test]
fn the_auth_method_follows_discovery_or_the_flag() {
    let Some(mut p) = Provider::start(SECRET, &["--auth-methods", "client_secret_post"]) else {
        return;
    };
    let s = Scratch::new();
    // Discovery lists only client_secret_post: the secret goes in the form.
    get_token(&s, &p);
    // --auth-method client_secret_basic against it: refused by the provider.
    let out = xconn(&s, SECRET)
        .args(["token", "--refresh", "--auth-method", "client_secret_basic"])
        .args(client(&p))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("client_secret_basic is not accepted here"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(p.counts().token, 2);
}

#[test]
fn a_wrong_secret_exits_2_with_the_providers_message_and_never_the_secret() {
    let Some(p) = Provider::start(SECRET, &["--echo-secret"]) else {
        return;
    };
    let s = Scratch::new();
    let wrong = "wrong-Secret-echoed-back";
    let out = xconn(&s, wrong)
        .args(["call", NOWHERE, request().to_str().unwrap()])
        .arg("-v")
        .args(client(&p))
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("refused client `xconn-test`: invalid_client: Invalid client credentials"),
        "{stderr}"
    );
    // The provider echoed the secret in error_description: masked.
    assert!(stderr.contains("secret '***' does not match"), "{stderr}");
    assert!(
        !stderr.contains(wrong) && !stdout.contains(wrong),
        "{stderr}"
    );
    assert!(cache_files(&s).is_empty());
}

#[test]
fn the_secret_never_comes_from_argv_but_from_a_file() {
    let Some(p) = Provider::start(SECRET, &[]) else {
        return;
    };
    let s = Scratch::new();
    s.write("secret", format!("{SECRET}\n"));
    let mut cmd = s.xconn();
    cmd.env("XDG_CACHE_HOME", s.path("cache"))
        .args(["token", "--client-secret-file", "secret"])
        .args(client(&p))
        .assert()
        .success();
    let out = s
        .xconn()
        .args(["token", "--client-secret", SECRET])
        .args(client(&p))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "no such option");
    let out = s.xconn().arg("token").args(client(&p)).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no client secret: set CSPARK_CLIENT_SECRET"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_unreachable_provider_exits_3_even_with_an_expired_cache() {
    let Some(mut p) = Provider::start(SECRET, &["--expires-in", "30"]) else {
        return;
    };
    let s = Scratch::new();
    get_token(&s, &p);
    assert_eq!(
        cache_files(&s).len(),
        1,
        "kept, though within a minute of expiry"
    );
    p.stop();
    let out = call(&s, &p, NOWHERE, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("the discovery document") && stderr.contains("cannot connect"),
        "{stderr}"
    );
}

#[test]
fn a_401_fetches_a_new_token_once_and_sends_again() {
    let Some(mut p) = Provider::start(SECRET, &["--audience", "another-service"]) else {
        return;
    };
    let s = Scratch::new();
    get_token(&s, &p);
    let serve = gateway(&s, &p);
    // The cached token is for another audience: serve answers 401, a new one (now for this
    // service) is fetched and the request sent once more.
    p.audience(AUDIENCE);
    let out = call(&s, &p, &serve.url, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("the service answered 401: sending again once with a new token"),
        "{stderr}"
    );
    assert_eq!(p.counts().token, 2);
    let log = serve.log_of_requests(2);
    assert!(
        log.contains("POST / 401") && log.contains("POST / 200"),
        "{log}"
    );
    // The renewed token is cached as itself (a whole JWT for this service, not `***`), and the
    // next call sends it: no new token, no 401.
    let token = cached_token(&s);
    assert!(jwt_header(&token).contains("\"alg\""));
    let out = call(&s, &p, &serve.url, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(p.counts().token, 2);
    let log = serve.log_of_requests(3);
    assert_eq!(log.matches("POST / 401").count(), 1, "{log}");
}

#[test]
fn a_token_for_another_audience_is_refused_by_serve() {
    let Some(mut p) = Provider::start(SECRET, &["--audience", "another-service"]) else {
        return;
    };
    let s = Scratch::new();
    let serve = gateway(&s, &p);
    let out = call(&s, &p, &serve.url, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("HTTP 401"), "{stderr}");
    assert!(stderr.contains("wrong audience: `another-serv"), "{stderr}");
    // Renewed once, not in a loop.
    assert_eq!(p.counts().token, 2);
}

/// A token signed by nobody, naming `kid`.
fn forged(kid: &str, issuer: &str) -> String {
    let header = format!(r#"{{"alg":"RS256","typ":"JWT","kid":"{kid}"}}"#);
    let claims = format!(r#"{{"iss":"{issuer}","exp":99999999999}}"#);
    format!(
        "{}.{}.c2lnbmF0dXJl",
        base64url(header.as_bytes()),
        base64url(claims.as_bytes())
    )
}

fn call_with_token(s: &Scratch, serve: &Serve, token: &str) -> std::process::Output {
    s.xconn()
        .env("XCONN_TOKEN", token)
        .env("XCONN_RETRY_BASE_MS", "1")
        .args(["call", &serve.url, request().to_str().unwrap()])
        .output()
        .unwrap()
}

#[test]
fn serve_fetches_the_keys_again_for_a_new_kid_but_not_for_every_forged_one() {
    let Some(mut p) = Provider::start(SECRET, &[]) else {
        return;
    };
    let s = Scratch::new();
    let serve = Serve::start(&s, &["--echo", "--issuer", &p.issuer], &[]);
    assert_eq!(p.counts().jwks, 1, "fetched at start-up");
    let kid = p.rotate();
    let out = call(&s, &p, &serve.url, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let header = jwt_header(&cached_token(&s));
    assert!(header.contains(&format!("\"kid\":\"{kid}\"")), "{header}");
    assert_eq!(p.counts().jwks, 2, "one fetch for the new kid {kid}");
    for n in 0..3 {
        let out = call_with_token(&s, &serve, &forged(&format!("forged-{n}"), &p.issuer));
        assert_eq!(out.status.code(), Some(4));
        assert!(
            text(&out.stderr).contains(&format!("kid `forged-{n}` is not in")),
            "{}",
            text(&out.stderr)
        );
    }
    assert_eq!(p.counts().jwks, 2, "no fetch within 30 s of the last");
}

#[test]
fn serve_keeps_verifying_with_cached_keys_when_the_provider_is_down() {
    let Some(mut p) = Provider::start(SECRET, &[]) else {
        return;
    };
    let s = Scratch::new();
    let serve = Serve::start(&s, &["--echo", "--issuer", &p.issuer], &[]);
    get_token(&s, &p);
    let token = cached_token(&s);
    p.stop();
    // An unknown kid makes serve try the provider: it is down, said once.
    for n in 0..2 {
        let out = call_with_token(&s, &serve, &forged(&format!("unknown-{n}"), &p.issuer));
        assert_eq!(out.status.code(), Some(4));
    }
    for _ in 0..2 {
        let out = call_with_token(&s, &serve, &token);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let log = serve.log_of_requests(4);
    assert_eq!(
        log.matches("the keys cannot be fetched again, the cached keys keep serving")
            .count(),
        1,
        "{log}"
    );
    assert!(!log.contains(&token), "{log}");
}

#[test]
fn es256_tokens_are_verified() {
    let Some(mut p) = Provider::start(SECRET, &[]) else {
        return;
    };
    p.es256();
    let s = Scratch::new();
    let serve = Serve::start(&s, &["--echo", "--issuer", &p.issuer], &[]);
    let out = call(&s, &p, &serve.url, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let header = jwt_header(&cached_token(&s));
    assert!(header.contains("\"alg\":\"ES256\""), "{header}");
}

#[test]
fn neither_the_secret_nor_the_token_is_printed_by_dry_runs_or_curl() {
    let Some(p) = Provider::start(SECRET, &[]) else {
        return;
    };
    let s = Scratch::new();
    for mode in ["--dry-run", "--curl"] {
        let out = call(&s, &p, NOWHERE, &[mode, "-v"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let token = cached_token(&s);
        for shown in [text(&out.stdout), text(&out.stderr)] {
            assert!(!shown.contains(SECRET), "{mode}: {shown}");
            assert!(!shown.contains(&token), "{mode}: {shown}");
        }
    }
}

#[test]
fn check_gets_its_token_the_same_way() {
    let Some(mut p) = Provider::start(SECRET, &["--audience", AUDIENCE]) else {
        return;
    };
    let s = Scratch::new();
    let serve = gateway(&s, &p);
    let out = xconn(&s, SECRET)
        .args(["check", &serve.url, "--sample", request().to_str().unwrap()])
        .args(client(&p))
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(p.counts().token, 1);
    assert!(!stdout.contains(SECRET) && !stdout.contains(&cached_token(&s)));
    assert!(serve.log().contains("POST / 200"), "{}", serve.log());
}

#[test]
fn token_checks_the_signature_with_the_verifier_serve_uses() {
    let Some(p) = Provider::start(SECRET, &[]) else {
        return;
    };
    let s = Scratch::new();
    let out = xconn(&s, SECRET)
        .arg("token")
        .args(client(&p))
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("signature: verified with the issuer's published keys"),
        "{stdout}"
    );
    assert!(!stdout.contains("signature not checked"), "{stdout}");
    let out = xconn(&s, SECRET)
        .env("XCONN_TOKEN", forged("not-a-key", &p.issuer))
        .args(["token", "--format", "json"])
        .args(client(&p))
        .output()
        .unwrap();
    let report = json(&text(&out.stdout));
    assert_eq!(report["source"], "$XCONN_TOKEN");
    assert!(
        report["signature"]
            .as_str()
            .unwrap()
            .starts_with("refused: kid `not-a-key` is not in the key set"),
        "{report}"
    );
}

#[test]
fn the_batches_of_one_call_share_one_token() {
    let Some(mut p) = Provider::start(SECRET, &["--audience", AUDIENCE]) else {
        return;
    };
    let s = Scratch::new();
    let serve = gateway(&s, &p);
    // The client id from CSPARK_CLIENT_ID this time.
    let out = xconn(&s, SECRET)
        .env("CSPARK_CLIENT_ID", CLIENT_ID)
        .args(["call", &serve.url, request().to_str().unwrap()])
        .args(["--batch-size", "1", "--concurrency", "3"])
        .args(["--issuer", &p.issuer])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let log = serve.log_of_requests(3);
    assert_eq!(log.matches("POST / 200").count(), 3, "{log}");
    assert_eq!(p.counts().token, 1, "three batches, one token");
}

#[test]
fn an_answer_without_a_bearer_access_token_is_refused_clearly() {
    let Some(mut p) = Provider::start(SECRET, &[]) else {
        return;
    };
    let s = Scratch::new();
    for (kind, said) in [
        (
            "no-token",
            "answered, but without an `access_token`: no token to send",
        ),
        (
            "mac",
            "answered, but with a `mac` token (only Bearer tokens are sent)",
        ),
    ] {
        p.answer(kind);
        let out = call(&s, &p, NOWHERE, &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{kind}: {stderr}");
        assert!(stderr.contains(said), "{kind}: {stderr}");
        assert!(cache_files(&s).is_empty(), "{kind}: nothing cached");
    }
}

#[test]
fn token_url_skips_discovery() {
    let Some(mut p) = Provider::start(SECRET, &[]) else {
        return;
    };
    let s = Scratch::new();
    let token_url = format!("{}/token", p.issuer);
    xconn(&s, SECRET)
        .args(["token", "--token-url", &token_url, "--client-id", CLIENT_ID])
        .assert()
        .success();
    let counts = p.counts();
    assert_eq!((counts.token, counts.discovery), (1, 0));
}
