//! How one answer to a valid request is judged (the conformance rules): a 2xx in under 55 s whose
//! body is a valid response with one answer per request record. Each broken rule has a stable id
//! ([`Broken::rule`]) so a shrunk case can be held to fail "the same way".

use std::time::Duration;

use crate::diag::Severity;
use crate::http::{self, Failure};
use crate::validate::{self, Against};

/// Spark's limit for a remote service's answer.
pub(crate) const SPARK_LIMIT: Duration = Duration::from_secs(55);

/// A rule an answer broke: its id and why, for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Broken {
    pub(crate) rule: &'static str,
    pub(crate) reason: String,
}

pub(crate) fn broken(rule: &'static str, reason: String) -> Broken {
    Broken { rule, reason }
}

/// The rule a failed send broke: `5xx`, `4xx` (a valid request refused), `other-status`,
/// `timeout` or `no-answer` (the connection failed or broke).
pub(crate) fn send_failure(e: &http::HttpError) -> Broken {
    let rule = match &e.failure {
        Failure::Status { status, .. } if *status >= 500 => "5xx",
        Failure::Status { status, .. } if *status >= 400 => "4xx",
        Failure::Status { .. } => "other-status",
        Failure::Timeout(_) => "timeout",
        _ => "no-answer",
    };
    broken(rule, e.to_string())
}

/// The answer to a valid request of `records` records, when it conforms.
pub(crate) fn valid_answer(
    result: Result<http::Response, http::HttpError>,
    records: usize,
) -> Result<http::Response, Broken> {
    let response = result.map_err(|e| send_failure(&e))?;
    if response.latency > SPARK_LIMIT {
        return Err(broken(
            "slow",
            format!(
                "answered in {:.1} s: Spark gives a remote service under a minute (55 s)",
                response.latency.as_secs_f64()
            ),
        ));
    }
    let status = response.status;
    match judge_body(&response.body, records) {
        Err(why) => Err(broken("invalid-response", why)),
        Ok(None) => Ok(response),
        // Valid against a request of any size, but no answer per record: the whole request
        // failed.
        Ok(Some(failure)) => Err(broken(
            "request-level",
            format!(
                "HTTP {status}, but a request-level error instead of an answer per record: the \
                 whole request of {} failed{}: {}",
                crate::render::plural(records, "record"),
                failure
                    .error_type
                    .as_ref()
                    .map(|t| format!(" (error_type {t})"))
                    .unwrap_or_default(),
                failure.reason()
            ),
        )),
    }
}

/// An answer's `body` checked as a response to `records` records (one UTF-8 check, one scan):
/// why it breaks the format, or the request-level failure it is instead of an answer per record.
pub(crate) fn judge_body(
    body: &[u8],
    records: usize,
) -> Result<Option<validate::RequestFailure>, String> {
    let against = Against {
        name: "probe".to_string(),
        records,
    };
    let (validated, text) = validate::check_answer(body, Some(against));
    let errors: Vec<_> = validated
        .checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    match errors.first() {
        Some(first) => Err(format!(
            "the answer breaks the format: {} {} at {}{}",
            first.rule,
            first.message,
            first.location(),
            if errors.len() > 1 {
                format!(" (and {} more)", errors.len() - 1)
            } else {
                String::new()
            }
        )),
        None => Ok(validated.request_failure(text)),
    }
}

/// The `q` quantile (0–1) of `sorted` latencies, nearest rank; zero when there are none.
pub(crate) fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted
        .get(((q * sorted.len() as f64).ceil() as usize).saturating_sub(1))
        .copied()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered_after(latency: Duration) -> http::Response {
        http::Response {
            status: 200,
            headers: Vec::new(),
            body:
                br#"{"outputs":[["y"],[1]],"warnings":[null],"errors":[null],"process_time":[1]}"#
                    .to_vec(),
            request_id: "r".to_string(),
            attempts: 1,
            latency,
        }
    }

    /// Spark gives a remote service 55 s: a valid answer later than that breaks `slow`, one
    /// within it passes, whatever else it holds.
    #[test]
    fn an_answer_later_than_sparks_55_seconds_breaks_slow() {
        for (latency, slow) in [
            (Duration::from_secs(1), false),
            (SPARK_LIMIT, false),
            (SPARK_LIMIT + Duration::from_millis(1), true),
            (Duration::from_secs(120), true),
        ] {
            let judged = valid_answer(Ok(answered_after(latency)), 1);
            assert_eq!(
                judged.as_ref().err().map(|b| b.rule),
                slow.then_some("slow"),
                "{latency:?}"
            );
        }
    }
}
