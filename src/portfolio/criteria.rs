//! What the rankings need of each project, and nothing more: a few numbers and labels per
//! project ([`Criteria`]), taken from its appraisal and record as it is appraised, so that
//! a run of any size keeps these in memory instead of every appraisal (issue 21). The
//! percentile ranking ([`super::rank`]), the committee ranking ([`super::committee`]),
//! the Pareto front and the screens all work on them alone.
//!
//! The screens ([`Screen`]) are the one mechanism by which a run leaves projects out of
//! both rankings: `rank`'s `--commodity`, `--regime`, `--country` and `--max-years` are
//! screens (`commodity=`, `regime=`, `country=`, `years<=`) like `--screen`'s.
//!
//! Criteria are also the unit of a sharded run: each shard writes its projects' criteria
//! as JSON lines ([`write_shard`]), and `prospect merge` ranks the union of the shards
//! ([`read_shard`]) exactly as one run over every record would.

use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::appraisal::{Appraisal, report_order};
use crate::assumptions::RankSubscores;
use crate::model::provenance::Origin;
use crate::read::record::{Commodity, ProcessingRoute, ProjectRecord, Regime, StudyStage};

use super::committee::CommitteeInputs;

/// Where a project's output is processed, as the supply criterion scores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Integrated, or separated outside China.
    OutsideChina,
    /// Separated in China.
    China,
    /// Not given.
    Unknown,
}

/// One project's ranking criteria as given and as a shard writes them: every figure the
/// percentile and committee rankings, their screens and the Pareto front read (units as
/// in the appraisal). A run keeps them compacted, as [`Criteria`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriteriaFields {
    pub id: String,
    pub name: String,
    /// Canonical commodity, regime and country (ISO alpha-2), when known.
    pub commodity: Option<String>,
    pub regime: Option<String>,
    pub country: Option<String>,
    /// NPV (base case), risked NPV, the owner's NPV, US$ million real.
    pub npv_musd: Option<f64>,
    pub risked_npv_musd: Option<f64>,
    pub owner_npv_musd: Option<f64>,
    /// NPV over capex (ratio), IRR (%), capex (US$ million real).
    pub npv_to_capex: Option<f64>,
    pub irr_pct: Option<f64>,
    pub capex_musd: Option<f64>,
    /// Years to first production at P50 and P90 (base without a simulation), 0 for a
    /// producer.
    pub years_p50: f64,
    pub years_p90: f64,
    /// Chance of success, 0-1.
    pub chance_of_success: f64,
    /// NdPr and Dy+Tb oxide at nameplate, t/y (before the China test).
    pub annual_ndpr_t: Option<f64>,
    pub annual_dytb_t: Option<f64>,
    pub route: Route,
    /// The record declares a Chinese owner or offtaker.
    pub owner_china_linked: bool,
    /// ... or separation in China.
    pub china_linked: bool,
    /// The study stage's place from exploration (0) to production (9).
    pub stage_index: Option<u8>,
    /// The resource's confidence sub-criterion: 0 with a reserve, else minus the
    /// inferred (and unclassified) share, -1 with no resource.
    pub resource_score: f64,
    /// Share of the model's inputs the record gives (0 when not valued).
    pub given_share: f64,
    pub byproducts_unpriced: Vec<String>,
    /// The simulation's spread the ranking carries (issue 20).
    pub spread: super::spread::Spread,
    /// What the committee ranking scores (none when built for the percentile ranking
    /// only).
    pub committee: Option<CommitteeInputs>,
}

impl CriteriaFields {
    /// The criteria of appraisal `p` of record `r`; with `ranges` (usual grade ranges by
    /// deposit type, % TREO) also the committee's inputs.
    pub fn new(
        p: &Appraisal,
        r: &ProjectRecord,
        ranges: Option<&std::collections::BTreeMap<String, [f64; 2]>>,
    ) -> CriteriaFields {
        let res = &r.geology.resource;
        let inferred = res.inferred_mt.unwrap_or(0.0) + res.unclassified_mt.unwrap_or(0.0);
        let total = res.total_mt().unwrap_or(0.0);
        let all = p.provenance.origins().count().max(1) as f64;
        let given = p
            .provenance
            .origins()
            .filter(|(_, o)| *o == Origin::Given)
            .count() as f64;
        CriteriaFields {
            id: p.id.clone(),
            name: p.name.clone(),
            commodity: p.commodity.clone(),
            regime: p.regime.clone(),
            country: p.country.clone(),
            npv_musd: p.npv_musd.base,
            risked_npv_musd: p.risked_npv_musd,
            owner_npv_musd: p.owner.as_ref().map(|o| o.npv_musd),
            npv_to_capex: p.npv_to_capex,
            irr_pct: p.irr_pct,
            capex_musd: p.capex_musd,
            years_p50: super::rank::years_p50(p),
            years_p90: super::rank::years_p90(p),
            chance_of_success: p.chance_of_success,
            annual_ndpr_t: p.annual_ndpr_t,
            annual_dytb_t: p.annual_dytb_t,
            route: match r.ownership.processing_route {
                Some(ProcessingRoute::Integrated | ProcessingRoute::NonChina) => {
                    Route::OutsideChina
                }
                Some(ProcessingRoute::China) => Route::China,
                _ => Route::Unknown,
            },
            owner_china_linked: r.ownership.china_linked(),
            china_linked: super::rank::china_linked(r),
            stage_index: r
                .development
                .stage
                .map(|s| StudyStage::ALL.iter().position(|x| *x == s).unwrap_or(0) as u8),
            resource_score: if res.reserve_mt.is_some() {
                0.0
            } else if total > 0.0 {
                -inferred / total
            } else {
                -1.0
            },
            given_share: if p.valued { given / all } else { 0.0 },
            byproducts_unpriced: p.byproducts_unpriced.clone(),
            spread: super::spread::Spread::of(p),
            committee: ranges.map(|g| super::committee::inputs(p, r, g)),
        }
    }
}

