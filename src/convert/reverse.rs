//! A request or response body → an array of objects (`--to json`, the default), one object per
//! line (`--to ndjson`) or flat CSV rows (`--to csv`). Only the records table (`inputs` /
//! `outputs`) is converted; a response's `warnings`, `errors` and `process_time` are not part of
//! the rows. Nested tables become arrays of objects, or with `--nest` `Table.column` CSV columns
//! spread over as many rows as the longest table has, the record's plain values repeated on each.

use std::borrow::Cow;
use std::io::Write;

use super::{located, Settings, TargetFormat};
use crate::legacy_body::{record_object, write_spaced, Json, Kind, Layout, Table};
use crate::source::Source;

/// Convert body `doc` (read from `source`) to `to`. `--to body` only rewrites the layout, so it
/// checks nothing about the records.
pub fn body_to(
    source: &Source,
    doc: &Json,
    to: TargetFormat,
    settings: &Settings,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let records = || records_table(source, doc);
    match to {
        TargetFormat::Body => {
            crate::legacy_body::write_document(&mut &mut *w, doc, settings.layout)?;
            Ok(())
        }
        TargetFormat::Json => {
            let (table, _) = records()?;
            write_objects(&table, &table.keys(), settings.layout, w)
        }
        TargetFormat::Ndjson => {
            let (table, _) = records()?;
            let keys = table.keys();
            for i in 0..table.len() {
                let object = Json::Object(record_object(&keys, table.record(i)));
                serde_json::to_writer(&mut *w, &object)?;
                w.write_all(b"\n")?;
            }
            Ok(())
        }
        TargetFormat::Csv => {
            let (table, key) = records()?;
            write_csv(source, &table, key, &table.keys(), settings, w)
        }
    }
}

/// A data error at `pointer` in `source`: `NAME:LINE:COL: POINTER MESSAGE`.
fn error_at(source: &Source, pointer: &str, message: &str) -> anyhow::Error {
    let (line, col) = source.locate(pointer).unwrap_or((1, 1));
    located(&source.name, line, col, &format!("{pointer} {message}"))
}

