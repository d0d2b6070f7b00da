//! The record schema: every field a reader accepts, its type, unit and meaning, and how a
//! cell of text (CSV) or JSON (GeoJSON) becomes a typed value. docs/schema.md is checked
//! against [`FIELDS`] by a test, so the two cannot drift apart.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::Value;

use crate::read::record::{
    Commodity, DepositType, NpvBasis, PermitStatus, ProcessingRoute, ProductForm, Regime,
    SponsorKind, StudyStage,
};

/// The JSON-or-text shape of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A list: a JSON array of strings, or text separated by `;`.
    List,
    /// A finite number.
    Number,
    /// A calendar year (integer).
    Year,
    /// One of a closed set of names (aliases accepted).
    Vocabulary(&'static [&'static str]),
    /// An ISO 3166-1 alpha-2 country code.
    Country,
    /// A list of ISO 3166-1 alpha-2 country codes.
    CountryList,
    /// An ISO 4217 currency code.
    Currency,
    /// A WKT geometry (CSV only).
    Wkt,
}

impl FieldKind {
    /// The type as docs/schema.md names it.
    pub fn describe(self) -> String {
        match self {
            FieldKind::Text => "text".into(),
            FieldKind::List => "list of text".into(),
            FieldKind::Number => "number".into(),
            FieldKind::Year => "year".into(),
            FieldKind::Vocabulary(names) => format!("one of {}", names.join(", ")),
            FieldKind::Country => "ISO 3166-1 alpha-2".into(),
            FieldKind::CountryList => "list of ISO 3166-1 alpha-2".into(),
            FieldKind::Currency => "ISO 4217".into(),
            FieldKind::Wkt => "WKT".into(),
        }
    }
}

/// One field of the schema.
#[derive(Debug)]
pub struct FieldSpec {
    pub field: Field,
    /// The property or column name.
    pub name: &'static str,
    pub kind: FieldKind,
    /// Unit of a number ("" for none).
    pub unit: &'static str,
    /// Section of docs/schema.md.
    pub group: &'static str,
    pub doc: &'static str,
}

macro_rules! schema {
    ($($variant:ident: $name:literal, $kind:expr, $unit:literal, $group:literal, $doc:literal;)+) => {
        /// A known field.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Field { $($variant,)+ }

        /// Every field the readers accept, in the order of docs/schema.md.
        pub static FIELDS: &[FieldSpec] = &[
            $(FieldSpec { field: Field::$variant, name: $name, kind: $kind, unit: $unit, group: $group, doc: $doc },)+
        ];
    };
}

use FieldKind::*;

