//! The GIS layer of a run as rows, for every GIS writer (GeoJSON, GeoJSON text sequences,
//! FlatGeobuf): a [`Row`] per project (its geometry, the record's fields, the computed
//! columns, its unknown properties), a [`Schema`] learnt from every row (which columns hold
//! a value somewhere and of what JSON type), and a [`Spill`] that keeps rows in a temporary
//! file so that a run of any size writes its layer in report order, with ranks, holding
//! only a few numbers per project in memory.
//!
//! The rules of the layer (docs/outputs.md, GIS layer): a property null in every feature is
//! left out, so that GDAL (which types a GeoJSON field by its values) never reads a numeric
//! field as String; an unknown property keeps its JSON type when all its values share one
//! (all strings, all numbers or all booleans), and is written as JSON text otherwise.

use std::collections::BTreeMap;
use std::io;

use serde_json::Value;

use crate::appraisal::Appraisal;
use crate::output::geojson::{COMPUTED, RANK_COLUMN, gis_geometry};
use crate::read::record::ProjectRecord;

/// A project's place in the ranking: rank (1 best), score (0 to 1), Pareto flag.
pub type RankCell = (usize, f64, bool);

/// One feature of the layer, every property present (null where missing).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// WGS84 lon/lat, rounded to 7 decimals, polygons wound by the right-hand rule.
    pub geometry: Option<geo::Geometry<f64>>,
    /// The record's fields ([`crate::output::geojson::record_properties`] order), then
    /// [`COMPUTED`].
    pub values: Vec<Value>,
    /// The record's unknown properties, as read.
    pub extras: Vec<(String, Value)>,
}

/// The names of a row's values: the record's fields, then the computed columns.
pub fn names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let empty = ProjectRecord::empty(crate::read::record::Location::File);
        crate::output::geojson::record_fields(&empty)
            .into_iter()
            .map(|(k, _)| k.into_owned())
            .chain(COMPUTED.iter().map(|s| (*s).to_owned()))
            .collect()
    })
}

/// Where the computed columns start in a row's values.
fn computed_start() -> usize {
    names().len() - COMPUTED.len()
}

impl Row {
    /// The row of appraisal `p` of record `rec`, ranked `rank`.
    pub fn new(rec: &ProjectRecord, p: &Appraisal, rank: Option<RankCell>) -> Row {
        let mut values: Vec<Value> = crate::output::geojson::record_fields(rec)
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        values.extend(crate::output::geojson::columns(p, rank));
        Row {
            geometry: rec.geometry.as_ref().map(gis_geometry),
            values,
            extras: rec
                .extra
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// Puts the project's rank into the row.
    pub fn set_rank(&mut self, rank: Option<RankCell>) {
        let at = computed_start() + RANK_COLUMN;
        for (i, v) in crate::output::geojson::rank_values(rank)
            .into_iter()
            .enumerate()
        {
            self.values[at + i] = v;
        }
    }
}

/// JSON types a column holds, as bits.
pub mod kind {
    pub const BOOL: u8 = 1;
    /// Integers within 32 bits.
    pub const INT: u8 = 2;
    pub const FLOAT: u8 = 4;
    pub const TEXT: u8 = 8;
    /// Arrays and objects.
    pub const OTHER: u8 = 16;
    /// Integers beyond 32 bits.
    pub const WIDE: u8 = 32;
    /// Any number.
    pub const NUMBER: u8 = INT | FLOAT | WIDE;
}

fn kind_of(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => kind::BOOL,
        Value::Number(n) if n.is_f64() => kind::FLOAT,
        Value::Number(n) => match n.as_i64() {
            Some(i) if i32::try_from(i).is_ok() => kind::INT,
            _ => kind::WIDE,
        },
        Value::String(_) => kind::TEXT,
        _ => kind::OTHER,
    }
}

/// Geometry types present, as bits.
pub mod shape {
    pub const POINT: u16 = 1;
    pub const LINE: u16 = 2;
    pub const POLYGON: u16 = 4;
    pub const MULTIPOINT: u16 = 8;
    pub const MULTILINE: u16 = 16;
    pub const MULTIPOLYGON: u16 = 32;
    pub const COLLECTION: u16 = 64;
    pub const NONE: u16 = 128;
}

fn shape_of(g: Option<&geo::Geometry<f64>>) -> u16 {
    use geo::Geometry as G;
    match g {
        None => shape::NONE,
        Some(G::Point(_)) => shape::POINT,
        Some(G::Line(_) | G::LineString(_)) => shape::LINE,
        Some(G::Polygon(_) | G::Rect(_) | G::Triangle(_)) => shape::POLYGON,
        Some(G::MultiPoint(_)) => shape::MULTIPOINT,
        Some(G::MultiLineString(_)) => shape::MULTILINE,
        Some(G::MultiPolygon(_)) => shape::MULTIPOLYGON,
        Some(G::GeometryCollection(_)) => shape::COLLECTION,
    }
}

/// What the rows of a layer hold: the JSON types of each column and unknown property, the
/// geometry types and the number of rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    /// Per row value ([`names`] order), the [`kind`] bits seen.
    pub kinds: Vec<u8>,
    /// Per unknown property, the [`kind`] bits seen.
    pub extras: BTreeMap<String, u8>,
    /// The [`shape`] bits seen.
    pub shapes: u16,
    pub rows: u64,
}

