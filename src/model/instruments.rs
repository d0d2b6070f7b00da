//! Support instruments a government can offer one project (issue 18), each valued to the
//! project and costed to the government: a floor on the NdPr price (an option, valued
//! from the simulation's own price draws), a concessional loan and a production tax
//! credit. The terms are the record's own (`floor_*`, `loan_*`, `production_credit`) or
//! the run's (`[instruments]`); docs/models.md, "Support instruments", has the formulas.
//!
//! Money is US$ million real; a value to the project is discounted at the run's rate to
//! year 0 of the project's NPV (`npv_convention`); a cost to the government at
//! `government_rate_pct` to the start of the as-of year.

use serde::Serialize;

use crate::assumptions::{
    Assumptions, ConcessionalLoanTerms, PriceFloorTerms, ProductionCreditTerms,
};
use crate::model::cashflow::{Discounting, Phase, YearFlow};
use crate::read::record::ProjectRecord;

/// Where an instrument's terms come from.
fn basis(own: bool) -> &'static str {
    if own { "record" } else { "run" }
}

/// The floor's terms for a record: its own where it gives them, else the run's.
pub fn floor_terms(rec: &ProjectRecord, a: &Assumptions) -> (PriceFloorTerms, &'static str) {
    let s = &rec.support;
    let run = &a.instruments.price_floor;
    let own = s.floor_ndpr_usd_per_kg.is_some()
        || s.floor_tenor_y.is_some()
        || s.floor_upside_share_pct.is_some();
    (
        PriceFloorTerms {
            ndpr_usd_per_kg: s.floor_ndpr_usd_per_kg.unwrap_or(run.ndpr_usd_per_kg),
            tenor_y: s
                .floor_tenor_y
                .map_or(run.tenor_y, |t| t.round().clamp(0.0, 200.0) as u32),
            upside_share_pct: s.floor_upside_share_pct.unwrap_or(run.upside_share_pct),
        },
        basis(own),
    )
}

/// The concessional loan's terms for a record.
pub fn loan_terms(rec: &ProjectRecord, a: &Assumptions) -> (ConcessionalLoanTerms, &'static str) {
    let s = &rec.support;
    let run = &a.instruments.concessional_loan;
    let own = s.loan_rate_pct.is_some()
        || s.loan_tenor_y.is_some()
        || s.loan_share_of_capex_pct.is_some();
    (
        ConcessionalLoanTerms {
            rate_pct: s.loan_rate_pct.unwrap_or(run.rate_pct),
            tenor_y: s
                .loan_tenor_y
                .map_or(run.tenor_y, |t| t.round().clamp(1.0, 200.0) as u32),
            share_of_capex_pct: s.loan_share_of_capex_pct.unwrap_or(run.share_of_capex_pct),
        },
        basis(own),
    )
}

/// The production tax credit a record claims: its own choice (`none`, or a key of
/// `[instruments.production_credit]`), else its host country's; `Err` names an unknown key.
pub fn credit_terms<'a>(
    rec: &ProjectRecord,
    a: &'a Assumptions,
) -> Result<Option<(String, &'a ProductionCreditTerms, &'static str)>, String> {
    let map = &a.instruments.production_credit;
    match rec.support.production_credit.as_deref().map(str::trim) {
        Some(k) if k.eq_ignore_ascii_case("none") || k.is_empty() => Ok(None),
        Some(k) => map
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(key, t)| Some((key.clone(), t, "record")))
            .ok_or_else(|| {
                format!(
                    "production_credit {k:?} is not a key of [instruments.production_credit] ({}); no credit valued",
                    map.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            }),
        None => Ok(rec
            .country
            .as_deref()
            .and_then(|c| map.get_key_value(c))
            .map(|(key, t)| (key.clone(), t, "run"))),
    }
}

/// Discount factor of schedule index `k` at `rate_pct` (the schedule's convention).
fn factor(k: usize, rate_pct: f64, d: Discounting) -> f64 {
    let offset = match d {
        Discounting::EndOfYear => 1.0,
        Discounting::MidYear => 0.5,
    };
    (1.0 + rate_pct / 100.0).powf(-(k as f64 + offset))
}

/// Σ over the first `tenor` production years of output share × discount factor.
fn tenor_weight(years: &[YearFlow], tenor: u32, rate_pct: f64, d: Discounting) -> f64 {
    years
        .iter()
        .enumerate()
        .filter(|(_, y)| y.phase == Phase::Production && y.output_share > 0.0)
        .take(tenor as usize)
        .map(|(k, y)| y.output_share * factor(k, rate_pct, d))
        .sum()
}

