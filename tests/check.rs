//! `prospect check` on the samples and on one fixture per class of bad input: the exit
//! code, and a message naming the file, the record and the field.

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

const FIXTURES: &str = "tests/fixtures/check";

fn check(file: &str) -> assert_cmd::assert::Assert {
    cargo_bin_cmd!("prospect")
        .arg("check")
        .arg(Path::new(FIXTURES).join(file))
        .assert()
}

/// Asserts exit code 1 and one line naming `file`, the place, the record and the field.
fn fails_with(file: &str, place: &str, record: &str, field: &str, words: &str) {
    let line = format!("{FIXTURES}/{file}{place}: error: record \"{record}\", field \"{field}\": ");
    check(file)
        .code(1)
        .stdout(predicate::str::contains(line).and(predicate::str::contains(words)));
}

#[test]
fn every_sample_file_is_clean() {
    for sample in ["samples/projects.csv", "samples/projects.geojson"] {
        cargo_bin_cmd!("prospect")
            .args(["check", sample])
            .assert()
            .code(0)
            .stdout("")
            .stderr(predicate::str::contains(
                "28 record(s): 0 error(s), 0 warning(s)",
            ));
    }
}

#[test]
fn missing_required_field() {
    fails_with(
        "missing_name.csv",
        ":3",
        "A2",
        "name",
        "required field name is missing",
    );
}

#[test]
fn wrong_types_in_geojson() {
    fails_with(
        "wrong_types.geojson",
        ": feature 0",
        "A1",
        "grade_treo_pct",
        "without quotes",
    );
    fails_with(
        "wrong_types.geojson",
        ": feature 0",
        "A1",
        "capex_musd",
        "found a boolean",
    );
    fails_with(
        "wrong_types.geojson",
        ": feature 0",
        "A1",
        "owners",
        "expected a list",
    );
    fails_with(
        "wrong_types.geojson",
        ": feature 1",
        "A2",
        "geometry",
        "LineString is not a site geometry",
    );
    fails_with(
        "wrong_types.geojson",
        ": feature 2",
        "A3",
        "geometry",
        "required field geometry is missing",
    );
    fails_with(
        "wrong_types.geojson",
        ": feature 2",
        "A3",
        "country",
        "no host country",
    );
}

#[test]
fn coordinates_out_of_range_with_hints() {
    fails_with("coordinates.csv", ":2", "A1", "lat", "outside WGS84");
    fails_with(
        "coordinates.csv",
        ":3",
        "A2",
        "lat",
        "projected easting/northing",
    );
    fails_with("coordinates.csv", ":4", "A3", "lat", "look swapped");
}

#[cfg(not(feature = "proj"))]
#[test]
fn projected_crs_member_is_refused_without_proj() {
    check("projected_crs.geojson").code(1).stdout(
        predicate::str::contains("EPSG::28350").and(predicate::str::contains("--features proj")),
    );
}

#[test]
fn negative_and_non_finite_numbers() {
    fails_with(
        "negative.csv",
        ":2",
        "A1",
        "grade_treo_pct",
        "-2.5 is negative",
    );
    fails_with(
        "nan.csv",
        ":2",
        "A1",
        "grade_treo_pct",
        "NaN is not a finite number",
    );
    fails_with(
        "nan.csv",
        ":3",
        "A2",
        "grade_treo_pct",
        "inf is not a finite number",
    );
}

#[test]
fn grade_over_100_percent_suggests_ppm() {
    fails_with(
        "grade_ppm_in_pct.csv",
        ":2",
        "A1",
        "grade_treo_pct",
        "grade_treo_ppm (850 ppm = 0.085 %)",
    );
}

#[test]
fn oxide_shares_must_sum_to_about_100() {
    fails_with(
        "oxide_shares.csv",
        ":2",
        "A1",
        "la_share_pct",
        "sum to 91.0 %",
    );
}

#[test]
fn duplicate_ids_point_at_the_first_use() {
    fails_with(
        "duplicate_ids.csv",
        ":4",
        "A1",
        "id",
        "first used at tests/fixtures/check/duplicate_ids.csv line 2",
    );
}

