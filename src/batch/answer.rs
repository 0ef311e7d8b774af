//! A batch's answer, read once on the thread that received it: checked as a response to its batch
//! by the validator's own code (as `validate --against` would), then cut into the spans the merge
//! places — its rows and its `warnings`, `errors` and `process_time` entries — with the
//! validator's warnings about its records, so the merged response needs no second look.

use super::BatchFailure;
use crate::body::{Kind, Value};
use crate::diag::{Diagnostic, Severity};
use crate::json;
use crate::validate::{self, Against, Options, TopMember, Validated};

/// A batch's answer, checked and taken apart: what [`super::Merger::take`] merges.
pub(crate) struct Answer(pub(super) Taken);

pub(super) enum Taken {
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

/// One batch's contribution: its answer's text and the spans, in it, of its rows and of its
/// `warnings`, `errors` and `process_time` entries, and what the validator said about them.
pub(super) enum Part {
    Answered {
        body: Vec<u8>,
        rows: Entries,
        warnings: Entries,
        errors: Entries,
        times: Entries,
        notes: Notes,
    },
    Failed(BatchFailure),
}

/// A batch's entries of one kind, one per record.
pub(super) enum Entries {
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
        let to = json::skip_ws_back(bytes, end - 1).max(from);
        // Past the separator after the skipped items.
        from = json::skip_ws(bytes, from);
        if skip > 0 && bytes.get(from) == Some(&b',') {
            from = json::skip_ws(bytes, from + 1);
        }
        let from = from.min(to);
        if memchr::memchr2(b'\n', b'\r', &bytes[from..to]).is_none() {
            return Entries::Span(from, to);
        }
        let at = text.len() + spare.len();
        for (i, item) in items.enumerate() {
            if i > 0 {
                spare.push(b',');
            }
            json::write::write_value(spare, &item, json::write::Style::Compact)
                .expect("writing to memory");
        }
        Entries::Span(at, text.len() + spare.len())
    }
}

/// The members of a response that hold one entry per record, in document order (the merged
/// response writes them in this order too).
pub(super) const MEMBERS: [&str; 4] = ["outputs", "warnings", "errors", "process_time"];

/// The validator's warnings about an answer's records (an answer with errors is not merged), each
/// with where it points relative to its batch, so the merge can point it into the merged
/// response. Warnings about the answer as a whole (an unknown key the merge drops) are not kept.
#[derive(Default)]
pub(super) struct Notes {
    pub(super) listed: Vec<Note>,
    /// Warnings past the validator's limit, counted and not listed.
    pub(super) unlisted: usize,
}

pub(super) struct Note {
    /// Which of [`MEMBERS`].
    pub(super) member: usize,
    /// The record (0-based in its batch).
    pub(super) record: usize,
    /// The pointer below the record's entry (`""` for the entry itself).
    pub(super) rest: String,
    pub(super) diagnostic: Diagnostic,
}

impl Note {
    /// `diagnostic` when its pointer goes to one record's entry of one of [`MEMBERS`].
    fn of(diagnostic: &Diagnostic) -> Option<Note> {
        let path = diagnostic.pointer.strip_prefix('/')?;
        let (key, after) = path.split_once('/')?;
        let member = MEMBERS.iter().position(|m| *m == key)?;
        let (index, rest) = match after.find('/') {
            Some(at) => (&after[..at], &after[at..]),
            None => (after, ""),
        };
        let index: usize = index.parse().ok()?;
        // `outputs` starts with its header.
        let record = if member == 0 {
            index.checked_sub(1)?
        } else {
            index
        };
        Some(Note {
            member,
            record,
            rest: rest.to_string(),
            diagnostic: diagnostic.clone(),
        })
    }

    /// The diagnostic, pointing into the merged response where the batch's records start at
    /// record `first`.
    pub(super) fn rebased(mut self, first: usize) -> (usize, Diagnostic) {
        let index = first + self.record + usize::from(self.member == 0);
        self.diagnostic.pointer = format!("/{}/{index}{}", MEMBERS[self.member], self.rest);
        (self.member, self.diagnostic)
    }
}

