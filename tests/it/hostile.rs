//! Hostile and broken input for `convert`, `validate` and `show`: truncated and mutated fixtures,
//! deep nesting, huge strings and numbers, odd encodings, odd CSV and odd files. Every run must
//! end with a documented exit code (0, 1 or 2), never a panic, and a failure must say what went
//! wrong in the documented shape: one `xconn: error:` line for `convert`, located
//! `file:line:col: error[XC…]` diagnostics for `validate` and `show`.
//!
//! Deterministic: fixed cut positions and mutations, no randomness.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::verdict::{
    assert_sane, check_convert, check_show, check_validate, code, is_located_diagnostic, text,
};
use common::{fixture, Scratch};

/// The spec fixtures every structural case is derived from.
const SPEC_FIXTURES: &[&str] = &[
    "request-example1-single-values.json",
    "request-example1-single-values-trailing-comma.json",
    "request-example2-table-input.json",
    "request-example3-records-with-tables.json",
    "response-example1-success.json",
    "response-example2-with-warnings.json",
    "response-example3-failure.json",
];

/// CSV fixtures for the CSV reader's cases.
const CSV_FIXTURES: &[&str] = &[
    "convert/round-trip-tricky-values.csv",
    "convert/type-inference-cases.csv",
    "courses-nested.csv",
];

/// Run one command on `path` in the scratch directory.
fn run(scratch: &Scratch, args: &[&str], path: &Path) -> Output {
    scratch.xconn().args(args).arg(path).output().expect("run")
}

/// Run all three commands on one file and check each.
fn all_three(scratch: &Scratch, what: &str, name: &str, bytes: &[u8]) {
    scratch.write(name, bytes);
    let path = Path::new(name);
    check_validate(what, &run(scratch, &["validate"], path), name, true);
    check_show(what, &run(scratch, &["show"], path), name);
    check_convert(what, &run(scratch, &["convert"], path), None);
}

fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

// ---- truncation and mutation ---------------------------------------------------------------

#[test]
fn truncated_spec_fixtures_never_panic_in_validate() {
    let scratch = Scratch::new();
    for name in SPEC_FIXTURES {
        let bytes = read_fixture(name);
        // One validate run over every cut of this fixture: each file reported in the right shape.
        let mut files: Vec<(String, PathBuf)> = Vec::new();
        for cut in (0..bytes.len()).step_by(7) {
            let file = format!("cut-{cut}-{name}");
            files.push((file.clone(), scratch.write(&file, &bytes[..cut])));
        }
        let output = scratch
            .xconn()
            .arg("validate")
            .args(files.iter().map(|(f, _)| f.as_str()))
            .output()
            .expect("run");
        assert_sane(name, &output);
        assert_eq!(code(&output), 1, "{name}: a cut file must be invalid");
        let out = text(&output.stdout);
        for (file, _) in &files {
            let reported = out.lines().any(|l| {
                l.starts_with(&format!("{file}: ok ("))
                    || (is_located_diagnostic(l, file) && !l.contains(":0:0:"))
            });
            assert!(reported, "{file} not reported properly:\n{out}");
        }
    }
}

#[test]
fn truncated_spec_fixtures_never_panic_in_show_and_convert() {
    let scratch = Scratch::new();
    for name in SPEC_FIXTURES {
        let bytes = read_fixture(name);
        for cut in (0..bytes.len()).step_by(7) {
            let file = format!("cut-{cut}-{name}");
            scratch.write(&file, &bytes[..cut]);
            let path = Path::new(&file);
            let what = format!("{name} cut at {cut}");
            let shown = run(&scratch, &["show"], path);
            check_show(&what, &shown, &file);
            if cut < bytes.len() / 2 {
                assert_ne!(code(&shown), 0, "{what}: show accepted half a document");
            }
            let converted = run(&scratch, &["convert"], path);
            check_convert(&what, &converted, None);
        }
    }
}

