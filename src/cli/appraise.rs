//! `prospect appraise`: value each project, streaming records through in batches.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use prospect::appraise::Pass;
use prospect::model::provenance::Keep;

use super::{ModelArgs, OutputFormat, assigned_plants, emit, nothing_appraised, reprojector};

#[derive(clap::Args)]
pub struct AppraiseArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output form.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Also write the annual cash-flow schedule of every project to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    pub cashflows: Option<PathBuf>,
    /// Also write every draw's NPV and lead time to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    pub keep_draws: Option<PathBuf>,
    /// Price every product at its nearest separation plant with the default charges,
    /// without the first allocation pass that assigns each project a plant (one pass over
    /// the input instead of two, for very large runs).
    #[arg(long)]
    pub nearest_plant: bool,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn run(args: AppraiseArgs) -> Result<u8> {
    let outputs: Vec<(&str, &std::path::Path)> = [
        ("--output", &args.output),
        ("--cashflows", &args.cashflows),
        ("--keep-draws", &args.keep_draws),
    ]
    .into_iter()
    .filter_map(|(flag, p)| Some((flag, p.as_deref()?)))
    .collect();
    args.model.guard(&args.files, &outputs)?;
    use prospect::output::{AppraisalWriter, Form};
    let model = &args.model;
    let (assumptions, mut terms, context) = model.load()?;
    terms.keep_cashflows = args.cashflows.is_some();
    let sim = model.simulation(&assumptions, args.keep_draws.is_some())?;
    let crs = reprojector(model.crs.as_deref())?;
    let form = match args.format {
        OutputFormat::Json => Form::Json,
        OutputFormat::Table => Form::Table,
        OutputFormat::Csv => Form::Csv,
    };
    let mut writer =
        AppraisalWriter::new(form, args.keep_draws.is_some(), args.cashflows.is_some())?;
    let encoder = writer.encoder();
    let progress = model.stream_progress(sim.draws);
    // The first allocation pass (docs/architecture.md, "Order of a run"): a deterministic
    // appraisal of every record, kept only as the allocation needs it, gives each project
    // the plant its output goes to; the appraisal below prices the product there.
    let plants = if args.nearest_plant {
        None
    } else {
        match assigned_plants(
            &args.files,
            crs.as_ref(),
            model,
            &assumptions,
            &terms,
            &context,
        )? {
            Some(p) => Some(p),
            None => return Ok(1),
        }
    };
    let run = prospect::appraise::Run {
        context: &context,
        assumptions: &assumptions,
        terms: &terms,
        sim: Some(&sim),
        progress: &progress,
        plants: plants.as_ref(),
        // Only the JSON shows each input's value and basis; the table and CSV show the
        // origins.
        pass: Pass::Valuation(if matches!(args.format, OutputFormat::Json) {
            Keep::All
        } else {
            Keep::Origins
        }),
    };
    // Projects stream through the writer, in every form.
    let mut failed = None;
    let tally = prospect::appraise::appraise_files(
        &args.files,
        crs.as_ref(),
        &run,
        &|_, p| encoder.encode(&p),
        // The first pass printed the problems already (none ran with --assigned-plants).
        &mut |d| {
            if plants.is_none() || model.assigned_plants.is_some() {
                eprintln!("{}", prospect::output::printable(&d.to_string()));
            }
        },
        &mut |encoded| {
            if let Err(e) = encoded.and_then(|e| writer.push(e)) {
                failed.get_or_insert(e);
            }
        },
    )?;
    progress.finish_and_clear();
    if tally.errors > 0 {
        nothing_appraised(tally.errors);
        return Ok(1);
    }
    if let Some(e) = failed {
        return Err(e).context("cannot keep the appraisals in a temporary file");
    }
    let report = prospect::appraisal::Report::new(&assumptions, &terms, Some(&sim), Vec::new());
    if let Some(seed) = report
        .seed
        .filter(|_| report.draws > 0 && !args.model.quiet)
    {
        eprintln!("prospect: {} draws per project, seed {seed}", report.draws);
    }
    emit(args.output.as_deref(), |w| writer.write_main(&report, w))?;
    if let Some(path) = &args.keep_draws {
        emit(Some(path), |w| writer.write_draws(w))?;
    }
    if let Some(path) = &args.cashflows {
        emit(Some(path), |w| writer.write_cashflows(w))?;
    }
    Ok(0)
}
