//! Investment timeline: when each project delivers, the capex a portfolio needs each year,
//! the non-China supply of NdPr and Dy+Tb oxide it adds year by year, and the year a supply
//! target is met. The financing plan built on it is in [`crate::portfolio::plan`].

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::appraisal::Appraisal;
use crate::context::plants::PlantCalendar;
use crate::model::cashflow;
use crate::model::leadtime::StageSpan;
use crate::portfolio::assigned::{Supplier, SupplyLine};
use crate::portfolio::rank::china_linked;
use crate::portfolio::separation::{Allocation, Feed, Separation, Tier};
use crate::read::record::{ProductForm, ProjectRecord, StudyStage};

/// Which oxide a target is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Oxide {
    Ndpr,
    Dytb,
}

/// A supply target: `ndpr=20000t@2032` is 20,000 t/y of NdPr oxide by 2032.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    pub oxide: Oxide,
    /// Tonnes per year.
    pub tonnes: f64,
    pub year: i32,
}

/// A target that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("target {text:?}: {why} (write e.g. ndpr=20000t@2032 or dytb=500t@2030)")]
pub struct TargetError {
    text: String,
    why: &'static str,
}

impl FromStr for Target {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<Target, TargetError> {
        let err = |why| TargetError {
            text: text.to_owned(),
            why,
        };
        let (oxide, rest) = text.split_once('=').ok_or_else(|| err("no '='"))?;
        let oxide = match oxide.trim().to_ascii_lowercase().as_str() {
            "ndpr" => Oxide::Ndpr,
            "dytb" => Oxide::Dytb,
            _ => return Err(err("the oxide is ndpr or dytb")),
        };
        let (tonnes, year) = rest.split_once('@').ok_or_else(|| err("no '@YEAR'"))?;
        let tonnes = tonnes.trim().trim_end_matches(['t', 'T']).replace('_', "");
        let tonnes: f64 = tonnes
            .parse()
            .map_err(|_| err("the tonnage is not a number"))?;
        let year: i32 = year
            .trim()
            .parse()
            .map_err(|_| err("the year is not a whole number"))?;
        if !(tonnes.is_finite() && tonnes > 0.0 && (1900..=2200).contains(&year)) {
            return Err(err(
                "tonnage must be positive and the year between 1900 and 2200",
            ));
        }
        Ok(Target {
            oxide,
            tonnes,
            year,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = match self.oxide {
            Oxide::Ndpr => "ndpr",
            Oxide::Dytb => "dytb",
        };
        write!(f, "{o}={}t@{}", self.tonnes, self.year)
    }
}

/// A first-production year with its spread; null is never (no production by the horizon).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Years {
    /// The base case: the median outcome (null when it is never, or the project is
    /// blocked by a refused, revoked or terminated permit).
    pub base: Option<i32>,
    /// Percentiles of every outcome, never included (P10 early, P90 late).
    pub p10: Option<i32>,
    pub p50: Option<i32>,
    pub p90: Option<i32>,
    /// The year if the project proceeds at its mean pace (the appraisal's
    /// `first_production_year.base`), and its P10 and P90 given that it proceeds.
    pub if_proceeds: i32,
    pub if_proceeds_p10: i32,
    pub if_proceeds_p90: i32,
    /// Why a year is null.
    pub never_reason: Option<String>,
}

/// One project on the calendar. A run of any size keeps of it in memory only its
/// [`CalendarLine`] and its [`Placement`]; the rest waits on disk (issue 21), hence
/// `Deserialize`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectLine {
    pub id: String,
    pub name: String,
    pub stage: Option<String>,
    /// The remaining stages (decimal years).
    pub stages: Vec<StageSpan>,
    pub first_production_year: Years,
    /// Year construction starts (deterministic), when still ahead.
    pub construction_start_year: Option<i32>,
    pub construction_y: u32,
    pub capex_musd: f64,
    /// Output at nameplate counted as non-China supply, t/y (0 when China-linked).
    pub ndpr_t: f64,
    pub dytb_t: f64,
    pub mine_life_y: f64,
    pub chance_of_success: f64,
    /// Chance of reaching first production after the owner's decision, 0 when a refused
    /// permit or revoked licence blocks the project (0-1): the weight of the expected case.
    pub chance_of_production: f64,
    pub china_linked: bool,
    pub valued: bool,
    /// Contained TREO at nameplate, t/y (0 when China-linked or not valued).
    pub treo_t: f64,
    /// The product sold: concentrate, mixed_carbonate or separated_oxides.
    pub product_form: Option<String>,
    /// Share of the project's mined NdPr (else Dy + Tb) over the horizon that plants
    /// outside China separate, base calendar, 0-1 (null when it mines none).
    pub separated_share: Option<f64>,
    /// Plants that take its feed in some year, base calendar (`own` for its own plant).
    pub plants: Vec<String>,
    /// Years in which some of its output finds no plant outside China and is sold to
    /// China (zero non-China supply, China terms), base calendar.
    pub sold_to_china_years: Vec<i32>,
    /// Where its output is separated in its first year at full output (base; for a
    /// project outside the base case, as if it proceeds, on the room the base case leaves):
    /// the terms its valuation uses (null when it mines nothing).
    #[serde(skip_deserializing)]
    pub separation_terms: Option<SeparationTerms>,
    /// Why the project is out of the base case whatever its chance (a refused, revoked or
    /// terminated permit that no dated event revives), if it is.
    pub blocked: Option<String>,
    /// The simulation's NPV P10/P50/P90 and P(NPV>0) (issue 20; null without draws),
    /// flattened into the project's JSON.
    #[serde(flatten)]
    pub npv_spread: crate::portfolio::spread::NpvSpread,
    #[serde(skip)]
    pub(crate) feed: FeedSource,
}

