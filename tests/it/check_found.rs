//! `xconn check` finds what a sample cannot: against `serve --exec` handlers that are each wrong
//! in one way (tests/handlers/flawed.py) and auth proxies that let the wrong tokens in
//! (tests/handlers/auth_proxy.py), exactly the matching group fails, the failure is shrunk to a
//! small body, and the saved replay script reproduces it. Also: the same seed sends the same
//! bytes, budgets stop a run and say how far it got, `--ignore` and `--skip`, `--columns`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common;

use common::check_run::Run;
use common::serve::Serve;
use common::server::Server;
use common::Scratch;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn have_python() -> bool {
    let found = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    common::available("python3", found)
}

/// `xconn check URL --format json ARGS…`.
fn check(s: &Scratch, url: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let args = [&["--format", "json"][..], args].concat();
    common::check_run::check(s, url, &args, env)
}

/// `serve --exec` running the handler with `flaw`, holding requests to the example's columns
/// (`--sample examples/request.json`), as a service knows its own.
fn flawed(s: &Scratch, flaw: &str) -> Serve {
    let command = format!(
        "python3 {} {flaw}",
        repo("tests/handlers/flawed.py").display()
    );
    let sample = repo("examples/request.json");
    Serve::start(
        s,
        &["--exec", &command, "--sample", sample.to_str().unwrap()],
        &[],
    )
}

