//! Spatial context: where a site sits. Geodesic distances (WGS84, Karney's algorithm via
//! `geo`) to the nearest port and the nearest separation plant outside China, distance to
//! shore, the legal regime by point-in-polygon over jurisdiction zones (onshore, the EEZ
//! of a country, or the Area), and proximity to and overlap with protected areas.
//!
//! Point layers are indexed in an R-tree of unit vectors on the sphere: the nearest point
//! by chord is the nearest by great circle, and the few nearest candidates are then
//! measured exactly on the ellipsoid. Polygon layers are indexed by bounding box.

use std::path::{Path, PathBuf};

use geo::{BooleanOps, Contains, CoordsIter, GeodesicArea, Intersects};
use serde::Serialize;
use serde_json::Value;

use crate::read::record::{ProjectRecord, Regime, SiteGeometry};

pub mod apei;
mod layers;
pub mod plants;
pub use layers::{Area, Place, geodesic_km};
use layers::{AreaLayer, ELLIPSOID_OVER_SPHERE, PointLayer, chord_km, sphere_bound_km, unit};
pub use plants::Plant;

/// The layers compiled in, from samples/context/ (sources: samples/context/SOURCES.md).
const DEFAULT_PORTS: &str = include_str!("../../samples/context/ports.geojson");
const DEFAULT_PLANTS: &str = include_str!("../../samples/context/plants.geojson");
const DEFAULT_ZONES: &str = include_str!("../../samples/context/zones.geojson");
const DEFAULT_PROTECTED: &str = include_str!("../../samples/context/protected.geojson");
const DEFAULT_LAND: &str = include_str!("../../samples/context/land.geojson");

// Protected areas: candidates measured exactly after the chord search.

/// A problem with a context layer.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("cannot read context layer {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("context layer {layer}: {message}")]
    Invalid { layer: String, message: String },
}

/// Every context layer.
#[derive(Debug)]
pub struct Context {
    ports: PointLayer,
    plants: PointLayer,
    /// Every plant of the plants layer with its capacities (issue 16's allocation).
    plant_list: Vec<Plant>,
    shore: PointLayer,
    zones: AreaLayer,
    protected: AreaLayer,
    /// The APEIs of the protected-area layer, for seabed sites at any distance.
    apeis: apei::Apeis,
    /// Protected areas farther than this are not reported, km (assumptions
    /// `context.protected_search_km`).
    protected_search_km: f64,
    /// What a first pass over the input found of each site, in input order, kept for the
    /// pass after it ([`Context::keep`], [`Context::kept`]).
    kept: std::sync::Mutex<Vec<Found>>,
}

/// The costly part of a site's context, as an earlier pass found it (64 bytes): the
/// nearest port and separation plant, the distance to the coast and, for a seabed point,
/// the nearest APEI. Every one depends on the site's point alone (the APEI on its
/// geometry, which for a point is the point), so a record at the same point reuses them.
#[derive(Debug, Clone)]
pub struct Found {
    /// The site's point: longitude and latitude, as bits.
    at: [u64; 2],
    /// Distances to the nearest port, plant and coast vertex, km.
    km: [f64; 3],
    /// Indexes of the nearest port and plant in their layers (`u32::MAX`: none).
    place: [u32; 2],
    /// Bit 0: a coast was found; bit 1: `apei` holds the site's APEI relation; [`SITE`]:
    /// the record had a site (else nothing was found).
    flags: u8,
    apei: Option<Box<apei::ApeiRelation>>,
}

/// [`Found::flags`]: the record had a site.
const SITE: u8 = 4;

impl Found {
    /// What a record without a site has: nothing, which no site reuses.
    pub fn none() -> Found {
        Found {
            at: [0; 2],
            km: [0.0; 3],
            place: [u32::MAX; 2],
            flags: 0,
            apei: None,
        }
    }

    fn at(p: geo::Point<f64>) -> [u64; 2] {
        [p.x().to_bits(), p.y().to_bits()]
    }
}

/// Where to read each layer from; `None` keeps the compiled-in default.
#[derive(Debug, Clone, Default)]
pub struct ContextPaths {
    pub ports: Option<PathBuf>,
    pub plants: Option<PathBuf>,
    pub zones: Option<PathBuf>,
    pub protected: Option<PathBuf>,
    pub land: Option<PathBuf>,
}

