//! `prospect report`: one self-contained HTML report for a committee.

use std::path::{Path, PathBuf};

use anyhow::Result;
use prospect::portfolio::timeline::Target;

use super::{ModelArgs, write_qml};

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

/// Projects up to which the report holds every appraisal and record after its streamed
/// passes, for the parts that need them whole: the strategic reserve (each project's lead
/// time drawn, and the plan's choice) and the what-if (the input appraised again at each
/// point of its grid). Above it, only the projects of the cards are held and the reserve
/// section says why it is missing.
pub const WHOLE_MAX_PROJECTS: usize = 20_000;

/// What the first streamed pass keeps of each project: its ranking criteria (with the
/// committee's inputs), its calendar line and, for a plant record, its plant, what
/// the aggregate charts count, and its GeoJSON feature (encoded, on its way to the
/// temporary file) with `--geojson`.
type First = (
    prospect::portfolio::criteria::Criteria,
    prospect::portfolio::timeline::CalendarLine,
    Option<Box<prospect::context::plants::Plant>>,
    prospect::output::report::SummaryPoint,
    Option<(Vec<u8>, prospect::output::layer::Schema)>,
);

/// The GeoJSON layer on its way: each feature in a temporary file, its slot and the
/// schema of all (as `prospect export` streams it).
struct Layer {
    spill: prospect::output::layer::Spill,
    schema: prospect::output::layer::Schema,
    slots: Vec<prospect::output::layer::Slot>,
    failed: Option<std::io::Error>,
}

/// Writes the layer as a GeoJSON FeatureCollection named after the file, in report order
/// with each feature's rank (`ranks`, by input position), with its style.
fn write_geojson(
    path: &Path,
    layer: Layer,
    all: &[prospect::portfolio::criteria::Criteria],
    ranks: Vec<Option<prospect::output::layer::RankCell>>,
) -> Result<()> {
    use anyhow::Context as _;
    let Layer {
        spill,
        mut schema,
        slots,
        failed,
    } = layer;
    if let Some(e) = failed {
        return Err(e).context("cannot keep the layer in a temporary file");
    }
    if !all.is_empty() {
        schema.ranked();
    }
    let mut order: Vec<usize> = (0..slots.len()).collect();
    order.sort_by(|&a, &b| {
        prospect::appraisal::report_order(
            (all[a].npv_musd(), all[a].id()),
            (all[b].npv_musd(), all[b].id()),
        )
    });
    let slots: Vec<_> = order.iter().map(|&i| (slots[i], ranks[i])).collect();
    drop((order, ranks));
    let rows = spill
        .finish()
        .context("cannot keep the layer in a temporary file")?;
    let layout = schema.layout();
    let name = path
        .file_stem()
        .map_or("prospect".to_owned(), |s| s.to_string_lossy().into_owned());
    super::emit(Some(path), |w| {
        prospect::output::geojson::write_rows_collection(&name, &layout, &rows, &slots, w)
    })?;
    if prospect::read::is_stdin(path) {
        return Ok(());
    }
    write_qml(path)
}

