//! `prospect rank`, `timeline` and `plan` on the samples.

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use serde_json::Value;

fn json(cmd: &str, extra: &[&str]) -> Value {
    let out = cargo_bin_cmd!("prospect")
        .args([
            cmd,
            "samples/projects.csv",
            "--format",
            "json",
            "--as-of",
            "2026",
            "--draws",
            "300",
            "--quiet",
        ])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn rank_of(r: &Value, id: &str) -> u64 {
    r["ranking"]["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()["rank"]
        .as_u64()
        .unwrap()
}

/// Percentile ranks computed by counting, not sorting (another method than rank.rs): the
/// values below plus half the other equal ones, over n - 1; a missing value ranks lowest.
fn counted_ranks(values: &[Option<f64>]) -> Vec<f64> {
    let key = |v: &Option<f64>| v.unwrap_or(f64::NEG_INFINITY);
    let n = values.len() as f64;
    values
        .iter()
        .map(|v| {
            let below = values.iter().filter(|w| key(w) < key(v)).count() as f64;
            let equal = values.iter().filter(|w| key(w) == key(v)).count() as f64 - 1.0;
            (below + equal / 2.0) / (n - 1.0)
        })
        .collect()
}

#[test]
fn ranking_explains_itself_and_weights_change_the_order() {
    let r = json("rank", &[]);
    let projects = r["ranking"]["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 28);
    assert!(
        projects
            .windows(2)
            .all(|w| w[0]["score"].as_f64() >= w[1]["score"].as_f64())
    );
    assert!(projects.iter().any(|p| p["pareto"] == true));
    // Value alone: the score is the value criterion, the mean of the percentile ranks of
    // the owner's NPV (before the chance of success, which the risk criterion counts),
    // NPV/capex and IRR across the 28 projects, recomputed here from the appraisal's own
    // figures by counting.
    let only = |keep: &str| -> Vec<String> {
        ["value", "speed", "supply", "risk", "confidence"]
            .iter()
            .filter(|c| **c != keep)
            .flat_map(|c| ["--weight".to_owned(), format!("{c}=0")])
            .collect()
    };
    let args = only("value");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let value = json("rank", &args);
    let appraised = json("appraise", &[]);
    let apps = appraised["projects"].as_array().unwrap();
    let column =
        |name: &str| -> Vec<Option<f64>> { apps.iter().map(|p| p[name].as_f64()).collect() };
    let cols = [
        counted_ranks(
            &apps
                .iter()
                .map(|p| p["owner"]["npv_musd"].as_f64())
                .collect::<Vec<_>>(),
        ),
        counted_ranks(&column("npv_to_capex")),
        counted_ranks(&column("irr_pct")),
    ];
    for (i, p) in apps.iter().enumerate() {
        let want = cols.iter().map(|c| c[i]).sum::<f64>() / 3.0;
        let ranked = value["ranking"]["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == p["id"])
            .unwrap();
        let got = ranked["score"].as_f64().unwrap();
        assert!(
            (got - want).abs() < 1e-12,
            "{}: score {got}, value criterion {want}",
            p["id"]
        );
    }
    // Speed alone puts a producer (no lead time left) ahead of where value puts it.
    let args = only("speed");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let speed = json("rank", &args);
    assert!(rank_of(&speed, "MTW") < rank_of(&value, "MTW"));
}

#[test]
fn filters_and_bad_weights() {
    let r = json("rank", &["--regime", "onshore", "--max-years", "10"]);
    let projects = r["ranking"]["projects"].as_array().unwrap();
    assert!(
        projects
            .iter()
            .all(|p| p["years_to_first_production_p50"].as_f64().unwrap() <= 10.0)
    );
    let excluded: Vec<&str> = r["ranking"]["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[0].as_str().unwrap())
        .collect();
    assert!(excluded.contains(&"NORID") && excluded.contains(&"MNT"));
    cargo_bin_cmd!("prospect")
        .args([
            "rank",
            "samples/projects.csv",
            "--weight",
            "beauty=1",
            "--draws",
            "0",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown criterion \"beauty\""));
}

#[test]
fn timeline_counts_supply_and_capex_by_year() {
    let t = json(
        "timeline",
        &["--target", "ndpr=15000t@2030", "--horizon", "15"],
    );
    let years = t["years"].as_array().unwrap();
    assert_eq!(years.len(), 16);
    for y in years {
        let n = &y["ndpr_t"];
        for k in ["early", "base", "late", "expected"] {
            assert!(n[k].as_f64().unwrap() >= 0.0);
        }
    }
    // The base case is each project's median outcome: Kvanefjeld's refused licence keeps
    // it out whatever its chance; never has no year.
    let line = |id: &str| {
        t["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()
            .clone()
    };
    let kva = line("KVA");
    assert!(kva["first_production_year"]["base"].is_null());
    assert!(kva["blocked"].as_str().unwrap().contains("refused"));
    assert_eq!(line("MTW")["first_production_year"]["base"], 2011);
    // Met by the producers and the projects whose median outcome is production by 2030.
    assert!(t["target_met_year"].is_i64());
    // Counting every tonne mined as supply meets a target no later than separated supply.
    assert!(t["target_met_year_mined"].as_i64() <= t["target_met_year"].as_i64());
    let nolans = t["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "NOL")
        .unwrap();
    assert_eq!(nolans["ndpr_t"], 4440.0);
    assert!(
        nolans["stages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["stage"] == "construction")
    );
}

#[test]
fn plan_keeps_to_the_budget_meets_a_feasible_target_and_reports_the_gap() {
    let budget = 1500.0;
    // Kvanefjeld (refused) and Kipawa (terminated) are blocked: the plan cannot finance
    // them. 24,000 t by 2030 is feasible; a target above every plannable project's
    // nameplate NdPr together (from the timeline, blocked and China-linked ones out) cannot
    // be met however the plants are built.
    let t = json("timeline", &[]);
    let all: f64 = t["projects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["blocked"].is_null())
        .map(|p| p["ndpr_t"].as_f64().unwrap())
        .sum();
    let beyond = format!("ndpr={:.0}t@2035", all + 1000.0);
    for (target, feasible) in [("ndpr=24000t@2030", true), (beyond.as_str(), false)] {
        let p = json("plan", &["--budget", "1500musd/y", "--target", target]);
        for s in p["spend"].as_array().unwrap() {
            assert!(s[1].as_f64().unwrap() <= budget + 1e-6, "{target}: {s}");
        }
        assert_eq!(p["target_met_by_target_year"], feasible, "{target}");
        if feasible {
            assert_eq!(p["shortfall_t"], 0.0);
            assert!(!p["financed"].as_array().unwrap().is_empty());
        } else {
            assert!(p["shortfall_t"].as_f64().unwrap() > 0.0);
            assert!(p["funding_gap_musd"].as_f64().unwrap() >= 0.0);
        }
        let left: Vec<&str> = p["left_out"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l[0].as_str().unwrap())
            .collect();
        assert!(left.contains(&"NORID"), "nodules produce no NdPr");
    }
}

// ---- A refused licence out of the base supply (issue 17) ----

/// Nolans alone, with its permit status set to `status`, through `timeline` at
/// `--draws 0` (so its owner proceeds: NPV above zero at the default deck), with a refused
/// permit costing nothing in the chance (multiplier 1), so that only the refusal itself
/// can keep it out of the base case.
fn nolans_timeline(status: &str, revival: Option<&str>) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let mut rdr = csv::Reader::from_path("samples/projects.csv").unwrap();
    let header = rdr.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut row: Vec<String> = rdr
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[0] == "NOL")
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    row[col("permit_status")] = status.into();
    let mut header: Vec<String> = header.iter().map(str::to_owned).collect();
    if let Some(y) = revival {
        header.push("revival_year".into());
        row.push(y.into());
    }
    let file = dir.path().join("nol.csv");
    let mut w = csv::Writer::from_path(&file).unwrap();
    w.write_record(&header).unwrap();
    w.write_record(&row).unwrap();
    w.flush().unwrap();
    let toml = dir.path().join("a.toml");
    std::fs::write(&toml, "[risk.multipliers]\npermit_refused = 1.0\n").unwrap();
    let out = cargo_bin_cmd!("prospect")
        .arg("timeline")
        .arg(&file)
        .args(["--format", "json", "--as-of", "2026", "--draws", "0"])
        .args(["--quiet", "--horizon", "20", "--assumptions"])
        .arg(&toml)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn a_refused_licence_removes_the_project_from_the_base_supply() {
    let base: fn(&Value) -> f64 = |t| {
        t["years"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| y["ndpr_t"]["base"].as_f64().unwrap())
            .sum()
    };
    // Granted: Nolans is in the base case and supplies NdPr (4,440 t/y at nameplate).
    let granted = nolans_timeline("granted", None);
    assert!(granted["projects"][0]["first_production_year"]["base"].is_i64());
    assert!(base(&granted) >= 4440.0, "{}", base(&granted));
    // Refused, at the same chance: its median outcome is still production, yet the base
    // supply has none of it in any year.
    let refused = nolans_timeline("refused", None);
    let line = &refused["projects"][0];
    assert!(line["first_production_year"]["p50"].is_i64(), "{line}");
    assert!(line["first_production_year"]["base"].is_null());
    assert!(line["blocked"].as_str().unwrap().contains("refused"));
    assert_eq!(base(&refused), 0.0);
    // Nor does the chance-weighted band: a blocked project weighs nothing there.
    let expected = |t: &Value| -> f64 {
        t["years"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| y["ndpr_t"]["expected"].as_f64().unwrap())
            .sum()
    };
    assert_eq!(expected(&refused), 0.0);
    // Granted, the band's last year (at nameplate whichever year it starts) holds the
    // nameplate 4,440 t/y times the chance of production, the owner's decision included.
    let last = |t: &Value, band: &str| {
        t["years"].as_array().unwrap().last().unwrap()["ndpr_t"][band]
            .as_f64()
            .unwrap()
    };
    let chance = granted["projects"][0]["chance_of_production"]
        .as_f64()
        .unwrap();
    assert!(chance > 0.0 && chance < 1.0, "{chance}");
    assert!((last(&granted, "expected") - 4440.0 * chance).abs() < 1e-6 * 4440.0);
    // A dated event reviving it brings it back.
    let revived = nolans_timeline("refused", Some("2027"));
    assert!(revived["projects"][0]["blocked"].is_null());
    assert!(base(&revived) > 0.0);
}

// ---- The supply sub-scores come from the assumptions (issue 24) ----

#[test]
fn the_supply_sub_scores_are_the_assumptions() {
    // With every route and every ownership scored alike, those two sub-criteria rank every
    // project at 0.5, so supply is (rank of non-China NdPr + rank of non-China Dy+Tb + 1) / 4,
    // the ranks counted here from the table's own tonnages.
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("flat.toml");
    std::fs::write(
        &toml,
        "[rank.subscores]\nroute_outside_china = 0.5\nroute_unknown = 0.5\nroute_china = 0.5\nnot_china_linked = 1.0\nchina_linked = 1.0\n",
    )
    .unwrap();
    let r = json("rank", &["--assumptions", toml.to_str().unwrap()]);
    let projects = r["ranking"]["projects"].as_array().unwrap();
    let col = |k: &str| -> Vec<Option<f64>> { projects.iter().map(|p| p[k].as_f64()).collect() };
    let (nd, dy) = (
        counted_ranks(&col("non_china_ndpr_t")),
        counted_ranks(&col("non_china_dytb_t")),
    );
    for (i, p) in projects.iter().enumerate() {
        let want = (nd[i] + dy[i] + 1.0) / 4.0;
        let got = p["criteria"]["supply"].as_f64().unwrap();
        assert!((got - want).abs() < 1e-12, "{}: {got} {want}", p["id"]);
    }
    // The default scores tell the routes apart: some project's supply differs.
    let d = json("rank", &[]);
    let by_id = |v: &Value, id: &Value| -> f64 {
        v["ranking"]["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| &p["id"] == id)
            .unwrap()["criteria"]["supply"]
            .as_f64()
            .unwrap()
    };
    assert!(
        projects.iter().any(
            |p| (by_id(&d, &p["id"]) - p["criteria"]["supply"].as_f64().unwrap()).abs() > 1e-6
        )
    );
}

/// The year a target is met by mined supply, by the timeline's definition (the first
/// year from which supply meets it and keeps meeting it at least until the target year),
/// applied to the same report's year rows of base-case mined NdPr (`ndpr_t.base`): a
/// year, not null, for a target the samples' mined output reaches. (The check above,
/// mined no later than separated, passes with null: `None <= Some(y)`.) Survivor of the
/// mutation sample (docs/reliability.md): the mined band `mined_of` → zero.
#[test]
fn the_target_met_by_mined_supply_is_read_off_the_year_rows() {
    let t = json(
        "timeline",
        &["--target", "ndpr=15000t@2030", "--horizon", "15"],
    );
    let rows: Vec<(i64, f64)> = t["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| {
            (
                y["year"].as_i64().unwrap(),
                y["ndpr_t"]["base"].as_f64().unwrap(),
            )
        })
        .collect();
    let met = rows.iter().map(|r| r.0).find(|&y| {
        rows.iter()
            .filter(|(z, _)| *z >= y && *z <= y.max(2030))
            .all(|(_, v)| *v >= 15000.0)
    });
    assert!(
        met.is_some(),
        "the samples' mined NdPr reaches 15,000 t: {rows:?}"
    );
    assert_eq!(t["target_met_year_mined"].as_i64(), met, "{rows:?}");
}

// --- Committee ranking (issue 18) ---

#[test]
fn committee_ranking_has_a_league_per_family_and_keeps_to_its_screens() {
    let all = json("rank", &[]);
    let c = &all["committee"];
    let leagues = c["leagues"].as_array().unwrap();
    let families: Vec<&str> = leagues
        .iter()
        .map(|l| l["family"].as_str().unwrap())
        .collect();
    // The samples hold rare-earth, nodule and sulphide projects: three leagues.
    assert_eq!(families, ["cu_zn_au", "ni_cu_co_mn", "rare_earths"]);
    for l in leagues {
        for (i, p) in l["projects"].as_array().unwrap().iter().enumerate() {
            assert_eq!(p["family"], l["family"]);
            assert_eq!(p["league_rank"].as_u64().unwrap(), i as u64 + 1);
        }
    }
    // NORI-D (nodules) is not in the rare-earth league.
    let re = leagues
        .iter()
        .find(|l| l["family"] == "rare_earths")
        .unwrap();
    assert!(
        re["projects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["id"] != "NORID")
    );
    // The percentile ranking stays beside it.
    assert!(all["ranking"]["projects"].as_array().unwrap().len() > 20);

    let screened = json(
        "rank",
        &[
            "--committee",
            "--screen",
            "npv>0",
            "--screen",
            "family=rare_earths",
        ],
    );
    let c = &screened["committee"];
    let leagues = c["leagues"].as_array().unwrap();
    assert_eq!(leagues.len(), 1);
    let kept: Vec<&str> = leagues[0]["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let npv_of = |id: &str| {
        all["ranking"]["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()["npv_musd"]
            .as_f64()
    };
    assert!(!kept.is_empty());
    for id in &kept {
        assert!(npv_of(id).unwrap() > 0.0, "{id} passed npv>0");
    }
    for (id, why) in c["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e[0].as_str().unwrap(), e[1].as_str().unwrap()))
    {
        assert!(why.starts_with("screen "), "{id}: {why}");
        assert!(!kept.contains(&id));
    }

    // A zero weight takes the criterion out of every contribution.
    let no_econ = json("rank", &["--committee-weight", "economics=0"]);
    for l in no_econ["committee"]["leagues"].as_array().unwrap() {
        for p in l["projects"].as_array().unwrap() {
            assert_eq!(p["contributions"]["economics"].as_f64().unwrap(), 0.0);
        }
    }
}

#[test]
fn committee_screens_and_weights_refuse_bad_input() {
    cargo_bin_cmd!("prospect")
        .args(["rank", "samples/projects.csv", "--screen", "beauty>1"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("unknown screen field"));
    cargo_bin_cmd!("prospect")
        .args([
            "rank",
            "samples/projects.csv",
            "--committee-weight",
            "speed=1",
            "--quiet",
            "--draws",
            "0",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("unknown committee criterion"));
}

/// A producer is ranked as delivering now, not "years ago": Mount Weld first produced in
/// 2011 and Mountain Pass in 1952, so with the as-of year 2026 both are zero years from
/// first production (they were -15 and -74), and no project shows a negative number.
#[test]
fn producers_are_zero_years_from_first_production_in_the_ranking() {
    let r = json("rank", &[]);
    let projects = r["ranking"]["projects"].as_array().unwrap();
    let field = |id: &str, f: &str| -> f64 {
        projects.iter().find(|p| p["id"] == id).unwrap()[f]
            .as_f64()
            .unwrap()
    };
    assert_eq!(field("MTW", "years_to_first_production_p50"), 0.0);
    // Speed ranks the P50 and P90 years: both producers are at zero on both, so their
    // speed criterion is the same (Mountain Pass's older start does not make it faster).
    let speed = |id: &str| {
        projects.iter().find(|p| p["id"] == id).unwrap()["criteria"]["speed"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(speed("MTW"), speed("MTP"));
    assert_eq!(field("MTP", "years_to_first_production_p50"), 0.0);
    assert!(
        projects
            .iter()
            .all(|p| p["years_to_first_production_p50"].as_f64().unwrap() >= 0.0)
    );
}
