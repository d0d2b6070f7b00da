//! Financing plan: which projects to finance, and when, to meet a supply target as early
//! as possible within an annual budget, on the calendar of [`crate::portfolio::timeline`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::appraisal::Appraisal;
use crate::context::plants::{CapacityStep, Plant, PlantAccess, PlantCalendar};
use crate::portfolio::separation::{Feed, Separation};
use crate::portfolio::timeline::{Binding, Oxide, ProjectLine, Target, met_from};
use crate::read::record::ProductForm;
use crate::read::record::ProjectRecord;

/// An annual budget: `2000musd/y` (or a plain number of US$ million a year).
pub fn parse_budget(text: &str) -> Result<f64, String> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.trim_end_matches("/y").trim_end_matches("musd").trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "budget {text:?} is not a number of US$ million a year (write e.g. 2000musd/y)"
        )),
    }
}

/// A project the plan finances.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Financed {
    pub order: usize,
    pub id: String,
    pub name: String,
    /// Year construction (and spending) starts.
    pub start_year: i32,
    pub first_production_year: i32,
    pub capex_musd: f64,
    /// Target oxide at nameplate, t/y.
    pub supply_t: f64,
    /// Target oxide separated outside China that it added in the target year when the plan
    /// chose it, t/y (0 when chosen after nothing added supply in the target year).
    pub separated_added_t: f64,
    /// That gain weighted by its chance of success, per US$ million of capex.
    pub separated_t_per_musd: f64,
}

/// The financing plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub target: Target,
    /// US$ million a year.
    pub budget_musd_per_y: f64,
    pub method: &'static str,
    pub financed: Vec<Financed>,
    /// Projects already producing or under construction, counted as the baseline (at
    /// their median outcome, as the timeline's base counts them).
    pub baseline: Vec<String>,
    /// What "met" means ([`crate::portfolio::timeline::TARGET_MET_RULE`], the timeline's
    /// too).
    pub target_met_rule: &'static str,
    /// Baseline projects with no output in the base case (median outcome never), with why:
    /// a part-built project its owner would not finish at the deck; its completion is a
    /// candidate to finance.
    pub baseline_without_supply: Vec<(String, String)>,
    pub target_met_year: Option<i32>,
    pub target_met_by_target_year: bool,
    /// Supply of the target oxide in the target year, t/y.
    pub supply_in_target_year_t: f64,
    /// Tonnes per year missing in the target year (0 when met).
    pub shortfall_t: f64,
    /// Extra money the projects that would close the shortfall need beyond the budget,
    /// US$ million (0 when met).
    pub funding_gap_musd: f64,
    /// Spend per year, US$ million; never above the budget.
    pub spend: Vec<(i32, f64)>,
    pub left_out: Vec<(String, String)>,
    /// Supply counts what plants outside China separate. Mined (contained) supply of the
    /// target oxide in the target year with the financed projects, t/y.
    pub mined_in_target_year_t: f64,
    /// What stops the target in the target year with the financed mines: `plants` when
    /// feed is sold to China for want of a plant, else `mines`.
    pub binding_in_target_year: Binding,
    /// New separation plants the plan finances because plants, not mines, stop the target.
    pub plants_financed: Vec<FinancedPlant>,
}

/// A new separation plant the plan finances (a default scaled on the reference plants:
/// the assumptions' `[separation]` capex per t/y NdPr and lead time).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinancedPlant {
    pub id: String,
    /// Its place in the plan's financing order, counted with the mines'.
    pub order: usize,
    /// Year spending starts.
    pub start_year: i32,
    pub first_output_year: i32,
    pub capex_musd: f64,
    /// Nameplate, t/y.
    pub capacity_ndpr_t: f64,
    pub capacity_dytb_t: f64,
    /// The project whose stranded feed it is sited beside (for freight).
    pub sited_at: String,
    pub reason: String,
    /// Target oxide separated outside China that it added in the target year when the plan
    /// chose it, t/y, and that per US$ million of capex.
    pub separated_added_t: f64,
    pub separated_t_per_musd: f64,
}

