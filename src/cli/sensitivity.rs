//! `prospect sensitivity`: which assumptions drive one project's NPV.

use std::path::PathBuf;

use anyhow::Result;
use indicatif::ProgressBar;

use super::{ModelArgs, OutputFormat, emit, read_valid};

#[derive(clap::Args)]
pub struct SensitivityArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The project's id.
    #[arg(long)]
    pub project: String,
    /// Output form: table, csv (one row per driver) or json.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write to this file (atomically) instead of standard output (`-`: standard output).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn run(args: SensitivityArgs) -> Result<u8> {
    if let Some(out) = &args.output {
        args.model.guard(&args.files, &[("--output", out)])?;
    }
    args.model.one_stdin(&args.files, &[])?;
    let (assumptions, terms, context) = args.model.load()?;
    let Some(records) = read_valid(&args.files, args.model.crs.as_deref())? else {
        return Ok(1);
    };
    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    let Some(record) = records.into_iter().find(|r| r.id == args.project) else {
        let near = prospect::read::schema::nearest(&args.project, ids.iter().map(String::as_str))
            .or_else(|| {
                ids.iter()
                    .find(|id| id.eq_ignore_ascii_case(&args.project))
                    .map(String::as_str)
            });
        anyhow::bail!(
            "no project with id {:?} in the input{}",
            args.project,
            match near {
                Some(n) => format!("; did you mean {n:?}?"),
                None if ids.len() <= 40 => format!("; ids: {}", ids.join(", ")),
                None => String::new(),
            }
        );
    };
    let sim = args.model.simulation(&assumptions, false)?;
    // The tornado is each driver's P10 and P90 and the rank correlations are taken across
    // the draws: with fewer than two there is nothing to measure, and running another
    // number than the one asked for would hide that.
    if sim.draws < 2 {
        anyhow::bail!(
            "--draws {}: sensitivity needs at least 2 draws (the tornado is each driver's P10 and P90 across them); leave --draws out for the assumptions' {}",
            sim.draws,
            assumptions.uncertainty.draws
        );
    }
    let progress = ProgressBar::hidden();
    let report = prospect::appraise::appraise_all(
        &[record],
        &context,
        &assumptions,
        &terms,
        Some(&sim),
        &progress,
    );
    let project = &report.projects[0];
    let Some(summary) = &project.simulation else {
        let reason = project.unvalued_reason.as_deref().unwrap_or("not valued");
        anyhow::bail!("project {:?} cannot be simulated: {reason}", project.id);
    };
    let bytes = match args.format {
        OutputFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&serde_json::json!({
                "prospect_version": report.prospect_version,
                "id": project.id,
                "seed": sim.seed,
                "draws": sim.draws,
                "percentile_convention": report.percentile_convention,
                "npv_musd": project.npv_musd,
                "sensitivity": summary.sensitivity,
            }))?;
            v.push(b'\n');
            v
        }
        OutputFormat::Csv => prospect::output::appraisal::tornado_csv(project, summary)?,
        OutputFormat::Table => prospect::output::appraisal::tornado(project, summary).into_bytes(),
    };
    emit(args.output.as_deref(), |w| w.write_all(&bytes))?;
    Ok(0)
}
