//! A corpus of malformed and adversarial inputs (tests/fixtures/hostile/): each gives a
//! clear error or a documented handling (docs/reliability.md), and none panics.

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

const DIR: &str = "tests/fixtures/hostile";

/// What `check` says of a file it finds nothing wrong with: one record, no problem.
const CLEAN: &str = "1 record(s): 0 error(s), 0 warning(s)";

/// File, `prospect check` exit code, and words its output must contain.
const CHECK: &[(&str, i32, &str)] = &[
    ("antimeridian.geojson", 1, "crosses the antimeridian"),
    ("bad_wkt.csv", 1, "invalid WKT"),
    ("bom_crlf.geojson", 0, CLEAN),
    ("bowtie.geojson", 0, "not a valid simple geometry"),
    ("capex_1e308.csv", 0, CLEAN),
    ("control_chars.csv", 0, "control characters"),
    ("cr_only.csv", 0, CLEAN),
    ("deep_nesting.geojson", 1, "recursion limit exceeded"),
    ("duplicate_header.csv", 1, "repeats field"),
    (
        "duplicate_keys.geojson",
        1,
        "appears twice, with 10 and then 20",
    ),
    (
        "duplicate_keys_same.geojson",
        0,
        "appears twice with the same value",
    ),
    ("empty_collection.geojson", 0, "has no features"),
    ("empty_id.csv", 1, "required field id is missing"),
    ("formula_injection.csv", 0, CLEAN),
    ("geometry_string.geojson", 1, "invalid GeoJSON geometry"),
    ("header_only.csv", 0, "header but no records"),
    ("huge_life.csv", 0, CLEAN),
    ("huge_number.geojson", 1, "number out of range"),
    ("infinity_literal.geojson", 1, "invalid JSON"),
    ("latin1.csv", 1, "not valid UTF-8"),
    ("long_id.csv", 0, CLEAN),
    (
        "mixed_geometries.geojson",
        1,
        "LineString is not a site geometry",
    ),
    ("nan_literal.geojson", 1, "invalid JSON"),
    ("nan_text.csv", 1, "NaN is not a finite number"),
    ("negative_zero.csv", 0, CLEAN),
    ("nul_bytes.csv", 0, "control characters"),
    ("numeric_id.geojson", 0, CLEAN),
    ("ppm_overflow.csv", 1, "over 1,000,000 ppm"),
    (
        "properties_array.geojson",
        1,
        "properties must be a JSON object",
    ),
    ("properties_null.geojson", 1, "required field id is missing"),
    ("script_name.csv", 0, CLEAN),
    ("short_position.geojson", 1, "fewer than two numbers"),
    ("three_d.geojson", 0, CLEAN),
    ("tiny_ring.geojson", 1, "at least 4 are needed"),
    (
        "top_level_array.geojson",
        1,
        "expected a GeoJSON FeatureCollection",
    ),
    ("trailing_garbage.geojson", 1, "trailing characters"),
    ("unclosed_ring.geojson", 0, CLEAN),
    ("unknown_country.csv", 1, "not an ISO 3166-1 alpha-2"),
    (
        "unknown_currency.csv",
        0,
        "currency XYZ is not in the assumptions' FX table",
    ),
    ("unterminated_quote.csv", 1, "fields but the header has"),
    ("utf16.csv", 1, "encoded as UTF-16"),
    ("whitespace_only.csv", 1, "no id column"),
    ("wide.csv", 0, CLEAN),
    ("wkt_nan.csv", 1, "invalid WKT"),
    ("wrong_feature_type.geojson", 1, "expected a Feature"),
    ("year_99999.csv", 1, "not a calendar year"),
    ("zero_throughput.csv", 0, CLEAN),
];

#[test]
fn every_hostile_file_gets_a_clear_answer_from_check() {
    let listed: Vec<&str> = CHECK.iter().map(|c| c.0).collect();
    let mut on_disk: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(on_disk, listed, "every fixture is listed once, in order");
    assert!(listed.len() >= 40);
    for (file, code, words) in CHECK {
        let out = cargo_bin_cmd!("prospect")
            .arg("check")
            .arg(Path::new(DIR).join(file))
            .output()
            .unwrap();
        // Problems go to stdout, the summary line to stderr: both reach the terminal.
        let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(*code), "{file}: {text}");
        assert!(text.contains(words), "{file}: expected {words:?} in {text}");
        assert!(!text.contains("panicked"), "{file} panicked");
        // Control characters never reach the terminal.
        assert!(!text.contains('\u{1b}') && !text.contains('\0'), "{file}");
    }
}

