//! Discounted cash flow: NPV, IRR, payback and the breakeven price factor, over annual
//! cash flows in real US$ million.
//!
//! Convention: `flows[k]` falls at the end of year `k + 1` after the valuation date, so
//! `npv(r, flows) = Σ flows[k] / (1 + r)^(k + 1)` (end-of-year), or `(k + 0.5)` (mid-year).
//! This is Excel's `NPV`; numpy-financial's `npv(r, v)` discounts `v[0]` at t = 0, so
//! `npv(r, flows) = npf.npv(r, [0] + flows)`.

use serde::Serialize;

/// When in each year a cash flow is taken to fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Discounting {
    /// At the end of each year (Excel's NPV).
    EndOfYear,
    /// In the middle of each year.
    MidYear,
}

impl std::fmt::Display for Discounting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl Discounting {
    /// The name a person reads, as `--discounting` spells it (`end-of-year`, `mid-year`).
    pub fn label(self) -> &'static str {
        match self {
            Discounting::EndOfYear => "end-of-year",
            Discounting::MidYear => "mid-year",
        }
    }

    fn offset(self) -> f64 {
        match self {
            Discounting::EndOfYear => 1.0,
            Discounting::MidYear => 0.5,
        }
    }
}

/// Net present value, real US$ million, at `rate` (a fraction: 0.08 for 8 %).
pub fn npv(rate: f64, flows: &[f64], discounting: Discounting) -> f64 {
    npv_of(rate, flows.iter().copied(), discounting)
}

/// [`npv`] of flows as they come (a schedule's net or pre-tax column, say).
pub fn npv_of(rate: f64, flows: impl IntoIterator<Item = f64>, discounting: Discounting) -> f64 {
    let growth = 1.0 + rate;
    // Multiplying by the inverse rather than dividing each year: a division's latency
    // chained over the years was most of an NPV's time.
    let inverse = 1.0 / growth;
    let mut factor = growth.powf(-discounting.offset());
    let mut total = 0.0;
    for f in flows {
        total += f * factor;
        factor *= inverse;
    }
    total
}

/// The internal rate of return, as found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Irr {
    /// One rate makes NPV zero (a fraction).
    Unique { rate: f64 },
    /// Several rates make NPV zero (cash flows change sign more than once).
    Multiple { rates: Vec<f64> },
    /// No rate makes NPV zero.
    None { reason: String },
}

impl Irr {
    /// The unique IRR as a percentage, if there is one.
    pub fn pct(&self) -> Option<f64> {
        match self {
            Irr::Unique { rate } => Some(rate * 100.0),
            _ => None,
        }
    }
}

/// Finds every rate between -99 % and 1,000 % at which NPV is zero: with one sign change
/// in the cash flows (one root at most, by Descartes' rule) by Newton's method or a
/// bracket; with several, by scanning a grid (steps of 1 point below ±100 %, 10 points
/// above) for sign changes and bisecting each bracket to 1e-12. Two roots closer than a
/// grid step can be missed.
pub fn irr(flows: &[f64]) -> Irr {
    let mut signs = flows.iter().filter(|f| **f != 0.0).map(|f| *f < 0.0);
    let sign_changes = signs.next().map_or(0, |first| {
        signs
            .scan(first, |prev, s| Some(std::mem::replace(prev, s) != s))
            .filter(|changed| *changed)
            .count()
    });
    if sign_changes == 0 {
        let reason = if flows.iter().all(|f| *f <= 0.0) {
            "every annual cash flow is zero or negative: the project never earns back its costs"
        } else {
            "every annual cash flow is zero or positive: there is no investment to earn a return on"
        };
        return Irr::None {
            reason: reason.into(),
        };
    }
    let f = |r: f64| npv(r, flows, Discounting::EndOfYear);
    if sign_changes == 1 {
        // Descartes' rule of signs: one sign change, at most one root with 1 + r > 0.
        return match irr_from(flows, 0.1, false) {
            Some(rate) => Irr::Unique { rate },
            None => Irr::None {
                reason: "NPV does not reach zero between -99 % and 1,000 %".into(),
            },
        };
    }
    // Several sign changes: scan on a grid dense near usual rates, sparse far away.
    let (grid, values) = roots_scan(flows);
    let mut roots = Vec::new();
    for (w, v) in grid.windows(2).zip(values.windows(2)) {
        let (a, b) = (w[0], w[1]);
        let (fa, fb) = (v[0], v[1]);
        if fa == 0.0 {
            roots.push(a);
        } else if fa.signum() != fb.signum() && fb != 0.0 {
            roots.push(bisect(&f, a, b, fa));
        }
    }
    // A root where NPV rises through zero far below zero is an end-of-life outflow's
    // artefact, not an investment's return.
    let spurious = |r: f64| r < -0.5 && f(r - 1e-6) < f(r + 1e-6);
    match roots.len() {
        0 => Irr::None {
            reason: "NPV does not reach zero between -99 % and 1,000 %".into(),
        },
        1 if spurious(roots[0]) => Irr::None {
            reason: if f(10.0) > 0.0 {
                "the IRR is above 1,000 %".into()
            } else {
                format!(
                    "the only rate that makes NPV zero, {:.1} %, is an artefact of the end-of-life outflow",
                    roots[0] * 100.0
                )
            },
        },
        1 => Irr::Unique { rate: roots[0] },
        _ => {
            // An outflow at the end of a mine's life (closure, a last partial year) adds a
            // root far below zero where NPV rises through zero. When exactly one root is an
            // investment's (NPV falling through zero as the rate rises) and every other root
            // is below -50 %, that one is the IRR.
            let falling: Vec<f64> = roots
                .iter()
                .copied()
                .filter(|r| f(r - 1e-6) > f(r + 1e-6))
                .collect();
            let others_spurious = roots.iter().all(|r| falling.contains(r) || *r < -0.5);
            if falling.len() == 1 && others_spurious {
                Irr::Unique { rate: falling[0] }
            } else {
                Irr::Multiple { rates: roots }
            }
        }
    }
}

/// The grid on which a root of NPV(r) is bracketed when Newton's method fails: -99 % to
/// 101 % in steps of 2.5 points, then 6 % more each step, up to 1,000 %.
fn bracket_grid() -> impl Iterator<Item = f64> {
    (0..=120).map(|i| {
        if i <= 80 {
            -0.99 + 0.025 * f64::from(i)
        } else {
            (1.01 * 1.06f64.powi(i - 80)).min(10.0)
        }
    })
}

/// The discount table of each rate of [`bracket_grid`] (end-of-year), built once: a draw
/// whose Newton search fails evaluates NPV on up to 121 of these rates, and a power per
/// rate was most of that search's cost.
fn bracket_tables() -> impl Iterator<Item = (f64, &'static DiscountTable)> {
    static TABLES: std::sync::OnceLock<Vec<(f64, DiscountTable)>> = std::sync::OnceLock::new();
    TABLES
        .get_or_init(|| {
            bracket_grid()
                .map(|r| (r, DiscountTable::new(r, Discounting::EndOfYear)))
                .collect()
        })
        .iter()
        .map(|(r, t)| (*r, t))
}