/// An optional number in eight bytes: its bits, or [`Num::NONE`] for none. Every finite,
/// infinite and NaN value an arithmetic operation or a parser makes is kept bit for bit
/// (they never make the signalling NaN `NONE` is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Num(u64);

impl Num {
    /// A signalling NaN with a payload of its own, which stands for none.
    const NONE: u64 = 0x7ff4_0000_0000_0d1e;

    fn of(v: Option<f64>) -> Num {
        Num(v.map_or(Num::NONE, f64::to_bits))
    }

    fn get(self) -> Option<f64> {
        (self.0 != Num::NONE).then(|| f64::from_bits(self.0))
    }
}

/// An optional calendar year in four bytes (`i32::MIN`, no year of any horizon, for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Year(i32);

impl Year {
    fn of(v: Option<i32>) -> Year {
        Year(v.unwrap_or(i32::MIN))
    }

    fn get(self) -> Option<i32> {
        (self.0 != i32::MIN).then_some(self.0)
    }
}

/// A table of the distinct values a run's criteria share (labels, lists of by-products),
/// each kept once for the life of the process and named by its place.
struct Interner<T: ?Sized + 'static> {
    items: Vec<&'static T>,
    index: std::collections::HashMap<&'static T, u32>,
}

impl<T: ?Sized + Eq + std::hash::Hash + 'static> Interner<T> {
    fn new() -> Self {
        Interner {
            items: Vec::new(),
            index: std::collections::HashMap::new(),
        }
    }
}

/// The place of `v` in `table` (1 first), adding it (made by `keep`) when new.
fn intern<T: ?Sized + Eq + std::hash::Hash + 'static>(
    table: &std::sync::RwLock<Interner<T>>,
    v: &T,
    keep: impl FnOnce() -> &'static T,
) -> std::num::NonZeroU32 {
    let at = |i: u32| std::num::NonZeroU32::new(i + 1).expect("a place plus one");
    if let Some(&i) = table.read().unwrap_or_else(|e| e.into_inner()).index.get(v) {
        return at(i);
    }
    let mut t = table.write().unwrap_or_else(|e| e.into_inner());
    if let Some(&i) = t.index.get(v) {
        return at(i);
    }
    let kept = keep();
    let i = u32::try_from(t.items.len()).expect("fewer than 2^32 distinct values");
    t.items.push(kept);
    t.index.insert(kept, i);
    at(i)
}

fn interned<T: ?Sized + 'static>(
    table: &std::sync::RwLock<Interner<T>>,
    at: std::num::NonZeroU32,
) -> &'static T {
    table.read().unwrap_or_else(|e| e.into_inner()).items[at.get() as usize - 1]
}

static LABELS: std::sync::LazyLock<std::sync::RwLock<Interner<str>>> =
    std::sync::LazyLock::new(|| std::sync::RwLock::new(Interner::new()));

static LISTS: std::sync::LazyLock<std::sync::RwLock<Interner<[String]>>> =
    std::sync::LazyLock::new(|| std::sync::RwLock::new(Interner::new()));

/// A label (commodity, regime, country) kept once per distinct value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Label(std::num::NonZeroU32);

impl Label {
    fn of(v: Option<&str>) -> Option<Label> {
        v.map(|v| Label(intern(&LABELS, v, || Box::leak(v.into()))))
    }

    fn get(self) -> &'static str {
        interned(&LABELS, self.0)
    }
}

/// A list of by-product names, kept once per distinct list; none for an empty one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct List(Option<std::num::NonZeroU32>);

impl List {
    fn of(v: &[String]) -> List {
        List((!v.is_empty()).then(|| intern(&LISTS, v, || Box::leak(v.to_vec().into()))))
    }

    fn get(self) -> &'static [String] {
        self.0.map_or(&[], |i| interned(&LISTS, i))
    }
}

/// The committee's inputs, compacted: the share of given inputs and the stage are the
/// criteria's own.
#[derive(Debug, Clone, PartialEq)]
struct Committee {
    economics_value_musd: Num,
    jurisdiction_multiplier: f64,
    resource_confidence: Num,
    grade_position: Num,
    magnet_share_pct: Num,
    offtakers: u32,
    state_sponsor: bool,
    radioactive: bool,
    u3o8_ppm: Num,
    tho2_ppm: Num,
}

