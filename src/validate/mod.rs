//! The validator: JSON syntax, JSON Schema and the XConnector rules a schema cannot say, each rule
//! with a stable id. Produces located [`Diagnostic`]s for `validate`, `show` and `call`.

use std::io::{self, Write};

use crate::body::{Json, Kind};
use crate::diag::{locate_all, Diagnostic, Severity};
use crate::source::Source;

/// Rule id of a JSON syntax error (the document could not be parsed).
pub const SYNTAX: &str = "XC001";

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
}

/// Parse and check one source. `kind` forces request/response; `None` detects it.
pub fn check_source(source: &Source, kind: Option<Kind>) -> Checked {
    let doc = match source.parse_json() {
        Ok(doc) => doc,
        Err(e) => {
            let mut diagnostic = Diagnostic::new(SYNTAX, Severity::Error, "", e.message.clone());
            if let Some(hint) = &e.hint {
                diagnostic.message = format!("{} (hint: {hint})", diagnostic.message);
            }
            diagnostic.line = e.line;
            diagnostic.col = e.col;
            return Checked {
                doc: None,
                kind,
                diagnostics: vec![diagnostic],
            };
        }
    };
    let kind = kind.or_else(|| Kind::detect(&doc));
    let mut diagnostics = check_document(&doc, kind);
    if !diagnostics.is_empty() {
        locate_all(&mut diagnostics, source);
    }
    Checked {
        doc: Some(doc),
        kind,
        diagnostics,
    }
}

/// Check a parsed document (diagnostics not yet located).
pub fn check_document(doc: &Json, kind: Option<Kind>) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if kind.is_none() || !doc.is_object() {
        diagnostics.push(Diagnostic::new(
            "XC100",
            Severity::Error,
            "",
            "not an XConnector body: expected an object with `inputs` (request) or `outputs` (response)",
        ));
    }
    diagnostics
}

/// Print diagnostics as `file:line:col: error[XC…]: message at /pointer (column)`.
pub fn write_text(
    w: &mut dyn Write,
    source_name: &str,
    diagnostics: &[Diagnostic],
) -> io::Result<()> {
    for d in diagnostics {
        writeln!(
            w,
            "{}:{}:{}: {}[{}]: {} at {}",
            source_name,
            d.line,
            d.col,
            d.severity.name(),
            d.rule,
            d.message,
            d.location()
        )?;
    }
    Ok(())
}
