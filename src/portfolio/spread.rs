//! The simulation's spread of one project as the portfolio tables show it (issue 20:
//! "uncertainty where people look"): NPV percentiles and the chance of a positive NPV
//! from the draws, first-production percentiles of every outcome from the lead-time
//! model. `rank` and `timeline` carry it beside their own figures, so that a ranking or a
//! calendar is never read as if its base case were certain.

use serde::Serialize;

use crate::appraisal::Appraisal;

/// NPV percentiles over the draws and the share of draws with a positive NPV; every
/// field is null when no draws were run (`--draws 0`) or the project is not valued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct NpvSpread {
    /// NPV at P10 (low) over the draws, US$ million real of the money year, at the
    /// appraisal's NPV convention (`npv_convention` in `appraise`'s JSON).
    pub npv_p10_musd: Option<f64>,
    /// NPV at P50 over the draws, US$ million real.
    pub npv_p50_musd: Option<f64>,
    /// NPV at P90 (high) over the draws, US$ million real.
    pub npv_p90_musd: Option<f64>,
    /// Share of draws with a positive NPV, 0-1.
    pub prob_npv_positive: Option<f64>,
}

impl NpvSpread {
    /// The spread of an appraisal (nothing when it was not simulated).
    pub fn of(p: &Appraisal) -> NpvSpread {
        NpvSpread {
            npv_p10_musd: p.npv_musd.p10,
            npv_p50_musd: p.npv_musd.p50,
            npv_p90_musd: p.npv_musd.p90,
            prob_npv_positive: p.prob_npv_positive,
        }
    }

    /// Whether the draws gave this spread (false without draws or for an unvalued
    /// project).
    pub fn simulated(&self) -> bool {
        self.npv_p50_musd.is_some()
    }
}

/// [`NpvSpread`] with the first-production percentiles of every outcome, as the ranking
/// carries it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Spread {
    #[serde(flatten)]
    pub npv: NpvSpread,
    /// Calendar year of first production at P10 (early) of every outcome, never
    /// included; null when that percentile never produces within the horizon.
    pub first_production_p10: Option<i32>,
    /// Calendar year of first production at P90 (late) of every outcome; null when that
    /// percentile never produces within the horizon.
    pub first_production_p90: Option<i32>,
}

impl Spread {
    /// The spread of an appraisal.
    pub fn of(p: &Appraisal) -> Spread {
        Spread {
            npv: NpvSpread::of(p),
            first_production_p10: p.first_production_year.p10,
            first_production_p90: p.first_production_year.p90,
        }
    }
}
