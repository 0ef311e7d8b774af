//! The conformance suite behind `xconn check URL`: probes built from a sample request body, sent
//! with the `call` client, each answer judged as `validate --against` its request judges it, and a
//! scorecard (text, JSON, JUnit XML, markdown).
//!
//! Probes, in order (a probe that needs what is not there is skipped, and says why):
//! * `sample` — the sample as it is;
//! * `single-record` — the header and the first record;
//! * `multi-record` — three records (the sample's first three, or its first record repeated);
//! * `unicode` / `empty-strings` — the first record with every string value replaced by non-ASCII
//!   text (`Zürich 東京 🚀 ✓`) / by `""`;
//! * `nested-table` — the first record whose nested tables have their rows doubled (needs a
//!   nested table in the sample);
//! * `no-token` — the sample without `Authorization`: 401 or 403 expected (needs a token);
//! * `malformed` — a body that is not JSON: a 4xx expected, not a 5xx or a hang;
//! * `batch-1000` — 1,000 records (the sample's cycled): a valid answer, latency reported;
//! * `repeat` — `--repeat N` runs of the sample: p50/p95/p99, failing past `--p95 MS`.
//!
//! A probe that expects a valid answer passes on a 2xx whose body is a valid response with one
//! record per request record (record-level errors in it are the service's business, not a
//! failure). Any answer slower than 55 s fails: Spark gives a remote service under a minute.

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::body::{Body, Cell, Kind, Table, Value};
use crate::diag::Severity;
use crate::http::{self, Client, Failure, Method, Request, Url};
use crate::json::write::write_str;
use crate::validate::{self, Against};

/// Spark's limit for a remote service's answer.
pub(crate) const SPARK_LIMIT: Duration = Duration::from_secs(55);

/// What `check` does.
pub(crate) struct Settings {
    pub(crate) url: Url,
    pub(crate) method: Method,
    pub(crate) headers: Vec<(String, String)>,
    /// The sample request body (checked before any probe runs).
    pub(crate) sample: Option<Vec<u8>>,
    /// Runs of the `repeat` probe (0: skipped).
    pub(crate) repeat: usize,
    /// Fail `repeat` when its p95 is above this.
    pub(crate) p95_budget: Option<Duration>,
}

/// How a probe went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    Fail,
    Skip,
}

impl Verdict {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Skip => "skip",
        }
    }
}

/// One line of the scorecard.
#[derive(Debug, Clone)]
pub(crate) struct Probe {
    pub(crate) name: &'static str,
    pub(crate) verdict: Verdict,
    /// The answer's latency (the last attempt), when there was an answer.
    pub(crate) latency: Option<Duration>,
    /// Why it failed or was skipped, or what was seen.
    pub(crate) reason: String,
}

/// Run every probe. `authed` is the client with the token (if any); `anonymous` has none.
pub(crate) async fn run(settings: &Settings, authed: &Client, anonymous: &Client) -> Vec<Probe> {
    let sample_text = settings
        .sample
        .as_deref()
        .and_then(|b| crate::text::utf8(b).ok());
    let root = sample_text.and_then(|t| crate::json::parse(t).ok());
    let table = root
        .as_ref()
        .and_then(|r| Body::view(r, Some(Kind::Request)))
        .and_then(|b| b.records())
        .filter(|t| t.header.is_some() && !t.is_empty());
    let table = table.as_ref();
    let mut probes = Vec::new();
    // Probes that expect a valid answer to a request body.
    for name in VALID_PROBES {
        let body = match table {
            None => Err(NEEDS_SAMPLE.to_string()),
            Some(table) => probe_body(name, table, settings),
        };
        probes.push(match body {
            Ok(body) => {
                let records = count_records(&body);
                let (result, _) = send(settings, authed, body).await;
                judge_valid(name, result, records)
            }
            Err(why) => skip(name, why),
        });
    }
    probes.push(no_token(settings, authed, anonymous, table.is_some()).await);
    probes.push(malformed(settings, authed).await);
    probes.push(match table {
        None => skip("batch-1000", NEEDS_SAMPLE.to_string()),
        Some(table) => {
            let (result, _) = send(settings, authed, body_of(table, &records(table, 1000))).await;
            judge_valid("batch-1000", result, 1000)
        }
    });
    probes.push(repeat(settings, authed, table).await);
    probes
}

/// Why a probe that sends records is skipped without a sample.
const NEEDS_SAMPLE: &str = "no --sample: this probe needs a request body the service understands";

