//! `prospect timeline`: the projects on the calendar, and when a target is met.

use std::path::PathBuf;

use anyhow::Result;
use prospect::portfolio::timeline::Target;

use super::{ModelArgs, OutputArgs, OutputFormat, emit};

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
    super::purge_freed_memory_after(100);
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
    let run = (&assumptions, &terms, &context);
    // Streamed (issue 21): each project is kept as its calendar line (what the allocation
    // needs) and, for a plant record, its plant; the rest of its line waits in a temporary
    // file until it is written.
    use prospect::output::{Blobs, Slot, SpilledLines};
    use prospect::portfolio::timeline::{CalendarLine, ProjectLine};
    use prospect::portfolio::{plant_records, timeline};
    let Some(plants) = super::streamed::plants(&args.files, &args.model, run, false)? else {
        return Ok(1);
    };
    let spill_error =
        |e| anyhow::anyhow!("cannot keep the projects' lines in a temporary file: {e}");
    let mut blobs = Blobs::new().map_err(spill_error)?;
    let (mut lines, mut slots, mut plant_list) = (Vec::new(), Vec::<Slot>::new(), Vec::new());
    let mut failed: Option<std::io::Error> = None;
    let report = super::streamed::stream_each(
        &args.files,
        &args.model,
        run,
        plants.as_ref(),
        &|r, p| {
            let line = ProjectLine::of(&p, r);
            (
                CalendarLine::of(&line),
                serde_json::to_vec(&line),
                plant_records::plant_of(r, &p).map(Box::new),
            )
        },
        &mut |(line, json, plant)| {
            let slot = json
                .map_err(std::io::Error::from)
                .and_then(|j| blobs.push(&j));
            match slot {
                Ok(s) => slots.push(s),
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
            lines.push(line);
            plant_list.extend(plant.map(|p| *p));
        },
    )?;
    drop(plants);
    let Some(report) = report else {
        return Ok(1);
    };
    if let Some(e) = failed {
        return Err(spill_error(e));
    }
    let mut sep = args.model.separation(&assumptions)?;
    plant_records::add(&mut sep, plant_list);
    let (t, mut placed) = timeline::calendar(
        &lines,
        report.as_of,
        args.horizon,
        &assumptions.schedule.ramp_up,
        args.target,
        &sep,
    );
    drop((lines, sep));
    let order: Vec<_> = t
        .projects
        .iter()
        .map(|&row| (slots[row], std::mem::take(&mut placed[row])))
        .collect();
    drop((slots, placed));
    let t = t.with_projects(SpilledLines::new(
        blobs.finish().map_err(spill_error)?,
        order,
    ));
    use prospect::output::portfolio as out;
    let output = args.out.output.as_deref();
    match args.out.format {
        OutputFormat::Json => emit(output, |w| {
            serde_json::to_writer_pretty(&mut *w, &t)?;
            w.write_all(b"\n")
        })?,
        OutputFormat::Table => {
            let table = out::timeline_table(&t).map_err(spill_error)?;
            emit(output, |w| w.write_all(table.as_bytes()))?
        }
        OutputFormat::Csv => match args.rows {
            CsvRows::Years => {
                let csv = out::timeline_csv(&t)?;
                emit(output, |w| w.write_all(&csv))?
            }
            CsvRows::Projects => emit(output, |w| out::timeline_projects_csv(&t, w))?,
        },
    }
    Ok(0)
}
