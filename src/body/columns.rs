//! A service's column contract: the columns a request carries and what each may hold
//! ([`Column`], [`Kind`]) — inferred from a sample request's values (recursively into nested
//! tables) or stated in a `--columns` file — and the one judge of whether a request keeps it
//! ([`breaches`]). `check` generates requests from it; `serve --sample/--columns` refuses
//! requests that break it.

use super::{Cell, Table};
use crate::json::Value;

/// What values a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Integer,
    Decimal,
    String,
    Boolean,
    /// A nested table with columns of its own.
    Table(Vec<Column>),
    /// Mixed or unknown (only `null` seen): any scalar.
    Any,
}

impl Kind {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Decimal => "decimal",
            Kind::String => "string",
            Kind::Boolean => "boolean",
            Kind::Table(_) => "table",
            Kind::Any => "any",
        }
    }
}

/// One column: its header name and kind. Any column may be `null` in a generated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) kind: Kind,
}

/// The columns of a table, each column's kind what all its values show together ([`kind_of`]).
pub(crate) fn infer(table: &Table) -> Vec<Column> {
    infer_tables(std::slice::from_ref(table))
}

/// The columns of several tables read as one — a nested-table column's tables from every record —
/// so a column is known by every value it holds anywhere: a record whose nested table has no
/// rows says nothing about its columns' kinds. Columns keep the order they first appear in.
fn infer_tables(tables: &[Table]) -> Vec<Column> {
    let mut names: Vec<String> = Vec::new();
    let mut values: Vec<Vec<Value>> = Vec::new();
    for table in tables {
        let slots: Vec<usize> = table
            .keys()
            .into_iter()
            .map(|name| match names.iter().position(|n| *n == name) {
                Some(slot) => slot,
                None => {
                    names.push(name);
                    values.push(Vec::new());
                    names.len() - 1
                }
            })
            .collect();
        for record in table.records() {
            for (&slot, value) in slots.iter().zip(record.items()) {
                values[slot].push(value);
            }
        }
    }
    names
        .into_iter()
        .zip(values)
        .map(|(name, values)| Column {
            name,
            kind: kind_of(&values),
        })
        .collect()
}

/// The kind a column's values show: `null` says nothing (only `null`s: `any`); integers with
/// decimals are decimals; nested tables are read as one table (`[]`, the empty table, adds no
/// column); any other mix is `any`, and so is a column of `[]`s only.
fn kind_of(values: &[Value]) -> Kind {
    let mut kind: Option<Kind> = None;
    let mut tables = Vec::new();
    for value in values {
        let seen = match Cell::of(value) {
            Cell::Null => continue,
            Cell::Bool(_) => Kind::Boolean,
            Cell::Number(text) if text.contains(['.', 'e', 'E']) => Kind::Decimal,
            Cell::Number(_) => Kind::Integer,
            Cell::String(_) => Kind::String,
            Cell::Table(nested) => {
                tables.push(nested);
                Kind::Table(Vec::new())
            }
            Cell::Other(v) if v.is_array() && v.items().next().is_none() => Kind::Table(Vec::new()),
            Cell::Other(_) => Kind::Any,
        };
        kind = Some(match (kind, seen) {
            (None, seen) => seen,
            (Some(before), seen) if before == seen => before,
            (Some(Kind::Integer | Kind::Decimal), Kind::Integer | Kind::Decimal) => Kind::Decimal,
            _ => return Kind::Any,
        });
    }
    match kind {
        None => Kind::Any,
        Some(Kind::Table(_)) if tables.is_empty() => Kind::Any,
        Some(Kind::Table(_)) => Kind::Table(infer_tables(&tables)),
        Some(known) => known,
    }
}

