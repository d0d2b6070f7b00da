//! GeoJSON for GIS: an RFC 7946 FeatureCollection of the appraised sites (WGS84 lon/lat,
//! coordinates rounded to 7 decimals, polygons wound by the right-hand rule, no `crs`
//! member, a top-level `name` for the layer), with flat scalar properties of one JSON type
//! per column; GeoJSON text sequences (RFC 8142) for very large outputs; and a QGIS layer
//! style graduated by score.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use geo::{MapCoords, Orient, orient::Direction};

use serde_json::{Map, Value, json};

use crate::output::layer::{Layout, RankCell, Row, Rows, Schema, Slot, for_each_feature};

use crate::appraisal::{Appraisal, Report};
use crate::portfolio::rank::Ranking;
use crate::read::record::ProjectRecord;

/// Rounds to 7 decimals (about 1 cm): RFC 7946 §11.2 advises against more.
fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7 + 0.0
}

/// The geometry as the GIS layer writes it: rounded, polygons counter-clockwise outside
/// and clockwise inside (RFC 7946).
pub fn gis_geometry(g: &geo::Geometry<f64>) -> geo::Geometry<f64> {
    let g = g.map_coords(|c| geo::coord! { x: round7(c.x), y: round7(c.y) });
    match g {
        geo::Geometry::Polygon(p) => geo::Geometry::Polygon(p.orient(Direction::Default)),
        geo::Geometry::MultiPolygon(mp) => {
            geo::Geometry::MultiPolygon(mp.orient(Direction::Default))
        }
        other => other,
    }
}

/// The geometry as RFC 7946 JSON ([`gis_geometry`]).
pub fn geometry_json(g: &geo::Geometry<f64>) -> Value {
    serde_json::to_value(geojson::Geometry::from(&gis_geometry(g))).unwrap_or(Value::Null)
}

fn real(v: Option<f64>) -> Value {
    match v {
        Some(x) if x.is_finite() => {
            serde_json::Number::from_f64(x + 0.0).map_or(Value::Null, Value::Number)
        }
        _ => Value::Null,
    }
}

fn text(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |s| Value::String(s.to_owned()))
}

fn date(year: Option<i32>) -> Value {
    year.map_or(Value::Null, |y| Value::String(format!("{y:04}-01-01")))
}

/// The record's own fields under their schema names, as given (lists joined with `;`,
/// missing values `null`): reading the exported file back gives the same records.
pub fn record_properties(r: &ProjectRecord) -> Map<String, Value> {
    record_fields(r)
        .into_iter()
        .map(|(k, v)| (k.into_owned(), v))
        .collect()
}

