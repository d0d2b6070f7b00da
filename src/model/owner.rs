//! The owner's value: what the sponsor keeps of a project's after-tax cash flow once the
//! state's free-carried interest and the risk of losing the mine after first production
//! are counted, and the decision rule that makes the risked value of a project its owner
//! would not build zero, never negative.
//!
//! A project reaches its decision point (the start of construction) with chance
//! `chance_of_decision`; there the owner proceeds only if the expected value of building
//! is positive: (1 − q) × owner NPV − q × L, with q the chance that a started build fails
//! before production and L the capital spent by then (a share of the capex). Risked value
//! at `as_of` = chance of decision × max(that value, 0), discounted from the decision
//! point. The Monte Carlo takes the same decision in every draw, on that draw's value.

use serde::Serialize;

use crate::assumptions::Assumptions;
use crate::model::cashflow::{self, Discounting};
use crate::model::leadtime::{self, LeadTime, Outlook};
use crate::read::record::{ProjectRecord, Regime, StudyStage};

/// The owner's terms of one project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerTerms {
    /// The state's free-carried interest, % of every positive after-tax cash flow.
    pub free_carried_pct: f64,
    /// Where that figure comes from.
    pub free_carried_source: String,
    /// Annual chance of losing the mine's cash flow after first production
    /// (expropriation or a confiscatory fiscal change), %/y.
    pub post_production_hazard_pct: f64,
    /// Chance that a project which starts construction fails before production, 0-1.
    pub construction_failure: f64,
    /// Share of the initial capex lost in such a failure, 0-1.
    pub capex_lost_share: f64,
    /// Chance of reaching the decision point (the start of construction), 0-1.
    pub chance_of_decision: f64,
    /// Construction years: year index (from 0) of the first production year.
    pub construction_y: u32,
}

impl OwnerTerms {
    /// The whole project to its owner: no free carry, no post-production hazard, no
    /// failed build, the decision point certain.
    pub fn whole(construction_y: u32) -> OwnerTerms {
        OwnerTerms {
            free_carried_pct: 0.0,
            free_carried_source: String::new(),
            post_production_hazard_pct: 0.0,
            construction_failure: 0.0,
            capex_lost_share: 0.0,
            chance_of_decision: 1.0,
            construction_y,
        }
    }
}

/// The owner's value of one project, US$ million real.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerValue {
    #[serde(flatten)]
    pub terms: OwnerTerms,
    /// The owner's NPV at the start of construction, after the free carry and the
    /// post-production hazard, US$ million.
    pub npv_musd: f64,
    /// The owner's expected value at the decision point if it proceeds: (1 − q) × NPV −
    /// q × capex lost, US$ million.
    pub value_at_decision_musd: f64,
    /// Whether the owner proceeds at the decision point (that value is positive).
    pub proceeds: bool,
}

/// The owner's terms of `rec` at `regime`, with the risk model's `chance` of production.
pub fn terms(
    rec: &ProjectRecord,
    regime: Option<Regime>,
    chance: f64,
    construction_y: u32,
    a: &Assumptions,
) -> OwnerTerms {
    let o = &a.owner;
    let in_area = regime == Some(Regime::Area);
    let country = if in_area {
        None
    } else {
        rec.country.as_deref()
    };
    let carried_key = country
        .filter(|c| o.free_carried_pct.contains_key(*c))
        .unwrap_or("default");
    let hazard_key = if in_area {
        "AREA"
    } else {
        country
            .filter(|c| o.post_production_hazard_pct.contains_key(*c))
            .unwrap_or("default")
    };
    let stage = rec.development.stage.unwrap_or(StudyStage::Exploration);
    let chance = chance.clamp(0.0, 1.0);
    // Before construction: the build fails with 1 − the construction stage's base rate;
    // building or later, whatever stands between the project and production.
    let (q, reach) = if stage < StudyStage::Construction {
        let built = a
            .risk
            .base_rate
            .get(StudyStage::Construction.as_str())
            .copied()
            .unwrap_or(1.0)
            .clamp(0.0, 1.0);
        let reach = if built > 0.0 {
            (chance / built).min(1.0)
        } else {
            0.0
        };
        (1.0 - built, reach)
    } else {
        (1.0 - chance, 1.0)
    };
    OwnerTerms {
        free_carried_pct: o.free_carried_pct.get(carried_key).copied().unwrap_or(0.0),
        free_carried_source: o
            .free_carried_source
            .get(carried_key)
            .cloned()
            .unwrap_or_default(),
        post_production_hazard_pct: o
            .post_production_hazard_pct
            .get(hazard_key)
            .copied()
            .unwrap_or(0.0),
        construction_failure: if stage >= StudyStage::Production {
            0.0
        } else {
            q
        },
        capex_lost_share: o.capex_lost_share,
        chance_of_decision: reach,
        construction_y,
    }
}

