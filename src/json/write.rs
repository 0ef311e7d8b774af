//! Writing values back as JSON text, in one canonical way: numbers and literals exactly as
//! written, strings copied when they hold no escape and otherwise re-escaped (only `"`, `\` and
//! control characters are escaped, `\n`-style where JSON has a short form, else `\u00XX`).
//! Three styles: compact, spaced (`[1, "a"]`, `{"k": 1}`) and pretty (two-space indent).

use std::io::{self, Write};

use super::swar::plain_run_end;
use super::value::{unescape, Value, ValueKind};

/// How a value is spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// No spaces: `[1,"a"]`.
    Compact,
    /// One line, a space after `,` and `:`: `[1, "a"]`.
    Spaced,
    /// Indented by two spaces per level; the number is the starting level.
    Pretty(usize),
}

/// How JSON writes byte `b` inside a string when it must be escaped (`"`, `\\`, a control
/// character: the short form where JSON has one, else `\u00XX`); `None` when `b` is written as
/// it is. The one escaping rule.
#[inline]
pub(crate) fn escape(b: u8) -> Option<([u8; 6], usize)> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = |c: u8| Some(([b'\\', c, 0, 0, 0, 0], 2));
    match b {
        b'"' => short(b'"'),
        b'\\' => short(b'\\'),
        b'\n' => short(b'n'),
        b'\r' => short(b'r'),
        b'\t' => short(b't'),
        0x08 => short(b'b'),
        0x0c => short(b'f'),
        0..=0x1f => Some((
            [
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ],
            6,
        )),
        _ => None,
    }
}

/// Write `s` as a JSON string literal: runs of plain bytes copied (found eight bytes at a time by
/// [`plain_run_end`], the lexer's SWAR scan), `"`, `\\` and control characters escaped by [`escape`].
/// The one string writer: every JSON string xconn writes goes through it.
#[inline]
pub(crate) fn write_str<W: Write + ?Sized>(w: &mut W, s: &str) -> io::Result<()> {
    write_escaped(w, s.as_bytes())
}

/// Append `s` as a JSON string literal ([`write_str`] into memory).
#[inline]
pub(crate) fn push_str(buf: &mut Vec<u8>, s: &str) {
    buf.reserve(s.len() + 2);
    write_escaped(buf, s.as_bytes()).expect("writing to memory");
}

/// Append `bytes` as a JSON string literal when they are UTF-8 ([`crate::text::utf8`]); `false`,
/// with nothing written, when they are not.
#[inline]
pub(crate) fn push_str_bytes(buf: &mut Vec<u8>, bytes: &[u8]) -> bool {
    match crate::text::utf8(bytes) {
        Ok(s) => {
            push_str(buf, s);
            true
        }
        Err(_) => false,
    }
}

#[inline]
fn write_escaped<W: Write + ?Sized>(w: &mut W, bytes: &[u8]) -> io::Result<()> {
    w.write_all(b"\"")?;
    let mut start = 0;
    loop {
        let end = plain_run_end(bytes, start);
        w.write_all(&bytes[start..end])?;
        let Some(&b) = bytes.get(end) else { break };
        if let Some((escaped, len)) = escape(b) {
            w.write_all(&escaped[..len])?;
        }
        start = end + 1;
    }
    w.write_all(b"\"")
}

/// Write a string given as checked raw JSON text (quotes included) in the canonical form: copied
/// when its escapes (if any) are already the canonical short forms, else unescaped and escaped
/// again.
#[inline]
pub(crate) fn write_raw_str<W: Write + ?Sized>(w: &mut W, raw: &str) -> io::Result<()> {
    if is_canonical(raw.as_bytes()) {
        w.write_all(raw.as_bytes())
    } else {
        write_str(w, &unescape(raw))
    }
}

/// Whether every escape in the raw string is one [`escape`] writes in short form (`\"` `\\`
/// `\n` `\r` `\t` `\b` `\f`): then the text is already canonical.
#[inline]
fn is_canonical(bytes: &[u8]) -> bool {
    let Some(mut i) = memchr::memchr(b'\\', bytes) else {
        return true;
    };
    loop {
        if !matches!(
            bytes.get(i + 1),
            Some(b'"' | b'\\' | b'n' | b'r' | b't' | b'b' | b'f')
        ) {
            return false;
        }
        match memchr::memchr(b'\\', &bytes[i + 2..]) {
            Some(next) => i += 2 + next,
            None => return true,
        }
    }
}

/// Write `value` in `style`.
pub fn write_value<W: Write + ?Sized>(w: &mut W, value: &Value, style: Style) -> io::Result<()> {
    match value.kind() {
        ValueKind::String => write_raw_str(w, value.raw()),
        ValueKind::Array => write_array(w, style, value.items(), |w, item, inner| {
            write_value(w, &item, inner)
        }),
        ValueKind::Object => write_object(
            w,
            style,
            value.members(),
            |w, key| write_raw_str(w, key.raw()),
            |w, item, inner| write_value(w, &item, inner),
        ),
        _ => w.write_all(value.raw().as_bytes()),
    }
}

