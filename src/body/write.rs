//! Writing bodies back as JSON in one of three layouts, whole or streamed a record at a time.
//!
//! * `Records` (default): like the spec's examples — each top-level key on its own line and each
//!   element of a top-level array (a record, a warnings entry, a process time) on one line of its
//!   own, written `["a", 1, [["k"], [2]]]`. Readable and diff-friendly: one changed record is one
//!   changed line.
//! * `Compact`: the whole document on one line, no spaces.
//! * `Pretty`: fully indented, two spaces.
//!
//! Values are written by [`crate::json::write`]: numbers exactly as read, strings in one
//! canonical escaping.

use std::io::{self, Write};

use super::{Table, Value, ValueKind};
use crate::json::write::{write_array, write_object, write_raw_str, write_str, write_value, Style};

/// How a body is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    #[default]
    Records,
    Compact,
    Pretty,
}

impl Layout {
    /// The style one record (a row of the records array) is written in.
    pub(crate) fn row_style(self) -> Style {
        match self {
            Layout::Records => Style::Spaced,
            Layout::Compact => Style::Compact,
            Layout::Pretty => Style::Pretty(2),
        }
    }
}

/// Write a whole document in `layout`, followed by a newline.
pub fn write_document<W: Write + ?Sized>(w: &mut W, doc: &Value, layout: Layout) -> io::Result<()> {
    match layout {
        Layout::Compact => write_value(w, doc, Style::Compact)?,
        Layout::Pretty => write_value(w, doc, Style::Pretty(0))?,
        Layout::Records if doc.is_object() => write_records_object(w, doc)?,
        Layout::Records => write_value(w, doc, Style::Spaced)?,
    }
    w.write_all(b"\n")
}

fn write_records_object<W: Write + ?Sized>(w: &mut W, doc: &Value) -> io::Result<()> {
    let mut members = doc.members().peekable();
    if members.peek().is_none() {
        return w.write_all(b"{}");
    }
    w.write_all(b"{\n")?;
    for (i, (key, value)) in members.enumerate() {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        w.write_all(b"  ")?;
        write_raw_str(w, key.raw())?;
        w.write_all(b": ")?;
        write_records_value(w, &value)?;
    }
    w.write_all(b"\n}")
}

/// A top-level value: arrays one element per line, everything else on one line.
fn write_records_value<W: Write + ?Sized>(w: &mut W, value: &Value) -> io::Result<()> {
    let mut items = value.items().peekable();
    if !value.is_array() || items.peek().is_none() {
        return write_value(w, value, Style::Spaced);
    }
    w.write_all(b"[\n")?;
    for (i, item) in items.enumerate() {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        w.write_all(b"    ")?;
        write_value(w, &item, Style::Spaced)?;
    }
    w.write_all(b"\n  ]")
}

/// Write one record as a JSON object: keys from the header, values in object form (a nested
/// table becomes an array of objects). Missing values read as `null`; values beyond the header
/// are kept under `_extra_N` keys (N counted from 1 over the whole record).
pub(crate) fn write_record_object<W: Write + ?Sized>(
    w: &mut W,
    keys: &[String],
    values: &[Value],
    style: Style,
) -> io::Result<()> {
    let count = keys.len().max(values.len());
    write_object(
        w,
        style,
        (0..count).map(|i| (i, values.get(i))),
        |w, i| match keys.get(i) {
            Some(key) => write_str(w, key),
            None => write_str(w, &format!("_extra_{}", i + 1)),
        },
        |w, value, inner| match value {
            Some(value) => write_object_form(w, value, inner),
            None => w.write_all(b"null"),
        },
    )
}

/// Write a cell in object form: a nested table becomes an array of objects (recursively); other
/// values are written as they are.
pub(crate) fn write_object_form<W: Write + ?Sized>(
    w: &mut W,
    value: &Value,
    style: Style,
) -> io::Result<()> {
    let Some(table) = (value.kind() == ValueKind::Array)
        .then(|| Table::from_value(value))
        .flatten()
    else {
        return write_value(w, value, style);
    };
    let keys = table.keys();
    let mut values = Vec::with_capacity(keys.len());
    write_array(w, style, table.records(), |w, record, inner| {
        values.clear();
        values.extend(record.items());
        write_record_object(w, &keys, &values, inner)
    })
}

/// Streams a body a record at a time: `begin`, then `record` (or `raw_record`) per record, then
/// `finish` with any keys that follow the records. Memory does not grow with the record count.
pub(crate) struct RecordWriter<W: Write> {
    w: W,
    layout: Layout,
    count: usize,
}

impl<W: Write> RecordWriter<W> {
    /// Write the opening `{"<key>": [`.
    pub(crate) fn begin(mut w: W, layout: Layout, key: &str) -> io::Result<RecordWriter<W>> {
        match layout {
            Layout::Compact => w.write_all(b"{")?,
            Layout::Records | Layout::Pretty => w.write_all(b"{\n  ")?,
        }
        write_str(&mut w, key)?;
        w.write_all(if layout == Layout::Compact {
            b":["
        } else {
            b": ["
        })?;
        Ok(RecordWriter {
            w,
            layout,
            count: 0,
        })
    }

