//! The robustness group: requests Spark would never send or that break the format. Each must get
//! a 4xx, a spec-shaped request-level failure, or a 2xx whose `errors` report the problem (for a
//! value of the wrong kind: an entry for that record) — never a 5xx, a hang, or a 2xx that
//! reports nothing. That holds for every probe alike: the format's breaks, an empty `inputs` (no
//! header: the validator refuses it too), a body sent as `text/plain` (the spec's service accepts
//! JSON), and the service's own columns (a missing or extra column, a value of the wrong kind —
//! the sample's columns, or `--columns`; `xconn serve --sample/--columns` keeps such a contract).

use super::generate::{self, Gen, Grid};
use super::shape::{Column, Kind, Rng};
use super::{Group, Probe, Settings, Verdict};
use crate::http::{self, Client, Failure};
use crate::validate;

/// The probes, by the names `--skip` takes.
pub(crate) const NAMES: [&str; 11] = [
    "empty-body",
    "empty-inputs",
    "object-inputs",
    "object-record",
    "duplicate-column",
    "longer-record",
    "shorter-record",
    "missing-column",
    "extra-column",
    "wrong-kind",
    "wrong-content-type",
];

/// One negative request: its body, extra headers, what it is, and the record whose `errors`
/// entry must report the problem (`None`: any record's may).
struct Negative {
    name: &'static str,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
    what: String,
    record: Option<usize>,
}

/// Run every negative probe (none without a shape to build them from, but `empty-body`).
pub(crate) async fn run(settings: &Settings, client: &Client) -> Vec<Probe> {
    let columns = super::cases::columns(settings).unwrap_or_default();
    let mut probes = Vec::new();
    for mut negative in bodies(settings, &columns) {
        if !settings.runs(Group::Robustness, negative.name) {
            continue;
        }
        let body = std::mem::take(&mut negative.body);
        probes.push(
            match super::send(settings, client, body, &negative.headers).await {
                Ok(result) => judge(negative.name, &negative.what, negative.record, result),
                Err(spent) => spent.probe(Group::Robustness, negative.name),
            },
        );
    }
    probes
}

fn body(grid: &Grid) -> Vec<u8> {
    grid.body()
}

/// A negative request: any record's `errors` entry may report it.
fn negative(name: &'static str, body: Vec<u8>, what: &str) -> Negative {
    Negative {
        name,
        body,
        headers: Vec::new(),
        what: what.to_string(),
        record: None,
    }
}

/// The negative requests, each breaking two plain generated records in one place.
fn bodies(settings: &Settings, columns: &[Column]) -> Vec<Negative> {
    let mut out = vec![negative("empty-body", Vec::new(), "an empty body")];
    if columns.is_empty() {
        return out;
    }
    let mut rng = Rng::for_case(settings.seed, 0, 1);
    let grid = generate::plain_table(columns, 2, &mut rng);
    out.extend(format_breaks(&grid));
    out.extend(contract_breaks(&grid, columns));
    out.push(Negative {
        headers: vec![("Content-Type".to_string(), "text/plain".to_string())],
        ..negative(
            "wrong-content-type",
            body(&grid),
            "a valid body sent as text/plain",
        )
    });
    out
}

/// Bodies that break the format: every service must refuse them.
fn format_breaks(grid: &Grid) -> Vec<Negative> {
    let first = grid.header[0].clone();
    let mut dup = grid.clone();
    dup.header.push(first.clone());
    for row in &mut dup.rows {
        row.push(row[0].clone());
    }
    let mut longer = grid.clone();
    longer.rows[0].push(Gen::Null);
    let mut shorter = grid.clone();
    shorter.rows[0].pop();
    vec![
        negative(
            "empty-inputs",
            br#"{"inputs":[]}"#.to_vec(),
            "an empty `inputs` (no header)",
        ),
        negative(
            "object-inputs",
            object_inputs(grid),
            "`inputs` as an object",
        ),
        negative(
            "object-record",
            object_record(grid),
            "a record as an object",
        ),
        negative(
            "duplicate-column",
            body(&dup),
            &format!("column `{first}` twice in the header"),
        ),
        negative(
            "longer-record",
            body(&longer),
            "a record longer than the header",
        ),
        negative(
            "shorter-record",
            body(&shorter),
            "a record shorter than the header",
        ),
    ]
}

/// Bodies that break the service's contract (its columns and their kinds).
fn contract_breaks(grid: &Grid, columns: &[Column]) -> Vec<Negative> {
    let first = &grid.header[0];
    let mut missing = grid.clone();
    missing.header.remove(0);
    for row in &mut missing.rows {
        row.remove(0);
    }
    let mut extra = grid.clone();
    extra.header.push("xconn_check_extra".to_string());
    for row in &mut extra.rows {
        row.push(Gen::Str("extra".to_string()));
    }
    let mut out = vec![
        negative(
            "missing-column",
            body(&missing),
            &format!("no column `{first}`"),
        ),
        negative(
            "extra-column",
            body(&extra),
            "an extra column `xconn_check_extra`",
        ),
    ];
    if let Some((at, wrong)) = wrong_kind(columns) {
        let mut bad = grid.clone();
        bad.rows[0][at] = wrong;
        out.push(Negative {
            record: Some(0),
            ..negative(
                "wrong-kind",
                body(&bad),
                &format!(
                    "a value of the wrong kind in the {} column `{}` of record 1",
                    columns[at].kind.name(),
                    columns[at].name
                ),
            )
        });
    }
    out
}

