//! The report's project cards carry the funding structure that `appraise` gives (issue 18):
//! every figure of every card read back from the page and compared with the same run's
//! appraisal JSON, and "not computed" exactly where the JSON has no figure.

use assert_cmd::cargo::cargo_bin_cmd;

const RUN: [&str; 6] = ["--as-of", "2026", "--draws", "100", "--seed", "7"];

/// The text of each `data-k` row of the card's funding table, by key.
fn funding_rows(html: &str, id: &str) -> std::collections::BTreeMap<String, String> {
    let start = format!("<table class=\"kv funding\" id=\"funding-{id}\">");
    let at = html
        .find(&start)
        .unwrap_or_else(|| panic!("no funding table on the card of {id}"));
    let table = &html[at + start.len()..];
    let table = &table[..table.find("</table>").unwrap()];
    table
        .split("<tr data-k=\"")
        .skip(1)
        .map(|row| {
            let key = &row[..row.find('"').unwrap()];
            let td = &row[row.find("<td>").unwrap() + 4..row.find("</td>").unwrap()];
            (key.to_owned(), td.to_owned())
        })
        .collect()
}

/// The first number of a cell (thousands separated by commas).
fn first_number(cell: &str) -> f64 {
    let s: String = cell
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | ','))
        .filter(|c| *c != ',')
        .collect();
    s.parse()
        .unwrap_or_else(|_| panic!("{cell:?} does not start with a number"))
}

#[test]
fn every_card_shows_the_funding_that_appraise_gives() {
    let dir = tempfile::tempdir().unwrap();
    let (html, json) = (dir.path().join("r.html"), dir.path().join("a.json"));
    cargo_bin_cmd!("prospect")
        .args([
            "report",
            "samples/projects.geojson",
            "--no-whatif",
            "--quiet",
        ])
        .args(RUN)
        .arg("--output")
        .arg(&html)
        .assert()
        .success();
    cargo_bin_cmd!("prospect")
        .args(["appraise", "samples/projects.geojson", "--quiet"])
        .args(RUN)
        .args(["--format", "json", "--output"])
        .arg(&json)
        .assert()
        .success();
    let html = std::fs::read_to_string(&html).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let (mut figures, mut missing, mut unvalued) = (0, 0, 0);
    for p in doc["projects"].as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        let rows = funding_rows(&html, id);
        let f = &p["funding"];
        if f.is_null() {
            assert!(
                rows["funding"].starts_with("not computed: "),
                "{id}: {rows:?}"
            );
            unvalued += 1;
            continue;
        }
        // Each key with the half step of its printed precision.
        for (key, half_step) in [
            ("peak_funding_musd", 0.5),
            ("debt_musd", 0.5),
            ("min_dscr", 0.005),
            ("llcr", 0.005),
            ("equity_musd", 0.5),
            ("equity_irr_pct", 0.05),
            ("offtake_coverage_pct", 0.5),
        ] {
            let cell = &rows[key];
            match f[key].as_f64() {
                Some(want) => {
                    let got = first_number(cell);
                    assert!(
                        (got - want).abs() <= half_step + 1e-9,
                        "{id} {key}: card {cell:?}, JSON {want}"
                    );
                    figures += 1;
                }
                None => {
                    assert!(
                        cell.starts_with("not computed: "),
                        "{id} {key}: JSON null, card {cell:?}"
                    );
                    missing += 1;
                }
            }
        }
        if let Some(note) = f["equity_irr_note"].as_str() {
            assert!(
                rows["equity_irr_pct"].contains(note),
                "{id}: the card does not say why there is no equity IRR"
            );
        }
    }
    // The samples have figures, missing figures and an unvalued project.
    assert!(figures > 50 && missing > 10 && unvalued >= 1);
}
