//! The terminal format: a hand-rolled grid (`#  │ key │ key`, a `─┼─` rule under the titles)
//! fitted to a width by shrinking the widest columns first and cutting their cells with `…`
//! (never a number: a column is not made narrower than its widest number). With a width, no line
//! is wider: a row that still does not fit stops with ` …` before the first cell it cannot hold
//! (a number is left out whole, never cut), and the other lines are cut with `…`.
//! Hand-rolled rather than comfy-table so escape codes never enter the width computation and a
//! 100,000-row grid stays a few allocations. Color: titles bold, `null` dim, nested tables cyan,
//! `ok` green, warnings yellow, errors red.

use std::borrow::Cow;
use std::io::{self, Write};

use super::{message_details, Grid, Group, Printer, Style};
use crate::body::Message;
use crate::text::{self, Escape};

/// Between two columns.
const SEPARATOR: &str = " │ ";
/// [`SEPARATOR`]'s display width (not measured per row: `│` is not ASCII).
const SEPARATOR_WIDTH: usize = 3;
/// A column is not shrunk below this many characters (or its natural width when smaller).
const MIN_COLUMN: usize = 5;

#[derive(Clone)]
pub(crate) struct TablePrinter {
    width: Option<usize>,
    color: bool,
    started: bool,
    /// The last block was a title or a grid: a grid or note follows without a blank line.
    attached: bool,
    line: Vec<u8>,
    /// The column widths of the grid being drawn (kept for the next grid's).
    widths: Vec<usize>,
    /// The last grids' titles' lines and rules ([`TablePrinter::put_head`]), newest last.
    heads: Vec<Head>,
    /// A nested table's title as it is written (kept for the next title's).
    title: String,
}

/// How many grids' titles' lines and rules a [`TablePrinter`] keeps.
const HEADS: usize = 4;

/// Rows are written out once this many bytes of them are laid out.
const FLUSH_AT: usize = 16 << 10;

/// A grid's titles' line and rule as laid out for columns of `widths`.
#[derive(Clone)]
struct Head {
    headers: Vec<String>,
    widths: Vec<usize>,
    lines: Vec<u8>,
}

impl TablePrinter {
    pub(crate) fn new(width: Option<usize>, color: bool) -> TablePrinter {
        TablePrinter {
            width,
            color,
            started: false,
            attached: false,
            line: Vec::with_capacity(256),
            widths: Vec::new(),
            heads: Vec::new(),
            title: String::new(),
        }
    }

    /// A blank line between blocks (not before the first). A grid or note right after a title
    /// or grid (`attach`) gets none.
    fn gap(&mut self, w: &mut dyn Write, attach: bool) -> io::Result<()> {
        if self.started && !(attach && self.attached) {
            w.write_all(b"\n")?;
        }
        self.started = true;
        self.attached = false;
        Ok(())
    }

    fn styled(&self, w: &mut dyn Write, style: Style, text: &str) -> io::Result<()> {
        let ansi = style.ansi();
        if self.color && !ansi.is_empty() {
            write!(w, "{ansi}{text}\x1b[0m")
        } else {
            w.write_all(text.as_bytes())
        }
    }

