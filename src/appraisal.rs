//! What an appraisal gives: the figures of one project ([`Appraisal`]) and of a run
//! ([`Report`]), the types of the JSON contract of docs/outputs.md. They are made by
//! [`crate::appraise`] and read by the portfolio decisions and the writers.

use serde::Serialize;

use crate::context::Nearest;
use crate::context::SiteContext;
use crate::model::cashflow::{Discounting, YearFlow};
use crate::model::leadtime::{LeadTime, Outlook};
use crate::model::owner::OwnerValue;
use crate::model::provenance::Provenance;
use crate::model::risk::RiskFactor;
use crate::model::simulate::{DriverEffect, SimSummary};
pub use crate::model::study::StudyComparison;

/// NPV figures, US$ million real, valued at the start of construction.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Npv {
    /// Deterministic after-tax NPV.
    pub base: Option<f64>,
    /// Deterministic pre-tax NPV.
    pub pre_tax: Option<f64>,
    /// Simulated percentiles and mean (null without a simulation).
    pub p10: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub mean: Option<f64>,
}

/// A calendar year: `base` holds the deterministic year (if the project proceeds).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearEstimate {
    pub base: i32,
    /// Percentiles of every outcome, never included (P10 early, P90 late); null when the
    /// percentile is never (see `never_reason`) or not computed.
    pub p10: Option<i32>,
    pub p50: Option<i32>,
    pub p90: Option<i32>,
    /// Why a percentile is null: never reaching production, or not by the horizon.
    pub never_reason: Option<String>,
}

