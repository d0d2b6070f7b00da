//! `prospect plan` objectives and viability gaps (issue 18): a project whose risked value
//! of proceeding is negative is financed only with an instrument that closes its gap, the
//! objective a user chooses decides between a dear sound mine and a cheap losing one, and
//! the funding gap is split into capex and viability gap.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

const MINES: &str = "id,name,country,regime,operator,lon,lat,deposit_type,stage,stage_year,permit_status,product_form,mine_life_y,annual_treo_t,annual_ndpr_t,annual_dytb_t,capex_musd,opex_musd_per_y,currency,remaining_life_y
A,Dear but sound,GB,onshore,Alpha,1,0,carbonatite,dfs,2025,granted,concentrate,20,10000,2000,0,300,5,USD,
B,Cheap but losing,GB,onshore,Beta,2,0,carbonatite,dfs,2025,granted,concentrate,20,10000,2000,0,50,100,USD,
";

const PLANTS: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
"geometry":{"type":"Point","coordinates":[0,0]},
"properties":{"id":"P","name":"Plant P","country":"GB","kind":"separation",
"status":"operating","start_year":2020,"access":"open","circuits":["light"],
"feeds":["concentrate"],"capacity":[{"from":2020,"ndpr_t":10000,"basis":"output"}]}}]}"#;

fn run(dir: &std::path::Path, args: &[&str]) -> Value {
    let mines = dir.join("mines.csv");
    let plants = dir.join("plants.geojson");
    std::fs::write(&mines, MINES).unwrap();
    std::fs::write(&plants, PLANTS).unwrap();
    let out = cargo_bin_cmd!("prospect")
        .args(&args[..1])
        .arg(&mines)
        .arg("--plants")
        .arg(&plants)
        .args([
            "--format", "json", "--as-of", "2026", "--draws", "0", "--quiet",
        ])
        .args(&args[1..])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn plan(dir: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "plan",
        "--budget",
        "1000musd/y",
        "--target",
        "ndpr=1500t@2040",
    ];
    args.extend_from_slice(extra);
    run(dir, &args)
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn financed(p: &Value) -> Vec<String> {
    p["financed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The viability gap from the appraisal's own figures, by hand: the chance of reaching the
/// decision point times minus the owner's value there, discounted at the run's 8 % over
/// the years to construction.
fn gap_by_hand(dir: &std::path::Path, id: &str) -> f64 {
    let a = run(dir, &["appraise"]);
    let p = a["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
        .clone();
    let v = num(&p["owner"]["value_at_decision_musd"]);
    let c = num(&p["owner"]["chance_of_decision"]);
    let t = num(&p["lead_time"]["years_to_construction"]);
    assert!(v < 0.0, "{id} should not be worth building: {v}");
    assert!(num(&p["npv_musd"]["base"]) < 0.0);
    c * -v / 1.08_f64.powf(t)
}

/// The grant that closes that gap, as the government pays it: the same grant, paid at the
/// start of construction if the project reaches it, discounted at the government's 2 %
/// (`[instruments].government_rate_pct`) instead of the run's 8 %.
fn grant_cost_by_hand(dir: &std::path::Path, id: &str) -> f64 {
    let a = run(dir, &["appraise"]);
    let p = a["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
        .clone();
    let v = num(&p["owner"]["value_at_decision_musd"]);
    let c = num(&p["owner"]["chance_of_decision"]);
    let t = num(&p["lead_time"]["years_to_construction"]);
    c * -v / 1.02_f64.powf(t)
}

#[test]
fn a_losing_mine_is_financed_only_with_a_grant_that_closes_its_gap() {
    let dir = tempfile::tempdir().unwrap();
    let gap = gap_by_hand(dir.path(), "B");
    // Per public dollar B (US$50m + its gap, far below A's US$300m) wins, with its gap
    // closed by a grant and said so.
    let p = plan(dir.path(), &["--objective", "supply-per-dollar"]);
    assert_eq!(financed(&p), ["B"], "{p}");
    let b = &p["financed"][0];
    assert!(
        (num(&b["viability_gap_musd"]) - gap).abs() < 0.01 * gap,
        "{b} vs {gap}"
    );
    assert!(num(&b["risked_value_musd"]) < 0.0);
    assert_eq!(b["support"]["instrument"], "grant");
    let cost = grant_cost_by_hand(dir.path(), "B");
    assert!(
        cost > gap,
        "the government's lower rate makes the grant dearer at the clock"
    );
    assert!((num(&b["support"]["public_cost_musd"]) - cost).abs() < 0.01 * cost);
    assert!((num(&b["public_cost_musd"]) - 50.0 - cost).abs() < 0.01 * cost + 0.01);
    assert!((num(&p["viability_gap_musd"]) - gap).abs() < 0.01 * gap);
    assert!((num(&p["support_cost_musd"]) - cost).abs() < 0.01 * cost);
    assert!((num(&p["public_cost_musd"]) - num(&p["financed_capex_musd"]) - cost).abs() < 0.01);
    // Without any instrument B is left out, saying why, and only A, sound, is financed.
    let none = plan(dir.path(), &["--instrument", "none"]);
    assert_eq!(financed(&none), ["A"], "{none}");
    let why = none["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x[0] == "B")
        .unwrap()[1]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(why.contains("no allowed instrument"), "{why}");
    for f in none["financed"].as_array().unwrap() {
        assert!(num(&f["risked_value_musd"]) >= 0.0, "{f}");
        assert!(f["support"].is_null());
    }
    assert_eq!(num(&none["viability_gap_musd"]), 0.0);
}

#[test]
fn least_subsidy_prefers_the_sound_mine() {
    let dir = tempfile::tempdir().unwrap();
    let p = plan(dir.path(), &["--objective", "least-subsidy"]);
    assert_eq!(financed(&p), ["A"], "{p}");
    assert_eq!(p["objective"], "least_subsidy");
    assert_eq!(num(&p["viability_gap_musd"]), 0.0);
}

#[test]
fn the_funding_gap_splits_into_capex_and_viability_gap() {
    let dir = tempfile::tempdir().unwrap();
    let gap = gap_by_hand(dir.path(), "B");
    // No money: both mines (4,000 t/y) are needed for 3,500 t/y; the gap is their capex
    // (300 + 50) and B's viability gap.
    let p = run(
        dir.path(),
        &["plan", "--budget", "0", "--target", "ndpr=3500t@2040"],
    );
    assert!(financed(&p).is_empty(), "{p}");
    assert!((num(&p["funding_gap_musd"]) - 350.0).abs() < 0.01, "{p}");
    assert!(
        (num(&p["funding_gap_viability_musd"]) - gap).abs() < 0.01 * gap,
        "{} vs {gap}",
        p["funding_gap_viability_musd"]
    );
}