/// The plant a project's output goes to in one year, and on what terms: the hook through
/// which a valuation can use the assigned plant's tolling and freight, or China terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeparationTerms {
    pub year: i32,
    /// The plant taking the largest share (null when none outside China takes any).
    pub plant: Option<String>,
    pub tier: Option<Tier>,
    /// Tolling plus freight at that plant, US$/kg TREO (0 for the project's own plant).
    pub cost_usd_per_kg: Option<f64>,
    /// Geodesic distance to it, km.
    pub distance_km: Option<f64>,
    /// Share of the year's output (NdPr, else Dy+Tb) sold to China for want of a plant,
    /// on China terms (the assumptions' `separation.china_payable_pct` of the basket).
    pub china_share: f64,
    /// `base` (allocated with the base case) or `entrant` (a project outside the base
    /// case, allocated as if it proceeds, after the base case, on the room it leaves).
    pub basis: &'static str,
}

/// What a project's feed needs besides its tonnage: who runs and buys it, and where it is.
#[derive(Debug, Clone, Default)]
pub(crate) struct FeedSource {
    operator: Option<String>,
    offtakers: Vec<String>,
    form: Option<ProductForm>,
    point: Option<geo::Point<f64>>,
    /// A producer's years of nameplate output left from the clock (the appraisal's
    /// `remaining_life_y`), and the clock.
    remaining_life_y: Option<f64>,
    as_of: i32,
}

/// Supply and spend in one calendar year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearRow {
    pub year: i32,
    /// Capex spent that year by the projects still to be built, US$ million.
    pub capex_musd: f64,
    /// Non-China NdPr oxide supply, t: every project at its base, early (P10) and late
    /// (P90) first-production year, and the base weighted by each chance of success.
    pub ndpr_t: Band,
    pub dytb_t: Band,
    /// NdPr and Dy + Tb oxide separated by plants outside China, t (the mined figures
    /// above, after the year's allocation to plants; early and base with plants at their
    /// P50 dates, late with plants at their late dates).
    pub separated_ndpr_t: Band,
    pub separated_dytb_t: Band,
    /// Capacity of the plants outside China this year (P50 dates), t/y of NdPr and of
    /// Dy + Tb: the plants layer (a plant that reports only total REO counts at the
    /// assumed shares) plus the own plants of projects that sell separated oxides (at
    /// their base output that year).
    pub plant_capacity_ndpr_t: f64,
    pub plant_capacity_dytb_t: f64,
    /// Mined minus separated (base): contained oxide sold to China for want of a plant, t.
    pub gap_ndpr_t: f64,
    pub gap_dytb_t: f64,
    /// What limits separated supply this year (base): `plants` when some feed found no
    /// plant outside China, else `mines`.
    pub binding_ndpr: Binding,
    pub binding_dytb: Binding,
    /// Plants at a capacity limit this year (base), by id.
    pub plants_full: Vec<String>,
}

/// The constraint that binds separated supply in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// Every tonne mined is separated outside China: more supply needs more mines.
    Mines,
    /// Some feed found no plant outside China: more supply needs plant capacity.
    Plants,
}

/// A plant on the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct PlantLine {
    pub id: String,
    pub name: String,
    pub operator: Option<String>,
    pub country: Option<String>,
    pub status: String,
    pub access: crate::context::plants::PlantAccess,
    pub start_year: Option<i32>,
    pub start_year_late: Option<i32>,
    /// Capacity in the clock's year and at the horizon (P50 dates), t/y NdPr.
    pub capacity_ndpr_t_now: f64,
    pub capacity_ndpr_t_end: f64,
    /// Years it is full (base).
    pub full_years: Vec<i32>,
    /// NdPr oxide it separates over the horizon (base), t.
    pub separated_ndpr_t: f64,
}

