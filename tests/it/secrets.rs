//! Masking at the sink: once the token is loaded, it appears in no output — standard output,
//! standard error, `-o` files, scorecards — whatever path carries it there. The servers here echo
//! the token back in every place a server can: the status line's reason, response headers (seen
//! under `-v`), JSON keys and values (quoted by validator messages, printed by `--format table`
//! and `json`), an HTML page (quoted by "is not JSON … it starts:"), a gzip body, error bodies,
//! and batch failures copied into the merged `-o` file; `check` reads the same answers in every
//! scorecard format; `serve` logs paths that carry its own token.

use std::io::Write;

use crate::common;
use common::server::{Recorded, Reply, Server};
use common::Scratch;

const TOKEN: &str = "tok-ECHO-8f7e6d5c4b3a2918";

const BODY: &str = r#"{"inputs": [["a"], [1], [2]]}"#;

/// Everything `xconn ARGS` printed, and the `-o` file when there is one.
struct Seen {
    code: i32,
    text: String,
}

fn run(s: &Scratch, args: &[&str], env: &[(&str, &str)]) -> Seen {
    let mut cmd = s.xconn();
    cmd.args(args).env("XCONN_RETRY_BASE_MS", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    for file in ["out.json", "card.txt"] {
        if let Ok(content) = std::fs::read_to_string(s.path(file)) {
            text.push_str(&content);
            std::fs::remove_file(s.path(file)).unwrap();
        }
    }
    Seen {
        code: out.status.code().unwrap_or(-1),
        text,
    }
}

fn assert_masked(what: &str, seen: &Seen) {
    assert!(
        !seen.text.contains(TOKEN) && !seen.text.contains(&TOKEN[4..20]),
        "{what}: the token leaked (exit {}):\n{}",
        seen.code,
        seen.text
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Answers that each echo the token somewhere.
fn echoes() -> Vec<(&'static str, Reply)> {
    let json_key = format!(
        r#"{{"outputs": [["y"], [1], [2]], "warnings": [null, null], "errors": [null, null], "process_time": [1, 1], "{TOKEN}": 1}}"#
    );
    let json_value = format!(
        r#"{{"outputs": [["y"], ["{TOKEN}"], ["Bearer {TOKEN}"]], "warnings": [null, [{{"source_path": "y", "message": "{TOKEN}"}}]], "errors": [null, null], "process_time": [1, 1]}}"#
    );
    let duplicate_column = format!(
        r#"{{"outputs": [["{TOKEN}", "{TOKEN}"], [1, 2], [3, 4]], "warnings": [null, null], "errors": [null, null], "process_time": [1, 1]}}"#
    );
    let record_error = format!(
        r#"{{"outputs": [["y"], [1], [2]], "warnings": [null, null], "errors": [null, [{{"error_category": "auth", "error_type": "401", "additional_details": "token {TOKEN}", "source_path": "y", "message": "bad {TOKEN}"}}]], "process_time": [1, 1]}}"#
    );
    let html = format!("<html><body>your token is {TOKEN}</body></html>");
    vec![
        ("a JSON key", Reply::json(&json_key)),
        ("JSON values", Reply::json(&json_value)),
        ("a duplicate column name", Reply::json(&duplicate_column)),
        ("a record error", Reply::json(&record_error)),
        (
            "an HTML 200",
            Reply::status(200)
                .header("Content-Type", "text/html")
                .body(html.clone()),
        ),
        (
            "an HTML 500",
            Reply::status(500)
                .header("Content-Type", "text/html")
                .body(html.clone()),
        ),
        (
            "a gzip body",
            Reply::status(200)
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
                .body(gzip(json_value.as_bytes())),
        ),
        (
            "the status reason and a header",
            Reply::json(&json_key)
                .reason(&format!("OK {TOKEN}"))
                .header("X-Echo", &format!("Bearer {TOKEN}")),
        ),
        (
            "a 503 reason",
            Reply::status(503)
                .reason(&format!("busy {TOKEN}"))
                .header("X-Echo", TOKEN)
                .body(format!("retry later, {TOKEN}")),
        ),
    ]
}

#[test]
fn call_never_prints_an_echoed_token_in_any_format_or_file() {
    let s = Scratch::new();
    s.write("body.json", BODY);
    for (what, reply) in echoes() {
        let server = Server::always(reply);
        let url = server.url("/");
        for args in [
            &["--format", "table"][..],
            &["--format", "json"],
            &["--format", "raw"],
            &["--format", "markdown"],
            &["-v", "--format", "json"],
            &["-o", "out.json"],
            &["--retries", "0", "-v"],
        ] {
            let mut all = vec!["call", url.as_str(), "body.json"];
            all.extend_from_slice(args);
            let seen = run(&s, &all, &[("XCONN_TOKEN", TOKEN)]);
            assert_masked(&format!("{what}, call {args:?}"), &seen);
        }
    }
}

/// The mask shows where the token was: the content is still there, with `***` in its place.
#[test]
fn the_mask_stands_where_the_token_was() {
    let s = Scratch::new();
    s.write("body.json", BODY);
    let (_, reply) = echoes().remove(1);
    let server = Server::always(reply);
    let seen = run(
        &s,
        &["call", &server.url("/"), "body.json", "--format", "json"],
        &[("XCONN_TOKEN", TOKEN)],
    );
    assert_masked("json values", &seen);
    assert!(seen.text.contains("\"Bearer ***\""), "{}", seen.text);
}

/// Batches: a failing batch's answer quoting the token is copied into each of its records'
/// error entries in the merged `-o` file; the batch lines on stderr quote it too.
#[test]
fn batch_failures_in_the_merged_file_are_masked() {
    let s = Scratch::new();
    let rows: Vec<String> = (1..=6).map(|i| format!("[{i}]")).collect();
    s.write(
        "many.json",
        format!(r#"{{"inputs": [["a"], {}]}}"#, rows.join(", ")),
    );
    let server = Server::start(|hit: usize, request: &Recorded| {
        if hit % 2 == 0 {
            Reply::status(500)
                .header("Content-Type", "text/plain")
                .body(format!("engine down for {TOKEN}"))
        } else {
            common::server::answer_each_record(request)
        }
    });
    let seen = run(
        &s,
        &[
            "call",
            &server.url("/"),
            "many.json",
            "--batch-size",
            "2",
            "--concurrency",
            "1",
            "--retries",
            "0",
            "-o",
            "out.json",
            "--summary",
            "json",
        ],
        &[("XCONN_TOKEN", TOKEN)],
    );
    assert_masked("batches", &seen);
    assert!(seen.text.contains("engine down for ***"), "{}", seen.text);
}

/// `--dry-run` with the token in a header of another name, and in a sensitive one given on the
/// command line.
#[test]
fn dry_run_masks_the_token_in_any_header() {
    let s = Scratch::new();
    s.write("body.json", BODY);
    let session = format!("X-Session: {TOKEN}");
    for args in [
        &["--dry-run", "-H", session.as_str()][..],
        &["--dry-run", "--curl", "-H", session.as_str()],
        &["--dry-run", "-v", "-H", session.as_str()],
    ] {
        let mut all = vec!["call", "http://127.0.0.1:9/", "body.json"];
        all.extend_from_slice(args);
        let seen = run(&s, &all, &[("XCONN_TOKEN", TOKEN)]);
        assert_masked(&format!("{args:?}"), &seen);
    }
    // A secret given in a sensitive header is masked even with no token variable.
    let basic = "Authorization: Basic dXNlcjpzM2NyM3QtcGFzcw==";
    let seen = run(
        &s,
        &[
            "call",
            "http://127.0.0.1:9/",
            "body.json",
            "--dry-run",
            "-v",
            "-H",
            basic,
        ],
        &[],
    );
    assert!(
        !seen.text.contains("dXNlcjpzM2NyM3QtcGFzcw=="),
        "{}",
        seen.text
    );
}

/// `check` reads the same echoing answers: no scorecard format carries the token.
#[test]
fn check_scorecards_never_carry_an_echoed_token() {
    let s = Scratch::new();
    s.write("sample.json", BODY);
    for (what, reply) in echoes() {
        let server = Server::always(reply);
        for format in ["text", "json", "junit", "markdown"] {
            let seen = run(
                &s,
                &[
                    "check",
                    &server.url("/"),
                    "--sample",
                    "sample.json",
                    "--format",
                    format,
                    "-o",
                    "card.txt",
                ],
                &[("XCONN_TOKEN", TOKEN)],
            );
            assert_masked(&format!("{what}, check --format {format}"), &seen);
        }
    }
}

/// `serve` masks its own token in its log: a path that carries it, a wrong token that contains it.
#[test]
fn serve_never_logs_its_token() {
    let s = Scratch::new();
    let serve = common::serve::Serve::start(
        &s,
        &["--echo", "--token-env", "SERVE_TOKEN"],
        &[("SERVE_TOKEN", TOKEN)],
    );
    let bearer = format!("Bearer {TOKEN}");
    common::serve::post(
        &format!("{}/{TOKEN}/run", serve.url.trim_end_matches('/')),
        BODY,
        &[("authorization", &bearer)],
    );
    let wrong = format!("Bearer {TOKEN}x");
    common::serve::post(&serve.url, BODY, &[("authorization", &wrong)]);
    let log = serve.log_of_requests(2);
    assert!(!log.contains(TOKEN), "{log}");
    assert!(log.contains("/***/run"), "{log}");
}
