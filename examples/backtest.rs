//! Regenerates the lead-time backtest of docs/validation.md:
//!
//!     cargo run --example backtest [HISTORIES.csv] [ASSUMPTIONS.toml]
//!
//! Each history of `samples/histories.csv` (default) is appraised in its year at its
//! stage; the table gives the model's first-production P10, P50 and P90 (never included)
//! beside what happened, and the coverage of the P10-P90 interval.

use std::path::PathBuf;
use std::process::ExitCode;

use prospect::assumptions::Assumptions;
use prospect::model::backtest;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .map_or_else(|| PathBuf::from("samples/histories.csv"), PathBuf::from);
    let assumptions = match Assumptions::load(args.next().map(PathBuf::from).as_deref()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("backtest: {e}");
            return ExitCode::from(2);
        }
    };
    let rows = backtest::read(&path)
        .and_then(|h| backtest::run(&h, &path.display().to_string(), &assumptions));
    match rows {
        Ok(rows) => {
            print!("{}", backtest::markdown(&rows));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("backtest: {e}");
            ExitCode::from(2)
        }
    }
}
