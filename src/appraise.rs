//! `prospect appraise`: each record through the grade, cost and cash-flow models to the
//! figures a financing committee reads, with the provenance of every input and, where a
//! record carries a published study, the model's NPV under that study's own terms.

use crate::appraisal::{
    Appraisal, AssumptionsInfo, Conventions, Npv, Report, YearEstimate, report_order,
};

use crate::assumptions::Assumptions;
use crate::model::cashflow::{self, Irr, ScheduleInputs};
use crate::model::cost::{self, Costs, Remoteness};

use crate::context::{Context, SiteContext};
use crate::model::grade::{self, Production};
use crate::model::leadtime::{self, LeadTime};
use crate::model::mud;
use crate::model::owner;
use crate::model::plant_terms::{self, PlantTerms, SeparationUsed};
use crate::model::provenance::{Keep, Provenance};
use crate::model::risk;
use crate::model::simulate::{self, DrawModel, FactorDist, SimOptions, SimSummary};
use crate::model::study;
pub use crate::model::terms::{Options, Terms};
use crate::model::{byproduct, going_concern, unit_cost};
use crate::read::record::{Commodity, DepositType, ProductForm, ProjectRecord, StudyStage};

impl YearEstimate {
    fn base(year: i32) -> YearEstimate {
        YearEstimate {
            base: year,
            p10: None,
            p50: None,
            p90: None,
            never_reason: None,
        }
    }

    /// The deterministic year with the outlook's percentiles (never included).
    fn outlook(year: i32, o: &leadtime::Outlook) -> YearEstimate {
        YearEstimate {
            base: year,
            p10: o.p10.year,
            p50: o.p50.year,
            p90: o.p90.year,
            never_reason: o.never_reason.clone(),
        }
    }
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
        out.study = study::published(rec, a);
        out
    }

    fn blank(rec: &ProjectRecord, place: Placed) -> Appraisal {
        let name = |s: Option<&str>| s.map(str::to_owned);
        let t = rec.geology.deposit_type;
        let Placed {
            site,
            lead_time,
            risk,
            outlook,
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
            annual_dy_t: None,
            annual_tb_t: None,
            annual_metals_t: None,
            throughput_mtpa: None,
            mine_life_y: None,
            construction_y: None,
            recovery_pct: None,
            royalty_pct: None,
            tax_rate_pct: None,
            royalty_effective_pct: None,
            rent_tax_pct: None,
            rent_tax_threshold_pct: None,
            rent_tax_musd: None,
            breakeven_price_factor: None,
            npv_convention: None,
            npv_as_of_musd: None,
            capex_to_spend_musd: None,
            sunk_capex_musd: None,
            remaining_life_y: None,
            incentive_ndpr_usd_per_kg: None,
            c1_usd_per_kg_ndpr: None,
            c1_usd_per_kg_treo: None,
            aisc_usd_per_kg_ndpr: None,
            aisc_usd_per_kg_treo: None,
            netback: None,
            byproduct_revenue_musd_per_y: None,
            byproducts_unpriced: Vec::new(),
            byproducts_priced_by_default: Vec::new(),
            idle: None,
            nearest_separation_plant: site.nearest_separation_plant.clone(),
            first_production_year: YearEstimate::outlook(
                lead_time.first_production_year(),
                &outlook,
            ),
            nameplate_year: YearEstimate::base(lead_time.nameplate_year()),
            years_to_first_production: lead_time.years_to_first_production,
            chance_of_success: risk.chance_of_success,
            risk_factors: risk.factors,
            first_production: outlook,
            owner: None,
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
            mud: None,
            separation: None,
            funding: None,
            instruments: None,
            cashflows: Vec::new(),
        }
    }
}

/// The as-of valuation's figures, unit costs and incentive price of a valued project.
fn valuation_fields(
    out: &mut Appraisal,
    p: &Production,
    c: &Costs,
    b: &going_concern::ValuationBasis,
    npv: f64,
    terms: &Terms,
    by: &byproduct::Byproducts,
) {
    out.byproduct_revenue_musd_per_y = Some(by.revenue_musd_per_y);
    out.byproducts_unpriced = by.unpriced.clone();
    out.byproducts_priced_by_default = by.priced_by_default.clone();
    out.annual_revenue_musd = Some(p.annual_revenue_musd + by.revenue_musd_per_y);
    out.warnings.extend(byproduct::warning(by));
    let delay = out.lead_time.years_to_construction;
    out.npv_convention = Some(b.convention.as_str().to_owned());
    out.npv_as_of_musd = Some(going_concern::npv_as_of(
        npv,
        b,
        delay,
        terms.discount_rate_pct,
    ));
    out.capex_to_spend_musd = Some(b.capex_to_spend_musd);
    out.sunk_capex_musd = Some(b.sunk_capex_musd);
    out.remaining_life_y = Some(b.remaining_life_y);
    if p.commodity == Commodity::RareEarths {
        out.incentive_ndpr_usd_per_kg =
            unit_cost::incentive_ndpr_price(terms.prices.oxides[3], out.breakeven_price_factor);
        let u = unit_cost::unit_costs(&unit_cost::NameplateCosts {
            opex_musd_per_y: c.opex_musd_per_y,
            logistics_musd_per_y: c.logistics_musd_per_y,
            byproduct_credit_musd_per_y: by.revenue_musd_per_y,
            royalty_musd_per_y: (p.annual_revenue_musd + by.revenue_musd_per_y) * c.royalty_pct
                / 100.0,
            sustaining_musd_per_y: c.sustaining_musd_per_y,
            annual_ndpr_t: p.annual_ndpr_t,
            annual_treo_t: p.annual_treo_t,
        });
        out.c1_usd_per_kg_ndpr = u.c1_usd_per_kg_ndpr;
        out.c1_usd_per_kg_treo = u.c1_usd_per_kg_treo;
        out.aisc_usd_per_kg_ndpr = u.aisc_usd_per_kg_ndpr;
        out.aisc_usd_per_kg_treo = u.aisc_usd_per_kg_treo;
        out.netback = p.netback.clone();
    }
}

