//! The metamorphic properties `check` holds a service to — they need no knowledge of its logic:
//! *determinism* (the same body twice, the same answers), *batch independence* (record i in a
//! batch answers as it does alone) and *order independence* (reversing the records reverses the
//! answers). Answers are compared per record — `outputs` row, `warnings` entry, `errors` entry —
//! after blanking the values `--ignore POINTER` names (`*` for any index).

use super::cases::Sender;
use super::generate::Grid;
use super::judge::{broken, Broken};

/// The properties, by the names `--skip` takes.
pub(crate) const PROPERTIES: [&str; 3] =
    ["determinism", "batch-independence", "order-independence"];

/// `--ignore` pointers, split into tokens (`*` any index or key).
#[derive(Debug, Clone, Default)]
pub(crate) struct Ignore(Vec<Vec<String>>);

impl Ignore {
    /// The pointers, each an RFC 6901 JSON Pointer (`/outputs/*/3`); the error names a bad one.
    pub(crate) fn parse(pointers: &[String]) -> Result<Ignore, String> {
        let mut out = Vec::new();
        for p in pointers {
            let Some(rest) = p.strip_prefix('/') else {
                return Err(format!(
                    "--ignore {p}: not a JSON Pointer (it starts with `/`, e.g. /outputs/*/2)"
                ));
            };
            out.push(
                rest.split('/')
                    .map(|t| t.replace("~1", "/").replace("~0", "~"))
                    .collect(),
            );
        }
        Ok(Ignore(out))
    }

    fn blank(&self, doc: &mut serde_json::Value) {
        for tokens in &self.0 {
            blank_at(doc, tokens);
        }
    }
}

fn blank_at(value: &mut serde_json::Value, tokens: &[String]) {
    let Some((first, rest)) = tokens.split_first() else {
        *value = serde_json::Value::Null;
        return;
    };
    let children: Vec<&mut serde_json::Value> = match (value, first.as_str()) {
        (serde_json::Value::Array(items), "*") => items.iter_mut().collect(),
        (serde_json::Value::Object(map), "*") => map.values_mut().collect(),
        (serde_json::Value::Array(items), index) => index
            .parse::<usize>()
            .ok()
            .and_then(|i| items.get_mut(i))
            .into_iter()
            .collect(),
        (serde_json::Value::Object(map), key) => map.get_mut(key).into_iter().collect(),
        _ => Vec::new(),
    };
    for child in children {
        blank_at(child, rest);
    }
}

/// Each record's answer — `[outputs row, warnings entry, errors entry]` — of a valid response
/// body, after `ignore` blanked what it names. The row is read through the output header as
/// header → value, so columns answered in another order (the rows in the same order) compare
/// equal, and a header whose names change meaning does not. The header itself is never blanked.
pub(crate) fn answers(body: &[u8], ignore: &Ignore) -> Vec<serde_json::Value> {
    let text = crate::text::utf8(crate::source::without_bom(body)).unwrap_or("");
    let mut doc = crate::json::parse(text)
        .map(|v| v.to_serde())
        .unwrap_or_default();
    let header = doc["outputs"].get(0).cloned();
    ignore.blank(&mut doc);
    let at = |key: &str, i: usize| doc[key].get(i).cloned().unwrap_or_default();
    let records = doc["errors"].as_array().map_or(0, Vec::len);
    (0..records)
        .map(|i| {
            let row = by_name(header.as_ref(), at("outputs", i + 1));
            serde_json::json!([row, at("warnings", i), at("errors", i)])
        })
        .collect()
}

/// `row` as an object of header name → value, or as is when the header has no distinct names
/// for each of its values.
fn by_name(header: Option<&serde_json::Value>, row: serde_json::Value) -> serde_json::Value {
    let (Some(names), Some(values)) = (header.and_then(|h| h.as_array()), row.as_array()) else {
        return row;
    };
    let mut map = serde_json::Map::new();
    for (name, value) in names.iter().zip(values) {
        let Some(name) = name.as_str() else {
            return row;
        };
        map.insert(name.to_string(), value.clone());
    }
    if map.len() != values.len() || names.len() != values.len() {
        return row;
    }
    serde_json::Value::Object(map)
}

/// The first record whose answer differs, said for people (values cut to 120 characters).
fn differ(what: &str, pairs: &[(usize, &serde_json::Value, &serde_json::Value)]) -> Option<String> {
    let cut = |v: &serde_json::Value| {
        let text = v.to_string();
        match text.char_indices().nth(120) {
            Some((i, _)) => format!("{}…", &text[..i]),
            None => text,
        }
    };
    pairs
        .iter()
        .find(|(_, a, b)| a != b)
        .map(|(i, a, b)| format!("record {i}: {} then {} {what}", cut(a), cut(b)))
}

