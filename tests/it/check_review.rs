//! What an adversarial review of `xconn check` found: `--max-requests` counts every HTTP request
//! the service receives (each retry, each redirect hop, the resend after a token refresh); the
//! TLS probe's proxy tunnel keeps one deadline; `malformed` is judged as every robustness probe
//! is; and the report's small print (plurals, JUnit, `--skip`, a sample without records).

use std::io::Write;
use std::net::TcpListener;
use std::time::Duration;

use crate::check_budget::{
    check, connect_proxy, connect_proxy_on, probe, probes, tls_server, SAMPLE, TLS_PROBE_ONLY,
};
use crate::common;

use common::server::{Reply, Server};
use common::Scratch;

/// `check --max-requests max --format json` with the sample against `server`: the JSON report,
/// once the server has been seen to get exactly `max` requests, as the report says.
fn bounded(
    s: &Scratch,
    server: &Server,
    max: usize,
    args: &[&str],
    env: &[(&str, &str)],
) -> serde_json::Value {
    s.write("sample.json", SAMPLE);
    let max_text = max.to_string();
    let common = ["--sample", "sample.json", "--format", "json", "--seed", "3"];
    let args = [&common[..], &["--max-requests", &max_text], args].concat();
    let env = [env, &[("XCONN_RETRY_BASE_MS", "1")]].concat();
    let card = check(s, &server.url("/"), &args, &env).card();
    assert_eq!(server.hits(), max, "the server's count, {args:?}: {card}");
    assert_eq!(
        card["requests"], max,
        "the report's count, {args:?}: {card}"
    );
    assert_eq!(card["stopped"], format!("--max-requests {max}"), "{card}");
    card
}

/// Nothing the bound cut fails: what it refused mid-way (a retry, a redirect hop) is skipped.
fn cut_probes_are_skipped(card: &serde_json::Value, max: usize) {
    let reason = format!("skipped: --max-requests {max} reached");
    for p in probes(card) {
        if p["reason"] == reason {
            assert_eq!(p["result"], "skip", "{p}");
        }
    }
    assert_eq!(probe(card, "single-record")["reason"], reason, "{card}");
}

/// Every retry counts: with `--retries 2` against a service answering 503, `--max-requests 5`
/// lets 5 requests reach it (the first probe's 3 attempts, 2 of the next one's), not 15.
#[test]
fn max_requests_counts_every_retry() {
    let s = Scratch::new();
    let server = Server::always(Reply::status(503).body("busy"));
    let card = bounded(&s, &server, 5, &["--retries", "2"], &[]);
    assert_eq!(probe(&card, "sample")["result"], "fail", "{card}");
    cut_probes_are_skipped(&card, 5);
}

/// Every redirect hop counts: a service answering 307 to its own URL gets 5 requests for
/// `--max-requests 5`, not 30; the probe cut mid-way is skipped, not failed.
#[test]
fn max_requests_counts_every_redirect_hop() {
    let s = Scratch::new();
    let server = Server::always(Reply::status(307).header("Location", "/"));
    let card = bounded(&s, &server, 5, &[], &[]);
    assert_eq!(
        probe(&card, "sample")["reason"],
        "skipped: --max-requests 5 reached",
        "{card}"
    );
    assert_eq!(card["summary"]["fail"], 0, "{card}");
    // With room for the sample's six hops, it fails on the redirects; the next one is cut.
    let server = Server::always(Reply::status(307).header("Location", "/"));
    let card = bounded(&s, &server, 8, &[], &[]);
    assert_eq!(probe(&card, "sample")["result"], "fail", "{card}");
    cut_probes_are_skipped(&card, 8);
}

/// The resend with a refreshed token after a 401 counts too.
#[test]
fn max_requests_counts_the_resend_after_a_token_refresh() {
    let s = Scratch::new();
    let token = common::jwt(r#"{"sub":"u","aud":"svc","exp":4102444800}"#);
    let provider = Server::always(Reply::json(&format!(
        r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#
    )));
    let server = Server::always(Reply::status(401).body("no"));
    let token_url = provider.url("/token");
    let args = ["--token-url", &token_url, "--client-id", "c"];
    let env = [
        ("CSPARK_CLIENT_SECRET", "review-secret"),
        ("XDG_CACHE_HOME", "cache"),
    ];
    let card = bounded(&s, &server, 5, &args, &env);
    assert!(
        provider.hits() >= 2,
        "a token, then a refresh: {}",
        provider.hits()
    );
    assert_eq!(probe(&card, "sample")["result"], "fail", "{card}");
}

/// A proxy on 127.0.0.1 that accepts, then writes `answer` one byte every `every` — never the
/// end of an answer to `CONNECT` — then holds the connection 30 s.
fn slow_proxy(answer: &'static [u8], every: Duration) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            std::thread::spawn(move || {
                for byte in answer {
                    std::thread::sleep(every);
                    if client.write_all(&[*byte]).is_err() {
                        return;
                    }
                }
                std::thread::sleep(Duration::from_secs(30));
            });
        }
    });
    port
}

