//! The json format: the normalized body in the default records layout (one record per line);
//! with `--record N` a body holding only that record and its `warnings` / `errors` /
//! `process_time` entries.

use std::io::{self, Write};

use crate::legacy_body::{write_document, Body, Json, Layout};

pub(crate) fn render(
    w: &mut dyn Write,
    doc: &Json,
    body: &Body,
    record: Option<usize>,
) -> io::Result<()> {
    let (Some(index), Some(object)) = (record, doc.as_object()) else {
        return write_document(&mut &mut *w, doc, Layout::Records);
    };
    let mut single = object.clone();
    let key = body.kind().records_key();
    if let Some(Json::Array(rows)) = object.get(key) {
        let kept: Vec<Json> = rows
            .first()
            .into_iter()
            .chain(rows.get(index + 1))
            .cloned()
            .collect();
        single.insert(key.to_string(), Json::Array(kept));
    }
    if let Body::Response(_) = body {
        for list in ["warnings", "errors", "process_time"] {
            if let Some(Json::Array(entries)) = object.get(list) {
                let kept: Vec<Json> = entries.get(index).cloned().into_iter().collect();
                single.insert(list.to_string(), Json::Array(kept));
            }
        }
    }
    write_document(&mut &mut *w, &Json::Object(single), Layout::Records)
}
