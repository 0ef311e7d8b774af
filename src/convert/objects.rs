//! JSON objects → body. A record is a JSON object; the header is every key in order of first
//! appearance and a missing key is null. An array of objects becomes a nested table (its header
//! built the same way, recursively); an empty array an empty table `[[]]`; an array already in
//! the table format (`[["k"], [1]]`) is kept. A nested object is an error unless `--flatten` turns
//! it into dotted keys.
//!
//! [`Collect`] (pass 1: keys) and [`Emit`] (pass 2: rows) are the one per-record code path, for
//! the elements of a JSON array here and for NDJSON lines in [`super::ndjson`]. Records are
//! checked by [`crate::json::Lexer`] and read as [`Value`] spans; values are written from their
//! text, never rebuilt. A top-level JSON array is streamed: pass 1 walks it element by element
//! collecting keys, pass 2 writes the rows, and the pages of a mapped file already passed are
//! given back as each pass goes, so memory stays flat whatever the size.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::Write;

use super::{located, reverse, BodyOut, Cell, Nested, Settings, TargetFormat};
use crate::body::{Kind, Table};
use crate::error::data_error;
use crate::json::lexer::{duplicate, is_repeat};
use crate::json::write::write_array;
use crate::json::{unescape, ErrorKind, Lexer, ParseError, Value, ValueKind};
use crate::source::{self, pointer_escape, Source};

/// Give back the pages of a mapped input every this many bytes of a sequential pass.
const RELEASE_EVERY: usize = 4 << 20;
/// Rows are written in batches of about this many bytes.
const BATCH: usize = 64 * 1024;

/// A record or value that does not fit the format, at a JSON pointer relative to the document
/// (or NDJSON line) it came from, and the byte offset of that value in the text it was read from.
#[derive(Debug, Clone)]
pub(crate) struct ShapeError {
    pub(crate) pointer: String,
    pub(crate) offset: usize,
    pub(crate) message: String,
}

/// Where a record sits in its document: the document root (an NDJSON line, one object) or an
/// element of the top-level array. Pointers are built from it only when there is an error.
#[derive(Debug, Clone, Copy)]
pub(crate) enum At {
    Root,
    Element(usize),
}

impl At {
    fn pointer(self) -> String {
        match self {
            At::Root => String::new(),
            At::Element(i) => format!("/{i}"),
        }
    }
}

/// One `key: value` of a record in body form (keys dotted when flattened).
#[derive(Debug, Clone)]
pub(crate) struct Entry<'a> {
    pub(crate) key: Cow<'a, str>,
    pub(crate) cell: Cell<'a>,
    /// Where the member's key starts (for a duplicate key).
    pub(crate) key_offset: usize,
}

/// Keys in order of first appearance, with an index by name.
#[derive(Debug, Default)]
pub(crate) struct Header {
    pub(crate) keys: Vec<String>,
    index: HashMap<String, usize>,
    /// Per key: the record (a running count) that last had it, to find a key given twice.
    seen: Vec<usize>,
    records: usize,
}

impl Header {
    /// The column of `key`; `guess` (the key's position in its record) is tried first.
    #[inline]
    pub(crate) fn find(&self, key: &str, guess: usize) -> Option<usize> {
        match self.keys.get(guess) {
            Some(k) if k == key => Some(guess),
            _ => self.index.get(key).copied(),
        }
    }

    /// Add a record's keys; a key given twice is the lexer's `DuplicateKey` error at its second
    /// occurrence (keys are compared unescaped, as the lexer compares them).
    fn add(&mut self, entries: &[Entry]) -> Result<(), ParseError> {
        self.records += 1;
        for (n, entry) in entries.iter().enumerate() {
            let i = match self.find(&entry.key, n) {
                Some(i) => i,
                None => {
                    self.index.insert(entry.key.to_string(), self.keys.len());
                    self.keys.push(entry.key.to_string());
                    self.seen.push(0);
                    self.keys.len() - 1
                }
            };
            if self.seen[i] == self.records {
                return Err(duplicate("", entry.key_offset));
            }
            self.seen[i] = self.records;
        }
        Ok(())
    }
}

