//! Conversion between CSV / JSON objects / NDJSON and XConnector bodies, and from bodies back to
//! objects, NDJSON or CSV. `cmd::convert` builds [`Settings`]; [`convert`] picks the source format
//! (flag, extension, or a look at the content) and hands over to one engine:
//!
//! * [`csv`]: CSV/TSV → body, streamed on two threads (the fast path: no per-cell allocation);
//! * [`objects`]: a JSON document → body: an array of objects streamed element by element in two
//!   passes (keys, then rows), one object, or concatenated objects;
//! * [`ndjson`]: JSON Lines → body in two streaming passes (keys, then rows), sharing the
//!   per-record code of [`objects`];
//! * [`reverse`]: a body → array of objects / NDJSON / CSV.

pub(crate) mod csv;
pub(crate) mod infer;
pub(crate) mod ndjson;
pub(crate) mod objects;
pub(crate) mod request;
pub(crate) mod reverse;

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::body::Kind;
use crate::body::Layout;
use crate::body::RecordWriter;
use crate::json::write::{push_str, write_array, write_raw_str, write_value, Style};
use crate::json::{Value, ValueKind};
use crate::source::sniff::{self, Start};
use crate::source::{self, Source};
use crate::validate::scan::RecordsCheck;

pub use infer::ColType;

/// What the input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// CSV or TSV rows under a header.
    Csv,
    /// One JSON document: an array of objects, one object, concatenated objects, or a body.
    Json,
    /// One JSON object per line.
    Ndjson,
}

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetFormat {
    /// The XConnector body (`{"inputs": …}`).
    Body,
    /// An array of objects.
    Json,
    /// One object per line.
    Ndjson,
    /// Flat CSV rows.
    Csv,
}

/// How CSV cells get their JSON types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypesMode {
    /// Integers, decimals, booleans and null (empty cell) are recognised; the rest are strings.
    Infer,
    /// Every value stays a string (empty cells too).
    String,
}

/// Everything a conversion needs, resolved from the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The input path, or `-` for standard input.
    pub input: String,
    /// `--from`; `None` means extension, then content.
    pub from: Option<SourceFormat>,
    /// `--to`; `None` means `body` for data sources and `json` for bodies.
    pub to: Option<TargetFormat>,
    /// Which body to build from data.
    pub kind: Kind,
    /// Whether `--kind` was given (a body source must then be of that kind).
    pub kind_given: bool,
    /// JSON layout of a body or array of objects.
    pub layout: Layout,
    /// `--delimiter`; `None` means `,` (tab for `.tsv`).
    pub delimiter: Option<u8>,
    /// `--types`.
    pub types: TypesMode,
    /// `--type COL=TYPE`, in the order given.
    pub overrides: Vec<(String, ColType)>,
    /// `--flatten`: nested objects become dotted keys.
    pub flatten: bool,
    /// `--nest`: `Table.column` CSV columns ⇄ nested tables.
    pub nest: bool,
    /// `--nest-sep`.
    pub nest_sep: String,
    /// `--allow-ragged`: pad short CSV rows with null.
    pub allow_ragged: bool,
    /// `--empty-header NAME`: an empty CSV header cell in column N is named `NAME{N}`.
    pub empty_header: Option<String>,
    /// The output file, when there is one (its `.tsv` extension chooses tab for CSV output).
    pub output: Option<String>,
}

impl Settings {
    /// The CSV delimiter for reading `input` (or writing `output`): the flag, else tab for
    /// `.tsv`, else comma.
    fn delimiter_for(&self, path: Option<&str>) -> u8 {
        self.delimiter.unwrap_or_else(|| {
            if path.is_some_and(|p| extension(p).as_deref() == Some("tsv")) {
                b'\t'
            } else {
                b','
            }
        })
    }
}

/// Parse `--delimiter`: one byte, or `\t` / `tab` for a tab.
pub(crate) fn parse_delimiter(text: &str) -> anyhow::Result<u8> {
    match text {
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        _ if text.len() == 1 && text.as_bytes()[0] != b'"' && text.as_bytes()[0] != b'\n' => {
            Ok(text.as_bytes()[0])
        }
        _ => {
            anyhow::bail!("--delimiter must be one ASCII character (or \\t for tab), not {text:?}")
        }
    }
}

