//! The project record: what one candidate site is, as the readers hand it to the models.
//!
//! Every figure is optional except identity, place, deposit type and stage: the models
//! estimate what a record leaves out, and say so. Units are in the field names and in the
//! doc comment of each field. Money is in the record's `currency` (US$ unless stated), in
//! real terms of the year the figure was published.

use std::fmt;

use serde::Serialize;

/// Where a record came from, for messages: the file and the line (CSV) or feature index
/// (GeoJSON, counted from 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "index", rename_all = "snake_case")]
pub enum Location {
    /// The file as a whole (it could not be read, or is empty).
    File,
    /// A CSV line, counted from 1 as an editor shows it.
    Line(u64),
    /// A GeoJSON feature, counted from 0 as in `features[i]`.
    Feature(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::Line(n) => write!(f, "line {n}"),
            Location::Feature(i) => write!(f, "feature {i}"),
        }
    }
}

/// Declares a closed vocabulary: its variants, their canonical names and accepted aliases.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $canon:literal $(| $alias:literal)*,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $canon)] $variant,)+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// Canonical names, as written in records and outputs.
            pub const NAMES: &'static [&'static str] = &[$($canon,)+];
            /// Accepted aliases with the canonical variant they stand for.
            pub const ALIASES: &'static [(&'static str, $name)] = &[$($(($alias, $name::$variant),)*)+];

            /// The canonical name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $canon,)+ }
            }

            /// Parses a canonical name or alias, ignoring case, spaces, hyphens and underscores.
            pub fn parse(text: &str) -> Option<Self> {
                static LOOKUP: std::sync::LazyLock<std::collections::HashMap<String, $name>> =
                    std::sync::LazyLock::new(|| {
                        let mut m = std::collections::HashMap::new();
                        for (alias, v) in $name::ALIASES {
                            m.insert(crate::read::record::normalise_label(alias), *v);
                        }
                        $(m.insert(crate::read::record::normalise_label($canon), $name::$variant);)+
                        m
                    });
                // Exact canonical names, the common case, need no allocation.
                $(if text == $canon { return Some($name::$variant); })+
                LOOKUP.get(&crate::read::record::normalise_label(text)).copied()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

/// Lower-cases and drops spaces, hyphens, underscores, slashes and dots, so that
/// "Pre-Feasibility" and "prefeasibility" compare equal.
pub fn normalise_label(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '/' | '.' | '&'))
        .flat_map(char::to_lowercase)
        .collect()
}

vocabulary! {
    /// Geological deposit type: decides cost curves, recovery defaults and grade ranges.
    DepositType {
        /// Carbonatite-hosted (bastnaesite, monazite): Mountain Pass, Mount Weld, Ngualla.
        Carbonatite = "carbonatite",
        /// Alkaline or peralkaline intrusive (eudialyte, syenite, trachyte): Kvanefjeld, Dubbo.
        AlkalineIntrusive = "alkaline_intrusive" | "peralkaline" | "alkaline",
        /// Ion-adsorption clay: Serra Verde, Makuutu, Carina.
        IonicClay = "ionic_clay" | "ion_adsorption_clay" | "ionic_adsorption_clay" | "iac",
        /// Heavy-mineral sands (monazite, xenotime by-product).
        MineralSands = "mineral_sands" | "heavy_mineral_sands",
        /// Phosphogypsum stacks or phosphate by-product: Phalaborwa.
        Phosphogypsum = "phosphogypsum",
        /// Hydrothermal veins, dykes and breccias (xenotime, monazite veins): Browns Range, Lofdal.
        HydrothermalVein = "hydrothermal_vein" | "vein" | "xenotime",
        /// Granite- or rhyolite-hosted disseminated deposits: Halleck Creek, Round Top.
        GraniteHosted = "granite_hosted" | "rhyolite_hosted",
        /// Deep-sea rare-earth-rich mud: Minamitorishima.
        SeabedMud = "seabed_mud" | "rey_mud" | "deep_sea_mud",
        /// Deep-sea polymetallic (manganese) nodules: CCZ, Cook Islands.
        PolymetallicNodules = "polymetallic_nodules" | "nodules" | "manganese_nodules",
        /// Seafloor massive sulphides: Okinawa Trough.
        SeafloorSulphides = "seafloor_sulphides" | "sms" | "seafloor_massive_sulphides",
        /// Cobalt-rich ferromanganese crusts.
        CobaltCrusts = "cobalt_crusts" | "ferromanganese_crusts",
    }
}

