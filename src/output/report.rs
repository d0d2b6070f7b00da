//! The committee report: one self-contained HTML file (inline CSS and SVG, nothing fetched)
//! with a map of the sites over Natural Earth coastlines, the ranking, the investment
//! timeline, supply against a target, the NPV spread of every project, and a card per
//! project with its figures, provenance, risk factors and tornado. Every user string is
//! escaped. Charts are plain SVG with generic font families, so no system font is needed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use geo::CoordsIter;

use crate::appraisal::{Appraisal, Report};
use crate::model::leadtime::StageSpan;
use crate::model::provenance::Origin;
use crate::portfolio::rank::Ranking;
use crate::portfolio::timeline::{Oxide, Timeline};
use crate::read::record::StudyStage;

/// Natural Earth 1:110m land (public domain), for the map.
const LAND_110M: &str = include_str!("../../samples/context/land-110m.geojson");

/// Escapes text for HTML and SVG content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const SCORE_COLOURS: [&str; 5] = ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"];

fn score_colour(score: f64) -> &'static str {
    SCORE_COLOURS[((score * 5.0).floor() as usize).min(4)]
}

fn stage_colour(stage: StudyStage) -> &'static str {
    match stage {
        StudyStage::Exploration | StudyStage::Resource => "#9ecae1",
        StudyStage::Pea | StudyStage::Pfs | StudyStage::Dfs => "#6baed6",
        StudyStage::Permitting => "#fd8d3c",
        StudyStage::Financing => "#fdd0a2",
        StudyStage::Construction => "#74c476",
        StudyStage::RampUp | StudyStage::Production => "#238b45",
    }
}

fn money(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite())
        .map_or("–".into(), |x| format!("{x:.0}"))
}

/// A ring's points with longitudes made continuous (no step over 180°), so that a
/// polygon crossing the antimeridian is drawn whole rather than as a line across the map;
/// a ring around a pole (Antarctica's, whose longitudes wind once round) is closed along
/// the pole. Gives the points and their longitude range.
fn unwrapped_ring(ring: &geo::LineString<f64>) -> (Vec<(f64, f64)>, f64, f64) {
    let mut pts: Vec<(f64, f64)> = Vec::with_capacity(ring.0.len() + 2);
    let mut off = 0.0;
    let mut prev: Option<f64> = None;
    for c in ring.coords_iter() {
        let mut lon = c.x + off;
        if let Some(p) = prev {
            while lon - p > 180.0 {
                off -= 360.0;
                lon -= 360.0;
            }
            while lon - p < -180.0 {
                off += 360.0;
                lon += 360.0;
            }
        }
        prev = Some(lon);
        pts.push((lon, c.y));
    }
    if let (Some(first), Some(last)) = (pts.first().copied(), pts.last().copied())
        && (last.0 - first.0).abs() > 180.0
    {
        let mean_lat = pts.iter().map(|p| p.1).sum::<f64>() / pts.len() as f64;
        let pole = if mean_lat < 0.0 { -90.0 } else { 90.0 };
        pts.push((last.0, pole));
        pts.push((first.0, pole));
    }
    let lo = pts.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let hi = pts.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    (pts, lo, hi)
}

/// The map's score classes: colour and the range of rank score it stands for.
fn score_legend() -> Vec<(String, String)> {
    SCORE_COLOURS
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                format!(
                    r##"<circle cx="10" cy="0" r="6" fill="{c}" stroke="#222" stroke-width="0.8"/>"##
                ),
                format!("score {:.1}-{:.1}", i as f64 / 5.0, (i + 1) as f64 / 5.0),
            )
        })
        .collect()
}

/// The map: equirectangular, Natural Earth land, each site a marker numbered by its rank
/// and coloured by score, a legend of the score classes, and a key of the numbers below.
fn map_svg(
    report: &Report,
    records: &BTreeMap<&str, &crate::ProjectRecord>,
    ranks: &BTreeMap<&str, &crate::portfolio::rank::Ranked>,
    shown: Option<&std::collections::BTreeSet<&str>>,
) -> String {
    let (w, plot_h, h) = (960.0, 480.0, 540.0);
    let x = |lon: f64| (lon + 180.0) / 360.0 * w;
    let y = |lat: f64| (90.0 - lat) / 180.0 * plot_h;
    let mut svg = format!(
        r##"<svg id="map" class="chart" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Map of the sites" font-family="sans-serif" font-size="11"><rect width="{w}" height="{plot_h}" fill="#eaf2f8"/>"##
    );
    if let Ok(fc) = LAND_110M.parse::<geojson::FeatureCollection>() {
        let mut d = String::new();
        for f in fc.features {
            let Some(g) = f
                .geometry
                .and_then(|g| geo::Geometry::<f64>::try_from(g).ok())
            else {
                continue;
            };
            let polys: Vec<geo::Polygon<f64>> = match g {
                geo::Geometry::Polygon(p) => vec![p],
                geo::Geometry::MultiPolygon(mp) => mp.0,
                _ => vec![],
            };
            for p in polys {
                for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                    let (pts, lo, hi) = unwrapped_ring(ring);
                    // Drawn again a turn east or west where it runs past ±180°; the clip
                    // keeps what falls off the map.
                    for shift in [-360.0, 0.0, 360.0] {
                        if hi + shift < -180.0 || lo + shift > 180.0 {
                            continue;
                        }
                        for (i, (lon, lat)) in pts.iter().enumerate() {
                            let _ = write!(
                                d,
                                "{}{:.1},{:.1}",
                                if i == 0 { "M" } else { "L" },
                                x(lon + shift),
                                y(*lat)
                            );
                        }
                        d.push('Z');
                    }
                }
            }
        }
        // An inner viewport clips what is drawn a turn beyond ±180° (no reference by URL,
        // so the page names nothing it would fetch).
        let _ = write!(
            svg,
            r##"<svg x="0" y="0" width="{w}" height="{plot_h}" viewBox="0 0 {w} {plot_h}" overflow="hidden"><path d="{d}" fill="#d9d4c7" stroke="#a89f8a" stroke-width="0.4"/></svg>"##
        );
    }
    // Lowest rank drawn last, so the best-ranked marker is on top where sites crowd.
    let mut sites: Vec<(&Appraisal, geo::Point<f64>)> = report
        .projects
        .iter()
        .filter(|p| shown.is_none_or(|s| s.contains(p.id.as_str())))
        .filter_map(|p| Some((p, records.get(p.id.as_str())?.site_point()?)))
        .collect();
    sites.sort_by_key(|(p, _)| {
        std::cmp::Reverse(ranks.get(p.id.as_str()).map_or(usize::MAX, |r| r.rank))
    });
    for (p, pt) in &sites {
        let r = ranks.get(p.id.as_str());
        let score = r.map_or(0.0, |r| r.score);
        let number = r.map_or("·".to_owned(), |r| r.rank.to_string());
        let (cx, cy) = (
            x(pt.x()).clamp(8.0, w - 8.0),
            y(pt.y()).clamp(8.0, plot_h - 8.0),
        );
        let _ = write!(
            svg,
            r##"<g class="site"><title>{number}. {} ({}): score {score:.2}</title><circle cx="{cx:.1}" cy="{cy:.1}" r="7.5" fill="{}" stroke="#222" stroke-width="0.8"/><text x="{cx:.1}" y="{:.1}" text-anchor="middle" font-size="8.5" font-weight="bold">{number}</text></g>"##,
            escape(&p.name),
            escape(&p.id),
            score_colour(score),
            cy + 3.0,
        );
    }
    let bottom = super::axes::legend(&mut svg, &score_legend(), (8.0, plot_h + 16.0), w - 8.0);
    let _ = write!(
        svg,
        r##"<text x="8" y="{:.1}" fill="#555">Numbers: rank in the ranking below. Land: Natural Earth 1:110m (public domain); equirectangular, longitude -180° to 180°.</text></svg>"##,
        bottom + 4.0
    );
    // The key: number, name and country, in rank order, as an HTML list (it wraps).
    let mut key: Vec<(usize, String)> = sites
        .iter()
        .filter_map(|(p, _)| {
            let r = ranks.get(p.id.as_str())?;
            Some((
                r.rank,
                format!(
                    "<li value=\"{}\">{} <small>({}, {})</small></li>",
                    r.rank,
                    escape(&p.name),
                    escape(&p.id),
                    escape(p.country.as_deref().unwrap_or("Area"))
                ),
            ))
        })
        .collect();
    key.sort();
    let items: String = key.into_iter().map(|(_, li)| li).collect();
    format!("{svg}<ol id=\"map-key\" class=\"key\">{items}</ol>")
}

