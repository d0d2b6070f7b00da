//! `prospect allocate`: the first allocation pass alone, over the whole input, written to
//! a file that every shard of a sharded run reads with `--assigned-plants` (issue 21): the
//! plants' capacity is shared by all the projects, so a shard cannot allocate by itself,
//! but given the whole input's allocation each shard values its projects exactly as a
//! single run does, and `prospect merge` of the shards equals that run.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use prospect::portfolio::assigned::AssignedPlants;
use serde::{Deserialize, Serialize};

use super::{ModelArgs, assigned_plants, emit, reprojector};

#[derive(clap::Args)]
pub struct AllocateArgs {
    /// GeoJSON or CSV files of project records: the whole input of the run.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// The file `allocate` writes: the clock it was made on and each project's plant terms.
#[derive(Serialize, Deserialize)]
struct AssignedFile {
    /// Always `prospect assigned plants`.
    kind: String,
    /// The clock of the allocation (the run's `--as-of`).
    as_of: i32,
    /// Plant terms by project id (a project with no output has none).
    projects: AssignedPlants,
}

const KIND: &str = "prospect assigned plants";

pub fn run(args: AllocateArgs) -> Result<u8> {
    let outputs: Vec<(&str, &Path)> = args
        .output
        .as_deref()
        .map(|p| ("--output", p))
        .into_iter()
        .collect();
    args.model.guard(&args.files, &outputs)?;
    let model = &args.model;
    let (assumptions, terms, context) = model.load()?;
    let crs = reprojector(model.crs.as_deref())?;
    let Some(plants) = allocated(
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
    let file = AssignedFile {
        kind: KIND.into(),
        as_of: terms.as_of,
        projects: plants,
    };
    emit(args.output.as_deref(), |w| {
        serde_json::to_writer(&mut *w, &file)?;
        w.write_all(b"\n")
    })?;
    Ok(0)
}

/// The allocation over `files` (ignoring any `--assigned-plants`).
fn allocated(
    files: &[PathBuf],
    crs: Option<&prospect::read::crs::Reprojector>,
    model: &ModelArgs,
    assumptions: &prospect::assumptions::Assumptions,
    terms: &prospect::appraise::Terms,
    context: &prospect::context::Context,
) -> Result<Option<AssignedPlants>> {
    if model.assigned_plants.is_some() {
        bail!("allocate makes the file --assigned-plants reads; give it the records only");
    }
    assigned_plants(files, crs, model, assumptions, terms, context)
}

/// Reads a file `allocate` wrote, for a run on the clock `as_of`.
pub fn read(path: &Path, as_of: i32) -> Result<AssignedPlants> {
    let name = prospect::output::printable(&path.display().to_string());
    let text = std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?;
    // Read as it is parsed: a million projects' terms are a few hundred MB of text.
    let file: AssignedFile = serde_json::from_reader(std::io::BufReader::new(text))
        .map_err(|e| anyhow::anyhow!("{name}: not a file of `prospect allocate` ({e})"))?;
    if file.kind != KIND {
        bail!(
            "{name}: not a file of `prospect allocate` (kind {:?})",
            file.kind
        );
    }
    if file.as_of != as_of {
        bail!(
            "{name} was allocated with --as-of {}, this run is on {as_of}: give both the same clock",
            file.as_of
        );
    }
    Ok(file.projects)
}
