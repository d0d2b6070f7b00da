//! Checks that a record's valuation figures agree with each other: stated oxide shares
//! against the shares its annual outputs imply (the outputs are what the valuation uses),
//! and the capital already spent or still to spend against the initial capex.

use crate::diagnostic::Diagnostic;
use crate::read::record::{OXIDES, ProjectRecord, StudyStage};

/// Points of % TREO by which a stated NdPr share may differ from the one the outputs imply
/// before it is flagged (judgement, 2026-12: published shares and outputs are rounded to
/// about a point).
const NDPR_TOLERANCE_PTS: f64 = 2.0;
/// The same for Dy+Tb, whose shares are a few per cent at most.
const DYTB_TOLERANCE_PTS: f64 = 0.5;

/// Warnings on contradictions between the figures a valuation rests on.
pub fn valuation(rec: &ProjectRecord, out: &mut Vec<Diagnostic>) {
    shares_against_outputs(rec, out);
    capital(rec, out);
}

fn shares_against_outputs(rec: &ProjectRecord, out: &mut Vec<Diagnostic>) {
    let g = &rec.geology;
    let e = &rec.economics;
    let Some(treo) = e.annual_treo_t.filter(|t| *t > 0.0) else {
        return;
    };
    let share = |sym: &str| {
        OXIDES
            .iter()
            .position(|o| *o == sym)
            .and_then(|i| g.oxide_shares[i])
    };
    let pair = |a: &str, b: &str| match (share(a), share(b)) {
        (Some(x), Some(y)) => Some(x + y),
        _ => None,
    };
    for (field, output, stated, summed, tolerance, what) in [
        (
            "annual_ndpr_t",
            e.annual_ndpr_t,
            g.ndpr_share_pct,
            pair("nd", "pr"),
            NDPR_TOLERANCE_PTS,
            "NdPr",
        ),
        (
            "annual_dytb_t",
            e.annual_dytb_t,
            g.dytb_share_pct,
            pair("dy", "tb"),
            DYTB_TOLERANCE_PTS,
            "Dy+Tb",
        ),
    ] {
        let Some(output) = output else {
            continue;
        };
        let implied = output / treo * 100.0;
        for (source, value) in [("stated share", stated), ("oxide shares", summed)] {
            if let Some(v) = value
                && (v - implied).abs() > tolerance
            {
                out.push(
                    Diagnostic::warning(
                        Some(field),
                        format!(
                            "{output} t/y of {what} is {implied:.1} % of the {treo} t/y TREO, but the {source} give {v:.1} %; the valuation uses the outputs"
                        ),
                    )
                    .with_hint(
                        "a resource share and the share in the product differ when recoveries differ; check both, or drop the one that is not meant",
                    ),
                );
            }
        }
    }
}

fn capital(rec: &ProjectRecord, out: &mut Vec<Diagnostic>) {
    let e = &rec.economics;
    let stage = rec.development.stage;
    if let (Some(spent), Some(capex)) = (e.capex_spent_m, e.capex_m)
        && spent > capex
        && e.capex_remaining_m.is_none()
    {
        out.push(
            Diagnostic::warning(
                Some("capex_spent_musd"),
                format!("{spent} spent is more than the initial capex of {capex}: nothing is left to spend"),
            )
            .with_hint("for an overrun, give the cost to complete in capex_remaining_musd"),
        );
    }
    if e.remaining_life_y.is_some() && stage.is_some_and(|s| s < StudyStage::RampUp) {
        out.push(
            Diagnostic::warning(
                Some("remaining_life_y"),
                "a remaining life is used only for projects in ramp-up or production; this one is valued over mine_life_y from construction",
            )
            .with_hint("give mine_life_y for a project still to build"),
        );
    }
    if e.capex_spent_m.is_some() && stage.is_some_and(|s| s >= StudyStage::RampUp) {
        out.push(
            Diagnostic::warning(
                Some("capex_spent_musd"),
                "a project in ramp-up or production has spent its initial capex: capex_spent_musd is not used",
            )
            .with_hint("give an expansion or completion still to pay for in capex_remaining_musd"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::record::Location;

    fn warnings(r: &ProjectRecord) -> Vec<String> {
        let mut out = Vec::new();
        valuation(r, &mut out);
        out.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn a_stated_share_the_outputs_contradict_is_flagged() {
        let mut r = ProjectRecord::empty(Location::File);
        r.geology.ndpr_share_pct = Some(26.4);
        r.economics.annual_treo_t = Some(13_343.0);
        r.economics.annual_ndpr_t = Some(4_440.0);
        let w = warnings(&r);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("33.3 %") && w[0].contains("26.4 %"),
            "{}",
            w[0]
        );
        // Within two points: rounding, not a contradiction.
        r.geology.ndpr_share_pct = Some(32.0);
        assert!(warnings(&r).is_empty());
    }

    #[test]
    fn capital_spent_beyond_the_capex_and_misplaced_fields_are_flagged() {
        let mut r = ProjectRecord::empty(Location::File);
        r.development.stage = Some(StudyStage::Construction);
        r.economics.capex_m = Some(500.0);
        r.economics.capex_spent_m = Some(600.0);
        assert_eq!(warnings(&r).len(), 1);
        r.economics.capex_remaining_m = Some(100.0);
        assert!(warnings(&r).is_empty());
        r.economics.remaining_life_y = Some(10.0);
        assert_eq!(warnings(&r).len(), 1);
    }
}
