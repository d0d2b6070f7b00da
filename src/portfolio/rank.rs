//! Ranking for financing: a score from weighted criteria (risked value, speed, supply
//! security, risk, confidence), each criterion's contribution shown, and the Pareto-
//! efficient projects flagged (no other project is better on value, speed and risk at
//! once).
//!
//! Each sub-criterion is normalised by percentile rank across the ranked set (0 for the
//! worst, 1 for the best, ties averaged), which keeps one outlier from flattening the rest;
//! a criterion is the mean of its sub-criteria; the score is the weighted sum, 0 to 1.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::appraisal::Appraisal;
use crate::read::record::{ProcessingRoute, ProjectRecord};

use super::criteria::{Criteria, GROUPS, Screen};

/// The criteria, in the order of every output.
pub const CRITERIA: [&str; 5] = ["value", "speed", "supply", "risk", "confidence"];

/// A problem with the weights.
#[derive(Debug, thiserror::Error)]
pub enum WeightError {
    #[error("unknown criterion {0:?}; criteria are value, speed, supply, risk, confidence")]
    Unknown(String),
    #[error("weight {0:?} is not NAME=VALUE with a non-negative number")]
    Malformed(String),
    #[error("the weights sum to zero")]
    Zero,
}

/// Criterion weights, normalised to sum to 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Weights(pub BTreeMap<String, f64>);

/// `base` with `NAME=VALUE` overrides, checked against `criteria` (unknown names, values
/// that are not finite and non-negative, a zero total refused) and normalised to sum to 1;
/// every criterion of `criteria` is in the result. The percentile and committee rankings
/// share it.
pub fn normalised_weights(
    criteria: &[&str],
    base: &BTreeMap<String, f64>,
    overrides: &[String],
) -> Result<BTreeMap<String, f64>, WeightError> {
    let mut raw = base.clone();
    for o in overrides {
        let (k, v) = o
            .split_once('=')
            .ok_or_else(|| WeightError::Malformed(o.clone()))?;
        let v: f64 = v
            .trim()
            .parse()
            .map_err(|_| WeightError::Malformed(o.clone()))?;
        raw.insert(k.trim().to_owned(), v);
    }
    for (k, v) in &raw {
        if !criteria.contains(&k.as_str()) {
            return Err(WeightError::Unknown(k.clone()));
        }
        if !(v.is_finite() && *v >= 0.0) {
            return Err(WeightError::Malformed(format!("{k}={v}")));
        }
    }
    let total: f64 = criteria
        .iter()
        .map(|c| raw.get(*c).copied().unwrap_or(0.0))
        .sum();
    if total <= 0.0 {
        return Err(WeightError::Zero);
    }
    Ok(criteria
        .iter()
        .map(|c| ((*c).to_owned(), raw.get(*c).copied().unwrap_or(0.0) / total))
        .collect())
}

impl Weights {
    /// From a map of name to weight; unknown names are refused.
    pub fn new(raw: &BTreeMap<String, f64>) -> Result<Weights, WeightError> {
        normalised_weights(&CRITERIA, raw, &[]).map(Weights)
    }

    /// `base` with `NAME=VALUE` overrides applied.
    pub fn with_overrides(
        base: &BTreeMap<String, f64>,
        overrides: &[String],
    ) -> Result<Weights, WeightError> {
        normalised_weights(&CRITERIA, base, overrides).map(Weights)
    }

    fn get(&self, c: &str) -> f64 {
        self.0.get(c).copied().unwrap_or(0.0)
    }
}

/// Which projects to rank.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub commodity: Option<String>,
    pub regime: Option<String>,
    pub country: Option<String>,
    /// Keep projects whose first production (P50, else base) is at most this many years away.
    pub max_years: Option<f64>,
}