/// The fiscal regime's figures of a valued project (issue 23): the royalty actually paid
/// over revenue on the valuation's schedule and the resource-rent tax, if any.
fn fiscal_fields(out: &mut Appraisal, c: &Costs, years: &[cashflow::YearFlow]) {
    let revenue: f64 = years.iter().map(|y| y.revenue).sum();
    let royalty: f64 = years.iter().map(|y| y.royalty).sum();
    out.royalty_effective_pct = (revenue > 0.0).then(|| royalty / revenue * 100.0);
    if let Some(rt) = &c.fiscal.rent_tax {
        out.rent_tax_pct = Some(rt.rate_pct);
        out.rent_tax_threshold_pct = Some(rt.threshold_pct);
        out.rent_tax_musd = Some(years.iter().map(|y| y.rent_tax).sum());
    }
}

/// A built mine (valued at the as-of date, no construction or capital ahead) may stop
/// rather than run at a loss: care and maintenance, or closing now (`model::idle`, issue
/// 14). Replaces `years` by the chosen course when it is not to operate.
fn built_mine_choice(
    basis: &going_concern::ValuationBasis,
    inputs: &ScheduleInputs,
    years: &mut Vec<cashflow::YearFlow>,
    a: &Assumptions,
    terms: &Terms,
) -> Option<crate::model::idle::IdleDecision> {
    let built = basis.convention == going_concern::NpvConvention::AsOf
        && basis.construction_y == 0
        && basis.capex_to_spend_musd <= 0.0;
    if !built || years.is_empty() {
        return None;
    }
    let holding = inputs.opex_per_y * a.care_and_maintenance.holding_cost_pct_of_opex / 100.0;
    let (d, course) = crate::model::idle::decide(
        years,
        inputs.closure,
        holding,
        terms.discount_rate_pct,
        terms.discounting,
    );
    if let Some(c) = course {
        *years = c;
    }
    Some(d)
}

/// The study stage whose accuracy band bounds a project's capex and opex.
fn study_stage(rec: &ProjectRecord) -> StudyStage {
    rec.study
        .study_type
        .or(rec.development.stage)
        .unwrap_or(StudyStage::Pea)
}

/// The funding structure of a valued project on its valuation schedule (issue 18).
fn funding_of(
    rec: &ProjectRecord,
    out: &Appraisal,
    basis: &going_concern::ValuationBasis,
    inputs: &ScheduleInputs,
    years: &[cashflow::YearFlow],
    a: &Assumptions,
) -> crate::model::funding::Funding {
    let band = simulate::accuracy_band(a, study_stage(rec));
    crate::model::funding::funding(
        &crate::model::funding::FundingInputs {
            years,
            construction_y: basis.construction_y,
            capex_to_spend_musd: basis.capex_to_spend_musd,
            accuracy_band: band,
            operating_cost_musd_per_y: inputs.opex_per_y + inputs.logistics_per_y,
            producing: out.lead_time.produced,
            offtake_share_pct: rec.ownership.offtake_share_pct,
            offtakers: &rec.ownership.offtakers,
        },
        &a.funding,
    )
}

/// A price floor's terms and model for a project with NdPr output (issue 18).
type Floor = (
    crate::model::instruments::FloorModel,
    crate::assumptions::PriceFloorTerms,
    &'static str,
);

fn floor_of(
    rec: &ProjectRecord,
    p: &Production,
    c: &Costs,
    operating: &[cashflow::YearFlow],
    a: &Assumptions,
    terms: &Terms,
) -> Option<Floor> {
    use crate::model::instruments as ins;
    if p.commodity != Commodity::RareEarths {
        return None;
    }
    let (t, basis) = ins::floor_terms(rec, a);
    ins::floor_model(
        &t,
        terms.prices.oxides[3],
        p.annual_ndpr_t,
        operating,
        terms.discount_rate_pct,
        terms.discounting,
        a.instruments.government_rate_pct,
        c.tax_rate_pct,
    )
    .map(|m| (m, t, basis))
}

