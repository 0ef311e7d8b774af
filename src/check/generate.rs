//! Valid requests drawn from the shape: the owned body model `check` generates, shrinks and
//! writes ([`Grid`], [`Gen`]), the production edges each kind draws from, and the record counts
//! a run walks through. Everything comes from a seeded [`Rng`], so a seed repeats a run byte for
//! byte.

use super::shape::{Column, Kind, Rng};
use crate::json::write::push_str;

/// One generated value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Gen {
    Null,
    Bool(bool),
    /// A JSON number, as written.
    Num(String),
    Str(String),
    Table(Grid),
}

/// A table: its header and its records (the body's `inputs`, or a nested table).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grid {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<Gen>>,
}

impl Grid {
    /// `{"inputs":[…]}`, compact.
    pub(crate) fn body(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.rows.len() * 32);
        out.extend_from_slice(b"{\"inputs\":");
        self.write(&mut out);
        out.push(b'}');
        out
    }

    /// The header, then each record, as one JSON array.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        write_header(out, &self.header);
        for row in &self.rows {
            out.push(b',');
            write_row(out, row);
        }
        out.push(b']');
    }

    /// The same header with only the records at `keep`, in that order.
    pub(crate) fn with_rows(&self, keep: &[usize]) -> Grid {
        Grid {
            header: self.header.clone(),
            rows: keep.iter().map(|&i| self.rows[i].clone()).collect(),
        }
    }

    /// The longest string anywhere in it, in characters.
    pub(crate) fn longest_string(&self) -> usize {
        self.rows
            .iter()
            .flatten()
            .map(|cell| match cell {
                Gen::Str(s) => s.chars().count(),
                Gen::Table(t) => t.longest_string(),
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }
}

pub(crate) fn write_header(out: &mut Vec<u8>, header: &[String]) {
    out.push(b'[');
    for (i, name) in header.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_str(out, name);
    }
    out.push(b']');
}

pub(crate) fn write_row(out: &mut Vec<u8>, row: &[Gen]) {
    out.push(b'[');
    for (i, cell) in row.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_cell(out, cell);
    }
    out.push(b']');
}

pub(crate) fn write_cell(out: &mut Vec<u8>, cell: &Gen) {
    match cell {
        Gen::Null => out.extend_from_slice(b"null"),
        Gen::Bool(true) => out.extend_from_slice(b"true"),
        Gen::Bool(false) => out.extend_from_slice(b"false"),
        Gen::Num(text) => out.extend_from_slice(text.as_bytes()),
        Gen::Str(text) => push_str(out, text),
        Gen::Table(grid) => grid.write(out),
    }
}

/// Integers a service meets in production: zero, signs, and both sides of 2^53.
pub(crate) const INTEGER_EDGES: [&str; 9] = [
    "0",
    "-1",
    "1",
    "-2147483649",
    "9007199254740991",
    "9007199254740993",
    "-9007199254740993",
    "18446744073709551616",
    "-0",
];

/// Decimals: long expansions, exponent forms, tiny and huge.
pub(crate) const DECIMAL_EDGES: [&str; 10] = [
    "0.0",
    "-0.5",
    "3.14159265358979323846264338327950288419716939937510",
    "0.1000000000000000055511151231257827",
    "1e3",
    "1.5E-7",
    "-2.5e+10",
    "1e308",
    "4.9e-324",
    "123456789012345678901234567890.5",
];

/// Strings: empty, whitespace only, combining marks, right-to-left, emoji (with joiners), CJK,
/// control characters (escaped when written), quotes and backslashes; a very long one is drawn
/// apart ([`long_string`]).
pub(crate) const STRING_EDGES: [&str; 12] = [
    "",
    "   ",
    " \t\n ",
    "e\u{301}le\u{300}ve cafe\u{301}",
    "שלום עולם",
    "مرحبا بالعالم",
    "🚀 👩‍👩‍👧 🇨🇭",
    "東京 北京 서울",
    "\u{0}\u{7}\u{1b}[31m\u{7f}",
    "\"quoted\" \\back\\slash/",
    "\u{202e}txt.exe\u{feff}",
    "Zürich",
];

const WORDS: [&str; 8] = [
    "Ada", "Grace", "Linus", "alpha", "beta", "x", "Paris", "Oslo",
];

/// The long string edge: at least 10,000 characters, mixing ASCII with non-ASCII text.
pub(crate) fn long_string(rng: &mut Rng) -> String {
    let len = rng.range(10_000, 12_000);
    let pieces = ["abcdefghij", "Zürich ", "東京", "🚀"];
    let mut out = String::with_capacity(len * 2);
    let mut count = 0;
    while count < len {
        let piece = rng.pick(&pieces);
        out.push_str(piece);
        count += piece.chars().count();
    }
    out
}