/// Turns objects into records: a record's entries in body form, or the first value that does
/// not fit.
struct Normalizer<'a> {
    flatten: bool,
    /// With `--flatten`: the keys of the record so far, to find a key given twice once
    /// flattened.
    seen: HashSet<Cow<'a, str>>,
    /// The record's raw keys so far, for the lexer's duplicate-key rule.
    keys: Vec<&'a str>,
    key_set: Option<HashSet<Cow<'a, str>>>,
}

/// Reading a record: a syntax error (outer), or a record that does not fit (inner; the lexer has
/// then checked the whole object all the same).
pub(crate) type Read = Result<Result<(), ShapeError>, ParseError>;

impl<'a> Normalizer<'a> {
    fn new(flatten: bool) -> Normalizer<'a> {
        Normalizer {
            flatten,
            seen: HashSet::new(),
            keys: Vec::new(),
            key_set: None,
        }
    }

    /// Read the object at the lexer's position (its `{`) into `out` as one record, checking it
    /// as it goes, in one pass: syntax by the lexer, then the record's shape. A shape error is
    /// kept while the rest of the object is checked, so a syntax error anywhere in it comes
    /// first. Duplicate keys inside values are found by the lexer; at the top level, without
    /// `--flatten` (one entry per key), the header finds them while placing the keys
    /// ([`Header::add`], [`Emit::read`]), with the same rule and error.
    fn read(&mut self, lexer: &mut Lexer<'a>, at: At, out: &mut Vec<Entry<'a>>) -> Read {
        let object = lexer.pos;
        let read = self.read_once(lexer, at, out);
        if !self.flatten && !matches!(read, Ok(Ok(()))) {
            // Keys after the error were not placed: a duplicate key before it still comes first,
            // as the lexer finds it.
            if let Err(e) = Lexer::at(lexer.text, object).skip_value() {
                if e.kind == ErrorKind::DuplicateKey {
                    return Err(e);
                }
            }
        }
        read
    }

    fn read_once(&mut self, lexer: &mut Lexer<'a>, at: At, out: &mut Vec<Entry<'a>>) -> Read {
        out.clear();
        self.seen.clear();
        self.keys.clear();
        self.key_set = None;
        let mut shape = Ok(());
        if !lexer.open(b'}')? {
            return Ok(shape);
        }
        let text = lexer.text;
        loop {
            let key_offset = lexer.pos;
            let raw = lexer.member_key()?;
            if self.flatten && is_repeat(&mut self.keys, &mut self.key_set, raw) {
                return Err(duplicate(raw, key_offset));
            }
            let start = lexer.pos;
            match lexer.peek() {
                Some(b'{' | b'[') => lexer.skip_value()?,
                _ => {
                    lexer.scalar()?;
                    if shape.is_ok() && !self.flatten {
                        // The common case, kept short: a scalar is its own entry.
                        out.push(Entry {
                            key: unescape(raw),
                            cell: Cell::Value(Value::from_checked(text, start, lexer.pos)),
                            key_offset,
                        });
                        if !lexer.next(b'}')? {
                            break;
                        }
                        continue;
                    }
                }
            }
            if shape.is_ok() {
                let value = Value::from_checked(text, start, lexer.pos);
                let before = out.len();
                shape = self.member(unescape(raw), value, None, &|| at.pointer(), out);
                if out.len() == before + 1 {
                    out[before].key_offset = key_offset;
                }
            }
            if !lexer.next(b'}')? {
                break;
            }
        }
        Ok(shape)
    }

    fn entries(
        &mut self,
        object: Value<'a>,
        key_prefix: Option<&str>,
        pointer: &dyn Fn() -> String,
        out: &mut Vec<Entry<'a>>,
    ) -> Result<(), ShapeError> {
        for (key, value) in object.members() {
            self.member(key.text(), value, key_prefix, pointer, out)?;
        }
        Ok(())
    }

    /// Add member `name: value` of an object at `pointer` to the record.
    fn member(
        &mut self,
        name: Cow<'a, str>,
        value: Value<'a>,
        key_prefix: Option<&str>,
        pointer: &dyn Fn() -> String,
        out: &mut Vec<Entry<'a>>,
    ) -> Result<(), ShapeError> {
        let full_key: Cow<'a, str> = match key_prefix {
            None => name.clone(),
            Some(prefix) => Cow::Owned(format!("{prefix}.{name}")),
        };
        let here = || format!("{}/{}", pointer(), pointer_escape(&name));
        let cell = match value.kind() {
            ValueKind::Object if self.flatten => {
                if !value.is_empty() {
                    return self.entries(value, Some(&full_key), &here, out);
                }
                Cell::Null
            }
            ValueKind::Object => {
                let example = match value.members().next() {
                    Some((k, _)) => format!("{full_key}.{}", k.text()),
                    None => format!("{full_key}.…"),
                };
                return Err(ShapeError {
                    pointer: here(),
                    offset: value.offset(),
                    message: format!(
                        "is an object, but XConnector values are scalars or tables (only the JSON array format is supported) (hint: --flatten turns nested objects into dotted keys such as {example})"
                    ),
                });
            }
            ValueKind::Array => self.table_value(value, &here)?,
            _ => Cell::Value(value),
        };
        if self.flatten && !self.seen.insert(full_key.clone()) {
            return Err(ShapeError {
                pointer: here(),
                offset: value.offset(),
                message: format!("gives key {full_key:?} a second time once flattened"),
            });
        }
        out.push(Entry {
            key: full_key,
            cell,
            key_offset: value.offset(),
        });
        Ok(())
    }

    /// An array value as a nested table.
    fn table_value(
        &mut self,
        array: Value<'a>,
        pointer: &dyn Fn() -> String,
    ) -> Result<Cell<'a>, ShapeError> {
        if array.items().next().is_none() {
            return Ok(Cell::Table(Box::default()));
        }
        if array.items().all(|v| v.is_object()) {
            let mut inner = Normalizer::new(self.flatten);
            let mut header = Header::default();
            let mut records = Vec::new();
            for (i, object) in array.items().enumerate() {
                let mut entries = Vec::new();
                inner.seen.clear();
                inner.entries(object, None, &|| format!("{}/{i}", pointer()), &mut entries)?;
                // Keys of checked objects are unique; flattened ones are checked on the way.
                let _ = header.add(&entries);
                records.push(entries);
            }
            let rows = records
                .into_iter()
                .map(|entries| {
                    let mut row = vec![Cell::Null; header.keys.len()];
                    for (n, entry) in entries.into_iter().enumerate() {
                        if let Some(i) = header.find(&entry.key, n) {
                            row[i] = entry.cell;
                        }
                    }
                    row
                })
                .collect();
            return Ok(Cell::Table(Box::new(Nested {
                keys: header.keys,
                rows,
            })));
        }
        if Table::from_value(&array).is_some() {
            return Ok(Cell::Value(array));
        }
        if array.items().all(|v| !v.is_object() && !v.is_array()) {
            return Err(ShapeError {
                pointer: pointer(),
                offset: array.offset(),
                message: "is an array of plain values; a nested table needs an array of objects, one per row (hint: write [{\"value\": 1}, …], or join the values into one string)".to_string(),
            });
        }
        let (index, item) = array
            .items()
            .enumerate()
            .find(|(_, v)| !v.is_object())
            .unwrap_or((0, array));
        Err(ShapeError {
            pointer: format!("{}/{index}", pointer()),
            offset: item.offset(),
            message: "is not an object; every row of a nested table must be an object".to_string(),
        })
    }
}