/// One ranked project.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    pub rank: usize,
    pub id: String,
    pub name: String,
    /// Weighted score, 0 to 1.
    pub score: f64,
    /// Each criterion's weighted contribution to the score ("why this rank").
    pub contributions: BTreeMap<String, f64>,
    /// Each criterion's normalised value, 0 to 1, before weighting.
    pub criteria: BTreeMap<String, f64>,
    /// No other project is at least as good on risked value, speed and chance of success
    /// and better on one.
    pub pareto: bool,
    pub risked_npv_musd: Option<f64>,
    pub npv_musd: Option<f64>,
    pub years_to_first_production_p50: f64,
    pub chance_of_success: f64,
    /// Non-China supply at nameplate, t/y (0 when the project is China-linked).
    pub non_china_ndpr_t: f64,
    pub non_china_dytb_t: f64,
    pub china_linked: bool,
    /// By-products the project is known to sell but that are not priced, so its value
    /// leaves them out while its full costs are charged (issue 14).
    pub byproducts_unpriced: Vec<String>,
    /// The appraisal's warning about them, carried into the ranking.
    pub warnings: Vec<String>,
    /// The simulation's spread (NPV P10/P50/P90, P(NPV>0)) and first production P10/P90
    /// (issue 20), flattened into the ranked project's JSON.
    #[serde(flatten)]
    pub spread: crate::portfolio::spread::Spread,
}

/// The ranking.
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    pub weights: Weights,
    pub normalisation: &'static str,
    pub projects: Vec<Ranked>,
    /// Projects filtered out, with the reason.
    pub excluded: Vec<(String, String)>,
}

/// Percentile ranks of values where higher is better (None ranks lowest), 0 to 1: the
/// number of values below plus half the other equal ones, over n - 1. Sorting makes it
/// O(n log n) for national databases.
fn percentile_ranks(values: &[Option<f64>]) -> Vec<f64> {
    let n = values.len();
    if n <= 1 {
        return vec![1.0; n];
    }
    let key = |i: usize| values[i].unwrap_or(f64::NEG_INFINITY);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| key(*a).total_cmp(&key(*b)));
    let mut out = vec![0.0; n];
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && key(order[end]) == key(order[start]) {
            end += 1;
        }
        // `start` values lie below this group; the group has end - start equal values.
        let rank = (start as f64 + (end - start - 1) as f64 / 2.0) / (n as f64 - 1.0);
        for i in &order[start..end] {
            out[*i] = rank;
        }
        start = end;
    }
    out
}

/// Years from the as-of date to first production at P50 (simulated) or base, years;
/// zero for a project already producing (its first production lies in the past, and it
/// delivers no sooner for having started earlier).
pub fn years_p50(p: &Appraisal) -> f64 {
    p.simulation
        .as_ref()
        .map_or(p.years_to_first_production, |s| {
            s.years_to_first_production.p50
        })
        .max(0.0)
}

/// As [`years_p50`], at P90.
pub fn years_p90(p: &Appraisal) -> f64 {
    p.simulation
        .as_ref()
        .map_or(p.years_to_first_production, |s| {
            s.years_to_first_production.p90
        })
        .max(0.0)
}

/// Whether the record declares Chinese ownership, offtake or separation.
pub fn china_linked(rec: &ProjectRecord) -> bool {
    rec.ownership.china_linked() || rec.ownership.processing_route == Some(ProcessingRoute::China)
}

/// Ranks appraised projects (`records` give ownership and stage; matched by id), with the
/// default assumptions' supply sub-scores ([`rank_scored`] takes them from a run's own).
pub fn rank(
    projects: &[Appraisal],
    records: &[ProjectRecord],
    weights: &Weights,
    filters: &Filters,
) -> Ranking {
    let defaults = crate::assumptions::Assumptions::defaults();
    rank_scored(
        projects,
        records,
        weights,
        filters,
        &defaults.rank.subscores,
    )
}

/// [`rank`] with the supply sub-scores `scores` (assumptions `[rank.subscores]`).
pub fn rank_scored(
    projects: &[Appraisal],
    records: &[ProjectRecord],
    weights: &Weights,
    filters: &Filters,
    scores: &crate::assumptions::RankSubscores,
) -> Ranking {
    let by_id: BTreeMap<&str, &ProjectRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut all: Vec<Criteria> = projects
        .iter()
        .filter_map(|p| Some(Criteria::new(p, by_id.get(p.id.as_str())?, None)))
        .collect();
    super::criteria::sort(&mut all);
    Scored::new(&all, weights, &filters.screens(), scores).ranking()
}

