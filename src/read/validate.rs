//! Checks of one record as a whole (required fields, geometry, figures that contradict
//! each other), and of a set of records (duplicate ids).

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use geo::{CoordsIter, Geometry};

use crate::diagnostic::Diagnostic;
use crate::read::record::{DepositType, Location, OXIDES, ProjectRecord, Regime, StudyStage};

/// Every problem of one record that no single field shows. `unreadable` names fields
/// whose value was already reported as wrong, so that they are not also called missing.
pub fn record(rec: &ProjectRecord, unreadable: &[&str]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    required(rec, &mut out);
    plant_record(rec, &mut out);
    control_characters(rec, &mut out);
    out.retain(|d| !d.field.as_deref().is_some_and(|f| unreadable.contains(&f)));
    jurisdiction(rec, &mut out);
    if let Some(g) = &rec.geometry {
        geometry(g, &mut out);
    }
    grade(rec, &mut out);
    oxide_shares(rec, &mut out);
    production(rec, &mut out);
    study(rec, &mut out);
    crate::read::contradictions::valuation(rec, &mut out);
    crate::read::study_terms::check(rec, &mut out);
    crate::read::milestone::check(rec, &mut out);
    out
}

/// Control characters (other than tab) in text would reach terminals and reports.
fn control_characters(rec: &ProjectRecord, out: &mut Vec<Diagnostic>) {
    for (field, text) in [("id", rec.id.as_str()), ("name", rec.name.as_str())] {
        if text.chars().any(|c| c.is_control() && c != '\t') {
            out.push(
                Diagnostic::warning(
                    Some(field),
                    "the text contains control characters; outputs show them as \u{fffd}",
                )
                .with_hint("remove them from the file"),
            );
        }
    }
}

fn required(rec: &ProjectRecord, out: &mut Vec<Diagnostic>) {
    let missing = |field: &str, hint: &str| {
        Diagnostic::error(Some(field), format!("required field {field} is missing")).with_hint(hint)
    };
    if rec.id.is_empty() {
        out.push(missing("id", "give every record a unique id"));
    }
    if rec.name.is_empty() {
        out.push(missing("name", "give the project's name"));
    }
    if rec.geology.deposit_type.is_none() && !rec.is_plant() {
        out.push(missing(
            "deposit_type",
            &format!("one of {}", DepositType::NAMES.join(", ")),
        ));
    }
    if rec.development.stage.is_none() {
        out.push(missing(
            "stage",
            &format!("one of {}", StudyStage::NAMES.join(", ")),
        ));
    }
    if rec.geometry.is_none() {
        out.push(missing(
            "geometry",
            "GeoJSON: a Point, Polygon or MultiPolygon geometry; CSV: lon and lat columns, or a WKT geometry column",
        ));
    }
}

/// A separation plant record (issue 16) needs a capacity; a project record's plant fields
/// are not used.
fn plant_record(rec: &ProjectRecord, out: &mut Vec<Diagnostic>) {
    let p = &rec.plant;
    let any = [p.ndpr_t, p.dytb_t, p.reo_t]
        .iter()
        .flatten()
        .any(|v| *v > 0.0);
    let given = p.ndpr_t.is_some()
        || p.dytb_t.is_some()
        || p.reo_t.is_some()
        || !p.feeds.is_empty()
        || p.captive.is_some()
        || p.toll_light_usd_per_kg.is_some()
        || p.toll_heavy_usd_per_kg.is_some();
    if rec.is_plant() {
        if !any {
            out.push(
                Diagnostic::error(
                    Some("plant_ndpr_t"),
                    "a plant record needs a capacity above 0: plant_ndpr_t, plant_dytb_t or plant_reo_t",
                )
                .with_hint("give its nameplate in t/y of separated NdPr oxide, Dy+Tb oxide or total REO"),
            );
        }
        if p.feeds
            .contains(&crate::read::record::ProductForm::SeparatedOxides)
        {
            out.push(
                Diagnostic::error(
                    Some("plant_feeds"),
                    "a separation plant takes concentrate or mixed_carbonate, not separated_oxides",
                )
                .with_hint("list the intermediates it takes: concentrate, mixed_carbonate"),
            );
        }
        if rec.geology.deposit_type.is_some() || rec.economics.annual_treo_t.is_some() {
            out.push(
                Diagnostic::warning(
                    Some("record_kind"),
                    "a plant record's deposit and mine output are not used: it is placed in the allocation as a plant, not valued as a mine",
                )
                .with_hint("give the mine as its own record"),
            );
        }
    } else if given {
        out.push(
            Diagnostic::warning(
                Some("record_kind"),
                "plant_* fields are used only by a record whose record_kind is plant",
            )
            .with_hint("set record_kind to plant, or leave the plant_* fields empty"),
        );
    }
}

