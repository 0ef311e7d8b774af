//! Bytes from a server as a batch answer: a fixed request of 5 records is split into batches of
//! 1, 2, 3 or 5 records (chosen by the input's length), the fuzzed bytes are the answer of one
//! batch, and the other batches get a valid answer, fail (a transport error) or are never sent.
//! `Merger::answered` must turn an answer that breaks the format into a failure (no panic), and
//! the merged body (`Merger::finish`) must always validate against the request: every record
//! kept, no record lost, the counts consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xconn::batch::{BatchFailure, Merger, Split};
use xconn::body::Kind;
use xconn::validate::{self, Against, Options};

const REQUEST: &str =
    r#"{"inputs": [["a", "b"], [1, "x"], [2, "y"], [3, [["k"], [1]]], [4, null], [5, "z"]]}"#;

/// A valid answer to a batch of `records` records (header `y`, `z`).
fn good_answer(records: usize) -> Vec<u8> {
    let rows: Vec<String> = (0..records).map(|i| format!("[{i}, \"r{i}\"]")).collect();
    let nulls = vec!["null"; records].join(",");
    let times = vec!["1"; records].join(",");
    format!(
        r#"{{"outputs": [["y", "z"]{}{}], "warnings": [{nulls}], "errors": [{nulls}], "process_time": [{times}]}}"#,
        if records > 0 { "," } else { "" },
        rows.join(",")
    )
    .into_bytes()
}

fuzz_target!(|data: &[u8]| {
    let root = xconn::json::parse(REQUEST).unwrap();
    let v = data.len();
    let size = [1, 2, 3, 5][v % 4];
    let split = Split::new(&root, size).expect("a request with records");
    let batches = split.len();
    let fuzzed = (v / 4) % batches;
    let others = (v / 16) % 3;
    let fuzzed_first = (v / 48) % 2 == 0;
    let mut merger = Merger::new(&split);
    let answer_others = |merger: &mut Merger| {
        for batch in (0..batches).filter(|&b| b != fuzzed) {
            match others {
                // Refused only when the fuzzed answer came first under another header.
                0 => {
                    let taken = merger.answered(batch, good_answer(split.range(batch).len()));
                    assert!(
                        taken.is_ok() || fuzzed_first,
                        "a good answer refused: {taken:?}"
                    );
                }
                1 => merger.failed(
                    batch,
                    BatchFailure {
                        error_type: "timeout".to_string(),
                        message: "no answer within 60 s".to_string(),
                    },
                ),
                _ => {} // never sent
            }
        }
    };
    if !fuzzed_first {
        answer_others(&mut merger);
    }
    let taken = merger.answered(fuzzed, data.to_vec());
    if let Err(failure) = &taken {
        assert!(!failure.message.is_empty());
    }
    if fuzzed_first {
        answer_others(&mut merger);
    }
    let merged = merger.finish();
    let validated = validate::check_bytes(
        &merged,
        &Options {
            kind: Some(Kind::Response),
            against: Some(Against {
                name: "request".to_string(),
                records: split.records(),
            }),
        },
    );
    assert!(
        !validated.checked.has_errors(),
        "the merged response does not validate ({}): {:?}\nanswer: {:?}\nmerged: {}",
        if taken.is_ok() {
            "answer taken"
        } else {
            "answer refused"
        },
        validated.checked.diagnostics,
        String::from_utf8_lossy(data),
        String::from_utf8_lossy(&merged)
    );
});