schema! {
    Id: "id", Text, "", "identity", "Unique identifier of the project, as text (a JSON number keeps its digits as written: 1.10 stays 1.10). Required.";
    Name: "name", Text, "", "identity", "Project name. Required.";
    Country: "country", FieldKind::Country, "", "identity", "Host state. Required unless `regime` is `area` (beyond national jurisdiction), where it must be empty.";
    SponsorCountry: "sponsor_country", FieldKind::Country, "", "identity", "Sponsoring state of a contract in the Area (ISA), e.g. NR for Nauru.";
    Subdivision: "subdivision", Text, "", "identity", "ISO 3166-2 code of the state, province or territory, e.g. AU-WA, AU-NT: the royalty is that subdivision's where the assumptions have a row for it (jurisdictions.AU-NT), else the country's.";
    Regime: "regime", Vocabulary(crate::read::record::Regime::NAMES), "", "identity", "Legal regime as declared: onshore, eez (national seabed) or area (ISA). The spatial model also derives it.";
    Operator: "operator", Text, "", "identity", "Operating company.";
    Owners: "owners", List, "", "identity", "Owners (with shares in the text if wanted).";
    OwnerCountries: "owner_countries", CountryList, "", "identity", "Home countries of the owners; CN marks Chinese ownership.";
    Offtakers: "offtakers", List, "", "identity", "Offtake partners.";
    OfftakerCountries: "offtaker_countries", CountryList, "", "identity", "Home countries of the offtakers; CN marks a Chinese offtake.";
    SponsorKind: "sponsor_kind", Vocabulary(crate::read::record::SponsorKind::NAMES), "", "identity", "Who sponsors the project: company (builds only if its value is positive; the default) or state (a government programme that proceeds on policy: the first-production outlook does not wait on its owner's value).";
    ProcessingRoute: "processing_route", Vocabulary(crate::read::record::ProcessingRoute::NAMES), "", "identity", "Where the product is separated: integrated (own plant outside China), non_china (another plant outside China), china, undecided.";
    Lon: "lon", Number, "degrees", "geometry", "Longitude, WGS84 (EPSG:4326 east), -180 to 180. CSV only; aliases `longitude`, `lng`, `x`.";
    Lat: "lat", Number, "degrees", "geometry", "Latitude, WGS84 (EPSG:4326 north), -90 to 90. CSV only; aliases `latitude`, `y`.";
    Geometry: "geometry", Wkt, "", "geometry", "WKT Point, Polygon or MultiPolygon in WGS84 lon/lat, and nothing after it. CSV only, instead of lon/lat; alias `wkt`.";
    Commodity: "commodity", Vocabulary(crate::read::record::Commodity::NAMES), "", "geology", "What is mined for; defaults from deposit_type.";
    DepositType: "deposit_type", Vocabulary(crate::read::record::DepositType::NAMES), "", "geology", "Deposit type. Required.";
    MeasuredMt: "measured_mt", Number, "Mt", "geology", "Measured resource, Mt ore (nodules: Mt wet).";
    IndicatedMt: "indicated_mt", Number, "Mt", "geology", "Indicated resource, Mt ore.";
    InferredMt: "inferred_mt", Number, "Mt", "geology", "Inferred resource, Mt ore.";
    ResourceMt: "resource_mt", Number, "Mt", "geology", "Mineral resource of unknown or mixed category, Mt ore (counted as Inferred for confidence, with the given tonnage).";
    ReserveMt: "reserve_mt", Number, "Mt", "geology", "Proven plus probable ore reserve, Mt ore.";
    GradeTreoPct: "grade_treo_pct", Number, "% TREO", "geology", "Resource grade, % total rare-earth oxides (0.1 % = 1,000 ppm).";
    GradeTreoPpm: "grade_treo_ppm", Number, "ppm TREO", "geology", "Resource grade in ppm TREO, instead of grade_treo_pct (converted: 10,000 ppm = 1 %).";
    LaSharePct: "la_share_pct", Number, "% of TREO", "geology", "La2O3 share of TREO.";
    CeSharePct: "ce_share_pct", Number, "% of TREO", "geology", "CeO2 share of TREO.";
    PrSharePct: "pr_share_pct", Number, "% of TREO", "geology", "Pr6O11 share of TREO.";
    NdSharePct: "nd_share_pct", Number, "% of TREO", "geology", "Nd2O3 share of TREO.";
    SmSharePct: "sm_share_pct", Number, "% of TREO", "geology", "Sm2O3 share of TREO.";
    EuSharePct: "eu_share_pct", Number, "% of TREO", "geology", "Eu2O3 share of TREO.";
    GdSharePct: "gd_share_pct", Number, "% of TREO", "geology", "Gd2O3 share of TREO.";
    TbSharePct: "tb_share_pct", Number, "% of TREO", "geology", "Tb4O7 share of TREO.";
    DySharePct: "dy_share_pct", Number, "% of TREO", "geology", "Dy2O3 share of TREO.";
    HoSharePct: "ho_share_pct", Number, "% of TREO", "geology", "Ho2O3 share of TREO.";
    ErSharePct: "er_share_pct", Number, "% of TREO", "geology", "Er2O3 share of TREO.";
    TmSharePct: "tm_share_pct", Number, "% of TREO", "geology", "Tm2O3 share of TREO.";
    YbSharePct: "yb_share_pct", Number, "% of TREO", "geology", "Yb2O3 share of TREO.";
    LuSharePct: "lu_share_pct", Number, "% of TREO", "geology", "Lu2O3 share of TREO.";
    YSharePct: "y_share_pct", Number, "% of TREO", "geology", "Y2O3 share of TREO.";
    NdprSharePct: "ndpr_share_pct", Number, "% of TREO", "geology", "Nd2O3 + Pr6O11 share of TREO, when the full distribution is not known.";
    DytbSharePct: "dytb_share_pct", Number, "% of TREO", "geology", "Dy2O3 + Tb4O7 share of TREO, when the full distribution is not known.";
    Distribution: "distribution", Text, "", "geology", "Name of a typical oxide distribution of the assumptions' library (`[distributions.*]`: mount_weld_laterite, mountain_pass_bastnaesite, monazite, xenotime, ionic_clay_light, ionic_clay_heavy, peralkaline) used for what the record's own shares and outputs leave out; the deposit type's default otherwise.";
    AbundanceKgM2: "abundance_kg_m2", Number, "kg/m²", "geology", "Nodule abundance, kg wet nodules per m² of seabed.";
    NiPct: "ni_pct", Number, "%", "geology", "Nickel grade (dry nodules or ore).";
    CuPct: "cu_pct", Number, "%", "geology", "Copper grade.";
    CoPct: "co_pct", Number, "%", "geology", "Cobalt grade.";
    MnPct: "mn_pct", Number, "%", "geology", "Manganese grade.";
    ZnPct: "zn_pct", Number, "%", "geology", "Zinc grade (seafloor sulphides).";
    PbPct: "pb_pct", Number, "%", "geology", "Lead grade (seafloor sulphides).";
    AuGT: "au_g_t", Number, "g/t", "geology", "Gold grade, grams per tonne of ore (seafloor sulphides).";
    AgGT: "ag_g_t", Number, "g/t", "geology", "Silver grade, grams per tonne of ore (seafloor sulphides).";
    Tho2Ppm: "tho2_ppm", Number, "ppm ThO2", "geology", "Thorium in the resource, ppm ThO2 (as resource statements report it); scores geology against the IAEA's 1 Bq/g level for Th-232 (docs/models.md, Committee ranking); missing when absent.";
    U3o8Ppm: "u3o8_ppm", Number, "ppm U3O8", "geology", "Uranium in the resource, ppm U3O8; scores geology against the IAEA's 1 Bq/g level for U-238; missing when absent.";
    WaterDepthM: "water_depth_m", Number, "m", "geology", "Water depth at the site, m below sea level (seabed deposits).";
    Stage: "stage", Vocabulary(crate::read::record::StudyStage::NAMES), "", "development", "Current development stage. Required. Common S&P Global labels (Grassroots, Advanced Exploration, Prefeasibility, Feasibility, Construction Started, Operating...) are accepted.";
    StageYear: "stage_year", Year, "year", "development", "Year the current stage was reached.";
    RevivalYear: "revival_year", Year, "year", "development", "Year a dated event (a new application, a court ruling, a change of law) reopens a refused, revoked or terminated permit: the project re-enters permitting then instead of staying out of the base case.";
    PermitStatus: "permit_status", Vocabulary(crate::read::record::PermitStatus::NAMES), "", "development", "Status of the key mining or environmental permit.";
    Milestones: "milestones", Text, "", "development", "Permits granted or refused and other dated milestones, free text.";
    DatedMilestones: "dated_milestones", List, "", "development", "A programme's dated milestones, `;`-separated items `YYYY[-MM]:kind[:note]` with kind test, trial, decision, construction or production (vocabulary MilestoneKind), e.g. `2028-03:decision:viability report`. When given, they drive the lead time instead of the stage durations (docs/models.md, milestone-driven lead time).";
    ThroughputMtpa: "throughput_mtpa", Number, "Mt/y", "economics", "Ore throughput at nameplate, Mt per year.";
    ProductForm: "product_form", Vocabulary(crate::read::record::ProductForm::NAMES), "", "economics", "Product sold: concentrate, mixed_carbonate (MREC) or separated_oxides.";
    SalePriceUsdPerKg: "sale_price_usd_per_kg", Number, "US$/kg TREO", "economics", "The project's own realised price per kg TREO in its product (an offtake price), in US$ of the record's money year; replaces the netback.";
    PayablePct: "payable_pct", Number, "% of basket", "economics", "The project's own payability: the share of the separated-oxide basket its buyer pays; replaces the netback's charges.";
    TollingUsdPerKg: "tolling_usd_per_kg", Number, "US$/kg TREO", "economics", "The project's own separation (tolling) charge per kg TREO, all oxides and cracking included, in US$ of the record's money year; replaces the default light and heavy charges.";
    RecoveryPct: "recovery_pct", Number, "%", "economics", "Metallurgical recovery of TREO (nodules: of the main metals) to product.";
    MineLifeY: "mine_life_y", Number, "years", "economics", "Mine life at nameplate, above 0.";
    RemainingLifeY: "remaining_life_y", Number, "years", "economics", "Years of nameplate output left at the as-of date, for a project in production or ramp-up (else estimated from the current ore reserve).";
    AnnualTreoT: "annual_treo_t", Number, "t/y", "economics", "Annual output at nameplate, t TREO in product.";
    AnnualNdprT: "annual_ndpr_t", Number, "t/y", "economics", "Annual output, t NdPr oxide.";
    AnnualDytbT: "annual_dytb_t", Number, "t/y", "economics", "Annual output, t Dy2O3 + Tb4O7.";
    AnnualNiT: "annual_ni_t", Number, "t/y", "economics", "Annual output, t nickel in product (nodules).";
    AnnualCuT: "annual_cu_t", Number, "t/y", "economics", "Annual output, t copper in product.";
    AnnualCoT: "annual_co_t", Number, "t/y", "economics", "Annual output, t cobalt in product.";
    AnnualMnT: "annual_mn_t", Number, "t/y", "economics", "Annual output, t manganese in product.";
    CapexMusd: "capex_musd", Number, "million currency units", "economics", "Initial capital cost, millions of the record's `currency` (US$ by default).";
    SustainingCapexMusdPerY: "sustaining_capex_musd_per_y", Number, "million currency units per year", "economics", "Sustaining capital, millions per year.";
    CapexSpentMusd: "capex_spent_musd", Number, "million currency units", "economics", "Part of the initial capital already spent at the as-of date (sunk: left out of the valuation).";
    CapexRemainingMusd: "capex_remaining_musd", Number, "million currency units", "economics", "Capital still to spend at the as-of date: the cost to complete a project under construction, or an expansion of a producing one. Wins over capex_musd - capex_spent_musd.";
    OpexUsdPerTOre: "opex_usd_per_t_ore", Number, "currency units per t ore", "economics", "Operating cost per tonne of ore processed.";
    OpexUsdPerKgReo: "opex_usd_per_kg_reo", Number, "currency units per kg REO", "economics", "Operating cost per kg of rare-earth oxide produced.";
    OpexMusdPerY: "opex_musd_per_y", Number, "million currency units per year", "economics", "Operating cost per year at nameplate.";
    RoyaltyPct: "royalty_pct", Number, "% of revenue", "economics", "Royalty rate.";
    TaxRatePct: "tax_rate_pct", Number, "%", "economics", "Corporate income-tax rate.";
    Byproducts: "byproducts", List, "", "economics", "By-products and co-products, `;`-separated items `commodity:t_per_y[:usd_per_t[:payable_pct]]`, e.g. `phosphoric_acid:144393:411`; an item without a price is known but unpriced (a warning).";
    Currency: "currency", FieldKind::Currency, "", "economics", "Currency of every money field of the record (USD when absent); converted to US$ by the dated FX table of the assumptions.";
    MoneyYear: "money_year", Year, "year", "economics", "Year whose money the record's figures are in (else study_year, else stage_year): its exchange rate converts them to US$ and the CPI table brings them to the run's real year.";
    RecordKind: "record_kind", Vocabulary(crate::read::record::RecordKind::NAMES), "", "plant", "What the record is: project (a mine, the default) or plant (a separation plant project outside China, placed in the allocation of mine output to plants; docs/schema.md, Separation plant records).";
    PlantNdprT: "plant_ndpr_t", Number, "t/y", "plant", "Plant record: nameplate capacity, t/y separated NdPr oxide.";
    PlantDytbT: "plant_dytb_t", Number, "t/y", "plant", "Plant record: nameplate capacity, t/y separated Dy2O3 + Tb4O7 (a heavy circuit when above 0).";
    PlantReoT: "plant_reo_t", Number, "t/y", "plant", "Plant record: nameplate capacity, t/y total rare-earth oxide in feed.";
    PlantFeeds: "plant_feeds", List, "", "plant", "Plant record: product forms it takes (concentrate, mixed_carbonate); both when absent.";
    PlantAccess: "plant_access", Text, "", "plant", "Plant record: open (takes third parties' feed, the default) or captive (its owners' mines only).";
    PlantTollUsdPerKg: "plant_toll_usd_per_kg", Number, "US$/kg TREO", "plant", "Plant record: its tolling charge per kg TREO of feed, in US$ (the assumptions' default when absent).";
    PlantTollHeavyUsdPerKg: "plant_toll_heavy_usd_per_kg", Number, "US$/kg Dy+Tb", "plant", "Plant record: its heavy-separation surcharge per kg Dy + Tb oxide, in US$.";
    OfftakeSharePct: "offtake_share_pct", Number, "%", "support", "Share of the output sold under the named offtakes (`offtakers`), %: the funding structure's offtake coverage.";
    FloorNdprUsdPerKg: "floor_ndpr_usd_per_kg", Number, "US$/kg NdPr oxide", "support", "A price floor on NdPr oxide the project has or is offered, US$ per kg (real); the run's `[instruments.price_floor]` when absent.";
    FloorTenorY: "floor_tenor_y", Number, "years", "support", "Years of production the price floor covers, from the first.";
    FloorUpsideSharePct: "floor_upside_share_pct", Number, "%", "support", "Share of the NdPr price above the floor paid to the government, %.";
    LoanRatePct: "loan_rate_pct", Number, "% a year", "support", "A concessional loan's real interest rate, %; the run's `[instruments.concessional_loan]` when absent.";
    LoanTenorY: "loan_tenor_y", Number, "years", "support", "A concessional loan's repayment years (level annuity from the first year after construction).";
    LoanShareOfCapexPct: "loan_share_of_capex_pct", Number, "% of capex", "support", "A concessional loan's size, % of the capital still to spend.";
    ProductionCredit: "production_credit", Text, "", "support", "The production tax credit the project claims: a country key of `[instruments.production_credit]` (`US` for 45X, `AU` for the CMPTI) or `none`; the host country's when absent.";
    StudyType: "study_type", Vocabulary(crate::read::record::StudyStage::NAMES), "", "study", "Type of the published study (pea, pfs, dfs...).";
    StudyYear: "study_year", Year, "year", "study", "Year the study was published.";
    StudyNpvMusd: "study_npv_musd", Number, "million currency units", "study", "Published NPV, millions of `study_currency` (else `currency`).";
    StudyIrrPct: "study_irr_pct", Number, "%", "study", "Published IRR.";
    StudyDiscountRatePct: "study_discount_rate_pct", Number, "%", "study", "Discount rate of the published NPV.";
    StudyNpvBasis: "study_npv_basis", Vocabulary(crate::read::record::NpvBasis::NAMES), "", "study", "Whether the published NPV is pre_tax or post_tax.";
    StudyBasketUsdPerKg: "study_basket_usd_per_kg", Number, "US$/kg TREO", "study", "The study's basket price, US$ per kg TREO (prices are in US$ whatever the study currency).";
    StudyNdprUsdPerKg: "study_ndpr_usd_per_kg", Number, "US$/kg", "study", "The study's NdPr oxide price, US$ per kg.";
    StudyCurrency: "study_currency", FieldKind::Currency, "", "study", "Currency of the study's money figures, when not the record's.";
    StudyCapexMusd: "study_capex_musd", Number, "million currency units", "study", "The study's own initial capex, millions of `study_currency` (else `currency`), when `capex_musd` is a later estimate than the study's NPV. Used only by the study rebuild.";
    StudyRevenueMusdPerY: "study_revenue_musd_per_y", Number, "million currency units/y", "study", "The study's annual revenue at nameplate, all products (rare earths and by-products), millions of `study_currency` (else `currency`). Used only by the study rebuild, where it replaces output x deck.";
    StudyRevenueLomMusd: "study_revenue_lom_musd", Number, "million currency units", "study", "The study's life-of-mine revenue, all products, millions of `study_currency` (else `currency`); spread evenly over `mine_life_y` when no annual revenue is given. Used only by the study rebuild.";
    StudyByproductRevenueMusdPerY: "study_byproduct_revenue_musd_per_y", Number, "million currency units/y", "study", "The part of `study_revenue_musd_per_y` that the study's by-products and co-products earn, millions of `study_currency` (else `currency`). Used only by the study rebuild (the bridge's `study_byproducts` step).";
    StudyOpexMusdPerY: "study_opex_musd_per_y", Number, "million currency units/y", "study", "The study's annual operating cost (royalty excluded), millions of `study_currency` (else `currency`). Used only by the study rebuild.";
    StudyEbitdaMusdPerY: "study_ebitda_musd_per_y", Number, "million currency units/y", "study", "The study's annual EBITDA at nameplate (after royalty), millions of `study_currency` (else `currency`); gives the rebuild's operating costs as revenue less EBITDA. Used only by the study rebuild.";
    StudyEbitdaLomMusd: "study_ebitda_lom_musd", Number, "million currency units", "study", "The study's life-of-mine EBITDA, millions of `study_currency` (else `currency`); spread evenly over `mine_life_y` when no annual EBITDA is given. Used only by the study rebuild.";
    StudyFcfMusdPerY: "study_fcf_musd_per_y", Number, "million currency units/y", "study", "The study's annual free cash flow at nameplate, before tax and initial capex, after opex, royalty and sustaining capital, millions of `study_currency` (else `currency`). Used only by the study rebuild.";
    StudySustainingCapexMusdPerY: "study_sustaining_capex_musd_per_y", Number, "million currency units/y", "study", "The study's sustaining capital, millions of `study_currency` (else `currency`) per year. Used only by the study rebuild.";
    StudyConstructionY: "study_construction_y", Number, "years", "study", "Construction years of the study's schedule (a whole number, 0-20). Used only by the study rebuild.";
    StudyRampUpPct: "study_ramp_up_pct", List, "% of nameplate", "study", "The study's ramp-up: share of nameplate output in each first production year, separated by `;` (e.g. `60;90`), full output after. Used only by the study rebuild.";
    StudyRoyaltyPct: "study_royalty_pct", Number, "%", "study", "The study's ad valorem royalty, % of revenue. Used only by the study rebuild (not with an EBITDA or free cash flow, which are after royalty).";
    StudyTaxRatePct: "study_tax_rate_pct", Number, "%", "study", "The study's income-tax rate. Used only by the study rebuild.";
    ResourceReoMt: "resource_reo_mt", Number, "Mt REO", "geology", "Contained rare-earth oxides of the resource, Mt REO (seabed mud: with `grade_treo_ppm`, the tonnage of mud follows; a tonnage field with the grade is the other route).";
    LicenceAreaKm2: "licence_area_km2", Number, "km²", "geology", "Area of the exploration licence or contract, km² (nodules: with the abundance it caps the mine plan; an EEZ-wide tonnage is not a licence's).";
    CapacityScenario: "capacity_scenario", Text, "", "economics", "Seabed mud: capacity scenario of the assumptions' `[mud.scenarios]` (trial_350tpd, demo_3500tpd, commercial_10000tpd, co_mining_10000tpd); the assumptions' default when empty.";
}

