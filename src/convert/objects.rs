//! JSON objects → body. A record is a JSON object; the header is every key in order of first
//! appearance and a missing key is null. An array of objects becomes a nested table (its header
//! built the same way, recursively); an empty array an empty table `[[]]`; an array already in
//! the table format (`[["k"], [1]]`) is kept. A nested object is an error unless `--flatten` turns
//! it into dotted keys. Used for JSON documents here and for NDJSON lines by [`super::ndjson`].

use std::collections::HashSet;
use std::io::Write;

use super::{located, reverse, BodyOut, Settings, TargetFormat};
use crate::error::data_error;
use crate::json::ErrorKind;
use crate::legacy_body::{Json, Map, Table};
use crate::source::{self, pointer_escape, Source};

/// A record or value that does not fit the format, at a JSON pointer relative to the document
/// (or NDJSON line) it came from.
#[derive(Debug, Clone)]
pub struct ShapeError {
    pub pointer: String,
    pub message: String,
}

/// Keys in order of first appearance.
#[derive(Debug, Default)]
pub struct KeyOrder {
    pub keys: Vec<String>,
    seen: HashSet<String>,
}

impl KeyOrder {
    pub fn add(&mut self, record: &Map<String, Json>) {
        for key in record.keys() {
            if !self.seen.contains(key) {
                self.seen.insert(key.clone());
                self.keys.push(key.clone());
            }
        }
    }
}

/// A record's values in header order; keys it lacks are null.
pub fn row_of(keys: &[String], mut record: Map<String, Json>) -> Json {
    Json::Array(
        keys.iter()
            .map(|k| record.remove(k).unwrap_or(Json::Null))
            .collect(),
    )
}

/// A record with every value in body form: scalars as they are, arrays of objects as tables,
/// nested objects flattened (`--flatten`) or refused.
pub fn normalize_record(
    object: &Map<String, Json>,
    flatten: bool,
    pointer: &str,
) -> Result<Map<String, Json>, ShapeError> {
    let mut out = Map::new();
    add_entries(object, flatten, "", pointer, &mut out)?;
    Ok(out)
}

fn add_entries(
    object: &Map<String, Json>,
    flatten: bool,
    key_prefix: &str,
    pointer: &str,
    out: &mut Map<String, Json>,
) -> Result<(), ShapeError> {
    for (key, value) in object {
        let full_key = if key_prefix.is_empty() {
            key.clone()
        } else {
            format!("{key_prefix}.{key}")
        };
        let here = format!("{pointer}/{}", pointer_escape(key));
        let converted = match value {
            Json::Object(inner) if flatten => {
                if !inner.is_empty() {
                    add_entries(inner, flatten, &full_key, &here, out)?;
                    continue;
                }
                Json::Null
            }
            Json::Object(inner) => {
                let example = inner
                    .keys()
                    .next()
                    .map_or_else(|| format!("{full_key}.…"), |k| format!("{full_key}.{k}"));
                return Err(ShapeError {
                    pointer: here,
                    message: format!(
                        "is an object, but XConnector values are scalars or tables (only the JSON array format is supported) (hint: --flatten turns nested objects into dotted keys such as {example})"
                    ),
                });
            }
            Json::Array(items) => table_value(items, value, flatten, &here)?,
            scalar => scalar.clone(),
        };
        if out.contains_key(&full_key) {
            return Err(ShapeError {
                pointer: here,
                message: format!("gives key {full_key:?} a second time once flattened"),
            });
        }
        out.insert(full_key, converted);
    }
    Ok(())
}

/// An array value as a nested table.
fn table_value(
    items: &[Json],
    original: &Json,
    flatten: bool,
    pointer: &str,
) -> Result<Json, ShapeError> {
    if items.is_empty() {
        return Ok(Json::Array(vec![Json::Array(Vec::new())]));
    }
    if items.iter().all(Json::is_object) {
        let mut keys = KeyOrder::default();
        let mut records = Vec::with_capacity(items.len());
        for (i, object) in items.iter().filter_map(Json::as_object).enumerate() {
            let record = normalize_record(object, flatten, &format!("{pointer}/{i}"))?;
            keys.add(&record);
            records.push(record);
        }
        let mut table = Vec::with_capacity(records.len() + 1);
        table.push(Json::Array(
            keys.keys.iter().cloned().map(Json::String).collect(),
        ));
        table.extend(records.into_iter().map(|r| row_of(&keys.keys, r)));
        return Ok(Json::Array(table));
    }
    if Table::from_value(original).is_some() {
        return Ok(original.clone());
    }
    if items.iter().all(|v| !v.is_object() && !v.is_array()) {
        return Err(ShapeError {
            pointer: pointer.to_string(),
            message: "is an array of plain values; a nested table needs an array of objects, one per row (hint: write [{\"value\": 1}, …], or join the values into one string)".to_string(),
        });
    }
    let (index, _) = items
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_object())
        .unwrap_or((0, &Json::Null));
    Err(ShapeError {
        pointer: format!("{pointer}/{index}"),
        message: "is not an object; every row of a nested table must be an object".to_string(),
    })
}

