//! The funding structure of one project (issue 18): how much money it needs at its peak,
//! how much of it senior debt can carry, and what is left to equity and returns to it.
//!
//! Everything is read off the valuation's own schedule (real US$ million, `flows[k]` at
//! the end of year `k + 1`, as in [`crate::model::cashflow`]):
//!
//! - **Cash flow available for debt service** (CFADS) of a year: revenue less royalty,
//!   operating and logistics costs, sustaining capital and taxes (the schedule's `net`
//!   with the initial capex and the closure provision added back). Taxes are the
//!   unlevered ones: interest is not deducted (conservative).
//! - **Debt capacity**: debt sculpted so that CFADS covers debt service `min_dscr` times
//!   in each of the `debt_tenor_y` years after construction,
//!   `D = Σ max(CFADS_k, 0) / DSCR × (1 + i)^-(k + 1 - c)`, valued at the end of the `c`
//!   construction years at the debt rate `i`.
//! - **Interest during construction**: the principal is drawn in `c` equal tranches in the
//!   middle of each construction year and interest is capitalised, so the debt at
//!   completion is `D = P × A` with `A = (1 / c) Σ_{j=1..c} (1 + i)^(c - j + 0.5)` and the
//!   interest `D - P` (`A = 1` without construction).
//! - **Peak funding requirement**: capex to complete, the overrun allowance (capex x the
//!   study stage's accuracy band, `[uncertainty.accuracy_band]`), working capital
//!   (`working_capital_months` of nameplate operating and logistics cost) and interest
//!   during construction.
//! - **Gearing cap**: the debt is at most `max_gearing_pct` of the peak requirement; as
//!   the peak grows with the debt's own interest, the cap is `G F0 / (1 - G (1 - 1/A))`
//!   with `F0` the requirement before interest.
//! - **LLCR**: the present value at the debt rate of CFADS over the loan's life over the
//!   debt; **minimum DSCR**: the lowest CFADS over debt service of a repayment year.
//! - **Equity**: peak funding less debt; its **IRR** over the base case, where the
//!   overrun allowance is committed but not spent: debt funds the share `P / F0` of the
//!   capex and working capital spent, its service shrinks by the share of `F0` drawn, and
//!   equity receives CFADS less debt service, and working capital back in the last
//!   production year.

use serde::Serialize;

use crate::assumptions::FundingAssumptions;
use crate::model::cashflow::{self, Phase, YearFlow};

/// What the funding model needs of a valued project.
#[derive(Debug, Clone)]
pub struct FundingInputs<'a> {
    /// The valuation's annual schedule.
    pub years: &'a [YearFlow],
    /// Construction years at the start of the schedule.
    pub construction_y: u32,
    /// Capital still to spend, US$ million.
    pub capex_to_spend_musd: f64,
    /// The study stage's accuracy band (0.25 = ±25 %), for the overrun allowance.
    pub accuracy_band: f64,
    /// Operating and logistics cost at nameplate, US$ million a year.
    pub operating_cost_musd_per_y: f64,
    /// Already producing: its working capital is in place.
    pub producing: bool,
    /// The record's share of output under offtake, %.
    pub offtake_share_pct: Option<f64>,
    /// The record's named offtakers.
    pub offtakers: &'a [String],
}

