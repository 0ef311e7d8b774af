//! The fixed probes of `xconn check URL`, built from the sample request body and sent with the
//! `call` client, each answer judged as `validate --against` its request judges it.
//!
//! Probes, in order (a probe that needs what is not there is skipped, and says why; one the
//! run's budget does not reach is skipped, saying which budget). [`run`] sends the first six and
//! `malformed`, `no-token` goes with the auth group, and [`costly`] sends the last two after the
//! robustness and auth probes:
//! * `sample` — the sample as it is;
//! * `single-record` — the header and the first record;
//! * `multi-record` — three records (the sample's first three, or its first record repeated);
//! * `unicode` / `empty-strings` — the first record with every string value replaced by non-ASCII
//!   text (`Zürich 東京 🚀 ✓`) / by `""`;
//! * `nested-table` — the first record whose nested tables have their rows doubled (needs a
//!   nested table in the sample);
//! * `no-token` — the sample without `Authorization`: 401 or 403 expected (needs a token);
//! * `malformed` — a body that is not JSON, judged as the robustness probes are (a 4xx, a
//!   request-level failure or an `errors` entry passes; a 5xx, a hang or a silent 2xx fails);
//! * `batch-1000` — 1,000 records (the sample's cycled): a valid answer, latency reported;
//! * `repeat` — `--repeat N` runs of the sample: p50/p95/p99, failing past `--p95 MS`.
//!
//! A probe that expects a valid answer passes on a 2xx whose body is a valid response with one
//! record per request record (record-level errors in it are the service's business, not a
//! failure). Any answer slower than 55 s fails: Spark gives a remote service under a minute.

use std::time::{Duration, Instant};

use super::{judge, Group, Probe, Settings, Spent, Verdict};
use crate::body::{Body, Cell, Kind, Table, Value};
use crate::http::{self, Client, Failure};
use crate::json::write::write_str;

/// The sample's table, when the sample has a header and records.
fn sample_table<'a>(root: Option<&crate::json::Value<'a>>) -> Option<Table<'a>> {
    root.and_then(|r| Body::view(r, Some(Kind::Request)))
        .and_then(|b| b.records())
        .filter(|t| t.header.is_some() && !t.is_empty())
}

fn parse_sample(settings: &Settings) -> Option<crate::json::Value<'_>> {
    let text = settings
        .sample
        .as_deref()
        .and_then(|b| crate::text::utf8(b).ok())?;
    crate::json::parse(text).ok()
}

/// Run the probes of one request each (the first six of [`RECORD_PROBES`], then `malformed`).
/// `authed` is the client with the token (if any).
pub(crate) async fn run(settings: &Settings, authed: &Client) -> Vec<Probe> {
    let root = parse_sample(settings);
    let table = sample_table(root.as_ref());
    let table = table.as_ref();
    let mut probes = Vec::new();
    // Probes that expect a valid answer to a request body.
    for name in VALID_PROBES {
        if !settings.runs(Group::Conformance, name) {
            continue;
        }
        let body = match table {
            None => Err(no_records(settings)),
            Some(table) => probe_body(name, table, settings),
        };
        probes.push(match body {
            Ok(body) => {
                let records = count_records(&body);
                match send(settings, authed, body).await {
                    Ok((result, _)) => judge_valid(name, result, records),
                    Err(spent) => spent.probe(Group::Conformance, name),
                }
            }
            Err(why) => skip(name, why),
        });
    }
    if settings.runs(Group::Robustness, "malformed") {
        probes.push(malformed(settings, authed).await);
    }
    probes
}

/// Run the probes of many requests or records — `batch-1000`, `repeat` — after the cheap ones.
pub(crate) async fn costly(settings: &Settings, authed: &Client) -> Vec<Probe> {
    let root = parse_sample(settings);
    let table = sample_table(root.as_ref());
    let table = table.as_ref();
    let mut probes = Vec::new();
    if settings.runs(Group::Conformance, "batch-1000") {
        probes.push(match table {
            None => skip("batch-1000", no_records(settings)),
            Some(table) => {
                let body = body_of(table, &records(table, 1000));
                match send(settings, authed, body).await {
                    Ok((result, _)) => judge_valid("batch-1000", result, 1000),
                    Err(spent) => spent.probe(Group::Conformance, "batch-1000"),
                }
            }
        });
    }
    if settings.runs(Group::Conformance, "repeat") {
        probes.push(repeat(settings, authed, table).await);
    }
    probes
}