/// Items joined with `, ` up to `max` characters, then `and N more`.
pub(crate) fn fit_list(items: &[String], max: usize) -> String {
    let mut out = String::new();
    for (i, it) in items.iter().enumerate() {
        if !out.is_empty() && out.chars().count() + it.chars().count() + 2 > max {
            return format!("{out} and {} more", items.len() - i);
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(it);
    }
    out
}

/// `text` cut to `max` characters with an ellipsis, so that a label keeps to its margin
/// (the full text stays in the element's title).
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut t: String = text.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// A Gantt of the remaining stages, with P10-P90 whiskers on first production, year axes
/// above and below and a legend of the stage colours.
fn gantt_svg(t: &Timeline, shown: Option<&std::collections::BTreeSet<&str>>) -> String {
    let rows: Vec<_> = t
        .projects
        .iter()
        .filter(|p| !p.stages.is_empty() && shown.is_none_or(|s| s.contains(p.id.as_str())))
        .collect();
    let last = t.years.last().map_or(t.as_of, |y| y.year);
    let (start, end) = (f64::from(t.as_of), f64::from(last.max(t.as_of + 1)));
    let (left, w, row, top) = (200.0, 740.0, 18.0, 34.0);
    let plot_bottom = top + row * rows.len() as f64 + 4.0;
    let h = plot_bottom + 76.0;
    let x = |year: f64| left + (year.clamp(start, end) - start) / (end - start) * w;
    let mut svg = format!(
        r##"<svg id="gantt" class="chart" viewBox="0 0 960 {h}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Investment timeline" font-family="sans-serif" font-size="11">"##
    );
    let ticks: Vec<f64> = (t.as_of..=last).step_by(5).map(f64::from).collect();
    for year in &ticks {
        let _ = write!(
            svg,
            r##"<g class="tick"><line x1="{0:.1}" x2="{0:.1}" y1="{1}" y2="{2}" stroke="#ddd"/><text x="{0:.1}" y="{3}" text-anchor="middle">{4}</text></g>"##,
            x(*year),
            top - 6.0,
            plot_bottom,
            top - 10.0,
            *year as i32
        );
    }
    for (i, p) in rows.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end"><title>{}</title>{}</text>"##,
            left - 6.0,
            y + 11.0,
            escape(&p.name),
            escape(&fit(&p.name, 30))
        );
        for s in &p.stages {
            let StageSpan {
                stage,
                start: a,
                end: b,
                ..
            } = s;
            let _ = write!(
                svg,
                r##"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="12" fill="{}"><title>{}: {stage} {a:.1}-{b:.1}</title></rect>"##,
                x(*a),
                (x(*b) - x(*a)).max(0.5),
                stage_colour(*stage),
                escape(&p.id)
            );
        }
        let f = &p.first_production_year;
        // Whiskers: P10-P90 if the project proceeds (never has no place on a calendar).
        let (x10, x90) = (
            x(f64::from(f.if_proceeds_p10)),
            x(f64::from(f.if_proceeds_p90)),
        );
        let _ = write!(
            svg,
            r##"<line x1="{x10:.1}" x2="{x90:.1}" y1="{0:.1}" y2="{0:.1}" stroke="#000"/><line x1="{x10:.1}" x2="{x10:.1}" y1="{1:.1}" y2="{2:.1}" stroke="#000"/><line x1="{x90:.1}" x2="{x90:.1}" y1="{1:.1}" y2="{2:.1}" stroke="#000"/>"##,
            y + 6.0,
            y + 2.0,
            y + 10.0
        );
    }
    super::axes::x_axis(
        &mut svg,
        &ticks,
        x,
        |v| (v as i32).to_string(),
        plot_bottom,
        (left, left + w),
        "year",
    );
    let swatch = |c: &str| format!(r##"<rect x="0" y="-6" width="20" height="10" fill="{c}"/>"##);
    let entries = vec![
        (swatch("#9ecae1"), "exploration, resource".to_owned()),
        (swatch("#6baed6"), "studies (PEA, PFS, DFS)".to_owned()),
        (swatch("#fd8d3c"), "permitting".to_owned()),
        (swatch("#fdd0a2"), "financing".to_owned()),
        (swatch("#74c476"), "construction".to_owned()),
        (
            r##"<line x1="0" x2="20" y1="0" y2="0" stroke="#000"/><line x1="0" x2="0" y1="-4" y2="4" stroke="#000"/><line x1="20" x2="20" y1="-4" y2="4" stroke="#000"/>"##.to_owned(),
            "first production P10-P90 if it proceeds".to_owned(),
        ),
    ];
    super::axes::legend(&mut svg, &entries, (8.0, plot_bottom + 48.0), 950.0);
    svg.push_str("</svg>");
    svg
}