/// A price floor as the simulation sees it: in each draw, with the NdPr price factor `v`
/// (the `price_ndpr` driver, mean 1) and output factor `q` (grade x recovery), the floor
/// pays `ndpr x q x (F - v)+` and takes `u x ndpr x q x (v - F)+` each covered year, with
/// `F` the floor over the deck's NdPr price; discounted by `weight_*`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FloorModel {
    /// The floor over the deck's NdPr price (in units of the price factor).
    pub floor_factor: f64,
    /// NdPr revenue at the deck and nameplate, US$ million a year (t x US$/kg / 1000).
    pub ndpr_musd_per_y: f64,
    /// Share of the upside to the government, 0-1.
    pub upside_share: f64,
    /// Σ output share x discount factor over the covered years, at the run's rate.
    pub weight_project: f64,
    /// The same at the government's rate.
    pub weight_government: f64,
    /// The government's rate, %, to discount from the start of construction to as_of.
    pub government_rate_pct: f64,
    /// Income-tax rate, %: the owner keeps (1 - rate) of a payment in its decision.
    pub tax_rate_pct: f64,
}

impl FloorModel {
    /// Net payment per unit of discount weight in a draw: shortfall paid less upside
    /// taken, US$ million.
    pub fn net(&self, price_factor: f64, output_factor: f64) -> f64 {
        let f = self.floor_factor;
        self.ndpr_musd_per_y
            * output_factor
            * ((f - price_factor).max(0.0) - self.upside_share * (price_factor - f).max(0.0))
    }
}

/// The floor model of a project with `ndpr_t` t/y NdPr at nameplate, on its operating
/// schedule `years` (the years it would produce, whatever its owner decides at the deck).
#[allow(clippy::too_many_arguments)]
pub fn floor_model(
    terms: &PriceFloorTerms,
    deck_ndpr_usd_per_kg: f64,
    ndpr_t: f64,
    years: &[YearFlow],
    rate_pct: f64,
    discounting: Discounting,
    government_rate_pct: f64,
    tax_rate_pct: f64,
) -> Option<FloorModel> {
    (ndpr_t > 0.0 && deck_ndpr_usd_per_kg > 0.0).then(|| FloorModel {
        floor_factor: terms.ndpr_usd_per_kg / deck_ndpr_usd_per_kg,
        ndpr_musd_per_y: ndpr_t * deck_ndpr_usd_per_kg / 1000.0,
        upside_share: terms.upside_share_pct / 100.0,
        weight_project: tenor_weight(years, terms.tenor_y, rate_pct, discounting),
        weight_government: tenor_weight(years, terms.tenor_y, government_rate_pct, discounting),
        government_rate_pct,
        tax_rate_pct,
    })
}

/// The floor over a simulation's draws, accumulated draw by draw.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FloorDraws {
    /// Mean over draws of the floor's value to the project (as if it produces), US$m.
    pub value_to_project_musd: f64,
    /// Mean over draws of its cost to the government if the project produces, at the
    /// government's rate, to the start of construction, US$m.
    pub cost_if_used_musd: f64,
    /// Mean over draws of the cost in the draws where the project reaches its decision
    /// and proceeds with the floor, discounted to as_of, US$m.
    pub expected_cost_musd: f64,
    /// Share of draws in which the NdPr price is below the floor.
    pub prob_floor_pays: f64,
    /// Share of draws in which the owner proceeds with the floor (its value at the
    /// decision point plus the floor's after tax is positive).
    pub prob_proceeds_with_floor: f64,
    #[serde(skip)]
    draws: usize,
}

impl FloorDraws {
    /// Adds one draw: its price and output factors, the owner's value at the decision
    /// point without the floor, whether the decision point is reached, and the years to
    /// construction.
    pub fn add(
        &mut self,
        m: &FloorModel,
        price_factor: f64,
        output_factor: f64,
        at_decision: f64,
        reached: bool,
        to_construction_y: f64,
    ) {
        let net = m.net(price_factor, output_factor);
        let to_project = net * m.weight_project;
        let to_government = net * m.weight_government;
        self.draws += 1;
        self.value_to_project_musd += to_project;
        self.cost_if_used_musd += to_government;
        if price_factor < m.floor_factor {
            self.prob_floor_pays += 1.0;
        }
        if at_decision + to_project * (1.0 - m.tax_rate_pct / 100.0) > 0.0 {
            self.prob_proceeds_with_floor += 1.0;
            if reached {
                self.expected_cost_musd += to_government
                    / (1.0 + m.government_rate_pct / 100.0).powf(to_construction_y.max(0.0));
            }
        }
    }

