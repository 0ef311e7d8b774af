//! `xconn check` within a budget: `--max-requests N` bounds every request of the run (fixed,
//! robustness, auth, `batch-1000`, `repeat`, generated, metamorphic and shrinking ones), under
//! any `--concurrency`; `--budget` cuts a request in flight at the deadline; whatever the budget
//! does not reach is skipped with the reason, never failed, in every report format. Also: a
//! shrunk 5xx keeps its status, and the TLS probe goes through `HTTPS_PROXY` as `call` does.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common;

use common::server::{Recorded, Reply, Server};
use common::Scratch;

pub(crate) const SAMPLE: &str = r#"{"inputs": [["n", "s"], [1, "a"], [2, "b"]]}"#;

pub(crate) use common::check_run::{check, probe, probes};

/// A service that checks the token (401 without it), refuses what is not a valid JSON request
/// (400), and answers each record; with `fail_batches` it answers 500 to any request of two
/// records or more.
fn service(token: String, fail_batches: bool) -> Server {
    Server::start(move |_, request: &Recorded| {
        if request.header("authorization") != Some(&*format!("Bearer {token}")) {
            return Reply::status(401).body("no");
        }
        let options = xconn::validate::Options {
            kind: Some(xconn::body::Kind::Request),
            against: None,
        };
        let content_type = request.header("content-type").unwrap_or("");
        if !content_type.starts_with("application/json")
            || xconn::validate::check_bytes(&request.body, &options)
                .checked
                .has_errors()
        {
            return Reply::status(400).body("not a valid request");
        }
        let answer = common::server::answer_each_record(request);
        let records = serde_json::from_slice::<serde_json::Value>(&request.body)
            .ok()
            .and_then(|b| b["inputs"].as_array().map(|a| a.len().saturating_sub(1)))
            .unwrap_or(0);
        if fail_batches && records >= 2 && answer.status == 200 {
            return Reply::status(500).body("batch broke");
        }
        answer
    })
}

/// `check --max-requests max` with `args` against `server` (seed 3, the token set): the exit code
/// and the JSON report, once the server has been seen to get exactly `max` requests, as the
/// report says.
fn bounded(
    s: &Scratch,
    server: &Server,
    token: &str,
    max: usize,
    args: &[&str],
) -> (i32, serde_json::Value) {
    let max_text = max.to_string();
    let common = ["--sample", "sample.json", "--format", "json", "--seed", "3"];
    let args = [&common[..], &["--max-requests", &max_text], args].concat();
    let run = check(s, &server.url("/"), &args, &[("XCONN_TOKEN", token)]);
    let card = run.card();
    assert_eq!(server.hits(), max, "{args:?}: {card}");
    assert_eq!(card["requests"], max, "{args:?}: {card}");
    (run.code, card)
}

