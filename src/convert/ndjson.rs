//! NDJSON / JSON Lines → body in two streaming passes over a file: the first collects the header
//! (every key in order of first appearance), the second writes one record per line. Only one line
//! is in memory at a time; standard input is spooled to a temp file first. Blank lines are skipped.
//!
//! Most lines are flat objects of scalars. Those take a fast path: [`scan_flat`] finds the byte
//! ranges of each key and value without building a value, and pass 2 copies the values' text
//! straight into the row. Anything else (nested values, escapes whose output text would differ,
//! duplicate keys, invalid JSON) goes through the full parser, which also produces every error.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::ops::Range;

use anyhow::Context;

use super::objects::{normalize_record, row_of, ShapeError};
use super::{located, BodyOut, Settings};
use crate::error::data_error;
use crate::json::ErrorKind;
use crate::legacy_body::{Json, Map};
use crate::source;

/// Raw rows are written in batches of about this many bytes.
const BATCH: usize = 64 * 1024;

/// Convert NDJSON; `open` gives a fresh reader (BOM skipped) for each pass.
pub fn ndjson_to_body(
    name: &str,
    open: impl Fn() -> anyhow::Result<Box<dyn BufRead>>,
    settings: &Settings,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let flatten = settings.flatten;
    let mut header = Header::default();
    let mut fields = Vec::new();
    let mut count = 0usize;
    each_line(name, open()?, |number, line| {
        count += 1;
        if scan_flat(line, &mut fields) && header.add_fields(line, &fields) {
            return Ok(());
        }
        let record = parse_record(name, number, line, flatten)?;
        for key in record.keys() {
            header.index_or_add(key.as_bytes());
        }
        Ok(())
    })?;
    if count == 0 {
        return Err(data_error(format!(
            "{name}: empty input: expected one JSON object per line"
        )));
    }
    let mut out = BodyOut::begin(w, settings.layout, settings.kind)?;
    out.header(&header.keys)?;
    if !out.raw_ok() {
        each_line(name, open()?, |number, line| {
            let record = parse_record(name, number, line, flatten)?;
            out.row(&row_of(&header.keys, record))?;
            Ok(())
        })?;
        out.finish()?;
        return Ok(());
    }
    let value_separator = out.value_separator();
    let row_separator = out.row_separator();
    let mut batch: Vec<u8> = Vec::with_capacity(BATCH + 4096);
    let mut rows = 0usize;
    // Per header column: the line (stamp) that last filled it and the value's range.
    let mut stamp = vec![0usize; header.keys.len()];
    let mut slot = vec![0..0; header.keys.len()];
    each_line(name, open()?, |number, line| {
        if scan_flat(line, &mut fields)
            && fill_slots(&header, line, &fields, number, &mut stamp, &mut slot)
        {
            if rows > 0 {
                batch.extend_from_slice(row_separator);
            }
            batch.push(b'[');
            for (i, (s, range)) in stamp.iter().zip(&slot).enumerate() {
                if i > 0 {
                    batch.extend_from_slice(value_separator);
                }
                if *s == number {
                    batch.extend_from_slice(&line[range.clone()]);
                } else {
                    batch.extend_from_slice(b"null");
                }
            }
            batch.push(b']');
            rows += 1;
            if batch.len() >= BATCH {
                out.raw_rows(&batch, rows)?;
                batch.clear();
                rows = 0;
            }
            return Ok(());
        }
        let record = parse_record(name, number, line, flatten)?;
        out.raw_rows(&batch, rows)?;
        batch.clear();
        rows = 0;
        out.row(&row_of(&header.keys, record))?;
        Ok(())
    })?;
    out.raw_rows(&batch, rows)?;
    out.finish()?;
    Ok(())
}

/// The header being collected: keys in order of first appearance, with an index by key bytes.
#[derive(Default)]
struct Header {
    keys: Vec<String>,
    index: HashMap<Vec<u8>, usize>,
    /// Per key: the last line (a running count) that used it, to find duplicate keys.
    seen: Vec<usize>,
    line: usize,
}