fn jurisdiction(rec: &ProjectRecord, out: &mut Vec<Diagnostic>) {
    let seabed = rec.geology.deposit_type.is_some_and(DepositType::is_seabed);
    match (rec.regime, &rec.country) {
        (Some(Regime::Area), Some(c)) => out.push(
            Diagnostic::error(Some("country"), format!("a site in the Area has no host country, but country is {c}"))
                .with_hint("leave country empty and put the sponsoring state in sponsor_country"),
        ),
        (Some(Regime::Area), None) => {}
        (_, Some(c))
            if rec
                .subdivision
                .as_deref()
                .is_some_and(|s| s.split('-').next() != Some(c.as_str())) =>
        {
            out.push(
                Diagnostic::error(
                    Some("subdivision"),
                    format!(
                        "subdivision {} is not in country {c}",
                        rec.subdivision.as_deref().unwrap_or_default()
                    ),
                )
                .with_hint("the subdivision code starts with the country's code, e.g. AU-WA for AU"),
            )
        }
        (_, None) => out.push(
            Diagnostic::error(Some("country"), "required field country is missing")
                .with_hint("give the ISO 3166-1 alpha-2 code of the host state, or set regime to area for the seabed beyond national jurisdiction"),
        ),
        _ => {}
    }
    match rec.regime {
        Some(Regime::Onshore) if seabed => out.push(
            Diagnostic::error(Some("regime"), "a seabed deposit cannot be onshore")
                .with_hint("use eez inside a national exclusive economic zone, area beyond it"),
        ),
        Some(Regime::Eez | Regime::Area) if rec.geology.deposit_type.is_some() && !seabed => out
            .push(
                Diagnostic::error(
                    Some("regime"),
                    "an onshore deposit type cannot lie in an EEZ or the Area",
                )
                .with_hint("set regime to onshore, or correct deposit_type"),
            ),
        _ => {}
    }
    if rec.geology.water_depth_m.is_some() && rec.geology.deposit_type.is_some() && !seabed {
        out.push(Diagnostic::warning(
            Some("water_depth_m"),
            "water depth given for an onshore deposit type; it is ignored",
        ));
    }
}

