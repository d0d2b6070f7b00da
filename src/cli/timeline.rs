//! `prospect timeline`: the projects on the calendar, and when a target is met.

use std::path::PathBuf;

use anyhow::Result;
use prospect::portfolio::timeline::Target;

use super::{ModelArgs, OutputArgs, OutputFormat, write_report};

#[derive(clap::Args)]
pub struct TimelineArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Supply target, e.g. ndpr=20000t@2032 or dytb=500t@2030.
    #[arg(long)]
    pub target: Option<Target>,
    /// Years covered from --as-of.
    #[arg(long, default_value_t = prospect::portfolio::timeline::DEFAULT_HORIZON_Y, value_name = "YEARS", allow_negative_numbers = true, value_parser = super::parse_horizon)]
    pub horizon: i32,
    /// What the CSV's rows are: years (supply, separation and capex by year) or projects
    /// (first production P10/base/P90, NPV P10/P50/P90 and P(NPV>0), capex and supply of
    /// each project). Only with --format csv; the table and JSON hold both.
    #[arg(long, value_enum, default_value_t = CsvRows::Years)]
    pub rows: CsvRows,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// The rows of `timeline --format csv`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvRows {
    /// One row per calendar year.
    Years,
    /// One row per project.
    Projects,
}

pub fn run(args: TimelineArgs) -> Result<u8> {
    if args.rows == CsvRows::Projects && !matches!(args.out.format, OutputFormat::Csv) {
        anyhow::bail!(
            "--rows projects chooses the rows of the CSV; give it with --format csv (the table and the JSON hold the projects and the years both)"
        );
    }
    if let Some(out) = &args.out.output {
        args.model.guard(&args.files, &[("--output", out)])?;
    }
    args.model.one_stdin(&args.files, &[])?;
    let (assumptions, terms, context) = args.model.load()?;
    // Streamed (issue 21): each project is kept as its line and, for a plant record, its
    // plant, never as its appraisal and record.
    use prospect::portfolio::{plant_records, timeline};
    let Some((kept, report)) = super::streamed::stream(
        &args.files,
        &args.model,
        (&assumptions, &terms, &context),
        false,
        &|r, p| {
            (
                timeline::ProjectLine::of(&p, r),
                plant_records::plant_of(r, &p).map(Box::new),
            )
        },
    )?
    else {
        return Ok(1);
    };
    let mut sep = args.model.separation(&assumptions)?;
    // The plants taken out, then the lines collected in the same buffer.
    let mut kept = kept;
    let plants: Vec<_> = kept
        .iter_mut()
        .filter_map(|(_, plant)| plant.take().map(|p| *p))
        .collect();
    let lines: Vec<timeline::ProjectLine> = kept.into_iter().map(|(line, _)| line).collect();
    plant_records::add(&mut sep, plants);
    let t = timeline::timeline_of(
        lines,
        report.as_of,
        args.horizon,
        &assumptions.schedule.ramp_up,
        args.target,
        &sep,
    );
    write_report(
        &args.out,
        &t,
        || prospect::output::portfolio::timeline_table(&t),
        || match args.rows {
            CsvRows::Years => prospect::output::portfolio::timeline_csv(&t),
            CsvRows::Projects => prospect::output::portfolio::timeline_projects_csv(&t),
        },
    )?;
    Ok(0)
}