    /// `line` (escaped, no color) cut to the width with `…` when it is wider.
    fn fitted<'t>(&self, line: &'t str) -> Cow<'t, str> {
        match self.width {
            // Display width never exceeds the byte length (wide characters take 3 or 4 bytes).
            Some(limit) if line.len() > limit && text::width(line) > limit => {
                let (prefix, _) = text::cut(line, limit.max(1));
                Cow::Owned(format!("{prefix}…"))
            }
            _ => Cow::Borrowed(line),
        }
    }

    /// Write `before`, `styled` (in `style`) and `after` as one line cut to the width: when it
    /// must be cut, it goes out plain.
    fn styled_line(
        &self,
        w: &mut dyn Write,
        before: &str,
        (style, styled): (Style, &str),
        after: &str,
    ) -> io::Result<()> {
        let whole = format!("{before}{styled}{after}");
        match self.fitted(&whole) {
            Cow::Borrowed(_) => {
                w.write_all(before.as_bytes())?;
                self.styled(w, style, styled)?;
                w.write_all(after.as_bytes())?;
            }
            Cow::Owned(cut) => w.write_all(cut.as_bytes())?,
        }
        w.write_all(b"\n")
    }

    /// Append a grid's titles' line and the rule under it, for columns of `widths`: copied from
    /// [`TablePrinter::heads`] when a grid before had the same titles and widths (the nested
    /// tables of one header, one after another), else laid out and kept there.
    fn put_head(&mut self, line: &mut Vec<u8>, grid: &Grid, widths: &[usize]) {
        let headers = &grid.titles.headers;
        let same = |head: &&Head| head.widths == widths && head.headers == *headers;
        if let Some(head) = self.heads.iter().find(same) {
            line.extend_from_slice(&head.lines);
            return;
        }
        let start = line.len();
        let last = widths.len().saturating_sub(1);
        let titles = headers.iter().enumerate().map(|(c, title)| Piece {
            text: title,
            width: grid.titles.widths[c],
            style: Style::Header,
            right: c == 0 && title == "#",
        });
        let limit = self.width;
        let titled = put_row(line, widths, titles, self.color, limit);
        // Rule: as wide as the grid, or as the titles' line when that was cut.
        let (titled, cut) = titled;
        let full: usize =
            widths.iter().sum::<usize>() + SEPARATOR_WIDTH * widths.len().saturating_sub(1);
        let rule_width = if cut {
            titled
        } else {
            full.min(limit.unwrap_or(usize::MAX).max(1))
        };
        let rule = widths.iter().enumerate().flat_map(|(c, &width)| {
            let between: &[&str] = if c == last {
                &[]
            } else {
                &["─", "┼", "─"]
            };
            std::iter::repeat_n("─", width).chain(between.iter().copied())
        });
        for piece in rule.take(rule_width) {
            line.extend_from_slice(piece.as_bytes());
        }
        line.push(b'\n');
        let head = Head {
            headers: headers.clone(),
            widths: widths.to_vec(),
            lines: line[start..].to_vec(),
        };
        if self.heads.len() == HEADS {
            self.heads.remove(0);
        }
        self.heads.push(head);
    }

    fn message(&self, w: &mut dyn Write, style: Style, message: &Message) -> io::Result<()> {
        let label = if style == Style::Error {
            "error  "
        } else {
            "warning"
        };
        let mut rest = String::from("  ");
        if let Some(path) = message.source_path() {
            rest.push_str(&text::escaped(&path, Escape::Terminal));
            rest.push_str(": ");
        }
        let body = message
            .message()
            .unwrap_or_else(|| "(no message)".to_string());
        rest.push_str(&text::escaped(&body, Escape::Terminal));
        self.styled_line(w, "  ", (style, label), &rest)?;
        let details = message_details(message);
        if !details.is_empty() {
            let line: Vec<String> = details.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            let line = format!(
                "           {}",
                text::escaped(&line.join(", "), Escape::Terminal)
            );
            writeln!(w, "{}", self.fitted(&line))?;
        }
        Ok(())
    }
}

impl Printer for TablePrinter {
    fn fork(&self) -> Box<dyn Printer + Send> {
        Box::new(TablePrinter {
            started: true,
            ..self.clone()
        })
    }

    fn escape(&self) -> Escape {
        Escape::Terminal
    }

    fn summary(&mut self, w: &mut dyn Write, text: &str) -> io::Result<()> {
        self.gap(w, false)?;
        writeln!(w, "{}", self.fitted(&text::escaped(text, Escape::Terminal)))
    }

    fn title(&mut self, w: &mut dyn Write, title: &str) -> io::Result<()> {
        self.gap(w, false)?;
        self.attached = true;
        let mut escaped = std::mem::take(&mut self.title);
        escaped.clear();
        super::push_text(&mut escaped, title, Escape::Terminal);
        let written = match self.fitted(&escaped) {
            // Plain and whole: the title and its newline in one write.
            Cow::Borrowed(_) if !self.color => {
                escaped.push('\n');
                w.write_all(escaped.as_bytes())
            }
            fitted => self
                .styled(w, Style::Header, &fitted)
                .and_then(|()| w.write_all(b"\n")),
        };
        self.title = escaped;
        written
    }

