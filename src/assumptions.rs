//! Default assumptions (prices, exchange rates, fiscal terms, cost coefficients) and their
//! overrides. The defaults are `assumptions/default.toml`, compiled into the binary; a
//! user file given with `--assumptions` is merged over them table by table, key by key.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::read::record::{DepositType, OXIDES, ProductForm, StudyStage};

mod finance;
mod money;
mod strict;
pub use finance::{
    ConcessionalLoanTerms, FundingAssumptions, InstrumentAssumptions, PriceFloorTerms,
    ProductionCreditTerms,
};
pub use money::{ByproductPrice, CareAndMaintenance, Escalation, MoneyAssumptions};
pub use strict::Problem;

/// The compiled-in defaults.
pub const DEFAULT_TOML: &str = include_str!("../assumptions/default.toml");

/// A problem with an assumptions file.
#[derive(Debug, thiserror::Error)]
pub enum AssumptionsError {
    #[error("cannot read assumptions file {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("assumptions file {path} is not valid TOML")]
    Parse {
        path: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("assumptions: {0}")]
    Invalid(String),
    /// Every problem found at once, each at its line in the user's own file (issue 19,
    /// class 10): `file:line:col: key: what is wrong`, one a line.
    #[error("assumptions file {path} has {} problem{}:\n{rendered}", problems.len(), if problems.len() == 1 { "" } else { "s" })]
    Problems {
        path: String,
        problems: Vec<Problem>,
        rendered: String,
    },
}

/// Prices of one scenario: US$/kg oxide for rare earths, US$/t metal for Ni, Cu, Co, Mn.
#[derive(Debug, Clone, Deserialize)]
pub struct PriceDeck {
    /// Name of the deck that supplies every price this one does not list.
    pub base: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub source: String,
    /// The year whose US$ the deck's own prices are in (the year they were quoted); prices
    /// taken from `base` keep the base deck's money year.
    #[serde(default)]
    pub money_year: Option<i32>,
    /// US$ per kg of oxide, by oxide symbol (la ... y).
    #[serde(default)]
    pub oxides: BTreeMap<String, f64>,
    /// US$ per tonne of contained metal (ni, cu, co, mn).
    #[serde(default)]
    pub metals: BTreeMap<String, f64>,
}

/// A price deck with every price resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    pub scenario: String,
    /// US$ per kg oxide, indexed as [`OXIDES`].
    pub oxides: [f64; 15],
    /// US$ per tonne of Ni, Cu, Co, Mn.
    pub metals: Metals,
    /// The seafloor-sulphide metals beside copper (issue 15).
    pub sulphide: SulphidePrices,
}

/// Prices of the seafloor-sulphide metals beside copper (`metals.cu`), from a deck's
/// `metals` table (`zn`, `pb` in US$ per tonne of metal; `au_usd_per_oz`, `ag_usd_per_oz`
/// in US$ per troy ounce); `None` when the deck has no price for the metal.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct SulphidePrices {
    pub zn: Option<f64>,
    pub pb: Option<f64>,
    pub au_usd_per_oz: Option<f64>,
    pub ag_usd_per_oz: Option<f64>,
}

impl SulphidePrices {
    pub fn map(self, f: impl Fn(f64) -> f64) -> SulphidePrices {
        SulphidePrices {
            zn: self.zn.map(&f),
            pb: self.pb.map(&f),
            au_usd_per_oz: self.au_usd_per_oz.map(&f),
            ag_usd_per_oz: self.ag_usd_per_oz.map(&f),
        }
    }
}

/// Four nodule metals, in the order Ni, Cu, Co, Mn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, serde::Serialize)]
pub struct Metals {
    pub ni: f64,
    pub cu: f64,
    pub co: f64,
    pub mn: f64,
}

impl Metals {
    pub fn map(self, f: impl Fn(f64) -> f64) -> Metals {
        Metals {
            ni: f(self.ni),
            cu: f(self.cu),
            co: f(self.co),
            mn: f(self.mn),
        }
    }

    pub fn zip_with(self, other: Metals, f: impl Fn(f64, f64) -> f64) -> Metals {
        Metals {
            ni: f(self.ni, other.ni),
            cu: f(self.cu, other.cu),
            co: f(self.co, other.co),
            mn: f(self.mn, other.mn),
        }
    }

    pub fn sum(self) -> f64 {
        self.ni + self.cu + self.co + self.mn
    }
}

