//! The scanners of the JSON reader (eight bytes at a time in a `u64`; sixteen and sixty-four
//! with SSE2 on x86-64): the run of plain bytes inside a string ([`plain_run_end`]: the lexer,
//! the string writer), the next quote or bracket inside a container ([`next_structural`]) and a
//! 64-byte block's quotes, backslashes and brackets as bit masks ([`Block`]: `value::skip`). Free of the rest of the crate, so `benches/swar/scan.rs` measures these very
//! functions against the byte loops they replace (docs/performance.md, "What the SWAR loops buy").

/// Where the run of plain string bytes starting at `pos` ends: the first `"`, `\\` or control
/// character (or the end). Sixteen bytes at a time with SSE2 on x86-64 (where every CPU has it),
/// then eight at a time: strings are most of a body's text.
#[inline]
pub(crate) fn plain_run_end(bytes: &[u8], mut pos: usize) -> usize {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    while let Some(chunk) = bytes.get(pos..pos + 16) {
        let stops = plain_stops_16(chunk.try_into().expect("sixteen bytes"));
        if stops != 0 {
            return pos + stops.trailing_zeros() as usize;
        }
        pos += 16;
    }
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Bytes of `x` below `n` (n <= 128) have their high bit set in the result; the lowest one
    // is exact, which is the one taken.
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
    while let Some(&b) = bytes.get(pos) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        pos += 1;
    }
    pos
}

/// A bit per byte of `chunk` (bit `i` for byte `i`) that is `"`, `\\` or a control character.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn plain_stops_16(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: compiled only where the target has SSE2 (every hosted x86-64 target); the load reads
    // the sixteen bytes of `chunk`, unaligned.
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast());
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        // Below 0x20 (unsigned): the byte is its own minimum with 0x1f.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
    }
}