/// Pass 1: reads records and collects the header.
pub(crate) struct Collect<'a> {
    pub(crate) header: Header,
    normalizer: Normalizer<'a>,
    entries: Vec<Entry<'a>>,
}

impl<'a> Collect<'a> {
    pub(crate) fn new(flatten: bool) -> Collect<'a> {
        Collect {
            header: Header::default(),
            normalizer: Normalizer::new(flatten),
            entries: Vec::new(),
        }
    }

    /// Read the object at the lexer's position and add its keys to the header.
    pub(crate) fn read(&mut self, lexer: &mut Lexer<'a>, at: At) -> Read {
        let shape = self.normalizer.read(lexer, at, &mut self.entries)?;
        if shape.is_ok() {
            self.header.add(&self.entries)?;
        }
        Ok(shape)
    }

    /// Whether the record just read is a request or response body rather than a record: it has
    /// `inputs` or `outputs` holding a table (or an empty array).
    pub(crate) fn body_kind(&self) -> Option<Kind> {
        let table = |key: &str| {
            self.entries.iter().any(|e| {
                e.key == key
                    && match &e.cell {
                        Cell::Table(table) => table.keys.is_empty() && table.rows.is_empty(),
                        Cell::Value(value) => value.is_array(),
                        _ => false,
                    }
            })
        };
        if table("outputs") {
            Some(Kind::Response)
        } else if table("inputs") {
            Some(Kind::Request)
        } else {
            None
        }
    }
}