/// Parse one `--type COL=TYPE`.
pub(crate) fn parse_type_override(text: &str) -> anyhow::Result<(String, ColType)> {
    let (column, ty) = text
        .rsplit_once('=')
        .with_context(|| format!("--type {text:?}: expected COL=TYPE, e.g. zip=string"))?;
    if column.is_empty() {
        anyhow::bail!("--type {text:?}: the column name is empty");
    }
    let ty = ColType::parse(ty).with_context(|| {
        format!("--type {text:?}: unknown type {ty:?} (use string, number, integer or boolean)")
    })?;
    Ok((column.to_string(), ty))
}

fn extension(path: &str) -> Option<String> {
    Path::new(path)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

fn format_from_extension(path: &str) -> Option<SourceFormat> {
    match extension(path)?.as_str() {
        "csv" | "tsv" => Some(SourceFormat::Csv),
        "json" => Some(SourceFormat::Json),
        "ndjson" | "jsonl" => Some(SourceFormat::Ndjson),
        _ => None,
    }
}

/// Where the input bytes are: the named file, or standard input (possibly spooled to a temp
/// file so it can be sniffed and read twice).
struct Input {
    /// Display name for messages (`<stdin>` for standard input).
    name: String,
    /// A path to read, `None` for unspooled standard input.
    path: Option<PathBuf>,
    /// Keeps a spooled temp file alive.
    _spool: Option<tempfile::NamedTempFile>,
}

impl Input {
    fn open(&self) -> anyhow::Result<Box<dyn BufRead>> {
        match &self.path {
            Some(path) => source::open_path(path, &self.name),
            None => source::open_stream("-"),
        }
    }

    /// Make standard input a file (NDJSON needs two passes; sniffing needs a look ahead).
    fn spooled(self) -> anyhow::Result<Input> {
        if self.path.is_some() {
            return Ok(self);
        }
        Input::spool_from(self.name, io::stdin().lock())
    }

    /// Copy a stream that can be read only once into a temp file named `name` in messages.
    fn spool_from(name: String, mut from: impl io::Read) -> anyhow::Result<Input> {
        let mut spool = tempfile::NamedTempFile::new()
            .with_context(|| format!("cannot create a temporary file to hold {name}"))?;
        io::copy(&mut from, spool.as_file_mut()).with_context(|| format!("cannot read {name}"))?;
        Ok(Input {
            name,
            path: Some(spool.path().to_path_buf()),
            _spool: Some(spool),
        })
    }

    /// The whole input; a large file is mapped (see [`Source::map`]), so a sequential pass
    /// can give its pages back as it goes.
    fn read_all(&self) -> anyhow::Result<Source> {
        match &self.path {
            Some(path) => {
                let file =
                    File::open(path).with_context(|| format!("cannot open {}", self.name))?;
                let meta = file
                    .metadata()
                    .with_context(|| format!("cannot read {}", self.name))?;
                if meta.len() >= 1 << 20 {
                    if let Some(mut source) = Source::map(&file, &self.name) {
                        source.name = self.name.clone();
                        return Ok(source);
                    }
                }
                let bytes =
                    std::fs::read(path).with_context(|| format!("cannot read {}", self.name))?;
                Ok(Source::from_bytes(self.name.clone(), bytes))
            }
            None => Source::read("-"),
        }
    }
}

/// Tell the format from the content: the first non-blank character `[` means a JSON array; `{`
/// means NDJSON when the first non-blank line is a whole JSON value and another non-blank line
/// follows, otherwise one JSON document; anything else is CSV.
fn sniff(input: &Input) -> anyhow::Result<SourceFormat> {
    let mut reader = input.open()?;
    let mut line = Vec::new();
    let mut first_value: Option<bool> = None;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read {}", input.name))?;
        if n == 0 {
            break;
        }
        let Some((_, start)) = sniff::start(&line) else {
            continue;
        };
        match first_value {
            None => match start {
                Start::Array => return Ok(SourceFormat::Json),
                Start::Object => {
                    let whole = std::str::from_utf8(&line)
                        .ok()
                        .is_some_and(|text| crate::json::parse(text).is_ok());
                    if !whole {
                        return Ok(SourceFormat::Json);
                    }
                    first_value = Some(true);
                }
                Start::Other => return Ok(SourceFormat::Csv),
            },
            Some(_) => return Ok(SourceFormat::Ndjson),
        }
    }
    Ok(match first_value {
        Some(_) => SourceFormat::Json,
        // Empty or blank input: let the CSV reader say so.
        None => SourceFormat::Csv,
    })
}

