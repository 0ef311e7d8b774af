//! Positions in the input: byte offsets to 1-based line:column (the one line-ending rule), and
//! JSON pointers to where their value starts in the text.
//!
//! Columns are 1-based and count characters (Unicode scalar values), as editors do. A leading
//! UTF-8 byte-order mark is dropped when reading ([`super::input`]), so positions match what an
//! editor shows.

use super::input::Source;

impl Source {
    /// 1-based line and character column of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.bytes, offset)
    }
}

/// 1-based line and character column of a byte offset in `bytes` (clamped to the end).
///
/// The one line-ending rule every reader and message uses: LF, CRLF and a lone CR each end a
/// line, and CRLF counts once, as editors show it. An offset on the LF of a CRLF belongs to the
/// line the CR ends. Columns count characters (a UTF-8 continuation byte starts none).
pub(crate) fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    Lines::new(bytes).at(offset)
}

/// A sweep that turns byte offsets into line:column by [`line_col`]'s rule, for many offsets in
/// one pass: asked in increasing order, it reads each byte once (an earlier offset restarts it).
pub(crate) struct Lines<'b> {
    bytes: &'b [u8],
    /// How far the sweep has read.
    pos: usize,
    line: usize,
    line_start: usize,
}

impl<'b> Lines<'b> {
    pub(crate) fn new(bytes: &'b [u8]) -> Lines<'b> {
        Lines {
            bytes,
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// 1-based line and character column of `offset` (clamped to the end).
    pub(crate) fn at(&mut self, offset: usize) -> (usize, usize) {
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

/// Escape one token for use in a JSON pointer.
pub(crate) fn pointer_escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
/// Byte offset where the value at `pointer` starts in checked JSON text `bytes` (see
/// [`crate::json::value::locate_pointer`]); `None` when the pointer leads nowhere or the bytes are not
/// text. Run only when there is something to report.
pub(crate) fn locate_pointer(bytes: &[u8], pointer: &str) -> Option<usize> {
    crate::json::value::locate_pointer(crate::text::utf8(bytes).ok()?, pointer)
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
}
