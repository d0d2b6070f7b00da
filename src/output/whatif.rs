//! The report's live what-if: controls for the price deck (a factor on every price of the
//! deck), the real discount rate and the ranking weights, which recompute the ranking, the
//! risked NPVs and the supply charts in the page, with no network.
//!
//! prospect appraises the input at every point of a grid of price factors x discount rates
//! (`[report.whatif]` of the assumptions) and embeds, per point and project, the raw
//! sub-criteria of the percentile ranking ([`crate::portfolio::rank`]) and the separated
//! supply of the timeline. The page interpolates them bilinearly between the grid's points
//! (at a point it takes them as computed) and applies the ranking's own formula: percentile
//! rank of each sub-criterion (ties averaged, a missing value lowest), a criterion the mean
//! of its sub-criteria, the weights normalised to sum to 1, score = sum of weight x
//! criterion, ties broken by id. At a grid point the page's ranking therefore equals
//! `prospect rank --price-factor K --discount-rate R --weight ...` on the same input,
//! draws and seed (a browser test holds it).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::appraisal::{Appraisal, Report};
use crate::portfolio::criteria::{Criteria, GROUPS, SUBCRITERIA};
use crate::portfolio::rank::{self, Ranking};
use crate::portfolio::timeline::{Band, Oxide, Timeline};
use crate::read::record::ProjectRecord;

/// `[report.whatif]`: the grid the report's what-if is computed on.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct WhatifGrid {
    /// Factors on every price of the deck (1 = the deck), ascending.
    pub price_factors: Vec<f64>,
    /// Real discount rates, %, ascending.
    pub discount_rates_pct: Vec<f64>,
    /// Inputs with more projects than this get no what-if (the grid appraises the input
    /// once per point, and embeds a few numbers per project and point), and the report says
    /// so.
    pub max_projects: usize,
}

/// `[report]` of the assumptions.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportAssumptions {
    pub whatif: WhatifGrid,
}

impl WhatifGrid {
    /// The grid's axes with the run's own factor and rate added (so the page starts on a
    /// computed point), each sorted and without repeats.
    pub fn axes(&self, factor: f64, rate_pct: f64) -> (Vec<f64>, Vec<f64>) {
        let axis = |v: &[f64], x: f64| {
            let mut a: Vec<f64> = v.iter().copied().filter(|v| v.is_finite()).collect();
            a.push(x);
            a.sort_by(f64::total_cmp);
            a.dedup();
            a
        };
        (
            axis(&self.price_factors, factor),
            axis(&self.discount_rates_pct, rate_pct),
        )
    }
}

/// One computed point of the grid: the appraisals and timeline at a price factor and rate.
pub struct Point<'a> {
    pub price_factor: f64,
    pub discount_rate_pct: f64,
    pub report: &'a Report,
    pub timeline: &'a Timeline,
}

/// A finite number, or nothing (JSON has no NaN or infinity).
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// The supply series of one oxide at one point, t/y by year.
#[derive(Serialize)]
struct Series {
    base: Vec<f64>,
    expected: Vec<f64>,
    early: Vec<f64>,
    late: Vec<f64>,
    mined: Vec<f64>,
}

fn series(t: &Timeline, oxide: Oxide) -> Series {
    let sep = |y: &crate::portfolio::timeline::YearRow| -> Band {
        match oxide {
            Oxide::Ndpr => y.separated_ndpr_t,
            Oxide::Dytb => y.separated_dytb_t,
        }
    };
    let mined = |y: &crate::portfolio::timeline::YearRow| match oxide {
        Oxide::Ndpr => y.ndpr_t.base,
        Oxide::Dytb => y.dytb_t.base,
    };
    Series {
        base: t.years.iter().map(|y| sep(y).base).collect(),
        expected: t.years.iter().map(|y| sep(y).expected).collect(),
        early: t.years.iter().map(|y| sep(y).early).collect(),
        late: t.years.iter().map(|y| sep(y).late).collect(),
        mined: t.years.iter().map(mined).collect(),
    }
}

