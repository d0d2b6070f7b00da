//! The `prospect` command line: parses arguments, calls the library, prints.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// mimalloc: allocations made on the rayon pool and freed on the reading thread (every
/// record of a streamed run) cost glibc's allocator a lock per free; see docs/performance.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use prospect::appraise::{Options, Terms};
use prospect::assumptions::Assumptions;
use prospect::cashflow::Discounting;
use prospect::read::crs::Reprojector;
use prospect::simulate::SimOptions;
use prospect::spatial::{Context, ContextPaths};
use prospect::timeline::{Target, parse_budget};

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
    /// Value each project: NPV, IRR, payback, capex, basket price, output, breakeven price
    /// factor, spatial context, first-production year and chance of success, with the
    /// provenance of every input.
    Appraise(Box<AppraiseArgs>),
    /// Which assumptions drive one project's NPV: a tornado (NPV with each driver at its
    /// P10 and P90, the others at base) and the rank correlation of each driver with NPV
    /// across the simulation.
    Sensitivity(Box<SensitivityArgs>),
    /// Rank projects for financing by weighted criteria (risked value, speed, supply
    /// security, risk, confidence), with each criterion's contribution and a Pareto flag.
    Rank(Box<RankArgs>),
    /// The investment timeline: remaining stages and first production per project, capex
    /// per year and non-China NdPr and Dy+Tb supply per year, and when a target is met.
    Timeline(Box<TimelineArgs>),
    /// Choose which projects to finance, and when, to meet a supply target as early as
    /// possible within an annual budget.
    Plan(Box<PlanArgs>),
    /// Write the appraised sites as RFC 7946 GeoJSON for QGIS (or a GeoJSON text
    /// sequence), optionally with a QGIS style graduated by score.
    Export(Box<ExportArgs>),
    /// Write a self-contained HTML report for a committee: map, ranking, timeline, supply,
    /// NPV spread and a card per project.
    Report(Box<ReportArgs>),
    /// Write synthetic but plausible records (real samples moved and rescaled), for
    /// benchmarks.
    Synth(SynthArgs),
}

#[derive(clap::Args)]
struct SynthArgs {
    /// How many records.
    #[arg(long, default_value_t = 1000)]
    count: u64,
    /// Seed (the same seed gives the same file).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(clap::Args)]
struct ReportArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The HTML file to write (atomically).
    #[arg(long, short)]
    output: PathBuf,
    /// Supply target shown on the supply chart, e.g. ndpr=20000t@2032.
    #[arg(long)]
    target: Option<Target>,
    /// Report title.
    #[arg(
        long,
        default_value = "Rare-earth and deep-sea projects: appraisal and ranking"
    )]
    title: String,
    /// Also write the sites as QGIS-ready GeoJSON (with its .qml style) to this file.
    #[arg(long, value_name = "FILE.geojson")]
    geojson: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// One FeatureCollection (RFC 7946).
    Geojson,
    /// One feature per line after a record separator (RFC 8142), for very large outputs.
    Geojsonseq,
}

#[derive(clap::Args)]
struct ExportArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Geojson)]
    format: ExportFormat,
    /// Layer name (the collection's `name` member); default: the output file's stem.
    #[arg(long)]
    name: Option<String>,
    /// Also write a QGIS style (.qml) beside the output, graduated by score.
    #[arg(long, requires = "output")]
    qml: bool,
    #[command(flatten)]
    model: ModelArgs,
}

/// Where and how a report is written.
#[derive(clap::Args)]
struct OutputArgs {
    /// Output form.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(clap::Args)]
struct RankArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// TOML file of criterion weights ([weights] value = 0.35, speed = 0.2, ...).
    #[arg(long, value_name = "FILE")]
    weights: Option<PathBuf>,
    /// Set one weight, NAME=VALUE (value, speed, supply, risk, confidence); repeatable.
    #[arg(long, value_name = "NAME=VALUE")]
    weight: Vec<String>,
    /// Keep only this commodity (rare_earths, ni_cu_co_mn, cu_zn_au).
    #[arg(long)]
    commodity: Option<String>,
    /// Keep only this regime (onshore, eez, area).
    #[arg(long)]
    regime: Option<String>,
    /// Keep only this country (ISO alpha-2).
    #[arg(long)]
    country: Option<String>,
    /// Keep only projects at most this many years from first production (P50).
    #[arg(long, value_name = "YEARS")]
    max_years: Option<f64>,
    #[command(flatten)]
    out: OutputArgs,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(clap::Args)]