    /// The means over the draws added.
    pub fn finish(mut self) -> FloorDraws {
        let n = self.draws.max(1) as f64;
        self.value_to_project_musd /= n;
        self.cost_if_used_musd /= n;
        self.expected_cost_musd /= n;
        self.prob_floor_pays /= n;
        self.prob_proceeds_with_floor /= n;
        self
    }
}

/// A price floor valued for one project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FloorValue {
    /// `record` (its own terms) or `run` (`[instruments.price_floor]`).
    pub terms_basis: &'static str,
    pub floor_ndpr_usd_per_kg: f64,
    pub tenor_y: u32,
    pub upside_share_pct: f64,
    /// The deck's NdPr oxide price, US$/kg.
    pub deck_ndpr_usd_per_kg: f64,
    /// NdPr oxide at nameplate the floor covers, t/y.
    pub ndpr_t_per_y: f64,
    /// The floor's value at the deck price (no uncertainty): shortfall paid less upside
    /// taken over the covered years, at the run's rate, US$m.
    pub value_at_deck_musd: f64,
    /// Its value over the simulation's price draws (the option: the deck value without
    /// draws), US$m.
    pub value_to_project_musd: f64,
    /// `simulation` or `deck`: what `value_to_project_musd` and the costs rest on.
    pub value_basis: &'static str,
    /// Share of draws with the NdPr price below the floor (null without draws).
    pub prob_floor_pays: Option<f64>,
    /// Cost to the government if the project produces, at its rate, US$m.
    pub cost_to_government_if_used_musd: f64,
    /// Expected cost to the government: in the draws where the project reaches its
    /// decision and proceeds with the floor, discounted to as_of, US$m.
    pub expected_cost_to_government_musd: f64,
    /// Chance the owner proceeds at its decision point with the floor, and without.
    pub prob_proceeds_with: Option<f64>,
    pub prob_proceeds_without: Option<f64>,
    /// Income-tax rate, %, the floor's payments are taxed at in the owner's decision.
    pub tax_rate_pct: f64,
}

/// The floor's value from its model, with the simulation's draws when there are some.
/// `p_decide` is the chance of reaching the decision point, `proceeds` the deterministic
/// decision, `delay_y` the years to construction, for the cost without draws.
#[allow(clippy::too_many_arguments)]
pub fn floor_value(
    m: &FloorModel,
    terms: &PriceFloorTerms,
    terms_basis: &'static str,
    deck_ndpr_usd_per_kg: f64,
    ndpr_t: f64,
    draws: Option<(&FloorDraws, f64)>,
    p_decide: f64,
    at_decision: f64,
    delay_y: f64,
) -> FloorValue {
    let at_deck = m.net(1.0, 1.0);
    let to_as_of = (1.0 + m.government_rate_pct / 100.0).powf(-delay_y.max(0.0));
    let common = |value, basis, pays, cost, expected, with, without| FloorValue {
        terms_basis,
        floor_ndpr_usd_per_kg: terms.ndpr_usd_per_kg,
        tenor_y: terms.tenor_y,
        upside_share_pct: terms.upside_share_pct,
        deck_ndpr_usd_per_kg,
        ndpr_t_per_y: ndpr_t,
        value_at_deck_musd: at_deck * m.weight_project,
        value_to_project_musd: value,
        value_basis: basis,
        prob_floor_pays: pays,
        cost_to_government_if_used_musd: cost,
        expected_cost_to_government_musd: expected,
        prob_proceeds_with: with,
        prob_proceeds_without: without,
        tax_rate_pct: m.tax_rate_pct,
    };
    match draws {
        Some((d, prob_proceeds)) => common(
            d.value_to_project_musd,
            "simulation",
            Some(d.prob_floor_pays),
            d.cost_if_used_musd,
            d.expected_cost_musd,
            Some(d.prob_proceeds_with_floor),
            Some(prob_proceeds),
        ),
        None => {
            let value = at_deck * m.weight_project;
            let cost = at_deck * m.weight_government;
            let with = at_decision + value * (1.0 - m.tax_rate_pct / 100.0) > 0.0;
            common(
                value,
                "deck",
                None,
                cost,
                if with {
                    p_decide * cost * to_as_of
                } else {
                    0.0
                },
                None,
                None,
            )
        }
    }
}

