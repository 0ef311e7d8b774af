//! HTTP for the network commands (`call`, its batches and `check`): the request from the command
//! line's text ([`request`]), the client and [`send`], retries, the token, redaction, and the
//! request printed instead of sent ([`curl`]). Async on tokio; a command that needs one answer
//! runs [`block_on`].

mod client;
pub(crate) mod curl;
pub(crate) mod oidc;
pub(crate) mod redact;
pub(crate) mod request;
pub(crate) mod retry;
pub(crate) mod token;
pub(crate) mod token_cache;
pub(crate) mod token_report;

pub(crate) use client::{
    send, send_with, status_line, Admit, Client, Event, Failure, HttpError, Request, Response,
    Settings, ERROR_BODY_PREFIX,
};
pub(crate) use reqwest::{Method, Url};

/// Run `future` to the end on a current-thread tokio runtime (enough for one request or a few
/// concurrent ones; the network waits, not the CPU).
pub(crate) fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::error::input_error(format!("cannot start the async runtime: {e}")))?;
    Ok(runtime.block_on(future))
}

/// How many threads to spread `in_flight` concurrent requests over: one per core, at most one
/// per request. Each runs [`block_on`] with its own [`Client::fresh`] pool, so nothing but the
/// work list crosses threads (a multi-thread runtime measured slower here: every answer woke
/// another thread).
pub(crate) fn threads_for(in_flight: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    in_flight.clamp(1, cores)
}