/// The TLS probe has one deadline, `--timeout` (or the `--budget` deadline when sooner), for
/// connecting, the CONNECT exchange and the handshake: a silent proxy and one that trickles a
/// byte a second both fail it after `--timeout 2`, saying it timed out and naming the proxy
/// once; under `--budget 1s` the same wait is a budget skip.
#[test]
fn the_tls_probe_keeps_one_deadline_through_a_slow_proxy() {
    let s = Scratch::new();
    let url = "https://example.invalid:8443/xconnector";
    let silent = slow_proxy(b"", Duration::ZERO);
    let trickle = slow_proxy(
        b"HTTP/1.1 200 OK\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaa",
        Duration::from_secs(1),
    );
    for port in [silent, trickle] {
        let proxy = format!("http://127.0.0.1:{port}");
        let args = [&TLS_PROBE_ONLY[..], &["--timeout", "2"]].concat();
        let run = check(&s, url, &args, &[("HTTPS_PROXY", &proxy)]);
        assert!(run.took < Duration::from_secs(8), "took {:?}", run.took);
        let https = probe(&run.card(), "https");
        assert_eq!(https["result"], "fail", "{https}");
        let reason = https["reason"].as_str().unwrap();
        assert!(
            reason.starts_with(
                "timed out after 2 s (waiting for the proxy's answer to CONNECT example.invalid:8443)"
            ),
            "{reason}"
        );
        let shown = format!("127.0.0.1:{port}");
        assert_eq!(reason.matches(&shown).count(), 1, "{reason}");
        assert!(
            reason.ends_with(&format!(
                "(through the proxy {shown}, tunnelled by CONNECT)"
            )),
            "{reason}"
        );
    }
    let proxy = format!("http://127.0.0.1:{silent}");
    let args = [&TLS_PROBE_ONLY[..], &["--budget", "1s"]].concat();
    let run = check(&s, url, &args, &[("HTTPS_PROXY", &proxy)]);
    assert!(run.took < Duration::from_secs(8), "took {:?}", run.took);
    let https = probe(&run.card(), "https");
    assert_eq!(https["reason"], "skipped: --budget 1s spent", "{https}");
}

/// An IPv6 proxy, `HTTPS_PROXY=http://[::1]:P`, is connected to and tunnelled through.
#[test]
fn the_tls_probe_goes_through_an_ipv6_proxy() {
    let Ok(listener) = TcpListener::bind("[::1]:0") else {
        assert!(common::available("IPv6 loopback", false));
        return;
    };
    let s = Scratch::new();
    let tls = tls_server();
    let (port, seen) = connect_proxy_on(listener, tls.port);
    let proxy = format!("http://[::1]:{port}");
    let run = check(
        &s,
        "https://example.invalid:8443/x",
        &TLS_PROBE_ONLY,
        &[("HTTPS_PROXY", &proxy)],
    );
    let https = probe(&run.card(), "https");
    assert_eq!(https["result"], "pass", "{https}");
    let reason = https["reason"].as_str().unwrap();
    assert!(
        reason.ends_with(&format!(
            "(through the proxy [::1]:{port}, tunnelled by CONNECT)"
        )),
        "{reason}"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
}

/// `NO_PROXY=*` sends no IP host past the proxy — `call`'s client (hyper-util) matches `*`
/// against domain names only — so the TLS probe to `https://127.0.0.1:P/` goes through the
/// proxy as `call` does; `NO_PROXY=127.0.0.1` sends both past it.
#[test]
fn no_proxy_star_treats_an_ip_host_as_calls_client_does() {
    let s = Scratch::new();
    let tls = tls_server();
    let (port, seen) = connect_proxy(tls.port);
    let proxy = format!("http://127.0.0.1:{port}");
    let url = tls.https_url("/x");
    let request = common::fixture("request-example1-single-values.json");
    for (no_proxy, through) in [("*", 1), ("127.0.0.1", 0)] {
        let env = [("HTTPS_PROXY", proxy.as_str()), ("NO_PROXY", no_proxy)];
        let before = seen.lock().unwrap().len();
        let call = s
            .xconn()
            .args(["call", &url, request.to_str().unwrap(), "--insecure"])
            .envs(env)
            .output()
            .unwrap();
        let by_call = seen.lock().unwrap().len() - before;
        assert_eq!(
            by_call,
            through,
            "call, NO_PROXY={no_proxy}: {}",
            String::from_utf8_lossy(&call.stderr)
        );
        let https = probe(&check(&s, &url, &TLS_PROBE_ONLY, &env).card(), "https");
        let by_check = seen.lock().unwrap().len() - before - by_call;
        assert_eq!(by_check, through, "check, NO_PROXY={no_proxy}: {https}");
        assert_eq!(https["result"], "pass", "{https}");
    }
}

/// A service answering each record of every request.
fn answering() -> Server {
    Server::start(|_, request| common::server::answer_each_record(request))
}

/// A 200 with a request-level failure to everything, a body that is not JSON too.
const ENGINE_DOWN: &str = r#"{"outputs": [], "warnings": [null], "errors": [[{"error_category": "system", "error_type": "500", "additional_details": "", "source_path": "", "message": "engine down"}]], "process_time": [0]}"#;

/// `malformed` is judged as every robustness probe is: a request-level failure in a 2xx passes
/// it as it passes `empty-body`, with the same words.
#[test]
fn malformed_is_judged_as_the_robustness_probes_are() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    let server = Server::always(Reply::json(ENGINE_DOWN));
    let args = [
        "--sample",
        "sample.json",
        "--format",
        "json",
        "--skip=generated",
    ];
    let card = check(&s, &server.url("/"), &args, &[]).card();
    let (malformed, empty) = (probe(&card, "malformed"), probe(&card, "empty-body"));
    assert_eq!(malformed["result"], "pass", "{card}");
    assert_eq!(
        malformed["reason"], "HTTP 200 with a request-level failure",
        "{card}"
    );
    assert_eq!(malformed["reason"], empty["reason"], "{card}");
}