/// Supply under the three calendars and in expectation.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Band {
    pub early: f64,
    pub base: f64,
    pub late: f64,
    pub expected: f64,
}

/// Years a timeline covers from its clock when the user gives no horizon: past the
/// 10-20 years a mine takes from discovery to output, so every stage in the samples shows.
pub const DEFAULT_HORIZON_Y: i32 = 25;

/// The investment timeline of a portfolio, its projects kept as `P`: their lines in memory
/// (the default), or (a run of any size) where they wait on disk.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline<P = Vec<ProjectLine>> {
    pub as_of: i32,
    /// By first production if the project proceeds, then id.
    pub projects: P,
    pub years: Vec<YearRow>,
    pub target: Option<Target>,
    /// First year from which the base supply meets the target and keeps meeting it until
    /// the target year (null if not within the horizon).
    pub target_met_year: Option<i32>,
    /// The same for the chance-weighted supply.
    pub target_met_year_expected: Option<i32>,
    /// The same for mined (contained) supply, as if every tonne mined were separated
    /// outside China.
    pub target_met_year_mined: Option<i32>,
    pub band_note: &'static str,
    /// What "met" means ([`TARGET_MET_RULE`], the plan's too).
    pub target_met_rule: &'static str,
    /// The separation plants outside China and how full they are.
    pub plants: Vec<PlantLine>,
    /// How mine output is assigned to plants each year.
    pub separation_rule: &'static str,
}

/// How mine output is assigned to plants (docs/models.md, "Separation").
pub const SEPARATION_RULE: &str = "each year: own separation for projects selling separated oxides; then named offtake (a plant whose operator or owner is an offtaker), captive feed (a plant the operator owns), and third-party feed to open plants at least tolling plus freight, each within the plant's TREO, NdPr and Dy+Tb capacity; pairs ranked by cost, then project id, then plant id; feed no plant outside China takes is sold to China (no non-China supply, China terms), never queued";

/// The first year from which `supply` meets `target` and keeps meeting it at least until
/// the target year, within `years`.
/// What "target met" means, in `timeline` and `plan` alike (both print it): one rule,
/// [`met_from`], over separated supply on the base calendar.
pub const TARGET_MET_RULE: &str = "a target is met in the first year from which separated supply outside China on the base calendar (each project at its median outcome, plants at their P50 dates) reaches the target and keeps reaching it through the target year; the timeline counts every project of the input, the plan its baseline (producing or under construction) and what it finances (from its planned first production)";

pub(crate) fn met_from(
    years: std::ops::RangeInclusive<i32>,
    target: Target,
    supply: impl Fn(i32) -> f64,
) -> Option<i32> {
    let end = *years.end();
    years
        .clone()
        .find(|y| (*y..=target.year.max(*y).min(end)).all(|z| supply(z) >= target.tonnes))
}

/// Share of nameplate produced in the `k`-th production year (0-based): the schedule's own
/// production profile ([`cashflow::production_shares`]).
fn share(k: i32, ramp: &[f64], life: f64) -> f64 {
    usize::try_from(k)
        .ok()
        .and_then(|k| cashflow::production_shares(ramp, life).nth(k))
        .unwrap_or(0.0)
}

impl ProjectLine {
    /// The line of appraisal `p` of record `rec`, before the allocation fills in its
    /// plants ([`timeline_of`]).
    pub fn of(p: &Appraisal, rec: &ProjectRecord) -> ProjectLine {
        ProjectLine::new(p, Some(rec))
    }

