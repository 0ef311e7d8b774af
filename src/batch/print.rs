//! What `call` shows of an answer — the service's own, or the merge of batches — in the chosen
//! format (to standard output or, with `-o`, atomically to a file), its diagnostics on standard
//! error, and how it went: invalid (exit 1), valid with record errors or a request-level failure
//! (exit 5), or fine. The service's answer is checked here like `validate --against` the request;
//! the merge was read as its parts came ([`super::merge`]) and is not read again.

use std::io::Write;
use std::path::Path;

use super::Merged;
use crate::body::{Body, Kind};
use crate::diag::Diagnostic;
use crate::error::Outcome;
use crate::json::Value;
use crate::output::{self, Output};
use crate::render;
use crate::validate::{self, Against, RequestFailure};

/// How the answer is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Terminal tables, as `show` draws them.
    Table,
    /// GitHub-flavoured markdown tables.
    Markdown,
    /// Indented JSON.
    Json,
    /// The bytes as they are.
    Raw,
}

/// How the answer is printed.
pub(crate) struct Printing {
    pub(crate) format: Format,
    /// `-o FILE`: the answer goes there (atomically) instead of standard output.
    pub(crate) output: Option<String>,
}

/// The service's answer `body` to a request of `records` records (when known), named `name` in
/// diagnostics: checked (one UTF-8 check, one scan), printed, judged. An answer that is not JSON
/// is the error `not_json` makes of why.
pub(crate) fn print_answer(
    out: &mut Output,
    body: &[u8],
    name: &str,
    records: Option<usize>,
    print: &Printing,
    not_json: &dyn Fn(&str) -> anyhow::Error,
) -> anyhow::Result<Outcome> {
    let against = records.map(|records| Against {
        name: "sent".to_string(),
        records,
    });
    let (validated, text) = validate::check_answer(body, against);
    // The body as printed: without the one byte-order mark `check_answer` skipped (a second one
    // is an XC001 there).
    let body = crate::source::without_bom(body);
    let checked = &validated.checked;
    let Some(root) = validate::body_root(text, checked) else {
        let why = checked
            .diagnostics
            .first()
            .map_or("not JSON".to_string(), |d| {
                format!("{} at {}:{}", d.message, d.line, d.col)
            });
        return Err(not_json(&why));
    };
    write_answer(out, print, body, Some(&root))?;
    show_diagnostics(out, name, &checked.diagnostics)?;
    if checked.has_errors() {
        return Ok(Outcome::Invalid);
    }
    if let Some(failure) = validated.request_failure(text) {
        return Ok(whole_request_failed(records, &failure));
    }
    let errored = match Body::view(&root, Some(Kind::Response)) {
        Some(Body::Response(response)) => response.errors.map_or(0, |errors| {
            errors
                .items()
                .filter(|e| e.items().next().is_some())
                .count()
        }),
        _ => 0,
    };
    Ok(record_errors(errored))
}

/// The merged response of batches: printed as it was built (drawn from one view of it when a
/// format needs one), the validator's warnings about its parts shown, judged by what the merge
/// counted.
pub(crate) fn print_merged(
    out: &mut Output,
    merged: &Merged,
    print: &Printing,
) -> anyhow::Result<Outcome> {
    let text = match print.format {
        Format::Raw => None,
        _ => Some(crate::text::utf8(&merged.body).map_err(|_| {
            crate::error::data_error("the merged response is not UTF-8 (a fault in xconn's merge)")
        })?),
    };
    let root = text.map(|text| Value::from_checked(text, 0, text.len()));
    write_answer(out, print, &merged.body, root.as_ref())?;
    show_diagnostics(out, "merged response", &merged.diagnostics())?;
    if !merged.answered {
        crate::say!(
            "xconn: the whole request failed: no batch was answered with records: errors for {}",
            all_records(Some(merged.records))
        );
        return Ok(Outcome::RecordErrors);
    }
    Ok(record_errors(merged.errored))
}

