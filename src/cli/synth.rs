//! `prospect synth`: synthetic but plausible records, for benchmarks.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Result;

#[derive(clap::Args)]
pub struct SynthArgs {
    /// How many records.
    #[arg(long, default_value_t = 1000)]
    pub count: u64,
    /// Seed (the same seed gives the same file).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write to this file (atomically) instead of standard output (`-`: standard output).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

pub fn run(args: SynthArgs) -> Result<u8> {
    let write = |w: &mut dyn Write| {
        prospect::synth::write(args.count, args.seed, w).map_err(io::Error::other)
    };
    super::emit(args.output.as_deref(), write)?;
    Ok(0)
}
