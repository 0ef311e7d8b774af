//! Where input bytes come from (a path or `-` for stdin), JSON parsing with located, hinted syntax
//! errors (through [`crate::json`], the one reader; [`syntax_error`] is the one place hints are
//! made), and mapping byte offsets and JSON pointers back to line:column in the source text.
//!
//! Columns are 1-based and count characters (Unicode scalar values), as editors do. A leading
//! UTF-8 byte-order mark is dropped when reading, so positions match what an editor shows.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use crate::json::{self, ErrorKind, Value};
use anyhow::Context;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a leading UTF-8 byte-order mark: the one BOM rule, for files
/// ([`Source::from_bytes`]) and for bodies that arrive over HTTP alike (RFC 8259 lets a reader
/// ignore it), so every command gives a body with a BOM the same verdict.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    &bytes[bom_len(bytes)..]
}

/// The length of the byte-order mark `bytes` start with (0 when none): what to drop from an
/// owned body (`body.drain(..bom_len(&body))`).
pub fn bom_len(bytes: &[u8]) -> usize {
    if bytes.starts_with(BOM) {
        BOM.len()
    } else {
        0
    }
}

/// A whole input, in memory or mapped.
pub struct Source {
    /// The path as given, or `<stdin>`.
    pub name: String,
    /// The content, without a leading byte-order mark.
    pub bytes: SourceBytes,
}

/// Files at least this large are mapped instead of read.
const MAP_AT: u64 = 1 << 20;

/// The bytes of a [`Source`]: read into memory, or (for a large regular file) mapped, so that a
/// sequential pass can give pages back ([`Source::release_before`]) and memory stays flat.
/// Derefs to the content without its byte-order mark.
pub enum SourceBytes {
    Owned(Vec<u8>),
    /// A read-only shared mapping and the length of the BOM skipped at its start. Like ripgrep,
    /// xconn assumes the file is not truncated while it is being read.
    Mapped(memmap2::Mmap, usize),
}

impl std::ops::Deref for SourceBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            SourceBytes::Owned(bytes) => bytes,
            SourceBytes::Mapped(map, skip) => &map[*skip..],
        }
    }
}

impl From<Vec<u8>> for SourceBytes {
    fn from(bytes: Vec<u8>) -> SourceBytes {
        SourceBytes::Owned(bytes)
    }
}

/// True when the argument names standard input.
pub fn is_stdin(arg: &str) -> bool {
    arg == "-"
}

/// The display name of an input argument.
pub fn display_name(arg: &str) -> String {
    if is_stdin(arg) {
        "<stdin>".to_string()
    } else {
        arg.to_string()
    }
}

impl Source {
    /// Read a path, or standard input for `-`. Failing to read is an I/O error (exit 2).
    pub fn read(arg: &str) -> anyhow::Result<Source> {
        let mut bytes = Vec::new();
        if is_stdin(arg) {
            io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .context("cannot read <stdin>")?;
        } else {
            let mut file = File::open(arg).with_context(|| format!("cannot open {arg}"))?;
            if let Ok(meta) = file.metadata() {
                if meta.is_dir() {
                    anyhow::bail!("cannot read {arg}: is a directory");
                }
                if meta.is_file() && meta.len() >= MAP_AT {
                    if let Some(source) = Source::map(&file, arg) {
                        return Ok(source);
                    }
                }
                bytes.reserve(meta.len() as usize);
            }
            file.read_to_end(&mut bytes)
                .with_context(|| format!("cannot read {arg}"))?;
        }
        bytes.drain(..bom_len(&bytes));
        Ok(Source {
            name: display_name(arg),
            bytes: bytes.into(),
        })
    }

    /// Map a regular file; `None` when it cannot be mapped (then it is read instead).
    pub fn map(file: &File, arg: &str) -> Option<Source> {
        // SAFETY: the mapping is read-only, but its bytes are the file's: a file truncated while
        // xconn runs makes reading the lost pages a SIGBUS, and a file changed in place changes
        // the bytes under xconn. The second matters beyond a crash: text checked to be UTF-8 and
        // then viewed as `&str` (`utf8_in_pieces`) could stop being UTF-8 afterwards. Like
        // ripgrep, xconn assumes no other process writes a file it is reading (docs/format.md
        // says so); every pass over a mapping checks the bytes it views itself rather than trusting
        // an earlier pass (`convert/ndjson.rs`, `render::checked_root`).
        let map = unsafe { memmap2::Mmap::map(file) }.ok()?;
        let _ = map.advise(memmap2::Advice::Sequential);
        let skip = if map.starts_with(BOM) { BOM.len() } else { 0 };
        Some(Source {
            name: display_name(arg),
            bytes: SourceBytes::Mapped(map, skip),
        })
    }

