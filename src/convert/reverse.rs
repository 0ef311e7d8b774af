//! A request or response body → an array of objects (`--to json`, the default), one object per
//! line (`--to ndjson`) or flat CSV rows (`--to csv`). Only the records table (`inputs` /
//! `outputs`) is converted; a response's `warnings`, `errors` and `process_time` are not part of
//! the rows. Nested tables become arrays of objects, or with `--nest` `Table.column` CSV columns
//! by the one flattener ([`crate::body::flatten`], shared with `show --format csv`).
//!
//! A body the validator rejects is refused with the validator's first error (`file:line:col:
//! XC107 message at /pointer`); a body it accepts is converted, so nothing here re-checks the
//! body's shape. Records are written one at a time straight from the text (no tree, no per-record
//! allocation beyond small reused buffers), and the pages of a memory-mapped source are given back
//! as the write pass leaves them behind.

use std::borrow::Cow;
use std::io::Write;

use super::{located, Settings, TargetFormat};
use crate::body::flatten::{field_text, Flattener, Planner};
use crate::body::{write_document, write_record_object, Body, Kind, Layout, Table};
use crate::convert::infer::Typed;
use crate::diag::Severity;
use crate::json::write::{indent, Style};
use crate::json::{Value, ValueKind};
use crate::source::Source;

/// Give pages back every this many bytes of records written.
const RELEASE_EVERY: usize = 8 << 20;

/// Convert the body in `source` (whose text is `text`) to `to`, in two passes: the validator's
/// (a body it rejects is refused with its first error, `file:line:col: RULE message at POINTER`),
/// then the write pass over the checked text. `--to body` rewrites the layout of a body the
/// validator accepts. Options that mean nothing for a body (`--flatten`, a `--kind` other than the
/// body's) are usage errors.
pub(crate) fn body_to(
    source: &Source,
    text: &str,
    to: TargetFormat,
    settings: &Settings,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let validated =
        crate::validate::check_source_text(source, text, &crate::validate::Options::default());
    let checked = &validated.checked;
    let kind = checked.kind.unwrap_or(Kind::Request);
    refuse_options(source, kind, settings)?;
    if let Some(first) = checked
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
    {
        return Err(refuse(source, first));
    }
    let doc = crate::validate::body_root(text, checked)
        .ok_or_else(|| located(&source.name, 1, 1, "not a JSON document"))?;
    if to == TargetFormat::Body {
        write_document(&mut &mut *w, &doc, settings.layout)?;
        return Ok(());
    }
    let table = Body::view_with(&doc, Some(kind), &mut |at| source.release_before(at))
        .and_then(|b| b.records())
        .ok_or_else(|| located(&source.name, 1, 1, "not a body"))?;
    let mut release = Release::new(source);
    match to {
        TargetFormat::Body => unreachable!("handled above"),
        TargetFormat::Json => write_objects(&table, settings.layout, w, &mut release),
        TargetFormat::Ndjson => {
            let keys = table.keys();
            let mut line = Vec::with_capacity(256);
            table.each_record(|record, values| -> std::io::Result<()> {
                line.clear();
                write_record_object(&mut line, &keys, values, Style::Compact)?;
                line.push(b'\n');
                w.write_all(&line)?;
                release.passed(record.end());
                Ok(())
            })?;
            Ok(())
        }
        TargetFormat::Csv => write_csv(
            source,
            &table,
            kind,
            validated.nested_tables,
            settings,
            w,
            &mut release,
        ),
    }
}

/// Options that mean nothing for a body: `--flatten`, a `--kind` other than the body's.
fn refuse_options(source: &Source, kind: Kind, settings: &Settings) -> anyhow::Result<()> {
    if settings.flatten {
        anyhow::bail!(
            "--flatten does not apply to a body: {} is a {} body, whose values are already scalars or tables",
            source.name,
            kind.name()
        );
    }
    if settings.kind_given && settings.kind != kind {
        anyhow::bail!(
            "--kind {}: {} is a {} body; convert does not turn one kind of body into the other (drop --kind)",
            settings.kind.name(),
            source.name,
            kind.name()
        );
    }
    Ok(())
}

/// The validator's error as the refusal: a syntax error reads as every JSON syntax error does;
/// a rule names itself and its place.
fn refuse(source: &Source, d: &crate::diag::Diagnostic) -> anyhow::Error {
    let message = if d.rule == crate::validate::SYNTAX {
        d.message.clone()
    } else {
        format!("{} {} at {}", d.rule, d.message, d.location())
    };
    located(&source.name, d.line, d.col, &message)
}

