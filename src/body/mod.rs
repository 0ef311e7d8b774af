//! The XConnector format model every command uses: request and response bodies, tables in the
//! JSON-array format (first row the header), records, cells, warning/error messages, the writers
//! that print bodies back, and the response builder.
//!
//! The model is a set of typed *views* over [`json::Value`]s — spans of the checked input text —
//! so a body costs its text plus a few words per table or record looked at: numbers keep their
//! exact text (`1.10`, `1e3`, `12345678901234567890`), key order is the text's order, and every
//! value knows its byte offset for diagnostics. The views never fail on a malformed body (what
//! does not fit shows up as [`Cell::Other`]); saying what is wrong is the validator's job.

pub(crate) mod build;
pub(crate) mod columns;
pub(crate) mod flatten;
pub(crate) mod write;

use std::borrow::Cow;

pub(crate) use crate::json::{Value, ValueKind};
pub use write::{write_document, Layout};
pub(crate) use write::{write_record_object, RecordWriter};

/// Which body a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `{"inputs": [...]}` sent by Spark to the remote service.
    Request,
    /// `{"outputs": [...], "warnings": [...], "errors": [...], "process_time": [...]}`.
    Response,
}

impl Kind {
    /// The key holding the records: `inputs` or `outputs`.
    pub(crate) fn records_key(self) -> &'static str {
        match self {
            Kind::Request => "inputs",
            Kind::Response => "outputs",
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Response => "response",
        }
    }

    /// Detect the kind of a document: an object with `outputs` is a response, one with `inputs` a
    /// request. `None` when it has neither (or is not an object).
    pub(crate) fn detect(doc: &Value) -> Option<Kind> {
        if !doc.is_object() {
            return None;
        }
        let mut inputs = false;
        for (key, _) in doc.members() {
            if key.matches("outputs") {
                return Some(Kind::Response);
            }
            inputs |= key.matches("inputs");
        }
        inputs.then_some(Kind::Request)
    }
}

/// Where a top-level member goes in a body: `inputs`, `outputs`, `warnings`, `errors`,
/// `process_time` (0–4), for the key `is` says it is; other keys have no place.
fn member_slot(is: impl Fn(&str) -> bool) -> Option<usize> {
    ["inputs", "outputs", "warnings", "errors", "process_time"]
        .iter()
        .position(|name| is(name))
}

/// The top-level keys of a response body, in the spec's order.
pub(crate) const RESPONSE_KEYS: [&str; 4] = ["outputs", "warnings", "errors", "process_time"];
/// Fields of a warning entry, as the spec shows them.
pub const WARNING_FIELDS: [&str; 2] = ["source_path", "message"];
/// Fields of an error entry, as the spec shows them.
pub const ERROR_FIELDS: [&str; 5] = [
    "error_category",
    "error_type",
    "additional_details",
    "source_path",
    "message",
];

/// The elements of one array, indexed for random access: a byte offset per element (one word
/// each), the element itself found again when asked for.
#[derive(Debug, Clone, Default)]
pub struct ArrayIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> ArrayIndex<'a> {
    /// Index the elements of `array` (nothing when it is not an array).
    pub(crate) fn of(array: &Value<'a>) -> ArrayIndex<'a> {
        ArrayIndex {
            src: array.source(),
            starts: array.items().map(|v| v.offset()).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    pub fn get(&self, index: usize) -> Option<Value<'a>> {
        self.starts
            .get(index)
            .map(|&start| Value::starting_at(self.src, start))
    }
}

/// A table in the JSON-array format: the first row is the header, the others are records.
/// `inputs`, `outputs` and nested table values all have this shape.
#[derive(Debug, Clone, Copy)]
pub struct Table<'a> {
    /// The whole array, header row included.
    pub(crate) rows: Value<'a>,
    /// The header row (`None` for an empty array).
    pub header: Option<Value<'a>>,
}

