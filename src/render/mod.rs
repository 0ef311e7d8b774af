//! Renderers: a request or response body as terminal tables, GitHub-flavoured markdown, flattened
//! CSV or normalized JSON. `show` prints bodies with them and `call` prints responses with them;
//! every renderer writes into a `&mut dyn Write`, so tests render into a `Vec<u8>`.
//! [`render`] draws a parsed body; [`render_checked`] adds the validator's diagnostics, as `show`
//! prints a file and `call` will print a response.
//!
//! Table and markdown share one layout (this module's `render_tables`): a summary line, the main
//! grid (one row per record: `#`, one column per key, and for a response `process_time` and
//! `status`), each nested table below the grid titled by where it sits (`record 1 · specimen`,
//! `record 1 · specimen · row 2 · parts`), then warnings and errors grouped per record. A nested
//! table shows in its parent's cell as `[table R×C]`: R records (rows after the header) by C
//! columns. Below the grid a nested table shows its first [`PREVIEW_ROWS`] rows and a
//! `… N more rows (use --expand)` line; `--expand` (and `--record`) show every row.

mod csv;
mod json;
mod kept;
mod markdown;
mod table;

use std::borrow::Cow;
use std::cell::RefCell;
use std::io::{self, Write};
use std::ops::Range;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::body::{
    key_text, messages, ArrayIndex, Body, Cell, Kind, Message, Table, Value, ValueKind,
};
use crate::error::Outcome;
use crate::source::Source;
use crate::text::{self, Escape};
use kept::{KeptRows, KEPT_BYTES};

use crate::validate::{Checked, TopMember, Validated};

/// Rows of a nested table shown below the grid unless `--expand` or `--record` is given.
pub const PREVIEW_ROWS: usize = 10;

/// More columns than this in the main grid get a hint before it (see [`wide_hint`]).
pub const WIDE_GRID: usize = 50;

/// The note before a main grid of more than [`WIDE_GRID`] columns, whose lines are too long to
/// read: how to see one record at a time instead.
pub fn wide_hint(columns: usize) -> String {
    format!(
        "{columns} columns: lines are long; `--record N` shows one record as key │ value rows (`--format csv` or `json` for tools)"
    )
}

/// What to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Markdown,
    Csv,
    Json,
}

/// How to render. The default: a table, previewed nested tables, every record, no width limit,
/// no color.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub format: Format,
    /// Show every row of every nested table.
    pub expand: bool,
    /// Show only this record (1-based), vertically.
    pub record: Option<usize>,
    /// Width to fit the table format into; `None`: nothing is cut.
    pub width: Option<usize>,
    /// Whether escape codes may be written (table format only).
    pub color: bool,
    /// Output goes to a terminal: CSV then escapes control characters too (table and markdown
    /// always do; JSON escapes them by itself).
    pub terminal: bool,
}

/// Render `body` (a view of `body.doc()`) in `options.format`. Fails with a usage error (exit 2)
/// when `--record N` is out of range, and with the writer's I/O error (a closed pipe included).
/// Memory: the body's text plus small per-column state; the grid is drawn in two passes over the
/// records (widths, then rows), never held whole.
pub fn render(w: &mut dyn Write, body: &Body, options: &Options) -> anyhow::Result<()> {
    render_with(w, body, options, Known::default())
}

/// What the validator already knows about a body, so rendering need not walk it to find out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Known {
    /// The number of records (`Validated::records`).
    pub records: Option<usize>,
    /// The validator found no error: every record is an array as wide as its header (no
    /// `_extra_N` columns to look for).
    pub valid: bool,
    /// The validator found errors: the body is invalid, so no record and no summary says `ok`
    /// (`false` when not known, as for [`render`]).
    pub invalid: bool,
    /// A record near the middle of the records table, from the validator's marks
    /// (`Validated::record_marks`): where the table starts, the record's index and where it
    /// starts. The grid's first walk is then done in two parts, on two threads.
    pub(crate) split: Option<(usize, usize, usize)>,
}

/// What a record's status and the summary say instead of `ok` for a body the validator rejects:
/// its diagnostics follow on standard error.
pub const INVALID: &str = "invalid body";

/// The records table, when it is one: `None` when the body has none, and when its first row is
/// not a header row (records given as objects, XC106) — such records are not laid out as a grid,
/// which would take the first of them for a header; the validator's diagnostics say what is wrong.
pub(crate) fn records_table<'a>(body: &Body<'a>) -> Option<Table<'a>> {
    let table = body.records()?;
    match table.header {
        Some(header) if !header.is_array() => None,
        _ => Some(table),
    }
}

/// [`render`] with what the validator knows (see [`Known`]).
pub fn render_with(
    w: &mut dyn Write,
    body: &Body,
    options: &Options,
    known: Known,
) -> anyhow::Result<()> {
    let selection = select(body, options.record, known)?;
    match options.format {
        Format::Table => {
            let mut printer = table::TablePrinter::new(options.width, options.color);
            render_tables(w, body, &selection, options.expand, known, &mut printer)?;
        }
        Format::Markdown => {
            let mut printer = markdown::MarkdownPrinter::default();
            render_tables(w, body, &selection, options.expand, known, &mut printer)?;
        }
        Format::Csv => csv::render(w, body, selection.range, known, options.terminal)?,
        Format::Json => {
            let single = selection.single.then_some(selection.range.start);
            json::render(w, body, single)?
        }
    }
    Ok(())
}

/// The root value of a source the validator has checked, viewed without parsing again: `None`
/// when the validator found a syntax error (then there is nothing to render) or the text is not
/// UTF-8.
pub fn checked_root<'a>(source: &'a Source, checked: &Checked) -> Option<Value<'a>> {
    if checked
        .diagnostics
        .iter()
        .any(|d| d.rule == crate::validate::SYNTAX)
    {
        return None;
    }
    // Checked again, not trusted from `checked` (which could belong to other bytes): one SIMD
    // pass, small beside rendering.
    let text = crate::text::utf8(&source.bytes).ok()?;
    if checked.root.is_some() {
        return crate::validate::body_root(text, checked);
    }
    let start = crate::json::skip_ws(text.as_bytes(), 0);
    // Checked text holds one value and whitespace: it ends at the last non-whitespace byte
    // (the same value as `Value::starting_at(text, start)`, without walking the document).
    let end = crate::json::skip_ws_back(text.as_bytes(), text.len());
    (start < end).then(|| Value::from_checked(text, start, end))
}

#[cfg(test)]
/// Render a checked source as `show` and `call` print it: what can be rendered goes to `out`
/// (nothing when the document did not parse or is not a body), then the validator's
/// diagnostics, as `xconn validate` prints them, to `diagnostics`. Invalid when there are errors.
/// The text is viewed as it is (the validator checked its syntax), never parsed a second time.
pub fn render_checked(
    out: &mut dyn Write,
    diagnostics: &mut dyn Write,
    source: &Source,
    checked: &Checked,
    options: &Options,
) -> anyhow::Result<Outcome> {
    render_found(
        out,
        diagnostics,
        source,
        checked,
        ScanFound::default(),
        options,
    )
}

/// [`render_checked`] with what the validator's scan found: the record count
/// (`Validated::records`, so the records are not walked to count them), the top-level
/// members' spans (so the body is taken apart without walking past `outputs` again) and a
/// record near the middle (so the grid's first walk goes in two parts, [`Known::split`]).
pub fn render_validated(
    out: &mut dyn Write,
    diagnostics: &mut dyn Write,
    source: &Source,
    validated: &Validated,
    options: &Options,
) -> anyhow::Result<Outcome> {
    let records = validated.records;
    let (table, marks) = &validated.record_marks;
    // The mark nearest the middle of the records.
    let middle = records.unwrap_or(0) / 2;
    let split = marks
        .iter()
        .min_by_key(|(index, _)| index.abs_diff(middle))
        .map(|&(index, offset)| (*table, index, offset));
    let found = ScanFound {
        records,
        members: &validated.members,
        split,
    };
    render_found(out, diagnostics, source, &validated.checked, found, options)
}

/// What the validator's scan found that rendering uses (see [`render_validated`]).
#[derive(Default)]
struct ScanFound<'v> {
    records: Option<usize>,
    members: &'v [TopMember],
    split: Option<(usize, usize, usize)>,
}

/// [`render_validated`]'s work, from its parts.
fn render_found(
    out: &mut dyn Write,
    diagnostics: &mut dyn Write,
    source: &Source,
    checked: &Checked,
    found: ScanFound,
    options: &Options,
) -> anyhow::Result<Outcome> {
    let root = checked_root(source, checked);
    if let Some(body) = root
        .as_ref()
        .and_then(|doc| view_body(doc, checked.kind, found.members))
    {
        let known = Known {
            records: found.records,
            valid: !checked.has_errors(),
            invalid: checked.has_errors(),
            split: found.split,
        };
        match render_with(out, &body, options, known) {
            Ok(()) => {}
            // `--record N` beyond the records of a body the validator rejects: its verdict (the
            // diagnostics, exit 1) rather than a usage error.
            Err(e) if checked.has_errors() && e.downcast_ref::<io::Error>().is_none() => {}
            Err(e) => return Err(e),
        }
    }
    if !checked.diagnostics.is_empty() {
        out.flush()?;
        crate::validate::write_text(diagnostics, &source.name, &checked.diagnostics)?;
    }
    Ok(if checked.has_errors() {
        Outcome::Invalid
    } else {
        Outcome::Success
    })
}

