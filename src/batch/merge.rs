//! The merge of `call --batch-size`: batch answers, which may finish in any order, placed in
//! input order into one response — valid by construction. Every answered part was checked by the
//! validator when it came ([`Answer::read`]), under the first answer's header; every other entry
//! (a failed or refused batch's rows of `null`s, its error entries, its `process_time` of 0) is
//! written here in the spec's shape. So the merged text is not checked again: the validator's
//! warnings about the answers come with it, pointed into it ([`Merged::diagnostics`]).

use super::answer::{Answer, Entries, Note, Part, Taken, MEMBERS};
use super::{error_entry, BatchFailure, Split};
use crate::diag::{Diagnostic, Severity};
use crate::validate::{rules, scan::MAX_REPORTED};

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
    /// The validator's warnings about the answers written so far, pointed into the merged
    /// response, with which member each is in; and how many more it counted.
    notes: Vec<(usize, Diagnostic)>,
    unlisted: usize,
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

    #[cfg(test)]
    /// Batches that failed for good.
    pub(crate) fn failures(&self) -> usize {
        self.failures
    }

    #[cfg(test)]
    /// Records that carry an error entry (from the service or from a failed batch).
    pub(crate) fn errored_records(&self) -> usize {
        self.errored_records
    }

    /// Records of failed batches.
    pub(crate) fn failed_records(&self) -> usize {
        self.failed_records
    }

    /// The record indexes (0-based) of batch `batch`.
    pub(crate) fn records_of(&self, batch: usize) -> std::ops::Range<usize> {
        let (start, count) = self.sizes[batch];
        start..start + count
    }

    /// Batches whose result has not been taken yet: after every batch task has ended there are
    /// none, unless one was lost; each must then be [`Merger::failed`] so its records keep
    /// their error entries and count as failed.
    pub(crate) fn unplaced(&self) -> Vec<usize> {
        (0..self.placed.len())
            .filter(|&b| !self.placed[b])
            .collect()
    }

    #[cfg(test)]
    /// The `process_time` entries (indexes) of the merged response that xconn wrote for records
    /// without an answer (failed or refused batches), not the service: their 0 is no finding
    /// about the service. When no batch answered with records, the merged response is a
    /// request-level failure and its one entry is xconn's.
    pub(crate) fn placeholder_times(&self) -> Vec<std::ops::Range<usize>> {
        if self.header.is_none() {
            return std::iter::once(0..1).collect();
        }
        (0..self.sizes.len())
            .filter(|&b| self.placeholder[b] || !self.placed[b])
            .map(|b| self.records_of(b))
            .collect()
    }

    #[cfg(test)]
    /// Answers held because a batch before them has not finished (the rest are written into
    /// the merge and dropped as they come).
    pub(crate) fn waiting(&self) -> usize {
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
    pub(crate) fn take(
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
    pub fn finish(self) -> Vec<u8> {
        self.merged().body
    }

    /// The merged response with what the validator said about the answers in it.
    pub(crate) fn merged(mut self) -> Merged {
        let records = self.sizes.iter().map(|(_, count)| count).sum();
        let answered = self.header.is_some();
        let errored = self.errored_records;
        let body = match self.header.take() {
            Some(header) => self.body(&header),
            None => self.request_failure(),
        };
        let mut notes = std::mem::take(&mut self.notes);
        // Document order: the members in turn, each in input order (as written).
        notes.sort_by_key(|(member, _)| *member);
        Merged {
            body,
            records,
            answered,
            errored,
            notes: notes.into_iter().map(|(_, d)| d).collect(),
            unlisted: self.unlisted,
        }
    }

    /// No batch answered with records: one request-level entry with an error per record.
    fn request_failure(&self) -> Vec<u8> {
        let mut out = b"{\"outputs\":[".to_vec();
        out.extend_from_slice(b"],\"warnings\":[null],\"errors\":[[");
        let mut first = true;
        for (batch, part) in self.parts.iter().enumerate() {
            let Some(Part::Failed(failure)) = part else {
                continue;
            };
            for record in self.records_of(batch) {
                if !first {
                    out.push(b',');
                }
                first = false;
                error_entry(&mut out, failure, record);
            }
        }
        out.extend_from_slice(b"]],\"process_time\":[0]}");
        out
    }

    /// The rows under `header`, then the entry lists: everything not written yet, in order (a
    /// batch never answered: not sent).
    fn body(&mut self, header: &[u8]) -> Vec<u8> {
        self.start_rows(header);
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
        let failure = match part {
            Some(Part::Answered {
                body,
                rows,
                warnings,
                errors,
                times,
                notes,
            }) => {
                let first = self.sizes[batch].0;
                self.notes
                    .extend(notes.listed.into_iter().map(|n: Note| n.rebased(first)));
                self.unlisted += notes.unlisted;
                if let Entries::Span(from, to) = rows {
                    self.rows.push(b',');
                    self.rows.extend_from_slice(&body[from..to]);
                }
                let count = self.sizes[batch].1;
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
        self.write_placeholders(batch, &failure);
    }

    /// Batch `batch`'s records without an answer: a row of `null`s each, `null` warnings, an
    /// error entry saying why and a `process_time` of 0.
    fn write_placeholders(&mut self, batch: usize, failure: &BatchFailure) {
        let null_row = format!("[{}]", vec!["null"; self.width].join(","));
        for record in self.records_of(batch) {
            self.rows.push(b',');
            self.rows.extend_from_slice(null_row.as_bytes());
            push(&mut self.warnings, b"null");
            push(&mut self.errors, b"[");
            error_entry(&mut self.errors, failure, record);
            self.errors.push(b']');
            push(&mut self.times, b"0");
        }
    }
}

/// Append `text` to the comma-separated `list`.
fn push(list: &mut Vec<u8>, text: &[u8]) {
    if !list.is_empty() {
        list.push(b',');
    }
    list.extend_from_slice(text);
}

/// The merged response of the batches: valid by construction (see the module docs).
pub(crate) struct Merged {
    /// Compact JSON text, on one line.
    pub(crate) body: Vec<u8>,
    /// Records in the request.
    pub(crate) records: usize,
    /// Whether some batch answered with records: if none did, the response is a request-level
    /// failure (no records, an error entry per record).
    pub(crate) answered: bool,
    /// Records that carry an error entry (the service's or a failed batch's).
    pub(crate) errored: usize,
    /// The validator's warnings about the answers, pointed into `body` (not yet located).
    notes: Vec<Diagnostic>,
    /// Warnings past the validator's limit in the answers.
    unlisted: usize,
}

impl Merged {
    /// What `validate` says about the merged response: the answers' warnings, located in it,
    /// the first [`MAX_REPORTED`] listed and a note counting the rest.
    pub(crate) fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut listed: Vec<Diagnostic> = self.notes.iter().take(MAX_REPORTED).cloned().collect();
        locate(&self.body, &mut listed);
        let more = self.notes.len().saturating_sub(MAX_REPORTED) + self.unlisted;
        if more > 0 {
            let mut note = Diagnostic::new(
                rules::TOO_MANY,
                Severity::Warning,
                "",
                format!("{more} more problems not listed (only the first {MAX_REPORTED} are)"),
            );
            (note.line, note.col) = (1, 1);
            listed.push(note);
        }
        listed
    }
}

/// Set the line and column of each of `diagnostics` (in document order, pointers to one entry
/// per record or below) in the merged `body`: one walk of the members they are in.
fn locate(body: &[u8], diagnostics: &mut [Diagnostic]) {
    let Some(root) = crate::text::utf8(body)
        .ok()
        .map(|text| crate::json::Value::from_checked(text, 0, text.len()))
    else {
        return;
    };
    let mut lines = crate::source::Lines::new(body);
    // The member being walked, the next entry's index and its entries from there.
    let mut at: Option<(usize, usize, crate::json::Items)> = None;
    for d in diagnostics {
        let mut parts = d.pointer.splitn(4, '/').skip(1);
        let key = parts.next().unwrap_or_default();
        let (Some(member), Some(index)) = (
            MEMBERS.iter().position(|m| *m == key),
            parts.next().and_then(|i| i.parse::<usize>().ok()),
        ) else {
            continue;
        };
        let rest = parts.next().map(|r| format!("/{r}")).unwrap_or_default();
        if at
            .as_ref()
            .is_none_or(|(m, next, _)| *m != member || *next > index)
        {
            at = root.get(key).map(|m| (member, 0, m.items()));
        }
        let Some((_, next, items)) = at.as_mut() else {
            continue;
        };
        // Walk on to the entry (each member's entries are visited once, in order).
        let entry = items.nth(index - *next);
        *next = index + 1;
        let offset = match entry {
            Some(entry) if rest.is_empty() => entry.offset(),
            Some(entry) => crate::diag::nearest_offset(&entry, &rest),
            None => root.offset(),
        };
        (d.line, d.col) = lines.at(offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Kind;
    use crate::validate::{self, Against, Options};

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
