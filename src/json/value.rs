//! The lean document model: a [`Value`] is a span of JSON text that the [`Lexer`] has already
//! checked. Numbers keep their exact text, strings are slices unescaped only on request, arrays
//! and objects are walked on demand. A value costs three words, whatever it holds.
//!
//! Navigation trusts the check that made the value: it skips strings and brackets without
//! re-checking them, so walking is fast. It still never panics on text that was not checked; it
//! just reads what it can.

use std::borrow::Cow;

use super::swar::{next_structural, Block};
use super::{lexer::Lexer, ParseError};

/// What a value is, told by its first character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl ValueKind {
    /// `a string`, `an array`… for messages.
    pub(crate) fn article_name(self) -> &'static str {
        match self {
            ValueKind::Null => "null",
            ValueKind::Bool => "a boolean",
            ValueKind::Number => "a number",
            ValueKind::String => "a string",
            ValueKind::Array => "an array",
            ValueKind::Object => "an object",
        }
    }
}

/// A checked JSON value: `src[start..end]`.
#[derive(Clone, Copy)]
pub struct Value<'a> {
    src: &'a str,
    start: usize,
    end: usize,
}

impl std::fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.raw())
    }
}

impl PartialEq for Value<'_> {
    /// Equal when the texts are equal (the same value written the same way).
    fn eq(&self, other: &Self) -> bool {
        self.raw() == other.raw()
    }
}

/// Check `text` as one JSON document (syntax and duplicate keys) and return its root value.
pub fn parse(text: &str) -> Result<Value<'_>, ParseError> {
    let mut lexer = Lexer::new(text);
    lexer.skip_ws();
    let start = lexer.pos;
    lexer.skip_value()?;
    let end = lexer.pos;
    lexer.end()?;
    Ok(Value {
        src: text,
        start,
        end,
    })
}

/// Check a sequence of JSON documents separated by whitespace (NDJSON, concatenated JSON);
/// calls `each` with every value. Stops at the first syntax error.
pub(crate) fn parse_many<'a>(
    text: &'a str,
    mut each: impl FnMut(Value<'a>) -> anyhow::Result<()>,
) -> Result<anyhow::Result<()>, ParseError> {
    let mut lexer = Lexer::new(text);
    loop {
        if lexer.at_end() {
            return Ok(Ok(()));
        }
        let start = lexer.pos;
        lexer.skip_value()?;
        let value = Value {
            src: text,
            start,
            end: lexer.pos,
        };
        if let Err(e) = each(value) {
            return Ok(Err(e));
        }
    }
}

impl<'a> Value<'a> {
    /// The value spanning `src[start..end]`, trusted to be checked JSON (for example the spans
    /// the validator walked). Out-of-range spans are clamped, never a panic.
    pub(crate) fn from_checked(src: &'a str, start: usize, end: usize) -> Value<'a> {
        let end = end.min(src.len());
        let start = start.min(end);
        Value { src, start, end }
    }

    /// The value that starts at byte `start` of checked text (its end is found by skipping).
    pub(crate) fn starting_at(src: &'a str, start: usize) -> Value<'a> {
        let end = skip(src.as_bytes(), start);
        Value::from_checked(src, start, end)
    }

    /// The whole text the value lives in.
    pub(crate) fn source(&self) -> &'a str {
        self.src
    }

    /// Byte offset where the value starts in its text (for diagnostics).
    pub fn offset(&self) -> usize {
        self.start
    }

    /// Byte offset just past the value.
    pub fn end(&self) -> usize {
        self.end
    }

    /// The value's JSON text exactly as written.
    pub fn raw(&self) -> &'a str {
        &self.src[self.start..self.end]
    }

    fn first(&self) -> u8 {
        self.src.as_bytes().get(self.start).copied().unwrap_or(b'n')
    }