/// The first column with a kind to break, and a value not of that kind.
fn wrong_kind(columns: &[Column]) -> Option<(usize, Gen)> {
    columns.iter().enumerate().find_map(|(i, c)| {
        let wrong = match c.kind {
            Kind::Integer | Kind::Decimal | Kind::Boolean | Kind::Table(_) => {
                Gen::Str("not a valid value".to_string())
            }
            Kind::String => Gen::Table(Grid {
                header: vec!["wrong".to_string()],
                rows: vec![vec![Gen::Num("1".to_string())]],
            }),
            Kind::Any => return None,
        };
        Some((i, wrong))
    })
}

fn object_inputs(grid: &Grid) -> Vec<u8> {
    let mut out = b"{\"inputs\":".to_vec();
    object_of(&mut out, &grid.header, &grid.rows[0]);
    out.push(b'}');
    out
}

fn object_record(grid: &Grid) -> Vec<u8> {
    let mut out = b"{\"inputs\":[".to_vec();
    generate::write_header(&mut out, &grid.header);
    out.push(b',');
    object_of(&mut out, &grid.header, &grid.rows[0]);
    out.extend_from_slice(b"]}");
    out
}

fn object_of(out: &mut Vec<u8>, header: &[String], row: &[Gen]) {
    out.push(b'{');
    for (i, (key, value)) in header.iter().zip(row).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        crate::json::write::push_str(out, key);
        out.push(b':');
        generate::write_cell(out, value);
    }
    out.push(b'}');
}

/// The answer to the robustness probe `name`, which sent `what`: a 4xx, a request-level failure
/// or an `errors` entry (of `record`, when given) passes. Every robustness probe is judged here,
/// `malformed` ([`super::fixed`]) too.
pub(crate) fn judge(
    name: &str,
    what: &str,
    record: Option<usize>,
    result: Result<http::Response, http::HttpError>,
) -> Probe {
    let probe = |verdict, reason: String| Probe::new(Group::Robustness, name, verdict, reason);
    let response = match result {
        Err(e) => {
            return match &e.failure {
                Failure::Status { status, .. } if (400..500).contains(status) => {
                    probe(Verdict::Pass, format!("refused with HTTP {status}"))
                }
                Failure::Status { status, .. } => probe(
                    Verdict::Fail,
                    format!("HTTP {status} for {what}; expected a 4xx or a request-level failure"),
                ),
                _ => probe(Verdict::Fail, format!("for {what}: {e}")),
            }
        }
        Ok(response) => response,
    };
    let latency = Some(response.latency);
    let status = response.status;
    let (verdict, reason) = match reports_a_problem(&response.body, record) {
        Err(why) => (Verdict::Fail, format!("HTTP {status} for {what}: {why}")),
        Ok(Some(how)) => (Verdict::Pass, format!("HTTP {status} with {how}")),
        Ok(None) => (
            Verdict::Fail,
            format!("HTTP {status} for {what}, and the answer reports no problem"),
        ),
    };
    probe(verdict, reason).with_latency(latency)
}

/// How a 2xx body reports a problem (a request-level failure, an `errors` entry — of `record`
/// when given), `None` when it reports none, or why it is no response at all. An entry reports
/// a problem only when it is an array holding at least one error object: `[]` reports nothing.
fn reports_a_problem(body: &[u8], record: Option<usize>) -> Result<Option<&'static str>, String> {
    let (validated, text) = validate::check_answer(body, None);
    if validated.checked.has_errors() {
        return Err("the answer is not a valid response body".to_string());
    }
    if validated.request_failure(text).is_some() {
        return Ok(Some("a request-level failure"));
    }
    let root = crate::json::parse(text).map_err(|_| "the answer is not JSON".to_string())?;
    let Some(errors) = root.get("errors") else {
        return Ok(None);
    };
    let reports =
        |entry: &crate::json::Value| entry.is_array() && entry.items().any(|e| e.is_object());
    let any = match record {
        Some(at) => errors.items().nth(at).is_some_and(|entry| reports(&entry)),
        None => errors.items().any(|entry| reports(&entry)),
    };
    Ok(any.then_some("an error entry for the record"))
}

#[cfg(test)]
mod tests {
    use super::reports_a_problem;

    fn answer(errors: &str) -> Vec<u8> {
        format!(
            r#"{{"outputs":[["y"],[1],[2]],"warnings":[null,null],"errors":{errors},"process_time":[1,1]}}"#
        )
        .into_bytes()
    }

    #[test]
    fn only_an_entry_holding_an_error_object_reports_a_problem() {
        let error = r#"{"error_category":"input","error_type":"x","additional_details":"","source_path":"","message":"m"}"#;
        assert_eq!(reports_a_problem(&answer("[[],[]]"), None), Ok(None));
        assert_eq!(reports_a_problem(&answer("[null,null]"), None), Ok(None));
        let second = answer(&format!("[[],[{error}]]"));
        assert!(reports_a_problem(&second, None).unwrap().is_some());
        assert_eq!(reports_a_problem(&second, Some(0)), Ok(None));
        assert!(reports_a_problem(&second, Some(1)).unwrap().is_some());
    }
}
