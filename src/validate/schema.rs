//! The JSON Schemas (draft 2020-12) for request and response bodies, embedded in the binary,
//! compiled once with every external `$ref` retrieval refused, and their errors mapped to `XC050`
//! diagnostics.

use std::sync::OnceLock;

use jsonschema::Validator;

use serde_json::Value as Json;

use crate::body::Kind;
use crate::diag::{Diagnostic, Severity};

use super::rules;

/// The request schema as shipped (`xconn schema request`).
pub(crate) const REQUEST: &str = include_str!("schemas/request.schema.json");
/// The response schema as shipped (`xconn schema response`).
pub(crate) const RESPONSE: &str = include_str!("schemas/response.schema.json");

/// Most schema errors reported per document; the semantic rules say the rest more precisely.
const MAX_SCHEMA_ERRORS: usize = 100;
/// Longest schema message kept (they quote the offending value, which may be large).
const MAX_MESSAGE: usize = 200;

/// The schema text for a kind.
pub fn text(kind: Kind) -> &'static str {
    match kind {
        Kind::Request => REQUEST,
        Kind::Response => RESPONSE,
    }
}

/// Compile a schema for validation: draft 2020-12, offline (a `$ref` to anything not in the
/// document itself fails to compile instead of being fetched).
pub fn compile(schema: &Json) -> Result<Validator, String> {
    jsonschema::draft202012::options()
        .offline()
        .build(schema)
        .map_err(|e| e.to_string())
}

fn compiled(kind: Kind) -> &'static Validator {
    static REQUEST_VALIDATOR: OnceLock<Validator> = OnceLock::new();
    static RESPONSE_VALIDATOR: OnceLock<Validator> = OnceLock::new();
    let cell = match kind {
        Kind::Request => &REQUEST_VALIDATOR,
        Kind::Response => &RESPONSE_VALIDATOR,
    };
    cell.get_or_init(|| {
        // The embedded schemas are our own text, fixed at build time and covered by tests.
        let schema: Json = serde_json::from_str(text(kind)).expect("embedded schema is valid JSON");
        compile(&schema).expect("embedded schema compiles")
    })
}

/// Compile both schemas on a thread of their own, for a caller that checks a request and then
/// its answers (`call`): on a machine with a core to spare the compiling overlaps reading and
/// scanning the request instead of adding to it. A check that needs a schema first waits for it.
pub(crate) fn compile_in_background() {
    std::thread::spawn(|| {
        compiled(Kind::Request);
        compiled(Kind::Response);
    });
}

/// Validate a document (or its envelope, see [`super::scan`]) against the schema for `kind`.
pub(crate) fn check(doc: &Json, kind: Kind) -> Vec<Diagnostic> {
    let validator = compiled(kind);
    if validator.is_valid(doc) {
        return Vec::new();
    }
    validator
        .iter_errors(doc)
        .take(MAX_SCHEMA_ERRORS)
        .map(|error| {
            let mut message = error.to_string();
            if message.len() > MAX_MESSAGE {
                let mut cut = MAX_MESSAGE;
                while !message.is_char_boundary(cut) {
                    cut -= 1;
                }
                message.truncate(cut);
                message.push('…');
            }
            Diagnostic::new(
                rules::SCHEMA,
                Severity::Error,
                error.instance_path().as_str(),
                format!("schema: {message}"),
            )
        })
        .collect()
}

/// Drop schema diagnostics that a semantic rule already explains: one whose pointer equals, lies
/// inside, or (below the document root) contains the pointer of a semantic diagnostic.
pub(crate) fn dedupe(schema: Vec<Diagnostic>, semantic: &[Diagnostic]) -> Vec<Diagnostic> {
    let related = |a: &str, b: &str| {
        a == b
            || (a.starts_with(b) && a.as_bytes().get(b.len()) == Some(&b'/'))
            || (!a.is_empty() && b.starts_with(a) && b.as_bytes().get(a.len()) == Some(&b'/'))
    };
    let mut kept: Vec<Diagnostic> = Vec::new();
    for d in schema {
        let explained = semantic.iter().any(|s| related(&d.pointer, &s.pointer));
        let repeated = kept
            .iter()
            .any(|k| k.pointer == d.pointer && k.message == d.message);
        if !explained && !repeated {
            kept.push(d);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_relate_by_prefix_at_segment_boundaries() {
        let semantic = vec![Diagnostic::new("XC107", Severity::Error, "/outputs/1", "x")];
        let schema = vec![
            Diagnostic::new(rules::SCHEMA, Severity::Error, "/outputs/1/2", "a"),
            Diagnostic::new(rules::SCHEMA, Severity::Error, "/outputs/10", "b"),
            Diagnostic::new(rules::SCHEMA, Severity::Error, "/outputs", "c"),
            Diagnostic::new(rules::SCHEMA, Severity::Error, "", "d"),
        ];
        let kept: Vec<_> = dedupe(schema, &semantic)
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert_eq!(kept, ["b", "d"]);
    }

    #[test]
    fn schema_errors_become_xc050_with_the_instance_pointer() {
        let doc: Json = serde_json::from_str(
            r#"{"outputs": [["a"]], "warnings": [], "errors": [], "process_time": ["x"]}"#,
        )
        .unwrap();
        let found = check(&doc, Kind::Response);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "XC050");
        assert_eq!(found[0].pointer, "/process_time/0");
        assert!(found[0].message.starts_with("schema: "));
    }

    #[test]
    fn external_refs_are_refused_not_fetched() {
        let schema: Json =
            serde_json::from_str(r#"{"$ref": "https://example.com/s.json"}"#).unwrap();
        assert!(compile(&schema).is_err());
        let schema: Json = serde_json::from_str(r#"{"$ref": "file:///etc/passwd"}"#).unwrap();
        assert!(compile(&schema).is_err());
    }
}