/// [`record_properties`] in order, as pairs.
pub fn record_fields(r: &ProjectRecord) -> Vec<(Cow<'static, str>, Value)> {
    let g = &r.geology;
    let e = &r.economics;
    let d = &r.development;
    let s = &r.study;
    let o = &r.ownership;
    let list = |v: &Vec<String>| {
        if v.is_empty() {
            Value::Null
        } else {
            Value::String(v.join(";"))
        }
    };
    let int = |v: Option<i32>| v.map_or(Value::Null, Value::from);
    let name = |v: Option<&'static str>| v.map_or(Value::Null, |s| Value::String(s.to_owned()));
    let mut fields: Vec<(Cow<'static, str>, Value)> = vec![
        ("id".into(), Value::String(r.id.clone())),
        ("name".into(), Value::String(r.name.clone())),
        ("country".into(), text(r.country.as_deref())),
        ("sponsor_country".into(), text(r.sponsor_country.as_deref())),
        ("subdivision".into(), text(r.subdivision.as_deref())),
        ("regime".into(), name(r.regime.map(|x| x.as_str()))),
        ("operator".into(), text(o.operator.as_deref())),
        ("owners".into(), list(&o.owners)),
        ("owner_countries".into(), list(&o.owner_countries)),
        ("offtakers".into(), list(&o.offtakers)),
        ("offtaker_countries".into(), list(&o.offtaker_countries)),
        (
            "processing_route".into(),
            name(o.processing_route.map(|x| x.as_str())),
        ),
        (
            "sponsor_kind".into(),
            name(o.sponsor_kind.map(|x| x.as_str())),
        ),
        ("commodity".into(), name(g.commodity.map(|x| x.as_str()))),
        (
            "deposit_type".into(),
            name(g.deposit_type.map(|x| x.as_str())),
        ),
        ("measured_mt".into(), real(g.resource.measured_mt)),
        ("indicated_mt".into(), real(g.resource.indicated_mt)),
        ("inferred_mt".into(), real(g.resource.inferred_mt)),
        ("resource_mt".into(), real(g.resource.unclassified_mt)),
        ("reserve_mt".into(), real(g.resource.reserve_mt)),
        ("grade_treo_pct".into(), real(g.grade_treo_pct)),
    ];
    for (i, ox) in crate::read::record::OXIDES.iter().enumerate() {
        fields.push((format!("{ox}_share_pct").into(), real(g.oxide_shares[i])));
    }
    let more: [(&str, Value); 64] = [
        ("ndpr_share_pct", real(g.ndpr_share_pct)),
        ("dytb_share_pct", real(g.dytb_share_pct)),
        ("abundance_kg_m2", real(g.abundance_kg_m2)),
        ("ni_pct", real(g.ni_pct)),
        ("cu_pct", real(g.cu_pct)),
        ("co_pct", real(g.co_pct)),
        ("mn_pct", real(g.mn_pct)),
        ("zn_pct", real(g.zn_pct)),
        ("pb_pct", real(g.pb_pct)),
        ("au_g_t", real(g.au_g_t)),
        ("ag_g_t", real(g.ag_g_t)),
        ("tho2_ppm", real(g.tho2_ppm)),
        ("u3o8_ppm", real(g.u3o8_ppm)),
        ("water_depth_m", real(g.water_depth_m)),
        ("licence_area_km2", real(g.licence_area_km2)),
        ("resource_reo_mt", real(g.contained_reo_mt)),
        ("capacity_scenario", text(e.capacity_scenario.as_deref())),
        ("stage", name(d.stage.map(|x| x.as_str()))),
        ("stage_year", int(d.stage_year)),
        ("revival_year", int(d.revival_year)),
        ("permit_status", name(d.permit_status.map(|x| x.as_str()))),
        ("milestones", text(d.milestones.as_deref())),
        (
            "dated_milestones",
            text(crate::read::milestone::format_list(&d.dated_milestones).as_deref()),
        ),
        ("throughput_mtpa", real(e.throughput_mtpa)),
        ("product_form", name(e.product_form.map(|x| x.as_str()))),
        ("recovery_pct", real(e.recovery_pct)),
        ("mine_life_y", real(e.mine_life_y)),
        ("annual_treo_t", real(e.annual_treo_t)),
        ("annual_ndpr_t", real(e.annual_ndpr_t)),
        ("annual_dytb_t", real(e.annual_dytb_t)),
        ("annual_ni_t", real(e.annual_ni_t)),
        ("annual_cu_t", real(e.annual_cu_t)),
        ("annual_co_t", real(e.annual_co_t)),
        ("annual_mn_t", real(e.annual_mn_t)),
        ("capex_m", real(e.capex_m)),
        ("sustaining_capex_m_per_y", real(e.sustaining_capex_m_per_y)),
        ("opex_per_t_ore", real(e.opex_per_t_ore)),
        ("opex_per_kg_reo", real(e.opex_per_kg_reo)),
        ("opex_m_per_y", real(e.opex_m_per_y)),
        ("royalty_pct", real(e.royalty_pct)),
        ("tax_rate_pct", real(e.tax_rate_pct)),
        ("currency", text(e.currency.as_deref())),
        ("study_type", name(s.study_type.map(|x| x.as_str()))),
        ("study_year", int(s.year)),
        ("study_npv_m", real(s.npv_m)),
        ("study_irr_pct", real(s.irr_pct)),
        ("study_discount_rate_pct", real(s.discount_rate_pct)),
        ("study_npv_basis", name(s.npv_basis.map(|x| x.as_str()))),
        ("study_basket_usd_per_kg", real(s.basket_price_per_kg)),
        ("study_ndpr_usd_per_kg", real(s.ndpr_price_per_kg)),
        ("study_currency", text(s.currency.as_deref())),
        ("study_capex_m", real(s.terms.capex_m)),
        ("study_revenue_m_per_y", real(s.terms.revenue_m_per_y)),
        ("study_revenue_lom_m", real(s.terms.revenue_lom_m)),
        (
            "study_byproduct_revenue_m_per_y",
            real(s.terms.byproduct_revenue_m_per_y),
        ),
        ("study_opex_m_per_y", real(s.terms.opex_m_per_y)),
        ("study_ebitda_m_per_y", real(s.terms.ebitda_m_per_y)),
        ("study_ebitda_lom_m", real(s.terms.ebitda_lom_m)),
        ("study_fcf_m_per_y", real(s.terms.fcf_m_per_y)),
        (
            "study_sustaining_capex_m_per_y",
            real(s.terms.sustaining_capex_m_per_y),
        ),
        (
            "study_construction_y",
            int(s.terms.construction_y.map(|c| c as i32)),
        ),
        (
            "study_ramp_up_pct",
            text(
                s.terms
                    .ramp_up_pct
                    .as_ref()
                    .map(|v| {
                        v.iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(";")
                    })
                    .as_deref(),
            ),
        ),
        ("study_royalty_pct", real(s.terms.royalty_pct)),
        ("study_tax_rate_pct", real(s.terms.tax_rate_pct)),
    ];
    // lon, lat, geometry and grade_treo_ppm are input forms only: the geometry member and
    // grade_treo_pct carry them. Money of the record is written under the schema's `_m`
    // aliases (capex_m, opex_m_per_y, study_npv_m...): millions of the `currency` (or
    // `study_currency`) column, never under a `usd` name that a GIS user reads as US$.
    fields.extend(more.into_iter().map(|(k, v)| (k.into(), v)));
    fields.extend(round_trip_fields(r));
    fields.extend(support_fields(r));
    fields
}