/// Whether the bytes already buffered show a first non-blank character that can only start CSV
/// (not `[` or `{`). Consumes nothing; `false` when the buffer holds only blanks.
fn starts_like_csv(reader: &mut Box<dyn BufRead>, name: &str) -> anyhow::Result<bool> {
    let buffered = reader
        .fill_buf()
        .with_context(|| format!("cannot read {name}"))?;
    Ok(sniff::start(buffered).is_some_and(|(_, start)| start == Start::Other))
}

/// Run a conversion, writing the result to `w`.
pub fn convert(settings: &Settings, w: &mut dyn Write) -> anyhow::Result<()> {
    let stdin = source::is_stdin(&settings.input);
    let mut input = Input {
        name: source::display_name(&settings.input),
        path: (!stdin).then(|| PathBuf::from(&settings.input)),
        _spool: None,
    };
    if let Some(path) = &input.path {
        let file = File::open(path).with_context(|| format!("cannot open {}", input.name))?;
        let meta = file
            .metadata()
            .with_context(|| format!("cannot read {}", input.name))?;
        if meta.is_dir() {
            anyhow::bail!("cannot read {}: is a directory", input.name);
        }
        // A FIFO or `<(command)` can be read only once: hold it in a temp file like stdin, since
        // sniffing and NDJSON read the input more than once.
        if !meta.is_file() {
            input = Input::spool_from(input.name, file)?;
        }
    }
    let from_ext = if stdin {
        None
    } else {
        format_from_extension(&settings.input)
    };
    // Standard input that plainly starts as CSV is streamed as it comes; anything else is
    // spooled so it can be sniffed (and read twice for NDJSON).
    let mut csv_stdin = None;
    let format = match settings.from.or(from_ext) {
        Some(format) => format,
        None if input.path.is_none() => {
            let mut reader = input.open()?;
            if starts_like_csv(&mut reader, &input.name)? {
                csv_stdin = Some(reader);
                SourceFormat::Csv
            } else {
                input = Input::spool_from(input.name, reader)?;
                sniff(&input)?
            }
        }
        None => sniff(&input)?,
    };
    check_options(settings, format)?;
    let sniffed = settings.from.is_none() && from_ext.is_none();
    let name = input.name.clone();
    let path = input.path.clone();
    let result = run(settings, format, input, csv_stdin, w);
    match result {
        Err(e) if e.downcast_ref::<WriteRefused>().is_some() => {
            Err(refused(e, &name, path.as_deref(), format, settings))
        }
        Err(e) if sniffed && format != SourceFormat::Csv => Err(guessed(e, &name, format)),
        other => other,
    }
}

/// The writer refused a body `validate` would reject: say which rule, which record of the body
/// and where in the input that record came from (exit 1).
fn refused(
    e: anyhow::Error,
    name: &str,
    path: Option<&std::path::Path>,
    format: SourceFormat,
    settings: &Settings,
) -> anyhow::Error {
    let Some(WriteRefused(refused)) = e.downcast_ref::<WriteRefused>() else {
        return e;
    };
    let d = &refused.diagnostic;
    let origin = path
        .and_then(|path| input_location(path, format, settings, refused.record))
        .map(|at| format!("{name}:{at}"))
        .unwrap_or_else(|| name.to_string());
    let what = if refused.record == 0 {
        "the header row".to_string()
    } else {
        format!("record {}", refused.record)
    };
    let column = d
        .column
        .as_ref()
        .map(|c| format!(" (column {c})"))
        .unwrap_or_default();
    crate::error::data_error(format!(
        "{origin}: cannot convert: {what} would break {} at {}{column}: {} (xconn never writes a body `xconn validate` rejects)",
        d.rule, d.pointer, d.message
    ))
}

