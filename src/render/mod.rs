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
mod markdown;
mod table;

use std::fmt::Write as _;
use std::io::{self, Write};
use std::ops::Range;

use crate::error::Outcome;
use crate::legacy_body::{messages, Body, Cell, Json, Message, Table};
use crate::text::{self, Escape};
use crate::validate::Checked;

/// Rows of a nested table shown below the grid unless `--expand` or `--record` is given.
pub const PREVIEW_ROWS: usize = 10;

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

/// Render `body` (a view of `doc`) in `options.format`. Fails with a usage error (exit 2) when
/// `--record N` is out of range, and with the writer's I/O error (a closed pipe included).
pub fn render(w: &mut dyn Write, doc: &Json, body: &Body, options: &Options) -> anyhow::Result<()> {
    let selection = select(body, options.record)?;
    match options.format {
        Format::Table => {
            let mut printer = table::TablePrinter::new(options.width, options.color);
            render_tables(w, body, &selection, options.expand, &mut printer)?;
        }
        Format::Markdown => {
            let mut printer = markdown::MarkdownPrinter::default();
            render_tables(w, body, &selection, options.expand, &mut printer)?;
        }
        Format::Csv => csv::render(w, body, selection.range, options.terminal)?,
        Format::Json => {
            let single = selection.single.then_some(selection.range.start);
            json::render(w, doc, body, single)?
        }
    }
    Ok(())
}

/// Render a checked document as `show` and `call` print it: what can be rendered goes to `out`
/// (nothing when the document did not parse or is not a body), then the validator's
/// diagnostics, as `xconn validate` prints them, to `diagnostics`. Invalid when there are errors.
pub fn render_checked(
    out: &mut dyn Write,
    diagnostics: &mut dyn Write,
    source_name: &str,
    checked: &Checked,
    options: &Options,
) -> anyhow::Result<Outcome> {
    let body = checked
        .doc
        .as_ref()
        .and_then(|doc| Some((doc, Body::view(doc, checked.kind)?)));
    if let Some((doc, body)) = body {
        render(out, doc, &body, options)?;
    }
    if !checked.diagnostics.is_empty() {
        out.flush()?;
        crate::validate::write_text(diagnostics, source_name, &checked.diagnostics)?;
    }
    Ok(if checked.has_errors() {
        Outcome::Invalid
    } else {
        Outcome::Success
    })
}

/// The records to show.
#[derive(Debug, Clone)]
struct Selection {
    /// Record indexes (0-based).
    range: Range<usize>,
    /// `--record N` was given: one record, shown vertically.
    single: bool,
}

fn select(body: &Body, record: Option<usize>) -> anyhow::Result<Selection> {
    let count = body.records().map_or(0, |t| t.len());
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

/// The per-record lists of a response (empty for a request).
#[derive(Clone, Copy, Default)]
struct Report<'a> {
    warnings: &'a [Json],
    errors: &'a [Json],
    process_time: &'a [Json],
}

impl<'a> Report<'a> {
    fn of(body: &Body<'a>) -> Report<'a> {
        match body {
            Body::Request(_) => Report::default(),
            Body::Response(r) => Report {
                warnings: r.warnings.unwrap_or(&[]),
                errors: r.errors.unwrap_or(&[]),
                process_time: r.process_time.unwrap_or(&[]),
            },
        }
    }

    fn warnings(&self, i: usize) -> Vec<Message<'a>> {
        self.warnings.get(i).map(messages).unwrap_or_default()
    }

    fn errors(&self, i: usize) -> Vec<Message<'a>> {
        self.errors.get(i).map(messages).unwrap_or_default()
    }

    /// (errors, warnings) of entry `i`, without collecting them.
    fn counts(&self, i: usize) -> (usize, usize) {
        let count = |list: &[Json]| match list.get(i) {
            Some(Json::Array(items)) => items.iter().filter(|m| m.is_object()).count(),
            _ => 0,
        };
        (count(self.errors), count(self.warnings))
    }

    fn entries(&self) -> usize {
        self.warnings.len().max(self.errors.len())
    }
}

