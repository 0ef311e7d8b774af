//! What `xconn serve` refuses before any handler runs, as a service that knows its input does: a
//! body declared as anything but JSON (415), an `inputs` with no header (400, as `validate`
//! judges it), and with `--sample` / `--columns` a request that breaks the service's columns — a
//! column missing or unknown, a value of the wrong kind, nested tables too (400, an entry per
//! breach at its JSON Pointer). Each refusal is a valid request-level failure.

use crate::common;

use common::serve::{post, Serve};
use common::Scratch;

const SAMPLE: &str = r#"{"inputs": [["customer", "amount", "lines"],
    ["Ada", 10.50, [["sku", "qty"], ["A-1", 2]]],
    ["Grace", null, [["sku", "qty"]]]]}"#;

/// Every answer serve makes itself validates as a response to any request.
fn assert_valid_response(body: &str) {
    let out = common::xconn()
        .args(["validate", "--kind", "response", "-"])
        .write_stdin(body)
        .output()
        .unwrap();
    assert!(out.status.success(), "{body}");
}

#[test]
fn a_body_declared_as_anything_but_json_is_a_415() {
    let s = Scratch::new();
    let serve = Serve::start(&s, &["--echo"], &[]);
    let body = r#"{"inputs": [["a"], [1]]}"#;
    for refused in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonp",
        "application/+json",
        "text/json",
    ] {
        let answer = post(&serve.url, body, &[("content-type", refused)]);
        assert_eq!(answer.status, 415, "{refused}: {}", answer.body);
        assert_eq!(answer.headers["accept"], "application/json");
        let messages = answer.messages();
        assert!(messages[0].contains(refused), "{messages:?}");
        assert_valid_response(&answer.body);
    }
    for accepted in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.spark+json",
    ] {
        let answer = post(&serve.url, body, &[("content-type", accepted)]);
        assert_eq!(answer.status, 200, "{accepted}: {}", answer.body);
    }
    // No Content-Type at all: read as JSON.
    let answer = post(&serve.url, body, &[]);
    assert_eq!(answer.status, 200, "{}", answer.body);
}

