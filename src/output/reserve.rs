//! The table and CSV forms of the strategic reserve (`prospect reserve`, issue 18).

use std::fmt::Write as _;

use super::{aligned, neutralise, num, printable};
use crate::portfolio::reserve::Reserve;

/// The reserve as a table: one row per scenario and product, then the years.
pub fn reserve_table(r: &Reserve) -> String {
    let d = &r.disruption;
    let mut out = format!(
        "Strategic reserve: China's exports {} for {} year{} from {} ({} draws, seed {}, confidence {} %, prices {})\n\n",
        if d.cut_pct >= 100.0 {
            "stop".to_owned()
        } else {
            format!("fall by {} %", fixed(d.cut_pct))
        },
        d.years,
        if d.years == 1 { "" } else { "s" },
        d.from,
        r.draws,
        r.seed,
        fixed(r.confidence_pct),
        printable(&r.price_scenario),
    );
    let header = [
        "scenario",
        "product",
        "demand t/y",
        "stockpile t",
        "P50 t",
        "mean t",
        "base t",
        "P(short)",
        "US$/kg",
        "cost US$m",
        "days",
    ];
    let rows: Vec<Vec<String>> = r
        .scenarios
        .iter()
        .flat_map(|s| {
            s.products.iter().map(move |p| {
                vec![
                    s.name.to_owned(),
                    p.product.to_string(),
                    num(Some(p.demand_t_per_y), 0),
                    num(Some(p.stockpile_t), 0),
                    num(Some(p.stockpile_p50_t), 0),
                    num(Some(p.stockpile_mean_t), 0),
                    num(Some(p.stockpile_base_t), 0),
                    num(Some(p.prob_shortfall), 2),
                    num(Some(p.price_usd_per_kg), 2),
                    num(Some(p.cost_musd), 1),
                    num(Some(p.days_of_consumption), 0),
                ]
            })
        })
        .collect();
    out.push_str(&aligned(&header, &rows, 2));
    if let Some(first) = r.scenarios.first() {
        for p in &first.products {
            let _ = writeln!(
                out,
                "Reference ({} days of demand, Japan's stockpile line): {} {:.0} t, US${:.1} m; the {} stockpile is {:.0} days.",
                fixed(r.reference_days),
                p.product,
                p.reference_t,
                p.reference_cost_musd,
                first.name,
                p.days_of_consumption
            );
        }
    }
    if let Some(shrink) = &r.shrink {
        for s in shrink {
            let _ = writeln!(
                out,
                "Financing the plan takes {:.0} t (US${:.1} m) off the {} stockpile at {} % confidence, {:.0} t in expectation.",
                s.stockpile_t,
                s.cost_musd,
                s.product,
                fixed(r.confidence_pct),
                s.mean_t
            );
        }
    }
    for s in &r.scenarios {
        let _ = writeln!(out, "\n{}: {}", s.name, printable(&s.note));
        let header = [
            "year",
            "product",
            "demand t",
            "supply P10",
            "P50",
            "P90",
            "base",
            "short P50",
            "short at conf.",
        ];
        let rows: Vec<Vec<String>> = s
            .years
            .iter()
            .map(|y| {
                vec![
                    y.year.to_string(),
                    y.product.to_string(),
                    num(Some(y.demand_t), 0),
                    num(Some(y.supply_p10_t), 0),
                    num(Some(y.supply_p50_t), 0),
                    num(Some(y.supply_p90_t), 0),
                    num(Some(y.supply_base_t), 0),
                    num(Some(y.shortfall_p50_t), 0),
                    num(Some(y.shortfall_at_confidence_t), 0),
                ]
            })
            .collect();
        out.push_str(&aligned(&header, &rows, 2));
    }
    for n in &r.notes {
        let _ = writeln!(out, "Note: {}.", printable(n));
    }
    let _ = writeln!(out, "\nMethod: {}.", r.method);
    out
}

/// One CSV row per scenario and product.
pub fn reserve_csv(r: &Reserve) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "scenario",
        "product",
        "disruption_from",
        "disruption_years",
        "cut_pct",
        "confidence_pct",
        "demand_t_per_y",
        "stockpile_t",
        "stockpile_p50_t",
        "stockpile_mean_t",
        "stockpile_base_t",
        "prob_shortfall",
        "price_usd_per_kg",
        "cost_musd",
        "days_of_consumption",
        "reference_days",
        "reference_t",
        "reference_cost_musd",
    ])?;
    for s in &r.scenarios {
        for p in &s.products {
            w.write_record([
                neutralise(s.name),
                p.product.name().to_owned(),
                r.disruption.from.to_string(),
                r.disruption.years.to_string(),
                format!("{}", r.disruption.cut_pct),
                format!("{}", r.confidence_pct),
                format!("{:.3}", p.demand_t_per_y),
                format!("{:.3}", p.stockpile_t),
                format!("{:.3}", p.stockpile_p50_t),
                format!("{:.3}", p.stockpile_mean_t),
                format!("{:.3}", p.stockpile_base_t),
                format!("{:.4}", p.prob_shortfall),
                format!("{:.2}", p.price_usd_per_kg),
                format!("{:.3}", p.cost_musd),
                format!("{:.1}", p.days_of_consumption),
                format!("{}", r.reference_days),
                format!("{:.3}", p.reference_t),
                format!("{:.3}", p.reference_cost_musd),
            ])?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// A figure without trailing zeros: 100, 62.5.
fn fixed(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}
