//! What an assumptions file changes: the draws' grade and tonnage floors (issue 24), and
//! `check --assumptions`, which checks the records against the file they will be valued
//! with and lists the file's own problems.

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use serde_json::Value;

const DRAWS: usize = 400;

/// Per valued project, the share of its draws whose NPV equals the deterministic NPV,
/// with every driver but `driver` fixed and the assumptions file `toml` (none if empty).
fn share_at_base(driver: &str, toml: &str) -> Vec<(String, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let draws = dir.path().join("draws.csv");
    let mut cmd = cargo_bin_cmd!("prospect");
    cmd.args(["appraise", "samples/projects.csv", "--format", "json"])
        .args(["--draws", &DRAWS.to_string(), "--seed", "24"])
        .args(["--as-of", "2026", "--quiet", "--keep-draws"])
        .arg(&draws);
    for d in prospect::model::simulate::DRIVERS {
        if d != driver {
            cmd.args(["--fix", d]);
        }
    }
    if !toml.is_empty() {
        let file = dir.path().join("floors.toml");
        std::fs::write(&file, toml).unwrap();
        cmd.arg("--assumptions").arg(&file);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut rows = csv::Reader::from_path(&draws).unwrap();
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    report["projects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["simulation"].is_null())
        .map(|p| {
            let id = p["id"].as_str().unwrap();
            let base = p["npv_musd"]["base"].as_f64().unwrap();
            let mine: Vec<f64> = rows
                .iter()
                .filter(|r| &r[0] == id)
                .map(|r| r[2].parse().unwrap())
                .collect();
            assert_eq!(mine.len(), DRAWS, "{id}");
            let at = mine
                .iter()
                .filter(|v| (*v - base).abs() <= 1e-5 * (1.0 + base.abs()))
                .count();
            (id.to_owned(), at as f64 / DRAWS as f64)
        })
        .collect()
}

/// A floor of 1 puts every draw below the record's figure (half of them: the factor is
/// 1 + cv z, z standard normal) at the record's figure, so about half of each project's
/// draws give exactly the deterministic NPV; with the default floor (0.05) a factor is
/// exactly 1 with probability zero. 0.4 is four standard errors (0.025 at 400 draws)
/// below one half; 0.1 leaves room for projects whose NPV the driver does not move.
fn a_floor_of_one_from_a_file_holds_half_the_draws_at_the_base(driver: &str, key: &str) {
    let floored = share_at_base(driver, &format!("[uncertainty.rules]\n{key} = 1.0\n"));
    assert!(!floored.is_empty());
    for (id, share) in &floored {
        assert!(
            *share >= 0.4,
            "{driver}, {key} = 1: {id} has {share} of its draws at the base"
        );
    }
    let default = share_at_base(driver, "");
    let moved: Vec<&(String, f64)> = default.iter().filter(|(_, s)| *s < 0.1).collect();
    assert!(
        !moved.is_empty(),
        "with the default floor, some project's {driver} draws should move its NPV: {default:?}"
    );
}

#[test]
fn the_grade_floor_of_an_assumptions_file_is_used() {
    a_floor_of_one_from_a_file_holds_half_the_draws_at_the_base("grade", "grade_factor_floor");
}

#[test]
fn the_tonnage_floor_of_an_assumptions_file_is_used() {
    a_floor_of_one_from_a_file_holds_half_the_draws_at_the_base("tonnage", "tonnage_factor_floor");
}

// ---- check --assumptions ----

/// One carbonatite record at 1 % TREO that names a distribution, a currency and a study
/// currency the default assumptions do not hold.
const RECORD: &str = "id,name,country,lon,lat,deposit_type,grade_treo_pct,resource_mt,stage,distribution,currency,study_currency\n\
     XX1,Test carbonatite,NO,8.5,59.2,carbonatite,1.0,50,pfs,test_blend,CHF,ISK\n";

/// What a user adds so that the record can be valued: the distribution, CHF and ISK
/// rates, and a usual carbonatite range whose tenth (2 %) lies above the record's 1 %.
const FILE: &str = r#"
[distributions.test_blend]
source = "test"
oxide_shares = { la = 25.0, ce = 45.0, pr = 5.0, nd = 18.0, sm = 2.0, eu = 0.5, gd = 1.5, tb = 0.2, dy = 1.0, ho = 0.2, er = 0.5, tm = 0.1, yb = 0.4, lu = 0.1, y = 0.5 }

[fx.rates.CHF]
2025 = 0.83

[fx.rates.ISK]
2025 = 130.0

[validation.typical_grade_pct]
carbonatite = [20.0, 30.0]
"#;

fn check(dir: &Path, assumptions: Option<&str>) -> (Option<i32>, String, String) {
    let records = dir.join("records.csv");
    std::fs::write(&records, RECORD).unwrap();
    let mut cmd = cargo_bin_cmd!("prospect");
    cmd.arg("check").arg(&records);
    if let Some(text) = assumptions {
        let file = dir.join("mine.toml");
        std::fs::write(&file, text).unwrap();
        cmd.arg("--assumptions").arg(&file);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn check_names_what_the_default_assumptions_lack() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = check(dir.path(), None);
    assert_eq!(code, Some(0), "warnings only: {out}");
    for (field, words) in [
        (
            "distribution",
            "distribution \"test_blend\" is not in the assumptions' library",
        ),
        (
            "currency",
            "currency CHF is not in the assumptions' FX table",
        ),
        (
            "study_currency",
            "currency ISK is not in the assumptions' FX table",
        ),
    ] {
        let line = format!("warning: record \"XX1\", field \"{field}\": {words}");
        assert!(out.contains(&line), "{line:?} not in\n{out}");
    }
    // 1 % is inside the default carbonatite range (0.2-20 %): no grade warning.
    assert!(!out.contains("grade_treo_pct"), "{out}");
}

#[test]
fn check_uses_the_assumptions_file_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = check(dir.path(), Some(FILE));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!out.contains("distribution"), "{out}");
    assert!(!out.contains("FX table"), "{out}");
    let grade = "warning: record \"XX1\", field \"grade_treo_pct\": 1 % TREO is far below the usual 20-30 % for carbonatite";
    assert!(out.contains(grade), "{grade:?} not in\n{out}");
    assert!(
        err.contains("1 record(s): 0 error(s), 1 warning(s)"),
        "{err}"
    );
}

#[test]
fn check_lists_a_broken_assumptions_file_with_the_records_problems() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = check(dir.path(), Some("[uncertainty.rules\n"));
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("mine.toml: error: "), "{out}");
    assert!(out.contains("is not valid TOML"), "{out}");
    // The records are still checked, against the defaults.
    assert!(
        out.contains("distribution \"test_blend\" is not in the assumptions' library"),
        "{out}"
    );
    assert!(err.contains("1 error(s), 3 warning(s)"), "{err}");
}

#[test]
fn check_help_offers_assumptions() {
    cargo_bin_cmd!("prospect")
        .args(["check", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--assumptions <FILE>"));
}
