//! `prospect rank`: rank projects for financing by weighted criteria.

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use super::{ModelArgs, OutputArgs, appraised, write_report};

#[derive(clap::Args)]
pub struct RankArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// TOML file of criterion weights ([weights] value = 0.35, speed = 0.2, ...).
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// Set one weight, NAME=VALUE (value, speed, supply, risk, confidence); repeatable.
    #[arg(long, value_name = "NAME=VALUE")]
    pub weight: Vec<String>,
    /// Keep only this commodity (rare_earths, ni_cu_co_mn, cu_zn_au).
    #[arg(long)]
    pub commodity: Option<String>,
    /// Keep only this regime (onshore, eez, area).
    #[arg(long)]
    pub regime: Option<String>,
    /// Keep only this country (ISO alpha-2).
    #[arg(long)]
    pub country: Option<String>,
    /// Keep only projects at most this many years from first production (P50).
    #[arg(long, value_name = "YEARS")]
    pub max_years: Option<f64>,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn run(args: RankArgs) -> Result<u8> {
    let mut files = args.files.clone();
    files.extend(args.weights.clone());
    if let Some(out) = &args.out.output {
        args.model.guard(&files, &[("--output", out)])?;
    }
    let Some((records, report, assumptions)) = appraised(&args.files, &args.model)? else {
        return Ok(1);
    };
    let mut base = assumptions.rank.weights.clone();
    if let Some(path) = &args.weights {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read weights file {}", path.display()))?;
        #[derive(serde::Deserialize)]
        struct File {
            weights: std::collections::BTreeMap<String, f64>,
        }
        let file: File = toml::from_str(&text).with_context(|| {
            format!(
                "weights file {} is not [weights] NAME = VALUE",
                path.display()
            )
        })?;
        base.extend(file.weights);
    }
    let weights = prospect::portfolio::rank::Weights::with_overrides(&base, &args.weight)?;
    let filters = prospect::portfolio::rank::Filters {
        commodity: args.commodity.clone(),
        regime: args.regime.clone(),
        country: args.country.clone(),
        max_years: args.max_years,
    };
    let ranking = prospect::portfolio::rank::rank_scored(
        &report.projects,
        &records,
        &weights,
        &filters,
        &assumptions.rank.subscores,
    );
    let doc = serde_json::json!({
        "prospect_version": report.prospect_version,
        "as_of": report.as_of,
        "seed": report.seed,
        "draws": report.draws,
        "percentile_convention": report.percentile_convention,
        "ranking": ranking,
    });
    write_report(
        &args.out,
        &doc,
        || prospect::output::portfolio::rank_table(&ranking),
        || prospect::output::portfolio::rank_csv(&ranking),
    )?;
    Ok(0)
}