/// A `--columns` file: a JSON object mapping each column name to its kind — `"integer"`,
/// `"decimal"`, `"string"`, `"boolean"`, `"any"`, or an object of the same form for a nested
/// table. Columns keep the file's order. The error names the pointer of what is wrong.
pub(crate) fn parse_columns(text: &str) -> Result<Vec<Column>, String> {
    let doc = crate::json::parse(text).map_err(|e| {
        let before = &text.as_bytes()[..e.offset.min(text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before.len()
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        format!(
            "not JSON: {} at line {line}, column {column}",
            e.kind.message()
        )
    })?;
    columns_of(&doc, "")
}

fn columns_of(doc: &Value, at: &str) -> Result<Vec<Column>, String> {
    if !doc.is_object() {
        return Err(format!(
            "{}: expected an object of column name → kind",
            if at.is_empty() { "/" } else { at }
        ));
    }
    let mut columns: Vec<Column> = Vec::new();
    for (key, value) in doc.members() {
        let name = key.text().into_owned();
        let pointer = format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"));
        if name.is_empty() {
            return Err(format!("{pointer}: a column with an empty name"));
        }
        if columns.iter().any(|c| c.name == name) {
            return Err(format!("{pointer}: column named twice"));
        }
        let kind = match value.as_str().as_deref() {
            Some("integer") => Kind::Integer,
            Some("decimal" | "number") => Kind::Decimal,
            Some("string") => Kind::String,
            Some("boolean") => Kind::Boolean,
            Some("any") => Kind::Any,
            Some(other) => {
                return Err(format!(
                    "{pointer}: unknown kind `{other}` (integer, decimal, string, boolean, any, \
                     or an object for a nested table)"
                ))
            }
            None => Kind::Table(columns_of(&value, &pointer)?),
        };
        columns.push(Column { name, kind });
    }
    if columns.is_empty() {
        return Err(format!(
            "{}: no columns (a table needs at least one)",
            if at.is_empty() { "/" } else { at }
        ));
    }
    Ok(columns)
}

/// The sample's columns with the kinds a `--columns` file states put over them (by name); a
/// column only in the file is added at the end.
pub(crate) fn overlay(mut inferred: Vec<Column>, stated: Vec<Column>) -> Vec<Column> {
    for column in stated {
        match inferred.iter_mut().find(|c| c.name == column.name) {
            Some(known) => known.kind = column.kind,
            None => inferred.push(column),
        }
    }
    inferred
}

/// The columns of a service: a sample request's (inferred), with a `--columns` file's kinds put
/// over them; `None` when neither gives a column (or the sample is no request body).
pub(crate) fn contract_of(
    sample: Option<&[u8]>,
    stated: Option<Vec<Column>>,
) -> Option<Vec<Column>> {
    let inferred = sample.and_then(|bytes| {
        let text = crate::text::utf8(bytes).ok()?;
        let root = crate::json::parse(text).ok()?;
        let table = super::Body::view(&root, Some(super::Kind::Request))?.records()?;
        Some(infer(&table))
    });
    match (inferred, stated) {
        (None, None) => None,
        (Some(cols), None) | (None, Some(cols)) => Some(cols),
        (Some(inferred), Some(stated)) => Some(overlay(inferred, stated)),
    }
    .filter(|cols| !cols.is_empty())
}

/// One way a request breaks the contract: where (a JSON Pointer) and what, for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Breach {
    pub(crate) pointer: String,
    pub(crate) message: String,
}

/// Every way the table `inputs` (at `pointer`) breaks `columns`, at most `limit` of them: a
/// column of the contract the header lacks, a header column the contract does not know, the
/// columns in another order than the contract's (Spark sends its columns in one order, and the
/// service's OpenAPI document — `xconn schema openapi` — holds requests to it), and each value its
/// column's kind does not admit ([`Kind::admits`]; `null` fits every kind). A nested table is
/// judged the same way, except that its header may leave columns out and come in any order (the
/// sample's nested tables need not all carry every column). Linear in the request's size.
pub(crate) fn breaches(
    columns: &[Column],
    inputs: &Table,
    pointer: &str,
    limit: usize,
) -> Vec<Breach> {
    let mut found = Breaches {
        list: Vec::new(),
        limit,
    };
    table_breaches(columns, inputs, pointer, Level::Inputs, &mut found);
    found.list
}

/// How the request `body` (a valid request's bytes) breaks `columns`, at most `limit` breaches;
/// none when it is no request body to judge.
pub(crate) fn body_breaches(body: &[u8], columns: &[Column], limit: usize) -> Vec<Breach> {
    let judged = || {
        let root = crate::json::parse(crate::text::utf8(body).ok()?).ok()?;
        let inputs = super::Body::view(&root, Some(super::Kind::Request))?.records()?;
        Some(breaches(columns, &inputs, "/inputs", limit))
    };
    judged().unwrap_or_default()
}

/// Where a table sits: `inputs` (every column, in order) or a nested table (any subset, any
/// order).
#[derive(Clone, Copy, PartialEq)]
enum Level {
    Inputs,
    Nested,
}

/// The breaches found so far, up to `limit` (nothing is formatted past it).
struct Breaches {
    list: Vec<Breach>,
    limit: usize,
}

impl Breaches {
    fn full(&self) -> bool {
        self.list.len() >= self.limit
    }

    fn push(&mut self, pointer: &str, message: impl FnOnce() -> String) {
        if !self.full() {
            self.list.push(Breach {
                pointer: pointer.to_string(),
                message: message(),
            });
        }
    }
}

fn table_breaches(columns: &[Column], table: &Table, at: &str, level: Level, found: &mut Breaches) {
    let keys = table.keys();
    let header_at = format!("{at}/0");
    let by_name: std::collections::HashMap<&str, &Column> =
        columns.iter().map(|c| (c.name.as_str(), c)).collect();
    let in_header: std::collections::HashSet<&str> = keys.iter().map(String::as_str).collect();
    if level == Level::Inputs {
        for column in columns
            .iter()
            .filter(|c| !in_header.contains(c.name.as_str()))
        {
            found.push(&header_at, || {
                format!(
                    "no column `{}`: the service reads {}",
                    column.name,
                    names(columns)
                )
            });
        }
    }
    for key in keys.iter().filter(|k| !by_name.contains_key(k.as_str())) {
        found.push(&header_at, || {
            format!(
                "column `{key}` is not one of the service's columns ({})",
                names(columns)
            )
        });
    }
    let same_set =
        keys.len() == columns.len() && keys.iter().all(|k| by_name.contains_key(k.as_str()));
    if level == Level::Inputs && same_set && keys.iter().zip(columns).any(|(k, c)| *k != c.name) {
        found.push(&header_at, || {
            format!(
                "the columns come in another order: the service reads {}",
                names(columns)
            )
        });
    }
    let kinds: Vec<Option<&Column>> = keys
        .iter()
        .map(|k| by_name.get(k.as_str()).copied())
        .collect();
    let row_word = match level {
        Level::Inputs => "record",
        Level::Nested => "row",
    };
    for (i, record) in table.records().enumerate() {
        for (j, (value, column)) in record.items().zip(&kinds).enumerate() {
            if found.full() {
                return;
            }
            let Some(column) = column else { continue };
            let pointer = format!("{at}/{}/{j}", i + 1);
            match column.kind.admits(&value) {
                Admits::Yes => {}
                Admits::No(got) => found.push(&pointer, || {
                    format!(
                        "`{}` of {row_word} {}: expected {}, got {got}",
                        column.name,
                        i + 1,
                        column.kind.described()
                    )
                }),
                Admits::Nested(nested, Some(inner)) => {
                    table_breaches(nested, &inner, &pointer, Level::Nested, found)
                }
                Admits::Nested(_, None) => {}
            }
        }
    }
}

/// The contract's column names for a message: the first ten, then how many more.
fn names(columns: &[Column]) -> String {
    const SHOWN: usize = 10;
    let mut listed: Vec<String> = columns
        .iter()
        .take(SHOWN)
        .map(|c| format!("`{}`", c.name))
        .collect();
    if columns.len() > SHOWN {
        listed.push(format!("and {} more", columns.len() - SHOWN));
    }
    listed.join(", ")
}

/// Whether the JSON number `text` has a whole value (its digits after the point, once the
/// exponent has moved it, are all `0`): exact, whatever the number's size.
fn integral(text: &str) -> bool {
    let unsigned = text.trim_start_matches('-');
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], &unsigned[at + 1..]),
        None => (unsigned, "0"),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let Ok(exponent) = exponent.trim_start_matches('+').parse::<i64>() else {
        // An exponent past i64: a positive one moves every digit before the point; a negative
        // one leaves a fraction unless the mantissa is zero.
        return !exponent.starts_with('-') || mantissa.bytes().all(|b| b == b'0' || b == b'.');
    };
    let digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
    let point = whole.len() as i64 + exponent;
    let after_point = usize::try_from(point.max(0)).unwrap_or(usize::MAX);
    digits.iter().skip(after_point).all(|&d| d == b'0')
}

