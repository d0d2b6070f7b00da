//! Builds a typed [`ProjectRecord`] from the cells a reader found, field by field,
//! collecting every problem instead of stopping at the first.

use serde_json::Value;

use super::schema::{
    self, Cell, CellError, Field, country, country_list, currency, non_negative, percent,
    subdivision, year,
};
use super::validate;
use crate::diagnostic::Diagnostic;
use crate::read::record::{
    Commodity, DepositType, Location, NpvBasis, OXIDES, PermitStatus, ProcessingRoute, ProductForm,
    ProjectRecord, Regime, SiteGeometry, SponsorKind, StudyStage,
};

/// A record read from one CSV row or GeoJSON feature, with every problem found in it.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub record: ProjectRecord,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// Whether any problem is an error (the record must not be used as it is).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Fills a record cell by cell, in the heap place its [`Parsed`] keeps: a record is about
/// 2 KB, and built on the stack it was copied at each move on its way to the reader's
/// sink (`memmove` was the largest item of `check`'s profile, 12 % of its time).
pub struct RecordBuilder {
    parsed: Box<Parsed>,
    grade_ppm: Option<f64>,
    lon: Option<f64>,
    lat: Option<f64>,
    wkt: Option<String>,
    geometry_seen: bool,
    problems: Vec<Diagnostic>,
}

macro_rules! vocab {
    ($ty:ident, $cell:expr) => {
        schema::vocabulary($cell, $ty::parse, $ty::NAMES, $ty::ALIASES)
    };
}

impl RecordBuilder {
    pub fn new(location: Location) -> Self {
        RecordBuilder {
            parsed: Box::new(Parsed {
                record: ProjectRecord::empty(location),
                diagnostics: Vec::new(),
            }),
            grade_ppm: None,
            lon: None,
            lat: None,
            wkt: None,
            geometry_seen: false,
            problems: Vec::new(),
        }
    }

    /// Sets a known field from a cell; `written` is the name as it stood in the file.
    pub fn set(&mut self, field: Field, written: &str, cell: Cell) {
        if let Err(e) = self.apply(field, cell) {
            self.push_cell_error(written, e);
        }
    }

    /// Keeps a property the schema does not know, untouched.
    pub fn set_extra(&mut self, key: &str, value: Value) {
        self.parsed.record.extra.insert(key.to_owned(), value);
    }

    /// Sets the geometry read from a GeoJSON feature (or the problem with it).
    pub fn set_geometry(&mut self, geometry: Result<Option<SiteGeometry>, CellError>) {
        self.geometry_seen = true;
        match geometry {
            Ok(g) => self.parsed.record.geometry = g,
            Err(e) => self.push_cell_error("geometry", e),
        }
    }

