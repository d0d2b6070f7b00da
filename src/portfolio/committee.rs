//! The committee ranking (issue 18): six criteria in the shape of published pipeline
//! rankings (economics, jurisdiction, confidence, financeability, geology, engineering),
//! each scored on an absolute scale from 0 to 1 that does not depend on which other
//! projects are ranked, screens a user sets, and a separate league per commodity family.
//!
//! Each input is owned by one criterion (docs/models.md, "Committee ranking"):
//! - economics: the owner's value and the chance of success without its jurisdiction and
//!   regime factors (stage, environment, permit, China linkage stay in it);
//! - jurisdiction: the chance's jurisdiction (policy score) and regime multipliers;
//! - confidence: the resource categories and the share of model inputs the record gives;
//! - financeability: a named offtaker or a state sponsor;
//! - geology: grade within its deposit type's usual range, the magnet-oxide share of TREO,
//!   and uranium or thorium declared among the products;
//! - engineering: the study stage.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::appraisal::Appraisal;
use crate::model::provenance::Origin;
use crate::read::record::{ProjectRecord, SponsorKind, StudyStage};

/// The criteria, in the order of every output.
pub const CRITERIA: [&str; 6] = [
    "economics",
    "jurisdiction",
    "confidence",
    "financeability",
    "geology",
    "engineering",
];

/// `[rank.committee]`: the committee ranking's weights and scales.
#[derive(Debug, Clone, serde::Deserialize, Serialize)]
pub struct CommitteeAssumptions {
    /// Criterion weights by name (normalised to sum to 1).
    pub weights: BTreeMap<String, f64>,
    /// Risked value that scores 0.75 on economics (and its negative 0.25), US$ million.
    pub economics_scale_musd: f64,
    /// Nd+Pr+Dy+Tb oxide share of TREO that scores 1 on the geology's magnet share, %.
    pub magnet_share_full_pct: f64,
    /// Factor on the geology score of a project declaring uranium or thorium among its
    /// products (0 to 1).
    pub radioactive_factor: f64,
}

/// A screen: `FIELD OP VALUE`, e.g. `npv>0`, `chance>=0.3`, `family=rare_earths`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screen {
    pub field: String,
    pub op: String,
    pub value: String,
}

/// Fields a screen can test.
pub const SCREEN_FIELDS: [&str; 6] = ["npv", "risked_npv", "chance", "years", "capex", "family"];

impl Screen {
    /// Parses `FIELD OP VALUE` (ops `>=`, `<=`, `!=`, `>`, `<`, `=`).
    pub fn parse(text: &str) -> Result<Screen, String> {
        let t = text.trim();
        for op in [">=", "<=", "!=", ">", "<", "="] {
            if let Some((f, v)) = t.split_once(op) {
                let field = f.trim().to_ascii_lowercase();
                let value = v.trim().to_owned();
                if !SCREEN_FIELDS.contains(&field.as_str()) {
                    return Err(format!(
                        "unknown screen field {field:?}; fields are {}",
                        SCREEN_FIELDS.join(", ")
                    ));
                }
                if field == "family" {
                    if op != "=" && op != "!=" {
                        return Err("family takes = or !=, e.g. family=rare_earths".into());
                    }
                } else if !value.parse::<f64>().is_ok_and(f64::is_finite) {
                    return Err(format!("{field} needs a number, e.g. {field}>0"));
                }
                return Ok(Screen {
                    field,
                    op: op.to_owned(),
                    value,
                });
            }
        }
        Err(format!(
            "a screen is FIELD OP VALUE (e.g. npv>0, chance>=0.3, family=rare_earths); got {t:?}"
        ))
    }

    /// Whether `p` passes; a missing number fails.
    fn passes(&self, p: &Appraisal) -> bool {
        if self.field == "family" {
            let same = family(p).eq_ignore_ascii_case(&self.value);
            return if self.op == "=" { same } else { !same };
        }
        let have = match self.field.as_str() {
            "npv" => p.npv_musd.base,
            "risked_npv" => p.risked_npv_musd,
            "chance" => Some(p.chance_of_success),
            "years" => Some(super::rank::years_p50(p)),
            _ => p.capex_musd,
        };
        let want: f64 = self.value.parse().unwrap_or(f64::NAN);
        let Some(h) = have.filter(|h| h.is_finite()) else {
            return false;
        };
        match self.op.as_str() {
            ">=" => h >= want,
            "<=" => h <= want,
            "!=" => h != want,
            ">" => h > want,
            "<" => h < want,
            _ => h == want,
        }
    }
}

