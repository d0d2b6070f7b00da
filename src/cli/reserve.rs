//! `prospect reserve`: the strategic stockpile a disruption of China's exports calls for.

use std::path::PathBuf;

use anyhow::Result;
use prospect::portfolio::plan::{Instrument, Objective, PlanOptions, parse_budget};
use prospect::portfolio::reserve::{Demand, Disruption, ReserveOptions};
use prospect::portfolio::timeline::Target;
use prospect::read::record::oxide::{DY, ND, TB};

use super::{ModelArgs, OutputArgs, appraised, write_report};

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("demand_given").args(["demand", "demand_file"])))]
pub struct ReserveArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub reserve: ReserveFlags,
    /// With --budget: the plan whose financing the reserve is compared with, e.g.
    /// ndpr=30000t@2032.
    #[arg(long, requires = "budget")]
    pub target: Option<Target>,
    #[command(flatten)]
    pub plan: PlanFlags,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// The disruption, the demand and the confidence a reserve is sized for (`reserve`, and
/// the report's reserve section).
#[derive(clap::Args, Clone)]
pub struct ReserveFlags {
    /// Annual demand of the buyers the reserve serves, t/y of oxide: e.g.
    /// ndpr=10000t,dy=800t,tb=150t (a year's own figure as ndpr=12000t@2030).
    #[arg(long, value_parser = Demand::parse_flag)]
    pub demand: Option<Demand>,
    /// CSV file of demand: columns product (ndpr, dy, tb), tonnes and optionally year.
    #[arg(long, value_name = "FILE")]
    pub demand_file: Option<PathBuf>,
    /// First year of the disruption of China's exports (default: the year after --as-of).
    #[arg(long, value_name = "YEAR")]
    pub from: Option<i32>,
    /// Years the disruption lasts (default: the assumptions' reserve.disruption_years, 3).
    #[arg(long, value_name = "N")]
    pub years: Option<u32>,
    /// Share of China's exports that stops, % (100: they stop; 50: they halve).
    #[arg(long, value_name = "PCT", default_value_t = 100.0, value_parser = parse_cut)]
    pub cut: f64,
    /// Confidence the stockpile covers the shortfall at, % (default: the assumptions',
    /// 90).
    #[arg(long, value_name = "PCT")]
    pub confidence: Option<f64>,
    /// Draws of the supply timeline (default: the assumptions' reserve.draws).
    #[arg(long, value_name = "N")]
    pub supply_draws: Option<usize>,
}

/// The plan a reserve is compared with (with a target): its budget, objective and
/// instruments.
#[derive(clap::Args, Clone)]
pub struct PlanFlags {
    /// With --target: the plan's annual budget, e.g. 2000musd/y.
    #[arg(long, value_parser = parse_budget, requires = "target")]
    pub budget: Option<f64>,
    /// The plan's objective (see `plan`).
    #[arg(long, value_enum, default_value_t = Objective::SupplyPerDollar)]
    pub objective: Objective,
    /// The plan's instruments (see `plan`).
    #[arg(long = "instrument", value_enum, value_delimiter = ',', default_values_t = [Instrument::Grant])]
    pub instruments: Vec<Instrument>,
}

/// `--cut`: a share in percent, 0-100, with or without `%`.
fn parse_cut(text: &str) -> Result<f64, String> {
    let t = text.trim().trim_end_matches('%').trim();
    match t.parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "{text:?} is not a share from 0 to 100 % (write e.g. 100 for a stop, 50 for a halving)"
        )),
    }
}

pub fn run(args: ReserveArgs) -> Result<u8> {
    if let Some(out) = &args.out.output {
        let mut inputs = args.files.clone();
        inputs.extend(args.reserve.demand_file.iter().cloned());
        args.model.guard(&inputs, &[("--output", out)])?;
    }
    let demand = args.reserve.demand_given()?;
    let Some((records, report, assumptions)) = appraised(&args.files, &args.model)? else {
        return Ok(1);
    };
    let (demand, basis) = demand_or_default(demand, &assumptions);
    let mut r = sized(
        &args.reserve,
        demand,
        args.target.map(|t| (t, &args.plan)),
        (&records, &report, &assumptions),
        &args.model,
    )?;
    r.notes.insert(0, basis.trim_end_matches('.').to_owned());
    write_report(
        &args.out,
        &r,
        || prospect::output::reserve::reserve_table(&r),
        || prospect::output::reserve::reserve_csv(&r),
    )?;
    Ok(0)
}

