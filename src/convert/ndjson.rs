//! NDJSON / JSON Lines → body in two streaming passes over a file: the first collects the header
//! (every key in order of first appearance), the second writes one record per line. Standard
//! input is spooled to a temp file first; a large file is mapped and its pages given back as each
//! pass goes, so memory stays flat. Blank lines are skipped.
//!
//! Each line is checked by [`crate::json::Lexer`] (the one JSON syntax, its messages and its
//! duplicate-key rule) and goes through the same per-record code as the elements of a JSON array
//! ([`super::objects::Collect`] / [`super::objects::Emit`]), so both give byte-identical bodies.

use std::io::Write;

use super::objects::{At, Collect, Emit, Read, ShapeError};
use super::{located, Settings};
use crate::body::Kind;
use crate::error::data_error;
use crate::json::{ErrorKind, Lexer, ParseError};
use crate::source::{self, Source};

/// Give back the pages of a mapped input every this many bytes.
const RELEASE_EVERY: usize = 4 << 20;

/// Convert NDJSON held in `source`.
pub(crate) fn ndjson_to_body(
    source: &Source,
    settings: &Settings,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
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
        let (mut lexer, start) = object_line(name, number, line)?;
        let read = collect.read(&mut lexer, At::Root);
        let shape = finish_line(name, number, line, &mut lexer, read)?;
        if let Some(kind) = collect.body_kind().filter(|_| shape.is_ok()) {
            let col = column(line, start);
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
        shape.map_err(|e| locate(name, number, line, e))
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
        let (mut lexer, _) = object_line(name, number, line)?;
        let read = emit.read(&mut lexer, At::Root)?;
        finish_line(name, number, line, &mut lexer, read)?
            .map_err(|e| locate(name, number, line, e))
    })?;
    emit.finish()
}

/// Call `each` with the number and text of every non-blank line (its newline included),
/// checked to be UTF-8 a chunk of lines at a time, on every pass (no pass trusts an earlier
/// one's check: the bytes of a mapped file are read again); the pages of a mapped source are
/// given back as the walk goes. Lines are reported in order: an
/// invalid line comes after every line before it was handled.
fn each_line<'a>(
    source: &'a Source,
    mut each: impl FnMut(usize, &'a str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let bytes: &'a [u8] = &source.bytes;
    let mut start = 0;
    let mut number = 0usize;
    while start < bytes.len() {
        // A chunk of whole lines.
        let mut end = (start + RELEASE_EVERY).min(bytes.len());
        if end < bytes.len() {
            end = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |i| end + i + 1);
        }
        let chunk = &bytes[start..end];
        let valid = crate::text::utf8(chunk);
        let (text, bad) = match valid {
            Ok(text) => (text, None),
            Err(e) => (
                std::str::from_utf8(&chunk[..e.valid_up_to()]).unwrap_or_default(),
                Some(e.valid_up_to()),
            ),
        };
        let mut p = 0;
        while p < text.len() {
            // A line ends at LF, CRLF or a lone CR (one line-ending rule for every reader).
            let rest = &text.as_bytes()[p..];
            let line_end = match memchr::memchr2(b'\n', b'\r', rest) {
                Some(i) if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') => p + i + 2,
                Some(i) => p + i + 1,
                None if bad.is_none() => text.len(),
                None => break,
            };
            let line = &text[p..line_end];
            number += 1;
            if !line.bytes().all(|b| b.is_ascii_whitespace()) {
                each(number, line)?;
            }
            p = line_end;
        }
        if let Some(bad) = bad {
            // The line holding the invalid byte starts at `p`.
            let line = &chunk[p..];
            let (_, col) = source::line_col(line, bad - p);
            return Err(located(
                &source.name,
                number + 1,
                col,
                "invalid UTF-8 (hint: save the file as UTF-8)",
            ));
        }
        start = end;
        source.release_before(start);
    }
    Ok(())
}