    pub(crate) fn kind(&self) -> ValueKind {
        match self.first() {
            b'"' => ValueKind::String,
            b'[' => ValueKind::Array,
            b'{' => ValueKind::Object,
            b't' | b'f' => ValueKind::Bool,
            b'n' => ValueKind::Null,
            _ => ValueKind::Number,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        self.kind() == ValueKind::Null
    }
    pub(crate) fn is_string(&self) -> bool {
        self.kind() == ValueKind::String
    }
    pub(crate) fn is_array(&self) -> bool {
        self.kind() == ValueKind::Array
    }
    pub(crate) fn is_object(&self) -> bool {
        self.kind() == ValueKind::Object
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self.raw() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// A number's exact text (`1.10`, `1e3`, `12345678901234567890`).
    pub fn number_text(&self) -> Option<&'a str> {
        (self.kind() == ValueKind::Number).then(|| self.raw())
    }

    /// A string's content, unescaped (borrowed when it has no escapes).
    pub fn as_str(&self) -> Option<Cow<'a, str>> {
        self.is_string().then(|| unescape(self.raw()))
    }

    /// An array's elements (nothing for other values).
    pub fn items(&self) -> Items<'a> {
        Items {
            walk: Walk::inside(self, b'['),
        }
    }

    /// An array's elements from the one that starts at byte `offset` of the text on (nothing
    /// when `offset` is not inside the array).
    pub(crate) fn items_from(&self, offset: usize) -> Items<'a> {
        let inside = self.first() == b'[' && self.start < offset && offset < self.end;
        Items {
            walk: Walk {
                src: self.src,
                pos: if inside { offset } else { 0 },
                end: if inside { self.end } else { 0 },
            },
        }
    }

    /// An object's members in order (nothing for other values).
    pub(crate) fn members(&self) -> Members<'a> {
        Members {
            walk: Walk::inside(self, b'{'),
        }
    }

    /// The value of the first member named `key`.
    pub fn get(&self, key: &str) -> Option<Value<'a>> {
        self.members()
            .find(|(k, _)| k.matches(key))
            .map(|(_, value)| value)
    }

    /// Number of elements of an array or members of an object (a walk, not a lookup).
    pub(crate) fn len(&self) -> usize {
        match self.kind() {
            ValueKind::Array => self.items().count(),
            ValueKind::Object => self.members().count(),
            _ => 0,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at a JSON pointer (RFC 6901), `None` when it leads nowhere.
    pub fn pointer(&self, pointer: &str) -> Option<Value<'a>> {
        let mut value = *self;
        for token in pointer_tokens(pointer) {
            value = match value.kind() {
                ValueKind::Array => value.items().nth(token.parse::<usize>().ok()?)?,
                ValueKind::Object => value.get(&token)?,
                _ => return None,
            };
        }
        Some(value)
    }

    /// This value as a `serde_json::Value`, for crates that need one (the JSON Schema pass).
    /// Numbers become the nearest `serde_json` number; past the double range they are clamped to
    /// ±`f64::MAX` (the schemas only ask whether a value is a number and its sign).
    pub fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self.kind() {
            ValueKind::Null => J::Null,
            ValueKind::Bool => J::Bool(self.raw() == "true"),
            ValueKind::String => J::String(unescape(self.raw()).into_owned()),
            ValueKind::Number => J::Number(serde_number(self.raw())),
            ValueKind::Array => J::Array(self.items().map(|v| v.to_serde()).collect()),
            ValueKind::Object => J::Object(
                self.members()
                    .map(|(k, v)| (k.text().into_owned(), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

/// The nearest `serde_json::Number` to a JSON number's text.
pub(crate) fn serde_number(text: &str) -> serde_json::Number {
    if let Ok(n) = text.parse::<i64>() {
        return n.into();
    }
    if let Ok(n) = text.parse::<u64>() {
        return n.into();
    }
    let value: f64 = text.parse().unwrap_or(0.0);
    let clamped = if value.is_finite() {
        value
    } else if value.is_sign_negative() {
        f64::MIN
    } else {
        f64::MAX
    };
    serde_json::Number::from_f64(clamped).unwrap_or_else(|| serde_json::Number::from(0))
}

/// An object key as written (quotes included).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key<'a> {
    raw: &'a str,
    offset: usize,
}

impl<'a> Key<'a> {
    /// The key unescaped.
    pub(crate) fn text(&self) -> Cow<'a, str> {
        unescape(self.raw)
    }

    /// The key as written, quotes included.
    pub(crate) fn raw(&self) -> &'a str {
        self.raw
    }

    /// Byte offset of the key's opening quote.
    pub(crate) fn offset(&self) -> usize {
        self.offset
    }

    /// Whether the key is `name`.
    pub(crate) fn matches(&self, name: &str) -> bool {
        let inner = self
            .raw
            .get(1..self.raw.len().saturating_sub(1))
            .unwrap_or("");
        if inner.contains('\\') {
            self.text() == name
        } else {
            inner == name
        }
    }
}

/// A position inside a container, walking its elements.
#[derive(Clone)]
struct Walk<'a> {
    src: &'a str,
    pos: usize,
    /// Where the container ends (just past its close); nothing is read at or past it.
    end: usize,
}

impl<'a> Walk<'a> {
    fn inside(value: &Value<'a>, open: u8) -> Walk<'a> {
        if value.first() == open {
            let mut walk = Walk {
                src: value.src,
                pos: value.start + 1,
                end: value.end,
            };
            walk.ws();
            walk
        } else {
            Walk {
                src: value.src,
                pos: 0,
                end: 0,
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        if self.pos < self.end {
            self.src.as_bytes().get(self.pos).copied()
        } else {
            None
        }
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(super::is_ws) {
            self.pos += 1;
        }
    }

    /// The next value, or `None` at the close.
    fn value(&mut self) -> Option<Value<'a>> {
        self.value_with(&mut |_| {})
    }

    /// [`Walk::value`], calling `passed` as [`skip_with`] does while it skips a large value.
    fn value_with(&mut self, passed: &mut dyn FnMut(usize)) -> Option<Value<'a>> {
        match self.peek()? {
            b']' | b'}' => None,
            _ => {
                let start = self.pos;
                let end = skip_with(&self.src.as_bytes()[..self.end], start, passed);
                if end <= start {
                    self.pos = self.end;
                    return None;
                }
                Some(self.past(start, end))
            }
        }
    }

    /// Move past the value `start..end` and the comma after it.
    fn past(&mut self, start: usize, end: usize) -> Value<'a> {
        self.pos = end;
        self.ws();
        if self.peek() == Some(b',') {
            self.pos += 1;
            self.ws();
        }
        Value {
            src: self.src,
            start,
            end,
        }
    }

    /// The next value and, when it is an array, its elements in `inner` (cleared first), found
    /// in the same walk that finds the value's end (no second walk over the array).
    fn value_and_items(&mut self, inner: &mut Vec<Value<'a>>) -> Option<Value<'a>> {
        inner.clear();
        if self.peek()? != b'[' {
            return self.value();
        }
        let start = self.pos;
        let mut items = Walk {
            src: self.src,
            pos: start + 1,
            end: self.end,
        };
        items.ws();
        while let Some(item) = items.value() {
            inner.push(item);
        }
        if items.peek() != Some(b']') {
            self.pos = self.end;
            return None;
        }
        Some(self.past(start, items.pos + 1))
    }

    fn key(&mut self) -> Option<Key<'a>> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos;
        let end = skip(&self.src.as_bytes()[..self.end], start);
        self.pos = end;
        self.ws();
        if self.peek() == Some(b':') {
            self.pos += 1;
            self.ws();
        }
        Some(Key {
            raw: &self.src[start..end],
            offset: start,
        })
    }
}

/// The elements of an array.
#[derive(Clone)]
pub struct Items<'a> {
    walk: Walk<'a>,
}

