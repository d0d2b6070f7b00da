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

use super::criteria::Criteria;
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
    /// products (0 to 1); also the floor of the factor from its ThO2 and U3O8 grades.
    pub radioactive_factor: f64,
    /// The activity concentration below which material of natural origin is outside
    /// regulation, Bq/g of each chain head (IAEA GSR Part 3, Schedule I; RS-G-1.7).
    pub radioactivity_level_bq_per_g: f64,
    /// U-238 activity of natural uranium, Bq per g of U.
    pub u238_bq_per_g_u: f64,
    /// Th-232 activity of thorium, Bq per g of Th.
    pub th232_bq_per_g_th: f64,
    /// Multiple of that level at which the geology factor reaches `radioactive_factor`
    /// (falling with its logarithm from 1 at the level).
    pub radioactivity_floor_multiple: f64,
}

/// Mass share of uranium in U3O8 (3 x 238.029 / (3 x 238.029 + 8 x 15.999)).
pub const U_IN_U3O8: f64 = 714.087 / 842.079;
/// Mass share of thorium in ThO2 (232.038 / (232.038 + 2 x 15.999)).
pub const TH_IN_THO2: f64 = 232.038 / 264.036;

/// The ore's radioactivity from its grades: the larger of its U-238 and Th-232 activity
/// concentrations (each chain head against its own level, as GSR Part 3 sets them for
/// material of natural origin), in multiples of the level; null when neither is given.
pub fn radioactivity_index(
    u3o8_ppm: Option<f64>,
    tho2_ppm: Option<f64>,
    a: &CommitteeAssumptions,
) -> Option<f64> {
    let level = a.radioactivity_level_bq_per_g.max(1e-12);
    // ppm is µg/g: Bq/g = ppm x 1e-6 x Bq per g of the element.
    let u = u3o8_ppm.map(|p| p * 1e-6 * U_IN_U3O8 * a.u238_bq_per_g_u / level);
    let th = tho2_ppm.map(|p| p * 1e-6 * TH_IN_THO2 * a.th232_bq_per_g_th / level);
    match (u, th) {
        (None, None) => None,
        (u, th) => Some(u.unwrap_or(0.0).max(th.unwrap_or(0.0))),
    }
}

/// The geology factor of a radioactivity index `x`: 1 up to the level (x <= 1), falling
/// with log10(x) to `radioactive_factor` at `radioactivity_floor_multiple`, held there above.
pub fn radioactivity_factor(x: f64, a: &CommitteeAssumptions) -> f64 {
    let floor = a.radioactive_factor.clamp(0.0, 1.0);
    let top = a.radioactivity_floor_multiple.max(1.0 + 1e-9);
    if x <= 1.0 {
        1.0
    } else {
        let t = (x.log10() / top.log10()).min(1.0);
        1.0 - (1.0 - floor) * t
    }
}

pub use super::criteria::{SCREEN_FIELDS, Screen};

/// A project's commodity family: its commodity (rare_earths, ni_cu_co_mn, cu_zn_au), or
/// `unknown`.
pub fn family(p: &Appraisal) -> String {
    p.commodity.clone().unwrap_or_else(|| "unknown".into())
}

/// What each criterion was scored from, in the inputs' units.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
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
    /// The record's uranium and thorium grades, ppm U3O8 and ppm ThO2 (null: missing).
    #[serde(default)]
    pub u3o8_ppm: Option<f64>,
    #[serde(default)]
    pub tho2_ppm: Option<f64>,
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
    /// What geology's radioactivity factor rests on.
    pub radioactivity: Radioactivity,
}

/// Geology's radioactivity factor of one project ([`geology_radioactivity`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Radioactivity {
    /// The larger of the ore's U-238 and Th-232 activity concentrations, in multiples of
    /// the 1 Bq/g level (null without U3O8 or ThO2 grades).
    pub index: Option<f64>,
    /// The factor on geology, 0 to 1.
    pub factor: f64,
    /// `given` (from the grades), `declared` (estimated: uranium or thorium among the
    /// products, no grades) or `missing` (neither; factor 1).
    pub basis: &'static str,
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
pub(crate) fn inputs(
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
        u3o8_ppm: r.geology.u3o8_ppm,
        tho2_ppm: r.geology.tho2_ppm,
    }
}

