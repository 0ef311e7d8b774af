//! Shared helpers for the integration tests: the real binary in a scratch directory with a pinned
//! environment, and paths to the shipped fixtures.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A scratch directory; the binary runs inside it.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("create temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Write a file into the scratch directory and return its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    /// `xconn ARGS…` run in this directory with a pinned environment.
    pub fn xconn(&self) -> Command {
        let mut cmd = xconn();
        cmd.current_dir(self.dir.path());
        cmd
    }
}

/// The real binary with a pinned environment: no color variables, no terminal width, no home.
pub fn xconn() -> Command {
    let mut cmd = Command::cargo_bin("xconn").expect("binary built");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent")
        .env("LANG", "C.UTF-8");
    cmd
}

/// The spec's six valid JSON examples, as shipped fixtures (the broken Example 1 twin apart).
pub const SPEC_EXAMPLES: [&str; 6] = [
    "request-example1-single-values.json",
    "request-example2-table-input.json",
    "request-example3-records-with-tables.json",
    "response-example1-success.json",
    "response-example2-with-warnings.json",
    "response-example3-failure.json",
];

/// Absolute path of a shipped fixture.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Contents of a shipped fixture.
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Parse JSON text with xconn's own parser (numbers kept as written).
pub fn json(text: &str) -> serde_json::Value {
    xconn::json::parse(text)
        .map(|v| v.to_serde())
        .unwrap_or_else(|e| panic!("invalid JSON {e:?} in:\n{text}"))
}
pub mod check_run;
pub mod oidc_provider;
pub mod rust_paths;
pub mod serve;
pub mod server;
pub mod verdict;

/// Whether something a test needs from the machine (a tool, a device) is here. When it is not,
/// the test says so on standard error and is to return early (a loud skip); under `CI=true` the
/// test fails instead, so CI never counts as passed a test that did not run.
pub fn available(what: &str, present: bool) -> bool {
    if !present {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
        assert!(!ci, "CI=true and this test needs {what}, which is missing");
        eprintln!("SKIPPED: this test needs {what}, which is missing here");
    }
    present
}

/// A FIFO named `name` in `dir` (mkfifo(3): no tool needed).
#[cfg(unix)]
pub fn make_fifo(dir: &Path, name: &str) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let path = dir.join(name);
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    let made = unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) };
    assert_eq!(
        made,
        0,
        "mkfifo {}: {}",
        path.display(),
        std::io::Error::last_os_error()
    );
    path
}

/// base64url without padding (to build JWTs in tests).
pub fn base64url(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The signature part of every test JWT (`signature-not-checked`, base64url).
pub const JWT_SIGNATURE: &str = "c2lnbmF0dXJlLW5vdC1jaGVja2Vk";

/// A JWT with these claims (JSON object text) and a dummy signature.
pub fn jwt(claims: &str) -> String {
    format!(
        "{}.{}.{JWT_SIGNATURE}",
        base64url(br#"{"alg":"RS256","typ":"JWT"}"#),
        base64url(claims.as_bytes())
    )
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `convert` settings as the command line's defaults give them: `input` read as `from` (or
/// detected), written as `to`, a request, compact.
pub fn convert_settings(
    input: &Path,
    from: Option<xconn::convert::SourceFormat>,
    to: xconn::convert::TargetFormat,
) -> xconn::convert::Settings {
    xconn::convert::Settings {
        input: input.display().to_string(),
        from,
        to: Some(to),
        kind: xconn::body::Kind::Request,
        kind_given: false,
        layout: xconn::body::Layout::Compact,
        delimiter: None,
        types: xconn::convert::TypesMode::Infer,
        overrides: Vec::new(),
        flatten: false,
        nest: false,
        nest_sep: ".".to_string(),
        allow_ragged: false,
        empty_header: None,
        output: None,
    }
}
