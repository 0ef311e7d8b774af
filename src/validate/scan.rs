//! The fast path: one pass over the JSON text that checks its syntax and every XConnector rule
//! without building the document in memory. Problems carry the byte offset of the offending value
//! (so line:column costs nothing extra) and a JSON pointer; column names come from the headers.
//!
//! Alongside, the scan builds the document's *envelope* for the JSON Schema pass: the top level,
//! headers, `warnings` / `errors` / `process_time` entries and unknown keys as they are, with each
//! record replaced by an empty placeholder of its type. Records are what make a body big, and
//! their contents are exactly what the rules here check more precisely than a schema can.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::diag::{Diagnostic, Severity};
use crate::json::{self, ErrorKind, ParseError, MAX_DEPTH};
use crate::legacy_body::{Json, Kind, Map, Number, ERROR_FIELDS, WARNING_FIELDS};
use crate::source::{pointer_escape, JsonSyntaxError};

use super::rules;

/// Most problems recorded per document; the rest are counted and summarized by `XC002`.
pub const MAX_REPORTED: usize = 1000;

/// A problem and the byte offset of the value it is about.
#[derive(Debug, Clone)]
pub struct Found {
    pub offset: usize,
    pub diagnostic: Diagnostic,
}

/// What one pass found.
pub struct Scanned {
    /// The document is not JSON; nothing else was checked.
    pub syntax: Option<JsonSyntaxError>,
    pub kind: Option<Kind>,
    /// Number of records in `inputs` / `outputs` (when it is an array).
    pub records: Option<usize>,
    pub found: Vec<Found>,
    /// The envelope for the schema pass (`None` when the body's kind is unknown).
    pub envelope: Option<Json>,
}

/// Check `bytes`. `kind` forces request/response; `against` is the input-record count of the
/// request a response answers (rule `XC130`).
pub fn scan(bytes: &[u8], kind: Option<Kind>, against: Option<(&str, usize)>) -> Scanned {
    let failed = |syntax| Scanned {
        syntax: Some(syntax),
        kind,
        records: None,
        found: Vec::new(),
        envelope: None,
    };
    if crate::source::wide_encoding(bytes).is_some() {
        if let Err(e) = crate::source::parse_json(bytes) {
            return failed(e);
        }
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text)
            if !text
                .trim_matches(|c: char| c.is_ascii_whitespace())
                .is_empty() =>
        {
            text
        }
        // Invalid UTF-8 and empty input fail before anything is built: the parser says how.
        _ => {
            return failed(
                crate::source::parse_json(bytes)
                    .err()
                    .unwrap_or(JsonSyntaxError {
                        line: 1,
                        col: 1,
                        message: "not a JSON document".to_string(),
                        hint: None,
                    }),
            )
        }
    };
    let mut scanner = Scanner {
        b: bytes,
        text,
        pos: 0,
        depth: 0,
        path: Vec::new(),
        found: Vec::new(),
        suppressed: 0,
        pool: Vec::new(),
    };
    match scanner.document(kind, against) {
        Ok(mut scanned) => {
            if scanner.suppressed > 0 {
                scanner.found.push(Found {
                    offset: 0,
                    diagnostic: Diagnostic::new(
                        rules::TOO_MANY,
                        Severity::Warning,
                        "",
                        format!(
                            "{} more problems not listed (only the first {MAX_REPORTED} are)",
                            scanner.suppressed
                        ),
                    ),
                });
            }
            scanned.found = scanner.found;
            scanned
        }
        Err(e) => failed(crate::source::syntax_error(bytes, &e)),
    }
}

type R<T> = Result<T, ParseError>;

/// One step of the path to the value being checked.
#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    /// An object key (raw, with its quotes).
    Key(&'a [u8]),
    Index(usize),
    /// A value in a record: its index and its column's name (raw), when the header has one.
    Cell(usize, Option<&'a [u8]>),
}

struct Scanner<'a> {
    b: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
    path: Vec<Seg<'a>>,
    found: Vec<Found>,
    suppressed: usize,
    /// Header vectors for reuse, so nested tables do not allocate one each.
    pool: Vec<Vec<&'a [u8]>>,
}

/// How a top-level member's value turned out.
enum Shape {
    Records {
        records: Option<usize>,
    },
    Entries {
        count: Option<usize>,
        non_null: usize,
    },
    Other,
}

/// A top-level member: its key, where key and value start, and the problems found inside.
struct Member<'a> {
    key: String,
    raw: &'a [u8],
    key_offset: usize,
    value_offset: usize,
    shape: Shape,
    found: std::ops::Range<usize>,
}

