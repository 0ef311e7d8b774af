//! CSV / TSV → body, streamed. The flat path runs on two threads: this one reads the CSV into
//! batches of rows (field bytes back to back, checking each row's width), a helper checks UTF-8,
//! types each cell and writes the rows' JSON into the batch, and this one writes it out. Batches
//! go round a fixed pool, so memory stays flat, and nothing is allocated per cell or per row
//! (`--pretty` too: only the separators differ). `--nest` groups rows into records on one thread,
//! keeping each typed cell's JSON text.

use std::io::{self, BufRead, Read, Write};

use anyhow::Context;
use csv::ByteRecord;

use super::infer::{type_cell, write_inferred, ColType, Inferred, Typed};
use super::TypesMode;
use super::{BodyOut, Cell, Nested};
use crate::body::Kind;
use crate::body::Layout;
use crate::error::data_error;
use crate::json::write::push_str_bytes;
use crate::source::sniff::{self, Quotes};

/// How to read the CSV.
#[derive(Debug, Clone)]
pub(crate) struct CsvOptions<'a> {
    pub(crate) delimiter: u8,
    pub(crate) types: TypesMode,
    /// `--type COL=TYPE` overrides, by full column name.
    pub(crate) overrides: &'a [(String, ColType)],
    /// `Some(sep)` with `--nest`.
    pub(crate) nest_sep: Option<&'a str>,
    /// Pad short rows with null.
    pub(crate) allow_ragged: bool,
    /// `--empty-header NAME`: an empty header cell in column N is named `NAME{N}`.
    pub(crate) empty_header: Option<&'a str>,
    /// Whether `--delimiter` was given (else a `sep=X` first line chooses, and a one-column
    /// file whose lines all hold the same count of `;`, tab or `|` is refused).
    pub(crate) delimiter_given: bool,
}

/// Convert CSV from `reader` (BOM already skipped) into a body written to `w`.
pub(crate) fn csv_to_body(
    name: &str,
    mut reader: Box<dyn BufRead>,
    options: &CsvOptions,
    w: &mut dyn Write,
    layout: Layout,
    kind: Kind,
) -> anyhow::Result<()> {
    let (delimiter, first_line) = sep_line(name, &mut reader, options)?;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(Tail::new(reader, delimiter, first_line));
    let mut record = ByteRecord::new();
    let mut quoted = Vec::new();
    let Some(header_line) = read(name, &mut rdr, &mut record, &mut quoted)? else {
        return Err(data_error(format!(
            "{name}: empty input: expected a header row"
        )));
    };
    let header = header_names(name, &record, header_line, delimiter, options.empty_header)?;
    let types = column_types(name, &header, options)?;
    let suspect = suspect(&header, delimiter, options);
    let mut rows = Rows {
        name,
        rdr,
        record,
        quoted,
        width: header.len(),
        allow_ragged: options.allow_ragged,
        row: 0,
        line: 0,
        suspect,
        rdr_delimiter: delimiter,
    };
    let plan = options
        .nest_sep
        .map(|sep| NestPlan::new(name, &header, sep))
        .transpose()?;
    let mut out = BodyOut::begin(w, layout, kind)?;
    let mut huge = Huge::default();
    match plan {
        Some(plan) => nested(&mut rows, &header, &types, &plan, &mut out, &mut huge)?,
        None => {
            out.header(&header)?;
            flat(&mut rows, &header, &types, &mut out, &mut huge)?;
        }
    }
    out.finish()?;
    huge.warn(name);
    Ok(())
}

/// Excel's `sep=;` first line names the delimiter (`--delimiter` wins when given): the delimiter
/// and the line the header is on, with a `sep=` line consumed.
fn sep_line(
    name: &str,
    reader: &mut Box<dyn BufRead>,
    options: &CsvOptions,
) -> anyhow::Result<(u8, u64)> {
    let mut delimiter = options.delimiter;
    let buffered = reader
        .fill_buf()
        .with_context(|| format!("cannot read {name}"))?;
    if let Some(&[sep, ref rest @ ..]) = buffered.strip_prefix(b"sep=") {
        let ending = match rest {
            [b'\r', b'\n', ..] => Some(2),
            [b'\n' | b'\r', ..] => Some(1),
            _ => None,
        };
        if let (Some(ending), true) = (ending, sep.is_ascii() && sep != b'"') {
            if !options.delimiter_given {
                delimiter = sep;
            }
            reader.consume(5 + ending);
            return Ok((delimiter, 2));
        }
    }
    Ok((delimiter, 1))
}

