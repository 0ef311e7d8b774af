//! `xconn check` against real HTTP services on 127.0.0.1: a well-behaved one passes every probe;
//! deliberately broken ones (objects instead of arrays, no auth check, a dropped record, a 500 for
//! malformed bodies) fail with the right probe named; the scorecard in every format.

use crate::common;

use common::check_run::{self, Run};
use common::server::{Reply, Server};
use common::Scratch;

const TOKEN: &str = "check-t0ken-secret";
const SAMPLE: &str =
    r#"{"inputs": [["a", "city", "T"], [1, "Paris", [["k"], [10]]], [2, "Oslo", null]]}"#;

#[derive(Clone, Copy, PartialEq)]
enum Flaw {
    None,
    /// Answers any columns and kinds, whatever the Content-Type: knows no contract.
    Lenient,
    Objects,
    NoAuth,
    DropsRecord,
    CrashesOnMalformed,
}

/// A service that answers each record with `[a]`, and fails in the way `flaw` says. Its own
/// contract (written here, apart from xconn's): a JSON body; the columns `a` (a number), `city`
/// (a string) and `T` (a nested table of a number `k`), in any order, `null` fitting any — a
/// header that differs is a 400, a value of the wrong kind an error entry for its record.
fn service(flaw: Flaw) -> Server {
    Server::start(move |_, request| {
        if flaw != Flaw::NoAuth
            && request.header("authorization") != Some(&*format!("Bearer {TOKEN}"))
        {
            return Reply::status(401).body("no");
        }
        let json = request
            .header("content-type")
            .is_none_or(|t| t.starts_with("application/json"));
        if flaw != Flaw::Lenient && !json {
            return Reply::status(415).body("send JSON");
        }
        let Ok(body) = serde_json::from_slice::<serde_json::Value>(&request.body) else {
            return Reply::status(if flaw == Flaw::CrashesOnMalformed {
                500
            } else {
                400
            })
            .body("bad json");
        };
        // A body that breaks the format (or has no header) is refused with 400, as xconn's own
        // validator judges it.
        let options = xconn::validate::Options {
            kind: Some(xconn::body::Kind::Request),
            against: None,
        };
        let rows = body["inputs"].as_array().cloned().unwrap_or_default();
        if rows.is_empty()
            || xconn::validate::check_bytes(&request.body, &options)
                .checked
                .has_errors()
        {
            return Reply::status(400).body("not a valid request");
        }
        let header: Vec<&str> = rows[0]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|k| k.as_str())
            .collect();
        let mut columns = header.clone();
        columns.sort_unstable();
        if flaw != Flaw::Lenient && columns != ["T", "a", "city"] {
            return Reply::status(400).body("the columns are a, city and T");
        }
        let errors: Vec<String> = rows[1..]
            .iter()
            .map(|row| {
                let fits = |(key, value): (&&str, &serde_json::Value)| {
                    value.is_null()
                        || match *key {
                            "a" => value.is_number(),
                            "city" => value.is_string(),
                            "T" => nested_k_numbers(value),
                            _ => true,
                        }
                };
                let cells = row.as_array().unwrap();
                if flaw == Flaw::Lenient || header.iter().zip(cells).all(fits) {
                    "null".to_string()
                } else {
                    r#"[{"error_category":"input","error_type":"400","additional_details":"","source_path":"","message":"a value of the wrong kind"}]"#.to_string()
                }
            })
            .collect();
        let a = header.iter().position(|k| *k == "a").unwrap_or(0);
        let mut values: Vec<String> = rows[1..].iter().map(|r| r[a].to_string()).collect();
        if flaw == Flaw::DropsRecord && values.len() > 1 {
            values.pop();
        }
        let outputs: Vec<String> = values
            .iter()
            .map(|v| {
                if flaw == Flaw::Objects {
                    format!(r#"{{"y": {v}}}"#)
                } else {
                    format!("[{v}]")
                }
            })
            .collect();
        let nulls = vec!["null"; values.len()].join(",");
        let times = vec!["2"; values.len()].join(",");
        let errors = errors[..values.len()].join(",");
        Reply::json(&format!(
            r#"{{"outputs":[["y"],{}],"warnings":[{nulls}],"errors":[{errors}],"process_time":[{times}]}}"#,
            outputs.join(",")
        ))
    })
}

/// `[]`, or a nested table with the one column `k` whose values are numbers or `null`.
fn nested_k_numbers(value: &serde_json::Value) -> bool {
    let Some(rows) = value.as_array() else {
        return false;
    };
    let Some((header, records)) = rows.split_first() else {
        return true;
    };
    header == &serde_json::json!(["k"])
        && records.iter().all(|r| r[0].is_null() || r[0].is_number())
}

