//! Writing results: atomic file writes, and the table and CSV forms of an appraisal.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use crate::appraise::{Appraisal, Report};
use crate::provenance::Origin;

mod spill;
pub use spill::{AppraisalWriter, Encoded, Encoder, Form};

/// Writes `bytes` to `path` through a temporary file in the same folder, synced and then
/// renamed into place: an interrupted run never leaves a half-written file, and the
/// previous file stays whole until the new one is complete.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`] for output produced as a stream by `fill`.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".prospect-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut buffered = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut buffered)?;
        buffered.flush()?;
    }
    // A temporary file is private (0600); an output is an ordinary file: keep the mode
    // of the file it replaces, else 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Text for a terminal: control characters (escape sequences, NUL) become U+FFFD.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// Whether a spreadsheet would take a cell for a formula (OWASP's CSV-injection list).
fn runs_as_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Text that a spreadsheet would run as a formula gets a leading apostrophe.
pub fn neutralise(cell: &str) -> String {
    if runs_as_formula(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// A finite figure with a fixed number of decimals, `-0` written as `0`.
struct Fixed(f64, usize);

impl std::fmt::Display for Fixed {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{:.*}", self.1, self.0 + 0.0)
    }
}

/// `v` as [`Fixed`]; nothing when missing or not finite.
fn fixed(v: Option<f64>, decimals: usize) -> Option<Fixed> {
    v.filter(|x| x.is_finite()).map(|x| Fixed(x, decimals))
}

fn num(v: Option<f64>, decimals: usize) -> String {
    fixed(v, decimals).map_or_else(String::new, |f| f.to_string())
}

/// A fixed-width table, sorted as the report is.
pub fn table(report: &Report) -> String {
    let header = [
        "id",
        "name",
        "NPV US$m",
        "IRR %",
        "payback y",
        "capex US$m",
        "basket US$/kg",
        "TREO t/y",
        "NdPr t/y",
        "breakeven x",
        "1st prod",
        "P(success)",
        "risked US$m",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut notes = Vec::new();
    for p in &report.projects {
        let dash = |s: String| if s.is_empty() { "-".to_owned() } else { s };
        let name: String = printable(&p.name).chars().take(28).collect();
        rows.push(vec![
            printable(&p.id),
            name,
            dash(num(p.npv_musd.base, 0)),
            dash(num(p.irr_pct, 1)),
            dash(num(p.payback_years, 1)),
            dash(num(p.capex_musd, 0)),
            dash(num(p.basket_price_usd_per_kg, 2)),
            dash(num(p.annual_treo_t.filter(|t| *t > 0.0), 0)),
            dash(num(p.annual_ndpr_t.filter(|t| *t > 0.0), 0)),
            dash(num(p.breakeven_price_factor, 2)),
            p.first_production_year.base.to_string(),
            format!("{:.2}", p.chance_of_success),
            dash(num(p.risked_npv_musd, 0)),
        ]);
        if let Some(r) = &p.unvalued_reason {
            notes.push(format!("{}: not valued: {r}", printable(&p.id)));
        }
    }
    let mut out = aligned(&header, &rows, 2);
    let a = &report.assumptions;
    let _ = writeln!(
        out,
        "\nUS$ million real at {} % ({:?} discounting), NPV at the start of construction; risked NPV = chance x NPV discounted to {}; prices: {}.",
        a.discount_rate_pct, report.conventions.discounting, report.as_of, a.scenario
    );
    for n in notes {
        let _ = writeln!(out, "{n}");
    }
    out
}

/// Names of the inputs of one origin, `;`-separated.
fn origins(p: &Appraisal, origin: Origin) -> String {
    p.provenance
        .origins()
        .filter(|(_, o)| *o == origin)
        .map(|(n, _)| n)
        .collect::<Vec<_>>()
        .join(";")
}

/// The columns of `appraise --format csv`; the records' unknown properties follow.
pub const CSV_COLUMNS: [&str; 46] = [
    "id",
    "name",
    "country",
    "regime",
    "deposit_type",
    "commodity",
    "stage",
    "valued",
    "npv_musd",
    "npv_pre_tax_musd",
    "irr_pct",
    "payback_years",
    "discounted_payback_years",
    "capex_musd",
    "npv_to_capex",
    "opex_musd_per_y",
    "annual_revenue_musd",
    "basket_price_usd_per_kg",
    "payable_price_usd_per_kg",
    "ndpr_value_share_pct",
    "dytb_value_share_pct",
    "annual_treo_t",
    "annual_ndpr_t",
    "annual_dytb_t",
    "mine_life_y",
    "throughput_mtpa",
    "breakeven_price_factor",
    "first_production_year",
    "years_to_first_production",
    "chance_of_success",
    "risked_npv_musd",
    "nearest_separation_plant",
    "nearest_separation_plant_km",
    "nearest_port",
    "nearest_port_km",
    "distance_to_shore_km",
    "protected_area",
    "protected_area_km",
    "study_published_npv_musd",
    "study_model_npv_musd",
    "study_deviation_pct",
    "given",
    "estimated",
    "default",
    "warnings",
    "unvalued_reason",
];

/// Where a row's cells go: each is written as its length (4 bytes, little-endian) and its
/// text, straight from the figure (no string per cell).
pub(crate) struct Cells<'a>(pub(crate) &'a mut Vec<u8>);

impl Cells<'_> {
    /// Writes one cell with `fill`.
    fn cell(&mut self, fill: impl FnOnce(&mut Vec<u8>)) {
        let at = self.0.len();
        self.0.extend_from_slice(&[0; 4]);
        fill(self.0);
        let len = (self.0.len() - at - 4) as u32;
        self.0[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }

    /// Text, neutralised against formula injection.
    fn text(&mut self, s: &str) {
        self.cell(|out| {
            if runs_as_formula(s) {
                out.push(b'\'');
            }
            out.extend_from_slice(s.as_bytes());
        });
    }

    fn opt(&mut self, s: Option<&str>) {
        self.text(s.unwrap_or(""));
    }

    /// A number with `decimals` decimals; empty when missing or not finite.
    fn num(&mut self, v: Option<f64>, decimals: usize) {
        self.cell(|out| {
            if let Some(f) = fixed(v, decimals) {
                let _ = write!(out, "{f}");
            }
        });
    }
}

/// Writes one project's cells under [`CSV_COLUMNS`] to `cells`; returns its unknown
/// properties as (name, cell) pairs. Every cell is neutralised against formula injection.
pub(crate) fn csv_cells(p: &Appraisal, c: &mut Cells) -> Vec<(String, String)> {
    let study = p.study.as_ref();
    let plant = p.nearest_separation_plant.as_ref();
    let port = p.spatial.nearest_port.as_ref();
    let protected = p.spatial.protected_area.as_ref();
    c.text(&p.id);
    c.text(&p.name);
    c.opt(p.country.as_deref());
    c.opt(p.regime.as_deref());
    c.opt(p.deposit_type.as_deref());
    c.opt(p.commodity.as_deref());
    c.opt(p.stage.as_deref());
    c.text(if p.valued { "true" } else { "false" });
    c.num(p.npv_musd.base, 3);
    c.num(p.npv_musd.pre_tax, 3);
    c.num(p.irr_pct, 3);
    c.num(p.payback_years, 3);
    c.num(p.discounted_payback_years, 3);
    c.num(p.capex_musd, 3);
    c.num(p.npv_to_capex, 4);
    c.num(p.opex_musd_per_y, 3);
    c.num(p.annual_revenue_musd, 3);
    c.num(p.basket_price_usd_per_kg, 4);
    c.num(p.payable_price_usd_per_kg, 4);
    c.num(p.ndpr_value_share_pct, 3);
    c.num(p.dytb_value_share_pct, 3);
    c.num(p.annual_treo_t, 1);
    c.num(p.annual_ndpr_t, 1);
    c.num(p.annual_dytb_t, 1);
    c.num(p.mine_life_y, 2);
    c.num(p.throughput_mtpa, 4);
    c.num(p.breakeven_price_factor, 4);
    c.cell(|out| {
        let _ = write!(out, "{}", p.first_production_year.base);
    });
    c.num(Some(p.years_to_first_production), 2);
    c.num(Some(p.chance_of_success), 4);
    c.num(p.risked_npv_musd, 3);
    c.opt(plant.map(|n| n.name.as_str()));
    c.num(plant.map(|n| n.distance_km), 1);
    c.opt(port.map(|n| n.name.as_str()));
    c.num(port.map(|n| n.distance_km), 1);
    c.num(p.spatial.distance_to_shore_km, 1);
    c.opt(protected.map(|a| a.name.as_str()));
    c.num(protected.map(|a| a.distance_km), 2);
    c.num(study.map(|s| s.published_npv_musd), 3);
    c.num(study.and_then(|s| s.model_npv_musd), 3);
    c.num(study.and_then(|s| s.deviation_pct), 2);
    c.text(&origins(p, Origin::Given));
    c.text(&origins(p, Origin::Estimated));
    c.text(&origins(p, Origin::Default));
    c.text(&p.warnings.join("; "));
    c.opt(p.unvalued_reason.as_deref());
    p.properties
        .iter()
        .map(|(k, v)| {
            let cell = match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(v) => neutralise(v),
                v => neutralise(&v.to_string()),
            };
            (k.clone(), cell)
        })
        .collect()
}

