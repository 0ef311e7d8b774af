//! One module per subcommand: each turns its clap arguments into settings, calls the core, and
//! writes its output through the shared [`crate::output::Output`].

pub mod completions;
pub mod convert;
pub mod schema;
pub mod show;
pub mod validate;