impl ReserveFlags {
    /// The demand the flags give (`--demand-file` read), `None` without either flag.
    pub fn demand_given(&self) -> Result<Option<Demand>> {
        Ok(match (&self.demand_file, &self.demand) {
            (Some(path), _) => Some(Demand::read_csv(path).map_err(anyhow::Error::msg)?),
            (None, Some(d)) => Some(d.clone()),
            (None, None) => None,
        })
    }
}

/// The demand given, else the assumptions' `reserve.demand_ndpr_t_per_y` (NdPr only), with
/// a sentence saying which.
pub fn demand_or_default(
    given: Option<Demand>,
    assumptions: &prospect::assumptions::Assumptions,
) -> (Demand, String) {
    match given {
        Some(d) => (
            d,
            "Demand: as given (--demand or --demand-file).".to_owned(),
        ),
        None => {
            let t = assumptions.reserve.demand_ndpr_t_per_y;
            (
                Demand {
                    entries: vec![prospect::portfolio::reserve::DemandEntry {
                        product: prospect::portfolio::reserve::Product::Ndpr,
                        year: None,
                        tonnes: t,
                    }],
                },
                format!(
                    "Demand: NdPr oxide {} t/y, the assumptions' reserve.demand_ndpr_t_per_y (derived from China's 2024 NdPr balance and magnet exports, an order of magnitude; --demand or --demand-file to change, e.g. --demand ndpr=42000t,dy=1500t,tb=300t).",
                    prospect::output::axes::label(t)
                ),
            )
        }
    }
}

/// Sizes the reserve of `flags` against `demand` on an appraised run, compared with the
/// plan for `plan`'s target and budget when there is one.
pub fn sized(
    flags: &ReserveFlags,
    demand: Demand,
    plan: Option<(Target, &PlanFlags)>,
    (records, report, assumptions): (
        &[prospect::ProjectRecord],
        &prospect::appraisal::Report,
        &prospect::assumptions::Assumptions,
    ),
    model: &ModelArgs,
) -> Result<prospect::portfolio::reserve::Reserve> {
    let defaults = &assumptions.reserve;
    let confidence = flags.confidence.unwrap_or(defaults.confidence_pct);
    if !(confidence > 0.0 && confidence < 100.0) {
        anyhow::bail!("--confidence {confidence} is not a percent between 0 and 100 (exclusive)");
    }
    let draws = flags.supply_draws.unwrap_or(defaults.draws);
    if draws == 0 {
        anyhow::bail!("--supply-draws 0: the reserve needs at least one draw");
    }
    let scenario = model
        .scenario
        .clone()
        .unwrap_or_else(|| assumptions.valuation.default_scenario.clone());
    let prices = assumptions.prices(&scenario)?;
    let sep = model.separation_for(assumptions, records, &report.projects)?;
    let plan = plan.and_then(|(target, p)| {
        Some(prospect::portfolio::plan::plan(
            &report.projects,
            records,
            report.as_of,
            prospect::portfolio::timeline::DEFAULT_HORIZON_Y,
            target,
            &sep,
            &PlanOptions {
                budget_musd_per_y: p.budget?,
                objective: p.objective,
                instruments: p.instruments.clone(),
                rate_pct: report.assumptions.discount_rate_pct,
            },
        ))
    });
    let opts = ReserveOptions {
        demand,
        disruption: Disruption {
            from: flags.from.unwrap_or(report.as_of + 1),
            years: flags.years.unwrap_or(defaults.disruption_years).max(1),
            cut_pct: flags.cut,
        },
        confidence_pct: confidence,
        draws,
        seed: model.seed.unwrap_or(assumptions.uncertainty.seed),
        reference_days: defaults.reference_days,
        // NdPr at the deck's Nd oxide price (the decks set Pr and Nd to the Pr-Nd oxide
        // quote), Dy2O3 and Tb4O7 at theirs.
        prices_usd_per_kg: [prices.oxides[ND], prices.oxides[DY], prices.oxides[TB]],
        scenario,
    };
    Ok(prospect::portfolio::reserve::reserve(
        &report.projects,
        records,
        report.as_of,
        &sep,
        plan.as_ref(),
        &opts,
    ))
}
