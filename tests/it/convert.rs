//! `xconn convert`: spec examples built from CSV / JSON objects / NDJSON, layouts, output files,
//! source detection, type inference and overrides, nested tables, reverse conversion and round
//! trips, and every bad-input message with its exit code.

use crate::common;

use common::{fixture, fixture_text, json, Scratch, SPEC_EXAMPLES};
use serde_json::Value;

/// Run `xconn convert ARGS…` in a scratch dir; return (exit code, stdout, stderr).
fn run(scratch: &Scratch, args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut cmd = scratch.xconn();
    cmd.arg("convert").args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input.to_vec());
    }
    let output = cmd.output().expect("run xconn");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    )
}

/// A conversion that must succeed; its stdout.
fn ok(scratch: &Scratch, args: &[&str], stdin: Option<&[u8]>) -> String {
    let (code, out, err) = run(scratch, args, stdin);
    assert_eq!(code, 0, "xconn convert {args:?} failed:\n{err}");
    assert!(err.is_empty(), "unexpected stderr: {err}");
    out
}

/// A conversion that must fail with `code` and one `xconn: error:` line; that line.
fn fails(scratch: &Scratch, args: &[&str], stdin: Option<&[u8]>, code: i32) -> String {
    let (actual, out, err) = run(scratch, args, stdin);
    assert_eq!(actual, code, "exit code of {args:?}; stderr:\n{err}");
    assert!(
        err.starts_with("xconn: error: ") && err.lines().count() == 1,
        "expected one error line, got:\n{err}"
    );
    if code != 0 && args.contains(&"-o") {
        assert!(out.is_empty());
    }
    err.trim_end().to_string()
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn assert_contains(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "expected {part:?} in:\n{text}");
    }
}

fn fixture_json(name: &str) -> Value {
    json(&fixture_text(name))
}

// --- the spec's examples --------------------------------------------------------------------

#[test]
fn example1_from_csv_matches_the_spec_fixture() {
    let s = Scratch::new();
    let out = ok(
        &s,
        &[path(&fixture("convert/example1-single-values.csv"))],
        None,
    );
    assert_eq!(
        json(&out),
        fixture_json("request-example1-single-values.json")
    );
}

#[test]
fn example1_from_json_objects_matches_the_spec_fixture() {
    let s = Scratch::new();
    let file = fixture("convert/example1-single-values-objects.json");
    let out = ok(&s, &[path(&file)], None);
    assert_eq!(
        json(&out),
        fixture_json("request-example1-single-values.json")
    );
}

#[test]
fn example2_from_nested_csv_matches_the_spec_fixture() {
    let s = Scratch::new();
    let file = fixture("convert/example2-table-input-nested.csv");
    let out = ok(&s, &[path(&file), "--nest"], None);
    assert_eq!(
        json(&out),
        fixture_json("request-example2-table-input.json")
    );
}

#[test]
fn example2_from_one_json_object_matches_the_spec_fixture() {
    let s = Scratch::new();
    let file = fixture("convert/example2-table-input-objects.json");
    let out = ok(&s, &[path(&file)], None);
    assert_eq!(
        json(&out),
        fixture_json("request-example2-table-input.json")
    );
}

#[test]
fn example3_from_nested_csv_matches_the_spec_fixture() {
    let s = Scratch::new();
    let out = ok(&s, &[path(&fixture("courses-nested.csv")), "--nest"], None);
    assert_eq!(
        json(&out),
        fixture_json("request-example3-records-with-tables.json")
    );
}

#[test]
fn example3_from_json_objects_matches_the_spec_fixture() {
    let s = Scratch::new();
    let file = fixture("convert/example3-records-with-tables-objects.json");
    let out = ok(&s, &[path(&file)], None);
    assert_eq!(
        json(&out),
        fixture_json("request-example3-records-with-tables.json")
    );
}

#[test]
fn example3_from_ndjson_matches_the_spec_fixture() {
    let s = Scratch::new();
    let file = fixture("convert/example3-records-with-tables.ndjson");
    let out = ok(&s, &[path(&file)], None);
    assert_eq!(
        json(&out),
        fixture_json("request-example3-records-with-tables.json")
    );
}

/// The commands of the README's "Set up" block, in order.
fn readme_setup_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let section = readme
        .split("\n## Set up\n")
        .nth(1)
        .expect("README has a \"## Set up\" section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the set-up section has a sh code block");
    block
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim().to_string())
        .filter(|command| !command.is_empty())
        .collect()
}

#[test]
fn readme_setup_command_builds_spec_example3() {
    let commands = readme_setup_commands();
    assert_eq!(commands.len(), 2, "two set-up commands: {commands:?}");
    assert_eq!(commands[1], "cargo test --locked");
    // CI runs the README's test command, as written.
    let ci =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run"))
            .unwrap();
    assert!(
        ci.lines().any(|line| line.trim() == commands[1]),
        ".ci/run does not run {:?}",
        commands[1]
    );
    let args = commands[0]
        .strip_prefix("cargo run --release -- ")
        .unwrap_or_else(|| panic!("first set-up command runs xconn: {:?}", commands[0]));
    let assert = common::xconn()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args.split_whitespace())
        .assert()
        .success()
        .stderr("");
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert_eq!(
        json(&out),
        fixture_json("request-example3-records-with-tables.json")
    );
    assert_eq!(
        out,
        r#"{
  "inputs": [
    ["Course", "Semester", "Students"],
    ["ECON101", "2022 Spring", [["SID", "Grade"], [123, 90], [234, 76], [345, 54]]],
    ["ECON102", "2023 Fall", [["SID", "Grade"], [234, 85], [567, 72], [890, 97]]],
    ["STAT101", "2023 Fall", [["SID", "Grade"], [234, 77], [456, 80], [678, 91]]]
  ]
}
"#
    );
}

#[test]
fn spec_fixtures_exist_and_convert_back_to_the_same_body() {
    let s = Scratch::new();
    for name in SPEC_EXAMPLES {
        let out = ok(&s, &[path(&fixture(name)), "--to", "body"], None);
        assert_eq!(json(&out), fixture_json(name), "{name}");
    }
}

#[test]
fn broken_example1_fixture_differs_from_its_twin_only_by_the_trailing_comma() {
    let broken = fixture_text("request-example1-single-values-trailing-comma.json");
    let fixed = fixture_text("request-example1-single-values.json");
    assert_eq!(
        broken,
        fixed.replace(
            "[ \"value13\", \"value23\" ]\n",
            "[ \"value13\", \"value23\" ],\n"
        )
    );
    assert_ne!(broken, fixed);
}

// --- layouts, kinds, output files -----------------------------------------------------------

#[test]
fn default_layout_puts_one_record_per_line() {
    let s = Scratch::new();
    let out = ok(
        &s,
        &[path(&fixture("convert/example1-single-values.csv"))],
        None,
    );
    assert_eq!(
        out,
        "{\n  \"inputs\": [\n    [\"key1\", \"key2\"],\n    [\"value11\", \"value21\"],\n    [\"value12\", \"value22\"],\n    [\"value13\", \"value23\"]\n  ]\n}\n"
    );
}

#[test]
fn compact_layout_is_one_line() {
    let s = Scratch::new();
    let file = fixture("convert/example1-single-values.csv");
    let out = ok(&s, &[path(&file), "--compact"], None);
    assert_eq!(
        out,
        "{\"inputs\":[[\"key1\",\"key2\"],[\"value11\",\"value21\"],[\"value12\",\"value22\"],[\"value13\",\"value23\"]]}\n"
    );
}

#[test]
fn pretty_layout_puts_every_value_on_its_own_line() {
    let s = Scratch::new();
    let out = ok(&s, &["-", "--from", "csv", "--pretty"], Some(b"a,b\n1,x\n"));
    assert_eq!(
        out,
        "{\n  \"inputs\": [\n    [\n      \"a\",\n      \"b\"\n    ],\n    [\n      1,\n      \"x\"\n    ]\n  ]\n}\n"
    );
}

#[test]
fn pretty_layout_indents_every_value() {
    let s = Scratch::new();
    let file = fixture("courses-nested.csv");
    let out = ok(&s, &[path(&file), "--nest", "--pretty"], None);
    assert!(out.contains("\n          \"SID\",\n"), "{out}");
    assert_eq!(
        json(&out),
        fixture_json("request-example3-records-with-tables.json")
    );
}

#[test]
fn kind_response_builds_outputs_with_null_warnings_and_errors() {
    let s = Scratch::new();
    let file = fixture("convert/example1-single-values.csv");
    for layout in ["--compact", "--pretty", "--nest"] {
        let out = ok(&s, &[path(&file), "--kind", "response", layout], None);
        assert_eq!(
            json(&out),
            json(
                r#"{"outputs": [["key1", "key2"], ["value11", "value21"], ["value12", "value22"],
                    ["value13", "value23"]],
                    "warnings": [null, null, null], "errors": [null, null, null],
                    "process_time": [1, 1, 1]}"#
            ),
            "{layout}"
        );
    }
}

#[test]
fn output_file_gets_the_body() {
    let s = Scratch::new();
    let file = fixture("convert/example1-single-values.csv");
    let out = ok(&s, &[path(&file), "-o", "body.json"], None);
    assert!(out.is_empty());
    assert_eq!(
        json(&s.read("body.json")),
        fixture_json("request-example1-single-values.json")
    );
}

