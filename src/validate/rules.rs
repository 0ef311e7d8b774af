//! The rule catalog: every diagnostic the validator can produce, with its stable id, severity and
//! a one-line summary. `xconn validate --list-rules`, the table in docs/validate.md (checked against
//! it by a test), SARIF `tool.driver.rules` and the tests read it from here.

use crate::diag::Severity;

/// One rule: stable id, default severity, short name and what it checks.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// PascalCase name (SARIF `name`).
    pub name: &'static str,
    /// What the rule means, in one line (`--list-rules`, docs/validate.md, SARIF `shortDescription`).
    pub summary: &'static str,
}

const fn rule(
    id: &'static str,
    severity: Severity,
    name: &'static str,
    summary: &'static str,
) -> Rule {
    Rule {
        id,
        severity,
        name,
        summary,
    }
}

use Severity::{Error, Warning};

pub const SYNTAX: &str = "XC001";
pub(crate) const TOO_MANY: &str = "XC002";
pub(crate) const DUPLICATE_MEMBER: &str = "XC003";
pub(crate) const SCHEMA: &str = "XC050";
pub(crate) const NOT_A_BODY: &str = "XC100";
pub(crate) const RECORDS_NOT_ARRAY: &str = "XC101";
pub(crate) const BAD_HEADER: &str = "XC102";
pub(crate) const BAD_KEY: &str = "XC103";
pub(crate) const DUPLICATE_KEY: &str = "XC104";
pub(crate) const RECORD_NOT_ARRAY: &str = "XC105";
pub(crate) const OBJECT_RECORDS: &str = "XC106";
pub(crate) const WIDTH: &str = "XC107";
pub(crate) const OBJECT_VALUE: &str = "XC108";
pub(crate) const NOT_A_TABLE: &str = "XC109";
pub(crate) const RESPONSE_KEY: &str = "XC110";
pub(crate) const LENGTHS: &str = "XC111";
pub(crate) const BAD_ENTRY: &str = "XC112";
pub(crate) const MESSAGE_FIELD: &str = "XC113";
pub(crate) const BAD_TIME: &str = "XC115";
pub(crate) const LOW_TIME: &str = "XC116";
pub(crate) const NO_RECORDS: &str = "XC120";
pub(crate) const UNKNOWN_KEY: &str = "XC121";
pub(crate) const AGAINST: &str = "XC130";

/// Every rule, in id order.
pub const RULES: &[Rule] = &[
    rule(SYNTAX, Error, "JsonSyntax", "the file is not valid JSON (line:column of the offending character, with a hint for trailing commas, single quotes, comments, `NaN`; also empty input, invalid UTF-8, a UTF-16 or UTF-32 file, and CSV or NDJSON named as such)"),
    rule(TOO_MANY, Warning, "TooManyProblems", "more than 1,000 problems in one file: the rest are counted, not listed"),
    rule(DUPLICATE_MEMBER, Error, "DuplicateKey", "an object has the same key twice (JSON readers disagree on which value counts)"),
    rule(SCHEMA, Error, "JsonSchema", "the document breaks the JSON Schema (`xconn schema`) in a way no other rule explains more precisely"),
    rule(NOT_A_BODY, Error, "NotABody", "not an XConnector body: the top level is not an object with `inputs` or `outputs`"),
    rule(RECORDS_NOT_ARRAY, Error, "RecordsMissing", "`inputs` / `outputs` is missing or is not an array"),
    rule(BAD_HEADER, Error, "BadHeader", "the first row of a table is not its header: a non-empty array of column names; also a request whose `inputs` is `[]` (Spark always sends the header — `[]` is the empty table only as a nested value, and `outputs: []` stays a request-level failure's)"),
    rule(BAD_KEY, Error, "BadColumnName", "a column name is not a non-empty string"),
    rule(DUPLICATE_KEY, Error, "DuplicateColumnName", "a column name appears twice in one header"),
    rule(RECORD_NOT_ARRAY, Error, "RecordNotArray", "a record (a row after the header, in `inputs`/`outputs` or a nested table) is not an array"),
    rule(OBJECT_RECORDS, Error, "ObjectRecords", "records given as an array of objects (as some Spark SDK mocks return); the message shows the array form to use, e.g. `[[\"name\",\"amount\"], [\"x\",1]]`"),
    rule(WIDTH, Error, "RecordWidth", "a record has more or fewer values than its header has columns (nested tables too)"),
    rule(OBJECT_VALUE, Error, "ObjectValue", "a value is a JSON object: only the JSON-array format is supported"),
    rule(NOT_A_TABLE, Error, "ArrayNotTable", "an array value is not a nested table (`[[keys…], [values…], …]`): its first row is not a header (`[]` is the empty table: no columns, no rows)"),
    rule(RESPONSE_KEY, Error, "ResponseKeyMissing", "a response lacks `warnings`, `errors` or `process_time`, or one is not an array"),
    rule(LENGTHS, Error, "EntryCount", "`warnings`, `errors` or `process_time` does not have one entry per output record (a response without records may hold one request-level entry in each)"),
    rule(BAD_ENTRY, Error, "BadMessageEntry", "a `warnings` or an `errors` entry is not `null` or an array of objects"),
    rule(MESSAGE_FIELD, Error, "MessageField", "a warning lacks `source_path` / `message`, an error lacks one of `error_category`, `error_type`, `additional_details`, `source_path`, `message`, or one of these is not a string"),
    rule(BAD_TIME, Error, "BadProcessTime", "a `process_time` entry is not a number ≥ 0"),
    rule(LOW_TIME, Warning, "LowProcessTime", "a `process_time` entry is below 1 (the spec recommends at least 1 ms)"),
    rule(NO_RECORDS, Warning, "NoRecords", "the body has no records (a header only, or `[]`), except a failure response that reports an error"),
    rule(UNKNOWN_KEY, Warning, "UnknownKey", "an unknown top-level key (a request has only `inputs`; a response `outputs`, `warnings`, `errors`, `process_time`)"),
    rule(AGAINST, Error, "RecordCountMismatch", "`--against REQUEST`: the response's output records differ in number from the request's input records (a request-level failure answers a request of any size)"),
];

/// The rule with this id.
pub(crate) fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}
