//! `prospect export`: the appraised sites as a GIS layer (GeoJSON, GeoJSON text sequences
//! or FlatGeobuf) for QGIS, with a style. Streamed, for inputs of any size: the first pass
//! assigns the plants, the second appraises each record and keeps its feature in a
//! temporary file and only the ranking's few numbers in memory; the ranking is then
//! computed and the features written in report order with their ranks.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::ValueEnum;
use prospect::appraise::Pass;
use prospect::model::provenance::Keep;
use prospect::output::layer::{self, RankCell, Row, Schema, Slot, Spill};
use prospect::portfolio::criteria::Criteria;
use prospect::portfolio::rank::{Scored, Weights};

use super::{ModelArgs, assigned_plants, emit, nothing_appraised, reprojector, write_qml};

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// One FeatureCollection (RFC 7946).
    Geojson,
    /// One feature per line after a record separator (RFC 8142), for very large outputs.
    Geojsonseq,
    /// FlatGeobuf: typed columns and a spatial index, for large layers in QGIS.
    Fgb,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Geojson)]
    pub format: ExportFormat,
    /// Layer name (the collection's `name` member); default: the output file's stem.
    #[arg(long)]
    pub name: Option<String>,
    /// Also write a QGIS style (.qml) beside the output, graduated by score.
    #[arg(long, requires = "output")]
    pub qml: bool,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn run(args: ExportArgs) -> Result<u8> {
    if let Some(out) = &args.output {
        let qml = out.with_extension("qml");
        let mut outputs = vec![("--output", out.as_path())];
        if args.qml {
            outputs.push(("the style (--qml)", qml.as_path()));
        }
        args.model.guard(&args.files, &outputs)?;
    }
    let model = &args.model;
    let (assumptions, terms, context) = model.load()?;
    let sim = model.simulation(&assumptions, false)?;
    let weights = Weights::new(&assumptions.rank.weights)?;
    let crs = reprojector(model.crs.as_deref())?;
    let Some(plants) = assigned_plants(
        &args.files,
        crs.as_ref(),
        model,
        &assumptions,
        &terms,
        &context,
    )?
    else {
        return Ok(1);
    };
    let progress = model.stream_progress(sim.draws);
    let run = prospect::appraise::Run {
        context: &context,
        assumptions: &assumptions,
        terms: &terms,
        sim: Some(&sim),
        progress: &progress,
        plants: Some(&plants),
        // Features carry the inputs' origins, not their values and bases.
        pass: Pass::Valuation(Keep::Origins),
    };
    let mut spill = Spill::new().context("cannot make a temporary file for the layer")?;
    let mut schema = Schema::default();
    let mut kept: Vec<Slot> = Vec::new();
    let mut inputs: Vec<Criteria> = Vec::new();
    let mut failed = None;
    let tally = prospect::appraise::appraise_files(
        &args.files,
        crs.as_ref(),
        &run,
        &|r, p| {
            let row = Row::new(r, &p, None);
            let mut bytes = Vec::new();
            layer::encode(&row, &mut bytes);
            (bytes, Schema::of(&row), Criteria::new(&p, r, None))
        },
        // The first pass printed the problems already (none ran with --assigned-plants).
        &mut |d| {
            if args.model.assigned_plants.is_some() {
                eprintln!("{}", prospect::output::printable(&d.to_string()));
            }
        },
        &mut |(bytes, s, input)| {
            schema.merge(&s);
            match spill.push(&bytes) {
                Ok(slot) => {
                    kept.push(slot);
                    inputs.push(input);
                }
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        },
    )?;
    progress.finish_and_clear();
    if tally.errors > 0 {
        nothing_appraised(tally.errors);
        return Ok(1);
    }
    if let Some(e) = failed {
        return Err(e).context("cannot keep the layer in a temporary file");
    }
    // The ranking with the default weights, on the kept inputs alone.
    let mut ranks: Vec<Option<RankCell>> = vec![None; inputs.len()];
    let scored = Scored::new(&inputs, &weights, &[], &assumptions.rank.subscores);
    for (index, rank, score, pareto) in scored.placements() {
        ranks[index] = Some((rank, score, pareto));
    }
    drop(scored);
    if !inputs.is_empty() {
        schema.ranked();
    }
    let mut order: Vec<usize> = (0..kept.len()).collect();
    order.sort_by(|&a, &b| {
        prospect::appraisal::report_order(
            (inputs[a].npv_musd(), inputs[a].id()),
            (inputs[b].npv_musd(), inputs[b].id()),
        )
    });
    let slots: Vec<(Slot, Option<RankCell>)> = order.iter().map(|&i| (kept[i], ranks[i])).collect();
    drop((order, kept, inputs, ranks));
    let rows = spill
        .finish()
        .context("cannot keep the layer in a temporary file")?;
    let layout = schema.layout();
    let name = args.name.clone().unwrap_or_else(|| {
        args.output
            .as_deref()
            .and_then(|p| p.file_stem())
            .map_or("prospect".to_owned(), |s| s.to_string_lossy().into_owned())
    });
    use prospect::output::geojson::{write_rows_collection, write_rows_sequence};
    emit(args.output.as_deref(), |w| match args.format {
        ExportFormat::Geojson => write_rows_collection(&name, &layout, &rows, &slots, w),
        ExportFormat::Geojsonseq => write_rows_sequence(&layout, &rows, &slots, w),
        ExportFormat::Fgb => {
            prospect::output::fgb::Writer::new(&name, &layout).write(&rows, &slots, w)
        }
    })?;
    if let (true, Some(path)) = (args.qml, &args.output) {
        write_qml(path)?;
    }
    Ok(0)
}