/// A concessional loan valued for one project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoanValue {
    pub terms_basis: &'static str,
    /// Real rate, %; repayment years; size, % of the capital to spend.
    pub rate_pct: f64,
    pub tenor_y: u32,
    pub share_of_capex_pct: f64,
    /// The loan, US$m.
    pub loan_musd: f64,
    /// The market rate it is compared with (`[funding].debt_rate_pct`), %.
    pub market_rate_pct: f64,
    /// Grant element: the loan less its service, both at the market rate, US$m.
    pub value_to_project_musd: f64,
    /// The same at the government's rate plus the market's price of the credit risk it
    /// takes: equal to the grant element, US$m (docs/models.md).
    pub cost_to_government_if_used_musd: f64,
    /// Times the chance the project is built (reaches its decision and proceeds),
    /// discounted to as_of at the government's rate, US$m.
    pub expected_cost_to_government_musd: f64,
}

/// The level annuity repaying 1 over `n` years at `r` (a fraction).
fn annuity(r: f64, n: u32) -> f64 {
    if n == 0 {
        return 1.0;
    }
    if r.abs() < 1e-12 {
        1.0 / f64::from(n)
    } else {
        r / (1.0 - (1.0 + r).powi(-(n as i32)))
    }
}

/// Present value at `rate` (a fraction) of `loan` drawn in `c` equal end-of-year tranches
/// (at once in year 1 when `c` is 0) and repaid by a level annuity over `tenor` years at
/// `loan_rate` from the year after construction; interest during construction is
/// capitalised at `loan_rate`. Positive: what the borrower gains.
pub fn loan_grant_element(loan: f64, c: u32, tenor: u32, loan_rate: f64, rate: f64) -> f64 {
    let tranches = c.max(1);
    let draw = loan / f64::from(tranches);
    let mut pv_draws = 0.0;
    let mut balance = 0.0;
    for k in 0..tranches {
        pv_draws += draw * (1.0 + rate).powi(-(k as i32 + 1));
        balance = balance * (1.0 + loan_rate) + draw;
    }
    let service = balance * annuity(loan_rate, tenor);
    let pv_service: f64 = (0..tenor)
        .map(|j| service * (1.0 + rate).powi(-((tranches + j) as i32 + 1)))
        .sum();
    pv_draws - pv_service
}

/// A production tax credit valued for one project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditValue {
    pub terms_basis: &'static str,
    /// The key of `[instruments.production_credit]` and its name.
    pub key: String,
    pub name: String,
    pub rate_pct: f64,
    pub eligible_share_of_opex_pct: f64,
    /// Production years it is claimed for, and the first and last calendar years.
    pub years_claimed: u32,
    pub first_year_claimed: Option<i32>,
    pub last_year_claimed: Option<i32>,
    /// Credits over those years at the run's rate, US$m (refundable, not taxed).
    pub value_to_project_musd: f64,
    /// At the government's rate, US$m.
    pub cost_to_government_if_used_musd: f64,
    /// Times the chance the project is built, discounted to as_of, US$m.
    pub expected_cost_to_government_musd: f64,
}

/// The credit on a schedule whose index 0 is calendar year `start_year`: each production
/// year in the credit's window, up to `max_years` of them, earns `rate` x eligible opex x
/// the year's phase-out share.
#[allow(clippy::too_many_arguments)]
pub fn credit_value(
    key: String,
    t: &ProductionCreditTerms,
    terms_basis: &'static str,
    years: &[YearFlow],
    start_year: i32,
    rate_pct: f64,
    government_rate_pct: f64,
    discounting: Discounting,
) -> CreditValue {
    let mut claimed = 0u32;
    let (mut first, mut last) = (None, None);
    let (mut value, mut cost) = (0.0, 0.0);
    for (k, y) in years.iter().enumerate() {
        let year = start_year + k as i32;
        let share = t.share_in(year);
        if y.phase != Phase::Production || y.opex <= 0.0 || share <= 0.0 {
            continue;
        }
        if claimed >= t.max_years {
            break;
        }
        claimed += 1;
        first.get_or_insert(year);
        last = Some(year);
        let credit = y.opex * t.eligible_share_of_opex_pct / 100.0 * t.rate_pct / 100.0 * share;
        value += credit * factor(k, rate_pct, discounting);
        cost += credit * factor(k, government_rate_pct, discounting);
    }
    CreditValue {
        terms_basis,
        key,
        name: t.name.clone(),
        rate_pct: t.rate_pct,
        eligible_share_of_opex_pct: t.eligible_share_of_opex_pct,
        years_claimed: claimed,
        first_year_claimed: first,
        last_year_claimed: last,
        value_to_project_musd: value,
        cost_to_government_if_used_musd: cost,
        expected_cost_to_government_musd: 0.0,
    }
}