/// A delimiter a one-column header holds (`;`, tab or `|`), and how many times: the file may use
/// that delimiter (unless `--delimiter` was given).
fn suspect(header: &[String], delimiter: u8, options: &CsvOptions) -> Option<(u8, usize)> {
    if header.len() != 1 || options.delimiter_given {
        return None;
    }
    sniff::hidden_delimiter(header[0].as_bytes(), delimiter)
}

type Reader = csv::Reader<Tail<Box<dyn BufRead>>>;

/// Read the next record; `Some(line it starts on)`, `None` at the end. `quoted` gets the indices
/// of its quoted fields.
fn read(
    name: &str,
    rdr: &mut Reader,
    record: &mut ByteRecord,
    quoted: &mut Vec<usize>,
) -> anyhow::Result<Option<u64>> {
    let more = rdr.read_byte_record(record).map_err(|e| match e.kind() {
        csv::ErrorKind::Io(_) => anyhow::Error::new(e).context(format!("cannot read {name}")),
        _ => {
            let line = e.position().map_or(0, |p| p.line());
            data_error(format!("{name}:{line}: {e}"))
        }
    })?;
    if !more {
        unterminated(name, rdr)?;
        return Ok(None);
    }
    let at = record.position().map_or(0, |p| p.byte());
    let end = rdr.position().byte();
    Ok(Some(rdr.get_mut().record(at, end, quoted)))
}

fn unterminated(name: &str, rdr: &Reader) -> anyhow::Result<()> {
    if let Some((end, open)) = rdr.get_ref().unterminated_quote() {
        return Err(data_error(format!(
            "{name}:{end}: unterminated quoted field starting at line {open} \
             (hint: a `\"` that opens a field must be closed; write a `\"` inside a quoted field as `\"\"`)"
        )));
    }
    Ok(())
}

/// Passes the input through to the CSV reader, keeping a copy of the raw bytes from the start of
/// the last record read (cut back once it passes 1 MiB), for what the csv crate does not tell:
/// the line a record starts on under every line ending (LF, CRLF, CR), which fields were quoted,
/// and whether the input ended inside a quoted field (the crate closes such a field silently).
struct Tail<R> {
    inner: R,
    delimiter: u8,
    /// Bytes passed through so far.
    total: u64,
    /// Raw bytes from offset `start` of the input to what has been read so far.
    kept: Vec<u8>,
    start: u64,
    /// Byte offset and line where the last record read starts.
    mark: u64,
    mark_line: u64,
}

const TAIL_LIMIT: usize = 1 << 20;

impl<R> Tail<R> {
    fn new(inner: R, delimiter: u8, first_line: u64) -> Tail<R> {
        Tail {
            inner,
            delimiter,
            total: 0,
            kept: Vec::new(),
            start: 0,
            mark: 0,
            mark_line: first_line,
        }
    }

    fn raw(&self, from: u64, to: u64) -> &[u8] {
        let from = from.saturating_sub(self.start) as usize;
        let to = (to.saturating_sub(self.start) as usize).min(self.kept.len());
        self.kept.get(from.min(to)..to).unwrap_or_default()
    }

    /// Note a record the csv crate read from byte `at` (which may be the line ending or blank
    /// lines before it) to byte `end`: its real start and its line (a line ends at LF, CRLF or
    /// a lone CR), and which of its fields were quoted (their indices into `quoted`).
    fn record(&mut self, at: u64, end: u64, quoted: &mut Vec<usize>) -> u64 {
        let skip = self
            .raw(at, end)
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count() as u64;
        let begin = at + skip;
        let line = self.mark_line + line_breaks(self.raw(self.mark, begin)) as u64;
        self.mark = begin;
        self.mark_line = line;
        quoted.clear();
        let raw = self.raw(begin, end);
        if memchr::memchr(b'"', raw).is_some() {
            let mut field = 0;
            let mut state = Quotes::FieldStart;
            let mut i = 0;
            loop {
                i += state.unchanged(&raw[i..], self.delimiter);
                let Some(&b) = raw.get(i) else { break };
                i += 1;
                if !state.quoted() && (b == b'\n' || b == b'\r') {
                    break;
                }
                let next = state.step(b, self.delimiter);
                if next == Quotes::FieldStart {
                    field += 1;
                } else if state == Quotes::FieldStart && next == Quotes::Quoted {
                    quoted.push(field);
                }
                state = next;
            }
        }
        line
    }

