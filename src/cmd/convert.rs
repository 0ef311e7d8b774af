//! `xconn convert`: turn the arguments into [`Settings`] and run the conversion to standard output
//! or, with `-o FILE`, atomically into a file (nothing is left behind when it fails).

use std::path::Path;

use crate::body::Layout;
use crate::cli::{self, ConvertArgs};
use crate::convert::{
    self, parse_delimiter, parse_type_override, Settings, SourceFormat, TargetFormat, TypesMode,
};
use crate::error::Outcome;
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
    if args.nest_sep.is_some() && !args.nest {
        anyhow::bail!("--nest-sep applies only with --nest");
    }
    let nest_sep = args.nest_sep.unwrap_or_else(|| ".".to_string());
    if nest_sep.is_empty() {
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
        from: args.from.map(source_format),
        to: args.to.map(target_format),
        kind: args.kind.map_or(crate::body::Kind::Request, super::kind),
        kind_given: args.kind.is_some(),
        layout,
        delimiter: args.delimiter.as_deref().map(parse_delimiter).transpose()?,
        types: types_mode(args.types),
        overrides: args
            .type_overrides
            .iter()
            .map(|t| parse_type_override(t))
            .collect::<anyhow::Result<_>>()?,
        flatten: args.flatten,
        nest: args.nest,
        nest_sep,
        allow_ragged: args.allow_ragged,
        output: args.output,
    })
}

pub fn source_format(format: cli::SourceFormat) -> SourceFormat {
    match format {
        cli::SourceFormat::Csv => SourceFormat::Csv,
        cli::SourceFormat::Json => SourceFormat::Json,
        cli::SourceFormat::Ndjson => SourceFormat::Ndjson,
    }
}

fn target_format(format: cli::TargetFormat) -> TargetFormat {
    match format {
        cli::TargetFormat::Body => TargetFormat::Body,
        cli::TargetFormat::Json => TargetFormat::Json,
        cli::TargetFormat::Ndjson => TargetFormat::Ndjson,
        cli::TargetFormat::Csv => TargetFormat::Csv,
    }
}

pub fn types_mode(mode: cli::TypesMode) -> TypesMode {
    match mode {
        cli::TypesMode::Infer => TypesMode::Infer,
        cli::TypesMode::String => TypesMode::String,
    }
}
