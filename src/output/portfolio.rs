//! The table and CSV forms of the portfolio decisions: ranking, timeline and plan.

use std::fmt::Write as _;

use super::{aligned, aligned_each, neutralise, num, printable};
use crate::portfolio::timeline::{ProjectLine, ProjectLines};

/// The ranking as a table, with each criterion's contribution.
pub fn rank_table(r: &crate::portfolio::rank::Ranking) -> String {
    let mut header = vec!["rank", "id", "name", "score"];
    header.extend(crate::portfolio::rank::CRITERIA);
    header.extend([
        "pareto",
        "risked US$m",
        "NPV P10",
        "P50",
        "P90",
        "P(NPV>0)",
        "P50 years",
        "1st prod P10-P90",
        "P(success)",
        "NdPr t/y",
    ]);
    let rows: Vec<Vec<String>> = r
        .projects
        .iter()
        .map(|p| {
            let mut row = vec![
                p.rank.to_string(),
                printable(&p.id),
                printable(&p.name).chars().take(26).collect(),
                format!("{:.3}", p.score),
            ];
            row.extend(
                crate::portfolio::rank::CRITERIA
                    .iter()
                    .map(|c| format!("{:.3}", p.contributions.get(*c).copied().unwrap_or(0.0))),
            );
            let npv = &p.spread.npv;
            row.extend([
                if p.pareto { "*".into() } else { String::new() },
                num(p.risked_npv_musd, 0),
                dash(num(npv.npv_p10_musd, 0)),
                dash(num(npv.npv_p50_musd, 0)),
                dash(num(npv.npv_p90_musd, 0)),
                dash(num(npv.prob_npv_positive, 2)),
                format!("{:.1}", p.years_to_first_production_p50),
                year_range(p.spread.first_production_p10, p.spread.first_production_p90),
                format!("{:.2}", p.chance_of_success),
                num(Some(p.non_china_ndpr_t), 0),
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
    let _ = writeln!(
        out,
        "{}",
        spread_note(r.projects.iter().any(|p| p.spread.npv.simulated()))
    );
    for p in &r.projects {
        for w in &p.warnings {
            let _ = writeln!(out, "{}: warning: {}", printable(&p.id), printable(w));
        }
    }
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
        "byproducts_unpriced",
    ]);
    header.extend(SPREAD_COLUMNS);
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
            neutralise(&p.byproducts_unpriced.join(";")),
        ]);
        row.extend(spread_cells(&p.spread));
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The timeline: projects by first production, then supply and capex by year (the
/// projects read twice, to measure the columns and to write them).
pub fn timeline_table<P: ProjectLines>(
    t: &crate::portfolio::timeline::Timeline<P>,
) -> std::io::Result<String> {
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
        "NPV P10",
        "P50",
        "P90",
        "P(NPV>0)",
    ];
    let row = |p: &ProjectLine| {
        let y = &p.first_production_year;
        let npv = &p.npv_spread;
        vec![
            printable(&p.id),
            printable(&p.name).chars().take(26).collect(),
            p.stage.clone().unwrap_or_default(),
            p.construction_start_year
                .map_or("-".into(), |y| y.to_string()),
            never(y.p10),
            never(y.base),
            never(y.p90),
            num(Some(p.capex_musd), 0),
            num(Some(p.ndpr_t), 0),
            num(Some(p.dytb_t), 0),
            dash(num(npv.npv_p10_musd, 0)),
            dash(num(npv.npv_p50_musd, 0)),
            dash(num(npv.npv_p90_musd, 0)),
            dash(num(npv.prob_npv_positive, 2)),
        ]
    };
    let mut simulated = false;
    let mut table = Vec::new();
    aligned_each(
        &header,
        3,
        &mut |each| {
            t.projects.try_each(&mut |p| {
                simulated |= p.npv_spread.simulated();
                each(&row(p))
            })
        },
        &mut table,
    )?;
    let mut out = String::from_utf8_lossy(&table).into_owned();
    let _ = writeln!(out, "\n{}", spread_note(simulated));
    let header = [
        "year",
        "capex US$m",
        "NdPr mined",
        "sep. early",
        "sep. base",
        "sep. late",
        "sep. expected",
        "capacity",
        "gap",
        "binds",
        "DyTb mined",
        "sep. base",
        "capacity",
        "binds",
    ];
    let binds = |b: crate::portfolio::timeline::Binding| match b {
        crate::portfolio::timeline::Binding::Mines => "mines",
        crate::portfolio::timeline::Binding::Plants => "plants",
    };
    let rows: Vec<Vec<String>> = t
        .years
        .iter()
        .map(|y| {
            vec![
                y.year.to_string(),
                num(Some(y.capex_musd), 0),
                num(Some(y.ndpr_t.base), 0),
                num(Some(y.separated_ndpr_t.early), 0),
                num(Some(y.separated_ndpr_t.base), 0),
                num(Some(y.separated_ndpr_t.late), 0),
                num(Some(y.separated_ndpr_t.expected), 0),
                num(Some(y.plant_capacity_ndpr_t), 0),
                num(Some(y.gap_ndpr_t), 0),
                binds(y.binding_ndpr).to_owned(),
                num(Some(y.dytb_t.base), 0),
                num(Some(y.separated_dytb_t.base), 0),
                num(Some(y.plant_capacity_dytb_t), 0),
                binds(y.binding_dytb).to_owned(),
            ]
        })
        .collect();
    let _ = writeln!(
        out,
        "\nNon-China supply by year, t/y: NdPr and Dy+Tb oxide mined (contained) and separated by plants outside China, their capacity, the gap (mined but sold to China) and what binds; capex (US$m) of the projects still to build:"
    );
    out.push_str(&aligned(&header, &rows, 0));
    let header = [
        "plant",
        "country",
        "status",
        "access",
        "start",
        "late",
        "NdPr cap. now",
        "at horizon",
        "full in",
    ];
    let rows: Vec<Vec<String>> = t
        .plants
        .iter()
        .map(|p| {
            let yr = |y: Option<i32>| y.map_or("-".to_owned(), |y| y.to_string());
            vec![
                printable(&p.id),
                p.country.clone().unwrap_or_default(),
                printable(&p.status),
                match p.access {
                    crate::context::plants::PlantAccess::Captive => "captive".to_owned(),
                    crate::context::plants::PlantAccess::Open => "open".to_owned(),
                },
                yr(p.start_year),
                yr(p.start_year_late),
                num(Some(p.capacity_ndpr_t_now), 0),
                num(Some(p.capacity_ndpr_t_end), 0),
                year_ranges(&p.full_years),
            ]
        })
        .collect();
    let _ = writeln!(
        out,
        "\nSeparation plants outside China (NdPr capacity t/y at P50 dates; REO-only plants at the assumed NdPr share):"
    );
    out.push_str(&aligned(&header, &rows, 0));
    let _ = writeln!(out, "\nAllocation: {}.", t.separation_rule);
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
            "Target {target}: separated supply {} (expected {}); mined supply {}.",
            say(t.target_met_year),
            say(t.target_met_year_expected),
            say(t.target_met_year_mined)
        );
        let _ = writeln!(out, "Met: {}.", t.target_met_rule);
    }
    Ok(out)
}

