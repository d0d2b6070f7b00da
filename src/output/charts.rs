//! The report's valuation charts (issue 14): the waterfall of a study's bridge from the
//! published NPV to prospect's own, and the cost curve of the valued rare-earth projects
//! (C1 cash cost per kg NdPr against cumulative NdPr output). Self-contained SVG.

use std::fmt::Write as _;

use crate::appraisal::Report;
use crate::model::bridge::Bridge;
use crate::output::report::escape;

/// The waterfall of one bridge: the published NPV, each step as a rise or fall, and
/// prospect's NPV, in US$ million.
pub fn bridge_svg(id: &str, b: &Bridge) -> String {
    let mut bars: Vec<(String, f64, f64, &str)> = Vec::new(); // label, from, to, colour
    bars.push(("published".into(), 0.0, b.published_npv_musd, "#636363"));
    let mut now = b.published_npv_musd;
    for s in &b.steps {
        let colour = if s.musd >= 0.0 { "#31a354" } else { "#de2d26" };
        bars.push((s.step.replace('_', " "), now, now + s.musd, colour));
        now += s.musd;
    }
    bars.push(("prospect".into(), 0.0, b.model_npv_musd, "#08519c"));
    let lo = bars
        .iter()
        .flat_map(|(_, a, b, _)| [*a, *b])
        .fold(0.0, f64::min);
    let hi = bars
        .iter()
        .flat_map(|(_, a, b, _)| [*a, *b])
        .fold(0.0, f64::max)
        .max(lo + 1.0);
    let (top, plot_h, col, left) = (14.0, 150.0, 78.0, 50.0);
    let y = |v: f64| top + (hi - v) / (hi - lo) * plot_h;
    let w = left + col * bars.len() as f64 + 10.0;
    let mut svg = format!(
        r##"<svg class="bridge chart" id="bridge-{}" viewBox="0 0 {w:.0} {:.0}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="bridge from the published NPV to prospect's NPV" font-family="sans-serif" font-size="10"><line x1="{left}" x2="{:.0}" y1="{z:.1}" y2="{z:.1}" stroke="#888"/>"##,
        escape(id),
        top + plot_h + 36.0,
        w - 6.0,
        z = y(0.0),
    );
    // A US$ million axis (issue 20: every chart with ticks and units).
    let ticks: Vec<f64> = crate::output::axes::ticks_at_least_two(lo, hi, 4);
    crate::output::axes::y_axis(&mut svg, &ticks, y, left, (top, top + plot_h), w - 6.0, "");
    for (i, (label, from, to, colour)) in bars.iter().enumerate() {
        let x = left + col * i as f64 + 8.0;
        let (a, b) = (y(from.max(*to)), y(from.min(*to)));
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{a:.1}" width="{:.1}" height="{:.1}" fill="{colour}"><title>{}: {:+.0} US$m (to {to:.0})</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text x="{:.1}" y="{:.1}" text-anchor="middle">{:.0}</text>"##,
            col - 16.0,
            (b - a).max(0.8),
            escape(label),
            to - from,
            x + (col - 16.0) / 2.0,
            top + plot_h + 14.0,
            escape(label),
            x + (col - 16.0) / 2.0,
            top + plot_h + 26.0,
            to - from,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The cost curve: one bar per valued rare-earth project with a C1 per kg NdPr, sorted by
/// it, its width the project's NdPr output at nameplate (t/y), its height C1 (US$/kg
/// NdPr, by-products credited); the deck's NdPr price as a line.
pub fn cost_curve_svg(report: &Report, ndpr_price_usd_per_kg: Option<f64>) -> String {
    let mut rows: Vec<(&str, &str, f64, f64)> = report
        .projects
        .iter()
        .filter_map(|p| {
            let c1 = p.c1_usd_per_kg_ndpr?;
            let t = p.annual_ndpr_t.filter(|t| *t > 0.0)?;
            c1.is_finite()
                .then_some((p.id.as_str(), p.name.as_str(), t, c1))
        })
        .collect();
    if rows.is_empty() {
        return "<p>No valued rare-earth project has a C1 cost per kg NdPr.</p>".into();
    }
    rows.sort_by(|a, b| a.3.total_cmp(&b.3).then_with(|| a.0.cmp(b.0)));
    let total: f64 = rows.iter().map(|r| r.2).sum();
    let lo = rows.iter().map(|r| r.3).fold(0.0, f64::min);
    // The scale stops at three times the deck's NdPr price (US$300/kg without one): a
    // project with little NdPr has a C1 per kg NdPr of thousands, drawn clipped with its
    // value written on it.
    let cap = ndpr_price_usd_per_kg.map_or(300.0, |p| 3.0 * p);
    let hi = rows
        .iter()
        .map(|r| r.3)
        .chain(ndpr_price_usd_per_kg)
        .fold(0.0, f64::max)
        .min(cap)
        .max(1.0);
    let lo = lo.max(-hi / 2.0);
    let mut off_scale = Vec::new();
    let (left, top, w, h) = (60.0, 14.0, 860.0, 220.0);
    let x = |t: f64| left + t / total * w;
    let y = |v: f64| top + (hi - v) / (hi - lo) * h;
    let mut svg = format!(
        r##"<svg id="cost-curve" class="chart" viewBox="0 0 960 {:.0}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="cost curve: C1 per kg NdPr against cumulative NdPr output" font-family="sans-serif" font-size="10"><line x1="{left}" x2="{:.0}" y1="{z:.1}" y2="{z:.1}" stroke="#888"/>"##,
        top + h + 74.0,
        left + w,
        z = y(0.0),
    );
    // Axes (issue 20): C1 in US$/kg NdPr up the side, cumulative output along the bottom.
    let ticks: Vec<f64> = crate::output::axes::ticks_at_least_two(lo, hi, 5);
    crate::output::axes::y_axis(
        &mut svg,
        &ticks,
        y,
        left,
        (top, top + h),
        left + w,
        "US$/kg",
    );
    crate::output::axes::x_axis(
        &mut svg,
        &crate::output::axes::nice_ticks(0.0, total, 6),
        x,
        crate::output::axes::label,
        top + h,
        (left, left + w),
        "cumulative NdPr oxide output at nameplate, t/y",
    );
    let mut cum = 0.0;
    for (id, name, t, c1) in &rows {
        let (x0, x1) = (x(cum), x(cum + t));
        let clipped = *c1 > hi || *c1 < lo;
        if clipped {
            off_scale.push(format!("{id} {c1:.0}"));
        }
        let (a, b) = (y(c1.clamp(0.0, hi)), y(c1.clamp(lo, 0.0)));
        let _ = write!(
            svg,
            r##"<rect x="{x0:.1}" y="{a:.1}" width="{:.1}" height="{:.1}" fill="#6baed6" stroke="#fff" stroke-width="0.5"><title>{}: C1 US${c1:.1}/kg NdPr, {t:.0} t/y NdPr</title></rect>"##,
            (x1 - x0).max(0.5),
            (b - a).max(0.5),
            escape(name),
        );
        if x1 - x0 > 22.0 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
                (x0 + x1) / 2.0,
                a - 3.0,
                escape(id)
            );
        }
        cum += t;
    }
    if let Some(p) = ndpr_price_usd_per_kg {
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{right:.0}" y1="{yp:.1}" y2="{yp:.1}" stroke="#e6550d" stroke-dasharray="4 3"/><text x="{lx:.0}" y="{ty:.1}" text-anchor="start" fill="#e6550d">deck NdPr US${p:.0}/kg</text>"##,
            right = left + w,
            // At the cheap end, where the bars are low, so the label crosses no bar's id.
            lx = left + 6.0,
            yp = y(p),
            ty = y(p) - 3.0,
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{left}" y="{:.1}">C1 cash cost, US$ per kg NdPr oxide (by-products credited), against cumulative NdPr output at nameplate, {total:.0} t/y in all</text>"##,
        top + h + 46.0,
    );
    if !off_scale.is_empty() {
        let _ = write!(
            svg,
            r##"<text x="{left}" y="{:.1}">Off scale, US$/kg: {}</text>"##,
            top + h + 60.0,
            escape(&crate::output::report::fit_list(&off_scale, 140))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The strategic reserve (issue 18): one bar per product and supply outlook (the market,
/// and with the plan financed when there is one), its length the stockpile in days of the
/// disruption's mean demand on a days axis, Japan's reference line drawn and labelled, and
/// beside each bar its tonnes at the confidence and its cost at the deck.
pub fn reserve_svg(r: &crate::portfolio::reserve::Reserve) -> String {
    // By product, each outlook beside the other.
    let mut rows: Vec<(String, &crate::portfolio::reserve::ProductReserve)> = r
        .scenarios
        .iter()
        .flat_map(|s| {
            s.products.iter().map(move |p| {
                (
                    format!("{}, {}", product_label(p.product), scenario_label(s.name)),
                    p,
                )
            })
        })
        .collect();
    rows.sort_by_key(|(_, p)| p.product);
    let peak = rows
        .iter()
        .map(|(_, p)| p.days_of_consumption)
        .filter(|d| d.is_finite())
        .fold(r.reference_days.max(1.0), f64::max);
    let mut ticks = crate::output::axes::ticks_at_least_two(0.0, peak, 5);
    // The axis ends on a tick at or beyond the longest bar.
    if let [.., a, b] = ticks[..]
        && b < peak
    {
        ticks.push(b + (b - a));
    }
    let max = ticks.last().copied().unwrap_or(peak).max(peak);
    let (left, w, row, top) = (170.0, 480.0, 24.0, 48.0);
    let plot_bottom = top + row * rows.len() as f64 + 6.0;
    let h = plot_bottom + 72.0;
    let x = |v: f64| left + v.clamp(0.0, max) / max * w;
    let mut svg = format!(
        r##"<svg id="reserve" class="chart" viewBox="0 0 960 {h:.0}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Strategic reserve in days of consumption" font-family="sans-serif" font-size="11"><text x="{left}" y="14" font-weight="bold">Stockpile at {} % confidence, days of consumption</text><text x="{:.1}" y="14" font-weight="bold">tonnes; cost at the deck</text>"##,
        crate::output::axes::label(r.confidence_pct),
        left + w + 16.0,
    );
    for t in &ticks {
        let _ = write!(
            svg,
            r##"<line x1="{0:.1}" x2="{0:.1}" y1="{top}" y2="{plot_bottom:.1}" stroke="#eee"/>"##,
            x(*t)
        );
    }
    for (i, (label, p)) in rows.iter().enumerate() {
        let y = top + row * i as f64 + 4.0;
        let colour = if label.ends_with("market") {
            "#6baed6"
        } else {
            "#fd8d3c"
        };
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{left}" y="{y:.1}" width="{:.1}" height="14" fill="{colour}"><title>{}: {:.0} t, US${:.1} m, {:.0} days</title></rect><text x="{:.1}" y="{:.1}">{} t; US${} m; {} days</text>"##,
            left - 6.0,
            y + 11.0,
            escape(label),
            (x(p.days_of_consumption) - left).max(0.5),
            escape(label),
            p.stockpile_t,
            p.cost_musd,
            p.days_of_consumption,
            left + w + 16.0,
            y + 11.0,
            crate::output::axes::label(p.stockpile_t.round()),
            crate::output::axes::label(p.cost_musd.round()),
            crate::output::axes::label(p.days_of_consumption.round()),
        );
    }
    let xr = x(r.reference_days);
    let _ = write!(
        svg,
        r##"<line x1="{xr:.1}" x2="{xr:.1}" y1="{:.1}" y2="{plot_bottom:.1}" stroke="#000" stroke-width="1.5" stroke-dasharray="5 3"/><text x="{xr:.1}" y="{:.1}" text-anchor="{}" font-weight="bold">Japan's {}-day line</text>"##,
        top - 4.0,
        top - 8.0,
        if xr > left + w - 60.0 {
            "end"
        } else {
            "middle"
        },
        crate::output::axes::label(r.reference_days),
    );
    crate::output::axes::x_axis(
        &mut svg,
        &ticks,
        x,
        crate::output::axes::label,
        plot_bottom,
        (left, left + w),
        "days of the disruption's mean demand",
    );
    let swatch = |c: &str| format!(r##"<rect x="0" y="-6" width="20" height="10" fill="{c}"/>"##);
    let mut entries = vec![(
        swatch("#6baed6"),
        "market (every project at its own chance and pace)".to_owned(),
    )];
    if r.scenarios.len() > 1 {
        entries.push((
            swatch("#fd8d3c"),
            "with the plan's projects financed".to_owned(),
        ));
    }
    entries.push((
        r##"<line x1="0" x2="20" y1="0" y2="0" stroke="#000" stroke-width="1.5" stroke-dasharray="5 3"/>"##.to_owned(),
        format!(
            "reference: {} days of demand (Japan's stockpile target)",
            crate::output::axes::label(r.reference_days)
        ),
    ));
    crate::output::axes::legend(&mut svg, &entries, (left, plot_bottom + 48.0), 950.0);
    svg.push_str("</svg>");
    svg
}

/// A reserve product's name on the page.
pub fn product_label(p: crate::portfolio::reserve::Product) -> &'static str {
    use crate::portfolio::reserve::Product;
    match p {
        Product::Ndpr => "NdPr oxide",
        Product::Dy => "Dy2O3",
        Product::Tb => "Tb4O7",
    }
}

/// A reserve scenario's name on the page.
pub fn scenario_label(name: &str) -> &str {
    match name {
        "market" => "market",
        "with_plan" => "with the plan",
        other => other,
    }
}

/// A histogram of `values` in bins between round edges: bars of the count per bin on a
/// count axis, the value axis titled `unit` (summary mode's aggregate charts).
pub fn histogram_svg(
    id: &str,
    title: &str,
    values: &[f64],
    (unit, text): (&str, fn(f64) -> String),
) -> String {
    use crate::output::axes;
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() {
        (lo, hi.max(lo + 1.0))
    } else {
        (0.0, 1.0)
    };
    let mut edges = axes::ticks_at_least_two(lo, hi, 20);
    let step = edges[1] - edges[0];
    if edges[0] > lo {
        edges.insert(0, edges[0] - step);
    }
    if let Some(last) = edges.last().copied()
        && last <= hi
    {
        edges.push(last + step);
    }
    let bins = edges.len() - 1;
    let mut counts = vec![0usize; bins];
    for v in values {
        let k = (((v - edges[0]) / step).floor().max(0.0) as usize).min(bins - 1);
        counts[k] += 1;
    }
    let peak = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    // Whole counts only.
    let yt: Vec<f64> = axes::ticks_at_least_two(0.0, peak.max(2.0), 4)
        .into_iter()
        .filter(|t| t.fract() == 0.0)
        .collect();
    let ymax = yt.last().copied().unwrap_or(peak).max(peak);
    let (left, top, w, h) = (80.0, 30.0, 850.0, 180.0);
    let x = |v: f64| left + (v - edges[0]) / (edges[bins] - edges[0]) * w;
    let y = |c: f64| top + h - c / ymax * h;
    let mut svg = format!(
        r##"<svg id="{}" class="chart" viewBox="0 0 960 {:.0}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" font-family="sans-serif" font-size="11"><text x="{left}" y="14" font-weight="bold">{}</text>"##,
        escape(id),
        top + h + 40.0,
        escape(title),
        escape(title)
    );
    axes::y_axis(&mut svg, &yt, y, left, (top, top + h), left + w, "projects");
    for (k, c) in counts.iter().enumerate() {
        if *c == 0 {
            continue;
        }
        let (a, b) = (x(edges[k]), x(edges[k + 1]));
        let _ = write!(
            svg,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#6baed6" stroke="#fff" stroke-width="0.5"><title>{} to {}: {c}</title></rect>"##,
            a,
            y(*c as f64),
            (b - a).max(0.5),
            top + h - y(*c as f64),
            axes::label(edges[k]),
            axes::label(edges[k + 1])
        );
    }
    // A label every few edges, so that they do not run into each other.
    let every = bins.div_ceil(10).max(1);
    let ticks: Vec<f64> = edges.iter().step_by(every).copied().collect();
    axes::x_axis(&mut svg, &ticks, x, text, top + h, (left, left + w), unit);
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bridge::BridgeStep;

    #[test]
    fn the_waterfall_draws_every_step_and_both_ends() {
        let b = Bridge {
            published_npv_musd: 100.0,
            rebuilt_npv_musd: 80.0,
            rebuild_deviation_pct: Some(-20.0),
            steps: vec![
                BridgeStep {
                    step: "rebuild_gap",
                    musd: -20.0,
                    npv_after_musd: 80.0,
                    note: String::new(),
                },
                BridgeStep {
                    step: "price_deck",
                    musd: -130.0,
                    npv_after_musd: -50.0,
                    note: String::new(),
                },
            ],
            model_npv_musd: -50.0,
            model_npv_convention: "as_of".into(),
            not_separated: Vec::new(),
            rebuild_basis: "model_at_study_deck",
            study_terms_used: Vec::new(),
            rebuilt_margin_musd_per_y: 0.0,
            published_irr_pct: None,
            rebuilt_irr_pct: None,
            npv_from_published_irr_musd: None,
        };
        let svg = bridge_svg("X", &b);
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.contains("price deck: -130 US$m (to -50)"));
        assert!(svg.contains("published: +100 US$m"));
        assert!(svg.contains("prospect: -50 US$m"));
    }
}