/// The records table, checked: an array whose header is all strings and whose records are arrays
/// as long as the header.
fn records_table<'a>(source: &Source, doc: &'a Json) -> anyhow::Result<(Table<'a>, &'static str)> {
    let kind = crate::legacy_body::detect_kind(doc).unwrap_or(Kind::Request);
    let key = kind.records_key();
    let at = |pointer: &str, message: String| error_at(source, pointer, &message);
    let value = &doc[key];
    let Some(table) = Table::from_records_array(value) else {
        return Err(at(
            &format!("/{key}"),
            "is not an array of rows".to_string(),
        ));
    };
    if let Some(first) = value.as_array().and_then(|rows| rows.first()) {
        if !first.is_array() {
            return Err(at(
                &format!("/{key}/0"),
                "is not a header row (an array of strings)".to_string(),
            ));
        }
    }
    if let Some(i) = table.header.iter().position(|k| !k.is_string()) {
        return Err(at(
            &format!("/{key}/0/{i}"),
            "is not a string; header keys must be strings".to_string(),
        ));
    }
    for (i, row) in table.records.iter().enumerate() {
        let pointer = format!("/{key}/{}", i + 1);
        match row.as_array() {
            None => {
                return Err(at(
                    &pointer,
                    "is not a record (an array of values)".to_string(),
                ))
            }
            Some(values) if values.len() != table.width() => {
                return Err(at(
                    &pointer,
                    format!(
                        "has {} value{} but the header has {}",
                        values.len(),
                        if values.len() == 1 { "" } else { "s" },
                        table.width()
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    Ok((table, key))
}

fn write_objects(
    table: &Table,
    keys: &[String],
    layout: Layout,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let objects = (0..table.len()).map(|i| Json::Object(record_object(keys, table.record(i))));
    match layout {
        Layout::Pretty => {
            let all = Json::Array(objects.collect());
            serde_json::to_writer_pretty(&mut *w, &all)?;
        }
        Layout::Compact => {
            w.write_all(b"[")?;
            for (i, object) in objects.enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                serde_json::to_writer(&mut *w, &object)?;
            }
            w.write_all(b"]")?;
        }
        Layout::Records => {
            let mut any = false;
            for (i, object) in objects.enumerate() {
                w.write_all(if i == 0 { b"[\n  " } else { b",\n  " })?;
                write_spaced(&mut &mut *w, &object)?;
                any = true;
            }
            w.write_all(if any { b"\n]" } else { b"[]" })?;
        }
    }
    w.write_all(b"\n")?;
    Ok(())
}

/// A scalar's CSV text: null is an empty cell, numbers keep their text. `None` for arrays and
/// objects.
fn scalar_text(value: &Json) -> Option<Cow<'_, str>> {
    match value {
        Json::Null => Some(Cow::Borrowed("")),
        Json::Bool(true) => Some(Cow::Borrowed("true")),
        Json::Bool(false) => Some(Cow::Borrowed("false")),
        Json::Number(n) => Some(Cow::Owned(n.to_string())),
        Json::String(s) => Some(Cow::Borrowed(s)),
        Json::Array(_) | Json::Object(_) => None,
    }
}

/// One top-level column of the CSV: plain, or a table spread into `Table.column` columns.
struct Column {
    name: String,
    /// `Some(keys)` for a table column: the union of its tables' keys, first appearance first.
    table: Option<Vec<String>>,
}

fn write_csv(
    source: &Source,
    table: &Table,
    key: &str,
    keys: &[String],
    settings: &Settings,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let at = |pointer: String, message: String| error_at(source, &pointer, &message);
    let sep = settings.nest_sep.as_str();
    // Which columns hold tables, and their keys.
    let mut columns: Vec<Column> = keys
        .iter()
        .map(|k| Column {
            name: k.clone(),
            table: None,
        })
        .collect();
    for r in 0..table.len() {
        for (c, value) in table.record(r).iter().enumerate() {
            let pointer = || format!("/{key}/{}/{c}", r + 1);
            if scalar_text(value).is_some() {
                continue;
            }
            let Some(inner) = Table::from_value(value) else {
                return Err(at(
                    pointer(),
                    format!(
                        "(record {}, column {:?}) is {} that is not a table; CSV cannot hold it",
                        r + 1,
                        keys[c],
                        if value.is_array() {
                            "an array"
                        } else {
                            "an object"
                        }
                    ),
                ));
            };
            let inner_keys = inner.keys();
            if !settings.nest {
                let spread: Vec<String> = inner_keys
                    .iter()
                    .map(|k| format!("{}{sep}{k}", keys[c]))
                    .collect();
                return Err(at(
                    pointer(),
                    format!(
                        "(record {}, column {:?}) holds a nested table, but CSV rows are flat (hint: --nest spreads tables into {} columns, one row per table row)",
                        r + 1,
                        keys[c],
                        spread.join(", ")
                    ),
                ));
            }
            for i in 0..inner.len() {
                if let Some(j) = inner
                    .record(i)
                    .iter()
                    .position(|v| scalar_text(v).is_none())
                {
                    return Err(at(
                        format!("{}/{}/{j}", pointer(), i + 1),
                        "is a table inside a nested table; --nest spreads only one level into CSV"
                            .to_string(),
                    ));
                }
            }
            let union = columns[c].table.get_or_insert_with(Vec::new);
            for k in inner_keys {
                if !union.contains(&k) {
                    union.push(k);
                }
            }
        }
    }
    // A non-null plain value in a table column cannot be told apart from a table row.
    for r in 0..table.len() {
        for (c, value) in table.record(r).iter().enumerate() {
            if columns[c].table.is_some() && !value.is_null() && Table::from_value(value).is_none()
            {
                return Err(at(
                    format!("/{key}/{}/{c}", r + 1),
                    format!(
                        "(record {}, column {:?}) is a plain value, but other records hold a table in this column; --nest needs a table or null",
                        r + 1,
                        keys[c]
                    ),
                ));
            }
        }
    }

    let delimiter = settings.delimiter_for(settings.output.as_deref());
    let mut csv = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(&mut *w);
    let mut header: Vec<String> = Vec::new();
    for column in &columns {
        match &column.table {
            None => header.push(column.name.clone()),
            Some(inner) => header.extend(inner.iter().map(|k| format!("{}{sep}{k}", column.name))),
        }
    }
    csv.write_record(&header)?;
    let mut line: Vec<Cow<str>> = Vec::with_capacity(header.len());
    for r in 0..table.len() {
        let values = table.record(r);
        let tables: Vec<Option<Table>> = values.iter().map(Table::from_value).collect();
        let height = tables
            .iter()
            .flatten()
            .map(Table::len)
            .max()
            .unwrap_or(0)
            .max(1);
        for row in 0..height {
            line.clear();
            for (c, column) in columns.iter().enumerate() {
                match &column.table {
                    None => line.push(scalar_text(&values[c]).unwrap_or_default()),
                    Some(inner_keys) => {
                        let start = line.len();
                        line.extend(inner_keys.iter().map(|_| Cow::Borrowed("")));
                        if let Some(t) = tables[c].filter(|t| row < t.len()) {
                            let t_keys = t.keys();
                            for (k, value) in t_keys.iter().zip(t.record(row)) {
                                if let Some(pos) = inner_keys.iter().position(|x| x == k) {
                                    line[start + pos] = scalar_text(value).unwrap_or_default();
                                }
                            }
                        }
                    }
                }
            }
            csv.write_record(line.iter().map(|c| c.as_bytes()))?;
        }
    }
    csv.flush()?;
    Ok(())
}
