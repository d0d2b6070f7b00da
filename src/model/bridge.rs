//! The bridge from a published study's NPV to prospect's own (issue 14): the model first
//! rebuilt on the study's terms as far as the record gives them (its price deck, discount
//! rate, tax basis, capex, opex and life, in the study year's money, valued at the start
//! of construction as studies are), then each term switched in turn to prospect's own, in
//! named steps whose sum is the model's NPV less the published one.
//!
//! Steps, in order (US$ million each):
//! 1. `rebuild_gap`: rebuilt NPV − published NPV, what the record's terms do not explain
//!    (payability, ramp-up, sustaining capital, royalty and tax terms, by-products the
//!    record lacks); the rebuild is in the study year's US$.
//! 2. `money_year`: the rebuilt NPV brought from the study year's US$ to the real year.
//! 3. `price_deck`: the study's prices replaced by the run's deck.
//! 4. `discount_rate`: the study's rate replaced by the run's.
//! 5. `fiscal_terms`: a pre-tax study NPV replaced by prospect's after-tax NPV.
//! 6. `valuation_date`: the start of construction (full capex, construction and ramp-up
//!    ahead) replaced by prospect's valuation date (`npv_convention`: the as-of date for
//!    built and part-built projects, sunk capex excluded).

use serde::Serialize;

use crate::model::cashflow::{self, Discounting, ScheduleInputs, YearFlow};

/// One named step of the bridge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BridgeStep {
    /// `rebuild_gap`, `money_year`, `price_deck`, `discount_rate`, `fiscal_terms` or
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
    /// The steps, in order; their sum is `model_npv_musd − published_npv_musd`.
    pub steps: Vec<BridgeStep>,
    /// prospect's own NPV (`npv_musd.base`), the bridge's end, US$ million of the real year.
    pub model_npv_musd: f64,
    /// The end's valuation date (`as_of` or `start_of_construction`).
    pub model_npv_convention: String,
    /// Terms the bridge cannot separate, and why.
    pub not_separated: Vec<String>,
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
}

/// The run's own terms and the model's NPV under them.
pub struct RunTerms {
    pub discount_rate_pct: f64,
    pub discounting: Discounting,
    pub model_npv_musd: f64,
    pub model_npv_convention: String,
}

/// The rebuild of a study on the start-of-construction schedule `inputs`, and its bridge.
pub fn bridge(
    inputs: &ScheduleInputs,
    scratch: &std::cell::RefCell<Vec<YearFlow>>,
    study: &StudyTerms,
    run: &RunTerms,
) -> Bridge {
    let d = run.discounting;
    let at = |k: f64, rate: f64, after_tax: bool| {
        cashflow::value_at(inputs, k, scratch, rate, d, after_tax)
    };
    let s = study;
    let rebuilt_real = at(s.price_factor, s.discount_rate_pct, s.after_tax);
    let rebuilt = rebuilt_real / s.cpi_factor;
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
        "the model on the study's terms the record gives (deck, rate, tax basis, capex, opex, life) less the published NPV: the terms it does not give".into(),
    );
    push(
        "money_year",
        rebuilt_real,
        format!(
            "study-year US$ to US$ of {} (x {:.4}, US CPI-U)",
            s.money_year, s.cpi_factor
        ),
    );
    let deck = at(1.0, s.discount_rate_pct, s.after_tax);
    push(
        "price_deck",
        deck,
        format!(
            "the study's prices (x {:.3} of the run's deck) replaced by the run's deck",
            s.price_factor
        ),
    );
    let rate = at(1.0, run.discount_rate_pct, s.after_tax);
    push(
        "discount_rate",
        rate,
        format!(
            "{} % replaced by the run's {} %",
            s.discount_rate_pct, run.discount_rate_pct
        ),
    );
    let tax = at(1.0, run.discount_rate_pct, true);
    push(
        "fiscal_terms",
        tax,
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
    Bridge {
        published_npv_musd: s.published_npv_musd,
        rebuilt_npv_musd: rebuilt,
        rebuild_deviation_pct: (s.published_npv_musd != 0.0).then(|| {
            (rebuilt - s.published_npv_musd) / s.published_npv_musd.abs() * 100.0
        }),
        steps,
        model_npv_musd: run.model_npv_musd,
        model_npv_convention: run.model_npv_convention.clone(),
        not_separated: vec![
            "capex, opex and life: the record carries one figure of each, the study's, which the model uses on both sides".into(),
            "payability or netback, ramp-up, sustaining capital, royalty and by-products: prospect's own on both sides, since the record does not carry the study's; their difference from the study is inside rebuild_gap".into(),
        ],
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
        };
        let run = RunTerms {
            discount_rate_pct: 0.0,
            discounting: Discounting::EndOfYear,
            model_npv_musd: 50.0,
            model_npv_convention: "as_of".into(),
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
    }
}
