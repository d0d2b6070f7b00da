//! Site geometries as GIS users draw them: either winding, split at the antimeridian,
//! around a pole, and large. Expected areas are worked by hand on the sphere
//! (A = R² |Δλ| |sin φ₁ - sin φ₂|) and held to the ellipsoid's 0.5 % difference from it.

use std::path::PathBuf;

use prospect::context::Context;
use prospect::read::read_all;

/// Reads one GeoJSON feature with `geometry` (a GeoJSON geometry object).
fn read(geometry: &str) -> (prospect::read::Dataset, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("site.geojson");
    let text = format!(
        r#"{{"type": "FeatureCollection", "features": [{{"type": "Feature", "id": "G1",
        "geometry": {geometry},
        "properties": {{"name": "Site", "country": "FJ", "deposit_type": "carbonatite", "stage": "exploration"}}}}]}}"#
    );
    std::fs::write(&path, text).unwrap();
    (read_all(&[path]).unwrap(), dir)
}

fn messages(d: &prospect::read::Dataset) -> Vec<String> {
    d.diagnostics.iter().map(|x| x.to_string()).collect()
}

/// The sphere's area of a lon/lat box, km² (R = 6,371 km).
fn box_km2(lon0: f64, lon1: f64, lat0: f64, lat1: f64) -> f64 {
    let r = 6371.0_f64;
    r * r
        * (lon1 - lon0).abs().to_radians()
        * (lat1.to_radians().sin() - lat0.to_radians().sin()).abs()
}

#[test]
fn a_clockwise_ring_has_the_area_of_the_site_not_of_the_rest_of_the_earth() {
    // 0.1° x 0.1° at the equator, drawn clockwise: about 123.6 km² by hand.
    let (d, _dir) = read(
        r#"{"type": "Polygon", "coordinates": [[[10.0, 0.0], [10.0, 0.1], [10.1, 0.1], [10.1, 0.0], [10.0, 0.0]]]}"#,
    );
    assert!(!d.has_errors(), "{:?}", messages(&d));
    let site = Context::builtin().unwrap().locate(&d.records[0]);
    let km2 = site.site_area_km2.unwrap();
    let hand = box_km2(10.0, 10.1, 0.0, 0.1);
    assert!(
        (km2 / hand - 1.0).abs() < 0.005,
        "{km2} km² against {hand} km² by hand"
    );
}

#[test]
fn a_multipolygon_split_at_the_antimeridian_is_accepted() {
    // Fiji-like: 179.5..180 and -180..-179.5, each 0.5° wide.
    let (d, _dir) = read(
        r#"{"type": "MultiPolygon", "coordinates": [
            [[[179.5, -17.0], [180.0, -17.0], [180.0, -16.5], [179.5, -16.5], [179.5, -17.0]]],
            [[[-180.0, -17.0], [-179.5, -17.0], [-179.5, -16.5], [-180.0, -16.5], [-180.0, -17.0]]]]}"#,
    );
    assert!(!d.has_errors(), "{:?}", messages(&d));
    assert!(
        !messages(&d).iter().any(|m| m.contains("antimeridian")),
        "{:?}",
        messages(&d)
    );
    let km2 = Context::builtin()
        .unwrap()
        .locate(&d.records[0])
        .site_area_km2
        .unwrap();
    let hand = box_km2(179.5, 180.5, -17.0, -16.5);
    assert!(
        (km2 / hand - 1.0).abs() < 0.005,
        "{km2} km² against {hand} km²"
    );
}

#[test]
fn one_polygon_drawn_across_the_antimeridian_the_long_way_is_refused() {
    let (d, _dir) = read(
        r#"{"type": "Polygon", "coordinates": [[[179.5, -17.0], [-179.5, -17.0], [-179.5, -16.5], [179.5, -16.5], [179.5, -17.0]]]}"#,
    );
    assert!(d.has_errors());
    assert!(
        messages(&d)
            .iter()
            .any(|m| m.contains("crosses the antimeridian the long way"))
    );
}

#[test]
fn a_polar_cap_is_not_called_an_antimeridian_crossing() {
    // The cap north of 80° N, drawn along the parallel and back over the pole.
    let (d, _dir) = read(
        r#"{"type": "Polygon", "coordinates": [[[-180.0, 80.0], [-90.0, 80.0], [0.0, 80.0], [90.0, 80.0], [180.0, 80.0], [180.0, 90.0], [-180.0, 90.0], [-180.0, 80.0]]]}"#,
    );
    assert!(
        !messages(&d).iter().any(|m| m.contains("antimeridian")),
        "{:?}",
        messages(&d)
    );
}

#[test]
fn a_self_crossing_ring_is_named_and_a_simple_one_is_not() {
    let (bowtie, _a) = read(
        r#"{"type": "Polygon", "coordinates": [[[10.0, 0.0], [10.1, 0.1], [10.1, 0.0], [10.0, 0.1], [10.0, 0.0]]]}"#,
    );
    assert!(
        messages(&bowtie)
            .iter()
            .any(|m| m.contains("warning") && m.contains("crosses or touches itself")),
        "{:?}",
        messages(&bowtie)
    );
    let (square, _b) = read(
        r#"{"type": "Polygon", "coordinates": [[[10.0, 0.0], [10.1, 0.0], [10.1, 0.1], [10.0, 0.1], [10.0, 0.0]]]}"#,
    );
    assert!(messages(&square).is_empty(), "{:?}", messages(&square));
}