/// Gives back the pages of a mapped source behind the write pass, every few MB.
struct Release<'s> {
    source: &'s Source,
    last: usize,
}

impl<'s> Release<'s> {
    fn new(source: &'s Source) -> Release<'s> {
        Release { source, last: 0 }
    }

    /// A new pass starts from the beginning.
    fn restart(&mut self) {
        self.last = 0;
    }

    fn passed(&mut self, offset: usize) {
        if offset >= self.last + RELEASE_EVERY {
            self.source.release_before(offset);
            self.last = offset;
        }
    }
}

fn write_objects(
    table: &Table,
    layout: Layout,
    w: &mut dyn Write,
    release: &mut Release,
) -> anyhow::Result<()> {
    let keys = table.keys();
    let mut line = Vec::with_capacity(256);
    let (open, sep, close, style): (&[u8], &[u8], &[u8], Style) = match layout {
        Layout::Records => (b"[\n  ", b",\n  ", b"\n]", Style::Spaced),
        Layout::Compact => (b"[", b",", b"]", Style::Compact),
        Layout::Pretty => (b"[\n", b",\n", b"\n]", Style::Pretty(1)),
    };
    let mut any = false;
    table.each_record(|record, values| -> std::io::Result<()> {
        // One write per record: the writer behind `w` is reached through a trait object.
        line.clear();
        line.extend_from_slice(if any { sep } else { open });
        any = true;
        if layout == Layout::Pretty {
            indent(&mut line, 1)?;
        }
        write_record_object(&mut line, &keys, values, style)?;
        w.write_all(&line)?;
        release.passed(record.end());
        Ok(())
    })?;
    w.write_all(if any { close } else { b"[]" })?;
    w.write_all(b"\n")?;
    Ok(())
}

/// `--to csv`: a planning pass when there are nested tables (or `--nest`), the refusals of what
/// CSV rows could not carry, then the write pass.
fn write_csv(
    source: &Source,
    table: &Table,
    kind: Kind,
    nested_tables: usize,
    settings: &Settings,
    w: &mut dyn Write,
    release: &mut Release,
) -> anyhow::Result<()> {
    let job = CsvJob {
        source,
        table,
        kind,
        keys: table.keys(),
        settings,
    };
    // The planning pass gives pages back as it goes; the write pass then starts over.
    let flattener = job.plan(nested_tables, release)?;
    release.restart();
    job.refuse_unspread_table(&flattener)?;
    job.refuse_separator_in_name(&flattener)?;
    job.write_rows(&flattener, w, release)
}

/// What the steps of [`write_csv`] share: the body's source, records table, kind and column
/// names, and the settings.
struct CsvJob<'j, 'a> {
    source: &'j Source,
    table: &'j Table<'a>,
    kind: Kind,
    keys: Vec<String>,
    settings: &'j Settings,
}

impl<'a> CsvJob<'_, 'a> {
    /// The CSV columns. The validator counted the nested tables: a flat body needs no planning
    /// pass, unless it is written for `--nest`, whose reading back is checked here first
    /// (nothing is written when it would read back as another body).
    fn plan(&self, nested_tables: usize, release: &mut Release) -> anyhow::Result<Flattener<'a>> {
        let mut planner = Planner::new(self.keys.clone(), &self.settings.nest_sep);
        if nested_tables == 0 && !self.settings.nest {
            return Ok(planner.finish());
        }
        let mut round_trip = self
            .settings
            .nest
            .then(|| NestRoundTrip::new(&self.keys, self.kind.records_key()));
        let mut index = 0usize;
        self.table
            .each_record(|record, cells| -> anyhow::Result<()> {
                index += 1;
                if let Some(check) = round_trip.as_mut() {
                    check
                        .observe(index, cells)
                        .map_err(|(offset, message)| refusal(self.source, offset, &message))?;
                }
                planner.observe(cells);
                release.passed(record.end());
                Ok(())
            })?;
        let flattener = planner.finish();
        if let Some(check) = round_trip {
            check
                .finish(flattener.fields())
                .map_err(|(offset, message)| refusal(self.source, offset, &message))?;
        }
        Ok(flattener)
    }

    /// Without `--nest`, a nested table is refused (CSV rows are flat), with the hint of the
    /// columns `--nest` would spread it into.
    fn refuse_unspread_table(&self, flattener: &Flattener) -> anyhow::Result<()> {
        let (false, Some(first)) = (self.settings.nest, flattener.first_table()) else {
            return Ok(());
        };
        let (keys, sep) = (&self.keys, &self.settings.nest_sep);
        let inner = Table::from_value(&first.value)
            .map(|t| t.keys())
            .unwrap_or_default();
        let column = &keys[first.column.min(keys.len().saturating_sub(1))];
        let spread: Vec<String> = inner.iter().map(|k| format!("{column}{sep}{k}")).collect();
        Err(refusal(
            self.source,
            first.value.offset(),
            &format!(
                "/{}/{}/{} (record {}, column {column:?}) holds a nested table, but CSV rows are flat (hint: --nest spreads tables into {} columns, one row per table row)",
                self.kind.records_key(),
                first.record + 1,
                first.column,
                first.record + 1,
                spread.join(", ")
            ),
        ))
    }

    /// Under `--nest`, a column whose own name holds the separator could not be told from a
    /// `Table.column` name when read back.
    fn refuse_separator_in_name(&self, flattener: &Flattener) -> anyhow::Result<()> {
        let sep = &self.settings.nest_sep;
        match flattener.name_with_separator() {
            Some(name) if self.settings.nest => Err(located(
                &self.source.name,
                1,
                1,
                &format!(
                    "column {name:?} holds the separator {sep:?} in its own name, so --nest could not tell it from a Table{sep}column name when the CSV is read back (hint: rename the column, or choose another --nest-sep)"
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The write pass: the header, then each record's rows. (Under `--nest`, what would read
    /// back otherwise — a null beside tables among it — was refused by the planning pass,
    /// before anything was written.)
    fn write_rows(
        &self,
        flattener: &Flattener<'a>,
        w: &mut dyn Write,
        release: &mut Release,
    ) -> anyhow::Result<()> {
        let delimiter = self.settings.delimiter_for(self.settings.output.as_deref());
        let mut out = CsvOut::new(
            std::io::BufWriter::with_capacity(64 * 1024, &mut *w),
            delimiter,
        );
        let header: Vec<Field> = flattener.header().into_iter().map(Field::plain).collect();
        out.row(&header)?;
        let one_column = flattener.fields() == 1;
        let mut buffer: Vec<Field> = Vec::with_capacity(flattener.fields());
        let mut index = 0usize;
        self.table
            .each_record(|record, cells| -> anyhow::Result<()> {
                index += 1;
                self.refuse_unwritable(index, cells, one_column)?;
                flattener.cells_with(cells, &mut buffer, Field::plain(""), field, |fields| {
                    out.row(fields)
                })?;
                release.passed(record.end());
                Ok(())
            })?;
        out.flush()?;
        Ok(())
    }

    /// A record CSV fields cannot carry: an empty table `[]` anywhere, an empty string as the
    /// only field of a row (it reads back as null).
    fn refuse_unwritable(
        &self,
        index: usize,
        cells: &[Value],
        one_column: bool,
    ) -> anyhow::Result<()> {
        let records_key = self.kind.records_key();
        for (column, value) in cells.iter().enumerate() {
            if is_empty_array(value) {
                return Err(refusal(
                    self.source,
                    value.offset(),
                    &empty_table(&format!(
                        "/{records_key}/{index}/{column} (record {index}, column {:?})",
                        self.keys.get(column).map_or("", String::as_str)
                    )),
                ));
            }
        }
        let empty_string = cells
            .first()
            .filter(|v| one_column && v.as_str().is_some_and(|t| t.is_empty()));
        match empty_string {
            Some(value) => Err(refusal(
                self.source,
                value.offset(),
                &format!(
                    "/{records_key}/{index}/0 (record {index}) is an empty string, which a one-column CSV cannot tell from null (both are written `\"\"`, since an empty line would be skipped): it would read back as null (hint: convert to JSON instead)"
                ),
            )),
            None => Ok(()),
        }
    }
}

/// The refusal of an empty table `[]` at `at` (any CSV: no field can hold it).
fn empty_table(at: &str) -> String {
    format!(
        "{at} is the empty table `[]`, which a CSV field cannot hold: it would read back as the text \"[]\" (hint: convert to JSON instead)"
    )
}

fn is_empty_array(value: &Value) -> bool {
    value.is_array() && value.items().next().is_none()
}

/// A refusal found before writing: `file:line:col: message` at the value's offset.
fn refusal(source: &Source, offset: usize, message: &str) -> anyhow::Error {
    let (line, col) = source.line_col(offset);
    located(&source.name, line, col, message)
}

/// What `convert --nest` would read back differently from the body being written, found in the
/// planning pass, before anything is written: body → CSV `--nest` → body gives the same body or
/// the write is refused, never a different body with exit 0. The reader's rules (docs/format.md):
/// consecutive rows that agree on every column outside the tables are one record; a table row of
/// empty fields adds no row; one header per spread column; a column is plain or spread, not
/// both; a null in a spread column is an empty table.
struct NestRoundTrip<'a> {
    /// Per column: the first record holding a table there (its index, value offset, keys).
    tables: Vec<Option<(usize, usize, Vec<String>)>>,
    /// Per column: the first record holding a plain value (not a table, not null).
    plain: Vec<Option<(usize, usize)>>,
    /// Per column: the first null.
    nulls: Vec<Option<(usize, usize)>>,
    /// The previous record's fields outside its tables (`None` for a table cell).
    previous: Option<Vec<Option<Field<'a>>>>,
    keys_of_previous: Vec<Option<Field<'a>>>,
    /// The column names, for messages.
    names: Vec<String>,
    /// `inputs` or `outputs`, for pointers.
    records_key: &'static str,
    /// The first table with a header and no rows (record, column, offset).
    header_only: Option<(usize, usize, usize)>,
}

type Refusal = (usize, String);

impl<'a> NestRoundTrip<'a> {
    fn new(names: &[String], records_key: &'static str) -> NestRoundTrip<'a> {
        let width = names.len();
        NestRoundTrip {
            names: names.to_vec(),
            records_key,
            header_only: None,
            tables: vec![None; width],
            plain: vec![None; width],
            nulls: vec![None; width],
            previous: None,
            keys_of_previous: Vec::new(),
        }
    }

    /// Learn from record `index` (1-based); the first thing `--nest` would read back otherwise
    /// is the refusal.
    fn observe(&mut self, index: usize, cells: &[Value<'a>]) -> Result<(), Refusal> {
        let mut fields: Vec<Option<Field<'a>>> = std::mem::take(&mut self.keys_of_previous);
        fields.clear();
        for (column, value) in cells.iter().enumerate() {
            if column >= self.tables.len() {
                break;
            }
            if is_empty_array(value) {
                return Err((value.offset(), empty_table(&self.at(index, column))));
            }
            if let Some(table) = Table::from_value(value) {
                self.observe_table(index, column, value, &table)?;
                fields.push(None);
            } else {
                self.observe_plain(index, column, value)?;
                fields.push(Some(field(value)));
            }
        }
        self.refuse_same_as_previous(index, cells, &fields)?;
        self.keys_of_previous = self.previous.replace(fields).unwrap_or_default();
        Ok(())
    }

    /// A nested table in `column`: the column's one header, not beside plain values, and no
    /// all-null row (read back as no row).
    fn observe_table(
        &mut self,
        index: usize,
        column: usize,
        value: &Value,
        table: &Table,
    ) -> Result<(), Refusal> {
        let keys = table.keys();
        if let Some((first, _, seen)) = &self.tables[column] {
            if *seen != keys {
                return Err((
                    value.offset(),
                    format!(
                        "{} holds a nested table whose header ({}) differs from record {first}'s ({}); CSV has one header per column, so --nest would read it back under another header (hint: give every table of a column the same header, or convert to JSON)",
                        self.at(index, column),
                        keys.join(", "),
                        seen.join(", ")
                    ),
                ));
            }
        } else {
            self.tables[column] = Some((index, value.offset(), keys));
        }
        if let Some((first, _)) = self.plain[column] {
            return Err(self.both(column, index, first, value.offset()));
        }
        if self.header_only.is_none() && table.is_empty() {
            self.header_only = Some((index, column, value.offset()));
        }
        for (r, row) in table.records().enumerate() {
            if row.items().all(|v| v.is_null()) {
                return Err((
                    row.offset(),
                    format!(
                        "{}: row {} of this nested table is all null; --nest reads a row of empty fields as no row, so it would be dropped (hint: convert to JSON instead)",
                        self.at(index, column),
                        r + 1
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A value that is no table in `column`: nulls and plain values are remembered (checked in
    /// [`NestRoundTrip::finish`]); a plain value where a table was is refused.
    fn observe_plain(&mut self, index: usize, column: usize, value: &Value) -> Result<(), Refusal> {
        if value.is_null() {
            if self.nulls[column].is_none() {
                self.nulls[column] = Some((index, value.offset()));
            }
            return Ok(());
        }
        if self.plain[column].is_none() {
            self.plain[column] = Some((index, value.offset()));
        }
        match self.tables[column] {
            Some((first, _, _)) => Err(self.both(column, index, first, value.offset())),
            None => Ok(()),
        }
    }

    /// Consecutive records with the same fields outside their tables read back as one record.
    fn refuse_same_as_previous(
        &self,
        index: usize,
        cells: &[Value],
        fields: &[Option<Field>],
    ) -> Result<(), Refusal> {
        let Some(previous) = &self.previous else {
            return Ok(());
        };
        let same = previous.len() == fields.len()
            && previous.iter().zip(fields).all(|(a, b)| match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) => a.text == b.text && a.string == b.string,
                _ => false,
            });
        if !same {
            return Ok(());
        }
        let at = cells.first().map_or(0, |v| v.offset());
        Err((
            at,
            format!(
                "/{}/{index} (record {index}) has the same values as record {} in every column outside their nested tables; --nest reads consecutive rows like these as one record (hint: add a column that tells them apart, such as a record number, or convert to JSON)",
                self.records_key,
                index - 1
            ),
        ))
    }

    /// `/inputs/3/1 (record 3, column "T")`.
    fn at(&self, index: usize, column: usize) -> String {
        format!(
            "/{}/{index}/{column} (record {index}, column {:?})",
            self.records_key,
            self.names.get(column).map_or("", String::as_str)
        )
    }

    fn both(&self, column: usize, index: usize, first: usize, offset: usize) -> Refusal {
        (
            offset,
            format!(
                "{} is a plain value where record {first} holds a nested table (or the other way round); --nest cannot read such a column back (hint: convert to JSON instead)",
                self.at(index, column)
            ),
        )
    }

    /// After every record, given how many fields a CSV row has: a null in a column that holds
    /// tables elsewhere; a header-only table in a one-field CSV.
    fn finish(self, fields: usize) -> Result<(), Refusal> {
        if let (1, Some((index, column, offset))) = (fields, self.header_only) {
            return Err((
                offset,
                format!(
                    "{} is a table with a header and no rows, which a one-field CSV row cannot tell from a null (both are written `\"\"`) (hint: convert to JSON instead)",
                    self.at(index, column)
                ),
            ));
        }
        for (column, table) in self.tables.iter().enumerate() {
            if let (Some((first, _, _)), Some((index, offset))) = (table, self.nulls[column]) {
                return Err((
                    offset,
                    format!(
                        "{} is null where other records hold nested tables (record {first}): CSV rows cannot tell a null from an empty table, so it would read back as one (hint: convert to JSON instead, or give the record an empty table with its header)",
                        self.at(index, column)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// One CSV field: its text, and whether it is a string that would read back as another type
/// (a number, `true`/`false`, or empty for null) unless quoted.
#[derive(Debug, Clone)]
pub(crate) struct Field<'a> {
    pub(crate) text: Cow<'a, str>,
    pub(crate) string: bool,
}

impl<'a> Field<'a> {
    /// A field that is not a value of the body (a computed column, a header name).
    pub(crate) fn plain(text: impl Into<Cow<'a, str>>) -> Field<'a> {
        Field {
            text: text.into(),
            string: false,
        }
    }
}

/// A value as a CSV field (see [`CsvOut`] for the quoting rule).
pub(crate) fn field<'a>(value: &Value<'a>) -> Field<'a> {
    let text = field_text(value);
    let string = value.kind() == ValueKind::String
        && !matches!(crate::convert::infer::infer(&text), Typed::String(_));
    Field { text, string }
}

/// Writes CSV rows: a field is quoted when it holds the delimiter, a quote, CR or LF, when it is
/// a string that would read back as another type, or when it is the only field of its row and
/// empty (an empty line would be skipped); a quote inside is doubled; rows end with LF.
pub(crate) struct CsvOut<W: Write> {
    w: W,
    delimiter: u8,
    row: Vec<u8>,
}

impl<W: Write> CsvOut<W> {
    pub(crate) fn new(w: W, delimiter: u8) -> CsvOut<W> {
        CsvOut {
            w,
            delimiter,
            row: Vec::new(),
        }
    }

    pub(crate) fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }

    pub(crate) fn row(&mut self, fields: &[Field]) -> std::io::Result<()> {
        let row = &mut self.row;
        row.clear();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                row.push(self.delimiter);
            }
            let bytes = f.text.as_bytes();
            let special = bytes
                .iter()
                .any(|&b| b == self.delimiter || b == b'"' || b == b'\n' || b == b'\r');
            if special || f.string || (bytes.is_empty() && fields.len() == 1) {
                row.push(b'"');
                for part in bytes.split_inclusive(|&b| b == b'"') {
                    row.extend_from_slice(part);
                    if part.last() == Some(&b'"') {
                        row.push(b'"');
                    }
                }
                row.push(b'"');
            } else {
                row.extend_from_slice(bytes);
            }
        }
        row.push(b'\n');
        self.w.write_all(row)
    }
}
