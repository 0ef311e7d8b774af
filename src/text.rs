//! Text for people: escaping what must not reach a terminal or a markdown table, display width
//! (by the `unicode-width` crate: wide East Asian characters and emoji count two, combining marks
//! zero) and cutting to a width with `…`. Used by the renderers, the validator's text reports and
//! the error printer, so it sits below all of them; and the one shell quoting rule
//! ([`shell_word`]).

use std::fmt::Write as _;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How text is made safe for the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Escape {
    /// Control characters (newline and tab included) and bidirectional overrides are written as
    /// Rust-style escapes (`\n`, `\u{1b}`), so hostile input cannot drive the terminal or break
    /// the grid.
    Terminal,
    /// As `Terminal`, and in addition every character GitHub-flavoured markdown gives a meaning
    /// inside a line is escaped, so the text stays plain text inside one table cell (or title):
    /// `\` `` ` `` `*` `_` `~` `[` `]` `!` `$` `:` `|` with a backslash (links, images, emphasis,
    /// strikethrough, code, math, footnotes, emoji shortcodes, `http:`/`mailto:` autolinks),
    /// `<` `>` `&` as entities (HTML, `<http://x>` autolinks), the `.` of `www.` with a backslash,
    /// `@` followed by an empty HTML comment (e-mail autolinks, which look past escapes), and
    /// newlines become `<br>`.
    Markdown,
}

/// Bytes that send markdown text down the escaping path (`.` only matters after `www`).
const MARKDOWN_SPECIAL: &[u8] = b"\\`*_~[]!$:|<>&@.";

/// Per byte: 1 when it sends terminal text down the escaping path (C0 controls, DEL), 2 when
/// it does so for markdown only, 3 for the lead bytes of characters that may need escaping
/// (`0xC2`: C1 controls U+0080–U+009F; `0xE2`: the bidi controls of [`is_bidi_control`]).
const CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        class[b] = 1;
        b += 1;
    }
    class[0x7f] = 1;
    let mut i = 0;
    while i < MARKDOWN_SPECIAL.len() {
        class[MARKDOWN_SPECIAL[i] as usize] = 2;
        i += 1;
    }
    class[0xc2] = 3;
    class[0xe2] = 3;
    class
};

/// Whether `text` has nothing `mode` escapes (`Some`, with whether it is all ASCII) or
/// something (`None`), tested on its UTF-8 bytes: the characters escaped outside ASCII (C1
/// controls, bidi controls) all start with `0xC2` or `0xE2`, and only those lead bytes are
/// looked at further.
fn plain(text: &str, mode: Escape) -> Option<bool> {
    let bytes = text.as_bytes();
    let mut ascii = true;
    let mut i = 0;
    while i < bytes.len() {
        ascii &= bytes[i] < 0x80;
        match CLASS[bytes[i] as usize] {
            0 => {}
            1 => return None,
            2 if mode == Escape::Markdown => return None,
            2 => {}
            _ => {
                let next = bytes.get(i + 1).copied().unwrap_or(0);
                let third = bytes.get(i + 2).copied().unwrap_or(0);
                let escaped = if bytes[i] == 0xc2 {
                    (0x80..=0x9f).contains(&next)
                } else {
                    (next == 0x80 && matches!(third, 0x8e | 0x8f | 0xaa..=0xae))
                        || (next == 0x81 && (0xa6..=0xa9).contains(&third))
                };
                if escaped {
                    return None;
                }
            }
        }
        i += 1;
    }
    Some(ascii)
}

/// True for characters that reorder text when displayed (bidi embeddings, overrides, isolates).
pub fn is_bidi_control(ch: char) -> bool {
    matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Append `text` to `out`, escaped for `mode`; returns the display width of what was appended.
pub(crate) fn push_escaped(out: &mut String, text: &str, mode: Escape) -> usize {
    // Fast path: text with nothing to escape is copied as it is.
    if let Some(ascii) = plain(text, mode) {
        out.push_str(text);
        return if ascii { text.len() } else { width(text) };
    }
    // Everything escaped below is ASCII, so the display width of the appended text is its
    // width as a whole (emoji sequences measured as the sequences they are).
    let start = out.len();
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        if mode == Escape::Markdown {
            let replacement = match ch {
                // A `:` before a space starts no autolink or shortcode (`response: 3 records`).
                ':' if chars.peek().is_none_or(|c| c.is_whitespace()) => None,
                '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '!' | '$' | ':' | '|' => {
                    out.push('\\');
                    out.push(ch);
                    continue;
                }
                '.' if out.len() >= start + 3
                    && out.as_bytes()[out.len() - 3..].eq_ignore_ascii_case(b"www") =>
                {
                    Some("\\.")
                }
                '@' => Some("@<!-- -->"),
                '<' => Some("&lt;"),
                '>' => Some("&gt;"),
                '&' => Some("&amp;"),
                '\n' => Some("<br>"),
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    Some("<br>")
                }
                _ => None,
            };
            if let Some(replacement) = replacement {
                out.push_str(replacement);
                continue;
            }
        }
        if ch.is_control() || is_bidi_control(ch) {
            match ch {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                _ => {
                    let _ = write!(out, "\\u{{{:x}}}", ch as u32);
                }
            }
        } else {
            out.push(ch);
        }
    }
    width(&out[start..])
}