/// How `check` draws records.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Draw {
    /// The most records in one request (`--max-records`).
    pub(crate) max_records: usize,
}

/// The request of case `case`: its record count from [`record_count`], each value drawn for its
/// column's kind.
pub(crate) fn case(columns: &[Column], draw: Draw, rng: &mut Rng, case: usize) -> Grid {
    let records = record_count(case, draw.max_records, rng);
    table(columns, records, rng, 0)
}

/// Records in case `case`: 1, 2, a few hundred and the maximum first, then mostly a few, now and
/// then tens or hundreds, rarely the maximum.
pub(crate) fn record_count(case: usize, max: usize, rng: &mut Rng) -> usize {
    let max = max.max(1);
    let n = match case {
        0 => 1,
        1 => 2,
        2 => rng.range(200, 400),
        3 => max,
        _ => match rng.below(100) {
            0..=59 => rng.range(1, 5),
            60..=89 => rng.range(6, 50),
            90..=97 => rng.range(100, 400),
            _ => max,
        },
    };
    n.min(max)
}

/// A table of `records` records of `columns`, nested `depth` deep.
pub(crate) fn table(columns: &[Column], records: usize, rng: &mut Rng, depth: usize) -> Grid {
    Grid {
        header: columns.iter().map(|c| c.name.clone()).collect(),
        rows: (0..records)
            .map(|_| columns.iter().map(|c| value(&c.kind, rng, depth)).collect())
            .collect(),
    }
}

/// A table of `records` ordinary records: no `null`, no edge, nested tables of one row — the
/// base a negative request breaks in one place only.
pub(crate) fn plain_table(columns: &[Column], records: usize, rng: &mut Rng) -> Grid {
    Grid {
        header: columns.iter().map(|c| c.name.clone()).collect(),
        rows: (0..records)
            .map(|_| columns.iter().map(|c| plain(&c.kind, rng)).collect())
            .collect(),
    }
}

fn plain(kind: &Kind, rng: &mut Rng) -> Gen {
    match kind {
        Kind::Integer | Kind::Any => Gen::Num(rng.range(1, 100).to_string()),
        Kind::Decimal => Gen::Num(format!("{}.5", rng.range(1, 100))),
        Kind::String => Gen::Str(rng.pick(&WORDS).to_string()),
        Kind::Boolean => Gen::Bool(rng.one_in(2)),
        Kind::Table(columns) => Gen::Table(plain_table(columns, 1, rng)),
    }
}

