//! The shape `check` generates requests from: each column's kind, inferred from the sample's
//! values (recursively into nested tables) or stated in a `--columns` file, and the seeded PRNG
//! every generated body is drawn with.

use crate::body::{Cell, Table};
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

/// The columns of a table whose records are `rows` (cells in header order), each column's kind
/// the merge of what its cells show.
pub(crate) fn infer(table: &Table) -> Vec<Column> {
    let names = table.keys();
    let mut kinds: Vec<Option<Kind>> = vec![None; names.len()];
    for record in table.records() {
        for (slot, value) in kinds.iter_mut().zip(record.items()) {
            if let Some(seen) = kind_of(&value) {
                *slot = Some(match slot.take() {
                    None => seen,
                    Some(before) => merge(before, seen),
                });
            }
        }
    }
    names
        .into_iter()
        .zip(kinds)
        .map(|(name, kind)| Column {
            name,
            kind: kind.unwrap_or(Kind::Any),
        })
        .collect()
}

/// The kind one value shows; `None` for `null` (it says nothing).
fn kind_of(value: &Value) -> Option<Kind> {
    Some(match Cell::of(value) {
        Cell::Null => return None,
        Cell::Bool(_) => Kind::Boolean,
        Cell::Number(text) if text.contains(['.', 'e', 'E']) => Kind::Decimal,
        Cell::Number(_) => Kind::Integer,
        Cell::String(_) => Kind::String,
        Cell::Table(nested) => Kind::Table(infer(&nested)),
        Cell::Other(_) => Kind::Any,
    })
}

/// Two sightings of one column: integers widen to decimals, tables merge by column name, and any
/// other mix is `Any`.
fn merge(a: Kind, b: Kind) -> Kind {
    match (a, b) {
        (a, b) if a == b => a,
        (Kind::Integer, Kind::Decimal) | (Kind::Decimal, Kind::Integer) => Kind::Decimal,
        (Kind::Table(mut a), Kind::Table(b)) => {
            for column in b {
                match a.iter_mut().find(|c| c.name == column.name) {
                    Some(known) => {
                        let kind = std::mem::replace(&mut known.kind, Kind::Any);
                        known.kind = merge(kind, column.kind);
                    }
                    None => a.push(column),
                }
            }
            Kind::Table(a)
        }
        _ => Kind::Any,
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

/// SplitMix64: a tiny, fast, seedable generator. Every generated body is drawn from one of these
/// seeded from the run's seed and the case number, so a case repeats alone and in any order.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// The generator of case `case` of a run seeded `seed`.
    pub(crate) fn for_case(seed: u64, case: usize, stream: u64) -> Rng {
        let mut mix = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        let base = mix.next();
        Rng(base ^ (case as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) % n.max(1) as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `1 / n`.
    pub(crate) fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
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

    #[test]
    fn a_case_generator_depends_only_on_the_seed_and_the_case() {
        let draw = |seed, case| {
            let mut r = Rng::for_case(seed, case, 0);
            (0..4).map(|_| r.next()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7, 3), draw(7, 3));
        assert_ne!(draw(7, 3), draw(7, 4));
        assert_ne!(draw(7, 3), draw(8, 3));
    }
}
