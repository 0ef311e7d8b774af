//! One module per subcommand: each turns its clap arguments into settings, calls the core, and
//! writes its output through the shared [`crate::output::Output`].

pub mod completions;
pub mod convert;
pub mod schema;
pub mod show;
pub mod validate;

impl From<crate::cli::KindArg> for crate::body::Kind {
    fn from(arg: crate::cli::KindArg) -> crate::body::Kind {
        match arg {
            crate::cli::KindArg::Request => crate::body::Kind::Request,
            crate::cli::KindArg::Response => crate::body::Kind::Response,
        }
    }
}
