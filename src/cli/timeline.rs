//! `prospect timeline`: the projects on the calendar, and when a target is met.

use std::path::PathBuf;

use anyhow::Result;
use prospect::portfolio::timeline::Target;

use super::{ModelArgs, OutputArgs, appraised, write_report};

#[derive(clap::Args)]
pub struct TimelineArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Supply target, e.g. ndpr=20000t@2032 or dytb=500t@2030.
    #[arg(long)]
    pub target: Option<Target>,
    /// Years covered from --as-of.
    #[arg(long, default_value_t = prospect::portfolio::timeline::DEFAULT_HORIZON_Y)]
    pub horizon: i32,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn run(args: TimelineArgs) -> Result<u8> {
    if let Some(out) = &args.out.output {
        args.model.guard(&args.files, &[("--output", out)])?;
    }
    let Some((records, report, assumptions)) = appraised(&args.files, &args.model)? else {
        return Ok(1);
    };
    let t = prospect::portfolio::timeline::timeline(
        &report.projects,
        &records,
        report.as_of,
        args.horizon,
        &assumptions.schedule.ramp_up,
        args.target,
        &args
            .model
            .separation_for(&assumptions, &records, &report.projects)?,
    );
    write_report(
        &args.out,
        &t,
        || prospect::output::portfolio::timeline_table(&t),
        || prospect::output::portfolio::timeline_csv(&t),
    )?;
    Ok(0)
}