/// The record's offtake share and its own terms of support instruments (issue 18).
fn support_fields(r: &ProjectRecord) -> Vec<(Cow<'static, str>, Value)> {
    let s = &r.support;
    [
        ("offtake_share_pct", real(r.ownership.offtake_share_pct)),
        ("floor_ndpr_usd_per_kg", real(s.floor_ndpr_usd_per_kg)),
        ("floor_tenor_y", real(s.floor_tenor_y)),
        ("floor_upside_share_pct", real(s.floor_upside_share_pct)),
        ("loan_rate_pct", real(s.loan_rate_pct)),
        ("loan_tenor_y", real(s.loan_tenor_y)),
        ("loan_share_of_capex_pct", real(s.loan_share_of_capex_pct)),
        ("production_credit", text(s.production_credit.as_deref())),
    ]
    .into_iter()
    .map(|(k, v)| (k.into(), v))
    .collect()
}

/// The record's fields beside those above (issue 19): its own terms of sale, remaining
/// life, money spent and to spend, by-products, money year, distribution and plant fields,
/// so that `export` and then `appraise` of the layer values every project as its record.
fn round_trip_fields(r: &ProjectRecord) -> Vec<(Cow<'static, str>, Value)> {
    let e = &r.economics;
    let p = &r.plant;
    let byproducts = e
        .byproducts
        .iter()
        .map(|b| {
            let mut item = format!("{}:{}", b.commodity, b.t_per_y);
            if let Some(usd) = b.usd_per_t {
                item.push_str(&format!(":{usd}"));
                if let Some(pay) = b.payable_pct {
                    item.push_str(&format!(":{pay}"));
                }
            }
            item
        })
        .collect::<Vec<_>>()
        .join(";");
    let feeds = p
        .feeds
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let fields: [(&str, Value); 17] = [
        ("distribution", text(r.geology.distribution.as_deref())),
        ("sale_price_usd_per_kg", real(e.sale_price_usd_per_kg)),
        ("payable_pct", real(e.payable_pct)),
        ("tolling_usd_per_kg", real(e.tolling_usd_per_kg)),
        ("remaining_life_y", real(e.remaining_life_y)),
        // Money of the record's currency, under `_m` names as capex_m is.
        ("capex_spent_m", real(e.capex_spent_m)),
        ("capex_remaining_m", real(e.capex_remaining_m)),
        (
            "byproducts",
            text(Some(byproducts.as_str()).filter(|t| !t.is_empty())),
        ),
        ("money_year", e.money_year.map_or(Value::Null, Value::from)),
        ("record_kind", text(p.kind.map(|k| k.as_str()))),
        ("plant_ndpr_t", real(p.ndpr_t)),
        ("plant_dytb_t", real(p.dytb_t)),
        ("plant_reo_t", real(p.reo_t)),
        (
            "plant_feeds",
            text(Some(feeds.as_str()).filter(|t| !t.is_empty())),
        ),
        (
            "plant_access",
            text(p.captive.map(|c| if c { "captive" } else { "open" })),
        ),
        ("plant_toll_usd_per_kg", real(p.toll_light_usd_per_kg)),
        ("plant_toll_heavy_usd_per_kg", real(p.toll_heavy_usd_per_kg)),
    ];
    fields.into_iter().map(|(k, v)| (k.into(), v)).collect()
}

