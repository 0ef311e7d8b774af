//! The validator: JSON syntax, JSON Schema and the XConnector rules a schema cannot say, each rule
//! with a stable id. Produces located [`Diagnostic`]s for `validate`, `show` and `call`.
//!
//! How a document is checked:
//! 1. [`scan`] walks the text once with the checked [`crate::json::Lexer`], without building the
//!    document: syntax (exact line:column and a hint), duplicate keys at any depth, then every rule
//!    in [`rules::RULES`], each problem with the byte offset of its value.
//! 2. The JSON Schema ([`schema`]) runs through the `jsonschema` crate on the document's envelope
//!    (everything but what step 1 checks value by value, see [`scan::Envelope`]). A schema error
//!    is reported (`XC050`) only when no rule already reported a problem at, inside or around the
//!    same place, so one problem gives one clear message.
//! 3. Offsets become line:column in one sweep, and only when there is something to report.
//!
//! The check is the only pass a command needs: [`Checked::root`] is the document's span, and
//! [`body_root`] turns it into a [`Value`] to view the body with (`show`, `call`, `serve`)
//! without parsing again.

pub(crate) mod report;
pub mod rules;
pub(crate) mod scan;
pub mod schema;

use std::io::{self, Write};

use crate::body::Kind;
use crate::diag::{nearest_offset, Diagnostic, Severity};
use crate::error::data_error;
use crate::json::Value;
use crate::source::{JsonSyntaxError, Source};

pub use rules::SYNTAX;
pub(crate) use scan::TopMember;

/// A document after checking: its kind, its located diagnostics and, when it is JSON, where the
/// document is in the text.
pub struct Checked {
    pub kind: Option<Kind>,
    pub diagnostics: Vec<Diagnostic>,
    /// The byte span `(start, end)` of the document in the checked text (surrounding whitespace
    /// excluded), when it is JSON (no `XC001`). See [`body_root`].
    pub root: Option<(usize, usize)>,
    /// Problems past the first [`scan::MAX_REPORTED`]: counted, not listed (an `XC002` note in
    /// `diagnostics` says how many).
    pub(crate) unlisted: Unlisted,
}

/// Problems counted but not listed, by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Unlisted {
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
}

impl Checked {
    /// Any error, listed or only counted.
    pub fn has_errors(&self) -> bool {
        self.unlisted.errors > 0
            || self
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
    }

    pub(crate) fn has_warnings(&self) -> bool {
        self.unlisted.warnings > 0
            || self
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Warning)
    }
}

/// The request a response answers (`--against`): its name and number of input records.
#[derive(Debug, Clone)]
pub struct Against {
    pub name: String,
    pub records: usize,
}

impl Against {
    /// Count the input records of the request in `source`. Not a valid request: a data error
    /// (exit 1) naming its first error.
    pub(crate) fn from_request(source: &Source) -> anyhow::Result<Against> {
        let options = Options {
            kind: Some(Kind::Request),
            ..Options::default()
        };
        let validated = check_source_with(source, &options);
        let first_error = validated
            .checked
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error);
        let name = &source.name;
        match (first_error, validated.records) {
            (None, Some(records)) => Ok(Against {
                name: name.clone(),
                records,
            }),
            (Some(d), _) => Err(data_error(format!(
                "--against {name}: not a valid request: {name}:{}:{}: {}",
                d.line, d.col, d.message
            ))),
            (None, None) => Err(data_error(format!(
                "--against {name}: not a valid request: no `inputs` records"
            ))),
        }
    }
}

/// How to check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Force request/response instead of detecting it.
    pub kind: Option<Kind>,
    /// Rule `XC130`: output records must match this request's input records.
    pub against: Option<Against>,
}

/// A checked document with its record count (`inputs` / `outputs` rows after the header).
pub struct Validated {
    pub checked: Checked,
    pub records: Option<usize>,
    /// Nested tables in record values (0: every record is flat, so a flattener needs no plan).
    pub(crate) nested_tables: usize,
    /// The top-level members with their spans and entry counts (empty when the body is not a
    /// JSON object): take the body apart from these, without walking it again.
    pub(crate) members: Vec<TopMember>,
    /// The byte span of each record of `inputs` (rows after the header), from
    /// [`check_request_text`] only: empty otherwise.
    pub(crate) record_spans: Vec<(usize, usize)>,
    /// Every [`scan::RECORD_MARK_EVERY`]th record of the records table: where it starts
    /// ([`scan::Scanned::record_marks`]).
    pub(crate) record_marks: scan::RecordMarks,
}

