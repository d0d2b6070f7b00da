//! Outputs never destroy data: an output that names an input (or another output) is
//! refused before anything is read; links are written through and special files streamed
//! to; a rewrite never keeps a setuid bit; a signal leaves no temporary file; endless
//! inputs, draws beyond memory and missing context folders are errors, not hangs, aborts
//! or silent fall-backs.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

const SAMPLE: &str = "samples/projects.geojson";

fn copy_sample(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("x.geojson");
    std::fs::copy(SAMPLE, &path).unwrap();
    path
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_kept() {
    let dir = tempfile::tempdir().unwrap();
    let input = copy_sample(dir.path());
    let before = std::fs::read(&input).unwrap();
    for flag in ["--output", "--cashflows", "--keep-draws"] {
        cargo_bin_cmd!("prospect")
            .args(["appraise", "--draws", "10", "--format", "json"])
            .arg(&input)
            .arg(flag)
            .arg(&input)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("would overwrite the input"));
    }
    // Another spelling of the same file, and a hard link to it.
    let link = dir.path().join("same.geojson");
    std::fs::hard_link(&input, &link).unwrap();
    cargo_bin_cmd!("prospect")
        .current_dir(dir.path())
        .args([
            "export",
            "--draws",
            "0",
            "./x.geojson",
            "-o",
            "same.geojson",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("would overwrite the input"));
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn two_outputs_of_one_run_with_one_path_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    cargo_bin_cmd!("prospect")
        .args(["report", SAMPLE, "--draws", "0", "-o"])
        .arg(&out)
        .arg("--geojson")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("name the same file"));
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn a_symlink_is_written_through_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    cargo_bin_cmd!("prospect")
        .args(["synth", "--count", "3", "--output"])
        .arg(&link)
        .assert()
        .success();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(
        text.starts_with("id,"),
        "the target holds the output: {text:?}"
    );
    // A link to nothing is refused.
    let dangling = dir.path().join("dangling.csv");
    std::os::unix::fs::symlink(dir.path().join("missing/none.csv"), &dangling).unwrap();
    cargo_bin_cmd!("prospect")
        .args(["synth", "--count", "3", "--output"])
        .arg(&dangling)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("symbolic link"));
}

#[test]
fn a_fifo_is_streamed_to_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    cargo_bin_cmd!("prospect")
        .args(["synth", "--count", "4", "--output"])
        .arg(&fifo)
        .assert()
        .success();
    let text = reader.join().unwrap();
    assert_eq!(text.lines().count(), 5, "a header and four records: {text}");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn a_rewrite_keeps_permissions_but_never_a_setuid_bit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o4754)).unwrap();
    cargo_bin_cmd!("prospect")
        .args(["synth", "--count", "2", "--output"])
        .arg(&out)
        .assert()
        .success();
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o754);
}

#[test]
fn a_signal_during_a_write_leaves_the_old_file_and_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("many.csv");
    std::fs::write(&out, "previous").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_prospect"))
        .args(["synth", "--count", "100000000", "--output"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let temporaries = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(".prospect-"))
            .count()
    };
    let start = Instant::now();
    while temporaries() == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(temporaries(), 0, "the temporary file is removed");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
}

#[test]
fn endless_inputs_stop_at_a_stated_limit() {
    cargo_bin_cmd!("prospect")
        .env("PROSPECT_MAX_RECORD_MB", "1")
        .args(["check", "/dev/zero"])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2)
        .stdout(
            predicate::str::contains("larger than 1 MiB")
                .and(predicate::str::contains("PROSPECT_MAX_RECORD_MB")),
        );
    cargo_bin_cmd!("prospect")
        .env("PROSPECT_MAX_LAYER_MB", "1")
        .args(["appraise", SAMPLE, "--draws", "0", "--ports", "/dev/zero"])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("PROSPECT_MAX_LAYER_MB"));
}

