//! `prospect export --format fgb`, the streamed export and the style of layers that mix
//! points and polygons (issue 20). The FlatGeobuf layer is read back by GDAL (ogrinfo and
//! ogr2ogr, from gdal-bin, which .ci/run installs) and by the flatgeobuf crate.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

/// A polygon site (the NORI-D contract area under an id of its own).
const TENEMENT: &str = "tests/fixtures/export/tenement.geojson";

fn export(files: &[&str], out: &Path, extra: &[&str]) {
    cargo_bin_cmd!("prospect")
        .arg("export")
        .args(files)
        .args(["--as-of", "2026", "--draws", "200", "--quiet", "--output"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn features_by_id(path: &Path) -> BTreeMap<String, Value> {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["properties"]["id"].as_str().unwrap().to_owned(),
                f.clone(),
            )
        })
        .collect()
}

fn ogr(tool: &str) {
    assert!(
        Command::new(tool).arg("--version").output().is_ok(),
        "GDAL's {tool} is not installed (apt-get install gdal-bin); CI must install it (.ci/run does)"
    );
}

/// Needs GDAL's ogrinfo and ogr2ogr: build.rs marks the test ignored (with this reason)
/// when ogrinfo is not on PATH, except under CI, where a missing tool fails the test.
#[test]
#[cfg_attr(
    missing_ogrinfo,
    ignore = "SKIPPED: needs GDAL's ogrinfo, not on PATH (apt-get install gdal-bin); under CI it fails instead"
)]
fn ogrinfo_reads_the_flatgeobuf_layer_with_typed_fields_and_the_geojson_values() {
    ogr("ogrinfo");
    ogr("ogr2ogr");
    let dir = tempfile::tempdir().unwrap();
    let fgb = dir.path().join("sites.fgb");
    let json = dir.path().join("sites.geojson");
    export(&["samples/projects.geojson"], &fgb, &["--format", "fgb"]);
    export(&["samples/projects.geojson"], &json, &[]);
    let info = Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(&fgb)
        .output()
        .unwrap();
    assert!(
        info.status.success(),
        "{}",
        String::from_utf8_lossy(&info.stderr)
    );
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(text.contains("using driver `FlatGeobuf'"), "{text}");
    assert!(text.contains("Layer name: sites"), "{text}");
    assert!(text.contains("Feature Count: 28"), "{text}");
    assert!(text.contains("Geometry: Point"), "{text}");
    assert!(text.contains("ID[\"EPSG\",4326]"), "{text}");
    let field_type = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(|t| t.split(" (").next().unwrap_or("").to_owned())
            .unwrap_or_else(|| panic!("{name} not in ogrinfo's fields: {text}"))
    };
    for (name, want) in [
        ("id", "String"),
        ("npv_musd", "Real"),
        ("capex_m", "Real"),
        ("chance_of_success", "Real"),
        ("score", "Real"),
        ("stage_year", "Integer"),
        ("first_production_year", "Integer"),
        ("rank", "Integer"),
        ("valued", "Integer(Boolean)"),
        ("pareto", "Integer(Boolean)"),
        ("first_production_date", "DateTime"),
    ] {
        assert_eq!(field_type(name), want, "{name}");
    }
    // The same fields as the GeoJSON layer, each of one type: every field that holds a
    // number in the GeoJSON is Real or Integer here.
    let geojson = features_by_id(&json);
    let fields: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(k, _)| k))
        .collect();
    for f in geojson.values() {
        for (k, v) in f["properties"].as_object().unwrap() {
            assert!(
                fields.contains(&k.as_str()),
                "{k} missing from the FlatGeobuf layer"
            );
            if v.is_f64() {
                assert_eq!(field_type(k), "Real", "{k}");
            }
        }
    }
    // GDAL's reading of every feature gives the GeoJSON layer's values and geometry.
    let back = dir.path().join("back.geojson");
    let conv = Command::new("ogr2ogr")
        .args(["-f", "GeoJSON"])
        .arg(&back)
        .arg(&fgb)
        .output()
        .unwrap();
    assert!(
        conv.status.success(),
        "{}",
        String::from_utf8_lossy(&conv.stderr)
    );
    let read = features_by_id(&back);
    assert_eq!(read.len(), geojson.len());
    let mut compared = 0;
    for (id, f) in &geojson {
        let g = &read[id];
        assert_eq!(g["geometry"], f["geometry"], "{id}");
        for (k, v) in f["properties"].as_object().unwrap() {
            let w = &g["properties"][k];
            match v {
                Value::Null => assert!(w.is_null(), "{id} {k}: {w}"),
                Value::Bool(b) => assert_eq!(
                    w.as_i64().map(|x| x != 0).or(w.as_bool()),
                    Some(*b),
                    "{id} {k}"
                ),
                Value::String(s) if k.ends_with("_date") => {
                    assert!(w.as_str().unwrap().starts_with(s.as_str()), "{id} {k}: {w}")
                }
                _ => assert_eq!(w, v, "{id} {k}"),
            }
            compared += 1;
        }
    }
    assert!(compared > 28 * 60, "{compared}");
}

