//! A checked request cut into batches of at most N records, each batch's body written from the
//! original bytes of the request's header and records (values are never re-serialised).

use crate::body::{Body, Kind, Table, Value};

/// A checked request cut into batches.
pub struct Split<'a> {
    header: Value<'a>,
    /// The text the records are in.
    text: &'a str,
    /// Each record's byte span in `text`, found in one walk of the table.
    records: Vec<(usize, usize)>,
    size: usize,
}

impl<'a> Split<'a> {
    /// Split the request `root` (a checked request body) into batches of at most `size` records.
    /// `None` when it is not a request with a records table.
    pub fn new(root: &Value<'a>, size: usize) -> Option<Split<'a>> {
        Split::of_table(&Body::view(root, Some(Kind::Request))?.records()?, size)
    }

    /// Split the records table `table` (`inputs` of a checked request) into batches of at most
    /// `size` records. `None` when it has no header.
    pub(crate) fn of_table(table: &Table<'a>, size: usize) -> Option<Split<'a>> {
        let records = table.records().map(|r| (r.offset(), r.end())).collect();
        Split::of_spans(table, records, size)
    }

    /// [`Split::of_table`] with the records' spans in the table's text already known (the
    /// validator's scan found them: [`crate::validate::Validated::record_spans`]).
    pub(crate) fn of_spans(
        table: &Table<'a>,
        records: Vec<(usize, usize)>,
        size: usize,
    ) -> Option<Split<'a>> {
        Some(Split {
            header: table.header?,
            text: table.rows.source(),
            records,
            size: size.max(1),
        })
    }

    /// Number of records in the request.
    pub fn records(&self) -> usize {
        self.records.len()
    }

    /// Bytes of the request's records as written (from the first record to the end of the last).
    pub(crate) fn records_len(&self) -> usize {
        match (self.records.first(), self.records.last()) {
            (Some(first), Some(last)) => last.1.saturating_sub(first.0),
            _ => 0,
        }
    }

    /// Number of batches.
    pub fn len(&self) -> usize {
        self.records.len().div_ceil(self.size)
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The record indexes (0-based) of batch `batch`.
    pub fn range(&self, batch: usize) -> std::ops::Range<usize> {
        let start = batch * self.size;
        start..(start + self.size).min(self.records.len())
    }

    /// The request body of batch `batch`: `{"inputs":[HEADER,RECORD,…]}`, the header and the
    /// records written as they are in the original text. The records go as one slice of it,
    /// separators included, unless that slice spans lines (a pretty-printed request): then each
    /// record is written after a bare comma, so a batch stays on one line.
    pub(crate) fn body(&self, batch: usize) -> Vec<u8> {
        let records = &self.records[self.range(batch)];
        let mut out = Vec::with_capacity(16 + self.header.raw().len());
        out.extend_from_slice(b"{\"inputs\":[");
        out.extend_from_slice(self.header.raw().as_bytes());
        if let (Some(first), Some(last)) = (records.first(), records.last()) {
            let text = self.text.as_bytes();
            let slice = &text[first.0..last.1];
            // Exact: a bare comma per record at most, and the closing `]}`.
            out.reserve(slice.len() + records.len() + 3);
            if memchr::memchr2(b'\n', b'\r', slice).is_none() {
                out.push(b',');
                out.extend_from_slice(slice);
            } else {
                for &(start, end) in records {
                    out.push(b',');
                    out.extend_from_slice(&text[start..end]);
                }
            }
        }
        out.extend_from_slice(b"]}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_written_from_the_original_bytes() {
        let text = r#"{"inputs": [["a", "b"], [1.10, "x\u00e9"], [2, [["k"], [1e3]]], [3, null]]}"#;
        let root = crate::json::parse(text).unwrap();
        let split = Split::new(&root, 2).unwrap();
        assert_eq!(split.len(), 2);
        assert_eq!(
            String::from_utf8(split.body(0)).unwrap(),
            r#"{"inputs":[["a", "b"],[1.10, "x\u00e9"], [2, [["k"], [1e3]]]]}"#
        );
        assert_eq!(
            String::from_utf8(split.body(1)).unwrap(),
            r#"{"inputs":[["a", "b"],[3, null]]}"#
        );
    }

    /// The spans the validator's scan hands over are the ones a walk of the table finds, for
    /// compact, pretty-printed and nested records, and beside other members holding tables.
    #[test]
    fn the_scans_record_spans_are_the_walks() {
        let texts = [
            r#"{"inputs":[["a","b"],[1,"x"],[2,[["k"],[1e3]]],[3,null]]}"#,
            "{\n  \"inputs\": [\n    [\"a\"],\n    [\"\\u00e9\"] ,\n    [ -0.5e+2 ]\n  ]\n}\n",
            r#"{"x":[["q"],[0]],"inputs":[["b"],[true],[false],["y"]],"y":{"inputs":[["z"],[2]]}}"#,
            r#"{"inputs":[["a"]]}"#,
        ];
        for text in texts {
            let validated = crate::validate::check_request_text(text);
            let root = crate::json::parse(text).unwrap();
            let walked = Split::new(&root, 2).unwrap();
            assert_eq!(validated.record_spans, walked.records, "{text}");
            assert_eq!(validated.records, Some(walked.records()), "{text}");
        }
    }
}
