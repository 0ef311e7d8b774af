//! The csv format: flattened records by the one body → CSV flattener
//! ([`crate::body::flatten`], separator `.`): a column holding nested tables is spread into
//! `Table.column` columns, a record takes as many rows as its tallest nested table, its other
//! values repeated on each row — the shape `convert --to csv --nest` writes and `convert --nest`
//! reads back; tables inside nested tables are spread the same way, recursively. A response adds
//! `process_time` and `status` columns (named so they never take a body column's name:
//! [`crate::body::flatten::unique_names`]); the messages themselves are in the table, markdown and
//! json formats. Values that are not valid cells are written as compact JSON. Two streaming
//! passes over the records (columns, then rows).

use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;

use super::{column_names, status_text, Known, Report, INVALID};
use crate::body::flatten::{field_text, Flattener};
use crate::body::Body;
use crate::convert::reverse::{field, CsvOut, Field};
use crate::text::{self, Escape};

/// Writes the rows with `convert --to csv`'s writer (the same quoting: a string that would read
/// back as another type is quoted), so `show --format csv` and `convert --to csv --nest` give the
/// same CSV.
pub(crate) fn render(
    w: &mut dyn Write,
    body: &Body,
    range: Range<usize>,
    known: Known,
    escape_controls: bool,
) -> io::Result<()> {
    let Some(table) = super::records_table(body) else {
        return Ok(());
    };
    let report = Report::of(body);
    let response = matches!(body, Body::Response(_));
    let selected = || table.records().skip(range.start).take(range.len());
    let flattener = Flattener::plan(column_names(&table, known), selected(), ".");
    let mut out = CsvOut::new(io::BufWriter::with_capacity(64 * 1024, w), b',');
    // The added columns never take a body column's name: the flattener makes the whole header
    // unique (`status` in the body → the added one is `status_2`).
    let added: &[&str] = if response {
        &["process_time", "status"]
    } else {
        &[]
    };
    let header: Vec<Field> = flattener
        .header_with(added)
        .into_iter()
        .map(|name| shown(Field::plain(name), escape_controls))
        .collect();
    out.row(&header)?;

    let mut buffer: Vec<Field> = Vec::new();
    let mut line: Vec<Field> = Vec::new();
    for (i, record) in range.clone().zip(selected()) {
        let (time, status) = if response {
            let time = report
                .process_time(i)
                .map(|v| field_text(&v))
                .unwrap_or_default();
            let (errors, warnings) = report.counts(i);
            let status = match (errors, warnings) {
                (0, 0) if known.invalid => Cow::Borrowed(INVALID),
                (0, 0) => Cow::Borrowed("ok"),
                _ => Cow::Owned(status_text(errors, warnings)),
            };
            (time, status)
        } else {
            (Cow::Borrowed(""), Cow::Borrowed(""))
        };
        flattener.record_with(&record, &mut buffer, Field::plain(""), field, |fields| {
            line.clear();
            line.extend(fields.iter().map(|f| shown(f.clone(), escape_controls)));
            if response {
                line.push(Field::plain(time.clone()));
                line.push(Field::plain(status.clone()));
            }
            out.row(&line)
        })?;
    }
    out.flush()
}

/// On a terminal, control characters are escaped so they cannot drive it.
fn shown(f: Field<'_>, escape_controls: bool) -> Field<'_> {
    if escape_controls
        && f.text
            .chars()
            .any(|c| c.is_control() || text::is_bidi_control(c))
    {
        Field {
            text: Cow::Owned(text::escaped(&f.text, Escape::Terminal)),
            string: f.string,
        }
    } else {
        f
    }
}