impl<'a> Items<'a> {
    /// The next element and, when it is an array, its elements in `inner` (cleared first): one
    /// walk for an array of rows and their cells (a table's records).
    pub(crate) fn next_with_items(&mut self, inner: &mut Vec<Value<'a>>) -> Option<Value<'a>> {
        self.walk.value_and_items(inner)
    }
}

impl<'a> Iterator for Items<'a> {
    type Item = Value<'a>;
    fn next(&mut self) -> Option<Value<'a>> {
        self.walk.value()
    }
}

/// The members of an object.
#[derive(Clone)]
pub(crate) struct Members<'a> {
    walk: Walk<'a>,
}

impl<'a> Members<'a> {
    /// The next member, calling `passed(offset)` every few MB while it skips a large value (a
    /// mapped source gives those pages back, see [`skip_with`]).
    pub(crate) fn next_with(
        &mut self,
        passed: &mut dyn FnMut(usize),
    ) -> Option<(Key<'a>, Value<'a>)> {
        let key = self.walk.key()?;
        let value = self.walk.value_with(passed)?;
        Some((key, value))
    }
}

impl<'a> Iterator for Members<'a> {
    type Item = (Key<'a>, Value<'a>);
    fn next(&mut self) -> Option<(Key<'a>, Value<'a>)> {
        let key = self.walk.key()?;
        let value = self.walk.value()?;
        Some((key, value))
    }
}