/// One project appraised. The JSON names are a contract (docs/outputs.md).
#[derive(Debug, Clone, Serialize)]
pub struct Appraisal {
    pub id: String,
    pub name: String,
    pub country: Option<String>,
    /// The regime the spatial model finds (the record's own when it cannot tell).
    pub regime: Option<String>,
    /// The regime the record declares.
    pub regime_declared: Option<String>,
    pub deposit_type: Option<String>,
    pub commodity: Option<String>,
    pub stage: Option<String>,
    /// Whether the models could value the project; when not, `unvalued_reason` says why.
    pub valued: bool,
    pub unvalued_reason: Option<String>,
    pub npv_musd: Npv,
    /// IRR after tax, %; null when there is none or more than one (see `irr_note`).
    pub irr_pct: Option<f64>,
    pub irr_note: Option<String>,
    /// Years from first production until cumulative undiscounted cash flow turns positive.
    pub payback_years: Option<f64>,
    /// The same with discounted cash flows.
    pub discounted_payback_years: Option<f64>,
    pub capex_musd: Option<f64>,
    /// NPV / initial capex.
    pub npv_to_capex: Option<f64>,
    pub opex_musd_per_y: Option<f64>,
    pub sustaining_capex_musd_per_y: Option<f64>,
    pub annual_revenue_musd: Option<f64>,
    pub basket_price_usd_per_kg: Option<f64>,
    pub payable_price_usd_per_kg: Option<f64>,
    pub product_form: Option<String>,
    pub ndpr_value_share_pct: Option<f64>,
    pub dytb_value_share_pct: Option<f64>,
    pub annual_treo_t: Option<f64>,
    pub annual_ndpr_t: Option<f64>,
    pub annual_dytb_t: Option<f64>,
    /// Dy2O3 and Tb4O7 at nameplate, t/y: `annual_dytb_t` split by the oxide distribution
    /// the grade model used (issue 18, read by `reserve`).
    pub annual_dy_t: Option<f64>,
    pub annual_tb_t: Option<f64>,
    pub annual_metals_t: Option<crate::assumptions::Metals>,
    pub throughput_mtpa: Option<f64>,
    pub mine_life_y: Option<f64>,
    pub construction_y: Option<u32>,
    pub recovery_pct: Option<f64>,
    pub royalty_pct: Option<f64>,
    pub tax_rate_pct: Option<f64>,
    // --- Fiscal regimes (issue 23) ---
    /// Royalty paid over revenue earned on the valuation's schedule, % (equal to
    /// `royalty_pct` for a flat ad valorem royalty; a profit-based formula's average).
    pub royalty_effective_pct: Option<f64>,
    /// Resource-rent tax rate, % of the rent, when the jurisdiction levies one.
    pub rent_tax_pct: Option<f64>,
    /// The threshold return above which the resource-rent tax applies, % a year.
    pub rent_tax_threshold_pct: Option<f64>,
    /// Resource-rent tax paid over the valuation's schedule, US$ million real, undiscounted.
    pub rent_tax_musd: Option<f64>,
    // --- end fiscal regimes ---
    /// Multiple of the price deck at which NPV is zero (the incentive price over the deck).
    pub breakeven_price_factor: Option<f64>,
    /// Where year 0 of `npv_musd` is: `as_of` (the start of the as-of year; projects under
    /// construction, ramping up or producing, valued on their remaining cash flows) or
    /// `start_of_construction` (projects before construction, as studies are valued).
    pub npv_convention: Option<String>,
    /// After-tax NPV at the start of the as-of year, US$ million real: `npv_musd.base`
    /// under the as-of convention, else discounted over the years to construction (not
    /// risked; `risked_npv_musd` also weighs the chance of success).
    pub npv_as_of_musd: Option<f64>,
    /// Capital still to spend from the valuation date, US$ million (cost to complete, an
    /// expansion, or the whole initial capex before construction).
    pub capex_to_spend_musd: Option<f64>,
    /// Capital already spent and left out of the valuation (sunk), US$ million.
    pub sunk_capex_musd: Option<f64>,
    /// Years of nameplate output from the valuation date on, years.
    pub remaining_life_y: Option<f64>,
    /// The NdPr oxide price, US$/kg, at which NPV at the run's discount rate is zero, the
    /// rest of the deck scaled with it (deck NdPr x `breakeven_price_factor`).
    pub incentive_ndpr_usd_per_kg: Option<f64>,
    /// C1 cash cost and all-in sustaining cost at nameplate, US$ per kg NdPr oxide and per
    /// kg TREO (by-products credited).
    pub c1_usd_per_kg_ndpr: Option<f64>,
    pub c1_usd_per_kg_treo: Option<f64>,
    pub aisc_usd_per_kg_ndpr: Option<f64>,
    pub aisc_usd_per_kg_treo: Option<f64>,
    /// How the price per kg TREO was made: basket, separator recovery, charges and who
    /// bears them (rare earths).
    pub netback: Option<crate::model::netback::Netback>,
    /// Revenue of the record's priced by-products and co-products, US$ million a year at
    /// nameplate (in `annual_revenue_musd`, credited in C1).
    pub byproduct_revenue_musd_per_y: Option<f64>,
    /// By-products the record names without a price and the assumptions do not price (a
    /// warning says so).
    pub byproducts_unpriced: Vec<String>,
    /// By-products the record names without a price, priced at the assumptions' dated
    /// defaults (`[byproduct_prices]`).
    pub byproducts_priced_by_default: Vec<String>,
    /// For a built mine (valued at the as-of date): whether it operates, is held on care
    /// and maintenance or closes, with the value of each (issue 14; null otherwise).
    pub idle: Option<crate::model::idle::IdleDecision>,
    /// The nearest operating or under-construction separation plant outside China.
    pub nearest_separation_plant: Option<Nearest>,
    /// Everything the spatial stage found.
    pub spatial: SiteContext,
    /// Calendar year of first production: `base` holds the deterministic year.
    pub first_production_year: YearEstimate,
    /// Calendar year of nameplate output.
    pub nameplate_year: YearEstimate,
    pub years_to_first_production: f64,
    /// The remaining stages on the calendar.
    pub lead_time: LeadTime,
    /// Probability of reaching production, 0 to 1.
    pub chance_of_success: f64,
    /// Each factor of the chance, with its multiplier and reason.
    pub risk_factors: Vec<RiskFactor>,
    /// When, and whether: the first-production distribution with never as an outcome,
    /// for every project, valued or not.
    pub first_production: Outlook,
    /// The owner's value: free carry, post-production hazard, the decision at the start
    /// of construction (valued projects; null otherwise).
    pub owner: Option<OwnerValue>,
    /// The owner's risked value at `as_of`: chance of reaching the decision point x the
    /// value of deciding there (zero when the owner would not build; never below zero),
    /// discounted from the start of construction, US$ million.
    pub risked_npv_musd: Option<f64>,
    /// Probability that NPV > 0 in the simulation.
    pub prob_npv_positive: Option<f64>,
    /// Simulated IRR percentiles, % (over the draws with a unique IRR).
    pub irr_pct_p10: Option<f64>,
    pub irr_pct_p50: Option<f64>,
    pub irr_pct_p90: Option<f64>,
    /// The three drivers with the largest NPV swing.
    pub top_drivers: Vec<DriverEffect>,
    /// The full simulation summary (null without a simulation).
    pub simulation: Option<SimSummary>,
    pub provenance: Provenance,
    pub study: Option<StudyComparison>,
    /// Results resting on estimates outside the data's range, and other cautions.
    pub warnings: Vec<String>,
    /// The record's unknown properties, untouched.
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Seabed mud only: the operation's flow, costs by step, cost and subsidy per kg of
    /// Dy+Tb and heavy rare earths, and every capacity scenario (null otherwise).
    pub mud: Option<crate::model::mud::MudSummary>,
    /// Rare earths valued on an assigned plant (issue 16): the plant a first allocation
    /// pass assigned the output to, its tolling and freight, and the share sold to China on
    /// China's terms (null when the run made no allocation or the product is not rare
    /// earths; the nearest plant's freight and the default charges apply then).
    pub separation: Option<crate::model::plant_terms::SeparationUsed>,
    // --- Funding and support instruments (issue 18) ---
    /// How the project would be funded: peak requirement, DSCR-sized debt, LLCR, equity
    /// and its IRR, offtake coverage (valued projects; null otherwise).
    pub funding: Option<crate::model::funding::Funding>,
    /// Support instruments valued for the project: a price floor (from the simulation's
    /// price draws), a concessional loan, a production tax credit, each with its value to
    /// the project and its cost to the government (valued projects; null otherwise).
    pub instruments: Option<crate::model::instruments::Instruments>,
    // --- end funding ---
    /// The annual schedule (written with `--cashflows`, not in the JSON).
    #[serde(skip)]
    pub cashflows: Vec<YearFlow>,
}

