//! Report formats for `xconn validate`: text for people, one JSON document for scripts, GitHub
//! workflow commands for annotations, SARIF 2.1.0 for code scanning. Each writes into any
//! `Write`, so tests print into memory.

use std::io::{self, Write};

use serde_json::{json, Value as Json};

use crate::body::Kind;
use crate::diag::{Diagnostic, Severity};

use super::rules::RULES;
use super::Unlisted;

/// Version of the `--format json` document; bumped only on incompatible changes.
pub(crate) const JSON_REPORT_VERSION: u64 = 1;

/// What happened to one input.
pub(crate) struct FileReport {
    /// The path as given, or `<stdin>`.
    pub(crate) name: String,
    pub(crate) outcome: FileOutcome,
}

pub(crate) enum FileOutcome {
    /// The file could not be read (exit 2); the message says why.
    Unreadable(String),
    Checked {
        kind: Option<Kind>,
        records: Option<usize>,
        diagnostics: Vec<Diagnostic>,
        /// Problems past the listed ones: counted in the totals, not listed.
        unlisted: Unlisted,
        /// No errors (and, with `--strict`, no warnings).
        valid: bool,
    },
}

impl FileReport {
    fn diagnostics(&self) -> &[Diagnostic] {
        match &self.outcome {
            FileOutcome::Checked { diagnostics, .. } => diagnostics,
            FileOutcome::Unreadable(_) => &[],
        }
    }

    /// (errors, warnings) found in the file: listed and unlisted.
    pub(crate) fn counts(&self) -> (usize, usize) {
        let unlisted = match &self.outcome {
            FileOutcome::Checked { unlisted, .. } => *unlisted,
            FileOutcome::Unreadable(_) => Unlisted::default(),
        };
        let listed = |s| {
            self.diagnostics()
                .iter()
                .filter(|d| d.severity == s)
                .count()
        };
        (
            listed(Severity::Error) + unlisted.errors,
            listed(Severity::Warning) + unlisted.warnings,
        )
    }
}

/// Totals over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub(crate) files: usize,
    pub(crate) valid: usize,
    pub(crate) invalid: usize,
    pub(crate) unreadable: usize,
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
}

pub(crate) fn totals(files: &[FileReport]) -> Totals {
    let mut t = Totals {
        files: files.len(),
        ..Totals::default()
    };
    for file in files {
        match &file.outcome {
            FileOutcome::Unreadable(_) => t.unreadable += 1,
            FileOutcome::Checked { valid, .. } => {
                if *valid {
                    t.valid += 1;
                } else {
                    t.invalid += 1;
                }
            }
        }
        let (errors, warnings) = file.counts();
        t.errors += errors;
        t.warnings += warnings;
    }
    t
}