impl Filters {
    /// The filters as screens (`commodity=`, `regime=`, `country=`, `years<=`), the one
    /// mechanism both rankings leave projects out by.
    pub fn screens(&self) -> Vec<Screen> {
        let label = |field: &str, v: &Option<String>| {
            v.as_ref().map(|v| Screen {
                field: field.to_owned(),
                op: "=".to_owned(),
                value: v.clone(),
            })
        };
        [
            label("commodity", &self.commodity),
            label("regime", &self.regime),
            label("country", &self.country),
            self.max_years.map(|y| Screen {
                field: "years".to_owned(),
                op: "<=".to_owned(),
                value: y.to_string(),
            }),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// A ranking over criteria, holding a few numbers per ranked project (its five criterion
/// values, score and Pareto flag) and making each [`Ranked`] row only when it is written,
/// so that a national database ranks in bounded memory. Serialises as [`Ranking`] does.
pub struct Scored<'a> {
    all: &'a [Criteria],
    weights: Weights,
    /// Indices into `all` of the projects the screens keep, in `all`'s order.
    kept: Vec<u32>,
    /// By kept position: the criterion values in [`CRITERIA`]'s order.
    criteria: Vec<[f64; 5]>,
    pareto: Vec<bool>,
    score: Vec<f64>,
    /// Kept positions in rank order.
    order: Vec<u32>,
    excluded: Vec<(u32, String)>,
}

/// The score: the weighted criteria summed in the criteria's alphabetical order (the
/// order of a [`Ranked`]'s `contributions`).
fn weighted_sum(c: &[f64; 5], w: &Weights) -> f64 {
    let mut names: Vec<(usize, &str)> = CRITERIA.iter().copied().enumerate().collect();
    names.sort_by_key(|(_, n)| *n);
    names.iter().map(|(i, n)| c[*i] * w.get(n)).sum()
}

impl<'a> Scored<'a> {
    /// Ranks the projects of `all` (in report order, see [`super::criteria::sort`]) that
    /// pass `screens`.
    pub fn new(
        all: &'a [Criteria],
        weights: &Weights,
        screens: &[Screen],
        scores: &crate::assumptions::RankSubscores,
    ) -> Scored<'a> {
        let (kept, excluded) = super::criteria::apply(all, screens);
        let n = kept.len();
        let at = |k: usize| &all[kept[k] as usize];
        let col = |f: &dyn Fn(&Criteria) -> Option<f64>| -> Vec<f64> {
            percentile_ranks(&(0..n).map(|k| f(at(k))).collect::<Vec<_>>())
        };
        // Each criterion is the mean of its sub-criteria's percentile ranks, summed in
        // order; one column is held at a time. Value comes before the chance of success
        // (which the risk criterion counts): the owner's NPV, after the free carry and the
        // post-production hazard. Jurisdiction and regime enter the ranking once: through
        // the chance of success (their multipliers are factors of it), not again as
        // criteria of their own.
        let mut first = 0;
        let groups: Vec<Vec<f64>> = GROUPS
            .iter()
            .map(|&len| {
                let mut sum = vec![0.0; n];
                for j in first..first + len {
                    for (s, v) in sum.iter_mut().zip(col(&|c| c.subcriterion(j, scores))) {
                        *s += v;
                    }
                }
                first += len;
                sum.iter_mut().for_each(|s| *s /= len as f64);
                sum
            })
            .collect();
        let criteria: Vec<[f64; 5]> = (0..n)
            .map(|k| std::array::from_fn(|g| groups[g][k]))
            .collect();
        let score: Vec<f64> = criteria.iter().map(|c| weighted_sum(c, weights)).collect();
        let points: Vec<[f64; 3]> = (0..n)
            .map(|k| {
                let c = at(k);
                [
                    c.risked_npv_musd.unwrap_or(f64::NEG_INFINITY),
                    -c.years_p50,
                    c.chance_of_success,
                ]
            })
            .collect();
        let pareto = pareto_flags(&points);
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|&a, &b| {
            score[b as usize]
                .total_cmp(&score[a as usize])
                .then_with(|| at(a as usize).id().cmp(at(b as usize).id()))
        });
        Scored {
            all,
            weights: weights.clone(),
            kept,
            criteria,
            pareto,
            score,
            order,
            excluded,
        }
    }