    /// Reports a problem found by the reader itself (a ragged row, a bad byte).
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.problems.push(diagnostic);
    }

    fn push_cell_error(&mut self, field: &str, e: CellError) {
        let mut d = Diagnostic::error(Some(field), e.message);
        d.hint = e.hint;
        self.problems.push(d);
    }

    fn apply(&mut self, field: Field, cell: Cell) -> Result<(), CellError> {
        let r = &mut self.parsed.record;
        let g = &mut r.geology;
        let e = &mut r.economics;
        let s = &mut r.study;
        let o = &mut r.ownership;
        match field {
            Field::Id => r.id = cell.text()?.unwrap_or_default(),
            Field::Name => r.name = cell.text()?.unwrap_or_default(),
            Field::Country => r.country = country(cell)?,
            Field::SponsorCountry => r.sponsor_country = country(cell)?,
            Field::Subdivision => r.subdivision = subdivision(cell)?,
            Field::Regime => r.regime = vocab!(Regime, cell)?,
            Field::Operator => o.operator = cell.text()?,
            Field::Owners => o.owners = cell.list()?,
            Field::OwnerCountries => o.owner_countries = country_list(cell)?,
            Field::Offtakers => o.offtakers = cell.list()?,
            Field::OfftakerCountries => o.offtaker_countries = country_list(cell)?,
            Field::ProcessingRoute => o.processing_route = vocab!(ProcessingRoute, cell)?,
            Field::SponsorKind => o.sponsor_kind = vocab!(SponsorKind, cell)?,
            Field::OfftakeSharePct => o.offtake_share_pct = percent(cell)?,
            Field::FloorNdprUsdPerKg => r.support.floor_ndpr_usd_per_kg = non_negative(cell)?,
            Field::FloorTenorY => r.support.floor_tenor_y = non_negative(cell)?,
            Field::FloorUpsideSharePct => r.support.floor_upside_share_pct = percent(cell)?,
            Field::LoanRatePct => r.support.loan_rate_pct = cell.number()?,
            Field::LoanTenorY => r.support.loan_tenor_y = non_negative(cell)?,
            Field::LoanShareOfCapexPct => r.support.loan_share_of_capex_pct = percent(cell)?,
            Field::ProductionCredit => r.support.production_credit = cell.text()?,
            Field::Lon => self.lon = cell.number()?,
            Field::Lat => self.lat = cell.number()?,
            Field::Geometry => self.wkt = cell.text()?,
            Field::Commodity => g.commodity = vocab!(Commodity, cell)?,
            Field::DepositType => g.deposit_type = vocab!(DepositType, cell)?,
            Field::MeasuredMt => g.resource.measured_mt = non_negative(cell)?,
            Field::IndicatedMt => g.resource.indicated_mt = non_negative(cell)?,
            Field::InferredMt => g.resource.inferred_mt = non_negative(cell)?,
            Field::ResourceMt => g.resource.unclassified_mt = non_negative(cell)?,
            Field::ReserveMt => g.resource.reserve_mt = non_negative(cell)?,
            Field::GradeTreoPct => g.grade_treo_pct = grade_pct(cell)?,
            Field::GradeTreoPpm => self.grade_ppm = non_negative(cell)?,
            Field::LaSharePct
            | Field::CeSharePct
            | Field::PrSharePct
            | Field::NdSharePct
            | Field::SmSharePct
            | Field::EuSharePct
            | Field::GdSharePct
            | Field::TbSharePct
            | Field::DySharePct
            | Field::HoSharePct
            | Field::ErSharePct
            | Field::TmSharePct
            | Field::YbSharePct
            | Field::LuSharePct
            | Field::YSharePct => {
                let i = field as usize - Field::LaSharePct as usize;
                debug_assert!(field.name().starts_with(OXIDES[i]));
                g.oxide_shares[i] = percent(cell)?;
            }
            Field::NdprSharePct => g.ndpr_share_pct = percent(cell)?,
            Field::DytbSharePct => g.dytb_share_pct = percent(cell)?,
            Field::Distribution => g.distribution = cell.text()?,
            Field::AbundanceKgM2 => g.abundance_kg_m2 = non_negative(cell)?,
            Field::NiPct => g.ni_pct = percent(cell)?,
            Field::CuPct => g.cu_pct = percent(cell)?,
            Field::CoPct => g.co_pct = percent(cell)?,
            Field::MnPct => g.mn_pct = percent(cell)?,
            Field::ZnPct => g.zn_pct = percent(cell)?,
            Field::PbPct => g.pb_pct = percent(cell)?,
            Field::AuGT => g.au_g_t = non_negative(cell)?,
            Field::AgGT => g.ag_g_t = non_negative(cell)?,
            Field::Tho2Ppm => g.tho2_ppm = non_negative(cell)?,
            Field::U3o8Ppm => g.u3o8_ppm = non_negative(cell)?,
            Field::WaterDepthM => g.water_depth_m = non_negative(cell)?,
            Field::Stage => r.development.stage = vocab!(StudyStage, cell)?,
            Field::StageYear => r.development.stage_year = year(cell)?,
            Field::RevivalYear => r.development.revival_year = year(cell)?,
            Field::PermitStatus => r.development.permit_status = vocab!(PermitStatus, cell)?,
            Field::Milestones => r.development.milestones = cell.text()?,
            Field::DatedMilestones => {
                r.development.dated_milestones =
                    crate::read::milestone::DatedMilestone::parse_list(&cell.list()?)?
            }
            Field::ThroughputMtpa => e.throughput_mtpa = non_negative(cell)?,
            Field::ProductForm => e.product_form = vocab!(ProductForm, cell)?,
            Field::SalePriceUsdPerKg => e.sale_price_usd_per_kg = non_negative(cell)?,
            Field::PayablePct => e.payable_pct = percent(cell)?,
            Field::TollingUsdPerKg => e.tolling_usd_per_kg = non_negative(cell)?,
            Field::RecoveryPct => e.recovery_pct = percent(cell)?,
            Field::MineLifeY => e.mine_life_y = positive_life(cell)?,
            Field::RemainingLifeY => e.remaining_life_y = non_negative(cell)?,
            Field::AnnualTreoT => e.annual_treo_t = non_negative(cell)?,
            Field::AnnualNdprT => e.annual_ndpr_t = non_negative(cell)?,
            Field::AnnualDytbT => e.annual_dytb_t = non_negative(cell)?,
            Field::AnnualNiT => e.annual_ni_t = non_negative(cell)?,
            Field::AnnualCuT => e.annual_cu_t = non_negative(cell)?,
            Field::AnnualCoT => e.annual_co_t = non_negative(cell)?,
            Field::AnnualMnT => e.annual_mn_t = non_negative(cell)?,
            Field::CapexMusd => e.capex_m = non_negative(cell)?,
            Field::SustainingCapexMusdPerY => e.sustaining_capex_m_per_y = non_negative(cell)?,
            Field::CapexSpentMusd => e.capex_spent_m = non_negative(cell)?,
            Field::CapexRemainingMusd => e.capex_remaining_m = non_negative(cell)?,
            Field::OpexUsdPerTOre => e.opex_per_t_ore = non_negative(cell)?,
            Field::OpexUsdPerKgReo => e.opex_per_kg_reo = non_negative(cell)?,
            Field::OpexMusdPerY => e.opex_m_per_y = non_negative(cell)?,
            Field::RoyaltyPct => e.royalty_pct = percent(cell)?,
            Field::TaxRatePct => e.tax_rate_pct = percent(cell)?,
            Field::Byproducts => {
                e.byproducts = crate::read::record::Byproduct::parse_list(&cell.list()?)?
            }
            Field::Currency => e.currency = currency(cell)?,
            Field::RecordKind => {
                r.plant.kind = schema::vocabulary(
                    cell,
                    crate::read::record::RecordKind::parse,
                    crate::read::record::RecordKind::NAMES,
                    crate::read::record::RecordKind::ALIASES,
                )?
            }
            Field::PlantNdprT => r.plant.ndpr_t = non_negative(cell)?,
            Field::PlantDytbT => r.plant.dytb_t = non_negative(cell)?,
            Field::PlantReoT => r.plant.reo_t = non_negative(cell)?,
            Field::PlantFeeds => {
                r.plant.feeds = cell
                    .list()?
                    .iter()
                    .map(|f| {
                        ProductForm::parse(f).ok_or_else(|| {
                            CellError::new(format!("{f:?} is not a product form"))
                                .hint(format!("one of {}", ProductForm::NAMES.join(", ")))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
            Field::PlantAccess => {
                r.plant.captive = match cell.text()?.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(t) if t.eq_ignore_ascii_case("open") => Some(false),
                    Some(t) if t.eq_ignore_ascii_case("captive") => Some(true),
                    Some(t) => return Err(CellError::new(format!(
                        "{t:?} is neither open nor captive"
                    ))
                    .hint("open (takes third parties' feed) or captive (its owners' mines only)")),
                }
            }
            Field::PlantTollUsdPerKg => r.plant.toll_light_usd_per_kg = non_negative(cell)?,
            Field::PlantTollHeavyUsdPerKg => r.plant.toll_heavy_usd_per_kg = non_negative(cell)?,
            Field::StudyType => s.study_type = vocab!(StudyStage, cell)?,
            Field::StudyYear => s.year = year(cell)?,
            Field::MoneyYear => r.economics.money_year = year(cell)?,
            Field::StudyNpvMusd => s.npv_m = cell.number()?,
            Field::StudyIrrPct => s.irr_pct = cell.number()?,
            Field::StudyDiscountRatePct => s.discount_rate_pct = percent(cell)?,
            Field::StudyNpvBasis => s.npv_basis = vocab!(NpvBasis, cell)?,
            Field::StudyBasketUsdPerKg => s.basket_price_per_kg = non_negative(cell)?,
            Field::StudyNdprUsdPerKg => s.ndpr_price_per_kg = non_negative(cell)?,
            Field::StudyCurrency => s.currency = currency(cell)?,
            Field::StudyCapexMusd => s.terms.capex_m = non_negative(cell)?,
            Field::StudyRevenueMusdPerY => s.terms.revenue_m_per_y = non_negative(cell)?,
            Field::StudyRevenueLomMusd => s.terms.revenue_lom_m = non_negative(cell)?,
            Field::StudyByproductRevenueMusdPerY => {
                s.terms.byproduct_revenue_m_per_y = non_negative(cell)?
            }
            Field::StudyOpexMusdPerY => s.terms.opex_m_per_y = non_negative(cell)?,
            Field::StudyEbitdaMusdPerY => s.terms.ebitda_m_per_y = cell.number()?,
            Field::StudyEbitdaLomMusd => s.terms.ebitda_lom_m = cell.number()?,
            Field::StudyFcfMusdPerY => s.terms.fcf_m_per_y = cell.number()?,
            Field::StudySustainingCapexMusdPerY => {
                s.terms.sustaining_capex_m_per_y = non_negative(cell)?
            }
            Field::StudyConstructionY => {
                s.terms.construction_y = match non_negative(cell)? {
                    None => None,
                    Some(v) if v.fract() == 0.0 && v <= 20.0 => Some(v as u32),
                    Some(v) => {
                        return Err(CellError::new(format!(
                            "{v} is not a whole number of construction years from 0 to 20"
                        ))
                        .hint("the study's construction period in whole years, e.g. 2"));
                    }
                }
            }
            Field::StudyRampUpPct => {
                let shares = cell
                    .list()?
                    .iter()
                    .map(|t| {
                        t.parse::<f64>()
                            .ok()
                            .filter(|v| v.is_finite() && (0.0..=100.0).contains(v))
                            .ok_or_else(|| {
                                CellError::new(format!("{t:?} is not a share of nameplate, %"))
                                    .hint("percentages from 0 to 100 separated by ;, e.g. 60;90")
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                s.terms.ramp_up_pct = (!shares.is_empty()).then_some(shares);
            }
            Field::StudyRoyaltyPct => s.terms.royalty_pct = percent(cell)?,
            Field::StudyTaxRatePct => s.terms.tax_rate_pct = percent(cell)?,
            Field::ResourceReoMt => g.contained_reo_mt = non_negative(cell)?,
            Field::LicenceAreaKm2 => g.licence_area_km2 = non_negative(cell)?,
            Field::CapacityScenario => e.capacity_scenario = cell.text()?,
        }
        Ok(())
    }

    /// Settles what depends on several cells (grade units, CSV geometry), runs the
    /// record's own checks and places every problem in `file`.
    pub fn finish(self, file: &str) -> Parsed {
        *self.finish_boxed(file, None)
    }

    /// [`finish`](Self::finish), reprojecting the geometry to WGS84 first when the input
    /// is in another CRS, the record left in its place on the heap.
    pub fn finish_boxed(
        mut self,
        file: &str,
        crs: Option<&super::crs::Reprojector>,
    ) -> Box<Parsed> {
        self.settle_grade();
        self.settle_csv_geometry();
        if let (Some(r), Some(g)) = (crs, self.parsed.record.geometry.as_ref()) {
            match r.geometry(g) {
                Ok(g) => self.parsed.record.geometry = Some(g),
                Err(e) => self.push_cell_error("geometry", CellError::new(e)),
            }
        }
        if let Some(g) = self.parsed.record.geometry.as_mut() {
            super::rings::right_hand(g);
        }
        let mut diagnostics = self.problems;
        let unreadable: Vec<&str> = diagnostics
            .iter()
            .filter_map(|d| d.field.as_deref())
            .collect();
        let checks = validate::record(&self.parsed.record, &unreadable);
        diagnostics.extend(checks);
        let mut parsed = self.parsed;
        let record = &parsed.record;
        parsed.diagnostics = diagnostics
            .into_iter()
            .map(|d| d.at(file, record.location.clone(), Some(&record.id)))
            .collect();
        parsed
    }

    fn settle_grade(&mut self) {
        let Some(ppm) = self.grade_ppm else { return };
        if ppm > 1_000_000.0 {
            self.problems.push(
                Diagnostic::error(
                    Some("grade_treo_ppm"),
                    format!("{ppm} ppm is over 1,000,000 ppm"),
                )
                .with_hint("ppm means parts per million; 1 % = 10,000 ppm"),
            );
            return;
        }
        let from_ppm = ppm / 10_000.0;
        match self.parsed.record.geology.grade_treo_pct {
            None => self.parsed.record.geology.grade_treo_pct = Some(from_ppm),
            Some(pct) if (pct - from_ppm).abs() > 0.01 * pct.max(from_ppm) => self.problems.push(
                Diagnostic::error(
                    Some("grade_treo_ppm"),
                    format!(
                        "{ppm} ppm disagrees with grade_treo_pct {pct} % ({from_ppm} % from ppm)"
                    ),
                )
                .with_hint("give the grade once, in % or in ppm (1 % = 10,000 ppm)"),
            ),
            Some(_) => {}
        }
    }

    fn settle_csv_geometry(&mut self) {
        if self.geometry_seen {
            return;
        }
        if let Some(wkt) = self.wkt.take() {
            match parse_wkt(&wkt) {
                Ok(g) => self.parsed.record.geometry = Some(g),
                Err(e) => self.push_cell_error("geometry", e),
            }
            if self.lon.is_some() || self.lat.is_some() {
                self.problems.push(
                    Diagnostic::warning(
                        Some("geometry"),
                        "both a WKT geometry and lon/lat are given; the WKT geometry is used",
                    )
                    .with_hint("keep one of them"),
                );
            }
            return;
        }
        match (self.lon, self.lat) {
            (Some(lon), Some(lat)) => {
                self.parsed.record.geometry = Some(geo::Point::new(lon, lat).into())
            }
            (Some(_), None) => self.problems.push(Diagnostic::error(
                Some("lat"),
                "lon is given but lat is missing",
            )),
            (None, Some(_)) => self.problems.push(Diagnostic::error(
                Some("lon"),
                "lat is given but lon is missing",
            )),
            (None, None) => {}
        }
    }
}

/// A grade in % TREO; over 100 % is almost always ppm written in the % field.
fn grade_pct(cell: Cell) -> Result<Option<f64>, CellError> {
    let value = non_negative(cell)?;
    match value {
        Some(v) if v > 100.0 => Err(CellError::new(format!("grade {v} % TREO is over 100 %"))
            .hint(format!(
                "if the grade is in ppm, put it in grade_treo_ppm ({v} ppm = {} %)",
                v / 10_000.0
            ))),
        _ => Ok(value),
    }
}

/// What follows a WKT geometry, if anything does (the wkt crate stops at the end of the
/// geometry and ignores the rest): the text after the parenthesis that closes the first
/// group, or after `EMPTY` (issue 19, class 14).
fn wkt_trailing(text: &str) -> Option<&str> {
    let t = text.trim();
    let mut depth = 0usize;
    for (i, c) in t.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(&t[i..]),
            ')' => {
                depth -= 1;
                if depth == 0 {
                    let rest = t[i + 1..].trim();
                    return (!rest.is_empty()).then_some(rest);
                }
            }
            _ => {}
        }
    }
    // No group: `POINT EMPTY` and the like end at their last word.
    let upper = t.to_ascii_uppercase();
    match upper.find("EMPTY") {
        Some(at) if !t[at + 5..].trim().is_empty() => Some(t[at + 5..].trim()),
        _ => None,
    }
}

/// Parses a WKT geometry in lon/lat order.
pub fn parse_wkt(text: &str) -> Result<SiteGeometry, CellError> {
    use std::str::FromStr;
    if let Some(rest) = wkt_trailing(text) {
        return Err(CellError::new(format!(
            "invalid WKT: {:?} follows the geometry",
            rest.chars().take(40).collect::<String>()
        ))
        .hint("a WKT cell holds one geometry and nothing after it, e.g. POINT(122.55 -28.86)"));
    }
    let wkt = wkt::Wkt::<f64>::from_str(text).map_err(|e| {
        CellError::new(format!("invalid WKT: {e}"))
            .hint("write e.g. POINT(122.55 -28.86) with longitude first")
    })?;
    SiteGeometry::try_from(wkt)
        .map_err(|e| CellError::new(format!("unsupported WKT geometry: {e}")))
}

/// A mine life, years: above zero (a mine of no years produces nothing and divides the
/// resource by zero; issue 19, class 14).
fn positive_life(cell: Cell) -> Result<Option<f64>, CellError> {
    match non_negative(cell)? {
        Some(0.0) => Err(CellError::new("a mine life of 0 years").hint(
            "give the life in years (above 0), or leave the cell empty to have it estimated",
        )),
        v => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::schema::FIELDS;

    /// The CSV reader skips empty cells of known fields: that is sound only if an empty
    /// cell leaves every field as a fresh record has it, with no problem found.
    #[test]
    fn an_empty_cell_of_any_field_leaves_the_record_as_it_was() {
        let fresh = format!(
            "{:?}",
            RecordBuilder::new(Location::Line(2)).finish("t.csv")
        );
        for spec in FIELDS {
            let mut b = RecordBuilder::new(Location::Line(2));
            b.set(spec.field, spec.name, Cell::Text(""));
            let set = format!("{:?}", b.finish("t.csv"));
            assert_eq!(set, fresh, "an empty {} cell changed the record", spec.name);
        }
    }
}
