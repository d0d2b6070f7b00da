//! A sharded run equals a single run (issue 21): the input split into shards, each
//! ranked with `rank --shard`, merged by `prospect merge`, gives the bytes `rank` gives
//! over the whole input, in every output form, with screens and either ranking.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

/// The samples and synthetic sites together, one file: real projects with every field
/// and many ties among the synthetic ones.
fn input(dir: &Path) -> PathBuf {
    let synth = dir.join("synth.csv");
    cargo_bin_cmd!("prospect")
        .args(["synth", "--count", "400", "--seed", "21", "-o"])
        .arg(&synth)
        .assert()
        .success();
    let all = dir.join("all.csv");
    std::fs::copy(&synth, &all).unwrap();
    all
}

/// Splits a CSV's rows into `n` files round-robin (so no shard is a contiguous block and
/// the rows of each come in a different order from the whole), each with the header.
fn split(all: &Path, n: usize, dir: &Path) -> Vec<PathBuf> {
    let mut rdr = csv::Reader::from_path(all).unwrap();
    let header = rdr.headers().unwrap().clone();
    let paths: Vec<PathBuf> = (0..n).map(|i| dir.join(format!("part{i}.csv"))).collect();
    let mut writers: Vec<csv::Writer<std::fs::File>> = paths
        .iter()
        .map(|p| {
            let mut w = csv::Writer::from_path(p).unwrap();
            w.write_record(&header).unwrap();
            w
        })
        .collect();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    // Reversed, so that even the first shard's order differs from the input's.
    for (i, row) in rows.iter().rev().enumerate() {
        writers[i % n].write_record(row).unwrap();
    }
    for mut w in writers {
        w.flush().unwrap();
    }
    paths
}

const RUN: [&str; 7] = [
    "--as-of",
    "2026",
    "--draws",
    "40",
    "--seed",
    "9",
    "--nearest-plant",
];

fn rank(files: &[&Path], extra: &[&str]) -> Vec<u8> {
    cargo_bin_cmd!("prospect")
        .arg("rank")
        .args(files)
        .args(RUN)
        .args(["--quiet"])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

fn merge(shards: &[PathBuf], extra: &[&str]) -> Vec<u8> {
    cargo_bin_cmd!("prospect")
        .arg("merge")
        .args(shards)
        .args(["--quiet"])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

#[test]
fn a_sharded_run_equals_a_single_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let samples = Path::new("samples/projects.csv");
    let synth = input(dir.path());
    let parts = split(&synth, 3, dir.path());
    // Shards: the samples alone, and three round-robin parts of the synthetic sites.
    let mut shards = Vec::new();
    for (i, part) in std::iter::once(samples.to_path_buf())
        .chain(parts.iter().cloned())
        .enumerate()
    {
        let shard = dir.path().join(format!("shard{i}.jsonl"));
        cargo_bin_cmd!("prospect")
            .arg("rank")
            .arg(&part)
            .args(RUN)
            .args(["--quiet", "--format", "csv", "--shard"])
            .arg(&shard)
            .assert()
            .success();
        shards.push(shard);
    }
    let whole = [samples, synth.as_path()];
    for extra in [
        &["--format", "json"][..],
        &["--format", "csv"],
        &["--format", "csv", "--committee"],
        &["--format", "table"],
        &["--format", "table", "--committee"],
        &[
            "--format",
            "json",
            "--screen",
            "npv>0",
            "--regime",
            "onshore",
            "--weight",
            "speed=3",
            "--committee-weight",
            "geology=0",
        ],
    ] {
        let single = rank(&whole, extra);
        let merged = merge(&shards, extra);
        assert!(single.len() > 1000, "{extra:?}: {} bytes", single.len());
        assert!(
            single == merged,
            "{extra:?}: the merged output differs from the single run's"
        );
    }
    // The JSON holds every project of both inputs, ranked once.
    let doc: serde_json::Value =
        serde_json::from_slice(&merge(&shards, &["--format", "json"])).unwrap();
    let ranked = doc["ranking"]["projects"].as_array().unwrap();
    assert_eq!(ranked.len(), 28 + 400);
    assert_eq!(ranked.last().unwrap()["rank"], 428);
    // A merged shard merges again to the same ranking.
    let again = dir.path().join("merged.jsonl");
    merge(&shards, &["--shard", again.to_str().unwrap()]);
    assert_eq!(
        merge(std::slice::from_ref(&again), &["--format", "csv"]),
        rank(&whole, &["--format", "csv"])
    );
}

#[test]
fn shards_of_different_runs_or_overlapping_inputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let shard = |name: &str, draws: &str| {
        let path = dir.path().join(name);
        cargo_bin_cmd!("prospect")
            .args(["rank", "samples/projects.csv", "--as-of", "2026", "--quiet"])
            .args(["--nearest-plant", "--draws", draws, "--shard"])
            .arg(&path)
            .assert()
            .success();
        path
    };
    let a = shard("a.jsonl", "0");
    let b = shard("b.jsonl", "20");
    cargo_bin_cmd!("prospect")
        .arg("merge")
        .args([&a, &b])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("b.jsonl was made with draws 20"));
    // The same records in two shards.
    let c = shard("c.jsonl", "0");
    cargo_bin_cmd!("prospect")
        .arg("merge")
        .args([&a, &c])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is in").and(predicate::str::contains("c.jsonl")));
    // Not a shard at all, named.
    cargo_bin_cmd!("prospect")
        .args(["merge", "samples/projects.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "samples/projects.csv: not a criteria shard",
        ));
}

