//! The request body `call` sends, from its BODY argument: a JSON request body file as it is, or
//! anything else (CSV, JSON objects, NDJSON, `--from` given, standard input) converted on the fly
//! with [`super::convert`]. The body comes back as text, its UTF-8 checked once here.

use std::io::Write;
use std::path::Path;

use super::{convert, Settings, TargetFormat};
use crate::body::{Kind, Layout};
use crate::error::{data_error, ErrorKind};
use crate::source::{self, Source};

/// The request body from `arg` and a name for messages. `settings`: how data is read (`--from`,
/// `--nest`, `--type`…; its `input`, target and layout are set here).
pub(crate) fn request_body(arg: &str, mut settings: Settings) -> anyhow::Result<(String, String)> {
    let name = source::display_name(arg);
    let converted_by_extension = Path::new(arg)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "csv" | "tsv" | "ndjson" | "jsonl"
            )
        });
    // Standard input is read once: held in a temp file when it must be converted.
    let mut spool = None;
    settings.input = arg.to_string();
    if settings.from.is_none() && !converted_by_extension {
        let source = Source::read(arg)?;
        if let Ok(text) = crate::text::utf8(&source.bytes) {
            if is_body(text) {
                return Ok((text.to_owned(), name));
            }
        }
        // Standard input, a FIFO or any other stream can be read only once: what was read is
        // held in a temp file for `convert`.
        let regular = std::fs::metadata(arg).is_ok_and(|m| m.is_file());
        if source::is_stdin(arg) || !regular {
            let file = spool_bytes(&source.bytes)?;
            settings.input = file.path().display().to_string();
            spool = Some(file);
        }
    }
    settings.to = Some(TargetFormat::Body);
    settings.layout = Layout::Compact;
    let mut body = Vec::new();
    if let Err(err) = convert(&settings, &mut body) {
        if spool.is_none() {
            return Err(err);
        }
        // Name the input as the user knows it, not by its temp file; keep the exit code.
        let message = format!("{err:#}").replace(&settings.input, &name);
        return Err(crate::error::error(
            crate::error::kind_of(&err).unwrap_or(ErrorKind::Input),
            message,
        ));
    }
    drop(spool);
    // `convert` writes text it checked; its UTF-8 is checked here once, as the text it is.
    let body = String::from_utf8(body)
        .map_err(|_| data_error(format!("{name}: the converted body is not UTF-8 text")))?;
    Ok((body, format!("{name} (converted)")))
}

/// Whether `text` is a body (an object with `inputs` or `outputs`): told by its first key without
/// walking the rest when that key is one of them (as in every body xconn writes), else by
/// [`Kind::detect`] over the whole object.
fn is_body(text: &str) -> bool {
    let mut lexer = crate::json::Lexer::new(text);
    lexer.skip_ws();
    let first_key = lexer.peek() == Some(b'{')
        && lexer.open(b'}').unwrap_or(false)
        && lexer
            .member_key()
            .is_ok_and(|key| key == "\"inputs\"" || key == "\"outputs\"");
    first_key || {
        let start = text.len() - text.trim_start().len();
        Kind::detect(&crate::json::Value::starting_at(text, start)).is_some()
    }
}

/// `bytes` in a temp file (deleted when dropped).
fn spool_bytes(bytes: &[u8]) -> anyhow::Result<tempfile::NamedTempFile> {
    let cannot =
        |e: std::io::Error| crate::error::input_error(format!("cannot spool <stdin>: {e}"));
    let mut file = tempfile::NamedTempFile::new().map_err(cannot)?;
    file.write_all(bytes).map_err(cannot)?;
    Ok(file)
}
