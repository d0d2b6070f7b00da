//! Unix habits and refusals of what cannot be meant (issue 20): `-` for standard input and
//! output, a closed pipe ends quietly with exit 0, a discount rate below 1 is asked about,
//! filters and ids that match nothing get a hint, near-miss column names get a "did you
//! mean", and the appraisal table shows the simulation's spread.

use std::io::Read;
use std::process::{Command, Stdio};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

const SAMPLE: &str = "samples/projects.geojson";
const BIN: &str = env!("CARGO_BIN_EXE_prospect");

/// Runs prospect with `args`, reads `keep` bytes of its standard output and closes the
/// pipe; gives the exit code and standard error.
fn close_early(args: &[&str], keep: usize) -> (Option<i32>, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut buf = vec![0u8; keep];
    out.read_exact(&mut buf).unwrap();
    drop(out);
    let done = child.wait_with_output().unwrap();
    (
        done.status.code(),
        String::from_utf8_lossy(&done.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0_on_every_output_path() {
    let dir = tempfile::tempdir().unwrap();
    let many = dir.path().join("many.csv");
    cargo_bin_cmd!("prospect")
        .args(["synth", "--count", "3000", "--seed", "3", "--output"])
        .arg(&many)
        .assert()
        .success();
    let many = many.to_str().unwrap();
    // Each writes far more than a pipe holds (64 KiB), so the write after the reader has
    // gone fails with EPIPE.
    for args in [
        vec!["synth", "--count", "200000"],
        vec![
            "appraise",
            many,
            "--draws",
            "0",
            "-q",
            "--format",
            "csv",
            "--nearest-plant",
        ],
        vec![
            "appraise",
            many,
            "--draws",
            "0",
            "-q",
            "--format",
            "json",
            "--nearest-plant",
        ],
        vec!["appraise", many, "--draws", "0", "-q", "--nearest-plant"],
        vec!["check", many, "--format", "json"],
    ] {
        let (code, stderr) = close_early(&args, 16);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("Broken pipe") && !stderr.contains("error"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_dash_reads_standard_input_and_writes_standard_output() {
    let sample = std::fs::read(SAMPLE).unwrap();
    let from_file = cargo_bin_cmd!("prospect")
        .args(["appraise", SAMPLE, "--draws", "0", "-q", "--format", "csv"])
        .output()
        .unwrap();
    assert!(from_file.status.success());
    // The appraisal reads its input twice (the plant allocation, then the valuation):
    // standard input gives the same bytes both times.
    let from_stdin = cargo_bin_cmd!("prospect")
        .args(["appraise", "-", "--draws", "0", "-q", "--format", "csv"])
        .args(["--output", "-"])
        .write_stdin(sample.clone())
        .output()
        .unwrap();
    assert!(
        from_stdin.status.success(),
        "{}",
        String::from_utf8_lossy(&from_stdin.stderr)
    );
    assert_eq!(from_stdin.stdout, from_file.stdout);
    // No file named "-" is written.
    assert!(!std::path::Path::new("-").exists());
    // check names standard input in its messages.
    cargo_bin_cmd!("prospect")
        .args(["check", "-"])
        .write_stdin("id,name\nA,\"x\n")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("(standard input)"));
    // Two outputs cannot share standard output.
    cargo_bin_cmd!("prospect")
        .args(["appraise", SAMPLE, "--draws", "10", "-q", "-o", "-"])
        .args(["--cashflows", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("both name standard output"));
    // Synth and report write to standard output with `-`.
    let synth = cargo_bin_cmd!("prospect")
        .args(["synth", "--count", "3", "-o", "-"])
        .output()
        .unwrap();
    assert!(synth.status.success());
    assert_eq!(String::from_utf8_lossy(&synth.stdout).lines().count(), 4);
}

#[test]
fn a_discount_rate_below_one_asks_whether_a_fraction_was_meant() {
    cargo_bin_cmd!("prospect")
        .args([
            "appraise",
            SAMPLE,
            "--draws",
            "0",
            "--discount-rate",
            "0.08",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "if the fraction 0.08 is meant, write 8",
        ));
    // With a % sign a small rate is taken as written, and a negative rate needs no `--`.
    let npv = |rate: &str| -> f64 {
        let out = cargo_bin_cmd!("prospect")
            .args(["appraise", SAMPLE, "--draws", "0", "-q", "--format", "json"])
            .args(["--discount-rate", rate])
            .output()
            .unwrap();
        assert!(out.status.success(), "{rate}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            doc["assumptions"]["discount_rate_pct"].as_f64(),
            Some(rate.trim_end_matches('%').parse::<f64>().unwrap())
        );
        doc["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == "NOL")
            .unwrap()["npv_musd"]["base"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(npv("8"), npv("8%"));
    assert!(npv("0.5%") > npv("8"));
    assert!(npv("-1") > npv("0.5%"));
}

#[test]
fn filters_that_cannot_match_are_refused_or_explained() {
    cargo_bin_cmd!("prospect")
        .args(["rank", SAMPLE, "--draws", "0", "--regime", "offshore"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("eez").and(predicate::str::contains("area")));
    cargo_bin_cmd!("prospect")
        .args(["rank", SAMPLE, "--draws", "0", "--commodity", "rare_erths"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"rare_earths\""));
    cargo_bin_cmd!("prospect")
        .args(["rank", SAMPLE, "--draws", "0", "-q", "--country", "ZZ"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no project passes the filters"))
        .stderr(predicate::str::contains("AU"));
    // An alias of a regime is its canonical value.
    cargo_bin_cmd!("prospect")
        .args(["rank", SAMPLE, "--draws", "0", "-q", "--regime", "isa"])
        .assert()
        .success()
        .stdout(predicate::str::contains("NORID"));
}

#[test]
fn sensitivity_writes_csv_to_a_file_and_suggests_the_nearest_id() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tornado.csv");
    cargo_bin_cmd!("prospect")
        .args([
            "sensitivity",
            SAMPLE,
            "--project",
            "NOL",
            "--draws",
            "200",
            "-q",
        ])
        .args(["--format", "csv", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rows.headers().unwrap().iter().collect::<Vec<_>>(),
        prospect::output::appraisal::TORNADO_COLUMNS
    );
    let swings: Vec<f64> = rows
        .records()
        .map(|r| r.unwrap()[4].parse().unwrap())
        .collect();
    assert!(swings.len() >= 5);
    // Largest swing first, as the table.
    assert!(swings.windows(2).all(|w| w[0] >= w[1]));
    cargo_bin_cmd!("prospect")
        .args(["sensitivity", SAMPLE, "--project", "nol", "--draws", "50"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"NOL\""));
}

#[test]
fn a_misspelt_column_or_property_gets_a_did_you_mean_in_check_and_appraise() {
    let dir = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string("samples/projects.csv").unwrap();
    let (head, rest) = csv.split_once('\n').unwrap();
    assert!(head.split(',').any(|c| c == "capex_musd"));
    let path = dir.path().join("typo.csv");
    std::fs::write(
        &path,
        format!("{}\n{rest}", head.replace("capex_musd", "capex_usd")),
    )
    .unwrap();
    cargo_bin_cmd!("prospect")
        .arg("check")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "column \"capex_usd\" is not a schema field",
        ))
        .stdout(predicate::str::contains("did you mean \"capex_musd\""));
    cargo_bin_cmd!("prospect")
        .args(["appraise", "--draws", "0", "-q"])
        .arg(&path)
        .assert()
        .success()
        .stderr(predicate::str::contains("did you mean \"capex_musd\""));
    let geo = std::fs::read_to_string(SAMPLE)
        .unwrap()
        .replace("\"mine_life_y\"", "\"mine_lfie_y\"");
    let path = dir.path().join("typo.geojson");
    std::fs::write(&path, geo).unwrap();
    cargo_bin_cmd!("prospect")
        .arg("check")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("did you mean \"mine_life_y\""));
    // The samples' own extra columns (ref, coord_basis) are far from every field: no warning.
    cargo_bin_cmd!("prospect")
        .args(["check", "samples/projects.csv", SAMPLE])
        .assert()
        .stdout(predicate::str::contains("did you mean").not());
}

#[test]
fn the_table_and_csv_show_the_simulations_spread() {
    let table = |draws: &str| {
        let out = cargo_bin_cmd!("prospect")
            .args([
                "appraise", SAMPLE, "--as-of", "2026", "-q", "--draws", draws,
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let (none, some) = (table("0"), table("300"));
    assert_ne!(none, some, "draws must show in the table");
    let header = some.lines().next().unwrap();
    for col in ["P10", "P50", "P90", "P(NPV>0)", "P10-P90"] {
        assert!(header.contains(col), "{col}");
    }
    assert!(none.contains("No draws (--draws 0)"));
    // The CSV's percentiles are the JSON's.
    let run = |format: &str| {
        cargo_bin_cmd!("prospect")
            .args([
                "appraise", SAMPLE, "--as-of", "2026", "-q", "--draws", "300",
            ])
            .args(["--format", format])
            .output()
            .unwrap()
            .stdout
    };
    let json: serde_json::Value = serde_json::from_slice(&run("json")).unwrap();
    let csv_bytes = run("csv");
    let mut rows = csv::Reader::from_reader(csv_bytes.as_slice());
    let h = rows.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let mut checked = 0;
    for r in rows.records() {
        let r = r.unwrap();
        let p = json["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == r[0])
            .unwrap();
        let Some(p10) = p["npv_musd"]["p10"].as_f64() else {
            assert_eq!(&r[col("npv_p10_musd")], "");
            continue;
        };
        let cell = |n: &str| r[col(n)].parse::<f64>().unwrap();
        assert!((cell("npv_p10_musd") - p10).abs() < 1e-3);
        assert!((cell("npv_p90_musd") - p["npv_musd"]["p90"].as_f64().unwrap()).abs() < 1e-3);
        assert!(
            (cell("prob_npv_positive") - p["prob_npv_positive"].as_f64().unwrap()).abs() < 1e-4
        );
        checked += 1;
    }
    assert!(checked > 20);
}

#[test]
fn footers_use_display_names() {
    let out = cargo_bin_cmd!("prospect")
        .args(["appraise", SAMPLE, "--draws", "0", "-q"])
        .args(["--discounting", "mid-year"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("(mid-year discounting)"), "{text}");
    assert!(!text.contains("MidYear") && !text.contains("EndOfYear"));
}

#[test]
fn a_negative_value_gets_its_own_message_not_clap_s_double_dash_tip() {
    for (args, says) in [
        (
            vec!["appraise", SAMPLE, "--draws", "0", "--as-of", "-5"],
            "not a year prospect can value from",
        ),
        (
            vec!["rank", SAMPLE, "--draws", "0", "--max-years", "-1"],
            "a number of years, 0 or more",
        ),
        (vec!["appraise", SAMPLE, "--draws", "-5"], "--draws"),
    ] {
        cargo_bin_cmd!("prospect")
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says))
            .stderr(predicate::str::contains("-- -").not());
    }
}

#[test]
fn check_quiet_prints_the_problems_without_the_summary() {
    cargo_bin_cmd!("prospect")
        .args(["check", "-q", SAMPLE])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    cargo_bin_cmd!("prospect")
        .args(["check", SAMPLE])
        .assert()
        .success()
        .stderr(predicate::str::contains("checked 1 file(s)"));
}