/// The largest context layer read, MiB, unless `PROSPECT_MAX_LAYER_MB` says otherwise:
/// judgement: room for detailed national EEZ and protected-area layers of several hundred MB.
pub const MAX_LAYER_MB: u64 = 1024;

/// The file names of the layers in a `--context` folder.
pub const LAYER_FILES: [&str; 5] = [
    "ports.geojson",
    "plants.geojson",
    "zones.geojson",
    "protected.geojson",
    "land.geojson",
];

impl ContextPaths {
    /// The layers found in a folder (`ports.geojson`, `plants.geojson`, `zones.geojson`,
    /// `protected.geojson`, `land.geojson`), each present file replacing its default.
    /// A folder that is missing, is not a folder or holds none of the layers is an error,
    /// never a silent fall-back to the built-in layers.
    pub fn from_dir(dir: &Path) -> Result<ContextPaths, ContextError> {
        let invalid = |message: String| ContextError::Invalid {
            layer: dir.display().to_string(),
            message,
        };
        if !dir.is_dir() {
            return Err(invalid("--context names no folder".into()));
        }
        let file = |name: &str| Some(dir.join(name)).filter(|p| p.exists());
        let paths = ContextPaths {
            ports: file(LAYER_FILES[0]),
            plants: file(LAYER_FILES[1]),
            zones: file(LAYER_FILES[2]),
            protected: file(LAYER_FILES[3]),
            land: file(LAYER_FILES[4]),
        };
        if [
            &paths.ports,
            &paths.plants,
            &paths.zones,
            &paths.protected,
            &paths.land,
        ]
        .iter()
        .all(|p| p.is_none())
        {
            return Err(invalid(format!(
                "the folder holds none of the layers {}",
                LAYER_FILES.join(", ")
            )));
        }
        Ok(paths)
    }

    /// `self` with every layer `other` names replacing this one's.
    pub fn overridden_by(self, other: ContextPaths) -> ContextPaths {
        ContextPaths {
            ports: other.ports.or(self.ports),
            plants: other.plants.or(self.plants),
            zones: other.zones.or(self.zones),
            protected: other.protected.or(self.protected),
            land: other.land.or(self.land),
        }
    }
}

fn load_text(
    path: &Option<PathBuf>,
    default: &'static str,
) -> Result<(String, std::borrow::Cow<'static, str>), ContextError> {
    match path {
        None => Ok(("(built-in)".into(), std::borrow::Cow::Borrowed(default))),
        Some(p) => {
            let name = crate::read::input_name(p);
            let read = |source| ContextError::Read {
                path: name.clone(),
                source,
            };
            // A layer is bounded, so that a device or an endless file cannot fill memory.
            let limit = crate::read::limit_mb("PROSPECT_MAX_LAYER_MB", MAX_LAYER_MB) << 20;
            let mut text = String::new();
            if crate::read::is_stdin(p) {
                // `-`: standard input, bounded by its spool (issue 20).
                text = crate::read::read_text(p).map_err(read)?;
            } else {
                std::io::Read::read_to_string(
                    &mut std::io::Read::take(std::fs::File::open(p).map_err(read)?, limit + 1),
                    &mut text,
                )
                .map_err(read)?;
            }
            if text.len() as u64 > limit {
                return Err(ContextError::Invalid {
                    layer: name,
                    message: format!(
                        "the layer is larger than {} MiB (raise the limit with PROSPECT_MAX_LAYER_MB)",
                        limit >> 20
                    ),
                });
            }
            Ok((name, std::borrow::Cow::Owned(text)))
        }
    }
}

/// A context feature: its properties and geometry.
type LayerFeature = (serde_json::Map<String, Value>, SiteGeometry);

/// Each feature of a layer: its properties and geometry.
fn features(layer: &str, text: &str) -> Result<Vec<LayerFeature>, ContextError> {
    let invalid = |message: String| ContextError::Invalid {
        layer: layer.to_owned(),
        message,
    };
    let fc: geojson::FeatureCollection = text
        .parse()
        .map_err(|e| invalid(format!("not a GeoJSON FeatureCollection: {e}")))?;
    fc.features
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let g = f
                .geometry
                .ok_or_else(|| invalid(format!("feature {i} has no geometry")))?;
            let json = serde_json::to_value(&g).unwrap_or(Value::Null);
            if !crate::read::geojson_input::positions_ok(&json) {
                return Err(invalid(format!(
                    "feature {i}: a position has fewer than two numbers"
                )));
            }
            let geometry =
                SiteGeometry::try_from(g).map_err(|e| invalid(format!("feature {i}: {e}")))?;
            Ok((f.properties.unwrap_or_default(), geometry))
        })
        .collect()
}

