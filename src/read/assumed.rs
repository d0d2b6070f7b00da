//! Checks of a record against the assumptions it will be valued with (`check
//! --assumptions FILE`, else the defaults): names the record gives that the assumptions
//! must hold (a distribution of the library, a seabed-mud capacity scenario, a currency of
//! the FX table), and the usual grade range of its deposit type from the assumptions'
//! `validation.typical_grade_pct`. Each finding is a warning: `appraise` leaves such a
//! record unvalued with the same reason, or (for the grade) values it as given.

use crate::assumptions::Assumptions;
use crate::diagnostic::Diagnostic;
use crate::read::record::{DepositType, ProjectRecord};
use crate::read::validate;

/// The names `rec` gives that `a` does not hold, unlocated (the caller places them).
pub fn references(rec: &ProjectRecord, a: &Assumptions) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(name) = rec.geology.distribution.as_deref()
        && !a.distributions.contains_key(name)
    {
        out.push(
            Diagnostic::warning(
                Some("distribution"),
                format!(
                    "distribution {name:?} is not in the assumptions' library; appraise leaves the record unvalued"
                ),
            )
            .with_hint(format!(
                "use one of {}, or add [distributions.{name}] to the assumptions file",
                known(a.distributions.keys())
            )),
        );
    }
    if rec.geology.deposit_type == Some(DepositType::SeabedMud)
        && let Some(name) = rec.economics.capacity_scenario.as_deref()
        && !a.mud.scenarios.contains_key(name)
    {
        out.push(
            Diagnostic::warning(
                Some("capacity_scenario"),
                format!(
                    "capacity_scenario {name:?} is not a mud scenario of the assumptions; appraise leaves the record unvalued"
                ),
            )
            .with_hint(format!(
                "use one of {}, or add [mud.scenarios.{name}] to the assumptions file",
                known(a.mud.scenarios.keys())
            )),
        );
    }
    for (field, code, what) in [
        (
            "currency",
            rec.economics.currency.as_deref(),
            "appraise leaves the record unvalued",
        ),
        (
            "study_currency",
            rec.study.currency.as_deref(),
            "the study's NPV cannot be set beside prospect's",
        ),
    ] {
        if let Some(c) = code
            && a.usd_per_unit(c, None).is_none()
        {
            out.push(
                Diagnostic::warning(
                    Some(field),
                    format!("currency {c} is not in the assumptions' FX table; {what}"),
                )
                .with_hint(format!(
                    "use one of USD, {}, or add its rates under [fx.rates.{c}] to the assumptions file",
                    known(a.fx.rates.keys())
                )),
            );
        }
    }
    out
}

/// The grade check of reading, with `a`'s usual ranges in place of the defaults': `None`
/// when they are the defaults (reading's own check stands), else what replaces reading's.
pub fn grade(rec: &ProjectRecord, a: &Assumptions) -> Option<Regraded> {
    if !grade_ranges_differ(a) {
        return None;
    }
    let ranges = &a.validation.typical_grade_pct;
    let defaults = validate::default_grade_ranges();
    let mut by_default = Vec::new();
    validate::grade_range(rec, defaults, &mut by_default);
    let mut by_file = Vec::new();
    validate::grade_range(rec, ranges, &mut by_file);
    Some(Regraded {
        by_default,
        by_file,
    })
}

/// Whether the typical grade ranges of `a` differ from the defaults that reading checks
/// grades against (only then has [`grade`] anything to say): a caller checking many
/// records asks once.
pub fn grade_ranges_differ(a: &Assumptions) -> bool {
    a.validation.typical_grade_pct != *validate::default_grade_ranges()
}

/// The grade findings of reading (by the default ranges) and those of the assumptions
/// file's ranges, unlocated.
pub struct Regraded {
    pub by_default: Vec<Diagnostic>,
    pub by_file: Vec<Diagnostic>,
}

impl Regraded {
    /// Replaces in `located` (a record's diagnostics, placed in their file) the default
    /// ranges' findings by the file's, placed as `place` does.
    pub fn apply(self, located: &mut Vec<Diagnostic>, place: impl Fn(Diagnostic) -> Diagnostic) {
        located.retain(|d| {
            !self
                .by_default
                .iter()
                .any(|g| g.field == d.field && g.message == d.message)
        });
        located.extend(self.by_file.into_iter().map(place));
    }
}

fn known<'a>(names: impl Iterator<Item = &'a String>) -> String {
    names.map(String::as_str).collect::<Vec<_>>().join(", ")
}
