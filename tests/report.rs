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
    for bad in ["<script", "<link", "<img", "<iframe", "src=", "url("] {
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
