//! Cash flows under uncertainty: a seeded Monte Carlo over prices (correlated lognormal),
//! grade and tonnage (by resource category), recovery, capex and opex (by study accuracy
//! band), lead time (PERT stage durations) and the regulatory outcome. Summaries are
//! percentiles (P10 is the 10th percentile: the pessimistic side for NPV), means, the
//! chance of a positive NPV, and a sensitivity analysis (tornado and rank correlation).
//!
//! Reproducible to the last digit: every project and every driver draws from its own
//! stream, seeded from the run's seed, the project id and the driver's name, and a
//! project's draws run in order on one thread. The thread count, the order of the records
//! and the other records change nothing.

use rand::distr::Distribution;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::Serialize;

use crate::assumptions::{Assumptions, Pert};
use crate::model::cashflow::{self, DiscountTable, Discounting, ScheduleInputs, YearFlow};
use crate::model::leadtime::LeadTime;
use crate::model::order::Sorter;
use crate::read::record::StudyStage;

/// The drivers of a project's value, in a fixed order.
pub const DRIVERS: [&str; 15] = [
    "price_ndpr",
    "price_dytb",
    "price_light",
    "price_heavy",
    "price_ni",
    "price_cu",
    "price_co",
    "price_mn",
    "grade",
    "tonnage",
    "recovery",
    "capex",
    "opex",
    "lead_time",
    "regulatory",
];
const PRICES: usize = 8;
const GRADE: usize = 8;
const TONNAGE: usize = 9;
const RECOVERY: usize = 10;
const CAPEX: usize = 11;
const OPEX: usize = 12;
const LEAD: usize = 13;
const REGULATORY: usize = 14;

/// The price driver of the oxide at position `i` of [`OXIDES`](crate::read::record::OXIDES):
/// NdPr (0), Dy+Tb (1), light La and Ce (2), every other (3).
pub fn price_driver_of_oxide(i: usize) -> usize {
    use crate::read::record::oxide::{CE, DY, LA, ND, PR, TB};
    match i {
        PR | ND => 0,
        TB | DY => 1,
        LA | CE => 2,
        _ => 3,
    }
}

/// The statement every simulated output carries.
pub const PERCENTILE_CONVENTION: &str = "P10, P50, P90 are the 10th, 50th and 90th percentiles of the simulated values (linear interpolation between order statistics, as numpy's default); for NPV and IRR, P10 is the pessimistic side; for first-production year, P90 is the late side";

/// Run-wide simulation choices.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOptions {
    pub draws: usize,
    pub seed: u64,
    /// Drivers held at their base value.
    pub fixed: Vec<String>,
    /// Keep every draw's NPV and lead time (for `--keep-draws`).
    pub keep_draws: bool,
}

/// How a cost factor is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorDist {
    /// PERT(min, mode, max) around 1 (a study's figure and its accuracy band).
    Pert(Pert),
    /// Median-preserving lognormal with this spread in log units (a curve estimate).
    LogNormal(f64),
}

/// Everything a draw needs, from the deterministic appraisal. Serialised in the output
/// (`simulation.model`) so that the draws can be audited and reproduced elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrawModel {
    /// The deterministic schedule's inputs, which the draws scale.
    #[serde(rename = "schedule")]
    pub inputs: ScheduleInputs,
    /// Nameplate revenue by price driver (US$ million a year at the deck's prices).
    #[serde(rename = "revenue_parts_musd_per_y")]
    pub revenue_parts: [f64; PRICES],
    pub grade_cv: f64,
    pub tonnage_cv: f64,
    /// Whether the mine life came from tonnage (then tonnage uncertainty moves it).
    pub life_from_tonnage: bool,
    /// TREO recovery, % (rare earths), for the recovery driver.
    pub recovery_pct: Option<f64>,
    pub capex: FactorDist,
    pub opex: FactorDist,
    /// Stage durations (in the appraisal's `lead_time`).
    #[serde(skip)]
    pub lead_time: LeadTime,
    #[serde(skip)]
    pub chance_of_success: f64,
    /// The owner's terms: free carry, post-production hazard, the chance of reaching the
    /// decision point and of a failed build (the decision rule of docs/models.md).
    pub owner: crate::model::owner::OwnerTerms,
    /// Real discount rate, %.
    pub rate_pct: f64,
    pub discounting: Discounting,
    /// The deterministic IRR (a fraction), where each draw's search starts.
    #[serde(skip)]
    pub base_irr: Option<f64>,
    /// For a built mine: the care-and-maintenance holding cost, % of opex; each draw then
    /// takes the best of operating, care and maintenance and closing (`model::idle`, issue
    /// 14). `None` for a project still to build.
    pub idle_holding_pct: Option<f64>,
}