/// Why a probe that sends records is skipped without a sample.
const NEEDS_SAMPLE: &str = "no --sample: this probe needs a request body the service understands";

/// Why a probe that sends the sample's records is skipped when there are none to send: no
/// `--sample`, or one with a header and no records.
fn no_records(settings: &Settings) -> String {
    match settings.sample {
        Some(_) => "the sample has no records: this probe needs a record to send".to_string(),
        None => NEEDS_SAMPLE.to_string(),
    }
}

/// Send `body` as `settings` say on `client`; the result and how long it took, or the budget
/// that refused or cut it.
async fn send(
    settings: &Settings,
    client: &Client,
    body: Vec<u8>,
) -> Result<(Result<http::Response, http::HttpError>, Duration), Spent> {
    let started = Instant::now();
    let result = super::send(settings, client, body, &[]).await?;
    Ok((result, started.elapsed()))
}

/// The body of the valid-answer probe `name` ([`VALID_PROBES`]) from the sample's table, or why
/// it is skipped.
fn probe_body(name: &str, table: &Table, settings: &Settings) -> Result<Vec<u8>, String> {
    match name {
        "sample" => Ok(settings.sample.clone().unwrap_or_default()),
        "single-record" => Ok(body_of(table, &records(table, 1))),
        "multi-record" => Ok(body_of(table, &records(table, 3))),
        "unicode" => Ok(variant(table, Some("Zürich 東京 🚀 ✓"), false)),
        "empty-strings" => Ok(variant(table, Some(""), false)),
        _ if has_nested_table(table) => Ok(variant(table, None, true)),
        _ => Err("the sample has no nested table".to_string()),
    }
}

/// `no-token`: the sample without the token, 401 or 403 expected.
pub(crate) async fn no_token(
    settings: &Settings,
    authed: &Client,
    anonymous: &Client,
    sample: bool,
) -> Probe {
    let name = "no-token";
    if !sample {
        return skip(name, NEEDS_SAMPLE.to_string());
    }
    if authed.token().is_none() {
        return skip(
            name,
            "no token configured: nothing to leave out".to_string(),
        );
    }
    let sample = settings.sample.clone().unwrap_or_default();
    let result = match send(settings, anonymous, sample).await {
        Ok((result, _)) => result,
        Err(spent) => return spent.probe(Group::Auth, name),
    };
    match result {
        Err(e) => match &e.failure {
            Failure::Status { status, .. } if *status == 401 || *status == 403 => {
                pass(name, None, format!("refused with HTTP {status}"))
            }
            Failure::Status { status, .. } => fail(
                name,
                None,
                format!("HTTP {status} without a token; expected 401 or 403"),
            ),
            _ => fail(name, None, e.to_string()),
        },
        Ok(response) => fail(
            name,
            Some(response.latency),
            format!(
                "HTTP {} without a token: the service does not check the token",
                response.status
            ),
        ),
    }
}

/// `malformed`: a body that is not JSON, judged as every robustness probe is
/// ([`super::negative::judge`]).
async fn malformed(settings: &Settings, authed: &Client) -> Probe {
    let name = "malformed";
    let body = br#"{"inputs": [["a"], [1"#.to_vec();
    match send(settings, authed, body).await {
        Ok((result, _)) => super::negative::judge(name, "a body that is not JSON", None, result),
        Err(spent) => spent.probe(Group::Robustness, name),
    }
}