impl DepositType {
    /// Whether the deposit lies on or under the deep-sea floor.
    pub fn is_seabed(self) -> bool {
        matches!(
            self,
            DepositType::SeabedMud
                | DepositType::PolymetallicNodules
                | DepositType::SeafloorSulphides
                | DepositType::CobaltCrusts
        )
    }

    /// The commodity a record of this type is about when it does not say.
    pub fn default_commodity(self) -> Commodity {
        match self {
            DepositType::PolymetallicNodules | DepositType::CobaltCrusts => Commodity::NiCuCoMn,
            DepositType::SeafloorSulphides => Commodity::CuZnAu,
            _ => Commodity::RareEarths,
        }
    }
}

vocabulary! {
    /// What a project is mined for.
    Commodity {
        /// Rare-earth oxides (TREO, with NdPr and Dy+Tb as the magnet value).
        RareEarths = "rare_earths" | "ree" | "rare_earth" | "treo",
        /// Nickel, copper, cobalt and manganese (nodules, crusts).
        NiCuCoMn = "ni_cu_co_mn" | "polymetallic" | "battery_metals",
        /// Copper, zinc, lead, gold and silver (seafloor sulphides).
        CuZnAu = "cu_zn_au" | "base_metals",
    }
}

vocabulary! {
    /// Development stage, from exploration to production. Order matters: later stages
    /// compare greater. Common S&P Global stage labels are accepted as aliases.
    StudyStage {
        Exploration = "exploration" | "grassroots" | "target_outline" | "early_stage",
        Resource = "resource" | "advanced_exploration" | "reserves_development" | "resource_definition",
        Pea = "pea" | "scoping" | "scoping_study" | "preliminary_economic_assessment" | "initial_assessment" | "prefeasibility_scoping",
        Pfs = "pfs" | "prefeasibility" | "pre_feasibility" | "prefeasibility_study",
        Dfs = "dfs" | "feasibility" | "fs" | "bfs" | "feasibility_complete" | "feasibility_started" | "definitive_feasibility",
        Permitting = "permitting" | "permit" | "approvals",
        Financing = "financing" | "construction_planned" | "fid" | "pre_fid",
        Construction = "construction" | "construction_started" | "under_construction",
        RampUp = "ramp_up" | "commissioning" | "preproduction" | "pre_production",
        Production = "production" | "operating" | "producing" | "limited_production" | "satellite" | "expansion" | "residual_production",
    }
}

vocabulary! {
    /// The form of the product sold, which sets how much of the oxide price is paid.
    ProductForm {
        /// Mineral concentrate (e.g. 30-60 % TREO), sold to a cracker/separator.
        Concentrate = "concentrate",
        /// Mixed rare-earth carbonate or other mixed chemical intermediate (MREC).
        MixedCarbonate = "mixed_carbonate" | "mrec" | "mixed_rare_earth_carbonate" | "mixed_chemical",
        /// Separated oxides sold at full oxide price.
        SeparatedOxides = "separated_oxides" | "oxides" | "separated",
    }
}

vocabulary! {
    /// Legal regime a site is under, as a record declares it (the spatial model also
    /// derives it from the jurisdiction layers).
    Regime {
        /// On land under national law.
        Onshore = "onshore" | "land",
        /// Seabed inside a national exclusive economic zone.
        Eez = "eez" | "national_waters",
        /// The Area: seabed beyond national jurisdiction, under the ISA.
        Area = "area" | "isa" | "international_waters" | "high_seas",
    }
}

