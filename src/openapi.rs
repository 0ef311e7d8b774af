//! `xconn schema openapi`: an OpenAPI 3.1 document for an XConnector remote service, for tools
//! that speak OpenAPI (Schemathesis, Postman, API gateways). One POST operation with bearer auth;
//! the request and response schemas are the validator's own JSON Schemas (their `$defs` moved to
//! `components/schemas`), or, given a sample, a request schema pinned to the sample's header and
//! column kinds (as `check` infers them).

use serde_json::{json, Map, Value};

use crate::body::columns::{self as shape, Column};
use crate::body::Kind;
use crate::validate::schema;

/// What the document describes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    /// The service URL: its origin becomes the server, its path the operation's path.
    pub(crate) url: Option<crate::http::Url>,
    /// The columns of a sample request (its header and kinds).
    pub(crate) columns: Option<Vec<Column>>,
}

/// The document, as pretty JSON.
pub(crate) fn document(settings: &Settings) -> String {
    let mut schemas = Map::new();
    let request = embed(Kind::Request, "request", &mut schemas);
    let response = embed(Kind::Response, "response", &mut schemas);
    let request = match &settings.columns {
        Some(columns) => sample_request(columns),
        None => request,
    };
    schemas.insert("Request".into(), request);
    schemas.insert("Response".into(), response);
    let (servers, path) = match &settings.url {
        Some(url) => {
            let origin = url.origin().ascii_serialization();
            (json!([{"url": origin}]), url.path().to_string())
        }
        None => (json!([{"url": "/"}]), "/".to_string()),
    };
    let body = |description: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Response"}}}
        })
    };
    let doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "XConnector remote service",
            "version": "1.0.0",
            "description": "A Coherent Spark XConnector remote service: Spark POSTs a table of \
                input records, the service answers one output record, warning list and error \
                list per input record. Written by `xconn schema openapi`.",
        },
        "servers": servers,
        "paths": {
            path: {
                "post": {
                    "operationId": "runXConnector",
                    "summary": "Answer each input record",
                    "security": [{"bearerAuth": []}],
                    "requestBody": {
                        "required": true,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Request"}}}
                    },
                    "responses": {
                        "200": body("One answer per input record, or a request-level failure."),
                        "400": body("The request breaks the format: a request-level failure."),
                        "401": {"description": "No token, or one the service does not accept."},
                        "403": {"description": "The token is not allowed to call the service."},
                        "default": body("Any other failure, as a request-level failure."),
                    }
                }
            }
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
            "schemas": schemas,
        }
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The validator's schema for `kind` with its `$defs` moved into `schemas` as `PREFIX.NAME` and
/// every reference rewritten; the top-level schema, without `$schema` and `$id`, returned.
fn embed(kind: Kind, prefix: &str, schemas: &mut Map<String, Value>) -> Value {
    let mut top: Value = serde_json::from_str(schema::text(kind)).unwrap_or_default();
    let Some(object) = top.as_object_mut() else {
        return Value::Null;
    };
    object.remove("$schema");
    object.remove("$id");
    let defs = object.remove("$defs");
    rewrite_refs(&mut top, prefix);
    if let Some(Value::Object(defs)) = defs {
        for (name, mut def) in defs {
            rewrite_refs(&mut def, prefix);
            schemas.insert(format!("{prefix}.{name}"), def);
        }
    }
    top
}

fn rewrite_refs(value: &mut Value, prefix: &str) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match (key.as_str(), child) {
                    ("$ref", Value::String(target)) => {
                        if let Some(name) = target.strip_prefix("#/$defs/") {
                            *target = format!("#/components/schemas/{prefix}.{name}");
                        }
                    }
                    (_, child) => rewrite_refs(child, prefix),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, prefix)),
        _ => {}
    }
}

/// A request schema for exactly these columns: the header as given, then at least one record of
/// one value per column, each of its column's kind or `null` (no cap on the record count: the
/// format has none). A nested table's header may come in any order, so it is held to its
/// column names (each once), and its rows to one value per column of any of the columns' kinds.
fn sample_request(columns: &[Column]) -> Value {
    let header: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let inputs = json!({
        "type": "array",
        "minItems": 2,
        "prefixItems": [{"const": header}],
        "items": {
            "type": "array",
            "minItems": columns.len(),
            "maxItems": columns.len(),
            "prefixItems": columns.iter().map(|c| value(&c.kind)).collect::<Vec<_>>(),
        }
    });
    json!({
        "description": "A request with the sample's columns.",
        "type": "object",
        "required": ["inputs"],
        "properties": {"inputs": inputs},
    })
}

/// A nested table of `columns`, as `serve --sample` holds one: `[]` (the empty table), or a
/// header of some of the columns (each once, in any order) and rows of a value per header column,
/// each of one of the columns' kinds.
fn nested_table(columns: &[Column]) -> Value {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let kinds: Vec<Value> = columns.iter().map(|c| value(&c.kind)).collect();
    let n = columns.len();
    json!({
        "type": "array",
        "prefixItems": [{
            "type": "array",
            "minItems": 1,
            "maxItems": n,
            "uniqueItems": true,
            "items": {"enum": names},
        }],
        "items": {"type": "array", "minItems": 1, "maxItems": n, "items": {"anyOf": kinds}},
    })
}

fn value(kind: &shape::Kind) -> Value {
    match kind {
        shape::Kind::Integer => json!({"type": ["integer", "null"]}),
        shape::Kind::Decimal => json!({"type": ["number", "null"]}),
        shape::Kind::String => json!({"type": ["string", "null"]}),
        shape::Kind::Boolean => json!({"type": ["boolean", "null"]}),
        shape::Kind::Any => json!({"type": ["null", "boolean", "number", "string", "array"]}),
        shape::Kind::Table(columns) => json!({"anyOf": [{"type": "null"}, nested_table(columns)]}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match v {
                        Value::String(s) if k == "$ref" => out.push(s.clone()),
                        v => refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    /// Every reference in the document points at a schema the document has.
    #[test]
    fn every_reference_resolves() {
        let doc: Value = serde_json::from_str(&document(&Settings::default())).unwrap();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 5);
        for target in found {
            let name = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{target}"));
            assert!(doc["components"]["schemas"][name].is_object(), "{target}");
        }
    }

    #[test]
    fn a_url_and_a_sample_shape_the_operation() {
        let columns = vec![Column {
            name: "amount".into(),
            kind: shape::Kind::Decimal,
        }];
        let settings = Settings {
            url: crate::http::Url::parse("https://svc.example:8443/v1/run").ok(),
            columns: Some(columns),
        };
        let doc: Value = serde_json::from_str(&document(&settings)).unwrap();
        assert_eq!(doc["servers"][0]["url"], "https://svc.example:8443");
        assert!(doc["paths"]["/v1/run"]["post"].is_object());
        let inputs = &doc["components"]["schemas"]["Request"]["properties"]["inputs"];
        assert_eq!(inputs["prefixItems"][0]["const"], json!(["amount"]));
        assert_eq!(
            inputs["items"]["prefixItems"][0]["type"],
            json!(["number", "null"])
        );
    }
}
