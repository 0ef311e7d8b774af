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
}

impl TablePrinter {
    pub(crate) fn new(width: Option<usize>, color: bool) -> TablePrinter {
        TablePrinter {
            width,
            color,
            started: false,
            attached: false,
            line: Vec::with_capacity(256),
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
        let title = text::escaped(title, Escape::Terminal);
        self.styled(w, Style::Header, &self.fitted(&title))?;
        self.attached = true;
        w.write_all(b"\n")
    }

    fn grid(&mut self, w: &mut dyn Write, grid: &Grid) -> io::Result<()> {
        self.gap(w, true)?;
        self.attached = true;
        let widths = fit(grid, self.width);
        let last = widths.len().saturating_sub(1);
        let color = self.color;

        // Titles.
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        let titles = grid
            .titles
            .headers
            .iter()
            .enumerate()
            .map(|(c, title)| Piece {
                text: title,
                width: grid.titles.widths[c],
                style: Style::Header,
                right: c == 0 && title == "#",
            });
        let limit = self.width;
        let titled = put_row(&mut line, &widths, titles, color, limit);
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
        w.write_all(&line)?;

        let result = grid.each_row(|row| {
            line.clear();
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
            w.write_all(&line)
        });
        self.line = line;
        result
    }

    fn note(&mut self, w: &mut dyn Write, text: &str) -> io::Result<()> {
        self.gap(w, true)?;
        writeln!(w, "{}", self.fitted(&text::escaped(text, Escape::Terminal)))
    }

    fn messages(&mut self, w: &mut dyn Write, groups: &[Group]) -> io::Result<()> {
        self.gap(w, false)?;
        self.styled_line(w, "", (Style::Header, "warnings and errors"), "")?;
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

/// Append one line: the cells separated by ` │ `, each cut and padded to its column's width
/// (the last column is not padded on the right), then a newline. Returns the line's display
/// width and whether it was cut.
///
/// With a `limit`, the line never gets wider: the cells that fit are put as they are, and the
/// first that does not is cut to the room left, or, when it is a number (a number is never cut
/// into another number) or too little room is left, replaced by `…`; the cells after it are not
/// shown. One column is kept free for that `…` while more cells follow.
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
    for (c, (piece, &width)) in cells.zip(widths).enumerate() {
        let gap = if c == 0 { 0 } else { separator };
        // What the cell takes when put whole: its column, or for the last (not padded on the
        // right) its text, with the padding of a right-aligned one.
        let whole = if c != last || piece.right {
            width.max(piece.width * usize::from(piece.style == Style::Number))
        } else if piece.style == Style::Number {
            piece.width
        } else {
            piece.width.min(width)
        };
        let reserve = usize::from(c != last);
        if limit.is_none_or(|limit| used + gap + whole + reserve <= limit) {
            if c != 0 {
                line.extend_from_slice(SEPARATOR.as_bytes());
            }
            used += gap + put(line, &piece, width, c == last, color);
            continue;
        }
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
    line.push(b'\n');
    (used, false)
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
        line.resize(line.len() + pad, b' ');
        appended += pad;
    }
    let ansi = if color { piece.style.ansi() } else { "" };
    line.extend_from_slice(ansi.as_bytes());
    line.extend_from_slice(shown.as_bytes());
    if ellipsis {
        line.extend_from_slice("…".as_bytes());
    }
    if !ansi.is_empty() {
        line.extend_from_slice(b"\x1b[0m");
    }
    if !piece.right && !last {
        line.resize(line.len() + pad, b' ');
        appended += pad;
    }
    appended
}

/// Column widths: natural (widest cell or title), then, when a width limit is given and the grid
/// is wider, the widest columns are capped at one common width (never below [`MIN_COLUMN`], nor
/// below the column's widest number: numbers are never cut) so the grid fits. The first column (`#` or `key`) is never shrunk.
fn fit(grid: &Grid, limit: Option<usize>) -> Vec<usize> {
    let columns = grid.columns();
    let mut widths = grid.titles.widths.clone();
    // The widest number of each column: a column is never made narrower (numbers are not cut).
    let mut numbers = vec![0; columns];
    let _ = grid.each_row(|row| {
        for (c, (width, number)) in widths.iter_mut().zip(&mut numbers).enumerate() {
            let (_, span) = row.cell(c);
            *width = (*width).max(span.width);
            if span.style == Style::Number {
                *number = (*number).max(span.width);
            }
        }
        Ok(())
    });
    let Some(limit) = limit else {
        return widths;
    };
    let separators = SEPARATOR_WIDTH * columns.saturating_sub(1);
    let total: usize = widths.iter().sum::<usize>() + separators;
    if total <= limit || columns < 2 {
        return widths;
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
    widths
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
        assert_eq!(fit(&g, None), vec![1, 20, 2]);
        let widths = fit(&g, Some(16));
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
}
