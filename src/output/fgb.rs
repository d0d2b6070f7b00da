//! FlatGeobuf for large GIS layers (`export --format fgb`): the layer of
//! [`crate::output::layer`] with a typed schema (Real, Integer, Integer64, Boolean, String,
//! DateTime columns, declared in the header, so GDAL and QGIS read each field's type from
//! the file, not from its values), WGS84 (EPSG:4326), and a packed Hilbert R-tree spatial
//! index, so that QGIS draws a part of a million-feature layer without reading all of it.
//! The flatgeobuf crate keeps each feature in a temporary file and only its bounding box
//! (40 bytes) and place in memory until the index is written.

use std::io::{self, Write};

use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::{ColumnValue, GeomProcessor, GeozeroGeometry, PropertyProcessor};
use serde_json::Value;

use crate::output::layer::{Field, Layout, Row, Source, kind, shape};

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

/// A FlatGeobuf layer being written: rows are added in order, then [`Writer::finish`]
/// writes the file (header, index, features in index order).
pub struct Writer<'a> {
    fgb: FgbWriter<'a>,
    layout: &'a Layout,
    types: Vec<ColumnType>,
}

impl<'a> Writer<'a> {
    /// A layer named `name` with the columns of `layout`.
    pub fn new(name: &str, layout: &'a Layout) -> io::Result<Writer<'a>> {
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
        .map_err(fgb_error)?;
        let types: Vec<ColumnType> = layout.fields.iter().map(column_type).collect();
        for (f, t) in layout.fields.iter().zip(&types) {
            fgb.add_column(&f.name, *t, |_, col| col.nullable = true);
        }
        Ok(Writer { fgb, layout, types })
    }

    /// Adds a feature.
    pub fn add(&mut self, row: &Row) -> io::Result<()> {
        let (layout, types) = (self.layout, &self.types);
        let mut failed = None;
        match &row.geometry {
            Some(g) => self.fgb.add_feature_geom(Borrowed(g), |w| {
                failed = fill(w, layout, types, row).err();
            }),
            None => self.fgb.add_feature_geom(NoGeometry, |w| {
                failed = fill(w, layout, types, row).err();
            }),
        }
        .map_err(fgb_error)?;
        failed.map_or(Ok(()), Err)
    }

    /// Writes the file to `out`.
    pub fn finish(self, out: &mut dyn Write) -> io::Result<()> {
        self.fgb.write(out).map_err(fgb_error)
    }
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
