//! `prospect plan` chooses between financing a mine and a separation plant by the
//! separated supply each adds per dollar (issue 16).

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

const HEADER: &str = "id,name,country,regime,operator,lon,lat,deposit_type,stage,stage_year,permit_status,product_form,mine_life_y,annual_treo_t,annual_ndpr_t,annual_dytb_t,capex_musd,opex_musd_per_y,currency,remaining_life_y";

/// A producing mine A (2,000 t/y NdPr) 1 degree from an open plant P, and a candidate
/// mine B (800 t/y NdPr, US$300m) 2 degrees from it; P separates `plant_ndpr_t` t/y NdPr
/// (a reported output: no utilisation).
fn plan(dir: &std::path::Path, plant_ndpr_t: f64, target: &str) -> Value {
    plan_with(dir, plant_ndpr_t, target, &[])
}

/// [`plan`] with `extra` flags.
fn plan_with(dir: &std::path::Path, plant_ndpr_t: f64, target: &str, extra: &[&str]) -> Value {
    let records = dir.join("mines.csv");
    std::fs::write(
        &records,
        format!(
            "{HEADER}\n\
             A,Producer,GB,onshore,Alpha,1,0,carbonatite,production,2020,granted,concentrate,30,10000,2000,0,500,60,USD,30\n\
             B,Candidate,GB,onshore,Beta,2,0,carbonatite,dfs,2025,granted,concentrate,20,4000,800,0,300,40,USD,\n"
        ),
    )
    .unwrap();
    let plants = dir.join("plants.geojson");
    std::fs::write(
        &plants,
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature",
            "geometry":{{"type":"Point","coordinates":[0,0]}},
            "properties":{{"id":"P","name":"Plant P","country":"GB","kind":"separation",
            "status":"operating","start_year":2020,"access":"open","circuits":["light"],
            "feeds":["concentrate"],"capacity":[{{"from":2020,"ndpr_t":{plant_ndpr_t},"basis":"output"}}]}}}}]}}"#
        ),
    )
    .unwrap();
    let out = cargo_bin_cmd!("prospect")
        .args([
            "plan",
            records.to_str().unwrap(),
            "--plants",
            plants.to_str().unwrap(),
        ])
        .args([
            "--format", "json", "--as-of", "2026", "--draws", "0", "--quiet",
        ])
        .args(["--budget", "1000musd/y", "--target", target])
        .args(extra)
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

#[test]
fn with_the_plant_full_the_plan_buys_a_plant_not_the_mine() {
    let dir = tempfile::tempdir().unwrap();
    // P (1,000 t) is full of A's feed, the nearer; 1,000 t of A's goes to China. Mine B
    // would add nothing separated (its feed finds no room), so a plant is the only option
    // that adds supply: sized for A's whole output up to the need (1,000 separated now +
    // 800 of its stranded 1,000 = 1,800 t), over the 93 % utilisation: 1,935.5 t/y, at
    // US$0.20m per t/y = US$387m. Beside A it takes 1,800 t of A's feed and P takes the
    // other 200: separated supply goes from 1,000 to 2,000 t, a gain of 1,000 t.
    let p = plan(dir.path(), 1000.0, "ndpr=1800t@2036");
    assert!(
        p["financed"].as_array().unwrap().is_empty(),
        "{}",
        p["financed"]
    );
    let plants = p["plants_financed"].as_array().unwrap();
    assert_eq!(plants.len(), 1, "{plants:?}");
    let f = &plants[0];
    assert_eq!(f["sited_at"], "A");
    assert!(
        (num(&f["capacity_ndpr_t"]) - 1800.0 / 0.93).abs() < 0.5,
        "{f}"
    );
    assert!(
        (num(&f["capex_musd"]) - 0.2 * 1800.0 / 0.93).abs() < 0.1,
        "{f}"
    );
    assert!((num(&f["separated_added_t"]) - 1000.0).abs() < 0.5, "{f}");
    // Its Dy+Tb circuit at Aclara Louisiana's ratio (230 t Dy+Tb beside 1,400 t NdPr; the
    // assumptions' separation.new_plant_min_dytb_per_ndpr, 0.1643),
    // A's feed having none: 1,800 x 230 / 1,400 = 295.7 t, over the 93 % utilisation.
    assert!(
        (num(&f["capacity_dytb_t"]) - 1800.0 * 230.0 / 1400.0 / 0.93).abs() < 0.5,
        "{f}"
    );
    assert!((num(&f["separated_t_per_musd"]) - 1000.0 / (0.2 * 1800.0 / 0.93)).abs() < 0.01);
    assert_eq!(p["target_met_by_target_year"], true);
    assert!((num(&p["supply_in_target_year_t"]) - 2000.0).abs() < 0.5);
}

#[test]
fn with_room_at_the_plant_the_plan_buys_the_mine() {
    let dir = tempfile::tempdir().unwrap();
    // P (3,000 t) takes A's 2,000 t and has room for B's 800: nothing is stranded, no plant
    // is offered, and B, adding 800 t separated, is financed for a 2,500 t target.
    let p = plan(dir.path(), 3000.0, "ndpr=2500t@2036");
    assert!(p["plants_financed"].as_array().unwrap().is_empty());
    let fin = p["financed"].as_array().unwrap();
    assert_eq!(fin.len(), 1, "{fin:?}");
    assert_eq!(fin[0]["id"], "B");
    assert!((num(&fin[0]["separated_added_t"]) - 800.0).abs() < 0.5);
    assert_eq!(p["binding_in_target_year"], "mines");
}

/// A financed mine produces first when its build is done: B, a carbonatite with no
/// construction years of its own, takes the default three (assumptions
/// deposits.carbonatite.construction_y), so it first produces three years after the
/// year its construction starts. Survivor of the mutation sample (docs/reliability.md):
/// `start + construction_y` → `start * construction_y`.
#[test]
fn a_financed_mine_first_produces_when_its_build_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let p = plan(dir.path(), 3000.0, "ndpr=2500t@2036");
    let fin = &p["financed"][0];
    assert_eq!(fin["id"], "B");
    let start = fin["start_year"].as_i64().unwrap();
    assert!((2026..=2033).contains(&start), "{fin}");
    assert_eq!(
        fin["first_production_year"].as_i64(),
        Some(start + 3),
        "{fin}"
    );
}

#[test]
fn a_new_plants_circuit_mix_is_the_assumptions() {
    // As above, with separation.new_plant_min_dytb_per_ndpr at 0.5: the Dy+Tb circuit
    // beside 1,800 t NdPr is 900 t, over the 93 % utilisation.
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.toml");
    std::fs::write(&a, "[separation]\nnew_plant_min_dytb_per_ndpr = 0.5\n").unwrap();
    let p = plan_with(
        dir.path(),
        1000.0,
        "ndpr=1800t@2036",
        &["--assumptions", a.to_str().unwrap()],
    );
    let f = &p["plants_financed"][0];
    assert!(
        (num(&f["capacity_dytb_t"]) - 1800.0 * 0.5 / 0.93).abs() < 0.5,
        "{f}"
    );
}