/// `--max-requests N` is a bound on every request the run sends — the server counts them — with
/// every group on (fixed, robustness, auth with a JWT, `batch-1000`, `repeat`, generated cases
/// and their metamorphic requests), at concurrency 1 and 8. Nothing the bound left out fails:
/// it is skipped, saying `skipped: --max-requests N reached`; the report says the run stopped
/// and how many cases ran.
#[test]
fn max_requests_bounds_every_request_of_the_run() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    let token = common::jwt(r#"{"sub":"u","aud":"svc","exp":4102444800}"#);
    for (max, concurrency) in [(7, "1"), (7, "8"), (40, "8")] {
        let server = service(token.clone(), false);
        // The service knows no columns: the probes of its contract would fail, and are not
        // what this is about (they still send nothing, so the bound is the same).
        let args = [
            "--concurrency",
            concurrency,
            "--repeat",
            "5",
            "--cases",
            "50",
            "--skip",
            "missing-column",
            "--skip",
            "extra-column",
            "--skip",
            "wrong-kind",
        ];
        let (code, card) = bounded(&s, &server, &token, max, &args);
        let why = format!("max {max}, concurrency {concurrency}: {card}");
        assert_eq!(card["stopped"], format!("--max-requests {max}"), "{why}");
        assert_eq!(card["summary"]["fail"], 0, "{why}");
        let reason = format!("skipped: --max-requests {max} reached");
        let skipped: Vec<serde_json::Value> = probes(&card)
            .into_iter()
            .filter(|p| p["reason"].as_str().unwrap_or("").starts_with(&reason))
            .collect();
        assert!(skipped.iter().all(|p| p["result"] == "skip"), "{why}");
        // The cheap probes come first: `sample` ran.
        assert_eq!(probe(&card, "sample")["result"], "pass", "{why}");
        assert_eq!(code, 0, "a sample probe ran and nothing failed: {why}");
        let generated = probe(&card, "generated");
        if max == 7 {
            // 6 fixed requests (`nested-table` has no nested table to send), then `empty-body`.
            assert!(!skipped.is_empty(), "{why}");
            assert_eq!(probe(&card, "empty-body")["result"], "pass", "{why}");
            assert_eq!(probe(&card, "empty-inputs")["reason"], reason, "{why}");
            assert_eq!(probe(&card, "repeat")["reason"], reason, "{why}");
            assert_eq!(card["cases"]["run"], 0, "{why}");
            assert_eq!(generated["result"], "skip", "{why}");
            assert!(
                generated["reason"]
                    .as_str()
                    .unwrap()
                    .contains("(0 of 50 cases run)"),
                "{why}"
            );
            assert_eq!(probe(&card, "signature-altered")["result"], "skip");
        } else {
            // 6 fixed + 11 robustness + 8 auth + batch-1000 + 5 repeats: 31; 9 left for the
            // generated cases and their metamorphic requests.
            assert_eq!(probe(&card, "repeat")["result"], "pass", "{why}");
            let run_cases = card["cases"]["run"].as_u64().unwrap();
            assert!((1..=9).contains(&run_cases), "{why}");
            assert_eq!(probe(&card, "signature-altered")["result"], "pass");
        }
    }
}

/// Shrinking requests count too: a failure found with the budget almost spent is reported with
/// the smallest body found so far, saying the budget stopped the shrinking; the bound holds.
#[test]
fn a_shrink_cut_by_the_budget_keeps_what_it_found_and_says_so() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    let token = common::jwt(r#"{"sub":"u","aud":"svc","exp":4102444800}"#);
    let server = service(token.clone(), true);
    let args = [
        "--cases",
        "5",
        "--max-records",
        "20",
        "--skip",
        "metamorphic",
        "--save-failures",
        "found",
    ];
    let (code, card) = bounded(&s, &server, &token, 40, &args);
    assert_eq!(code, 1, "{card}");
    let generated = probe(&card, "generated");
    assert_eq!(generated["result"], "fail", "{card}");
    let found = &generated["found"];
    let stopped = found["shrinking_stopped"].as_str().unwrap_or_default();
    assert!(
        stopped.starts_with("partly shrunk by --max-requests 40")
            || stopped.starts_with("not shrunk by --max-requests 40"),
        "{card}"
    );
    assert!(
        s.read("found/replay.sh")
            .contains("shrunk by --max-requests 40"),
        "{}",
        s.read("found/replay.sh")
    );
    // The body saved still fails the same way.
    let saved = std::fs::read(s.path(found["saved"].as_str().unwrap())).unwrap();
    let records = serde_json::from_slice::<serde_json::Value>(&saved).unwrap()["inputs"]
        .as_array()
        .unwrap()
        .len()
        - 1;
    assert!(records >= 2, "{}", String::from_utf8_lossy(&saved));
}