/// The body in `doc`: from the scan's `members` when they lie inside it (the one walk already
/// made), else by walking its members.
fn view_body<'a>(doc: &Value<'a>, kind: Option<Kind>, members: &[TopMember]) -> Option<Body<'a>> {
    let (from, to) = (doc.offset(), doc.offset() + doc.raw().len());
    let text = doc.source();
    let inside = |&(start, end): &(usize, usize)| {
        from < start
            && start <= end
            && end < to
            && text.is_char_boundary(start)
            && text.is_char_boundary(end)
    };
    match kind {
        Some(kind)
            if doc.is_object()
                && !members.is_empty()
                && members.iter().all(|m| inside(&m.span)) =>
        {
            let spans = members.iter().map(|m| (m.key.as_str(), m.span));
            Some(Body::from_members(doc, kind, spans))
        }
        _ => Body::view(doc, kind),
    }
}

/// The records to show.
#[derive(Debug, Clone)]
struct Selection {
    /// Record indexes (0-based).
    range: Range<usize>,
    /// `--record N` was given: one record, shown vertically.
    single: bool,
}

fn select(body: &Body, record: Option<usize>, known: Known) -> anyhow::Result<Selection> {
    let count = record_count(body, known);
    match record {
        None => Ok(Selection {
            range: 0..count,
            single: false,
        }),
        Some(0) => anyhow::bail!("--record 0: records are numbered from 1"),
        Some(n) if n > count => anyhow::bail!(
            "--record {n}: the {} has {}",
            body.kind().name(),
            plural(count, record_word(body))
        ),
        Some(n) => Ok(Selection {
            range: n - 1..n,
            single: true,
        }),
    }
}

/// The number of records: the validator's count when known, else a walk over the records.
fn record_count(body: &Body, known: Known) -> usize {
    match (known.records, records_table(body)) {
        (_, None) => 0,
        (Some(n), Some(_)) => n,
        (None, Some(table)) => table.len(),
    }
}

fn record_word(body: &Body) -> &'static str {
    match body {
        Body::Request(_) => "input record",
        Body::Response(_) => "output record",
    }
}

/// `1 record`, `2 records`, `no records`.
pub fn plural(n: usize, word: &str) -> String {
    match n {
        0 => format!("no {word}s"),
        1 => format!("1 {word}"),
        _ => format!("{n} {word}s"),
    }
}

/// A record's status: `ok`, `2 warnings`, `1 error`, `1 error, 2 warnings`.
pub fn status_text(errors: usize, warnings: usize) -> String {
    match (errors, warnings) {
        (0, 0) => "ok".to_string(),
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

fn status_style(errors: usize, warnings: usize) -> Style {
    if errors > 0 {
        Style::Error
    } else if warnings > 0 {
        Style::Warning
    } else {
        Style::Ok
    }
}

/// The per-record lists of a response (empty for a request), indexed for random access: a word
/// per entry, the entries themselves read from the text when asked for; and each entry's
/// (errors, warnings), counted once (every walk of the grid and the summary read them).
#[derive(Default)]
struct Report<'a> {
    warnings: ArrayIndex<'a>,
    errors: ArrayIndex<'a>,
    process_time: ArrayIndex<'a>,
    counted: std::sync::OnceLock<Vec<(usize, usize)>>,
}

impl<'a> Report<'a> {
    fn of(body: &Body<'a>) -> Report<'a> {
        match body {
            Body::Request(_) => Report::default(),
            Body::Response(r) => {
                let index =
                    |v: &Option<Value<'a>>| v.as_ref().map(ArrayIndex::of).unwrap_or_default();
                Report {
                    warnings: index(&r.warnings),
                    errors: index(&r.errors),
                    process_time: index(&r.process_time),
                    counted: std::sync::OnceLock::new(),
                }
            }
        }
    }

    fn warnings(&self, i: usize) -> Vec<Message<'a>> {
        self.warnings
            .get(i)
            .map(|e| messages(&e))
            .unwrap_or_default()
    }

    fn errors(&self, i: usize) -> Vec<Message<'a>> {
        self.errors.get(i).map(|e| messages(&e)).unwrap_or_default()
    }

    fn process_time(&self, i: usize) -> Option<Value<'a>> {
        self.process_time.get(i)
    }

    /// (errors, warnings) of entry `i`, without collecting them.
    fn counts(&self, i: usize) -> (usize, usize) {
        let counted = self.counted.get_or_init(|| {
            let count = |entry: Option<Value<'a>>| match entry {
                Some(entry) if entry.is_array() => entry.items().filter(|m| m.is_object()).count(),
                _ => 0,
            };
            (0..self.entries())
                .map(|i| (count(self.errors.get(i)), count(self.warnings.get(i))))
                .collect()
        });
        counted.get(i).copied().unwrap_or_default()
    }

    fn entries(&self) -> usize {
        self.warnings.len().max(self.errors.len())
    }
}

/// The column names of a records or nested table: the header's keys, then `_extra_N` for values
/// beyond the header (as `convert` names them; a walk over the records unless `known.valid`).
pub(crate) fn column_names(table: &Table, known: Known) -> Vec<String> {
    let mut names = table.keys();
    if known.valid {
        // Every record is as wide as the header: nothing beyond it to name.
        return names;
    }
    let widest = table
        .records()
        .map(|r| r.items().count())
        .max()
        .unwrap_or(0);
    for i in names.len()..widest {
        names.push(format!("_extra_{}", i + 1));
    }
    names
}

/// How a cell is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    /// Numbers and `#`: right-aligned.
    Number,
    /// `null`.
    Null,
    /// `[table R×C]`.
    Table,
    Ok,
    Warning,
    Error,
    /// Column titles.
    Header,
}

impl Style {
    /// The ANSI escape that starts this style (empty for none).
    pub(crate) fn ansi(self) -> &'static str {
        match self {
            Style::Plain | Style::Number => "",
            Style::Null => "\x1b[2m",
            Style::Table => "\x1b[36m",
            Style::Ok => "\x1b[32m",
            Style::Warning => "\x1b[33m",
            Style::Error => "\x1b[31m",
            Style::Header => "\x1b[1m",
        }
    }
}

/// One cell of a [`Row`]: a slice of the row's text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    start: usize,
    end: usize,
    pub width: usize,
    pub style: Style,
}

/// One row of escaped cell text, reused from row to row.
pub(crate) struct Row {
    escape: Escape,
    text: String,
    cells: Vec<Span>,
}

