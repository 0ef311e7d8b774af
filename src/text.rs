//! Text for people: escaping what must not reach a terminal or a markdown table, display width
//! (wide East Asian characters and emoji count two, combining marks zero) and cutting to a width
//! with `…`. Used by the renderers, the validator's text reports and the error printer, so it sits
//! below all of them.

use std::fmt::Write as _;

/// How text is made safe for the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// Control characters (newline and tab included) and bidirectional overrides are written as
    /// Rust-style escapes (`\n`, `\u{1b}`), so hostile input cannot drive the terminal or break
    /// the grid.
    Terminal,
    /// As `Terminal`, and in addition `|` `\` `<` `>` `&` are escaped and newlines become `<br>`,
    /// so the text stays inside one GitHub-flavoured markdown table cell.
    Markdown,
}

/// True for characters that reorder text when displayed (bidi embeddings, overrides, isolates).
pub fn is_bidi_control(ch: char) -> bool {
    matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Append `text` to `out`, escaped for `mode`; returns the display width of what was appended.
pub fn push_escaped(out: &mut String, text: &str, mode: Escape) -> usize {
    // Fast path: printable ASCII with nothing to escape is copied as it is.
    let plain = text.bytes().all(|b| match mode {
        Escape::Terminal => (0x20..0x7f).contains(&b),
        Escape::Markdown => (0x20..0x7f).contains(&b) && !b"|\\<>&".contains(&b),
    });
    if plain {
        out.push_str(text);
        return text.len();
    }
    let mut width = 0;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        if mode == Escape::Markdown {
            let replacement = match ch {
                '|' => Some("\\|"),
                '\\' => Some("\\\\"),
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
                width += replacement.len();
                continue;
            }
        }
        if ch.is_control() || is_bidi_control(ch) {
            let start = out.len();
            match ch {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                _ => {
                    let _ = write!(out, "\\u{{{:x}}}", ch as u32);
                }
            }
            width += out.len() - start;
        } else {
            out.push(ch);
            width += char_width(ch);
        }
    }
    width
}

/// `text` escaped for `mode`, as a new string.
pub fn escaped(text: &str, mode: Escape) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text, mode);
    out
}

/// Columns a character takes on a terminal: 0 for combining marks and zero-width characters, 2
/// for wide East Asian characters and emoji, 1 otherwise. A cheap approximation of UAX #11 that
/// covers the common ranges.
pub fn char_width(ch: char) -> usize {
    let c = ch as u32;
    if c < 0x300 {
        return 1;
    }
    match c {
        0x300..=0x36f | 0x200b..=0x200d | 0x20d0..=0x20ff | 0xfe00..=0xfe0f | 0xfe20..=0xfe2f => 0,
        0x1100..=0x115f
        | 0x2e80..=0x303e
        | 0x3041..=0x33ff
        | 0x3400..=0x4dbf
        | 0x4e00..=0x9fff
        | 0xa000..=0xa4cf
        | 0xac00..=0xd7a3
        | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f
        | 0xff00..=0xff60
        | 0xffe0..=0xffe6
        | 0x1f300..=0x1f64f
        | 0x1f900..=0x1f9ff
        | 0x20000..=0x3fffd => 2,
        _ => 1,
    }
}

/// Display width of already-escaped text.
pub fn width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().map(char_width).sum()
    }
}

/// The longest prefix of `text` that fits in `room` columns together with a trailing `…`, and
/// its width. `room` must be at least 1.
pub fn cut(text: &str, room: usize) -> (&str, usize) {
    let budget = room.saturating_sub(1);
    let mut used = 0;
    for (index, ch) in text.char_indices() {
        let w = char_width(ch);
        if used + w > budget {
            return (&text[..index], used);
        }
        used += w;
    }
    (text, used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        let mut out = String::new();
        let w = push_escaped(&mut out, "a\nb\t\u{1b}[31mc\u{202e}", Escape::Terminal);
        assert_eq!(out, "a\\nb\\t\\u{1b}[31mc\\u{202e}");
        assert_eq!(w, out.len());
    }

    #[test]
    fn markdown_escapes_pipes_html_and_newlines() {
        assert_eq!(
            escaped("a|b\\c <i>&\r\nd", Escape::Markdown),
            "a\\|b\\\\c &lt;i&gt;&amp;<br>d"
        );
    }

    #[test]
    fn wide_characters_count_two_columns() {
        assert_eq!(width("日本"), 4);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(cut("日本語", 4), ("日", 2));
        assert_eq!(cut("abcdef", 4), ("abc", 3));
    }
}