/// `xconn check` against `server` with the token set; the token appears in none of its output.
fn check(s: &Scratch, server: &Server, args: &[&str]) -> Run {
    let run = check_run::check(s, &server.url("/run"), args, &[("XCONN_TOKEN", TOKEN)]);
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "the token leaked"
    );
    run
}

/// The probes of a JSON scorecard: name → result.
fn results(run: &Run) -> Vec<(String, String, String)> {
    let card: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!("scorecard is not JSON ({e}): {}", run.stdout);
    });
    card["probes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["probe"].as_str().unwrap().to_string(),
                p["result"].as_str().unwrap().to_string(),
                p["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn result_of<'a>(
    results: &'a [(String, String, String)],
    probe: &str,
) -> &'a (String, String, String) {
    results.iter().find(|r| r.0 == probe).unwrap()
}

#[test]
fn a_well_behaved_service_passes_every_probe() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    let server = service(Flaw::None);
    let run = check(
        &s,
        &server,
        &[
            "--sample",
            "sample.json",
            "--repeat",
            "5",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let results = results(&run);
    let names: Vec<&str> = results.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        names[..10],
        [
            "sample",
            "single-record",
            "multi-record",
            "unicode",
            "empty-strings",
            "nested-table",
            "batch-1000",
            "repeat",
            "generated",
            "malformed",
        ]
    );
    for name in ["no-token", "determinism", "order-independence", "https"] {
        assert!(names.contains(&name), "{name}: {names:?}");
    }
    // The token is no JWT: the forged JWTs are skipped, saying so; every other probe passes,
    // the robustness ones too (a wrong column or kind, a text/plain body, an empty `inputs`).
    for r in &results {
        match r.1.as_str() {
            "skip" => assert!(r.2.contains("not a JWT"), "{r:?}"),
            verdict => assert_eq!(verdict, "pass", "{r:?}"),
        }
    }
    assert!(result_of(&results, "wrong-kind")
        .2
        .contains("an error entry for the record"));
    assert!(result_of(&results, "wrong-content-type")
        .2
        .contains("HTTP 415"));
    assert!(result_of(&results, "repeat").2.contains("5 runs: p50"));
    // The unicode probe really sent non-ASCII text, and batch-1000 a thousand records.
    let bodies: Vec<String> = server
        .requests()
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(bodies.iter().any(|b| b.contains("Zürich 東京 🚀 ✓")));
    assert!(bodies.iter().any(|b| b.matches("\"Paris\"").count() == 500));
}

#[test]
fn broken_services_fail_with_the_probe_named() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    let cases = [
        (Flaw::Objects, "sample", "a record is an object"),
        (Flaw::NoAuth, "no-token", "does not check the token"),
        (Flaw::DropsRecord, "multi-record", "XC130"),
        (Flaw::CrashesOnMalformed, "malformed", "HTTP 500"),
    ];
    for (flaw, probe, reason) in cases {
        let server = service(flaw);
        let run = check(
            &s,
            &server,
            &["--sample", "sample.json", "--format", "json"],
        );
        assert_eq!(run.code, 1, "{probe}: {}", run.stdout);
        let results = results(&run);
        let found = result_of(&results, probe);
        assert_eq!(found.1, "fail", "{probe}: {results:?}");
        assert!(found.2.contains(reason), "{probe}: {}", found.2);
    }
}

/// A service that answers whatever columns, kinds and Content-Type it is sent fails each
/// robustness probe it answers with a silent 2xx — a failure, never a mere warning — and no other.
#[test]
fn a_service_without_a_contract_fails_each_probe_it_answers_silently() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    let server = service(Flaw::Lenient);
    let args = [
        "--sample",
        "sample.json",
        "--format",
        "json",
        "--skip",
        "metamorphic",
    ];
    let run = check(&s, &server, &args);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let results = results(&run);
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| r.1 == "fail")
        .map(|r| r.0.as_str())
        .collect();
    assert_eq!(
        failed,
        [
            "missing-column",
            "extra-column",
            "wrong-kind",
            "wrong-content-type"
        ],
        "{results:?}"
    );
    for name in failed {
        assert!(
            result_of(&results, name).2.contains("reports no problem"),
            "{name}"
        );
    }
    assert!(results.iter().all(|r| r.1 != "warn"), "{results:?}");
}

