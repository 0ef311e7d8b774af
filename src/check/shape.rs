//! The seeded PRNG every generated body of `check` is drawn with, beside the shape it draws
//! from: the column contract ([`Column`], [`Kind`]), which lives with the body model
//! (`crate::body::columns`) because `serve` holds requests to it too.

pub(crate) use crate::body::columns::{Column, Kind};

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
