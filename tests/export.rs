//! `prospect export`: RFC 7946 rules checked here, and QGIS's reading of the file checked
//! with GDAL's ogrinfo when it is installed (.ci/run installs gdal-bin).

use std::collections::BTreeMap;
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

fn export(file: &str, dir: &std::path::Path, extra: &[&str]) -> std::path::PathBuf {
    let out = dir.join("sites.geojson");
    cargo_bin_cmd!("prospect")
        .args([
            "export", file, "--as-of", "2026", "--draws", "300", "--quiet", "--qml", "--output",
        ])
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    out
}

fn decimals(v: f64) -> usize {
    let s = format!("{v}");
    s.split_once('.').map_or(0, |(_, d)| d.len())
}

fn positions(geometry: &Value, out: &mut Vec<(f64, f64)>) {
    match geometry {
        Value::Array(a) if a.len() >= 2 && a[0].is_number() => {
            out.push((a[0].as_f64().unwrap(), a[1].as_f64().unwrap()))
        }
        Value::Array(a) => a.iter().for_each(|x| positions(x, out)),
        _ => {}
    }
}

#[test]
fn rfc_7946_rules_hold() {
    let dir = tempfile::tempdir().unwrap();
    let out = export("samples/projects.geojson", dir.path(), &[]);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(doc["type"], "FeatureCollection");
    assert_eq!(doc["name"], "sites");
    assert!(doc.get("crs").is_none());
    let features = doc["features"].as_array().unwrap();
    assert_eq!(features.len(), 28);
    let mut types: BTreeMap<String, std::collections::BTreeSet<&'static str>> = BTreeMap::new();
    for f in features {
        let mut pos = Vec::new();
        positions(&f["geometry"]["coordinates"], &mut pos);
        for (x, y) in pos {
            assert!((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y));
            assert!(decimals(x) <= 7 && decimals(y) <= 7, "{x} {y}");
        }
        for (k, v) in f["properties"].as_object().unwrap() {
            let t = match v {
                Value::Null => continue,
                Value::Bool(_) => "bool",
                Value::Number(n) if n.is_f64() => "real",
                Value::Number(_) => "integer",
                Value::String(_) => "string",
                _ => panic!("{k} is not a scalar"),
            };
            types.entry(k.clone()).or_default().insert(t);
        }
    }
    for (k, t) in &types {
        assert_eq!(t.len(), 1, "column {k} mixes {t:?}");
    }
    assert_eq!(types["npv_musd"].iter().next(), Some(&"real"));
    assert_eq!(
        types["first_production_date"].iter().next(),
        Some(&"string")
    );
    assert!(out.with_extension("qml").exists());
}

/// One currency per column: a column whose name says US$ (`usd`, `musd`) holds US$ for
/// every feature, and the record's own money goes under `_m` names beside `currency`.
#[test]
fn columns_that_say_usd_hold_usd() {
    let dir = tempfile::tempdir().unwrap();
    let out = export("samples/projects.geojson", dir.path(), &[]);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let features = doc["features"].as_array().unwrap();
    // The US$ columns, and nothing else with usd in its name.
    let usd: std::collections::BTreeSet<&str> = [
        "basket_price_usd_per_kg",
        "capex_musd_model",
        "npv_musd",
        "npv_musd_p10",
        "npv_musd_p50",
        "npv_musd_p90",
        "risked_npv_musd",
        "study_basket_usd_per_kg",
        "study_ndpr_usd_per_kg",
        "study_npv_musd_published",
        "study_rebuilt_npv_musd",
    ]
    .into();
    // The record's own prices and charges, which the schema takes in US$ whatever the
    // record's currency (written back since 2026-12-02, issue 19; left out when no feature
    // gives them).
    let own: std::collections::BTreeSet<&str> = [
        "sale_price_usd_per_kg",
        "tolling_usd_per_kg",
        "plant_toll_usd_per_kg",
        "plant_toll_heavy_usd_per_kg",
        // A price floor the record gives (issue 18), US$/kg NdPr oxide.
        "floor_ndpr_usd_per_kg",
    ]
    .into();
    for f in features {
        let names: std::collections::BTreeSet<&str> = f["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| k.contains("usd"))
            .collect();
        let expected: std::collections::BTreeSet<&str> = usd
            .iter()
            .copied()
            .chain(own.iter().copied().filter(|k| names.contains(k)))
            .collect();
        assert_eq!(names, expected, "{}", f["properties"]["id"]);
    }
    // Nolans gives its capex and study NPV in A$ (2021): the record's figures under `_m`,
    // the US$ figures at the Federal Reserve's 2021 average, 0.7515 US$/A$.
    let nol = &features
        .iter()
        .find(|f| f["properties"]["id"] == "NOL")
        .unwrap()["properties"];
    assert_eq!(nol["currency"], "AUD");
    assert_eq!(nol["capex_m"], 1390.0);
    let model = nol["capex_musd_model"].as_f64().unwrap();
    // The model's capex is in US$ of the run's real year (2025): x CPI-U 321.943 / 270.970
    // (BLS annual averages, 2025 and 2021); the published NPV stays in 2021 US$.
    assert!(
        (model - 1390.0 * 0.7515 * 321.943 / 270.970).abs() < 1e-3,
        "{model}"
    );
    let (own, usd) = (
        nol["study_npv_m"].as_f64().unwrap(),
        nol["study_npv_musd_published"].as_f64().unwrap(),
    );
    // The layer rounds computed figures to 4 decimals (COLUMN_DECIMALS): half of 1e-4.
    assert!(
        (usd - own * 0.7515).abs() <= 5e-5 + 1e-9,
        "{own} A$m, {usd} US$m"
    );
}

#[test]
fn polygons_come_out_counter_clockwise_and_sequences_are_rfc_8142() {
    let dir = tempfile::tempdir().unwrap();
    // A clockwise tenement polygon in, with too many decimals.
    let input = dir.path().join("cw.geojson");
    std::fs::write(
        &input,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[122.5,-28.9],[122.5,-28.8000000049],[122.612345678,-28.8],[122.6,-28.9],[122.5,-28.9]]]},
        "properties":{"id":"T1","name":"Tenement","country":"AU","deposit_type":"carbonatite","stage":"pfs","reserve_mt":10,"grade_treo_pct":3}}]}"#,
    )
    .unwrap();
    let out = export(input.to_str().unwrap(), dir.path(), &[]);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let ring = doc["features"][0]["geometry"]["coordinates"][0]
        .as_array()
        .unwrap();
    let pts: Vec<(f64, f64)> = ring
        .iter()
        .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
        .collect();
    let area: f64 = pts
        .windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum();
    assert!(
        area > 0.0,
        "exterior ring must be counter-clockwise: {pts:?}"
    );
    assert!(
        doc["features"][0]["properties"]["site_area_km2"]
            .as_f64()
            .unwrap()
            > 100.0
    );

    let seq = cargo_bin_cmd!("prospect")
        .args([
            "export",
            "samples/projects.csv",
            "--format",
            "geojsonseq",
            "--draws",
            "0",
            "--as-of",
            "2026",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(seq).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 28);
    for l in lines {
        let body = l
            .strip_prefix('\u{1e}')
            .expect("each record starts with RS");
        let f: Value = serde_json::from_str(body).unwrap();
        assert_eq!(f["type"], "Feature");
    }
}