    /// When the input ended inside a quoted field: the line where the input ends and the line
    /// where the field's opening quote is. Scans the last record with the csv crate's rules
    /// (quote `"`, doubled quote inside a quoted field, no escape character).
    fn unterminated_quote(&self) -> Option<(u64, u64)> {
        let raw = self.raw(self.mark, self.total);
        let mut state = Quotes::FieldStart;
        let mut line = self.mark_line;
        let mut open_line = line;
        let mut prev = 0u8;
        for &b in raw.iter() {
            let next = state.step(b, self.delimiter);
            if state == Quotes::FieldStart && next == Quotes::Quoted {
                open_line = line;
            }
            state = next;
            if b == b'\r' || (b == b'\n' && prev != b'\r') {
                line += 1;
            }
            prev = b;
        }
        if state != Quotes::Quoted {
            return None;
        }
        // The line of the last byte, not the empty line after a final line break.
        let end = if matches!(raw.last(), Some(b'\n' | b'\r')) && line > open_line {
            line - 1
        } else {
            line
        };
        Some((end, open_line))
    }
}

/// Line breaks in `bytes`: LF, CRLF and a lone CR each end one line.
fn line_breaks(bytes: &[u8]) -> usize {
    let mut n = 0;
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if bytes[i] == b'\r' || i == 0 || bytes[i - 1] != b'\r' {
            n += 1;
        }
    }
    n
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.kept.len() > TAIL_LIMIT && self.mark > self.start {
            let cut = usize::try_from(self.mark - self.start)
                .unwrap_or(usize::MAX)
                .min(self.kept.len());
            self.kept.drain(..cut);
            self.start += cut as u64;
        }
        self.kept.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// Header names: valid UTF-8, none empty (unless `--empty-header NAME` names an empty cell of
/// column N `NAME{N}`), none repeated.
fn header_names(
    name: &str,
    record: &ByteRecord,
    line: u64,
    delimiter: u8,
    empty_header: Option<&str>,
) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    // Columns whose name --empty-header made.
    let mut made = Vec::new();
    for (i, field) in record.iter().enumerate() {
        let column = i + 1;
        let text = std::str::from_utf8(field).map_err(|_| {
            data_error(format!(
                "{name}:{line}: invalid UTF-8 in header column {column} (hint: save the file as UTF-8)"
            ))
        })?;
        let generated;
        let text = match (text, empty_header) {
            ("", Some(prefix)) => {
                made.push(column);
                generated = format!("{prefix}{column}");
                generated.as_str()
            }
            _ => text,
        };
        if text.is_empty() {
            let trailing = record.len() - i;
            let hint = if record.iter().skip(i).all(<[u8]>::is_empty) && i > 0 {
                format!(
                    " (hint: the header line ends with {trailing} `{}` too many, as spreadsheets often write: remove {} from the header, name the column, or pass --empty-header NAME to name empty header cells NAME{column}, …)",
                    char::from(delimiter).escape_default(),
                    if trailing == 1 { "it" } else { "them" }
                )
            } else {
                format!(" (hint: name the column, or pass --empty-header NAME to name empty header cells by their column number: NAME{column})")
            };
            return Err(data_error(format!(
                "{name}:{line}: header column {column} has an empty name{hint}"
            )));
        }
        if let Some(first) = names.iter().position(|n| n == text) {
            let hint = if made.contains(&column) || made.contains(&(first + 1)) {
                format!(
                    " (one of them named by --empty-header{}; hint: choose another --empty-header NAME)",
                    empty_header.map_or(String::new(), |p| format!(" {p}"))
                )
            } else {
                String::new()
            };
            return Err(data_error(format!(
                "{name}:{line}: header column {column} {text:?} repeats column {}{hint}",
                first + 1
            )));
        }
        names.push(text.to_string());
    }
    Ok(names)
}

/// Each column's type from `--types` and `--type`; an override naming no column is a usage error.
fn column_types(
    name: &str,
    header: &[String],
    options: &CsvOptions,
) -> anyhow::Result<Vec<ColType>> {
    let base = match options.types {
        TypesMode::Infer => ColType::Infer,
        TypesMode::String => ColType::String,
    };
    let mut types = vec![base; header.len()];
    for (column, ty) in options.overrides {
        let index = header.iter().position(|h| h == column).with_context(|| {
            format!(
                "--type {column}=…: {name} has no column {column:?} (columns: {})",
                header.join(", ")
            )
        })?;
        types[index] = *ty;
    }
    Ok(types)
}

/// The data rows, with the bookkeeping every error message needs.
struct Rows<'n> {
    name: &'n str,
    rdr: Reader,
    record: ByteRecord,
    /// Indices of the current row's quoted fields.
    quoted: Vec<usize>,
    width: usize,
    allow_ragged: bool,
    /// 1-based number of the current data row (the header is row 0).
    row: usize,
    /// Line where the current row starts.
    line: u64,
    /// A delimiter the one-column header holds, and how many times.
    suspect: Option<(u8, usize)>,
    /// The delimiter the rows are split at.
    rdr_delimiter: u8,
}

