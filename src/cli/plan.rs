//! `prospect plan`: which projects to finance, and when, within a budget.

use std::path::PathBuf;

use anyhow::Result;
use prospect::portfolio::plan::parse_budget;
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
    #[arg(long, default_value_t = prospect::portfolio::timeline::DEFAULT_HORIZON_Y)]
    pub horizon: i32,
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
        args.budget,
        &args
            .model
            .separation_for(&assumptions, &records, &report.projects)?,
    );
    write_report(
        &args.out,
        &p,
        || prospect::output::portfolio::plan_table(&p),
        || prospect::output::portfolio::plan_csv(&p),
    )?;
    Ok(0)
}
