//! The bridge from a published study's NPV to prospect's own (issue 14): the model first
//! rebuilt on the study's terms as far as the record gives them (its price deck, discount
//! rate, tax basis, capex, opex and life, in the study year's money, valued at the start
//! of construction as studies are), then each term switched in turn to prospect's own, in
//! named steps whose sum is the model's NPV less the published one.
//!
//! Steps, in order (US$ million each):
//! 1. `rebuild_gap`: rebuilt NPV − published NPV, what the record's study terms do not
//!    explain; the rebuild is in the study year's US$.
//! 2. `money_year`: the rebuilt NPV brought from the study year's US$ to the real year.
//! 3. `study_schedule`: the study's construction years and ramp-up
//!    (`study_construction_y`, `study_ramp_up_pct`) replaced by the model's.
//! 4. `study_fiscal`: the study's royalty and income-tax rate (`study_royalty_pct`,
//!    `study_tax_rate_pct`) replaced by the model's.
//! 5. `study_byproducts`: the by-product part of the study's revenue
//!    (`study_byproduct_revenue_musd_per_y`) replaced by the model's priced by-products.
//! 6. `study_revenue`: the study's own revenue (`study_revenue_musd_per_y`, all products)
//!    replaced by the model's, output × the study's deck plus priced by-products.
//! 7. `study_costs`: the study's own operating terms (EBITDA, free cash flow, opex,
//!    sustaining capital, or the annual flow its published IRR implies) replaced by the
//!    model's opex, logistics, royalty and sustaining capital.
//! 8. `study_capex`: the study's own capex (`study_capex_musd`) replaced by the record's.
//! 9. `price_deck`: the study's prices replaced by the run's deck.
//! 10. `discount_rate`: the study's rate replaced by the run's.
//! 11. `fiscal_terms`: a pre-tax study NPV replaced by prospect's after-tax NPV.
//! 12. `valuation_date`: the start of construction (full capex, construction and ramp-up
//!     ahead) replaced by prospect's valuation date (`npv_convention`: the as-of date for
//!     built and part-built projects, sunk capex excluded).
//!
//! Steps 3 to 8 are zero when the record carries none of those terms. The rebuild takes
//! the study's terms in this order: its free cash flow, else its EBITDA, else its opex,
//! for the operating margin; its revenue for the revenue. When the record gives none of
//! them but gives the study's IRR with its capex and mine life, the rebuild solves for the
//! constant annual margin at which the schedule's IRR is the published one
//! (`rebuild_basis = flow_implied_by_irr`), and values that flow at the study's rate: a
//! check of the published NPV against the study's own IRR, capex and life, not of
//! prospect's cost model. Otherwise the model's own revenue and costs stand in
//! (`model_at_study_deck`).

use serde::Serialize;

use crate::model::cashflow::{self, Discounting, ScheduleInputs};

/// One named step of the bridge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BridgeStep {
    /// `rebuild_gap`, `money_year`, `study_schedule`, `study_fiscal`, `study_byproducts`,
    /// `study_revenue`,
    /// `study_costs`, `study_capex`, `price_deck`, `discount_rate`, `fiscal_terms` or
    /// `valuation_date`.
    pub step: &'static str,
    /// Change of NPV the step makes, US$ million.
    pub musd: f64,
    /// NPV after the step, US$ million.
    pub npv_after_musd: f64,
    /// What the step switches.
    pub note: String,
}

/// The rebuild and the bridge of one study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bridge {
    /// The published NPV, US$ million of the study year (the bridge's start).
    pub published_npv_musd: f64,
    /// The model on the study's terms, US$ million of the study year, at the start of
    /// construction.
    pub rebuilt_npv_musd: f64,
    /// (rebuilt − published) / |published|, %.
    pub rebuild_deviation_pct: Option<f64>,
    /// What the rebuild's operating flows come from: `study_operating_terms` (the
    /// study's own revenue, EBITDA, free cash flow or opex from the record),
    /// `flow_implied_by_irr` (the constant annual margin at which the schedule earns the
    /// published IRR, with the study's capex and life), or `model_at_study_deck`
    /// (prospect's output and costs at the study's deck, when the record gives neither).
    pub rebuild_basis: &'static str,
    /// The record's study terms the rebuild used (schema names).
    pub study_terms_used: Vec<&'static str>,
    /// The rebuild's annual operating margin at nameplate, before tax and initial capex
    /// (revenue less opex, logistics, royalty and sustaining capital), US$ million of the
    /// real year per year.
    pub rebuilt_margin_musd_per_y: f64,
    /// The study's published IRR, % (null when the record gives none).
    pub published_irr_pct: Option<f64>,
    /// The rebuild's IRR on the study's tax basis, %: the second check beside the NPV
    /// (equal to the published IRR by construction when `rebuild_basis` is
    /// `flow_implied_by_irr`).
    pub rebuilt_irr_pct: Option<f64>,
    /// The published NPV and IRR against each other: the NPV at the study's rate and tax
    /// basis, US$ million of the study year, of the constant margin that earns the
    /// published IRR on the rebuild's capex, construction, ramp-up and life (null without
    /// the study's IRR, capex and mine life in the record). Far from the published NPV,
    /// the pair is not consistent with that capex and life (capital later or larger,
    /// flows falling over the life).
    pub npv_from_published_irr_musd: Option<f64>,
    /// The steps, in order; their sum is `model_npv_musd − published_npv_musd`.
    pub steps: Vec<BridgeStep>,
    /// prospect's own NPV (`npv_musd.base`), the bridge's end, US$ million of the real year.
    pub model_npv_musd: f64,
    /// The end's valuation date (`as_of` or `start_of_construction`).
    pub model_npv_convention: String,
    /// Terms the bridge cannot separate, and why.
    pub not_separated: Vec<String>,
}

