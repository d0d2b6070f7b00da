//! Ordering a simulation's draws: the sorted values and the ranks (ties averaged) that the
//! percentiles and the rank correlations are made of.
//!
//! A bucket sort on the bits of each value, in the order of [`f64::total_cmp`] (-NaN, -∞,
//! ..., -0, +0, ..., +∞, NaN): the keys spread over buckets of equal width, each bucket
//! then sorted by comparison. Values that `total_cmp` calls equal have the same bits, so
//! the sorted values are exactly those of any correct sort by `total_cmp`; equal keys keep
//! their indices' order, so the ranks (ties averaged, NaNs each at its own place) are those
//! of a stable comparison sort, bit for bit (the simulation sorted every driver's column of draws by
//! comparison, 30 % of its instructions; then by an eight-pass radix sort).

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
    /// Where each bucket starts in the sorted pairs, and the next free place in each.
    starts: Vec<usize>,
    next: Vec<usize>,
}

impl Sorter {
    /// Sorts `(key, index)` pairs of `values` into `self.pairs` by key. One pass spreads
    /// the pairs over up to 2,048 buckets of equal width between the smallest and the
    /// largest key, and each bucket is then sorted on its own (a few pairs each for a
    /// column of draws, where eight byte-wise radix passes were needed before). Pairs with
    /// equal keys keep the order of their indices, as a stable sort keeps them (the
    /// averaged ranks of NaNs, unequal to themselves, depend on it).
    fn sort_pairs(&mut self, values: &[f64]) {
        assert!(
            u32::try_from(values.len()).is_ok(),
            "too many draws to sort"
        );
        self.pairs.clear();
        self.pairs
            .extend(values.iter().enumerate().map(|(i, v)| (key(*v), i as u32)));
        let n = self.pairs.len();
        let (lo, hi) = self
            .pairs
            .iter()
            .fold((u64::MAX, 0), |(lo, hi), &(k, _)| (lo.min(k), hi.max(k)));
        if n < 2 || lo == hi {
            return;
        }
        const BUCKET_BITS: u32 = 11;
        let span = hi - lo;
        let shift = (u64::BITS - span.leading_zeros()).saturating_sub(BUCKET_BITS);
        let buckets = (span >> shift) as usize + 1;
        let bucket = |k: u64| ((k - lo) >> shift) as usize;
        self.starts.clear();
        self.starts.resize(buckets + 1, 0);
        for &(k, _) in &self.pairs {
            self.starts[bucket(k) + 1] += 1;
        }
        for b in 1..=buckets {
            self.starts[b] += self.starts[b - 1];
        }
        self.spare.clear();
        self.spare.resize(n, (0, 0));
        self.next.clear();
        self.next.extend_from_slice(&self.starts[..buckets]);
        for &(k, i) in &self.pairs {
            let b = bucket(k);
            self.spare[self.next[b]] = (k, i);
            self.next[b] += 1;
        }
        std::mem::swap(&mut self.pairs, &mut self.spare);
        for w in self.starts.windows(2) {
            if w[1] - w[0] > 1 {
                // By key, then by index: the order a stable sort gives. Ties of equal
                // bits are one value, but NaNs are not equal by `==`, so each NaN ranks at
                // its own place and that place must not depend on the sort.
                self.pairs[w[0]..w[1]].sort_unstable();
            }
        }
    }

    /// `values` sorted by [`f64::total_cmp`], into `sorted`.
    pub fn sorted_into(&mut self, values: &[f64], sorted: &mut Vec<f64>) {
        self.sort_pairs(values);
        sorted.clear();
        sorted.extend(self.pairs.iter().map(|&(_, i)| values[i as usize]));
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
        let mut s = Sorter::default();
        for v in [lognormal, tail, few, one] {
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
