//! `xconn convert` (being built).

use crate::cli::*;
use crate::error::Outcome;
use crate::output::Output;

pub fn run(_args: ConvertArgs, _out: &mut Output) -> anyhow::Result<Outcome> {
    anyhow::bail!("convert is not built yet")
}