/// A response that fails the whole request instead of answering each record: no output records
/// and a request-level `errors` entry (the spec's Example 3). Valid against a request of any size,
/// so a caller that asked for records must tell it apart from an answer: [`Validated::request_failure`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RequestFailure {
    /// The `error_type` of the first error, when it has one.
    pub(crate) error_type: Option<String>,
    /// The `error_category` of the first error, when it has one.
    pub(crate) error_category: Option<String>,
    /// The errors' messages, in order (those that have one).
    pub(crate) messages: Vec<String>,
}

impl RequestFailure {
    /// The messages for people: the first three joined by `; `, then how many more (not
    /// escaped: the caller escapes for where it prints).
    pub(crate) fn reason(&self) -> String {
        let mut text = self
            .messages
            .iter()
            .take(3)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("; ");
        if self.messages.len() > 3 {
            text.push_str(&format!(" (and {} more)", self.messages.len() - 3));
        }
        if text.is_empty() {
            text = "no message".to_string();
        }
        text
    }
}

impl Validated {
    /// When this is a response that fails the whole request (no output records and a non-null
    /// `errors` entry), what its errors say; `text` is the text that was checked. `None` for any
    /// other document, or one that is not a response.
    pub(crate) fn request_failure(&self, text: &str) -> Option<RequestFailure> {
        if self.checked.kind != Some(Kind::Response) || self.records != Some(0) {
            return None;
        }
        let errors = self
            .members
            .iter()
            .rev()
            .find(|m| m.key == "errors")
            .filter(|m| m.non_null > 0)?;
        let fits = errors.span.0 <= errors.span.1
            && errors.span.1 <= text.len()
            && text.is_char_boundary(errors.span.0)
            && text.is_char_boundary(errors.span.1);
        if !fits {
            return None;
        }
        let list = Value::from_checked(text, errors.span.0, errors.span.1);
        let said: Vec<crate::body::Message> = list
            .items()
            .flat_map(|entry| crate::body::messages(&entry))
            .collect();
        Some(RequestFailure {
            error_type: said.first().and_then(|m| m.field("error_type")),
            error_category: said.first().and_then(|m| m.field("error_category")),
            messages: said.iter().filter_map(|m| m.message()).collect(),
        })
    }
}

/// Check one source. `kind` forces request/response; `None` detects it. View the body with
/// [`body_root`]: no second parse.
pub fn check_source(source: &Source, kind: Option<Kind>) -> Checked {
    let options = Options {
        kind,
        against: None,
    };
    check_source_with(source, &options).checked
}

/// Check one source with all options, in one pass over its bytes. A large mapped file gives back
/// the pages the pass has gone past ([`Source::release_before`]), so memory stays flat.
pub fn check_source_with(source: &Source, options: &Options) -> Validated {
    let release = |offset: usize| source.release_before(offset);
    let name = Some(source.name.as_str());
    check(
        &source.bytes,
        source.json_text(),
        options,
        Some(&release),
        name,
        false,
    )
}

/// [`check_source_with`] for a source whose text a caller has already checked to be UTF-8
/// (`source.json_text()`): the same pass, without checking the UTF-8 again.
pub(crate) fn check_source_text(source: &Source, text: &str, options: &Options) -> Validated {
    let release = |offset: usize| source.release_before(offset);
    check(
        &source.bytes,
        Ok(text),
        options,
        Some(&release),
        Some(source.name.as_str()),
        false,
    )
}

/// Check a body held in memory (an HTTP request or response body), in one pass: the same
/// diagnostics as [`check_source_with`] for a file with these bytes. A leading UTF-8 byte-order
/// mark is not skipped here: give the bytes as [`Source::from_bytes`] would keep them. View the
/// body afterwards with [`body_root`]`(text, &validated.checked)` where `text` is
/// `std::str::from_utf8(bytes)`.
pub fn check_bytes(bytes: &[u8], options: &Options) -> Validated {
    check(
        bytes,
        crate::source::json_text(bytes),
        options,
        None,
        None,
        false,
    )
}

/// [`check_bytes`] for text already known to be UTF-8 (no second UTF-8 pass).
pub(crate) fn check_text(text: &str, options: &Options) -> Validated {
    check_text_with(text, options, false)
}

/// [`check_text`] of a request that is to be cut into batches: the same verdict, and the span of
/// each record of `inputs` in [`Validated::record_spans`], so it is cut without a second walk.
pub(crate) fn check_request_text(text: &str) -> Validated {
    let options = Options {
        kind: Some(Kind::Request),
        against: None,
    };
    check_text_with(text, &options, true)
}

