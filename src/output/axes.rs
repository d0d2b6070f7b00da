//! Axes for the report's SVG charts: "nice" ticks (1, 2 and 5 times a power of ten), a
//! symmetric logarithmic scale for figures that span several orders of magnitude on both
//! sides of zero (NPVs from -3,000 to +5,000 US$ million beside projects worth tens), and
//! tick labels with thousands separators. Every tick is drawn with `class="tick"`, which
//! the browser test counts.

use std::fmt::Write as _;

/// About `n` evenly spaced round values covering `lo..=hi` (steps of 1, 2 or 5 × 10^k).
pub fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|k| k * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// [`nice_ticks`], finer until there are at least two (a narrow range can hold one round
/// value only); at worst the two ends.
pub fn ticks_at_least_two(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    for k in [n, 2 * n, 4 * n, 10 * n] {
        let t = nice_ticks(lo, hi, k);
        if t.len() >= 2 {
            return t;
        }
    }
    vec![lo, hi]
}

/// A tick label: whole numbers with thousands separators (`20,000`, `-1,500`), else up to
/// two decimals; never `-0`.
pub fn label(v: f64) -> String {
    if v.abs() < 1e-9 {
        return "0".to_owned();
    }
    if (v - v.round()).abs() < 1e-9 {
        let digits = format!("{}", v.round().abs() as i64);
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        return if v < 0.0 { format!("-{out}") } else { out };
    }
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A symmetric log scale: sign(v) × log10(1 + |v| / c). Linear within about ±c of zero,
/// logarithmic beyond, so that both a US$20 m project and a US$5 bn one are readable.
#[derive(Debug, Clone, Copy)]
pub struct SymLog {
    /// The linear half-width, in the data's unit.
    pub c: f64,
}

impl SymLog {
    pub fn apply(self, v: f64) -> f64 {
        v.signum() * (1.0 + v.abs() / self.c).log10()
    }

    /// 0 and ±1, 2, 5 × 10^k (from `c`) within `lo..=hi`, thinned to every decade when
    /// there would be more than `most`.
    pub fn ticks(self, lo: f64, hi: f64, most: usize) -> Vec<f64> {
        let mut mags = Vec::new();
        let top = lo.abs().max(hi.abs());
        let mut m = 10f64.powf(self.c.log10().floor());
        while m <= top * 1.0001 {
            mags.push(m);
            m *= 10.0;
        }
        let with = |steps: &[f64]| -> Vec<f64> {
            let mut v = vec![0.0];
            for m in &mags {
                for k in steps {
                    let t = m * k;
                    if t <= hi * 1.0001 {
                        v.push(t);
                    }
                    if -t >= lo * 1.0001 {
                        v.push(-t);
                    }
                }
            }
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        };
        let fine = with(&[1.0, 3.0]);
        if fine.len() <= most {
            fine
        } else {
            with(&[1.0])
        }
    }
}

/// A horizontal axis at `y` from `x0` to `x1`: a base line, a tick and label (`text` of
/// the value) at each of `ticks` (placed by `x`), and `title` centred under the labels.
pub fn x_axis(
    svg: &mut String,
    ticks: &[f64],
    x: impl Fn(f64) -> f64,
    text: impl Fn(f64) -> String,
    y: f64,
    (x0, x1): (f64, f64),
    title: &str,
) {
    let _ = write!(
        svg,
        r##"<line x1="{x0:.1}" x2="{x1:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#444"/>"##
    );
    for t in ticks {
        let _ = write!(
            svg,
            r##"<g class="tick"><line x1="{0:.1}" x2="{0:.1}" y1="{y:.1}" y2="{1:.1}" stroke="#444"/><text x="{0:.1}" y="{2:.1}" text-anchor="middle">{3}</text></g>"##,
            x(*t),
            y + 4.0,
            y + 15.0,
            super::report::escape(&text(*t))
        );
    }
    if !title.is_empty() {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
            (x0 + x1) / 2.0,
            y + 29.0,
            super::report::escape(title)
        );
    }
}

