//! The table and CSV forms of an appraisal (and its cash flows, draws and tornado).

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::appraisal::{Appraisal, Report};
use crate::model::provenance::Origin;

use super::{AppraisalWriter, Form, fixed, neutralise, num, printable, runs_as_formula};

/// A fixed-width table, sorted as the report is.
/// The columns of `appraise`'s table.
pub const TABLE_COLUMNS: [&str; 23] = [
    "id",
    "name",
    "NPV US$m",
    "P10",
    "P50",
    "P90",
    "P(NPV>0)",
    "IRR %",
    "payback y",
    "capex US$m",
    "basket US$/kg",
    "TREO t/y",
    "NdPr t/y",
    "breakeven x",
    "NdPr incentive US$/kg",
    "NPV at",
    "1st prod",
    "P10-P90",
    "P50 outcome",
    "P(success)",
    "risked US$m",
    "funding US$m",
    "debt US$m",
];

/// One project's row of `appraise`'s table, in [`TABLE_COLUMNS`] order, and its note under
/// the table (why it is not valued), if any.
pub(crate) fn table_row(p: &Appraisal) -> (Vec<String>, Option<String>) {
    let dash = |s: String| if s.is_empty() { "-".to_owned() } else { s };
    let name: String = printable(&p.name).chars().take(28).collect();
    let row = vec![
        printable(&p.id),
        name,
        dash(num(p.npv_musd.base, 0)),
        dash(num(p.npv_musd.p10, 0)),
        dash(num(p.npv_musd.p50, 0)),
        dash(num(p.npv_musd.p90, 0)),
        dash(num(p.prob_npv_positive, 2)),
        dash(num(p.irr_pct, 1)),
        dash(num(p.payback_years, 1)),
        dash(num(p.capex_musd, 0)),
        dash(num(p.basket_price_usd_per_kg, 2)),
        dash(num(p.annual_treo_t.filter(|t| *t > 0.0), 0)),
        dash(num(p.annual_ndpr_t.filter(|t| *t > 0.0), 0)),
        dash(num(p.breakeven_price_factor, 2)),
        dash(num(p.incentive_ndpr_usd_per_kg, 1)),
        match p.npv_convention.as_deref() {
            Some("as_of") => "as-of".to_owned(),
            Some(_) => "constr.".to_owned(),
            None => "-".to_owned(),
        },
        p.first_production_year.base.to_string(),
        outcome_range(&p.first_production_year),
        p.first_production_year
            .p50
            .map_or_else(|| "never".to_owned(), |y| y.to_string()),
        format!("{:.2}", p.chance_of_success),
        dash(num(p.risked_npv_musd, 0)),
        dash(num(p.funding.as_ref().map(|f| f.peak_funding_musd), 0)),
        dash(num(p.funding.as_ref().map(|f| f.debt_musd), 0)),
    ];
    let note = p
        .unvalued_reason
        .as_ref()
        .map(|r| format!("{}: not valued: {r}", printable(&p.id)));
    (row, note)
}

/// What the table's foot says: the uncertainty and conventions of the run `head`, then
/// `notes`.
pub(crate) fn write_table_notes<'n>(
    head: &Report,
    notes: impl Iterator<Item = &'n str>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let a = &head.assumptions;
    writeln!(out, "\n{}", uncertainty_note(head))?;
    writeln!(
        out,
        "US$ million real {} at {} % ({} discounting); NPV at: as-of = the start of the as-of year, on the cash flows still ahead (built and part-built projects, sunk capex excluded), constr. = the start of construction; 1st prod is the year if the project proceeds, P50 outcome the median of every outcome (never: not by the horizon); risked NPV = the owner's value of deciding (zero when it would not build) x the chance of getting there, discounted to {}; funding = the peak requirement (capex to complete, overrun at the study's accuracy band, working capital, interest during construction), debt = senior debt sized at the minimum DSCR over its tenor, capped by gearing ([funding]); prices: {}.",
        head.conventions.money_year,
        a.discount_rate_pct,
        head.conventions.discounting.label(),
        head.as_of,
        a.scenario
    )?;
    for n in notes {
        writeln!(out, "{n}")?;
    }
    Ok(())
}

/// First production P10-P90 of every outcome (`never` where the percentile does not
/// produce by the horizon; the lead-time model gives them with or without draws).
fn outcome_range(f: &crate::appraisal::YearEstimate) -> String {
    let y = |v: Option<i32>| v.map_or_else(|| "never".to_owned(), |y| y.to_string());
    format!("{}-{}", y(f.p10), y(f.p90))
}

