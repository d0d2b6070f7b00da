//! `prospect appraise`: each record through the grade, cost and cash-flow models to the
//! figures a financing committee reads, with the provenance of every input and, where a
//! record carries a published study, the model's NPV under that study's own terms.

use serde::Serialize;

use crate::assumptions::{Assumptions, AssumptionsError, Prices};
use crate::cashflow::{self, Discounting, Irr, ScheduleInputs, YearFlow};
use crate::cost::{self, Costs, Money, Remoteness};

use crate::grade::{self, Production};
use crate::leadtime::{self, LeadTime};
use crate::provenance::Provenance;
use crate::record::{Commodity, NpvBasis, ProductForm, ProjectRecord, StudyStage};
use crate::risk::{self, RiskFactor};
use crate::simulate::{self, DrawModel, DriverEffect, FactorDist, SimOptions, SimSummary};
use crate::spatial::{Context, Nearest, SiteContext};

/// Run-wide choices.
#[derive(Debug, Clone)]
pub struct Options {
    /// Price deck; the assumptions' default when `None`.
    pub scenario: Option<String>,
    /// Real discount rate, %; the assumptions' default when `None`.
    pub discount_rate_pct: Option<f64>,
    pub discounting: Discounting,
    /// The clock of the lead-time model: the calendar year time is counted from.
    pub as_of: i32,
    /// Keep each project's annual schedule (for `--cashflows`); dropped otherwise, since a
    /// schedule is most of an appraisal's memory.
    pub keep_cashflows: bool,
}

impl Options {
    /// Defaults with the clock at `as_of`.
    pub fn at(as_of: i32) -> Options {
        Options {
            scenario: None,
            discount_rate_pct: None,
            discounting: Discounting::EndOfYear,
            as_of,
            keep_cashflows: true,
        }
    }
}

/// The resolved terms of a run.
#[derive(Debug, Clone)]
pub struct Terms {
    pub prices: Prices,
    /// Real discount rate, %.
    pub discount_rate_pct: f64,
    pub discounting: Discounting,
    pub as_of: i32,
    pub keep_cashflows: bool,
}

impl Terms {
    pub fn resolve(a: &Assumptions, opts: &Options) -> Result<Terms, AssumptionsError> {
        let scenario = opts
            .scenario
            .as_deref()
            .unwrap_or(&a.valuation.default_scenario);
        let rate = opts
            .discount_rate_pct
            .unwrap_or(a.valuation.discount_rate_pct);
        if !(rate.is_finite() && rate > -100.0) {
            return Err(AssumptionsError::Invalid(format!(
                "discount rate {rate} % is not a rate"
            )));
        }
        Ok(Terms {
            prices: a.prices(scenario)?,
            discount_rate_pct: rate,
            discounting: opts.discounting,
            as_of: opts.as_of,
            keep_cashflows: opts.keep_cashflows,
        })
    }
}

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

/// A calendar year: `base` holds the deterministic year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearEstimate {
    pub base: i32,
    /// Simulated percentiles (P10 early, P90 late; null without a simulation).
    pub p10: Option<i32>,
    pub p50: Option<i32>,
    pub p90: Option<i32>,
}

impl YearEstimate {
    fn base(year: i32) -> YearEstimate {
        YearEstimate {
            base: year,
            p10: None,
            p50: None,
            p90: None,
        }
    }
}