/// A lexer at the object that `line` must hold, and its offset; a line that holds anything
/// else is an error (a syntax error first, when it has one).
fn object_line<'a>(name: &str, number: usize, line: &'a str) -> anyhow::Result<(Lexer<'a>, usize)> {
    let mut lexer = Lexer::new(line);
    lexer.skip_ws();
    let start = lexer.pos;
    if lexer.peek() == Some(b'{') {
        return Ok((lexer, start));
    }
    let checked = lexer.skip_value().and_then(|()| lexer.end());
    checked.map_err(|e| syntax(name, number, line, &e))?;
    Err(located(
        name,
        number,
        column(line, start),
        "expected a JSON object (one record per line)",
    ))
}

/// After a line's object was read: nothing but whitespace may follow it. Syntax errors come
/// before a record that does not fit.
fn finish_line(
    name: &str,
    number: usize,
    line: &str,
    lexer: &mut Lexer,
    read: Read,
) -> anyhow::Result<Result<(), ShapeError>> {
    let shape = read.map_err(|e| syntax(name, number, line, &e))?;
    lexer.end().map_err(|e| syntax(name, number, line, &e))?;
    Ok(shape)
}

/// A syntax error in a line, with the usual hints.
fn syntax(name: &str, number: usize, line: &str, e: &ParseError) -> anyhow::Error {
    let mut err = source::syntax_error(line.as_bytes(), e);
    if e.kind == ErrorKind::TrailingCharacters {
        err.hint = Some("each NDJSON line holds exactly one JSON object".to_string());
    }
    // The line ends before its object does: point just after its last character (not at the
    // start of the next line), and say why.
    let content = line.trim_end_matches(['\n', '\r']);
    if e.offset >= content.len() {
        err.col = column(line, content.len());
        err.hint = Some(
            "the object is not complete at the end of the line: NDJSON needs one complete JSON object per line (a pretty-printed document is --from json)"
                .to_string(),
        );
    }
    let hint = err
        .hint
        .map(|h| format!(" (hint: {h})"))
        .unwrap_or_default();
    located(name, number, err.col, &format!("{}{hint}", err.message))
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

    fn check(line: &str) -> anyhow::Result<()> {
        let (mut lexer, _) = object_line("x", 1, line)?;
        let read = Collect::new(false).read(&mut lexer, At::Root);
        finish_line("x", 1, line, &mut lexer, read)?.map_err(|e| locate("x", 1, line, e))
    }

    #[test]
    fn a_line_is_one_checked_object() {
        assert!(check(" {\"a\": 1, \"b\": [[\"x\"]]}\r\n").is_ok());
        for (line, part) in [
            ("{\"a\": 1, \"a\": 2}\n", "x:1:10: duplicate key"),
            (
                "{\"a\": 1} x\n",
                "each NDJSON line holds exactly one JSON object",
            ),
            ("  [1]\n", "x:1:3: expected a JSON object"),
            ("{\"a\": 1,}\n", "trailing comma"),
            // A syntax error later on the line comes before a value that does not fit.
            (
                "{\"a\": {\"b\": 1}, \"c\": tru}\n",
                "x:1:22: unexpected character",
            ),
            ("{\"a\": {\"b\": 1}} x\n", "exactly one JSON object"),
            ("{\"a\": {\"b\": 1}}\n", "x:1:7: /a is an object"),
            (
                "{\"a\": [1,\r\n",
                "x:1:10: unexpected end of input (hint: the object is not complete",
            ),
            (
                "{\"a\": \"x",
                "x:1:9: unexpected end of input (hint: the object is not complete",
            ),
        ] {
            let err = check(line).unwrap_err().to_string();
            assert!(err.contains(part), "{line:?}: {err}");
        }
    }

    #[test]
    fn bodies_are_told_from_records() {
        let body = |line: &str| {
            let mut collect = Collect::new(false);
            let (mut lexer, _) = object_line("x", 1, line).unwrap();
            collect.read(&mut lexer, At::Root).unwrap().unwrap();
            collect.body_kind()
        };
        assert_eq!(body(r#"{"inputs":[["a"],[1]]}"#), Some(Kind::Request));
        assert_eq!(body(r#"{"outputs":[],"errors":[]}"#), Some(Kind::Response));
        assert_eq!(body(r#"{"id":1,"inputs":3}"#), None);
        assert_eq!(body(r#"{"outputs":[{"x":1}]}"#), None);
    }
}
