//! `xconn convert`: turn the arguments into [`Settings`] and run the conversion to standard output
//! or, with `-o FILE`, atomically into a file (nothing is left behind when it fails).

use std::path::Path;

use crate::cli::ConvertArgs;
use crate::convert::{self, parse_delimiter, parse_type_override, Settings};
use crate::error::Outcome;
use crate::legacy_body::Layout;
use crate::output::{write_atomically, Output};

pub fn run(args: ConvertArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let settings = settings(args)?;
    match settings.output.as_deref() {
        Some(path) => write_atomically(Path::new(path), |w| convert::convert(&settings, w))?,
        None => convert::convert(&settings, out)?,
    }
    Ok(Outcome::Success)
}

fn settings(args: ConvertArgs) -> anyhow::Result<Settings> {
    if args.nest_sep.is_empty() {
        anyhow::bail!("--nest-sep must not be empty");
    }
    let layout = if args.compact {
        Layout::Compact
    } else if args.pretty {
        Layout::Pretty
    } else {
        Layout::Records
    };
    Ok(Settings {
        input: args.input,
        from: args.from,
        to: args.to,
        kind: args.kind.into(),
        layout,
        delimiter: args.delimiter.as_deref().map(parse_delimiter).transpose()?,
        types: args.types,
        overrides: args
            .type_overrides
            .iter()
            .map(|t| parse_type_override(t))
            .collect::<anyhow::Result<_>>()?,
        flatten: args.flatten,
        nest: args.nest,
        nest_sep: args.nest_sep,
        allow_ragged: args.allow_ragged,
        output: args.output,
    })
}