vocabulary! {
    /// Status of the project's key mining or environmental permit.
    PermitStatus {
        /// No application yet.
        None = "none" | "not_applied",
        /// Applied for, undecided.
        Pending = "pending" | "applied" | "in_review",
        /// Granted and in force.
        Granted = "granted" | "approved" | "issued",
        /// Refused by the authority.
        Refused = "refused" | "rejected" | "denied",
        /// Granted, then revoked or cancelled.
        Revoked = "revoked" | "cancelled",
        /// The application or assessment ended without a decision (withdrawn, lapsed).
        Terminated = "terminated" | "withdrawn" | "lapsed",
    }
}

vocabulary! {
    /// Where the project's product is separated into oxides.
    ProcessingRoute {
        /// Own separation plant outside China.
        Integrated = "integrated" | "own" | "in_house",
        /// A separation plant outside China (tolling or offtake).
        NonChina = "non_china" | "ex_china" | "toll_ex_china",
        /// Separation in China.
        China = "china" | "chinese",
        /// Not yet decided.
        Undecided = "undecided" | "unknown" | "tbd",
    }
}

vocabulary! {
    /// What a record describes (issue 16).
    RecordKind {
        /// A mining project (the default).
        Project = "project" | "mine",
        /// A separation plant project outside China: placed in the allocation of mine
        /// output to plants, not valued as a mine.
        Plant = "plant" | "separation_plant",
    }
}

/// A separation plant record's own figures (`record_kind` plant; docs/schema.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PlantFields {
    pub kind: Option<RecordKind>,
    /// Capacity at nameplate, t/y separated NdPr oxide, Dy + Tb oxide, and total REO.
    pub ndpr_t: Option<f64>,
    pub dytb_t: Option<f64>,
    pub reo_t: Option<f64>,
    /// Product forms it takes (both intermediates when empty).
    pub feeds: Vec<ProductForm>,
    /// Whether it takes third parties' feed: `open` (default) or `captive` (its owners'
    /// mines only).
    pub captive: Option<bool>,
    /// Its tolling charge, US$/kg TREO of feed, and heavy surcharge, US$/kg Dy + Tb oxide.
    pub toll_light_usd_per_kg: Option<f64>,
    pub toll_heavy_usd_per_kg: Option<f64>,
}

impl ProjectRecord {
    /// Whether the record is a separation plant project.
    pub fn is_plant(&self) -> bool {
        self.plant.kind == Some(RecordKind::Plant)
    }
}

vocabulary! {
    /// Who sponsors a project: a company, which builds only if its value is positive, or a
    /// state programme, which proceeds on policy (issue 15).
    SponsorKind {
        Company = "company" | "private" | "corporate",
        State = "state" | "government" | "state_programme" | "public",
    }
}

vocabulary! {
    /// Tax basis of a published NPV.
    NpvBasis {
        PreTax = "pre_tax" | "pretax" | "before_tax",
        PostTax = "post_tax" | "posttax" | "after_tax",
    }
}

/// The rare-earth oxides, in the order of the periodic table, with yttrium last.
pub const OXIDES: [&str; 15] = [
    "la", "ce", "pr", "nd", "sm", "eu", "gd", "tb", "dy", "ho", "er", "tm", "yb", "lu", "y",
];

/// Positions in [`OXIDES`] of the oxides the models single out (NdPr, Dy+Tb, the light
/// La and Ce), for every module that needs them (checked against [`OXIDES`] by a test).
pub mod oxide {
    pub const LA: usize = 0;
    pub const CE: usize = 1;
    pub const PR: usize = 2;
    pub const ND: usize = 3;
    pub const TB: usize = 7;
    pub const DY: usize = 8;
}