#[test]
fn the_flatgeobuf_layer_has_a_spatial_index_and_every_feature() {
    let dir = tempfile::tempdir().unwrap();
    let fgb = dir.path().join("sites.fgb");
    export(
        &["samples/projects.geojson", TENEMENT],
        &fgb,
        &["--format", "fgb"],
    );
    let mut file = std::io::BufReader::new(std::fs::File::open(&fgb).unwrap());
    let reader = flatgeobuf::FgbReader::open(&mut file).unwrap();
    let header = reader.header();
    assert_eq!(header.features_count(), 29);
    // A packed Hilbert R-tree of 16-entry nodes (the FlatGeobuf default).
    assert_eq!(header.index_node_size(), 16);
    // Points and a polygon: each feature carries its own type.
    assert_eq!(header.geometry_type(), flatgeobuf::GeometryType::Unknown);
    assert_eq!(header.crs().map(|c| c.code()), Some(4326));
    // A bounding-box query through the index finds the tenement (in the Clarion-Clipperton
    // Zone, 117.8-116.1 W, 9.9-11.1 N) and the NORI-D point, and nothing on land.
    let mut file = std::io::BufReader::new(std::fs::File::open(&fgb).unwrap());
    let mut found = flatgeobuf::FgbReader::open(&mut file)
        .unwrap()
        .select_bbox(-118.0, 9.0, -116.0, 11.5)
        .unwrap();
    use flatgeobuf::{FallibleStreamingIterator as _, FeatureProperties as _};
    let mut ids = Vec::new();
    while let Some(f) = found.next().unwrap() {
        ids.push(f.property::<String>("id").unwrap());
    }
    ids.sort();
    assert_eq!(ids, ["NORID", "NORID-TENEMENT"]);
}

#[test]
fn a_layer_of_points_and_polygons_is_styled_for_both() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sites.geojson");
    export(&["samples/projects.geojson", TENEMENT], &out, &["--qml"]);
    let features = features_by_id(&out);
    assert_eq!(features["NORID-TENEMENT"]["geometry"]["type"], "Polygon");
    assert_eq!(features["NORID"]["geometry"]["type"], "Point");
    let qml = std::fs::read_to_string(out.with_extension("qml")).unwrap();
    assert!(qml.contains(r#"<renderer-v2 type="RuleRenderer""#), "{qml}");
    // One rule per geometry type, each with symbols of its type: circles for points,
    // fills for polygons (QGIS draws a polygon only with a fill symbol, a point only
    // with a marker).
    for (geometry, symbol) in [("Point", "marker"), ("Polygon", "fill")] {
        let start = qml
            .find(&format!(
                "filter=\"geometry_type($geometry) = '{geometry}'\""
            ))
            .unwrap_or_else(|| panic!("no rule for {geometry}s"));
        let block = &qml[start..start + qml[start..].find("</rule>").unwrap()];
        let symbols: Vec<&str> = block
            .split("symbol=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        assert_eq!(
            symbols.len(),
            6,
            "five score classes and the unranked: {block}"
        );
        for n in symbols {
            assert!(
                qml.contains(&format!("<symbol type=\"{symbol}\" name=\"{n}\"")),
                "{geometry} rule's symbol {n} is not a {symbol}"
            );
        }
    }
    assert!(qml.contains("class=\"SimpleFill\"") && qml.contains("class=\"SimpleMarker\""));
}

#[test]
fn the_streamed_export_writes_the_layer_the_report_writes() {
    let dir = tempfile::tempdir().unwrap();
    let exported = dir.path().join("sites.geojson");
    export(&["samples/projects.geojson", TENEMENT], &exported, &[]);
    let reported = dir.path().join("report").join("sites.geojson");
    std::fs::create_dir(reported.parent().unwrap()).unwrap();
    cargo_bin_cmd!("prospect")
        .args(["report", "samples/projects.geojson", TENEMENT])
        .args(["--as-of", "2026", "--draws", "200", "--quiet", "--output"])
        .arg(dir.path().join("report.html"))
        .arg("--geojson")
        .arg(&reported)
        .assert()
        .success();
    // The report builds its layer in memory, export streams it through a temporary file:
    // byte for byte the same.
    assert_eq!(
        std::fs::read(&exported).unwrap(),
        std::fs::read(&reported).unwrap()
    );
}

#[test]
fn geojson_sequences_and_flatgeobuf_go_to_standard_output_too() {
    for format in ["geojsonseq", "fgb"] {
        let out = cargo_bin_cmd!("prospect")
            .args([
                "export",
                "samples/projects.csv",
                "--as-of",
                "2026",
                "--draws",
                "0",
                "--quiet",
            ])
            .args(["--format", format])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        match format {
            "fgb" => assert_eq!(&out.stdout[..3], b"fgb"),
            _ => assert_eq!(out.stdout.iter().filter(|b| **b == 0x1e).count(), 28),
        }
    }
}