/// `line:col` (JSON), `line` (NDJSON) or `row N` (CSV) of the input that became body record
/// `record` (1-based; 0 is the header, built from the whole input). Read again only on this
/// error path; `None` where records do not map one to one (`--nest`) or the input cannot be read.
fn input_location(
    path: &std::path::Path,
    format: SourceFormat,
    settings: &Settings,
    record: usize,
) -> Option<String> {
    if record == 0 {
        return None;
    }
    match format {
        SourceFormat::Csv if !settings.nest => Some(format!("row {record}")),
        SourceFormat::Csv => None,
        SourceFormat::Ndjson => {
            let text = std::fs::read_to_string(path).ok()?;
            let mut line_number = 0;
            let mut seen = 0;
            for line in text.split('\n') {
                line_number += 1;
                if !line.trim().is_empty() {
                    seen += 1;
                    if seen == record {
                        return Some(line_number.to_string());
                    }
                }
            }
            None
        }
        SourceFormat::Json => {
            let bytes = std::fs::read(path).ok()?;
            let text = std::str::from_utf8(source::without_bom(&bytes)).ok()?;
            let root = crate::json::parse(text).ok()?;
            let element = if root.is_array() {
                root.items().nth(record - 1)?
            } else {
                root
            };
            let (line, col) = source::line_col(text.as_bytes(), element.offset());
            Some(format!("{line}:{col}"))
        }
    }
}

/// A data error in a source whose format was guessed from its content: say so, and what to pass
/// when the guess was wrong (a CSV whose first cell starts with `[`, say). Rule failures of a body
/// (`XC…`) are left as they are: the guess was right.
fn guessed(e: anyhow::Error, name: &str, format: SourceFormat) -> anyhow::Error {
    let Some(data) = e.downcast_ref::<crate::error::DataError>() else {
        return e;
    };
    let message = &data.0;
    let rule = message.split(": ").any(|part| {
        part.len() > 5 && part.starts_with("XC") && part[2..5].bytes().all(|b| b.is_ascii_digit())
    });
    // Only a JSON syntax error on the first line: a wrong guess fails at once.
    if rule || !message.starts_with(&format!("{name}:1:")) || !message.contains("expected") {
        return e;
    }
    let (what, other) = match format {
        SourceFormat::Ndjson => (
            "NDJSON (its first line is a JSON object)",
            "--from json or --from csv",
        ),
        _ => (
            "JSON (it starts with `[` or `{`)",
            "--from csv or --from ndjson",
        ),
    };
    crate::error::data_error(format!(
        "{message} (note: the format was guessed from the content: read as {what}; if it is another format, pass {other})"
    ))
}

fn run(
    settings: &Settings,
    format: SourceFormat,
    input: Input,
    csv_stdin: Option<Box<dyn BufRead>>,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    match format {
        SourceFormat::Csv => {
            let options = csv::CsvOptions {
                delimiter: settings.delimiter_for(Some(&settings.input)),
                types: settings.types,
                overrides: &settings.overrides,
                nest_sep: settings.nest.then_some(settings.nest_sep.as_str()),
                allow_ragged: settings.allow_ragged,
                delimiter_given: settings.delimiter.is_some(),
                empty_header: settings.empty_header.as_deref(),
            };
            let reader = match csv_stdin {
                Some(reader) => reader,
                None => input.open()?,
            };
            csv::csv_to_body(
                &input.name,
                reader,
                &options,
                w,
                settings.layout,
                settings.kind,
            )
        }
        SourceFormat::Ndjson => {
            let source = input.spooled()?.read_all()?;
            ndjson::ndjson_to_body(&source, settings, w)
        }
        SourceFormat::Json => {
            let source = input.spooled()?.read_all()?;
            objects::json_source(&source, settings, w)
        }
    }
}

