//! The engines stay free of the command line: nothing under the engine modules imports `crate::cli`
//! (clap types are mapped to each engine's own settings in `src/cmd/`), and `validate` does not
//! import `render` (no cycle between the two).

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn engines_import_nothing_from_the_command_line() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let engines: Vec<&PathBuf> = files
        .iter()
        .filter(|p| {
            let rel = p.strip_prefix(&src).unwrap();
            !rel.starts_with("cmd")
                && rel != Path::new("cli.rs")
                && rel != Path::new("lib.rs")
                && rel != Path::new("main.rs")
        })
        .collect();
    assert!(engines.len() > 20, "found {} engine files", engines.len());
    for path in engines {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(
            !text.contains("crate::cli"),
            "{} imports the command line",
            path.display()
        );
        if path.starts_with(src.join("validate")) {
            assert!(
                !text.contains("crate::render"),
                "{} imports the renderer (a cycle: render uses validate)",
                path.display()
            );
        }
    }
}

/// Masking at the sink: every byte xconn writes to standard output, standard error or a file
/// passes `redact::Masked` — `output::Output`, `output::stderr()` / `say!` and
/// `output::write_atomically` are the only ways out, so no code path can print a loaded secret.
/// Nothing outside `src/output.rs` touches the process's streams directly (asking whether one is a
/// terminal is allowed).
#[test]
fn standard_output_and_error_are_written_only_through_the_masking_sink() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let forbidden = [
        "eprintln!",
        "eprint!",
        "println!",
        "print!(",
        "io::stdout()",
        "io::stderr()",
        "dbg!",
    ];
    for path in &files {
        if path.ends_with("output.rs") || path.ends_with("main.rs") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for pattern in forbidden {
                if code.contains(pattern)
                    && !(pattern == "io::stderr()" && code.contains("io::stderr().is_terminal()"))
                {
                    panic!(
                        "{}:{}: {pattern} writes around the masking sink (use crate::say!, output::stderr() or Output): {line}",
                        path.display(),
                        n + 1
                    );
                }
            }
        }
    }
}

/// Text is viewed unchecked in one place only, `source::input::utf8`, right after checking it
/// piece by piece: no pass trusts another pass's check (the NDJSON second pass once did, over
/// released pages of a mapped file) nor a verdict handed in from outside (`render::checked_root`
/// once did).
#[test]
fn text_is_viewed_unchecked_only_right_where_it_is_checked() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut sites = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("from_utf8_unchecked") {
                sites.push(format!(
                    "{}:{}",
                    path.strip_prefix(&src).unwrap().display(),
                    n + 1
                ));
            }
        }
    }
    assert_eq!(sites.len(), 1, "unchecked text views: {sites:?}");
    assert!(sites[0].starts_with("source/input.rs:"), "{sites:?}");
}
