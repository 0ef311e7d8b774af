//! Every body xconn writes is checked before it leaves: `convert`'s one body writer runs the
//! validator's record rules over each header and row it is about to write, so objects, NDJSON
//! and CSV that would make a body `validate` rejects are refused (exit 1, the rule, the record
//! and the input location), and `-o` leaves nothing behind. A property test generates the awkward
//! shapes (empty keys, empty objects, table-form values that break the table rules, mixed kinds)
//! and proves each conversion is either refused or valid.

use std::path::Path;

use proptest::prelude::*;
use xconn::convert::{self, Settings, SourceFormat, TargetFormat};
use xconn::validate::{self, Options};

use crate::common::Scratch;

/// `convert FILE -o out.json`: exit code, stderr, and whether out.json exists.
fn convert_to_file(s: &Scratch, name: &str, text: &str) -> (i32, String, bool) {
    s.write(name, text);
    let _ = std::fs::remove_file(s.path("out.json"));
    let out = s
        .xconn()
        .args(["convert", name, "-o", "out.json"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        s.path("out.json").exists(),
    )
}

#[test]
fn bodies_validate_would_reject_are_refused_with_the_rule_and_the_input_location() {
    let s = Scratch::new();
    let cases: &[(&str, &str, &str, &str)] = &[
        // (file, content, rule, location in the message)
        ("empty-objects.json", "[{}, {}]", "XC102", "the header row"),
        (
            "empty-key.json",
            r#"[{"": 1, "b": 2}]"#,
            "XC103",
            "the header row",
        ),
        (
            "nested-empty-key.json",
            "[{\"a\": 1},\n {\"a\": 2, \"t\": [{\"\": 1}]}]",
            "XC103",
            "nested-empty-key.json:2:2: cannot convert: record 2",
        ),
        (
            "table-duplicate-column.json",
            r#"[{"a": 1, "t": [["k", "k"], [1, 2]]}]"#,
            "XC104",
            "table-duplicate-column.json:1:2: cannot convert: record 1",
        ),
        (
            "table-short-row.json",
            r#"[{"a": 1, "t": [["k", "j"], [1]]}]"#,
            "XC107",
            "record 1",
        ),
        (
            "table-object-value.json",
            r#"[{"a": 1, "t": [["k"], [{"o": 1}]]}]"#,
            "XC",
            "record 1",
        ),
        (
            "ndjson-short-row.ndjson",
            "{\"a\": 1}\n\n{\"a\": 2, \"t\": [[\"k\"], [1, 2]]}\n",
            "XC107",
            "ndjson-short-row.ndjson:3: cannot convert: record 2",
        ),
        ("csv-empty-header.csv", "a,,c\n1,2,3\n", "XC103", ""),
        ("csv-duplicate-header.csv", "a,a\n1,2\n", "XC104", ""),
    ];
    for (name, text, rule, location) in cases {
        let (code, stderr, written) = convert_to_file(&s, name, text);
        if name.ends_with(".csv") && code == 1 && !stderr.contains("cannot convert:") {
            // The CSV reader refuses these itself, before a body is written: also fine, as long
            // as it is a located one-line error.
            assert!(stderr.starts_with("xconn: error: "), "{name}: {stderr}");
            assert!(!written, "{name}: -o left a file");
            continue;
        }
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(!written, "{name}: -o left a file");
        assert!(stderr.starts_with("xconn: error: "), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.contains(rule), "{name}: no {rule}: {stderr}");
        assert!(
            stderr.contains(location),
            "{name}: no {location:?}: {stderr}"
        );
    }
}

fn settings(input: &Path, from: SourceFormat) -> Settings {
    crate::common::convert_settings(input, Some(from), TargetFormat::Body)
}

/// A key: often empty or repeated across objects.
fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", "a", "b", "a b", "é", "k"]).prop_map(str::to_string)
}

fn scalar() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["null", "1", "-0.50", "true", "\"x\"", "\"\""])
        .prop_map(str::to_string)
}

/// A value: a scalar, an array of anything (a table or not), or an object (a nested table when
/// converted from objects).
fn value() -> impl Strategy<Value = String> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((key(), inner), 0..3).prop_map(object_text),
        ]
    })
}

fn object() -> impl Strategy<Value = String> {
    prop::collection::vec((key(), value()), 0..4).prop_map(object_text)
}

/// An object's text from its members, a repeated key kept once (the input would be refused for
/// it before any body is written).
fn object_text(members: Vec<(String, String)>) -> String {
    let mut seen = std::collections::HashSet::new();
    let members: Vec<String> = members
        .into_iter()
        .filter(|(k, _)| seen.insert(k.clone()))
        .map(|(k, v)| format!("\"{k}\":{v}"))
        .collect();
    format!("{{{}}}", members.join(","))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever objects come in, `convert` either refuses (a data error naming a rule or the
    /// input) or writes a body `validate` accepts.
    #[test]
    fn converted_objects_are_refused_or_valid(objects in prop::collection::vec(object(), 1..5)) {
        let s = Scratch::new();
        let array = format!("[{}]", objects.join(",\n"));
        let ndjson = objects.join("\n");
        for (name, text, from) in [
            ("in.json", array.as_str(), SourceFormat::Json),
            ("in.ndjson", ndjson.as_str(), SourceFormat::Ndjson),
        ] {
            let path = s.write(name, text);
            let mut out = Vec::new();
            match convert::convert(&settings(&path, from), &mut out) {
                Ok(()) => {
                    let checked = validate::check_bytes(&out, &Options::default());
                    let errors: Vec<String> = checked
                        .checked
                        .diagnostics
                        .iter()
                        .filter(|d| d.severity == xconn::diag::Severity::Error)
                        .map(|d| format!("{} {} {}", d.rule, d.pointer, d.message))
                        .collect();
                    prop_assert!(
                        errors.is_empty(),
                        "{} converted to a body validate rejects: {:?}\n{}",
                        name,
                        errors,
                        String::from_utf8_lossy(&out)
                    );
                }
                Err(e) => {
                    let message = format!("{e:#}");
                    prop_assert!(message.contains(name), "{}: {}", name, message);
                }
            }
        }
    }
}
