//! The commands, one file each with its arguments and body; what they share (the model
//! arguments, reading and validating inputs, the reprojector, the appraised-records path,
//! writing a report) is here, so that no command reaches into another.

pub mod allocate;
pub mod appraise;
pub mod check;
pub mod completions;
pub mod export;
pub mod merge;
pub mod plan;
pub mod rank;
pub mod ranking;
pub mod report;
pub mod reserve;
pub mod sensitivity;
pub mod streamed;
pub mod synth;
pub mod timeline;
pub mod usage;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use prospect::appraise::Pass;
use prospect::appraise::{Options, Terms};
use prospect::assumptions::Assumptions;
use prospect::context::{Context, ContextPaths};
use prospect::model::cashflow::Discounting;
use prospect::model::simulate::SimOptions;
use prospect::read::crs::Reprojector;

/// Where and how a report is written.
#[derive(clap::Args)]
pub struct OutputArgs {
    /// Output form.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    /// An aligned table for the terminal.
    Table,
    /// One CSV row per project.
    Csv,
    /// The JSON contract of docs/outputs.md.
    Json,
}

/// What every valuing command shares: assumptions, price deck, rate, clock and context.
#[derive(clap::Args)]
pub struct ModelArgs {
    /// Price deck (a scenario of the assumptions: market_2025_12 (default), market_2025_06, incentive_ex_china, low, high).
    #[arg(long)]
    pub scenario: Option<String>,
    /// Royalty scenario of the Area's ISA route (a key of the assumptions'
    /// area_royalty_scenarios: low 2 %, draft 6 %, high 20 %; default: draft).
    #[arg(long, value_name = "NAME")]
    pub area_royalty: Option<String>,
    /// Real discount rate in percent: 8 or 8% is 8 % (default: the assumptions', 8 %). A
    /// bare number below 1, such as 0.08, is refused as a likely fraction; write 0.5% for
    /// a rate below 1 %.
    #[arg(long, value_name = "PCT", allow_negative_numbers = true, value_parser = parse_rate_pct)]
    pub discount_rate: Option<f64>,
    /// Multiply every price of the deck (oxides, metals) by this factor, e.g. 1.25 for
    /// prices 25 % above the deck; a record's own prices and the default by-product prices
    /// are used as given. The report's what-if uses the same factor.
    #[arg(long, value_name = "FACTOR", allow_negative_numbers = true, value_parser = parse_price_factor)]
    pub price_factor: Option<f64>,
    /// When in the year cash flows fall.
    #[arg(long, value_enum, default_value_t = Discounting::EndOfYear)]
    pub discounting: Discounting,
    /// TOML file overriding any subset of the default assumptions.
    #[arg(long, value_name = "FILE")]
    pub assumptions: Option<PathBuf>,
    /// Calendar year the lead-time clock starts from (default: the current year).
    #[arg(long, value_name = "YEAR", allow_negative_numbers = true)]
    pub as_of: Option<i32>,
    /// Folder of context layers (ports, plants, zones, protected, land .geojson); each file
    /// present replaces the built-in layer.
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// Ports layer (GeoJSON points with name, country).
    #[arg(long, value_name = "FILE")]
    pub ports: Option<PathBuf>,
    /// Separation plants layer (GeoJSON points with name, country, kind, status).
    #[arg(long, value_name = "FILE")]
    pub plants: Option<PathBuf>,
    /// Jurisdiction zones layer (EEZ polygons with name, country).
    #[arg(long, value_name = "FILE")]
    pub zones: Option<PathBuf>,
    /// Protected areas layer (polygons with name, designation).
    #[arg(long, value_name = "FILE")]
    pub protected: Option<PathBuf>,
    /// Land layer (polygons), for distance to shore.
    #[arg(long, value_name = "FILE")]
    pub land: Option<PathBuf>,
    /// Monte Carlo draws per project (0: deterministic only; default: the assumptions',
    /// 10,000).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub draws: Option<usize>,
    /// Seed of the simulation (default: the assumptions', printed in every output).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Hold a driver at its base value (price_ndpr, price_dytb, price_light, price_heavy,
    /// price_ni, price_cu, price_co, price_mn, grade, tonnage, recovery, capex, opex,
    /// lead_time, regulatory); repeatable.
    #[arg(long, value_name = "DRIVER")]
    pub fix: Vec<String>,
    /// Value each project on the plant terms of this file, written by `prospect allocate`
    /// over the whole input, instead of allocating the plants over this run's files: the
    /// shards of an input, each run with the same file, value their projects as one run
    /// over the whole input does (docs/performance.md, "Shards that allocate plants").
    #[arg(long, value_name = "FILE.json")]
    pub assigned_plants: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Coordinate system of the inputs' coordinates (EPSG:NNNN or a PROJ string; default
    /// WGS84 lon/lat, x = longitude). With a projected CRS the lon/lat (or x/y) columns hold
    /// easting and northing. Needs the `proj` feature for anything but WGS84.
    #[arg(long, value_name = "CRS")]
    pub crs: Option<String>,
    /// Leave a separation plant out (its id in the plants layer); repeatable.
    #[arg(long, value_name = "PLANT")]
    pub drop_plant: Vec<String>,
    /// Delay a separation plant, PLANT=+YEARS, or start it in a year, PLANT=YEAR (which also
    /// dates a plant the layer leaves undated); repeatable.
    #[arg(long, value_name = "PLANT=+N|YEAR")]
    pub delay_plant: Vec<prospect::portfolio::separation::PlantChange>,
}

