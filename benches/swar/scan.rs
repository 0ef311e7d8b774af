//! What the SWAR loops buy (docs/performance.md): each eight-bytes-at-a-time scanner of
//! src/json/ beside the plain byte loop it replaces, driven over the same body the way xconn
//! drives it. Not a cargo target: build and count instructions with
//!
//!     rustc -O --edition 2021 benches/swar/scan.rs -o /tmp/swar-scan
//!     valgrind --tool=callgrind /tmp/swar-scan BODY.json strings swar   # or bytes
//!     valgrind --tool=callgrind /tmp/swar-scan BODY.json skip swar      # or bytes
//!     valgrind --tool=callgrind /tmp/swar-scan BODY.json none -         # the reading, to subtract
//!
//! The SWAR functions are copies of `json::lexer::plain_run_end` and `json::value::next_structural`.

use std::hint::black_box;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

#[inline]
fn plain_run_end_swar(bytes: &[u8], mut pos: usize) -> usize {
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    while let Some(chunk) = bytes.get(pos..pos + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let hits = below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
            | below(word, 0x20);
        if hits != 0 {
            return pos + (hits.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    plain_run_end_bytes(bytes, pos)
}

#[inline]
fn plain_run_end_bytes(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = bytes.get(pos) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        pos += 1;
    }
    pos
}

#[inline]
fn next_structural_swar(bytes: &[u8], mut pos: usize) -> usize {
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    while let Some(chunk) = bytes.get(pos..pos + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let folded = word | (ONES * 0x20);
        let hits = zero(word ^ (ONES * u64::from(b'"')))
            | zero(folded ^ (ONES * u64::from(b'{')))
            | zero(folded ^ (ONES * u64::from(b'}')));
        if hits != 0 {
            return pos + (hits.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    next_structural_bytes(bytes, pos)
}

#[inline]
fn next_structural_bytes(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = bytes.get(pos) {
        if matches!(b, b'"' | b'[' | b']' | b'{' | b'}') {
            break;
        }
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