#[test]
fn truncated_csv_fixtures_never_panic_in_convert() {
    let scratch = Scratch::new();
    for name in CSV_FIXTURES {
        let bytes = read_fixture(name);
        for cut in (0..bytes.len()).step_by(7) {
            let path = scratch.write("cut.csv", &bytes[..cut]);
            let what = format!("{name} cut at {cut}");
            let output = run(&scratch, &["convert"], &path);
            check_convert(&what, &output, None);
            // A cut inside a quoted field must fail, not close the field silently.
            let quotes = bytes[..cut].iter().filter(|&&b| b == b'"').count();
            if quotes % 2 == 1 {
                assert_eq!(code(&output), 1, "{what}: open quote accepted");
                assert!(
                    text(&output.stderr).contains("unterminated quoted field starting at line"),
                    "{what}: {}",
                    text(&output.stderr)
                );
            }
        }
    }
}

/// Single-byte edits at fixed positions.
fn mutations(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let replace = |from: u8, to: u8, label: &str, out: &mut Vec<(String, Vec<u8>)>| {
        for (i, _) in bytes.iter().enumerate().filter(|(_, &b)| b == from).take(4) {
            let mut m = bytes.to_vec();
            m[i] = to;
            out.push((format!("{label} at {i}"), m));
        }
    };
    replace(b'[', b'{', "[ -> {", &mut out);
    replace(b']', b'}', "] -> }", &mut out);
    replace(b':', b',', ": -> ,", &mut out);
    for (i, _) in bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'"')
        .step_by(5)
    {
        let mut m = bytes.to_vec();
        m.remove(i);
        out.push((format!("quote deleted at {i}"), m));
    }
    for i in (0..bytes.len()).step_by(29) {
        for (label, byte) in [("comma", b','), ("NUL", 0u8), ("0xFF", 0xFF)] {
            let mut m = bytes.to_vec();
            m.insert(i, byte);
            out.push((format!("{label} inserted at {i}"), m));
        }
    }
    out
}

#[test]
fn mutated_spec_fixtures_never_panic() {
    let scratch = Scratch::new();
    for name in [
        "request-example3-records-with-tables.json",
        "response-example2-with-warnings.json",
    ] {
        for (label, bytes) in mutations(&read_fixture(name)) {
            all_three(
                &scratch,
                &format!("{name}: {label}"),
                "mutated.json",
                &bytes,
            );
        }
    }
}

// ---- JSON extremes ---------------------------------------------------------------------------

#[test]
fn hundred_thousand_open_brackets_are_a_located_error() {
    let scratch = Scratch::new();
    all_three(&scratch, "100k [", "deep.json", &vec![b'['; 100_000]);
    let mut closed = b"{\"inputs\": ".to_vec();
    closed.extend(std::iter::repeat_n(b'[', 100_000));
    closed.extend(std::iter::repeat_n(b']', 100_000));
    closed.push(b'}');
    all_three(&scratch, "100k [] in inputs", "deep.json", &closed);
    let path = scratch.write("deep.json", &closed);
    let output = run(&scratch, &["validate"], &path);
    assert!(text(&output.stdout).contains("nesting deeper than"));
}

#[test]
fn one_megabyte_string_passes_through() {
    let scratch = Scratch::new();
    let big = "x".repeat(1 << 20);
    let body = format!("{{\"inputs\": [[\"a\"], [\"{big}\"]]}}");
    all_three(&scratch, "1 MB string", "big.json", body.as_bytes());
    let path = scratch.write("big.json", &body);
    let output = run(&scratch, &["show", "--width", "20"], &path);
    assert_eq!(code(&output), 0);
    assert!(text(&output.stdout)
        .lines()
        .all(|l| l.chars().count() <= 20));
    let output = run(&scratch, &["convert"], &path);
    assert!(text(&output.stdout).contains(&big));
}

#[test]
fn extreme_numbers_keep_their_text() {
    let scratch = Scratch::new();
    let body = r#"{"inputs": [["a", "b", "c", "d", "e"], [1e999999, -0, 1E400, 123456789012345678901234567890, -0.0e-0]]}"#;
    all_three(&scratch, "numbers", "numbers.json", body.as_bytes());
    let path = scratch.write("numbers.json", body);
    let out = text(&run(&scratch, &["convert", "--compact"], &path).stdout);
    assert!(
        out.contains(
            r#"{"a":1e999999,"b":-0,"c":1E400,"d":123456789012345678901234567890,"e":-0.0e-0}"#
        ),
        "{out}"
    );
}

