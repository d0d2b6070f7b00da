//! A user's own separation plant project as a record of kind `plant` (issue 16): checked,
//! not valued as a mine, and placed in the allocation.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

const HEADER: &str = "id,name,country,regime,operator,lon,lat,deposit_type,stage,stage_year,permit_status,product_form,mine_life_y,annual_treo_t,annual_ndpr_t,annual_dytb_t,capex_musd,opex_musd_per_y,currency,remaining_life_y,record_kind,plant_ndpr_t,plant_access,plant_feeds";

/// Mine A (800 t/y NdPr) and its own plant record R beside it; no plant in the layer.
fn files(dir: &std::path::Path, plant_row: &str) -> (String, String) {
    let records = dir.join("mine_and_plant.csv");
    std::fs::write(
        &records,
        format!(
            "{HEADER}\n\
             A,Mine,GB,onshore,Alpha,1,0,carbonatite,production,2020,granted,concentrate,20,4000,800,0,300,40,USD,20,,,,\n\
             {plant_row}\n"
        ),
    )
    .unwrap();
    let plants = dir.join("none.geojson");
    std::fs::write(&plants, r#"{"type":"FeatureCollection","features":[]}"#).unwrap();
    let s = |p: std::path::PathBuf| p.to_str().unwrap().to_owned();
    (s(records), s(plants))
}

fn json(args: &[&str]) -> Value {
    let out = cargo_bin_cmd!("prospect")
        .args(args)
        .args([
            "--format", "json", "--as-of", "2026", "--draws", "0", "--quiet",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn find<'a>(v: &'a Value, key: &str, id: &str) -> &'a Value {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {key}"))
}

const PLANT: &str = "R,Own plant,GB,onshore,Alpha,1.1,0,,production,2024,granted,,,,,,150,,USD,,plant,500,captive,concentrate";

#[test]
fn a_plant_record_separates_its_owner_s_mine_and_is_not_valued_as_a_mine() {
    let dir = tempfile::tempdir().unwrap();
    let (records, plants) = files(dir.path(), PLANT);
    // Without a plant outside China, A's 800 t would all go to China; its owner's plant R
    // (500 t/y nameplate x the 93 % utilisation = 465 t, running since 2024) takes
    // 465 t as captive feed, 335 t go to China.
    let t = json(&["timeline", &records, "--plants", &plants, "--horizon", "1"]);
    let y = &t["years"][0];
    assert!(
        (y["separated_ndpr_t"]["base"].as_f64().unwrap() - 465.0).abs() < 1e-6,
        "{y}"
    );
    assert!((y["gap_ndpr_t"].as_f64().unwrap() - 335.0).abs() < 1e-6);
    let r = find(&t, "plants", "R");
    assert_eq!(r["access"], "captive");
    let a = find(&t, "projects", "A");
    assert_eq!(a["plants"][0], "R");
    assert_eq!(a["separation_terms"]["tier"], "captive");
    // The record itself adds no mined supply and is not valued.
    let pr = find(&t, "projects", "R");
    assert_eq!(pr["valued"], false);
    assert_eq!(pr["ndpr_t"].as_f64().unwrap(), 0.0);
    // The appraisal prices A on R's terms: 335 / 800 sold into China.
    let ap = json(&["appraise", &records, "--plants", &plants]);
    let sa = &find(&ap, "projects", "A")["separation"];
    assert_eq!(sa["plant"], "R");
    assert!(
        (sa["china_share"].as_f64().unwrap() - 335.0 / 800.0).abs() < 1e-9,
        "{sa}"
    );
    let rr = find(&ap, "projects", "R");
    assert!(
        rr["unvalued_reason"]
            .as_str()
            .unwrap()
            .contains("separation plant record")
    );
}

#[test]
fn check_reports_a_plant_record_without_capacity_and_plant_fields_on_a_mine() {
    let dir = tempfile::tempdir().unwrap();
    let no_capacity =
        "R,Own plant,GB,onshore,Alpha,1.1,0,,production,2024,granted,,,,,,150,,USD,,plant,,open,";
    let (records, _) = files(dir.path(), no_capacity);
    let out = cargo_bin_cmd!("prospect")
        .args(["check", &records])
        .assert()
        .failure()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("plant_ndpr_t") && text.contains("capacity"),
        "{text}"
    );
    let bad_access = "R,Own plant,GB,onshore,Alpha,1.1,0,,production,2024,granted,,,,,,150,,USD,,plant,500,shared,";
    let (records, _) = files(dir.path(), bad_access);
    let out = cargo_bin_cmd!("prospect")
        .args(["check", &records])
        .assert()
        .failure()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("plant_access") && text.contains("shared"),
        "{text}"
    );
    // A mine record carrying a plant capacity: a warning, not an error.
    let mine_with_plant = "M,Mine two,GB,onshore,Beta,2,0,carbonatite,production,2020,granted,concentrate,20,4000,800,0,300,40,USD,20,,500,,";
    let (records, _) = files(dir.path(), mine_with_plant);
    let out = cargo_bin_cmd!("prospect")
        .args(["check", &records])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("record_kind"), "{text}");
}