/// Where the value starting at `start` ends, trusting the text to be checked JSON: strings are
/// skipped to their closing quote, brackets counted. Iterative, so depth cannot overflow the
/// stack; on malformed text it stops at the end of `bytes`.
pub(crate) fn skip(bytes: &[u8], start: usize) -> usize {
    skip_with(bytes, start, &mut |_| {})
}

/// [`skip`], calling `passed(offset)` every few MB with how far it has gone (a mapped source
/// gives those pages back: [`crate::source::Source::release_before`]).
///
/// Small enough to be inlined where values are walked one by one (a table's cells): the
/// container skip, long, is a call of its own.
#[inline]
pub(crate) fn skip_with(bytes: &[u8], start: usize, passed: &mut dyn FnMut(usize)) -> usize {
    match bytes.get(start) {
        None => bytes.len(),
        Some(b'"') => skip_string(bytes, start),
        Some(b'[' | b'{') => skip_container(bytes, start, passed),
        Some(b']' | b'}' | b',' | b':' | b' ' | b'\t' | b'\n' | b'\r') => start,
        Some(_) => {
            // A number or literal: up to the next delimiter.
            let rest = &bytes[start..];
            start
                + rest
                    .iter()
                    .position(|&b| SCALAR_END[b as usize])
                    .unwrap_or(rest.len())
        }
    }
}

/// The bytes that end a number or literal (`true`, `null`): the delimiters after a value,
/// whitespace, and a quote.
const SCALAR_END: [bool; 256] = {
    let mut end = [false; 256];
    let delimiters = b",:]} \t\n\r\"";
    let mut i = 0;
    while i < delimiters.len() {
        end[delimiters[i] as usize] = true;
        i += 1;
    }
    end
};

/// Past the array or object whose opening bracket is at `start` (see [`skip_with`]): inside
/// it only quotes and brackets matter. Sixty-four bytes at a time ([`Block`]): the quotes'
/// prefix XOR says which bytes are inside strings, the brackets outside them are counted, and
/// only a block where the count may reach zero is walked bracket by bracket. A block with a
/// backslash (an escape can hide a quote) is passed a token at a time instead, as is the tail.
#[inline(never)]
fn skip_container(bytes: &[u8], start: usize, passed: &mut dyn FnMut(usize)) -> usize {
    const EVERY: usize = 4 << 20;
    let mut next_report = start + EVERY;
    let mut depth = 1usize;
    let mut pos = start + 1;
    // Whether `pos` is inside a string (a block ended in one).
    let mut in_string = false;
    while let Some(chunk) = bytes.get(pos..pos + 64) {
        let block = Block::of(chunk.try_into().expect("sixty-four bytes"));
        if block.backslash != 0 {
            pos = if in_string {
                string_end(bytes, pos)
            } else {
                match container_step(bytes, pos, &mut depth) {
                    Step::Past(next) => next,
                    Step::Closed(end) => return end,
                }
            };
            in_string = false;
        } else {
            let inside = block.inside_strings(in_string);
            let (open, close) = (block.open & !inside, block.close & !inside);
            let closes = close.count_ones() as usize;
            if closes >= depth {
                // The count may reach zero in this block: bracket by bracket.
                let mut brackets = open | close;
                while brackets != 0 {
                    let bit = brackets.trailing_zeros();
                    brackets &= brackets - 1;
                    if open >> bit & 1 == 1 {
                        depth += 1;
                    } else {
                        depth -= 1;
                        if depth == 0 {
                            return pos + bit as usize + 1;
                        }
                    }
                }
            } else {
                depth = depth + open.count_ones() as usize - closes;
            }
            in_string = inside >> 63 == 1;
            pos += 64;
        }
        if pos >= next_report && pos < bytes.len() {
            passed(pos);
            next_report = pos + EVERY;
        }
    }
    if in_string {
        pos = string_end(bytes, pos);
    }
    loop {
        match container_step(bytes, pos, &mut depth) {
            Step::Past(next) if next < bytes.len() => pos = next,
            Step::Past(_) => return bytes.len(),
            Step::Closed(end) => return end,
        }
    }
}