impl std::fmt::Display for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{}", self.field, self.op, self.value)
    }
}

/// A project's commodity family: its commodity (rare_earths, ni_cu_co_mn, cu_zn_au), or
/// `unknown`.
pub fn family(p: &Appraisal) -> String {
    p.commodity.clone().unwrap_or_else(|| "unknown".into())
}

/// What each criterion was scored from, in the inputs' units.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CommitteeInputs {
    /// Value scored by economics, US$ million: the risked NPV, or chance × value at the
    /// decision point when that is negative (the owner would not build; the risked NPV is
    /// then zero), without the jurisdiction and regime factors of the chance.
    pub economics_value_musd: Option<f64>,
    /// Product of the chance's jurisdiction and regime multipliers (1 = no effect).
    pub jurisdiction_multiplier: f64,
    /// (Measured + indicated) / total resource, or 1 with a reserve.
    pub resource_confidence: Option<f64>,
    /// Share of the model's inputs the record gives.
    pub given_share: f64,
    /// Offtakers the record names.
    pub offtakers: usize,
    /// A state programme.
    pub state_sponsor: bool,
    /// Grade's position in its deposit type's usual range, 0 to 1.
    pub grade_position: Option<f64>,
    /// Nd+Pr+Dy+Tb oxide share of TREO, %.
    pub magnet_share_pct: Option<f64>,
    /// Uranium or thorium declared among the products.
    pub radioactive: bool,
    pub stage: Option<String>,
}

/// One project of a league.
#[derive(Debug, Clone, Serialize)]
pub struct CommitteeRanked {
    /// Rank within its league, 1 first.
    pub league_rank: usize,
    pub id: String,
    pub name: String,
    pub family: String,
    /// Weighted score, 0 to 1.
    pub score: f64,
    /// Each criterion's score on its absolute scale, 0 to 1.
    pub criteria: BTreeMap<String, f64>,
    /// Each criterion's weighted contribution to the score.
    pub contributions: BTreeMap<String, f64>,
    pub inputs: CommitteeInputs,
    pub risked_npv_musd: Option<f64>,
    pub chance_of_success: f64,
}

/// One league: the projects of one commodity family.
#[derive(Debug, Clone, Serialize)]
pub struct League {
    pub family: String,
    pub projects: Vec<CommitteeRanked>,
}

/// The committee ranking.
#[derive(Debug, Clone, Serialize)]
pub struct Committee {
    /// Weights, normalised to sum to 1.
    pub weights: BTreeMap<String, f64>,
    pub scales: &'static str,
    pub screens: Vec<String>,
    pub leagues: Vec<League>,
    /// Projects screened out, with the screen that failed.
    pub excluded: Vec<(String, String)>,
}

/// A problem with the committee weights.
#[derive(Debug, thiserror::Error)]
pub enum CommitteeWeightError {
    #[error(
        "unknown committee criterion {0:?}; criteria are economics, jurisdiction, confidence, financeability, geology, engineering"
    )]
    Unknown(String),
    #[error("committee weight {0:?} is not NAME=VALUE with a non-negative number")]
    Malformed(String),
    #[error("the committee weights sum to zero")]
    Zero,
}

/// `base` with `NAME=VALUE` overrides, normalised to sum to 1.
pub fn weights(
    base: &BTreeMap<String, f64>,
    overrides: &[String],
) -> Result<BTreeMap<String, f64>, CommitteeWeightError> {
    use super::rank::WeightError;
    super::rank::normalised_weights(&CRITERIA, base, overrides).map_err(|e| match e {
        WeightError::Unknown(k) => CommitteeWeightError::Unknown(k),
        WeightError::Malformed(m) => CommitteeWeightError::Malformed(m),
        WeightError::Zero => CommitteeWeightError::Zero,
    })
}

/// Economics on its absolute scale: 0.5 + 0.5 × v / (|v| + s), so zero value scores 0.5,
/// a loss below 0.5 and a gain above, v = s scores 0.75; a missing value scores 0.
pub fn economics_score(value_musd: Option<f64>, scale_musd: f64) -> f64 {
    match value_musd {
        Some(v) if v.is_finite() => 0.5 + 0.5 * v / (v.abs() + scale_musd.max(f64::MIN_POSITIVE)),
        _ => 0.0,
    }
}