/// Every support instrument valued for a valued project (issue 18): the floor from the
/// simulation's draws when there are some, the loan and the credit on the operating
/// schedule; expected costs weighed by the chance the project is built.
fn instruments_of(
    rec: &ProjectRecord,
    out: &Appraisal,
    basis: &going_concern::ValuationBasis,
    operating: &[cashflow::YearFlow],
    floor: Option<(Floor, Option<crate::model::instruments::FloorDraws>)>,
    a: &Assumptions,
    terms: &Terms,
) -> crate::model::instruments::Instruments {
    use crate::model::instruments as ins;
    let g = a.instruments.government_rate_pct;
    let owner = out.owner.as_ref();
    let decide = owner.map_or(0.0, |o| o.terms.chance_of_decision);
    let at_decision = owner.map_or(0.0, |o| o.value_at_decision_musd);
    let prob_proceeds = out.simulation.as_ref().map_or_else(
        || owner.map_or(0.0, |o| if o.proceeds { 1.0 } else { 0.0 }),
        |s| s.prob_proceeds,
    );
    let prob_built = decide * prob_proceeds;
    let delay = out.lead_time.years_to_construction.max(0.0);
    let to_as_of = (1.0 + g / 100.0).powf(-delay);
    let price_floor = floor.map(|((m, t, b), draws)| {
        ins::floor_value(
            &m,
            &t,
            b,
            terms.prices.oxides[3],
            out.annual_ndpr_t.unwrap_or(0.0),
            draws.as_ref().map(|d| (d, prob_proceeds)),
            decide,
            at_decision,
            delay,
        )
    });
    let (lt, lb) = ins::loan_terms(rec, a);
    let loan = basis.capex_to_spend_musd * lt.share_of_capex_pct / 100.0;
    let concessional_loan = (loan > 0.0).then(|| {
        let grant = ins::loan_grant_element(
            loan,
            basis.construction_y,
            lt.tenor_y,
            lt.rate_pct / 100.0,
            a.funding.debt_rate_pct / 100.0,
        );
        ins::LoanValue {
            terms_basis: lb,
            rate_pct: lt.rate_pct,
            tenor_y: lt.tenor_y,
            share_of_capex_pct: lt.share_of_capex_pct,
            loan_musd: loan,
            market_rate_pct: a.funding.debt_rate_pct,
            value_to_project_musd: grant,
            cost_to_government_if_used_musd: grant,
            expected_cost_to_government_musd: prob_built * grant * to_as_of,
        }
    });
    let production_credit = match ins::credit_terms(rec, a) {
        Ok(Some((key, t, b))) => {
            let start = terms.as_of + delay.round() as i32;
            let mut c = ins::credit_value(
                key,
                t,
                b,
                operating,
                start,
                terms.discount_rate_pct,
                g,
                terms.discounting,
            );
            c.expected_cost_to_government_musd =
                prob_built * c.cost_to_government_if_used_musd * to_as_of;
            Some(c)
        }
        _ => None,
    };
    ins::Instruments {
        government_rate_pct: g,
        prob_built,
        price_floor,
        concessional_loan,
        production_credit,
    }
}

/// The bridge from the published study's NPV to the appraisal's own (issue 14).
fn attach_bridge(
    out: &mut Appraisal,
    rec: &ProjectRecord,
    a: &Assumptions,
    study_inputs: &ScheduleInputs,
    scratch: &std::cell::RefCell<Vec<f64>>,
    terms: &Terms,
) {
    let (Some(model), Some(convention)) = (out.npv_musd.base, out.npv_convention.clone()) else {
        return;
    };
    let by = out.byproduct_revenue_musd_per_y.unwrap_or(0.0);
    let Some(s) = out.study.as_mut() else {
        return;
    };
    let study = crate::model::bridge::StudyTerms {
        published_npv_musd: s.published_npv_musd,
        price_factor: s.price_factor,
        discount_rate_pct: s.discount_rate_pct,
        after_tax: s.npv_basis == "post_tax",
        cpi_factor: s.cpi_factor,
        money_year: s.money_year,
        published_irr_pct: s.published_irr_pct,
        operating: study::operating_terms(rec, a),
    };
    let run = crate::model::bridge::RunTerms {
        discount_rate_pct: terms.discount_rate_pct,
        discounting: terms.discounting,
        model_npv_musd: model,
        model_npv_convention: convention,
        byproduct_revenue_musd_per_y: by,
    };
    s.bridge = Some(crate::model::bridge::bridge(
        study_inputs,
        scratch,
        &study,
        &run,
    ));
}

/// What the spatial, lead-time and risk models say of a record, valued or not.
struct Placed {
    site: SiteContext,
    lead_time: LeadTime,
    risk: risk::Risk,
    outlook: leadtime::Outlook,
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
    let outlook = leadtime::outlook(
        &lead_time,
        risk.chance_of_success,
        a.lead_time.survival.horizon_y,
    );
    Placed {
        site,
        lead_time,
        risk,
        outlook,
    }
}