#[test]
fn unknown_vocabulary_suggests_the_nearest() {
    fails_with(
        "unknown_enum.csv",
        ":2",
        "A1",
        "deposit_type",
        "did you mean \"carbonatite\"",
    );
    // A bad value is reported once, not also as missing.
    check("unknown_enum.csv").stdout(predicate::str::contains("required field").not());
}

#[test]
fn contradictory_study_figures() {
    fails_with(
        "contradictory_study.csv",
        ":2",
        "A1",
        "study_irr_pct",
        "contradicts the IRR",
    );
    fails_with(
        "contradictory_study.csv",
        ":2",
        "A1",
        "annual_ndpr_t",
        "more than the 2000 t/y TREO",
    );
    check("contradictory_study.csv").stdout(predicate::str::contains(
        "warning: record \"A1\", field \"inferred_mt\"",
    ));
}

#[test]
fn ragged_rows_and_bad_bytes() {
    check("ragged.csv").code(1).stdout(predicate::str::contains(
        "ragged.csv:2: error: record \"A1\": the row has 9 fields but the header has 8",
    ));
    fails_with("invalid_utf8.csv", ":2", "A1", "name", "not valid UTF-8");
}

#[test]
fn empty_truncated_and_wrong_shaped_files() {
    check("empty.csv").code(1).stdout(predicate::str::contains(
        "empty.csv: error: the file is empty",
    ));
    check("truncated.geojson")
        .code(1)
        .stdout(predicate::str::contains(
            "truncated.geojson: feature 1: error: the JSON ends too early",
        ));
    check("not_a_collection.geojson")
        .code(1)
        .stdout(predicate::str::contains(
            "expected a GeoJSON FeatureCollection",
        ));
}

#[test]
fn bom_crlf_and_members_before_features_are_read() {
    check("bom_crlf.csv").code(0).stdout("");
    check("clean_polygon.geojson").code(0).stdout("");
}

#[test]
fn every_problem_of_every_file_at_once() {
    let out = cargo_bin_cmd!("prospect")
        .args(["check", "--format", "json"])
        .arg(Path::new(FIXTURES).join("coordinates.csv"))
        .arg(Path::new(FIXTURES).join("wrong_types.geojson"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value =
        serde_json::from_slice(&out).expect("check --format json prints JSON");
    // 3 in coordinates.csv, 6 in wrong_types.geojson, 3 ids used in both.
    assert_eq!(report["errors"], 12);
    assert_eq!(report["records"], 6);
    let first = &report["diagnostics"][0];
    assert_eq!(first["file"], "tests/fixtures/check/coordinates.csv");
    assert_eq!(
        first["location"],
        serde_json::json!({"kind": "line", "index": 2})
    );
    assert_eq!(first["record_id"], "A1");
    assert_eq!(first["field"], "lat");
    assert_eq!(first["severity"], "error");
}

#[test]
fn unreadable_file_is_exit_2_and_usage_errors_too() {
    cargo_bin_cmd!("prospect")
        .args(["check", "no/such/file.csv"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "no/such/file.csv: error: cannot read the file",
        ));
    cargo_bin_cmd!("prospect").args(["check"]).assert().code(2);
    cargo_bin_cmd!("prospect")
        .args(["check", "--format", "xml", "x.csv"])
        .assert()
        .code(2);
}

#[test]
fn a_50_mb_line_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.csv");
    let mut text = String::from("id,name,country,lon,lat,deposit_type,stage,note\n");
    text.push_str("A1,Alpha,AU,122.5,-28.8,carbonatite,pfs,");
    text.push_str(&"x".repeat(50 << 20));
    text.push('\n');
    std::fs::write(&path, text).unwrap();
    cargo_bin_cmd!("prospect")
        .arg("check")
        .arg(&path)
        .assert()
        .code(0);
}

#[test]
fn csv_and_geojson_samples_read_to_the_same_records() {
    let csv = prospect::read::read_all(&["samples/projects.csv".into()]).unwrap();
    let geojson = prospect::read::read_all(&["samples/projects.geojson".into()]).unwrap();
    assert_eq!(csv.records.len(), geojson.records.len());
    for (a, b) in csv.records.iter().zip(&geojson.records) {
        let strip = |r: &prospect::ProjectRecord| prospect::ProjectRecord {
            location: prospect::read::record::Location::File,
            ..r.clone()
        };
        assert_eq!(strip(a), strip(b), "record {}", a.id);
    }
}