fn text_prop(props: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    props.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn places(layer: &str, text: &str) -> Result<Vec<Place>, ContextError> {
    features(layer, text)?
        .into_iter()
        .enumerate()
        .map(|(i, (props, g))| match g {
            geo::Geometry::Point(point) => Ok(Place {
                name: text_prop(&props, "name").unwrap_or_else(|| format!("{layer} {i}")),
                country: text_prop(&props, "country"),
                kind: text_prop(&props, "kind"),
                status: text_prop(&props, "status"),
                point,
            }),
            _ => Err(ContextError::Invalid {
                layer: layer.to_owned(),
                message: format!("feature {i} is not a Point"),
            }),
        })
        .collect()
}

fn areas(layer: &str, text: &str) -> Result<Vec<Area>, ContextError> {
    features(layer, text)?
        .into_iter()
        .enumerate()
        .map(|(i, (props, g))| {
            let geometry = match g {
                geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
                geo::Geometry::MultiPolygon(mp) => mp,
                _ => {
                    return Err(ContextError::Invalid {
                        layer: layer.to_owned(),
                        message: format!("feature {i} is not a Polygon or MultiPolygon"),
                    });
                }
            };
            Ok(Area {
                name: text_prop(&props, "name").unwrap_or_else(|| format!("{layer} {i}")),
                country: text_prop(&props, "country"),
                kind: text_prop(&props, "kind").or_else(|| text_prop(&props, "designation")),
                geometry,
            })
        })
        .collect()
}

impl Context {
    /// The compiled-in layers.
    pub fn builtin() -> Result<Context, ContextError> {
        Context::load(&ContextPaths::default())
    }

    pub fn load(paths: &ContextPaths) -> Result<Context, ContextError> {
        let (name, ports) = load_text(&paths.ports, DEFAULT_PORTS)?;
        let ports = PointLayer::new(places(&format!("ports {name}"), &ports)?, |_| true);
        let (name, plants) = load_text(&paths.plants, DEFAULT_PLANTS)?;
        let layer = format!("plants {name}");
        let plant_list = plants::parse(&layer, features(&layer, &plants)?)?;
        // Only plants that can take a concentrate outside China today are indexed.
        let plants = PointLayer::new(places(&layer, &plants)?, |pl| {
            pl.country.as_deref() != Some("CN")
                && pl.kind.as_deref().is_none_or(|k| k == "separation")
                && pl
                    .status
                    .as_deref()
                    .is_none_or(|s| s == "operating" || s == "construction")
        });
        let (name, zones) = load_text(&paths.zones, DEFAULT_ZONES)?;
        let zones = AreaLayer::new(areas(&format!("zones {name}"), &zones)?);
        let (name, protected) = load_text(&paths.protected, DEFAULT_PROTECTED)?;
        let protected = areas(&format!("protected areas {name}"), &protected)?;
        let apeis = apei::Apeis::new(&protected);
        let protected = AreaLayer::new(protected);
        let (name, land) = load_text(&paths.land, DEFAULT_LAND)?;
        let coast: Vec<Place> = features(&format!("land {name}"), &land)?
            .into_iter()
            .flat_map(|(_, g)| g.coords_iter().collect::<Vec<_>>())
            .map(|c| Place {
                name: "coast".into(),
                country: None,
                kind: None,
                status: None,
                point: c.into(),
            })
            .collect();
        Ok(Context {
            ports,
            plants,
            plant_list,
            shore: PointLayer::new(coast, |_| true),
            zones,
            protected,
            apeis,
            protected_search_km: crate::assumptions::Assumptions::defaults()
                .context
                .protected_search_km,
            kept: Default::default(),
        })
    }

    /// The context with the search limits of the run's assumptions `a` (`[context]`).
    pub fn with_assumptions(mut self, a: &crate::assumptions::Assumptions) -> Context {
        self.protected_search_km = a.context.protected_search_km;
        self
    }
}

/// The plants of a plants layer file (the built-in layer when `None`).
pub fn load_plants(path: Option<&Path>) -> Result<Vec<Plant>, ContextError> {
    let (name, text) = load_text(&path.map(Path::to_path_buf), DEFAULT_PLANTS)?;
    let layer = format!("plants {name}");
    plants::parse(&layer, features(&layer, &text)?)
}

impl Context {
    /// The separation and cracking plants of the plants layer, in layer order.
    pub fn plants(&self) -> &[Plant] {
        &self.plant_list
    }
}

/// A nearby place and how far it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nearest {
    pub name: String,
    pub country: Option<String>,
    pub status: Option<String>,
    /// Geodesic (great-circle on WGS84) distance, km.
    pub distance_km: f64,
}

