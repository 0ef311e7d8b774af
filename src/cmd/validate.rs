//! `xconn validate` (being built).

use crate::cli::*;
use crate::error::Outcome;
use crate::output::Output;

pub fn run(_args: ValidateArgs, _out: &mut Output) -> anyhow::Result<Outcome> {
    anyhow::bail!("validate is not built yet")
}
