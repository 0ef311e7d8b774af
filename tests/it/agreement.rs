//! Every command gives the same verdict on the same body: each shipped body fixture and a set of
//! generated bodies (valid ones, and each with one targeted corruption) go through `validate`,
//! `show` (table and csv) and `convert` (body → objects / NDJSON). A body `validate` accepts is
//! shown and converted (exit 0, every record there); a body it rejects is refused by `show` and
//! `convert` with the same rule at the same line:col.

use crate::common;

use std::path::{Path, PathBuf};

use common::Scratch;

/// What `validate --format json` says about one file.
#[derive(Debug)]
struct Verdict {
    exit: i32,
    /// Is it a request or response body at all (`kind` not null)?
    is_body: bool,
    records: Option<u64>,
    /// The first error: rule, line, col.
    first_error: Option<(String, u64, u64)>,
}

fn verdict(scratch: &Scratch, path: &Path) -> Verdict {
    let out = scratch
        .xconn()
        .args(["validate", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("validate --format json on {}: {e}", path.display()));
    let file = &report["files"][0];
    let first_error = file["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["col"].as_u64().unwrap_or(0),
            )
        });
    Verdict {
        exit: out.status.code().unwrap_or(-1),
        is_body: !file["kind"].is_null(),
        records: file["records"].as_u64(),
        first_error,
    }
}

/// Run `xconn ARGS FILE`: exit code, stdout, stderr.
fn run(scratch: &Scratch, args: &[&str], path: &Path) -> (i32, String, String) {
    let out = scratch.xconn().args(args).arg(path).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Check one body file across the commands; returns a description of every disagreement.
fn disagreements(scratch: &Scratch, path: &Path) -> Vec<String> {
    disagreements_with(scratch, path, &verdict(scratch, path))
}

/// The same, given what `validate` already said about the file (one run of it per file).
fn disagreements_with(scratch: &Scratch, path: &Path, v: &Verdict) -> Vec<String> {
    let name = path.display().to_string();
    let mut problems = Vec::new();
    if !v.is_body
        && v.first_error
            .as_ref()
            .is_some_and(|(rule, _, _)| rule != "XC001")
    {
        // Not a request or response: `convert` reads it as data, `show` refuses it; nothing to compare.
        return problems;
    }
    let commands: [&[&str]; 4] = [
        &["show"],
        &["show", "--format", "csv"],
        &["convert", "--to", "json"],
        &["convert", "--to", "ndjson"],
    ];
    for args in commands {
        let (exit, stdout, stderr) = run(scratch, args, path);
        let what = format!("{name}: `xconn {}`", args.join(" "));
        if stderr.contains("panicked") {
            problems.push(format!("{what} panicked: {stderr}"));
            continue;
        }
        match (&v.first_error, v.exit) {
            (None, 0) => {
                if exit != 0 {
                    problems.push(format!(
                        "{what}: validate accepts it, but exit {exit}: {stderr}"
                    ));
                    continue;
                }
                if args[0] == "convert" {
                    if let Some(records) = v.records {
                        let count = if args[2] == "ndjson" {
                            stdout.lines().filter(|l| !l.trim().is_empty()).count() as u64
                        } else {
                            serde_json::from_str::<serde_json::Value>(&stdout)
                                .ok()
                                .and_then(|a| a.as_array().map(|a| a.len() as u64))
                                .unwrap_or(u64::MAX)
                        };
                        if count != records {
                            problems.push(format!("{what}: {records} records, {count} written"));
                        }
                    }
                } else if stdout.trim().is_empty() && v.records.unwrap_or(0) > 0 {
                    problems.push(format!("{what}: accepted body printed nothing"));
                }
            }
            (Some((rule, line, col)), _) => {
                if exit == 0 {
                    problems.push(format!(
                        "{what}: validate says {rule} at {line}:{col}, but exit 0"
                    ));
                    continue;
                }
                let position = format!(":{line}:{col}");
                if !stderr.contains(&position) {
                    problems.push(format!(
                        "{what}: validate says {rule} at {line}:{col}; stderr does not name that position: {stderr}"
                    ));
                }
                if rule != "XC001" && !stderr.contains(rule.as_str()) {
                    problems.push(format!(
                        "{what}: validate says {rule}; stderr does not name the rule: {stderr}"
                    ));
                }
            }
            (None, code) => problems.push(format!("{name}: validate exit {code} with no error")),
        }
    }
    problems
}

/// Every JSON fixture that is meant to be a body (or a broken one).
fn body_fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut paths = Vec::new();
    for dir in [root.clone(), root.join("validate"), root.join("show")] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
}