/// Send `body` as `settings` say on `client`; the result and how long it took.
async fn send(
    settings: &Settings,
    client: &Client,
    body: Vec<u8>,
) -> (Result<http::Response, http::HttpError>, Duration) {
    let request = Request::new(
        settings.method.clone(),
        settings.url.clone(),
        settings.headers.clone(),
        Bytes::from(body),
    );
    let started = Instant::now();
    let result = http::send(client, &request).await;
    (result, started.elapsed())
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
async fn no_token(settings: &Settings, authed: &Client, anonymous: &Client, sample: bool) -> Probe {
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
    let (result, _) = send(
        settings,
        anonymous,
        settings.sample.clone().unwrap_or_default(),
    )
    .await;
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

/// `malformed`: a body that is not JSON, a 4xx expected.
async fn malformed(settings: &Settings, authed: &Client) -> Probe {
    let name = "malformed";
    let (result, elapsed) = send(settings, authed, br#"{"inputs": [["a"], [1"#.to_vec()).await;
    match result {
        Err(e) => match &e.failure {
            Failure::Status { status, .. } if (400..500).contains(status) => {
                pass(name, Some(elapsed), format!("refused with HTTP {status}"))
            }
            Failure::Status { status, .. } => fail(
                name,
                Some(elapsed),
                format!("HTTP {status} for a malformed body; expected a 4xx"),
            ),
            _ => fail(name, None, e.to_string()),
        },
        Ok(response) => fail(
            name,
            Some(response.latency),
            format!(
                "HTTP {} for a body that is not JSON; expected a 4xx",
                response.status
            ),
        ),
    }
}

/// `repeat`: `--repeat N` runs of the sample, p50/p95/p99, failing past `--p95`.
async fn repeat(settings: &Settings, authed: &Client, table: Option<&Table<'_>>) -> Probe {
    let (table, n) = match (table, settings.repeat) {
        (_, 0) => return skip("repeat", "no --repeat N".to_string()),
        (None, _) => return skip("repeat", NEEDS_SAMPLE.to_string()),
        (Some(table), n) => (table, n),
    };
    let mut latencies = Vec::with_capacity(n);
    let mut failure = None;
    for _ in 0..n {
        let (result, _) = send(
            settings,
            authed,
            settings.sample.clone().unwrap_or_default(),
        )
        .await;
        let probe = judge_valid("repeat", result, table.len());
        if let Some(latency) = probe.latency {
            latencies.push(latency);
        }
        if probe.verdict == Verdict::Fail && failure.is_none() {
            failure = Some(probe.reason);
        }
    }
    latencies.sort();
    let q = |q: f64| {
        latencies
            .get(((q * latencies.len() as f64).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or_default()
    };
    let (p50, p95, p99) = (q(0.50), q(0.95), q(0.99));
    let figures = format!(
        "{n} runs: p50 {} ms, p95 {} ms, p99 {} ms",
        p50.as_millis(),
        p95.as_millis(),
        p99.as_millis()
    );
    match (failure, settings.p95_budget) {
        (Some(why), _) => fail("repeat", Some(p95), format!("{figures}; {why}")),
        (None, Some(budget)) if p95 > budget => fail(
            "repeat",
            Some(p95),
            format!(
                "{figures}: p95 over the --p95 budget of {} ms",
                budget.as_millis()
            ),
        ),
        (None, _) => pass("repeat", Some(p95), figures),
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

/// Whether every probe that sends records was skipped (nothing about the answers was checked).
pub(crate) fn nothing_checked(probes: &[Probe]) -> bool {
    probes
        .iter()
        .filter(|p| RECORD_PROBES.contains(&p.name))
        .all(|p| p.verdict == Verdict::Skip)
}

/// Whether the run passes: no probe failed, and something that sends records ran unless
/// `allow_skips` says skips are fine.
pub(crate) fn passed(probes: &[Probe], allow_skips: bool) -> bool {
    let (_, failed, _) = totals(probes);
    failed == 0 && (allow_skips || !nothing_checked(probes))
}

fn pass(name: &'static str, latency: Option<Duration>, reason: String) -> Probe {
    Probe {
        name,
        verdict: Verdict::Pass,
        latency,
        reason,
    }
}

fn fail(name: &'static str, latency: Option<Duration>, reason: String) -> Probe {
    Probe {
        name,
        verdict: Verdict::Fail,
        latency,
        reason,
    }
}

fn skip(name: &'static str, reason: String) -> Probe {
    Probe {
        name,
        verdict: Verdict::Skip,
        latency: None,
        reason,
    }
}

/// A 2xx answer whose body is a valid response with `records` records, in under 55 s.
fn judge_valid(
    name: &'static str,
    result: Result<http::Response, http::HttpError>,
    records: usize,
) -> Probe {
    let response = match result {
        Ok(response) => response,
        Err(e) => return fail(name, None, e.to_string()),
    };
    let latency = Some(response.latency);
    if response.latency > SPARK_LIMIT {
        return fail(
            name,
            latency,
            format!(
                "answered in {:.1} s: Spark gives a remote service under a minute (55 s)",
                response.latency.as_secs_f64()
            ),
        );
    }
    let status = response.status;
    let reason = match judge_body(&response.body, records) {
        Err(why) => return fail(name, latency, why),
        Ok(None) => {
            return pass(
                name,
                latency,
                format!(
                    "HTTP {status}, a valid response with {}",
                    crate::render::plural(records, "record")
                ),
            )
        }
        // Valid against a request of any size, but no answer per record: the whole request
        // failed.
        Ok(Some(failure)) => format!(
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
    };
    fail(name, latency, reason)
}

/// An answer's `body` checked as a response to `records` records (one UTF-8 check, one scan):
/// why it breaks the format, or the request-level failure it is instead of an answer per record.
fn judge_body(body: &[u8], records: usize) -> Result<Option<validate::RequestFailure>, String> {
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

/// The scorecard as text: one line per probe, then the totals.
pub(crate) fn write_text(
    w: &mut dyn std::io::Write,
    url: &str,
    probes: &[Probe],
) -> std::io::Result<()> {
    writeln!(w, "xconn check {url}")?;
    for p in probes {
        writeln!(
            w,
            "  {:<4}  {:<14} {:>9}  {}",
            p.verdict.name(),
            p.name,
            latency_text(p.latency),
            crate::error::escape_control(&p.reason)
        )?;
    }
    let (pass, fail, skip) = totals(probes);
    writeln!(w, "{pass} passed, {fail} failed, {skip} skipped")
}

/// The scorecard as markdown (every cell escaped).
pub(crate) fn write_markdown(
    w: &mut dyn std::io::Write,
    url: &str,
    probes: &[Probe],
) -> std::io::Result<()> {
    let esc = |t: &str| crate::text::escaped(t, crate::text::Escape::Markdown);
    writeln!(w, "### xconn check `{}`\n", url.replace('`', "'"))?;
    writeln!(w, "| probe | result | latency | reason |")?;
    writeln!(w, "|---|---|---:|---|")?;
    for p in probes {
        writeln!(
            w,
            "| {} | {} | {} | {} |",
            p.name,
            p.verdict.name(),
            latency_text(p.latency),
            esc(&p.reason)
        )?;
    }
    let (pass, fail, skip) = totals(probes);
    writeln!(w, "\n{pass} passed, {fail} failed, {skip} skipped")
}

/// The scorecard as one JSON object; `passed` is the run's verdict ([`passed`]).
pub(crate) fn write_json(
    w: &mut dyn std::io::Write,
    url: &str,
    probes: &[Probe],
    passed: bool,
) -> std::io::Result<()> {
    let (pass, fail, skip) = totals(probes);
    let value = serde_json::json!({
        "url": url,
        "passed": passed,
        "summary": {"pass": pass, "fail": fail, "skip": skip},
        "probes": probes.iter().map(|p| serde_json::json!({
            "probe": p.name,
            "result": p.verdict.name(),
            "latency_ms": p.latency.map(|l| (l.as_secs_f64() * 1e4).round() / 10.0),
            "reason": p.reason,
        })).collect::<Vec<_>>(),
    });
    writeln!(
        w,
        "{}",
        serde_json::to_string_pretty(&value).map_err(std::io::Error::other)?
    )
}

/// The scorecard as JUnit XML (one test case per probe), for CI test reports.
pub(crate) fn write_junit(
    w: &mut dyn std::io::Write,
    url: &str,
    probes: &[Probe],
) -> std::io::Result<()> {
    let (_, fail, skip) = totals(probes);
    let total: f64 = probes
        .iter()
        .filter_map(|p| p.latency)
        .map(|l| l.as_secs_f64())
        .sum();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites><testsuite name="xconn check {}" tests="{}" failures="{fail}" skipped="{skip}" time="{total:.3}">"#,
        xml(url),
        probes.len()
    )?;
    for p in probes {
        let time = p.latency.map_or(0.0, |l| l.as_secs_f64());
        write!(
            w,
            r#"  <testcase classname="xconn.check" name="{}" time="{time:.3}""#,
            p.name
        )?;
        match p.verdict {
            Verdict::Pass => writeln!(w, "/>")?,
            Verdict::Fail => writeln!(w, r#"><failure message="{}"/></testcase>"#, xml(&p.reason))?,
            Verdict::Skip => writeln!(w, r#"><skipped message="{}"/></testcase>"#, xml(&p.reason))?,
        }
    }
    writeln!(w, "</testsuite></testsuites>")
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

fn latency_text(latency: Option<Duration>) -> String {
    latency.map_or("-".to_string(), |l| format!("{} ms", l.as_millis()))
}

/// Passed, failed, skipped.
pub(crate) fn totals(probes: &[Probe]) -> (usize, usize, usize) {
    let count = |v| probes.iter().filter(|p| p.verdict == v).count();
    (
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::Skip),
    )
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

    #[test]
    fn junit_and_markdown_escape_what_they_must() {
        let probes = vec![fail(
            "sample",
            None,
            "<b>bad</b> & \"worse\" | [link](x)".to_string(),
        )];
        let mut junit = Vec::new();
        write_junit(&mut junit, "http://h/", &probes).unwrap();
        let junit = String::from_utf8(junit).unwrap();
        assert!(junit.contains("&lt;b&gt;bad&lt;/b&gt; &amp; &quot;worse&quot;"));
        let mut md = Vec::new();
        write_markdown(&mut md, "http://h/", &probes).unwrap();
        let md = String::from_utf8(md).unwrap();
        assert!(
            md.contains("&lt;b&gt;bad&lt;/b&gt; &amp; \"worse\" \\|"),
            "{md}"
        );
    }
}
