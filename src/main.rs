//! The `xconn` binary: parse the command line, run it, report an error once, exit.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = xconn::cli::Cli::parse();
    match xconn::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) if xconn::error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            xconn::error::report(&err);
            xconn::error::exit_code_for(&err)
        }
    }
}
