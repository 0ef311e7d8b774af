//! Exit codes and the error kinds that choose them; the one place errors are printed.
//!
//! A command either runs to the end and returns an [`Outcome`], or fails with an error. An error
//! carries its [`ErrorKind`] as a typed cause ([`DataError`] for bad data, [`KindError`] for the
//! rest, built by [`data_error`], [`usage_error`], [`input_error`], [`network_error`] and
//! [`http_error`]); an error with no kind (a bare I/O error, an `anyhow::bail!`) is a usage or
//! I/O failure and exits 2.
//!
//! | code | from | meaning |
//! |------|------|---------|
//! | 0 | [`Outcome::Success`] | success (validate: every file valid) |
//! | 1 | [`Outcome::Invalid`], [`ErrorKind::Data`] | the input was read but is invalid or cannot be converted (bad CSV/JSON, failed rule) |
//! | 2 | [`ErrorKind::Usage`], [`ErrorKind::Input`], an error with no kind | usage error, unreadable file, or an I/O failure while writing |
//! | 3 | [`ErrorKind::Network`], [`Outcome::NetworkFailure`] | the service could not be reached (name lookup, connection, TLS, timeout) |
//! | 4 | [`ErrorKind::Http`], [`Outcome::HttpFailure`] | the service answered with an HTTP error status |
//! | 5 | [`Outcome::RecordErrors`] | the service answered, but reported errors for some records |
//!
//! Codes 3–5 are for the network commands (`call`, `serve`, `check`).

use std::fmt;
use std::io;
use std::process::ExitCode;

/// What a command that ran to the end reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was fine: exit 0.
    Success,
    /// The command ran, but what it checked is invalid: exit 1.
    Invalid,
    /// The service answered, but its response reports errors for some records: exit 5.
    RecordErrors,
    /// Some requests of a batched call could not reach the service (the output was still
    /// written, each lost record with an error entry): exit 3.
    NetworkFailure,
    /// Some requests of a batched call got an HTTP error status (output written as for
    /// `NetworkFailure`): exit 4.
    HttpFailure,
}

impl Outcome {
    /// The exit status as a number (see the table in the module documentation).
    pub(crate) fn code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Invalid => 1,
            Outcome::RecordErrors => 5,
            Outcome::NetworkFailure => 3,
            Outcome::HttpFailure => 4,
        }
    }

    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

/// Why a command failed; chooses the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// The input was read but its content is wrong: exit 1.
    Data,
    /// The command line asks for something that cannot be done: exit 2.
    Usage,
    /// A file or stream could not be read or written: exit 2.
    Input,
    /// The service could not be reached: exit 3.
    Network,
    /// The service answered with an HTTP error status: exit 4.
    Http,
}

impl ErrorKind {
    /// The exit status for this kind (see the table in the module documentation).
    pub(crate) fn code(self) -> u8 {
        match self {
            ErrorKind::Data => 1,
            ErrorKind::Usage | ErrorKind::Input => 2,
            ErrorKind::Network => 3,
            ErrorKind::Http => 4,
        }
    }
}

/// The input was read but its content is wrong. The message already says where (file:line:col,
/// row, JSON pointer). The [`ErrorKind::Data`] error: exits 1.
#[derive(Debug)]
pub(crate) struct DataError(pub String);

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DataError {}

/// An error of any other kind; the message says everything, the kind chooses the exit code.
#[derive(Debug)]
pub(crate) struct KindError {
    pub(crate) kind: ErrorKind,
    pub(crate) message: String,
}

impl fmt::Display for KindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for KindError {}

/// Build an error of `kind` as an `anyhow::Error` (a [`DataError`] for [`ErrorKind::Data`]).
pub(crate) fn error(kind: ErrorKind, message: impl Into<String>) -> anyhow::Error {
    let message = message.into();
    match kind {
        ErrorKind::Data => anyhow::Error::new(DataError(message)),
        kind => anyhow::Error::new(KindError { kind, message }),
    }
}

/// Build a [`DataError`] as an `anyhow::Error`.
pub(crate) fn data_error(message: impl Into<String>) -> anyhow::Error {
    error(ErrorKind::Data, message)
}

