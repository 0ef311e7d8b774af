//! What an adversarial review of `xconn check` found: `--max-requests` counts every HTTP request
//! the service receives (each retry, each redirect hop, the resend after a token refresh); the
//! TLS probe's proxy tunnel keeps one deadline; `malformed` is judged as every robustness probe
//! is; and the report's small print (plurals, JUnit, `--skip`, a sample without records).

use crate::check_budget::{check, probe, probes, SAMPLE};
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