impl Schema {
    /// The schema of one row.
    pub fn of(row: &Row) -> Schema {
        Schema {
            kinds: row.values.iter().map(kind_of).collect(),
            extras: row
                .extras
                .iter()
                .map(|(k, v)| (k.clone(), kind_of(v)))
                .collect(),
            shapes: shape_of(row.geometry.as_ref()),
            rows: 1,
        }
    }

    /// Adds what `other` saw.
    pub fn merge(&mut self, other: &Schema) {
        if self.kinds.len() < other.kinds.len() {
            self.kinds.resize(other.kinds.len(), 0);
        }
        for (a, b) in self.kinds.iter_mut().zip(&other.kinds) {
            *a |= b;
        }
        for (k, b) in &other.extras {
            *self.extras.entry(k.clone()).or_insert(0) |= b;
        }
        self.shapes |= other.shapes;
        self.rows += other.rows;
    }

    /// Records that the rows are ranked (their rank, score and Pareto flag are set when
    /// written).
    pub fn ranked(&mut self) {
        let at = computed_start() + RANK_COLUMN;
        if self.kinds.len() < names().len() {
            self.kinds.resize(names().len(), 0);
        }
        self.kinds[at] |= kind::INT;
        self.kinds[at + 1] |= kind::FLOAT;
        self.kinds[at + 2] |= kind::BOOL;
    }

    /// The columns to write, in order.
    pub fn layout(&self) -> Layout {
        let names = names();
        let fixed: Vec<Field> = self
            .kinds
            .iter()
            .enumerate()
            .filter(|(_, k)| **k != 0)
            .map(|(i, k)| Field {
                name: names[i].clone(),
                kinds: *k,
                source: Source::Value(i),
            })
            .collect();
        // An unknown property never overwrites a computed column or a record field.
        let extras: Vec<Field> = self
            .extras
            .iter()
            .filter(|(k, bits)| **bits != 0 && !names.contains(k))
            .map(|(k, bits)| Field {
                name: k.clone(),
                kinds: if text_unless_uniform(*bits) {
                    kind::TEXT
                } else {
                    *bits
                },
                source: Source::Extra(text_unless_uniform(*bits)),
            })
            .collect();
        Layout {
            fields: fixed.into_iter().chain(extras).collect(),
            shapes: self.shapes,
            rows: self.rows,
        }
    }
}

/// Whether an unknown property's values become JSON text: unless they are all strings,
/// all numbers or all booleans.
fn text_unless_uniform(bits: u8) -> bool {
    let classes = [kind::BOOL, kind::NUMBER, kind::TEXT]
        .iter()
        .filter(|c| bits & **c != 0)
        .count();
    classes != 1 || bits & kind::OTHER != 0
}

/// Where a field's value comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    /// The row's value at this position.
    Value(usize),
    /// The unknown property of this name; `true`: written as JSON text.
    Extra(bool),
}

