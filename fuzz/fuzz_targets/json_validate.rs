//! Arbitrary bytes through the JSON reader and the validator: `validate::check_bytes` (detected
//! kind, and one forced kind / `against` chosen by the input's length) must agree with
//! `json::parse` on whether the text is JSON; a body that parses is viewed with `Body::view`,
//! every table, record, cell and message walked, and written back (`write_value` in each style,
//! `write_document` in each layout): the written text must parse, validate with the same
//! diagnostics (rule, severity, pointer) and write back to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xconn::body::{self, messages, Body, Cell, Kind, Layout, Table};
use xconn::diag::Diagnostic;
use xconn::json::{self, write::Style, Value};
use xconn::validate::{self, Against, Options};

/// The options to check with besides the default (detected kind, no `against`).
fn variant(len: usize) -> Options {
    let against = |records| {
        Some(Against {
            name: "request.json".to_string(),
            records,
        })
    };
    match len % 5 {
        0 => Options::default(),
        1 => Options {
            kind: Some(Kind::Request),
            against: None,
        },
        2 => Options {
            kind: Some(Kind::Response),
            against: None,
        },
        3 => Options {
            kind: Some(Kind::Response),
            against: against(1),
        },
        _ => Options {
            kind: None,
            against: against(3),
        },
    }
}

fn verdict(diagnostics: &[Diagnostic]) -> Vec<(&'static str, String, String)> {
    diagnostics
        .iter()
        .map(|d| (d.rule, format!("{:?}", d.severity), d.pointer.clone()))
        .collect()
}

/// Walk a table the way `show` and `convert` do: keys, every record, every cell, nested tables.
fn walk_table(table: &Table, depth: usize) {
    assert!(
        depth <= json::MAX_DEPTH,
        "tables nest deeper than the reader allows"
    );
    let _ = table.keys();
    let width = table.width();
    let index = table.index();
    assert_eq!(index.len(), table.len());
    for (i, record) in table.records().enumerate() {
        assert_eq!(index.get(i).map(|v| v.offset()), Some(record.offset()));
        let values = body::record_values(&record);
        let _ = values.len().cmp(&width);
        for value in &values {
            walk_cell(value, depth);
        }
    }
}

fn walk_cell(value: &Value, depth: usize) {
    match Cell::of(value) {
        Cell::Table(table) => walk_table(&table, depth + 1),
        Cell::String(s) => {
            let _ = s.len();
        }
        Cell::Number(n) => assert_eq!(Some(n), value.number_text()),
        Cell::Other(v) => {
            let _ = json::write::to_compact_string(&v);
        }
        Cell::Null | Cell::Bool(_) => {}
    }
}

fn walk_messages(list: Option<Value>) {
    for entry in list.iter().flat_map(|l| l.items()) {
        for message in messages(&entry) {
            let _ = message.all_fields();
            let _ = message.source_path();
            let _ = message.message();
        }
    }
}

fn walk(body: &Body) {
    if let Some(table) = body.records() {
        walk_table(&table, 0);
    }
    if let Body::Response(r) = body {
        walk_messages(r.warnings);
        walk_messages(r.errors);
        for t in r.process_time.iter().flat_map(|t| t.items()) {
            let _ = t.number_text();
        }
    }
}

/// Write `root` in every style and layout; each text must re-parse, re-validate with the same
/// verdict and write back to itself.
fn round_trip(root: &Value, options: &Options, expected: &[(&'static str, String, String)]) {
    let mut texts: Vec<Vec<u8>> = Vec::new();
    for style in [Style::Compact, Style::Spaced, Style::Pretty(0)] {
        let mut out = Vec::new();
        json::write::write_value(&mut out, root, style).unwrap();
        texts.push(out);
    }
    for layout in [Layout::Records, Layout::Compact, Layout::Pretty] {
        let mut out = Vec::new();
        body::write_document(&mut out, root, layout).unwrap();
        texts.push(out);
    }
    let compact = json::write::to_compact_string(root);
    assert_eq!(compact.as_bytes(), &texts[0][..]);
    for text in &texts {
        let s = std::str::from_utf8(text).expect("written JSON is UTF-8");
        let again = json::parse(s).unwrap_or_else(|e| {
            panic!("written text does not parse: {e:?}\n{s}");
        });
        assert_eq!(
            json::write::to_compact_string(&again),
            compact,
            "writing is not stable"
        );
        let revalidated = validate::check_bytes(text, options);
        assert_eq!(
            verdict(&revalidated.checked.diagnostics),
            expected,
            "a different verdict after writing:\n{s}"
        );
    }
}

fn check(data: &[u8], options: &Options) {
    let validated = validate::check_bytes(data, options);
    let checked = &validated.checked;
    let syntax_error = checked
        .diagnostics
        .iter()
        .any(|d| d.rule == validate::SYNTAX);
    let text = std::str::from_utf8(data).ok();
    let parsed = text.map(json::parse);
    // The reader and the validator agree on what is JSON (and the root span).
    match (&parsed, syntax_error) {
        (Some(Ok(value)), false) => {
            let root = validate::body_root(text.unwrap(), checked).expect("a root for JSON");
            assert_eq!((root.offset(), root.end()), (value.offset(), value.end()));
        }
        (Some(Ok(_)), true) => {
            // Only the checks before parsing may refuse what the reader accepts: a UTF-16 look
            // (`[a, 0, b, 0]` cannot start a JSON text) or nothing but whitespace.
            panic!(
                "json::parse accepts what the validator calls a syntax error: {:?}",
                checked.diagnostics
            );
        }
        (Some(Err(e)), false) => {
            // A repeated key is not a syntax error for the validator but its own rule, XC003.
            assert!(
                e.kind == json::ErrorKind::DuplicateKey
                    && checked.diagnostics.iter().any(|d| d.rule == "XC003"),
                "the validator accepts what json::parse refuses: {e:?}"
            );
            // The body still views (show renders it), but it cannot be read back by json::parse.
            let root = validate::body_root(text.unwrap(), checked).expect("a root for JSON");
            if let Some(body) = Body::view(&root, checked.kind) {
                walk(&body);
            }
            return;
        }
        (None, false) => panic!("the validator accepts invalid UTF-8"),
        (_, true) => {
            assert!(checked.root.is_none());
            for d in &checked.diagnostics {
                assert!(d.line >= 1 && d.col >= 1, "syntax error without a location");
            }
            return;
        }
    }
    for d in &checked.diagnostics {
        assert!(d.line >= 1 && d.col >= 1, "{} without a location", d.rule);
    }
    let text = text.unwrap();
    let root = validate::body_root(text, checked).unwrap();
    if let Some(body) = Body::view(&root, checked.kind) {
        walk(&body);
        assert_eq!(body.doc().raw(), root.raw());
    }
    round_trip(&root, options, &verdict(&checked.diagnostics));
}

fuzz_target!(|data: &[u8]| {
    check(data, &Options::default());
    let options = variant(data.len());
    if options.kind.is_some() || options.against.is_some() {
        check(data, &options);
    }
});
