//! Property tests over generated bodies (random headers, records, scalars with exact-text numbers,
//! nested tables two levels deep, unicode and control characters):
//! * body → objects → body gives the same body (within README's limits: a nested table keeps
//!   at least one row to carry its header, a body at least one record);
//! * body → CSV (`--nest`) → body gives the same body, within the limits docs/format.md states
//!   for CSV: two columns or more, tables one level deep in columns that hold a table in every
//!   record, no table row that is all `null`, no two consecutive records alike (here a record
//!   number in the first column);
//! * `validate` agrees with the generator: built-valid bodies are valid, and each single targeted
//!   corruption is reported with the right rule at the right pointer;
//! * the table renderer never writes a line wider than `--width` and never a control character.

use std::path::Path;

use proptest::prelude::*;
use xconn::body::Body;
use xconn::convert::{self, Settings, SourceFormat, TargetFormat};
use xconn::validate::{self, Options};

/// A scalar as JSON text: exact-text numbers, booleans, null, strings with anything in them.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        prop::sample::select(vec![
            "0",
            "-0",
            "1.10",
            "1e3",
            "1E-3",
            "-2.5e+2",
            "42",
            "12345678901234567890",
            "0.000001"
        ])
        .prop_map(str::to_string),
        any::<i64>().prop_map(|n| n.to_string()),
        "\\PC{0,12}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        "[\\u{0}-\\u{1f}\"\\\\a-z]{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
    ]
}

/// `count` distinct column names.
fn names(count: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::hash_set("[a-zA-Z_é東][a-zA-Z0-9 _é東]{0,6}", count)
        .prop_map(|set| set.into_iter().collect())
}

fn header_text(names: &[String]) -> String {
    let quoted: Vec<String> = names
        .iter()
        .map(|n| serde_json::to_string(n).unwrap())
        .collect();
    format!("[{}]", quoted.join(","))
}

/// A value: a scalar, or (while `depth` allows) a nested table with at least one row.
fn value(depth: u32) -> BoxedStrategy<String> {
    if depth == 0 {
        return scalar().boxed();
    }
    prop_oneof![
        4 => scalar(),
        1 => (1usize..3).prop_flat_map(move |width| {
            (names(width), prop::collection::vec(prop::collection::vec(value(depth - 1), width), 1..3))
        })
        .prop_map(|(names, rows)| {
            let mut parts = vec![header_text(&names)];
            parts.extend(rows.into_iter().map(|r| format!("[{}]", r.join(","))));
            format!("[{}]", parts.join(","))
        }),
    ]
    .boxed()
}

/// A valid request body: (text, header names, record count).
fn request() -> impl Strategy<Value = (String, Vec<String>, usize)> {
    (1usize..5)
        .prop_flat_map(|width| {
            (
                names(width),
                prop::collection::vec(prop::collection::vec(value(2), width), 1..5),
            )
        })
        .prop_map(|(names, rows)| {
            let mut parts = vec![header_text(&names)];
            let count = rows.len();
            parts.extend(rows.into_iter().map(|r| format!("[{}]", r.join(", "))));
            (
                format!("{{\"inputs\": [{}]}}", parts.join(",\n  ")),
                names,
                count,
            )
        })
}

/// The rows of a table one level deep under `header` (`width` columns) for `--nest`
/// (docs/format.md's CSV limits): 1–3 rows, each row's first value not `null` (a row of nulls
/// does not come back from CSV).
fn flat_table(header: String, width: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            scalar().prop_filter("a row of nulls is dropped", |v| v != "null"),
            prop::collection::vec(scalar(), width - 1),
        ),
        1..4,
    )
    .prop_map(move |rows| {
        let mut parts = vec![header.clone()];
        for (first, rest) in rows {
            let mut values = vec![first];
            values.extend(rest);
            parts.push(format!("[{}]", values.join(",")));
        }
        format!("[{}]", parts.join(","))
    })
}

/// A valid request within the CSV round trip's limits: a record number first, then columns that
/// hold a scalar in every record or a table in every record (one header per column: CSV has one
/// header, so a column's tables come back under the keys of all of them).
fn nestable_request() -> impl Strategy<Value = String> {
    let column = prop_oneof![
        Just(None),
        (1usize..4)
            .prop_flat_map(|width| names(width).prop_map(move |n| Some((header_text(&n), width)))),
    ];
    (prop::collection::vec(column, 1..4))
        .prop_flat_map(|columns| {
            let cells: Vec<BoxedStrategy<String>> = columns
                .iter()
                .map(|column| match column {
                    Some((header, width)) => flat_table(header.clone(), *width).boxed(),
                    None => scalar().boxed(),
                })
                .collect();
            (names(columns.len() + 1), prop::collection::vec(cells, 1..5))
        })
        .prop_map(|(names, rows)| {
            let mut parts = vec![header_text(&names)];
            for (i, row) in rows.into_iter().enumerate() {
                parts.push(format!("[{}, {}]", i + 1, row.join(", ")));
            }
            format!("{{\"inputs\": [{}]}}", parts.join(",\n  "))
        })
}