/// Run `sh replay.sh` in `dir` with the binary on PATH; its output and exit code.
fn replay(dir: &Path) -> (i32, String) {
    let bin = Path::new(env!("CARGO_BIN_EXE_xconn")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg(dir.join("replay.sh"))
        .env_clear()
        .env("PATH", path)
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// A flawed handler fails exactly `group` with `property` broken by `rule`; the shrunk body has
/// at most `records` records and its longest string is `longest`; the replay reproduces it.
struct Expect {
    flaw: &'static str,
    group: &'static str,
    property: &'static str,
    rule: &'static str,
    records: u64,
    extra: &'static [&'static str],
}

fn finds(expect: Expect) -> (Run, Scratch, Serve) {
    let s = Scratch::new();
    let serve = flawed(&s, expect.flaw);
    let sample = repo("examples/request.json");
    let mut args = vec![
        "--sample",
        sample.to_str().unwrap(),
        "--seed",
        "3",
        "--save-failures",
        "failures",
    ];
    for (flag, value) in [("--cases", "20"), ("--max-records", "50")] {
        if !expect.extra.contains(&flag) {
            args.extend([flag, value]);
        }
    }
    args.extend(expect.extra);
    let run = check(&s, &serve.url, &args, &[]);
    let flaw = expect.flaw;
    assert_eq!(run.code, 1, "{flaw}: {}\n{}", run.stdout, run.stderr);
    let (groups, names) = run.failed();
    assert_eq!(groups, [expect.group], "{flaw}: {names:?}\n{}", run.stdout);
    let probe = run.probe(expect.property);
    assert_eq!(probe["result"], "fail", "{flaw}: {probe}");
    let found = &probe["found"];
    assert_eq!(found["rule"], expect.rule, "{flaw}: {found}");
    assert!(
        found["shrunk"]["records"].as_u64().unwrap() <= expect.records,
        "{flaw}: {found}"
    );
    assert!(
        found["shrunk"]["bytes"].as_u64() < found["original"]["bytes"].as_u64()
            || found["original"]["records"].as_u64() == Some(1),
        "{flaw}: {found}"
    );
    let saved = found["saved"].as_str().unwrap();
    assert!(
        Path::new(saved).exists() || s.path(saved).exists(),
        "{saved}"
    );
    assert_eq!(run.card()["seed"], 3);
    (run, s, serve)
}

#[test]
fn a_crash_on_long_strings_fails_conformance_shrunk_to_one_record_of_1001_characters() {
    if !have_python() {
        return;
    }
    let (run, s, _serve) = finds(Expect {
        flaw: "long-strings",
        group: "conformance",
        property: "generated",
        rule: "5xx",
        records: 1,
        extra: &[],
    });
    let found = &run.probe("generated")["found"];
    assert_eq!(found["shrunk"]["longest_string"], 1001, "{found}");
    assert!(found["original"]["longest_string"].as_u64().unwrap() >= 10_000);
    let (code, text) = replay(&s.path("failures"));
    assert_ne!(code, 0, "{text}");
    assert!(
        text.contains("500"),
        "the replay did not get the 500: {text}"
    );
}

#[test]
fn a_500_on_null_fails_conformance_shrunk_to_one_record() {
    if !have_python() {
        return;
    }
    let (_, s, _serve) = finds(Expect {
        flaw: "null-500",
        group: "conformance",
        property: "generated",
        rule: "5xx",
        records: 1,
        extra: &[],
    });
    let body = std::fs::read_dir(s.path("failures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    assert!(std::fs::read_to_string(body).unwrap().contains("null"));
    let (code, text) = replay(&s.path("failures"));
    assert_ne!(code, 0, "{text}");
}

#[test]
fn answers_that_depend_on_the_batch_fail_batch_independence_with_two_records() {
    if !have_python() {
        return;
    }
    let (run, s, _serve) = finds(Expect {
        flaw: "batch-mean",
        group: "metamorphic",
        property: "batch-independence",
        rule: "batch-independence",
        records: 2,
        extra: &[],
    });
    assert_eq!(run.probe("determinism")["result"], "pass");
    // The replay sends the batch and each record alone: their answers differ.
    let (code, text) = replay(&s.path("failures"));
    assert_eq!(code, 0, "{text}");
    assert!(text.matches("\"outputs\"").count() >= 3, "{text}");
}

#[test]
fn answers_that_depend_on_order_fail_order_independence_with_two_records() {
    if !have_python() {
        return;
    }
    let (run, _, _) = finds(Expect {
        flaw: "order",
        group: "metamorphic",
        property: "order-independence",
        rule: "order-independence",
        records: 2,
        extra: &[],
    });
    assert_eq!(run.probe("determinism")["result"], "pass");
}

#[test]
fn random_noise_fails_determinism_with_one_record() {
    if !have_python() {
        return;
    }
    finds(Expect {
        flaw: "noise",
        group: "metamorphic",
        property: "determinism",
        rule: "determinism",
        records: 1,
        extra: &[],
    });
}

/// `--ignore` blanks the noisy column: the same handler then passes every property.
#[test]
fn ignoring_the_volatile_value_lets_the_properties_hold() {
    if !have_python() {
        return;
    }
    let s = Scratch::new();
    let serve = flawed(&s, "noise");
    let sample = repo("examples/request.json");
    let args = [
        "--sample",
        sample.to_str().unwrap(),
        "--cases",
        "8",
        "--max-records",
        "20",
        "--ignore",
        "/outputs/*/2",
    ];
    let run = check(&s, &serve.url, &args, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.probe("determinism")["result"], "pass");
}

#[test]
fn a_request_level_failure_for_valid_input_fails_conformance() {
    if !have_python() {
        return;
    }
    finds(Expect {
        flaw: "request-level",
        group: "conformance",
        property: "generated",
        rule: "request-level",
        records: 1,
        extra: &[],
    });
}

#[test]
fn a_hang_on_an_empty_nested_table_fails_conformance_as_a_timeout() {
    if !have_python() {
        return;
    }
    let (run, s, _serve) = finds(Expect {
        flaw: "hang-empty",
        group: "conformance",
        property: "generated",
        rule: "timeout",
        records: 1,
        // Each hang costs the timeout: a few small cases, and not the fixed probes (the sample
        // has an empty nested table too). Under load a healthy answer can take seconds, so the
        // metamorphic properties (more requests, each a chance to pass the timeout) stay off.
        extra: &[
            "--skip",
            "metamorphic",
            "--timeout",
            "5",
            "--cases",
            "10",
            "--max-records",
            "4",
            "--skip",
            "sample",
            "--skip",
            "multi-record",
            "--skip",
            "batch-1000",
        ],
    });
    let found = &run.probe("generated")["found"];
    let path = found["saved"].as_str().unwrap();
    let saved = std::fs::read_to_string(s.path(path))
        .or_else(|_| std::fs::read_to_string(path))
        .unwrap();
    assert!(saved.contains(r#"[["sku","qty"]]"#), "{saved}");
}

/// An HS256 JWT signed with `secret`.
fn hs256(secret: &[u8], claims: &serde_json::Value) -> String {
    let header = common::base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = common::base64url(claims.to_string().as_bytes());
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    let tag = aws_lc_rs::hmac::sign(&key, format!("{header}.{payload}").as_bytes());
    format!("{header}.{payload}.{}", common::base64url(tag.as_ref()))
}

/// The auth proxy with `flaw` in front of `serve --exec examples/handler.py`.
fn proxy(flaw: &str, upstream: &str) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = Command::new("python3")
        .arg(repo("tests/handlers/auth_proxy.py"))
        .args([flaw, upstream])
        .env("PROXY_SECRET", "proxy-secret")
        .env("PROXY_AUDIENCE", "svc")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    (child, url)
}

/// A correct proxy passes the auth group; one that lets any bearer in fails every forged token
/// but `no-token`; one that takes `alg: none` fails that probe alone. The token, and its
/// signature, appear nowhere: not in the report, not in stderr, not in the saved files.
#[test]
fn auth_probes_name_the_token_shapes_that_got_in() {
    if !have_python() {
        return;
    }
    let s = Scratch::new();
    let handler = format!("python3 {}", repo("examples/handler.py").display());
    let sample = repo("examples/request.json");
    let contract = ["--exec", &handler, "--sample", sample.to_str().unwrap()];
    let serve = Serve::start(&s, &contract, &[]);
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let token = hs256(
        b"proxy-secret",
        &serde_json::json!({"sub": "tester", "aud": "svc", "exp": exp}),
    );
    let signature = token.rsplit('.').next().unwrap().to_string();
    let forged = [
        "empty-bearer",
        "malformed-token",
        "alg-none",
        "signature-stripped",
        "signature-altered",
        "expired",
        "other-audience",
    ];
    for (flaw, failing) in [
        ("correct", &[][..]),
        ("any-bearer", &forged[..]),
        ("alg-none", &["alg-none"][..]),
    ] {
        let (mut child, url) = proxy(flaw, &serve.url);
        let args = [
            "--sample",
            sample.to_str().unwrap(),
            "--cases",
            "3",
            "--skip",
            "metamorphic",
            "--save-failures",
            "saved",
        ];
        let run = check(&s, &url, &args, &[("XCONN_TOKEN", &token)]);
        let _ = child.kill();
        let _ = child.wait();
        let (groups, names) = run.failed();
        assert_eq!(names, failing, "{flaw}:\n{}", run.stdout);
        if !failing.is_empty() {
            assert_eq!(groups, ["auth"], "{flaw}");
            assert_eq!(run.code, 1);
        }
        assert_eq!(run.probe("no-token")["result"], "pass", "{flaw}");
        for leak in [&token, &signature] {
            assert!(
                !run.stdout.contains(leak.as_str()),
                "{flaw}: leaked in the report"
            );
            assert!(
                !run.stderr.contains(leak.as_str()),
                "{flaw}: leaked on stderr"
            );
        }
        if flaw == "alg-none" {
            let reason = run.probe("alg-none")["reason"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(reason.contains("alg:none, signature stripped"), "{reason}");
        }
    }
    for entry in std::fs::read_dir(s.path("saved")).into_iter().flatten() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(&token) && !text.contains(&signature));
    }
}

/// Two runs with the same seed send byte-identical bodies (in whatever order the concurrent
/// cases arrive); another seed sends other bodies.
#[test]
fn the_same_seed_sends_byte_identical_bodies() {
    let s = Scratch::new();
    s.write(
        "sample.json",
        r#"{"inputs": [["n", "x", "s", "ok", "t"], [1, 2.5, "a", true, [["k"], ["v"]]]]}"#,
    );
    let bodies = |seed: &str| {
        let server = Server::start(|_, request| common::server::answer_each_record(request));
        let args = [
            "--sample",
            "sample.json",
            "--cases",
            "40",
            "--seed",
            seed,
            "--concurrency",
            "8",
            "--skip",
            "robustness",
        ];
        let run = check(&s, &server.url("/"), &args, &[]);
        assert_eq!(run.code, 0, "{}", run.stdout);
        let mut bodies: Vec<Vec<u8>> = server.requests().into_iter().map(|r| r.body).collect();
        bodies.sort();
        bodies
    };
    let first = bodies("42");
    assert!(first.len() > 40);
    assert_eq!(first, bodies("42"), "the same seed sent other bodies");
    assert_ne!(first, bodies("43"));
}

/// `--max-requests` and `--budget` stop the run (every request counts); the report says which
/// budget and how many cases ran.
#[test]
fn a_budget_stops_the_run_and_says_how_many_cases_ran() {
    let s = Scratch::new();
    s.write("sample.json", r#"{"inputs": [["n"], [1]]}"#);
    let server = Server::start(|_, request| common::server::answer_each_record(request));
    let args = [
        "--sample",
        "sample.json",
        "--max-requests",
        "10",
        "--concurrency",
        "1",
        "--skip",
        "metamorphic",
        "--skip",
        "robustness",
    ];
    let run = check(&s, &server.url("/"), &args, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let card = run.card();
    // The budget counts every request: 6 fixed probes (sample … empty-strings, batch-1000),
    // then 4 cases.
    assert_eq!(card["cases"]["run"], 4, "{card}");
    assert_eq!(card["requests"], 10, "{card}");
    assert_eq!(card["stopped"], "--max-requests 10");
    let slow = Server::start(|_, request| {
        common::server::answer_each_record(request).delay(std::time::Duration::from_millis(50))
    });
    let out = s
        .xconn()
        .args(["check", &slow.url("/"), "--sample", "sample.json"])
        .args([
            "--budget",
            "1s",
            "--skip",
            "metamorphic",
            "--skip",
            "robustness",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("stopped by --budget 1s after "), "{text}");
    assert!(text.contains(" of 200 cases"), "{text}");
}

/// A `--columns` file states the contract: the generated values follow its kinds, and a service
/// that silently takes a value of the wrong kind now fails `wrong-kind`. Bad flags are usage
/// errors (exit 2) that say what is wrong, before anything is sent.
#[test]
fn columns_state_kinds_and_bad_flags_are_usage_errors() {
    let s = Scratch::new();
    s.write("sample.json", r#"{"inputs": [["n", "s"], [null, null]]}"#);
    s.write("columns.json", r#"{"n": "integer", "s": "string"}"#);
    let server = Server::start(|_, request| common::server::answer_each_record(request));
    let args = [
        "--sample",
        "sample.json",
        "--columns",
        "columns.json",
        "--cases",
        "30",
        "--skip",
        "metamorphic",
        "--seed",
        "5",
    ];
    let run = check(&s, &server.url("/"), &args, &[]);
    assert_eq!(run.probe("wrong-kind")["result"], "fail", "{}", run.stdout);
    let generated: Vec<serde_json::Value> = server
        .requests()
        .iter()
        .filter_map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok())
        .filter(|b| b["inputs"][0] == serde_json::json!(["n", "s"]))
        .collect();
    let ints = generated
        .iter()
        .flat_map(|b| b["inputs"].as_array().unwrap()[1..].to_vec())
        .filter(|r| r[0].is_i64() || r[0].is_u64())
        .count();
    assert!(ints > 10, "the integer column got no integers");
    for (args, says) in [
        (vec!["--columns", "bad.json"], "/n: unknown kind `float`"),
        (vec!["--skip", "nothing-like-it"], "--skip nothing-like-it"),
        (vec!["--ignore", "outputs"], "not a JSON Pointer"),
    ] {
        s.write("bad.json", r#"{"n": "float"}"#);
        let hits = server.hits();
        let run = check(&s, &server.url("/"), &args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert_eq!(server.hits(), hits, "{args:?} sent something");
    }
}

/// A non-loopback `http://` URL fails the transport probe (nothing is sent for it).
#[test]
fn plain_http_to_a_remote_host_fails_transport() {
    let s = Scratch::new();
    let mut args = vec!["--allow-skips"];
    for group in ["conformance", "robustness", "metamorphic", "auth"] {
        args.extend(["--skip", group]);
    }
    let run = check(&s, "http://192.0.2.1:9/", &args, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let https = run.probe("https");
    assert_eq!(https["result"], "fail");
    assert!(
        https["reason"]
            .as_str()
            .unwrap()
            .contains("requires an HTTPS endpoint"),
        "{https}"
    );
}

/// The correct example handler passes a thousand generated cases with no failure.
#[test]
#[ignore = "heavy: 1,000 generated cases and their metamorphic requests through python handlers"]
fn the_example_handler_passes_a_thousand_generated_cases() {
    if !have_python() {
        return;
    }
    let s = Scratch::new();
    let handler = format!("python3 {}", repo("examples/handler.py").display());
    let sample = repo("examples/request.json");
    let contract = ["--exec", &handler, "--sample", sample.to_str().unwrap()];
    let serve = Serve::start(&s, &contract, &[]);
    let args = [
        "--sample",
        sample.to_str().unwrap(),
        "--cases",
        "1000",
        "--concurrency",
        "8",
    ];
    let run = check(&s, &serve.url, &args, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let card = run.card();
    assert_eq!(card["cases"]["run"], 1000);
    assert_eq!(card["summary"]["fail"], 0, "{card}");
}

/// `--p95 MS` holds the generated cases' answers to a latency budget: the `latency` probe fails
/// past it, with the figures.
#[test]
fn a_p95_budget_fails_the_latency_probe() {
    let s = Scratch::new();
    s.write("sample.json", r#"{"inputs": [["n"], [1]]}"#);
    let slow = Server::start(|_, request| {
        common::server::answer_each_record(request).delay(std::time::Duration::from_millis(30))
    });
    let args = [
        "--sample",
        "sample.json",
        "--cases",
        "10",
        "--p95",
        "5",
        "--skip",
        "metamorphic",
        "--skip",
        "robustness",
    ];
    let run = check(&s, &slow.url("/"), &args, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let latency = run.probe("latency");
    assert_eq!(latency["result"], "fail", "{latency}");
    assert!(
        latency["reason"]
            .as_str()
            .unwrap()
            .contains("10 answers: p50 "),
        "{latency}"
    );
    assert_eq!(run.failed().1, ["latency"]);
}

/// On a terminal (a real pseudo-terminal from `script(1)`) the generated cases draw a progress
/// bar on standard error; the report on standard output is unchanged.
#[test]
fn a_progress_bar_shows_on_a_terminal() {
    let s = Scratch::new();
    s.write("sample.json", r#"{"inputs": [["n"], [1]]}"#);
    let server = Server::start(|_, request| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        common::server::answer_each_record(request)
    });
    let command = format!(
        "env -i PATH=/usr/bin:/bin HOME=/nonexistent LANG=C.UTF-8 TERM=xterm {} check {} \
         --sample sample.json --cases 30 --concurrency 1 --skip metamorphic --skip robustness \
         -o report.txt",
        env!("CARGO_BIN_EXE_xconn"),
        server.url("/")
    );
    let out = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .current_dir(s.dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("script(1) from util-linux gives the run a terminal");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("/30 cases"), "no progress bar:\n{shown}");
    assert!(s.read("report.txt").contains("held on 30 generated cases"));
}

/// Answers are compared header → value: output columns answered in another order with the values
/// moved along are the same answers; a header whose names change meaning between calls fails
/// determinism.
#[test]
fn answers_are_compared_through_the_output_header() {
    if !have_python() {
        return;
    }
    let sample = repo("examples/request.json");
    let args = [
        "--sample",
        sample.to_str().unwrap(),
        "--cases",
        "12",
        "--max-records",
        "10",
        "--seed",
        "4",
    ];
    let s = Scratch::new();
    let swap = flawed(&s, "header-swap");
    let run = check(&s, &swap.url, &args, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let flip = flawed(&s, "header-flip");
    let run = check(&s, &flip.url, &args, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.probe("determinism")["result"], "fail", "{}", run.stdout);
    assert_eq!(run.failed().0, ["metamorphic"], "{}", run.stdout);
}

/// A `--columns` file with an empty column name or a nested table of no columns is a usage error
/// (exit 2) naming the JSON Pointer, before anything is sent.
#[test]
fn empty_column_names_and_empty_tables_in_columns_are_usage_errors() {
    let s = Scratch::new();
    s.write("sample.json", r#"{"inputs": [["n", "s"], [1, "a"]]}"#);
    let server = Server::start(|_, request| common::server::answer_each_record(request));
    for (columns, says) in [
        (r#"{"": "integer"}"#, "/: a column with an empty name"),
        (r#"{"n": "integer", "t": {}}"#, "/t: no columns"),
        (
            r#"{"t": {"k": "string", "": "any"}}"#,
            "/t/: a column with an empty name",
        ),
        ("{}", "/: no columns"),
    ] {
        s.write("columns.json", columns);
        let args = ["--sample", "sample.json", "--columns", "columns.json"];
        let run = check(&s, &server.url("/"), &args, &[]);
        assert_eq!(run.code, 2, "{columns}: {}\n{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(says), "{columns}: {}", run.stderr);
        assert_eq!(server.hits(), 0, "{columns} sent something");
    }
}

/// `replay.sh` names the token file by its absolute path: a check run with a relative
/// `--token-file` saves a script that, run from another directory, still sends the token and
/// gets the same 500 (`xconn call` exits non-zero on it).
#[test]
fn replay_finds_a_relative_token_file_from_another_directory() {
    const SECRET: &str = "replay-t0ken-secret";
    let s = Scratch::new();
    s.write("tok.txt", SECRET);
    s.write("sample.json", r#"{"inputs": [["n", "s"], [1, "a"]]}"#);
    let server = Server::start(|_, request| {
        if request.header("authorization") != Some(&*format!("Bearer {SECRET}")) {
            return common::server::Reply::status(401).body("no");
        }
        let body = String::from_utf8_lossy(&request.body);
        if body.contains("null") {
            return common::server::Reply::status(500).body("null: crash");
        }
        common::server::answer_each_record(request)
    });
    let args = [
        "--sample",
        "sample.json",
        "--token-file",
        "tok.txt",
        "--cases",
        "20",
        "--seed",
        "3",
        "--skip",
        "metamorphic",
        "--save-failures",
        "out",
    ];
    let run = check(&s, &server.url("/"), &args, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.probe("generated")["result"], "fail", "{}", run.stdout);
    let script = s.read("out/replay.sh");
    assert!(!script.contains(SECRET), "{script}");
    let absolute = s.path("tok.txt").display().to_string();
    assert!(script.contains(&absolute), "{script}");
    let (code, text) = replay(&s.path("out"));
    assert_ne!(code, 0, "{text}");
    assert!(
        text.contains("500"),
        "the replay did not get the 500: {text}"
    );
    assert!(!text.contains("401"), "the replay sent no token: {text}");
}

/// `--skip auth` shows the auth probes as skipped by `--skip`, token or none — never as
/// "no token configured".
#[test]
fn skip_auth_says_the_auth_probes_were_skipped_by_skip() {
    let s = Scratch::new();
    s.write("sample.json", r#"{"inputs": [["n", "s"], [1, "a"]]}"#);
    let server = Server::start(|_, request| common::server::answer_each_record(request));
    let args = [
        "--sample",
        "sample.json",
        "--cases",
        "2",
        "--skip",
        "metamorphic",
        "--skip",
        "auth",
    ];
    for env in [&[][..], &[("XCONN_TOKEN", "skip-t0ken-secret")][..]] {
        let run = check(&s, &server.url("/"), &args, env);
        let probe = run.probe("expired");
        assert_eq!(probe["result"], "skip", "{probe}");
        assert_eq!(probe["reason"], "skipped by --skip", "{probe}");
    }
}