/// The one rate (a fraction) that makes NPV zero, for cash flows expected to have a
/// single root: Newton's method from `guess`; failing that, the first step of
/// [`bracket_grid`] over which NPV changes sign (with `falling_only`, only where it falls
/// through zero as the rate rises: an investment's return), then Newton from inside the
/// bracket, else bisection. `None` when no step brackets a root. The one IRR search of the
/// deterministic model and of every simulated draw.
pub fn irr_from(flows: &[f64], guess: f64, falling_only: bool) -> Option<f64> {
    irr_newton(flows, guess).or_else(|| irr_bracketed(flows, falling_only))
}

/// The part of [`irr_from`] after Newton's method from the guess has failed: the bracket
/// on [`bracket_grid`], then Newton from inside it, else bisection.
fn irr_bracketed(flows: &[f64], falling_only: bool) -> Option<f64> {
    let f = |r: f64| npv(r, flows, Discounting::EndOfYear);
    let mut prev: Option<(f64, f64)> = None;
    let mut check = |r: f64, v: f64| -> Option<Option<f64>> {
        if v == 0.0 && !falling_only {
            return Some(Some(r));
        }
        if let Some((pr, pv)) = prev {
            let brackets = if falling_only {
                pv > 0.0 && v <= 0.0
            } else {
                pv.signum() != v.signum()
            };
            if brackets {
                return Some(match irr_newton(flows, (pr + r) / 2.0) {
                    Some(root) if (pr..=r).contains(&root) => Some(root),
                    _ => Some(bisect(&f, pr, r, pv)),
                });
            }
        }
        prev = Some((r, v));
        None
    };
    if flows.len() <= MAX_YEARS + 1 {
        // Eight rates of the grid at a time, each rate's NPV `f(r)` to the last bit (the
        // products and sums of its discount table, in the years' order).
        for group in bracket_lanes() {
            let values = npv_lanes(&group.factors, flows);
            for (r, v) in group.rates.iter().zip(values) {
                if let Some(found) = check(*r, v) {
                    return found;
                }
            }
        }
    } else {
        for (r, table) in bracket_tables() {
            // The table's NPV is `f(r)` to the last bit, without a power per rate.
            if let Some(found) = check(r, table.npv(flows)) {
                return found;
            }
        }
    }
    None
}

/// [`LANES`] rates of a grid (fewer in the last group) and their end-of-year discount
/// factors year by year, lane by lane, as [`DiscountTable`] holds them.
struct GridLanes {
    rates: Vec<f64>,
    factors: Vec<[f64; LANES]>,
}

impl GridLanes {
    /// The end-of-year `tables` in groups of [`LANES`].
    fn of(tables: &[&DiscountTable]) -> Vec<GridLanes> {
        tables
            .chunks(LANES)
            .map(|chunk| GridLanes {
                rates: chunk.iter().map(|t| t.rate).collect(),
                factors: (0..=MAX_YEARS)
                    .map(|k| std::array::from_fn(|l| chunk.get(l).map_or(0.0, |t| t.factors[k])))
                    .collect(),
            })
            .collect()
    }
}

fn bracket_lanes() -> &'static [GridLanes] {
    static LANED: std::sync::OnceLock<Vec<GridLanes>> = std::sync::OnceLock::new();
    LANED.get_or_init(|| {
        let tables: Vec<&DiscountTable> = bracket_tables().map(|(_, t)| t).collect();
        GridLanes::of(&tables)
    })
}

/// The grid on which [`irr`] looks for every root of flows that change sign more than
/// once: -99 % to 1,000 %, in steps of one point below 100 % and ten points above.
fn roots_grid() -> Vec<f64> {
    let mut grid = vec![-0.99];
    let mut r: f64 = -0.99;
    while r < 10.0 {
        r += if r.abs() < 1.0 { 0.01 } else { 0.1 };
        grid.push(r.min(10.0));
    }
    grid
}

/// [`roots_grid`] and NPV (end-of-year) of `flows` at each of its rates, each `npv` to the
/// last bit: eight rates at a time from discount tables built once (about 290 rates, so
/// 290 powers and chains of products a project before).
fn roots_scan(flows: &[f64]) -> (Vec<f64>, Vec<f64>) {
    static LANED: std::sync::OnceLock<Vec<GridLanes>> = std::sync::OnceLock::new();
    let lanes = LANED.get_or_init(|| {
        let tables: Vec<DiscountTable> = roots_grid()
            .into_iter()
            .map(|r| DiscountTable::new(r, Discounting::EndOfYear))
            .collect();
        GridLanes::of(&tables.iter().collect::<Vec<_>>())
    });
    let grid: Vec<f64> = lanes.iter().flat_map(|g| g.rates.iter().copied()).collect();
    let values = if flows.len() <= MAX_YEARS + 1 {
        let mut values = Vec::with_capacity(grid.len());
        for g in lanes {
            values.extend_from_slice(&npv_lanes(&g.factors, flows)[..g.rates.len()]);
        }
        values
    } else {
        grid.iter()
            .map(|r| npv(*r, flows, Discounting::EndOfYear))
            .collect()
    };
    (grid, values)
}

/// NPV of `flows` at each lane's discount factors: [`DiscountTable::npv`]'s sum in each
/// lane (`flows` no longer than the factors).
fn npv_lanes(factors: &[[f64; LANES]], flows: &[f64]) -> [f64; LANES] {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2.
        return unsafe { npv_lanes_avx2(factors, flows) };
    }
    npv_lanes_of(factors, flows)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn npv_lanes_avx2(factors: &[[f64; LANES]], flows: &[f64]) -> [f64; LANES] {
    npv_lanes_of(factors, flows)
}

#[inline(always)]
fn npv_lanes_of(factors: &[[f64; LANES]], flows: &[f64]) -> [f64; LANES] {
    let mut total = [0.0; LANES];
    for (f, d) in flows.iter().zip(factors) {
        for l in 0..LANES {
            total[l] += f * d[l];
        }
    }
    total
}

/// Newton's steps of [`irr_newton`] at most.
const NEWTON_STEPS: usize = 50;

/// Cash-flow series whose IRRs are searched together ([`irr_from`] of each, from one
/// guess): Newton's method from the guess runs on [`LANES`] series at once, each series
/// in its own lane of the processor's vector registers, by the same operations in the
/// same order as [`irr_newton`] on it alone, so that every IRR has the bits
/// [`irr_from`] gives it (a test checks it). One series' Newton search is a chain of
/// dependent multiplications and additions, year by year; several in vector lanes run in
/// the time of one.
#[derive(Debug, Default)]
pub struct IrrLanes {
    /// Each series, as given.
    series: Vec<Vec<f64>>,
    /// The series year by year, lane by lane, each padded with -0.0 after its end (adds
    /// nothing to NPV, and at most turns a zero derivative's sign).
    years: Vec<[f64; LANES]>,
    /// Series' buffers to reuse.
    free: Vec<Vec<f64>>,
}

/// Series searched together by [`IrrLanes`].
pub const LANES: usize = 8;

impl IrrLanes {
    /// Series waiting to be searched.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// Whether no series waits.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Drops the waiting series unsearched.
    pub fn clear(&mut self) {
        self.free.append(&mut self.series);
    }