/// A record alone as a GeoJSON feature (its geometry and its own fields).
pub fn record_feature(r: &ProjectRecord) -> Value {
    let geometry = r.geometry.as_ref().map_or(Value::Null, geometry_json);
    json!({"type": "Feature", "geometry": geometry, "properties": record_properties(r)})
}

/// Decimals of the computed (model) columns in the GIS layer: US$ million to US$100,
/// kilometres to 10 cm, shares and factors to 0.0001. The record's own fields are written
/// as given.
pub const COLUMN_DECIMALS: i32 = 4;

/// A computed figure rounded to [`COLUMN_DECIMALS`] (null when missing or not finite).
fn measured(v: Option<f64>) -> Value {
    let k = 10f64.powi(COLUMN_DECIMALS);
    real(v.map(|x| (x * k).round() / k))
}

/// The computed columns of the GIS layer, in order (names distinct from the record's
/// fields); [`columns`] gives their values.
pub const COMPUTED: [&str; 35] = [
    "regime_found",
    "commodity_found",
    "valued",
    "npv_musd",
    "npv_musd_p10",
    "npv_musd_p50",
    "npv_musd_p90",
    "irr_pct",
    "capex_musd_model",
    "study_npv_musd_published",
    "study_rebuilt_npv_musd",
    "study_rebuild_deviation_pct",
    "basket_price_usd_per_kg",
    "annual_treo_t_model",
    "annual_ndpr_t_model",
    "annual_dytb_t_model",
    "breakeven_price_factor",
    "chance_of_success",
    "risked_npv_musd",
    "first_production_year",
    "first_production_date",
    "first_production_p10_date",
    "first_production_p90_date",
    "rank",
    "score",
    "pareto",
    "nearest_plant",
    "nearest_plant_km",
    "nearest_port",
    "nearest_port_km",
    "distance_to_shore_km",
    "protected_area",
    "protected_area_km",
    "site_area_km2",
    "unvalued_reason",
];

/// Where `rank`, `score` and `pareto` sit in [`COMPUTED`].
pub const RANK_COLUMN: usize = 23;