/// One project's ranking criteria ([`CriteriaFields`]) as a run keeps them, in about 250
/// bytes: optional numbers in eight bytes, labels and by-product lists kept once per
/// distinct value, the id and name in one allocation. Reads and writes as
/// [`CriteriaFields`] (a shard's line), every number bit for bit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "CriteriaFields", into = "CriteriaFields")]
pub struct Criteria {
    /// The id, then the name.
    text: Box<str>,
    id_len: u32,
    commodity: Option<Label>,
    regime: Option<Label>,
    country: Option<Label>,
    byproducts_unpriced: List,
    /// Risked NPV, US$ million real.
    pub risked_npv_musd: Option<f64>,
    npv_musd: Num,
    owner_npv_musd: Num,
    npv_to_capex: Num,
    irr_pct: Num,
    capex_musd: Num,
    annual_ndpr_t: Num,
    annual_dytb_t: Num,
    /// Years to first production at P50 and P90 (base without a simulation), 0 for a
    /// producer.
    pub years_p50: f64,
    pub years_p90: f64,
    /// Chance of success, 0-1.
    pub chance_of_success: f64,
    /// The resource's confidence sub-criterion: 0 with a reserve, else minus the
    /// inferred (and unclassified) share, -1 with no resource.
    pub resource_score: f64,
    /// Share of the model's inputs the record gives (0 when not valued).
    pub given_share: f64,
    spread_npv: [Num; 4],
    spread_first_production: [Year; 2],
    /// Boxed: only the committee ranking builds it, so the percentile ranking's criteria
    /// stay small.
    committee: Option<Box<Committee>>,
    pub route: Route,
    /// The record declares a Chinese owner or offtaker.
    pub owner_china_linked: bool,
    /// ... or separation in China.
    pub china_linked: bool,
    /// The study stage's place from exploration (0) to production (9).
    pub stage_index: Option<u8>,
}

impl From<CriteriaFields> for Criteria {
    fn from(f: CriteriaFields) -> Criteria {
        let mut text = String::with_capacity(f.id.len() + f.name.len());
        text.push_str(&f.id);
        text.push_str(&f.name);
        let s = f.spread;
        Criteria {
            text: text.into(),
            id_len: u32::try_from(f.id.len()).expect("an id under 4 GB"),
            commodity: Label::of(f.commodity.as_deref()),
            regime: Label::of(f.regime.as_deref()),
            country: Label::of(f.country.as_deref()),
            byproducts_unpriced: List::of(&f.byproducts_unpriced),
            risked_npv_musd: f.risked_npv_musd,
            npv_musd: Num::of(f.npv_musd),
            owner_npv_musd: Num::of(f.owner_npv_musd),
            npv_to_capex: Num::of(f.npv_to_capex),
            irr_pct: Num::of(f.irr_pct),
            capex_musd: Num::of(f.capex_musd),
            annual_ndpr_t: Num::of(f.annual_ndpr_t),
            annual_dytb_t: Num::of(f.annual_dytb_t),
            years_p50: f.years_p50,
            years_p90: f.years_p90,
            chance_of_success: f.chance_of_success,
            resource_score: f.resource_score,
            given_share: f.given_share,
            spread_npv: [
                Num::of(s.npv.npv_p10_musd),
                Num::of(s.npv.npv_p50_musd),
                Num::of(s.npv.npv_p90_musd),
                Num::of(s.npv.prob_npv_positive),
            ],
            spread_first_production: [
                Year::of(s.first_production_p10),
                Year::of(s.first_production_p90),
            ],
            committee: f.committee.map(|c| {
                Box::new(Committee {
                    economics_value_musd: Num::of(c.economics_value_musd),
                    jurisdiction_multiplier: c.jurisdiction_multiplier,
                    resource_confidence: Num::of(c.resource_confidence),
                    grade_position: Num::of(c.grade_position),
                    magnet_share_pct: Num::of(c.magnet_share_pct),
                    offtakers: u32::try_from(c.offtakers).unwrap_or(u32::MAX),
                    state_sponsor: c.state_sponsor,
                    radioactive: c.radioactive,
                    u3o8_ppm: Num::of(c.u3o8_ppm),
                    tho2_ppm: Num::of(c.tho2_ppm),
                })
            }),
            route: f.route,
            owner_china_linked: f.owner_china_linked,
            china_linked: f.china_linked,
            stage_index: f.stage_index,
        }
    }
}