/// One row per project, with the JSON's main figures (the report's order).
pub fn csv(report: &Report) -> io::Result<Vec<u8>> {
    let mut w = AppraisalWriter::new(Form::Csv, false, false)?;
    let encoder = w.encoder();
    for p in &report.projects {
        w.push(encoder.encode(p)?)?;
    }
    let mut out = Vec::new();
    w.write_main(report, &mut out)?;
    Ok(out)
}

/// The header of `appraise --cashflows`: one row per project-year.
pub const CASHFLOW_COLUMNS: [&str; 14] = [
    "id",
    "year",
    "phase",
    "output_share",
    "revenue_musd",
    "royalty_musd",
    "opex_musd",
    "logistics_musd",
    "capex_musd",
    "sustaining_capex_musd",
    "closure_musd",
    "tax_musd",
    "pre_tax_musd",
    "net_musd",
];

/// A project's annual schedule as CSV rows under [`CASHFLOW_COLUMNS`].
fn cashflow_rows(p: &Appraisal) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for y in &p.cashflows {
        let phase = serde_json::to_value(y.phase)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        w.write_record([
            neutralise(&p.id),
            y.year.to_string(),
            phase,
            num(Some(y.output_share), 4),
            num(Some(y.revenue), 4),
            num(Some(y.royalty), 4),
            num(Some(y.opex), 4),
            num(Some(y.logistics), 4),
            num(Some(y.capex), 4),
            num(Some(y.sustaining_capex), 4),
            num(Some(y.closure), 4),
            num(Some(y.tax), 4),
            num(Some(y.pre_tax), 4),
            num(Some(y.net), 4),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// A tornado table: each driver's NPV at its P10 and P90, the swing, and its rank
/// correlation with NPV, largest swing first.
pub fn tornado(p: &Appraisal, s: &crate::simulate::SimSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}): NPV US$m base {}, P10 {:.0}, P50 {:.0}, P90 {:.0}; {} draws\n",
        printable(&p.name),
        printable(&p.id),
        num(p.npv_musd.base, 0),
        s.npv_musd.p10,
        s.npv_musd.p50,
        s.npv_musd.p90,
        s.draws
    );
    let _ = writeln!(
        out,
        "{:<12} {:>14} {:>14} {:>10} {:>10}  tornado",
        "driver", "NPV at P10", "NPV at P90", "swing", "rank corr"
    );
    let widest = s
        .sensitivity
        .first()
        .map_or(1.0, |d| d.swing_musd.max(1e-9));
    for d in &s.sensitivity {
        let bar = "#".repeat(((d.swing_musd / widest) * 30.0).round() as usize);
        let _ = writeln!(
            out,
            "{:<12} {:>14.1} {:>14.1} {:>10.1} {:>10.2}  {bar}",
            d.driver, d.npv_at_p10_musd, d.npv_at_p90_musd, d.swing_musd, d.rank_correlation
        );
    }
    let _ = writeln!(
        out,
        "\nP10/P90: {}.",
        crate::simulate::PERCENTILE_CONVENTION
    );
    out
}

