//! What `rank` and `merge` share: the ranking flags, and ranking a run's criteria and
//! writing the result in bounded memory (rows made as they are written).

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use prospect::portfolio::criteria::{Criteria, Screen};

use super::{OutputArgs, OutputFormat, emit};

/// How to rank: weights, screens and which ranking to print (`rank` and `merge` alike).
#[derive(clap::Args)]
pub struct RankFlags {
    /// TOML file of criterion weights ([weights] value = 0.35, speed = 0.2, ...).
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// Set one weight, NAME=VALUE (value, speed, supply, risk, confidence); repeatable.
    #[arg(long, value_name = "NAME=VALUE")]
    pub weight: Vec<String>,
    /// Keep only this commodity (rare_earths, ni_cu_co_mn, cu_zn_au); the screen
    /// commodity=VALUE.
    #[arg(long, value_parser = parse_commodity)]
    pub commodity: Option<String>,
    /// Keep only this regime (onshore, eez, area); the screen regime=VALUE.
    #[arg(long, value_parser = parse_regime)]
    pub regime: Option<String>,
    /// Keep only this country (ISO 3166-1 alpha-2, e.g. AU); the screen country=VALUE.
    #[arg(long, value_parser = parse_country)]
    pub country: Option<String>,
    /// Keep only projects at most this many years from first production (P50); the
    /// screen years<=VALUE.
    #[arg(long, value_name = "YEARS", value_parser = parse_years, allow_negative_numbers = true)]
    pub max_years: Option<f64>,
    /// Print the committee ranking (six criteria on absolute scales, a league per
    /// commodity family) instead of the percentile ranking; JSON carries both.
    #[arg(long)]
    pub committee: bool,
    /// Screen, FIELD OP VALUE (npv>0, risked_npv>0, chance>=0.3, years<=6, capex<2000,
    /// family=rare_earths, regime=onshore, country=AU); repeatable, all must pass; both
    /// rankings apply them.
    #[arg(long, value_name = "SCREEN", value_parser = prospect::portfolio::criteria::Screen::parse)]
    pub screen: Vec<prospect::portfolio::criteria::Screen>,
    /// Set one committee weight, NAME=VALUE (economics, jurisdiction, confidence,
    /// financeability, geology, engineering); repeatable.
    #[arg(long, value_name = "NAME=VALUE")]
    pub committee_weight: Vec<String>,
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

/// Says on standard error why the screens left nothing to rank, with the values the
/// input does hold.
fn nothing_passes(flags: &RankFlags, screens: &[Screen], all: &[Criteria]) {
    let present = |pick: &dyn Fn(&Criteria) -> Option<&str>| {
        let v: std::collections::BTreeSet<&str> = all.iter().filter_map(pick).collect();
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.into_iter().collect::<Vec<_>>().join(", ")
        }
    };
    let mut given = Vec::new();
    if let Some(c) = &flags.commodity {
        given.push(format!(
            "--commodity {c} (the input has {})",
            present(&|p| p.commodity())
        ));
    }
    if let Some(r) = &flags.regime {
        given.push(format!(
            "--regime {r} (the input has {})",
            present(&|p| p.regime())
        ));
    }
    if let Some(c) = &flags.country {
        given.push(format!(
            "--country {c} (the input has {})",
            present(&|p| p.country())
        ));
    }
    if let Some(y) = flags.max_years {
        let nearest = all
            .iter()
            .map(|p| p.years_p50)
            .filter(|y| y.is_finite())
            .fold(f64::INFINITY, f64::min);
        given.push(format!(
            "--max-years {y} (the nearest project is {nearest:.1} years away)"
        ));
    }
    if !flags.screen.is_empty() {
        given.push(format!(
            "--screen {}",
            flags
                .screen
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if given.is_empty() {
        given = screens.iter().map(ToString::to_string).collect();
    }
    eprintln!(
        "prospect: no project passes the filters and screens: {}",
        prospect::output::printable(&given.join("; "))
    );
}

/// Rows of a table beyond which it shows only the top (a terminal is no place for a
/// national database; CSV and JSON hold every project).
pub const TABLE_ROWS: usize = 1000;

/// Rows made at a time when writing CSV (bounded memory).
const CSV_PAGE: usize = 10_000;

/// The run-wide fields of a ranking's JSON.
pub struct Head {
    pub prospect_version: String,
    pub as_of: i32,
    pub seed: Option<u64>,
    pub draws: usize,
    pub percentile_convention: String,
}

impl Head {
    pub fn of(report: &prospect::appraisal::Report) -> Head {
        Head {
            prospect_version: report.prospect_version.clone(),
            as_of: report.as_of,
            seed: report.seed,
            draws: report.draws,
            percentile_convention: report.percentile_convention.to_owned(),
        }
    }
}

/// Ranks `all` (any order) with `flags` on the `[rank]` assumptions `rank` and writes the
/// ranking as `out` asks, rows made as they are written; exit 1 when nothing passes.
pub fn write_ranking(
    flags: &RankFlags,
    rank: &prospect::assumptions::RankAssumptions,
    mut all: Vec<Criteria>,
    head: &Head,
    out: &OutputArgs,
) -> Result<u8> {
    use prospect::portfolio::{committee, criteria, rank as pr};
    criteria::sort(&mut all);
    let mut base = rank.weights.clone();
    if let Some(path) = &flags.weights {
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
    let weights = pr::Weights::with_overrides(&base, &flags.weight)?;
    let filters = pr::Filters {
        commodity: flags.commodity.clone(),
        regime: flags.regime.clone(),
        country: flags.country.clone(),
        max_years: flags.max_years,
    };
    let mut screens = filters.screens();
    screens.extend(flags.screen.iter().cloned());
    let committee_weights = committee::weights(&rank.committee.weights, &flags.committee_weight)?;
    let scored = pr::Scored::new(&all, &weights, &screens, &rank.subscores);
    let leagues = committee::Leagues::new(&all, &committee_weights, &screens, &rank.committee);
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        prospect_version: &'a str,
        as_of: i32,
        seed: Option<u64>,
        draws: usize,
        percentile_convention: &'a str,
        ranking: &'a pr::Scored<'a>,
        committee: &'a committee::Leagues<'a>,
    }
    let doc = Doc {
        prospect_version: &head.prospect_version,
        as_of: head.as_of,
        seed: head.seed,
        draws: head.draws,
        percentile_convention: &head.percentile_convention,
        ranking: &scored,
        committee: &leagues,
    };
    let table_note = |shown: usize, of: usize| {
        format!(
            "Top {shown} of {of} ranked projects shown (a table this long is for no one to read); --format csv or json lists every project, and the excluded ones.\n"
        )
    };
    emit(out.output.as_deref(), |w| match out.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, &doc)?;
            w.write_all(b"\n")
        }
        OutputFormat::Table if flags.committee => {
            let longest = leagues.families().map(|(_, n)| n).max().unwrap_or(0);
            if longest <= TABLE_ROWS {
                w.write_all(
                    prospect::output::portfolio::committee_table(&leagues.committee()).as_bytes(),
                )
            } else {
                let page = leagues.page(1..TABLE_ROWS + 1, false);
                w.write_all(prospect::output::portfolio::committee_table(&page).as_bytes())?;
                w.write_all(
                    table_note(TABLE_ROWS, leagues.len())
                        .replace("Top", "In each league, the top")
                        .as_bytes(),
                )
            }
        }
        OutputFormat::Table => {
            if scored.len() <= TABLE_ROWS {
                w.write_all(prospect::output::portfolio::rank_table(&scored.ranking()).as_bytes())
            } else {
                let page = scored.page(1..TABLE_ROWS + 1, false);
                w.write_all(prospect::output::portfolio::rank_table(&page).as_bytes())?;
                w.write_all(table_note(TABLE_ROWS, scored.len()).as_bytes())
            }
        }
        OutputFormat::Csv => {
            // Page by page; each page's CSV after the first loses its header line.
            let csv =
                |first: bool, bytes: Result<Vec<u8>, csv::Error>| -> std::io::Result<Vec<u8>> {
                    let bytes = bytes.map_err(std::io::Error::other)?;
                    Ok(if first {
                        bytes
                    } else {
                        let cut = bytes
                            .iter()
                            .position(|b| *b == b'\n')
                            .map_or(bytes.len(), |i| i + 1);
                        bytes[cut..].to_vec()
                    })
                };
            if flags.committee {
                let families: Vec<(usize, usize)> =
                    leagues.families().map(|(_, n)| n).enumerate().collect();
                let mut first = true;
                for (l, n) in families {
                    let mut start = 1;
                    while start <= n {
                        let end = (start + CSV_PAGE).min(n + 1);
                        let page = leagues.page_of(l, start..end);
                        w.write_all(&csv(
                            first,
                            prospect::output::portfolio::committee_csv(&page),
                        )?)?;
                        first = false;
                        start = end;
                    }
                }
                if first {
                    w.write_all(&csv(
                        true,
                        prospect::output::portfolio::committee_csv(&leagues.page(0..0, false)),
                    )?)?;
                }
                Ok(())
            } else {
                let n = scored.len();
                let mut start = 1;
                let mut first = true;
                while first || start <= n {
                    let end = (start + CSV_PAGE).min(n + 1);
                    let page = scored.page(start..end, false);
                    w.write_all(&csv(first, prospect::output::portfolio::rank_csv(&page))?)?;
                    first = false;
                    start = end;
                }
                Ok(())
            }
        }
    })?;
    // Like grep, an empty selection is exit 1, with a hint of what the input holds.
    if flags.committee {
        if leagues.is_empty() && !all.is_empty() {
            eprintln!(
                "prospect: no project passes the screens {}",
                prospect::output::printable(&leagues.screens().join(", "))
            );
            return Ok(1);
        }
        return Ok(0);
    }
    if scored.is_empty() && !all.is_empty() {
        nothing_passes(flags, &screens, &all);
        return Ok(1);
    }
    Ok(0)
}

/// A shard's head for a run.
pub fn shard_head(
    report: &prospect::appraisal::Report,
    rank: &prospect::assumptions::RankAssumptions,
    projects: usize,
) -> Result<prospect::portfolio::criteria::ShardHead> {
    Ok(prospect::portfolio::criteria::ShardHead {
        kind: prospect::portfolio::criteria::SHARD_KIND.to_owned(),
        prospect_version: report.prospect_version.clone(),
        as_of: report.as_of,
        seed: report.seed,
        draws: report.draws,
        percentile_convention: report.percentile_convention.to_owned(),
        scenario: report.assumptions.scenario.clone(),
        assumptions_digest: report.assumptions.digest.clone(),
        discount_rate_pct: report.assumptions.discount_rate_pct,
        rank: serde_json::to_value(rank)?,
        projects,
    })
}
