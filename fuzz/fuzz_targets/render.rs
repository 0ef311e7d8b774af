//! Bodies through every renderer: arbitrary bytes are checked by the validator; when they parse
//! and view as a body (valid or not, as `show` renders them), `render::render` draws them as a
//! table (no width, and a width from 0 to 120), markdown, CSV (as to a pipe and to a terminal)
//! and JSON, with or without `--expand` / `--record N`. Nothing may panic; the table and
//! markdown formats (and CSV to a terminal) never let a control character or a bidirectional
//! override through; no line of the table format is wider than the width (at least 1): grids,
//! titles, notes and messages (docs/show.md).
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

/// No line of `fitted` (drawn at `width`) is wider than the width.
fn assert_fits(fitted: &str, width: usize) {
    for line in fitted.lines() {
        assert!(
            text::width(line) <= width.max(1),
            "a line {} columns wide at width {width}: {line:?}\n{fitted}",
            text::width(line)
        );
    }
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
    if let Some(fitted) = &fitted {
        assert_no_controls("table with a width", fitted);
        assert_fits(fitted, width);
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