/// Pass 2: reads records again and writes each as a row under the header, in batches.
pub(crate) struct Emit<'a, 'w> {
    header: Header,
    out: BodyOut<'w>,
    normalizer: Normalizer<'a>,
    entries: Vec<Entry<'a>>,
    /// Per column: the record (a running count) that last filled it, and the entry it holds.
    stamp: Vec<usize>,
    slot: Vec<usize>,
    count: usize,
    batch: Vec<u8>,
    rows: usize,
}

impl<'a, 'w> Emit<'a, 'w> {
    /// Write the header and get ready for the rows.
    pub(crate) fn begin(
        header: Header,
        w: &'w mut dyn Write,
        settings: &Settings,
    ) -> anyhow::Result<Emit<'a, 'w>> {
        let mut out = BodyOut::begin(w, settings.layout, settings.kind)?;
        out.header(&header.keys)?;
        let width = header.keys.len();
        Ok(Emit {
            header,
            out,
            normalizer: Normalizer::new(settings.flatten),
            entries: Vec::new(),
            stamp: vec![0; width],
            slot: vec![0; width],
            count: 0,
            batch: Vec::with_capacity(BATCH + 4096),
            rows: 0,
        })
    }

    /// Read the object at the lexer's position and write it as a row.
    pub(crate) fn read(&mut self, lexer: &mut Lexer<'a>, at: At) -> anyhow::Result<Read> {
        match self.normalizer.read(lexer, at, &mut self.entries) {
            Ok(Ok(())) => {}
            other => return Ok(other),
        }
        self.count += 1;
        for (n, entry) in self.entries.iter().enumerate() {
            let Some(i) = self.header.find(&entry.key, n) else {
                anyhow::bail!("the input changed while it was being converted (a key appeared that the first pass did not see)");
            };
            if self.stamp[i] == self.count {
                return Ok(Err(duplicate("", entry.key_offset)));
            }
            self.stamp[i] = self.count;
            self.slot[i] = n;
        }
        if self.rows > 0 {
            self.batch.extend_from_slice(self.out.row_separator());
        }
        let style = self.out.style();
        let (count, stamp, slot, entries) = (self.count, &self.stamp, &self.slot, &self.entries);
        let cells = stamp.iter().zip(slot);
        write_array(
            &mut self.batch,
            style,
            cells,
            |buf, (&stamp, &slot), inner| {
                if stamp == count {
                    super::write_cell(buf, &entries[slot].cell, inner);
                } else {
                    buf.extend_from_slice(b"null");
                }
                Ok(())
            },
        )
        .expect("writing to memory");
        self.rows += 1;
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(Ok(Ok(())))
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        self.out.raw_rows(&self.batch, self.rows)?;
        self.batch.clear();
        self.rows = 0;
        Ok(())
    }

