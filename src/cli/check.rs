//! `prospect check`: validate project files and list every problem at once.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::ValueEnum;
use prospect::assumptions::Assumptions;
use prospect::diagnostic::Diagnostic;
use prospect::read::record::Location;

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
    /// No summary line on standard error (the problems are still printed).
    #[arg(long, short)]
    pub quiet: bool,
    /// TOML file overriding any subset of the default assumptions, as `appraise` takes it:
    /// the records are checked against it (the distributions, mud scenarios and
    /// currencies they name, the usual grade ranges) and its own problems are listed.
    #[arg(long, value_name = "FILE")]
    pub assumptions: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    /// One line per problem; a summary on standard error.
    Text,
    /// One JSON object with every problem.
    Json,
}

pub fn run(args: CheckArgs) -> Result<u8> {
    let mut inputs: Vec<(&str, &Path)> = args
        .files
        .iter()
        .map(|f| ("an input file", f.as_path()))
        .collect();
    inputs.extend(args.assumptions.as_deref().map(|a| ("--assumptions", a)));
    super::one_stdin(&inputs)?;
    let crs = reprojector(args.crs.as_deref())?;
    let (assumptions, unusable) = assumptions(args.assumptions.as_deref());
    let mut report = prospect::read::check::check_with(&args.files, crs.as_ref(), &assumptions);
    if let Some(d) = unusable {
        report.errors += 1;
        report.diagnostics.insert(0, d);
    }
    let mut out = io::stdout().lock();
    match args.format {
        CheckFormat::Text => {
            for d in &report.diagnostics {
                writeln!(out, "{}", prospect::output::printable(&d.to_string()))?;
            }
            out.flush()?;
            if !args.quiet {
                eprintln!(
                    "checked {} file(s), {} record(s): {} error(s), {} warning(s)",
                    report.files.len(),
                    report.records,
                    report.errors,
                    report.warnings
                );
            }
        }
        CheckFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
    }
    Ok(report.exit_code() as u8)
}

/// The assumptions of `--assumptions`, else the defaults; a file that cannot be used is
/// one more problem of the list (the records are then checked against the defaults).
fn assumptions(path: Option<&Path>) -> (Assumptions, Option<Diagnostic>) {
    let Some(path) = path else {
        return (Assumptions::defaults(), None);
    };
    match Assumptions::load(Some(path)) {
        Ok(a) => (a, None),
        Err(e) => {
            let d = Diagnostic::error(None, format!("{:#}", anyhow::Error::new(e)))
                .with_hint("the records are checked against the default assumptions instead")
                .at(&path.display().to_string(), Location::File, None);
            (Assumptions::defaults(), Some(d))
        }
    }
}