/// The owner's share of after-tax net flows `net` (index 0 = the first construction
/// year), written into `out`: in year t, (net − s × max(net, 0)) × (1 − h)^k, with s the
/// free carry, h the post-production hazard and k the production years before t.
pub fn owner_flows_into(net: &[f64], t: &OwnerTerms, out: &mut Vec<f64>) {
    out.clear();
    let mut share = OwnerShare::new(t);
    out.extend(net.iter().enumerate().map(|(i, cf)| share.of(i, *cf)));
}

/// The owner's share of a project's net flows, one year after another (the flows of
/// [`owner_flows_into`], for a caller that uses each year's share as it comes).
#[derive(Debug, Clone, Copy)]
pub struct OwnerShare {
    /// The free carry, a fraction of positive flows.
    carried: f64,
    /// The chance of surviving one more production year, a fraction.
    keep: f64,
    /// The index of the first production year (the construction years before it); the
    /// hazard compounds from the year after it.
    start: usize,
    survive: f64,
}

impl OwnerShare {
    pub fn new(t: &OwnerTerms) -> OwnerShare {
        OwnerShare {
            carried: t.free_carried_pct / 100.0,
            keep: 1.0 - t.post_production_hazard_pct / 100.0,
            start: t.construction_y as usize,
            survive: 1.0,
        }
    }

    /// The owner's share of `cf`, the net flow of year `i` (US$ million); years in order
    /// from 0.
    pub fn of(&mut self, i: usize, cf: f64) -> f64 {
        if i > self.start {
            self.survive *= self.keep;
        }
        (cf - self.carried * cf.max(0.0)) * self.survive
    }
}

/// The owner's NPV of after-tax net flows at `rate_pct` (real, %).
pub fn owner_npv(net: &[f64], t: &OwnerTerms, rate_pct: f64, discounting: Discounting) -> f64 {
    let mut flows = Vec::with_capacity(net.len());
    owner_flows_into(net, t, &mut flows);
    cashflow::npv(rate_pct / 100.0, &flows, discounting)
}

/// The owner's expected value at the decision point if the project proceeds.
pub fn value_if_proceeds(owner_npv: f64, capex: f64, t: &OwnerTerms) -> f64 {
    let q = t.construction_failure;
    (1.0 - q) * owner_npv - q * t.capex_lost_share * capex
}

/// Risked value at `as_of`: the chance of reaching the decision times what the owner's
/// decision is worth there (zero when it does not proceed), discounted over
/// `years_to_decision`. Never below zero.
pub fn risked(
    owner_npv: f64,
    capex: f64,
    t: &OwnerTerms,
    rate_pct: f64,
    years_to_decision: f64,
) -> f64 {
    let v = value_if_proceeds(owner_npv, capex, t);
    if v.is_nan() {
        return f64::NAN;
    }
    t.chance_of_decision * v.max(0.0) / (1.0 + rate_pct / 100.0).powf(years_to_decision.max(0.0))
}

