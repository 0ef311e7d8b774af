//! `xconn call URL [BODY|-]`: build the request body (a request body as it is, or CSV / JSON
//! objects / NDJSON converted on the fly by `convert`), check it with the validator, send it with
//! the bearer token through [`crate::http::send`], check the answer like
//! `validate --against` the request, and print it with the `show` renderer (or raw when piped).
//! With `--batch-size` the records go in several requests, [`crate::batch`] splits and merges.
//! `--dry-run` and `--curl` print the request instead of sending it; `-v` shows both heads on
//! standard error. Secrets are masked in all of it.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::batch::{Answer, BatchFailure, Merger, Split};
use crate::body::{Body, Kind};
use crate::cli::{CallArgs, CallFormat, DataArgs, RequestArgs, SummaryFormat, TlsArgs};
use crate::convert;
use crate::error::{data_error, usage_error, ErrorKind, Outcome};
use crate::http::token::{self, Origin, Token};
use crate::http::{self, redact, Client, Event, Method, Request, Settings, Url};
use crate::output::{self, Output};
use crate::render;
use crate::source::{self, Source};
use crate::validate::{self, Against};

pub fn run(args: CallArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let url = parse_url(&args.url)?;
    let (method, headers) = request_shape(&args.request)?;
    let token_source = super::token::source(&args.token);
    if args.body.as_deref().is_some_and(source::is_stdin)
        && args
            .token
            .token_file
            .as_deref()
            .is_some_and(source::is_stdin)
    {
        return Err(usage_error(
            "the body and --token-file cannot both be standard input",
        ));
    }
    if args.batch_size.is_some() && (args.dry_run || args.curl) {
        return Err(usage_error(
            "--batch-size sends several requests: it does not go with --dry-run or --curl",
        ));
    }
    let token = token::find_in_env(&token_source)?;

    let (body, body_name) = match &args.body {
        Some(arg) => request_body(arg, &args.data)?,
        None => (Vec::new(), "the request".to_string()),
    };
    // The request as checked (its record count, and where its root is for `--batch-size`).
    let (records, checked) = if args.no_validate {
        crate::say!("xconn: --no-validate: the request is sent without being checked");
        (None, None)
    } else {
        let validated = validate::check_bytes(
            &body,
            &validate::Options {
                kind: Some(Kind::Request),
                against: None,
            },
        );
        if !validated.checked.diagnostics.is_empty() {
            validate::write_text(
                &mut crate::output::stderr(),
                &body_name,
                &validated.checked.diagnostics,
            )?;
        }
        if validated.checked.has_errors() {
            crate::say!("xconn: the request breaks the format: nothing was sent");
            return Ok(Outcome::Invalid);
        }
        (validated.records, Some(validated.checked))
    };

    let settings = Settings {
        timeout: args.timeout,
        connect_timeout: args.connect_timeout,
        retries: args.retries,
        backoff: http::retry::Backoff::from_env(),
        cacert: args.tls.cacert.clone(),
        insecure: args.tls.insecure,
        max_response_size: args.max_response_size,
    };
    let body = Bytes::from(body);
    let request = Request::new(method, url, headers, body);
    announce_token(token.as_ref(), &request);
    warn_if_insecure(&args.tls);
    let client = Client::new(settings, token)?;

    if args.dry_run {
        print_dry_run(out, &client, &request)?;
        return Ok(Outcome::Success);
    }
    if args.curl {
        print_curl(out, &client, &request, args.body.as_deref())?;
        return Ok(Outcome::Success);
    }
    let print = Printing {
        format: args.format.unwrap_or(if out.is_terminal {
            CallFormat::Table
        } else {
            CallFormat::Raw
        }),
        output: args.output.clone(),
    };
    if let Some(size) = args.batch_size {
        let batches = Batches {
            size: size as usize,
            checked: checked.as_ref(),
        };
        return run_batches(&args, &client, &request, batches, &print, out);
    }

    if args.verbose {
        let mut err = crate::output::stderr();
        writeln!(err, "> {}", request.describe())?;
        for (name, value) in client.headers(&request) {
            writeln!(err, "> {}", redact::header_line(&name, &value))?;
        }
        writeln!(err, "> ({} bytes of body)", request.body.len())?;
    }
    let retries = client.settings().retries;
    let verbose = args.verbose;
    let scrubber = client.clone();
    let request_id = request.request_id.clone();
    let method = request.method.clone();
    let mut on_event = move |event: Event<'_>| match event {
        Event::Retry {
            attempt,
            reason,
            wait,
            retry_after,
        } => crate::say!(
            "xconn: {reason}; retry {attempt} of {retries} in {}{} (x-request-id {})",
            seconds(wait),
            if retry_after { " (Retry-After)" } else { "" },
            request_id
        ),
        Event::Answer { status, headers } if verbose => {
            crate::say!("< {}", http::status_line(status));
            for (name, value) in headers {
                crate::say!("< {}", scrubber.scrub(&redact::header_line(name, value)));
            }
        }
        // Every hop shows under -v: its status and headers (Location included), redacted.
        Event::Redirect {
            status,
            headers,
            to,
        } if verbose => {
            crate::say!("< {}", http::status_line(status));
            for (name, value) in headers {
                crate::say!("< {}", scrubber.scrub(&redact::header_line(name, value)));
            }
            crate::say!(
                "> {method} {} (redirect within the origin: the same method, headers and body)",
                scrubber.scrub(&redact::url(to))
            );
        }
        Event::Answer { .. } | Event::Redirect { .. } => {}
    };
    let response = http::block_on(http::send_with(&client, &request, &mut on_event))?
        .map_err(http::HttpError::into_anyhow)?;
    if args.verbose {
        crate::say!(
            "< ({} bytes in {}, {} attempt{}, x-request-id {})",
            response.body.len(),
            seconds(response.latency),
            response.attempts,
            if response.attempts == 1 { "" } else { "s" },
            response.request_id
        );
    }
    let name = format!("response (x-request-id {})", response.request_id);
    let not_json = |why: &str| {
        data_error(format!(
            "the answer to x-request-id {} is not JSON: {why} ({}, content-type {}); it starts: {}",
            response.request_id,
            response.status_line(),
            response.content_type().unwrap_or("none"),
            redact::body_prefix(&response.body, http::ERROR_BODY_PREFIX)
        ))
    };
    print_answer(
        out,
        &response.body,
        &name,
        records,
        &print,
        Some(&not_json),
        &[],
        false,
    )
}