/// A key's text: `"a\"b"` → `a"b`; a non-string (a bad header entry) is its JSON text.
fn key_text(raw: &[u8]) -> Cow<'_, str> {
    if raw.len() >= 2 && raw[0] == b'"' {
        if !raw.contains(&b'\\') {
            return String::from_utf8_lossy(&raw[1..raw.len() - 1]);
        }
        if let Ok(s) = serde_json::from_slice::<String>(raw) {
            return Cow::Owned(s);
        }
    }
    String::from_utf8_lossy(raw)
}

fn type_name(first: Option<u8>) -> &'static str {
    match first {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

impl<'a> Scanner<'a> {
    // ---- reporting -------------------------------------------------------------------------

    fn pointer(&self) -> String {
        let mut pointer = String::new();
        for seg in &self.path {
            pointer.push('/');
            match seg {
                Seg::Key(raw) => pointer.push_str(&pointer_escape(&key_text(raw))),
                Seg::Index(i) | Seg::Cell(i, _) => pointer.push_str(&i.to_string()),
            }
        }
        pointer
    }

    /// Column names along the path, outermost first, joined with `.` (`Students.Grade`).
    fn column(&self) -> Option<String> {
        let names: Vec<Cow<str>> = self
            .path
            .iter()
            .filter_map(|seg| match seg {
                Seg::Cell(_, Some(raw)) => Some(key_text(raw)),
                _ => None,
            })
            .collect();
        (!names.is_empty()).then(|| names.join("."))
    }

    /// Record a problem about the value at the current path, which starts at `offset`.
    fn report(&mut self, rule: &'static str, offset: usize, message: String) {
        if self.found.len() >= MAX_REPORTED {
            self.suppressed += 1;
            return;
        }
        let severity = rules::find(rule).map_or(Severity::Error, |r| r.severity);
        let mut diagnostic = Diagnostic::new(rule, severity, self.pointer(), message);
        diagnostic.column = self.column();
        self.found.push(Found { offset, diagnostic });
    }

    /// Report about a child of the current path.
    fn report_child(&mut self, seg: Seg<'a>, rule: &'static str, offset: usize, message: String) {
        self.path.push(seg);
        self.report(rule, offset, message);
        self.path.pop();
    }

    fn set_last(&mut self, seg: Seg<'a>) {
        if let Some(last) = self.path.last_mut() {
            *last = seg;
        }
    }

    // ---- syntax ----------------------------------------------------------------------------

    fn err(&self, kind: ErrorKind) -> ParseError {
        ParseError {
            offset: self.pos,
            kind,
        }
    }

    fn unexpected(&self) -> ParseError {
        match self.text.get(self.pos..).and_then(|t| t.chars().next()) {
            Some(c) => self.err(ErrorKind::Unexpected(c)),
            None => self.err(ErrorKind::UnexpectedEnd),
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// At `[` or `{`: enter it. `Ok(false)` when it is empty (and already closed).
    fn open(&mut self, close: u8) -> R<bool> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(ErrorKind::TooDeep));
        }
        self.pos += 1;
        self.ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            self.depth -= 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// After an element: `Ok(true)` at the next element, `Ok(false)` when the container closed.
    fn next(&mut self, close: u8) -> R<bool> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                let comma = self.pos;
                self.pos += 1;
                self.ws();
                if self.peek() == Some(close) {
                    return Err(ParseError {
                        offset: comma,
                        kind: ErrorKind::TrailingComma,
                    });
                }
                Ok(true)
            }
            Some(c) if c == close => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            None => Err(self.err(ErrorKind::UnexpectedEnd)),
            Some(_) => Err(self.err(ErrorKind::ExpectedCommaOrEnd(close))),
        }
    }

    /// An object key and its colon; returns the raw key (with quotes).
    fn member_key(&mut self) -> R<&'a [u8]> {
        match self.peek() {
            Some(b'"') => {}
            None => return Err(self.err(ErrorKind::UnexpectedEnd)),
            Some(_) => return Err(self.err(ErrorKind::KeyMustBeString)),
        }
        let raw = self.string()?;
        self.ws();
        match self.peek() {
            Some(b':') => self.pos += 1,
            None => return Err(self.err(ErrorKind::UnexpectedEnd)),
            Some(_) => return Err(self.err(ErrorKind::ExpectedColon)),
        }
        self.ws();
        Ok(raw)
    }

    /// Report a key that repeats an earlier key of the same object (`XC003`): JSON readers
    /// disagree on which value wins, so the body means different things to different tools.
    fn check_unique(&mut self, seen: &mut HashSet<Cow<'a, str>>, raw: &'a [u8], offset: usize) {
        let text = key_text(raw);
        if seen.contains(&text) {
            self.report_child(
                Seg::Key(raw),
                rules::DUPLICATE_MEMBER,
                offset,
                format!(
                    "key {:?} appears twice in one object (JSON readers disagree on which value counts)",
                    text
                ),
            );
        } else {
            seen.insert(text);
        }
    }

    /// Any value, checked for syntax only.
    fn skip_value(&mut self) -> R<()> {
        match self.peek() {
            Some(b'[') => {
                if self.open(b']')? {
                    loop {
                        self.skip_value()?;
                        if !self.next(b']')? {
                            break;
                        }
                    }
                }
                Ok(())
            }
            Some(b'{') => {
                if self.open(b'}')? {
                    let mut seen = HashSet::new();
                    loop {
                        let key_offset = self.pos;
                        let raw = self.member_key()?;
                        self.check_unique(&mut seen, raw, key_offset);
                        self.skip_value()?;
                        if !self.next(b'}')? {
                            break;
                        }
                    }
                }
                Ok(())
            }
            _ => self.scalar(),
        }
    }

    /// Skip a value and say what type it was (`an object`, `a string`…).
    fn skip_typed(&mut self) -> R<&'static str> {
        let name = type_name(self.peek());
        self.skip_value()?;
        Ok(name)
    }

    /// Skip a value and build it (for the envelope; only small parts of a body go through here).
    fn materialize(&mut self) -> R<Json> {
        let start = self.pos;
        self.skip_value()?;
        Ok(json::dom::parse(&self.text[start..self.pos]).unwrap_or(Json::Null))
    }

    fn scalar(&mut self) -> R<()> {
        match self.peek() {
            None => Err(self.err(ErrorKind::UnexpectedEnd)),
            Some(b'"') => self.string().map(|_| ()),
            Some(b'-' | b'0'..=b'9') => self.number().map(|_| ()),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(_) => Err(self.unexpected()),
        }
    }

    fn literal(&mut self, word: &[u8]) -> R<()> {
        if self.b[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    /// A number; returns its literal text.
    fn number(&mut self) -> R<&'a str> {
        let start = self.pos;
        self.pos = crate::json::scan_number(self.b, start)?;
        Ok(&self.text[start..self.pos])
    }

    /// A string starting at its quote; returns it raw, quotes included.
    fn string(&mut self) -> R<&'a [u8]> {
        let start = self.pos;
        self.pos += 1;
        loop {
            while let Some(&b) = self.b.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            match self.peek() {
                None => return Err(self.err(ErrorKind::UnexpectedEnd)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(&self.b[start..self.pos]);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        None => return Err(self.err(ErrorKind::UnexpectedEnd)),
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1
                        }
                        Some(b'u') => {
                            self.pos += 1;
                            self.unicode_escape()?;
                        }
                        Some(_) => return Err(self.err(ErrorKind::InvalidEscape)),
                    }
                }
                Some(_) => return Err(self.err(ErrorKind::ControlCharacterInString)),
            }
        }
    }

    /// Four hex digits after `\u` (the position is just past the `u`), with surrogate pairs;
    /// the same checks and error positions as the parser.
    fn unicode_escape(&mut self) -> R<()> {
        let escape_start = self.pos - 2;
        let bad = ParseError {
            offset: escape_start,
            kind: ErrorKind::InvalidUnicodeEscape,
        };
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.b[self.pos..].starts_with(b"\\u") {
                return Err(bad);
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(bad);
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).map(|_| ()).ok_or(bad)
    }

    fn hex4(&mut self) -> R<u32> {
        let digits = self
            .b
            .get(self.pos..self.pos + 4)
            .ok_or(self.err(ErrorKind::UnexpectedEnd))?;
        let mut value = 0u32;
        for &d in digits {
            let v = (d as char)
                .to_digit(16)
                .ok_or(self.err(ErrorKind::InvalidUnicodeEscape))?;
            value = value * 16 + v;
        }
        self.pos += 4;
        Ok(value)
    }

    // ---- the body --------------------------------------------------------------------------

    fn document(&mut self, forced: Option<Kind>, against: Option<(&str, usize)>) -> R<Scanned> {
        self.ws();
        let start = self.pos;
        let mut scanned = Scanned {
            syntax: None,
            kind: forced,
            records: None,
            found: Vec::new(),
            envelope: None,
        };
        if self.peek() != Some(b'{') {
            let what = self.skip_typed()?;
            self.end()?;
            self.report(
                rules::NOT_A_BODY,
                start,
                format!(
                    "not an XConnector body: the top level is {what}; expected an object with \
                     `inputs` (request) or `outputs` (response)"
                ),
            );
            return Ok(scanned);
        }
        let mut members: Vec<Member<'a>> = Vec::new();
        let mut envelope = Map::new();
        if self.open(b'}')? {
            let mut seen = HashSet::new();
            loop {
                let key_offset = self.pos;
                let raw = self.member_key()?;
                self.check_unique(&mut seen, raw, key_offset);
                let key = key_text(raw).into_owned();
                let value_offset = self.pos;
                let first = self.found.len();
                self.path.push(Seg::Key(raw));
                let (shape, value) = match key.as_str() {
                    "inputs" | "outputs" => {
                        let (records, value) = self.records_table(&key)?;
                        (Shape::Records { records }, value)
                    }
                    "warnings" | "errors" => {
                        let (count, non_null, value) = self.entries(&key)?;
                        (Shape::Entries { count, non_null }, value)
                    }
                    "process_time" => {
                        let (count, value) = self.times()?;
                        (Shape::Entries { count, non_null: 0 }, value)
                    }
                    _ => (Shape::Other, self.materialize()?),
                };
                self.path.pop();
                envelope.insert(key.clone(), value);
                members.push(Member {
                    key,
                    raw,
                    key_offset,
                    value_offset,
                    shape,
                    found: first..self.found.len(),
                });
                if !self.next(b'}')? {
                    break;
                }
            }
        }
        self.end()?;
        let envelope = Json::Object(envelope);

        let member = |name: &str| members.iter().rev().find(|m| m.key == name);
        let kind = forced.or(if member("outputs").is_some() {
            Some(Kind::Response)
        } else if member("inputs").is_some() {
            Some(Kind::Request)
        } else {
            None
        });
        scanned.kind = kind;
        let Some(kind) = kind else {
            self.found.clear();
            self.report(
                rules::NOT_A_BODY,
                start,
                "not an XConnector body: expected `inputs` (request) or `outputs` (response)"
                    .to_string(),
            );
            return Ok(scanned);
        };
        let known: &[&str] = match kind {
            Kind::Request => &["inputs"],
            Kind::Response => &["outputs", "warnings", "errors", "process_time"],
        };
        let is_known = |m: &Member| known.contains(&m.key.as_str());

        // Problems inside unknown keys are not problems: drop them, warn about the key.
        let mut drop = vec![false; self.found.len()];
        for m in members.iter().filter(|m| !is_known(m)) {
            for d in drop.get_mut(m.found.clone()).unwrap_or_default() {
                *d = true;
            }
        }
        let mut flags = drop.into_iter();
        self.found.retain(|_| !flags.next().unwrap_or(false));
        let listed = known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        for m in members.iter().filter(|m| !is_known(m)) {
            self.report_child(
                Seg::Key(m.raw),
                rules::UNKNOWN_KEY,
                m.key_offset,
                format!(
                    "unknown top-level key `{}`: a {} has only {listed}",
                    m.key,
                    kind.name()
                ),
            );
        }

        let records_key = kind.records_key();
        let records_member = member(records_key);
        let records = match records_member {
            None => {
                self.report(
                    rules::RECORDS_NOT_ARRAY,
                    start,
                    format!(
                        "a {} needs `{records_key}`: an array whose first row is the header",
                        kind.name()
                    ),
                );
                None
            }
            Some(Member {
                shape: Shape::Records { records },
                ..
            }) => *records,
            Some(_) => None,
        };
        scanned.records = records;

        let mut failure_response = false;
        if kind == Kind::Response {
            let n = records.unwrap_or(0);
            for name in ["warnings", "errors", "process_time"] {
                let Some(m) = member(name) else {
                    self.report(
                        rules::RESPONSE_KEY,
                        start,
                        format!(
                            "a response needs `{name}`: one entry per output record ({})",
                            if name == "process_time" {
                                "milliseconds"
                            } else {
                                "null, or a list"
                            }
                        ),
                    );
                    continue;
                };
                let Shape::Entries { count, non_null } = m.shape else {
                    continue;
                };
                if name == "errors" && n == 0 && non_null > 0 {
                    failure_response = true;
                }
                let (Some(count), Some(_)) = (count, records) else {
                    continue;
                };
                let message = if n > 0 && count != n {
                    format!(
                        "`{name}` has {count} entr{} but `outputs` has {n} record{}: give one \
                         entry per record",
                        if count == 1 { "y" } else { "ies" },
                        if n == 1 { "" } else { "s" }
                    )
                } else if n == 0 && count > 1 {
                    format!(
                        "`{name}` has {count} entries but `outputs` has no records: a response \
                         without records carries at most one request-level entry"
                    )
                } else {
                    continue;
                };
                self.report_child(Seg::Key(m.raw), rules::LENGTHS, m.value_offset, message);
            }
            if let (Some(n), Some((request, m)), Some(outputs)) = (records, against, records_member)
            {
                if n != m {
                    self.report_child(
                        Seg::Key(outputs.raw),
                        rules::AGAINST,
                        outputs.value_offset,
                        format!(
                            "`outputs` has {n} record{} but the request {request} has {m} input \
                             record{}",
                            if n == 1 { "" } else { "s" },
                            if m == 1 { "" } else { "s" }
                        ),
                    );
                }
            }
        }
        if let (Some(0), Some(m), false) = (records, records_member, failure_response) {
            self.report_child(
                Seg::Key(m.raw),
                rules::NO_RECORDS,
                m.value_offset,
                format!("the {} has no records", kind.name()),
            );
        }
        scanned.envelope = Some(envelope);
        Ok(scanned)
    }

    /// After the document: only whitespace may follow.
    fn end(&mut self) -> R<()> {
        self.ws();
        if self.pos < self.b.len() {
            return Err(self.err(ErrorKind::TrailingCharacters));
        }
        Ok(())
    }

    /// `inputs` / `outputs`: returns the record count (when it is an array) and its envelope.
    fn records_table(&mut self, key: &str) -> R<(Option<usize>, Json)> {
        let start = self.pos;
        if self.peek() != Some(b'[') {
            let what = type_name(self.peek());
            let value = self.materialize()?;
            self.report(
                rules::RECORDS_NOT_ARRAY,
                start,
                format!(
                    "`{key}` is {what}; it must be an array of rows: the header, then one array \
                     of values per record"
                ),
            );
            return Ok((None, value));
        }
        let mut envelope = Vec::new();
        if !self.open(b']')? {
            return Ok((Some(0), Json::Array(envelope)));
        }
        let mut header = self.pool.pop().unwrap_or_default();
        header.clear();
        let mut has_header = false;
        let mut first_object: Option<Json> = None;
        let first = self.pos;
        self.path.push(Seg::Index(0));
        match self.peek() {
            Some(b'[') => {
                self.header(&mut header)?;
                // An empty header was reported; widths against it would only add noise.
                has_header = !header.is_empty();
                envelope.push(json::dom::parse(&self.text[first..self.pos]).unwrap_or(Json::Null));
            }
            Some(b'{') => {
                first_object = Some(self.materialize()?);
                envelope.push(Json::Object(Map::new()));
            }
            _ => {
                let what = type_name(self.peek());
                envelope.push(self.materialize()?);
                self.report(
                    rules::BAD_HEADER,
                    first,
                    format!(
                        "the first row of `{key}` must be the header (an array of column names), \
                         not {what}"
                    ),
                );
            }
        }
        let mut count = 0usize;
        while self.next(b']')? {
            count += 1;
            self.set_last(Seg::Index(count));
            let row = self.pos;
            match self.peek() {
                Some(b'[') => {
                    self.record(has_header.then_some(header.as_slice()))?;
                    envelope.push(Json::Array(Vec::new()));
                }
                Some(b'{') => {
                    self.skip_value()?;
                    envelope.push(Json::Object(Map::new()));
                    if first_object.is_none() {
                        self.report(
                            rules::RECORD_NOT_ARRAY,
                            row,
                            "a record is an object; records are arrays of values in header order \
                             (only the JSON-array format is supported)"
                                .to_string(),
                        );
                    }
                }
                _ => {
                    let what = type_name(self.peek());
                    envelope.push(self.materialize()?);
                    self.report(
                        rules::RECORD_NOT_ARRAY,
                        row,
                        format!("a record must be an array of values, not {what}"),
                    );
                }
            }
        }
        self.path.pop();
        self.pool.push(header);
        if let Some(object) = first_object {
            let records = count + 1;
            self.report(
                rules::OBJECT_RECORDS,
                start,
                format!(
                    "`{key}` is an array of objects ({records} record{}); XConnector takes the \
                     JSON-array format: a header row, then one array per record, e.g. {}",
                    if records == 1 { "" } else { "s" },
                    array_form(&object)
                ),
            );
            return Ok((Some(records), Json::Array(envelope)));
        }
        Ok((Some(count), Json::Array(envelope)))
    }

    /// A header row at `[`: column names must be non-empty, unique, non-empty strings.
    fn header(&mut self, keys: &mut Vec<&'a [u8]>) -> R<()> {
        let start = self.pos;
        if !self.open(b']')? {
            self.report(
                rules::BAD_HEADER,
                start,
                "the header row is empty: list the column names".to_string(),
            );
            return Ok(());
        }
        let mut index: Option<HashMap<Cow<'a, str>, usize>> = None;
        self.path.push(Seg::Index(0));
        loop {
            let i = keys.len();
            self.set_last(Seg::Index(i));
            let at = self.pos;
            if self.peek() == Some(b'"') {
                let raw = self.string()?;
                if raw.len() == 2 {
                    self.report(
                        rules::BAD_KEY,
                        at,
                        format!("column {} has an empty name", i + 1),
                    );
                } else if let Some(j) = find_key(keys, raw, &mut index) {
                    self.report(
                        rules::DUPLICATE_KEY,
                        at,
                        format!(
                            "duplicate column name \"{}\" (also column {})",
                            key_text(raw),
                            j + 1
                        ),
                    );
                }
                keys.push(raw);
                if let Some(map) = &mut index {
                    map.entry(key_text(raw)).or_insert(i);
                }
            } else {
                let what = self.skip_typed()?;
                self.report(
                    rules::BAD_KEY,
                    at,
                    format!("column name {} is {what}, not a string", i + 1),
                );
                keys.push(&self.b[at..self.pos]);
            }
            if !self.next(b']')? {
                break;
            }
        }
        self.path.pop();
        Ok(())
    }

    /// A record at `[`: each value checked; as many values as the header has columns.
    fn record(&mut self, header: Option<&[&'a [u8]]>) -> R<()> {
        let start = self.pos;
        let mut count = 0usize;
        if self.open(b']')? {
            self.path.push(Seg::Cell(0, None));
            loop {
                let name = header.and_then(|h| h.get(count).copied());
                self.set_last(Seg::Cell(count, name));
                self.cell()?;
                count += 1;
                if !self.next(b']')? {
                    break;
                }
            }
            self.path.pop();
        }
        if let Some(header) = header {
            if count != header.len() {
                let names: Vec<Cow<str>> = header.iter().map(|k| key_text(k)).collect();
                let mut shown = names.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
                if names.len() > 8 {
                    shown.push_str(", …");
                }
                self.report(
                    rules::WIDTH,
                    start,
                    format!(
                        "record has {count} value{} but the header has {} column{} ({shown})",
                        if count == 1 { "" } else { "s" },
                        header.len(),
                        if header.len() == 1 { "" } else { "s" },
                    ),
                );
            }
        }
        Ok(())
    }

    /// One value of a record: a scalar or a nested table.
    fn cell(&mut self) -> R<()> {
        let start = self.pos;
        match self.peek() {
            Some(b'{') => {
                self.skip_value()?;
                self.report(
                    rules::OBJECT_VALUE,
                    start,
                    "a value is an object; only the JSON-array format is supported: use a nested \
                     table [[\"key\", …], [value, …]] instead"
                        .to_string(),
                );
                Ok(())
            }
            Some(b'[') => {
                let mut p = self.pos + 1;
                while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(p) {
                    p += 1;
                }
                match self.b.get(p) {
                    Some(b'[') => self.table(),
                    Some(b']') => {
                        self.skip_value()?;
                        self.report(
                            rules::NOT_A_TABLE,
                            start,
                            "an empty array is not a table: a nested table needs a header row \
                             ([[\"key\", …], [value, …]])"
                                .to_string(),
                        );
                        Ok(())
                    }
                    first => {
                        let what = type_name(first.copied());
                        self.skip_value()?;
                        self.report(
                            rules::NOT_A_TABLE,
                            start,
                            format!(
                                "an array value must be a nested table whose first row is its \
                                 header ([[\"key\", …], [value, …]]); this one starts with {what}"
                            ),
                        );
                        Ok(())
                    }
                }
            }
            _ => self.scalar(),
        }
    }

    /// A nested table at `[` whose first element is `[`: header, then rows of its width.
    fn table(&mut self) -> R<()> {
        self.open(b']')?;
        let mut header = self.pool.pop().unwrap_or_default();
        header.clear();
        self.path.push(Seg::Index(0));
        self.header(&mut header)?;
        let mut row = 0usize;
        while self.next(b']')? {
            row += 1;
            self.set_last(Seg::Index(row));
            let at = self.pos;
            if self.peek() == Some(b'[') {
                self.record((!header.is_empty()).then_some(header.as_slice()))?;
            } else {
                let what = self.skip_typed()?;
                self.report(
                    rules::RECORD_NOT_ARRAY,
                    at,
                    format!("a row of a nested table must be an array of values, not {what}"),
                );
            }
        }
        self.path.pop();
        self.pool.push(header);
        Ok(())
    }

    /// `warnings` / `errors`: per record `null` or an array of message objects. Returns the
    /// entry count (when an array), how many entries are not `null`, and the envelope.
    fn entries(&mut self, key: &str) -> R<(Option<usize>, usize, Json)> {
        let start = self.pos;
        let errors = key == "errors";
        if self.peek() != Some(b'[') {
            let what = type_name(self.peek());
            let value = self.materialize()?;
            self.report(
                rules::RESPONSE_KEY,
                start,
                format!("`{key}` is {what}; it must be an array with one entry per output record"),
            );
            return Ok((None, 0, value));
        }
        let mut envelope = Vec::new();
        let mut non_null = 0;
        if self.open(b']')? {
            self.path.push(Seg::Index(0));
            loop {
                self.set_last(Seg::Index(envelope.len()));
                let at = self.pos;
                match self.peek() {
                    Some(b'n') => {
                        self.literal(b"null")?;
                        envelope.push(Json::Null);
                    }
                    Some(b'[') => {
                        non_null += 1;
                        self.message_list(errors)?;
                        envelope
                            .push(json::dom::parse(&self.text[at..self.pos]).unwrap_or(Json::Null));
                    }
                    _ => {
                        non_null += 1;
                        let what = type_name(self.peek());
                        envelope.push(self.materialize()?);
                        self.report(
                            rules::BAD_ENTRY,
                            at,
                            format!(
                                "a `{key}` entry must be null or an array of {} objects, not {what}",
                                if errors { "error" } else { "warning" }
                            ),
                        );
                    }
                }
                if !self.next(b']')? {
                    break;
                }
            }
            self.path.pop();
        }
        Ok((Some(envelope.len()), non_null, Json::Array(envelope)))
    }

    fn message_list(&mut self, errors: bool) -> R<()> {
        if !self.open(b']')? {
            return Ok(());
        }
        self.path.push(Seg::Index(0));
        let mut i = 0;
        loop {
            self.set_last(Seg::Index(i));
            let at = self.pos;
            if self.peek() == Some(b'{') {
                self.message_object(errors)?;
            } else {
                let what = self.skip_typed()?;
                self.report(
                    rules::BAD_ENTRY,
                    at,
                    format!(
                        "{} must be an object, not {what}",
                        if errors { "an error" } else { "a warning" }
                    ),
                );
            }
            i += 1;
            if !self.next(b']')? {
                break;
            }
        }
        self.path.pop();
        Ok(())
    }

    /// A warning / error object: the spec's fields present, as strings.
    fn message_object(&mut self, errors: bool) -> R<()> {
        let start = self.pos;
        let fields: &[&str] = if errors {
            &ERROR_FIELDS
        } else {
            &WARNING_FIELDS
        };
        let mut seen = [false; ERROR_FIELDS.len()];
        if self.open(b'}')? {
            let mut keys = HashSet::new();
            loop {
                let key_offset = self.pos;
                let raw = self.member_key()?;
                self.check_unique(&mut keys, raw, key_offset);
                let name = key_text(raw);
                let at = self.pos;
                match fields.iter().position(|f| *f == name) {
                    Some(f) => {
                        seen[f] = true;
                        if self.peek() == Some(b'"') {
                            self.string()?;
                        } else {
                            let what = self.skip_typed()?;
                            self.report_child(
                                Seg::Key(raw),
                                rules::MESSAGE_FIELD,
                                at,
                                format!("`{name}` must be a string, not {what}"),
                            );
                        }
                    }
                    None => self.skip_value()?,
                }
                if !self.next(b'}')? {
                    break;
                }
            }
        }
        let missing: Vec<String> = fields
            .iter()
            .zip(seen)
            .filter(|(_, seen)| !seen)
            .map(|(f, _)| format!("`{f}`"))
            .collect();
        if !missing.is_empty() {
            self.report(
                rules::MESSAGE_FIELD,
                start,
                format!(
                    "{} lacks {} (the spec shows {})",
                    if errors { "an error" } else { "a warning" },
                    missing.join(", "),
                    fields.join(", ")
                ),
            );
        }
        Ok(())
    }

    /// `process_time`: numbers ≥ 0, below 1 a warning.
    fn times(&mut self) -> R<(Option<usize>, Json)> {
        let start = self.pos;
        if self.peek() != Some(b'[') {
            let what = type_name(self.peek());
            let value = self.materialize()?;
            self.report(
                rules::RESPONSE_KEY,
                start,
                format!(
                    "`process_time` is {what}; it must be an array with one number of \
                     milliseconds per output record"
                ),
            );
            return Ok((None, value));
        }
        let mut envelope = Vec::new();
        if self.open(b']')? {
            self.path.push(Seg::Index(0));
            loop {
                self.set_last(Seg::Index(envelope.len()));
                let at = self.pos;
                if let Some(b'-' | b'0'..=b'9') = self.peek() {
                    let literal = self.number()?;
                    envelope.push(Json::Number(Number::from_string_unchecked(
                        literal.to_string(),
                    )));
                    // A literal starting with 1-9 is at least 1; others need a look at the value.
                    if !matches!(literal.as_bytes()[0], b'1'..=b'9') {
                        let value: f64 = literal.parse().unwrap_or(0.0);
                        if value < 0.0 {
                            self.report(
                                rules::BAD_TIME,
                                at,
                                format!("process_time must be ≥ 0 milliseconds, not {literal}"),
                            );
                        } else if value < 1.0 {
                            self.report(
                                rules::LOW_TIME,
                                at,
                                format!(
                                    "process_time {literal} is below 1 ms (the spec recommends at \
                                     least 1)"
                                ),
                            );
                        }
                    }
                } else {
                    let what = type_name(self.peek());
                    envelope.push(self.materialize()?);
                    self.report(
                        rules::BAD_TIME,
                        at,
                        format!("process_time must be a number of milliseconds, not {what}"),
                    );
                }
                if !self.next(b']')? {
                    break;
                }
            }
            self.path.pop();
        }
        Ok((Some(envelope.len()), Json::Array(envelope)))
    }
}

