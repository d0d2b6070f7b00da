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
    #[arg(long, value_parser = parse_commodity)]
    pub commodity: Option<String>,
    /// Keep only this regime (onshore, eez, area).
    #[arg(long, value_parser = parse_regime)]
    pub regime: Option<String>,
    /// Keep only this country (ISO 3166-1 alpha-2, e.g. AU).
    #[arg(long, value_parser = parse_country)]
    pub country: Option<String>,
    /// Keep only projects at most this many years from first production (P50).
    #[arg(long, value_name = "YEARS", value_parser = parse_years, allow_negative_numbers = true)]
    pub max_years: Option<f64>,
    /// Print the committee ranking (six criteria on absolute scales, a league per
    /// commodity family) instead of the percentile ranking; JSON carries both.
    #[arg(long)]
    pub committee: bool,
    /// Screen for the committee ranking, FIELD OP VALUE (npv>0, risked_npv>0, chance>=0.3,
    /// years<=6, capex<2000, family=rare_earths); repeatable, all must pass.
    #[arg(long, value_name = "SCREEN", value_parser = prospect::portfolio::committee::Screen::parse)]
    pub screen: Vec<prospect::portfolio::committee::Screen>,
    /// Set one committee weight, NAME=VALUE (economics, jurisdiction, confidence,
    /// financeability, geology, engineering); repeatable.
    #[arg(long, value_name = "NAME=VALUE")]
    pub committee_weight: Vec<String>,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// A vocabulary value for a filter: its canonical name, or the nearest valid one.
fn vocabulary_value(
    text: &str,
    parse: impl Fn(&str) -> Option<&'static str>,
    names: &[&str],
) -> Result<String, String> {
    if let Some(canon) = parse(text) {
        return Ok(canon.to_owned());
    }
    Err(
        match prospect::read::schema::nearest(text, names.iter().copied()) {
            Some(near) => format!(
                "no such value; did you mean {near:?}? valid values: {}",
                names.join(", ")
            ),
            None => format!("no such value; valid values: {}", names.join(", ")),
        },
    )
}

fn parse_commodity(text: &str) -> Result<String, String> {
    use prospect::read::record::Commodity;
    vocabulary_value(
        text,
        |t| Commodity::parse(t).map(Commodity::as_str),
        Commodity::NAMES,
    )
}

fn parse_regime(text: &str) -> Result<String, String> {
    use prospect::read::record::Regime;
    // Seabed words name two regimes, not a near miss of "onshore".
    if ["offshore", "seabed", "marine", "deepsea", "ocean"]
        .contains(&prospect::read::record::normalise_label(text).as_str())
    {
        return Err(format!(
            "{text:?} covers two regimes: eez (seabed inside a country's exclusive economic zone) or area (beyond national jurisdiction, under the ISA); give one"
        ));
    }
    vocabulary_value(
        text,
        |t| Regime::parse(t).map(Regime::as_str),
        Regime::NAMES,
    )
}

fn parse_country(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.len() == 2 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(t.to_ascii_uppercase())
    } else {
        Err("a country is its ISO 3166-1 alpha-2 code, two letters (AU, US, NO)".into())
    }
}

fn parse_years(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err("a number of years, 0 or more".into()),
    }
}

/// Says on standard error why filters left nothing to rank, with the values the input
/// does hold.
fn nothing_passes(args: &RankArgs, report: &prospect::appraisal::Report) {
    let present = |pick: &dyn Fn(&prospect::appraisal::Appraisal) -> Option<String>| {
        let mut v: Vec<String> = report.projects.iter().filter_map(pick).collect();
        v.sort();
        v.dedup();
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.join(", ")
        }
    };
    let mut given = Vec::new();
    if let Some(c) = &args.commodity {
        given.push(format!(
            "--commodity {c} (the input has {})",
            present(&|p| p.commodity.clone())
        ));
    }
    if let Some(r) = &args.regime {
        given.push(format!(
            "--regime {r} (the input has {})",
            present(&|p| p.regime.clone())
        ));
    }
    if let Some(c) = &args.country {
        given.push(format!(
            "--country {c} (the input has {})",
            present(&|p| p.country.clone())
        ));
    }
    if let Some(y) = args.max_years {
        let nearest = report
            .projects
            .iter()
            .map(|p| p.years_to_first_production)
            .filter(|y| y.is_finite())
            .fold(f64::INFINITY, f64::min);
        given.push(format!(
            "--max-years {y} (the nearest project is {nearest:.1} years away)"
        ));
    }
    eprintln!(
        "prospect: no project passes the filters: {}",
        prospect::output::printable(&given.join("; "))
    );
}

pub fn run(args: RankArgs) -> Result<u8> {
    if let Some(w) = &args.weights {
        args.model.one_stdin(&args.files, &[("--weights", w)])?;
    }
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
        let text = prospect::read::read_text(path).with_context(|| {
            format!(
                "cannot read weights file {}",
                prospect::read::input_name(path)
            )
        })?;
        #[derive(serde::Deserialize)]
        struct File {
            weights: std::collections::BTreeMap<String, f64>,
        }
        let file: File = toml::from_str(&text).with_context(|| {
            format!(
                "weights file {} is not [weights] NAME = VALUE",
                prospect::read::input_name(path)
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
    let committee_weights = prospect::portfolio::committee::weights(
        &assumptions.rank.committee.weights,
        &args.committee_weight,
    )?;
    let committee = prospect::portfolio::committee::rank(
        &report.projects,
        &records,
        &committee_weights,
        &args.screen,
        &assumptions.rank.committee,
        &assumptions.validation.typical_grade_pct,
    );
    let doc = serde_json::json!({
        "prospect_version": report.prospect_version,
        "as_of": report.as_of,
        "seed": report.seed,
        "draws": report.draws,
        "percentile_convention": report.percentile_convention,
        "ranking": ranking,
        "committee": committee,
    });
    if args.committee {
        write_report(
            &args.out,
            &doc,
            || prospect::output::portfolio::committee_table(&committee),
            || prospect::output::portfolio::committee_csv(&committee),
        )?;
        if committee.leagues.is_empty() && !report.projects.is_empty() {
            eprintln!(
                "prospect: no project passes the screens {}",
                prospect::output::printable(&committee.screens.join(", "))
            );
            return Ok(1);
        }
        return Ok(0);
    }
    write_report(
        &args.out,
        &doc,
        || prospect::output::portfolio::rank_table(&ranking),
        || prospect::output::portfolio::rank_csv(&ranking),
    )?;
    // Like grep, an empty selection is exit 1, with a hint of what the input holds.
    if ranking.projects.is_empty() && !report.projects.is_empty() {
        nothing_passes(&args, &report);
        return Ok(1);
    }
    Ok(0)
}
