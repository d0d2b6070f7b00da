//! FlatGeobuf for large GIS layers (`export --format fgb`): the layer of
//! [`crate::output::layer`] with a typed schema (Real, Integer, Integer64, Boolean, String,
//! DateTime columns, declared in the header, so GDAL and QGIS read each field's type from
//! the file, not from its values), WGS84 (EPSG:4326), and a packed Hilbert R-tree spatial
//! index, so that QGIS draws a part of a million-feature layer without reading all of it.
//! Each feature waits in a temporary file, and only its bounding box (40 bytes) and place
//! in memory, until the index is written.

use std::io::{self, Write};

use flatgeobuf::packed_r_tree::{NodeItem, PackedRTree, calc_extent, hilbert_sort};
use flatgeobuf::{
    Column, ColumnArgs, ColumnType, Crs, CrsArgs, FgbCrs, FgbWriter, FgbWriterOptions,
    GeometryType, Header, HeaderArgs,
};
use geozero::{ColumnValue, GeomProcessor, GeozeroGeometry, PropertyProcessor};
use serde_json::Value;

use crate::output::layer::{Field, Layout, RankCell, Row, Rows, Source, kind, shape};
use crate::output::spill::{Blobs, Slot};

/// The FlatGeobuf type of a column.
pub fn column_type(f: &Field) -> ColumnType {
    // Date columns of the layer hold ISO 8601 dates (first_production_date...).
    if matches!(f.source, Source::Value(_)) && f.name.ends_with("_date") && f.is_text() {
        return ColumnType::DateTime;
    }
    let k = f.kinds;
    if f.is_text() || k & kind::OTHER != 0 {
        ColumnType::String
    } else if k == kind::BOOL {
        ColumnType::Bool
    } else if k & kind::BOOL != 0 {
        // Booleans mixed with numbers: written as JSON text.
        ColumnType::String
    } else if k & kind::FLOAT != 0 {
        ColumnType::Double
    } else if k & kind::WIDE != 0 {
        ColumnType::Long
    } else {
        ColumnType::Int
    }
}

/// The header's geometry type for the layer's [`shape`] bits: one type when every feature
/// has it (polygons declared as multipolygons when both occur), else Unknown (each feature
/// carries its own type).
fn geometry_type(shapes: u16) -> (GeometryType, bool) {
    let s = shapes & !shape::NONE;
    match s {
        shape::POINT => (GeometryType::Point, false),
        shape::MULTIPOINT => (GeometryType::MultiPoint, false),
        shape::LINE => (GeometryType::LineString, false),
        x if x & !(shape::LINE | shape::MULTILINE) == 0 && x != 0 => {
            (GeometryType::MultiLineString, true)
        }
        shape::POLYGON => (GeometryType::Polygon, false),
        x if x & !(shape::POLYGON | shape::MULTIPOLYGON) == 0 && x != 0 => {
            (GeometryType::MultiPolygon, true)
        }
        _ => (GeometryType::Unknown, false),
    }
}

fn fgb_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("FlatGeobuf: {e}"))
}

/// A geometry, lent.
struct Borrowed<'g>(&'g geo::Geometry<f64>);

impl GeozeroGeometry for Borrowed<'_> {
    fn process_geom<P: GeomProcessor>(&self, p: &mut P) -> geozero::error::Result<()> {
        self.0.process_geom(p)
    }
}

/// A feature without a geometry.
struct NoGeometry;

impl GeozeroGeometry for NoGeometry {
    fn process_geom<P: GeomProcessor>(&self, _: &mut P) -> geozero::error::Result<()> {
        Ok(())
    }
}

/// Features a thread encodes at a time (judgement: about 3 MB of features at 800 bytes
/// each, enough to pay for the crate writer each run makes).
const RUN: usize = 4096;

/// A FlatGeobuf layer: its name and columns, written by [`Writer::write`].
///
/// The crate's `FgbWriter` encodes one feature at a time, and its `write` reads each back
/// through a buffer it seeks before every feature; at a million features that was 26 s on
/// one core. Here runs of features are encoded on every thread, each by a crate writer
/// of its own without an index (so each feature's bytes are the crate's), kept in a
/// temporary file, and copied in the index's order by positioned reads; the header and the
/// packed Hilbert R-tree are built as the crate builds them. The file is byte for byte the
/// one `FgbWriter` writes (held by a test).
pub struct Writer<'a> {
    name: String,
    layout: &'a Layout,
    types: Vec<ColumnType>,
    geometry: GeometryType,
    promote: bool,
}

