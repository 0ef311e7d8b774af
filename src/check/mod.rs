//! `xconn check URL`: a property-based tester for an XConnector remote service. It owns the
//! run — what is sent, in which order, within which budget — and the scorecard's model
//! ([`Probe`], [`Group`], [`Verdict`]); each group of probes lives in its own module:
//!
//! * [`fixed`] — the ten fixed probes built from the sample (conformance, `malformed`, `no-token`);
//! * [`cases`] — `--cases N` requests generated from the sample's shape ([`shape`], [`generate`]),
//!   each answer judged ([`judge`]) and put through the metamorphic properties ([`metamorphic`]);
//!   every failure shrunk ([`shrink`]) and saved with a replay script ([`replay`]);
//! * [`negative`] — bodies Spark would never send (robustness);
//! * [`auth`] — forged and missing tokens; [`transport`] — HTTPS, TLS version, certificate expiry.
//!
//! Every request goes through [`send`], which admits it only within the run's [`Budget`]
//! (`--budget`, `--max-requests`): the cheap probes run first, then `batch-1000` and `repeat`,
//! then the generated cases and their shrinking; what the budget does not reach is skipped.
//!
//! The scorecard is written by [`report`] (text, JSON, JUnit XML, markdown).

pub(crate) mod auth;
pub(crate) mod cases;
pub(crate) mod fixed;
pub(crate) mod generate;
pub(crate) mod judge;
pub(crate) mod metamorphic;
pub(crate) mod negative;
pub(crate) mod replay;
pub(crate) mod report;
pub(crate) mod shape;
pub(crate) mod shrink;
pub(crate) mod transport;

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::http::{self, Client, Method, Request, Url};

/// What `check` does.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) url: Url,
    pub(crate) method: Method,
    pub(crate) headers: Vec<(String, String)>,
    /// The sample request body (checked before any probe runs).
    pub(crate) sample: Option<Vec<u8>>,
    /// Column kinds stated by `--columns` (over the sample's inferred ones).
    pub(crate) columns: Option<Vec<shape::Column>>,
    /// Runs of the `repeat` probe (0: skipped).
    pub(crate) repeat: usize,
    /// Fail `repeat` and `latency` when their p95 is above this.
    pub(crate) p95_budget: Option<Duration>,
    /// Generated requests to send (`--cases`).
    pub(crate) cases: usize,
    /// The run's seed: the same seed sends the same bodies.
    pub(crate) seed: u64,
    /// The most records in one generated request.
    pub(crate) max_records: usize,
    /// JSON Pointers (with `*` for any index) left out when answers are compared.
    pub(crate) ignore: Vec<String>,
    /// Probes, properties or groups not run.
    pub(crate) skip: Vec<String>,
    /// Send nothing once this much time has passed since the run started (`--budget`).
    pub(crate) budget: Option<Duration>,
    /// Send nothing once this many requests have been sent (`--max-requests`).
    pub(crate) max_requests: Option<usize>,
    /// The run's budget as it is spent ([`run`] starts a fresh one from the two above).
    pub(crate) spending: Arc<Budget>,
    /// Generated cases in flight at once.
    pub(crate) concurrency: usize,
    /// Where shrunk failing bodies and `replay.sh` are written.
    pub(crate) save_failures: Option<PathBuf>,
    /// The whole of one attempt (`--timeout`); the TLS probe's whole handshake too.
    pub(crate) timeout: Duration,
    /// Warn when the certificate expires within this many days.
    pub(crate) cert_days: i64,
    /// Draw a progress bar (standard error is a terminal).
    pub(crate) progress: bool,
    /// The options to repeat in `replay.sh` (`--token-env NAME`, absolute `--token-file` and
    /// `--cacert` paths, `--insecure`, …; never the token).
    pub(crate) replay_token_args: Vec<String>,
    /// What `replay.sh` cannot repeat and its user must supply (`--token-file -`), as comments.
    pub(crate) replay_notes: Vec<String>,
}

