//! CSV cell typing (inference and explicit `--type` columns) and the hand-written JSON string
//! escaping the CSV fast path writes with. Everything here works on borrowed text: typing a cell
//! allocates nothing unless a number spelling is rewritten to JSON ([`number`], the one table of
//! number spellings), and a typed cell is written as JSON text directly.

use std::borrow::Cow;

/// The type a CSV column's cells get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// Numbers (JSON number text, and `.5` written `0.5`: see [`number`]), `true`/`false`,
    /// empty → null, the rest strings.
    Infer,
    /// Every cell a string, empty cells `""`.
    String,
    /// A number in any spelling [`number`] accepts loosely; empty → null.
    Number,
    /// A number [`number`] accepts loosely, written as a whole number; empty → null.
    Integer,
    /// `true` / `false` in any letter case; empty → null.
    Boolean,
}

impl ColType {
    /// Parse the TYPE of `--type COL=TYPE`.
    pub fn parse(name: &str) -> Option<ColType> {
        match name {
            "string" => Some(ColType::String),
            "number" => Some(ColType::Number),
            "integer" => Some(ColType::Integer),
            "boolean" => Some(ColType::Boolean),
            _ => None,
        }
    }

    /// What a cell must look like, for error messages.
    pub fn expected(self) -> &'static str {
        match self {
            ColType::Infer | ColType::String => "a string",
            ColType::Number => "a number",
            ColType::Integer => "an integer",
            ColType::Boolean => "true or false",
        }
    }
}

/// A typed cell, still borrowing the CSV text where it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed<'a> {
    Null,
    Bool(bool),
    /// JSON number text, written exactly as is.
    Number(Cow<'a, str>),
    String(&'a str),
}

impl Typed<'_> {
    /// Append the cell's JSON text to `buf`.
    #[inline]
    pub fn write_json(&self, buf: &mut Vec<u8>) {
        match self {
            Typed::Null => buf.extend_from_slice(b"null"),
            Typed::Bool(true) => buf.extend_from_slice(b"true"),
            Typed::Bool(false) => buf.extend_from_slice(b"false"),
            Typed::Number(text) => buf.extend_from_slice(text.as_bytes()),
            Typed::String(s) => write_json_string(buf, s),
        }
    }
}

/// Type one cell. `None` when the text does not fit an explicit type.
#[inline]
pub fn type_cell(text: &str, ty: ColType) -> Option<Typed<'_>> {
    match ty {
        ColType::Infer => Some(infer(text)),
        ColType::String => Some(Typed::String(text)),
        ColType::Number | ColType::Integer if text.bytes().all(|b| b.is_ascii_whitespace()) => {
            Some(Typed::Null)
        }
        ColType::Number => number(text, true).map(Typed::Number),
        ColType::Integer => number(text, true)
            .filter(|n| is_json_integer(n.as_bytes()))
            .map(Typed::Number),
        ColType::Boolean => {
            let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace());
            if trimmed.is_empty() {
                Some(Typed::Null)
            } else if trimmed.eq_ignore_ascii_case("true") {
                Some(Typed::Bool(true))
            } else if trimmed.eq_ignore_ascii_case("false") {
                Some(Typed::Bool(false))
            } else {
                None
            }
        }
    }
}

/// The inferred type of a cell: exact inverse of how a value is written back to CSV, so
/// body → CSV → body gives the same values (see [`number`] for the one spelling rewritten).
#[inline]
pub fn infer(text: &str) -> Typed<'_> {
    let bytes = text.as_bytes();
    match bytes.first() {
        None => Typed::Null,
        Some(b'-' | b'.' | b'0'..=b'9') => match number(text, false) {
            Some(n) => Typed::Number(n),
            None => Typed::String(text),
        },
        Some(b't') if text == "true" => Typed::Bool(true),
        Some(b'f') if text == "false" => Typed::Bool(false),
        _ => Typed::String(text),
    }
}

/// What [`write_inferred`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inferred {
    /// A number (its JSON text is what was appended).
    Number,
    /// `null`, a boolean or a string.
    Other,
    /// Nothing usable: the bytes are not valid UTF-8 (the buffer may be partly written).
    BadUtf8,
}

