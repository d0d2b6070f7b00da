//! `prospect check`: validate project files and list every problem at once.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::ValueEnum;

use super::reprojector;

#[derive(clap::Args)]
pub struct CheckArgs {
    /// GeoJSON (.geojson, .json) or CSV (.csv) files of project records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// How to print the problems.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Coordinate system of the inputs' coordinates (EPSG:NNNN or a PROJ string; default
    /// WGS84 lon/lat). Needs the `proj` feature for anything but WGS84.
    #[arg(long, value_name = "CRS")]
    pub crs: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    /// One line per problem; a summary on standard error.
    Text,
    /// One JSON object with every problem.
    Json,
}

pub fn run(args: CheckArgs) -> Result<u8> {
    let crs = reprojector(args.crs.as_deref())?;
    let report = prospect::read::check::check_in(&args.files, crs.as_ref());
    let mut out = io::stdout().lock();
    match args.format {
        CheckFormat::Text => {
            for d in &report.diagnostics {
                writeln!(out, "{}", prospect::output::printable(&d.to_string()))?;
            }
            out.flush()?;
            eprintln!(
                "checked {} file(s), {} record(s): {} error(s), {} warning(s)",
                report.files.len(),
                report.records,
                report.errors,
                report.warnings
            );
        }
        CheckFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
    }
    Ok(report.exit_code() as u8)
}