impl Row {
    fn new(escape: Escape) -> Row {
        Row {
            escape,
            text: String::new(),
            cells: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.text.clear();
        self.cells.clear();
    }

    pub fn cell(&self, column: usize) -> (&str, Span) {
        match self.cells.get(column) {
            Some(&span) => (&self.text[span.start..span.end], span),
            None => (
                "",
                Span {
                    start: 0,
                    end: 0,
                    width: 0,
                    style: Style::Plain,
                },
            ),
        }
    }

    fn push(&mut self, text: &str, style: Style) {
        let start = self.text.len();
        let width = push_text(&mut self.text, text, self.escape);
        self.finish(start, width, style);
    }

    fn push_number(&mut self, n: usize) {
        let start = self.text.len();
        push_digits(&mut self.text, n);
        self.finish(start, self.text.len() - start, Style::Number);
    }

    fn finish(&mut self, start: usize, width: usize, style: Style) {
        self.cells.push(Span {
            start,
            end: self.text.len(),
            width,
            style,
        });
    }

    fn push_status(&mut self, errors: usize, warnings: usize, invalid: bool) {
        let style = status_style(errors, warnings);
        if (errors, warnings) == (0, 0) && invalid {
            self.push(INVALID, Style::Error);
        } else if (errors, warnings) == (0, 0) {
            self.push("ok", style);
        } else {
            self.push(&status_text(errors, warnings), style);
        }
    }

    /// A record's values as `columns` cells (`cells`: its values, as [`each_record`] found
    /// them). A record that is not an array (a string, an object — the validator reports it) is
    /// shown whole as compact JSON in the first cell, the rest blank.
    /// With `noted` (the record's index and a grid's [`Noted`]), the nested tables among the
    /// cells are noted on the grid's first walk and taken from there on the next (not counted
    /// again).
    fn push_record<'a>(
        &mut self,
        record: &Value<'a>,
        cells: &[Value<'a>],
        columns: usize,
        mut noted: Option<(usize, &mut Noted<'a>)>,
    ) {
        if columns == 0 {
            // No column to put it in (an empty header): the diagnostics name the record.
            return;
        }
        if !record.is_array() {
            self.push(&compact_json(record), Style::Plain);
            for _ in 1..columns {
                self.push("", Style::Plain);
            }
            return;
        }
        for c in 0..columns {
            let Some((i, noted)) = noted.as_mut() else {
                self.push_value(cells.get(c));
                continue;
            };
            if noted.complete {
                let next = noted.found.get(noted.next);
                if let Some(&(_, _, table, len)) = next.filter(|f| (f.0, f.1) == (*i, c)) {
                    noted.next += 1;
                    self.push_table(len, table.width());
                    continue;
                }
            }
            let table = self.push_value(cells.get(c));
            if let Some((table, len)) = table.filter(|_| !noted.complete) {
                noted.found.push((*i, c, table, len));
            }
        }
    }

    /// Whether a cell of this row is a nested table.
    fn has_table(&self) -> bool {
        self.cells.iter().any(|span| span.style == Style::Table)
    }

    /// A value as a cell: missing is blank, `null` dim, numbers as written, a nested table as
    /// `[table R×C]`, anything else that is not a valid value as compact JSON text. Returns the
    /// nested table and its number of records when it was one.
    fn push_value<'a>(&mut self, value: Option<&Value<'a>>) -> Option<(Table<'a>, usize)> {
        let Some(value) = value else {
            self.push("", Style::Plain);
            return None;
        };
        if value.kind() == ValueKind::String {
            // A string with nothing to unescape or escape is its text between the quotes.
            let raw = value.raw();
            let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
            let quoted = raw.len() >= 2 && raw.ends_with('"');
            if let Some(width) = plain_width(inner, self.escape).filter(|_| quoted) {
                let start = self.text.len();
                self.text.push_str(inner);
                self.finish(start, width, Style::Plain);
                return None;
            }
        }
        if value.is_array() {
            // `Cell::of`'s test for a table, and its size, in one walk over the rows.
            let counted = Table::counted(value);
            match counted {
                Some((table, len)) => self.push_table(len, table.width()),
                None => self.push(&compact_json(value), Style::Plain),
            }
            return counted;
        }
        match Cell::of(value) {
            Cell::Null => self.push("null", Style::Null),
            Cell::Bool(b) => self.push(if b { "true" } else { "false" }, Style::Plain),
            Cell::Number(n) => self.push(n, Style::Number),
            Cell::String(s) => self.push(&s, Style::Plain),
            Cell::Table(_) | Cell::Other(_) => self.push(&compact_json(value), Style::Plain),
        }
        None
    }

    /// `[table R×C]`: R records (rows after the header) by C columns.
    fn push_table(&mut self, records: usize, columns: usize) {
        let start = self.text.len();
        self.text.push_str("[table ");
        push_digits(&mut self.text, records);
        self.text.push('×');
        push_digits(&mut self.text, columns);
        self.text.push(']');
        // Every character of the label is one column wide (`×` too).
        let width = self.text[start..].chars().count();
        self.finish(start, width, Style::Table);
    }
}

/// How a byte of cell text is taken by [`plain_width`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Plain {
    /// Printable ASCII that the escaping leaves as it is: one column.
    Ascii,
    /// `0xC2`: with `0xA0`–`0xBF` after it, U+00A0–U+00BF (`·`, `°`, `©`…), one column (not
    /// U+00AD, the soft hyphen, which takes none).
    C2,
    /// `0xC3`: with `0x80`–`0xBF` after it, U+00C0–U+00FF (`ü`, `é`, `×`…), one column.
    C3,
    /// Anything else (controls, a backslash, other characters): the escaping decides.
    Other,
}

/// [`Plain`] of every byte, for `Escape::Terminal` and for `Escape::Markdown` (which also
/// escapes the ASCII characters markdown gives a meaning to).
const PLAIN: [[Plain; 256]; 2] = {
    let mut terminal = [Plain::Other; 256];
    let mut b = 0x20;
    while b < 0x7f {
        terminal[b] = Plain::Ascii;
        b += 1;
    }
    terminal[b'\\' as usize] = Plain::Other;
    terminal[0xc2] = Plain::C2;
    terminal[0xc3] = Plain::C3;
    let mut markdown = terminal;
    let special = b"\\`*_~[]!$:|<>&@.";
    let mut i = 0;
    while i < special.len() {
        markdown[special[i] as usize] = Plain::Other;
        i += 1;
    }
    [terminal, markdown]
};

/// Append `text` escaped for `escape` ([`text::push_escaped`]; copied as it is when
/// [`plain_width`] says it can be); returns its display width.
pub(crate) fn push_text(out: &mut String, text: &str, escape: Escape) -> usize {
    match plain_width(text, escape) {
        Some(width) => {
            out.push_str(text);
            width
        }
        None => text::push_escaped(out, text, escape),
    }
}

/// The display width of `text` when escaping for `escape` leaves it as it is and its width is
/// one column a character: printable ASCII (no backslash) and the Latin-1 letters and signs
/// U+00A0–U+00FF but the soft hyphen — most cells. `None` for anything else: then the text is escaped and measured
/// as a whole ([`text::push_escaped`]). One pass over the bytes, no width lookup.
fn plain_width(text: &str, escape: Escape) -> Option<usize> {
    let table = &PLAIN[usize::from(escape == Escape::Markdown)];
    let bytes = text.as_bytes();
    let (mut i, mut two_byte) = (0, 0);
    while i < bytes.len() {
        match table[bytes[i] as usize] {
            Plain::Ascii => i += 1,
            lead @ (Plain::C2 | Plain::C3) => {
                // After `0xC2`, not `0xAD`: U+00AD, the soft hyphen, takes no column.
                let (low, soft_hyphen) = match lead {
                    Plain::C2 => (0xa0, 0xad),
                    _ => (0x80, 0),
                };
                match bytes.get(i + 1) {
                    Some(&next) if (low..=0xbf).contains(&next) && next != soft_hyphen => {}
                    _ => return None,
                }
                two_byte += 1;
                i += 2;
            }
            Plain::Other => return None,
        }
    }
    Some(bytes.len() - two_byte)
}

/// Append the decimal digits of `n`, without going through `fmt`.
fn push_digits(out: &mut String, mut n: usize) {
    let mut buffer = [0u8; 20];
    let mut i = buffer.len();
    loop {
        i -= 1;
        buffer[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(buffer[i..].iter().map(|&digit| char::from(digit)));
}

/// A value as one line of compact JSON.
pub(crate) fn compact_json(value: &Value) -> String {
    crate::json::write::to_compact_string(value)
}

/// Where a grid's rows come from: filled one at a time into a reused [`Row`], as often as a
/// printer needs to walk them (once for widths, once to draw).
pub(crate) trait Rows {
    fn each(&self, row: &mut Row, f: &mut dyn FnMut(&Row) -> io::Result<()>) -> io::Result<()>;
}

/// A grid's titles, escaped, and their display widths.
#[derive(Clone)]
pub(crate) struct Titles {
    pub headers: Vec<String>,
    pub widths: Vec<usize>,
}

impl Titles {
    fn new<T: AsRef<str>>(escape: Escape, headers: impl IntoIterator<Item = T>) -> Titles {
        let headers: Vec<String> = headers
            .into_iter()
            .map(|h| text::escaped(h.as_ref(), escape))
            .collect();
        let widths = headers.iter().map(|h| text::width(h)).collect();
        Titles { headers, widths }
    }
}

/// A grid: titles and a source of rows.
pub(crate) struct Grid<'g> {
    escape: Escape,
    pub titles: Cow<'g, Titles>,
    rows: &'g dyn Rows,
}

impl<'g> Grid<'g> {
    fn new(
        escape: Escape,
        headers: impl IntoIterator<Item = String>,
        rows: &'g dyn Rows,
    ) -> Grid<'g> {
        Grid {
            escape,
            titles: Cow::Owned(Titles::new(escape, headers)),
            rows,
        }
    }

    /// A grid under titles made before (a nested table's, kept for the next of its header).
    fn titled(escape: Escape, titles: &'g Titles, rows: &'g dyn Rows) -> Grid<'g> {
        Grid {
            escape,
            titles: Cow::Borrowed(titles),
            rows,
        }
    }

    pub fn columns(&self) -> usize {
        self.titles.headers.len()
    }

    /// Walk the rows in order.
    pub fn each_row(&self, mut f: impl FnMut(&Row) -> io::Result<()>) -> io::Result<()> {
        let mut row = Row::new(self.escape);
        self.rows.each(&mut row, &mut f)
    }
}

/// Rows built in advance (a `--record N` grid, tests).
pub(crate) struct Built(Vec<Row>);

impl Rows for Built {
    fn each(&self, _row: &mut Row, f: &mut dyn FnMut(&Row) -> io::Result<()>) -> io::Result<()> {
        self.0.iter().try_for_each(f)
    }
}

/// A nested table in a record's cell: the record's index, the column, the table, its number of
/// records.
type Found<'a> = (usize, usize, Table<'a>, usize);

/// The nested tables of a grid's records, in order: noted on its first complete walk, replayed
/// on the next ones (from `next`), then drawn below the grid without a third walk.
#[derive(Default)]
struct Noted<'a> {
    found: Vec<Found<'a>>,
    next: usize,
    /// Set when a walk has gone over every row (`found` is then complete).
    complete: bool,
}

/// How a main-grid row is filled: `#`, the record's values, and for a response `process_time`,
/// `status` (shared by the two threads of a first walk in parts).
#[derive(Clone, Copy)]
struct MainFill<'r, 'a> {
    /// The validator rejects the body: no record is `ok`.
    invalid: bool,
    columns: usize,
    report: &'r Report<'a>,
    response: bool,
}