/// Whether a kind admits a value.
pub(crate) enum Admits<'k, 'a> {
    Yes,
    /// No: what the value is instead.
    No(&'static str),
    /// A nested table of these columns: judged row by row (`None`: the empty table `[]`).
    Nested(&'k [Column], Option<Table<'a>>),
}

impl Kind {
    /// Whether a value fits this kind: `null` fits any; an integer is a number whose value is
    /// whole, as JSON Schema's `integer` (`-0`, `18446744073709551616`, `1.0`, `1E2`, `2.50e1`;
    /// not `1.5`, `1e-1`), a decimal any number;
    /// a table is a nested table (or `[]`, the empty table) whose rows are judged by its own
    /// columns; `any` takes every value.
    pub(crate) fn admits<'k, 'a>(&'k self, value: &Value<'a>) -> Admits<'k, 'a> {
        let cell = Cell::of(value);
        let fits = match (self, &cell) {
            (Kind::Any, _) | (_, Cell::Null) => true,
            (Kind::Integer, Cell::Number(text)) => integral(text),
            (Kind::Decimal, Cell::Number(_)) => true,
            (Kind::String, Cell::String(_)) => true,
            (Kind::Boolean, Cell::Bool(_)) => true,
            (Kind::Table(columns), Cell::Table(table)) => {
                return Admits::Nested(columns, Some(*table))
            }
            (Kind::Table(columns), Cell::Other(v))
                if v.is_array() && v.items().next().is_none() =>
            {
                return Admits::Nested(columns, None)
            }
            _ => false,
        };
        if fits {
            return Admits::Yes;
        }
        Admits::No(match cell {
            Cell::Null => "null",
            Cell::Bool(_) => "a boolean",
            Cell::Number(text) if text.contains(['.', 'e', 'E']) => "a decimal",
            Cell::Number(_) => "an integer",
            Cell::String(_) => "a string",
            Cell::Table(_) => "a nested table",
            Cell::Other(_) => "an array that is not a table",
        })
    }

