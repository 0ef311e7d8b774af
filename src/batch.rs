//! Batches for `call --batch-size N`: a checked request is split into requests of at most N
//! records, each written from the original bytes of its header and records (values are never
//! re-serialised); the answers, which may finish in any order, are merged in input order into one
//! valid response.
//!
//! The merge rule: the `outputs` header comes from the first batch that answered; each answered
//! batch contributes its records and their `warnings`, `errors` and `process_time` entries as
//! written. A batch that failed for good (transport error, HTTP status, or an answer that breaks
//! the format) keeps every one of its records: a row of `null`s as wide as the header, `null`
//! warnings, one error entry in the spec's shape (`error_category` `batch_error`, `error_type`
//! the HTTP status or transport failure, `source_path` the record's pointer in the request, the
//! message saying what happened), and a `process_time` of 0. An answer whose `outputs` header
//! differs from the first answer's breaks the merge and fails its batch so. An answer with
//! `"outputs": []` (the service refused the whole batch with request-level errors) keeps its
//! records the same way, the error entry carrying the service's `error_type` and message. When no
//! batch answered with a header, there is no header to write rows under: the response has no
//! records and one request-level `errors` entry listing an error per record, so still no record
//! disappears.

use crate::body::{ArrayIndex, Body, Kind, Table, Value};
use crate::json::write::write_str;
use crate::validate::{self, Against, Options};

/// A checked request cut into batches.
pub struct Split<'a> {
    header: Value<'a>,
    records: ArrayIndex<'a>,
    size: usize,
}