/// Options that mean nothing for the chosen source are usage errors rather than silently ignored.
fn check_options(settings: &Settings, format: SourceFormat) -> anyhow::Result<()> {
    let name = match format {
        SourceFormat::Csv => "CSV",
        SourceFormat::Json => "JSON",
        SourceFormat::Ndjson => "NDJSON",
    };
    let mut misplaced = Vec::new();
    if format != SourceFormat::Csv {
        if !settings.overrides.is_empty() {
            misplaced.push("--type");
        }
        if settings.types == TypesMode::String {
            misplaced.push("--types string");
        }
        if settings.allow_ragged {
            misplaced.push("--allow-ragged");
        }
        if settings.empty_header.is_some() {
            misplaced.push("--empty-header");
        }
    }
    if format == SourceFormat::Csv && settings.flatten {
        misplaced.push("--flatten");
    }
    if format == SourceFormat::Ndjson && settings.nest {
        misplaced.push("--nest");
    }
    if let Some(flag) = misplaced.first() {
        anyhow::bail!("{flag} does not apply to a {name} source");
    }
    // CSV options need CSV on one side: the source, or the target of a body converted back.
    let csv_side = format == SourceFormat::Csv || settings.to == Some(TargetFormat::Csv);
    if !csv_side {
        let flag = if settings.delimiter.is_some() {
            Some("--delimiter")
        } else if settings.nest {
            Some("--nest")
        } else {
            None
        };
        if let Some(flag) = flag {
            anyhow::bail!(
                "{flag} applies only to CSV: a CSV source, or a body converted with --to csv; {} is read as {name}",
                if settings.input == "-" { "standard input" } else { settings.input.as_str() }
            );
        }
    }
    match (format, settings.to) {
        (SourceFormat::Csv | SourceFormat::Ndjson, Some(to)) if to != TargetFormat::Body => {
            anyhow::bail!(
                "--to {} needs a request or response body as input; a {name} source converts to a body",
                target_name(to)
            )
        }
        _ => Ok(()),
    }
}

fn target_name(to: TargetFormat) -> &'static str {
    match to {
        TargetFormat::Body => "body",
        TargetFormat::Json => "json",
        TargetFormat::Ndjson => "ndjson",
        TargetFormat::Csv => "csv",
    }
}

/// The body being written: a streamed records table and, for a response, the per-record
/// `warnings` / `errors` (null) and `process_time` (1 ms) that follow it. Rows are handed over
/// already serialized (see [`write_row`]), in batches.
///
/// Every header and row passes the validator's record rules ([`RecordsCheck`]) before it is
/// written: a body `validate` would reject is refused ([`WriteRefused`]), never written with
/// exit 0, whatever converter produced it.
pub(crate) struct BodyOut<'w> {
    writer: RecordWriter<&'w mut dyn Write>,
    kind: Kind,
    layout: crate::body::Layout,
    /// Rows written by [`BodyOut::raw_rows`] beyond the one the writer counted per call.
    extra_rows: usize,
    /// The validator's record rules, once the header is written.
    check: Option<RecordsCheck>,
}

/// A body being written broke one of the validator's rules: nothing more is written, and
/// [`convert`] names the rule, the record and where in the input it came from.
#[derive(Debug)]
pub(crate) struct WriteRefused(pub crate::validate::scan::Refused);

impl std::fmt::Display for WriteRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = &self.0.diagnostic;
        write!(f, "{} at {}: {}", d.rule, d.pointer, d.message)
    }
}

impl std::error::Error for WriteRefused {}

