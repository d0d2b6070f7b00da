//! The report's summary mode (issue 21): above `--cards N` projects only the top N by
//! rank get a card and a row, aggregate charts summarise every project, there is no
//! what-if, and the page says so.

use assert_cmd::cargo::cargo_bin_cmd;

const RUN: [&str; 5] = ["--as-of", "2026", "--draws", "50", "--quiet"];

#[test]
fn five_cards_of_fifty_sites_are_the_top_five_of_rank() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("s50.csv");
    cargo_bin_cmd!("prospect")
        .args(["synth", "--count", "50", "--seed", "2", "-q", "-o"])
        .arg(&input)
        .assert()
        .success();
    let html_path = dir.path().join("r.html");
    cargo_bin_cmd!("prospect")
        .arg("report")
        .arg(&input)
        .args(RUN)
        .args(["--cards", "5", "--no-reserve", "--output"])
        .arg(&html_path)
        .assert()
        .success();
    let html = std::fs::read_to_string(&html_path).unwrap();
    let cards: Vec<&str> = html
        .split("<section class=\"card\" id=\"card-")
        .skip(1)
        .map(|c| &c[..c.find('"').unwrap()])
        .collect();
    assert_eq!(cards.len(), 5, "{cards:?}");
    assert_eq!(html.matches("<tr data-id=").count(), 5);
    assert!(html.contains("<b>Showing the top 5 of 50 projects</b>"));
    assert!(html.contains("id=\"whatif-note\"") && !html.contains("id=\"whatif-data\""));
    for id in [
        "hist-risked-npv",
        "hist-first-production",
        "counts-family",
        "counts-country",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    // The cards are rank's top five, in its order.
    let out = cargo_bin_cmd!("prospect")
        .arg("rank")
        .arg(&input)
        .args(RUN)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let top: Vec<&str> = doc["ranking"]["projects"].as_array().unwrap()[..5]
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(cards, top);
    // Every one of the 50 counted by family.
    let fam = &html[html.find("id=\"counts-family\"").unwrap()..];
    let fam = &fam[..fam.find("</table>").unwrap()];
    let total: usize = fam
        .split("</td><td>")
        .skip(1)
        .map(|c| {
            c[..c.find('<').unwrap()]
                .replace(',', "")
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(total, 50);
    // At or under the threshold, one card per project and no note.
    cargo_bin_cmd!("prospect")
        .arg("report")
        .arg(&input)
        .args(RUN)
        .args(["--cards", "50", "--no-reserve", "--no-whatif", "--output"])
        .arg(&html_path)
        .assert()
        .success();
    let all = std::fs::read_to_string(&html_path).unwrap();
    assert_eq!(all.matches("<section class=\"card\"").count(), 50);
    assert!(!all.contains("summary-note"));
}