/// Coordinates must be WGS84 lon/lat; projected metres and swapped axes get a hint.
pub fn geometry(g: &Geometry<f64>, out: &mut Vec<Diagnostic>) {
    let kind = match g {
        Geometry::Point(_) => "Point",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        other => {
            let name = match other {
                Geometry::LineString(_) | Geometry::Line(_) => "LineString",
                Geometry::MultiLineString(_) => "MultiLineString",
                Geometry::MultiPoint(_) => "MultiPoint",
                Geometry::GeometryCollection(_) => "GeometryCollection",
                _ => "this geometry",
            };
            out.push(
                Diagnostic::error(Some("geometry"), format!("{name} is not a site geometry"))
                    .with_hint("use a Point, Polygon or MultiPolygon"),
            );
            return;
        }
    };
    if g.coords_count() == 0 {
        out.push(Diagnostic::error(
            Some("geometry"),
            format!("the {kind} has no coordinates"),
        ));
        return;
    }
    let polygons: Vec<&geo::Polygon<f64>> = match g {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(mp) => mp.0.iter().collect(),
        _ => vec![],
    };
    for p in &polygons {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            if ring.0.len() < 4 {
                out.push(
                    Diagnostic::error(
                        Some("geometry"),
                        format!(
                            "a polygon ring has {} positions; at least 4 are needed",
                            ring.0.len()
                        ),
                    )
                    .with_hint("a ring is closed: its last position repeats its first"),
                );
                return;
            }
        }
    }
    // RFC 7946 §3.1.9: a geometry crossing the antimeridian is cut in two; one drawn across
    // it (a longitude span over 180°) would be read the long way round the Earth.
    // Each polygon of a MultiPolygon on its own: one split at 180° has parts on both
    // sides, each narrow; a ring around a pole spans every longitude legitimately.
    for p in &polygons {
        if let Some(r) = geo::BoundingRect::bounding_rect(*p)
            && r.width() > 180.0
            && !crate::read::rings::encloses_pole(p.exterior())
        {
            out.push(
                Diagnostic::error(Some("geometry"), format!("the {kind} spans {:.1}° of longitude: it crosses the antimeridian the long way", r.width()))
                    .with_hint("split it at 180° into a MultiPolygon (RFC 7946 §3.1.9)"),
            );
            return;
        }
    }
    if let Some(e) = crate::read::rings::problem(&polygons) {
        out.push(
            Diagnostic::warning(
                Some("geometry"),
                format!("the {kind} is not a valid simple geometry: {e}"),
            )
            .with_hint(
                "areas and overlaps of self-intersecting polygons are unreliable; fix the ring",
            ),
        );
    }
    for c in g.coords_iter() {
        if !(c.x.is_finite() && c.y.is_finite()) {
            out.push(Diagnostic::error(
                Some("geometry"),
                "a coordinate is not a finite number",
            ));
            return;
        }
        let lon_ok = (-180.0..=180.0).contains(&c.x);
        let lat_ok = (-90.0..=90.0).contains(&c.y);
        if lon_ok && lat_ok {
            continue;
        }
        let field = if lat_ok { "lon" } else { "lat" };
        let d = Diagnostic::error(
            Some(field),
            format!(
                "coordinate ({}, {}) is outside WGS84 lon/lat ranges (lon -180..180, lat -90..90)",
                c.x, c.y
            ),
        );
        out.push(if c.x.abs() > 1000.0 || c.y.abs() > 1000.0 {
            d.with_hint("these look like projected easting/northing in metres; reproject to WGS84 lon/lat (EPSG:4326), or build prospect with --features proj and give --crs")
        } else if (-90.0..=90.0).contains(&c.x) && (-180.0..=180.0).contains(&c.y) {
            d.with_hint("lon and lat look swapped; prospect expects longitude first (x = lon, y = lat)")
        } else {
            d.with_hint("give longitude and latitude in decimal degrees")
        });
        return;
    }
}

/// Typical grade ranges, % TREO, to catch ppm/% mix-ups: the default assumptions'
/// `validation.typical_grade_pct` (basis in docs/schema.md, "Checks that span fields").
/// Reading knows no assumptions file, so these are the compiled-in defaults; `check
/// --assumptions FILE` checks again with the file's ranges ([`crate::read::assumed`]).
pub(crate) fn default_grade_ranges() -> &'static BTreeMap<String, [f64; 2]> {
    static RANGES: std::sync::OnceLock<BTreeMap<String, [f64; 2]>> = std::sync::OnceLock::new();
    RANGES.get_or_init(|| {
        crate::assumptions::Assumptions::defaults()
            .validation
            .typical_grade_pct
    })
}

fn grade(rec: &ProjectRecord, out: &mut Vec<Diagnostic>) {
    grade_range(rec, default_grade_ranges(), out);
}

/// A grade ten times above the top or below a tenth of the bottom of its deposit type's
/// usual range in `ranges` (% TREO [low, high] by type name): a likely unit slip.
pub(crate) fn grade_range(
    rec: &ProjectRecord,
    ranges: &BTreeMap<String, [f64; 2]>,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(pct), Some(t)) = (rec.geology.grade_treo_pct, rec.geology.deposit_type) else {
        return;
    };
    let Some(&[lo, hi]) = ranges.get(t.as_str()) else {
        return;
    };
    if pct > 10.0 * hi {
        out.push(
            Diagnostic::warning(
                Some("grade_treo_pct"),
                format!("{pct} % TREO is far above the usual {lo}-{hi} % for {t}"),
            )
            .with_hint("a likely ppm/% mix-up: 1 % = 10,000 ppm; put ppm values in grade_treo_ppm"),
        );
    } else if pct > 0.0 && pct < lo / 10.0 {
        out.push(
            Diagnostic::warning(
                Some("grade_treo_pct"),
                format!("{pct} % TREO is far below the usual {lo}-{hi} % for {t}"),
            )
            .with_hint(
                "a likely unit mix-up: is it a fraction (0.01 = 1 %) or already divided by 10,000?",
            ),
        );
    }
}