/// The direct elements of the array whose checked text is `text` (from its `[` to its `]`): how
/// many, and how many of them are arrays — counted 64 bytes at a time ([`Block`]: commas and
/// brackets outside strings, by depth), without finding where each element ends. `None` when the
/// text is not an array or holds a backslash (an escape can hide a quote): walk the items then.
pub(crate) fn array_children(text: &[u8]) -> Option<(usize, usize)> {
    if text.first() != Some(&b'[') {
        return None;
    }
    let (mut depth, mut commas, mut arrays, mut in_string) = (0usize, 0usize, 0usize, false);
    for chunk in text.chunks(64) {
        let mut padded = [b' '; 64];
        padded[..chunk.len()].copy_from_slice(chunk);
        let block = Block::of(&padded);
        if block.backslash != 0 {
            return None;
        }
        let inside = block.inside_strings(in_string);
        let open = block.open & !inside;
        let mut stops = (open | block.close | block.comma) & !inside;
        while stops != 0 {
            let bit = stops.trailing_zeros() as usize;
            stops &= stops - 1;
            if open >> bit & 1 == 1 {
                depth += 1;
                arrays += usize::from(depth == 2 && padded[bit] == b'[');
            } else if padded[bit] == b',' {
                commas += usize::from(depth == 1);
            } else {
                depth = depth.saturating_sub(1);
            }
        }
        in_string = inside >> 63 == 1;
    }
    let empty = text[1..].iter().find(|b| !super::is_ws(**b)) == Some(&b']');
    Some((if empty { 0 } else { commas + 1 }, arrays))
}

/// Where [`container_step`] left off.
enum Step {
    /// Past a string or a bracket, the container still open.
    Past(usize),
    /// Past the bracket that closed the container.
    Closed(usize),
}

/// From `pos` (outside strings) past the next string or bracket, counting `depth`.
fn container_step(bytes: &[u8], pos: usize, depth: &mut usize) -> Step {
    let pos = next_structural(bytes, pos);
    match bytes.get(pos) {
        None => Step::Past(bytes.len()),
        Some(b'"') => Step::Past(skip_string(bytes, pos)),
        Some(b'[' | b'{') => {
            *depth += 1;
            Step::Past(pos + 1)
        }
        Some(_) => {
            *depth -= 1;
            if *depth == 0 {
                Step::Closed(pos + 1)
            } else {
                Step::Past(pos + 1)
            }
        }
    }
}

/// Past the string whose opening quote is at `start`. The first 16 bytes are looked at
/// one by one (most strings in a body are short: keys, codes, names), the rest through
/// `memchr2`, whose set-up costs more than a short string's bytes.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    string_end(bytes, start + 1)
}

/// Past the closing quote of the string whose content goes on at `pos` (see [`skip_string`]).
fn string_end(bytes: &[u8], mut pos: usize) -> usize {
    const SHORT: usize = 16;
    let short_end = bytes.len().min(pos + SHORT);
    while pos < short_end {
        match bytes[pos] {
            b'"' => return pos + 1,
            b'\\' => pos += 2,
            _ => pos += 1,
        }
    }
    loop {
        match memchr::memchr2(b'"', b'\\', bytes.get(pos..).unwrap_or(&[])) {
            None => return bytes.len(),
            Some(i) => {
                pos += i;
                if bytes[pos] == b'\\' {
                    pos += 2;
                } else {
                    return pos + 1;
                }
            }
        }
    }
}