/// The header of `appraise --keep-draws`.
pub const DRAW_COLUMNS: [&str; 4] = ["id", "draw", "npv_musd", "years_to_first_production"];

/// A project's kept draws as CSV rows under [`DRAW_COLUMNS`].
fn draw_rows(p: &Appraisal) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if let Some(sim) = &p.simulation {
        for (i, (npv, years)) in sim.kept.iter().enumerate() {
            w.write_record([
                neutralise(&p.id),
                i.to_string(),
                format!("{npv:.6}"),
                format!("{years:.4}"),
            ])?;
        }
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// Aligns rows of cells under a header (first `left` columns left-aligned).
fn aligned(header: &[&str], rows: &[Vec<String>], left: usize) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i < left {
                    format!("{c:<w$}", w = widths[i])
                } else {
                    format!("{c:>w$}", w = widths[i])
                }
            })
            .collect();
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
    out
}

/// The ranking as a table, with each criterion's contribution.
pub fn rank_table(r: &crate::rank::Ranking) -> String {
    let mut header = vec!["rank", "id", "name", "score"];
    header.extend(crate::rank::CRITERIA);
    header.extend([
        "pareto",
        "risked US$m",
        "P50 years",
        "P(success)",
        "NdPr t/y",
    ]);
    let rows: Vec<Vec<String>> = r
        .projects
        .iter()
        .map(|p| {
            let mut row = vec![
                p.rank.to_string(),
                p.id.clone(),
                p.name.chars().take(26).collect(),
                format!("{:.3}", p.score),
            ];
            row.extend(
                crate::rank::CRITERIA
                    .iter()
                    .map(|c| format!("{:.3}", p.contributions.get(*c).copied().unwrap_or(0.0))),
            );
            row.extend([
                if p.pareto { "*".into() } else { String::new() },
                num(p.risked_npv_musd, 0),
                format!("{:.1}", p.years_to_first_production_p50),
                format!("{:.2}", p.chance_of_success),
                format!("{:.0}", p.non_china_ndpr_t),
            ]);
            row
        })
        .collect();
    let mut out = aligned(&header, &rows, 3);
    let weights: Vec<String> = r
        .weights
        .0
        .iter()
        .map(|(k, v)| format!("{k} {v:.2}"))
        .collect();
    let _ = writeln!(
        out,
        "\nCriterion columns are weighted contributions to the score (weights: {}); * = Pareto-efficient on risked value, speed and chance of success.",
        weights.join(", ")
    );
    for (id, why) in &r.excluded {
        let _ = writeln!(out, "{}: excluded: {why}", printable(id));
    }
    out
}