/// The column names of a records or nested table: the header's keys, then `_extra_N` for values
/// beyond the header (as `convert` names them).
fn column_names(table: &Table) -> Vec<String> {
    let mut names = table.keys();
    let widest = (0..table.len())
        .map(|i| table.record(i).len())
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

/// One cell of a [`Grid`]: a slice of the grid's text arena.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    start: usize,
    end: usize,
    pub width: usize,
    pub style: Style,
}

/// Rows of escaped cell text, stored in one string so a 100,000-row grid costs a few allocations.
pub(crate) struct Grid {
    escape: Escape,
    pub headers: Vec<String>,
    pub header_widths: Vec<usize>,
    text: String,
    cells: Vec<Span>,
}

impl Grid {
    fn new(escape: Escape, headers: impl IntoIterator<Item = String>) -> Grid {
        let headers: Vec<String> = headers
            .into_iter()
            .map(|h| text::escaped(&h, escape))
            .collect();
        let header_widths = headers.iter().map(|h| text::width(h)).collect();
        Grid {
            escape,
            headers,
            header_widths,
            text: String::new(),
            cells: Vec::new(),
        }
    }

    pub fn columns(&self) -> usize {
        self.headers.len()
    }

    pub fn rows(&self) -> usize {
        self.cells.len().checked_div(self.columns()).unwrap_or(0)
    }

    pub fn cell(&self, row: usize, column: usize) -> (&str, Span) {
        let span = self.cells[row * self.columns() + column];
        (&self.text[span.start..span.end], span)
    }

    fn push(&mut self, text: &str, style: Style) {
        let start = self.text.len();
        let width = text::push_escaped(&mut self.text, text, self.escape);
        self.finish(start, width, style);
    }