/// One column of the layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    /// The [`kind`] bits of its values (after any conversion to text).
    pub kinds: u8,
    pub source: Source,
}

impl Field {
    /// Whether the field's values are text ([`Source::Extra`] with mixed types, or text).
    pub fn is_text(&self) -> bool {
        matches!(self.source, Source::Extra(true)) || self.kinds & kind::TEXT != 0
    }
}

/// The columns of a layer and its geometry types.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub fields: Vec<Field>,
    pub shapes: u16,
    pub rows: u64,
}

impl Layout {
    /// The value of `field` in `row` as written (unknown properties converted to text
    /// where their column mixes types); null when missing.
    pub fn value<'r>(&self, field: &Field, row: &'r Row) -> std::borrow::Cow<'r, Value> {
        use std::borrow::Cow;
        match field.source {
            Source::Value(i) => Cow::Borrowed(&row.values[i]),
            Source::Extra(as_text) => {
                let v = row.extras.iter().find(|(k, _)| *k == field.name);
                match v {
                    None | Some((_, Value::Null)) => Cow::Owned(Value::Null),
                    Some((_, v @ Value::String(_))) => Cow::Borrowed(v),
                    Some((_, v)) if !as_text => Cow::Borrowed(v),
                    Some((_, v)) => Cow::Owned(Value::String(v.to_string())),
                }
            }
        }
    }

    /// Writes `row` as a GeoJSON feature (compact JSON, properties in layout order).
    pub fn write_feature(&self, row: &Row, out: &mut Vec<u8>) -> io::Result<()> {
        out.extend_from_slice(b"{\"type\":\"Feature\",\"geometry\":");
        match &row.geometry {
            Some(g) => serde_json::to_writer(&mut *out, &geojson::Geometry::from(g))?,
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"properties\":{");
        for (i, f) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut *out, &f.name)?;
            out.push(b':');
            serde_json::to_writer(&mut *out, &*self.value(f, row))?;
        }
        out.extend_from_slice(b"}}");
        Ok(())
    }
}

// The spill's encoding of a row: a geometry, then the values, then the unknown properties,
// each value a tag byte and its bytes (little-endian).

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn put_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.push(0),
        Value::Bool(false) => out.push(1),
        Value::Bool(true) => out.push(2),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push(3);
                out.extend_from_slice(&i.to_le_bytes());
            } else if let Some(u) = n.as_u64() {
                out.push(4);
                out.extend_from_slice(&u.to_le_bytes());
            } else {
                out.push(5);
                out.extend_from_slice(&n.as_f64().unwrap_or(f64::NAN).to_le_bytes());
            }
        }
        Value::String(s) => {
            out.push(6);
            put_str(out, s);
        }
        other => {
            out.push(7);
            put_str(out, &other.to_string());
        }
    }
}

fn put_coords<'a>(out: &mut Vec<u8>, coords: impl ExactSizeIterator<Item = &'a geo::Coord<f64>>) {
    put_len(out, coords.len());
    for c in coords {
        out.extend_from_slice(&c.x.to_le_bytes());
        out.extend_from_slice(&c.y.to_le_bytes());
    }
}

fn put_polygon(out: &mut Vec<u8>, p: &geo::Polygon<f64>) {
    put_len(out, 1 + p.interiors().len());
    put_coords(out, p.exterior().0.iter());
    for r in p.interiors() {
        put_coords(out, r.0.iter());
    }
}