/// How many individual oxide shares make a record's own distribution: with fewer, the
/// deposit type's typical distribution is used (rescaled to the record's NdPr and Dy+Tb
/// shares), and the shares are not checked to sum to about 100 %.
pub const MIN_OXIDE_SHARES: usize = 5;

/// Shares of each rare-earth oxide in TREO, % (each 0-100, summing to about 100).
/// Indexed as [`OXIDES`].
pub type OxideShares = [Option<f64>; 15];

/// A site's geometry in WGS84 lon/lat degrees: a point, or a tenement polygon.
pub type SiteGeometry = geo::Geometry<f64>;

/// Mineral resource (and reserve) tonnage by JORC / NI 43-101 / S-K 1300 category, Mt ore
/// (nodules: Mt wet nodules).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Resource {
    /// Measured resource, Mt.
    pub measured_mt: Option<f64>,
    /// Indicated resource, Mt.
    pub indicated_mt: Option<f64>,
    /// Inferred resource, Mt.
    pub inferred_mt: Option<f64>,
    /// Resource of unknown or mixed category, Mt (treated as Inferred for confidence).
    pub unclassified_mt: Option<f64>,
    /// Proven plus probable ore reserve, Mt (a subset of measured and indicated).
    pub reserve_mt: Option<f64>,
}

impl Resource {
    /// Measured + indicated + inferred + unclassified, Mt; `None` when none is given.
    pub fn total_mt(&self) -> Option<f64> {
        let parts = [
            self.measured_mt,
            self.indicated_mt,
            self.inferred_mt,
            self.unclassified_mt,
        ];
        parts
            .iter()
            .any(Option::is_some)
            .then(|| parts.iter().flatten().sum())
    }
}

/// Geology: what is in the ground (or on the seabed).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Geology {
    pub commodity: Option<Commodity>,
    pub deposit_type: Option<DepositType>,
    pub resource: Resource,
    /// Resource grade, % TREO (a `grade_treo_ppm` field is converted: 1 % = 10,000 ppm).
    pub grade_treo_pct: Option<f64>,
    /// Shares of each oxide in TREO, %.
    pub oxide_shares: OxideShares,
    /// Nd2O3 + Pr6O11 share of TREO, % (given directly, or summed from the oxide shares).
    pub ndpr_share_pct: Option<f64>,
    /// Dy2O3 + Tb4O7 share of TREO, %.
    pub dytb_share_pct: Option<f64>,
    /// Name of a typical distribution of the assumptions' library, for what the record's
    /// own shares and outputs leave out.
    pub distribution: Option<String>,
    /// Nodule abundance on the seabed, kg wet nodules per m².
    pub abundance_kg_m2: Option<f64>,
    /// Nickel grade, % (dry nodules).
    pub ni_pct: Option<f64>,
    /// Copper grade, %.
    pub cu_pct: Option<f64>,
    /// Cobalt grade, %.
    pub co_pct: Option<f64>,
    /// Manganese grade, %.
    pub mn_pct: Option<f64>,
    /// Seafloor sulphides: zinc grade, %.
    pub zn_pct: Option<f64>,
    /// Seafloor sulphides: lead grade, %.
    pub pb_pct: Option<f64>,
    /// Seafloor sulphides: gold grade, g/t.
    pub au_g_t: Option<f64>,
    /// Seafloor sulphides: silver grade, g/t.
    pub ag_g_t: Option<f64>,
    /// Thorium in the resource, ppm ThO2.
    pub tho2_ppm: Option<f64>,
    /// Uranium in the resource, ppm U3O8.
    pub u3o8_ppm: Option<f64>,
    /// Water depth at the site, m below sea level.
    pub water_depth_m: Option<f64>,
    /// Contained rare-earth oxides of the resource, Mt REO (seabed mud: the published
    /// resource is often stated this way, e.g. 1.2 Mt REO at Minamitorishima).
    pub contained_reo_mt: Option<f64>,
    /// Area of the exploration licence or contract, km² (nodules: sizes the mine plan).
    pub licence_area_km2: Option<f64>,
}