/// `--budget 1s` against a service that answers after 30 s: the request in flight is cut at the
/// deadline (not left to the 60 s `--timeout`), and the probe is skipped with the reason, not
/// failed; every later probe is skipped too. No probe that sends records was answered, so the
/// run exits 1 (as without `--sample`) unless `--allow-skips`; each report format says the run
/// was stopped and after how many cases.
#[test]
fn a_budget_cuts_a_slow_answer_at_the_deadline() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    let server = Server::start(|_, request| {
        common::server::answer_each_record(request).delay(Duration::from_secs(30))
    });
    let url = server.url("/");
    let cut = |format: &str, extra: &[&str]| {
        let args = [&["--sample", "sample.json", "--budget", "1s"], extra].concat();
        check(&s, &url, &[&args[..], &["--format", format]].concat(), &[])
    };
    let json = cut("json", &[]);
    assert!(json.took < Duration::from_secs(20), "took {:?}", json.took);
    let card = json.card();
    assert_eq!(json.code, 1, "{card}");
    assert!(
        json.stderr.contains("--budget 1s"),
        "stderr does not say why: {}",
        json.stderr
    );
    assert_eq!(card["summary"]["fail"], 0, "{card}");
    let sample = probe(&card, "sample");
    assert_eq!(sample["result"], "skip", "{card}");
    assert_eq!(sample["reason"], "skipped: --budget 1s spent", "{card}");
    assert_eq!(card["stopped"], "--budget 1s");
    assert_eq!(card["cases"]["run"], 0);
    assert_eq!(card["requests"], 1, "one request left, and was cut: {card}");
    assert_eq!(probe(&card, "https")["result"], "pass", "{card}");

    let text = cut("text", &["--allow-skips"]);
    assert_eq!(text.code, 0, "{}", text.stdout);
    assert!(!text.stdout.contains("  fail  "), "{}", text.stdout);
    for (run, says) in [
        (text, "stopped by --budget 1s after 0 of 200 cases"),
        (
            cut("junit", &[]),
            r#"<property name="stopped" value="--budget 1s"/>"#,
        ),
        (
            cut("markdown", &[]),
            "stopped by --budget 1s after 0 of 200 cases",
        ),
    ] {
        assert!(run.stdout.contains(says), "{}", run.stdout);
        assert!(
            run.stdout.contains("skipped: --budget 1s spent"),
            "{}",
            run.stdout
        );
    }
}

/// The status a handler answers: 500 for a string over 1,000 characters, else 503 for a
/// `null` anywhere, else 200 — two causes of a 5xx.
fn two_causes(body: &[u8]) -> u16 {
    fn walk(v: &serde_json::Value, long: &mut bool, null: &mut bool) {
        match v {
            serde_json::Value::String(s) if s.chars().count() > 1000 => *long = true,
            serde_json::Value::Null => *null = true,
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, long, null)),
            _ => {}
        }
    }
    let body: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let (mut long, mut null) = (false, false);
    walk(&body["inputs"], &mut long, &mut null);
    match (long, null) {
        (true, _) => 500,
        (false, true) => 503,
        _ => 200,
    }
}

/// Shrinking a case that failed with HTTP 500 keeps a body that still gets 500: a candidate
/// answered 503 (another cause: a `null`) is not "failing the same way", though both are `5xx`.
#[test]
fn a_shrunk_5xx_keeps_its_status() {
    let s = Scratch::new();
    s.write("sample.json", r#"{"inputs": [["s", "n"], ["abc", 1]]}"#);
    let server = Server::start(|_, request| match two_causes(&request.body) {
        200 => common::server::answer_each_record(request),
        status => Reply::status(status).body(format!("status {status}")),
    });
    let args = [
        "--sample",
        "sample.json",
        "--format",
        "json",
        "--cases",
        "40",
        "--max-records",
        "10",
        // Its first failing case (case 2) gets 500: a long string, and nulls beside it.
        "--seed",
        "6",
        "--skip",
        "metamorphic",
        "--skip",
        "robustness",
        "--save-failures",
        "found",
    ];
    let run = check(&s, &server.url("/"), &args, &[]);
    let card = run.card();
    assert_eq!(run.code, 1, "{card}");
    let generated = probe(&card, "generated");
    assert_eq!(generated["result"], "fail", "{card}");
    assert_eq!(generated["found"]["rule"], "5xx", "{card}");
    let reason = generated["reason"].as_str().unwrap();
    assert!(
        reason.contains("500"),
        "the seed's first failure is a 500: {reason}"
    );
    let saved = std::fs::read(s.path(generated["found"]["saved"].as_str().unwrap())).unwrap();
    assert_eq!(
        two_causes(&saved),
        500,
        "the shrunk body drifted to another cause: {}",
        String::from_utf8_lossy(&saved)
    );
    let shrunk = &generated["found"]["shrunk"];
    assert_eq!(shrunk["records"], 1, "{card}");
    assert_eq!(shrunk["longest_string"], 1001, "{card}");
}

/// A CONNECT proxy on 127.0.0.1 that records each tunnel asked for and connects every one to
/// `target` (whatever host was named), copying bytes both ways.
pub(crate) fn connect_proxy(target: u16) -> (u16, Arc<Mutex<Vec<String>>>) {
    connect_proxy_on(TcpListener::bind("127.0.0.1:0").unwrap(), target)
}

/// [`connect_proxy`] listening on `listener`.
pub(crate) fn connect_proxy_on(
    listener: TcpListener,
    target: u16,
) -> (u16, Arc<Mutex<Vec<String>>>) {
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            let record = Arc::clone(&record);
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match client.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let line = String::from_utf8_lossy(&head)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                record.lock().unwrap().push(line);
                let Ok(upstream) = TcpStream::connect(("127.0.0.1", target)) else {
                    return;
                };
                let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                let (mut up_read, mut up_write) = (upstream.try_clone().unwrap(), upstream);
                let (mut down_read, mut down_write) = (client.try_clone().unwrap(), client);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut up_read, &mut down_write);
                });
                let _ = std::io::copy(&mut down_read, &mut up_write);
            });
        }
    });
    (port, seen)
}

