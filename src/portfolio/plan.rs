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

/// Financed projects (candidate index, start year), spend by year, and the candidates no
/// start year could fit.
type Scheduled = (Vec<(usize, i32)>, BTreeMap<i32, f64>, Vec<usize>);

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
}

/// The financing plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub target: Target,
    /// US$ million a year.
    pub budget_musd_per_y: f64,
    pub method: &'static str,
    pub financed: Vec<Financed>,
    /// Projects already producing or under construction, counted as the baseline.
    pub baseline: Vec<String>,
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
}

/// Chooses projects and start years to meet `target` as early as possible within the
/// annual `budget`: candidates by target supply per dollar of capex (weighted by chance of
/// success), each started in the first year from its earliest start at which every year
/// of its construction fits the budget, until the target is met; then every financed
/// project whose removal leaves the target-met year unchanged is dropped (latest first).
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
    let mut candidates = Vec::new();
    for l in &lines {
        if l.china_linked {
            left_out.push((
                l.id.clone(),
                "China-linked: its output is not non-China supply".to_owned(),
            ));
        } else if !l.valued {
            left_out.push((
                l.id.clone(),
                "not valued (no output or cost to plan with)".to_owned(),
            ));
        } else if let Some(why) = &l.blocked {
            left_out.push((l.id.clone(), format!("blocked: {why}")));
        } else if supply_t(l) <= 0.0 {
            left_out.push((l.id.clone(), "produces none of the target oxide".to_owned()));
        } else if l.construction_start_year.is_none() {
            baseline.push(l.id.clone());
        } else {
            candidates.push(l);
        }
    }
    candidates.sort_by(|a, b| {
        let key = |l: &ProjectLine| supply_t(l) * l.chance_of_success / l.capex_musd.max(1.0);
        key(b).total_cmp(&key(a)).then_with(|| a.id.cmp(&b.id))
    });

    // Feeds of the baseline and the financed projects in a year.
    let feeds_in = |year: i32, chosen: &[(usize, i32)]| -> Vec<Feed> {
        lines
            .iter()
            .filter(|l| baseline.contains(&l.id))
            .filter_map(|l| l.feed_in(year, Some(l.first_production_year.if_proceeds), ramp, 1.0))
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
    // Separated supply of the target oxide in a year, with `sep` (the layer, or the layer
    // and the plants the plan adds).
    let separated_in = |sep: &Separation, year: i32, chosen: &[(usize, i32)]| -> f64 {
        let a = sep.allocate_year(&feeds_in(year, chosen), year, PlantCalendar::P50, as_of);
        pick(a.separated_ndpr_t(), a.separated_dytb_t())
    };
    let supply_in = |year: i32, chosen: &[(usize, i32)]| separated_in(sep, year, chosen);
    let met_year =
        |chosen: &[(usize, i32)]| met_from(as_of..=end, target, |y| supply_in(y, chosen));

    let schedule = |budget: f64| -> Scheduled {
        let mut spend: BTreeMap<i32, f64> = BTreeMap::new();
        let mut chosen: Vec<(usize, i32)> = Vec::new();
        let mut unfundable = Vec::new();
        for (i, l) in candidates.iter().enumerate() {
            if met_year(&chosen).is_some_and(|y| y <= target.year) {
                break;
            }
            let c = l.construction_y.max(1) as i32;
            let per_year = l.capex_musd / f64::from(c);
            let earliest = l.construction_start_year.unwrap_or(as_of).max(as_of);
            let start = (earliest..=end).find(|s| {
                (*s..s + c)
                    .all(|y| spend.get(&y).copied().unwrap_or(0.0) + per_year <= budget + 1e-9)
            });
            match start {
                Some(s) => {
                    for y in s..s + c {
                        *spend.entry(y).or_default() += per_year;
                    }
                    chosen.push((i, s));
                }
                None => unfundable.push(i),
            }
        }
        (chosen, spend, unfundable)
    };
    let (mut chosen, mut spend, unfundable) = schedule(budget);
    // Prune: drop financed projects (latest first) that the target-met year does not need.
    if let Some(year) = met_year(&chosen) {
        let mut k = chosen.len();
        while k > 0 {
            k -= 1;
            let mut without = chosen.clone();
            let (i, s) = without.remove(k);
            if met_year(&without).is_some_and(|y| y <= year) {
                let l = candidates[i];
                let c = l.construction_y.max(1) as i32;
                for y in s..s + c {
                    if let Some(v) = spend.get_mut(&y) {
                        *v -= l.capex_musd / f64::from(c);
                    }
                }
                left_out.push((
                    l.id.clone(),
                    "not needed: the target is met as early without it".to_owned(),
                ));
                chosen = without;
            }
        }
    }
    // Plants: when the mines financed leave feed sold to China in the target year, a new
    // open plant sized on that feed, financed within what the budget leaves.
    let year_alloc = |sep: &Separation| {
        sep.allocate_year(
            &feeds_in(target.year, &chosen),
            target.year,
            PlantCalendar::P50,
            as_of,
        )
    };
    let at_target = year_alloc(sep);
    let stranded = pick(at_target.to_china_ndpr_t(), at_target.to_china_dytb_t());
    let binding = if stranded > 0.5 {
        Binding::Plants
    } else {
        Binding::Mines
    };
    let mined_in_target_year = pick(at_target.mined_ndpr_t(), at_target.mined_dytb_t());
    let mut plants_financed = Vec::new();
    let mut with_plants = sep.clone();
    let short_now = target.tonnes - separated_in(sep, target.year, &chosen);
    if short_now > 0.0 && binding == Binding::Plants {
        let need = short_now.min(stranded);
        // The largest stranded feed sites the plant.
        let site = at_target
            .feeds
            .iter()
            .max_by(|a, b| {
                pick(a.to_china_ndpr_t, a.to_china_dytb_t)
                    .total_cmp(&pick(b.to_china_ndpr_t, b.to_china_dytb_t))
                    .then_with(|| b.id.cmp(&a.id))
            })
            .map(|f| f.id.clone());
        let point = site
            .as_ref()
            .and_then(|id| lines.iter().find(|l| &l.id == id).and_then(|l| l.site()));
        let lead = sep.new_plant_lead_time_y.max(1) as i32;
        // Aclara Louisiana's mix (1,400 t NdPr with 230 t Dy+Tb) sizes the other circuit.
        let (ndpr_cap, dytb_cap) = match target.oxide {
            Oxide::Ndpr => (need, need * 230.0 / 1400.0),
            Oxide::Dytb => (need * 1400.0 / 230.0, need),
        };
        let scale = 1.0 / (sep.utilisation.max(1e-6));
        let (ndpr_cap, dytb_cap) = (ndpr_cap * scale, dytb_cap * scale);
        let capex = ndpr_cap * sep.new_plant_capex_musd_per_t_ndpr;
        let per_year = capex / f64::from(lead);
        let latest = target.year - lead - sep.ramp.len() as i32;
        let start = (as_of..=end).find(|y| {
            (*y..y + lead)
                .all(|z| spend.get(&z).copied().unwrap_or(0.0) + per_year <= budget + 1e-9)
        });
        if let (Some(start), Some(point), Some(site)) = (start, point, site) {
            for z in start..start + lead {
                *spend.entry(z).or_default() += per_year;
            }
            let first = start + lead;
            with_plants.plants.push(Plant {
                id: "new-plant-1".into(),
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
            });
            plants_financed.push(FinancedPlant {
                id: "new-plant-1".into(),
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
                        "; the budget starts it too late to run at capacity by the target year"
                    } else {
                        ""
                    }
                ),
            });
        }
    }
    let met_year_p = |chosen: &[(usize, i32)]| {
        met_from(as_of..=end, target, |y| {
            separated_in(&with_plants, y, chosen)
        })
    };
    let met = met_year_p(&chosen);
    let in_target_year = separated_in(&with_plants, target.year, &chosen);
    let shortfall = (target.tonnes - in_target_year).max(0.0);
    // The gap: what the projects an unlimited budget would add cost beyond this budget.
    let funding_gap = if shortfall > 0.0 {
        let (unlimited, _, _) = schedule(f64::INFINITY);
        unlimited
            .iter()
            .filter(|(i, _)| !chosen.iter().any(|(j, _)| j == i))
            .map(|(i, _)| candidates[*i].capex_musd)
            .sum()
    } else {
        0.0
    };
    for i in unfundable {
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
                "not needed: the target was met before its turn".to_owned(),
            ));
        }
    }
    let financed = chosen
        .iter()
        .enumerate()
        .map(|(k, (i, s))| {
            let l = candidates[*i];
            Financed {
                order: k + 1,
                id: l.id.clone(),
                name: l.name.clone(),
                start_year: *s,
                first_production_year: s + l.construction_y.max(1) as i32,
                capex_musd: l.capex_musd,
                supply_t: supply_t(l),
            }
        })
        .collect();
    Plan {
        target,
        budget_musd_per_y: budget,
        method: "greedy by chance-weighted target supply per dollar of capex, each project at the first start year (from its earliest) whose construction years fit the budget, until the separated target is met; then pruning of projects the target-met year does not need; then, when feed mined in the target year finds no plant outside China, one new open plant sized on that feed, at the first start year the budget allows",
        financed,
        baseline,
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
