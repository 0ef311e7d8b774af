//! A real OpenID Connect provider for the tests: `tests/support/provider.mjs` (the npm package
//! oauth2-mock-server, installed by `npm ci` in `tests/support`, which `.ci/run` does) run by
//! node on 127.0.0.1 port 0, driven through its standard input, killed when dropped. Without node
//! or the installed package a test is skipped — and fails under CI=true (`common::available`).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// The client every provider knows.
pub const CLIENT_ID: &str = "xconn-test";

/// A running provider: its issuer URL and its control channel.
pub struct Provider {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    pub issuer: String,
}

/// The request counts the provider has seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub token: u32,
    pub jwks: u32,
    pub discovery: u32,
}

fn support() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support")
}

impl Provider {
    /// Start one that accepts client [`CLIENT_ID`] with `secret`; `args` are provider.mjs's
    /// other options (`--audience A`, `--auth-methods M,M`, `--expires-in S`, `--echo-secret`).
    /// `None` when node or the package is missing here (outside CI).
    pub fn start(secret: &str, args: &[&str]) -> Option<Provider> {
        let node = Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        let installed = support().join("node_modules/oauth2-mock-server").is_dir();
        if !super::available(
            "node and tests/support/node_modules (npm ci in tests/support)",
            node && installed,
        ) {
            return None;
        }
        let mut child = Command::new("node")
            .arg(support().join("provider.mjs"))
            .args(["--client-id", CLIENT_ID, "--client-secret", secret])
            .args(args)
            .current_dir(support())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start node tests/support/provider.mjs");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut provider = Provider {
            child,
            stdin,
            stdout,
            issuer: String::new(),
        };
        let first = provider.line();
        provider.issuer = first
            .strip_prefix("issuer ")
            .unwrap_or_else(|| panic!("provider.mjs said {first:?}"))
            .to_string();
        Some(provider)
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line.trim_end().to_string()
    }

    fn command(&mut self, command: &str) -> String {
        writeln!(self.stdin, "{command}").unwrap();
        self.stdin.flush().unwrap();
        self.line()
    }

    /// A new RS256 key signs from now on; its `kid`.
    pub fn rotate(&mut self) -> String {
        self.command("rotate")
            .trim_start_matches("kid ")
            .to_string()
    }

    /// A new ES256 (P-256) key signs from now on; its `kid`.
    pub fn es256(&mut self) -> String {
        self.command("es256").trim_start_matches("kid ").to_string()
    }

    /// Tokens carry `aud` = `audience` from now on.
    pub fn audience(&mut self, audience: &str) {
        assert_eq!(self.command(&format!("audience {audience}")), "ok");
    }

    /// The token endpoint's answers from now on: `normal`, `no-token` (no `access_token`) or
    /// `mac` (`token_type` mac).
    pub fn answer(&mut self, kind: &str) {
        assert_eq!(self.command(&format!("answer {kind}")), "ok");
    }

    /// The published key set also holds an unusable key (a 24-bit RSA modulus) named `kid`,
    /// listed first.
    pub fn broken_key(&mut self, kid: &str) {
        assert_eq!(self.command(&format!("broken-key {kid}")), "ok");
    }

    pub fn counts(&mut self) -> Counts {
        let line = self.command("counts");
        let n: Vec<u32> = line
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        assert_eq!(n.len(), 3, "{line}");
        Counts {
            token: n[0],
            jwks: n[1],
            discovery: n[2],
        }
    }

    /// Stop listening (the issuer URL then refuses connections).
    pub fn stop(&mut self) {
        assert_eq!(self.command("stop"), "stopped");
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
