//! `xconn show`: expected-output tests against fixtures/show/ (regenerate with `XCONN_BLESS=1
//! cargo test --test show`, then review the diff), color, width, pipes and broken input.

use crate::common;

use std::io::Read;
use std::process::{Command as StdCommand, Stdio};

use common::{fixture, xconn, Scratch};
use predicates::prelude::PredicateBooleanExt;

/// Compare `actual` with fixtures/show/`name`; with `XCONN_BLESS=1` write it instead.
fn expect(name: &str, actual: &str) {
    let path = fixture("show").join(name);
    if std::env::var_os("XCONN_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with XCONN_BLESS=1 to create)", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "output differs from fixtures/show/{name} at line {}\n--- expected\n{expected}\n--- actual\n{actual}",
            line + 1
        );
    }
}

/// Run `xconn show ARGS…`; returns (exit code, stdout, stderr).
fn show(args: &[&str]) -> (i32, String, String) {
    show_with(args, &[])
}

fn show_with(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = xconn();
    cmd.arg("show");
    for arg in args {
        cmd.arg(arg);
    }
    for (key, value) in env {
        cmd.env(key, value);
    }
    let output = cmd.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// `show` of a shipped fixture that must succeed quietly; returns stdout.
fn show_ok(name: &str, extra: &[&str]) -> String {
    let path = fixture(name);
    let mut args = vec![path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = show(&args);
    assert_eq!((code, stderr.as_str()), (0, ""), "show {name} {extra:?}");
    stdout
}

#[test]
fn success_response_shows_grid_process_time_status_and_nested_table() {
    let out = show_ok("response-example1-success.json", &[]);
    expect("response-example1.txt", &out);
}

#[test]
fn warnings_are_listed_under_their_record() {
    let out = show_ok("response-example2-with-warnings.json", &[]);
    expect("response-example2.txt", &out);
}

#[test]
fn failure_response_shows_request_level_errors_instead_of_an_empty_grid() {
    let out = show_ok("response-example3-failure.json", &[]);
    expect("response-example3.txt", &out);
}

#[test]
fn request_with_nested_tables_lists_each_below_the_grid() {
    let out = show_ok("request-example3-records-with-tables.json", &[]);
    expect("request-example3.txt", &out);
}

#[test]
fn single_value_request_is_a_plain_grid() {
    let out = show_ok("request-example1-single-values.json", &[]);
    expect("request-example1.txt", &out);
}

#[test]
fn record_flag_shows_one_record_vertically_with_its_tables() {
    let out = show_ok(
        "request-example3-records-with-tables.json",
        &["--record", "2"],
    );
    expect("request-example3-record-2.txt", &out);
}

#[test]
fn record_flag_on_a_response_adds_status_and_messages() {
    let out = show_ok("response-example2-with-warnings.json", &["--record", "1"]);
    expect("response-example2-record-1.txt", &out);
}

#[test]
fn record_out_of_range_is_a_usage_error() {
    let path = fixture("request-example3-records-with-tables.json");
    let (code, stdout, stderr) = show(&[path.to_str().unwrap(), "--record", "4"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "xconn: error: --record 4: the request has 3 input records\n"
    );
}

#[test]
fn long_nested_tables_are_previewed_with_a_hint() {
    let out = show_ok("response-example2-with-warnings.json", &[]);
    assert!(out.contains("… 1 more row (use --expand)"), "{out}");
    assert!(!out.contains("Sydney Funnel Web Spider"), "{out}");
}

#[test]
fn expand_shows_every_row_of_every_nested_table() {
    let out = show_ok("response-example2-with-warnings.json", &["--expand"]);
    expect("response-example2-expand.txt", &out);
}

#[test]
fn tables_inside_nested_tables_are_titled_with_their_path() {
    let out = show_ok("show/nested-tables-two-levels.json", &[]);
    expect("nested-tables-two-levels.txt", &out);
}

#[test]
fn markdown_format_gives_github_tables() {
    let out = show_ok(
        "response-example2-with-warnings.json",
        &["--format", "markdown"],
    );
    expect("response-example2.md", &out);
}

#[test]
fn markdown_format_lists_error_fields() {
    let out = show_ok("response-example3-failure.json", &["--format", "markdown"]);
    expect("response-example3.md", &out);
}

#[test]
fn markdown_escapes_pipes_html_and_newlines() {
    let out = show_ok("show/hostile-text.json", &["--format", "markdown"]);
    expect("hostile-text.md", &out);
}

#[test]
fn csv_format_spreads_nested_tables_into_rows() {
    let out = show_ok(
        "request-example3-records-with-tables.json",
        &["--format", "csv"],
    );
    expect("request-example3.csv", &out);
}

#[test]
fn csv_format_of_a_response_adds_process_time_and_status() {
    let out = show_ok("response-example1-success.json", &["--format", "csv"]);
    expect("response-example1.csv", &out);
}

#[test]
fn json_format_is_the_normalized_body() {
    let out = show_ok(
        "request-example3-records-with-tables.json",
        &["--format", "json"],
    );
    expect("request-example3.json", &out);
}

#[test]
fn json_format_with_record_keeps_only_that_record() {
    let out = show_ok(
        "request-example3-records-with-tables.json",
        &["--format", "json", "--record", "2"],
    );
    expect("request-example3-record-2.json", &out);
}

#[test]
fn narrow_width_cuts_long_cells_with_an_ellipsis() {
    let out = show_ok("response-example1-success.json", &["--width", "50"]);
    expect("response-example1-width-50.txt", &out);
    let grid_lines = out.lines().skip(2).take(3);
    for line in grid_lines {
        assert!(line.chars().count() <= 50, "too wide: {line}");
    }
}

#[test]
fn terminal_width_comes_from_columns() {
    let path = fixture("response-example1-success.json");
    let (code, out, _) = show_with(
        &[path.to_str().unwrap(), "--color", "never"],
        &[("XCONN_FORCE_TTY", "1"), ("COLUMNS", "50")],
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        common::fixture_text("show/response-example1-width-50.txt")
    );
}

#[test]
fn piped_output_is_never_cut() {
    let out = show_ok("response-example1-success.json", &[]);
    assert!(
        out.contains("unique wildlife, and vibrant cities."),
        "{out}"
    );
    assert!(!out.contains('…'), "{out}");
    // COLUMNS describes a terminal; a pipe ignores it.
    let path = fixture("response-example1-success.json");
    let (code, narrow, _) = show_with(&[path.to_str().unwrap()], &[("COLUMNS", "20")]);
    assert_eq!((code, narrow), (0, out));
}

#[test]
fn color_always_marks_errors_red_and_warnings_yellow() {
    let out = show_ok("show/warnings-and-errors.json", &["--color", "always"]);
    expect("warnings-and-errors.color.txt", &out);
    assert!(out.contains("\x1b[31merror  \x1b[0m"), "{out}");
    assert!(out.contains("\x1b[33mwarning\x1b[0m"), "{out}");
}

#[test]
fn color_never_writes_no_escape_codes() {
    let out = show_ok("show/warnings-and-errors.json", &["--color", "never"]);
    expect("warnings-and-errors.txt", &out);
    assert!(!out.contains('\x1b'));
}

#[test]
fn color_auto_colors_a_terminal() {
    let path = fixture("show/warnings-and-errors.json");
    let (_, out, _) = show_with(&[path.to_str().unwrap()], &[("XCONN_FORCE_TTY", "1")]);
    assert!(out.contains("\x1b[31m"), "{out}");
}

#[test]
fn color_auto_honours_no_color() {
    let path = fixture("show/warnings-and-errors.json");
    let (_, out, _) = show_with(
        &[path.to_str().unwrap()],
        &[("XCONN_FORCE_TTY", "1"), ("NO_COLOR", "1")],
    );
    assert!(!out.contains('\x1b'), "{out}");
}

#[test]
fn color_auto_writes_no_escape_codes_into_a_pipe() {
    let out = show_ok("show/warnings-and-errors.json", &[]);
    assert!(!out.contains('\x1b'), "{out}");
}

#[test]
fn control_characters_in_values_are_escaped() {
    let out = show_ok("show/hostile-text.json", &["--color", "always"]);
    expect("hostile-text.txt", &out);
    // Only our own SGR codes reach the terminal; the value's ESC is shown as text.
    assert!(out.contains("\\u{1b}]0;owned\\u{7}"), "{out}");
    assert!(!out.contains("\x1b]0;"), "{out}");
}

#[test]
fn reads_standard_input() {
    let out = xconn()
        .args(["show", "-"])
        .write_stdin(common::fixture_text("request-example1-single-values.json"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        common::fixture_text("show/request-example1.txt")
    );
}

#[test]
fn malformed_json_prints_only_the_diagnostic() {
    let path = fixture("request-example1-single-values-trailing-comma.json");
    let (code, stdout, stderr) = show(&[path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(":6:29: error[XC001]: trailing comma"),
        "{stderr}"
    );
}

#[test]
fn a_document_that_is_not_a_body_prints_only_the_diagnostic() {
    let scratch = Scratch::new();
    scratch.write("list.json", "[1, 2]");
    let out = scratch
        .xconn()
        .args(["show", "list.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("error[XC100]"));
}

#[test]
fn broken_body_renders_what_it_can_and_exits_by_its_diagnostics() {
    // An object where a value belongs, and a `warnings` list one entry short: the grid still
    // renders, the validator's diagnostics go to stderr, and the exit code is 1.
    let path = fixture("show/broken-body.json");
    let (code, stdout, stderr) = show(&[path.to_str().unwrap()]);
    expect("broken-body.txt", &stdout);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("error[XC108]"),
        "object value not reported: {stderr}"
    );
    assert!(
        stderr.contains("error[XC111]"),
        "short warnings not reported: {stderr}"
    );
    for line in stderr.lines().filter(|l| l.contains("[XC")) {
        assert!(line.contains("broken-body.json:"), "{line}");
    }
}

#[test]
fn closed_pipe_exits_zero_without_a_message() {
    // A large body, so the output overruns the pipe buffer and the write after the reader has
    // gone fails with EPIPE.
    let scratch = Scratch::new();
    let mut body = String::from("{\"inputs\": [[\"id\", \"text\"]");
    for i in 0..50_000 {
        body.push_str(&format!(",\n[{i}, \"record number {i} of a long body\"]"));
    }
    body.push_str("]}");
    let big = scratch.write("big.json", body);

    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_xconn"))
        .args(["show", big.to_str().unwrap()])
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut head = [0u8; 64];
    stdout.read_exact(&mut head).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert!(head.starts_with(b"request: 50000 records"));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8(output.stderr).unwrap(), "");
}

#[test]
fn wide_characters_are_cut_by_display_width() {
    let out = show_ok("show/hostile-text.json", &["--width", "30"]);
    expect("hostile-text-width-30.txt", &out);
    assert!(out.contains("│ 日本…"), "{out}");
}

#[test]
fn csv_escapes_control_characters_only_on_a_terminal() {
    let path = fixture("show/hostile-text.json");
    let args = [path.to_str().unwrap(), "--format", "csv"];
    let (_, piped, _) = show(&args);
    assert!(piped.contains("\x1b]0;owned\x07title"), "{piped}");
    let (_, terminal, _) = show_with(&args, &[("XCONN_FORCE_TTY", "1")]);
    assert!(!terminal.contains('\x1b'), "{terminal}");
    assert!(
        terminal.contains("\\u{1b}]0;owned\\u{7}title"),
        "{terminal}"
    );
}

#[test]
fn csv_on_a_terminal_escapes_bidi_controls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bidi.json");
    std::fs::write(&path, r#"{"inputs": [["a"], ["x\u202ey"]]}"#).unwrap();
    let (code, out, _) = show_with(
        &[path.to_str().unwrap(), "--format", "csv"],
        &[("XCONN_FORCE_TTY", "1")],
    );
    assert_eq!(code, 0);
    assert_eq!(out, "a\nx\\u{202e}y\n");
}

#[test]
fn duplicate_key_is_reported_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dup.json");
    std::fs::write(
        &path,
        "{\"inputs\": [[\"a\"], [1]],\n \"inputs\": [[\"b\"], [2]]}",
    )
    .unwrap();
    let (code, _, err) = show(&[path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("dup.json:2:2: error[XC003]"), "{err}");
}

#[test]
fn broken_body_diagnostics_are_exactly_what_validate_prints() {
    let scratch = Scratch::new();
    scratch.write("broken.json", common::fixture_text("show/broken-body.json"));
    let shown = scratch
        .xconn()
        .args(["show", "broken.json"])
        .output()
        .unwrap();
    let validated = scratch
        .xconn()
        .args(["validate", "broken.json"])
        .output()
        .unwrap();
    assert_eq!(shown.status.code(), Some(1));
    assert_eq!(validated.status.code(), Some(1));
    let diagnostics = String::from_utf8(shown.stderr).unwrap();
    assert!(!diagnostics.is_empty());
    assert_eq!(diagnostics, String::from_utf8(validated.stdout).unwrap());
}

#[test]
fn warnings_alone_are_printed_on_stderr_and_exit_0() {
    let scratch = Scratch::new();
    scratch.write("meta.json", r#"{"inputs": [["a"], [1]], "meta": "x"}"#);
    let out = scratch
        .xconn()
        .args(["show", "meta.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "meta.json:1:26: warning[XC121]: unknown top-level key `meta`: a request has only `inputs` at /meta\n"
    );
}

#[test]
fn readme_example_is_the_real_output() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let command = "$ xconn show fixtures/show/warnings-and-errors.json\n";
    let start = readme.find(command).expect("README example") + command.len();
    let end = start + readme[start..].find("```").unwrap();
    assert_eq!(
        &readme[start..end],
        common::fixture_text("show/warnings-and-errors.txt")
    );
}

#[test]
fn renderer_is_a_library_api_over_any_writer() {
    // What `call` will do with a response: parse, view, render into its own writer.
    let text = common::fixture_text("response-example2-with-warnings.json");
    let doc = xconn::json::parse(&text).unwrap();
    let body = xconn::body::Body::view(&doc, None).unwrap();
    let mut out = Vec::new();
    xconn::render::render(&mut out, &body, &xconn::render::Options::default()).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        common::fixture_text("show/response-example2.txt")
    );
}

/// Display columns at which the grid's separators (`│`, and `┼` in the rule under the titles)
/// stand in `line`.
fn separator_columns(line: &str) -> Vec<usize> {
    use unicode_width::UnicodeWidthStr;
    line.char_indices()
        .filter(|&(_, ch)| ch == '│' || ch == '┼')
        .map(|(index, _)| line[..index].width())
        .collect()
}

#[test]
fn emoji_and_wide_characters_keep_the_grid_aligned() {
    let scratch = Scratch::new();
    scratch.write(
        "emoji.json",
        r#"{"outputs": [["name", "state", "note", "tail"], ["🚀 launch 🚀🚀🚀", "✅", "日本語日本語", "aaaa"], ["plain", "ok", "x", "bbbb"], ["日本", "✅✅", "🚀", "cccc"]], "warnings": [null, null, null], "errors": [null, null, null], "process_time": [1, 2, 3]}"#,
    );
    for width in [None, Some("55")] {
        let mut args = vec!["show", "emoji.json"];
        if let Some(width) = width {
            args.extend(["--width", width]);
        }
        let out = scratch.xconn().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        let grid: Vec<&str> = text
            .lines()
            .filter(|l| l.contains('│') || l.contains('┼'))
            .collect();
        assert_eq!(grid.len(), 5, "{text}");
        let expected = separator_columns(grid[0]);
        assert_eq!(expected.len(), 6, "{text}");
        for line in &grid {
            assert_eq!(
                separator_columns(line),
                expected,
                "{width:?}: {line:?}\n{text}"
            );
        }
        // The last column (`status`, always `ok` here) is not padded: up to it every line has
        // the same display width.
        let last = *expected.last().unwrap();
        for line in &grid {
            let cut = line.rfind(['│', '┼']);
            let prefix = &line[..cut.unwrap()];
            assert_eq!(
                unicode_width::UnicodeWidthStr::width(prefix),
                last,
                "{line:?}"
            );
        }
        if width.is_some() {
            assert!(
                text.contains("│ 🚀 lau… │ ✅    │ 日本語… │ aaaa │"),
                "{text}"
            );
            for line in &grid {
                assert!(
                    unicode_width::UnicodeWidthStr::width(*line) <= 55,
                    "{line:?}"
                );
            }
        } else {
            assert!(
                text.contains("│ 🚀 launch 🚀🚀🚀 │ ✅    │ 日本語日本語 │ aaaa │"),
                "{text}"
            );
        }
    }
}

/// Issue 8 point 15: records that are not arrays (a string, an object, a number; in the grid,
/// with `--record` and in markdown) show as compact JSON, never as blank rows.
#[test]
fn records_that_are_not_arrays_show_as_compact_json() {
    let s = Scratch::new();
    let body = r#"{"inputs": [["a", "t"], "just text", {"k": [1, "x"]}, 7,
        ["v", [["n"], {"deep": true}, [2]]]]}"#;
    let path = s.write("odd.json", body);
    let path = path.to_str().unwrap();
    let (code, out, err) = show(&[path]);
    assert_eq!(code, 1, "{err}");
    for expected in [
        r#"1 │ "just text""#,
        r#"2 │ {"k":[1,"x"]}"#,
        "3 │ 7 ",
        // A nested table with a row that is not an array is no table: shown whole.
        r#"[["n"],{"deep":true},[2]]"#,
    ] {
        assert!(out.contains(expected), "{expected:?} missing in\n{out}");
    }
    let (_, out, _) = show(&[path, "--record", "2"]);
    assert!(out.contains(r#"(record) │ {"k":[1,"x"]}"#), "{out}");
    let (_, out, _) = show(&[path, "--format", "markdown"]);
    assert!(out.contains(r#"| 1 | "just text" |  |"#), "{out}");
}

/// Issue 8 point 15 and issue 11: a number is never cut into another number however narrow
/// `--width` is (text columns shrink first); when a line cannot hold it whole, the line stops
/// before it with `…`. No line is wider than `--width` (issue 11's property, on this body).
#[test]
fn numbers_are_never_cut_to_fit_the_width() {
    let s = Scratch::new();
    let body = r#"{"outputs": [["name", "amount", "t"],
        ["a rather long customer name", -123456789.123456789, [["x", "y"], [1e-300, "some long text here"]]]],
        "warnings": [null], "errors": [null], "process_time": [12345.6789]}"#;
    let path = s.write("n.json", body);
    let numbers = ["-123456789.123456789", "1e-300", "12345.6789"];
    for width in [1usize, 5, 20, 33, 40, 200] {
        let (code, out, err) = show(&[path.to_str().unwrap(), "--width", &width.to_string()]);
        assert_eq!(code, 0, "{err}");
        for line in out.lines() {
            assert!(
                xconn::text::width(line) <= width,
                "--width {width}: a line of {} columns: {line:?}",
                xconn::text::width(line)
            );
        }
        // Whole or not at all: never the start of a number followed by the cut mark (from two
        // characters on: `1…` is record 1 with the rest of its line cut).
        for number in numbers {
            for cut in 2..number.len() {
                assert!(
                    !out.contains(&format!("{}…", &number[..cut])),
                    "--width {width}: {number} cut in\n{out}"
                );
            }
        }
    }
    let (_, out, _) = show(&[path.to_str().unwrap(), "--width", "200"]);
    for number in numbers {
        assert!(
            out.contains(number),
            "{number} missing at width 200:\n{out}"
        );
    }
    let (_, out, _) = show(&[path.to_str().unwrap(), "--width", "40"]);
    assert!(out.contains('…'), "text columns shrink instead:\n{out}");
}

/// Issue 8 point 15: `--width 0` is a usage error; FILE may be left out to read standard input
/// (as README's `show [FILE|-]` says); a grid of many columns gets a hint to use `--record`.
#[test]
fn show_width_zero_file_optional_and_wide_grid_hint() {
    let body = std::fs::read_to_string(fixture("response-example1-success.json")).unwrap();
    xconn()
        .args(["show", "--width", "0"])
        .arg(fixture("response-example1-success.json"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("width of 0"));
    for args in [&["show"][..], &["show", "-"][..]] {
        xconn()
            .args(args)
            .write_stdin(body.clone())
            .assert()
            .code(0)
            .stdout(predicates::str::contains("response: 1 record, ok"));
    }
    let keys: Vec<String> = (0..300).map(|i| format!("\"column{i}\"")).collect();
    let values: Vec<String> = (0..300).map(|i| i.to_string()).collect();
    let wide = format!(
        "{{\"inputs\": [[{}], [{}]]}}",
        keys.join(","),
        values.join(",")
    );
    for format in ["table", "markdown"] {
        xconn()
            .args(["show", "--format", format, "-"])
            .write_stdin(wide.clone())
            .assert()
            .code(0)
            .stdout(
                predicates::str::contains("300 columns")
                    .and(predicates::str::contains("--record N")),
            );
    }
    // A narrow body gets no hint.
    xconn()
        .args(["show", "-"])
        .write_stdin(body)
        .assert()
        .stdout(predicates::str::contains("columns:").not());
}

/// `show --format csv` of `body` (written to a scratch file): (exit code, stdout, stderr).
fn csv_of(body: &str) -> (i32, String, String) {
    let scratch = Scratch::new();
    let path = scratch.write("body.json", body);
    show(&["--format", "csv", path.to_str().unwrap()])
}

/// The header of a CSV (no quoted commas in these tests), checked to hold every name once.
fn unique_header(csv: &str) -> Vec<String> {
    let header: Vec<String> = csv
        .lines()
        .next()
        .unwrap_or_default()
        .split(',')
        .map(str::to_string)
        .collect();
    let mut seen = std::collections::HashSet::new();
    for name in &header {
        assert!(
            seen.insert(name),
            "{name:?} repeated in the header of\n{csv}"
        );
    }
    header
}

#[test]
fn csv_added_columns_never_take_a_body_column_name() {
    // The body's own `status` and `process_time` keep their names; the added columns take the
    // first `_N` suffix no column has (`status_2` is the body's, so the added one is `status_3`).
    let (code, out, err) = csv_of(
        r#"{"outputs": [["status", "process_time", "status_2"], ["s", 5, "t"]],
            "warnings": [null], "errors": [null], "process_time": [3]}"#,
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "status,process_time,status_2,process_time_2,status_3\ns,5,t,3,ok\n"
    );
    unique_header(&out);
}

#[test]
fn csv_spread_and_extra_columns_never_repeat_a_name() {
    // A plain column named like a spread one: the first in the header keeps the name.
    let (code, out, _) = csv_of(r#"{"inputs": [["T.a", "T"], [5, [["a"], [1]]]]}"#);
    assert_eq!(code, 0);
    assert_eq!(out, "T.a,T.a_2\n5,1\n");
    // A repeated key (the validator rejects it; show renders it anyway): both values kept.
    let (code, out, err) = csv_of(r#"{"inputs": [["a", "a"], [1, 2]]}"#);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "a,a_2\n1,2\n");
    // The same inside a nested table: the second `a` is its own column, its value not dropped.
    let (code, out, err) = csv_of(r#"{"inputs": [["T"], [[["a", "a"], [1, 2]]]]}"#);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "T.a,T.a_2\n1,2\n");
    // A value beyond the header is named `_extra_N`, which a body column may already be.
    let (code, out, err) = csv_of(r#"{"inputs": [["_extra_3", "b"], [1, 2, 3]]}"#);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "_extra_3,b,_extra_3_2\n1,2,3\n");
    // A response whose outputs hold every name the CSV adds, nested and suffixed ones included.
    let (code, out, err) = csv_of(
        r#"{"outputs": [["process_time_2", "status", "T", "process_time", "T.status"],
                        [1, 2, [["status", "process_time"], [3, 4]], 5, 6]],
            "warnings": [null], "errors": [null], "process_time": [7]}"#,
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        unique_header(&out),
        [
            "process_time_2",
            "status",
            "T.status",
            "T.process_time",
            "process_time",
            "T.status_2",
            "process_time_3",
            "status_2"
        ]
    );
    assert_eq!(out.lines().nth(1), Some("1,2,3,4,5,6,7,ok"));
}

/// Every way `show` can print a body.
const EVERY_FORMAT: [&[&str]; 6] = [
    &["--format", "table"],
    &["--format", "csv"],
    &["--format", "json"],
    &["--format", "markdown"],
    &["--record", "1"],
    &["--record", "1", "--format", "markdown"],
];

/// Whether `out` says a record or the body is `ok` (as a word, not inside a value).
fn says_ok(out: &str) -> bool {
    out.split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|word| word == "ok")
}

#[test]
fn records_given_as_objects_get_the_validators_verdict_in_every_format() {
    let scratch = Scratch::new();
    let bodies = [
        r#"{"outputs": [{"a": 1}], "warnings": [null], "errors": [null], "process_time": [3]}"#,
        r#"{"outputs": [{"a": 1}, {"a": 2}], "warnings": [null, null], "errors": [null, null], "process_time": [3, 4]}"#,
        r#"{"outputs": [{"a": 1}]}"#,
        r#"{"inputs": [{"a": 1}, {"a": 2}]}"#,
    ];
    for body in bodies {
        scratch.write("objects.json", body);
        let validated = scratch
            .xconn()
            .args(["validate", "objects.json"])
            .output()
            .unwrap();
        assert_eq!(validated.status.code(), Some(1));
        let verdict = String::from_utf8(validated.stdout).unwrap();
        assert!(verdict.contains("error[XC106]"), "{verdict}");
        for format in EVERY_FORMAT {
            let shown = scratch
                .xconn()
                .arg("show")
                .args(format)
                .arg("objects.json")
                .output()
                .unwrap();
            let out = String::from_utf8(shown.stdout).unwrap();
            let err = String::from_utf8(shown.stderr).unwrap();
            let context = format!("show {format:?} of {body}\n--- stdout\n{out}--- stderr\n{err}");
            assert_eq!(shown.status.code(), Some(1), "{context}");
            assert_eq!(err, verdict, "{context}");
            assert!(!says_ok(&out), "{context}");
            // The objects are never laid out as if the first were a header row.
            assert!(!out.contains("process_time │ {"), "{context}");
        }
    }
}

#[test]
fn show_never_says_ok_for_a_body_validate_rejects() {
    let scratch = Scratch::new();
    let bodies = [
        // No warnings, errors or process_time.
        r#"{"outputs": [["a"], [1]]}"#,
        // A record wider than its header.
        r#"{"outputs": [["a"], [1, 2]], "warnings": [null], "errors": [null], "process_time": [3]}"#,
        // `outputs` an object.
        r#"{"outputs": {"a": 1}, "warnings": [null], "errors": [null], "process_time": [3]}"#,
        // A record that is not an array, under an empty header.
        r#"{"outputs": [[], {"a": 1}], "warnings": [null], "errors": [null], "process_time": [3]}"#,
        // A process_time that is not a number.
        r#"{"outputs": [["a"], [1]], "warnings": [null], "errors": [null], "process_time": ["x"]}"#,
    ];
    for body in bodies {
        scratch.write("bad.json", body);
        let validated = scratch
            .xconn()
            .args(["validate", "bad.json"])
            .output()
            .unwrap();
        assert_eq!(validated.status.code(), Some(1), "{body}");
        let verdict = String::from_utf8(validated.stdout).unwrap();
        for format in EVERY_FORMAT {
            let shown = scratch
                .xconn()
                .arg("show")
                .args(format)
                .arg("bad.json")
                .output()
                .unwrap();
            let out = String::from_utf8(shown.stdout).unwrap();
            let err = String::from_utf8(shown.stderr).unwrap();
            let context = format!("show {format:?} of {body}\n--- stdout\n{out}--- stderr\n{err}");
            assert_eq!(shown.status.code(), Some(1), "{context}");
            assert_eq!(err, verdict, "{context}");
            assert!(!says_ok(&out), "{context}");
        }
    }
}

/// A response large enough that the grid's first walk goes in two parts and its nested tables
/// are drawn in turns on two threads: every record's row, in order, with its own values, and
/// every section, in order, with its own table — as one thread would draw them.
#[test]
fn a_large_body_with_nested_tables_is_drawn_whole_and_in_order() {
    let n = 9_000;
    let mut body = String::from(r#"{"outputs": [["id", "name", "parts"]"#);
    for i in 1..=n {
        let parts = match i % 3 {
            0 => format!(r#"[["part", "qty"], ["P{i}a", {i}], ["P{i}b", 2]]"#),
            1 => r#"[["part", "qty"]]"#.to_string(),
            _ => "null".to_string(),
        };
        body.push_str(&format!(r#", [{i}, "N{i} é", {parts}]"#));
    }
    let nulls = vec!["null"; n].join(", ");
    let times = vec!["3"; n].join(", ");
    body.push_str(&format!(
        r#"], "warnings": [{nulls}], "errors": [{nulls}], "process_time": [{times}]}}"#
    ));
    let scratch = Scratch::new();
    let file = scratch.write("large.json", &body);
    let (code, out, err) = show(&["--width", "200", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let mut rows = out.lines().filter(|l| l.contains(" N") && l.contains('│'));
    for i in 1..=n {
        let row = rows.next().unwrap_or_else(|| panic!("row {i} missing"));
        let cells: Vec<&str> = row.split('│').map(str::trim).collect();
        assert_eq!(
            cells[..3],
            [i.to_string(), i.to_string(), format!("N{i} é")],
            "{row}"
        );
        let table = match i % 3 {
            0 => "[table 2×2]",
            1 => "[table 0×2]",
            _ => "null",
        };
        assert_eq!(cells[3], table, "{row}");
    }
    assert!(rows.next().is_none());
    let titles: Vec<&str> = out.lines().filter(|l| l.starts_with("record ")).collect();
    let expected: Vec<String> = (1..=n)
        .filter(|i| i % 3 != 2)
        .map(|i| format!("record {i} · parts"))
        .collect();
    assert_eq!(titles, expected);
    for i in (3..=n).step_by(3) {
        let section = format!("record {i} · parts\n");
        let at = out.find(&section).unwrap();
        let next = &out[at + section.len()..];
        let own = next.split("\n\n").next().unwrap();
        assert!(
            own.contains(&format!("P{i}a")) && own.contains(&format!("P{i}b")),
            "{own}"
        );
    }
}
