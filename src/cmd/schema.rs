//! `xconn schema request|response|openapi`: print the embedded JSON Schema (draft 2020-12) the
//! validator uses, or an OpenAPI 3.1 document for a remote service (`--sample`, `--url`), for
//! editors and other tools.

use std::io::Write;

use crate::body::{Body, Kind};
use crate::cli::{SchemaArgs, SchemaKind};
use crate::error::{usage_error, Outcome};
use crate::output::Output;
use crate::validate::schema;

pub(crate) fn run(args: SchemaArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let kind = match args.kind {
        SchemaKind::Request => Kind::Request,
        SchemaKind::Response => Kind::Response,
        SchemaKind::Openapi => {
            let settings = openapi_settings(&args)?;
            out.write_all(crate::openapi::document(&settings).as_bytes())?;
            return Ok(Outcome::Success);
        }
    };
    if args.sample.is_some() || args.url.is_some() {
        return Err(usage_error(
            "--sample and --url shape an OpenAPI document: `xconn schema openapi`",
        ));
    }
    out.write_all(schema::text(kind).as_bytes())?;
    Ok(Outcome::Success)
}

/// `--url` parsed, `--sample` read and checked (its diagnostics on stderr) into its columns.
fn openapi_settings(args: &SchemaArgs) -> anyhow::Result<crate::openapi::Settings> {
    let url = args
        .url
        .as_deref()
        .map(crate::http::request::parse_url)
        .transpose()?;
    let columns = match args.sample.as_deref() {
        None => None,
        Some(arg) => {
            let bytes = super::read_sample(arg)?;
            let text = crate::text::utf8(&bytes).unwrap_or("");
            let root = crate::json::parse(text).ok();
            let table = root
                .as_ref()
                .and_then(|r| Body::view(r, Some(Kind::Request)))
                .and_then(|b| b.records())
                .filter(|t| t.header.is_some());
            let Some(table) = table else {
                return Err(usage_error(format!("--sample {arg}: it has no header")));
            };
            Some(crate::body::columns::infer(&table))
        }
    };
    Ok(crate::openapi::Settings { url, columns })
}
