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
    /// `error` when the factor bars the project as planned (a seabed site inside an APEI),
    /// else `info`.
    pub severity: &'static str,
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
            severity: "info",
        });
    };

    let regime = site.regime.or(rec.regime);
    // The Area's regime risk enters once, as the `regime` factor (its expected delay is in
    // the lead time, never in a policy score or the discount rate): no jurisdiction policy
    // score is added for the Area.
    if regime != Some(Regime::Area) {
        let key = rec.country.clone().unwrap_or_default();
        let (score, which) = match r.policy_score.get(&key) {
            Some(s) => (*s, key.clone()),
            None => (
                // `default` is required when the assumptions load.
                r.policy_score.get("default").copied().unwrap_or(0.0),
                "default".into(),
            ),
        };
        add(
            "jurisdiction",
            r.rules.jurisdiction_floor + (1.0 - r.rules.jurisdiction_floor) * score / 100.0,
            format!("policy score {score} ({which})"),
        );
    }

    match regime {
        Some(Regime::Area) if crate::model::cost::us_route(rec) => add(
            "regime",
            m.regime_area_dshmra,
            "the Area by the US route (DSHMRA, NOAA permit): recovery outside the ISA faces legal challenge and non-recognition".into(),
        ),
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

    // An APEI overlap is its own factor (below), not also an environment factor.
    // An APEI near a seabed site (measured on its densified boundary) counts as the nearby
    // protected area when it is nearer than the one the 50 km search found.
    let in_apei = site.apei.as_ref().filter(|x| x.overlaps);
    let near_apei = site
        .apei
        .as_ref()
        .filter(|x| !x.overlaps && x.distance_km <= a.context.protected_search_km)
        .map(|x| crate::context::ProtectedArea {
            name: x.name.clone(),
            designation: Some(crate::context::apei::KIND.into()),
            overlaps: false,
            distance_km: x.distance_km,
            overlap_km2: None,
        });
    let nearest_pa = match (site.protected_area.clone(), near_apei) {
        (Some(a), Some(b)) => Some(if b.distance_km < a.distance_km { b } else { a }),
        (a, b) => a.or(b),
    };
    if let Some(pa) = nearest_pa
        .as_ref()
        .filter(|pa| in_apei.is_none_or(|x| x.name != pa.name))
    {
        let (mult, what) = if pa.overlaps {
            (m.protected_overlap, "overlaps".to_owned())
        } else if pa.distance_km <= r.rules.protected_near_km {
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

    if let Some(x) = in_apei {
        // The ISA closes APEIs to mining: the licence can keep only what lies outside.
        let outside = x.overlap_share_pct.map_or(0.0, |p| (100.0 - p) / 100.0);
        factors.push(RiskFactor {
            factor: "apei".into(),
            multiplier: outside,
            reason: match x.overlap_km2 {
                Some(km2) => format!(
                    "{km2:.0} km² of the licence ({:.0} %) lies inside {}, an Area of Particular Environmental Interest closed to mining (ISA)",
                    x.overlap_share_pct.unwrap_or(0.0),
                    x.name
                ),
                None => format!(
                    "the site lies inside {}, an Area of Particular Environmental Interest closed to mining (ISA)",
                    x.name
                ),
            },
            severity: "error",
        });
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
    fn a_licence_inside_an_apei_is_an_error_level_factor() {
        let mut r = record(StudyStage::Pfs);
        r.geology.deposit_type = Some(DepositType::PolymetallicNodules);
        r.country = None;
        let mut site = SiteContext::unknown(&r);
        site.regime = Some(Regime::Area);
        site.apei = Some(crate::context::apei::ApeiRelation {
            name: "APEI-01".into(),
            overlaps: true,
            distance_km: 0.0,
            overlap_km2: Some(300.0),
            overlap_share_pct: Some(30.0),
        });
        let out = risk(&r, &site, &Assumptions::defaults());
        let f = out.factors.iter().find(|f| f.factor == "apei").unwrap();
        assert_eq!(f.severity, "error");
        // Only the 70 % of the licence outside the APEI can be mined.
        assert!((f.multiplier - 0.7).abs() < 1e-12);
        assert!(f.reason.contains("300 km²"));
        // The Area's risk is the regime factor alone: no jurisdiction score beside it.
        let names: Vec<&str> = out.factors.iter().map(|f| f.factor.as_str()).collect();
        assert_eq!(names, ["regime", "apei"]);
    }

    /// The environment factor of a site `km` from a protected area (None: no factor).
    fn environment(km: f64, overlaps: bool, a: &Assumptions) -> Option<RiskFactor> {
        let r = record(StudyStage::Pfs);
        let mut site = SiteContext::unknown(&r);
        site.regime = Some(Regime::Onshore);
        site.protected_area = Some(crate::context::ProtectedArea {
            name: "Test Park".into(),
            designation: None,
            overlaps,
            distance_km: km,
            overlap_km2: None,
        });
        let out = risk(&r, &site, a);
        // Jurisdiction x environment, on the PFS base rate: the product is the chance.
        let product: f64 = out.factors.iter().map(|f| f.multiplier).product();
        assert!((out.chance_of_success - out.base_rate * product).abs() < 1e-15);
        out.factors.into_iter().find(|f| f.factor == "environment")
    }

    #[test]
    fn the_protected_area_band_is_near_up_to_its_limit_and_far_beyond() {
        let a = Assumptions::defaults();
        let m = &a.risk.multipliers;
        let near = a.risk.rules.protected_near_km;
        // Up to and including the limit the site is near; just past it, within 50 km.
        for (km, want, words) in [
            (0.5, m.protected_within_10km, "lies 0.5 km from"),
            (near, m.protected_within_10km, "lies 10.0 km from"),
            (near + 0.01, m.protected_within_50km, "lies 10 km from"),
            (49.0, m.protected_within_50km, "lies 49 km from"),
        ] {
            let f = environment(km, false, &a).unwrap();
            assert_eq!(f.multiplier, want, "{km} km");
            assert!(f.reason.contains(words), "{km} km: {}", f.reason);
        }
        // Overlap wins whatever the distance field says.
        let f = environment(0.0, true, &a).unwrap();
        assert_eq!(f.multiplier, m.protected_overlap);
        assert!(f.reason.contains("overlaps Test Park"), "{}", f.reason);
        // The band is the assumption's, not a figure in the code: at a 20 km limit a site
        // 15 km away is near.
        let mut wide = Assumptions::defaults();
        wide.risk.rules.protected_near_km = 20.0;
        assert_eq!(
            environment(15.0, false, &wide).unwrap().multiplier,
            m.protected_within_10km
        );
        assert_eq!(
            environment(15.0, false, &a).unwrap().multiplier,
            m.protected_within_50km
        );
        // The three multipliers differ, so each case above tells its band apart.
        assert!(m.protected_overlap < m.protected_within_10km);
        assert!(m.protected_within_10km < m.protected_within_50km);
    }

    #[test]
    fn a_revoked_licence_is_its_own_permit_factor() {
        let a = Assumptions::defaults();
        let m = &a.risk.multipliers;
        let mut r = record(StudyStage::Permitting);
        let pending = chance(&r, Regime::Onshore);
        for (status, mult, why) in [
            (PermitStatus::Revoked, m.permit_revoked, "licence revoked"),
            (
                PermitStatus::Refused,
                m.permit_refused,
                "key permit refused",
            ),
            (
                PermitStatus::Terminated,
                m.permit_terminated,
                "assessment terminated without a decision",
            ),
        ] {
            r.development.permit_status = Some(status);
            let mut site = SiteContext::unknown(&r);
            site.regime = Some(Regime::Onshore);
            let out = risk(&r, &site, &a);
            let f = out.factors.iter().find(|f| f.factor == "permit").unwrap();
            assert_eq!((f.multiplier, f.reason.as_str()), (mult, why));
            // The chance is the pending one times the permit's multiplier, and no more.
            assert!(
                (out.chance_of_success - pending * mult).abs() < 1e-15,
                "{status:?}"
            );
        }
        // Granted and pending add no permit factor.
        for status in [None, Some(PermitStatus::Granted)] {
            r.development.permit_status = status;
            let mut site = SiteContext::unknown(&r);
            site.regime = Some(Regime::Onshore);
            let out = risk(&r, &site, &a);
            assert!(out.factors.iter().all(|f| f.factor != "permit"));
        }
        // The three events carry three different multipliers (else the arms could not be
        // told apart).
        assert!(m.permit_revoked != m.permit_refused && m.permit_refused != m.permit_terminated);
    }

    #[test]
    fn each_regime_has_its_own_factor() {
        let a = Assumptions::defaults();
        let m = &a.risk.multipliers;
        let mut r = record(StudyStage::Pfs);
        r.geology.deposit_type = Some(DepositType::PolymetallicNodules);
        let regime = |r: &ProjectRecord, regime: Regime, zone: Option<&str>| {
            let mut site = SiteContext::unknown(r);
            site.regime = Some(regime);
            site.zone = zone.map(str::to_owned);
            risk(r, &site, &a)
                .factors
                .into_iter()
                .find(|f| f.factor == "regime")
        };
        let eez = regime(&r, Regime::Eez, Some("Cook Islands EEZ")).unwrap();
        assert_eq!(eez.multiplier, m.regime_eez);
        assert!(eez.reason.contains("Cook Islands EEZ"), "{}", eez.reason);
        r.country = None;
        let area = regime(&r, Regime::Area, None).unwrap();
        assert_eq!(area.multiplier, m.regime_area);
        assert!(area.reason.contains("ISA"));
        // The US route (a US sponsor in the Area) has its own multiplier and reason.
        r.sponsor_country = Some("US".into());
        let us = regime(&r, Regime::Area, None).unwrap();
        assert_eq!(us.multiplier, m.regime_area_dshmra);
        assert!(us.reason.contains("DSHMRA"));
        assert!(m.regime_area_dshmra != m.regime_area && m.regime_area != m.regime_eez);
        // Onshore: no regime factor.
        let land = record(StudyStage::Pfs);
        assert!(regime(&land, Regime::Onshore, None).is_none());
    }

    #[test]
    fn an_apei_counts_as_a_nearby_protected_area_only_within_the_search() {
        let a = Assumptions::defaults();
        let mut r = record(StudyStage::Pfs);
        r.geology.deposit_type = Some(DepositType::PolymetallicNodules);
        r.country = None;
        let env = |km: f64| {
            let mut site = SiteContext::unknown(&r);
            site.regime = Some(Regime::Area);
            site.apei = Some(crate::context::apei::ApeiRelation {
                name: "APEI-04".into(),
                overlaps: false,
                distance_km: km,
                overlap_km2: None,
                overlap_share_pct: None,
            });
            risk(&r, &site, &a)
                .factors
                .into_iter()
                .find(|f| f.factor == "environment")
        };
        let search = a.context.protected_search_km;
        let near = env(search - 1.0).unwrap();
        assert_eq!(near.multiplier, a.risk.multipliers.protected_within_50km);
        assert!(near.reason.contains("APEI-04"));
        assert!(env(search + 1.0).is_none());
        assert!(env(300.0).is_none());
    }

    /// A seabed site in the Area with a protected area `park` (name, km, overlaps) and an
    /// APEI relation `apei` (name, km, overlaps): its environment factor and every factor.
    fn seabed(
        park: Option<(&str, f64, bool)>,
        apei: Option<(&str, f64, bool)>,
    ) -> (Option<RiskFactor>, Vec<String>) {
        let mut r = record(StudyStage::Pfs);
        r.geology.deposit_type = Some(DepositType::PolymetallicNodules);
        r.country = None;
        let mut site = SiteContext::unknown(&r);
        site.regime = Some(Regime::Area);
        site.protected_area = park.map(|(name, km, overlaps)| crate::context::ProtectedArea {
            name: name.into(),
            designation: None,
            overlaps,
            distance_km: km,
            overlap_km2: None,
        });
        site.apei = apei.map(|(name, km, overlaps)| crate::context::apei::ApeiRelation {
            name: name.into(),
            overlaps,
            distance_km: km,
            overlap_km2: None,
            overlap_share_pct: overlaps.then_some(30.0),
        });
        let out = risk(&r, &site, &Assumptions::defaults());
        let names = out.factors.iter().map(|f| f.factor.clone()).collect();
        (
            out.factors.into_iter().find(|f| f.factor == "environment"),
            names,
        )
    }

    #[test]
    fn the_nearer_of_a_protected_area_and_an_apei_counts_once() {
        let m = Assumptions::defaults().risk.multipliers;
        // The APEI is nearer: it is the nearby area, within 50 km.
        let (f, _) = seabed(Some(("Park", 30.0, false)), Some(("APEI-04", 20.0, false)));
        let f = f.unwrap();
        assert!(f.reason.contains("APEI-04"), "{}", f.reason);
        assert_eq!(f.multiplier, m.protected_within_50km);
        // The park is nearer, within 10 km: it counts, as near.
        let (f, _) = seabed(Some(("Park", 5.0, false)), Some(("APEI-04", 40.0, false)));
        let f = f.unwrap();
        assert!(f.reason.contains("Park"), "{}", f.reason);
        assert_eq!(f.multiplier, m.protected_within_10km);
        // A tie keeps the protected-area layer's own record.
        let (f, _) = seabed(Some(("Park", 25.0, false)), Some(("APEI-04", 25.0, false)));
        assert!(f.unwrap().reason.contains("Park"));
        // Inside an APEI, a different protected area nearby still counts as environment...
        let (f, names) = seabed(Some(("Park", 5.0, false)), Some(("APEI-01", 0.0, true)));
        assert!(f.unwrap().reason.contains("Park"));
        assert_eq!(names, ["regime", "environment", "apei"]);
        // ...but the APEI itself, found again in the protected layer, counts once: as `apei`.
        let (f, names) = seabed(Some(("APEI-01", 0.0, true)), Some(("APEI-01", 0.0, true)));
        assert!(f.is_none());
        assert_eq!(names, ["regime", "apei"]);
    }

    #[test]
    fn separation_in_china_is_its_own_factor() {
        let a = Assumptions::defaults();
        let mut r = record(StudyStage::Pfs);
        let before = chance(&r, Regime::Onshore);
        r.ownership.processing_route = Some(ProcessingRoute::China);
        let mut site = SiteContext::unknown(&r);
        site.regime = Some(Regime::Onshore);
        let out = risk(&r, &site, &a);
        let f = out
            .factors
            .iter()
            .find(|f| f.factor == "china_processing")
            .unwrap();
        assert_eq!(f.multiplier, a.risk.multipliers.china_processing);
        assert!((out.chance_of_success - before * f.multiplier).abs() < 1e-15);
        r.ownership.processing_route = Some(ProcessingRoute::NonChina);
        let mut site = SiteContext::unknown(&r);
        site.regime = Some(Regime::Onshore);
        let out = risk(&r, &site, &a);
        assert!(out.factors.iter().all(|f| f.factor != "china_processing"));
    }

    #[test]
    fn the_area_is_riskier_than_an_eez() {
        let mut r = record(StudyStage::Pfs);
        r.geology.deposit_type = Some(DepositType::PolymetallicNodules);
        assert!(chance(&r, Regime::Area) < chance(&r, Regime::Eez));
    }
}
