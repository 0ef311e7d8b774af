//! NDJSON / JSON Lines → body in two streaming passes over a file: the first collects the header
//! (every key in order of first appearance), the second writes one record per line. Only one line
//! is in memory at a time; standard input is spooled to a temp file first. Blank lines are skipped.

use std::io::{BufRead, Write};

use anyhow::Context;

use super::objects::{normalize_record, row_of, KeyOrder, ShapeError};
use super::{located, BodyOut, Settings};
use crate::body::{Json, Map};
use crate::error::data_error;
use crate::json::ErrorKind;
use crate::source;

/// Convert NDJSON; `open` gives a fresh reader (BOM skipped) for each pass.
pub fn ndjson_to_body(
    name: &str,
    open: impl Fn() -> anyhow::Result<Box<dyn BufRead>>,
    settings: &Settings,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut keys = KeyOrder::default();
    let mut count = 0usize;
    each_record(name, open()?, settings.flatten, |record| {
        keys.add(&record);
        count += 1;
        Ok(())
    })?;
    if count == 0 {
        return Err(data_error(format!(
            "{name}: empty input: expected one JSON object per line"
        )));
    }
    let mut out = BodyOut::begin(w, settings.layout, settings.kind)?;
    out.header(&keys.keys)?;
    each_record(name, open()?, settings.flatten, |record| {
        out.row(&row_of(&keys.keys, record))?;
        Ok(())
    })?;
    out.finish()?;
    Ok(())
}

/// Parse every non-blank line as one object and hand over its normalized record.
fn each_record(
    name: &str,
    mut reader: Box<dyn BufRead>,
    flatten: bool,
    mut each: impl FnMut(Map<String, Json>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut line = Vec::new();
    let mut number = 0usize;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read {name}"))?;
        if n == 0 {
            return Ok(());
        }
        number += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let text = std::str::from_utf8(&line).map_err(|e| {
            let (_, col) = source::line_col(&line, e.valid_up_to());
            located(
                name,
                number,
                col,
                "invalid UTF-8 (hint: save the file as UTF-8)",
            )
        })?;
        let value = crate::json::parse(text).map_err(|e| {
            let mut err = source::syntax_error(&line, &e);
            if e.kind == ErrorKind::TrailingCharacters {
                err.hint = Some("each NDJSON line holds exactly one JSON object".to_string());
            }
            let hint = err
                .hint
                .map(|h| format!(" (hint: {h})"))
                .unwrap_or_default();
            located(name, number, err.col, &format!("{}{hint}", err.message))
        })?;
        let Json::Object(object) = &value else {
            return Err(located(
                name,
                number,
                1 + line.iter().take_while(|b| b.is_ascii_whitespace()).count(),
                "expected a JSON object (one record per line)",
            ));
        };
        let record =
            normalize_record(object, flatten, "").map_err(|e| locate(name, number, &line, e))?;
        each(record)?;
    }
}

fn locate(name: &str, number: usize, line: &[u8], e: ShapeError) -> anyhow::Error {
    let offset = source::locate_pointer(line, &e.pointer).unwrap_or(0);
    let (_, col) = source::line_col(line, offset);
    located(name, number, col, &format!("{} {}", e.pointer, e.message))
}