/// P10, P50, P90 and mean of a simulated quantity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    pub mean: f64,
}

/// A driver's effect on NPV.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriverEffect {
    pub driver: String,
    /// NPV with this driver at its P10 and at its P90, every other at base, US$ million.
    pub npv_at_p10_musd: f64,
    pub npv_at_p90_musd: f64,
    /// |NPV at P90 - NPV at P10|, US$ million (the tornado bar).
    pub swing_musd: f64,
    /// Spearman rank correlation of the driver's draws with NPV across the simulation.
    pub rank_correlation: f64,
}

/// What the simulation says of one project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimSummary {
    pub draws: usize,
    /// NPV at the start of construction, US$ million.
    pub npv_musd: Spread,
    /// Standard error of the NPV mean, US$ million.
    pub npv_std_error_musd: f64,
    pub prob_npv_positive: f64,
    /// IRR percentiles over the draws that have a unique IRR, %.
    pub irr_pct: Option<Spread>,
    pub draws_with_irr: usize,
    /// Years from `as_of` to first production.
    pub years_to_first_production: Spread,
    /// Calendar years of first production (P10 early, P90 late).
    pub first_production_year: YearSpread,
    /// Mean over draws of the owner's risked value: (reaches the decision point and the
    /// owner's value there is positive ? that value discounted to as_of : 0), US$ million;
    /// never below zero.
    pub risked_npv_musd: f64,
    /// Share of draws in which the owner proceeds at the decision point (its value there
    /// is positive), 0-1.
    pub prob_proceeds: f64,
    /// Every driver, largest swing first.
    pub sensitivity: Vec<DriverEffect>,
    /// Every draw's NPV (US$ million) and years to first production, when kept.
    #[serde(skip)]
    pub kept: Vec<(f64, f64)>,
    /// What the draws were drawn from.
    pub model: DrawModel,
    /// A price floor valued over the draws' own NdPr prices (issue 18; null without one).
    #[serde(skip)]
    pub price_floor: Option<crate::model::instruments::FloorDraws>,
}

/// Calendar-year percentiles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearSpread {
    pub p10: i32,
    pub p50: i32,
    pub p90: i32,
}

/// FNV-1a of text, 64 bits.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// SplitMix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The random stream of one driver of one project.
pub fn stream(seed: u64, project: &str, driver: &str) -> Pcg64Mcg {
    Pcg64Mcg::seed_from_u64(mix(seed
        ^ mix(fnv(project))
        ^ mix(fnv(driver).rotate_left(17))))
}

/// The linear-interpolation quantile of sorted values (numpy's default).
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The spread of values sorted by [`f64::total_cmp`] (the mean summed in that order).
fn spread_of_sorted(v: &[f64]) -> Spread {
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    Spread {
        p10: quantile(v, 0.1),
        p50: quantile(v, 0.5),
        p90: quantile(v, 0.9),
        mean,
    }
}

/// Ranks with ties averaged (1-based), and the values sorted.
fn ranks(values: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (mut r, mut sorted) = (Vec::new(), Vec::new());
    Sorter::default().ranks_into(values, &mut r, &mut sorted);
    (r, sorted)
}