/// The funding structure of one project, US$ million real unless stated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funding {
    /// Capital still to spend (cost to complete, or the whole initial capex).
    pub capex_to_complete_musd: f64,
    /// Allowance for an overrun at the study stage's accuracy band.
    pub overrun_allowance_musd: f64,
    /// That band, % of capex.
    pub overrun_allowance_pct: f64,
    /// Working capital built up before first production.
    pub working_capital_musd: f64,
    /// Interest capitalised during construction on the debt drawn.
    pub interest_during_construction_musd: f64,
    /// Capex to complete + overrun + working capital + interest during construction.
    pub peak_funding_musd: f64,
    /// Debt sculpted to the minimum DSCR over the tenor, at completion (before the
    /// gearing cap).
    pub debt_capacity_musd: f64,
    /// Senior debt at completion: the capacity, or the gearing cap when lower.
    pub debt_musd: f64,
    /// What bounds the debt: `dscr` (the cash flow), `gearing` (the cap), `none` (no
    /// cash flow to service any) or `nothing_to_fund` (no capital left to spend).
    pub debt_sized_by: &'static str,
    /// Debt over the peak funding requirement, %.
    pub gearing_pct: f64,
    /// Lowest CFADS over debt service of a repayment year, x (null without debt).
    pub min_dscr: Option<f64>,
    /// Loan life cover ratio: PV of CFADS over the loan's life at the debt rate over the
    /// debt, x (null without debt).
    pub llcr: Option<f64>,
    /// Equity needed: peak funding less debt.
    pub equity_musd: f64,
    /// Equity IRR on the base case (no overrun), %; null when there is none or several.
    pub equity_irr_pct: Option<f64>,
    /// Why there is no equity IRR, when there is none.
    pub equity_irr_note: Option<String>,
    /// The lending terms used (`[funding]`).
    pub target_dscr: f64,
    pub debt_tenor_y: u32,
    pub debt_rate_pct: f64,
    pub max_gearing_pct: f64,
    /// Share of output under named offtakes, % (the record's; null when not given).
    pub offtake_coverage_pct: Option<f64>,
    /// The named offtakers.
    pub offtakers: Vec<String>,
    /// Where the coverage comes from: `record` (the record's share), `named_share_unknown`
    /// (offtakers named, no share given) or `none` (no offtake declared).
    pub offtake_basis: &'static str,
}

/// CFADS of each year of the schedule: `net` with the initial capex and closure added
/// back, US$ million.
pub fn cfads(years: &[YearFlow]) -> Vec<f64> {
    years.iter().map(|y| y.net + y.capex + y.closure).collect()
}

/// The accumulation factor `A` of interest capitalised on `c` equal mid-year draws at
/// `rate` (a fraction): debt at completion per unit of principal drawn.
pub fn capitalisation_factor(construction_y: u32, rate: f64) -> f64 {
    if construction_y == 0 {
        return 1.0;
    }
    let c = f64::from(construction_y);
    (1..=construction_y)
        .map(|j| (1.0 + rate).powf(c - f64::from(j) + 0.5))
        .sum::<f64>()
        / c
}