/// `repeat`: `--repeat N` runs of the sample, p50/p95/p99, failing past `--p95`.
async fn repeat(settings: &Settings, authed: &Client, table: Option<&Table<'_>>) -> Probe {
    let (table, n) = match (table, settings.repeat) {
        (_, 0) => return skip("repeat", "no --repeat N".to_string()),
        (None, _) => return skip("repeat", no_records(settings)),
        (Some(table), n) => (table, n),
    };
    let mut latencies = Vec::with_capacity(n);
    let mut failure = None;
    let mut stopped = None;
    for run in 0..n {
        let sample = settings.sample.clone().unwrap_or_default();
        let result = match send(settings, authed, sample).await {
            Ok((result, _)) => result,
            Err(spent) => {
                stopped = Some((run, spent));
                break;
            }
        };
        let probe = judge_valid("repeat", result, table.len());
        if let Some(latency) = probe.latency {
            latencies.push(latency);
        }
        if probe.verdict == Verdict::Fail && failure.is_none() {
            failure = Some(probe.reason);
        }
    }
    latencies.sort();
    let q = |q: f64| judge::quantile(&latencies, q);
    let (p50, p95, p99) = (q(0.50), q(0.95), q(0.99));
    let runs = stopped.map_or(n, |(run, _)| run);
    let figures = format!(
        "{runs} runs: p50 {} ms, p95 {} ms, p99 {} ms",
        p50.as_millis(),
        p95.as_millis(),
        p99.as_millis()
    );
    match (failure, stopped, settings.p95_budget) {
        (Some(why), _, _) => fail("repeat", Some(p95), format!("{figures}; {why}")),
        // A failure seen stands; else the runs the budget left out make the figures partial.
        (None, Some((0, spent)), _) => spent.probe(Group::Conformance, "repeat"),
        (None, Some((_, spent)), _) => {
            let mut probe = spent.probe(Group::Conformance, "repeat");
            probe.reason = format!("{} after {runs} of {n} runs ({figures})", probe.reason);
            probe
        }
        (None, None, Some(budget)) if p95 > budget => fail(
            "repeat",
            Some(p95),
            format!(
                "{figures}: p95 over the --p95 budget of {} ms",
                budget.as_millis()
            ),
        ),
        (None, None, _) => pass("repeat", Some(p95), figures),
    }
}

/// The probes that send records and judge the answer to each: when every one of them was
/// skipped, nothing about the service's answers was checked.
pub(crate) const RECORD_PROBES: [&str; 8] = [
    "sample",
    "single-record",
    "multi-record",
    "unicode",
    "empty-strings",
    "nested-table",
    "batch-1000",
    "repeat",
];

/// The probes that expect a valid answer to a body built from the sample, in order: the first
/// six of [`RECORD_PROBES`] (then come `no-token` and `malformed`, then the other two).
const VALID_PROBES: [&str; 6] = [
    RECORD_PROBES[0],
    RECORD_PROBES[1],
    RECORD_PROBES[2],
    RECORD_PROBES[3],
    RECORD_PROBES[4],
    RECORD_PROBES[5],
];

fn probe(name: &str, verdict: Verdict, latency: Option<Duration>, reason: String) -> Probe {
    let group = match name {
        "no-token" => Group::Auth,
        "malformed" => Group::Robustness,
        _ => Group::Conformance,
    };
    Probe::new(group, name, verdict, reason).with_latency(latency)
}

fn pass(name: &str, latency: Option<Duration>, reason: String) -> Probe {
    probe(name, Verdict::Pass, latency, reason)
}

pub(crate) fn fail(name: &str, latency: Option<Duration>, reason: String) -> Probe {
    probe(name, Verdict::Fail, latency, reason)
}

pub(crate) fn skip(name: &str, reason: String) -> Probe {
    probe(name, Verdict::Skip, None, reason)
}

/// A 2xx answer whose body is a valid response with `records` records, in under 55 s.
fn judge_valid(
    name: &'static str,
    result: Result<http::Response, http::HttpError>,
    records: usize,
) -> Probe {
    match judge::valid_answer(result, records) {
        Ok(response) => pass(
            name,
            Some(response.latency),
            format!(
                "HTTP {}, a valid response with {}",
                response.status,
                crate::render::plural(records, "record")
            ),
        ),
        Err(broken) => fail(name, None, broken.reason),
    }
}

/// `count` records of the table, cycling through them.
fn records<'a>(table: &Table<'a>, count: usize) -> Vec<Value<'a>> {
    let all: Vec<Value<'a>> = table.records().collect();
    (0..count).map(|i| all[i % all.len()]).collect()
}

