//! The fast path: one pass over the JSON text that checks its syntax and every XConnector rule
//! without building the document in memory. It drives the one checked tokenizer,
//! [`json::Lexer`], in the body's own order, so syntax errors (and their messages) are exactly
//! the parser's. Problems carry the byte offset of the offending value (so line:column costs
//! nothing extra) and a JSON pointer; column names come from the headers.
//!
//! Alongside, the scan builds the document's *envelope* for the JSON Schema pass
//! ([`Envelope`]): the top level, headers and unknown keys as they are, and of the long per-record
//! arrays (records, `warnings`, `errors`, `process_time`) only the elements the schema could
//! object to — the rest (arrays of values, `null` entries, message lists the rules found clean,
//! non-negative numbers) satisfy the schema whatever they hold, and their contents are exactly
//! what the rules here check more precisely than a schema can. So the envelope stays small
//! however many records a body has. It remembers where each kept element came from, so schema
//! diagnostics still point into the document.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value as Json};

use crate::body::{Kind, ERROR_FIELDS, RESPONSE_KEYS, WARNING_FIELDS};
use crate::diag::{Diagnostic, Severity};
use crate::json::{self, lexer, Lexer, ParseError, Value, ValueKind};
use crate::source::{pointer_escape, JsonSyntaxError};

use super::rules;

/// Most problems recorded per document; the rest are counted and summarized by `XC002`.
pub(crate) const MAX_REPORTED: usize = 1000;

/// How often (in bytes of input) a scan with a release callback gives back what it has passed.
const RELEASE_EVERY: usize = 1 << 20;

/// A problem and the byte offset of the value it is about.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub(crate) offset: usize,
    pub(crate) diagnostic: Diagnostic,
}

/// What one pass found.
pub(crate) struct Scanned {
    /// The document is not JSON; nothing else was checked.
    pub(crate) syntax: Option<JsonSyntaxError>,
    pub(crate) kind: Option<Kind>,
    /// Number of records in `inputs` / `outputs` (when it is an array).
    pub(crate) records: Option<usize>,
    pub(crate) found: Vec<Found>,
    /// The envelope for the schema pass (`None` when the body's kind is unknown).
    pub(crate) envelope: Option<Envelope>,
    /// The byte span of the document (leading and trailing whitespace excluded) when it is JSON.
    pub(crate) root: Option<(usize, usize)>,
    /// Problems past [`MAX_REPORTED`], counted but not listed.
    pub(crate) unlisted: super::Unlisted,
    /// Nested tables seen in record values (0: every record is flat).
    pub(crate) nested_tables: usize,
    /// The top-level members of an object document, in order (see [`TopMember`]).
    pub(crate) members: Vec<TopMember>,
    /// When asked for ([`scan_text`]'s `spans`): the byte span of each row after the header of
    /// the last `inputs` table, so `call --batch-size` cuts the request without walking it again.
    pub(crate) record_spans: Vec<(usize, usize)>,
    /// Where the records table (`inputs` / `outputs`) starts, and every
    /// [`RECORD_MARK_EVERY`]th record's index (0-based) and start: a reader that walks the
    /// records in parts starts a part there (`show`'s grid).
    pub(crate) record_marks: RecordMarks,
}

/// See [`Scanned::record_marks`]: the table's start offset, then (record index, offset) pairs.
pub(crate) type RecordMarks = (usize, Vec<(usize, usize)>);

/// How far apart [`Scanned::record_marks`] are (a word pair per this many records).
pub(crate) const RECORD_MARK_EVERY: usize = 4096;

/// One top-level member of a body as the scan saw it: enough for a caller to take the body
/// apart without walking it again (`call` merges batch answers from these spans).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopMember {
    /// The key, unescaped.
    pub(crate) key: String,
    /// The byte span of the value in the checked text.
    pub(crate) span: (usize, usize),
    /// `inputs` / `outputs`: the records (rows after the header); `warnings`, `errors`,
    /// `process_time`: the entries. `None` when the value is not an array, or for other keys.
    pub(crate) count: Option<usize>,
    /// `warnings` / `errors`: the entries that are not `null`.
    pub(crate) non_null: usize,
}

/// What the JSON Schema pass sees of a body (see the module docs), and how its pointers map back
/// to the document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Envelope {
    pub(crate) doc: Json,
    /// Top-level arrays kept sparsely: the key and, for each element kept, its index in the
    /// document.
    sparse: Vec<(String, Vec<usize>)>,
}

impl Envelope {
    /// The document pointer for a pointer into the envelope: `/warnings/2/0` becomes
    /// `/warnings/5000/0` when the third element kept of `warnings` is the document's 5001st.
    pub(crate) fn document_pointer<'p>(&self, pointer: &'p str) -> Cow<'p, str> {
        let mut parts = pointer.splitn(4, '/');
        let (Some(""), Some(key), Some(index)) = (parts.next(), parts.next(), parts.next()) else {
            return Cow::Borrowed(pointer);
        };
        let rest = parts.next();
        let original = self
            .sparse
            .iter()
            .find(|(k, _)| pointer_escape(k) == key)
            .and_then(|(_, kept)| kept.get(index.parse::<usize>().ok()?));
        match (original, rest) {
            (Some(i), Some(rest)) => Cow::Owned(format!("/{key}/{i}/{rest}")),
            (Some(i), None) => Cow::Owned(format!("/{key}/{i}")),
            (None, _) => Cow::Borrowed(pointer),
        }
    }

    fn insert(&mut self, key: String, value: Json, kept: Option<Vec<usize>>) {
        self.sparse.retain(|(k, _)| *k != key);
        if let Some(kept) = kept {
            self.sparse.push((key.clone(), kept));
        }
        if let Json::Object(map) = &mut self.doc {
            map.insert(key, value);
        }
    }
}