impl Rows<'_> {
    /// Read the next row; check its width. `false` at the end.
    fn next(&mut self) -> anyhow::Result<bool> {
        let Some(line) = read(self.name, &mut self.rdr, &mut self.record, &mut self.quoted)? else {
            return Ok(false);
        };
        self.row += 1;
        self.line = line;
        let len = self.record.len();
        let suspect = self.suspect.take();
        if let (Some((c, n)), 1) = (suspect, len) {
            if sniff::count(&self.record[0], c) == n {
                let shown = char::from(c).escape_default();
                return Err(data_error(format!(
                    "{}:{}: the header is one column, but it and the first row both hold {n} `{shown}`: the file looks `{shown}`-separated (hint: --delimiter '{shown}')",
                    self.name, self.line
                )));
            }
        }
        if len > self.width || (len < self.width && !self.allow_ragged) {
            // A last record cut short by an open quote: report the quote, the real cause.
            let mut probe = ByteRecord::new();
            read(self.name, &mut self.rdr, &mut probe, &mut Vec::new())?;
            // A one-column header holding `;` (tab, `|`) over a row the delimiter split anyway:
            // decimal commas (`A;2,5`) in a `;`-separated file.
            let other = suspect.filter(|&(c, _)| self.record.as_slice().contains(&c));
            let hint = match other {
                Some((c, _)) => {
                    let shown = char::from(c).escape_default();
                    format!(
                        " (hint: the header is one column holding `{shown}`: the file looks `{shown}`-separated, with `{}` inside its values such as decimal commas; pass --delimiter '{shown}')",
                        char::from(self.rdr_delimiter).escape_default()
                    )
                }
                None if len < self.width => {
                    " (hint: --allow-ragged pads short rows with null)".to_string()
                }
                None => String::new(),
            };
            return Err(data_error(format!(
                "{}:{}: row {} has {len} field{} but the header has {}{hint}",
                self.name,
                self.line,
                self.row,
                if len == 1 { "" } else { "s" },
                self.width
            )));
        }
        Ok(true)
    }

    /// The row's bytes as text, checked once; each field's range lies on character boundaries.
    fn text<'r>(&'r self, header: &[String]) -> anyhow::Result<&'r str> {
        let bytes = self.record.as_slice();
        let valid = std::str::from_utf8(bytes).ok().filter(|text| {
            (0..self.record.len()).all(|i| {
                self.record
                    .range(i)
                    .is_some_and(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
            })
        });
        valid.ok_or_else(|| {
            let column = self
                .record
                .iter()
                .position(|f| std::str::from_utf8(f).is_err())
                .unwrap_or(0);
            data_error(format!(
                "{}:{}: row {}, column {:?}: invalid UTF-8 (hint: save the file as UTF-8)",
                self.name,
                self.line,
                self.row,
                header.get(column).map_or("", String::as_str)
            ))
        })
    }

    fn type_error(&self, column: &str, cell: &str, ty: ColType) -> anyhow::Error {
        type_error(self.name, self.line, self.row, column, cell, ty)
    }
}

fn type_error(
    name: &str,
    line: u64,
    row: usize,
    column: &str,
    cell: &str,
    ty: ColType,
) -> anyhow::Error {
    let shown: String = if cell.chars().count() > 40 {
        cell.chars().take(40).chain("…".chars()).collect()
    } else {
        cell.to_string()
    };
    let why = match ty {
        ColType::Number | ColType::Integer => super::infer::why_not_a_number(cell),
        _ => None,
    };
    data_error(format!(
        "{name}:{line}: row {row}, column {column:?}: {shown:?} is not {} (from --type){}",
        ty.expected(),
        why.map_or(String::new(), |why| format!(" (hint: {why})"))
    ))
}

/// Type cell `i` of the current row (`Null` past the end of a padded short row).
#[inline]
fn cell<'t>(
    rows: &Rows,
    text: &'t str,
    i: usize,
    header: &[String],
    ty: ColType,
) -> anyhow::Result<Typed<'t>> {
    let Some(range) = rows.record.range(i) else {
        return Ok(Typed::Null);
    };
    let cell = text.get(range).unwrap_or_default();
    if ty == ColType::Infer && rows.quoted.contains(&i) {
        return Ok(match (cell, rows.record.len()) {
            ("", 1) => Typed::Null,
            _ => Typed::String(cell),
        });
    }
    type_cell(cell, ty).ok_or_else(|| rows.type_error(&header[i], cell, ty))
}

