//! Investment timeline: when each project delivers, the capex a portfolio needs each year,
//! the non-China supply of NdPr and Dy+Tb oxide it adds year by year, and the year a supply
//! target is met. The financing plan built on it is in [`crate::portfolio::plan`].

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::appraisal::Appraisal;
use crate::model::cashflow;
use crate::model::leadtime::StageSpan;
use crate::portfolio::rank::china_linked;
use crate::read::record::{ProjectRecord, StudyStage};

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
    pub(crate) fn new(p: &Appraisal, rec: Option<&ProjectRecord>) -> ProjectLine {
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
    pub(crate) fn supply(&self, oxide: Oxide, year: i32, first: i32, ramp: &[f64]) -> f64 {
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