/// The model beside a published study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyComparison {
    pub study_type: Option<String>,
    pub study_year: Option<i32>,
    /// Published NPV, US$ million at the study year's exchange rate.
    pub published_npv_musd: f64,
    /// Published NPV in the study's currency, millions.
    pub published_npv_m: f64,
    pub currency: String,
    /// The model's NPV under the study's prices, discount rate and tax basis, US$ million.
    pub model_npv_musd: Option<f64>,
    /// (model - published) / |published|, %.
    pub deviation_pct: Option<f64>,
    pub discount_rate_pct: f64,
    /// pre_tax or post_tax.
    pub npv_basis: String,
    /// Factor applied to the run's price deck to match the study's prices.
    pub price_factor: f64,
    /// The multiple of the run's price deck at which the model, under the study's discount
    /// rate and tax basis, reproduces the published NPV: the deck the study implies.
    pub implied_price_factor: Option<f64>,
    /// The NdPr oxide price that multiple implies, US$/kg.
    pub implied_ndpr_usd_per_kg: Option<f64>,
    /// How the study's terms were matched, and what was not known.
    pub notes: Vec<String>,
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
    pub annual_metals_t: Option<crate::assumptions::Metals>,
    pub throughput_mtpa: Option<f64>,
    pub mine_life_y: Option<f64>,
    pub construction_y: Option<u32>,
    pub recovery_pct: Option<f64>,
    pub royalty_pct: Option<f64>,
    pub tax_rate_pct: Option<f64>,
    /// Multiple of the price deck at which NPV is zero (the incentive price over the deck).
    pub breakeven_price_factor: Option<f64>,
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
    /// Chance of success x NPV discounted from the start of construction to `as_of`,
    /// US$ million.
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
    /// The annual schedule (written with `--cashflows`, not in the JSON).
    #[serde(skip)]
    pub cashflows: Vec<YearFlow>,
}

impl Appraisal {
    fn unvalued(
        rec: &ProjectRecord,
        place: Placed,
        reason: String,
        provenance: Provenance,
        a: &Assumptions,
    ) -> Appraisal {
        let mut out = Appraisal::blank(rec, place);
        out.unvalued_reason = Some(reason);
        out.provenance = provenance;
        out.study = published_study(rec, a);
        out
    }

    fn blank(rec: &ProjectRecord, place: Placed) -> Appraisal {
        let name = |s: Option<&str>| s.map(str::to_owned);
        let t = rec.geology.deposit_type;
        let Placed {
            site,
            lead_time,
            risk,
        } = place;
        Appraisal {
            id: rec.id.clone(),
            name: rec.name.clone(),
            country: rec.country.clone(),
            regime: name(site.regime.or(rec.regime).map(|r| r.as_str())),
            regime_declared: name(rec.regime.map(|r| r.as_str())),
            deposit_type: name(t.map(|t| t.as_str())),
            commodity: name(
                rec.geology
                    .commodity
                    .or(t.map(|t| t.default_commodity()))
                    .map(|c| c.as_str()),
            ),
            stage: name(rec.development.stage.map(|s| s.as_str())),
            valued: false,
            unvalued_reason: None,
            npv_musd: Npv::default(),
            irr_pct: None,
            irr_note: None,
            payback_years: None,
            discounted_payback_years: None,
            capex_musd: None,
            npv_to_capex: None,
            opex_musd_per_y: None,
            sustaining_capex_musd_per_y: None,
            annual_revenue_musd: None,
            basket_price_usd_per_kg: None,
            payable_price_usd_per_kg: None,
            product_form: None,
            ndpr_value_share_pct: None,
            dytb_value_share_pct: None,
            annual_treo_t: None,
            annual_ndpr_t: None,
            annual_dytb_t: None,
            annual_metals_t: None,
            throughput_mtpa: None,
            mine_life_y: None,
            construction_y: None,
            recovery_pct: None,
            royalty_pct: None,
            tax_rate_pct: None,
            breakeven_price_factor: None,
            nearest_separation_plant: site.nearest_separation_plant.clone(),
            first_production_year: YearEstimate::base(lead_time.first_production_year()),
            nameplate_year: YearEstimate::base(lead_time.nameplate_year()),
            years_to_first_production: lead_time.years_to_first_production,
            chance_of_success: risk.chance_of_success,
            risk_factors: risk.factors,
            risked_npv_musd: None,
            prob_npv_positive: None,
            irr_pct_p10: None,
            irr_pct_p50: None,
            irr_pct_p90: None,
            top_drivers: Vec::new(),
            simulation: None,
            warnings: site.warnings.clone(),
            spatial: site,
            lead_time,
            provenance: Provenance::default(),
            study: None,
            properties: rec.extra.clone(),
            cashflows: Vec::new(),
        }
    }
}

