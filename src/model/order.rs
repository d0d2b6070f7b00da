//! Ordering a simulation's draws: the sorted values and the ranks (ties averaged) that the
//! percentiles and the rank correlations are made of.
//!
//! A bucket sort on the bits of each value, in the order of [`f64::total_cmp`] (-NaN, -∞,
//! ..., -0, +0, ..., +∞, NaN): the keys spread over buckets of equal width, and each bucket
//! spread again over its own span until its runs are short enough to sort by insertion.
//! Values that `total_cmp` calls equal have the same bits, so the sorted values are
//! exactly those of any correct sort by `total_cmp`; equal keys keep their indices' order,
//! so the ranks (ties averaged, NaNs each at its own place) are those of a stable
//! comparison sort, bit for bit (the simulation sorted every driver's column of draws by
//! comparison, 30 % of its instructions; then by an eight-pass radix sort; then by one
//! spreading pass and a comparison sort of each bucket).

/// The unsigned integer whose order is `total_cmp`'s order of `x`.
fn key(x: f64) -> u64 {
    let bits = x.to_bits() as i64;
    // As `f64::total_cmp`: flip every bit but the sign of a negative value, then compare
    // as signed; flipping the sign bit makes the signed order the unsigned one.
    let signed = bits ^ ((((bits >> 63) as u64) >> 1) as i64);
    (signed as u64) ^ (1 << 63)
}

/// Scratch space for sorting a project's draws, reused across its columns.
#[derive(Debug, Default)]
pub struct Sorter {
    pairs: Vec<(u64, u32)>,
    spare: Vec<(u64, u32)>,
    /// The bucket ends of every level of spreading under way, one level after another.
    ends: Vec<usize>,
}

/// Bits of the key a spreading pass looks at: up to 16,384 buckets (a column of 10,000
/// draws spreads over 16,384, fewer than one pair a bucket).
const BUCKET_BITS: u32 = 14;

/// Runs of at most this many pairs are sorted by insertion rather than spread again.
const SMALL_RUN: usize = 8;

/// The `f64` whose [`key`] is `k` (the inverse of [`key`]).
fn value_of(k: u64) -> f64 {
    let signed = (k ^ (1 << 63)) as i64;
    f64::from_bits((signed ^ ((((signed >> 63) as u64) >> 1) as i64)) as u64)
}

/// Sorts `run` by key, pairs of equal keys kept in the order they came (so in their
/// indices' order when they came so). A run of more than [`SMALL_RUN`] pairs is spread
/// over about one bucket a pair (up to 16,384), of equal width between its smallest and
/// its largest key, in one stable pass through `spare` (of the same length), and each
/// bucket is sorted the same way: a column whose draws crowd a few buckets of the first
/// pass (the NPVs, whose keys span every binade between the largest loss and the largest
/// gain) is spread again over each bucket's own span, never compared pair by pair in long
/// runs.
fn sort_run(run: &mut [(u64, u32)], spare: &mut [(u64, u32)], ends: &mut Vec<usize>) {
    if run.len() <= SMALL_RUN {
        // Insertion by key alone: stable, so equal keys keep the order they came in.
        for i in 1..run.len() {
            let p = run[i];
            let mut j = i;
            while j > 0 && run[j - 1].0 > p.0 {
                run[j] = run[j - 1];
                j -= 1;
            }
            run[j] = p;
        }
        return;
    }
    let (lo, hi) = run
        .iter()
        .fold((u64::MAX, 0), |(lo, hi), &(k, _)| (lo.min(k), hi.max(k)));
    if lo == hi {
        return;
    }
    let span = hi - lo;
    // About one bucket a pair, up to 16,384.
    let bits = (usize::BITS - run.len().leading_zeros()).min(BUCKET_BITS);
    let shift = (u64::BITS - span.leading_zeros()).saturating_sub(bits);
    let buckets = (span >> shift) as usize + 1;
    let bucket = |k: u64| ((k - lo) >> shift) as usize;
    // This level's counts, then where each bucket starts, then (after the spreading pass)
    // where each ends, at `ends[base..base + buckets]`.
    let base = ends.len();
    ends.resize(base + buckets, 0);
    let level = &mut ends[base..];
    for &(k, _) in run.iter() {
        level[bucket(k)] += 1;
    }
    let mut start = 0;
    for slot in level.iter_mut() {
        let count = *slot;
        *slot = start;
        start += count;
    }
    for &pair in run.iter() {
        let b = bucket(pair.0);
        spare[level[b]] = pair;
        level[b] += 1;
    }
    run.copy_from_slice(spare);
    let mut from = 0;
    for b in 0..buckets {
        let to = ends[base + b];
        if to - from > 1 {
            sort_run(&mut run[from..to], &mut spare[from..to], ends);
        }
        from = to;
    }
    ends.truncate(base);
}

impl Sorter {
    /// Sorts `(key, index)` pairs of `values` into `self.pairs` by key, pairs with equal
    /// keys in the order of their indices, as a stable sort keeps them (the averaged ranks
    /// of NaNs, unequal to themselves, depend on it).
    fn sort_pairs(&mut self, values: &[f64]) {
        assert!(
            u32::try_from(values.len()).is_ok(),
            "too many draws to sort"
        );
        self.pairs.clear();
        self.pairs
            .extend(values.iter().enumerate().map(|(i, v)| (key(*v), i as u32)));
        self.spare.clear();
        self.spare.resize(self.pairs.len(), (0, 0));
        sort_run(&mut self.pairs, &mut self.spare, &mut self.ends);
    }