/// The construction time the cost model would use, for records it cannot value.
fn default_construction_y(rec: &ProjectRecord, a: &Assumptions) -> u32 {
    cost::construction_y(cost::deposit_type(rec), a)
}

/// The grade and cost models of a record at its site.
fn production_and_costs(
    rec: &ProjectRecord,
    site: &SiteContext,
    a: &Assumptions,
    terms: &Terms,
    plant: Option<&PlantTerms>,
    log: &mut Provenance,
) -> Result<(Production, Costs, Option<SeparationUsed>), grade::Unvalued> {
    let mut production = grade::production(rec, a, &terms.prices, log)?;
    let nearest_km = site
        .nearest_separation_plant
        .as_ref()
        .map(|n| n.distance_km);
    // The assigned plant's terms (issue 16): its tolling, China's payable share on what no
    // plant outside China takes, and freight to it.
    let mut used = plant.and_then(|t| plant_terms::apply(rec, &mut production, t, a, log));
    let to_plant_km = match production.product_form {
        ProductForm::Concentrate | ProductForm::MixedCarbonate => match (plant, used.as_mut()) {
            (Some(t), Some(u)) => {
                let port_km = site.nearest_port.as_ref().map(|n| n.distance_km);
                let (km, basis) = plant_terms::freight_km(t, nearest_km, port_km);
                (u.freight_km, u.freight_basis) = (km, basis);
                km
            }
            _ => nearest_km,
        },
        ProductForm::SeparatedOxides => None,
    };
    let where_ = Remoteness {
        to_plant_km,
        to_shore_km: site.distance_to_shore_km,
    };
    let costs = cost::costs(rec, &production, where_, a, log)?;
    Ok((production, costs, used))
}

/// Appraises one record at its spatial context, its product priced at the nearest plant.
pub fn appraise(
    rec: &ProjectRecord,
    site: SiteContext,
    a: &Assumptions,
    terms: &Terms,
    sim: Option<&SimOptions>,
) -> Appraisal {
    appraise_at(rec, site, a, terms, sim, None)
}

/// Appraises one record at its spatial context, its product priced on the terms of the
/// plant a first allocation pass assigned it to (`plant`; the nearest plant's when `None`).
pub fn appraise_at(
    rec: &ProjectRecord,
    site: SiteContext,
    a: &Assumptions,
    terms: &Terms,
    sim: Option<&SimOptions>,
    plant: Option<&PlantTerms>,
) -> Appraisal {
    appraise_in(rec, site, a, terms, sim, plant, Pass::Valuation(Keep::All))
}

/// Which appraisal of a record is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Only what the first allocation pass reads (the output, product form, remaining
    /// life, lead time and first-production outlook, with the owner's decision), the same
    /// as in the full appraisal: no IRR, breakeven, payback, funding, study comparison and
    /// bridge, mud summary, instruments or simulation. Nothing reads where its inputs came
    /// from, so its log keeps nothing.
    Allocation,
    /// The full appraisal, its provenance log keeping this much of each input.
    Valuation(Keep),
}