impl From<Criteria> for CriteriaFields {
    fn from(c: Criteria) -> CriteriaFields {
        CriteriaFields {
            id: c.id().to_owned(),
            name: c.name().to_owned(),
            commodity: c.commodity().map(str::to_owned),
            regime: c.regime().map(str::to_owned),
            country: c.country().map(str::to_owned),
            npv_musd: c.npv_musd(),
            risked_npv_musd: c.risked_npv_musd,
            owner_npv_musd: c.owner_npv_musd(),
            npv_to_capex: c.npv_to_capex(),
            irr_pct: c.irr_pct(),
            capex_musd: c.capex_musd(),
            years_p50: c.years_p50,
            years_p90: c.years_p90,
            chance_of_success: c.chance_of_success,
            annual_ndpr_t: c.annual_ndpr_t(),
            annual_dytb_t: c.annual_dytb_t(),
            route: c.route,
            owner_china_linked: c.owner_china_linked,
            china_linked: c.china_linked,
            stage_index: c.stage_index,
            resource_score: c.resource_score,
            given_share: c.given_share,
            byproducts_unpriced: c.byproducts_unpriced().to_vec(),
            spread: c.spread(),
            committee: c.committee(),
        }
    }
}

impl Criteria {
    /// The criteria of appraisal `p` of record `r`; with `ranges` (usual grade ranges by
    /// deposit type, % TREO) also the committee's inputs.
    pub fn new(
        p: &Appraisal,
        r: &ProjectRecord,
        ranges: Option<&std::collections::BTreeMap<String, [f64; 2]>>,
    ) -> Criteria {
        CriteriaFields::new(p, r, ranges).into()
    }

    /// The project's id.
    pub fn id(&self) -> &str {
        &self.text[..self.id_len as usize]
    }

    /// The project's name.
    pub fn name(&self) -> &str {
        &self.text[self.id_len as usize..]
    }

    /// Canonical commodity, when known.
    pub fn commodity(&self) -> Option<&'static str> {
        self.commodity.map(Label::get)
    }

    /// Regime, when known.
    pub fn regime(&self) -> Option<&'static str> {
        self.regime.map(Label::get)
    }

    /// Country (ISO alpha-2), when known.
    pub fn country(&self) -> Option<&'static str> {
        self.country.map(Label::get)
    }

    /// NPV (base case), US$ million real.
    pub fn npv_musd(&self) -> Option<f64> {
        self.npv_musd.get()
    }

    /// The owner's NPV, US$ million real.
    pub fn owner_npv_musd(&self) -> Option<f64> {
        self.owner_npv_musd.get()
    }

    /// NPV over capex (ratio).
    pub fn npv_to_capex(&self) -> Option<f64> {
        self.npv_to_capex.get()
    }

    /// IRR, %.
    pub fn irr_pct(&self) -> Option<f64> {
        self.irr_pct.get()
    }

    /// Capex, US$ million real.
    pub fn capex_musd(&self) -> Option<f64> {
        self.capex_musd.get()
    }

    /// NdPr oxide at nameplate, t/y (before the China test).
    pub fn annual_ndpr_t(&self) -> Option<f64> {
        self.annual_ndpr_t.get()
    }

    /// Dy+Tb oxide at nameplate, t/y (before the China test).
    pub fn annual_dytb_t(&self) -> Option<f64> {
        self.annual_dytb_t.get()
    }

    /// The by-products the appraisal could not price.
    pub fn byproducts_unpriced(&self) -> &'static [String] {
        self.byproducts_unpriced.get()
    }

    /// The simulation's spread the ranking carries (issue 20).
    pub fn spread(&self) -> super::spread::Spread {
        let [p10, p50, p90, positive] = self.spread_npv.map(Num::get);
        let [early, late] = self.spread_first_production.map(Year::get);
        super::spread::Spread {
            npv: super::spread::NpvSpread {
                npv_p10_musd: p10,
                npv_p50_musd: p50,
                npv_p90_musd: p90,
                prob_npv_positive: positive,
            },
            first_production_p10: early,
            first_production_p90: late,
        }
    }

    /// What the committee ranking scores (none when built for the percentile ranking
    /// only).
    pub fn committee(&self) -> Option<CommitteeInputs> {
        self.committee.as_ref().map(|c| CommitteeInputs {
            economics_value_musd: c.economics_value_musd.get(),
            jurisdiction_multiplier: c.jurisdiction_multiplier,
            resource_confidence: c.resource_confidence.get(),
            given_share: self.given_share,
            offtakers: c.offtakers as usize,
            state_sponsor: c.state_sponsor,
            grade_position: c.grade_position.get(),
            magnet_share_pct: c.magnet_share_pct.get(),
            radioactive: c.radioactive,
            stage: self.stage().map(|s| s.as_str().to_owned()),
            u3o8_ppm: c.u3o8_ppm.get(),
            tho2_ppm: c.tho2_ppm.get(),
        })
    }

    /// The study stage.
    pub fn stage(&self) -> Option<StudyStage> {
        self.stage_index
            .and_then(|i| StudyStage::ALL.get(usize::from(i)).copied())
    }

    /// NdPr counted as non-China supply, t/y (0 when China-linked).
    pub fn non_china_ndpr_t(&self) -> f64 {
        if self.china_linked {
            0.0
        } else {
            self.annual_ndpr_t().unwrap_or(0.0)
        }
    }

    /// Dy+Tb counted as non-China supply, t/y (0 when China-linked).
    pub fn non_china_dytb_t(&self) -> f64 {
        if self.china_linked {
            0.0
        } else {
            self.annual_dytb_t().unwrap_or(0.0)
        }
    }

    /// Sub-criterion `j` of the percentile ranking (0 to [`SUBCRITERIA`] - 1, grouped by
    /// [`GROUPS`]), higher better, `None` ranking lowest. Value: the owner's NPV (US$
    /// million), NPV over capex, IRR (%); speed: minus the years to first production at
    /// P50 and P90; supply: non-China NdPr and Dy+Tb (t/y), the processing route's and the
    /// China link's sub-scores (`scores`, `[rank.subscores]`); risk: the chance of
    /// success; confidence: the stage's position, minus the inferred share of the resource,
    /// the share of inputs the record gives.
    pub fn subcriterion(&self, j: usize, scores: &RankSubscores) -> Option<f64> {
        match j {
            0 => self.owner_npv_musd(),
            1 => self.npv_to_capex(),
            2 => self.irr_pct(),
            3 => Some(-self.years_p50),
            4 => Some(-self.years_p90),
            5 => Some(self.non_china_ndpr_t()),
            6 => Some(self.non_china_dytb_t()),
            7 => Some(match self.route {
                Route::OutsideChina => scores.route_outside_china,
                Route::China => scores.route_china,
                Route::Unknown => scores.route_unknown,
            }),
            8 => Some(if self.owner_china_linked {
                scores.china_linked
            } else {
                scores.not_china_linked
            }),
            9 => Some(self.chance_of_success),
            10 => self.stage_index.map(f64::from),
            11 => Some(self.resource_score),
            12 => Some(self.given_share),
            _ => None,
        }
    }

    /// Its commodity family: the commodity, or `unknown`.
    pub fn family(&self) -> &str {
        self.commodity().unwrap_or("unknown")
    }
}

