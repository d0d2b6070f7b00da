//! Dated milestones of a programme (`dated_milestones`): what a state programme publishes
//! as its calendar (a test lift, a trial, a viability report), each with a kind the
//! lead-time model reads (docs/models.md, milestone-driven lead time).

use serde::Serialize;

use crate::read::record::StudyStage;
use crate::read::schema::CellError;

/// What a milestone is: each kind completes a stage of the lead-time model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    /// A technology test (a test lift, an excavation test): the concept is shown to work,
    /// which completes the `pea` stage.
    Test,
    /// A pilot or trial production run: completes the `pfs` stage.
    Trial,
    /// A viability report or an investment decision: completes the `dfs` stage.
    Decision,
    /// Start of construction of the commercial system.
    Construction,
    /// First commercial production.
    Production,
}

impl MilestoneKind {
    pub const NAMES: &'static [&'static str] =
        &["test", "trial", "decision", "construction", "production"];
    pub const ALL: [MilestoneKind; 5] = [
        MilestoneKind::Test,
        MilestoneKind::Trial,
        MilestoneKind::Decision,
        MilestoneKind::Construction,
        MilestoneKind::Production,
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Parses a name or an alias, ignoring case, spaces, hyphens and underscores.
    pub fn parse(text: &str) -> Option<MilestoneKind> {
        let key: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "test" | "testlift" | "technologytest" | "excavationtest" => MilestoneKind::Test,
            "trial" | "pilot" | "trialproduction" | "demonstration" => MilestoneKind::Trial,
            "decision" | "viability" | "viabilityreport" | "fid" | "investmentdecision" => {
                MilestoneKind::Decision
            }
            "construction" | "constructionstart" => MilestoneKind::Construction,
            "production" | "firstproduction" | "commercialproduction" => MilestoneKind::Production,
            _ => return None,
        })
    }

    /// The last stage of the lead-time model this milestone completes (construction and
    /// production: the stages before construction all done).
    pub fn completes(self) -> StudyStage {
        match self {
            MilestoneKind::Test => StudyStage::Pea,
            MilestoneKind::Trial => StudyStage::Pfs,
            MilestoneKind::Decision => StudyStage::Dfs,
            MilestoneKind::Construction | MilestoneKind::Production => StudyStage::Financing,
        }
    }
}

/// One dated milestone: `YYYY[-MM]:kind[:note]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatedMilestone {
    pub year: i32,
    /// Month 1-12, when given.
    pub month: Option<u32>,
    pub kind: MilestoneKind,
    /// Free text (what the milestone is, its source).
    pub note: Option<String>,
}

impl DatedMilestone {
    /// The milestone as a decimal year: the middle of its month, or of its year when no
    /// month is given (2028-03 is 2028 + 2.5 / 12 = 2028.208; 2027 is 2027.5).
    pub fn decimal_year(&self) -> f64 {
        f64::from(self.year)
            + match self.month {
                Some(m) => (f64::from(m) - 0.5) / 12.0,
                None => 0.5,
            }
    }

    /// The date as written (`2028-03` or `2027`).
    pub fn date(&self) -> String {
        match self.month {
            Some(m) => format!("{}-{m:02}", self.year),
            None => self.year.to_string(),
        }
    }

    /// Parses the items of a `dated_milestones` cell.
    pub fn parse_list(items: &[String]) -> Result<Vec<DatedMilestone>, CellError> {
        items
            .iter()
            .map(|item| DatedMilestone::parse(item))
            .collect()
    }

    fn parse(item: &str) -> Result<DatedMilestone, CellError> {
        let bad = |why: &str| {
            CellError::new(format!(
                "milestone {item:?} is not YYYY[-MM]:kind[:note] ({why})"
            ))
            .hint(format!(
                "e.g. 2028-03:decision:viability report; kinds: {}",
                MilestoneKind::NAMES.join(", ")
            ))
        };
        let mut parts = item.splitn(3, ':').map(str::trim);
        let date = parts.next().unwrap_or("");
        let kind = parts.next().ok_or_else(|| bad("no kind"))?;
        let note = parts.next().filter(|n| !n.is_empty()).map(str::to_owned);
        let (y, m) = match date.split_once('-') {
            Some((y, m)) => (y, Some(m)),
            None => (date, None),
        };
        let year: i32 = y
            .parse()
            .ok()
            .filter(|y| (1800..=2200).contains(y))
            .ok_or_else(|| bad("the year is not a year from 1800 to 2200"))?;
        let month = m
            .map(|m| {
                m.parse::<u32>()
                    .ok()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(|| bad("the month is not 01 to 12"))
            })
            .transpose()?;
        let kind = MilestoneKind::parse(kind).ok_or_else(|| bad("unknown kind"))?;
        Ok(DatedMilestone {
            year,
            month,
            kind,
            note,
        })
    }
}

