//! Valuation at the as-of date: which cash flows are still ahead of a project.
//!
//! A project that is producing, ramping up or being built is valued on its remaining cash
//! flows from the start of the `--as-of` year: the capital already spent is sunk and left
//! out, a producer has no construction phase and no ramp-up, and its remaining life comes
//! from what it has left (a given remaining life, else its current ore reserve over its
//! throughput), not from the year it started. A project still before construction is
//! valued at the start of its construction, as studies are; `npv_as_of_musd` discounts
//! that value to the as-of date.

use serde::Serialize;

use crate::assumptions::Assumptions;
use crate::model::cashflow::ScheduleInputs;
use crate::model::cost::{Costs, Money};
use crate::model::grade::{Production, Unvalued};
use crate::model::provenance::Provenance;
use crate::read::record::{ProjectRecord, StudyStage};

/// Where year 0 of an NPV is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NpvConvention {
    /// The start of the as-of year: year 1 of the schedule is the as-of year, and only
    /// cash flows still ahead count.
    AsOf,
    /// The start of construction: year 1 is the first construction year (the convention
    /// of feasibility studies, and of every study comparison).
    StartOfConstruction,
}

impl NpvConvention {
    pub fn as_str(self) -> &'static str {
        match self {
            NpvConvention::AsOf => "as_of",
            NpvConvention::StartOfConstruction => "start_of_construction",
        }
    }
}

/// What the schedule of a project holds from its valuation date on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValuationBasis {
    pub convention: NpvConvention,
    /// Construction years still ahead in the schedule (0 for a built project).
    pub construction_y: u32,
    /// Capital still to spend, US$ million real (cost to complete, or an expansion).
    pub capex_to_spend_musd: f64,
    /// Capital already spent and left out of the valuation, US$ million real.
    pub sunk_capex_musd: f64,
    /// Shares of nameplate in the production years still to ramp up.
    pub ramp_up: Vec<f64>,
    /// Years of nameplate output still ahead, years.
    pub remaining_life_y: f64,
}

/// The valuation basis of a record whose production and costs are known, with the lead
/// time's years to first production (`to_first_production_y`) for part-built projects.
pub fn basis(
    rec: &ProjectRecord,
    p: &Production,
    c: &Costs,
    to_first_production_y: f64,
    as_of: i32,
    a: &Assumptions,
    log: &mut Provenance,
) -> Result<ValuationBasis, Unvalued> {
    let stage = rec.development.stage.unwrap_or(StudyStage::Exploration);
    let e = &rec.economics;
    let money = Money::of(rec.currency(), rec.money_year(), a)?;
    let capex = c.capex_musd;
    let spent = e.capex_spent_m.map(|v| money.usd(v));
    let remaining = e.capex_remaining_m.map(|v| money.usd(v));
    if stage < StudyStage::Construction {
        // Early works already paid for are sunk even before construction.
        let to_spend = match (remaining, spent) {
            (Some(r), _) => {
                log.given("capex_to_spend_musd", r, money.basis());
                r
            }
            (None, Some(s)) => {
                let r = (capex - s).max(0.0);
                log.estimated(
                    "capex_to_spend_musd",
                    r,
                    format_args!("initial capex {capex:.1} less capex spent {s:.1} (US$ million)"),
                );
                r
            }
            (None, None) => capex,
        };
        return Ok(ValuationBasis {
            convention: NpvConvention::StartOfConstruction,
            construction_y: c.construction_y,
            capex_to_spend_musd: to_spend,
            sunk_capex_musd: capex - to_spend,
            ramp_up: a.schedule.ramp_up.clone(),
            remaining_life_y: p.mine_life_y,
        });
    }
    if stage == StudyStage::Construction {
        // The lead-time model's remaining construction, in whole schedule years.
        let left = to_first_production_y.max(0.0);
        let years = (left - 1e-9).ceil().max(1.0) as u32;
        let to_spend = match (remaining, spent) {
            (Some(r), _) => {
                log.given("capex_to_spend_musd", r, money.basis());
                r
            }
            (None, Some(s)) => {
                let r = (capex - s).max(0.0);
                log.estimated(
                    "capex_to_spend_musd",
                    r,
                    format_args!("initial capex {capex:.1} less capex spent {s:.1} (US$ million)"),
                );
                r
            }
            (None, None) => {
                let share = if c.construction_y > 0 {
                    (left / f64::from(c.construction_y)).clamp(0.0, 1.0)
                } else {
                    1.0
                };
                let r = capex * share;
                log.estimated(
                    "capex_to_spend_musd",
                    r,
                    format_args!(
                        "initial capex x the share of construction still ahead ({left:.2} of {} years); give capex_remaining_musd or capex_spent_musd",
                        c.construction_y
                    ),
                );
                r
            }
        };
        return Ok(ValuationBasis {
            convention: NpvConvention::AsOf,
            construction_y: years,
            capex_to_spend_musd: to_spend,
            sunk_capex_musd: (capex - to_spend).max(0.0),
            ramp_up: a.schedule.ramp_up.clone(),
            remaining_life_y: p.mine_life_y,
        });
    }
    // Ramp-up and production: built; only an expansion or completion capex is ahead.
    let to_spend = match remaining {
        Some(r) => {
            log.given("capex_to_spend_musd", r, money.basis());
            r
        }
        None => 0.0,
    };
    let ramp_up = if stage == StudyStage::RampUp {
        let elapsed = rec
            .development
            .stage_year
            .map_or(0, |y| (as_of - y).max(0) as usize);
        a.schedule.ramp_up.iter().skip(elapsed).copied().collect()
    } else {
        Vec::new()
    };
    let life = remaining_life(rec, p, as_of, log);
    Ok(ValuationBasis {
        convention: NpvConvention::AsOf,
        construction_y: 0,
        capex_to_spend_musd: to_spend,
        sunk_capex_musd: (capex - to_spend).max(0.0),
        ramp_up,
        remaining_life_y: life,
    })
}

