//! Runs of any size (issue 21): records are appraised as they are read, in batches, and
//! each project is kept only as what its command needs (a ranking's criteria, a
//! timeline's line), never as its whole appraisal and record.

use std::path::PathBuf;

use anyhow::Result;
use prospect::appraisal::{Appraisal, Report};
use prospect::appraise::Pass;
use prospect::appraise::Terms;
use prospect::assumptions::Assumptions;
use prospect::context::Context;
use prospect::model::provenance::Keep;
use prospect::portfolio::assigned::AssignedPlants;
use prospect::read::record::ProjectRecord;

use super::{ModelArgs, nothing_appraised, reprojector};

/// The plants of a streamed run's first allocation pass (`None` inside: every product at
/// its nearest plant, when `nearest_plant`); `None` outside when the records have errors
/// (already printed).
pub fn plants(
    files: &[PathBuf],
    model: &ModelArgs,
    (assumptions, terms, context): (&Assumptions, &Terms, &Context),
    nearest_plant: bool,
) -> Result<Option<Option<AssignedPlants>>> {
    if nearest_plant {
        return Ok(Some(None));
    }
    let crs = reprojector(model.crs.as_deref())?;
    Ok(super::assigned_plants(files, crs.as_ref(), model, assumptions, terms, context)?.map(Some))
}

/// Appraises `files` (with the run's simulation) as they are read, on the plants of a
/// first allocation pass unless `nearest_plant`, and keeps `map` of each project (made in
/// parallel), in input order. Returns them with the run's report head (no projects);
/// `None` when the records have errors (already printed).
pub fn stream<T: Send>(
    files: &[PathBuf],
    model: &ModelArgs,
    run: (&Assumptions, &Terms, &Context),
    nearest_plant: bool,
    map: &(dyn Fn(&ProjectRecord, Appraisal) -> T + Sync),
) -> Result<Option<(Vec<T>, Report)>> {
    let Some(plants) = plants(files, model, run, nearest_plant)? else {
        return Ok(None);
    };
    stream_on(files, model, run, plants.as_ref(), map)
}

/// [`stream`] on the plants of a first pass already made ([`plants`]): a command that
/// streams the input twice (the report's cards) allocates once.
pub fn stream_on<T: Send>(
    files: &[PathBuf],
    model: &ModelArgs,
    run: (&Assumptions, &Terms, &Context),
    plants: Option<&AssignedPlants>,
    map: &(dyn Fn(&ProjectRecord, Appraisal) -> T + Sync),
) -> Result<Option<(Vec<T>, Report)>> {
    // Kept in chunks, then moved into one buffer of the exact size chunk by chunk: a
    // vector grown by doubling would hold one and a half times the projects at its peak.
    const CHUNK: usize = 1 << 16;
    let mut chunks: Vec<Vec<T>> = Vec::new();
    let report = stream_each(files, model, run, plants, map, &mut |t| {
        if chunks.last().is_none_or(|c| c.len() == CHUNK) {
            chunks.push(Vec::with_capacity(CHUNK));
        }
        chunks.last_mut().expect("a chunk").push(t);
    })?;
    let Some(report) = report else {
        return Ok(None);
    };
    let mut kept = Vec::with_capacity(chunks.iter().map(Vec::len).sum());
    for c in chunks {
        kept.extend(c);
    }
    Ok(Some((kept, report)))
}

/// [`stream_on`] handing `map` of each project to `sink` as it is made, in input order,
/// instead of keeping it: for a command that keeps its own columns or writes to a file
/// (the report's GeoJSON). Returns the run's report head (no projects); `None` when the
/// records have errors (already printed).
pub fn stream_each<T: Send>(
    files: &[PathBuf],
    model: &ModelArgs,
    (assumptions, terms, context): (&Assumptions, &Terms, &Context),
    plants: Option<&AssignedPlants>,
    map: &(dyn Fn(&ProjectRecord, Appraisal) -> T + Sync),
    sink: &mut (dyn FnMut(T) + Send),
) -> Result<Option<Report>> {
    let sim = model.simulation(assumptions, false)?;
    let crs = reprojector(model.crs.as_deref())?;
    let progress = model.stream_progress(sim.draws);
    let run = prospect::appraise::Run {
        context,
        assumptions,
        terms,
        sim: Some(&sim),
        progress: &progress,
        plants,
        // Rankings, calendars, plans and the report show the inputs' origins at most.
        pass: Pass::Valuation(Keep::Origins),
    };
    let tally = prospect::appraise::appraise_files(
        files,
        crs.as_ref(),
        &run,
        map,
        // The first pass printed the problems already (none ran with --assigned-plants).
        &mut |d| {
            if plants.is_none() || model.assigned_plants.is_some() {
                eprintln!("{}", prospect::output::printable(&d.to_string()));
            }
        },
        sink,
    )?;
    progress.finish_and_clear();
    if tally.errors > 0 {
        nothing_appraised(tally.errors);
        return Ok(None);
    }
    Ok(Some(Report::new(
        assumptions,
        terms,
        Some(&sim),
        Vec::new(),
    )))
}
