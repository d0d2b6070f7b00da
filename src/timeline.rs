//! Investment timeline and financing plan: when each project delivers, the capex a
//! portfolio needs each year, the non-China supply of NdPr and Dy+Tb oxide it adds year by
//! year, the year a supply target is met, and which projects to finance, when, within an
//! annual budget.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::appraise::Appraisal;
use crate::leadtime::StageSpan;
use crate::rank::china_linked;
use crate::record::{ProjectRecord, StudyStage};

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

/// A first-production year with its spread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Years {
    pub base: i32,
    pub p10: i32,
    pub p50: i32,
    pub p90: i32,
}

/// One project on the calendar.
#[derive(Debug, Clone, Serialize)]
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
    pub china_linked: bool,
    pub valued: bool,
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

/// The investment timeline of a portfolio.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub as_of: i32,
    pub projects: Vec<ProjectLine>,
    pub years: Vec<YearRow>,
    pub target: Option<Target>,
    /// First year from which the base supply meets the target and keeps meeting it until
    /// the target year (null if not within the horizon).
    pub target_met_year: Option<i32>,
    /// The same for the chance-weighted supply.
    pub target_met_year_expected: Option<i32>,
    pub band_note: &'static str,
}

/// The first year from which `supply` meets `target` and keeps meeting it at least until
/// the target year, within `years`.
fn met_from(
    years: std::ops::RangeInclusive<i32>,
    target: Target,
    supply: impl Fn(i32) -> f64,
) -> Option<i32> {
    let end = *years.end();
    years
        .clone()
        .find(|y| (*y..=target.year.max(*y).min(end)).all(|z| supply(z) >= target.tonnes))
}

/// Share of nameplate produced in the `k`-th production year (0-based).
fn share(k: i32, ramp: &[f64], life: f64) -> f64 {
    if k < 0 || f64::from(k) >= life.max(0.0).ceil() + ramp.len() as f64 {
        return 0.0;
    }
    // Nameplate-years used before year k, to stop at the end of the mine plan.
    let used: f64 = (0..k)
        .map(|i| ramp.get(i as usize).copied().unwrap_or(1.0))
        .sum();
    let s = ramp.get(k as usize).copied().unwrap_or(1.0);
    s.min((life - used).max(0.0))
}

impl ProjectLine {
    fn new(p: &Appraisal, rec: Option<&ProjectRecord>) -> ProjectLine {
        let base = p.first_production_year.base;
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
                base,
                p10: p.first_production_year.p10.unwrap_or(base),
                p50: p.first_production_year.p50.unwrap_or(base),
                p90: p.first_production_year.p90.unwrap_or(base),
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
            china_linked: china,
            valued: p.valued,
        }
    }

    /// Supply (t) of `oxide` in `year` if first production is in `first`.
    fn supply(&self, oxide: Oxide, year: i32, first: i32, ramp: &[f64]) -> f64 {
        let t = match oxide {
            Oxide::Ndpr => self.ndpr_t,
            Oxide::Dytb => self.dytb_t,
        };
        t * share(year - first, ramp, self.mine_life_y)
    }
}

/// Builds the timeline of appraised projects over `horizon` years from `as_of`.
pub fn timeline(
    projects: &[Appraisal],
    records: &[ProjectRecord],
    as_of: i32,
    horizon: i32,
    ramp: &[f64],
    target: Option<Target>,
) -> Timeline {
    let by_id: BTreeMap<&str, &ProjectRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut lines: Vec<ProjectLine> = projects
        .iter()
        .map(|p| ProjectLine::new(p, by_id.get(p.id.as_str()).copied()))
        .collect();
    lines.sort_by(|a, b| {
        a.first_production_year
            .base
            .cmp(&b.first_production_year.base)
            .then_with(|| a.id.cmp(&b.id))
    });
    let years: Vec<YearRow> = (as_of..=as_of + horizon)
        .map(|year| {
            let band = |oxide| {
                let mut b = Band::default();
                for l in &lines {
                    let y = &l.first_production_year;
                    b.early += l.supply(oxide, year, y.p10, ramp);
                    b.base += l.supply(oxide, year, y.base, ramp);
                    b.late += l.supply(oxide, year, y.p90, ramp);
                    b.expected += l.supply(oxide, year, y.base, ramp) * l.chance_of_success;
                }
                b
            };
            let capex = lines
                .iter()
                .filter_map(|l| {
                    let start = l.construction_start_year?;
                    let c = l.construction_y.max(1) as i32;
                    (year >= start && year < start + c).then(|| l.capex_musd / f64::from(c))
                })
                .sum();
            YearRow {
                year,
                capex_musd: capex,
                ndpr_t: band(Oxide::Ndpr),
                dytb_t: band(Oxide::Dytb),
            }
        })
        .collect();
    let met = |pick: fn(&Band) -> f64| {
        target.and_then(|t| {
            met_from(as_of..=as_of + horizon, t, |year| {
                let y = &years[(year - as_of) as usize];
                pick(match t.oxide {
                    Oxide::Ndpr => &y.ndpr_t,
                    Oxide::Dytb => &y.dytb_t,
                })
            })
        })
    };
    Timeline {
        as_of,
        target_met_year: met(|b| b.base),
        target_met_year_expected: met(|b| b.expected),
        projects: lines,
        years,
        target,
        band_note: "early and late put every project at its own P10 and P90 first-production year at once: a bound for the portfolio, not its percentiles; expected weights the base supply by each chance of success",
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
    ramp: &[f64],
    target: Target,
    budget: f64,
) -> Plan {
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

    // Supply of the target oxide each year from the baseline and the financed projects.
    let supply_in = |year: i32, chosen: &[(usize, i32)]| -> f64 {
        let base: f64 = lines
            .iter()
            .filter(|l| baseline.contains(&l.id))
            .map(|l| l.supply(target.oxide, year, l.first_production_year.base, ramp))
            .sum();
        base + chosen
            .iter()
            .map(|(i, start)| {
                let l = candidates[*i];
                l.supply(
                    target.oxide,
                    year,
                    start + l.construction_y.max(1) as i32,
                    ramp,
                )
            })
            .sum::<f64>()
    };
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
    let met = met_year(&chosen);
    let in_target_year = supply_in(target.year, &chosen);
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
        method: "greedy by chance-weighted target supply per dollar of capex, each project at the first start year (from its earliest) whose construction years fit the budget, until the target is met; then pruning of projects the target-met year does not need",
        financed,
        baseline,
        target_met_year: met,
        target_met_by_target_year: met.is_some_and(|y| y <= target.year),
        supply_in_target_year_t: in_target_year,
        shortfall_t: shortfall,
        funding_gap_musd: funding_gap,
        spend: spend.into_iter().filter(|(_, v)| *v > 1e-9).collect(),
        left_out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_budgets_parse() {
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
        assert_eq!(parse_budget("2000musd/y"), Ok(2000.0));
        assert_eq!(parse_budget("750"), Ok(750.0));
        assert!(parse_budget("-1").is_err());
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