/// Append the JSON of a cell of an inferred column given as raw bytes: the same as
/// `infer(text).write_json(buf)`, checking UTF-8 on the way (numbers, booleans and null are
/// ASCII by their grammar).
#[inline]
pub fn write_inferred(buf: &mut Vec<u8>, bytes: &[u8]) -> Inferred {
    match bytes.first() {
        None => buf.extend_from_slice(b"null"),
        Some(b'-' | b'0'..=b'9') if is_json_number(bytes) => {
            buf.extend_from_slice(bytes);
            return Inferred::Number;
        }
        Some(b'-' | b'.') => {
            if let Some(n) = std::str::from_utf8(bytes)
                .ok()
                .and_then(|t| number(t, false))
            {
                buf.extend_from_slice(n.as_bytes());
                return Inferred::Number;
            }
            if !write_json_bytes(buf, bytes) {
                return Inferred::BadUtf8;
            }
        }
        Some(b't' | b'f') if bytes == b"true" || bytes == b"false" => buf.extend_from_slice(bytes),
        _ => {
            if !write_json_bytes(buf, bytes) {
                return Inferred::BadUtf8;
            }
        }
    }
    Inferred::Other
}

/// **The one table of number spellings** (docs/format.md, "Number spellings"): the JSON number
/// text a CSV cell stands for, or `None` when it is not a number. Inference (`loose` false) and
/// `--type number`/`integer` (`loose` true) both ask here, so they cannot disagree: every
/// spelling inference reads as a number, `--type` reads as the same number; every spelling
/// `--type` refuses, inference keeps a string.
///
/// - JSON number text (`7`, `-0`, `1.10`, `1E+05`, `1e400`) is kept exactly, both ways.
/// - A missing integer part (`.5`, `-.516667`, `.5e3`) gets a `0` (`0.5`), both ways: spreadsheet
///   and C exports write coordinates so.
/// - `loose` only: surrounding ASCII spaces are trimmed (` 2 `), a leading `+` is dropped
///   (`+5` → `5`), leading zeros are dropped (`007` → `7`, `00.50` → `0.50`) and a missing
///   fraction gets a `0` (`5.` → `5.0`). Inference keeps these strings: phone numbers, ZIP codes
///   and list labels (`1.`) are text more often than not.
/// - Never a number: `NaN`, `Infinity`, `inf`, hexadecimal (`0x10`), digit group separators
///   (`1_000`, `1,000`, `1 000`), decimal commas (`2,5`), non-ASCII digits, a lone sign or point.
pub fn number(text: &str, loose: bool) -> Option<Cow<'_, str>> {
    if is_json_number(text.as_bytes()) {
        return Some(Cow::Borrowed(text));
    }
    let text = if loose {
        text.trim_matches(|c: char| c.is_ascii_whitespace())
    } else {
        text
    };
    let (minus, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') if loose => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = rest.split_at(rest.find(['e', 'E']).unwrap_or(rest.len()));
    let (int, frac) = match mantissa.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let frac_digits = frac.unwrap_or_default();
    if !digits(int) || !digits(frac_digits) || (int.is_empty() && frac_digits.is_empty()) {
        return None;
    }
    if let Some(e) = exponent.get(1..) {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !digits(e) {
            return None;
        }
    }
    // Inference fills in a missing integer part and nothing else (the text is not JSON as it is).
    if !loose && (!int.is_empty() || frac_digits.is_empty()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let mut json = String::with_capacity(text.len() + 2);
    if minus {
        json.push('-');
    }
    json.push_str(if int.is_empty() { "0" } else { int });
    if frac.is_some() {
        json.push('.');
        json.push_str(if frac_digits.is_empty() {
            "0"
        } else {
            frac_digits
        });
    }
    json.push_str(exponent);
    Some(Cow::Owned(json))
}

/// Why `--type number` refuses `text`, for the spellings people mean as numbers (the table in
/// docs/format.md); `None` for plain text.
pub fn why_not_a_number(text: &str) -> Option<&'static str> {
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let bare = t.trim_start_matches(['-', '+']);
    if ["nan", "inf", "infinity"]
        .iter()
        .any(|w| bare.eq_ignore_ascii_case(w))
    {
        Some("NaN and infinities have no JSON number: --type COL=string keeps them as text")
    } else if bare.len() > 2 && bare[..2].eq_ignore_ascii_case("0x") {
        Some("hexadecimal is not read as a number")
    } else if t.contains([',', '_', ' '])
        && t.bytes().any(|b| b.is_ascii_digit())
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b",._ -+eE".contains(&b))
    {
        Some("JSON numbers have no digit group separators and no decimal comma: a `;`-separated file with decimal commas needs them replaced by `.` first")
    } else {
        None
    }
}

