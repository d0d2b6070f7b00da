//! `prospect synth`: synthetic but plausible records, for benchmarks.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

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
    /// No progress counter (shown on a terminal for large counts).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Records written before a counter is worth showing (judgement: about a second).
const PROGRESS_FROM: u64 = 100_000;

/// A writer that counts the lines through it into a progress bar (one record a line:
/// the synthetic records hold no line breaks).
struct Counted<'a> {
    inner: &'a mut dyn Write,
    bar: &'a ProgressBar,
    lines: u64,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        // The header is the first line.
        self.bar.set_position(self.lines.saturating_sub(1));
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn progress(args: &SynthArgs) -> ProgressBar {
    use std::io::IsTerminal;
    if args.quiet || args.count < PROGRESS_FROM || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(args.count);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} records, {eta} left") {
        bar.set_style(style);
    }
    bar
}

pub fn run(args: SynthArgs) -> Result<u8> {
    let bar = progress(&args);
    let write = |w: &mut dyn Write| {
        let counted = Counted {
            inner: w,
            bar: &bar,
            lines: 0,
        };
        prospect::synth::write(args.count, args.seed, counted).map_err(io::Error::other)
    };
    let result = super::emit(args.output.as_deref(), write);
    bar.finish_and_clear();
    result?;
    Ok(0)
}