    fn grid(&mut self, w: &mut dyn Write, grid: &Grid) -> io::Result<()> {
        self.gap(w, true)?;
        self.attached = true;
        let mut widths = std::mem::take(&mut self.widths);
        fit(grid, self.width, &mut widths);
        let color = self.color;
        let limit = self.width;

        let mut line = std::mem::take(&mut self.line);
        line.clear();
        self.put_head(&mut line, grid, &widths);
        let result = grid.each_row(|row| {
            let cells = (0..widths.len()).map(|c| {
                let (text, span) = row.cell(c);
                Piece {
                    text,
                    width: span.width,
                    style: span.style,
                    right: span.style == Style::Number,
                }
            });
            put_row(&mut line, &widths, cells, color, limit);
            if line.len() >= FLUSH_AT {
                w.write_all(&line)?;
                line.clear();
            }
            Ok(())
        });
        let result = result.and_then(|()| w.write_all(&line));
        self.line = line;
        self.widths = widths;
        result
    }

    fn note(&mut self, w: &mut dyn Write, text: &str) -> io::Result<()> {
        self.gap(w, true)?;
        writeln!(w, "{}", self.fitted(&text::escaped(text, Escape::Terminal)))
    }

    fn messages(&mut self, w: &mut dyn Write, groups: &[Group], heading: bool) -> io::Result<()> {
        if heading {
            self.gap(w, false)?;
            self.styled_line(w, "", (Style::Header, "warnings and errors"), "")?;
        }
        for group in groups {
            let status = super::status_text(group.errors.len(), group.warnings.len());
            let style = super::status_style(group.errors.len(), group.warnings.len());
            let label = format!("{}: ", text::escaped(&group.label, Escape::Terminal));
            self.styled_line(w, &label, (style, &status), "")?;
            for message in &group.errors {
                self.message(w, Style::Error, message)?;
            }
            for message in &group.warnings {
                self.message(w, Style::Warning, message)?;
            }
        }
        Ok(())
    }
}

/// A cell to lay out: escaped text, its display width, style and alignment.
struct Piece<'a> {
    text: &'a str,
    width: usize,
    style: Style,
    right: bool,
}

/// Spaces on both sides of [`SEPARATOR`]: a cell's right padding, the separator and the next
/// cell's left padding go out in one copy ([`spaces_around`]).
const PAD: usize = 64;
const JOINT: [u8; 2 * PAD + SEPARATOR.len()] = {
    let mut joint = [b' '; 2 * PAD + SEPARATOR.len()];
    let separator = SEPARATOR.as_bytes();
    let mut i = 0;
    while i < separator.len() {
        joint[PAD + i] = separator[i];
        i += 1;
    }
    joint
};

/// Append `n` spaces.
#[inline]
fn spaces(line: &mut Vec<u8>, n: usize) {
    match JOINT.get(..n).filter(|_| n <= PAD) {
        Some(run) => line.extend_from_slice(run),
        None => line.resize(line.len() + n, b' '),
    }
}

/// Append `before` spaces, [`SEPARATOR`] when `separator`, then `after` spaces.
#[inline]
fn spaces_around(line: &mut Vec<u8>, before: usize, separator: bool, after: usize) {
    if !separator {
        spaces(line, before + after);
    } else if before <= PAD && after <= PAD {
        line.extend_from_slice(&JOINT[PAD - before..PAD + SEPARATOR.len() + after]);
    } else {
        spaces(line, before);
        line.extend_from_slice(SEPARATOR.as_bytes());
        spaces(line, after);
    }
}

