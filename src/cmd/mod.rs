//! One module per subcommand: each turns its clap arguments into settings, calls the core, and
//! writes its output through the shared [`crate::output::Output`]. The flags shared by several
//! commands (`--kind`, `--color`) are mapped to the engines' own types here; the engines never
//! see a clap type.

pub(crate) mod call;
pub(crate) mod check;
pub(crate) mod completions;
pub(crate) mod convert;
pub(crate) mod schema;
pub(crate) mod serve;
pub(crate) mod show;
pub(crate) mod token;
pub(crate) mod token_flags;
pub(crate) mod validate;

use crate::body::columns::Column;
use crate::body::Kind;
use crate::cli::{ColorChoice, KindArg};
use crate::error::usage_error;
use crate::output;
use crate::source::Source;
use crate::validate as validator;

/// `--kind request|response` as the body model's [`Kind`].
pub(crate) fn kind(arg: KindArg) -> Kind {
    match arg {
        KindArg::Request => Kind::Request,
        KindArg::Response => Kind::Response,
    }
}

/// `--color auto|always|never` as the output's [`output::ColorChoice`].
pub(crate) fn color(choice: ColorChoice) -> output::ColorChoice {
    match choice {
        ColorChoice::Auto => output::ColorChoice::Auto,
        ColorChoice::Always => output::ColorChoice::Always,
        ColorChoice::Never => output::ColorChoice::Never,
    }
}

/// `--columns FILE` (`check`, `serve`): column kinds (a usage error naming the file and pointer when wrong).
pub(crate) fn read_columns(arg: &str) -> anyhow::Result<Vec<Column>> {
    let source = Source::read(arg)?;
    let text = crate::text::utf8(&source.bytes)
        .map_err(|_| usage_error(format!("--columns {}: not UTF-8", source.name)))?;
    crate::body::columns::parse_columns(text)
        .map_err(|why| usage_error(format!("--columns {}: {why}", source.name)))
}

/// `--sample FILE` (`check`, `serve`, `schema openapi`): a valid request body (its diagnostics on standard error, else a usage error).
pub(crate) fn read_sample(arg: &str) -> anyhow::Result<Vec<u8>> {
    let source = Source::read(arg)?;
    let options = validator::Options {
        kind: Some(crate::body::Kind::Request),
        against: None,
    };
    let validated = validator::check_source_with(&source, &options);
    if validated.checked.has_errors() {
        validator::write_text(
            &mut crate::output::stderr(),
            &source.name,
            &validated.checked.diagnostics,
        )?;
        return Err(usage_error(format!(
            "--sample {}: not a valid request body (see above)",
            source.name
        )));
    }
    Ok(source.bytes.to_vec())
}

/// `--sample` and `--columns` (`check`, `serve`), read and held to each other: the sample must be
/// a request the service takes, so when both are given it must keep the contract they make (the
/// file's kinds over the sample's) — a file that adds a column the sample lacks, or states a kind
/// its values break, is a usage error naming the first breaches.
pub(crate) fn read_sample_and_columns(
    sample: Option<&str>,
    columns: Option<&str>,
) -> anyhow::Result<SampleAndColumns> {
    let body = sample.map(read_sample).transpose()?;
    let stated = columns.map(read_columns).transpose()?;
    if let (Some(body), Some(stated), Some(sample), Some(columns)) =
        (&body, &stated, sample, columns)
    {
        let merged = crate::body::columns::contract_of(Some(body), Some(stated.clone()));
        let breaches = merged
            .map(|merged| crate::body::columns::body_breaches(body, &merged, 3))
            .unwrap_or_default();
        if !breaches.is_empty() {
            let listed: Vec<String> = breaches
                .iter()
                .map(|b| format!("{} at {}", b.message, b.pointer))
                .collect();
            return Err(usage_error(format!(
                "--columns {columns} and --sample {sample} disagree (the sample must be a request \
                 the service takes): {}",
                listed.join("; ")
            )));
        }
    }
    Ok(SampleAndColumns {
        sample: body,
        columns: stated,
    })
}

/// What `--sample` and `--columns` gave.
pub(crate) struct SampleAndColumns {
    pub(crate) sample: Option<Vec<u8>>,
    pub(crate) columns: Option<Vec<Column>>,
}
