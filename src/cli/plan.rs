//! `prospect plan`: which projects to finance, and when, within a budget.

use std::path::PathBuf;

use anyhow::Result;
use prospect::portfolio::plan::{Instrument, Objective, PlanOptions, parse_budget};
use prospect::portfolio::timeline::Target;

use super::{ModelArgs, OutputArgs, write_report};

#[derive(clap::Args)]
pub struct PlanArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Annual budget, e.g. 2000musd/y (US$ million a year).
    #[arg(long, value_parser = parse_budget)]
    pub budget: f64,
    /// Supply target, e.g. ndpr=20000t@2032.
    #[arg(long)]
    pub target: Target,
    /// Years covered from --as-of.
    #[arg(long, default_value_t = prospect::portfolio::timeline::DEFAULT_HORIZON_Y, value_name = "YEARS", allow_negative_numbers = true, value_parser = super::parse_horizon)]
    pub horizon: i32,
    /// What to optimise: earliest (meet the target soonest), supply-per-dollar (most
    /// secured supply per public dollar: capex plus viability gap), least-subsidy.
    #[arg(long, value_enum, default_value_t = Objective::SupplyPerDollar)]
    pub objective: Objective,
    /// Instruments that may close a viability gap (a project whose risked value of
    /// proceeding is negative is financed only with one; of several, each project gets the
    /// one with the least expected public cost that closes its gap); comma-separated or
    /// repeated; `none` finances none of them.
    #[arg(long = "instrument", value_enum, value_delimiter = ',', default_values_t = [Instrument::Grant])]
    pub instruments: Vec<Instrument>,
    #[command(flatten)]
    pub terms: InstrumentTermArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// The run's terms of the instruments, over `[instruments]` of the assumptions (a record's
/// own terms still win for that record).
#[derive(clap::Args, Default)]
pub struct InstrumentTermArgs {
    /// Price floor on NdPr oxide, US$/kg (default: [instruments.price_floor], US$110/kg).
    #[arg(long, value_name = "USD_PER_KG", value_parser = in_range(0.0, 1e6))]
    pub floor_ndpr: Option<f64>,
    /// Production years the floor covers (default 10).
    #[arg(long, value_name = "YEARS", value_parser = clap::value_parser!(u32).range(0..=50))]
    pub floor_tenor: Option<u32>,
    /// Share of the price above the floor paid to the government, % (default 30).
    #[arg(long, value_name = "PCT", value_parser = in_range(0.0, 100.0))]
    pub floor_upside_share: Option<f64>,
    /// Concessional loan's real rate, % a year (default: [instruments.concessional_loan], 3).
    #[arg(long, value_name = "PCT", allow_negative_numbers = true, value_parser = in_range(-10.0, 50.0))]
    pub loan_rate: Option<f64>,
    /// Concessional loan's repayment years (default 15).
    #[arg(long, value_name = "YEARS", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub loan_tenor: Option<u32>,
    /// Concessional loan's size, % of the capital to spend (default 50).
    #[arg(long, value_name = "PCT", value_parser = in_range(0.0, 100.0))]
    pub loan_share: Option<f64>,
    /// A production tax credit's rate, KEY=PCT, KEY a key of [instruments.production_credit]
    /// (US for 45X, AU for the CMPTI; default 10 each); repeatable.
    #[arg(long, value_name = "KEY=PCT")]
    pub credit_rate: Vec<String>,
    /// The government's real cost of funds, % a year (default: [instruments], 2).
    #[arg(long, value_name = "PCT", allow_negative_numbers = true, value_parser = in_range(-10.0, 50.0))]
    pub government_rate: Option<f64>,
}

/// A number from `lo` to `hi`, with or without a `%`.
fn in_range(lo: f64, hi: f64) -> impl Fn(&str) -> Result<f64, String> + Clone {
    move |text: &str| {
        let t = text.trim().trim_end_matches('%').trim();
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() && (lo..=hi).contains(&v) => Ok(v),
            _ => Err(format!("{text:?} is not a number from {lo} to {hi}")),
        }
    }
}