/// How many sub-criteria ([`Criteria::subcriterion`]) each criterion of
/// [`super::rank::CRITERIA`] has, in order: value, speed, supply, risk, confidence.
pub const GROUPS: [usize; 5] = [3, 2, 4, 1, 3];

/// Sub-criteria in all.
pub const SUBCRITERIA: usize = 13;

/// Sorts criteria into the report's order (NPV highest first, unvalued last, then id), the
/// order of every list of excluded projects, whatever order the records came in.
pub fn sort(all: &mut [Criteria]) {
    sort_in_place(all, |x, y| {
        report_order((x.npv_musd(), x.id()), (y.npv_musd(), y.id()))
    });
}

/// Sorts `v` as a stable sort by `cmp` would, with four bytes of scratch memory a value
/// (a stable sort of the values themselves takes half their size): the positions are
/// sorted, then the values moved along the permutation's cycles.
pub fn sort_in_place<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> std::cmp::Ordering) {
    let n = u32::try_from(v.len()).expect("fewer than 2^32 values");
    let mut to: Vec<u32> = (0..n).collect();
    to.sort_by(|&a, &b| cmp(&v[a as usize], &v[b as usize]));
    // Position j takes the value at to[j]; a placed position points at itself.
    for i in 0..v.len() {
        let mut j = i;
        loop {
            let k = to[j] as usize;
            to[j] = j as u32;
            if k == i {
                break;
            }
            v.swap(j, k);
            j = k;
        }
    }
}

/// A screen: `FIELD OP VALUE`, e.g. `npv>0`, `chance>=0.3`, `family=rare_earths`,
/// `country=AU`. Every screen of a run applies to both rankings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screen {
    pub field: String,
    pub op: String,
    pub value: String,
}

/// Fields a screen can test: numbers (`npv`, `risked_npv` US$ million, `chance` 0-1,
/// `years` to first production at P50, `capex` US$ million) and labels (`family` or its
/// synonym `commodity`, `regime`, `country`).
pub const SCREEN_FIELDS: [&str; 9] = [
    "npv",
    "risked_npv",
    "chance",
    "years",
    "capex",
    "family",
    "commodity",
    "regime",
    "country",
];

/// Label fields, which take `=` or `!=`.
const LABEL_FIELDS: [&str; 4] = ["family", "commodity", "regime", "country"];

impl Screen {
    /// Parses `FIELD OP VALUE` (ops `>=`, `<=`, `!=`, `>`, `<`, `=`); a label's value is
    /// checked against its vocabulary and written in its canonical form.
    pub fn parse(text: &str) -> Result<Screen, String> {
        let t = text.trim();
        for op in [">=", "<=", "!=", ">", "<", "="] {
            if let Some((f, v)) = t.split_once(op) {
                let field = f.trim().to_ascii_lowercase();
                let value = v.trim().to_owned();
                if !SCREEN_FIELDS.contains(&field.as_str()) {
                    return Err(format!(
                        "unknown screen field {field:?}; fields are {}",
                        SCREEN_FIELDS.join(", ")
                    ));
                }
                if LABEL_FIELDS.contains(&field.as_str()) {
                    if op != "=" && op != "!=" {
                        return Err(format!(
                            "{field} takes = or !=, e.g. {field}={}",
                            example(&field)
                        ));
                    }
                    let value = canonical_label(&field, &value)?;
                    return Ok(Screen {
                        field,
                        op: op.to_owned(),
                        value,
                    });
                }
                if !value.parse::<f64>().is_ok_and(f64::is_finite) {
                    return Err(format!("{field} needs a number, e.g. {field}>0"));
                }
                return Ok(Screen {
                    field,
                    op: op.to_owned(),
                    value,
                });
            }
        }
        Err(format!(
            "a screen is FIELD OP VALUE (e.g. npv>0, chance>=0.3, family=rare_earths, country=AU); got {t:?}"
        ))
    }

