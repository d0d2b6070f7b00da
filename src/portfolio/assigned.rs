//! The first allocation pass: which plant outside China each project's output goes to, and
//! on what terms, so that the appraisal can price the product at that plant
//! (docs/architecture.md, "Order of a run").
//!
//! A run that values on assigned plants appraises every record once at its nearest plant
//! (no simulation), allocates the base case's output to the plants year by year
//! ([`crate::portfolio::separation`]), and takes for each project the terms of its first
//! year at full output: the plant taking the largest share, its tolling, the distance and
//! the share sold to China. A project outside the base case (its chance of production
//! below one half) is valued as if it proceeds: it enters the allocation of its own first
//! full year after the base case, on the room the base case leaves. The terms then go into
//! a second appraisal of every record as an input
//! ([`crate::appraise::appraise_at`]). The allocation rests on quantities and dates (output,
//! first production, product form, site, owners), none of which the price changes, so the
//! second appraisal allocates exactly as the first (tested).
//!
//! A run of any size keeps of each project only its [`SupplyLine`] (a project with no
//! output none) and of each result a few numbers ([`AssignedPlants`]), issue 21.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::appraisal::{Appraisal, Report};
use crate::appraise::{Terms, appraise, appraise_at};
use crate::assumptions::Assumptions;
use crate::context::Context;
use crate::context::plants::{Capacity, Plant, PlantCalendar};
use crate::model::plant_terms::PlantTerms;
use crate::model::simulate::SimOptions;
use crate::portfolio::rank::china_linked;
use crate::portfolio::separation::{
    Allocation, Feed, FeedOutcome, PairFacts, Separation, Tier, allocate,
};
use crate::portfolio::timeline::{
    CalendarLine, DEFAULT_HORIZON_Y, FeedSource, Output, ProjectLine, SeparationTerms,
};
use crate::read::record::ProjectRecord;

/// A project as the first allocation pass needs it: its dates, output, product, site and
/// owners (about 200 bytes; the timeline's [`ProjectLine`] holds the same and more).
#[derive(Debug, Clone)]
pub struct SupplyLine {
    id: String,
    /// First production in the base case (the median outcome; `None`: never).
    base_year: Option<i32>,
    /// First production if the project proceeds at its mean pace.
    if_proceeds_year: i32,
    /// Nameplate output counted as non-China supply, t/y (0 when China-linked or not
    /// valued), and its contained TREO.
    ndpr_t: f64,
    dytb_t: f64,
    treo_t: f64,
    /// Years of nameplate output.
    mine_life_y: f64,
    feed: FeedSource,
}

impl SupplyLine {
    /// The line of appraisal `p` of record `rec`; `None` for a project that supplies
    /// nothing (the allocation has nothing of it to place).
    pub fn of(p: &Appraisal, rec: &ProjectRecord) -> Option<SupplyLine> {
        let supply = |t: Option<f64>| {
            if !p.valued || china_linked(rec) {
                0.0
            } else {
                t.unwrap_or(0.0)
            }
        };
        let (ndpr_t, dytb_t) = (supply(p.annual_ndpr_t), supply(p.annual_dytb_t));
        (ndpr_t + dytb_t > 0.0).then(|| SupplyLine {
            id: p.id.clone(),
            base_year: p.first_production.base_case_year,
            if_proceeds_year: p.first_production_year.base,
            ndpr_t,
            dytb_t,
            treo_t: supply(p.annual_treo_t),
            mine_life_y: p.mine_life_y.unwrap_or(0.0),
            feed: FeedSource::new(p, Some(rec)),
        })
    }
}

