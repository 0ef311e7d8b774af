//! The csv format: flattened records. A column holding nested tables is spread into
//! `Table.column` columns (the union of the columns its tables have, in first-seen order), and a
//! record takes as many rows as its longest nested table, its other values repeated on each row
//! — the shape `convert --nest` reads back. A response adds `process_time` and `status`
//! columns; the messages themselves are in the table, markdown and json formats. Tables nested
//! inside nested tables, and values that are not valid cells, are written as compact JSON.

use std::io::{self, Write};
use std::ops::Range;

use super::{column_names, compact_json, status_text, Report};
use crate::legacy_body::{Body, Cell, Json, Table};
use crate::text::{self, Escape};

/// One output column group: a plain column, or a nested-table column spread into sub-columns.
struct Column {
    name: String,
    /// Sub-column names when this column holds nested tables.
    spread: Option<Vec<String>>,
}

pub(crate) fn render(
    w: &mut dyn Write,
    body: &Body,
    range: Range<usize>,
    escape_controls: bool,
) -> io::Result<()> {
    let Some(table) = body.records() else {
        return Ok(());
    };
    let report = Report::of(body);
    let response = matches!(body, Body::Response(_));
    let columns = plan(&table, range.clone());

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

    for column in &columns {
        match &column.spread {
            None => put(&mut out, &column.name)?,
            Some(subs) => {
                for sub in subs {
                    put(&mut out, &format!("{}.{sub}", column.name))?;
                }
            }
        }
    }
    if response {
        put(&mut out, "process_time")?;
        put(&mut out, "status")?;
    }
    end_record(&mut out)?;

    let mut scratch = String::new();
    for i in range {
        let values = table.record(i);
        let tables: Vec<Option<Table>> = columns
            .iter()
            .enumerate()
            .map(
                |(c, column)| match (&column.spread, values.get(c).map(Cell::of)) {
                    (Some(_), Some(Cell::Table(t))) => Some(t),
                    _ => None,
                },
            )
            .collect();
        let lines = tables
            .iter()
            .flatten()
            .map(|t| t.len())
            .max()
            .unwrap_or(0)
            .max(1);
        for line in 0..lines {
            for (c, column) in columns.iter().enumerate() {
                match (&column.spread, &tables[c]) {
                    (None, _) => put(&mut out, value_text(values.get(c), &mut scratch))?,
                    (Some(subs), None) => {
                        for _ in subs {
                            put(&mut out, "")?;
                        }
                    }
                    (Some(subs), Some(sub_table)) => {
                        let row = sub_table.record(line);
                        for sub in subs {
                            let value = sub_table
                                .header
                                .iter()
                                .position(|k| k.as_str() == Some(sub.as_str()))
                                .and_then(|p| row.get(p));
                            put(&mut out, value_text(value, &mut scratch))?;
                        }
                    }
                }
            }
            if response {
                put(
                    &mut out,
                    value_text(report.process_time.get(i), &mut scratch),
                )?;
                let (errors, warnings) = report.counts(i);
                put(&mut out, &status_text(errors, warnings))?;
            }
            end_record(&mut out)?;
        }
    }
    out.flush()
}

/// Which columns are spread, and into which sub-columns.
fn plan(table: &Table, range: Range<usize>) -> Vec<Column> {
    let mut columns: Vec<Column> = column_names(table)
        .into_iter()
        .map(|name| Column { name, spread: None })
        .collect();
    for i in range {
        for (column, value) in columns.iter_mut().zip(table.record(i)) {
            if let Cell::Table(sub) = Cell::of(value) {
                let subs = column.spread.get_or_insert_with(Vec::new);
                for key in sub.keys() {
                    if !subs.contains(&key) {
                        subs.push(key);
                    }
                }
            }
        }
    }
    columns
}

/// A value as CSV text: null and missing empty, numbers as written, anything else structured as
/// compact JSON.
fn value_text<'a>(value: Option<&'a Json>, scratch: &'a mut String) -> &'a str {
    match value {
        None | Some(Json::Null) => "",
        Some(Json::Bool(true)) => "true",
        Some(Json::Bool(false)) => "false",
        Some(Json::Number(n)) => n.as_str(),
        Some(Json::String(s)) => s,
        Some(other) => {
            *scratch = compact_json(other);
            scratch
        }
    }
}

fn end_record(out: &mut csv::Writer<&mut dyn Write>) -> io::Result<()> {
    out.write_record(None::<&[u8]>).map_err(io_error)
}

/// A CSV error as the I/O error it wraps, so a closed pipe stays a closed pipe.
fn io_error(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}
