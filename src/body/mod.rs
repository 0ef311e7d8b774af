//! The XConnector format model, used by every command: request and response bodies, tables in the
//! JSON-array format (first row the header), records, cells, warning/error messages — and the writer
//! that prints bodies back.
//!
//! The document itself stays a `serde_json::Value` built with `preserve_order` and
//! `arbitrary_precision`, so key order and numbers exactly as written (`1.10`, `1e3`,
//! `12345678901234567890`) survive a round trip. The types here are typed *views* over it: they
//! never fail on a malformed body (what does not fit shows up as [`Cell::Other`]); saying what is
//! wrong is the validator's job.

mod write;

pub use serde_json::{Map, Number, Value as Json};
pub use write::{write_document, write_spaced, Layout, RecordWriter};

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
    pub fn records_key(self) -> &'static str {
        match self {
            Kind::Request => "inputs",
            Kind::Response => "outputs",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Response => "response",
        }
    }

    /// Detect the kind of a document: an object with `outputs` is a response, one with `inputs` a
    /// request. `None` when it has neither (or is not an object).
    pub fn detect(doc: &Json) -> Option<Kind> {
        let object = doc.as_object()?;
        if object.contains_key("outputs") {
            Some(Kind::Response)
        } else if object.contains_key("inputs") {
            Some(Kind::Request)
        } else {
            None
        }
    }
}

/// The top-level keys of a response body, in the spec's order.
pub const RESPONSE_KEYS: [&str; 4] = ["outputs", "warnings", "errors", "process_time"];
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

/// A table in the JSON-array format: the first row is the header, the others are records.
/// `inputs`, `outputs` and nested table values all have this shape.
#[derive(Debug, Clone, Copy)]
pub struct Table<'a> {
    /// The header row's entries (strings in a valid body).
    pub header: &'a [Json],
    /// The rows after the header (arrays in a valid body).
    pub records: &'a [Json],
}

impl<'a> Table<'a> {
    /// Read `inputs` / `outputs`: any array; an empty array is a table with no header.
    pub fn from_records_array(value: &'a Json) -> Option<Table<'a>> {
        let rows = value.as_array()?;
        match rows.split_first() {
            None => Some(Table {
                header: &[],
                records: &[],
            }),
            Some((first, rest)) => Some(Table {
                header: first.as_array().map_or(&[][..], |h| h.as_slice()),
                records: rest,
            }),
        }
    }

    /// Read a *value* as a nested table: a non-empty array of arrays whose first row is all
    /// strings. Anything else is not a table.
    pub fn from_value(value: &'a Json) -> Option<Table<'a>> {
        let rows = value.as_array()?;
        let (first, rest) = rows.split_first()?;
        let header = first.as_array()?;
        if header.iter().all(Json::is_string) && rest.iter().all(Json::is_array) {
            Some(Table {
                header,
                records: rest,
            })
        } else {
            None
        }
    }

    /// The header's keys; a non-string entry reads as its JSON text.
    pub fn keys(&self) -> Vec<String> {
        self.header.iter().map(key_text).collect()
    }

    /// Number of columns in the header.
    pub fn width(&self) -> usize {
        self.header.len()
    }

    /// Number of records (rows after the header).
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The values of record `index` (0-based); a record that is not an array reads as empty.
    pub fn record(&self, index: usize) -> &'a [Json] {
        self.records
            .get(index)
            .and_then(Json::as_array)
            .map_or(&[][..], |r| r.as_slice())
    }

    /// Records as JSON objects (header keys → values), nested tables as arrays of objects.
    /// This is the "objects" view `convert --to json` and `show --format csv` use.
    pub fn to_objects(&self) -> Vec<Json> {
        let keys = self.keys();
        (0..self.len())
            .map(|i| Json::Object(record_object(&keys, self.record(i))))
            .collect()
    }
}

/// One record as an object: keys from the header, values converted with [`value_to_object_form`].
/// Missing values read as null; values beyond the header are kept under `_extra_N` keys.
pub fn record_object(keys: &[String], values: &[Json]) -> Map<String, Json> {
    let mut object = Map::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let value = values.get(i).map_or(Json::Null, value_to_object_form);
        object.insert(key.clone(), value);
    }
    for (i, value) in values.iter().enumerate().skip(keys.len()) {
        object.insert(format!("_extra_{}", i + 1), value_to_object_form(value));
    }
    object
}

/// A cell in object form: a nested table becomes an array of objects; other values are unchanged.
pub fn value_to_object_form(value: &Json) -> Json {
    match Table::from_value(value) {
        Some(table) => Json::Array(table.to_objects()),
        None => value.clone(),
    }
}

