//! The judgement figures of the models' rules live in the assumptions (issue 24), not in
//! the code: an override of each changes the result by the hand-worked amount.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

/// `appraise` of the samples at 50 draws with `toml` over the default assumptions.
fn appraise(toml: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.toml");
    std::fs::write(&file, toml).unwrap();
    let out = cargo_bin_cmd!("prospect")
        .args(["appraise", "samples/projects.csv", "--format", "json"])
        .args([
            "--as-of",
            "2026",
            "--draws",
            "50",
            "--quiet",
            "--assumptions",
        ])
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    v["projects"].as_array().unwrap().clone()
}

fn project<'a>(all: &'a [Value], id: &str) -> &'a Value {
    all.iter().find(|p| p["id"] == id).unwrap()
}

fn triple(v: &Value) -> [f64; 3] {
    let a = v["pert"].as_array().unwrap();
    [0, 1, 2].map(|i| a[i].as_f64().unwrap())
}

fn close(a: [f64; 3], b: [f64; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12)
}

#[test]
fn a_studys_cost_factors_take_their_skew_from_the_assumptions() {
    // Nolans' capex and Dubbo's opex come from DFS-level studies, band 0.15: capex
    // [1 - 0.5 x 0.15, 1, 1 + 1.5 x 0.15] = [0.925, 1, 1.225], opex [0.925, 1, 1.15].
    let d = appraise("");
    let capex = &project(&d, "NOL")["simulation"]["model"]["capex"];
    let opex = &project(&d, "DUB")["simulation"]["model"]["opex"];
    assert!(close(triple(capex), [0.925, 1.0, 1.225]), "{capex}");
    assert!(close(triple(opex), [0.925, 1.0, 1.15]), "{opex}");
    // At [0.2, 3.0] and [0.1, 2.0]: [0.97, 1, 1.45] and [0.985, 1, 1.3].
    let o = appraise(
        "[uncertainty.rules]\ncapex_pert_band = [0.2, 3.0]\nopex_pert_band = [0.1, 2.0]\n",
    );
    let capex = &project(&o, "NOL")["simulation"]["model"]["capex"];
    let opex = &project(&o, "DUB")["simulation"]["model"]["opex"];
    assert!(close(triple(capex), [0.97, 1.0, 1.45]), "{capex}");
    assert!(close(triple(opex), [0.985, 1.0, 1.3]), "{opex}");
}

#[test]
fn the_protected_area_search_reaches_as_far_as_the_assumptions_say() {
    // Bear Lodge lies 23 km from Devils Tower National Monument: inside the default 50 km,
    // an environment factor of 0.95; beyond a 20 km search, none, and the chance of
    // success is higher by 1 / 0.95.
    let env = |p: &Value| {
        p["risk_factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["factor"] == "environment")
            .cloned()
    };
    let d = appraise("");
    let bel = project(&d, "BEL");
    let f = env(bel).expect("an environment factor within 50 km");
    assert!(
        f["reason"]
            .as_str()
            .unwrap()
            .contains("23 km from Devils Tower")
    );
    assert_eq!(f["multiplier"], 0.95);
    let near = appraise("[context]\nprotected_search_km = 20.0\n");
    let bel20 = project(&near, "BEL");
    assert!(env(bel20).is_none(), "{bel20}");
    let (c50, c20) = (
        bel["chance_of_success"].as_f64().unwrap(),
        bel20["chance_of_success"].as_f64().unwrap(),
    );
    assert!((c20 * 0.95 - c50).abs() < 1e-12, "{c50} {c20}");
}
