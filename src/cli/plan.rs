//! `prospect plan`: which projects to finance, and when, within a budget.

use std::path::PathBuf;

use anyhow::Result;
use prospect::portfolio::plan::{Instrument, Objective, PlanOptions, parse_budget};
use prospect::portfolio::timeline::Target;

use super::{ModelArgs, OutputArgs, appraised, write_report};

#[derive(clap::Args)]
pub struct PlanArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Annual budget, e.g. 2000musd/y (US$ million a year).
    #[arg(long, value_parser = parse_budget)]
    pub budget: f64,
    /// Supply target, e.g. ndpr=20000t@2032.
    #[arg(long)]
    pub target: Target,
    /// Years covered from --as-of.
    #[arg(long, default_value_t = prospect::portfolio::timeline::DEFAULT_HORIZON_Y, value_name = "YEARS", allow_negative_numbers = true, value_parser = super::parse_horizon)]
    pub horizon: i32,
    /// What to optimise: earliest (meet the target soonest), supply-per-dollar (most
    /// secured supply per public dollar: capex plus viability gap), least-subsidy.
    #[arg(long, value_enum, default_value_t = Objective::SupplyPerDollar)]
    pub objective: Objective,
    /// Instruments that may close a viability gap (a project whose risked value of
    /// proceeding is negative is financed only with one); comma-separated or repeated;
    /// `none` finances none of them.
    #[arg(long = "instrument", value_enum, value_delimiter = ',', default_values_t = [Instrument::Grant])]
    pub instruments: Vec<Instrument>,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn run(args: PlanArgs) -> Result<u8> {
    if let Some(out) = &args.out.output {
        args.model.guard(&args.files, &[("--output", out)])?;
    }
    let Some((records, report, assumptions)) = appraised(&args.files, &args.model)? else {
        return Ok(1);
    };
    let p = prospect::portfolio::plan::plan(
        &report.projects,
        &records,
        report.as_of,
        args.horizon,
        args.target,
        &args
            .model
            .separation_for(&assumptions, &records, &report.projects)?,
        &PlanOptions {
            budget_musd_per_y: args.budget,
            objective: args.objective,
            instruments: args.instruments.clone(),
            rate_pct: report.assumptions.discount_rate_pct,
        },
    );
    write_report(
        &args.out,
        &p,
        || prospect::output::portfolio::plan_table(&p),
        || prospect::output::portfolio::plan_csv(&p),
    )?;
    Ok(0)
}