impl<'a> MainFill<'_, 'a> {
    fn fill(
        &self,
        row: &mut Row,
        i: usize,
        record: &Value<'a>,
        cells: &[Value<'a>],
        noted: &mut Noted<'a>,
    ) {
        row.clear();
        row.push_number(i + 1);
        row.push_record(record, cells, self.columns, Some((i, noted)));
        if self.response {
            row.push_value(self.report.process_time(i).as_ref());
            let (errors, warnings) = self.report.counts(i);
            row.push_status(errors, warnings, self.invalid);
        }
    }
}

/// The main grid's rows (see [`MainFill`]).
struct MainRows<'r, 'a> {
    fill: MainFill<'r, 'a>,
    /// The nested tables drawn as `[table R×C]`.
    noted: RefCell<Noted<'a>>,
    table: Table<'a>,
    range: Range<usize>,
    /// The rows of the first complete walk, replayed on the next ones.
    kept: RefCell<KeptRows>,
}

impl Rows for MainRows<'_, '_> {
    fn each(&self, row: &mut Row, f: &mut dyn FnMut(&Row) -> io::Result<()>) -> io::Result<()> {
        let mut noted = self.noted.borrow_mut();
        let mut kept = self.kept.borrow_mut();
        if noted.complete && kept.usable() {
            return kept.replay(row, f);
        }
        noted.next = 0;
        if !noted.complete {
            noted.found.clear();
        }
        let keep = !noted.complete;
        let walked = each_record(&self.table, self.range.clone(), |i, record, cells| {
            self.fill.fill(row, i, &record, cells, &mut noted);
            if keep {
                kept.keep(row);
            }
            f(row)
        });
        if walked.is_err() || !keep {
            kept.give_up();
        }
        walked?;
        noted.complete = true;
        Ok(())
    }
}

impl MainRows<'_, '_> {
    /// The grid's first walk (rows kept, nested tables noted) before a printer's: in two parts on
    /// two threads when `split` (see [`Known::split`]) marks a record of this table inside the
    /// range — the records before it here, the rest from its offset on the other thread, then
    /// the second part's rows and tables appended to the first's (the same as one walk).
    fn first_walk(&self, escape: Escape, split: Option<(usize, usize, usize)>) -> io::Result<()> {
        let split = split.filter(|&(table, index, _)| {
            table == self.table.rows.offset() && self.range.start < index && index < self.range.end
        });
        let Some((_, middle, offset)) = split else {
            return self.each(&mut Row::new(escape), &mut |_| Ok(()));
        };
        let (fill, table, end) = (self.fill, self.table, self.range.end);
        let limit = self.kept.borrow().limit();
        // Counted before the threads share the report.
        fill.report.counts(0);
        let second = std::thread::scope(|scope| {
            let second = scope.spawn(move || {
                let (mut row, mut kept, mut noted) =
                    (Row::new(escape), KeptRows::within(limit), Noted::default());
                table
                    .each_record_from(offset, middle, |i, record, cells| {
                        if i >= end {
                            return Err(());
                        }
                        fill.fill(&mut row, i, &record, cells, &mut noted);
                        kept.keep(&row);
                        Ok(())
                    })
                    .ok();
                (kept, noted.found)
            });
            let front = self.range.start..middle;
            let (mut row, mut kept, mut noted) = (
                Row::new(escape),
                self.kept.borrow_mut(),
                self.noted.borrow_mut(),
            );
            let walked = each_record(&self.table, front, |i, record, cells| {
                fill.fill(&mut row, i, &record, cells, &mut noted);
                kept.keep(&row);
                Ok(())
            });
            (walked, second.join())
        });
        let (walked, second) = second;
        walked?;
        let (kept, found) =
            second.map_err(|_| io::Error::other("the grid's second part failed"))?;
        self.kept.borrow_mut().append(kept);
        let mut noted = self.noted.borrow_mut();
        noted.found.extend(found);
        noted.complete = true;
        Ok(())
    }
}

/// A nested table's rows: `#` and its values, the first `shown` rows. A preview (at most
/// [`PREVIEW_ROWS`] rows) is formatted on the printer's first walk into `kept` and replayed on
/// the second, so the table's text is read once; a longer table (`--expand`) is read per walk.
struct NestedRows<'a, 'k> {
    table: Table<'a>,
    columns: usize,
    shown: usize,
    /// Set when a table inside this one was drawn (then its sections are looked for).
    saw_table: std::cell::Cell<bool>,
    kept: &'k RefCell<Vec<Row>>,
    /// Rows formatted into `kept` (`None` before the first walk).
    filled: std::cell::Cell<Option<usize>>,
}

impl NestedRows<'_, '_> {
    /// Format row `r` (0-based) into `row`.
    fn fill<'a>(&self, row: &mut Row, r: usize, record: &Value<'a>, cells: &[Value<'a>]) {
        row.clear();
        row.push_number(r + 1);
        row.push_record(record, cells, self.columns, None);
        if row.has_table() {
            self.saw_table.set(true);
        }
    }
}

impl Rows for NestedRows<'_, '_> {
    fn each(&self, row: &mut Row, f: &mut dyn FnMut(&Row) -> io::Result<()>) -> io::Result<()> {
        if self.shown > PREVIEW_ROWS {
            return each_record(&self.table, 0..self.shown, |r, record, cells| {
                self.fill(row, r, &record, cells);
                f(row)
            });
        }
        let mut kept = self.kept.borrow_mut();
        let filled = match self.filled.get() {
            Some(n) => n,
            None => {
                let mut n = 0;
                each_record(&self.table, 0..self.shown, |r, record, cells| {
                    if kept.len() <= r {
                        kept.push(Row::new(row.escape));
                    }
                    self.fill(&mut kept[r], r, &record, cells);
                    n = r + 1;
                    Ok(())
                })?;
                self.filled.set(Some(n));
                n
            }
        };
        kept[..filled].iter().try_for_each(f)
    }
}

/// Call `each(index, record, cells)` for the records of `table` in `range`, walking the table's
/// text once ([`Table::each_record`]: a record's cells are found while its end is).
fn each_record<'a>(
    table: &Table<'a>,
    range: Range<usize>,
    mut each: impl FnMut(usize, Value<'a>, &[Value<'a>]) -> io::Result<()>,
) -> io::Result<()> {
    /// Why the walk stopped early.
    enum Stop {
        Done,
        Failed(io::Error),
    }
    let mut i = 0;
    let walked = table.each_record(|record, cells| {
        let at = i;
        i += 1;
        if at >= range.end {
            return Err(Stop::Done);
        }
        if at < range.start {
            return Ok(());
        }
        each(at, record, cells).map_err(Stop::Failed)
    });
    match walked {
        Ok(()) | Err(Stop::Done) => Ok(()),
        Err(Stop::Failed(e)) => Err(e),
    }
}

/// The nested tables in the cells of `table`'s records in `range` (in the first `columns`
/// columns), when no grid walk noted them ([`Noted`]).
fn tables_in<'a>(table: &Table<'a>, columns: usize, range: Range<usize>) -> Vec<Found<'a>> {
    let mut found = Vec::new();
    let _ = each_record(table, range, |i, _, cells| {
        for (c, value) in cells.iter().take(columns).enumerate() {
            if let Some((sub, len)) = value.is_array().then(|| Table::counted(value)).flatten() {
                found.push((i, c, sub, len));
            }
        }
        Ok(())
    });
    found
}

/// Warnings and errors of one record (or of none: request-level).
pub(crate) struct Group<'a> {
    pub label: String,
    pub errors: Vec<Message<'a>>,
    pub warnings: Vec<Message<'a>>,
}

/// The fields of a message other than `source_path` and `message`, as `key: value` pairs in the
/// order they were written (`error_category`, `error_type`, `additional_details` for the spec's
/// errors).
pub(crate) fn message_details(message: &Message) -> Vec<(String, String)> {
    message
        .fields
        .members()
        .filter(|(key, _)| !key.matches("source_path") && !key.matches("message"))
        .map(|(key, value)| (key.text().into_owned(), key_text(&value).into_owned()))
        .collect()
}

/// What differs between the table and markdown formats; `render_tables` does the rest.
pub(crate) trait Printer {
    /// A printer for blocks that come after something this one printed (a title next): nested
    /// tables drawn on another thread, into their own buffer, print as this one would.
    fn fork(&self) -> Box<dyn Printer + Send>;
    fn escape(&self) -> Escape;
    /// The one-line summary at the top.
    fn summary(&mut self, w: &mut dyn Write, text: &str) -> io::Result<()>;
    /// The title of a nested table.
    fn title(&mut self, w: &mut dyn Write, text: &str) -> io::Result<()>;
    fn grid(&mut self, w: &mut dyn Write, grid: &Grid) -> io::Result<()>;
    /// A line of its own (`no output records`, `… 3 more rows`).
    fn note(&mut self, w: &mut dyn Write, text: &str) -> io::Result<()>;
    /// The warnings and errors: the heading when `heading`, then `groups` (printed in parts,
    /// each the same whatever came before it).
    fn messages(&mut self, w: &mut dyn Write, groups: &[Group], heading: bool) -> io::Result<()>;
}