/// Append the JSON of a quoted cell of an inferred column: always a string (`"42"` stays the
/// string "42", `""` the empty string), except a row that is one quoted empty field, which is
/// how CSV writes a one-column null (a blank line would be skipped). `false` when the bytes are
/// not valid UTF-8.
#[inline]
fn write_quoted(out: &mut Vec<u8>, cell: &[u8], fields: usize) -> bool {
    if cell.is_empty() && fields == 1 {
        out.extend_from_slice(b"null");
        return true;
    }
    push_str_bytes(out, cell)
}

fn flat(
    rows: &mut Rows,
    header: &[String],
    types: &[ColType],
    out: &mut BodyOut,
    huge: &mut Huge,
) -> anyhow::Result<()> {
    let format = Format {
        name: rows.name,
        header,
        types,
        row_open: out.row_open(),
        value_separator: out.value_separator(),
        row_close: out.row_close(),
        row_separator: out.row_separator(),
    };
    pipeline(rows, &format, out, huge)
}

/// Numbers written as they are although they are beyond the range of an IEEE double (`1e400`):
/// how many, and the first one (line, row, column, text), for the warning at the end.
#[derive(Debug, Default)]
pub(crate) struct Huge {
    count: usize,
    first: Option<(u64, usize, String, String)>,
}

impl Huge {
    /// Note `number` (JSON number text) when it overflows a double.
    #[inline]
    fn check(&mut self, number: &[u8], line: u64, row: usize, column: &str) {
        if number.len() < 300 && memchr::memchr2(b'e', b'E', number).is_none() {
            return;
        }
        let overflows = std::str::from_utf8(number)
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .is_some_and(f64::is_infinite);
        if overflows {
            self.count += 1;
            if self.first.is_none() {
                let text = String::from_utf8_lossy(&number[..number.len().min(40)]).into_owned();
                self.first = Some((line, row, column.to_string(), text));
            }
        }
    }

    fn add(&mut self, other: Huge) {
        self.count += other.count;
        if self.first.is_none() {
            self.first = other.first;
        }
    }

    /// The warning, when there is one.
    fn warn(&self, name: &str) {
        if let Some((line, row, column, text)) = &self.first {
            let more = match self.count {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            crate::say!(
                "xconn: warning: {name}:{line}: row {row}, column {column:?}: the number {text} is beyond the range of an IEEE double{more}; it is kept exactly as written, but most JSON readers turn it into infinity or fail (hint: --type {column}=string keeps the column as text)"
            );
        }
    }
}

/// Rows handed from the reading thread to the typing thread, and back with their JSON.
struct Batch {
    /// The rows' field bytes, back to back (not yet checked for UTF-8).
    bytes: Vec<u8>,
    /// Where each field ends in `bytes`.
    ends: Vec<usize>,
    /// Per row: the line it starts on and its number of fields.
    rows: Vec<(u64, usize)>,
    /// Indices (into `ends`) of the fields that were quoted, in order.
    quoted: Vec<usize>,
    /// Numbers beyond the range of an IEEE double written in this batch.
    huge: Huge,
    /// Data row number of the first row.
    first_row: usize,
    /// The rows as JSON arrays, separated by the row separator.
    out: Vec<u8>,
    /// How many rows `out` holds, and the error that stopped the typing thread, if one did.
    done: usize,
    error: Option<anyhow::Error>,
}

/// Field bytes per batch: small enough to keep memory flat, big enough to amortize the hand-off.
const BATCH_BYTES: usize = 256 * 1024;
/// Batches in circulation between the two threads.
const BATCHES: usize = 4;

impl Batch {
    fn new() -> Batch {
        Batch {
            bytes: Vec::with_capacity(BATCH_BYTES + 64 * 1024),
            ends: Vec::new(),
            rows: Vec::new(),
            quoted: Vec::new(),
            huge: Huge::default(),
            first_row: 0,
            out: Vec::new(),
            done: 0,
            error: None,
        }
    }

    fn clear(&mut self, first_row: usize) {
        self.bytes.clear();
        self.ends.clear();
        self.rows.clear();
        self.quoted.clear();
        self.huge = Huge::default();
        self.first_row = first_row;
        self.out.clear();
        self.done = 0;
        self.error = None;
    }

