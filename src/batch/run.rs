//! `call --batch-size`: the batches sent `--concurrency` at a time, a thread per core each with
//! its own runtime and connection pool; each answer read on the thread that received it and
//! placed in the merge; a progress bar on a terminal and the statistics (`--summary`) at the end.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::{Answer, BatchFailure, Merged, Merger, Split};
use crate::body::{Body, Kind, Table};
use crate::error::{data_error, ErrorKind};
use crate::http::{self, Client, Request};
use crate::json::Value;
use crate::validate;

/// How to send the batches.
pub(crate) struct Settings {
    /// Records per batch.
    pub(crate) size: usize,
    /// Requests in flight at once.
    pub(crate) concurrency: usize,
    /// How the statistics are said at the end.
    pub(crate) summary: Summary,
}

/// The statistics line: text for people or one JSON object for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Summary {
    Text,
    Json,
}

/// What the batches gave: the merged response, and the first kind of failure a batch met (it
/// chooses the exit code).
pub(crate) struct Ran {
    pub(crate) merged: Merged,
    pub(crate) first_failure: Option<ErrorKind>,
}

/// Split `text` (the request body; `validated`, as the validator checked it, or none with
/// `--no-validate`: then it is parsed here), send the batches as `request` (its method, URL and
/// headers) on `client`, and merge the answers in input order.
pub(crate) fn run(
    client: &Client,
    request: &Request,
    text: &str,
    validated: Option<&validate::Validated>,
    settings: &Settings,
) -> anyhow::Result<Ran> {
    let split = request_split(text, validated, settings.size)?
        .ok_or_else(|| data_error("the request has no `inputs` table to split into batches"))?;
    let concurrency = settings.concurrency.max(1);
    // A thread per core (at most one per request in flight), each with its own single-thread
    // runtime and connection pool, taking the next batch when one of its requests is done:
    // nothing crosses threads but the batch counter and the merge, which only places pieces
    // (each answer is checked and taken apart on the thread that received it). The clients are
    // set up first (a bad --cacert is said before anything is sent).
    let threads = http::threads_for(concurrency);
    let clients = (0..threads)
        .map(|t| match t {
            0 => Ok(client.clone()),
            _ => client.fresh(),
        })
        .collect::<anyhow::Result<Vec<Client>>>()?;
    let shared = Shared {
        split: &split,
        request,
        next_batch: AtomicUsize::new(0),
        merge: Mutex::new(Merge {
            merger: Merger::new(&split),
            stats: Stats::default(),
            first_failure: None,
        }),
        progress: Progress::new(split.len()),
    };
    let started = Instant::now();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = clients
            .into_iter()
            .enumerate()
            .map(|(t, client)| {
                let in_flight = concurrency / threads + usize::from(t < concurrency % threads);
                let shared = &shared;
                scope.spawn(move || shared.work(client, in_flight))
            })
            .collect();
        for worker in workers {
            worker
                .join()
                .map_err(|_| crate::error::input_error("a batch thread stopped unexpectedly"))??;
        }
        Ok(())
    })?;
    shared.progress.finish();
    let merge = shared
        .merge
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Ok(merge.end(started.elapsed(), split.records(), settings.summary))
}

/// The request cut into batches of `size`: its records table where the validator saw `inputs`
/// and its records where the validator's scan found them, without walking the request again; or
/// parsed and walked here when it was not checked.
fn request_split<'a>(
    text: &'a str,
    validated: Option<&validate::Validated>,
    size: usize,
) -> anyhow::Result<Option<Split<'a>>> {
    if let Some(validated) = validated.filter(|v| v.checked.root.is_some()) {
        let inputs = validated.members.iter().rev().find(|m| m.key == "inputs");
        let table = inputs.and_then(|m| {
            Table::from_records_array(&Value::from_checked(text, m.span.0, m.span.1))
        });
        return Ok(table.and_then(|table| match validated.records {
            // The scan's spans are of this very table (the last `inputs`), one per record.
            Some(n) if n == validated.record_spans.len() => {
                Split::of_spans(&table, validated.record_spans.clone(), size)
            }
            _ => Split::of_table(&table, size),
        }));
    }
    Ok(request_records(text)?.and_then(|table| Split::of_table(&table, size)))
}