/// Engineering and flowsheet maturity: the stage's place from exploration (0) to
/// production (1); none given scores 0.
pub fn engineering_score(stage: Option<StudyStage>) -> f64 {
    stage.map_or(0.0, |s| {
        let i = StudyStage::ALL.iter().position(|x| *x == s).unwrap_or(0);
        i as f64 / (StudyStage::ALL.len() - 1) as f64
    })
}

/// The inputs of one project.
fn inputs(
    p: &Appraisal,
    r: &ProjectRecord,
    ranges: &BTreeMap<String, [f64; 2]>,
) -> CommitteeInputs {
    let jurisdiction_multiplier: f64 = p
        .risk_factors
        .iter()
        .filter(|f| f.factor == "jurisdiction" || f.factor == "regime")
        .map(|f| f.multiplier)
        .product();
    let unjur = if jurisdiction_multiplier > 0.0 {
        1.0 / jurisdiction_multiplier
    } else {
        0.0
    };
    let economics_value_musd = match (p.risked_npv_musd, p.owner.as_ref()) {
        (Some(v), _) if v > 0.0 => Some(v * unjur),
        (_, Some(o)) if o.value_at_decision_musd < 0.0 => {
            Some(p.chance_of_success * o.value_at_decision_musd * unjur)
        }
        (v, _) => v,
    };
    let res = &r.geology.resource;
    let resource_confidence = if res.reserve_mt.is_some() {
        Some(1.0)
    } else {
        res.total_mt()
            .filter(|t| *t > 0.0)
            .map(|t| (res.measured_mt.unwrap_or(0.0) + res.indicated_mt.unwrap_or(0.0)) / t)
    };
    let all = p.provenance.origins().count().max(1) as f64;
    let given = p
        .provenance
        .origins()
        .filter(|(_, o)| *o == Origin::Given)
        .count() as f64;
    let grade_position = match (r.geology.grade_treo_pct, r.geology.deposit_type) {
        (Some(g), Some(t)) => ranges
            .get(t.as_str())
            .filter(|[lo, hi]| hi > lo)
            .map(|[lo, hi]| ((g - lo) / (hi - lo)).clamp(0.0, 1.0)),
        _ => None,
    };
    let magnet_share_pct = match (r.geology.ndpr_share_pct, r.geology.dytb_share_pct) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
    };
    let radioactive = r.economics.byproducts.iter().any(|b| {
        let c = b.commodity.to_ascii_lowercase();
        ["u3o8", "uranium", "uo2", "tho2", "thorium"]
            .iter()
            .any(|w| c.contains(w))
    });
    CommitteeInputs {
        economics_value_musd,
        jurisdiction_multiplier,
        resource_confidence,
        given_share: if p.valued { given / all } else { 0.0 },
        offtakers: r.ownership.offtakers.len(),
        state_sponsor: r.ownership.sponsor_kind == Some(SponsorKind::State),
        grade_position,
        magnet_share_pct,
        radioactive,
        stage: r.development.stage.map(|s| s.as_str().to_owned()),
    }
}