    pub(crate) fn new(p: &Appraisal, rec: Option<&ProjectRecord>) -> ProjectLine {
        let feed = FeedSource::new(p, rec);
        let o = &p.first_production;
        let china = rec.is_some_and(china_linked);
        let supply = |t: Option<f64>| {
            if china || !p.valued {
                0.0
            } else {
                t.unwrap_or(0.0)
            }
        };
        let lt = &p.lead_time;
        ProjectLine {
            id: p.id.clone(),
            name: p.name.clone(),
            stage: p.stage.clone(),
            stages: lt.stages.clone(),
            first_production_year: Years {
                base: o.base_case_year,
                p10: o.p10.year,
                p50: o.p50.year,
                p90: o.p90.year,
                if_proceeds: p.first_production_year.base,
                if_proceeds_p10: o.if_produces.p10_year,
                if_proceeds_p90: o.if_produces.p90_year,
                never_reason: o.blocked.clone().or_else(|| o.never_reason.clone()),
            },
            construction_start_year: lt
                .stages
                .iter()
                .find(|s| s.stage == StudyStage::Construction)
                .map(|s| s.start.floor() as i32),
            construction_y: p.construction_y.unwrap_or(3),
            capex_musd: if p.valued {
                p.capex_musd.unwrap_or(0.0)
            } else {
                0.0
            },
            ndpr_t: supply(p.annual_ndpr_t),
            dytb_t: supply(p.annual_dytb_t),
            mine_life_y: p.mine_life_y.unwrap_or(0.0),
            chance_of_success: p.chance_of_success,
            chance_of_production: if o.blocked.is_some() {
                0.0
            } else {
                o.chance_of_production
            },
            china_linked: china,
            valued: p.valued,
            treo_t: supply(p.annual_treo_t),
            product_form: p.product_form.clone(),
            separated_share: None,
            plants: Vec::new(),
            sold_to_china_years: Vec::new(),
            separation_terms: None,
            blocked: o.blocked.clone(),
            npv_spread: crate::portfolio::spread::NpvSpread::of(p),
            feed,
        }
    }

    /// What the allocation needs of its output.
    pub(crate) fn output(&self) -> Output<'_> {
        Output {
            id: &self.id,
            ndpr_t: self.ndpr_t,
            dytb_t: self.dytb_t,
            treo_t: self.treo_t,
            mine_life_y: self.mine_life_y,
            feed: &self.feed,
        }
    }

    /// This project's feed in `year` ([`Output::feed_in`]).
    pub(crate) fn feed_in(
        &self,
        year: i32,
        first: Option<i32>,
        ramp: &[f64],
        weight: f64,
    ) -> Option<Feed> {
        self.output().feed_in(year, first, ramp, weight)
    }
}

/// What the timeline's allocation and capex need of a project (about 240 bytes with its
/// heap): the first allocation pass's [`SupplyLine`] (id, base and if-proceeds dates,
/// output, feed source) with the other calendars' dates and the capex, kept in memory for
/// every project of a run of any size while the rest of its [`ProjectLine`] waits on disk
/// (issue 21).
#[derive(Debug, Clone)]
pub struct CalendarLine {
    supply: SupplyLine,
    /// First production at P10 and P90 (`None`: never).
    p10: Option<i32>,
    p90: Option<i32>,
    /// The weight of its output in the expected case (0-1).
    chance_of_production: f64,
    construction_start_year: Option<i32>,
    /// Years of construction.
    construction_y: u32,
    /// US$ million real, spread evenly over the construction years.
    capex_musd: f64,
}

impl CalendarLine {
    /// The calendar part of `l`.
    pub fn of(l: &ProjectLine) -> CalendarLine {
        let y = &l.first_production_year;
        CalendarLine {
            supply: SupplyLine::of_line(l),
            p10: y.p10,
            p90: y.p90,
            chance_of_production: l.chance_of_production,
            construction_start_year: l.construction_start_year,
            construction_y: l.construction_y,
            capex_musd: l.capex_musd,
        }
    }

    /// The project's id.
    pub fn id(&self) -> &str {
        self.supply.id()
    }

    /// What the first allocation pass would keep of it.
    pub(crate) fn supply(&self) -> &SupplyLine {
        &self.supply
    }

    /// First production in the base case and if it proceeds.
    fn base(&self) -> Option<i32> {
        self.supply.base_year()
    }
    fn if_proceeds(&self) -> i32 {
        self.supply.if_proceeds_year()
    }
}

/// What the timeline's allocation finds of a project on the base calendar: the fields of
/// its [`ProjectLine`] that [`calendar`] fills in.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    separated_share: Option<f64>,
    plants: Vec<String>,
    sold_to_china_years: Vec<i32>,
    separation_terms: Option<SeparationTerms>,
}

/// A timeline's projects wherever they are kept (in memory, or on disk for a run of any
/// size), read in the timeline's order.
pub trait ProjectLines {
    /// Calls `each` with every line in order; stops at the first error.
    fn try_each(
        &self,
        each: &mut dyn FnMut(&ProjectLine) -> std::io::Result<()>,
    ) -> std::io::Result<()>;
}

impl ProjectLines for Vec<ProjectLine> {
    fn try_each(
        &self,
        each: &mut dyn FnMut(&ProjectLine) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.iter().try_for_each(each)
    }
}

impl Placement {
    /// Fills in `l`'s placement.
    pub fn place(self, l: &mut ProjectLine) {
        l.separated_share = self.separated_share;
        l.plants = self.plants;
        l.sold_to_china_years = self.sold_to_china_years;
        l.separation_terms = self.separation_terms;
    }
}