/// The probe groups, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Group {
    Conformance,
    Robustness,
    Metamorphic,
    Auth,
    Transport,
}

impl Group {
    pub(crate) const ALL: [Group; 5] = [
        Group::Conformance,
        Group::Robustness,
        Group::Metamorphic,
        Group::Auth,
        Group::Transport,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Group::Conformance => "conformance",
            Group::Robustness => "robustness",
            Group::Metamorphic => "metamorphic",
            Group::Auth => "auth",
            Group::Transport => "transport",
        }
    }
}

/// How a probe went. A warning is reported but does not fail the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    Warn,
    Fail,
    Skip,
}

impl Verdict {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Skip => "skip",
        }
    }
}

/// A generated case that failed, after shrinking.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    /// The case number (with the run's seed, it regenerates the original body).
    pub(crate) case: usize,
    /// The rule or property it broke.
    pub(crate) rule: String,
    pub(crate) original: shrink::Size,
    pub(crate) shrunk: shrink::Size,
    /// The shrunk body(s): the request, then for a metamorphic property the bodies compared.
    pub(crate) bodies: Vec<(String, Vec<u8>)>,
    /// Where the shrunk body was saved (`--save-failures`).
    pub(crate) saved: Option<String>,
    /// Further cases that failed the same property.
    pub(crate) more: usize,
    /// When the budget cut the shrinking: how far it got (`partly shrunk by --budget 2s: …`).
    pub(crate) stopped: Option<String>,
}

/// One line of the scorecard.
#[derive(Debug, Clone)]
pub(crate) struct Probe {
    pub(crate) name: String,
    pub(crate) group: Group,
    pub(crate) verdict: Verdict,
    /// The answer's latency (the last attempt), when there was an answer.
    pub(crate) latency: Option<Duration>,
    /// Why it failed or was skipped, or what was seen.
    pub(crate) reason: String,
    /// For a generated case that failed: what was found.
    pub(crate) found: Option<Found>,
}

impl Probe {
    pub(crate) fn new(group: Group, name: &str, verdict: Verdict, reason: String) -> Probe {
        Probe {
            name: name.to_string(),
            group,
            verdict,
            latency: None,
            reason,
            found: None,
        }
    }

    pub(crate) fn with_latency(mut self, latency: Option<Duration>) -> Probe {
        self.latency = latency;
        self
    }
}

/// What a run found, and how far it got.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) probes: Vec<Probe>,
    pub(crate) seed: u64,
    /// Generated cases run, and planned.
    pub(crate) cases_run: usize,
    pub(crate) cases_planned: usize,
    /// Requests sent in all (every probe's, the metamorphic and the shrinking ones).
    pub(crate) requests: usize,
    /// The budget that stopped the run (`--budget 60s`, `--max-requests 50`), when one did:
    /// a probe or case was skipped, or a request or a shrink cut, for it.
    pub(crate) stopped: Option<String>,
    pub(crate) elapsed: Duration,
}

/// Every probe and property a run may report, with its group, in report order.
pub(crate) fn catalogue() -> Vec<(Group, &'static str)> {
    let of =
        |group, names: &[&'static str]| names.iter().map(move |&n| (group, n)).collect::<Vec<_>>();
    [
        of(Group::Conformance, &fixed::RECORD_PROBES),
        of(Group::Conformance, &["generated", "latency"]),
        of(Group::Robustness, &["malformed"]),
        of(Group::Robustness, &negative::NAMES),
        of(Group::Metamorphic, &metamorphic::PROPERTIES),
        of(Group::Auth, &["no-token"]),
        of(Group::Auth, &auth::NAMES),
        of(Group::Transport, &["https"]),
    ]
    .concat()
}

/// Every probe, property and group name `--skip` accepts.
pub(crate) fn skippable() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Group::ALL.iter().map(|g| g.name()).collect();
    names.extend(catalogue().into_iter().map(|(_, name)| name));
    names
}

