//! Mountain Pass on the per-oxide netback (issue 14): its own plant separates only the
//! oxides worth separating, so its own separation cost is charged on NdPr and cracking, not
//! on the La and Ce that are 83 % of its TREO. Expected values worked by hand from the
//! carbonatite distribution and the Dec 2025 deck of assumptions/default.toml.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

fn mountain_pass() -> Value {
    let out = cargo_bin_cmd!("prospect")
        .args([
            "appraise",
            "samples/projects.csv",
            "--format",
            "json",
            "--as-of",
            "2026",
            "--draws",
            "0",
            "--quiet",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Value = serde_json::from_slice(&out).unwrap();
    r["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "MTP")
        .cloned()
        .expect("MTP in the samples")
}

#[test]
fn mountain_pass_separates_only_what_is_worth_separating() {
    let p = mountain_pass();
    let nb = &p["netback"];
    // Carbonatite shares (% of TREO): La 33.8, Ce 49.6, Pr 4.1, Nd 11.2, Sm 0.9, Eu 0.1,
    // Gd 0.2, Y 0.1; Dec 2025 deck (US$/kg): La 0.57, Ce 1.44, Pr = Nd 76.18, Sm 1.50,
    // Eu 32.66, Gd 22.86, Y 6.59. Separated at 95 % less US$5 (light) or US$22.5 (heavy),
    // or unseparated at 65 %:
    //   La 0.57 x 0.95 - 5 < 0.37; Ce 1.44 x 0.95 - 5 < 0.94; Sm, Y likewise;
    //   Eu 32.66 x 0.95 - 22.5 = 8.53 < 21.23; Gd 21.72 - 22.5 < 14.86: all unseparated;
    //   Pr, Nd 76.18 x 0.95 - 5 = 67.37 > 49.52: separated.
    let names: Vec<&str> = nb["unseparated_oxides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(names, ["la", "ce", "sm", "eu", "gd", "y"]);
    assert!((nb["unseparated_share_pct"].as_f64().unwrap() - 84.7).abs() < 1e-9);
    // Value at its own plant: 0.338 x 0.57 x 0.65 + 0.496 x 1.44 x 0.65 + 0.153 x 76.18 x
    // 0.95 + (0.009 x 1.50 + 0.001 x 32.66 + 0.002 x 22.86 + 0.001 x 6.59) x 0.65
    // = 0.125229 + 0.464256 + 11.072763 + 0.0640055 = 11.7262535 US$/kg TREO.
    let sep = &p["separation"];
    assert!((sep["price_at_plant_usd_per_kg"].as_f64().unwrap() - 11.726_253_5).abs() < 1e-9);
    // Own separation: NdPr's 15.3 % x US$5 + cracking US$5 on every kg = US$5.765/kg TREO,
    // on the share its own plant takes (1 - the share sold to China) of 45,455 t/y.
    assert!((sep["charges_usd_per_kg"].as_f64().unwrap() - 5.765).abs() < 1e-9);
    let own = 1.0 - sep["china_share"].as_f64().unwrap();
    let want = 5.765 * own * 45_455.0 / 1e3;
    let got = p["provenance"]["own_separation_musd_per_y"]["value"]
        .as_f64()
        .unwrap();
    assert!((got - want).abs() < 1e-3, "{got} vs {want}");
    // Charged on every kilogram as before (light share 98.7 %: 0.987 x 5 + 0.013 x 22.5 + 5
    // = 10.2275), the cost was 10.2275 / 5.765 = 1.77 times as much (US$184m/y).
}
