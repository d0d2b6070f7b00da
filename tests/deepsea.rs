//! The deep-sea samples through `prospect appraise`: Minamitorishima mud, NORI-D, the Cook
//! Islands nodules and the Okinawa Trough sulphides, each valued (or refused with a reason
//! a user can act on), with the figures a state programme or a lender needs.

use std::collections::BTreeMap;

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

fn appraise_json(args: &[&str]) -> Value {
    let out = cargo_bin_cmd!("prospect")
        .arg("appraise")
        .args(args)
        .args([
            "--format", "json", "--as-of", "2026", "--draws", "200", "--quiet",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("appraise --format json prints JSON")
}

fn by_id(report: &Value) -> BTreeMap<String, Value> {
    report["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_owned(), p.clone()))
        .collect()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn minamitorishima_mud_is_valued_from_its_contained_reo() {
    for sample in ["samples/projects.csv", "samples/projects.geojson"] {
        let m = by_id(&appraise_json(&[sample]));
        let p = &m["MNT"];
        assert_eq!(p["valued"], true, "{sample}: {}", p["unvalued_reason"]);
        let mud = &p["mud"];
        // 1.2 Mt REO at 964 ppm is 1,245 Mt of dry mud (by hand: 1.2e6 / 964e-6 / 1e6).
        assert!(
            (num(&mud["flow"]["mineable_mud_mt"]) - 1.2 / 964e-6).abs() < 1e-6,
            "{}",
            mud["flow"]["mineable_mud_mt"]
        );
        // The commercial default: 10,000 t/day x 300 days; TREO = 3 Mt x 964 ppm x 70 % x 85 %.
        assert_eq!(mud["flow"]["scenario"], "commercial_10000tpd");
        assert!((num(&p["annual_treo_t"]) - 3.0e6 * 964e-6 * 0.70 * 0.85).abs() < 1e-6);
        // The resource would last about 415 years: the plan values 20, and says so.
        assert_eq!(num(&p["mine_life_y"]), 20.0);
        assert!(
            p["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w.as_str().unwrap().contains("415 years"))
        );
        // A state programme's figures: a cost and a subsidy per kg of Dy+Tb, and every
        // capacity scenario from the 350 t/day trial up.
        let u = &mud["unit_costs"];
        assert!(num(&u["cost_per_kg_dytb_usd"]) > 0.0);
        assert!(num(&u["subsidy_per_kg_dytb_usd"]) > 0.0);
        let names: Vec<&str> = mud["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["scenario"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"trial_350tpd") && names.contains(&"co_mining_10000tpd"));
        // Its NPV has a simulated spread and a first-production distribution.
        for k in ["p10", "p50", "p90"] {
            assert!(p["npv_musd"][k].is_number(), "{k}");
            assert!(p["first_production_year"][k].is_i64(), "{k}");
        }
    }
}

#[test]
fn the_trial_costs_far_more_per_kg_than_the_commercial_scale() {
    let m = by_id(&appraise_json(&["samples/projects.csv"]));
    let scenarios = m["MNT"]["mud"]["scenarios"].as_array().unwrap().clone();
    let cost = |name: &str| {
        let s = scenarios.iter().find(|s| s["scenario"] == name).unwrap();
        num(&s["cost_per_kg_dytb_usd"])
    };
    // A vessel's day rate spread over 350 t/day against 10,000 t/day.
    assert!(cost("trial_350tpd") > 3.0 * cost("commercial_10000tpd"));
}