/// Non-China supply against the target, with the early-late band, a y axis in t/y, a year
/// axis, a labelled target line and a legend.
fn supply_svg(t: &Timeline, oxide: Oxide, peak_floor: f64) -> String {
    // Separated supply (the band and the two solid lines), against mined supply and the
    // capacity of the plants outside China.
    let pick = |y: &crate::portfolio::timeline::YearRow| match oxide {
        Oxide::Ndpr => y.separated_ndpr_t,
        Oxide::Dytb => y.separated_dytb_t,
    };
    let mined = |y: &crate::portfolio::timeline::YearRow| match oxide {
        Oxide::Ndpr => y.ndpr_t.base,
        Oxide::Dytb => y.dytb_t.base,
    };
    let capacity = |y: &crate::portfolio::timeline::YearRow| match oxide {
        Oxide::Ndpr => y.plant_capacity_ndpr_t,
        Oxide::Dytb => y.plant_capacity_dytb_t,
    };
    let target = t.target.filter(|g| g.oxide == oxide);
    let peak = t
        .years
        .iter()
        .map(|y| {
            pick(y)
                .early
                .max(pick(y).late)
                .max(pick(y).base)
                .max(mined(y))
                .max(capacity(y))
        })
        .chain(target.map(|g| g.tonnes))
        .fold(peak_floor.max(1.0), f64::max);
    let ticks = super::axes::nice_ticks(0.0, peak * 1.05, 5);
    let max = ticks
        .last()
        .copied()
        .filter(|m| *m >= peak)
        .unwrap_or_else(|| {
            let step = ticks.get(1).copied().unwrap_or(peak) - ticks[0];
            ticks.last().copied().unwrap_or(0.0) + step
        });
    let mut ticks = ticks;
    if ticks.last().is_none_or(|l| *l < max) {
        ticks.push(max);
    }
    let (left, top, w, h) = (80.0, 34.0, 850.0, 230.0);
    let n = t.years.len().max(2) as f64 - 1.0;
    let x = |i: usize| left + i as f64 / n * w;
    let y = |v: f64| top + h - v / max * h;
    let name = match oxide {
        Oxide::Ndpr => "NdPr oxide",
        Oxide::Dytb => "Dy+Tb oxide",
    };
    let mut svg = format!(
        r##"<svg id="supply-{}" class="chart" viewBox="0 0 960 360" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Non-China {name} supply" font-family="sans-serif" font-size="11" data-x0="{left}" data-dx="{}" data-ybase="{}" data-ky="{}"><text x="{left}" y="14" font-weight="bold">Non-China {name} supply, t/y</text>"##,
        if oxide == Oxide::Ndpr { "ndpr" } else { "dytb" },
        w / n,
        top + h,
        h / max
    );
    super::axes::y_axis(&mut svg, &ticks, y, left, (top, top + h), left + w, "t/y");
    let band: Vec<String> = t
        .years
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{:.1},{:.1}", x(i), y(pick(r).early)))
        .chain(
            t.years
                .iter()
                .enumerate()
                .rev()
                .map(|(i, r)| format!("{:.1},{:.1}", x(i), y(pick(r).late))),
        )
        .collect();
    let _ = write!(
        svg,
        r##"<polygon data-wi="band" points="{}" fill="#c6dbef" stroke="none"><title>early-late band</title></polygon>"##,
        band.join(" ")
    );
    for (label, colour, f) in [
        (
            "base",
            "#08519c",
            (|b: crate::portfolio::timeline::Band| b.base)
                as fn(crate::portfolio::timeline::Band) -> f64,
        ),
        ("expected", "#e6550d", |b| b.expected),
    ] {
        let pts: Vec<String> = t
            .years
            .iter()
            .enumerate()
            .map(|(i, r)| format!("{:.1},{:.1}", x(i), y(f(pick(r)))))
            .collect();
        let _ = write!(
            svg,
            r##"<polyline data-wi="{label}" points="{}" fill="none" stroke="{colour}" stroke-width="2"><title>{label}</title></polyline>"##,
            pts.join(" ")
        );
    }
    for (wi, label, colour, dash, f) in [
        (
            "mined",
            "mined (contained)",
            "#636363",
            "6 3",
            &mined as &dyn Fn(&crate::portfolio::timeline::YearRow) -> f64,
        ),
        (
            "capacity",
            "plant capacity outside China",
            "#31a354",
            "2 2",
            &capacity,
        ),
    ] {
        let pts: Vec<String> = t
            .years
            .iter()
            .enumerate()
            .map(|(i, r)| format!("{:.1},{:.1}", x(i), y(f(r))))
            .collect();
        let _ = write!(
            svg,
            r##"<polyline data-wi="{wi}" points="{}" fill="none" stroke="{colour}" stroke-width="1.5" stroke-dasharray="{dash}"><title>{label}</title></polyline>"##,
            pts.join(" ")
        );
    }
    if let Some(g) = target {
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{:.1}" y1="{1:.1}" y2="{1:.1}" stroke="#000" stroke-dasharray="4 3"/>"##,
            left + w,
            y(g.tonnes)
        );
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-weight="bold">target {} t/y by {}</text>"##,
            left + w - 4.0,
            y(g.tonnes) - 5.0,
            super::axes::label(g.tonnes),
            g.year
        );
        if let Some(i) = t.years.iter().position(|r| r.year == g.year) {
            let _ = write!(
                svg,
                r##"<circle cx="{:.1}" cy="{:.1}" r="4" fill="#000"><title>target {}</title></circle>"##,
                x(i),
                y(g.tonnes),
                escape(&g.to_string())
            );
        }
    }
    let year_ticks: Vec<f64> = (0..t.years.len()).step_by(5).map(|i| i as f64).collect();
    let first_year = t.years.first().map_or(t.as_of, |r| r.year);
    // The ticks are indices into the years, labelled with the year.
    super::axes::x_axis(
        &mut svg,
        &year_ticks,
        |i| x(i as usize),
        |i| (first_year + i as i32).to_string(),
        top + h,
        (left, left + w),
        "year",
    );
    let line = |c: &str, dash: &str, width: f64| {
        format!(
            r##"<line x1="0" x2="20" y1="0" y2="0" stroke="{c}" stroke-width="{width}" stroke-dasharray="{dash}"/>"##
        )
    };
    let entries = vec![
        (
            line("#08519c", "none", 2.0),
            "separated outside China, base".to_owned(),
        ),
        (
            line("#e6550d", "none", 2.0),
            "separated, chance-weighted".to_owned(),
        ),
        (
            r##"<rect x="0" y="-5" width="20" height="10" fill="#c6dbef"/>"##.to_owned(),
            "separated, early to late".to_owned(),
        ),
        (line("#636363", "6 3", 1.5), "mined (contained)".to_owned()),
        (
            line("#31a354", "2 2", 1.5),
            "plant capacity outside China".to_owned(),
        ),
        (line("#000", "4 3", 1.0), "target".to_owned()),
    ];
    super::axes::legend(&mut svg, &entries, (left, top + h + 48.0), 950.0);
    svg.push_str("</svg>");
    svg
}

/// The separation plants outside China: capacity, and the years each is full.
fn plants_table(t: &Timeline) -> String {
    let mut out = String::from(
        "<h3>Separation plants outside China</h3><table id=\"plants\"><thead><tr><th>Plant</th><th>Country</th><th>Status</th><th>Access</th><th>Start (late)</th><th>NdPr capacity now, t/y</th><th>At the horizon</th><th>NdPr separated, t</th><th>Full in</th></tr></thead><tbody>",
    );
    for p in &t.plants {
        let full = if p.full_years.is_empty() {
            "–".to_owned()
        } else {
            let (a, b) = (p.full_years[0], p.full_years[p.full_years.len() - 1]);
            format!("{} of {} years, {a}-{b}", p.full_years.len(), t.years.len())
        };
        let start = match (p.start_year, p.start_year_late) {
            (Some(a), Some(b)) if b != a => format!("{a} ({b})"),
            (Some(a), _) => a.to_string(),
            _ => "undated".to_owned(),
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{start}</td><td>{:.0}</td><td>{:.0}</td><td>{:.0}</td><td>{full}</td></tr>",
            escape(&p.name),
            escape(p.country.as_deref().unwrap_or("")),
            escape(&p.status),
            match p.access {
                crate::context::plants::PlantAccess::Captive => "captive",
                crate::context::plants::PlantAccess::Open => "open",
            },
            p.capacity_ndpr_t_now,
            p.capacity_ndpr_t_end,
            p.separated_ndpr_t,
        );
    }
    let _ = write!(
        out,
        "</tbody></table><p><small>Allocation: {}.</small></p>",
        escape(t.separation_rule)
    );
    out
}

/// NPV P10-P90 bars with P50 ticks and the deterministic value, per valued project, on a
/// symmetric log scale (linear within ±US$100 m, logarithmic beyond) so that a project
/// worth tens of millions shows beside one worth billions; each row's figures are written
/// beside it.
fn npv_svg(report: &Report, shown: Option<&std::collections::BTreeSet<&str>>) -> String {
    let rows: Vec<&Appraisal> = report
        .projects
        .iter()
        .filter(|p| p.npv_musd.base.is_some() && shown.is_none_or(|s| s.contains(p.id.as_str())))
        .collect();
    let vals: Vec<f64> = rows
        .iter()
        .flat_map(|p| [p.npv_musd.p10, p.npv_musd.p90, p.npv_musd.base])
        .flatten()
        .collect();
    let lo = vals.iter().copied().fold(0.0, f64::min);
    let hi = vals.iter().copied().fold(0.0, f64::max).max(lo + 1.0);
    let scale = super::axes::SymLog { c: 100.0 };
    let ticks = scale.ticks(lo, hi, 11);
    let (tlo, thi) = (
        scale.apply(ticks.first().copied().unwrap_or(lo).min(lo)),
        scale.apply(ticks.last().copied().unwrap_or(hi).max(hi)),
    );
    let (left, w, row, top) = (200.0, 500.0, 16.0, 26.0);
    let plot_bottom = top + row * rows.len() as f64 + 2.0;
    let h = plot_bottom + 56.0;
    let x = |v: f64| left + (scale.apply(v) - tlo) / (thi - tlo).max(1e-9) * w;
    let mut svg = format!(
        r##"<svg id="npv" class="chart" viewBox="0 0 960 {h}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="NPV distribution" font-family="sans-serif" font-size="11"><text x="{0:.1}" y="14" font-weight="bold">NPV, US$ million (symmetric log scale)</text><text x="{1:.1}" y="14" font-weight="bold">base (P10 / P90)</text><line x1="{2:.1}" x2="{2:.1}" y1="{top}" y2="{plot_bottom}" stroke="#888"/>"##,
        left,
        left + w + 12.0,
        x(0.0),
    );
    for t in &ticks {
        let _ = write!(
            svg,
            r##"<line x1="{0:.1}" x2="{0:.1}" y1="{top}" y2="{plot_bottom}" stroke="#eee"/>"##,
            x(*t)
        );
    }
    for (i, p) in rows.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end"><title>{}</title>{}</text>"##,
            left - 6.0,
            y + 9.0,
            escape(&p.name),
            escape(&fit(&p.name, 30))
        );
        if let (Some(a), Some(b)) = (p.npv_musd.p10, p.npv_musd.p90) {
            let _ = write!(
                svg,
                r##"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="10" fill="#9ecae1"><title>P10 {a:.0}, P90 {b:.0} US$m</title></rect>"##,
                x(a),
                (x(b) - x(a)).max(0.5)
            );
        }
        if let Some(m) = p.npv_musd.p50 {
            let _ = write!(
                svg,
                r##"<line x1="{0:.1}" x2="{0:.1}" y1="{y:.1}" y2="{1:.1}" stroke="#08519c" stroke-width="2"/>"##,
                x(m),
                y + 10.0
            );
        }
        if let Some(b) = p.npv_musd.base {
            let _ = write!(
                svg,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#000"><title>base {b:.0} US$m</title></circle>"##,
                x(b),
                y + 5.0
            );
        }
        let spread = match (p.npv_musd.p10, p.npv_musd.p90) {
            (Some(a), Some(b)) => format!(
                " ({} / {})",
                super::axes::label(a.round()),
                super::axes::label(b.round())
            ),
            _ => String::new(),
        };
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}">{}{spread}</text>"##,
            left + w + 12.0,
            y + 9.0,
            super::axes::label(p.npv_musd.base.unwrap_or(0.0).round()),
        );
    }
    super::axes::x_axis(
        &mut svg,
        &ticks,
        x,
        super::axes::label,
        plot_bottom,
        (left, left + w),
        "US$ million: bar P10 to P90, tick P50, dot deterministic",
    );
    svg.push_str("</svg>");
    svg
}