/// [`check_text`], keeping the records' spans when `spans`.
fn check_text_with(text: &str, options: &Options, spans: bool) -> Validated {
    let result = if text.trim_ascii().is_empty()
        || crate::source::wide_encoding(text.as_bytes()).is_some()
    {
        crate::source::json_text(text.as_bytes())
    } else {
        Ok(text)
    };
    check(text.as_bytes(), result, options, None, None, spans)
}

/// The checked document as a [`Value`] over `source_text`, without parsing again: `source_text`
/// must be the text that was checked (`std::str::from_utf8(&source.bytes)` for a [`Source`]; a
/// UTF-8 check, not a parse). `None` when the document is not JSON (`XC001`) — or when the span
/// does not fit the text given, which means it is not the text that was checked.
///
/// ```
/// use xconn::{source::Source, validate};
/// let source = Source::from_bytes("b.json", br#"{"inputs": [["a"], [1]]}"#.to_vec());
/// let checked = validate::check_source_with(&source, &validate::Options::default()).checked;
/// let text = std::str::from_utf8(&source.bytes).unwrap();
/// let root = validate::body_root(text, &checked).unwrap();
/// assert_eq!(root.pointer("/inputs/1/0").unwrap().raw(), "1");
/// ```
pub fn body_root<'a>(source_text: &'a str, checked: &Checked) -> Option<Value<'a>> {
    root_at(source_text, checked.root)
}

/// The document at `span` ([`Checked::root`]) of the checked `source_text`, as [`body_root`].
pub(crate) fn root_at(source_text: &str, span: Option<(usize, usize)>) -> Option<Value<'_>> {
    let (start, end) = span?;
    let fits = start <= end
        && end <= source_text.len()
        && source_text.is_char_boundary(start)
        && source_text.is_char_boundary(end);
    fits.then(|| Value::from_checked(source_text, start, end))
}

/// The one check behind every entry point: `text` is `bytes` as a JSON text (or why not), and
/// `release` is handed to the scan (see [`scan::scan_text`]); `name` is the source's, for hints
/// that name a command to run on it; `spans` keeps the records' spans ([`check_request_text`]).
fn check(
    bytes: &[u8],
    text: Result<&str, JsonSyntaxError>,
    options: &Options,
    release: Option<&dyn Fn(usize)>,
    name: Option<&str>,
    spans: bool,
) -> Validated {
    let against = options
        .against
        .as_ref()
        .map(|a| (a.name.as_str(), a.records));
    let text = match text {
        Ok(text) => text,
        Err(e) => return syntax_failure(e, options.kind, name),
    };
    let scanned = scan::scan_text(text, options.kind, against, release, spans);
    if let Some(e) = scanned.syntax {
        return syntax_failure(e, scanned.kind, name);
    }
    let root = scanned
        .root
        .map(|(start, end)| Value::from_checked(text, start, end));
    let mut found = scanned.found;
    if let (Some(envelope), Some(kind)) = (&scanned.envelope, scanned.kind) {
        let semantic: Vec<Diagnostic> = found.iter().map(|f| f.diagnostic.clone()).collect();
        let mut schema_found = schema::check(&envelope.doc, kind);
        for d in &mut schema_found {
            d.pointer = envelope.document_pointer(&d.pointer).into_owned();
        }
        for diagnostic in schema::dedupe(schema_found, &semantic) {
            let offset = root.map_or(0, |root| nearest_offset(&root, &diagnostic.pointer));
            found.push(scan::Found { offset, diagnostic });
        }
    }
    if !found.is_empty() {
        scan::locate(bytes, &mut found);
        // Document order; the "more not listed" note last.
        found.sort_by_key(|f| (f.diagnostic.rule == rules::TOO_MANY, f.offset));
    }
    Validated {
        checked: Checked {
            kind: scanned.kind,
            diagnostics: found.into_iter().map(|f| f.diagnostic).collect(),
            root: scanned.root,
            unlisted: scanned.unlisted,
        },
        records: scanned.records,
        nested_tables: scanned.nested_tables,
        members: scanned.members,
        record_spans: scanned.record_spans,
        record_marks: scanned.record_marks,
    }
}

