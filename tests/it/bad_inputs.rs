//! The bad-input corpus (`fixtures/bad/`, plus large cases, directories and FIFOs made here)
//! through every command that reads input: `validate`, `show`, `convert` (without `--from`, with
//! the `--from` that fits, and with `-o FILE`), `call --dry-run` (which sends nothing), `serve`
//! receiving each file as a request body and `check` reading each as a service's answer. Every
//! run must end with a documented exit code (0, 1 for bad data, 2 for unreadable input or usage),
//! never a panic, say what is wrong in the documented shape (one `xconn: error:` line naming the
//! file and, for data, where in it; or the validator's `file:line:col: error[XC…]` diagnostics),
//! and leave no output file behind when it fails.
//!
//! Naming in `fixtures/bad/` (see its README): `ok-*` files are valid input for their format
//! (`.json` bodies validate; `.csv` / `.ndjson` convert); every other file is bad. Files named
//! `*response*` are responses, which `call` does not send.
//!
//! `serve` answers every file: 200 with the echo for a valid request, else 400 with a response
//! body (spec-shaped `errors`) that names the rule and where — the same verdict as `validate`.
//! `check` given each file as the service's answer fails the probes that read it (exit 1) and
//! says why in its scorecard; it never passes one and never panics.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use common::serve::{post, Serve};
use common::server::{Reply, Server};
use common::verdict::{
    assert_one_error_line, assert_sane, check_convert, check_show, check_validate, code,
    is_located_diagnostic, text,
};
use common::Scratch;

const URL: &str = "http://127.0.0.1:9/";

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad")
}

/// Every file of the corpus, by name.
fn corpus() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("fixtures/bad")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "README.md")
        .collect();
    names.sort();
    assert!(names.len() > 100, "the corpus is missing: {names:?}");
    names
}

fn extension(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or("")
}

fn is_ok(name: &str) -> bool {
    name.starts_with("ok-")
}

/// `xconn call --dry-run URL FILE`: the request printed (exit 0); or the request's located
/// diagnostics and `nothing was sent` (exit 1); or one error line.
fn check_call(what: &str, output: &Output, file: &str) {
    assert_sane(what, output);
    let err = text(&output.stderr);
    let out = text(&output.stdout);
    match code(output) {
        0 => {
            assert!(out.starts_with(&format!("POST {URL}\n")), "{what}:\n{out}");
            assert!(
                err.contains("xconn: --dry-run: nothing was sent"),
                "{what}:\n{err}"
            );
        }
        1 if err.contains("error[") => {
            assert!(out.is_empty(), "{what}: printed a request:\n{out}");
            let lines: Vec<&str> = err.lines().collect();
            let (last, diagnostics) = lines.split_last().unwrap();
            assert_eq!(
                *last, "xconn: the request breaks the format: nothing was sent",
                "{what}"
            );
            for line in diagnostics {
                assert!(
                    is_located_diagnostic(line, file),
                    "{what}: not a located diagnostic: {line:?}\n{err}"
                );
            }
        }
        _ => {
            assert!(out.is_empty(), "{what}: printed a request:\n{out}");
            assert_one_error_line(what, output, Some(file));
        }
    }
}

/// Longest a run may take before it counts as a hang (and is killed).
const HANG: Duration = Duration::from_secs(30);

/// Run `xconn ARGS…` in `dir`; killed after [`HANG`].
fn run_in(dir: &Path, args: &[&str]) -> Output {
    common::xconn()
        .current_dir(dir)
        .args(args)
        .timeout(HANG)
        .output()
        .expect("run xconn")
}

/// Whether validate calls the file not JSON at all (`XC001`): then no command may take it.
fn not_json(output: &Output) -> bool {
    text(&output.stdout).contains("error[XC001]")
}

// ---- the corpus, command by command --------------------------------------------------------

#[test]
fn validate_and_show_every_bad_file() {
    let dir = corpus_dir();
    for name in corpus() {
        let validated = run_in(&dir, &["validate", &name]);
        check_validate(&format!("validate {name}"), &validated, &name, false);
        let shown = run_in(&dir, &["show", &name]);
        check_show(&format!("show {name}"), &shown, &name);
        let expected = i32::from(!(is_ok(&name) && extension(&name) == "json"));
        assert_eq!(code(&validated), expected, "validate {name}");
        assert_eq!(code(&shown), expected, "show {name}");
    }
}