/// Write `body` (its view `root`, when the format draws one) as `print` says.
fn write_answer(
    out: &mut Output,
    print: &Printing,
    body: &[u8],
    root: Option<&Value>,
) -> anyhow::Result<()> {
    let to_terminal = print.output.is_none();
    let options = render::Options {
        format: if print.format == Format::Table {
            render::Format::Table
        } else {
            render::Format::Markdown
        },
        expand: false,
        record: None,
        width: if to_terminal { out.width(None) } else { None },
        color: to_terminal && out.color,
        terminal: to_terminal && out.is_terminal,
    };
    let write = |w: &mut dyn Write| -> anyhow::Result<()> {
        match (print.format, root) {
            (Format::Json, Some(root)) => {
                crate::json::write::write_value(w, root, crate::json::write::Style::Pretty(0))?;
                w.write_all(b"\n")?;
            }
            (Format::Raw | Format::Json, _) => w.write_all(body)?,
            (Format::Table | Format::Markdown, _) => {
                if let Some(body) = root.and_then(|r| Body::view(r, Some(Kind::Response))) {
                    render::render(w, &body, &options)?;
                }
            }
        }
        Ok(())
    };
    match &print.output {
        Some(path) => output::write_atomically(Path::new(path), write),
        None => write(out),
    }
}

/// The diagnostics on standard error, after what was printed.
fn show_diagnostics(
    out: &mut Output,
    name: &str,
    diagnostics: &[Diagnostic],
) -> anyhow::Result<()> {
    if !diagnostics.is_empty() {
        out.flush()?;
        validate::write_text(&mut crate::output::stderr(), name, diagnostics)?;
    }
    Ok(())
}

/// The whole request failed, every one of its records: said, exit 5.
fn whole_request_failed(records: Option<usize>, failure: &RequestFailure) -> Outcome {
    let why = if failure.error_category.as_deref() == Some("batch_error") {
        "no batch was answered with records".to_string()
    } else {
        format!(
            "the service answered with a request-level error ({})",
            crate::error::escape_control(&failure.reason())
        )
    };
    crate::say!(
        "xconn: the whole request failed: {why}: errors for {}",
        all_records(records)
    );
    Outcome::RecordErrors
}

/// `all of its 3 records`.
fn all_records(records: Option<usize>) -> String {
    match records {
        Some(n) => format!("all of its {}", render::plural(n, "record")),
        None => "all of its records".to_string(),
    }
}