/// The result for a body that is not JSON: one `XC001` with its hint.
fn syntax_failure(e: JsonSyntaxError, kind: Option<Kind>, name: Option<&str>) -> Validated {
    let mut message = e.message.clone();
    match (e.looks_like, name) {
        // Plainly another format, in a file: say what it was read as and what to run.
        (Some(looks), Some(name)) => {
            message = format!(
                "this looks like {}, not a JSON body (read as JSON: {message}) (hint: convert it first with `{}`)",
                looks.name(),
                looks.convert_command(name)
            );
        }
        // Bytes that are no file of the user's (an HTTP answer, a request `serve` received, a
        // command's output): nothing to convert.
        (Some(looks), None) => {
            message = format!(
                "this looks like {}, not a JSON body (read as JSON: {message})",
                looks.name()
            );
        }
        (None, _) => {
            let mut hint = e.hint.clone();
            // Content after the document, in a file: objects one per line are NDJSON, which
            // `convert` reads (validate itself has no --from).
            if let Some(name) =
                name.filter(|_| e.message == crate::json::ErrorKind::TrailingCharacters.message())
            {
                hint = Some(format!(
                    "{}; JSON objects one per line (NDJSON) become a body with `{}`",
                    hint.unwrap_or_default(),
                    crate::source::Looks::Ndjson.convert_command(name)
                ));
            }
            if let Some(hint) = hint {
                message = format!("{message} (hint: {hint})");
            }
        }
    }
    let mut diagnostic = Diagnostic::new(SYNTAX, Severity::Error, "", message);
    diagnostic.line = e.line;
    diagnostic.col = e.col;
    Validated {
        checked: Checked {
            kind,
            diagnostics: vec![diagnostic],
            root: None,
            unlisted: Unlisted::default(),
        },
        records: None,
        nested_tables: 0,
        members: Vec::new(),
        record_spans: Vec::new(),
        record_marks: scan::RecordMarks::default(),
    }
}

/// Print diagnostics as `file:line:col: error[XC…]: message at /pointer (column)`.
pub fn write_text(
    w: &mut dyn Write,
    source_name: &str,
    diagnostics: &[Diagnostic],
) -> io::Result<()> {
    report::write_text_lines(w, source_name, diagnostics, false)
}