/// Years as ranges: `2026-2030, 2034`.
fn year_ranges(years: &[i32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < years.len() {
        let mut j = i;
        while j + 1 < years.len() && years[j + 1] == years[j] + 1 {
            j += 1;
        }
        out.push(if j > i {
            format!("{}-{}", years[i], years[j])
        } else {
            years[i].to_string()
        });
        i = j + 1;
    }
    if out.is_empty() {
        "-".to_owned()
    } else {
        out.join(", ")
    }
}

pub fn timeline_csv<P>(t: &crate::portfolio::timeline::Timeline<P>) -> Result<Vec<u8>, csv::Error> {
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
        "separated_ndpr_t_early",
        "separated_ndpr_t_base",
        "separated_ndpr_t_late",
        "separated_ndpr_t_expected",
        "separated_dytb_t_early",
        "separated_dytb_t_base",
        "separated_dytb_t_late",
        "separated_dytb_t_expected",
        "plant_capacity_ndpr_t",
        "plant_capacity_dytb_t",
        "gap_ndpr_t",
        "gap_dytb_t",
        "binding_ndpr",
        "binding_dytb",
        "plants_full",
    ])?;
    for y in &t.years {
        let f = |v: f64| format!("{v:.3}");
        let binds = |b: crate::portfolio::timeline::Binding| match b {
            crate::portfolio::timeline::Binding::Mines => "mines".to_owned(),
            crate::portfolio::timeline::Binding::Plants => "plants".to_owned(),
        };
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
            f(y.separated_ndpr_t.early),
            f(y.separated_ndpr_t.base),
            f(y.separated_ndpr_t.late),
            f(y.separated_ndpr_t.expected),
            f(y.separated_dytb_t.early),
            f(y.separated_dytb_t.base),
            f(y.separated_dytb_t.late),
            f(y.separated_dytb_t.expected),
            f(y.plant_capacity_ndpr_t),
            f(y.plant_capacity_dytb_t),
            f(y.gap_ndpr_t),
            f(y.gap_dytb_t),
            binds(y.binding_ndpr),
            binds(y.binding_dytb),
            neutralise(&y.plants_full.join(";")),
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
        "added t/y",
        "per US$m",
        "value US$m",
        "gap US$m",
        "support",
        "cost US$m",
        "US$/t NdPr",
        "US$/t DyTb",
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
                num(Some(f.capex_musd), 0),
                num(Some(f.supply_t), 0),
                num(Some(f.separated_added_t), 0),
                format!("{:.2}", f.separated_t_per_musd),
                num(f.risked_value_musd, 0),
                num(Some(f.viability_gap_musd), 0),
                f.support
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), |s| s.instrument.name().to_owned()),
                f.support
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), |s| num(Some(s.public_cost_musd), 0)),
                f.subsidy_usd_per_t_ndpr
                    .map_or_else(|| "-".to_owned(), |v| num(Some(v), 0)),
                f.subsidy_usd_per_t_dytb
                    .map_or_else(|| "-".to_owned(), |v| num(Some(v), 0)),
            ]
        })
        .collect();
    let mut out = format!(
        "Plan for {} within US${:.0} m a year (objective {})\n\n",
        p.target,
        p.budget_musd_per_y,
        p.objective.name()
    );
    out.push_str(&aligned(&header, &rows, 3));
    let _ = writeln!(
        out,
        "\nBaseline (producing or building, at their median outcome): {}",
        if p.baseline.is_empty() {
            "none".into()
        } else {
            printable(&p.baseline.join(", "))
        }
    );
    for (id, why) in &p.baseline_without_supply {
        let _ = writeln!(
            out,
            "  {}: no output in the base case: {}.",
            printable(id),
            printable(why)
        );
    }
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
    let _ = writeln!(out, "Met: {}.", p.target_met_rule);
    let _ = writeln!(
        out,
        "Separated supply in {}: {:.0} t/y (mined {:.0}; {} bind); shortfall {:.0} t/y; funding gap US${:.0} m.",
        p.target.year,
        p.supply_in_target_year_t,
        p.mined_in_target_year_t,
        match p.binding_in_target_year {
            crate::portfolio::timeline::Binding::Mines => "mines",
            crate::portfolio::timeline::Binding::Plants => "plants",
        },
        p.shortfall_t,
        p.funding_gap_musd
    );
    plan_money_lines(&mut out, p);
    for f in &p.plants_financed {
        let _ = writeln!(
            out,
            "New separation plant {} (order {}, adds {:.0} t/y separated in the target year, {:.2} t/y per US$m): start {}, first output {}, US${:.0} m, {:.0} t/y NdPr and {:.0} t/y Dy+Tb, beside {}: {}.",
            printable(&f.id),
            f.order,
            f.separated_added_t,
            f.separated_t_per_musd,
            f.start_year,
            f.first_output_year,
            f.capex_musd,
            f.capacity_ndpr_t,
            f.capacity_dytb_t,
            printable(&f.sited_at),
            printable(&f.reason)
        );
    }
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
        "separated_added_t",
        "separated_t_per_musd",
        "risked_value_musd",
        "viability_gap_musd",
        "support",
        "public_cost_musd",
        "subsidy_usd_per_kg",
        "support_cost_musd",
        "subsidy_usd_per_t_ndpr",
        "subsidy_usd_per_t_dytb",
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
            format!("{:.1}", f.separated_added_t),
            format!("{:.4}", f.separated_t_per_musd),
            f.risked_value_musd
                .map_or_else(String::new, |v| format!("{v:.3}")),
            format!("{:.3}", f.viability_gap_musd),
            f.support
                .as_ref()
                .map_or_else(String::new, |s| s.instrument.name().to_owned()),
            format!("{:.3}", f.public_cost_musd),
            format!("{:.3}", f.subsidy_usd_per_kg),
            f.support
                .as_ref()
                .map_or_else(String::new, |s| format!("{:.3}", s.public_cost_musd)),
            opt(f.subsidy_usd_per_t_ndpr),
            opt(f.subsidy_usd_per_t_dytb),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The plan's public money (issue 18): capex and viability gap, the supports it uses and
