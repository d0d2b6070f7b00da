//! `prospect export`: the appraised sites as GeoJSON for QGIS, with a style.

use std::path::PathBuf;

use anyhow::Result;
use clap::ValueEnum;

use super::{ModelArgs, appraised, default_ranking, emit, write_qml};

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// One FeatureCollection (RFC 7946).
    Geojson,
    /// One feature per line after a record separator (RFC 8142), for very large outputs.
    Geojsonseq,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// GeoJSON or CSV files of project records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Geojson)]
    pub format: ExportFormat,
    /// Layer name (the collection's `name` member); default: the output file's stem.
    #[arg(long)]
    pub name: Option<String>,
    /// Also write a QGIS style (.qml) beside the output, graduated by score.
    #[arg(long, requires = "output")]
    pub qml: bool,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn run(args: ExportArgs) -> Result<u8> {
    if let Some(out) = &args.output {
        let qml = out.with_extension("qml");
        let mut outputs = vec![("--output", out.as_path())];
        if args.qml {
            outputs.push(("the style (--qml)", qml.as_path()));
        }
        args.model.guard(&args.files, &outputs)?;
    }
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
    let features = prospect::output::geojson::features(&report, &records, &ranking);
    emit(args.output.as_deref(), |w| match args.format {
        ExportFormat::Geojson => prospect::output::geojson::write_collection(&name, features, w),
        ExportFormat::Geojsonseq => prospect::output::geojson::write_sequence(features, w),
    })?;
    if let (true, Some(path)) = (args.qml, &args.output) {
        write_qml(path)?;
    }
    Ok(0)
}
