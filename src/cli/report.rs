//! `prospect report`: one self-contained HTML report for a committee.

use std::path::{Path, PathBuf};

use anyhow::Result;
use prospect::portfolio::timeline::Target;

use super::{ModelArgs, appraised, default_ranking, write_qml};

#[derive(clap::Args)]
pub struct ReportArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The HTML file to write (atomically; `-`: standard output).
    #[arg(long, short)]
    pub output: PathBuf,
    /// Supply target shown on the supply chart, e.g. ndpr=20000t@2032.
    #[arg(long)]
    pub target: Option<Target>,
    /// Report title.
    #[arg(
        long,
        default_value = "Rare-earth and deep-sea projects: appraisal and ranking"
    )]
    pub title: String,
    /// Also write the sites as QGIS-ready GeoJSON (with its .qml style) to this file.
    #[arg(long, value_name = "FILE.geojson")]
    pub geojson: Option<PathBuf>,
    /// Leave out the live what-if (controls for the price deck, the discount rate and the
    /// weights): the report then appraises the input once, not once per point of the
    /// assumptions' [report.whatif] grid.
    #[arg(long)]
    pub no_whatif: bool,
    /// Summary mode above this many projects: only the top N by rank get a card, a row of
    /// the ranking table and a bar of the timeline and NPV charts; aggregate charts (risked
    /// NPV, first production, counts by family and country) summarise every project, and
    /// there is no live what-if. The page says so.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub cards: usize,
    /// Leave out the strategic reserve section.
    #[arg(long)]
    pub no_reserve: bool,
    #[command(flatten)]
    pub reserve: super::reserve::ReserveFlags,
    /// With --target: the plan the reserve is compared with (see `reserve`).
    #[command(flatten)]
    pub plan: super::reserve::PlanFlags,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Writes the sites as a GeoJSON FeatureCollection named after the file, with its style.
fn write_geojson(
    path: &Path,
    report: &prospect::appraisal::Report,
    records: &[prospect::ProjectRecord],
    ranking: &prospect::portfolio::rank::Ranking,
) -> Result<()> {
    let name = path
        .file_stem()
        .map_or("prospect".to_owned(), |s| s.to_string_lossy().into_owned());
    let features = prospect::output::geojson::features(report, records, ranking);
    super::emit(Some(path), |w| {
        prospect::output::geojson::write_collection(&name, features, w)
    })?;
    if prospect::read::is_stdin(path) {
        return Ok(());
    }
    write_qml(path)
}

pub fn run(args: ReportArgs) -> Result<u8> {
    let qml = args.geojson.as_ref().map(|g| g.with_extension("qml"));
    let mut outputs = vec![("--output", args.output.as_path())];
    if let (Some(g), Some(q)) = (&args.geojson, &qml) {
        outputs.extend([("--geojson", g.as_path()), ("its style", q.as_path())]);
    }
    let mut inputs = args.files.clone();
    inputs.extend(args.reserve.demand_file.iter().cloned());
    args.model.guard(&inputs, &outputs)?;
    let demand = args.reserve.demand_given()?;
    let Some((records, report, assumptions)) = appraised(&args.files, &args.model)? else {
        return Ok(1);
    };
    let ranking = default_ranking(&report, &records, &assumptions)?;
    let timeline = prospect::portfolio::timeline::timeline(
        &report.projects,
        &records,
        report.as_of,
        prospect::portfolio::timeline::DEFAULT_HORIZON_Y,
        &assumptions.schedule.ramp_up,
        args.target,
        &args
            .model
            .separation_for(&assumptions, &records, &report.projects)?,
    );
    let committee = prospect::portfolio::committee::rank(
        &report.projects,
        &records,
        &prospect::portfolio::committee::weights(&assumptions.rank.committee.weights, &[])?,
        &[],
        &assumptions.rank.committee,
        &assumptions.validation.typical_grade_pct,
    );
    let grid = whatif_grid(&args, &records, &assumptions, &report)?;
    let mut extras = prospect::output::report::Extras {
        committee: Some(&committee),
        cards: Some(args.cards),
        ..Default::default()
    };
    match &grid {
        Ok(g) => extras.whatif = Some(g.page(&report, &timeline, &records, &ranking, &assumptions)),
        Err(note) => extras.whatif_note = Some(note.clone()),
    }
    let reserve = if args.no_reserve {
        None
    } else {
        let (demand, basis) = super::reserve::demand_or_default(demand, &assumptions);
        Some((
            super::reserve::sized(
                &args.reserve,
                demand,
                args.target.map(|t| (t, &args.plan)),
                (&records, &report, &assumptions),
                &args.model,
            )?,
            basis,
        ))
    };
    match &reserve {
        Some((r, basis)) => extras.reserve = Some((r, basis.clone())),
        None => {
            extras.reserve_note =
                Some("No strategic reserve: the report was written with --no-reserve.".into())
        }
    }
    let html = prospect::output::report::html_with(
        &report,
        &records,
        &ranking,
        &timeline,
        &args.title,
        &extras,
    );
    super::emit(Some(&args.output), |w| w.write_all(html.as_bytes()))?;
    if let Some(path) = &args.geojson {
        write_geojson(path, &report, &records, &ranking)?;
    }
    Ok(0)
}

/// The what-if's grid: the input appraised and its timeline built at every point of the
/// assumptions' price factors x discount rates but the run's own.
struct Grid {
    /// The deck's name (without a factor) and the run's factor and rate.
    scenario: String,
    factor: f64,
    rate_pct: f64,
    points: Vec<(
        f64,
        f64,
        prospect::appraisal::Report,
        prospect::portfolio::timeline::Timeline,
    )>,
}

