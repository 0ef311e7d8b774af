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

/// `xconn token --format json` of a JWT with these claims: the JSON and standard error.
fn json_of(claims: &str) -> (serde_json::Value, String) {
    let (code, stdout, stderr) = output_of(
        xconn()
            .args(["token", "--format", "json"])
            .env("XCONN_TOKEN", jwt(claims)),
    );
    assert_eq!(code, 0, "{stderr}");
    (common::json(&stdout), stderr)
}

#[test]
fn numeric_dates_are_read_exactly_in_every_json_number_form() {
    let later = unix_now() + 7200;
    for (exp, expires_at, expired) in [
        ("9999999999e-1", "2001-09-09T01:46:39Z", true),
        ("0.1E10", "2001-09-09T01:46:40Z", true),
        ("1.9e9", "2030-03-17T17:46:40Z", false),
        ("19000000000e-1", "2030-03-17T17:46:40Z", false),
        ("1900000000.75", "2030-03-17T17:46:40Z", false),
        ("0", "1970-01-01T00:00:00Z", true),
        ("-0.0", "1970-01-01T00:00:00Z", true),
    ] {
        let (v, stderr) = json_of(&format!(r#"{{"iat": 1.7e9, "exp": {exp}}}"#));
        assert_eq!(v["expires_at"], expires_at, "{exp}");
        assert_eq!(v["expired"], expired, "{exp}");
        assert_eq!(v["issued_at"], "2023-11-14T22:13:20Z", "{exp}");
        assert_eq!(stderr.contains("expired"), expired, "{exp}: {stderr}");
    }
    let (v, stderr) = json_of(&format!(r#"{{"exp": {}.{}e1}}"#, later / 10, later % 10));
    assert_eq!(v["expired"], false, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn time_claims_that_are_no_numeric_date_are_said_to_be_so() {
    for (claims, claim) in [
        (r#"{"exp": "4000000000"}"#, "`exp`"),
        (r#"{"exp": -5}"#, "`exp`"),
        (r#"{"exp": 1e400}"#, "`exp`"),
        (r#"{"exp": 4000000000, "nbf": "2099-01-01"}"#, "`nbf`"),
        (r#"{"exp": 4000000000, "iat": null}"#, "`iat`"),
        (r#"{"exp": 4000000000, "iat": -1}"#, "`iat`"),
    ] {
        let (v, stderr) = json_of(claims);
        assert_eq!(v["jwt"], true, "{claims}");
        assert!(stderr.contains(claim), "{claims}: {stderr}");
        let (code, stdout, stderr) =
            output_of(xconn().arg("token").env("XCONN_TOKEN", jwt(claims)));
        assert_eq!(code, 0);
        assert!(stderr.contains(claim), "{claims}: {stderr}");
        assert!(stdout.contains("JWT from"), "{stdout}");
    }
}

#[test]
fn only_unpadded_base64url_is_a_jwt() {
    let good = jwt(r#"{"sub": "~~~???", "exp": 4000000000}"#);
    let (code, stdout, _) = output_of(xconn().arg("token").env("XCONN_TOKEN", &good));
    assert_eq!(code, 0);
    assert!(stdout.contains("subject:  ~~~???"), "{stdout}");
    let (header, rest) = good.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    assert!(payload.contains('-') && payload.contains('_'), "{payload}");
    for token in [
        format!("{header}.{}.{signature}", payload.replace('-', "+")),
        format!("{header}.{}.{signature}", payload.replace('_', "/")),
        format!("{header}=.{payload}.{signature}"),
        format!("{header}.{payload}=.{signature}"),
        format!("{header}.{payload}.{signature}=="),
        format!("{header}.{payload}.{signature}+"),
    ] {
        let (code, stdout, _) = output_of(xconn().arg("token").env("XCONN_TOKEN", &token));
        assert_eq!(code, 0);
        assert!(stdout.contains("is not a JWT"), "{token}: {stdout}");
    }
}