/// Needs GDAL's ogrinfo: build.rs marks the test ignored (with this reason) when ogrinfo is
/// not on PATH, except under CI, where a missing ogrinfo fails the test.
#[test]
#[cfg_attr(
    missing_ogrinfo,
    ignore = "needs GDAL's ogrinfo, not on PATH (apt-get install gdal-bin); under CI it fails instead"
)]
fn ogrinfo_reads_the_layer_as_qgis_would() {
    assert!(
        Command::new("ogrinfo").arg("--version").output().is_ok(),
        "GDAL's ogrinfo is not installed (apt-get install gdal-bin); CI must install it (.ci/run does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = export("samples/projects.geojson", dir.path(), &[]);
    let info = Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        info.status.success(),
        "{}",
        String::from_utf8_lossy(&info.stderr)
    );
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(text.contains("Layer name: sites"), "{text}");
    assert!(text.contains("Feature Count: 28"), "{text}");
    assert!(text.contains("Geometry: Point"), "{text}");
    assert!(text.contains("npv_musd: Real"), "{text}");
    assert!(text.contains("capex_m: Real"), "{text}");
    assert!(text.contains("capex_musd_model: Real"), "{text}");
    assert!(text.contains("first_production_date: Date"), "{text}");
    assert!(text.contains("chance_of_success: Real"), "{text}");
    // Every property that holds a number in some feature is numeric for GDAL, and no
    // property is null in every feature (GDAL would type it String): issue 20.
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let features = doc["features"].as_array().unwrap();
    let mut numeric = std::collections::BTreeSet::new();
    let mut seen = std::collections::BTreeSet::new();
    for f in features {
        for (k, v) in f["properties"].as_object().unwrap() {
            seen.insert(k.clone());
            if v.is_number() {
                numeric.insert(k.clone());
            }
        }
    }
    for k in &seen {
        assert!(
            features.iter().any(|f| !f["properties"][k].is_null()),
            "{k} is null in every feature"
        );
    }
    let field_type = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(|t| t.split_whitespace().next().unwrap_or("").to_owned())
    };
    for k in &numeric {
        let t = field_type(k).unwrap_or_else(|| panic!("{k} not in ogrinfo's fields"));
        assert!(
            ["Real", "Integer", "Integer64"].contains(&t.as_str()),
            "{k}: {t}"
        );
    }
    assert!(numeric.len() > 40, "{}", numeric.len());
}

#[test]
fn computed_figures_are_rounded_and_the_style_sets_up_the_temporal_controller() {
    let dir = tempfile::tempdir().unwrap();
    let out = export("samples/projects.geojson", dir.path(), &[]);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let mut checked = 0;
    for f in doc["features"].as_array().unwrap() {
        for k in [
            "npv_musd",
            "risked_npv_musd",
            "chance_of_success",
            "nearest_port_km",
            "score",
        ] {
            if let Some(v) = f["properties"][k].as_f64() {
                // At most four decimals (prospect::output::geojson::COLUMN_DECIMALS).
                assert!(((v * 1e4).round() - v * 1e4).abs() < 1e-6, "{k} {v}");
                checked += 1;
            }
        }
    }
    assert!(checked > 80, "{checked}");
    let qml = std::fs::read_to_string(out.with_extension("qml")).unwrap();
    assert!(qml.contains("styleCategories=\"Symbology|Labeling|Temporal\""));
    assert!(
        qml.contains("<temporal enabled=\"1\" mode=\"1\" startField=\"first_production_date\"")
    );
}