struct TimelineArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Supply target, e.g. ndpr=20000t@2032 or dytb=500t@2030.
    #[arg(long)]
    target: Option<Target>,
    /// Years covered from --as-of.
    #[arg(long, default_value_t = prospect::timeline::DEFAULT_HORIZON_Y)]
    horizon: i32,
    #[command(flatten)]
    out: OutputArgs,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(clap::Args)]
struct PlanArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Annual budget, e.g. 2000musd/y (US$ million a year).
    #[arg(long, value_parser = parse_budget)]
    budget: f64,
    /// Supply target, e.g. ndpr=20000t@2032.
    #[arg(long)]
    target: Target,
    /// Years covered from --as-of.
    #[arg(long, default_value_t = prospect::timeline::DEFAULT_HORIZON_Y)]
    horizon: i32,
    #[command(flatten)]
    out: OutputArgs,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(clap::Args)]
struct SensitivityArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The project's id.
    #[arg(long)]
    project: String,
    /// Output form (table or json).
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// GeoJSON (.geojson, .json) or CSV (.csv) files of project records.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// How to print the problems.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
    /// Coordinate system of the inputs' coordinates (EPSG:NNNN or a PROJ string; default
    /// WGS84 lon/lat). Needs the `proj` feature for anything but WGS84.
    #[arg(long, value_name = "CRS")]
    crs: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    /// One line per problem; a summary on standard error.
    Text,
    /// One JSON object with every problem.
    Json,
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
    /// Also write the annual cash-flow schedule of every project to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    cashflows: Option<PathBuf>,
    /// Also write every draw's NPV and lead time to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    keep_draws: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
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

/// What every valuing command shares: assumptions, price deck, rate, clock and context.
#[derive(clap::Args)]
struct ModelArgs {
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
    /// Calendar year the lead-time clock starts from (default: the current year).
    #[arg(long, value_name = "YEAR")]
    as_of: Option<i32>,
    /// Folder of context layers (ports, plants, zones, protected, land .geojson); each file
    /// present replaces the built-in layer.
    #[arg(long, value_name = "DIR")]
    context: Option<PathBuf>,
    /// Ports layer (GeoJSON points with name, country).
    #[arg(long, value_name = "FILE")]
    ports: Option<PathBuf>,
    /// Separation plants layer (GeoJSON points with name, country, kind, status).
    #[arg(long, value_name = "FILE")]
    plants: Option<PathBuf>,
    /// Jurisdiction zones layer (EEZ polygons with name, country).
    #[arg(long, value_name = "FILE")]
    zones: Option<PathBuf>,
    /// Protected areas layer (polygons with name, designation).
    #[arg(long, value_name = "FILE")]
    protected: Option<PathBuf>,
    /// Land layer (polygons), for distance to shore.
    #[arg(long, value_name = "FILE")]
    land: Option<PathBuf>,
    /// Monte Carlo draws per project (0: deterministic only; default: the assumptions',
    /// 10,000).
    #[arg(long, value_name = "N")]
    draws: Option<usize>,
    /// Seed of the simulation (default: the assumptions', printed in every output).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Hold a driver at its base value (price_ndpr, price_dytb, price_light, price_heavy,
    /// price_ni, price_cu, price_co, price_mn, grade, tonnage, recovery, capex, opex,
    /// lead_time, regulatory); repeatable.
    #[arg(long, value_name = "DRIVER")]
    fix: Vec<String>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Coordinate system of the inputs' coordinates (EPSG:NNNN or a PROJ string; default
    /// WGS84 lon/lat, x = longitude). With a projected CRS the lon/lat (or x/y) columns hold
    /// easting and northing. Needs the `proj` feature for anything but WGS84.
    #[arg(long, value_name = "CRS")]
    crs: Option<String>,
}