/// the funding gap split into capex and viability gap.
fn plan_money_lines(out: &mut String, p: &crate::portfolio::plan::Plan) {
    use super::money_m;
    let _ = writeln!(
        out,
        "Public money: capex {} + supports {} (closing viability gaps of {}) = {}; funding gap beyond the budget: capex {} + viability gap {} (supports {}).",
        money_m(p.financed_capex_musd),
        money_m(p.support_cost_musd),
        money_m(p.viability_gap_musd),
        money_m(p.public_cost_musd),
        money_m(p.funding_gap_musd),
        money_m(p.funding_gap_viability_musd),
        money_m(p.funding_gap_support_musd)
    );
    for f in &p.financed {
        if let Some(s) = &f.support {
            let _ = writeln!(
                out,
                "  {}: risked value of proceeding {}; financed only with support: {} (US${:.2}/kg of its life's output).",
                printable(&f.id),
                money_m(f.risked_value_musd.unwrap_or(0.0)),
                printable(&s.note),
                f.subsidy_usd_per_kg
            );
        }
    }
    if p.instrument_summary.is_empty() {
        return;
    }
    let header = [
        "instrument",
        "closes",
        "cost US$m",
        "NdPr t",
        "Dy+Tb t",
        "t/US$m",
        "US$/t NdPr",
        "US$/t DyTb",
    ];
    let dash = |v: Option<f64>, d: usize| v.map_or_else(|| "-".to_owned(), |v| num(Some(v), d));
    let rows: Vec<Vec<String>> = p
        .instrument_summary
        .iter()
        .map(|r| {
            vec![
                r.instrument.name().to_owned(),
                format!("{}/{}", r.projects_closed, r.projects_with_gap),
                num(Some(r.public_cost_musd), 0),
                num(Some(r.secured_ndpr_t), 0),
                num(Some(r.secured_dytb_t), 0),
                dash(r.secured_t_per_musd, 2),
                dash(r.usd_per_t_ndpr, 0),
                dash(r.usd_per_t_dytb, 0),
            ]
        })
        .collect();
    let _ = writeln!(
        out,
        "\nEach allowed instrument offered alone to every mine with a viability gap (supply secured: chance of success x nameplate x life; best first by the target oxide per public US$):"
    );
    out.push_str(&aligned(&header, &rows, 3));
}