    /// A screen from its parts (as [`Screen::parse`] of `field op value`).
    pub fn of(field: &str, op: &str, value: &str) -> Result<Screen, String> {
        Screen::parse(&format!("{field}{op}{value}"))
    }

    /// Whether a project passes; a missing number fails, a missing label fails `=` and
    /// passes `!=`.
    pub fn passes(&self, c: &Criteria) -> bool {
        let label = match self.field.as_str() {
            "family" | "commodity" => Some(Some(c.family())),
            "regime" => Some(c.regime()),
            "country" => Some(c.country()),
            _ => None,
        };
        if let Some(have) = label {
            let same = have.is_some_and(|h| h.eq_ignore_ascii_case(&self.value));
            return if self.op == "=" { same } else { !same };
        }
        let have = match self.field.as_str() {
            "npv" => c.npv_musd(),
            "risked_npv" => c.risked_npv_musd,
            "chance" => Some(c.chance_of_success),
            "years" => Some(c.years_p50),
            _ => c.capex_musd(),
        };
        let want: f64 = self.value.parse().unwrap_or(f64::NAN);
        let Some(h) = have.filter(|h| h.is_finite()) else {
            return false;
        };
        match self.op.as_str() {
            ">=" => h >= want,
            "<=" => h <= want,
            "!=" => h != want,
            ">" => h > want,
            "<" => h < want,
            _ => h == want,
        }
    }

    /// Why `c` fails this screen, for the list of excluded projects.
    pub fn reason(&self, c: &Criteria) -> String {
        match self.field.as_str() {
            "years" => format!(
                "screen {self} (first production {:.1} years away)",
                c.years_p50
            ),
            _ => format!("screen {self}"),
        }
    }
}

fn example(field: &str) -> &'static str {
    match field {
        "regime" => "onshore",
        "country" => "AU",
        _ => "rare_earths",
    }
}

/// A label's canonical value, or why it is not one.
fn canonical_label(field: &str, value: &str) -> Result<String, String> {
    match field {
        "regime" => Regime::parse(value)
            .map(|r| r.as_str().to_owned())
            .ok_or_else(|| {
                format!(
                    "regime {value:?} is not one of {}",
                    Regime::NAMES.join(", ")
                )
            }),
        "country" => {
            let v = value.trim();
            if v.len() == 2 && v.bytes().all(|b| b.is_ascii_alphabetic()) {
                Ok(v.to_ascii_uppercase())
            } else {
                Err("a country is its ISO 3166-1 alpha-2 code, two letters (AU, US, NO)".into())
            }
        }
        _ if value.eq_ignore_ascii_case("unknown") => Ok("unknown".into()),
        _ => Commodity::parse(value)
            .map(|c| c.as_str().to_owned())
            .ok_or_else(|| {
                format!(
                    "{field} {value:?} is not one of {}, unknown",
                    Commodity::NAMES.join(", ")
                )
            }),
    }
}

impl std::fmt::Display for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{}", self.field, self.op, self.value)
    }
}

/// Splits `all` by `screens`: the indices that pass every screen, and those that fail one
/// with the first screen's reason, both in `all`'s order.
pub fn apply(all: &[Criteria], screens: &[Screen]) -> (Vec<u32>, Vec<(u32, String)>) {
    let mut kept = Vec::with_capacity(all.len());
    let mut excluded = Vec::new();
    for (i, c) in all.iter().enumerate() {
        match screens.iter().find(|s| !s.passes(c)) {
            Some(s) => excluded.push((i as u32, s.reason(c))),
            None => kept.push(i as u32),
        }
    }
    (kept, excluded)
}

// --- Shards: criteria as JSON lines, for `prospect merge` ---

/// The run-wide facts of a shard, which every shard of one merge must share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardHead {
    /// Always `prospect criteria shard`: what the file is.
    pub kind: String,
    pub prospect_version: String,
    pub as_of: i32,
    pub seed: Option<u64>,
    pub draws: usize,
    pub percentile_convention: String,
    /// The assumptions: scenario, digest (SHA-256 of the resolved assumptions) and rate.
    pub scenario: String,
    pub assumptions_digest: String,
    pub discount_rate_pct: f64,
    /// The assumptions' `[rank]` table (weights, sub-scores, committee scales), so that
    /// the merge ranks as the shards' run would.
    pub rank: serde_json::Value,
    /// Projects in the shard.
    pub projects: usize,
}

/// What a shard file's first line says it is.
pub const SHARD_KIND: &str = "prospect criteria shard";

