//! The input side of every command, in three rooms: [`input`] (where bytes come from: path or
//! stdin, read or mapped, BOM, UTF-8), [`location`] (byte offsets and JSON pointers to
//! line:column) and [`hints`] (located, hinted syntax errors; what a text that is not JSON is),
//! with [`sniff`] (the one format sniffer and CSV quote state machine) beside them.
//! The items are re-exported here, so `crate::source::X` names each one wherever it lives.

pub(crate) mod hints;
pub(crate) mod input;
pub(crate) mod location;
pub(crate) mod sniff;

pub(crate) use hints::{looks_like, parse_json, syntax_error, JsonSyntaxError, Looks};
pub use input::Source;
pub(crate) use input::{
    bom_len, display_name, is_stdin, json_text, json_text_with, open_path, open_stream, skip_bom,
    wide_encoding, wide_encoding_message, without_bom, SourceBytes,
};
pub(crate) use location::{line_col, locate_pointer, pointer_escape, Lines};