/// A year, or "never" (no production by the horizon, or out of the base case).
fn never(year: Option<i32>) -> String {
    year.map_or_else(|| "never".to_owned(), |y| y.to_string())
}

// --- Committee ranking (issue 18) ---

/// The committee ranking as a table: one block per league, each criterion's contribution.
pub fn committee_table(c: &crate::portfolio::committee::Committee) -> String {
    use crate::portfolio::committee::CRITERIA;
    let mut header = vec!["rank", "id", "name", "score"];
    header.extend(CRITERIA);
    header.extend(["value US$m", "P(success)"]);
    let mut out = String::new();
    for league in &c.leagues {
        out.push_str(&format!("league {}\n", printable(&league.family)));
        let rows: Vec<Vec<String>> =
            league
                .projects
                .iter()
                .map(|p| {
                    let mut row = vec![
                        p.league_rank.to_string(),
                        printable(&p.id),
                        printable(&p.name).chars().take(26).collect(),
                        format!("{:.3}", p.score),
                    ];
                    row.extend(CRITERIA.iter().map(|k| {
                        format!("{:.3}", p.contributions.get(*k).copied().unwrap_or(0.0))
                    }));
                    row.extend([
                        num(p.inputs.economics_value_musd, 0),
                        format!("{:.2}", p.chance_of_success),
                    ]);
                    row
                })
                .collect();
        out.push_str(&aligned(&header, &rows, 3));
        out.push('\n');
    }
    let weights: Vec<String> = c
        .weights
        .iter()
        .map(|(k, v)| format!("{k} {v:.3}"))
        .collect();
    out.push_str(&format!(
        "Committee weights: {}. Columns are weighted contributions; scales are absolute (docs/models.md, Committee ranking); \"value US$m\" is what economics scores (risked, without the jurisdiction and regime factors).\n",
        weights.join(", ")
    ));
    let basis = |b: &str| {
        c.leagues
            .iter()
            .flat_map(|l| &l.projects)
            .filter(|p| p.radioactivity.basis == b)
            .map(|p| printable(&p.id))
            .collect::<Vec<_>>()
    };
    let (given, declared, missing) = (basis("given"), basis("declared"), basis("missing"));
    out.push_str(&format!(
        "Geology's radioactivity (U3O8 and ThO2 ppm against the IAEA's 1 Bq/g level): from the record's grades for {}; estimated from uranium or thorium among the products for {}; missing (no factor) for {} project(s).\n",
        if given.is_empty() { "none".to_owned() } else { given.join(", ") },
        if declared.is_empty() { "none".to_owned() } else { declared.join(", ") },
        missing.len()
    ));
    if !c.screens.is_empty() {
        out.push_str(&format!(
            "Screens: {}; {} project(s) screened out.\n",
            printable(&c.screens.join(", ")),
            c.excluded.len()
        ));
    }
    out
}