/// The probes no group reported, each skipped with its reason: every one `--skip` names (or
/// names its group) — "skipped by --skip", in every group alike — and `wrong-kind` when the
/// robustness probes had columns but none with a kind to break.
fn unreported(settings: &Settings, reported: &[Probe]) -> Vec<Probe> {
    let columns = cases::columns(settings).unwrap_or_default();
    catalogue()
        .into_iter()
        .filter(|(_, name)| !reported.iter().any(|p| p.name == *name))
        .filter_map(|(group, name)| {
            let why = if !settings.runs(group, name) {
                "skipped by --skip"
            } else if name == "wrong-kind" && !columns.is_empty() {
                "no column with a kind to break: every column is `any`"
            } else {
                return None;
            };
            Some(Probe::new(group, name, Verdict::Skip, why.to_string()))
        })
        .collect()
}

impl Settings {
    /// Whether the probe `name` of `group` is to run (not named, nor its group, by `--skip`).
    pub(crate) fn runs(&self, group: Group, name: &str) -> bool {
        !self.skip.iter().any(|s| s == name || s == group.name())
    }
}

/// Run every probe within the budget, cheapest first: the transport handshake, the fixed probes
/// of one request each, robustness, auth, then `batch-1000` and `repeat`, then the generated
/// cases (with the metamorphic properties) and the shrinking of their failures. `authed` is the
/// client with the token (if any); `anonymous` has none.
pub(crate) async fn run(settings: &Settings, authed: &Client, anonymous: &Client) -> Outcome {
    let settings = &Settings {
        spending: Arc::new(Budget::start(settings.budget, settings.max_requests)),
        ..settings.clone()
    };
    let mut probes = transport::run(settings, authed).await;
    probes.extend(fixed::run(settings, authed).await);
    probes.extend(negative::run(settings, authed).await);
    probes.extend(auth::run(settings, authed, anonymous).await);
    probes.extend(fixed::costly(settings, authed).await);
    let generated = cases::run(settings, authed).await;
    probes.extend(generated.probes);
    probes.extend(unreported(settings, &probes));
    let order = catalogue();
    probes.sort_by_key(|p| (p.group, order.iter().position(|(_, n)| *n == p.name)));
    let budget = &settings.spending;
    Outcome {
        probes,
        seed: settings.seed,
        cases_run: generated.cases_run,
        cases_planned: settings.cases,
        requests: budget.sent(),
        stopped: budget.stopped(),
        elapsed: budget.started.elapsed(),
    }
}

/// Why a request was not sent, or not waited for: the budget it would overrun.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spent {
    /// `--budget`: the time is up (the request was refused, or cut in flight at the deadline).
    Time(Duration),
    /// `--max-requests`: that many requests were sent.
    Requests(usize),
}

impl Spent {
    /// The flag that stopped the run, as the summary names it: `--budget 2s`.
    pub(crate) fn flag(self) -> String {
        match self {
            Spent::Time(budget) => format!("--budget {}s", budget.as_secs_f64()),
            Spent::Requests(max) => format!("--max-requests {max}"),
        }
    }

    /// Why a probe it stopped is skipped: `skipped: --budget 2s spent`.
    pub(crate) fn reason(self) -> String {
        match self {
            Spent::Time(_) => format!("skipped: {} spent", self.flag()),
            Spent::Requests(_) => format!("skipped: {} reached", self.flag()),
        }
    }

    /// The probe `name` of `group`, skipped for it (never a failure: the service was not asked,
    /// or not waited for).
    pub(crate) fn probe(self, group: Group, name: &str) -> Probe {
        Probe::new(group, name, Verdict::Skip, self.reason())
    }
}