/// [`appraise_at`], for the `pass` asked.
fn appraise_in(
    rec: &ProjectRecord,
    site: SiteContext,
    a: &Assumptions,
    terms: &Terms,
    sim: Option<&SimOptions>,
    plant: Option<&PlantTerms>,
    pass: Pass,
) -> Appraisal {
    let allocation_only = pass == Pass::Allocation;
    let sim = sim.filter(|_| !allocation_only);
    let mut log = Provenance::keeping(match pass {
        Pass::Allocation => Keep::Nothing,
        Pass::Valuation(keep) => keep,
    });
    if rec.is_plant() {
        // A separation plant project (issue 16): dated like any project, then placed in the
        // allocation by the portfolio stage; it sells no product of its own to value.
        let placed = place(rec, site, default_construction_y(rec, a), a, terms);
        return Appraisal::unvalued(
            rec,
            placed,
            "a separation plant record: placed in the allocation of mine output to plants outside China (timeline, plan, and the plant terms of the mines it serves), not valued as a mine".into(),
            log,
            a,
        );
    }
    let valued = if rec.geology.deposit_type == Some(DepositType::SeabedMud) {
        // The seabed-mud model values the whole operation (production and costs) at once.
        mud::case(rec, mud::scenario_name(rec, a), a, &terms.prices, &mut log)
            .map(|c| (c.production.clone(), c.costs.clone(), Some(c), None))
    } else {
        production_and_costs(rec, &site, a, terms, plant, &mut log).map(|(p, c, u)| (p, c, None, u))
    };
    let (production, costs, mud_case, separation_used) = match valued {
        Ok(v) => v,
        Err(u) => {
            let placed = place(rec, site, default_construction_y(rec, a), a, terms);
            return Appraisal::unvalued(rec, placed, u.reason, log, a);
        }
    };
    let placed = place(rec, site, costs.construction_y, a, terms);
    // The study's convention (start of construction, full capex) for the comparison; the
    // valuation keeps only what is ahead at the as-of date.
    let mut study_inputs = cashflow::schedule_inputs(&production, &costs, a);
    let by = byproduct::byproducts(rec, a, &mut log);
    study_inputs.fixed_revenue_per_y += by.revenue_musd_per_y;
    let to_first = placed.lead_time.years_to_first_production;
    let basis =
        match going_concern::basis(rec, &production, &costs, to_first, terms.as_of, a, &mut log) {
            Ok(b) => b,
            Err(u) => return Appraisal::unvalued(rec, placed, u.reason, log, a),
        };
    let inputs = going_concern::inputs(&study_inputs, &basis);
    let mut years = cashflow::schedule(&inputs, 1.0);
    let rate = terms.discount_rate_pct;
    let idle = built_mine_choice(&basis, &inputs, &mut years, a, terms);
    let npv = cashflow::value(&years, rate, terms.discounting, true);
    let net: Vec<f64> = years.iter().map(|y| y.net).collect();
    let construction = basis.construction_y as usize;
    let scratch = std::cell::RefCell::new(Vec::with_capacity(cashflow::MAX_YEARS));

    let mut out = Appraisal::blank(rec, placed);
    out.valued = true;
    out.separation = separation_used;
    if let Some(u) = out
        .separation
        .as_ref()
        .filter(|u| u.terms.china_share > 1e-6)
    {
        // Says so (issue 16): a flag for the committee; the chance stays as it is, the risk
        // being in the price and in adding no non-China supply.
        let why = format!(
            "{:.0} % of its output in {} finds no separation plant outside China: sold into China at {} % of the basket, adding no non-China supply (see separation)",
            u.terms.china_share * 100.0,
            u.terms.year,
            u.china_payable_pct
        );
        out.risk_factors.push(risk::RiskFactor {
            factor: "sold_to_china".into(),
            multiplier: 1.0,
            reason: why.clone(),
            severity: "info",
        });
        out.warnings.push(why);
    }
    out.npv_musd = Npv {
        base: Some(npv),
        pre_tax: Some(cashflow::value(&years, rate, terms.discounting, false)),
        ..Npv::default()
    };
    let delay = out.lead_time.years_to_construction.max(0.0);
    // The owner's value on the valuation's own schedule: its construction years (none for
    // a producer) and the capital still to spend, which a failed build loses a share of.
    let owner_terms = owner::terms(
        rec,
        out.spatial.regime.or(rec.regime),
        out.chance_of_success,
        basis.construction_y,
        a,
    );
    let at_risk = basis.capex_to_spend_musd;
    let owner_value = owner::value(&net, at_risk, owner_terms, rate, terms.discounting);
    out.risked_npv_musd = Some(owner::risked(
        owner_value.npv_musd,
        at_risk,
        &owner_value.terms,
        rate,
        delay,
    ));
    let share = if owner_value.proceeds { 1.0 } else { 0.0 };
    out.owner = Some(owner_value);
    out.decide(share);
    if allocation_only {
        out.annual_treo_t = Some(production.annual_treo_t);
        out.annual_ndpr_t = Some(production.annual_ndpr_t);
        out.annual_dytb_t = Some(production.annual_dytb_t);
        out.mine_life_y = Some(production.mine_life_y);
        if production.commodity == Commodity::RareEarths {
            out.product_form = Some(production.product_form.as_str().to_owned());
        }
        out.remaining_life_y = Some(basis.remaining_life_y);
        state_programme(rec, &mut out);
        return out;
    }
    let irr = cashflow::irr(&net);
    let breakeven = cashflow::breakeven_factor(|k| {
        cashflow::value_at(&inputs, k, &scratch, rate, terms.discounting, true)
    });
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
    (out.annual_dy_t, out.annual_tb_t) = dy_tb_split(&production);
    out.throughput_mtpa = production.throughput_mtpa;
    out.mine_life_y = Some(production.mine_life_y);
    out.construction_y = Some(costs.construction_y);
    out.royalty_pct = Some(costs.royalty_pct);
    out.tax_rate_pct = Some(costs.tax_rate_pct);
    fiscal_fields(&mut out, &costs, &years);
    out.breakeven_price_factor = breakeven;
    valuation_fields(&mut out, &production, &costs, &basis, npv, terms, &by);
    out.warnings.extend(costs.warnings.iter().cloned());
    out.warnings
        .extend(grade::confidence_warnings(rec, &production));
    out.warnings.extend(crate::model::nodules::warnings(
        rec,
        a,
        production.throughput_mtpa,
    ));
    out.warnings.extend(crate::model::sulphides::warnings(
        rec,
        a,
        production.throughput_mtpa,
    ));
    // The horizon: measured on the schedule itself, which stops at MAX_YEARS.
    // (Measured on the operating schedule: a mine held idle produces nothing by choice.)
    let stopped = idle.as_ref().is_some_and(|d| d.chosen != "operate");
    let cut = if stopped {
        0.0
    } else {
        cashflow::cut_output_y(&inputs, &years)
    };
    if cut > 1e-9 {
        out.warnings.push(format!(
            "the mine plan holds {:.0} years of output but the schedule ends after {} years: {cut:.0} years of nameplate output beyond are not valued",
            inputs.mine_life_y,
            cashflow::MAX_YEARS,
        ));
    }
    if mud_case.is_some() {
        out.warnings.push("seabed-mud costs are a conceptual estimate: the lift scales from NORI-D, most other steps are judgement (docs/models.md, Seabed mud)".into());
    } else if rec.geology.deposit_type.is_some_and(|t| t.is_seabed()) {
        out.warnings.push("seabed costs scale from NORI-D's published capex and unit costs (TMC, 2025); depth scaling is judgement (docs/assumptions.md)".into());
    }
    if !npv.is_finite() {
        out.warnings.push(
            "the NPV is not a finite number: a figure of the record is out of any plausible range"
                .into(),
        );
    }
    if let Some(d) = idle {
        if d.chosen != "operate" {
            out.warnings.push(format!(
                "loses money at the deck: operating the remaining life is worth US${:.0}m, so the valuation takes {} (US${:.0}m; care and maintenance US${:.0}m at US${:.0}m/y, closing now US${:.0}m); it would run again above the breakeven price factor",
                d.operate_npv_musd,
                d.chosen.replace('_', " "),
                npv,
                d.care_and_maintenance_npv_musd,
                d.care_and_maintenance_musd_per_y,
                d.close_npv_musd
            ));
        }
        out.idle = Some(d);
    }
    out.funding = Some(funding_of(rec, &out, &basis, &inputs, &years, a));
    out.study = study::compare(rec, &production, &study_inputs, &scratch, a, terms);
    attach_bridge(&mut out, rec, a, &study_inputs, &scratch, terms);
    if let Some(c) = &mud_case {
        out.mud = Some(mud::summary(
            rec,
            c,
            a,
            &terms.prices,
            terms.discount_rate_pct,
            terms.discounting,
        ));
    }
    // Support instruments (issue 18) on the operating schedule: the years the project
    // would produce, whatever its owner decides at the deck.
    let operating = cashflow::schedule(&inputs, 1.0);
    let floor = floor_of(rec, &production, &costs, &operating, a, terms);
    let mut floor_draws = None;
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
        let mut summary =
            simulate::simulate_with(&rec.id, &model, a, opts, floor.as_ref().map(|f| &f.0));
        floor_draws = summary.price_floor.take();
        out.attach(summary);
    }
    out.instruments = Some(instruments_of(
        rec,
        &out,
        &basis,
        &operating,
        floor.map(|f| (f, floor_draws)),
        a,
        terms,
    ));
    if let Err(w) = crate::model::instruments::credit_terms(rec, a) {
        out.warnings.push(w);
    }
    state_programme(rec, &mut out);
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
        // First-production percentiles stay the outlook's (never included); the
        // simulation's own, given that the project proceeds, are in `simulation`.
        self.top_drivers = s.sensitivity.iter().take(3).cloned().collect();
        // The owner's decision in each draw: the chance of production counts the share of
        // draws in which the owner proceeds.
        self.decide(s.prob_proceeds);
        self.simulation = Some(s);
    }
}

