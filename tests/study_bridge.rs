//! The study rebuild and its bridge (issue 14) on the samples: the published NPV at the
//! study year's published exchange rate, the money-year step by the BLS index ratio, the
//! steps adding up to prospect's NPV, and the waterfall and cost curve in the report.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

fn appraise(args: &[&str]) -> Value {
    let out = cargo_bin_cmd!("prospect")
        .args(["appraise", "samples/projects.csv"])
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

#[test]
fn every_bridge_adds_up_and_yangibanas_starts_from_its_published_npv() {
    let r = appraise(&[]);
    let mut bridged = 0;
    for p in r["projects"].as_array().unwrap() {
        let Some(b) = p["study"]["bridge"].as_object() else {
            continue;
        };
        bridged += 1;
        let steps: f64 = b["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["musd"].as_f64().unwrap())
            .sum();
        let (start, end) = (
            b["published_npv_musd"].as_f64().unwrap(),
            b["model_npv_musd"].as_f64().unwrap(),
        );
        assert!((start + steps - end).abs() < 1e-6, "{}", p["id"]);
        assert_eq!(b["model_npv_musd"], p["npv_musd"]["base"], "{}", p["id"]);
        let names: Vec<&str> = b["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "rebuild_gap",
                "money_year",
                "price_deck",
                "discount_rate",
                "fiscal_terms",
                "valuation_date"
            ]
        );
    }
    assert!(bridged >= 15, "{bridged}");
    let yan = r["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "YAN")
        .unwrap();
    let b = &yan["study"]["bridge"];
    // Hastings 2022: A$1,012m at the Fed's 2022 average 0.6951 US$/A$ (P11).
    assert!((b["published_npv_musd"].as_f64().unwrap() - 1012.0 * 0.6951).abs() < 1e-6);
    // The money-year step is the rebuilt NPV x (CPI 2025 / CPI 2022 - 1), BLS CPI-U
    // 321.943 and 292.655.
    let rebuilt = b["rebuilt_npv_musd"].as_f64().unwrap();
    let money = b["steps"][1]["musd"].as_f64().unwrap();
    assert!((money - rebuilt * (321.943 / 292.655 - 1.0)).abs() < 1e-6);
    // Its study deck (US$112/kg NdPr) is in the record, so the price step is not zero.
    assert!(b["steps"][2]["musd"].as_f64().unwrap().abs() > 1.0);
}

#[test]
fn the_report_draws_the_bridge_and_the_cost_curve() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    cargo_bin_cmd!("prospect")
        .args([
            "report",
            "samples/projects.csv",
            "--draws",
            "50",
            "--as-of",
            "2026",
        ])
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains(r#"id="bridge-YAN""#));
    assert!(html.contains("From the published study to prospect's NPV"));
    assert!(html.contains(r#"<svg id="cost-curve""#));
    assert!(html.contains("<h2>Cost curve</h2>"));
}