/// An HTTP answer's `body` checked as a response (`against` the request, when known), each byte
/// read once: a leading byte-order mark skipped, one UTF-8 check, one scan. Returns the result
/// with the text that was checked (empty when the body is not UTF-8: the `XC001` says where), to
/// view the body with [`body_root`] or ask [`Validated::request_failure`].
pub(crate) fn check_answer(body: &[u8], against: Option<Against>) -> (Validated, &str) {
    let options = Options {
        kind: Some(Kind::Response),
        against,
    };
    let body = crate::source::without_bom(body);
    match crate::text::utf8(body) {
        Ok(text) => (check_text(text, &options), text),
        Err(_) => (check_bytes(body, &options), ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(body: &str) -> Vec<(&'static str, String, String)> {
        check_bytes(body.as_bytes(), &Options::default())
            .checked
            .diagnostics
            .into_iter()
            .map(|d| (d.rule, d.location(), d.message))
            .collect()
    }

    /// `Validated::members` gives each top-level value's exact span and entry counts, so a
    /// caller (the batch merge) can take the body apart without walking it again.
    #[test]
    fn members_carry_the_spans_and_counts_the_scan_saw() {
        let body = "{ \"outputs\" : [[\"a\"], [1], [2]],\n \"warnings\": [null, [{\"source_path\": \"a\", \"message\": \"w\"}]],\n\"errors\":[null,null], \"process_time\": [1, 2] }";
        let validated = check_text(body, &Options::default());
        assert!(!validated.checked.has_errors());
        let seen: Vec<(&str, &str, Option<usize>, usize)> = validated
            .members
            .iter()
            .map(|m| {
                (
                    m.key.as_str(),
                    &body[m.span.0..m.span.1],
                    m.count,
                    m.non_null,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("outputs", "[[\"a\"], [1], [2]]", Some(2), 0),
                (
                    "warnings",
                    "[null, [{\"source_path\": \"a\", \"message\": \"w\"}]]",
                    Some(2),
                    1
                ),
                ("errors", "[null,null]", Some(2), 0),
                ("process_time", "[1, 2]", Some(2), 0),
            ]
        );
        assert!(check_text("[1]", &Options::default()).members.is_empty());
    }

    /// `Validated::record_marks` names the records table by where it starts and every
    /// `RECORD_MARK_EVERY`th record by its index and exact start, inputs and outputs alike.
    #[test]
    fn record_marks_point_at_every_marked_record() {
        let every = scan::RECORD_MARK_EVERY;
        for (key, n) in [
            ("inputs", 2 * every + 5),
            ("outputs", every),
            ("inputs", every - 1),
        ] {
            let rows: Vec<String> = (0..n)
                .map(|i| format!(" [{i}, [[\"t\"], [\"{i}\"]]]"))
                .collect();
            let body = format!("{{ \"{key}\" :\n [[\"id\", \"t\"],{}] }}", rows.join(","));
            let validated = check_text(&body, &Options::default());
            let (table, marks) = &validated.record_marks;
            assert_eq!(body[*table..].chars().next(), Some('['), "{key} {n}");
            assert_eq!(&body[*table..*table + 8], "[[\"id\", ", "{key} {n}");
            let expected: Vec<usize> = (1..=n / every).map(|k| k * every - 1).collect();
            let indexes: Vec<usize> = marks.iter().map(|m| m.0).collect();
            assert_eq!(indexes, expected, "{key} {n}");
            for &(index, offset) in marks {
                assert!(
                    body[offset..].starts_with(&format!("[{index}, ")),
                    "{key} {n} {index}"
                );
            }
        }
    }

    /// The envelope's numbers are the nearest doubles (clamped past their range), so the schema
    /// pass does not depend on serde_json's `arbitrary_precision`.
    #[test]
    fn process_times_past_the_double_range_and_below_zero_get_their_rules() {
        let body = r#"{"outputs": [["a"], [1], [2], [3]], "warnings": [null, null, null],
            "errors": [null, null, null], "process_time": [1e400, -0.5, -1e400]}"#;
        assert_eq!(
            found(body),
            [
                (
                    "XC115",
                    "/process_time/1".to_string(),
                    "process_time must be ≥ 0 milliseconds, not -0.5".to_string()
                ),
                (
                    "XC115",
                    "/process_time/2".to_string(),
                    "process_time must be ≥ 0 milliseconds, not -1e400".to_string()
                ),
            ]
        );
        let scanned = scan::scan(body.as_bytes(), None, None);
        let envelope = scanned.envelope.unwrap();
        let times = envelope.doc["process_time"].as_array().unwrap();
        assert_eq!(times.len(), 2, "only the negative ones are kept");
        assert_eq!(times[0].as_f64(), Some(-0.5));
        assert_eq!(times[1].as_f64(), Some(f64::MIN));
        assert!(!schema::check(&envelope.doc, Kind::Response).is_empty());
    }

    /// Schema errors about elements kept sparsely point at the document's element, so the rule
    /// that explains them still absorbs them (no extra XC050).
    #[test]
    fn schema_errors_in_sparse_arrays_point_at_the_document_element() {
        let body = r#"{"outputs": [["a"], [1], [2], {"a": 3}], "warnings": [null, null, "x"],
            "errors": [null, null, [{"message": 5}]], "process_time": [1, 1, 1]}"#;
        let rules: Vec<(&str, String)> = found(body).into_iter().map(|(r, l, _)| (r, l)).collect();
        assert_eq!(
            rules,
            [
                ("XC105", "/outputs/3".to_string()),
                ("XC112", "/warnings/2".to_string()),
                ("XC113", "/errors/2/0".to_string()),
                ("XC113", "/errors/2/0/message".to_string()),
            ]
        );
    }

    /// A request-level failure is told apart from an answer per record, with what it says.
    #[test]
    fn a_request_level_failure_is_told_apart_from_an_answer() {
        let failure = r#"{"outputs": [], "warnings": [null], "errors": [[{"error_category": "c",
            "error_type": "500", "additional_details": "", "source_path": "", "message": "engine down"},
            {"error_category": "c", "error_type": "500", "additional_details": "",
            "source_path": "", "message": "x"}]],
            "process_time": [0]}"#;
        let options = Options {
            kind: Some(Kind::Response),
            against: Some(Against {
                name: "r".into(),
                records: 3,
            }),
        };
        let validated = check_text(failure, &options);
        assert!(
            !validated.checked.has_errors(),
            "{:?}",
            validated.checked.diagnostics
        );
        let said = validated.request_failure(failure).unwrap();
        assert_eq!(said.error_type.as_deref(), Some("500"));
        assert_eq!(said.messages, ["engine down", "x"]);
        assert_eq!(said.reason(), "engine down; x");
        let answer = r#"{"outputs": [["y"], [1], [2], [3]], "warnings": [null, null, null], "errors": [null, null, null], "process_time": [1, 1, 1]}"#;
        assert_eq!(check_text(answer, &options).request_failure(answer), None);
        let request = r#"{"inputs": [["a"], [1]]}"#;
        assert_eq!(
            check_text(request, &Options::default()).request_failure(request),
            None
        );
    }

    #[test]
    fn a_schema_error_a_rule_explains_is_absorbed() {
        // `inputs` is a string: XC101 explains it; the schema's own error is absorbed.
        let rules: Vec<&str> = found(r#"{"inputs": "x"}"#)
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(rules, ["XC101"]);
    }
}