/// `-?(0|[1-9][0-9]*)`
pub fn is_json_integer(bytes: &[u8]) -> bool {
    let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
    match digits {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// Whether the whole of `bytes` is one JSON number (the grammar lives in [`crate::json::scan_number`]).
pub fn is_json_number(bytes: &[u8]) -> bool {
    crate::json::scan_number(bytes, 0) == Ok(bytes.len())
}

/// Byte classes for the string writer: 0 copies as is, 1 needs an escape (controls, `"` and
/// `\`), 2 is part of a multi-byte character.
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = if i < 0x20 || i == b'"' as usize || i == b'\\' as usize {
            1
        } else if i >= 0x80 {
            2
        } else {
            0
        };
        i += 1;
    }
    table
};

/// Whether none of the eight bytes in `word` needs attention from the string writer (each is
/// ASCII, at least 0x20, and neither `"` nor `\`). Exact for the word as a whole.
#[inline]
fn plain8(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let q = word ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let b = word ^ (ONES * u64::from(b'\\'));
    let backslash = b.wrapping_sub(ONES) & !b;
    (below_space | quote | backslash | word) & HIGH == 0
}

/// The length of the well-formed UTF-8 character `bytes` starts with (its first byte is not
/// ASCII), by the table of well-formed byte sequences in the Unicode standard (no overlong forms,
/// no surrogates, nothing past U+10FFFF). `None` when it is not one.
#[inline]
fn char_len(bytes: &[u8]) -> Option<usize> {
    let cont = |k: usize| bytes.get(k).is_some_and(|&b| (0x80..=0xbf).contains(&b));
    let second = |lo: u8, hi: u8| bytes.get(1).is_some_and(|&b| (lo..=hi).contains(&b));
    let ok = match bytes.first()? {
        0xc2..=0xdf => return cont(1).then_some(2),
        0xe0 => second(0xa0, 0xbf) && cont(2),
        0xe1..=0xec | 0xee..=0xef => cont(1) && cont(2),
        0xed => second(0x80, 0x9f) && cont(2),
        0xf0 => return (second(0x90, 0xbf) && cont(2) && cont(3)).then_some(4),
        0xf1..=0xf3 => return (cont(1) && cont(2) && cont(3)).then_some(4),
        0xf4 => return (second(0x80, 0x8f) && cont(2) && cont(3)).then_some(4),
        _ => false,
    };
    ok.then_some(3)
}

/// Append `s` as a JSON string literal, escaped the way serde_json escapes.
#[inline]
pub fn write_json_string(buf: &mut Vec<u8>, s: &str) {
    write_json_bytes(buf, s.as_bytes());
}

