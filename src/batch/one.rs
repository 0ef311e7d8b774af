//! One request (`call` without `--batch-size`): sent with retries said as they happen and, under
//! `-v`, both heads shown on standard error (secrets masked, every redirect hop included).

use std::io::Write;
use std::time::Duration;

use crate::error::data_error;
use crate::http::{self, redact, Client, Event, Request, Response};

/// Send `request` on `client`; the 2xx answer, or the request's error.
pub(crate) fn send(client: &Client, request: &Request, verbose: bool) -> anyhow::Result<Response> {
    if verbose {
        let mut err = crate::output::stderr();
        writeln!(err, "> {}", request.describe())?;
        for (name, value) in client.headers(request) {
            writeln!(err, "> {}", redact::header_line(&name, &value))?;
        }
        writeln!(err, "> ({} bytes of body)", request.body.len())?;
    }
    let retries = client.settings().retries;
    let mut on_event = |event: Event<'_>| match event {
        Event::Retry {
            attempt,
            reason,
            wait,
            retry_after,
        } => crate::say!(
            "xconn: {reason}; retry {attempt} of {retries} in {}{} (x-request-id {})",
            seconds(wait),
            if retry_after { " (Retry-After)" } else { "" },
            request.request_id
        ),
        _ if verbose => show_head(client, request, &event),
        _ => {}
    };
    let response = http::block_on(http::send_with(client, request, &mut on_event))?
        .map_err(http::HttpError::into_anyhow)?;
    if verbose {
        crate::say!(
            "< ({} bytes in {}, {} attempt{}, x-request-id {})",
            response.body.len(),
            seconds(response.latency),
            response.attempts,
            if response.attempts == 1 { "" } else { "s" },
            response.request_id
        );
    }
    Ok(response)
}

/// `-v`: an answer's or a redirect's status and headers (redacted), and where a redirect goes.
fn show_head(client: &Client, request: &Request, event: &Event<'_>) {
    let (status, headers) = match event {
        Event::Answer { status, headers }
        | Event::Redirect {
            status, headers, ..
        } => (*status, *headers),
        Event::Retry { .. } => return,
    };
    crate::say!("< {}", http::status_line(status));
    for (name, value) in headers {
        crate::say!("< {}", client.scrub(&redact::header_line(name, value)));
    }
    // Every hop shows under -v: its status and headers (Location included), redacted.
    if let Event::Redirect { to, .. } = event {
        crate::say!(
            "> {} {} (redirect within the origin: the same method, headers and body)",
            request.method,
            client.scrub(&redact::url(to))
        );
    }
}

/// The error for an answer that is not JSON (`why`), naming the request, the status and the
/// content type, with the start of the body.
pub(crate) fn not_json(response: &Response, why: &str) -> anyhow::Error {
    data_error(format!(
        "the answer to x-request-id {} is not JSON: {why} ({}, content-type {}); it starts: {}",
        response.request_id,
        response.status_line(),
        response.content_type().unwrap_or("none"),
        redact::body_prefix(&response.body, http::ERROR_BODY_PREFIX)
    ))
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}
