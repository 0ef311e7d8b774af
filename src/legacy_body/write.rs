//! Writing bodies back as JSON in one of three layouts, whole or streamed a record at a time.
//!
//! * `Records` (default): like the spec's examples — each top-level key on its own line and each
//!   element of a top-level array (a record, a warnings entry, a process time) on one line of its
//!   own, written `["a", 1, [["k"], [2]]]`. Readable and diff-friendly: one changed record is one
//!   changed line.
//! * `Compact`: the whole document on one line, no spaces.
//! * `Pretty`: fully indented, two spaces.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use super::{Json, Map};

/// How a body is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    #[default]
    Records,
    Compact,
    Pretty,
}

/// Compact JSON with a space after `,` and `:` — the one-record-per-line style.
#[derive(Clone, Copy, Default)]
struct Spaced;

impl Formatter for Spaced {
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}

fn serialize_with<W: Write, F: Formatter>(w: W, value: &Json, formatter: F) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, formatter);
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// Write one value on one line in the records style (`["a", 1]`).
pub fn write_spaced<W: Write>(w: &mut W, value: &Json) -> io::Result<()> {
    serialize_with(w, value, Spaced)
}

/// Write a whole document in `layout`, followed by a newline.
pub fn write_document<W: Write>(w: &mut W, doc: &Json, layout: Layout) -> io::Result<()> {
    match layout {
        Layout::Compact => serialize_with(&mut *w, doc, CompactFormatter)?,
        Layout::Pretty => serialize_with(&mut *w, doc, PrettyFormatter::with_indent(b"  "))?,
        Layout::Records => match doc {
            Json::Object(map) => write_records_object(w, map)?,
            other => write_spaced(w, other)?,
        },
    }
    w.write_all(b"\n")
}

fn write_records_object<W: Write>(w: &mut W, map: &Map<String, Json>) -> io::Result<()> {
    if map.is_empty() {
        return w.write_all(b"{}");
    }
    w.write_all(b"{\n")?;
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        w.write_all(b"  ")?;
        write_spaced(w, &Json::String(key.clone()))?;
        w.write_all(b": ")?;
        write_records_value(w, value)?;
    }
    w.write_all(b"\n}")
}

/// A top-level value: arrays one element per line, everything else on one line.
fn write_records_value<W: Write>(w: &mut W, value: &Json) -> io::Result<()> {
    match value {
        Json::Array(items) if !items.is_empty() => {
            w.write_all(b"[\n")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",\n")?;
                }
                w.write_all(b"    ")?;
                write_spaced(w, item)?;
            }
            w.write_all(b"\n  ]")
        }
        other => write_spaced(w, other),
    }
}

/// Streams a body a record at a time: `begin`, then `record` (or `raw_record`) per record, then
/// `finish` with any keys that follow the records. Memory does not grow with the record count.
pub struct RecordWriter<W: Write> {
    w: W,
    layout: Layout,
    count: usize,
}

impl<W: Write> RecordWriter<W> {
    /// Write the opening `{"<key>": [`.
    pub fn begin(mut w: W, layout: Layout, key: &str) -> io::Result<RecordWriter<W>> {
        let key_json = serde_json::to_string(key).map_err(io::Error::from)?;
        match layout {
            Layout::Compact => write!(w, "{{{key_json}:[")?,
            Layout::Records | Layout::Pretty => write!(w, "{{\n  {key_json}: [")?,
        }
        Ok(RecordWriter {
            w,
            layout,
            count: 0,
        })
    }

    /// The layout being written.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Records written so far (the header row counts as one).
    pub fn count(&self) -> usize {
        self.count
    }

    /// Write one row (the header or a record).
    pub fn record(&mut self, row: &Json) -> io::Result<()> {
        match self.layout {
            Layout::Pretty => {
                self.separator()?;
                let mut buf = Vec::new();
                serialize_with(&mut buf, row, PrettyFormatter::with_indent(b"  "))?;
                for (i, line) in buf.split(|&b| b == b'\n').enumerate() {
                    if i > 0 {
                        self.w.write_all(b"\n    ")?;
                    }
                    self.w.write_all(line)?;
                }
                Ok(())
            }
            Layout::Compact => {
                self.separator()?;
                serialize_with(&mut self.w, row, CompactFormatter)
            }
            Layout::Records => {
                self.separator()?;
                write_spaced(&mut self.w, row)
            }
        }
    }

    /// Write the separator before a row and hand out the writer, for callers that serialize a
    /// row themselves (the CSV fast path). The caller must write exactly one JSON array, in the
    /// compact style for `Layout::Compact` and the records style (`", "` between values) otherwise.
    /// Not for `Layout::Pretty`.
    pub fn raw_record(&mut self) -> io::Result<&mut W> {
        self.separator()?;
        Ok(&mut self.w)
    }