impl SupplyLine {
    /// The supply part of a timeline line (whatever it supplies, none included).
    pub(crate) fn of_line(l: &ProjectLine) -> SupplyLine {
        let y = &l.first_production_year;
        SupplyLine {
            id: l.id.clone(),
            base_year: y.base,
            if_proceeds_year: y.if_proceeds,
            ndpr_t: l.ndpr_t,
            dytb_t: l.dytb_t,
            treo_t: l.treo_t,
            mine_life_y: l.mine_life_y,
            feed: l.feed.clone(),
        }
    }

    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// First production in the base case (`None`: never).
    pub(crate) fn base_year(&self) -> Option<i32> {
        self.base_year
    }
}

/// A project whose output the allocation places: the first pass's [`SupplyLine`] or the
/// timeline's [`CalendarLine`].
pub(crate) trait Supplier {
    fn output(&self) -> Output<'_>;
    /// Its first production if it proceeds at its mean pace.
    fn if_proceeds_year(&self) -> i32;
}

impl Supplier for SupplyLine {
    fn output(&self) -> Output<'_> {
        Output {
            id: &self.id,
            ndpr_t: self.ndpr_t,
            dytb_t: self.dytb_t,
            treo_t: self.treo_t,
            mine_life_y: self.mine_life_y,
            feed: &self.feed,
        }
    }
    fn if_proceeds_year(&self) -> i32 {
        self.if_proceeds_year
    }
}

impl Supplier for CalendarLine {
    fn output(&self) -> Output<'_> {
        self.supply().output()
    }
    fn if_proceeds_year(&self) -> i32 {
        self.supply().if_proceeds_year
    }
}

/// The snake-case name of a tier, as the JSON writes it.
fn tier_name(t: Tier) -> &'static str {
    match t {
        Tier::Own => "own",
        Tier::Named => "named",
        Tier::Captive => "captive",
        Tier::ThirdParty => "third_party",
    }
}

/// The plant taking the largest share of a project's feed in a year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MainPlant {
    /// Its index in the run's plants (`None`: the project's own plant).
    plant: Option<u32>,
    tier: Tier,
    /// Tolling plus freight there, US$/kg TREO.
    cost_usd_per_kg: f64,
    /// Geodesic distance to it, km.
    distance_km: Option<f64>,
}

/// A project's terms in one year, compact: what [`SeparationTerms`] says, the plant by
/// index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Observed {
    year: i32,
    main: Option<MainPlant>,
    /// Share of the year's output (NdPr, else Dy + Tb) sold to China, 0-1.
    china_share: f64,
    /// Allocated with the base case (else as an entrant).
    base: bool,
}

impl Observed {
    /// The terms of feed outcome `f` of `year`'s allocation among the plants of `sep`.
    fn of(f: &FeedOutcome, year: i32, base: bool, sep: &Separation) -> Observed {
        let main = f.assignments.iter().max_by(|x, y| {
            x.share
                .total_cmp(&y.share)
                .then_with(|| y.plant.cmp(&x.plant))
        });
        let china = if f.mined_ndpr_t > 0.0 {
            f.to_china_ndpr_t / f.mined_ndpr_t
        } else if f.mined_dytb_t > 0.0 {
            f.to_china_dytb_t / f.mined_dytb_t
        } else {
            0.0
        };
        Observed {
            year,
            main: main.map(|m| MainPlant {
                plant: m.plant.as_deref().map(|id| {
                    let ix = sep.plants.iter().position(|p| p.id == id);
                    u32::try_from(ix.expect("an allocated plant is a plant of the run"))
                        .expect("fewer than 2^32 plants")
                }),
                tier: m.tier,
                cost_usd_per_kg: m.cost_usd_per_kg,
                distance_km: m.distance_km,
            }),
            china_share: china,
            base,
        }
    }

    /// The main plant's id (`own` for the project's own plant).
    fn plant_id<'s>(&self, sep: &'s Separation) -> Option<&'s str> {
        self.main.map(|m| match m.plant {
            Some(ix) => sep.plants[ix as usize].id.as_str(),
            None => "own",
        })
    }

    /// The terms as the timeline writes them.
    pub(crate) fn terms(&self, sep: &Separation) -> SeparationTerms {
        SeparationTerms {
            year: self.year,
            plant: self.plant_id(sep).map(str::to_owned),
            tier: self.main.map(|m| m.tier),
            cost_usd_per_kg: self.main.map(|m| m.cost_usd_per_kg),
            distance_km: self.main.and_then(|m| m.distance_km),
            china_share: self.china_share,
            basis: if self.base { "base" } else { "entrant" },
        }
    }
}

