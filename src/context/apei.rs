//! Areas of Particular Environmental Interest (APEIs): the areas of the Clarion-Clipperton
//! Zone the ISA keeps free of mining (ISBA/18/C/22, 2012; ISBA/26/C/58, 2021). For a
//! seabed site, the nearest APEI of the protected-area layer (features with `kind` =
//! `apei`) at any distance: the overlap in km² for a licence polygon, else the geodesic
//! distance from the site (its point, or every vertex of its densified outline) to the
//! APEI's densified boundary.

use geo::{BooleanOps, Contains, CoordsIter, Densify, Euclidean, GeodesicArea, Intersects};
use serde::Serialize;

use super::layers::{Area, ELLIPSOID_OVER_SPHERE, chord_km, geodesic_km, unit};
use crate::read::record::SiteGeometry;

/// Boundaries are densified to this step, degrees (about 5.5 km), so that the distance to
/// the nearest vertex is within a fraction of a kilometre of the distance to the edge. The
/// ISA draws APEI edges straight in longitude and latitude, so the densifying is linear in
/// degrees.
const STEP_DEG: f64 = 0.05;

/// The `kind` of an APEI feature in the protected-area layer.
pub const KIND: &str = "apei";

/// The APEIs of a protected-area layer, with their densified boundaries.
#[derive(Debug, Default)]
pub struct Apeis {
    areas: Vec<(Area, Vec<geo::Point<f64>>)>,
}

/// A seabed site against the nearest APEI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApeiRelation {
    pub name: String,
    /// Whether the site lies inside or overlaps the APEI.
    pub overlaps: bool,
    /// Geodesic distance from the site to the APEI's boundary, km (0 when inside or
    /// overlapping).
    pub distance_km: f64,
    /// Licence area inside the APEI, km² (polygon sites only).
    pub overlap_km2: Option<f64>,
    /// That overlap as a share of the licence, % (polygon sites only).
    pub overlap_share_pct: Option<f64>,
}

impl Apeis {
    /// The APEIs among `areas` (kind `apei`).
    pub fn new(areas: &[Area]) -> Apeis {
        Apeis {
            areas: areas
                .iter()
                .filter(|a| a.kind.as_deref() == Some(KIND))
                .map(|a| {
                    let dense = Euclidean.densify(&a.geometry, STEP_DEG);
                    let points = dense.coords_iter().map(geo::Point::from).collect();
                    (a.clone(), points)
                })
                .collect(),
        }
    }

    /// Whether the layer holds any APEI.
    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// The site's relation to the nearest APEI (overlapping ones first, the largest
    /// overlap first).
    pub fn nearest(&self, g: &SiteGeometry, p: geo::Point<f64>) -> Option<ApeiRelation> {
        let polygon = match g {
            geo::Geometry::Polygon(poly) => Some(geo::MultiPolygon(vec![poly.clone()])),
            geo::Geometry::MultiPolygon(mp) => Some(mp.clone()),
            _ => None,
        };
        let site_km2 = polygon.as_ref().map(|mp| mp.geodesic_area_unsigned() / 1e6);
        let site_points: Vec<geo::Point<f64>> = match &polygon {
            Some(mp) => Euclidean
                .densify(mp, STEP_DEG)
                .coords_iter()
                .map(geo::Point::from)
                .collect(),
            None => vec![p],
        };
        let mut best: Option<ApeiRelation> = None;
        for (area, boundary) in &self.areas {
            let (overlaps, overlap_km2) = match &polygon {
                Some(mp) => {
                    let km2 = mp.intersection(&area.geometry).geodesic_area_unsigned() / 1e6;
                    (km2 > 0.0, Some(km2))
                }
                None => (
                    area.geometry.contains(&p) || area.geometry.intersects(g),
                    None,
                ),
            };
            let distance = if overlaps {
                0.0
            } else {
                distance_km(&site_points, boundary)
            };
            let candidate = ApeiRelation {
                name: area.name.clone(),
                overlaps,
                distance_km: distance,
                overlap_km2,
                overlap_share_pct: match (overlap_km2, site_km2) {
                    (Some(o), Some(s)) if s > 0.0 => Some((o / s * 100.0).min(100.0)),
                    _ => None,
                },
            };
            let better = match &best {
                None => true,
                Some(b) => {
                    (candidate.distance_km, -candidate.overlap_km2.unwrap_or(0.0))
                        < (b.distance_km, -b.overlap_km2.unwrap_or(0.0))
                }
            };
            if better {
                best = Some(candidate);
            }
        }
        best
    }
}

