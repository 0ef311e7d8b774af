//! The shapes a command's verdict must take on bad or hostile input, one function per shape: no
//! panic and a documented exit code, located diagnostics (`file:LINE:COL: error[XC…]: …`), and
//! exactly one `xconn: error:` line. Shared by `bad_inputs.rs` (the corpus) and `hostile.rs`.

use std::process::Output;

/// The exit code (-1 when killed by a signal).
pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

/// Output bytes as text (invalid UTF-8 replaced).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// No panic, and a documented exit code.
pub fn assert_sane(what: &str, output: &Output) {
    let err = text(&output.stderr);
    assert!(
        output.status.code().is_some(),
        "{what}: killed ({:?}): a hang?\n{err}",
        output.status
    );
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE") && code(output) != 101,
        "{what}: panic:\n{err}"
    );
    assert!(
        matches!(code(output), 0..=2),
        "{what}: undocumented exit code {:?}\n{err}",
        output.status
    );
}

/// `NAME:LINE:COL: error[XC…]: …` (or `warning[XC…]`), LINE and COL from 1. `NAME` may carry a
/// suffix (`call` names a converted body `FILE (converted)`).
pub fn is_located_diagnostic(line: &str, file: &str) -> bool {
    let Some(rest) = line.strip_prefix(file) else {
        return false;
    };
    let rest = rest.strip_prefix(" (converted)").unwrap_or(rest);
    let Some(rest) = rest.strip_prefix(':') else {
        return false;
    };
    let mut parts = rest.splitn(3, ':');
    let positive = |p: Option<&str>| p.and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| n > 0);
    let (l, c, tail) = (parts.next(), parts.next(), parts.next());
    positive(l)
        && positive(c)
        && tail.is_some_and(|t| {
            let t = t.trim_start();
            (t.starts_with("error[XC") || t.starts_with("warning[XC")) && t.contains("]: ")
        })
}

/// Exactly one `xconn: error: …` line on stderr. For bad data (exit 1) in a named `file`, it
/// says where in it (`FILE:LINE…`), except for a file with nothing in it to point at.
pub fn assert_one_error_line(what: &str, output: &Output, file: Option<&str>) {
    let err = text(&output.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines.len() == 1 && lines[0].starts_with("xconn: error: ") && lines[0].len() > 20,
        "{what}: expected one `xconn: error:` line:\n{err}"
    );
    let Some(file) = file.filter(|_| code(output) == 1) else {
        return;
    };
    let message = &lines[0]["xconn: error: ".len()..];
    let located = message
        .strip_prefix(file)
        .and_then(|r| r.strip_prefix(':'))
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
    let empty = message.contains("empty input");
    assert!(
        located || empty,
        "{what}: the error does not say where: {err}"
    );
}

/// `xconn validate FILE`: `FILE: ok (…)`, or located errors on stdout (exit 1). Exit 2 is an
/// unreadable file, one error line and the count of such files (`xconn: error: 1 of 1 files could
/// not be read`) — unless the file is `readable`, when exit 2 is a failure of its own.
pub fn check_validate(what: &str, output: &Output, file: &str, readable: bool) {
    assert_sane(what, output);
    let out = text(&output.stdout);
    let err = text(&output.stderr);
    match code(output) {
        0 => assert!(out.contains(&format!("{file}: ok (")), "{what}:\n{out}"),
        1 => assert!(
            out.lines()
                .any(|l| is_located_diagnostic(l, file) && l.contains("error[")),
            "{what}: no located error:\n{out}"
        ),
        _ if readable => panic!("{what}: exit 2 for a readable file:\n{err}"),
        _ => {
            let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("xconn:")).collect();
            assert!(
                errors.len() == 2
                    && (errors[0].starts_with(&format!("xconn: error: cannot read {file}"))
                        || errors[0].starts_with(&format!("xconn: error: cannot open {file}")))
                    && errors[1] == "xconn: error: 1 of 1 files could not be read",
                "{what}:\n{err}"
            );
        }
    }
}

/// `xconn show FILE`: diagnostics on stderr, each located (exit 1), or one error line (exit 2).
pub fn check_show(what: &str, output: &Output, file: &str) {
    assert_sane(what, output);
    let err = text(&output.stderr);
    match code(output) {
        0 => assert!(!err.contains("error"), "{what}:\n{err}"),
        1 => {
            assert!(
                err.lines().any(|l| l.contains("error[")),
                "{what}: exit 1 without an error:\n{err}"
            );
            for line in err.lines() {
                assert!(
                    is_located_diagnostic(line, file),
                    "{what}: not a located diagnostic: {line:?}\n{err}"
                );
            }
        }
        _ => assert_one_error_line(what, output, Some(file)),
    }
}

/// `xconn convert FILE`: output, or one error line. On success stderr is empty — or, for a named
/// `file`, holds nothing but located warnings (a number past the range of a double is kept and
/// warned about).
pub fn check_convert(what: &str, output: &Output, file: Option<&str>) {
    assert_sane(what, output);
    if code(output) != 0 {
        return assert_one_error_line(what, output, file);
    }
    let err = text(&output.stderr);
    match file {
        None => assert!(err.is_empty(), "{what}: stderr on success:\n{err}"),
        Some(file) => {
            for line in err.lines() {
                assert!(
                    line.starts_with(&format!("xconn: warning: {file}:")),
                    "{what}: stderr on success is not a located warning:\n{err}"
                );
            }
        }
    }
}
