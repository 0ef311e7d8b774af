//! `xconn show` (being built).

use crate::cli::*;
use crate::error::Outcome;
use crate::output::Output;

pub fn run(_args: ShowArgs, _out: &mut Output) -> anyhow::Result<Outcome> {
    anyhow::bail!("show is not built yet")
}
