//! Lead-time model: years from the current stage to first production and to nameplate, as
//! a schedule of the remaining stages. Stage durations are PERT distributions (the
//! deterministic model uses their means), the permit-sensitive stages are scaled by the
//! jurisdiction, and seabed regimes add a regime delay. Time is counted from `as_of`.

use serde::Serialize;

use crate::assumptions::{Assumptions, Pert, pert_mean};
use crate::read::record::{ProjectRecord, Regime, StudyStage};

/// One remaining stage on the calendar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageSpan {
    pub stage: StudyStage,
    /// Decimal years (2031.5 is mid-2031).
    pub start: f64,
    pub end: f64,
    /// The stage's duration distribution (years), after jurisdiction and regime scaling.
    pub pert_y: Pert,
}

/// When a project delivers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadTime {
    /// The clock: years are counted from the start of this calendar year.
    pub as_of: i32,
    /// Years until construction starts.
    pub years_to_construction: f64,
    /// Years until first production.
    pub years_to_first_production: f64,
    /// Years until nameplate output.
    pub years_to_nameplate: f64,
    /// Multiplier applied to pfs, dfs and permitting for the jurisdiction.
    pub permit_multiplier: f64,
    /// Years added to permitting for the regime.
    pub regime_delay_y: f64,
    pub stages: Vec<StageSpan>,
}

impl LeadTime {
    /// The calendar year of first production (the year it falls in).
    pub fn first_production_year(&self) -> i32 {
        (f64::from(self.as_of) + self.years_to_first_production).floor() as i32
    }

    pub fn nameplate_year(&self) -> i32 {
        (f64::from(self.as_of) + self.years_to_nameplate).floor() as i32
    }
}

/// The stages before construction, in order.
const PRE_CONSTRUCTION: [StudyStage; 7] = [
    StudyStage::Exploration,
    StudyStage::Resource,
    StudyStage::Pea,
    StudyStage::Pfs,
    StudyStage::Dfs,
    StudyStage::Permitting,
    StudyStage::Financing,
];

fn scale(p: Pert, k: f64) -> Pert {
    p.map(|x| x * k)
}

