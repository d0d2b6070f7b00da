//! Issue 18's support instruments: a price floor valued from the simulation's own NdPr
//! price draws is worth nothing when the floor is far below every simulated price, and
//! the discounted shortfall when it is far above; the sample records' own terms win over
//! the run's. Expected values are hand-worked from the draws' distribution (the NdPr price
//! factor is a mean-one lognormal), not taken from the code's output.

use std::path::PathBuf;

use prospect::assumptions::Assumptions;
use prospect::model::cashflow::{Discounting, ScheduleInputs};
use prospect::model::instruments::FloorModel;
use prospect::model::leadtime::LeadTime;
use prospect::model::simulate::{self, DRIVERS, DrawModel, FactorDist, SimOptions};

/// One construction year, one production year of US$100m revenue from NdPr alone, no
/// cost, at 10 %: the same linear model as tests/numbers.rs.
fn model() -> DrawModel {
    DrawModel {
        inputs: ScheduleInputs {
            revenue_per_y: 0.0,
            fixed_revenue_per_y: 0.0,
            opex_per_y: 0.0,
            logistics_per_y: 0.0,
            royalty_pct: 0.0,
            tax_rate_pct: 0.0,
            fiscal: Default::default(),
            capex: 0.0,
            sustaining_per_y: 0.0,
            closure: 0.0,
            depreciation_y: 1,
            construction_y: 1,
            mine_life_y: 1.0,
            ramp_up: Vec::new(),
        },
        revenue_parts: [100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        grade_cv: 0.0,
        tonnage_cv: 0.0,
        life_from_tonnage: false,
        recovery_pct: None,
        capex: FactorDist::LogNormal(0.0),
        opex: FactorDist::LogNormal(0.0),
        lead_time: LeadTime::fixed(2026, 0.0, 0.0),
        chance_of_success: 1.0,
        owner: prospect::model::owner::OwnerTerms::whole(1),
        rate_pct: 10.0,
        discounting: Discounting::EndOfYear,
        base_irr: None,
        idle_holding_pct: None,
    }
}

/// A floor at `floor_factor` x the deck's NdPr price on 1,000 t/y of NdPr at US$50/kg
/// (US$50m a year), covering the one production year (year 2: weight 1/1.1^2), no
/// upside share.
fn floor(floor_factor: f64) -> FloorModel {
    FloorModel {
        floor_factor,
        ndpr_musd_per_y: 50.0,
        upside_share: 0.0,
        weight_project: 1.0 / 1.21,
        weight_government: 1.0 / 1.02f64.powi(2),
        government_rate_pct: 2.0,
        tax_rate_pct: 0.0,
    }
}

/// The floor over `n` draws with only the NdPr price free.
fn floor_draws(f: &FloorModel, n: usize) -> prospect::model::instruments::FloorDraws {
    let opts = SimOptions {
        draws: n,
        seed: 18,
        fixed: DRIVERS
            .iter()
            .filter(|d| **d != "price_ndpr")
            .map(|d| (*d).to_owned())
            .collect(),
        keep_draws: false,
    };
    let a = Assumptions::defaults();
    simulate::simulate_with("FLOOR", &model(), &a, &opts, Some(f))
        .price_floor
        .unwrap()
}

#[test]
fn a_floor_far_below_the_simulated_prices_is_worth_nothing() {
    // A floor at 1 % of the deck: the lognormal NdPr factor (sigma well under 1) does not
    // reach 0.01 in 20,000 draws (15 standard deviations below its median).
    let d = floor_draws(&floor(0.01), 20_000);
    assert_eq!(d.value_to_project_musd, 0.0);
    assert_eq!(d.cost_if_used_musd, 0.0);
    assert_eq!(d.prob_floor_pays, 0.0);
}

#[test]
fn a_floor_far_above_the_simulated_prices_is_worth_the_discounted_shortfall() {
    // A floor at 10 x the deck always pays; the factor's mean is 1 (exp(sigma z -
    // sigma^2/2)), so its expected value is 50 x (10 - 1) / 1.1^2 = 371.90 to the project
    // and 50 x 9 / 1.02^2 = 432.53 to the government. Tolerance fixed beforehand: 0.5 %
    // (the Monte Carlo error of the mean is about 0.03 % at 20,000 draws).
    let d = floor_draws(&floor(10.0), 20_000);
    assert_eq!(d.prob_floor_pays, 1.0);
    let expected = 50.0 * 9.0 / 1.21;
    assert!(
        (d.value_to_project_musd / expected - 1.0).abs() < 0.005,
        "{} vs {expected}",
        d.value_to_project_musd
    );
    let to_government = 50.0 * 9.0 / 1.02f64.powi(2);
    assert!((d.cost_if_used_musd / to_government - 1.0).abs() < 0.005);
    // The decision point is certain and the project proceeds in every draw, so the
    // expected cost is the cost if used (no years to construction to discount over).
    assert!((d.expected_cost_musd - d.cost_if_used_musd).abs() < 1e-9);
}

#[test]
fn the_floor_leaves_the_simulation_s_other_figures_as_they_are() {
    let opts = SimOptions {
        draws: 500,
        seed: 3,
        fixed: Vec::new(),
        keep_draws: false,
    };
    let a = Assumptions::defaults();
    let m = model();
    let plain = simulate::simulate("FLOOR", &m, &a, &opts);
    let with = simulate::simulate_with("FLOOR", &m, &a, &opts, Some(&floor(2.0)));
    assert_eq!(plain.npv_musd, with.npv_musd);
    assert_eq!(plain.prob_proceeds, with.prob_proceeds);
    assert!(with.price_floor.is_some() && plain.price_floor.is_none());
}

#[test]
fn mountain_pass_carries_its_own_floor_and_the_others_the_run_s() {
    let out = assert_cmd::cargo::cargo_bin_cmd!("prospect")
        .args(["appraise", "--format", "json", "--draws", "200", "-q"])
        .arg(PathBuf::from("samples/projects.csv"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let project = |id: &str| {
        v["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()
            .clone()
    };
    let mtp = project("MTP");
    let f = &mtp["instruments"]["price_floor"];
    assert_eq!(f["terms_basis"], "record");
    assert_eq!(f["floor_ndpr_usd_per_kg"], 110.0);
    assert_eq!(f["value_basis"], "simulation");
    let nol = project("NOL");
    assert_eq!(nol["instruments"]["price_floor"]["terms_basis"], "run");
    // Nolans is in Australia: the CMPTI, at most 10 years.
    let c = &nol["instruments"]["production_credit"];
    assert_eq!(c["key"], "AU");
    assert!(c["years_claimed"].as_u64().unwrap() <= 10);
    // NORI-D lies in the Area: no host country, no credit; no NdPr, no floor.
    let nori = project("NORID");
    assert!(nori["instruments"]["production_credit"].is_null());
    assert!(nori["instruments"]["price_floor"].is_null());
}

#[test]
fn a_floor_at_the_deck_is_worth_its_option_value_not_its_deck_value() {
    // At the deck the floor pays nothing (F = 1), but over the draws it is a put on a
    // mean-one lognormal: E[(1 - v)+] = 2 Phi(sigma / 2) - 1 (Black's formula at the
    // money). Tolerance fixed beforehand: 3 % of the value.
    use statrs::distribution::{ContinuousCDF, Normal};
    let a = Assumptions::defaults();
    let sigma = a.uncertainty.prices.sigma[0];
    let put = 2.0 * Normal::standard().cdf(sigma / 2.0) - 1.0;
    let expected = 50.0 * put / 1.21;
    let d = floor_draws(&floor(1.0), 20_000);
    assert!(
        (d.value_to_project_musd / expected - 1.0).abs() < 0.03,
        "{} vs {expected} (sigma {sigma})",
        d.value_to_project_musd
    );
    // The price is below the floor in about half the draws (the median of v is below 1).
    assert!((d.prob_floor_pays - Normal::standard().cdf(sigma / 2.0)).abs() < 0.02);
}