/// Other names accepted for a few fields (CSV habits).
const ALIASES: &[(&str, Field)] = &[
    ("longitude", Field::Lon),
    ("lng", Field::Lon),
    ("long", Field::Lon),
    ("x", Field::Lon),
    ("latitude", Field::Lat),
    ("y", Field::Lat),
    ("wkt", Field::Geometry),
    // The names `prospect export` writes for the record's own-currency money (a `usd` or
    // `musd` in a GIS column would read as US$): each is the same field as the schema
    // name beside it, in the record's `currency` (or `study_currency`).
    ("capex_m", Field::CapexMusd),
    ("sustaining_capex_m_per_y", Field::SustainingCapexMusdPerY),
    ("opex_per_t_ore", Field::OpexUsdPerTOre),
    ("opex_per_kg_reo", Field::OpexUsdPerKgReo),
    ("opex_m_per_y", Field::OpexMusdPerY),
    ("study_npv_m", Field::StudyNpvMusd),
    ("study_capex_m", Field::StudyCapexMusd),
    ("study_revenue_m_per_y", Field::StudyRevenueMusdPerY),
    ("study_revenue_lom_m", Field::StudyRevenueLomMusd),
    (
        "study_byproduct_revenue_m_per_y",
        Field::StudyByproductRevenueMusdPerY,
    ),
    ("study_opex_m_per_y", Field::StudyOpexMusdPerY),
    ("study_ebitda_m_per_y", Field::StudyEbitdaMusdPerY),
    ("study_ebitda_lom_m", Field::StudyEbitdaLomMusd),
    ("study_fcf_m_per_y", Field::StudyFcfMusdPerY),
    (
        "study_sustaining_capex_m_per_y",
        Field::StudySustainingCapexMusdPerY,
    ),
    ("capex_spent_m", Field::CapexSpentMusd),
    ("capex_remaining_m", Field::CapexRemainingMusd),
];