/// `{"inputs": []}` has no header: `validate` says XC102, and serve refuses it the same way.
#[test]
fn an_inputs_without_a_header_is_refused_as_validate_refuses_it() {
    let s = Scratch::new();
    let serve = Serve::start(&s, &["--echo"], &[]);
    let answer = post(&serve.url, r#"{"inputs": []}"#, &[]);
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(answer.body.contains("XC102"), "{}", answer.body);
    s.write("empty.json", r#"{"inputs": []}"#);
    let out = s.xconn().args(["validate", "empty.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("XC102"));
    // A header with no records is a request (a warning), answered.
    let answer = post(&serve.url, r#"{"inputs": [["a"]]}"#, &[]);
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[test]
fn with_a_sample_a_request_that_breaks_its_columns_is_a_400_naming_each_breach() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    let serve = Serve::start(&s, &["--echo", "--sample", "sample.json"], &[]);
    let refused = [
        (
            r#"{"inputs": [["customer", "lines"], ["Ada", null]]}"#,
            "/inputs/0",
            "no column `amount`",
        ),
        (
            r#"{"inputs": [["customer", "amount", "lines", "extra"], ["Ada", 1, null, 1]]}"#,
            "/inputs/0",
            "column `extra` is not one of the service's columns",
        ),
        (
            r#"{"inputs": [["customer", "amount", "lines"], ["Ada", "ten", null]]}"#,
            "/inputs/1/1",
            "`amount` of record 1: expected a number, got a string",
        ),
        (
            r#"{"inputs": [["customer", "amount", "lines"], ["Ada", 1, null], [[["x"], [1]], 1, null]]}"#,
            "/inputs/2/0",
            "`customer` of record 2: expected a string, got a nested table",
        ),
        (
            r#"{"inputs": [["customer", "amount", "lines"], ["Ada", 1, [["sku", "qty"], ["A", "two"]]]]}"#,
            "/inputs/1/2/1/1",
            "`qty` of row 1: expected an integer, got a string",
        ),
        (
            r#"{"inputs": [["customer", "amount", "lines"], ["Ada", 1, [["sku", "size"], ["A", 1]]]]}"#,
            "/inputs/1/2/0",
            "column `size` is not one of the service's columns",
        ),
        (
            r#"{"inputs": [["amount", "customer", "lines"], [1, "Ada", null]]}"#,
            "/inputs/0",
            "the columns come in another order: the service reads `customer`, `amount`, `lines`",
        ),
    ];
    for (body, pointer, message) in refused {
        let answer = post(&serve.url, body, &[]);
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        let doc = answer.json();
        let first = &doc["errors"][0][0];
        assert_eq!(first["source_path"], pointer, "{body}: {}", answer.body);
        assert!(
            first["message"].as_str().unwrap().starts_with(message),
            "{body}: {}",
            answer.body
        );
        assert_eq!(first["error_type"], "400");
        assert_valid_response(&answer.body);
    }
    // `null` anywhere, an empty nested table, a nested table's columns in another order or left
    // out, integers in a decimal column, a whole `2.0` as an integer: the service's columns are
    // kept, and the handler answers.
    let kept = r#"{"inputs": [["customer", "amount", "lines"],
        ["Ada", 3, []], [null, null, null], ["", -0.5, [["qty", "sku"], [2.0, "B"]]],
        ["Linus", 1, [["sku"], ["C"]]]]}"#;
    let answer = post(&serve.url, kept, &[]);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.json()["outputs"][0],
        serde_json::json!(["customer", "amount", "lines"])
    );
    // The sample itself, whose nested tables do not all carry every column, is kept.
    s.write(
        "ragged.json",
        r#"{"inputs": [["id", "t"], [1, [["k", "v"], ["a", 1]]], [2, [["k"], ["b"]]]]}"#,
    );
    let ragged = Serve::start(&s, &["--echo", "--sample", "ragged.json"], &[]);
    let answer = post(&ragged.url, s.read("ragged.json"), &[]);
    assert_eq!(answer.status, 200, "{}", answer.body);
}

/// `--columns` states kinds over the sample's (here: `amount`, only `null` in the sample, an
/// integer); a file that is wrong, or that the sample breaks, is a usage error naming where,
/// before serve listens.
#[test]
fn a_columns_file_states_the_kinds_and_a_wrong_one_is_refused_at_start() {
    let s = Scratch::new();
    s.write(
        "sample.json",
        r#"{"inputs": [["customer", "amount", "lines"], ["Ada", null, null]]}"#,
    );
    s.write("columns.json", r#"{"amount": "integer"}"#);
    let serve = Serve::start(
        &s,
        &[
            "--echo",
            "--sample",
            "sample.json",
            "--columns",
            "columns.json",
        ],
        &[],
    );
    let decimal = r#"{"inputs": [["customer", "amount", "lines"], ["Ada", 1.5, null]]}"#;
    let answer = post(&serve.url, decimal, &[]);
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(answer.body.contains("expected an integer, got a decimal"));
    let integer = r#"{"inputs": [["customer", "amount", "lines"], ["Ada", 2, null]]}"#;
    assert_eq!(post(&serve.url, integer, &[]).status, 200);
    // Alone, the file is the whole contract.
    let alone = Serve::start(&s, &["--echo", "--columns", "columns.json"], &[]);
    assert_eq!(
        post(&alone.url, r#"{"inputs": [["amount"], [7]]}"#, &[]).status,
        200
    );
    assert_eq!(post(&alone.url, integer, &[]).status, 400);

    s.write("bad.json", r#"{"amount": "float"}"#);
    let out = s
        .xconn()
        .args([
            "serve",
            "--echo",
            "--addr",
            "127.0.0.1:0",
            "--columns",
            "bad.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--columns bad.json: /amount: unknown kind `float`"),
        "{stderr}"
    );
    s.write("not-a-request.json", r#"{"outputs": []}"#);
    let out = s
        .xconn()
        .args([
            "serve",
            "--echo",
            "--addr",
            "127.0.0.1:0",
            "--sample",
            "not-a-request.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A file the sample breaks — a column it lacks, a kind its values break — would have serve
    // refuse its own sample: refused at start, by check too.
    s.write("full.json", SAMPLE);
    for (file, text, breach) in [
        ("adds.json", r#"{"vip": "boolean"}"#, "no column `vip`"),
        (
            "narrows.json",
            r#"{"amount": "integer"}"#,
            "`amount` of record 1: expected an integer, got a decimal",
        ),
    ] {
        s.write(file, text);
        for command in [
            &["serve", "--echo", "--addr", "127.0.0.1:0"][..],
            &["check", "http://127.0.0.1:9/"][..],
        ] {
            let out = s
                .xconn()
                .args(command)
                .args(["--sample", "full.json", "--columns", file])
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{command:?} {file}: {stderr}");
            assert!(
                stderr.contains(&format!("--columns {file} and --sample full.json disagree"))
                    && stderr.contains(breach),
                "{command:?} {file}: {stderr}"
            );
        }
    }
}

/// The contract's judge is linear and its answer bounded: a request of 20,000 columns none of
/// which the service knows gets 100 entries at most, each naming at most ten of its columns.
#[test]
fn a_wide_request_gets_a_bounded_answer() {
    let s = Scratch::new();
    let n = 20_000;
    let header = |prefix: &str| {
        let names: Vec<String> = (0..n).map(|i| format!("\"{prefix}{i}\"")).collect();
        names.join(",")
    };
    let ones = vec!["1"; n].join(",");
    s.write(
        "wide.json",
        format!(r#"{{"inputs": [[{}], [{ones}]]}}"#, header("c")),
    );
    let serve = Serve::start(&s, &["--echo", "--sample", "wide.json"], &[]);
    let other = format!(r#"{{"inputs": [[{}], [{ones}]]}}"#, header("d"));
    let answer = post(&serve.url, other, &[]);
    assert_eq!(answer.status, 400);
    let doc = answer.json();
    let entries = doc["errors"][0].as_array().unwrap();
    assert_eq!(entries.len(), 100, "{}", entries.len());
    assert!(entries[0]["message"]
        .as_str()
        .unwrap()
        .ends_with("and 19990 more"));
    assert!(answer.body.len() < 64 * 1024, "{} bytes", answer.body.len());
    assert_eq!(post(&serve.url, s.read("wide.json"), &[]).status, 200);
}

/// The contract is checked before the handler runs: a handler that would crash is never called
/// for a request that breaks it.
#[test]
fn the_contract_is_kept_before_the_handler_runs() {
    let s = Scratch::new();
    s.write("sample.json", SAMPLE);
    s.write("called", "");
    let serve = Serve::start(
        &s,
        &[
            "--exec",
            "echo called >> called; exit 1",
            "--sample",
            "sample.json",
        ],
        &[],
    );
    let answer = post(&serve.url, r#"{"inputs": [["nope"], [1]]}"#, &[]);
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(s.read("called"), "", "the handler ran");
}
