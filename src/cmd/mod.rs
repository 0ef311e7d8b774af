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
pub(crate) mod validate;

use crate::body::Kind;
use crate::cli::{ColorChoice, KindArg};
use crate::output;

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
