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

use std::collections::BTreeMap;

use crate::appraisal::{Appraisal, Report};
use crate::appraise::{Terms, appraise, appraise_at};
use crate::assumptions::Assumptions;
use crate::context::Context;
use crate::context::plants::{Capacity, Plant, PlantCalendar};
use crate::model::plant_terms::PlantTerms;
use crate::model::simulate::SimOptions;
use crate::portfolio::separation::{Allocation, Feed, PairFacts, Separation, Tier, allocate};
use crate::portfolio::timeline::{DEFAULT_HORIZON_Y, ProjectLine, SeparationTerms};
use crate::read::record::ProjectRecord;

/// Each project's plant terms, by project id.
pub type AssignedPlants = BTreeMap<String, PlantTerms>;

/// A project as the allocation needs it (its calendar, output, product, site and owners).
pub fn line(p: &Appraisal, rec: &ProjectRecord) -> ProjectLine {
    let mut l = ProjectLine::new(p, Some(rec));
    // The stages are for the timeline's reader; the allocation needs none of them.
    l.stages = Vec::new();
    l
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

/// Collects, year by year, each project's terms in its first year at full output (base
/// case) and the room the base case leaves at each plant; then adds the entrants.
#[derive(Debug, Default)]
pub(crate) struct TermsCollector {
    best: BTreeMap<String, (f64, SeparationTerms)>,
    room: BTreeMap<i32, Vec<(String, Capacity)>>,
}

/// The terms of feed outcome `f` of a year's allocation.
fn terms_of(
    f: &crate::portfolio::separation::FeedOutcome,
    year: i32,
    basis: &'static str,
) -> SeparationTerms {
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
    SeparationTerms {
        year,
        plant: main.map(|m| m.plant.clone().unwrap_or_else(|| "own".into())),
        tier: main.map(|m| m.tier),
        cost_usd_per_kg: main.map(|m| m.cost_usd_per_kg),
        distance_km: main.and_then(|m| m.distance_km),
        china_share: china,
        basis,
    }
}

impl TermsCollector {
    /// Takes the base case's allocation of `year`.
    pub(crate) fn observe(&mut self, year: i32, a: &Allocation) {
        for f in &a.feeds {
            let mined = f.mined_ndpr_t + f.mined_dytb_t;
            let best = self.best.get(&f.id).map_or(-1.0, |(m, _)| *m);
            if mined > best + 1e-9 {
                self.best
                    .insert(f.id.clone(), (mined, terms_of(f, year, "base")));
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

    /// The terms of every project of `lines`: its base-case terms, else (an entrant that
    /// produces if it proceeds) its own first full year's on the room the base case leaves
    /// that year (the horizon's last year for one beyond it).
    pub(crate) fn finish(
        mut self,
        lines: &[ProjectLine],
        sep: &Separation,
    ) -> BTreeMap<String, SeparationTerms> {
        let mut out: BTreeMap<String, SeparationTerms> = std::mem::take(&mut self.best)
            .into_iter()
            .map(|(id, (_, t))| (id, t))
            .collect();
        let (Some(first_year), Some(last_year)) = (
            self.room.keys().next().copied(),
            self.room.keys().next_back().copied(),
        ) else {
            return out;
        };
        let ramp = &sep.ramp;
        for l in lines {
            if out.contains_key(&l.id) || l.ndpr_t + l.dytb_t <= 0.0 {
                continue;
            }
            let first = l.first_production_year.if_proceeds;
            // Its first year at full output: the largest output of its first years.
            let mut full: Option<(i32, Feed)> = None;
            for y in first..=first + ramp.len() as i32 + 1 {
                if let Some(f) = l.feed_in(y, Some(first), ramp, 1.0) {
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
                out.insert(l.id.clone(), terms_of(f, year, "entrant"));
            }
        }
        out
    }
}

/// The plant terms of `lines` over `horizon` years from `as_of`, on the base calendar
/// (plants at their P50 dates).
pub fn from_lines(
    lines: &[ProjectLine],
    as_of: i32,
    horizon: i32,
    sep: &Separation,
) -> AssignedPlants {
    let mut c = TermsCollector::default();
    // Distances and owners once for the run, not once a year.
    let facts: Vec<Feed> = lines.iter().map(ProjectLine::feed_facts).collect();
    let facts = PairFacts::new(&facts, sep);
    for year in as_of..=as_of + horizon {
        let (rows, mut feeds): (Vec<usize>, Vec<Feed>) = lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                l.feed_in(year, l.first_production_year.base, &sep.ramp, 1.0)
                    .map(|f| (i, f))
            })
            .unzip();
        c.observe(
            year,
            &facts.allocate_year(sep, &mut feeds, &rows, year, PlantCalendar::P50, as_of),
        );
    }
    c.finish(lines, sep)
        .into_iter()
        .map(|(id, t)| {
            let t = plant_terms(&t, sep);
            (id, t)
        })
        .collect()
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

/// The plant terms of appraised `projects` (their records in `records`).
pub fn assigned_plants(
    projects: &[Appraisal],
    records: &[ProjectRecord],
    as_of: i32,
    sep: &Separation,
) -> AssignedPlants {
    let by_id: BTreeMap<&str, &ProjectRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let lines: Vec<ProjectLine> = projects
        .iter()
        .filter_map(|p| by_id.get(p.id.as_str()).map(|r| line(p, r)))
        .collect();
    from_lines(&lines, as_of, DEFAULT_HORIZON_Y, sep)
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
            let out = appraise_at(r, s, a, terms, sim, plants.get(&r.id));
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
    use crate::portfolio::separation::{Assignment, FeedOutcome};

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
        let t = terms_of(
            &feed((100.0, 40.0), (0.0, 0.0), &[("P2", 0.25), ("P1", 0.35)]),
            2030,
            "base",
        );
        assert!((t.china_share - 0.4).abs() < 1e-12, "{t:?}");
        assert_eq!(t.plant.as_deref(), Some("P1"));
        assert_eq!(t.cost_usd_per_kg, Some(3.5));
        assert_eq!(t.distance_km, Some(35.0));
        assert_eq!(t.year, 2030);
        let t = terms_of(&feed((0.0, 0.0), (10.0, 5.0), &[("P1", 0.5)]), 2030, "base");
        assert!((t.china_share - 0.5).abs() < 1e-12, "{t:?}");
        let t = terms_of(&feed((0.0, 0.0), (0.0, 0.0), &[]), 2030, "base");
        assert_eq!(t.china_share, 0.0);
        assert_eq!(t.plant, None);
    }
}