static BY_NAME: LazyLock<HashMap<&'static str, Field>> = LazyLock::new(|| {
    FIELDS
        .iter()
        .map(|s| (s.name, s.field))
        .chain(ALIASES.iter().copied())
        .collect()
});

impl Field {
    /// The field a property or column name stands for (exact, lower-case names).
    pub fn lookup(name: &str) -> Option<Field> {
        BY_NAME.get(name).copied()
    }

    pub fn spec(self) -> &'static FieldSpec {
        &FIELDS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }
}

/// The vocabulary types of [`FIELDS`], so that `Vocabulary` kinds stay in step with the
/// record's enums (checked by a test).
pub fn vocabulary_names() -> [&'static [&'static str]; 10] {
    [
        crate::read::record::RecordKind::NAMES,
        Regime::NAMES,
        SponsorKind::NAMES,
        ProcessingRoute::NAMES,
        Commodity::NAMES,
        DepositType::NAMES,
        StudyStage::NAMES,
        PermitStatus::NAMES,
        ProductForm::NAMES,
        NpvBasis::NAMES,
    ]
}

/// ISO 3166-1 alpha-2 codes (249 officially assigned).
const ISO_COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// The codes of [`ISO_COUNTRIES`] as 26 rows of 26 bits: bit `b` of row `a` stands for
/// the code of the letters `A + a` and `A + b`. Built when the program is compiled, which
/// fails if the list is not two capital letters a code, one space between codes.
const ISO_TABLE: [u32; 26] = {
    let bytes = ISO_COUNTRIES.as_bytes();
    let mut rows = [0u32; 26];
    let mut i = 0;
    while i < bytes.len() {
        let (a, b) = (bytes[i], bytes[i + 1]);
        assert!(a.is_ascii_uppercase() && b.is_ascii_uppercase());
        assert!(i + 2 == bytes.len() || bytes[i + 2] == b' ');
        rows[(a - b'A') as usize] |= 1 << (b - b'A');
        i += 3;
    }
    rows
};