/// `check`'s warnings about a record's dated milestones: a more advanced milestone dated
/// before a less advanced one (the lead time anchors on the latest of the most advanced
/// kind), and milestones the lead time does not use (a project past first production, or
/// blocked by a refused, revoked or terminated permit).
pub fn check(
    rec: &crate::read::record::ProjectRecord,
    out: &mut Vec<crate::diagnostic::Diagnostic>,
) {
    use crate::diagnostic::Diagnostic;
    use crate::read::record::PermitStatus;
    let d = &rec.development;
    let m = &d.dated_milestones;
    if m.is_empty() {
        return;
    }
    let field = Some("dated_milestones");
    for a in m {
        if let Some(b) = m
            .iter()
            .find(|b| b.kind < a.kind && b.decimal_year() > a.decimal_year())
        {
            out.push(
                Diagnostic::warning(
                    field,
                    format!(
                        "the {} ({}) is dated before the {} ({}): the lead time anchors on the {}",
                        a.kind.as_str(),
                        a.date(),
                        b.kind.as_str(),
                        b.date(),
                        a.kind.as_str()
                    ),
                )
                .with_hint(
                    "check the dates and kinds (test, trial, decision, construction, production)",
                ),
            );
            break;
        }
    }
    if d.stage.is_some_and(|s| s >= StudyStage::RampUp) {
        out.push(Diagnostic::warning(
            field,
            "the project is past first production: its dated milestones are not used by the lead time",
        ));
    } else if matches!(
        d.permit_status,
        Some(PermitStatus::Refused | PermitStatus::Revoked | PermitStatus::Terminated)
    ) {
        out.push(Diagnostic::warning(
            field,
            "the key permit is refused, revoked or terminated: the survival model's blocked lead time applies, not the dated milestones",
        ));
    }
}

/// The items written back (`export`): `YYYY[-MM]:kind[:note]`, joined by `;`.
pub fn format_list(items: &[DatedMilestone]) -> Option<String> {
    (!items.is_empty()).then(|| {
        items
            .iter()
            .map(|m| match &m.note {
                Some(n) => format!("{}:{}:{n}", m.date(), m.kind.as_str()),
                None => format!("{}:{}", m.date(), m.kind.as_str()),
            })
            .collect::<Vec<_>>()
            .join(";")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_parse_and_date_by_hand() {
        let l = DatedMilestone::parse_list(&[
            "2026-02:test:first mud lifted".into(),
            "2028-03 : Viability report : by March 2028: METI".into(),
            "2031:production".into(),
        ])
        .unwrap();
        assert_eq!(l[0].kind, MilestoneKind::Test);
        assert_eq!(l[1].kind, MilestoneKind::Decision);
        // A note keeps its own colons.
        assert_eq!(l[1].note.as_deref(), Some("by March 2028: METI"));
        // Middle of the month, else of the year: 2026 + 1.5 / 12, 2028 + 2.5 / 12, 2031.5.
        assert!((l[0].decimal_year() - 2026.125).abs() < 1e-12);
        assert!((l[1].decimal_year() - (2028.0 + 2.5 / 12.0)).abs() < 1e-12);
        assert!((l[2].decimal_year() - 2031.5).abs() < 1e-12);
        assert_eq!(
            format_list(&l).unwrap(),
            "2026-02:test:first mud lifted;2028-03:decision:by March 2028: METI;2031:production"
        );
    }

    #[test]
    fn check_warns_of_an_order_the_anchor_ignores() {
        use crate::read::record::{Location, ProjectRecord};
        let mut r = ProjectRecord::empty(Location::File);
        r.development.stage = Some(StudyStage::Resource);
        r.development.dated_milestones =
            DatedMilestone::parse_list(&["2026-02:test".into(), "2027-02:trial".into()]).unwrap();
        let mut out = Vec::new();
        check(&r, &mut out);
        assert!(out.is_empty(), "{out:?}");
        r.development.dated_milestones =
            DatedMilestone::parse_list(&["2028-03:decision".into(), "2029-01:trial".into()])
                .unwrap();
        check(&r, &mut out);
        assert_eq!(out.len(), 1);
        assert!(
            out[0]
                .message
                .contains("decision (2028-03) is dated before the trial (2029-01)")
        );
        r.development.stage = Some(StudyStage::Production);
        out.clear();
        check(&r, &mut out);
        assert!(
            out.iter()
                .any(|d| d.message.contains("past first production"))
        );
    }

    #[test]
    fn bad_items_name_the_item() {
        for bad in [
            "2028-13:decision",
            "28-03:decision",
            "2028-03",
            "2028:someday",
        ] {
            let e = DatedMilestone::parse_list(&[bad.into()]).unwrap_err();
            assert!(e.message.contains(bad), "{}", e.message);
        }
    }
}