/// The factor on geology for radioactivity and what it rests on: `given` (the record's
/// U3O8 and ThO2 grades, [`radioactivity_factor`]; the lower of that and
/// `radioactive_factor` when uranium or thorium is also declared among the products),
/// `declared` (no grades: uranium or thorium among the products, `radioactive_factor`, an
/// estimate) or `missing` (neither: 1).
pub fn geology_radioactivity(i: &CommitteeInputs, a: &CommitteeAssumptions) -> (f64, &'static str) {
    let declared = if i.radioactive {
        a.radioactive_factor
    } else {
        1.0
    };
    match radioactivity_index(i.u3o8_ppm, i.tho2_ppm, a) {
        Some(x) => (radioactivity_factor(x, a).min(declared), "given"),
        None if i.radioactive => (declared, "declared"),
        None => (1.0, "missing"),
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
    } * geology_radioactivity(i, a).0;
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
    let mut all: Vec<Criteria> = projects
        .iter()
        .filter_map(|p| Some(Criteria::new(p, by_id.get(p.id.as_str())?, Some(ranges))))
        .collect();
    super::criteria::sort(&mut all);
    Leagues::new(&all, weights, screens, a).committee()
}

/// How the committee's criteria are scaled (every committee ranking says it).
pub const SCALES: &str = "absolute, 0 to 1, independent of the other projects: economics 0.5 + 0.5 v/(|v| + scale); jurisdiction the chance's jurisdiction x regime multipliers; confidence the mean of (measured + indicated)/total (1 with a reserve) and the share of inputs given; financeability 1 with a named offtaker or a state sponsor; geology the mean of the grade's place in its type's usual range and the magnet share over its full-score share, x the radioactivity factor (1 up to the IAEA 1 Bq/g level of U-238 or Th-232 from the record's U3O8 and ThO2 ppm, falling with log10 to the radioactive factor at 10x; the radioactive factor when U or Th is only declared among the products); engineering the stage's place from exploration 0 to production 1; score = sum of weight x criterion, one league per commodity family";

/// The committee ranking over criteria, holding a score per ranked project and making
/// each [`CommitteeRanked`] row only when it is written (bounded memory for national
/// databases). Serialises as [`Committee`] does. Criteria built without the committee's
/// inputs are left out.
pub struct Leagues<'a> {
    all: &'a [Criteria],
    weights: BTreeMap<String, f64>,
    a: CommitteeAssumptions,
    screens: Vec<String>,
    /// Each family with its projects' indices into `all`, in league order.
    leagues: Vec<(String, Vec<u32>)>,
    excluded: Vec<(u32, String)>,
}

