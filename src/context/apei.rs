//! Areas of Particular Environmental Interest (APEIs): the areas of the Clarion-Clipperton
//! Zone the ISA keeps free of mining (ISBA/18/C/22, 2012; ISBA/26/C/58, 2021). For a
//! seabed site, the nearest APEI of the protected-area layer (features with `kind` =
//! `apei`) at any distance: the overlap in km² for a licence polygon, else the geodesic
//! distance from the site (its point, or every vertex of its densified outline) to the
//! APEI's densified boundary.

use geo::{
    BooleanOps, BoundingRect, Contains, CoordsIter, Densify, Euclidean, GeodesicArea, Intersects,
};
use serde::Serialize;

use super::layers::{
    Area, ELLIPSOID_OVER_SPHERE, chord_km, chord2, geodesic_km, sphere_bound_km, unit,
};
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
    areas: Vec<(Area, Boundary)>,
}

/// An APEI's densified boundary: its vertices, their unit vectors on the sphere, and the
/// APEI's bounding box.
#[derive(Debug, Default)]
struct Boundary {
    points: Vec<geo::Point<f64>>,
    units: Vec<[f64; 3]>,
    rect: Option<geo::Rect<f64>>,
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
                    let points: Vec<geo::Point<f64>> =
                        dense.coords_iter().map(geo::Point::from).collect();
                    let units = points.iter().map(|q| unit(*q)).collect();
                    let rect = a.geometry.bounding_rect();
                    (
                        a.clone(),
                        Boundary {
                            points,
                            units,
                            rect,
                        },
                    )
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
        let site_units: Vec<[f64; 3]> = site_points.iter().map(|q| unit(*q)).collect();
        let site_rect = g.bounding_rect();
        // APEIs nearest on the sphere first, so that the nearest is measured early and
        // those that cannot come nearer are left unmeasured; ties go to the layer's order,
        // as when the APEIs were visited in it.
        let mut order: Vec<(f64, usize)> = self
            .areas
            .iter()
            .enumerate()
            .map(|(k, (_, b))| (nearest_d2(&site_units, b), k))
            .collect();
        order.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        let mut best: Option<(ApeiRelation, usize)> = None;
        for (sphere_d2, k) in order {
            let (area, boundary) = &self.areas[k];
            // Boxes apart: no overlap (the intersection is empty, its area 0).
            let apart = match (site_rect, boundary.rect) {
                (Some(s), Some(b)) => !s.intersects(&b),
                _ => false,
            };
            let (overlaps, overlap_km2) = match &polygon {
                Some(_) if apart => (false, Some(0.0)),
                None if apart => (false, None),
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
                // An APEI that cannot come nearer than the best so far is not measured on
                // the ellipsoid (it would not be chosen).
                let beat = best.as_ref().map(|b| b.0.distance_km);
                match distance_km(&site_points, &site_units, boundary, sphere_d2, beat) {
                    Some(d) => d,
                    None => continue,
                }
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
                Some((b, bk)) => {
                    let key = (candidate.distance_km, -candidate.overlap_km2.unwrap_or(0.0));
                    let best_key = (b.distance_km, -b.overlap_km2.unwrap_or(0.0));
                    key < best_key || (key == best_key && k < *bk)
                }
            };
            if better {
                best = Some((candidate, k));
            }
        }
        best.map(|(b, _)| b)
    }
}

/// The squared chord on the unit sphere of the pair nearest on the sphere (the chord is
/// monotone in the great-circle distance).
fn nearest_d2(au: &[[f64; 3]], b: &Boundary) -> f64 {
    let mut nearest = f64::INFINITY;
    for u in au {
        for v in &b.units {
            nearest = nearest.min(d2(u, v));
        }
    }
    nearest
}

/// Squared distance between two unit vectors.
fn d2(u: &[f64; 3], v: &[f64; 3]) -> f64 {
    (0..3).map(|k| (u[k] - v[k]).powi(2)).sum()
}