/// The calendar year now (UTC), from the system clock.
fn current_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Civil year from days since 1970-01-01 (Howard Hinnant's days_from_civil inverse).
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2)) as i32
}

impl ModelArgs {
    /// The simulation options of a run.
    fn simulation(&self, a: &Assumptions, keep_draws: bool) -> Result<SimOptions> {
        for f in &self.fix {
            if !prospect::simulate::DRIVERS.contains(&f.as_str()) {
                anyhow::bail!(
                    "--fix {f:?}: unknown driver; drivers are {}",
                    prospect::simulate::DRIVERS.join(", ")
                );
            }
        }
        Ok(SimOptions {
            draws: self.draws.unwrap_or(a.uncertainty.draws),
            seed: self.seed.unwrap_or(a.uncertainty.seed),
            fixed: self.fix.clone(),
            keep_draws,
        })
    }

    /// A progress bar on a terminal for runs long enough to need one.
    fn progress(&self, projects: usize, draws: usize) -> ProgressBar {
        use std::io::IsTerminal;
        if self.quiet || !io::stderr().is_terminal() || projects.saturating_mul(draws) < 200_000 {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(projects as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} projects, {eta} left")
        {
            bar.set_style(style);
        }
        bar
    }

    /// A progress counter on a terminal for a run of records not yet counted.
    fn stream_progress(&self, draws: usize) -> ProgressBar {
        use std::io::IsTerminal;
        if self.quiet || !io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner();
        let per = if draws > 0 {
            format!(" x {draws} draws")
        } else {
            String::new()
        };
        if let Ok(style) = ProgressStyle::with_template(&format!(
            "{{spinner}} {{pos}} projects{per} appraised, {{elapsed}}"
        )) {
            bar.set_style(style);
        }
        bar
    }

    /// Assumptions, terms and context layers of a run.
    fn load(&self) -> Result<(Assumptions, Terms, Context)> {
        let assumptions = Assumptions::load(self.assumptions.as_deref())?;
        let options = Options {
            scenario: self.scenario.clone(),
            discount_rate_pct: self.discount_rate,
            discounting: self.discounting,
            as_of: self.as_of.unwrap_or_else(current_year),
            keep_cashflows: false,
        };
        let terms = Terms::resolve(&assumptions, &options)?;
        let from_dir = self
            .context
            .as_deref()
            .map(ContextPaths::from_dir)
            .unwrap_or_default();
        let paths = from_dir.overridden_by(ContextPaths {
            ports: self.ports.clone(),
            plants: self.plants.clone(),
            zones: self.zones.clone(),
            protected: self.protected.clone(),
            land: self.land.clone(),
        });
        let context = Context::load(&paths)?;
        Ok((assumptions, terms, context))
    }
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
        Command::Appraise(args) => appraise(*args),
        Command::Sensitivity(args) => sensitivity(*args),
        Command::Rank(args) => rank(*args),
        Command::Timeline(args) => timeline(*args),
        Command::Plan(args) => plan(*args),
        Command::Export(args) => export(*args),
        Command::Report(args) => report(*args),
        Command::Synth(args) => synth(args),
    }
}

/// The reprojector for `--crs`, or none for WGS84.
fn reprojector(crs: Option<&str>) -> Result<Option<Reprojector>> {
    match crs {
        Some(c) if !prospect::read::crs::is_wgs84(c) => {
            Ok(Some(Reprojector::new(c).map_err(anyhow::Error::msg)?))
        }
        _ => Ok(None),
    }
}

