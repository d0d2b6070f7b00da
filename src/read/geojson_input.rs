//! GeoJSON reader: streams the `features` array of a FeatureCollection one feature at a
//! time, whatever the order of the top-level members (`geojson::FeatureReader` scans for
//! the first `[` and so trips over a `bbox` or a `name` written before `features`).

use std::fmt;
use std::io::{self, Read};

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use std::cell::RefCell;

use super::Event;
use super::build::RecordBuilder;
use super::crs::{Reprojector, is_wgs84};
use super::schema::{Cell, CellError, Field};
use crate::diagnostic::Diagnostic;
use crate::read::record::{Location, SiteGeometry};

/// What the top level of the file said besides its features.
#[derive(Default)]
struct TopLevel {
    kind: Option<Value>,
    features: Option<usize>,
    crs: Option<Value>,
    /// Whether the `crs` member came after `features` (too late to apply).
    crs_after_features: bool,
}

pub(super) fn visit(
    file: &str,
    reader: impl Read,
    crs: Option<&Reprojector>,
    sink: &mut dyn FnMut(Event),
) -> io::Result<()> {
    // The file's own `crs` member, when it comes before the features, decides how they
    // are read; otherwise `--crs` does.
    let own: RefCell<Option<Option<Reprojector>>> = RefCell::new(None);
    let crs_problems: RefCell<Vec<Diagnostic>> = RefCell::new(Vec::new());
    let mut on_crs = |value: &Value| {
        let name = crs_name(value);
        if is_wgs84(&name) {
            *own.borrow_mut() = Some(None);
            return;
        }
        match Reprojector::new(&name) {
            Ok(r) => *own.borrow_mut() = Some(Some(r)),
            Err(e) => crs_problems.borrow_mut().push(
                Diagnostic::error(Some("crs"), format!("the file declares the coordinate system {name:?}, not WGS84 lon/lat: {e}"))
                    .with_hint("reproject to WGS84 (EPSG:4326, lon/lat) first, or build prospect with --features proj to reproject on read"),
            ),
        }
    };
    let mut delivered = 0usize;
    // Unknown properties already warned about as near misses: once per file, not per
    // feature (issue 20).
    let mut near_warned = std::collections::HashSet::new();
    let mut on_feature = |index: usize, parsed: Parsed| {
        delivered = index + 1;
        let own = own.borrow();
        let transform = match &*own {
            Some(declared) => declared.as_ref(),
            None => crs,
        };
        sink(Event::Record(feature(
            file,
            index,
            parsed,
            transform,
            &mut near_warned,
        )));
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = CollectionSeed {
        on_feature: &mut on_feature,
        on_crs: &mut on_crs,
    }
    .deserialize(&mut de)
    .and_then(|top| de.end().map(|()| top));
    for d in crs_problems.take() {
        sink(Event::Problem(d.at(file, Location::File, None)));
    }
    let problem = |d: Diagnostic, loc: Location| Event::Problem(d.at(file, loc, None));
    match result {
        Ok(top) => {
            let kind = top.kind.as_ref().and_then(Value::as_str);
            if kind != Some("FeatureCollection") {
                let found = top
                    .kind
                    .map_or("no type member".to_owned(), |k| format!("type {k}"));
                sink(problem(
                    Diagnostic::error(Some("type"), format!("expected a GeoJSON FeatureCollection, found {found}"))
                        .with_hint("wrap the features in {\"type\": \"FeatureCollection\", \"features\": [...]}"),
                    Location::File,
                ));
            }
            match top.features {
                None => sink(problem(
                    Diagnostic::error(
                        Some("features"),
                        "the FeatureCollection has no features member",
                    ),
                    Location::File,
                )),
                Some(0) => sink(problem(
                    Diagnostic::warning(Some("features"), "the FeatureCollection has no features"),
                    Location::File,
                )),
                Some(_) => {}
            }
            if let Some(crs) = top.crs.filter(|_| top.crs_after_features) {
                let name = crs_name(&crs);
                if !is_wgs84(&name) {
                    sink(problem(
                        Diagnostic::error(Some("crs"), format!("the crs member ({name:?}) comes after the features, which were read as WGS84 lon/lat"))
                            .with_hint("put the crs member before the features, or reproject the file to WGS84 (EPSG:4326)"),
                        Location::File,
                    ));
                }
            }
            Ok(())
        }
        Err(e) if e.is_io() => Err(e.into()),
        Err(e) => {
            let at = if delivered > 0 || e.line() > 1 {
                Location::Feature(delivered)
            } else {
                Location::File
            };
            let what = if e.is_eof() {
                "the JSON ends too early (truncated file?)"
            } else {
                "invalid JSON"
            };
            sink(problem(
                Diagnostic::error(None, format!("{what}: {e}")).with_hint(format!(
                    "{delivered} features before this point were read; fix the file and check again"
                )),
                at,
            ));
            Ok(())
        }
    }
}

/// The name of a legacy `crs` member (GeoJSON 2008): `{"type": "name", "properties":
/// {"name": ...}}`.
fn crs_name(crs: &Value) -> String {
    crs.pointer("/properties/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// One feature's JSON as a record; `near_warned` holds the unknown properties already
/// warned about as near misses of a field in this file (each is said once).
fn feature(
    file: &str,
    index: usize,
    parsed: Parsed,
    crs: Option<&Reprojector>,
    near_warned: &mut std::collections::HashSet<String>,
) -> Box<super::Parsed> {
    let mut b = RecordBuilder::new(Location::Feature(index));
    let Parsed { value, repeated } = parsed;
    for r in repeated {
        let field = r
            .path
            .strip_prefix("properties.")
            .unwrap_or(&r.path)
            .to_owned();
        b.push(if r.first == r.last {
            Diagnostic::warning(
                Some(&field),
                format!("key {:?} appears twice with the same value", r.path),
            )
        } else {
            Diagnostic::error(
                Some(&field),
                format!(
                    "key {:?} appears twice, with {} and then {}: which is meant?",
                    r.path, r.first, r.last
                ),
            )
            .with_hint("keep one of them")
        });
    }
    let Value::Object(mut obj) = value else {
        b.push(Diagnostic::error(None, "a feature must be a JSON object"));
        return b.finish_boxed(file, crs);
    };
    match obj.get("type").and_then(Value::as_str) {
        Some("Feature") => {}
        other => b.push(
            Diagnostic::error(Some("type"), format!("expected a Feature, found {}", other.map_or("no type".into(), |t| format!("type {t:?}"))))
                .with_hint("every member of features is {\"type\": \"Feature\", \"geometry\": ..., \"properties\": {...}}"),
        ),
    }
    let geometry = obj.remove("geometry").unwrap_or(Value::Null);
    b.set_geometry(site_geometry(geometry));
    let feature_id = obj.remove("id");
    let mut has_property_id = false;
    match obj.remove("properties") {
        Some(Value::Object(props)) => {
            for (key, v) in props {
                match Field::lookup(&key) {
                    // lon/lat/WKT columns are CSV's; in GeoJSON the geometry member holds the place.
                    Some(Field::Lon | Field::Lat | Field::Geometry) => b.set_extra(&key, v),
                    None => {
                        if let Some(near) = crate::read::schema::near_field(&key)
                            && near_warned.insert(key.clone())
                        {
                            b.push(
                                crate::read::csv_input::near_miss(&key, near, "property")
                                    .with_hint(format!(
                                        "did you mean {near:?}? (docs/schema.md lists the fields; said once, at the first feature that has it)"
                                    )),
                            );
                        }
                        b.set_extra(&key, v)
                    }
                    Some(field) => {
                        has_property_id |= field == Field::Id;
                        b.set(field, &key, Cell::Json(&v));
                    }
                }
            }
        }
        Some(Value::Null) | None => {}
        Some(_) => b.push(Diagnostic::error(
            Some("properties"),
            "properties must be a JSON object",
        )),
    }
    if let Some(id) = feature_id
        && !has_property_id
    {
        b.set(Field::Id, "id", Cell::Json(&id));
    }
    b.finish_boxed(file, crs)
}

/// Whether every position of a geometry's `coordinates` holds at least two numbers, at
/// the nesting depth its type calls for (the geojson crate's conversion indexes positions
/// without checking: found by fuzzing, tests/fixtures/fuzz/).
pub(crate) fn positions_ok(value: &Value) -> bool {
    fn nested(v: &Value, depth: usize) -> bool {
        match v {
            Value::Array(items) if depth == 1 => {
                items.len() >= 2 && items.iter().all(Value::is_number)
            }
            Value::Array(items) => items.iter().all(|i| nested(i, depth - 1)),
            _ => false,
        }
    }
    let depth = match value.get("type").and_then(Value::as_str) {
        Some("Point") => 1,
        Some("MultiPoint" | "LineString") => 2,
        Some("Polygon" | "MultiLineString") => 3,
        Some("MultiPolygon") => 4,
        Some("GeometryCollection") => {
            return value
                .get("geometries")
                .and_then(Value::as_array)
                .is_some_and(|g| g.iter().all(positions_ok));
        }
        _ => return true, // an unknown type is refused by the parser with its own message
    };
    value.get("coordinates").is_none_or(|c| nested(c, depth))
}

/// A GeoJSON geometry as a geo geometry (`None` for a null geometry).
fn site_geometry(value: Value) -> Result<Option<SiteGeometry>, CellError> {
    if value.is_null() {
        return Ok(None);
    }
    if !positions_ok(&value) {
        return Err(CellError::new("a position of the geometry has fewer than two numbers, or the coordinates are nested wrongly for its type")
            .hint("every position is [longitude, latitude]"));
    }
    let g: geojson::Geometry = serde_json::from_value(value)
        .map_err(|e| CellError::new(format!("invalid GeoJSON geometry: {e}")))?;
    SiteGeometry::try_from(g)
        .map(Some)
        .map_err(|e| CellError::new(format!("unusable geometry: {e}")))
}

/// Visits the top-level object, streaming `features`.
struct CollectionSeed<'a, F> {
    on_feature: &'a mut F,
    on_crs: &'a mut dyn FnMut(&Value),
}

impl<'de, F: FnMut(usize, Parsed)> DeserializeSeed<'de> for CollectionSeed<'_, F> {
    type Value = TopLevel;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<TopLevel, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(usize, Parsed)> Visitor<'de> for CollectionSeed<'_, F> {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut top = TopLevel::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => top.kind = Some(map.next_value()?),
                "crs" => {
                    let crs: Value = map.next_value()?;
                    if top.features.is_none() {
                        (self.on_crs)(&crs);
                    } else {
                        top.crs_after_features = true;
                    }
                    top.crs = Some(crs);
                }
                "features" => {
                    let seed = FeaturesSeed {
                        on_feature: &mut *self.on_feature,
                    };
                    top.features = Some(map.next_value_seed(seed)?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(top)
    }
}

/// Visits the `features` array, handing each element on as it is parsed.
struct FeaturesSeed<'a, F> {
    on_feature: &'a mut F,
}

impl<'de, F: FnMut(usize, Parsed)> DeserializeSeed<'de> for FeaturesSeed<'_, F> {
    type Value = usize;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(usize, Parsed)> Visitor<'de> for FeaturesSeed<'_, F> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut count = 0;
        let mut repeated = Vec::new();
        loop {
            let seed = Checked {
                path: None,
                repeated: &mut repeated,
            };
            let Some(v) = seq.next_element_seed(seed)? else {
                break;
            };
            (self.on_feature)(
                count,
                Parsed {
                    value: v,
                    repeated: std::mem::take(&mut repeated),
                },
            );
            count += 1;
        }
        Ok(count)
    }
}