    /// Give back the memory of the content before byte `offset` (of the BOM-less content) after
    /// a sequential pass has gone past it. The content stays readable: a mapped file reads those
    /// pages again from the page cache if they are touched later. Does nothing for content read
    /// into memory.
    pub fn release_before(&self, offset: usize) {
        if let SourceBytes::Mapped(map, skip) = &self.bytes {
            const PAGE: usize = 4096;
            let end = ((offset + skip) / PAGE) * PAGE;
            if end > 0 {
                // SAFETY: DONTNEED on a read-only shared file mapping only drops resident pages;
                // their content is the file's when read again.
                let _ = unsafe {
                    map.unchecked_advise_range(
                        memmap2::UncheckedAdvice::DontNeed,
                        0,
                        end.min(map.len()),
                    )
                };
            }
        }
    }

    /// A source from bytes already in memory (tests, HTTP bodies).
    pub fn from_bytes(name: impl Into<String>, mut bytes: Vec<u8>) -> Source {
        if bytes.starts_with(BOM) {
            bytes.drain(..BOM.len());
        }
        Source {
            name: name.into(),
            bytes: bytes.into(),
        }
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.bytes, offset)
    }

    /// Check the whole source as one JSON document and return its root value.
    pub fn parse_json(&self) -> Result<Value<'_>, JsonSyntaxError> {
        parse_json(&self.bytes)
    }

    /// The content as text when it is a JSON document's text (see [`json_text`]). The UTF-8
    /// check is a sequential pass: a mapped file gives its pages back as it goes
    /// ([`Source::release_before`]).
    pub fn json_text(&self) -> Result<&str, JsonSyntaxError> {
        json_text_with(&self.bytes, Some(&|offset| self.release_before(offset)))
    }

    /// Where the value at a JSON pointer starts, as 1-based line:column. `None` when the pointer
    /// does not lead anywhere in the text.
    pub fn locate(&self, pointer: &str) -> Option<(usize, usize)> {
        locate_pointer(&self.bytes, pointer).map(|offset| self.line_col(offset))
    }
}

/// Open an input for streaming (CSV, NDJSON): a buffered reader with the BOM skipped.
pub fn open_stream(arg: &str) -> anyhow::Result<Box<dyn BufRead>> {
    if is_stdin(arg) {
        let mut reader: Box<dyn BufRead> =
            Box::new(BufReader::with_capacity(256 * 1024, io::stdin()));
        skip_bom(&mut reader, &display_name(arg))?;
        Ok(reader)
    } else {
        open_path(std::path::Path::new(arg), arg)
    }
}

/// Open a file for streaming, naming it `name` in messages (a spooled standard input is a temp
/// file named `<stdin>`): a buffered reader with the BOM skipped.
pub fn open_path(path: &std::path::Path, name: &str) -> anyhow::Result<Box<dyn BufRead>> {
    let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        anyhow::bail!("cannot read {name}: is a directory");
    }
    let mut reader: Box<dyn BufRead> = Box::new(BufReader::with_capacity(256 * 1024, file));
    skip_bom(&mut reader, name)?;
    Ok(reader)
}