impl<'a> Split<'a> {
    /// Split the request `root` (a checked request body) into batches of at most `size` records.
    /// `None` when it is not a request with a records table.
    pub fn new(root: &Value<'a>, size: usize) -> Option<Split<'a>> {
        let table: Table<'a> = Body::view(root, Some(Kind::Request))?.records()?;
        Some(Split {
            header: table.header?,
            records: table.index(),
            size: size.max(1),
        })
    }

    /// Number of records in the request.
    pub fn records(&self) -> usize {
        self.records.len()
    }

    /// Bytes of the request's records as written (from the first record to the end of the last).
    pub fn records_len(&self) -> usize {
        match (self.records.get(0), self.records.len().checked_sub(1)) {
            (Some(first), Some(last)) => self
                .records
                .get(last)
                .map_or(0, |last| last.end().saturating_sub(first.offset())),
            _ => 0,
        }
    }

    /// Number of batches.
    pub fn len(&self) -> usize {
        self.records.len().div_ceil(self.size)
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The record indexes (0-based) of batch `batch`.
    pub fn range(&self, batch: usize) -> std::ops::Range<usize> {
        let start = batch * self.size;
        start..(start + self.size).min(self.records.len())
    }

    /// The request body of batch `batch`: `{"inputs":[HEADER,RECORD,…]}`, the header and the
    /// records written as they are in the original text. The records go as one slice of it,
    /// separators included, unless that slice spans lines (a pretty-printed request): then each
    /// record is written after a bare comma, so a batch stays on one line.
    pub fn body(&self, batch: usize) -> Vec<u8> {
        let range = self.range(batch);
        let mut out = Vec::with_capacity(16 + self.header.raw().len());
        out.extend_from_slice(b"{\"inputs\":[");
        out.extend_from_slice(self.header.raw().as_bytes());
        if let (Some(first), Some(last)) = (
            self.records.get(range.start),
            range.end.checked_sub(1).and_then(|i| self.records.get(i)),
        ) {
            let records = &self.header.source().as_bytes()[first.offset()..last.end()];
            // Exact: a bare comma per record at most, and the closing `]}`.
            out.reserve(records.len() + range.len() + 3);
            if memchr::memchr2(b'\n', b'\r', records).is_none() {
                out.push(b',');
                out.extend_from_slice(records);
            } else {
                for i in range {
                    if let Some(record) = self.records.get(i) {
                        out.push(b',');
                        out.extend_from_slice(record.raw().as_bytes());
                    }
                }
            }
        }
        out.extend_from_slice(b"]}");
        out
    }
}

/// Why a batch has no usable answer.
#[derive(Debug, Clone)]
pub struct BatchFailure {
    /// The spec's `error_type`: an HTTP status (`"503"`) or a transport failure (`timeout`).
    pub error_type: String,
    /// What happened, for people (no secrets: callers pass redacted text).
    pub message: String,
}

/// Merges batch answers in input order into one response.
#[derive(Default)]
pub struct Merger {
    header: Option<Vec<u8>>,
    width: usize,
    /// Per batch, in order, once known (and until written).
    parts: Vec<Option<Part>>,
    /// Batches written so far (all before this index), once the header is known: an answer is
    /// written and dropped as soon as the batches before it are, so only batches that finished
    /// out of order wait in `parts`.
    merged: usize,
    /// The merged response so far, from `{"outputs":[HEADER` on through the rows written (each
    /// after a comma); the entry lists (comma-separated) apart, appended at the end.
    rows: Vec<u8>,
    warnings: Vec<u8>,
    errors: Vec<u8>,
    times: Vec<u8>,
    /// Record counts per batch and the first record index of each.
    sizes: Vec<(usize, usize)>,
    failures: usize,
    failed_records: usize,
    errored_records: usize,
    /// Per batch: its result was taken (answered, refused or failed).
    placed: Vec<bool>,
    /// Per batch: its records are xconn's placeholders (failed or refused), not the service's.
    placeholder: Vec<bool>,
}

/// One batch's contribution: its answer's text and the spans, in it, of its rows and of its
/// `warnings`, `errors` and `process_time` entries.
enum Part {
    Answered {
        body: Vec<u8>,
        rows: Entries,
        warnings: Entries,
        errors: Entries,
        times: Entries,
    },
    Failed(BatchFailure),
}

/// A batch's entries of one kind, one per record.
enum Entries {
    /// Written one after another in `start..end` of the answer, separated by commas (and
    /// nothing else that spans lines).
    Span(usize, usize),
    /// Not given (`null`): each record gets the default.
    Default,
}

impl Entries {
    /// The entries of the array `start..end` of `text` after its first `skip` items, as one
    /// span; when the span has line breaks in it (a pretty-printed answer), the entries are
    /// written compactly into `spare` (appended) and the span points there, past `text.len()`.
    fn of(text: &str, (start, end): (usize, usize), skip: usize, spare: &mut Vec<u8>) -> Entries {
        let array = Value::from_checked(text, start, end);
        let mut items = array.items();
        let mut from = start + 1;
        for _ in 0..skip {
            match items.next() {
                Some(item) => from = item.end(),
                None => return Entries::Span(from, from),
            }
        }
        let bytes = text.as_bytes();
        let mut to = end - 1;
        while to > from && bytes[to - 1].is_ascii_whitespace() {
            to -= 1;
        }
        // Past the separator after the skipped items.
        while from < to && (bytes[from].is_ascii_whitespace() || (skip > 0 && bytes[from] == b','))
        {
            from += 1;
        }
        if memchr::memchr2(b'\n', b'\r', &bytes[from..to]).is_none() {
            return Entries::Span(from, to);
        }
        let at = text.len() + spare.len();
        for (i, item) in items.enumerate() {
            if i > 0 {
                spare.push(b',');
            }
            crate::json::write::write_value(spare, &item, crate::json::write::Style::Compact)
                .expect("writing to memory");
        }
        Entries::Span(at, text.len() + spare.len())
    }
}

/// A batch's answer, checked and taken apart: what [`Merger::take`] merges.
pub struct Answer(Taken);

enum Taken {
    /// Rows under `header` (compact JSON text, `width` columns), and how many records carry
    /// errors.
    Rows {
        header: Vec<u8>,
        width: usize,
        part: Part,
        errored: usize,
    },
    /// `"outputs": []` (or a header and no rows): the service refused the whole batch with
    /// request-level errors. No rows to take: every record keeps an error entry saying why, as
    /// for a failure.
    Refused(BatchFailure),
}

impl Answer {
    /// Why the service refused the whole batch (a request-level error instead of its records),
    /// when it did.
    pub fn refused(&self) -> Option<&BatchFailure> {
        match &self.0 {
            Taken::Refused(failure) => Some(failure),
            Taken::Rows { .. } => None,
        }
    }

    /// Read `body`, the answer to batch `batch` of `records` records: checked as a response to
    /// it (as `validate --against` would), then cut into spans without walking it again. `Err`
    /// says why it cannot be merged. Needs no merger, so each answer can be read on the thread
    /// that received it.
    pub fn read(batch: usize, records: usize, mut body: Vec<u8>) -> Result<Answer, BatchFailure> {
        body.drain(..crate::source::bom_len(&body));
        let failure = |message: String| BatchFailure {
            error_type: "invalid_response".to_string(),
            message,
        };
        let text = crate::text::utf8(&body).map_err(|e| {
            failure(format!(
                "the answer is not UTF-8 text (byte {})",
                e.valid_up_to()
            ))
        })?;
        let options = Options {
            kind: Some(Kind::Response),
            against: Some(Against {
                name: format!("batch {}", batch + 1),
                records,
            }),
        };
        let validated = validate::check_text(text, &options);
        if let Some(first) = validated
            .checked
            .diagnostics
            .iter()
            .find(|d| d.severity == crate::diag::Severity::Error)
        {
            return Err(failure(format!(
                "the answer breaks the format: {} {} at {}",
                first.rule,
                first.message,
                first.location()
            )));
        }
        // A valid response to this batch: its members are where the scan saw them.
        let member = |key: &str| validated.members.iter().rev().find(|m| m.key == key);
        let (Some(outputs), Some(Kind::Response)) = (member("outputs"), validated.checked.kind)
        else {
            return Err(failure("the answer is not a response body".to_string()));
        };
        let errors = member("errors").map(|m| Value::from_checked(text, m.span.0, m.span.1));
        if outputs.count != Some(records) {
            let said = validated.request_failure(text).unwrap_or_default();
            return Ok(Answer(Taken::Refused(BatchFailure {
                error_type: said
                    .error_type
                    .clone()
                    .unwrap_or_else(|| "no_outputs".to_string()),
                message: match said.messages.is_empty() {
                    false => format!("the service answered with no outputs: {}", said.reason()),
                    true => "the service answered with no outputs".to_string(),
                },
            })));
        }
        let table = Value::from_checked(text, outputs.span.0, outputs.span.1);
        let header = table
            .items()
            .next()
            .ok_or_else(|| failure("the answer's outputs have no header".to_string()))?;
        let mut spare = Vec::new();
        let mut entries = |key: &str| match member(key) {
            Some(m) if m.count == Some(records) => Entries::of(text, m.span, 0, &mut spare),
            _ => Entries::Default,
        };
        let (warnings, errors_part, times) = (
            entries("warnings"),
            entries("errors"),
            entries("process_time"),
        );
        let errored = match (member("errors"), errors) {
            (Some(m), Some(errors)) if m.non_null > 0 => errors
                .items()
                .filter(|entry| entry.items().next().is_some())
                .count(),
            _ => 0,
        };
        let rows = Entries::of(text, outputs.span, 1, &mut spare);
        let (header, width) = (compact(&header).into_bytes(), header.items().count());
        let mut body = body;
        body.extend_from_slice(&spare);
        Ok(Answer(Taken::Rows {
            header,
            width,
            part: Part::Answered {
                body,
                rows,
                warnings,
                errors: errors_part,
                times,
            },
            errored,
        }))
    }
}

impl Merger {
    /// A merger for `split`'s batches.
    pub fn new(split: &Split) -> Merger {
        let sizes = (0..split.len())
            .map(|b| {
                let r = split.range(b);
                (r.start, r.len())
            })
            .collect::<Vec<_>>();
        // Room for answers a quarter larger than the request's records, reserved (not touched):
        // the merged rows then grow in place, without a copy at each doubling.
        let expected = split.records_len() + split.records_len() / 4;
        Merger {
            parts: (0..sizes.len()).map(|_| None).collect(),
            placed: vec![false; sizes.len()],
            placeholder: vec![false; sizes.len()],
            sizes,
            rows: Vec::with_capacity(expected),
            ..Merger::default()
        }
    }

    /// Batches that failed for good.
    pub fn failures(&self) -> usize {
        self.failures
    }

    /// Records that carry an error entry (from the service or from a failed batch).
    pub fn errored_records(&self) -> usize {
        self.errored_records
    }

    /// Records of failed batches.
    pub fn failed_records(&self) -> usize {
        self.failed_records
    }

    /// The record indexes (0-based) of batch `batch`.
    pub fn records_of(&self, batch: usize) -> std::ops::Range<usize> {
        let (start, count) = self.sizes[batch];
        start..start + count
    }

    /// Batches whose result has not been taken yet: after every batch task has ended there are
    /// none, unless one was lost; each must then be [`Merger::failed`] so its records keep
    /// their error entries and count as failed.
    pub fn unplaced(&self) -> Vec<usize> {
        (0..self.placed.len())
            .filter(|&b| !self.placed[b])
            .collect()
    }

    /// The `process_time` entries (indexes) of the merged response that xconn wrote for records
    /// without an answer (failed or refused batches), not the service: their 0 is no finding
    /// about the service. When no batch answered with records, the merged response is a
    /// request-level failure and its one entry is xconn's.
    pub fn placeholder_times(&self) -> Vec<std::ops::Range<usize>> {
        if self.header.is_none() {
            return std::iter::once(0..1).collect();
        }
        (0..self.sizes.len())
            .filter(|&b| self.placeholder[b] || !self.placed[b])
            .map(|b| self.records_of(b))
            .collect()
    }

    /// Answers held because a batch before them has not finished (the rest are written into
    /// the merge and dropped as they come).
    pub fn waiting(&self) -> usize {
        self.parts.iter().filter(|p| p.is_some()).count()
    }

    /// Take batch `batch`'s answer body: checked as a response to that batch (record counts
    /// must match). An answer that breaks the format turns into a failure, returned as `Err`
    /// with the reason (the batch is recorded as failed). [`Answer::read`] then
    /// [`Merger::take`], in one step.
    pub fn answered(&mut self, batch: usize, body: Vec<u8>) -> Result<(), BatchFailure> {
        let answer = Answer::read(batch, self.sizes[batch].1, body);
        self.take(batch, answer)
    }

    /// Take batch `batch`'s answer as [`Answer::read`] read it (on any thread): an `Err` or an
    /// answer under another header than the first answer's is recorded as the batch's failure
    /// and returned.
    pub fn take(
        &mut self,
        batch: usize,
        answer: Result<Answer, BatchFailure>,
    ) -> Result<(), BatchFailure> {
        let answer = match answer {
            Ok(answer) => answer,
            Err(failure) => {
                self.failed(batch, failure.clone());
                return Err(failure);
            }
        };
        let (header, width, part, errored) = match answer.0 {
            Taken::Refused(failure) => {
                self.errored_records += self.sizes[batch].1;
                self.placed[batch] = true;
                self.placeholder[batch] = true;
                self.parts[batch] = Some(Part::Failed(failure));
                self.advance();
                return Ok(());
            }
            Taken::Rows {
                header,
                width,
                part,
                errored,
            } => (header, width, part, errored),
        };
        match &self.header {
            None => {
                self.width = width;
                self.header = Some(header);
            }
            // Rows under another header cannot be merged into one table.
            Some(first) if *first != header => {
                let failure = BatchFailure {
                    error_type: "invalid_response".to_string(),
                    message: format!(
                        "the answer's outputs header {} differs from the first answer's {}",
                        String::from_utf8_lossy(&header),
                        String::from_utf8_lossy(first)
                    ),
                };
                self.failed(batch, failure.clone());
                return Err(failure);
            }
            Some(_) => {}
        }
        self.errored_records += errored;
        self.placed[batch] = true;
        self.parts[batch] = Some(part);
        self.advance();
        Ok(())
    }

    /// Record that batch `batch` failed for good.
    pub fn failed(&mut self, batch: usize, failure: BatchFailure) {
        self.placed[batch] = true;
        self.placeholder[batch] = true;
        self.failures += 1;
        self.failed_records += self.sizes[batch].1;
        self.errored_records += self.sizes[batch].1;
        self.parts[batch] = Some(Part::Failed(failure));
        self.advance();
    }

    /// The merged response as compact JSON text.
    pub fn finish(mut self) -> Vec<u8> {
        let Some(header) = self.header.take() else {
            // No batch answered: one request-level entry with an error per record.
            let mut out = b"{\"outputs\":[".to_vec();
            out.extend_from_slice(b"],\"warnings\":[null],\"errors\":[[");
            let mut first = true;
            for (batch, part) in self.parts.iter().enumerate() {
                let Some(Part::Failed(failure)) = part else {
                    continue;
                };
                let (start, count) = self.sizes[batch];
                for record in start..start + count {
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    error_entry(&mut out, failure, record);
                }
            }
            out.extend_from_slice(b"]],\"process_time\":[0]}");
            return out;
        };
        // Everything not written yet, in order (a batch never answered: not sent).
        self.start_rows(&header);
        for batch in self.merged..self.parts.len() {
            let part = self.parts[batch].take();
            self.write(batch, part);
        }
        let mut out = std::mem::take(&mut self.rows);
        out.reserve(self.warnings.len() + self.errors.len() + self.times.len() + 64);
        out.extend_from_slice(b"],\"warnings\":[");
        out.extend_from_slice(&self.warnings);
        out.extend_from_slice(b"],\"errors\":[");
        out.extend_from_slice(&self.errors);
        out.extend_from_slice(b"],\"process_time\":[");
        out.extend_from_slice(&self.times);
        out.extend_from_slice(b"]}");
        out
    }

    /// Begin the merged text with `{"outputs":[HEADER` (once).
    fn start_rows(&mut self, header: &[u8]) {
        if self.rows.is_empty() {
            self.rows.extend_from_slice(b"{\"outputs\":[");
            self.rows.extend_from_slice(header);
        }
    }

    /// Write the batches that are ready, in order, once the header is known (see `merged`).
    fn advance(&mut self) {
        let Some(header) = self.header.take() else {
            return;
        };
        self.start_rows(&header);
        self.header = Some(header);
        while self.merged < self.parts.len() && self.parts[self.merged].is_some() {
            let part = self.parts[self.merged].take();
            self.write(self.merged, part);
            self.merged += 1;
        }
    }

    /// Append batch `batch`'s rows and entries (`None`: it was never sent).
    fn write(&mut self, batch: usize, part: Option<Part>) {
        let (start, count) = self.sizes[batch];
        let push = |list: &mut Vec<u8>, text: &[u8]| {
            if !list.is_empty() {
                list.push(b',');
            }
            list.extend_from_slice(text);
        };
        let failure = match part {
            Some(Part::Answered {
                body,
                rows,
                warnings,
                errors,
                times,
            }) => {
                if let Entries::Span(from, to) = rows {
                    self.rows.push(b',');
                    self.rows.extend_from_slice(&body[from..to]);
                }
                for (list, entries, default) in [
                    (&mut self.warnings, warnings, &b"null"[..]),
                    (&mut self.errors, errors, b"null"),
                    (&mut self.times, times, b"0"),
                ] {
                    match entries {
                        Entries::Span(from, to) => push(list, &body[from..to]),
                        Entries::Default => (0..count).for_each(|_| push(list, default)),
                    }
                }
                return;
            }
            Some(Part::Failed(failure)) => failure,
            None => BatchFailure {
                error_type: "not_sent".to_string(),
                message: "the batch was not sent".to_string(),
            },
        };
        let null_row = format!("[{}]", vec!["null"; self.width].join(","));
        for record in start..start + count {
            self.rows.push(b',');
            self.rows.extend_from_slice(null_row.as_bytes());
            push(&mut self.warnings, b"null");
            let mut entry = b"[".to_vec();
            error_entry(&mut entry, &failure, record);
            entry.push(b']');
            push(&mut self.errors, &entry);
            push(&mut self.times, b"0");
        }
    }
}

/// Run batch tasks on the current tokio runtime, at most `in_flight` at once, taking batch numbers
/// from `next` until it has none. Every batch taken ends in exactly one call of `done`: with its
/// task's output, or with `Err(why)` when the task panicked or was cancelled — a batch's records
/// never vanish with its task.
pub async fn drive<T, F>(
    in_flight: usize,
    mut next: impl FnMut() -> Option<usize>,
    mut task: impl FnMut(usize) -> F,
    mut done: impl FnMut(usize, Result<T, String>),
) where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut running = tokio::task::JoinSet::new();
    let mut batches: std::collections::HashMap<tokio::task::Id, usize> =
        std::collections::HashMap::new();
    let mut start = |running: &mut tokio::task::JoinSet<T>,
                     batches: &mut std::collections::HashMap<tokio::task::Id, usize>|
     -> bool {
        match next() {
            Some(batch) => {
                let handle = running.spawn(task(batch));
                batches.insert(handle.id(), batch);
                true
            }
            None => false,
        }
    };
    for _ in 0..in_flight.max(1) {
        if !start(&mut running, &mut batches) {
            break;
        }
    }
    while let Some(joined) = running.join_next_with_id().await {
        let (id, result) = match joined {
            Ok((id, output)) => (id, Ok(output)),
            Err(error) => {
                // The id of the task that ended, panicked or cancelled.
                let id = error.id();
                let why = if error.is_panic() {
                    let panic = error.into_panic();
                    let text = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "no message".to_string());
                    format!("the batch's task panicked ({text})")
                } else {
                    "the batch's task was cancelled".to_string()
                };
                (id, Err(why))
            }
        };
        if let Some(batch) = batches.remove(&id) {
            done(batch, result);
        }
        start(&mut running, &mut batches);
    }
}

