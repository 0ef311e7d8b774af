//! `xconn show`: read a body, check it with the validator, render what can be rendered, and print
//! the validator's diagnostics on standard error (exit 1 when there are errors).

use std::io::{self, Write};

use crate::body::{Body, Kind};
use crate::cli::ShowArgs;
use crate::error::Outcome;
use crate::output::Output;
use crate::render::{self, Options};
use crate::source::Source;
use crate::validate::{self, Checked};

pub fn run(args: ShowArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let source = Source::read(&args.file)?;
    let checked = validate::check_source(&source, args.kind.map(Kind::from));
    let options = Options {
        format: args.format.into(),
        expand: args.expand,
        record: args.record,
        width: out.width(args.width),
        color: out.color,
        terminal: out.is_terminal,
    };
    show(
        out,
        &mut io::stderr().lock(),
        &source.name,
        &checked,
        &options,
    )
}

/// Render the checked document into `out` and its diagnostics into `diagnostics`.
pub fn show(
    out: &mut dyn Write,
    diagnostics: &mut dyn Write,
    source_name: &str,
    checked: &Checked,
    options: &Options,
) -> anyhow::Result<Outcome> {
    let body = checked
        .doc
        .as_ref()
        .and_then(|doc| Some((doc, Body::view(doc, checked.kind)?)));
    if let Some((doc, body)) = body {
        render::render(out, doc, &body, options)?;
    }
    if !checked.diagnostics.is_empty() {
        out.flush()?;
        validate::write_text(diagnostics, source_name, &checked.diagnostics)?;
    }
    Ok(if checked.has_errors() {
        Outcome::Invalid
    } else {
        Outcome::Success
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostic, Severity};

    #[test]
    fn a_broken_body_renders_and_reports_its_diagnostics() {
        let doc = crate::json::parse(r#"{"inputs":[["a"],[{"x":1}]]}"#).unwrap();
        let mut diagnostic = Diagnostic::new("XC200", Severity::Error, "/inputs/1/0", "bad");
        diagnostic.line = 1;
        diagnostic.col = 19;
        let checked = Checked {
            doc: Some(doc),
            kind: Some(Kind::Request),
            diagnostics: vec![diagnostic],
        };
        let options = Options::default();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let outcome = show(&mut out, &mut err, "b.json", &checked, &options).unwrap();
        assert_eq!(outcome, Outcome::Invalid);
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains(r#"1 │ {"x":1}"#), "{out}");
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "b.json:1:19: error[XC200]: bad at /inputs/1/0\n"
        );
    }
}