/// Skip a leading UTF-8 byte-order mark; a UTF-16 or UTF-32 file is a data error (exit 1) that
/// names the encoding, instead of a confusing "invalid UTF-8" later on.
pub fn skip_bom(reader: &mut Box<dyn BufRead>, name: &str) -> anyhow::Result<()> {
    let mut start = reader
        .fill_buf()
        .with_context(|| format!("cannot read {name}"))?;
    // A pipe may hand over fewer bytes than the encoding check needs: read on up to four.
    let mut peek: Vec<u8> = Vec::new();
    if start.len() < 4 && !start.is_empty() {
        peek.extend_from_slice(start);
        let n = start.len();
        reader.consume(n);
        while peek.len() < 4 {
            let more = reader
                .fill_buf()
                .with_context(|| format!("cannot read {name}"))?;
            if more.is_empty() {
                break;
            }
            let take = more.len().min(4 - peek.len());
            peek.extend_from_slice(&more[..take]);
            reader.consume(take);
        }
        start = &peek;
    }
    if let Some(encoding) = wide_encoding(start) {
        return Err(crate::error::data_error(format!(
            "{name}:1: {}",
            wide_encoding_message(encoding)
        )));
    }
    if peek.is_empty() {
        if start.starts_with(BOM) {
            reader.consume(BOM.len());
        }
        return Ok(());
    }
    // Put the peeked bytes back in front of the rest.
    let skip = if peek.starts_with(BOM) { BOM.len() } else { 0 };
    let rest = std::mem::replace(reader, Box::new(io::empty()));
    let mut front = io::Cursor::new(peek);
    front.set_position(skip as u64);
    *reader = Box::new(front.chain(rest));
    Ok(())
}

/// 1-based line and character column of a byte offset in `bytes` (clamped to the end).
///
/// The one line-ending rule every reader and message uses: LF, CRLF and a lone CR each end a
/// line, and CRLF counts once, as editors show it. An offset on the LF of a CRLF belongs to the
/// line the CR ends. Columns count characters (a UTF-8 continuation byte starts none).
pub fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    Lines::new(bytes).at(offset)
}

/// A sweep that turns byte offsets into line:column by [`line_col`]'s rule, for many offsets in
/// one pass: asked in increasing order, it reads each byte once (an earlier offset restarts it).
pub struct Lines<'b> {
    bytes: &'b [u8],
    /// How far the sweep has read.
    pos: usize,
    line: usize,
    line_start: usize,
}

impl<'b> Lines<'b> {
    pub fn new(bytes: &'b [u8]) -> Lines<'b> {
        Lines {
            bytes,
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// 1-based line and character column of `offset` (clamped to the end).
    pub fn at(&mut self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.bytes.len());
        if offset < self.pos {
            *self = Lines::new(self.bytes);
        }
        let bytes = self.bytes;
        let mut p = self.pos;
        while let Some(i) = memchr::memchr2(b'\n', b'\r', &bytes[p..offset]) {
            let at = p + i;
            // A CR followed by LF ends nothing by itself: the LF ends the line.
            if bytes[at] == b'\n' || bytes.get(at + 1) != Some(&b'\n') {
                self.line += 1;
                self.line_start = at + 1;
            }
            p = at + 1;
        }
        self.pos = offset;
        let col = 1 + bytes[self.line_start.min(offset)..offset]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        (self.line, col)
    }
}

/// A JSON syntax error with its position and, for common mistakes, a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonSyntaxError {
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub hint: Option<String>,
    /// What the text looks like when it is plainly another format (CSV, NDJSON), so a command
    /// can say what it was read as and what to run instead ([`looks_like`]).
    pub looks_like: Option<Looks>,
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

/// The UTF-16 or UTF-32 encoding `bytes` are in, told by a byte-order mark or, without one, by
/// the NUL bytes between ASCII characters that UTF-16 text starts with (`{\0"\0`). `None` for
/// anything else (UTF-8 or not, the readers say what is wrong with it).
pub fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
    let ascii = |b: u8| b != 0 && b.is_ascii();
    match bytes {
        [0xFF, 0xFE, 0, 0, ..] => Some("UTF-32LE"),
        [0, 0, 0xFE, 0xFF, ..] => Some("UTF-32BE"),
        [0xFF, 0xFE, ..] => Some("UTF-16LE"),
        [0xFE, 0xFF, ..] => Some("UTF-16BE"),
        [a, 0, b, 0, ..] if ascii(*a) && ascii(*b) => Some("UTF-16LE"),
        [0, a, 0, b, ..] if ascii(*a) && ascii(*b) => Some("UTF-16BE"),
        _ => None,
    }
}

/// The message for a file in a wide encoding: say which, and how to convert it.
pub fn wide_encoding_message(encoding: &str) -> String {
    format!(
        "the file is {encoding}, not UTF-8: convert it to UTF-8 first, e.g. `iconv -f {encoding} -t UTF-8 FILE`"
    )
}

/// The text of a JSON document: every failure that comes before parsing (a UTF-16/32 file,
/// invalid UTF-8, empty input) as a located error.
pub fn json_text(bytes: &[u8]) -> Result<&str, JsonSyntaxError> {
    json_text_with(bytes, None)
}

/// [`json_text`]; with `release`, the UTF-8 check goes through the bytes in pieces and calls it
/// with the offset checked so far after each one (see [`Source::release_before`]).
pub fn json_text_with<'a>(
    bytes: &'a [u8],
    release: Option<&dyn Fn(usize)>,
) -> Result<&'a str, JsonSyntaxError> {
    if let Some(encoding) = wide_encoding(bytes) {
        return Err(JsonSyntaxError {
            line: 1,
            col: 1,
            message: wide_encoding_message(encoding),
            hint: None,
            looks_like: None,
        });
    }
    let text = match utf8(bytes, release) {
        Ok(text) => text,
        Err(e) => {
            let (line, col) = line_col(bytes, e.valid_up_to());
            return Err(JsonSyntaxError {
                line,
                col,
                message: "invalid UTF-8".to_string(),
                hint: Some("save the file as UTF-8".to_string()),
                looks_like: None,
            });
        }
    };
    if text
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .is_empty()
    {
        let (line, col) = line_col(bytes, bytes.len());
        return Err(JsonSyntaxError {
            line,
            col,
            message: "empty input: expected a JSON document".to_string(),
            hint: None,
            looks_like: None,
        });
    }
    Ok(text)
}