/// Append `bytes` as a JSON string literal, escaped the way serde_json escapes, checking UTF-8
/// on the way, a character at a time: `false` (with `buf` partly written) when the bytes are not
/// valid UTF-8.
pub fn write_json_bytes(buf: &mut Vec<u8>, bytes: &[u8]) -> bool {
    buf.reserve(bytes.len() + 2);
    buf.push(b'"');
    let n = bytes.len();
    let mut start = 0;
    let mut i = 0;
    while i < n {
        // Eight plain ASCII bytes at a time.
        if let Some(word) = bytes
            .get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        {
            if plain8(u64::from_le_bytes(word)) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        match CLASS[b as usize] {
            0 => i += 1,
            2 => match char_len(&bytes[i..]) {
                Some(len) => i += len,
                None => return false,
            },
            _ => {
                buf.extend_from_slice(&bytes[start..i]);
                if let Some((escaped, len)) = crate::json::write::escape(b) {
                    buf.extend_from_slice(&escaped[..len]);
                }
                i += 1;
                start = i;
            }
        }
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_number_grammar() {
        for ok in [
            "0",
            "-0",
            "7",
            "1.10",
            "1e3",
            "1E+3",
            "-2.5e-7",
            "12345678901234567890",
        ] {
            assert!(is_json_number(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "", "-", "007", ".5", "1.", "+1", "NaN", "inf", "0x1F", "1_000", "1e", "1.5.", " 1",
        ] {
            assert!(!is_json_number(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn escaping_matches_serde_json() {
        let text = "a\"b\\c\nd\re\tf\u{8}\u{c}\u{1}\u{1f}é😀";
        let mut buf = Vec::new();
        write_json_string(&mut buf, text);
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            serde_json::to_string(text).unwrap()
        );
    }

    #[test]
    fn eight_byte_scan_finds_every_special_byte() {
        for special in [0u8, 0x1f, b'"', b'\\', 0x80, 0xff] {
            for at in 0..8 {
                let mut word = *b"abcdefgh";
                word[at] = special;
                assert!(!plain8(u64::from_le_bytes(word)), "{special:#x} at {at}");
            }
        }
        assert!(plain8(u64::from_le_bytes(*b" ~!#[]{}")));
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
            assert!(!write_json_bytes(&mut Vec::new(), bad), "{bad:?}");
        }
        assert!(write_json_bytes(&mut Vec::new(), "é東京😀\"x".as_bytes()));
    }

    #[test]
    fn character_check_agrees_with_std() {
        let mut bytes = [0u8; 4];
        for b0 in 0x80..=0xffu8 {
            for b1 in 0..=0xffu8 {
                for tail in [
                    [0x80u8, 0x80],
                    [0xbf, 0xbf],
                    [0x80, 0x41],
                    [0x41, 0x80],
                    [0xc0, 0x80],
                ] {
                    bytes[0] = b0;
                    bytes[1] = b1;
                    bytes[2..].copy_from_slice(&tail);
                    // The first character of the longest valid prefix, as std sees it.
                    let valid = match std::str::from_utf8(&bytes) {
                        Ok(text) => text,
                        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap(),
                    };
                    let first = valid.chars().next().map(char::len_utf8);
                    assert_eq!(char_len(&bytes), first, "{bytes:x?}");
                }
            }
        }
    }

    /// Every string of up to four characters over the alphabet number spellings are made of:
    /// inference and `--type` agree, every answer is JSON number text that reads back as
    /// itself (so CSV → body → CSV is stable), and `--type integer` is `--type number` narrowed.
    #[test]
    fn inference_and_explicit_types_agree_on_every_short_spelling() {
        let alphabet = ['0', '7', '.', '-', '+', 'e', 'E', ' ', 'x', ','];
        let mut texts = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(last.iter().cloned());
        }
        for text in &texts {
            let strict = number(text, false);
            let loose = number(text, true);
            if let Some(n) = &strict {
                assert_eq!(loose.as_deref(), Some(&**n), "{text:?}");
                assert_eq!(infer(text), Typed::Number(n.clone()), "{text:?}");
            }
            if loose.is_none() && !text.trim().is_empty() {
                assert!(matches!(infer(text), Typed::String(_)), "{text:?}");
                assert_eq!(type_cell(text, ColType::Number), None, "{text:?}");
            }
            for n in strict.iter().chain(loose.iter()) {
                assert!(is_json_number(n.as_bytes()), "{text:?} → {n}");
                assert_eq!(number(n, false).as_deref(), Some(&**n), "{text:?} → {n}");
            }
            let integer = type_cell(text, ColType::Integer);
            match (&loose, integer) {
                (Some(n), Some(Typed::Number(i))) => assert_eq!(n, &i, "{text:?}"),
                (Some(n), None) => assert!(!is_json_integer(n.as_bytes()), "{text:?}"),
                (None, Some(Typed::Null)) => assert!(text.trim().is_empty(), "{text:?}"),
                (None, None) => {}
                (n, i) => panic!("{text:?}: number {n:?}, integer {i:?}"),
            }
            let mut written = Vec::new();
            let wrote = write_inferred(&mut written, text.as_bytes());
            let mut expected = Vec::new();
            infer(text).write_json(&mut expected);
            assert_eq!(written, expected, "{text:?}");
            assert_eq!(wrote == Inferred::Number, strict.is_some(), "{text:?}");
        }
    }

    #[test]
    fn explicit_integers_drop_leading_zeros() {
        assert_eq!(
            type_cell("007", ColType::Integer),
            Some(Typed::Number("7".into()))
        );
        assert_eq!(
            type_cell("-000", ColType::Integer),
            Some(Typed::Number("-0".into()))
        );
        assert_eq!(type_cell("1.5", ColType::Integer), None);
        assert_eq!(
            type_cell("00.50", ColType::Number),
            Some(Typed::Number("0.50".into()))
        );
    }
}