/// Pearson correlation of two rank vectors: Spearman's rho; 0 when either is constant.
fn rank_correlation(ra: &[f64], rb: &[f64]) -> f64 {
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(rb) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa == 0.0 || sbb == 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Spearman rank correlation; 0 when either side is constant.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    rank_correlation(&ranks(a).0, &ranks(b).0)
}

fn pert(p: Pert) -> Option<rand_distr::Pert<f64>> {
    if p[2] > p[0] {
        rand_distr::Pert::new(p[0], p[2])
            .with_mode(p[1].clamp(p[0], p[2]))
            .ok()
    } else {
        None
    }
}

/// A cost factor's distribution, built once for a project's draws.
enum FactorSampler {
    Pert(rand_distr::Pert<f64>),
    /// A degenerate PERT: its mode, drawing nothing.
    Fixed(f64),
    LogNormal(f64),
}

impl FactorSampler {
    fn new(d: FactorDist) -> FactorSampler {
        match d {
            FactorDist::Pert(p) => pert(p).map_or(FactorSampler::Fixed(p[1]), FactorSampler::Pert),
            FactorDist::LogNormal(s) => FactorSampler::LogNormal(s),
        }
    }

    /// A draw of the factor.
    fn draw(&self, rng: &mut Pcg64Mcg, normal: &statrs::distribution::Normal) -> f64 {
        match self {
            FactorSampler::Pert(dist) => dist.sample(rng),
            FactorSampler::Fixed(v) => *v,
            FactorSampler::LogNormal(s) => (s * normal.sample(rng)).exp(),
        }
    }
}

/// The accuracy band of a study at `stage` (0.25 = ±25 %).
pub fn accuracy_band(a: &Assumptions, stage: StudyStage) -> f64 {
    a.uncertainty
        .accuracy_band
        .get(stage.as_str())
        .copied()
        .unwrap_or(a.uncertainty.rules.band_fallback)
}

/// The NPV (and IRR when asked) of a schedule with these driver values.
struct Evaluator<'a> {
    m: &'a DrawModel,
    /// The schedule inputs of the draw at hand (reused: no allocation per draw).
    inputs: ScheduleInputs,
    buffer: Vec<YearFlow>,
    flows: Vec<f64>,
    /// Discount factors at the project's rate (no power per NPV).
    discount: DiscountTable,
}