/// The largest supply any point's chart draws for `oxide`, t/y (the charts' scale is set
/// so that every point fits).
pub fn supply_peak(points: &[Point], oxide: Oxide) -> f64 {
    points
        .iter()
        .flat_map(|p| {
            let s = series(p.timeline, oxide);
            [s.base, s.expected, s.early, s.late, s.mined]
                .into_iter()
                .flatten()
                .collect::<Vec<f64>>()
        })
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// What the page needs to rerun the ranking and redraw the supply: the grid, every
/// point's figures, the base weights and the project cells of the ranking table.
#[derive(Serialize)]
struct Data {
    criteria: [&'static str; 5],
    groups: [usize; 5],
    base_weights: BTreeMap<String, f64>,
    scenario: String,
    base_price_factor: f64,
    base_discount_rate_pct: f64,
    price_factors: Vec<f64>,
    discount_rates_pct: Vec<f64>,
    as_of: i32,
    draws: usize,
    seed: Option<u64>,
    /// Project ids, in the base ranking's order.
    ids: Vec<String>,
    /// The ranking table's project cell of each project (escaped HTML).
    cells: Vec<String>,
    /// `points[i][j]`: price factor i, rate j; per project (in `ids` order) its 13
    /// sub-criteria, then risked NPV (US$ million), years to first production (P50) and
    /// chance of success.
    points: Vec<Vec<Vec<Vec<Option<f64>>>>>,
    /// `supply[i][j]`: the NdPr and Dy+Tb series.
    supply: Vec<Vec<[Series; 2]>>,
    /// `met[i][j]`: the target's met years (base, chance-weighted, mined), if a target.
    met: Vec<Vec<[Option<i32>; 3]>>,
    target: Option<String>,
    met_rule: &'static str,
}

/// The what-if's inputs beside the grid: the base ranking (its project order and cells),
/// the raw base weights and the supply sub-scores, the deck's name, and the base factor.
pub struct Inputs<'a> {
    pub ranking: &'a Ranking,
    pub records: &'a [ProjectRecord],
    pub base_weights: &'a BTreeMap<String, f64>,
    pub scores: &'a crate::assumptions::RankSubscores,
    /// The deck the factors multiply (its name, without a factor).
    pub scenario: &'a str,
    pub base_price_factor: f64,
    pub base_discount_rate_pct: f64,
    /// The ranking table's project cell for each id (escaped HTML).
    pub cells: BTreeMap<String, String>,
}

/// The page's data as JSON text safe inside a `<script>` element (no `<`).
fn data_json(inputs: &Inputs, points: &[Point]) -> Option<String> {
    let (factors, rates) = (axis(points, true), axis(points, false));
    let ids: Vec<String> = inputs
        .ranking
        .projects
        .iter()
        .map(|r| r.id.clone())
        .collect();
    let recs: BTreeMap<&str, &ProjectRecord> =
        inputs.records.iter().map(|r| (r.id.as_str(), r)).collect();
    let at = |i: usize, j: usize| {
        points
            .iter()
            .find(|p| p.price_factor == factors[i] && p.discount_rate_pct == rates[j])
    };
    let mut grid = Vec::new();
    let mut supply = Vec::new();
    let mut met = Vec::new();
    for i in 0..factors.len() {
        let (mut row, mut srow, mut mrow) = (Vec::new(), Vec::new(), Vec::new());
        for j in 0..rates.len() {
            let p = at(i, j)?;
            let by_id: BTreeMap<&str, &Appraisal> = p
                .report
                .projects
                .iter()
                .map(|a| (a.id.as_str(), a))
                .collect();
            let mut projects = Vec::with_capacity(ids.len());
            for id in &ids {
                let (a, r) = (by_id.get(id.as_str())?, recs.get(id.as_str())?);
                // The sub-criteria `rank` reads, in its order, then the Pareto front's three.
                let c = Criteria::new(a, r, None);
                let mut v: Vec<Option<f64>> = (0..SUBCRITERIA)
                    .map(|k| finite(c.subcriterion(k, inputs.scores)))
                    .collect();
                v.extend([
                    finite(c.risked_npv_musd),
                    Some(c.years_p50),
                    finite(Some(c.chance_of_success)),
                ]);
                projects.push(v);
            }
            row.push(projects);
            srow.push([
                series(p.timeline, Oxide::Ndpr),
                series(p.timeline, Oxide::Dytb),
            ]);
            mrow.push([
                p.timeline.target_met_year,
                p.timeline.target_met_year_expected,
                p.timeline.target_met_year_mined,
            ]);
        }
        grid.push(row);
        supply.push(srow);
        met.push(mrow);
    }
    let first = points.first()?;
    let data = Data {
        criteria: rank::CRITERIA,
        groups: GROUPS,
        base_weights: inputs.base_weights.clone(),
        scenario: inputs.scenario.to_owned(),
        base_price_factor: inputs.base_price_factor,
        base_discount_rate_pct: inputs.base_discount_rate_pct,
        price_factors: factors,
        discount_rates_pct: rates,
        as_of: first.report.as_of,
        draws: first.report.draws,
        seed: first.report.seed,
        cells: ids
            .iter()
            .map(|id| inputs.cells.get(id).cloned().unwrap_or_default())
            .collect(),
        ids,
        points: grid,
        supply,
        met,
        target: first.timeline.target.map(|t| t.to_string()),
        met_rule: crate::portfolio::timeline::TARGET_MET_RULE,
    };
    let text = serde_json::to_string(&data).ok()?;
    Some(text.replace('<', "\\u003c").replace('>', "\\u003e"))
}

/// The sorted distinct price factors (`prices`) or rates of the points.
fn axis(points: &[Point], prices: bool) -> Vec<f64> {
    let mut v: Vec<f64> = points
        .iter()
        .map(|p| {
            if prices {
                p.price_factor
            } else {
                p.discount_rate_pct
            }
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

/// A number for an HTML attribute: at most four decimals, no trailing zeros.
fn attr(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The what-if section: controls, status, the embedded figures and the script. Empty
/// when the points do not fill the grid.
pub fn section(inputs: &Inputs, points: &[Point]) -> String {
    let Some(json) = data_json(inputs, points) else {
        return String::new();
    };
    let (factors, rates) = (axis(points, true), axis(points, false));
    let (kmin, kmax) = (factors[0], factors[factors.len() - 1]);
    let (rmin, rmax) = (rates[0], rates[rates.len() - 1]);
    let esc = super::report::escape;
    let weights: String = rank::CRITERIA
        .iter()
        .map(|c| {
            format!(
                r#"<label>{c} <input type="number" id="wi-w-{c}" min="0" step="0.05" value="{}"></label> "#,
                attr(inputs.base_weights.get(*c).copied().unwrap_or(0.0))
            )
        })
        .collect();
    format!(
        r#"<section id="whatif" class="whatif"><h3>What if: prices, discount rate and weights</h3>
<div class="wi-controls">
<label>Price deck factor <input type="range" id="wi-price" min="{kmin}" max="{kmax}" step="0.05" value="{k0}"> <output id="wi-price-out">{k0:.2}</output> × {scenario}</label>
<label>Real discount rate <input type="range" id="wi-rate" min="{rmin}" max="{rmax}" step="0.1" value="{r0}"> <output id="wi-rate-out">{r0:.1}</output> %</label>
<span class="wi-weights">Weights: {weights}</span>
<button type="button" id="wi-reset">Back to the run's figures</button>
<p id="wi-status" role="status"></p>
</div>
<p><small>Moving a control reruns the ranking below (its order, scores, contributions, risked NPV and Pareto flags) and redraws the separated and mined supply of the supply charts. prospect appraised the input at price factors {kf} and real rates {rf} %, with the run's draws and seed; between those points the page interpolates each figure linearly, at them it uses prospect's own. Weights are normalised to sum to 1, as <code>rank --weight</code> does. The cards, the map, the Gantt and the NPV and cost charts stay at the run's figures.</small></p>
<script type="application/json" id="whatif-data">{json}</script>
<script>{script}</script>
</section>"#,
        k0 = inputs.base_price_factor,
        r0 = inputs.base_discount_rate_pct,
        scenario = esc(inputs.scenario),
        kf = factors
            .iter()
            .map(|v| attr(*v))
            .collect::<Vec<_>>()
            .join(", "),
        rf = rates
            .iter()
            .map(|v| attr(*v))
            .collect::<Vec<_>>()
            .join(", "),
        script = SCRIPT,
    )
}

/// The page's script: reads the embedded figures, reruns the ranking and redraws the supply.
const SCRIPT: &str = include_str!("whatif.js");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_hold_the_run_point_once() {
        let g = WhatifGrid {
            price_factors: vec![1.5, 0.5, 1.0],
            discount_rates_pct: vec![10.0, 6.0],
            max_projects: 10,
        };
        let (k, r) = g.axes(1.0, 7.5);
        assert_eq!(k, [0.5, 1.0, 1.5]);
        assert_eq!(r, [6.0, 7.5, 10.0]);
    }

    #[test]
    fn attribute_numbers_have_no_trailing_zeros() {
        assert_eq!(attr(1.25), "1.25");
        assert_eq!(attr(8.0), "8");
        assert_eq!(attr(0.1 + 0.2), "0.3");
    }
}
