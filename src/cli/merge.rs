//! `prospect merge`: the shards of one run, ranked together. Each shard is the criteria
//! `prospect rank --shard` wrote for one part of the input; the merge ranks their union
//! (percentile ranks, the Pareto front and the committee's leagues recomputed over every
//! project), so the output is the one `prospect rank` over the whole input gives, byte for
//! byte, when each project is appraised on its own (`--nearest-plant`).

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use prospect::portfolio::criteria::{self, Criteria, ShardHead};

use super::ranking::{Head, RankFlags, write_ranking};
use super::{OutputArgs, emit, guard_outputs};

#[derive(clap::Args)]
pub struct MergeArgs {
    /// Shards written by `prospect rank --shard` (JSON lines), one per part of the input.
    #[arg(required = true, value_name = "SHARD.jsonl")]
    pub shards: Vec<PathBuf>,
    #[command(flatten)]
    pub rank: RankFlags,
    /// Also write the merged criteria as one shard to this file (to merge again later).
    #[arg(long, value_name = "FILE.jsonl")]
    pub shard: Option<PathBuf>,
    /// No messages but errors.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// The first field on which two shard heads differ, with both values.
fn difference(a: &ShardHead, b: &ShardHead) -> Option<(&'static str, String, String)> {
    let fields: [(&str, String, String); 9] = [
        (
            "prospect_version",
            a.prospect_version.clone(),
            b.prospect_version.clone(),
        ),
        ("as_of", a.as_of.to_string(), b.as_of.to_string()),
        ("draws", a.draws.to_string(), b.draws.to_string()),
        (
            "seed",
            a.seed.map_or("none".into(), |s| s.to_string()),
            b.seed.map_or("none".into(), |s| s.to_string()),
        ),
        (
            "percentile_convention",
            a.percentile_convention.clone(),
            b.percentile_convention.clone(),
        ),
        ("scenario", a.scenario.clone(), b.scenario.clone()),
        (
            "assumptions_digest",
            a.assumptions_digest.clone(),
            b.assumptions_digest.clone(),
        ),
        (
            "discount_rate_pct",
            a.discount_rate_pct.to_string(),
            b.discount_rate_pct.to_string(),
        ),
        ("rank", a.rank.to_string(), b.rank.to_string()),
    ];
    fields.into_iter().find(|(_, x, y)| x != y)
}

pub fn run(args: MergeArgs) -> Result<u8> {
    let mut outputs = Vec::new();
    if let Some(out) = &args.out.output {
        outputs.push(("--output", out.as_path()));
    }
    if let Some(shard) = &args.shard {
        outputs.push(("--shard", shard.as_path()));
    }
    let mut inputs: Vec<&std::path::Path> = args.shards.iter().map(PathBuf::as_path).collect();
    inputs.extend(args.rank.weights.as_deref());
    guard_outputs(&inputs, &outputs)?;
    let mut all: Vec<Criteria> = Vec::new();
    let mut first: Option<(ShardHead, String)> = None;
    let mut seen: HashMap<Box<str>, usize> = HashMap::new();
    for (n, path) in args.shards.iter().enumerate() {
        let name = prospect::output::printable(&path.display().to_string());
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot read shard {name}"))?;
        let before = all.len();
        let head = criteria::read_shard(&name, std::io::BufReader::new(file), &mut all)?;
        if let Some((h, first_name)) = &first
            && let Some((field, a, b)) = difference(h, &head)
        {
            bail!(
                "{name} was made with {field} {}, {first_name} with {}: shards of one run share their version, clock, draws, seed, price deck, rate and assumptions",
                prospect::output::printable(&b),
                prospect::output::printable(&a)
            );
        }
        for c in &all[before..] {
            if let Some(other) = seen.insert(c.id().into(), n) {
                bail!(
                    "project {} is in {} and in {}: shards must split the input, each record in one shard",
                    prospect::output::printable(c.id()),
                    prospect::output::printable(&args.shards[other].display().to_string()),
                    name
                );
            }
        }
        if first.is_none() {
            first = Some((head, name));
        }
    }
    drop(seen);
    let Some((head, _)) = first else {
        bail!("no shard given");
    };
    let rank: prospect::assumptions::RankAssumptions = serde_json::from_value(head.rank.clone())
        .context("the shards' [rank] assumptions cannot be read")?;
    criteria::sort(&mut all);
    if let Some(path) = &args.shard {
        let merged = ShardHead {
            projects: all.len(),
            ..head.clone()
        };
        emit(Some(path), |w| criteria::write_shard(&merged, &all, w))?;
    }
    if !args.quiet {
        eprintln!(
            "prospect: {} projects from {} shards ranked together",
            all.len(),
            args.shards.len()
        );
    }
    let run_head = Head {
        prospect_version: head.prospect_version,
        as_of: head.as_of,
        seed: head.seed,
        draws: head.draws,
        percentile_convention: head.percentile_convention,
    };
    write_ranking(&args.rank, &rank, all, &run_head, &args.out)
}