impl Grid {
    /// The report's what-if: the grid with the run's own point.
    fn page<'a>(
        &'a self,
        report: &'a prospect::appraisal::Report,
        timeline: &'a prospect::portfolio::timeline::Timeline,
        records: &'a [prospect::ProjectRecord],
        ranking: &'a prospect::portfolio::rank::Ranking,
        assumptions: &'a prospect::assumptions::Assumptions,
    ) -> (
        prospect::output::whatif::Inputs<'a>,
        Vec<prospect::output::whatif::Point<'a>>,
    ) {
        use prospect::output::whatif::{Inputs, Point};
        let mut points = vec![Point {
            price_factor: self.factor,
            discount_rate_pct: self.rate_pct,
            report,
            timeline,
        }];
        points.extend(self.points.iter().map(|(k, r, rep, t)| Point {
            price_factor: *k,
            discount_rate_pct: *r,
            report: rep,
            timeline: t,
        }));
        let inputs = Inputs {
            ranking,
            records,
            base_weights: &assumptions.rank.weights,
            scores: &assumptions.rank.subscores,
            scenario: &self.scenario,
            base_price_factor: self.factor,
            base_discount_rate_pct: self.rate_pct,
            cells: ranking
                .projects
                .iter()
                .map(|r| (r.id.clone(), prospect::output::report::project_cell(r)))
                .collect(),
        };
        (inputs, points)
    }
}

/// Appraises the input at every point of the what-if grid but the run's own; `Err` with
/// the report's note when there is no what-if (left out, or too many projects).
fn whatif_grid(
    args: &ReportArgs,
    records: &[prospect::ProjectRecord],
    assumptions: &prospect::assumptions::Assumptions,
    report: &prospect::appraisal::Report,
) -> Result<std::result::Result<Grid, String>> {
    let g = &assumptions.report.whatif;
    if args.no_whatif {
        return Ok(Err(
            "No what-if: the report was written with --no-whatif.".into()
        ));
    }
    if records.len() > args.cards {
        return Ok(Err(format!(
            "No what-if: {} projects, more than the {} of --cards (summary mode: the ranking table shows the top {}, which the what-if could not reorder); rank them at other prices and rates with prospect rank --price-factor and --discount-rate.",
            records.len(),
            args.cards,
            args.cards
        )));
    }
    if records.len() > g.max_projects {
        return Ok(Err(format!(
            "No what-if: {} projects, more than the {} of the assumptions' report.whatif.max_projects (the what-if appraises the input once per point of its grid and embeds each point's figures); rank them at other prices and rates with prospect rank --price-factor and --discount-rate.",
            records.len(),
            g.max_projects
        )));
    }
    for (name, v) in [
        ("price_factors", &g.price_factors),
        ("discount_rates_pct", &g.discount_rates_pct),
    ] {
        if v.is_empty() || v.iter().any(|x| !x.is_finite()) {
            anyhow::bail!("assumptions report.whatif.{name}: give one or more finite numbers");
        }
    }
    if g.price_factors.iter().any(|k| *k <= 0.0) {
        anyhow::bail!("assumptions report.whatif.price_factors: every factor is above 0");
    }
    if g.discount_rates_pct.iter().any(|r| *r <= -100.0) {
        anyhow::bail!("assumptions report.whatif.discount_rates_pct: every rate is above -100 %");
    }
    let (assumptions, base_terms, context) = args.model.load()?;
    let factor = args.model.price_factor.unwrap_or(1.0);
    let rate_pct = report.assumptions.discount_rate_pct;
    let deck = assumptions.prices(
        args.model
            .scenario
            .as_deref()
            .unwrap_or(&assumptions.valuation.default_scenario),
    )?;
    let sim = args.model.simulation(&assumptions, false)?;
    let (factors, rates) = g.axes(factor, rate_pct);
    let mut points = Vec::new();
    let progress = indicatif::ProgressBar::hidden();
    let bar = grid_progress(args, factors.len() * rates.len() - 1);
    for k in &factors {
        for r in &rates {
            if *k == factor && *r == rate_pct {
                continue;
            }
            bar.inc(1);
            let mut terms = base_terms.clone();
            terms.prices = super::price_factored(&deck, *k);
            terms.discount_rate_pct = *r;
            let (rep, _) = prospect::portfolio::assigned::appraise_on_plants(
                records,
                &context,
                &assumptions,
                &terms,
                Some(&sim),
                &args.model.separation(&assumptions)?,
                &progress,
            );
            let timeline = prospect::portfolio::timeline::timeline(
                &rep.projects,
                records,
                rep.as_of,
                prospect::portfolio::timeline::DEFAULT_HORIZON_Y,
                &assumptions.schedule.ramp_up,
                args.target,
                &args
                    .model
                    .separation_for(&assumptions, records, &rep.projects)?,
            );
            points.push((*k, *r, rep, timeline));
        }
    }
    bar.finish_and_clear();
    Ok(Ok(Grid {
        scenario: deck.scenario.clone(),
        factor,
        rate_pct,
        points,
    }))
}

/// A progress bar for the what-if grid on a terminal (each point is a whole appraisal).
fn grid_progress(args: &ReportArgs, points: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if args.model.quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(points as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "what-if: {bar:30} {pos}/{len} points of price factor x rate, {eta} left",
    ) {
        bar.set_style(style);
    }
    bar
}
