//! `prospect synth`: synthetic but plausible records, for benchmarks.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};

#[derive(clap::Args)]
pub struct SynthArgs {
    /// How many records.
    #[arg(long, default_value_t = 1000)]
    pub count: u64,
    /// Seed (the same seed gives the same file).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

pub fn run(args: SynthArgs) -> Result<u8> {
    let write = |w: &mut dyn Write| {
        prospect::synth::write(args.count, args.seed, w).map_err(io::Error::other)
    };
    match &args.output {
        Some(path) => prospect::output::write_atomic_with(path, write)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => write(&mut io::BufWriter::new(io::stdout().lock()))?,
    }
    Ok(0)
}