/// Collects, year by year, each project's terms in its first year at full output (base
/// case) and the room the base case leaves at each plant; then adds the entrants. Projects
/// are rows of the caller's lines.
#[derive(Debug)]
pub(crate) struct TermsCollector {
    /// By row: the largest output seen (NdPr + Dy + Tb, t) and that year's terms.
    best: Vec<Option<(f64, Observed)>>,
    room: BTreeMap<i32, Vec<(String, Capacity)>>,
}

impl TermsCollector {
    /// A collector for `rows` projects.
    pub(crate) fn new(rows: usize) -> TermsCollector {
        TermsCollector {
            best: vec![None; rows],
            room: BTreeMap::new(),
        }
    }

    /// Takes the base case's allocation of `year`, whose feed `k` is of row `rows[k]`
    /// (the allocation keeps the feeds in id order: give it them in id order).
    pub(crate) fn observe(&mut self, year: i32, a: &Allocation, rows: &[usize], sep: &Separation) {
        debug_assert_eq!(a.feeds.len(), rows.len());
        for (f, &row) in a.feeds.iter().zip(rows) {
            let mined = f.mined_ndpr_t + f.mined_dytb_t;
            let best = self.best[row].map_or(-1.0, |(m, _)| m);
            if mined > best + 1e-9 {
                self.best[row] = Some((mined, Observed::of(f, year, true, sep)));
            }
        }
        let left = |cap: Option<f64>, taken: f64| cap.map(|c| (c - taken).max(0.0));
        let room = a
            .plants
            .iter()
            .map(|p| {
                let c = p.capacity;
                (
                    p.id.clone(),
                    Capacity {
                        reo_t: left(c.reo_t, p.treo_t),
                        ndpr_t: left(c.ndpr_t, p.ndpr_t),
                        dytb_t: if c.heavy {
                            left(c.dytb_t, p.dytb_t)
                        } else {
                            c.dytb_t
                        },
                        heavy: c.heavy,
                    },
                )
            })
            .collect();
        self.room.insert(year, room);
    }

    /// The terms of every row of `lines`: its base-case terms, else (an entrant that
    /// produces if it proceeds) its own first full year's on the room the base case leaves
    /// that year (the horizon's last year for one beyond it).
    pub(crate) fn finish<L: Supplier>(
        self,
        lines: &[L],
        sep: &Separation,
    ) -> Vec<Option<Observed>> {
        let mut out: Vec<Option<Observed>> =
            self.best.into_iter().map(|b| b.map(|(_, t)| t)).collect();
        let (Some(first_year), Some(last_year)) = (
            self.room.keys().next().copied(),
            self.room.keys().next_back().copied(),
        ) else {
            return out;
        };
        let ramp = &sep.ramp;
        for (row, l) in lines.iter().enumerate() {
            let o = l.output();
            if out[row].is_some() || o.ndpr_t + o.dytb_t <= 0.0 {
                continue;
            }
            let first = l.if_proceeds_year();
            // Its first year at full output: the largest output of its first years.
            let mut full: Option<(i32, Feed)> = None;
            for y in first..=first + ramp.len() as i32 + 1 {
                if let Some(f) = o.feed_in(y, Some(first), ramp, 1.0) {
                    let more = full
                        .as_ref()
                        .is_none_or(|(_, g)| f.ndpr_t + f.dytb_t > g.ndpr_t + g.dytb_t + 1e-9);
                    if more {
                        full = Some((y, f));
                    }
                }
            }
            let Some((year, mut feed)) = full else {
                continue;
            };
            feed.own_plant = sep.has_own_plant(feed.form, feed.operator.as_deref());
            let at = year.clamp(first_year, last_year);
            let caps: Vec<(&Plant, Capacity)> = self.room[&at]
                .iter()
                .filter_map(|(id, c)| sep.plants.iter().find(|p| &p.id == id).map(|p| (p, *c)))
                .collect();
            let a = allocate(std::slice::from_ref(&feed), &caps, &sep.charges);
            if let Some(f) = a.feeds.first() {
                out[row] = Some(Observed::of(f, year, false, sep));
            }
        }
        out
    }
}

