//! `prospect report`: one self-contained HTML file, user strings escaped, rendered in
//! headless Chromium when it is installed (.ci/run installs it).

use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;

fn report(input: &str, dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let out = dir.join("report.html");
    cargo_bin_cmd!("prospect")
        .args([
            "report",
            input,
            "--as-of",
            "2026",
            "--draws",
            "300",
            "--quiet",
            "--target",
            "ndpr=30000t@2032",
            "--budget",
            "2000musd/y",
            "--output",
        ])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    (out, html)
}

#[test]
fn self_contained_with_map_table_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = report("samples/projects.geojson", dir.path());
    for id in [
        "id=\"map\"",
        "id=\"ranking\"",
        "id=\"gantt\"",
        "id=\"supply-ndpr\"",
        "id=\"supply-dytb\"",
        "id=\"plants\"",
        "<title>mined (contained)</title>",
        "<title>plant capacity outside China</title>",
        "Lynas Malaysia",
        "id=\"npv\"",
        "id=\"card-NOL\"",
    ] {
        assert!(html.contains(id), "missing {id}");
    }
    // Nothing is fetched: no scripts, stylesheets, images or frames from anywhere.
    // The what-if's script is inline (tests/report_whatif.rs drives it).
    for bad in ["<script src", "<link", "<img", "<iframe", "src=", "url("] {
        assert!(!html.contains(bad), "found {bad}");
    }
    assert!(!html.contains("href=\"http"));
}

#[test]
fn one_command_writes_the_report_and_the_gis_layer() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let sites = dir.path().join("sites.geojson");
    cargo_bin_cmd!("prospect")
        .args([
            "report",
            "samples/projects.geojson",
            "--draws",
            "100",
            "--quiet",
            "--output",
        ])
        .arg(&html)
        .arg("--geojson")
        .arg(&sites)
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sites).unwrap()).unwrap();
    assert_eq!(doc["name"], "sites");
    assert_eq!(doc["features"].as_array().unwrap().len(), 28);
    assert!(sites.with_extension("qml").exists() && html.exists());
}

#[test]
fn user_strings_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = report("tests/fixtures/hostile/script_name.csv", dir.path());
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert"));
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Needs Chromium: build.rs marks the test ignored (with this reason) when neither
/// `chromium` nor `chromium-browser` is on PATH, except under CI, where it fails.
#[test]
#[cfg_attr(
    missing_chromium,
    ignore = "needs Chromium, not on PATH (apt-get install chromium); under CI it fails instead"
)]
fn renders_in_headless_chromium_without_console_errors() {
    let browser = chromium().expect(
        "Chromium is not installed (apt-get install chromium); CI must install it (.ci/run does)",
    );
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = report("samples/projects.geojson", dir.path());
    let url = format!("file://{}", path.display());
    let profile = dir.path().join("profile");
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let dom = Command::new(browser)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let text = String::from_utf8_lossy(&dom.stdout);
    for id in ["id=\"map\"", "id=\"ranking\"", "id=\"gantt\"", "id=\"npv\""] {
        assert!(text.contains(id), "rendered page lacks {id}");
    }
    let log = String::from_utf8_lossy(&dom.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    let shot = dir.path().join("report.png");
    let status = Command::new(browser)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--hide-scrollbars", "--window-size=1100,2400"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(status.status.success());
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "the screenshot is blank"
    );
}

/// The checks a committee's eye makes, as a script injected into a copy of the page: every
/// chart but the map has at least two axis ticks (`class="tick"`), and no label of any SVG
/// runs outside its chart. Chromium loads the page, runs it and writes the problems into
/// the DOM it dumps.
const LAYOUT_CHECK: &str = r#"<script>
window.addEventListener('load', () => {
  const problems = [];
  for (const svg of document.querySelectorAll('svg')) {
    if (svg.ownerSVGElement) continue; // a viewport inside a chart, checked with it
    const name = svg.id || ((svg.getAttribute('class') || 'svg') + ' of ' + ((svg.closest('section') || {}).id || 'page'));
    if (svg.id !== 'map' && svg.querySelectorAll('.tick').length < 2) problems.push('no ticks: ' + name);
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        problems.push('clipped: ' + name + ': ' + t.textContent.slice(0, 60));
    }
  }
  document.body.setAttribute('data-layout', JSON.stringify(problems));
});
</script>"#;

/// Loads `html` (with the layout check injected) in headless Chromium and gives the
/// problems it found.
fn layout_problems(browser: &str, html: &str, dir: &std::path::Path) -> Vec<String> {
    let page = dir.join("checked.html");
    std::fs::write(
        &page,
        html.replace("</body>", &format!("{LAYOUT_CHECK}</body>")),
    )
    .unwrap();
    let profile = dir.join("profile-layout");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1100,2400",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let at = dom
        .find("data-layout=\"")
        .expect("the layout check did not run in Chromium");
    let rest = &dom[at + "data-layout=\"".len()..];
    let json = rest[..rest.find('"').unwrap()]
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    serde_json::from_str(&json).unwrap()
}