impl Header {
    /// The column of `key`, adding it at the end when new.
    fn index_or_add(&mut self, key: &[u8]) -> usize {
        if let Some(&i) = self.index.get(key) {
            return i;
        }
        let i = self.keys.len();
        self.keys.push(String::from_utf8_lossy(key).into_owned());
        self.index.insert(key.to_vec(), i);
        self.seen.push(0);
        i
    }

    /// The column of `key` when known; `guess` (the key's position in its line) is tried first.
    fn find(&self, key: &[u8], guess: usize) -> Option<usize> {
        match self.keys.get(guess) {
            Some(k) if k.as_bytes() == key => Some(guess),
            _ => self.index.get(key).copied(),
        }
    }

    /// Add a scanned line's keys; false when a key appears twice (the full parser reports it).
    fn add_fields(&mut self, line: &[u8], fields: &[Field]) -> bool {
        self.line += 1;
        for (n, field) in fields.iter().enumerate() {
            let key = &line[field.key.clone()];
            let i = match self.find(key, n) {
                Some(i) => i,
                None => self.index_or_add(key),
            };
            if self.seen[i] == self.line {
                return false;
            }
            self.seen[i] = self.line;
        }
        true
    }
}

/// Put a scanned line's values into their columns, stamped with the line `number`; false when a
/// key appears twice or is not in the header (the full parser then decides).
fn fill_slots(
    header: &Header,
    line: &[u8],
    fields: &[Field],
    number: usize,
    stamp: &mut [usize],
    slot: &mut [Range<usize>],
) -> bool {
    for (n, field) in fields.iter().enumerate() {
        let Some(i) = header.find(&line[field.key.clone()], n) else {
            return false;
        };
        if stamp[i] == number {
            return false;
        }
        stamp[i] = number;
        slot[i] = field.value.clone();
    }
    true
}

/// Call `each` with the number and bytes of every non-blank line, checked to be UTF-8.
fn each_line(
    name: &str,
    mut reader: Box<dyn BufRead>,
    mut each: impl FnMut(usize, &[u8]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut line = Vec::with_capacity(4096);
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
        if let Err(e) = std::str::from_utf8(&line) {
            let (_, col) = source::line_col(&line, e.valid_up_to());
            return Err(located(
                name,
                number,
                col,
                "invalid UTF-8 (hint: save the file as UTF-8)",
            ));
        }
        each(number, &line)?;
    }
}

