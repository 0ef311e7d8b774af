//! The checked tokenizer: the one place JSON syntax is decided. Strings, escapes, numbers,
//! literals, commas, colons, nesting depth and duplicate keys are checked here and nowhere else;
//! every error is a [`ParseError`] at a byte offset.
//!
//! Callers drive it (`open` / `next` / `member_key` / `scalar`) to walk a document in their own
//! order, as the validator does, or call [`Lexer::skip_value`] to check a whole value.

use super::swar::plain_run_end;
use super::{scan_number, ErrorKind, ParseError, MAX_DEPTH};

type R<T> = Result<T, ParseError>;

/// A cursor over JSON text that checks as it goes.
pub(crate) struct Lexer<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) text: &'a str,
    /// The byte offset of the next character to read.
    pub(crate) pos: usize,
    /// Containers currently open.
    pub(crate) depth: usize,
    /// Key lists of the objects being checked by `skip_value`, reused between objects.
    key_pool: Vec<Vec<&'a str>>,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(text: &'a str) -> Lexer<'a> {
        Lexer::at(text, 0)
    }

    /// A lexer starting at byte `pos` of `text`.
    pub(crate) fn at(text: &'a str, pos: usize) -> Lexer<'a> {
        Lexer {
            bytes: text.as_bytes(),
            text,
            pos,
            depth: 0,
            key_pool: Vec::new(),
        }
    }

    /// An error of `kind` at the current position.
    pub(crate) fn error(&self, kind: ErrorKind) -> ParseError {
        ParseError {
            offset: self.pos,
            kind,
        }
    }

    /// The error for the character at the current position (or the end of input).
    pub(crate) fn unexpected(&self) -> ParseError {
        match self.text.get(self.pos..).and_then(|t| t.chars().next()) {
            Some(c) => self.error(ErrorKind::Unexpected(c)),
            None => self.error(ErrorKind::UnexpectedEnd),
        }
    }

    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Skip JSON whitespace (space, tab, LF, CR).
    #[inline]
    pub(crate) fn skip_ws(&mut self) {
        self.pos = super::skip_ws(self.bytes, self.pos);
    }

    /// True when only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos >= self.bytes.len()
    }

    /// After a document: anything but whitespace is `TrailingCharacters`.
    pub(crate) fn end(&mut self) -> R<()> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.error(ErrorKind::TrailingCharacters))
        }
    }

    /// At `[` or `{`: enter it. `Ok(false)` when it is empty (and already closed); otherwise the
    /// position is at the first element (or key).
    pub(crate) fn open(&mut self, close: u8) -> R<bool> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(ErrorKind::TooDeep));
        }
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            self.depth -= 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// After an element: `Ok(true)` at the next element, `Ok(false)` when the container closed.
    /// A comma right before the close is `TrailingComma` at the comma.
    pub(crate) fn next(&mut self, close: u8) -> R<bool> {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                let comma = self.pos;
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(close) {
                    return Err(ParseError {
                        offset: comma,
                        kind: ErrorKind::TrailingComma,
                    });
                }
                Ok(true)
            }
            Some(c) if c == close => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            None => Err(self.error(ErrorKind::UnexpectedEnd)),
            Some(_) => Err(self.error(ErrorKind::ExpectedCommaOrEnd(close))),
        }
    }

    /// An object key and its colon; returns the raw key (with quotes). The position is then at
    /// the member's value.
    pub(crate) fn member_key(&mut self) -> R<&'a str> {
        match self.peek() {
            Some(b'"') => {}
            None => return Err(self.error(ErrorKind::UnexpectedEnd)),
            Some(_) => return Err(self.error(ErrorKind::KeyMustBeString)),
        }
        let raw = self.string()?;
        self.skip_ws();
        match self.peek() {
            Some(b':') => self.pos += 1,
            None => return Err(self.error(ErrorKind::UnexpectedEnd)),
            Some(_) => return Err(self.error(ErrorKind::ExpectedColon)),
        }
        self.skip_ws();
        Ok(raw)
    }

    /// A string, number or literal at the current position.
    pub(crate) fn scalar(&mut self) -> R<()> {
        match self.peek() {
            None => Err(self.error(ErrorKind::UnexpectedEnd)),
            Some(b'"') => self.string().map(|_| ()),
            Some(b'-' | b'0'..=b'9') => self.number().map(|_| ()),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(_) => Err(self.unexpected()),
        }
    }

    /// The common scalars, inline and without a `Result`: a string with no escape in it, a
    /// number, or a literal, passed when it is well-formed (`true`). Anything else (an escape,
    /// an error) is left where it is (`false`) for [`Lexer::scalar`], which decides it: so this
    /// only makes the usual case cheaper and never changes a verdict.
    #[inline]
    pub(crate) fn plain_scalar(&mut self) -> bool {
        let bytes = self.bytes;
        let pos = self.pos;
        let end = match bytes.get(pos) {
            Some(b'"') => {
                let end = plain_run_end(bytes, pos + 1);
                if bytes.get(end) != Some(&b'"') {
                    return false;
                }
                end + 1
            }
            Some(b'-' | b'0'..=b'9') => match scan_number(bytes, pos) {
                Ok(end) => end,
                Err(_) => return false,
            },
            Some(b't') if bytes.get(pos..pos + 4) == Some(b"true") => pos + 4,
            Some(b'n') if bytes.get(pos..pos + 4) == Some(b"null") => pos + 4,
            Some(b'f') if bytes.get(pos..pos + 5) == Some(b"false") => pos + 5,
            _ => return false,
        };
        self.pos = end;
        true
    }

    #[inline]
    pub(crate) fn literal(&mut self, word: &[u8]) -> R<()> {
        // A byte loop, not `starts_with`: for four or five bytes a `memcmp` call costs more.
        let end = self.pos + word.len();
        let matches = self
            .bytes
            .get(self.pos..end)
            .is_some_and(|bytes| bytes.iter().zip(word).all(|(a, b)| a == b));
        if matches {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    /// A number; returns its literal text.
    pub(crate) fn number(&mut self) -> R<&'a str> {
        let start = self.pos;
        self.pos = scan_number(self.bytes, start)?;
        Ok(&self.text[start..self.pos])
    }

    /// A string starting at its quote; returns it raw, quotes included.
    pub(crate) fn string(&mut self) -> R<&'a str> {
        let start = self.pos;
        self.pos += 1;
        loop {
            self.pos = plain_run_end(self.bytes, self.pos);
            match self.peek() {
                None => return Err(self.error(ErrorKind::UnexpectedEnd)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(&self.text[start..self.pos]);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        None => return Err(self.error(ErrorKind::UnexpectedEnd)),
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1
                        }
                        Some(b'u') => {
                            self.pos += 1;
                            self.unicode_escape()?;
                        }
                        Some(_) => return Err(self.error(ErrorKind::InvalidEscape)),
                    }
                }
                Some(_) => return Err(self.error(ErrorKind::ControlCharacterInString)),
            }
        }
    }

    /// Four hex digits after `\u` (the position is just past the `u`), with surrogate pairs.
    /// A lone surrogate is an error at the escape.
    fn unicode_escape(&mut self) -> R<()> {
        let escape_start = self.pos - 2;
        let bad = ParseError {
            offset: escape_start,
            kind: ErrorKind::InvalidUnicodeEscape,
        };
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.bytes[self.pos..].starts_with(b"\\u") {
                return Err(bad);
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(bad);
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).map(|_| ()).ok_or(bad)
    }

    fn hex4(&mut self) -> R<u32> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or(self.error(ErrorKind::UnexpectedEnd))?;
        let mut value = 0u32;
        for &d in digits {
            let v = (d as char)
                .to_digit(16)
                .ok_or(self.error(ErrorKind::InvalidUnicodeEscape))?;
            value = value * 16 + v;
        }
        self.pos += 4;
        Ok(value)
    }

    /// Check one whole value. A key that repeats an earlier key of its object is an error
    /// (`DuplicateKey` at the second key).
    pub(crate) fn skip_value(&mut self) -> R<()> {
        self.skip_value_with(&mut |raw, offset| Err(duplicate(raw, offset)))
    }

    /// Check one whole value; a repeated key goes to `on_duplicate(raw key, offset)`, which may
    /// record it and return `Ok` to go on.
    pub(crate) fn skip_value_with(
        &mut self,
        on_duplicate: &mut dyn FnMut(&'a str, usize) -> R<()>,
    ) -> R<()> {
        match self.peek() {
            Some(b'[') => {
                if self.open(b']')? {
                    loop {
                        self.skip_value_with(on_duplicate)?;
                        if !self.next(b']')? {
                            break;
                        }
                    }
                }
                Ok(())
            }
            Some(b'{') => {
                if !self.open(b'}')? {
                    return Ok(());
                }
                let mut keys = self.key_pool.pop().unwrap_or_default();
                keys.clear();
                let result = self.object_members(&mut keys, on_duplicate);
                self.key_pool.push(keys);
                result
            }
            _ => self.scalar(),
        }
    }

    fn object_members(
        &mut self,
        keys: &mut Vec<&'a str>,
        on_duplicate: &mut dyn FnMut(&'a str, usize) -> R<()>,
    ) -> R<()> {
        let mut set: Option<std::collections::HashSet<std::borrow::Cow<'a, str>>> = None;
        loop {
            let offset = self.pos;
            let raw = self.member_key()?;
            if is_repeat(keys, &mut set, raw) {
                on_duplicate(raw, offset)?;
            }
            self.skip_value_with(on_duplicate)?;
            if !self.next(b'}')? {
                return Ok(());
            }
        }
    }
}

/// The error for a repeated key.
pub(crate) fn duplicate(_raw: &str, offset: usize) -> ParseError {
    ParseError {
        offset,
        kind: ErrorKind::DuplicateKey,
    }
}

/// Records `raw` among an object's keys and says whether it was there already (compared after
/// unescaping, so `"a"` and `"\u0061"` are the same key). Small objects compare linearly; past
/// 16 keys a hash set takes over.
pub(crate) fn is_repeat<'a>(
    keys: &mut Vec<&'a str>,
    set: &mut Option<std::collections::HashSet<std::borrow::Cow<'a, str>>>,
    raw: &'a str,
) -> bool {
    if let Some(set) = set {
        return !set.insert(super::unescape(raw));
    }
    let escaped = raw.contains('\\');
    let repeat = keys.iter().any(|k| {
        if escaped || k.contains('\\') {
            super::unescape(k) == super::unescape(raw)
        } else {
            *k == raw
        }
    });
    if !repeat {
        keys.push(raw);
        if keys.len() > 16 {
            *set = Some(keys.iter().map(|k| super::unescape(k)).collect());
        }
    }
    repeat
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> R<()> {
        let mut lexer = Lexer::new(text);
        lexer.skip_ws();
        lexer.skip_value()?;
        lexer.end()
    }

    #[test]
    fn duplicate_keys_are_found_after_unescaping_and_past_the_linear_limit() {
        assert_eq!(check(r#"{"a":1,"\u0061":2}"#).unwrap_err().offset, 7);
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        let text = format!("{{{},\"k3\":0}}", many.join(","));
        assert_eq!(
            check(&text).unwrap_err().kind,
            ErrorKind::DuplicateKey,
            "{text}"
        );
        assert!(check(&format!("{{{}}}", many.join(","))).is_ok());
    }

    /// `plain_scalar` passes only what `scalar` passes, to the same place, and leaves the rest.
    #[test]
    fn plain_scalars_agree_with_the_checked_scalar() {
        let cases = [
            r#""abc","#,
            r#""a\"b","#,
            "\"a\tb\"",
            r#""é€ 0123456789abcdef""#,
            r#""open"#,
            "12,",
            "-0.5e+3]",
            "01",
            "-",
            "1.",
            "1e",
            "true,",
            "tru",
            "null",
            "nul",
            "false]",
            "fals",
            "x",
            "",
            "[1]",
            "{}",
            "\"0123456789abcdef0123456789\\n\"",
        ];
        for case in cases {
            let mut plain = Lexer::new(case);
            let mut checked = Lexer::new(case);
            let result = checked.scalar();
            if plain.plain_scalar() {
                assert_eq!((result, plain.pos), (Ok(()), checked.pos), "{case}");
            } else {
                assert_eq!(plain.pos, 0, "{case}");
            }
        }
    }

    #[test]
    fn nested_objects_keep_their_own_keys() {
        assert!(check(r#"{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}"#).is_ok());
        assert!(check(r#"{"x":{"k":1,"k":2}}"#).is_err());
    }
}
