//! `xconn schema request|response`: print the embedded JSON Schema (draft 2020-12) the validator
//! uses, for editors and other tools.

use std::io::Write;

use crate::cli::SchemaArgs;
use crate::error::Outcome;
use crate::output::Output;
use crate::validate::schema;

pub(crate) fn run(args: SchemaArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    out.write_all(schema::text(super::kind(args.kind)).as_bytes())?;
    Ok(Outcome::Success)
}