impl ModelArgs {
    /// The separation plants of the run (the plants layer after `--drop-plant` and
    /// `--delay-plant`) with the assumptions' charges.
    pub fn separation(
        &self,
        assumptions: &Assumptions,
    ) -> Result<prospect::portfolio::separation::Separation> {
        use prospect::portfolio::separation::{PlantChange, Separation};
        let path = match (&self.plants, self.context.as_deref()) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(dir)) => ContextPaths::from_dir(dir)?.plants,
            (None, None) => None,
        };
        let plants = prospect::context::load_plants(path.as_deref())?;
        let changes: Vec<PlantChange> = self
            .drop_plant
            .iter()
            .map(|id| PlantChange::Drop(id.clone()))
            .chain(self.delay_plant.iter().cloned())
            .collect();
        let mut sep = Separation::new(plants, assumptions);
        sep.apply(&changes).map_err(anyhow::Error::msg)?;
        Ok(sep)
    }
}

impl ModelArgs {
    /// The separation plants of a run (as [`ModelArgs::separation`]) with the input's own
    /// plant records, dated by their appraisals `projects`.
    pub fn separation_for(
        &self,
        assumptions: &Assumptions,
        records: &[prospect::ProjectRecord],
        projects: &[prospect::appraisal::Appraisal],
    ) -> Result<prospect::portfolio::separation::Separation> {
        use prospect::portfolio::plant_records;
        let mut sep = self.separation(assumptions)?;
        plant_records::add(&mut sep, plant_records::from_records(records, projects));
        Ok(sep)
    }
}

/// mimalloc's option `mi_option_purge_delay` (its place in `mi_option_e`, mimalloc 2 and 3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Has the allocator give freed memory back to the system `delay_ms` milliseconds after
/// it is freed rather than after its default delay (1 s in mimalloc 3). A streamed run
/// frees every appraisal it has read, and during the delay a second's worth of them still
/// counts in the process's memory: about 80 MB of `report`'s peak at 1,000,000 sites and
/// 50 MB of `plan`'s (docs/performance.md, "Memory the allocator holds"). The commands
/// that keep something of every project call it: `report` with 0 (its time unchanged),
/// `plan` and `timeline` with 100 (at 0, `plan` took 10 % longer);
/// `appraise` and `export`, whose throughput is measured, keep the default. A user's
/// `MIMALLOC_PURGE_DELAY` is left to decide.
pub fn purge_freed_memory_after(delay_ms: std::ffi::c_long) {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one of mimalloc's options, which it reads atomically.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay_ms) };
    }
}

/// `--discount-rate`: a rate in percent, with or without a trailing `%`. A bare number
/// strictly between -1 and 1 other than 0 reads as a fraction someone meant as a percent
/// (0.08 for 8 %), so it is refused with the percent it would be; with `%` it is taken as
/// written.
pub fn parse_rate_pct(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (number, marked) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    let rate: f64 = number
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("{text:?} is not a rate in percent (write e.g. 8 for 8 %)"))?;
    if !marked && rate != 0.0 && rate.abs() < 1.0 {
        return Err(format!(
            "{text} would be {rate} %: rates are in percent, so if the fraction {text} is meant, write {}; write {text}% if {rate} % is meant",
            fixed_pct(rate * 100.0)
        ));
    }
    Ok(rate)
}