/// One value of `kind`: `null` now and then in any column, an edge often, else an ordinary value.
pub(crate) fn value(kind: &Kind, rng: &mut Rng, depth: usize) -> Gen {
    if rng.one_in(12) {
        return Gen::Null;
    }
    let edge = rng.one_in(2);
    match kind {
        Kind::Integer if edge => Gen::Num(rng.pick(&INTEGER_EDGES).to_string()),
        Kind::Integer => Gen::Num((rng.below(20_001) as i64 - 10_000).to_string()),
        Kind::Decimal if edge => Gen::Num(rng.pick(&DECIMAL_EDGES).to_string()),
        Kind::Decimal => Gen::Num(format!(
            "{}.{:02}",
            rng.below(2001) as i64 - 1000,
            rng.below(100)
        )),
        Kind::String if edge && rng.one_in(STRING_EDGES.len() + 1) => Gen::Str(long_string(rng)),
        Kind::String if edge => Gen::Str(rng.pick(&STRING_EDGES).to_string()),
        Kind::String => Gen::Str(format!("{} {}", rng.pick(&WORDS), rng.below(1000))),
        Kind::Boolean => Gen::Bool(rng.one_in(2)),
        Kind::Table(columns) if depth < 3 => {
            let rows = match rng.below(10) {
                0..=1 => 0,
                2..=4 => 1,
                _ => rng.range(2, 20),
            };
            Gen::Table(table(columns, rows, rng, depth + 1))
        }
        Kind::Table(_) => Gen::Null,
        Kind::Any => {
            let kinds = [Kind::Integer, Kind::Decimal, Kind::String, Kind::Boolean];
            value(rng.pick(&kinds), rng, depth)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate;

    fn columns() -> Vec<Column> {
        let nested = vec![
            Column {
                name: "sku".into(),
                kind: Kind::String,
            },
            Column {
                name: "qty".into(),
                kind: Kind::Integer,
            },
        ];
        vec![
            Column {
                name: "s".into(),
                kind: Kind::String,
            },
            Column {
                name: "d".into(),
                kind: Kind::Decimal,
            },
            Column {
                name: "b".into(),
                kind: Kind::Boolean,
            },
            Column {
                name: "t".into(),
                kind: Kind::Table(nested),
            },
            Column {
                name: "a".into(),
                kind: Kind::Any,
            },
        ]
    }

    /// Every generated body is a valid request with the record count it was drawn with, and
    /// over a run the edges all turn up.
    #[test]
    fn generated_bodies_are_valid_requests_and_reach_the_edges() {
        let columns = columns();
        let draw = Draw { max_records: 1000 };
        let (mut long, mut null, mut empty_table, mut counts) = (false, false, false, Vec::new());
        for n in 0..200 {
            let mut rng = Rng::for_case(42, n, 0);
            let grid = case(&columns, draw, &mut rng, n);
            let body = grid.body();
            let options = validate::Options {
                kind: Some(crate::body::Kind::Request),
                against: None,
            };
            let checked = validate::check_bytes(&body, &options);
            assert!(!checked.checked.has_errors(), "case {n} is not valid");
            assert_eq!(
                breaches(&columns, &body),
                [],
                "case {n} breaks its own columns"
            );
            long |= grid.longest_string() >= 10_000;
            let text = String::from_utf8(body).unwrap();
            null |= text.contains("null");
            empty_table |= text.contains(r#"[["sku","qty"]]"#);
            counts.push(grid.rows.len());
        }
        assert!(long && null && empty_table);
        assert_eq!(&counts[..2], &[1, 2]);
        assert!((200..=400).contains(&counts[2]));
        assert_eq!(counts[3], 1000);
    }

    /// How `body` breaks `columns`, as `serve --columns` judges it.
    fn breaches(columns: &[Column], body: &[u8]) -> Vec<crate::body::columns::Breach> {
        crate::body::columns::body_breaches(body, columns, usize::MAX)
    }

    #[test]
    fn controls_are_escaped_when_written() {
        let grid = Grid {
            header: vec!["s".into()],
            rows: vec![vec![Gen::Str("\u{0}\"".into())]],
        };
        assert_eq!(
            String::from_utf8(grid.body()).unwrap(),
            r#"{"inputs":[["s"],["\u0000\""]]}"#
        );
    }

    /// A `--columns` file (as JSON) of up to `depth` levels of nested tables; names may be empty,
    /// repeated, or hold `/` and `~`, and tables may be empty.
    fn columns_text(depth: u32) -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let name = prop::sample::select(vec!["", "a", "b", "x/y", "~", "é", " "]);
        let kind = prop::sample::select(vec!["integer", "decimal", "string", "boolean", "any"])
            .prop_map(|k| serde_json::Value::String(k.to_string()));
        kind.prop_recursive(depth, 16, 4, move |inner| {
            prop::collection::vec((name.clone(), inner), 0..4).prop_map(|members| {
                serde_json::Value::Object(
                    members
                        .into_iter()
                        .map(|(n, v)| (n.to_string(), v))
                        .collect(),
                )
            })
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Whatever `--columns` file is accepted, every case generated from it (with the
        /// columns overlaid on a sample's) is a valid request.
        #[test]
        fn every_case_from_accepted_columns_is_a_valid_request(
            text in columns_text(3),
            seed in 0u64..1000,
            overlay in proptest::bool::ANY,
        ) {
            let Ok(stated) = crate::body::columns::parse_columns(&text.to_string()) else {
                return Ok(());
            };
            let columns = if overlay {
                crate::body::columns::overlay(columns(), stated)
            } else {
                stated
            };
            let options = validate::Options {
                kind: Some(crate::body::Kind::Request),
                against: None,
            };
            for n in 0..6 {
                let mut rng = Rng::for_case(seed, n, 0);
                let grid = case(&columns, Draw { max_records: 20 }, &mut rng, n);
                let body = grid.body();
                let checked = validate::check_bytes(&body, &options);
                proptest::prop_assert!(
                    !checked.checked.has_errors(),
                    "{text}: case {n} is not valid: {}",
                    String::from_utf8_lossy(&body)
                );
                // What `check` generates, `serve --columns` with the same file accepts.
                let broken = breaches(&columns, &body);
                proptest::prop_assert!(broken.is_empty(), "{text}: case {n}: {broken:?}");
            }
        }
    }
}
