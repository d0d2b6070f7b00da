//! Input coordinate reference systems. prospect works in WGS84 longitude/latitude (x = lon,
//! y = lat, as RFC 7946). Inputs in another CRS (a UTM zone, Australia's MGA, Japan's
//! plane rectangular zones) are reprojected on read when prospect is built with the `proj`
//! feature (C PROJ, built from source); without it they are refused with a message naming
//! the feature. Coordinates are always taken in "visualisation" order, easting (or
//! longitude) first, whatever the CRS's official axis order: EPSG:4326 is lat/lon by the
//! book, and EPSG:6677 northing/easting, but prospect reads x before y.

use crate::read::record::SiteGeometry;

/// Names that mean WGS84 longitude/latitude.
pub fn is_wgs84(name: &str) -> bool {
    const NAMES: [&str; 7] = [
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "OGC:CRS84",
        "CRS84",
        "EPSG:4326",
        "urn:ogc:def:crs:EPSG::4326",
        "WGS84",
    ];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name.trim()))
}

/// Turns geometries in an input CRS into WGS84 lon/lat.
pub struct Reprojector {
    #[cfg(feature = "proj")]
    proj: proj::Proj,
    name: String,
}

impl std::fmt::Debug for Reprojector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reprojector({})", self.name)
    }
}

impl Reprojector {
    /// A reprojector from `crs` (EPSG:NNNN, a PROJ string, WKT) to WGS84 lon/lat.
    #[cfg(feature = "proj")]
    pub fn new(crs: &str) -> Result<Reprojector, String> {
        let proj = proj::Proj::new_known_crs(crs, "OGC:CRS84", None)
            .map_err(|e| format!("PROJ cannot reproject from {crs:?}: {e}"))?;
        Ok(Reprojector {
            proj,
            name: crs.to_owned(),
        })
    }

    /// Without the `proj` feature no CRS but WGS84 can be read.
    #[cfg(not(feature = "proj"))]
    pub fn new(crs: &str) -> Result<Reprojector, String> {
        Err(format!(
            "the input is in {crs:?}, not WGS84 lon/lat, and this prospect was built without reprojection: rebuild with `cargo build --release --features proj` (needs cmake, a C++ compiler and sqlite3), or reproject to EPSG:4326 first"
        ))
    }

    /// The CRS this reprojects from.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reprojects every vertex of a geometry.
    #[cfg(feature = "proj")]
    pub fn geometry(&self, g: &SiteGeometry) -> Result<SiteGeometry, String> {
        use geo::MapCoords;
        g.try_map_coords(|c| {
            let (x, y) = self
                .proj
                .convert((c.x, c.y))
                .map_err(|e| format!("cannot reproject ({}, {}): {e}", c.x, c.y))?;
            Ok(geo::coord! { x: x, y: y })
        })
    }

    #[cfg(not(feature = "proj"))]
    pub fn geometry(&self, _g: &SiteGeometry) -> Result<SiteGeometry, String> {
        Err("reprojection needs the proj feature".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wgs84_names() {
        assert!(is_wgs84("urn:ogc:def:crs:OGC:1.3:CRS84"));
        assert!(is_wgs84("epsg:4326"));
        assert!(!is_wgs84("EPSG:28350"));
    }

    #[cfg(not(feature = "proj"))]
    #[test]
    fn without_proj_a_projected_crs_names_the_feature() {
        let e = Reprojector::new("EPSG:28350").unwrap_err();
        assert!(e.contains("--features proj"), "{e}");
    }

    /// Reference values from PROJ 9.1.1's cs2cs (`echo "E N" | cs2cs -d 9 EPSG:x OGC:CRS84`;
    /// EPSG:6677 takes northing first on the command line), an independent build of PROJ.
    #[cfg(feature = "proj")]
    #[test]
    fn reprojects_known_points_within_a_centimetre() {
        let cases = [
            (
                "EPSG:32654",
                (500_000.0, 3_950_000.0),
                (141.000000000, 35.693914822),
            ),
            (
                "EPSG:28350",
                (400_000.0, 7_350_000.0),
                (116.017168995, -23.958678553),
            ),
            (
                "EPSG:6677",
                (-6_000.0, -36_000.0),
                (139.767051524, 35.675496362),
            ),
        ];
        for (crs, (x, y), (lon, lat)) in cases {
            let r = Reprojector::new(crs).unwrap();
            let g = r.geometry(&geo::Point::new(x, y).into()).unwrap();
            let geo::Geometry::Point(p) = g else { panic!() };
            // 1e-7 degrees is about 1.1 cm of latitude.
            assert!(
                (p.x() - lon).abs() < 1e-7 && (p.y() - lat).abs() < 1e-7,
                "{crs}: {p:?}"
            );
        }
    }
}