impl Geology {
    /// The number of individual oxide shares given, when it is enough
    /// ([`MIN_OXIDE_SHARES`]) to be the record's own distribution.
    pub fn own_oxide_distribution(&self) -> Option<usize> {
        let given = self.oxide_shares.iter().filter(|s| s.is_some()).count();
        (given >= MIN_OXIDE_SHARES).then_some(given)
    }
}

/// Development status.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Development {
    pub stage: Option<StudyStage>,
    /// Calendar year the current stage was reached.
    pub stage_year: Option<i32>,
    /// Calendar year a dated event reopens a refused, revoked or terminated permit.
    pub revival_year: Option<i32>,
    pub permit_status: Option<PermitStatus>,
    /// Free-text milestones (permits granted or refused, with years).
    pub milestones: Option<String>,
    /// A programme's dated milestones (`dated_milestones`), which drive its lead time.
    pub dated_milestones: Vec<crate::read::milestone::DatedMilestone>,
}

/// Production and economics, all optional. Money in the record's currency, millions or
/// units as the name says, real terms.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Economics {
    /// Ore throughput at nameplate, Mt/y (nodules: Mt/y wet).
    pub throughput_mtpa: Option<f64>,
    pub product_form: Option<ProductForm>,
    /// The project's own realised price, US$ per kg TREO in product (replaces the netback).
    pub sale_price_usd_per_kg: Option<f64>,
    /// The project's own payability, % of the separated-oxide basket.
    pub payable_pct: Option<f64>,
    /// The project's own separation (tolling) charge, US$ per kg TREO.
    pub tolling_usd_per_kg: Option<f64>,
    /// Metallurgical recovery of TREO (or the main metal) to product, %.
    pub recovery_pct: Option<f64>,
    /// Mine life at nameplate, years.
    pub mine_life_y: Option<f64>,
    /// Years of nameplate output left at the as-of date (producers), years.
    pub remaining_life_y: Option<f64>,
    /// Annual output at nameplate, t TREO contained in product.
    pub annual_treo_t: Option<f64>,
    /// Annual output, t NdPr oxide.
    pub annual_ndpr_t: Option<f64>,
    /// Annual output, t Dy2O3 + Tb4O7.
    pub annual_dytb_t: Option<f64>,
    /// Annual output of nodule or sulphide metals, t/y of Ni, Cu, Co, Mn in product.
    pub annual_ni_t: Option<f64>,
    pub annual_cu_t: Option<f64>,
    pub annual_co_t: Option<f64>,
    pub annual_mn_t: Option<f64>,
    /// Initial (pre-production) capital cost, millions.
    pub capex_m: Option<f64>,
    /// Sustaining capital, millions per year.
    pub sustaining_capex_m_per_y: Option<f64>,
    /// Initial capital already spent at the as-of date (sunk), millions.
    pub capex_spent_m: Option<f64>,
    /// Capital still to spend at the as-of date (cost to complete, or an expansion), millions.
    pub capex_remaining_m: Option<f64>,
    /// Operating cost per tonne of ore processed.
    pub opex_per_t_ore: Option<f64>,
    /// Operating cost per kg of REO produced.
    pub opex_per_kg_reo: Option<f64>,
    /// Operating cost, millions per year at nameplate.
    pub opex_m_per_y: Option<f64>,
    /// Royalty, % of revenue.
    pub royalty_pct: Option<f64>,
    /// Corporate income-tax rate, %.
    pub tax_rate_pct: Option<f64>,
    /// By-products and co-products sold beside the rare earths.
    pub byproducts: Vec<Byproduct>,
    /// ISO 4217 code of every money field of the record; US$ when absent.
    pub currency: Option<String>,
    /// Year whose money the record's figures are in (else the study year, else the stage
    /// year): FX at that year's rate, then CPI to the run's real year (issue 14).
    pub money_year: Option<i32>,
    /// Capacity scenario of the seabed-mud model (a key of the assumptions'
    /// `[mud.scenarios]`); the assumptions' default when absent.
    pub capacity_scenario: Option<String>,
}