/// The first `"`, `[`, `]`, `{` or `}` at or after `pos` (or the end), eight bytes at a time.
#[inline]
pub(crate) fn next_structural(bytes: &[u8], mut pos: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` that is zero gets its high bit set; the lowest such byte is exact.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    while let Some(chunk) = bytes.get(pos..pos + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        // `[` and `{` differ only in bit 5, as do `]` and `}`.
        let folded = word | (ONES * 0x20);
        let hits = zero(word ^ (ONES * u64::from(b'"')))
            | zero(folded ^ (ONES * u64::from(b'{')))
            | zero(folded ^ (ONES * u64::from(b'}')));
        if hits != 0 {
            return pos + (hits.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while let Some(&b) = bytes.get(pos) {
        if matches!(b, b'"' | b'[' | b']' | b'{' | b'}') {
            break;
        }
        pos += 1;
    }
    pos
}

/// A 64-byte block of text as bit masks (bit `i` for byte `i`): quotes, backslashes, opening
/// brackets (`[` `{`), closing ones (`]` `}`) and commas. With them a container is skipped a block at
/// a time (`value::skip_container`): strings found by a prefix XOR of the quotes, brackets
/// outside strings counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Block {
    pub(crate) quote: u64,
    pub(crate) backslash: u64,
    pub(crate) open: u64,
    pub(crate) close: u64,
    pub(crate) comma: u64,
}

impl Block {
    /// The masks of `chunk`: SSE2 on x86-64, a byte loop elsewhere.
    #[inline]
    pub(crate) fn of(chunk: &[u8; 64]) -> Block {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        {
            let mut block = Block::default();
            for (i, part) in chunk.chunks_exact(16).enumerate() {
                let part = block_masks_16(part.try_into().expect("sixteen bytes"));
                let at = 16 * i;
                block.quote |= u64::from(part[0]) << at;
                block.backslash |= u64::from(part[1]) << at;
                block.open |= u64::from(part[2]) << at;
                block.close |= u64::from(part[3]) << at;
                block.comma |= u64::from(part[4]) << at;
            }
            block
        }
        #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
        Block::bytewise(chunk)
    }

    /// The bytes inside strings (an opening quote up to, not including, its closing one), given
    /// whether the block starts inside one: the quotes' prefix XOR, flipped when it does. Bit 63
    /// says whether the next block starts inside one.
    #[inline]
    pub(crate) fn inside_strings(&self, starts_inside: bool) -> u64 {
        prefix_xor(self.quote) ^ if starts_inside { !0 } else { 0 }
    }

    /// [`Block::of`] one byte at a time (the reference the SSE2 masks are tested against).
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), cfg(test))]
    fn bytewise(chunk: &[u8; 64]) -> Block {
        let mut block = Block::default();
        for (i, &b) in chunk.iter().enumerate() {
            let bit = 1u64 << i;
            match b {
                b'"' => block.quote |= bit,
                b'\\' => block.backslash |= bit,
                b'[' | b'{' => block.open |= bit,
                b']' | b'}' => block.close |= bit,
                b',' => block.comma |= bit,
                _ => {}
            }
        }
        block
    }
}

/// Bit `i` set where bit `i` of `x` or an odd number of the bits below it are set: with `x`
/// the quotes, the bytes from an opening quote up to (not including) its closing one.
#[inline]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Quote, backslash, opening-bracket, closing-bracket and comma masks of sixteen bytes.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn block_masks_16(chunk: &[u8; 16]) -> [u16; 5] {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: compiled only where the target has SSE2 (every hosted x86-64 target); the load reads
    // the sixteen bytes of `chunk`, unaligned.
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast());
        // `[` and `{` differ only in bit 5, as do `]` and `}`.
        let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
        let mask = |x| _mm_movemask_epi8(x) as u16;
        [
            mask(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8))),
            mask(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8))),
            mask(_mm_cmpeq_epi8(folded, _mm_set1_epi8(b'{' as i8))),
            mask(_mm_cmpeq_epi8(folded, _mm_set1_epi8(b'}' as i8))),
            mask(_mm_cmpeq_epi8(v, _mm_set1_epi8(b',' as i8))),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_runs_stop_at_quotes_backslashes_and_controls_at_any_offset() {
        for len in 0..40 {
            for stop in [b'"', b'\\', b'\n', 0x01, 0x1f] {
                let mut bytes = vec![b'a'; len];
                bytes.extend_from_slice("é€".as_bytes());
                let at = bytes.len();
                bytes.push(stop);
                bytes.extend_from_slice(b"xyz\"");
                assert_eq!(plain_run_end(&bytes, 0), at, "len {len} stop {stop}");
            }
            for plain in [0x7f, 0x20, 0x80, 0xff] {
                let bytes = vec![plain; len];
                assert_eq!(plain_run_end(&bytes, 0), len);
            }
        }
    }

    #[test]
    fn block_masks_match_the_byte_loop_for_every_byte_at_every_offset() {
        for b in 0..=255u8 {
            for at in [0, 1, 15, 16, 31, 32, 47, 48, 63] {
                let mut chunk = [b'a'; 64];
                chunk[at] = b;
                chunk[(at + 17) % 64] = b'"';
                assert_eq!(
                    Block::of(&chunk),
                    Block::bytewise(&chunk),
                    "byte {b} at {at}"
                );
            }
        }
    }

    #[test]
    fn prefix_xor_marks_the_bytes_between_quote_pairs() {
        // Quotes at 2 and 5, then 10 open: bits 2..5 and 10.. set.
        let quotes = (1 << 2) | (1 << 5) | (1 << 10);
        let inside = prefix_xor(quotes);
        for i in 0..64 {
            let expected = (2..5).contains(&i) || i >= 10;
            assert_eq!(inside >> i & 1 == 1, expected, "bit {i}");
        }
    }

    #[test]
    fn structural_scan_finds_quotes_and_brackets_at_any_offset() {
        for len in 0..20 {
            for stop in [b'"', b'[', b']', b'{', b'}'] {
                // Bytes that differ from the brackets in bit 5 only must not match.
                let mut bytes = Vec::new();
                bytes.extend(std::iter::repeat_n(b'a', len));
                bytes.extend_from_slice(b";=\x7f");
                bytes.extend_from_slice("é".as_bytes());
                let at = bytes.len();
                bytes.push(stop);
                bytes.extend_from_slice(b"zz");
                assert_eq!(next_structural(&bytes, 0), at, "len {len} stop {stop}");
            }
        }
    }
}