/// A small tornado of a project's five largest swings: NPV with each driver at its P10
/// and P90, on an axis in US$ million, the base NPV marked.
fn tornado_svg(p: &Appraisal) -> String {
    let Some(sim) = &p.simulation else {
        return String::new();
    };
    let drivers: Vec<_> = sim.sensitivity.iter().take(5).collect();
    if drivers.is_empty() {
        return String::new();
    }
    let base = p.npv_musd.base.unwrap_or(0.0);
    let vals: Vec<f64> = drivers
        .iter()
        .flat_map(|d| [d.npv_at_p10_musd, d.npv_at_p90_musd])
        .chain([base])
        .collect();
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max)
        .max(lo + 1.0);
    let ticks = super::axes::ticks_at_least_two(lo, hi, 4);
    // The axis spans the ticks and the data.
    let (lo, hi) = (
        ticks.first().copied().unwrap_or(lo).min(lo),
        ticks.last().copied().unwrap_or(hi).max(hi),
    );
    let (left, w, top) = (96.0, 310.0, 16.0);
    let x = |v: f64| left + (v - lo) / (hi - lo) * w;
    let plot_bottom = top + 14.0 * drivers.len() as f64 + 2.0;
    let h = plot_bottom + 36.0;
    let mut svg = format!(
        r##"<svg class="tornado" viewBox="0 0 440 {h}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Tornado" font-family="sans-serif" font-size="10"><line x1="{0:.1}" x2="{0:.1}" y1="{1:.1}" y2="{plot_bottom:.1}" stroke="#888"/><text x="{0:.1}" y="{2:.1}" text-anchor="middle">base {3}</text>"##,
        x(base),
        top - 2.0,
        top - 5.0,
        super::axes::label(base.round())
    );
    for (i, d) in drivers.iter().enumerate() {
        let y = top + 14.0 * i as f64;
        let (a, b) = (
            d.npv_at_p10_musd.min(d.npv_at_p90_musd),
            d.npv_at_p10_musd.max(d.npv_at_p90_musd),
        );
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{:.1}" y="{y:.1}" width="{:.1}" height="10" fill="#fdae6b"><title>{:.0} to {:.0} US$m</title></rect>"##,
            left - 4.0,
            y + 9.0,
            escape(&fit(&d.driver, 15)),
            x(a),
            (x(b) - x(a)).max(0.5),
            d.npv_at_p10_musd,
            d.npv_at_p90_musd
        );
    }
    super::axes::x_axis(
        &mut svg,
        &ticks,
        x,
        super::axes::label,
        plot_bottom,
        (left, left + w),
        "NPV, US$ million (each driver at its P10 and P90)",
    );
    svg.push_str("</svg>");
    svg
}

/// What a project sells, t/y at nameplate: oxides for rare earths (with the product form),
/// metals for nodules; `–` for what the model has no tonnage of.
fn products(p: &Appraisal) -> String {
    let t = |v: f64| super::axes::label(v.round());
    if let Some(m) = p
        .annual_metals_t
        .filter(|m| m.ni + m.cu + m.co + m.mn > 0.0)
    {
        return format!(
            "Ni {}, Cu {}, Co {}, Mn {} (metal)",
            t(m.ni),
            t(m.cu),
            t(m.co),
            t(m.mn)
        );
    }
    let oxide = |name: &str, v: Option<f64>| {
        v.filter(|x| x.is_finite() && *x > 0.0)
            .map(|x| format!("{name} {}", t(x)))
    };
    let mut parts: Vec<String> = [
        oxide("TREO", p.annual_treo_t),
        oxide("NdPr oxide", p.annual_ndpr_t),
        oxide("Dy+Tb oxide", p.annual_dytb_t),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        return match p.commodity.as_deref() {
            Some("cu_zn_au") => "Zn, Pb, Cu, Au and Ag in a sulphide ore (no tonnage modelled; valued on net smelter return)".to_owned(),
            _ => "–".to_owned(),
        };
    }
    if let Some(form) = &p.product_form {
        parts.push(format!("as {}", form.replace('_', " ")));
    }
    if !p.byproducts_priced_by_default.is_empty() || !p.byproducts_unpriced.is_empty() {
        let listed: Vec<String> = p
            .byproducts_priced_by_default
            .iter()
            .chain(&p.byproducts_unpriced)
            .cloned()
            .collect();
        parts.push(format!("by-products: {}", listed.join(", ")));
    }
    parts.join(", ")
}