    /// Projects ranked.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no project is ranked.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Each ranked project, best first: its index in `all`, its rank (1 first), its score
    /// (0 to 1) and its Pareto flag.
    pub fn placements(&self) -> impl Iterator<Item = (usize, usize, f64, bool)> + '_ {
        self.order.iter().enumerate().map(|(i, &k)| {
            let k = k as usize;
            (self.kept[k] as usize, i + 1, self.score[k], self.pareto[k])
        })
    }

    /// The projects left out, with why, in report order.
    pub fn excluded(&self) -> impl Iterator<Item = (&str, &str)> {
        self.excluded
            .iter()
            .map(|(i, why)| (self.all[*i as usize].id(), why.as_str()))
    }

    /// The project at rank `rank` (1 first).
    pub fn ranked(&self, rank: usize) -> Ranked {
        let k = self.order[rank - 1] as usize;
        let c = &self.all[self.kept[k] as usize];
        let criteria: BTreeMap<String, f64> = CRITERIA
            .iter()
            .zip(self.criteria[k])
            .map(|(name, v)| ((*name).to_owned(), v))
            .collect();
        let contributions: BTreeMap<String, f64> = criteria
            .iter()
            .map(|(name, v)| (name.clone(), v * self.weights.get(name)))
            .collect();
        Ranked {
            rank,
            id: c.id().to_owned(),
            name: c.name().to_owned(),
            score: self.score[k],
            contributions,
            criteria,
            pareto: self.pareto[k],
            risked_npv_musd: c.risked_npv_musd,
            npv_musd: c.npv_musd(),
            years_to_first_production_p50: c.years_p50,
            chance_of_success: c.chance_of_success,
            non_china_ndpr_t: c.non_china_ndpr_t(),
            non_china_dytb_t: c.non_china_dytb_t(),
            china_linked: c.china_linked,
            byproducts_unpriced: c.byproducts_unpriced().to_vec(),
            warnings: unpriced_warning(c.byproducts_unpriced())
                .into_iter()
                .collect(),
            spread: c.spread(),
        }
    }

    /// The ranks `ranks` (1 first) as a [`Ranking`], with the excluded projects when
    /// `with_excluded`.
    pub fn page(&self, ranks: std::ops::Range<usize>, with_excluded: bool) -> Ranking {
        Ranking {
            weights: self.weights.clone(),
            normalisation: NORMALISATION,
            projects: ranks.map(|r| self.ranked(r)).collect(),
            excluded: if with_excluded {
                self.excluded()
                    .map(|(id, why)| (id.to_owned(), why.to_owned()))
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The whole ranking, every row made.
    pub fn ranking(&self) -> Ranking {
        self.page(1..self.len() + 1, true)
    }
}

/// How the criteria are normalised (every ranking says it).
pub const NORMALISATION: &str = "each sub-criterion by percentile rank across the ranked projects (0 worst, 1 best, ties averaged); a criterion is the mean of its sub-criteria; score = sum of weight x criterion";

impl Serialize for Scored<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Rows<'b, 'a>(&'b Scored<'a>);
        impl Serialize for Rows<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq((1..=self.0.len()).map(|r| self.0.ranked(r)))
            }
        }
        struct Excluded<'b, 'a>(&'b Scored<'a>);
        impl Serialize for Excluded<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.excluded())
            }
        }
        let mut st = s.serialize_struct("Ranking", 4)?;
        st.serialize_field("weights", &self.weights)?;
        st.serialize_field("normalisation", NORMALISATION)?;
        st.serialize_field("projects", &Rows(self))?;
        st.serialize_field("excluded", &Excluded(self))?;
        st.end()
    }
}

/// The appraisal's warning on its unpriced by-products, if it has any.
fn unpriced_warning(unpriced: &[String]) -> Option<String> {
    crate::model::byproduct::warning(&crate::model::byproduct::Byproducts {
        unpriced: unpriced.to_vec(),
        ..Default::default()
    })
}

/// Flags the projects that no other beats on risked value, speed and chance at once.
pub fn flag_pareto(ranked: &mut [Ranked]) {
    let points: Vec<[f64; 3]> = ranked
        .iter()
        .map(|r| {
            [
                r.risked_npv_musd.unwrap_or(f64::NEG_INFINITY),
                -r.years_to_first_production_p50,
                r.chance_of_success,
            ]
        })
        .collect();
    for (r, flag) in ranked.iter_mut().zip(pareto_flags(&points)) {
        r.pareto = flag;
    }
}

