//! The report streamed over a synthetic input (issue 21): in summary mode its cards,
//! ranking rows, map markers and GeoJSON ranks are `prospect rank`'s order, its supply
//! chart and target years are `prospect timeline`'s, and its aggregate counts are those
//! of `prospect appraise`'s projects, each command run on the same input and flags.

use assert_cmd::cargo::cargo_bin_cmd;

const RUN: [&str; 5] = ["--as-of", "2026", "--draws", "20", "--quiet"];
const TARGET: [&str; 2] = ["--target", "ndpr=20000t@2032"];

fn json(cmd: &str, input: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let out = cargo_bin_cmd!("prospect")
        .arg(cmd)
        .arg(input)
        .args(RUN)
        .args(extra)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The rows of the table with `id` as (label, count).
fn counts(html: &str, id: &str) -> Vec<(String, usize)> {
    let t = &html[html.find(&format!("id=\"{id}\"")).unwrap()..];
    let t = &t[..t.find("</table>").unwrap()];
    t.split("<tr><td>")
        .skip(1)
        .map(|row| {
            let (k, v) = row.split_once("</td><td>").unwrap();
            let v = v[..v.find('<').unwrap()].replace(',', "");
            (k.replace("&#39;", "'"), v.parse().unwrap())
        })
        .collect()
}

#[test]
fn streamed_summary_of_3000_sites_agrees_with_rank_timeline_and_appraise() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("s3000.csv");
    cargo_bin_cmd!("prospect")
        .args(["synth", "--count", "3000", "--seed", "5", "-q", "-o"])
        .arg(&input)
        .assert()
        .success();
    let html_path = dir.path().join("r.html");
    let geo_path = dir.path().join("r.geojson");
    cargo_bin_cmd!("prospect")
        .arg("report")
        .arg(&input)
        .args(RUN)
        .args(TARGET)
        .args(["--cards", "20", "--no-reserve", "--output"])
        .arg(&html_path)
        .arg("--geojson")
        .arg(&geo_path)
        .assert()
        .success();
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("<b>Showing the top 20 of 3,000 projects</b>"));

    // The order: rank's top 20, as cards, as ranking rows, and the map's only markers.
    let rank = json("rank", &input, &[]);
    let ranked = rank["ranking"]["projects"].as_array().unwrap();
    assert_eq!(ranked.len(), 3000);
    let top: Vec<&str> = ranked[..20]
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let ids_after = |marker: &str| -> Vec<String> {
        html.split(marker)
            .skip(1)
            .map(|c| c[..c.find('"').unwrap()].to_owned())
            .collect()
    };
    assert_eq!(ids_after("<section class=\"card\" id=\"card-"), top);
    assert_eq!(ids_after("<tr data-id=\""), top);
    let markers = html.matches("<g class=\"site\">").count();
    assert!(markers <= 20 && markers > 0, "{markers} markers");
    assert!(html.contains("id=\"map-note\""));
    // The GeoJSON holds every site, each with rank's rank.
    let geo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&geo_path).unwrap()).unwrap();
    let features = geo["features"].as_array().unwrap();
    assert_eq!(features.len(), 3000);
    let rank_of: std::collections::HashMap<&str, u64> = ranked
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["rank"].as_u64().unwrap()))
        .collect();
    for f in features {
        let p = &f["properties"];
        assert_eq!(
            p["rank"].as_u64().unwrap(),
            rank_of[p["id"].as_str().unwrap()],
            "{}",
            p["id"]
        );
    }

    // Supply: the timeline's target years and its separated NdPr, base, year by year.
    let t = json("timeline", &input, &TARGET);
    let met = |k: &str| match t[k].as_i64() {
        Some(y) => format!("met in {y}"),
        None => "not met within the horizon".to_owned(),
    };
    let sentence = format!(
        "separated base supply {}, chance-weighted {}; mined supply {}.",
        met("target_met_year"),
        met("target_met_year_expected"),
        met("target_met_year_mined")
    );
    assert!(html.contains(&sentence), "{sentence}");
    let chart = &html[html.find("id=\"supply-ndpr\"").unwrap()..];
    let attr = |k: &str| -> f64 {
        let a = &chart[chart.find(&format!("{k}=\"")).unwrap() + k.len() + 2..];
        a[..a.find('"').unwrap()].parse().unwrap()
    };
    let (ybase, ky) = (attr("data-ybase"), attr("data-ky"));
    let line = &chart[chart.find("data-wi=\"base\" points=\"").unwrap() + 23..];
    let line = &line[..line.find('"').unwrap()];
    let drawn: Vec<f64> = line
        .split(' ')
        .map(|pt| (ybase - pt.split_once(',').unwrap().1.parse::<f64>().unwrap()) / ky)
        .collect();
    let years = t["years"].as_array().unwrap();
    assert_eq!(drawn.len(), years.len());
    let total: f64 = years
        .iter()
        .map(|y| y["separated_ndpr_t"]["base"].as_f64().unwrap())
        .sum();
    assert!(total > 0.0, "no separated NdPr to compare");
    for (d, y) in drawn.iter().zip(years) {
        let v = y["separated_ndpr_t"]["base"].as_f64().unwrap();
        // Points are written to 0.1 of a chart unit.
        assert!(
            (d - v).abs() <= 0.06 / ky + 1e-6,
            "{} drawn {d}, timeline {v}",
            y["year"]
        );
    }

    // The aggregates: appraise's projects counted by family and country, and the
    // histograms' populations.
    let a = json("appraise", &input, &[]);
    let projects = a["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 3000);
    let mut family = std::collections::BTreeMap::<String, usize>::new();
    let mut country = std::collections::BTreeMap::<String, usize>::new();
    for p in projects {
        *family
            .entry(
                p["commodity"]
                    .as_str()
                    .unwrap_or("unknown")
                    .replace('_', " "),
            )
            .or_default() += 1;
        *country
            .entry(
                p["country"]
                    .as_str()
                    .unwrap_or("area beyond national jurisdiction")
                    .to_owned(),
            )
            .or_default() += 1;
    }
    let sorted = |m: std::collections::BTreeMap<String, usize>| {
        let mut v: Vec<(String, usize)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(20);
        v
    };
    assert_eq!(counts(&html, "counts-family"), sorted(family));
    assert_eq!(counts(&html, "counts-country"), sorted(country));
    let valued = projects
        .iter()
        .filter(|p| p["risked_npv_musd"].as_f64().is_some())
        .count();
    let dated = projects
        .iter()
        .filter(|p| p["first_production_year"]["p50"].as_i64().is_some())
        .count();
    let label = |n: usize| {
        let s = n.to_string();
        if n >= 1000 {
            format!("{},{}", &s[..s.len() - 3], &s[s.len() - 3..])
        } else {
            s
        }
    };
    assert!(
        html.contains(&format!(
            "Risked NPV of the {} valued projects",
            label(valued)
        )),
        "{valued}"
    );
    assert!(
        html.contains(&format!(
            "First production (P50 of all outcomes) of the {} projects that have one",
            label(dated)
        )),
        "{dated}"
    );
}