fn card(p: &Appraisal, rank: Option<&crate::portfolio::rank::Ranked>) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<section class="card" id="card-{}"><h3>{} <small>({})</small></h3>"#,
        escape(&p.id),
        escape(&p.name),
        escape(&p.id)
    );
    let row =
        |k: &str, v: String| format!("<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(&v));
    let pct = |v: Option<f64>| v.map_or("–".into(), |x| format!("{x:.1} %"));
    let mut t = String::new();
    t += &row(
        "Country / regime",
        format!(
            "{} / {}",
            p.country.as_deref().unwrap_or("–"),
            p.regime.as_deref().unwrap_or("–")
        ),
    );
    t += &row(
        "Deposit / stage",
        format!(
            "{} / {}",
            p.deposit_type.as_deref().unwrap_or("–"),
            p.stage.as_deref().unwrap_or("–")
        ),
    );
    t += &row(
        "NPV US$m (base; P10 / P50 / P90)",
        format!(
            "{}; {} / {} / {}",
            money(p.npv_musd.base),
            money(p.npv_musd.p10),
            money(p.npv_musd.p50),
            money(p.npv_musd.p90)
        ),
    );
    t += &row("IRR", pct(p.irr_pct));
    t += &row("Capex US$m", money(p.capex_musd));
    t += &row(
        "Basket US$/kg TREO",
        p.basket_price_usd_per_kg
            .map_or("–".into(), |v| format!("{v:.2}")),
    );
    t += &row("Products, t/y", products(p));
    if let Some(s) = &p.study {
        // Beside it, the rebuild on the study's own terms when there is one, else the model
        // at the study's prices, rate and tax basis.
        let (what, model, dev) = match &s.bridge {
            Some(b) => (
                "rebuilt on the study's terms",
                Some(b.rebuilt_npv_musd),
                b.rebuild_deviation_pct,
            ),
            None => (
                "the model at the study's prices, rate and tax basis",
                s.model_npv_musd,
                s.deviation_pct,
            ),
        };
        t += &row(
            "Published study NPV US$m",
            format!(
                "{:.0} ({} {}; {:.0} in US$ of {}); {what} {}{}; prospect's own NPV {}",
                s.published_npv_musd,
                s.study_type.as_deref().unwrap_or("study"),
                s.study_year.map_or("–".into(), |y| y.to_string()),
                s.published_npv_real_musd,
                s.money_year,
                money(model),
                dev.map_or(String::new(), |d| format!(" ({d:+.0} %)")),
                money(p.npv_musd.base)
            ),
        );
    }
    t += &row(
        "Breakeven price factor",
        p.breakeven_price_factor
            .map_or("–".into(), |v| format!("{v:.2}")),
    );
    let f = &p.first_production_year;
    t += &row(
        "First production (if it proceeds; P10-P50-P90 of all outcomes)",
        format!(
            "{}; {}-{}-{}",
            f.base,
            f.p10.map_or("never".into(), |v| v.to_string()),
            f.p50.map_or("never".into(), |v| v.to_string()),
            f.p90.map_or("never".into(), |v| v.to_string())
        ),
    );
    t += &row(
        "Chance of success / risked NPV US$m",
        format!("{:.2} / {}", p.chance_of_success, money(p.risked_npv_musd)),
    );
    if let Some(n) = &p.nearest_separation_plant {
        t += &row(
            "Nearest separation plant",
            format!("{} ({:.0} km)", n.name, n.distance_km),
        );
    }
    if let Some(r) = rank {
        t += &row(
            "Rank / score",
            format!(
                "{} / {:.3}{}",
                r.rank,
                r.score,
                if r.pareto { " (Pareto-efficient)" } else { "" }
            ),
        );
    }
    if let Some(why) = &p.unvalued_reason {
        t += &row("Not valued", why.clone());
    }
    let _ = write!(h, "<table class=\"kv\">{t}</table>");
    h.push_str(&funding_section(p));
    let origins = |o: Origin| {
        p.provenance
            .origins()
            .filter(|(_, x)| *x == o)
            .map(|(n, _)| escape(n))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = write!(
        h,
        "<p class=\"prov\"><b>Given:</b> {}<br><b>Estimated:</b> {}<br><b>Default:</b> {}</p>",
        origins(Origin::Given),
        origins(Origin::Estimated),
        origins(Origin::Default)
    );
    let factors: Vec<String> = p
        .risk_factors
        .iter()
        .map(|f| {
            format!(
                "<li>{} × {:.2}: {}</li>",
                escape(&f.factor),
                f.multiplier,
                escape(&f.reason)
            )
        })
        .collect();
    let _ = write!(h, "<p><b>Risk factors</b></p><ul>{}</ul>", factors.join(""));
    if !p.warnings.is_empty() {
        let w: Vec<String> = p
            .warnings
            .iter()
            .map(|w| format!("<li>{}</li>", escape(w)))
            .collect();
        let _ = write!(
            h,
            "<p><b>Warnings</b></p><ul class=\"warn\">{}</ul>",
            w.join("")
        );
    }
    h.push_str(&tornado_svg(p));
    h.push_str(&bridge_section(p));
    h.push_str("</section>");
    h
}

/// The card's funding structure (issue 18): the figures of the appraisal's `funding`, each
/// row keyed by its JSON field (`data-k`), with its unit; "not computed" and why where a
/// figure is missing.
fn funding_section(p: &Appraisal) -> String {
    let id = escape(&p.id);
    let Some(f) = &p.funding else {
        let why = p
            .unvalued_reason
            .as_deref()
            .unwrap_or("the project is not valued");
        return format!(
            "<p><b>Funding structure</b></p><table class=\"kv funding\" id=\"funding-{id}\"><tr data-k=\"funding\"><th>Funding</th><td>not computed: {}</td></tr></table>",
            escape(why)
        );
    };
    let row = |k: &str, label: &str, v: String| {
        format!(
            "<tr data-k=\"{k}\"><th>{}</th><td>{}</td></tr>",
            escape(label),
            escape(&v)
        )
    };
    let m = |v: f64| super::axes::label(v.round());
    let no_debt = |what: &str| match f.debt_sized_by {
        "nothing_to_fund" => format!("not computed: no debt ({what}; nothing left to fund)"),
        _ => format!("not computed: no debt ({what}; no cash flow to service any)"),
    };
    let mut t = String::new();
    t += &row(
        "peak_funding_musd",
        "Peak funding requirement, US$m",
        format!(
            "{} (capex to complete {}, overrun allowance {} at {:.0} %, working capital {}, interest during construction {})",
            m(f.peak_funding_musd),
            m(f.capex_to_complete_musd),
            m(f.overrun_allowance_musd),
            f.overrun_allowance_pct,
            m(f.working_capital_musd),
            m(f.interest_during_construction_musd)
        ),
    );
    t += &row(
        "debt_musd",
        "Senior debt, US$m",
        format!(
            "{} ({:.0} % gearing; sized by {}; capacity at {:.2}x DSCR {}; {} years at {:.1} % real, gearing cap {:.0} %)",
            m(f.debt_musd),
            f.gearing_pct,
            match f.debt_sized_by {
                "dscr" => "the cash flow",
                "gearing" => "the gearing cap",
                "nothing_to_fund" => "nothing left to fund",
                _ => "no cash flow to service debt",
            },
            f.target_dscr,
            m(f.debt_capacity_musd),
            f.debt_tenor_y,
            f.debt_rate_pct,
            f.max_gearing_pct
        ),
    );
    t += &row(
        "min_dscr",
        "Minimum DSCR, x",
        f.min_dscr
            .map_or_else(|| no_debt("no repayment year"), |v| format!("{v:.2}")),
    );
    t += &row(
        "llcr",
        "LLCR, x",
        f.llcr
            .map_or_else(|| no_debt("no loan life"), |v| format!("{v:.2}")),
    );
    t += &row("equity_musd", "Equity needed, US$m", m(f.equity_musd));
    t += &row(
        "equity_irr_pct",
        "Equity IRR (base case), % real",
        match (f.equity_irr_pct, &f.equity_irr_note) {
            (Some(v), _) => format!("{v:.1}"),
            (None, Some(why)) => format!("not computed: {why}"),
            (None, None) => "not computed".to_owned(),
        },
    );
    let named = if f.offtakers.is_empty() {
        String::new()
    } else {
        format!(" ({})", f.offtakers.join(", "))
    };
    t += &row(
        "offtake_coverage_pct",
        "Offtake coverage, % of output",
        match (f.offtake_coverage_pct, f.offtake_basis) {
            (Some(v), _) => format!("{v:.0}{named}"),
            (None, "named_share_unknown") => {
                format!("not computed: offtakers named, no share given{named}")
            }
            _ => "not computed: no offtake declared".to_owned(),
        },
    );
    format!(
        "<p><b>Funding structure</b> <small>(US$ million real; docs/models.md, Funding structure)</small></p><table class=\"kv funding\" id=\"funding-{id}\">{t}</table>"
    )
}

/// The card's study bridge: the waterfall and its steps (issue 14).
fn bridge_section(p: &Appraisal) -> String {
    let Some((s, b)) = p.study.as_ref().and_then(|s| Some((s, s.bridge.as_ref()?))) else {
        return String::new();
    };
    let steps: Vec<String> = b
        .steps
        .iter()
        .map(|x| {
            format!(
                "<tr><td>{}</td><td>{:+.0}</td><td>{}</td></tr>",
                escape(x.step),
                x.musd,
                escape(&x.note)
            )
        })
        .collect();
    format!(
        "<p><b>From the published study to prospect's NPV</b> ({} {}, published US${:.0}m of {}; rebuilt US${:.0}m{} {}): US$ million by step.</p>{}<table class=\"kv\"><tbody>{}</tbody></table>",
        escape(s.study_type.as_deref().unwrap_or("study")),
        s.study_year.map_or("–".into(), |y| y.to_string()),
        b.published_npv_musd,
        s.study_year
            .map_or("the study year".into(), |y| y.to_string()),
        b.rebuilt_npv_musd,
        b.rebuild_deviation_pct
            .map_or(String::new(), |d| format!(", {d:+.0} %")),
        escape(&b.basis_in_words()),
        crate::output::charts::bridge_svg(&p.id, b),
        steps.join("")
    )
}

/// The deck's NdPr price, US$/kg, read back from any project's incentive price and
/// breakeven factor (incentive = factor x deck NdPr).
fn deck_ndpr(report: &Report) -> Option<f64> {
    report.projects.iter().find_map(|p| {
        let (i, k) = (p.incentive_ndpr_usd_per_kg?, p.breakeven_price_factor?);
        (k > 0.0).then(|| i / k)
    })
}

/// A mark beside a ranked project whose known by-products are not priced (issue 14).
fn unpriced_mark(r: &crate::portfolio::rank::Ranked) -> String {
    if r.byproducts_unpriced.is_empty() {
        return String::new();
    }
    format!(
        " <small class=\"unpriced\" title=\"{}\">(unpriced by-products: {})</small>",
        escape(&r.warnings.join(" ")),
        escape(&r.byproducts_unpriced.join(", "))
    )
}

/// The ranking table's project cell: a link to the card, and the unpriced by-products.
pub fn project_cell(r: &crate::portfolio::rank::Ranked) -> String {
    format!(
        "<a href=\"#card-{}\">{}</a>{}",
        escape(&r.id),
        escape(&r.name),
        unpriced_mark(r)
    )
}

/// What the report shows beyond its fixed sections: the committee ranking and the live
/// what-if, each when the command computed it.
#[derive(Default)]
pub struct Extras<'a> {
    /// The committee ranking (`rank --committee`), shown as a league per commodity family.
    pub committee: Option<&'a crate::portfolio::committee::Committee>,
    /// The what-if's inputs and its grid of computed points.
    pub whatif: Option<(
        crate::output::whatif::Inputs<'a>,
        Vec<crate::output::whatif::Point<'a>>,
    )>,
    /// Why there is no what-if, when the command left it out.
    pub whatif_note: Option<String>,
    /// Summary mode: with more projects than this, only the top this many by rank get a
    /// card, a ranking row and a bar, and aggregate charts summarise every project.
    pub cards: Option<usize>,
    /// The strategic reserve (`prospect reserve`) and where its demand comes from.
    pub reserve: Option<(&'a crate::portfolio::reserve::Reserve, String)>,
    /// Why there is no reserve section, when the command left it out.
    pub reserve_note: Option<String>,
    /// Whether the command also wrote the sites as GeoJSON (`--geojson`), which the map's
    /// note then names.
    pub geojson: bool,
    /// Summary mode's aggregates over every project of the run, when the command kept
    /// them apart (a streamed run, whose `report` holds only the projects shown); else
    /// they are counted from the report's projects.
    pub summary: Option<&'a Summary>,
}

/// What summary mode's aggregate charts count of one project: kept of every project of a
/// streamed run (issue 21) in place of its appraisal.
#[derive(Debug, Clone)]
pub struct SummaryPoint {
    /// Risked NPV, US$ million (none when not valued).
    pub risked_npv_musd: Option<f64>,
    /// First production, P50 of all outcomes, calendar year (none when it never produces
    /// in half the outcomes).
    pub first_production_p50: Option<i32>,
    /// Commodity family (`committee::family`).
    pub family: String,
    /// ISO 3166-1 alpha-2 country (none beyond national jurisdiction).
    pub country: Option<String>,
}

impl SummaryPoint {
    pub fn of(p: &Appraisal) -> SummaryPoint {
        SummaryPoint {
            risked_npv_musd: p.risked_npv_musd,
            first_production_p50: p.first_production_year.p50,
            family: crate::portfolio::committee::family(p),
            country: p.country.clone(),
        }
    }
}

/// Summary mode's aggregates over every project: a few numbers per project and counts.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Projects appraised.
    pub projects: usize,
    /// The finite risked NPVs, US$ million, in the order added.
    pub risked_npv_musd: Vec<f64>,
    /// First production P50 of all outcomes (calendar years) of the projects that have one.
    pub first_production_p50: Vec<f64>,
    /// Projects by commodity family (its `_` as spaces).
    pub families: BTreeMap<String, usize>,
    /// Projects by country (`area beyond national jurisdiction` without one).
    pub countries: BTreeMap<String, usize>,
}