/// What the appraisal of each file that checks clean must show: the fact the fixture is
/// there for (docs/reliability.md, "Documented handlings").
fn promised(file: &str, p: &Value) {
    let valued = p["valued"] == true;
    let warnings: Vec<&str> = p["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    let warned = |words: &str| warnings.iter().any(|w| w.contains(words));
    let reason = p["unvalued_reason"].as_str().unwrap_or("");
    match file {
        // The BOM is not part of the first key, CRLF not part of the last value.
        "bom_crlf.geojson" => {
            assert_eq!(p["id"], "G1");
            assert_eq!(p["properties"], serde_json::json!({}));
            assert!(valued && p["npv_musd"]["base"].is_number());
        }
        // An NPV that overflows is null, with a warning that says so.
        "capex_1e308.csv" => {
            assert!(valued);
            assert_eq!(p["capex_musd"], 1e308);
            assert!(p["npv_musd"]["base"].is_null());
            assert!(warned("not a finite number"), "{warnings:?}");
        }
        // CR-only line endings still end lines: one record, no CR in its last value.
        "cr_only.csv" => {
            assert_eq!(
                (p["id"].as_str(), p["name"].as_str()),
                (Some("A1"), Some("Alpha"))
            );
            assert_eq!(p["mine_life_y"].as_f64().map(|l| l > 0.0), Some(true));
        }
        // JSON keeps text as given; only CSV output neutralises formulas (test below).
        "formula_injection.csv" => assert_eq!(p["name"], "=HYPERLINK(\"http://x\")"),
        // A mine life of 1e9 years is kept as given and the cash flow cut at 150 years,
        // with a warning.
        "huge_life.csv" => {
            assert!(valued && p["npv_musd"]["base"].is_number());
            assert_eq!(p["mine_life_y"], 1e9);
            assert!(warned("schedule ends after 150 years"), "{warnings:?}");
        }
        "long_id.csv" => assert_eq!(p["id"].as_str().map(str::len), Some(100_000)),
        // -0 is a royalty of zero, given by the record.
        "negative_zero.csv" => {
            assert_eq!(p["royalty_pct"].as_f64(), Some(0.0));
            assert_eq!(p["provenance"]["royalty_pct"]["origin"], "given");
        }
        // A numeric feature id is the record's id, as text.
        "numeric_id.geojson" => assert_eq!(p["id"], "17"),
        "script_name.csv" => assert_eq!(p["name"], "<script>alert(1)</script>"),
        // The height is dropped: the site is the 2D point 122.5, -28.8 (as bom_crlf's).
        "three_d.geojson" => {
            assert!(valued);
            let plant = &p["nearest_separation_plant"];
            let two_d = appraise("bom_crlf.geojson");
            assert_eq!(plant, &two_d["nearest_separation_plant"]);
        }
        // The ring is closed: a 1° x 1° cell between 28° and 29° S has an area of
        // R² Δλ (sin 29° - sin 28°) = 10,866 km² on the sphere of radius 6,371.0088 km;
        // WGS84 differs from the sphere by well under 1 %.
        "unclosed_ring.geojson" => {
            let r: f64 = 6371.0088;
            let (a, b) = (28f64.to_radians(), 29f64.to_radians());
            let sphere = r * r * 1f64.to_radians() * (b.sin() - a.sin());
            let area = p["spatial"]["site_area_km2"].as_f64().unwrap();
            assert!((area / sphere - 1.0).abs() < 0.01, "{area} vs {sphere}");
        }
        "unknown_currency.csv" => {
            assert!(!valued);
            assert!(
                reason.contains("currency XYZ is not in the FX table"),
                "{reason}"
            );
        }
        // 10,000 unknown columns all come through, untouched.
        "wide.csv" => {
            let props = p["properties"].as_object().unwrap();
            assert_eq!(props.len(), 10_000);
            assert_eq!(props["x0"], "1");
            assert_eq!(props["x9999"], "1");
        }
        "zero_throughput.csv" => {
            assert!(!valued);
            assert!(reason.contains("throughput_mtpa is 0"), "{reason}");
        }
        other => panic!("{other}: no promise stated for this file"),
    }
}

/// The one project of `prospect appraise --format json` on a hostile file.
fn appraise(file: &str) -> Value {
    let out = cargo_bin_cmd!("prospect")
        .args([
            "appraise", "--draws", "50", "--quiet", "--format", "json", "--as-of", "2026",
        ])
        .arg(Path::new(DIR).join(file))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{file}: {e}"));
    let projects = report["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 1, "{file}");
    projects[0].clone()
}

#[test]
fn every_valid_hostile_file_appraises_to_what_it_promises() {
    for (file, ..) in CHECK.iter().filter(|c| c.1 == 0 && c.2 == CLEAN) {
        let p = appraise(file);
        // A valued project has a finite NPV, or null with the warning that explains it.
        if p["valued"] == true && !p["npv_musd"]["base"].is_number() {
            assert!(
                p["warnings"].to_string().contains("not a finite number"),
                "{file}: NPV null without a reason"
            );
        }
        promised(file, &p);
    }
}

#[test]
fn spreadsheet_formulas_are_neutralised_in_csv_output() {
    let out = cargo_bin_cmd!("prospect")
        .args([
            "appraise", "--draws", "0", "--format", "csv", "--as-of", "2026",
        ])
        .arg(Path::new(DIR).join("formula_injection.csv"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("'=HYPERLINK"), "{text}");
}

#[test]
fn a_100_mb_file_streams_without_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.geojson");
    let mut text = String::from("{\"type\":\"FeatureCollection\",\"features\":[");
    let feature = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[122.5,-28.8]},"properties":{"id":"ID","name":"Alpha","country":"AU","deposit_type":"carbonatite","stage":"pfs","note":"PAD"}}"#;
    let pad = "x".repeat(10_000);
    let mut n = 0;
    while text.len() < 100 << 20 {
        if n > 0 {
            text.push(',');
        }
        text.push_str(&feature.replace("ID", &format!("F{n}")).replace("PAD", &pad));
        n += 1;
    }
    text.push_str("]}");
    std::fs::write(&path, text).unwrap();
    let out = cargo_bin_cmd!("prospect")
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{n} record(s)")));
}