/// Write a JSON array of `items` in `style`: `each` writes one item, in the style of the level
/// below. The one layout of arrays, for values read and for rows being built (`convert`).
#[inline]
pub(crate) fn write_array<W: Write + ?Sized, T>(
    w: &mut W,
    style: Style,
    items: impl IntoIterator<Item = T>,
    each: impl FnMut(&mut W, T, Style) -> io::Result<()>,
) -> io::Result<()> {
    write_container(w, style, *b"[]", items, each)
}

/// Write a JSON object of `members` in `style`: `key` writes a member's key, `each` its value in
/// the style of the level below. The one layout of objects, for values read and for records
/// written as objects (`convert --to json`).
#[inline]
pub(crate) fn write_object<W: Write + ?Sized, K, T>(
    w: &mut W,
    style: Style,
    members: impl IntoIterator<Item = (K, T)>,
    mut key: impl FnMut(&mut W, K) -> io::Result<()>,
    mut each: impl FnMut(&mut W, T, Style) -> io::Result<()>,
) -> io::Result<()> {
    write_container(w, style, *b"{}", members, |w, (name, item), inner| {
        key(w, name)?;
        w.write_all(if inner == Style::Compact { b":" } else { b": " })?;
        each(w, item, inner)
    })
}

#[inline]
fn write_container<W: Write + ?Sized, T>(
    w: &mut W,
    style: Style,
    [open, end]: [u8; 2],
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut W, T, Style) -> io::Result<()>,
) -> io::Result<()> {
    let mut first = true;
    for item in items {
        if first {
            w.write_all(&[open])?;
        }
        separator(w, style, first)?;
        first = false;
        each(w, item, deeper(style))?;
    }
    if first {
        return w.write_all(&[open, end]);
    }
    close(w, style, &[end])
}

/// A value's canonical compact text.
pub fn to_compact_string(value: &Value) -> String {
    let mut out = Vec::with_capacity(value.raw().len());
    write_value(&mut out, value, Style::Compact).expect("writing to memory");
    String::from_utf8(out).unwrap_or_default()
}

#[inline]
fn deeper(style: Style) -> Style {
    match style {
        Style::Pretty(level) => Style::Pretty(level + 1),
        other => other,
    }
}

#[inline]
fn separator<W: Write + ?Sized>(w: &mut W, style: Style, first: bool) -> io::Result<()> {
    match (style, first) {
        (Style::Compact, true) | (Style::Spaced, true) => Ok(()),
        (Style::Compact, false) => w.write_all(b","),
        (Style::Spaced, false) => w.write_all(b", "),
        (Style::Pretty(level), first) => {
            w.write_all(if first { b"\n" } else { b",\n" })?;
            indent(w, level + 1)
        }
    }
}

#[inline]
fn close<W: Write + ?Sized>(w: &mut W, style: Style, bracket: &[u8]) -> io::Result<()> {
    if let Style::Pretty(level) = style {
        w.write_all(b"\n")?;
        indent(w, level)?;
    }
    w.write_all(bracket)
}

/// Two spaces per level.
pub(crate) fn indent<W: Write + ?Sized>(w: &mut W, level: usize) -> io::Result<()> {
    for _ in 0..level {
        w.write_all(b"  ")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn written(text: &str, style: Style) -> String {
        let mut out = Vec::new();
        write_value(&mut out, &parse(text).unwrap(), style).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn styles_match_serde_json_formatters() {
        let text = r#"{"a":[1,"x\u00e9\/",{"b":[]},{}],"c\n":null,"d":[[true]]}"#;
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            written(text, Style::Compact),
            serde_json::to_string(&value).unwrap()
        );
        assert_eq!(
            written(text, Style::Pretty(0)),
            serde_json::to_string_pretty(&value).unwrap()
        );
        assert_eq!(
            written(text, Style::Spaced),
            r#"{"a": [1, "xé/", {"b": []}, {}], "c\n": null, "d": [[true]]}"#
        );
    }

    #[test]
    fn numbers_are_written_as_they_were_read() {
        let text = "[1.10,1e3,1E-3,-0,12345678901234567890,1e400]";
        assert_eq!(written(text, Style::Compact), text);
    }

    #[test]
    fn escaping_matches_serde_json() {
        let text = "a\"b\\c\nd\re\tf\u{8}\u{c}\u{1}\u{1f}é😀";
        let mut buf = Vec::new();
        push_str(&mut buf, text);
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            serde_json::to_string(text).unwrap()
        );
    }

    #[test]
    fn string_writer_rejects_invalid_utf8() {
        for bad in [
            &b"\xc3"[..],
            b"a\xc3,",
            b"\xa9x",
            b"\xed\xa0\x80",
            b"ok\xff",
        ] {
            assert!(!push_str_bytes(&mut Vec::new(), bad), "{bad:?}");
        }
        assert!(push_str_bytes(&mut Vec::new(), "é東京😀\"x".as_bytes()));
    }

    #[test]
    fn control_characters_are_escaped_like_serde_json() {
        let s = "a\u{1}\u{8}\u{c}\u{1f}\u{7f}\"\\";
        let mut out = Vec::new();
        write_str(&mut out, s).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string(s).unwrap()
        );
    }
}
