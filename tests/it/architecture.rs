//! The engines stay free of the command line: nothing under the engine modules imports `crate::cli`
//! (clap types are mapped to each engine's own settings in `src/cmd/`), and `validate` does not
//! import `render` (no cycle between the two). Checked on full paths: every `use` tree is expanded
//! (grouped, nested, `self`, aliases, globs, `super`) and every `crate::…` path written in code is
//! read, by the small Rust reader in `common::rust_paths`.

use std::path::{Path, PathBuf};

use crate::common::rust_paths;

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

/// A source file's module path from the crate root: `src/validate/scan.rs` is
/// `validate::scan`, `src/validate/mod.rs` is `validate`, `src/lib.rs` the root.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut module: Vec<String> = rel
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if matches!(
        module.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        module.pop();
    }
    module
}

/// The engine files: everything but the command layer (`cmd/`, `cli.rs`) and the crate roots.
fn engine_files(src: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.retain(|p| {
        let rel = p.strip_prefix(src).unwrap();
        !rel.starts_with("cmd")
            && rel != Path::new("cli.rs")
            && rel != Path::new("lib.rs")
            && rel != Path::new("main.rs")
    });
    files
}

/// The modules a file at `module` may not reach: the command line everywhere, and the renderer
/// from `validate` (a cycle: render uses validate).
fn forbidden_for(module: &[String]) -> Vec<(&'static [&'static str], &'static str)> {
    let mut rules: Vec<(&'static [&'static str], &'static str)> =
        vec![(&["cli"], "imports the command line")];
    if module.first().is_some_and(|m| m == "validate") {
        rules.push((
            &["render"],
            "imports the renderer (a cycle: render uses validate)",
        ));
    }
    rules
}

#[test]
fn engines_import_nothing_from_the_command_line() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let engines = engine_files(&src);
    assert!(engines.len() > 20, "found {} engine files", engines.len());
    let mut paths_seen = 0;
    let mut broken = Vec::new();
    for path in &engines {
        let text = std::fs::read_to_string(path).unwrap();
        let module = module_of(&src, path);
        let paths = rust_paths::crate_paths(&module, &text);
        paths_seen += paths.len();
        for found in rust_paths::violations(&paths, &forbidden_for(&module)) {
            broken.push(format!("{}:{found}", path.display()));
        }
    }
    assert!(
        paths_seen > 200,
        "only {paths_seen} crate paths found: the parser is broken"
    );
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// The parser under the import rules, on the awkward shapes: grouped and nested trees, `self`,
/// aliases, globs, `pub use`, `super`, trees across lines and comments, inline modules, and
/// paths written in code rather than imported.
#[test]
fn use_trees_are_expanded_into_full_paths() {
    let text = r#"
        use std::io::{self, Write};
        pub use crate::{
            body::{self as b, Table},   // a comment { with braces
            json::value::Value as V,
            /* crate::cli in a comment */ text::*,
        };
        pub(crate) use super::{render::{Grid, markdown}, Options};
        use self::inner::Thing;
        const S: &str = "crate::cli::X";
        fn f<'a>(c: char) -> bool { c == '{' && crate::source::read('a') }
        mod tests {
            use super::*;
            use super::super::super::output;
        }
    "#;
    let module = ["validate".to_string(), "scan".to_string()];
    let paths: Vec<String> = rust_paths::crate_paths(&module, text)
        .into_iter()
        .map(|p| p.path.join("::"))
        .collect();
    let expected = [
        "body",
        "body::Table",
        "json::value::Value",
        "text::*",
        "validate::render::Grid",
        "validate::render::markdown",
        "validate::Options",
        "validate::scan::inner::Thing",
        "source::read",
        "validate::scan::*",
        "output",
    ];
    assert_eq!(paths, expected);
}

/// A grouped import that breaks a rule is caught (the substring check this replaced let
/// `use crate::{cli::X}` through), and so are a glob that covers the module and `super` paths.
#[test]
fn a_grouped_import_that_breaks_a_rule_fails() {
    let module = ["validate".to_string(), "scan".to_string()];
    let rules = forbidden_for(&module);
    for text in [
        "use crate::{cli::X};",
        "use crate::{body::Table, cli::{self}};",
        "use crate::{\n    body,\n    render as r,\n};",
        "use super::super::{render::Grid};",
        "use crate::*;",
        "fn f() { crate::cli::run() }",
    ] {
        let paths = rust_paths::crate_paths(&module, text);
        assert!(
            !rust_paths::violations(&paths, &rules).is_empty(),
            "not caught: {text}"
        );
    }
    let fine = "use crate::{body::cli_like, render_free::X}; const C: &str = \"crate::cli\";";
    let paths = rust_paths::crate_paths(&module, fine);
    assert!(rust_paths::violations(&paths, &rules).is_empty());
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