/// Each criterion's score, 0 to 1, from the inputs.
pub fn scores(
    i: &CommitteeInputs,
    stage: Option<StudyStage>,
    a: &CommitteeAssumptions,
) -> BTreeMap<String, f64> {
    let geology_parts: Vec<f64> = [
        i.grade_position,
        i.magnet_share_pct
            .map(|m| (m / a.magnet_share_full_pct).clamp(0.0, 1.0)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let geology = if geology_parts.is_empty() {
        0.0
    } else {
        geology_parts.iter().sum::<f64>() / geology_parts.len() as f64
    } * if i.radioactive {
        a.radioactive_factor
    } else {
        1.0
    };
    [
        (
            "economics",
            economics_score(i.economics_value_musd, a.economics_scale_musd),
        ),
        ("jurisdiction", i.jurisdiction_multiplier.clamp(0.0, 1.0)),
        (
            "confidence",
            (i.resource_confidence.unwrap_or(0.0) + i.given_share) / 2.0,
        ),
        (
            "financeability",
            if i.offtakers > 0 || i.state_sponsor {
                1.0
            } else {
                0.0
            },
        ),
        ("geology", geology),
        ("engineering", engineering_score(stage)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Ranks appraised projects (matched to `records` by id) in a league per commodity family,
/// after the screens; `ranges` are the usual grade ranges by deposit type, % TREO.
pub fn rank(
    projects: &[Appraisal],
    records: &[ProjectRecord],
    weights: &BTreeMap<String, f64>,
    screens: &[Screen],
    a: &CommitteeAssumptions,
    ranges: &BTreeMap<String, [f64; 2]>,
) -> Committee {
    let by_id: BTreeMap<&str, &ProjectRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut excluded = Vec::new();
    let mut leagues: BTreeMap<String, Vec<CommitteeRanked>> = BTreeMap::new();
    for p in projects {
        let Some(r) = by_id.get(p.id.as_str()) else {
            continue;
        };
        if let Some(s) = screens.iter().find(|s| !s.passes(p)) {
            excluded.push((p.id.clone(), format!("screen {s}")));
            continue;
        }
        let inputs = inputs(p, r, ranges);
        let criteria = scores(&inputs, r.development.stage, a);
        let contributions: BTreeMap<String, f64> = criteria
            .iter()
            .map(|(k, v)| (k.clone(), v * weights.get(k).copied().unwrap_or(0.0)))
            .collect();
        leagues.entry(family(p)).or_default().push(CommitteeRanked {
            league_rank: 0,
            id: p.id.clone(),
            name: p.name.clone(),
            family: family(p),
            score: contributions.values().sum(),
            criteria,
            contributions,
            inputs,
            risked_npv_musd: p.risked_npv_musd,
            chance_of_success: p.chance_of_success,
        });
    }
    let leagues = leagues
        .into_iter()
        .map(|(family, mut projects)| {
            projects.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
            for (i, p) in projects.iter_mut().enumerate() {
                p.league_rank = i + 1;
            }
            League { family, projects }
        })
        .collect();
    Committee {
        weights: weights.clone(),
        scales: "absolute, 0 to 1, independent of the other projects: economics 0.5 + 0.5 v/(|v| + scale); jurisdiction the chance's jurisdiction x regime multipliers; confidence the mean of (measured + indicated)/total (1 with a reserve) and the share of inputs given; financeability 1 with a named offtaker or a state sponsor; geology the mean of the grade's place in its type's usual range and the magnet share over its full-score share, x the radioactive factor; engineering the stage's place from exploration 0 to production 1; score = sum of weight x criterion, one league per commodity family",
        screens: screens.iter().map(ToString::to_string).collect(),
        leagues,
        excluded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assumptions() -> CommitteeAssumptions {
        CommitteeAssumptions {
            weights: [
                ("economics", 0.40),
                ("jurisdiction", 0.20),
                ("confidence", 0.15),
                ("financeability", 0.10),
                ("geology", 0.075),
                ("engineering", 0.075),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect(),
            economics_scale_musd: 500.0,
            magnet_share_full_pct: 30.0,
            radioactive_factor: 0.5,
        }
    }

    fn inputs(value: f64) -> CommitteeInputs {
        CommitteeInputs {
            economics_value_musd: Some(value),
            jurisdiction_multiplier: 0.9,
            resource_confidence: Some(0.6),
            given_share: 0.4,
            offtakers: 1,
            state_sponsor: false,
            grade_position: Some(0.2),
            magnet_share_pct: Some(24.0),
            radioactive: false,
            stage: Some("dfs".into()),
        }
    }

    fn total(c: &BTreeMap<String, f64>, w: &BTreeMap<String, f64>) -> f64 {
        c.iter().map(|(k, v)| v * w[k]).sum()
    }

    #[test]
    fn a_project_worked_by_hand() {
        let a = assumptions();
        let w = weights(&a.weights, &[]).unwrap();
        let c = scores(&inputs(500.0), Some(StudyStage::Dfs), &a);
        // economics 0.5 + 0.5 x 500 / (500 + 500) = 0.75; jurisdiction 0.9;
        // confidence (0.6 + 0.4) / 2 = 0.5; financeability 1 (a named offtaker);
        // geology (0.2 + 24/30) / 2 = 0.5; engineering: DFS is the 5th of 10 stages, 4/9.
        assert!((c["economics"] - 0.75).abs() < 1e-12);
        assert!((c["jurisdiction"] - 0.9).abs() < 1e-12);
        assert!((c["confidence"] - 0.5).abs() < 1e-12);
        assert!((c["financeability"] - 1.0).abs() < 1e-12);
        assert!((c["geology"] - 0.5).abs() < 1e-12);
        assert!((c["engineering"] - 4.0 / 9.0).abs() < 1e-12);
        // 0.4 x 0.75 + 0.2 x 0.9 + 0.15 x 0.5 + 0.1 x 1 + 0.075 x 0.5 + 0.075 x 4/9
        let by_hand = 0.30 + 0.18 + 0.075 + 0.10 + 0.0375 + 0.075 * 4.0 / 9.0;
        assert!((total(&c, &w) - by_hand).abs() < 1e-12);
        // A loss of the scale scores 0.25, no value 0.5, a missing value 0.
        assert!((economics_score(Some(-500.0), 500.0) - 0.25).abs() < 1e-12);
        assert_eq!(economics_score(Some(0.0), 500.0), 0.5);
        assert_eq!(economics_score(None, 500.0), 0.0);
        // Uranium declared halves geology: 0.25.
        let mut u = inputs(500.0);
        u.radioactive = true;
        assert!((scores(&u, Some(StudyStage::Dfs), &a)["geology"] - 0.25).abs() < 1e-12);
        assert_eq!(engineering_score(Some(StudyStage::Production)), 1.0);
        assert_eq!(engineering_score(Some(StudyStage::Exploration)), 0.0);
        assert_eq!(engineering_score(None), 0.0);
    }

    #[test]
    fn a_negative_value_never_outscores_an_otherwise_identical_positive_one() {
        let a = assumptions();
        let w = weights(&a.weights, &[]).unwrap();
        let values = [
            -1e9, -5000.0, -500.0, -19.0, -1.0, -1e-6, 1e-6, 1.0, 19.0, 500.0, 5000.0, 1e9,
        ];
        for scale in [1.0, 500.0, 1e6] {
            let a = CommitteeAssumptions {
                economics_scale_musd: scale,
                ..a.clone()
            };
            for neg in values.iter().filter(|v| **v < 0.0) {
                for pos in values.iter().filter(|v| **v > 0.0) {
                    let n = total(&scores(&inputs(*neg), Some(StudyStage::Pfs), &a), &w);
                    let p = total(&scores(&inputs(*pos), Some(StudyStage::Pfs), &a), &w);
                    assert!(n < p, "{neg} scored {n}, {pos} scored {p} (scale {scale})");
                }
            }
            // And the scale is monotone: more value never scores less.
            for pair in values.windows(2) {
                assert!(
                    economics_score(Some(pair[0]), scale) <= economics_score(Some(pair[1]), scale)
                );
            }
        }
    }

    #[test]
    fn removing_a_criterion_weight_removes_its_contribution() {
        let a = assumptions();
        let c = scores(&inputs(200.0), Some(StudyStage::Pfs), &a);
        let full = weights(&a.weights, &[]).unwrap();
        let no_geo = weights(&a.weights, &["geology=0".into()]).unwrap();
        assert_eq!(no_geo["geology"], 0.0);
        // The others renormalise over 1 - 0.075 = 0.925.
        assert!((no_geo["economics"] - 0.40 / 0.925).abs() < 1e-12);
        // Geology's value no longer moves the score at all.
        let mut rich = inputs(200.0);
        rich.grade_position = Some(1.0);
        rich.magnet_share_pct = Some(30.0);
        let c_rich = scores(&rich, Some(StudyStage::Pfs), &a);
        assert_eq!(total(&c, &no_geo), total(&c_rich, &no_geo));
        assert!(total(&c, &full) < total(&c_rich, &full));
        // The score without geology is the full score less geology's contribution, rescaled.
        let by_hand = (total(&c, &full) - 0.075 * c["geology"]) / 0.925;
        assert!((total(&c, &no_geo) - by_hand).abs() < 1e-12);
        assert!(weights(&a.weights, &["beauty=1".into()]).is_err());
        assert!(weights(&a.weights, &["economics".into()]).is_err());
        let zero: Vec<String> = CRITERIA.iter().map(|c| format!("{c}=0")).collect();
        assert!(matches!(
            weights(&a.weights, &zero),
            Err(CommitteeWeightError::Zero)
        ));
    }

    #[test]
    fn screens_parse_or_say_why_not() {
        assert_eq!(
            Screen::parse("npv>0").unwrap(),
            Screen {
                field: "npv".into(),
                op: ">".into(),
                value: "0".into()
            }
        );
        assert_eq!(Screen::parse(" chance >= 0.3 ").unwrap().op, ">=");
        assert_eq!(
            Screen::parse("family=rare_earths").unwrap().value,
            "rare_earths"
        );
        assert!(Screen::parse("npv>zero").is_err());
        assert!(Screen::parse("beauty>1").is_err());
        assert!(Screen::parse("family>rare_earths").is_err());
        assert!(Screen::parse("npv").is_err());
    }
}
