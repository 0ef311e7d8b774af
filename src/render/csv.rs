//! The csv format: flattened records by the one body → CSV flattener
//! ([`crate::body::flatten`], separator `.`): a column holding nested tables is spread into
//! `Table.column` columns, a record takes as many rows as its tallest nested table, its other
//! values repeated on each row — the shape `convert --to csv --nest` writes and `convert --nest`
//! reads back; tables inside nested tables are spread the same way, recursively. A response adds
//! `process_time` and `status` columns; the messages themselves are in the table, markdown and
//! json formats. Values that are not valid cells are written as compact JSON. Two streaming
//! passes over the records (columns, then rows).

use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;

use super::{column_names, status_text, Known, Report};
use crate::body::flatten::{field_text, Flattener};
use crate::body::Body;
use crate::text::{self, Escape};

pub(crate) fn render(
    w: &mut dyn Write,
    body: &Body,
    range: Range<usize>,
    known: Known,
    escape_controls: bool,
) -> io::Result<()> {
    let Some(table) = body.records() else {
        return Ok(());
    };
    let report = Report::of(body);
    let response = matches!(body, Body::Response(_));
    let selected = || table.records().skip(range.start).take(range.len());
    let flattener = Flattener::plan(column_names(&table, known), selected(), ".");

    let mut out = csv::WriterBuilder::new().flexible(false).from_writer(w);
    let mut field = String::new();
    let mut put = |out: &mut csv::Writer<&mut dyn Write>, text: &str| -> io::Result<()> {
        if escape_controls
            && text
                .chars()
                .any(|c| c.is_control() || text::is_bidi_control(c))
        {
            field.clear();
            text::push_escaped(&mut field, text, Escape::Terminal);
            out.write_field(&field).map_err(io_error)
        } else {
            out.write_field(text).map_err(io_error)
        }
    };

    for name in flattener.header() {
        put(&mut out, &name)?;
    }
    if response {
        put(&mut out, "process_time")?;
        put(&mut out, "status")?;
    }
    end_record(&mut out)?;

    let mut buffer: Vec<Cow<str>> = Vec::new();
    for (i, record) in range.clone().zip(selected()) {
        let (time, status) = if response {
            let time = report
                .process_time(i)
                .map(|v| field_text(&v))
                .unwrap_or_default();
            let (errors, warnings) = report.counts(i);
            let status = match (errors, warnings) {
                (0, 0) => Cow::Borrowed("ok"),
                _ => Cow::Owned(status_text(errors, warnings)),
            };
            (time, status)
        } else {
            (Cow::Borrowed(""), Cow::Borrowed(""))
        };
        flattener.record(&record, &mut buffer, |fields| {
            for f in fields {
                put(&mut out, f)?;
            }
            if response {
                put(&mut out, &time)?;
                put(&mut out, &status)?;
            }
            end_record(&mut out)
        })?;
    }
    out.flush()
}

fn end_record(out: &mut csv::Writer<&mut dyn Write>) -> io::Result<()> {
    out.write_record(None::<&[u8]>).map_err(io_error)
}

/// A CSV error as the I/O error it wraps, so a closed pipe stays a closed pipe.
pub(crate) fn io_error(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}
