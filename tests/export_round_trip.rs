//! Issue 19: `export` writes back every field of a record, so that exporting the samples
//! and appraising the layer gives every project the NPV its record gives.

use std::collections::BTreeMap;
use std::path::PathBuf;

use assert_cmd::cargo::cargo_bin_cmd;
use prospect::read::schema::FIELDS;
use serde_json::Value;

/// The input forms that the exported layer carries another way: the geometry member holds
/// lon/lat/WKT, grade_treo_pct holds grade_treo_ppm, and the `_m` names hold money that
/// the schema names `musd` (the alias table maps each back).
fn carried_otherwise(name: &str) -> bool {
    matches!(name, "lon" | "lat" | "geometry" | "grade_treo_ppm")
        || name.contains("musd")
        || name.starts_with("opex_usd_per")
}

#[test]
fn every_schema_field_is_written_back() {
    let data = prospect::read::read_all(&[PathBuf::from("samples/projects.csv")]).unwrap();
    let props = prospect::output::geojson::record_properties(&data.records[0]);
    let missing: Vec<&str> = FIELDS
        .iter()
        .map(|f| f.name)
        .filter(|n| !carried_otherwise(n) && !props.contains_key(*n))
        .collect();
    assert!(missing.is_empty(), "export leaves out {missing:?}");
    // The money fields written under `_m` names are read back as the same field.
    for (alias, schema) in [
        ("capex_m", "capex_musd"),
        ("capex_spent_m", "capex_spent_musd"),
        ("capex_remaining_m", "capex_remaining_musd"),
        ("sustaining_capex_m_per_y", "sustaining_capex_musd_per_y"),
        ("opex_m_per_y", "opex_musd_per_y"),
        ("study_npv_m", "study_npv_musd"),
    ] {
        assert!(props.contains_key(alias), "{alias}");
        assert_eq!(
            prospect::read::schema::Field::lookup(alias),
            prospect::read::schema::Field::lookup(schema),
            "{alias}"
        );
    }
}

/// Each record as JSON without where it was read and its unknown properties.
fn records(path: &std::path::Path) -> BTreeMap<String, Value> {
    let data = prospect::read::read_all(&[path.to_path_buf()]).unwrap();
    assert!(!data.has_errors(), "{:?}", data.diagnostics);
    data.records
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap();
            v.as_object_mut().unwrap().remove("extra");
            v.as_object_mut().unwrap().remove("geometry");
            (r.id.clone(), v)
        })
        .collect()
}

fn export(dir: &std::path::Path) -> PathBuf {
    let out = dir.join("exported.geojson");
    cargo_bin_cmd!("prospect")
        .args(["export", "samples/projects.csv", "--quiet", "-o"])
        .arg(&out)
        .assert()
        .success();
    out
}

#[test]
fn the_exported_layer_reads_back_as_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let out = export(dir.path());
    let (before, after) = (
        records(std::path::Path::new("samples/projects.csv")),
        records(&out),
    );
    assert_eq!(before.len(), after.len());
    for (id, x) in &before {
        let y = &after[id];
        for (k, v) in x.as_object().unwrap() {
            assert_eq!(Some(v), y.get(k), "{id}.{k}");
        }
    }
}

fn npvs(args: &[&str]) -> BTreeMap<String, (Value, Value)> {
    let out = cargo_bin_cmd!("prospect")
        .args(["appraise", "--draws", "0", "--format", "json", "--quiet"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                (p["valued"].clone(), p["npv_musd"]["base"].clone()),
            )
        })
        .collect()
}

#[test]
fn an_export_then_appraise_round_trip_keeps_every_samples_npv() {
    let dir = tempfile::tempdir().unwrap();
    let out = export(dir.path());
    let before = npvs(&["samples/projects.csv"]);
    let after = npvs(&[out.to_str().unwrap()]);
    assert_eq!(before.len(), after.len());
    // Tolerance fixed before looking: the layer's coordinates are rounded to 7 decimals
    // (about 1 cm), which moves a site's freight distance by far less than a metre.
    for (id, (valued, npv)) in &before {
        let (valued2, npv2) = &after[id];
        assert_eq!(valued, valued2, "{id}");
        match (npv.as_f64(), npv2.as_f64()) {
            (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-6, "{id}: {a} -> {b}"),
            (a, b) => assert_eq!(a, b, "{id}"),
        }
    }
}
