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
    args.model.guard(&args.files, &outputs)?;
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
    let html = prospect::output::report::html(&report, &records, &ranking, &timeline, &args.title);
    super::emit(Some(&args.output), |w| w.write_all(html.as_bytes()))?;
    if let Some(path) = &args.geojson {
        write_geojson(path, &report, &records, &ranking)?;
    }
    Ok(0)
}
