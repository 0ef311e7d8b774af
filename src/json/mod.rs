//! The one JSON reader. Every command reads JSON through this module:
//!
//! * [`lexer::Lexer`] checks text token by token (byte offsets, exact number text, duplicate keys,
//!   one set of error kinds and messages). The validator walks bodies with it, and [`parse`] uses
//!   it to check a document before anything looks inside.
//! * [`Value`] is the lean document model: a value is a span of the checked text. Numbers and
//!   strings are slices of the input (strings unescaped only when asked), containers are walked
//!   on demand; nothing is copied or allocated per value.
//! * [`write`] prints values back: numbers exactly as written, strings escaped one canonical way.
//! * [`swar`] holds the two eight-bytes-at-a-time scanners the lexer, the walkers and the string
//!   writer share.
//! * [`scan_number`] is the number grammar, also used by CSV type inference.
//! * [`is_ws`], [`skip_ws`] and [`skip_ws_back`] are the one whitespace rule for code that looks
//!   at JSON text between values (the lexer, the walkers, the renderers' and merge's trims).

pub(crate) mod lexer;
pub(crate) mod swar;
pub(crate) mod value;
pub mod write;

pub(crate) use lexer::Lexer;
pub use value::{parse, Items, Value};
pub(crate) use value::{parse_many, unescape, ValueKind};

/// Whether `b` is JSON whitespace: space, tab, LF or CR (nothing else, not even a form feed).
#[inline]
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The first byte at or after `pos` that is not JSON whitespace (or the end of `bytes`).
#[inline]
pub(crate) fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(|&b| is_ws(b)) {
        pos += 1;
    }
    pos
}

/// Just past the last byte before `end` that is not JSON whitespace (0 when there is none).
#[inline]
pub(crate) fn skip_ws_back(bytes: &[u8], mut end: usize) -> usize {
    end = end.min(bytes.len());
    while end > 0 && is_ws(bytes[end - 1]) {
        end -= 1;
    }
    end
}

/// Deepest nesting accepted; deeper documents are rejected instead of exhausting the stack.
pub const MAX_DEPTH: usize = 256;

/// A syntax error at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub(crate) offset: usize,
    pub kind: ErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Input ended inside a value.
    UnexpectedEnd,
    /// A comma directly before `]` or `}`; the offset is the comma's.
    TrailingComma,
    /// A character that cannot start or continue a value here.
    Unexpected(char),
    /// Something other than a string where an object key belongs.
    KeyMustBeString,
    ExpectedColon,
    ExpectedCommaOrEnd(u8),
    InvalidNumber,
    InvalidEscape,
    InvalidUnicodeEscape,
    /// A raw control character (tab, newline…) inside a string.
    ControlCharacterInString,
    /// More content after the document ended.
    TrailingCharacters,
    TooDeep,
    /// An object key that repeats an earlier key of the same object; the offset is the key's.
    DuplicateKey,
}

impl ErrorKind {
    pub(crate) fn message(self) -> String {
        match self {
            ErrorKind::UnexpectedEnd => "unexpected end of input".into(),
            ErrorKind::TrailingComma => "trailing comma".into(),
            ErrorKind::Unexpected(c) if c.is_control() || c.is_whitespace() => {
                format!("unexpected character {}", c.escape_unicode())
            }
            ErrorKind::Unexpected(c) => format!("unexpected character `{c}`"),
            ErrorKind::KeyMustBeString => "object key must be a string in double quotes".into(),
            ErrorKind::ExpectedColon => "expected `:` after an object key".into(),
            ErrorKind::ExpectedCommaOrEnd(close) => {
                format!("expected `,` or `{}`", close as char)
            }
            ErrorKind::InvalidNumber => "invalid number".into(),
            ErrorKind::InvalidEscape => "invalid escape in string".into(),
            ErrorKind::InvalidUnicodeEscape => "invalid \\u escape in string".into(),
            ErrorKind::ControlCharacterInString => "control character inside a string".into(),
            ErrorKind::TrailingCharacters => "content after the end of the JSON document".into(),
            ErrorKind::TooDeep => format!("nesting deeper than {MAX_DEPTH} levels"),
            ErrorKind::DuplicateKey => "duplicate key in one object".into(),
        }
    }
}

/// The one implementation of the JSON number grammar,
/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, shared by the parser, the validator's scanner,
/// CSV type inference and the NDJSON fast path. Scans the number starting at `start` and returns
/// where it ends. Errors: `InvalidNumber` at the offending byte (at `start` when `-` is followed by
/// something that is not a digit, as in `-Infinity`), `UnexpectedEnd` when the input stops after `-`.
#[inline]
pub(crate) fn scan_number(bytes: &[u8], start: usize) -> Result<usize, ParseError> {
    let invalid = |offset| ParseError {
        offset,
        kind: ErrorKind::InvalidNumber,
    };
    let digits = |mut p: usize| {
        while let Some(b'0'..=b'9') = bytes.get(p) {
            p += 1;
        }
        p
    };
    let mut p = start;
    if bytes.get(p) == Some(&b'-') {
        p += 1;
    }
    match bytes.get(p) {
        Some(b'0') => {
            p += 1;
            if let Some(b'0'..=b'9') = bytes.get(p) {
                return Err(invalid(p));
            }
        }
        Some(b'1'..=b'9') => p = digits(p),
        None => {
            return Err(ParseError {
                offset: p,
                kind: ErrorKind::UnexpectedEnd,
            })
        }
        Some(_) => return Err(invalid(start)),
    }
    if bytes.get(p) == Some(&b'.') {
        let end = digits(p + 1);
        if end == p + 1 {
            return Err(invalid(end));
        }
        p = end;
    }
    if let Some(b'e' | b'E') = bytes.get(p) {
        p += 1;
        if let Some(b'+' | b'-') = bytes.get(p) {
            p += 1;
        }
        let end = digits(p);
        if end == p {
            return Err(invalid(end));
        }
        p = end;
    }
    Ok(p)
}