impl<'a> Table<'a> {
    /// Read `inputs` / `outputs`: any array; an empty array is a table with no header.
    pub(crate) fn from_records_array(value: &Value<'a>) -> Option<Table<'a>> {
        if !value.is_array() {
            return None;
        }
        Some(Table {
            rows: *value,
            header: value.items().next(),
        })
    }

    /// Read a *value* as a nested table: a non-empty array of arrays whose first row is all
    /// strings. Anything else is not a table.
    pub(crate) fn from_value(value: &Value<'a>) -> Option<Table<'a>> {
        Table::counted(value).map(|(table, _)| table)
    }

    /// [`Table::from_value`] and the table's number of records ([`Table::len`]), found in the
    /// same walk over its rows.
    pub(crate) fn counted(value: &Value<'a>) -> Option<(Table<'a>, usize)> {
        let mut rows = value.items();
        let header = rows.next()?;
        if !header.is_array() || !header.items().all(|k| k.is_string()) {
            return None;
        }
        let len = match crate::json::value::array_children(value.raw().as_bytes()) {
            Some((elements, arrays)) if arrays == elements => elements - 1,
            Some(_) => return None,
            None => {
                let mut len = 0;
                for row in rows {
                    if !row.is_array() {
                        return None;
                    }
                    len += 1;
                }
                len
            }
        };
        let table = Table {
            rows: *value,
            header: Some(header),
        };
        Some((table, len))
    }

    /// The header's entries (strings in a valid body).
    pub(crate) fn header_values(&self) -> impl Iterator<Item = Value<'a>> {
        self.header.into_iter().flat_map(|h| h.items())
    }

    /// The header's keys; a non-string entry reads as its JSON text.
    pub fn keys(&self) -> Vec<String> {
        self.header_values()
            .map(|k| key_text(&k).into_owned())
            .collect()
    }

    /// Number of columns in the header.
    pub fn width(&self) -> usize {
        self.header_values().count()
    }

    /// The rows after the header (arrays in a valid body), in order.
    pub fn records(&self) -> impl Iterator<Item = Value<'a>> {
        self.rows.items().skip(1)
    }

    /// Number of records (rows after the header); a walk over the table.
    pub fn len(&self) -> usize {
        self.records().count()
    }

    pub fn is_empty(&self) -> bool {
        self.records().next().is_none()
    }

    /// Call `each(record, cells)` for every record in order, walking the text once: a record's
    /// cells are found while its end is (no second walk per record, as `records()` then
    /// `items()` would take). A record that is not an array gets no cells.
    pub(crate) fn each_record<E>(
        &self,
        mut each: impl FnMut(Value<'a>, &[Value<'a>]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut cells: Vec<Value<'a>> = Vec::new();
        let mut rows = self.rows.items();
        // The header is skipped; each record comes with its cells.
        if rows.next().is_none() {
            return Ok(());
        }
        while let Some(record) = rows.next_with_items(&mut cells) {
            each(record, &cells)?;
        }
        Ok(())
    }

    /// [`Table::each_record`] from the record that starts at byte `offset` of the text (a
    /// record's start as the validator saw it), numbered from `index`: `each(index, record,
    /// cells)`.
    pub(crate) fn each_record_from<E>(
        &self,
        offset: usize,
        mut index: usize,
        mut each: impl FnMut(usize, Value<'a>, &[Value<'a>]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut cells: Vec<Value<'a>> = Vec::new();
        let mut rows = self.rows.items_from(offset);
        while let Some(record) = rows.next_with_items(&mut cells) {
            each(index, record, &cells)?;
            index += 1;
        }
        Ok(())
    }

    /// The records indexed for random access.
    pub fn index(&self) -> ArrayIndex<'a> {
        let mut index = ArrayIndex::of(&self.rows);
        if !index.starts.is_empty() {
            index.starts.remove(0);
        }
        index
    }
}

/// The values of a record (nothing when the record is not an array).
pub fn record_values<'a>(record: &Value<'a>) -> Vec<Value<'a>> {
    record.items().collect()
}

/// The text of a header entry: the string itself, or the JSON text of anything else.
pub(crate) fn key_text<'a>(key: &Value<'a>) -> Cow<'a, str> {
    match key.as_str() {
        Some(s) => s,
        None => Cow::Owned(crate::json::write::to_compact_string(key)),
    }
}

