//! The validator: JSON syntax, JSON Schema and the XConnector rules a schema cannot say, each rule
//! with a stable id. Produces located [`Diagnostic`]s for `validate`, `show` and `call`.
//!
//! How a document is checked:
//! 1. [`scan`] walks the text once, without building the document: syntax (exact line:column and
//!    a hint), then every rule in [`rules::RULES`], each problem with the byte offset of its value.
//! 2. The JSON Schema ([`schema`]) runs through the `jsonschema` crate on the document's envelope
//!    (everything but the record contents, which step 1 checks value by value). A schema error is
//!    reported (`XC050`) only when no rule already reported a problem at, inside or around the same
//!    place, so one problem gives one clear message.
//! 3. Offsets become line:column in one sweep, and only when there is something to report.

pub mod report;
pub mod rules;
pub mod scan;
pub mod schema;

use std::io::{self, Write};

use crate::diag::{nearest_offset, Diagnostic, Severity};
use crate::error::data_error;
use crate::legacy_body::{Json, Kind};
use crate::source::Source;

pub use rules::SYNTAX;

/// A document after checking: the parsed JSON (when it parsed) and its located diagnostics.
pub struct Checked {
    pub doc: Option<Json>,
    pub kind: Option<Kind>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    pub fn has_warnings(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Warning)
    }
}

/// The request a response answers (`--against`): its name and number of input records.
#[derive(Debug, Clone)]
pub struct Against {
    pub name: String,
    pub records: usize,
}

impl Against {
    /// Count the input records of the request in `source`. Not a valid request: a data error
    /// (exit 1) naming its first error.
    pub fn from_request(source: &Source) -> anyhow::Result<Against> {
        let options = Options {
            kind: Some(Kind::Request),
            ..Options::default()
        };
        let validated = check_source_with(source, &options);
        let first_error = validated
            .checked
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error);
        let name = &source.name;
        match (first_error, validated.records) {
            (None, Some(records)) => Ok(Against {
                name: name.clone(),
                records,
            }),
            (Some(d), _) => Err(data_error(format!(
                "--against {name}: not a valid request: {name}:{}:{}: {}",
                d.line, d.col, d.message
            ))),
            (None, None) => Err(data_error(format!(
                "--against {name}: not a valid request: no `inputs` records"
            ))),
        }
    }
}

/// How to check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Force request/response instead of detecting it.
    pub kind: Option<Kind>,
    /// Rule `XC130`: output records must match this request's input records.
    pub against: Option<Against>,
    /// Also parse the document into [`Checked::doc`] (`show` needs it; `validate` does not).
    pub keep_document: bool,
}

/// A checked document with its record count (`inputs` / `outputs` rows after the header).
pub struct Validated {
    pub checked: Checked,
    pub records: Option<usize>,
}

/// Parse and check one source. `kind` forces request/response; `None` detects it.
pub fn check_source(source: &Source, kind: Option<Kind>) -> Checked {
    let options = Options {
        kind,
        against: None,
        keep_document: true,
    };
    check_source_with(source, &options).checked
}

/// Check one source with all options.
pub fn check_source_with(source: &Source, options: &Options) -> Validated {
    let bytes = &source.bytes;
    let against = options
        .against
        .as_ref()
        .map(|a| (a.name.as_str(), a.records));
    let scanned = scan::scan(bytes, options.kind, against);
    if let Some(e) = scanned.syntax {
        let mut message = e.message.clone();
        if let Some(hint) = &e.hint {
            message = format!("{message} (hint: {hint})");
        }
        let mut diagnostic = Diagnostic::new(SYNTAX, Severity::Error, "", message);
        diagnostic.line = e.line;
        diagnostic.col = e.col;
        return Validated {
            checked: Checked {
                doc: None,
                kind: scanned.kind,
                diagnostics: vec![diagnostic],
            },
            records: None,
        };
    }
    let mut found = scanned.found;
    if let (Some(envelope), Some(kind)) = (&scanned.envelope, scanned.kind) {
        let semantic: Vec<Diagnostic> = found.iter().map(|f| f.diagnostic.clone()).collect();
        for diagnostic in schema::dedupe(schema::check(envelope, kind), &semantic) {
            let offset = nearest_offset(bytes, &diagnostic.pointer);
            found.push(scan::Found { offset, diagnostic });
        }
    }
    if !found.is_empty() {
        scan::locate(bytes, &mut found);
        // Document order; the "more not listed" note last.
        found.sort_by_key(|f| (f.diagnostic.rule == rules::TOO_MANY, f.offset));
    }
    let doc = if options.keep_document {
        source.parse_json().ok()
    } else {
        None
    };
    Validated {
        checked: Checked {
            doc,
            kind: scanned.kind,
            diagnostics: found.into_iter().map(|f| f.diagnostic).collect(),
        },
        records: scanned.records,
    }
}

/// Check a parsed document. Its diagnostics are not located (line and col are 0): pointers are
/// exact, so [`crate::diag::locate_all`] can place them in the text it came from.
pub fn check_document(doc: &Json, kind: Option<Kind>) -> Vec<Diagnostic> {
    let text = serde_json::to_string(doc).unwrap_or_default();
    let source = Source::from_bytes("<document>", text.into_bytes());
    let options = Options {
        kind,
        ..Options::default()
    };
    let mut diagnostics = check_source_with(&source, &options).checked.diagnostics;
    for d in &mut diagnostics {
        d.line = 0;
        d.col = 0;
    }
    diagnostics
}

/// Print diagnostics as `file:line:col: error[XC…]: message at /pointer (column)`.
pub fn write_text(
    w: &mut dyn Write,
    source_name: &str,
    diagnostics: &[Diagnostic],
) -> io::Result<()> {
    report::write_text_lines(w, source_name, diagnostics, false)
}
