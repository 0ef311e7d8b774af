//! `xconn validate FILE…`: check request and response bodies and report in the chosen format.
//! Every file is checked even when some cannot be read; diagnostics go to standard output, the
//! summary line and read failures to standard error. `--list-rules` prints the rule catalog instead.

use std::io::Write;

use anyhow::Context;

use crate::cli::{ReportFormat, ValidateArgs};
use crate::error::{usage_error, Outcome};
use crate::output::Output;
use crate::source::{display_name, is_stdin, Source};
use crate::validate::report::{self, FileOutcome, FileReport};
use crate::validate::{check_source_with, Against, Options};

pub(crate) fn run(args: ValidateArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    if args.list_rules {
        return list_rules(args.format, out);
    }
    let stdin_uses = args
        .files
        .iter()
        .chain(&args.against)
        .filter(|a| is_stdin(a));
    if stdin_uses.count() > 1 {
        anyhow::bail!("standard input (`-`) can be read only once: name it once");
    }
    let against = match &args.against {
        Some(path) => Some(Against::from_request(
            &Source::read(path).context("--against")?,
        )?),
        None => None,
    };
    let options = Options {
        kind: args.kind.map(super::kind),
        against,
    };
    let mut files = Vec::with_capacity(args.files.len());
    for arg in &args.files {
        let name = display_name(arg);
        let outcome = match Source::read(arg) {
            Err(e) => {
                let message = format!("{e:#}");
                crate::error::report(&e);
                FileOutcome::Unreadable(message)
            }
            Ok(source) => {
                let validated = check_source_with(&source, &options);
                let checked = validated.checked;
                let invalid = checked.has_errors() || (args.strict && checked.has_warnings());
                FileOutcome::Checked {
                    kind: checked.kind,
                    records: validated.records,
                    diagnostics: checked.diagnostics,
                    unlisted: checked.unlisted,
                    valid: !invalid,
                }
            }
        };
        files.push(FileReport { name, outcome });
    }

    match args.format {
        ReportFormat::Text => {
            let color = out.color;
            report::write_text(out, &files, color)?;
        }
        ReportFormat::Github => report::write_github(out, &files)?,
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report::json_document(&files, args.strict))?;
            writeln!(out)?;
        }
        ReportFormat::Sarif => {
            serde_json::to_writer_pretty(&mut *out, &report::sarif_document(&files))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    let totals = report::totals(&files);
    crate::say!("{}", report::summary(&totals));
    if totals.unreadable > 0 {
        anyhow::bail!(
            "{} of {} files could not be read",
            totals.unreadable,
            totals.files
        );
    }
    Ok(if totals.invalid > 0 {
        Outcome::Invalid
    } else {
        Outcome::Success
    })
}

/// `--list-rules`: every rule with its severity and meaning, as text or one JSON document.
fn list_rules(format: ReportFormat, out: &mut Output) -> anyhow::Result<Outcome> {
    match format {
        ReportFormat::Text => report::write_rule_list(out)?,
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report::rule_list_document())?;
            writeln!(out)?;
        }
        ReportFormat::Github | ReportFormat::Sarif => {
            return Err(usage_error(
                "--list-rules prints `--format text` or `--format json` (SARIF lists the rules in every log)",
            ))
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}