/// Find a key in a header; small headers are compared directly, big ones through a map.
fn find_key<'a>(
    keys: &[&'a [u8]],
    raw: &'a [u8],
    index: &mut Option<HashMap<Cow<'a, str>, usize>>,
) -> Option<usize> {
    if keys.len() < 32 && !raw.contains(&b'\\') && index.is_none() {
        if let Some(j) = keys.iter().position(|k| *k == raw) {
            return Some(j);
        }
        if !keys.iter().any(|k| k.contains(&b'\\')) {
            return None;
        }
    }
    let map = index.get_or_insert_with(|| {
        let mut map = HashMap::new();
        for (j, k) in keys.iter().enumerate() {
            map.entry(key_text(k)).or_insert(j);
        }
        map
    });
    map.get(&key_text(raw)).copied()
}

/// The array form of one object record, for the `XC106` message: `[["a", "b"], [1, 2]]`.
fn array_form(object: &Json) -> String {
    let Some(fields) = object.as_object() else {
        return String::new();
    };
    let keys: Vec<Json> = fields.keys().map(|k| Json::String(k.clone())).collect();
    let values: Vec<Json> = fields.values().cloned().collect();
    let mut text = format!("[{}, {}]", Json::Array(keys), Json::Array(values));
    if text.len() > 300 {
        let mut cut = 300;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str(" …");
    }
    text
}