/// One top-level member's part of the envelope: its value and, when kept sparsely, the document
/// index of each element kept.
type Part = (Json, Option<Vec<usize>>);

/// The elements of a top-level array kept in the envelope, with their indexes in the document.
struct Sparse {
    values: Vec<Json>,
    kept: Vec<usize>,
}

impl Sparse {
    fn new() -> Sparse {
        Sparse {
            values: Vec::new(),
            kept: Vec::new(),
        }
    }

    fn keep(&mut self, index: usize, value: Json) {
        self.values.push(value);
        self.kept.push(index);
    }

    fn finish(self) -> Part {
        (Json::Array(self.values), Some(self.kept))
    }
}

#[cfg(test)]
/// Check `bytes`. `kind` forces request/response; `against` is the input-record count of the
/// request a response answers (rule `XC130`).
pub(crate) fn scan(bytes: &[u8], kind: Option<Kind>, against: Option<(&str, usize)>) -> Scanned {
    match crate::source::json_text(bytes) {
        Ok(text) => scan_text(text, kind, against, None, false),
        Err(e) => failed(e, kind),
    }
}

fn failed(syntax: JsonSyntaxError, kind: Option<Kind>) -> Scanned {
    Scanned {
        syntax: Some(syntax),
        ..Scanned::nothing_yet(kind)
    }
}

impl Scanned {
    /// A scan that has found nothing yet, of a body of `kind` when known.
    fn nothing_yet(kind: Option<Kind>) -> Scanned {
        Scanned {
            syntax: None,
            kind,
            records: None,
            found: Vec::new(),
            envelope: None,
            root: None,
            unlisted: super::Unlisted::default(),
            nested_tables: 0,
            members: Vec::new(),
            record_spans: Vec::new(),
            record_marks: RecordMarks::default(),
        }
    }
}

/// Check `text` (see [`scan`]). With `release`, the scan calls it now and then with the offset it
/// has passed, so the caller can give back memory holding the text before it
/// ([`crate::source::Source::release_before`]); the scan reads nothing before that offset again.
/// With `spans`, [`Scanned::record_spans`] lists where each record of `inputs` is.
pub(crate) fn scan_text(
    text: &str,
    kind: Option<Kind>,
    against: Option<(&str, usize)>,
    release: Option<&dyn Fn(usize)>,
    spans: bool,
) -> Scanned {
    let mut scanner = Scanner::new(text, release);
    scanner.spans = spans.then(Vec::new);
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
            scanned.nested_tables = scanner.tables;
            scanned.record_spans = scanner.spans.unwrap_or_default();
            scanned.record_marks = std::mem::take(&mut scanner.marks);
            scanned.unlisted = super::Unlisted {
                errors: scanner.suppressed_errors,
                warnings: scanner.suppressed - scanner.suppressed_errors,
            };
            scanned
        }
        Err(e) => failed(crate::source::syntax_error(text.as_bytes(), &e), kind),
    }
}

type R<T> = Result<T, ParseError>;

/// One step of the path to the value being checked.
#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    /// An object key (raw, with its quotes).
    Key(&'a str),
    Index(usize),
    /// A value in a record: its index and its column's name (raw), when the header has one.
    Cell(usize, Option<&'a str>),
}

struct Scanner<'a, 'r> {
    lx: Lexer<'a>,
    path: Vec<Seg<'a>>,
    found: Vec<Found>,
    /// Problems past [`MAX_REPORTED`]: counted, not listed (and how many of them are errors).
    suppressed: usize,
    suppressed_errors: usize,
    /// Header vectors for reuse, so nested tables do not allocate one each.
    pool: Vec<Vec<&'a str>>,
    /// Nested tables seen in record values.
    tables: usize,
    release: Option<&'r dyn Fn(usize)>,
    next_release: usize,
    /// The spans of the rows of `inputs` after its header, when asked for (see [`scan_text`]).
    spans: Option<Vec<(usize, usize)>>,
    /// The last records table's marks ([`Scanned::record_marks`]).
    marks: RecordMarks,
}

/// How a top-level member's value turned out.
#[derive(Clone, Copy)]
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
    raw: &'a str,
    key_offset: usize,
    value_offset: usize,
    shape: Shape,
    found: std::ops::Range<usize>,
}

/// A key's text: `"a\"b"` → `a"b`; a non-string (a bad header entry) is its JSON text.
fn key_text(raw: &str) -> Cow<'_, str> {
    if raw.starts_with('"') {
        json::unescape(raw)
    } else {
        Cow::Borrowed(raw)
    }
}

/// `an object`, `a string`… for the value starting with `first`.
fn type_name(first: Option<u8>) -> &'static str {
    let kind = match first {
        Some(b'{') => ValueKind::Object,
        Some(b'[') => ValueKind::Array,
        Some(b'"') => ValueKind::String,
        Some(b't' | b'f') => ValueKind::Bool,
        Some(b'n') => ValueKind::Null,
        _ => ValueKind::Number,
    };
    kind.article_name()
}