// The owner's decision in the first-production outlook (issue 17): see owner::decided.
impl Appraisal {
    /// Puts the owner's decision into the first-production outlook and its percentiles:
    /// the owner proceeds in `proceeds_share` (0-1) of the outcomes.
    fn decide(&mut self, proceeds_share: f64) {
        self.first_production =
            owner::decided(&self.first_production, &self.lead_time, proceeds_share);
        self.first_production_year =
            YearEstimate::outlook(self.first_production_year.base, &self.first_production);
    }
}

/// A state programme proceeds on policy, not on its owner's value (issue 15): its outlook
/// counts every outcome the risk model allows (the owner's risked value stays as it is).
fn state_programme(rec: &ProjectRecord, out: &mut Appraisal) {
    if rec.ownership.sponsor_kind != Some(crate::read::record::SponsorKind::State)
        || out.lead_time.produced
    {
        return;
    }
    let would = out.owner.as_ref().is_some_and(|o| o.proceeds);
    out.decide(1.0);
    out.warnings.push(if would {
        "a state programme (sponsor_kind state): its first-production outlook counts every outcome the risk model allows (the state proceeds on policy, in every draw)".into()
    } else {
        "a state programme (sponsor_kind state): its first-production outlook assumes the state proceeds although the value at the decision point is not positive; the risked NPV stays the owner's (zero), and the cost of proceeding is the negative NPV (seabed mud: the subsidy per kg)".into()
    });
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
        // The part of the price that moves with the oxide prices, over the basket.
        let moving = match &p.netback {
            Some(nb) if nb.basket_usd_per_kg > 0.0 => {
                nb.price_variable_usd_per_kg / nb.basket_usd_per_kg
            }
            _ if p.basket_price_usd_per_kg > 0.0 => {
                p.payable_price_usd_per_kg / p.basket_price_usd_per_kg
            }
            _ => 0.0,
        };
        let scale = p.annual_treo_t * 1000.0 * moving / 1e6;
        for (i, (share, price)) in p
            .oxide_shares_pct
            .iter()
            .zip(&terms.prices.oxides)
            .enumerate()
        {
            parts[simulate::price_driver_of_oxide(i)] += scale * share / 100.0 * price;
        }
    }
    // Metals: nodules, and the nodules co-mined with seabed mud (zero elsewhere), at the
    // payables of the product sold.
    let (_, pay) = crate::model::nodules::payables(a);
    let m = p.annual_metals_t.zip_with(pay, |t, k| t * k / 100.0);
    let pr = terms.prices.metals;
    parts[4..8].copy_from_slice(&[
        m.ni * pr.ni / 1e6,
        m.cu * pr.cu / 1e6,
        m.co * pr.co / 1e6,
        m.mn * pr.mn / 1e6,
    ]);
    // Seafloor sulphides: the whole net smelter return moves with the copper driver (zinc,
    // lead, gold and silver have no driver of their own; docs/models.md).
    if p.commodity == Commodity::CuZnAu {
        parts[4..8].copy_from_slice(&[0.0, p.annual_revenue_musd, 0.0, 0.0]);
    }
    let band = simulate::accuracy_band(a, study_stage(rec));
    let given = |name: &str| {
        log.get(name)
            .is_some_and(|e| e.origin == crate::model::provenance::Origin::Given)
    };
    let sigma = &a.uncertainty.estimated_sigma;
    let cv = resource_cv(rec, a);
    let construction_y = inputs.construction_y;
    DrawModel {
        inputs,
        revenue_parts: parts,
        grade_cv: cv,
        tonnage_cv: cv,
        life_from_tonnage: log
            .get("mine_life_y")
            .is_some_and(|e| e.origin != crate::model::provenance::Origin::Given),
        recovery_pct: (p.commodity == Commodity::RareEarths).then_some(p.recovery_pct),
        capex: if given("capex_musd") {
            let [low, high] = a.uncertainty.rules.capex_pert_band;
            FactorDist::Pert([1.0 - low * band, 1.0, 1.0 + high * band])
        } else {
            FactorDist::LogNormal(sigma.capex)
        },
        opex: if given("opex_musd_per_y") {
            let [low, high] = a.uncertainty.rules.opex_pert_band;
            FactorDist::Pert([1.0 - low * band, 1.0, 1.0 + high * band])
        } else {
            FactorDist::LogNormal(sigma.opex)
        },
        lead_time: out.lead_time.clone(),
        chance_of_success: out.chance_of_success,
        owner: out.owner.as_ref().map_or_else(
            || {
                owner::terms(
                    rec,
                    out.spatial.regime.or(rec.regime),
                    out.chance_of_success,
                    construction_y,
                    a,
                )
            },
            |o| o.terms.clone(),
        ),
        rate_pct: terms.discount_rate_pct,
        discounting: terms.discounting,
        base_irr,
        idle_holding_pct: out
            .idle
            .is_some()
            .then_some(a.care_and_maintenance.holding_cost_pct_of_opex),
    }
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
                money: format!(
                    "US$ million, real {year}: a record's money converted at the average exchange rate of its money year (money_year, else study_year, else stage_year), then by the US CPI-U ratio to {year}; price decks and default by-product prices from their money_year to {year} the same way (docs/assumptions.md, Money year)",
                    year = a.money.real_year
                ),
                money_year: a.money.real_year,
                discounting: terms.discounting,
                valuation_date: "per project, see npv_convention: as_of (start of the as-of year; projects under construction, ramping up or producing, on their remaining cash flows, sunk capex excluded) or start_of_construction (projects before construction; year 1 is the first construction year); npv_as_of_musd and risked_npv_musd are discounted to as_of; study comparisons are at the start of construction".into(),
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
    /// Each record's assigned plant, by id, from a first allocation pass (none: every
    /// product is priced at its nearest plant).
    pub plants: Option<&'a crate::portfolio::assigned::AssignedPlants>,
    /// Which appraisal each record gets: [`Pass::Allocation`] for the first allocation
    /// pass (only what the allocation reads: output and dates,
    /// `portfolio::assigned::SupplyLine` and `portfolio::plant_records::plant_of`), else
    /// [`Pass::Valuation`] with as much of each input as the output shows ([`Keep::All`]
    /// for the JSON of docs/outputs.md, [`Keep::Origins`] for outputs that show only the
    /// origins).
    pub pass: Pass,
}