/// The records table of a request that was not checked (`--no-validate`): parsed here.
fn request_records(text: &str) -> anyhow::Result<Option<Table<'_>>> {
    let root = crate::json::parse(text).map_err(|e| {
        let (line, col) = crate::source::line_col(text.as_bytes(), e.offset);
        data_error(format!(
            "the request is not JSON ({}:{line}:{col}): it cannot be split into batches",
            e.kind.message()
        ))
    })?;
    Ok(Body::view(&root, Some(Kind::Request)).and_then(|body| body.records()))
}

/// What the batch threads share.
struct Shared<'s, 'a> {
    split: &'s Split<'a>,
    request: &'s Request,
    next_batch: AtomicUsize,
    merge: Mutex<Merge>,
    progress: Progress,
}

impl Shared<'_, '_> {
    /// One thread's part: `in_flight` requests at a time on `client`, taking the next batch
    /// until there is none.
    fn work(&self, client: Client, in_flight: usize) -> anyhow::Result<()> {
        let total = self.split.len();
        let take = || {
            let batch = self.next_batch.fetch_add(1, Ordering::Relaxed);
            (batch < total).then_some(batch)
        };
        let send = |batch: usize| {
            let client = client.clone();
            let request = Request::new(
                self.request.method.clone(),
                self.request.url.clone(),
                self.request.headers.clone(),
                Bytes::from(self.split.body(batch)),
            );
            let records = self.split.range(batch).len();
            async move {
                let result = http::send(&client, &request).await.map(|response| {
                    let (latency, attempts) = (response.latency, response.attempts);
                    let answer = Answer::read(batch, records, response.body);
                    (answer, latency, attempts)
                });
                (request.request_id, result)
            }
        };
        let done = |batch: usize, ended: Result<(String, Sent), String>| {
            let mut merge = self
                .merge
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let requests = match ended {
                Ok((request_id, result)) => merge.record(batch, &request_id, result),
                Err(why) => merge.lost(batch, why),
            };
            drop(merge);
            self.progress.done(requests);
        };
        http::block_on(super::drive(in_flight, take, send, done))
    }
}

/// A batch's request as it ended: its answer as read (with the latency and attempts), or why
/// there is none.
type Sent = Result<(Result<Answer, BatchFailure>, Duration, u32), http::HttpError>;

/// The merge of the batches' answers and what they did, shared by the batch threads.
struct Merge {
    merger: Merger,
    stats: Stats,
    first_failure: Option<ErrorKind>,
}

impl Merge {
    /// Place batch `batch`'s result (its answer as read, or why there is none); returns the
    /// requests done so far.
    fn record(&mut self, batch: usize, request_id: &str, result: Sent) -> usize {
        self.stats.requests += 1;
        match result {
            Ok((answer, latency, attempts)) => {
                self.stats.retries += attempts.saturating_sub(1);
                self.stats.latencies.push(latency);
                self.take(batch, request_id, answer);
            }
            Err(error) => {
                self.stats.retries += error.attempts.saturating_sub(1);
                self.stats.failures += 1;
                self.first_failure.get_or_insert(error.kind());
                let message = error.to_string();
                // One line per failed batch (its records' detail is in the merged response).
                crate::say!(
                    "xconn: batch {} ({}): {message}",
                    batch + 1,
                    self.records_text(batch)
                );
                let error_type = error.error_type();
                self.merger.failed(
                    batch,
                    BatchFailure {
                        error_type,
                        message,
                    },
                );
            }
        }
        self.stats.requests
    }