    /// The kind with its article, for messages: `an integer`, `a nested table`.
    pub(crate) fn described(&self) -> &'static str {
        match self {
            Kind::Integer => "an integer",
            Kind::Decimal => "a number",
            Kind::String => "a string",
            Kind::Boolean => "a boolean",
            Kind::Table(_) => "a nested table",
            Kind::Any => "any value",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Body;

    fn columns(text: &str) -> Vec<Column> {
        let root = crate::json::parse(text).unwrap();
        infer(&Body::view(&root, None).unwrap().records().unwrap())
    }

    #[test]
    fn kinds_come_from_every_record_and_nested_tables() {
        let cols = columns(
            r#"{"inputs": [["i", "d", "s", "b", "n", "m", "t"],
                [1, 2, "x", true, null, 1, [["k", "v"], ["a", 1]]],
                [3, 2.5, "y", false, null, "z", [["k", "v"], ["b", 1.5e3]]]]}"#,
        );
        let kinds: Vec<&str> = cols.iter().map(|c| c.kind.name()).collect();
        assert_eq!(
            kinds,
            ["integer", "decimal", "string", "boolean", "any", "any", "table"]
        );
        let Kind::Table(nested) = &cols[6].kind else {
            panic!()
        };
        assert_eq!(nested[0].kind, Kind::String);
        assert_eq!(nested[1].kind, Kind::Decimal);
    }