/// A JSON string's content, from its raw text with quotes, unescaped. Borrowed when there is
/// nothing to unescape. Text that was not checked never panics: a bad escape reads as U+FFFD.
pub(crate) fn unescape(raw: &str) -> Cow<'_, str> {
    let inner = raw
        .strip_prefix('"')
        .map(|r| r.strip_suffix('"').unwrap_or(r))
        .unwrap_or(raw);
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices();
    while let Some((_, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next().map(|(_, c)| c) {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hex = |chars: &mut std::str::CharIndices| -> Option<u32> {
                    let mut v = 0;
                    for _ in 0..4 {
                        v = v * 16 + chars.next()?.1.to_digit(16)?;
                    }
                    Some(v)
                };
                let first = hex(&mut chars);
                let code = match first {
                    Some(high @ 0xD800..=0xDBFF) => {
                        let mut look = chars.clone();
                        let low = match (look.next(), look.next()) {
                            (Some((_, '\\')), Some((_, 'u'))) => hex(&mut look),
                            _ => None,
                        };
                        match low {
                            Some(low @ 0xDC00..=0xDFFF) => {
                                chars = look;
                                Some(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                            }
                            _ => None,
                        }
                    }
                    other => other,
                };
                out.push(code.and_then(char::from_u32).unwrap_or('\u{FFFD}'));
            }
            _ => out.push('\u{FFFD}'),
        }
    }
    Cow::Owned(out)
}

