//! Where input bytes come from: a path or `-` for standard input, read or mapped (a mapped file
//! gives its pages back after a sequential pass), the byte-order mark and wide-encoding rules, and
//! the UTF-8 check that turns bytes into the text of a JSON document.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use anyhow::Context;

use super::hints::JsonSyntaxError;
use super::location::line_col;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a leading UTF-8 byte-order mark: the one BOM rule, for files
/// ([`Source::from_bytes`]) and for bodies that arrive over HTTP alike (RFC 8259 lets a reader
/// ignore it), so every command gives a body with a BOM the same verdict.
pub(crate) fn without_bom(bytes: &[u8]) -> &[u8] {
    &bytes[bom_len(bytes)..]
}

/// The length of the byte-order mark `bytes` start with (0 when none): what to drop from an
/// owned body (`body.drain(..bom_len(&body))`).
pub(crate) fn bom_len(bytes: &[u8]) -> usize {
    if bytes.starts_with(BOM) {
        BOM.len()
    } else {
        0
    }
}

/// A whole input, in memory or mapped.
pub struct Source {
    /// The path as given, or `<stdin>`.
    pub(crate) name: String,
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
pub(crate) fn is_stdin(arg: &str) -> bool {
    arg == "-"
}

/// The display name of an input argument.
pub(crate) fn display_name(arg: &str) -> String {
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
    pub(crate) fn map(file: &File, arg: &str) -> Option<Source> {
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
    pub(crate) fn release_before(&self, offset: usize) {
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

    /// The content as text when it is a JSON document's text (see [`json_text`]). The UTF-8
    /// check is a sequential pass: a mapped file gives its pages back as it goes
    /// ([`Source::release_before`]).
    pub(crate) fn json_text(&self) -> Result<&str, JsonSyntaxError> {
        json_text_with(&self.bytes, Some(&|offset| self.release_before(offset)))
    }
}

/// Open an input for streaming (CSV, NDJSON): a buffered reader with the BOM skipped.
pub(crate) fn open_stream(arg: &str) -> anyhow::Result<Box<dyn BufRead>> {
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
pub(crate) fn open_path(path: &std::path::Path, name: &str) -> anyhow::Result<Box<dyn BufRead>> {
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
pub(crate) fn skip_bom(reader: &mut Box<dyn BufRead>, name: &str) -> anyhow::Result<()> {
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

/// The UTF-16 or UTF-32 encoding `bytes` are in, told by a byte-order mark or, without one, by
/// the NUL bytes between ASCII characters that UTF-16 text starts with (`{\0"\0`). `None` for
/// anything else (UTF-8 or not, the readers say what is wrong with it).
pub(crate) fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
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
pub(crate) fn wide_encoding_message(encoding: &str) -> String {
    format!(
        "the file is {encoding}, not UTF-8: convert it to UTF-8 first, e.g. `iconv -f {encoding} -t UTF-8 FILE`"
    )
}

/// The text of a JSON document: every failure that comes before parsing (a UTF-16/32 file,
/// invalid UTF-8, empty input) as a located error.
pub(crate) fn json_text(bytes: &[u8]) -> Result<&str, JsonSyntaxError> {
    json_text_with(bytes, None)
}

/// [`json_text`]; with `release`, the UTF-8 check goes through the bytes in pieces and calls it
/// with the offset checked so far after each one (see [`Source::release_before`]).
pub(crate) fn json_text_with<'a>(
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