/// A feature's JSON, with the keys that it repeats.
pub(super) struct Parsed {
    value: Value,
    repeated: Vec<Repeated>,
}

/// A key that an object of a feature holds twice (JSON leaves the meaning open; serde
/// keeps the last).
struct Repeated {
    /// Dotted path from the feature, `properties.capex_musd`.
    path: String,
    first: Value,
    last: Value,
}

/// The keys leading to a value, from the feature (no allocation unless a key repeats).
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    key: &'a str,
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if let Some(p) = self.parent {
            write!(f, "{p}.")?;
        }
        f.write_str(self.key)
    }
}

/// Whether `key` under `parent` is a feature's id: its `id` member or an id property.
fn is_id(parent: Option<&Path<'_>>, key: &str) -> bool {
    match parent {
        None => key == "id",
        Some(p) => {
            p.parent.is_none() && p.key == "properties" && Field::lookup(key) == Some(Field::Id)
        }
    }
}

/// An id as written (issue 19, class 14: ids are text): a JSON number keeps its digits
/// (`1.10` stays "1.10", `99999999999999999999` keeps all twenty) instead of passing
/// through a 64-bit float; anything else is read as JSON.
fn id_value(raw: &serde_json::value::RawValue) -> Value {
    let text = raw.get().trim();
    if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        Value::String(text.to_owned())
    } else {
        serde_json::from_str(text).unwrap_or(Value::Null)
    }
}

/// Parses any JSON value as serde_json's `Value` does, noting repeated object keys.
struct Checked<'p, 'r> {
    path: Option<&'p Path<'p>>,
    repeated: &'r mut Vec<Repeated>,
}

impl<'de> DeserializeSeed<'de> for Checked<'_, '_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Checked<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        loop {
            let seed = Checked {
                path: self.path,
                repeated: &mut *self.repeated,
            };
            match seq.next_element_seed(seed)? {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = Path {
                parent: self.path,
                key: &key,
            };
            let value = if is_id(self.path, &key) {
                id_value(&map.next_value::<Box<serde_json::value::RawValue>>()?)
            } else {
                map.next_value_seed(Checked {
                    path: Some(&path),
                    repeated: &mut *self.repeated,
                })?
            };
            if let Some(first) = object.get(&key) {
                self.repeated.push(Repeated {
                    path: path.to_string(),
                    first: first.clone(),
                    last: value.clone(),
                });
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}
