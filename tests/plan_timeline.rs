//! `plan` and `timeline` agree (issue 20): one definition of "target met", stated in both
//! outputs; projects producing or under construction in the plan's baseline; nothing
//! financed when the baseline meets the target on its own.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

const SAMPLE: &str = "samples/projects.geojson";

fn json(args: &[&str]) -> Value {
    let out = cargo_bin_cmd!("prospect")
        .args(args)
        .args(["--as-of", "2026", "--draws", "0", "-q", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn plan(file: &str, target: &str, budget: &str) -> Value {
    json(&["plan", file, "--target", target, "--budget", budget])
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_project_producing_or_under_construction_is_in_the_baseline() {
    let p = plan(SAMPLE, "ndpr=20000t@2032", "2000");
    let baseline = ids(&p["baseline"]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(SAMPLE).unwrap()).unwrap();
    let mut building = Vec::new();
    for f in doc["features"].as_array().unwrap() {
        let props = &f["properties"];
        if matches!(
            props["stage"].as_str(),
            Some("construction" | "production" | "ramp_up")
        ) {
            building.push(props["id"].as_str().unwrap().to_owned());
        }
    }
    assert!(building.contains(&"YAN".to_owned()));
    for id in &building {
        assert!(
            baseline.contains(id),
            "{id} is building or producing: {baseline:?}"
        );
    }
}

#[test]
fn nothing_is_financed_when_the_baseline_meets_the_target() {
    // The samples' producers and builders separate about 20,600 t/y NdPr in 2032.
    let p = plan(SAMPLE, "ndpr=15000t@2032", "2000");
    assert!(p["target_met_by_target_year"].as_bool().unwrap());
    assert_eq!(
        p["financed"].as_array().unwrap().len(),
        0,
        "{}",
        p["financed"]
    );
    assert_eq!(p["plants_financed"].as_array().unwrap().len(), 0);
    assert_eq!(p["spend"].as_array().unwrap().len(), 0);
}

/// The plan's met year without money is the timeline's met year on the baseline alone:
/// the same rule over the same supply.
#[test]
fn plan_and_timeline_meet_a_target_in_the_same_year_on_the_same_projects() {
    let dir = tempfile::tempdir().unwrap();
    let first = plan(SAMPLE, "ndpr=15000t@2032", "0");
    let baseline = ids(&first["baseline"]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(SAMPLE).unwrap()).unwrap();
    let mut subset = doc.clone();
    subset["features"] = Value::Array(
        doc["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                baseline
                    .iter()
                    .any(|id| f["properties"]["id"] == id.as_str())
            })
            .cloned()
            .collect(),
    );
    let path = dir.path().join("baseline.geojson");
    std::fs::write(&path, serde_json::to_vec(&subset).unwrap()).unwrap();
    let path = path.to_str().unwrap();
    let mut compared = 0;
    for target in [
        "ndpr=8000t@2027",
        "ndpr=15000t@2032",
        "ndpr=20000t@2032",
        "ndpr=25000t@2035",
        "dytb=300t@2032",
    ] {
        let p = plan(SAMPLE, target, "0");
        let t = json(&["timeline", path, "--target", target]);
        assert_eq!(p["target_met_year"], t["target_met_year"], "{target}");
        assert_eq!(p["target_met_rule"], t["target_met_rule"]);
        compared += usize::from(!p["target_met_year"].is_null());
    }
    // Met and not met both compared.
    assert!((1..5).contains(&compared), "{compared}");
}

#[test]
fn both_outputs_state_what_met_means() {
    for cmd in ["plan", "timeline"] {
        let out = cargo_bin_cmd!("prospect")
            .args([cmd, SAMPLE, "--as-of", "2026", "--draws", "0", "-q"])
            .args(["--target", "ndpr=30000t@2032"])
            .args(if cmd == "plan" {
                &["--budget", "2000"][..]
            } else {
                &[]
            })
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("Met: a target is met in the first year from which separated supply"),
            "{cmd}: {text}"
        );
    }
}