/// The shortest geodesic distance between two point sets, km: sphere distances for every
/// pair, then the ellipsoid for the pairs that can be the nearest.
fn distance_km(a: &[geo::Point<f64>], b: &[geo::Point<f64>]) -> f64 {
    let bu: Vec<[f64; 3]> = b.iter().map(|q| unit(*q)).collect();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    let mut nearest = f64::INFINITY;
    for (i, pa) in a.iter().enumerate() {
        let u = unit(*pa);
        for (j, v) in bu.iter().enumerate() {
            let km = chord_km((0..3).map(|k| (u[k] - v[k]).powi(2)).sum());
            nearest = nearest.min(km);
            pairs.push((km, i, j));
        }
    }
    let reach = nearest * ELLIPSOID_OVER_SPHERE.1 / ELLIPSOID_OVER_SPHERE.0 + 1e-6;
    pairs
        .iter()
        .filter(|(km, _, _)| *km <= reach)
        .map(|(_, i, j)| geodesic_km(a[*i], b[*j]))
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Context;
    use crate::read::record::{DepositType, Location, ProjectRecord};

    fn seabed(g: SiteGeometry) -> ProjectRecord {
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "S".into();
        r.geometry = Some(g);
        r.geology.deposit_type = Some(DepositType::PolymetallicNodules);
        r
    }

    fn square(w: f64, s: f64, e: f64, n: f64) -> geo::Polygon<f64> {
        geo::Polygon::new(
            geo::LineString::from(vec![(w, s), (e, s), (e, n), (w, n), (w, s)]),
            vec![],
        )
    }

    #[test]
    fn the_thirteen_apeis_are_in_the_built_in_layer() {
        let c = Context::builtin().unwrap();
        assert_eq!(c.apeis.areas.len(), 13);
    }

    #[test]
    fn a_licence_overlapping_an_apei_reports_the_overlap_in_km2() {
        // APEI-01's west edge is at 155.1258 W between 11.18 and 14.78 N. A licence from
        // 155.6258 W to 154.6258 W, 12 to 13 N, has its eastern half inside: 0.5 deg x 1 deg
        // at 12.5 N. By hand on WGS84: 0.5 x 111.32 km x cos(12.5 deg) = 54.34 km wide (the
        // parallel's degree at 12.5 N is 108.70 km; half of it is 54.35), times the meridian
        // degree near 12.5 N, 110.62 km: about 6,012 km².
        let c = Context::builtin().unwrap();
        let r = seabed(square(-155.6258, 12.0, -154.6258, 13.0).into());
        let ctx = c.locate(&r);
        let a = ctx.apei.expect("an APEI near the CCZ");
        assert_eq!(a.name, "APEI-01");
        assert!(a.overlaps);
        let km2 = a.overlap_km2.unwrap();
        assert!((km2 - 6012.0).abs() < 60.0, "{km2}");
        let share = a.overlap_share_pct.unwrap();
        assert!((share - 50.0).abs() < 0.5, "{share}");
    }

    #[test]
    fn distance_to_an_apei_edge_not_to_its_corners() {
        // A point 1 degree of longitude west of APEI-01's west edge at 13 N, level with the
        // middle of the edge: 1 deg of longitude at 13 N on WGS84 is 108.48 km,
        // far less than the distance to either corner (about 220 km).
        let c = Context::builtin().unwrap();
        let r = seabed(geo::Point::new(-156.1258, 13.0).into());
        let a = c.locate(&r).apei.unwrap();
        assert!(!a.overlaps);
        assert!((a.distance_km - 108.48).abs() < 0.5, "{}", a.distance_km);
    }
}