impl Summary {
    /// Counts one more project.
    pub fn add(&mut self, p: SummaryPoint) {
        self.projects += 1;
        if let Some(v) = p.risked_npv_musd.filter(|v| v.is_finite()) {
            self.risked_npv_musd.push(v);
        }
        if let Some(y) = p.first_production_p50 {
            self.first_production_p50.push(f64::from(y));
        }
        *self.families.entry(p.family.replace('_', " ")).or_default() += 1;
        *self
            .countries
            .entry(
                p.country
                    .unwrap_or_else(|| "area beyond national jurisdiction".into()),
            )
            .or_default() += 1;
    }

    /// The aggregates of `projects`, in their order.
    pub fn of(projects: &[Appraisal]) -> Summary {
        let mut s = Summary::default();
        for p in projects {
            s.add(SummaryPoint::of(p));
        }
        s
    }
}

/// Summary mode's note and aggregate charts: a histogram of risked NPV, first production
/// by year, and counts by commodity family and by country, over every project.
fn summary_section(summary: &Summary, shown: usize) -> String {
    let total = summary.projects;
    let mut out = format!(
        "<h2>Summary</h2><p id=\"summary-note\"><b>Showing the top {} of {} projects</b> by rank: the map, the ranking table, the timeline, the NPV chart, the cost curve and the project cards hold those {} (and the committee's leagues their top {} each); the supply charts, and the charts and counts below, summarise all {} (one card per site makes no sense at this size; <code>--cards N</code> sets the threshold, and <code>prospect rank</code>, <code>timeline</code> or <code>export</code> list every project). No live what-if above the threshold.</p>",
        super::axes::label(shown as f64),
        super::axes::label(total as f64),
        super::axes::label(shown as f64),
        super::axes::label(shown as f64),
        super::axes::label(total as f64),
    );
    let risked = &summary.risked_npv_musd;
    out.push_str(&crate::output::charts::histogram_svg(
        "hist-risked-npv",
        &format!(
            "Risked NPV of the {} valued projects",
            super::axes::label(risked.len() as f64)
        ),
        risked,
        ("risked NPV, US$ million", super::axes::label),
    ));
    let years = &summary.first_production_p50;
    out.push_str(&crate::output::charts::histogram_svg(
        "hist-first-production",
        &format!(
            "First production (P50 of all outcomes) of the {} projects that have one, per year",
            super::axes::label(years.len() as f64)
        ),
        years,
        ("year", |v| format!("{v:.0}")),
    ));
    let family = summary.families.clone();
    let country = summary.countries.clone();
    for (id, title, counts) in [
        ("counts-family", "Projects by commodity family", family),
        (
            "counts-country",
            "Projects by country (the 20 with most)",
            country,
        ),
    ] {
        let mut v: Vec<(String, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(20);
        let rows: String = v
            .iter()
            .map(|(k, n)| {
                format!(
                    "<tr><td>{}</td><td>{}</td></tr>",
                    escape(k),
                    super::axes::label(*n as f64)
                )
            })
            .collect();
        let _ = write!(
            out,
            "<h3>{title}</h3><table id=\"{id}\" class=\"kv\"><tbody>{rows}</tbody></table>"
        );
    }
    out
}

/// The strategic reserve: what the buyers outside China would lack through a disruption
/// of China's exports, as stockpile tonnes at the confidence, cost at the deck and days of
/// consumption against the reference line, in the market and with the plan financed.
fn reserve_section(r: &crate::portfolio::reserve::Reserve, demand_basis: &str) -> String {
    use crate::output::charts::{product_label, scenario_label};
    let d = &r.disruption;
    let mut out = format!(
        "<h2>Strategic reserve</h2><p>The stockpile of separated oxide that carries the buyers outside China through {} for {} year{} from {}: the shortfall (demand less what plants outside China separate) summed over the disruption, at {} % confidence over {} draws of the supply timeline (seed {}); cost at the {} deck's prices; days of the disruption's mean demand against Japan's {}-day line. {} (docs/models.md, Strategic reserve; <code>prospect reserve</code> gives the same figures.)</p>",
        if d.cut_pct >= 100.0 {
            "a stop of China's exports".to_owned()
        } else {
            format!(
                "a {} % cut in China's exports",
                super::axes::label(d.cut_pct)
            )
        },
        d.years,
        if d.years == 1 { "" } else { "s" },
        d.from,
        super::axes::label(r.confidence_pct),
        r.draws,
        r.seed,
        escape(&r.price_scenario),
        super::axes::label(r.reference_days),
        escape(demand_basis),
    );
    out.push_str(&crate::output::charts::reserve_svg(r));
    out.push_str("<table id=\"reserve-table\" class=\"kv\"><thead><tr><th>Outlook</th><th>Product</th><th>Demand t/y</th><th>Stockpile t</th><th>P50 t</th><th>P(shortfall)</th><th>US$/kg</th><th>Cost US$m</th><th>Days</th><th>Reference line t</th><th>Its cost US$m</th></tr></thead><tbody>");
    let t = |v: f64| super::axes::label(v.round());
    for s in &r.scenarios {
        for p in &s.products {
            let _ = write!(
                out,
                "<tr data-scenario=\"{}\" data-product=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{:.2}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                s.name,
                p.product.name(),
                scenario_label(s.name),
                product_label(p.product),
                t(p.demand_t_per_y),
                t(p.stockpile_t),
                t(p.stockpile_p50_t),
                p.prob_shortfall,
                p.price_usd_per_kg,
                t(p.cost_musd),
                t(p.days_of_consumption),
                t(p.reference_t),
                t(p.reference_cost_musd)
            );
        }
    }
    out.push_str("</tbody></table>");
    if let Some(shrink) = &r.shrink {
        let lines: Vec<String> = shrink
            .iter()
            .map(|s| {
                format!(
                    "{} {} t (US${} m) at {} % confidence, {} t in expectation",
                    product_label(s.product),
                    t(s.stockpile_t),
                    t(s.cost_musd),
                    super::axes::label(r.confidence_pct),
                    t(s.mean_t)
                )
            })
            .collect();
        let _ = write!(
            out,
            "<p>Financing the plan's projects ({}) takes off the stockpile: {}.</p>",
            escape(&fit_list(&r.plan_financed, 200)),
            escape(&lines.join("; "))
        );
    } else {
        out.push_str("<p><small>No plan compared: with <code>--target</code> and <code>--budget</code> the report also sizes the reserve with the plan's projects financed.</small></p>");
    }
    let notes: Vec<String> = r
        .scenarios
        .iter()
        .map(|s| format!("{}: {}", scenario_label(s.name), s.note))
        .chain(r.notes.iter().cloned())
        .collect();
    let _ = write!(out, "<p><small>{}.</small></p>", escape(&notes.join("; ")));
    out
}

/// The whole report.
pub fn html(
    report: &Report,
    records: &[crate::ProjectRecord],
    ranking: &Ranking,
    timeline: &Timeline,
    title: &str,
) -> String {
    html_with(
        report,
        records,
        ranking,
        timeline,
        title,
        &Extras::default(),
    )
}

/// The committee ranking: one league table per commodity family, each criterion's
/// weighted contribution, the value it scores and the chance of success.
fn committee_section(c: &crate::portfolio::committee::Committee, limit: Option<usize>) -> String {
    use crate::portfolio::committee::CRITERIA;
    let mut out = String::from(
        "<h2>Committee ranking</h2><p>Six criteria on absolute scales (not percentiles), so a project's score does not depend on what else is ranked; one league per commodity family, since a rare-earth mine and a nodule licence do not compete for the same offtake. Columns economics to engineering are each criterion's weighted contribution to the score (docs/models.md, Committee ranking).</p>",
    );
    let head: String = CRITERIA
        .iter()
        .map(|k| format!("<th>{}</th>", escape(k)))
        .collect();
    for league in &c.leagues {
        let _ = write!(
            out,
            "<h3>League: {}</h3><div class=\"league\"><table class=\"committee\" id=\"committee-{}\"><thead><tr><th>Rank</th><th>Project</th><th>Score</th>{head}<th>Value scored US$m</th><th>Risked NPV US$m</th><th>P(success)</th></tr></thead><tbody>",
            escape(&league.family.replace('_', " ")),
            escape(&league.family)
        );
        for p in league.projects.iter().take(limit.unwrap_or(usize::MAX)) {
            let cells: String = CRITERIA
                .iter()
                .map(|k| {
                    format!(
                        "<td>{:.3}</td>",
                        p.contributions.get(*k).copied().unwrap_or(0.0)
                    )
                })
                .collect();
            let _ = write!(
                out,
                "<tr><td>{}</td><td><a href=\"#card-{}\">{}</a></td><td>{:.3}</td>{cells}<td>{}</td><td>{}</td><td>{:.2}</td></tr>",
                p.league_rank,
                escape(&p.id),
                escape(&p.name),
                p.score,
                money(p.inputs.economics_value_musd),
                money(p.risked_npv_musd),
                p.chance_of_success
            );
        }
        out.push_str("</tbody></table></div>");
    }
    let weights: Vec<String> = c
        .weights
        .iter()
        .map(|(k, v)| format!("{} {v:.3}", escape(k)))
        .collect();
    let _ = write!(out, "<p><small>Committee weights: {}.", weights.join(", "));
    if !c.screens.is_empty() {
        let _ = write!(
            out,
            " Screens: {}; {} project(s) screened out.",
            escape(&c.screens.join(", ")),
            c.excluded.len()
        );
    }
    if let Some(n) = limit {
        let _ = write!(
            out,
            " Summary mode: each league lists at most its top {} (<code>prospect rank --committee --format csv</code> lists every project).",
            super::axes::label(n as f64)
        );
    }
    out.push_str("</small></p>");
    out
}

/// The whole report, with the committee ranking and the what-if when `extras` has them.
pub fn html_with(
    report: &Report,
    records: &[crate::ProjectRecord],
    ranking: &Ranking,
    timeline: &Timeline,
    title: &str,
    extras: &Extras,
) -> String {
    let recs: BTreeMap<&str, &crate::ProjectRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let ranks: BTreeMap<&str, &crate::portfolio::rank::Ranked> = ranking
        .projects
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let mut table = String::from(
        "<table id=\"ranking\"><thead><tr><th>Rank</th><th>Project</th><th>Score</th><th>Value</th><th>Speed</th><th>Supply</th><th>Risk</th><th>Confidence</th><th>Risked NPV US$m</th><th>1st prod P50 (y)</th><th>P(success)</th><th>Pareto</th></tr></thead><tbody>",
    );
    // Summary mode: above `extras.cards` projects, the top that many by rank have cards,
    // rows and bars; aggregate charts stand for the rest.
    let total = extras.summary.map_or(report.projects.len(), |s| s.projects);
    let limit = extras.cards.filter(|n| total > *n);
    let shown: Option<std::collections::BTreeSet<&str>> = limit.map(|n| {
        ranking
            .projects
            .iter()
            .take(n)
            .map(|r| r.id.as_str())
            .collect()
    });
    for r in ranking.projects.iter().take(limit.unwrap_or(usize::MAX)) {
        let c = |k: &str| r.contributions.get(k).copied().unwrap_or(0.0);
        let _ = write!(
            table,
            "<tr data-id=\"{}\"><td>{}</td><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td><td>{:.1}</td><td>{:.2}</td><td>{}</td></tr>",
            escape(&r.id),
            r.rank,
            project_cell(r),
            r.score,
            c("value"),
            c("speed"),
            c("supply"),
            c("risk"),
            c("confidence"),
            money(r.risked_npv_musd),
            r.years_to_first_production_p50,
            r.chance_of_success,
            if r.pareto { "yes" } else { "" }
        );
    }
    table.push_str("</tbody></table>");
    let by_id: BTreeMap<&str, &Appraisal> =
        report.projects.iter().map(|p| (p.id.as_str(), p)).collect();
    let (cards, summary): (String, String) = match limit {
        None => (
            report
                .projects
                .iter()
                .map(|p| card(p, ranks.get(p.id.as_str()).copied()))
                .collect(),
            String::new(),
        ),
        Some(n) => (
            ranking
                .projects
                .iter()
                .take(n)
                .filter_map(|r| Some(card(by_id.get(r.id.as_str())?, Some(r))))
                .collect(),
            match extras.summary {
                Some(summary) => summary_section(summary, n.min(ranking.projects.len())),
                None => summary_section(
                    &Summary::of(&report.projects),
                    n.min(ranking.projects.len()),
                ),
            },
        ),
    };
    let a = &report.assumptions;
    // The what-if's grid sets the supply charts' scale, so that every point fits.
    let peak = |oxide: Oxide| {
        extras.whatif.as_ref().map_or(0.0, |(_, points)| {
            crate::output::whatif::supply_peak(points, oxide)
        })
    };
    let whatif = match (&extras.whatif, &extras.whatif_note) {
        (Some((inputs, points)), _) => crate::output::whatif::section(inputs, points),
        (None, Some(note)) => format!("<p id=\"whatif-note\"><small>{}</small></p>", escape(note)),
        (None, None) => String::new(),
    };
    let target = timeline.target.map_or(String::new(), |t| {
        format!(
            "<p>Target {}: separated base supply {}, chance-weighted {}; mined supply {}.</p>",
            escape(&t.to_string()),
            timeline
                .target_met_year
                .map_or("not met within the horizon".into(), |y| format!(
                    "met in {y}"
                )),
            timeline
                .target_met_year_expected
                .map_or("not met within the horizon".into(), |y| format!(
                    "met in {y}"
                )),
            timeline
                .target_met_year_mined
                .map_or("not met within the horizon".into(), |y| format!(
                    "met in {y}"
                ))
        )
    });
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1000px; padding: 1em; color: #222; }}
h1 {{ font-size: 1.5em; }} h2 {{ border-bottom: 1px solid #ccc; margin-top: 1.6em; }}
.chart {{ width: 100%; height: auto; display: block; }}
table {{ border-collapse: collapse; font-size: 0.85em; }} #ranking td, #ranking th {{ padding: 2px 6px; border-bottom: 1px solid #eee; text-align: right; }}
#ranking td:nth-child(2), #ranking th:nth-child(2) {{ text-align: left; }}
.card {{ border: 1px solid #ddd; border-radius: 6px; padding: 0.6em 1em; margin: 1em 0; break-inside: avoid; }}
.kv th {{ text-align: left; font-weight: normal; color: #555; padding-right: 1em; }} .prov {{ font-size: 0.8em; color: #444; }}
.key {{ columns: 3 14em; font-size: 0.8em; margin: 0.4em 0 0 1.5em; padding: 0; }}
.whatif {{ border: 1px solid #9ecae1; border-radius: 6px; padding: 0.4em 1em; margin: 0.8em 0; background: #f7fbff; }}
.wi-controls {{ padding: 0.3em 0; }} .wi-controls label {{ margin-right: 1em; white-space: nowrap; }}
.wi-weights input {{ width: 4.5em; }} #wi-status {{ font-size: 0.85em; margin: 0.3em 0; }}
table.committee {{ font-size: 0.78em; }} .league {{ overflow-x: auto; }} table.committee td, table.committee th {{ padding: 2px 4px; border-bottom: 1px solid #eee; text-align: right; }} table.committee td:nth-child(2), table.committee th:nth-child(2) {{ text-align: left; min-width: 12em; }}
.warn li {{ color: #a63603; }} .tornado {{ width: 440px; max-width: 100%; }} small {{ color: #777; }}
@media print {{ h2 {{ break-before: page; }} .card {{ page-break-inside: avoid; }} }}
</style></head><body>
<h1>{title}</h1>
<p>prospect {version}, as of {as_of}. Prices: {scenario}; real discount rate {rate} %; {draws} draws per project (seed {seed}). Money in US$ million, real {money_year} (every figure brought to {money_year} US$ by the US CPI-U). NPV at the as-of date for built and part-built projects, else at the start of construction. {convention}.</p>
<h2>Map</h2>{map_note}{map}
{summary}<h2>Ranking</h2>{whatif}<p>Columns value to confidence are each criterion's weighted contribution to the score.</p>{table}{committee}
<h2>Investment timeline</h2><p>Remaining stages (light blue: studies, orange: permitting and financing, green: construction) and first production P10-P90 whiskers.</p>{gantt}
<h2>Non-China supply</h2><p>A mine adds to non-China supply only when a plant outside China separates its output: mined (contained) oxide against what the plants separate and their capacity.</p>{target}{supply_ndpr}{supply_dytb}{plants}
<h2>NPV distribution</h2>{npv}
{reserve}
<h2>Cost curve</h2><p>Each bar is a valued rare-earth project: width its NdPr oxide output at nameplate, height its C1 cash cost per kg NdPr (opex and freight less by-product credits); sorted from the cheapest. Projects below the deck's NdPr line earn a cash margin on NdPr alone.</p>{cost_curve}
<h2>Projects</h2>{cards}
</body></html>
"#,
        title = escape(title),
        version = escape(&report.prospect_version),
        as_of = report.as_of,
        money_year = report.conventions.money_year,
        scenario = escape(&a.scenario),
        rate = a.discount_rate_pct,
        draws = report.draws,
        seed = report.seed.map_or("–".into(), |s| s.to_string()),
        convention = escape(report.percentile_convention),
        map = map_svg(report, &recs, &ranks, shown.as_ref()),
        map_note = match limit {
            Some(n) => format!(
                "<p id=\"map-note\"><small>The map shows the top {} of the {} sites by rank, the projects of the cards (a million markers make no map); <code>prospect export</code> writes every site as a GIS layer{}.</small></p>",
                super::axes::label(n.min(ranking.projects.len()) as f64),
                super::axes::label(total as f64),
                if extras.geojson {
                    ", as <code>--geojson</code> did beside this report"
                } else {
                    ""
                }
            ),
            None => String::new(),
        },
        gantt = gantt_svg(timeline, shown.as_ref()),
        supply_ndpr = supply_svg(timeline, Oxide::Ndpr, peak(Oxide::Ndpr)),
        supply_dytb = supply_svg(timeline, Oxide::Dytb, peak(Oxide::Dytb)),
        whatif = whatif,
        summary = summary,
        committee = extras
            .committee
            .map_or(String::new(), |c| committee_section(c, limit)),
        plants = plants_table(timeline),
        npv = npv_svg(report, shown.as_ref()),
        cost_curve = match &shown {
            // Summary mode: the bars of the projects shown, said so.
            Some(ids) => {
                let head = Report {
                    prospect_version: report.prospect_version.clone(),
                    seed: report.seed,
                    draws: report.draws,
                    percentile_convention: report.percentile_convention,
                    as_of: report.as_of,
                    assumptions: report.assumptions.clone(),
                    conventions: report.conventions.clone(),
                    projects: report
                        .projects
                        .iter()
                        .filter(|p| ids.contains(p.id.as_str()))
                        .cloned()
                        .collect(),
                };
                format!(
                    "<p id=\"cost-curve-note\"><small>The bars of the top {} projects by rank (those of the cards), not of all {}.</small></p>{}",
                    super::axes::label(ids.len() as f64),
                    super::axes::label(total as f64),
                    crate::output::charts::cost_curve_svg(&head, deck_ndpr(&head))
                )
            }
            None => crate::output::charts::cost_curve_svg(report, deck_ndpr(report)),
        },
        reserve = match (&extras.reserve, &extras.reserve_note) {
            (Some((r, basis)), _) => reserve_section(r, basis),
            (None, Some(note)) => format!(
                "<h2>Strategic reserve</h2><p id=\"reserve-note\"><small>{}</small></p>",
                escape(note)
            ),
            (None, None) => String::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