/// The line under the table that says what the percentile columns are, or that no draws
/// were run.
fn uncertainty_note(report: &Report) -> String {
    if report.draws == 0 {
        return "No draws (--draws 0): the NPV P10/P50/P90 and P(NPV>0) columns are empty; give --draws N for them. 1st prod P10-P90: of every outcome, from the lead-time model.".to_owned();
    }
    format!(
        "P10/P50/P90: NPV percentiles over {} draws (seed {}; {}); P(NPV>0) the share of draws with a positive NPV; 1st prod P10-P90 of every outcome.",
        report.draws,
        report.seed.map_or("-".into(), |s| s.to_string()),
        report.percentile_convention
    )
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
pub const CSV_COLUMNS: [&str; 81] = [
    "id",
    "name",
    "country",
    "regime",
    "deposit_type",
    "commodity",
    "stage",
    "valued",
    "npv_musd",
    // The simulation's spread (issue 20; empty without draws).
    "npv_p10_musd",
    "npv_p50_musd",
    "npv_p90_musd",
    "prob_npv_positive",
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
    "npv_convention",
    "npv_as_of_musd",
    "capex_to_spend_musd",
    "incentive_ndpr_usd_per_kg",
    "c1_usd_per_kg_ndpr",
    "aisc_usd_per_kg_ndpr",
    "first_production_year",
    "years_to_first_production",
    "chance_of_success",
    "risked_npv_musd",
    "first_production_p10",
    "first_production_p50",
    "first_production_p90",
    "owner_npv_musd",
    "nearest_separation_plant",
    "nearest_separation_plant_km",
    "separation_plant",
    "separation_china_share",
    "nearest_port",
    "nearest_port_km",
    "distance_to_shore_km",
    "protected_area",
    "protected_area_km",
    "study_published_npv_musd",
    "study_model_npv_musd",
    "study_deviation_pct",
    "study_rebuilt_npv_musd",
    "study_rebuild_deviation_pct",
    "study_rebuild_basis",
    "peak_funding_musd",
    "debt_capacity_musd",
    "debt_musd",
    "debt_sized_by",
    "min_dscr",
    "llcr",
    "equity_musd",
    "equity_irr_pct",
    "offtake_coverage_pct",
    "offtake_basis",
    "floor_value_musd",
    "floor_expected_cost_musd",
    "loan_value_musd",
    "loan_expected_cost_musd",
    "credit_value_musd",
    "credit_expected_cost_musd",
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
    pub(crate) fn cell(&mut self, fill: impl FnOnce(&mut Vec<u8>)) {
        let at = self.0.len();
        self.0.extend_from_slice(&[0; 4]);
        fill(self.0);
        let len = (self.0.len() - at - 4) as u32;
        self.0[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }

    /// Text, neutralised against formula injection.
    pub(crate) fn text(&mut self, s: &str) {
        self.cell(|out| {
            if runs_as_formula(s) {
                out.push(b'\'');
            }
            out.extend_from_slice(s.as_bytes());
        });
    }

    pub(crate) fn opt(&mut self, s: Option<&str>) {
        self.text(s.unwrap_or(""));
    }

    /// A number with `decimals` decimals; empty when missing or not finite.
    pub(crate) fn num(&mut self, v: Option<f64>, decimals: usize) {
        self.cell(|out| {
            if let Some(x) = v.filter(|x| x.is_finite()) {
                push_fixed(out, x, decimals);
            }
        });
    }
}

/// Appends finite `x` with `decimals` decimals, the bytes [`super::Fixed`] writes (`-0`
/// as `0`), without the formatter in the common case: below 2^52, the integer nearest
/// `|x| * 10^decimals` is found exactly (the product's rounding error from `mul_add`), and
/// only an exact tie, or a figure out of that range, goes to the formatter.
pub(crate) fn push_fixed(out: &mut Vec<u8>, x: f64, decimals: usize) {
    const SCALE: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
    let Some(n) = SCALE
        .get(decimals)
        .and_then(|&m| nearest_scaled(x.abs(), m))
    else {
        if let Some(f) = fixed(Some(x), decimals) {
            let _ = write!(out, "{f}");
        }
        return;
    };
    if n != 0 && x < 0.0 {
        out.push(b'-');
    }
    // The digits of n, at least one before the point.
    let mut digits = [b'0'; 32];
    let mut len = 0;
    let mut rest = n;
    while rest > 0 || len <= decimals {
        digits[len] = b'0' + (rest % 10) as u8;
        rest /= 10;
        len += 1;
    }
    for (i, &d) in digits[..len].iter().enumerate().rev() {
        out.push(d);
        if i == decimals && decimals > 0 {
            out.push(b'.');
        }
    }
}

/// The integer nearest `a * m` (`a` >= 0 finite, `m` a power of ten that is exact) when
/// it is below 2^52 and not a tie; `None` for the formatter to decide.
fn nearest_scaled(a: f64, m: f64) -> Option<u64> {
    if a == 0.0 {
        return Some(0);
    }
    // Far from underflow, so that the product's error is itself a double.
    if !(1e-200..4.5e15).contains(&a) {
        return None;
    }
    let s = a * m;
    if s >= 4_503_599_627_370_496.0 {
        return None;
    }
    // a * m = s + err exactly; s's fraction is a multiple of its ulp (at most 1/2), and
    // |err| is at most half of it, so err decides only at a fraction of exactly 1/2.
    let err = a.mul_add(m, -s);
    let whole = s.floor();
    let frac = s - whole;
    let up = if frac != 0.5 {
        frac > 0.5
    } else if err != 0.0 {
        err > 0.0
    } else {
        return None;
    };
    Some(whole as u64 + u64::from(up))
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
    c.num(p.npv_musd.p10, 3);
    c.num(p.npv_musd.p50, 3);
    c.num(p.npv_musd.p90, 3);
    c.num(p.prob_npv_positive, 4);
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
    c.opt(p.npv_convention.as_deref());
    c.num(p.npv_as_of_musd, 3);
    c.num(p.capex_to_spend_musd, 3);
    c.num(p.incentive_ndpr_usd_per_kg, 2);
    c.num(p.c1_usd_per_kg_ndpr, 2);
    c.num(p.aisc_usd_per_kg_ndpr, 2);
    c.cell(|out| {
        let _ = write!(out, "{}", p.first_production_year.base);
    });
    c.num(Some(p.years_to_first_production), 2);
    c.num(Some(p.chance_of_success), 4);
    c.num(p.risked_npv_musd, 3);
    for y in [
        p.first_production_year.p10,
        p.first_production_year.p50,
        p.first_production_year.p90,
    ] {
        c.cell(|out| match y {
            Some(y) => {
                let _ = write!(out, "{y}");
            }
            None => out.extend_from_slice(b"never"),
        });
    }
    c.num(p.owner.as_ref().map(|o| o.npv_musd), 3);
    c.opt(plant.map(|n| n.name.as_str()));
    c.num(plant.map(|n| n.distance_km), 1);
    // The plant the valuation priced the product at (issue 16), and the share sold to China.
    let used = p.separation.as_ref();
    c.opt(used.map(|u| u.terms.plant.as_deref().unwrap_or("none outside China")));
    c.num(used.map(|u| u.terms.china_share), 4);
    c.opt(port.map(|n| n.name.as_str()));
    c.num(port.map(|n| n.distance_km), 1);
    c.num(p.spatial.distance_to_shore_km, 1);
    c.opt(protected.map(|a| a.name.as_str()));
    c.num(protected.map(|a| a.distance_km), 2);
    c.num(study.map(|s| s.published_npv_musd), 3);
    c.num(study.and_then(|s| s.model_npv_musd), 3);
    c.num(study.and_then(|s| s.deviation_pct), 2);
    let bridge = study.and_then(|s| s.bridge.as_ref());
    c.num(bridge.map(|b| b.rebuilt_npv_musd), 3);
    c.num(bridge.and_then(|b| b.rebuild_deviation_pct), 2);
    c.opt(bridge.map(|b| b.rebuild_basis));
    funding_cells(p, c);
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

/// The funding structure's and the support instruments' cells (issue 18): empty for a
/// project not valued (or an instrument that does not apply).
fn funding_cells(p: &Appraisal, c: &mut Cells) {
    let f = p.funding.as_ref();
    c.num(f.map(|f| f.peak_funding_musd), 3);
    c.num(f.map(|f| f.debt_capacity_musd), 3);
    c.num(f.map(|f| f.debt_musd), 3);
    c.opt(f.map(|f| f.debt_sized_by));
    c.num(f.and_then(|f| f.min_dscr), 3);
    c.num(f.and_then(|f| f.llcr), 3);
    c.num(f.map(|f| f.equity_musd), 3);
    c.num(f.and_then(|f| f.equity_irr_pct), 3);
    c.num(f.and_then(|f| f.offtake_coverage_pct), 2);
    c.opt(f.map(|f| f.offtake_basis));
    let i = p.instruments.as_ref();
    let floor = i.and_then(|i| i.price_floor.as_ref());
    c.num(floor.map(|f| f.value_to_project_musd), 3);
    c.num(floor.map(|f| f.expected_cost_to_government_musd), 3);
    let loan = i.and_then(|i| i.concessional_loan.as_ref());
    c.num(loan.map(|l| l.value_to_project_musd), 3);
    c.num(loan.map(|l| l.expected_cost_to_government_musd), 3);
    let credit = i.and_then(|i| i.production_credit.as_ref());
    c.num(credit.map(|c| c.value_to_project_musd), 3);
    c.num(credit.map(|c| c.expected_cost_to_government_musd), 3);
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
pub const CASHFLOW_COLUMNS: [&str; 15] = [
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
    "rent_tax_musd",
];

/// A project's annual schedule as CSV rows under [`CASHFLOW_COLUMNS`].
pub(crate) fn cashflow_rows(p: &Appraisal) -> io::Result<Vec<u8>> {
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
            num(Some(y.rent_tax), 4),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// A tornado table: each driver's NPV at its P10 and P90, the swing, and its rank
/// correlation with NPV, largest swing first.
pub fn tornado(p: &Appraisal, s: &crate::model::simulate::SimSummary) -> String {
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
        crate::model::simulate::PERCENTILE_CONVENTION
    );
    out
}

/// The header of `sensitivity --format csv`.
pub const TORNADO_COLUMNS: [&str; 7] = [
    "id",
    "driver",
    "npv_at_p10_musd",
    "npv_at_p90_musd",
    "swing_musd",
    "rank_correlation",
    "npv_base_musd",
];

/// A tornado as CSV rows under [`TORNADO_COLUMNS`], largest swing first (the table's
/// order); every cell neutralised against formula injection.
pub fn tornado_csv(p: &Appraisal, s: &crate::model::simulate::SimSummary) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(TORNADO_COLUMNS)?;
    for d in &s.sensitivity {
        w.write_record([
            neutralise(&p.id),
            neutralise(&d.driver),
            num(Some(d.npv_at_p10_musd), 3),
            num(Some(d.npv_at_p90_musd), 3),
            num(Some(d.swing_musd), 3),
            num(Some(d.rank_correlation), 4),
            num(p.npv_musd.base, 3),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// The header of `appraise --keep-draws`.
pub const DRAW_COLUMNS: [&str; 4] = ["id", "draw", "npv_musd", "years_to_first_production"];

/// A project's kept draws as CSV rows under [`DRAW_COLUMNS`].
pub(crate) fn draw_rows(p: &Appraisal) -> io::Result<Vec<u8>> {
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

#[cfg(test)]
mod tests {
    use super::push_fixed;

    /// The bytes `Fixed` writes through the formatter.
    fn formatted(x: f64, d: usize) -> String {
        super::fixed(Some(x), d).unwrap().to_string()
    }

    fn pushed(x: f64, d: usize) -> String {
        let mut out = Vec::new();
        push_fixed(&mut out, x, d);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fixed_figures_are_written_as_the_formatter_writes_them() {
        // Hand-worked cases: rounding, ties of exact binary fractions, signs, padding.
        for (x, d, want) in [
            (0.0, 3, "0.000"),
            (-0.0, 2, "0.00"),
            (-0.0004, 3, "0.000"),
            (-0.0006, 3, "-0.001"),
            (0.005, 3, "0.005"),
            (2.5, 0, "2"),
            (3.5, 0, "4"),
            (0.125, 2, "0.12"),
            (0.375, 2, "0.38"),
            (1234.5678, 1, "1234.6"),
            (-98.76, 0, "-99"),
            (1e300, 2, &formatted(1e300, 2)),
        ] {
            assert_eq!(pushed(x, d), want, "{x} to {d}");
            assert_eq!(formatted(x, d), want, "{x} to {d}");
        }
        // The common figure takes the exact path, an exact tie the formatter.
        assert_eq!(super::nearest_scaled(1234.5678, 10.0), Some(12346));
        assert_eq!(super::nearest_scaled(0.125, 100.0), None);
        // Against the formatter over many magnitudes, near-ties and exact binary ties.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let r = next();
            let d = (r % 7) as usize;
            let mantissa = (next() >> 11) as f64 / (1u64 << 53) as f64;
            let x = match r >> 60 {
                // Figures of every size from 1e-6 to 1e16.
                0..=7 => mantissa * 10f64.powi((r >> 8) as i32 % 23 - 6),
                // Integers and halves over 10^d: ties between two outputs.
                8..=11 => ((next() % 2_000_000) as f64 + 0.5) / 10f64.powi(d as i32),
                // A step of 1/8, 1/16 or 1/32: exact binary fractions.
                _ => (next() % 100_000) as f64 / [8.0, 16.0, 32.0][(r % 3) as usize],
            };
            let x = if r & 1 == 1 { -x } else { x };
            assert_eq!(pushed(x, d), formatted(x, d), "{x:e} to {d}");
        }
    }
}