/// Below this many tonnes a year of the target oxide in the target year, an option adds
/// nothing the plan counts (the rounding of shares; the timeline's binding tolerance).
const MIN_GAIN_T: f64 = 1.0;

/// One thing the plan finances: a mine (candidate index, start year) or a new plant.
#[derive(Debug, Clone)]
enum Pick {
    Mine(usize, i32),
    Plant(Box<Plant>, FinancedPlant),
}

/// A project under construction (its record's stage), part of the plan's baseline.
fn building(l: &ProjectLine) -> bool {
    l.stage
        .as_deref()
        .and_then(crate::read::record::StudyStage::parse)
        .is_some_and(|s| s == crate::read::record::StudyStage::Construction)
}

/// Chooses mines, plants and start years to meet `target` as early as possible within the
/// annual `budget`. Each step finances the option that adds the most separated supply of
/// the target oxide in the target year per dollar: every remaining mine (at the first
/// start year from its earliest whose construction years fit the budget, its gain weighted
/// by its chance of success) and, when mined feed finds no plant outside China that year, a
/// new open plant sized on that feed (at the first start year the budget allows). When no
/// option adds supply in the target year the plan stops: the rest are left out, each with
/// its reason. Then every financed
/// mine or plant whose removal leaves the target-met year unchanged is dropped (latest
/// first).
pub fn plan(
    projects: &[Appraisal],
    records: &[ProjectRecord],
    as_of: i32,
    horizon: i32,
    target: Target,
    budget: f64,
    sep: &Separation,
) -> Plan {
    // The mines' ramp-up (the assumptions' schedule), as the separation setup holds it.
    let ramp: &[f64] = &sep.ramp;
    let by_id: BTreeMap<&str, &ProjectRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let lines: Vec<ProjectLine> = projects
        .iter()
        .map(|p| ProjectLine::new(p, by_id.get(p.id.as_str()).copied()))
        .collect();
    let end = as_of + horizon;
    let supply_t = |l: &ProjectLine| match target.oxide {
        Oxide::Ndpr => l.ndpr_t,
        Oxide::Dytb => l.dytb_t,
    };
    let mut left_out = Vec::new();
    let mut baseline = Vec::new();
    let mut baseline_without_supply = Vec::new();
    let mut candidates = Vec::new();
    for l in &lines {
        if l.china_linked {
            left_out.push((
                l.id.clone(),
                "China-linked: its output is not non-China supply".to_owned(),
            ));
        } else if by_id.get(l.id.as_str()).is_some_and(|r| r.is_plant()) {
            left_out.push((
                l.id.clone(),
                "a separation plant record: among the plants of the allocation, not a mine to finance".to_owned(),
            ));
        } else if !l.valued {
            left_out.push((
                l.id.clone(),
                "not valued (no output or cost to plan with)".to_owned(),
            ));
        } else if let Some(why) = &l.blocked {
            left_out.push((l.id.clone(), format!("blocked: {why}")));
        } else if l.construction_start_year.is_none() || building(l) {
            // Producing, or under construction: the baseline, at its median outcome, whether
            // or not it mines the target oxide (its feed takes room in the plants, as in the
            // timeline). A part-built project whose median outcome is never (its owner would
            // not finish it at the deck) adds nothing there, and its completion can be
            // financed.
            baseline.push(l.id.clone());
            if l.first_production_year.base.is_none() {
                let why = l
                    .first_production_year
                    .never_reason
                    .clone()
                    .unwrap_or_else(|| "its median outcome is never".to_owned());
                let completion =
                    building(l) && l.construction_start_year.is_some() && supply_t(l) > 0.0;
                baseline_without_supply.push((
                    l.id.clone(),
                    if completion {
                        format!("{why}; its completion is a candidate to finance")
                    } else {
                        why
                    },
                ));
                if completion {
                    candidates.push(l);
                }
            }
        } else if supply_t(l) <= 0.0 {
            left_out.push((l.id.clone(), "produces none of the target oxide".to_owned()));
        } else {
            candidates.push(l);
        }
    }
    let static_key = |l: &ProjectLine| supply_t(l) * l.chance_of_success / l.capex_musd.max(1.0);
    candidates.sort_by(|a, b| {
        static_key(b)
            .total_cmp(&static_key(a))
            .then_with(|| a.id.cmp(&b.id))
    });

    // A financed completion replaces the baseline's (empty) line of the same project.
    // Feeds of the baseline and the financed mines in a year.
    let feeds_in = |year: i32, chosen: &[(usize, i32)]| -> Vec<Feed> {
        lines
            .iter()
            .filter(|l| baseline.contains(&l.id))
            .filter_map(|l| l.feed_in(year, l.first_production_year.base, ramp, 1.0))
            .chain(chosen.iter().filter_map(|(i, start)| {
                let l = candidates[*i];
                l.feed_in(
                    year,
                    Some(start + l.construction_y.max(1) as i32),
                    ramp,
                    1.0,
                )
            }))
            .collect()
    };
    let pick = |ndpr: f64, dytb: f64| match target.oxide {
        Oxide::Ndpr => ndpr,
        Oxide::Dytb => dytb,
    };
    // The mines and the plants layer with the plants of `picks`.
    let world = |picks: &[Pick]| -> (Vec<(usize, i32)>, Separation) {
        let mut s = sep.clone();
        let mut chosen = Vec::new();
        for p in picks {
            match p {
                Pick::Mine(i, y) => chosen.push((*i, *y)),
                Pick::Plant(plant, _) => s.plants.push((**plant).clone()),
            }
        }
        (chosen, s)
    };
    let alloc_in = |picks: &[Pick], year: i32| {
        let (chosen, s) = world(picks);
        s.allocate_year(&feeds_in(year, &chosen), year, PlantCalendar::P50, as_of)
    };
    let separated_in = |picks: &[Pick], year: i32| {
        let a = alloc_in(picks, year);
        pick(a.separated_ndpr_t(), a.separated_dytb_t())
    };
    let met_year = |picks: &[Pick]| {
        let (chosen, s) = world(picks);
        met_from(as_of..=end, target, |y| {
            let a = s.allocate_year(&feeds_in(y, &chosen), y, PlantCalendar::P50, as_of);
            pick(a.separated_ndpr_t(), a.separated_dytb_t())
        })
    };
    let spend_of = |picks: &[Pick]| -> BTreeMap<i32, f64> {
        let mut spend: BTreeMap<i32, f64> = BTreeMap::new();
        for p in picks {
            let (start, years, capex) = match p {
                Pick::Mine(i, s) => {
                    let l = candidates[*i];
                    (*s, l.construction_y.max(1) as i32, l.capex_musd)
                }
                Pick::Plant(_, f) => (
                    f.start_year,
                    f.first_output_year - f.start_year,
                    f.capex_musd,
                ),
            };
            for y in start..start + years.max(1) {
                *spend.entry(y).or_default() += capex / f64::from(years.max(1));
            }
        }
        spend
    };
    // The first start year from `earliest` at which `years` years of `capex` fit.
    let fits = |spend: &BTreeMap<i32, f64>, earliest: i32, years: i32, capex: f64| {
        let per_year = capex / f64::from(years.max(1));
        (earliest..=end).find(|s| {
            (*s..s + years.max(1))
                .all(|y| spend.get(&y).copied().unwrap_or(0.0) + per_year <= budget + 1e-9)
        })
    };
    let mine_start = |spend: &BTreeMap<i32, f64>, i: usize| {
        let l = candidates[i];
        let earliest = l.construction_start_year.unwrap_or(as_of).max(as_of);
        fits(
            spend,
            earliest,
            l.construction_y.max(1) as i32,
            l.capex_musd,
        )
    };
    // A new open plant sized on the feed sold to China in the target year, if any.
    let plant_option = |picks: &[Pick], spend: &BTreeMap<i32, f64>, k: usize| -> Option<Pick> {
        let at = alloc_in(picks, target.year);
        let stranded = pick(at.to_china_ndpr_t(), at.to_china_dytb_t());
        let short = target.tonnes - pick(at.separated_ndpr_t(), at.separated_dytb_t());
        if stranded <= 0.5 || short <= 0.0 {
            return None;
        }
        let need = short.min(stranded);
        // The largest stranded feed sites the plant.
        let site_feed = at.feeds.iter().max_by(|a, b| {
            pick(a.to_china_ndpr_t, a.to_china_dytb_t)
                .total_cmp(&pick(b.to_china_ndpr_t, b.to_china_dytb_t))
                .then_with(|| b.id.cmp(&a.id))
        })?;
        let site = site_feed.id.clone();
        let point = lines.iter().find(|l| l.id == site).and_then(|l| l.site())?;
        let lead = sep.new_plant_lead_time_y.max(1) as i32;
        // Sized for the whole output of the feed beside it (what other plants separate of it
        // now, which moves to the nearer plant, plus its stranded part up to the need), both
        // circuits on that feed's own mix, the other circuit at least at Aclara
        // Louisiana's (1,400 t NdPr with 230 t Dy+Tb), so that neither binds first.
        let own = pick(site_feed.to_china_ndpr_t, site_feed.to_china_dytb_t).max(1e-9);
        let f = (need / own).min(1.0);
        let nd = site_feed.separated_ndpr_t + site_feed.to_china_ndpr_t * f;
        let dt = site_feed.separated_dytb_t + site_feed.to_china_dytb_t * f;
        let (ndpr_cap, dytb_cap) = match target.oxide {
            Oxide::Ndpr => (nd, dt.max(nd * 230.0 / 1400.0)),
            Oxide::Dytb => (nd.max(dt * 1400.0 / 230.0), dt),
        };
        // Sized to separate that feed in the target year at its utilisation and the
        // ramp-up share of that year of its output; the budget search starts from the
        // size at full rate and grows it while a later start lowers the share.
        let share = |first: i32| {
            usize::try_from(target.year - first)
                .ok()
                .map(|k| sep.ramp.get(k).copied().unwrap_or(1.0))
        };
        let full = 1.0 / sep.utilisation.max(1e-6);
        let mut found = None;
        for s in as_of..=target.year - lead {
            let Some(k) = share(s + lead).filter(|k| *k > 0.0) else {
                break;
            };
            let capex = ndpr_cap * full / k * sep.new_plant_capex_musd_per_t_ndpr;
            if fits(spend, s, lead, capex) == Some(s) {
                found = Some((s, full / k));
                break;
            }
        }
        let (start, scale) = found?;
        let (ndpr_cap, dytb_cap) = (ndpr_cap * scale, dytb_cap * scale);
        let capex = ndpr_cap * sep.new_plant_capex_musd_per_t_ndpr;
        let first = start + lead;
        let latest = target.year - lead - sep.ramp.len() as i32;
        let id = format!("new-plant-{k}");
        let plant = Plant {
            id: id.clone(),
            name: "New separation plant (financed by the plan)".into(),
            operator: None,
            owners: Vec::new(),
            country: None,
            kind: "separation".into(),
            status: "planned".into(),
            start_year: Some(first),
            start_year_late: Some(first),
            feeds: vec![ProductForm::Concentrate, ProductForm::MixedCarbonate],
            access: PlantAccess::Open,
            light: true,
            heavy: true,
            capacity: vec![CapacityStep {
                from: Some(first),
                from_late: Some(first),
                ndpr_t: Some(ndpr_cap),
                dytb_t: Some(dytb_cap),
                heavy_reo_t: None,
                reo_t: None,
                basis: "nameplate".into(),
            }],
            toll_light_usd_per_kg: None,
            toll_heavy_usd_per_kg: None,
            source: Some("plan default: assumptions [separation] new_plant_*".into()),
            note: None,
            point,
        };
        Some(Pick::Plant(
            Box::new(plant),
            FinancedPlant {
                id,
                order: 0,
                start_year: start,
                first_output_year: first,
                capex_musd: capex,
                capacity_ndpr_t: ndpr_cap,
                capacity_dytb_t: dytb_cap,
                sited_at: site,
                reason: format!(
                    "{stranded:.0} t/y of the target oxide mined in {} finds no plant outside China{}",
                    target.year,
                    if start > latest {
                        "; it is still ramping up in the target year, so it is sized for its ramp-up share of that year"
                    } else {
                        ""
                    }
                ),
                separated_added_t: 0.0,
                separated_t_per_musd: 0.0,
            },
        ))
    };

    // Greedy by separated supply added in the target year per dollar.
    let mut picks: Vec<Pick> = Vec::new();
    let mut gains: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
    let unfundable: Vec<usize> = (0..candidates.len())
        .filter(|i| mine_start(&BTreeMap::new(), *i).is_none())
        .collect();
    let mut plants_made = 0;
    while met_year(&picks).is_none_or(|y| y > target.year) {
        let spend = spend_of(&picks);
        let now = separated_in(&picks, target.year);
        let taken: Vec<usize> = picks
            .iter()
            .filter_map(|p| match p {
                Pick::Mine(i, _) => Some(*i),
                Pick::Plant(..) => None,
            })
            .collect();
        // (score, gain, option); ties go to the mine earlier in the static order.
        let mut best: Option<(f64, f64, Pick)> = None;
        for (i, l) in candidates.iter().enumerate() {
            if taken.contains(&i) || unfundable.contains(&i) {
                continue;
            }
            let Some(start) = mine_start(&spend, i) else {
                continue;
            };
            let mut with = picks.clone();
            with.push(Pick::Mine(i, start));
            let gain = separated_in(&with, target.year) - now;
            let score = gain * l.chance_of_success / l.capex_musd.max(1.0);
            if gain >= MIN_GAIN_T && best.as_ref().is_none_or(|b| score > b.0 + 1e-12) {
                best = Some((score, gain, Pick::Mine(i, start)));
            }
        }
        if let Some(p) = plant_option(&picks, &spend, plants_made + 1) {
            let mut with = picks.clone();
            with.push(p.clone());
            let gain = separated_in(&with, target.year) - now;
            let capex = match &p {
                Pick::Plant(_, f) => f.capex_musd,
                Pick::Mine(..) => unreachable!(),
            };
            let score = gain / capex.max(1.0);
            if gain >= MIN_GAIN_T && best.as_ref().is_none_or(|b| score > b.0 + 1e-12) {
                best = Some((score, gain, p));
            }
        }
        let Some((score, gain, mut p)) = best else {
            break;
        };
        match &mut p {
            Pick::Mine(i, _) => {
                gains.insert(*i, (gain, score));
            }
            Pick::Plant(_, f) => {
                plants_made += 1;
                (f.separated_added_t, f.separated_t_per_musd) = (gain, score);
            }
        }
        picks.push(p);
    }
    // Prune: drop financed mines and plants (latest first) the target-met year does not need.
    if let Some(year) = met_year(&picks) {
        let mut k = picks.len();
        while k > 0 {
            k -= 1;
            let mut without = picks.clone();
            let p = without.remove(k);
            if met_year(&without).is_some_and(|y| y <= year) {
                if let Pick::Mine(i, _) = p {
                    left_out.push((
                        candidates[i].id.clone(),
                        "not needed: the target is met as early without it".to_owned(),
                    ));
                }
                picks = without;
            }
        }
    }
    let spend = spend_of(&picks);
    let chosen: Vec<(usize, i32)> = world(&picks).0;
    let at_target = alloc_in(&picks, target.year);
    let stranded = pick(at_target.to_china_ndpr_t(), at_target.to_china_dytb_t());
    let binding = if stranded > 0.5 {
        Binding::Plants
    } else {
        Binding::Mines
    };
    let mined_in_target_year = pick(at_target.mined_ndpr_t(), at_target.mined_dytb_t());
    let met = met_year(&picks);
    let in_target_year = pick(at_target.separated_ndpr_t(), at_target.separated_dytb_t());
    let shortfall = (target.tonnes - in_target_year).max(0.0);
    // The gap: the capex of the mines an unlimited budget would add, each at its earliest
    // start, in the static order, until the target is met (or every mine is in).
    let funding_gap = if shortfall > 0.0 {
        let mut extra = picks.clone();
        let mut gap = 0.0;
        for (i, l) in candidates.iter().enumerate() {
            if met_year(&extra).is_some_and(|y| y <= target.year) {
                break;
            }
            if chosen.iter().any(|(j, _)| *j == i) {
                continue;
            }
            let earliest = l.construction_start_year.unwrap_or(as_of).max(as_of);
            extra.push(Pick::Mine(i, earliest));
            gap += l.capex_musd;
        }
        gap
    } else {
        0.0
    };
    for &i in &unfundable {
        if !chosen.iter().any(|(j, _)| *j == i) {
            left_out.push((
                candidates[i].id.clone(),
                format!("no start year before {end} fits the budget"),
            ));
        }
    }
    for (i, l) in candidates.iter().enumerate() {
        let placed =
            chosen.iter().any(|(j, _)| *j == i) || left_out.iter().any(|(id, _)| *id == l.id);
        if !placed {
            left_out.push((
                l.id.clone(),
                if met.is_some_and(|y| y <= target.year) {
                    "not needed: the target was met before its turn".to_owned()
                } else {
                    "adds no separated supply in the target year within what the budget leaves"
                        .to_owned()
                },
            ));
        }
    }
    let mut financed = Vec::new();
    let mut plants_financed = Vec::new();
    for (k, p) in picks.iter().enumerate() {
        match p {
            Pick::Mine(i, s) => {
                let l = candidates[*i];
                let (gain, score) = gains.get(i).copied().unwrap_or((0.0, 0.0));
                financed.push(Financed {
                    order: k + 1,
                    id: l.id.clone(),
                    name: l.name.clone(),
                    start_year: *s,
                    first_production_year: s + l.construction_y.max(1) as i32,
                    capex_musd: l.capex_musd,
                    supply_t: supply_t(l),
                    separated_added_t: gain,
                    separated_t_per_musd: score,
                });
            }
            Pick::Plant(_, f) => {
                let mut f = f.clone();
                f.order = k + 1;
                plants_financed.push(f);
            }
        }
    }
    Plan {
        target,
        budget_musd_per_y: budget,
        method: "greedy by separated supply added per dollar: at each step every remaining mine (at the first start year from its earliest whose construction years fit the budget; its added supply of the target oxide separated outside China in the target year weighted by its chance of success) and, when feed mined in the target year finds no plant outside China, a new open plant sized on that feed (at the first start year the budget allows) are compared by separated supply added in the target year per US$ of capex, and the best is financed, until the separated target is met or nothing the budget can reach adds supply in the target year; then pruning of mines and plants the target-met year does not need",
        financed,
        baseline,
        target_met_rule: crate::portfolio::timeline::TARGET_MET_RULE,
        baseline_without_supply,
        target_met_year: met,
        target_met_by_target_year: met.is_some_and(|y| y <= target.year),
        supply_in_target_year_t: in_target_year,
        shortfall_t: shortfall,
        funding_gap_musd: funding_gap,
        spend: spend.into_iter().filter(|(_, v)| *v > 1e-9).collect(),
        left_out,
        mined_in_target_year_t: mined_in_target_year,
        binding_in_target_year: binding,
        plants_financed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_parse() {
        assert_eq!(parse_budget("2000musd/y"), Ok(2000.0));
        assert_eq!(parse_budget("750"), Ok(750.0));
        assert!(parse_budget("-1").is_err());
    }
}