/// An awkward request for the CSV round trips: few distinct values (so consecutive records
/// often agree outside their tables), columns that hold tables in one record and scalars, nulls
/// or `[]` in another, tables under different headers, header-only tables and all-null rows.
fn awkward_request() -> impl Strategy<Value = String> {
    let scalar = prop::sample::select(vec!["1", "2", "null", "\"x\"", "\"\"", "\"1\""]);
    let row = |width: usize| {
        prop::collection::vec(prop::sample::select(vec!["1", "null", "\"y\""]), width)
            .prop_map(|v| format!("[{}]", v.join(", ")))
    };
    let table = prop_oneof![Just(vec!["a"]), Just(vec!["a", "b"]), Just(vec!["b", "a"])]
        .prop_flat_map(move |keys| {
            let header = format!(
                "[{}]",
                keys.iter()
                    .map(|k| format!("\"{k}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            prop::collection::vec(row(keys.len()), 0..3).prop_map(move |rows| {
                let mut parts = vec![header.clone()];
                parts.extend(rows);
                format!("[{}]", parts.join(", "))
            })
        });
    let cell = prop_oneof![
        3 => scalar.prop_map(str::to_string),
        3 => table,
        1 => Just("[]".to_string()),
    ];
    (1usize..4)
        .prop_flat_map(move |width| {
            prop::collection::vec(prop::collection::vec(cell.clone(), width), 1..5)
                .prop_map(move |rows| (width, rows))
        })
        .prop_map(|(width, rows)| {
            let header: Vec<String> = (0..width).map(|i| format!("\"c{i}\"")).collect();
            let mut parts = vec![format!("[{}]", header.join(", "))];
            for row in rows {
                parts.push(format!("[{}]", row.join(", ")));
            }
            format!("{{\"inputs\": [{}]}}", parts.join(",\n  "))
        })
}

/// The canonical compact text of a JSON document (xconn's own writer: numbers as written).
fn canonical(text: &str) -> String {
    let value = xconn::json::parse(text).unwrap_or_else(|e| panic!("{e:?} in {text}"));
    xconn::json::write::to_compact_string(&value)
}

fn settings(input: &Path, from: Option<SourceFormat>, to: TargetFormat) -> Settings {
    crate::common::convert_settings(input, from, to)
}

fn run_convert(settings: &Settings) -> Result<String, String> {
    let mut out = Vec::new();
    convert::convert(settings, &mut out).map_err(|e| format!("{e:#}"))?;
    Ok(String::from_utf8(out).unwrap())
}

fn errors_of(text: &str) -> Vec<(String, String)> {
    validate::check_bytes(text.as_bytes(), &Options::default())
        .checked
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == xconn::diag::Severity::Error)
        .map(|d| (d.rule.to_string(), d.pointer))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_bodies_are_valid_and_survive_body_to_objects_to_body((text, _, _) in request()) {
        prop_assert_eq!(errors_of(&text), Vec::<(String, String)>::new(), "{}", text);
        let dir = tempfile::tempdir().unwrap();
        let body = dir.path().join("body.json");
        std::fs::write(&body, &text).unwrap();
        let objects = run_convert(&settings(&body, None, TargetFormat::Json)).unwrap();
        let objects_path = dir.path().join("objects.json");
        std::fs::write(&objects_path, &objects).unwrap();
        let back = run_convert(&settings(&objects_path, Some(SourceFormat::Json), TargetFormat::Body))
            .unwrap_or_else(|e| panic!("{e}\nobjects: {objects}\nbody: {text}"));
        prop_assert_eq!(canonical(&back), canonical(&text), "objects: {}", objects);
    }

    #[test]
    fn generated_bodies_survive_body_to_csv_nest_to_body(text in nestable_request()) {
        prop_assert_eq!(errors_of(&text), Vec::<(String, String)>::new(), "{}", text);
        let dir = tempfile::tempdir().unwrap();
        let body = dir.path().join("body.json");
        std::fs::write(&body, &text).unwrap();
        let mut to_csv = settings(&body, None, TargetFormat::Csv);
        to_csv.nest = true;
        let csv = run_convert(&to_csv).unwrap_or_else(|e| panic!("{e}\nbody: {text}"));
        let csv_path = dir.path().join("body.csv");
        std::fs::write(&csv_path, &csv).unwrap();
        let mut back = settings(&csv_path, Some(SourceFormat::Csv), TargetFormat::Body);
        back.nest = true;
        let back = run_convert(&back).unwrap_or_else(|e| panic!("{e}\ncsv: {csv}\nbody: {text}"));
        prop_assert_eq!(canonical(&back), canonical(&text), "csv:\n{}", csv);
    }

    /// body → CSV (with and without `--nest`) → body gives the same body, or the write is
    /// refused (a located error) — never a different body with exit 0, whatever the shapes.
    #[test]
    fn awkward_bodies_come_back_the_same_through_csv_or_are_refused(text in awkward_request()) {
        prop_assume!(errors_of(&text).is_empty());
        let dir = tempfile::tempdir().unwrap();
        let body = dir.path().join("body.json");
        std::fs::write(&body, &text).unwrap();
        for nest in [true, false] {
            let mut to_csv = settings(&body, None, TargetFormat::Csv);
            to_csv.nest = nest;
            let csv = match run_convert(&to_csv) {
                Ok(csv) => csv,
                Err(e) => {
                    prop_assert!(e.contains("body.json:"), "not a located refusal: {}", e);
                    continue;
                }
            };
            let csv_path = dir.path().join("body.csv");
            std::fs::write(&csv_path, &csv).unwrap();
            let mut back = settings(&csv_path, Some(SourceFormat::Csv), TargetFormat::Body);
            back.nest = nest;
            let back = run_convert(&back);
            prop_assert!(back.is_ok(), "written with exit 0 but refused on the way back (nest {}): {:?}\ncsv:\n{}\nbody: {}", nest, back, csv, text);
            let back = back.unwrap();
            prop_assert_eq!(canonical(&back), canonical(&text), "nest {}, csv:\n{}", nest, csv);
        }
    }

    #[test]
    fn each_targeted_corruption_is_reported_with_its_rule_and_pointer(
        (text, names, count) in request(),
        which in 0usize..4,
        pick in any::<prop::sample::Index>(),
    ) {
        let record = pick.index(count);
        let root = xconn::json::parse(&text).unwrap();
        let table = Body::view(&root, None).unwrap().records().unwrap();
        let rec = table.records().nth(record).unwrap();
        let values: Vec<&str> = rec.items().map(|v| v.raw()).collect();
        // Replace this record (by its position: records may be written alike).
        let replaced = |with: &str| {
            let mut broken = text.clone();
            broken.replace_range(rec.offset()..rec.end(), with);
            broken
        };
        let (rule, pointer, broken) = match which {
            // Drop a value: the record is shorter than the header.
            0 => {
                let short = format!("[{}]", values[..values.len() - 1].join(", "));
                ("XC107", format!("/inputs/{}", record + 1), replaced(&short))
            }
            // Duplicate a column name.
            1 if names.len() > 1 => {
                let mut dup = names.clone();
                dup[1] = dup[0].clone();
                let header = table.header.unwrap().raw();
                ("XC104", "/inputs/0/1".to_string(), text.replacen(header, &header_text(&dup), 1))
            }
            // An object as a value.
            2 => {
                let mut v: Vec<String> = values.iter().map(|s| s.to_string()).collect();
                v[0] = "{\"o\": 1}".to_string();
                ("XC108", format!("/inputs/{}/0", record + 1), replaced(&format!("[{}]", v.join(", "))))
            }
            // A record that is an object.
            _ => ("XC105", format!("/inputs/{}", record + 1), replaced("{\"k\": 1}")),
        };
        if broken == text {
            return Ok(()); // the corruption did not apply (e.g. one column only)
        }
        let found = errors_of(&broken);
        prop_assert!(
            found.iter().any(|(r, p)| r == rule && *p == pointer),
            "expected {} at {}, found {:?} in\n{}", rule, pointer, found, broken
        );
    }

    #[test]
    fn the_table_never_exceeds_the_width_nor_lets_a_control_character_through(
        (text, _, _) in request(),
        width in 0usize..120,
        expand in any::<bool>(),
    ) {
        let root = xconn::json::parse(&text).unwrap();
        let body = Body::view(&root, None).unwrap();
        let options = xconn::render::Options {
            format: xconn::render::Format::Table,
            expand,
            record: None,
            width: Some(width),
            color: false,
            terminal: true,
        };
        let mut out = Vec::new();
        xconn::render::render(&mut out, &body, &options).unwrap();
        let out = String::from_utf8(out).unwrap();
        for line in out.lines() {
            prop_assert!(
                !line.chars().any(|c| c.is_control()),
                "control character in {:?}", line
            );
            prop_assert!(
                xconn::text::width(line) <= width.max(1),
                "line of width {} > {}: {:?}", xconn::text::width(line), width, line
            );
        }
    }
}
