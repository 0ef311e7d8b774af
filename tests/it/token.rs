//! `xconn token`: the claims of a JWT (text and JSON), an opaque token, no token; never the
//! token or its signature.

use crate::common;

use common::{jwt, unix_now, xconn, JWT_SIGNATURE};

fn claims(exp: i64) -> String {
    format!(
        r#"{{"iss":"https://keycloak.example/auth/realms/acme","aud":["product-factory","account"],"sub":"user-42","azp":"xconn-cli","iat":1700000000,"exp":{exp}}}"#
    )
}

fn output_of(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn jwt_claims_as_text() {
    let token = jwt(&claims(unix_now() + 7200));
    let (code, stdout, stderr) = output_of(xconn().arg("token").env("XCONN_TOKEN", &token));
    assert_eq!(code, 0, "{stderr}");
    for expected in [
        "JWT from $XCONN_TOKEN",
        "issuer:   https://keycloak.example/auth/realms/acme",
        "realm:    acme",
        "audience: product-factory, account",
        "subject:  user-42",
        "client:   xconn-cli",
        "issued:   2023-11-14 22:13:20 UTC",
        "(expires in ",
    ] {
        assert!(stdout.contains(expected), "{expected:?} not in\n{stdout}");
    }
    assert!(
        stdout.contains("in 1h 59m)") || stdout.contains("in 2h 0m)"),
        "{stdout}"
    );
    let both = format!("{stdout}{stderr}");
    assert!(!both.contains(&token) && !both.contains(JWT_SIGNATURE));
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn jwt_claims_as_json_with_an_expiry_warning() {
    let token = jwt(&claims(1_000_000_000));
    let (code, stdout, stderr) = output_of(
        xconn()
            .args(["token", "--format", "json"])
            .env("CSPARK_BEARER_TOKEN", format!("Bearer {token}")),
    );
    assert_eq!(code, 0);
    let v = common::json(&stdout);
    assert_eq!(v["source"], "$CSPARK_BEARER_TOKEN");
    assert_eq!(v["jwt"], true);
    assert_eq!(v["realm"], "acme");
    assert_eq!(v["audience"][1], "account");
    assert_eq!(v["expires_at"], "2001-09-09T01:46:40Z");
    assert_eq!(v["expired"], true);
    assert!(stderr.contains("warning: the token expired"), "{stderr}");
    assert!(!stdout.contains(JWT_SIGNATURE) && !stderr.contains(JWT_SIGNATURE));
}

#[test]
fn an_opaque_token_is_said_to_be_no_jwt() {
    let (code, stdout, _) = output_of(
        xconn()
            .args(["token", "--token-env", "MY_TOKEN"])
            .env("MY_TOKEN", "opaque-s3cr3t-value"),
    );
    assert_eq!(code, 0);
    assert!(
        stdout.contains("from $MY_TOKEN is not a JWT (19 characters)"),
        "{stdout}"
    );
    assert!(!stdout.contains("opaque-s3cr3t-value"));
    let (_, stdout, _) = output_of(
        xconn()
            .args(["token", "--format", "json", "--token-file", "-"])
            .write_stdin("opaque-s3cr3t-value\n"),
    );
    let v = common::json(&stdout);
    assert_eq!(
        (v["jwt"].as_bool(), v["source"].as_str()),
        (Some(false), Some("standard input"))
    );
}

#[test]
fn no_token_and_missing_sources_exit_2() {
    let (code, _, stderr) = output_of(xconn().arg("token"));
    assert_eq!(code, 2);
    assert!(stderr.contains("no token: set XCONN_TOKEN"), "{stderr}");
    let (code, _, stderr) = output_of(xconn().args(["token", "--token-env", "NOPE"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("NOPE is not set"), "{stderr}");
    let (code, _, stderr) = output_of(xconn().args(["token", "--token-file", "/nonexistent/t"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--token-file /nonexistent/t: cannot read"),
        "{stderr}"
    );
}