/// Append one line: the cells separated by ` │ `, each cut and padded to its column's width
/// (the last column is not padded on the right), then a newline. Returns the line's display
/// width and whether it was cut.
///
/// With a `limit`, the line never gets wider: the cells that fit are put as they are, and the
/// first that does not is cut to the room left, or, when it is a number (a number is never cut
/// into another number) or too little room is left, replaced by `…`; the cells after it are not
/// shown. One column is kept free for that `…` while more cells follow.
///
/// A cell shown whole (most are) goes out as its text and the spaces around it; the spaces after
/// one cell, the separator and the spaces before the next are one copy.
fn put_row<'a>(
    line: &mut Vec<u8>,
    widths: &[usize],
    cells: impl Iterator<Item = Piece<'a>>,
    color: bool,
    limit: Option<usize>,
) -> (usize, bool) {
    let last = widths.len().saturating_sub(1);
    let separator = SEPARATOR_WIDTH;
    let mut used = 0;
    // The right padding of the cell before, not yet written (it goes out with the separator).
    let mut owed = 0;
    for (c, (piece, &width)) in cells.zip(widths).enumerate() {
        let gap = if c == 0 { 0 } else { separator };
        let number = piece.style == Style::Number;
        // What the cell takes when put whole: its column, or for the last (not padded on the
        // right) its text, with the padding of a right-aligned one.
        let whole = if c != last || piece.right {
            width.max(piece.width * usize::from(number))
        } else if number {
            piece.width
        } else {
            piece.width.min(width)
        };
        let reserve = usize::from(c != last);
        if limit.is_none_or(|limit| used + gap + whole + reserve <= limit) {
            if piece.width <= width || number {
                // Shown whole: padded on its left when right-aligned, else on its right unless
                // it is the last.
                let pad = width.saturating_sub(piece.width);
                let (before, after) = match (piece.right, c != last) {
                    (true, _) => (pad, 0),
                    (false, true) => (0, pad),
                    (false, false) => (0, 0),
                };
                spaces_around(line, owed, c != 0, before);
                put_styled(line, piece.text, false, piece.style, color);
                owed = after;
                used += gap + before + piece.width + after;
            } else {
                spaces_around(line, owed, c != 0, 0);
                owed = 0;
                used += gap + put(line, &piece, width, c == last, color);
            }
            continue;
        }
        spaces(line, owed);
        let room = limit.unwrap_or(0).max(1).saturating_sub(used);
        if piece.style != Style::Number && room >= gap + 2 {
            if c != 0 {
                line.extend_from_slice(SEPARATOR.as_bytes());
            }
            // Cut to the room left less one column for the `…` of the cells after it; a cut
            // cell ends in its own `…`.
            let room_for_text = room - gap - usize::from(c != last);
            used += gap + put(line, &piece, room_for_text, true, color);
            if c != last && piece.width <= room_for_text {
                line.extend_from_slice("…".as_bytes());
                used += 1;
            }
        } else {
            // The cells from here on are left out: ` …` says so (`…` alone when one column is
            // all that is left).
            let mark = if room >= 2 && c != 0 { " …" } else { "…" };
            line.extend_from_slice(mark.as_bytes());
            used += text::width(mark);
        }
        line.push(b'\n');
        return (used, true);
    }
    spaces(line, owed);
    line.push(b'\n');
    (used, false)
}

/// Append `text` (then `…` when `ellipsis`) in `style`'s color when `color`.
#[inline]
fn put_styled(line: &mut Vec<u8>, text: &str, ellipsis: bool, style: Style, color: bool) {
    let ansi = if color { style.ansi() } else { "" };
    if !ansi.is_empty() {
        line.extend_from_slice(ansi.as_bytes());
    }
    line.extend_from_slice(text.as_bytes());
    if ellipsis {
        line.extend_from_slice("…".as_bytes());
    }
    if !ansi.is_empty() {
        line.extend_from_slice(b"\x1b[0m");
    }
}

