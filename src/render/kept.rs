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
    /// Rows kept after these, by another store ([`KeptRows::append`]).
    after: Vec<KeptRows>,
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
        if !self.after.is_empty() {
            // After appended rows: kept at the end of the last store, in walk order.
            let before = self.bytes();
            let last = self.after.last_mut().expect("not empty");
            let kept = before + row.text.len() + row.cells.len() * size_of::<KeptCell>()
                <= self.limit
                && last.keep(row);
            if !kept {
                self.give_up();
            }
            return kept;
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

    /// Append the rows `more` kept (the rows after these, walked on another thread), without
    /// copying them; giving up when either store did or both together pass the bound.
    pub(crate) fn append(&mut self, more: KeptRows) {
        if self.given_up || more.given_up || self.bytes() + more.bytes() > self.limit {
            self.give_up();
            return;
        }
        self.after.push(more);
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
        let own = self.text.len() + self.cells.len() * size_of::<KeptCell>() + self.ends.len() * 16;
        own + self.after.iter().map(KeptRows::bytes).sum::<usize>()
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
        self.after.iter().try_for_each(|more| more.replay(row, f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Escape;

    fn row(text: &str) -> Row {
        let mut row = Row::new(Escape::Terminal);
        row.push(text, Style::Plain);
        row.push_number(text.len());
        row
    }

    fn replayed(kept: &KeptRows) -> Vec<String> {
        let mut seen = Vec::new();
        let mut into = Row::new(Escape::Terminal);
        kept.replay(&mut into, &mut |r| {
            seen.push(format!("{}|{}", r.cell(0).0, r.cell(1).0));
            Ok(())
        })
        .unwrap();
        seen
    }

    #[test]
    fn appended_and_later_rows_replay_in_walk_order_within_the_bound() {
        let names = ["a", "", "ccc", "dd", "é😀", "f"];
        let (mut first, mut second) = (KeptRows::within(KEPT_BYTES), KeptRows::within(KEPT_BYTES));
        names[..2].iter().for_each(|n| assert!(first.keep(&row(n))));
        names[2..4]
            .iter()
            .for_each(|n| assert!(second.keep(&row(n))));
        first.append(second);
        names[4..].iter().for_each(|n| assert!(first.keep(&row(n))));
        let expected: Vec<String> = names.iter().map(|n| format!("{n}|{}", n.len())).collect();
        assert_eq!(replayed(&first), expected);

        // Past the bound, together: nothing is kept.
        let (mut small, mut more) = (KeptRows::within(200), KeptRows::within(200));
        assert!(small.keep(&row(&"x".repeat(60))));
        assert!(more.keep(&row(&"y".repeat(60))));
        small.append(more);
        assert!(!small.usable());
        assert!(!small.keep(&row("z")));
    }
}