/// Whether each point (higher is better on every coordinate) is on the Pareto front: no
/// other point is at least as good on all three and better on one.
pub fn pareto_flags(points: &[[f64; 3]]) -> Vec<bool> {
    let dominates = |b: &[f64; 3], a: &[f64; 3]| {
        b.iter().zip(a).all(|(b, a)| b >= a) && b.iter().zip(a).any(|(b, a)| b > a)
    };
    // Sort-filter skyline: a dominating point comes before the points it dominates in
    // descending lexicographic order, so each point need only be checked against the
    // front found so far (and a point dominated by a dominated point is dominated by the
    // front too). Linear in the projects times the front, not quadratic.
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&i, &j| {
        (0..3)
            .map(|k| points[j][k].total_cmp(&points[i][k]))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut flags = vec![false; points.len()];
    let mut front: Vec<usize> = Vec::new();
    for i in order {
        let dominated = front.iter().any(|&f| dominates(&points[f], &points[i]));
        flags[i] = !dominated;
        if !dominated {
            front.push(i);
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(id: &str, value: f64, years: f64, chance: f64) -> Ranked {
        Ranked {
            rank: 0,
            id: id.into(),
            name: id.into(),
            score: 0.0,
            contributions: BTreeMap::new(),
            criteria: BTreeMap::new(),
            pareto: false,
            risked_npv_musd: Some(value),
            npv_musd: Some(value),
            years_to_first_production_p50: years,
            chance_of_success: chance,
            non_china_ndpr_t: 0.0,
            non_china_dytb_t: 0.0,
            china_linked: false,
            byproducts_unpriced: Vec::new(),
            warnings: Vec::new(),
            spread: Default::default(),
        }
    }

    #[test]
    fn pareto_flags_the_non_dominated_projects() {
        let mut set = vec![
            ranked("A", 100.0, 5.0, 0.5), // best value
            ranked("B", 50.0, 2.0, 0.5),  // fastest
            ranked("C", 40.0, 6.0, 0.4),  // dominated by A (and B)
            ranked("D", 10.0, 8.0, 0.9),  // safest
            ranked("E", 100.0, 5.0, 0.5), // ties A: neither dominates
        ];
        flag_pareto(&mut set);
        let flags: Vec<bool> = set.iter().map(|r| r.pareto).collect();
        assert_eq!(flags, [true, true, false, true, true]);
    }

    #[test]
    fn pareto_front_matches_every_pair_compared() {
        // Coarse values, so that ties on one or more criteria are common.
        let mut state: u64 = 7;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            ((state >> 33) % n) as f64
        };
        let mut set: Vec<Ranked> = (0..400)
            .map(|i| ranked(&format!("P{i}"), next(12) * 10.0, next(10), next(6) / 5.0))
            .collect();
        set[3].risked_npv_musd = None;
        set[5].chance_of_success = f64::NAN;
        let brute: Vec<bool> = set
            .iter()
            .map(|a| {
                !set.iter().any(|b| {
                    let (pa, pb) = (
                        [
                            a.risked_npv_musd.unwrap_or(f64::NEG_INFINITY),
                            -a.years_to_first_production_p50,
                            a.chance_of_success,
                        ],
                        [
                            b.risked_npv_musd.unwrap_or(f64::NEG_INFINITY),
                            -b.years_to_first_production_p50,
                            b.chance_of_success,
                        ],
                    );
                    (0..3).all(|k| pb[k] >= pa[k]) && (0..3).any(|k| pb[k] > pa[k])
                })
            })
            .collect();
        flag_pareto(&mut set);
        let flags: Vec<bool> = set.iter().map(|r| r.pareto).collect();
        assert_eq!(flags, brute);
        assert!(flags.iter().filter(|f| **f).count() > 3);
    }

    #[test]
    fn percentile_ranks_put_missing_values_last() {
        let r = percentile_ranks(&[Some(3.0), None, Some(1.0), Some(3.0)]);
        assert_eq!(r, [2.5 / 3.0, 0.0, 1.0 / 3.0, 2.5 / 3.0]);
    }

    #[test]
    fn weights_normalise_and_refuse_unknown_criteria() {
        let base: BTreeMap<String, f64> = [("value", 2.0), ("speed", 2.0)]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect();
        let w = Weights::new(&base).unwrap();
        assert_eq!(w.get("value"), 0.5);
        assert_eq!(w.get("risk"), 0.0);
        let w = Weights::with_overrides(&base, &["speed=6".into()]).unwrap();
        assert_eq!(w.get("speed"), 0.75);
        assert!(Weights::with_overrides(&base, &["beauty=1".into()]).is_err());
        assert!(Weights::with_overrides(&base, &["speed".into()]).is_err());
        assert!(matches!(
            Weights::new(&BTreeMap::new()),
            Err(WeightError::Zero)
        ));
    }
}