fn render_tables(
    w: &mut dyn Write,
    body: &Body,
    selection: &Selection,
    expand: bool,
    known: Known,
    printer: &mut dyn Printer,
) -> io::Result<()> {
    let report = Report::of(body);
    let count = selection_count(body, selection, known);
    printer.summary(w, &summary(body, &report, selection, count, known))?;
    let listed = message_list(&report, selection, count);
    let draw_part = |w: &mut dyn Write, printer: &mut dyn Printer, part: usize| {
        listed.draw(w, printer, &report, part)
    };
    let messages = Finish {
        parts: listed.parts(),
        draw: &draw_part,
    };
    let nothing = Finish {
        parts: 0,
        draw: &draw_part,
    };
    match records_table(body) {
        None => {
            printer.note(w, &no_records(body))?;
            messages.all(w, printer)?;
        }
        Some(_) if count == 0 => {
            printer.note(w, &plural(0, record_word(body)))?;
            messages.all(w, printer)?;
        }
        Some(table) => {
            let columns = column_names(&table, known);
            let escape = printer.escape();
            let expand = expand || selection.single;
            let draw = |w: &mut dyn Write, printer: &mut dyn Printer, found: &[Found]| {
                let title = &record_title;
                Nested::new(expand, escape, known).sections(w, printer, &columns, found, title)
            };
            if selection.single {
                let i = selection.range.start;
                let response = matches!(body, Body::Response(_));
                let rows = record_rows(
                    escape,
                    &table,
                    &columns,
                    response,
                    &report,
                    i,
                    known.invalid,
                );
                let headers = ["key".to_string(), "value".to_string()];
                printer.grid(w, &Grid::new(escape, headers, &rows))?;
                let found = tables_in(&table, columns.len(), selection.range.clone());
                draw(w, printer, &found)?;
                messages.all(w, printer)?;
            } else {
                let rows = MainRows {
                    fill: MainFill {
                        invalid: known.invalid,
                        columns: columns.len(),
                        report: &report,
                        response: matches!(body, Body::Response(_)),
                    },
                    noted: RefCell::new(Noted::default()),
                    table,
                    range: selection.range.clone(),
                    kept: RefCell::new(KeptRows::within(KEPT_BYTES)),
                };
                // The grid's first walk (its rows kept, its nested tables noted) before it is
                // drawn: then the nested tables are drawn on a second thread while it is.
                rows.first_walk(escape, known.split)?;
                let early = rows.kept.borrow().usable();
                let take_found = || std::mem::take(&mut rows.noted.borrow_mut().found);
                let found = if early { take_found() } else { Vec::new() };
                let grid = |w: &mut dyn Write, printer: &mut dyn Printer| {
                    main_grid(w, printer, &columns, &rows)
                };
                let last = if early { &messages } else { &nothing };
                sections_in_turns(w, printer, &found, &draw, TURNS, grid, last)?;
                if !early {
                    let found = take_found();
                    let before = |_: &mut dyn Write, _: &mut dyn Printer| Ok(());
                    sections_in_turns(w, printer, &found, &draw, TURNS, before, &messages)?;
                }
            }
        }
    }
    Ok(())
}

/// What stands instead of the grid when the body has no records table.
fn no_records(body: &Body) -> String {
    let key = body.kind().records_key();
    if body.records().is_some() {
        format!("no records: `{key}` is not a header row followed by one array per record")
    } else {
        format!("no records: `{key}` is missing or not an array")
    }
}

/// The main grid: `#`, one column per key, and for a response `process_time` and `status`
/// (after a hint when it has more than [`WIDE_GRID`] columns).
fn main_grid(
    w: &mut dyn Write,
    printer: &mut dyn Printer,
    columns: &[String],
    rows: &MainRows,
) -> io::Result<()> {
    if columns.len() > WIDE_GRID {
        printer.note(w, &wide_hint(columns.len()))?;
    }
    let mut headers = Vec::with_capacity(columns.len() + 3);
    headers.push("#".to_string());
    headers.extend(columns.iter().cloned());
    if rows.fill.response {
        headers.push("process_time".to_string());
        headers.push("status".to_string());
    }
    printer.grid(w, &Grid::new(printer.escape(), headers, rows))
}

/// The number of records in the body (the selection covers all of them unless `--record`).
fn selection_count(body: &Body, selection: &Selection, known: Known) -> usize {
    if selection.single {
        record_count(body, known)
    } else {
        selection.range.end
    }
}

/// `response: 3 records, 1 error, 2 warnings` / `request: 3 records` / `record 2 of 3`.
fn summary(
    body: &Body,
    report: &Report,
    selection: &Selection,
    count: usize,
    known: Known,
) -> String {
    let kind = body.kind().name();
    if selection.single {
        let mut text = format!("{kind}: record {} of {count}", selection.range.start + 1);
        if known.invalid {
            text.push_str(", ");
            text.push_str(INVALID);
        }
        return text;
    }
    let mut text = format!("{kind}: {}", plural(count, "record"));
    if let Body::Response(_) = body {
        let (mut errors, mut warnings) = (0, 0);
        for i in 0..report.entries() {
            let (e, w) = report.counts(i);
            errors += e;
            warnings += w;
        }
        if (errors, warnings) != (0, 0) || !known.invalid {
            text.push_str(", ");
            text.push_str(&status_text(errors, warnings));
        }
    }
    if known.invalid {
        text.push_str(", ");
        text.push_str(INVALID);
    }
    text
}

/// One record as `key │ value` rows (`--record N`).
fn record_rows(
    escape: Escape,
    table: &Table,
    columns: &[String],
    response: bool,
    report: &Report,
    i: usize,
    invalid: bool,
) -> Built {
    let mut rows = Vec::new();
    let record = table.records().nth(i);
    if let Some(record) = record.filter(|r| !r.is_array()) {
        // Not an array (the validator says so): the record whole, as compact JSON.
        let mut row = Row::new(escape);
        row.push("(record)", Style::Plain);
        row.push(&compact_json(&record), Style::Plain);
        rows.push(row);
    }
    let values: Vec<Value> = record
        .filter(|r| r.is_array())
        .map(|r| r.items().collect())
        .unwrap_or_default();
    for (c, key) in columns.iter().enumerate() {
        let mut row = Row::new(escape);
        row.push(key, Style::Plain);
        row.push_value(values.get(c));
        rows.push(row);
    }
    if response {
        let mut row = Row::new(escape);
        row.push("process_time", Style::Plain);
        row.push_value(report.process_time(i).as_ref());
        rows.push(row);
        let (errors, warnings) = report.counts(i);
        let mut row = Row::new(escape);
        row.push("status", Style::Plain);
        row.push_status(errors, warnings, invalid);
        rows.push(row);
    }
    Built(rows)
}

/// A nested table's section title from its record's index and its column's key, appended to
/// the string given.
type Title<'t> = dyn Fn(&mut String, usize, &str) + Sync + 't;

/// The title of a nested table in a record's cell: `record 3 · parts`.
fn record_title(title: &mut String, i: usize, key: &str) {
    title.push_str("record ");
    push_digits(title, i + 1);
    title.push_str(" · ");
    title.push_str(key);
}

/// Nested tables below the grid.
struct Nested {
    expand: bool,
    escape: Escape,
    known: Known,
    /// Rows of the preview being drawn, reused from table to table.
    kept: RefCell<Vec<Row>>,
    /// The last nested tables' column names and titles (newest last, at most [`TITLES_KEPT`]),
    /// reused by the next of the same header.
    titles: RefCell<Vec<Rc<NestedTitles>>>,
}

/// What [`sections_in_turns`] draws after the nested tables (the warnings and errors): `parts`
/// turns, each drawn by `draw(w, printer, part)` the same whatever came before it.
struct Finish<'d> {
    parts: usize,
    draw: &'d DrawPart<'d>,
}

/// How [`Finish`] draws one of its parts.
type DrawPart<'d> = dyn Fn(&mut dyn Write, &mut dyn Printer, usize) -> io::Result<()> + Sync + 'd;

impl Finish<'_> {
    /// Every part, in order.
    fn all(&self, w: &mut dyn Write, printer: &mut dyn Printer) -> io::Result<()> {
        (0..self.parts).try_for_each(|part| (self.draw)(w, printer, part))
    }
}

/// How [`sections_in_turns`] draws a run of nested tables (in order, as one call for all of
/// them would: a section prints the same whatever came before it, see [`Printer::fork`]).
type DrawSections<'d, 'f, 'a> =
    dyn Fn(&mut dyn Write, &mut dyn Printer, &'f [Found<'a>]) -> io::Result<()> + Sync + 'd;