/// The nearest protected area and the site's relation to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProtectedArea {
    pub name: String,
    pub designation: Option<String>,
    /// Whether the site (point or tenement) lies inside or overlaps the area.
    pub overlaps: bool,
    /// Distance from the site's point to the area, km (0 when inside).
    pub distance_km: f64,
    /// Tenement area inside the protected area, km² (polygons only).
    pub overlap_km2: Option<f64>,
}

/// What the spatial stage found for one site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteContext {
    /// The legal regime: onshore, eez (with `zone`), or area.
    pub regime: Option<Regime>,
    /// The jurisdiction zone the site falls in (seabed sites).
    pub zone: Option<String>,
    /// ISO alpha-2 of the zone's coastal state.
    pub zone_country: Option<String>,
    pub nearest_port: Option<Nearest>,
    /// The nearest operating or under-construction separation plant outside China.
    pub nearest_separation_plant: Option<Nearest>,
    /// Distance to the nearest coastline vertex (Natural Earth 1:50m, error under a few
    /// km) or port, whichever is nearer, km.
    pub distance_to_shore_km: Option<f64>,
    pub protected_area: Option<ProtectedArea>,
    /// Geodesic area of a tenement polygon, km².
    pub site_area_km2: Option<f64>,
    pub warnings: Vec<String>,
    /// Seabed sites: the nearest Area of Particular Environmental Interest (at any
    /// distance), with the overlap in km² for a licence polygon.
    pub apei: Option<apei::ApeiRelation>,
}

impl SiteContext {
    /// For a record without a usable geometry.
    pub fn unknown(rec: &ProjectRecord) -> SiteContext {
        SiteContext {
            regime: rec.regime,
            zone: None,
            zone_country: None,
            nearest_port: None,
            nearest_separation_plant: None,
            distance_to_shore_km: None,
            protected_area: None,
            site_area_km2: None,
            apei: None,
            warnings: Vec::new(),
        }
    }
}

fn nearest(place: &Place, km: f64) -> Nearest {
    Nearest {
        name: place.name.clone(),
        country: place.country.clone(),
        status: place.status.clone(),
        distance_km: km,
    }
}

/// Distance from a point to a polygon's boundary vertices, km (an upper bound on the true
/// distance to the boundary, close for densely drawn polygons).
fn distance_to_area_km(p: geo::Point<f64>, area: &Area) -> f64 {
    // Sphere distances first (cheap, once per vertex); the ellipsoid's only for the
    // vertices that can be the nearest.
    let q = unit(p);
    let sphere: Vec<(geo::Coord<f64>, f64)> = area
        .geometry
        .coords_iter()
        .map(|c| {
            let v = unit(c.into());
            (c, chord_km((0..3).map(|i| (v[i] - q[i]).powi(2)).sum()))
        })
        .collect();
    let nearest_sphere = sphere.iter().map(|s| s.1).fold(f64::INFINITY, f64::min);
    let reach = sphere_bound_km(nearest_sphere * ELLIPSOID_OVER_SPHERE.1);
    sphere
        .iter()
        .filter(|(_, km)| *km <= reach)
        .map(|(c, _)| geodesic_km(p, (*c).into()))
        .fold(f64::INFINITY, f64::min)
}

impl Context {
    /// The spatial context of one record.
    pub fn locate(&self, rec: &ProjectRecord) -> SiteContext {
        self.locate_in(rec, None, false).0
    }