/// How the answer is printed.
struct Printing {
    format: CallFormat,
    /// `-o FILE`: the answer goes there (atomically) instead of standard output.
    output: Option<String>,
}

/// Check an answer like `validate --against` the request (when its record count is known), print
/// its diagnostics on standard error and the answer in the chosen format, and say how it went:
/// invalid (exit 1), valid with record errors or a request-level failure (exit 5), or fine.
/// `placeholders`: the `process_time` entries xconn wrote for records of failed batches (their 0
/// is no finding about the service, so no `XC116` for them: the batch was said once already).
/// `built`: the body is xconn's own (the merge of batches), so it is checked before it leaves:
/// one the validator rejects is not written at all (an error naming the rule), where a service's
/// own answer is shown as it came, with its diagnostics.
fn refuse_built(checked: &validate::Checked) -> anyhow::Result<()> {
    match checked
        .diagnostics
        .iter()
        .find(|d| d.severity == crate::diag::Severity::Error)
    {
        Some(d) => Err(crate::error::data_error(format!(
            "the merged response would break {} at {} ({}:{}): {}; it was not written (this is a fault in xconn's merge: please report it)",
            d.rule,
            if d.pointer.is_empty() { "/" } else { &d.pointer },
            d.line,
            d.col,
            d.message
        ))),
        None => Ok(()),
    }
}