impl InstrumentTermArgs {
    /// Writes the flags given over `a`'s `[instruments]`.
    pub fn apply(&self, a: &mut prospect::assumptions::Assumptions) -> Result<()> {
        let i = &mut a.instruments;
        if let Some(v) = self.floor_ndpr {
            i.price_floor.ndpr_usd_per_kg = v;
        }
        if let Some(v) = self.floor_tenor {
            i.price_floor.tenor_y = v;
        }
        if let Some(v) = self.floor_upside_share {
            i.price_floor.upside_share_pct = v;
        }
        if let Some(v) = self.loan_rate {
            i.concessional_loan.rate_pct = v;
        }
        if let Some(v) = self.loan_tenor {
            i.concessional_loan.tenor_y = v;
        }
        if let Some(v) = self.loan_share {
            i.concessional_loan.share_of_capex_pct = v;
        }
        if let Some(v) = self.government_rate {
            i.government_rate_pct = v;
        }
        for kv in &self.credit_rate {
            let Some((key, pct)) = kv.split_once('=') else {
                anyhow::bail!("--credit-rate {kv:?}: write KEY=PCT, e.g. US=10");
            };
            let pct = in_range(0.0, 100.0)(pct)
                .map_err(|e| anyhow::anyhow!("--credit-rate {kv:?}: {e}"))?;
            let keys: Vec<String> = i.production_credit.keys().cloned().collect();
            let Some(t) = i
                .production_credit
                .iter_mut()
                .find(|(k, _)| k.eq_ignore_ascii_case(key.trim()))
                .map(|(_, t)| t)
            else {
                anyhow::bail!(
                    "--credit-rate {kv:?}: {:?} is not a key of [instruments.production_credit] ({})",
                    key.trim(),
                    keys.join(", ")
                );
            };
            t.rate_pct = pct;
        }
        Ok(())
    }
}

pub fn run(args: PlanArgs) -> Result<u8> {
    super::purge_freed_memory_after(100);
    if let Some(out) = &args.out.output {
        args.model.guard(&args.files, &[("--output", out)])?;
    }
    args.model.one_stdin(&args.files, &[])?;
    let (mut assumptions, terms, context) = args.model.load()?;
    args.terms.apply(&mut assumptions)?;
    let opts = PlanOptions {
        budget_musd_per_y: args.budget,
        objective: args.objective,
        instruments: args.instruments.clone(),
        rate_pct: terms.discount_rate_pct,
    };
    // Streamed (issue 21): each project is kept as what the plan reads of it (its offers
    // made from its appraisal here) and, for a plant record, its plant, never as its
    // appraisal and record.
    use prospect::portfolio::{plan::PlanInput, plant_records};
    let Some((kept, report)) = super::streamed::stream(
        &args.files,
        &args.model,
        (&assumptions, &terms, &context),
        false,
        &|r, p| {
            (
                PlanInput::new(&p, Some(r), &opts),
                plant_records::plant_of(r, &p).map(Box::new),
            )
        },
    )?
    else {
        return Ok(1);
    };
    let mut sep = args.model.separation(&assumptions)?;
    let mut kept = kept;
    let plants: Vec<_> = kept
        .iter_mut()
        .filter_map(|(_, plant)| plant.take().map(|p| *p))
        .collect();
    let mut inputs: Vec<PlanInput> = kept.into_iter().map(|(input, _)| input).collect();
    // In the report's order, as an in-memory run reads its appraisals.
    inputs.sort_by(|x, y| {
        prospect::appraisal::report_order((x.npv_base_musd, &x.id), (y.npv_base_musd, &y.id))
    });
    plant_records::add(&mut sep, plants);
    let p = prospect::portfolio::plan::plan_of(
        &inputs,
        report.as_of,
        args.horizon,
        args.target,
        &sep,
        &opts,
    );
    write_report(
        &args.out,
        &p,
        || prospect::output::portfolio::plan_table(&p),
        || prospect::output::portfolio::plan_csv(&p),
    )?;
    Ok(0)
}
