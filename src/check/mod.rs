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

use std::path::PathBuf;
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
    /// Stop generating when this much time has passed.
    pub(crate) budget: Option<Duration>,
    /// Stop generating when this many requests have been sent.
    pub(crate) max_requests: Option<usize>,
    /// Generated cases in flight at once.
    pub(crate) concurrency: usize,
    /// Where shrunk failing bodies and `replay.sh` are written.
    pub(crate) save_failures: Option<PathBuf>,
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
    /// Requests sent in all.
    pub(crate) requests: usize,
    /// Why generation stopped early (`--budget`, `--max-requests`).
    pub(crate) stopped: Option<String>,
    pub(crate) elapsed: Duration,
}

/// Every probe, property and group name `--skip` accepts.
pub(crate) fn skippable() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Group::ALL.iter().map(|g| g.name()).collect();
    names.extend(fixed::RECORD_PROBES);
    names.extend(["no-token", "malformed", "generated", "latency"]);
    names.extend(metamorphic::PROPERTIES);
    names.extend(negative::NAMES);
    names.extend(auth::NAMES);
    names.extend(["https"]);
    names
}

impl Settings {
    /// Whether the probe `name` of `group` is to run (not named, nor its group, by `--skip`).
    pub(crate) fn runs(&self, group: Group, name: &str) -> bool {
        !self.skip.iter().any(|s| s == name || s == group.name())
    }
}

/// Run every probe. `authed` is the client with the token (if any); `anonymous` has none.
pub(crate) async fn run(settings: &Settings, authed: &Client, anonymous: &Client) -> Outcome {
    let started = Instant::now();
    let mut probes = fixed::run(settings, authed).await;
    probes.extend(negative::run(settings, authed).await);
    probes.extend(auth::run(settings, authed, anonymous).await);
    probes.extend(transport::run(settings, authed).await);
    let generated = cases::run(settings, authed, started).await;
    probes.extend(generated.probes);
    probes.sort_by_key(|p| p.group);
    Outcome {
        probes,
        seed: settings.seed,
        cases_run: generated.cases_run,
        cases_planned: settings.cases,
        requests: generated.requests,
        stopped: generated.stopped,
        elapsed: started.elapsed(),
    }
}

/// Send `body` as `settings` say on `client`, with `extra` headers replacing the `-H` ones of
/// the same name (a probe's `Authorization` or `Content-Type` is the one sent, never a second).
pub(crate) async fn send(
    settings: &Settings,
    client: &Client,
    body: Vec<u8>,
    extra: &[(String, String)],
) -> Result<http::Response, http::HttpError> {
    let mut headers = settings.headers.clone();
    headers.retain(|(name, _)| !extra.iter().any(|(e, _)| e.eq_ignore_ascii_case(name)));
    headers.extend(extra.iter().cloned());
    let request = Request::new(
        settings.method.clone(),
        settings.url.clone(),
        headers,
        Bytes::from(body),
    );
    http::send(client, &request).await
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