/// The shortest geodesic distance between two point sets, km (`nearest_d2` their
/// [`nearest_d2`]): sphere distances for every
/// pair, then the ellipsoid for the pairs that can be the nearest, nearest on the sphere
/// first, until no pair left can be nearer on the ellipsoid (the geodesic is at least
/// [`ELLIPSOID_OVER_SPHERE`]`.0` times the sphere distance). `None` when no pair can come
/// nearer than `beat` km.
fn distance_km(
    a: &[geo::Point<f64>],
    au: &[[f64; 3]],
    b: &Boundary,
    nearest_d2: f64,
    beat: Option<f64>,
) -> Option<f64> {
    let nearest = chord_km(nearest_d2);
    if beat.is_some_and(|best| nearest > sphere_bound_km(best)) {
        return None;
    }
    let reach = nearest * ELLIPSOID_OVER_SPHERE.1 / ELLIPSOID_OVER_SPHERE.0 + 1e-6;
    // Chords a little beyond the reach, then the reach itself on each pair's distance.
    let reach_d2 = chord2(reach) * (1.0 + 1e-6) + 1e-12;
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, u) in au.iter().enumerate() {
        for (j, v) in b.units.iter().enumerate() {
            let x = d2(u, v);
            if x <= reach_d2 {
                let km = chord_km(x);
                if km <= reach {
                    pairs.push((km, i, j));
                }
            }
        }
    }
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut best = f64::INFINITY;
    for (km, i, j) in pairs {
        if best.is_finite() && km > sphere_bound_km(best) {
            break;
        }
        best = best.min(geodesic_km(a[i], b.points[j]));
    }
    Some(best)
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

    /// The nearest pair measured on the ellipsoid in sphere order with the early stop is
    /// the least geodesic over every pair, measured one by one (every APEI's boundary
    /// against a grid of points and a densified licence); and an APEI that cannot beat a
    /// distance is left unmeasured only when it is farther.
    #[test]
    fn the_early_stop_finds_the_least_geodesic_of_all_pairs() {
        let c = Context::builtin().unwrap();
        let licence = Euclidean.densify(&square(-150.0, 8.0, -149.0, 9.0), STEP_DEG);
        let licence: Vec<geo::Point<f64>> = licence.coords_iter().map(Into::into).collect();
        let mut sites: Vec<Vec<geo::Point<f64>>> = vec![licence];
        for lon in [-160.0, -152.5, -140.0, -125.0] {
            for lat in [0.0, 9.5, 14.0, 20.0] {
                sites.push(vec![geo::Point::new(lon, lat)]);
            }
        }
        for a in &sites {
            let au: Vec<[f64; 3]> = a.iter().map(|q| unit(*q)).collect();
            for (_, b) in &c.apeis.areas {
                let all = a
                    .iter()
                    .flat_map(|p| b.points.iter().map(|q| geodesic_km(*p, *q)))
                    .fold(f64::INFINITY, f64::min);
                let near = nearest_d2(&au, b);
                assert_eq!(distance_km(a, &au, b, near, None), Some(all));
                assert_eq!(distance_km(a, &au, b, near, Some(all * 2.0)), Some(all));
                assert_eq!(distance_km(a, &au, b, near, Some(all * 0.98 - 1.0)), None);
            }
        }
    }

    /// Visiting the APEIs nearest first picks the APEI the layer's order picks: the least
    /// geodesic over every APEI's every boundary vertex (the first in the layer on a tie),
    /// for point sites near the CCZ and oceans away.
    #[test]
    fn the_nearest_apei_is_the_least_of_all_measured_one_by_one() {
        let c = Context::builtin().unwrap();
        for lon in [-170.0, -150.0, -135.0, -118.0, -60.0, 20.0, 150.0] {
            for lat in [-40.0, -5.0, 10.0, 16.0, 35.0] {
                let p = geo::Point::new(lon, lat);
                let mut brute: Option<(f64, &str)> = None;
                for (area, b) in &c.apeis.areas {
                    let d = if area.geometry.contains(&p) {
                        0.0
                    } else {
                        b.points
                            .iter()
                            .map(|q| geodesic_km(p, *q))
                            .fold(f64::INFINITY, f64::min)
                    };
                    if brute.is_none_or(|(best, _)| d < best) {
                        brute = Some((d, &area.name));
                    }
                }
                let found = c.apeis.nearest(&p.into(), p).unwrap();
                let (d, name) = brute.unwrap();
                assert_eq!(
                    (found.distance_km, found.name.as_str()),
                    (d, name),
                    "at {p:?}"
                );
            }
        }
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