/// Every project of a run, sorted by NPV (valued first, highest first; then by id).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub prospect_version: String,
    /// Seed of the simulation (null without one).
    pub seed: Option<u64>,
    /// Draws per project (0 without a simulation).
    pub draws: usize,
    pub percentile_convention: &'static str,
    /// The clock of the lead-time model (calendar year).
    pub as_of: i32,
    pub assumptions: AssumptionsInfo,
    pub conventions: Conventions,
    pub projects: Vec<Appraisal>,
}

/// Which assumptions a run used.
#[derive(Debug, Clone, Serialize)]
pub struct AssumptionsInfo {
    pub scenario: String,
    pub digest: String,
    pub date: String,
    pub discount_rate_pct: f64,
}

/// How to read the numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Conventions {
    pub money: String,
    /// The real year every money figure of the output is in (US$ of that year), issue 14.
    pub money_year: i32,
    pub discounting: Discounting,
    pub valuation_date: String,
    pub payback: String,
    pub risk: String,
}

/// The order of a report: valued first, highest NPV first; then by id.
pub fn report_order(x: (Option<f64>, &str), y: (Option<f64>, &str)) -> std::cmp::Ordering {
    let key = |npv: Option<f64>| npv.unwrap_or(f64::NEG_INFINITY);
    key(y.0).total_cmp(&key(x.0)).then_with(|| x.1.cmp(y.1))
}