/// The text of a header entry: the string itself, or the JSON text of anything else.
pub fn key_text(key: &Json) -> String {
    match key {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A cell value, classified.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Null,
    Bool(bool),
    Number(&'a Number),
    String(&'a str),
    Table(Table<'a>),
    /// Not a valid XConnector value (an object, or an array that is not a table).
    Other(&'a Json),
}

impl<'a> Cell<'a> {
    pub fn of(value: &'a Json) -> Cell<'a> {
        match value {
            Json::Null => Cell::Null,
            Json::Bool(b) => Cell::Bool(*b),
            Json::Number(n) => Cell::Number(n),
            Json::String(s) => Cell::String(s),
            Json::Array(_) => match Table::from_value(value) {
                Some(table) => Cell::Table(table),
                None => Cell::Other(value),
            },
            Json::Object(_) => Cell::Other(value),
        }
    }
}

/// A warning or error entry: an object with `source_path`, `message` and, for errors,
/// `error_category`, `error_type`, `additional_details`.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub fields: &'a Map<String, Json>,
}

impl<'a> Message<'a> {
    /// A field as text: strings as they are, other values as JSON text, absent as `None`.
    pub fn field(&self, name: &str) -> Option<String> {
        self.fields.get(name).map(|v| match v {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        })
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
pub fn messages(entry: &Json) -> Vec<Message<'_>> {
    match entry {
        Json::Array(items) => items
            .iter()
            .filter_map(|item| item.as_object().map(|fields| Message { fields }))
            .collect(),
        _ => Vec::new(),
    }
}

/// A request body: `{"inputs": [...]}`.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub doc: &'a Map<String, Json>,
    /// `None` when `inputs` is missing or not an array.
    pub inputs: Option<Table<'a>>,
}

/// A response body: `outputs`, `warnings`, `errors`, `process_time`.
#[derive(Debug, Clone, Copy)]
pub struct Response<'a> {
    pub doc: &'a Map<String, Json>,
    /// `None` when `outputs` is missing or not an array.
    pub outputs: Option<Table<'a>>,
    /// Per-record entries; `None` when missing or not an array.
    pub warnings: Option<&'a [Json]>,
    pub errors: Option<&'a [Json]>,
    pub process_time: Option<&'a [Json]>,
}

/// A body of either kind.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    Request(Request<'a>),
    Response(Response<'a>),
}

impl<'a> Body<'a> {
    /// View a document as a body of `kind` (or the detected kind). `None` when the document is
    /// not an object or the kind cannot be told.
    pub fn view(doc: &'a Json, kind: Option<Kind>) -> Option<Body<'a>> {
        let object = doc.as_object()?;
        let array = |key: &str| object.get(key).and_then(Json::as_array).map(Vec::as_slice);
        match kind.or_else(|| Kind::detect(doc))? {
            Kind::Request => Some(Body::Request(Request {
                doc: object,
                inputs: object.get("inputs").and_then(Table::from_records_array),
            })),
            Kind::Response => Some(Body::Response(Response {
                doc: object,
                outputs: object.get("outputs").and_then(Table::from_records_array),
                warnings: array("warnings"),
                errors: array("errors"),
                process_time: array("process_time"),
            })),
        }
    }

    pub fn kind(&self) -> Kind {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Json {
        crate::json::parse(text).unwrap()
    }

    #[test]
    fn numbers_and_key_order_survive_a_round_trip() {
        let text = r#"{"z":1,"inputs":[["a","b"],[1.10,12345678901234567890],[1e3,-0.0]]}"#;
        let doc = parse(text);
        assert_eq!(serde_json::to_string(&doc).unwrap(), text);
    }

    #[test]
    fn nested_tables_are_recognised() {
        let doc = parse(r#"{"inputs":[["T"],[[["a","b"],[1,2]]],[[1,2]]]}"#);
        let body = Body::view(&doc, None).unwrap();
        let table = body.records().unwrap();
        assert!(matches!(Cell::of(&table.record(0)[0]), Cell::Table(t) if t.width() == 2));
        assert!(matches!(Cell::of(&table.record(1)[0]), Cell::Other(_)));
    }

    #[test]
    fn records_become_objects_with_tables_as_arrays_of_objects() {
        let doc = parse(r#"{"inputs":[["k","T"],["x",[["a"],[1],[2]]]]}"#);
        let table = Body::view(&doc, None).unwrap().records().unwrap();
        assert_eq!(
            serde_json::to_string(&table.to_objects()).unwrap(),
            r#"[{"k":"x","T":[{"a":1},{"a":2}]}]"#
        );
    }
}
