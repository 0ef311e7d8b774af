//! The integration tests, one binary (one link of the heavy dependencies instead of one per
//! area): each module runs the real `xconn` binary (assert_cmd) in a scratch directory with a
//! pinned environment, against shipped fixtures and servers started on 127.0.0.1 port 0.
//!
//! Tests marked `#[ignore = "heavy: …"]` (hundreds of megabytes through every command, peak
//! memory) run optimised in a second step of `.ci/run`, and fail it when they fail:
//! `cargo test --profile heavy --locked --test it -- --ignored`.

mod common;

mod agreement;
mod architecture;
mod bad_inputs;
mod call;
mod check;
mod check_budget;
mod check_found;
mod check_openapi;
mod check_review;
mod completions;
mod convert;
mod flatten;
mod hostile;
mod memory;
mod oidc;
mod oidc_edges;
mod output_files;
mod properties;
mod schema;
mod secrets;
mod serve;
mod serve_contract;
mod show;
mod soundness;
mod token;
mod validate;
mod writers;