/// `--price-factor`: a positive multiplier of the price deck.
pub fn parse_price_factor(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(k) if k.is_finite() && k > 0.0 && k <= 100.0 => Ok(k),
        _ => Err(format!(
            "{text:?} is not a price factor: a number above 0 (1 is the deck, 1.25 is 25 % above it), at most 100"
        )),
    }
}

/// Horizons `--horizon` accepts, years from the clock (judgement: a mine's whole
/// discovery-to-closure span fits in a century; zero or fewer years is no timeline).
pub const HORIZON_YEARS: std::ops::RangeInclusive<i32> = 1..=100;

/// `--horizon`: whole years from the clock, within [`HORIZON_YEARS`].
pub fn parse_horizon(text: &str) -> Result<i32, String> {
    match text.trim().parse::<i32>() {
        Ok(y) if HORIZON_YEARS.contains(&y) => Ok(y),
        _ => Err(format!(
            "a horizon is a whole number of years from {} to {}",
            HORIZON_YEARS.start(),
            HORIZON_YEARS.end()
        )),
    }
}

/// The deck `prices` with every price multiplied by `k`, named after the deck and the
/// factor (`market_2025_12 x 1.25`) so that every output says which prices it used.
pub fn price_factored(
    prices: &prospect::assumptions::Prices,
    k: f64,
) -> prospect::assumptions::Prices {
    let mut out = prices.scaled(k);
    if k != 1.0 {
        out.scenario = format!("{} x {k}", prices.scenario);
    }
    out
}

