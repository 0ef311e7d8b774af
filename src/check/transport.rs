//! The transport group: the spec requires an HTTPS endpoint.

use super::{Group, Probe, Settings, Verdict};
use crate::http::Client;

pub(crate) async fn run(settings: &Settings, _client: &Client) -> Vec<Probe> {
    vec![Probe::new(
        Group::Transport,
        "https",
        Verdict::Skip,
        format!("{}", settings.url),
    )]
}