/// `before(w, printer)` (the main grid), then the nested tables `found` drawn by `draw`, then
/// `after` (the warnings and errors), with a second thread: runs of `turns.tables` tables, then
/// the parts of `after`, are claimed in order by whichever thread is free — each draws its turn
/// into a buffer (the other thread starting while `before` runs), this one writes them all in
/// turn. The output is what one thread would write. The other thread claims no new run while
/// more than `turns.waiting` bytes it drew wait to be written (so it keeps drawing while
/// `before` runs, in bounded memory). Fewer tables than two runs are drawn on this thread.
fn sections_in_turns<'f, 'a>(
    w: &mut dyn Write,
    printer: &mut dyn Printer,
    found: &'f [Found<'a>],
    draw: &DrawSections<'_, 'f, 'a>,
    turns: Turns,
    before: impl FnOnce(&mut dyn Write, &mut dyn Printer) -> io::Result<()>,
    after: &Finish,
) -> io::Result<()> {
    let per_turn = turns.tables.max(1);
    if found.len() < 2 * per_turn {
        before(w, printer)?;
        draw(w, printer, found)?;
        return after.all(w, printer);
    }
    let runs: Vec<&'f [Found<'a>]> = found.chunks(per_turn).collect();
    // The turns: the runs, then the parts of `after`.
    let count = runs.len() + after.parts;
    let take_turn = |w: &mut dyn Write, printer: &mut dyn Printer, turn: usize| match runs.get(turn)
    {
        Some(run) => draw(w, printer, run),
        None => (after.draw)(w, printer, turn - runs.len()),
    };
    let claimed = AtomicUsize::new(0);
    let claim = || claimed.fetch_add(1, Ordering::Relaxed);
    let waiting = AtomicUsize::new(0);
    let mut forked = printer.fork();
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::channel::<(usize, io::Result<Vec<u8>>)>();
        // Written buffers go back to be drawn into again (no fresh pages per turn).
        let (give_back, given_back) = std::sync::mpsc::channel::<Vec<u8>>();
        let waiting = &waiting;
        scope.spawn(move || loop {
            // Over the bound, each buffer written (and given back) may bring it under. The
            // channel closes when the writing thread is done or stopped.
            let mut spare = None;
            while waiting.load(Ordering::Acquire) > turns.waiting {
                match given_back.recv() {
                    Ok(buffer) => spare = Some(buffer),
                    Err(_) => break,
                }
            }
            let turn = claim();
            if turn >= count {
                break;
            }
            let mut buffer = spare
                .or_else(|| given_back.try_recv().ok())
                .unwrap_or_default();
            buffer.clear();
            let drawn = take_turn(&mut buffer, &mut *forked, turn).map(|()| buffer);
            let bytes = drawn.as_ref().map_or(0, Vec::len);
            waiting.fetch_add(bytes, Ordering::AcqRel);
            // Sending fails when the writing thread stopped (its writer failed): stop too.
            if send.send((turn, drawn)).is_err() {
                break;
            }
        });
        let received = Received {
            receive,
            give_back,
            waiting,
        };
        before(w, printer)?;
        // This thread draws its turn into a buffer of its own before it waits for the turns
        // before it, which the other thread claimed (and may still be drawing), and writes them.
        let (mut next, mut own) = (0, Vec::new());
        loop {
            let turn = claim();
            if turn >= count {
                break;
            }
            own.clear();
            take_turn(&mut own, printer, turn)?;
            received.write(w, next..turn)?;
            w.write_all(&own)?;
            next = turn + 1;
        }
        received.write(w, next..count)
    })
}

/// The writing end of [`sections_in_turns`]: the runs the other thread drew, the way their
/// buffers go back, and how many bytes wait to be written.
struct Received<'w> {
    receive: std::sync::mpsc::Receiver<(usize, io::Result<Vec<u8>>)>,
    give_back: std::sync::mpsc::Sender<Vec<u8>>,
    waiting: &'w AtomicUsize,
}

impl Received<'_> {
    /// Write the runs `turns` the other thread drew, as they arrive (in order: it claims them
    /// in order).
    fn write(&self, w: &mut dyn Write, turns: Range<usize>) -> io::Result<()> {
        for expected in turns {
            let (turn, drawn) = self.receive.recv().map_err(io::Error::other)?;
            if turn != expected {
                return Err(io::Error::other("nested tables drawn out of turn"));
            }
            let drawn = drawn?;
            w.write_all(&drawn)?;
            self.waiting.fetch_sub(drawn.len(), Ordering::AcqRel);
            // The other thread may have finished: then the buffer is dropped here.
            let _ = self.give_back.send(drawn);
        }
        Ok(())
    }
}

/// How [`sections_in_turns`] shares the nested tables between two threads.
#[derive(Debug, Clone, Copy)]
struct Turns {
    /// Nested tables a turn draws.
    tables: usize,
    /// At most this many bytes the other thread drew wait to be written before it claims a
    /// new turn (then one more turn's).
    waiting: usize,
}

/// The turns `show` takes: 512 tables, and up to 4 MiB drawn ahead (enough to keep the other
/// thread drawing while the main grid of a 50,000-record body is written).
const TURNS: Turns = Turns {
    tables: 512,
    waiting: 4 << 20,
};

/// How many headers' column names and titles [`Nested`] keeps (the tables of a few columns,
/// one after another).
const TITLES_KEPT: usize = 4;

/// A nested table's column names and its grid's titles (`#` first).
struct NestedTitles {
    /// The header row as written.
    header: String,
    columns: Vec<String>,
    titles: Titles,
}

impl Nested {
    fn new(expand: bool, escape: Escape, known: Known) -> Nested {
        Nested {
            expand,
            escape,
            known,
            kept: RefCell::new(Vec::new()),
            titles: RefCell::new(Vec::new()),
        }
    }

    /// The nested tables `found` (cells of the records of a table with these `columns`), each
    /// as a section titled `title(record index, key)`, in order.
    fn sections(
        &self,
        w: &mut dyn Write,
        printer: &mut dyn Printer,
        columns: &[String],
        found: &[Found],
        title: &Title,
    ) -> io::Result<()> {
        let mut text = String::new();
        for &(i, c, table, len) in found {
            text.clear();
            title(&mut text, i, &columns[c]);
            self.section(w, printer, &text, table, len)?;
        }
        Ok(())
    }

    /// One nested table: its title, its grid (or `(no rows)`), how many rows the preview left
    /// out, then the tables inside it.
    fn section(
        &self,
        w: &mut dyn Write,
        printer: &mut dyn Printer,
        title: &str,
        table: Table,
        len: usize,
    ) -> io::Result<()> {
        printer.title(w, title)?;
        let titles = self.titles_of(&table);
        let columns = &titles.columns;
        let shown = if self.expand {
            len
        } else {
            len.min(PREVIEW_ROWS)
        };
        let rows = NestedRows {
            table,
            columns: columns.len(),
            shown,
            saw_table: std::cell::Cell::new(false),
            kept: &self.kept,
            filled: std::cell::Cell::new(None),
        };
        if shown == 0 {
            printer.note(w, "(no rows)")?;
        } else {
            printer.grid(w, &Grid::titled(self.escape, &titles.titles, &rows))?;
        }
        if shown < len {
            let more = len - shown;
            let rows = if more == 1 { "row" } else { "rows" };
            printer.note(w, &format!("… {more} more {rows} (use --expand)"))?;
        }
        if !rows.saw_table.get() {
            return Ok(());
        }
        let path = |path: &mut String, r: usize, key: &str| {
            path.push_str(title);
            path.push_str(" · row ");
            push_digits(path, r + 1);
            path.push_str(" · ");
            path.push_str(key);
        };
        let found = tables_in(&table, columns.len(), 0..shown);
        self.sections(w, printer, columns, &found, &path)
    }

    /// The column names and titles of `table`: those of a table before (one of the last
    /// [`TITLES_KEPT`] headers) when its header is written the same and the body is valid (no
    /// `_extra_N` columns to look for), else new.
    fn titles_of(&self, table: &Table) -> Rc<NestedTitles> {
        let header = table.header.map_or("", |h| h.raw());
        if self.known.valid {
            let kept = self.titles.borrow();
            if let Some(same) = kept.iter().rev().find(|t| t.header == header) {
                return Rc::clone(same);
            }
        }
        let known = Known {
            records: None,
            ..self.known
        };
        let columns = column_names(table, known);
        let titles = Titles::new(
            self.escape,
            std::iter::once("#").chain(columns.iter().map(String::as_str)),
        );
        let made = Rc::new(NestedTitles {
            header: header.to_string(),
            columns,
            titles,
        });
        let mut kept = self.titles.borrow_mut();
        if kept.len() == TITLES_KEPT {
            kept.remove(0);
        }
        kept.push(Rc::clone(&made));
        made
    }
}

/// Warnings and errors per record in the selection; entries beyond the last record (all of them
/// when there are no records, as in the spec's failure response) are request-level.
/// (An entry lists messages exactly when [`Report::counts`] counts some: both take the objects
/// of its arrays.) Only the labels and entries: the messages are read by [`Listed::groups`].
fn message_list(report: &Report, selection: &Selection, count: usize) -> Listed {
    let mut listed = Vec::new();
    let mut add = |label: String, i: usize| {
        if report.counts(i) != (0, 0) {
            listed.push((label, i));
        }
    };
    for i in selection.range.clone() {
        add(format!("record {}", i + 1), i);
    }
    if !selection.single {
        for i in count..report.entries() {
            let label = if count == 0 {
                "request-level (no output records)".to_string()
            } else {
                format!("entry {} (no output record)", i + 1)
            };
            add(label, i);
        }
    }
    Listed(listed)
}