/// Split a JSON pointer (RFC 6901) into unescaped tokens.
pub(crate) fn pointer_tokens(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .strip_prefix('/')
        .unwrap_or(pointer)
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Byte offset where the value at `pointer` starts in checked JSON text; `None` when the pointer
/// leads nowhere.
#[cfg(test)]
pub(crate) fn locate_pointer(text: &str, pointer: &str) -> Option<usize> {
    let mut lexer = Lexer::new(text);
    lexer.skip_ws();
    let root = Value::starting_at(text, lexer.pos);
    root.pointer(pointer).map(|v| v.offset())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The container skip as it was before blocks: a token at a time (the reference).
    fn skip_container_by_tokens(bytes: &[u8], start: usize) -> usize {
        let mut depth = 1;
        let mut pos = start + 1;
        loop {
            match container_step(bytes, pos, &mut depth) {
                Step::Past(next) if next < bytes.len() => pos = next,
                Step::Past(_) => return bytes.len(),
                Step::Closed(end) => return end,
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Blocks and tokens agree on any text: brackets inside strings, escaped quotes and
        /// backslashes at block edges, unclosed strings and containers, deep nesting.
        #[test]
        fn blocks_skip_a_container_where_tokens_do(
            body in proptest::collection::vec(
                proptest::prop_oneof![
                    20 => proptest::sample::select(&b"a ,:0"[..]),
                    4 => proptest::strategy::Just(b'"'),
                    3 => proptest::sample::select(&b"[]{}"[..]),
                    1 => proptest::strategy::Just(b'\\'),
                ], 0..400),
            escapes in proptest::bool::ANY,
            pad in 0usize..70,
            bracket in proptest::bool::ANY,
        ) {
            let mut bytes = vec![b' '; pad];
            bytes.push(if bracket { b'[' } else { b'{' });
            // Without backslashes every block is counted whole.
            bytes.extend(body.iter().filter(|&&b| escapes || b != b'\\'));
            let mut reports = 0;
            let fast = skip_container(&bytes, pad, &mut |_| reports += 1);
            proptest::prop_assert_eq!(fast, skip_container_by_tokens(&bytes, pad));
        }
    }

    /// Any JSON value, with strings that hold brackets, commas and quotes (escaped: then the
    /// count gives way to the walk) or not.
    fn any_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let text =
            proptest::string::string_regex("[a-z\\[\\]{},: é]{0,80}|[a-z\"\\\\]{0,5}").unwrap();
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<i32>().prop_map(serde_json::Value::from),
            text.prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map("[a-z\\]]{1,3}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The block count of an array's elements agrees with walking them, compact or pretty,
        /// and gives way only to a backslash.
        #[test]
        fn array_children_count_what_the_items_walk_finds(
            items in proptest::collection::vec(any_json(), 0..12),
            pretty in proptest::bool::ANY,
        ) {
            let array = serde_json::Value::Array(items);
            let text = if pretty {
                serde_json::to_string_pretty(&array).unwrap()
            } else {
                serde_json::to_string(&array).unwrap()
            };
            let doc = parse(&text).unwrap();
            let walked = (doc.items().count(), doc.items().filter(|v| v.is_array()).count());
            match array_children(text.as_bytes()) {
                Some(counted) => proptest::prop_assert_eq!(counted, walked, "{}", text),
                None => proptest::prop_assert!(text.contains('\\'), "{}", text),
            }
        }
    }

    #[test]
    fn blocks_skip_checked_bodies_exactly() {
        let long = "x".repeat(70);
        let docs = [
            format!(r#"[["a","b"],[1,"{long}"],["]\"[",{{"k":"}}"}}]] ,"#),
            format!(r#"{{"outputs":[["n"],["{long}\\"],[[["t"],["]"]]]],"e":[]}}"#),
            format!("[{}]", "[".repeat(100) + &"]".repeat(100)),
        ];
        for doc in &docs {
            let end = doc.rfind([']', '}']).unwrap() + 1;
            for pad in 0..66 {
                let text = format!("{}{doc}", " ".repeat(pad));
                assert_eq!(skip(text.as_bytes(), pad), pad + end, "{text}");
            }
        }
    }

    #[test]
    fn numbers_and_strings_keep_their_text() {
        let doc = parse(r#"{"n":[1.10,1e3,-0,12345678901234567890],"s":"a\u00e9\n"}"#).unwrap();
        let numbers: Vec<&str> = doc
            .get("n")
            .unwrap()
            .items()
            .map(|v| v.number_text().unwrap())
            .collect();
        assert_eq!(numbers, ["1.10", "1e3", "-0", "12345678901234567890"]);
        assert_eq!(doc.get("s").unwrap().as_str().unwrap(), "a\u{e9}\n");
    }

    #[test]
    fn walks_nested_containers_with_whitespace_and_tricky_strings() {
        let text = " { \"a\" : [ \"x]\\\"}\" , { \"b\" : [ ] } , null ] , \"c\" : true } ";
        let doc = parse(text).unwrap();
        let a: Vec<String> = doc
            .get("a")
            .unwrap()
            .items()
            .map(|v| v.raw().to_string())
            .collect();
        assert_eq!(a, ["\"x]\\\"}\"", "{ \"b\" : [ ] }", "null"]);
        assert_eq!(doc.get("c").unwrap().as_bool(), Some(true));
        assert_eq!(doc.pointer("/a/1/b").unwrap().raw(), "[ ]");
        assert!(doc.pointer("/a/3").is_none());
    }

    #[test]
    fn a_number_or_literal_ends_at_a_delimiter_whitespace_or_a_quote() {
        for b in 0..=255u8 {
            let delimiter = matches!(
                b,
                b',' | b':' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r' | b'"'
            );
            assert_eq!(SCALAR_END[b as usize], delimiter, "{b:#x}");
            let text = [b'1', b'2', b];
            assert_eq!(skip(&text, 0), if delimiter { 2 } else { 3 }, "{b:#x}");
        }
    }

    #[test]
    fn skip_finds_the_end_of_a_value() {
        let text = r#"[1, {"a": "]}\"[", "b": [[], {}]}, "x"] , 2"#;
        assert_eq!(skip(text.as_bytes(), 0), text.find(" ,").unwrap());
    }

    #[test]
    fn unescape_handles_pairs_and_never_panics_on_bad_text() {
        assert_eq!(unescape(r#""\ud83d\ude00""#), "\u{1F600}");
        assert_eq!(unescape(r#""\ud83d""#), "\u{FFFD}");
        assert_eq!(unescape("\"\\\""), "\u{FFFD}");
        assert_eq!(unescape(r#""\u12""#), "\u{FFFD}");
    }

    #[test]
    fn agrees_with_serde_json_on_structure() {
        let text =
            r#"{"a\"b":["\u00e9\ud83d\ude00\n\t\\/", true, false, null, {"x": []}], "é": {}}"#;
        let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse(text).unwrap().to_serde(), theirs);
    }

    #[test]
    fn numbers_past_the_double_range_are_clamped_for_serde() {
        assert_eq!(
            serde_number("1e400").as_f64(),
            Some(f64::MAX),
            "1e400 is larger than any double"
        );
        assert_eq!(serde_number("-1e400").as_f64(), Some(f64::MIN));
    }
}