/// The run's budget: the deadline (`--budget`, from the run's start), the most requests
/// (`--max-requests`) and how many were sent. [`send`] admits each request through it, so the
/// bound holds for every probe, generated case, metamorphic request and shrinking step, under
/// any `--concurrency`.
#[derive(Debug)]
pub(crate) struct Budget {
    started: Instant,
    time: Option<Duration>,
    max_requests: Option<usize>,
    sent: AtomicUsize,
    /// The first budget that refused or cut something.
    stopped: OnceLock<Spent>,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget::start(None, None)
    }
}

impl Budget {
    pub(crate) fn start(time: Option<Duration>, max_requests: Option<usize>) -> Budget {
        Budget {
            started: Instant::now(),
            time,
            max_requests,
            sent: AtomicUsize::new(0),
            stopped: OnceLock::new(),
        }
    }

    /// Requests sent (admitted) so far.
    pub(crate) fn sent(&self) -> usize {
        self.sent.load(Ordering::SeqCst)
    }

    /// The flag that stopped something, if one did.
    pub(crate) fn stopped(&self) -> Option<String> {
        self.stopped.get().map(|s| s.flag())
    }

    /// `spent`, remembered as what stopped the run (the first one only).
    fn stop(&self, spent: Spent) -> Spent {
        *self.stopped.get_or_init(|| spent)
    }

    /// Time left before the deadline, if there is one.
    fn remaining(&self) -> Option<Duration> {
        self.time
            .map(|budget| budget.saturating_sub(self.started.elapsed()))
    }

    /// Why nothing more may start, if the budget is spent (and it is remembered as the stop).
    pub(crate) fn spent(&self) -> Option<Spent> {
        let spent = match (self.time, self.max_requests) {
            (Some(budget), _) if self.remaining() == Some(Duration::ZERO) => Spent::Time(budget),
            (_, Some(max)) if self.sent() >= max => Spent::Requests(max),
            _ => return None,
        };
        Some(self.stop(spent))
    }

    /// The `--budget` deadline as what stopped the run, when there is one: for work that its
    /// own timeouts cut at the deadline rather than [`Budget::within`] (the TLS probe).
    pub(crate) fn cut(&self) -> Option<Spent> {
        self.time.map(|budget| self.stop(Spent::Time(budget)))
    }

    /// Reserve one request, or say why not: the count never passes `--max-requests`, however
    /// many are admitted at once.
    fn admit(&self) -> Result<(), Spent> {
        if let (Some(budget), Some(Duration::ZERO)) = (self.time, self.remaining()) {
            return Err(self.stop(Spent::Time(budget)));
        }
        let max = self.max_requests.unwrap_or(usize::MAX);
        self.sent
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            })
            .map(drop)
            .map_err(|_| self.stop(Spent::Requests(max)))
    }

    /// Why [`Budget::admit`] refused a request: the budget that stopped the run.
    fn refusal(&self) -> Spent {
        let max = self.max_requests.unwrap_or(usize::MAX);
        self.stopped.get().copied().unwrap_or(Spent::Requests(max))
    }

    /// `work`'s result, unless the deadline passes first: then it is cut there (dropped), not
    /// left to its own timeout. Nothing is started once the deadline has passed.
    pub(crate) async fn within<F: Future>(&self, work: F) -> Result<F::Output, Spent> {
        let (Some(budget), Some(left)) = (self.time, self.remaining()) else {
            return Ok(work.await);
        };
        if left.is_zero() {
            return Err(self.stop(Spent::Time(budget)));
        }
        tokio::time::timeout(left, work)
            .await
            .map_err(|_| self.stop(Spent::Time(budget)))
    }
}

