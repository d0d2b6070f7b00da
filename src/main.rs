//! The `prospect` command line: parses arguments and hands each command to its file in
//! src/cli/, which calls the library and prints.

use std::io;
use std::process::ExitCode;

use anyhow::Result;
use clap::{CommandFactory, Parser, Subcommand};

mod cli;

/// mimalloc: allocations made on the rayon pool and freed on the reading thread (every
/// record of a streamed run) cost glibc's allocator a lock per free; see docs/performance.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    Check(cli::check::CheckArgs),
    /// Value each project: NPV, IRR, payback, capex, basket price, output, breakeven price
    /// factor, spatial context, first-production year and chance of success, with the
    /// provenance of every input.
    Appraise(Box<cli::appraise::AppraiseArgs>),
    /// Which assumptions drive one project's NPV: a tornado (NPV with each driver at its
    /// P10 and P90, the others at base) and the rank correlation of each driver with NPV
    /// across the simulation.
    Sensitivity(Box<cli::sensitivity::SensitivityArgs>),
    /// Rank projects for financing by weighted criteria (risked value, speed, supply
    /// security, risk, confidence), with each criterion's contribution and a Pareto flag.
    Rank(Box<cli::rank::RankArgs>),
    /// The first allocation pass alone: which plant each project's output goes to, over
    /// the whole input, for the shards of a sharded run (`--assigned-plants`).
    Allocate(Box<cli::allocate::AllocateArgs>),
    /// Rank the shards of one run together: the criteria `rank --shard` wrote for each
    /// part of the input, ranked over their union exactly as `rank` over the whole input.
    Merge(Box<cli::merge::MergeArgs>),
    /// The investment timeline: remaining stages and first production per project, capex
    /// per year and non-China NdPr and Dy+Tb supply per year, and when a target is met.
    Timeline(Box<cli::timeline::TimelineArgs>),
    /// Choose which projects to finance, and when, to meet a supply target as early as
    /// possible within an annual budget.
    Plan(Box<cli::plan::PlanArgs>),
    /// Size a strategic stockpile of NdPr, Dy and Tb oxide: the shortfall a disruption of
    /// China's exports leaves on the supply timeline outside China (drawn, with the
    /// separation plants), at a confidence, its cost at the deck and its days of
    /// consumption, and how financing a plan's projects shrinks it.
    Reserve(Box<cli::reserve::ReserveArgs>),
    /// Write the appraised sites as RFC 7946 GeoJSON for QGIS (or a GeoJSON text
    /// sequence), optionally with a QGIS style graduated by score.
    Export(Box<cli::export::ExportArgs>),
    /// Write a self-contained HTML report for a committee: map, ranking, timeline, supply,
    /// NPV spread and a card per project.
    Report(Box<cli::report::ReportArgs>),
    /// Write synthetic but plausible records (real samples moved and rescaled), for
    /// benchmarks.
    Synth(cli::synth::SynthArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(cli::completions::CompletionsArgs),
    /// Print the man page (roff), or write every command's page into a folder.
    Man(cli::completions::ManArgs),
}

/// Exit status after SIGINT, SIGTERM or SIGHUP (128 + SIGINT, as shells report Ctrl-C).
const INTERRUPTED: i32 = 130;

fn main() -> ExitCode {
    // A signal ends the run at once; outputs being written stay as they were, and their
    // temporary files go with it.
    let _ = ctrlc::set_handler(|| {
        prospect::output::remove_temporaries();
        std::process::exit(INTERRUPTED);
    });
    let cli = parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // One line each (a list of problems), each line sanitised.
            let text = format!("{e:#}");
            let lines: Vec<String> = text.lines().map(prospect::output::printable).collect();
            eprintln!("prospect: error: {}", lines.join("\n  "));
            ExitCode::from(2)
        }
    }
}

/// The command line, or the usage error with prospect's hints (cli/usage.rs) and exit 2.
fn parse() -> Cli {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => match cli::usage::hinted(&e, &argv, &Cli::command()) {
            Some(text) => {
                eprint!("{text}");
                std::process::exit(2);
            }
            None => e.exit(),
        },
    }
}

/// Whether an error is, at any depth, a write to a pipe whose reader has gone (`| head`):
/// the reader has what it wanted, so the run ends quietly with exit 0. The writers wrap
/// I/O errors in CSV, JSON and other errors, so each link's own source is followed too.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(broken_pipe_within)
}

fn broken_pipe_within(mut e: &(dyn std::error::Error + 'static)) -> bool {
    loop {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            if io.kind() == io::ErrorKind::BrokenPipe {
                return true;
            }
            if io.get_ref().is_some_and(|inner| broken_pipe_within(inner)) {
                return true;
            }
        }
        if e.downcast_ref::<serde_json::Error>()
            .and_then(serde_json::Error::io_error_kind)
            == Some(io::ErrorKind::BrokenPipe)
        {
            return true;
        }
        if let Some(csv::ErrorKind::Io(io)) = e.downcast_ref::<csv::Error>().map(|c| c.kind())
            && io.kind() == io::ErrorKind::BrokenPipe
        {
            return true;
        }
        match e.source() {
            Some(next) => e = next,
            None => return false,
        }
    }
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Check(args) => cli::check::run(args),
        Command::Appraise(args) => cli::appraise::run(*args),
        Command::Sensitivity(args) => cli::sensitivity::run(*args),
        Command::Rank(args) => cli::rank::run(*args),
        Command::Merge(args) => cli::merge::run(*args),
        Command::Allocate(args) => cli::allocate::run(*args),
        Command::Timeline(args) => cli::timeline::run(*args),
        Command::Plan(args) => cli::plan::run(*args),
        Command::Reserve(args) => cli::reserve::run(*args),
        Command::Export(args) => cli::export::run(*args),
        Command::Report(args) => cli::report::run(*args),
        Command::Synth(args) => cli::synth::run(args),
        Command::Completions(args) => cli::completions::run_completions(args, Cli::command()),
        Command::Man(args) => cli::completions::run_man(args, Cli::command()),
    }
}