/// Writes a shard: its head line, then one line of criteria per project.
pub fn write_shard(head: &ShardHead, all: &[Criteria], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer(&mut *out, head)?;
    out.write_all(b"\n")?;
    for c in all {
        serde_json::to_writer(&mut *out, c)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A problem with a shard file.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    #[error("{file}: cannot read: {source}")]
    Io { file: String, source: io::Error },
    #[error(
        "{file}: not a criteria shard (its first line is not the head `prospect rank --shard` writes)"
    )]
    NotAShard { file: String },
    #[error("{file}, line {line}: {message}")]
    Line {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}: the head says {said} projects, the file holds {found}")]
    Count {
        file: String,
        said: usize,
        found: usize,
    },
}

/// Reads a shard written by [`write_shard`], appending its criteria to `into`.
pub fn read_shard(
    file: &str,
    input: impl BufRead,
    into: &mut Vec<Criteria>,
) -> Result<ShardHead, ShardError> {
    let mut lines = input.lines();
    let io_err = |source| ShardError::Io {
        file: file.to_owned(),
        source,
    };
    let first = lines
        .next()
        .transpose()
        .map_err(io_err)?
        .ok_or_else(|| ShardError::NotAShard {
            file: file.to_owned(),
        })?;
    let head: ShardHead = serde_json::from_str(&first)
        .ok()
        .filter(|h: &ShardHead| h.kind == SHARD_KIND)
        .ok_or_else(|| ShardError::NotAShard {
            file: file.to_owned(),
        })?;
    let before = into.len();
    for (i, line) in lines.enumerate() {
        let line = line.map_err(io_err)?;
        if line.trim().is_empty() {
            continue;
        }
        let c: Criteria = serde_json::from_str(&line).map_err(|e| ShardError::Line {
            file: file.to_owned(),
            line: i + 2,
            message: e.to_string(),
        })?;
        into.push(c);
    }
    let found = into.len() - before;
    if found != head.projects {
        return Err(ShardError::Count {
            file: file.to_owned(),
            said: head.projects,
            found,
        });
    }
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crit(
        id: &str,
        npv: Option<f64>,
        commodity: Option<&str>,
        country: Option<&str>,
    ) -> CriteriaFields {
        CriteriaFields {
            id: id.into(),
            name: id.into(),
            commodity: commodity.map(Into::into),
            regime: Some("onshore".into()),
            country: country.map(Into::into),
            npv_musd: npv,
            risked_npv_musd: npv.map(|v| v / 2.0),
            owner_npv_musd: npv,
            npv_to_capex: None,
            irr_pct: None,
            capex_musd: Some(500.0),
            years_p50: 6.0,
            years_p90: 9.0,
            chance_of_success: 0.4,
            annual_ndpr_t: Some(1000.0),
            annual_dytb_t: None,
            route: Route::Unknown,
            owner_china_linked: false,
            china_linked: false,
            stage_index: Some(3),
            resource_score: -0.5,
            given_share: 0.3,
            byproducts_unpriced: vec!["U3O8".into()],
            spread: Default::default(),
            committee: None,
        }
    }

    #[test]
    fn screens_test_numbers_and_labels_alike() {
        let a: Criteria = crit("A", Some(100.0), Some("rare_earths"), Some("AU")).into();
        let b: Criteria = crit("B", None, None, None).into();
        let s = |t: &str| Screen::parse(t).unwrap();
        assert!(s("npv>0").passes(&a) && !s("npv>0").passes(&b));
        assert!(s("npv<=100").passes(&a) && !s("npv<100").passes(&a));
        assert!(s("years<=6").passes(&a) && !s("years<6").passes(&a));
        assert!(s("capex>=500").passes(&a) && !s("capex>500").passes(&a));
        // Labels: canonical forms, case-blind; a missing label fails = and passes !=.
        assert!(s("commodity=REE").passes(&a));
        assert_eq!(s("commodity=REE").value, "rare_earths");
        assert!(s("family=unknown").passes(&b) && !s("family=unknown").passes(&a));
        assert!(s("country=au").passes(&a) && !s("country=AU").passes(&b));
        assert!(s("country!=AU").passes(&b) && !s("country!=AU").passes(&a));
        assert!(s("regime=land").passes(&a) && !s("regime=area").passes(&a));
        assert!(Screen::parse("regime=ocean").is_err());
        assert!(Screen::parse("country=Australia").is_err());
        assert!(Screen::parse("country>AU").is_err());
        assert!(Screen::parse("commodity=gold").is_err());
        let (kept, out) = apply(&[a.clone(), b.clone()], &[s("npv>0")]);
        assert_eq!(kept, [0]);
        assert_eq!(out, [(1, "screen npv>0".to_owned())]);
        assert!(s("years<=5").reason(&a).contains("6.0 years away"));
    }

    #[test]
    fn sorting_in_place_orders_as_a_stable_sort() {
        // Pairs with many ties on the key, so that stability shows.
        let mut state: u64 = 11;
        let v: Vec<(u8, usize)> = (0..2000)
            .map(|i| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                ((state >> 59) as u8, i)
            })
            .collect();
        let mut a = v.clone();
        a.sort_by_key(|x| x.0);
        let mut b = v.clone();
        sort_in_place(&mut b, |x, y| x.0.cmp(&y.0));
        assert_eq!(a, b);
        let mut e: Vec<u8> = Vec::new();
        sort_in_place(&mut e, |x, y| x.cmp(y));
        assert!(e.is_empty());
    }

    #[test]
    fn compacted_criteria_keep_every_value_bit_for_bit() {
        let mut f = crit("P-1", Some(-0.0), Some("rare_earths"), None);
        f.name = "Ünïcode name, with a comma".into();
        f.irr_pct = Some(f64::NAN);
        f.npv_to_capex = Some(f64::NEG_INFINITY);
        f.capex_musd = Some(f64::MIN_POSITIVE / 3.0);
        f.annual_dytb_t = Some(1.0 / 3.0);
        f.spread.npv.npv_p50_musd = Some(1e300);
        f.spread.first_production_p10 = Some(-5);
        f.spread.first_production_p90 = Some(i32::MAX);
        f.committee = Some(CommitteeInputs {
            economics_value_musd: None,
            jurisdiction_multiplier: 0.7,
            resource_confidence: Some(0.25),
            given_share: f.given_share,
            offtakers: 3,
            state_sponsor: true,
            grade_position: Some(0.0),
            magnet_share_pct: None,
            radioactive: true,
            stage: Some(StudyStage::ALL[3].as_str().into()),
            u3o8_ppm: Some(266.0),
            tho2_ppm: None,
        });
        let c = Criteria::from(f.clone());
        assert_eq!((c.id(), c.name()), ("P-1", "Ünïcode name, with a comma"));
        let back = CriteriaFields::from(c.clone());
        // Compared by bits: NaN and -0 included.
        let bits = |v: Option<f64>| v.map(f64::to_bits);
        assert_eq!(bits(back.npv_musd), bits(Some(-0.0)));
        assert_eq!(bits(back.irr_pct), bits(Some(f64::NAN)));
        assert_eq!(bits(back.capex_musd), bits(f.capex_musd));
        assert_eq!(back.npv_to_capex, Some(f64::NEG_INFINITY));
        back.irr_pct
            .map(|_| ())
            .expect("a NaN is a value, not none");
        let (mut x, mut y) = (back.clone(), f.clone());
        (x.irr_pct, y.irr_pct) = (None, None);
        assert_eq!(x, y);
        // Labels and lists are kept once, whatever the number of projects sharing them.
        let d = Criteria::from(crit("Q", None, Some("rare_earths"), Some("AU")));
        assert_eq!(d.commodity(), c.commodity());
        assert_eq!(d.country(), Some("AU"));
        assert_eq!(c.country(), None);
        assert_eq!(d.byproducts_unpriced(), ["U3O8"]);
        let mut e = crit("R", None, None, None);
        e.byproducts_unpriced.clear();
        assert!(Criteria::from(e).byproducts_unpriced().is_empty());
        assert!(std::mem::size_of::<Criteria>() <= 256);
    }

    #[test]
    fn a_shard_reads_back_exactly_and_a_bad_one_is_named() {
        let mut a = crit("A", Some(0.1 + 0.2), Some("rare_earths"), Some("AU"));
        a.years_p50 = 1.0 / 3.0;
        a.committee = Some(CommitteeInputs {
            economics_value_musd: Some(-1e-300),
            ..Default::default()
        });
        let all: Vec<Criteria> = vec![a.into(), crit("B", None, None, None).into()];
        let head = ShardHead {
            kind: SHARD_KIND.into(),
            prospect_version: "x".into(),
            as_of: 2026,
            seed: Some(7),
            draws: 10,
            percentile_convention: "p".into(),
            scenario: "s".into(),
            assumptions_digest: "d".into(),
            discount_rate_pct: 8.0,
            rank: serde_json::json!({"weights": {"value": 1.0}}),
            projects: 2,
        };
        let mut bytes = Vec::new();
        write_shard(&head, &all, &mut bytes).unwrap();
        let mut back = Vec::new();
        let h = read_shard("s.jsonl", bytes.as_slice(), &mut back).unwrap();
        assert_eq!(h, head);
        assert_eq!(back, all);
        // One project short of what the head says.
        let cut = &bytes[..bytes.len()
            - 1
            - bytes[..bytes.len() - 1]
                .iter()
                .rev()
                .position(|b| *b == b'\n')
                .unwrap()];
        let e = read_shard("s.jsonl", cut, &mut Vec::new()).unwrap_err();
        assert!(
            e.to_string().contains("says 2 projects, the file holds 1"),
            "{e}"
        );
        let e = read_shard("x.csv", &b"id,name\nA,B\n"[..], &mut Vec::new()).unwrap_err();
        assert!(
            e.to_string().starts_with("x.csv: not a criteria shard"),
            "{e}"
        );
        let mut bad = bytes.clone();
        bad.extend_from_slice(b"{\"id\": 3}\n");
        let e = read_shard("s.jsonl", bad.as_slice(), &mut Vec::new()).unwrap_err();
        assert!(e.to_string().starts_with("s.jsonl, line 4:"), "{e}");
    }
}