impl<'a> Evaluator<'a> {
    fn new(m: &'a DrawModel) -> Evaluator<'a> {
        Evaluator {
            m,
            inputs: m.inputs.clone(),
            buffer: Vec::with_capacity(cashflow::MAX_YEARS),
            flows: Vec::with_capacity(cashflow::MAX_YEARS),
            discount: DiscountTable::new(m.rate_pct / 100.0, m.discounting),
        }
    }

    /// The NPV of a draw with these driver values, US$ million; its net flows are left in
    /// `self.flows`.
    fn npv(&mut self, v: &[f64; 14]) -> f64 {
        self.flows_of(v);
        self.discount.npv(&self.flows)
    }

    /// The NPV of a draw with these driver values and the owner's NPV of it (after the
    /// free carry and the post-production hazard), US$ million, in one pass over its net
    /// flows, which are left in `self.flows`.
    fn npv_and_owners(&mut self, v: &[f64; 14]) -> (f64, f64) {
        self.flows_of(v);
        let mut share = crate::model::owner::OwnerShare::new(&self.m.owner);
        self.discount.npv_with(&self.flows, |i, cf| share.of(i, cf))
    }

    /// The net flows of a draw with these driver values into `self.flows`.
    fn flows_of(&mut self, v: &[f64; 14]) {
        let m = self.m;
        let base = &m.inputs;
        let output = v[GRADE] * v[RECOVERY];
        let inp = &mut self.inputs;
        inp.revenue_per_y = m
            .revenue_parts
            .iter()
            .zip(v)
            .map(|(r, f)| r * f)
            .sum::<f64>()
            * output;
        inp.fixed_revenue_per_y = base.fixed_revenue_per_y * output;
        inp.logistics_per_y = base.logistics_per_y * output;
        inp.opex_per_y = base.opex_per_y * v[OPEX];
        inp.capex = base.capex * v[CAPEX];
        inp.sustaining_per_y = base.sustaining_per_y * v[CAPEX];
        inp.closure = base.closure * v[CAPEX];
        inp.mine_life_y = if m.life_from_tonnage {
            base.mine_life_y * v[TONNAGE]
        } else {
            base.mine_life_y
        };
        if let Some(pct) = m.idle_holding_pct {
            // A built mine: the owner's choice between operating, care and maintenance and
            // closing needs the whole schedule.
            cashflow::schedule_into(inp, 1.0, &mut self.buffer);
            let holding = inp.opex_per_y * pct / 100.0;
            let (_, course) = crate::model::idle::decide(
                &self.buffer,
                inp.closure,
                holding,
                m.rate_pct,
                m.discounting,
            );
            if let Some(c) = course {
                self.buffer = c;
            }
            self.flows.clear();
            self.flows.extend(self.buffer.iter().map(|y| y.net));
        } else {
            // The net flows alone, the schedule's to the last bit.
            cashflow::flows_into(inp, 1.0, true, &mut self.flows);
        }
    }
}

/// Whether a draw's net flows can have an IRR: some negative and some positive.
fn may_have_irr(flows: &[f64]) -> bool {
    flows.iter().any(|c| *c < 0.0) && flows.iter().any(|c| *c > 0.0)
}

/// The IRRs (%) of the draws waiting in `lanes`, in order, onto `irrs`: each draw's
/// Newton's method from `guess` (the base case's IRR), falling back to the investment
/// root bracketed on the cash-flow model's grid ([`cashflow::irr_from`]; the lanes give
/// its bits).
fn solve_irrs(
    lanes: &mut cashflow::IrrLanes,
    guess: f64,
    found: &mut Vec<Option<f64>>,
    irrs: &mut Vec<f64>,
) {
    lanes.solve(guess, true, found);
    irrs.extend(found.iter().flatten().map(|r| r * 100.0));
}

/// Bytes one draw holds while its project is simulated: the 14 factors drawn, the NPV,
/// first-production year and IRR, a rank per driver for the correlations, and twice the
/// NPV and year for the percentiles' sorted copies (and the kept draws).
pub const BYTES_PER_DRAW: u64 = (std::mem::size_of::<[f64; 14]>() + 3 * 8 + 8 + 2 * 16) as u64;

/// Memory the simulation of `draws` draws needs with `threads` projects at a time, bytes
/// (saturating: `u64::MAX` means more than can be counted).
pub fn memory_needed(draws: usize, threads: usize) -> u64 {
    (draws as u64)
        .saturating_mul(BYTES_PER_DRAW)
        .saturating_mul(threads.max(1) as u64)
}

/// The per-draw columns of one project's simulation, kept by each thread from one project
/// to the next: allocated afresh, these megabytes came from pages the allocator had
/// returned to the system, and the kernel's zeroing of them was a sixth of a simulation's
/// time (perf: `clear_page_erms`).
#[derive(Default)]
struct Workspace {
    values: Vec<[f64; 14]>,
    years_first: Vec<f64>,
    npvs: Vec<f64>,
    irrs: Vec<f64>,
    sorter: Sorter,
    npv_ranks: Vec<f64>,
    sorted: Vec<f64>,
    column: Vec<f64>,
    column_ranks: Vec<f64>,
    /// Draws whose IRRs are searched together.
    lanes: cashflow::IrrLanes,
    found: Vec<Option<f64>>,
}

thread_local! {
    static WORKSPACE: std::cell::RefCell<Workspace> = std::cell::RefCell::default();
}

/// Simulates one project.
pub fn simulate(id: &str, m: &DrawModel, a: &Assumptions, opts: &SimOptions) -> SimSummary {
    simulate_with(id, m, a, opts, None)
}

/// Simulates one project and values `floor`, a price floor, over the same draws (issue
/// 18): the draws, and so every other figure, are those of [`simulate`].
pub fn simulate_with(
    id: &str,
    m: &DrawModel,
    a: &Assumptions,
    opts: &SimOptions,
    floor: Option<&crate::model::instruments::FloorModel>,
) -> SimSummary {
    WORKSPACE.with(|w| match w.try_borrow_mut() {
        Ok(mut w) => simulate_in(&mut w, id, m, a, opts, floor),
        // Never nested; a fresh workspace if it ever were.
        Err(_) => simulate_in(&mut Workspace::default(), id, m, a, opts, floor),
    })
}

fn simulate_in(
    w: &mut Workspace,
    id: &str,
    m: &DrawModel,
    a: &Assumptions,
    opts: &SimOptions,
    floor: Option<&crate::model::instruments::FloorModel>,
) -> SimSummary {
    let n = opts.draws.max(1);
    let held: [bool; 15] = std::array::from_fn(|d| opts.fixed.iter().any(|f| f == DRIVERS[d]));
    let fixed = |d: usize| held[d];
    let (capex_factor, opex_factor) = (FactorSampler::new(m.capex), FactorSampler::new(m.opex));
    let lead_time = m.lead_time.sampler();
    let u = &a.uncertainty;
    let floors = (u.rules.grade_factor_floor, u.rules.tonnage_factor_floor);
    let normal = statrs::distribution::Normal::standard();
    let mut rngs: Vec<Pcg64Mcg> = DRIVERS.iter().map(|d| stream(opts.seed, id, d)).collect();
    let sigma = &u.prices.sigma;
    let chol = &u.price_cholesky;
    let recovery_tri = &u.recovery_pts;
    let tri = statrs::distribution::Triangular::new(
        recovery_tri.min,
        recovery_tri.max,
        recovery_tri.mode,
    )
    .ok();

    let Workspace {
        values,
        years_first,
        npvs,
        irrs,
        sorter,
        npv_ranks,
        sorted,
        column,
        column_ranks,
        lanes,
        found,
    } = w;
    for column in [&mut *years_first, &mut *npvs, &mut *irrs] {
        column.clear();
    }
    values.clear();
    lanes.clear();
    let mut risked = 0.0;
    let mut proceeds = 0usize;
    let mut eval = Evaluator::new(m);
    let mut floor_draws = crate::model::instruments::FloorDraws::default();
    let guess = m.base_irr.unwrap_or(0.1);
    // The price factors a draw uses: those of the drivers the project earns revenue from,
    // and the first (NdPr), which a price floor reads. The others stay 1 (they move
    // nothing: their revenue is zero, and the tornado and the correlations leave them out),
    // so their `exp` is not taken; each driver's normal is still drawn from its stream.
    let priced: [bool; PRICES] =
        std::array::from_fn(|i| !fixed(i) && (i == 0 || m.revenue_parts[i] != 0.0));
    for _ in 0..n {
        let mut v = [1.0; 14];
        // Prices: correlated standard normals through the Cholesky factor, each normal from
        // its own driver's stream, so that adding a driver changes no other's draws.
        let z: [f64; PRICES] = std::array::from_fn(|k| normal.sample(&mut rngs[k]));
        for i in (0..PRICES).filter(|i| priced[*i]) {
            let y: f64 = (0..=i).map(|k| chol[i][k] * z[k]).sum();
            v[i] = (sigma[i] * y - sigma[i] * sigma[i] / 2.0).exp();
        }
        let g = 1.0 + m.grade_cv * normal.sample(&mut rngs[GRADE]);
        let t = 1.0 + m.tonnage_cv * normal.sample(&mut rngs[TONNAGE]);
        if !fixed(GRADE) {
            v[GRADE] = g.max(floors.0);
        }
        if !fixed(TONNAGE) {
            v[TONNAGE] = t.max(floors.1);
        }
        if let (Some(r), Some(tri)) = (m.recovery_pct, &tri) {
            let shift = tri.sample(&mut rngs[RECOVERY]);
            if !fixed(RECOVERY) && r > 0.0 {
                v[RECOVERY] = ((r + shift).clamp(0.0, 100.0)) / r;
            }
        }
        let c = capex_factor.draw(&mut rngs[CAPEX], &normal);
        let o = opex_factor.draw(&mut rngs[OPEX], &normal);
        if !fixed(CAPEX) {
            v[CAPEX] = c;
        }
        if !fixed(OPEX) {
            v[OPEX] = o;
        }
        // Lead time, given that the project proceeds: the survival model, sampled.
        let (to_construction, to_first) = if fixed(LEAD) {
            let _ = lead_time.draw(&mut rngs[LEAD]);
            (
                m.lead_time.years_to_construction,
                m.lead_time.years_to_first_production,
            )
        } else {
            lead_time.draw(&mut rngs[LEAD])
        };
        v[LEAD] = to_first;
        // The decision: the project reaches its decision point with the owner's chance of
        // decision, and proceeds only if the owner's value there is positive in this draw.
        let reached =
            fixed(REGULATORY) || rngs[REGULATORY].random::<f64>() < m.owner.chance_of_decision;
        let (npv, owner_npv) = eval.npv_and_owners(&v);
        if may_have_irr(&eval.flows) {
            lanes.push(&eval.flows);
            if lanes.len() == cashflow::LANES {
                solve_irrs(lanes, guess, found, irrs);
            }
        }
        let at_decision =
            crate::model::owner::value_if_proceeds(owner_npv, m.inputs.capex * v[CAPEX], &m.owner);
        if at_decision > 0.0 {
            proceeds += 1;
            if reached {
                risked += at_decision / (1.0 + m.rate_pct / 100.0).powf(to_construction.max(0.0));
            }
        }
        if let Some(f) = floor {
            floor_draws.add(
                f,
                v[0],
                v[GRADE] * v[RECOVERY],
                at_decision,
                reached,
                to_construction,
            );
        }
        values.push(v);
        years_first.push(to_first);
        npvs.push(npv);
    }
    solve_irrs(lanes, guess, found, irrs);

    sorter.ranks_into(npvs, npv_ranks, sorted);
    let npv_spread = spread_of_sorted(sorted);
    let var = npvs
        .iter()
        .map(|x| (x - npv_spread.mean).powi(2))
        .sum::<f64>()
        / (n.max(2) - 1) as f64;
    sorter.sorted_into(years_first, sorted);
    let years = spread_of_sorted(sorted);
    let year = |y: f64| (f64::from(m.lead_time.as_of) + y).floor() as i32;
    let sensitivity = sensitivity(
        &mut eval,
        values,
        npv_ranks,
        sorter,
        [column, column_ranks, sorted],
    );
    SimSummary {
        draws: n,
        npv_std_error_musd: (var / n as f64).sqrt(),
        prob_npv_positive: npvs.iter().filter(|x| **x > 0.0).count() as f64 / n as f64,
        irr_pct: (!irrs.is_empty()).then(|| {
            sorter.sorted_into(irrs, sorted);
            spread_of_sorted(sorted)
        }),
        draws_with_irr: irrs.len(),
        first_production_year: YearSpread {
            p10: year(years.p10),
            p50: year(years.p50),
            p90: year(years.p90),
        },
        years_to_first_production: years,
        risked_npv_musd: risked / n as f64,
        prob_proceeds: proceeds as f64 / n as f64,
        npv_musd: npv_spread,
        sensitivity,
        kept: if opts.keep_draws {
            npvs.iter()
                .copied()
                .zip(years_first.iter().copied())
                .collect()
        } else {
            Vec::new()
        },
        model: m.clone(),
        price_floor: floor.map(|_| floor_draws.finish()),
    }
}

/// Tornado (each driver at its P10 and P90, others at base) and rank correlations.
fn sensitivity(
    eval: &mut Evaluator,
    values: &[[f64; 14]],
    npv_ranks: &[f64],
    sorter: &mut Sorter,
    [column, column_ranks, sorted]: [&mut Vec<f64>; 3],
) -> Vec<DriverEffect> {
    let mut out = Vec::new();
    let m = eval.m;
    let applies = |d: usize| match d {
        TONNAGE => m.life_from_tonnage,
        RECOVERY => m.recovery_pct.is_some(),
        _ if d < PRICES => m.revenue_parts[d] != 0.0,
        _ => true,
    };
    for d in (0..=OPEX).filter(|d| applies(*d)) {
        column.clear();
        column.extend(values.iter().map(|v| v[d]));
        sorter.ranks_into(column, column_ranks, sorted);
        let (lo, hi) = (quantile(sorted, 0.1), quantile(sorted, 0.9));
        let mut v = [1.0; 14];
        v[d] = lo;
        let at_lo = eval.npv(&v);
        v[d] = hi;
        let at_hi = eval.npv(&v);
        out.push(DriverEffect {
            driver: DRIVERS[d].to_owned(),
            npv_at_p10_musd: at_lo,
            npv_at_p90_musd: at_hi,
            swing_musd: (at_hi - at_lo).abs(),
            rank_correlation: rank_correlation(column_ranks, npv_ranks),
        });
    }
    out.sort_by(|a, b| {
        b.swing_musd
            .total_cmp(&a.swing_musd)
            .then_with(|| a.driver.cmp(&b.driver))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_without_a_band_takes_the_fallback_of_the_assumptions() {
        let mut a = Assumptions::defaults();
        assert_eq!(accuracy_band(&a, StudyStage::Pfs), 0.25);
        a.uncertainty.accuracy_band.remove("pfs");
        a.uncertainty.rules.band_fallback = 0.4;
        assert_eq!(accuracy_band(&a, StudyStage::Pfs), 0.4);
    }

    #[test]
    fn quantiles_follow_numpy_linear_interpolation() {
        // numpy.percentile([1, 2, 3, 4], [10, 50, 90]) = [1.3, 2.5, 3.7]
        let v = [1.0, 2.0, 3.0, 4.0];
        assert!((quantile(&v, 0.1) - 1.3).abs() < 1e-12);
        assert!((quantile(&v, 0.5) - 2.5).abs() < 1e-12);
        assert!((quantile(&v, 0.9) - 3.7).abs() < 1e-12);
    }

    #[test]
    fn spearman_of_monotone_and_reversed() {
        let a = [1.0, 2.0, 3.0, 4.0];
        assert!((spearman(&a, &[10.0, 20.0, 30.0, 45.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&a, &[4.0, 3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&a, &[1.0, 1.0, 1.0, 1.0]), 0.0);
    }

    #[test]
    fn streams_depend_on_seed_project_and_driver_only() {
        let x = |s, p, d| stream(s, p, d).random::<u64>();
        assert_eq!(x(1, "NOL", "capex"), x(1, "NOL", "capex"));
        assert_ne!(x(1, "NOL", "capex"), x(2, "NOL", "capex"));
        assert_ne!(x(1, "NOL", "capex"), x(1, "YAN", "capex"));
        assert_ne!(x(1, "NOL", "capex"), x(1, "NOL", "opex"));
    }

    #[test]
    fn sampled_moments_match_the_distributions() {
        // The price factors' moments are checked through simulate() in tests/numbers.rs.
        let normal = statrs::distribution::Normal::standard();
        // PERT(0.875, 1, 1.375): mean (0.875 + 4 + 1.375) / 6 = 1.041667.
        let mut rng = stream(7, "T", "capex");
        let p = FactorSampler::new(FactorDist::Pert([0.875, 1.0, 1.375]));
        let m = (0..200_000).map(|_| p.draw(&mut rng, &normal)).sum::<f64>() / 200_000.0;
        assert!((m - 1.041_667).abs() < 0.002, "{m}");
    }
}
