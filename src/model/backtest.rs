//! The backtest of the lead-time model: real project histories, each appraised as an
//! analyst would have in an earlier year at the stage it had then, with the model's
//! first-production P10, P50 and P90 (never included) beside what happened.
//!
//! A history is covered when a finished one produced inside its P10-P90 interval, or an
//! unfinished one has not passed its P90 by the year it was last observed (a P90 of
//! never is not passed). `cargo run --example backtest` prints the table of
//! docs/validation.md from `samples/histories.csv`.

use std::path::Path;

use serde::Deserialize;

use crate::assumptions::Assumptions;
use crate::context::SiteContext;
use crate::model::{cost, leadtime, risk};
use crate::read::record::{DepositType, Location, PermitStatus, ProjectRecord, Regime, StudyStage};

/// One history as the file gives it.
#[derive(Debug, Clone, Deserialize)]
pub struct History {
    pub id: String,
    pub project: String,
    /// ISO alpha-2 host country (empty in the Area).
    pub country: String,
    pub deposit_type: String,
    pub regime: String,
    /// The year the project is appraised in (the model's `as_of`).
    pub appraised_in: i32,
    /// Its stage in that year.
    pub stage: String,
    /// The year that stage began.
    pub stage_year: Option<i32>,
    /// Its key permit's status in that year (empty when none).
    pub permit_status: String,
    /// Calendar year of first production; empty when none by `observed_to`.
    pub first_production: Option<i32>,
    /// The last year the history was observed.
    pub observed_to: i32,
    pub what_happened: String,
    pub source: String,
}

/// The model beside one history.
#[derive(Debug, Clone)]
pub struct Row {
    pub history: History,
    /// Chance of production the risk model gave then.
    pub chance: f64,
    /// P10, P50, P90 of every outcome (None: never or not by the horizon).
    pub p10: Option<i32>,
    pub p50: Option<i32>,
    pub p90: Option<i32>,
    /// P10 and P90 given that the project proceeds.
    pub if_proceeds: (i32, i32),
    /// Inside the interval (finished) or not past its P90 (unfinished).
    pub covered: bool,
    /// Inside the interval given that it proceeds (finished histories only).
    pub covered_if_proceeds: Option<bool>,
}

/// A problem with the histories file.
#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    #[error("{path}: {source}")]
    Read { path: String, source: csv::Error },
    #[error("{path}: history {id}: {field} {value:?} is not recognised")]
    Field {
        path: String,
        id: String,
        field: &'static str,
        value: String,
    },
}

/// Reads the histories of `path`.
pub fn read(path: &Path) -> Result<Vec<History>, BacktestError> {
    let name = path.display().to_string();
    let mut rdr = csv::Reader::from_path(path).map_err(|source| BacktestError::Read {
        path: name.clone(),
        source,
    })?;
    rdr.deserialize()
        .map(|r| {
            r.map_err(|source| BacktestError::Read {
                path: name.clone(),
                source,
            })
        })
        .collect()
}

fn record(h: &History, path: &str) -> Result<(ProjectRecord, Option<Regime>), BacktestError> {
    let bad = |field, value: &str| BacktestError::Field {
        path: path.to_owned(),
        id: h.id.clone(),
        field,
        value: value.to_owned(),
    };
    let mut r = ProjectRecord::empty(Location::File);
    r.id = h.id.clone();
    r.name = h.project.clone();
    r.country = (!h.country.is_empty()).then(|| h.country.clone());
    r.geology.deposit_type = Some(
        DepositType::parse(&h.deposit_type).ok_or_else(|| bad("deposit_type", &h.deposit_type))?,
    );
    let regime = Regime::parse(&h.regime).ok_or_else(|| bad("regime", &h.regime))?;
    r.regime = Some(regime);
    r.development.stage = Some(StudyStage::parse(&h.stage).ok_or_else(|| bad("stage", &h.stage))?);
    r.development.stage_year = h.stage_year;
    r.development.permit_status = if h.permit_status.is_empty() {
        None
    } else {
        Some(
            PermitStatus::parse(&h.permit_status)
                .ok_or_else(|| bad("permit_status", &h.permit_status))?,
        )
    };
    Ok((r, Some(regime)))
}