/// One by-product or co-product a record declares: `commodity:t_per_y[:usd_per_t[:payable_pct]]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Byproduct {
    /// Commodity name as the record gives it (e.g. `phosphoric_acid`, `u3o8`, `zircon`).
    pub commodity: String,
    /// Annual output at nameplate, t/y of the product.
    pub t_per_y: f64,
    /// Price, US$ per tonne of the product; `None` when known but unpriced.
    pub usd_per_t: Option<f64>,
    /// Share of the price paid, % (100 when not given).
    pub payable_pct: Option<f64>,
}

impl Byproduct {
    /// Parses the items of a `byproducts` cell.
    pub fn parse_list(items: &[String]) -> Result<Vec<Byproduct>, crate::read::schema::CellError> {
        use crate::read::schema::CellError;
        items
            .iter()
            .map(|item| {
                let parts: Vec<&str> = item.split(':').map(str::trim).collect();
                let bad = || {
                    CellError::new(format!("by-product {item:?} is not commodity:t_per_y[:usd_per_t[:payable_pct]]"))
                        .hint("e.g. phosphoric_acid:144393:411 or u3o8:451; numbers without units or separators")
                };
                if parts.len() < 2 || parts.len() > 4 || parts[0].is_empty() {
                    return Err(bad());
                }
                let number = |t: &str| -> Result<f64, CellError> {
                    t.parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite() && *v >= 0.0)
                        .ok_or_else(bad)
                };
                let payable = parts.get(3).map(|t| number(t)).transpose()?;
                if payable.is_some_and(|p| p > 100.0) {
                    return Err(bad());
                }
                Ok(Byproduct {
                    commodity: parts[0].to_owned(),
                    t_per_y: number(parts[1])?,
                    usd_per_t: parts.get(2).filter(|t| !t.is_empty()).map(|t| number(t)).transpose()?,
                    payable_pct: payable,
                })
            })
            .collect()
    }
}

/// A published study's headline figures, kept to compare with the model.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PublishedStudy {
    pub study_type: Option<StudyStage>,
    pub year: Option<i32>,
    /// Published NPV, millions of the study's currency.
    pub npv_m: Option<f64>,
    /// Published IRR, %.
    pub irr_pct: Option<f64>,
    /// Discount rate of the published NPV, %.
    pub discount_rate_pct: Option<f64>,
    pub npv_basis: Option<NpvBasis>,
    /// The study's basket price, US$ per kg TREO.
    pub basket_price_per_kg: Option<f64>,
    /// The study's NdPr oxide price, US$ per kg.
    pub ndpr_price_per_kg: Option<f64>,
    /// ISO 4217 code of the study's money; the record's currency when absent.
    pub currency: Option<String>,
    /// The study's own operating terms (issue 14), used only by the study rebuild
    /// (`study.bridge`), never by prospect's own valuation. Millions of the study's
    /// currency (`currency`, else the record's), real money of the study year.
    pub terms: StudyOperatingTerms,
}