/// Send `body` as `settings` say on `client`, with `extra` headers replacing the `-H` ones of
/// the same name (a probe's `Authorization` or `Content-Type` is the one sent, never a second).
/// The one place a request leaves: each HTTP request it makes — the first attempt, every retry,
/// every redirect hop, the resend with a refreshed token — is admitted by the run's budget
/// ([`http::Admit`]), so `--max-requests` counts what the service receives. A refused one ends
/// the send ([`Spent`]), as does the `--budget` deadline while it is still in flight.
pub(crate) async fn send(
    settings: &Settings,
    client: &Client,
    body: Vec<u8>,
    extra: &[(String, String)],
) -> Result<Result<http::Response, http::HttpError>, Spent> {
    let budget = &settings.spending;
    let mut headers = settings.headers.clone();
    headers.retain(|(name, _)| !extra.iter().any(|(e, _)| e.eq_ignore_ascii_case(name)));
    headers.extend(extra.iter().cloned());
    let admitting = Arc::clone(budget);
    let request = Request {
        admit: Some(http::Admit(Arc::new(move || admitting.admit().is_ok()))),
        ..Request::new(
            settings.method.clone(),
            settings.url.clone(),
            headers,
            Bytes::from(body),
        )
    };
    match budget.within(http::send(client, &request)).await? {
        Err(e) if matches!(e.failure, http::Failure::Refused) => Err(budget.refusal()),
        answer => Ok(answer),
    }
}

/// Whether every probe that sends records was skipped (nothing about the answers was checked).
pub(crate) fn nothing_checked(probes: &[Probe]) -> bool {
    probes
        .iter()
        .filter(|p| fixed::RECORD_PROBES.contains(&p.name.as_str()) || p.name == "generated")
        .all(|p| p.verdict == Verdict::Skip)
}

/// Whether the run passes: no probe failed, and something that sends records ran unless
/// `allow_skips` says skips are fine.
pub(crate) fn passed(probes: &[Probe], allow_skips: bool) -> bool {
    let totals = totals(probes);
    totals.fail == 0 && (allow_skips || !nothing_checked(probes))
}

/// How many probes ended each way.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Totals {
    pub(crate) pass: usize,
    pub(crate) warn: usize,
    pub(crate) fail: usize,
    pub(crate) skip: usize,
}

pub(crate) fn totals(probes: &[Probe]) -> Totals {
    let count = |v| probes.iter().filter(|p| p.verdict == v).count();
    Totals {
        pass: count(Verdict::Pass),
        warn: count(Verdict::Warn),
        fail: count(Verdict::Fail),
        skip: count(Verdict::Skip),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// However many ask at once, no more than `--max-requests` are admitted; the first refusal
    /// is remembered as what stopped the run, and says so for a skipped probe.
    #[test]
    fn the_budget_admits_at_most_max_requests_under_concurrency() {
        let budget = Arc::new(Budget::start(None, Some(50)));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let budget = Arc::clone(&budget);
                std::thread::spawn(move || (0..100).filter(|_| budget.admit().is_ok()).count())
            })
            .collect();
        let admitted: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!((admitted, budget.sent()), (50, 50));
        assert_eq!(budget.stopped().as_deref(), Some("--max-requests 50"));
        let probe = Spent::Requests(50).probe(Group::Auth, "expired");
        assert_eq!(probe.verdict, Verdict::Skip);
        assert_eq!(probe.reason, "skipped: --max-requests 50 reached");
    }

    /// Work still running at the deadline is cut there, and nothing starts after it.
    #[test]
    fn the_deadline_cuts_work_in_flight() {
        let budget = Budget::start(Some(Duration::from_millis(200)), None);
        let started = Instant::now();
        let cut = http::block_on(async {
            budget
                .within(tokio::time::sleep(Duration::from_secs(30)))
                .await
        });
        assert_eq!(cut.unwrap(), Err(Spent::Time(Duration::from_millis(200))));
        assert!(started.elapsed() < Duration::from_secs(20));
        assert_eq!(budget.admit(), Err(Spent::Time(Duration::from_millis(200))));
        assert_eq!(
            Spent::Time(Duration::from_millis(200)).reason(),
            "skipped: --budget 0.2s spent"
        );
        assert_eq!(budget.stopped().as_deref(), Some("--budget 0.2s"));
    }
}
