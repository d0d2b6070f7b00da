//! `prospect rank`, `timeline` and `plan` on the samples.

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use serde_json::Value;

fn json(cmd: &str, extra: &[&str]) -> Value {
    let out = cargo_bin_cmd!("prospect")
        .args([
            cmd,
            "samples/projects.csv",
            "--format",
            "json",
            "--as-of",
            "2026",
            "--draws",
            "300",
            "--quiet",
        ])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn rank_of(r: &Value, id: &str) -> u64 {
    r["ranking"]["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()["rank"]
        .as_u64()
        .unwrap()
}

#[test]
fn ranking_explains_itself_and_weights_change_the_order() {
    let r = json("rank", &[]);
    let projects = r["ranking"]["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 28);
    for p in projects {
        let sum: f64 = p["contributions"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert!(
            (sum - p["score"].as_f64().unwrap()).abs() < 1e-9,
            "{}",
            p["id"]
        );
    }
    assert!(
        projects
            .windows(2)
            .all(|w| w[0]["score"].as_f64() >= w[1]["score"].as_f64())
    );
    assert!(projects.iter().any(|p| p["pareto"] == true));
    // Speed alone puts the producers first; value alone puts the two nodule projects,
    // the only ones with a positive risked NPV at market prices besides Serra Verde, first.
    let speed = json(
        "rank",
        &[
            "--weight",
            "value=0",
            "--weight",
            "supply=0",
            "--weight",
            "risk=0",
            "--weight",
            "confidence=0",
        ],
    );
    let value = json(
        "rank",
        &[
            "--weight",
            "speed=0",
            "--weight",
            "supply=0",
            "--weight",
            "risk=0",
            "--weight",
            "confidence=0",
        ],
    );
    assert!(rank_of(&speed, "MTW") < rank_of(&value, "MTW"));
    assert!(rank_of(&value, "NORID") < rank_of(&speed, "NORID"));
    assert_eq!(rank_of(&value, "NORID").max(rank_of(&value, "COK")), 2);
}

#[test]
fn filters_and_bad_weights() {
    let r = json("rank", &["--regime", "onshore", "--max-years", "10"]);
    let projects = r["ranking"]["projects"].as_array().unwrap();
    assert!(
        projects
            .iter()
            .all(|p| p["years_to_first_production_p50"].as_f64().unwrap() <= 10.0)
    );
    let excluded: Vec<&str> = r["ranking"]["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[0].as_str().unwrap())
        .collect();
    assert!(excluded.contains(&"NORID") && excluded.contains(&"MNT"));
    cargo_bin_cmd!("prospect")
        .args([
            "rank",
            "samples/projects.csv",
            "--weight",
            "beauty=1",
            "--draws",
            "0",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown criterion \"beauty\""));
}

#[test]
fn timeline_counts_supply_and_capex_by_year() {
    let t = json(
        "timeline",
        &["--target", "ndpr=20000t@2032", "--horizon", "15"],
    );
    let years = t["years"].as_array().unwrap();
    assert_eq!(years.len(), 16);
    for y in years {
        let n = &y["ndpr_t"];
        assert!(n["expected"].as_f64().unwrap() <= n["base"].as_f64().unwrap() + 1e-9);
    }
    assert!(t["target_met_year"].is_i64());
    let nolans = t["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "NOL")
        .unwrap();
    assert_eq!(nolans["ndpr_t"], 4440.0);
    assert!(
        nolans["stages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["stage"] == "construction")
    );
}

#[test]
fn plan_keeps_to_the_budget_meets_a_feasible_target_and_reports_the_gap() {
    let budget = 1500.0;
    for (target, feasible) in [("ndpr=25000t@2030", true), ("ndpr=35000t@2033", false)] {
        let p = json("plan", &["--budget", "1500musd/y", "--target", target]);
        for s in p["spend"].as_array().unwrap() {
            assert!(s[1].as_f64().unwrap() <= budget + 1e-6, "{target}: {s}");
        }
        assert_eq!(p["target_met_by_target_year"], feasible, "{target}");
        if feasible {
            assert_eq!(p["shortfall_t"], 0.0);
            assert!(!p["financed"].as_array().unwrap().is_empty());
        } else {
            assert!(p["shortfall_t"].as_f64().unwrap() > 0.0);
            assert!(p["funding_gap_musd"].as_f64().unwrap() >= 0.0);
        }
        let left: Vec<&str> = p["left_out"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l[0].as_str().unwrap())
            .collect();
        assert!(left.contains(&"NORID"), "nodules produce no NdPr");
    }
}