/// The lead time of a record at `regime` (from the spatial stage), with `construction_y`
/// from the cost model and `ramp_up_y` years from first production to nameplate.
pub fn lead_time(
    rec: &ProjectRecord,
    regime: Option<Regime>,
    construction_y: u32,
    ramp_up_y: f64,
    a: &Assumptions,
    as_of: i32,
) -> LeadTime {
    let lt = &a.lead_time;
    let stage = rec.development.stage.unwrap_or(StudyStage::Exploration);
    let country = if regime == Some(Regime::Area) {
        None
    } else {
        rec.country.as_deref()
    };
    let permit_multiplier = country
        .and_then(|c| lt.permit_multiplier.get(c))
        .or_else(|| lt.permit_multiplier.get("default"))
        .copied()
        .unwrap_or(1.0);
    let regime_key = match regime {
        Some(Regime::Area) if crate::model::cost::us_route(rec) => "area_dshmra",
        Some(Regime::Area) => "area",
        Some(Regime::Eez) => "eez",
        _ => "onshore",
    };
    let regime_delay_y = lt.regime_delay_y.get(regime_key).copied().unwrap_or(0.0);

    // Durations of every stage from exploration to construction.
    let mut plan: Vec<(StudyStage, Pert)> = PRE_CONSTRUCTION
        .iter()
        .map(|s| {
            let p = lt.stages.get(s.as_str()).copied().unwrap_or([0.0; 3]);
            let p = match s {
                StudyStage::Pfs | StudyStage::Dfs => scale(p, permit_multiplier),
                StudyStage::Permitting => scale(p, permit_multiplier).map(|x| x + regime_delay_y),
                _ => p,
            };
            (*s, p)
        })
        .collect();
    plan.push((
        StudyStage::Construction,
        scale(lt.construction_spread, f64::from(construction_y)),
    ));
    plan.push((StudyStage::RampUp, [ramp_up_y; 3]));

    // Projects past first production: it happened in the year their stage began.
    if stage >= StudyStage::RampUp {
        let first = rec
            .development
            .stage_year
            .map_or(0.0, |y| f64::from(y - as_of).min(0.0));
        let nameplate = if stage == StudyStage::RampUp {
            (first + ramp_up_y).max(0.0)
        } else {
            first
        };
        let stages = if nameplate > 0.0 {
            vec![StageSpan {
                stage,
                start: f64::from(as_of),
                end: f64::from(as_of) + nameplate,
                pert_y: [ramp_up_y; 3],
            }]
        } else {
            Vec::new()
        };
        return LeadTime {
            as_of,
            years_to_construction: first.min(0.0),
            years_to_first_production: first,
            years_to_nameplate: nameplate,
            permit_multiplier,
            regime_delay_y,
            stages,
        };
    }
    let elapsed = rec
        .development
        .stage_year
        .map(|y| f64::from(as_of - y).max(0.0));
    let mut t = 0.0;
    let mut stages = Vec::new();
    let mut to_construction = None;
    let mut to_first = None;
    for (s, pert) in plan {
        if s < stage {
            continue;
        }
        let full = pert_mean(pert);
        // In the current stage, the part still to run: what is left after the years spent
        // in it (at least a quarter), or half the stage when the year it began is unknown.
        let d = if s == stage {
            match elapsed {
                Some(e) => (full - e).max(0.25 * full),
                None => 0.5 * full,
            }
        } else {
            full
        };
        if s == StudyStage::Construction {
            to_construction = Some(t);
        }
        if s == StudyStage::RampUp {
            to_first = Some(t);
        }
        stages.push(StageSpan {
            stage: s,
            start: f64::from(as_of) + t,
            end: f64::from(as_of) + t + d,
            pert_y: pert,
        });
        t += d;
    }
    LeadTime {
        as_of,
        years_to_construction: to_construction.unwrap_or(0.0),
        years_to_first_production: to_first.unwrap_or(t),
        years_to_nameplate: t,
        permit_multiplier,
        regime_delay_y,
        stages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::record::{DepositType, Location};

    fn record(stage: StudyStage, country: &str) -> ProjectRecord {
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "T".into();
        r.country = Some(country.into());
        r.geology.deposit_type = Some(DepositType::Carbonatite);
        r.development.stage = Some(stage);
        r
    }

    fn years(stage: StudyStage, country: &str, regime: Regime) -> f64 {
        let a = Assumptions::defaults();
        lead_time(&record(stage, country), Some(regime), 3, 2.0, &a, 2026).years_to_first_production
    }

    #[test]
    fn calibration_exploration_takes_15_to_18_years() {
        // Full exploration stage (the record began it this year) in a typical jurisdiction.
        let a = Assumptions::defaults();
        let mut r = record(StudyStage::Exploration, "NA");
        r.development.stage_year = Some(2026);
        let lt = lead_time(&r, Some(Regime::Onshore), 3, 2.0, &a, 2026);
        assert!(
            (15.0..=18.0).contains(&lt.years_to_first_production),
            "{}",
            lt.years_to_first_production
        );
        assert_eq!(lt.stages.first().unwrap().stage, StudyStage::Exploration);
        assert_eq!(
            lt.first_production_year(),
            2026 + lt.years_to_first_production.floor() as i32
        );
    }

    #[test]
    fn a_later_stage_never_lengthens_the_remaining_time() {
        for w in StudyStage::ALL.windows(2) {
            let (early, late) = (
                years(w[0], "AU", Regime::Onshore),
                years(w[1], "AU", Regime::Onshore),
            );
            assert!(late <= early, "{} {early} -> {} {late}", w[0], w[1]);
        }
        assert_eq!(years(StudyStage::Production, "AU", Regime::Onshore), 0.0);
    }

    #[test]
    fn producers_first_produced_when_their_stage_began() {
        let a = Assumptions::defaults();
        let mut r = record(StudyStage::Production, "AU");
        r.development.stage_year = Some(2011);
        let lt = lead_time(&r, Some(Regime::Onshore), 3, 2.0, &a, 2026);
        assert_eq!(lt.first_production_year(), 2011);
        let mut r = record(StudyStage::RampUp, "AU");
        r.development.stage_year = Some(2025);
        let lt = lead_time(&r, Some(Regime::Onshore), 3, 2.0, &a, 2026);
        assert_eq!(
            (lt.first_production_year(), lt.nameplate_year()),
            (2025, 2027)
        );
    }

    #[test]
    fn slow_jurisdictions_and_seabed_regimes_take_longer() {
        assert!(
            years(StudyStage::Pfs, "US", Regime::Onshore)
                > years(StudyStage::Pfs, "NA", Regime::Onshore)
        );
        let area = years(StudyStage::Pfs, "NR", Regime::Area);
        let eez = years(StudyStage::Pfs, "NR", Regime::Eez);
        let land = years(StudyStage::Pfs, "NR", Regime::Onshore);
        assert!(area > eez && eez > land, "{area} {eez} {land}");
    }

    #[test]
    fn years_already_spent_in_a_stage_count() {
        let a = Assumptions::defaults();
        let mut fresh = record(StudyStage::Permitting, "AU");
        fresh.development.stage_year = Some(2026);
        let mut old = fresh.clone();
        old.development.stage_year = Some(2020);
        let f =
            lead_time(&fresh, Some(Regime::Onshore), 3, 2.0, &a, 2026).years_to_first_production;
        let o = lead_time(&old, Some(Regime::Onshore), 3, 2.0, &a, 2026).years_to_first_production;
        assert!(o < f);
    }
}