/// A cell value, classified.
#[derive(Debug, Clone)]
pub enum Cell<'a> {
    Null,
    Bool(bool),
    /// A number's exact text.
    Number(&'a str),
    String(Cow<'a, str>),
    Table(Table<'a>),
    /// Not a valid XConnector value (an object, or an array that is not a table).
    Other(Value<'a>),
}

impl<'a> Cell<'a> {
    pub fn of(value: &Value<'a>) -> Cell<'a> {
        match value.kind() {
            ValueKind::Null => Cell::Null,
            ValueKind::Bool => Cell::Bool(value.as_bool().unwrap_or(false)),
            ValueKind::Number => Cell::Number(value.raw()),
            ValueKind::String => Cell::String(value.as_str().unwrap_or_default()),
            ValueKind::Array => match Table::from_value(value) {
                Some(table) => Cell::Table(table),
                None => Cell::Other(*value),
            },
            ValueKind::Object => Cell::Other(*value),
        }
    }
}

/// A warning or error entry: an object with `source_path`, `message` and, for errors,
/// `error_category`, `error_type`, `additional_details`.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub(crate) fields: Value<'a>,
}

impl<'a> Message<'a> {
    /// A field as text: strings as they are, other values as JSON text, absent as `None`.
    pub(crate) fn field(&self, name: &str) -> Option<String> {
        self.fields.get(name).map(|v| key_text(&v).into_owned())
    }

    /// Every field in order, values as text.
    pub fn all_fields(&self) -> Vec<(String, String)> {
        self.fields
            .members()
            .map(|(k, v)| (k.text().into_owned(), key_text(&v).into_owned()))
            .collect()
    }

    pub fn source_path(&self) -> Option<String> {
        self.field("source_path")
    }

    pub fn message(&self) -> Option<String> {
        self.field("message")
    }
}

/// The messages of one `warnings` / `errors` entry: `null` is none; an array lists its objects
/// (entries that are not objects are skipped — the validator reports them).
pub fn messages<'a>(entry: &Value<'a>) -> Vec<Message<'a>> {
    entry
        .items()
        .filter(|item| item.is_object())
        .map(|fields| Message { fields })
        .collect()
}

/// A request body: `{"inputs": [...]}`.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub(crate) doc: Value<'a>,
    /// `None` when `inputs` is missing or not an array.
    pub(crate) inputs: Option<Table<'a>>,
}

/// A response body: `outputs`, `warnings`, `errors`, `process_time`.
#[derive(Debug, Clone, Copy)]
pub struct Response<'a> {
    pub(crate) doc: Value<'a>,
    /// `None` when `outputs` is missing or not an array.
    pub(crate) outputs: Option<Table<'a>>,
    /// Per-record entries; `None` when missing or not an array.
    pub warnings: Option<Value<'a>>,
    pub errors: Option<Value<'a>>,
    pub process_time: Option<Value<'a>>,
}

/// A body of either kind.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    Request(Request<'a>),
    Response(Response<'a>),
}