    /// [`Context::locate`], with what a [`Found`] holds taken from `found` when that was
    /// found at the same point (else measured), and the site's own [`Found`] when `keep`
    /// ([`Found::none`] for a record without a site).
    pub fn locate_in(
        &self,
        rec: &ProjectRecord,
        found: Option<&Found>,
        keep: bool,
    ) -> (SiteContext, Option<Found>) {
        let mut out = SiteContext::unknown(rec);
        let (Some(g), Some(p)) = (rec.geometry.as_ref(), rec.site_point()) else {
            return (out, keep.then(Found::none));
        };
        let found = found.filter(|f| f.flags & SITE != 0 && f.at == Found::at(p));
        let place = |i: u32| (i != u32::MAX).then_some(i as usize);
        let (near_port, near_plant, coast) = match found {
            Some(f) => (
                place(f.place[0]).map(|i| (i, f.km[0])),
                place(f.place[1]).map(|i| (i, f.km[1])),
                (f.flags & 1 != 0).then_some(f.km[2]),
            ),
            None => (
                self.ports.nearest_at(p),
                self.plants.nearest_at(p),
                self.shore.nearest_at(p).map(|(_, km)| km),
            ),
        };
        out.nearest_port = near_port.map(|(i, km)| nearest(&self.ports.places[i], km));
        out.nearest_separation_plant =
            near_plant.map(|(i, km)| nearest(&self.plants.places[i], km));
        let port = out.nearest_port.as_ref().map(|n| n.distance_km);
        out.distance_to_shore_km = match (coast, port) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if matches!(
            g,
            geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_)
        ) {
            out.site_area_km2 = Some(g.geodesic_area_unsigned() / 1e6);
        }