/// Appraises every history at its year and stage.
pub fn run(histories: &[History], path: &str, a: &Assumptions) -> Result<Vec<Row>, BacktestError> {
    let ramp = a.schedule.ramp_up.len() as f64;
    histories
        .iter()
        .map(|h| {
            let (rec, regime) = record(h, path)?;
            let mut site = SiteContext::unknown(&rec);
            site.regime = regime;
            let chance = risk::risk(&rec, &site, a).chance_of_success;
            let deposit = rec.geology.deposit_type.unwrap_or(DepositType::Carbonatite);
            let lt = leadtime::lead_time(
                &rec,
                regime,
                cost::construction_y(deposit, a),
                ramp,
                a,
                h.appraised_in,
            );
            let o = leadtime::outlook(&lt, chance, a.lead_time.survival.horizon_y);
            let (p10, p50, p90) = (o.p10.year, o.p50.year, o.p90.year);
            let covered = match h.first_production {
                Some(y) => p10.is_some_and(|lo| lo <= y) && p90.is_none_or(|hi| y <= hi),
                None => p90.is_none_or(|hi| hi >= h.observed_to),
            };
            let ifp = (o.if_produces.p10_year, o.if_produces.p90_year);
            Ok(Row {
                history: h.clone(),
                chance: o.chance_of_production,
                p10,
                p50,
                p90,
                if_proceeds: ifp,
                covered,
                covered_if_proceeds: h.first_production.map(|y| ifp.0 <= y && y <= ifp.1),
            })
        })
        .collect()
}

/// Share of histories covered, 0-1.
pub fn coverage(rows: &[Row]) -> f64 {
    rows.iter().filter(|r| r.covered).count() as f64 / rows.len().max(1) as f64
}

/// The table of docs/validation.md.
pub fn markdown(rows: &[Row]) -> String {
    use std::fmt::Write;
    let year = |y: Option<i32>| y.map_or_else(|| "never".to_owned(), |y| y.to_string());
    let mut out = String::from(
        "| history | project | appraised in, stage | chance | P10 | P50 | P90 | if it proceeds, P10-P90 | first production | covered |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let h = &r.history;
        let permit = if h.permit_status.is_empty() {
            String::new()
        } else {
            format!(", permit {}", h.permit_status)
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} {}{} | {:.2} | {} | {} | {} | {}-{} | {} | {} |",
            h.id,
            h.project,
            h.appraised_in,
            h.stage,
            permit,
            r.chance,
            year(r.p10),
            year(r.p50),
            year(r.p90),
            r.if_proceeds.0,
            r.if_proceeds.1,
            h.first_production
                .map_or_else(|| format!("none by {}", h.observed_to), |y| y.to_string()),
            if r.covered { "yes" } else { "**no**" },
        );
    }
    let finished: Vec<&Row> = rows
        .iter()
        .filter(|r| r.history.first_production.is_some())
        .collect();
    let inside = finished.iter().filter(|r| r.covered).count();
    let inside_if = finished
        .iter()
        .filter(|r| r.covered_if_proceeds == Some(true))
        .count();
    let _ = writeln!(
        out,
        "\nCoverage of the P10-P90 interval: {} of {} histories ({:.0} %); finished histories inside it: {} of {}; inside the interval given that the project proceeds: {} of {}.",
        rows.iter().filter(|r| r.covered).count(),
        rows.len(),
        coverage(rows) * 100.0,
        inside,
        finished.len(),
        inside_if,
        finished.len()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backtest_covers_at_least_80_percent_of_the_histories() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/histories.csv");
        let h = read(Path::new(path)).unwrap();
        assert!(h.len() >= 20);
        let rows = run(&h, path, &Assumptions::defaults()).unwrap();
        let c = coverage(&rows);
        assert!(c >= 0.8, "{c}\n{}", markdown(&rows));
    }

    #[test]
    fn coverage_rules() {
        // Finished inside [P10, P90]; unfinished not past P90; never is not passed.
        let h = History {
            id: "X".into(),
            project: "X".into(),
            country: "AU".into(),
            deposit_type: "carbonatite".into(),
            regime: "onshore".into(),
            appraised_in: 2010,
            stage: "financing".into(),
            stage_year: Some(2010),
            permit_status: String::new(),
            first_production: None,
            observed_to: 2026,
            what_happened: String::new(),
            source: String::new(),
        };
        let a = Assumptions::defaults();
        let row = &run(std::slice::from_ref(&h), "test", &a).unwrap()[0];
        assert_eq!(row.covered, row.p90.is_none_or(|p| p >= 2026));
        let mut done = h.clone();
        done.first_production = Some(1990);
        assert!(!run(&[done], "test", &a).unwrap()[0].covered);
    }
}