fn oxide_shares(rec: &ProjectRecord, out: &mut Vec<Diagnostic>) {
    let g = &rec.geology;
    let given: Vec<(usize, f64)> = g
        .oxide_shares
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (i, s)))
        .collect();
    let sum: f64 = given.iter().map(|(_, s)| s).sum();
    if g.own_oxide_distribution().is_some() && !(95.0..=105.0).contains(&sum) {
        out.push(
            Diagnostic::error(
                Some("la_share_pct"),
                format!(
                    "the {} oxide shares sum to {sum:.1} %, not about 100 %",
                    given.len()
                ),
            )
            .with_hint(
                "shares are % of TREO; check for a missing oxide or a share given as a fraction",
            ),
        );
    } else if sum > 100.5 {
        out.push(Diagnostic::error(
            Some("la_share_pct"),
            format!("the oxide shares sum to {sum:.1} %, over 100 %"),
        ));
    }
    let share = |sym: &str| {
        OXIDES
            .iter()
            .position(|o| *o == sym)
            .and_then(|i| g.oxide_shares[i])
    };
    let pair = |a: &str, b: &str| match (share(a), share(b)) {
        (Some(x), Some(y)) => Some(x + y),
        _ => None,
    };
    for (field, stated, summed) in [
        ("ndpr_share_pct", g.ndpr_share_pct, pair("nd", "pr")),
        ("dytb_share_pct", g.dytb_share_pct, pair("dy", "tb")),
    ] {
        if let (Some(stated), Some(summed)) = (stated, summed)
            && (stated - summed).abs() > 1.0
        {
            out.push(
                Diagnostic::warning(
                    Some(field),
                    format!("{stated} % disagrees with the oxide shares, which give {summed:.2} %"),
                )
                .with_hint("the individual oxide shares are used; drop one of the two"),
            );
        }
    }
    if let (Some(a), Some(b)) = (g.ndpr_share_pct, g.dytb_share_pct)
        && a + b > 100.0
    {
        out.push(Diagnostic::error(
            Some("dytb_share_pct"),
            format!("NdPr {a} % plus Dy+Tb {b} % is over 100 % of TREO"),
        ));
    }
}

fn production(rec: &ProjectRecord, out: &mut Vec<Diagnostic>) {
    let e = &rec.economics;
    let g = &rec.geology;
    if let Some(treo) = e.annual_treo_t {
        for (field, part, what) in [
            ("annual_ndpr_t", e.annual_ndpr_t, "NdPr oxide"),
            ("annual_dytb_t", e.annual_dytb_t, "Dy+Tb oxide"),
        ] {
            if let Some(p) = part
                && p > treo * 1.001
            {
                out.push(
                    Diagnostic::error(Some(field), format!("{p} t/y of {what} is more than the {treo} t/y TREO it is part of"))
                        .with_hint("annual_treo_t is total rare-earth oxide output and includes NdPr and Dy+Tb"),
                );
            }
        }
        if let (Some(tp), Some(grade)) = (e.throughput_mtpa, g.grade_treo_pct) {
            let contained = tp * 1e6 * grade / 100.0;
            if contained > 0.0 && treo > 2.0 * contained {
                out.push(
                    Diagnostic::error(Some("annual_treo_t"), format!(
                        "{treo} t/y TREO is more than twice the {contained:.0} t/y contained in {tp} Mt/y at {grade} % TREO"
                    ))
                    .with_hint("check the units of throughput_mtpa (Mt/y), grade_treo_pct (%) and annual_treo_t (t/y)"),
                );
            } else if contained > 0.0 && treo > 1.1 * contained {
                out.push(Diagnostic::warning(Some("annual_treo_t"), format!(
                    "{treo} t/y TREO exceeds the {contained:.0} t/y contained at the resource grade; the mill head grade must be higher"
                )));
            }
        }
    }
    if let (Some(tp), Some(life), Some(total)) =
        (e.throughput_mtpa, e.mine_life_y, g.resource.total_mt())
        && tp * life > 1.5 * total
    {
        out.push(
            Diagnostic::warning(Some("mine_life_y"), format!(
                "the mine plan needs {:.1} Mt ({tp} Mt/y for {life} y) but the resource is {total} Mt",
                tp * life
            ))
            .with_hint("check throughput_mtpa, mine_life_y and the resource tonnages"),
        );
    }
    let r = &g.resource;
    if let Some(reserve) = r.reserve_mt {
        let mi = r.measured_mt.unwrap_or(0.0) + r.indicated_mt.unwrap_or(0.0);
        if (r.measured_mt.is_some() || r.indicated_mt.is_some()) && reserve > 1.2 * mi {
            out.push(Diagnostic::warning(Some("reserve_mt"), format!(
                "the {reserve} Mt reserve is larger than the {mi} Mt measured and indicated resource it comes from"
            )));
        }
    }
}

