//! Uncertainty where people look (issue 20): `rank` and `timeline` show each project's
//! NPV P10/P50/P90, P(NPV>0) and first production P10/P90 when draws are run. The
//! figures are checked against the draws themselves (`appraise --keep-draws`), recomputed
//! here with numpy's default percentile (linear interpolation between order statistics),
//! not against the code that summarises them.

use std::collections::BTreeMap;

use assert_cmd::cargo::cargo_bin_cmd;

const SAMPLE: &str = "samples/projects.geojson";
const DRAWS: &str = "400";

fn run(args: &[&str]) -> String {
    let out = cargo_bin_cmd!("prospect")
        .args(args)
        .args(["--as-of", "2026", "-q"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// numpy's default percentile of sorted values: linear between order statistics.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Each project's draws of NPV (US$m), from `appraise --keep-draws`.
fn draws() -> BTreeMap<String, Vec<f64>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("draws.csv");
    run(&[
        "appraise",
        SAMPLE,
        "--draws",
        DRAWS,
        "--format",
        "json",
        "--keep-draws",
        path.to_str().unwrap(),
    ]);
    let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut r = csv::Reader::from_path(&path).unwrap();
    for row in r.records() {
        let row = row.unwrap();
        out.entry(row[0].to_owned())
            .or_default()
            .push(row[2].parse().unwrap());
    }
    for v in out.values_mut() {
        v.sort_by(f64::total_cmp);
    }
    out
}

/// The rows of a CSV as maps from column to cell.
fn rows(csv_text: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|row| {
            let row = row.unwrap();
            h.iter()
                .zip(row.iter())
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

/// Checks every project row's NPV spread against its draws; gives how many were checked.
fn agrees_with_draws(
    rows: &[BTreeMap<String, String>],
    draws: &BTreeMap<String, Vec<f64>>,
) -> usize {
    let mut checked = 0;
    for row in rows {
        let Some(d) = draws.get(&row["id"]) else {
            // Not simulated (not valued): the spread is empty.
            assert_eq!(row["npv_p50_musd"], "", "{}", row["id"]);
            continue;
        };
        let cell = |c: &str| row[c].parse::<f64>().unwrap();
        // CSV cells hold three decimals, the draws file six: 1e-3 US$m plus the draws'
        // rounding covers it.
        let tol = 2e-3;
        for (col, q) in [
            ("npv_p10_musd", 0.1),
            ("npv_p50_musd", 0.5),
            ("npv_p90_musd", 0.9),
        ] {
            let want = percentile(d, q);
            assert!(
                (cell(col) - want).abs() < tol,
                "{} {col}: {} vs {want} from the draws",
                row["id"],
                row[col]
            );
        }
        let positive = d.iter().filter(|v| **v > 0.0).count() as f64 / d.len() as f64;
        assert!(
            (cell("prob_npv_positive") - positive).abs() < 1e-4,
            "{}: P(NPV>0) {} vs {positive}",
            row["id"],
            row["prob_npv_positive"]
        );
        checked += 1;
    }
    checked
}

#[test]
fn rank_csv_gives_the_spread_of_the_draws() {
    let draws = draws();
    let ranked = rows(&run(&["rank", SAMPLE, "--draws", DRAWS, "--format", "csv"]));
    assert!(agrees_with_draws(&ranked, &draws) >= 20);
    // First production P10 is never later than P90 (empty: never within the horizon).
    for r in &ranked {
        if let (Ok(a), Ok(b)) = (
            r["first_production_p10"].parse::<i32>(),
            r["first_production_p90"].parse::<i32>(),
        ) {
            assert!(a <= b, "{}", r["id"]);
        }
    }
    // The first-production percentiles are the appraisal's (every outcome).
    let json: serde_json::Value = serde_json::from_str(&run(&[
        "appraise", SAMPLE, "--draws", DRAWS, "--format", "json",
    ]))
    .unwrap();
    for p in json["projects"].as_array().unwrap() {
        let r = ranked.iter().find(|r| r["id"] == p["id"]).unwrap();
        for (col, key) in [
            ("first_production_p10", "p10"),
            ("first_production_p90", "p90"),
        ] {
            let want = p["first_production_year"][key]
                .as_i64()
                .map_or(String::new(), |y| y.to_string());
            assert_eq!(r[col], want, "{} {col}", r["id"]);
        }
    }
}

#[test]
fn timeline_project_rows_give_the_spread_of_the_draws() {
    let draws = draws();
    let lines = rows(&run(&[
        "timeline", SAMPLE, "--draws", DRAWS, "--format", "csv", "--rows", "projects",
    ]));
    assert!(agrees_with_draws(&lines, &draws) >= 20);
    // The default CSV rows are still the years.
    let years = run(&["timeline", SAMPLE, "--draws", "0", "--format", "csv"]);
    assert!(years.starts_with("year,"), "{years}");
}

#[test]
fn rows_projects_is_refused_outside_csv() {
    cargo_bin_cmd!("prospect")
        .args(["timeline", SAMPLE, "--draws", "0", "--rows", "projects"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--format csv"));
}

#[test]
fn the_rank_and_timeline_tables_show_the_spread_columns_and_say_when_there_are_no_draws() {
    for cmd in ["rank", "timeline"] {
        let some = run(&[cmd, SAMPLE, "--draws", DRAWS]);
        let none = run(&[cmd, SAMPLE, "--draws", "0"]);
        let header = some.lines().next().unwrap();
        for col in ["NPV P10", "P50", "P90", "P(NPV>0)"] {
            assert!(header.contains(col), "{cmd}: {col} in {header}");
        }
        if cmd == "rank" {
            assert!(header.contains("1st prod P10-P90"), "{header}");
        }
        assert!(
            some.contains("percentiles over the simulation's draws"),
            "{cmd}"
        );
        assert!(none.contains("No draws (--draws 0)"), "{cmd}");
        // Without draws the NPV columns are dashes: Mount Weld's row has four in a row.
        let row = |text: &str| {
            text.lines()
                .find(|l| l.contains("Mount Weld"))
                .unwrap()
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let dashes = row(&none).windows(4).any(|w| w.iter().all(|c| c == "-"));
        assert!(dashes, "{cmd}: {:?}", row(&none));
        assert!(!row(&some).windows(4).any(|w| w.iter().all(|c| c == "-")));
    }
}