impl FeedSource {
    /// The site's point (WGS84), when the record has one.
    pub(crate) fn point(&self) -> Option<geo::Point<f64>> {
        self.point
    }

    /// The feed source of appraisal `p` of record `rec` (none: no owners, no site).
    pub(crate) fn new(p: &Appraisal, rec: Option<&ProjectRecord>) -> FeedSource {
        FeedSource {
            operator: rec.and_then(|r| r.ownership.operator.clone()),
            offtakers: rec
                .map(|r| r.ownership.offtakers.clone())
                .unwrap_or_default(),
            form: p.product_form.as_deref().and_then(ProductForm::parse),
            point: rec.and_then(|r| r.site_point()),
            remaining_life_y: p.remaining_life_y,
            as_of: p.lead_time.as_of,
        }
    }
}

/// A project's output as the allocation needs it, whoever keeps the project (the
/// timeline's [`ProjectLine`] or the first allocation pass's compact line).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output<'a> {
    pub id: &'a str,
    /// Nameplate output counted as non-China supply, t/y (0 when China-linked).
    pub ndpr_t: f64,
    pub dytb_t: f64,
    /// Contained TREO at nameplate, t/y (0: the NdPr plus Dy + Tb stand for it).
    pub treo_t: f64,
    /// Years of nameplate output.
    pub mine_life_y: f64,
    pub feed: &'a FeedSource,
}

impl Output<'_> {
    /// Nameplate years of output counted from first production in `first`: the mine life,
    /// or for a producer (first production before the clock) what it produced by the clock
    /// plus the remaining life its valuation counts, so that a mine that has run for
    /// fifteen years of a twenty-year plan and reports twenty more keeps producing.
    fn life_from(&self, first: i32, ramp: &[f64]) -> f64 {
        match self.feed.remaining_life_y {
            Some(left) if first < self.feed.as_of => {
                let run = usize::try_from(self.feed.as_of - first).unwrap_or(0);
                let produced: f64 = cashflow::production_shares(ramp, f64::INFINITY)
                    .take(run)
                    .sum();
                produced + left.max(0.0)
            }
            _ => self.mine_life_y,
        }
    }

    /// This project's feed with no output: what the allocation needs of it whatever the
    /// year (its id, owners, product form and site).
    pub(crate) fn feed_facts(&self) -> Feed {
        Feed {
            operator: self.feed.operator.clone(),
            offtakers: self.feed.offtakers.clone(),
            ..self.bare(0.0, 0.0, 0.0)
        }
    }

    /// The feed of `treo`, `ndpr` and `dytb` t without its owners: enough for
    /// [`PairFacts::allocate_year`](crate::portfolio::separation::PairFacts::allocate_year),
    /// which has them.
    fn bare(&self, treo: f64, ndpr: f64, dytb: f64) -> Feed {
        Feed {
            id: self.id.to_owned(),
            operator: None,
            offtakers: Vec::new(),
            form: self.feed.form.unwrap_or(ProductForm::Concentrate),
            point: self.feed.point,
            treo_t: treo,
            ndpr_t: ndpr,
            dytb_t: dytb,
            own_plant: false,
        }
    }

    /// Contained TREO, NdPr and Dy + Tb oxide in `year` with first production in `first`,
    /// weighted by `weight`, t; `None` when it produces nothing (or first production is
    /// never).
    fn tonnes_in(
        &self,
        year: i32,
        first: Option<i32>,
        ramp: &[f64],
        weight: f64,
    ) -> Option<(f64, f64, f64)> {
        let first = first?;
        let k = share(year - first, ramp, self.life_from(first, ramp)) * weight;
        let (ndpr, dytb) = (self.ndpr_t * k, self.dytb_t * k);
        if ndpr <= 0.0 && dytb <= 0.0 {
            return None;
        }
        let treo = if self.treo_t > 0.0 {
            self.treo_t * k
        } else {
            ndpr + dytb
        };
        Some((treo, ndpr, dytb))
    }

    /// This project's feed in `year` with first production in `first`, weighted by
    /// `weight` (1, or the chance of success); `None` when it produces nothing (or its
    /// first production is never).
    pub(crate) fn feed_in(
        &self,
        year: i32,
        first: Option<i32>,
        ramp: &[f64],
        weight: f64,
    ) -> Option<Feed> {
        self.tonnes_in(year, first, ramp, weight)
            .map(|(treo, ndpr, dytb)| Feed {
                operator: self.feed.operator.clone(),
                offtakers: self.feed.offtakers.clone(),
                ..self.bare(treo, ndpr, dytb)
            })
    }

    /// [`Output::feed_in`] without the owners, for an allocation with
    /// [`PairFacts`](crate::portfolio::separation::PairFacts), which has them.
    pub(crate) fn bare_feed_in(
        &self,
        year: i32,
        first: Option<i32>,
        ramp: &[f64],
        weight: f64,
    ) -> Option<Feed> {
        self.tonnes_in(year, first, ramp, weight)
            .map(|(treo, ndpr, dytb)| self.bare(treo, ndpr, dytb))
    }
}