/// 1-based line and character column for each offset, in one sweep over the text.
pub fn locate(bytes: &[u8], found: &mut [Found]) {
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by_key(|&i| found[i].offset);
    let (mut pos, mut line, mut line_start) = (0usize, 1usize, 0usize);
    for i in order {
        let offset = found[i].offset.min(bytes.len());
        for (k, &b) in bytes[pos..offset].iter().enumerate() {
            if b == b'\n' {
                line += 1;
                line_start = pos + k + 1;
            }
        }
        pos = offset.max(pos);
        let col = 1 + bytes[line_start..offset.max(line_start)]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        found[i].diagnostic.line = line;
        found[i].diagnostic.col = col;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_of(text: &str) -> Vec<(&'static str, String)> {
        let scanned = scan(text.as_bytes(), None, None);
        assert!(scanned.syntax.is_none(), "{:?}", scanned.syntax);
        scanned
            .found
            .into_iter()
            .map(|f| (f.diagnostic.rule, f.diagnostic.location()))
            .collect()
    }

    #[test]
    fn nested_table_problems_name_the_column_path() {
        let found = rules_of(r#"{"inputs":[["C","Students"],["x",[["SID","Grade"],[1,{}]]]]}"#);
        assert_eq!(
            found,
            [("XC108", "/inputs/1/1/1/1 (Students.Grade)".to_string())]
        );
    }

    #[test]
    fn syntax_errors_match_the_parser() {
        for bad in [
            "[1,]",
            "{\"a\":1,}",
            "[01]",
            "[1.]",
            "[.5]",
            "[1e]",
            "['a']",
            "[NaN]",
            "[-Infinity]",
            "{a:1}",
            "[1 2]",
            "\"\\x\"",
            "\"\\ud800\"",
            "[\"a\nb\"]",
            "[1] x",
            "[",
            "tru",
            "{\"inputs\": [[\"a\"], [1,]]}",
            "{\"a\" 1}",
        ] {
            let ours = scan(bad.as_bytes(), None, None).syntax;
            let parser = crate::source::parse_json(bad.as_bytes()).err();
            assert_eq!(ours, parser, "{bad:?}");
        }
    }

    #[test]
    fn locate_counts_lines_and_characters() {
        let text = "{\n  \"é\": [1,\n  2]}";
        let mut found = vec![
            Found {
                offset: text.find('2').unwrap(),
                diagnostic: Diagnostic::new("X", Severity::Error, "", ""),
            },
            Found {
                offset: text.find('1').unwrap(),
                diagnostic: Diagnostic::new("X", Severity::Error, "", ""),
            },
        ];
        locate(text.as_bytes(), &mut found);
        assert_eq!((found[0].diagnostic.line, found[0].diagnostic.col), (3, 3));
        assert_eq!((found[1].diagnostic.line, found[1].diagnostic.col), (2, 9));
    }
}
