//! `prospect appraise` on the samples: the JSON contract, provenance, study comparisons,
//! options, and refusal of bad input.

use std::collections::BTreeMap;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use serde_json::Value;

fn appraise_json(args: &[&str]) -> Value {
    let out = cargo_bin_cmd!("prospect")
        .arg("appraise")
        .args(args)
        .args([
            "--format", "json", "--as-of", "2026", "--draws", "200", "--quiet",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("appraise --format json prints JSON")
}

fn by_id(report: &Value) -> BTreeMap<String, Value> {
    report["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_owned(), p.clone()))
        .collect()
}

#[test]
fn runs_on_every_sample_file_and_prints_a_table() {
    for sample in ["samples/projects.csv", "samples/projects.geojson"] {
        cargo_bin_cmd!("prospect")
            .args(["appraise", sample, "--draws", "100"])
            .assert()
            .success()
            .stdout(predicate::str::contains("NPV US$m").and(predicate::str::contains("Nolans")));
    }
}

#[test]
fn json_contract_fields_are_present_with_their_types() {
    let r = appraise_json(&["samples/projects.geojson"]);
    assert!(r["prospect_version"].is_string());
    assert_eq!(r["assumptions"]["scenario"], "market_2025_12");
    assert!(
        r["assumptions"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("fnv1a64:")
    );
    assert_eq!(r["conventions"]["discounting"], "end_of_year");
    let projects = r["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 28);
    for p in projects {
        for key in [
            "id",
            "name",
            "npv_musd",
            "irr_pct",
            "payback_years",
            "capex_musd",
            "basket_price_usd_per_kg",
            "annual_treo_t",
            "annual_ndpr_t",
            "breakeven_price_factor",
            "provenance",
            "study",
            "warnings",
            "properties",
            "valued",
        ] {
            assert!(p.get(key).is_some(), "project {} lacks {key}", p["id"]);
        }
        assert!(p["npv_musd"].get("base").is_some());
        if p["valued"] == true {
            assert!(p["npv_musd"]["base"].is_number(), "{}", p["id"]);
            assert!(p["capex_musd"].is_number());
        } else {
            assert!(p["unvalued_reason"].is_string(), "{}", p["id"]);
            assert!(p["npv_musd"]["base"].is_null());
        }
        // never NaN or infinite: serde_json would have written null, so numbers are finite.
        assert!(p["irr_pct"].is_null() || p["irr_pct"].as_f64().unwrap().is_finite());
    }
}

#[test]
fn sorted_by_npv_with_unvalued_last() {
    let r = appraise_json(&["samples/projects.csv"]);
    let npvs: Vec<Option<f64>> = r["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["npv_musd"]["base"].as_f64())
        .collect();
    let valued: Vec<f64> = npvs.iter().map_while(|v| *v).collect();
    assert!(valued.windows(2).all(|w| w[0] >= w[1]));
    assert!(npvs[valued.len()..].iter().all(Option::is_none));
}

#[test]
fn provenance_says_what_was_given_and_what_was_estimated() {
    let r = by_id(&appraise_json(&["samples/projects.csv"]));
    let nolans = &r["NOL"]["provenance"];
    assert_eq!(nolans["capex_musd"]["origin"], "given");
    // A$1,390m at the 2021 study year's 0.7515 US$/A$, then to 2025 US$ by the CPI-U
    // annual averages (BLS: 2021 270.970, 2025 321.943).
    let expected = 1390.0 * 0.7515 * 321.943 / 270.970;
    assert!((nolans["capex_musd"]["value"].as_f64().unwrap() - expected).abs() < 1e-3);
    assert!(
        nolans["capex_musd"]["basis"]
            .as_str()
            .unwrap()
            .contains("AUD at 0.7515")
    );
    assert_eq!(nolans["annual_treo_t"]["origin"], "given");
    assert_eq!(nolans["royalty_pct"]["origin"], "default");
    let serra = &r["SRV"]["provenance"];
    assert_eq!(serra["capex_musd"]["origin"], "estimated");
    assert_eq!(serra["recovery_pct"]["origin"], "default");
    // Unknown properties travel untouched.
    assert_eq!(r["NOL"]["properties"]["ref"], "P06;P07;P08");
}

#[test]
fn unvalued_records_say_why() {
    let r = by_id(&appraise_json(&["samples/projects.csv"]));
    // The Okinawa Trough sulphides are valued on their grades (tests/deepsea.rs); without
    // them the record says which fields to give.
    assert_eq!(r["OKI"]["valued"], true);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("oki.csv");
    std::fs::write(
        &path,
        "id,name,country,regime,lon,lat,deposit_type,resource_mt,water_depth_m,stage\n\
         OKI,Okinawa Trough SMS,JP,eez,127.07,27.25,seafloor_sulphides,7.4,1600,exploration\n",
    )
    .unwrap();
    let r2 = by_id(&appraise_json(&[path.to_str().unwrap()]));
    assert_eq!(r2["OKI"]["valued"], false);
    let why = r2["OKI"]["unvalued_reason"].as_str().unwrap();
    assert!(why.contains("cu_pct") && why.contains("au_g_t"), "{why}");
    // Minamitorishima mud is valued by the seabed-mud model (tests/deepsea.rs); without a
    // grade it could not be, and says which field to give.
    assert_eq!(r["MNT"]["valued"], true);
}

/// Model NPV under each study's own terms against the published NPV. The tolerance is
/// stated per case; docs/validation.md explains every gap.
#[test]
fn study_comparisons_against_published_npvs() {
    let r = by_id(&appraise_json(&["samples/projects.csv"]));
    let with_study: Vec<&Value> = r.values().filter(|p| !p["study"].is_null()).collect();
    assert_eq!(
        with_study.len(),
        18,
        "every sample with a published NPV is compared"
    );
    for p in &with_study {
        let s = &p["study"];
        assert!(s["published_npv_musd"].is_number());
        if p["valued"] == true {
            assert!(
                s["model_npv_musd"].is_number() && s["deviation_pct"].is_number(),
                "{}",
                p["id"]
            );
        }
    }
    let dev = |id: &str| r[id]["study"]["deviation_pct"].as_f64().unwrap();
    // NORI-D: the seabed costs are built from TMC's published unit costs, not calibrated on
    // this NPV; the study's deck is unknown, so the PFS accuracy band (about ±25 %, shared
    // reference) is the tolerance.
    assert!(
        dev("NORID").abs() <= accuracy_class_pct("pfs"),
        "{}",
        dev("NORID")
    );
    // Yangibana: the only study whose price deck the record carries (NdPr US$112/kg). With
    // the sourced 65 % mixed-carbonate payability (docs/assumptions.md; 80 % unsourced
    // before Dec 2026) the model stays below the published NPV: the study's own EBITDA
    // (A$295 m/y) implies a higher realisation. Only the direction is held here until the
    // netback model replaces fixed payability (docs/validation.md).
    assert!(dev("YAN") < 0.0, "{}", dev("YAN"));
    // Where the deck is known, the price the published NPV implies is close to it.
    let implied = |id: &str| r[id]["study"]["implied_ndpr_usd_per_kg"].as_f64().unwrap();
    // Nolans' implied price against its accuracy class: tests below (ignored, with the
    // reason, while it lies outside the class).
    assert!(implied("YAN") > 112.0, "{}", implied("YAN"));
    // Every other study's deck is unknown, so the default market deck is used: NdPr at
    // US$76/kg (31 Dec 2025) against the US$75-130/kg of the studies' eras puts every model
    // NPV below the published one.
    let deck_unknown = with_study
        .iter()
        .filter(|p| p["valued"] == true && !["NORID", "YAN"].contains(&p["id"].as_str().unwrap()));
    for p in deck_unknown {
        let s = &p["study"];
        assert!(
            s["model_npv_musd"].as_f64().unwrap() < s["published_npv_musd"].as_f64().unwrap(),
            "{}",
            p["id"]
        );
    }
}

/// Accuracy class by study type, % (shared reference README, "Cost accuracy by study
/// stage": S-K 1300 ±50 % scoping/PEA, ±25 % PFS, ±15 % feasibility), fixed before any
/// comparison was looked at (docs/validation.md).
fn accuracy_class_pct(study_type: &str) -> f64 {
    match study_type {
        "dfs" | "fs" => 15.0,
        "pfs" => 25.0,
        _ => 50.0,
    }
}

/// Nolans: the price its published NPV implies (2021 update, P07) against the nearest
/// published deck, the 2022 life-of-mine US$130.10/kg NdPr (P08) in 2025 money
/// (x 321.943 / 292.655, BLS CPI-U), within a feasibility study's ±15 %. Outside it
/// (about -27 %): docs/validation.md says why; the tolerance is not widened to pass.
#[test]
#[ignore = "outside its accuracy class (about -27 % against ±15 %): docs/validation.md, Reading the gaps, 2"]
fn nolans_implied_price_within_its_accuracy_class() {
    let r = by_id(&appraise_json(&["samples/projects.csv"]));
    let s = &r["NOL"]["study"];
    let implied = s["implied_ndpr_usd_per_kg"].as_f64().unwrap();
    let deck = 130.10 * 321.943 / 292.655;
    let class = accuracy_class_pct(s["study_type"].as_str().unwrap());
    assert!(
        ((implied / deck - 1.0) * 100.0).abs() <= class,
        "{implied} vs {deck}"
    );
}

/// Every study rebuild (`study.bridge`) against its published NPV, each case with the
/// accuracy class of its study type as tolerance (fixed in advance, `accuracy_class_pct`).
/// The published NPV is the independent figure. Cases that land are held inside their
/// class; the others are listed with the term the record lacks (docs/validation.md,
/// "Where the rebuild misses"), and held outside it, so that a case coming in is moved to
/// the first list rather than left described as a miss.
#[test]
fn the_rebuilds_against_the_published_npvs_case_by_case() {
    let r = by_id(&appraise_json(&["samples/projects.csv"]));
    // (id, rebuild basis): the study's own operating terms from the record, or the
    // annual flow its published IRR implies with its capex and life.
    const LANDS: [(&str, &str); 7] = [
        ("NOL", "study_operating_terms"), // DFS 2021: revenue, EBITDA and capex, +-15 %
        ("SGW", "study_operating_terms"), // DFS 2022: EBITDA, +-15 %
        ("CAR", "study_operating_terms"), // PEA 2024: net revenue and EBITDA, +-50 %
        ("RTP", "study_operating_terms"), // PEA 2019: revenue, +-50 %
        ("HAL", "flow_implied_by_irr"),   // PEA 2025, +-50 %
        ("BOK", "flow_implied_by_irr"),   // PEA 2013, +-50 %
        ("NKR", "flow_implied_by_irr"),   // PFS 2015, +-25 %
    ];
    // (id, the term the record lacks).
    const MISSES: [(&str, &str); 11] = [
        (
            "YAN",
            "the study's revenue, sustaining capital and schedule",
        ),
        (
            "NGU",
            "the state's 16 % free-carried interest and the study's schedule",
        ),
        ("MAK", "the study's EBITDA by year (front-loaded)"),
        ("KIP", "the study's construction and ramp-up schedule"),
        (
            "DUB",
            "whether its free cash flow is before tax, and the schedule",
        ),
        ("BRR", "the study's revenue and costs"),
        ("LOF", "the study's revenue and costs"),
        ("BEL", "the study's revenue and costs"),
        ("KVA", "the study's revenue and costs"),
        ("NORID", "the later phases' capital"),
        ("TAN", "the study's capex, throughput and costs"),
    ];
    let mut seen = Vec::new();
    for (id, p) in &r {
        let Some(b) = p["study"]["bridge"].as_object() else {
            continue;
        };
        seen.push(id.as_str());
        let class = accuracy_class_pct(p["study"]["study_type"].as_str().unwrap());
        let dev = b["rebuild_deviation_pct"].as_f64().unwrap();
        if let Some((_, basis)) = LANDS.iter().find(|(x, _)| x == id) {
            assert_eq!(b["rebuild_basis"], *basis, "{id}");
            assert!(dev.abs() <= class, "{id}: {dev:+.1} % against +-{class} %");
        } else {
            let (_, missing) = MISSES
                .iter()
                .find(|(x, _)| x == id)
                .unwrap_or_else(|| panic!("{id}: a rebuild neither landing nor explained"));
            assert!(
                dev.abs() > class,
                "{id} now lands ({dev:+.1} % against +-{class} %): move it to LANDS (it lacked {missing})"
            );
        }
    }
    seen.sort_unstable();
    let mut listed: Vec<&str> = LANDS.iter().chain(&MISSES).map(|(x, _)| *x).collect();
    listed.sort_unstable();
    assert_eq!(seen, listed);
}

#[test]
fn higher_prices_raise_and_higher_rates_lower_npv() {
    let base = by_id(&appraise_json(&["samples/projects.csv"]));
    let high = by_id(&appraise_json(&[
        "samples/projects.csv",
        "--scenario",
        "incentive_ex_china",
    ]));
    let rate = by_id(&appraise_json(&[
        "samples/projects.csv",
        "--discount-rate",
        "12",
    ]));
    for id in ["NOL", "SGW", "CAR", "SRV"] {
        let npv = |m: &BTreeMap<String, Value>| m[id]["npv_musd"]["base"].as_f64().unwrap();
        assert!(npv(&high) > npv(&base), "{id}");
    }
    let npv = |m: &BTreeMap<String, Value>, id: &str| m[id]["npv_musd"]["base"].as_f64().unwrap();
    // A higher rate lowers the NPV of every project still to build that is worth something
    // at 8 % (capex first, revenue later; a producer ending on closure costs may not be).
    let to_build: Vec<&String> = base
        .keys()
        .filter(|id| {
            base[*id]["npv_musd"]["base"]
                .as_f64()
                .is_some_and(|v| v > 0.0)
                && ["pea", "pfs", "dfs", "permitting", "financing"]
                    .contains(&base[*id]["stage"].as_str().unwrap_or(""))
        })
        .collect();
    assert!(!to_build.is_empty());
    for id in to_build {
        assert!(npv(&rate, id) < npv(&base, id), "{id}");
    }
    // The breakeven factor puts NPV at zero: below 1 exactly when the default deck already
    // gives a positive NPV, and the incentive deck (NdPr US$110/kg against US$76.18) is
    // above it for Nolans.
    let k = base["NOL"]["breakeven_price_factor"].as_f64().unwrap();
    assert_eq!(k < 1.0, npv(&base, "NOL") > 0.0, "{k}");
    assert!(k > 0.0 && k < 110.0 / 76.18, "{k}");
}

#[test]
fn assumptions_file_overrides_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.toml");
    std::fs::write(&path, "[valuation]\ndiscount_rate_pct = 5.0\n").unwrap();
    let r = appraise_json(&[
        "samples/projects.csv",
        "--assumptions",
        path.to_str().unwrap(),
    ]);
    assert_eq!(r["assumptions"]["discount_rate_pct"], 5.0);
    cargo_bin_cmd!("prospect")
        .args(["appraise", "samples/projects.csv", "--scenario", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown scenario \"nope\""));
}

#[test]
fn writes_outputs_and_cashflows_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let flows = dir.path().join("flows.csv");
    cargo_bin_cmd!("prospect")
        .args([
            "appraise",
            "samples/projects.csv",
            "--format",
            "csv",
            "--output",
        ])
        .arg(&out)
        .arg("--cashflows")
        .arg(&flows)
        .assert()
        .success()
        .stdout("");
    let table = std::fs::read_to_string(&out).unwrap();
    assert!(table.starts_with("id,name,country"));
    assert_eq!(table.lines().count(), 29);
    let cf = std::fs::read_to_string(&flows).unwrap();
    assert!(cf.lines().any(|l| l.starts_with("NOL,1,construction,")));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no temporary files left"
    );
}

#[test]
fn bad_input_is_not_appraised() {
    cargo_bin_cmd!("prospect")
        .args(["appraise", "tests/fixtures/check/negative.csv"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains("-2.5 is negative")
                .and(predicate::str::contains("nothing appraised")),
        );
}

#[test]
fn spatial_context_lead_time_and_risk_for_every_project() {
    let r = appraise_json(&["samples/projects.geojson"]);
    let defaults = prospect::assumptions::Assumptions::defaults();
    assert_eq!(r["as_of"], 2026);
    for p in r["projects"].as_array().unwrap() {
        // The chance is the stage's base rate (assumptions) times the reported factors.
        let chance = p["chance_of_success"].as_f64().unwrap();
        let stage = p["stage"].as_str().unwrap_or("exploration");
        let product: f64 = p["risk_factors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["multiplier"].as_f64().unwrap())
            .product();
        let base = defaults.risk.base_rate[stage];
        assert!((chance - base * product).abs() < 1e-9, "{}", p["id"]);
        assert!(p["first_production_year"]["base"].is_i64(), "{}", p["id"]);
        assert!(
            p["nearest_separation_plant"]["distance_km"].is_number(),
            "{}",
            p["id"]
        );
        assert!(p["regime"].is_string());
        assert!(p["risk_factors"].is_array());
        if p["valued"] == true {
            assert!(p["risked_npv_musd"].is_number());
        }
    }
    let m = by_id(&r);
    // Regimes by point-in-polygon.
    assert_eq!(m["MNT"]["regime"], "eez");
    assert_eq!(m["MNT"]["spatial"]["zone_country"], "JP");
    assert_eq!(m["COK"]["spatial"]["zone_country"], "CK");
    assert_eq!(m["NORID"]["regime"], "area");
    assert_eq!(m["NOL"]["regime"], "onshore");
    // Nearest plants and ports with geodesic distances.
    assert_eq!(
        m["BRR"]["nearest_separation_plant"]["name"],
        "Iluka Eneabba refinery"
    );
    assert_eq!(m["SGW"]["spatial"]["nearest_port"]["name"], "Beira");
    // Mrima Hill's licence was revoked. Its forest reserve has no boundary in the built-in
    // layer (samples/context/SOURCES.md), so no overlap is claimed for it.
    assert!(m["MRI"]["spatial"]["protected_area"].is_null());
    let factors: Vec<&str> = m["MRI"]["risk_factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["factor"].as_str().unwrap())
        .collect();
    assert!(!factors.contains(&"environment") && factors.contains(&"permit"));
    // Bear Lodge lies 24.5 km from Devils Tower (a circle of its published area around the
    // tower's own position, not the sample's): within 50 km, no overlap.
    let bear = &m["BEL"]["spatial"]["protected_area"];
    assert_eq!(bear["overlaps"], false);
    // A refused permit (Kvanefjeld) weighs more than any stage advantage over a PEA.
    assert!(
        m["KVA"]["chance_of_success"].as_f64().unwrap()
            < m["HAL"]["chance_of_success"].as_f64().unwrap()
    );
    // Producers first produced in the past; an exploration-stage EEZ project is years away.
    assert_eq!(m["MTW"]["first_production_year"]["base"], 2011);
    assert!(m["COK"]["first_production_year"]["base"].as_i64().unwrap() > 2040);
    // Risked value = chance of reaching the start of construction (chance / 0.85, the
    // construction base rate) x the owner's value of building there, 0.85 x owner NPV -
    // 0.15 x 0.5 x capex, discounted from the start of construction to as_of.
    let p = &m["NORID"];
    let years = p["lead_time"]["years_to_construction"].as_f64().unwrap();
    let owner = p["owner"]["npv_musd"].as_f64().unwrap();
    let capex = p["capex_musd"].as_f64().unwrap();
    let chance = p["chance_of_success"].as_f64().unwrap();
    let expect = chance / 0.85 * (0.85 * owner - 0.15 * 0.5 * capex).max(0.0) / 1.08f64.powf(years);
    assert!((p["risked_npv_musd"].as_f64().unwrap() - expect).abs() < 1e-6);
    assert!(expect > 0.0);
}

#[test]
fn risked_value_is_never_below_zero_and_every_project_has_lead_time_percentiles() {
    let r = appraise_json(&["samples/projects.csv"]);
    for p in r["projects"].as_array().unwrap() {
        let id = &p["id"];
        if p["valued"] == true {
            let risked = p["risked_npv_musd"].as_f64().unwrap();
            assert!(risked >= 0.0, "{id}: {risked}");
            // A project its owner would not build is worth nothing, not less.
            if p["owner"]["value_at_decision_musd"].as_f64().unwrap() <= 0.0 {
                assert_eq!(risked, 0.0, "{id}");
                assert_eq!(p["owner"]["proceeds"], false, "{id}");
            }
        }
        // Valued or not, every project has its first-production outlook.
        let o = &p["first_production"];
        assert!(o["if_produces"]["p50_year"].is_i64(), "{id}");
        for k in ["p10", "p50", "p90"] {
            let y = &p["first_production_year"][k];
            assert!(
                y.is_i64() || p["first_production_year"]["never_reason"].is_string(),
                "{id} {k}"
            );
            assert_eq!(y, &o[k]["year"], "{id} {k}");
        }
    }
    let m = by_id(&r);
    // Norra Karr without its published Dy2O3 output is not valued, yet it has percentiles
    // (its chance is below one half, so its median outcome is never).
    let dir = tempfile::tempdir().unwrap();
    let unvalued = dir.path().join("nkr.csv");
    let mut rdr = csv::Reader::from_path("samples/projects.csv").unwrap();
    let header = rdr.headers().unwrap().clone();
    let col = header.iter().position(|h| h == "annual_dytb_t").unwrap();
    let mut w = csv::Writer::from_path(&unvalued).unwrap();
    w.write_record(&header).unwrap();
    for row in rdr.records().map(Result::unwrap).filter(|r| &r[0] == "NKR") {
        let row: Vec<&str> = row
            .iter()
            .enumerate()
            .map(|(i, v)| if i == col { "" } else { v })
            .collect();
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    let alone = appraise_json(&[unvalued.to_str().unwrap()]);
    let alone = by_id(&alone);
    let nkr = &alone["NKR"];
    assert_eq!(nkr["valued"], false);
    assert!(nkr["first_production"]["p10"]["year"].is_i64());
    assert!(nkr["first_production_year"]["p50"].is_null());
    assert!(
        nkr["first_production_year"]["never_reason"]
            .as_str()
            .unwrap()
            .contains("never reach production")
    );
    // Kvanefjeld's licence was refused: out of the base case whatever its percentiles.
    assert!(m["KVA"]["first_production"]["base_case_year"].is_null());
    assert!(
        m["KVA"]["first_production"]["blocked"]
            .as_str()
            .unwrap()
            .contains("refused")
    );
    // Producers are certain and in the past.
    assert_eq!(m["MTW"]["first_production_year"]["p90"], 2011);
}

#[test]
fn a_free_carried_interest_lowers_the_owners_npv_by_its_share() {
    // Songwe Hill (Malawi, 10 % carry): with the carry and the hazard set to zero the
    // owner's NPV is the project's; with a 10 % carry it falls by 10 % of the present
    // value of the positive after-tax flows, which --cashflows gives year by year.
    let dir = tempfile::tempdir().unwrap();
    let flows = dir.path().join("flows.csv");
    let none = dir.path().join("none.toml");
    std::fs::write(
        &none,
        "[owner.free_carried_pct]\nMW = 0.0\n[owner.post_production_hazard_pct]\nMW = 0.0\n",
    )
    .unwrap();
    let carry = dir.path().join("carry.toml");
    std::fs::write(&carry, "[owner.post_production_hazard_pct]\nMW = 0.0\n").unwrap();
    let run = |file: &std::path::Path| -> Value {
        let out = cargo_bin_cmd!("prospect")
            .args([
                "appraise",
                "samples/projects.csv",
                "--draws",
                "0",
                "--format",
                "json",
            ])
            // The high deck, so that Songwe Hill has positive after-tax years to share.
            .args(["--scenario", "high", "--assumptions"])
            .arg(file)
            .arg("--cashflows")
            .arg(&flows)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let plain = run(&none);
    let sgw = &by_id(&plain)["SGW"];
    assert_eq!(sgw["owner"]["free_carried_pct"], 0.0);
    let whole = sgw["owner"]["npv_musd"].as_f64().unwrap();
    assert!((whole - sgw["npv_musd"]["base"].as_f64().unwrap()).abs() < 1e-6);
    // The present value of Songwe Hill's positive after-tax flows at 8 %, by hand from
    // the schedule.
    let mut rdr = csv::Reader::from_path(&flows).unwrap();
    let head = rdr.headers().unwrap().clone();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let (id, year, net) = (col("id"), col("year"), col("net_musd"));
    let positive: f64 = rdr
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[id] == "SGW")
        .map(|r| {
            let y: f64 = r[year].parse().unwrap();
            let v: f64 = r[net].parse().unwrap();
            v.max(0.0) / 1.08f64.powf(y)
        })
        .sum();
    assert!(positive > 0.0);
    let carried = run(&carry);
    let sgw = &by_id(&carried)["SGW"];
    assert_eq!(sgw["owner"]["free_carried_pct"], 10.0);
    let less = whole - sgw["owner"]["npv_musd"].as_f64().unwrap();
    assert!(
        (less - 0.10 * positive).abs() < 1e-3 * positive,
        "{less} vs {}",
        0.1 * positive
    );
}

#[test]
fn logistics_cost_uses_the_distance_to_the_nearest_plant() {
    let m = by_id(&appraise_json(&["samples/projects.csv"]));
    let entry = &m["SGW"]["provenance"]["logistics_musd_per_y"];
    assert_eq!(entry["origin"], "estimated");
    assert!(entry["basis"].as_str().unwrap().contains("km"));
}

/// `--context DIR` replaces only the layers the folder holds; `--ports FILE` wins over it.
#[test]
fn context_folder_and_layer_flags_replace_built_in_layers() {
    let port = |name: &str| {
        format!(
            r#"{{"type": "FeatureCollection", "features": [{{"type": "Feature",
            "properties": {{"name": "{name}", "country": "XX"}},
            "geometry": {{"type": "Point", "coordinates": [0.0, 0.0]}}}}]}}"#
        )
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ports.geojson"), port("Folder Port")).unwrap();
    let single = dir.path().join("single.geojson");
    std::fs::write(&single, port("Flag Port")).unwrap();
    let folder = dir.path().to_str().unwrap();

    let built_in = by_id(&appraise_json(&["samples/projects.csv"]));
    let from_folder = by_id(&appraise_json(&[
        "samples/projects.csv",
        "--context",
        folder,
    ]));
    let from_flag = by_id(&appraise_json(&[
        "samples/projects.csv",
        "--context",
        folder,
        "--ports",
        single.to_str().unwrap(),
    ]));
    assert_eq!(
        built_in["MTP"]["spatial"]["nearest_port"]["name"],
        "Long Beach"
    );
    for (id, p) in &from_folder {
        let spatial = &p["spatial"];
        assert_eq!(spatial["nearest_port"]["name"], "Folder Port", "{id}");
        assert_eq!(
            spatial["nearest_separation_plant"],
            built_in[id]["spatial"]["nearest_separation_plant"],
            "{id}: the plants layer is not in the folder and stays built in"
        );
        assert_eq!(
            from_flag[id]["spatial"]["nearest_port"]["name"], "Flag Port",
            "{id}"
        );
    }
}

/// `appraise` streams projects through a temporary file and writes them in report order:
/// its JSON and CSV are byte for byte the in-memory report's, whatever the input order,
/// and unknown properties keep their columns (in the order they first appear in the
/// report, a column for a property that is always null included).
#[test]
fn streamed_output_is_the_in_memory_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = std::fs::read_to_string("samples/projects.csv").unwrap();
    // Unknown properties on a few records, so their columns have to be gathered.
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[0].push_str(",zz_note,aa_owner,empty");
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        line.push_str(match i % 3 {
            0 => ",=cmd,,",
            1 => ",,Crown,",
            _ => ",a note,Lynas,",
        });
    }
    // Reversed input: the report's order must come from the sort, not from the input.
    let mut body: Vec<String> = lines[1..].to_vec();
    body.reverse();
    text = std::iter::once(lines[0].clone())
        .chain(body)
        .collect::<Vec<_>>()
        .join("\n");
    let input = dir.path().join("in.csv");
    std::fs::write(&input, text).unwrap();

    let records = prospect::read::read_all(std::slice::from_ref(&input))
        .unwrap()
        .records;
    let a = prospect::assumptions::Assumptions::defaults();
    let terms =
        prospect::appraise::Terms::resolve(&a, &prospect::appraise::Options::at(2026)).unwrap();
    let sim = prospect::model::simulate::SimOptions {
        draws: 200,
        seed: 5,
        fixed: Vec::new(),
        keep_draws: false,
    };
    let context = prospect::context::Context::builtin().unwrap();
    // In memory as streamed: on the plants a first allocation pass assigns (issue 16).
    let sep = prospect::portfolio::separation::Separation::new(
        prospect::context::load_plants(None).unwrap(),
        &a,
    );
    let (report, _) = prospect::portfolio::assigned::appraise_on_plants(
        &records,
        &context,
        &a,
        &terms,
        Some(&sim),
        &sep,
        &indicatif::ProgressBar::hidden(),
    );
    let mut json = serde_json::to_vec_pretty(&report).unwrap();
    json.push(b'\n');
    let csv = prospect::output::appraisal::csv(&report).unwrap();
    for (format, expected) in [("json", json), ("csv", csv)] {
        let out = cargo_bin_cmd!("prospect")
            .args([
                "appraise", "--format", format, "--draws", "200", "--seed", "5",
            ])
            .args(["--as-of", "2026", "--quiet"])
            .arg(&input)
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(
            out.stdout == expected,
            "streamed {format} differs from the report"
        );
    }
    let header = String::from_utf8(prospect::output::appraisal::csv(&report).unwrap()).unwrap();
    let header = header.lines().next().unwrap();
    assert!(
        header.ends_with(",coord_basis,zz_note,aa_owner,empty"),
        "{header}"
    );
}

/// Records stream through the appraisal in batches: an error after the first batches
/// still means nothing is written, and a previous output stays as it was.
#[test]
fn an_error_after_many_records_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("many.csv");
    cargo_bin_cmd!("prospect")
        .args(["synth", "--count", "5000", "--seed", "9", "--output"])
        .arg(&input)
        .assert()
        .success();
    // The first record again at the end: a duplicate id, found after 5,000 records.
    let mut text = std::fs::read_to_string(&input).unwrap();
    let first = text.lines().nth(1).unwrap().to_owned();
    text.push_str(&first);
    text.push('\n');
    std::fs::write(&input, text).unwrap();
    let output = dir.path().join("out.csv");
    std::fs::write(&output, "previous run\n").unwrap();
    cargo_bin_cmd!("prospect")
        .args(["appraise", "--draws", "0", "--format", "csv", "--output"])
        .arg(&output)
        .arg(&input)
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains("duplicate id")
                .and(predicate::str::contains("many.csv:5002:"))
                .and(predicate::str::contains("nothing appraised")),
        );
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "previous run\n");
}