    /// Place an answer (or the reason it cannot be merged), saying on one line why a batch
    /// failed or was refused.
    fn take(&mut self, batch: usize, request_id: &str, answer: Result<Answer, BatchFailure>) {
        let refused = answer
            .as_ref()
            .ok()
            .and_then(|a| a.refused())
            .map(|f| crate::error::escape_control(&f.message));
        let said = match self.merger.take(batch, answer) {
            Err(failure) => {
                self.stats.failures += 1;
                self.first_failure.get_or_insert(ErrorKind::Data);
                Some(failure.message)
            }
            Ok(()) => refused,
        };
        if let Some(message) = said {
            crate::say!(
                "xconn: batch {} ({}, x-request-id {request_id}): {message}",
                batch + 1,
                self.records_text(batch),
            );
        }
    }

    /// Batch `batch` ended without a result (its task panicked or was lost): it fails, its
    /// records keep error entries and count as failed, and the exit code says so (1). Returns
    /// the requests done so far.
    fn lost(&mut self, batch: usize, why: String) -> usize {
        self.stats.requests += 1;
        self.stats.failures += 1;
        self.first_failure.get_or_insert(ErrorKind::Data);
        crate::say!(
            "xconn: batch {} ({}): {why}: its records were not answered",
            batch + 1,
            self.records_text(batch)
        );
        self.merger.failed(
            batch,
            BatchFailure {
                error_type: "internal_error".to_string(),
                message: why,
            },
        );
        self.stats.requests
    }

    /// `records 11–20` (1-based), or `record 5`.
    fn records_text(&self, batch: usize) -> String {
        let range = self.merger.records_of(batch);
        if range.len() == 1 {
            format!("record {}", range.start + 1)
        } else {
            format!("records {}–{}", range.start + 1, range.end)
        }
    }

    /// Every batch ended answered or failed; one that did not (its task lost) fails now, so its
    /// records keep error entries and count. Then the statistics are said and the merge done.
    fn end(mut self, elapsed: Duration, records: usize, summary: Summary) -> Ran {
        for batch in self.merger.unplaced() {
            self.lost(batch, "the batch was never answered".to_string());
        }
        let mut stats = self.stats;
        stats.elapsed = elapsed;
        stats.records = records;
        stats.failed_records = self.merger.failed_records();
        print_summary(&stats, summary);
        Ran {
            merged: self.merger.merged(),
            first_failure: self.first_failure,
        }
    }
}

/// What the batches did.
#[derive(Default)]
struct Stats {
    requests: usize,
    records: usize,
    failures: usize,
    failed_records: usize,
    retries: u32,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Stats {
    /// The `q` quantile (0..=1) of the latencies, nearest rank.
    fn quantile(&self, q: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1]
    }
}

fn print_summary(stats: &Stats, format: Summary) {
    let ms = |d: Duration| (d.as_secs_f64() * 1e4).round() / 10.0;
    let rate = if stats.elapsed.as_secs_f64() > 0.0 {
        (stats.records as f64 / stats.elapsed.as_secs_f64()).round()
    } else {
        0.0
    };
    match format {
        Summary::Json => crate::say!(
            "{}",
            serde_json::json!({
                "requests": stats.requests,
                "records": stats.records,
                "failures": stats.failures,
                "failed_records": stats.failed_records,
                "retries": stats.retries,
                "latency_ms": {
                    "p50": ms(stats.quantile(0.50)),
                    "p95": ms(stats.quantile(0.95)),
                    "p99": ms(stats.quantile(0.99)),
                },
                "records_per_second": rate,
                "elapsed_s": (stats.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            })
        ),
        Summary::Text => crate::say!(
            "xconn: {} requests, {} records, {} failed ({} records), {} retries; latency p50 {} ms, \
             p95 {} ms, p99 {} ms; {} records/s in {:.2} s",
            stats.requests,
            stats.records,
            stats.failures,
            stats.failed_records,
            stats.retries,
            ms(stats.quantile(0.50)),
            ms(stats.quantile(0.95)),
            ms(stats.quantile(0.99)),
            rate,
            stats.elapsed.as_secs_f64()
        ),
    }
}

/// A progress bar on standard error, only when it is a terminal.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(total: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} requests  {elapsed_precise}  eta {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Progress { bar }
    }

    fn done(&self, requests: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(requests as u64);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