/// A year's allocation on one calendar, reduced to its sums.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    mined_ndpr_t: f64,
    mined_dytb_t: f64,
    separated_ndpr_t: f64,
    separated_dytb_t: f64,
}

impl Sums {
    fn of(a: &Allocation) -> Sums {
        Sums {
            mined_ndpr_t: a.mined_ndpr_t(),
            mined_dytb_t: a.mined_dytb_t(),
            separated_ndpr_t: a.separated_ndpr_t(),
            separated_dytb_t: a.separated_dytb_t(),
        }
    }
}

/// A year's four calendars: early (projects at P10, plants at P50), base (both at
/// base/P50), late (projects at P90, plants late) and expected (base feed weighted by each
/// chance of production, at the year a project would produce if it proceeds).
#[derive(Clone, Copy)]
enum Calendar {
    Early,
    Base,
    Late,
    Expected,
}

impl Calendar {
    fn plants(self) -> PlantCalendar {
        match self {
            Calendar::Late => PlantCalendar::Late,
            _ => PlantCalendar::P50,
        }
    }

    /// A project's first production on this calendar and the weight of its output.
    fn first(self, l: &CalendarLine) -> (Option<i32>, f64) {
        match self {
            Calendar::Early => (l.p10, 1.0),
            Calendar::Base => (l.base(), 1.0),
            Calendar::Late => (l.p90, 1.0),
            Calendar::Expected => (Some(l.if_proceeds()), l.chance_of_production),
        }
    }
}

/// Below this many tonnes a year, feed sold to China does not make plants the binding
/// constraint (rounding of shares).
const BINDING_TOLERANCE_T: f64 = 0.5;

/// Builds the timeline of appraised projects over `horizon` years from `as_of`, with each
/// year's mine output allocated to the plants of `sep`.
pub fn timeline(
    projects: &[Appraisal],
    records: &[ProjectRecord],
    as_of: i32,
    horizon: i32,
    ramp: &[f64],
    target: Option<Target>,
    sep: &Separation,
) -> Timeline {
    let by_id: BTreeMap<&str, &ProjectRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let lines: Vec<ProjectLine> = projects
        .iter()
        .map(|p| ProjectLine::new(p, by_id.get(p.id.as_str()).copied()))
        .collect();
    timeline_of(lines, as_of, horizon, ramp, target, sep)
}

/// [`timeline`] of the projects' lines ([`ProjectLine::of`], in any order) alone.
pub fn timeline_of(
    lines: Vec<ProjectLine>,
    as_of: i32,
    horizon: i32,
    ramp: &[f64],
    target: Option<Target>,
    sep: &Separation,
) -> Timeline {
    let calendar_lines: Vec<CalendarLine> = lines.iter().map(CalendarLine::of).collect();
    let (t, placed) = calendar(&calendar_lines, as_of, horizon, ramp, target, sep);
    drop(calendar_lines);
    let mut lines: Vec<Option<ProjectLine>> = lines
        .into_iter()
        .zip(placed)
        .map(|(mut l, p)| {
            p.place(&mut l);
            Some(l)
        })
        .collect();
    let order = t.projects.clone();
    t.with_projects(
        order
            .into_iter()
            .filter_map(|row| lines[row].take())
            .collect(),
    )
}