/// Years of nameplate output a built project has left at the as-of date: a given
/// remaining life; else its current ore reserve over its throughput (or the reserve's
/// recoverable TREO over its annual output); else its mine life less the years since it
/// started producing.
fn remaining_life(rec: &ProjectRecord, p: &Production, as_of: i32, log: &mut Provenance) -> f64 {
    let e = &rec.economics;
    let g = &rec.geology;
    if let Some(l) = e.remaining_life_y {
        log.given("remaining_life_y", l, "record");
        return l;
    }
    let reserve = g.resource.reserve_mt.filter(|r| *r > 0.0);
    if let (Some(r), Some(q)) = (reserve, e.throughput_mtpa.filter(|q| *q > 0.0)) {
        let l = r / q;
        log.estimated(
            "remaining_life_y",
            l,
            format_args!("current ore reserve {r} Mt / throughput {q} Mt/y"),
        );
        return l;
    }
    if let (Some(r), Some(grade)) = (reserve, g.grade_treo_pct)
        && p.annual_treo_t > 0.0
    {
        let l = r * 1e6 * grade / 100.0 * p.recovery_pct / 100.0 / p.annual_treo_t;
        log.estimated(
            "remaining_life_y",
            l,
            format_args!(
                "recoverable TREO in the current ore reserve ({r} Mt x {grade} % x {:.0} % recovery) / annual TREO {:.0} t",
                p.recovery_pct, p.annual_treo_t
            ),
        );
        return l;
    }
    let elapsed = rec
        .development
        .stage_year
        .map_or(0.0, |y| f64::from((as_of - y).max(0)));
    let l = (p.mine_life_y - elapsed).max(0.0);
    log.estimated(
        "remaining_life_y",
        l,
        format_args!(
            "mine life {:.1} years less {elapsed:.0} years produced since the stage year; give remaining_life_y or a current reserve",
            p.mine_life_y
        ),
    );
    l
}

/// The schedule inputs of the valuation: the study-convention inputs (full capex, full
/// construction, ramp-up, mine life) cut to what is still ahead under `b`.
pub fn inputs(study: &ScheduleInputs, b: &ValuationBasis) -> ScheduleInputs {
    ScheduleInputs {
        capex: b.capex_to_spend_musd,
        construction_y: b.construction_y,
        ramp_up: b.ramp_up.clone(),
        mine_life_y: b.remaining_life_y,
        ..study.clone()
    }
}

/// The after-tax NPV at the start of the as-of year, US$ million: `npv` itself under the
/// as-of convention, else `npv` discounted over the years until construction starts.
pub fn npv_as_of(npv: f64, b: &ValuationBasis, years_to_construction: f64, rate_pct: f64) -> f64 {
    match b.convention {
        NpvConvention::AsOf => npv,
        NpvConvention::StartOfConstruction => {
            npv / (1.0 + rate_pct / 100.0).powf(years_to_construction.max(0.0))
        }
    }
}