/// The summary says "1 request"; the JUnit `summary` property is one attribute value, its
/// line break written `&#10;`.
#[test]
fn the_summary_counts_in_words_and_junit_keeps_it_one_line() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    let server = answering();
    let run = |format: &str| {
        let args = [
            "--sample",
            "sample.json",
            "--max-requests",
            "1",
            "--format",
            format,
        ];
        check(&s, &server.url("/"), &args, &[]).stdout
    };
    let text = run("text");
    assert!(text.contains(" 1 request in "), "{text}");
    let junit = run("junit");
    let summary = junit
        .lines()
        .find(|l| l.contains(r#"<property name="summary""#))
        .unwrap_or_else(|| panic!("{junit}"));
    assert!(
        summary.contains("skipped&#10;stopped by --max-requests 1 after 0 of 200 cases\"/>"),
        "{junit}"
    );
    assert!(
        !junit.lines().any(|l| l.starts_with("stopped by")),
        "{junit}"
    );
}

/// `--skip` shows what it skipped, in every group alike: each probe of a skipped group, and a
/// skipped probe by name, as `skip … skipped by --skip`; the metamorphic properties, with no
/// generated case to check them on, say so.
#[test]
fn skip_shows_every_skipped_probe_in_every_group() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    let server = answering();
    let skips = "--skip=conformance --skip=robustness --skip=no-token --skip=https";
    let args = [
        &[
            "--sample",
            "sample.json",
            "--format",
            "json",
            "--allow-skips",
        ][..],
        &skips.split(' ').collect::<Vec<_>>(),
    ]
    .concat();
    let card = check(&s, &server.url("/"), &args, &[]).card();
    // Every probe of the two groups (the ten of conformance, `latency` too; the twelve of
    // robustness), and the two named.
    let by_skip =
        |p: &serde_json::Value| p["result"] == "skip" && p["reason"] == "skipped by --skip";
    for (group, count) in [("conformance", 10), ("robustness", 12)] {
        let of: Vec<_> = probes(&card)
            .into_iter()
            .filter(|p| p["group"] == group)
            .collect();
        assert_eq!(of.len(), count, "{group}: {card}");
        assert!(of.iter().all(by_skip), "{group}: {card}");
    }
    for name in ["latency", "wrong-kind", "no-token", "https"] {
        assert!(by_skip(&probe(&card, name)), "{name}: {card}");
    }
    let determinism = probe(&card, "determinism");
    assert_eq!(determinism["result"], "skip", "{card}");
    assert!(
        determinism["reason"]
            .as_str()
            .unwrap()
            .contains("`generated` skipped by --skip"),
        "{card}"
    );
}

/// `wrong-kind` with every column `any` is reported skipped, saying why; a sample of a header and
/// no records skips the fixed probes saying that, not "no --sample".
#[test]
fn skips_say_what_the_sample_and_columns_lack() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    s.write("columns.json", r#"{"n": "any", "s": "any"}"#);
    s.write("header.json", r#"{"inputs": [["n", "s"]]}"#);
    let server = answering();
    let quick = [
        "--format",
        "json",
        "--allow-skips",
        "--cases",
        "2",
        "--skip",
        "metamorphic",
    ];
    let args = [
        &quick[..],
        &["--sample", "sample.json", "--columns", "columns.json"],
    ]
    .concat();
    let card = check(&s, &server.url("/"), &args, &[]).card();
    let wrong_kind = probe(&card, "wrong-kind");
    assert_eq!(wrong_kind["result"], "skip", "{card}");
    assert_eq!(
        wrong_kind["reason"], "no column with a kind to break: every column is `any`",
        "{card}"
    );
    let args = [&quick[..], &["--sample", "header.json"]].concat();
    let run = check(&s, &server.url("/"), &args, &[]);
    let card = run.card();
    for name in ["sample", "single-record", "batch-1000"] {
        let p = probe(&card, name);
        assert_eq!(p["result"], "skip", "{card}");
        assert!(
            p["reason"]
                .as_str()
                .unwrap()
                .starts_with("the sample has no records"),
            "{p}"
        );
    }
}