#[test]
fn failed_conversion_leaves_the_output_file_untouched_and_no_temp_file() {
    let s = Scratch::new();
    s.write("old.json", "previous");
    let mut csv = String::from("a,b\n");
    for i in 0..5000 {
        csv.push_str(&format!("{i},x\n"));
    }
    csv.push_str("1,2,3\n");
    s.write("big.csv", &csv);
    let err = fails(&s, &["big.csv", "-o", "old.json"], None, 1);
    assert_contains(
        &err,
        &["big.csv:5002: row 5001 has 3 fields but the header has 2"],
    );
    assert_eq!(s.read("old.json"), "previous");
    let names: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "left behind: {names:?}");
    fails(&s, &["big.csv", "-o", "new.json"], None, 1);
    assert!(!s.path("new.json").exists());
}

// --- sources ------------------------------------------------------------------------------

#[test]
fn tsv_extension_means_tab_delimited() {
    let s = Scratch::new();
    let out = ok(
        &s,
        &[path(&fixture("convert/people-tab-separated.tsv"))],
        None,
    );
    assert_eq!(
        json(&out),
        json(r#"{"inputs": [["name", "age"], ["Ada", 36], ["Alan", 41]]}"#)
    );
}

#[test]
fn delimiter_flag_takes_one_character_or_backslash_t() {
    let s = Scratch::new();
    s.write("semi.csv", "a;b\n1;x,y\n");
    let out = ok(&s, &["semi.csv", "--delimiter", ";"], None);
    assert_eq!(json(&out), json(r#"{"inputs": [["a", "b"], [1, "x,y"]]}"#));
    s.write("tabs.txt", "a\tb\n1\t2\n");
    let out = ok(&s, &["tabs.txt", "--from", "csv", "-d", "\\t"], None);
    assert_eq!(json(&out), json(r#"{"inputs": [["a", "b"], [1, 2]]}"#));
    let err = fails(&s, &["semi.csv", "--delimiter", ";;"], None, 2);
    assert_contains(&err, &["--delimiter must be one ASCII character"]);
}

#[test]
fn stdin_csv_is_recognised_without_from() {
    let s = Scratch::new();
    let out = ok(&s, &["-"], Some(b"a,b\n1,x\n"));
    assert_eq!(json(&out), json(r#"{"inputs": [["a", "b"], [1, "x"]]}"#));
}

#[test]
fn stdin_json_array_is_recognised_without_from() {
    let s = Scratch::new();
    let out = ok(&s, &["-"], Some(b"  \n[{\"a\": 1}]"));
    assert_eq!(json(&out), json(r#"{"inputs": [["a"], [1]]}"#));
}

#[test]
fn stdin_ndjson_is_recognised_without_from() {
    let s = Scratch::new();
    let out = ok(&s, &["-"], Some(b"{\"a\": 1}\n{\"b\": 2}\n"));
    assert_eq!(
        json(&out),
        json(r#"{"inputs": [["a", "b"], [1, null], [null, 2]]}"#)
    );
}

#[test]
fn stdin_single_object_is_one_record() {
    let s = Scratch::new();
    let out = ok(&s, &["-"], Some(b"{\n  \"a\": 1,\n  \"b\": \"x\"\n}\n"));
    assert_eq!(json(&out), json(r#"{"inputs": [["a", "b"], [1, "x"]]}"#));
}

#[test]
fn concatenated_pretty_objects_are_records() {
    let s = Scratch::new();
    let out = ok(&s, &["-"], Some(b"{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}\n"));
    assert_eq!(json(&out), json(r#"{"inputs": [["a"], [1], [2]]}"#));
}

#[test]
fn stdin_body_is_recognised_and_turned_into_objects() {
    let s = Scratch::new();
    let body = fixture_text("request-example1-single-values.json");
    let out = ok(&s, &["-"], Some(body.as_bytes()));
    assert_eq!(
        json(&out),
        fixture_json("convert/example1-single-values-objects.json")
    );
}

/// Run `xconn ARGS` on a large CSV fed to standard input; true when the first output byte came
/// before the whole input was written (the input is far larger than any buffer in between).
fn output_starts_before_the_input_ends(args: &[&str]) -> bool {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("xconn"))
        .args(args)
        .env_clear()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start xconn");
    let mut stdin = child.stdin.take().unwrap();
    let got_output = Arc::new(AtomicBool::new(false));
    let all_written = Arc::new(AtomicBool::new(false));
    let feeder = {
        let (got_output, all_written) = (got_output.clone(), all_written.clone());
        std::thread::spawn(move || {
            stdin.write_all(b"id,name,amount\n").unwrap();
            let chunk: String = (0..1000)
                .map(|i| format!("{i},\"row, {i}\",1.10\n"))
                .collect();
            // 32 MB at most.
            for _ in 0..1000 {
                if got_output.load(Ordering::SeqCst) {
                    return;
                }
                stdin.write_all(chunk.as_bytes()).unwrap();
            }
            all_written.store(true, Ordering::SeqCst);
        })
    };
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).expect("some output");
    let input_was_finished = all_written.load(Ordering::SeqCst);
    got_output.store(true, Ordering::SeqCst);
    std::io::copy(&mut stdout, &mut std::io::sink()).unwrap();
    feeder.join().unwrap();
    assert!(child.wait().unwrap().success(), "xconn {args:?} failed");
    assert_eq!(first[0], b'{');
    !input_was_finished
}

#[test]
fn csv_from_stdin_streams_output_before_the_input_ends() {
    for args in [
        ["convert", "--from", "csv", "-"].as_slice(),
        ["convert", "-"].as_slice(),
    ] {
        assert!(
            output_starts_before_the_input_ends(args),
            "xconn {args:?}: no output until the whole input was written: CSV is not streamed"
        );
    }
}

#[test]
fn from_flag_overrides_the_extension() {
    let s = Scratch::new();
    s.write("data.txt", "{\"a\": 1}\n{\"a\": 2}\n");
    let out = ok(&s, &["data.txt", "--from", "ndjson"], None);
    assert_eq!(json(&out), json(r#"{"inputs": [["a"], [1], [2]]}"#));
    // A contradicting extension loses to the flag.
    s.write("data.csv", "[{\"a\": 1}]");
    let out = ok(&s, &["data.csv", "--from", "json"], None);
    assert_eq!(json(&out), json(r#"{"inputs": [["a"], [1]]}"#));
    s.write("data.json", "a\n1\n");
    let out = ok(&s, &["data.json", "--from", "csv"], None);
    assert_eq!(json(&out), json(r#"{"inputs": [["a"], [1]]}"#));
}

#[test]
fn extension_chooses_the_format() {
    let s = Scratch::new();
    // Two documents on one line: only the NDJSON reader rejects them, with this message.
    for file in ["one.jsonl", "one.ndjson"] {
        s.write(file, "{\"a\": 1}\n");
        let out = ok(&s, &[file], None);
        assert_eq!(json(&out), json(r#"{"inputs": [["a"], [1]]}"#), "{file}");
        s.write(file, "{\"a\": 1} [1]\n");
        let err = fails(&s, &[file], None, 1);
        assert_eq!(
            err,
            format!(
                "xconn: error: {file}:1:10: content after the end of the JSON document \
                 (hint: each NDJSON line holds exactly one JSON object)"
            )
        );
    }
    // `[` would be sniffed as JSON, but `.csv` says CSV: one column named `[1`.
    s.write("odd.csv", "[1\n2\n");
    let out = ok(&s, &["odd.csv"], None);
    assert_eq!(json(&out), json(r#"{"inputs": [["[1"], [2]]}"#));
    // `a` would be sniffed as CSV, but `.json` says JSON.
    s.write("odd.json", "a\n");
    let err = fails(&s, &["odd.json"], None, 1);
    assert_contains(&err, &["odd.json:1:1: "]);
}

#[test]
fn byte_order_mark_is_skipped_in_every_format() {
    let s = Scratch::new();
    s.write("bom.csv", b"\xEF\xBB\xBFa,b\n1,2\n");
    s.write("bom.json", b"\xEF\xBB\xBF[{\"a\": 1, \"b\": 2}]");
    s.write("bom.ndjson", b"\xEF\xBB\xBF{\"a\": 1, \"b\": 2}\n");
    s.write(
        "bom.txt",
        b"\xEF\xBB\xBF{\"a\": 1, \"b\": 2}\n{\"a\": 3, \"b\": 4}\n",
    );
    for file in ["bom.csv", "bom.json", "bom.ndjson"] {
        let out = ok(&s, &[file], None);
        assert_eq!(
            json(&out),
            json(r#"{"inputs": [["a", "b"], [1, 2]]}"#),
            "{file}"
        );
        // The same bytes on standard input, where the format is told from the content.
        let bytes = std::fs::read(s.path(file)).unwrap();
        let out = ok(&s, &["-"], Some(&bytes));
        assert_eq!(
            json(&out),
            json(r#"{"inputs": [["a", "b"], [1, 2]]}"#),
            "{file} on stdin"
        );
    }
    let out = ok(&s, &["bom.txt"], None);
    assert_eq!(
        json(&out),
        json(r#"{"inputs": [["a", "b"], [1, 2], [3, 4]]}"#),
        "sniffed NDJSON"
    );
    let body = b"\xEF\xBB\xBF{\"inputs\": [[\"a\"], [1]]}";
    let out = ok(&s, &["-", "--to", "ndjson"], Some(body));
    assert_eq!(out, "{\"a\":1}\n", "a body");
}

// --- CSV types ------------------------------------------------------------------------------

#[test]
fn inference_turns_only_json_numbers_dot_fractions_and_lowercase_booleans_into_values() {
    let s = Scratch::new();
    let out = ok(
        &s,
        &[path(&fixture("convert/type-inference-cases.csv"))],
        None,
    );
    let expected = r#"{"inputs": [["text", "number"],
        ["007", 7], ["02134", -0], [0.5, 1.10], ["1.", 1e3], ["+1", 1E-7],
        ["NaN", 12345678901234567890], ["inf", 0], ["0x1F", -2.5e+3], ["1_000", 3],
        ["TRUE", true], ["True", false], ["", 5], [" 42", 6]]}"#;
    assert_eq!(json(&out), json(expected));
    // Numbers keep their exact text.
    assert_contains(
        &out,
        &[
            "1.10",
            "1e3",
            "1E-7",
            "12345678901234567890",
            "-2.5e+3",
            "-0]",
            "[0.5,",
        ],
    );
}

#[test]
fn types_string_keeps_every_value_a_string() {
    let s = Scratch::new();
    s.write("t.csv", "a,b,c\n7,true,\n");
    let out = ok(&s, &["t.csv", "--types", "string"], None);
    assert_eq!(
        json(&out),
        json(r#"{"inputs": [["a", "b", "c"], ["7", "true", ""]]}"#)
    );
}

#[test]
fn type_overrides_set_one_column_each() {
    let s = Scratch::new();
    s.write(
        "t.csv",
        "zip,qty,price,ok,note\n007,0042,007.50,TRUE,1\n,,,,2\n",
    );
    let out = ok(
        &s,
        &[
            "t.csv",
            "--type",
            "zip=string",
            "--type",
            "qty=integer",
            "--type",
            "price=number",
            "--type",
            "ok=boolean",
            "--type",
            "note=string",
        ],
        None,
    );
    assert_eq!(
        json(&out),
        json(
            r#"{"inputs": [["zip", "qty", "price", "ok", "note"],
                ["007", 42, 7.50, true, "1"], ["", null, null, null, "2"]]}"#
        )
    );
}

#[test]
fn cell_that_does_not_fit_its_type_names_row_and_column() {
    let s = Scratch::new();
    s.write("t.csv", "name,age\nAda,36\n\"Al\nan\",forty\n");
    let err = fails(&s, &["t.csv", "--type", "age=integer"], None, 1);
    assert_eq!(
        err,
        "xconn: error: t.csv:3: row 2, column \"age\": \"forty\" is not an integer (from --type)"
    );
    s.write("m.csv", "a,b,c\n1,true,3\nx,maybe,1.5\n");
    for (ty, message) in [
        (
            "a=number",
            "m.csv:3: row 2, column \"a\": \"x\" is not a number (from --type)",
        ),
        (
            "b=boolean",
            "m.csv:3: row 2, column \"b\": \"maybe\" is not true or false (from --type)",
        ),
        (
            "c=integer",
            "m.csv:3: row 2, column \"c\": \"1.5\" is not an integer (from --type)",
        ),
    ] {
        let err = fails(&s, &["m.csv", "--type", ty], None, 1);
        assert_eq!(err, format!("xconn: error: {message}"));
    }
}

#[test]
fn type_override_for_an_unknown_column_is_a_usage_error() {
    let s = Scratch::new();
    s.write("t.csv", "name,age\nAda,36\n");
    let err = fails(&s, &["t.csv", "--type", "agee=integer"], None, 2);
    assert_contains(
        &err,
        &["t.csv has no column \"agee\"", "columns: name, age"],
    );
}

#[test]
fn malformed_type_override_is_a_usage_error() {
    let s = Scratch::new();
    s.write("t.csv", "a\n1\n");
    let err = fails(&s, &["t.csv", "--type", "a=float"], None, 2);
    assert_contains(&err, &["unknown type \"float\""]);
    let err = fails(&s, &["t.csv", "--type", "a"], None, 2);
    assert_contains(&err, &["expected COL=TYPE"]);
}

// --- JSON objects ------------------------------------------------------------------------------

#[test]
fn header_is_every_key_in_order_of_first_appearance_and_missing_keys_are_null() {
    let s = Scratch::new();
    s.write("o.json", r#"[{"b": 1}, {"a": 2, "b": 3}, {"c": true}]"#);
    let out = ok(&s, &["o.json"], None);
    assert_eq!(
        json(&out),
        json(r#"{"inputs": [["b", "a", "c"], [1, null, null], [3, 2, null], [null, null, true]]}"#)
    );
}

#[test]
fn nested_object_is_an_error_with_its_path_position_and_flatten_hint() {
    let s = Scratch::new();
    let file = fixture("convert/people-nested-object.json");
    let err = fails(&s, &[path(&file)], None, 1);
    assert_contains(
        &err,
        &[
            "people-nested-object.json:4:15: /1/address is an object",
            "only the JSON array format",
            "--flatten",
            "address.city",
        ],
    );
}

#[test]
fn flatten_turns_nested_objects_into_dotted_keys_recursively() {
    let s = Scratch::new();
    let file = fixture("convert/people-nested-object.json");
    let out = ok(&s, &[path(&file), "--flatten"], None);
    assert_eq!(
        json(&out),
        json(
            r#"{"inputs": [["name", "age", "address.city", "address.geo.lat", "address.geo.lon"],
                ["Ada", 36, null, null, null], ["Alan", 41, "Wilmslow", 53.3, -2.2]]}"#
        )
    );
}

#[test]
fn flatten_applies_inside_nested_tables() {
    let s = Scratch::new();
    s.write("o.json", r#"{"T": [{"p": {"x": 1}}, {"q": 2}]}"#);
    let out = ok(&s, &["o.json", "--flatten"], None);
    assert_eq!(
        json(&out),
        json(r#"{"inputs": [["T"], [[["p.x", "q"], [1, null], [null, 2]]]]}"#)
    );
}

#[test]
fn array_of_plain_values_is_an_error_with_a_hint() {
    let s = Scratch::new();
    s.write("o.json", "[{\"tags\": [\"a\", \"b\"]}]");
    let err = fails(&s, &["o.json"], None, 1);
    assert_contains(
        &err,
        &[
            "o.json:1:11: /0/tags is an array of plain values",
            "array of objects",
        ],
    );
}

#[test]
fn empty_array_becomes_an_empty_table() {
    let s = Scratch::new();
    s.write("o.json", r#"[{"k": 1, "T": []}]"#);
    let out = ok(&s, &["o.json"], None);
    // `[]` is the empty table (no columns, no rows): the validator accepts it and it converts
    // back to an empty list.
    assert_eq!(json(&out), json(r#"{"inputs": [["k", "T"], [1, []]]}"#));
    s.write("body.json", &out);
    s.xconn().args(["validate", "body.json"]).assert().code(0);
    let back = ok(&s, &["body.json", "--to", "json"], None);
    assert_eq!(json(&back), json(r#"[{"k": 1, "T": []}]"#));
}

#[test]
fn array_already_in_table_format_is_kept() {
    let s = Scratch::new();
    s.write("o.json", r#"[{"T": [["a"], [1]]}]"#);
    let out = ok(&s, &["o.json"], None);
    assert_eq!(json(&out), json(r#"{"inputs": [["T"], [[["a"], [1]]]]}"#));
}

#[test]
fn array_element_that_is_not_an_object_is_an_error() {
    let s = Scratch::new();
    s.write("o.json", "[\n  {\"a\": 1},\n  42\n]");
    let err = fails(&s, &["o.json"], None, 1);
    assert_eq!(
        err,
        "xconn: error: o.json:3:3: /1 is a number, but every element must be an object (a record)"
    );
}

#[test]
fn empty_json_array_is_an_error() {
    let s = Scratch::new();
    s.write("o.json", "[]");
    let err = fails(&s, &["o.json"], None, 1);
    assert_contains(&err, &["o.json: the array is empty"]);
}

// --- nested tables from CSV -----------------------------------------------------------------

#[test]
fn nest_rows_with_all_table_cells_empty_add_no_table_row() {
    let s = Scratch::new();
    let file = fixture("convert/nested-record-without-table-rows.csv");
    let out = ok(&s, &[path(&file), "--nest"], None);
    assert_eq!(
        json(&out),
        json(
            r#"{"inputs": [["Course", "Semester", "Students"],
                ["ECON101", "2022 Spring", [["SID", "Grade"], [123, 90], [234, 76]]],
                ["MATH100", "2023 Fall", [["SID", "Grade"]]]]}"#
        )
    );
}

#[test]
fn nest_groups_only_consecutive_rows() {
    let s = Scratch::new();
    s.write("n.csv", "k,T.a\nx,1\ny,2\nx,3\n");
    let out = ok(&s, &["n.csv", "--nest"], None);
    assert_eq!(
        json(&out),
        json(
            r#"{"inputs": [["k", "T"], ["x", [["a"], [1]]], ["y", [["a"], [2]]], ["x", [["a"], [3]]]]}"#
        )
    );
}

#[test]
fn nest_separator_is_configurable() {
    let s = Scratch::new();
    s.write("n.csv", "k,T/a,T/b\nx,1,2\n");
    let out = ok(&s, &["n.csv", "--nest", "--nest-sep", "/"], None);
    assert_eq!(
        json(&out),
        json(r#"{"inputs": [["k", "T"], ["x", [["a", "b"], [1, 2]]]]}"#)
    );
}

#[test]
fn without_nest_dotted_columns_stay_plain() {
    let s = Scratch::new();
    let out = ok(&s, &[path(&fixture("courses-nested.csv"))], None);
    assert_contains(
        &out,
        &["[\"Course\", \"Semester\", \"Students.SID\", \"Students.Grade\"]"],
    );
}

// --- reverse ----------------------------------------------------------------------------------

#[test]
fn body_to_json_gives_objects_with_tables_as_arrays_of_objects() {
    let s = Scratch::new();
    let file = fixture("request-example3-records-with-tables.json");
    let out = ok(&s, &[path(&file)], None);
    assert_eq!(
        json(&out),
        fixture_json("convert/example3-records-with-tables-objects.json")
    );
    assert_eq!(out.lines().count(), 5, "one object per line:\n{out}");
}

#[test]
fn body_to_ndjson_gives_one_object_per_line() {
    let s = Scratch::new();
    let file = fixture("request-example1-single-values.json");
    let out = ok(&s, &[path(&file), "--to", "ndjson"], None);
    assert_eq!(
        out,
        "{\"key1\":\"value11\",\"key2\":\"value21\"}\n{\"key1\":\"value12\",\"key2\":\"value22\"}\n{\"key1\":\"value13\",\"key2\":\"value23\"}\n"
    );
}

#[test]
fn response_body_converts_its_outputs() {
    let s = Scratch::new();
    let file = fixture("response-example1-success.json");
    let out = ok(&s, &[path(&file), "--to", "json", "--compact"], None);
    assert_eq!(
        json(&out),
        json(
            r#"[{"spider": "Spiders, with eight legs, spin silk webs to catch prey",
                 "Australia": "Australia is a vast island continent renowned for its diverse landscapes, unique wildlife, and vibrant cities.",
                 "specimen": [{"name": "Sydney Funnel Web Spider", "poison": true},
                              {"name": "Redback Spider", "poison": true}]}]"#
        )
    );
}

#[test]
fn body_to_csv_with_a_table_and_no_nest_names_record_and_column() {
    let s = Scratch::new();
    let file = fixture("request-example3-records-with-tables.json");
    let err = fails(&s, &[path(&file), "--to", "csv"], None, 1);
    assert_contains(
        &err,
        &[
            "request-example3-records-with-tables.json:5:7: /inputs/1/2 (record 1, column \"Students\") holds a nested table",
            "--nest",
            "Students.SID, Students.Grade",
        ],
    );
}

#[test]
fn body_to_csv_with_nest_spreads_tables_into_rows() {
    let s = Scratch::new();
    let file = fixture("request-example3-records-with-tables.json");
    let out = ok(&s, &[path(&file), "--to", "csv", "--nest"], None);
    assert_eq!(out, fixture_text("courses-nested.csv"));
}

#[test]
fn body_to_csv_into_a_tsv_file_uses_tabs() {
    let s = Scratch::new();
    let file = fixture("request-example3-records-with-tables.json");
    let out = ok(
        &s,
        &[path(&file), "--to", "csv", "--nest", "-o", "courses.tsv"],
        None,
    );
    assert!(out.is_empty());
    assert_eq!(
        s.read("courses.tsv"),
        fixture_text("courses-nested.csv").replace(',', "\t")
    );
}

#[test]
fn body_with_a_record_of_the_wrong_length_is_an_error() {
    let s = Scratch::new();
    s.write("b.json", "{\"inputs\": [\n  [\"a\", \"b\"],\n  [1]\n]}");
    let err = fails(&s, &["b.json", "--to", "csv"], None, 1);
    assert_eq!(
        err,
        "xconn: error: b.json:3:3: XC107 record has 1 value but the header has 2 columns (a, b) at /inputs/1"
    );
}

#[test]
fn body_to_body_rewrites_the_layout() {
    let s = Scratch::new();
    let file = fixture("request-example2-table-input.json");
    let out = ok(&s, &[path(&file), "--to", "body", "--compact"], None);
    assert_eq!(
        out,
        "{\"inputs\":[[\"Table1\"],[[[\"TableKeyA\",\"TableKeyB\"],[\"ValueA1\",\"ValueB1\"],[\"ValueA2\",\"ValueB2\"],[\"ValueA3\",\"ValueB3\"]]]]}\n"
    );
}

#[test]
fn csv_to_body_to_csv_is_lossless() {
    let s = Scratch::new();
    let original = fixture_text("convert/round-trip-tricky-values.csv");
    let body = ok(
        &s,
        &[path(&fixture("convert/round-trip-tricky-values.csv"))],
        None,
    );
    assert_contains(
        &body,
        &["1.10", "1e3", "12345678901234567890", "\"007\"", "null"],
    );
    let back = ok(&s, &["-", "--to", "csv"], Some(body.as_bytes()));
    // Byte for byte: a quoted `""` is the empty string, written back quoted (an unquoted empty
    // cell is null, written back empty).
    assert_eq!(back, original);
    let again = ok(&s, &["-", "--from", "csv"], Some(back.as_bytes()));
    assert_eq!(json(&again), json(&body));
}

#[test]
fn nested_csv_to_body_to_csv_is_lossless() {
    let s = Scratch::new();
    let original = fixture_text("courses-nested.csv");
    let body = ok(&s, &[path(&fixture("courses-nested.csv")), "--nest"], None);
    let back = ok(&s, &["-", "--to", "csv", "--nest"], Some(body.as_bytes()));
    assert_eq!(back, original);
}

#[test]
fn objects_to_body_to_objects_is_lossless() {
    let s = Scratch::new();
    let file = fixture("convert/round-trip-tricky-objects.json");
    let body = ok(&s, &[path(&file)], None);
    let back = ok(&s, &["-"], Some(body.as_bytes()));
    // Byte for byte: key order, number text, escapes and non-ASCII text all survive.
    assert_eq!(back, fixture_text("convert/round-trip-tricky-objects.json"));
}

#[test]
fn numbers_keep_their_exact_text_through_every_round_trip() {
    let s = Scratch::new();
    let numbers = ["1.10", "1e3", "1E3", "12345678901234567890", "-0.0"];
    let csv = format!("n\n{}\n", numbers.join("\n"));
    let body = format!(
        "{{\"inputs\":[[\"n\"],{}]}}\n",
        numbers.map(|n| format!("[{n}]")).join(",")
    );
    let objects = format!(
        "[\n{}\n]\n",
        numbers.map(|n| format!("  {{\"n\": {n}}}")).join(",\n")
    );
    // CSV → body → CSV.
    let from_csv = ok(
        &s,
        &["-", "--from", "csv", "--compact"],
        Some(csv.as_bytes()),
    );
    assert_eq!(from_csv, body);
    assert_eq!(ok(&s, &["-", "--to", "csv"], Some(body.as_bytes())), csv);
    // Objects → body → objects.
    let from_objects = ok(&s, &["-", "--compact"], Some(objects.as_bytes()));
    assert_eq!(from_objects, body);
    assert_eq!(ok(&s, &["-"], Some(body.as_bytes())), objects);
    // NDJSON → body, and body → body.
    let ndjson: String = numbers.map(|n| format!("{{\"n\": {n}}}\n")).concat();
    let from_ndjson = ok(
        &s,
        &["-", "--from", "ndjson", "--compact"],
        Some(ndjson.as_bytes()),
    );
    assert_eq!(from_ndjson, body);
    let rewritten = ok(
        &s,
        &["-", "--to", "body", "--compact"],
        Some(body.as_bytes()),
    );
    assert_eq!(rewritten, body);
}

#[test]
fn body_to_body_keeps_key_order_extra_keys_and_number_text() {
    let s = Scratch::new();
    let response = r#"{"process_time": [1.50], "extra": {"z": 1, "a": 2},
        "errors": [null], "outputs": [["b", "a"], [1.10, 1E3]], "warnings": [null]}"#;
    let out = ok(
        &s,
        &["-", "--to", "body", "--compact"],
        Some(response.as_bytes()),
    );
    assert_eq!(
        out,
        "{\"process_time\":[1.50],\"extra\":{\"z\":1,\"a\":2},\"errors\":[null],\"outputs\":[[\"b\",\"a\"],[1.10,1E3]],\"warnings\":[null]}\n"
    );
}

#[test]
fn to_csv_from_a_csv_source_is_a_usage_error() {
    let s = Scratch::new();
    s.write("a.csv", "a\n1\n");
    let err = fails(&s, &["a.csv", "--to", "csv"], None, 2);
    assert_contains(&err, &["--to csv needs a request or response body"]);
}

#[test]
fn option_that_does_not_apply_to_the_source_is_a_usage_error() {
    let s = Scratch::new();
    s.write("a.csv", "a\n1\n");
    let err = fails(&s, &["a.csv", "--flatten"], None, 2);
    assert_eq!(
        err,
        "xconn: error: --flatten does not apply to a CSV source"
    );
}

// --- bad input ------------------------------------------------------------------------------

#[test]
fn ragged_row_names_its_line_and_field_counts() {
    let s = Scratch::new();
    let file = fixture("convert/ragged-short-row.csv");
    let err = fails(&s, &[path(&file)], None, 1);
    assert_contains(
        &err,
        &[
            "ragged-short-row.csv:3: row 2 has 2 fields but the header has 3",
            "--allow-ragged",
        ],
    );
}

#[test]
fn allow_ragged_pads_short_rows_with_null() {
    let s = Scratch::new();
    let file = fixture("convert/ragged-short-row.csv");
    let out = ok(&s, &[path(&file), "--allow-ragged"], None);
    assert_eq!(
        json(&out),
        json(
            r#"{"inputs": [["name", "age", "city"], ["Ada", 36, "London"], ["Alan", 41, null],
                ["Grace", 85, "Arlington"]]}"#
        )
    );
}

#[test]
fn allow_ragged_still_rejects_long_rows() {
    let s = Scratch::new();
    s.write("long.csv", "a,b\n1,2,3\n");
    let err = fails(&s, &["long.csv", "--allow-ragged"], None, 1);
    assert_eq!(
        err,
        "xconn: error: long.csv:2: row 1 has 3 fields but the header has 2"
    );
}

#[test]
fn empty_header_name_is_named() {
    let s = Scratch::new();
    s.write("h.csv", "a,,c\n1,2,3\n");
    let err = fails(&s, &["h.csv"], None, 1);
    assert_eq!(
        err,
        "xconn: error: h.csv:1: header column 2 has an empty name (hint: name the column, or pass --empty-header NAME to name empty header cells by their column number: NAME2)"
    );
}

#[test]
fn duplicate_header_name_is_named() {
    let s = Scratch::new();
    s.write("h.csv", "id,name,id\n1,2,3\n");
    let err = fails(&s, &["h.csv"], None, 1);
    assert_eq!(
        err,
        "xconn: error: h.csv:1: header column 3 \"id\" repeats column 1"
    );
}

#[test]
fn invalid_utf8_names_the_line_and_column() {
    let s = Scratch::new();
    s.write("u.csv", b"name,city\nAda,London\nJos\xe9,Z\xfcrich\n");
    let err = fails(&s, &["u.csv"], None, 1);
    assert_eq!(
        err,
        "xconn: error: u.csv:3: row 2, column \"name\": invalid UTF-8 (hint: save the file as UTF-8)"
    );
}

#[test]
fn invalid_utf8_in_json_names_line_and_column() {
    let s = Scratch::new();
    s.write("u.json", b"[\n {\"a\": \"\xff\"}]");
    let err = fails(&s, &["u.json"], None, 1);
    assert_contains(&err, &["u.json:2:9: invalid UTF-8"]);
    s.write("u.ndjson", b"{\"a\": 1}\n{\"a\": \"\xff\"}\n");
    let err = fails(&s, &["u.ndjson"], None, 1);
    assert_contains(&err, &["u.ndjson:2:8: invalid UTF-8"]);
}

#[test]
fn empty_input_is_an_error_in_every_format() {
    let s = Scratch::new();
    s.write("e.csv", "");
    s.write("e.json", "  \n");
    s.write("e.ndjson", "\n\n");
    assert_eq!(
        fails(&s, &["e.csv"], None, 1),
        "xconn: error: e.csv: empty input: expected a header row"
    );
    assert_contains(
        &fails(&s, &["e.json"], None, 1),
        &["e.json:2:1: empty input"],
    );
    assert_eq!(
        fails(&s, &["e.ndjson"], None, 1),
        "xconn: error: e.ndjson: empty input: expected one JSON object per line"
    );
    assert_eq!(
        fails(&s, &["-"], Some(b""), 1),
        "xconn: error: <stdin>: empty input: expected a header row"
    );
}

#[test]
fn malformed_json_gives_line_column_and_hint() {
    let s = Scratch::new();
    let file = fixture("request-example1-single-values-trailing-comma.json");
    let err = fails(&s, &[path(&file)], None, 1);
    assert_contains(
        &err,
        &[
            "request-example1-single-values-trailing-comma.json:6:29: trailing comma",
            "hint: JSON allows no comma after the last element",
        ],
    );
}

#[test]
fn malformed_ndjson_line_gives_its_line_and_column() {
    let s = Scratch::new();
    s.write("m.ndjson", "{\"a\": 1}\n{\"a\": NaN}\n");
    let err = fails(&s, &["m.ndjson"], None, 1);
    assert_contains(
        &err,
        &["m.ndjson:2:7: ", "NaN and Infinity are not JSON numbers"],
    );
}

#[test]
fn ndjson_line_that_is_not_an_object_is_an_error() {
    let s = Scratch::new();
    s.write("m.ndjson", "{\"a\": 1}\n  [1]\n");
    let err = fails(&s, &["m.ndjson"], None, 1);
    assert_eq!(
        err,
        "xconn: error: m.ndjson:2:3: expected a JSON object (one record per line)"
    );
}

#[test]
fn ndjson_nested_object_is_located_on_its_line() {
    let s = Scratch::new();
    s.write("m.ndjson", "{\"a\": 1}\n{\"a\": 2, \"p\": {\"x\": 1}}\n");
    let err = fails(&s, &["m.ndjson"], None, 1);
    assert_contains(&err, &["m.ndjson:2:15: /p is an object", "--flatten"]);
}

#[test]
fn errors_after_a_quoted_newline_report_the_record_start_line() {
    let s = Scratch::new();
    s.write("q.csv", "a,b\n\"one\ntwo\nthree\",1\nx,y,z\n");
    let err = fails(&s, &["q.csv"], None, 1);
    assert_eq!(
        err,
        "xconn: error: q.csv:5: row 2 has 3 fields but the header has 2"
    );
}

#[test]
fn crlf_line_endings_are_read_like_lf() {
    let s = Scratch::new();
    s.write("w.csv", "a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n");
    let out = ok(&s, &["w.csv"], None);
    assert_eq!(
        json(&out),
        json(r#"{"inputs": [["a", "b"], [1, "x\r\ny"], [2, "z"]]}"#)
    );
}

#[test]
fn header_only_csv_gives_a_body_with_just_the_header() {
    let s = Scratch::new();
    s.write("h.csv", "a,b\n");
    let out = ok(&s, &["h.csv"], None);
    assert_eq!(out, "{\n  \"inputs\": [\n    [\"a\", \"b\"]\n  ]\n}\n");
    let out = ok(&s, &["h.csv", "--kind", "response", "--compact"], None);
    assert_eq!(
        out,
        "{\"outputs\":[[\"a\",\"b\"]],\"warnings\":[],\"errors\":[],\"process_time\":[]}\n"
    );
}

#[test]
fn huge_field_is_converted_whole() {
    let s = Scratch::new();
    let big = "é\"x".repeat(1_000_000);
    s.write(
        "big.csv",
        format!("a,b\n1,\"{}\"\n", big.replace('"', "\"\"")),
    );
    let out = ok(&s, &["big.csv", "--compact"], None);
    let doc = json(&out);
    assert_eq!(doc["inputs"][1][1].as_str().map(str::len), Some(big.len()));
}

#[test]
fn missing_input_file_exits_2() {
    let s = Scratch::new();
    let err = fails(&s, &["nope.csv"], None, 2);
    assert_contains(&err, &["cannot open nope.csv"]);
}

#[test]
fn csv_ending_inside_a_quoted_field_is_an_error_naming_where_it_opened() {
    let scratch = Scratch::new();
    scratch.write("open.csv", "a\n\"unterminated");
    let (code, _, err) = run(&scratch, &["open.csv"], None);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with("xconn: error: open.csv:2: unterminated quoted field starting at line 2"),
        "{err}"
    );
}

#[test]
fn csv_open_quote_swallowing_later_lines_reports_the_opening_line() {
    let scratch = Scratch::new();
    scratch.write("open.csv", "a,b\n1,2\n3,\"x\n4,5\n6,7\n");
    let (code, _, err) = run(&scratch, &["open.csv"], None);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("open.csv:5: unterminated quoted field starting at line 3"),
        "{err}"
    );
}

#[test]
fn csv_doubled_quotes_and_quote_after_text_are_not_unterminated() {
    let scratch = Scratch::new();
    let out = ok(
        &scratch,
        &["--compact", "--from", "csv", "-"],
        Some(b"a,b\n\"x\"\"y\",c\"d\n"),
    );
    assert_eq!(out.trim_end(), r#"{"inputs":[["a","b"],["x\"y","c\"d"]]}"#);
}

#[test]
fn utf16_csv_is_named_as_utf16() {
    let scratch = Scratch::new();
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "a,b\n1,2\n".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    scratch.write("wide.csv", &bytes);
    let (code, _, err) = run(&scratch, &["wide.csv"], None);
    assert_eq!(code, 1);
    assert!(
        err.contains("wide.csv:1: the file is UTF-16LE, not UTF-8: convert it to UTF-8 first"),
        "{err}"
    );
}

#[test]
fn duplicate_key_in_a_json_object_is_a_located_error() {
    let scratch = Scratch::new();
    scratch.write("dup.json", "[{\"a\": 1,\n  \"a\": 2}]");
    let (code, _, err) = run(&scratch, &["dup.json"], None);
    assert_eq!(code, 1);
    assert!(
        err.contains("dup.json:2:3: duplicate key in one object"),
        "{err}"
    );
}

#[test]
fn output_into_a_missing_directory_names_the_directory() {
    let scratch = Scratch::new();
    let input = fixture("courses-nested.csv");
    let (code, _, err) = run(
        &scratch,
        &[input.to_str().unwrap(), "-o", "nope/out.json"],
        None,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot write nope/out.json: directory nope does not exist"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn output_onto_a_device_writes_through_it_instead_of_replacing_it() {
    use std::os::unix::fs::FileTypeExt;
    let scratch = Scratch::new();
    let input = fixture("courses-nested.csv");
    let (code, _, err) = run(
        &scratch,
        &[input.to_str().unwrap(), "-o", "/dev/null"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(meta.file_type().is_char_device());
}

#[test]
fn a_full_output_device_is_named_not_standard_output() {
    if !common::available(
        "the device /dev/full",
        std::path::Path::new("/dev/full").exists(),
    ) {
        return;
    }
    // A few MB, so the failure comes from a write in the middle of the conversion (buffers
    // overflow), not from the last flush. Each engine path: CSV fast and pretty, NDJSON, a body
    // back to objects and to CSV.
    let scratch = Scratch::new();
    let mut csv = String::from("id,name,amount\n");
    let mut ndjson = String::new();
    for i in 0..100_000 {
        csv.push_str(&format!("{i},name {i},{}.5\n", i * 3));
        ndjson.push_str(&format!("{{\"id\": {i}, \"name\": \"name {i}\"}}\n"));
    }
    scratch.write("big.csv", &csv);
    scratch.write("big.ndjson", &ndjson);
    ok(&scratch, &["big.csv", "-o", "big.json"], None);
    for args in [
        &["big.csv"][..],
        &["big.csv", "--pretty"],
        &["big.ndjson"],
        &["big.json"],
        &["big.json", "--to", "csv"],
    ] {
        let args: Vec<&str> = args.iter().copied().chain(["-o", "/dev/full"]).collect();
        let err = fails(&scratch, &args, None, 2);
        assert!(err.contains("cannot write /dev/full: "), "{args:?}: {err}");
        assert!(!err.contains("standard output"), "{args:?}: {err}");
    }
}

#[test]
fn a_directory_as_input_is_named_once() {
    let scratch = Scratch::new();
    std::fs::create_dir(scratch.path("d.csv")).unwrap();
    let (code, _, err) = run(&scratch, &["d.csv"], None);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        "xconn: error: cannot read d.csv: is a directory"
    );
}

#[test]
fn ndjson_gives_byte_identical_bodies_to_the_same_objects_as_a_json_array() {
    // NDJSON has a fast path for flat lines of plain values; lines with escapes, nested tables,
    // unusual numbers or keys in another order go through the full parser. Whatever path a line
    // takes, the body must be the one the same objects give as a JSON array.
    let lines = [
        r#"{"id": 1, "name": "plain", "ok": true, "n": null, "x": 1.10}"#,
        r#"{"name": "tab\tquote\"slash\\nl\n", "id": 2, "x": 1E3, "ok": false}"#,
        r#"{"id": 3, "name": "\u00e9\u263a \/ \ud83d\ude00", "x": -0.0, "extra": 12345678901234567890}"#,
        r#"{"id":4,"name":"ünïcödé 漢字","x":1e-7,"ok":null}"#,
        r#"{"id": 5, "t": [{"a": 1, "b": "x"}, {"b": "y", "c": 1e3}], "name": ""}"#,
        r#"  {"x": 0, "id": 6}  "#,
    ];
    let scratch = Scratch::new();
    scratch.write("rows.ndjson", lines.join("\n") + "\n");
    scratch.write("rows.json", format!("[{}]", lines.join(",\n")));
    for layout in [&[][..], &["--compact"], &["--pretty"]] {
        let mut ndjson_args = vec!["rows.ndjson"];
        ndjson_args.extend_from_slice(layout);
        let mut array_args = vec!["rows.json"];
        array_args.extend_from_slice(layout);
        let from_ndjson = ok(&scratch, &ndjson_args, None);
        let from_array = ok(&scratch, &array_args, None);
        assert_eq!(from_ndjson, from_array, "layout {layout:?}");
    }
    let body = ok(&scratch, &["rows.ndjson", "--compact"], None);
    assert!(body.contains("1E3") && body.contains("-0.0") && body.contains("12345678901234567890"));
}

#[test]
fn several_bodies_in_one_source_are_refused_naming_where_the_second_starts() {
    // Issue 8 point 3: bodies back to back are never re-wrapped as records of a new request
    // whose only column is `inputs`.
    let s = Scratch::new();
    let a = "{\"inputs\": [[\"x\"], [1]]}";
    let b = "{\n  \"outputs\": [[\"y\"], [2]],\n  \"warnings\": [null]\n}";
    // `cat a.json b.json`: concatenated documents (pretty, so read as one JSON source).
    let cat = format!("{{\n  \"inputs\": [[\"x\"], [1]]\n}}\n{b}\n");
    s.write("cat.json", &cat);
    let err = fails(&s, &["cat.json"], None, 1);
    assert_contains(
        &err,
        &["cat.json:4:1: a second body (a response) starts here"],
    );
    let err = fails(&s, &["-"], Some(cat.as_bytes()), 1);
    assert_contains(&err, &["<stdin>:4:1: a second body"]);
    // NDJSON of bodies, sniffed from standard input or named by the extension.
    let ndjson = format!("{a}\n  {a}\n");
    s.write("bodies.ndjson", &ndjson);
    let err = fails(&s, &["bodies.ndjson"], None, 1);
    assert_contains(
        &err,
        &[
            "bodies.ndjson:2:3: a second body (a request) starts here",
            "one file per body",
        ],
    );
    let err = fails(&s, &["-"], Some(ndjson.as_bytes()), 1);
    assert_contains(&err, &["<stdin>:2:3: a second body"]);
    // One body among records is refused as well, at the body.
    s.write(
        "mixed.ndjson",
        format!("{{\"id\": 1}}\n{a}\n{{\"id\": 2}}\n"),
    );
    let err = fails(&s, &["mixed.ndjson"], None, 1);
    assert_contains(&err, &["mixed.ndjson:2:1: this line is a request body"]);
    s.write("mixed.json", format!("{{\"id\": 1}}\n{a}\n"));
    let err = fails(&s, &["mixed.json"], None, 1);
    assert_contains(&err, &["mixed.json:2:1: this document is a request body"]);
    // A column merely named `inputs` is not a body.
    s.write(
        "col.ndjson",
        "{\"id\": 1, \"inputs\": 3}\n{\"id\": 2, \"inputs\": 4}\n",
    );
    let out = ok(&s, &["col.ndjson", "--compact"], None);
    assert_eq!(out, "{\"inputs\":[[\"id\",\"inputs\"],[1,3],[2,4]]}\n");
}

#[test]
fn a_large_json_array_is_streamed_and_gives_the_ndjson_body() {
    // Past 1 MiB the file is mapped and walked element by element in two passes.
    let s = Scratch::new();
    let lines: Vec<String> = (0..20_000)
        .map(|i| {
            format!(
                r#"{{"id": {i}, "name": "n\u00e9\"{i}\"", "x": 1.{i}0, "ok": {}, "t": [{{"a": {i}}}]{}}}"#,
                i % 2 == 0,
                if i % 7 == 0 { r#", "late": null"# } else { "" }
            )
        })
        .collect();
    s.write("rows.ndjson", lines.join("\n") + "\n");
    s.write("rows.json", format!("[\n{}\n]\n", lines.join(",\n")));
    assert!(std::fs::metadata(s.path("rows.json")).unwrap().len() > 1 << 20);
    let from_ndjson = ok(&s, &["rows.ndjson"], None);
    assert_eq!(ok(&s, &["rows.json"], None), from_ndjson);
    let text = s.read("rows.json");
    assert_eq!(ok(&s, &["-"], Some(text.as_bytes())), from_ndjson);
    // Errors deep in the array keep their file:line:col.
    let mut broken = lines.clone();
    broken[15_000] = r#"{"id": 1, "bad": tru}"#.to_string();
    s.write("broken.json", format!("[\n{}\n]\n", broken.join(",\n")));
    let err = fails(&s, &["broken.json"], None, 1);
    assert_contains(&err, &["broken.json:15002:18: unexpected character"]);
    let mut shaped = lines.clone();
    shaped[12_345] = r#"{"id": 1, "p": {"x": 1}}"#.to_string();
    s.write("shaped.json", format!("[\n{}\n]\n", shaped.join(",\n")));
    let err = fails(&s, &["shaped.json"], None, 1);
    assert_contains(&err, &["shaped.json:12347:16: /12345/p is an object"]);
}

// --- issue 8: the convert-side classes -------------------------------------------------------

#[test]
fn every_reverse_path_refuses_a_body_with_a_repeated_column_name() {
    let s = Scratch::new();
    // A nested table repeats a column, and a response repeats a top-level one.
    s.write(
        "n.json",
        r#"{"inputs": [["id", "t"], [1, [["k", "k"], [1, 2]]]]}"#,
    );
    s.write(
        "r.json",
        r#"{"outputs": [["x", "x"], [1, 2]], "warnings": [null], "errors": [null], "process_time": [1]}"#,
    );
    for file in ["n.json", "r.json"] {
        for to in [
            &["--to", "json"][..],
            &["--to", "ndjson"],
            &["--to", "csv", "--nest"],
            &["--to", "body"],
        ] {
            let args: Vec<&str> = [file].iter().chain(to).copied().collect();
            let err = fails(&s, &args, None, 1);
            assert_contains(&err, &["XC104", "duplicate column name"]);
        }
    }
}

#[test]
fn csv_round_trips_keep_strings_that_look_like_numbers_booleans_or_empty() {
    let s = Scratch::new();
    let body = r#"{"inputs":[["s","v"],["0",0],["-3.5",-3.5],["false",false],["2E5",2E5],["",null],["x,\"y\"","007"],[null,""]]}"#;
    let csv = ok(&s, &["-", "--to", "csv"], Some(body.as_bytes()));
    assert_eq!(
        csv,
        "s,v\n\"0\",0\n\"-3.5\",-3.5\n\"false\",false\n\"2E5\",2E5\n\"\",\n\"x,\"\"y\"\"\",007\n,\"\"\n"
    );
    let back = ok(
        &s,
        &["-", "--from", "csv", "--compact"],
        Some(csv.as_bytes()),
    );
    assert_eq!(back.trim_end(), body);
    // The same under --nest, inside a nested table.
    let nested = r#"{"inputs":[["k","T"],["1",[["a"],["true"],[""]]]]}"#;
    let csv = ok(&s, &["-", "--to", "csv", "--nest"], Some(nested.as_bytes()));
    let back = ok(
        &s,
        &["-", "--from", "csv", "--nest", "--compact"],
        Some(csv.as_bytes()),
    );
    assert_eq!(back.trim_end(), nested);
    // A number beyond a double is kept as written, with a warning.
    let (code, out, err) = run(
        &s,
        &["-", "--from", "csv", "--compact"],
        Some(b"n\n1\n-2E+999\n"),
    );
    assert_eq!(code, 0);
    assert_eq!(out, "{\"inputs\":[[\"n\"],[1],[-2E+999]]}\n");
    assert_contains(
        &err,
        &[
            "xconn: warning: <stdin>:3: row 2, column \"n\"",
            "-2E+999",
            "IEEE double",
        ],
    );
}

#[test]
fn nest_refuses_names_it_could_not_read_back_the_same() {
    let s = Scratch::new();
    s.write("p.json", r#"{"inputs":[["a/b","T"],[1,[["k"],[2]]]]}"#);
    let err = fails(
        &s,
        &["p.json", "--to", "csv", "--nest", "--nest-sep", "/"],
        None,
        1,
    );
    assert_contains(&err, &["column \"a/b\"", "--nest-sep"]);
    s.write("i.json", r#"{"inputs":[["id","T"],[1,[["x.y"],[2]]]]}"#);
    let err = fails(&s, &["i.json", "--to", "csv", "--nest"], None, 1);
    assert_contains(&err, &["column \"T.x.y\""]);
    // Without --nest the names are plain and fine.
    ok(&s, &["p.json", "--to", "json"], None);
    // Import: two levels of names are refused, not read as one.
    s.write("two.csv", "order,lines.parts.qty\nA,1\n");
    let err = fails(&s, &["two.csv", "--nest"], None, 1);
    assert_contains(&err, &["two.csv:1:", "\"lines.parts.qty\"", "one level"]);
}

#[test]
fn csv_row_errors_name_the_right_line_under_lf_crlf_and_cr() {
    let s = Scratch::new();
    for eol in ["\n", "\r\n", "\r"] {
        // A blank line and a quoted line break come before the bad row on line 6.
        let lines = |last: &[u8]| {
            let mut v = format!("a,b{eol}{eol}1,2{eol}\"3{eol}x\",4{eol}").into_bytes();
            v.extend_from_slice(last);
            v.extend_from_slice(eol.as_bytes());
            v
        };
        let cases: [(&[u8], &[&str], &str); 4] = [
            (b"5", &[], "row 3 has 1 field"),
            (b"5,x", &["--type", "b=number"], "\"x\" is not a number"),
            (b"5,\xff", &[], "invalid UTF-8"),
            (b"5,\xff", &["--nest"], "invalid UTF-8"),
        ];
        for (last, extra, part) in cases {
            s.write("f.csv", lines(last));
            let args: Vec<&str> = ["f.csv"].iter().chain(extra).copied().collect();
            let err = fails(&s, &args, None, 1);
            assert_contains(&err, &["f.csv:6: ", part]);
            let args: Vec<&str> = ["-"].iter().chain(extra).copied().collect();
            let err = fails(&s, &args, Some(&lines(last)), 1);
            assert_contains(&err, &["<stdin>:6: ", part]);
        }
    }
}

#[test]
fn delimiter_mistakes_are_refused_with_the_delimiter_to_pass() {
    let s = Scratch::new();
    s.write("pipes.csv", "id|name|city\n1|Ann|Oslo\n2|Bo|Rome\n");
    let err = fails(&s, &["pipes.csv"], None, 1);
    assert_contains(&err, &["pipes.csv:2:", "--delimiter '|'"]);
    // The suggested flag works; so does Excel's `sep=` line (CRLF too).
    let out = ok(&s, &["pipes.csv", "--delimiter", "|", "--compact"], None);
    assert_eq!(
        out,
        "{\"inputs\":[[\"id\",\"name\",\"city\"],[1,\"Ann\",\"Oslo\"],[2,\"Bo\",\"Rome\"]]}\n"
    );
    s.write("excel.csv", "sep=;\r\nid;name\r\n1;Ann\r\n2\r\n");
    let err = fails(&s, &["excel.csv"], None, 1);
    assert_contains(&err, &["excel.csv:4: row 2 has 1 field"]);
    s.write("excel.csv", "sep=;\r\nid;name\r\n1;Ann\r\n");
    let out = ok(&s, &["excel.csv", "--compact"], None);
    assert_eq!(out, "{\"inputs\":[[\"id\",\"name\"],[1,\"Ann\"]]}\n");
    // A header that ends in delimiters.
    s.write("trail.csv", "a;b;;\n1;2;;\n");
    let err = fails(&s, &["trail.csv", "--delimiter", ";"], None, 1);
    assert_contains(
        &err,
        &["header column 3 has an empty name", "2 `;` too many"],
    );
}

#[test]
fn a_wrong_format_guess_says_what_it_was_read_as() {
    let s = Scratch::new();
    let err = fails(&s, &["-"], Some(b"[sku],[qty]\nA,1\n"), 1);
    assert_contains(&err, &["<stdin>:1:2:", "read as JSON", "--from csv"]);
    s.write("data.txt", "{\"a\": 1}\n{\"a\": 2}\n{oops}\n");
    // Errors past the first line are not about the guess.
    let err = fails(&s, &["data.txt"], None, 1);
    assert!(!err.contains("guessed"), "{err}");
}

#[test]
fn options_that_would_do_nothing_are_usage_errors() {
    let s = Scratch::new();
    s.write("r.json", r#"{"inputs":[["a"],[1]]}"#);
    s.write("o.json", r#"[{"a":1}]"#);
    s.write("a.csv", "a\n1\n");
    for (args, part) in [
        (&["r.json", "--delimiter", ";"][..], "--delimiter"),
        (&["o.json", "--delimiter", ";"], "--delimiter"),
        (&["r.json", "--nest"], "--nest"),
        (&["o.json", "--nest"], "--nest"),
        (&["a.csv", "--nest-sep", "/"], "--nest-sep"),
        (
            &["r.json", "--to", "body", "--kind", "response"],
            "--kind response",
        ),
        (&["r.json", "--kind", "response"], "--kind response"),
        (&["r.json", "--flatten"], "--flatten"),
    ] {
        let err = fails(&s, args, None, 2);
        assert_contains(&err, &[part]);
    }
    // What they are for still works.
    ok(&s, &["r.json", "--to", "csv", "--delimiter", ";"], None);
    ok(&s, &["r.json", "--kind", "request", "--to", "body"], None);
    ok(&s, &["a.csv", "--nest", "--nest-sep", "/"], None);
}

#[test]
fn an_incomplete_ndjson_line_points_at_its_end() {
    let s = Scratch::new();
    s.write("x.ndjson", "{\"a\": 1}\r\n{\"a\": [1, 2,\r\n  3]}\r\n");
    let err = fails(&s, &["x.ndjson"], None, 1);
    assert_contains(
        &err,
        &[
            "x.ndjson:2:13: unexpected end of input",
            "one complete JSON object per line",
        ],
    );
}

#[test]
fn ndjson_lines_end_at_lf_crlf_or_a_lone_cr() {
    let s = Scratch::new();
    for (name, eol) in [
        ("lf.ndjson", "\n"),
        ("crlf.ndjson", "\r\n"),
        ("cr.ndjson", "\r"),
    ] {
        s.write(
            name,
            format!("{{\"a\": 1}}{eol}{{\"a\": 2}}{eol}{eol}{{\"a\": 3, }}{eol}"),
        );
        let err = fails(&s, &[name], None, 1);
        assert_contains(&err, &[&format!("{name}:4:8: trailing comma")]);
        s.write(name, format!("{{\"a\": 1}}{eol}{{\"a\": 2}}{eol}"));
        let out = ok(&s, &[name, "--compact"], None);
        assert_eq!(out, "{\"inputs\":[[\"a\"],[1],[2]]}\n", "{name}");
    }
}

/// One row of the number-spelling table in docs/format.md: the cell and its answer under
/// inference, `--type number` and `--type integer`.
#[derive(Debug, Clone, PartialEq)]
enum Spelled {
    /// Written as this JSON text.
    Json(String),
    /// Kept a string (inference).
    Text,
    /// An error (`--type`).
    Refused,
}

fn number_spelling_table() -> Vec<(String, [Spelled; 3])> {
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/format.md"),
    )
    .expect("read docs/format.md");
    let section = docs
        .split("### Number spellings")
        .nth(1)
        .expect("docs/format.md has a Number spellings section");
    let code = |cell: &str| -> Option<String> {
        let inner = cell.trim().strip_prefix('`')?;
        Some(inner[..inner.find('`')?].replace('␠', " "))
    };
    let answer = |cell: &str| match cell.trim() {
        "string" => Spelled::Text,
        "refused" => Spelled::Refused,
        other => Spelled::Json(code(other).unwrap_or_else(|| panic!("answer {other:?}"))),
    };
    let rows: Vec<_> = section
        .lines()
        .skip_while(|l| !l.starts_with("| cell"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
            assert_eq!(cells.len(), 4, "{line}");
            let cell = if cells[0].trim() == "(empty)" {
                String::new()
            } else {
                code(cells[0]).unwrap_or_else(|| panic!("cell of {line}"))
            };
            (cell, [answer(cells[1]), answer(cells[2]), answer(cells[3])])
        })
        .collect();
    assert!(rows.len() > 30, "the table was not found: {rows:?}");
    rows
}

/// Every row of the number-spelling table (docs/format.md) through inference, `--type number`
/// and `--type integer`; and the table itself keeps the promise that inference and `--type`
/// agree.
#[test]
fn number_spelling_table_in_the_docs_holds() {
    let s = Scratch::new();
    for (cell, answers) in number_spelling_table() {
        // Inference reads as a number only what --type number reads as the same number.
        if let Spelled::Json(n) = &answers[0] {
            if !cell.is_empty() {
                assert_eq!(answers[1], Spelled::Json(n.clone()), "{cell:?}");
            }
        }
        if answers[1] == Spelled::Refused {
            assert_eq!(answers[0], Spelled::Text, "{cell:?}");
        }
        s.write("n.csv", format!("n;k\n{cell};x\n"));
        for (answer, ty) in answers
            .iter()
            .zip([None, Some("n=number"), Some("n=integer")])
        {
            let mut args = vec!["n.csv", "--delimiter", ";", "--compact"];
            if let Some(ty) = ty {
                args.extend(["--type", ty]);
            }
            let (code, out, err) = run(&s, &args, None);
            let what = format!("{cell:?} with {ty:?}: stderr {err}");
            match answer {
                Spelled::Refused => {
                    assert_eq!(code, 1, "{what}");
                    assert!(err.contains("(from --type)"), "{what}");
                    continue;
                }
                Spelled::Json(_) | Spelled::Text => {
                    assert_eq!(code, 0, "{what}");
                    assert!(
                        err.lines().all(|l| l.starts_with("xconn: warning: ")),
                        "{what}"
                    );
                }
            }
            let value = out
                .trim_end()
                .strip_prefix(r#"{"inputs":[["n","k"],["#)
                .and_then(|v| v.strip_suffix(r#","x"]]}"#))
                .unwrap_or_else(|| panic!("{what}: {out}"));
            let expected = match answer {
                Spelled::Json(n) => n.clone(),
                _ => serde_json::to_string(&cell).unwrap(),
            };
            assert_eq!(value, expected, "{what}");
        }
    }
}

/// The real-data case behind the number table: worldcitiespop.csv writes coordinates without
/// the leading zero. They are numbers in a numeric column, and `--type` reads them too.
#[test]
fn coordinates_without_a_leading_zero_are_numbers() {
    let s = Scratch::new();
    s.write(
        "cities.csv",
        "city,lat,lon\nab,-.516667,.850483\ncd,42.5,1.5166667\n",
    );
    let expected =
        r#"{"inputs":[["city","lat","lon"],["ab",-0.516667,0.850483],["cd",42.5,1.5166667]]}"#;
    assert_eq!(
        ok(&s, &["cities.csv", "--compact"], None).trim_end(),
        expected
    );
    let typed = ok(
        &s,
        &[
            "cities.csv",
            "--compact",
            "--type",
            "lat=number",
            "--type",
            "lon=number",
        ],
        None,
    );
    assert_eq!(typed.trim_end(), expected);
}

/// Body → CSV → body keeps every value when strings look like the spellings inference
/// rewrites (`".5"` must come back a string, `0.5` a number).
#[test]
fn number_spellings_survive_body_to_csv_and_back() {
    let s = Scratch::new();
    let body = r#"{"inputs":[["a","b","c","d"],[".5",0.5,"-.5","5."],[-0.5,"+5","007"," 2 "]]}"#;
    s.write("b.json", body);
    let csv = ok(&s, &["b.json", "--to", "csv"], None);
    assert!(csv.contains("\".5\""), "{csv}");
    s.write("back.csv", &csv);
    let back = ok(&s, &["back.csv", "--compact"], None);
    assert_eq!(back.trim_end(), body);
}

/// A `;`-separated file with decimal commas: the comma splits the row, so the row is "ragged";
/// the error says the file looks `;`-separated (point 12 of "Numbers and inputs people have").
#[test]
fn semicolon_csv_with_decimal_commas_hints_at_the_delimiter() {
    let s = Scratch::new();
    s.write("prices.csv", "name;price\nA;2,5\nB;3\n");
    let err = fails(&s, &["prices.csv"], None, 1);
    assert_contains(
        &err,
        &[
            "prices.csv:2: row 1 has 2 fields but the header has 1",
            "looks `;`-separated",
            "decimal commas",
            "--delimiter ';'",
        ],
    );
    // The same from standard input, and tab- and pipe-separated files.
    let err = fails(&s, &["-", "--from", "csv"], Some(b"name;price\nA;2,5\n"), 1);
    assert_contains(&err, &["<stdin>:2:", "--delimiter ';'"]);
    let err = fails(&s, &["-", "--from", "csv"], Some(b"name|price\nA|2,5\n"), 1);
    assert_contains(&err, &["--delimiter '|'"]);
    // With the delimiter the decimal comma is a string (a number spelling JSON does not have).
    let out = ok(&s, &["prices.csv", "--delimiter", ";", "--compact"], None);
    assert_eq!(
        out,
        "{\"inputs\":[[\"name\",\"price\"],[\"A\",\"2,5\"],[\"B\",3]]}\n"
    );
    // A ragged row in a file whose header holds no other delimiter keeps the plain message.
    s.write("plain.csv", "name\nA,2\n");
    let err = fails(&s, &["plain.csv"], None, 1);
    assert_eq!(
        err,
        "xconn: error: plain.csv:2: row 1 has 2 fields but the header has 1"
    );
}

/// `--empty-header NAME` names every empty header cell `NAME{column}` (an R export's first
/// header cell is `""`); a name that then repeats another is an error naming both columns.
#[test]
fn empty_header_cells_are_named_by_empty_header() {
    let s = Scratch::new();
    s.write("r.csv", "\"\",\"x\",\"y\"\n\"1\",5,.5\n\"2\",6,7\n");
    let err = fails(&s, &["r.csv"], None, 1);
    assert_contains(
        &err,
        &[
            "r.csv:1: header column 1 has an empty name",
            "--empty-header NAME",
        ],
    );
    let out = ok(
        &s,
        &["r.csv", "--empty-header", "column", "--compact"],
        None,
    );
    assert_eq!(
        out,
        "{\"inputs\":[[\"column1\",\"x\",\"y\"],[\"1\",5,0.5],[\"2\",6,7]]}\n"
    );
    // Every empty cell, trailing ones included; --type sees the made names.
    s.write("many.csv", ",a,,b,\n1,2,3,4,5\n");
    let out = ok(
        &s,
        &[
            "many.csv",
            "--empty-header",
            "c",
            "--type",
            "c3=string",
            "--compact",
        ],
        None,
    );
    assert_eq!(
        out,
        "{\"inputs\":[[\"c1\",\"a\",\"c3\",\"b\",\"c5\"],[1,2,\"3\",4,5]]}\n"
    );
    // A made name that repeats a real one, either way round.
    s.write("clash.csv", ",col1\n1,2\n");
    let err = fails(&s, &["clash.csv", "--empty-header", "col"], None, 1);
    assert_eq!(
        err,
        "xconn: error: clash.csv:1: header column 2 \"col1\" repeats column 1 (one of them named by --empty-header col; hint: choose another --empty-header NAME)"
    );
    s.write("clash2.csv", "col2,\n1,2\n");
    let err = fails(&s, &["clash2.csv", "--empty-header", "col"], None, 1);
    assert_contains(
        &err,
        &[
            "header column 2 \"col2\" repeats column 1",
            "--empty-header",
        ],
    );
    // An empty NAME, or NAME for a source that is not CSV, is a usage error.
    let err = fails(&s, &["r.csv", "--empty-header", ""], None, 2);
    assert_contains(&err, &["--empty-header must not be empty"]);
    s.write("o.json", "[{\"a\": 1}]");
    let err = fails(&s, &["o.json", "--empty-header", "c"], None, 2);
    assert_contains(&err, &["--empty-header does not apply to a JSON source"]);
}

/// `--type number` says why it refuses the spellings people mean as numbers.
#[test]
fn type_number_refusals_say_why() {
    let s = Scratch::new();
    for (cell, why) in [
        ("NaN", "NaN and infinities have no JSON number"),
        ("-Infinity", "NaN and infinities have no JSON number"),
        ("0x10", "hexadecimal"),
        ("2,5", "no decimal comma"),
        ("1 000", "no digit group separators"),
        ("1_000", "no digit group separators"),
    ] {
        s.write("n.csv", format!("n;k\n{cell};x\n"));
        let err = fails(
            &s,
            &["n.csv", "--delimiter", ";", "--type", "n=number"],
            None,
            1,
        );
        assert_contains(
            &err,
            &["n.csv:2: row 1, column \"n\"", "(from --type) (hint: ", why],
        );
    }
}
