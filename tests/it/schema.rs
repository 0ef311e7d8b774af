//! `xconn schema`: the printed schemas are valid JSON, compile as draft 2020-12 with no external
//! references, accept the spec's examples and reject what they should.

use crate::common;

use common::{fixture_text, json, xconn};

fn printed(kind: &str) -> serde_json::Value {
    let output = xconn().args(["schema", kind]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    json(&String::from_utf8(output.stdout).unwrap())
}

fn is_valid(schema: &serde_json::Value, fixture: &str) -> bool {
    let validator = xconn::validate::schema::compile(schema).expect("schema compiles");
    validator.is_valid(&json(&fixture_text(fixture)))
}

#[test]
fn request_schema_is_draft_2020_12_json() {
    let schema = printed("request");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(xconn::validate::schema::compile(&schema).is_ok());
}

#[test]
fn response_schema_is_draft_2020_12_json() {
    let schema = printed("response");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(xconn::validate::schema::compile(&schema).is_ok());
}

#[test]
fn printed_schema_is_the_one_the_validator_uses() {
    use xconn::body::Kind;
    for (name, kind) in [("request", Kind::Request), ("response", Kind::Response)] {
        let output = xconn().args(["schema", name]).output().unwrap();
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            xconn::validate::schema::text(kind),
            "{name}"
        );
    }
}

#[test]
fn spec_request_examples_validate_against_the_request_schema() {
    let schema = printed("request");
    for name in [
        "request-example1-single-values.json",
        "request-example2-table-input.json",
        "request-example3-records-with-tables.json",
    ] {
        assert!(is_valid(&schema, name), "{name}");
    }
}

#[test]
fn spec_response_examples_validate_against_the_response_schema() {
    let schema = printed("response");
    for name in [
        "response-example1-success.json",
        "response-example2-with-warnings.json",
        "response-example3-failure.json",
    ] {
        assert!(is_valid(&schema, name), "{name}");
    }
}

#[test]
fn request_schema_rejects_object_values_and_duplicate_keys() {
    let schema = printed("request");
    assert!(!is_valid(
        &schema,
        "validate/XC108-object-value-invalid.json"
    ));
    assert!(!is_valid(
        &schema,
        "validate/XC104-duplicate-column-name-invalid.json"
    ));
    assert!(!is_valid(
        &schema,
        "validate/XC109-array-not-table-invalid.json"
    ));
}

#[test]
fn response_schema_rejects_missing_keys_and_bad_entries() {
    let schema = printed("response");
    assert!(!is_valid(
        &schema,
        "validate/XC110-response-key-missing-invalid.json"
    ));
    assert!(!is_valid(
        &schema,
        "validate/XC113-message-field-invalid.json"
    ));
    assert!(!is_valid(
        &schema,
        "validate/XC115-bad-process-time-invalid.json"
    ));
    assert!(!is_valid(
        &schema,
        "validate/XC106-object-records-invalid.json"
    ));
}

#[test]
fn unknown_schema_kind_is_a_usage_error() {
    xconn().args(["schema", "table"]).assert().code(2);
}

/// The validator's schema pass leaves out the per-record entries its rules found clean (see
/// `validate::scan`): that is only right while the rules check every constraint the schema puts
/// on them. If this fails, the schema changed: check the new constraint in a rule (or keep those
/// entries in the envelope) before updating it.
#[test]
fn the_schema_constrains_entries_only_as_far_as_the_rules_check_them() {
    let schema = printed("response");
    let string_fields = |fields: &[&str]| {
        let properties: serde_json::Map<String, serde_json::Value> = fields
            .iter()
            .map(|f| (f.to_string(), serde_json::json!({ "type": "string" })))
            .collect();
        serde_json::json!({ "type": "object", "required": fields, "properties": properties })
    };
    assert_eq!(
        schema["$defs"]["warning"],
        string_fields(&xconn::body::WARNING_FIELDS)
    );
    assert_eq!(
        schema["$defs"]["error"],
        string_fields(&xconn::body::ERROR_FIELDS)
    );
    for (key, def) in [("warnings", "warning"), ("errors", "error")] {
        let entries = &schema["properties"][key];
        assert_eq!(entries["type"], "array");
        assert_eq!(
            entries["items"],
            serde_json::json!({ "anyOf": [
                { "type": "null" },
                { "type": "array", "items": { "$ref": format!("#/$defs/{def}") } }
            ] }),
            "{key}"
        );
        assert!(entries.get("minItems").is_none() && entries.get("maxItems").is_none());
    }
    assert_eq!(
        schema["properties"]["process_time"]["items"],
        serde_json::json!({ "type": "number", "minimum": 0 })
    );
    let records = &schema["$defs"]["records"];
    assert_eq!(
        records["items"],
        serde_json::json!({ "$ref": "#/$defs/record" })
    );
    assert!(records.get("minItems").is_none() && records.get("maxItems").is_none());
}