fn put_geometry(out: &mut Vec<u8>, g: &geo::Geometry<f64>) {
    use geo::Geometry as G;
    match g {
        G::Point(p) => {
            out.push(1);
            put_coords(out, std::iter::once(&p.0));
        }
        G::Line(l) => {
            out.push(2);
            put_coords(out, [l.start, l.end].iter());
        }
        G::LineString(l) => {
            out.push(2);
            put_coords(out, l.0.iter());
        }
        G::Polygon(p) => {
            out.push(3);
            put_polygon(out, p);
        }
        G::Rect(r) => {
            out.push(3);
            put_polygon(out, &r.to_polygon());
        }
        G::Triangle(t) => {
            out.push(3);
            put_polygon(out, &t.to_polygon());
        }
        G::MultiPoint(m) => {
            out.push(4);
            put_coords(
                out,
                m.0.iter().map(|p| &p.0).collect::<Vec<_>>().into_iter(),
            );
        }
        G::MultiLineString(m) => {
            out.push(5);
            put_len(out, m.0.len());
            for l in &m.0 {
                put_coords(out, l.0.iter());
            }
        }
        G::MultiPolygon(m) => {
            out.push(6);
            put_len(out, m.0.len());
            for p in &m.0 {
                put_polygon(out, p);
            }
        }
        G::GeometryCollection(c) => {
            out.push(7);
            put_len(out, c.0.len());
            for g in &c.0 {
                put_geometry(out, g);
            }
        }
    }
}

/// Encodes a row for the spill.
pub fn encode(row: &Row, out: &mut Vec<u8>) {
    match &row.geometry {
        None => out.push(0),
        Some(g) => put_geometry(out, g),
    }
    put_len(out, row.values.len());
    for v in &row.values {
        put_value(out, v);
    }
    put_len(out, row.extras.len());
    for (k, v) in &row.extras {
        put_str(out, k);
        put_value(out, v);
    }
}

/// Reads back what [`encode`] wrote.
struct Reader<'a>(&'a [u8]);

fn corrupt() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "the layer's temporary file does not read back as written",
    )
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.0.len() < n {
            return Err(corrupt());
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn byte(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn eight(&mut self) -> io::Result<[u8; 8]> {
        self.take(8)?.try_into().map_err(|_| corrupt())
    }
    fn len(&mut self) -> io::Result<usize> {
        let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| corrupt())?;
        Ok(u32::from_le_bytes(b) as usize)
    }
    fn text(&mut self) -> io::Result<String> {
        let n = self.len()?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| corrupt())
    }
    fn value(&mut self) -> io::Result<Value> {
        Ok(match self.byte()? {
            0 => Value::Null,
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => Value::from(i64::from_le_bytes(self.eight()?)),
            4 => Value::from(u64::from_le_bytes(self.eight()?)),
            5 => serde_json::Number::from_f64(f64::from_le_bytes(self.eight()?))
                .map_or(Value::Null, Value::Number),
            6 => Value::String(self.text()?),
            7 => serde_json::from_str(&self.text()?).map_err(|_| corrupt())?,
            _ => return Err(corrupt()),
        })
    }
    fn coords(&mut self) -> io::Result<Vec<geo::Coord<f64>>> {
        let n = self.len()?;
        (0..n)
            .map(|_| {
                Ok(geo::coord! {
                    x: f64::from_le_bytes(self.eight()?),
                    y: f64::from_le_bytes(self.eight()?),
                })
            })
            .collect()
    }
    fn polygon(&mut self) -> io::Result<geo::Polygon<f64>> {
        let rings = self.len()?;
        let mut all = (0..rings)
            .map(|_| self.coords().map(geo::LineString))
            .collect::<io::Result<Vec<_>>>()?;
        if all.is_empty() {
            return Err(corrupt());
        }
        let exterior = all.remove(0);
        Ok(geo::Polygon::new(exterior, all))
    }
    fn geometry(&mut self) -> io::Result<Option<geo::Geometry<f64>>> {
        use geo::Geometry as G;
        Ok(Some(match self.byte()? {
            0 => return Ok(None),
            1 => {
                let c = self.coords()?;
                G::Point(geo::Point(*c.first().ok_or_else(corrupt)?))
            }
            2 => G::LineString(geo::LineString(self.coords()?)),
            3 => G::Polygon(self.polygon()?),
            4 => G::MultiPoint(geo::MultiPoint(
                self.coords()?.into_iter().map(geo::Point).collect(),
            )),
            5 => {
                let n = self.len()?;
                G::MultiLineString(geo::MultiLineString(
                    (0..n)
                        .map(|_| self.coords().map(geo::LineString))
                        .collect::<io::Result<_>>()?,
                ))
            }
            6 => {
                let n = self.len()?;
                G::MultiPolygon(geo::MultiPolygon(
                    (0..n).map(|_| self.polygon()).collect::<io::Result<_>>()?,
                ))
            }
            7 => {
                let n = self.len()?;
                let mut parts = Vec::with_capacity(n);
                for _ in 0..n {
                    parts.extend(self.geometry()?);
                }
                G::GeometryCollection(geo::GeometryCollection(parts))
            }
            _ => return Err(corrupt()),
        }))
    }
}