/// `bytes` as text; with `release`, checked in pieces that are given back as the check passes.
fn utf8<'a>(
    bytes: &'a [u8],
    release: Option<&dyn Fn(usize)>,
) -> Result<&'a str, std::str::Utf8Error> {
    const PIECE: usize = 1 << 22;
    let Some(release) = release.filter(|_| bytes.len() > PIECE) else {
        return crate::text::utf8(bytes);
    };
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + PIECE).min(bytes.len());
        // The fast check (SIMD) first; std's on failure, for where and why.
        if simdutf8::basic::from_utf8(&bytes[start..end]).is_ok() {
            start = end;
            release(start);
            continue;
        }
        match std::str::from_utf8(&bytes[start..end]) {
            Ok(_) => start = end,
            // A character cut by the piece's end: the next piece starts with it. (A piece holds
            // far more than one character, so this always moves on.)
            Err(e) if e.error_len().is_none() && end < bytes.len() && e.valid_up_to() > 0 => {
                start += e.valid_up_to()
            }
            // Not UTF-8: the error as the whole text's (only bad input pays a second look).
            Err(_) => return std::str::from_utf8(bytes),
        }
        release(start);
    }
    // SAFETY: every byte was checked above, in consecutive pieces that each end on a character
    // boundary, and valid UTF-8 pieces joined at character boundaries are valid UTF-8.
    Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// Check `bytes` as one JSON document (syntax and duplicate keys) and return its root value;
/// every failure (encoding, invalid UTF-8, empty input, syntax) is a located, hinted error.
pub fn parse_json(bytes: &[u8]) -> Result<Value<'_>, JsonSyntaxError> {
    let text = json_text(bytes)?;
    json::parse(text).map_err(|e| syntax_error(bytes, &e))
}