/// `--keep-draws` writes every draw of every valued project, in report order, and the
/// kept draws are the ones the summary was made from.
#[test]
fn kept_draws_are_the_draws_behind_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let draws = dir.path().join("draws.csv");
    let out = cargo_bin_cmd!("prospect")
        .args(["appraise", "samples/projects.csv", "--format", "json"])
        .args(["--draws", "60", "--seed", "4", "--as-of", "2026", "--quiet"])
        .arg("--keep-draws")
        .arg(&draws)
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let simulated: Vec<&Value> = report["projects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["simulation"].is_null())
        .collect();
    let mut rows = csv::Reader::from_path(&draws).unwrap();
    assert_eq!(
        rows.headers().unwrap(),
        vec!["id", "draw", "npv_musd", "years_to_first_production"]
    );
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), simulated.len() * 60);
    for (p, chunk) in simulated.iter().zip(rows.chunks(60)) {
        let id = p["id"].as_str().unwrap();
        let mut npvs: Vec<f64> = chunk
            .iter()
            .enumerate()
            .map(|(i, r)| {
                assert_eq!((&r[0], r[1].parse::<usize>().unwrap()), (id, i));
                r[2].parse().unwrap()
            })
            .collect();
        npvs.sort_by(f64::total_cmp);
        // The median of 60 draws: halfway between the 30th and 31st (6 decimals kept).
        let p50 = (npvs[29] + npvs[30]) / 2.0;
        let summary = p["simulation"]["npv_musd"]["p50"].as_f64().unwrap();
        assert!((p50 - summary).abs() < 1e-5, "{id}: {p50} vs {summary}");
    }
}