    /// Records written so far (the header row counts as one).
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    #[cfg(test)]
    /// Write one row (the header or a record) given as a checked value.
    pub(crate) fn record(&mut self, row: &Value) -> io::Result<()> {
        self.separator()?;
        write_value(&mut self.w, row, self.layout.row_style())
    }

    /// Write the separator before a row and hand out the writer, for callers that serialize a
    /// row themselves (the CSV fast path). The caller must write exactly one JSON array, in the
    /// compact style for `Layout::Compact` and the records style (`", "` between values) otherwise.
    /// Not for `Layout::Pretty`.
    pub(crate) fn raw_record(&mut self) -> io::Result<&mut W> {
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
    /// `count` copies of one scalar `element` (its JSON text), written without building the array:
    /// a streamed response's per-record `warnings` / `errors` / `process_time`. Memory stays flat
    /// for any count.
    pub(crate) fn finish_repeated(mut self, trailing: &[(&str, &str, usize)]) -> io::Result<W> {
        self.close_records()?;
        for &(key, element, count) in trailing {
            let (open, sep, close): (&[u8], &[u8], &[u8]) = match self.layout {
                Layout::Compact => {
                    self.w.write_all(b",")?;
                    write_str(&mut self.w, key)?;
                    self.w.write_all(b":")?;
                    (b"[", b",", b"]")
                }
                Layout::Records | Layout::Pretty => {
                    self.w.write_all(b",\n  ")?;
                    write_str(&mut self.w, key)?;
                    self.w.write_all(b": ")?;
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
                self.w.write_all(element.as_bytes())?;
            }
            self.w.write_all(close)?;
        }
        self.close_object()?;
        Ok(self.w)
    }

    /// Close the records array and the object, ending with a newline. Returns the writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.close_records()?;
        self.close_object()?;
        Ok(self.w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn streamed(layout: Layout, rows: impl Iterator<Item = Value<'static>>) -> String {
        let mut writer = RecordWriter::begin(Vec::new(), layout, "inputs").unwrap();
        for row in rows {
            writer.record(&row).unwrap();
        }
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    fn whole(layout: Layout, doc: &Value) -> String {
        let mut out = Vec::new();
        write_document(&mut out, doc, layout).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn streamed_and_whole_writes_agree_in_every_layout() {
        let doc = parse(r#"{"inputs":[["a","T"],[1.10,[["k"],[1e3]]],["x",null]]}"#).unwrap();
        for layout in [Layout::Records, Layout::Compact, Layout::Pretty] {
            let rows = doc.get("inputs").unwrap().items();
            assert_eq!(streamed(layout, rows), whole(layout, &doc), "{layout:?}");
        }
    }

    #[test]
    fn pretty_layout_matches_serde_json() {
        let text = r#"{"inputs":[["a","T"],[1,[["k"],[2]]]],"x":{"k":[]}}"#;
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            whole(Layout::Pretty, &parse(text).unwrap()),
            serde_json::to_string_pretty(&value).unwrap() + "\n"
        );
    }

    #[test]
    fn records_layout_puts_one_record_per_line() {
        let doc = parse(r#"{"inputs":[["a","b"],[1,"x"]],"extra":{"k":1}}"#).unwrap();
        assert_eq!(
            whole(Layout::Records, &doc),
            "{\n  \"inputs\": [\n    [\"a\", \"b\"],\n    [1, \"x\"]\n  ],\n  \"extra\": {\"k\": 1}\n}\n"
        );
    }

    #[test]
    fn repeated_trailing_keys_match_whole_arrays_in_every_layout() {
        let doc = parse(r#"{"inputs":[["a"],[1],[2]],"warnings":[null,null],"t":[1,1]}"#).unwrap();
        for layout in [Layout::Records, Layout::Compact, Layout::Pretty] {
            let mut writer = RecordWriter::begin(Vec::new(), layout, "inputs").unwrap();
            for row in doc.get("inputs").unwrap().items() {
                writer.record(&row).unwrap();
            }
            let out = writer
                .finish_repeated(&[("warnings", "null", 2), ("t", "1", 2)])
                .unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                whole(layout, &doc),
                "{layout:?}"
            );
        }
    }

    #[test]
    fn records_become_objects_with_tables_as_arrays_of_objects() {
        let doc = parse(r#"{"inputs":[["k","T"],["x",[["a"],[1],[2]],7]]}"#).unwrap();
        let table = Table::from_records_array(&doc.get("inputs").unwrap()).unwrap();
        let record: Vec<Value> = table.records().next().unwrap().items().collect();
        let mut out = Vec::new();
        write_record_object(&mut out, &table.keys(), &record, Style::Compact).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"k":"x","T":[{"a":1},{"a":2}],"_extra_3":7}"#
        );
        let mut pretty = Vec::new();
        write_record_object(&mut pretty, &table.keys(), &record, Style::Pretty(0)).unwrap();
        let expected = serde_json::json!({"k":"x","T":[{"a":1},{"a":2}],"_extra_3":7});
        assert_eq!(
            String::from_utf8(pretty).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap()
        );
    }
}
