//! What the SWAR loops buy (docs/performance.md): each eight-bytes-at-a-time scanner of
//! src/json/ beside the plain byte loop it replaces, driven over the same body the way xconn
//! drives it. Not a cargo target: build and count instructions with
//!
//!     rustc -O --edition 2021 benches/swar/scan.rs -o /tmp/swar-scan
//!     valgrind --tool=callgrind /tmp/swar-scan BODY.json strings swar   # or bytes
//!     valgrind --tool=callgrind /tmp/swar-scan BODY.json skip swar      # or bytes
//!     valgrind --tool=callgrind /tmp/swar-scan BODY.json none -         # the reading, to subtract
//!
//! The SWAR functions are src/json/swar.rs itself (included by path); the byte loops are here.

use std::hint::black_box;

// The SWAR scanners themselves, as xconn compiles them.
#[path = "../../src/json/swar.rs"]
#[allow(dead_code)]
mod swar;

use swar::{next_structural as next_structural_swar, plain_run_end as plain_run_end_swar};

/// What `swar::plain_run_end` would be without SWAR.
#[inline]
fn plain_run_end_bytes(bytes: &[u8], mut pos: usize) -> usize {
    while bytes
        .get(pos)
        .is_some_and(|&b| b != b'"' && b != b'\\' && b >= 0x20)
    {
        pos += 1;
    }
    pos
}

/// What `swar::next_structural` would be without SWAR.
#[inline]
fn next_structural_bytes(bytes: &[u8], mut pos: usize) -> usize {
    while bytes
        .get(pos)
        .is_some_and(|&b| !matches!(b, b'"' | b'[' | b']' | b'{' | b'}'))
    {
        pos += 1;
    }
    pos
}

/// The lexer's way through strings: from each opening quote, plain runs up to the close,
/// stepping over escapes. Returns the number of strings.
fn strings(bytes: &[u8], run: fn(&[u8], usize) -> usize) -> usize {
    let (mut pos, mut n) = (0, 0);
    while let Some(i) = bytes[pos..].iter().position(|&b| b == b'"') {
        pos += i + 1;
        n += 1;
        loop {
            pos = run(bytes, pos);
            match bytes.get(pos) {
                Some(b'\\') => pos += 2,
                Some(_) => {
                    pos += 1;
                    break;
                }
                None => return n,
            }
        }
    }
    n
}

/// `json::value::skip` over the whole document: inside containers only quotes and brackets
/// matter.
fn skip(bytes: &[u8], next: fn(&[u8], usize) -> usize) -> usize {
    let (mut pos, mut depth) = (0usize, 0usize);
    while pos < bytes.len() {
        match bytes[pos] {
            b'"' => {
                pos += 1;
                loop {
                    match bytes[pos..].iter().position(|&b| b == b'"' || b == b'\\') {
                        Some(i) if bytes[pos + i] == b'\\' => pos += i + 2,
                        Some(i) => {
                            pos += i + 1;
                            break;
                        }
                        None => return bytes.len(),
                    }
                }
            }
            b'[' | b'{' => {
                depth += 1;
                pos += 1;
            }
            b']' | b'}' => {
                depth -= 1;
                pos += 1;
                if depth == 0 {
                    return pos;
                }
            }
            _ => pos = next(bytes, pos + 1),
        }
    }
    pos
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).expect("a body");
    let swar = args[3] == "swar";
    let result = match (args[2].as_str(), swar) {
        ("strings", true) => strings(black_box(&bytes), plain_run_end_swar),
        ("strings", false) => strings(black_box(&bytes), plain_run_end_bytes),
        ("skip", true) => skip(black_box(&bytes), next_structural_swar),
        ("skip", false) => skip(black_box(&bytes), next_structural_bytes),
        // Reading the file alone, to subtract.
        _ => black_box(&bytes).len(),
    };
    println!("{result}");
}