#[test]
fn duplicate_keys_are_reported_by_every_command() {
    let scratch = Scratch::new();
    for body in [
        r#"{"inputs": [["a"], [1]], "inputs": [["b"], [2]]}"#,
        r#"{"outputs": [["a"], [1]], "warnings": [[{"source_path": "x", "message": "m", "message": "n"}]], "errors": [null], "process_time": [1]}"#,
        r#"[{"a": 1, "a": 2}]"#,
    ] {
        all_three(&scratch, body, "dup.json", body.as_bytes());
        let path = scratch.write("dup.json", body);
        assert_eq!(code(&run(&scratch, &["convert"], &path)), 1, "{body}");
        if body.starts_with('{') {
            let output = run(&scratch, &["validate"], &path);
            assert_eq!(code(&output), 1, "{body}");
            assert!(text(&output.stdout).contains("error[XC003]"), "{body}");
        }
    }
}

#[test]
fn lone_surrogate_escapes_are_a_located_error() {
    let scratch = Scratch::new();
    for body in [
        r#"{"inputs": [["a"], ["\ud800"]]}"#,
        r#"{"inputs": [["a"], ["\udc00x"]]}"#,
        r#"{"inputs": [["a"], ["\ud800\u0041"]]}"#,
        r#"{"inputs": [["\ud83d"], [1]]}"#,
    ] {
        all_three(&scratch, body, "surrogate.json", body.as_bytes());
        let path = scratch.write("surrogate.json", body);
        assert_eq!(code(&run(&scratch, &["validate"], &path)), 1, "{body}");
    }
}

// ---- encodings -------------------------------------------------------------------------------

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
    for unit in units {
        if big_endian {
            out.extend(unit.to_be_bytes());
        } else {
            out.extend(unit.to_le_bytes());
        }
    }
    out
}

#[test]
fn utf16_files_are_named_as_utf16_by_every_command() {
    let scratch = Scratch::new();
    let body = std::fs::read_to_string(fixture("request-example1-single-values.json")).unwrap();
    for (be, bom) in [(false, true), (true, true), (false, false), (true, false)] {
        let encoding = if be { "UTF-16BE" } else { "UTF-16LE" };
        let bytes = utf16(&body, be, bom);
        all_three(&scratch, encoding, "wide.json", &bytes);
        let path = scratch.write("wide.json", &bytes);
        for command in ["validate", "show", "convert"] {
            let output = run(&scratch, &[command], &path);
            assert_eq!(code(&output), 1, "{command} {encoding}");
            let all = text(&output.stdout) + &text(&output.stderr);
            assert!(
                all.contains(&format!("the file is {encoding}, not UTF-8")),
                "{command} {encoding} bom={bom}: {all}"
            );
        }
        let csv = utf16("a,b\n1,2\n", be, bom);
        let path = scratch.write("wide.csv", &csv);
        let output = run(&scratch, &["convert"], &path);
        check_convert(encoding, &output, None);
        assert_eq!(code(&output), 1);
        assert!(
            text(&output.stderr).contains(&format!("wide.csv:1: the file is {encoding}")),
            "{}",
            text(&output.stderr)
        );
    }
}

#[test]
fn odd_json_files_are_errors_not_panics() {
    let scratch = Scratch::new();
    let cases: &[(&str, &[u8])] = &[
        ("empty", b""),
        ("only a BOM", b"\xEF\xBB\xBF"),
        ("only whitespace", b" \n\t\r\n "),
        ("NUL bytes", b"\0\0\0\0"),
        ("a lone 0xFF", b"\xFF"),
        (
            "Latin-1 in a string",
            b"{\"inputs\": [[\"a\"], [\"caf\xE9\"]]}",
        ),
        ("a number at top level", b"1"),
        ("a string at top level", b"\"inputs\""),
        ("NaN", b"{\"inputs\": [[\"a\"], [NaN]]}"),
        ("raw tab in string", b"{\"inputs\": [[\"a\"], [\"x\ty\"]]}"),
        (
            "two documents",
            b"{\"inputs\": [[\"a\"]]} {\"inputs\": [[\"a\"]]}",
        ),
    ];
    for (what, bytes) in cases {
        all_three(&scratch, what, "odd.json", bytes);
        let path = scratch.write("odd.json", bytes);
        assert_eq!(code(&run(&scratch, &["validate"], &path)), 1, "{what}");
    }
}