#[allow(clippy::too_many_arguments)]
fn print_answer(
    out: &mut Output,
    body: &[u8],
    name: &str,
    records: Option<usize>,
    print: &Printing,
    not_json: Option<&dyn Fn(&str) -> anyhow::Error>,
    placeholders: &[std::ops::Range<usize>],
    built: bool,
) -> anyhow::Result<Outcome> {
    let options = validate::Options {
        kind: Some(Kind::Response),
        against: records.map(|records| Against {
            name: "sent".to_string(),
            records,
        }),
    };
    let body = crate::source::without_bom(body);
    let validated = validate::check_bytes(body, &options);
    let checked = &validated.checked;
    if built {
        refuse_built(checked)?;
    }
    let text = crate::text::utf8(body).unwrap_or_default();
    let root = validate::body_root(text, checked);
    if root.is_none() {
        if let Some(not_json) = not_json {
            let why = checked
                .diagnostics
                .first()
                .map_or("not JSON".to_string(), |d| {
                    format!("{} at {}:{}", d.message, d.line, d.col)
                });
            return Err(not_json(&why));
        }
    }
    let to_terminal = print.output.is_none();
    let width = if to_terminal { out.width(None) } else { None };
    let color = to_terminal && out.color;
    let terminal = to_terminal && out.is_terminal;
    let write = |w: &mut dyn Write| -> anyhow::Result<()> {
        match print.format {
            CallFormat::Raw => w.write_all(body)?,
            CallFormat::Json => match &root {
                Some(root) => {
                    crate::json::write::write_value(w, root, crate::json::write::Style::Pretty(0))?;
                    w.write_all(b"\n")?;
                }
                None => w.write_all(body)?,
            },
            CallFormat::Table | CallFormat::Markdown => {
                if let Some(body) = root
                    .as_ref()
                    .and_then(|r| Body::view(r, Some(Kind::Response)))
                {
                    let options = render::Options {
                        format: if print.format == CallFormat::Table {
                            render::Format::Table
                        } else {
                            render::Format::Markdown
                        },
                        expand: false,
                        record: None,
                        width,
                        color,
                        terminal,
                    };
                    render::render(w, &body, &options)?;
                }
            }
        }
        Ok(())
    };
    match &print.output {
        Some(path) => output::write_atomically(Path::new(path), write)?,
        None => write(out)?,
    }
    let ours = |d: &crate::diag::Diagnostic| {
        d.rule == validate::rules::LOW_TIME
            && d.pointer
                .strip_prefix("/process_time/")
                .and_then(|i| i.parse::<usize>().ok())
                .is_some_and(|i| placeholders.iter().any(|r| r.contains(&i)))
    };
    let shown: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| !ours(d))
        .cloned()
        .collect();
    if !shown.is_empty() {
        out.flush()?;
        validate::write_text(&mut crate::output::stderr(), name, &shown)?;
    }
    if checked.has_errors() {
        return Ok(Outcome::Invalid);
    }
    // No records but a request-level error: the whole request failed, every one of its records.
    if let Some(failure) = validated.request_failure(text) {
        let all = match records {
            Some(n) => format!("all of its {}", render::plural(n, "record")),
            None => "all of its records".to_string(),
        };
        let why = if failure.error_category.as_deref() == Some("batch_error") {
            "no batch was answered with records".to_string()
        } else {
            format!(
                "the service answered with a request-level error ({})",
                crate::error::escape_control(&failure.reason())
            )
        };
        crate::say!("xconn: the whole request failed: {why}: errors for {all}");
        return Ok(Outcome::RecordErrors);
    }
    let errored = root
        .as_ref()
        .and_then(|r| match Body::view(r, Some(Kind::Response)) {
            Some(Body::Response(response)) => response.errors,
            _ => None,
        })
        .map_or(0, |errors| {
            errors
                .items()
                .filter(|e| e.items().next().is_some())
                .count()
        });
    if errored > 0 {
        crate::say!(
            "xconn: the service reported errors for {}",
            render::plural(errored, "record")
        );
        return Ok(Outcome::RecordErrors);
    }
    Ok(Outcome::Success)
}