fn type_name(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// One record found in the source: the object, the byte offset of the JSON document it lives in,
/// and its pointer inside that document.
struct Found<'a> {
    object: &'a Map<String, Json>,
    base: usize,
    pointer: String,
}

/// Convert a whole JSON source: a body goes to [`reverse`]; an array of objects, one object, or
/// several concatenated objects become a body.
pub fn json_source(source: &Source, settings: &Settings, w: &mut dyn Write) -> anyhow::Result<()> {
    let name = &source.name;
    // A body goes to `reverse` as a checked view of the text (no tree).
    if let Ok(root) = crate::json::parse(std::str::from_utf8(&source.bytes).unwrap_or_default()) {
        if crate::body::Kind::detect(&root).is_some() {
            let to = settings.to.unwrap_or(TargetFormat::Json);
            return reverse::body_to(source, &root, to, settings, w);
        }
    }
    let documents: Vec<(Json, usize)> = match source.parse_json_legacy() {
        Ok(doc) => vec![(doc, 0)],
        Err(e) if e.message == ErrorKind::TrailingCharacters.message() => {
            let mut docs = Vec::new();
            let text = std::str::from_utf8(&source.bytes).unwrap_or_default();
            let parsed = crate::json::dom::parse_many(text, |value, start| {
                docs.push((value, start));
                Ok(())
            });
            match parsed {
                Ok(_) => docs,
                Err(e) => {
                    return Err(data_error(format!(
                        "{name}:{}",
                        source::syntax_error(&source.bytes, &e)
                    )))
                }
            }
        }
        Err(e) => return Err(data_error(format!("{name}:{e}"))),
    };

    if let Some(to) = settings.to.filter(|&t| t != TargetFormat::Body) {
        anyhow::bail!(
            "--to {} needs a request or response body (a JSON object with \"inputs\" or \"outputs\"); {name} holds plain objects, which convert to a body",
            super::target_name(to)
        );
    }

    let mut found = Vec::new();
    let single = documents.len() == 1;
    for (doc, base) in &documents {
        match doc {
            Json::Object(object) => found.push(Found {
                object,
                base: *base,
                pointer: String::new(),
            }),
            Json::Array(items) if single => {
                if items.is_empty() {
                    return Err(data_error(format!(
                        "{name}: the array is empty: no records, so no header to build"
                    )));
                }
                for (i, item) in items.iter().enumerate() {
                    let pointer = format!("/{i}");
                    match item {
                        Json::Object(object) => found.push(Found {
                            object,
                            base: 0,
                            pointer,
                        }),
                        other => {
                            return Err(shape_error(
                                source,
                                0,
                                ShapeError {
                                    pointer,
                                    message: format!(
                                        "is {}, but every element must be an object (a record)",
                                        type_name(other)
                                    ),
                                },
                            ))
                        }
                    }
                }
            }
            other => {
                let (line, col) = source.line_col(*base);
                let what = if single {
                    "expected an array of objects, one object, or a request/response body"
                } else {
                    "expected one object per document"
                };
                return Err(located(
                    name,
                    line,
                    col,
                    &format!("{what}, found {}", type_name(other)),
                ));
            }
        }
    }

    let mut keys = KeyOrder::default();
    let mut records = Vec::with_capacity(found.len());
    for f in &found {
        let record = normalize_record(f.object, settings.flatten, &f.pointer)
            .map_err(|e| shape_error(source, f.base, e))?;
        keys.add(&record);
        records.push(record);
    }
    let mut out = BodyOut::begin(w, settings.layout, settings.kind)?;
    out.header(&keys.keys)?;
    for record in records {
        out.row(&row_of(&keys.keys, record))?;
    }
    out.finish()?;
    Ok(())
}

/// Locate a shape error in a source whose document starts at byte `base`.
fn shape_error(source: &Source, base: usize, e: ShapeError) -> anyhow::Error {
    let bytes = &source.bytes[base.min(source.bytes.len())..];
    let offset = base + source::locate_pointer(bytes, &e.pointer).unwrap_or(0);
    let (line, col) = source.line_col(offset);
    let shown = if e.pointer.is_empty() {
        "/"
    } else {
        &e.pointer
    };
    located(&source.name, line, col, &format!("{shown} {}", e.message))
}