/// A vertical axis at `x` from `y0` (top) to `y1` (bottom) with a light grid line across
/// to `grid_to` at each tick, labels to the left, and `unit` above the axis.
pub fn y_axis(
    svg: &mut String,
    ticks: &[f64],
    y: impl Fn(f64) -> f64,
    x: f64,
    (y0, y1): (f64, f64),
    grid_to: f64,
    unit: &str,
) {
    let _ = write!(
        svg,
        r##"<line x1="{x:.1}" x2="{x:.1}" y1="{y0:.1}" y2="{y1:.1}" stroke="#444"/>"##
    );
    for t in ticks {
        let _ = write!(
            svg,
            r##"<g class="tick"><line x1="{0:.1}" x2="{grid_to:.1}" y1="{1:.1}" y2="{1:.1}" stroke="#e3e3e3"/><line x1="{0:.1}" x2="{2:.1}" y1="{1:.1}" y2="{1:.1}" stroke="#444"/><text x="{3:.1}" y="{4:.1}" text-anchor="end">{5}</text></g>"##,
            x,
            y(*t),
            x - 4.0,
            x - 6.0,
            y(*t) + 4.0,
            label(*t)
        );
    }
    if !unit.is_empty() {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="start" fill="#333">{}</text>"##,
            (x - 40.0).max(2.0),
            (y0 - 6.0).max(11.0),
            super::report::escape(unit)
        );
    }
}

/// Legend entries in rows from (`x`, `y`), wrapping before `right`: a swatch drawn by
/// `swatch(x, y)` and its label. Gives the y below the last row.
pub fn legend(
    svg: &mut String,
    entries: &[(String, String)],
    (x, y): (f64, f64),
    right: f64,
) -> f64 {
    let (mut cx, mut cy) = (x, y);
    for (swatch, text) in entries {
        // About 6 px a character at 11 px sans-serif, plus the swatch.
        let w = 28.0 + 6.2 * text.chars().count() as f64 + 14.0;
        if cx + w > right && cx > x {
            cx = x;
            cy += 16.0;
        }
        let _ = write!(
            svg,
            r##"<g transform="translate({cx:.1},{cy:.1})">{swatch}</g><text x="{:.1}" y="{:.1}">{}</text>"##,
            cx + 26.0,
            cy + 4.0,
            super::report::escape(text)
        );
        cx += w;
    }
    cy + 16.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_are_round_and_cover_the_range() {
        assert_eq!(
            nice_ticks(0.0, 41_652.0, 5),
            [0.0, 10_000.0, 20_000.0, 30_000.0, 40_000.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0, 4), [0.0, 0.5, 1.0]);
        assert_eq!(
            nice_ticks(-3_124.0, 4_753.0, 4),
            [-2_000.0, 0.0, 2_000.0, 4_000.0]
        );
    }

    #[test]
    fn a_narrow_range_still_gets_two_ticks() {
        assert_eq!(nice_ticks(101.0, 104.0, 4), [101.0, 102.0, 103.0, 104.0]);
        assert!(ticks_at_least_two(100.2, 100.9, 4).len() >= 2);
        assert_eq!(ticks_at_least_two(5.0, 5.0, 4), [5.0, 5.0]);
    }

    #[test]
    fn labels_have_separators_and_no_negative_zero() {
        assert_eq!(label(20_000.0), "20,000");
        assert_eq!(label(-1_500.0), "-1,500");
        assert_eq!(label(-0.0), "0");
        assert_eq!(label(999.0), "999");
        assert_eq!(label(0.25), "0.25");
        assert_eq!(label(1_234_567.0), "1,234,567");
    }

    #[test]
    fn symlog_is_odd_linear_near_zero_and_logarithmic_far() {
        let s = SymLog { c: 100.0 };
        assert_eq!(s.apply(0.0), 0.0);
        assert!((s.apply(-900.0) + 1.0).abs() < 1e-12);
        assert!((s.apply(9_900.0) - 2.0).abs() < 1e-12);
        // Near zero, slope 1 / (c ln 10).
        assert!((s.apply(1.0) - (1.01f64).log10()).abs() < 1e-15);
        let t = s.ticks(-3_124.0, 10_128.0, 20);
        assert_eq!(
            t,
            [
                -3_000.0, -1_000.0, -300.0, -100.0, 0.0, 100.0, 300.0, 1_000.0, 3_000.0, 10_000.0
            ]
        );
        assert_eq!(
            s.ticks(-3_124.0, 10_128.0, 8),
            [-1_000.0, -100.0, 0.0, 100.0, 1_000.0, 10_000.0]
        );
    }
}