    /// Write the last batch and close the body.
    pub(crate) fn finish(mut self) -> anyhow::Result<()> {
        self.flush()?;
        self.out.finish()?;
        Ok(())
    }
}

/// The content of `source` as text, checked to be UTF-8 a few MB at a time (giving back the pages
/// of a mapped file as it goes, so that memory stays flat); the errors of an empty or non-UTF-8
/// input located like every JSON error.
pub(crate) fn checked_text(source: &Source) -> anyhow::Result<&str> {
    source
        .json_text()
        .map_err(|e| data_error(format!("{}:{e}", source.name)))
}

/// A syntax error in `source`, located and hinted.
fn syntax_error(source: &Source, e: &ParseError) -> anyhow::Error {
    data_error(format!(
        "{}:{}",
        source.name,
        source::syntax_error(&source.bytes, e)
    ))
}

/// A shape error of a record read from the whole `source`.
fn shape_error(source: &Source, e: ShapeError) -> anyhow::Error {
    let (line, col) = source.line_col(e.offset);
    let shown = if e.pointer.is_empty() {
        "/"
    } else {
        &e.pointer
    };
    located(&source.name, line, col, &format!("{shown} {}", e.message))
}

fn not_objects(name: &str, to: TargetFormat) -> anyhow::Error {
    anyhow::anyhow!(
        "--to {} needs a request or response body (a JSON object with \"inputs\" or \"outputs\"); {name} holds plain objects, which convert to a body",
        super::target_name(to)
    )
}

/// Convert a whole JSON source: a body goes to [`reverse`]; an array of objects (streamed), one
/// object, or several concatenated objects become a body.
pub(crate) fn json_source(
    source: &Source,
    settings: &Settings,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let text = checked_text(source)?;
    let mut lexer = Lexer::new(text);
    lexer.skip_ws();
    if lexer.peek() == Some(b'[') && stream_array(source, text, lexer.pos, settings, w)? {
        return Ok(());
    }
    if lexer.peek() == Some(b'{') && starts_as_body(text, lexer.pos) {
        // A body goes to `reverse`, which checks it with the validator in one pass (so a broken
        // body is refused with the validator's rule and position) and then writes it. When the
        // text holds more documents after it, the documents path says so instead.
        let to = settings.to.unwrap_or(TargetFormat::Json);
        let converted = reverse::body_to(source, text, to, settings, w);
        let more = || {
            converted.is_err()
                && crate::json::parse(text).is_err_and(|e| e.kind == ErrorKind::TrailingCharacters)
        };
        if more() {
            return documents(source, text, settings, w);
        }
        return converted;
    }
    documents(source, text, settings, w)
}

/// Whether the object at `start` begins with an `inputs` or `outputs` key: a body, read by the
/// validator's single pass (no walk of its own). A body whose records key comes later takes the
/// documents path, which finds it too.
fn starts_as_body(text: &str, start: usize) -> bool {
    let mut lexer = Lexer::at(text, start);
    matches!(lexer.open(b'}'), Ok(true))
        && lexer
            .member_key()
            .is_ok_and(|key| matches!(&*crate::json::unescape(key), "inputs" | "outputs"))
}

/// Convert the array starting at byte `start` in two streaming passes. `Ok(false)` when something
/// follows the array: the source is then a sequence of documents.
fn stream_array(
    source: &Source,
    text: &str,
    start: usize,
    settings: &Settings,
    w: &mut dyn Write,
) -> anyhow::Result<bool> {
    let Some(header) = array_keys(source, text, start, settings)? else {
        return Ok(false);
    };
    array_rows(source, text, start, header, settings, w)?;
    Ok(true)
}