/// A percent for a message: at most four decimals, no trailing zeros.
fn fixed_pct(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The memory a simulation may hold, MiB, unless `PROSPECT_MAX_SIM_MB` says otherwise
/// (judgement: a laptop's share; 10,000 draws need about 3 MB).
pub const MAX_SIM_MB: u64 = 4096;

/// Bytes for a person: 38.1 GiB, 512 MiB.
fn human_bytes(b: u64) -> String {
    if b == u64::MAX {
        return "more bytes than can be counted".into();
    }
    let gib = b as f64 / f64::from(1u32 << 30);
    if gib >= 1.0 {
        format!("{gib:.1} GiB")
    } else {
        format!("{:.0} MiB", b as f64 / f64::from(1u32 << 20))
    }
}

/// Years `--as-of` accepts: the earliest rare-earth project histories (Mountain Pass,
/// 1952) to a century ahead.
pub const AS_OF_YEARS: std::ops::RangeInclusive<i32> = 1950..=2100;

/// The calendar year now (UTC), from the system clock.
pub fn current_year() -> i32 {
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
    pub fn simulation(&self, a: &Assumptions, keep_draws: bool) -> Result<SimOptions> {
        for f in &self.fix {
            if !prospect::model::simulate::DRIVERS.contains(&f.as_str()) {
                anyhow::bail!(
                    "--fix {f:?}: unknown driver; drivers are {}",
                    prospect::model::simulate::DRIVERS.join(", ")
                );
            }
        }
        let draws = self.draws.unwrap_or(a.uncertainty.draws);
        let threads = rayon::current_num_threads();
        let needed = prospect::model::simulate::memory_needed(draws, threads);
        let limit = prospect::read::limit_mb("PROSPECT_MAX_SIM_MB", MAX_SIM_MB) << 20;
        if needed > limit {
            anyhow::bail!(
                "--draws {draws} needs about {} of memory ({} bytes a draw, {threads} projects at a time); the limit is {} MiB: give fewer draws or raise PROSPECT_MAX_SIM_MB",
                human_bytes(needed),
                prospect::model::simulate::BYTES_PER_DRAW,
                limit >> 20
            );
        }
        Ok(SimOptions {
            draws,
            seed: self.seed.unwrap_or(a.uncertainty.seed),
            fixed: self.fix.clone(),
            keep_draws,
        })
    }

    /// A progress bar on a terminal for runs long enough to need one.
    pub fn progress(&self, projects: usize, draws: usize) -> ProgressBar {
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
    pub fn stream_progress(&self, draws: usize) -> ProgressBar {
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
    pub fn load(&self) -> Result<(Assumptions, Terms, Context)> {
        let mut assumptions = Assumptions::load(self.assumptions.as_deref())?;
        if let Some(name) = &self.area_royalty {
            assumptions.select_area_royalty(name)?;
        }
        let options = Options {
            scenario: self.scenario.clone(),
            discount_rate_pct: self.discount_rate,
            discounting: self.discounting,
            as_of: match self.as_of {
                Some(y) if !(AS_OF_YEARS.contains(&y)) => anyhow::bail!(
                    "--as-of {y} is not a year prospect can value from (give a year from {} to {})",
                    AS_OF_YEARS.start(),
                    AS_OF_YEARS.end()
                ),
                Some(y) => y,
                None => current_year(),
            },
            keep_cashflows: false,
        };
        let mut terms = Terms::resolve(&assumptions, &options)?;
        if let Some(k) = self.price_factor {
            terms.prices = price_factored(&terms.prices, k);
        }
        let from_dir = match self.context.as_deref() {
            Some(dir) => ContextPaths::from_dir(dir)?,
            None => ContextPaths::default(),
        };
        let paths = from_dir.overridden_by(ContextPaths {
            ports: self.ports.clone(),
            plants: self.plants.clone(),
            zones: self.zones.clone(),
            protected: self.protected.clone(),
            land: self.land.clone(),
        });
        let context = Context::load(&paths)?.with_assumptions(&assumptions);
        Ok((assumptions, terms, context))
    }
}

/// The reprojector for `--crs`, or none for WGS84.
pub fn reprojector(crs: Option<&str>) -> Result<Option<Reprojector>> {
    match crs {
        Some(c) if !prospect::read::crs::is_wgs84(c) => {
            Ok(Some(Reprojector::new(c).map_err(anyhow::Error::msg)?))
        }
        _ => Ok(None),
    }
}

/// Reads and validates every file; prints problems to standard error. `None` when any
/// record has an error (nothing is appraised from bad input).
pub fn read_valid(
    files: &[PathBuf],
    crs: Option<&str>,
) -> Result<Option<Vec<prospect::ProjectRecord>>> {
    let crs = reprojector(crs)?;
    let data = prospect::read::read_all_in(files, crs.as_ref())?;
    for d in &data.diagnostics {
        eprintln!("{}", prospect::output::printable(&d.to_string()));
    }
    if data.has_errors() {
        nothing_appraised(data.tally.errors);
        return Ok(None);
    }
    Ok(Some(data.records))
}

/// Says that bad input stopped the run (the problems are already printed).
pub fn nothing_appraised(errors: usize) {
    eprintln!(
        "prospect: {errors} error(s) in the input; nothing appraised (run `prospect check` for the full list)"
    );
}

/// Writes to `--output` atomically, or to standard output (no path, or `-`).
pub fn emit(
    output: Option<&Path>,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match output.filter(|p| !prospect::read::is_stdin(p)) {
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

/// Reads and validates `files`, then appraises (and simulates) them with the model
/// options, all in memory; `None` when the records have errors (already reported).
pub fn appraised(
    files: &[PathBuf],
    model: &ModelArgs,
) -> Result<
    Option<(
        Vec<prospect::ProjectRecord>,
        prospect::appraisal::Report,
        Assumptions,
    )>,
> {
    appraised_with(files, model, |_| Ok(()))
}

/// [`appraised`] with the assumptions changed by `adjust` before anything is valued (a
/// command's own flags over the run's assumptions, e.g. `plan`'s instrument terms).
pub fn appraised_with(
    files: &[PathBuf],
    model: &ModelArgs,
    adjust: impl FnOnce(&mut Assumptions) -> Result<()>,
) -> Result<
    Option<(
        Vec<prospect::ProjectRecord>,
        prospect::appraisal::Report,
        Assumptions,
    )>,
> {
    model.one_stdin(files, &[])?;
    let (mut assumptions, terms, context) = model.load()?;
    adjust(&mut assumptions)?;
    let Some(records) = read_valid(files, model.crs.as_deref())? else {
        return Ok(None);
    };
    let sim = model.simulation(&assumptions, false)?;
    let progress = model.progress(records.len(), sim.draws);
    // Valued on the plants a first allocation pass assigns (docs/architecture.md).
    let (report, _) = prospect::portfolio::assigned::appraise_on_plants(
        &records,
        &context,
        &assumptions,
        &terms,
        Some(&sim),
        &model.separation(&assumptions)?,
        &progress,
    );
    Ok(Some((records, report, assumptions)))
}

/// The first allocation pass of a streamed run (docs/architecture.md, "Order of a run"):
/// a deterministic appraisal of every record, kept only as the allocation needs it, gives
/// each project the plant its output goes to. Problems are printed here; `None` when the
/// records have errors (nothing is appraised).
pub fn assigned_plants(
    files: &[PathBuf],
    crs: Option<&Reprojector>,
    model: &ModelArgs,
    assumptions: &Assumptions,
    terms: &Terms,
    context: &Context,
) -> Result<Option<prospect::portfolio::assigned::AssignedPlants>> {
    if let Some(path) = &model.assigned_plants {
        return allocate::read(path, terms.as_of).map(Some);
    }
    let mut sep = model.separation(assumptions)?;
    let first = prospect::appraise::Run {
        context,
        assumptions,
        terms,
        sim: None,
        progress: &ProgressBar::hidden(),
        plants: None,
        pass: Pass::Allocation,
    };
    let mut lines = Vec::new();
    let mut plants = Vec::new();
    let tally = prospect::appraise::appraise_files(
        files,
        crs,
        &first,
        &|r, p| {
            (
                prospect::portfolio::plant_records::plant_of(r, &p),
                prospect::portfolio::assigned::SupplyLine::of(&p, r),
            )
        },
        &mut |d| eprintln!("{}", prospect::output::printable(&d.to_string())),
        &mut |(plant, l)| {
            plants.extend(plant);
            lines.extend(l);
        },
    )?;
    if tally.errors > 0 {
        nothing_appraised(tally.errors);
        return Ok(None);
    }
    prospect::portfolio::plant_records::add(&mut sep, plants);
    Ok(Some(prospect::portfolio::assigned::from_lines(
        lines,
        terms.as_of,
        prospect::portfolio::timeline::DEFAULT_HORIZON_Y,
        &sep,
    )))
}

/// Writes a report as a table, CSV or JSON.
pub fn write_report<T: serde::Serialize>(
    out: &OutputArgs,
    value: &T,
    table: impl FnOnce() -> String,
    csv: impl FnOnce() -> Result<Vec<u8>, csv::Error>,
) -> Result<()> {
    let bytes = match out.format {
        OutputFormat::Table => table().into_bytes(),
        OutputFormat::Csv => csv()?,
        // Written as it is made: a national database's JSON is larger than its figures.
        OutputFormat::Json => {
            return emit(out.output.as_deref(), |w| {
                serde_json::to_writer_pretty(&mut *w, value)?;
                w.write_all(b"\n")
            });
        }
    };
    emit(out.output.as_deref(), |w| w.write_all(&bytes))
}

/// Writes the QGIS style beside a GeoJSON file.
pub fn write_qml(geojson: &Path) -> Result<()> {
    if prospect::read::is_stdin(geojson) {
        anyhow::bail!(
            "the QGIS style is written beside the layer, and standard output (-) has no side: give the layer a file name"
        );
    }
    let qml = geojson.with_extension("qml");
    prospect::output::write_atomic(&qml, prospect::output::geojson::qml().as_bytes())
        .with_context(|| format!("cannot write {}", qml.display()))
}

/// What a path names on disk: the device and inode of an existing file (through links),
/// else the absolute path it would be created at.
#[derive(PartialEq, Eq)]
enum FileId {
    Inode(u64, u64),
    New(PathBuf),
}

fn file_id(path: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    // `-` is standard input or output, nobody's file.
    if prospect::read::is_stdin(path) {
        return None;
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Some(FileId::Inode(m.dev(), m.ino())),
        // Devices, FIFOs and the like are streamed to; they are nobody's input file.
        Ok(_) => None,
        Err(_) => {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let dir = std::fs::canonicalize(parent).ok()?;
            Some(FileId::New(dir.join(path.file_name()?)))
        }
    }
}

/// Refuses a run whose outputs would overwrite one of its inputs, or each other, before
/// anything is read or written.
pub fn guard_outputs(inputs: &[&Path], outputs: &[(&str, &Path)]) -> Result<()> {
    let ins: Vec<(&Path, FileId)> = inputs
        .iter()
        .filter_map(|p| Some((*p, file_id(p)?)))
        .collect();
    let to_stdout: Vec<&str> = outputs
        .iter()
        .filter(|(_, p)| prospect::read::is_stdin(p))
        .map(|(flag, _)| *flag)
        .collect();
    if to_stdout.len() > 1 {
        anyhow::bail!(
            "{} {} name standard output (-); only one output can go there",
            to_stdout.join(" and "),
            if to_stdout.len() == 2 { "both" } else { "all" }
        );
    }
    let mut outs: Vec<(&str, &Path, FileId)> = Vec::new();
    for (flag, path) in outputs {
        let Some(id) = file_id(path) else { continue };
        if let Some((input, _)) = ins.iter().find(|(_, i)| *i == id) {
            anyhow::bail!(
                "{flag} {} would overwrite the input {}; write the output elsewhere",
                prospect::output::printable(&path.display().to_string()),
                prospect::output::printable(&input.display().to_string())
            );
        }
        if let Some((other, _, _)) = outs.iter().find(|(_, _, o)| *o == id) {
            anyhow::bail!(
                "{flag} and {other} name the same file {}; give each output its own file",
                prospect::output::printable(&path.display().to_string())
            );
        }
        outs.push((flag, path, id));
    }
    Ok(())
}

impl ModelArgs {
    /// The files a valuing run reads besides its records.
    pub fn inputs(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = [
            &self.assigned_plants,
            &self.assumptions,
            &self.ports,
            &self.plants,
            &self.zones,
            &self.protected,
            &self.land,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
        if let Some(dir) = &self.context {
            v.extend(prospect::context::LAYER_FILES.iter().map(|f| dir.join(f)));
        }
        v
    }

    /// Refuses a run in which more than one input (the record `files`, the model's own
    /// inputs and `extra`, each named by its flag) is standard input, `-`: it holds one
    /// file's bytes.
    pub fn one_stdin(&self, files: &[PathBuf], extra: &[(&str, &Path)]) -> Result<()> {
        let mut named: Vec<(&str, &Path)> = files
            .iter()
            .map(|f| ("an input file", f.as_path()))
            .collect();
        named.extend(extra.iter().copied());
        for (flag, path) in [
            ("--assumptions", &self.assumptions),
            ("--ports", &self.ports),
            ("--plants", &self.plants),
            ("--zones", &self.zones),
            ("--protected", &self.protected),
            ("--land", &self.land),
        ] {
            if let Some(p) = path {
                named.push((flag, p.as_path()));
            }
        }
        one_stdin(&named)
    }

    /// Refuses outputs that would overwrite `files`, the other inputs of the run, or each
    /// other, and more than one input read from standard input.
    pub fn guard(&self, files: &[PathBuf], outputs: &[(&str, &Path)]) -> Result<()> {
        self.one_stdin(files, &[])?;
        let others = self.inputs();
        let inputs: Vec<&Path> = files.iter().chain(&others).map(PathBuf::as_path).collect();
        guard_outputs(&inputs, outputs)
    }
}

/// Refuses inputs of which more than one is standard input (`-`), each named by its flag.
pub fn one_stdin(inputs: &[(&str, &Path)]) -> Result<()> {
    let from: Vec<&str> = inputs
        .iter()
        .filter(|(_, p)| prospect::read::is_stdin(p))
        .map(|(flag, _)| *flag)
        .collect();
    if from.len() > 1 {
        anyhow::bail!(
            "{} all name standard input (-), which holds one file: give the others as files",
            from.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_is_the_option_it_names() {
        // The binary's unit tests share one process; none of the others runs a command
        // that sets this option, so it still holds mimalloc's default here.
        // SAFETY: reads one of mimalloc's options.
        let get = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        match std::env::var("MIMALLOC_PURGE_DELAY") {
            // mimalloc 3's default purge delay, 1,000 ms (src/options.c); no other option
            // of its table has that default.
            Err(_) => {
                assert_eq!(get(), 1000);
                purge_freed_memory_after(100);
                assert_eq!(get(), 100);
            }
            // A user's delay is read by mimalloc and left alone.
            Ok(text) => {
                let given: std::ffi::c_long = text.trim().parse().expect("a delay in ms");
                assert_eq!(get(), given);
                purge_freed_memory_after(100);
                assert_eq!(get(), given);
            }
        }
    }
}