// ---- The owner's decision in the first-production outlook (issue 17) ----

#[test]
fn the_owners_decision_shows_in_the_chance_and_percentiles_of_first_production() {
    let run = |draws: &str| -> Value {
        let out = cargo_bin_cmd!("prospect")
            .args(["appraise", "samples/projects.csv", "--format", "json"])
            .args(["--as-of", "2026", "--quiet", "--draws", draws])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).unwrap()
    };
    // Deterministic: a project its owner would not build never produces; one it would
    // build keeps the risk model's chance.
    let (mut built, mut not) = (0, 0);
    for p in run("0")["projects"].as_array().unwrap() {
        let (id, o) = (&p["id"], &p["first_production"]);
        let chance = p["chance_of_success"].as_f64().unwrap();
        if p["valued"] != true || p["lead_time"]["produced"] == true {
            // Unvalued or producing: no decision ahead, the chance is the risk model's.
            assert!(o["proceeds_share"].is_null(), "{id}");
            let want = if p["lead_time"]["produced"] == true {
                1.0
            } else {
                chance
            };
            assert_eq!(o["chance_of_production"].as_f64().unwrap(), want, "{id}");
            continue;
        }
        assert_eq!(
            o["chance_before_decision"].as_f64().unwrap(),
            chance,
            "{id}"
        );
        // A state programme proceeds on policy whatever its value (tests/deepsea.rs).
        let state = p["warnings"]
            .to_string()
            .contains("a state programme (sponsor_kind state)");
        if p["owner"]["proceeds"] == true || state {
            built += 1;
            assert_eq!(o["proceeds_share"], 1.0, "{id}");
            assert_eq!(o["chance_of_production"].as_f64().unwrap(), chance, "{id}");
        } else {
            not += 1;
            assert_eq!(o["proceeds_share"], 0.0, "{id}");
            assert_eq!(o["chance_of_production"], 0.0, "{id}");
            for k in ["p10", "p50", "p90"] {
                assert!(o[k]["year"].is_null(), "{id} {k}");
                assert!(p["first_production_year"][k].is_null(), "{id} {k}");
            }
            assert!(o["base_case_year"].is_null(), "{id}");
            assert!(
                o["never_reason"]
                    .as_str()
                    .unwrap()
                    .contains("would not proceed"),
                "{id}"
            );
        }
    }
    // Nolans is built at the default deck, Dubbo (NPV below zero) is not.
    assert!(built >= 1 && not >= 1, "{built} {not}");
    // Simulated: the chance is the risk model's times the share of draws that proceed.
    for p in run("200")["projects"].as_array().unwrap() {
        if p["valued"] != true || p["lead_time"]["produced"] == true {
            continue;
        }
        let share = p["simulation"]["prob_proceeds"].as_f64().unwrap();
        // The simulated risked value: never below zero, and zero when no draw proceeds.
        let risked = p["simulation"]["risked_npv_musd"].as_f64().unwrap();
        assert!(risked >= 0.0, "{}: {risked}", p["id"]);
        if share == 0.0 {
            assert_eq!(risked, 0.0, "{}", p["id"]);
        }
        let o = &p["first_production"];
        let state = p["warnings"]
            .to_string()
            .contains("a state programme (sponsor_kind state)");
        let share = if state { 1.0 } else { share };
        assert_eq!(o["proceeds_share"].as_f64().unwrap(), share, "{}", p["id"]);
        let want = p["chance_of_success"].as_f64().unwrap() * share;
        assert!(
            (o["chance_of_production"].as_f64().unwrap() - want).abs() < 1e-12,
            "{}",
            p["id"]
        );
    }
}
