//! `xconn call` against real HTTP servers on 127.0.0.1 port 0: the token from each source and
//! never in any output, headers, retries (503, 429 + Retry-After), timeouts, refused connections,
//! error statuses, cut-short and oversized answers, and redirects within and across origins.

mod common;

use std::time::{Duration, Instant};

use common::server::{closed_port, Reply, Server};
use common::{jwt, unix_now, Scratch};

const TOKEN: &str = "s3cr3t-t0ken-value";
const BODY: &str = r#"{"inputs":[["a","b"],[1,2]]}"#;
const ANSWER: &str = r#"{"outputs":[["y"],[3]],"warnings":[],"errors":[],"process_time":[]}"#;

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
                .contains(r#"-H "Authorization: Bearer $XCONN_TOKEN""#),
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
    let server = Server::always(Reply::json(ANSWER).delay(Duration::from_secs(3)));
    let run = call(
        &s,
        &[&server.url("/"), "body.json", "--timeout", "300ms"],
        &[],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.elapsed < Duration::from_secs(2), "{:?}", run.elapsed);
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
    let server = Server::always(Reply::json(&format!(r#"{{"x":"{}"}}"#, "a".repeat(5000))));
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