/// The computed columns of a project, in [`COMPUTED`] order, figures rounded to
/// [`COLUMN_DECIMALS`].
pub(crate) fn columns(p: &Appraisal, rank: Option<(usize, f64, bool)>) -> [Value; 35] {
    let [rank, score, pareto] = rank_values(rank);
    let real = measured;
    let s = &p.spatial;
    let y = &p.first_production_year;
    [
        text(p.regime.as_deref()),
        text(p.commodity.as_deref()),
        Value::Bool(p.valued),
        real(p.npv_musd.base),
        real(p.npv_musd.p10),
        real(p.npv_musd.p50),
        real(p.npv_musd.p90),
        real(p.irr_pct),
        real(p.capex_musd),
        real(p.study.as_ref().map(|s| s.published_npv_musd)),
        real(
            p.study
                .as_ref()
                .and_then(|s| s.bridge.as_ref())
                .map(|b| b.rebuilt_npv_musd),
        ),
        real(
            p.study
                .as_ref()
                .and_then(|s| s.bridge.as_ref())
                .and_then(|b| b.rebuild_deviation_pct),
        ),
        real(p.basket_price_usd_per_kg),
        real(p.annual_treo_t),
        real(p.annual_ndpr_t),
        real(p.annual_dytb_t),
        real(p.breakeven_price_factor),
        real(Some(p.chance_of_success)),
        real(p.risked_npv_musd),
        Value::from(y.base),
        date(Some(y.base)),
        date(y.p10),
        date(y.p90),
        rank,
        score,
        pareto,
        text(s.nearest_separation_plant.as_ref().map(|n| n.name.as_str())),
        real(s.nearest_separation_plant.as_ref().map(|n| n.distance_km)),
        text(s.nearest_port.as_ref().map(|n| n.name.as_str())),
        real(s.nearest_port.as_ref().map(|n| n.distance_km)),
        real(s.distance_to_shore_km),
        text(s.protected_area.as_ref().map(|a| a.name.as_str())),
        real(s.protected_area.as_ref().map(|a| a.distance_km)),
        real(s.site_area_km2),
        text(p.unvalued_reason.as_deref()),
    ]
}

/// The `rank`, `score` (rounded to [`COLUMN_DECIMALS`]) and `pareto` columns.
pub(crate) fn rank_values(rank: Option<(usize, f64, bool)>) -> [Value; 3] {
    [
        rank.map_or(Value::Null, |r| Value::from(r.0)),
        measured(rank.map(|r| r.1)),
        rank.map_or(Value::Null, |r| Value::Bool(r.2)),
    ]
}

/// The layer's rows of a report (in its order), with ranks from `ranking`.
pub fn rows(report: &Report, records: &[ProjectRecord], ranking: &Ranking) -> Vec<Row> {
    let by_id: BTreeMap<&str, &ProjectRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let ranks: BTreeMap<&str, (usize, f64, bool)> = ranking
        .projects
        .iter()
        .map(|r| (r.id.as_str(), (r.rank, r.score, r.pareto)))
        .collect();
    report
        .projects
        .iter()
        .filter_map(|p| {
            let rec = by_id.get(p.id.as_str())?;
            Some(Row::new(rec, p, ranks.get(p.id.as_str()).copied()))
        })
        .collect()
}

/// The schema of `rows`.
pub fn schema(rows: &[Row]) -> Schema {
    let mut s = Schema::default();
    for r in rows {
        s.merge(&Schema::of(r));
    }
    s
}

/// The features of a report (in its order), with ranks from `ranking`; a property that is
/// null in every feature is left out, so that GDAL (which types a GeoJSON field by its
/// values) never reads a numeric field as String, and an unknown property keeps its JSON
/// type only when all its values share one (see [`crate::output::layer`]).
pub fn features(
    report: &Report,
    records: &[ProjectRecord],
    ranking: &Ranking,
) -> impl Iterator<Item = Value> + use<> {
    let rows = rows(report, records, ranking);
    let layout = schema(&rows).layout();
    rows.into_iter().map(move |row| {
        let mut bytes = Vec::new();
        // Writing to memory cannot fail, and the bytes are JSON.
        let _ = layout.write_feature(&row, &mut bytes);
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    })
}

