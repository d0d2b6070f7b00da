//! GeoJSON for GIS: an RFC 7946 FeatureCollection of the appraised sites (WGS84 lon/lat,
//! coordinates rounded to 7 decimals, polygons wound by the right-hand rule, no `crs`
//! member, a top-level `name` for the layer), with flat scalar properties of one JSON type
//! per column; GeoJSON text sequences (RFC 8142) for very large outputs; and a QGIS layer
//! style graduated by score.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use geo::{MapCoords, Orient, orient::Direction};

use serde_json::{Map, Value, json};

use crate::appraisal::{Appraisal, Report};
use crate::portfolio::rank::Ranking;
use crate::read::record::ProjectRecord;

/// Rounds to 7 decimals (about 1 cm): RFC 7946 §11.2 advises against more.
fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7 + 0.0
}

/// The geometry as RFC 7946 JSON: rounded, polygons counter-clockwise outside and
/// clockwise inside.
pub fn geometry_json(g: &geo::Geometry<f64>) -> Value {
    let g = g.map_coords(|c| geo::coord! { x: round7(c.x), y: round7(c.y) });
    let g = match g {
        geo::Geometry::Polygon(p) => geo::Geometry::Polygon(p.orient(Direction::Default)),
        geo::Geometry::MultiPolygon(mp) => {
            geo::Geometry::MultiPolygon(mp.orient(Direction::Default))
        }
        other => other,
    };
    serde_json::to_value(geojson::Geometry::from(&g)).unwrap_or(Value::Null)
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
    let mut fields: Vec<(String, Value)> = vec![
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
        fields.push((format!("{ox}_share_pct"), real(g.oxide_shares[i])));
    }
    let more: [(&str, Value); 62] = [
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
    fields.extend(more.into_iter().map(|(k, v)| (k.to_owned(), v)));
    fields.extend(round_trip_fields(r));
    fields.extend(support_fields(r));
    fields.into_iter().collect()
}

/// The record's offtake share and its own terms of support instruments (issue 18).
fn support_fields(r: &ProjectRecord) -> Vec<(String, Value)> {
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
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The record's fields beside those above (issue 19): its own terms of sale, remaining
/// life, money spent and to spend, by-products, money year, distribution and plant fields,
/// so that `export` and then `appraise` of the layer values every project as its record.
fn round_trip_fields(r: &ProjectRecord) -> Vec<(String, Value)> {
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
    fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
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

/// The computed columns of a project, in order (names distinct from the record's fields),
/// figures rounded to [`COLUMN_DECIMALS`].
fn columns(p: &Appraisal, rank: Option<(usize, f64, bool)>) -> Vec<(&'static str, Value)> {
    let real = measured;
    let s = &p.spatial;
    let y = &p.first_production_year;
    vec![
        ("regime_found", text(p.regime.as_deref())),
        ("commodity_found", text(p.commodity.as_deref())),
        ("valued", Value::Bool(p.valued)),
        ("npv_musd", real(p.npv_musd.base)),
        ("npv_musd_p10", real(p.npv_musd.p10)),
        ("npv_musd_p50", real(p.npv_musd.p50)),
        ("npv_musd_p90", real(p.npv_musd.p90)),
        ("irr_pct", real(p.irr_pct)),
        ("capex_musd_model", real(p.capex_musd)),
        (
            "study_npv_musd_published",
            real(p.study.as_ref().map(|s| s.published_npv_musd)),
        ),
        (
            "study_rebuilt_npv_musd",
            real(
                p.study
                    .as_ref()
                    .and_then(|s| s.bridge.as_ref())
                    .map(|b| b.rebuilt_npv_musd),
            ),
        ),
        (
            "study_rebuild_deviation_pct",
            real(
                p.study
                    .as_ref()
                    .and_then(|s| s.bridge.as_ref())
                    .and_then(|b| b.rebuild_deviation_pct),
            ),
        ),
        ("basket_price_usd_per_kg", real(p.basket_price_usd_per_kg)),
        ("annual_treo_t_model", real(p.annual_treo_t)),
        ("annual_ndpr_t_model", real(p.annual_ndpr_t)),
        ("annual_dytb_t_model", real(p.annual_dytb_t)),
        ("breakeven_price_factor", real(p.breakeven_price_factor)),
        ("chance_of_success", real(Some(p.chance_of_success))),
        ("risked_npv_musd", real(p.risked_npv_musd)),
        ("first_production_year", Value::from(y.base)),
        ("first_production_date", date(Some(y.base))),
        ("first_production_p10_date", date(y.p10)),
        ("first_production_p90_date", date(y.p90)),
        ("rank", rank.map_or(Value::Null, |r| Value::from(r.0))),
        ("score", real(rank.map(|r| r.1))),
        ("pareto", rank.map_or(Value::Null, |r| Value::Bool(r.2))),
        (
            "nearest_plant",
            text(s.nearest_separation_plant.as_ref().map(|n| n.name.as_str())),
        ),
        (
            "nearest_plant_km",
            real(s.nearest_separation_plant.as_ref().map(|n| n.distance_km)),
        ),
        (
            "nearest_port",
            text(s.nearest_port.as_ref().map(|n| n.name.as_str())),
        ),
        (
            "nearest_port_km",
            real(s.nearest_port.as_ref().map(|n| n.distance_km)),
        ),
        ("distance_to_shore_km", real(s.distance_to_shore_km)),
        (
            "protected_area",
            text(s.protected_area.as_ref().map(|a| a.name.as_str())),
        ),
        (
            "protected_area_km",
            real(s.protected_area.as_ref().map(|a| a.distance_km)),
        ),
        ("site_area_km2", real(s.site_area_km2)),
        ("unvalued_reason", text(p.unvalued_reason.as_deref())),
    ]
}

/// The record's unknown properties, flattened to one JSON type per column: a column whose
/// values are all strings, all numbers or all booleans keeps them; any other column, and
/// arrays and objects, become JSON text.
fn extras(records: &[&ProjectRecord]) -> BTreeMap<String, Vec<Value>> {
    let mut keys: Vec<String> = Vec::new();
    for r in records {
        for k in r.extra.keys() {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    keys.into_iter()
        .map(|k| {
            let raw: Vec<Value> = records
                .iter()
                .map(|r| r.extra.get(&k).cloned().unwrap_or(Value::Null))
                .collect();
            let kinds: Vec<u8> = raw
                .iter()
                .filter_map(|v| match v {
                    Value::Null => None,
                    Value::Bool(_) => Some(0),
                    Value::Number(_) => Some(1),
                    Value::String(_) => Some(2),
                    _ => Some(3),
                })
                .collect();
            let uniform = kinds.windows(2).all(|w| w[0] == w[1]) && !kinds.contains(&3);
            let values = raw
                .into_iter()
                .map(|v| match v {
                    Value::Null => Value::Null,
                    Value::String(s) => Value::String(s),
                    v if uniform => v,
                    v => Value::String(v.to_string()),
                })
                .collect();
            (k, values)
        })
        .collect()
}

/// The features of a report (in its order), with ranks from `ranking`, made one at a time
/// as they are written; a property that is null in every feature is left out, so that GDAL
/// (which types a GeoJSON field by its values) never reads a numeric field as String.
pub fn features<'a>(
    report: &'a Report,
    records: &'a [ProjectRecord],
    ranking: &'a Ranking,
) -> impl Iterator<Item = Value> + 'a {
    // A first pass finds the properties with a value somewhere (features are made again
    // when written, so memory holds one at a time).
    let mut present: std::collections::HashSet<String> = std::collections::HashSet::new();
    for f in all_features(report, records, ranking) {
        if let Some(props) = f["properties"].as_object() {
            for (k, v) in props {
                if !v.is_null() && !present.contains(k) {
                    present.insert(k.clone());
                }
            }
        }
    }
    all_features(report, records, ranking).map(move |mut f| {
        if let Some(props) = f["properties"].as_object_mut() {
            props.retain(|k, _| present.contains(k));
        }
        f
    })
}

/// Every feature with every property, nulls included.
fn all_features<'a>(
    report: &'a Report,
    records: &'a [ProjectRecord],
    ranking: &'a Ranking,
) -> impl Iterator<Item = Value> + 'a {
    let by_id: BTreeMap<&str, &ProjectRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let ranks: BTreeMap<&str, (usize, f64, bool)> = ranking
        .projects
        .iter()
        .map(|r| (r.id.as_str(), (r.rank, r.score, r.pareto)))
        .collect();
    let recs: Vec<&ProjectRecord> = report
        .projects
        .iter()
        .filter_map(|p| by_id.get(p.id.as_str()).copied())
        .collect();
    let extra = extras(&recs);
    report
        .projects
        .iter()
        .filter_map(move |p| Some((p, *by_id.get(p.id.as_str())?)))
        .enumerate()
        .map(move |(i, (p, rec))| {
            let mut props = record_properties(rec);
            for (name, value) in columns(p, ranks.get(p.id.as_str()).copied()) {
                props.insert(name.to_owned(), value);
            }
            for (k, values) in &extra {
                // An unknown property never overwrites a computed column.
                props.entry(k.clone()).or_insert_with(|| values[i].clone());
            }
            let geometry = rec.geometry.as_ref().map_or(Value::Null, geometry_json);
            json!({"type": "Feature", "geometry": geometry, "properties": props})
        })
}

/// Writes a FeatureCollection with a `name` member (QGIS's layer name) and no `crs`, one
/// feature a line.
pub fn write_collection(
    name: &str,
    features: impl IntoIterator<Item = Value>,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "{{\"type\":\"FeatureCollection\",\"name\":{},\"features\":[",
        Value::String(name.to_owned())
    )?;
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

/// A QGIS style (.qml): points graduated by `score` in five classes, red (low) to green,
/// labelled by name, and the layer's temporal properties set for QGIS's temporal
/// controller: each site from its `first_production_date` on (single field, mode 1,
/// accumulating, so a site stays on the map once it produces; the date is the
/// deterministic first-production year, which every site has).
pub fn qml() -> String {
    let colours = [
        "215,25,28,255",
        "253,174,97,255",
        "255,255,191,255",
        "166,217,106,255",
        "26,150,65,255",
    ];
    let mut ranges = String::new();
    let mut symbols = String::new();
    for (i, c) in colours.iter().enumerate() {
        let (lo, hi) = (i as f64 * 0.2, (i + 1) as f64 * 0.2);
        let _ = writeln!(
            ranges,
            r#"      <range symbol="{i}" lower="{lo:.1}" upper="{hi:.1}" label="{lo:.1} - {hi:.1}" render="true"/>"#
        );
        let _ = writeln!(
            symbols,
            r#"      <symbol type="marker" name="{i}" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" type="QString" value="{c}"/>
            <Option name="outline_color" type="QString" value="35,35,35,255"/>
            <Option name="name" type="QString" value="circle"/>
            <Option name="size" type="QString" value="3.5"/>
          </Option>
        </layer>
      </symbol>"#
        );
    }
    format!(
        r#"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0" styleCategories="Symbology|Labeling|Temporal">
  <temporal enabled="1" mode="1" startField="first_production_date" endField="" startExpression="" endExpression="" durationField="" durationUnit="min" fixedDuration="0" accumulate="1">
    <fixedRange><start></start><end></end></fixedRange>
  </temporal>
  <renderer-v2 type="graduatedSymbol" attr="score" graduatedMethod="GraduatedColor" symbollevels="0" enableorderby="0" forceraster="0">
    <ranges>
{ranges}    </ranges>
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
    fn mixed_extra_columns_become_text() {
        let mut a = ProjectRecord::empty(crate::read::record::Location::File);
        let mut b = a.clone();
        a.extra.insert("ref".into(), json!("P01"));
        b.extra.insert("ref".into(), json!(7));
        a.extra.insert("depth".into(), json!(12.5));
        b.extra.insert("tags".into(), json!(["a"]));
        let e = extras(&[&a, &b]);
        assert_eq!(e["ref"], vec![json!("P01"), json!("7")]);
        assert_eq!(e["depth"], vec![json!(12.5), Value::Null]);
        assert_eq!(e["tags"], vec![Value::Null, json!("[\"a\"]")]);
    }
}