pub fn rank_csv(r: &crate::rank::Ranking) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["rank", "id", "name", "score"];
    header.extend(crate::rank::CRITERIA);
    header.extend([
        "pareto",
        "risked_npv_musd",
        "npv_musd",
        "years_to_first_production_p50",
        "chance_of_success",
        "non_china_ndpr_t",
        "non_china_dytb_t",
        "china_linked",
    ]);
    w.write_record(&header)?;
    for p in &r.projects {
        let mut row = vec![
            p.rank.to_string(),
            neutralise(&p.id),
            neutralise(&p.name),
            format!("{:.6}", p.score),
        ];
        row.extend(
            crate::rank::CRITERIA
                .iter()
                .map(|c| format!("{:.6}", p.contributions.get(*c).copied().unwrap_or(0.0))),
        );
        row.extend([
            p.pareto.to_string(),
            num(p.risked_npv_musd, 3),
            num(p.npv_musd, 3),
            format!("{:.3}", p.years_to_first_production_p50),
            format!("{:.4}", p.chance_of_success),
            format!("{:.1}", p.non_china_ndpr_t),
            format!("{:.1}", p.non_china_dytb_t),
            p.china_linked.to_string(),
        ]);
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The timeline: projects by first production, then supply and capex by year.
pub fn timeline_table(t: &crate::timeline::Timeline) -> String {
    let header = [
        "id",
        "name",
        "stage",
        "construction",
        "1st prod P10",
        "base",
        "P90",
        "capex US$m",
        "NdPr t/y",
        "DyTb t/y",
    ];
    let rows: Vec<Vec<String>> = t
        .projects
        .iter()
        .map(|p| {
            let y = &p.first_production_year;
            vec![
                printable(&p.id),
                printable(&p.name).chars().take(26).collect(),
                p.stage.clone().unwrap_or_default(),
                p.construction_start_year
                    .map_or("-".into(), |y| y.to_string()),
                y.p10.to_string(),
                y.base.to_string(),
                y.p90.to_string(),
                format!("{:.0}", p.capex_musd),
                format!("{:.0}", p.ndpr_t),
                format!("{:.0}", p.dytb_t),
            ]
        })
        .collect();
    let mut out = aligned(&header, &rows, 3);
    let header = [
        "year",
        "capex US$m",
        "NdPr early",
        "NdPr base",
        "NdPr late",
        "NdPr expected",
        "DyTb base",
        "DyTb expected",
    ];
    let rows: Vec<Vec<String>> = t
        .years
        .iter()
        .map(|y| {
            vec![
                y.year.to_string(),
                format!("{:.0}", y.capex_musd),
                format!("{:.0}", y.ndpr_t.early),
                format!("{:.0}", y.ndpr_t.base),
                format!("{:.0}", y.ndpr_t.late),
                format!("{:.0}", y.ndpr_t.expected),
                format!("{:.0}", y.dytb_t.base),
                format!("{:.0}", y.dytb_t.expected),
            ]
        })
        .collect();
    let _ = writeln!(
        out,
        "\nNon-China supply (t/y) and capex of the projects still to build, by year:"
    );
    out.push_str(&aligned(&header, &rows, 0));
    let _ = writeln!(out, "\n{}.", t.band_note);
    if let Some(target) = t.target {
        let say = |y: Option<i32>| {
            y.map_or(
                format!("not met by {}", t.as_of + t.years.len() as i32 - 1),
                |y| format!("met in {y}"),
            )
        };
        let _ = writeln!(
            out,
            "Target {target}: base supply {}; expected supply {}.",
            say(t.target_met_year),
            say(t.target_met_year_expected)
        );
    }
    out
}

pub fn timeline_csv(t: &crate::timeline::Timeline) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "year",
        "capex_musd",
        "ndpr_t_early",
        "ndpr_t_base",
        "ndpr_t_late",
        "ndpr_t_expected",
        "dytb_t_early",
        "dytb_t_base",
        "dytb_t_late",
        "dytb_t_expected",
    ])?;
    for y in &t.years {
        let f = |v: f64| format!("{v:.3}");
        w.write_record([
            y.year.to_string(),
            f(y.capex_musd),
            f(y.ndpr_t.early),
            f(y.ndpr_t.base),
            f(y.ndpr_t.late),
            f(y.ndpr_t.expected),
            f(y.dytb_t.early),
            f(y.dytb_t.base),
            f(y.dytb_t.late),
            f(y.dytb_t.expected),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The financing plan as text.
pub fn plan_table(p: &crate::timeline::Plan) -> String {
    let header = [
        "order",
        "id",
        "name",
        "start",
        "1st prod",
        "capex US$m",
        "supply t/y",
    ];
    let rows: Vec<Vec<String>> = p
        .financed
        .iter()
        .map(|f| {
            vec![
                f.order.to_string(),
                printable(&f.id),
                printable(&f.name).chars().take(26).collect(),
                f.start_year.to_string(),
                f.first_production_year.to_string(),
                format!("{:.0}", f.capex_musd),
                format!("{:.0}", f.supply_t),
            ]
        })
        .collect();
    let mut out = format!(
        "Plan for {} within US${:.0} m a year\n\n",
        p.target, p.budget_musd_per_y
    );
    out.push_str(&aligned(&header, &rows, 3));
    let _ = writeln!(
        out,
        "\nBaseline (producing or building): {}",
        if p.baseline.is_empty() {
            "none".into()
        } else {
            p.baseline.join(", ")
        }
    );
    match p.target_met_year {
        Some(y) => {
            let _ = writeln!(
                out,
                "Target met in {y}{}.",
                if p.target_met_by_target_year {
                    ""
                } else {
                    ", after the target year"
                }
            );
        }
        None => {
            let _ = writeln!(out, "Target not met within the horizon.");
        }
    }
    let _ = writeln!(
        out,
        "Supply in {}: {:.0} t/y; shortfall {:.0} t/y; funding gap US${:.0} m.",
        p.target.year, p.supply_in_target_year_t, p.shortfall_t, p.funding_gap_musd
    );
    let spend: Vec<String> = p
        .spend
        .iter()
        .map(|(y, v)| format!("{y}: {v:.0}"))
        .collect();
    let _ = writeln!(
        out,
        "Spend per year (US$ m): {}",
        if spend.is_empty() {
            "none".into()
        } else {
            spend.join(", ")
        }
    );
    for (id, why) in &p.left_out {
        let _ = writeln!(out, "{}: left out: {why}", printable(id));
    }
    let _ = writeln!(out, "\nMethod: {}.", p.method);
    out
}

pub fn plan_csv(p: &crate::timeline::Plan) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "order",
        "id",
        "name",
        "start_year",
        "first_production_year",
        "capex_musd",
        "supply_t",
    ])?;
    for f in &p.financed {
        w.write_record([
            f.order.to_string(),
            neutralise(&f.id),
            neutralise(&f.name),
            f.start_year.to_string(),
            f.first_production_year.to_string(),
            format!("{:.3}", f.capex_musd),
            format!("{:.1}", f.supply_t),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("Mount Weld"), "Mount Weld");
    }
}