/// A run's features as the crate encoded them: their bytes back to back, where each ends,
/// and each one's box (`None` for a feature without a geometry).
struct Run {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    boxes: Vec<Option<NodeItem>>,
    /// The run's last row with a geometry.
    last: Option<Row>,
}

impl<'a> Writer<'a> {
    /// A layer named `name` with the columns of `layout`.
    pub fn new(name: &str, layout: &'a Layout) -> Writer<'a> {
        let (geometry, promote) = geometry_type(layout.shapes);
        Writer {
            name: name.to_owned(),
            layout,
            types: layout.fields.iter().map(column_type).collect(),
            geometry,
            promote,
        }
    }

    /// The crate's writer for this layer, without an index: it writes its features in the
    /// order added, each encoded as in the file.
    fn encoder(&self) -> io::Result<FgbWriter<'a>> {
        let mut fgb = FgbWriter::create_with_options(
            &self.name,
            self.geometry,
            FgbWriterOptions {
                write_index: false,
                detect_type: false,
                promote_to_multi: self.promote,
                crs: FgbCrs {
                    code: EPSG_WGS84,
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .map_err(fgb_error)?;
        for (f, t) in self.layout.fields.iter().zip(&self.types) {
            fgb.add_column(&f.name, *t, |_, col| col.nullable = true);
        }
        Ok(fgb)
    }

    /// Adds `row` to the crate's writer.
    fn add(&self, fgb: &mut FgbWriter<'_>, row: &Row) -> io::Result<()> {
        let (layout, types) = (self.layout, &self.types);
        let mut failed = None;
        match &row.geometry {
            Some(g) => fgb.add_feature_geom(Borrowed(g), |w| {
                failed = fill(w, layout, types, row).err();
            }),
            None => fgb.add_feature_geom(NoGeometry, |w| {
                failed = fill(w, layout, types, row).err();
            }),
        }
        .map_err(fgb_error)?;
        failed.map_or(Ok(()), Err)
    }

    /// Encodes `rows` after `primer` (the last row with a geometry before them, if any: the
    /// crate's writer gives a feature without a geometry the geometry type its previous
    /// feature left, so the primer sets that state and its own bytes are dropped).
    fn encode(
        &self,
        primer: Option<&Row>,
        rows: impl Iterator<Item = io::Result<Row>>,
    ) -> io::Result<Run> {
        let mut fgb = self.encoder()?;
        if let Some(p) = primer {
            self.add(&mut fgb, p)?;
        }
        let (mut boxes, mut last) = (Vec::new(), None);
        for row in rows {
            let row = row?;
            self.add(&mut fgb, &row)?;
            boxes.push(row.geometry.as_ref().map(bbox));
            if row.geometry.is_some() {
                last = Some(row);
            }
        }
        let mut file = Vec::new();
        fgb.write(&mut file).map_err(fgb_error)?;
        // Magic bytes, the size-prefixed header, then the size-prefixed features.
        let mut at = MAGIC.len();
        at += 4 + prefix(&file, at)?;
        if primer.is_some() {
            at += 4 + prefix(&file, at)?;
        }
        let mut ends = Vec::with_capacity(boxes.len());
        let mut end = 0;
        for _ in &boxes {
            end += 4 + prefix(&file, at + end)?;
            ends.push(end);
        }
        file.drain(..at);
        file.truncate(end);
        Ok(Run {
            bytes: file,
            ends,
            boxes,
            last,
        })
    }

    /// Writes the features of the rows at `slots` (in that order, each with its rank) to
    /// `out`: header, index, features in index order.
    pub fn write(
        &self,
        rows: &Rows,
        slots: &[(Slot, Option<RankCell>)],
        out: &mut dyn Write,
    ) -> io::Result<()> {
        self.write_in_runs(rows, slots, out, RUN)
    }

    /// [`Writer::write`] with runs of `run` features.
    fn write_in_runs(
        &self,
        rows: &Rows,
        slots: &[(Slot, Option<RankCell>)],
        out: &mut dyn Write,
        run: usize,
    ) -> io::Result<()> {
        use rayon::prelude::*;
        let read = |&(slot, rank): &(Slot, Option<RankCell>)| {
            let mut row = rows.row(slot)?;
            row.set_rank(rank);
            Ok(row)
        };
        let mut kept = Blobs::new()?;
        let mut features: Vec<Slot> = Vec::with_capacity(slots.len());
        let mut nodes: Vec<NodeItem> = Vec::with_capacity(slots.len());
        // The crate's writer state a feature without a geometry takes: the box (and
        // geometry type) the last feature with one left; none before the first.
        let (mut last, mut last_box) = (None::<Row>, NodeItem::create(0));
        let runs: Vec<&[(Slot, Option<RankCell>)]> = slots.chunks(run.max(1)).collect();
        let at_once = 4 * rayon::current_num_threads().max(1);
        for group in runs.chunks(at_once) {
            let encoded: Vec<io::Result<Run>> = group
                .par_iter()
                .map(|run| self.encode(None, run.iter().map(read)))
                .collect();
            for (run, encoded) in group.iter().zip(encoded) {
                let mut encoded = encoded?;
                // The features before the run's first geometry were encoded without the
                // state the previous run left: encoded again after its last geometry.
                let lead = encoded.boxes.iter().take_while(|b| b.is_none()).count();
                if lead > 0 && last.is_some() {
                    let again = self.encode(last.as_ref(), run[..lead].iter().map(read))?;
                    let cut = encoded.ends[lead - 1];
                    let tail = encoded.bytes.split_off(cut);
                    encoded.bytes = again.bytes;
                    encoded.bytes.extend_from_slice(&tail);
                    let shift = encoded.bytes.len() - tail.len();
                    encoded.ends = (again.ends.into_iter())
                        .chain(encoded.ends[lead..].iter().map(|e| e - cut + shift))
                        .collect();
                }
                let mut start = 0;
                for (end, b) in encoded.ends.iter().zip(&encoded.boxes) {
                    let mut node = b.clone().unwrap_or_else(|| last_box.clone());
                    last_box = node.clone();
                    node.offset = nodes.len() as u64;
                    nodes.push(node);
                    features.push(kept.push(&encoded.bytes[start..*end])?);
                    start = *end;
                }
                if encoded.last.is_some() {
                    last = encoded.last;
                }
            }
        }
        let kept = kept.finish()?;

        let extent = calc_extent(&nodes);
        out.write_all(&MAGIC)?;
        out.write_all(&self.header(nodes.len() as u64, &extent))?;
        if !nodes.is_empty() {
            hilbert_sort(&mut nodes, &extent);
            let mut offset = 0;
            let index: Vec<NodeItem> = nodes
                .iter()
                .map(|n| {
                    let mut node = n.clone();
                    node.offset = offset;
                    offset += u64::from(features[n.offset as usize].len);
                    node
                })
                .collect();
            PackedRTree::build(&index, &extent, PackedRTree::DEFAULT_NODE_SIZE)
                .map_err(fgb_error)?
                .stream_write(&mut &mut *out)?;
        }
        // The features in index order, read a few runs at a time on every thread.
        let order: Vec<Slot> = nodes.iter().map(|n| features[n.offset as usize]).collect();
        drop(nodes);
        for group in order.chunks(run.max(1) * at_once) {
            let bytes: Vec<io::Result<Vec<u8>>> = group
                .par_chunks(run.max(1))
                .map(|slots| {
                    let (mut all, mut one) = (Vec::new(), Vec::new());
                    for &slot in slots {
                        kept.read(slot, &mut one)?;
                        all.extend_from_slice(&one);
                    }
                    Ok(all)
                })
                .collect();
            for b in bytes {
                out.write_all(&b?)?;
            }
        }
        Ok(())
    }

    /// The size-prefixed header of `count` features within `extent`, built in the order
    /// the crate's `FgbWriter` builds it (so the same bytes).
    fn header(&self, count: u64, extent: &NodeItem) -> Vec<u8> {
        let mut fbb = flatbuffers::FlatBufferBuilder::new();
        let name = fbb.create_string(&self.name);
        let crs = Crs::create(
            &mut fbb,
            &CrsArgs {
                code: EPSG_WGS84,
                ..Default::default()
            },
        );
        let columns: Vec<_> = (self.layout.fields.iter().zip(&self.types))
            .map(|(f, t)| {
                let name = fbb.create_string(&f.name);
                Column::create(
                    &mut fbb,
                    &ColumnArgs {
                        name: Some(name),
                        type_: *t,
                        nullable: true,
                        ..Default::default()
                    },
                )
            })
            .collect();
        let columns = fbb.create_vector(&columns);
        let envelope = fbb.create_vector(&[extent.min_x, extent.min_y, extent.max_x, extent.max_y]);
        let header = Header::create(
            &mut fbb,
            &HeaderArgs {
                name: Some(name),
                geometry_type: self.geometry,
                index_node_size: PackedRTree::DEFAULT_NODE_SIZE,
                crs: Some(crs),
                columns: Some(columns),
                envelope: Some(envelope),
                features_count: count,
                ..Default::default()
            },
        );
        fbb.finish_size_prefixed(header, None);
        fbb.finished_data().to_vec()
    }
}

/// The EPSG code of WGS84 longitude/latitude, the layer's CRS.
const EPSG_WGS84: i32 = 4326;

/// A FlatGeobuf file's first bytes: "fgb", the format's version, "fgb", 0.
const MAGIC: [u8; 8] = [b'f', b'g', b'b', flatgeobuf::VERSION, b'f', b'g', b'b', 0];

/// The little-endian u32 size prefix at `at` of `bytes`.
fn prefix(bytes: &[u8], at: usize) -> io::Result<usize> {
    let b = bytes
        .get(at..at + 4)
        .ok_or_else(|| fgb_error("a feature the writer encoded is cut short"))?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// A geometry's box as the crate's writer makes it: every coordinate's x and y, from an
/// empty box (infinite bounds) for a geometry without coordinates.
fn bbox(g: &geo::Geometry<f64>) -> NodeItem {
    use geo::CoordsIter;
    let mut node = NodeItem::create(0);
    for c in g.coords_iter() {
        node.expand_xy(c.x, c.y);
    }
    node
}

/// Writes the properties of `row`.
fn fill(
    w: &mut impl PropertyProcessor,
    layout: &Layout,
    types: &[ColumnType],
    row: &Row,
) -> io::Result<()> {
    for (i, (f, t)) in layout.fields.iter().zip(types).enumerate() {
        property(w, i, f, *t, &layout.value(f, row))?;
    }
    Ok(())
}

/// Writes one value (nothing for null: a FlatGeobuf feature lists only its set properties).
fn property(
    w: &mut impl PropertyProcessor,
    i: usize,
    f: &Field,
    t: ColumnType,
    v: &Value,
) -> io::Result<()> {
    if v.is_null() {
        return Ok(());
    }
    let text;
    let cv = match t {
        ColumnType::Double => ColumnValue::Double(v.as_f64().unwrap_or(f64::NAN)),
        ColumnType::Int => ColumnValue::Int(
            v.as_i64()
                .and_then(|x| i32::try_from(x).ok())
                .ok_or_else(|| fgb_error(format!("{} holds {v}, not a 32-bit integer", f.name)))?,
        ),
        ColumnType::Long => ColumnValue::Long(
            v.as_i64()
                .ok_or_else(|| fgb_error(format!("{} holds {v}, not a 64-bit integer", f.name)))?,
        ),
        ColumnType::Bool => ColumnValue::Bool(v.as_bool().unwrap_or(false)),
        ColumnType::DateTime => {
            text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            ColumnValue::DateTime(&text)
        }
        _ => {
            text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            ColumnValue::String(&text)
        }
    };
    w.property(i, &f.name, &cv).map_err(fgb_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::layer::Schema;

    /// The file as the crate's `FgbWriter` writes it, a row at a time: the oracle.
    fn crate_file(name: &str, layout: &Layout, rows: &[Row]) -> Vec<u8> {
        let w = Writer::new(name, layout);
        let (geometry, promote) = geometry_type(layout.shapes);
        let mut fgb = FgbWriter::create_with_options(
            name,
            geometry,
            FgbWriterOptions {
                write_index: true,
                detect_type: false,
                promote_to_multi: promote,
                crs: FgbCrs {
                    code: 4326,
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap();
        for f in &layout.fields {
            fgb.add_column(&f.name, column_type(f), |_, col| col.nullable = true);
        }
        for row in rows {
            w.add(&mut fgb, row).unwrap();
        }
        let mut out = Vec::new();
        fgb.write(&mut out).unwrap();
        out
    }

    #[test]
    fn the_file_is_the_crate_writers_byte_for_byte_in_runs_of_any_length() {
        use serde_json::json;
        let square = |x: f64, y: f64| {
            geo::Polygon::new(
                geo::LineString::from(vec![(x, y), (x + 1.0, y), (x + 1.0, y + 1.5), (x, y)]),
                vec![],
            )
        };
        let point = |x: f64, y: f64| Some(geo::Geometry::Point(geo::Point::new(x, y)));
        // Features without a geometry first, after a point, after a polygon, and whole
        // runs of them: the crate's writer gives each the box (and, in a layer of mixed
        // types, the geometry type) that the last feature with a geometry left.
        let geometries = [
            None,
            None,
            point(10.0, 20.0),
            None,
            Some(geo::Geometry::Polygon(square(-70.0, -15.0))),
            None,
            None,
            None,
            None,
            point(139.5, 35.25),
            Some(geo::Geometry::MultiPolygon(geo::MultiPolygon(vec![
                square(1.0, 1.0),
                square(5.0, -3.0),
            ]))),
            None,
            point(-117.0, 12.0),
            point(-116.5, 12.5),
            None,
        ];
        let rows: Vec<Row> = (geometries.iter().enumerate())
            .map(|(i, g)| Row {
                geometry: g.clone(),
                values: (0..crate::output::layer::names().len())
                    .map(|k| match k {
                        0 => json!(format!("P{i}")),
                        1 if i % 3 != 0 => json!(i as f64 * 1.25),
                        2 => json!(i % 2 == 0),
                        _ => Value::Null,
                    })
                    .collect(),
                extras: vec![("note".into(), json!(i))],
            })
            .collect();
        let points: Vec<Row> = (rows.iter())
            .map(|r| Row {
                geometry: r.geometry.as_ref().map(|_| point(3.0, 4.0).unwrap()),
                ..r.clone()
            })
            .collect();
        for rows in [&rows, &points, &rows[2..3].to_vec(), &Vec::new()] {
            let mut schema = Schema::default();
            let mut blobs = Blobs::new().unwrap();
            let mut slots = Vec::new();
            for row in rows {
                schema.merge(&Schema::of(row));
                let mut bytes = Vec::new();
                crate::output::layer::encode(row, &mut bytes);
                let rank = (slots.len() % 4 != 1).then_some((slots.len() + 1, 0.5, true));
                slots.push((blobs.push(&bytes).unwrap(), rank));
            }
            schema.ranked();
            let layout = schema.layout();
            let blobs = blobs.finish().unwrap();
            let ranked: Vec<Row> = (rows.iter().zip(&slots))
                .map(|(r, (_, rank))| {
                    let mut r = r.clone();
                    r.set_rank(*rank);
                    r
                })
                .collect();
            let expected = crate_file("sites", &layout, &ranked);
            for run in [1, 2, 3, 4, 5, 1000] {
                let mut out = Vec::new();
                Writer::new("sites", &layout)
                    .write_in_runs(&blobs, &slots, &mut out, run)
                    .unwrap();
                assert!(out == expected, "{} rows in runs of {run}", rows.len());
            }
        }
    }

    #[test]
    fn one_geometry_type_is_declared_when_every_feature_has_it() {
        assert_eq!(geometry_type(shape::POINT), (GeometryType::Point, false));
        assert_eq!(
            geometry_type(shape::POLYGON | shape::MULTIPOLYGON),
            (GeometryType::MultiPolygon, true)
        );
        assert_eq!(
            geometry_type(shape::POINT | shape::POLYGON),
            (GeometryType::Unknown, false)
        );
    }

    #[test]
    fn columns_are_typed_from_their_values() {
        let f = |name: &str, kinds: u8| Field {
            name: name.into(),
            kinds,
            source: Source::Value(0),
        };
        assert_eq!(column_type(&f("npv_musd", kind::FLOAT)), ColumnType::Double);
        assert_eq!(column_type(&f("stage_year", kind::INT)), ColumnType::Int);
        assert_eq!(
            column_type(&f("n", kind::INT | kind::WIDE)),
            ColumnType::Long
        );
        assert_eq!(
            column_type(&f("n", kind::INT | kind::FLOAT)),
            ColumnType::Double
        );
        assert_eq!(column_type(&f("valued", kind::BOOL)), ColumnType::Bool);
        assert_eq!(
            column_type(&f("first_production_date", kind::TEXT)),
            ColumnType::DateTime
        );
        assert_eq!(column_type(&f("name", kind::TEXT)), ColumnType::String);
    }
}