/// The committee ranking as CSV: one row per project, its league first.
pub fn committee_csv(c: &crate::portfolio::committee::Committee) -> Result<Vec<u8>, csv::Error> {
    use crate::portfolio::committee::CRITERIA;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["family", "league_rank", "id", "name", "score"];
    header.extend(CRITERIA);
    header.extend([
        "economics_value_musd",
        "risked_npv_musd",
        "chance_of_success",
        "u3o8_ppm",
        "tho2_ppm",
        "radioactivity_index",
        "radioactivity_factor",
        "radioactivity_basis",
    ]);
    w.write_record(&header)?;
    for league in &c.leagues {
        for p in &league.projects {
            let mut row = vec![
                neutralise(&league.family),
                p.league_rank.to_string(),
                neutralise(&p.id),
                neutralise(&p.name),
                format!("{:.6}", p.score),
            ];
            row.extend(
                CRITERIA
                    .iter()
                    .map(|k| format!("{:.6}", p.contributions.get(*k).copied().unwrap_or(0.0))),
            );
            row.extend([
                num(p.inputs.economics_value_musd, 3),
                num(p.risked_npv_musd, 3),
                format!("{:.6}", p.chance_of_success),
                num(p.inputs.u3o8_ppm, 1),
                num(p.inputs.tho2_ppm, 1),
                num(p.radioactivity.index, 4),
                format!("{:.6}", p.radioactivity.factor),
                p.radioactivity.basis.to_owned(),
            ]);
            w.write_record(&row)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

// ---- The simulation's spread in the portfolio tables (issue 20) ----

/// An empty cell of a table shown as `-`.
fn dash(s: String) -> String {
    if s.is_empty() { "-".to_owned() } else { s }
}

/// First production P10-P90 of every outcome as a table cell (`never`: that percentile
/// never produces within the horizon).
fn year_range(p10: Option<i32>, p90: Option<i32>) -> String {
    let y = |v: Option<i32>| v.map_or_else(|| "never".to_owned(), |y| y.to_string());
    format!("{}-{}", y(p10), y(p90))
}

/// The line under a portfolio table that says what its spread columns are, or that no
/// draws were run.
fn spread_note(simulated: bool) -> &'static str {
    if simulated {
        "NPV P10/P50/P90: US$m percentiles over the simulation's draws (P10 low, P90 high; at each project's NPV convention, as appraise shows it), P(NPV>0) the share of draws with a positive NPV; 1st prod P10-P90: of every outcome, from the lead-time model (never: not within the horizon)."
    } else {
        "No draws (--draws 0): the NPV P10/P50/P90 and P(NPV>0) columns are empty; give --draws N for them. 1st prod P10-P90: of every outcome, from the lead-time model."
    }
}

/// The spread's CSV columns, after a table's own (names as in `appraise --format csv`).
const SPREAD_COLUMNS: [&str; 6] = [
    "npv_p10_musd",
    "npv_p50_musd",
    "npv_p90_musd",
    "prob_npv_positive",
    "first_production_p10",
    "first_production_p90",
];

/// The NPV spread's four CSV cells (empty without draws).
fn npv_spread_cells(s: &crate::portfolio::spread::NpvSpread) -> [String; 4] {
    [
        num(s.npv_p10_musd, 3),
        num(s.npv_p50_musd, 3),
        num(s.npv_p90_musd, 3),
        num(s.prob_npv_positive, 4),
    ]
}

/// The spread's CSV cells, in [`SPREAD_COLUMNS`] order.
fn spread_cells(s: &crate::portfolio::spread::Spread) -> Vec<String> {
    let year = |y: Option<i32>| y.map_or_else(String::new, |y| y.to_string());
    let mut cells = npv_spread_cells(&s.npv).to_vec();
    cells.extend([year(s.first_production_p10), year(s.first_production_p90)]);
    cells
}

/// The timeline's projects as CSV (`timeline --format csv --rows projects`): one row per
/// project, in the table's order, with first production P10/base/P90 and the
/// simulation's NPV spread, written to `out` as the projects are read.
pub fn timeline_projects_csv<P: ProjectLines>(
    t: &crate::portfolio::timeline::Timeline<P>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec![
        "id",
        "name",
        "stage",
        "construction_start_year",
        "first_production_p10",
        "first_production_base",
        "first_production_p50",
        "first_production_p90",
        "first_production_if_proceeds",
        "never_reason",
        "chance_of_success",
        "chance_of_production",
        "capex_musd",
        "ndpr_t",
        "dytb_t",
        "china_linked",
    ];
    header.extend(&SPREAD_COLUMNS[..4]);
    w.write_record(&header)?;
    let year = |y: Option<i32>| y.map_or_else(String::new, |y| y.to_string());
    t.projects.try_each(&mut |p| {
        let y = &p.first_production_year;
        let mut row = vec![
            neutralise(&p.id),
            neutralise(&p.name),
            p.stage.clone().unwrap_or_default(),
            year(p.construction_start_year),
            year(y.p10),
            year(y.base),
            year(y.p50),
            year(y.p90),
            y.if_proceeds.to_string(),
            neutralise(y.never_reason.as_deref().unwrap_or("")),
            format!("{:.4}", p.chance_of_success),
            format!("{:.4}", p.chance_of_production),
            format!("{:.3}", p.capex_musd),
            format!("{:.1}", p.ndpr_t),
            format!("{:.1}", p.dytb_t),
            p.china_linked.to_string(),
        ];
        row.extend(npv_spread_cells(&p.npv_spread));
        Ok(w.write_record(&row)?)
    })?;
    w.flush()
}

/// An optional number in a CSV cell, three places (empty when null).
fn opt(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v:.3}"))
}
