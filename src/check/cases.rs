//! The generated cases of a `check` run: `--cases N` valid requests drawn from the shape, sent
//! `--concurrency C` at a time within `--budget` and `--max-requests`, each answer judged
//! (conformance) and put through the metamorphic properties; then the first failure of each
//! property shrunk and, with `--save-failures`, saved with its replay script.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::generate::{self, Draw, Grid};
use super::judge::{self, Broken};
use super::metamorphic::{self, Ignore};
use super::shape::{self, Column, Rng};
use super::shrink::{self, Size};
use super::{Found, Group, Probe, Settings, Verdict};
use crate::body::{Body, Kind};
use crate::http::{self, Client};

/// Oracle calls one shrink may make at most.
const SHRINK_TRIES: usize = 400;

/// What sends a generated request and judges its answer.
pub(crate) struct Sender<'a> {
    pub(crate) settings: &'a Settings,
    pub(crate) client: &'a Client,
    pub(crate) ignore: Ignore,
    pub(crate) requests: &'a AtomicUsize,
}

impl Sender<'_> {
    /// Send `grid`; its answer when it is valid for `records` records, else the rule broken.
    pub(crate) async fn valid(
        &self,
        grid: &Grid,
        records: usize,
    ) -> Result<http::Response, Broken> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let result = super::send(self.settings, self.client, grid.body(), &[]).await;
        judge::valid_answer(result, records)
    }
}

