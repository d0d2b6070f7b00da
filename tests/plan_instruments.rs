//! `prospect plan --instrument` with several instruments (issue 18): each project with a
//! viability gap gets the allowed instrument with the least expected public cost that
//! closes it, valued from the appraisal's own figures by the formulas of docs/models.md
//! ("Closing a viability gap"); a project no allowed instrument closes is left out with the
//! reason, instrument by instrument; run terms given as flags equal the same terms in an
//! assumptions file.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

const HEADER: &str = "id,name,country,regime,operator,lon,lat,deposit_type,stage,stage_year,permit_status,product_form,mine_life_y,annual_treo_t,annual_ndpr_t,annual_dytb_t,capex_musd,opex_musd_per_y,currency,remaining_life_y";

const PLANTS: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
"geometry":{"type":"Point","coordinates":[0,0]},
"properties":{"id":"P","name":"Plant P","country":"GB","kind":"separation",
"status":"operating","start_year":2020,"access":"open","circuits":["light"],
"feeds":["concentrate"],"capacity":[{"from":2020,"ndpr_t":10000,"basis":"output"}]}}]}"#;

/// One GB mine (no production credit there) losing a little at the deck for its opex.
fn mine(opex: f64) -> String {
    format!(
        "{HEADER}\nD,Sound but for its opex,GB,onshore,Delta,4,0,carbonatite,dfs,2025,granted,concentrate,20,10000,2000,0,300,{opex},USD,\n"
    )
}

