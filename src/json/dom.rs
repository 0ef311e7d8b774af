//! LEGACY (being replaced by [`super::Value`]): a parser that builds a `serde_json::Value`. It builds a `serde_json::Value` but keeps
//! numbers exactly as written: serde_json's own parser rewrites exponents (`1e3` becomes `1e+3`),
//! ours stores the literal text, so `1.10`, `1E3` and `12345678901234567890` survive a round trip.
//! Errors carry the byte offset of the offending character.

use serde_json::{Map, Number, Value as Json};

use super::{scan_number, ErrorKind, ParseError, MAX_DEPTH};

/// Parse one JSON document from UTF-8 text.
pub fn parse(text: &str) -> Result<Json, ParseError> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
    };
    parser.skip_ws();
    let value = parser.value()?;
    parser.skip_ws();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error(ErrorKind::TrailingCharacters));
    }
    Ok(value)
}

/// Parse a sequence of JSON documents separated by whitespace (NDJSON and concatenated JSON).
/// Calls `each` with every value and the byte offset where it starts.
pub fn parse_many(
    text: &str,
    mut each: impl FnMut(Json, usize) -> anyhow::Result<()>,
) -> Result<anyhow::Result<()>, ParseError> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
    };
    loop {
        parser.skip_ws();
        if parser.pos >= parser.bytes.len() {
            return Ok(Ok(()));
        }
        let start = parser.pos;
        let value = parser.value()?;
        if let Err(e) = each(value, start) {
            return Ok(Err(e));
        }
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, kind: ErrorKind) -> ParseError {
        ParseError {
            offset: self.pos,
            kind,
        }
    }

    fn unexpected(&self) -> ParseError {
        match self.text[self.pos.min(self.text.len())..].chars().next() {
            Some(c) => self.error(ErrorKind::Unexpected(c)),
            None => self.error(ErrorKind::UnexpectedEnd),
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Json, ParseError> {
        match self.peek() {
            None => Err(self.error(ErrorKind::UnexpectedEnd)),
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b'[') => self.array(),
            Some(b'{') => self.object(),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(_) => Err(self.unexpected()),
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, ParseError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.unexpected())
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(self.error(ErrorKind::TooDeep))
        } else {
            Ok(())
        }
    }

    fn array(&mut self) -> Result<Json, ParseError> {
        self.enter()?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        return Err(ParseError {
                            offset: comma,
                            kind: ErrorKind::TrailingComma,
                        });
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Json::Array(items));
                }
                None => return Err(self.error(ErrorKind::UnexpectedEnd)),
                Some(_) => return Err(self.error(ErrorKind::ExpectedCommaOrEnd(b']'))),
            }
        }
    }

    fn object(&mut self) -> Result<Json, ParseError> {
        self.enter()?;
        self.pos += 1;
        let mut map = Map::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Json::Object(map));
        }
        loop {
            match self.peek() {
                Some(b'"') => {}
                None => return Err(self.error(ErrorKind::UnexpectedEnd)),
                Some(_) => return Err(self.error(ErrorKind::KeyMustBeString)),
            }
            let key_offset = self.pos;
            let key = self.string()?;
            self.skip_ws();
            match self.peek() {
                Some(b':') => self.pos += 1,
                None => return Err(self.error(ErrorKind::UnexpectedEnd)),
                Some(_) => return Err(self.error(ErrorKind::ExpectedColon)),
            }
            self.skip_ws();
            let value = self.value()?;
            if map.insert(key, value).is_some() {
                return Err(ParseError {
                    offset: key_offset,
                    kind: ErrorKind::DuplicateKey,
                });
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        return Err(ParseError {
                            offset: comma,
                            kind: ErrorKind::TrailingComma,
                        });
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Json::Object(map));
                }
                None => return Err(self.error(ErrorKind::UnexpectedEnd)),
                Some(_) => return Err(self.error(ErrorKind::ExpectedCommaOrEnd(b'}'))),
            }
        }
    }

    fn number(&mut self) -> Result<Json, ParseError> {
        let start = self.pos;
        self.pos = scan_number(self.bytes, start)?;
        let literal = &self.text[start..self.pos];
        Ok(Json::Number(Number::from_string_unchecked(
            literal.to_string(),
        )))
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes.
        loop {
            match self.peek() {
                None => return Err(self.error(ErrorKind::UnexpectedEnd)),
                Some(b'"') => {
                    let s = self.text[start..self.pos].to_string();
                    self.pos += 1;
                    return Ok(s);
                }
                Some(b'\\') => break,
                Some(b) if b < 0x20 => return Err(self.error(ErrorKind::ControlCharacterInString)),
                Some(_) => self.pos += 1,
            }
        }
        let mut out = String::with_capacity(self.pos - start + 16);
        out.push_str(&self.text[start..self.pos]);
        loop {
            match self.peek() {
                None => return Err(self.error(ErrorKind::UnexpectedEnd)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match self.peek() {
                        None => return Err(self.error(ErrorKind::UnexpectedEnd)),
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            out.push(self.unicode_escape()?);
                            continue;
                        }
                        Some(_) => return Err(self.error(ErrorKind::InvalidEscape)),
                    };
                    self.pos += 1;
                    out.push(escaped);
                }
                Some(b) if b < 0x20 => return Err(self.error(ErrorKind::ControlCharacterInString)),
                Some(_) => {
                    let run_start = self.pos;
                    while let Some(b) = self.peek() {
                        if b == b'"' || b == b'\\' || b < 0x20 {
                            break;
                        }
                        self.pos += 1;
                    }
                    out.push_str(&self.text[run_start..self.pos]);
                }
            }
        }
    }

    /// Four hex digits after `\u` (the position is just past the `u`), with surrogate pairs.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let escape_start = self.pos - 2;
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.bytes[self.pos..].starts_with(b"\\u") {
                return Err(ParseError {
                    offset: escape_start,
                    kind: ErrorKind::InvalidUnicodeEscape,
                });
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(ParseError {
                    offset: escape_start,
                    kind: ErrorKind::InvalidUnicodeEscape,
                });
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or(ParseError {
            offset: escape_start,
            kind: ErrorKind::InvalidUnicodeEscape,
        })
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_literal_text() {
        let text = r#"[1.10,1e3,1E-3,-0,12345678901234567890,0.5e+2]"#;
        assert_eq!(parse(text).unwrap().to_string(), text);
    }

    #[test]
    fn agrees_with_serde_json_on_strings_and_structure() {
        let text =
            r#"{"a\"b":["\u00e9\ud83d\ude00\n\t\\/", true, false, null, {"x": []}], "é": {}}"#;
        let ours = parse(text).unwrap();
        let theirs: Json = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn rejects_what_json_rejects() {
        for bad in [
            "[1,]",
            "{\"a\":1,}",
            "[01]",
            "[1.]",
            "[.5]",
            "[1e]",
            "['a']",
            "[NaN]",
            "[-Infinity]",
            "{a:1}",
            "[1 2]",
            "\"\\x\"",
            "\"\\ud800\"",
            "[\"a\nb\"]",
            "[1] x",
            "[",
            "",
            "tru",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn number_grammar_reports_where_a_number_goes_wrong() {
        let kind = ErrorKind::InvalidNumber;
        assert_eq!(scan_number(b"-12.5e+3,", 0), Ok(8));
        assert_eq!(scan_number(b"0]", 0), Ok(1));
        assert_eq!(scan_number(b"01", 0), Err(ParseError { offset: 1, kind }));
        assert_eq!(scan_number(b"1.x", 0), Err(ParseError { offset: 2, kind }));
        assert_eq!(scan_number(b"1e+", 0), Err(ParseError { offset: 3, kind }));
        assert_eq!(
            scan_number(b"-Infinity", 0),
            Err(ParseError { offset: 0, kind })
        );
        let end = ErrorKind::UnexpectedEnd;
        assert_eq!(
            scan_number(b"-", 0),
            Err(ParseError {
                offset: 1,
                kind: end
            })
        );
    }

    #[test]
    fn trailing_comma_is_reported_at_the_comma() {
        let err = parse("[1, 2 , ]").unwrap_err();
        assert_eq!(
            err,
            ParseError {
                offset: 6,
                kind: ErrorKind::TrailingComma
            }
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        assert_eq!(parse(&text).unwrap_err().kind, ErrorKind::TooDeep);
    }
}