/// The request body from BODY: a JSON request body file is sent as it is; anything else (CSV,
/// JSON objects, NDJSON, or `--from` given, or standard input) goes through `convert` first, with
/// its detection and the `--from`/`--nest`/`--type`… options. Returns the body and a name for
/// messages.
fn request_body(arg: &str, data: &DataArgs) -> anyhow::Result<(Vec<u8>, String)> {
    let name = source::display_name(arg);
    let converted_by_extension = Path::new(arg)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "csv" | "tsv" | "ndjson" | "jsonl"
            )
        });
    // Standard input is read once: held in a temp file when it must be converted.
    let mut spool = None;
    let mut input = arg.to_string();
    if data.from.is_none() && !converted_by_extension {
        let source = Source::read(arg)?;
        if let Ok(text) = crate::text::utf8(&source.bytes) {
            let start = text.len() - text.trim_start().len();
            let root = crate::json::Value::starting_at(text, start);
            if Kind::detect(&root).is_some() {
                return Ok((source.bytes.to_vec(), name));
            }
        }
        // Standard input, a FIFO or any other stream can be read only once: what was read is
        // held in a temp file for `convert`.
        let regular = std::fs::metadata(arg).is_ok_and(|m| m.is_file());
        if source::is_stdin(arg) || !regular {
            let mut file = tempfile::NamedTempFile::new()
                .map_err(|e| crate::error::input_error(format!("cannot spool <stdin>: {e}")))?;
            file.write_all(&source.bytes)
                .map_err(|e| crate::error::input_error(format!("cannot spool <stdin>: {e}")))?;
            input = file.path().display().to_string();
            spool = Some(file);
        }
    }
    let mut settings = super::convert::data_settings(input.clone(), data)?;
    settings.to = Some(convert::TargetFormat::Body);
    settings.layout = crate::body::Layout::Compact;
    let mut body = Vec::new();
    if let Err(err) = convert::convert(&settings, &mut body) {
        if spool.is_none() {
            return Err(err);
        }
        // Name the input as the user knows it, not by its temp file; keep the exit code.
        let message = format!("{err:#}").replace(&input, &name);
        return Err(crate::error::error(
            crate::error::kind_of(&err).unwrap_or(ErrorKind::Input),
            message,
        ));
    }
    drop(spool);
    Ok((body, format!("{name} (converted)")))
}

/// How to cut the request: `size` records per batch; `checked`, the request as the validator
/// checked it (none with `--no-validate`: then it is parsed here).
struct Batches<'c> {
    size: usize,
    checked: Option<&'c validate::Checked>,
}

/// `--batch-size`: split, send `--concurrency` at a time on one client, merge in input order,
/// print the merged answer and a summary.
fn run_batches(
    args: &CallArgs,
    client: &Client,
    request: &Request,
    Batches { size, checked }: Batches,
    print: &Printing,
    out: &mut Output,
) -> anyhow::Result<Outcome> {
    let text = crate::text::utf8(&request.body).map_err(|_| {
        data_error("the request is not UTF-8 text: it cannot be split into batches")
    })?;
    // Checked already: view it where the validator saw it, without a second parse.
    let root = match checked.and_then(|checked| validate::body_root(text, checked)) {
        Some(root) => root,
        None => crate::json::parse(text).map_err(|e| {
            let (line, col) = source::line_col(text.as_bytes(), e.offset);
            data_error(format!(
                "the request is not JSON ({}:{line}:{col}): it cannot be split into batches",
                e.kind.message()
            ))
        })?,
    };
    let split = Split::new(&root, size)
        .ok_or_else(|| data_error("the request has no `inputs` table to split into batches"))?;
    let total = split.len();
    let progress = Progress::new(total);
    let concurrency = (args.concurrency as usize).max(1);
    // A thread per core (at most one per request in flight), each with its own single-thread
    // runtime and connection pool, taking the next batch when one of its requests is done:
    // nothing crosses threads but the batch counter and the merge, which only places pieces
    // (each answer is checked and taken apart on the thread that received it). The clients are
    // set up first (a bad --cacert is said before anything is sent).
    let threads = http::threads_for(concurrency);
    let clients = (0..threads)
        .map(|t| {
            if t == 0 {
                Ok(client.clone())
            } else {
                client.fresh()
            }
        })
        .collect::<anyhow::Result<Vec<Client>>>()?;
    let next_batch = AtomicUsize::new(0);
    let merge = Mutex::new(Merge {
        merger: Merger::new(&split),
        stats: Stats::default(),
        first_failure: None,
    });
    let started = Instant::now();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = clients
            .into_iter()
            .enumerate()
            .map(|(t, client)| {
                let in_flight = concurrency / threads + usize::from(t < concurrency % threads);
                let (split, next_batch, merge, progress) = (&split, &next_batch, &merge, &progress);
                scope.spawn(move || -> anyhow::Result<()> {
                    let take = || {
                        let batch = next_batch.fetch_add(1, Ordering::Relaxed);
                        (batch < total).then_some(batch)
                    };
                    http::block_on(crate::batch::drive(
                        in_flight,
                        take,
                        |batch| {
                            let client = client.clone();
                            let request = Request::new(
                                request.method.clone(),
                                request.url.clone(),
                                request.headers.clone(),
                                Bytes::from(split.body(batch)),
                            );
                            let records = split.range(batch).len();
                            async move {
                                let result = http::send(&client, &request).await.map(|response| {
                                    let (latency, attempts) = (response.latency, response.attempts);
                                    let answer = Answer::read(batch, records, response.body);
                                    (answer, latency, attempts)
                                });
                                (request.request_id, result)
                            }
                        },
                        |batch, ended| {
                            let mut merge = merge
                                .lock()
                                .unwrap_or_else(|poisoned| poisoned.into_inner());
                            let requests = match ended {
                                Ok((request_id, result)) => {
                                    merge.record(batch, &request_id, result)
                                }
                                Err(why) => merge.lost(batch, why),
                            };
                            drop(merge);
                            progress.done(requests);
                        },
                    ))
                })
            })
            .collect();
        for worker in workers {
            worker
                .join()
                .map_err(|_| crate::error::input_error("a batch thread stopped unexpectedly"))??;
        }
        Ok(())
    })?;
    let mut merge = merge
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Every batch ended answered or failed; one that did not (its task lost) fails now, so its
    // records keep error entries and count.
    for batch in merge.merger.unplaced() {
        merge.lost(batch, "the batch was never answered".to_string());
    }
    let Merge {
        merger,
        mut stats,
        first_failure,
    } = merge;
    progress.finish();
    stats.elapsed = started.elapsed();
    stats.records = split.records();
    stats.failed_records = merger.failed_records();
    let placeholders = merger.placeholder_times();
    let merged = merger.finish();
    print_summary(&stats, args.summary);
    let outcome = print_answer(
        out,
        &merged,
        "merged response",
        Some(split.records()),
        print,
        None,
        &placeholders,
        true,
    )?;
    Ok(match first_failure {
        Some(ErrorKind::Network) => Outcome::NetworkFailure,
        Some(ErrorKind::Http) => Outcome::HttpFailure,
        Some(_) => Outcome::Invalid,
        None => outcome,
    })
}