impl Bridge {
    /// What the rebuild rests on and how its IRR compares, in words for the report:
    /// "on the study's own study_ebitda_musd_per_y; IRR 21.7 % against 26.0 % published".
    pub fn basis_in_words(&self) -> String {
        let on = match self.rebuild_basis {
            "study_operating_terms" => {
                format!("on the study's own {}", self.study_terms_used.join(", "))
            }
            "flow_implied_by_irr" => {
                "on the annual flow its published IRR implies with its capex and life".into()
            }
            _ => "on prospect's output and costs at the study's deck".into(),
        };
        match (self.rebuilt_irr_pct, self.published_irr_pct) {
            (Some(r), Some(p)) if self.rebuild_basis != "flow_implied_by_irr" => {
                format!("{on}; IRR {r:.1} % against {p:.1} % published")
            }
            _ => on,
        }
    }
}

/// A published study's own operating terms, resolved to US$ million of the real year
/// (the study year's exchange rate, then the CPI ratio), per year at nameplate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OperatingTerms {
    /// Initial capex, US$ million.
    pub capex_musd: Option<f64>,
    /// Revenue, all products, US$ million per year.
    pub revenue_musd_per_y: Option<f64>,
    /// The part of the revenue from by-products, US$ million per year.
    pub byproduct_revenue_musd_per_y: Option<f64>,
    /// Operating cost (royalty excluded), US$ million per year.
    pub opex_musd_per_y: Option<f64>,
    /// EBITDA (after royalty), US$ million per year.
    pub ebitda_musd_per_y: Option<f64>,
    /// Free cash flow before tax and initial capex, US$ million per year.
    pub fcf_musd_per_y: Option<f64>,
    /// Sustaining capital, US$ million per year.
    pub sustaining_musd_per_y: Option<f64>,
    /// Construction years of the study's schedule.
    pub construction_y: Option<u32>,
    /// The study's ramp-up, shares of nameplate (0-1) in the first production years.
    pub ramp_up: Option<Vec<f64>>,
    /// The study's ad valorem royalty, % of revenue.
    pub royalty_pct: Option<f64>,
    /// The study's income-tax rate, %.
    pub tax_rate_pct: Option<f64>,
    /// The published IRR, %, when the rebuild may solve for the flow it implies (the
    /// record gives the study's capex and mine life).
    pub irr_for_flow_pct: Option<f64>,
    /// The record's study fields these came from (schema names).
    pub used: Vec<&'static str>,
    /// Whether the record gives the study's price deck (then, without operating terms,
    /// the model at that deck is the rebuild, not the flow the IRR implies).
    pub deck_given: bool,
}

/// The study's terms as the comparison resolved them.
pub struct StudyTerms {
    pub published_npv_musd: f64,
    /// Multiple of the run's deck that matches the study's prices (1 when unknown).
    pub price_factor: f64,
    pub discount_rate_pct: f64,
    pub after_tax: bool,
    /// CPI(real year) / CPI(study year).
    pub cpi_factor: f64,
    pub money_year: i32,
    /// The study's published IRR, %.
    pub published_irr_pct: Option<f64>,
    /// The study's own operating terms from the record.
    pub operating: OperatingTerms,
}

/// The run's own terms and the model's NPV under them.
pub struct RunTerms {
    pub discount_rate_pct: f64,
    pub discounting: Discounting,
    pub model_npv_musd: f64,
    pub model_npv_convention: String,
    /// The model's priced by-product revenue (inside the schedule's fixed revenue), US$
    /// million per year.
    pub byproduct_revenue_musd_per_y: f64,
}

/// Nameplate operating margin of a schedule's inputs at price factor 1: revenue less
/// opex, logistics, ad valorem royalty and sustaining capital, US$ million per year.
fn margin(i: &ScheduleInputs) -> f64 {
    let revenue = i.revenue_per_y + i.fixed_revenue_per_y;
    revenue * (1.0 - i.royalty_pct / 100.0) - i.opex_per_y - i.logistics_per_y - i.sustaining_per_y
}