/// A published study's own operating figures, as the study gives them (issue 14). Each
/// replaces, in the rebuild of that study only, what prospect would estimate: the
/// revenue replaces output x deck, the EBITDA or free cash flow gives the operating
/// costs. Millions of the study's currency, real money of the study year.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StudyOperatingTerms {
    /// The study's initial capital, millions (when the record's `capex_m` is a later
    /// estimate than the study whose NPV it carries).
    pub capex_m: Option<f64>,
    /// The study's annual revenue at nameplate, all products, millions per year.
    pub revenue_m_per_y: Option<f64>,
    /// The study's life-of-mine revenue, all products, millions (spread evenly over the
    /// record's mine life).
    pub revenue_lom_m: Option<f64>,
    /// The part of `revenue_m_per_y` from by-products and co-products, millions per year.
    pub byproduct_revenue_m_per_y: Option<f64>,
    /// The study's annual operating cost, millions per year (royalty excluded).
    pub opex_m_per_y: Option<f64>,
    /// The study's annual EBITDA at nameplate (after royalty), millions per year.
    pub ebitda_m_per_y: Option<f64>,
    /// The study's life-of-mine EBITDA, millions (spread evenly over the mine life).
    pub ebitda_lom_m: Option<f64>,
    /// The study's annual free cash flow at nameplate, before tax and initial capital,
    /// after operating costs, royalty and sustaining capital, millions per year.
    pub fcf_m_per_y: Option<f64>,
    /// The study's sustaining capital, millions per year.
    pub sustaining_capex_m_per_y: Option<f64>,
    /// Construction years of the study's schedule, years.
    pub construction_y: Option<u32>,
    /// The study's ramp-up: share of nameplate in each first production year, % (full
    /// output after).
    pub ramp_up_pct: Option<Vec<f64>>,
    /// The study's ad valorem royalty, % of revenue.
    pub royalty_pct: Option<f64>,
    /// The study's income-tax rate, %.
    pub tax_rate_pct: Option<f64>,
}

impl StudyOperatingTerms {
    /// Whether the record gives any of the study's operating terms.
    pub fn is_empty(&self) -> bool {
        *self == StudyOperatingTerms::default()
    }
}

impl PublishedStudy {
    /// Whether any study field was given.
    pub fn is_empty(&self) -> bool {
        *self == PublishedStudy::default()
    }
}

/// Who owns and buys from the project, to tell Chinese-linked projects apart.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Ownership {
    pub operator: Option<String>,
    pub owners: Vec<String>,
    /// ISO 3166-1 alpha-2 codes of the owners' home countries.
    pub owner_countries: Vec<String>,
    pub offtakers: Vec<String>,
    /// ISO 3166-1 alpha-2 codes of the offtakers' home countries.
    pub offtaker_countries: Vec<String>,
    pub processing_route: Option<ProcessingRoute>,
    /// A company or a state programme (`sponsor_kind`).
    pub sponsor_kind: Option<SponsorKind>,
    /// Share of the output sold under the named offtakes, % (`offtake_share_pct`).
    pub offtake_share_pct: Option<f64>,
}

impl Ownership {
    /// Whether a Chinese owner or offtaker is declared.
    pub fn china_linked(&self) -> bool {
        self.owner_countries
            .iter()
            .chain(&self.offtaker_countries)
            .any(|c| c == "CN")
    }
}

/// The support a project has or is offered (issue 18): its own terms of a price floor, a
/// concessional loan and a production tax credit, each instead of the run's
/// (`[instruments]` of the assumptions).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Support {
    /// NdPr price floor, US$/kg oxide (real).
    pub floor_ndpr_usd_per_kg: Option<f64>,
    /// Years of production the floor covers.
    pub floor_tenor_y: Option<f64>,
    /// Share of the price above the floor paid to the government, %.
    pub floor_upside_share_pct: Option<f64>,
    /// Concessional loan: real rate, % a year.
    pub loan_rate_pct: Option<f64>,
    /// Concessional loan: repayment years.
    pub loan_tenor_y: Option<f64>,
    /// Concessional loan: size, % of the capital still to spend.
    pub loan_share_of_capex_pct: Option<f64>,
    /// Production tax credit: a country key of `[instruments.production_credit]`, or
    /// `none`; the host country's when absent.
    pub production_credit: Option<String>,
}