// ---- CSV -------------------------------------------------------------------------------------

fn convert_csv(scratch: &Scratch, what: &str, bytes: &[u8]) -> Output {
    let path = scratch.write("odd.csv", bytes);
    let output = run(scratch, &["convert", "--compact"], &path);
    check_convert(what, &output, None);
    output
}

#[test]
fn odd_csv_is_converted_or_refused_cleanly() {
    let scratch = Scratch::new();
    // (case, input, Some(expected compact body) or None for a data error)
    let cases: &[(&str, &[u8], Option<&str>)] = &[
        (
            "CR-only lines",
            b"a,b\r1,2\r3,4\r",
            Some(r#"{"inputs":[["a","b"],[1,2],[3,4]]}"#),
        ),
        (
            "mixed CRLF and LF",
            b"a,b\r\n1,2\n3,4\r\n",
            Some(r#"{"inputs":[["a","b"],[1,2],[3,4]]}"#),
        ),
        (
            "NUL in a cell",
            b"a,b\n1,x\x00y\n",
            Some(r#"{"inputs":[["a","b"],[1,"x\u0000y"]]}"#),
        ),
        (
            "quote inside an unquoted field",
            b"a,b\nx\"y,c\n",
            Some(r#"{"inputs":[["a","b"],["x\"y","c"]]}"#),
        ),
        (
            "blank lines are skipped",
            b"a,b\n\n1,2\n\n\n3,4\n\n",
            Some(r#"{"inputs":[["a","b"],[1,2],[3,4]]}"#),
        ),
        ("header only", b"a,b\n", Some(r#"{"inputs":[["a","b"]]}"#)),
        (
            "header only, no newline",
            b"a,b",
            Some(r#"{"inputs":[["a","b"]]}"#),
        ),
        ("trailing delimiter in the header", b"a,b,\n1,2,\n", None),
        ("trailing delimiter in a row", b"a,b\n1,2,\n", None),
        ("Latin-1 cell", b"a,b\ncaf\xE9,1\n", None),
        ("Latin-1 header", b"caf\xE9,b\n1,2\n", None),
        ("empty file", b"", None),
        ("only a BOM", b"\xEF\xBB\xBF", None),
        ("unterminated quote", b"a\n\"unterminated", None),
        ("unterminated quote over lines", b"a,b\n1,\"x\n2,3\n", None),
        ("unterminated quoted header", b"\"a,b\n1,2\n", None),
    ];
    for (what, bytes, expected) in cases {
        let output = convert_csv(&scratch, what, bytes);
        match expected {
            Some(body) => {
                assert_eq!(code(&output), 0, "{what}: {}", text(&output.stderr));
                assert_eq!(text(&output.stdout).trim_end(), *body, "{what}");
            }
            None => assert_eq!(code(&output), 1, "{what}: {}", text(&output.stdout)),
        }
    }
}

#[test]
fn csv_on_standard_input_gets_the_same_checks() {
    let scratch = Scratch::new();
    for input in [&b"a\n\"open"[..], b"\xFF\xFEa\x00\n\x00", b"", b"a,b\n1\n"] {
        let output = scratch
            .xconn()
            .args(["convert", "--from", "csv", "-"])
            .write_stdin(input.to_vec())
            .output()
            .expect("run");
        check_convert("stdin", &output, None);
        assert_eq!(code(&output), 1);
        assert!(
            text(&output.stderr).starts_with("xconn: error: <stdin>"),
            "{}",
            text(&output.stderr)
        );
    }
}

// ---- files that are not files ----------------------------------------------------------------

#[test]
fn directories_missing_files_and_dev_null() {
    let scratch = Scratch::new();
    std::fs::create_dir(scratch.path("dir.json")).unwrap();
    for command in ["validate", "show", "convert"] {
        for (arg, expected) in [("dir.json", 2), ("missing.json", 2), ("/dev/null", 1)] {
            let output = scratch.xconn().args([command, arg]).output().expect("run");
            let what = format!("{command} {arg}");
            assert_sane(&what, &output);
            assert_eq!(code(&output), expected, "{what}: {}", text(&output.stderr));
            let err = text(&output.stderr);
            if expected == 2 {
                assert!(err.contains("xconn: error: cannot "), "{what}: {err}");
                assert!(err.contains(arg), "{what}: {err}");
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_is_read_like_a_file() {
    let scratch = Scratch::new();
    let fifo = common::make_fifo(scratch.dir.path(), "pipe.csv");
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, "a\n1\n"))
    };
    let output = scratch
        .xconn()
        .args(["convert", "--compact", "pipe.csv"])
        .output()
        .expect("run");
    writer.join().unwrap().unwrap();
    check_convert("fifo", &output, None);
    assert_eq!(text(&output.stdout).trim_end(), r#"{"inputs":[["a"],[1]]}"#);
}

// ---- show: hostile cell text and widths -----------------------------------------------------

const HOSTILE_CELLS: &str = r#"{"inputs": [["a\u001b[31mred", "b\u202eevil"], ["\u001b]0;title\u0007x", "\u2066y\u2069 \u200fz"]]}"#;

#[test]
fn show_escapes_terminal_and_bidi_controls_in_every_human_format() {
    let scratch = Scratch::new();
    let path = scratch.write("hostile.json", HOSTILE_CELLS);
    for format in ["table", "markdown"] {
        let output = run(&scratch, &["show", "--format", format], &path);
        assert_eq!(code(&output), 0);
        let out = text(&output.stdout);
        for bad in [
            '\u{1b}', '\u{7}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{200f}',
        ] {
            assert!(!out.contains(bad), "{format}: raw {bad:?} in\n{out}");
        }
        // Markdown also escapes the `[` (it could start a link).
        let red = if format == "markdown" {
            "\\u{1b}\\[31mred"
        } else {
            "\\u{1b}[31mred"
        };
        assert!(out.contains(red), "{format}:\n{out}");
    }
    // On a terminal the CSV format escapes them too (bidi controls included).
    let output = scratch
        .xconn()
        .args(["show", "--format", "csv"])
        .arg(&path)
        .env("XCONN_FORCE_TTY", "1")
        .output()
        .expect("run");
    let out = text(&output.stdout);
    assert!(
        !out.contains('\u{202e}') && !out.contains('\u{1b}'),
        "{out}"
    );
}

#[test]
fn show_survives_tiny_widths_and_long_cells() {
    let scratch = Scratch::new();
    let long = "y".repeat(100_000);
    let body = format!(
        r#"{{"outputs": [["a", "b"], ["{long}", 1]], "warnings": [null], "errors": [null], "process_time": [1]}}"#
    );
    let path = scratch.write("long.json", &body);
    // `--width 0` fits nothing: a usage error (issue 8 point 15).
    let output = run(&scratch, &["show", "--width", "0"], &path);
    assert_eq!(code(&output), 2, "{}", text(&output.stderr));
    for width in ["1", "2", "3", "20", "18446744073709551615"] {
        for extra in [
            &[][..],
            &["--expand"],
            &["--record", "1"],
            &["--format", "markdown"],
        ] {
            let mut args = vec!["show", "--width", width];
            args.extend_from_slice(extra);
            let output = run(&scratch, &args, &path);
            let what = format!("{args:?}");
            assert_sane(&what, &output);
            assert_eq!(code(&output), 0, "{what}: {}", text(&output.stderr));
        }
    }
    // Four columns cannot fit in 20; each still gets a few characters, and the long cell is cut.
    let output = run(&scratch, &["show", "--width", "20"], &path);
    let out = text(&output.stdout);
    assert!(out.lines().all(|l| l.chars().count() <= 40), "{out}");
}

#[test]
fn show_record_out_of_range_is_a_usage_error() {
    let scratch = Scratch::new();
    let path = fixture("response-example1-success.json");
    for record in [
        "0",
        "2",
        "4294967296",
        "18446744073709551615",
        "99999999999999999999999",
    ] {
        let output = run(&scratch, &["show", "--record", record], &path);
        let what = format!("--record {record}");
        assert_sane(&what, &output);
        assert_eq!(code(&output), 2, "{what}");
        let err = text(&output.stderr);
        assert!(!err.is_empty() && err.lines().count() <= 4, "{what}: {err}");
    }
}

// ---- output files ----------------------------------------------------------------------------

#[test]
fn output_into_a_missing_directory_is_a_clear_error_without_leftovers() {
    let scratch = Scratch::new();
    let input = fixture("courses-nested.csv");
    let output = scratch
        .xconn()
        .arg("convert")
        .arg(&input)
        .args(["-o", "missing/out.json"])
        .output()
        .expect("run");
    check_convert("missing dir", &output, None);
    assert_eq!(code(&output), 2);
    assert!(
        text(&output.stderr)
            .contains("cannot write missing/out.json: directory missing does not exist"),
        "{}",
        text(&output.stderr)
    );
    assert!(!scratch.path("missing").exists());
    let leftovers: Vec<_> = std::fs::read_dir(scratch.dir.path()).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn writing_to_a_full_device_fails_with_exit_2() {
    use std::os::unix::fs::FileTypeExt;
    let scratch = Scratch::new();
    let input = fixture("courses-nested.csv");
    let full = std::fs::metadata("/dev/full").is_ok_and(|m| m.file_type().is_char_device());
    if !common::available("the device /dev/full", full) {
        return;
    }
    // -o /dev/full: written in place (a device is never renamed over), and the failure reported.
    let output = scratch
        .xconn()
        .arg("convert")
        .arg(&input)
        .args(["-o", "/dev/full"])
        .output()
        .expect("run");
    check_convert("-o /dev/full", &output, None);
    assert_eq!(code(&output), 2);
    assert!(text(&output.stderr).contains("cannot write /dev/full"));
    assert!(std::fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());

    // Standard output on /dev/full, for every command that prints.
    for args in [
        vec!["convert", input.to_str().unwrap()],
        vec!["show", "/dev/null"],
        vec!["schema", "request"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_xconn"))
            .args(&args)
            .current_dir(scratch.dir.path())
            .env_clear()
            .stdout(full)
            .output()
            .expect("run");
        let what = format!("{args:?} > /dev/full");
        assert_sane(&what, &output);
        if args[0] != "show" {
            check_convert(&what, &output, None);
            assert_eq!(code(&output), 2, "{what}");
            assert!(
                text(&output.stderr).contains("cannot write standard output"),
                "{what}"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn output_to_dev_null_keeps_the_device() {
    use std::os::unix::fs::FileTypeExt;
    let scratch = Scratch::new();
    let output = scratch
        .xconn()
        .arg("convert")
        .arg(fixture("courses-nested.csv"))
        .args(["-o", "/dev/null"])
        .output()
        .expect("run");
    check_convert("-o /dev/null", &output, None);
    assert_eq!(code(&output), 0);
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
}

// ---- markdown injection ----------------------------------------------------------------------

/// Cell text that GitHub-flavoured markdown would turn into something else than text.
const MARKDOWN_HOSTILE: &[&str] = &[
    "[click me](https://evil.example)",
    "![x](https://evil.example/pixel.png)",
    "[ref][1]",
    "https://x.y",
    "see http://evil.example/path?q=1 now",
    "www.evil.example",
    "WWW.Evil.Example/a",
    "<http://x>",
    "<mailto:a@b.c>",
    "mailto:boss@corp.example",
    "ceo@corp.example",
    "*em* **strong** ***both***",
    "__init__ and _under_",
    "~~gone~~ ~single~",
    "# heading",
    "> quote",
    "- item",
    "1. first",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!-- comment -->",
    "`code` and ``double``",
    "```fence```",
    "footnote[^1]",
    "[^1]: the note",
    "a | b || c",
    "back\\slash\\",
    "$x^2$ and $$y$$",
    ":smile: :+1:",
    "&amp; &lt;b&gt; &#60;i&#62;",
    "- [ ] task",
    "line\nbreak",
    "trailing two spaces  \nnext",
    "x\\\ny",
    "\\*not\\* escaped",
];

/// The tags of rendered HTML, in order (`td`, `/td`, `strong`…), but comments and `br`.
fn tags(html: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').map_or(rest.len(), |e| start + e);
        let name: String = rest[start + 1..end]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '!' || *c == '-')
            .collect();
        // Comments (after `@`) and line breaks (for newlines) are how text is kept as text.
        if name != "!--" && name != "br" {
            tags.push(name);
        }
        rest = &rest[end..];
    }
    tags
}

/// The text of rendered HTML: tags and comments dropped, entities decoded.
fn html_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let close = if rest[start..].starts_with("<!--") {
            "-->"
        } else {
            ">"
        };
        let end = rest[start..]
            .find(close)
            .map_or(rest.len(), |e| start + e + close.len());
        if rest[start..].starts_with("<br") {
            text.push('\n');
        }
        rest = &rest[end..];
    }
    text.push_str(rest);
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Render markdown as GitHub does: GFM with tables, autolinks, strikethrough, footnotes and task
/// lists, raw HTML passed through (so any that got in shows).
fn gfm(markdown: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.strikethrough = true;
    options.extension.footnotes = true;
    options.extension.tasklist = true;
    options.render.unsafe_ = true;
    comrak::markdown_to_html(markdown, &options)
}

/// A response whose keys, values, nested table, source paths and messages are all `words`.
fn markdown_body(words: &[String]) -> String {
    let s = |w: &String| serde_json::to_string(w).unwrap();
    let header: Vec<String> = words.iter().map(s).collect();
    let nested = format!("[[{}], [{}]]", s(&words[0]), s(&words[1]));
    let mut values: Vec<String> = words.iter().map(s).collect();
    values[2] = nested;
    let warnings: Vec<String> = words
        .iter()
        .map(|w| format!(r#"{{"source_path": {}, "message": {}}}"#, s(w), s(w)))
        .collect();
    let error = format!(
        r#"{{"error_category": {0}, "error_type": {0}, "additional_details": {0}, "source_path": {0}, "message": {0}}}"#,
        s(&words[3])
    );
    format!(
        r#"{{"outputs": [[{}], [{}]], "warnings": [[{}]], "errors": [[{error}]], "process_time": [1]}}"#,
        header.join(","),
        values.join(","),
        warnings.join(",")
    )
}

/// Issue 8 point 13: `show --format markdown` through a real GFM renderer: hostile keys, values,
/// nested-table titles and messages give exactly the HTML structure plain words give (no link,
/// image, emphasis, code, heading, HTML from the data), and every text comes out as written.
#[test]
fn markdown_output_renders_hostile_text_as_plain_text() {
    let scratch = Scratch::new();
    let hostile: Vec<String> = MARKDOWN_HOSTILE.iter().map(|s| s.to_string()).collect();
    let plain: Vec<String> = (0..hostile.len()).map(|i| format!("word{i}")).collect();
    let mut rendered = Vec::new();
    for words in [&hostile, &plain] {
        let path = scratch.write("md.json", markdown_body(words).as_bytes());
        let output = run(&scratch, &["show", "--format", "markdown"], &path);
        assert_eq!(code(&output), 0, "{}", text(&output.stderr));
        rendered.push(gfm(&text(&output.stdout)));
    }
    let (html, expected) = (&rendered[0], &rendered[1]);
    assert_eq!(tags(html), tags(expected), "{html}");
    for forbidden in [
        "<a ",
        "<img",
        "<code",
        "<del",
        "<em>x",
        "<script",
        "<h1",
        "<sup",
        "<input",
        "<li",
        "<blockquote",
    ] {
        assert!(!html.contains(forbidden), "{forbidden} in {html}");
    }
    let shown = html_text(html);
    for word in &hostile {
        assert!(shown.contains(word.as_str()), "{word:?} lost in {shown}");
    }
}

/// An answer that is two JSON documents on two lines: `call` says it looks like NDJSON, but
/// suggests no `xconn convert` (the answer is not a file of the user's to convert).
#[test]
fn call_answer_with_trailing_data_suggests_no_convert() {
    let s = Scratch::new();
    s.write("body.json", "{\"inputs\": [[\"x\"], [1]]}");
    let answer =
        r#"{"outputs": [["y"], [2]], "warnings": [null], "errors": [null], "process_time": [1]}"#;
    let server = common::server::Server::always(common::server::Reply::json(&format!(
        "{answer}\n{answer}\n"
    )));
    let output = s
        .xconn()
        .args(["call", &server.url("/"), "body.json", "--retries", "0"])
        .env("XCONN_TOKEN", "t0k3n")
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_ne!(code(&output), 0, "{stderr}");
    assert!(stderr.contains("NDJSON"), "{stderr}");
    assert!(!stderr.contains("xconn convert"), "{stderr}");
    assert!(!stderr.contains("--from"), "{stderr}");
}