#[test]
fn a_missing_context_folder_and_a_year_out_of_range_are_errors() {
    cargo_bin_cmd!("prospect")
        .args([
            "appraise",
            SAMPLE,
            "--draws",
            "0",
            "--context",
            "no/such/folder",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--context names no folder"));
    let empty = tempfile::tempdir().unwrap();
    cargo_bin_cmd!("prospect")
        .args(["appraise", SAMPLE, "--draws", "0", "--context"])
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds none of the layers"));
    for year in ["0", "2147483647"] {
        cargo_bin_cmd!("prospect")
            .args(["appraise", SAMPLE, "--draws", "0", "--as-of", year])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "is not a year prospect can value from",
            ));
    }
}

#[test]
fn draws_beyond_memory_are_refused_with_the_memory_they_would_need() {
    for draws in ["18446744073709551615", "1000000000000", "100000000"] {
        cargo_bin_cmd!("prospect")
            .args(["appraise", SAMPLE, "--draws", draws])
            .timeout(Duration::from_secs(60))
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains(format!("--draws {draws} needs about"))
                    .and(predicate::str::contains("PROSPECT_MAX_SIM_MB")),
            );
    }
}

/// A project whose name carries an OSC 52 clipboard write, a clear-screen and a
/// right-to-left override, with a formula in an unknown column's name and cells.
const HOSTILE_CSV: &str = "id,name,country,deposit_type,stage,lon,lat,=HYPERLINK(\"x\"),note,note,\n\
A1,\"\u{1b}]52;c;aGk=\u{7}Evil\u{1b}[2J\u{202e}txt\",AU,carbonatite,exploration,120,-20,\"\n=1+1\",-5,\u{ff1d}2,q\n";

#[test]
fn escapes_never_reach_a_terminal_and_formulas_never_reach_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("evil.csv");
    std::fs::write(&input, HOSTILE_CSV).unwrap();
    for command in ["appraise", "rank"] {
        let out = cargo_bin_cmd!("prospect")
            .arg(command)
            .arg(&input)
            .args(["--draws", "0"])
            .output()
            .unwrap();
        for text in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(text);
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
                "{command}: {text:?}"
            );
        }
    }
    let out = cargo_bin_cmd!("prospect")
        .arg("appraise")
        .arg(&input)
        .args(["--draws", "0", "--format", "csv"])
        .output()
        .unwrap();
    let mut csv = csv::Reader::from_reader(&out.stdout[..]);
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_owned).collect();
    let row: Vec<String> = csv
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let cell = |name: &str| {
        let i = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"));
        row[i].clone()
    };
    // The header names are neutralised, and no unknown column is lost or merged.
    assert!(
        header.contains(&"'=HYPERLINK(\"x\")".to_owned()),
        "{header:?}"
    );
    assert_eq!(cell("'=HYPERLINK(\"x\")"), "'\n=1+1");
    assert_eq!(cell("note"), "-5", "a number is carried unchanged");
    assert_eq!(
        cell("column_10"),
        "'\u{ff1d}2",
        "the repeated name keeps its value"
    );
    assert_eq!(
        cell("column_11"),
        "q",
        "the column with no name keeps its value"
    );
}

#[test]
fn ids_that_read_the_same_are_warned_of_and_ids_stay_text() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("ids.csv");
    // NFC and NFD spellings of one id, one with a zero-width space, and an id that looks
    // like a number with a trailing zero.
    std::fs::write(
        &input,
        "id,name,country,deposit_type,stage,lon,lat\n\
         Lofdal-\u{e9},One,NA,carbonatite,exploration,15,-20\n\
         Lofdal-e\u{301},One again,NA,carbonatite,exploration,15,-20\n\
         K\u{200b}V-2,Two,GL,alkaline_intrusive,exploration,-45,61\n\
         KV-2,Three,GL,alkaline_intrusive,exploration,-45,61\n\
         1.10,Four,GL,alkaline_intrusive,exploration,-45,61\n",
    )
    .unwrap();
    let out = cargo_bin_cmd!("prospect")
        .arg("check")
        .arg(&input)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.matches("reads the same as the id at").count(),
        2,
        "{text}"
    );
    assert!(text.contains("record \"KV-2\""), "{text}");
    let json = cargo_bin_cmd!("prospect")
        .args(["appraise", "--draws", "0", "--format", "json"])
        .arg(&input)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let ids: Vec<&str> = doc["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"1.10"), "{ids:?}");
}