    fn push(&mut self, record: &ByteRecord, quoted: &[usize], line: u64) {
        let field = self.ends.len();
        self.quoted.extend(quoted.iter().map(|q| field + q));
        let base = self.bytes.len();
        self.bytes.extend_from_slice(record.as_slice());
        self.ends
            .extend((0..record.len()).filter_map(|i| record.range(i).map(|r| base + r.end)));
        self.rows.push((line, record.len()));
    }
}

/// The flat raw path on two threads: this one reads and splits the CSV into batches of rows
/// (checking each row's width); a helper checks UTF-8, types the cells and formats each batch's
/// JSON, which this thread writes. Batches go round in a fixed pool, so memory stays bounded.
/// Errors come out in input order: a row the reader rejects is reported only once every row
/// before it has been typed without error.
fn pipeline(
    rows: &mut Rows,
    format: &Format,
    out: &mut BodyOut,
    huge: &mut Huge,
) -> anyhow::Result<()> {
    std::thread::scope(|scope| {
        // Both channels live inside the scope: leaving it early (on an error) drops the sender,
        // which ends the helper before the scope joins it.
        let (to_helper, batches) = std::sync::mpsc::channel::<Batch>();
        let (to_reader, typed) = std::sync::mpsc::channel::<Batch>();
        scope.spawn(move || {
            for mut batch in batches {
                format.batch(&mut batch);
                if to_reader.send(batch).is_err() {
                    break;
                }
            }
        });
        let mut spare: Vec<Batch> = (0..BATCHES).map(|_| Batch::new()).collect();
        let mut in_flight = 0usize;
        let stopped = loop {
            let mut batch = match spare.pop() {
                Some(batch) => batch,
                None => {
                    in_flight -= 1;
                    write_typed(out, typed.recv().ok(), huge)?
                }
            };
            batch.clear(rows.row + 1);
            let mut stopped = None;
            while batch.bytes.len() < BATCH_BYTES {
                match rows.next() {
                    Ok(true) => batch.push(&rows.record, &rows.quoted, rows.line),
                    Ok(false) => {
                        stopped = Some(Ok(()));
                        break;
                    }
                    Err(e) => {
                        stopped = Some(Err(e));
                        break;
                    }
                }
            }
            to_helper
                .send(batch)
                .ok()
                .context("internal error: the CSV typing thread stopped")?;
            in_flight += 1;
            if let Some(stopped) = stopped {
                break stopped;
            }
            // Write what is ready now, so the output keeps up with a slow input.
            while let Ok(batch) = typed.try_recv() {
                in_flight -= 1;
                spare.push(write_typed(out, Some(batch), huge)?);
            }
        };
        while in_flight > 0 {
            in_flight -= 1;
            write_typed(out, typed.recv().ok(), huge)?;
        }
        stopped
    })
}

/// Write a batch back from the typing thread; its error, if it has one, is the first one in the
/// input (every batch before it was written without error).
/// `None` when the typing thread is gone.
fn write_typed(out: &mut BodyOut, batch: Option<Batch>, huge: &mut Huge) -> anyhow::Result<Batch> {
    let mut batch = batch.context("internal error: the CSV typing thread stopped")?;
    huge.add(std::mem::take(&mut batch.huge));
    out.raw_rows(&batch.out, batch.done)?;
    match batch.error.take() {
        Some(e) => Err(e),
        None => Ok(batch),
    }
}

/// What the typing thread needs to type and format rows, and to word its errors.
struct Format<'a> {
    name: &'a str,
    header: &'a [String],
    types: &'a [ColType],
    row_open: &'static [u8],
    value_separator: &'static [u8],
    row_close: &'static [u8],
    row_separator: &'static [u8],
}