fn compact(value: &Value) -> String {
    crate::json::write::to_compact_string(value)
}

/// One error entry for record `record` (0-based) of a failed batch.
fn error_entry(out: &mut Vec<u8>, failure: &BatchFailure, record: usize) {
    let field = |out: &mut Vec<u8>, name: &str, value: &str, last: bool| {
        write_str(out, name).expect("writing to memory");
        out.push(b':');
        write_str(out, value).expect("writing to memory");
        if !last {
            out.push(b',');
        }
    };
    out.push(b'{');
    field(out, "error_category", "batch_error", false);
    field(out, "error_type", &failure.error_type, false);
    field(out, "additional_details", &failure.message, false);
    field(
        out,
        "source_path",
        &format!("/inputs/{}", record + 1),
        false,
    );
    field(
        out,
        "message",
        &format!(
            "record {} was not processed: {}",
            record + 1,
            failure.message
        ),
        true,
    );
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_response(text: &[u8], records: usize) -> bool {
        let options = Options {
            kind: Some(Kind::Response),
            against: Some(Against {
                name: "request".into(),
                records,
            }),
        };
        !validate::check_bytes(text, &options).checked.has_errors()
    }

    /// The merged response, which must be a valid response to `records` records.
    fn finish_valid(merger: Merger, records: usize) -> Vec<u8> {
        let merged = merger.finish();
        assert!(
            valid_response(&merged, records),
            "{}",
            String::from_utf8_lossy(&merged)
        );
        merged
    }

    #[test]
    fn batches_are_written_from_the_original_bytes() {
        let text = r#"{"inputs": [["a", "b"], [1.10, "x\u00e9"], [2, [["k"], [1e3]]], [3, null]]}"#;
        let root = crate::json::parse(text).unwrap();
        let split = Split::new(&root, 2).unwrap();
        assert_eq!(split.len(), 2);
        assert_eq!(
            String::from_utf8(split.body(0)).unwrap(),
            r#"{"inputs":[["a", "b"],[1.10, "x\u00e9"], [2, [["k"], [1e3]]]]}"#
        );
        assert_eq!(
            String::from_utf8(split.body(1)).unwrap(),
            r#"{"inputs":[["a", "b"],[3, null]]}"#
        );
    }

    /// A pretty-printed request or answer is taken apart the same way, and what xconn writes
    /// from it stays on one line (a single-line answer keeps its own separators).
    #[test]
    fn pretty_printed_requests_and_answers_are_written_on_one_line() {
        let text = "{\n  \"inputs\": [\n    [\"a\"],\n    [1],\n    [\"x\\n\"],\n    [3]\n  ]\n}\n";
        let root = crate::json::parse(text).unwrap();
        let split = Split::new(&root, 2).unwrap();
        assert_eq!(
            String::from_utf8(split.body(0)).unwrap(),
            r#"{"inputs":[["a"],[1],["x\n"]]}"#
        );
        let mut merger = Merger::new(&split);
        let pretty = "{\n  \"outputs\": [\n    [\"y\"],\n    [10],\n    [\"z \\n\"]\n  ],\n  \"warnings\": [\n    null,\n    [ {\"source_path\": \"y\", \"message\": \"w\"} ]\n  ],\n  \"errors\": [null, null],\n  \"process_time\": [\n    1,\n    2\n  ]\n}";
        merger.answered(0, pretty.as_bytes().to_vec()).unwrap();
        merger
            .answered(
                1,
                br#"{"outputs": [ ["y"] , [30] ], "warnings": [null], "errors": [ null ], "process_time": [ 3 ]}"#.to_vec(),
            )
            .unwrap();
        let merged = merger.finish();
        assert_eq!(
            String::from_utf8(merged.clone()).unwrap(),
            r#"{"outputs":[["y"],[10],["z \n"],[30]],"warnings":[null,[{"source_path":"y","message":"w"}],null],"errors":[null, null,null],"process_time":[1,2,3]}"#
        );
        assert!(valid_response(&merged, 3));
    }

    #[test]
    fn answers_merge_in_input_order_whatever_order_they_came_in() {
        let text = r#"{"inputs": [["a"], [1], [2], [3]]}"#;
        let root = crate::json::parse(text).unwrap();
        let split = Split::new(&root, 2).unwrap();
        let mut merger = Merger::new(&split);
        merger
            .answered(
                1,
                br#"{"outputs":[["y"],[30]],"warnings":[null],"errors":[null],"process_time":[3]}"#
                    .to_vec(),
            )
            .unwrap();
        merger
            .answered(0, br#"{"outputs":[["y"],[10],[20]],"warnings":[null,[{"source_path":"y","message":"w"}]],"errors":[null,null],"process_time":[1,2]}"#.to_vec())
            .unwrap();
        let merged = merger.finish();
        assert_eq!(
            String::from_utf8(merged.clone()).unwrap(),
            r#"{"outputs":[["y"],[10],[20],[30]],"warnings":[null,[{"source_path":"y","message":"w"}],null],"errors":[null,null,null],"process_time":[1,2,3]}"#
        );
        assert!(valid_response(&merged, 3));
    }

    /// Memory follows the merge, not every answer: an answer is written and dropped as soon as
    /// the batches before it are; only one that came early waits.
    #[test]
    fn answers_are_dropped_as_soon_as_the_batches_before_them_are_written() {
        let root = crate::json::parse(r#"{"inputs": [["a"], [1], [2], [3], [4]]}"#).unwrap();
        let split = Split::new(&root, 1).unwrap();
        let mut merger = Merger::new(&split);
        let answer = |y: u32| {
            format!(r#"{{"outputs":[["y"],[{y}]],"warnings":[null],"errors":[null],"process_time":[1]}}"#)
                .into_bytes()
        };
        merger.answered(0, answer(10)).unwrap();
        assert_eq!(merger.waiting(), 0);
        merger.answered(2, answer(30)).unwrap();
        merger.answered(3, answer(40)).unwrap();
        assert_eq!(merger.waiting(), 2, "batch 2 and 3 wait for batch 1");
        merger.failed(
            1,
            BatchFailure {
                error_type: "503".into(),
                message: "down".into(),
            },
        );
        assert_eq!(merger.waiting(), 0, "batch 1 failed: 2 and 3 are written");
        let merged = finish_valid(merger, 4);
        assert!(String::from_utf8(merged)
            .unwrap()
            .starts_with(r#"{"outputs":[["y"],[10],[null],[30],[40]]"#));
    }

    #[test]
    fn a_failed_batch_keeps_every_record_with_an_error_entry() {
        let root = crate::json::parse(r#"{"inputs": [["a"], [1], [2], [3]]}"#).unwrap();
        let split = Split::new(&root, 2).unwrap();
        let mut merger = Merger::new(&split);
        merger.failed(
            0,
            BatchFailure {
                error_type: "503".into(),
                message: "HTTP 503 after 3 attempts".into(),
            },
        );
        // An answer with the wrong record count is a failure too.
        let bad = merger.answered(
            1,
            br#"{"outputs":[["y"]],"warnings":[],"errors":[],"process_time":[]}"#.to_vec(),
        );
        assert!(bad.is_err());
        assert_eq!(merger.failures(), 2);
        assert_eq!(merger.errored_records(), 3);
        let merged = finish_valid(merger, 3);
        let text = String::from_utf8(merged).unwrap();
        assert_eq!(
            text.matches("\"error_category\":\"batch_error\"").count(),
            3
        );
        assert!(text.contains("\"source_path\":\"/inputs/3\""));
    }

    #[test]
    fn partial_failure_keeps_rows_under_the_known_header() {
        let root = crate::json::parse(r#"{"inputs": [["a"], [1], [2], [3]]}"#).unwrap();
        let split = Split::new(&root, 1).unwrap();
        let mut merger = Merger::new(&split);
        for batch in [0, 2] {
            merger
                .answered(batch, br#"{"outputs":[["y","z"],[1,2]],"warnings":[null],"errors":[null],"process_time":[1]}"#.to_vec())
                .unwrap();
        }
        merger.failed(
            1,
            BatchFailure {
                error_type: "timeout".into(),
                message: "no answer within 60 s".into(),
            },
        );
        let merged = finish_valid(merger, 3);
        assert!(String::from_utf8(merged)
            .unwrap()
            .starts_with(r#"{"outputs":[["y","z"],[1,2],[null,null],[1,2]]"#));
    }
    /// Found by the `call_response` fuzz target: batches answered under different headers were
    /// merged into one table of rows of different widths (XC107 in the merged response).
    #[test]
    fn an_answer_under_another_header_fails_its_batch() {
        let root = crate::json::parse(r#"{"inputs": [["a"], [1], [2], [3]]}"#).unwrap();
        let split = Split::new(&root, 2).unwrap();
        let mut merger = Merger::new(&split);
        merger
            .answered(0, br#"{"outputs":[["y","z"],[1,2],[3,4]],"warnings":[null,null],"errors":[null,null],"process_time":[1,1]}"#.to_vec())
            .unwrap();
        let other = merger.answered(
            1,
            br#"{"outputs":[["y"],[1]],"warnings":[null],"errors":[null],"process_time":[1]}"#
                .to_vec(),
        );
        let failure = other.unwrap_err();
        assert!(
            failure.message.contains(r#"header ["y"] differs"#),
            "{}",
            failure.message
        );
        assert_eq!(merger.failures(), 1);
        let merged = finish_valid(merger, 3);
        assert!(String::from_utf8(merged)
            .unwrap()
            .starts_with(r#"{"outputs":[["y","z"],[1,2],[3,4],[null,null]]"#));
    }

    /// A batch task that panics still ends its batch, with the reason: no batch taken goes
    /// without a result (the merge then fails it, so its records keep error entries).
    #[test]
    fn a_panicking_batch_task_still_reports_its_batch() {
        let mut taken = 0..6;
        let mut seen: Vec<(usize, Result<usize, String>)> = Vec::new();
        crate::http::block_on(drive(
            2,
            || taken.next(),
            |batch| async move {
                if batch == 2 || batch == 5 {
                    panic!("injected failure in batch {batch}");
                }
                batch * 10
            },
            |batch, result| seen.push((batch, result)),
        ))
        .unwrap();
        seen.sort_by_key(|(batch, _)| *batch);
        assert_eq!(seen.len(), 6, "{seen:?}");
        for (batch, result) in &seen {
            match batch {
                2 | 5 => {
                    let why = result.as_ref().unwrap_err();
                    assert!(
                        why.contains(&format!("injected failure in batch {batch}")),
                        "{why}"
                    );
                }
                _ => assert_eq!(result.as_ref().unwrap(), &(batch * 10)),
            }
        }
    }

    /// A batch whose result never came is listed, and failing it keeps and counts its records.
    #[test]
    fn batches_never_placed_are_listed_and_failing_them_counts_their_records() {
        let root = crate::json::parse(r#"{"inputs": [["a"], [1], [2], [3], [4], [5]]}"#).unwrap();
        let split = Split::new(&root, 2).unwrap();
        let mut merger = Merger::new(&split);
        merger
            .answered(0, br#"{"outputs":[["y"],[1],[2]],"warnings":[null,null],"errors":[null,null],"process_time":[1,1]}"#.to_vec())
            .unwrap();
        assert_eq!(merger.unplaced(), [1, 2]);
        assert_eq!(merger.placeholder_times(), [2..4, 4..5]);
        for batch in merger.unplaced() {
            merger.failed(
                batch,
                BatchFailure {
                    error_type: "internal_error".into(),
                    message: "lost".into(),
                },
            );
        }
        assert!(merger.unplaced().is_empty());
        assert_eq!((merger.failures(), merger.failed_records()), (2, 3));
        assert_eq!(merger.placeholder_times(), [2..4, 4..5]);
        finish_valid(merger, 5);
        // No batch answered with records: the one process_time entry is xconn's.
        let mut merger = Merger::new(&split);
        merger.answered(0, REFUSED.to_vec()).unwrap();
        let all: Vec<std::ops::Range<usize>> = std::iter::once(0..1).collect();
        assert_eq!(merger.placeholder_times(), all);
    }

    const REFUSED: &[u8] = br#"{"outputs": [], "warnings": [null], "errors": [[{"error_category": "c", "error_type": "500", "additional_details": "", "source_path": "", "message": "down"}]], "process_time": [0]}"#;

    /// A batch answered with `"outputs": []` and request-level errors (valid on its own) left a
    /// `[]` row under the other batches' header (XC107), or, with no header at all, lost the
    /// service's errors (`"errors": [[]]`).
    #[test]
    fn a_batch_refused_with_no_outputs_keeps_its_records_with_the_services_error() {
        let root = crate::json::parse(r#"{"inputs": [["a"], [1], [2], [3]]}"#).unwrap();
        let split = Split::new(&root, 2).unwrap();
        let mut merger = Merger::new(&split);
        merger
            .answered(0, br#"{"outputs":[["y"],[1],[3]],"warnings":[null,null],"errors":[null,null],"process_time":[1,1]}"#.to_vec())
            .unwrap();
        merger.answered(1, REFUSED.to_vec()).unwrap();
        assert_eq!(merger.errored_records(), 1);
        let merged = finish_valid(merger, 3);
        let text = String::from_utf8(merged).unwrap();
        assert!(
            text.starts_with(r#"{"outputs":[["y"],[1],[3],[null]]"#),
            "{text}"
        );
        assert!(
            text.contains(r#""error_type":"500","additional_details":"the service answered with no outputs: down","source_path":"/inputs/3""#),
            "{text}"
        );

        // Every batch refused: one request-level entry, an error per record, none lost.
        let mut merger = Merger::new(&split);
        merger.answered(0, REFUSED.to_vec()).unwrap();
        merger.answered(1, REFUSED.to_vec()).unwrap();
        let merged = finish_valid(merger, 3);
        let text = String::from_utf8(merged).unwrap();
        assert_eq!(text.matches("no outputs: down").count(), 6, "{text}");
    }
}
