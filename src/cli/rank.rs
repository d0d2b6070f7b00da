//! `prospect rank`: rank projects for financing by weighted criteria.

use std::path::PathBuf;

use anyhow::Result;

use prospect::portfolio::criteria::Criteria;

use super::ranking::{Head, RankFlags, shard_head, write_ranking};
use super::{ModelArgs, OutputArgs, emit};

#[derive(clap::Args)]
pub struct RankArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub rank: RankFlags,
    /// Price every product at its nearest separation plant with the default charges,
    /// without the first allocation pass (each project is then appraised on its own, so
    /// shards of the input rank together exactly as one run: see `prospect merge`).
    #[arg(long)]
    pub nearest_plant: bool,
    /// Also write every project's ranking criteria to this file (JSON lines), a shard
    /// that `prospect merge` ranks together with other shards.
    #[arg(long, value_name = "FILE.jsonl")]
    pub shard: Option<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn run(args: RankArgs) -> Result<u8> {
    if let Some(w) = &args.rank.weights {
        args.model.one_stdin(&args.files, &[("--weights", w)])?;
    }
    let mut files = args.files.clone();
    files.extend(args.rank.weights.clone());
    let mut outputs = Vec::new();
    if let Some(out) = &args.out.output {
        outputs.push(("--output", out.as_path()));
    }
    if let Some(shard) = &args.shard {
        outputs.push(("--shard", shard.as_path()));
    }
    args.model.guard(&files, &outputs)?;
    let (assumptions, terms, context) = args.model.load()?;
    let ranges = &assumptions.validation.typical_grade_pct;
    let Some((all, report)) = super::streamed::stream(
        &args.files,
        &args.model,
        (&assumptions, &terms, &context),
        args.nearest_plant,
        &|r, p| Criteria::new(&p, r, Some(ranges)),
    )?
    else {
        return Ok(1);
    };
    let mut all = all;
    prospect::portfolio::criteria::sort(&mut all);
    if let Some(path) = &args.shard {
        let head = shard_head(&report, &assumptions.rank, all.len())?;
        emit(Some(path), |w| {
            prospect::portfolio::criteria::write_shard(&head, &all, w)
        })?;
    }
    write_ranking(
        &args.rank,
        &assumptions.rank,
        all,
        &Head::of(&report),
        &args.out,
    )
}
