//! Running `xconn check` in a test: its exit code, output and time, and the JSON scorecard's
//! probes (shared by the check test modules).

use std::time::{Duration, Instant};

use super::Scratch;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Run {
    /// The JSON scorecard (the run was given `--format json`).
    pub fn card(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }

    /// The groups with a failed probe, and the failed probes' names.
    pub fn failed(&self) -> (Vec<String>, Vec<String>) {
        let failed: Vec<serde_json::Value> = probes(&self.card())
            .into_iter()
            .filter(|p| p["result"] == "fail")
            .collect();
        let mut groups: Vec<String> = failed
            .iter()
            .map(|p| p["group"].as_str().unwrap().to_string())
            .collect();
        groups.dedup();
        let names = failed
            .iter()
            .map(|p| p["probe"].as_str().unwrap().to_string())
            .collect();
        (groups, names)
    }

    /// The probe `name` of the JSON scorecard.
    pub fn probe(&self, name: &str) -> serde_json::Value {
        probe(&self.card(), name)
    }
}

/// `xconn check URL ARGS…` in `s` with `env` added.
pub fn check(s: &Scratch, url: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let started = Instant::now();
    let out = s
        .xconn()
        .args(["check", url])
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: started.elapsed(),
    }
}

/// The probes of a JSON scorecard.
pub fn probes(card: &serde_json::Value) -> Vec<serde_json::Value> {
    card["probes"].as_array().cloned().unwrap_or_default()
}

/// The probe `name` of a JSON scorecard.
pub fn probe(card: &serde_json::Value, name: &str) -> serde_json::Value {
    probes(card)
        .into_iter()
        .find(|p| p["probe"] == name)
        .unwrap_or_else(|| panic!("no probe {name}:\n{card}"))
}