impl<'w> BodyOut<'w> {
    pub(crate) fn begin(
        w: &'w mut dyn Write,
        layout: Layout,
        kind: Kind,
    ) -> io::Result<BodyOut<'w>> {
        Ok(BodyOut {
            writer: RecordWriter::begin(w, layout, kind.records_key())?,
            kind,
            layout,
            extra_rows: 0,
            check: None,
        })
    }

    /// The style a row is written in.
    pub(crate) fn style(&self) -> Style {
        self.layout.row_style()
    }

    /// What opens a row of scalars: `[`, or `[` and the first value's indent (pretty).
    pub(crate) fn row_open(&self) -> &'static [u8] {
        match self.layout {
            Layout::Pretty => b"[\n      ",
            _ => b"[",
        }
    }

    /// The separator between the values of a row of scalars: `", "`, `","` (compact), or a
    /// new indented line (pretty).
    pub(crate) fn value_separator(&self) -> &'static [u8] {
        match self.layout {
            Layout::Compact => b",",
            Layout::Records => b", ",
            Layout::Pretty => b",\n      ",
        }
    }

    /// What closes a row of scalars.
    pub(crate) fn row_close(&self) -> &'static [u8] {
        match self.layout {
            Layout::Pretty => b"\n    ]",
            _ => b"]",
        }
    }

    /// Write the header row (checked first).
    pub(crate) fn header(&mut self, keys: &[String]) -> anyhow::Result<()> {
        let mut row = Vec::new();
        let cells: Vec<Cell> = keys.iter().map(|k| Cell::Str(Cow::Borrowed(k))).collect();
        write_row(&mut row, &cells, self.style());
        let text = std::str::from_utf8(&row).map_err(|e| anyhow::anyhow!(e))?;
        self.check = Some(RecordsCheck::header(self.kind, text).map_err(WriteRefused)?);
        self.writer.raw_record()?.write_all(&row)?;
        Ok(())
    }

    /// The separator between two rows after the header: `",\n    "` or `","` (compact).
    pub(crate) fn row_separator(&self) -> &'static [u8] {
        if self.layout == Layout::Compact {
            b","
        } else {
            b",\n    "
        }
    }

    /// Write `rows` rows already serialized in the row style, each but the first preceded by
    /// [`BodyOut::row_separator`] (the header must have been written already).
    pub(crate) fn raw_rows(&mut self, bytes: &[u8], rows: usize) -> anyhow::Result<()> {
        if rows == 0 {
            return Ok(());
        }
        let Some(check) = self.check.as_mut() else {
            anyhow::bail!("rows written before the header");
        };
        check.rows(bytes, rows).map_err(WriteRefused)?;
        self.extra_rows += rows - 1;
        self.writer.raw_record()?.write_all(bytes)?;
        Ok(())
    }

    /// Close the body.
    pub(crate) fn finish(self) -> io::Result<()> {
        let records = (self.writer.count() + self.extra_rows).saturating_sub(1);
        match self.kind {
            Kind::Request => self.writer.finish()?,
            Kind::Response => self.writer.finish_repeated(&[
                ("warnings", "null", records),
                ("errors", "null", records),
                ("process_time", "1", records),
            ])?,
        };
        Ok(())
    }
}

/// One value of a row being written. Every form is written in the canonical JSON of
/// [`crate::json::write`]: numbers exactly as read, strings in one escaping.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    Null,
    /// JSON text written as it is: a number or literal.
    Raw(Cow<'a, str>),
    /// Text written as a JSON string.
    Str(Cow<'a, str>),
    /// A checked JSON value from the input (a scalar, or a table kept as it was).
    Value(Value<'a>),
    /// A table built from objects or CSV rows.
    Table(Box<Nested<'a>>),
}

/// A nested table being built: its header and rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Nested<'a> {
    pub(crate) keys: Vec<String>,
    pub(crate) rows: Vec<Vec<Cell<'a>>>,
}

/// Write a row (a JSON array of `cells`) in `style`.
pub(crate) fn write_row(buf: &mut Vec<u8>, cells: &[Cell], style: Style) {
    write_array(buf, style, cells, |buf, cell, inner| {
        write_cell(buf, cell, inner);
        Ok(())
    })
    .expect("writing to memory");
}

/// Write one cell in `style` (the style of the level it sits at).
pub(crate) fn write_cell(buf: &mut Vec<u8>, cell: &Cell, style: Style) {
    match cell {
        Cell::Null => buf.extend_from_slice(b"null"),
        Cell::Raw(text) => buf.extend_from_slice(text.as_bytes()),
        Cell::Str(text) => push_str(buf, text),
        Cell::Value(value) => match value.kind() {
            ValueKind::String => write_raw_str(buf, value.raw()).expect("writing to memory"),
            ValueKind::Array | ValueKind::Object => {
                write_value(buf, value, style).expect("writing to memory")
            }
            _ => buf.extend_from_slice(value.raw().as_bytes()),
        },
        // An empty list of objects is the empty table `[]` (no columns to name, no rows).
        Cell::Table(table) if table.keys.is_empty() && table.rows.is_empty() => {
            buf.extend_from_slice(b"[]")
        }
        Cell::Table(table) => {
            let header = std::iter::once(None);
            let rows = table.rows.iter().map(Some);
            write_array(buf, style, header.chain(rows), |buf, row, inner| {
                match row {
                    None => write_array(buf, inner, &table.keys, |buf, key, _| {
                        push_str(buf, key);
                        Ok(())
                    })?,
                    Some(row) => write_row(buf, row, inner),
                }
                Ok(())
            })
            .expect("writing to memory")
        }
    }
}

/// A located data error: `NAME:LINE:COL: message`.
pub(crate) fn located(name: &str, line: usize, col: usize, message: &str) -> anyhow::Error {
    crate::error::data_error(format!("{name}:{line}:{col}: {message}"))
}