#[test]
fn every_fixture_gets_the_same_verdict_from_every_command() {
    let scratch = Scratch::new();
    let fixtures = body_fixtures();
    assert!(
        fixtures.len() > 40,
        "found only {} fixtures",
        fixtures.len()
    );
    let problems: Vec<String> = fixtures
        .iter()
        .flat_map(|path| disagreements(&scratch, path))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A small deterministic generator (no dependency): xorshift.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn scalar(&mut self) -> String {
        self.pick(&[
            "null",
            "true",
            "false",
            "0",
            "-0",
            "1.10",
            "1e3",
            "-2.5E-3",
            "12345678901234567890",
            "42",
            "\"\"",
            "\"plain\"",
            "\"42\"",
            "\"true\"",
            "\"Zürich 東京 🚀\"",
            "\"quote \\\" and \\\\ slash\"",
            "\"tab\\tnew\\nline\"",
            "\"\\u0001 control\"",
            "\"a,b;c|d\"",
        ])
        .to_string()
    }

    fn names(&mut self, count: usize) -> Vec<String> {
        let pool = [
            "id", "name", "amount", "Table", "a b", "é", "x.y", "col", "v", "note",
        ];
        let mut names: Vec<String> = Vec::new();
        while names.len() < count {
            let name = format!("{}{}", self.pick(&pool), names.len());
            names.push(name);
        }
        names
    }

    fn value(&mut self, depth: usize) -> String {
        if depth < 2 && self.below(5) == 0 {
            self.table(depth + 1)
        } else {
            self.scalar()
        }
    }

    fn table(&mut self, depth: usize) -> String {
        let width = 1 + self.below(3) as usize;
        let names = self.names(width);
        let mut rows = vec![format!(
            "[{}]",
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )];
        for _ in 0..1 + self.below(3) {
            let values: Vec<String> = (0..width).map(|_| self.value(depth)).collect();
            rows.push(format!("[{}]", values.join(", ")));
        }
        format!("[{}]", rows.join(", "))
    }

    /// A valid body: (text, records).
    fn body(&mut self, response: bool) -> (String, usize) {
        let width = 1 + self.below(4) as usize;
        let names = self.names(width);
        let records = 1 + self.below(5) as usize;
        let mut rows = vec![format!(
            "[{}]",
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )];
        for _ in 0..records {
            let values: Vec<String> = (0..width).map(|_| self.value(0)).collect();
            rows.push(format!("[{}]", values.join(", ")));
        }
        let table = format!("[\n    {}\n  ]", rows.join(",\n    "));
        if !response {
            return (format!("{{\n  \"inputs\": {table}\n}}\n"), records);
        }
        let entries = |gen: &mut Gen, error: bool| -> String {
            (0..records)
                .map(|_| match (gen.below(4), error) {
                    (0, false) => r#"[{"source_path": "a", "message": "w"}]"#.to_string(),
                    (0, true) => r#"[{"error_category": "validation_error", "error_type": "422", "additional_details": "d", "source_path": "a", "message": "e"}]"#.to_string(),
                    _ => "null".to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let warnings = entries(self, false);
        let errors = entries(self, true);
        let times = (0..records)
            .map(|i| (i + 1).to_string())
            .collect::<Vec<_>>()
            .join(", ");
        (
            format!(
                "{{\n  \"outputs\": {table},\n  \"warnings\": [{warnings}],\n  \"errors\": [{errors}],\n  \"process_time\": [{times}]\n}}\n"
            ),
            records,
        )
    }
}

/// Corruptions that each break one rule, applied to the text of a valid body.
fn corruptions(text: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let records_key = if text.contains("\"outputs\"") {
        "outputs"
    } else {
        "inputs"
    };
    // A record that is an object.
    if let Some(p) = text.find("],\n    [") {
        let start = p + 4;
        let end = text[start..].find("]").map(|e| start + e);
        if let Some(end) = end {
            if !text[start..end].contains('[') {
                let mut broken = text.to_string();
                broken.replace_range(start..=end, "{\"k\": 1}");
                out.push(("object record", broken));
            }
        }
    }
    // A duplicate key in an extra top-level object.
    out.push((
        "duplicate key",
        text.replacen(
            &format!("\"{records_key}\":"),
            &format!("\"x\": {{\"k\": 1, \"k\": 2}},\n  \"{records_key}\":"),
            1,
        ),
    ));
    // An object as a value.
    if let Some(p) = text.find("],\n    [") {
        let mut broken = text.to_string();
        broken.insert_str(p + 5, "{\"o\": 1}, ");
        out.push(("object value", broken));
    }
    // A syntax error: a trailing comma before the final brace.
    if let Some(p) = text.rfind('}') {
        let mut broken = text.to_string();
        broken.insert(p - 1, ',');
        out.push(("trailing comma", broken));
    }
    out
}

#[test]
fn generated_bodies_get_the_same_verdict_from_every_command() {
    let scratch = Scratch::new();
    let mut gen = Gen(0x9E37_79B9_7F4A_7C15);
    let mut problems = Vec::new();
    for i in 0..24 {
        let (text, _) = gen.body(i % 2 == 1);
        let path = scratch.write(&format!("gen-{i}.json"), &text);
        let v = verdict(&scratch, &path);
        assert!(
            v.first_error.is_none(),
            "generated body {i} should be valid: {v:?}\n{text}"
        );
        problems.extend(disagreements_with(&scratch, &path, &v));
        for (j, (what, broken)) in corruptions(&text).into_iter().enumerate() {
            let path = scratch.write(&format!("gen-{i}-broken-{j}.json"), &broken);
            let v = verdict(&scratch, &path);
            if v.first_error.is_none() {
                problems.push(format!(
                    "{what}: validate accepts a corrupted body:\n{broken}"
                ));
            }
            problems.extend(disagreements_with(&scratch, &path, &v));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
