//! Bodies through every renderer: arbitrary bytes are checked by the validator; when they parse
//! and view as a body (valid or not, as `show` renders them), `render::render` draws them as a
//! table (no width, and a width from 0 to 120), markdown, CSV (as to a pipe and to a terminal)
//! and JSON, with or without `--expand` / `--record N`. Nothing may panic; the table and
//! markdown formats (and CSV to a terminal) never let a control character or a bidirectional
//! override through; a table grid is never wider than the width, unless its columns cannot
//! shrink further (the `#` column whole, the others down to 5 columns; README, `show`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use xconn::body::Body;
use xconn::render::{self, Format, Options};
use xconn::text;
use xconn::validate;

fn draw(body: &Body, options: &Options) -> Option<String> {
    let mut out = Vec::new();
    // `--record N` out of range is a usage error, not a panic.
    render::render(&mut out, body, options).ok()?;
    Some(String::from_utf8(out).expect("rendered text is UTF-8"))
}

fn assert_no_controls(what: &str, out: &str) {
    if let Some(c) = out
        .chars()
        .find(|&c| (c.is_control() && c != '\n') || text::is_bidi_control(c))
    {
        panic!("{what}: raw {c:?} in the output:\n{out}");
    }
}

fn is_rule(line: &str) -> bool {
    !line.is_empty() && line.chars().all(|c| c == '─' || c == '┼')
}

/// The narrowest a grid can get: the column widths read off its rule line as drawn with no
/// width limit (`──┼─────┼───`), the `#` column whole and the others at most 5 columns.
fn narrowest(natural_rule: &str) -> usize {
    let runs: Vec<usize> = natural_rule.split('┼').map(|r| r.chars().count()).collect();
    if runs.len() < 2 {
        return runs.iter().sum();
    }
    let last = runs.len() - 1;
    let widths = runs.iter().enumerate().map(|(i, &r)| match i {
        0 => r - 1,
        i if i == last => r - 1,
        _ => r - 2,
    });
    let mut total = 3 * last;
    for (i, w) in widths.enumerate() {
        total += if i == 0 { w } else { w.min(5) };
    }
    total
}

/// Every grid in `fitted` (drawn at `width`) fits, or is as narrow as it can get.
fn assert_fits(fitted: &str, natural: &str, width: usize) {
    let natural_rules: Vec<&str> = natural.lines().filter(|l| is_rule(l)).collect();
    let lines: Vec<&str> = fitted.lines().collect();
    let mut grid = 0;
    for (i, line) in lines.iter().enumerate() {
        if !is_rule(line) {
            continue;
        }
        let natural_rule = natural_rules
            .get(grid)
            .unwrap_or_else(|| panic!("grid {grid} missing when drawn without a width"));
        grid += 1;
        let limit = width.max(narrowest(natural_rule));
        let block = std::iter::once(lines[i - 1]).chain(
            lines[i..]
                .iter()
                .copied()
                .take_while(|l| !l.is_empty() && !l.starts_with('…')),
        );
        for l in block {
            assert!(
                text::width(l) <= limit,
                "a grid line {} columns wide at width {width} (limit {limit}): {l:?}\n{fitted}",
                text::width(l)
            );
        }
    }
    assert_eq!(
        grid,
        natural_rules.len(),
        "not the same grids at width {width}"
    );
}

fuzz_target!(|data: &[u8]| {
    let checked = validate::check_bytes(data, &validate::Options::default()).checked;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(root) = validate::body_root(text, &checked) else {
        return;
    };
    let Some(body) = Body::view(&root, checked.kind) else {
        return;
    };
    let h = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let width = (h % 121) as usize;
    let expand = (h >> 8) % 2 == 1;
    let record = match (h >> 9) % 4 {
        0 => Some(1 + ((h >> 11) % 4) as usize),
        _ => None,
    };
    let options = Options {
        expand,
        record,
        ..Options::default()
    };

    let natural = draw(&body, &options);
    if let Some(natural) = &natural {
        assert_no_controls("table", natural);
    }
    let fitted = draw(
        &body,
        &Options {
            width: Some(width),
            ..options
        },
    );
    if let (Some(natural), Some(fitted)) = (&natural, &fitted) {
        assert_no_controls("table with a width", fitted);
        assert_fits(fitted, natural, width);
    }
    if let Some(md) = draw(
        &body,
        &Options {
            format: Format::Markdown,
            ..options
        },
    ) {
        assert_no_controls("markdown", &md);
    }
    draw(
        &body,
        &Options {
            format: Format::Csv,
            ..options
        },
    );
    if let Some(csv) = draw(
        &body,
        &Options {
            format: Format::Csv,
            terminal: true,
            ..options
        },
    ) {
        assert_no_controls("csv on a terminal", &csv);
    }
    if let Some(json) = draw(
        &body,
        &Options {
            format: Format::Json,
            ..options
        },
    ) {
        // JSON escapes what it must (below U+0020); DEL, C1 controls and bidirectional
        // overrides are text to JSON (the writer stays byte-identical to serde_json's).
        if let Some(c) = json.chars().find(|&c| c < ' ' && c != '\n') {
            panic!("json: raw {c:?} in the output:\n{json}");
        }
        // It parses (a key the body repeats stays repeated: the validator reports it, XC003).
        if let Err(e) = xconn::json::parse(json.trim_end()) {
            assert!(
                e.kind == xconn::json::ErrorKind::DuplicateKey || json.is_empty(),
                "render --format json wrote text that does not parse: {e:?}\n{json}"
            );
        }
    }
});