        let seabed = rec.geology.deposit_type.is_some_and(|t| t.is_seabed());
        if seabed {
            let zone = self
                .zones
                .candidates(g, 0.0)
                .into_iter()
                .find(|z| z.geometry.contains(&p));
            match zone {
                Some(z) => {
                    out.regime = Some(Regime::Eez);
                    out.zone = Some(z.name.clone());
                    out.zone_country = z.country.clone();
                }
                None => out.regime = Some(Regime::Area),
            }
        } else if rec.geology.deposit_type.is_some() {
            out.regime = Some(Regime::Onshore);
        }
        if let (Some(declared), Some(found)) = (rec.regime, out.regime)
            && declared != found
        {
            out.warnings.push(format!(
                "the record declares regime {declared} but the site lies in {}",
                out.zone.as_deref().unwrap_or(found.as_str())
            ));
        }
        if let (Some(Regime::Eez), Some(zc), Some(c)) =
            (out.regime, &out.zone_country, &rec.country)
            && zc != c
        {
            out.warnings.push(format!(
                "the site lies in the EEZ of {zc}, not of the record's country {c}"
            ));
        }
        out.protected_area = self.protected_area(g, p);
        // A point's APEI is the point's; a licence polygon's is measured each time.
        let point = matches!(g, geo::Geometry::Point(q) if Found::at(*q) == Found::at(p));
        let mut apei_kept = false;
        if seabed {
            out.apei = match found {
                Some(f) if f.flags & 2 != 0 => f.apei.as_deref().cloned(),
                _ => self.apeis.nearest(g, p),
            };
            apei_kept = point;
        }
        let own = keep.then(|| {
            let i_km =
                |n: Option<(usize, f64)>| n.map_or((u32::MAX, 0.0), |(i, km)| (i as u32, km));
            let ((port_i, port_km), (plant_i, plant_km)) = (i_km(near_port), i_km(near_plant));
            Found {
                at: Found::at(p),
                km: [port_km, plant_km, coast.unwrap_or(0.0)],
                place: [port_i, plant_i],
                flags: SITE | u8::from(coast.is_some()) | (u8::from(apei_kept) << 1),
                apei: out.apei.clone().filter(|_| apei_kept).map(Box::new),
            }
        });
        (out, own)
    }

    /// Keeps `found` (each site's [`Found`] of a first pass, in input order) for the pass
    /// after it, in place of any kept before.
    pub fn keep(&self, found: Vec<Found>) {
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = found;
    }

    /// What [`Context::keep`] kept, taken (the context keeps nothing after).
    pub fn kept(&self) -> Vec<Found> {
        std::mem::take(&mut *self.kept.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn protected_area(&self, g: &SiteGeometry, p: geo::Point<f64>) -> Option<ProtectedArea> {
        let margin_deg = self.protected_search_km / 111.0 / p.y().to_radians().cos().max(0.1);
        let mut best: Option<ProtectedArea> = None;
        for area in self.protected.candidates(g, margin_deg) {
            let (overlaps, overlap_km2) = match g {
                geo::Geometry::Polygon(poly) => {
                    let inter = geo::MultiPolygon(vec![poly.clone()]).intersection(&area.geometry);
                    let km2 = inter.geodesic_area_unsigned() / 1e6;
                    (km2 > 0.0, Some(km2))
                }
                geo::Geometry::MultiPolygon(mp) => {
                    let km2 = mp.intersection(&area.geometry).geodesic_area_unsigned() / 1e6;
                    (km2 > 0.0, Some(km2))
                }
                _ => (area.geometry.intersects(g), None),
            };
            let distance = if overlaps || area.geometry.contains(&p) {
                0.0
            } else {
                distance_to_area_km(p, area)
            };
            if distance > self.protected_search_km {
                continue;
            }
            let candidate = ProtectedArea {
                name: area.name.clone(),
                designation: area.kind.clone(),
                overlaps: overlaps || distance == 0.0,
                distance_km: distance,
                overlap_km2,
            };
            if best
                .as_ref()
                .is_none_or(|b| candidate.distance_km < b.distance_km)
            {
                best = Some(candidate);
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::record::{DepositType, Location};

    fn site(lon: f64, lat: f64, t: DepositType) -> ProjectRecord {
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "T".into();
        r.geometry = Some(geo::Point::new(lon, lat).into());
        r.geology.deposit_type = Some(t);
        r
    }

    #[test]
    fn geodesic_distances_match_independent_values() {
        // Tokyo (35.6895 N, 139.6917 E) to Minamitorishima (24.2867 N, 153.9807 E): about
        // 1,860 km (shared reference); GeographicLib's Geodesic.WGS84.Inverse gives
        // 1,866.550 km for these coordinates.
        let km = geodesic_km(
            geo::Point::new(139.6917, 35.6895),
            geo::Point::new(153.9807, 24.2867),
        );
        assert!((km - 1866.550).abs() < 0.01, "{km}");
        // One degree of latitude at the equator: 110.574 km on WGS84.
        let km = geodesic_km(geo::Point::new(0.0, 0.0), geo::Point::new(0.0, 1.0));
        assert!((km - 110.574).abs() < 0.01, "{km}");
    }

    /// A site located from what a first pass found is the site located afresh, for land
    /// and seabed points, a seabed licence polygon (whose APEI is measured again) and a
    /// record without a site; what was found at another point is not taken.
    #[test]
    fn a_site_located_from_a_first_pass_is_the_site_located_afresh() {
        let c = Context::builtin().unwrap();
        let licence = geo::Polygon::new(
            geo::LineString::from(vec![
                (-150.0, 8.0),
                (-149.0, 8.0),
                (-149.0, 9.0),
                (-150.0, 9.0),
                (-150.0, 8.0),
            ]),
            vec![],
        );
        let mut polygon = site(0.0, 0.0, DepositType::PolymetallicNodules);
        polygon.geometry = Some(licence.into());
        let mut nowhere = site(0.0, 0.0, DepositType::Carbonatite);
        nowhere.geometry = None;
        let sites = [
            site(122.55, -28.86, DepositType::Carbonatite),
            site(153.8, 22.0, DepositType::SeabedMud),
            site(-116.8, 11.0, DepositType::PolymetallicNodules),
            site(-160.0, -15.98, DepositType::PolymetallicNodules),
            polygon,
            nowhere,
        ];
        let found: Vec<Found> = sites
            .iter()
            .map(|r| c.locate_in(r, None, true).1.unwrap())
            .collect();
        for (r, f) in sites.iter().zip(&found) {
            assert_eq!(c.locate_in(r, Some(f), false).0, c.locate(r));
        }
        // Each site given another's finds: each is measured, the same again.
        for (k, r) in sites.iter().enumerate() {
            let other = &found[(k + 1) % found.len()];
            assert_eq!(c.locate_in(r, Some(other), false).0, c.locate(r));
        }
        // A seabed point's APEI is kept; the polygon's is not.
        assert!(found[2].apei.is_some() && found[2].flags & 2 != 0);
        assert!(found[4].apei.is_none() && found[4].flags & 2 == 0);
        assert_eq!(found[5].flags & SITE, 0);
    }

    #[test]
    fn regime_by_point_in_polygon() {
        let c = Context::builtin().unwrap();
        let land = c.locate(&site(122.55, -28.86, DepositType::Carbonatite));
        assert_eq!(land.regime, Some(Regime::Onshore));
        let mnt = c.locate(&site(153.8, 22.0, DepositType::SeabedMud));
        assert_eq!(mnt.regime, Some(Regime::Eez));
        assert_eq!(mnt.zone_country.as_deref(), Some("JP"));
        let cook = c.locate(&site(-160.0, -15.98, DepositType::PolymetallicNodules));
        assert_eq!(cook.zone_country.as_deref(), Some("CK"));
        let ccz = c.locate(&site(-116.8, 11.0, DepositType::PolymetallicNodules));
        assert_eq!(ccz.regime, Some(Regime::Area));
        assert!(ccz.distance_to_shore_km.unwrap() > 800.0);
    }

    #[test]
    fn nearest_plant_skips_cracking_plants_and_china() {
        let c = Context::builtin().unwrap();
        // Near Kalgoorlie the cracking plant is closest, but it does not separate.
        let ctx = c.locate(&site(121.5, -30.7, DepositType::Carbonatite));
        let plant = ctx.nearest_separation_plant.unwrap();
        assert_eq!(plant.name, "Iluka Eneabba refinery");
        assert!(
            plant.distance_km > 500.0 && plant.distance_km < 800.0,
            "{}",
            plant.distance_km
        );
        assert_eq!(ctx.nearest_port.unwrap().name, "Esperance");
    }

    #[test]
    fn protected_area_overlap_for_a_tenement_polygon() {
        let c = Context::builtin().unwrap();
        // A 2 km x 2 km tenement centred on Devils Tower overlaps the 5.45 km² monument.
        let (lon, lat): (f64, f64) = (-104.7146, 44.5902);
        let dx = 1.0 / (111.32 * lat.to_radians().cos());
        let dy = 1.0 / 111.13;
        let ring = vec![
            (lon - dx, lat - dy),
            (lon + dx, lat - dy),
            (lon + dx, lat + dy),
            (lon - dx, lat + dy),
            (lon - dx, lat - dy),
        ];
        let poly = geo::Polygon::new(geo::LineString::from(ring), vec![]);
        let mut r = site(lon, lat, DepositType::Carbonatite);
        r.geometry = Some(poly.into());
        let ctx = c.locate(&r);
        let pa = ctx.protected_area.unwrap();
        assert!(pa.overlaps);
        let overlap = pa.overlap_km2.unwrap();
        // The monument's circle (5.45 km², radius 1.317 km) covers the 2 km square but for
        // its corners: the overlap is about 3.9 km².
        assert!(overlap > 3.85 && overlap < 4.0, "{overlap}");
        assert!((ctx.site_area_km2.unwrap() - 4.0).abs() < 0.05);
        // Bear Lodge, 24.5 km from the tower (GeographicLib), is reported with its distance
        // to the monument's edge, not as overlapping.
        let near = c
            .locate(&site(-104.44, 44.49, DepositType::Carbonatite))
            .protected_area
            .unwrap();
        assert!(
            !near.overlaps && (near.distance_km - (24.50 - 1.317)).abs() < 0.1,
            "{near:?}"
        );
    }

    #[test]
    fn nearest_is_the_brute_force_minimum_on_the_ellipsoid() {
        // The index searches on a sphere and measures on the ellipsoid only the places
        // that can be nearest; over many sites (the poles and the antimeridian included) it
        // must agree with measuring every place, for the sparse port layer and the dense
        // coastline alike.
        let c = Context::builtin().unwrap();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        // Random sites, then the poles, both sides of the antimeridian and the equator.
        let fixed = [
            (0.0, 90.0),
            (0.0, -90.0),
            (180.0, -17.0),
            (-179.9, -17.0),
            (0.0, 0.0),
        ];
        for (layer, sites) in [(&c.ports, 200), (&c.shore, 12)] {
            for i in 0..sites + fixed.len() {
                let (lon, lat) = fixed
                    .get(i.wrapping_sub(sites))
                    .copied()
                    .unwrap_or_else(|| (next() * 360.0 - 180.0, next() * 180.0 - 90.0));
                let p = geo::Point::new(lon, lat);
                let (_, km) = layer.nearest_at(p).unwrap();
                let brute = layer
                    .index
                    .iter()
                    .map(|item| geodesic_km(p, layer.places[item.data].point))
                    .fold(f64::INFINITY, f64::min);
                assert_eq!(km, brute, "at {p:?}");
            }
        }
    }
}
