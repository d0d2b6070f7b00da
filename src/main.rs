//! The `prospect` command line: parses arguments, calls the library, prints.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use std::path::Path;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use prospect::appraise::{Options, Terms};
use prospect::assumptions::Assumptions;
use prospect::cashflow::Discounting;

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
    /// Value each project: NPV, IRR, payback, capex, basket price, output and the
    /// breakeven price factor, with the provenance of every input.
    Appraise(AppraiseArgs),
}

#[derive(clap::Args)]
struct AppraiseArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output form.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Price deck (a scenario of the assumptions: market_2025, incentive_ex_china, low, high).
    #[arg(long)]
    scenario: Option<String>,
    /// Real discount rate, % (default: the assumptions', 8 %).
    #[arg(long, value_name = "PCT")]
    discount_rate: Option<f64>,
    /// When in the year cash flows fall.
    #[arg(long, value_enum, default_value_t = Discounting::EndOfYear)]
    discounting: Discounting,
    /// TOML file overriding any subset of the default assumptions.
    #[arg(long, value_name = "FILE")]
    assumptions: Option<PathBuf>,
    /// Also write the annual cash-flow schedule of every project to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    cashflows: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    /// An aligned table for the terminal.
    Table,
    /// One CSV row per project.
    Csv,
    /// The JSON contract of docs/outputs.md.
    Json,
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
        Command::Appraise(args) => appraise(args),
    }
}

/// Reads and validates every file; prints problems to standard error. `None` when any
/// record has an error (nothing is appraised from bad input).
fn read_valid(files: &[PathBuf]) -> Result<Option<Vec<prospect::ProjectRecord>>> {
    let data = prospect::read::read_all(files)?;
    for d in &data.diagnostics {
        eprintln!("{d}");
    }
    if data.has_errors() {
        eprintln!(
            "prospect: {} error(s) in the input; nothing appraised (run `prospect check` for the full list)",
            data.tally.errors
        );
        return Ok(None);
    }
    Ok(Some(data.records))
}

/// Writes to `--output` atomically, or to standard output.
fn emit(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => prospect::output::write_atomic(path, bytes)
            .with_context(|| format!("cannot write {}", path.display())),
        None => {
            let mut out = io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}

fn appraise(args: AppraiseArgs) -> Result<u8> {
    let assumptions = Assumptions::load(args.assumptions.as_deref())?;
    let options = Options {
        scenario: args.scenario,
        discount_rate_pct: args.discount_rate,
        discounting: args.discounting,
    };
    let terms = Terms::resolve(&assumptions, &options)?;
    let Some(records) = read_valid(&args.files)? else {
        return Ok(1);
    };
    let report = prospect::appraise::appraise_all(&records, &assumptions, &terms);
    let bytes = match args.format {
        OutputFormat::Table => prospect::output::table(&report).into_bytes(),
        OutputFormat::Csv => prospect::output::csv(&report)?,
        OutputFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&report)?;
            v.push(b'\n');
            v
        }
    };
    emit(args.output.as_deref(), &bytes)?;
    if let Some(path) = &args.cashflows {
        prospect::output::write_atomic(path, &prospect::output::cashflows_csv(&report)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(0)
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