/// Every instrument valued for one project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instruments {
    /// The government's rate, %.
    pub government_rate_pct: f64,
    /// Chance the project is built (reaches its decision and proceeds), 0-1, by which the
    /// expected costs of the loan and the credit are weighed.
    pub prob_built: f64,
    /// Null without NdPr output.
    pub price_floor: Option<FloorValue>,
    /// Null without capital to spend.
    pub concessional_loan: Option<LoanValue>,
    /// Null where no credit applies.
    pub production_credit: Option<CreditValue>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn production_years(n: usize, construction: usize) -> Vec<YearFlow> {
        let mut v = Vec::new();
        for k in 0..construction {
            v.push(YearFlow::blank(k as u32 + 1, Phase::Construction));
        }
        for k in 0..n {
            let mut y = YearFlow::blank((construction + k) as u32 + 1, Phase::Production);
            y.output_share = 1.0;
            y.opex = 100.0;
            y.net = 10.0;
            v.push(y);
        }
        v
    }

    #[test]
    fn the_floor_pays_the_shortfall_and_takes_its_share_of_the_upside() {
        // Floor 110 on a deck of 55: F = 2. 1,000 t/y NdPr is US$55m a year at the deck.
        let years = production_years(12, 2);
        let t = PriceFloorTerms {
            ndpr_usd_per_kg: 110.0,
            tenor_y: 10,
            upside_share_pct: 30.0,
        };
        let m = floor_model(
            &t,
            55.0,
            1000.0,
            &years,
            10.0,
            Discounting::EndOfYear,
            2.0,
            30.0,
        )
        .unwrap();
        assert!((m.floor_factor - 2.0).abs() < 1e-12);
        // At the deck: 55 x (2 - 1) = 55 a year; at a price factor 3: -0.3 x 55 x 1.
        assert!((m.net(1.0, 1.0) - 55.0).abs() < 1e-12);
        assert!((m.net(3.0, 1.0) + 16.5).abs() < 1e-12);
        // Covered years 3-12 at 10 %: Σ 1.1^-k, k = 3..12 = 6.1446 - 1.7355 = 4.4091.
        let w: f64 = (3..=12).map(|k| 1.1f64.powi(-k)).sum();
        assert!((m.weight_project - w).abs() < 1e-12);
    }

    #[test]
    fn a_loan_at_the_market_rate_is_worth_nothing_and_a_free_one_its_discount() {
        assert!(loan_grant_element(100.0, 2, 10, 0.06, 0.06).abs() < 1e-9);
        // Interest-free, drawn at once, repaid 50 and 50 in years 2 and 3, at 10 %:
        // 100/1.1 - 50/1.21 - 50/1.331 = 90.909 - 41.322 - 37.566 = 12.021.
        let g = loan_grant_element(100.0, 0, 2, 0.0, 0.10);
        assert!((g - 12.0210).abs() < 1e-3, "{g}");
    }

    #[test]
    fn a_loan_with_interest_and_construction_tranches_by_hand() {
        // 100 at 3 % over 2 years, drawn at once, at a market 10 %: annuity
        // 0.03 / (1 - 1.03^-2) = 0.522611, service 52.2611 in years 2 and 3:
        // 90.9091 - 43.1910 - 39.2645 = 8.4536.
        let g = loan_grant_element(100.0, 0, 2, 0.03, 0.10);
        assert!((g - 8.4536).abs() < 1e-3, "{g}");
        // Two tranches of 50 (years 1 and 2), interest capitalised at 3 %: balance 101.5,
        // service 53.045 in years 3 and 4: 45.4545 + 41.3223 - 39.8535 - 36.2305 = 10.6929.
        let g = loan_grant_element(100.0, 2, 2, 0.03, 0.10);
        assert!((g - 10.6929).abs() < 1e-3, "{g}");
    }

    #[test]
    fn a_credit_counts_its_window_its_phase_out_and_its_cap() {
        let t = ProductionCreditTerms {
            name: "test".into(),
            rate_pct: 10.0,
            eligible_share_of_opex_pct: 50.0,
            first_year: 2030,
            last_year: 2033,
            max_years: 3,
            phase_pct: [("2031".to_owned(), 50.0)].into_iter().collect(),
        };
        // Production from 2029 (index 1): 2029 out of the window; 2030 full (5), 2031 half
        // (2.5), 2032 full (5), then the cap of three years.
        let years = production_years(8, 1);
        let c = credit_value(
            "T".into(),
            &t,
            "run",
            &years,
            2028,
            0.0,
            0.0,
            Discounting::EndOfYear,
        );
        assert_eq!(c.years_claimed, 3);
        assert_eq!(
            (c.first_year_claimed, c.last_year_claimed),
            (Some(2030), Some(2032))
        );
        assert!((c.value_to_project_musd - 12.5).abs() < 1e-12);
    }
}