/// The plant terms of `lines` over `horizon` years from `as_of`, on the base calendar
/// (plants at their P50 dates).
pub fn from_lines(
    mut lines: Vec<SupplyLine>,
    as_of: i32,
    horizon: i32,
    sep: &Separation,
) -> AssignedPlants {
    // In id order, so that each year's feeds, and the allocation's outcomes, are too.
    lines.sort_by(|a, b| a.id.cmp(&b.id));
    let mut c = TermsCollector::new(lines.len());
    // Distances and owners once for the run, not once a year.
    let facts = PairFacts::of(
        lines.len(),
        |i| std::borrow::Cow::Owned(lines[i].output().feed_facts()),
        sep,
    );
    for year in as_of..=as_of + horizon {
        let (rows, mut feeds): (Vec<usize>, Vec<Feed>) = lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                l.output()
                    .bare_feed_in(year, l.base_year, &sep.ramp, 1.0)
                    .map(|f| (i, f))
            })
            .unzip();
        let a = facts.allocate_year(sep, &mut feeds, &rows, year, PlantCalendar::P50, as_of);
        drop(feeds);
        c.observe(year, &a, &rows, sep);
    }
    let terms = c.finish(&lines, sep);
    let mut plants = AssignedPlants::default();
    for (l, t) in lines.into_iter().zip(terms) {
        if let Some(t) = t {
            plants.push(l.id.into_boxed_str(), plant_terms(&t.terms(sep), sep));
        }
    }
    plants
}

/// The appraisal's input made from the timeline's terms and the plants layer.
pub fn plant_terms(t: &SeparationTerms, sep: &Separation) -> PlantTerms {
    let plant = t
        .plant
        .as_deref()
        .and_then(|id| sep.plants.iter().find(|p| p.id == id));
    PlantTerms {
        year: t.year,
        plant: t.plant.clone(),
        plant_name: match t.plant.as_deref() {
            Some("own") => Some("the project's own plant".into()),
            _ => plant.map(|p| p.name.clone()),
        },
        tier: t.tier.map(|x| tier_name(x).to_owned()),
        basis: t.basis.to_owned(),
        plant_toll_light_usd_per_kg: plant.and_then(|p| p.toll_light_usd_per_kg),
        plant_toll_heavy_usd_per_kg: plant.and_then(|p| p.toll_heavy_usd_per_kg),
        distance_km: t.distance_km,
        china_share: t.china_share,
    }
}

/// The part of a project's [`PlantTerms`] that many projects share: the plant, how the
/// feed reached it and its tolls.
#[derive(Debug, Clone, PartialEq)]
struct PlantPart {
    plant: Option<String>,
    plant_name: Option<String>,
    tier: Option<String>,
    basis: String,
    plant_toll_light_usd_per_kg: Option<f64>,
    plant_toll_heavy_usd_per_kg: Option<f64>,
}

/// A project's own part of its [`PlantTerms`].
#[derive(Debug, Clone, Copy)]
struct OwnTerms {
    year: i32,
    /// Index of its [`PlantPart`].
    part: u32,
    distance_km: Option<f64>,
    china_share: f64,
}

