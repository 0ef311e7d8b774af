//! A request or response body → an array of objects (`--to json`, the default), one object per
//! line (`--to ndjson`) or flat CSV rows (`--to csv`). Only the records table (`inputs` /
//! `outputs`) is converted; a response's `warnings`, `errors` and `process_time` are not part of
//! the rows. Nested tables become arrays of objects, or with `--nest` `Table.column` CSV columns
//! by the one flattener ([`crate::body::flatten`], shared with `show --format csv`).
//!
//! A body the validator rejects is refused with the validator's first error (`file:line:col:
//! XC107 message at /pointer`); a body it accepts is converted, so nothing here re-checks the
//! body's shape. Records are written one at a time straight from the text (no tree, no per-record
//! allocation beyond small reused buffers), and the pages of a memory-mapped source are given back
//! as the write pass leaves them behind.

use std::borrow::Cow;
use std::io::Write;

use super::{located, Settings, TargetFormat};
use crate::body::flatten::{field_text, Planner};
use crate::body::{write_document, write_record_object, Body, Kind, Layout, Table};
use crate::convert::infer::Typed;
use crate::diag::Severity;
use crate::json::write::{indent, Style};
use crate::json::{Value, ValueKind};
use crate::source::Source;

/// Give pages back every this many bytes of records written.
const RELEASE_EVERY: usize = 8 << 20;

/// Convert the body in `source` (whose text is `text`) to `to`, in two passes: the validator's
/// (a body it rejects is refused with its first error, `file:line:col: RULE message at POINTER`),
/// then the write pass over the checked text. `--to body` rewrites the layout of a body the
/// validator accepts. Options that mean nothing for a body (`--flatten`, a `--kind` other than the
/// body's) are usage errors.
pub fn body_to(
    source: &Source,
    text: &str,
    to: TargetFormat,
    settings: &Settings,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let validated =
        crate::validate::check_source_text(source, text, &crate::validate::Options::default());
    let checked = &validated.checked;
    let kind = checked.kind.unwrap_or(Kind::Request);
    if settings.flatten {
        anyhow::bail!(
            "--flatten does not apply to a body: {} is a {} body, whose values are already scalars or tables",
            source.name,
            kind.name()
        );
    }
    if settings.kind_given && settings.kind != kind {
        anyhow::bail!(
            "--kind {}: {} is a {} body; convert does not turn one kind of body into the other (drop --kind)",
            settings.kind.name(),
            source.name,
            kind.name()
        );
    }
    // A syntax error reads as every JSON syntax error does; a rule names itself and its place.
    let refuse = |d: &crate::diag::Diagnostic| {
        let message = if d.rule == crate::validate::SYNTAX {
            d.message.clone()
        } else {
            format!("{} {} at {}", d.rule, d.message, d.location())
        };
        located(&source.name, d.line, d.col, &message)
    };
    let mut errors = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error);
    if let Some(first) = errors.next() {
        return Err(refuse(first));
    }
    let doc = crate::validate::body_root(text, checked)
        .ok_or_else(|| located(&source.name, 1, 1, "not a JSON document"))?;
    if to == TargetFormat::Body {
        write_document(&mut &mut *w, &doc, settings.layout)?;
        return Ok(());
    }
    let table = Body::view_with(&doc, Some(kind), &mut |at| source.release_before(at))
        .and_then(|b| b.records())
        .ok_or_else(|| located(&source.name, 1, 1, "not a body"))?;
    let mut release = Release::new(source);
    match to {
        TargetFormat::Body => unreachable!("handled above"),
        TargetFormat::Json => write_objects(&table, settings.layout, w, &mut release),
        TargetFormat::Ndjson => {
            let keys = table.keys();
            let mut line = Vec::with_capacity(256);
            table.each_record(|record, values| -> std::io::Result<()> {
                line.clear();
                write_record_object(&mut line, &keys, values, Style::Compact)?;
                line.push(b'\n');
                w.write_all(&line)?;
                release.passed(record.end());
                Ok(())
            })?;
            Ok(())
        }
        TargetFormat::Csv => write_csv(
            source,
            &table,
            kind,
            validated.nested_tables,
            settings,
            w,
            &mut release,
        ),
    }
}