/// Decodes a row that [`encode`] wrote.
pub fn decode(bytes: &[u8]) -> io::Result<Row> {
    let mut r = Reader(bytes);
    let geometry = r.geometry()?;
    let n = r.len()?;
    let values = (0..n).map(|_| r.value()).collect::<io::Result<Vec<_>>>()?;
    let m = r.len()?;
    let extras = (0..m)
        .map(|_| Ok((r.text()?, r.value()?)))
        .collect::<io::Result<Vec<_>>>()?;
    Ok(Row {
        geometry,
        values,
        extras,
    })
}

/// Encoded rows in a temporary file, and where each lies in it.
pub use super::spill::{Blobs as Spill, Slot};

/// A finished [`Spill`] of encoded rows.
pub type Rows = super::spill::BlobFile;

impl Rows {
    /// The row at `slot` (safe to call from many threads at once).
    pub fn row(&self, slot: Slot) -> io::Result<Row> {
        let mut buf = Vec::new();
        self.read(slot, &mut buf)?;
        decode(&buf)
    }
}

/// Rows a writer decodes (in parallel) between two writes.
pub const CHUNK: usize = 4096;

/// Writes the rows at `slots` (in that order), each with its rank from `rank`, as GeoJSON
/// features through `each` (called in order with a feature's bytes); rows are read and
/// turned into JSON in parallel, a chunk at a time.
pub fn for_each_feature(
    layout: &Layout,
    rows: &Rows,
    slots: &[(Slot, Option<RankCell>)],
    each: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    use rayon::prelude::*;
    for chunk in slots.chunks(CHUNK) {
        let texts: Vec<io::Result<Vec<u8>>> = chunk
            .par_iter()
            .map(|(slot, rank)| {
                let mut row = rows.row(*slot)?;
                row.set_rank(*rank);
                let mut out = Vec::with_capacity(slot.len as usize * 2);
                layout.write_feature(&row, &mut out)?;
                Ok(out)
            })
            .collect();
        for t in texts {
            each(&t?)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_read_back_as_written() {
        let poly = geo::Polygon::new(
            geo::LineString::from(vec![(0.0, 0.0), (1.5, 0.0), (1.5, 1.0), (0.0, 0.0)]),
            vec![geo::LineString::from(vec![
                (0.1, 0.1),
                (0.2, 0.1),
                (0.2, 0.2),
                (0.1, 0.1),
            ])],
        );
        let row = Row {
            geometry: Some(geo::Geometry::GeometryCollection(geo::GeometryCollection(
                vec![
                    geo::Geometry::Point(geo::Point::new(-117.5, 10.25)),
                    geo::Geometry::MultiPolygon(geo::MultiPolygon(vec![poly])),
                ],
            ))),
            values: vec![
                Value::Null,
                json!(true),
                json!(-3),
                json!(u64::MAX),
                json!(2.5),
                json!("Ñ\"x"),
            ],
            extras: vec![("tags".into(), json!(["a", {"b": 1}]))],
        };
        let mut bytes = Vec::new();
        encode(&row, &mut bytes);
        assert_eq!(decode(&bytes).unwrap(), row);
        // A truncated row is an error, not a panic.
        assert!(decode(&bytes[..bytes.len() - 3]).is_err());
    }

    #[test]
    fn unknown_properties_keep_their_type_only_when_it_is_one() {
        use kind::*;
        assert!(!text_unless_uniform(TEXT));
        assert!(!text_unless_uniform(INT | FLOAT));
        assert!(!text_unless_uniform(BOOL));
        assert!(text_unless_uniform(TEXT | INT));
        assert!(text_unless_uniform(OTHER));
        assert!(text_unless_uniform(BOOL | FLOAT));
    }
}
