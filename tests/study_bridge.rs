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
                "study_schedule",
                "study_fiscal",
                "study_byproducts",
                "study_revenue",
                "study_costs",
                "study_capex",
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
    assert_eq!(b["steps"][8]["step"], "price_deck");
    assert!(b["steps"][8]["musd"].as_f64().unwrap().abs() > 1.0);
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
    // The waterfall shows the study-term steps: Nolans' revenue, costs and capex.
    let nol = &html[html.find(r#"id="bridge-NOL""#).unwrap()..];
    let nol = &nol[..nol.find("</svg>").unwrap()];
    for label in [
        "study byproducts",
        "study revenue",
        "study costs",
        "study capex",
    ] {
        assert!(nol.contains(label), "{label}");
    }
    // The card says what each rebuild rests on (HTML-escaped).
    assert!(html.contains("on the study&#39;s own study_revenue_musd_per_y"));
    assert!(html.contains("on the annual flow its published IRR implies"));
    assert!(html.contains("From the published study to prospect's NPV"));
    assert!(html.contains(r#"<svg id="cost-curve""#));
    assert!(html.contains("<h2>Cost curve</h2>"));
}

/// The study's own terms enter the rebuild as given, converted as the published NPV is:
/// at the study year's average exchange rate, then by the BLS CPI-U ratio to 2025.
#[test]
fn the_studys_own_terms_enter_the_rebuild_as_given() {
    let r = appraise(&[]);
    let p = |id: &str| {
        r["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()
            .clone()
    };
    // Dubbo 2021 optimisation study (P15): free cash flow A$425m/y, the whole margin; at
    // the Fed's 2021 average 0.7515 US$/A$ and CPI 321.943 / 270.970.
    let dub = p("DUB");
    let b = &dub["study"]["bridge"];
    assert_eq!(b["rebuild_basis"], "study_operating_terms");
    let fcf = 425.0 * 0.7515 * 321.943 / 270.970;
    assert!((b["rebuilt_margin_musd_per_y"].as_f64().unwrap() - fcf).abs() < 1e-6);
    // Carina PEA 2024 (P35): EBITDA US$340m/y, less the model's sustaining capital (EBITDA
    // is before it), in 2025 money (x 321.943 / 313.689).
    let car = p("CAR");
    let b = &car["study"]["bridge"];
    let ebitda = 340.0 * 321.943 / 313.689;
    let sustaining = car["sustaining_capex_musd_per_y"].as_f64().unwrap();
    assert!(
        (b["rebuilt_margin_musd_per_y"].as_f64().unwrap() - (ebitda - sustaining)).abs() < 1e-6,
        "{} vs {}",
        b["rebuilt_margin_musd_per_y"],
        ebitda - sustaining
    );
    assert_eq!(
        b["study_terms_used"],
        serde_json::json!(["study_revenue_musd_per_y", "study_ebitda_musd_per_y"])
    );
    // Its study revenue (US$474m/y) replaced by the model's output at the run's deck (no
    // study deck in the record) is a step of its own.
    let step = |b: &Value, n: &str| {
        b["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == n)
            .unwrap()["musd"]
            .as_f64()
            .unwrap()
    };
    assert!(step(b, "study_revenue").abs() > 1.0);
    // Without operating terms, deck or capex of the study, the rebuild is the flow its
    // IRR implies (Norra Kärr: 20 % post-tax on US$378m over 20 years), and its IRR is
    // the published one.
    let nkr = p("NKR");
    let b = &nkr["study"]["bridge"];
    assert_eq!(b["rebuild_basis"], "flow_implied_by_irr");
    assert!((b["rebuilt_irr_pct"].as_f64().unwrap() - 20.0).abs() < 1e-6);
    assert_eq!(step(b, "study_revenue"), 0.0);
    assert_eq!(b["npv_from_published_irr_musd"], b["rebuilt_npv_musd"]);
    // Tanbreez has no capex or life in the record: no flow from its IRR.
    let tan = p("TAN");
    assert_eq!(
        tan["study"]["bridge"]["rebuild_basis"],
        "model_at_study_deck"
    );
    assert!(tan["study"]["bridge"]["npv_from_published_irr_musd"].is_null());
}

/// `prospect export` writes the study's own terms back (under the names without `usd`),
/// so the exported layer rebuilds every study as the samples do.
#[test]
fn the_study_terms_survive_an_export_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let layer = dir.path().join("sites.geojson");
    cargo_bin_cmd!("prospect")
        .args([
            "export",
            "samples/projects.csv",
            "--as-of",
            "2026",
            "--draws",
            "0",
            "--quiet",
            "--output",
        ])
        .arg(&layer)
        .assert()
        .success();
    let text = std::fs::read_to_string(&layer).unwrap();
    assert!(
        text.contains(r#""study_fcf_m_per_y":425"#) || text.contains(r#""study_fcf_m_per_y": 425"#)
    );
    let again = cargo_bin_cmd!("prospect")
        .arg("appraise")
        .arg(&layer)
        .args([
            "--format", "json", "--as-of", "2026", "--draws", "0", "--quiet",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let again: Value = serde_json::from_slice(&again).unwrap();
    let rebuilt = |r: &Value| -> Vec<(String, Value, Value)> {
        r["projects"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| !p["study"]["bridge"].is_null())
            .map(|p| {
                let b = &p["study"]["bridge"];
                (
                    p["id"].as_str().unwrap().to_owned(),
                    b["rebuilt_npv_musd"].clone(),
                    b["study_terms_used"].clone(),
                )
            })
            .collect()
    };
    let mut a = rebuilt(&appraise(&[]));
    let mut b = rebuilt(&again);
    a.sort_by(|x, y| x.0.cmp(&y.0));
    b.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(a.len(), 18);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!((&x.0, &x.2), (&y.0, &y.2));
        // The same NPV to rounding: a margin the rebuild sets as revenue less opex carries
        // the last digits of the model's revenue.
        let (u, v) = (x.1.as_f64().unwrap(), y.1.as_f64().unwrap());
        assert!((u - v).abs() < 1e-6, "{}: {u} against {v}", x.0);
    }
}

/// A record's study schedule, royalty and tax rate enter the rebuild with steps of their
/// own; a construction period that is not a whole number of years is refused by name.
#[test]
fn a_studys_schedule_and_tax_rate_enter_the_rebuild_and_bad_ones_are_refused() {
    let csv = std::fs::read_to_string("samples/projects.csv").unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    let nol = lines.find(|l| l.starts_with("NOL,")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, extra: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!("{header},study_construction_y,study_ramp_up_pct,study_tax_rate_pct\n{nol},{extra}\n"),
        )
        .unwrap();
        path
    };
    let good = write("good.csv", "2,60;90,30");
    let out = cargo_bin_cmd!("prospect")
        .arg("appraise")
        .arg(&good)
        .args([
            "--format", "json", "--as-of", "2026", "--draws", "0", "--quiet",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Value = serde_json::from_slice(&out).unwrap();
    let b = &r["projects"][0]["study"]["bridge"];
    let used = b["study_terms_used"].as_array().unwrap();
    for name in [
        "study_construction_y",
        "study_ramp_up_pct",
        "study_tax_rate_pct",
    ] {
        assert!(used.iter().any(|u| u == name), "{name}");
    }
    let step = |n: &str| {
        b["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == n)
            .unwrap()["musd"]
            .as_f64()
            .unwrap()
    };
    // Two construction years and a faster ramp-up than the model's (three years, 50 % and
    // 80 %) are worth more: replacing them by the model's lowers the NPV.
    assert!(step("study_schedule") < -1.0, "{}", step("study_schedule"));
    let bad = write("bad.csv", "2.5,60;90,30");
    let err = cargo_bin_cmd!("prospect")
        .arg("check")
        .arg(&bad)
        .assert()
        .failure()
        .get_output()
        .clone();
    let text =
        String::from_utf8_lossy(&err.stdout).to_string() + &String::from_utf8_lossy(&err.stderr);
    assert!(
        text.contains("study_construction_y") && text.contains("whole number"),
        "{text}"
    );
}
