//! The generated cases of a `check` run: `--cases N` valid requests drawn from the shape, sent
//! `--concurrency C` at a time within the run's budget (`--budget`, `--max-requests`: every
//! request, the metamorphic and shrinking ones too), each answer judged (conformance) and put
//! through the metamorphic properties; then the first failure of each property shrunk and,
//! with `--save-failures`, saved with its replay script. A case whose first request the budget
//! refused or cut was not run; a property check or a shrink it cut is said so, never a failure.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::generate::{self, Draw, Grid};
use super::judge::{self, Broken};
use super::metamorphic::{self, Ignore};
use super::shape::{Column, Rng};
use super::shrink::{self, Size};
use super::{Found, Group, Probe, Settings, Verdict};
use crate::http::{self, Client, Failure};

/// Oracle calls one shrink may make at most.
const SHRINK_TRIES: usize = 400;

/// The rule a request "breaks" when the run's budget refused or cut it: never reported as a
/// failure (the case was not run, the property not checked, the shrink stopped).
pub(crate) const SPENT: &str = "budget";

/// What sends a generated request and judges its answer.
pub(crate) struct Sender<'a> {
    pub(crate) settings: &'a Settings,
    pub(crate) client: &'a Client,
    pub(crate) ignore: Ignore,
}

impl Sender<'_> {
    /// Send `grid`; its answer when it is valid for `records` records, else the rule broken
    /// ([`SPENT`] when the budget refused or cut it).
    pub(crate) async fn valid(
        &self,
        grid: &Grid,
        records: usize,
    ) -> Result<http::Response, Broken> {
        self.answer(grid, records)
            .await
            .map_err(|(broken, _)| broken)
    }

    /// [`Sender::valid`], with the HTTP status of an answer refused by its status (a 5xx, a
    /// 4xx, another non-2xx): shrinking holds a status failure to the same status.
    async fn answer(
        &self,
        grid: &Grid,
        records: usize,
    ) -> Result<http::Response, (Broken, Option<u16>)> {
        let result = super::send(self.settings, self.client, grid.body(), &[])
            .await
            .map_err(|spent| (judge::broken(SPENT, spent.reason()), None))?;
        let status = match &result {
            Err(e) => match &e.failure {
                Failure::Status { status, .. } => Some(*status),
                _ => None,
            },
            Ok(_) => None,
        };
        judge::valid_answer(result, records).map_err(|broken| (broken, status))
    }
}

/// How one case went: its first answer's latency, the properties it broke (with the status of
/// a status failure), and the properties the budget kept from being checked.
struct CaseResult {
    case: usize,
    latency: Option<Duration>,
    broken: Vec<(&'static str, Broken, Option<u16>)>,
    cut: Vec<&'static str>,
}

/// What the generated cases found.
pub(crate) struct Generated {
    pub(crate) probes: Vec<Probe>,
    pub(crate) cases_run: usize,
}

/// Everything a worker shares.
struct Shared {
    settings: Settings,
    client: Client,
    columns: Vec<Column>,
    properties: Vec<&'static str>,
    next: AtomicUsize,
    results: Mutex<Vec<CaseResult>>,
    bar: Option<indicatif::ProgressBar>,
}

impl Shared {
    fn sender(&self) -> Sender<'_> {
        Sender {
            settings: &self.settings,
            client: &self.client,
            ignore: Ignore::parse(&self.settings.ignore).unwrap_or_default(),
        }
    }

    /// The request of case `case` (the same for the same seed, whoever draws it).
    fn grid(&self, case: usize) -> Grid {
        let mut rng = Rng::for_case(self.settings.seed, case, 0);
        let draw = Draw {
            max_records: self.settings.max_records,
        };
        generate::case(&self.columns, draw, &mut rng, case)
    }
}

/// The columns generation draws from: the sample's, with `--columns` over them.
pub(crate) fn columns(settings: &Settings) -> Option<Vec<Column>> {
    crate::body::columns::contract_of(settings.sample.as_deref(), settings.columns.clone())
}

/// Run the generated cases and report one probe per property, within the run's budget.
pub(crate) async fn run(settings: &Settings, client: &Client) -> Generated {
    let mut properties = vec!["generated"];
    properties.extend(
        metamorphic::PROPERTIES
            .into_iter()
            .filter(|p| settings.runs(Group::Metamorphic, p)),
    );
    let none = |probes| Generated {
        probes,
        cases_run: 0,
    };
    let skipped = |properties: &[&str], why: &str| {
        none(
            properties
                .iter()
                .map(|p| Probe::new(group_of(p), p, Verdict::Skip, why.to_string()))
                .collect(),
        )
    };
    if !settings.runs(Group::Conformance, "generated") {
        // `generated` itself is reported as skipped by --skip (see `check::run`).
        let why = "no generated case to check it on: `generated` skipped by --skip";
        return skipped(&properties[1..], why);
    }
    let Some(columns) = columns(settings) else {
        let why = "no --sample or --columns: nothing to generate requests from";
        return skipped(&properties, why);
    };
    let shared = Arc::new(Shared {
        bar: settings.progress.then(|| progress_bar(settings.cases)),
        settings: settings.clone(),
        client: client.clone(),
        columns,
        properties,
        next: AtomicUsize::new(0),
        results: Mutex::new(Vec::new()),
    });
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..settings.concurrency.max(1) {
        workers.spawn(worker(shared.clone()));
    }
    while workers.join_next().await.is_some() {}
    if let Some(bar) = &shared.bar {
        bar.finish_and_clear();
    }
    report(&shared).await
}