/// `i` with its operating costs set so that its nameplate margin is `m` (no royalty,
/// logistics or sustaining capital apart: the margin is all-in).
fn with_margin(mut i: ScheduleInputs, m: f64) -> ScheduleInputs {
    i.opex_per_y = i.revenue_per_y + i.fixed_revenue_per_y - m;
    i.logistics_per_y = 0.0;
    i.royalty_pct = 0.0;
    i.fiscal.royalty_formula = None;
    i.sustaining_per_y = 0.0;
    i
}

/// The study's royalty in place of the model's, where the margin is not already after
/// royalty (an EBITDA, a free cash flow or the flow an IRR implies).
fn with_royalty(r: &mut ScheduleInputs, t: &OperatingTerms) -> bool {
    if let Some(royalty) = t.royalty_pct {
        r.royalty_pct = royalty;
        r.fiscal.royalty_formula = None;
    }
    t.royalty_pct.is_some()
}

/// `i` with the constant all-in margin at which its schedule's IRR is `irr_pct` (its NPV
/// at that rate is zero), on its own capex, construction, ramp-up, life and tax; `None`
/// when no margin up to 100 times the capex a year earns it. Solved as a multiple of a
/// unit margin of a tenth of the capex.
fn irr_implied(
    i: &ScheduleInputs,
    irr_pct: f64,
    scratch: &std::cell::RefCell<Vec<f64>>,
    d: Discounting,
    after_tax: bool,
) -> Option<ScheduleInputs> {
    let unit = i.capex.max(1.0) / 10.0;
    let probe = with_margin(i.clone(), 0.0);
    let revenue = probe.revenue_per_y + probe.fixed_revenue_per_y;
    // One copy of the probe, its opex set at each step (not a clone a step).
    let probe = std::cell::RefCell::new(probe);
    let k = cashflow::breakeven_factor(|k| {
        let mut p = probe.borrow_mut();
        p.opex_per_y = revenue - k * unit;
        cashflow::value_at(&p, 1.0, scratch, irr_pct, d, after_tax)
    })?;
    Some(with_margin(i.clone(), k * unit))
}

/// The rebuild's schedule inputs: `model` (the model's own, with the study's price factor
/// folded into its revenue) with the study's terms put in, and the basis.
fn rebuild_inputs(
    model: &ScheduleInputs,
    t: &OperatingTerms,
    scratch: &std::cell::RefCell<Vec<f64>>,
    d: Discounting,
    after_tax: bool,
) -> (ScheduleInputs, &'static str, bool) {
    let mut r = model.clone();
    let mut royalty_applied = false;
    if let Some(c) = t.capex_musd {
        r.capex = c;
    }
    if let Some(c) = t.construction_y {
        r.construction_y = c;
    }
    if let Some(ramp) = &t.ramp_up {
        r.ramp_up = ramp.clone();
    }
    if let Some(tax) = t.tax_rate_pct {
        r.tax_rate_pct = tax;
    }
    if let Some(rev) = t.revenue_musd_per_y {
        r.revenue_per_y = rev;
        r.fixed_revenue_per_y = 0.0;
    }
    let mut basis = if t.revenue_musd_per_y.is_some() || t.capex_musd.is_some() {
        "study_operating_terms"
    } else {
        "model_at_study_deck"
    };
    if let Some(f) = t.fcf_musd_per_y {
        r = with_margin(r, f);
        basis = "study_operating_terms";
    } else if let Some(e) = t.ebitda_musd_per_y {
        let sustaining = t.sustaining_musd_per_y.unwrap_or(r.sustaining_per_y);
        r = with_margin(r, e);
        r.sustaining_per_y = sustaining;
        basis = "study_operating_terms";
    } else if let Some(o) = t.opex_musd_per_y {
        royalty_applied = with_royalty(&mut r, t);
        r.opex_per_y = o;
        r.logistics_per_y = 0.0;
        if let Some(s) = t.sustaining_musd_per_y {
            r.sustaining_per_y = s;
        }
        basis = "study_operating_terms";
    } else if let Some(s) = t.sustaining_musd_per_y {
        royalty_applied = with_royalty(&mut r, t);
        r.sustaining_per_y = s;
        basis = "study_operating_terms";
    } else if let (Some(irr), "model_at_study_deck", false) =
        (t.irr_for_flow_pct, basis, t.deck_given)
        && let Some(i) = irr_implied(&r, irr, scratch, d, after_tax)
    {
        r = i;
        basis = "flow_implied_by_irr";
    } else {
        royalty_applied = with_royalty(&mut r, t);
    }
    (r, basis, royalty_applied)
}