/// Reads `paths` and appraises their records as they are read, for runs of any size:
/// this thread reads (and reprojects) batches of [`BATCH`] records while the rayon pool
/// appraises the previous batch and turns each project (with its record) into `T` with
/// `map`; `sink`
/// receives every `T` in input order. Memory holds three batches at most (one being read,
/// one waiting, one being appraised). Problems go to
/// `problem` as they are found; once a record has an error nothing more is appraised
/// (see [`read::read_batches`](crate::read::read_batches)), and the caller should
/// discard what it was given.
pub fn appraise_files<T: Send>(
    paths: &[std::path::PathBuf],
    crs: Option<&crate::read::crs::Reprojector>,
    run: &Run,
    map: &(dyn Fn(&ProjectRecord, Appraisal) -> T + Sync),
    problem: &mut dyn FnMut(crate::diagnostic::Diagnostic),
    sink: &mut (dyn FnMut(T) + Send),
) -> Result<crate::diagnostic::Tally, crate::read::ReadError> {
    use rayon::prelude::*;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ProjectRecord>>(1);
    // The first pass keeps what it found of each site, in input order, for the pass after
    // it, which locates each record from it (`Context::locate_in`: a site at the same
    // point takes it, any other is measured).
    let allocation_only = run.pass == Pass::Allocation;
    let kept = if allocation_only {
        Vec::new()
    } else {
        run.context.kept()
    };
    let (read, found) = std::thread::scope(|scope| {
        let appraising = scope.spawn(move || {
            let mut found = Vec::new();
            let mut at = 0;
            for batch in rx {
                let out: Vec<(T, Option<crate::context::Found>)> = batch
                    .par_iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let plant = run.plants.and_then(|m| m.get(&r.id));
                        let (site, f) = run.context.locate_in(r, kept.get(at + i), allocation_only);
                        let p = appraise_in(
                            r,
                            site,
                            run.assumptions,
                            run.terms,
                            run.sim,
                            plant.as_ref(),
                            run.pass,
                        );
                        (map(r, p), f)
                    })
                    .collect();
                at += out.len();
                run.progress.inc(out.len() as u64);
                for (t, f) in out {
                    found.extend(f);
                    sink(t);
                }
            }
            found
        });
        let read = crate::read::read_batches(paths, crs, BATCH, problem, &mut |batch| {
            // The appraising side only stops early by panicking, which the scope re-raises.
            let _ = tx.send(batch);
        });
        drop(tx);
        let found = appraising
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (read, found)
    });
    if allocation_only {
        run.context.keep(found);
    }
    read
}

