//! Arbitrary bytes as a CSV file through `convert::convert` (`--from csv --to body`), with the
//! options chosen by the input's length: kind, `--types`, `--type`, `--nest` (and its separator),
//! `--allow-ragged`, the delimiter and the layout. A conversion that succeeds must write a body
//! the validator accepts with no errors; one that fails must say so with a message (no panic).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use xconn::body::{Kind, Layout};
use xconn::convert::{self, ColType, Settings, SourceFormat, TargetFormat, TypesMode};
use xconn::validate::{self, Options};

/// One scratch file for every run (in /dev/shm when there is one: no disk writes).
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let dir = tempfile::tempdir_in("/dev/shm")
            .or_else(|_| tempfile::tempdir())
            .expect("a scratch directory");
        let path = dir.path().join("input.csv");
        (dir, path)
    })
    .1
}

fn settings(path: &str, v: usize) -> Settings {
    let overrides = match (v / 48) % 4 {
        0 => Vec::new(),
        1 => vec![("a".to_string(), ColType::String)],
        2 => vec![("a".to_string(), ColType::Integer)],
        _ => vec![
            ("b".to_string(), ColType::Number),
            ("a.b".to_string(), ColType::Boolean),
        ],
    };
    Settings {
        input: path.to_string(),
        from: Some(SourceFormat::Csv),
        to: Some(TargetFormat::Body),
        kind: if v % 2 == 0 {
            Kind::Request
        } else {
            Kind::Response
        },
        kind_given: true,
        layout: [Layout::Records, Layout::Compact, Layout::Pretty][(v / 2) % 3],
        delimiter: [None, Some(b';'), Some(b'\t'), Some(b'|')][(v / 6) % 4],
        types: if (v / 24) % 2 == 0 {
            TypesMode::Infer
        } else {
            TypesMode::String
        },
        overrides,
        flatten: false,
        nest: (v / 192) % 2 == 1,
        nest_sep: if (v / 384) % 2 == 0 { "." } else { "__" }.to_string(),
        allow_ragged: (v / 768) % 2 == 1,
        empty_header: ((v / 1536) % 2 == 1).then(|| "c".to_string()),
        output: None,
    }
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    std::fs::write(path, data).expect("write the scratch file");
    // The options vary with the length and the first byte, so every option meets every input
    // shape as the fuzzer grows and shrinks inputs.
    let v = data.len() ^ (usize::from(data.first().copied().unwrap_or(0)) << 4);
    let settings = settings(path.to_str().unwrap(), v);
    let mut out = Vec::new();
    match convert::convert(&settings, &mut out) {
        Ok(()) => {
            let validated = validate::check_bytes(
                &out,
                &Options {
                    kind: Some(settings.kind),
                    against: None,
                },
            );
            assert!(
                !validated.checked.has_errors(),
                "convert wrote a body that does not validate: {:?}\n{}",
                validated.checked.diagnostics,
                String::from_utf8_lossy(&out)
            );
        }
        Err(e) => {
            assert!(!e.to_string().is_empty(), "an error without a message");
        }
    }
});
