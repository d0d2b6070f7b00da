//! `-` for the remaining path flags (issue 20): `--assumptions -`, `rank --weights -` and
//! the context layers (`--ports -` ...) read standard input, with the same result as the
//! same bytes given as a file; two inputs cannot both be standard input. Also: a
//! misspelt GeoJSON property is warned about once per file, not once per feature.

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

const CSV: &str = "samples/projects.csv";
const GEOJSON: &str = "samples/projects.geojson";

/// Standard output of a successful run, with `stdin` on standard input.
fn run(args: &[&str], stdin: &str) -> Vec<u8> {
    let out = cargo_bin_cmd!("prospect")
        .args(args)
        .args(["--as-of", "2026", "-q", "--draws", "0"])
        .write_stdin(stdin)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn assumptions_from_standard_input_are_the_file_s() {
    let toml = "[valuation]\ndiscount_rate_pct = 10.0\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("over.toml");
    std::fs::write(&path, toml).unwrap();
    let file = path.to_str().unwrap();
    let from_stdin = run(
        &["appraise", CSV, "--format", "csv", "--assumptions", "-"],
        toml,
    );
    let from_file = run(
        &["appraise", CSV, "--format", "csv", "--assumptions", file],
        "",
    );
    assert_eq!(from_stdin, from_file);
    // And the override is used: 10 % is not the default 8 %, and is the flag's 10 %.
    let default = run(&["appraise", CSV, "--format", "csv"], "");
    assert_ne!(from_stdin, default);
    let flag = run(
        &["appraise", CSV, "--format", "csv", "--discount-rate", "10"],
        "",
    );
    assert_eq!(from_stdin, flag);
    // A bad file from standard input is named as such.
    cargo_bin_cmd!("prospect")
        .args(["appraise", CSV, "--draws", "0", "--assumptions", "-"])
        .write_stdin("[valuation]\ndiscount_rate_pct = \"ten\"\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("(standard input)"));
}

#[test]
fn weights_from_standard_input_are_the_file_s() {
    let toml = "[weights]\nvalue = 1.0\nspeed = 0.0\nsupply = 0.0\nrisk = 0.0\nconfidence = 0.0\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.toml");
    std::fs::write(&path, toml).unwrap();
    let from_stdin = run(&["rank", CSV, "--format", "csv", "--weights", "-"], toml);
    let from_file = run(
        &[
            "rank",
            CSV,
            "--format",
            "csv",
            "--weights",
            path.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(from_stdin, from_file);
    assert_ne!(from_stdin, run(&["rank", CSV, "--format", "csv"], ""));
}

#[test]
fn a_context_layer_from_standard_input_is_the_file_s() {
    // A one-port layer moves every project's nearest port.
    let ports = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[0.0,0.0]},"properties":{"name":"Null Island","country":"XX"}}]}"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ports.geojson");
    std::fs::write(&path, ports).unwrap();
    let from_stdin = run(&["appraise", CSV, "--format", "csv", "--ports", "-"], ports);
    let from_file = run(
        &[
            "appraise",
            CSV,
            "--format",
            "csv",
            "--ports",
            path.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(from_stdin, from_file);
    assert!(
        String::from_utf8(from_stdin.clone())
            .unwrap()
            .contains("Null Island")
    );
    assert_ne!(from_stdin, run(&["appraise", CSV, "--format", "csv"], ""));
    // The plants layer is read twice (the plants and the context): both from the spool.
    let plants = std::fs::read_to_string("samples/context/plants.geojson").unwrap();
    assert_eq!(
        run(
            &["timeline", CSV, "--format", "csv", "--plants", "-"],
            &plants
        ),
        run(&["timeline", CSV, "--format", "csv"], "")
    );
}

#[test]
fn two_inputs_cannot_both_be_standard_input() {
    for args in [
        vec!["appraise", "-", "--assumptions", "-"],
        vec!["rank", "-", "--weights", "-"],
        vec!["timeline", CSV, "--ports", "-", "--land", "-"],
        vec!["check", "-", "--assumptions", "-"],
        vec!["appraise", "-", "-"],
    ] {
        cargo_bin_cmd!("prospect")
            .args(&args)
            .write_stdin("")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("all name standard input (-)"));
    }
}

#[test]
fn a_misspelt_property_is_warned_about_once_per_file() {
    let geo = std::fs::read_to_string(GEOJSON)
        .unwrap()
        .replace("\"mine_life_y\"", "\"mine_lfie_y\"");
    let features = geo.matches("\"mine_lfie_y\"").count();
    assert!(features > 10, "{features}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.geojson");
    std::fs::write(&path, geo).unwrap();
    let out = cargo_bin_cmd!("prospect")
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.matches("did you mean \"mine_life_y\"").count(),
        1,
        "{text}"
    );
    assert!(text.contains("said once"), "{text}");
}
