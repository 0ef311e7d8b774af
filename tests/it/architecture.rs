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