/// Needs Chromium (as above). A chart without ticks or with a label outside its frame fails.
#[test]
#[cfg_attr(
    missing_chromium,
    ignore = "needs Chromium, not on PATH (apt-get install chromium); under CI it fails instead"
)]
fn every_chart_has_ticks_and_no_label_is_clipped() {
    let browser = chromium().expect(
        "Chromium is not installed (apt-get install chromium); CI must install it (.ci/run does)",
    );
    let dir = tempfile::tempdir().unwrap();
    // The check itself catches both faults: a chart with no tick and a label off its edge.
    let bad = "<!DOCTYPE html><html><body><svg id=\"bare\" class=\"chart\" viewBox=\"0 0 200 100\" width=\"200\" height=\"100\"><text x=\"-40\" y=\"50\">off the edge</text></svg></body></html>";
    let found = layout_problems(browser, bad, dir.path());
    assert!(found.iter().any(|p| p == "no ticks: bare"), "{found:?}");
    assert!(
        found.iter().any(|p| p.starts_with("clipped: bare")),
        "{found:?}"
    );
    let (_, html) = report("samples/projects.geojson", dir.path());
    let problems = layout_problems(browser, &html, dir.path());
    assert!(problems.is_empty(), "{problems:#?}");
    // Each chart kind is there to be checked: supply, Gantt, NPV, tornadoes, waterfalls.
    for id in [
        "supply-ndpr",
        "supply-dytb",
        "gantt",
        "npv",
        "cost-curve",
        "reserve",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(html.matches("class=\"tornado\"").count() > 10);
    // Summary mode's aggregate charts pass the same check.
    let input = dir.path().join("s50.csv");
    cargo_bin_cmd!("prospect")
        .args(["synth", "--count", "50", "--seed", "2", "-q", "-o"])
        .arg(&input)
        .assert()
        .success();
    let summary = dir.path().join("summary.html");
    cargo_bin_cmd!("prospect")
        .arg("report")
        .arg(&input)
        .args([
            "--as-of", "2026", "--draws", "50", "--quiet", "--cards", "5", "-o",
        ])
        .arg(&summary)
        .assert()
        .success();
    let html = std::fs::read_to_string(&summary).unwrap();
    assert!(html.contains("id=\"hist-risked-npv\""));
    let problems = layout_problems(browser, &html, dir.path());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_map_has_numbered_markers_a_legend_and_no_line_across_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = report("samples/projects.geojson", dir.path());
    let map = &html[html.find("id=\"map\"").unwrap()..];
    let map = &map[..map.find("id=\"map-key\"").unwrap()];
    // Every sample site is a numbered marker; the key lists them by rank.
    assert_eq!(map.matches("class=\"site\"").count(), 28);
    assert!(map.contains(">1</text>") && map.contains(">28</text>"));
    assert!(
        map.contains("score 0.8-1.0"),
        "the legend of the score classes"
    );
    assert!(html.contains("id=\"map-key\""));
    // No land edge jumps across the map: within each sub-path, no step is wider than a
    // quarter of the map (960 px), which the antimeridian polygons drew as full-width lines.
    let d = &map[map.find(" d=\"").unwrap() + 4..];
    let d = &d[..d.find('"').unwrap()];
    // (An edge along a pole, the map's top or bottom edge, closes Antarctica's ring.)
    for sub in d.split('M').filter(|s| !s.is_empty()) {
        let pts: Vec<(f64, f64)> = sub
            .trim_end_matches('Z')
            .split('L')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        for w in pts.windows(2) {
            let along_pole = w[0].1 == w[1].1 && (w[0].1 == 0.0 || w[0].1 == 480.0);
            assert!(
                along_pole || (w[1].0 - w[0].0).abs() < 240.0,
                "a land edge from {:?} to {:?}",
                w[0],
                w[1]
            );
        }
    }
}

#[test]
fn cards_show_products_and_the_published_study_npv() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = report("samples/projects.geojson", dir.path());
    let card = |id: &str| {
        let c = &html[html.find(&format!("id=\"card-{id}\"")).unwrap()..];
        c[..c.find("</section>").unwrap()].to_owned()
    };
    // Nodules sell metals, not oxides: no 0 / 0 / 0.
    let nori = card("NORID");
    assert!(nori.contains("Ni ") && nori.contains("Mn "), "{nori}");
    assert!(!nori.contains("0 / 0 / 0"));
    // A rare-earth project: its oxides, and its study's NPV beside the model's.
    let nol = card("NOL");
    assert!(nol.contains("NdPr oxide") && nol.contains("TREO"));
    assert!(nol.contains("Published study NPV"));
    // The NPV chart writes each project's value beside its bar.
    let npv = &html[html.find("id=\"npv\"").unwrap()..];
    assert!(npv.contains("base (P10 / P90)"));
}