/// The funding structure of a project on its valuation schedule.
pub fn funding(inp: &FundingInputs, t: &FundingAssumptions) -> Funding {
    let years = inp.years;
    let c = inp.construction_y as usize;
    let i = t.debt_rate_pct / 100.0;
    let cf = cfads(years);
    let repay: std::ops::Range<usize> =
        c.min(years.len())..(c + t.debt_tenor_y as usize).min(years.len());
    let discount = |k: usize| (1.0 + i).powf(-(k as f64 + 1.0 - c as f64));
    let dscr = t.min_dscr.max(1e-9);
    let capacity: f64 = repay
        .clone()
        .map(|k| cf[k].max(0.0) / dscr * discount(k))
        .sum();

    let capex = inp.capex_to_spend_musd.max(0.0);
    let overrun = capex * inp.accuracy_band.max(0.0);
    let producing = inp.producing
        || years
            .first()
            .is_none_or(|y| y.phase != Phase::Construction && capex <= 0.0);
    let working_capital = if producing {
        0.0
    } else {
        inp.operating_cost_musd_per_y.max(0.0) * t.working_capital_months / 12.0
    };
    let before_interest = capex + overrun + working_capital;
    let a = capitalisation_factor(inp.construction_y, i);
    let g = (t.max_gearing_pct / 100.0).clamp(0.0, 1.0);
    let cap = g * before_interest / (1.0 - g * (1.0 - 1.0 / a));
    let (debt, sized_by) = if before_interest <= 0.0 {
        (0.0, "nothing_to_fund")
    } else if capacity <= 0.0 {
        (0.0, "none")
    } else if cap < capacity {
        (cap, "gearing")
    } else {
        (capacity, "dscr")
    };
    let principal = debt / a;
    let interest = debt - principal;
    let peak = before_interest + interest;
    let equity = peak - debt;

    // Debt service: the sculpted profile scaled to the debt taken.
    let scale = if capacity > 0.0 { debt / capacity } else { 0.0 };
    let service: Vec<f64> = (0..years.len())
        .map(|k| {
            if repay.contains(&k) {
                cf[k].max(0.0) / dscr * scale
            } else {
                0.0
            }
        })
        .collect();
    let min_dscr = repay
        .clone()
        .filter(|k| service[*k] > 0.0)
        .map(|k| cf[k] / service[k])
        .min_by(f64::total_cmp);
    let llcr = (debt > 0.0).then(|| repay.clone().map(|k| cf[k] * discount(k)).sum::<f64>() / debt);

    // Equity's cash flows in the base case: the overrun allowance is committed, not spent,
    // so debt and equity each fund their share of what the base case spends (capex and
    // working capital), and the debt drawn and its service shrink in proportion.
    let spend: f64 = years.iter().map(|y| y.capex).sum();
    let debt_share = if before_interest > 0.0 {
        principal / before_interest
    } else {
        0.0
    };
    let drawn = if before_interest > 0.0 {
        (spend + working_capital) / before_interest
    } else {
        0.0
    };
    let mut flows: Vec<f64> = years
        .iter()
        .zip(&service)
        .map(|(y, s)| y.net + debt_share * y.capex - drawn * s)
        .collect();
    if working_capital > 0.0 && !flows.is_empty() {
        let built_up = c.saturating_sub(1).min(flows.len() - 1);
        flows[built_up] -= working_capital * (1.0 - debt_share);
        if let Some(last) = years.iter().rposition(|y| y.phase == Phase::Production) {
            flows[last] += working_capital;
        }
    }
    let (equity_irr_pct, equity_irr_note) = if before_interest <= 0.0 {
        (
            None,
            Some("nothing left to fund: the capital is spent".to_owned()),
        )
    } else {
        match cashflow::irr(&flows) {
            cashflow::Irr::Unique { rate } => (Some(rate * 100.0), None),
            cashflow::Irr::Multiple { .. } => (
                None,
                Some("several rates make the equity's NPV zero".to_owned()),
            ),
            cashflow::Irr::None { reason } => (None, Some(reason)),
        }
    };
    let offtake_basis = match (inp.offtake_share_pct, inp.offtakers.is_empty()) {
        (Some(_), _) => "record",
        (None, false) => "named_share_unknown",
        (None, true) => "none",
    };
    Funding {
        capex_to_complete_musd: capex,
        overrun_allowance_musd: overrun,
        overrun_allowance_pct: inp.accuracy_band * 100.0,
        working_capital_musd: working_capital,
        interest_during_construction_musd: interest,
        peak_funding_musd: peak,
        debt_capacity_musd: capacity,
        debt_musd: debt,
        debt_sized_by: sized_by,
        gearing_pct: if peak > 0.0 { debt / peak * 100.0 } else { 0.0 },
        min_dscr,
        llcr,
        equity_musd: equity,
        equity_irr_pct,
        equity_irr_note,
        target_dscr: t.min_dscr,
        debt_tenor_y: t.debt_tenor_y,
        debt_rate_pct: t.debt_rate_pct,
        max_gearing_pct: t.max_gearing_pct,
        offtake_coverage_pct: inp.offtake_share_pct,
        offtakers: inp.offtakers.to_vec(),
        offtake_basis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two construction years of 100 each, then five production years whose CFADS is 50.
    fn hand_flow() -> Vec<YearFlow> {
        let mut years = Vec::new();
        for y in 1..=2 {
            let mut f = YearFlow::blank(y, Phase::Construction);
            f.capex = 100.0;
            f.net = -100.0;
            years.push(f);
        }
        for y in 3..=7 {
            let mut f = YearFlow::blank(y, Phase::Production);
            f.output_share = 1.0;
            f.net = 50.0;
            years.push(f);
        }
        years
    }

    fn terms(gearing: f64) -> FundingAssumptions {
        FundingAssumptions {
            min_dscr: 1.25,
            debt_tenor_y: 3,
            debt_rate_pct: 10.0,
            max_gearing_pct: gearing,
            working_capital_months: 0.0,
        }
    }

    fn inputs(years: &[YearFlow]) -> FundingInputs<'_> {
        FundingInputs {
            years,
            construction_y: 2,
            capex_to_spend_musd: 200.0,
            accuracy_band: 0.0,
            operating_cost_musd_per_y: 0.0,
            producing: false,
            offtake_share_pct: None,
            offtakers: &[],
        }
    }

    #[test]
    fn dscr_sized_debt_on_a_hand_worked_flow() {
        // Debt service 50 / 1.25 = 40 in each of the three years after construction, at
        // 10 %: 40 x (1/1.1 + 1/1.21 + 1/1.331) = 40 x 2.486852 = 99.4741 at completion.
        // Two mid-year draws capitalise as A = (1.1^1.5 + 1.1^0.5) / 2 = 1.1012493, so the
        // principal drawn is 90.3283 and the interest during construction 9.1458.
        let years = hand_flow();
        let f = funding(&inputs(&years), &terms(100.0));
        assert!((f.debt_capacity_musd - 99.4741).abs() < 1e-3, "{f:?}");
        assert_eq!(f.debt_sized_by, "dscr");
        assert!((f.debt_musd - 99.4741).abs() < 1e-3);
        assert!((f.interest_during_construction_musd - 9.1458).abs() < 1e-3);
        assert!((f.peak_funding_musd - 209.1458).abs() < 1e-3);
        assert!((f.equity_musd - 109.6717).abs() < 1e-3);
        // Sculpted: every repayment year covers service exactly 1.25 times, and so does
        // the loan's life.
        assert!((f.min_dscr.unwrap() - 1.25).abs() < 1e-9);
        assert!((f.llcr.unwrap() - 1.25).abs() < 1e-9);
        // Equity: -54.836 in each construction year (100 less half of 90.328), then
        // 10, 10, 10, 50, 50 (CFADS less service 40 for three years).
        let flows = [-54.83585, -54.83585, 10.0, 10.0, 10.0, 50.0, 50.0];
        let irr = cashflow::irr(&flows).pct().unwrap();
        assert!((f.equity_irr_pct.unwrap() - irr).abs() < 1e-3, "{f:?}");
    }

    #[test]
    fn the_gearing_cap_bounds_the_debt_when_lower() {
        // 40 % of a peak that includes the debt's own interest: 0.4 x 200 / (1 - 0.4 x
        // (1 - 1/1.1012493)) = 80 / 0.963224 = 83.0545; the peak is then 207.636.
        let years = hand_flow();
        let f = funding(&inputs(&years), &terms(40.0));
        assert_eq!(f.debt_sized_by, "gearing");
        assert!((f.debt_musd - 83.0545).abs() < 1e-3, "{f:?}");
        assert!((f.gearing_pct - 40.0).abs() < 1e-9);
        // Service scaled down by 83.05/99.47: cover rises to 1.25 x 99.4741 / 83.0545.
        assert!((f.min_dscr.unwrap() - 1.25 * 99.4741 / 83.0545).abs() < 1e-3);
    }

    #[test]
    fn overrun_and_working_capital_add_to_the_peak_and_to_equity() {
        let years = hand_flow();
        let mut inp = inputs(&years);
        inp.accuracy_band = 0.25;
        inp.operating_cost_musd_per_y = 48.0;
        let mut t = terms(100.0);
        t.working_capital_months = 3.0;
        let f = funding(&inp, &t);
        // 25 % of 200 and a quarter of 48 a year: 50 + 12 more, all of it equity.
        assert!((f.overrun_allowance_musd - 50.0).abs() < 1e-12);
        assert!((f.working_capital_musd - 12.0).abs() < 1e-12);
        assert!((f.peak_funding_musd - (209.1458 + 62.0)).abs() < 1e-3);
        assert!((f.equity_musd - (109.6717 + 62.0)).abs() < 1e-3);
    }

    #[test]
    fn no_cash_flow_to_service_means_no_debt() {
        let mut years = hand_flow();
        for y in years.iter_mut().skip(2) {
            y.net = -5.0;
        }
        let f = funding(&inputs(&years), &terms(60.0));
        assert_eq!((f.debt_musd, f.debt_sized_by), (0.0, "none"));
        assert_eq!(f.min_dscr, None);
        assert_eq!(f.llcr, None);
        assert!((f.equity_musd - 200.0).abs() < 1e-12);
    }

    #[test]
    fn offtake_coverage_says_where_it_comes_from() {
        let years = hand_flow();
        let named = ["Hyundai".to_owned()];
        let mut inp = inputs(&years);
        assert_eq!(funding(&inp, &terms(60.0)).offtake_basis, "none");
        inp.offtakers = &named;
        assert_eq!(
            funding(&inp, &terms(60.0)).offtake_basis,
            "named_share_unknown"
        );
        inp.offtake_share_pct = Some(34.0);
        let f = funding(&inp, &terms(60.0));
        assert_eq!(
            (f.offtake_basis, f.offtake_coverage_pct),
            ("record", Some(34.0))
        );
    }
}