/// The first pass over the array at `start`: every element an object, and the header their keys
/// make. `None` when something follows the array.
fn array_keys(
    source: &Source,
    text: &str,
    start: usize,
    settings: &Settings,
) -> anyhow::Result<Option<Header>> {
    let name = &source.name;
    let mut collect = Collect::new(settings.flatten);
    let mut not_object: Option<(usize, usize, ValueKind)> = None;
    let mut shape: Option<ShapeError> = None;
    let mut count = 0usize;
    let walked = walk_array(source, text, start, |i, lexer| {
        count += 1;
        let element = lexer.pos;
        if lexer.peek() == Some(b'{') && not_object.is_none() && shape.is_none() {
            match collect.read(lexer, At::Element(i)) {
                Err(e) => return Ok(Err(e)),
                Ok(Err(e)) => shape = Some(e),
                Ok(Ok(())) => {}
            }
            return Ok(Ok(()));
        }
        if let Err(e) = lexer.skip_value() {
            return Ok(Err(e));
        }
        let value = Value::from_checked(text, element, lexer.pos);
        if not_object.is_none() && !value.is_object() {
            not_object = Some((i, element, value.kind()));
        }
        Ok(Ok(()))
    })?;
    match walked {
        Ok(true) => {}
        Ok(false) => return Ok(None),
        Err(e) => return Err(syntax_error(source, &e)),
    }
    if let Some(to) = settings.to.filter(|&t| t != TargetFormat::Body) {
        return Err(not_objects(name, to));
    }
    if count == 0 {
        return Err(data_error(format!(
            "{name}: the array is empty: no records, so no header to build"
        )));
    }
    if let Some((i, offset, kind)) = not_object {
        return Err(shape_error(
            source,
            ShapeError {
                pointer: format!("/{i}"),
                offset,
                message: format!(
                    "is {}, but every element must be an object (a record)",
                    kind.article_name()
                ),
            },
        ));
    }
    if let Some(e) = shape {
        return Err(shape_error(source, e));
    }
    Ok(Some(collect.header))
}

/// The second pass over the array at `start`: each object written as a row under `header`.
fn array_rows(
    source: &Source,
    text: &str,
    start: usize,
    header: Header,
    settings: &Settings,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let name = &source.name;
    let mut emit = Emit::begin(header, w, settings)?;
    let mut failed = None;
    let walked = walk_array(source, text, start, |i, lexer| {
        if failed.is_none() && lexer.peek() == Some(b'{') {
            match emit.read(lexer, At::Element(i))? {
                Err(e) => return Ok(Err(e)),
                Ok(Err(e)) => failed = Some(e),
                Ok(Ok(())) => {}
            }
            return Ok(Ok(()));
        }
        if failed.is_none() {
            anyhow::bail!("{name} changed while it was being converted");
        }
        Ok(lexer.skip_value())
    })?;
    if let Some(e) = failed {
        return Err(shape_error(source, e));
    }
    match walked {
        Ok(true) => {}
        Ok(false) => anyhow::bail!("{name} changed while it was being converted"),
        Err(e) => return Err(syntax_error(source, &e)),
    }
    emit.finish()?;
    Ok(())
}

/// Check the array starting at byte `start` of `text` element by element, calling `each` at
/// every element (which it must check and pass, leaving the lexer after it) and giving back the pages of a mapped source as it goes. `Ok(false)`
/// when something other than whitespace follows the array. An error from `each` (writing) stops
/// the walk and is passed on as the outer error.
fn walk_array<'a>(
    source: &Source,
    text: &'a str,
    start: usize,
    mut each: impl FnMut(usize, &mut Lexer<'a>) -> anyhow::Result<Result<(), ParseError>>,
) -> anyhow::Result<Result<bool, ParseError>> {
    macro_rules! checked {
        ($step:expr) => {
            match $step {
                Ok(value) => value,
                Err(e) => return Ok(Err(e)),
            }
        };
    }
    let mut lexer = Lexer::at(text, start);
    let mut released = start;
    if checked!(lexer.open(b']')) {
        for i in 0.. {
            lexer.skip_ws();
            let element_start = lexer.pos;
            checked!(each(i, &mut lexer)?);
            if lexer.pos - released >= RELEASE_EVERY {
                source.release_before(element_start);
                released = element_start;
            }
            if !checked!(lexer.next(b']')) {
                break;
            }
        }
    }
    let end = lexer.end().is_ok();
    source.release_before(lexer.pos);
    Ok(Ok(end))
}

