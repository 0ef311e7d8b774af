//! Exit codes and the error kinds that choose them; the one place errors are printed.
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success (validate: every file valid) |
//! | 1 | the input was read but is invalid or cannot be converted (bad CSV/JSON, failed rule) |
//! | 2 | usage error, unreadable file, or an I/O failure while writing |

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
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Invalid => ExitCode::from(1),
        }
    }
}

/// The input was read but its content is wrong. The message already says where (file:line:col,
/// row, JSON pointer). Exits 1.
#[derive(Debug)]
pub struct DataError(pub String);

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DataError {}

/// Build a [`DataError`] as an `anyhow::Error`.
pub fn data_error(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(DataError(message.into()))
}

/// The exit code an error stands for: 1 for bad data, 2 for everything else.
pub fn exit_code_for(err: &anyhow::Error) -> ExitCode {
    if err.chain().any(|cause| cause.is::<DataError>()) {
        ExitCode::from(1)
    } else {
        ExitCode::from(2)
    }
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
    eprintln!("xconn: error: {}", escape_control(&text));
}

/// Replace control characters (other than tab) and bidirectional overrides so a hostile file name
/// or value cannot drive or reorder the terminal. Same escaping as `show` uses for cells.
pub fn escape_control(text: &str) -> String {
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
    fn error_text_escapes_terminal_controls_and_bidi_overrides() {
        assert_eq!(
            escape_control("a\u{1b}[31m\nb\u{202e}c\td"),
            "a\\u{1b}[31m\\nb\\u{202e}c\td"
        );
    }
}
