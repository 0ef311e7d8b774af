//! `xconn completions`: the checked-in scripts under `completions/` match what the binary prints.

use crate::common;

use common::xconn;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "xconn.bash"),
    ("zsh", "_xconn"),
    ("fish", "xconn.fish"),
    ("powershell", "_xconn.ps1"),
    ("elvish", "xconn.elv"),
];

#[test]
fn checked_in_completions_match_the_binary() {
    for (shell, file) in SHELLS {
        let output = xconn().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "completions {shell} failed");
        let printed = String::from_utf8(output.stdout).unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("completions")
            .join(file);
        let checked_in =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            printed,
            checked_in,
            "completions/{file} is stale: regenerate with `xconn completions {shell} > completions/{file}`"
        );
    }
}

#[test]
fn completions_name_every_subcommand() {
    let output = xconn().args(["completions", "bash"]).output().unwrap();
    let script = String::from_utf8(output.stdout).unwrap();
    for sub in [
        "convert",
        "validate",
        "schema",
        "show",
        "completions",
        "call",
        "token",
        "check",
        "serve",
    ] {
        assert!(script.contains(sub), "bash completions lack {sub}");
    }
}

#[test]
fn checked_in_man_page_matches_the_binary() {
    let output = xconn().arg("man").output().unwrap();
    assert!(output.status.success(), "xconn man failed");
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(
        printed.starts_with(".ie \\n(.g .ds Aq"),
        "not roff: {printed:.80}"
    );
    for command in [
        "XCONN CONVERT",
        "XCONN CALL",
        "XCONN CHECK",
        "\\-\\-batch\\-size",
    ] {
        assert!(printed.contains(command), "the man page lacks {command}");
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/xconn.1");
    let checked_in =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        printed, checked_in,
        "completions/xconn.1 is stale: regenerate with scripts/gen-completions"
    );
}

#[test]
fn unknown_shell_is_a_usage_error() {
    xconn().args(["completions", "tcsh"]).assert().code(2);
}