#[test]
fn convert_every_bad_file() {
    let dir = corpus_dir();
    let scratch = Scratch::new();
    let out_file = scratch.path("out.json");
    let out_arg = out_file.to_str().unwrap();
    for name in corpus() {
        let fitting = match extension(&name) {
            "csv" => "csv",
            "ndjson" => "ndjson",
            _ => "json",
        };
        let plain = run_in(&dir, &["convert", &name]);
        check_convert(&format!("convert {name}"), &plain, Some(name.as_str()));
        if code(&plain) == 0 {
            assert!(!plain.stdout.is_empty(), "convert {name}: no output");
        }
        let from = run_in(&dir, &["convert", "--from", fitting, &name]);
        check_convert(
            &format!("convert --from {fitting} {name}"),
            &from,
            Some(name.as_str()),
        );
        assert_eq!(
            code(&plain),
            code(&from),
            "convert {name}: --from {fitting} changes the verdict"
        );
        // With -o: the file appears on success only, and nothing else is left in its directory.
        let to_file = run_in(&dir, &["convert", &name, "-o", out_arg]);
        check_convert(&format!("convert {name} -o"), &to_file, Some(name.as_str()));
        assert_eq!(code(&to_file), code(&plain), "convert {name} -o");
        let left: Vec<_> = std::fs::read_dir(scratch.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        if code(&to_file) == 0 {
            assert_eq!(left, ["out.json"], "convert {name} -o");
            std::fs::remove_file(&out_file).unwrap();
        } else {
            assert!(
                left.is_empty(),
                "convert {name} -o failed and left {left:?}"
            );
        }
        match extension(&name) {
            "json" if is_ok(&name) => assert_eq!(code(&plain), 0, "convert {name}"),
            "json" => {
                // What is not JSON is refused; a JSON document that is not a valid body may
                // still be data to convert (an object, an array of objects).
                if not_json(&run_in(&dir, &["validate", &name])) {
                    assert_eq!(code(&plain), 1, "convert {name}");
                }
            }
            _ => assert_eq!(code(&plain), i32::from(!is_ok(&name)), "convert {name}"),
        }
    }
}

#[test]
fn call_dry_run_every_bad_file() {
    let dir = corpus_dir();
    for name in corpus() {
        let output = run_in(&dir, &["call", "--dry-run", URL, &name]);
        check_call(&format!("call --dry-run {name}"), &output, &name);
        // A valid request (or data converted to one) is printed; anything else is not sent.
        let sendable = is_ok(&name) && !name.contains("response");
        if sendable {
            assert_eq!(code(&output), 0, "call {name}: {}", text(&output.stderr));
        } else if extension(&name) != "json" || not_json(&run_in(&dir, &["validate", &name])) {
            assert_eq!(code(&output), 1, "call {name}: {}", text(&output.stderr));
        }
    }
}

/// A few of the corpus files on standard input: the same verdicts, named `<stdin>`.
#[test]
fn bad_files_on_standard_input() {
    let dir = corpus_dir();
    let names = [
        "invalid-utf8-ff-in-string.json",
        "utf16le-bom.json",
        "nul-only.json",
        "truncated-request-031.json",
        "unterminated-quote.csv",
        "ok-mixed-line-endings.csv",
        "ok-bom-at-start.json",
        "bom-in-middle.json",
        "empty.json",
    ];
    for name in names {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let stdin = |args: &[&str]| {
            common::xconn()
                .current_dir(&dir)
                .args(args)
                .write_stdin(bytes.clone())
                .timeout(HANG)
                .output()
                .expect("run xconn")
        };
        let what = |c: &str| format!("{c} - < {name}");
        if extension(name) == "json" {
            check_validate(
                &what("validate"),
                &stdin(&["validate", "-"]),
                "<stdin>",
                false,
            );
            check_show(&what("show"), &stdin(&["show", "-"]), "<stdin>");
        }
        check_convert(&what("convert"), &stdin(&["convert", "-"]), Some("<stdin>"));
        check_call(
            &what("call"),
            &stdin(&["call", "--dry-run", URL, "-"]),
            "<stdin>",
        );
    }
}

// ---- generated large cases ----------------------------------------------------------------

/// Every command over one generated file; returns validate's exit code.
fn every_command(scratch: &Scratch, name: &str, bytes: &[u8]) -> i32 {
    scratch.write(name, bytes);
    let dir = scratch.dir.path();
    let validated = run_in(dir, &["validate", name]);
    check_validate(&format!("validate {name}"), &validated, name, false);
    check_show(&format!("show {name}"), &run_in(dir, &["show", name]), name);
    let out = scratch.path("out.body");
    let converted = run_in(dir, &["convert", name, "-o", out.to_str().unwrap()]);
    check_convert(&format!("convert {name}"), &converted, Some(name));
    assert_eq!(
        out.exists(),
        code(&converted) == 0,
        "convert {name} -o: output file"
    );
    let _ = std::fs::remove_file(&out);
    let called = run_in(dir, &["call", "--dry-run", URL, name]);
    check_call(&format!("call {name}"), &called, name);
    std::fs::remove_file(scratch.path(name)).unwrap();
    code(&validated)
}

fn repeat(text: &str, n: usize) -> String {
    text.repeat(n)
}

#[test]
fn nesting_one_hundred_thousand_levels_deep() {
    const DEEP: usize = 100_000;
    let scratch = Scratch::new();
    let cases = [
        ("open-brackets.json", repeat("[", DEEP)),
        ("closed-brackets.json", repeat("[", DEEP) + &repeat("]", DEEP)),
        (
            "deep-in-inputs.json",
            format!(
                "{{\"inputs\": {}{}}}",
                repeat("[", DEEP),
                repeat("]", DEEP)
            ),
        ),
        (
            "deep-in-a-cell.json",
            format!(
                "{{\"inputs\": [[\"a\"], [{}1{}]]}}",
                repeat("[", DEEP),
                repeat("]", DEEP)
            ),
        ),
        (
            "deep-objects.json",
            repeat("{\"a\":", DEEP) + "1" + &repeat("}", DEEP),
        ),
        (
            "deep-in-a-message.json",
            format!(
                "{{\"outputs\": [[\"y\"], [1]], \"warnings\": [[{{\"source_path\": \"y\", \"message\": {}\"m\"{}}}]], \"errors\": [null], \"process_time\": [1]}}",
                repeat("[", DEEP),
                repeat("]", DEEP)
            ),
        ),
        (
            "deep-line.ndjson",
            format!("{{\"a\": 1}}\n{{\"a\": {}1{}}}\n", repeat("[", DEEP), repeat("]", DEEP)),
        ),
    ];
    for (name, body) in cases {
        let verdict = every_command(&scratch, name, body.as_bytes());
        assert_eq!(verdict, 1, "{name}: too deep is invalid");
    }
    // Standard input too (the convert and call readers spool it).
    let body = repeat("[", DEEP);
    for args in [&["convert", "-"][..], &["call", "--dry-run", URL, "-"]] {
        let output = common::xconn()
            .args(args)
            .write_stdin(body.clone())
            .timeout(HANG)
            .output()
            .unwrap();
        assert_sane(&format!("{args:?} deep stdin"), &output);
        assert_eq!(code(&output), 1, "{args:?}: {}", text(&output.stderr));
    }
    // The validator names the limit.
    scratch.write("deep.json", repeat("[", DEEP));
    let output = run_in(scratch.dir.path(), &["validate", "deep.json"]);
    assert!(text(&output.stdout).contains("nesting deeper than"));
}

#[test]
#[ignore = "heavy: 16 MB lines through every command; run optimised by .ci/run (--profile heavy)"]
fn huge_values_on_one_long_line() {
    let scratch = Scratch::new();
    // 16 MB on a single line, as a string cell, a CSV cell and a number.
    let big = "x".repeat(16 << 20);
    let cell = format!("{{\"inputs\": [[\"a\"], [\"{big}\"]]}}");
    assert_eq!(
        every_command(&scratch, "long-string.json", cell.as_bytes()),
        0
    );
    let csv = format!("a,b\n1,{big}");
    every_command(&scratch, "long-line.csv", csv.as_bytes());
    let digits = "9".repeat(1 << 20);
    let number = format!("{{\"inputs\": [[\"a\"], [{digits}.5e-{digits}]]}}");
    assert_eq!(
        every_command(&scratch, "huge-number.json", number.as_bytes()),
        0
    );
    // A long line cut short: an open string 16 MB long.
    let open = format!("{{\"inputs\": [[\"a\"], [\"{big}");
    assert_eq!(
        every_command(&scratch, "open-string.json", open.as_bytes()),
        1
    );
    // A million escapes, and one bad escape at the end of them.
    let escapes = "\\u00e9".repeat(1 << 20);
    let body = format!("{{\"inputs\": [[\"a\"], [\"{escapes}\\ud800\"]]}}");
    assert_eq!(every_command(&scratch, "escapes.json", body.as_bytes()), 1);
}

/// The corpus's large case: a 200 MB single line, as a JSON string cell, cut short (an open
/// string 200 MB long) and as a CSV cell, through validate, show (`--width 80`: a terminal's
/// view), convert and `call --dry-run`: the documented exit code and message, no output file left
/// behind. A minute or more in a debug build, so it runs optimised (`.ci/run`'s second step).
#[test]
#[ignore = "heavy: 200 MB through every command; run optimised by .ci/run (--profile heavy)"]
fn a_200_megabyte_single_line() {
    let scratch = Scratch::new();
    let dir = scratch.dir.path();
    let big = "y".repeat(200 << 20);
    let cases = [
        (
            "200mb.json",
            format!("{{\"inputs\": [[\"a\"], [\"{big}\"]]}}"),
            0,
        ),
        (
            "200mb-open.json",
            format!("{{\"inputs\": [[\"a\"], [\"{big}"),
            1,
        ),
        ("200mb.csv", format!("a,b\n1,{big}\n"), 1),
    ];
    drop(big);
    let run = |args: &[&str]| {
        common::xconn()
            .current_dir(dir)
            .args(args)
            .timeout(Duration::from_secs(120))
            .output()
            .expect("run xconn")
    };
    for (name, text, validate_code) in cases {
        scratch.write(name, text.as_bytes());
        drop(text);
        let validated = run(&["validate", name]);
        check_validate(&format!("validate {name}"), &validated, name, false);
        assert_eq!(code(&validated), validate_code, "validate {name}");
        let shown = run(&["show", name, "--width", "80"]);
        check_show(&format!("show {name}"), &shown, name);
        let out = scratch.path("out.body");
        let converted = run(&["convert", name, "-o", out.to_str().unwrap()]);
        check_convert(&format!("convert {name}"), &converted, Some(name));
        assert_eq!(out.exists(), code(&converted) == 0, "convert {name} -o");
        let _ = std::fs::remove_file(&out);
        check_call(
            &format!("call {name}"),
            &run(&["call", "--dry-run", URL, name]),
            name,
        );
        std::fs::remove_file(scratch.path(name)).unwrap();
    }
}

// ---- files that are not regular files -------------------------------------------------------

#[test]
fn directories_and_missing_files_are_unreadable() {
    let scratch = Scratch::new();
    std::fs::create_dir(scratch.path("dir.json")).unwrap();
    std::fs::create_dir(scratch.path("dir.csv")).unwrap();
    let dir = scratch.dir.path();
    for name in ["dir.json", "dir.csv", "missing.json"] {
        let runs: [(&str, Vec<&str>); 5] = [
            ("validate", vec!["validate", name]),
            ("show", vec!["show", name]),
            ("convert", vec!["convert", name]),
            ("convert --from csv", vec!["convert", "--from", "csv", name]),
            ("call", vec!["call", "--dry-run", URL, name]),
        ];
        for (what, args) in runs {
            let what = format!("{what} {name}");
            let output = run_in(dir, &args);
            assert_sane(&what, &output);
            assert_eq!(code(&output), 2, "{what}: {}", text(&output.stderr));
            if args[0] == "validate" {
                check_validate(&what, &output, name, false);
            } else {
                assert_one_error_line(&what, &output, Some(name));
            }
            assert!(
                text(&output.stderr).contains(&format!("cannot read {name}"))
                    || text(&output.stderr).contains(&format!("cannot open {name}")),
                "{what}: {}",
                text(&output.stderr)
            );
        }
        let out = scratch.path("out.json");
        let output = run_in(dir, &["convert", name, "-o", out.to_str().unwrap()]);
        assert_eq!(code(&output), 2);
        assert!(!out.exists(), "convert {name} -o left a file");
    }
}

/// Write `bytes` into the FIFO `fifo` while `run` runs, then make sure the writer is not left
/// blocked when the command never opened the FIFO (or opened it and gave up early).
#[cfg(target_os = "linux")]
fn through_fifo(fifo: &Path, bytes: &[u8], run: impl FnOnce() -> Output) -> Output {
    let writer = {
        let fifo = fifo.to_path_buf();
        let bytes = bytes.to_vec();
        // The command may refuse the input before reading all of it: a closed pipe is fine.
        std::thread::spawn(move || {
            let _ = std::fs::write(fifo, bytes);
        })
    };
    let output = run();
    if !writer.is_finished() {
        // Open the FIFO for reading without waiting (O_NONBLOCK), so a writer still waiting in
        // `open` gets a partner and finishes.
        use std::os::unix::fs::OpenOptionsExt;
        let _reader = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(0o4000)
            .open(fifo);
        writer.join().unwrap();
    } else {
        writer.join().unwrap();
    }
    output
}

/// A FIFO is read once, like a file: bad bytes from it get the same verdicts.
#[cfg(target_os = "linux")]
#[test]
fn fifos_carrying_bad_bytes() {
    let scratch = Scratch::new();
    let fifo = common::make_fifo(scratch.dir.path(), "pipe.json");
    let dir = scratch.dir.path().to_path_buf();
    // (bytes, expected exit code, whether `call` can take it: see the ignored test below)
    let cases: [(&[u8], i32, bool); 4] = [
        (b"{\"inputs\": [[\"a\"], [\"\xff\"]]}", 1, false),
        (b"{\"inputs\": [[\"a\"], [1]", 1, true),
        (b"\xff\xfe{\0}\0", 1, false),
        (b"{\"inputs\": [[\"a\"], [1]]}", 0, true),
    ];
    for (bytes, expected, call) in cases {
        let mut runs: Vec<Vec<&str>> = vec![
            vec!["validate", "pipe.json"],
            vec!["show", "pipe.json"],
            vec!["convert", "pipe.json"],
        ];
        if call {
            runs.push(vec!["call", "--dry-run", URL, "pipe.json"]);
        }
        for args in runs {
            let output = through_fifo(&fifo, bytes, || run_in(&dir, &args));
            let what = format!("{args:?} < {}", text(bytes));
            match args[0] {
                "validate" => check_validate(&what, &output, "pipe.json", false),
                "show" => check_show(&what, &output, "pipe.json"),
                "convert" => check_convert(&what, &output, Some("pipe.json")),
                _ => check_call(&what, &output, "pipe.json"),
            }
            assert_eq!(code(&output), expected, "{what}: {}", text(&output.stderr));
        }
    }
}

/// Found by this test: `call` reads a body that is not a request (invalid UTF-8, UTF-16, data
/// to convert) from its file, then hands the path to `convert`, which opens it a second time.
/// A FIFO (`call URL <(gen-body)`) has nothing left to give: the second open waits for a writer
/// forever. Standard input is spooled to a temp file for this; a FIFO needs the same
/// (`src/cmd/call.rs`, `request_body`).
#[cfg(target_os = "linux")]
#[test]
fn call_reads_a_fifo_once() {
    let scratch = Scratch::new();
    let fifo = common::make_fifo(scratch.dir.path(), "pipe.json");
    let dir = scratch.dir.path().to_path_buf();
    let cases: [(&[u8], i32); 3] = [
        (b"{\"inputs\": [[\"a\"], [\"\xff\"]]}", 1),
        (b"\xff\xfe{\0}\0", 1),
        (b"[{\"a\": 1}]", 0),
    ];
    for (bytes, expected) in cases {
        let args = ["call", "--dry-run", URL, "pipe.json"];
        let output = through_fifo(&fifo, bytes, || {
            common::xconn()
                .current_dir(&dir)
                .args(args)
                .timeout(Duration::from_secs(5))
                .output()
                .expect("run xconn")
        });
        let what = format!("call --dry-run < {}", text(bytes));
        check_call(&what, &output, "pipe.json");
        assert_eq!(code(&output), expected, "{what}: {}", text(&output.stderr));
    }
}

// ---- serve and check -------------------------------------------------------------------------

#[test]
fn serve_answers_every_bad_file_as_validate_judges_it() {
    let dir = corpus_dir();
    let scratch = Scratch::new();
    let serve = Serve::start(&scratch, &["--echo"], &[]);
    for name in corpus() {
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        let answer = post(&serve.url, bytes, &[("Content-Type", "application/json")]);
        let (status, body) = (answer.status, answer.body);
        let validated = run_in(&dir, &["validate", "--kind", "request", &name]);
        let valid = code(&validated) == 0;
        assert_eq!(
            status,
            if valid { 200 } else { 400 },
            "serve {name}: validate exits {}: {}\n{}",
            code(&validated),
            text(&validated.stdout),
            body
        );
        // Whatever serve answers is a response body xconn accepts.
        let answer = Scratch::new();
        answer.write("answer.json", &body);
        let mut args = vec!["validate", "--kind", "response", "answer.json"];
        let request = dir.join(&name);
        if valid {
            args.extend(["--against", request.to_str().unwrap()]);
        }
        let judged = run_in(answer.dir.path(), &args);
        assert_eq!(
            code(&judged),
            0,
            "serve {name}: its answer is not a valid response:\n{}\n{}",
            body,
            text(&judged.stdout)
        );
        if !valid {
            let said = &body;
            assert!(
                said.contains("XC") && said.contains("error_category"),
                "serve {name}: the 400 does not name the rule:\n{said}"
            );
        }
    }
    let log = serve.log();
    assert!(!log.contains("panicked"), "serve panicked:\n{log}");
    // Still answering after the whole corpus.
    let answer = post(&serve.url, br#"{"inputs": [["a"], [1]]}"#.to_vec(), &[]);
    assert_eq!(answer.status, 200, "{log}");
}

#[test]
fn check_fails_the_probes_that_read_a_bad_answer() {
    let dir = corpus_dir();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/request.json");
    let names = corpus();
    // Four at a time: each check runs its probes against a server answering with one file.
    for chunk in names.chunks(4) {
        let runs: Vec<_> = chunk
            .iter()
            .map(|name| {
                let bytes = std::fs::read(dir.join(name)).unwrap();
                let server = Server::always(
                    Reply::status(200)
                        .header("Content-Type", "application/json")
                        .body(bytes),
                );
                let sample = sample.clone();
                let name = name.clone();
                std::thread::spawn(move || {
                    let output = run_in(
                        &corpus_dir(),
                        &[
                            "check",
                            &server.url("/"),
                            "--sample",
                            sample.to_str().unwrap(),
                            "--format",
                            "json",
                            "--timeout",
                            "10",
                        ],
                    );
                    (name, output)
                })
            })
            .collect();
        for run in runs {
            let (name, output) = run.join().unwrap();
            let what = format!("check against an answer of {name}");
            let err = text(&output.stderr);
            assert!(
                !err.contains("panicked") && code(&output) != 101,
                "{what}: panic:\n{err}"
            );
            assert_eq!(code(&output), 1, "{what}: {err}\n{}", text(&output.stdout));
            let card: serde_json::Value = serde_json::from_slice(&output.stdout)
                .unwrap_or_else(|e| panic!("{what}: the scorecard is not JSON ({e}):\n{err}"));
            let probes = card["probes"].as_array().expect("probes");
            let failed: Vec<_> = probes.iter().filter(|p| p["result"] == "fail").collect();
            assert!(!failed.is_empty(), "{what}: no probe failed:\n{card}");
            for probe in failed {
                let reason = probe["reason"].as_str().unwrap_or("");
                assert!(
                    !reason.is_empty(),
                    "{what}: a failure without a reason:\n{card}"
                );
            }
        }
    }
}