/// Writes the rows at `slots` of a spill as a FeatureCollection ([`write_collection`]).
pub fn write_rows_collection(
    name: &str,
    layout: &Layout,
    rows: &Rows,
    slots: &[(Slot, Option<RankCell>)],
    out: &mut dyn Write,
) -> io::Result<()> {
    collection_head(name, out)?;
    let mut first = true;
    for_each_feature(layout, rows, slots, &mut |f| {
        if !first {
            out.write_all(b",\n")?;
        }
        first = false;
        out.write_all(f)
    })?;
    out.write_all(b"\n]}\n")
}

/// Writes the rows at `slots` of a spill as a GeoJSON text sequence ([`write_sequence`]).
pub fn write_rows_sequence(
    layout: &Layout,
    rows: &Rows,
    slots: &[(Slot, Option<RankCell>)],
    out: &mut dyn Write,
) -> io::Result<()> {
    for_each_feature(layout, rows, slots, &mut |f| {
        out.write_all("\u{1e}".as_bytes())?;
        out.write_all(f)?;
        out.write_all(b"\n")
    })
}

fn collection_head(name: &str, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{{\"type\":\"FeatureCollection\",\"name\":{},\"features\":[",
        Value::String(name.to_owned())
    )
}

/// Writes a FeatureCollection with a `name` member (QGIS's layer name) and no `crs`, one
/// feature a line.
pub fn write_collection(
    name: &str,
    features: impl IntoIterator<Item = Value>,
    out: &mut dyn Write,
) -> io::Result<()> {
    collection_head(name, out)?;
    for (i, f) in features.into_iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *out, &f)?;
    }
    out.write_all(b"\n]}\n")
}

/// [`write_collection`] into memory.
pub fn collection(name: &str, features: impl IntoIterator<Item = Value>) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_collection(name, features, &mut out);
    out
}