/// Reads and validates every file; prints problems to standard error. `None` when any
/// record has an error (nothing is appraised from bad input).
fn read_valid(
    files: &[PathBuf],
    crs: Option<&str>,
) -> Result<Option<Vec<prospect::ProjectRecord>>> {
    let crs = reprojector(crs)?;
    let data = prospect::read::read_all_in(files, crs.as_ref())?;
    for d in &data.diagnostics {
        eprintln!("{d}");
    }
    if data.has_errors() {
        nothing_appraised(data.tally.errors);
        return Ok(None);
    }
    Ok(Some(data.records))
}

/// Says that bad input stopped the run (the problems are already printed).
fn nothing_appraised(errors: usize) {
    eprintln!(
        "prospect: {errors} error(s) in the input; nothing appraised (run `prospect check` for the full list)"
    );
}

/// Writes to `--output` atomically, or to standard output.
fn emit(output: Option<&Path>, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    match output {
        Some(path) => prospect::output::write_atomic_with(path, fill)
            .with_context(|| format!("cannot write {}", path.display())),
        None => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            fill(&mut out)?;
            out.flush()?;
            Ok(())
        }
    }
}

fn appraise(args: AppraiseArgs) -> Result<u8> {
    use prospect::output::{AppraisalWriter, Form};
    let model = &args.model;
    let (assumptions, mut terms, context) = model.load()?;
    terms.keep_cashflows = args.cashflows.is_some();
    let sim = model.simulation(&assumptions, args.keep_draws.is_some())?;
    let crs = reprojector(model.crs.as_deref())?;
    let table = matches!(args.format, OutputFormat::Table);
    let form = match args.format {
        OutputFormat::Json => Form::Json,
        _ => Form::Csv,
    };
    let mut writer =
        AppraisalWriter::new(form, args.keep_draws.is_some(), args.cashflows.is_some())?;
    let encoder = writer.encoder();
    let progress = model.stream_progress(sim.draws);
    let run = prospect::appraise::Run {
        context: &context,
        assumptions: &assumptions,
        terms: &terms,
        sim: Some(&sim),
        progress: &progress,
    };
    // Projects stream through the writer (a table, read by people, keeps them all).
    let mut kept = Vec::new();
    let mut failed = None;
    let tally = prospect::appraise::appraise_files(
        &args.files,
        crs.as_ref(),
        &run,
        &|p| (encoder.encode(&p), table.then_some(p)),
        &mut |d| eprintln!("{d}"),
        &mut |(encoded, p)| {
            kept.extend(p);
            if let Err(e) = encoded.and_then(|e| writer.push(e)) {
                failed.get_or_insert(e);
            }
        },
    )?;
    progress.finish_and_clear();
    if tally.errors > 0 {
        nothing_appraised(tally.errors);
        return Ok(1);
    }
    if let Some(e) = failed {
        return Err(e).context("cannot keep the appraisals in a temporary file");
    }
    let report = prospect::appraise::Report::new(&assumptions, &terms, Some(&sim), kept);
    if let Some(seed) = report
        .seed
        .filter(|_| report.draws > 0 && !args.model.quiet)
    {
        eprintln!("prospect: {} draws per project, seed {seed}", report.draws);
    }
    if table {
        emit(args.output.as_deref(), |w| {
            w.write_all(prospect::output::table(&report).as_bytes())
        })?;
    } else {
        emit(args.output.as_deref(), |w| writer.write_main(&report, w))?;
    }
    if let Some(path) = &args.keep_draws {
        prospect::output::write_atomic_with(path, |w| writer.write_draws(w))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.cashflows {
        prospect::output::write_atomic_with(path, |w| writer.write_cashflows(w))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(0)
}

fn check(args: CheckArgs) -> Result<u8> {
    let crs = reprojector(args.crs.as_deref())?;
    let report = prospect::check::check_in(&args.files, crs.as_ref());
    let mut out = io::stdout().lock();
    match args.format {
        CheckFormat::Text => {
            for d in &report.diagnostics {
                writeln!(out, "{}", prospect::output::printable(&d.to_string()))?;
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

fn sensitivity(args: SensitivityArgs) -> Result<u8> {
    let (assumptions, terms, context) = args.model.load()?;
    let Some(records) = read_valid(&args.files, args.model.crs.as_deref())? else {
        return Ok(1);
    };
    let Some(record) = records.into_iter().find(|r| r.id == args.project) else {
        anyhow::bail!("no project with id {:?} in the input", args.project);
    };
    let mut sim = args.model.simulation(&assumptions, false)?;
    if sim.draws == 0 {
        sim.draws = assumptions.uncertainty.draws;
    }
    let progress = ProgressBar::hidden();
    let report = prospect::appraise::appraise_all(
        &[record],
        &context,
        &assumptions,
        &terms,
        Some(&sim),
        &progress,
    );
    let project = &report.projects[0];
    let Some(summary) = &project.simulation else {
        let reason = project.unvalued_reason.as_deref().unwrap_or("not valued");
        anyhow::bail!("project {:?} cannot be simulated: {reason}", project.id);
    };
    let bytes = match args.format {
        OutputFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&serde_json::json!({
                "prospect_version": report.prospect_version,
                "id": project.id,
                "seed": sim.seed,
                "draws": sim.draws,
                "percentile_convention": report.percentile_convention,
                "npv_musd": project.npv_musd,
                "sensitivity": summary.sensitivity,
            }))?;
            v.push(b'\n');
            v
        }
        _ => prospect::output::tornado(project, summary).into_bytes(),
    };
    emit(None, |w| w.write_all(&bytes))?;
    Ok(0)
}

/// Reads and validates `files`, then appraises (and simulates) them with the model
/// options, all in memory; `None` when the records have errors (already reported).
fn appraised(
    files: &[PathBuf],
    model: &ModelArgs,
) -> Result<
    Option<(
        Vec<prospect::ProjectRecord>,
        prospect::appraise::Report,
        Assumptions,
    )>,
> {
    let (assumptions, terms, context) = model.load()?;
    let Some(records) = read_valid(files, model.crs.as_deref())? else {
        return Ok(None);
    };
    let sim = model.simulation(&assumptions, false)?;
    let progress = model.progress(records.len(), sim.draws);
    let report = prospect::appraise::appraise_all(
        &records,
        &context,
        &assumptions,
        &terms,
        Some(&sim),
        &progress,
    );
    Ok(Some((records, report, assumptions)))
}

/// The ranking with the default weights (for the GIS layer and the report).
fn default_ranking(
    report: &prospect::appraise::Report,
    records: &[prospect::ProjectRecord],
    assumptions: &Assumptions,
) -> Result<prospect::rank::Ranking> {
    let weights = prospect::rank::Weights::new(&assumptions.rank.weights)?;
    Ok(prospect::rank::rank(
        &report.projects,
        records,
        &weights,
        &prospect::rank::Filters::default(),
    ))
}

/// Writes a report as a table, CSV or JSON.
fn write_report<T: serde::Serialize>(
    out: &OutputArgs,
    value: &T,
    table: impl FnOnce() -> String,
    csv: impl FnOnce() -> Result<Vec<u8>, csv::Error>,
) -> Result<()> {
    let bytes = match out.format {
        OutputFormat::Table => table().into_bytes(),
        OutputFormat::Csv => csv()?,
        OutputFormat::Json => {
            let mut v = serde_json::to_vec_pretty(value)?;
            v.push(b'\n');
            v
        }
    };
    emit(out.output.as_deref(), |w| w.write_all(&bytes))
}

fn rank(args: RankArgs) -> Result<u8> {
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
    let weights = prospect::rank::Weights::with_overrides(&base, &args.weight)?;
    let filters = prospect::rank::Filters {
        commodity: args.commodity.clone(),
        regime: args.regime.clone(),
        country: args.country.clone(),
        max_years: args.max_years,
    };
    let ranking = prospect::rank::rank(&report.projects, &records, &weights, &filters);
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
        || prospect::output::rank_table(&ranking),
        || prospect::output::rank_csv(&ranking),
    )?;
    Ok(0)
}

fn timeline(args: TimelineArgs) -> Result<u8> {
    let Some((records, report, assumptions)) = appraised(&args.files, &args.model)? else {
        return Ok(1);
    };
    let t = prospect::timeline::timeline(
        &report.projects,
        &records,
        report.as_of,
        args.horizon,
        &assumptions.schedule.ramp_up,
        args.target,
    );
    write_report(
        &args.out,
        &t,
        || prospect::output::timeline_table(&t),
        || prospect::output::timeline_csv(&t),
    )?;
    Ok(0)
}

fn plan(args: PlanArgs) -> Result<u8> {
    let Some((records, report, assumptions)) = appraised(&args.files, &args.model)? else {
        return Ok(1);
    };
    let p = prospect::timeline::plan(
        &report.projects,
        &records,
        report.as_of,
        args.horizon,
        &assumptions.schedule.ramp_up,
        args.target,
        args.budget,
    );
    write_report(
        &args.out,
        &p,
        || prospect::output::plan_table(&p),
        || prospect::output::plan_csv(&p),
    )?;
    Ok(0)
}

fn export(args: ExportArgs) -> Result<u8> {
    let Some((records, report, assumptions)) = appraised(&args.files, &args.model)? else {
        return Ok(1);
    };
    let ranking = default_ranking(&report, &records, &assumptions)?;
    let name = args.name.clone().unwrap_or_else(|| {
        args.output
            .as_deref()
            .and_then(|p| p.file_stem())
            .map_or("prospect".to_owned(), |s| s.to_string_lossy().into_owned())
    });
    let features = prospect::export::features(&report, &records, &ranking);
    emit(args.output.as_deref(), |w| match args.format {
        ExportFormat::Geojson => prospect::export::write_collection(&name, features, w),
        ExportFormat::Geojsonseq => prospect::export::write_sequence(features, w),
    })?;
    if let (true, Some(path)) = (args.qml, &args.output) {
        write_qml(path)?;
    }
    Ok(0)
}

/// Writes the QGIS style beside a GeoJSON file.
fn write_qml(geojson: &Path) -> Result<()> {
    let qml = geojson.with_extension("qml");
    prospect::output::write_atomic(&qml, prospect::export::qml().as_bytes())
        .with_context(|| format!("cannot write {}", qml.display()))
}

/// Writes the sites as a GeoJSON FeatureCollection named after the file, with its style.
fn write_geojson(
    path: &Path,
    report: &prospect::appraise::Report,
    records: &[prospect::ProjectRecord],
    ranking: &prospect::rank::Ranking,
) -> Result<()> {
    let name = path
        .file_stem()
        .map_or("prospect".to_owned(), |s| s.to_string_lossy().into_owned());
    let features = prospect::export::features(report, records, ranking);
    prospect::output::write_atomic_with(path, |w| {
        prospect::export::write_collection(&name, features, w)
    })
    .with_context(|| format!("cannot write {}", path.display()))?;
    write_qml(path)
}

fn report(args: ReportArgs) -> Result<u8> {
    let Some((records, report, assumptions)) = appraised(&args.files, &args.model)? else {
        return Ok(1);
    };
    let ranking = default_ranking(&report, &records, &assumptions)?;
    let timeline = prospect::timeline::timeline(
        &report.projects,
        &records,
        report.as_of,
        prospect::timeline::DEFAULT_HORIZON_Y,
        &assumptions.schedule.ramp_up,
        args.target,
    );
    let html = prospect::report::html(&report, &records, &ranking, &timeline, &args.title);
    prospect::output::write_atomic(&args.output, html.as_bytes())
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    if let Some(path) = &args.geojson {
        write_geojson(path, &report, &records, &ranking)?;
    }
    Ok(0)
}

fn synth(args: SynthArgs) -> Result<u8> {
    let write = |w: &mut dyn Write| {
        prospect::synth::write(args.count, args.seed, w).map_err(io::Error::other)
    };
    match &args.output {
        Some(path) => prospect::output::write_atomic_with(path, write)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => write(&mut io::BufWriter::new(io::stdout().lock()))?,
    }
    Ok(0)
}
