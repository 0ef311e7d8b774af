//! `xconn schema openapi`: the document is valid OpenAPI 3.1 by a third-party validator
//! (openapi-spec-validator), and Schemathesis run with it against `xconn serve --echo` finds no
//! failure (but does find the one a broken service has). Both tools come from PyPI: `.ci/run`
//! installs them into `target/py-tools`; elsewhere they are looked up on PATH.

use std::path::PathBuf;
use std::process::Command;

use crate::common;

use common::serve::Serve;
use common::Scratch;

/// A Python tool: from `target/py-tools/bin` (where `.ci/run` installs it), else from PATH.
fn tool(name: &str) -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/py-tools/bin");
    let candidates = std::iter::once(venv.join(name)).chain(
        std::env::var_os("PATH")
            .map(|p| {
                std::env::split_paths(&p)
                    .map(|d| d.join(name))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
    );
    let found = candidates.into_iter().find(|p| p.is_file());
    common::available(
        &format!("{name} (PyPI; .ci/run installs it into target/py-tools)"),
        found.is_some(),
    )
    .then_some(found)
    .flatten()
}

fn openapi(s: &Scratch, args: &[&str], file: &str) -> PathBuf {
    let out = s
        .xconn()
        .args(["schema", "openapi"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    s.write(file, &out.stdout)
}

#[test]
fn the_openapi_document_is_valid_openapi_3_1() {
    let Some(validator) = tool("openapi-spec-validator") else {
        return;
    };
    let s = Scratch::new();
    let sample = common::fixture("request-example3-records-with-tables.json");
    let documents = [
        openapi(&s, &[], "plain.json"),
        openapi(
            &s,
            &[
                "--sample",
                sample.to_str().unwrap(),
                "--url",
                "https://svc.example/v1/run",
            ],
            "sample.json",
        ),
    ];
    for doc in documents {
        let out = Command::new(&validator)
            .args(["--schema", "3.1"])
            .arg(&doc)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{}: {text}", doc.display());
        assert!(text.contains("OK"), "{text}");
    }
    let doc = common::json(&s.read("sample.json"));
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "https://svc.example");
    assert!(doc["paths"]["/v1/run"]["post"]["security"].is_array());
}

/// `--sample` and `--url` only shape an OpenAPI document.
#[test]
fn sample_and_url_are_for_openapi_only() {
    let out = common::xconn()
        .args(["schema", "request", "--url", "https://x.example/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("xconn schema openapi"));
}

/// Schemathesis, given the document, generates requests (and broken ones) for `serve --echo`
/// behind a token: no failure. Its "a schema-valid request must be accepted" check is left out:
/// the format has rules a JSON Schema cannot say (each record as wide as its header), which
/// serve enforces with a 400. The same run against a service answering 500 fails.
#[test]
fn schemathesis_finds_no_failure_against_serve_echo() {
    let Some(st) = tool("schemathesis") else {
        return;
    };
    let s = Scratch::new();
    let doc = openapi(&s, &[], "openapi.json");
    let run = |serve: &Serve| {
        Command::new(&st)
            .current_dir(s.dir.path())
            .env("HOME", s.dir.path())
            .env("NO_COLOR", "1")
            .args(["run", doc.to_str().unwrap(), "--url", &serve.url])
            .args(["--header", "Authorization: Bearer schemathesis-token"])
            .args(["--max-examples", "60", "--seed", "1", "--no-color"])
            .args(["--exclude-checks", "positive_data_acceptance"])
            .output()
            .unwrap()
    };
    let env = [("SVC_TOKEN", "schemathesis-token")];
    let echo = Serve::start(&s, &["--echo", "--token-env", "SVC_TOKEN"], &env);
    let out = run(&echo);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("No issues found"), "{text}");
    let broken = Serve::start(
        &s,
        &["--echo", "--token-env", "SVC_TOKEN", "--status", "500"],
        &env,
    );
    let out = run(&broken);
    assert!(
        !out.status.success(),
        "Schemathesis missed a 500: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The sample's own shape never contradicts the validator: a sample of 25 records whose nested
/// tables give their columns in varying orders validates against the Request schema made from
/// it (by Python's `jsonschema`, Draft 2020-12).
#[test]
fn a_large_sample_with_reordered_nested_headers_validates_against_its_schema() {
    let Some(python) = tool("python") else {
        return;
    };
    let s = Scratch::new();
    let records: Vec<String> = (0..25)
        .map(|i| {
            let table = if i % 2 == 0 {
                r#"[["sku", "qty"], ["a", 1], ["b", 2]]"#
            } else {
                r#"[["qty", "sku"], [3, "c"]]"#
            };
            format!(r#"[{i}, "name {i}", {table}]"#)
        })
        .collect();
    let sample = format!(
        r#"{{"inputs": [["n", "name", "lines"], {}]}}"#,
        records.join(", ")
    );
    let sample = s.write("sample.json", &sample);
    let doc = openapi(&s, &["--sample", sample.to_str().unwrap()], "doc.json");
    let script = "import json, sys, jsonschema\n\
        doc = json.load(open(sys.argv[1]))\n\
        schema = {'$ref': '#/components/schemas/Request', 'components': doc['components']}\n\
        jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))\n\
        print('valid')\n";
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(&doc)
        .arg(&sample)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && text.contains("valid"), "{text}");
}