/// Each project's plant terms, by project id: a map in id order (as it serialises), held
/// as about 40 bytes a project and the few plant parts the projects share.
#[derive(Debug, Clone, Default)]
pub struct AssignedPlants {
    /// Ids in order, each with its own terms.
    ids: Vec<Box<str>>,
    terms: Vec<OwnTerms>,
    parts: Vec<PlantPart>,
    /// Whether `ids` is in order without repeats (after [`AssignedPlants::push`]es in
    /// another order, [`AssignedPlants::settle`] restores it).
    sorted: bool,
}

impl AssignedPlants {
    /// The terms of project `id`.
    pub fn get(&self, id: &str) -> Option<PlantTerms> {
        debug_assert!(self.sorted || self.ids.is_empty());
        let i = self.ids.binary_search_by(|k| (**k).cmp(id)).ok()?;
        Some(self.terms_at(i))
    }

    fn terms_at(&self, i: usize) -> PlantTerms {
        let t = self.terms[i];
        let p = &self.parts[t.part as usize];
        PlantTerms {
            year: t.year,
            plant: p.plant.clone(),
            plant_name: p.plant_name.clone(),
            tier: p.tier.clone(),
            basis: p.basis.clone(),
            plant_toll_light_usd_per_kg: p.plant_toll_light_usd_per_kg,
            plant_toll_heavy_usd_per_kg: p.plant_toll_heavy_usd_per_kg,
            distance_km: t.distance_km,
            china_share: t.china_share,
        }
    }

    /// Every project's terms, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, PlantTerms)> + '_ {
        self.ids
            .iter()
            .enumerate()
            .map(|(i, id)| (&**id, self.terms_at(i)))
    }

    /// Projects with terms.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds `id`'s terms (in id order, or [`AssignedPlants::settle`] after).
    fn push(&mut self, id: Box<str>, t: PlantTerms) {
        let part = PlantPart {
            plant: t.plant,
            plant_name: t.plant_name,
            tier: t.tier,
            basis: t.basis,
            plant_toll_light_usd_per_kg: t.plant_toll_light_usd_per_kg,
            plant_toll_heavy_usd_per_kg: t.plant_toll_heavy_usd_per_kg,
        };
        // The parts are a few (plants x tiers x bases): a search beats a hash of strings.
        let part = match self.parts.iter().rposition(|p| *p == part) {
            Some(i) => i,
            None => {
                self.parts.push(part);
                self.parts.len() - 1
            }
        };
        self.sorted =
            self.ids.last().is_none_or(|last| **last < *id) && (self.sorted || self.ids.is_empty());
        self.ids.push(id);
        self.terms.push(OwnTerms {
            year: t.year,
            part: u32::try_from(part).expect("fewer than 2^32 plant parts"),
            distance_km: t.distance_km,
            china_share: t.china_share,
        });
    }

    /// Puts the ids in order, the last terms given for an id winning (as in a map).
    fn settle(&mut self) {
        if self.sorted {
            return;
        }
        let mut order: Vec<usize> = (0..self.ids.len()).collect();
        // Stable: of equal ids the last given stays last.
        order.sort_by(|a, b| self.ids[*a].cmp(&self.ids[*b]));
        let keep: Vec<usize> = order
            .iter()
            .enumerate()
            .filter(|(k, i)| {
                order
                    .get(k + 1)
                    .is_none_or(|next| self.ids[*next] != self.ids[**i])
            })
            .map(|(_, i)| *i)
            .collect();
        let mut ids: Vec<Option<Box<str>>> = std::mem::take(&mut self.ids)
            .into_iter()
            .map(Some)
            .collect();
        self.ids = keep
            .iter()
            .map(|&i| ids[i].take().expect("each id once"))
            .collect();
        self.terms = keep.iter().map(|&i| self.terms[i]).collect();
        self.sorted = true;
    }
}

impl FromIterator<(String, PlantTerms)> for AssignedPlants {
    fn from_iter<I: IntoIterator<Item = (String, PlantTerms)>>(iter: I) -> AssignedPlants {
        let mut plants = AssignedPlants::default();
        for (id, t) in iter {
            plants.push(id.into_boxed_str(), t);
        }
        plants.settle();
        plants
    }
}