/// `text` escaped for `mode`, as a new string.
pub(crate) fn escaped(text: &str, mode: Escape) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text, mode);
    out
}

/// Display width of already-escaped text (no control characters), as a terminal shows it.
pub fn width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        UnicodeWidthStr::width(text)
    }
}

/// The longest prefix of `text` that fits in `room` columns together with a trailing `…`, and
/// its width. `room` must be at least 1.
pub(crate) fn cut(text: &str, room: usize) -> (&str, usize) {
    let budget = room.saturating_sub(1);
    // Character by character first (linear), then the prefix measured as a whole: a sequence
    // (an emoji with a presentation selector, a ZWJ sequence) may be wider or narrower than the
    // sum of its characters, so characters come off the end until the whole fits.
    let mut used = 0;
    let mut end = text.len();
    for (index, ch) in text.char_indices() {
        let w = ch.width().unwrap_or(0);
        if used + w > budget {
            end = index;
            break;
        }
        used += w;
    }
    let mut prefix = &text[..end];
    loop {
        let w = width(prefix);
        if w <= budget {
            return (prefix, w);
        }
        let mut chars = prefix.chars();
        chars.next_back();
        prefix = chars.as_str();
    }
}

/// `bytes` as UTF-8 text: the SIMD check (simdutf8) first, std's only on failure, for where and
/// why. Several times faster than `std::str::from_utf8` on text that is not ASCII.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) => std::str::from_utf8(bytes),
    }
}

/// A word for a POSIX shell: as it is when it holds only safe characters, else in single quotes
/// (a `'` inside written `'\''`). The one shell quoting rule (file names in suggested commands).
pub(crate) fn shell_word(name: &str) -> String {
    // `=` is safe but first (zsh expands a leading `=word` to a command's path).
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./+,:=@%".contains(c);
    if !name.is_empty() && !name.starts_with('=') && name.chars().all(safe) {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_quote_what_a_shell_would_read_otherwise() {
        assert_eq!(shell_word("data.csv"), "data.csv");
        assert_eq!(shell_word("a=b"), "a=b");
        assert_eq!(shell_word("=data.csv"), "'=data.csv'");
        assert_eq!(shell_word("it's here"), r"'it'\''s here'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("$HOME"), "'$HOME'");
    }

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        let mut out = String::new();
        let w = push_escaped(&mut out, "a\nb\t\u{1b}[31mc\u{202e}", Escape::Terminal);
        assert_eq!(out, "a\\nb\\t\\u{1b}[31mc\\u{202e}");
        assert_eq!(w, out.len());
    }

    #[test]
    fn the_byte_test_finds_exactly_the_characters_escaped() {
        // Every character up to U+2FFF (past all escaped ones), alone and between letters:
        // the fast path and the character-by-character rule agree.
        for mode in [Escape::Terminal, Escape::Markdown] {
            for ch in (0..0x3000u32).filter_map(char::from_u32) {
                let text = format!("a{ch}b");
                let by_char = text.chars().all(|c| {
                    !(c.is_control()
                        || is_bidi_control(c)
                        || (mode == Escape::Markdown
                            && c.is_ascii()
                            && MARKDOWN_SPECIAL.contains(&(c as u8))))
                });
                let expected = by_char.then_some(ch.is_ascii());
                assert_eq!(plain(&text, mode), expected, "{ch:?} {mode:?}");
            }
        }
        assert_eq!(escaped("Zürich · 日本", Escape::Terminal), "Zürich · 日本");
    }

    #[test]
    fn markdown_escapes_pipes_html_and_newlines() {
        assert_eq!(
            escaped("a|b\\c <i>&\r\nd", Escape::Markdown),
            "a\\|b\\\\c &lt;i&gt;&amp;<br>d"
        );
        assert_eq!(
            escaped("[x](u) ![i](u) *a* __b__ ~~c~~ `d` $e$ :smile: WWW.x.y 1.5 a@b.c", Escape::Markdown),
            "\\[x\\](u) \\!\\[i\\](u) \\*a\\* \\_\\_b\\_\\_ \\~\\~c\\~\\~ \\`d\\` \\$e\\$ \\:smile: WWW\\.x.y 1.5 a@<!-- -->b.c"
        );
    }

    #[test]
    fn wide_characters_count_two_columns() {
        assert_eq!(width("日本"), 4);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(cut("日本語", 4), ("日", 2));
        assert_eq!(cut("abcdef", 4), ("abc", 3));
    }

    #[test]
    fn emoji_count_two_columns() {
        assert_eq!(width("🚀"), 2);
        assert_eq!(width("✅ ok"), 5);
        assert_eq!(width("❤\u{fe0f}"), 2);
        assert_eq!(cut("🚀🚀🚀", 5), ("🚀🚀", 4));
        // The selector that makes ❤ two columns wide does not fit: the heart stays, one wide.
        assert_eq!(cut("a❤\u{fe0f}b", 3), ("a❤", 2));
        let mut out = String::new();
        assert_eq!(push_escaped(&mut out, "✅\n🚀", Escape::Terminal), 6);
    }
}