impl Format<'_> {
    /// Type and format the batch's rows into `batch.out`, up to the first bad one.
    fn batch(&self, batch: &mut Batch) {
        let Batch {
            bytes,
            ends,
            rows,
            quoted,
            huge,
            first_row,
            out,
            done,
            error,
        } = batch;
        let mut start = 0;
        let mut field = 0;
        let mut next_quoted = quoted.iter().copied().peekable();
        for (k, &(line, len)) in rows.iter().enumerate() {
            let fields = &ends[field..field + len];
            let base = field;
            field += len;
            let row = *first_row + k;
            let mark = out.len();
            if k > 0 {
                out.extend_from_slice(self.row_separator);
            }
            out.extend_from_slice(self.row_open);
            let mut from = start;
            for (i, &ty) in self.types.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(self.value_separator);
                }
                let Some(&to) = fields.get(i) else {
                    out.extend_from_slice(b"null");
                    continue;
                };
                let cell = bytes.get(from..to).unwrap_or_default();
                from = to;
                let is_quoted = next_quoted.next_if_eq(&(base + i)).is_some();
                let cell = Field {
                    bytes: cell,
                    quoted: is_quoted,
                    fields: len,
                    line,
                    row,
                    column: i,
                };
                let Err(failed) = self.cell(out, &cell, ty, huge) else {
                    continue;
                };
                out.truncate(mark);
                *error = Some(self.failure(&cell, failed, ty, bytes, &fields[i + 1..], to));
                return;
            }
            out.extend_from_slice(self.row_close);
            *done = k + 1;
            start = fields.last().copied().unwrap_or(start);
        }
    }
    /// Write one cell of type `ty`; `Err(None)` when it is not UTF-8, `Err(Some(text))` when it
    /// is not of its column's type.
    #[inline]
    fn cell<'c>(
        &self,
        out: &mut Vec<u8>,
        cell: &Field<'c>,
        ty: ColType,
        huge: &mut Huge,
    ) -> Result<(), Option<&'c str>> {
        if ty == ColType::Infer {
            let written = if cell.quoted {
                write_quoted(out, cell.bytes, cell.fields)
            } else {
                let at = out.len();
                match write_inferred(out, cell.bytes) {
                    Inferred::Number => {
                        huge.check(&out[at..], cell.line, cell.row, &self.header[cell.column]);
                        true
                    }
                    Inferred::Other => true,
                    Inferred::BadUtf8 => false,
                }
            };
            return if written { Ok(()) } else { Err(None) };
        }
        let text = std::str::from_utf8(cell.bytes).map_err(|_| None)?;
        let typed = type_cell(text, ty).ok_or(Some(text))?;
        if let Typed::Number(n) = &typed {
            huge.check(n.as_bytes(), cell.line, cell.row, &self.header[cell.column]);
        }
        typed.write_json(out);
        Ok(())
    }

    /// The error for a cell that failed (`failed` as [`Format::cell`] returns it). The row's
    /// UTF-8 is checked before its types: a type error counts only when the rest of the row (the
    /// fields ending at `rest`, the first starting at `from`) is valid UTF-8.
    fn failure(
        &self,
        cell: &Field,
        failed: Option<&str>,
        ty: ColType,
        bytes: &[u8],
        rest: &[usize],
        from: usize,
    ) -> anyhow::Error {
        let (line, row, i) = (cell.line, cell.row, cell.column);
        let bad_utf8 = match failed {
            None => Some(i),
            Some(_) => rest
                .iter()
                .scan(from, |from, &e| {
                    let f = bytes.get(*from..e).unwrap_or_default();
                    *from = e;
                    Some(f)
                })
                .position(|f| std::str::from_utf8(f).is_err())
                .map(|p| i + 1 + p),
        };
        match (bad_utf8, failed) {
            (None, Some(text)) => type_error(self.name, line, row, &self.header[i], text, ty),
            (column, _) => {
                data_error(format!(
                "{}:{line}: row {row}, column {:?}: invalid UTF-8 (hint: save the file as UTF-8)",
                self.name,
                self.header.get(column.unwrap_or(0)).map_or("", String::as_str)
            ))
            }
        }
    }
}

/// One field of a batch being formatted, and where it is.
struct Field<'c> {
    bytes: &'c [u8],
    /// Whether the field was quoted in the file.
    quoted: bool,
    /// How many fields its row has.
    fields: usize,
    line: u64,
    row: usize,
    column: usize,
}

/// One top-level column of the body built with `--nest`.
enum Top {
    /// A plain CSV column.
    Plain(usize),
    /// A nested table: its name, and its CSV columns with their names inside the table.
    Table {
        name: String,
        columns: Vec<(usize, String)>,
    },
}

/// How CSV columns map onto the body's columns with `--nest`. A table sits where its first
/// column is; a name is split at the first separator, and only when both sides are non-empty.
struct NestPlan {
    top: Vec<Top>,
}

impl NestPlan {
    fn new(name: &str, header: &[String], sep: &str) -> anyhow::Result<NestPlan> {
        let mut top: Vec<Top> = Vec::new();
        for (i, column) in header.iter().enumerate() {
            if column.matches(sep).count() > 1 {
                return Err(data_error(format!(
                    "{name}:1: column {column:?} holds {sep:?} more than once: --nest reads one level of nested tables (Table{sep}column), so a table inside a table is not rebuilt (hint: drop --nest to keep such columns as they are)"
                )));
            }
            let split = column
                .split_once(sep)
                .filter(|(table, inner)| !table.is_empty() && !inner.is_empty());
            match split {
                Some((table, inner)) => {
                    let existing = top.iter_mut().find_map(|t| match t {
                        Top::Table { name, columns } if name == table => Some(columns),
                        _ => None,
                    });
                    match existing {
                        Some(columns) => columns.push((i, inner.to_string())),
                        None => top.push(Top::Table {
                            name: table.to_string(),
                            columns: vec![(i, inner.to_string())],
                        }),
                    }
                }
                None => top.push(Top::Plain(i)),
            }
        }
        for t in &top {
            if let Top::Table { name: table, .. } = t {
                if header.iter().any(|h| h == table) {
                    return Err(data_error(format!(
                        "{name}:1: column {table:?} is both a plain column and a nested table ({table}{sep}…) with --nest"
                    )));
                }
            }
        }
        Ok(NestPlan { top })
    }