fn study(rec: &ProjectRecord, out: &mut Vec<Diagnostic>) {
    let s = &rec.study;
    if let (Some(npv), Some(irr), Some(rate)) = (s.npv_m, s.irr_pct, s.discount_rate_pct) {
        let contradiction = (npv > 0.0 && irr < rate) || (npv < 0.0 && irr > rate);
        if contradiction {
            out.push(
                Diagnostic::error(Some("study_irr_pct"), format!(
                    "the published NPV {npv} at {rate} % contradicts the IRR {irr} %: a positive NPV needs an IRR above the discount rate"
                ))
                .with_hint("check the sign of study_npv_musd, study_irr_pct and study_discount_rate_pct"),
            );
        }
    }
    if let Some(t) = s.study_type {
        let r = &rec.geology.resource;
        let measured_indicated = r.measured_mt.unwrap_or(0.0) + r.indicated_mt.unwrap_or(0.0);
        if t >= StudyStage::Pfs
            && t <= StudyStage::Dfs
            && r.inferred_mt.unwrap_or(0.0) > 0.0
            && measured_indicated == 0.0
            && r.reserve_mt.is_none()
        {
            out.push(
                Diagnostic::warning(
                    Some("inferred_mt"),
                    format!("a {t} rests on Inferred resources only"),
                )
                .with_hint(
                    "a PFS or DFS may not rely on Inferred resources (JORC, NI 43-101, S-K 1300)",
                ),
            );
        }
        if let Some(stage) = rec.development.stage
            && stage < t
        {
            out.push(
                Diagnostic::warning(
                    Some("stage"),
                    format!("stage {stage} is earlier than the published {t}"),
                )
                .with_hint(format!(
                    "a project with a published {t} is at least at stage {t}"
                )),
            );
        }
    }
}

/// Finds ids used more than once across every file of a run. It keeps a 64-bit hash of
/// each id, not the id, so memory stays small (16 bytes and the table's overhead a
/// record); two different ids share a hash with probability about n²/2⁶⁵ (3e-8 for a
/// million records), which would show as a duplicate-id error to check by eye.
#[derive(Debug, Default)]
pub struct IdRegistry {
    files: Vec<String>,
    seen: ByIdHash<(u32, Location)>,
    /// Ids whose look-alike form (see [`lookalike`]) differs from their text, by the hash
    /// of that form.
    lookalikes: ByIdHash<(u32, Location)>,
}

/// A map keyed by an id's hash ([`id_hash`]), which is a hash already: not hashed again.
type ByIdHash<V> = HashMap<u64, V, std::hash::BuildHasherDefault<IdHashed>>;

/// The hasher of [`ByIdHash`]: a `u64` key is its own hash.
#[derive(Debug, Default)]
struct IdHashed(u64);

