//! Conversion between CSV / JSON objects / NDJSON and XConnector bodies, and from bodies back to
//! objects, NDJSON or CSV. `cmd::convert` builds [`Settings`]; [`convert`] picks the source format
//! (flag, extension, or a look at the content) and hands over to one engine:
//!
//! * [`csv`]: CSV/TSV → body, streamed on two threads (the fast path: no per-cell allocation);
//! * [`objects`]: a JSON document (array of objects, one object, concatenated objects) → body;
//! * [`ndjson`]: JSON Lines → body in two streaming passes (keys, then rows);
//! * [`reverse`]: a body → array of objects / NDJSON / CSV.

pub mod csv;
pub mod infer;
pub mod ndjson;
pub mod objects;
pub mod reverse;

use std::fs::File;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::legacy_body::{Json, Kind, Layout, RecordWriter};
use crate::source::{self, Source};

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
pub fn parse_delimiter(text: &str) -> anyhow::Result<u8> {
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
pub fn parse_type_override(text: &str) -> anyhow::Result<(String, ColType)> {
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

    fn read_all(&self) -> anyhow::Result<Source> {
        match &self.path {
            Some(path) => {
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
        let Some(start) = line.iter().position(|b| !b.is_ascii_whitespace()) else {
            continue;
        };
        match first_value {
            None => match line[start] {
                b'[' => return Ok(SourceFormat::Json),
                b'{' => {
                    let whole = std::str::from_utf8(&line)
                        .ok()
                        .is_some_and(|text| crate::json::dom::parse(text).is_ok());
                    if !whole {
                        return Ok(SourceFormat::Json);
                    }
                    first_value = Some(true);
                }
                _ => return Ok(SourceFormat::Csv),
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
    Ok(buffered
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b != b'[' && b != b'{'))
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
    match format {
        SourceFormat::Csv => {
            let options = csv::CsvOptions {
                delimiter: settings.delimiter_for(Some(&settings.input)),
                types: settings.types,
                overrides: &settings.overrides,
                nest_sep: settings.nest.then_some(settings.nest_sep.as_str()),
                allow_ragged: settings.allow_ragged,
                file: if csv_stdin.is_some() {
                    None
                } else {
                    input.path.as_deref()
                },
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
            let input = input.spooled()?;
            let path = input.path.clone().context("spooled input has a path")?;
            let open = || source::open_path(&path, &input.name);
            ndjson::ndjson_to_body(&input.name, open, settings, w)
        }
        SourceFormat::Json => {
            let source = input.read_all()?;
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
/// `warnings` / `errors` (null) and `process_time` (1 ms) that follow it.
pub struct BodyOut<'w> {
    writer: RecordWriter<&'w mut dyn Write>,
    kind: Kind,
    /// Rows written by [`BodyOut::raw_rows`] beyond the one the writer counted per call.
    extra_rows: usize,
}

impl<'w> BodyOut<'w> {
    pub fn begin(w: &'w mut dyn Write, layout: Layout, kind: Kind) -> io::Result<BodyOut<'w>> {
        Ok(BodyOut {
            writer: RecordWriter::begin(w, layout, kind.records_key())?,
            kind,
            extra_rows: 0,
        })
    }

    /// Whether rows may be written as raw JSON (everything but `--pretty`).
    pub fn raw_ok(&self) -> bool {
        self.writer.layout() != Layout::Pretty
    }

    /// The separator between values of a raw row: `", "` or `","` (compact).
    pub fn value_separator(&self) -> &'static [u8] {
        if self.writer.layout() == Layout::Compact {
            b","
        } else {
            b", "
        }
    }

    /// Write the header row.
    pub fn header(&mut self, keys: &[String]) -> io::Result<()> {
        let row = Json::Array(keys.iter().map(|k| Json::String(k.clone())).collect());
        self.writer.record(&row)
    }

    /// Write one row given as a JSON array.
    pub fn row(&mut self, row: &Json) -> io::Result<()> {
        self.writer.record(row)
    }

    /// The separator between two raw rows after the header: `",\n    "` or `","` (compact).
    pub fn row_separator(&self) -> &'static [u8] {
        if self.writer.layout() == Layout::Compact {
            b","
        } else {
            b",\n    "
        }
    }

    /// Write `rows` rows already serialized as JSON arrays, each but the first preceded by
    /// [`BodyOut::row_separator`] (the header must have been written already).
    pub fn raw_rows(&mut self, bytes: &[u8], rows: usize) -> io::Result<()> {
        if rows == 0 {
            return Ok(());
        }
        self.extra_rows += rows - 1;
        self.writer.raw_record()?.write_all(bytes)
    }

    /// Close the body.
    pub fn finish(self) -> io::Result<()> {
        let records = (self.writer.count() + self.extra_rows).saturating_sub(1);
        match self.kind {
            Kind::Request => self.writer.finish()?,
            Kind::Response => {
                let one = Json::from(1);
                self.writer.finish_repeated(&[
                    ("warnings", &Json::Null, records),
                    ("errors", &Json::Null, records),
                    ("process_time", &one, records),
                ])?
            }
        };
        Ok(())
    }
}

/// A located data error: `NAME:LINE:COL: message`.
pub(crate) fn located(name: &str, line: usize, col: usize, message: &str) -> anyhow::Error {
    crate::error::data_error(format!("{name}:{line}:{col}: {message}"))
}
