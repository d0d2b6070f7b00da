//! The `prospect` command line: parses arguments, calls the library, prints.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

/// Appraise rare-earth and deep-sea mining projects and rank them for financing.
#[derive(Parser)]
#[command(name = "prospect", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate project files and list every problem at once.
    ///
    /// Exit status: 0 clean (warnings allowed), 1 when any record has an error, 2 for
    /// usage errors or files that cannot be read.
    Check(CheckArgs),
}

#[derive(clap::Args)]
struct CheckArgs {
    /// GeoJSON (.geojson, .json) or CSV (.csv) files of project records.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// How to print the problems.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    /// One line per problem; a summary on standard error.
    Text,
    /// One JSON object with every problem.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("prospect: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Check(args) => check(args),
    }
}

fn check(args: CheckArgs) -> Result<u8> {
    let report = prospect::check::check(&args.files);
    let mut out = io::stdout().lock();
    match args.format {
        CheckFormat::Text => {
            for d in &report.diagnostics {
                writeln!(out, "{d}")?;
            }
            out.flush()?;
            eprintln!(
                "checked {} file(s), {} record(s): {} error(s), {} warning(s)",
                report.files.len(),
                report.records,
                report.errors,
                report.warnings
            );
        }
        CheckFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
    }
    Ok(report.exit_code() as u8)
}