fn run(dir: &std::path::Path, csv: &str, args: &[&str]) -> Value {
    let mines = dir.join("mines.csv");
    let plants = dir.join("plants.geojson");
    std::fs::write(&mines, csv).unwrap();
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

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The appraisal of D with the loan at 100 % of the capex (an assumptions file).
fn appraisal(dir: &std::path::Path, csv: &str) -> Value {
    let a = dir.join("loan.toml");
    std::fs::write(
        &a,
        "[instruments.concessional_loan]\nshare_of_capex_pct = 100.0\n",
    )
    .unwrap();
    let r = run(
        dir,
        csv,
        &["appraise", "--assumptions", a.to_str().unwrap()],
    );
    r["projects"][0].clone()
}

/// By hand (docs/models.md): the gap, and the value to the owner and the public cost of
/// the loan and of the floor, from the appraisal's figures.
struct Hand {
    gap: f64,
    loan_value: f64,
    loan_cost: f64,
    floor_value: f64,
    floor_cost: f64,
}

fn by_hand(p: &Value) -> Hand {
    let o = &p["owner"];
    let c = num(&o["chance_of_decision"]);
    let q = num(&o["construction_failure"]);
    let s = num(&o["free_carried_pct"]) / 100.0;
    let t = num(&p["lead_time"]["years_to_construction"]);
    let v = num(&o["value_at_decision_musd"]);
    assert!(v < 0.0, "D should lose at the deck: {v}");
    let run = 1.08_f64.powf(-t);
    let gov = 1.02_f64.powf(-t);
    let i = &p["instruments"];
    let ge = num(&i["concessional_loan"]["value_to_project_musd"]);
    let f = &i["price_floor"];
    Hand {
        gap: c * -v * run,
        loan_value: ge * c * run,
        loan_cost: ge * c * gov,
        floor_value: num(&f["value_to_project_musd"])
            * (1.0 - 0.25)
            * (1.0 - q)
            * (1.0 - s)
            * c
            * run,
        floor_cost: num(&f["expected_cost_to_government_musd"]),
    }
}

fn plan(dir: &std::path::Path, csv: &str, instruments: &str) -> Value {
    run(
        dir,
        csv,
        &[
            "plan",
            "--budget",
            "3000musd/y",
            "--target",
            "ndpr=1000t@2040",
            "--instrument",
            instruments,
            "--loan-share",
            "100",
        ],
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[test]
fn of_two_instruments_that_close_the_gap_the_plan_takes_the_cheaper() {
    let dir = tempfile::tempdir().unwrap();
    let csv = mine(40.0);
    let h = by_hand(&appraisal(dir.path(), &csv));
    // Both close this small gap, and the loan costs the government less than the floor.
    assert!(h.loan_value >= h.gap && h.floor_value >= h.gap, "{}", h.gap);
    assert!(h.loan_cost < h.floor_cost);
    let p = plan(dir.path(), &csv, "price-floor,concessional-loan");
    let f = &p["financed"][0];
    assert_eq!(f["id"], "D", "{p}");
    let s = &f["support"];
    assert_eq!(s["instrument"], "concessional_loan", "{s}");
    assert!(close(num(&s["public_cost_musd"]), h.loan_cost), "{s}");
    assert!(close(num(&s["value_musd"]), h.loan_value), "{s}");
    assert!(close(num(&s["closes_musd"]), h.gap), "{s}");
    let floor = s["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["instrument"] == "price_floor")
        .unwrap();
    assert!(
        close(num(&floor["public_cost_musd"]), h.floor_cost),
        "{floor}"
    );
    assert!(close(num(&floor["value_musd"]), h.floor_value), "{floor}");
    assert!(
        s["note"]
            .as_str()
            .unwrap()
            .contains("price-floor also closes it")
    );
    // The support's cost per tonne secured: chance of success x 2,000 t/y x 20 years.
    let tonnes = num(&p["financed"][0]["supply_t"]) * 20.0;
    let chance = num(&appraisal(dir.path(), &csv)["chance_of_success"]);
    assert!(close(
        num(&f["subsidy_usd_per_t_ndpr"]),
        h.loan_cost * 1e6 / (chance * tonnes)
    ));
    assert!(f["subsidy_usd_per_t_dytb"].is_null());
    // The summary: each instrument alone closes D; the loan secures more per US$.
    let rows = p["instrument_summary"].as_array().unwrap();
    assert_eq!(rows[0]["instrument"], "concessional_loan", "{rows:?}");
    assert_eq!(rows[1]["instrument"], "price_floor");
    assert!(close(
        num(&rows[0]["secured_t_per_musd"]),
        chance * tonnes / h.loan_cost
    ));
}

#[test]
fn only_the_instrument_that_closes_the_gap_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let csv = mine(50.0);
    let h = by_hand(&appraisal(dir.path(), &csv));
    // A larger gap: the loan falls short, the floor covers it.
    assert!(h.loan_value < h.gap && h.floor_value >= h.gap, "{}", h.gap);
    let p = plan(dir.path(), &csv, "concessional-loan,price-floor");
    let s = &p["financed"][0]["support"];
    assert_eq!(s["instrument"], "price_floor", "{p}");
    assert!(close(num(&s["public_cost_musd"]), h.floor_cost));
    assert!(s["note"].as_str().unwrap().contains("short of the gap"));
}

#[test]
fn a_gap_no_allowed_instrument_closes_leaves_the_mine_out_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let csv = mine(50.0);
    // GB has no production credit, and the loan is too small: nothing is financed.
    let p = plan(dir.path(), &csv, "tax-credit,concessional-loan");
    assert!(p["financed"].as_array().unwrap().is_empty(), "{p}");
    let why = p["left_out"][0][1].as_str().unwrap();
    assert_eq!(p["left_out"][0][0], "D");
    assert!(
        why.contains("no allowed instrument closes the gap"),
        "{why}"
    );
    assert!(why.contains("tax-credit: not available"), "{why}");
    assert!(why.contains("concessional-loan: worth US$"), "{why}");
    assert!(!why.contains("US$-"), "{why}");
    let rows = p["instrument_summary"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["projects_closed"] == 0), "{rows:?}");
}

#[test]
fn run_terms_as_flags_equal_the_same_terms_in_an_assumptions_file() {
    let dir = tempfile::tempdir().unwrap();
    let csv = mine(50.0);
    let a = dir.path().join("terms.toml");
    std::fs::write(
        &a,
        "[instruments]\ngovernment_rate_pct = 3.0\n[instruments.price_floor]\nndpr_usd_per_kg = 95.0\ntenor_y = 8\nupside_share_pct = 20.0\n[instruments.concessional_loan]\nrate_pct = 1.0\ntenor_y = 12\nshare_of_capex_pct = 80.0\n",
    )
    .unwrap();
    let common = [
        "plan",
        "--budget",
        "3000musd/y",
        "--target",
        "ndpr=1000t@2040",
        "--instrument",
        "grant,price-floor,concessional-loan",
    ];
    let mut by_file = common.to_vec();
    by_file.extend(["--assumptions", a.to_str().unwrap()]);
    let mut by_flags = common.to_vec();
    by_flags.extend([
        "--government-rate",
        "3",
        "--floor-ndpr",
        "95",
        "--floor-tenor",
        "8",
        "--floor-upside-share",
        "20",
        "--loan-rate",
        "1",
        "--loan-tenor",
        "12",
        "--loan-share",
        "80",
    ]);
    let x = run(dir.path(), &csv, &by_file);
    let y = run(dir.path(), &csv, &by_flags);
    assert_eq!(x["financed"], y["financed"]);
    assert_eq!(x["instrument_summary"], y["instrument_summary"]);
    // And they are not the defaults.
    let d = run(dir.path(), &csv, &common);
    assert_ne!(d["instrument_summary"], x["instrument_summary"]);
}