/// Only the TLS probe runs (the rest skipped, `--allow-skips`), reported as JSON.
pub(crate) const TLS_PROBE_ONLY: [&str; 11] = [
    "--format",
    "json",
    "--allow-skips",
    "--skip",
    "conformance",
    "--skip",
    "robustness",
    "--skip",
    "metamorphic",
    "--skip",
    "auth",
];

/// An HTTPS server on 127.0.0.1 with the test certificate, answering each record.
pub(crate) fn tls_server() -> Server {
    Server::start_tls(
        &common::fixture("tls/server.pem"),
        &common::fixture("tls/server-key.pem"),
        |_, request| common::server::answer_each_record(request),
    )
}

/// The TLS probe reaches the service the way `call` does: through `HTTPS_PROXY` (a CONNECT
/// tunnel, so the TLS seen is the service's, said in the reason), past it for a `NO_PROXY` host,
/// and skipped — with the reason — for an `https://` proxy it cannot tunnel through.
/// (`example.invalid` never resolves: only the proxy can reach it.)
#[test]
fn the_tls_probe_goes_through_https_proxy() {
    let s = Scratch::new();
    let tls = tls_server();
    let (proxy_port, seen) = connect_proxy(tls.port);
    let proxy = format!("http://127.0.0.1:{proxy_port}");
    let url = "https://example.invalid:8443/xconnector";
    let args = TLS_PROBE_ONLY;
    let through = check(&s, url, &args, &[("HTTPS_PROXY", &proxy)]);
    let card = through.card();
    let https = probe(&card, "https");
    assert_eq!(https["result"], "pass", "{card}");
    let reason = https["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("TLS 1.3, certificate expires in "),
        "{reason}"
    );
    assert!(
        reason.contains(&format!("through the proxy 127.0.0.1:{proxy_port}")),
        "{reason}"
    );
    assert_eq!(
        *seen.lock().unwrap(),
        vec!["CONNECT example.invalid:8443 HTTP/1.1".to_string()]
    );

    // NO_PROXY names the host: straight to it, which does not resolve; the proxy sees nothing.
    let past = check(
        &s,
        url,
        &args,
        &[("https_proxy", &proxy), ("no_proxy", ".invalid")],
    );
    let https = probe(&past.card(), "https");
    assert_eq!(https["result"], "fail", "{}", past.stdout);
    assert!(
        https["reason"]
            .as_str()
            .unwrap()
            .contains("example.invalid"),
        "{https}"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);

    // An https:// proxy: the probe cannot tunnel through it, and says so.
    let tls_proxy = format!("https://127.0.0.1:{proxy_port}");
    let skipped = check(&s, url, &args, &[("HTTPS_PROXY", &tls_proxy)]);
    let https = probe(&skipped.card(), "https");
    assert_eq!(https["result"], "skip", "{}", skipped.stdout);
    assert!(
        https["reason"]
            .as_str()
            .unwrap()
            .starts_with(&format!("through the proxy https://127.0.0.1:{proxy_port}")),
        "{https}"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
}