/// Append one cell, cut to `width` with `…` when longer, padded unless it is the last column.
/// A number is never cut: one wider than its column is shown whole ([`put_row`] leaves it out
/// when the line cannot hold it).
/// Returns the display width appended.
fn put(line: &mut Vec<u8>, piece: &Piece, width: usize, last: bool, color: bool) -> usize {
    let (shown, shown_width, ellipsis) = if piece.width <= width || piece.style == Style::Number {
        (piece.text, piece.width, false)
    } else if width == 0 {
        ("", 0, false)
    } else {
        let (prefix, w) = text::cut(piece.text, width);
        (prefix, w + 1, true)
    };
    let pad = width.saturating_sub(shown_width);
    let mut appended = shown_width;
    if piece.right {
        spaces(line, pad);
        appended += pad;
    }
    put_styled(line, shown, ellipsis, piece.style, color);
    if !piece.right && !last {
        spaces(line, pad);
        appended += pad;
    }
    appended
}

/// Column widths: natural (widest cell or title), then, when a width limit is given and the grid
/// is wider, the widest columns are capped at one common width (never below [`MIN_COLUMN`], nor
/// below the column's widest number: numbers are never cut) so the grid fits. The first column (`#` or `key`) is never shrunk.
/// Written into `widths` (its allocation reused from grid to grid).
fn fit(grid: &Grid, limit: Option<usize>, widths: &mut Vec<usize>) {
    let columns = grid.columns();
    widths.clear();
    widths.extend_from_slice(&grid.titles.widths);
    // The widest number of each column, needed only to fit a limit: a column is never made
    // narrower (numbers are not cut).
    let mut numbers = vec![0; if limit.is_some() { columns } else { 0 }];
    let _ = grid.each_row(|row| {
        for (c, width) in widths.iter_mut().enumerate() {
            *width = (*width).max(row.cell(c).1.width);
        }
        for (c, number) in numbers.iter_mut().enumerate() {
            let (_, span) = row.cell(c);
            if span.style == Style::Number {
                *number = (*number).max(span.width);
            }
        }
        Ok(())
    });
    let Some(limit) = limit else {
        return;
    };
    let separators = SEPARATOR_WIDTH * columns.saturating_sub(1);
    let total: usize = widths.iter().sum::<usize>() + separators;
    if total <= limit || columns < 2 {
        return;
    }
    let available = limit.saturating_sub(separators + widths[0]);
    let rest = &mut widths[1..];
    let numbers = &numbers[1..];
    // A column's narrowest: MIN_COLUMN (or less when it is narrower), and its widest number.
    let floors: Vec<usize> = rest
        .iter()
        .zip(numbers)
        .map(|(&w, &n)| w.min(MIN_COLUMN).max(n))
        .collect();
    let used = |cap: usize, rest: &[usize]| -> usize {
        rest.iter()
            .zip(&floors)
            .map(|(&w, &floor)| w.min(cap).max(floor))
            .sum()
    };
    // The largest cap that fits (binary search; `used` grows with `cap`).
    let (mut low, mut high) = (0, rest.iter().copied().max().unwrap_or(0));
    while low < high {
        let mid = (low + high).div_ceil(2);
        if used(mid, rest) <= available {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    let cap = low;
    let mut spare = available.saturating_sub(used(cap, rest));
    for (w, &floor) in rest.iter_mut().zip(&floors) {
        let natural = *w;
        *w = natural.min(cap).max(floor);
        if natural > *w && spare > 0 {
            *w += 1;
            spare -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Built, Grid, Row};
    use super::*;

    #[test]
    fn the_separator_width_is_the_separators() {
        assert_eq!(text::width(SEPARATOR), SEPARATOR_WIDTH);
    }

    fn rows(rows: &[&[&str]]) -> Built {
        Built(
            rows.iter()
                .map(|cells| {
                    let mut row = Row::new(Escape::Terminal);
                    for cell in *cells {
                        row.push(cell, Style::Plain);
                    }
                    row
                })
                .collect(),
        )
    }

    #[test]
    fn widths_fit_the_limit_by_shrinking_the_widest() {
        let body = rows(&[&["1", "xxxxxxxxxxxxxxxxxxxx", "yy"]]);
        let g = Grid::new(Escape::Terminal, ["#", "a", "b"].map(String::from), &body);
        let fitted = |limit| {
            let mut widths = vec![7; 9];
            fit(&g, limit, &mut widths);
            widths
        };
        assert_eq!(fitted(None), vec![1, 20, 2]);
        let widths = fitted(Some(16));
        assert_eq!(widths.iter().sum::<usize>() + 6, 16, "{widths:?}");
        assert_eq!(widths, vec![1, 7, 2]);
    }

    #[test]
    fn cut_cells_end_with_an_ellipsis_and_keep_alignment() {
        let piece = |text, right| Piece {
            text,
            width: 6.min(text.len()),
            style: Style::Plain,
            right,
        };
        let mut line = Vec::new();
        put(&mut line, &piece("abcdef", false), 4, false, false);
        assert_eq!(String::from_utf8(line).unwrap(), "abc…");
        let mut line = Vec::new();
        put(&mut line, &piece("ab", true), 4, false, false);
        assert_eq!(String::from_utf8(line).unwrap(), "  ab");
    }

    /// Escaped cell texts of awkward shapes: empty, ASCII, Latin, wide, emoji sequences, long.
    const TEXTS: &[&str] = &[
        "",
        "a",
        "Zürich",
        "日本語テキスト",
        "emoji 😀👍🏽",
        "\\n\\u{1b}",
        "-12.5e3",
        "12345678901234567890",
        "[table 3×3]",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "üüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüü",
    ];
    const STYLES: &[Style] = &[Style::Plain, Style::Number, Style::Null, Style::Table];

    /// Cells (text, style, right-aligned) and their columns' widths: some narrower than their
    /// cells, some wider than the joint's spaces ([`PAD`]).
    fn row_strategy(
    ) -> impl proptest::strategy::Strategy<Value = (Vec<(usize, usize, bool)>, Vec<usize>)> {
        use proptest::prelude::*;
        (1usize..7).prop_flat_map(|n| {
            (
                proptest::collection::vec((0..TEXTS.len(), 0..STYLES.len(), any::<bool>()), n),
                proptest::collection::vec(prop_oneof![0usize..16, 60usize..140], n),
            )
        })
    }

    fn pieces(cells: &[(usize, usize, bool)]) -> Vec<Piece<'static>> {
        cells
            .iter()
            .map(|&(t, s, right)| Piece {
                text: TEXTS[t],
                width: text::width(TEXTS[t]),
                style: STYLES[s],
                right,
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Without a limit, a row is each cell put by itself ([`put`], the way a cut cell goes
        /// out) between separators: the whole cells' text and the spaces around them written
        /// in one copy ([`spaces_around`]) give the same bytes and width.
        #[test]
        fn a_row_is_its_cells_put_one_by_one((cells, widths) in row_strategy(), color: bool) {
            let pieces = pieces(&cells);
            let mut line = Vec::new();
            let (width, cut) = put_row(&mut line, &widths, pieces.iter().map(|p| Piece { ..*p }), color, None);
            let (mut expected, mut expected_width) = (Vec::new(), 0);
            for (c, piece) in pieces.iter().enumerate() {
                if c > 0 {
                    expected.extend_from_slice(SEPARATOR.as_bytes());
                    expected_width += SEPARATOR_WIDTH;
                }
                expected_width += put(&mut expected, piece, widths[c], c + 1 == widths.len(), color);
            }
            expected.push(b'\n');
            proptest::prop_assert_eq!(String::from_utf8_lossy(&line), String::from_utf8_lossy(&expected));
            proptest::prop_assert_eq!((width, cut), (expected_width, false));
        }

        /// With a limit, a row that fits is the row without one; one that does not is no wider
        /// than the limit and starts as the row without one does, up to the cell it cuts.
        #[test]
        fn a_limited_row_is_the_row_cut_to_the_limit((cells, widths) in row_strategy(), limit in 1usize..200) {
            let pieces = pieces(&cells);
            let put_with = |limit| {
                let mut line = Vec::new();
                let (width, cut) = put_row(&mut line, &widths, pieces.iter().map(|p| Piece { ..*p }), false, limit);
                (String::from_utf8(line).expect("UTF-8"), width, cut)
            };
            let (whole, whole_width, _) = put_with(None);
            let (limited, width, cut) = put_with(Some(limit));
            proptest::prop_assert_eq!(text::width(limited.trim_end_matches('\n')), width);
            if whole_width <= limit {
                // (It may count as cut: a cell of wide characters cut to its column can be
                // narrower than its column, and the limit is checked against the column.)
                proptest::prop_assert_eq!(&limited, &whole);
            } else {
                proptest::prop_assert!(width <= limit && cut, "{limited:?} is {width} wide");
                // The cells before the one it cut are as without a limit.
                let shown = limited.trim_end_matches('\n').split(SEPARATOR).count();
                let before: Vec<&str> = whole.split(SEPARATOR).take(shown - 1).collect();
                proptest::prop_assert!(limited.starts_with(&before.join(SEPARATOR)));
            }
        }
    }

    /// A row exactly as wide as the limit, whose last cell is cut to its column before a wide
    /// character (so narrower than the column, which the limit is checked against): the row
    /// without a limit (a case the property above found).
    #[test]
    fn a_row_as_wide_as_the_limit_is_the_row_without_one() {
        let cells = [
            (0, 0, false),
            (0, 0, false),
            (4, 1, false),
            (0, 0, false),
            (0, 0, false),
        ];
        let mut cells = cells.to_vec();
        cells.push((3, 2, false));
        let widths = [15, 5, 0, 9, 93, 8];
        let pieces = pieces(&cells);
        let put_with = |limit| {
            let mut line = Vec::new();
            let each = pieces.iter().map(|p| Piece { ..*p });
            put_row(&mut line, &widths, each, false, limit);
            String::from_utf8(line).unwrap()
        };
        let whole = put_with(None);
        assert_eq!(text::width(whole.trim_end()), 154, "{whole:?}");
        assert_eq!(put_with(Some(154)), whole);
    }

    /// A grid drawn after others is drawn as by a printer that drew nothing before (titles'
    /// lines and rules are kept for the next grid of the same titles and widths): grids of one
    /// header and other widths, of another header, and of the first again, with and without a
    /// width and color, more rows than are laid out before they are written.
    #[test]
    fn a_grid_is_drawn_the_same_whatever_was_drawn_before() {
        let narrow = rows(&[&["1", "ab", "c"], &["2", "d", "e"]]);
        let wide = rows(&[&["1", "abcdefgh", "c"]]);
        let long: Vec<[String; 3]> = (0..3000)
            .map(|i| [i.to_string(), "Zürich".repeat(i % 5), "x".into()])
            .collect();
        let long = Built(
            long.iter()
                .map(|cells| {
                    let mut row = Row::new(Escape::Terminal);
                    cells.iter().for_each(|c| row.push(c, Style::Plain));
                    row
                })
                .collect(),
        );
        let other = rows(&[&["1", "ab", "c", "d"]]);
        let one: Vec<String> = ["#", "a", "b"].map(String::from).to_vec();
        let two: Vec<String> = ["#", "a", "b", "c"].map(String::from).to_vec();
        let grids = [
            (&one, &narrow),
            (&one, &wide),
            (&two, &other),
            (&one, &narrow),
            (&one, &long),
            (&one, &wide),
            (&one, &narrow),
        ];
        for (width, color) in [(None, false), (Some(12), true), (Some(30), false)] {
            let draw = |printer: &mut TablePrinter, headers: &Vec<String>, body: &Built| {
                let mut out = Vec::new();
                let grid = Grid::new(Escape::Terminal, headers.iter().cloned(), body);
                printer.grid(&mut out, &grid).unwrap();
                String::from_utf8(out).unwrap()
            };
            let mut printer = TablePrinter::new(width, color);
            for (i, &(headers, body)) in grids.iter().enumerate() {
                let drawn = draw(&mut printer, headers, body);
                let fresh = draw(&mut TablePrinter::new(width, color), headers, body);
                // (A grid right after a grid gets no blank line before it.)
                assert_eq!(drawn, fresh, "grid {i}, width {width:?}");
            }
        }
    }
}