/// One JSON document, or several concatenated: a body goes to [`reverse`]; objects are records.
fn documents(
    source: &Source,
    text: &str,
    settings: &Settings,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let name = &source.name;
    let documents: Vec<Value> = match crate::json::parse(text) {
        Ok(doc) => vec![doc],
        Err(e) if e.kind == ErrorKind::TrailingCharacters => {
            let mut docs = Vec::new();
            let parsed = crate::json::parse_many(text, |value| {
                docs.push(value);
                Ok(())
            });
            match parsed {
                Ok(_) => docs,
                Err(e) => return Err(syntax_error(source, &e)),
            }
        }
        Err(e) => {
            // A broken body is refused as the validator refuses it (its rule and position).
            let start = crate::json::skip_ws(text.as_bytes(), 0);
            if Kind::detect(&Value::starting_at(text, start)).is_some() {
                let to = settings.to.unwrap_or(TargetFormat::Json);
                return reverse::body_to(source, text, to, settings, w);
            }
            return Err(syntax_error(source, &e));
        }
    };

    if let [doc] = documents.as_slice() {
        if Kind::detect(doc).is_some() {
            let to = settings.to.unwrap_or(TargetFormat::Json);
            return reverse::body_to(source, text, to, settings, w);
        }
    }
    several_bodies(source, &documents)?;
    if let Some(to) = settings.to.filter(|&t| t != TargetFormat::Body) {
        return Err(not_objects(name, to));
    }

    let single = documents.len() == 1;
    for doc in &documents {
        if !doc.is_object() {
            // A single array is streamed by `stream_array`; only objects are left here.
            let (line, col) = source.line_col(doc.offset());
            let what = if single {
                "expected an array of objects, one object, or a request/response body"
            } else {
                "expected one object per document"
            };
            return Err(located(
                name,
                line,
                col,
                &format!("{what}, found {}", doc.kind().article_name()),
            ));
        }
    }
    let mut collect = Collect::new(settings.flatten);
    for doc in &documents {
        let read = collect.read(&mut Lexer::at(text, doc.offset()), At::Root);
        read.map_err(|e| syntax_error(source, &e))?
            .map_err(|e| shape_error(source, e))?;
    }
    let mut emit = Emit::begin(collect.header, w, settings)?;
    for doc in &documents {
        let read = emit.read(&mut Lexer::at(text, doc.offset()), At::Root)?;
        read.map_err(|e| syntax_error(source, &e))?
            .map_err(|e| shape_error(source, e))?;
    }
    emit.finish()
}

/// Several documents of which some are bodies: refused, never wrapped as records of a new body.
fn several_bodies(source: &Source, documents: &[Value]) -> anyhow::Result<()> {
    let mut bodies = documents
        .iter()
        .filter_map(|doc| Kind::detect(doc).map(|kind| (kind, doc.offset())));
    let Some((first, offset)) = bodies.next() else {
        return Ok(());
    };
    let (message, offset) = match bodies.next() {
        Some((second, at)) => (
            format!(
                "a second body (a {}) starts here: {} holds several bodies back to back, which are not converted together (hint: split them into one file per body)",
                second.name(),
                source.name
            ),
            at,
        ),
        None => (
            format!(
                "this document is a {} body, but {} holds other JSON documents too: a body is converted on its own (hint: put it in a file of its own)",
                first.name(),
                source.name
            ),
            offset,
        ),
    };
    let (line, col) = source.line_col(offset);
    Err(located(&source.name, line, col, &message))
}