    #[test]
    fn a_columns_file_states_kinds_and_says_where_it_is_wrong() {
        let stated =
            parse_columns(r#"{"a": "integer", "t": {"k": "string"}, "z": "boolean"}"#).unwrap();
        let merged = overlay(columns(r#"{"inputs": [["a", "b"], ["x", 1]]}"#), stated);
        let names: Vec<(&str, &str)> = merged
            .iter()
            .map(|c| (c.name.as_str(), c.kind.name()))
            .collect();
        assert_eq!(
            names,
            [
                ("a", "integer"),
                ("b", "integer"),
                ("t", "table"),
                ("z", "boolean")
            ]
        );
        let err = parse_columns(r#"{"t": {"k": "float"}}"#).unwrap_err();
        assert!(err.starts_with("/t/k: unknown kind `float`"), "{err}");
        assert!(parse_columns("[1]").unwrap_err().starts_with("/:"));
        let dup = parse_columns("{\"a\": \"integer\",\n \"a\": \"string\"}").unwrap_err();
        assert!(dup.contains("at line 2, column 2"), "{dup}");
    }

    fn judged(columns: &str, body: &str) -> Vec<(String, String)> {
        let columns = parse_columns(columns).unwrap();
        let root = crate::json::parse(body).unwrap();
        let inputs = Body::view(&root, None).unwrap().records().unwrap();
        breaches(&columns, &inputs, "/inputs", 100)
            .into_iter()
            .map(|b| (b.pointer, b.message))
            .collect()
    }

    /// A nested table with no rows (or `[]`) in one record says nothing about its columns: the
    /// kinds come from the rows other records hold, at every depth; a column only some nested
    /// tables have is still a column.
    #[test]
    fn nested_kinds_come_from_every_records_rows_together() {
        let cols = columns(
            r#"{"inputs": [["t"],
                [[["k", "n"]]],
                [[["k", "n"], ["a", 1], ["b", null]]],
                [[]],
                [null],
                [[["n", "k", "deep"], [2.5, "c", [["x"], [true]]], [3, "d", [["x"]]]]]]}"#,
        );
        let Kind::Table(nested) = &cols[0].kind else {
            panic!("{cols:?}")
        };
        let kinds: Vec<(&str, &str)> = nested
            .iter()
            .map(|c| (c.name.as_str(), c.kind.name()))
            .collect();
        assert_eq!(
            kinds,
            [("k", "string"), ("n", "decimal"), ("deep", "table")]
        );
        let Kind::Table(deep) = &nested[2].kind else {
            panic!()
        };
        assert_eq!(deep[0].kind, Kind::Boolean);
        // Only `[]`s or `null`s: nothing is known.
        let unknown = columns(r#"{"inputs": [["t", "u"], [[], null], [null, null]]}"#);
        assert_eq!(
            (&unknown[0].kind, &unknown[1].kind),
            (&Kind::Any, &Kind::Any)
        );
        // A table in one record and a string in another: mixed.
        let mixed = columns(r#"{"inputs": [["t"], [[["a"], [1]]], ["x"]]}"#);
        assert_eq!(mixed[0].kind, Kind::Any);
    }

    #[test]
    fn a_request_keeping_the_contract_has_no_breach() {
        let contract = r#"{"i": "integer", "d": "decimal", "s": "string", "b": "boolean",
                           "a": "any", "t": {"k": "string", "n": "integer"}}"#;
        // Nested tables: any order, columns left out, `[]`; whole numbers in integer columns.
        let body = r#"{"inputs": [["i", "d", "s", "b", "a", "t"],
            [-0, 1e3, "", true, [["q"], [1]], [["n", "k"], [1, "x"], [null, null]]],
            [18446744073709551616, 2, "é", false, "z", []],
            [1.0, null, null, null, null, [["k"], ["y"]]],
            [2.50e1, -0.5, " ", true, 1, [["n"], [1E2]]],
            [null, null, null, null, null, null]]}"#;
        assert_eq!(judged(contract, body), []);
    }

    #[test]
    fn every_breach_is_named_where_it_is() {
        let contract = r#"{"i": "integer", "s": "string", "t": {"n": "integer"}}"#;
        let body = r#"{"inputs": [["i", "t", "x"],
            [1.5, [["n"], ["one"]], 1],
            ["2", [["n", "m"], [1, 2]], 1],
            [3, "not a table", 1]]}"#;
        let found = judged(contract, body);
        let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/inputs/0",
                "/inputs/0",
                "/inputs/1/0",
                "/inputs/1/1/1/0",
                "/inputs/2/0",
                "/inputs/2/1/0",
                "/inputs/3/1"
            ],
            "{found:#?}"
        );
        assert!(found[0].1.starts_with("no column `s`"), "{}", found[0].1);
        assert!(
            found[1].1.starts_with("column `x` is not one of"),
            "{}",
            found[1].1
        );
        assert_eq!(
            found[2].1,
            "`i` of record 1: expected an integer, got a decimal"
        );
        assert_eq!(
            found[3].1,
            "`n` of row 1: expected an integer, got a string"
        );
        assert_eq!(
            found[4].1,
            "`i` of record 2: expected an integer, got a string"
        );
        assert!(
            found[5].1.starts_with("column `m` is not one of"),
            "{}",
            found[5].1
        );
        assert_eq!(
            found[6].1,
            "`t` of record 3: expected a nested table, got a string"
        );
        // The same columns in another order: one breach, at the header.
        let moved = judged(contract, r#"{"inputs": [["s", "i", "t"], ["x", 1, null]]}"#);
        assert_eq!(moved.len(), 1, "{moved:?}");
        assert_eq!(
            moved[0].1,
            "the columns come in another order: the service reads `i`, `s`, `t`"
        );
    }

    #[test]
    fn whole_numbers_are_integers_in_any_spelling() {
        for whole in [
            "0",
            "-0",
            "7",
            "1.0",
            "1E2",
            "2.50e1",
            "1e+3",
            "-12.000",
            "0.0e0",
            "123456789012345678901234567890",
            "1.5e1",
            "0e-5",
            "1e99999999999999999999",
        ] {
            assert!(integral(whole), "{whole}");
        }
        for part in [
            "1.5",
            "1e-1",
            "-0.25",
            "12.5e0",
            "1.05e1",
            "5e-99999999999999999999",
        ] {
            assert!(!integral(part), "{part}");
        }
    }

    #[test]
    fn the_limit_bounds_the_breaches_listed() {
        let columns = parse_columns(r#"{"i": "integer"}"#).unwrap();
        let rows: Vec<String> = (0..50).map(|_| r#"["x"]"#.to_string()).collect();
        let body = format!(r#"{{"inputs": [["i"], {}]}}"#, rows.join(","));
        let root = crate::json::parse(&body).unwrap();
        let inputs = Body::view(&root, None).unwrap().records().unwrap();
        assert_eq!(breaches(&columns, &inputs, "/inputs", 7).len(), 7);
    }
}