/// The pointer tokens from `value` down to each object key at the byte `offsets` (ascending)
/// inside it, in one walk over the (checked) value. A key not found gets no tokens.
fn key_paths(value: Value<'_>, offsets: &[usize]) -> Vec<Vec<String>> {
    let mut paths = Vec::with_capacity(offsets.len());
    let mut next = 0;
    walk_to_keys(value, offsets, &mut next, &mut Vec::new(), &mut paths);
    paths.resize(offsets.len(), Vec::new());
    paths
}

fn walk_to_keys(
    value: Value<'_>,
    offsets: &[usize],
    next: &mut usize,
    prefix: &mut Vec<String>,
    paths: &mut Vec<Vec<String>>,
) {
    let inside = |v: &Value, o: usize| v.offset() <= o && o < v.end();
    match value.kind() {
        ValueKind::Object => {
            for (key, member) in value.members() {
                let Some(&o) = offsets.get(*next) else { return };
                if o == key.offset() {
                    prefix.push(key.text().into_owned());
                    paths.push(prefix.clone());
                    prefix.pop();
                    *next += 1;
                }
                if offsets.get(*next).is_some_and(|&o| inside(&member, o)) {
                    prefix.push(key.text().into_owned());
                    walk_to_keys(member, offsets, next, prefix, paths);
                    prefix.pop();
                }
            }
        }
        ValueKind::Array => {
            for (i, item) in value.items().enumerate() {
                let Some(&o) = offsets.get(*next) else { return };
                if inside(&item, o) {
                    prefix.push(i.to_string());
                    walk_to_keys(item, offsets, next, prefix, paths);
                    prefix.pop();
                }
            }
        }
        _ => {}
    }
}

fn duplicate_message(key: &str) -> String {
    format!("key {key:?} appears twice in one object (JSON readers disagree on which value counts)")
}

impl<'a, 'r> Scanner<'a, 'r> {
    /// A scanner at the start of `text`, giving `release` the offsets it has passed.
    fn new(text: &'a str, release: Option<&'r dyn Fn(usize)>) -> Scanner<'a, 'r> {
        Scanner {
            lx: Lexer::new(text),
            path: Vec::new(),
            found: Vec::new(),
            suppressed: 0,
            suppressed_errors: 0,
            pool: Vec::new(),
            tables: 0,
            release,
            next_release: RELEASE_EVERY,
            spans: None,
            marks: RecordMarks::default(),
        }
    }
}