impl<'a> Body<'a> {
    /// View a document as a body of `kind` (or the detected kind). `None` when the document is
    /// not an object or the kind cannot be told. One walk over the top-level keys.
    pub fn view(doc: &Value<'a>, kind: Option<Kind>) -> Option<Body<'a>> {
        Body::view_with(doc, kind, &mut |_| {})
    }

    /// [`Body::view`], calling `passed(offset)` every few MB while it walks past large values
    /// (a mapped source gives those pages back, so viewing a big file keeps memory flat).
    pub(crate) fn view_with(
        doc: &Value<'a>,
        kind: Option<Kind>,
        passed: &mut dyn FnMut(usize),
    ) -> Option<Body<'a>> {
        if !doc.is_object() {
            return None;
        }
        let kind = kind.or_else(|| Kind::detect(doc))?;
        let mut found: [Option<Value<'a>>; 5] = [None; 5];
        let mut members = doc.members();
        while let Some((key, value)) = members.next_with(&mut *passed) {
            if let Some(slot) = member_slot(|name| key.matches(name)) {
                found[slot].get_or_insert(value);
                // A request needs only `inputs`: stop there rather than walk on.
                if slot == 0 && kind == Kind::Request {
                    break;
                }
            }
        }
        Some(Body::assemble(doc, kind, found))
    }

    /// [`Body::view`] from the top-level members a scan already found (`(unescaped key, span of
    /// the value in the document's text)`, in order), without walking the document again.
    pub(crate) fn from_members<'m>(
        doc: &Value<'a>,
        kind: Kind,
        members: impl Iterator<Item = (&'m str, (usize, usize))>,
    ) -> Body<'a> {
        let mut found: [Option<Value<'a>>; 5] = [None; 5];
        for (key, (start, end)) in members {
            if let Some(slot) = member_slot(|name| key == name) {
                found[slot].get_or_insert(Value::from_checked(doc.source(), start, end));
            }
        }
        Body::assemble(doc, kind, found)
    }

    /// The body of `kind` from its members in the order of [`member_slot`].
    fn assemble(doc: &Value<'a>, kind: Kind, found: [Option<Value<'a>>; 5]) -> Body<'a> {
        let array = |v: Option<Value<'a>>| v.filter(|v| v.is_array());
        match kind {
            Kind::Request => Body::Request(Request {
                doc: *doc,
                inputs: found[0].as_ref().and_then(Table::from_records_array),
            }),
            Kind::Response => Body::Response(Response {
                doc: *doc,
                outputs: found[1].as_ref().and_then(Table::from_records_array),
                warnings: array(found[2]),
                errors: array(found[3]),
                process_time: array(found[4]),
            }),
        }
    }

    pub(crate) fn kind(&self) -> Kind {
        match self {
            Body::Request(_) => Kind::Request,
            Body::Response(_) => Kind::Response,
        }
    }

    /// The records table (`inputs` or `outputs`).
    pub fn records(&self) -> Option<Table<'a>> {
        match self {
            Body::Request(r) => r.inputs,
            Body::Response(r) => r.outputs,
        }
    }

    /// The whole document.
    pub fn doc(&self) -> Value<'a> {
        match self {
            Body::Request(r) => r.doc,
            Body::Response(r) => r.doc,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Value<'_> {
        crate::json::parse(text).unwrap()
    }

    #[test]
    fn nested_tables_are_recognised() {
        let doc = parse(r#"{"inputs":[["T"],[[["a","b"],[1,2]]],[[1,2]]]}"#);
        let body = Body::view(&doc, None).unwrap();
        let table = body.records().unwrap();
        let records = table.index();
        let first = record_values(&records.get(0).unwrap());
        let second = record_values(&records.get(1).unwrap());
        assert!(matches!(Cell::of(&first[0]), Cell::Table(t) if t.width() == 2));
        assert!(matches!(Cell::of(&second[0]), Cell::Other(_)));
    }

    #[test]
    fn each_record_sees_the_records_and_their_cells_as_the_iterators_do() {
        let doc = parse(
            r#"{"inputs": [ ["a", "b"] , [1, [["k"], [2]]] ,{"x": 1},[ ], ["s,]", null ] ]}"#,
        );
        let table = Body::view(&doc, None).unwrap().records().unwrap();
        let mut seen = Vec::new();
        table
            .each_record(|record, cells| {
                let raw: Vec<&str> = cells.iter().map(|c| c.raw()).collect();
                seen.push((record.raw().to_string(), raw.join("|")));
                Ok::<(), ()>(())
            })
            .unwrap();
        let expected: Vec<(String, String)> = table
            .records()
            .map(|r| {
                let raw: Vec<&str> = r.items().map(|c| c.raw()).collect();
                (r.raw().to_string(), raw.join("|"))
            })
            .collect();
        assert_eq!(seen, expected);
        assert_eq!(seen.len(), 4);
    }

    #[test]
    fn kind_is_detected_from_the_keys() {
        assert_eq!(
            Kind::detect(&parse(r#"{"x":1,"inputs":[]}"#)),
            Some(Kind::Request)
        );
        assert_eq!(
            Kind::detect(&parse(r#"{"inputs":[],"outputs":[]}"#)),
            Some(Kind::Response)
        );
        assert_eq!(Kind::detect(&parse(r#"[]"#)), None);
    }

    #[test]
    fn a_response_view_finds_its_arrays_and_indexes_them() {
        let doc = parse(
            r#"{"outputs":[["a"],[1],[2]],"warnings":[null,[{"message":"w"}]],"errors":[null,null],"process_time":[1,2]}"#,
        );
        let Some(Body::Response(r)) = Body::view(&doc, None) else {
            panic!("not a response")
        };
        let warnings = ArrayIndex::of(&r.warnings.unwrap());
        assert_eq!(warnings.len(), 2);
        let second = messages(&warnings.get(1).unwrap());
        assert_eq!(second[0].message().as_deref(), Some("w"));
        assert_eq!(r.outputs.unwrap().len(), 2);
        assert_eq!(r.outputs.unwrap().keys(), ["a"]);
    }
}