/// The merge of the batches' answers and what they did, shared by the batch threads.
struct Merge {
    merger: Merger,
    stats: Stats,
    first_failure: Option<ErrorKind>,
}

impl Merge {
    /// Place batch `batch`'s result (its answer as read, or why there is none); returns the
    /// requests done so far.
    fn record(
        &mut self,
        batch: usize,
        request_id: &str,
        result: Result<(Result<Answer, BatchFailure>, Duration, u32), http::HttpError>,
    ) -> usize {
        let records = self.records_text(batch);
        let stats = &mut self.stats;
        stats.requests += 1;
        match result {
            Ok((answer, latency, attempts)) => {
                stats.retries += attempts.saturating_sub(1);
                stats.latencies.push(latency);
                let refused = answer
                    .as_ref()
                    .ok()
                    .and_then(|a| a.refused())
                    .map(|f| f.message.clone());
                match self.merger.take(batch, answer) {
                    Err(failure) => {
                        stats.failures += 1;
                        self.first_failure.get_or_insert(ErrorKind::Data);
                        crate::say!(
                            "xconn: batch {} ({}, x-request-id {request_id}): {}",
                            batch + 1,
                            records,
                            failure.message
                        );
                    }
                    Ok(()) => {
                        if let Some(message) = refused {
                            crate::say!(
                                "xconn: batch {} ({}, x-request-id {request_id}): {}",
                                batch + 1,
                                records,
                                crate::error::escape_control(&message)
                            );
                        }
                    }
                }
            }
            Err(error) => {
                stats.retries += error.attempts.saturating_sub(1);
                stats.failures += 1;
                self.first_failure.get_or_insert(error.kind());
                let message = error.to_string();
                // One line per failed batch (its records' detail is in the merged response).
                crate::say!("xconn: batch {} ({records}): {message}", batch + 1);
                self.merger.failed(
                    batch,
                    BatchFailure {
                        error_type: error.error_type(),
                        message,
                    },
                );
            }
        }
        stats.requests
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

fn print_summary(stats: &Stats, format: SummaryFormat) {
    let ms = |d: Duration| (d.as_secs_f64() * 1e4).round() / 10.0;
    let rate = if stats.elapsed.as_secs_f64() > 0.0 {
        (stats.records as f64 / stats.elapsed.as_secs_f64()).round()
    } else {
        0.0
    };
    match format {
        SummaryFormat::Json => crate::say!(
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
        SummaryFormat::Text => crate::say!(
            "xconn: {} requests, {} records, {} failed ({} records), {} retries; latency p50 {} ms, \
             p95 {} ms, p99 {} ms; {} records/s in {}",
            stats.requests,
            stats.records,
            stats.failures,
            stats.failed_records,
            stats.retries,
            ms(stats.quantile(0.50)),
            ms(stats.quantile(0.95)),
            ms(stats.quantile(0.99)),
            rate,
            seconds(stats.elapsed)
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

/// Say once, before sending: a secret given with `-H` (named, never shown), a `-H
/// Authorization` that replaces the token, no token at all (and what the default variables hold),
/// or a JWT that has expired or is about to.
fn announce_token(token: Option<&Token>, request: &Request) {
    for (name, _) in request
        .headers
        .iter()
        .filter(|(n, _)| redact::is_sensitive(n))
    {
        crate::say!(
            "xconn: warning: -H {name}: a secret on the command line can be read by other users \
             of this machine (ps, shell history); prefer XCONN_TOKEN, --token-env or --token-file"
        );
    }
    let given = request
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    match (token, given) {
        (None, false) => crate::say!(
            "xconn: no token ({}): sending {} without Authorization",
            token::default_vars_state(|name| std::env::var(name).ok()),
            request.describe()
        ),
        (None, true) => {}
        (Some(token), true) => crate::say!(
            "xconn: -H Authorization is sent instead of the token from {}",
            token.origin
        ),
        (Some(token), false) => {
            if let Some(warning) = token
                .claims()
                .and_then(|claims| token::expiry_warning(&claims, token::now()))
            {
                crate::say!("xconn: warning: {warning} (token from {})", token.origin);
            }
        }
    }
}

/// `--dry-run`: the request line, the headers (secrets masked) and the body.
fn print_dry_run(out: &mut dyn Write, client: &Client, request: &Request) -> anyhow::Result<()> {
    writeln!(out, "{}", request.describe())?;
    for (name, value) in client.headers(request) {
        writeln!(out, "{}", redact::header_line(&name, &value))?;
    }
    writeln!(out)?;
    out.write_all(&request.body)?;
    if !request.body.is_empty() && !request.body.ends_with(b"\n") {
        writeln!(out)?;
    }
    crate::say!("xconn: --dry-run: nothing was sent");
    Ok(())
}

/// `--curl`: an equivalent curl command, run by bash or zsh (`<(…)`), sending the same bytes and
/// the same headers as `call` would (docs/call.md says how):
/// - `--globoff` (a `[` or `{` in the URL is sent as is), `--compressed` with xconn's own
///   `Accept-Encoding: gzip`, `Expect:` (no `100-continue`), every header of
///   [`Client::headers`] in order, `User-Agent` and this run's `x-request-id` included;
/// - the token as `-H @<(printf 'Authorization: Bearer %s\n' "…")`, read by the shell from the
///   same variable or file (cleaned like xconn cleans it) and never on curl's command line; a
///   token from standard input is read from `$XCONN_TOKEN`; other secret `-H` values are masked
///   and must be filled in by hand;
/// - the body as `--data-binary @FILE` when BODY is a file sent as it is, else (converted, or
///   read from standard input) the bytes sent, inline: `printf '%s' '…' | curl … --data-binary @-`.
fn print_curl(
    out: &mut dyn Write,
    client: &Client,
    request: &Request,
    body_arg: Option<&str>,
) -> anyhow::Result<()> {
    let settings = client.settings();
    // The body: the file itself when its bytes are the ones sent, else inline on stdin.
    let from_file = body_arg.filter(|arg| {
        !source::is_stdin(arg)
            && std::fs::metadata(arg).is_ok_and(|m| m.is_file())
            && std::fs::read(arg).is_ok_and(|bytes| bytes == request.body)
    });
    let mut parts = Vec::new();
    let inline = from_file.is_none() && !request.body.is_empty();
    if inline {
        parts.push(format!(
            "printf '%s' {} |\n  curl -sS --globoff --compressed",
            shell_quote(&String::from_utf8_lossy(&request.body))
        ));
    } else {
        parts.push("curl -sS --globoff --compressed".to_string());
    }
    parts.push(format!("-X {}", shell_quote(request.method.as_str())));
    parts.push(shell_quote(&redact::url(&request.url)));
    parts.push(format!("--max-time {}", seconds_plain(settings.timeout)));
    if let Some(connect) = settings.connect_timeout {
        parts.push(format!("--connect-timeout {}", seconds_plain(connect)));
    }
    if let Some(cacert) = &settings.cacert {
        parts.push(format!(
            "--cacert {}",
            shell_quote(&cacert.display().to_string())
        ));
    }
    if settings.insecure {
        parts.push("--insecure".into());
    }
    let given_auth = request
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    let mut masked = Vec::new();
    let mut notes = Vec::new();
    for (name, value) in client.headers(request) {
        if name == "Authorization" && !given_auth {
            if let Some(token) = client.token() {
                let (arg, note) = curl_token_header(token);
                parts.push(arg);
                notes.extend(note);
                continue;
            }
        }
        if redact::is_sensitive(&name) {
            masked.push(name.clone());
        }
        parts.push(format!(
            "-H {}",
            shell_quote(&redact::header_line(&name, &value))
        ));
    }
    if !request.body.is_empty() {
        parts.push("-H Expect:".into());
    }
    match from_file {
        Some(arg) => parts.push(format!("--data-binary @{}", shell_quote(arg))),
        None if inline => parts.push("--data-binary @-".into()),
        None => {}
    }
    writeln!(out, "{}", parts.join(" \\\n  "))?;
    for note in notes {
        crate::say!("xconn: --curl: {note}");
    }
    if !masked.is_empty() {
        crate::say!(
            "xconn: --curl: fill in the masked value of {} by hand",
            masked.join(", ")
        );
    }
    Ok(())
}

/// The `-H` argument that gives curl the token from where xconn read it, and a note for the
/// user when that cannot be done (a token from standard input is read from `$XCONN_TOKEN`). The
/// value is read by the shell: `$NAME` for a clean variable, else a pipeline that removes what
/// [`token::clean`] removes (a byte-order mark, whitespace, a leading `Bearer`).
fn curl_token_header(token: &Token) -> (String, Option<String>) {
    let (raw, input, note) = match &token.origin {
        Origin::Env(name) => (
            std::env::var(name).unwrap_or_default(),
            format!("printenv {}", shell_quote(name)),
            None,
        ),
        Origin::File(path) => (
            std::fs::read_to_string(path).unwrap_or_default(),
            format!("cat {}", shell_quote(path)),
            None,
        ),
        Origin::Stdin => (
            String::new(),
            String::new(),
            Some(format!(
                "the command reads the token from ${}; set it first",
                token::DEFAULT_VARS[0]
            )),
        ),
    };
    let value = match &token.origin {
        Origin::Stdin => format!("${}", token::DEFAULT_VARS[0]),
        Origin::Env(name) if is_shell_name(name) && raw == token.secret() => format!("${name}"),
        _ => {
            let bom = raw.starts_with('\u{feff}');
            let bearer = token::clean(&raw) != raw.trim_start_matches('\u{feff}').trim();
            let mut pipeline = input;
            if bom || bearer {
                pipeline.push_str(" | LC_ALL=C sed");
                if bom {
                    pipeline.push_str(r#" -e "1s/^$(printf '\357\273\277')//""#);
                }
                if bearer {
                    pipeline.push_str(" -e 's/^[[:space:]]*[Bb][Ee][Aa][Rr][Ee][Rr]//'");
                }
            }
            pipeline.push_str(" | tr -d '[:space:]'");
            format!("$({pipeline})")
        }
    };
    (
        format!(r#"-H @<(printf 'Authorization: Bearer %s\n' "{value}")"#),
        note,
    )
}

fn is_shell_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Quote for a POSIX shell: `'…'`, each `'` written as `'\''`.
pub fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b))
    {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn seconds_plain(d: Duration) -> String {
    let s = format!("{:.3}", d.as_secs_f64());
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub fn parse_url(text: &str) -> anyhow::Result<Url> {
    let trimmed = text.trim();
    // `localhost:8080/run` parses as the scheme `localhost`, `example.com/run` not at all: both
    // are a URL without its scheme, and say so.
    let no_scheme = !trimmed.contains("://");
    let hint = |shown: &str| {
        format!(
            "URL {shown} has no scheme: write http://{shown} or https://{shown} (only http and https are supported)"
        )
    };
    let url = Url::parse(trimmed).map_err(|e| {
        let shown = crate::error::escape_control(text);
        if no_scheme {
            usage_error(hint(&shown))
        } else {
            usage_error(format!("URL {shown}: {e}"))
        }
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        if no_scheme {
            return Err(usage_error(hint(&redact::url(&url).to_string())));
        }
        return Err(usage_error(format!(
            "URL {}: only http and https are supported",
            redact::url(&url)
        )));
    }
    Ok(url)
}

/// `--insecure` (shared by `call` and `check`): said loudly on stderr, once, before anything is
/// sent.
pub fn warn_if_insecure(tls: &TlsArgs) {
    if tls.insecure {
        crate::say!(
            "xconn: WARNING: --insecure: TLS certificates are NOT checked; anyone between you and \
             the service can read the token and the data"
        );
    }
}

/// `-X` and `-H` (shared by `call` and `check`): the method and the extra headers, or a usage
/// error naming the bad one.
pub fn request_shape(args: &RequestArgs) -> anyhow::Result<(Method, Vec<(String, String)>)> {
    let method = parse_method(&args.method)?;
    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((method, headers))
}

pub fn parse_method(text: &str) -> anyhow::Result<Method> {
    Method::from_bytes(text.trim().to_ascii_uppercase().as_bytes()).map_err(|_| {
        usage_error(format!(
            "-X {}: not an HTTP method",
            crate::error::escape_control(text)
        ))
    })
}

/// `-H 'Name: value'` as a (name, value) pair; names and values are checked when sent.
pub fn parse_header(text: &str) -> anyhow::Result<(String, String)> {
    // Not echoed: a header without `:` may well be `Authorization Bearer <token>`.
    let bad = || usage_error("-H: expected `Name: value` (no `:` found; the value is not shown)");
    let (name, value) = text.split_once(':').ok_or_else(bad)?;
    let name = name.trim();
    if redact::is_sensitive(name) {
        // Masked in every output from now on: the whole value, and the credential after an
        // auth scheme word (`Basic dXNlcjpwYXNz`).
        redact::register(value.trim());
        if let Some((_, credential)) = value.trim().split_once(' ') {
            redact::register(credential.trim());
        }
    }
    if name.is_empty()
        || reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
        || reqwest::header::HeaderValue::from_str(value.trim()).is_err()
    {
        return Err(usage_error(format!(
            "-H: invalid header {}",
            redact::header_line(name, value.trim())
        )));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xconn's own merged response is checked before it leaves: one the validator rejects is an
    /// error naming the rule, and with `-o` no file is written.
    #[test]
    fn a_merged_response_the_validator_rejects_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("merged.json");
        let print = Printing {
            format: CallFormat::Json,
            output: Some(path.display().to_string()),
        };
        let mut out = Output::stdout(crate::output::ColorChoice::Never);
        let broken = br#"{"outputs": [["y", "y"], [1, 2]], "warnings": [null], "errors": [null], "process_time": [1]}"#;
        let err = print_answer(
            &mut out,
            broken,
            "merged response",
            Some(1),
            &print,
            None,
            &[],
            true,
        )
        .unwrap_err();
        let message = format!("{err:#}");
        assert!(
            message.contains("XC104") && message.contains("not written"),
            "{message}"
        );
        assert!(!path.exists());
        let good = br#"{"outputs": [["y"], [1]], "warnings": [null], "errors": [null], "process_time": [1]}"#;
        print_answer(
            &mut out,
            good,
            "merged response",
            Some(1),
            &print,
            None,
            &[],
            true,
        )
        .unwrap();
        assert!(path.exists());
    }

    #[test]
    fn quoting_and_headers() {
        assert_eq!(shell_quote("abc"), "abc");
        assert_eq!(shell_quote("a b'c"), r"'a b'\''c'");
        assert_eq!(
            parse_header("X-Api-Key:  s3 ").unwrap(),
            ("X-Api-Key".to_string(), "s3".to_string())
        );
        let err = parse_header("Authorization Bearer s3cret").unwrap_err();
        assert!(!format!("{err:#}").contains("s3cret"), "{err:#}");
        let err = parse_header("Authorization: Bearer sec\nret").unwrap_err();
        assert!(!format!("{err:#}").contains("sec"), "{err:#}");
        assert_eq!(seconds_plain(Duration::from_millis(1500)), "1.5");
        assert_eq!(seconds_plain(Duration::from_secs(60)), "60");
    }
}
