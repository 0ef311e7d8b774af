//! `-o FILE` never destroys what it writes through (one function, `output::write_atomically`,
//! serves every `-o`): a symbolic link is followed and its target replaced atomically while the
//! link stays a link; anything that is not a regular file — a FIFO, `/dev/stdout`, `/dev/fd/N`,
//! `/proc/self/fd/N` — is written in place, never renamed over; a failed run leaves target and
//! link as they were. Covered for `convert -o`, `call -o` and `check -o`.

use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common;
use common::server::{answer_each_record, Server};
use common::Scratch;

const CSV: &str = "id,name\n1,Ann\n2,Bob\n";

/// The body `convert t.csv` prints on standard output (what every `-o` must hold).
fn expected_body(s: &Scratch) -> String {
    let out = s.xconn().args(["convert", "t.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8(out.stdout).unwrap()
}

fn scratch() -> Scratch {
    let s = Scratch::new();
    s.write("t.csv", CSV);
    s
}

fn link(s: &Scratch, target: &str, name: &str) {
    std::os::unix::fs::symlink(target, s.path(name)).unwrap();
}

fn assert_link(s: &Scratch, name: &str, target: &str) {
    let meta = std::fs::symlink_metadata(s.path(name)).unwrap();
    assert!(meta.file_type().is_symlink(), "{name} is no longer a link");
    assert_eq!(std::fs::read_link(s.path(name)).unwrap(), Path::new(target));
}

/// `xconn ARGS…` in the scratch directory with standard output sent into `stdout`.
fn run_into(s: &Scratch, args: &[&str], stdout: File) -> i32 {
    Command::new(env!("CARGO_BIN_EXE_xconn"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent")
        .current_dir(s.dir.path())
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .status()
        .unwrap()
        .code()
        .unwrap()
}

fn no_temp_files(s: &Scratch) {
    let left: Vec<String> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".xconn-"))
        .collect();
    assert!(left.is_empty(), "temp files left behind: {left:?}");
}

#[test]
fn a_link_to_our_own_standard_output_is_written_through_not_replaced() {
    let s = scratch();
    let body = expected_body(&s);
    for target in ["/proc/self/fd/1", "/dev/stdout", "/dev/fd/1"] {
        link(&s, target, "out");
        let f = File::create(s.path("f.txt")).unwrap();
        assert_eq!(run_into(&s, &["convert", "t.csv", "-o", "out"], f), 0);
        assert_eq!(s.read("f.txt"), body, "through a link to {target}");
        assert_link(&s, "out", target);
        std::fs::remove_file(s.path("out")).unwrap();
    }
    no_temp_files(&s);
}

#[test]
fn dev_stdout_and_dev_fd_are_written_through_the_descriptor() {
    let s = scratch();
    let body = expected_body(&s);
    // `/dev/stdout` itself only when not root: were it ever renamed over again, a root run would
    // replace the system's link (the link cases above take the same path).
    let root = unsafe { libc::geteuid() } == 0;
    let paths: &[&str] = if root {
        &["/dev/fd/1", "/proc/self/fd/1"]
    } else {
        &["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]
    };
    for path in paths {
        let f = File::create(s.path("f.txt")).unwrap();
        assert_eq!(run_into(&s, &["convert", "t.csv", "-o", path], f), 0);
        assert_eq!(s.read("f.txt"), body, "-o {path}");
    }
    assert!(std::fs::symlink_metadata("/dev/stdout")
        .unwrap()
        .file_type()
        .is_symlink());
    // Appending (`>> f.txt`) keeps what was there: the descriptor's own mode is used.
    s.write("f.txt", "before\n");
    let f = std::fs::OpenOptions::new()
        .append(true)
        .open(s.path("f.txt"))
        .unwrap();
    assert_eq!(run_into(&s, &["convert", "t.csv", "-o", "/dev/fd/1"], f), 0);
    assert_eq!(s.read("f.txt"), format!("before\n{body}"));
}

#[test]
fn a_link_to_a_file_stays_a_link_and_its_target_is_replaced() {
    let s = scratch();
    let body = expected_body(&s);
    // Relative target, and a chain of two links into a subdirectory.
    s.write("target.json", "old\n");
    std::fs::set_permissions(
        s.path("target.json"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    link(&s, "target.json", "link.json");
    s.xconn()
        .args(["convert", "t.csv", "-o", "link.json"])
        .assert()
        .code(0);
    assert_link(&s, "link.json", "target.json");
    assert_eq!(s.read("target.json"), body);
    let mode = std::fs::metadata(s.path("target.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the target keeps its mode");

    s.write("sub/deep.json", "old\n");
    link(&s, "sub/deep.json", "first.json");
    link(&s, "first.json", "second.json");
    s.xconn()
        .args(["convert", "t.csv", "-o", "second.json"])
        .assert()
        .code(0);
    assert_link(&s, "second.json", "first.json");
    assert_link(&s, "first.json", "sub/deep.json");
    assert_eq!(s.read("sub/deep.json"), body);

    // A dangling link: its target is created, the link stays.
    link(&s, "sub/new.json", "dangling.json");
    s.xconn()
        .args(["convert", "t.csv", "-o", "dangling.json"])
        .assert()
        .code(0);
    assert_link(&s, "dangling.json", "sub/new.json");
    assert_eq!(s.read("sub/new.json"), body);
    no_temp_files(&s);
}

#[test]
fn a_failed_run_leaves_the_link_and_its_target_as_they_were() {
    let s = scratch();
    s.write("bad.csv", "a,b\n1,2,3\n");
    s.write("target.json", "old\n");
    link(&s, "target.json", "link.json");
    let out = s
        .xconn()
        .args(["convert", "bad.csv", "-o", "link.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_link(&s, "link.json", "target.json");
    assert_eq!(s.read("target.json"), "old\n");
    no_temp_files(&s);
}

#[test]
fn links_in_a_loop_are_an_error_not_a_hang() {
    let s = scratch();
    link(&s, "b.json", "a.json");
    link(&s, "a.json", "b.json");
    let out = s
        .xconn()
        .args(["convert", "t.csv", "-o", "a.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("xconn: error: cannot write a.json") && stderr.contains("links"),
        "{stderr}"
    );
    assert_link(&s, "a.json", "b.json");
}

#[test]
fn a_fifo_is_written_in_place() {
    let s = scratch();
    let body = expected_body(&s);
    let fifo = common::make_fifo(s.dir.path(), "pipe");
    let reader = std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap());
    s.xconn()
        .args(["convert", "t.csv", "-o", "pipe"])
        .assert()
        .code(0);
    assert_eq!(reader.join().unwrap(), body);
    let meta = std::fs::symlink_metadata(s.path("pipe")).unwrap();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()));
}

/// `call -o` and `check -o` go through the same function: a link stays a link.
#[test]
fn call_and_check_write_through_links_too() {
    let s = scratch();
    s.write("body.json", r#"{"inputs": [["a"], [1], [2]]}"#);
    let server = Server::start(|_, request| answer_each_record(request));
    s.write("answer.json", "old\n");
    link(&s, "answer.json", "answer-link.json");
    s.xconn()
        .env("XCONN_TOKEN", "t0k3n-for-output-files")
        .args([
            "call",
            &server.url("/"),
            "body.json",
            "-o",
            "answer-link.json",
        ])
        .assert()
        .code(0);
    assert_link(&s, "answer-link.json", "answer.json");
    assert!(s.read("answer.json").contains("\"outputs\""));

    s.write("card.json", "old\n");
    link(&s, "card.json", "card-link.json");
    let out = s
        .xconn()
        .env("XCONN_TOKEN", "t0k3n-for-output-files")
        .args([
            "check",
            &server.url("/"),
            "--sample",
            "body.json",
            "--format",
            "json",
            "-o",
            "card-link.json",
        ])
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    assert_link(&s, "card-link.json", "card.json");
    assert!(
        s.read("card.json").contains("\"probes\""),
        "{}",
        s.read("card.json")
    );
    no_temp_files(&s);
}