/// Text for a terminal line: control characters and bidirectional overrides escaped (`\n`,
/// `\u{202e}`), as `show` escapes cell text, so a hostile key cannot reorder or split the line.
fn for_terminal(text: &str) -> String {
    crate::text::escaped(text, crate::text::Escape::Terminal)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The summary line: `3 files checked: 1 valid, 1 invalid, 1 unreadable (4 errors, 1 warning)`.
pub(crate) fn summary(t: &Totals) -> String {
    let mut parts = vec![
        format!("{} valid", t.valid),
        format!("{} invalid", t.invalid),
    ];
    if t.unreadable > 0 {
        parts.push(format!("{} unreadable", t.unreadable));
    }
    format!(
        "{} checked: {} ({}, {})",
        plural(t.files, "file", "files"),
        parts.join(", "),
        plural(t.errors, "error", "errors"),
        plural(t.warnings, "warning", "warnings")
    )
}

/// `file:line:col: error[XC…]: message at /pointer (column)`, one per line; with `color`, the
/// severity is red (error) or yellow (warning).
pub(crate) fn write_text_lines(
    w: &mut dyn Write,
    name: &str,
    diagnostics: &[Diagnostic],
    color: bool,
) -> io::Result<()> {
    for d in diagnostics {
        let severity = match (color, d.severity) {
            (false, s) => s.name().to_string(),
            (true, Severity::Error) => "\x1b[1;31merror\x1b[0m".to_string(),
            (true, Severity::Warning) => "\x1b[1;33mwarning\x1b[0m".to_string(),
        };
        writeln!(
            w,
            "{}:{}:{}: {}[{}]: {} at {}",
            for_terminal(name),
            d.line,
            d.col,
            severity,
            d.rule,
            for_terminal(&d.message),
            for_terminal(&d.location())
        )?;
    }
    Ok(())
}

/// Text: each file's problems, or `file: ok (request, 3 records)` for a clean file.
/// Unreadable files are reported on standard error by the command, not here.
pub(crate) fn write_text(w: &mut dyn Write, files: &[FileReport], color: bool) -> io::Result<()> {
    for file in files {
        if let FileOutcome::Checked {
            kind,
            records,
            diagnostics,
            ..
        } = &file.outcome
        {
            if diagnostics.is_empty() {
                let ok = if color { "\x1b[32mok\x1b[0m" } else { "ok" };
                writeln!(
                    w,
                    "{}: {ok} ({})",
                    for_terminal(&file.name),
                    describe(*kind, *records)
                )?;
            } else {
                write_text_lines(w, &file.name, diagnostics, color)?;
            }
        }
    }
    Ok(())
}

fn describe(kind: Option<Kind>, records: Option<usize>) -> String {
    let kind = kind.map_or("body", Kind::name);
    match records {
        Some(n) => format!("{kind}, {}", plural(n, "record", "records")),
        None => kind.to_string(),
    }
}

fn diagnostic_json(d: &Diagnostic) -> Json {
    json!({
        "rule": d.rule,
        "severity": d.severity.name(),
        "line": d.line,
        "col": d.col,
        "pointer": d.pointer,
        "column_name": d.column,
        "location": d.location(),
        "message": d.message,
    })
}

/// The `--format json` document (see README: "JSON report").
pub(crate) fn json_document(files: &[FileReport], strict: bool) -> Json {
    let t = totals(files);
    let files: Vec<Json> = files
        .iter()
        .map(|file| match &file.outcome {
            FileOutcome::Unreadable(message) => json!({
                "file": file.name,
                "status": "unreadable",
                "kind": null,
                "records": null,
                "error": message,
                "errors": 0,
                "warnings": 0,
                "diagnostics": [],
            }),
            FileOutcome::Checked {
                kind,
                records,
                diagnostics,
                valid,
                ..
            } => json!({
                "file": file.name,
                "status": if *valid { "valid" } else { "invalid" },
                "kind": kind.map(Kind::name),
                "records": records,
                "errors": file.counts().0,
                "warnings": file.counts().1,
                "diagnostics": diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
            }),
        })
        .collect();
    json!({
        "version": JSON_REPORT_VERSION,
        "tool": "xconn",
        "strict": strict,
        "valid": t.invalid == 0 && t.unreadable == 0,
        "summary": {
            "files": t.files,
            "valid": t.valid,
            "invalid": t.invalid,
            "unreadable": t.unreadable,
            "errors": t.errors,
            "warnings": t.warnings,
        },
        "files": files,
    })
}

/// Escape workflow-command data (the message): `%`, CR, LF.
fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow-command property value: as data, plus `:` and `,`.
fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands:
/// `::error file=F,line=L,col=C,title=XC107::message at /pointer (column)`.
pub(crate) fn write_github(w: &mut dyn Write, files: &[FileReport]) -> io::Result<()> {
    for file in files {
        match &file.outcome {
            FileOutcome::Unreadable(message) => writeln!(
                w,
                "::error file={},title=xconn::{}",
                github_property(&file.name),
                github_data(message)
            )?,
            FileOutcome::Checked { diagnostics, .. } => {
                for d in diagnostics {
                    writeln!(
                        w,
                        "::{} file={},line={},col={},title={}::{} at {}",
                        d.severity.name(),
                        github_property(&file.name),
                        d.line,
                        d.col,
                        d.rule,
                        github_data(&d.message),
                        github_data(&d.location())
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// A path as a SARIF `artifactLocation.uri`: relative paths stay relative (forward slashes),
/// absolute ones become `file://` URIs; bytes outside RFC 3986's unreserved set (and `/`) are
/// percent-encoded. Standard input is `stdin`.
pub(crate) fn sarif_uri(name: &str) -> String {
    if name == "<stdin>" {
        return "stdin".to_string();
    }
    let path = name.replace('\\', "/");
    let mut uri = String::new();
    if path.starts_with('/') {
        uri.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

/// The SARIF 2.1.0 log: one run, every rule in `tool.driver.rules`, one result per diagnostic.
/// Unreadable files are tool execution notifications (and make the invocation unsuccessful).
pub(crate) fn sarif_document(files: &[FileReport]) -> Json {
    let rules: Vec<Json> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "defaultConfiguration": { "level": r.severity.name() },
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for file in files {
        let uri = sarif_uri(&file.name);
        match &file.outcome {
            FileOutcome::Unreadable(message) => notifications.push(json!({
                "level": "error",
                "message": { "text": message },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri } } }],
            })),
            FileOutcome::Checked { diagnostics, .. } => {
                for d in diagnostics {
                    let mut result = json!({
                        "ruleId": d.rule,
                        "level": d.severity.name(),
                        "message": { "text": format!("{} at {}", d.message, d.location()) },
                        "locations": [{
                            "physicalLocation": {
                                "artifactLocation": { "uri": uri },
                                "region": { "startLine": d.line.max(1), "startColumn": d.col.max(1) },
                            },
                            "logicalLocations": [{
                                "fullyQualifiedName": d.location(),
                                "kind": "element",
                            }],
                        }],
                    });
                    // SARIF wants an integer here or nothing; every rule is in RULES.
                    if let Some(index) = RULES.iter().position(|r| r.id == d.rule) {
                        result["ruleIndex"] = json!(index);
                    }
                    results.push(result);
                }
            }
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "xconn",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://docs.coherent.global/xconnector/remote-service-input-and-output-data-formats",
                    "rules": rules,
                }
            },
            // Columns count Unicode code points (as `validate` prints them), not UTF-16 units,
            // which SARIF readers assume when a run does not say.
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

/// `validate --list-rules` as text: one rule a line, `XC107  error    what it means`.
pub(crate) fn write_rule_list(w: &mut dyn Write) -> io::Result<()> {
    for r in RULES {
        writeln!(w, "{}  {:<7}  {}", r.id, r.severity.name(), r.summary)?;
    }
    Ok(())
}

/// `validate --list-rules --format json`: `{"version": 1, "rules": [{id, name, severity,
/// description}, …]}`, in id order.
pub(crate) fn rule_list_document() -> Json {
    let rules: Vec<Json> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "severity": r.severity.name(),
                "description": r.summary,
            })
        })
        .collect();
    json!({ "version": JSON_REPORT_VERSION, "rules": rules })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_properties_escape_separators() {
        assert_eq!(github_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(github_data("a,b:c%\r\n"), "a,b:c%25%0D%0A");
    }

    #[test]
    fn sarif_uris_are_percent_encoded() {
        assert_eq!(sarif_uri("dir/my file.json"), "dir/my%20file.json");
        assert_eq!(sarif_uri("/abs/x.json"), "file:///abs/x.json");
        assert_eq!(sarif_uri("<stdin>"), "stdin");
    }
}