/// How one case went: its first answer's latency and the properties it broke.
struct CaseResult {
    case: usize,
    latency: Option<Duration>,
    broken: Vec<(&'static str, Broken)>,
}

/// What the generated cases found.
pub(crate) struct Generated {
    pub(crate) probes: Vec<Probe>,
    pub(crate) cases_run: usize,
    pub(crate) requests: usize,
    pub(crate) stopped: Option<String>,
}

/// Everything a worker shares.
struct Shared {
    settings: Settings,
    client: Client,
    columns: Vec<Column>,
    properties: Vec<&'static str>,
    requests: AtomicUsize,
    next: AtomicUsize,
    started: Instant,
    stopped: Mutex<Option<String>>,
    results: Mutex<Vec<CaseResult>>,
    bar: Option<indicatif::ProgressBar>,
}

impl Shared {
    fn sender(&self) -> Sender<'_> {
        Sender {
            settings: &self.settings,
            client: &self.client,
            ignore: Ignore::parse(&self.settings.ignore).unwrap_or_default(),
            requests: &self.requests,
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

    /// Why no further case may start, if a budget is spent.
    fn spent(&self) -> Option<String> {
        let s = &self.settings;
        if let Some(budget) = s.budget {
            if self.started.elapsed() >= budget {
                return Some(format!("--budget {}", seconds(budget)));
            }
        }
        match s.max_requests {
            Some(max) if self.requests.load(Ordering::Relaxed) >= max => {
                Some(format!("--max-requests {max}"))
            }
            _ => None,
        }
    }
}

fn seconds(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// The columns generation draws from: the sample's, with `--columns` over them.
pub(crate) fn columns(settings: &Settings) -> Option<Vec<Column>> {
    let inferred = settings.sample.as_deref().and_then(|bytes| {
        let text = crate::text::utf8(bytes).ok()?;
        let root = crate::json::parse(text).ok()?;
        let table = Body::view(&root, Some(Kind::Request))?.records()?;
        Some(shape::infer(&table))
    });
    match (inferred, settings.columns.clone()) {
        (None, None) => None,
        (Some(cols), None) | (None, Some(cols)) => Some(cols),
        (Some(inferred), Some(stated)) => Some(shape::overlay(inferred, stated)),
    }
    .filter(|cols| !cols.is_empty())
}

/// Run the generated cases and report one probe per property; `--budget` counts from `started`
/// (the start of the whole run).
pub(crate) async fn run(settings: &Settings, client: &Client, started: Instant) -> Generated {
    let mut properties = vec!["generated"];
    properties.extend(
        metamorphic::PROPERTIES
            .into_iter()
            .filter(|p| settings.runs(Group::Metamorphic, p)),
    );
    let none = |probes| Generated {
        probes,
        cases_run: 0,
        requests: 0,
        stopped: None,
    };
    if !settings.runs(Group::Conformance, "generated") {
        return none(Vec::new());
    }
    let Some(columns) = columns(settings) else {
        let why = "no --sample or --columns: nothing to generate requests from";
        return none(
            properties
                .iter()
                .map(|p| Probe::new(group_of(p), p, Verdict::Skip, why.to_string()))
                .collect(),
        );
    };
    let shared = Arc::new(Shared {
        bar: settings.progress.then(|| progress_bar(settings.cases)),
        settings: settings.clone(),
        client: client.clone(),
        columns,
        properties,
        requests: AtomicUsize::new(0),
        next: AtomicUsize::new(0),
        started,
        stopped: Mutex::new(None),
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
        if let Some(why) = shared.spent() {
            let mut stopped = shared.stopped.lock().unwrap_or_else(|e| e.into_inner());
            stopped.get_or_insert(why);
            return;
        }
        let case = shared.next.fetch_add(1, Ordering::Relaxed);
        if case >= shared.settings.cases {
            return;
        }
        let grid = shared.grid(case);
        let result = run_case(&sender, &shared.properties, &grid, case).await;
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

/// Send one case and hold its answer to every property.
async fn run_case(
    sender: &Sender<'_>,
    properties: &[&'static str],
    grid: &Grid,
    case: usize,
) -> CaseResult {
    let records = grid.rows.len();
    let mut result = CaseResult {
        case,
        latency: None,
        broken: Vec::new(),
    };
    match sender.valid(grid, records).await {
        Err(broken) => result.broken.push(("generated", broken)),
        Ok(response) => {
            result.latency = Some(response.latency);
            let first = metamorphic::answers(&response.body, &sender.ignore);
            for &property in &properties[1..] {
                if !metamorphic::applies(property, records) {
                    continue;
                }
                if let Err(broken) = metamorphic::check(property, sender, grid, &first).await {
                    result.broken.push((property, broken));
                }
            }
        }
    }
    result
}

/// Whether `grid` still breaks `property` by `rule`.
async fn still_fails(sender: &Sender<'_>, property: &'static str, rule: &str, grid: &Grid) -> bool {
    let records = grid.rows.len();
    match sender.valid(grid, records).await {
        Err(broken) => property == "generated" && broken.rule == rule,
        Ok(_) if property == "generated" => false,
        Ok(response) => {
            let first = metamorphic::answers(&response.body, &sender.ignore);
            metamorphic::applies(property, records)
                && metamorphic::check(property, sender, grid, &first)
                    .await
                    .is_err_and(|b| b.rule == rule)
        }
    }
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
    let mut probes = Vec::new();
    for &property in &shared.properties {
        let failing: Vec<(usize, &Broken)> = results
            .iter()
            .flat_map(|r| r.broken.iter().map(move |(p, b)| (r.case, p, b)))
            .filter(|(_, p, _)| **p == property)
            .map(|(case, _, b)| (case, b))
            .collect();
        let checked = results
            .iter()
            .filter(|r| {
                property == "generated"
                    || (r.latency.is_some()
                        && metamorphic::applies(property, shared.grid_len(r.case)))
            })
            .count();
        probes.push(match failing.first() {
            None if checked == 0 => Probe::new(
                group_of(property),
                property,
                Verdict::Skip,
                "no generated case it applies to was run".to_string(),
            ),
            None => Probe::new(
                group_of(property),
                property,
                Verdict::Pass,
                format!(
                    "held on {}",
                    crate::render::plural(checked, "generated case")
                ),
            ),
            Some((case, broken)) => {
                let mut probe = Probe::new(
                    group_of(property),
                    property,
                    Verdict::Fail,
                    broken.reason.clone(),
                );
                let mut found = shrunk(shared, &sender, property, *case, broken).await;
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
        requests: shared.requests.load(Ordering::Relaxed),
        stopped: shared
            .stopped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone(),
    }
}

impl Shared {
    fn grid_len(&self, case: usize) -> usize {
        let mut rng = Rng::for_case(self.settings.seed, case, 0);
        generate::record_count(case, self.settings.max_records, &mut rng)
    }
}

/// Case `case`, which broke `property` as `broken` says, shrunk.
async fn shrunk(
    shared: &Shared,
    sender: &Sender<'_>,
    property: &'static str,
    case: usize,
    broken: &Broken,
) -> Found {
    let grid = shared.grid(case);
    let rule = broken.rule;
    let oracle = |candidate: Grid| async move {
        shared.spent().is_none() && still_fails(sender, property, rule, &candidate).await
    };
    let original = Size::of(&grid);
    let (best, _) = shrink::shrink(grid, oracle, SHRINK_TRIES).await;
    let mut bodies = vec![(String::new(), best.body())];
    if property != "generated" {
        bodies.extend(
            metamorphic::derived(property, &best)
                .into_iter()
                .map(|(name, g)| (name, g.body())),
        );
    }
    Found {
        case,
        rule: if property == "generated" {
            rule.to_string()
        } else {
            property.to_string()
        },
        original,
        shrunk: Size::of(&best),
        bodies,
        saved: None,
        more: 0,
    }
}

/// `latency`: p50/p95 of the generated cases' first answers, failing past `--p95`.
fn latency_probe(settings: &Settings, results: &[CaseResult]) -> Option<Probe> {
    let budget = settings.p95_budget?;
    let mut latencies: Vec<Duration> = results.iter().filter_map(|r| r.latency).collect();
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
