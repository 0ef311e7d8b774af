//! The input side of every command, in three rooms: [`input`] (where bytes come from: path or
//! stdin, read or mapped, BOM, UTF-8), [`location`] (byte offsets and JSON pointers to
//! line:column) and [`hints`] (located, hinted syntax errors; what a text that is not JSON is),
//! with [`sniff`] (the one format sniffer and CSV quote state machine) beside them.
//! The items are re-exported here, so `crate::source::X` names each one wherever it lives.

pub(crate) mod hints;
pub(crate) mod input;
pub(crate) mod location;
pub(crate) mod sniff;

#[cfg(test)]
pub(crate) use hints::parse_json;
pub(crate) use hints::{syntax_error, JsonSyntaxError, Looks};
pub use input::Source;
pub(crate) use input::{
    bom_len, display_name, is_stdin, json_text, open_path, open_stream, wide_encoding,
    wide_encoding_message, without_bom,
};
pub(crate) use location::{line_col, pointer_escape, Lines};
