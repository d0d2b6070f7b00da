//! The Monte Carlo: reproducible to the byte whatever the thread count or record order,
//! converging as 1/sqrt(draws), and still when every driver is fixed.

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use serde_json::Value;

fn run(file: &str, extra: &[&str], threads: &str) -> Vec<u8> {
    cargo_bin_cmd!("prospect")
        .env("RAYON_NUM_THREADS", threads)
        .args([
            "appraise", file, "--format", "json", "--as-of", "2026", "--quiet",
        ])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

fn project<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
}

/// The projects of an `appraise --format json` report that carry an NPV.
fn valued(report: &Value) -> impl Iterator<Item = &Value> {
    report["projects"]
        .as_array()
        .expect("projects is an array")
        .iter()
        .filter(|p| p["valued"] == true)
}

#[test]
fn same_seed_same_bytes_whatever_threads_or_record_order() {
    let draws = ["--draws", "2000", "--seed", "7"];
    let one = run("samples/projects.csv", &draws, "1");
    let two = run("samples/projects.csv", &draws, "2");
    assert_eq!(one, two, "thread count changed the output");

    // The same records in reverse order, and a subset of them: each project's figures hold.
    let text = std::fs::read_to_string("samples/projects.csv").unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let dir = tempfile::tempdir().unwrap();
    let reversed = dir.path().join("reversed.csv");
    std::fs::write(&reversed, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    let back = run(reversed.to_str().unwrap(), &draws, "2");
    assert_eq!(one, back, "record order changed the output");
    let subset = dir.path().join("subset.csv");
    let nolans: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("NOL,"))
        .collect();
    std::fs::write(&subset, format!("{header}\n{}\n", nolans.join("\n"))).unwrap();
    let alone: Value = serde_json::from_slice(&run(subset.to_str().unwrap(), &draws, "2")).unwrap();
    let all: Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(
        project(&alone, "NOL")["npv_musd"],
        project(&all, "NOL")["npv_musd"],
        "other records changed a project"
    );

    let other: Value = serde_json::from_slice(&run(
        "samples/projects.csv",
        &["--draws", "2000", "--seed", "8"],
        "2",
    ))
    .unwrap();
    assert_ne!(
        project(&other, "NOL")["npv_musd"],
        project(&all, "NOL")["npv_musd"]
    );
}

#[test]
fn contract_fields_and_percentiles_agree_with_the_chance_of_a_positive_npv() {
    let r: Value =
        serde_json::from_slice(&run("samples/projects.csv", &["--draws", "1000"], "2")).unwrap();
    assert_eq!(r["seed"], 1);
    assert_eq!(r["draws"], 1000);
    assert!(
        r["percentile_convention"]
            .as_str()
            .unwrap()
            .contains("P10 is the pessimistic side")
    );
    for p in valued(&r) {
        // The percentiles and the chance of a positive NPV are computed apart (quantiles of
        // the sorted draws; a count of positive draws): with 1,000 draws, P10 > 0 means
        // draws 101 to 1,000 are positive (numpy's linear interpolation puts P10 between
        // draws 100 and 101), so at least 90 % are; P50 > 0 at least 50 %; P90 < 0 at most 10 %.
        let n = &p["npv_musd"];
        let q = |k: &str| n[k].as_f64().unwrap();
        let prob = p["prob_npv_positive"].as_f64().unwrap();
        let id = &p["id"];
        if q("p10") > 0.0 {
            assert!(
                prob >= 0.9,
                "{id}: P10 {} > 0 but P(NPV > 0) {prob}",
                q("p10")
            );
        }
        if q("p50") > 0.0 {
            assert!(prob >= 0.5, "{id}");
        } else {
            assert!(prob <= 0.5, "{id}");
        }
        if q("p90") < 0.0 {
            assert!(prob <= 0.1, "{id}");
        }
        // A producer has no lead time left to vary: every percentile is its base year.
        if p["stage"] == "production" {
            let y = &p["first_production_year"];
            assert!(y["p10"] == y["base"] && y["p90"] == y["base"], "{id}: {y}");
        }
        // Given that the project proceeds (the simulation's own years).
        let y = &p["simulation"]["first_production_year"];
        assert!(
            y["p10"].as_i64().unwrap() <= y["p50"].as_i64().unwrap()
                && y["p50"].as_i64().unwrap() <= y["p90"].as_i64().unwrap()
        );
        assert_eq!(p["top_drivers"].as_array().unwrap().len(), 3, "{}", p["id"]);
    }
    // NdPr price is one of the two largest drivers of Nolans, a separated-oxide NdPr
    // producer (85 % of its revenue is NdPr; its estimated opex, a lognormal of spread
    // 0.30 against NdPr's 0.35, swings NPV about as much, so which is first is a matter of
    // sampling).
    let top: Vec<&str> = project(&r, "NOL")["top_drivers"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|d| d["driver"].as_str().unwrap())
        .collect();
    assert!(top.contains(&"price_ndpr"), "{top:?}");
}

#[test]
fn standard_error_shrinks_as_one_over_root_draws() {
    let se = |draws: &str| {
        let r: Value =
            serde_json::from_slice(&run("samples/projects.csv", &["--draws", draws], "2")).unwrap();
        project(&r, "SRV")["simulation"]["npv_std_error_musd"]
            .as_f64()
            .unwrap()
    };
    let ratio = se("1000") / se("16000");
    assert!((ratio - 4.0).abs() < 0.6, "{ratio}");
}

#[test]
fn fixed_drivers_give_zero_spread() {
    let mut args = vec!["--draws", "500"];
    for d in prospect::model::simulate::DRIVERS {
        args.extend(["--fix", d]);
    }
    let r: Value = serde_json::from_slice(&run("samples/projects.csv", &args, "2")).unwrap();
    for p in valued(&r) {
        let n = &p["npv_musd"];
        let base = n["base"].as_f64().unwrap();
        for k in ["p10", "p50", "p90", "mean"] {
            assert!(
                (n[k].as_f64().unwrap() - base).abs() < 1e-6 * (1.0 + base.abs()),
                "{} {k}",
                p["id"]
            );
        }
        let y = &p["simulation"]["first_production_year"];
        assert_eq!(y["p10"], y["p90"], "{}", p["id"]);
    }
}

#[test]
fn sensitivity_prints_a_tornado() {
    cargo_bin_cmd!("prospect")
        .args([
            "sensitivity",
            "samples/projects.csv",
            "--project",
            "SGW",
            "--draws",
            "2000",
            "--as-of",
            "2026",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("tornado").and(predicates::str::contains("price_ndpr")));
    // Zero draws cannot make a tornado: refused, not silently replaced by 10,000.
    cargo_bin_cmd!("prospect")
        .args([
            "sensitivity",
            "samples/projects.csv",
            "--project",
            "SGW",
            "--draws",
            "0",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--draws 0: sensitivity needs at least 2 draws",
        ));
    cargo_bin_cmd!("prospect")
        .args(["sensitivity", "samples/projects.csv", "--project", "NOPE"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no project with id \"NOPE\""));
}