pub fn run(args: ReportArgs) -> Result<u8> {
    super::purge_freed_memory_after(0);
    use prospect::portfolio::{committee, criteria::Criteria, plant_records, rank, timeline};
    let qml = args.geojson.as_ref().map(|g| g.with_extension("qml"));
    let mut outputs = vec![("--output", args.output.as_path())];
    if let (Some(g), Some(q)) = (&args.geojson, &qml) {
        outputs.extend([("--geojson", g.as_path()), ("its style", q.as_path())]);
    }
    let mut inputs = args.files.clone();
    inputs.extend(args.reserve.demand_file.iter().cloned());
    args.model.guard(&inputs, &outputs)?;
    let demand = args.reserve.demand_given()?;
    args.model.one_stdin(&args.files, &[])?;
    let (assumptions, terms, context) = args.model.load()?;
    let run = (&assumptions, &terms, &context);
    // Streamed (issue 21): the first allocation pass once; a pass keeping of each project
    // only what the ranking, the committee, the timeline, the aggregate charts and the
    // GeoJSON need; then a pass re-appraising the projects of the cards (every project when
    // there are few) to write them.
    let Some(plants) = super::streamed::plants(&args.files, &args.model, run, false)? else {
        return Ok(1);
    };
    let ranges = &assumptions.validation.typical_grade_pct;
    let with_layer = args.geojson.is_some();
    let mut all: Vec<Criteria> = Vec::new();
    let mut lines: Vec<timeline::CalendarLine> = Vec::new();
    let mut plant_list = Vec::new();
    let mut summary = prospect::output::report::Summary::default();
    let mut layer = match with_layer {
        true => Some(Layer {
            spill: prospect::output::layer::Spill::new()
                .map_err(|e| anyhow::anyhow!("cannot make a temporary file for the layer: {e}"))?,
            schema: Default::default(),
            slots: Vec::new(),
            failed: None,
        }),
        false => None,
    };
    let first = super::streamed::stream_each(
        &args.files,
        &args.model,
        run,
        plants.as_ref(),
        &|r, p| -> First {
            let row = with_layer.then(|| {
                let row = prospect::output::layer::Row::new(r, &p, None);
                let mut bytes = Vec::new();
                prospect::output::layer::encode(&row, &mut bytes);
                (bytes, prospect::output::layer::Schema::of(&row))
            });
            (
                Criteria::new(&p, r, Some(ranges)),
                timeline::CalendarLine::of(&timeline::ProjectLine::of(&p, r)),
                plant_records::plant_of(r, &p).map(Box::new),
                prospect::output::report::SummaryPoint::of(&p),
                row,
            )
        },
        &mut |(c, line, plant, point, row): First| {
            all.push(c);
            lines.push(line);
            plant_list.extend(plant.map(|p| *p));
            summary.add(point);
            if let (Some(l), Some((bytes, s))) = (layer.as_mut(), row) {
                l.schema.merge(&s);
                match l.spill.push(&bytes) {
                    Ok(slot) => l.slots.push(slot),
                    Err(e) => {
                        l.failed.get_or_insert(e);
                    }
                }
            }
        },
    )?;
    let Some(head) = first else {
        return Ok(1);
    };
    let n = all.len();
    let summary_mode = n > args.cards;
    // The ranking with the default weights and the committee's leagues, on the criteria.
    let weights = rank::Weights::new(&assumptions.rank.weights)?;
    let scored = rank::Scored::new(&all, &weights, &[], &assumptions.rank.subscores);
    let ranking = if summary_mode {
        scored.page(1..args.cards.min(scored.len()) + 1, false)
    } else {
        scored.ranking()
    };
    let leagues = committee::Leagues::new(
        &all,
        &committee::weights(&assumptions.rank.committee.weights, &[])?,
        &[],
        &assumptions.rank.committee,
    );
    let committee = if summary_mode {
        leagues.page(1..args.cards + 1, true)
    } else {
        leagues.committee()
    };
    drop(leagues);
    let mut ranks: Vec<Option<prospect::output::layer::RankCell>> = Vec::new();
    if with_layer {
        ranks = vec![None; n];
        for (index, rank, score, pareto) in scored.placements() {
            ranks[index] = Some((rank, score, pareto));
        }
    }
    drop(scored);
    if let (Some(path), Some(layer)) = (&args.geojson, layer.take()) {
        write_geojson(path, layer, &all, std::mem::take(&mut ranks))?;
    }
    drop(all);
    let mut sep = args.model.separation(&assumptions)?;
    plant_records::add(&mut sep, plant_list);
    let (timeline, mut placed) = timeline::calendar(
        &lines,
        head.as_of,
        timeline::DEFAULT_HORIZON_Y,
        &assumptions.schedule.ramp_up,
        args.target,
        &sep,
    );
    drop(sep);
    // The second pass: the projects of the cards (every project up to the whole limit).
    let whole = !summary_mode || n <= WHOLE_MAX_PROJECTS;
    let cards: std::collections::HashSet<&str> =
        ranking.projects.iter().map(|r| r.id.as_str()).collect();
    let Some((kept, mut report)) =
        super::streamed::stream_on(&args.files, &args.model, run, plants.as_ref(), &|r, p| {
            (whole || cards.contains(r.id.as_str())).then(|| Box::new((r.clone(), p)))
        })?
    else {
        return Ok(1);
    };
    drop(plants);
    let (records, projects): (Vec<_>, Vec<_>) = kept.into_iter().flatten().map(|b| *b).unzip();
    // The timeline holds the lines of the projects kept (its charts draw no others), each
    // made again from its appraisal with what the allocation found of it.
    let mut kept_lines: Vec<timeline::ProjectLine> = records
        .iter()
        .zip(&projects)
        .map(|(r, p)| timeline::ProjectLine::of(p, r))
        .collect();
    let kept_at: std::collections::HashMap<&str, usize> = projects
        .iter()
        .enumerate()
        .map(|(k, p)| (p.id.as_str(), k))
        .collect();
    for (row, l) in lines.iter().enumerate() {
        if let Some(&k) = kept_at.get(l.id()) {
            std::mem::take(&mut placed[row]).place(&mut kept_lines[k]);
        }
    }
    drop((kept_at, lines, placed));
    kept_lines.sort_by(|a, b| {
        let year = |l: &timeline::ProjectLine| l.first_production_year.if_proceeds;
        year(a).cmp(&year(b)).then_with(|| a.id.cmp(&b.id))
    });
    let timeline = timeline.with_projects(kept_lines);
    report.projects = projects;
    report.projects.sort_by(|x, y| {
        prospect::appraisal::report_order((x.npv_musd.base, &x.id), (y.npv_musd.base, &y.id))
    });
    let grid = whatif_grid(&args, n, &records, &assumptions, &report)?;
    let mut extras = prospect::output::report::Extras {
        committee: Some(&committee),
        cards: Some(args.cards),
        summary: Some(&summary),
        geojson: args.geojson.is_some(),
        ..Default::default()
    };
    match &grid {
        Ok(g) => extras.whatif = Some(g.page(&report, &timeline, &records, &ranking, &assumptions)),
        Err(note) => extras.whatif_note = Some(note.clone()),
    }
    let reserve = if args.no_reserve || !whole {
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
        None if args.no_reserve => {
            extras.reserve_note =
                Some("No strategic reserve: the report was written with --no-reserve.".into())
        }
        None => {
            extras.reserve_note = Some(format!(
                "No strategic reserve: {} projects, more than the {} the report holds whole (the reserve draws every project's lead time and the plan chooses among whole appraisals); size it with prospect reserve on a shortlist of the input.",
                prospect::output::axes::label(n as f64),
                prospect::output::axes::label(WHOLE_MAX_PROJECTS as f64),
            ))
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
    projects: usize,
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
    if projects > args.cards {
        return Ok(Err(format!(
            "No what-if: {} projects, more than the {} of --cards (summary mode: the ranking table shows the top {}, which the what-if could not reorder); rank them at other prices and rates with prospect rank --price-factor and --discount-rate.",
            projects, args.cards, args.cards
        )));
    }
    if projects > g.max_projects {
        return Ok(Err(format!(
            "No what-if: {} projects, more than the {} of the assumptions' report.whatif.max_projects (the what-if appraises the input once per point of its grid and embeds each point's figures); rank them at other prices and rates with prospect rank --price-factor and --discount-rate.",
            projects, g.max_projects
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