    /// `values` sorted by [`f64::total_cmp`], into `sorted`.
    pub fn sorted_into(&mut self, values: &[f64], sorted: &mut Vec<f64>) {
        self.sort_pairs(values);
        sorted.clear();
        // Each value from its key, in the sorted order: its own bits, read in sequence.
        sorted.extend(self.pairs.iter().map(|&(k, _)| value_of(k)));
    }

    /// Ranks of `values` (1-based, ties averaged: values equal by `==` share the mean of
    /// their positions) into `ranks`, and the values sorted into `sorted`.
    pub fn ranks_into(&mut self, values: &[f64], ranks: &mut Vec<f64>, sorted: &mut Vec<f64>) {
        self.sorted_into(values, sorted);
        ranks.clear();
        ranks.resize(values.len(), 0.0);
        let idx = &self.pairs;
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && sorted[j + 1] == sorted[i] {
                j += 1;
            }
            let avg = (i + j) as f64 / 2.0 + 1.0;
            for &(_, k) in &idx[i..=j] {
                ranks[k as usize] = avg;
            }
            i = j + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The comparison sort and tie averaging the bucket sort replaces.
    fn by_comparison(values: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut idx: Vec<usize> = (0..values.len()).collect();
        idx.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
        let sorted: Vec<f64> = idx.iter().map(|&i| values[i]).collect();
        let mut r = vec![0.0; values.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && sorted[j + 1] == sorted[i] {
                j += 1;
            }
            for &k in &idx[i..=j] {
                r[k] = (i + j) as f64 / 2.0 + 1.0;
            }
            i = j + 1;
        }
        (r, sorted)
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn ranks_by_hand() {
        // 3.0 is the smallest; the two 5.0s share positions 2 and 3; -0.0 and 0.0 are equal.
        let mut s = Sorter::default();
        let (mut r, mut sorted) = (Vec::new(), Vec::new());
        s.ranks_into(&[5.0, 3.0, 5.0, 9.0], &mut r, &mut sorted);
        assert_eq!(r, [2.5, 1.0, 2.5, 4.0]);
        assert_eq!(sorted, [3.0, 5.0, 5.0, 9.0]);
        s.ranks_into(&[0.0, -1.0, -0.0], &mut r, &mut sorted);
        assert_eq!(r, [2.5, 1.0, 2.5]);
        assert_eq!(bits(&sorted), bits(&[-1.0, -0.0, 0.0]));
    }

    #[test]
    fn total_order_of_the_special_values() {
        let v = [
            f64::NAN,
            1.0,
            f64::INFINITY,
            -f64::NAN,
            f64::NEG_INFINITY,
            -0.0,
            0.0,
            -2.5,
        ];
        let mut s = Sorter::default();
        let mut sorted = Vec::new();
        s.sorted_into(&v, &mut sorted);
        let mut expected = v.to_vec();
        expected.sort_by(f64::total_cmp);
        assert_eq!(bits(&sorted), bits(&expected));
    }

    #[test]
    fn columns_of_draws_sort_as_a_comparison_sort_does() {
        // Lognormal-like factors, a long-tailed column with an outlier, a column of
        // a few repeated values and one of a single value repeated.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let lognormal: Vec<f64> = (0..20_000).map(|_| (next() - 0.5).exp()).collect();
        let mut tail: Vec<f64> = (0..10_000)
            .map(|_| -100.0 + 1.0 / (next() + 1e-6))
            .collect();
        tail[17] = 1e12;
        let few: Vec<f64> = (0..5_000).map(|_| (next() * 4.0).floor() - 1.0).collect();
        let one = vec![2.5; 3_000];
        // NPV-like draws across zero: their keys span every binade between the largest
        // loss and the largest gain, so most of them crowd a few of the first buckets and
        // are spread again; with repeated values among them.
        let across: Vec<f64> = (0..20_000)
            .map(|i| {
                if i % 7 == 0 {
                    -12.5
                } else {
                    (next() - 0.3) * 2_000.0
                }
            })
            .collect();
        let mut s = Sorter::default();
        for v in [lognormal, tail, few, one, across] {
            let (mut r, mut sorted) = (Vec::new(), Vec::new());
            s.ranks_into(&v, &mut r, &mut sorted);
            let (er, es) = by_comparison(&v);
            assert_eq!(bits(&sorted), bits(&es));
            assert_eq!(bits(&r), bits(&er));
        }
    }

    proptest! {
        #[test]
        fn the_same_bits_as_a_comparison_sort(
            v in prop::collection::vec(
                prop_oneof![
                    any::<f64>(),
                    (-3i32..3).prop_map(f64::from),
                    Just(0.0),
                    Just(-0.0),
                    Just(f64::NAN),
                ],
                0..300,
            )
        ) {
            let mut s = Sorter::default();
            let (mut r, mut sorted) = (Vec::new(), Vec::new());
            s.ranks_into(&v, &mut r, &mut sorted);
            let (er, es) = by_comparison(&v);
            prop_assert_eq!(bits(&sorted), bits(&es));
            prop_assert_eq!(bits(&r), bits(&er));
        }
    }
}