fn progress_bar(total: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:30} {pos}/{len} cases  {elapsed_precise}  eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

async fn worker(shared: Arc<Shared>) {
    let sender = shared.sender();
    loop {
        let case = shared.next.fetch_add(1, Ordering::Relaxed);
        if case >= shared.settings.cases || shared.settings.spending.spent().is_some() {
            return;
        }
        let grid = shared.grid(case);
        // None: the budget refused or cut the case's first request; no further case starts.
        let Some(result) = run_case(&sender, &shared.properties, &grid, case).await else {
            return;
        };
        shared
            .results
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(result);
        if let Some(bar) = &shared.bar {
            bar.inc(1);
        }
    }
}

/// Send one case and hold its answer to every property; `None` when the budget refused or cut
/// its first request (the case was not run).
async fn run_case(
    sender: &Sender<'_>,
    properties: &[&'static str],
    grid: &Grid,
    case: usize,
) -> Option<CaseResult> {
    let records = grid.rows.len();
    let mut result = CaseResult {
        case,
        latency: None,
        broken: Vec::new(),
        cut: Vec::new(),
    };
    match sender.answer(grid, records).await {
        Err((broken, _)) if broken.rule == SPENT => return None,
        Err((broken, status)) => result.broken.push(("generated", broken, status)),
        Ok(response) => {
            result.latency = Some(response.latency);
            let first = metamorphic::answers(&response.body, &sender.ignore);
            for &property in &properties[1..] {
                if !metamorphic::applies(property, records) {
                    continue;
                }
                match metamorphic::check(property, sender, grid, &first).await {
                    Err(broken) if broken.rule == SPENT => result.cut.push(property),
                    Err(broken) => result.broken.push((property, broken, None)),
                    Ok(()) => {}
                }
            }
        }
    }
    Some(result)
}

/// Whether `grid` still breaks `property` the same way: by `rule`, and for a status failure
/// (`5xx`, `4xx`, `other-status`) with the same `status` — a 500 shrunk must still get 500, not
/// a 502 from another cause. `None` when the budget refused or cut a request it needed.
async fn still_fails(
    sender: &Sender<'_>,
    property: &'static str,
    (rule, status): (&str, Option<u16>),
    grid: &Grid,
) -> Option<bool> {
    let records = grid.rows.len();
    let fails = match sender.answer(grid, records).await {
        Err((broken, _)) if broken.rule == SPENT => return None,
        Err((broken, got)) => property == "generated" && broken.rule == rule && got == status,
        Ok(_) if property == "generated" => false,
        Ok(response) => {
            let first = metamorphic::answers(&response.body, &sender.ignore);
            if !metamorphic::applies(property, records) {
                return Some(false);
            }
            match metamorphic::check(property, sender, grid, &first).await {
                Err(broken) if broken.rule == SPENT => return None,
                Err(broken) => broken.rule == rule,
                Ok(()) => false,
            }
        }
    };
    Some(fails)
}

fn group_of(property: &str) -> Group {
    if property == "generated" || property == "latency" {
        Group::Conformance
    } else {
        Group::Metamorphic
    }
}

/// One probe per property (its first failure shrunk), and `latency` under `--p95`.
async fn report(shared: &Shared) -> Generated {
    let mut results =
        std::mem::take(&mut *shared.results.lock().unwrap_or_else(|e| e.into_inner()));
    results.sort_by_key(|r| r.case);
    let sender = shared.sender();
    let planned = shared.settings.cases;
    let mut probes = Vec::new();
    for &property in &shared.properties {
        let failing: Vec<(usize, &Broken, Option<u16>)> = results
            .iter()
            .flat_map(|r| r.broken.iter().map(move |(p, b, s)| (r.case, p, b, *s)))
            .filter(|(_, p, _, _)| **p == property)
            .map(|(case, _, b, s)| (case, b, s))
            .collect();
        let checked = results
            .iter()
            .filter(|r| {
                property == "generated"
                    || (r.latency.is_some()
                        && !r.cut.contains(&property)
                        && metamorphic::applies(property, shared.grid_len(r.case)))
            })
            .count();
        // The budget left cases (or this property's requests) out.
        let cut_short =
            results.len() < planned || results.iter().any(|r| r.cut.contains(&property));
        let spent = cut_short
            .then(|| shared.settings.spending.spent())
            .flatten();
        let ran = format!("{} of {planned} cases run", results.len());
        let probe = |verdict, reason| Probe::new(group_of(property), property, verdict, reason);
        probes.push(match (failing.first(), spent) {
            (None, Some(spent)) if checked == 0 => {
                probe(Verdict::Skip, format!("{} ({ran})", spent.reason()))
            }
            (None, None) if checked == 0 => probe(
                Verdict::Skip,
                "no generated case it applies to was run".to_string(),
            ),
            (None, spent) => probe(
                Verdict::Pass,
                format!(
                    "held on {}{}",
                    crate::render::plural(checked, "generated case"),
                    spent.map_or(String::new(), |s| format!(
                        " ({ran}: {} stopped the rest)",
                        s.flag()
                    ))
                ),
            ),
            (Some((case, broken, status)), _) => {
                let mut probe = probe(Verdict::Fail, broken.reason.clone());
                let mut found =
                    shrunk(shared, &sender, property, *case, (broken.rule, *status)).await;
                found.more = failing.len() - 1;
                probe.found = Some(found);
                probe
            }
        });
    }
    if let Some(latency) = latency_probe(&shared.settings, &results) {
        probes.push(latency);
    }
    Generated {
        probes,
        cases_run: results.len(),
    }
}

impl Shared {
    fn grid_len(&self, case: usize) -> usize {
        let mut rng = Rng::for_case(self.settings.seed, case, 0);
        generate::record_count(case, self.settings.max_records, &mut rng)
    }
}

/// Case `case`, which broke `property` by `rule` (with `status`, for a status failure), shrunk
/// — as far as the budget allows: a shrink it cut keeps the smallest failing body found so far,
/// and says so.
async fn shrunk(
    shared: &Shared,
    sender: &Sender<'_>,
    property: &'static str,
    case: usize,
    (rule, status): (&'static str, Option<u16>),
) -> Found {
    let grid = shared.grid(case);
    let cut = AtomicBool::new(false);
    let oracle = |candidate: Grid| {
        let cut = &cut;
        async move {
            if cut.load(Ordering::Relaxed) {
                return false;
            }
            let fails = still_fails(sender, property, (rule, status), &candidate).await;
            cut.store(fails.is_none(), Ordering::Relaxed);
            fails.unwrap_or(false)
        }
    };
    let original = Size::of(&grid);
    let (best, _) = shrink::shrink(grid, oracle, SHRINK_TRIES).await;
    let shrunk = Size::of(&best);
    let mut bodies = vec![(String::new(), best.body())];
    if property != "generated" {
        bodies.extend(
            metamorphic::derived(property, &best)
                .into_iter()
                .map(|(name, g)| (name, g.body())),
        );
    }
    let how = if shrunk == original {
        "not shrunk"
    } else {
        "partly shrunk"
    };
    let stopped = cut
        .into_inner()
        .then(|| shared.settings.spending.spent())
        .flatten()
        .map(|spent| {
            format!(
                "{how} by {}: the smallest failing body found is kept",
                spent.flag()
            )
        });
    Found {
        case,
        rule: if property == "generated" {
            rule.to_string()
        } else {
            property.to_string()
        },
        original,
        shrunk,
        bodies,
        saved: None,
        more: 0,
        stopped,
    }
}

/// `latency`: p50/p95 of the generated cases' first answers, failing past `--p95`.
fn latency_probe(settings: &Settings, results: &[CaseResult]) -> Option<Probe> {
    let budget = settings.p95_budget?;
    let mut latencies: Vec<Duration> = results.iter().filter_map(|r| r.latency).collect();
    if latencies.is_empty() {
        let spent = (results.len() < settings.cases)
            .then(|| settings.spending.spent())
            .flatten();
        let why = spent.map_or_else(
            || "no generated case was answered".to_string(),
            |spent| spent.reason(),
        );
        return Some(Probe::new(
            Group::Conformance,
            "latency",
            Verdict::Skip,
            why,
        ));
    }
    latencies.sort();
    let q = |q: f64| judge::quantile(&latencies, q);
    let (p50, p95) = (q(0.5), q(0.95));
    let figures = format!(
        "{} answers: p50 {} ms, p95 {} ms",
        latencies.len(),
        p50.as_millis(),
        p95.as_millis()
    );
    let (verdict, reason) = if p95 > budget {
        (
            Verdict::Fail,
            format!(
                "{figures}: p95 over the --p95 budget of {} ms",
                budget.as_millis()
            ),
        )
    } else {
        (Verdict::Pass, figures)
    };
    Some(Probe::new(Group::Conformance, "latency", verdict, reason).with_latency(Some(p95)))
}
