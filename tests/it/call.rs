//! `xconn call` against real HTTP servers on 127.0.0.1 port 0: the token from each source and
//! never in any output, headers, retries (503, 429 + Retry-After), timeouts, refused connections,
//! error statuses, cut-short and oversized answers, and redirects within and across origins.

use crate::common;

use std::time::{Duration, Instant};

use common::server::{closed_port, Reply, Server};
use common::{jwt, unix_now, Scratch};

const TOKEN: &str = "s3cr3t-t0ken-value";
const BODY: &str = r#"{"inputs":[["a","b"],[1,2]]}"#;
const ANSWER: &str =
    r#"{"outputs":[["y"],[3]],"warnings":[null],"errors":[null],"process_time":[1]}"#;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Run {
    /// Neither output holds `secret`.
    fn assert_hides(&self, secret: &str) {
        assert!(
            !self.stdout.contains(secret) && !self.stderr.contains(secret),
            "secret leaked:\nstdout: {}\nstderr: {}",
            self.stdout,
            self.stderr
        );
    }
}

/// A scratch dir with the request body as `body.json`.
fn scratch() -> Scratch {
    let s = Scratch::new();
    s.write("body.json", BODY);
    s
}

/// `xconn call ARGS…` with fast backoff and the given environment.
fn call(s: &Scratch, args: &[&str], env: &[(&str, &str)]) -> Run {
    call_stdin(s, args, env, "")
}