impl<'a> Scanner<'a, '_> {
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
        self.report_below(&[], rule, offset, message);
    }

    /// Record a problem about the value `tokens` below the current path.
    fn report_below(
        &mut self,
        tokens: &[String],
        rule: &'static str,
        offset: usize,
        message: String,
    ) {
        let severity = rules::find(rule).map_or(Severity::Error, |r| r.severity);
        if self.found.len() >= MAX_REPORTED {
            self.suppressed += 1;
            self.suppressed_errors += usize::from(severity == Severity::Error);
            return;
        }
        let mut pointer = self.pointer();
        for token in tokens {
            pointer.push('/');
            pointer.push_str(&pointer_escape(token));
        }
        let mut diagnostic = Diagnostic::new(rule, severity, pointer, message);
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

    /// Let the caller give back memory for the text already passed (see [`scan_text`]).
    #[inline]
    fn passed(&mut self) {
        if self.lx.pos >= self.next_release {
            if let Some(release) = self.release {
                release(self.lx.pos);
            }
            self.next_release = self.lx.pos + RELEASE_EVERY;
        }
    }

    // ---- values ----------------------------------------------------------------------------

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.lx.peek()
    }

    /// Report a key that repeats an earlier key of the same object (`XC003`): JSON readers
    /// disagree on which value wins, so the body means different things to different tools.
    /// For objects the scanner walks itself; `keys` and `set` are that object's keys so far.
    fn check_unique(
        &mut self,
        keys: &mut Vec<&'a str>,
        set: &mut Option<HashSet<Cow<'a, str>>>,
        raw: &'a str,
        offset: usize,
    ) {
        if lexer::is_repeat(keys, set, raw) {
            self.report_child(
                Seg::Key(raw),
                rules::DUPLICATE_MEMBER,
                offset,
                duplicate_message(&key_text(raw)),
            );
        }
    }

    /// Any value, checked by the lexer; a repeated key at any depth inside is an `XC003` at its
    /// pointer.
    fn skip_value(&mut self) -> R<()> {
        let start = self.lx.pos;
        let mut duplicates: Vec<(&'a str, usize)> = Vec::new();
        self.lx.skip_value_with(&mut |raw, offset| {
            duplicates.push((raw, offset));
            Ok(())
        })?;
        if !duplicates.is_empty() {
            // Past the report limit they are only counted: no need to find their pointers.
            let room = MAX_REPORTED.saturating_sub(self.found.len());
            let shown = duplicates.len().min(room);
            let unlisted = duplicates.len() - shown;
            self.suppressed += unlisted;
            if rules::find(rules::DUPLICATE_MEMBER).is_none_or(|r| r.severity == Severity::Error) {
                self.suppressed_errors += unlisted;
            }
            let value = Value::from_checked(self.lx.text, start, self.lx.pos);
            let offsets: Vec<usize> = duplicates[..shown].iter().map(|d| d.1).collect();
            let paths = key_paths(value, &offsets);
            for ((raw, offset), tokens) in duplicates.into_iter().zip(paths) {
                let message = duplicate_message(&key_text(raw));
                self.report_below(&tokens, rules::DUPLICATE_MEMBER, offset, message);
            }
        }
        Ok(())
    }

    /// Keep a per-record element in the envelope. Every element kept has a problem a rule
    /// reports; past the report limit the rest are only counted, so their schema errors would be
    /// noise and their copies only memory: they are left out.
    fn keep(&self, envelope: &mut Sparse, index: usize, value: impl FnOnce() -> Json) {
        if self.suppressed == 0 {
            envelope.keep(index, value());
        }
    }

    /// Skip a value and say what type it was (`an object`, `a string`…).
    fn skip_typed(&mut self) -> R<&'static str> {
        let name = type_name(self.peek());
        self.skip_value()?;
        Ok(name)
    }

    /// Skip a value and return it as checked text.
    fn checked_value(&mut self) -> R<Value<'a>> {
        let start = self.lx.pos;
        self.skip_value()?;
        Ok(Value::from_checked(self.lx.text, start, self.lx.pos))
    }

    /// Skip a value and build it for the envelope (only small parts of a body go through here).
    fn materialize(&mut self) -> R<Json> {
        Ok(self.checked_value()?.to_serde())
    }

    /// A member that must be an array but is not: its value read for the envelope and `rule`
    /// reported with `why(what it is instead)`. `None` (nothing read) when it is an array.
    fn not_an_array(
        &mut self,
        rule: &'static str,
        why: impl FnOnce(&str) -> String,
    ) -> R<Option<Json>> {
        if self.peek() == Some(b'[') {
            return Ok(None);
        }
        let start = self.lx.pos;
        let what = type_name(self.peek());
        let value = self.materialize()?;
        self.report(rule, start, why(what));
        Ok(Some(value))
    }

    // ---- the body --------------------------------------------------------------------------

    fn document(&mut self, forced: Option<Kind>, against: Option<(&str, usize)>) -> R<Scanned> {
        self.lx.skip_ws();
        let start = self.lx.pos;
        let mut scanned = Scanned::nothing_yet(forced);
        if self.peek() != Some(b'{') {
            let what = self.skip_typed()?;
            scanned.root = Some((start, self.lx.pos));
            self.lx.end()?;
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
        let (members, envelope) = self.top_members(&mut scanned.members)?;
        scanned.root = Some((start, self.lx.pos));
        self.lx.end()?;

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
            // Not a body: only repeated keys (which are wrong in any JSON) stay reported.
            self.found
                .retain(|f| f.diagnostic.rule == rules::DUPLICATE_MEMBER);
            self.report(
                rules::NOT_A_BODY,
                start,
                "not an XConnector body: expected `inputs` (request) or `outputs` (response)"
                    .to_string(),
            );
            return Ok(scanned);
        };
        self.unknown_keys(&members, kind);

        let records_member = member(kind.records_key());
        let records = self.records_count(records_member, kind, start);
        scanned.records = records;

        let failure_response =
            kind == Kind::Response && self.response_entries(&members, records, against, start);
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

    /// The number of records in `inputs` / `outputs` (`None` when it is missing, reported
    /// here, or not an array).
    fn records_count(
        &mut self,
        records_member: Option<&Member<'a>>,
        kind: Kind,
        start: usize,
    ) -> Option<usize> {
        match records_member {
            None => {
                self.report(
                    rules::RECORDS_NOT_ARRAY,
                    start,
                    format!(
                        "a {} needs `{}`: an array whose first row is the header",
                        kind.name(),
                        kind.records_key()
                    ),
                );
                None
            }
            Some(Member {
                shape: Shape::Records { records },
                ..
            }) => *records,
            Some(_) => None,
        }
    }

    /// The members of the top-level object (the lexer is on its `{`): each checked by its key's
    /// rules, listed in `top`, and kept in the envelope the schema checks.
    fn top_members(&mut self, top: &mut Vec<TopMember>) -> R<(Vec<Member<'a>>, Envelope)> {
        let mut members: Vec<Member<'a>> = Vec::new();
        let mut envelope = Envelope {
            doc: Json::Object(Map::new()),
            sparse: Vec::new(),
        };
        if !self.lx.open(b'}')? {
            return Ok((members, envelope));
        }
        let (mut keys, mut set) = (Vec::new(), None);
        loop {
            let key_offset = self.lx.pos;
            let raw = self.lx.member_key()?;
            self.check_unique(&mut keys, &mut set, raw, key_offset);
            let key = key_text(raw).into_owned();
            let value_offset = self.lx.pos;
            let first = self.found.len();
            self.path.push(Seg::Key(raw));
            let (shape, (value, kept)) = match key.as_str() {
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
                _ => (Shape::Other, (self.materialize()?, None)),
            };
            self.path.pop();
            envelope.insert(key.clone(), value, kept);
            let (count, non_null) = match shape {
                Shape::Records { records } => (records, 0),
                Shape::Entries { count, non_null } => (count, non_null),
                Shape::Other => (None, 0),
            };
            top.push(TopMember {
                key: key.clone(),
                span: (value_offset, self.lx.pos),
                count,
                non_null,
            });
            members.push(Member {
                key,
                raw,
                key_offset,
                value_offset,
                shape,
                found: first..self.found.len(),
            });
            if !self.lx.next(b'}')? {
                break;
            }
        }
        Ok((members, envelope))
    }

    /// Problems inside unknown keys are not problems: drop them, warn about the key. A repeated
    /// key is wrong in any JSON, so it stays.
    fn unknown_keys(&mut self, members: &[Member<'a>], kind: Kind) {
        let known: &[&str] = match kind {
            Kind::Request => &["inputs"],
            Kind::Response => &RESPONSE_KEYS,
        };
        let is_known = |m: &Member| known.contains(&m.key.as_str());

        let mut drop = vec![false; self.found.len()];
        for m in members.iter().filter(|m| !is_known(m)) {
            for i in m.found.clone() {
                drop[i] = self.found[i].diagnostic.rule != rules::DUPLICATE_MEMBER;
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
    }

    /// A response's `warnings`, `errors` and `process_time`: present, one entry per record, and
    /// `outputs` as long as the request it answers (`against`). True for a request-level failure
    /// (no records, `errors` not null).
    fn response_entries(
        &mut self,
        members: &[Member<'a>],
        records: Option<usize>,
        against: Option<(&str, usize)>,
        start: usize,
    ) -> bool {
        let member = |name: &str| members.iter().rev().find(|m| m.key == name);
        let records_member = member("outputs");
        let mut failure_response = false;
        let n = records.unwrap_or(0);
        for name in &RESPONSE_KEYS[1..] {
            let name = *name;
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
        // A request-level failure (no records, one `errors` entry, as the spec's Example 3)
        // answers a request of any size.
        if let (Some(n), Some((request, m)), Some(outputs)) = (records, against, records_member) {
            if n != m && !failure_response {
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
        failure_response
    }

    /// `inputs` / `outputs`: returns the record count (when it is an array) and its envelope:
    /// the header and the rows that are not arrays.
    fn records_table(&mut self, key: &str) -> R<(Option<usize>, Part)> {
        let start = self.lx.pos;
        if let Some(value) = self.not_an_array(rules::RECORDS_NOT_ARRAY, |what| {
            format!(
                "`{key}` is {what}; it must be an array of rows: the header, then one array of \
                 values per record"
            )
        })? {
            return Ok((None, (value, None)));
        }
        // The last `inputs` is the one a reader of the body takes: its rows' spans are kept.
        let mut spans = if key == "inputs" {
            self.spans.take()
        } else {
            None
        };
        if let Some(spans) = &mut spans {
            spans.clear();
        }
        let mut envelope = Sparse::new();
        self.marks = (start, Vec::new());
        if !self.lx.open(b']')? {
            self.spans = self.spans.take().or(spans);
            if key == "inputs" {
                // Spark always sends the header; `[]` is the empty table only when nested.
                self.report(
                    rules::BAD_HEADER,
                    start,
                    "`inputs` is empty: a request's first row is its header (the column names \
                     Spark sends), even when no record follows"
                        .to_string(),
                );
            }
            return Ok((Some(0), envelope.finish()));
        }
        let mut header = self.pool.pop().unwrap_or_default();
        header.clear();
        self.path.push(Seg::Index(0));
        let first_object = self.first_row(key, &mut header, &mut envelope)?;
        // An empty header was reported; widths against it would only add noise.
        let has_header = !header.is_empty();
        let mut count = 0usize;
        while self.lx.next(b']')? {
            count += 1;
            self.set_last(Seg::Index(count));
            self.passed();
            let row = self.lx.pos;
            if count % RECORD_MARK_EVERY == 0 {
                self.marks.1.push((count - 1, row));
            }
            match self.peek() {
                // A record's envelope would be an array, which the schema accepts whatever it
                // holds (its values are checked here): it is left out.
                Some(b'[') => self.record(has_header.then_some(header.as_slice()))?,
                _ => self.not_a_record(&mut envelope, count, first_object.is_some())?,
            }
            if let Some(spans) = &mut spans {
                spans.push((row, self.lx.pos));
            }
        }
        self.spans = self.spans.take().or(spans);
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
            return Ok((Some(records), envelope.finish()));
        }
        Ok((Some(count), envelope.finish()))
    }

    /// The first row of `inputs` / `outputs`, which must be the header: its names go to
    /// `header`. Returns the row when it is an object (an array of objects, reported as a whole
    /// by the caller).
    fn first_row(
        &mut self,
        key: &str,
        header: &mut Vec<&'a str>,
        envelope: &mut Sparse,
    ) -> R<Option<Value<'a>>> {
        let first = self.lx.pos;
        match self.peek() {
            Some(b'[') => {
                self.header(header)?;
                let row = Value::from_checked(self.lx.text, first, self.lx.pos);
                envelope.keep(0, row.to_serde());
            }
            Some(b'{') => {
                envelope.keep(0, Json::Object(Map::new()));
                return Ok(Some(self.checked_value()?));
            }
            _ => {
                let what = type_name(self.peek());
                envelope.keep(0, self.materialize()?);
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
        Ok(None)
    }

    /// A record `count` that is not an array: an object (reported once for the whole table when
    /// the first row was one too: `objects`) or a scalar.
    fn not_a_record(&mut self, envelope: &mut Sparse, count: usize, objects: bool) -> R<()> {
        let row = self.lx.pos;
        if self.peek() == Some(b'{') {
            self.skip_value()?;
            if !objects {
                self.keep(envelope, count, || Json::Object(Map::new()));
                self.report(
                    rules::RECORD_NOT_ARRAY,
                    row,
                    "a record is an object; records are arrays of values in header order \
                     (only the JSON-array format is supported)"
                        .to_string(),
                );
            }
            return Ok(());
        }
        let what = type_name(self.peek());
        let value = self.checked_value()?;
        self.keep(envelope, count, || value.to_serde());
        self.report(
            rules::RECORD_NOT_ARRAY,
            row,
            format!("a record must be an array of values, not {what}"),
        );
        Ok(())
    }

    /// A header row at `[`: column names must be non-empty, unique, non-empty strings.
    fn header(&mut self, keys: &mut Vec<&'a str>) -> R<()> {
        let start = self.lx.pos;
        if !self.lx.open(b']')? {
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
            let at = self.lx.pos;
            if self.peek() == Some(b'"') {
                let raw = self.lx.string()?;
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
                keys.push(&self.lx.text[at..self.lx.pos]);
            }
            if !self.lx.next(b']')? {
                break;
            }
        }
        self.path.pop();
        Ok(())
    }

    /// A record at `[`: each value checked; as many values as the header has columns.
    fn record(&mut self, header: Option<&[&'a str]>) -> R<()> {
        let start = self.lx.pos;
        let mut count = 0usize;
        if self.lx.open(b']')? {
            self.path.push(Seg::Cell(0, None));
            loop {
                // A scalar is the lexer's alone (no rule of ours can report it): the path is set
                // only for a value whose problems are reported at it, or that is not JSON.
                let name = || header.and_then(|h| h.get(count).copied());
                if let Some(b'[' | b'{') = self.peek() {
                    self.set_last(Seg::Cell(count, name()));
                    self.cell()?;
                } else if !self.lx.plain_scalar() {
                    if let Err(e) = self.lx.scalar() {
                        self.set_last(Seg::Cell(count, name()));
                        return Err(e);
                    }
                }
                count += 1;
                if !self.lx.next(b']')? {
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
        let start = self.lx.pos;
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
                let bytes = self.lx.bytes;
                match bytes.get(json::skip_ws(bytes, self.lx.pos + 1)) {
                    Some(b'[') => self.table(),
                    // `[]` is the empty table: no columns, no rows (what an empty list of
                    // objects converts to).
                    Some(b']') => self.skip_value(),
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
            _ => self.lx.scalar(),
        }
    }

    /// A nested table at `[` whose first element is `[`: header, then rows of its width.
    fn table(&mut self) -> R<()> {
        self.tables += 1;
        self.lx.open(b']')?;
        let mut header = self.pool.pop().unwrap_or_default();
        header.clear();
        self.path.push(Seg::Index(0));
        self.header(&mut header)?;
        let mut row = 0usize;
        while self.lx.next(b']')? {
            row += 1;
            self.set_last(Seg::Index(row));
            let at = self.lx.pos;
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
    /// entry count (when an array), how many entries are not `null`, and the envelope (the
    /// entries that are not `null`).
    fn entries(&mut self, key: &str) -> R<(Option<usize>, usize, Part)> {
        let errors = key == "errors";
        if let Some(value) = self.not_an_array(rules::RESPONSE_KEY, |what| {
            format!("`{key}` is {what}; it must be an array with one entry per output record")
        })? {
            return Ok((None, 0, (value, None)));
        }
        let mut envelope = Sparse::new();
        let mut non_null = 0;
        let mut count = 0;
        if self.lx.open(b']')? {
            self.path.push(Seg::Index(0));
            loop {
                self.set_last(Seg::Index(count));
                self.passed();
                let at = self.lx.pos;
                match self.peek() {
                    Some(b'n') => self.lx.literal(b"null")?,
                    Some(b'[') => {
                        non_null += 1;
                        let problems = self.found.len() + self.suppressed;
                        self.message_list(errors)?;
                        // A list of messages the rules found nothing wrong with is one the
                        // schema accepts (the rules check every constraint the schema puts on
                        // messages; a schema test pins that): only the others are kept.
                        if self.found.len() + self.suppressed != problems {
                            let entry = Value::from_checked(self.lx.text, at, self.lx.pos);
                            self.keep(&mut envelope, count, || entry.to_serde());
                        }
                    }
                    _ => {
                        non_null += 1;
                        let what = type_name(self.peek());
                        let value = self.checked_value()?;
                        self.keep(&mut envelope, count, || value.to_serde());
                        self.report(
                            rules::BAD_ENTRY,
                            at,
                            format!(
                                "{} `{key}` entry must be null or an array of {} objects, not {what}",
                                if errors { "an" } else { "a" },
                                if errors { "error" } else { "warning" }
                            ),
                        );
                    }
                }
                count += 1;
                if !self.lx.next(b']')? {
                    break;
                }
            }
            self.path.pop();
        }
        Ok((Some(count), non_null, envelope.finish()))
    }

    fn message_list(&mut self, errors: bool) -> R<()> {
        if !self.lx.open(b']')? {
            return Ok(());
        }
        self.path.push(Seg::Index(0));
        let mut i = 0;
        loop {
            self.set_last(Seg::Index(i));
            let at = self.lx.pos;
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
            if !self.lx.next(b']')? {
                break;
            }
        }
        self.path.pop();
        Ok(())
    }

    /// A warning / error object: the spec's fields present, as strings.
    fn message_object(&mut self, errors: bool) -> R<()> {
        let start = self.lx.pos;
        let fields: &[&str] = if errors {
            &ERROR_FIELDS
        } else {
            &WARNING_FIELDS
        };
        let mut seen = [false; ERROR_FIELDS.len()];
        if self.lx.open(b'}')? {
            let (mut keys, mut set) = (Vec::new(), None);
            loop {
                let key_offset = self.lx.pos;
                let raw = self.lx.member_key()?;
                self.check_unique(&mut keys, &mut set, raw, key_offset);
                let name = key_text(raw);
                let at = self.lx.pos;
                match fields.iter().position(|f| *f == name) {
                    Some(f) => {
                        seen[f] = true;
                        if self.peek() == Some(b'"') {
                            self.lx.string()?;
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
                    None => {
                        self.path.push(Seg::Key(raw));
                        let skipped = self.skip_value();
                        self.path.pop();
                        skipped?;
                    }
                }
                if !self.lx.next(b'}')? {
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

    /// `process_time`: numbers ≥ 0, below 1 a warning. The envelope keeps the entries that are
    /// not numbers or are written with a minus sign (every other number is ≥ 0).
    fn times(&mut self) -> R<(Option<usize>, Part)> {
        if let Some(value) = self.not_an_array(rules::RESPONSE_KEY, |what| {
            format!(
                "`process_time` is {what}; it must be an array with one number of milliseconds \
                 per output record"
            )
        })? {
            return Ok((None, (value, None)));
        }
        let mut envelope = Sparse::new();
        let mut count = 0;
        if self.lx.open(b']')? {
            self.path.push(Seg::Index(0));
            loop {
                self.set_last(Seg::Index(count));
                self.passed();
                let at = self.lx.pos;
                if let Some(b'-' | b'0'..=b'9') = self.peek() {
                    let literal = self.lx.number()?;
                    // A literal starting with 1-9 is at least 1; others need a look at the value.
                    if !matches!(literal.as_bytes()[0], b'1'..=b'9') {
                        if literal.starts_with('-') {
                            self.keep(&mut envelope, count, || {
                                Json::Number(json::value::serde_number(literal))
                            });
                        }
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
                    let value = self.checked_value()?;
                    self.keep(&mut envelope, count, || value.to_serde());
                    self.report(
                        rules::BAD_TIME,
                        at,
                        format!("process_time must be a number of milliseconds, not {what}"),
                    );
                }
                count += 1;
                if !self.lx.next(b']')? {
                    break;
                }
            }
            self.path.pop();
        }
        Ok((Some(count), envelope.finish()))
    }
}

/// Find a key in a header; small headers are compared directly, big ones through a map.
fn find_key<'a>(
    keys: &[&'a str],
    raw: &'a str,
    index: &mut Option<HashMap<Cow<'a, str>, usize>>,
) -> Option<usize> {
    if keys.len() < 32 && !raw.contains('\\') && index.is_none() {
        if let Some(j) = keys.iter().position(|k| *k == raw) {
            return Some(j);
        }
        if !keys.iter().any(|k| k.contains('\\')) {
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
fn array_form(object: &Value) -> String {
    let mut keys = Vec::new();
    let mut values = Vec::new();
    for (i, (key, value)) in object.members().enumerate() {
        if i > 0 {
            keys.push(b',');
            values.push(b',');
        }
        let _ = json::write::write_str(&mut keys, &key.text());
        let _ = json::write::write_value(&mut values, &value, json::write::Style::Compact);
    }
    let mut text = format!(
        "[[{}], [{}]]",
        String::from_utf8_lossy(&keys),
        String::from_utf8_lossy(&values)
    );
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

/// 1-based line and character column for each offset, in one sweep over the text, by the one
/// line-ending rule ([`crate::source::line_col`]).
pub(crate) fn locate(bytes: &[u8], found: &mut [Found]) {
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by_key(|&i| found[i].offset);
    let mut lines = crate::source::Lines::new(bytes);
    for i in order {
        let (line, col) = lines.at(found[i].offset);
        found[i].diagnostic.line = line;
        found[i].diagnostic.col = col;
    }
}

/// The validator's rules for the records table of a body while it is being written (every body
/// `convert` writes goes through it, in `convert::BodyOut`): the header row once, then the rows,
/// a batch of serialized rows at a time, each checked by the very code that checks a whole
/// document (header, record, cell, nested table). So a writer cannot send out a table that
/// `validate` rejects: the first error found is returned, with its pointer in the body being
/// written. Warnings do not stop a writer.
pub(crate) struct RecordsCheck {
    /// The records key with its quotes, as a path segment (`"inputs"`).
    key: &'static str,
    /// The header's column names as JSON text (quotes included), as the scan compares them.
    header: Vec<String>,
    /// Rows checked so far (the header not counted).
    rows: usize,
}

/// A body a writer was about to write breaks a rule: the error, and which record (1-based; 0 is
/// the header row).
#[derive(Debug, Clone)]
pub(crate) struct Refused {
    pub(crate) record: usize,
    pub(crate) diagnostic: Diagnostic,
}

impl RecordsCheck {
    /// Check the header row `row` (the JSON text of one array) of the table under `key`.
    pub(crate) fn header(kind: Kind, row: &str) -> Result<RecordsCheck, Refused> {
        let key = match kind {
            Kind::Request => "\"inputs\"",
            Kind::Response => "\"outputs\"",
        };
        let mut scanner = Scanner::over(row);
        scanner.path.push(Seg::Key(key));
        let mut keys = Vec::new();
        let outcome = scanner.header(&mut keys);
        let header = keys.iter().map(|k| k.to_string()).collect();
        scanner.first_error(outcome, 0)?;
        Ok(RecordsCheck {
            key,
            header,
            rows: 0,
        })
    }

    /// Check `count` rows, serialized one after another with a `,` (and any whitespace) between.
    pub(crate) fn rows(&mut self, rows: &[u8], count: usize) -> Result<(), Refused> {
        let first = self.rows;
        let refused = |done: usize, message: String| Refused {
            record: first + done + 1,
            diagnostic: Diagnostic::new(rules::SYNTAX, Severity::Error, "", message),
        };
        let Ok(text) = crate::text::utf8(rows) else {
            return Err(refused(0, "the rows written are not UTF-8".to_string()));
        };
        let header: Vec<&str> = self.header.iter().map(String::as_str).collect();
        let mut scanner = Scanner::over(text);
        scanner.path.push(Seg::Key(self.key));
        scanner.path.push(Seg::Index(first + 1));
        let mut done = 0usize;
        let outcome = (|| -> R<()> {
            loop {
                scanner.lx.skip_ws();
                if scanner.peek() != Some(b'[') {
                    return Err(scanner.lx.error(json::ErrorKind::ExpectedCommaOrEnd(b']')));
                }
                scanner.set_last(Seg::Index(first + done + 1));
                scanner.record((!header.is_empty()).then_some(header.as_slice()))?;
                done += 1;
                scanner.lx.skip_ws();
                match scanner.peek() {
                    None => return Ok(()),
                    Some(b',') => scanner.lx.pos += 1,
                    Some(_) => {
                        return Err(scanner.lx.error(json::ErrorKind::ExpectedCommaOrEnd(b']')))
                    }
                }
                if scanner.first_error_index().is_some() {
                    return Ok(());
                }
            }
        })();
        scanner.first_error(outcome, first + done + 1)?;
        if done != count {
            return Err(refused(
                0,
                format!("{count} rows were to be written, {done} were"),
            ));
        }
        self.rows += count;
        Ok(())
    }
}

impl<'a> Scanner<'a, '_> {
    /// A scanner over a piece of text that is not a whole document.
    fn over(text: &'a str) -> Scanner<'a, 'static> {
        Scanner::new(text, None)
    }

    fn first_error_index(&self) -> Option<usize> {
        self.found
            .iter()
            .position(|f| f.diagnostic.severity == Severity::Error)
    }

    /// The first error found (or the syntax error that stopped the scan), as a refusal of
    /// `record`.
    fn first_error(&mut self, outcome: R<()>, record: usize) -> Result<(), Refused> {
        if let Err(e) = outcome {
            let diagnostic = Diagnostic::new(
                rules::SYNTAX,
                Severity::Error,
                self.pointer(),
                format!("the text written is not JSON: {e:?}"),
            );
            return Err(Refused { record, diagnostic });
        }
        match self.first_error_index() {
            Some(i) => {
                let diagnostic = self.found.swap_remove(i).diagnostic;
                // The record is the pointer's second step (`/inputs/N/…`).
                let record = diagnostic
                    .pointer
                    .split('/')
                    .nth(2)
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(record);
                Err(Refused { record, diagnostic })
            }
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_cell_that_is_not_json_is_located_at_its_cell() {
        let mut check = RecordsCheck::header(Kind::Request, r#"["a","b","c"]"#).unwrap();
        let refused = check.rows(br#"[1,"x",true],[2,"y",tru]"#, 2).unwrap_err();
        assert_eq!(refused.diagnostic.pointer, "/inputs/2/2", "{refused:?}");
        assert_eq!(refused.record, 2, "the second record: {refused:?}");
        let mut check = RecordsCheck::header(Kind::Request, r#"["a","b","c"]"#).unwrap();
        let refused = check.rows(br#"[1,"x\q",true]"#, 1).unwrap_err();
        assert_eq!(refused.diagnostic.pointer, "/inputs/1/1");
    }

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
    fn envelope_pointers_map_back_to_the_document() {
        let envelope = Envelope {
            doc: Json::Null,
            sparse: vec![("warnings".to_string(), vec![0, 5000, 7])],
        };
        assert_eq!(envelope.document_pointer("/warnings/1"), "/warnings/5000");
        assert_eq!(
            envelope.document_pointer("/warnings/1/0/a"),
            "/warnings/5000/0/a"
        );
        assert_eq!(envelope.document_pointer("/warnings/3"), "/warnings/3");
        assert_eq!(envelope.document_pointer("/errors/1"), "/errors/1");
        assert_eq!(envelope.document_pointer(""), "");
        assert_eq!(envelope.document_pointer("/warnings"), "/warnings");
    }

    #[test]
    fn duplicate_keys_deep_inside_skipped_values_get_their_full_pointers() {
        let found = rules_of(
            r#"{"inputs":[["a"],[1]],"x":[{"a":{"b":[0,{"k":1,"k":2}],"b":3}},{"k":1,"k":2}]}"#,
        );
        assert_eq!(
            found,
            [
                ("XC003", "/x/0/a/b/1/k".to_string()),
                ("XC003", "/x/0/a/b".to_string()),
                ("XC003", "/x/1/k".to_string()),
                ("XC121", "/x".to_string()),
            ]
        );
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
