//! The report's strategic reserve section (issue 18): the figures `prospect reserve` gives
//! for the same run, the demand of the assumptions when none is given (42,000 t/y NdPr,
//! docs/models.md), the report's `--demand` and disruption flags when given, and a chart
//! with a days axis and Japan's 60-day line.

use assert_cmd::cargo::cargo_bin_cmd;

const RUN: [&str; 6] = [
    "--as-of",
    "2026",
    "--draws",
    "100",
    "--quiet",
    "--no-whatif",
];
const PLAN: [&str; 4] = ["--target", "ndpr=30000t@2032", "--budget", "2000musd/y"];

fn report(extra: &[&str], dir: &std::path::Path) -> String {
    let out = dir.join("report.html");
    cargo_bin_cmd!("prospect")
        .args(["report", "samples/projects.geojson"])
        .args(RUN)
        .args(extra)
        .arg("--output")
        .arg(&out)
        .assert()
        .success();
    // Apostrophes as text, escaped or not.
    std::fs::read_to_string(&out).unwrap().replace("&#39;", "'")
}

fn reserve_json(extra: &[&str]) -> serde_json::Value {
    let out = cargo_bin_cmd!("prospect")
        .args(["reserve", "samples/projects.geojson", "--as-of", "2026"])
        .args(["--draws", "100", "--quiet", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The cells of the reserve table's row for `scenario` and `product`, as numbers where
/// they are (thousands separators removed).
fn row(html: &str, scenario: &str, product: &str) -> Vec<String> {
    let key = format!("<tr data-scenario=\"{scenario}\" data-product=\"{product}\">");
    let at = html
        .find(&key)
        .unwrap_or_else(|| panic!("no reserve row {scenario} {product}"));
    let r = &html[at + key.len()..];
    let r = &r[..r.find("</tr>").unwrap()];
    r.split("<td>")
        .skip(1)
        .map(|c| c.trim_end_matches("</td>").replace(',', ""))
        .collect()
}

fn num(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("{cell:?} is not a number"))
}

#[test]
fn the_section_shows_what_reserve_gives_with_the_documented_demand() {
    let dir = tempfile::tempdir().unwrap();
    let html = report(&PLAN, dir.path());
    let mut flags = vec!["--demand", "ndpr=42000t"];
    flags.extend(PLAN);
    let doc = reserve_json(&flags);
    let scenarios = doc["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 2, "market and with the plan");
    for s in scenarios {
        for p in s["products"].as_array().unwrap() {
            let cells = row(
                &html,
                s["name"].as_str().unwrap(),
                p["product"].as_str().unwrap(),
            );
            // Demand, stockpile, P50, P(shortfall), US$/kg, cost, days, reference t, its
            // cost: each within half its printed step.
            for (i, key, half) in [
                (2, "demand_t_per_y", 0.5),
                (3, "stockpile_t", 0.5),
                (4, "stockpile_p50_t", 0.5),
                (5, "prob_shortfall", 0.005),
                (6, "price_usd_per_kg", 0.005),
                (7, "cost_musd", 0.5),
                (8, "days_of_consumption", 0.5),
                (9, "reference_t", 0.5),
                (10, "reference_cost_musd", 0.5),
            ] {
                let want = p[key].as_f64().unwrap();
                let got = num(&cells[i]);
                assert!(
                    (got - want).abs() <= half + 1e-9,
                    "{key}: page {got}, reserve {want}"
                );
            }
            // By hand: days = tonnes / demand x 365; the line is 60 days of demand.
            let (t, d) = (num(&cells[3]), num(&cells[2]));
            assert!((num(&cells[8]) - t / d * 365.0).abs() <= 1.0);
            assert!((num(&cells[9]) - 42_000.0 * 60.0 / 365.0).abs() <= 0.5);
        }
    }
    assert_eq!(num(&row(&html, "market", "ndpr")[2]), 42_000.0);
    assert!(html.contains("reserve.demand_ndpr_t_per_y"));
    assert!(html.contains("takes off the stockpile"));
    // The chart: a bar per product and outlook, a days axis with ticks, the line labelled.
    let at = html.find("<svg id=\"reserve\"").expect("no reserve chart");
    let svg = &html[at..at + html[at..].find("</svg>").unwrap()];
    assert!(svg.matches("class=\"tick\"").count() >= 2);
    assert!(svg.contains("Japan's 60-day line"));
    assert!(svg.contains("days of the disruption's mean demand"));
    assert_eq!(svg.matches("<rect x=\"170\"").count(), 2);
}

#[test]
fn the_reports_flags_change_the_demand_and_the_disruption() {
    let dir = tempfile::tempdir().unwrap();
    let flags = [
        "--demand",
        "ndpr=10000t,dy=800t",
        "--from",
        "2028",
        "--years",
        "2",
        "--cut",
        "50",
        "--confidence",
        "80",
    ];
    let html = report(&flags, dir.path());
    let doc = reserve_json(&flags);
    let p = &doc["scenarios"][0]["products"];
    for (i, product) in ["ndpr", "dy"].into_iter().enumerate() {
        let cells = row(&html, "market", product);
        assert_eq!(p[i]["product"], product);
        assert!((num(&cells[3]) - p[i]["stockpile_t"].as_f64().unwrap()).abs() <= 0.5);
        assert!((num(&cells[2]) - [10_000.0, 800.0][i]).abs() < 1e-9);
    }
    assert!(html.contains("a 50 % cut in China's exports for 2 years from 2028"));
    assert!(html.contains("at 80 % confidence"));
    // Without a plan there is one outlook, and the page says how to compare one.
    assert!(!html.contains("data-scenario=\"with_plan\""));
    assert!(html.contains("No plan compared"));
    let off = report(&["--no-reserve"], dir.path());
    assert!(off.contains("id=\"reserve-note\"") && !off.contains("<svg id=\"reserve\""));
}