    fn header(&self, header: &[String]) -> Vec<String> {
        self.top
            .iter()
            .map(|t| match t {
                Top::Plain(i) => header[*i].clone(),
                Top::Table { name, .. } => name.clone(),
            })
            .collect()
    }
}

/// One record being gathered from consecutive rows: each typed cell's JSON text.
struct Pending {
    /// Values of the plain columns (the grouping key).
    plain: Vec<String>,
    /// Rows of each table, in plan order.
    tables: Vec<Vec<Vec<String>>>,
}

/// The JSON text of cell `i` of the current row, typed.
fn cell_text(
    rows: &Rows,
    text: &str,
    i: usize,
    header: &[String],
    ty: ColType,
    huge: &mut Huge,
) -> anyhow::Result<String> {
    let mut json = Vec::new();
    let typed = cell(rows, text, i, header, ty)?;
    if let Typed::Number(n) = &typed {
        huge.check(n.as_bytes(), rows.line, rows.row, &header[i]);
    }
    typed.write_json(&mut json);
    Ok(String::from_utf8(json).unwrap_or_default())
}

fn nested(
    rows: &mut Rows,
    header: &[String],
    types: &[ColType],
    plan: &NestPlan,
    out: &mut BodyOut,
    huge: &mut Huge,
) -> anyhow::Result<()> {
    out.header(&plan.header(header))?;
    let table_headers: Vec<Vec<String>> = plan
        .top
        .iter()
        .filter_map(|t| match t {
            Top::Table { columns, .. } => {
                Some(columns.iter().map(|(_, inner)| inner.clone()).collect())
            }
            Top::Plain(_) => None,
        })
        .collect();
    let mut pending: Option<Pending> = None;
    while rows.next()? {
        let text = rows.text(header)?;
        let mut plain = Vec::new();
        let mut tables = Vec::new();
        for t in &plan.top {
            match t {
                Top::Plain(i) => plain.push(cell_text(rows, text, *i, header, types[*i], huge)?),
                Top::Table { columns, .. } => {
                    let empty = columns.iter().all(|(i, _)| {
                        rows.record.range(*i).is_none_or(|r| r.is_empty())
                            && (types[*i] != ColType::Infer || !rows.quoted.contains(i))
                    });
                    if empty {
                        tables.push(None);
                    } else {
                        let mut values = Vec::with_capacity(columns.len());
                        for (i, _) in columns {
                            values.push(cell_text(rows, text, *i, header, types[*i], huge)?);
                        }
                        tables.push(Some(values));
                    }
                }
            }
        }
        let same = pending.as_ref().is_some_and(|p| p.plain == plain);
        if !same {
            if let Some(done) = pending.take() {
                write_pending(out, plan, &table_headers, done)?;
            }
            pending = Some(Pending {
                plain,
                tables: vec![Vec::new(); table_headers.len()],
            });
        }
        if let Some(p) = pending.as_mut() {
            for (slot, row) in p.tables.iter_mut().zip(tables) {
                slot.extend(row);
            }
        }
    }
    if let Some(done) = pending.take() {
        write_pending(out, plan, &table_headers, done)?;
    }
    Ok(())
}

fn write_pending(
    out: &mut BodyOut,
    plan: &NestPlan,
    table_headers: &[Vec<String>],
    pending: Pending,
) -> anyhow::Result<()> {
    let mut plain = pending.plain.into_iter();
    let mut tables = pending.tables.into_iter().zip(table_headers);
    let mut cells = Vec::with_capacity(plan.top.len());
    for t in &plan.top {
        match t {
            Top::Plain(_) => cells.push(plain.next().map_or(Cell::Null, |v| Cell::Raw(v.into()))),
            Top::Table { .. } => {
                let Some((rows, keys)) = tables.next() else {
                    cells.push(Cell::Null);
                    continue;
                };
                cells.push(Cell::Table(Box::new(Nested {
                    keys: keys.clone(),
                    rows: rows
                        .into_iter()
                        .map(|row| row.into_iter().map(|v| Cell::Raw(v.into())).collect())
                        .collect(),
                })));
            }
        }
    }
    let mut row = Vec::new();
    super::write_row(&mut row, &cells, out.style());
    out.raw_rows(&row, 1)?;
    Ok(())
}
