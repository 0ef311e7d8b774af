//! Rows a grid formatted on its first walk, kept compactly and replayed on the next walk (a
//! printer walks a grid twice: once for the column widths, once to draw), within a memory bound.

use super::{Row, Span, Style};

/// At most this many bytes are kept: past it the store gives up and the rows are formatted
/// again on the next walk (what a grid of any size costs without the store), so memory stays
/// bounded on a body of any size.
pub(crate) const KEPT_BYTES: usize = 32 << 20;

/// One kept cell: where it is in the row's text, its display width and style.
#[derive(Clone, Copy)]
struct KeptCell {
    start: u32,
    end: u32,
    width: u32,
    style: Style,
}

/// Rows kept in walk order: all texts in one string, all cells in one list.
#[derive(Default)]
pub(crate) struct KeptRows {
    text: String,
    cells: Vec<KeptCell>,
    /// Per row: where its text and its cells end.
    ends: Vec<(usize, usize)>,
    /// Too large (or a cell too long to keep): nothing is kept.
    given_up: bool,
    /// At most this many bytes are kept ([`KEPT_BYTES`]).
    limit: usize,
}

impl KeptRows {
    /// A store that keeps at most `limit` bytes.
    pub(crate) fn within(limit: usize) -> KeptRows {
        KeptRows {
            limit,
            ..KeptRows::default()
        }
    }

    /// Keep a copy of `row` (the next in walk order); false once the store has given up.
    pub(crate) fn keep(&mut self, row: &Row) -> bool {
        if self.given_up {
            return false;
        }
        let fits = row.text.len() <= u32::MAX as usize
            && self.bytes() + row.text.len() + row.cells.len() * size_of::<KeptCell>()
                <= self.limit;
        if !fits {
            self.give_up();
            return false;
        }
        let kept = row.cells.iter().map(|span| KeptCell {
            start: span.start as u32,
            end: span.end as u32,
            width: span.width.min(u32::MAX as usize) as u32,
            style: span.style,
        });
        self.cells.extend(kept);
        self.text.push_str(&row.text);
        self.ends.push((self.text.len(), self.cells.len()));
        true
    }

    /// The bound this store keeps within.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Append the rows `more` kept (the rows after these, walked on another thread); giving up
    /// when either store did or both together pass the bound.
    pub(crate) fn append(&mut self, more: KeptRows) {
        if self.given_up || more.given_up || self.bytes() + more.bytes() > self.limit {
            self.give_up();
            return;
        }
        let (text, cells) = (self.text.len(), self.cells.len());
        self.text.push_str(&more.text);
        self.cells.extend(more.cells);
        let ends = more.ends.iter().map(|&(t, c)| (t + text, c + cells));
        self.ends.extend(ends);
    }

    /// Drop what is kept and keep nothing more.
    pub(crate) fn give_up(&mut self) {
        *self = KeptRows {
            given_up: true,
            ..KeptRows::within(self.limit)
        };
    }

    /// Whether every row of a walk is here.
    pub(crate) fn usable(&self) -> bool {
        !self.given_up
    }

    fn bytes(&self) -> usize {
        self.text.len() + self.cells.len() * size_of::<KeptCell>() + self.ends.len() * 16
    }

    /// Call `f` with each kept row, in order, rebuilt into `row`.
    pub(crate) fn replay(
        &self,
        row: &mut Row,
        f: &mut dyn FnMut(&Row) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let (mut text_from, mut cells_from) = (0, 0);
        for &(text_end, cells_end) in &self.ends {
            row.clear();
            row.text.push_str(&self.text[text_from..text_end]);
            let spans = self.cells[cells_from..cells_end].iter().map(|cell| Span {
                start: cell.start as usize,
                end: cell.end as usize,
                width: cell.width as usize,
                style: cell.style,
            });
            row.cells.extend(spans);
            f(row)?;
            (text_from, cells_from) = (text_end, cells_end);
        }
        Ok(())
    }
}