    /// Adds a series (at most [`LANES`] wait at a time).
    pub fn push(&mut self, flows: &[f64]) {
        assert!(self.series.len() < LANES, "at most {LANES} series at once");
        let mut own = self.spare();
        own.extend_from_slice(flows);
        self.series.push(own);
    }

    fn spare(&mut self) -> Vec<f64> {
        let mut v = self.free.pop().unwrap_or_default();
        v.clear();
        v
    }

    /// [`irr_from`] of each waiting series from `guess`, in the order they were added,
    /// into `out`; the series are then dropped.
    pub fn solve(&mut self, guess: f64, falling_only: bool, out: &mut Vec<Option<f64>>) {
        out.clear();
        let n = self.series.len();
        let mut newton = [None; LANES];
        // Newton's divisor stays finite and positive only for rates in (-99 %, 1,000 %]:
        // outside (or with a single series), each is searched on its own.
        if n > 1 && guess > -0.99 && guess <= 10.0 {
            self.newton_lanes(guess, &mut newton);
        } else {
            for (s, r) in self.series.iter().zip(&mut newton) {
                *r = Some(irr_newton(s, guess));
            }
        }
        for (s, r) in self.series.iter().zip(&newton) {
            out.push(r.flatten().or_else(|| irr_bracketed(s, falling_only)));
        }
        self.free.append(&mut self.series);
    }

    /// Newton's method from `guess` on every series, `Some(root or None)` for each
    /// (`None` in the outer option: not searched, never left so).
    fn newton_lanes(&mut self, guess: f64, out: &mut [Option<Option<f64>>; LANES]) {
        let n = self.series.len();
        let longest = self.series.iter().map(Vec::len).max().unwrap_or(0);
        self.years.clear();
        self.years.resize(longest, [-0.0; LANES]);
        for (l, s) in self.series.iter().enumerate() {
            for (year, c) in self.years.iter_mut().zip(s) {
                year[l] = *c;
            }
        }
        let mut r = [guess; LANES];
        let mut active = [false; LANES];
        active[..n].iter_mut().for_each(|a| *a = true);
        let mut step = 0;
        // Lanes run together while most are still searching; the last few finish alone.
        while step < NEWTON_STEPS && active.iter().filter(|a| **a).count() > LANES / 4 {
            let (v, dv) = npv_and_slope_lanes(&self.years, &r);
            for l in 0..n {
                if !active[l] {
                    continue;
                }
                match newton_step(r[l], v[l], dv[l]) {
                    Step::Next(next) => r[l] = next,
                    Step::Done(found) => {
                        out[l] = Some(found);
                        active[l] = false;
                    }
                }
            }
            step += 1;
        }
        for l in (0..n).filter(|l| active[*l]) {
            out[l] = Some(newton_from(&self.series[l], r[l], NEWTON_STEPS - step));
        }
    }
}

/// NPV and its derivative at each lane's rate, the sums of [`newton_from`]'s year loop.
fn npv_and_slope_lanes(years: &[[f64; LANES]], r: &[f64; LANES]) -> ([f64; LANES], [f64; LANES]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2.
        return unsafe { npv_and_slope_avx2(years, r) };
    }
    npv_and_slope(years, r)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn npv_and_slope_avx2(years: &[[f64; LANES]], r: &[f64; LANES]) -> ([f64; LANES], [f64; LANES]) {
    npv_and_slope(years, r)
}

#[inline(always)]
fn npv_and_slope(years: &[[f64; LANES]], r: &[f64; LANES]) -> ([f64; LANES], [f64; LANES]) {
    let inv: [f64; LANES] = std::array::from_fn(|l| 1.0 / (1.0 + r[l]));
    let (mut v, mut dv, mut d) = ([0.0; LANES], [0.0; LANES], inv);
    let mut k1 = 0.0;
    for year in years {
        // `k as f64 + 1.0` of the year's index k, counted in floating point (exact).
        k1 += 1.0;
        for l in 0..LANES {
            let term = year[l] * d[l];
            v[l] += term;
            dv[l] -= k1 * term * inv[l];
            d[l] *= inv[l];
        }
    }
    (v, dv)
}

/// One step of Newton's method at `r` with NPV `v` and derivative `dv` there.
enum Step {
    Next(f64),
    Done(Option<f64>),
}

#[inline(always)]
fn newton_step(r: f64, v: f64, dv: f64) -> Step {
    if dv == 0.0 || !v.is_finite() {
        return Step::Done(None);
    }
    let next = r - v / dv;
    if !(next > -0.99 && next <= 10.0) {
        return Step::Done(None);
    }
    if (next - r).abs() < 1e-12 * (1.0 + next.abs()) {
        return Step::Done(Some(next));
    }
    Step::Next(next)
}

/// Newton's method on NPV(r) (end-of-year discounting) from `guess`, a fraction: the
/// rate where it converges (relative step below 1e-12) inside (-99 %, 1,000 %], else
/// `None`. Callers check the signs and bracket when it fails.
pub fn irr_newton(flows: &[f64], guess: f64) -> Option<f64> {
    newton_from(flows, guess, NEWTON_STEPS)
}

/// [`irr_newton`]'s search from `r` with `steps` steps left.
fn newton_from(flows: &[f64], mut r: f64, steps: usize) -> Option<f64> {
    for _ in 0..steps {
        let inv = 1.0 / (1.0 + r);
        let (mut v, mut dv, mut d) = (0.0, 0.0, inv);
        let mut k1 = 0.0;
        for c in flows {
            // `k as f64 + 1.0` of the year's index k, counted in floating point (exact).
            k1 += 1.0;
            let term = c * d;
            v += term;
            dv -= k1 * term * inv;
            d *= inv;
        }
        match newton_step(r, v, dv) {
            Step::Next(next) => r = next,
            Step::Done(found) => return found,
        }
    }
    None
}

/// The discount factors of [`npv`] at one rate, year by year: the same products, in the
/// same order, as [`npv_of`] forms them, so that [`DiscountTable::npv`] equals
/// [`npv`] to the last bit without a power and a chain of multiplications per call (a
/// simulation values thousands of schedules at one rate).
#[derive(Debug, Clone, PartialEq)]
pub struct DiscountTable {
    rate: f64,
    discounting: Discounting,
    factors: Vec<f64>,
}

impl DiscountTable {
    /// Factors at `rate` (a fraction) for up to [`MAX_YEARS`] + 1 years.
    pub fn new(rate: f64, discounting: Discounting) -> DiscountTable {
        let growth = 1.0 + rate;
        let inverse = 1.0 / growth;
        let mut factor = growth.powf(-discounting.offset());
        let factors = (0..=MAX_YEARS)
            .map(|_| {
                let f = factor;
                factor *= inverse;
                f
            })
            .collect();
        DiscountTable {
            rate,
            discounting,
            factors,
        }
    }

    /// [`npv`] of `flows` at the table's rate, US$ million.
    pub fn npv(&self, flows: &[f64]) -> f64 {
        if flows.len() > self.factors.len() {
            return npv(self.rate, flows, self.discounting);
        }
        let mut total = 0.0;
        for (f, d) in flows.iter().zip(&self.factors) {
            total += f * d;
        }
        total
    }