/// Whether `code` is an assigned ISO 3166-1 alpha-2 code (upper case).
pub fn is_iso_country(code: &str) -> bool {
    match *code.as_bytes() {
        [a @ b'A'..=b'Z', b @ b'A'..=b'Z'] => {
            ISO_TABLE[usize::from(a - b'A')] >> (b - b'A') & 1 == 1
        }
        _ => false,
    }
}

/// One value as a reader found it.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// A CSV cell (always text).
    Text(&'a str),
    /// A GeoJSON property value.
    Json(&'a Value),
}

/// What is wrong with one cell, and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct CellError {
    pub message: String,
    pub hint: Option<String>,
}

impl CellError {
    pub fn new(message: impl Into<String>) -> Self {
        CellError {
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Text that stands for "no value" in a CSV cell: only an empty cell ("NA" is Namibia).
fn is_missing_text(text: &str) -> bool {
    text.is_empty()
}

/// `text` without the whitespace around it, as `str::trim` gives it: most cells start and
/// end with a visible ASCII character and are returned at once, without Unicode's tables.
fn trimmed(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// Powers of ten a binary64 holds exactly (up to 10^22), as far as `plain_decimal` needs.
const EXACT_POWERS_OF_TEN: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A plain decimal (`[+-]digits[.digits]`, at most 15 digits, no exponent) as `str::parse`
/// gives it, or `None` to leave the text to `str::parse`. Most cells are such decimals;
/// their value is exact by Clinger's fast path (W. D. Clinger, "How to read floating
/// point numbers accurately", PLDI 1990): the digits as an integer below 2^53 and 10^k
/// (k at most 15) are both exact in binary64, so the one division is correctly rounded.
fn plain_decimal(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        b'+' => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    // At most 15 digits and a dot: the mantissa (below 10^16) cannot overflow.
    if digits.len() > 16 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut dot: Option<usize> = None;
    for (i, &b) in digits.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            mantissa = mantissa * 10 + u64::from(digit);
        } else if b == b'.' && dot.is_none() {
            dot = Some(i);
        } else {
            return None;
        }
    }
    let count = digits.len() - usize::from(dot.is_some());
    if count == 0 || count > 15 {
        return None;
    }
    let scale = dot.map_or(0, |at| digits.len() - 1 - at);
    let magnitude = mantissa as f64 / EXACT_POWERS_OF_TEN[scale];
    Some(if negative { -magnitude } else { magnitude })
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Cell<'_> {
    /// Text, or `None` when missing. JSON numbers are taken as their text (ids like 17).
    pub fn text(self) -> Result<Option<String>, CellError> {
        match self {
            Cell::Text(t) => {
                let t = trimmed(t);
                Ok((!is_missing_text(t)).then(|| t.to_owned()))
            }
            Cell::Json(Value::Null) => Ok(None),
            Cell::Json(Value::String(s)) => {
                let s = s.trim();
                Ok((!s.is_empty()).then(|| s.to_owned()))
            }
            Cell::Json(Value::Number(n)) => Ok(Some(n.to_string())),
            Cell::Json(v) => Err(CellError::new(format!(
                "expected text, found {}",
                json_type(v)
            ))),
        }
    }

    /// A finite number, or `None` when missing.
    pub fn number(self) -> Result<Option<f64>, CellError> {
        let value = match self {
            Cell::Text(t) => {
                let t = trimmed(t);
                if is_missing_text(t) {
                    return Ok(None);
                }
                if let Some(value) = plain_decimal(t) {
                    return Ok(Some(value));
                }
                let cleaned = match t.as_bytes().contains(&b'_') {
                    true => std::borrow::Cow::Owned(t.replace('_', "")),
                    false => std::borrow::Cow::Borrowed(t),
                };
                cleaned.parse::<f64>().map_err(|_| {
                    let e = CellError::new(format!("expected a number, found {t:?}"));
                    if t.contains(',') {
                        e.hint(
                            "write numbers without thousands separators, with a dot for decimals",
                        )
                    } else if t.ends_with('%') {
                        e.hint("write the number without the % sign; the unit is in the field name")
                    } else {
                        e.hint("write a plain number, or leave the cell empty if unknown")
                    }
                })?
            }
            Cell::Json(Value::Null) => return Ok(None),
            Cell::Json(Value::Number(n)) => n
                .as_f64()
                .ok_or_else(|| CellError::new(format!("number {n} is out of range")))?,
            Cell::Json(Value::String(s)) => {
                let e = CellError::new(format!("expected a number, found the string {s:?}"));
                return Err(if s.trim().parse::<f64>().is_ok() {
                    e.hint("write the number without quotes")
                } else {
                    e.hint("write a JSON number, or null if unknown")
                });
            }
            Cell::Json(v) => {
                return Err(CellError::new(format!(
                    "expected a number, found {}",
                    json_type(v)
                )));
            }
        };
        if !value.is_finite() {
            return Err(CellError::new(format!("{value} is not a finite number"))
                .hint("leave the value empty if it is unknown"));
        }
        Ok(Some(value))
    }

    /// A list of text items: a JSON array of strings, or text separated by `;`.
    pub fn list(self) -> Result<Vec<String>, CellError> {
        let split = |t: &str| -> Vec<String> {
            t.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        match self {
            Cell::Text(t) => Ok(split(t)),
            Cell::Json(Value::Null) => Ok(Vec::new()),
            Cell::Json(Value::String(s)) => Ok(split(s)),
            Cell::Json(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.trim().to_owned()),
                    other => Err(CellError::new(format!(
                        "expected a list of strings, found {} in it",
                        json_type(other)
                    ))),
                })
                .collect(),
            Cell::Json(v) => Err(CellError::new(format!(
                "expected a list, found {}",
                json_type(v)
            ))),
        }
    }
}

/// A number that must not be negative.
pub fn non_negative(cell: Cell) -> Result<Option<f64>, CellError> {
    let value = cell.number()?;
    match value {
        Some(v) if v < 0.0 => Err(CellError::new(format!("{v} is negative"))
            .hint("this quantity cannot be below zero; check the sign")),
        // -0 is zero: store it as +0 so outputs never show "-0".
        Some(v) => Ok(Some(v + 0.0)),
        None => Ok(None),
    }
}

/// A percentage between 0 and 100.
pub fn percent(cell: Cell) -> Result<Option<f64>, CellError> {
    let value = non_negative(cell)?;
    match value {
        Some(v) if v > 100.0 => Err(CellError::new(format!("{v} % is over 100 %")).hint(
            "percentages run from 0 to 100; a fraction like 0.85 means 0.85 %, write 85 for 85 %",
        )),
        _ => Ok(value),
    }
}

/// A calendar year between 1800 and 2200.
pub fn year(cell: Cell) -> Result<Option<i32>, CellError> {
    let Some(v) = cell.number()? else {
        return Ok(None);
    };
    if v.fract() != 0.0 || !(1800.0..=2200.0).contains(&v) {
        return Err(CellError::new(format!("{v} is not a calendar year"))
            .hint("write a four-digit year such as 2024"));
    }
    Ok(Some(v as i32))
}

/// Suggests the nearest name of a vocabulary (canonical names and aliases).
pub fn nearest<'a>(text: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let key = crate::read::record::normalise_label(text);
    names
        .into_iter()
        .map(|name| {
            (
                strsim::jaro_winkler(&key, &crate::read::record::normalise_label(name)),
                name,
            )
        })
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}