impl<'a> Leagues<'a> {
    /// Ranks the projects of `all` (in report order) that pass `screens`.
    pub fn new(
        all: &'a [Criteria],
        weights: &BTreeMap<String, f64>,
        screens: &[Screen],
        a: &CommitteeAssumptions,
    ) -> Leagues<'a> {
        let (kept, excluded) = super::criteria::apply(all, screens);
        let mut by_family: BTreeMap<&str, Vec<(f64, u32)>> = BTreeMap::new();
        for i in kept {
            let c = &all[i as usize];
            let Some(inputs) = c.committee() else {
                continue;
            };
            let score = total(&scores(&inputs, c.stage(), a), weights);
            by_family.entry(c.family()).or_default().push((score, i));
        }
        let leagues = by_family
            .into_iter()
            .map(|(family, mut v)| {
                v.sort_by(|x, y| {
                    y.0.total_cmp(&x.0)
                        .then_with(|| all[x.1 as usize].id().cmp(all[y.1 as usize].id()))
                });
                (family.to_owned(), v.into_iter().map(|(_, i)| i).collect())
            })
            .collect();
        Leagues {
            all,
            weights: weights.clone(),
            a: a.clone(),
            screens: screens.iter().map(ToString::to_string).collect(),
            leagues,
            excluded,
        }
    }

    /// Whether no project is ranked in any league.
    pub fn is_empty(&self) -> bool {
        self.leagues.is_empty()
    }

    /// Projects ranked, over every league.
    pub fn len(&self) -> usize {
        self.leagues.iter().map(|(_, v)| v.len()).sum()
    }

    /// The screens, as given.
    pub fn screens(&self) -> &[String] {
        &self.screens
    }

    /// The project at `league_rank` (1 first) of league `league` (its place in family
    /// order).
    pub fn ranked(&self, league: usize, league_rank: usize) -> CommitteeRanked {
        let (family, v) = &self.leagues[league];
        let c = &self.all[v[league_rank - 1] as usize];
        let inputs = c.committee().unwrap_or_default();
        let criteria = scores(&inputs, c.stage(), &self.a);
        let contributions: BTreeMap<String, f64> = criteria
            .iter()
            .map(|(k, v)| (k.clone(), v * self.weights.get(k).copied().unwrap_or(0.0)))
            .collect();
        CommitteeRanked {
            league_rank,
            id: c.id().to_owned(),
            name: c.name().to_owned(),
            family: family.clone(),
            score: contributions.values().sum(),
            criteria,
            contributions,
            risked_npv_musd: c.risked_npv_musd,
            chance_of_success: c.chance_of_success,
            radioactivity: {
                let (factor, basis) = geology_radioactivity(&inputs, &self.a);
                Radioactivity {
                    index: radioactivity_index(inputs.u3o8_ppm, inputs.tho2_ppm, &self.a),
                    factor,
                    basis,
                }
            },
            inputs,
        }
    }

    /// The families and their sizes, in order.
    pub fn families(&self) -> impl Iterator<Item = (&str, usize)> {
        self.leagues.iter().map(|(f, v)| (f.as_str(), v.len()))
    }

    /// The projects left out, with why, in report order.
    pub fn excluded(&self) -> impl Iterator<Item = (&str, &str)> {
        self.excluded
            .iter()
            .map(|(i, why)| (self.all[*i as usize].id(), why.as_str()))
    }

    /// Ranks `ranks` (1 first) of every league as a [`Committee`], with the excluded
    /// projects when `with_excluded`.
    pub fn page(&self, ranks: std::ops::Range<usize>, with_excluded: bool) -> Committee {
        Committee {
            weights: self.weights.clone(),
            scales: SCALES,
            screens: self.screens.clone(),
            leagues: self
                .leagues
                .iter()
                .enumerate()
                .filter_map(|(l, (family, v))| {
                    let r = ranks.start.max(1)..ranks.end.min(v.len() + 1);
                    (!r.is_empty()).then(|| League {
                        family: family.clone(),
                        projects: r.map(|k| self.ranked(l, k)).collect(),
                    })
                })
                .collect(),
            excluded: if with_excluded {
                self.excluded()
                    .map(|(id, why)| (id.to_owned(), why.to_owned()))
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    /// Ranks `ranks` (1 first) of league `league` alone as a [`Committee`] (no excluded
    /// projects).
    pub fn page_of(&self, league: usize, ranks: std::ops::Range<usize>) -> Committee {
        let mut c = self.page(0..0, false);
        if let Some((family, v)) = self.leagues.get(league) {
            let r = ranks.start.max(1)..ranks.end.min(v.len() + 1);
            c.leagues = vec![League {
                family: family.clone(),
                projects: r.map(|k| self.ranked(league, k)).collect(),
            }];
        }
        c
    }

    /// The whole committee ranking, every row made.
    pub fn committee(&self) -> Committee {
        let longest = self.leagues.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
        self.page(1..longest + 1, true)
    }
}

/// The weighted sum of criterion scores, in the criteria's alphabetical order (as a
/// [`CommitteeRanked`]'s `contributions` sum).
fn total(criteria: &BTreeMap<String, f64>, weights: &BTreeMap<String, f64>) -> f64 {
    criteria
        .iter()
        .map(|(k, v)| v * weights.get(k).copied().unwrap_or(0.0))
        .sum()
}

impl Serialize for Leagues<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Rows<'b, 'a>(&'b Leagues<'a>, usize);
        impl Serialize for Rows<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let n = self.0.leagues[self.1].1.len();
                s.collect_seq((1..=n).map(|k| self.0.ranked(self.1, k)))
            }
        }
        struct OneLeague<'b, 'a>(&'b Leagues<'a>, usize);
        impl Serialize for OneLeague<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut st = s.serialize_struct("League", 2)?;
                st.serialize_field("family", &self.0.leagues[self.1].0)?;
                st.serialize_field("projects", &Rows(self.0, self.1))?;
                st.end()
            }
        }
        struct All<'b, 'a>(&'b Leagues<'a>);
        impl Serialize for All<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq((0..self.0.leagues.len()).map(|l| OneLeague(self.0, l)))
            }
        }
        struct Excluded<'b, 'a>(&'b Leagues<'a>);
        impl Serialize for Excluded<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.excluded())
            }
        }
        let mut st = s.serialize_struct("Committee", 5)?;
        st.serialize_field("weights", &self.weights)?;
        st.serialize_field("scales", SCALES)?;
        st.serialize_field("screens", &self.screens)?;
        st.serialize_field("leagues", &All(self))?;
        st.serialize_field("excluded", &Excluded(self))?;
        st.end()
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
            radioactivity_level_bq_per_g: 1.0,
            u238_bq_per_g_u: 12_347.0,
            th232_bq_per_g_th: 4_057.0,
            radioactivity_floor_multiple: 10.0,
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
            u3o8_ppm: None,
            tho2_ppm: None,
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
        // Grades given: Kvanefjeld's 266 ppm U3O8 is 266 x 0.848 = 225.6 ppm U, x 12.347
        // mBq per ppm = 2.785 Bq/g, 2.785 x the level: factor 1 - 0.5 x log10(2.785) =
        // 1 - 0.5 x 0.4449 = 0.7776; geology 0.5 x 0.7776 = 0.3888.
        let mut k = inputs(500.0);
        k.u3o8_ppm = Some(266.0);
        let x = radioactivity_index(k.u3o8_ppm, None, &a).unwrap();
        assert!((x - 2.785).abs() < 2e-3, "{x}");
        assert_eq!(geology_radioactivity(&k, &a).1, "given");
        assert!((scores(&k, Some(StudyStage::Dfs), &a)["geology"] - 0.3888).abs() < 5e-4);
        // 81 ppm U (95.5 ppm U3O8) and 246 ppm Th (280 ppm ThO2) are each about the 1 Bq/g
        // level; the larger counts, not their sum.
        let u_level = radioactivity_index(Some(81.0 / U_IN_U3O8), None, &a).unwrap();
        let th_level = radioactivity_index(None, Some(246.5 / TH_IN_THO2), &a).unwrap();
        assert!((u_level - 1.0).abs() < 0.01 && (th_level - 1.0).abs() < 0.01);
        let both = radioactivity_index(Some(81.0 / U_IN_U3O8), Some(246.5 / TH_IN_THO2), &a);
        assert!((both.unwrap() - 1.0).abs() < 0.01);
        // Below the level no penalty; ten times it and above, the floor.
        assert_eq!(radioactivity_factor(0.5, &a), 1.0);
        assert!((radioactivity_factor(10.0, &a) - 0.5).abs() < 1e-12);
        assert!((radioactivity_factor(100.0, &a) - 0.5).abs() < 1e-12);
        // Neither grade nor product: missing, no factor.
        assert_eq!(geology_radioactivity(&inputs(500.0), &a), (1.0, "missing"));
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
