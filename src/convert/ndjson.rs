//! NDJSON / JSON Lines → body in two streaming passes over a file: the first collects the header
//! (every key in order of first appearance), the second writes one record per line. Standard
//! input is spooled to a temp file first; a large file is mapped and its pages given back as each
//! pass goes, so memory stays flat. Blank lines are skipped.
//!
//! Each line is checked by [`crate::json::Lexer`] (the one JSON syntax, its messages and its
//! duplicate-key rule) and goes through the same per-record code as the elements of a JSON array
//! ([`super::objects::Collect`] / [`super::objects::Emit`]), so both give byte-identical bodies.

use std::io::Write;

use super::objects::{At, Collect, Emit, ShapeError};
use super::{located, Settings};
use crate::body::Kind;
use crate::error::data_error;
use crate::json::{ErrorKind, Lexer, Value};
use crate::source::{self, Source};

/// Give back the pages of a mapped input every this many bytes.
const RELEASE_EVERY: usize = 4 << 20;

/// Convert NDJSON held in `source`.
pub fn ndjson_to_body(source: &Source, settings: &Settings, w: &mut dyn Write) -> anyhow::Result<()> {
    let name = &source.name;
    if let Some(encoding) = source::wide_encoding(&source.bytes) {
        return Err(data_error(format!(
            "{name}:1: {}",
            source::wide_encoding_message(encoding)
        )));
    }
    let mut collect = Collect::new(settings.flatten);
    let mut count = 0usize;
    let mut body: Option<(usize, usize, Kind)> = None;
    each_line(source, |number, line| {
        count += 1;
        let record = check_line(name, number, line)?;
        if let Some(kind) = looks_like_body(&record) {
            let col = column(line, record.offset());
            if body.is_some() {
                return Err(located(
                    name,
                    number,
                    col,
                    &format!(
                        "a second body (a {}) starts here: {name} holds several bodies back to back, which are not converted together (hint: split them into one file per body)",
                        kind.name()
                    ),
                ));
            }
            body = Some((number, col, kind));
        }
        collect
            .record(record, At::Root)
            .map_err(|e| locate(name, number, line, e))
    })?;
    if count == 0 {
        return Err(data_error(format!(
            "{name}: empty input: expected one JSON object per line"
        )));
    }
    if let Some((number, col, kind)) = body {
        return Err(located(
            name,
            number,
            col,
            &format!(
                "this line is a {} body, but NDJSON lines are records: a body is converted on its own (hint: put it in a file of its own)",
                kind.name()
            ),
        ));
    }
    let mut emit = Emit::begin(collect.header, w, settings)?;
    each_line(source, |number, line| {
        let record = check_line(name, number, line)?;
        emit.record(record, At::Root)?
            .map_err(|e| locate(name, number, line, e))
    })?;
    emit.finish()
}

/// Call `each` with the number and text of every non-blank line (its newline included),
/// checked to be UTF-8; the pages of a mapped source are given back as the walk goes.
fn each_line<'a>(
    source: &'a Source,
    mut each: impl FnMut(usize, &'a str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let bytes: &'a [u8] = &source.bytes;
    let mut start = 0;
    let mut released = 0;
    let mut number = 0usize;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
        let line = &bytes[start..end];
        number += 1;
        if !line.iter().all(u8::is_ascii_whitespace) {
            let text = std::str::from_utf8(line).map_err(|e| {
                let (_, col) = source::line_col(line, e.valid_up_to());
                located(
                    &source.name,
                    number,
                    col,
                    "invalid UTF-8 (hint: save the file as UTF-8)",
                )
            })?;
            each(number, text)?;
        }
        start = end;
        if start - released >= RELEASE_EVERY {
            source.release_before(start);
            released = start;
        }
    }
    source.release_before(bytes.len());
    Ok(())
}

/// Check one line as a JSON object and return it.
fn check_line<'a>(name: &str, number: usize, line: &'a str) -> anyhow::Result<Value<'a>> {
    let mut lexer = Lexer::new(line);
    lexer.skip_ws();
    let start = lexer.pos;
    let checked = lexer.skip_value().map(|()| lexer.pos);
    let end = checked
        .and_then(|end| lexer.end().map(|()| end))
        .map_err(|e| {
            let mut err = source::syntax_error(line.as_bytes(), &e);
            if e.kind == ErrorKind::TrailingCharacters {
                err.hint = Some("each NDJSON line holds exactly one JSON object".to_string());
            }
            let hint = err
                .hint
                .map(|h| format!(" (hint: {h})"))
                .unwrap_or_default();
            located(name, number, err.col, &format!("{}{hint}", err.message))
        })?;
    let value = Value::from_checked(line, start, end);
    if !value.is_object() {
        return Err(located(
            name,
            number,
            column(line, start),
            "expected a JSON object (one record per line)",
        ));
    }
    Ok(value)
}

/// A line that is a request or response body rather than a record: an object with `inputs` or
/// `outputs` holding a table (an array whose first row is an array, or an empty array).
fn looks_like_body(record: &Value) -> Option<Kind> {
    let kind = Kind::detect(record)?;
    let records = record.get(kind.records_key())?;
    let table = records.is_array() && records.items().next().is_none_or(|first| first.is_array());
    table.then_some(kind)
}

/// The 1-based character column of byte `offset` in `line`.
fn column(line: &str, offset: usize) -> usize {
    source::line_col(line.as_bytes(), offset).1
}

fn locate(name: &str, number: usize, line: &str, e: ShapeError) -> anyhow::Error {
    located(
        name,
        number,
        column(line, e.offset),
        &format!("{} {}", e.pointer, e.message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_one_checked_object() {
        assert!(check_line("x", 1, " {\"a\": 1, \"b\": [\"x\"]}\r\n").is_ok());
        for (line, part) in [
            ("{\"a\": 1, \"a\": 2}\n", "x:1:10: duplicate key"),
            ("{\"a\": 1} x\n", "each NDJSON line holds exactly one JSON object"),
            ("  [1]\n", "x:1:3: expected a JSON object"),
            ("{\"a\": 1,}\n", "trailing comma"),
        ] {
            let err = check_line("x", 1, line).unwrap_err().to_string();
            assert!(err.contains(part), "{line:?}: {err}");
        }
    }

    #[test]
    fn bodies_are_told_from_records() {
        let body = |text| looks_like_body(&crate::json::parse(text).unwrap());
        assert_eq!(body(r#"{"inputs":[["a"],[1]]}"#), Some(Kind::Request));
        assert_eq!(body(r#"{"outputs":[],"errors":[]}"#), Some(Kind::Response));
        assert_eq!(body(r#"{"id":1,"inputs":3}"#), None);
        assert_eq!(body(r#"{"outputs":[{"x":1}]}"#), None);
    }
}