    /// [`DiscountTable::npv`] of `flows` and of the series `derived` makes of them (called
    /// with each year's index and flow, in order), in one pass: two independent sums the
    /// processor runs side by side, each the bits of its own [`DiscountTable::npv`].
    pub fn npv_with(
        &self,
        flows: &[f64],
        mut derived: impl FnMut(usize, f64) -> f64,
    ) -> (f64, f64) {
        if flows.len() > self.factors.len() {
            let other: Vec<f64> = flows
                .iter()
                .enumerate()
                .map(|(i, f)| derived(i, *f))
                .collect();
            return (self.npv(flows), self.npv(&other));
        }
        let (mut total, mut other) = (0.0, 0.0);
        for (i, (f, d)) in flows.iter().zip(&self.factors).enumerate() {
            total += f * d;
            other += derived(i, *f) * d;
        }
        (total, other)
    }
}

/// Bisects `f` on [a, b], where f(a) = `fa` and f(b) have opposite signs, to 1e-12.
pub fn bisect(f: &impl Fn(f64) -> f64, mut a: f64, mut b: f64, mut fa: f64) -> f64 {
    for _ in 0..200 {
        let m = 0.5 * (a + b);
        let fm = f(m);
        if fm == 0.0 || (b - a) < 1e-12 {
            return m;
        }
        if fa.signum() == fm.signum() {
            a = m;
            fa = fm;
        } else {
            b = m;
        }
    }
    0.5 * (a + b)
}

/// Years from the start of index `from` until the cumulative cash flow (from index 0)
/// turns non-negative for good, interpolating linearly within the year; `None` if it never
/// does. With `rate`, cash flows are discounted first (discounted payback).
pub fn payback(flows: &[f64], from: usize, rate: Option<f64>) -> Option<f64> {
    let mut cumulative = 0.0;
    let mut result = None;
    let growth = 1.0 + rate.unwrap_or(0.0);
    for (k, f) in flows.iter().enumerate() {
        let f = f / growth.powi(k as i32 + 1);
        let before = cumulative;
        cumulative += f;
        if cumulative >= 0.0 && before < 0.0 && k >= from {
            let within = if f > 0.0 { -before / f } else { 1.0 };
            result = Some((k - from) as f64 + within);
        } else if cumulative < 0.0 {
            result = None;
        }
    }
    if flows.iter().all(|f| *f >= 0.0) {
        return Some(0.0);
    }
    result
}

/// The factor on every price at which `npv_at(factor)` is zero, between 0 and 1,000;
/// `None` when NPV is positive at zero prices or negative at 1,000 times them. NPV rises
/// with the factor (piecewise linearly: tax and loss carry-forward make the kinks), so
/// the Illinois variant of regula falsi converges in a few evaluations where bisection
/// takes fifty.
pub fn breakeven_factor(npv_at: impl Fn(f64) -> f64) -> Option<f64> {
    let (mut a, mut b) = (0.0, 1000.0);
    let (mut fa, mut fb) = (npv_at(a), npv_at(b));
    if fa >= 0.0 || fb <= 0.0 {
        return None;
    }
    let mut side = 0;
    for _ in 0..100 {
        let c = (a * fb - b * fa) / (fb - fa);
        let fc = npv_at(c);
        if fc == 0.0
            || (b - a).abs() < 1e-12 * (1.0 + c.abs())
            || fc.abs() < 1e-9 * (1.0 + fa.abs().min(fb.abs()))
        {
            return Some(c);
        }
        if fc.signum() == fa.signum() {
            (a, fa) = (c, fc);
            if side == -1 {
                fb /= 2.0;
            }
            side = -1;
        } else {
            (b, fb) = (c, fc);
            if side == 1 {
                fa /= 2.0;
            }
            side = 1;
        }
    }
    Some((a * fb - b * fa) / (fb - fa))
}

/// The phase a year belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Construction,
    Production,
    /// Only when there is no production year to carry the closure cost.
    Closure,
    /// Care and maintenance: a built mine held idle, no output, holding costs only
    /// (`model::idle`, issue 14).
    Idle,
}

/// One year of a project's cash flow, real US$ million.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearFlow {
    /// Year counted from the valuation date: 1 is the first construction year, or the
    /// as-of year for a project valued at the as-of date (`npv_convention`).
    pub year: u32,
    pub phase: Phase,
    /// Share of nameplate output produced.
    pub output_share: f64,
    pub revenue: f64,
    pub royalty: f64,
    pub opex: f64,
    pub logistics: f64,
    pub capex: f64,
    pub sustaining_capex: f64,
    pub closure: f64,
    pub tax: f64,
    /// Cash flow before tax.
    pub pre_tax: f64,
    /// Cash flow after tax (income tax and any resource-rent tax).
    pub net: f64,
    /// Resource-rent tax (0 where the jurisdiction has none), US$ million.
    pub rent_tax: f64,
}

impl YearFlow {
    /// Year `year` of `phase` with every flow zero (US$ m), to fill in.
    pub fn blank(year: u32, phase: Phase) -> YearFlow {
        YearFlow {
            year,
            phase,
            output_share: 0.0,
            revenue: 0.0,
            royalty: 0.0,
            opex: 0.0,
            logistics: 0.0,
            capex: 0.0,
            sustaining_capex: 0.0,
            closure: 0.0,
            tax: 0.0,
            pre_tax: 0.0,
            net: 0.0,
            rent_tax: 0.0,
        }
    }
}

/// What the schedule is built from: nameplate figures in real US$ million.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleInputs {
    /// Nameplate revenue that moves with the price deck (times the price factor).
    pub revenue_per_y: f64,
    /// Nameplate revenue that does not: charges a buyer deducts (negative) and other
    /// fixed-price sales.
    pub fixed_revenue_per_y: f64,
    pub opex_per_y: f64,
    pub logistics_per_y: f64,
    /// Ad valorem royalty, % of revenue (replaced each year by `fiscal.royalty_formula`
    /// when there is one).
    pub royalty_pct: f64,
    pub tax_rate_pct: f64,
    /// Royalty formula and resource-rent tax, if the jurisdiction has them.
    pub fiscal: crate::model::fiscal::Fiscal,
    pub capex: f64,
    pub sustaining_per_y: f64,
    pub closure: f64,
    pub depreciation_y: u32,
    /// Construction years before first production; 0 for a project already built (its
    /// capex, an expansion or completion, then falls in year 1).
    pub construction_y: u32,
    /// Years of nameplate output the mine plan holds.
    pub mine_life_y: f64,
    /// Shares of nameplate in the first production years.
    pub ramp_up: Vec<f64>,
}

/// The longest schedule built, years (construction and production together): a guard for
/// absurd mine lives. A mine plan longer than this is cut; [`cut_output_y`] says by how much.
pub const MAX_YEARS: usize = 150;

/// Share of nameplate output in each production year, in order: the ramp-up shares (each
/// held to 0-1), then full output, until `life_y` years of nameplate output are used up
/// (the last year partial). The one production profile of the cash-flow schedule and of
/// the portfolio timeline. Endless when `life_y` is infinite.
pub fn production_shares(ramp: &[f64], life_y: f64) -> impl Iterator<Item = f64> + '_ {
    let mut remaining = life_y.max(0.0);
    let mut k = 0;
    std::iter::from_fn(move || {
        if remaining <= 1e-9 {
            return None;
        }
        let share = ramp
            .get(k)
            .copied()
            .unwrap_or(1.0)
            .clamp(0.0, 1.0)
            .min(remaining);
        remaining -= share;
        k += 1;
        Some(share)
    })
}