/// Parse one line (valid UTF-8) as an object and normalize it into a record.
fn parse_record(
    name: &str,
    number: usize,
    line: &[u8],
    flatten: bool,
) -> anyhow::Result<Map<String, Json>> {
    let text = std::str::from_utf8(line).map_err(|e| {
        let (_, col) = source::line_col(line, e.valid_up_to());
        located(
            name,
            number,
            col,
            "invalid UTF-8 (hint: save the file as UTF-8)",
        )
    })?;
    let value = crate::json::dom::parse(text).map_err(|e| {
        let mut err = source::syntax_error(line, &e);
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
    normalize_record(object, flatten, "").map_err(|e| locate(name, number, line, e))
}

fn locate(name: &str, number: usize, line: &[u8], e: ShapeError) -> anyhow::Error {
    let offset = source::locate_pointer(line, &e.pointer).unwrap_or(0);
    let (_, col) = source::line_col(line, offset);
    located(name, number, col, &format!("{} {}", e.pointer, e.message))
}

/// One `"key": value` of a scanned line: the key's bytes (inside the quotes) and the value's text.
#[derive(Debug, Clone, PartialEq)]
struct Field {
    key: Range<usize>,
    value: Range<usize>,
}

/// Scan a line holding one flat object of scalars whose text is exactly what the writer would
/// print for them: keys without escapes, string values whose escapes are only `\"`, `\\`, `\n`,
/// `\r`, `\t`, `\b`, `\f`, numbers, `true`, `false` and `null`. Fills `fields` and returns true;
/// returns false for anything else (valid or not), which the full parser then handles.
/// Duplicate keys are not checked here.
fn scan_flat(line: &[u8], fields: &mut Vec<Field>) -> bool {
    fields.clear();
    scan_object(line, fields).is_some()
}

fn scan_object(line: &[u8], fields: &mut Vec<Field>) -> Option<()> {
    let mut p = skip_ws(line, 0);
    if line.get(p) != Some(&b'{') {
        return None;
    }
    p = skip_ws(line, p + 1);
    if line.get(p) == Some(&b'}') {
        return (skip_ws(line, p + 1) == line.len()).then_some(());
    }
    loop {
        if line.get(p) != Some(&b'"') {
            return None;
        }
        let key_start = p + 1;
        let mut q = key_start;
        loop {
            match *line.get(q)? {
                b'"' => break,
                b'\\' => return None,
                b if b < 0x20 => return None,
                _ => q += 1,
            }
        }
        p = skip_ws(line, q + 1);
        if line.get(p) != Some(&b':') {
            return None;
        }
        p = skip_ws(line, p + 1);
        let value_start = p;
        p = match *line.get(p)? {
            b'"' => scan_string(line, p + 1)?,
            b'-' | b'0'..=b'9' => scan_number(line, p)?,
            b't' => literal(line, p, b"true")?,
            b'f' => literal(line, p, b"false")?,
            b'n' => literal(line, p, b"null")?,
            _ => return None,
        };
        fields.push(Field {
            key: key_start..q,
            value: value_start..p,
        });
        p = skip_ws(line, p);
        match *line.get(p)? {
            b',' => p = skip_ws(line, p + 1),
            b'}' => return (skip_ws(line, p + 1) == line.len()).then_some(()),
            _ => return None,
        }
    }
}

#[inline]
fn skip_ws(line: &[u8], mut p: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = line.get(p) {
        p += 1;
    }
    p
}

/// The end (past the closing quote) of a string whose body starts at `p`.
#[inline]
fn scan_string(line: &[u8], mut p: usize) -> Option<usize> {
    loop {
        match *line.get(p)? {
            b'"' => return Some(p + 1),
            b'\\' => match *line.get(p + 1)? {
                b'"' | b'\\' | b'n' | b'r' | b't' | b'b' | b'f' => p += 2,
                _ => return None,
            },
            b if b < 0x20 => return None,
            _ => p += 1,
        }
    }
}

/// The end of a number starting at `p`, with the JSON grammar of [`crate::json`].
fn scan_number(line: &[u8], p: usize) -> Option<usize> {
    crate::json::scan_number(line, p).ok()
}

fn literal(line: &[u8], p: usize, word: &[u8]) -> Option<usize> {
    line[p..].starts_with(word).then_some(p + word.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(line: &str) -> Option<Vec<(String, String)>> {
        let mut fields = Vec::new();
        scan_flat(line.as_bytes(), &mut fields).then(|| {
            fields
                .iter()
                .map(|f| {
                    (
                        line[f.key.clone()].to_string(),
                        line[f.value.clone()].to_string(),
                    )
                })
                .collect()
        })
    }

    #[test]
    fn scanner_takes_flat_objects_of_scalars() {
        let got =
            scan(" {\"a\" : \"x\\n\\\"y\", \"b\":-1.5e+3,\"c\":true,\"d\":null,\"é\":\"ü\"}\r\n");
        let want = [
            ("a", "\"x\\n\\\"y\""),
            ("b", "-1.5e+3"),
            ("c", "true"),
            ("d", "null"),
            ("é", "\"ü\""),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, Some(want));
        assert_eq!(scan("{}\n"), Some(Vec::new()));
    }

    #[test]
    fn scanner_leaves_everything_else_to_the_parser() {
        for line in [
            "{\"a\": {\"b\": 1}}",
            "{\"a\": [1]}",
            "{\"a\\u0062\": 1}",
            "{\"a\": \"\\u00e9\"}",
            "{\"a\": \"\\/\"}",
            "{\"a\": 01}",
            "{\"a\": 1.}",
            "{\"a\": 1e}",
            "{\"a\": -}",
            "{\"a\": .5}",
            "{\"a\": 1,}",
            "{\"a\": 1} x",
            "{\"a\": 1}{}",
            "{\"a\" 1}",
            "{'a': 1}",
            "{\"a\": tru}",
            "{\"a\": truex}",
            "{\"a\": NaN}",
            "{\"a\": \"x\ty\"}",
            "{\"a\": \"x",
            "{\"a\": 1",
            "[1]",
            "\"x\"",
            "{,}",
        ] {
            assert_eq!(scan(line), None, "{line}");
        }
    }
}
