//! `xconn validate`: every rule (a valid and an invalid fixture each), every report format, exit
//! codes, line:column accuracy, many files and standard input, and the spec's own examples.

use crate::common;

use common::{fixture, fixture_text, json, xconn, Scratch, SPEC_EXAMPLES};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

/// Fixture under fixtures/validate/.
fn vfixture(name: &str) -> std::path::PathBuf {
    fixture(&format!("validate/{name}"))
}

/// Run `xconn validate --format json FILE` and return the diagnostics of the one file.
fn diagnostics(path: &std::path::Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let output = xconn()
        .arg("validate")
        .args(["--format", "json"])
        .args(extra)
        .arg(path)
        .output()
        .unwrap();
    let report = json(&String::from_utf8(output.stdout).unwrap());
    report["files"][0]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn rule_ids(diagnostics: &[serde_json::Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

/// The valid fixture of a rule passes cleanly; the invalid one reports exactly that rule at the
/// expected line:column and pointer, with the expected exit code.
fn check_rule(stem: &str, rule: &str, line: u64, col: u64, location: &str, exit: i32) {
    let valid = vfixture(&format!("{stem}-valid.json"));
    xconn()
        .arg("validate")
        .arg(&valid)
        .assert()
        .code(0)
        .stdout(contains(": ok ("));
    assert_eq!(rule_ids(&diagnostics(&valid, &[])), Vec::<String>::new());

    let invalid = vfixture(&format!("{stem}-invalid.json"));
    let found = diagnostics(&invalid, &[]);
    assert_eq!(rule_ids(&found), [rule], "{found:#?}");
    let d = &found[0];
    assert_eq!(
        (d["line"].as_u64(), d["col"].as_u64()),
        (Some(line), Some(col)),
        "{d:#}"
    );
    assert_eq!(d["location"], location, "{d:#}");
    xconn()
        .arg("validate")
        .arg(&invalid)
        .assert()
        .code(exit)
        .stdout(contains(format!("[{rule}]")));
}

#[test]
fn xc001_syntax_error_points_at_the_quote_with_a_hint() {
    check_rule("XC001-json-syntax", "XC001", 4, 6, "/", 1);
    xconn()
        .arg("validate")
        .arg(vfixture("XC001-json-syntax-invalid.json"))
        .assert()
        .stdout(contains("double quotes"));
}

#[test]
fn xc100_object_without_inputs_or_outputs_is_not_a_body() {
    check_rule("XC100-not-a-body", "XC100", 1, 1, "/", 1);
}

#[test]
fn xc100_top_level_array_is_not_a_body() {
    let s = Scratch::new();
    s.write("a.json", "[1, 2]");
    s.xconn()
        .args(["validate", "a.json"])
        .assert()
        .code(1)
        .stdout(contains(
            "a.json:1:1: error[XC100]: not an XConnector body: the top level is an array",
        ));
}

#[test]
fn xc101_inputs_that_is_not_an_array() {
    check_rule("XC101-records-not-array", "XC101", 2, 13, "/inputs", 1);
}

#[test]
fn xc101_forced_kind_without_its_records_key() {
    let found = diagnostics(
        &fixture("request-example1-single-values.json"),
        &["--kind", "response"],
    );
    let ids = rule_ids(&found);
    assert!(ids.contains(&"XC101".to_string()), "{ids:?}");
    assert!(ids.contains(&"XC121".to_string()), "{ids:?}");
}

#[test]
fn xc102_empty_header_row() {
    check_rule("XC102-bad-header", "XC102", 3, 5, "/inputs/0", 1);
}

#[test]
fn xc103_empty_column_name() {
    check_rule("XC103-bad-column-name", "XC103", 3, 11, "/inputs/0/1", 1);
}

#[test]
fn xc104_duplicate_column_name() {
    check_rule(
        "XC104-duplicate-column-name",
        "XC104",
        3,
        16,
        "/inputs/0/2",
        1,
    );
}

#[test]
fn xc105_record_that_is_not_an_array() {
    check_rule("XC105-record-not-array", "XC105", 5, 5, "/inputs/2", 1);
}

#[test]
fn xc106_outputs_as_array_of_objects_shows_the_array_form() {
    check_rule("XC106-object-records", "XC106", 2, 14, "/outputs", 1);
    xconn()
        .arg("validate")
        .arg(vfixture("XC106-object-records-invalid.json"))
        .assert()
        .stdout(contains(r#"[["name","amount"], ["x",1]]"#));
}

#[test]
fn xc107_record_with_too_few_values() {
    check_rule("XC107-record-width", "XC107", 5, 5, "/inputs/2", 1);
}

#[test]
fn xc108_object_value_names_its_column() {
    check_rule(
        "XC108-object-value",
        "XC108",
        4,
        9,
        "/inputs/1/1 (address)",
        1,
    );
}

#[test]
fn xc108_in_a_nested_table_names_the_column_path() {
    let found = diagnostics(&vfixture("nested-table-width-invalid.json"), &[]);
    assert_eq!(rule_ids(&found), ["XC108"]);
    assert_eq!(found[0]["location"], "/inputs/1/2/2/1 (Students.Grade)");
    assert_eq!(found[0]["column_name"], "Students.Grade");
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["col"].as_u64()),
        (Some(7), Some(15))
    );
}

#[test]
fn xc107_in_a_nested_table() {
    let s = Scratch::new();
    s.write(
        "n.json",
        r#"{"inputs": [["T"], [[["a", "b"], [1, 2], [3]]]]}"#,
    );
    let found = diagnostics(&s.path("n.json"), &[]);
    assert_eq!(rule_ids(&found), ["XC107"]);
    assert_eq!(found[0]["location"], "/inputs/1/0/2 (T)");
}

#[test]
fn xc109_array_value_that_is_not_a_table() {
    check_rule(
        "XC109-array-not-table",
        "XC109",
        4,
        9,
        "/inputs/1/1 (tags)",
        1,
    );
}

#[test]
fn xc110_response_without_errors() {
    check_rule("XC110-response-key-missing", "XC110", 1, 1, "/", 1);
}

#[test]
fn xc111_errors_with_fewer_entries_than_records() {
    check_rule("XC111-entry-count", "XC111", 4, 13, "/errors", 1);
}

#[test]
fn xc112_warnings_entry_that_is_a_string() {
    check_rule("XC112-bad-message-entry", "XC112", 3, 16, "/warnings/0", 1);
}

#[test]
fn xc113_error_without_the_spec_fields() {
    check_rule("XC113-message-field", "XC113", 5, 6, "/errors/0/0", 1);
}

#[test]
fn xc115_negative_process_time() {
    check_rule(
        "XC115-bad-process-time",
        "XC115",
        5,
        20,
        "/process_time/0",
        1,
    );
}

#[test]
fn xc116_process_time_below_one_is_a_warning_that_passes() {
    check_rule(
        "XC116-low-process-time",
        "XC116",
        5,
        20,
        "/process_time/0",
        0,
    );
}

#[test]
fn xc120_header_without_records_is_a_warning() {
    check_rule("XC120-no-records", "XC120", 2, 13, "/inputs", 0);
}

#[test]
fn xc121_unknown_top_level_key_is_a_warning_at_the_key() {
    check_rule("XC121-unknown-key", "XC121", 3, 3, "/meta", 0);
}

#[test]
fn xc130_against_a_request_with_other_record_count() {
    let request = vfixture("XC130-request-two-records.json");
    xconn()
        .arg("validate")
        .arg("--against")
        .arg(&request)
        .arg(vfixture("XC130-record-count-mismatch-valid.json"))
        .assert()
        .code(0);
    let found = diagnostics(
        &vfixture("XC130-record-count-mismatch-invalid.json"),
        &["--against", request.to_str().unwrap()],
    );
    assert_eq!(rule_ids(&found), ["XC130"]);
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["col"].as_u64()),
        (Some(2), Some(14))
    );
}

#[test]
fn a_request_level_failure_answers_a_request_of_any_size() {
    // The spec's Example 3: no records, one `errors` entry — a whole-call failure.
    xconn()
        .arg("validate")
        .arg("--against")
        .arg(vfixture("XC130-request-two-records.json"))
        .arg(fixture("response-example3-failure.json"))
        .assert()
        .code(0);
    // No records and no error entry is still a count mismatch.
    let scratch = Scratch::new();
    let empty = scratch.write(
        "empty.json",
        r#"{"outputs": [], "warnings": [], "errors": [], "process_time": []}"#,
    );
    let request = vfixture("XC130-request-two-records.json");
    let found = diagnostics(&empty, &["--against", request.to_str().unwrap()]);
    assert!(rule_ids(&found).iter().any(|r| r == "XC130"), "{found:?}");
}

#[test]
fn against_a_missing_request_exits_2() {
    xconn()
        .arg("validate")
        .args(["--against", "/nonexistent/request.json"])
        .arg(fixture("response-example1-success.json"))
        .assert()
        .code(2)
        .stderr(contains("--against"));
}

#[test]
fn against_a_broken_request_exits_1() {
    xconn()
        .arg("validate")
        .arg("--against")
        .arg(fixture(
            "request-example1-single-values-trailing-comma.json",
        ))
        .arg(fixture("response-example1-success.json"))
        .assert()
        .code(1)
        .stderr(contains("not a valid request"));
}

#[test]
fn xc002_caps_the_list_at_1000_problems() {
    let s = Scratch::new();
    let rows: Vec<String> = (0..1500).map(|i| format!("[{i}]")).collect();
    s.write(
        "many.json",
        format!("{{\"inputs\": [[\"a\", \"b\"], {}]}}", rows.join(",")),
    );
    let found = diagnostics(&s.path("many.json"), &[]);
    assert_eq!(found.len(), 1001);
    let last = found.last().unwrap();
    assert_eq!(last["rule"], "XC002");
    assert!(last["message"].as_str().unwrap().starts_with("500 more"));
}

#[test]
fn strict_makes_warnings_fail() {
    let file = vfixture("XC121-unknown-key-invalid.json");
    xconn().arg("validate").arg(&file).assert().code(0);
    xconn()
        .args(["validate", "--strict"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(contains("0 valid, 1 invalid"));
}

#[test]
fn spec_examples_pass_except_the_trailing_comma_one() {
    for name in SPEC_EXAMPLES {
        let found = diagnostics(&fixture(name), &[]);
        assert!(found.is_empty(), "{name}: {found:#?}");
        xconn()
            .args(["validate", "--strict"])
            .arg(fixture(name))
            .assert()
            .code(0);
    }
}

#[test]
fn trailing_comma_fixture_reports_the_comma_position() {
    // Line 6 is `    [ "value13", "value23" ],` — the comma after `]` is character 29.
    let text = fixture_text("request-example1-single-values-trailing-comma.json");
    let line6 = text.lines().nth(5).unwrap();
    assert_eq!(line6.chars().nth(28), Some(','));
    xconn()
        .arg("validate")
        .arg(fixture(
            "request-example1-single-values-trailing-comma.json",
        ))
        .assert()
        .code(1)
        .stdout(contains(
            "request-example1-single-values-trailing-comma.json:6:29: error[XC001]: trailing comma",
        ))
        .stdout(contains("hint: JSON allows no comma"));
}

#[test]
fn columns_count_characters_not_bytes() {
    let s = Scratch::new();
    s.write("u.json", "{\"inputs\": [[\"é\", \"ü\"], [\"ää\", {}]]}");
    let found = diagnostics(&s.path("u.json"), &[]);
    assert_eq!(found[0]["col"], 32);
    assert_eq!(found[0]["location"], "/inputs/1/1 (ü)");
}

#[test]
fn failure_response_with_two_request_level_errors_is_invalid() {
    let s = Scratch::new();
    s.write(
        "f.json",
        r#"{"outputs": [], "warnings": [], "errors": [null, null], "process_time": [1]}"#,
    );
    let found = diagnostics(&s.path("f.json"), &[]);
    assert_eq!(rule_ids(&found), ["XC120", "XC111"]);
}

#[test]
fn many_files_are_each_reported_with_a_summary_on_stderr() {
    xconn()
        .arg("validate")
        .arg(fixture("request-example1-single-values.json"))
        .arg(vfixture("XC107-record-width-invalid.json"))
        .arg(fixture("response-example2-with-warnings.json"))
        .assert()
        .code(1)
        .stdout(contains(
            "request-example1-single-values.json: ok (request, 3 records)",
        ))
        .stdout(contains(
            "XC107-record-width-invalid.json:5:5: error[XC107]",
        ))
        .stdout(contains(
            "response-example2-with-warnings.json: ok (response, 1 record)",
        ))
        .stderr(contains(
            "3 files checked: 2 valid, 1 invalid (1 error, 0 warnings)",
        ));
}

#[test]
fn stdin_is_read_with_dash() {
    xconn()
        .args(["validate", "-"])
        .write_stdin(fixture_text("validate/XC107-record-width-invalid.json"))
        .assert()
        .code(1)
        .stdout(contains("<stdin>:5:5: error[XC107]"));
}

#[test]
fn stdin_and_files_together() {
    xconn()
        .args(["validate", "-"])
        .arg(fixture("response-example1-success.json"))
        .write_stdin(fixture_text("request-example2-table-input.json"))
        .assert()
        .code(0)
        .stdout(contains("<stdin>: ok (request, 1 record)"))
        .stderr(contains("2 files checked: 2 valid"));
}

#[test]
fn unreadable_file_exits_2_but_the_others_are_still_checked() {
    xconn()
        .arg("validate")
        .arg("/nonexistent/missing.json")
        .arg(vfixture("XC107-record-width-invalid.json"))
        .assert()
        .code(2)
        .stdout(contains("error[XC107]"))
        .stderr(contains("cannot open /nonexistent/missing.json"))
        .stderr(contains("1 unreadable"));
}

#[test]
fn kind_forces_request_checks_on_a_response() {
    let found = diagnostics(
        &fixture("response-example1-success.json"),
        &["--kind", "request"],
    );
    let ids = rule_ids(&found);
    assert_eq!(ids.iter().filter(|r| *r == "XC121").count(), 4, "{ids:?}");
    assert!(ids.contains(&"XC101".to_string()));
}

#[test]
fn json_format_is_one_document_with_summary_and_files() {
    let output = xconn()
        .args(["validate", "--format", "json"])
        .arg(fixture("request-example1-single-values.json"))
        .arg(vfixture("XC107-record-width-invalid.json"))
        .arg("/nonexistent/x.json")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let report = json(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(report["version"], 1);
    assert_eq!(report["valid"], false);
    assert_eq!(report["summary"]["files"], 3);
    assert_eq!(report["summary"]["valid"], 1);
    assert_eq!(report["summary"]["invalid"], 1);
    assert_eq!(report["summary"]["unreadable"], 1);
    assert_eq!(report["summary"]["errors"], 1);
    let files = report["files"].as_array().unwrap();
    assert_eq!(files[0]["status"], "valid");
    assert_eq!(files[0]["kind"], "request");
    assert_eq!(files[0]["records"], 3);
    assert_eq!(files[1]["status"], "invalid");
    let d = &files[1]["diagnostics"][0];
    assert_eq!(d["rule"], "XC107");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["pointer"], "/inputs/2");
    assert_eq!(files[2]["status"], "unreadable");
    assert!(files[2]["error"].as_str().unwrap().contains("cannot open"));
}

#[test]
fn sarif_format_is_a_sarif_2_1_0_log() {
    let output = xconn()
        .args(["validate", "--format", "sarif"])
        .arg(vfixture("XC108-object-value-invalid.json"))
        .arg(vfixture("XC121-unknown-key-invalid.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let log = json(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "xconn");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"XC108") && ids.contains(&"XC001"));
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let r = &results[0];
    assert_eq!(r["ruleId"], "XC108");
    assert_eq!(r["level"], "error");
    assert_eq!(
        rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "XC108"
    );
    let location = &r["locations"][0]["physicalLocation"];
    assert!(location["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("XC108-object-value-invalid.json"));
    assert_eq!(location["region"]["startLine"], 4);
    assert_eq!(location["region"]["startColumn"], 9);
    assert_eq!(results[1]["level"], "warning");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn github_format_prints_workflow_commands() {
    let s = Scratch::new();
    s.write(
        "my,file.json",
        fixture_text("validate/XC107-record-width-invalid.json"),
    );
    s.write(
        "w.json",
        fixture_text("validate/XC121-unknown-key-invalid.json"),
    );
    s.xconn()
        .args(["validate", "--format", "github", "my,file.json", "w.json"])
        .assert()
        .code(1)
        .stdout(contains(
            "::error file=my%2Cfile.json,line=5,col=5,title=XC107::record has 1 value but the header has 2 columns (id, amount) at /inputs/2\n",
        ))
        .stdout(contains("::warning file=w.json,line=3,col=3,title=XC121::"));
}

#[test]
fn machine_formats_keep_stdout_a_single_document() {
    for format in ["json", "sarif"] {
        let output = xconn()
            .args(["validate", "--format", format])
            .arg(fixture("request-example1-single-values.json"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let stdout = String::from_utf8(output.stdout).unwrap();
        json(&stdout);
        assert!(String::from_utf8(output.stderr)
            .unwrap()
            .contains("1 file checked"));
    }
}

#[test]
fn text_is_colored_on_a_terminal_only() {
    let file = vfixture("XC121-unknown-key-invalid.json");
    xconn()
        .env("XCONN_FORCE_TTY", "1")
        .arg("validate")
        .arg(&file)
        .assert()
        .stdout(contains("\x1b[1;33mwarning\x1b[0m"));
    xconn()
        .env("XCONN_FORCE_TTY", "1")
        .env("NO_COLOR", "1")
        .arg("validate")
        .arg(&file)
        .assert()
        .stdout(contains(": warning[XC121]"));
    xconn()
        .args(["validate", "--color", "always"])
        .arg(vfixture("XC107-record-width-invalid.json"))
        .assert()
        .stdout(contains("\x1b[1;31merror\x1b[0m"));
}

#[test]
fn check_source_keeps_its_public_shape() {
    let source = xconn::source::Source::read(
        fixture("request-example3-records-with-tables.json")
            .to_str()
            .unwrap(),
    )
    .unwrap();
    let checked = xconn::validate::check_source(&source, None);
    assert!(!checked.has_errors());
    assert_eq!(checked.kind, Some(xconn::body::Kind::Request));
    let text = std::str::from_utf8(&source.bytes).unwrap();
    let root = xconn::validate::body_root(text, &checked).expect("a checked body has a root");
    let body = xconn::body::Body::view(&root, checked.kind).unwrap();
    assert_eq!(body.records().unwrap().len(), 3);
    let mut text = Vec::new();
    let bad =
        xconn::source::Source::from_bytes("b.json", b"{\"inputs\": [[\"a\"], [{}]]}".to_vec());
    let checked = xconn::validate::check_source(&bad, None);
    xconn::validate::write_text(&mut text, "b.json", &checked.diagnostics).unwrap();
    assert_eq!(
        String::from_utf8(text).unwrap(),
        "b.json:1:21: error[XC108]: a value is an object; only the JSON-array format is \
         supported: use a nested table [[\"key\", …], [value, …]] instead at /inputs/1/0 (a)\n"
    );
}

#[test]
fn readme_lists_every_rule_with_its_severity() {
    // The rule table moved to docs/validate.md; README links to it.
    let doc = validate_doc();
    for rule in xconn::validate::rules::RULES {
        let row = format!("| `{}` | {} |", rule.id, rule.severity.name());
        assert!(doc.contains(&row), "docs/validate.md lacks the row {row}");
    }
    assert!(
        readme().contains("(docs/validate.md)"),
        "README links docs/validate.md"
    );
}

/// `--list-rules --format json`: `{"version": 1, "rules": [{id, name, severity, description}]}`.
fn listed_rules() -> Vec<serde_json::Value> {
    let output = xconn()
        .args(["validate", "--list-rules", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stderr.is_empty(), "{:?}", output.stderr);
    let document = json(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(document["version"], 1);
    document["rules"].as_array().unwrap().clone()
}

#[test]
fn list_rules_prints_every_rule_with_severity_and_meaning() {
    let listed = listed_rules();
    assert_eq!(listed.len(), xconn::validate::rules::RULES.len());
    for (rule, item) in xconn::validate::rules::RULES.iter().zip(&listed) {
        assert_eq!(item["id"], rule.id);
        assert_eq!(item["name"], rule.name);
        assert_eq!(item["severity"], rule.severity.name());
        assert_eq!(item["description"], rule.summary);
        assert!(
            !rule.summary.is_empty() && !rule.summary.contains('\n'),
            "{}",
            rule.id
        );
    }
    let output = xconn().args(["validate", "--list-rules"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), xconn::validate::rules::RULES.len());
    assert_eq!(
        lines[0],
        format!(
            "XC001  error    {}",
            xconn::validate::rules::RULES[0].summary
        )
    );
    assert!(lines.contains(
        &"XC121  warning  an unknown top-level key (a request has only `inputs`; a response \
          `outputs`, `warnings`, `errors`, `process_time`)"
    ));
}

#[test]
fn list_rules_needs_no_files_and_refuses_files_and_other_formats() {
    xconn()
        .args(["validate", "--list-rules", "x.json"])
        .assert()
        .code(2);
    xconn()
        .args(["validate", "--list-rules", "--format", "sarif"])
        .assert()
        .code(2)
        .stderr(contains(
            "--list-rules prints `--format text` or `--format json`",
        ));
    // Without --list-rules a file is still required.
    xconn().arg("validate").assert().code(2);
}

#[test]
fn docs_rule_table_is_what_list_rules_prints() {
    let doc = validate_doc();
    let marker = "<!-- rules: xconn validate --list-rules -->\n";
    let table = &doc[doc.find(marker).expect("rule table marker") + marker.len()..];
    let rows: Vec<&str> = table
        .lines()
        .skip(2) // header and separator
        .take_while(|line| line.starts_with('|'))
        .collect();
    let expected: Vec<String> = listed_rules()
        .iter()
        .map(|r| {
            format!(
                "| `{}` | {} | {} |",
                r["id"].as_str().unwrap(),
                r["severity"].as_str().unwrap(),
                r["description"].as_str().unwrap().replace('|', "\\|")
            )
        })
        .collect();
    assert_eq!(
        rows, expected,
        "docs/validate.md's rule table differs from `xconn validate --list-rules`: regenerate it"
    );
}

#[test]
fn pre_commit_hook_runs_xconn_validate() {
    let hooks = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.pre-commit-hooks.yaml"
    ))
    .unwrap();
    assert!(hooks.contains("id: xconn-validate"));
    assert!(hooks.contains("entry: xconn validate"));
    assert!(hooks.contains("language: rust"));
    // The documented examples name something that exists, not a placeholder repository.
    let doc = validate_doc();
    for text in [&hooks, &doc] {
        assert!(!text.contains("<owner>"), "a placeholder repository");
    }
    assert!(doc.contains("  - repo: local\n"));
    assert!(doc.contains("        entry: xconn validate\n"));
}

#[test]
fn xc003_duplicate_key_points_at_the_second_key() {
    check_rule("XC003-duplicate-key", "XC003", 6, 3, "/inputs", 1);
}

#[test]
fn utf16_file_is_an_xc001_naming_the_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.json");
    let mut bytes = vec![0xFE, 0xFF];
    for unit in "{\"inputs\": [[\"a\"]]}".encode_utf16() {
        bytes.extend(unit.to_be_bytes());
    }
    std::fs::write(&path, bytes).unwrap();
    xconn()
        .arg("validate")
        .arg(&path)
        .assert()
        .code(1)
        .stdout(contains(
            ":1:1: error[XC001]: the file is UTF-16BE, not UTF-8: convert it to UTF-8 first",
        ));
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// docs/validate.md: the rule table, report formats and pre-commit, moved out of README.
fn validate_doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/validate.md")).unwrap()
}

/// The fenced block of `lang` that follows `marker` in docs/validate.md.
fn doc_block(marker: &str, lang: &str) -> String {
    let doc = validate_doc();
    let after = &doc[doc.find(marker).expect("docs/validate.md marker")..];
    let open = format!("```{lang}\n");
    let start = after.find(&open).expect("docs/validate.md block") + open.len();
    let end = start
        + after[start..]
            .find("```")
            .expect("docs/validate.md block end");
    after[start..end].to_string()
}

#[test]
fn json_report_is_exactly_the_document_the_docs_document() {
    let s = Scratch::new();
    s.write(
        "ok.json",
        fixture_text("request-example1-single-values.json"),
    );
    s.write(
        "bad.json",
        fixture_text("validate/XC107-record-width-invalid.json"),
    );
    let output = s
        .xconn()
        .args(["validate", "--format", "json", "ok.json", "bad.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let actual = json(&String::from_utf8(output.stdout).unwrap());
    let documented = json(&doc_block("- `json`: one document for scripts", "json"));
    assert_eq!(actual, documented);
}

#[test]
fn json_report_of_an_unreadable_file_has_status_error_and_null_kind() {
    let output = xconn()
        .args(["validate", "--format", "json", "/nonexistent/x.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let report = json(&String::from_utf8(output.stdout).unwrap());
    let file = &report["files"][0];
    assert_eq!(file["status"], "unreadable");
    assert_eq!(file["kind"], serde_json::Value::Null);
    assert_eq!(file["records"], serde_json::Value::Null);
    assert_eq!(file["diagnostics"], serde_json::json!([]));
    assert!(file["error"].as_str().unwrap().contains("cannot open"));
}

#[test]
fn json_report_records_strict_and_counts_warnings_as_invalid() {
    let output = xconn()
        .args(["validate", "--format", "json", "--strict"])
        .arg(vfixture("XC121-unknown-key-invalid.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = json(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(report["strict"], true);
    assert_eq!(report["valid"], false);
    assert_eq!(report["summary"]["warnings"], 1);
    assert_eq!(report["files"][0]["status"], "invalid");
}

#[test]
fn sarif_log_carries_schema_messages_and_rule_descriptions() {
    let output = xconn()
        .args(["validate", "--format", "sarif"])
        .arg(vfixture("XC107-record-width-invalid.json"))
        .output()
        .unwrap();
    let log = json(&String::from_utf8(output.stdout).unwrap());
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let driver = &log["runs"][0]["tool"]["driver"];
    for rule in driver["rules"].as_array().unwrap() {
        assert!(rule["id"].as_str().unwrap().starts_with("XC"), "{rule}");
        assert!(rule["shortDescription"]["text"].is_string(), "{rule}");
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning"].contains(&level), "{rule}");
    }
    let result = &log["runs"][0]["results"][0];
    assert_eq!(
        result["message"]["text"],
        "record has 1 value but the header has 2 columns (id, amount) at /inputs/2"
    );
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(
        result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "/inputs/2"
    );
}

#[test]
fn sarif_reports_an_unreadable_file_as_a_failed_invocation() {
    let output = xconn()
        .args(["validate", "--format", "sarif", "/nonexistent/x.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let log = json(&String::from_utf8(output.stdout).unwrap());
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert!(notification["message"]["text"]
        .as_str()
        .unwrap()
        .contains("cannot open"));
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "file:///nonexistent/x.json"
    );
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn sarif_names_standard_input_stdin() {
    let output = xconn()
        .args(["validate", "--format", "sarif", "-"])
        .write_stdin(fixture_text("validate/XC107-record-width-invalid.json"))
        .output()
        .unwrap();
    let log = json(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "stdin"
    );
}

#[test]
fn github_escapes_percent_and_newlines_in_messages() {
    // A duplicate column name holding `%` and a newline: the message quotes it, so both must be
    // escaped or the annotation breaks into two workflow commands.
    let s = Scratch::new();
    s.write("d.json", r#"{"inputs": [["a%\nb", "a%\nb"], [1, 2]]}"#);
    s.xconn()
        .args(["validate", "--format", "github", "d.json"])
        .assert()
        .code(1)
        .stdout(
            "::error file=d.json,line=1,col=23,title=XC104::duplicate column name \"a%25%0Ab\" \
             (also column 1) at /inputs/0/1\n",
        );
}

#[test]
fn unreadable_file_in_github_format_is_an_annotation_on_the_file() {
    xconn()
        .args(["validate", "--format", "github", "/nonexistent/x.json"])
        .assert()
        .code(2)
        .stdout(contains(
            "::error file=/nonexistent/x.json,title=xconn::cannot open",
        ));
}

#[test]
fn usage_errors_exit_2() {
    xconn().arg("validate").assert().code(2);
    xconn()
        .args(["validate", "--format", "xml"])
        .arg(fixture("request-example1-single-values.json"))
        .assert()
        .code(2);
    xconn()
        .args(["validate", "--kind", "table"])
        .arg(fixture("request-example1-single-values.json"))
        .assert()
        .code(2);
}

#[test]
fn valid_files_with_warnings_exit_0_and_are_counted() {
    xconn()
        .arg("validate")
        .arg(vfixture("XC121-unknown-key-invalid.json"))
        .arg(fixture("response-example1-success.json"))
        .assert()
        .code(0)
        .stderr(contains(
            "2 files checked: 2 valid, 0 invalid (0 errors, 1 warning)",
        ));
}

#[test]
fn against_applies_to_responses_only() {
    let request = vfixture("XC130-request-two-records.json");
    xconn()
        .arg("validate")
        .arg("--against")
        .arg(&request)
        .arg(fixture("request-example1-single-values.json"))
        .assert()
        .code(0);
}

#[test]
fn text_report_puts_each_diagnostic_on_one_line_in_document_order() {
    let s = Scratch::new();
    s.write(
        "two.json",
        "{\"inputs\": [\n  [\"a\", \"a\"],\n  [{}, 1],\n  [1]\n]}",
    );
    s.xconn()
        .args(["validate", "two.json"])
        .assert()
        .code(1)
        .stdout(
        "two.json:2:9: error[XC104]: duplicate column name \"a\" (also column 1) at /inputs/0/1\n\
             two.json:3:4: error[XC108]: a value is an object; only the JSON-array format is \
             supported: use a nested table [[\"key\", …], [value, …]] instead at /inputs/1/0 (a)\n\
             two.json:4:3: error[XC107]: record has 1 value but the header has 2 columns (a, a) \
             at /inputs/2\n",
    );
}

#[test]
fn positions_ignore_a_bom_and_carriage_returns_and_count_a_tab_as_one() {
    let s = Scratch::new();
    s.write("crlf.json", "{\r\n  \"inputs\": [[\"a\"],\r\n  [{}]]}");
    s.write("bom.json", "\u{feff}{\"inputs\": [[\"a\"], [{}]]}");
    s.write("tab.json", "{\n\t\"inputs\": [[\"a\"], [{}]]}");
    s.xconn()
        .args(["validate", "crlf.json", "bom.json", "tab.json"])
        .assert()
        .code(1)
        .stdout(contains("crlf.json:3:4: error[XC108]"))
        .stdout(contains("bom.json:1:21: error[XC108]"))
        .stdout(contains("tab.json:2:21: error[XC108]"));
}

#[test]
fn text_report_escapes_bidi_overrides_and_newlines_in_keys() {
    let s = Scratch::new();
    s.write(
        "bidi.json",
        r#"{"inputs": [["a\u202eb\nc", "a\u202eb\nc"], [1, 2]]}"#,
    );
    s.xconn()
        .args(["validate", "bidi.json"])
        .assert()
        .code(1)
        .stdout(
            "bidi.json:1:29: error[XC104]: duplicate column name \"a\\u{202e}b\\nc\" (also \
             column 1) at /inputs/0/1\n",
        );
}

#[test]
fn syntax_hints_for_comments_nan_single_quotes_and_trailing_commas() {
    let s = Scratch::new();
    s.write("comment.json", "{\"inputs\": [[\"a\"],\n  // note\n  [1]]}");
    s.write("nan.json", "{\"inputs\": [[\"a\"], [NaN]]}");
    s.write("quote.json", "{\"inputs\": [['a'], [1]]}");
    s.write("comma.json", "{\"inputs\": [[\"a\"], [1]],\n}");
    s.xconn()
        .args([
            "validate",
            "comment.json",
            "nan.json",
            "quote.json",
            "comma.json",
        ])
        .assert()
        .code(1)
        .stdout(contains("comment.json:2:3: error[XC001]: ").and(contains("JSON has no comments")))
        .stdout(contains("nan.json:1:21: error[XC001]: ").and(contains("NaN and Infinity")))
        .stdout(contains("quote.json:1:14: error[XC001]: ").and(contains("double quotes")))
        .stdout(contains("comma.json:1:24: error[XC001]: trailing comma"))
        .stderr(contains("4 files checked: 0 valid, 4 invalid"));
}

#[test]
fn stdin_named_twice_is_a_usage_error() {
    let output = xconn()
        .args(["validate", "-", "-"])
        .write_stdin(fixture_text("request-example1-single-values.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("xconn: error: standard input (`-`) can be read only once"),
        "{stderr}"
    );
}

/// `xconn validate FILE` exits with `exit` and reports exactly these (rule, line, col, location).
fn check_exactly(name: &str, expected: &[(&str, u64, u64, &str)], exit: i32) {
    let path = vfixture(name);
    let found: Vec<(String, u64, u64, String)> = diagnostics(&path, &[])
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["col"].as_u64().unwrap(),
                d["location"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, u64, u64, String)> = expected
        .iter()
        .map(|(r, l, c, p)| (r.to_string(), *l, *c, p.to_string()))
        .collect();
    assert_eq!(found, expected, "{name}");
    xconn().arg("validate").arg(&path).assert().code(exit);
}

#[test]
fn xc003_duplicate_key_inside_an_unknown_top_level_key_is_an_error() {
    check_exactly(
        "XC003-duplicate-key-in-unknown-key-invalid.json",
        &[("XC121", 3, 3, "/x"), ("XC003", 3, 17, "/x/k")],
        1,
    );
}

#[test]
fn xc003_duplicate_key_in_a_warning_of_a_request_is_an_error() {
    check_exactly(
        "XC003-duplicate-key-in-request-warnings-invalid.json",
        &[
            ("XC121", 3, 3, "/warnings"),
            ("XC003", 3, 54, "/warnings/0/0/message"),
        ],
        1,
    );
}

#[test]
fn xc003_duplicate_key_nested_in_a_warning_has_its_full_pointer() {
    check_exactly(
        "XC003-duplicate-key-nested-in-warning-invalid.json",
        &[("XC003", 3, 74, "/warnings/0/0/details/k")],
        1,
    );
}

#[test]
fn xc003_duplicate_keys_in_cells_and_non_bodies_are_reported_at_their_keys() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[(&str, &str)]); 3] = [
        (
            r#"{"inputs":[["a"],[{"x":[{"k":1,"k":2}]}]]}"#,
            &[
                ("XC003", "/inputs/1/0/x/0/k (a)"),
                ("XC108", "/inputs/1/0 (a)"),
            ],
        ),
        (
            r#"{"other":{"k":{"j":1,"j":2}}}"#,
            &[("XC100", "/"), ("XC003", "/other/k/j")],
        ),
        (r#"[{"k":1,"k":2}]"#, &[("XC100", "/"), ("XC003", "/0/k")]),
    ];
    for (text, expected) in cases {
        let path = dir.path().join("d.json");
        std::fs::write(&path, text).unwrap();
        let mut found: Vec<(String, String)> = diagnostics(&path, &[])
            .iter()
            .map(|d| {
                let rule = d["rule"].as_str().unwrap().to_string();
                (rule, d["location"].as_str().unwrap().to_string())
            })
            .collect();
        found.sort();
        let mut expected: Vec<(String, String)> = expected
            .iter()
            .map(|(r, l)| (r.to_string(), l.to_string()))
            .collect();
        expected.sort();
        assert_eq!(found, expected, "{text}");
    }
}

#[test]
fn check_source_gives_the_document_span_to_view_without_parsing_again() {
    let source = xconn::source::Source::from_bytes(
        "b.json",
        b"  {\"inputs\": [[\"a\", \"b\"], [1, \"\xc3\xa9\"]]}\n".to_vec(),
    );
    let checked = xconn::validate::check_source(&source, None);
    assert_eq!(checked.root, Some((2, source.bytes.len() - 1)));
    let text = std::str::from_utf8(&source.bytes).unwrap();
    let root = xconn::validate::body_root(text, &checked).unwrap();
    assert_eq!(root.pointer("/inputs/1/1").unwrap().as_str().unwrap(), "é");
    // Not the text that was checked: no value rather than a wrong one or a panic.
    assert!(xconn::validate::body_root("{}", &checked).is_none());
    assert!(xconn::validate::body_root("  {\"é", &checked).is_none());

    let bad = xconn::source::Source::from_bytes("b.json", b"{\"inputs\": [}".to_vec());
    let checked = xconn::validate::check_source(&bad, None);
    assert_eq!(checked.root, None);
    assert!(xconn::validate::body_root("{\"inputs\": [}", &checked).is_none());
}

#[test]
fn check_bytes_checks_an_http_body_like_a_file() {
    let body = br#"{"outputs": [["a"], [1]], "warnings": [null], "errors": [null], "process_time": [0.5]}"#;
    let options = xconn::validate::Options::default();
    let validated = xconn::validate::check_bytes(body, &options);
    let rules: Vec<&str> = validated
        .checked
        .diagnostics
        .iter()
        .map(|d| d.rule)
        .collect();
    assert_eq!(rules, ["XC116"]);
    assert_eq!(validated.records, Some(1));
    assert_eq!(validated.checked.kind, Some(xconn::body::Kind::Response));
    let text = std::str::from_utf8(body).unwrap();
    let root = xconn::validate::body_root(text, &validated.checked).unwrap();
    assert_eq!(root.get("process_time").unwrap().raw(), "[0.5]");
}

/// A file larger than the UTF-8 check's 4 MB pieces, mapped, with two-byte characters across
/// the piece boundaries: positions after them stay exact and a bad byte late in the file is
/// still found.
#[test]
fn big_mapped_files_are_checked_in_pieces_with_exact_positions() {
    let dir = tempfile::tempdir().unwrap();
    let build = |pad: usize| {
        let mut text = format!("{{{}\"inputs\": [[\"name\", \"n\"]", " ".repeat(pad));
        let mut i = 0;
        while text.len() < 9 << 20 {
            text.push_str(&format!(",\n[\"é{i}ü\", {i}]"));
            i += 1;
        }
        text.push_str(",\n[\"é\"]]}\n");
        (text, i)
    };
    // Pad until a character straddles the first piece boundary.
    let (text, i) = (0..40)
        .map(build)
        .find(|(text, _)| !text.is_char_boundary(4 << 20))
        .unwrap();
    let path = dir.path().join("big.json");
    std::fs::write(&path, &text).unwrap();
    let found = diagnostics(&path, &[]);
    assert_eq!(rule_ids(&found), ["XC107"], "{found:#?}");
    assert_eq!(found[0]["line"].as_u64(), Some(i as u64 + 2));
    assert_eq!(found[0]["col"].as_u64(), Some(1));
    assert_eq!(found[0]["location"], format!("/inputs/{}", i + 1));

    let mut bytes = text.into_bytes();
    let at = bytes.len() - 4;
    bytes[at] = 0xFF;
    std::fs::write(&path, &bytes).unwrap();
    let found = diagnostics(&path, &[]);
    assert_eq!(rule_ids(&found), ["XC001"]);
    assert_eq!(found[0]["line"].as_u64(), Some(i as u64 + 2));
    assert!(found[0]["message"]
        .as_str()
        .unwrap()
        .contains("invalid UTF-8"));
}

/// Issue 8 point 7: LF, CRLF and a lone CR each end a line (CRLF counts once) for every message:
/// rule diagnostics, syntax errors and schema-located ones, in CR-only and mixed files.
#[test]
fn cr_only_and_mixed_line_endings_give_the_lines_editors_show() {
    let s = Scratch::new();
    // The bad record is on line 4 whatever ends the lines before it.
    for (name, eol) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
        let body = format!("{{{eol}\"inputs\": [{eol}[\"a\", \"b\"],{eol}  [1]]{eol}}}");
        s.write(&format!("{name}.json"), &body);
        let found = diagnostics(&s.path(&format!("{name}.json")), &[]);
        assert_eq!(rule_ids(&found), ["XC107"], "{name}");
        assert_eq!(
            (found[0]["line"].as_u64(), found[0]["col"].as_u64()),
            (Some(4), Some(3)),
            "{name}"
        );
    }
    // Mixed: CR, CRLF, LF, CR CR (two lines), then a syntax error.
    s.write("mixed.json", "{\r\"inputs\":\r\n[[\"a\"],\n[1]\r\r, ]}");
    let found = diagnostics(&s.path("mixed.json"), &[]);
    assert_eq!(rule_ids(&found), ["XC001"]);
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["col"].as_u64()),
        (Some(6), Some(1))
    );
    // Text and github formats print the same place.
    xconn()
        .arg("validate")
        .arg(s.path("mixed.json"))
        .assert()
        .code(1)
        .stdout(contains("mixed.json:6:1: error[XC001]"));
    xconn()
        .args(["validate", "--format", "github"])
        .arg(s.path("cr.json"))
        .assert()
        .code(1)
        .stdout(contains("line=4,col=3,"));
}

/// Issue 8 point 9: a file that is plainly another format says what it was read as and what to
/// run, in `validate` and `show`, from a file or standard input.
#[test]
fn csv_tsv_and_ndjson_given_to_validate_say_what_they_look_like() {
    let s = Scratch::new();
    let cases = [
        (
            "people.txt",
            "name,city\n\"Lovelace, Ada\",London\n",
            "this looks like CSV",
            "xconn convert --from csv people.txt",
        ),
        (
            "semi.csv",
            "a;b;c\r\n1;2;3\r\n",
            "CSV separated by `;`",
            "--delimiter ';' semi.csv",
        ),
        (
            "tabs.tsv",
            "a\tb\n1\t2\n",
            "tab-separated CSV",
            "--delimiter '\\t' tabs.tsv",
        ),
        (
            "quoted.csv",
            "\"id\",\"name\"\n\"1\",\"x\"\n",
            "this looks like CSV",
            "--from csv quoted.csv",
        ),
        (
            "my file.csv",
            "[id],[name]\n[1],[2]\n",
            "this looks like CSV",
            "--from csv 'my file.csv'",
        ),
        (
            "rows.ndjson",
            "{\"a\": 1}\n{\"a\": 2}\n",
            "this looks like NDJSON",
            "xconn convert --from ndjson rows.ndjson",
        ),
    ];
    for (name, text, looks, command) in cases {
        s.write(name, text);
        let output = xconn()
            .args(["validate", "--format", "json", name])
            .current_dir(s.path(""))
            .output()
            .unwrap();
        let found = json(&String::from_utf8(output.stdout).unwrap())["files"][0]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap();
        assert_eq!(rule_ids(&found), ["XC001"], "{name}");
        let message = found[0]["message"].as_str().unwrap();
        assert!(message.contains(looks), "{name}: {message}");
        assert!(message.contains("read as JSON"), "{name}: {message}");
        assert!(message.contains(command), "{name}: {message}");
        xconn()
            .args(["show", name])
            .current_dir(s.path(""))
            .assert()
            .code(1)
            .stderr(contains(looks).and(contains(command)));
    }
    xconn()
        .args(["validate", "-"])
        .write_stdin("x,y\n1,2\n")
        .assert()
        .code(1)
        .stdout(contains("xconn convert --from csv -`"));
    // JSON with a mistake is still JSON: its own hint, no format guess.
    for text in ["[1,\n2,\n3,]", "[1, 'x']", "[1, 2", "{\"a\": 1, \"b\"}"] {
        s.write("broken.json", text);
        let message = diagnostics(&s.path("broken.json"), &[])[0]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(!message.contains("looks like"), "{text}: {message}");
    }
}

/// Issue 8 point 12: past 1,000 problems every problem is still counted — summary line, JSON
/// summary and per-file counts — while 1,000 are listed; errors hidden behind warnings still fail.
#[test]
fn problems_past_the_list_limit_are_counted_in_every_total() {
    let s = Scratch::new();
    // 1,200 records of the wrong width (errors) and, in another file, 1,000 unknown keys
    // (warnings) before an error the list has no room for.
    let rows: Vec<String> = (0..1200).map(|i| format!("[{i}]")).collect();
    s.write(
        "errors.json",
        format!("{{\"inputs\": [[\"a\", \"b\"], {}]}}", rows.join(",")),
    );
    let keys: Vec<String> = (0..1000).map(|i| format!("\"k{i}\": 1")).collect();
    s.write(
        "warnings.json",
        format!("{{{}, \"inputs\": [[\"a\"], [1, 2]]}}", keys.join(",")),
    );
    let output = xconn()
        .args(["validate", "--format", "json"])
        .arg(s.path("errors.json"))
        .arg(s.path("warnings.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = json(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(report["summary"]["errors"], 1201, "{}", report["summary"]);
    assert_eq!(report["files"][0]["errors"], 1200);
    assert_eq!(
        report["files"][0]["diagnostics"].as_array().unwrap().len(),
        1001
    );
    assert_eq!(report["files"][1]["status"], "invalid");
    assert_eq!(report["files"][1]["errors"], 1);
    assert_eq!(
        report["files"][1]["warnings"], 1001,
        "1000 unknown keys and the XC002 note"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("(1201 errors, 1002 warnings)"), "{stderr}");
    xconn()
        .arg("validate")
        .arg(s.path("warnings.json"))
        .assert()
        .code(1)
        .stderr(contains("1 invalid (1 error, 1001 warnings)"));
}

/// Issue 8 point 14: SARIF columns count code points and the run says so.
#[test]
fn sarif_declares_its_column_kind() {
    let s = Scratch::new();
    s.write(
        "wide.json",
        "{\"inputs\": [[\"é\", \"😀\"], [\"ü😀\", 1, 2]]}",
    );
    let output = xconn()
        .args(["validate", "--format", "sarif"])
        .arg(s.path("wide.json"))
        .output()
        .unwrap();
    let log = json(&String::from_utf8(output.stdout).unwrap());
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let region = &run["results"][0]["locations"][0]["physicalLocation"]["region"];
    // `[` of the bad record is the 25th code point (the 26th UTF-16 unit).
    assert_eq!(region["startColumn"], 25, "{region}");
}

/// The text report of `xconn validate FILE` (stdout), for hint wording.
fn validate_text(s: &Scratch, name: &str, contents: &[u8]) -> String {
    s.write(name, contents);
    let output = s.xconn().args(["validate", name]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{name}");
    String::from_utf8(output.stdout).unwrap()
}

/// Hints that pointed the wrong way (point 13 of "Numbers and inputs people have").
#[test]
fn syntax_hints_say_what_is_wrong_and_what_validate_offers() {
    let s = Scratch::new();
    // A leading `+` is its own mistake, not NaN or Infinity.
    let out = validate_text(&s, "plus.json", b"{\"inputs\": [[\"a\"], [+1]]}");
    assert!(out.contains("plus.json:1:21: error[XC001]"), "{out}");
    assert!(out.contains("leading `+`"), "{out}");
    assert!(!out.contains("NaN"), "{out}");
    let out = validate_text(&s, "nan.json", b"{\"inputs\": [[\"a\"], [NaN]]}");
    assert!(
        out.contains("NaN and Infinity are not JSON numbers"),
        "{out}"
    );
    // Content after the document: validate has no --from; the hint says what to do.
    let out = validate_text(&s, "two.json", b"{\"inputs\": [[\"a\"], [1]]} x\n");
    assert!(out.contains("two.json:1:26: error[XC001]"), "{out}");
    assert!(!out.contains("(--from"), "{out}");
    assert!(
        out.contains("xconn convert --from ndjson two.json"),
        "{out}"
    );
    // A CSV whose quoted field spans lines is still seen as CSV.
    let out = validate_text(
        &s,
        "notes.txt",
        b"name,note\nAnn,\"two\nlines\"\nBo,\"x, y\"\n",
    );
    assert!(out.contains("this looks like CSV"), "{out}");
    assert!(out.contains("xconn convert --from csv notes.txt"), "{out}");
    let out = validate_text(
        &s,
        "semi.txt",
        b"name;note\r\n\"Ann\";\"a\r\nb;c\"\r\nBo;x\r\n",
    );
    assert!(
        out.contains("this looks like CSV separated by `;`"),
        "{out}"
    );
}

/// "an `errors` entry", not "a `errors` entry".
#[test]
fn message_entry_errors_use_the_right_article() {
    let s = Scratch::new();
    let body = br#"{"outputs": [["y"], [1], [2]], "warnings": [null, 5], "errors": [null, "x"], "process_time": [1, 1]}"#;
    let out = validate_text(&s, "r.json", body);
    assert!(out.contains("an `errors` entry must be"), "{out}");
    assert!(out.contains("a `warnings` entry must be"), "{out}");
    assert!(!out.contains("a `errors`"), "{out}");
}
