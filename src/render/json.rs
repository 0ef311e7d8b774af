//! The json format: the normalized body in the default records layout (one record per line);
//! with `--record N` a body holding only that record and its `warnings` / `errors` /
//! `process_time` entries.

use std::io::{self, Write};

use crate::body::{write_document, Body, Layout};
use crate::json::write::{write_raw_str, write_value, Style};

pub(crate) fn render(w: &mut dyn Write, body: &Body, record: Option<usize>) -> io::Result<()> {
    let doc = body.doc();
    let Some(index) = record.filter(|_| doc.is_object()) else {
        return write_document(&mut &mut *w, &doc, Layout::Records);
    };
    // A small document holding the one record, written compact, then laid out like any body.
    let key = body.kind().records_key();
    let response = matches!(body, Body::Response(_));
    let mut single = Vec::new();
    single.push(b'{');
    for (n, (name, value)) in doc.members().enumerate() {
        if n > 0 {
            single.push(b',');
        }
        write_raw_str(&mut single, name.raw())?;
        single.push(b':');
        let keep = if name.matches(key) && value.is_array() {
            let mut rows = value.items();
            Some(vec![rows.next(), rows.nth(index)])
        } else if response
            && value.is_array()
            && ["warnings", "errors", "process_time"]
                .iter()
                .any(|k| name.matches(k))
        {
            Some(vec![value.items().nth(index)])
        } else {
            None
        };
        match keep {
            Some(kept) => {
                single.push(b'[');
                for (i, item) in kept.into_iter().flatten().enumerate() {
                    if i > 0 {
                        single.push(b',');
                    }
                    write_value(&mut single, &item, Style::Compact)?;
                }
                single.push(b']');
            }
            None => write_value(&mut single, &value, Style::Compact)?,
        }
    }
    single.push(b'}');
    let text = String::from_utf8(single).map_err(io::Error::other)?;
    // Written just above from checked values: trusted, and duplicate keys stay as they were.
    let doc = crate::json::Value::from_checked(&text, 0, text.len());
    write_document(&mut &mut *w, &doc, Layout::Records)
}
