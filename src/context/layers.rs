//! Indexed context layers: points in an R-tree of unit vectors on the sphere (the nearest
//! by chord is the nearest by great circle; the few candidates that could be nearer on the
//! WGS84 ellipsoid are then measured exactly), polygons in an R-tree of bounding boxes.

use geo::{BoundingRect, Distance, Geodesic};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::Serialize;

use crate::read::record::SiteGeometry;

pub(super) const EARTH_RADIUS_KM: f64 = 6371.0;

/// A named point of a context layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    pub name: String,
    pub country: Option<String>,
    /// Plants: `separation` or `cracking`.
    pub kind: Option<String>,
    /// Plants: `operating`, `construction` or `planned`.
    pub status: Option<String>,
    #[serde(skip)]
    pub point: geo::Point<f64>,
}

/// A polygon of a context layer (a jurisdiction zone or a protected area).
#[derive(Debug, Clone)]
pub struct Area {
    pub name: String,
    pub country: Option<String>,
    pub kind: Option<String>,
    pub geometry: geo::MultiPolygon<f64>,
}

pub(super) type Indexed = GeomWithData<[f64; 3], usize>;
pub(super) type Boxed = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Points with a nearest-neighbour index.
#[derive(Debug)]
pub(super) struct PointLayer {
    pub(super) places: Vec<Place>,
    pub(super) index: RTree<Indexed>,
}

pub(super) fn unit(p: geo::Point<f64>) -> [f64; 3] {
    let (lon, lat) = (p.x().to_radians(), p.y().to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// Great-circle distance (km) from a chord on the unit sphere.
pub(super) fn chord_km(d2: f64) -> f64 {
    2.0 * EARTH_RADIUS_KM * (d2.sqrt() / 2.0).min(1.0).asin()
}

/// Geodesic distance on the WGS84 ellipsoid, km.
pub fn geodesic_km(a: geo::Point<f64>, b: geo::Point<f64>) -> f64 {
    Geodesic.distance(a, b) / 1000.0
}

/// The squared chord on the unit sphere of a great-circle distance in km.
pub(super) fn chord2(km: f64) -> f64 {
    let half = (km / (2.0 * EARTH_RADIUS_KM)).min(std::f64::consts::FRAC_PI_2);
    4.0 * half.sin().powi(2)
}

/// The geodesic distance on the WGS84 ellipsoid over the great-circle distance on a sphere
/// of radius [`EARTH_RADIUS_KM`] lies between these (the meridional radius of curvature
/// runs from 6,335.4 km at the equator to 6,399.6 km at the poles; every other geodesic
/// lies between the two).
pub(super) const ELLIPSOID_OVER_SPHERE: (f64, f64) = (0.9944, 1.0045);

/// A place whose sphere distance exceeds this cannot be nearer on the ellipsoid than one
/// at `best_km` (a little margin for rounding).
pub(super) fn sphere_bound_km(best_km: f64) -> f64 {
    best_km / ELLIPSOID_OVER_SPHERE.0 * (1.0 + 1e-9) + 1e-6
}

impl PointLayer {
    /// A layer indexing the places that `keep` accepts.
    pub(super) fn new(places: Vec<Place>, keep: impl Fn(&Place) -> bool) -> Self {
        let index = RTree::bulk_load(
            places
                .iter()
                .enumerate()
                .filter(|(_, p)| keep(p))
                .map(|(i, p)| Indexed::new(unit(p.point), i))
                .collect(),
        );
        PointLayer { places, index }
    }

    /// The nearest place, with its geodesic distance in km: the nearest on the sphere,
    /// then every place close enough on the sphere to be nearer on the ellipsoid.
    /// The place is given by its index in `places`.
    pub(super) fn nearest_at(&self, p: geo::Point<f64>) -> Option<(usize, f64)> {
        let q = unit(p);
        let first = self.index.nearest_neighbor(&q)?;
        let mut best = (first.data, geodesic_km(p, self.places[first.data].point));
        let reach = chord2(sphere_bound_km(best.1));
        for item in self.index.locate_within_distance(q, reach) {
            if item.data == best.0 {
                continue;
            }
            let km = geodesic_km(p, self.places[item.data].point);
            if km < best.1 || (km == best.1 && item.data < best.0) {
                best = (item.data, km);
            }
        }
        Some(best)
    }
}

/// Polygons with a bounding-box index.
#[derive(Debug)]
pub(super) struct AreaLayer {
    pub(super) areas: Vec<Area>,
    pub(super) index: RTree<Boxed>,
}

impl AreaLayer {
    pub(super) fn new(areas: Vec<Area>) -> Self {
        let boxes = areas
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let r = a.geometry.bounding_rect()?;
                Some(Boxed::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        AreaLayer {
            areas,
            index: RTree::bulk_load(boxes),
        }
    }

    /// Areas whose box comes within `margin_deg` of the geometry's box.
    pub(super) fn candidates(&self, g: &SiteGeometry, margin_deg: f64) -> Vec<&Area> {
        let Some(r) = g.bounding_rect() else {
            return Vec::new();
        };
        let env = AABB::from_corners(
            [r.min().x - margin_deg, r.min().y - margin_deg],
            [r.max().x + margin_deg, r.max().y + margin_deg],
        );
        let mut found: Vec<usize> = self
            .index
            .locate_in_envelope_intersecting(&env)
            .map(|b| b.data)
            .collect();
        found.sort_unstable();
        found.into_iter().map(|i| &self.areas[i]).collect()
    }
}