impl Answer {
    /// Why the service refused the whole batch (a request-level error instead of its records),
    /// when it did.
    pub(crate) fn refused(&self) -> Option<&BatchFailure> {
        match &self.0 {
            Taken::Refused(failure) => Some(failure),
            Taken::Rows { .. } => None,
        }
    }

    /// Read `body`, the answer to batch `batch` of `records` records: checked as a response to
    /// it (as `validate --against` would), then cut into spans without walking it again. `Err`
    /// says why it cannot be merged. Needs no merger, so each answer can be read on the thread
    /// that received it.
    pub(crate) fn read(
        batch: usize,
        records: usize,
        mut body: Vec<u8>,
    ) -> Result<Answer, BatchFailure> {
        body.drain(..crate::source::bom_len(&body));
        let text = crate::text::utf8(&body).map_err(|e| {
            invalid(format!(
                "the answer is not UTF-8 text (byte {})",
                e.valid_up_to()
            ))
        })?;
        let validated = check(text, batch, records)?;
        // A valid response to this batch: its members are where the scan saw them.
        let member = |key: &str| validated.members.iter().rev().find(|m| m.key == key);
        let (Some(outputs), Some(Kind::Response)) = (member("outputs"), validated.checked.kind)
        else {
            return Err(invalid("the answer is not a response body".to_string()));
        };
        if outputs.count != Some(records) {
            return Ok(Answer(Taken::Refused(refusal(&validated, text))));
        }
        let table = Value::from_checked(text, outputs.span.0, outputs.span.1);
        let header = table
            .items()
            .next()
            .ok_or_else(|| invalid("the answer's outputs have no header".to_string()))?;
        let mut spare = Vec::new();
        let mut entries = |key: &str| match member(key) {
            Some(m) if m.count == Some(records) => Entries::of(text, m.span, 0, &mut spare),
            _ => Entries::Default,
        };
        let (warnings, errors, times) = (
            entries("warnings"),
            entries("errors"),
            entries("process_time"),
        );
        let errored = errored(member("errors"), text);
        let rows = Entries::of(text, outputs.span, 1, &mut spare);
        let (header, width) = (super::compact(&header).into_bytes(), header.items().count());
        let notes = Notes {
            listed: validated
                .checked
                .diagnostics
                .iter()
                .filter_map(Note::of)
                .collect(),
            unlisted: validated.checked.unlisted.warnings,
        };
        body.extend_from_slice(&spare);
        let part = Part::Answered {
            body,
            rows,
            warnings,
            errors,
            times,
            notes,
        };
        Ok(Answer(Taken::Rows {
            header,
            width,
            part,
            errored,
        }))
    }
}

/// A failure of an answer that cannot be merged.
fn invalid(message: String) -> BatchFailure {
    BatchFailure {
        error_type: "invalid_response".to_string(),
        message,
    }
}

/// `text` checked as a response to batch `batch` of `records` records; its first error fails it.
fn check(text: &str, batch: usize, records: usize) -> Result<Validated, BatchFailure> {
    let options = Options {
        kind: Some(Kind::Response),
        against: Some(Against {
            name: format!("batch {}", batch + 1),
            records,
        }),
    };
    let validated = validate::check_text(text, &options);
    match validated
        .checked
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
    {
        Some(first) => Err(invalid(format!(
            "the answer breaks the format: {} {} at {}",
            first.rule,
            first.message,
            first.location()
        ))),
        None => Ok(validated),
    }
}

/// Why the service answered a batch with no outputs, from its request-level errors.
fn refusal(validated: &Validated, text: &str) -> BatchFailure {
    let said = validated.request_failure(text).unwrap_or_default();
    BatchFailure {
        error_type: said
            .error_type
            .clone()
            .unwrap_or_else(|| "no_outputs".to_string()),
        message: match said.messages.is_empty() {
            false => format!("the service answered with no outputs: {}", said.reason()),
            true => "the service answered with no outputs".to_string(),
        },
    }
}

/// How many records carry errors: the non-empty entries of `errors` (walked only when the scan
/// saw a non-null one).
fn errored(errors: Option<&TopMember>, text: &str) -> usize {
    match errors {
        Some(m) if m.non_null > 0 => Value::from_checked(text, m.span.0, m.span.1)
            .items()
            .filter(|entry| entry.items().next().is_some())
            .count(),
        _ => 0,
    }
}
