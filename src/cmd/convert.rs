//! `xconn convert`: turn the arguments into [`Settings`] and run the conversion to standard output
//! or, with `-o FILE`, atomically into a file (nothing is left behind when it fails).

use std::path::Path;

use crate::body::Layout;
use crate::cli::{self, ConvertArgs, DataArgs};
use crate::convert::{
    self, parse_delimiter, parse_type_override, Settings, SourceFormat, TargetFormat, TypesMode,
};
use crate::error::Outcome;
use crate::output::{write_atomically, Output};

pub(crate) fn run(args: ConvertArgs, out: &mut Output) -> anyhow::Result<Outcome> {
    let settings = settings(args)?;
    match settings.output.as_deref() {
        Some(path) => write_atomically(Path::new(path), |w| convert::convert(&settings, w))?,
        None => convert::convert(&settings, out)?,
    }
    Ok(Outcome::Success)
}

fn settings(args: ConvertArgs) -> anyhow::Result<Settings> {
    let mut settings = data_settings(args.input, &args.data)?;
    settings.to = args.to.map(target_format);
    settings.kind = args.kind.map_or(crate::body::Kind::Request, super::kind);
    settings.kind_given = args.kind.is_some();
    settings.layout = if args.compact {
        Layout::Compact
    } else if args.pretty {
        Layout::Pretty
    } else {
        Layout::Records
    };
    settings.output = args.output;
    Ok(settings)
}

/// The reading options (`--from`, `--delimiter`, `--types`, `--type`, `--flatten`, `--nest`,
/// `--nest-sep`, `--allow-ragged`, `--empty-header`) as [`Settings`] for `input`; the rest at their defaults (a
/// request body, the records layout, standard output). Shared with `call`, which converts a BODY
/// on the fly.
pub(crate) fn data_settings(input: String, data: &DataArgs) -> anyhow::Result<Settings> {
    if data.nest_sep.is_some() && !data.nest {
        anyhow::bail!("--nest-sep applies only with --nest");
    }
    if data.empty_header.as_deref() == Some("") {
        anyhow::bail!("--empty-header must not be empty");
    }
    let nest_sep = data.nest_sep.clone().unwrap_or_else(|| ".".to_string());
    if nest_sep.is_empty() {
        anyhow::bail!("--nest-sep must not be empty");
    }
    Ok(Settings {
        input,
        from: data.from.map(source_format),
        to: None,
        kind: crate::body::Kind::Request,
        kind_given: false,
        layout: Layout::Records,
        delimiter: data.delimiter.as_deref().map(parse_delimiter).transpose()?,
        types: types_mode(data.types),
        overrides: data
            .type_overrides
            .iter()
            .map(|t| parse_type_override(t))
            .collect::<anyhow::Result<_>>()?,
        flatten: data.flatten,
        nest: data.nest,
        nest_sep,
        allow_ragged: data.allow_ragged,
        empty_header: data.empty_header.clone(),
        output: None,
    })
}

fn source_format(format: cli::SourceFormat) -> SourceFormat {
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

fn types_mode(mode: cli::TypesMode) -> TypesMode {
    match mode {
        cli::TypesMode::Infer => TypesMode::Infer,
        cli::TypesMode::String => TypesMode::String,
    }
}