/// The bodies a property sends besides the case itself, named for the replay script.
pub(crate) fn derived(property: &str, grid: &Grid) -> Vec<(String, Grid)> {
    let n = grid.rows.len();
    match property {
        "order-independence" if n > 1 => {
            vec![("reversed".into(), grid.with_rows(&reversed(n)))]
        }
        "batch-independence" if n > 1 => alone(n)
            .into_iter()
            .map(|i| (format!("record-{i}-alone"), grid.with_rows(&[i])))
            .collect(),
        "determinism" => vec![("again".into(), grid.clone())],
        _ => Vec::new(),
    }
}

fn reversed(n: usize) -> Vec<usize> {
    (0..n).rev().collect()
}

/// The records batch independence sends alone: the first and the last.
fn alone(n: usize) -> Vec<usize> {
    if n > 1 {
        vec![0, n - 1]
    } else {
        Vec::new()
    }
}

/// Record `i`'s answer, `null` when there is none (a valid answer has one per record).
fn at(answers: &[serde_json::Value], i: usize) -> &serde_json::Value {
    static NONE: serde_json::Value = serde_json::Value::Null;
    answers.get(i).unwrap_or(&NONE)
}

/// Whether `property` applies to a request of `records` records.
pub(crate) fn applies(property: &str, records: usize) -> bool {
    property == "determinism" || records > 1
}

/// Hold `grid`'s answers (`first`, already valid) to `property`: the rule it breaks, if any
/// ([`super::cases::SPENT`] when the run's budget refused or cut a request it needed).
pub(crate) async fn check(
    property: &'static str,
    sender: &Sender<'_>,
    grid: &Grid,
    first: &[serde_json::Value],
) -> Result<(), Broken> {
    let n = grid.rows.len();
    let fail = |why: String| broken(property, why);
    let again = |g: Grid| async move {
        let records = g.rows.len();
        sender
            .valid(&g, records)
            .await
            .map(|r| answers(&r.body, &sender.ignore))
            .map_err(|b| match b.rule {
                // The budget refused or cut it: the property is not checked, not broken.
                super::cases::SPENT => b,
                _ => fail(format!(
                    "the {property} request got no valid answer: {}",
                    b.reason
                )),
            })
    };
    let problem = match property {
        "determinism" => {
            let second = again(grid.clone()).await?;
            let pairs: Vec<_> = (0..n).map(|i| (i, at(first, i), at(&second, i))).collect();
            differ("when the same body was sent again", &pairs)
        }
        "order-independence" => {
            let back = again(grid.with_rows(&reversed(n))).await?;
            let pairs: Vec<_> = (0..n)
                .map(|i| (i, at(first, i), at(&back, n - 1 - i)))
                .collect();
            differ("with the records in reverse order", &pairs)
        }
        _ => {
            let mut found = None;
            for i in alone(n) {
                let single = again(grid.with_rows(&[i])).await?;
                found = differ("when sent alone", &[(i, at(first, i), at(&single, 0))]);
                if found.is_some() {
                    break;
                }
            }
            found
        }
    };
    match problem {
        Some(why) => Err(fail(why)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_pointers_are_blanked_at_any_index() {
        let body = br#"{"outputs":[["y","t"],[1,"10:00"],[2,"10:01"]],"warnings":[null,null],"errors":[null,null],"process_time":[1,2]}"#;
        let ignore = Ignore::parse(&["/outputs/*/1".to_string()]).unwrap();
        let got = answers(body, &ignore);
        assert_eq!(got[0], serde_json::json!([{"y": 1, "t": null}, null, null]));
        assert_eq!(got[1], serde_json::json!([{"y": 2, "t": null}, null, null]));
        let plain = answers(body, &Ignore::default());
        assert_eq!(
            plain[1],
            serde_json::json!([{"y": 2, "t": "10:01"}, null, null])
        );
        assert!(Ignore::parse(&["outputs".to_string()]).is_err());
    }

    #[test]
    fn answers_are_read_through_the_output_header() {
        let body = |outputs: &str| {
            format!(
                r#"{{"outputs":{outputs},"warnings":[null],"errors":[null],"process_time":[1]}}"#
            )
        };
        let plain = answers(body(r#"[["a","b"],[1,2]]"#).as_bytes(), &Ignore::default());
        let swapped = answers(body(r#"[["b","a"],[2,1]]"#).as_bytes(), &Ignore::default());
        let relabelled = answers(body(r#"[["b","a"],[1,2]]"#).as_bytes(), &Ignore::default());
        assert_eq!(plain, swapped);
        assert_ne!(plain, relabelled);
    }

    #[test]
    fn a_difference_names_the_record() {
        let (a, b) = (serde_json::json!([1]), serde_json::json!([2]));
        assert_eq!(
            differ("again", &[(0, &a, &a), (1, &a, &b)]).unwrap(),
            "record 1: [1] then [2] again"
        );
        assert!(differ("again", &[(0, &a, &a)]).is_none());
    }
}