/// Gives back the pages of a mapped source behind the write pass, every few MB.
struct Release<'s> {
    source: &'s Source,
    last: usize,
}

impl<'s> Release<'s> {
    fn new(source: &'s Source) -> Release<'s> {
        Release { source, last: 0 }
    }

    /// A new pass starts from the beginning.
    fn restart(&mut self) {
        self.last = 0;
    }

    fn passed(&mut self, offset: usize) {
        if offset >= self.last + RELEASE_EVERY {
            self.source.release_before(offset);
            self.last = offset;
        }
    }
}

fn write_objects(
    table: &Table,
    layout: Layout,
    w: &mut dyn Write,
    release: &mut Release,
) -> anyhow::Result<()> {
    let keys = table.keys();
    let mut line = Vec::with_capacity(256);
    let (open, sep, close, style): (&[u8], &[u8], &[u8], Style) = match layout {
        Layout::Records => (b"[\n  ", b",\n  ", b"\n]", Style::Spaced),
        Layout::Compact => (b"[", b",", b"]", Style::Compact),
        Layout::Pretty => (b"[\n", b",\n", b"\n]", Style::Pretty(1)),
    };
    let mut any = false;
    table.each_record(|record, values| -> std::io::Result<()> {
        // One write per record: the writer behind `w` is reached through a trait object.
        line.clear();
        line.extend_from_slice(if any { sep } else { open });
        any = true;
        if layout == Layout::Pretty {
            indent(&mut line, 1)?;
        }
        write_record_object(&mut line, &keys, values, style)?;
        w.write_all(&line)?;
        release.passed(record.end());
        Ok(())
    })?;
    w.write_all(if any { close } else { b"[]" })?;
    w.write_all(b"\n")?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_csv(
    source: &Source,
    table: &Table,
    kind: Kind,
    nested_tables: usize,
    settings: &Settings,
    w: &mut dyn Write,
    release: &mut Release,
) -> anyhow::Result<()> {
    let sep = settings.nest_sep.as_str();
    let keys = table.keys();
    // The planning pass gives pages back as it goes; the write pass then starts over.
    let mut planner = Planner::new(keys.clone(), sep);
    // The validator counted the nested tables: a flat body needs no planning pass.
    if nested_tables > 0 {
        let _ = table.each_record(|record, cells| -> Result<(), ()> {
            planner.observe(cells);
            release.passed(record.end());
            Ok(())
        });
    }
    let flattener = planner.finish();
    release.restart();
    if let (false, Some(first)) = (settings.nest, flattener.first_table()) {
        let inner = Table::from_value(&first.value)
            .map(|t| t.keys())
            .unwrap_or_default();
        let column = &keys[first.column.min(keys.len().saturating_sub(1))];
        let spread: Vec<String> = inner.iter().map(|k| format!("{column}{sep}{k}")).collect();
        let (line, col) = source.line_col(first.value.offset());
        return Err(located(
            &source.name,
            line,
            col,
            &format!(
                "/{}/{}/{} (record {}, column {column:?}) holds a nested table, but CSV rows are flat (hint: --nest spreads tables into {} columns, one row per table row)",
                kind.records_key(),
                first.record + 1,
                first.column,
                first.record + 1,
                spread.join(", ")
            ),
        ));
    }
    if settings.nest {
        if let Some(name) = flattener.name_with_separator() {
            return Err(located(
                &source.name,
                1,
                1,
                &format!(
                    "column {name:?} holds the separator {sep:?} in its own name, so --nest could not tell it from a Table{sep}column name when the CSV is read back (hint: rename the column, or choose another --nest-sep)"
                ),
            ));
        }
    }
    let delimiter = settings.delimiter_for(settings.output.as_deref());
    let mut out = CsvOut {
        w: std::io::BufWriter::with_capacity(64 * 1024, &mut *w),
        delimiter,
        row: Vec::new(),
    };
    let header: Vec<Field> = flattener
        .header()
        .into_iter()
        .map(|name| Field {
            text: Cow::Owned(name),
            string: false,
        })
        .collect();
    out.row(&header)?;
    let one_column = flattener.fields() == 1;
    let mut empty_strings = 0usize;
    let mut buffer: Vec<Field> = Vec::with_capacity(flattener.fields());
    let empty = Field {
        text: Cow::Borrowed(""),
        string: false,
    };
    // Under `--nest` a null where other records hold tables would read back as an empty table:
    // refuse it rather than change the value.
    let table_columns = if settings.nest {
        flattener.table_columns()
    } else {
        Vec::new()
    };
    let mut index = 0usize;
    table.each_record(|record, cells| -> anyhow::Result<()> {
        index += 1;
        for (column, value) in cells.iter().enumerate() {
            if value.is_null() && table_columns.contains(&column) {
                let (line, col) = source.line_col(value.offset());
                return Err(located(
                    &source.name,
                    line,
                    col,
                    &format!(
                        "/{}/{index}/{column} (record {index}, column {:?}) is null where other records hold nested tables: CSV rows cannot tell a null from an empty table, so it would read back as one (hint: convert to JSON instead, or give the record an empty table with its header)",
                        kind.records_key(),
                        keys.get(column).map_or("", String::as_str)
                    ),
                ));
            }
        }
        flattener.cells_with(cells, &mut buffer, empty.clone(), field, |fields| {
            if one_column && fields[0].string && fields[0].text.is_empty() {
                empty_strings += 1;
            }
            out.row(fields)
        })?;
        release.passed(record.end());
        Ok(())
    })?;
    out.w.flush()?;
    if empty_strings > 0 {
        eprintln!(
            "xconn: warning: {empty_strings} empty string{} written as `\"\"` in a one-column CSV, which reads back as null (a one-column null is written the same way)",
            if empty_strings == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// A CSV field: its text, and whether it is a string that would read back as another type
/// (a number, `true`/`false`, or empty for null) unless quoted.
#[derive(Debug, Clone)]
/// One CSV field: its text, and whether it is a string that would read back as another type
/// (then it is quoted).
pub struct Field<'a> {
    pub text: Cow<'a, str>,
    pub string: bool,
}

impl<'a> Field<'a> {
    /// A field that is not a value of the body (a computed column, a header name).
    pub fn plain(text: impl Into<Cow<'a, str>>) -> Field<'a> {
        Field {
            text: text.into(),
            string: false,
        }
    }
}

/// A value as a CSV field (see [`CsvOut`] for the quoting rule).
pub fn field<'a>(value: &Value<'a>) -> Field<'a> {
    let text = field_text(value);
    let string = value.kind() == ValueKind::String
        && !matches!(crate::convert::infer::infer(&text), Typed::String(_));
    Field { text, string }
}

/// Writes CSV rows: a field is quoted when it holds the delimiter, a quote, CR or LF, when it is
/// a string that would read back as another type, or when it is the only field of its row and
/// empty (an empty line would be skipped); a quote inside is doubled; rows end with LF.
pub struct CsvOut<W: Write> {
    w: W,
    delimiter: u8,
    row: Vec<u8>,
}

impl<W: Write> CsvOut<W> {
    pub fn new(w: W, delimiter: u8) -> CsvOut<W> {
        CsvOut {
            w,
            delimiter,
            row: Vec::new(),
        }
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }

    pub fn row(&mut self, fields: &[Field]) -> std::io::Result<()> {
        let row = &mut self.row;
        row.clear();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                row.push(self.delimiter);
            }
            let bytes = f.text.as_bytes();
            let special = bytes
                .iter()
                .any(|&b| b == self.delimiter || b == b'"' || b == b'\n' || b == b'\r');
            if special || f.string || (bytes.is_empty() && fields.len() == 1) {
                row.push(b'"');
                for part in bytes.split_inclusive(|&b| b == b'"') {
                    row.extend_from_slice(part);
                    if part.last() == Some(&b'"') {
                        row.push(b'"');
                    }
                }
                row.push(b'"');
            } else {
                row.extend_from_slice(bytes);
            }
        }
        row.push(b'\n');
        self.w.write_all(row)
    }
}
