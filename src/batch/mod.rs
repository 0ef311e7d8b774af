//! The call engine: one request ([`one`]), or `call --batch-size N`: a checked request split into
//! requests of at most N records, each written from the original bytes of its header and records
//! (values are never re-serialised); the answers, which may finish in any order, merged in input
//! order into one valid response; and what is shown of the answer ([`print`]).
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
//!
//! Each answer is read once: [`split`] cuts the request, [`answer`] checks and cuts each answer on
//! the thread that received it, [`merge`] places the parts (valid by construction, not checked
//! again), [`run`] sends the batches and keeps the statistics.

pub(crate) mod answer;
pub(crate) mod merge;
pub(crate) mod one;
pub(crate) mod print;
pub(crate) mod run;
pub(crate) mod split;

pub(crate) use answer::Answer;
pub(crate) use merge::Merged;
pub use merge::Merger;
pub use split::Split;

use crate::body::Value;
use crate::json::write::write_str;

/// Why a batch has no usable answer.
#[derive(Debug, Clone)]
pub struct BatchFailure {
    /// The spec's `error_type`: an HTTP status (`"503"`) or a transport failure (`timeout`).
    pub error_type: String,
    /// What happened, for people (no secrets: callers pass redacted text).
    pub message: String,
}

/// Run batch tasks on the current tokio runtime, at most `in_flight` at once, taking batch numbers
/// from `next` until it has none. Every batch taken ends in exactly one call of `done`: with its
/// task's output, or with `Err(why)` when the task panicked or was cancelled — a batch's records
/// never vanish with its task.
pub(crate) async fn drive<T, F>(
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
}
