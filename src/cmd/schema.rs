//! `xconn schema` (being built).

use crate::cli::*;
use crate::error::Outcome;
use crate::output::Output;

pub fn run(_args: SchemaArgs, _out: &mut Output) -> anyhow::Result<Outcome> {
    anyhow::bail!("schema is not built yet")
}