/// The schedule inputs of a project.
fn schedule_inputs(p: &Production, c: &Costs, a: &Assumptions) -> ScheduleInputs {
    ScheduleInputs {
        revenue_per_y: p.annual_revenue_musd,
        opex_per_y: c.opex_musd_per_y,
        logistics_per_y: c.logistics_musd_per_y,
        royalty_pct: c.royalty_pct,
        tax_rate_pct: c.tax_rate_pct,
        capex: c.capex_musd,
        sustaining_per_y: c.sustaining_musd_per_y,
        closure: c.closure_musd,
        depreciation_y: c.depreciation_y,
        construction_y: c.construction_y,
        mine_life_y: p.mine_life_y,
        ramp_up: a.schedule.ramp_up.clone(),
    }
}

/// NPV (after or before tax) of a schedule at `rate_pct`.
fn value(years: &[YearFlow], rate_pct: f64, discounting: Discounting, after_tax: bool) -> f64 {
    let flows = years
        .iter()
        .map(|y| if after_tax { y.net } else { y.pre_tax });
    cashflow::npv_of(rate_pct / 100.0, flows, discounting)
}

/// NPV of the schedule with every price times `k`, built in `scratch` (the price searches
/// evaluate it a dozen times per project).
fn value_at(
    inputs: &ScheduleInputs,
    k: f64,
    scratch: &std::cell::RefCell<Vec<YearFlow>>,
    rate_pct: f64,
    discounting: Discounting,
    after_tax: bool,
) -> f64 {
    let mut years = scratch.borrow_mut();
    cashflow::schedule_into(inputs, k, &mut years);
    value(&years, rate_pct, discounting, after_tax)
}

/// What the spatial, lead-time and risk models say of a record, valued or not.
struct Placed {
    site: SiteContext,
    lead_time: LeadTime,
    risk: risk::Risk,
}

fn place(
    rec: &ProjectRecord,
    site: SiteContext,
    construction_y: u32,
    a: &Assumptions,
    terms: &Terms,
) -> Placed {
    let ramp_y = a.schedule.ramp_up.len() as f64;
    let lead_time = leadtime::lead_time(rec, site.regime, construction_y, ramp_y, a, terms.as_of);
    let risk = risk::risk(rec, &site, a);
    Placed {
        site,
        lead_time,
        risk,
    }
}

/// The construction time the cost model would use, for records it cannot value.
fn default_construction_y(rec: &ProjectRecord, a: &Assumptions) -> u32 {
    cost::construction_y(
        rec.geology
            .deposit_type
            .unwrap_or(crate::record::DepositType::Carbonatite),
        a,
    )
}