fn call_stdin(s: &Scratch, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Run {
    let mut cmd = s.xconn();
    cmd.arg("call").args(args).env("XCONN_RETRY_BASE_MS", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.write_stdin(stdin);
    let start = Instant::now();
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    }
}

fn ok_server() -> Server {
    Server::always(Reply::json(ANSWER))
}

#[test]
fn sends_the_body_with_xconns_headers_and_prints_the_answer() {
    let s = scratch();
    let server = ok_server();
    let run = call(
        &s,
        &[&server.url("/svc"), "body.json", "-H", "X-Tenant: acme"],
        &[("XCONN_TOKEN", TOKEN)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, ANSWER);
    assert_eq!(run.stderr, "");
    let req = &server.requests()[0];
    assert_eq!((req.method.as_str(), req.path.as_str()), ("POST", "/svc"));
    assert_eq!(req.body, BODY.as_bytes());
    assert_eq!(
        req.header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert!(req.header("user-agent").unwrap().starts_with("xconn/"));
    assert!(req.header("accept-encoding").unwrap().contains("gzip"));
    assert_eq!(req.header("x-tenant"), Some("acme"));
    let id = req.header("x-request-id").unwrap();
    assert_eq!((id.len(), &id[14..15]), (36, "4"), "{id}");
}

#[test]
fn method_stdin_body_json_format_and_output_file() {
    let s = scratch();
    let server = ok_server();
    let url = server.url("/");
    let run = call_stdin(
        &s,
        &[
            &url,
            "-",
            "-X",
            "put",
            "--format",
            "json",
            "-o",
            "answer.json",
        ],
        &[],
        BODY,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(s.read("answer.json").starts_with("{\n  \"outputs\": ["));
    let req = &server.requests()[0];
    assert_eq!(
        (req.method.as_str(), req.body.as_slice()),
        ("PUT", BODY.as_bytes())
    );
}

/// Flags, environment, standard input, and the Authorization header expected.
type TokenCase<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str, &'a str);

#[test]
fn the_token_comes_from_each_source_in_order() {
    let s = scratch();
    s.write("token.txt", format!("  Bearer {TOKEN}-file\n"));
    let server = ok_server();
    let url = server.url("/");
    let cases: [TokenCase; 6] = [
        (
            &[],
            &[("XCONN_TOKEN", "x-tok"), ("CSPARK_BEARER_TOKEN", "c-tok")],
            "",
            "Bearer x-tok",
        ),
        (
            &[],
            &[("CSPARK_BEARER_TOKEN", "Bearer c-tok ")],
            "",
            "Bearer c-tok",
        ),
        (
            &[],
            &[("XCONN_TOKEN", ""), ("CSPARK_BEARER_TOKEN", "c-tok")],
            "",
            "Bearer c-tok",
        ),
        (
            &["--token-env", "MY_TOK"],
            &[("MY_TOK", "m-tok"), ("XCONN_TOKEN", "x")],
            "",
            "Bearer m-tok",
        ),
        (
            &["--token-file", "token.txt"],
            &[("XCONN_TOKEN", "x")],
            "",
            "Bearer s3cr3t-t0ken-value-file",
        ),
        (
            &["--token-file", "-"],
            &[],
            "bearer stdin-tok\n",
            "Bearer stdin-tok",
        ),
    ];
    for (i, (flags, env, stdin, expected)) in cases.iter().enumerate() {
        let mut args = vec![url.as_str(), "body.json"];
        args.extend_from_slice(flags);
        let run = call_stdin(&s, &args, env, stdin);
        assert_eq!(run.code, 0, "case {i}: {}", run.stderr);
        assert_eq!(
            server.requests()[i].header("authorization"),
            Some(*expected),
            "case {i}"
        );
    }
}

#[test]
fn no_token_sends_no_authorization_and_says_so_once() {
    let s = scratch();
    let server = Server::start(|hit, _| {
        if hit == 0 {
            Reply::status(503)
        } else {
            Reply::json(ANSWER)
        }
    });
    let run = call(&s, &[&server.url("/"), "body.json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr.matches("no token").count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("without Authorization"));
    assert!(server
        .requests()
        .iter()
        .all(|r| r.header("authorization").is_none()));
}

#[test]
fn bad_token_sources_are_usage_errors_and_send_nothing() {
    let s = scratch();
    let server = ok_server();
    let run = call(
        &s,
        &[&server.url("/"), "body.json", "--token-env", "UNSET_VAR"],
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("UNSET_VAR is not set"),
        "{}",
        run.stderr
    );
    let run = call(&s, &[&server.url("/"), "-", "--token-file", "-"], &[]);
    assert_eq!(run.code, 2);
    let run = call(
        &s,
        &[
            &server.url("/"),
            "body.json",
            "--token-env",
            "A",
            "--token-file",
            "f",
        ],
        &[],
    );
    assert_eq!(run.code, 2);
    assert_eq!(server.hits(), 0);
}

#[test]
fn the_token_never_appears_in_verbose_dry_run_curl_or_errors() {
    let s = scratch();
    let jwt_token = jwt(&format!(r#"{{"sub":"u","exp":{}}}"#, unix_now() + 3600));
    // A server that echoes the Authorization header back in a header and in its error body.
    let echo = Server::start(|hit, req| {
        let auth = req.header("authorization").unwrap_or("").to_string();
        let denied = hit % 2 == 0;
        let reply = if denied {
            Reply::status(401)
        } else {
            Reply::json(ANSWER)
        };
        reply
            .header("X-Echo", &auth)
            .header("Set-Cookie", "session=abc")
            .body(if denied {
                format!("denied: {auth}")
            } else {
                ANSWER.to_string()
            })
    });
    for token in [TOKEN, jwt_token.as_str()] {
        let env = [("XCONN_TOKEN", token)];
        let url = echo.url("/");
        let api = ["-H", &format!("X-Api-Key: {token}")];
        let runs = [
            call(&s, &[&url, "body.json", "--dry-run", api[0], api[1]], &env),
            call(&s, &[&url, "body.json", "--curl", api[0], api[1]], &env),
            call(&s, &[&url, "body.json", "-v"], &env),
            call(&s, &[&url, "body.json", "-v"], &env),
            call(
                &s,
                &[
                    &format!("http://127.0.0.1:{}/", closed_port()),
                    "body.json",
                    "-v",
                ],
                &env,
            ),
        ];
        for run in &runs {
            run.assert_hides(token);
        }
        let [dry, curl, denied, verbose, refused] = runs;
        assert_eq!(dry.code, 0);
        assert!(
            dry.stdout.contains("Authorization: Bearer ***\n"),
            "{}",
            dry.stdout
        );
        assert!(dry.stdout.contains("X-Api-Key: ***\n"));
        assert!(
            dry.stdout.ends_with(&format!("\n\n{BODY}\n")),
            "{}",
            dry.stdout
        );
        assert!(
            curl.stdout
                .contains(r#"-H @<(printf 'Authorization: Bearer %s\n' "$XCONN_TOKEN")"#),
            "{}",
            curl.stdout
        );
        assert!(curl.stdout.contains("--data-binary @body.json"));
        assert_eq!(denied.code, 4, "{}", denied.stderr);
        assert!(
            denied.stderr.contains("HTTP 401 Unauthorized"),
            "{}",
            denied.stderr
        );
        assert!(
            denied.stderr.contains("denied: Bearer ***"),
            "{}",
            denied.stderr
        );
        assert_eq!(verbose.code, 0, "{}", verbose.stderr);
        assert!(
            verbose.stderr.contains("> Authorization: Bearer ***"),
            "{}",
            verbose.stderr
        );
        assert!(
            verbose.stderr.contains("< x-echo: Bearer ***"),
            "{}",
            verbose.stderr
        );
        assert!(
            verbose.stderr.contains("< set-cookie: ***"),
            "{}",
            verbose.stderr
        );
        assert_eq!(refused.code, 3);
    }
    assert_eq!(echo.hits(), 4, "--dry-run and --curl send nothing");
}

#[test]
fn an_expired_or_expiring_jwt_is_warned_about_before_sending() {
    let s = scratch();
    let server = ok_server();
    let expired = jwt(r#"{"sub":"u","exp":1000000000}"#);
    let run = call(
        &s,
        &[&server.url("/"), "body.json"],
        &[("XCONN_TOKEN", &expired)],
    );
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("warning: the token expired"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("2001-09-09 01:46:40 UTC"));
    let soon = jwt(&format!(r#"{{"exp":{}}}"#, unix_now() + 30));
    let run = call(
        &s,
        &[&server.url("/"), "body.json", "--dry-run"],
        &[("XCONN_TOKEN", &soon)],
    );
    assert!(
        run.stderr.contains("warning: the token expires in"),
        "{}",
        run.stderr
    );
    let fine = jwt(&format!(r#"{{"exp":{}}}"#, unix_now() + 3600));
    let run = call(
        &s,
        &[&server.url("/"), "body.json"],
        &[("XCONN_TOKEN", &fine)],
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn a_503_is_retried_with_the_same_request_id() {
    let s = scratch();
    let server = Server::start(|hit, _| {
        if hit == 0 {
            Reply::status(503)
        } else {
            Reply::json(ANSWER)
        }
    });
    let run = call(&s, &[&server.url("/"), "body.json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, ANSWER);
    assert_eq!(server.hits(), 2);
    assert!(
        run.stderr
            .contains("HTTP 503 Service Unavailable; retry 1 of 2"),
        "{}",
        run.stderr
    );
    let reqs = server.requests();
    assert_eq!(
        reqs[0].header("x-request-id"),
        reqs[1].header("x-request-id")
    );
    assert_eq!(reqs[1].body, BODY.as_bytes());
}

#[test]
fn a_given_request_id_is_sent_once_and_named_in_errors() {
    let s = scratch();
    let server = Server::always(Reply::status(404));
    let run = call(
        &s,
        &[&server.url("/"), "body.json", "-H", "X-Request-Id: my-id-1"],
        &[],
    );
    assert_eq!(run.code, 4);
    let req = &server.requests()[0];
    let ids: Vec<_> = req
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("x-request-id"))
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(ids[0].1, "my-id-1");
    assert!(
        run.stderr.contains("x-request-id my-id-1)"),
        "{}",
        run.stderr
    );
}

#[test]
fn retries_run_out_then_exit_4() {
    let s = scratch();
    let server = Server::always(Reply::status(502).body("bad gateway"));
    let run = call(&s, &[&server.url("/"), "body.json", "--retries", "3"], &[]);
    assert_eq!(run.code, 4);
    assert_eq!(server.hits(), 4);
    assert!(
        run.stderr.contains("HTTP 502 Bad Gateway"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("4 attempts, x-request-id "),
        "{}",
        run.stderr
    );
}

#[test]
fn a_429_waits_for_retry_after() {
    let s = scratch();
    let server = Server::start(|hit, _| {
        if hit == 0 {
            Reply::status(429).header("Retry-After", "1")
        } else {
            Reply::json(ANSWER)
        }
    });
    let run = call(&s, &[&server.url("/"), "body.json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(server.hits(), 2);
    assert!(run.elapsed >= Duration::from_secs(1), "{:?}", run.elapsed);
    assert!(
        run.stderr.contains("in 1.00 s (Retry-After)"),
        "{}",
        run.stderr
    );
}

#[test]
fn client_errors_and_500_are_not_retried() {
    let s = scratch();
    for (status, text) in [
        (404, "HTTP 404 Not Found"),
        (400, "HTTP 400 Bad Request"),
        (500, "HTTP 500 Internal Server Error"),
    ] {
        let server = Server::always(
            Reply::status(status)
                .header("Content-Type", "text/plain")
                .body("no such\u{1b}[31m service\n"),
        );
        let run = call(&s, &[&server.url("/x"), "body.json"], &[]);
        assert_eq!(run.code, 4, "{}", run.stderr);
        assert_eq!(server.hits(), 1, "{status} must not be retried");
        assert!(run.stderr.contains(text), "{}", run.stderr);
        assert!(run.stderr.contains("content-type text/plain"));
        assert!(
            run.stderr.contains(r"body: no such\u{1b}[31m service\n"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("x-request-id "));
    }
}

#[test]
fn a_timeout_exits_3_without_retrying() {
    let s = scratch();
    // The server would answer after 30 s: giving up well before that is the timeout's doing,
    // however loaded the machine (the server's thread is left asleep; it lives with the test).
    let server = Server::always(Reply::json(ANSWER).delay(Duration::from_secs(30)));
    let run = call(
        &s,
        &[&server.url("/"), "body.json", "--timeout", "300ms"],
        &[],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.elapsed < Duration::from_secs(20), "{:?}", run.elapsed);
    assert!(
        run.stderr
            .contains("no complete answer within 0.300 s (--timeout)"),
        "{}",
        run.stderr
    );
    assert_eq!(server.hits(), 1);
}

#[test]
fn a_refused_connection_is_retried_then_exits_3() {
    let s = scratch();
    let url = format!("http://127.0.0.1:{}/", closed_port());
    let run = call(&s, &[&url, "body.json"], &[]);
    assert_eq!(run.code, 3);
    assert_eq!(run.stderr.matches("; retry ").count(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("cannot connect"), "{}", run.stderr);
    assert!(
        run.stderr.contains("3 attempts, x-request-id"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_cut_short_answer_exits_3_with_its_status_and_start() {
    let s = scratch();
    let server = Server::always(Reply::json(r#"{"outputs":[["y"],"#).truncated());
    let run = call(&s, &[&server.url("/"), "body.json", "--retries", "1"], &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(server.hits(), 2);
    assert!(
        run.stderr.contains("the answer was cut short"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("HTTP 200 OK, content-type application/json"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(r#"it starts: {"outputs":[["y"],"#),
        "{}",
        run.stderr
    );
}

#[test]
fn an_answer_that_is_not_json_fails_format_json() {
    let s = scratch();
    let server = Server::always(
        Reply::status(200)
            .header("Content-Type", "text/html")
            .body("<html>oops"),
    );
    let run = call(
        &s,
        &[&server.url("/"), "body.json", "--format", "json"],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("is not JSON"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("(HTTP 200 OK, content-type text/html); it starts: <html>oops"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_oversized_answer_is_refused() {
    let s = scratch();
    let server = Server::always(Reply::json(&format!(
        r#"{{"outputs":[["y"],["{}"]],"warnings":[null],"errors":[null],"process_time":[1]}}"#,
        "a".repeat(5000)
    )));
    let run = call(
        &s,
        &[
            &server.url("/"),
            "body.json",
            "--max-response-size",
            "4K",
            "-o",
            "out.json",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("is larger than 4096 bytes (--max-response-size)"),
        "{}",
        run.stderr
    );
    assert!(!s.path("out.json").exists());
    let run = call(
        &s,
        &[&server.url("/"), "body.json", "--max-response-size", "5K"],
        &[],
    );
    assert_eq!(run.code, 0);
}

#[test]
fn a_redirect_to_another_origin_is_not_followed() {
    let s = scratch();
    let other = ok_server();
    let target = other.url("/steal");
    let server = Server::always(Reply::status(307).header("Location", &target));
    let run = call(
        &s,
        &[&server.url("/"), "body.json"],
        &[("XCONN_TOKEN", TOKEN)],
    );
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert_eq!(other.hits(), 0, "the other origin got a request");
    assert!(
        run.stderr.contains(&format!(
            "a redirect to another origin ({target}) is not followed"
        )),
        "{}",
        run.stderr
    );
    run.assert_hides(TOKEN);
}

#[test]
fn redirects_within_the_origin_are_followed_with_the_token_at_most_five() {
    let s = scratch();
    let server = Server::start(|_, req| match req.path.as_str() {
        "/final" => Reply::json(ANSWER),
        "/loop" => Reply::status(307).header("Location", "/loop"),
        _ => Reply::status(308).header("Location", "/final"),
    });
    let run = call(
        &s,
        &[&server.url("/start"), "body.json"],
        &[("XCONN_TOKEN", TOKEN)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].path, "/final");
    assert_eq!(reqs[1].method, "POST");
    assert_eq!(reqs[1].body, BODY.as_bytes());
    assert_eq!(
        reqs[1].header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    let before = server.hits();
    let run = call(
        &s,
        &[&server.url("/loop"), "body.json", "--retries", "0"],
        &[],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("more than 5 redirects"),
        "{}",
        run.stderr
    );
    assert_eq!(server.hits() - before, 6);
}

#[test]
fn bad_arguments_are_usage_errors() {
    let s = scratch();
    for args in [
        &["ftp://x/", "body.json"][..],
        &["not a url", "body.json"],
        &["http://127.0.0.1:1/", "body.json", "-H", "NoColon"],
        &["http://127.0.0.1:1/", "body.json", "--timeout", "0"],
        &[
            "http://127.0.0.1:1/",
            "body.json",
            "--max-response-size",
            "lots",
        ],
        &["http://127.0.0.1:1/", "missing.json"],
        &[
            "http://127.0.0.1:1/",
            "body.json",
            "--cacert",
            "missing.pem",
        ],
    ] {
        let run = call(&s, args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
    }
}

#[test]
fn help_lists_the_exit_codes() {
    let run = call(&scratch(), &["--help"], &[]);
    assert_eq!(run.code, 0);
    for line in [
        "Exit codes:",
        "3  network, TLS or timeout failure",
        "5  the response is valid",
    ] {
        assert!(run.stdout.contains(line), "{line:?} not in --help");
    }
}

// ---- the body model: validation before sending, conversion on the fly, answers checked ----

/// An echo service: `outputs` = the request's records with column `y` = column `a`; a record whose
/// `a` is in `slow` makes the answer wait `delay`; one whose `a` is in `fail` gets HTTP 500.
fn echo_server(slow: &'static [i64], delay: Duration, fail: &'static [i64]) -> Server {
    Server::start(move |_, request| {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let rows = body["inputs"].as_array().unwrap();
        let values: Vec<i64> = rows[1..].iter().map(|r| r[0].as_i64().unwrap()).collect();
        if values.iter().any(|v| fail.contains(v)) {
            return Reply::status(500).body("boom");
        }
        let outputs: Vec<String> = values.iter().map(|v| format!("[{v}]")).collect();
        let nulls = vec!["null"; values.len()].join(",");
        let times = vec!["1"; values.len()].join(",");
        let reply = Reply::json(&format!(
            r#"{{"outputs":[["y"],{}],"warnings":[{nulls}],"errors":[{nulls}],"process_time":[{times}]}}"#,
            outputs.join(",")
        ));
        if values.iter().any(|v| slow.contains(v)) {
            reply.delay(delay)
        } else {
            reply
        }
    })
}

#[test]
fn an_invalid_request_is_refused_with_the_diagnostics_and_not_sent() {
    let s = Scratch::new();
    s.write("bad.json", r#"{"inputs":[["a","b"],[1]]}"#);
    let server = ok_server();
    let run = call(&s, &[&server.url("/"), "bad.json"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[XC107]"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was sent"), "{}", run.stderr);
    assert_eq!(server.hits(), 0);
    // --no-validate sends it anyway, and says so.
    let run = call(&s, &[&server.url("/"), "bad.json", "--no-validate"], &[]);
    assert_eq!(server.hits(), 1);
    assert!(run.stderr.contains("--no-validate"), "{}", run.stderr);
}

#[test]
fn csv_and_objects_are_converted_on_the_fly() {
    let s = Scratch::new();
    s.write("people.csv", "a,name\n1,Ann\n2,\"Bo, Jr\"\n");
    s.write(
        "people.json",
        r#"[{"a": 1, "name": "Ann"}, {"a": 2, "name": "Bo, Jr"}]"#,
    );
    let server = echo_server(&[], Duration::ZERO, &[]);
    for file in ["people.csv", "people.json"] {
        let run = call(&s, &[&server.url("/"), file], &[]);
        assert_eq!(run.code, 0, "{file}: {}", run.stderr);
    }
    let run = call_stdin(&s, &[&server.url("/"), "-", "--from", "csv"], &[], "a\n7\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sent: Vec<serde_json::Value> = server
        .requests()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let expected: serde_json::Value =
        serde_json::from_str(r#"{"inputs":[["a","name"],[1,"Ann"],[2,"Bo, Jr"]]}"#).unwrap();
    assert_eq!(sent[0], expected);
    assert_eq!(sent[1], expected);
    assert_eq!(sent[2]["inputs"], serde_json::json!([["a"], [7]]));
    // A conversion error names standard input, not a temp file.
    let run = call_stdin(&s, &[&server.url("/"), "-"], &[], "[{\"a\": {\"b\": 1}}]");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("<stdin>"), "{}", run.stderr);
    assert!(!run.stderr.contains("/tmp"), "{}", run.stderr);
}

#[test]
fn the_answer_is_checked_against_the_request() {
    let s = scratch();
    // BODY has one record; an answer with two breaks XC130 and exits 1.
    let two = r#"{"outputs":[["y"],[1],[2]],"warnings":[null,null],"errors":[null,null],"process_time":[1,1]}"#;
    let server = Server::always(Reply::json(two));
    let run = call(&s, &[&server.url("/"), "body.json"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[XC130]"), "{}", run.stderr);
    assert_eq!(run.stdout, two, "the answer is still printed");
    // A valid answer whose record carries an error exits 5.
    let errored = r#"{"outputs":[["y"],[1]],"warnings":[null],"errors":[[{"error_category":"validation_error","error_type":"422","additional_details":"d","source_path":"a","message":"bad a"}]],"process_time":[1]}"#;
    let server = Server::always(Reply::json(errored));
    let run = call(&s, &[&server.url("/"), "body.json"], &[]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(run.stderr.contains("errors for 1 record"), "{}", run.stderr);
}

#[test]
fn on_a_terminal_the_answer_is_drawn_as_tables() {
    let s = scratch();
    let server = ok_server();
    let run = call(
        &s,
        &[&server.url("/"), "body.json"],
        &[("XCONN_FORCE_TTY", "1"), ("COLUMNS", "100")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("response: 1 record, ok"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("\"outputs\""), "{}", run.stdout);
    let run = call(
        &s,
        &[&server.url("/"), "body.json", "--format", "markdown"],
        &[],
    );
    assert!(run.stdout.contains("| # |"), "{}", run.stdout);
}

fn batch_body(records: i64) -> String {
    let rows: Vec<String> = (1..=records).map(|i| format!("[{i},\"r{i}\"]")).collect();
    format!(r#"{{"inputs":[["a","b"],{}]}}"#, rows.join(","))
}

#[test]
fn batches_are_merged_in_input_order_even_when_they_finish_out_of_order() {
    let s = Scratch::new();
    s.write("many.json", batch_body(7));
    // The first batch answers last.
    let server = echo_server(&[1], Duration::from_millis(400), &[]);
    let run = call(
        &s,
        &[
            &server.url("/"),
            "many.json",
            "--batch-size",
            "2",
            "--concurrency",
            "4",
            "--summary",
            "json",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(server.hits(), 4);
    // Each batch carries the header and its records, written from the original bytes.
    let mut bodies: Vec<String> = server
        .requests()
        .iter()
        .map(|r| String::from_utf8(r.body.clone()).unwrap())
        .collect();
    bodies.sort();
    assert!(bodies.contains(&r#"{"inputs":[["a","b"],[7,"r7"]]}"#.to_string()));
    assert!(bodies.contains(&r#"{"inputs":[["a","b"],[1,"r1"],[2,"r2"]]}"#.to_string()));
    let merged: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        merged["outputs"],
        serde_json::json!([["y"], [1], [2], [3], [4], [5], [6], [7]])
    );
    assert_eq!(merged["process_time"].as_array().unwrap().len(), 7);
    let summary: serde_json::Value =
        serde_json::from_str(run.stderr.lines().last().unwrap()).unwrap();
    assert_eq!(summary["requests"], 4);
    assert_eq!(summary["records"], 7);
    assert_eq!(summary["failures"], 0);
    assert!(
        summary["latency_ms"]["p99"].as_f64().unwrap() >= 300.0,
        "{summary}"
    );
}

#[test]
fn a_batch_that_fails_for_good_keeps_its_records_as_errors() {
    let s = Scratch::new();
    s.write("many.json", batch_body(5));
    let server = echo_server(&[], Duration::ZERO, &[3]);
    let run = call(
        &s,
        &[
            &server.url("/"),
            "many.json",
            "--batch-size",
            "2",
            "--retries",
            "0",
            "-o",
            "merged.json",
        ],
        &[],
    );
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(run.stderr.contains("batch 2"), "{}", run.stderr);
    // The merged response is valid against the request, and no record disappeared.
    s.xconn()
        .args(["validate", "--against", "many.json", "merged.json"])
        .assert()
        .code(0);
    let merged: serde_json::Value = serde_json::from_str(&s.read("merged.json")).unwrap();
    let outputs = merged["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 6);
    assert_eq!(outputs[3], serde_json::json!([null]));
    let errors = merged["errors"].as_array().unwrap();
    assert!(errors[0].is_null() && errors[4].is_null());
    for i in [2, 3] {
        let entry = &errors[i][0];
        assert_eq!(entry["error_type"], "500");
        assert_eq!(entry["source_path"], format!("/inputs/{}", i + 1));
    }
}

#[test]
fn a_gzip_answer_is_decompressed_and_checked() {
    use std::io::Write as _;
    let s = scratch();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(ANSWER.as_bytes()).unwrap();
    let server = Server::always(
        Reply::status(200)
            .header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip")
            .body(gz.finish().unwrap()),
    );
    let run = call(&s, &[&server.url("/"), "body.json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, ANSWER);
    assert!(server.requests()[0]
        .header("accept-encoding")
        .unwrap()
        .contains("gzip"));
}

/// An HTTPS server with the test certificate (fixtures/tls/: a throwaway CA and a certificate
/// it signed for 127.0.0.1).
fn tls_server() -> Server {
    Server::start_tls(
        &common::fixture("tls/server.pem"),
        &common::fixture("tls/server-key.pem"),
        |_, _| Reply::json(ANSWER),
    )
}

#[test]
fn https_is_trusted_through_cacert_and_an_unknown_issuer_is_refused() {
    let s = scratch();
    let server = tls_server();
    let url = server.https_url("/");
    let ca = common::fixture("tls/ca.pem");
    let token = [("XCONN_TOKEN", TOKEN)];

    // The system's roots do not know the test CA: a TLS failure, exit 3, nothing sent.
    let run = call(&s, &[&url, "body.json"], &token);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("xconn: error:") && run.stderr.contains("certificate"),
        "{}",
        run.stderr
    );
    run.assert_hides(TOKEN);
    assert_eq!(server.hits(), 0);

    // Another file that holds no CA (the server's own certificate) trusts nothing either.
    let leaf = common::fixture("tls/server.pem");
    let run = call(
        &s,
        &[&url, "body.json", "--cacert", leaf.to_str().unwrap()],
        &token,
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(server.hits(), 0);

    // --cacert with the CA: the request goes, with the token, over TLS.
    let run = call(
        &s,
        &[&url, "body.json", "--cacert", ca.to_str().unwrap()],
        &token,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\"outputs\""), "{}", run.stdout);
    assert!(!run.stderr.contains("WARNING"), "{}", run.stderr);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(requests[0].body, BODY.as_bytes());
}

#[test]
fn insecure_skips_the_certificate_check_with_a_loud_warning() {
    let s = scratch();
    let server = tls_server();
    let url = server.https_url("/");
    let run = call(
        &s,
        &[&url, "body.json", "--insecure"],
        &[("XCONN_TOKEN", TOKEN)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\"outputs\""), "{}", run.stdout);
    assert!(
        run.stderr.contains("WARNING: --insecure"),
        "the warning is missing: {}",
        run.stderr
    );
    run.assert_hides(TOKEN);
    assert_eq!(server.hits(), 1);
}

#[test]
fn a_cacert_that_is_missing_or_not_pem_is_an_input_error_and_nothing_is_sent() {
    let s = scratch();
    let server = tls_server();
    let url = server.https_url("/");
    s.write("not-a-cert.pem", "this is not a certificate\n");
    for (cacert, says) in [
        ("not-a-cert.pem", "no PEM certificate"),
        ("missing.pem", "cannot read"),
    ] {
        let run = call(&s, &[&url, "body.json", "--cacert", cacert], &[]);
        assert_eq!(run.code, 2, "{cacert}: {}", run.stderr);
        assert!(
            run.stderr.contains("--cacert") && run.stderr.contains(says),
            "{cacert}: {}",
            run.stderr
        );
    }
    assert_eq!(server.hits(), 0);
}

/// A byte-order mark before an answer is ignored, as before a file (RFC 8259 lets a reader do
/// so): `call` accepts the answer, alone or in batches, as `validate` accepts the file.
#[test]
fn a_byte_order_mark_before_the_answer_is_ignored() {
    let s = scratch();
    let answer = format!("\u{feff}{ANSWER}");
    let server = Server::always(Reply::json(&answer));
    let run = call(&s, &[&server.url("/"), "body.json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim_end(), ANSWER);
    s.write("three.json", r#"{"inputs":[["a","b"],[1,2],[3,4],[5,6]]}"#);
    let server = Server::always(Reply::json(&answer));
    let run = call(
        &s,
        &[&server.url("/"), "three.json", "--batch-size", "1"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(r#"{"outputs":[["y"],[3],[3],[3]]"#),
        "{}",
        run.stdout
    );
    // One mark only, as `validate` reads a file: a second one is not JSON, alone or in batches.
    let twice = format!("\u{feff}\u{feff}{ANSWER}");
    s.write("twice.json", &twice);
    let file = s.xconn().args(["validate", "twice.json"]).output().unwrap();
    assert_eq!(file.status.code(), Some(1), "validate takes one mark only");
    for batches in [&[][..], &["--batch-size", "1"][..]] {
        let server = Server::always(Reply::json(&twice));
        let mut args = vec![server.url("/"), "three.json".to_string()];
        args.extend(batches.iter().map(|a| a.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = call(&s, &args, &[]);
        assert_ne!(
            run.code, 0,
            "{batches:?}: two marks accepted: {}",
            run.stdout
        );
        assert!(
            !run.stdout.contains(r#"["y"]"#),
            "{batches:?}: {}",
            run.stdout
        );
    }
}

/// The progress bar (drawn only when standard error is a terminal: here a real pseudo-terminal
/// from `script(1)`) shows the requests done and never the token; the summary after it neither.
#[test]
fn the_progress_bar_on_a_terminal_never_shows_the_token() {
    let s = scratch();
    s.write("many.json", batch_body(40));
    let server = Server::start(|_, request| {
        std::thread::sleep(Duration::from_millis(30));
        common::server::answer_each_record(request)
    });
    let command = format!(
        "env -i PATH=/usr/bin:/bin HOME=/nonexistent LANG=C.UTF-8 TERM=xterm XCONN_TOKEN={TOKEN} \
         {} call {} many.json --batch-size 2 --concurrency 1 -o merged.json",
        env!("CARGO_BIN_EXE_xconn"),
        server.url("/")
    );
    let out = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .current_dir(s.dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script(1) from util-linux gives the run a terminal");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("/20 requests"),
        "no progress bar on the terminal:\n{shown}"
    );
    assert!(!shown.contains(TOKEN), "the token leaked:\n{shown}");
    assert_eq!(server.hits(), 20);
}

/// Proxies come from the environment: `HTTP_PROXY` gets the request (in absolute form) for an
/// `http` URL, `HTTPS_PROXY` a `CONNECT` for an `https` one, and `NO_PROXY` sends past them.
/// (`example.invalid` never resolves: only a proxy can reach it.)
#[test]
fn proxies_come_from_http_proxy_https_proxy_and_no_proxy() {
    let s = scratch();
    let proxy = ok_server();
    let proxy_url = proxy.url("");
    let run = call(
        &s,
        &["http://example.invalid/xconnector", "body.json"],
        &[("HTTP_PROXY", &proxy_url), ("XCONN_TOKEN", TOKEN)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "http://example.invalid/xconnector");
    assert_eq!(seen[0].body, BODY.as_bytes());

    // NO_PROXY: straight to the host, which does not resolve: exit 3, the proxy sees nothing.
    let run = call(
        &s,
        &[
            "http://example.invalid/xconnector",
            "body.json",
            "--retries",
            "0",
        ],
        &[("HTTP_PROXY", &proxy_url), ("NO_PROXY", "example.invalid")],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(proxy.hits(), 1);

    // HTTPS_PROXY: the tunnel is asked for (this proxy refuses it: exit 3), the token not shown.
    let tunnel = Server::always(Reply::status(403));
    let run = call(
        &s,
        &[
            "https://example.invalid/xconnector",
            "body.json",
            "--retries",
            "0",
        ],
        &[("HTTPS_PROXY", &tunnel.url("")), ("XCONN_TOKEN", TOKEN)],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    run.assert_hides(TOKEN);
    let seen = tunnel.requests();
    assert_eq!(seen.len(), 1, "{}", run.stderr);
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(seen[0].path, "example.invalid:443");
}

/// A listening socket whose accept queue is full (listen backlog 0, filled, never accepted):
/// a further connection attempt gets no answer, as from a host that drops SYNs. Returns the
/// port and what must stay open for as long as the test needs it.
fn unanswered_port() -> (u16, std::net::TcpListener, Vec<std::net::TcpStream>) {
    use std::os::fd::FromRawFd;
    // SAFETY: plain socket calls on a descriptor this function owns; it is handed to a
    // TcpListener, which closes it.
    let listener = unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(
            libc::bind(fd, &addr as *const _ as *const libc::sockaddr, len),
            0
        );
        assert_eq!(libc::listen(fd, 0), 0);
        std::net::TcpListener::from_raw_fd(fd)
    };
    let address = listener.local_addr().unwrap();
    let mut held = Vec::new();
    for _ in 0..8 {
        match std::net::TcpStream::connect_timeout(&address, Duration::from_millis(300)) {
            Ok(stream) => held.push(stream),
            Err(_) => return (address.port(), listener, held),
        }
    }
    panic!("the accept queue never filled");
}

#[test]
fn a_connection_that_is_never_answered_gives_up_after_connect_timeout() {
    let s = scratch();
    let (port, _listener, _held) = unanswered_port();
    let url = format!("http://127.0.0.1:{port}/");
    let run = call(
        &s,
        &[
            &url,
            "body.json",
            "--connect-timeout",
            "1",
            "--retries",
            "0",
        ],
        &[("XCONN_TOKEN", TOKEN)],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.elapsed >= Duration::from_millis(900) && run.elapsed < Duration::from_secs(60),
        "gave up after {:?}",
        run.elapsed
    );
    assert!(run.stderr.contains("cannot connect"), "{}", run.stderr);
    run.assert_hides(TOKEN);
}

/// Answers that are not HTTP, or that cannot be decoded, are transport failures: exit 3 with one
/// error line naming the request, never a panic or the token.
#[test]
fn answers_that_are_not_http_or_cannot_be_decoded_exit_3() {
    let s = scratch();
    let cases: [(&str, &'static [u8]); 5] = [
        ("not http", b"\x00\x01garbage, not HTTP\r\n\r\n"),
        ("closed", b""),
        (
            "not gzip",
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 9\r\n\r\nnot gzip!",
        ),
        (
            "bad chunk",
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n",
        ),
        (
            "control characters in the status line",
            b"HTTP/1.1 500 \x1b[31mEVIL\r\nContent-Length: 0\r\n\r\n",
        ),
    ];
    for (what, reply) in cases {
        let port = common::server::raw(reply);
        let url = format!("http://127.0.0.1:{port}/");
        let run = call(
            &s,
            &[&url, "body.json", "--retries", "0"],
            &[("XCONN_TOKEN", TOKEN)],
        );
        assert_eq!(run.code, 3, "{what}: {}", run.stderr);
        let errors: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("xconn: error: "))
            .collect();
        assert_eq!(errors.len(), 1, "{what}: {}", run.stderr);
        assert!(errors[0].contains(&url), "{what}: {}", run.stderr);
        assert!(!run.stderr.contains('\x1b'), "{what}: {}", run.stderr);
        run.assert_hides(TOKEN);
    }
}

const ENGINE_DOWN: &str = r#"{"outputs":[],"warnings":[null],"errors":[[{"error_category":"system","error_type":"500","additional_details":"","source_path":"","message":"engine down"}]],"process_time":[1]}"#;

/// `xconn call URL many.json ARGS…` for a request of `records` records.
fn call_many(server: &Server, records: i64, args: &[&str]) -> Run {
    let s = Scratch::new();
    s.write("many.json", batch_body(records));
    let mut all = vec![server.url("/"), "many.json".to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    let all: Vec<&str> = all.iter().map(|a| a.as_str()).collect();
    call(&s, &all, &[])
}

/// The records counted in `call`'s verdict are the records that failed, not the entries of the
/// `errors` list: 1, 30 and 200 records, every batch failed (HTTP 500), some batches failed, and a
/// request answered (unbatched or per batch) with a request-level error, which is said to be one.
#[test]
fn record_counts_count_records_and_say_when_the_whole_request_failed() {
    let down = Server::always(Reply::status(500).body("boom"));
    for (records, size) in [(1, "1"), (30, "10"), (200, "100")] {
        let run = call_many(&down, records, &["--batch-size", size, "--retries", "0"]);
        assert_eq!(run.code, 4, "{}", run.stderr);
        let expected = if records == 1 {
            "errors for all of its 1 record".to_string()
        } else {
            format!("errors for all of its {records} records")
        };
        assert!(run.stderr.contains(&expected), "{records}: {}", run.stderr);
        assert!(
            run.stderr.contains("the whole request failed"),
            "{records}: {}",
            run.stderr
        );
        if records > 1 {
            assert!(
                !run.stderr.contains("errors for 1 record"),
                "{}",
                run.stderr
            );
        }
    }
    // Some batches failed: the records of those batches, the request as a whole did not fail.
    let partly = echo_server(&[], Duration::ZERO, &[15, 25]);
    let run = call_many(&partly, 30, &["--batch-size", "10", "--retries", "0"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("errors for 20 records"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("whole request"), "{}", run.stderr);
    let partly = echo_server(&[], Duration::ZERO, &[150]);
    let run = call_many(&partly, 200, &["--batch-size", "100", "--retries", "0"]);
    assert!(
        run.stderr.contains("errors for 100 records"),
        "{}",
        run.stderr
    );

    // A request-level error answers a request of any size: the whole request failed, all of its
    // records, with the service's reason (exit 5: the service answered).
    let refusing = Server::always(Reply::json(ENGINE_DOWN));
    for records in [1, 3, 30] {
        for batched in [false, true] {
            let args: &[&str] = if batched {
                &["--batch-size", "10"]
            } else {
                &[]
            };
            let run = call_many(&refusing, records, args);
            assert_eq!(run.code, 5, "{records} {batched}: {}", run.stderr);
            let expected = if records == 1 {
                "errors for all of its 1 record".to_string()
            } else {
                format!("errors for all of its {records} records")
            };
            assert!(
                run.stderr.contains(&expected) && run.stderr.contains("the whole request failed"),
                "{records} {batched}: {}",
                run.stderr
            );
            assert!(run.stderr.contains("engine down"), "{}", run.stderr);
        }
    }
}

/// A failed batch is said once, on one line naming the batch and its records, not once per
/// record (no `XC116` for the `process_time` of 0 xconn writes for its records); the per-record
/// detail is in the merged response. Warnings about what the service did write stay.
#[test]
fn a_failed_batch_is_one_line_not_one_per_record() {
    let down = Server::always(Reply::status(500).body("boom"));
    let run = call_many(
        &down,
        200,
        &["--batch-size", "20", "--retries", "0", "--format", "json"],
    );
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(!run.stderr.contains("XC116"), "{}", run.stderr);
    for batch in 1..=10 {
        let named = run
            .stderr
            .lines()
            .filter(|l| l.starts_with(&format!("xconn: batch {batch} ")))
            .count();
        assert_eq!(named, 1, "batch {batch}: {}", run.stderr);
    }
    assert!(
        run.stderr.lines().count() <= 13,
        "the token notice, one line per batch, a verdict and a summary: {}",
        run.stderr
    );
    let merged: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let entries = merged["errors"][0].as_array().unwrap();
    assert_eq!(entries.len(), 200, "the per-record detail is in the output");

    // Some batches failed, some refused with a request-level error: one line each.
    let mixed = Server::start(|_, request| {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let first = body["inputs"][1][0].as_i64().unwrap();
        match first {
            11 => Reply::status(500).body("boom"),
            21 => Reply::json(ENGINE_DOWN),
            _ => common::server::answer_each_record(request),
        }
    });
    let run = call_many(&mixed, 40, &["--batch-size", "10", "--retries", "0"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(!run.stderr.contains("XC116"), "{}", run.stderr);
    for batch in [2, 3] {
        let lines: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with(&format!("xconn: batch {batch} ")))
            .collect();
        assert_eq!(lines.len(), 1, "batch {batch}: {}", run.stderr);
        assert!(lines[0].contains("records 11") || lines[0].contains("records 21"));
    }
    assert!(run.stderr.contains("engine down"), "{}", run.stderr);

    // The service's own low process_time is still reported, once per record it wrote.
    let quick = Server::start(|_, request| {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let n = body["inputs"].as_array().unwrap().len() - 1;
        if body["inputs"][1][0] == 1 {
            return Reply::status(500).body("boom");
        }
        let rows = vec!["[1]"; n].join(",");
        let nulls = vec!["null"; n].join(",");
        let times = vec!["0.5"; n].join(",");
        Reply::json(&format!(
            r#"{{"outputs":[["y"],{rows}],"warnings":[{nulls}],"errors":[{nulls}],"process_time":[{times}]}}"#
        ))
    });
    let run = call_many(&quick, 4, &["--batch-size", "2", "--retries", "0"]);
    assert_eq!(run.stderr.matches("XC116").count(), 2, "{}", run.stderr);
}

/// A URL without its scheme says so and shows both fixes, whether it does not parse at all
/// (`example.com/run`) or parses with the host as a scheme (`localhost:8080/run`).
#[test]
fn a_url_without_a_scheme_is_told_so() {
    let s = scratch();
    for url in ["example.com/run", "localhost:8080/run", "127.0.0.1:9/x"] {
        let run = call(&s, &[url, "body.json", "--dry-run"], &[]);
        assert_eq!(run.code, 2, "{url}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "URL {url} has no scheme: write http://{url} or https://{url}"
            )),
            "{url}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("relative URL"), "{}", run.stderr);
    }
    let run = call(&s, &["ftp://example.com/", "body.json", "--dry-run"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("only http and https are supported"));
}

// ---- What `call` sends is what it says it sends (--curl, redirects of a POST, token sources).

/// A request as a server saw it, for comparing two senders: the method, the path, the body, and
/// the headers (names lower-cased, sorted) without `x-request-id` (a fresh one per `call`).
fn seen(r: &common::server::Recorded) -> (String, String, Vec<(String, String)>, Vec<u8>) {
    let mut headers: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .filter(|(n, _)| n != "x-request-id")
        .collect();
    headers.sort();
    (r.method.clone(), r.path.clone(), headers, r.body.clone())
}

/// Run a printed `--curl` command with bash (process substitution) and the real curl.
fn run_curl_command(s: &Scratch, command: &str, env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new("bash");
    cmd.arg("-c")
        .arg(command)
        .current_dir(s.dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run bash")
}

/// `--curl`, run with the real curl, sends the same request as `call` itself: the converted body
/// of a CSV, the token read from the same file, a URL with `[…]` once, and a `-H Authorization`
/// instead of the token; every header with the same value (x-request-id apart).
#[test]
fn the_curl_command_sends_what_call_sends() {
    let have = std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !common::available("curl", have) {
        return;
    }
    let s = scratch();
    s.write("people.csv", "a,name\n1,Ann\n2,\"Bo, Jr\"\n");
    s.write("token.txt", format!("\u{feff}  Bearer {TOKEN}-file \n"));
    let server = Server::start(|_, req| common::server::answer_each_record(req));
    let env_token = [("XCONN_TOKEN", TOKEN)];
    let env_unclean = [("CSPARK_BEARER_TOKEN", " Bearer s3cr3t-t0ken-value-env \n")];
    let basic = "Authorization: Basic dXNlcjpwYXNzd29yZA==";
    type Case<'a> = (&'a str, Vec<String>, &'a [(&'a str, &'a str)]);
    let cases: Vec<Case> = vec![
        (
            "CSV converted",
            vec![server.url("/csv"), "people.csv".into()],
            &env_token,
        ),
        (
            "--token-file",
            vec![
                server.url("/file"),
                "body.json".into(),
                "--token-file".into(),
                "token.txt".into(),
            ],
            &[],
        ),
        (
            "a variable with a Bearer prefix",
            vec![server.url("/env"), "people.csv".into()],
            &env_unclean,
        ),
        (
            "brackets in the query",
            vec![server.url("/q?ids=[1-3]"), "body.json".into()],
            &env_token,
        ),
        (
            "-H Authorization",
            vec![
                server.url("/basic"),
                "body.json".into(),
                "-H".into(),
                basic.into(),
            ],
            &env_token,
        ),
    ];
    for (what, args, env) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut with_curl = args.clone();
        with_curl.push("--curl");
        let printed = call(&s, &with_curl, env);
        assert_eq!(printed.code, 0, "{what}: {}", printed.stderr);
        printed.assert_hides(TOKEN);
        assert!(!printed.stdout.contains("dXNlcjpwYXNzd29yZA=="), "{what}");
        assert!(
            printed.stdout.contains("--globoff"),
            "{what}: {}",
            printed.stdout
        );
        // The masked -H value is the one thing filled in by hand.
        let command = printed
            .stdout
            .replace("Basic ***", "Basic dXNlcjpwYXNzd29yZA==");
        let before = server.hits();
        let out = run_curl_command(&s, &command, env);
        assert!(
            out.status.success(),
            "{what}: curl failed: {}\n{command}",
            String::from_utf8_lossy(&out.stderr)
        );
        let by_curl = server.requests()[before..].to_vec();
        assert_eq!(
            by_curl.len(),
            1,
            "{what}: curl sent {} requests\n{command}",
            by_curl.len()
        );
        let run = call(&s, &args, env);
        assert!(run.code == 0 || run.code == 1, "{what}: {}", run.stderr);
        let by_call = server.requests()[before + 1..].to_vec();
        assert_eq!(by_call.len(), 1, "{what}");
        assert_eq!(
            seen(&by_curl[0]),
            seen(&by_call[0]),
            "{what}: curl's request differs from call's\n{command}"
        );
        assert!(by_curl[0].header("x-request-id").is_some(), "{what}");
        if what == "-H Authorization" {
            assert_eq!(
                by_call[0].header("authorization"),
                Some("Basic dXNlcjpwYXNzd29yZA==")
            );
        }
    }
}

/// A 301, 302 or 303 would turn the POST into a GET without its body: it is not followed; the
/// error names the status and where it pointed.
#[test]
fn a_post_is_not_turned_into_a_get_by_a_301_302_or_303() {
    let s = scratch();
    for (status, text) in [
        (301, "301 Moved Permanently"),
        (302, "302 Found"),
        (303, "303 See Other"),
    ] {
        let server = Server::start(move |_, req| match req.path.as_str() {
            "/final" => Reply::json(ANSWER),
            _ => Reply::status(status).header("Location", "/final"),
        });
        let run = call(&s, &[&server.url("/start"), "body.json"], &[]);
        assert_eq!(run.code, 4, "{status}: {}", run.stderr);
        assert_eq!(server.hits(), 1, "{status}: the redirect was followed");
        assert!(run.stderr.contains(text), "{status}: {}", run.stderr);
        assert!(
            run.stderr.contains(&server.url("/final")),
            "{status}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("not followed"),
            "{status}: {}",
            run.stderr
        );
    }
}

/// 307 and 308 keep the method, the body and the token; `-v` shows every hop (status and
/// Location, an echoed token masked).
#[test]
fn a_307_and_308_keep_the_post_and_verbose_shows_every_hop() {
    let s = scratch();
    let server = Server::start(|_, req| match req.path.as_str() {
        "/a" => Reply::status(307).header("Location", "/b"),
        "/b" => Reply::status(308).header("Location", &format!("/c?echo={TOKEN}")),
        _ => Reply::json(ANSWER),
    });
    let run = call(
        &s,
        &[&server.url("/a"), "body.json", "-v"],
        &[("XCONN_TOKEN", TOKEN)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.assert_hides(TOKEN);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        assert_eq!(r.method, "POST");
        assert_eq!(r.body, BODY.as_bytes());
        assert_eq!(r.header("authorization"), Some(&*format!("Bearer {TOKEN}")));
    }
    for hop in [
        "< HTTP 307 Temporary Redirect",
        "< location: /b",
        "< HTTP 308 Permanent Redirect",
        "< location: /c?echo=***",
        "< HTTP 200 OK",
    ] {
        assert!(run.stderr.contains(hop), "{hop}: {}", run.stderr);
    }
}

/// `-H 'Authorization: …'` without a token variable: sent, not called missing, and warned about
/// as a secret on the command line (the flag named, never the value).
#[test]
fn an_authorization_header_on_the_command_line_is_sent_and_warned_about() {
    let s = scratch();
    let server = ok_server();
    let run = call(
        &s,
        &[
            &server.url("/"),
            "body.json",
            "-H",
            &format!("Authorization: Bearer {TOKEN}"),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.assert_hides(TOKEN);
    assert!(
        !run.stderr.contains("without Authorization"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("no token"), "{}", run.stderr);
    assert!(
        run.stderr.contains("-H Authorization") && run.stderr.contains("command line"),
        "{}",
        run.stderr
    );
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
}

/// An empty `XCONN_TOKEN` is said to be empty, not unset.
#[test]
fn an_empty_token_variable_is_called_empty() {
    let s = scratch();
    let server = ok_server();
    let run = call(&s, &[&server.url("/"), "body.json"], &[("XCONN_TOKEN", "")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("XCONN_TOKEN is empty"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("CSPARK_BEARER_TOKEN is unset"),
        "{}",
        run.stderr
    );
}

/// A token file's byte-order mark is dropped; a file with only `Bearer ` in it, or a token
/// that is not ASCII (from a file or a variable), is refused naming the source, never the value.
#[test]
fn token_files_lose_a_bom_and_empty_or_non_ascii_tokens_are_refused() {
    let s = scratch();
    let server = ok_server();
    let url = server.url("/");
    s.write("bom.txt", format!("\u{feff}{TOKEN}\n"));
    let run = call(&s, &[&url, "body.json", "--token-file", "bom.txt"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    s.write("bearer.txt", "Bearer \n");
    let run = call(&s, &[&url, "body.json", "--token-file", "bearer.txt"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("bearer.txt"), "{}", run.stderr);
    assert!(run.stderr.contains("no token"), "{}", run.stderr);
    let odd = "t\u{f6}k\u{e9}n-secret";
    s.write("odd.txt", odd);
    let run = call(&s, &[&url, "body.json", "--token-file", "odd.txt"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("odd.txt"), "{}", run.stderr);
    assert!(run.stderr.contains("ASCII"), "{}", run.stderr);
    run.assert_hides(odd);
    run.assert_hides("secret");
    let run = call(&s, &[&url, "body.json"], &[("XCONN_TOKEN", odd)]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("XCONN_TOKEN"), "{}", run.stderr);
    assert!(run.stderr.contains("ASCII"), "{}", run.stderr);
    run.assert_hides("secret");
    assert_eq!(server.hits(), 1);
}

/// A token file others can read is warned about (like ssh), naming the file and its mode.
#[cfg(unix)]
#[test]
fn a_token_file_others_can_read_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let s = scratch();
    let server = ok_server();
    let path = s.write("token.txt", TOKEN);
    for (mode, warned) in [(0o644, true), (0o640, true), (0o604, true), (0o600, false)] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let run = call(
            &s,
            &[&server.url("/"), "body.json", "--token-file", "token.txt"],
            &[],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let said = run.stderr.contains("token.txt") && run.stderr.contains("readable by others");
        assert_eq!(said, warned, "mode {mode:o}: {}", run.stderr);
        if warned {
            assert!(run.stderr.contains(&format!("{mode:o}")), "{}", run.stderr);
        }
    }
}

/// A `Retry-After` too large for an integer is capped like any long one (60 s), not ignored.
/// The run is stopped once it says how long it waits.
#[test]
fn a_retry_after_too_large_for_an_integer_is_capped() {
    use std::io::BufRead;
    let s = scratch();
    let server = Server::start(|hit, _| {
        if hit == 0 {
            Reply::status(429).header("Retry-After", "99999999999999999999999999")
        } else {
            Reply::json(ANSWER)
        }
    });
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("xconn"))
        .args(["call", &server.url("/"), "body.json"])
        .current_dir(s.dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent")
        .env("XCONN_RETRY_BASE_MS", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut said = String::new();
    for line in std::io::BufReader::new(stderr).lines() {
        let line = line.unwrap();
        said.push_str(&line);
        said.push('\n');
        if line.contains("retry 1 of") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        said.contains("retry 1 of 2 in 60.00 s (Retry-After)"),
        "{said}"
    );
}