/// The timeline of the projects' calendar lines (in any order; what a streamed run keeps
/// of each appraisal and record, issue 21): its projects the rows of `lines` in the
/// timeline's order, and what the allocation finds of each row.
pub fn calendar(
    lines: &[CalendarLine],
    as_of: i32,
    horizon: i32,
    ramp: &[f64],
    target: Option<Target>,
    sep: &Separation,
) -> (Timeline<Vec<usize>>, Vec<Placement>) {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&lines[a], &lines[b]);
        a.if_proceeds()
            .cmp(&b.if_proceeds())
            .then_with(|| a.id().cmp(b.id()))
    });
    // Each year's feeds in id order (the order of the allocation's outcomes), each the row
    // of its line; distances and owners once for the run.
    let mut by_id: Vec<usize> = (0..lines.len()).collect();
    by_id.sort_by(|a, b| lines[*a].id().cmp(lines[*b].id()));
    let facts = crate::portfolio::separation::PairFacts::of(
        by_id.len(),
        |k| std::borrow::Cow::Owned(lines[by_id[k]].supply.output().feed_facts()),
        sep,
    );
    // The year's allocation on calendar `cal`, the row of each of its feeds beside it.
    let allocate = |year: i32, cal: Calendar| -> (Allocation, Vec<usize>) {
        let (ks, mut feeds): (Vec<usize>, Vec<Feed>) = by_id
            .iter()
            .enumerate()
            .filter_map(|(k, &row)| {
                let l = &lines[row];
                let (first, weight) = cal.first(l);
                l.supply
                    .output()
                    .bare_feed_in(year, first, ramp, weight)
                    .map(|f| (k, f))
            })
            .unzip();
        let a = facts.allocate_year(sep, &mut feeds, &ks, year, cal.plants(), as_of);
        (a, ks.into_iter().map(|k| by_id[k]).collect())
    };
    let band = |s: &[Sums; 4], f: fn(&Sums) -> f64| Band {
        early: f(&s[0]),
        base: f(&s[1]),
        late: f(&s[2]),
        expected: f(&s[3]),
    };
    // By row: NdPr mined and separated, Dy + Tb mined and separated over the horizon, t.
    let mut per_project = vec![[0.0f64; 4]; lines.len()];
    let mut placed = vec![Placement::default(); lines.len()];
    let mut plant_full: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    let mut plant_ndpr: BTreeMap<String, f64> = BTreeMap::new();
    let mut collector = crate::portfolio::assigned::TermsCollector::new(lines.len());
    let mut years: Vec<YearRow> = Vec::new();
    for year in as_of..=as_of + horizon {
        let sums = |cal| Sums::of(&allocate(year, cal).0);
        let (early, late, expected) = (
            sums(Calendar::Early),
            sums(Calendar::Late),
            sums(Calendar::Expected),
        );
        let (base, rows) = allocate(year, Calendar::Base);
        collector.observe(year, &base, &rows, sep);
        for (f, &row) in base.feeds.iter().zip(&rows) {
            let e = &mut per_project[row];
            e[0] += f.mined_ndpr_t;
            e[1] += f.separated_ndpr_t;
            e[2] += f.mined_dytb_t;
            e[3] += f.separated_dytb_t;
            let l = &mut placed[row];
            for asg in &f.assignments {
                let p = asg.plant.as_deref().unwrap_or("own");
                if let Err(at) = l.plants.binary_search_by(|q| q.as_str().cmp(p)) {
                    l.plants.insert(at, p.to_owned());
                }
            }
            let mined = f.mined_ndpr_t + f.mined_dytb_t;
            if f.to_china_ndpr_t + f.to_china_dytb_t > 1e-3 * mined.max(1.0) {
                l.sold_to_china_years.push(year);
            }
        }
        let mut full = Vec::new();
        for p in &base.plants {
            *plant_ndpr.entry(p.id.clone()).or_default() += p.ndpr_t;
            if p.full {
                full.push(p.id.clone());
                plant_full.entry(p.id.clone()).or_default().push(year);
            }
        }
        let caps = sep.capacities(year, PlantCalendar::P50, as_of);
        // Projects that separate their own output bring their own plant.
        let own = base
            .feeds
            .iter()
            .flat_map(|f| &f.assignments)
            .filter(|x| x.tier == Tier::Own)
            .fold((0.0, 0.0), |acc, x| (acc.0 + x.ndpr_t, acc.1 + x.dytb_t));
        // Summed in the timeline's order (the order of the sum sets its last digits).
        let capex = order
            .iter()
            .map(|&row| &lines[row])
            .filter_map(|l| {
                let start = l.construction_start_year?;
                let c = l.construction_y.max(1) as i32;
                (year >= start && year < start + c).then(|| l.capex_musd / f64::from(c))
            })
            .sum();
        let binding = |china: f64| {
            if china > BINDING_TOLERANCE_T {
                Binding::Plants
            } else {
                Binding::Mines
            }
        };
        let s = [early, Sums::of(&base), late, expected];
        years.push(YearRow {
            year,
            capex_musd: capex,
            ndpr_t: band(&s, |s| s.mined_ndpr_t),
            dytb_t: band(&s, |s| s.mined_dytb_t),
            separated_ndpr_t: band(&s, |s| s.separated_ndpr_t),
            separated_dytb_t: band(&s, |s| s.separated_dytb_t),
            plant_capacity_ndpr_t: sep.ndpr_capacity_t(&caps) + own.0,
            plant_capacity_dytb_t: sep.dytb_capacity_t(&caps) + own.1,
            gap_ndpr_t: base.to_china_ndpr_t(),
            gap_dytb_t: base.to_china_dytb_t(),
            binding_ndpr: binding(base.to_china_ndpr_t()),
            binding_dytb: binding(base.to_china_dytb_t()),
            plants_full: full,
        });
    }
    drop(facts);
    let terms = collector.finish(lines, sep);
    for ((l, t), [mn, sn, md, sd]) in placed.iter_mut().zip(terms).zip(per_project) {
        l.separated_share = if mn > 0.0 {
            Some(sn / mn)
        } else if md > 0.0 {
            Some(sd / md)
        } else {
            None
        };
        l.separation_terms = t.map(|t| t.terms(sep));
    }
    let plants = sep
        .plants
        .iter()
        .filter(|p| p.separates())
        .map(|p| {
            let cap = |year| {
                let c = p.capacity_in(year, PlantCalendar::P50, as_of, sep.utilisation, &sep.ramp);
                sep.ndpr_capacity_t(&[(p, c)])
            };
            PlantLine {
                id: p.id.clone(),
                name: p.name.clone(),
                operator: p.operator.clone(),
                country: p.country.clone(),
                status: p.status.clone(),
                access: p.access,
                start_year: p.start_year,
                start_year_late: p.start_year_late,
                capacity_ndpr_t_now: cap(as_of),
                capacity_ndpr_t_end: cap(as_of + horizon),
                full_years: plant_full.remove(&p.id).unwrap_or_default(),
                separated_ndpr_t: plant_ndpr.get(&p.id).copied().unwrap_or(0.0),
            }
        })
        .collect();
    fn sep_of(y: &YearRow, o: Oxide) -> Band {
        match o {
            Oxide::Ndpr => y.separated_ndpr_t,
            Oxide::Dytb => y.separated_dytb_t,
        }
    }
    fn mined_of(y: &YearRow, o: Oxide) -> Band {
        match o {
            Oxide::Ndpr => y.ndpr_t,
            Oxide::Dytb => y.dytb_t,
        }
    }
    let met = |pick: fn(&YearRow, Oxide) -> f64| {
        target.and_then(|t| {
            met_from(as_of..=as_of + horizon, t, |year| {
                pick(&years[(year - as_of) as usize], t.oxide)
            })
        })
    };
    let t = Timeline {
        as_of,
        target_met_year: met(|y, o| sep_of(y, o).base),
        target_met_year_expected: met(|y, o| sep_of(y, o).expected),
        target_met_year_mined: met(|y, o| mined_of(y, o).base),
        projects: order,
        years,
        target,
        target_met_rule: TARGET_MET_RULE,
        band_note: "base puts every project at its median outcome (never for a project whose chance of production is below one half, or whose permit was refused, revoked or terminated); early and late put every project at its own P10 and P90 outcome at once (never counts no supply; late also puts every plant at its late date): a bound for the portfolio, not its percentiles; expected weights the supply at the year a project would produce if it proceeds by its chance of success",
        plants,
        separation_rule: SEPARATION_RULE,
    };
    (t, placed)
}

