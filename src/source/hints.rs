//! Located, hinted JSON syntax errors: [`syntax_error`] is the one place hints are made, and
//! [`looks_like`] says when a text that is not JSON is plainly another format (CSV, NDJSON) and
//! which command converts it.

use std::fmt;

use super::location::line_col;
use super::sniff::{self, Start};
use crate::json::{self, ErrorKind};

/// A JSON syntax error with its position and, for common mistakes, a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonSyntaxError {
    pub(crate) line: usize,
    pub(crate) col: usize,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
    /// What the text looks like when it is plainly another format (CSV, NDJSON), so a command
    /// can say what it was read as and what to run instead ([`looks_like`]).
    pub(crate) looks_like: Option<Looks>,
}

impl fmt::Display for JsonSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for JsonSyntaxError {}

#[cfg(test)]
/// Check `bytes` as one JSON document (syntax and duplicate keys) and return its root value;
/// every failure (encoding, invalid UTF-8, empty input, syntax) is a located, hinted error.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<crate::json::Value<'_>, JsonSyntaxError> {
    let text = super::json_text(bytes)?;
    json::parse(text).map_err(|e| syntax_error(bytes, &e))
}

/// Turn a parse error into a located error with a hint for the usual culprits.
pub(crate) fn syntax_error(bytes: &[u8], err: &json::ParseError) -> JsonSyntaxError {
    let rest = &bytes[err.offset.min(bytes.len())..];
    let hint = match err.kind {
        ErrorKind::TrailingComma => {
            Some("JSON allows no comma after the last element: remove it".to_string())
        }
        ErrorKind::UnexpectedEnd => {
            Some("the document ends early: is a closing `]`, `}` or `\"` missing?".to_string())
        }
        ErrorKind::ControlCharacterInString => {
            Some("escape tabs and newlines inside strings as \\t and \\n".to_string())
        }
        ErrorKind::DuplicateKey => Some(
            "a key may appear once per object: JSON readers disagree on which value counts"
                .to_string(),
        ),
        ErrorKind::TrailingCharacters => {
            Some("a body is one JSON document: remove what follows it".to_string())
        }
        _ if rest.starts_with(b"'") => {
            Some("JSON strings and keys use double quotes, not single quotes".to_string())
        }
        _ if rest.starts_with(b"/") => {
            Some("JSON has no comments: remove `//` and `/* */` comments".to_string())
        }
        _ if rest.starts_with(b"+") => Some(
            "a JSON number has no leading `+`: write 1, not +1 (or quote it as a string)"
                .to_string(),
        ),
        _ if starts_with_any(rest, &["NaN", "Infinity", "-Infinity"]) => Some(
            "NaN and Infinity are not JSON numbers: use null or a string such as \"NaN\""
                .to_string(),
        ),
        _ => None,
    };
    let (line, col) = line_col(bytes, err.offset);
    JsonSyntaxError {
        line,
        col,
        message: err.kind.message(),
        hint,
        looks_like: looks_like(bytes, err),
    }
}

/// Another format a text that is not JSON plainly is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Looks {
    /// Delimited rows with this delimiter (`,` `;` tab `|`).
    Csv(u8),
    /// A JSON value, then another on the next line.
    Ndjson,
}

impl Looks {
    /// `CSV`, `CSV separated by `;``, `NDJSON (one JSON value per line)`.
    pub(crate) fn name(self) -> String {
        match self {
            Looks::Csv(b',') => "CSV".to_string(),
            Looks::Csv(b'\t') => "tab-separated CSV".to_string(),
            Looks::Csv(d) => format!("CSV separated by `{}`", d as char),
            Looks::Ndjson => "NDJSON (one JSON value per line)".to_string(),
        }
    }

    /// The command that turns the file `name` into a body: `xconn convert --from csv data.csv`.
    pub(crate) fn convert_command(self, name: &str) -> String {
        let file = crate::text::shell_word(if name == "<stdin>" { "-" } else { name });
        match self {
            Looks::Csv(b',') => format!("xconn convert --from csv {file}"),
            Looks::Csv(b'\t') => format!("xconn convert --from csv --delimiter '\\t' {file}"),
            Looks::Csv(d) => format!(
                "xconn convert --from csv --delimiter '{}' {file}",
                d as char
            ),
            Looks::Ndjson => format!("xconn convert --from ndjson {file}"),
        }
    }
}

/// What a text that failed to parse as JSON with `err` plainly is instead, if anything:
/// - NDJSON: a complete value and more content on a later line (`{…}⏎{…}`);
/// - CSV: the error is on the first line of content, the text does not start with `{`, and the
///   first records (up to 5; a quoted field may span lines) hold the same number (at least one)
///   of `,`, `;`, tab or `|` outside double quotes.
///
/// Errors with a hint of their own (a truncated document, a trailing comma, single quotes,
/// comments, `NaN`) are JSON with a mistake, not another format: `None`.
pub(crate) fn looks_like(bytes: &[u8], err: &json::ParseError) -> Option<Looks> {
    let (first, start) = sniff::start(bytes)?;
    let offset = err.offset.min(bytes.len());
    if err.kind == ErrorKind::TrailingCharacters && start != Start::Other {
        let end = bytes[..offset]
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |p| p + 1);
        if bytes[end..offset].iter().any(|&b| b == b'\n' || b == b'\r') {
            return Some(Looks::Ndjson);
        }
    }
    if start == Start::Object
        || matches!(
            err.kind,
            ErrorKind::UnexpectedEnd | ErrorKind::TrailingComma | ErrorKind::DuplicateKey
        )
        || starts_with_any(
            &bytes[offset..],
            &["'", "/", "NaN", "Infinity", "-Infinity", "+"],
        )
    {
        return None;
    }
    // The error is on the first line of content.
    let first_line_end =
        memchr::memchr2(b'\n', b'\r', &bytes[first..]).map_or(bytes.len(), |i| first + i);
    if offset > first_line_end {
        return None;
    }
    let sample = &bytes[first..bytes.len().min(first + (64 << 10))];
    sniff::csv_delimiter(sample, sniff::DELIMITERS).map(Looks::Csv)
}

fn starts_with_any(bytes: &[u8], prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| bytes.starts_with(p.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_comma_points_at_the_comma() {
        let text = b"[\n  1,\n  2,\n]";
        let err = parse_json(text).unwrap_err();
        assert_eq!((err.line, err.col), (3, 4));
        assert_eq!(err.message, "trailing comma");
        assert!(err.hint.unwrap().contains("comma"));
    }
}