/// The warnings and errors to print: each group's label and entry, in order.
struct Listed(Vec<(String, usize)>);

/// Groups of warnings and errors one part of [`Listed::draw`] prints.
const GROUPS_PER_PART: usize = 512;

impl Listed {
    /// How many parts [`Listed::draw`] prints them in (none when there is nothing to list).
    fn parts(&self) -> usize {
        self.0.len().div_ceil(GROUPS_PER_PART)
    }

    /// Part `part`: its groups' messages read from `report` and printed, under the heading for
    /// the first. A part prints the same whatever came before it (the other thread of
    /// [`sections_in_turns`] may print it).
    fn draw(
        &self,
        w: &mut dyn Write,
        printer: &mut dyn Printer,
        report: &Report,
        part: usize,
    ) -> io::Result<()> {
        let from = (part * GROUPS_PER_PART).min(self.0.len());
        let to = (from + GROUPS_PER_PART).min(self.0.len());
        let groups = Listed::groups(report, &self.0[from..to]);
        printer.messages(w, &groups, part == 0)
    }

    /// The groups of `listed` with their messages.
    fn groups<'a>(report: &Report<'a>, listed: &[(String, usize)]) -> Vec<Group<'a>> {
        let group = |(label, i): &(String, usize)| Group {
            label: label.clone(),
            errors: report.errors(*i),
            warnings: report.warnings(*i),
        };
        listed.iter().map(group).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(text: &str, options: Options) -> String {
        let doc = crate::json::parse(text).unwrap();
        let body = Body::view(&doc, None).unwrap();
        let mut out = Vec::new();
        render(&mut out, &body, &options).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn table_options() -> Options {
        Options::default()
    }

    /// A request whose records hold nested tables of every shape the sections draw: none, no
    /// rows, one row, previewed, a table inside a table, headers that change, text to escape.
    fn awkward_nested_body(records: usize) -> String {
        let mut body = String::from(r#"{"inputs":[["id","T","U"]"#);
        for i in 0..records {
            let t = match i % 6 {
                0 => "null".to_string(),
                1 => r#"[["a"]]"#.to_string(),
                2 => format!(r#"[["a","b"],[{i},"x\ty"]]"#),
                3 => format!(
                    "[[\"n\"],{}]",
                    (0..12)
                        .map(|k| format!("[{k}]"))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                4 => format!(r#"[["x","y"],[1,[["z"],[{i}],["é😀\u0007"]]]]"#),
                _ => r#"[["a","b","c"],[1,2,3],[null,true,"|*_"]]"#.to_string(),
            };
            let u = if i % 4 == 0 {
                r#"[["k"],["v"]]"#
            } else {
                "\"plain\""
            };
            body.push_str(&format!(",[{i},{t},{u}]"));
        }
        body.push_str("]}");
        body
    }

    /// Every character [`plain_width`] takes for plain is left as it is by the escaping and is
    /// one column wide; for the terminal, every other character below U+0800 goes to the
    /// escaping.
    #[test]
    fn plain_width_takes_only_text_the_escaping_leaves_and_one_column_characters() {
        for escape in [Escape::Terminal, Escape::Markdown] {
            for c in (0u32..0x800).filter_map(char::from_u32) {
                let one = c.to_string();
                let plain = plain_width(&one, escape);
                let untouched = text::escaped(&one, escape) == one && text::width(&one) == 1;
                let latin = ('\u{a0}'..='\u{ff}').contains(&c) && c != '\u{ad}';
                let ascii = (' '..='~').contains(&c) && c != '\\';
                let expected = match escape {
                    Escape::Terminal => ascii || latin,
                    // Less for markdown (its special characters go to the escaping), never
                    // letters and digits.
                    Escape::Markdown if c.is_alphanumeric() || c == ' ' => ascii || latin,
                    Escape::Markdown => plain.is_some(),
                };
                assert_eq!(plain.is_some(), expected, "{c:?} {escape:?}");
                if plain.is_some() {
                    assert!(untouched, "{c:?} {escape:?}");
                    assert_eq!(plain, Some(1), "{c:?} {escape:?}");
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// A cell pushed through [`plain_width`] is what the escaping writes, as wide as it
        /// measures: empty, ASCII, Latin-1, controls, backslashes, wide and combining characters,
        /// a lead byte cut off (`Ã` then not a continuation), long text.
        #[test]
        fn cells_are_pushed_as_the_escaping_writes_them(
            text in "(?s)[a-z \\\\|*.:@\u{0}-\u{1f}\u{7f}-\u{ff}\u{100}\u{301}\u{202e}日😀]{0,40}",
            markdown: bool,
        ) {
            let escape = if markdown { Escape::Markdown } else { Escape::Terminal };
            let mut fast = String::new();
            let width = push_text(&mut fast, &text, escape);
            let mut escaped = String::new();
            let escaped_width = text::push_escaped(&mut escaped, &text, escape);
            proptest::prop_assert_eq!(&fast, &escaped);
            proptest::prop_assert_eq!(width, escaped_width);
        }

        /// A string value is the same cell whether its raw text is taken as it is or unescaped
        /// first (`Cell::of`): escapes, quotes, controls, non-ASCII.
        #[test]
        fn a_string_cell_is_its_unescaped_text(
            text in "(?s)[a-z \"\\\\/\u{0}-\u{1f}\u{7f}-\u{ff}日😀]{0,30}",
            ascii_escapes: bool,
            markdown: bool,
        ) {
            let escape = if markdown { Escape::Markdown } else { Escape::Terminal };
            let json = if ascii_escapes {
                serde_json::to_string(&text).unwrap().replace('é', "\\u00e9")
            } else {
                serde_json::to_string(&text).unwrap()
            };
            let value = crate::json::parse(&json).unwrap();
            let mut row = Row::new(escape);
            row.push_value(Some(&value));
            let mut expected = Row::new(escape);
            expected.push(&value.as_str().unwrap(), Style::Plain);
            proptest::prop_assert_eq!(row.cell(0).0, expected.cell(0).0);
            proptest::prop_assert_eq!(row.cell(0).1.width, expected.cell(0).1.width);
        }
    }

    /// The warnings and errors printed in parts (as the turns of [`sections_in_turns`] take
    /// them, in order, by either printer) are what one call prints: 1,300 records, some with
    /// nothing to list, entries beyond the records.
    #[test]
    fn warnings_and_errors_in_parts_print_what_one_call_prints() {
        let mut text = String::from(r#"{"outputs":[["a"]"#);
        text.push_str(&",[1]".repeat(1300));
        let entry = |i: usize, what: &str| match i % 3 {
            0 => "null".to_string(),
            1 => format!(r#"[{{"source_path":"a","message":"{what} {i}\t|"}}]"#),
            _ => format!(r#"[{{"message":"{what}","error_type":{i}}}, 7]"#),
        };
        let list = |what: &str| {
            (0..1302)
                .map(|i| entry(i, what))
                .collect::<Vec<_>>()
                .join(",")
        };
        text.push_str(&format!(
            r#"],"warnings":[{}],"errors":[{}]}}"#,
            list("w"),
            list("e")
        ));
        let doc = crate::json::parse(&text).unwrap();
        let body = Body::view(&doc, None).unwrap();
        let report = Report::of(&body);
        let selection = select(&body, None, Known::default()).unwrap();
        let listed = message_list(&report, &selection, 1300);
        assert!(listed.parts() > 1, "{}", listed.parts());
        let printers: [fn() -> Box<dyn Printer>; 2] = [
            || Box::new(table::TablePrinter::new(Some(40), true)),
            || Box::new(markdown::MarkdownPrinter::default()),
        ];
        for make in printers {
            let (mut whole, mut parts) = (Vec::new(), Vec::new());
            let groups = Listed::groups(&report, &listed.0);
            make().messages(&mut whole, &groups, true).unwrap();
            let (mut first, mut other) = (make(), make());
            for part in 0..listed.parts() {
                let printer = if part % 2 == 0 {
                    &mut first
                } else {
                    &mut other
                };
                listed
                    .draw(&mut parts, &mut **printer, &report, part)
                    .unwrap();
            }
            assert_eq!(
                String::from_utf8_lossy(&parts),
                String::from_utf8_lossy(&whole)
            );
        }
    }

    /// The nested tables in [`awkward_nested_body`]'s records and the records' column names.
    fn with_awkward_tables(records: usize, test: impl FnOnce(&[String], &[Found])) {
        let text = awkward_nested_body(records);
        let doc = crate::json::parse(&text).unwrap();
        let body = Body::view(&doc, None).unwrap();
        let table = records_table(&body).unwrap();
        let columns = column_names(&table, Known::default());
        test(&columns, &tables_in(&table, columns.len(), 0..records));
    }

    #[test]
    fn nested_tables_drawn_in_turns_print_what_one_thread_prints() {
        with_awkward_tables(97, drawn_in_turns_as_by_one_thread);
    }

    fn drawn_in_turns_as_by_one_thread(columns: &[String], found: &[Found]) {
        let known = Known::default();
        assert!(found.len() > 100, "{}", found.len());
        let printers: [fn() -> Box<dyn Printer>; 2] = [
            || Box::new(table::TablePrinter::new(Some(50), true)),
            || Box::new(markdown::MarkdownPrinter::default()),
        ];
        for make in printers {
            let escape = make().escape();
            let draw = |w: &mut dyn Write, printer: &mut dyn Printer, found: &[Found]| {
                let title = &record_title;
                Nested::new(false, escape, known).sections(w, printer, columns, found, title)
            };
            let (mut alone, mut printer) = (Vec::new(), make());
            printer.summary(&mut alone, "before").unwrap();
            draw(&mut alone, &mut *printer, found).unwrap();
            // `after` prints the same whatever came before it, as the warnings and errors do
            // (a summary: a blank line first): it may be drawn by either thread.
            for part in 0..3 {
                printer
                    .summary(&mut alone, &format!("after {part}"))
                    .unwrap();
            }
            let bounds = [0, 1, 300, usize::MAX];
            let turns = [0, 1, 2, 3, 7, 50, 1000].into_iter().enumerate();
            for (per_turn, waiting) in turns.map(|(i, t)| (t, bounds[i % bounds.len()])) {
                let (mut turns, mut printer) = (Vec::new(), make());
                let part = |w: &mut dyn Write, p: &mut dyn Printer, part: usize| {
                    p.summary(w, &format!("after {part}"))
                };
                let after = Finish {
                    parts: 3,
                    draw: &part,
                };
                sections_in_turns(
                    &mut turns,
                    &mut *printer,
                    found,
                    &draw,
                    Turns {
                        tables: per_turn,
                        waiting,
                    },
                    |w, p| p.summary(w, "before"),
                    &after,
                )
                .unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&turns),
                    String::from_utf8_lossy(&alone),
                    "{per_turn} per turn, {waiting} bytes waiting"
                );
            }
        }
    }

    /// Column names and titles kept from the tables before (the last few headers) give each
    /// section what a section drawn alone gets: headers that come back after others, tables
    /// inside tables, a body not known to be valid (nothing reused).
    #[test]
    fn a_section_is_drawn_as_alone_whatever_tables_came_before() {
        with_awkward_tables(60, drawn_as_alone);
    }

    fn drawn_as_alone(columns: &[String], found: &[Found]) {
        for valid in [true, false] {
            let known = Known {
                valid,
                ..Known::default()
            };
            for expand in [false, true] {
                let (mut together, mut alone) = (Vec::new(), Vec::new());
                let title = &record_title;
                let draw = |w: &mut Vec<u8>, printer: &mut dyn Printer, nested: &Nested, found| {
                    nested.sections(w, printer, columns, found, title).unwrap();
                };
                let mut printer = table::TablePrinter::new(None, false);
                let nested = Nested::new(expand, Escape::Terminal, known);
                draw(&mut together, &mut printer, &nested, found);
                let mut printer = table::TablePrinter::new(None, false);
                for one in found.chunks(1) {
                    let nested = Nested::new(expand, Escape::Terminal, known);
                    draw(&mut alone, &mut printer, &nested, one);
                }
                assert_eq!(
                    String::from_utf8_lossy(&together),
                    String::from_utf8_lossy(&alone),
                    "valid {valid}, expand {expand}"
                );
            }
        }
    }

    #[test]
    fn a_first_walk_in_two_parts_keeps_and_notes_what_one_walk_does() {
        let text = awkward_nested_body(30);
        let doc = crate::json::parse(&text).unwrap();
        let body = Body::view(&doc, None).unwrap();
        let table = records_table(&body).unwrap();
        let columns = column_names(&table, Known::default());
        let report = Report::of(&body);
        let starts = table.index();
        let drawn = |range: Range<usize>, split: Option<(usize, usize, usize)>| {
            let rows = MainRows {
                fill: MainFill {
                    invalid: false,
                    columns: columns.len(),
                    report: &report,
                    response: false,
                },
                noted: RefCell::new(Noted::default()),
                table,
                range,
                kept: RefCell::new(KeptRows::within(KEPT_BYTES)),
            };
            rows.first_walk(Escape::Terminal, split).unwrap();
            let mut out = Vec::new();
            let mut printer = table::TablePrinter::new(None, false);
            main_grid(&mut out, &mut printer, &columns, &rows).unwrap();
            let found = rows.noted.into_inner().found;
            let found: Vec<(usize, usize, usize)> = found.iter().map(|f| (f.0, f.1, f.3)).collect();
            (String::from_utf8(out).unwrap(), found)
        };
        for range in [0..30, 3..30, 0..17, 5..6] {
            let whole = drawn(range.clone(), None);
            assert!(whole.1.len() > 3 || range.len() < 5, "{range:?}");
            for middle in 0..30 {
                let offset = starts.get(middle).unwrap().offset();
                let split = Some((table.rows.offset(), middle, offset));
                assert_eq!(
                    drawn(range.clone(), split),
                    whole,
                    "{range:?} split at {middle}"
                );
            }
            // A mark of another table is not used.
            let elsewhere = Some((
                table.rows.offset() + 1,
                10,
                starts.get(10).unwrap().offset(),
            ));
            assert_eq!(drawn(range.clone(), elsewhere), whole);
        }
    }

    #[test]
    fn a_grid_too_large_to_keep_draws_as_a_kept_one() {
        let text = awkward_nested_body(40);
        let doc = crate::json::parse(&text).unwrap();
        let body = Body::view(&doc, None).unwrap();
        let table = records_table(&body).unwrap();
        let columns = column_names(&table, Known::default());
        let report = Report::of(&body);
        let drawn = |limit: usize| {
            let rows = MainRows {
                fill: MainFill {
                    invalid: false,
                    columns: columns.len(),
                    report: &report,
                    response: false,
                },
                noted: RefCell::new(Noted::default()),
                table,
                range: 0..40,
                kept: RefCell::new(KeptRows::within(limit)),
            };
            let mut out = Vec::new();
            let mut printer = table::TablePrinter::new(Some(60), false);
            main_grid(&mut out, &mut printer, &columns, &rows).unwrap();
            let usable = rows.kept.borrow().usable();
            (
                String::from_utf8(out).unwrap(),
                usable,
                rows.noted.into_inner().found.len(),
            )
        };
        let (kept, usable, tables) = drawn(KEPT_BYTES);
        assert!(usable);
        for limit in [0, 100, 2000] {
            let (walked, usable, walked_tables) = drawn(limit);
            assert!(!usable, "{limit}");
            assert_eq!(walked, kept, "{limit}");
            assert_eq!(walked_tables, tables, "{limit}");
        }
        assert!(
            kept.contains("[table 12×1]") && kept.lines().count() > 40,
            "{kept}"
        );
    }

    #[test]
    fn status_counts_errors_before_warnings() {
        assert_eq!(status_text(0, 0), "ok");
        assert_eq!(status_text(0, 2), "2 warnings");
        assert_eq!(status_text(1, 0), "1 error");
        assert_eq!(status_text(1, 2), "1 error, 2 warnings");
    }

    #[test]
    fn nested_tables_show_rows_by_columns() {
        let text = rendered(
            r#"{"inputs":[["T"],[[["a","b"],[1,2],[3,4],[5,6]]]]}"#,
            table_options(),
        );
        assert!(text.contains("[table 3×2]"), "{text}");
        assert!(text.contains("record 1 · T"), "{text}");
    }

    #[test]
    fn long_nested_tables_are_previewed_unless_expanded() {
        let rows: Vec<String> = (0..12).map(|i| format!("[{i}]")).collect();
        let doc = format!(r#"{{"inputs":[["T"],[[["n"],{}]]]}}"#, rows.join(","));
        let preview = rendered(&doc, table_options());
        assert!(
            preview.contains("… 2 more rows (use --expand)"),
            "{preview}"
        );
        let expanded = rendered(
            &doc,
            Options {
                expand: true,
                ..table_options()
            },
        );
        assert!(!expanded.contains("more rows"), "{expanded}");
        assert!(expanded.contains("12 │ 11"), "{expanded}");
    }

    #[test]
    fn a_broken_body_renders_and_reports_its_diagnostics() {
        use crate::body::Kind;
        use crate::diag::{Diagnostic, Severity};
        let source = Source::from_bytes("b.json", br#"{"inputs":[["a"],[{"x":1}]]}"#.to_vec());
        let mut diagnostic = Diagnostic::new("XC200", Severity::Error, "/inputs/1/0", "bad");
        diagnostic.line = 1;
        diagnostic.col = 19;
        let checked = Checked {
            kind: Some(Kind::Request),
            diagnostics: vec![diagnostic],
            root: None,
            unlisted: Default::default(),
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let outcome =
            render_checked(&mut out, &mut err, &source, &checked, &table_options()).unwrap();
        assert_eq!(outcome, Outcome::Invalid);
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains(r#"1 │ {"x":1}"#), "{out}");
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "b.json:1:19: error[XC200]: bad at /inputs/1/0\n"
        );
    }

    #[test]
    fn record_out_of_range_names_the_count() {
        let doc = crate::json::parse(r#"{"inputs":[["a"],[1]]}"#).unwrap();
        let body = Body::view(&doc, None).unwrap();
        let options = Options {
            record: Some(2),
            ..table_options()
        };
        let err = render(&mut Vec::new(), &body, &options).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--record 2: the request has 1 input record"
        );
    }
}