/// A request body of the table's header and `records`, each written as in the sample.
fn body_of(table: &Table, records: &[Value]) -> Vec<u8> {
    let mut out = b"{\"inputs\":[".to_vec();
    if let Some(header) = table.header {
        out.extend_from_slice(header.raw().as_bytes());
    }
    for record in records {
        out.push(b',');
        out.extend_from_slice(record.raw().as_bytes());
    }
    out.extend_from_slice(b"]}");
    out
}

/// How many records a request body has (it was built here, so it parses).
fn count_records(body: &[u8]) -> usize {
    crate::text::utf8(body)
        .ok()
        .and_then(|t| crate::json::parse(t).ok())
        .and_then(|r| {
            Body::view(&r, Some(Kind::Request))
                .and_then(|b| b.records())
                .map(|t| t.len())
        })
        .unwrap_or(0)
}

fn has_nested_table(table: &Table) -> bool {
    table
        .records()
        .next()
        .is_some_and(|r| r.items().any(|v| matches!(Cell::of(&v), Cell::Table(_))))
}

/// The header and the first record, with string values replaced by `text` and/or nested tables'
/// rows doubled.
fn variant(table: &Table, text: Option<&str>, double_tables: bool) -> Vec<u8> {
    let mut out = b"{\"inputs\":[".to_vec();
    if let Some(header) = table.header {
        out.extend_from_slice(header.raw().as_bytes());
    }
    out.extend_from_slice(b",[");
    if let Some(record) = table.records().next() {
        for (i, value) in record.items().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match (Cell::of(&value), text) {
                (Cell::String(_), Some(text)) => write_str(&mut out, text).expect("memory"),
                (Cell::Table(nested), _) if double_tables => {
                    out.push(b'[');
                    if let Some(header) = nested.header {
                        out.extend_from_slice(header.raw().as_bytes());
                    }
                    for _ in 0..2 {
                        for row in nested.records() {
                            out.push(b',');
                            out.extend_from_slice(row.raw().as_bytes());
                        }
                    }
                    out.push(b']');
                }
                _ => out.extend_from_slice(value.raw().as_bytes()),
            }
        }
    }
    out.extend_from_slice(b"]]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_keep_the_header_and_change_only_what_they_say() {
        let text = r#"{"inputs": [["a", "T", "n"], ["x", [["k"], [1]], 2], ["y", null, 3]]}"#;
        let root = crate::json::parse(text).unwrap();
        let table = Body::view(&root, None).unwrap().records().unwrap();
        assert_eq!(
            String::from_utf8(variant(&table, Some("é"), false)).unwrap(),
            r#"{"inputs":[["a", "T", "n"],["é",[["k"], [1]],2]]}"#
        );
        assert_eq!(
            String::from_utf8(variant(&table, None, true)).unwrap(),
            r#"{"inputs":[["a", "T", "n"],["x",[["k"],[1],[1]],2]]}"#
        );
        assert_eq!(
            count_records(&body_of(&table, &records(&table, 1000))),
            1000
        );
        assert!(has_nested_table(&table));
    }

    /// A valid answer that took longer than Spark allows fails its probe, saying so; the same
    /// answer in time passes.
    #[test]
    fn an_answer_slower_than_55_seconds_fails_its_probe() {
        let answer = |latency: Duration| http::Response {
            status: 200,
            headers: Vec::new(),
            body:
                br#"{"outputs":[["y"],[1]],"warnings":[null],"errors":[null],"process_time":[1]}"#
                    .to_vec(),
            request_id: "id".to_string(),
            attempts: 1,
            latency,
        };
        let slow = judge_valid("sample", Ok(answer(Duration::from_secs(56))), 1);
        assert!(matches!(slow.verdict, Verdict::Fail), "{}", slow.reason);
        assert!(
            slow.reason.contains("answered in 56.0 s"),
            "{}",
            slow.reason
        );
        let quick = judge_valid("sample", Ok(answer(Duration::from_millis(20))), 1);
        assert!(matches!(quick.verdict, Verdict::Pass), "{}", quick.reason);
    }
}