/// One candidate site, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectRecord {
    /// Unique identifier.
    pub id: String,
    pub name: String,
    /// ISO 3166-1 alpha-2 code of the host state; `None` in the Area.
    pub country: Option<String>,
    /// Sponsoring state of an Area contract (ISO alpha-2).
    pub sponsor_country: Option<String>,
    /// ISO 3166-2 code of the state, province or territory (`AU-WA`, `AU-NT`): selects a
    /// jurisdiction row of the assumptions for the royalty where one exists (issue 23).
    pub subdivision: Option<String>,
    pub regime: Option<Regime>,
    #[serde(skip)]
    pub geometry: Option<SiteGeometry>,
    pub ownership: Ownership,
    pub geology: Geology,
    pub development: Development,
    pub economics: Economics,
    pub study: PublishedStudy,
    /// A separation plant record's figures (issue 16).
    pub plant: PlantFields,
    /// Its own terms of support instruments (issue 18).
    pub support: Support,
    /// Properties the schema does not know, carried to the outputs untouched.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Where the record was read.
    #[serde(skip)]
    pub location: Location,
}

impl ProjectRecord {
    /// An empty record read at `location`, to be filled field by field.
    pub fn empty(location: Location) -> Self {
        ProjectRecord {
            id: String::new(),
            name: String::new(),
            country: None,
            sponsor_country: None,
            subdivision: None,
            regime: None,
            geometry: None,
            ownership: Ownership::default(),
            geology: Geology::default(),
            development: Development::default(),
            economics: Economics::default(),
            study: PublishedStudy::default(),
            plant: PlantFields::default(),
            support: Support::default(),
            extra: serde_json::Map::new(),
            location,
        }
    }

    /// The money currency of the record (US$ when not stated).
    pub fn currency(&self) -> &str {
        self.economics.currency.as_deref().unwrap_or("USD")
    }

    /// The year whose money the record's figures are in: `money_year`, else the study
    /// year, else the stage year (issue 14).
    pub fn money_year(&self) -> Option<i32> {
        self.economics
            .money_year
            .or(self.study.year)
            .or(self.development.stage_year)
    }

    /// A representative point (the point itself, or the polygon's centroid), lon/lat.
    pub fn site_point(&self) -> Option<geo::Point<f64>> {
        use geo::Centroid;
        self.geometry.as_ref().and_then(|g| g.centroid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_aliases_and_order() {
        assert_eq!(StudyStage::parse("Prefeasibility"), Some(StudyStage::Pfs));
        assert_eq!(
            StudyStage::parse("Construction Started"),
            Some(StudyStage::Construction)
        );
        assert_eq!(StudyStage::parse("OPERATING"), Some(StudyStage::Production));
        assert_eq!(StudyStage::parse("ramp-up"), Some(StudyStage::RampUp));
        assert_eq!(StudyStage::parse("mining"), None);
        assert!(StudyStage::Exploration < StudyStage::Pfs);
        assert!(StudyStage::Construction < StudyStage::Production);
    }

    #[test]
    fn resource_total_only_when_given() {
        assert_eq!(Resource::default().total_mt(), None);
        let r = Resource {
            indicated_mt: Some(2.0),
            inferred_mt: Some(1.5),
            ..Default::default()
        };
        assert_eq!(r.total_mt(), Some(3.5));
    }

    #[test]
    fn seabed_types_default_to_their_metals() {
        assert!(DepositType::PolymetallicNodules.is_seabed());
        assert!(!DepositType::IonicClay.is_seabed());
        assert_eq!(
            DepositType::PolymetallicNodules.default_commodity(),
            Commodity::NiCuCoMn
        );
        assert_eq!(
            DepositType::Carbonatite.default_commodity(),
            Commodity::RareEarths
        );
    }

    #[test]
    fn the_named_oxide_positions_are_those_of_oxides() {
        use super::oxide::*;
        let at = |i: usize| OXIDES[i];
        assert_eq!(
            [at(LA), at(CE), at(PR), at(ND), at(TB), at(DY)],
            ["la", "ce", "pr", "nd", "tb", "dy"]
        );
    }
}