/// Years of nameplate output of the mine plan that a schedule leaves out because it stops
/// at [`MAX_YEARS`] (0 when the whole plan fits).
pub fn cut_output_y(inp: &ScheduleInputs, years: &[YearFlow]) -> f64 {
    let counted: f64 = years.iter().map(|y| y.output_share).sum();
    (inp.mine_life_y - counted).max(0.0)
}

/// Builds the annual schedule: capex spread evenly over construction (in year 1 when there
/// is none), a ramp-up, full
/// output until the mine plan is used up (the last year partial, and charged with closure). Revenue is
/// multiplied by `price_factor`. Tax: straight-line depreciation of capex from the first
/// production year, sustaining capital and closure expensed, losses carried forward.
pub fn schedule(inp: &ScheduleInputs, price_factor: f64) -> Vec<YearFlow> {
    let mut years = Vec::new();
    schedule_into(inp, price_factor, &mut years);
    years
}

/// [`schedule`] into a buffer the caller reuses (the simulation builds one per draw).
pub fn schedule_into(inp: &ScheduleInputs, price_factor: f64, years: &mut Vec<YearFlow>) {
    years.clear();
    // No construction years for a project already built (valued at the as-of date): any
    // capex still to spend (an expansion) falls in the first year.
    let c = inp.construction_y;
    for y in 1..=c {
        let mut f = YearFlow::blank(y, Phase::Construction);
        f.capex = inp.capex / f64::from(c);
        years.push(f);
    }
    let room = MAX_YEARS.saturating_sub(years.len());
    for share in production_shares(&inp.ramp_up, inp.mine_life_y).take(room) {
        let mut f = YearFlow::blank(years.len() as u32 + 1, Phase::Production);
        f.output_share = share;
        // A buyer's charges can exceed what the product is worth: nobody then pays for it,
        // and revenue is nil, never negative.
        f.revenue = ((inp.revenue_per_y * price_factor + inp.fixed_revenue_per_y) * share).max(0.0);
        f.royalty = f.revenue * inp.royalty_pct / 100.0;
        f.opex = inp.opex_per_y * share;
        f.logistics = inp.logistics_per_y * share;
        f.sustaining_capex = if share > 0.0 {
            inp.sustaining_per_y
        } else {
            0.0
        };
        years.push(f);
    }
    // Closure is provided for in the last production year (a closure bond or provision),
    // not in a year of its own: a lone outflow after production would add a spurious IRR
    // near -100 %.
    match years.last_mut() {
        Some(last) if last.phase == Phase::Production => last.closure = inp.closure,
        _ => {
            let mut end = YearFlow::blank(years.len() as u32 + 1, Phase::Closure);
            end.closure = inp.closure;
            years.push(end);
        }
    }
    if c == 0
        && let Some(first) = years.first_mut()
    {
        first.capex = inp.capex;
    }

    let dep_years = inp.depreciation_y.max(1);
    let mut losses = 0.0;
    let mut depreciated = 0;
    // Unrecovered cash flow a resource-rent tax carries forward (src/model/fiscal.rs).
    let mut rent_carry = 0.0;
    for f in years.iter_mut() {
        let depreciation = if f.phase != Phase::Construction && depreciated < dep_years {
            depreciated += 1;
            inp.capex / f64::from(dep_years)
        } else {
            0.0
        };
        if let Some(rule) = &inp.fiscal.royalty_formula {
            // A profit-based royalty: the year's rate from its EBIT (before interest and
            // the royalty itself).
            let ebit =
                f.revenue - f.opex - f.logistics - f.sustaining_capex - f.closure - depreciation;
            f.royalty = f.revenue * rule.rate_pct(ebit, f.revenue) / 100.0;
        }
        f.pre_tax =
            f.revenue - f.royalty - f.opex - f.logistics - f.capex - f.sustaining_capex - f.closure;
        let taxable = f.revenue
            - f.royalty
            - f.opex
            - f.logistics
            - f.sustaining_capex
            - f.closure
            - depreciation;
        if taxable < 0.0 {
            losses -= taxable;
        } else {
            let offset = losses.min(taxable);
            losses -= offset;
            f.tax = (taxable - offset) * inp.tax_rate_pct / 100.0;
        }
        if let Some(rt) = &inp.fiscal.rent_tax {
            f.rent_tax = rt.year(&mut rent_carry, f.pre_tax - f.tax);
        }
        f.net = f.pre_tax - f.tax - f.rent_tax;
    }
}

/// The cash flow of each year of [`schedule_into`]'s schedule, and nothing else, into
/// `net` (US$ million a year): after tax (`net`) or before (`pre_tax`), the same figures by
/// the same operations in the same order, so each equals that schedule's column to the
/// last bit (a test checks it), in one pass without writing the other columns of every
/// year (a simulated draw and the price searches need only these).
pub fn flows_into(inp: &ScheduleInputs, price_factor: f64, after_tax: bool, net: &mut Vec<f64>) {
    net.clear();
    let c = inp.construction_y;
    let dep_years = inp.depreciation_y.max(1);
    let mut losses = 0.0;
    let mut depreciated = 0;
    let mut rent_carry = 0.0;
    // The tax pass of `schedule_into` on one year of its columns (construction years have
    // only capex; `construction` says which phase the year is in).
    let mut year = |revenue: f64,
                    royalty: f64,
                    opex: f64,
                    logistics: f64,
                    capex: f64,
                    sustaining_capex: f64,
                    closure: f64,
                    construction: bool| {
        let depreciation = if !construction && depreciated < dep_years {
            depreciated += 1;
            inp.capex / f64::from(dep_years)
        } else {
            0.0
        };
        let mut royalty = royalty;
        if let Some(rule) = &inp.fiscal.royalty_formula {
            let ebit = revenue - opex - logistics - sustaining_capex - closure - depreciation;
            royalty = revenue * rule.rate_pct(ebit, revenue) / 100.0;
        }
        let pre_tax = revenue - royalty - opex - logistics - capex - sustaining_capex - closure;
        let taxable =
            revenue - royalty - opex - logistics - sustaining_capex - closure - depreciation;
        let mut tax = 0.0;
        if taxable < 0.0 {
            losses -= taxable;
        } else {
            let offset = losses.min(taxable);
            losses -= offset;
            tax = (taxable - offset) * inp.tax_rate_pct / 100.0;
        }
        if !after_tax {
            return pre_tax;
        }
        let rent_tax = match &inp.fiscal.rent_tax {
            Some(rt) => rt.year(&mut rent_carry, pre_tax - tax),
            None => 0.0,
        };
        pre_tax - tax - rent_tax
    };
    for _ in 1..=c {
        let capex = inp.capex / f64::from(c);
        net.push(year(0.0, 0.0, 0.0, 0.0, capex, 0.0, 0.0, true));
    }
    // Without construction years, the first year (production or closure) carries the capex.
    let mut first_capex = (c == 0).then_some(inp.capex);
    let room = MAX_YEARS.saturating_sub(c as usize);
    let mut shares = production_shares(&inp.ramp_up, inp.mine_life_y)
        .take(room)
        .peekable();
    let mut produced = false;
    while let Some(share) = shares.next() {
        produced = true;
        let revenue =
            ((inp.revenue_per_y * price_factor + inp.fixed_revenue_per_y) * share).max(0.0);
        let royalty = revenue * inp.royalty_pct / 100.0;
        let sustaining = if share > 0.0 {
            inp.sustaining_per_y
        } else {
            0.0
        };
        // The last production year carries closure.
        let closure = if shares.peek().is_none() {
            inp.closure
        } else {
            0.0
        };
        net.push(year(
            revenue,
            royalty,
            inp.opex_per_y * share,
            inp.logistics_per_y * share,
            first_capex.take().unwrap_or(0.0),
            sustaining,
            closure,
            false,
        ));
    }
    if !produced {
        let capex = first_capex.take().unwrap_or(0.0);
        net.push(year(0.0, 0.0, 0.0, 0.0, capex, 0.0, inp.closure, false));
    }
}