/// Parses a vocabulary value with `parse`, suggesting the nearest valid name on failure.
pub fn vocabulary<T: Copy>(
    cell: Cell,
    parse: impl Fn(&str) -> Option<T>,
    names: &[&str],
    aliases: &[(&str, T)],
) -> Result<Option<T>, CellError> {
    let Some(text) = cell.text()? else {
        return Ok(None);
    };
    if let Some(v) = parse(&text) {
        return Ok(Some(v));
    }
    let candidates = names.iter().copied().chain(aliases.iter().map(|(a, _)| *a));
    let e = CellError::new(format!("unknown value {text:?}"));
    Err(match nearest(&text, candidates) {
        Some(near) => e.hint(format!(
            "did you mean {near:?}? valid values: {}",
            names.join(", ")
        )),
        None => e.hint(format!("valid values: {}", names.join(", "))),
    })
}

/// An ISO 3166-1 alpha-2 code, upper-cased.
pub fn country(cell: Cell) -> Result<Option<String>, CellError> {
    let Some(text) = cell.text()? else {
        return Ok(None);
    };
    check_country(&text).map(Some)
}

/// An ISO 3166-2 subdivision code (`AU-WA`), upper-cased: a country code, a hyphen and
/// one to three letters or digits.
pub fn subdivision(cell: Cell) -> Result<Option<String>, CellError> {
    let Some(text) = cell.text()? else {
        return Ok(None);
    };
    let code = text.trim().to_ascii_uppercase();
    let ok = match code.split_once('-') {
        Some((c, s)) => {
            is_iso_country(c)
                && (1..=3).contains(&s.len())
                && s.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        None => false,
    };
    if ok {
        Ok(Some(code))
    } else {
        Err(
            CellError::new(format!("{text:?} is not an ISO 3166-2 subdivision code"))
                .hint("use the country code, a hyphen and the subdivision's code, e.g. AU-WA, AU-NT, CA-QC"),
        )
    }
}

/// A list of ISO 3166-1 alpha-2 codes, upper-cased.
pub fn country_list(cell: Cell) -> Result<Vec<String>, CellError> {
    cell.list()?.iter().map(|c| check_country(c)).collect()
}

fn check_country(text: &str) -> Result<String, CellError> {
    let code = text.trim().to_ascii_uppercase();
    if is_iso_country(&code) {
        Ok(code)
    } else {
        Err(CellError::new(format!(
            "{text:?} is not an ISO 3166-1 alpha-2 country code"
        ))
        .hint("use the two-letter code, e.g. AU, US, JP, CK; leave it empty in the Area"))
    }
}

/// An ISO 4217 code: three letters, upper-cased.
pub fn currency(cell: Cell) -> Result<Option<String>, CellError> {
    let Some(text) = cell.text()? else {
        return Ok(None);
    };
    let code = text.to_ascii_uppercase();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(Some(code))
    } else {
        Err(
            CellError::new(format!("{text:?} is not an ISO 4217 currency code"))
                .hint("use a three-letter code such as USD, AUD, CAD, EUR, JPY"),
        )
    }
}