/// Dy and Tb oxide at nameplate, t/y (issue 18): the Dy + Tb output split by the shares of
/// the oxide distribution used; null when there is Dy + Tb but no share to split it by.
fn dy_tb_split(p: &Production) -> (Option<f64>, Option<f64>) {
    use crate::model::distribution::{DY, TB};
    let (dy, tb) = (p.oxide_shares_pct[DY], p.oxide_shares_pct[TB]);
    if p.annual_dytb_t <= 0.0 {
        (Some(0.0), Some(0.0))
    } else if dy + tb > 0.0 {
        (
            Some(p.annual_dytb_t * dy / (dy + tb)),
            Some(p.annual_dytb_t * tb / (dy + tb)),
        )
    } else {
        (None, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first allocation pass's appraisal gives the allocation what the full appraisal
    /// gives it: the same supply line and plant record for every sample project and a
    /// synthetic set (every model path: valued and unvalued, seabed, plants, studies); an
    /// appraisal whose log keeps only the origins is the full one without the values and
    /// bases.
    #[test]
    fn the_allocation_pass_and_a_log_of_origins_agree_with_the_full_appraisal() {
        let a = Assumptions::defaults();
        let terms = Terms::resolve(&a, &Options::at(2026)).unwrap();
        let context = Context::builtin().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut records = crate::read::read_all(&[root.join("samples/projects.csv")])
            .unwrap()
            .records;
        let mut synthetic = Vec::new();
        crate::synth::write(600, 7, &mut synthetic).unwrap();
        crate::read::visit_bytes(
            "synth.csv",
            crate::read::InputFormat::Csv,
            &synthetic,
            &mut |e| {
                if let crate::read::Event::Record(p) = e {
                    records.push(p.record);
                }
            },
        );
        assert!(records.len() > 600);
        let (mut supplying, mut logged) = (0, 0);
        for r in &records {
            let full = appraise_at(r, context.locate(r), &a, &terms, None, None);
            let first = appraise_in(
                r,
                context.locate(r),
                &a,
                &terms,
                None,
                None,
                Pass::Allocation,
            );
            let line =
                |p: &Appraisal| format!("{:?}", crate::portfolio::assigned::SupplyLine::of(p, r));
            assert_eq!(line(&first), line(&full), "{}", r.id);
            supplying += usize::from(line(&full) != "None");
            let plant =
                |p: &Appraisal| format!("{:?}", crate::portfolio::plant_records::plant_of(r, p));
            assert_eq!(plant(&first), plant(&full), "{}", r.id);
            // A log of origins alone changes nothing else: the full appraisal with each
            // input's value and basis blanked.
            let keep = Pass::Valuation(Keep::Origins);
            let origins = appraise_in(r, context.locate(r), &a, &terms, None, None, keep);
            let mut blanked = serde_json::to_value(&full).unwrap();
            let log = blanked["provenance"].as_object_mut().unwrap();
            logged += log.len();
            for e in log.values_mut() {
                e["value"] = serde_json::Value::Null;
                e["basis"] = "".into();
            }
            assert_eq!(serde_json::to_value(&origins).unwrap(), blanked, "{}", r.id);
        }
        assert!(supplying > 100, "{supplying} supplying projects");
        assert!(logged > 5 * records.len(), "{logged} inputs logged");
    }
}