#[cfg(unix)]
#[test]
fn a_killed_run_never_leaves_a_broken_output() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    std::fs::write(&out, b"{\"previous\": true}\n").unwrap();
    let bin = assert_cmd::cargo::cargo_bin!("prospect");
    for delay_ms in [5u64, 50, 150, 400] {
        let mut child = Command::new(bin)
            .args([
                "appraise",
                "samples/projects.csv",
                "--draws",
                "3000",
                "--quiet",
                "--format",
                "json",
                "--output",
            ])
            .arg(&out)
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let text = std::fs::read_to_string(&out).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&text).expect("the output is always a whole JSON document");
        assert!(v.get("previous").is_some() || v.get("projects").is_some());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name() != "out.json")
            .collect();
        // A killed run may leave its temporary file (named .prospect-*.tmp), never a half output.
        assert!(
            leftovers
                .iter()
                .all(|e| e.file_name().to_string_lossy().starts_with(".prospect-"))
        );
    }
}

/// Inputs that crashed a fuzz target once (files in tests/fixtures/fuzz/): each now reads
/// as a clear error.
#[test]
fn former_fuzz_crashes_are_clear_errors() {
    for entry in std::fs::read_dir("tests/fixtures/fuzz").unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let format = if path.extension().is_some_and(|e| e == "csv") {
            prospect::read::InputFormat::Csv
        } else {
            prospect::read::InputFormat::GeoJson
        };
        let mut errors = 0;
        prospect::read::visit_bytes("fuzz", format, &bytes, &mut |event| match event {
            prospect::read::Event::Record(p) => {
                errors += p.diagnostics.iter().filter(|d| d.is_error()).count()
            }
            prospect::read::Event::Problem(d) => errors += usize::from(d.is_error()),
        });
        assert!(errors > 0, "{} reads without an error", path.display());
    }
    cargo_bin_cmd!("prospect")
        .args(["check", "tests/fixtures/fuzz/empty_position.geojson"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("fewer than two numbers"));
}

/// Every input of the fuzzers' minimised corpora (tests/fixtures/fuzz/corpus/<target>/,
/// written by fuzz/run.sh) through what its target drives: none may panic.
#[test]
fn fuzz_corpora_replay_without_panic() {
    use prospect::read::{InputFormat, visit_bytes};
    type Target<'a> = (&'a str, &'a dyn Fn(&[u8]));
    let targets: [Target; 4] = [
        ("read_geojson", &|b| {
            visit_bytes("fuzz.geojson", InputFormat::GeoJson, b, &mut |_| {})
        }),
        ("read_csv", &|b| {
            visit_bytes("fuzz.csv", InputFormat::Csv, b, &mut |_| {})
        }),
        ("assumptions", &|b| {
            if let Ok(text) = std::str::from_utf8(b)
                && let Ok(a) = prospect::assumptions::Assumptions::with_override("fuzz.toml", text)
            {
                for name in a.scenarios.keys() {
                    let _ = a.prices(name);
                }
            }
        }),
        ("cli_parsers", &|b| {
            if let Ok(text) = std::str::from_utf8(b) {
                let _ = text.parse::<prospect::portfolio::timeline::Target>();
                let _ = prospect::portfolio::plan::parse_budget(text);
                let base = std::collections::BTreeMap::from([("value".to_owned(), 1.0)]);
                let _ =
                    prospect::portfolio::rank::Weights::with_overrides(&base, &[text.to_owned()]);
            }
        }),
    ];
    let mut replayed = 0;
    for (target, run) in targets {
        let dir = std::path::Path::new("tests/fixtures/fuzz/corpus").join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            run(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} fuzz corpus inputs");
    assert!(
        replayed > 1000,
        "the corpus under tests/fixtures/fuzz/corpus/ is missing"
    );
}