/// The owner's value of a schedule's after-tax flows.
pub fn value(
    net: &[f64],
    capex: f64,
    t: OwnerTerms,
    rate_pct: f64,
    discounting: Discounting,
) -> OwnerValue {
    let npv = owner_npv(net, &t, rate_pct, discounting);
    let v = value_if_proceeds(npv, capex, &t);
    OwnerValue {
        terms: t,
        npv_musd: npv,
        value_at_decision_musd: v,
        proceeds: v > 0.0,
    }
}

/// The first-production outlook after the owner's decision: a project reaches
/// production only if its owner proceeds at the decision point, so the chance of
/// production is the risk model's chance times `proceeds_share` (the share of outcomes in
/// which the owner's value there is positive: 1 or 0 from the deterministic valuation, the
/// simulation's share of draws), and the percentiles and the base case follow from it.
/// A project already producing has passed its decision: its outlook is kept. `o` is an
/// outlook of `lt` ([`leadtime::outlook`], decided or not).
pub fn decided(o: &Outlook, lt: &LeadTime, proceeds_share: f64) -> Outlook {
    if lt.produced {
        return o.clone();
    }
    let share = proceeds_share.clamp(0.0, 1.0);
    let mut out = if share == 1.0 && o.proceeds_share.is_none_or(|s| s == 1.0) {
        // Already the outlook at the chance before the decision.
        o.clone()
    } else {
        let horizon_y = f64::from(o.horizon_year - lt.as_of);
        let chance = o.chance_before_decision * share;
        leadtime::outlook_with(lt, chance, horizon_y, o.if_produces.clone())
    };
    out.chance_before_decision = o.chance_before_decision;
    out.proceeds_share = Some(share);
    if share < 1.0
        && let Some(why) = out.never_reason.as_mut()
    {
        if share <= 0.0 {
            why.push_str(
                "; the owner would not proceed at the decision point (its value there is not positive)",
            );
        } else {
            why.push_str(&format!(
                "; the owner proceeds at the decision point in {:.0} % of the draws",
                share * 100.0
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::record::{DepositType, Location};

    fn plain(carried: f64, hazard: f64) -> OwnerTerms {
        OwnerTerms {
            free_carried_pct: carried,
            free_carried_source: String::new(),
            post_production_hazard_pct: hazard,
            construction_failure: 0.15,
            capex_lost_share: 0.5,
            chance_of_decision: 0.5,
            construction_y: 1,
        }
    }

    #[test]
    fn a_free_carry_lowers_the_owner_npv_by_its_share_of_the_after_tax_flows() {
        // Capex 100 in year 1, then 50 a year for three years, at 10 %: the positive
        // flows are worth 50/1.1^2 + 50/1.1^3 + 50/1.1^4 = 41.3223 + 37.5657 + 34.1507 =
        // 113.0387; a 16 % carry takes 18.0862 of it.
        let net = [-100.0, 50.0, 50.0, 50.0];
        let whole = owner_npv(&net, &plain(0.0, 0.0), 10.0, Discounting::EndOfYear);
        let carried = owner_npv(&net, &plain(16.0, 0.0), 10.0, Discounting::EndOfYear);
        assert!((whole - (113.0387 - 100.0 / 1.1)).abs() < 1e-3, "{whole}");
        assert!(
            (whole - carried - 18.0862).abs() < 1e-3,
            "{}",
            whole - carried
        );
    }

    #[test]
    fn the_post_production_hazard_thins_later_years() {
        // 10 %/y: the second and third production years keep 0.9 and 0.81.
        let net = [-100.0, 50.0, 50.0, 50.0];
        let mut out = Vec::new();
        owner_flows_into(&net, &plain(0.0, 10.0), &mut out);
        let expect = [-100.0, 50.0, 45.0, 40.5];
        for (a, b) in out.iter().zip(expect) {
            assert!((a - b).abs() < 1e-12, "{out:?}");
        }
    }

    #[test]
    fn risked_value_is_never_below_zero_and_counts_a_failed_build() {
        let t = plain(0.0, 0.0);
        // Worth building: 0.5 x (0.85 x 200 - 0.15 x 0.5 x 400) = 0.5 x 140 = 70.
        assert!((risked(200.0, 400.0, &t, 8.0, 0.0) - 70.0).abs() < 1e-9);
        // A positive NPV that a failed build's loss outweighs: 0.85 x 20 < 0.15 x 200.
        assert_eq!(risked(20.0, 400.0, &t, 8.0, 0.0), 0.0);
        // Discounted from the decision point: three years at 8 %, 70 / 1.08^3 = 70 /
        // 1.259712 = 55.5683.
        assert!((risked(200.0, 400.0, &t, 8.0, 3.0) - 55.568_257).abs() < 1e-6);
        // A decision already past (negative years) is not discounted forward.
        assert!((risked(200.0, 400.0, &t, 8.0, -2.0) - 70.0).abs() < 1e-9);
        // Proceeding needs a value above zero: at exactly zero the owner does not build.
        let zero = value(
            &[0.0, 0.0, 0.0],
            0.0,
            OwnerTerms::whole(1),
            8.0,
            Discounting::EndOfYear,
        );
        assert_eq!((zero.value_at_decision_musd, zero.proceeds), (0.0, false));
        for npv in [-1e6, -500.0, -1.0, 0.0, 1.0, 1e6] {
            for years in [0.0, 3.0, 30.0] {
                assert!(risked(npv, 400.0, &t, 8.0, years) >= 0.0);
            }
        }
    }

    #[test]
    fn the_decision_enters_the_chance_and_the_percentiles_of_first_production() {
        let a = Assumptions::defaults();
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "T".into();
        r.country = Some("AU".into());
        r.geology.deposit_type = Some(DepositType::Carbonatite);
        r.development.stage = Some(StudyStage::Financing);
        r.development.stage_year = Some(2025);
        let lt = leadtime::lead_time(&r, Some(Regime::Onshore), 3, 2.0, &a, 2026);
        let before = leadtime::outlook(&lt, 0.8, 40.0);
        // Always proceeds: nothing changes but the share, which is said.
        let all = decided(&before, &lt, 1.0);
        assert_eq!(all.never_reason, before.never_reason);
        assert_eq!(all.horizon_year, before.horizon_year);
        assert_eq!(all.prob_by_horizon, before.prob_by_horizon);
        assert_eq!(
            (all.p10.clone(), all.p50.clone(), all.p90.clone()),
            (before.p10.clone(), before.p50.clone(), before.p90.clone())
        );
        assert_eq!(all.chance_of_production, 0.8);
        assert_eq!(all.proceeds_share, Some(1.0));
        // Never proceeds: never produces, out of the base case, and the reason says why.
        let none = decided(&before, &lt, 0.0);
        assert_eq!(none.chance_of_production, 0.0);
        assert_eq!(none.chance_before_decision, 0.8);
        assert_eq!(
            (none.p10.year, none.p50.year, none.p90.year),
            (None, None, None)
        );
        assert_eq!(none.base_case_year, None);
        assert!(before.base_case_year.is_some());
        assert!(
            none.never_reason
                .as_deref()
                .unwrap()
                .contains("would not proceed")
        );
        // Proceeds in half the draws: chance 0.8 x 0.5 = 0.4, so P10 is the producing
        // outcomes' 0.1 / 0.4 = 25th percentile and the median is never.
        let half = decided(&before, &lt, 0.5);
        assert!((half.chance_of_production - 0.4).abs() < 1e-15);
        let p25 = lt.quantile_if_proceeds(0.25);
        assert!((half.p10.years.unwrap() - p25).abs() < 1e-12);
        assert_eq!((half.p50.year, half.base_case_year), (None, None));
        assert!(
            half.never_reason
                .as_deref()
                .unwrap()
                .contains("in 50 % of the draws")
        );
        // Deciding again from a decided outlook starts from the chance before the decision.
        let again = decided(&half, &lt, 1.0);
        assert_eq!(again.chance_of_production, 0.8);
        assert_eq!(again.p50, before.p50);
        // A producer has passed its decision.
        r.development.stage = Some(StudyStage::Production);
        r.development.stage_year = Some(2015);
        let lt = leadtime::lead_time(&r, Some(Regime::Onshore), 3, 2.0, &a, 2026);
        let o = leadtime::outlook(&lt, 0.9, 40.0);
        assert_eq!(decided(&o, &lt, 0.0), o);
    }

    #[test]
    fn a_decided_outlook_is_the_outlook_at_the_decided_chance() {
        // Computed afresh at chance x share, whatever outlook of the same lead time the
        // decision starts from.
        let a = Assumptions::defaults();
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "T".into();
        r.country = Some("CA".into());
        r.geology.deposit_type = Some(DepositType::Carbonatite);
        r.development.stage = Some(StudyStage::Pfs);
        r.development.stage_year = Some(2024);
        let lt = leadtime::lead_time(&r, Some(Regime::Onshore), 3, 2.0, &a, 2026);
        let before = leadtime::outlook(&lt, 0.7, 40.0);
        for from in [
            before.clone(),
            decided(&before, &lt, 0.5),
            decided(&before, &lt, 1.0),
        ] {
            for share in [0.0, 0.3, 0.5, 1.0] {
                let mut fresh = leadtime::outlook(&lt, 0.7 * share, 40.0);
                fresh.chance_before_decision = 0.7;
                fresh.proceeds_share = Some(share);
                let got = decided(&from, &lt, share);
                assert_eq!(
                    (got.chance_of_production, got.p10, got.p50, got.p90),
                    (fresh.chance_of_production, fresh.p10, fresh.p50, fresh.p90),
                    "share {share}"
                );
                assert_eq!(got.if_produces, fresh.if_produces);
                assert_eq!(got.prob_by_horizon, fresh.prob_by_horizon);
                assert_eq!(got.base_case_year, fresh.base_case_year);
            }
        }
    }

    #[test]
    fn terms_by_country_and_stage() {
        let a = Assumptions::defaults();
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "T".into();
        r.geology.deposit_type = Some(DepositType::Carbonatite);
        r.development.stage = Some(StudyStage::Dfs);
        for (c, pct) in [
            ("TZ", 16.0),
            ("UG", 15.0),
            ("MW", 10.0),
            ("NA", 5.0),
            ("AU", 0.0),
        ] {
            r.country = Some(c.into());
            let t = terms(&r, Some(Regime::Onshore), 0.4, 3, &a);
            assert_eq!(t.free_carried_pct, pct, "{c}");
            // 0.4 = P(reach the decision) x 0.85.
            assert!((t.chance_of_decision - 0.4 / 0.85).abs() < 1e-12);
            assert!((t.construction_failure - 0.15).abs() < 1e-12);
        }
        r.development.stage = Some(StudyStage::Construction);
        let t = terms(&r, Some(Regime::Onshore), 0.8, 3, &a);
        assert_eq!(t.chance_of_decision, 1.0);
        assert!((t.construction_failure - 0.2).abs() < 1e-12);
        // A producer has nothing left to fail.
        r.development.stage = Some(StudyStage::Production);
        let t = terms(&r, Some(Regime::Onshore), 0.9, 0, &a);
        assert_eq!((t.construction_failure, t.chance_of_decision), (0.0, 1.0));
        // If no started build ever finished (construction base rate 0), no project before
        // construction reaches its decision with any chance, and every build fails.
        let mut b = Assumptions::defaults();
        b.risk.base_rate.insert("construction".into(), 0.0);
        r.development.stage = Some(StudyStage::Dfs);
        let t = terms(&r, Some(Regime::Onshore), 0.4, 3, &b);
        assert_eq!((t.chance_of_decision, t.construction_failure), (0.0, 1.0));
        // In the Area: no country's carry, the Area's hazard.
        r.country = Some("TZ".into());
        let t = terms(&r, Some(Regime::Area), 0.4, 3, &a);
        assert_eq!(t.free_carried_pct, 0.0);
        assert_eq!(
            t.post_production_hazard_pct,
            a.owner.post_production_hazard_pct["AREA"]
        );
    }
}
