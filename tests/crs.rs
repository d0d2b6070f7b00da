//! Inputs in other coordinate systems: reprojected on read with the `proj` feature,
//! refused with a clear message without it, and never mistaken for degrees.

use assert_cmd::cargo::cargo_bin_cmd;
#[cfg(not(feature = "proj"))]
use predicates::prelude::*;

#[cfg(not(feature = "proj"))]
#[test]
fn without_proj_a_crs_names_the_feature_and_metres_get_a_hint() {
    cargo_bin_cmd!("prospect")
        .args([
            "check",
            "samples/crs/yangibana_mga50.csv",
            "--crs",
            "EPSG:28350",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--features proj"));
    cargo_bin_cmd!("prospect")
        .args(["check", "samples/crs/yangibana_mga50.csv"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("projected easting/northing"));
    // WGS84 needs no feature.
    cargo_bin_cmd!("prospect")
        .args([
            "check",
            "samples/crs/yangibana_wgs84.csv",
            "--crs",
            "EPSG:4326",
        ])
        .assert()
        .code(0);
}

#[cfg(feature = "proj")]
fn appraise(file: &str, extra: &[&str]) -> serde_json::Value {
    let out = cargo_bin_cmd!("prospect")
        .args([
            "appraise", file, "--format", "json", "--as-of", "2026", "--draws", "200", "--quiet",
        ])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[cfg(feature = "proj")]
#[test]
fn a_projected_twin_appraises_like_its_wgs84_original() {
    let twin = appraise("samples/crs/yangibana_mga50.csv", &["--crs", "EPSG:28350"]);
    let original = appraise("samples/crs/yangibana_wgs84.csv", &[]);
    let (a, b) = (&twin["projects"][0], &original["projects"][0]);
    for key in ["base", "p10", "p50", "p90"] {
        let (x, y) = (
            a["npv_musd"][key].as_f64().unwrap(),
            b["npv_musd"][key].as_f64().unwrap(),
        );
        assert!((x - y).abs() <= 1e-6 * (1.0 + y.abs()), "{key}: {x} vs {y}");
    }
    let d = |p: &serde_json::Value| {
        p["nearest_separation_plant"]["distance_km"]
            .as_f64()
            .unwrap()
    };
    assert!((d(a) - d(b)).abs() < 1e-3);
    assert_eq!(
        a["nearest_separation_plant"]["name"],
        b["nearest_separation_plant"]["name"]
    );
}

#[cfg(feature = "proj")]
#[test]
fn a_legacy_crs_member_is_applied_on_read() {
    cargo_bin_cmd!("prospect")
        .args(["check", "tests/fixtures/check/projected_crs.geojson"])
        .assert()
        .code(0);
}