impl std::hash::Hasher for IdHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; any other bytes are folded in all the same.
        self.0 = bytes
            .iter()
            .fold(self.0, |h, &b| h.rotate_left(8) ^ u64::from(b));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The form two ids share when a reader cannot tell them apart: Unicode compatibility
/// normalisation (NFKC: the NFC and NFD spellings of "Kvanefjeld" or "Lofdal" meet) with
/// invisible characters (zero-width space and joiners, word joiner, BOM, soft hyphen)
/// dropped. `None` when that is the id itself (every ASCII id).
fn lookalike(id: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    if id.is_ascii() {
        return None;
    }
    let key: String = id
        .nfkc()
        .filter(|c| {
            !matches!(
                c,
                '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{00ad}'
            )
        })
        .collect();
    (key != id).then_some(key)
}

fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl IdRegistry {
    /// A registry with room for `records` ids before its table grows (an estimate:
    /// [`crate::read::estimated_records`]), at most [`IdRegistry::RESERVED_MAX`]: a
    /// wrong estimate (a file's first rows far shorter than the rest) reserves no more
    /// than that, and room that cannot be had is not reserved (the table grows as it goes).
    pub fn with_capacity(records: usize) -> IdRegistry {
        let mut ids = IdRegistry::default();
        // Failing leaves the table empty, as `default` makes it.
        let _ = ids.seen.try_reserve(records.min(Self::RESERVED_MAX));
        ids
    }

    /// The most ids a registry reserves room for at once (judgement: 2^21 ids, a table of
    /// about 140 MB; a larger run's table grows by doubling from there).
    pub const RESERVED_MAX: usize = 1 << 21;

    /// Registers a record's id; a problem if the id was already used.
    pub fn register(&mut self, file: &str, rec: &ProjectRecord) -> Option<Diagnostic> {
        self.register_id(file, &rec.id, &rec.location)
    }

    /// [`IdRegistry::register`] of the record `id` at `location`.
    pub fn register_id(&mut self, file: &str, id: &str, location: &Location) -> Option<Diagnostic> {
        if id.is_empty() {
            return None;
        }
        if self.files.last().is_none_or(|f| f != file) {
            self.files.push(file.to_owned());
        }
        let file_index = (self.files.len() - 1) as u32;
        match self.seen.entry(id_hash(id)) {
            Entry::Occupied(first) => {
                let (first_file, first_loc) = first.get();
                let first_file = &self.files[*first_file as usize];
                let place = match first_loc {
                    Location::File => first_file.clone(),
                    loc => format!("{first_file} {loc}"),
                };
                Some(
                    Diagnostic::error(
                        Some("id"),
                        format!("duplicate id {:?}, first used at {place}", id),
                    )
                    .with_hint("ids must be unique across all input files")
                    .at(file, location.clone(), Some(id)),
                )
            }
            Entry::Vacant(slot) => {
                slot.insert((file_index, location.clone()));
                self.lookalike(file, file_index, id, location)
            }
        }
    }

    /// A warning when `id` differs from an earlier one only by Unicode normalisation
    /// or invisible characters.
    fn lookalike(
        &mut self,
        file: &str,
        file_index: u32,
        id: &str,
        location: &Location,
    ) -> Option<Diagnostic> {
        let key = lookalike(id);
        let hash = id_hash(key.as_deref().unwrap_or(id));
        let earlier = match &key {
            Some(_) => self.seen.get(&hash).or_else(|| self.lookalikes.get(&hash)),
            None => self.lookalikes.get(&hash),
        }
        .cloned();
        if key.is_some() {
            self.lookalikes
                .entry(hash)
                .or_insert((file_index, location.clone()));
        }
        let (first_file, first_loc) = earlier?;
        let first_file = &self.files[first_file as usize];
        let place = match first_loc {
            Location::File => first_file.clone(),
            loc => format!("{first_file} {loc}"),
        };
        Some(
            Diagnostic::warning(
                Some("id"),
                format!(
                    "id {:?} reads the same as the id at {place} (they differ only in Unicode normalisation or invisible characters)",
                    id
                ),
            )
            .with_hint("spell each id one way, without zero-width characters")
            .at(file, location.clone(), Some(id)),
        )
    }
}