/// Writes a GeoJSON text sequence (RFC 8142): each feature after a record separator, one
/// per line.
pub fn write_sequence(
    features: impl IntoIterator<Item = Value>,
    out: &mut dyn Write,
) -> io::Result<()> {
    for f in features {
        out.write_all("\u{1e}".as_bytes())?;
        serde_json::to_writer(&mut *out, &f)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Colours of the five score classes, low (red) to high (green), QGIS's "r,g,b,a".
const SCORE_COLOURS: [&str; 5] = [
    "215,25,28,255",
    "253,174,97,255",
    "255,255,191,255",
    "166,217,106,255",
    "26,150,65,255",
];

/// Geometry types the style draws: QGIS's `geometry_type()` name, the symbol type and
/// the symbol layer of one score class.
const STYLED_GEOMETRIES: [(&str, &str); 2] = [("Point", "marker"), ("Polygon", "fill")];

fn symbol_layer(kind: &str, colour: &str) -> String {
    if kind == "marker" {
        format!(
            r#"        <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" type="QString" value="{colour}"/>
            <Option name="outline_color" type="QString" value="35,35,35,255"/>
            <Option name="name" type="QString" value="circle"/>
            <Option name="size" type="QString" value="3.5"/>
          </Option>
        </layer>"#
        )
    } else {
        // The class colour at 40 % opacity inside, full along the boundary, so a tenement
        // shows the ground below it and its score.
        let (rgb, _) = colour.rsplit_once(',').unwrap_or((colour, ""));
        format!(
            r#"        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" type="QString" value="{rgb},102"/>
            <Option name="style" type="QString" value="solid"/>
            <Option name="outline_color" type="QString" value="{colour}"/>
            <Option name="outline_style" type="QString" value="solid"/>
            <Option name="outline_width" type="QString" value="0.6"/>
          </Option>
        </layer>"#
        )
    }
}

/// A QGIS style (.qml) for the layer, points and polygons alike: a rule-based renderer
/// with one rule per geometry type (points as circles, tenement polygons as filled
/// outlines, each matched by `geometry_type($geometry)`, so the same file styles a point
/// layer, a polygon layer, and each part of a layer that mixes them, which QGIS opens as
/// one sub-layer per geometry type), each graduated by `score` in five classes, red (low)
/// to green; features without a score (unranked) are drawn grey. Labelled by name, and the
/// layer's temporal properties set for QGIS's temporal controller: each site from its
/// `first_production_date` on (single field, mode 1, accumulating, so a site stays on the
/// map once it produces; the date is the deterministic first-production year, which every
/// site has).
pub fn qml() -> String {
    let mut rules = String::new();
    let mut symbols = String::new();
    let mut n = 0;
    for (geometry, kind) in STYLED_GEOMETRIES {
        let _ = writeln!(
            rules,
            r#"      <rule key="{{{geometry}}}" label="{geometry}s" filter="geometry_type($geometry) = '{geometry}'">"#
        );
        let classes = SCORE_COLOURS
            .iter()
            .enumerate()
            .map(|(i, c)| (Some(i), *c))
            .chain([(None, "150,150,150,255")]);
        for (class, colour) in classes {
            let (filter, label) = match class {
                Some(i) => {
                    let (lo, hi) = (i as f64 * 0.2, (i + 1) as f64 * 0.2);
                    let upper = if i == SCORE_COLOURS.len() - 1 {
                        "&lt;="
                    } else {
                        "&lt;"
                    };
                    (
                        format!(
                            "&quot;score&quot; &gt;= {lo:.1} AND &quot;score&quot; {upper} {hi:.1}"
                        ),
                        format!("score {lo:.1} - {hi:.1}"),
                    )
                }
                None => (
                    "&quot;score&quot; IS NULL".to_owned(),
                    "not ranked".to_owned(),
                ),
            };
            let _ = writeln!(
                rules,
                r#"        <rule key="{{{geometry}_class_{n}}}" symbol="{n}" label="{label}" filter="{filter}"/>"#
            );
            let _ = writeln!(
                symbols,
                r#"      <symbol type="{kind}" name="{n}" alpha="1" clip_to_extent="1" force_rhr="0">
{}
      </symbol>"#,
                symbol_layer(kind, colour)
            );
            n += 1;
        }
        rules.push_str("      </rule>\n");
    }
    format!(
        r#"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0" styleCategories="Symbology|Labeling|Temporal">
  <temporal enabled="1" mode="1" startField="first_production_date" endField="" startExpression="" endExpression="" durationField="" durationUnit="min" fixedDuration="0" accumulate="1">
    <fixedRange><start></start><end></end></fixedRange>
  </temporal>
  <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">
    <rules key="{{root}}">
{rules}    </rules>
    <symbols>
{symbols}    </symbols>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="name" fontSize="8"/>
    </settings>
  </labeling>
</qgis>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polygons_are_wound_by_the_right_hand_rule_and_rounded() {
        // A clockwise square with too many decimals.
        let cw = geo::Polygon::new(
            geo::LineString::from(vec![
                (0.0, 0.0),
                (0.0, 1.000000049),
                (1.123456789, 1.0),
                (1.0, 0.0),
                (0.0, 0.0),
            ]),
            vec![],
        );
        let v = geometry_json(&geo::Geometry::Polygon(cw));
        let ring: Vec<(f64, f64)> = v["coordinates"][0]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
            .collect();
        // Shoelace: positive area means counter-clockwise.
        let area: f64 = ring
            .windows(2)
            .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
            .sum();
        assert!(area > 0.0, "{ring:?}");
        assert!(ring.iter().any(|c| c.0 == 1.1234568));
        assert!(ring.iter().any(|c| c.1 == 1.0000000));
    }

    #[test]
    fn the_rank_columns_sit_where_rank_column_says() {
        assert_eq!(
            &COMPUTED[RANK_COLUMN..RANK_COLUMN + 3],
            ["rank", "score", "pareto"]
        );
    }
}
