//! The terms of a valuation run: the price deck, the real discount rate, the discounting
//! convention and the clock, resolved from the run's choices and the assumptions.

use crate::assumptions::{Assumptions, AssumptionsError, Prices};
use crate::model::cashflow::Discounting;

/// Run-wide choices.
#[derive(Debug, Clone)]
pub struct Options {
    /// Price deck; the assumptions' default when `None`.
    pub scenario: Option<String>,
    /// Real discount rate, %; the assumptions' default when `None`.
    pub discount_rate_pct: Option<f64>,
    pub discounting: Discounting,
    /// The clock of the lead-time model: the calendar year time is counted from.
    pub as_of: i32,
    /// Keep each project's annual schedule (for `--cashflows`); dropped otherwise, since a
    /// schedule is most of an appraisal's memory.
    pub keep_cashflows: bool,
}

impl Options {
    /// Defaults with the clock at `as_of`.
    pub fn at(as_of: i32) -> Options {
        Options {
            scenario: None,
            discount_rate_pct: None,
            discounting: Discounting::EndOfYear,
            as_of,
            keep_cashflows: true,
        }
    }
}

/// The resolved terms of a run.
#[derive(Debug, Clone)]
pub struct Terms {
    pub prices: Prices,
    /// Real discount rate, %.
    pub discount_rate_pct: f64,
    pub discounting: Discounting,
    pub as_of: i32,
    pub keep_cashflows: bool,
}

impl Terms {
    pub fn resolve(a: &Assumptions, opts: &Options) -> Result<Terms, AssumptionsError> {
        let scenario = opts
            .scenario
            .as_deref()
            .unwrap_or(&a.valuation.default_scenario);
        let rate = opts
            .discount_rate_pct
            .unwrap_or(a.valuation.discount_rate_pct);
        if !(rate.is_finite() && rate > -100.0) {
            return Err(AssumptionsError::Invalid(format!(
                "discount rate {rate} % is not a rate"
            )));
        }
        Ok(Terms {
            prices: a.prices(scenario)?,
            discount_rate_pct: rate,
            discounting: opts.discounting,
            as_of: opts.as_of,
            keep_cashflows: opts.keep_cashflows,
        })
    }
}