    fn push_number(&mut self, n: usize) {
        let start = self.text.len();
        let _ = write!(self.text, "{n}");
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

    /// A value as a cell: missing is blank, `null` dim, numbers as written, a nested table as
    /// `[table R×C]`, anything else that is not a valid value as compact JSON text.
    fn push_value(&mut self, value: Option<&Json>) {
        let Some(value) = value else {
            return self.push("", Style::Plain);
        };
        match Cell::of(value) {
            Cell::Null => self.push("null", Style::Null),
            Cell::Bool(b) => self.push(if b { "true" } else { "false" }, Style::Plain),
            Cell::Number(n) => self.push(n.as_str(), Style::Number),
            Cell::String(s) => self.push(s, Style::Plain),
            Cell::Table(t) => {
                let start = self.text.len();
                let _ = write!(self.text, "[table {}×{}]", t.len(), t.width());
                let width = text::width(&self.text[start..]);
                self.finish(start, width, Style::Table);
            }
            Cell::Other(other) => self.push(&compact_json(other), Style::Plain),
        }
    }
}

/// A value as one line of compact JSON.
pub(crate) fn compact_json(value: &Json) -> String {
    serde_json::to_string(value).unwrap_or_default()
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
        .iter()
        .filter(|(key, _)| *key != "source_path" && *key != "message")
        .map(|(key, value)| {
            let text = match value {
                Json::String(s) => s.clone(),
                other => compact_json(other),
            };
            (key.clone(), text)
        })
        .collect()
}

/// What differs between the table and markdown formats; `render_tables` does the rest.
pub(crate) trait Printer {
    fn escape(&self) -> Escape;
    /// The one-line summary at the top.
    fn summary(&mut self, w: &mut dyn Write, text: &str) -> io::Result<()>;
    /// The title of a nested table.
    fn title(&mut self, w: &mut dyn Write, text: &str) -> io::Result<()>;
    fn grid(&mut self, w: &mut dyn Write, grid: &Grid) -> io::Result<()>;
    /// A line of its own (`no output records`, `… 3 more rows`).
    fn note(&mut self, w: &mut dyn Write, text: &str) -> io::Result<()>;
    fn messages(&mut self, w: &mut dyn Write, groups: &[Group]) -> io::Result<()>;
}

fn render_tables(
    w: &mut dyn Write,
    body: &Body,
    selection: &Selection,
    expand: bool,
    printer: &mut dyn Printer,
) -> io::Result<()> {
    let report = Report::of(body);
    let records = body.records();
    let count = records.map_or(0, |t| t.len());
    printer.summary(w, &summary(body, &report, selection, count))?;

    match records {
        None => printer.note(
            w,
            &format!(
                "no records: `{}` is missing or not an array",
                body.kind().records_key()
            ),
        )?,
        Some(_) if count == 0 => printer.note(w, &plural(0, record_word(body)))?,
        Some(table) => {
            let columns = column_names(&table);
            let grid = if selection.single {
                let response = matches!(body, Body::Response(_));
                let i = selection.range.start;
                record_grid(printer.escape(), &table, &columns, response, &report, i)
            } else {
                main_grid(
                    printer.escape(),
                    &table,
                    &columns,
                    body,
                    &report,
                    selection.range.clone(),
                )
            };
            printer.grid(w, &grid)?;
            drop(grid);
            let nested = Nested {
                expand: expand || selection.single,
                escape: printer.escape(),
            };
            for i in selection.range.clone() {
                let values = table.record(i);
                for (key, value) in columns.iter().zip(values) {
                    if let Cell::Table(sub) = Cell::of(value) {
                        nested.section(w, printer, &format!("record {} · {key}", i + 1), sub)?;
                    }
                }
            }
        }
    }

    let groups = message_groups(&report, selection, count);
    if !groups.is_empty() {
        printer.messages(w, &groups)?;
    }
    Ok(())
}

/// `response: 3 records, 1 error, 2 warnings` / `request: 3 records` / `record 2 of 3`.
fn summary(body: &Body, report: &Report, selection: &Selection, count: usize) -> String {
    let kind = body.kind().name();
    if selection.single {
        return format!("{kind}: record {} of {count}", selection.range.start + 1);
    }
    let mut text = format!("{kind}: {}", plural(count, "record"));
    if let Body::Response(_) = body {
        let (mut errors, mut warnings) = (0, 0);
        for i in 0..report.entries() {
            let (e, w) = report.counts(i);
            errors += e;
            warnings += w;
        }
        text.push_str(", ");
        text.push_str(&status_text(errors, warnings));
    }
    text
}

fn main_grid(
    escape: Escape,
    table: &Table,
    columns: &[String],
    body: &Body,
    report: &Report,
    range: Range<usize>,
) -> Grid {
    let response = matches!(body, Body::Response(_));
    let mut headers = Vec::with_capacity(columns.len() + 3);
    headers.push("#".to_string());
    headers.extend(columns.iter().cloned());
    if response {
        headers.push("process_time".to_string());
        headers.push("status".to_string());
    }
    let mut grid = Grid::new(escape, headers);
    grid.cells.reserve(range.len() * grid.columns());
    for i in range {
        grid.push_number(i + 1);
        let values = table.record(i);
        for c in 0..columns.len() {
            grid.push_value(values.get(c));
        }
        if response {
            grid.push_value(report.process_time.get(i));
            let (errors, warnings) = report.counts(i);
            grid.push(
                &status_text(errors, warnings),
                status_style(errors, warnings),
            );
        }
    }
    grid
}

/// One record as `key │ value` rows (`--record N`).
fn record_grid(
    escape: Escape,
    table: &Table,
    columns: &[String],
    response: bool,
    report: &Report,
    i: usize,
) -> Grid {
    let mut grid = Grid::new(escape, ["key".to_string(), "value".to_string()]);
    let values = table.record(i);
    for (c, key) in columns.iter().enumerate() {
        grid.push(key, Style::Plain);
        grid.push_value(values.get(c));
    }
    if response {
        grid.push("process_time", Style::Plain);
        grid.push_value(report.process_time.get(i));
        let (errors, warnings) = report.counts(i);
        grid.push("status", Style::Plain);
        grid.push(
            &status_text(errors, warnings),
            status_style(errors, warnings),
        );
    }
    grid
}

/// Nested tables below the grid.
struct Nested {
    expand: bool,
    escape: Escape,
}

impl Nested {
    fn section(
        &self,
        w: &mut dyn Write,
        printer: &mut dyn Printer,
        title: &str,
        table: Table,
    ) -> io::Result<()> {
        printer.title(w, title)?;
        let columns = column_names(&table);
        let shown = if self.expand {
            table.len()
        } else {
            table.len().min(PREVIEW_ROWS)
        };
        let mut grid = Grid::new(
            self.escape,
            std::iter::once("#".to_string()).chain(columns.iter().cloned()),
        );
        for r in 0..shown {
            grid.push_number(r + 1);
            let values = table.record(r);
            for c in 0..columns.len() {
                grid.push_value(values.get(c));
            }
        }
        if shown == 0 {
            printer.note(w, "(no rows)")?;
        } else {
            printer.grid(w, &grid)?;
        }
        drop(grid);
        if shown < table.len() {
            let more = table.len() - shown;
            let rows = if more == 1 { "row" } else { "rows" };
            printer.note(w, &format!("… {more} more {rows} (use --expand)"))?;
        }
        for r in 0..shown {
            for (key, value) in columns.iter().zip(table.record(r)) {
                if let Cell::Table(sub) = Cell::of(value) {
                    let path = format!("{title} · row {} · {key}", r + 1);
                    self.section(w, printer, &path, sub)?;
                }
            }
        }
        Ok(())
    }
}

/// Warnings and errors per record in the selection; entries beyond the last record (all of them
/// when there are no records, as in the spec's failure response) are request-level.
fn message_groups<'a>(report: &Report<'a>, selection: &Selection, count: usize) -> Vec<Group<'a>> {
    let mut groups = Vec::new();
    let mut add = |label: String, i: usize| {
        let errors = report.errors(i);
        let warnings = report.warnings(i);
        if !errors.is_empty() || !warnings.is_empty() {
            groups.push(Group {
                label,
                errors,
                warnings,
            });
        }
    };
    for i in selection.range.clone() {
        if report.counts(i) != (0, 0) {
            add(format!("record {}", i + 1), i);
        }
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
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(text: &str, options: Options) -> String {
        let doc = crate::json::dom::parse(text).unwrap();
        let body = Body::view(&doc, None).unwrap();
        let mut out = Vec::new();
        render(&mut out, &doc, &body, &options).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn table_options() -> Options {
        Options::default()
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
        use crate::diag::{Diagnostic, Severity};
        use crate::legacy_body::Kind;
        let doc = crate::json::dom::parse(r#"{"inputs":[["a"],[{"x":1}]]}"#).unwrap();
        let mut diagnostic = Diagnostic::new("XC200", Severity::Error, "/inputs/1/0", "bad");
        diagnostic.line = 1;
        diagnostic.col = 19;
        let checked = Checked {
            doc: Some(doc),
            kind: Some(Kind::Request),
            diagnostics: vec![diagnostic],
            root: None,
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let outcome =
            render_checked(&mut out, &mut err, "b.json", &checked, &table_options()).unwrap();
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
        let doc = crate::json::dom::parse(r#"{"inputs":[["a"],[1]]}"#).unwrap();
        let body = Body::view(&doc, None).unwrap();
        let options = Options {
            record: Some(2),
            ..table_options()
        };
        let err = render(&mut Vec::new(), &doc, &body, &options).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--record 2: the request has 1 input record"
        );
    }
}