impl Prices {
    /// Every price multiplied by `factor` (the breakeven search and study decks use it).
    pub fn scaled(&self, factor: f64) -> Prices {
        Prices {
            scenario: self.scenario.clone(),
            oxides: self.oxides.map(|p| p * factor),
            metals: self.metals.map(|p| p * factor),
            sulphide: self.sulphide.map(|p| p * factor),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Meta {
    pub name: String,
    pub date: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Valuation {
    /// Real discount rate, %.
    pub discount_rate_pct: f64,
    pub default_scenario: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Fx {
    pub source: String,
    /// Currencies quoted as US$ per unit (the rest: units per US$).
    pub usd_per_unit: Vec<String>,
    /// Rates by currency, then by year.
    pub rates: BTreeMap<String, BTreeMap<String, f64>>,
}

/// Royalty and tax of one jurisdiction.
#[derive(Debug, Clone, Deserialize)]
pub struct Jurisdiction {
    /// Ad valorem royalty, % of revenue (when no product-form rate or formula applies).
    pub royalty_pct: f64,
    /// Corporate income-tax rate, %.
    pub tax_rate_pct: f64,
    pub source: String,
    /// Ad valorem royalty by product form, % of revenue (Western Australia's rates by the
    /// form sold). A product form listed here takes its rate instead of `royalty_pct`.
    #[serde(default)]
    pub royalty_by_product_pct: BTreeMap<String, f64>,
    /// Profit-based royalty formulas by name (South Africa's refined and unrefined forms).
    #[serde(default)]
    pub royalty_formulas: BTreeMap<String, RoyaltyFormula>,
    /// The formula (a key of `royalty_formulas`) each product form's royalty takes.
    #[serde(default)]
    pub royalty_formula_by_product: BTreeMap<String, String>,
    /// A resource-rent tax on cash flow above a threshold return (the Cook Islands').
    #[serde(default)]
    pub rent_tax: Option<RentTaxTerms>,
}

// --- Fiscal regimes (issue 23): profit-based royalty formulas and resource-rent taxes;
// the logic that applies them each year is in src/model/fiscal.rs. ---

/// A royalty rate that rises with the margin: rate (% of gross sales) = `intercept_pct` +
/// EBIT / (gross sales x `ebit_divisor`) x 100, not below `intercept_pct` (EBIT below zero
/// counts as zero) and not above `cap_pct`. South Africa's MPRRA s.4.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, serde::Serialize)]
pub struct RoyaltyFormula {
    /// Rate at nil EBIT, % of gross sales.
    pub intercept_pct: f64,
    /// The divisor of EBIT over gross sales (12.5 refined, 9 unrefined), dimensionless.
    pub ebit_divisor: f64,
    /// Highest rate, % of gross sales.
    pub cap_pct: f64,
}

/// A resource-rent tax: `rate_pct` of the cash flow left once the project's negative cash
/// flows, carried forward at `threshold_pct` a year, are recovered.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RentTaxTerms {
    /// Tax rate on the rent, %.
    pub rate_pct: f64,
    /// Threshold rate of return at which unrecovered cash flow is carried forward, % a year.
    pub threshold_pct: f64,
    pub source: String,
}

/// Payability and operating cost of a product form.
#[derive(Debug, Clone, Deserialize)]
pub struct Product {
    /// Share of the separated-oxide price paid, %.
    pub payable_pct: f64,
    /// Operating cost, US$ per kg TREO produced.
    pub opex_usd_per_kg_treo: f64,
    /// TREO content of the product, % (freight tonnage).
    pub treo_pct_of_product: f64,
    pub source: String,
}

/// Defaults of one deposit type.
#[derive(Debug, Clone, Deserialize)]
pub struct DepositDefaults {
    /// TREO recovery to product, %.
    pub recovery_pct: f64,
    pub product: String,
    /// Construction time, years.
    pub construction_y: u32,
    /// Multiplier on the capex curve.
    pub capex_factor: f64,
    pub distribution_source: String,
    pub recovery_source: String,
    /// Typical oxide distribution, % of TREO, by oxide symbol.
    pub oxide_shares: BTreeMap<String, f64>,
    /// Name of the library distribution (`[distributions.*]`) this deposit type takes by
    /// default, instead of its own `oxide_shares`.
    #[serde(default)]
    pub distribution: Option<String>,
}

/// What a separator charges for a product it buys (`[netback]`), US$ real per kg TREO.
#[derive(Debug, Clone, Deserialize)]
pub struct NetbackAssumptions {
    /// Separation (tolling) charge per kg of light oxides (La-Nd) in the product.
    pub separation_light_usd_per_kg: f64,
    /// Separation charge per kg of heavy oxides (Sm-Lu and Y).
    pub separation_heavy_usd_per_kg: f64,
    /// Cracking and leaching of a mineral concentrate before separation, per kg TREO.
    pub cracking_usd_per_kg_treo: f64,
    /// Share of the oxide value a separator pays for (its recovery), %.
    pub separator_recovery_pct: f64,
    /// Share of an oxide's value paid for it when it is not worth separating (its
    /// recovered value below its separation charge) and leaves the circuit unseparated, in
    /// a mixed product such as a La-Ce carbonate, %; 0 for an oxide that is stockpiled.
    pub unseparated_payable_pct: f64,
    /// Where `unseparated_payable_pct` comes from.
    pub unseparated_source: String,
    pub source: String,
}

/// One named oxide distribution of the library (`[distributions.*]`).
#[derive(Debug, Clone, Deserialize)]
pub struct NamedDistribution {
    pub source: String,
    /// % of TREO, by oxide symbol.
    pub oxide_shares: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Costs {
    pub capex_a: f64,
    pub capex_b: f64,
    /// Annual TREO range (t/y) of the studies the capex curve was fitted on.
    pub capex_fit_range_t: [f64; 2],
    pub sustaining_pct_of_capex: f64,
    pub closure_pct_of_capex: f64,
    pub logistics_usd_per_t_km: f64,
    pub depreciation_y: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Seabed {
    pub capex_ref_musd: f64,
    pub capex_ref_mtpa: f64,
    pub scale_exponent: f64,
    pub depth_ref_m: f64,
    pub capex_pct_per_1000m: f64,
    /// Construction time, years.
    pub construction_y: u32,
    pub source: String,
    /// `[seabed.rules]`: judgement figures of the depth rule (issue 24).
    pub rules: SeabedRules,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Nodules {
    /// Payable metal per wet tonne, % (Ni, Cu, Co, Mn).
    pub yield_pct_of_wet: Metals,
    /// Grades at which those yields hold, %.
    pub reference_grade_pct: Metals,
    /// Region whose grades a record outside every region takes.
    pub default_region: String,
    /// Nodule regions: default grades and abundance.
    pub regions: BTreeMap<String, NoduleRegion>,
    /// Share of a licence's in-situ nodules (area x abundance) a mine plan counts on, 0-1.
    pub licence_mineable_share: f64,
    /// Licence area when a record gives none, km².
    pub default_licence_area_km2: f64,
    pub licence_source: String,
    /// Wet throughput one production system is designed for, Mt/y.
    pub max_throughput_mtpa: f64,
    /// Product sold (a key of `products`).
    pub product: String,
    pub products: BTreeMap<String, NoduleProduct>,
    pub unit_costs: NoduleUnitCosts,
}

/// A nodule region's defaults.
#[derive(Debug, Clone, Deserialize)]
pub struct NoduleRegion {
    /// Mean grades, % (dry).
    pub grade_pct: Metals,
    /// Mean abundance, kg wet nodules per m².
    pub abundance_kg_m2: f64,
    /// Coastal state whose EEZ holds the region (ISO alpha-2), if any.
    pub zone_country: Option<String>,
    /// Box [west, south, east, north], degrees.
    pub bbox: [f64; 4],
    pub source: String,
}

/// What a nodule product is paid: share of each metal's price, %.
#[derive(Debug, Clone, Deserialize)]
pub struct NoduleProduct {
    pub payable_pct: Metals,
    pub source: String,
}

/// TMC's published NORI-D unit costs and the reference output they apply to.
#[derive(Debug, Clone, Deserialize)]
pub struct NoduleUnitCosts {
    /// Cash cost net of by-product credits, US$ per t Ni.
    pub cash_cost_usd_per_t_ni: f64,
    /// All-in sustaining cost, US$ per t Ni.
    pub aisc_usd_per_t_ni: f64,
    /// Wet throughput of the reference, Mt/y.
    pub ref_throughput_mtpa: f64,
    /// Metal in product at the reference, t/y.
    pub ref_output_t: Metals,
    /// Price deck of the by-product credits.
    pub credit_scenario: String,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Taylor {
    pub coefficient: f64,
    pub exponent: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResourceRules {
    pub inferred_conversion: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Schedule {
    /// Share of nameplate in the first production years.
    pub ramp_up: Vec<f64>,
}

/// Separation outside China: tolling, utilisation and the plan's new plant (issue 16).
#[derive(Debug, Clone, Deserialize)]
pub struct SeparationAssumptions {
    /// Tolling, US$/kg TREO of feed, where a plant gives none.
    pub toll_light_usd_per_kg: f64,
    /// Heavy separation surcharge, US$/kg Dy + Tb oxide, where a plant gives none.
    pub toll_heavy_usd_per_kg: f64,
    /// Share of a nameplate capacity a running plant separates, %.
    pub utilisation_pct: f64,
    /// A plant without a heavy circuit takes no feed whose Dy + Tb exceed this share of
    /// its NdPr (t/t).
    pub light_only_max_dytb_to_ndpr: f64,
    /// NdPr and Dy + Tb share of a REO-only capacity, % (display only).
    pub reo_capacity_ndpr_pct: f64,
    pub reo_capacity_dytb_pct: f64,
    /// Payable share of the basket when feed is sold to China, %.
    pub china_payable_pct: f64,
    /// Capex of a new separation plant, US$ million per t/y of NdPr capacity.
    pub new_plant_capex_musd_per_t_ndpr: f64,
    /// Years from financing a new plant to its first output.
    pub new_plant_lead_time_y: u32,
    /// A new plant's least Dy + Tb circuit per t/y of NdPr (and so its least NdPr circuit
    /// per t/y of Dy + Tb), t/t: neither circuit binds first on a mixed feed.
    pub new_plant_min_dytb_per_ndpr: f64,
}

/// A PERT distribution: minimum, mode, maximum.
pub type Pert = [f64; 3];

/// The PERT mean, (min + 4 mode + max) / 6.
pub fn pert_mean(p: Pert) -> f64 {
    (p[0] + 4.0 * p[1] + p[2]) / 6.0
}

#[derive(Debug, Clone, Deserialize)]
pub struct LeadTimeAssumptions {
    /// The survival model's parameters.
    pub survival: Survival,
    /// Construction time as multiples of the deposit type's construction_y.
    pub construction_spread: Pert,
    pub source: String,
    /// Multiplier on pfs, dfs and permitting by jurisdiction (`default` for others).
    pub permit_multiplier: BTreeMap<String, f64>,
    /// Extra years of permitting by regime (onshore, eez, area).
    pub regime_delay_y: BTreeMap<String, f64>,
    /// The milestone-driven lead time of state programmes (docs/models.md).
    pub milestones: MilestoneAssumptions,
}

/// Seafloor massive sulphides: flotation recoveries and smelter payables, % by metal.
#[derive(Debug, Clone, Deserialize)]
pub struct SulphideAssumptions {
    pub recovery_pct: SulphideMetals,
    pub payable_pct: SulphideMetals,
    pub source: String,
}

/// One figure per seafloor-sulphide metal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, serde::Serialize)]
pub struct SulphideMetals {
    pub cu: f64,
    pub zn: f64,
    pub pb: f64,
    pub au: f64,
    pub ag: f64,
}

/// The milestone-driven lead time: how far a programme's published calendar slips.
#[derive(Debug, Clone, Deserialize)]
pub struct MilestoneAssumptions {
    /// Mean slip of a future milestone, as a share of the years still to go to it at the
    /// as-of date (0: the calendar is kept; 0.5: half as long again), before the pace.
    pub slip_share: f64,
    pub source: String,
}

/// The survival lead-time model (docs/models.md).
#[derive(Debug, Clone, Deserialize)]
pub struct Survival {
    /// Mean years of each pre-construction stage at a typical pace, by stage name.
    pub stage_mean_y: BTreeMap<String, f64>,
    /// Shape of the project's pace (gamma; its variance is 1 / shape).
    pub pace_shape: f64,
    /// Scale of the gamma process of work, years.
    pub work_scale_y: f64,
    /// Mean years a build stalls beyond its plan at a typical pace.
    pub construction_stall_mean_y: f64,
    /// Mean years a refused, revoked or terminated permit adds once revived.
    pub revival_delay_y: f64,
    /// Years past as_of the first-production outlook looks.
    pub horizon_y: f64,
}

/// Rules of the risk model.
#[derive(Debug, Clone, Deserialize)]
pub struct RiskRules {
    /// Jurisdiction factor = floor + (1 - floor) x policy score / 100.
    pub jurisdiction_floor: f64,
    /// A protected area nearer than this, km, counts as near.
    pub protected_near_km: f64,
}

/// The owner's terms: the state's free carry, the post-production hazard and the loss on
/// a failed build.
#[derive(Debug, Clone, Deserialize)]
pub struct OwnerAssumptions {
    /// Share of capex lost when a project fails after construction starts, 0-1.
    pub capex_lost_share: f64,
    /// State free-carried interest by country, % (`default` for others).
    pub free_carried_pct: BTreeMap<String, f64>,
    pub free_carried_source: BTreeMap<String, String>,
    /// Annual hazard of losing the mine after first production, %/y (`default`, `AREA`).
    pub post_production_hazard_pct: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RiskMultipliers {
    pub regime_area: f64,
    pub regime_eez: f64,
    /// The Area by the US DSHMRA route (sponsor_country US).
    pub regime_area_dshmra: f64,
    pub protected_overlap: f64,
    pub protected_within_10km: f64,
    pub protected_within_50km: f64,
    pub permit_refused: f64,
    pub permit_revoked: f64,
    pub permit_terminated: f64,
    pub china_ownership_or_offtake: f64,
    pub china_processing: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RiskAssumptions {
    /// Chance of reaching production by stage.
    pub base_rate: BTreeMap<String, f64>,
    /// Jurisdiction policy score, 0-100 (`default` for others, `AREA` for the Area).
    pub policy_score: BTreeMap<String, f64>,
    pub multipliers: RiskMultipliers,
    pub rules: RiskRules,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PriceUncertainty {
    pub drivers: Vec<String>,
    /// Lognormal spread of each driver's long-run price level.
    pub sigma: Vec<f64>,
    pub correlation: Vec<Vec<f64>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResourceCv {
    pub measured: f64,
    pub indicated: f64,
    pub inferred: f64,
    pub reserve: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Triangle {
    pub min: f64,
    pub mode: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EstimatedSigma {
    pub capex: f64,
    pub opex: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Uncertainty {
    /// Default number of draws.
    pub draws: usize,
    /// Default seed.
    pub seed: u64,
    pub prices: PriceUncertainty,
    pub resource_cv: ResourceCv,
    pub recovery_pts: Triangle,
    /// Accuracy band of a study's capex and opex by stage (0.25 = +-25 %).
    pub accuracy_band: BTreeMap<String, f64>,
    pub estimated_sigma: EstimatedSigma,
    /// `[uncertainty.rules]`: judgement figures of the draws (issue 24).
    pub rules: UncertaintyRules,
    /// Lower-triangular Cholesky factor of the price correlation (filled on load).
    #[serde(skip)]
    pub price_cholesky: Vec<Vec<f64>>,
}

/// Lower-triangular Cholesky factor of a symmetric positive-definite matrix.
pub fn cholesky(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        if m[i].len() != n {
            return None;
        }
        for j in 0..=i {
            let sum: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = m[i][i] - sum;
                if d <= 0.0 || (m[i][j] - m[j][i]).abs() > 1e-12 {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (m[i][j] - sum) / l[j][j];
            }
        }
    }
    Some(l)
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct RankAssumptions {
    /// Criterion weights by name (value, speed, supply, risk, confidence).
    pub weights: BTreeMap<String, f64>,
    /// `[rank.subscores]`: the supply-security sub-scores (issue 24).
    pub subscores: RankSubscores,
    /// `[rank.committee]`: the committee ranking's weights and scales (issue 18).
    pub committee: crate::portfolio::committee::CommitteeAssumptions,
}

// --- Judgement figures of the models' rules, moved out of the code (issue 24) ---

/// `[uncertainty.rules]`.
#[derive(Debug, Clone, Deserialize)]
pub struct UncertaintyRules {
    /// Accuracy band of a study stage missing from `accuracy_band` (0.5 = ±50 %).
    pub band_fallback: f64,
    /// Lowest grade factor a draw may take (the normal factor can fall below zero).
    pub grade_factor_floor: f64,
    /// Lowest tonnage factor a draw may take.
    pub tonnage_factor_floor: f64,
    /// A study's capex as a PERT factor [1 − low × band, 1, 1 + high × band]: `[low, high]`.
    pub capex_pert_band: [f64; 2],
    /// A study's opex, likewise.
    pub opex_pert_band: [f64; 2],
}

/// `[seabed.rules]`.
#[derive(Debug, Clone, Deserialize)]
pub struct SeabedRules {
    /// Lowest depth factor of seabed capex and lift costs (a site far shallower than the
    /// reference depth), multiple of the reference cost.
    pub depth_factor_floor: f64,
}

/// `[rank.subscores]`: scores of the supply-security sub-criteria. The ranking turns each
/// sub-criterion into percentile ranks, so only the order of these scores counts.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct RankSubscores {
    /// Processing route: integrated or separated outside China.
    pub route_outside_china: f64,
    /// Processing route not given.
    pub route_unknown: f64,
    /// Separated in China.
    pub route_china: f64,
    /// No Chinese owner or offtaker declared.
    pub not_china_linked: f64,
    /// A Chinese owner or offtaker declared.
    pub china_linked: f64,
}

/// `[reserve]`: defaults of `prospect reserve` (issue 18).
#[derive(Debug, Clone, Deserialize)]
pub struct ReserveAssumptions {
    /// Days of consumption drawn as the reference line (Japan's stockpile target), days.
    pub reference_days: f64,
    /// Confidence the stockpile covers the shortfall at, %.
    pub confidence_pct: f64,
    /// Draws of the supply timeline.
    pub draws: usize,
    /// Years a disruption lasts when the user gives none.
    pub disruption_years: u32,
    /// NdPr oxide demand of the reserve's buyers where a command gives none (`report`),
    /// t/y.
    pub demand_ndpr_t_per_y: f64,
}

/// `[validation]`: thresholds of `check`.
#[derive(Debug, Clone, Deserialize)]
pub struct ValidationAssumptions {
    /// Usual grade range of a deposit type, % TREO [low, high], by type name; `check`
    /// warns of a grade ten times above the top or below the bottom (a unit slip).
    pub typical_grade_pct: BTreeMap<String, [f64; 2]>,
}

/// `[context]`: the spatial stage's search limits.
#[derive(Debug, Clone, Deserialize)]
pub struct ContextAssumptions {
    /// Protected areas farther than this from a site are not reported, km.
    pub protected_search_km: f64,
}

// --- Seabed mud (issue 15): the assumptions of src/model/mud.rs ---

/// One capacity scenario (assumptions `[mud.scenarios.NAME]`).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct MudScenario {
    /// Dry solids lifted, t per operating day.
    pub capacity_t_per_day: f64,
    /// Lifting vessels in service.
    pub vessels: u32,
    /// Share of the lifted solids that are ferromanganese nodules (co-mining), 0-1.
    pub nodule_share: f64,
    pub source: String,
}

/// The assumptions of the mud model (`[mud]`); units in the names, money US$ real.
#[derive(Debug, Clone, Deserialize)]
pub struct MudAssumptions {
    pub default_scenario: String,
    pub operating_days_per_y: f64,
    /// Years valued when the resource would last longer.
    pub design_life_y: f64,
    pub lift_capex_ref_musd: f64,
    pub lift_ref_t_per_day: f64,
    pub lift_scale_exponent: f64,
    pub depth_ref_m: f64,
    pub lift_capex_pct_per_1000m: f64,
    pub vessel_usd_m_per_day: f64,
    pub lift_opex_pct_per_1000m: f64,
    pub lift_variable_usd_per_t: f64,
    /// Concentrate grade over mud grade.
    pub upgrade_factor: f64,
    /// Share of the mud's REY reporting to the concentrate, %.
    pub upgrade_recovery_pct: f64,
    pub upgrade_usd_per_t: f64,
    pub dewatering_usd_per_t: f64,
    pub port: String,
    pub port_lon_lat: [f64; 2],
    pub shipping_usd_per_t_km: f64,
    pub leach_recovery_pct: f64,
    pub leach_usd_per_t: f64,
    pub plant_capex_factor: f64,
    pub separation_light_usd_per_kg: f64,
    pub separation_heavy_usd_per_kg: f64,
    /// Grades of co-mined nodules, %.
    pub nodule_grade_pct: Metals,
    pub nodule_processing_usd_per_t: f64,
    pub source: String,
    pub scenarios: BTreeMap<String, MudScenario>,
}

impl MudAssumptions {
    /// Checks the figures a run cannot do without.
    pub fn validate(&self) -> Result<(), String> {
        if !self.scenarios.contains_key(&self.default_scenario) {
            return Err(format!(
                "mud.default_scenario {:?} is not a scenario of [mud.scenarios]",
                self.default_scenario
            ));
        }
        for (name, s) in &self.scenarios {
            if !(s.capacity_t_per_day > 0.0 && (0.0..1.0).contains(&s.nodule_share)) {
                return Err(format!(
                    "mud.scenarios.{name}: capacity_t_per_day must be > 0 and nodule_share in [0, 1)"
                ));
            }
        }
        let positive = [
            ("upgrade_factor", self.upgrade_factor),
            ("operating_days_per_y", self.operating_days_per_y),
            ("design_life_y", self.design_life_y),
            ("lift_ref_t_per_day", self.lift_ref_t_per_day),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("mud.{name} = {v} must be a positive number"));
            }
        }
        for (name, v) in [
            ("upgrade_recovery_pct", self.upgrade_recovery_pct),
            ("leach_recovery_pct", self.leach_recovery_pct),
        ] {
            if !(0.0..=100.0).contains(&v) {
                return Err(format!("mud.{name} = {v} must lie in 0-100"));
            }
        }
        Ok(())
    }
}

/// Every assumption the models use.
#[derive(Debug, Clone, Deserialize)]
pub struct Assumptions {
    pub meta: Meta,
    pub valuation: Valuation,
    pub scenarios: BTreeMap<String, PriceDeck>,
    pub fx: Fx,
    pub jurisdictions: BTreeMap<String, Jurisdiction>,
    pub area_royalty_scenarios: BTreeMap<String, toml::Value>,
    pub products: BTreeMap<String, Product>,
    pub deposits: BTreeMap<String, DepositDefaults>,
    /// The library of named oxide distributions.
    #[serde(default)]
    pub distributions: BTreeMap<String, NamedDistribution>,
    /// Separation and cracking charges of the netback.
    pub netback: NetbackAssumptions,
    pub costs: Costs,
    pub seabed: Seabed,
    pub nodules: Nodules,
    /// Seafloor massive sulphides (issue 15).
    pub sulphides: SulphideAssumptions,
    pub taylor: Taylor,
    pub resources: ResourceRules,
    pub schedule: Schedule,
    pub lead_time: LeadTimeAssumptions,
    pub risk: RiskAssumptions,
    pub owner: OwnerAssumptions,
    pub uncertainty: Uncertainty,
    pub rank: RankAssumptions,
    /// The seabed-mud model (`[mud]`).
    pub mud: MudAssumptions,
    pub separation: SeparationAssumptions,
    /// Default prices of by-products and co-products, by commodity name (issue 14;
    /// `money.rs`).
    #[serde(default)]
    pub byproduct_prices: BTreeMap<String, ByproductPrice>,
    /// The real year of every output and the CPI table that brings money there (`[money]`,
    /// issue 14; `money.rs`).
    pub money: MoneyAssumptions,
    /// The spatial stage's search limits (`[context]`, issue 24).
    pub context: ContextAssumptions,
    /// Thresholds of `check` (`[validation]`, issue 24).
    pub validation: ValidationAssumptions,
    /// Holding cost of a built mine held idle (`[care_and_maintenance]`, issue 14).
    pub care_and_maintenance: CareAndMaintenance,
    /// How lenders size a project's debt (`[funding]`, issue 18).
    pub funding: FundingAssumptions,
    /// Support instruments valued for each project (`[instruments]`, issue 18).
    pub instruments: InstrumentAssumptions,
    /// The report's what-if grid (`[report]`, issue 20; `output/whatif.rs`).
    pub report: crate::output::whatif::ReportAssumptions,
    /// The strategic reserve's defaults (`[reserve]`, issue 18).
    pub reserve: ReserveAssumptions,
    /// A short digest of the merged assumptions, to tell runs apart.
    #[serde(skip)]
    pub digest: String,
}

/// Merges `over` into `base`: tables merge key by key, anything else is replaced.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

/// FNV-1a, 64 bits: a stable digest with no extra dependency.
fn fnv1a64(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x}")
}

impl Assumptions {
    /// The compiled-in defaults.
    /// Parsed once a process and cloned after: a command may ask for them several times
    /// (`check` did, about 55 M instructions a parse).
    pub fn defaults() -> Assumptions {
        static DEFAULTS: std::sync::OnceLock<Assumptions> = std::sync::OnceLock::new();
        DEFAULTS
            .get_or_init(|| {
                Self::from_tables(None)
                    .expect("the compiled-in assumptions are valid (checked by a test)")
            })
            .clone()
    }

    /// The defaults with a user file merged over them.
    pub fn load(path: Option<&Path>) -> Result<Assumptions, AssumptionsError> {
        let over = match path {
            None => return Ok(Self::defaults()),
            Some(p) => {
                // `-` is standard input (issue 20).
                let name = crate::read::input_name(p);
                let text = crate::read::read_text(p).map_err(|source| AssumptionsError::Read {
                    path: name.clone(),
                    source,
                })?;
                Some((name, text))
            }
        };
        Self::from_tables(over)
    }

    /// The defaults with TOML `text` merged over them (what `--assumptions` reads).
    pub fn with_override(name: &str, text: &str) -> Result<Assumptions, AssumptionsError> {
        Self::from_tables(Some((name.to_owned(), text.to_owned())))
    }

    /// Merges the user's file (name, text) over the defaults, then reads it strictly: keys
    /// no model reads, figures out of range and every other problem are reported at once,
    /// each at its line in the user's own file.
    fn from_tables(over: Option<(String, String)>) -> Result<Assumptions, AssumptionsError> {
        let defaults: toml::Table =
            DEFAULT_TOML
                .parse()
                .map_err(|source| AssumptionsError::Parse {
                    path: "assumptions/default.toml".into(),
                    source: Box::new(source),
                })?;
        let mut table = defaults.clone();
        let (name, user_text) = over.unwrap_or_else(|| {
            (
                "assumptions/default.toml".to_owned(),
                DEFAULT_TOML.to_owned(),
            )
        });
        let user: toml::Table = user_text
            .parse()
            .map_err(|source| AssumptionsError::Parse {
                path: name.clone(),
                source: Box::new(source),
            })?;
        merge(&mut table, user);
        let user_index = strict::KeyIndex::new(&name, &user_text);
        let fail = |problems: Vec<Problem>| AssumptionsError::Problems {
            path: name.clone(),
            rendered: user_index.render(&problems),
            problems,
        };
        let text = table.to_string();
        let mut problems = strict::unknown_keys(&text, &defaults);
        let parsed: Result<Assumptions, _> = toml::from_str(&text);
        let mut a = match parsed {
            Ok(a) => a,
            Err(e) => {
                // The error's place is in the merged text: name its key, then find that key
                // in the user's file.
                let merged_index = strict::KeyIndex::new("merged", &text);
                let key = e
                    .span()
                    .and_then(|s| merged_index.key_at(s.start))
                    .unwrap_or_default()
                    .to_owned();
                problems.push(Problem {
                    key,
                    message: e.message().trim().to_owned(),
                });
                return Err(fail(problems));
            }
        };
        problems.extend(strict::ranges(&table));
        if !problems.is_empty() {
            return Err(fail(problems));
        }
        a.digest = fnv1a64(&text);
        a.checks().map_err(|e| match e {
            AssumptionsError::Invalid(m) => fail(vec![Problem {
                key: strict::leading_key(&m).to_owned(),
                message: m,
            }]),
            other => other,
        })?;
        Ok(a)
    }

    /// The checks that need the typed assumptions (names that must exist, shares that sum
    /// to 100, matrices that must factor); the first failure is returned.
    fn checks(&mut self) -> Result<(), AssumptionsError> {
        let a = self;
        a.validate()?;
        a.mud.validate().map_err(AssumptionsError::Invalid)?;
        a.validate_nodules()?;
        money::validate_byproduct_prices(&a.byproduct_prices)?;
        a.money.validate()?;
        if a.area_royalty().is_none() {
            return Err(AssumptionsError::Invalid(
                "area_royalty_scenarios.selected must name a scenario with a royalty %".into(),
            ));
        }
        let u = &a.uncertainty.prices;
        a.uncertainty.price_cholesky = cholesky(&u.correlation).ok_or_else(|| {
            AssumptionsError::Invalid(
                "uncertainty.prices.correlation is not a symmetric positive-definite matrix".into(),
            )
        })?;
        if u.sigma.len() != u.drivers.len() || u.correlation.len() != u.drivers.len() {
            return Err(AssumptionsError::Invalid(
                "uncertainty.prices: drivers, sigma and correlation must have the same size".into(),
            ));
        }
        Ok(())
    }

    /// The `[separation]` figures: charges and shares that are numbers in range.
    fn validate_separation(&self) -> Result<(), AssumptionsError> {
        let s = &self.separation;
        let checks = [
            (
                "toll_light_usd_per_kg",
                s.toll_light_usd_per_kg,
                0.0,
                f64::MAX,
            ),
            (
                "toll_heavy_usd_per_kg",
                s.toll_heavy_usd_per_kg,
                0.0,
                f64::MAX,
            ),
            ("utilisation_pct", s.utilisation_pct, 0.0, 100.0),
            (
                "light_only_max_dytb_to_ndpr",
                s.light_only_max_dytb_to_ndpr,
                0.0,
                f64::MAX,
            ),
            ("reo_capacity_ndpr_pct", s.reo_capacity_ndpr_pct, 0.0, 100.0),
            ("reo_capacity_dytb_pct", s.reo_capacity_dytb_pct, 0.0, 100.0),
            ("china_payable_pct", s.china_payable_pct, 0.0, 100.0),
            (
                "new_plant_capex_musd_per_t_ndpr",
                s.new_plant_capex_musd_per_t_ndpr,
                0.0,
                f64::MAX,
            ),
            (
                "new_plant_min_dytb_per_ndpr",
                s.new_plant_min_dytb_per_ndpr,
                1e-6,
                f64::MAX,
            ),
        ];
        for (name, v, lo, hi) in checks {
            if !(v.is_finite() && v >= lo && v <= hi) {
                return Err(AssumptionsError::Invalid(format!(
                    "separation.{name} = {v} is outside {lo}..={hi}"
                )));
            }
        }
        Ok(())
    }

    /// The fiscal regimes' figures (issue 23): rates within 0-100 %, formulas that name
    /// product forms and formulas that exist.
    fn validate_fiscal(&self) -> Result<(), AssumptionsError> {
        let bad = |m: String| Err(AssumptionsError::Invalid(m));
        let pct = |v: f64| v.is_finite() && (0.0..=100.0).contains(&v);
        let form = |k: &str| ProductForm::ALL.iter().any(|p| p.as_str() == k);
        for (code, j) in &self.jurisdictions {
            if !pct(j.royalty_pct) || !pct(j.tax_rate_pct) {
                return bad(format!(
                    "jurisdictions.{code}: royalty_pct and tax_rate_pct must lie in 0-100 %"
                ));
            }
            for (k, v) in &j.royalty_by_product_pct {
                if !form(k) || !pct(*v) {
                    return bad(format!(
                        "jurisdictions.{code}.royalty_by_product_pct.{k} = {v}: a product form ({}) and a rate in 0-100 % are needed",
                        ProductForm::ALL
                            .iter()
                            .map(|p| p.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
            for (name, f) in &j.royalty_formulas {
                if !(pct(f.intercept_pct)
                    && pct(f.cap_pct)
                    && f.cap_pct >= f.intercept_pct
                    && f.ebit_divisor.is_finite()
                    && f.ebit_divisor > 0.0)
                {
                    return bad(format!(
                        "jurisdictions.{code}.royalty_formulas.{name}: intercept_pct and cap_pct in 0-100 % with cap_pct >= intercept_pct, and ebit_divisor > 0, are needed"
                    ));
                }
            }
            for (k, name) in &j.royalty_formula_by_product {
                if !form(k) || !j.royalty_formulas.contains_key(name) {
                    return bad(format!(
                        "jurisdictions.{code}.royalty_formula_by_product.{k} = {name:?}: a product form and a formula of royalty_formulas are needed"
                    ));
                }
            }
            if let Some(r) = &j.rent_tax
                && !(pct(r.rate_pct) && r.threshold_pct.is_finite() && r.threshold_pct > -100.0)
            {
                return bad(format!(
                    "jurisdictions.{code}.rent_tax: rate_pct in 0-100 % and threshold_pct above -100 % are needed"
                ));
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), AssumptionsError> {
        let bad = |m: String| Err(AssumptionsError::Invalid(m));
        self.validate_separation()?;
        self.validate_fiscal()?;
        let u = self.netback.unseparated_payable_pct;
        if !(u.is_finite() && (0.0..=100.0).contains(&u)) {
            return bad(format!(
                "netback.unseparated_payable_pct = {u} is outside 0..=100"
            ));
        }
        if !self
            .scenarios
            .contains_key(&self.valuation.default_scenario)
        {
            return bad(format!(
                "default_scenario {:?} is not a scenario",
                self.valuation.default_scenario
            ));
        }
        for name in self.scenarios.keys() {
            self.prices(name)?;
        }
        for t in DepositType::ALL
            .iter()
            .filter(|t| !t.is_seabed() || **t == DepositType::SeabedMud)
        {
            let Some(d) = self.deposits.get(t.as_str()) else {
                return bad(format!("deposits.{t} is missing"));
            };
            if ProductForm::parse(&d.product).is_none() {
                return bad(format!(
                    "deposits.{t}.product {:?} is not a product form",
                    d.product
                ));
            }
            let sum: f64 = d.oxide_shares.values().sum();
            if (sum - 100.0).abs() > 0.5 {
                return bad(format!("deposits.{t}.oxide_shares sum to {sum}, not 100"));
            }
            if let Some(name) = &d.distribution
                && !self.distributions.contains_key(name)
            {
                return bad(format!(
                    "deposits.{t}.distribution {name:?} is not in [distributions]"
                ));
            }
        }
        for (name, d) in &self.distributions {
            let sum: f64 = d.oxide_shares.values().sum();
            if !(95.0..=105.0).contains(&sum) || d.oxide_shares.values().any(|v| *v < 0.0) {
                return bad(format!(
                    "distributions.{name}.oxide_shares sum to {sum}, not about 100"
                ));
            }
            if let Some(k) = d
                .oxide_shares
                .keys()
                .find(|k| !OXIDES.contains(&k.as_str()))
            {
                return bad(format!("distributions.{name}: {k:?} is not an oxide"));
            }
        }
        for p in ProductForm::ALL {
            if !self.products.contains_key(p.as_str()) {
                return bad(format!("products.{p} is missing"));
            }
        }
        let mut last_rate = 0.0;
        for stage in StudyStage::ALL {
            let Some(rate) = self.risk.base_rate.get(stage.as_str()) else {
                return bad(format!("risk.base_rate.{stage} is missing"));
            };
            if !(0.0..=1.0).contains(rate) || *rate < last_rate {
                return bad(format!(
                    "risk.base_rate.{stage} = {rate} must lie in 0-1 and not fall below an earlier stage's"
                ));
            }
            last_rate = *rate;
            if *stage < StudyStage::Construction {
                let Some(m) = self.lead_time.survival.stage_mean_y.get(stage.as_str()) else {
                    return bad(format!(
                        "lead_time.survival.stage_mean_y.{stage} is missing"
                    ));
                };
                if !(m.is_finite() && *m >= 0.0) {
                    return bad(format!(
                        "lead_time.survival.stage_mean_y.{stage} = {m} must be a number of years, 0 or more"
                    ));
                }
            }
        }
        let sv = &self.lead_time.survival;
        if !(sv.pace_shape.is_finite() && sv.pace_shape > 1.0) {
            return bad(format!(
                "lead_time.survival.pace_shape = {} must be above 1 (the mean remaining time is finite only then)",
                sv.pace_shape
            ));
        }
        for (name, v) in [
            ("work_scale_y", sv.work_scale_y),
            ("horizon_y", sv.horizon_y),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return bad(format!("lead_time.survival.{name} = {v} must be above 0"));
            }
        }
        for (name, v) in [
            ("construction_stall_mean_y", sv.construction_stall_mean_y),
            ("revival_delay_y", sv.revival_delay_y),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return bad(format!("lead_time.survival.{name} = {v} must be 0 or more"));
            }
        }
        let o = &self.owner;
        if !(0.0..=1.0).contains(&o.capex_lost_share) {
            return bad(format!(
                "owner.capex_lost_share = {} must lie in 0-1",
                o.capex_lost_share
            ));
        }
        for (table, map, hi) in [
            ("free_carried_pct", &o.free_carried_pct, 100.0),
            (
                "post_production_hazard_pct",
                &o.post_production_hazard_pct,
                100.0,
            ),
        ] {
            if !map.contains_key("default") {
                return bad(format!("owner.{table}.default is required"));
            }
            for (k, v) in map {
                if !(0.0..=hi).contains(v) {
                    return bad(format!("owner.{table}.{k} = {v} must lie in 0-{hi} %"));
                }
            }
        }
        if !(0.0..=1.0).contains(&self.risk.rules.jurisdiction_floor) {
            return bad(format!(
                "risk.rules.jurisdiction_floor = {} must lie in 0-1",
                self.risk.rules.jurisdiction_floor
            ));
        }
        for key in ["default"] {
            if !self.lead_time.permit_multiplier.contains_key(key)
                || !self.risk.policy_score.contains_key(key)
            {
                return bad(format!(
                    "lead_time.permit_multiplier.{key} and risk.policy_score.{key} are required"
                ));
            }
        }
        if !self.jurisdictions.contains_key("default") {
            return bad("jurisdictions.default is missing".into());
        }
        let r = self.valuation.discount_rate_pct;
        if !(r.is_finite() && r > -100.0) {
            return bad(format!("discount_rate_pct {r} is not a rate"));
        }
        Ok(())
    }

    /// The royalty of the Area's ISA route: the selected scenario of
    /// `[area_royalty_scenarios]` (name, % ad valorem).
    pub fn area_royalty(&self) -> Option<(String, f64)> {
        let t = &self.area_royalty_scenarios;
        let name = t.get("selected")?.as_str()?;
        let pct = t.get(name)?;
        let pct = pct
            .as_float()
            .or_else(|| pct.as_integer().map(|i| i as f64))?;
        Some((name.to_owned(), pct))
    }

    /// Selects the Area's royalty scenario (`--area-royalty`).
    pub fn select_area_royalty(&mut self, name: &str) -> Result<(), AssumptionsError> {
        let known: Vec<&str> = self
            .area_royalty_scenarios
            .iter()
            .filter(|(_, v)| v.is_float() || v.is_integer())
            .map(|(k, _)| k.as_str())
            .collect();
        if !known.contains(&name) {
            return Err(AssumptionsError::Invalid(format!(
                "unknown Area royalty scenario {name:?}; known: {}",
                known.join(", ")
            )));
        }
        self.area_royalty_scenarios
            .insert("selected".into(), toml::Value::String(name.to_owned()));
        self.digest = fnv1a64(&format!("{}+area_royalty={name}", self.digest));
        Ok(())
    }

    /// The nodule regions, product and unit-cost deck must exist.
    fn validate_nodules(&self) -> Result<(), AssumptionsError> {
        let n = &self.nodules;
        let bad = |m: String| Err(AssumptionsError::Invalid(m));
        if !n.regions.contains_key(&n.default_region) {
            return bad(format!(
                "nodules.default_region {:?} is not a region of [nodules.regions]",
                n.default_region
            ));
        }
        if !n.products.contains_key(&n.product) {
            return bad(format!(
                "nodules.product {:?} is not a product of [nodules.products]",
                n.product
            ));
        }
        if !(0.0..=1.0).contains(&n.licence_mineable_share) {
            return bad("nodules.licence_mineable_share must lie in 0-1".into());
        }
        self.prices(&n.unit_costs.credit_scenario)?;
        Ok(())
    }

    /// The resolved prices of a scenario (following `base` links).
    pub fn prices(&self, scenario: &str) -> Result<Prices, AssumptionsError> {
        let mut chain = Vec::new();
        let mut name = scenario;
        loop {
            let Some(deck) = self.scenarios.get(name) else {
                let known: Vec<&str> = self.scenarios.keys().map(String::as_str).collect();
                return Err(AssumptionsError::Invalid(format!(
                    "unknown scenario {name:?}; known scenarios: {}",
                    known.join(", ")
                )));
            };
            if chain.len() > self.scenarios.len() {
                return Err(AssumptionsError::Invalid(format!(
                    "scenario {scenario:?} has a base cycle"
                )));
            }
            chain.push(deck);
            match &deck.base {
                Some(b) => name = b,
                None => break,
            }
        }
        let mut oxides = [None; 15];
        let mut metals: BTreeMap<&str, f64> = BTreeMap::new();
        for deck in chain.iter().rev() {
            // Each deck's own prices in US$ of its money year, brought to the real year.
            let real = self.money.escalation(deck.money_year).factor;
            for (k, v) in &deck.oxides {
                let Some(i) = OXIDES.iter().position(|o| o == k) else {
                    return Err(AssumptionsError::Invalid(format!(
                        "scenario price for unknown oxide {k:?}"
                    )));
                };
                oxides[i] = Some(*v * real);
            }
            for (k, v) in &deck.metals {
                metals.insert(k, *v * real);
            }
        }
        let mut resolved = [0.0; 15];
        for (i, p) in oxides.iter().enumerate() {
            match p {
                Some(p) if p.is_finite() && *p >= 0.0 => resolved[i] = *p,
                _ => {
                    return Err(AssumptionsError::Invalid(format!(
                        "scenario {scenario:?} has no valid price for {}",
                        OXIDES[i]
                    )));
                }
            }
        }
        let metal = |k: &str| metals.get(k).copied().unwrap_or(0.0);
        Ok(Prices {
            scenario: scenario.to_owned(),
            oxides: resolved,
            metals: Metals {
                ni: metal("ni"),
                cu: metal("cu"),
                co: metal("co"),
                mn: metal("mn"),
            },
            sulphide: SulphidePrices {
                zn: metals.get("zn").copied(),
                pb: metals.get("pb").copied(),
                au_usd_per_oz: metals.get("au_usd_per_oz").copied(),
                ag_usd_per_oz: metals.get("ag_usd_per_oz").copied(),
            },
        })
    }

    /// US$ per unit of `currency` in `year` (nearest year in the table); `None` when the
    /// currency is not in the table.
    pub fn usd_per_unit(&self, currency: &str, year: Option<i32>) -> Option<(f64, i32)> {
        if currency == "USD" {
            return Some((1.0, year.unwrap_or(0)));
        }
        let table = self.fx.rates.get(currency)?;
        let years = table
            .iter()
            .filter_map(|(y, r)| Some((y.parse::<i32>().ok()?, *r)));
        let (y, rate) = match year {
            // The nearest year, the later of two as near.
            Some(want) => years.min_by_key(|&(y, _)| ((y - want).abs(), -y))?,
            // The latest (the nearest to itself).
            None => years.min_by_key(|&(y, _)| std::cmp::Reverse(y))?,
        };
        let usd = if self.fx.usd_per_unit.iter().any(|c| c == currency) {
            rate
        } else {
            1.0 / rate
        };
        Some((usd, y))
    }

    /// Royalty and tax for a country (ISO alpha-2), or the Area (`None`), with the generic
    /// default when the country is not listed.
    pub fn jurisdiction(&self, country: Option<&str>) -> (&str, &Jurisdiction) {
        let key = country.unwrap_or("AREA");
        match self.jurisdictions.get_key_value(key) {
            Some((k, j)) => (k.as_str(), j),
            None => ("default", &self.jurisdictions["default"]),
        }
    }

    pub fn deposit(&self, t: DepositType) -> Option<&DepositDefaults> {
        self.deposits.get(t.as_str())
    }

    pub fn product(&self, p: ProductForm) -> &Product {
        &self.products[p.as_str()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_decks_inherit_from_their_base() {
        let a = Assumptions::load(None).unwrap();
        assert!(a.digest.starts_with("fnv1a64:"));
        // Every deck of the defaults resolves (validate() checks it at load).
        for name in a.scenarios.keys() {
            assert!(a.prices(name).is_ok(), "{name}");
        }
        // A deck takes what it does not list from its base, at any depth, and its own
        // figures win: two decks stacked on the default one.
        let b = Assumptions::with_override(
            "test",
            "[scenarios.one]\nbase = \"market_2025\"\n[scenarios.one.oxides]\nnd = 1.5\ntb = 2.5\n\
             [scenarios.two]\nbase = \"one\"\n[scenarios.two.oxides]\ntb = 3.5\n[scenarios.two.metals]\nni = 4.5\n",
        )
        .unwrap();
        let (root, two) = (b.prices("market_2025").unwrap(), b.prices("two").unwrap());
        let nd = OXIDES.iter().position(|o| *o == "nd").unwrap();
        let tb = OXIDES.iter().position(|o| *o == "tb").unwrap();
        assert_eq!((two.oxides[nd], two.oxides[tb]), (1.5, 3.5));
        assert_eq!(two.oxides[0], root.oxides[0]);
        assert_eq!((two.metals.ni, two.metals.cu), (4.5, root.metals.cu));
        // A cycle of bases is refused, not followed for ever.
        let e = Assumptions::with_override("test", "[scenarios.market_2025_12]\nbase = \"low\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("base cycle"), "{e}");
        // The default deck is the dated current one; the June 2025 deck is kept under its
        // dated name and under the name it had before.
        assert_eq!(a.valuation.default_scenario, "market_2025_12");
        let old = a.prices("market_2025_06").unwrap();
        assert_eq!(a.prices("market_2025").unwrap().oxides, old.oxides);
        assert_ne!(a.prices("market_2025_12").unwrap().oxides, old.oxides);
        assert_eq!(a.scenarios["market_2025_12"].money_year, Some(2025));
    }

    #[test]
    fn fx_by_year_with_nearest_year_and_quote_direction() {
        let a = Assumptions::defaults();
        assert_eq!(a.usd_per_unit("AUD", Some(2019)), Some((0.6952, 2019)));
        // 2016, 2024 and 2025: annual means of ECB cross rates (docs/assumptions.md).
        assert_eq!(a.usd_per_unit("AUD", Some(2016)), Some((0.7442, 2016)));
        let (cny, at) = a.usd_per_unit("CNY", Some(2025)).unwrap();
        assert_eq!(at, 2025);
        assert!((cny - 1.0 / 7.1874).abs() < 1e-12);
        assert_eq!(a.usd_per_unit("AUD", Some(2011)).unwrap().1, 2012); // before the table: nearest
        // A gap in the table takes the nearest year, the later one on a tie.
        let gap =
            Assumptions::with_override("gap.toml", "[fx.rates.XXX]\n2020 = 2.0\n2022 = 4.0\n")
                .unwrap();
        assert_eq!(gap.usd_per_unit("XXX", Some(2021)), Some((0.25, 2022)));
        // No year asked: the latest year's rate (4.0 units per US$ in 2022).
        assert_eq!(gap.usd_per_unit("XXX", None), Some((0.25, 2022)));
        let (cad, _) = a.usd_per_unit("CAD", Some(2013)).unwrap();
        assert!((cad - 1.0 / 1.03).abs() < 1e-12);
        assert_eq!(a.usd_per_unit("USD", None).unwrap().0, 1.0);
        assert_eq!(a.usd_per_unit("XYZ", None), None);
    }

    #[test]
    fn cholesky_reproduces_the_matrix() {
        let m = vec![vec![4.0, 2.0], vec![2.0, 3.0]];
        let l = cholesky(&m).unwrap();
        assert_eq!(l[0][0], 2.0);
        assert_eq!(l[1][0], 1.0);
        assert!((l[1][1] - 2f64.sqrt()).abs() < 1e-12);
        assert!(cholesky(&[vec![1.0, 2.0], vec![2.0, 1.0]]).is_none());
        assert_eq!(Assumptions::defaults().uncertainty.price_cholesky.len(), 8);
    }

    #[test]
    fn a_user_file_overrides_a_subset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        std::fs::write(
            &path,
            "[valuation]\ndiscount_rate_pct = 10.0\n[scenarios.market_2025.oxides]\nnd = 70.0\n",
        )
        .unwrap();
        let a = Assumptions::load(Some(&path)).unwrap();
        assert_eq!(a.valuation.discount_rate_pct, 10.0);
        assert_eq!(a.valuation.default_scenario, "market_2025_12");
        let p = a.prices("market_2025").unwrap();
        assert_eq!(p.oxides[3], 70.0);
        assert_eq!(p.oxides[2], 53.43);
        assert_ne!(a.digest, Assumptions::defaults().digest);
    }

    #[test]
    fn bad_override_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        std::fs::write(&path, "[valuation]\ndiscount_rate_pct = \"ten\"\n").unwrap();
        let e = Assumptions::load(Some(&path)).unwrap_err().to_string();
        // Reported at the user's line 2, not at the merged document's.
        assert!(
            e.contains("a.toml:2:1: valuation.discount_rate_pct: invalid type"),
            "{e}"
        );
        std::fs::write(&path, "[valuation\n").unwrap();
        assert!(
            Assumptions::load(Some(&path))
                .unwrap_err()
                .to_string()
                .contains("not valid TOML")
        );
    }
}