/// NPV (after or before tax) of a schedule at `rate_pct`.
pub fn value(years: &[YearFlow], rate_pct: f64, discounting: Discounting, after_tax: bool) -> f64 {
    let flows = years
        .iter()
        .map(|y| if after_tax { y.net } else { y.pre_tax });
    npv_of(rate_pct / 100.0, flows, discounting)
}

/// NPV of the schedule with every price times `k`, its flows built in `scratch` (the
/// price searches evaluate it a dozen times per project): [`value`] of [`schedule`] to
/// the last bit.
pub fn value_at(
    inputs: &ScheduleInputs,
    k: f64,
    scratch: &std::cell::RefCell<Vec<f64>>,
    rate_pct: f64,
    discounting: Discounting,
    after_tax: bool,
) -> f64 {
    let mut flows = scratch.borrow_mut();
    flows_into(inputs, k, after_tax, &mut flows);
    npv_of(rate_pct / 100.0, flows.iter().copied(), discounting)
}

/// The schedule inputs of a project from its production and costs (fixed-money revenue,
/// such as priced by-products, kept apart from the revenue that moves with the deck).
pub fn schedule_inputs(
    p: &crate::model::grade::Production,
    c: &crate::model::cost::Costs,
    a: &crate::assumptions::Assumptions,
) -> ScheduleInputs {
    ScheduleInputs {
        revenue_per_y: p.annual_revenue_musd - p.fixed_revenue_musd_per_y,
        fixed_revenue_per_y: p.fixed_revenue_musd_per_y,
        opex_per_y: c.opex_musd_per_y,
        logistics_per_y: c.logistics_musd_per_y,
        royalty_pct: c.royalty_pct,
        tax_rate_pct: c.tax_rate_pct,
        fiscal: c.fiscal.clone(),
        capex: c.capex_musd,
        sustaining_per_y: c.sustaining_musd_per_y,
        closure: c.closure_musd,
        depreciation_y: c.depreciation_y,
        construction_y: c.construction_y,
        mine_life_y: p.mine_life_y,
        ramp_up: a.schedule.ramp_up.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Cash-flow series of several shapes: an investment's, a loss-maker's, one without a
    /// sign change, lengths 1 to 60 years.
    fn series() -> Vec<Vec<f64>> {
        let mut out = Vec::new();
        for len in [1, 2, 7, 30, 31, 60] {
            for (capex, margin) in [(900.0, 140.0), (900.0, 20.0), (0.0, 50.0), (1e6, 1.0)] {
                out.push(
                    (0..len)
                        .map(|k| {
                            if k < 3 {
                                -capex / 3.0
                            } else {
                                margin + k as f64
                            }
                        })
                        .collect(),
                );
            }
        }
        out
    }

    /// The scan of several roots gives `npv`'s bits at every rate of its grid, for flows
    /// of every length up to the tables' and beyond.
    #[test]
    fn the_roots_scan_is_npv_at_each_rate_to_the_last_bit() {
        let mut all = series();
        // Flows with a closure outflow after production (two sign changes), up to and
        // past the tables' length.
        for len in [
            3,
            45,
            MAX_YEARS,
            MAX_YEARS + 1,
            MAX_YEARS + 2,
            MAX_YEARS + 9,
        ] {
            all.push(
                (0..len)
                    .map(|k| match k {
                        0 => -500.0,
                        k if k + 1 == len => -80.0,
                        k => 60.0 + (k as f64 * 0.37).sin() * 9.0,
                    })
                    .collect(),
            );
        }
        let grid = roots_grid();
        for flows in all {
            let (scanned, values) = roots_scan(&flows);
            assert_eq!(scanned, grid);
            let want: Vec<u64> = grid
                .iter()
                .map(|r| npv(*r, &flows, Discounting::EndOfYear).to_bits())
                .collect();
            let got: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, want, "{} years", flows.len());
        }
    }

    #[test]
    fn a_discount_table_gives_the_bits_of_npv() {
        for rate in [0.0, 0.08, 0.1, -0.2] {
            for d in [Discounting::EndOfYear, Discounting::MidYear] {
                let table = DiscountTable::new(rate, d);
                for flows in series() {
                    assert_eq!(table.npv(&flows).to_bits(), npv(rate, &flows, d).to_bits());
                }
                let long = vec![1.0; MAX_YEARS + 5];
                assert_eq!(table.npv(&long).to_bits(), npv(rate, &long, d).to_bits());
            }
        }
    }

    #[test]
    fn two_sums_in_one_pass_give_the_bits_of_each_npv() {
        // The second series: a tenth carried off positive flows, a hazard compounding
        // after year 2 (the owner's share of the simulation's draws has this shape).
        let derived = |flows: &[f64]| -> Vec<f64> {
            let mut survive = 1.0;
            (0..flows.len())
                .map(|i| {
                    if i > 2 {
                        survive *= 0.97;
                    }
                    (flows[i] - 0.1 * flows[i].max(0.0)) * survive
                })
                .collect()
        };
        for rate in [0.0, 0.08, -0.2] {
            for d in [Discounting::EndOfYear, Discounting::MidYear] {
                let table = DiscountTable::new(rate, d);
                let mut all = series();
                all.push(vec![3.0; MAX_YEARS + 5]);
                for flows in all {
                    let other = derived(&flows);
                    let (a, b) = table.npv_with(&flows, |i, _| other[i]);
                    assert_eq!(a.to_bits(), npv(rate, &flows, d).to_bits());
                    assert_eq!(b.to_bits(), npv(rate, &other, d).to_bits());
                }
            }
        }
    }

    #[test]
    fn npv_by_hand() {
        // -100 at end of year 1, +60 at end of years 2 and 3, at 10 %:
        // -100/1.1 + 60/1.21 + 60/1.331 = -90.9091 + 49.5868 + 45.0789 = 3.7566
        let v = npv(0.10, &[-100.0, 60.0, 60.0], Discounting::EndOfYear);
        assert!(close(v, 3.756574, 1e-6), "{v}");
        // Mid-year: the same times (1.1)^0.5.
        let m = npv(0.10, &[-100.0, 60.0, 60.0], Discounting::MidYear);
        assert!(close(m, v * 1.1f64.sqrt(), 1e-9));
    }

    #[test]
    fn matches_numpy_financial_conventions() {
        // numpy-financial docs: npf.npv(0.281, [-100, 39, 59, 55, 20]) = -0.0084785916384548798,
        // with the first value at t = 0; ours puts it at t = 1, one period later.
        let ours = npv(
            0.281,
            &[-100.0, 39.0, 59.0, 55.0, 20.0],
            Discounting::EndOfYear,
        );
        assert!(
            close(ours * 1.281, -0.008_478_591_638_454_88, 1e-12),
            "{ours}"
        );
        // npf.irr([-100, 39, 59, 55, 20]) = 0.28094842115996066; IRR ignores the shift.
        match irr(&[-100.0, 39.0, 59.0, 55.0, 20.0]) {
            Irr::Unique { rate } => assert!(close(rate, 0.28094842115996066, 1e-9), "{rate}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_bracketed_search_finds_the_root_newton_misses() {
        // Newton from 900 % leaves the range; the grid brackets numpy-financial's root.
        let flows = [-100.0, 39.0, 59.0, 55.0, 20.0];
        assert_eq!(irr_newton(&flows, 9.0), None);
        for falling_only in [false, true] {
            let r = irr_from(&flows, 9.0, falling_only).unwrap();
            assert!(close(r, 0.28094842115996066, 1e-9), "{r}");
        }
        // Borrowing (money in, then out): NPV rises through zero, not an investment's root.
        let loan = [100.0, -39.0, -59.0, -55.0, -20.0];
        assert!(irr_from(&loan, 9.0, true).is_none());
        assert!(close(
            irr_from(&loan, 9.0, false).unwrap(),
            0.28094842115996066,
            1e-9
        ));
    }

    /// The bracketed search rate by rate, each NPV from its own discount table (as it ran
    /// before the grid's rates were taken eight at a time).
    fn bracketed_rate_by_rate(flows: &[f64], falling_only: bool) -> Option<f64> {
        let f = |r: f64| npv(r, flows, Discounting::EndOfYear);
        let mut prev: Option<(f64, f64)> = None;
        for r in bracket_grid() {
            let v = DiscountTable::new(r, Discounting::EndOfYear).npv(flows);
            if v == 0.0 && !falling_only {
                return Some(r);
            }
            if let Some((pr, pv)) = prev {
                let brackets = if falling_only {
                    pv > 0.0 && v <= 0.0
                } else {
                    pv.signum() != v.signum()
                };
                if brackets {
                    return match irr_newton(flows, (pr + r) / 2.0) {
                        Some(root) if (pr..=r).contains(&root) => Some(root),
                        _ => Some(bisect(&f, pr, r, pv)),
                    };
                }
            }
            prev = Some((r, v));
        }
        None
    }

    #[test]
    fn irrs_searched_in_lanes_have_the_bits_of_each_searched_alone() {
        // Series of many shapes and lengths (Newton converging fast, slowly, leaving the
        // range, the grid's fallback, no root, a NaN), in batches of every size, from
        // guesses inside and outside the range.
        let mut all = series();
        all.push(vec![-100.0, 39.0, 59.0, 55.0, 20.0]);
        all.push(vec![-10.0, 600.0, 600.0, 600.0, -150.0]);
        all.push(vec![-1e-300, 1e-300]);
        all.push(vec![-100.0, f64::NAN, 50.0]);
        all.push(vec![100.0, -39.0, -59.0, -55.0, -20.0]);
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..300 {
            let len = 2 + (next() * 60.0) as usize;
            let build = 1 + (next() * 4.0) as usize;
            let capex = 100.0 + 2000.0 * next();
            let margin = -20.0 + 300.0 * next();
            all.push(
                (0..len)
                    .map(|k| {
                        if k < build {
                            -capex / build as f64
                        } else if k + 1 == len {
                            margin - 200.0 * next()
                        } else {
                            margin * (0.5 + next())
                        }
                    })
                    .collect(),
            );
        }
        let long: Vec<f64> = (0..MAX_YEARS + 3)
            .map(|k| if k < 2 { -500.0 } else { 30.0 })
            .collect();
        all.push(long);
        // The bracketed search, eight grid rates at a time, against rate by rate.
        let mut bracketed = 0;
        for s in &all {
            for falling_only in [true, false] {
                let want = bracketed_rate_by_rate(s, falling_only);
                let got = irr_bracketed(s, falling_only);
                assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{s:?}");
                bracketed += usize::from(got.is_some());
            }
        }
        assert!(bracketed > 300, "{bracketed}");
        let mut lanes = IrrLanes::default();
        let mut out = Vec::new();
        let mut searched = 0;
        for guess in [0.1, 0.25, -0.5, 3.0, 9.9, -0.995, 12.0] {
            for falling_only in [true, false] {
                for size in 1..=LANES {
                    for batch in all.chunks(size) {
                        for s in batch {
                            lanes.push(s);
                        }
                        lanes.solve(guess, falling_only, &mut out);
                        assert_eq!(out.len(), batch.len());
                        for (s, got) in batch.iter().zip(&out) {
                            let want = irr_from(s, guess, falling_only);
                            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{s:?}");
                            searched += 1;
                        }
                    }
                }
            }
        }
        assert!(lanes.is_empty());
        assert!(searched > 30_000);
    }

    #[test]
    fn irr_without_sign_change_is_none_never_nan() {
        assert!(matches!(irr(&[100.0, 50.0]), Irr::None { .. }));
        assert!(matches!(irr(&[-100.0, -50.0]), Irr::None { .. }));
        assert!(matches!(irr(&[]), Irr::None { .. }));
        assert_eq!(irr(&[100.0]).pct(), None);
    }

    #[test]
    fn irr_with_two_sign_changes_reports_both_roots() {
        // -100 + 230x - 132x² = 0 with x = 1/(1+r): roots r = 10 % and 20 %.
        match irr(&[-100.0, 230.0, -132.0]) {
            Irr::Multiple { rates } => {
                assert_eq!(rates.len(), 2);
                assert!(
                    close(rates[0], 0.10, 1e-9) && close(rates[1], 0.20, 1e-9),
                    "{rates:?}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_far_negative_root_from_an_end_outflow_is_not_the_irr() {
        // Invest, earn, then a closure outflow: roots near -97 % and at the investment's IRR.
        let flows = [-100.0, 30.0, 30.0, 30.0, 30.0, -5.0];
        let Irr::Unique { rate } = irr(&flows) else {
            panic!("{:?}", irr(&flows))
        };
        assert!(rate > 0.0 && npv(rate, &flows, Discounting::EndOfYear).abs() < 1e-8);
    }

    #[test]
    fn an_irr_beyond_the_range_is_said_so_not_replaced_by_an_artefact() {
        // Invest 10, earn 600 a year for 40 years, pay 150 to close: the return is far above
        // 1,000 %; the only root in range is the closure artefact near -100 %.
        let mut flows = vec![-10.0];
        flows.extend(std::iter::repeat_n(600.0, 40));
        flows.push(-150.0);
        match irr(&flows) {
            Irr::None { reason } => assert!(reason.contains("above 1,000 %"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn irr_makes_npv_zero() {
        let flows = [-50.0, -150.0, 40.0, 80.0, 80.0, 80.0, -10.0];
        let Irr::Unique { rate } = irr(&flows[..6]) else {
            panic!()
        };
        assert!(npv(rate, &flows[..6], Discounting::EndOfYear).abs() < 1e-8);
    }

    #[test]
    fn payback_interpolates_within_the_year() {
        // Capex 100 in year 1; 40 a year from year 2: cumulative -100, -60, -20, +20.
        let flows = [-100.0, 40.0, 40.0, 40.0];
        assert_eq!(payback(&flows, 1, None), Some(2.5)); // 2.5 years after production starts
        assert_eq!(payback(&flows, 0, None), Some(3.5)); // from the start of construction
        assert_eq!(payback(&[-100.0, 10.0], 1, None), None);
        // Discounted at 10 %: -90.91, +33.06, +30.05, +27.32 leaves -0.48 after year 4;
        // a fifth year's +24.84 turns it 0.02 into year 5, 3.02 years after production starts.
        assert_eq!(payback(&flows, 1, Some(0.10)), None);
        let d = payback(&[-100.0, 40.0, 40.0, 40.0, 40.0], 1, Some(0.10)).unwrap();
        assert!(close(d, 3.0 + 0.4821 / 24.8369, 1e-3), "{d}");
    }

    fn inputs() -> ScheduleInputs {
        ScheduleInputs {
            revenue_per_y: 100.0,
            fixed_revenue_per_y: 0.0,
            opex_per_y: 40.0,
            logistics_per_y: 0.0,
            royalty_pct: 5.0,
            tax_rate_pct: 30.0,
            fiscal: Default::default(),
            capex: 200.0,
            sustaining_per_y: 0.0,
            closure: 10.0,
            depreciation_y: 5,
            construction_y: 2,
            mine_life_y: 5.5,
            ramp_up: vec![0.5],
        }
    }

    #[test]
    fn schedule_by_hand() {
        let s = schedule(&inputs(), 1.0);
        // 2 construction years, production shares 0.5, 1, 1, 1, 1, 1 (5.5 years).
        let shares: Vec<f64> = s.iter().map(|f| f.output_share).collect();
        assert_eq!(shares, [0.0, 0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(s[0].capex, 100.0);
        // Year 3: revenue 50, royalty 2.5, opex 20: pre-tax 27.5; taxable 27.5 - 40 depreciation < 0.
        assert_eq!(s[2].pre_tax, 27.5);
        assert_eq!(s[2].tax, 0.0);
        // Year 4: pre-tax 55, taxable 15, minus the 12.5 loss carried from year 3: tax 30 % x 2.5.
        assert!((s[3].tax - 0.75).abs() < 1e-12, "{}", s[3].tax);
        // Year 8 (sixth production year) has no depreciation left and carries closure:
        // taxable 55 - 10 = 45, tax 13.5, net 55 - 10 - 13.5 = 31.5.
        assert!((s[7].tax - 13.5).abs() < 1e-12);
        assert!((s[7].net - 31.5).abs() < 1e-12);
        assert_eq!(s[7].closure, 10.0);
        let total_output: f64 = shares.iter().sum();
        assert!((total_output - 5.5).abs() < 1e-12);
    }

    #[test]
    fn a_schedule_stops_at_150_years_and_says_how_much_it_left_out() {
        // 2 construction years, then 148 of the billion-year plan: 150 years in all.
        let mut inp = inputs();
        inp.mine_life_y = 1e9;
        let s = schedule(&inp, 1.0);
        assert_eq!(s.len(), 150);
        assert_eq!(s.last().unwrap().closure, 10.0);
        assert_eq!(cut_output_y(&inp, &s), 1e9 - 147.5);
        assert_eq!(cut_output_y(&inputs(), &schedule(&inputs(), 1.0)), 0.0);
    }

    #[test]
    fn flows_are_the_schedules_net_and_pre_tax_to_the_last_bit() {
        let formula = crate::assumptions::RoyaltyFormula {
            intercept_pct: 0.5,
            ebit_divisor: 12.5,
            cap_pct: 5.0,
        };
        let rent = crate::model::fiscal::RentTax {
            rate_pct: 25.0,
            threshold_pct: 20.0,
        };
        let mut net = Vec::new();
        let mut cases = 0;
        for construction_y in [0, 1, 3, 150, 160] {
            for mine_life_y in [0.0, 0.3, 5.5, 12.0, 1e9, f64::INFINITY] {
                for (formula, rent) in [
                    (None, None),
                    (Some(formula), None),
                    (None, Some(rent)),
                    (Some(formula), Some(rent)),
                ] {
                    for (capex, opex, fixed) in
                        [(200.0, 40.0, 0.0), (900.0, 95.0, -7.0), (0.0, 10.0, 3.0)]
                    {
                        for price_factor in [0.0, 0.6, 1.0, 2.5] {
                            let mut inp = inputs();
                            inp.construction_y = construction_y;
                            inp.mine_life_y = mine_life_y;
                            inp.fiscal.royalty_formula = formula;
                            inp.fiscal.rent_tax = rent;
                            inp.capex = capex;
                            inp.opex_per_y = opex;
                            inp.fixed_revenue_per_y = fixed;
                            inp.sustaining_per_y = 3.0;
                            inp.logistics_per_y = 4.0;
                            inp.ramp_up = vec![0.0, 0.5, 0.8];
                            let years = schedule(&inp, price_factor);
                            for after_tax in [true, false] {
                                flows_into(&inp, price_factor, after_tax, &mut net);
                                let want: Vec<u64> = years
                                    .iter()
                                    .map(|y| if after_tax { y.net } else { y.pre_tax }.to_bits())
                                    .collect();
                                let got: Vec<u64> = net.iter().map(|x| x.to_bits()).collect();
                                assert_eq!(got, want, "{inp:?} at {price_factor}, {after_tax}");
                                // The price searches' NPV is the schedule's.
                                for d in [Discounting::EndOfYear, Discounting::MidYear] {
                                    let scratch = std::cell::RefCell::new(Vec::new());
                                    let npv =
                                        value_at(&inp, price_factor, &scratch, 8.0, d, after_tax);
                                    let want = value(&years, 8.0, d, after_tax);
                                    assert_eq!(npv.to_bits(), want.to_bits(), "{inp:?}");
                                }
                            }
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(cases, 5 * 6 * 4 * 3 * 4);
    }

    #[test]
    fn price_factor_scales_revenue_and_royalty_only() {
        let a = schedule(&inputs(), 1.0);
        let b = schedule(&inputs(), 2.0);
        assert_eq!(b[3].revenue, 2.0 * a[3].revenue);
        assert_eq!(b[3].opex, a[3].opex);
    }

    #[test]
    fn breakeven_factor_by_bisection() {
        // NPV = 200 k - 100: zero at k = 0.5.
        let k = breakeven_factor(|k| 200.0 * k - 100.0).unwrap();
        assert!(close(k, 0.5, 1e-9));
        assert_eq!(breakeven_factor(|k| 10.0 + k), None);
    }
}