// ---- Near misses of field names (issue 20: "did you mean" for unknown columns) ----

/// The schema field an unknown column or property name was probably meant to be, if any:
/// the same name in another case, a name within a few edits (one for 4-5 characters, two
/// up to 12, three beyond; Damerau-Levenshtein, so a swapped pair is one edit), or a field
/// that is the name with its unit left off (`capex` for `capex_musd`). Names under four
/// characters are too short to guess from. Unknown names are still carried unchanged;
/// this only says what they may have been meant as.
pub fn near_field(name: &str) -> Option<&'static str> {
    let key = name.trim().to_ascii_lowercase();
    if let Some(f) = Field::lookup(&key) {
        // Known in lower case: only the case differs (GeoJSON keys are exact).
        return (key != name).then(|| f.name());
    }
    let len = key.chars().count();
    if len < 4 {
        return None;
    }
    let most = match len {
        0..=5 => 1,
        6..=12 => 2,
        _ => 3,
    };
    let names = FIELDS
        .iter()
        .map(|s| s.name)
        .chain(ALIASES.iter().map(|(a, _)| *a));
    let mut best: Option<(usize, &'static str)> = None;
    for n in names {
        let d = if n.len() > key.len() && n.starts_with(&key) && n.as_bytes()[key.len()] == b'_' {
            0
        } else {
            strsim::damerau_levenshtein(&key, n)
        };
        if d <= most && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, n));
        }
    }
    best.map(|(_, n)| Field::lookup(n).map_or(n, Field::name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    proptest::proptest! {
        /// The quick trim is `str::trim`, for ASCII, control characters and Unicode
        /// spaces (no-break, ideographic) at either end.
        #[test]
        fn trimmed_is_str_trim(text in "[ a1.,_\t\r\n\u{a0}\u{3000}\u{1}\u{7f}é]{0,8}") {
            proptest::prop_assert_eq!(trimmed(&text), text.trim());
        }

        /// The plain-decimal path gives `str::parse`'s bits whenever it answers, and
        /// answers for every plain decimal of up to 15 digits.
        #[test]
        fn plain_decimal_is_str_parse(text in "[+-]?[0-9]{0,17}(\\.[0-9]{0,17})?|[0-9.eE+-]{0,6}") {
            let parsed = text.parse::<f64>().ok();
            match plain_decimal(&text) {
                Some(value) => proptest::prop_assert_eq!(
                    Some(value.to_bits()),
                    parsed.map(f64::to_bits)
                ),
                None => {
                    let digits = text.bytes().filter(u8::is_ascii_digit).count();
                    let plain = text.bytes().all(|b| b.is_ascii_digit() || b"+-.".contains(&b));
                    proptest::prop_assert!(
                        !(plain && parsed.is_some() && (1..=15).contains(&digits)),
                        "{text:?} is a plain decimal left to str::parse"
                    );
                }
            }
        }
    }

    /// The table of codes answers as the list does, for every two ASCII characters and
    /// for text of other lengths.
    #[test]
    fn the_table_of_country_codes_is_the_list() {
        let listed = |code: &str| ISO_COUNTRIES.split(' ').any(|c| c == code);
        let mut found = 0;
        for a in 0..128u8 {
            for b in 0..128u8 {
                let code = String::from_utf8(vec![a, b]).unwrap();
                assert_eq!(is_iso_country(&code), listed(&code), "{code:?}");
                found += usize::from(is_iso_country(&code));
            }
        }
        assert_eq!(found, 249);
        for code in ["", "A", "AUS", "US ", "na", "Ü", "ÜS"] {
            assert!(!is_iso_country(code), "{code:?}");
        }
    }

    #[test]
    fn fields_are_in_enum_order_and_unique() {
        for (i, spec) in FIELDS.iter().enumerate() {
            assert_eq!(spec.field as usize, i, "{}", spec.name);
            assert_eq!(Field::lookup(spec.name), Some(spec.field));
        }
        let mut names: Vec<_> = FIELDS.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), FIELDS.len());
    }

    #[test]
    fn numbers_from_text_and_json() {
        assert_eq!(Cell::Text(" 12.5 ").number(), Ok(Some(12.5)));
        assert_eq!(Cell::Text("").number(), Ok(None));
        assert!(Cell::Text("NA").number().is_err());
        assert_eq!(Cell::Text("NA").text(), Ok(Some("NA".into())));
        assert!(Cell::Text("NaN").number().is_err());
        assert!(Cell::Text("inf").number().is_err());
        assert!(
            Cell::Text("1,200")
                .number()
                .unwrap_err()
                .hint
                .unwrap()
                .contains("thousands")
        );
        assert_eq!(Cell::Json(&json!(3)).number(), Ok(Some(3.0)));
        assert!(
            Cell::Json(&json!("3"))
                .number()
                .unwrap_err()
                .hint
                .unwrap()
                .contains("quotes")
        );
        assert_eq!(non_negative(Cell::Text("-0")), Ok(Some(0.0)));
        assert!(
            non_negative(Cell::Text("-0"))
                .unwrap()
                .unwrap()
                .is_sign_positive()
        );
        assert!(non_negative(Cell::Text("-1")).is_err());
        assert!(percent(Cell::Text("101")).is_err());
    }

    #[test]
    fn vocabulary_suggests_the_nearest_name() {
        let err = vocabulary(
            Cell::Text("carbonatit"),
            DepositType::parse,
            DepositType::NAMES,
            DepositType::ALIASES,
        )
        .unwrap_err();
        assert!(err.hint.unwrap().contains("\"carbonatite\""));
        let ok = vocabulary(
            Cell::Text("Feasibility"),
            StudyStage::parse,
            StudyStage::NAMES,
            StudyStage::ALIASES,
        );
        assert_eq!(ok, Ok(Some(StudyStage::Dfs)));
    }

    #[test]
    fn countries_and_currencies() {
        assert_eq!(country(Cell::Text("au")), Ok(Some("AU".into())));
        assert!(country(Cell::Text("Australia")).is_err());
        assert_eq!(
            country_list(Cell::Json(&json!(["cn", "JP"]))),
            Ok(vec!["CN".into(), "JP".into()])
        );
        assert_eq!(subdivision(Cell::Text("au-nt")), Ok(Some("AU-NT".into())));
        assert!(subdivision(Cell::Text("Northern Territory")).is_err());
        assert!(subdivision(Cell::Text("XX-NT")).is_err());
        assert!(subdivision(Cell::Text("AU-")).is_err());
        assert_eq!(currency(Cell::Text("aud")), Ok(Some("AUD".into())));
        assert!(currency(Cell::Text("A$")).is_err());
    }

    #[test]
    fn docs_schema_documents_every_field_and_value() {
        let docs = include_str!("../../docs/schema.md");
        for spec in FIELDS {
            let row = format!("| `{}` | ", spec.name);
            assert!(
                docs.contains(&row),
                "docs/schema.md lacks field {}",
                spec.name
            );
        }
        for names in vocabulary_names() {
            for name in names {
                assert!(
                    docs.contains(&format!("`{name}`")),
                    "docs/schema.md lacks value {name}"
                );
            }
        }
    }

    #[test]
    fn near_misses_of_field_names() {
        assert_eq!(near_field("capex_usd"), Some("capex_musd"));
        assert_eq!(near_field("grade_treo_pc"), Some("grade_treo_pct"));
        assert_eq!(near_field("Capex_Musd"), Some("capex_musd"));
        assert_eq!(near_field("mine_lfie_y"), Some("mine_life_y"));
        // Unit left off.
        assert_eq!(near_field("capex"), Some("capex_musd"));
        // Far from every field, or too short to guess from.
        assert_eq!(near_field("coord_basis"), None);
        assert_eq!(near_field("tenement_ref"), None);
        assert_eq!(near_field("ref"), None);
        assert_eq!(near_field("capex_musd"), None);
    }
}