    fn separator(&mut self) -> io::Result<()> {
        let first = self.count == 0;
        self.count += 1;
        match (self.layout, first) {
            (Layout::Compact, true) => Ok(()),
            (Layout::Compact, false) => self.w.write_all(b","),
            (_, true) => self.w.write_all(b"\n    "),
            (_, false) => self.w.write_all(b",\n    "),
        }
    }

    fn close_records(&mut self) -> io::Result<()> {
        match (self.layout, self.count) {
            (Layout::Compact, _) | (_, 0) => self.w.write_all(b"]"),
            _ => self.w.write_all(b"\n  ]"),
        }
    }

    fn close_object(&mut self) -> io::Result<()> {
        match self.layout {
            Layout::Compact => self.w.write_all(b"}\n"),
            _ => self.w.write_all(b"\n}\n"),
        }
    }

    /// Like [`RecordWriter::finish`], but first writes trailing keys whose value is an array of
    /// `count` copies of one scalar `element`, written without building the array: a streamed response's
    /// per-record `warnings` / `errors` / `process_time`. Memory stays flat for any count.
    pub fn finish_repeated(mut self, trailing: &[(&str, &Json, usize)]) -> io::Result<W> {
        self.close_records()?;
        for &(key, element, count) in trailing {
            let key_json = serde_json::to_string(key).map_err(io::Error::from)?;
            let element_json = serde_json::to_vec(element).map_err(io::Error::from)?;
            let (open, sep, close): (&[u8], &[u8], &[u8]) = match self.layout {
                Layout::Compact => {
                    write!(self.w, ",{key_json}:")?;
                    (b"[", b",", b"]")
                }
                Layout::Records | Layout::Pretty => {
                    write!(self.w, ",\n  {key_json}: ")?;
                    (b"[\n    ", b",\n    ", b"\n  ]")
                }
            };
            if count == 0 {
                self.w.write_all(b"[]")?;
                continue;
            }
            self.w.write_all(open)?;
            for i in 0..count {
                if i > 0 {
                    self.w.write_all(sep)?;
                }
                self.w.write_all(&element_json)?;
            }
            self.w.write_all(close)?;
        }
        self.close_object()?;
        Ok(self.w)
    }

    /// Close the records array and the object, ending with a newline. Returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.close_records()?;
        self.close_object()?;
        Ok(self.w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streamed(layout: Layout, rows: &[Json]) -> String {
        let mut writer = RecordWriter::begin(Vec::new(), layout, "inputs").unwrap();
        for row in rows {
            writer.record(row).unwrap();
        }
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    fn parse(text: &str) -> Json {
        crate::json::dom::parse(text).unwrap()
    }

    fn whole(layout: Layout, doc: &Json) -> String {
        let mut out = Vec::new();
        write_document(&mut out, doc, layout).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn streamed_and_whole_writes_agree_in_every_layout() {
        let doc = parse(r#"{"inputs":[["a","T"],[1.10,[["k"],[1e3]]],["x",null]]}"#);
        let rows = doc["inputs"].as_array().unwrap().clone();
        for layout in [Layout::Records, Layout::Compact, Layout::Pretty] {
            assert_eq!(streamed(layout, &rows), whole(layout, &doc), "{layout:?}");
        }
    }

    #[test]
    fn records_layout_puts_one_record_per_line() {
        let doc = parse(r#"{"inputs":[["a","b"],[1,"x"]],"extra":{"k":1}}"#);
        let mut out = Vec::new();
        write_document(&mut out, &doc, Layout::Records).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n  \"inputs\": [\n    [\"a\", \"b\"],\n    [1, \"x\"]\n  ],\n  \"extra\": {\"k\": 1}\n}\n"
        );
    }

    #[test]
    fn repeated_trailing_keys_match_whole_arrays_in_every_layout() {
        let doc = parse(r#"{"inputs":[["a"],[1],[2]],"warnings":[null,null],"t":[1,1]}"#);
        let one = Json::from(1);
        for layout in [Layout::Records, Layout::Compact, Layout::Pretty] {
            let mut writer = RecordWriter::begin(Vec::new(), layout, "inputs").unwrap();
            for row in doc["inputs"].as_array().unwrap() {
                writer.record(row).unwrap();
            }
            let out = writer
                .finish_repeated(&[("warnings", &Json::Null, 2), ("t", &one, 2)])
                .unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                whole(layout, &doc),
                "{layout:?}"
            );
        }
    }

    #[test]
    fn trailing_keys_follow_the_records() {
        let mut writer = RecordWriter::begin(Vec::new(), Layout::Compact, "outputs").unwrap();
        writer.record(&parse(r#"["a"]"#)).unwrap();
        writer.record(&parse("[1]")).unwrap();
        let out = writer
            .finish_repeated(&[
                ("warnings", &Json::Null, 1),
                ("process_time", &Json::from(1), 1),
            ])
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"outputs\":[[\"a\"],[1]],\"warnings\":[null],\"process_time\":[1]}\n"
        );
    }
}
