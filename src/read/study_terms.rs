//! Checks on a record's study operating terms (`study_revenue_musd_per_y` and the others,
//! issue 14): figures that contradict each other, and terms the study rebuild would not
//! use, so that no value a record gives is silently left out.

use crate::diagnostic::Diagnostic;
use crate::read::record::ProjectRecord;

/// Share of the study's revenue by which revenue less opex may fall short of the EBITDA
/// before it is flagged (judgement, 2026-12: published figures are rounded to a few per
/// cent, and EBITDA is after royalty, so revenue − opex − EBITDA is normally ≥ 0).
const MARGIN_TOLERANCE: f64 = 0.05;
/// Relative gap between an annual figure and a life-of-mine one over the mine life before
/// it is flagged (judgement, 2026-12: a LOM total includes the ramp-up and tail years).
const LOM_TOLERANCE: f64 = 0.25;

/// Warnings on the study's own operating terms.
pub fn check(rec: &ProjectRecord, out: &mut Vec<Diagnostic>) {
    let s = &rec.study;
    let t = &s.terms;
    if t.is_empty() {
        return;
    }
    let mut given: Vec<&str> = [
        ("study_capex_musd", t.capex_m),
        ("study_revenue_musd_per_y", t.revenue_m_per_y),
        ("study_revenue_lom_musd", t.revenue_lom_m),
        (
            "study_byproduct_revenue_musd_per_y",
            t.byproduct_revenue_m_per_y,
        ),
        ("study_opex_musd_per_y", t.opex_m_per_y),
        ("study_ebitda_musd_per_y", t.ebitda_m_per_y),
        ("study_ebitda_lom_musd", t.ebitda_lom_m),
        ("study_fcf_musd_per_y", t.fcf_m_per_y),
        (
            "study_sustaining_capex_musd_per_y",
            t.sustaining_capex_m_per_y,
        ),
        ("study_royalty_pct", t.royalty_pct),
        ("study_tax_rate_pct", t.tax_rate_pct),
    ]
    .into_iter()
    .filter_map(|(n, v)| v.map(|_| n))
    .collect();
    if t.construction_y.is_some() {
        given.push("study_construction_y");
    }
    if t.ramp_up_pct.is_some() {
        given.push("study_ramp_up_pct");
    }
    if s.npv_m.is_none() {
        out.push(
            Diagnostic::warning(
                Some(given[0]),
                format!(
                    "{} given without study_npv_musd: study terms enter only the rebuild of a published NPV, so they are not used",
                    given.join(", ")
                ),
            )
            .with_hint("give the study's NPV (study_npv_musd) or drop the study terms"),
        );
        return;
    }
    let life = rec.economics.mine_life_y.filter(|l| *l > 0.0);
    for (lom, field) in [
        (t.revenue_lom_m, "study_revenue_lom_musd"),
        (t.ebitda_lom_m, "study_ebitda_lom_musd"),
    ] {
        if lom.is_some() && life.is_none() {
            out.push(
                Diagnostic::warning(
                    Some(field),
                    "a life-of-mine figure needs mine_life_y to be spread over the years; without it the rebuild does not use it",
                )
                .with_hint("give mine_life_y (the study's life)"),
            );
        }
    }
    // Annual and life-of-mine figures of the same term, against each other.
    if let Some(l) = life {
        for (y, lom, field, what) in [
            (
                t.revenue_m_per_y,
                t.revenue_lom_m,
                "study_revenue_lom_musd",
                "revenue",
            ),
            (
                t.ebitda_m_per_y,
                t.ebitda_lom_m,
                "study_ebitda_lom_musd",
                "EBITDA",
            ),
        ] {
            if let (Some(y), Some(lom)) = (y, lom)
                && y != 0.0
                && ((lom / l) / y - 1.0).abs() > LOM_TOLERANCE
            {
                out.push(Diagnostic::warning(
                    Some(field),
                    format!(
                        "the life-of-mine {what} {lom} over the {l}-year mine life is {:.1} a year, against the annual {y}; the rebuild uses the annual figure",
                        lom / l
                    ),
                ));
            }
        }
    }
    let per_y = |y: Option<f64>, lom: Option<f64>| y.or(lom.zip(life).map(|(v, l)| v / l));
    let revenue = per_y(t.revenue_m_per_y, t.revenue_lom_m);
    let ebitda = per_y(t.ebitda_m_per_y, t.ebitda_lom_m);
    if let Some(b) = t.byproduct_revenue_m_per_y {
        match revenue {
            None => out.push(Diagnostic::warning(
                Some("study_byproduct_revenue_musd_per_y"),
                "a by-product revenue is the part of the study's revenue its by-products earn; without study_revenue_musd_per_y (or study_revenue_lom_musd) the rebuild does not use it",
            )),
            Some(r) if b > r => out.push(Diagnostic::warning(
                Some("study_byproduct_revenue_musd_per_y"),
                format!("the study's by-product revenue ({b} a year) exceeds its revenue ({r:.1} a year)"),
            )),
            _ => {}
        }
    }
    if let (Some(r), Some(e)) = (revenue, ebitda)
        && e > r
    {
        out.push(Diagnostic::warning(
            Some("study_ebitda_musd_per_y"),
            format!("the study's EBITDA ({e:.1} a year) exceeds its revenue ({r:.1} a year)"),
        ));
    }
    if let (Some(f), Some(top)) = (t.fcf_m_per_y, ebitda.or(revenue))
        && f > top
    {
        out.push(Diagnostic::warning(
            Some("study_fcf_musd_per_y"),
            format!(
                "the study's free cash flow ({f} a year) exceeds its {} ({top:.1} a year)",
                if ebitda.is_some() {
                    "EBITDA"
                } else {
                    "revenue"
                }
            ),
        ));
    }
    if let (Some(r), Some(o), Some(e)) = (revenue, t.opex_m_per_y, ebitda)
        && r - o - e < -MARGIN_TOLERANCE * r
    {
        out.push(Diagnostic::warning(
            Some("study_opex_musd_per_y"),
            format!(
                "the study's revenue less opex ({:.1} a year) is below its EBITDA ({e:.1} a year); the rebuild uses the EBITDA",
                r - o
            ),
        ));
    }
    // Terms a stronger one overrides in the rebuild.
    let margin_by = if t.fcf_m_per_y.is_some() {
        Some("study_fcf_musd_per_y")
    } else if ebitda.is_some() {
        Some(if t.ebitda_m_per_y.is_some() {
            "study_ebitda_musd_per_y"
        } else {
            "study_ebitda_lom_musd"
        })
    } else {
        None
    };
    if let Some(by) = margin_by {
        let mut unused = Vec::new();
        if t.opex_m_per_y.is_some() {
            unused.push("study_opex_musd_per_y");
        }
        if by == "study_fcf_musd_per_y" {
            if t.ebitda_m_per_y.is_some() {
                unused.push("study_ebitda_musd_per_y");
            }
            if t.ebitda_lom_m.is_some() {
                unused.push("study_ebitda_lom_musd");
            }
            if t.sustaining_capex_m_per_y.is_some() {
                unused.push("study_sustaining_capex_musd_per_y");
            }
        }
        if t.royalty_pct.is_some() {
            unused.push("study_royalty_pct");
        }
        if !unused.is_empty() {
            out.push(Diagnostic::warning(
                Some(unused[0]),
                format!(
                    "{} not used by the rebuild: {by} sets the study's margin",
                    unused.join(", ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(f: impl FnOnce(&mut ProjectRecord)) -> Vec<Diagnostic> {
        let mut r = ProjectRecord::empty(crate::read::record::Location::File);
        r.study.npv_m = Some(100.0);
        r.economics.mine_life_y = Some(10.0);
        f(&mut r);
        let mut out = Vec::new();
        check(&r, &mut out);
        out
    }

    #[test]
    fn consistent_terms_raise_nothing() {
        // Kipawa's feasibility study: revenue C$2,550m and EBITDA C$1,370m over 15.2 years,
        // opex C$78.5m a year: 167.8 - 78.5 = 89.3 against an EBITDA of 90.1 a year.
        let out = rec(|r| {
            r.economics.mine_life_y = Some(15.2);
            r.study.terms.revenue_lom_m = Some(2550.0);
            r.study.terms.ebitda_lom_m = Some(1370.0);
            r.study.terms.opex_m_per_y = Some(78.5);
        });
        // The opex is not used (the EBITDA sets the margin): one warning, nothing else.
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].message.contains("not used by the rebuild"));
    }

    #[test]
    fn contradictions_and_unused_terms_are_named() {
        let out = rec(|r| {
            r.study.terms.revenue_m_per_y = Some(100.0);
            r.study.terms.ebitda_m_per_y = Some(120.0);
        });
        assert!(
            out.iter()
                .any(|d| d.message.contains("exceeds its revenue")),
            "{out:?}"
        );
        let out = rec(|r| {
            r.study.terms.revenue_m_per_y = Some(100.0);
            r.study.terms.revenue_lom_m = Some(500.0);
        });
        // 500 over 10 years is 50 a year against 100.
        assert!(
            out.iter()
                .any(|d| d.field.as_deref() == Some("study_revenue_lom_musd"))
        );
        let out = rec(|r| {
            r.study.npv_m = None;
            r.study.terms.fcf_m_per_y = Some(10.0);
        });
        assert!(out[0].message.contains("not used"), "{out:?}");
        let out = rec(|r| {
            r.economics.mine_life_y = None;
            r.study.terms.ebitda_lom_m = Some(10.0);
        });
        assert!(out[0].message.contains("needs mine_life_y"), "{out:?}");
        let out = rec(|r| {
            r.study.terms.revenue_m_per_y = Some(100.0);
            r.study.terms.opex_m_per_y = Some(60.0);
            r.study.terms.ebitda_m_per_y = Some(50.0);
        });
        // 100 - 60 = 40 against an EBITDA of 50: short by 10 % of revenue.
        assert!(
            out.iter()
                .any(|d| d.message.contains("is below its EBITDA")),
            "{out:?}"
        );
    }
}