impl Serialize for AssignedPlants {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (id, t) in self.iter() {
            map.serialize_entry(id, &t)?;
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for AssignedPlants {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<AssignedPlants, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = AssignedPlants;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of project ids to plant terms")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut m: M,
            ) -> Result<AssignedPlants, M::Error> {
                let mut plants = AssignedPlants::default();
                while let Some((id, t)) = m.next_entry::<String, PlantTerms>()? {
                    plants.push(id.into_boxed_str(), t);
                }
                plants.settle();
                Ok(plants)
            }
        }
        d.deserialize_map(Visit)
    }
}

/// The plant terms of appraised `projects` (their records in `records`).
pub fn assigned_plants(
    projects: &[Appraisal],
    records: &[ProjectRecord],
    as_of: i32,
    sep: &Separation,
) -> AssignedPlants {
    let by_id: BTreeMap<&str, &ProjectRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let lines: Vec<SupplyLine> = projects
        .iter()
        .filter_map(|p| by_id.get(p.id.as_str()).and_then(|r| SupplyLine::of(p, r)))
        .collect();
    from_lines(lines, as_of, DEFAULT_HORIZON_Y, sep)
}

/// Appraises `records` on their assigned plants: a first deterministic appraisal at the
/// nearest plant, the allocation, then the appraisal (with `sim`) on the plants' terms.
pub fn appraise_on_plants(
    records: &[ProjectRecord],
    context: &Context,
    a: &Assumptions,
    terms: &Terms,
    sim: Option<&SimOptions>,
    sep: &Separation,
    progress: &indicatif::ProgressBar,
) -> (Report, AssignedPlants) {
    use rayon::prelude::*;
    let sites: Vec<_> = records.par_iter().map(|r| context.locate(r)).collect();
    let first: Vec<Appraisal> = records
        .par_iter()
        .zip(&sites)
        .map(|(r, s)| appraise(r, s.clone(), a, terms, None))
        .collect();
    // The input's own plant records join the plants, dated by the first pass.
    let mut sep = sep.clone();
    crate::portfolio::plant_records::add(
        &mut sep,
        crate::portfolio::plant_records::from_records(records, &first),
    );
    let plants = assigned_plants(&first, records, terms.as_of, &sep);
    drop(first);
    let projects: Vec<Appraisal> = records
        .par_iter()
        .zip(sites)
        .map(|(r, s)| {
            let out = appraise_at(r, s, a, terms, sim, plants.get(&r.id).as_ref());
            progress.inc(1);
            out
        })
        .collect();
    progress.finish_and_clear();
    (Report::new(a, terms, sim, projects), plants)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portfolio::separation::Assignment;

    fn feed(ndpr: (f64, f64), dytb: (f64, f64), shares: &[(&str, f64)]) -> FeedOutcome {
        FeedOutcome {
            id: "F".into(),
            mined_ndpr_t: ndpr.0,
            mined_dytb_t: dytb.0,
            separated_ndpr_t: ndpr.0 - ndpr.1,
            separated_dytb_t: dytb.0 - dytb.1,
            to_china_ndpr_t: ndpr.1,
            to_china_dytb_t: dytb.1,
            assignments: shares
                .iter()
                .map(|(p, s)| Assignment {
                    plant: Some((*p).into()),
                    tier: Tier::ThirdParty,
                    share: *s,
                    ndpr_t: 0.0,
                    dytb_t: 0.0,
                    cost_usd_per_kg: 10.0 * s,
                    distance_km: Some(100.0 * s),
                })
                .collect(),
        }
    }

    /// The share sold to China is that of the NdPr mined (40 of 100 t: 0.4), of the Dy+Tb
    /// for a feed with no NdPr (5 of 10 t: 0.5), and zero for a feed with neither; the
    /// plant is the one taking the largest share (P1's 0.35 over P2's 0.25), with its
    /// cost and distance. Survivor (mutation sample, docs/reliability.md): the NdPr
    /// guard `mined_ndpr_t > 0.0` → `<` (the share then came from the Dy+Tb, here none).
    #[test]
    fn the_share_sold_to_china_and_the_main_plant_by_hand() {
        use crate::context::plants::PlantAccess;
        use crate::portfolio::separation::tests::{charges, plant};
        let sep = Separation {
            plants: vec![
                plant("P2", "A", PlantAccess::Open, 0.0, 1.0),
                plant("P1", "B", PlantAccess::Open, 0.0, 1.0),
            ],
            charges: charges(),
            utilisation: 1.0,
            ramp: Vec::new(),
            reo_ndpr_share: 0.2,
            reo_dytb_share: 0.01,
            layer_owners: Vec::new(),
            new_plant_capex_musd_per_t_ndpr: 0.0,
            new_plant_lead_time_y: 0,
            new_plant_min_dytb_per_ndpr: 0.1643,
        };
        let terms_of = |f: &FeedOutcome, year, base| Observed::of(f, year, base, &sep).terms(&sep);
        let t = terms_of(
            &feed((100.0, 40.0), (0.0, 0.0), &[("P2", 0.25), ("P1", 0.35)]),
            2030,
            true,
        );
        assert!((t.china_share - 0.4).abs() < 1e-12, "{t:?}");
        assert_eq!(t.plant.as_deref(), Some("P1"));
        assert_eq!(t.cost_usd_per_kg, Some(3.5));
        assert_eq!(t.distance_km, Some(35.0));
        assert_eq!(t.year, 2030);
        assert_eq!(t.basis, "base");
        let t = terms_of(&feed((0.0, 0.0), (10.0, 5.0), &[("P1", 0.5)]), 2030, false);
        assert!((t.china_share - 0.5).abs() < 1e-12, "{t:?}");
        assert_eq!(t.basis, "entrant");
        let t = terms_of(&feed((0.0, 0.0), (0.0, 0.0), &[]), 2030, true);
        assert_eq!(t.china_share, 0.0);
        assert_eq!(t.plant, None);
    }

    fn terms(year: i32, plant: &str, km: f64) -> PlantTerms {
        PlantTerms {
            year,
            plant: Some(plant.into()),
            plant_name: Some(format!("{plant} plant")),
            tier: Some("third_party".into()),
            basis: "base".into(),
            plant_toll_light_usd_per_kg: Some(4.0),
            plant_toll_heavy_usd_per_kg: None,
            distance_km: Some(km),
            china_share: 0.25,
        }
    }

    /// The compact map reads as the map it stands for: lookups, order, the last of
    /// repeated ids winning, and its JSON a map's (against a `BTreeMap` of the same
    /// entries, another method).
    #[test]
    fn assigned_plants_are_a_map_by_id() {
        let given = vec![
            ("M3".to_owned(), terms(2030, "P1", 10.0)),
            ("M1".to_owned(), terms(2031, "P2", 20.0)),
            ("M2".to_owned(), terms(2032, "P1", 30.0)),
            ("M1".to_owned(), terms(2033, "P1", 40.0)),
        ];
        let map: BTreeMap<String, PlantTerms> = given.iter().cloned().collect();
        let plants: AssignedPlants = given.into_iter().collect();
        assert_eq!(plants.len(), 3);
        assert_eq!(plants.get("M1"), map.get("M1").cloned());
        assert_eq!(plants.get("M1").map(|t| t.year), Some(2033));
        assert_eq!(plants.get("M4"), None);
        let ids: Vec<&str> = plants.iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["M1", "M2", "M3"]);
        let json = serde_json::to_string(&plants).unwrap();
        assert_eq!(json, serde_json::to_string(&map).unwrap());
        let back: AssignedPlants = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        assert!(AssignedPlants::default().is_empty());
    }
}