/// Turn a parse error into a located error with a hint for the usual culprits.
pub fn syntax_error(bytes: &[u8], err: &json::ParseError) -> JsonSyntaxError {
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
pub enum Looks {
    /// Delimited rows with this delimiter (`,` `;` tab `|`).
    Csv(u8),
    /// A JSON value, then another on the next line.
    Ndjson,
}

impl Looks {
    /// `CSV`, `CSV separated by `;``, `NDJSON (one JSON value per line)`.
    pub fn name(self) -> String {
        match self {
            Looks::Csv(b',') => "CSV".to_string(),
            Looks::Csv(b'\t') => "tab-separated CSV".to_string(),
            Looks::Csv(d) => format!("CSV separated by `{}`", d as char),
            Looks::Ndjson => "NDJSON (one JSON value per line)".to_string(),
        }
    }

    /// The command that turns the file `name` into a body: `xconn convert --from csv data.csv`.
    pub fn convert_command(self, name: &str) -> String {
        let file = shell_word(if name == "<stdin>" { "-" } else { name });
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

/// A file name as one word for a POSIX shell: as it is when it holds only safe characters, else
/// in single quotes.
fn shell_word(name: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./+,:@%".contains(c);
    if !name.is_empty() && name.chars().all(safe) {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "'\\''"))
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
pub fn looks_like(bytes: &[u8], err: &json::ParseError) -> Option<Looks> {
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let offset = err.offset.min(bytes.len());
    if err.kind == ErrorKind::TrailingCharacters && matches!(bytes[first], b'{' | b'[') {
        let end = bytes[..offset]
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |p| p + 1);
        if bytes[end..offset].iter().any(|&b| b == b'\n' || b == b'\r') {
            return Some(Looks::Ndjson);
        }
    }
    if bytes[first] == b'{'
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
    let lines: Vec<&[u8]> = records(&bytes[first..bytes.len().min(first + (64 << 10))])
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .take(6)
        .collect();
    // The last line of a sample cut short may be incomplete: leave it out when there are others.
    let sample = if lines.len() > 5 {
        &lines[..5]
    } else {
        &lines[..]
    };
    [b',', b';', b'\t', b'|'].into_iter().find_map(|d| {
        let count = delimiters(sample[0], d);
        (count > 0 && sample.iter().all(|line| delimiters(line, d) == count))
            .then_some(Looks::Csv(d))
    })
}

/// The CSV records of `bytes`: split at line breaks outside double quotes, so a quoted field
/// that spans lines stays in its record.
fn records(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut quoted = false;
    bytes.split(move |&b| {
        if b == b'"' {
            quoted = !quoted;
        }
        !quoted && (b == b'\n' || b == b'\r')
    })
}

/// How many `delimiter`s a record holds outside double quotes.
fn delimiters(line: &[u8], delimiter: u8) -> usize {
    let mut quoted = false;
    let mut count = 0;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            count += 1;
        }
    }
    count
}

fn starts_with_any(bytes: &[u8], prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| bytes.starts_with(p.as_bytes()))
}

/// Escape one token for use in a JSON pointer.
pub fn pointer_escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Byte offset where the value at `pointer` starts in checked JSON text `bytes` (see
/// [`json::value::locate_pointer`]); `None` when the pointer leads nowhere or the bytes are not
/// text. Run only when there is something to report.
pub fn locate_pointer(bytes: &[u8], pointer: &str) -> Option<usize> {
    json::value::locate_pointer(crate::text::utf8(bytes).ok()?, pointer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_values_by_pointer() {
        let text = b"{\n  \"a\": [1, [2, 3]],\n  \"b\": {\"c\\/d\": \"x\"}\n}";
        assert_eq!(
            line_col(text, locate_pointer(text, "/a/1/1").unwrap()),
            (2, 16)
        );
        assert_eq!(
            line_col(text, locate_pointer(text, "/b/c~1d").unwrap()),
            (3, 17)
        );
        assert_eq!(locate_pointer(text, ""), Some(0));
        assert_eq!(locate_pointer(text, "/a/5"), None);
        assert_eq!(locate_pointer(text, "/zz"), None);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "{\"é\": [\"ü\", 1]}".as_bytes();
        assert_eq!(
            line_col(text, locate_pointer(text, "/é/1").unwrap()),
            (1, 13)
        );
    }

    #[test]
    fn lf_crlf_and_cr_each_end_a_line() {
        let text = b"a\nb\r\nc\rd\r\r\ne";
        let at = |c: u8| line_col(text, text.iter().position(|&b| b == c).unwrap());
        assert_eq!(
            [at(b'a'), at(b'b'), at(b'c'), at(b'd'), at(b'e')],
            [(1, 1), (2, 1), (3, 1), (4, 1), (6, 1)]
        );
        // The LF of a CRLF is on the line the CR ends.
        assert_eq!(line_col(text, 4), (2, 3));
        // One sweep gives the same answers as one call per offset, in any order.
        let mut lines = Lines::new(text);
        for offset in (0..=text.len()).chain((0..=text.len()).rev()) {
            assert_eq!(lines.at(offset), line_col(text, offset), "{offset}");
        }
    }

    #[test]
    fn trailing_comma_points_at_the_comma() {
        let text = b"[\n  1,\n  2,\n]";
        let err = parse_json(text).unwrap_err();
        assert_eq!((err.line, err.col), (3, 4));
        assert_eq!(err.message, "trailing comma");
        assert!(err.hint.unwrap().contains("comma"));
    }
}