/// Appraises one record at its spatial context.
pub fn appraise(
    rec: &ProjectRecord,
    site: SiteContext,
    a: &Assumptions,
    terms: &Terms,
    sim: Option<&SimOptions>,
) -> Appraisal {
    let mut log = Provenance::default();
    let production = match grade::production(rec, a, &terms.prices, &mut log) {
        Ok(p) => p,
        Err(u) => {
            let placed = place(rec, site, default_construction_y(rec, a), a, terms);
            return Appraisal::unvalued(rec, placed, u.reason, log, a);
        }
    };
    let to_plant_km = match production.product_form {
        ProductForm::Concentrate | ProductForm::MixedCarbonate => site
            .nearest_separation_plant
            .as_ref()
            .map(|n| n.distance_km),
        ProductForm::SeparatedOxides => None,
    };
    let where_ = Remoteness {
        to_plant_km,
        to_shore_km: site.distance_to_shore_km,
    };
    let costs = match cost::costs(rec, &production, where_, a, &mut log) {
        Ok(c) => c,
        Err(u) => {
            let placed = place(rec, site, default_construction_y(rec, a), a, terms);
            return Appraisal::unvalued(rec, placed, u.reason, log, a);
        }
    };
    let placed = place(rec, site, costs.construction_y, a, terms);
    let inputs = schedule_inputs(&production, &costs, a);
    let years = cashflow::schedule(&inputs, 1.0);
    let rate = terms.discount_rate_pct;
    let npv = value(&years, rate, terms.discounting, true);
    let net: Vec<f64> = years.iter().map(|y| y.net).collect();
    let irr = cashflow::irr(&net);
    let construction = costs.construction_y as usize;
    let scratch = std::cell::RefCell::new(Vec::with_capacity(cashflow::MAX_YEARS));
    let breakeven = cashflow::breakeven_factor(|k| {
        value_at(&inputs, k, &scratch, rate, terms.discounting, true)
    });

    let mut out = Appraisal::blank(rec, placed);
    out.valued = true;
    out.npv_musd = Npv {
        base: Some(npv),
        pre_tax: Some(value(&years, rate, terms.discounting, false)),
        ..Npv::default()
    };
    let delay = out.lead_time.years_to_construction.max(0.0);
    out.risked_npv_musd = Some(out.chance_of_success * npv / (1.0 + rate / 100.0).powf(delay));
    out.irr_pct = irr.pct();
    out.irr_note = match &irr {
        Irr::Unique { .. } => None,
        Irr::Multiple { rates } => Some(format!(
            "several rates make NPV zero: {}",
            rates
                .iter()
                .map(|r| format!("{:.2} %", r * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Irr::None { reason } => Some(reason.clone()),
    };
    out.payback_years = cashflow::payback(&net, construction, None);
    out.discounted_payback_years = cashflow::payback(&net, construction, Some(rate / 100.0));
    out.capex_musd = Some(costs.capex_musd);
    out.npv_to_capex = (costs.capex_musd > 0.0).then(|| npv / costs.capex_musd);
    out.opex_musd_per_y = Some(costs.opex_musd_per_y);
    out.sustaining_capex_musd_per_y = Some(costs.sustaining_musd_per_y);
    out.annual_revenue_musd = Some(production.annual_revenue_musd);
    if production.commodity == Commodity::RareEarths {
        out.basket_price_usd_per_kg = Some(production.basket_price_usd_per_kg);
        out.payable_price_usd_per_kg = Some(production.payable_price_usd_per_kg);
        out.product_form = Some(production.product_form.as_str().to_owned());
        out.ndpr_value_share_pct = Some(production.ndpr_value_share_pct);
        out.dytb_value_share_pct = Some(production.dytb_value_share_pct);
        out.recovery_pct = Some(production.recovery_pct);
    } else {
        out.annual_metals_t = Some(production.annual_metals_t);
    }
    out.annual_treo_t = Some(production.annual_treo_t);
    out.annual_ndpr_t = Some(production.annual_ndpr_t);
    out.annual_dytb_t = Some(production.annual_dytb_t);
    out.throughput_mtpa = production.throughput_mtpa;
    out.mine_life_y = Some(production.mine_life_y);
    out.construction_y = Some(costs.construction_y);
    out.royalty_pct = Some(costs.royalty_pct);
    out.tax_rate_pct = Some(costs.tax_rate_pct);
    out.breakeven_price_factor = breakeven;
    out.warnings.extend(costs.warnings.iter().cloned());
    out.warnings
        .extend(grade::confidence_warnings(rec, &production));
    if rec.geology.deposit_type.is_some_and(|t| t.is_seabed()) {
        out.warnings.push("seabed costs rest on one calibration point (NORI-D) and judgement on depth (docs/assumptions.md)".into());
    }
    if !npv.is_finite() {
        out.warnings.push(
            "the NPV is not a finite number: a figure of the record is out of any plausible range"
                .into(),
        );
    }
    out.study = compare_study(rec, &production, &inputs, &scratch, a, terms);
    if let Some(opts) = sim.filter(|o| o.draws > 0) {
        let model = draw_model(
            rec,
            &production,
            inputs,
            &out,
            &log,
            a,
            terms,
            irr.pct().map(|p| p / 100.0),
        );
        let summary = simulate::simulate(&rec.id, &model, a, opts);
        out.attach(summary);
    }
    out.provenance = log;
    if terms.keep_cashflows {
        out.cashflows = years;
    }
    out
}

impl Appraisal {
    /// Adds a simulation's results to the deterministic ones.
    fn attach(&mut self, s: SimSummary) {
        self.npv_musd.p10 = Some(s.npv_musd.p10);
        self.npv_musd.p50 = Some(s.npv_musd.p50);
        self.npv_musd.p90 = Some(s.npv_musd.p90);
        self.npv_musd.mean = Some(s.npv_musd.mean);
        self.prob_npv_positive = Some(s.prob_npv_positive);
        if let Some(irr) = &s.irr_pct {
            (self.irr_pct_p10, self.irr_pct_p50, self.irr_pct_p90) =
                (Some(irr.p10), Some(irr.p50), Some(irr.p90));
        }
        let y = &s.first_production_year;
        (
            self.first_production_year.p10,
            self.first_production_year.p50,
            self.first_production_year.p90,
        ) = (Some(y.p10), Some(y.p50), Some(y.p90));
        self.top_drivers = s.sensitivity.iter().take(3).cloned().collect();
        self.simulation = Some(s);
    }
}

/// Coefficient of variation of grade or tonnage from the resource categories, weighted by
/// tonnage (a reserve when given; inferred when nothing is said).
fn resource_cv(rec: &ProjectRecord, a: &Assumptions) -> f64 {
    let cv = &a.uncertainty.resource_cv;
    let r = &rec.geology.resource;
    if r.reserve_mt.is_some() {
        return cv.reserve;
    }
    let parts = [
        (r.measured_mt.unwrap_or(0.0), cv.measured),
        (r.indicated_mt.unwrap_or(0.0), cv.indicated),
        (
            r.inferred_mt.unwrap_or(0.0) + r.unclassified_mt.unwrap_or(0.0),
            cv.inferred,
        ),
    ];
    let total: f64 = parts.iter().map(|p| p.0).sum();
    if total > 0.0 {
        parts.iter().map(|(t, c)| t * c).sum::<f64>() / total
    } else {
        cv.inferred
    }
}

/// What the simulation needs of a valued project.
#[allow(clippy::too_many_arguments)]
fn draw_model(
    rec: &ProjectRecord,
    p: &Production,
    inputs: ScheduleInputs,
    out: &Appraisal,
    log: &Provenance,
    a: &Assumptions,
    terms: &Terms,
    base_irr: Option<f64>,
) -> DrawModel {
    // Nameplate revenue split by price driver.
    let mut parts = [0.0; 8];
    if p.commodity == Commodity::RareEarths {
        let scale = p.annual_treo_t * 1000.0 * a.product(p.product_form).payable_pct / 100.0 / 1e6;
        for (i, (share, price)) in p
            .oxide_shares_pct
            .iter()
            .zip(&terms.prices.oxides)
            .enumerate()
        {
            let driver = match i {
                2 | 3 => 0, // Pr, Nd
                7 | 8 => 1, // Tb, Dy
                0 | 1 => 2, // La, Ce
                _ => 3,
            };
            parts[driver] += scale * share / 100.0 * price;
        }
    } else {
        let m = p.annual_metals_t;
        let pr = terms.prices.metals;
        parts[4..8].copy_from_slice(&[
            m.ni * pr.ni / 1e6,
            m.cu * pr.cu / 1e6,
            m.co * pr.co / 1e6,
            m.mn * pr.mn / 1e6,
        ]);
    }
    let stage = rec
        .study
        .study_type
        .or(rec.development.stage)
        .unwrap_or(StudyStage::Pea);
    let band = simulate::accuracy_band(a, stage);
    let given = |name: &str| {
        log.get(name)
            .is_some_and(|e| e.origin == crate::provenance::Origin::Given)
    };
    let sigma = &a.uncertainty.estimated_sigma;
    let cv = resource_cv(rec, a);
    DrawModel {
        inputs,
        revenue_parts: parts,
        grade_cv: cv,
        tonnage_cv: cv,
        life_from_tonnage: log
            .get("mine_life_y")
            .is_some_and(|e| e.origin != crate::provenance::Origin::Given),
        recovery_pct: (p.commodity == Commodity::RareEarths).then_some(p.recovery_pct),
        capex: if given("capex_musd") {
            FactorDist::Pert([1.0 - band / 2.0, 1.0, 1.0 + 1.5 * band])
        } else {
            FactorDist::LogNormal(sigma.capex)
        },
        opex: if given("opex_musd_per_y") {
            FactorDist::Pert([1.0 - band / 2.0, 1.0, 1.0 + band])
        } else {
            FactorDist::LogNormal(sigma.opex)
        },
        lead_time: out.lead_time.clone(),
        chance_of_success: out.chance_of_success,
        rate_pct: terms.discount_rate_pct,
        discounting: terms.discounting,
        base_irr,
    }
}

/// A published study's NPV in US$, with the model's side left empty.
fn published_study(rec: &ProjectRecord, a: &Assumptions) -> Option<StudyComparison> {
    let s = &rec.study;
    let published = s.npv_m?;
    let currency = s
        .currency
        .clone()
        .unwrap_or_else(|| rec.currency().to_owned());
    let money = Money::of(&currency, s.year.or(rec.development.stage_year), a).ok()?;
    Some(StudyComparison {
        study_type: s.study_type.map(|t| t.as_str().to_owned()),
        study_year: s.year,
        published_npv_musd: money.usd(published),
        published_npv_m: published,
        currency,
        model_npv_musd: None,
        deviation_pct: None,
        discount_rate_pct: s.discount_rate_pct.unwrap_or(a.valuation.discount_rate_pct),
        npv_basis: match s.npv_basis {
            Some(NpvBasis::PreTax) => "pre_tax",
            _ => "post_tax",
        }
        .into(),
        price_factor: 1.0,
        implied_price_factor: None,
        implied_ndpr_usd_per_kg: None,
        notes: Vec::new(),
    })
}

/// The model under a published study's own prices, discount rate, tax basis and currency.
fn compare_study(
    rec: &ProjectRecord,
    p: &Production,
    inputs: &ScheduleInputs,
    scratch: &std::cell::RefCell<Vec<YearFlow>>,
    a: &Assumptions,
    terms: &Terms,
) -> Option<StudyComparison> {
    let mut out = published_study(rec, a)?;
    let s = &rec.study;
    let deck_ndpr = terms.prices.oxides[3];
    out.price_factor = if let (Some(basket), true) =
        (s.basket_price_per_kg, p.basket_price_usd_per_kg > 0.0)
    {
        out.notes.push(format!(
            "prices scaled so the basket is the study's US${basket}/kg TREO"
        ));
        basket / p.basket_price_usd_per_kg
    } else if let (Some(ndpr), true) = (s.ndpr_price_per_kg, deck_ndpr > 0.0) {
        out.notes.push(format!("prices scaled by the study's NdPr price US${ndpr}/kg over the deck's US${deck_ndpr:.2}/kg"));
        ndpr / deck_ndpr
    } else {
        out.notes.push(format!(
            "the study's price deck is not in the record: the {} deck is used",
            terms.prices.scenario
        ));
        1.0
    };
    if s.discount_rate_pct.is_none() {
        out.discount_rate_pct = terms.discount_rate_pct;
        out.notes.push(format!(
            "the study's discount rate is not in the record: {} % is used",
            terms.discount_rate_pct
        ));
    }
    if s.npv_basis.is_none() {
        out.notes
            .push("the study's tax basis is not in the record: after-tax NPV is compared".into());
    }
    let after_tax = out.npv_basis == "post_tax";
    let (rate, discounting) = (out.discount_rate_pct, terms.discounting);
    let model = value_at(
        inputs,
        out.price_factor,
        scratch,
        rate,
        discounting,
        after_tax,
    );
    out.model_npv_musd = Some(model);
    let published = out.published_npv_musd;
    out.implied_price_factor = cashflow::breakeven_factor(|k| {
        value_at(inputs, k, scratch, rate, discounting, after_tax) - published
    });
    if p.commodity == crate::record::Commodity::RareEarths {
        out.implied_ndpr_usd_per_kg = out.implied_price_factor.map(|k| k * deck_ndpr);
    }
    out.deviation_pct = (out.published_npv_musd != 0.0)
        .then(|| (model - out.published_npv_musd) / out.published_npv_musd.abs() * 100.0);
    Some(out)
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

impl Report {
    /// The report of a run holding `projects` (sorted here).
    pub fn new(
        a: &Assumptions,
        terms: &Terms,
        sim: Option<&SimOptions>,
        mut projects: Vec<Appraisal>,
    ) -> Report {
        projects.sort_by(|x, y| report_order((x.npv_musd.base, &x.id), (y.npv_musd.base, &y.id)));
        let sim = sim.filter(|o| o.draws > 0);
        Report {
            prospect_version: env!("CARGO_PKG_VERSION").to_owned(),
            seed: sim.map(|o| o.seed),
            draws: sim.map_or(0, |o| o.draws),
            percentile_convention: simulate::PERCENTILE_CONVENTION,
            as_of: terms.as_of,
            assumptions: AssumptionsInfo {
                scenario: terms.prices.scenario.clone(),
                digest: a.digest.clone(),
                date: a.meta.date.clone(),
                discount_rate_pct: terms.discount_rate_pct,
            },
            conventions: Conventions {
                money: "US$ million, real (study-year money converted at that year's average exchange rate; no escalation)".into(),
                discounting: terms.discounting,
                valuation_date: "start of construction (year 1 is the first construction year); risked_npv_musd is discounted further to as_of".into(),
                payback: "years from first production until cumulative cash flow turns positive".into(),
                risk: "risk enters value through chance_of_success and the lead time, never through the discount rate".into(),
            },
            projects,
        }
    }
}

/// Appraises every record at its place in `context`, in parallel; with `sim`, each is also
/// simulated. Results do not depend on the thread count or the order of the records.
pub fn appraise_all(
    records: &[ProjectRecord],
    context: &Context,
    a: &Assumptions,
    terms: &Terms,
    sim: Option<&SimOptions>,
    progress: &indicatif::ProgressBar,
) -> Report {
    use rayon::prelude::*;
    let projects: Vec<Appraisal> = records
        .par_iter()
        .map(|r| {
            let out = appraise(r, context.locate(r), a, terms, sim);
            progress.inc(1);
            out
        })
        .collect();
    progress.finish_and_clear();
    Report::new(a, terms, sim, projects)
}

/// Records per batch of [`appraise_files`]: enough to keep every core busy, few enough
/// that a batch is a small part of memory.
pub const BATCH: usize = 4096;

/// Everything [`appraise_files`] needs besides the files.
pub struct Run<'a> {
    pub context: &'a Context,
    pub assumptions: &'a Assumptions,
    pub terms: &'a Terms,
    pub sim: Option<&'a SimOptions>,
    pub progress: &'a indicatif::ProgressBar,
}

/// Reads `paths` and appraises their records as they are read, for runs of any size:
/// this thread reads (and reprojects) batches of [`BATCH`] records while the rayon pool
/// appraises the previous batch and turns each project into `T` with `map`; `sink`
/// receives every `T` in input order. Memory holds three batches at most (one being read,
/// one waiting, one being appraised). Problems go to
/// `problem` as they are found; once a record has an error nothing more is appraised
/// (see [`read::read_batches`](crate::read::read_batches)), and the caller should
/// discard what it was given.
pub fn appraise_files<T: Send>(
    paths: &[std::path::PathBuf],
    crs: Option<&crate::read::crs::Reprojector>,
    run: &Run,
    map: &(dyn Fn(Appraisal) -> T + Sync),
    problem: &mut dyn FnMut(crate::diagnostic::Diagnostic),
    sink: &mut (dyn FnMut(T) + Send),
) -> Result<crate::diagnostic::Tally, crate::read::ReadError> {
    use rayon::prelude::*;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ProjectRecord>>(1);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for batch in rx {
                let out: Vec<T> = batch
                    .par_iter()
                    .map(|r| {
                        map(appraise(
                            r,
                            run.context.locate(r),
                            run.assumptions,
                            run.terms,
                            run.sim,
                        ))
                    })
                    .collect();
                run.progress.inc(out.len() as u64);
                out.into_iter().for_each(&mut *sink);
            }
        });
        let read = crate::read::read_batches(paths, crs, BATCH, problem, &mut |batch| {
            // The appraising side only stops early by panicking, which the scope re-raises.
            let _ = tx.send(batch);
        });
        drop(tx);
        read
    })
}
