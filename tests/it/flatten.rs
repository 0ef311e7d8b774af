//! The one body → CSV flattener: `show --format csv` and `convert --to csv --nest` write the same
//! CSV for the same body, tables inside nested tables included (spread recursively), with the
//! separator as a parameter of `convert`.

use crate::common;

use common::{fixture, fixture_text, Scratch};

fn run(s: &Scratch, args: &[&str]) -> (i32, String, String) {
    let output = s.xconn().args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn ok(s: &Scratch, args: &[&str]) -> String {
    let (code, out, err) = run(s, args);
    assert_eq!(code, 0, "xconn {args:?} failed:\n{err}");
    out
}

#[test]
fn show_and_convert_write_the_same_csv_for_tables_inside_tables() {
    let s = Scratch::new();
    let file = fixture("show/nested-tables-two-levels.json");
    let file = file.to_str().unwrap();
    let shown = ok(&s, &["show", "--format", "csv", file]);
    let converted = ok(&s, &["convert", file, "--to", "csv", "--nest"]);
    assert_eq!(shown, converted);
    assert_eq!(shown, fixture_text("show/nested-tables-two-levels.csv"));
}

#[test]
fn the_separator_is_a_parameter_at_every_level() {
    let s = Scratch::new();
    let file = fixture("show/nested-tables-two-levels.json");
    let out = ok(
        &s,
        &[
            "convert",
            file.to_str().unwrap(),
            "--to",
            "csv",
            "--nest",
            "--nest-sep",
            "/",
        ],
    );
    assert_eq!(
        out.lines().next().unwrap(),
        "order,lines/item,lines/parts/part,lines/parts/qty"
    );
}

#[test]
fn show_and_convert_agree_on_every_shipped_request() {
    let s = Scratch::new();
    for name in [
        "request-example1-single-values.json",
        "request-example2-table-input.json",
        "request-example3-records-with-tables.json",
    ] {
        let file = fixture(name);
        let file = file.to_str().unwrap();
        let shown = ok(&s, &["show", "--format", "csv", file]);
        let converted = ok(&s, &["convert", file, "--to", "csv", "--nest"]);
        assert_eq!(shown, converted, "{name}");
    }
}

#[test]
fn a_column_with_tables_and_plain_values_is_shown_whole_and_refused_by_convert() {
    let s = Scratch::new();
    s.write(
        "mixed.json",
        r#"{"inputs":[["id","T"],[1,7],[2,[["a","b"],[1,2],[3,4]]],[3,null]]}"#,
    );
    let expected = "id,T,T.a,T.b\n1,7,,\n2,,1,2\n2,,3,4\n3,,,\n";
    assert_eq!(ok(&s, &["show", "--format", "csv", "mixed.json"]), expected);
    // `convert` writes CSV to be read back, and `--nest` cannot read such a column back: it
    // refuses, naming the value, rather than write what comes back as another body (or not at all).
    let (code, out, err) = run(&s, &["convert", "mixed.json", "--to", "csv", "--nest"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("mixed.json:1:") && err.contains("/inputs/2/1 (record 2, column \"T\")"),
        "{err}"
    );
}

#[test]
fn reverse_conversion_refuses_what_the_validator_rejects_with_its_diagnostic() {
    let s = Scratch::new();
    s.write("dup.json", r#"{"inputs":[["a","a"],[1,2]]}"#);
    for to in ["json", "ndjson", "csv"] {
        let (code, out, err) = run(&s, &["convert", "dup.json", "--to", to]);
        assert_eq!(code, 1, "--to {to}: {out}");
        assert!(out.is_empty(), "--to {to}: {out}");
        assert_eq!(
            err.trim_end(),
            "xconn: error: dup.json:1:17: XC104 duplicate column name \"a\" (also column 1) at /inputs/0/1",
            "--to {to}"
        );
    }
}

#[test]
fn show_and_convert_quote_the_same_strings() {
    let s = Scratch::new();
    s.write(
        "typed.json",
        r#"{"inputs": [["s", "n", "T"], ["42", 42, [["k"], ["true"], [true]]], ["", null, [["k"], ["1e400"], [""]]], ["a,b", 1.10, [["k"], [0]]]]}"#,
    );
    let shown = ok(&s, &["show", "--format", "csv", "typed.json"]);
    let converted = ok(&s, &["convert", "typed.json", "--to", "csv", "--nest"]);
    assert_eq!(shown, converted);
    // Strings that would read back as numbers, booleans or null are quoted; values are not.
    assert!(shown.contains("\"42\",42,\"true\""), "{shown}");
    assert!(shown.contains("\"\",,\"1e400\""), "{shown}");
    // And the CSV reads back as the same body.
    s.write("typed.csv", &converted);
    let back = ok(&s, &["convert", "typed.csv", "--nest", "--compact"]);
    let original = ok(&s, &["convert", "typed.json", "--to", "body", "--compact"]);
    assert_eq!(back, original);
}

#[test]
fn a_null_where_other_records_hold_tables_is_refused_under_nest() {
    let s = Scratch::new();
    s.write(
        "t.json",
        r#"{"inputs": [["s", "T"], ["a", [["k"], [1]]], ["b", null], ["c", [["k"]]]]}"#,
    );
    let (code, _, err) = run(&s, &["convert", "t.json", "--to", "csv", "--nest"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("t.json:1:"), "{err}");
    assert!(
        err.contains("/inputs/2/1 (record 2, column \"T\") is null"),
        "{err}"
    );
}
