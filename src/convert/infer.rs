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
    pub(crate) fn parse(name: &str) -> Option<ColType> {
        match name {
            "string" => Some(ColType::String),
            "number" => Some(ColType::Number),
            "integer" => Some(ColType::Integer),
            "boolean" => Some(ColType::Boolean),
            _ => None,
        }
    }

    /// What a cell must look like, for error messages.
    pub(crate) fn expected(self) -> &'static str {
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
pub(crate) enum Typed<'a> {
    Null,
    Bool(bool),
    /// JSON number text, written exactly as is.
    Number(Cow<'a, str>),
    String(&'a str),
}

impl Typed<'_> {
    /// Append the cell's JSON text to `buf`.
    #[inline]
    pub(crate) fn write_json(&self, buf: &mut Vec<u8>) {
        match self {
            Typed::Null => buf.extend_from_slice(b"null"),
            Typed::Bool(true) => buf.extend_from_slice(b"true"),
            Typed::Bool(false) => buf.extend_from_slice(b"false"),
            Typed::Number(text) => buf.extend_from_slice(text.as_bytes()),
            Typed::String(s) => crate::json::write::push_str(buf, s),
        }
    }
}

/// Type one cell. `None` when the text does not fit an explicit type.
#[inline]
pub(crate) fn type_cell(text: &str, ty: ColType) -> Option<Typed<'_>> {
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
pub(crate) fn infer(text: &str) -> Typed<'_> {
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
pub(crate) enum Inferred {
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
pub(crate) fn write_inferred(buf: &mut Vec<u8>, bytes: &[u8]) -> Inferred {
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
            if !crate::json::write::push_str_bytes(buf, bytes) {
                return Inferred::BadUtf8;
            }
        }
        Some(b't' | b'f') if bytes == b"true" || bytes == b"false" => buf.extend_from_slice(bytes),
        _ => {
            if !crate::json::write::push_str_bytes(buf, bytes) {
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
pub(crate) fn number(text: &str, loose: bool) -> Option<Cow<'_, str>> {
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
pub(crate) fn why_not_a_number(text: &str) -> Option<&'static str> {
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
pub(crate) fn is_json_integer(bytes: &[u8]) -> bool {
    let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
    match digits {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// Whether the whole of `bytes` is one JSON number (the grammar lives in [`crate::json::scan_number`]).
pub(crate) fn is_json_number(bytes: &[u8]) -> bool {
    crate::json::scan_number(bytes, 0) == Ok(bytes.len())
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