/// The rebuild of a study on the start-of-construction schedule `inputs`, and its bridge.
pub fn bridge(
    inputs: &ScheduleInputs,
    scratch: &std::cell::RefCell<Vec<f64>>,
    study: &StudyTerms,
    run: &RunTerms,
) -> Bridge {
    let d = run.discounting;
    let s = study;
    let at = |i: &ScheduleInputs, rate: f64, after_tax: bool| {
        cashflow::value_at(i, 1.0, scratch, rate, d, after_tax)
    };
    // The model at the study's deck, the price factor folded into its revenue.
    let mut at_deck = inputs.clone();
    at_deck.revenue_per_y *= s.price_factor;
    let (rebuild, basis, royalty_applied) =
        rebuild_inputs(&at_deck, &s.operating, scratch, d, s.after_tax);
    let rebuilt_real = at(&rebuild, s.discount_rate_pct, s.after_tax);
    // The published pair (NPV, IRR) against each other: the NPV at the study's rate of the
    // margin that earns the published IRR on the rebuild's capex and life.
    let npv_from_published_irr_musd = s
        .operating
        .irr_for_flow_pct
        .and_then(|irr| irr_implied(&rebuild, irr, scratch, d, s.after_tax))
        .map(|i| at(&i, s.discount_rate_pct, s.after_tax) / s.cpi_factor);
    let rebuilt = rebuilt_real / s.cpi_factor;
    let rebuilt_irr_pct = {
        let mut flows = scratch.borrow_mut();
        cashflow::flows_into(&rebuild, 1.0, s.after_tax, &mut flows);
        cashflow::irr(&flows).pct()
    };
    let mut steps = Vec::new();
    let mut now = s.published_npv_musd;
    let mut push = |step: &'static str, after: f64, note: String| {
        steps.push(BridgeStep {
            step,
            musd: after - now,
            npv_after_musd: after,
            note,
        });
        now = after;
    };
    push(
        "rebuild_gap",
        rebuilt,
        format!(
            "the model on the study's terms the record gives ({}) less the published NPV: the terms it does not give",
            match basis {
                "study_operating_terms" =>
                    format!("the study's own {}", s.operating.used.join(", ")),
                "flow_implied_by_irr" =>
                    "the annual flow the study's IRR implies with its capex and life".into(),
                _ => "deck, rate, tax basis, capex, opex, life".into(),
            }
        ),
    );
    push(
        "money_year",
        rebuilt_real,
        format!(
            "study-year US$ to US$ of {} (x {:.4}, US CPI-U)",
            s.money_year, s.cpi_factor
        ),
    );
    // The study's schedule replaced by the model's.
    let mut schedule = rebuild.clone();
    schedule.construction_y = at_deck.construction_y;
    schedule.ramp_up = at_deck.ramp_up.clone();
    push(
        "study_schedule",
        at(&schedule, s.discount_rate_pct, s.after_tax),
        match (s.operating.construction_y, &s.operating.ramp_up) {
            (None, None) => "none: the record gives no study schedule".into(),
            (c, ramp) => format!(
                "the study's {} replaced by the model's ({} construction years, ramp-up {})",
                [
                    c.map(|c| format!("{c} construction years")),
                    ramp.as_ref().map(|r| format!("ramp-up {}", ramp_text(r))),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" and "),
                at_deck.construction_y,
                ramp_text(&at_deck.ramp_up)
            ),
        },
    );
    // The study's royalty and tax rate replaced by the model's (a royalty inside the
    // study's EBITDA or free cash flow stays there until `study_costs`).
    let mut fiscal = schedule.clone();
    fiscal.tax_rate_pct = at_deck.tax_rate_pct;
    if royalty_applied {
        fiscal.royalty_pct = at_deck.royalty_pct;
        fiscal.fiscal.royalty_formula = at_deck.fiscal.royalty_formula;
    }
    push(
        "study_fiscal",
        at(&fiscal, s.discount_rate_pct, s.after_tax),
        match (s.operating.royalty_pct, s.operating.tax_rate_pct) {
            (None, None) => "none: the record gives no study royalty or tax rate".into(),
            (royalty, tax) => format!(
                "the study's {} replaced by the model's (royalty {} %, tax {} %)",
                [
                    royalty.map(|x| format!("royalty {x} %")),
                    tax.map(|x| format!("tax rate {x} %")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" and "),
                at_deck.royalty_pct,
                at_deck.tax_rate_pct
            ),
        },
    );
    // The study's by-product revenue replaced by the model's priced by-products, inside the
    // study's revenue.
    let mut byproducts = fiscal.clone();
    let by_note = match (
        s.operating.revenue_musd_per_y,
        s.operating.byproduct_revenue_musd_per_y,
    ) {
        (Some(_), Some(b)) => {
            byproducts.revenue_per_y -= b;
            byproducts.fixed_revenue_per_y += run.byproduct_revenue_musd_per_y;
            format!(
                "the study's by-product revenue (US${b:.0}m/y) replaced by the model's priced by-products (US${:.0}m/y)",
                run.byproduct_revenue_musd_per_y
            )
        }
        _ => "none: the record gives no study by-product revenue inside a study revenue".into(),
    };
    push(
        "study_byproducts",
        at(&byproducts, s.discount_rate_pct, s.after_tax),
        by_note,
    );
    // The study's revenue replaced by the model's; its costs kept as they are in money.
    let mut revenue = byproducts.clone();
    revenue.revenue_per_y = at_deck.revenue_per_y;
    revenue.fixed_revenue_per_y = at_deck.fixed_revenue_per_y;
    push(
        "study_revenue",
        at(&revenue, s.discount_rate_pct, s.after_tax),
        match s.operating.revenue_musd_per_y {
            Some(r) => format!(
                "the study's revenue (US${r:.0}m/y of {}) replaced by the model's output at the study's deck (US${:.0}m/y)",
                s.money_year,
                at_deck.revenue_per_y + at_deck.fixed_revenue_per_y
            ),
            None => "none: the record gives no study revenue".into(),
        },
    );
    // The study's operating terms replaced by the model's; the study's capex kept.
    let mut costs = at_deck.clone();
    costs.capex = rebuild.capex;
    push(
        "study_costs",
        at(&costs, s.discount_rate_pct, s.after_tax),
        match basis {
            "model_at_study_deck" => "none: the record gives no study operating terms".into(),
            _ => format!(
                "the study's margin (US${:.0}m/y: {}) replaced by the model's costs (margin US${:.0}m/y at the study's deck)",
                margin(&rebuild),
                if basis == "flow_implied_by_irr" {
                    "the flow its IRR implies".to_owned()
                } else {
                    s.operating.used.join(", ")
                },
                margin(&at_deck)
            ),
        },
    );
    push(
        "study_capex",
        at(&at_deck, s.discount_rate_pct, s.after_tax),
        match s.operating.capex_musd {
            Some(c) => format!(
                "the study's capex (US${c:.0}m) replaced by the record's (US${:.0}m)",
                at_deck.capex
            ),
            None => "none: the record's capex is the study's".into(),
        },
    );
    push(
        "price_deck",
        at(inputs, s.discount_rate_pct, s.after_tax),
        format!(
            "the study's prices (x {:.3} of the run's deck) replaced by the run's deck",
            s.price_factor
        ),
    );
    push(
        "discount_rate",
        at(inputs, run.discount_rate_pct, s.after_tax),
        format!(
            "{} % replaced by the run's {} %",
            s.discount_rate_pct, run.discount_rate_pct
        ),
    );
    push(
        "fiscal_terms",
        at(inputs, run.discount_rate_pct, true),
        if s.after_tax {
            "none: the study's NPV is after tax, as prospect's".into()
        } else {
            "the study's pre-tax NPV replaced by prospect's after-tax NPV (royalty and tax of the assumptions)".into()
        },
    );
    push(
        "valuation_date",
        run.model_npv_musd,
        format!(
            "start of construction replaced by prospect's valuation date ({})",
            run.model_npv_convention
        ),
    );
    let mut not_separated = vec![
        "closure and depreciation, and the construction years, ramp-up, royalty and tax rate where the record gives no study_construction_y, study_ramp_up_pct, study_royalty_pct or study_tax_rate_pct: prospect's own on both sides; their difference from the study is inside rebuild_gap".into(),
    ];
    not_separated.push(match basis {
        "model_at_study_deck" => "revenue, payability or netback, opex, royalty and sustaining capital: the record carries none of the study's own, so prospect's are used on both sides; their difference from the study is inside rebuild_gap".into(),
        "flow_implied_by_irr" => "revenue and costs: the record gives neither, so the rebuild's margin is the one the published IRR implies; study_costs holds the whole difference from prospect's costs".into(),
        _ => "terms the study gives that the record does not carry (royalty inside EBITDA, sustaining capital inside free cash flow) are not split out of study_costs".into(),
    });
    Bridge {
        published_npv_musd: s.published_npv_musd,
        rebuilt_npv_musd: rebuilt,
        rebuild_deviation_pct: (s.published_npv_musd != 0.0)
            .then(|| (rebuilt - s.published_npv_musd) / s.published_npv_musd.abs() * 100.0),
        rebuild_basis: basis,
        study_terms_used: match basis {
            "flow_implied_by_irr" => vec!["study_irr_pct"],
            "model_at_study_deck" => Vec::new(),
            _ => s.operating.used.clone(),
        },
        rebuilt_margin_musd_per_y: margin(&rebuild),
        published_irr_pct: s.published_irr_pct,
        rebuilt_irr_pct,
        npv_from_published_irr_musd,
        steps,
        model_npv_musd: run.model_npv_musd,
        model_npv_convention: run.model_npv_convention.clone(),
        not_separated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A schedule worked by hand: no construction, two years of revenue 100 and opex 40,
    /// no royalty, tax 50 %, no capex.
    fn inputs() -> ScheduleInputs {
        ScheduleInputs {
            revenue_per_y: 100.0,
            fixed_revenue_per_y: 0.0,
            opex_per_y: 40.0,
            logistics_per_y: 0.0,
            royalty_pct: 0.0,
            tax_rate_pct: 50.0,
            fiscal: Default::default(),
            capex: 0.0,
            sustaining_per_y: 0.0,
            closure: 0.0,
            depreciation_y: 1,
            construction_y: 0,
            mine_life_y: 2.0,
            ramp_up: Vec::new(),
        }
    }

    #[test]
    fn the_steps_add_up_and_each_is_worked_by_hand() {
        let scratch = std::cell::RefCell::new(Vec::new());
        let study = StudyTerms {
            published_npv_musd: 100.0,
            price_factor: 1.5,
            discount_rate_pct: 0.0,
            after_tax: false,
            cpi_factor: 1.25,
            money_year: 2025,
            published_irr_pct: None,
            operating: OperatingTerms::default(),
        };
        let run = RunTerms {
            discount_rate_pct: 0.0,
            discounting: Discounting::EndOfYear,
            model_npv_musd: 50.0,
            model_npv_convention: "as_of".into(),
            byproduct_revenue_musd_per_y: 0.0,
        };
        let b = bridge(&inputs(), &scratch, &study, &run);
        // Study terms: revenue 150, pre-tax 110 a year, 2 years at 0 %: 220 in real money,
        // 220 / 1.25 = 176 of the study year; gap 176 - 100 = +76; money year +44.
        let step = |n: &str| b.steps.iter().find(|s| s.step == n).unwrap().musd;
        assert!((b.rebuilt_npv_musd - 176.0).abs() < 1e-9);
        assert!((step("rebuild_gap") - 76.0).abs() < 1e-9);
        assert!((step("money_year") - 44.0).abs() < 1e-9);
        // The run's deck: revenue 100, pre-tax 60 a year: 120; step -100.
        assert!((step("price_deck") + 100.0).abs() < 1e-9);
        assert!(step("discount_rate").abs() < 1e-9);
        // After tax at 50 %: 60; step -60. Then the model's own 50: -10.
        assert!((step("fiscal_terms") + 60.0).abs() < 1e-9);
        assert!((step("valuation_date") + 10.0).abs() < 1e-9);
        let total: f64 = b.steps.iter().map(|s| s.musd).sum();
        assert!((total - (50.0 - 100.0)).abs() < 1e-9);
        assert_eq!(b.rebuild_deviation_pct, Some(76.0));
        // No study operating terms: their steps are zero and the model stands in.
        for n in ["study_revenue", "study_costs", "study_capex"] {
            assert_eq!(step(n), 0.0, "{n}");
        }
        assert_eq!(b.rebuild_basis, "model_at_study_deck");
    }

    /// The run's terms of the hand-worked cases: 0 %, after-tax NPV 50.
    fn run() -> RunTerms {
        RunTerms {
            discount_rate_pct: 0.0,
            discounting: Discounting::EndOfYear,
            model_npv_musd: 50.0,
            model_npv_convention: "as_of".into(),
            byproduct_revenue_musd_per_y: 0.0,
        }
    }

    fn study(operating: OperatingTerms) -> StudyTerms {
        StudyTerms {
            published_npv_musd: 100.0,
            price_factor: 1.5,
            discount_rate_pct: 0.0,
            after_tax: false,
            cpi_factor: 1.0,
            money_year: 2025,
            published_irr_pct: None,
            operating,
        }
    }

    #[test]
    fn the_studys_revenue_and_ebitda_replace_the_models_and_their_steps_are_worked_by_hand() {
        let scratch = std::cell::RefCell::new(Vec::new());
        let mut model = inputs();
        model.royalty_pct = 10.0;
        model.capex = 20.0;
        let t = OperatingTerms {
            revenue_musd_per_y: Some(200.0),
            ebitda_musd_per_y: Some(70.0),
            capex_musd: Some(30.0),
            used: vec![
                "study_revenue_musd_per_y",
                "study_ebitda_musd_per_y",
                "study_capex_musd",
            ],
            ..Default::default()
        };
        let b = bridge(&model, &scratch, &study(t), &run());
        let step = |n: &str| b.steps.iter().find(|s| s.step == n).unwrap().musd;
        // Rebuild, pre-tax at 0 %, no construction: capex 30 in year 1, EBITDA 70 a year
        // for 2 years: 140 - 30 = 110; gap +10.
        assert_eq!(b.rebuild_basis, "study_operating_terms");
        assert!(
            (b.rebuilt_npv_musd - 110.0).abs() < 1e-9,
            "{}",
            b.rebuilt_npv_musd
        );
        assert!((b.rebuilt_margin_musd_per_y - 70.0).abs() < 1e-9);
        assert!((step("rebuild_gap") - 10.0).abs() < 1e-9);
        // The study's revenue 200 replaced by the model's at the study's deck, 100 x 1.5 =
        // 150, the study's costs (200 - 70 = 130 a year) kept: margin 20, 40 - 30 = 10.
        assert!(
            (step("study_revenue") + 100.0).abs() < 1e-9,
            "{}",
            step("study_revenue")
        );
        // The model's costs: opex 40 and royalty 10 % of 150 = 15: margin 95; 190 - 30 = 160.
        assert!(
            (step("study_costs") - 150.0).abs() < 1e-9,
            "{}",
            step("study_costs")
        );
        // The record's capex 20 for the study's 30: +10.
        assert!((step("study_capex") - 10.0).abs() < 1e-9);
        // The run's deck: revenue 100, royalty 10: margin 50, 100 - 20 = 80.
        assert!(
            (step("price_deck") + 90.0).abs() < 1e-9,
            "{}",
            step("price_deck")
        );
        let total: f64 = b.steps.iter().map(|s| s.musd).sum();
        assert!((total - (50.0 - 100.0)).abs() < 1e-9);
    }

    #[test]
    fn a_free_cash_flow_is_the_whole_margin_and_sustaining_capital_is_inside_it() {
        let scratch = std::cell::RefCell::new(Vec::new());
        let mut model = inputs();
        model.sustaining_per_y = 5.0;
        let t = OperatingTerms {
            fcf_musd_per_y: Some(42.0),
            used: vec!["study_fcf_musd_per_y"],
            ..Default::default()
        };
        let b = bridge(&model, &scratch, &study(t), &run());
        // Two years of 42, pre-tax, no capex: 84.
        assert!((b.rebuilt_npv_musd - 84.0).abs() < 1e-9);
        assert_eq!(b.steps[5].step, "study_revenue");
        assert_eq!(b.steps[5].musd, 0.0);
        // The model at the study's deck: 150 - 40 - 5 = 105 a year: 210; step +126.
        assert!(
            (b.steps[6].musd - 126.0).abs() < 1e-9,
            "{}",
            b.steps[6].musd
        );
    }

    #[test]
    fn the_flow_implied_by_the_published_irr_is_solved_by_hand() {
        // Capex 100 in one construction year, two production years, pre-tax, no tax: the
        // margin M at which the IRR is 10 % solves -100 + M / 1.1 + M / 1.21 = 0, so
        // M = 100 / (1/1.1 + 1/1.21) = 57.6190...; at 0 % the NPV is 2 M - 100 = 15.238.
        let scratch = std::cell::RefCell::new(Vec::new());
        let mut model = inputs();
        model.capex = 100.0;
        model.construction_y = 1;
        model.tax_rate_pct = 0.0;
        let t = OperatingTerms {
            irr_for_flow_pct: Some(10.0),
            ..Default::default()
        };
        let mut st = study(t);
        st.published_irr_pct = Some(10.0);
        let b = bridge(&model, &scratch, &st, &run());
        let m = 100.0 / (1.0 / 1.1 + 1.0 / 1.21);
        assert_eq!(b.rebuild_basis, "flow_implied_by_irr");
        assert!(
            (b.rebuilt_margin_musd_per_y - m).abs() < 1e-6,
            "{}",
            b.rebuilt_margin_musd_per_y
        );
        assert!((b.rebuilt_npv_musd - (2.0 * m - 100.0)).abs() < 1e-6);
        assert!((b.rebuilt_irr_pct.unwrap() - 10.0).abs() < 1e-6);
        assert_eq!(b.study_terms_used, ["study_irr_pct"]);
        let total: f64 = b.steps.iter().map(|s| s.musd).sum();
        assert!((total - (50.0 - 100.0)).abs() < 1e-9);
    }

    #[test]
    fn a_studys_sustaining_capital_replaces_the_models() {
        let scratch = std::cell::RefCell::new(Vec::new());
        let t = OperatingTerms {
            sustaining_musd_per_y: Some(10.0),
            used: vec!["study_sustaining_capex_musd_per_y"],
            ..Default::default()
        };
        let b = bridge(&inputs(), &scratch, &study(t), &run());
        // 150 - 40 - 10 = 100 a year, pre-tax: 200; the model's (no sustaining) 220.
        assert!((b.rebuilt_npv_musd - 200.0).abs() < 1e-9);
        assert!((b.steps[6].musd - 20.0).abs() < 1e-9);
    }

    #[test]
    fn the_studys_schedule_royalty_and_tax_are_steps_of_their_own() {
        // The model: one construction year (capex 100), a ramp-up of 50 % then full, two
        // years of nameplate output, royalty 10 %, tax 50 %. The study: no construction
        // year, no ramp-up, royalty 5 %, tax 20 %.
        let scratch = std::cell::RefCell::new(Vec::new());
        let mut model = inputs();
        model.capex = 100.0;
        model.construction_y = 1;
        model.ramp_up = vec![0.5];
        model.royalty_pct = 10.0;
        let t = OperatingTerms {
            construction_y: Some(0),
            ramp_up: Some(Vec::new()),
            royalty_pct: Some(5.0),
            tax_rate_pct: Some(20.0),
            used: vec![
                "study_construction_y",
                "study_ramp_up_pct",
                "study_royalty_pct",
                "study_tax_rate_pct",
            ],
            ..Default::default()
        };
        let b = bridge(&model, &scratch, &study(t), &run());
        let step = |b: &Bridge, n: &str| b.steps.iter().find(|s| s.step == n).unwrap().musd;
        // Study, pre-tax at 0 %: revenue 150, royalty 7.5, opex 40: 102.5 a year for two
        // years, capex 100 in the first: 205 - 100 = 105.
        assert!(
            (b.rebuilt_npv_musd - 105.0).abs() < 1e-9,
            "{}",
            b.rebuilt_npv_musd
        );
        // The model's schedule (capex in year 1, then 0.5, 1 and 0.5 of nameplate) holds
        // the same output: at 0 % the step is nil.
        assert!(step(&b, "study_schedule").abs() < 1e-9);
        // The model's royalty, 10 % of 150 = 15: 95 a year, 190 - 100 = 90: step -15.
        assert!((step(&b, "study_fiscal") + 15.0).abs() < 1e-9);
        // After tax, on the model's schedule: margins 51.25, 102.5, 51.25 (royalty 5 %);
        // depreciation 100 in the first production year leaves a loss of 48.75, offset in
        // the second; tax at 20 % on 53.75 and 51.25 = 21; net 205 - 100 - 21 = 84.
        let mut st = study(OperatingTerms {
            royalty_pct: Some(5.0),
            tax_rate_pct: Some(20.0),
            used: vec!["study_royalty_pct", "study_tax_rate_pct"],
            ..Default::default()
        });
        st.after_tax = true;
        let b = bridge(&model, &scratch, &st, &run());
        assert!(
            (b.rebuilt_npv_musd - 84.0).abs() < 1e-9,
            "{}",
            b.rebuilt_npv_musd
        );
        assert_eq!(step(&b, "study_schedule"), 0.0);
        // The model's royalty and tax (10 %, 50 %): margins 47.5, 95, 47.5; loss 52.5
        // offset in the second year, tax 50 % of 42.5 and 47.5 = 45; net 190 - 100 - 45 =
        // 45: step 45 - 84 = -39.
        assert!(
            (step(&b, "study_fiscal") + 39.0).abs() < 1e-9,
            "{}",
            step(&b, "study_fiscal")
        );
        let total: f64 = b.steps.iter().map(|s| s.musd).sum();
        assert!((total - (50.0 - 100.0)).abs() < 1e-9);
    }

    #[test]
    fn the_studys_by_products_are_a_step_of_their_own() {
        // The model: revenue 100 at the run's deck (150 at the study's), priced by-products
        // 20 a year (fixed money). The study: revenue 200 of which 50 by-products, EBITDA
        // 70; pre-tax, 0 %, no capex, two years.
        let scratch = std::cell::RefCell::new(Vec::new());
        let mut model = inputs();
        model.fixed_revenue_per_y = 20.0;
        let t = OperatingTerms {
            revenue_musd_per_y: Some(200.0),
            byproduct_revenue_musd_per_y: Some(50.0),
            ebitda_musd_per_y: Some(70.0),
            used: vec![
                "study_revenue_musd_per_y",
                "study_byproduct_revenue_musd_per_y",
                "study_ebitda_musd_per_y",
            ],
            ..Default::default()
        };
        let mut r = run();
        r.byproduct_revenue_musd_per_y = 20.0;
        let b = bridge(&model, &scratch, &study(t), &r);
        let step = |n: &str| b.steps.iter().find(|s| s.step == n).unwrap().musd;
        // Rebuild: 70 a year, 140. By-products 50 replaced by 20 (costs 130 kept): revenue
        // 170, margin 40, 80: step -60. The rare earths are then the model's already
        // (150 + 20 = 170): step 0. The model's costs (opex 40): 130 a year, 260: +180.
        assert!((b.rebuilt_npv_musd - 140.0).abs() < 1e-9);
        assert!(
            (step("study_byproducts") + 60.0).abs() < 1e-9,
            "{}",
            step("study_byproducts")
        );
        assert!(step("study_revenue").abs() < 1e-9);
        assert!((step("study_costs") - 180.0).abs() < 1e-9);
        let total: f64 = b.steps.iter().map(|s| s.musd).sum();
        assert!((total - (50.0 - 100.0)).abs() < 1e-9);
    }
}

/// A ramp-up for a message: each production year's share of nameplate in percent
/// (`40 %, 80 %, 100 % of nameplate`), `none` when output starts at nameplate.
fn ramp_text(shares: &[f64]) -> String {
    if shares.is_empty() {
        return "none".to_owned();
    }
    let pct: Vec<String> = shares
        .iter()
        .map(|s| format!("{:.0} %", s * 100.0))
        .collect();
    format!("{} of nameplate", pct.join(", "))
}

#[cfg(test)]
mod ramp_text_tests {
    #[test]
    fn a_ramp_up_reads_as_percent_of_nameplate_not_a_rust_list() {
        assert_eq!(
            super::ramp_text(&[0.4, 0.8, 1.0]),
            "40 %, 80 %, 100 % of nameplate"
        );
        assert_eq!(super::ramp_text(&[]), "none");
    }
}