/// `errored` records carry errors: said, exit 5; none: fine.
fn record_errors(errored: usize) -> Outcome {
    if errored > 0 {
        crate::say!(
            "xconn: the service reported errors for {}",
            render::plural(errored, "record")
        );
        return Outcome::RecordErrors;
    }
    Outcome::Success
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{Merger, Split};

    /// An answer of kind `kind` to a batch of `records` records (first record `first`).
    fn answer(kind: usize, first: usize, records: usize) -> Vec<u8> {
        let list = |f: &dyn Fn(usize) -> String| {
            (first..first + records)
                .map(f)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let rows = list(&|i| format!("[{i}, \"r{i}\"]"));
        let nulls = list(&|_| "null".to_string());
        let times = list(&|i| if i % 3 == 0 { "0.5".into() } else { "2".into() });
        let errors = list(&|i| {
            match i % 4 {
            0 => r#"[{"error_category": "c", "error_type": "t", "additional_details": "", "source_path": "y", "message": "m"}]"#.into(),
            _ => "null".into(),
        }
        });
        let text = match kind {
            // Valid, with low process times and record errors.
            0 => format!(r#"{{"outputs": [["y", "z"], {rows}], "warnings": [{nulls}], "errors": [{errors}], "process_time": [{times}]}}"#),
            // Valid, pretty-printed, an unknown key (XC121, dropped by the merge).
            1 => format!("{{\n \"outputs\": [\n  [\"y\", \"z\"],\n  {rows}\n ],\n \"warnings\": [{nulls}],\n \"errors\": [\n{nulls}],\n \"process_time\": [\n{times}\n ],\n \"extra\": 1\n}}"),
            // Valid alone, under another header: rows of another width if merged.
            2 => format!(r#"{{"outputs": [["y"], {}], "warnings": [{nulls}], "errors": [{nulls}], "process_time": [{times}]}}"#, list(&|i| format!("[{i}]"))),
            // Refused with a request-level error: no rows.
            3 => r#"{"outputs": [], "warnings": [null], "errors": [[{"error_category": "c", "error_type": "500", "additional_details": "", "source_path": "", "message": "down"}]], "process_time": [1]}"#.to_string(),
            // A duplicate column (XC104).
            _ => format!(r#"{{"outputs": [["y", "y"], {rows}], "warnings": [{nulls}], "errors": [{nulls}], "process_time": [{times}]}}"#),
        };
        text.into_bytes()
    }

    /// Whatever `call` writes, `validate` accepts, and says no more of it than `call` did: the
    /// merged response is written as it was built, so the merge itself must never build one the
    /// validator rejects. Answers that would break it if merged as they came (under another
    /// header, refused with no rows, with a duplicate column) fail their batch instead; the file
    /// written with `-o` is valid against the request, and the warnings shown for it are the
    /// validator's own on that file (but for the `process_time` of 0 xconn writes for records
    /// without an answer).
    #[test]
    fn a_merged_response_the_validator_rejects_is_not_written() {
        let rows: Vec<String> = (0..12).map(|i| format!("[{i}]")).collect();
        let request = format!(r#"{{"inputs": [["a"], {}]}}"#, rows.join(", "));
        let root = crate::json::parse(&request).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (size, kinds) in [
            (1, [0, 1, 2, 3, 4]),
            (2, [1, 0, 0, 4, 3]),
            (5, [0, 2, 0, 1, 3]),
        ] {
            let split = Split::new(&root, size).unwrap();
            let mut merger = Merger::new(&split);
            for batch in (0..split.len()).rev() {
                let range = split.range(batch);
                let kind = kinds[batch % kinds.len()];
                let _ = merger.answered(batch, answer(kind, range.start, range.len()));
            }
            let placeholders = merger.placeholder_times();
            let merged = merger.merged();
            let path = dir.path().join(format!("merged-{size}.json"));
            let print = Printing {
                format: Format::Raw,
                output: Some(path.display().to_string()),
            };
            let mut out = Output::stdout(crate::output::ColorChoice::Never);
            print_merged(&mut out, &merged, &print).unwrap();
            let written = std::fs::read(&path).unwrap();
            let options = validate::Options {
                kind: Some(Kind::Response),
                against: Some(Against {
                    name: "request".into(),
                    records: 12,
                }),
            };
            let validated = validate::check_bytes(&written, &options);
            let text = String::from_utf8_lossy(&written);
            assert!(!validated.checked.has_errors(), "{size}: {text}");
            let ours = |d: &Diagnostic| {
                d.rule == validate::rules::LOW_TIME
                    && d.pointer
                        .strip_prefix("/process_time/")
                        .and_then(|i| i.parse::<usize>().ok())
                        .is_some_and(|i| placeholders.iter().any(|r| r.contains(&i)))
            };
            let said =
                |d: &Diagnostic| (d.rule, d.pointer.clone(), d.line, d.col, d.message.clone());
            let validator: Vec<_> = validated
                .checked
                .diagnostics
                .iter()
                .filter(|d| !ours(d))
                .map(said)
                .collect();
            let shown: Vec<_> = merged.diagnostics().iter().map(said).collect();
            assert_eq!(shown, validator, "{size}: {text}");
            assert!(
                shown.iter().any(|d| d.0 == validate::rules::LOW_TIME),
                "{size}"
            );
        }
    }
}
