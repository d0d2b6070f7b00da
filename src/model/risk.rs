//! Regulatory-risk model: the chance that a project reaches production, as the stage's base
//! rate times one multiplier per risk factor, each reported with its reason. Risk enters
//! value here (probability) and in the lead time (delay), never in the discount rate, so no
//! risk is counted twice.

use serde::Serialize;

use crate::assumptions::Assumptions;
use crate::context::SiteContext;
use crate::read::record::{PermitStatus, ProcessingRoute, ProjectRecord, Regime, StudyStage};

/// One factor and what it did to the chance of success.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskFactor {
    pub factor: String,
    /// Multiplier on the chance of success (1 = no effect).
    pub multiplier: f64,
    pub reason: String,
}

/// The chance of reaching production and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Risk {
    /// Probability of reaching production, 0 to 1.
    pub chance_of_success: f64,
    /// The stage's base rate, 0 to 1.
    pub base_rate: f64,
    pub factors: Vec<RiskFactor>,
}

/// The risk of one record at its spatial context.
pub fn risk(rec: &ProjectRecord, site: &SiteContext, a: &Assumptions) -> Risk {
    let r = &a.risk;
    let m = &r.multipliers;
    let stage = rec.development.stage.unwrap_or(StudyStage::Exploration);
    let base_rate = r.base_rate.get(stage.as_str()).copied().unwrap_or(0.0);
    let mut factors = Vec::new();
    let mut add = |factor: &str, multiplier: f64, reason: String| {
        factors.push(RiskFactor {
            factor: factor.into(),
            multiplier,
            reason,
        });
    };

    let regime = site.regime.or(rec.regime);
    let key = if regime == Some(Regime::Area) {
        "AREA".to_owned()
    } else {
        rec.country.clone().unwrap_or_default()
    };
    let (score, which) = match r.policy_score.get(&key) {
        Some(s) => (*s, key.clone()),
        None => (
            r.policy_score.get("default").copied().unwrap_or(50.0),
            "default".into(),
        ),
    };
    add(
        "jurisdiction",
        0.5 + 0.5 * score / 100.0,
        format!("policy score {score} ({which})"),
    );

    match regime {
        Some(Regime::Area) => add(
            "regime",
            m.regime_area,
            "the Area: ISA exploitation regulations not adopted; moratorium calls".into(),
        ),
        Some(Regime::Eez) => add(
            "regime",
            m.regime_eez,
            format!(
                "seabed in {}: no national commercial regime has yet produced",
                site.zone.as_deref().unwrap_or("an EEZ")
            ),
        ),
        _ => {}
    }

    if let Some(pa) = &site.protected_area {
        let (mult, what) = if pa.overlaps {
            (m.protected_overlap, "overlaps".to_owned())
        } else if pa.distance_km <= 10.0 {
            (
                m.protected_within_10km,
                format!("lies {:.1} km from", pa.distance_km),
            )
        } else {
            (
                m.protected_within_50km,
                format!("lies {:.0} km from", pa.distance_km),
            )
        };
        add("environment", mult, format!("the site {what} {}", pa.name));
    }

    match rec.development.permit_status {
        Some(PermitStatus::Refused) => add("permit", m.permit_refused, "key permit refused".into()),
        Some(PermitStatus::Revoked) => add("permit", m.permit_revoked, "licence revoked".into()),
        Some(PermitStatus::Terminated) => add(
            "permit",
            m.permit_terminated,
            "assessment terminated without a decision".into(),
        ),
        _ => {}
    }

    if rec.ownership.china_linked() {
        add(
            "china_linkage",
            m.china_ownership_or_offtake,
            "Chinese owner or offtaker declared".into(),
        );
    }
    if rec.ownership.processing_route == Some(ProcessingRoute::China) {
        add(
            "china_processing",
            m.china_processing,
            "product separated in China".into(),
        );
    }

    let chance = factors
        .iter()
        .fold(base_rate, |c, f| c * f.multiplier)
        .clamp(0.0, 1.0);
    Risk {
        chance_of_success: chance,
        base_rate,
        factors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::record::{DepositType, Location};

    fn record(stage: StudyStage) -> ProjectRecord {
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "T".into();
        r.country = Some("AU".into());
        r.geology.deposit_type = Some(DepositType::Carbonatite);
        r.development.stage = Some(stage);
        r
    }

    fn chance(r: &ProjectRecord, regime: Regime) -> f64 {
        let mut site = SiteContext::unknown(r);
        site.regime = Some(regime);
        risk(r, &site, &Assumptions::defaults()).chance_of_success
    }

    #[test]
    fn chance_stays_in_0_1_and_never_falls_with_a_later_stage() {
        for w in StudyStage::ALL.windows(2) {
            let (a, b) = (
                chance(&record(w[0]), Regime::Onshore),
                chance(&record(w[1]), Regime::Onshore),
            );
            assert!(
                (0.0..=1.0).contains(&a) && b >= a,
                "{} {a} -> {} {b}",
                w[0],
                w[1]
            );
        }
    }

    #[test]
    fn a_refused_permit_lowers_it_and_each_factor_is_reported() {
        let mut r = record(StudyStage::Permitting);
        let before = chance(&r, Regime::Onshore);
        r.development.permit_status = Some(PermitStatus::Refused);
        r.ownership.owner_countries = vec!["CN".into()];
        let mut site = SiteContext::unknown(&r);
        site.regime = Some(Regime::Onshore);
        let out = risk(&r, &site, &Assumptions::defaults());
        assert!(out.chance_of_success < before);
        let names: Vec<&str> = out.factors.iter().map(|f| f.factor.as_str()).collect();
        assert_eq!(names, ["jurisdiction", "permit", "china_linkage"]);
        let product: f64 = out.factors.iter().map(|f| f.multiplier).product();
        assert!((out.chance_of_success - out.base_rate * product).abs() < 1e-12);
    }

    #[test]
    fn the_area_is_riskier_than_an_eez() {
        let mut r = record(StudyStage::Pfs);
        r.geology.deposit_type = Some(DepositType::PolymetallicNodules);
        assert!(chance(&r, Regime::Area) < chance(&r, Regime::Eez));
    }
}
