//! The table and CSV forms of the portfolio decisions: ranking, timeline and plan.

use std::fmt::Write as _;

use super::{aligned, neutralise, num, printable};

/// The ranking as a table, with each criterion's contribution.
pub fn rank_table(r: &crate::portfolio::rank::Ranking) -> String {
    let mut header = vec!["rank", "id", "name", "score"];
    header.extend(crate::portfolio::rank::CRITERIA);
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
                crate::portfolio::rank::CRITERIA
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

pub fn rank_csv(r: &crate::portfolio::rank::Ranking) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["rank", "id", "name", "score"];
    header.extend(crate::portfolio::rank::CRITERIA);
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
            crate::portfolio::rank::CRITERIA
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
pub fn timeline_table(t: &crate::portfolio::timeline::Timeline) -> String {
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

pub fn timeline_csv(t: &crate::portfolio::timeline::Timeline) -> Result<Vec<u8>, csv::Error> {
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
pub fn plan_table(p: &crate::portfolio::plan::Plan) -> String {
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

pub fn plan_csv(p: &crate::portfolio::plan::Plan) -> Result<Vec<u8>, csv::Error> {
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