/// A usage error (exit 2).
pub(crate) fn usage_error(message: impl Into<String>) -> anyhow::Error {
    error(ErrorKind::Usage, message)
}

/// A file or stream that cannot be read or written (exit 2).
pub(crate) fn input_error(message: impl Into<String>) -> anyhow::Error {
    error(ErrorKind::Input, message)
}

#[cfg(test)]
/// The service could not be reached (exit 3).
pub(crate) fn network_error(message: impl Into<String>) -> anyhow::Error {
    error(ErrorKind::Network, message)
}

#[cfg(test)]
/// The service answered with an HTTP error status (exit 4).
pub(crate) fn http_error(message: impl Into<String>) -> anyhow::Error {
    error(ErrorKind::Http, message)
}

/// The kind of an error: [`ErrorKind::Data`] when bad data is among its causes (as it always
/// was: exit 1), else the kind of the outermost [`KindError`] (added as an error or as context);
/// `None` when no cause has a kind (a bare I/O error, a plain message).
pub(crate) fn kind_of(err: &anyhow::Error) -> Option<ErrorKind> {
    let data = err.downcast_ref::<DataError>().is_some()
        || err.chain().any(|cause| cause.is::<DataError>());
    if data {
        return Some(ErrorKind::Data);
    }
    err.downcast_ref::<KindError>()
        .or_else(|| {
            err.chain()
                .find_map(|cause| cause.downcast_ref::<KindError>())
        })
        .map(|e| e.kind)
}

/// The exit status an error stands for: its kind's, 2 when it has none.
pub(crate) fn code_for(err: &anyhow::Error) -> u8 {
    kind_of(err).map_or(2, ErrorKind::code)
}

/// The exit code an error stands for (see [`code_for`]).
pub fn exit_code_for(err: &anyhow::Error) -> ExitCode {
    ExitCode::from(code_for(err))
}

/// True when the error comes from writing to a closed pipe (`xconn show … | head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Print an error once, as `xconn: error: context: cause`, with control characters escaped.
pub fn report(err: &anyhow::Error) {
    let text = format!("{err:#}");
    crate::say!("xconn: error: {}", escape_control(&text));
}

/// Replace control characters (other than tab) and bidirectional overrides so a hostile file name
/// or value cannot drive or reorder the terminal. Same escaping as `show` uses for cells.
pub(crate) fn escape_control(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        if (ch.is_control() && ch != '\t') || crate::text::is_bidi_control(ch) {
            escaped.extend(ch.escape_default());
        } else {
            escaped.push(ch);
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_exit_code() {
        let codes: Vec<u8> = [
            data_error("d"),
            usage_error("u"),
            input_error("i"),
            network_error("n"),
            http_error("h"),
            anyhow::anyhow!("plain"),
            anyhow::Error::new(io::Error::other("bare")),
        ]
        .iter()
        .map(code_for)
        .collect();
        assert_eq!(codes, [1, 2, 2, 3, 4, 2, 2]);
        let outcomes = [Outcome::Success, Outcome::Invalid, Outcome::RecordErrors];
        assert_eq!(outcomes.map(Outcome::code), [0, 1, 5]);
    }

    #[test]
    fn the_kind_survives_context_data_wins_then_the_outermost_kind() {
        let err = data_error("t.csv:3: bad").context("converting");
        assert_eq!(kind_of(&err), Some(ErrorKind::Data));
        assert_eq!(format!("{err:#}"), "converting: t.csv:3: bad");
        let err = anyhow::Error::new(DataError("x".into()));
        assert_eq!(code_for(&err), 1);
        let err = http_error("503 from https://x")
            .context(KindError {
                kind: ErrorKind::Network,
                message: "retrying https://x".into(),
            })
            .context("call");
        assert_eq!(kind_of(&err), Some(ErrorKind::Network));
        let err = network_error("timeout").context(DataError("bad response".into()));
        assert_eq!(code_for(&err), 1);
        assert_eq!(kind_of(&anyhow::anyhow!("plain").context("ctx")), None);
    }

    #[test]
    fn error_text_escapes_terminal_controls_and_bidi_overrides() {
        assert_eq!(
            escape_control("a\u{1b}[31m\nb\u{202e}c\td"),
            "a\\u{1b}[31m\\nb\\u{202e}c\td"
        );
    }
}