impl<P> Timeline<P> {
    /// The same timeline with its projects kept as `projects`.
    pub fn with_projects<Q>(self, projects: Q) -> Timeline<Q> {
        Timeline {
            as_of: self.as_of,
            projects,
            years: self.years,
            target: self.target,
            target_met_year: self.target_met_year,
            target_met_year_expected: self.target_met_year_expected,
            target_met_year_mined: self.target_met_year_mined,
            band_note: self.band_note,
            target_met_rule: self.target_met_rule,
            plants: self.plants,
            separation_rule: self.separation_rule,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        let t: Target = "ndpr=20000t@2032".parse().unwrap();
        assert_eq!(
            t,
            Target {
                oxide: Oxide::Ndpr,
                tonnes: 20000.0,
                year: 2032
            }
        );
        assert_eq!(t.to_string(), "ndpr=20000t@2032");
        assert!(
            "DyTb = 500 t @ 2030"
                .replace(' ', "")
                .parse::<Target>()
                .is_ok()
        );
        assert!("ndpr=lots@2032".parse::<Target>().is_err());
        assert!("ndpr=100t".parse::<Target>().is_err());
        assert!("gold=100t@2030".parse::<Target>().is_err());
    }

    #[test]
    fn ramp_then_nameplate_until_the_plan_is_used() {
        let ramp = [0.5, 0.8];
        let shares: Vec<f64> = (-1..6).map(|k| share(k, &ramp, 3.0)).collect();
        // 0.5 + 0.8 + 1 + 0.7 = 3 nameplate-years.
        let expect = [0.0, 0.5, 0.8, 1.0, 0.7, 0.0, 0.0];
        for (a, b) in shares.iter().zip(expect) {
            assert!((a - b).abs() < 1e-12, "{shares:?}");
        }
    }
}
