//! Building a response body record by record — what `serve` answers with and how `call` merges
//! batch responses. Rows are kept as JSON text (copied from their source values, never
//! re-parsed), the per-record `warnings`, `errors` and `process_time` beside them; the body is
//! written once at the end in any [`Layout`].

use crate::json::write::{write_array, write_object, write_str, Style};

/// One warning entry of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WarningEntry {
    pub(crate) source_path: String,
    pub(crate) message: String,
}

/// One error entry of a record, in the spec's error shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorEntry {
    pub(crate) error_category: String,
    pub(crate) error_type: String,
    pub(crate) additional_details: String,
    pub(crate) source_path: String,
    pub(crate) message: String,
}

/// A response under construction.
#[derive(Debug, Default)]
pub(crate) struct ResponseBuilder {
    /// `outputs` rows as compact JSON text, the header first (when set).
    rows: Vec<Vec<u8>>,
    header: Option<Vec<u8>>,
    warnings: Vec<Vec<u8>>,
    errors: Vec<Vec<u8>>,
    process_time: Vec<Vec<u8>>,
}

impl ResponseBuilder {
    pub(crate) fn new() -> ResponseBuilder {
        ResponseBuilder::default()
    }

    /// Set the `outputs` header from its JSON text as received (a checked array; copied, not
    /// parsed again).
    pub(crate) fn header_raw(&mut self, header: &str) -> &mut Self {
        self.header = Some(header.as_bytes().to_vec());
        self
    }

    /// Add one record from its row's JSON text as received (a checked array, for example
    /// [`Value::raw`] of an input record): the bytes are copied as they are, so an echo keeps
    /// every number and string exactly as written.
    pub(crate) fn record_raw(
        &mut self,
        row: &str,
        warnings: &[WarningEntry],
        errors: &[ErrorEntry],
        process_time: f64,
    ) -> &mut Self {
        self.push(row.as_bytes().to_vec(), warnings, errors, process_time)
    }

    /// A request-level failure, as the spec's Example 3: no `outputs` records, one `errors`
    /// entry holding `errors`, `warnings` `[null]` and one `process_time`. The validator accepts
    /// it as the answer to a request of any size.
    pub(crate) fn request_failure(errors: &[ErrorEntry], process_time: f64) -> ResponseBuilder {
        let mut builder = ResponseBuilder::new();
        builder.push(Vec::new(), &[], errors, process_time);
        builder.rows.clear();
        builder
    }

    fn push(
        &mut self,
        row: Vec<u8>,
        warnings: &[WarningEntry],
        errors: &[ErrorEntry],
        process_time: f64,
    ) -> &mut Self {
        self.rows.push(row);
        self.warnings.push(warnings_text(warnings));
        self.errors.push(errors_text(errors));
        let time = if process_time.is_finite() && process_time >= 0.0 {
            process_time
        } else {
            0.0
        };
        self.process_time.push(format!("{time}").into_bytes());
        self
    }

    /// The body as compact JSON text.
    pub(crate) fn to_compact(&self) -> Vec<u8> {
        let mut out = b"{\"outputs\":[".to_vec();
        let rows = self.header.iter().chain(self.rows.iter());
        join(&mut out, rows);
        out.extend_from_slice(b"],\"warnings\":[");
        join(&mut out, self.warnings.iter());
        out.extend_from_slice(b"],\"errors\":[");
        join(&mut out, self.errors.iter());
        out.extend_from_slice(b"],\"process_time\":[");
        join(&mut out, self.process_time.iter());
        out.extend_from_slice(b"]}");
        out
    }
}

fn join<'a>(out: &mut Vec<u8>, parts: impl Iterator<Item = &'a Vec<u8>>) {
    for (i, part) in parts.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(part);
    }
}

fn warnings_text(entries: &[WarningEntry]) -> Vec<u8> {
    entries_text(entries, |entry| {
        vec![
            ("source_path", &entry.source_path),
            ("message", &entry.message),
        ]
    })
}

fn errors_text(entries: &[ErrorEntry]) -> Vec<u8> {
    entries_text(entries, |entry| {
        vec![
            ("error_category", &entry.error_category),
            ("error_type", &entry.error_type),
            ("additional_details", &entry.additional_details),
            ("source_path", &entry.source_path),
            ("message", &entry.message),
        ]
    })
}

/// One record's `warnings` or `errors` entry as compact JSON: `null` for none, else an array of
/// objects whose string fields `fields` lists in order.
fn entries_text<'e, E>(
    entries: &'e [E],
    fields: impl Fn(&'e E) -> Vec<(&'static str, &'e String)>,
) -> Vec<u8> {
    if entries.is_empty() {
        return b"null".to_vec();
    }
    let mut out = Vec::new();
    write_array(&mut out, Style::Compact, entries, |w, entry, style| {
        write_object(w, style, fields(entry), write_str, |w, value, _| {
            write_str(w, value)
        })
    })
    .expect("writing to memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_response_the_validator_accepts() {
        let request = crate::json::parse(r#"{"inputs":[["a","b"],[1,"x"],[2.50,"y"]]}"#).unwrap();
        let rows: Vec<crate::json::Value> = request.get("inputs").unwrap().items().collect();
        let mut builder = ResponseBuilder::new();
        builder.header_raw(rows[0].raw());
        builder.record_raw(rows[1].raw(), &[], &[], 1.0);
        builder.record_raw(
            rows[2].raw(),
            &[WarningEntry {
                source_path: "b".into(),
                message: "odd \"y\"".into(),
            }],
            &[ErrorEntry {
                error_category: "validation_error".into(),
                error_type: "400".into(),
                additional_details: "".into(),
                source_path: "a".into(),
                message: "too big".into(),
            }],
            2.5,
        );
        let text = String::from_utf8(builder.to_compact()).unwrap();
        assert_eq!(
            text,
            r#"{"outputs":[["a","b"],[1,"x"],[2.50,"y"]],"warnings":[null,[{"source_path":"b","message":"odd \"y\""}]],"errors":[null,[{"error_category":"validation_error","error_type":"400","additional_details":"","source_path":"a","message":"too big"}]],"process_time":[1,2.5]}"#
        );
        let scanned = crate::validate::scan::scan(text.as_bytes(), None, Some(("req", 2)));
        assert!(scanned.syntax.is_none());
        assert!(scanned.found.is_empty(), "{:?}", scanned.found);
    }

    #[test]
    fn raw_rows_are_copied_and_a_request_failure_answers_any_request() {
        let mut builder = ResponseBuilder::new();
        builder.header_raw(r#"["a", "b"]"#);
        builder.record_raw(r#"[1.50, "x\u00e9"]"#, &[], &[], 1.0);
        assert_eq!(
            String::from_utf8(builder.to_compact()).unwrap(),
            r#"{"outputs":[["a", "b"],[1.50, "x\u00e9"]],"warnings":[null],"errors":[null],"process_time":[1]}"#
        );
        let failure = ResponseBuilder::request_failure(
            &[ErrorEntry {
                error_category: "validation_error".into(),
                error_type: "400".into(),
                additional_details: "XC107 at /inputs/1".into(),
                source_path: "/inputs/1".into(),
                message: "too short".into(),
            }],
            1.0,
        );
        let text = String::from_utf8(failure.to_compact()).unwrap();
        assert!(text.starts_with(r#"{"outputs":[],"warnings":[null],"errors":[[{"#));
        let scanned = crate::validate::scan::scan(text.as_bytes(), None, Some(("req", 5)));
        assert!(scanned.syntax.is_none());
        assert!(scanned.found.is_empty(), "{:?}", scanned.found);
    }
}
