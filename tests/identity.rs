//! Issue 19, class 14 (the rest): ids are text whatever JSON type they are written as, a
//! WKT cell holds one geometry and nothing after it, and a mine life is above zero.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

const DIR: &str = "tests/fixtures/identity";

fn check(file: &str) -> (i32, String) {
    let out = cargo_bin_cmd!("prospect")
        .args(["check", &format!("{DIR}/{file}")])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn numeric_geojson_ids_keep_every_digit() {
    let out = cargo_bin_cmd!("prospect")
        .args([
            "appraise",
            &format!("{DIR}/numeric_ids.geojson"),
            "--draws",
            "0",
        ])
        .args(["--format", "json", "--quiet"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ids: Vec<&str> = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    // As written in the file: "1.10" is not "1.1" (so the two are not one duplicate id),
    // twenty nines are not 1e+20, and -0 stays -0.
    assert_eq!(ids, ["-0", "1.1", "1.10", "99999999999999999999"]);
    let (code, text) = check("numeric_ids.geojson");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("4 record(s): 0 error(s), 0 warning(s)"),
        "{text}"
    );
}

#[test]
fn the_same_numeric_id_written_twice_is_still_one_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("twice.geojson");
    let feature = |id: &str, lon: f64| {
        format!(
            r#"{{"type": "Feature", "id": {id}, "geometry": {{"type": "Point", "coordinates": [{lon}, -28.8]}}, "properties": {{"name": "N", "country": "AU", "deposit_type": "carbonatite", "stage": "pfs", "reserve_mt": 10, "grade_treo_pct": 3}}}}"#
        )
    };
    std::fs::write(
        &path,
        format!(
            r#"{{"type": "FeatureCollection", "features": [{}, {}]}}"#,
            feature("12345678901234567890123", 122.5),
            feature("\"12345678901234567890123\"", 122.6)
        ),
    )
    .unwrap();
    let out = cargo_bin_cmd!("prospect")
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("12345678901234567890123"), "{text}");
    assert!(text.to_lowercase().contains("duplicate"), "{text}");
}

#[test]
fn wkt_with_anything_after_the_geometry_is_refused() {
    let (code, text) = check("wkt_trailing.csv");
    assert_eq!(code, 1, "{text}");
    for (id, rest) in [
        ("W1", "\"and more\""),
        ("W2", "\"(1 2)\""),
        ("W3", "\")\""),
        ("W4", "\"x\""),
    ] {
        assert!(
            text.lines().any(|l| l.contains(&format!("record \"{id}\""))
                && l.contains("field \"geometry\"")
                && l.contains(&format!("{rest} follows the geometry"))),
            "{id}: {text}"
        );
    }
    // Spaces around a whole geometry are not garbage.
    assert!(!text.contains("\"W5\""), "{text}");
    assert!(text.contains("5 record(s): 4 error(s)"), "{text}");
}

#[test]
fn a_mine_life_of_zero_years_is_refused() {
    let (code, text) = check("mine_life.csv");
    assert_eq!(code, 1, "{text}");
    for (line, id) in [(2, "L0"), (3, "L1")] {
        assert!(
            text.contains(&format!(
                "mine_life.csv:{line}: error: record \"{id}\", field \"mine_life_y\": a mine life of 0 years"
            )),
            "{text}"
        );
    }
    // Half a year is short but a life.
    assert!(!text.contains("\"L2\""), "{text}");
}
