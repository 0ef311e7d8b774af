//! Memory flatness: converting a JSON array of objects 4× larger must not raise the peak RSS
//! of `xconn convert` by more than a few MB (the array is streamed element by element and the
//! pages of the mapped file are given back as each pass goes). The child's peak is read from
//! `/usr/bin/time -v`; without it the test is skipped with a message (fails under `CI=true`).

use crate::common;

use std::path::Path;
use std::process::Command;

use common::Scratch;

/// Write a JSON array of `rows` objects of 8 mixed columns to `path`.
fn write_array(path: &Path, rows: usize) {
    let mut text = String::with_capacity(rows * 150);
    text.push_str("[\n");
    for i in 0..rows {
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(&format!(
            r#"{{"id": {i}, "name": "name {i}", "city": "Zürich, CH", "amount": {}.{:02}, "score": {}e-3, "active": {}, "zip": "{:05}", "note": {}}}"#,
            i * 7 % 100_000,
            i % 100,
            i % 997,
            i % 2 == 0,
            i * 13 % 100_000,
            if i % 10 == 0 { "null".to_string() } else { format!("\"note \\\"{i}\\\"\"") }
        ));
    }
    text.push_str("\n]\n");
    std::fs::write(path, text).unwrap();
}

/// Peak RSS in kB of `xconn convert INPUT -o OUTPUT`, by `/usr/bin/time -v`.
fn peak_kb(time: &Path, input: &Path, output: &Path) -> u64 {
    let bin = assert_cmd::cargo::cargo_bin("xconn");
    let out = Command::new(time)
        .arg("-v")
        .arg(&bin)
        .arg("convert")
        .arg(input)
        .arg("-o")
        .arg(output)
        .output()
        .expect("run /usr/bin/time");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "convert failed:\n{report}");
    report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in:\n{report}"))
}

#[test]
#[ignore = "heavy: peak memory of an optimised build; run optimised by .ci/run (--profile heavy)"]
fn converting_a_json_array_four_times_larger_keeps_peak_memory_flat() {
    let time = Path::new("/usr/bin/time");
    if !common::available("/usr/bin/time (apt-get install time)", time.exists()) {
        return;
    }
    let scratch = Scratch::new();
    let (small, large) = (scratch.path("small.json"), scratch.path("large.json"));
    write_array(&small, 50_000);
    write_array(&large, 200_000);
    let small_kb = peak_kb(time, &small, &scratch.path("small.out.json"));
    let large_kb = peak_kb(time, &large, &scratch.path("large.out.json"));
    let input_kb = std::fs::metadata(&large).unwrap().len() / 1024;
    eprintln!(
        "peak RSS: {small_kb} kB for 50k rows, {large_kb} kB for 200k rows ({input_kb} kB input)"
    );
    assert!(
        large_kb <= small_kb + 8 * 1024,
        "peak RSS grew from {small_kb} kB to {large_kb} kB for a 4x larger array ({input_kb} kB)"
    );
}