/// Without `--sample` nothing that answers records is checked: the scorecard says which probes
/// were skipped and why, and the run fails (exit 1) unless `--allow-skips` says skips are fine —
/// in every format, `-o` too.
#[test]
fn without_a_sample_the_probes_that_need_one_are_skipped_and_the_run_fails() {
    let s = Scratch::new();
    let server = service(Flaw::None);
    let run = check(&s, &server, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("skip  sample"), "{}", run.stdout);
    assert!(run.stdout.contains("skip  generated"), "{}", run.stdout);
    assert!(run.stdout.contains("no --sample"), "{}", run.stdout);
    assert!(run.stdout.contains("pass  malformed"), "{}", run.stdout);
    assert!(run.stdout.contains("pass  empty-body"), "{}", run.stdout);
    assert!(run.stdout.contains(" 0 failed, "), "{}", run.stdout);
    assert!(run.stderr.contains("--allow-skips"), "{}", run.stderr);
    for format in ["json", "junit", "markdown"] {
        let run = check(&s, &server, &["--format", format]);
        assert_eq!(run.code, 1, "{format}: {}", run.stdout);
    }
    let run = check(&s, &server, &["--format", "json"]);
    let card: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(card["passed"], false, "{card}");
    // Skips accepted: exit 0, and the JSON scorecard says passed.
    let run = check(&s, &server, &["--allow-skips"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let run = check(&s, &server, &["--allow-skips", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let card: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(card["passed"], true, "{card}");
    // A sample without a nested table and no --repeat skips two probes; the others ran: exit 0.
    s.write(
        "flat.json",
        r#"{"inputs": [["a", "city", "T"], [1, "x", null]]}"#,
    );
    let run = check(&s, &server, &["--sample", "flat.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("skip  nested-table"), "{}", run.stdout);
    // A failed probe still fails with --allow-skips.
    let broken = service(Flaw::CrashesOnMalformed);
    let run = check(&s, &broken, &["--allow-skips"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn check_help_documents_allow_skips() {
    let out = common::xconn().args(["check", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--allow-skips"), "{help}");
}

#[test]
fn the_scorecard_comes_as_junit_and_markdown() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    let server = service(Flaw::DropsRecord);
    let run = check(
        &s,
        &server,
        &["--sample", "sample.json", "--format", "junit"],
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with("<?xml"), "{}", run.stdout);
    assert!(run
        .stdout
        .contains(r#"<testcase classname="xconn.check.conformance" name="multi-record""#));
    assert!(run.stdout.contains("<failure message="), "{}", run.stdout);
    assert!(
        run.stdout.contains(r#"<testsuite name="robustness""#),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("(seed "), "{}", run.stdout);
    let run = check(
        &s,
        &server,
        &[
            "--sample",
            "sample.json",
            "--format",
            "markdown",
            "-o",
            "card.md",
        ],
    );
    assert_eq!(run.code, 1);
    let card = s.read("card.md");
    assert!(
        card.contains("| group | probe | result | latency | reason |"),
        "{card}"
    );
    assert!(
        card.contains("| conformance | multi-record | fail |"),
        "{card}"
    );
}

#[test]
fn a_p95_budget_fails_the_repeat_probe() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    let slow = Server::always(
        Reply::json(r#"{"outputs":[["y"],[1],[2]],"warnings":[null,null],"errors":[null,null],"process_time":[1,1]}"#)
            .delay(std::time::Duration::from_millis(30)),
    );
    let run = check(
        &s,
        &slow,
        &[
            "--sample",
            "sample.json",
            "--repeat",
            "3",
            "--p95",
            "1",
            "--format",
            "json",
        ],
    );
    let results = results(&run);
    let repeat = result_of(&results, "repeat");
    assert_eq!(repeat.1, "fail", "{results:?}");
    assert!(
        repeat.2.contains("over the --p95 budget of 1 ms"),
        "{}",
        repeat.2
    );
}

#[test]
fn an_invalid_sample_is_refused_before_any_probe() {
    let s = Scratch::new();
    s.write("bad.json", r#"{"inputs": [["a"], [1, 2]]}"#);
    let server = service(Flaw::None);
    let run = check(&s, &server, &["--sample", "bad.json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("XC107"), "{}", run.stderr);
    assert_eq!(server.hits(), 0);
}

// ---- against `xconn serve`: the development loop's own service ----

const SERVE_TOKEN_VAR: &str = "SERVICE_TOKEN";

/// `xconn check URL --sample sample.json --format json` against a running `serve`.
fn check_serve(s: &Scratch, url: &str) -> Run {
    let args = ["--sample", "sample.json", "--format", "json"];
    check_run::check(s, url, &args, &[("XCONN_TOKEN", TOKEN)])
}

#[test]
fn check_passes_against_serve_echo_with_token_auth() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    // The echo service holds requests to the sample's columns, as a real service knows its own.
    let serve = common::serve::Serve::start(
        &s,
        &[
            "--echo",
            "--token-env",
            SERVE_TOKEN_VAR,
            "--sample",
            "sample.json",
        ],
        &[(SERVE_TOKEN_VAR, TOKEN)],
    );
    let run = check_serve(&s, &serve.url);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        results(&run).iter().all(|r| r.1 != "fail" && r.1 != "warn"),
        "{}",
        run.stdout
    );
    let results = results(&run);
    assert_eq!(result_of(&results, "no-token").1, "pass", "{results:?}");
    assert_eq!(result_of(&results, "malformed").1, "pass", "{results:?}");
    assert!(!serve.log().contains(TOKEN), "serve logged the token");
}

#[test]
fn check_names_the_probe_a_broken_exec_handler_fails() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    // Objects instead of arrays as records.
    s.write(
        "objects.sh",
        "cat > /dev/null; echo '{\"outputs\": [[\"y\"], {\"y\": 1}], \"warnings\": [null], \"errors\": [null], \"process_time\": [1]}'\n",
    );
    // Always one record, whatever was asked: drops records of multi-record requests.
    s.write(
        "drops.sh",
        "cat > /dev/null; echo '{\"outputs\": [[\"y\"], [1]], \"warnings\": [null], \"errors\": [null], \"process_time\": [1]}'\n",
    );
    let cases = [
        (vec!["--exec", "sh objects.sh"], "single-record", "HTTP 500"),
        (vec!["--exec", "sh drops.sh"], "multi-record", "HTTP 500"),
        (vec!["--echo"], "no-token", "does not check the token"),
    ];
    for (args, probe, reason) in cases {
        let serve = common::serve::Serve::start(&s, &args, &[]);
        let run = check_serve(&s, &serve.url);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stdout);
        let results = results(&run);
        let found = result_of(&results, probe);
        assert_eq!(found.1, "fail", "{args:?}: {results:?}");
        assert!(found.2.contains(reason), "{args:?} {probe}: {}", found.2);
    }
}

/// `check` trusts a service's certificate through `--cacert` (the test CA of fixtures/tls/),
/// refuses an unknown issuer (the probes fail, exit 1), and says `--insecure` out loud.
#[test]
fn check_over_https_with_cacert_and_insecure() {
    let s = Scratch::new();
    let server = Server::start_tls(
        &common::fixture("tls/server.pem"),
        &common::fixture("tls/server-key.pem"),
        |_, request| common::server::answer_each_record(request),
    );
    let url = server.https_url("/");
    let sample = common::fixture("request-example1-single-values.json");
    let ca = common::fixture("tls/ca.pem");
    let run = |extra: &[&str]| {
        let mut cmd = s.xconn();
        // The test server answers whatever it is sent: robustness is not what this is about.
        cmd.args(["check", &url, "--sample", sample.to_str().unwrap()])
            .args(["--skip", "robustness", "--cases", "20"])
            .args(extra);
        cmd.output().unwrap()
    };
    let trusted = run(&["--cacert", ca.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&trusted.stdout);
    assert_eq!(trusted.status.code(), Some(0), "{out}");
    // The transport probe read the handshake: the version and the certificate's expiry.
    let https = out
        .lines()
        .find(|l| l.contains("  https "))
        .unwrap_or_default();
    assert!(https.contains("TLS 1.3, certificate expires in "), "{out}");
    let unknown = run(&[]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&unknown.stdout).contains("certificate"),
        "{}",
        String::from_utf8_lossy(&unknown.stdout)
    );
    let insecure = run(&["--insecure"]);
    assert_eq!(insecure.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&insecure.stderr).contains("WARNING: --insecure"));
}

/// A service that checks the token, refuses bodies that are not JSON with 400, and answers every
/// other request with 200 and `refusal`: a request-level failure, not one answer per record.
fn refusing_service(refusal: &'static str) -> Server {
    Server::start(move |_, request| {
        if request.header("authorization") != Some(&*format!("Bearer {TOKEN}")) {
            return Reply::status(401).body("no");
        }
        if serde_json::from_slice::<serde_json::Value>(&request.body).is_err() {
            return Reply::status(400).body("bad json");
        }
        Reply::json(refusal)
    })
}

const ENGINE_DOWN: &str = r#"{"outputs": [], "warnings": [null], "errors": [[{"error_category": "system", "error_type": "500", "additional_details": "", "source_path": "", "message": "engine down"}]], "process_time": [0]}"#;
const ENGINE_DOWN_WARNED: &str = r#"{"outputs": [], "warnings": [[{"source_path": "", "message": "degraded"}]], "errors": [[{"error_category": "system", "error_type": "503", "additional_details": "", "source_path": "", "message": "engine down"}, {"error_category": "system", "error_type": "503", "additional_details": "", "source_path": "", "message": "and out"}]], "process_time": [12]}"#;

/// A 200 with a request-level error is no answer per record: every probe that sends records fails
/// on it, saying the whole request failed and why, whatever the sample's size (1 record or many),
/// with warnings or without; the probes that expect a refusal still pass.
#[test]
fn a_request_level_error_fails_every_record_bearing_probe() {
    let s = Scratch::new();
    s.write("sample3.json", SAMPLE);
    s.write(
        "sample1.json",
        r#"{"inputs": [["a", "T"], [1, [["k"], [10]]]]}"#,
    );
    for refusal in [ENGINE_DOWN, ENGINE_DOWN_WARNED] {
        for sample in ["sample1.json", "sample3.json"] {
            let server = refusing_service(refusal);
            let run = check(
                &s,
                &server,
                &["--sample", sample, "--repeat", "2", "--format", "json"],
            );
            assert_eq!(run.code, 1, "{sample}: {}", run.stdout);
            let results = results(&run);
            for probe in [
                "sample",
                "single-record",
                "multi-record",
                "unicode",
                "empty-strings",
                "nested-table",
                "batch-1000",
                "repeat",
            ] {
                let (_, verdict, reason) = result_of(&results, probe);
                assert_eq!(verdict, "fail", "{sample} {probe}: {results:?}");
                assert!(
                    reason.contains("request-level") && reason.contains("engine down"),
                    "{sample} {probe}: {reason}"
                );
            }
            for probe in ["no-token", "malformed"] {
                assert_eq!(result_of(&results, probe).1, "pass", "{probe}: {results:?}");
            }
        }
    }
}

/// A service that answers every request (broken ones too) with 200 and an `errors` entry of `[]`
/// for each record reports no problem: every strict robustness probe fails.
#[test]
fn empty_error_entries_do_not_pass_the_robustness_probes() {
    let s = Scratch::new();
    s.write("sample.json", r#"{"inputs": [["n", "s"], [1, "a"]]}"#);
    s.write("columns.json", r#"{"n": "integer", "s": "string"}"#);
    let server = Server::start(|_, request| {
        let records = serde_json::from_slice::<serde_json::Value>(&request.body)
            .ok()
            .and_then(|b| b["inputs"].as_array().map(|r| r.len().saturating_sub(1)))
            .unwrap_or(1)
            .max(1);
        let rows = vec!["[1]"; records].join(",");
        let nulls = vec!["null"; records].join(",");
        let empty = vec!["[]"; records].join(",");
        let times = vec!["1"; records].join(",");
        Reply::json(&format!(
            r#"{{"outputs":[["y"],{rows}],"warnings":[{nulls}],"errors":[{empty}],"process_time":[{times}]}}"#
        ))
    });
    let args = [
        "--sample",
        "sample.json",
        "--columns",
        "columns.json",
        "--format",
        "json",
        "--cases",
        "3",
        "--skip",
        "metamorphic",
    ];
    let run = check(&s, &server, &args);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let results = results(&run);
    for probe in [
        "object-record",
        "duplicate-column",
        "longer-record",
        "shorter-record",
        "missing-column",
        "extra-column",
        "wrong-kind",
    ] {
        let (_, result, reason) = result_of(&results, probe);
        assert_eq!(result, "fail", "{probe}: {reason}");
    }
}

/// A probe's own header replaces a same-named `-H` one: `wrong-content-type` sends exactly one
/// `Content-Type`, `text/plain`, even when `-H` gives another.
#[test]
fn probe_headers_replace_the_same_named_h_headers() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    let server = Server::start(|_, request| common::server::answer_each_record(request));
    let args = [
        "--sample",
        "sample.json",
        "--cases",
        "2",
        "--skip",
        "metamorphic",
        "-H",
        "Content-Type: application/json",
    ];
    check(&s, &server, &args);
    let plain: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| {
            r.headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v == "text/plain")
        })
        .collect();
    assert_eq!(plain.len(), 1, "{plain:?}");
    let types = plain[0]
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .count();
    assert_eq!(types, 1, "{:?}", plain[0].headers);
}