#[test]
fn a_long_table_shows_the_top_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let synth = dir.path().join("synth.csv");
    cargo_bin_cmd!("prospect")
        .args(["synth", "--count", "1005", "-o"])
        .arg(&synth)
        .assert()
        .success();
    let out = cargo_bin_cmd!("prospect")
        .arg("rank")
        .arg(&synth)
        .args([
            "--draws",
            "0",
            "--as-of",
            "2026",
            "--nearest-plant",
            "--quiet",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("Top 1000 of 1005 ranked projects shown"),
        "{text}"
    );
    // Header, 1000 rows; rank 1001 is not printed.
    assert!(text.lines().any(|l| l.starts_with("1000 ")));
    assert!(!text.lines().any(|l| l.starts_with("1001 ")));
}

/// Without `--nearest-plant` the plants' capacity is shared by every project, so a shard
/// cannot allocate by itself: `prospect allocate` over the whole input, given to each of
/// four shards with `--assigned-plants`, makes the merge equal the single run that
/// allocates over the whole input, byte for byte; shards allocating alone do not.
#[test]
fn shards_on_the_whole_inputs_allocation_equal_a_single_allocated_run() {
    let dir = tempfile::tempdir().unwrap();
    let samples = Path::new("samples/projects.csv");
    let synth = input(dir.path());
    let parts = split(&synth, 3, dir.path());
    let run = ["--as-of", "2026", "--draws", "40", "--seed", "9", "--quiet"];
    let plants = dir.path().join("plants.json");
    cargo_bin_cmd!("prospect")
        .args(["allocate", "--as-of", "2026", "--quiet", "-o"])
        .arg(&plants)
        .args([samples, synth.as_path()])
        .assert()
        .success();
    let shards = |assigned: bool| -> Vec<PathBuf> {
        let mut out = Vec::new();
        for (i, part) in std::iter::once(samples.to_path_buf())
            .chain(parts.iter().cloned())
            .enumerate()
        {
            let shard = dir.path().join(format!("alloc{assigned}{i}.jsonl"));
            let mut cmd = cargo_bin_cmd!("prospect");
            cmd.arg("rank")
                .arg(&part)
                .args(run)
                .arg("--shard")
                .arg(&shard);
            if assigned {
                cmd.arg("--assigned-plants").arg(&plants);
            }
            cmd.assert().success();
            out.push(shard);
        }
        out
    };
    let single = |extra: &[&str]| -> Vec<u8> {
        cargo_bin_cmd!("prospect")
            .arg("rank")
            .args([samples, synth.as_path()])
            .args(run)
            .args(extra)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    let on_file = shards(true);
    assert_eq!(on_file.len(), 4);
    for extra in [
        &["--format", "json"][..],
        &["--format", "csv", "--committee"],
    ] {
        let whole = single(extra);
        assert!(whole.len() > 1000, "{extra:?}: {} bytes", whole.len());
        assert!(
            merge(&on_file, extra) == whole,
            "{extra:?}: the merged shards differ from the single allocated run"
        );
    }
    // The single run with the file is the single run.
    let file_arg = [
        "--format",
        "json",
        "--assigned-plants",
        plants.to_str().unwrap(),
    ];
    assert!(single(&file_arg) == single(&["--format", "json"]));
    // Each shard allocating over its own records alone gives other values.
    assert!(merge(&shards(false), &["--format", "json"]) != single(&["--format", "json"]));
    // A file of another clock is refused, named.
    cargo_bin_cmd!("prospect")
        .args([
            "rank",
            "samples/projects.csv",
            "--as-of",
            "2027",
            "--draws",
            "0",
        ])
        .arg("--assigned-plants")
        .arg(&plants)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "plants.json was allocated with --as-of 2026",
        ));
}
