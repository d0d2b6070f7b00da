//! The deep-sea samples through `prospect appraise`: Minamitorishima mud, NORI-D, the Cook
//! Islands nodules and the Okinawa Trough sulphides, each valued (or refused with a reason
//! a user can act on), with the figures a state programme or a lender needs.

use std::collections::BTreeMap;

use assert_cmd::cargo::cargo_bin_cmd;
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

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn minamitorishima_mud_is_valued_from_its_contained_reo() {
    for sample in ["samples/projects.csv", "samples/projects.geojson"] {
        let m = by_id(&appraise_json(&[sample]));
        let p = &m["MNT"];
        assert_eq!(p["valued"], true, "{sample}: {}", p["unvalued_reason"]);
        let mud = &p["mud"];
        // 1.2 Mt REO at 964 ppm is 1,245 Mt of dry mud (by hand: 1.2e6 / 964e-6 / 1e6).
        assert!(
            (num(&mud["flow"]["mineable_mud_mt"]) - 1.2 / 964e-6).abs() < 1e-6,
            "{}",
            mud["flow"]["mineable_mud_mt"]
        );
        // The commercial default: 10,000 t/day x 300 days; TREO = 3 Mt x 964 ppm x 70 % x 85 %.
        assert_eq!(mud["flow"]["scenario"], "commercial_10000tpd");
        assert!((num(&p["annual_treo_t"]) - 3.0e6 * 964e-6 * 0.70 * 0.85).abs() < 1e-6);
        // The resource would last about 415 years: the plan values 20, and says so.
        assert_eq!(num(&p["mine_life_y"]), 20.0);
        assert!(
            p["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w.as_str().unwrap().contains("415 years"))
        );
        // A state programme's figures: a cost and a subsidy per kg of Dy+Tb, and every
        // capacity scenario from the 350 t/day trial up.
        let u = &mud["unit_costs"];
        assert!(num(&u["cost_per_kg_dytb_usd"]) > 0.0);
        assert!(num(&u["subsidy_per_kg_dytb_usd"]) > 0.0);
        let names: Vec<&str> = mud["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["scenario"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"trial_350tpd") && names.contains(&"co_mining_10000tpd"));
        // Its NPV has a simulated spread and a first-production distribution.
        for k in ["p10", "p50", "p90"] {
            assert!(p["npv_musd"][k].is_number(), "{k}");
            // Given that it proceeds (the simulation's years); of every outcome, a year
            // or never with its reason.
            assert!(p["simulation"]["first_production_year"][k].is_i64(), "{k}");
            let y = &p["first_production_year"];
            assert!(y[k].is_i64() || y["never_reason"].is_string(), "{k}");
        }
    }
}

#[test]
fn the_trial_costs_far_more_per_kg_than_the_commercial_scale() {
    let m = by_id(&appraise_json(&["samples/projects.csv"]));
    let scenarios = m["MNT"]["mud"]["scenarios"].as_array().unwrap().clone();
    let cost = |name: &str| {
        let s = scenarios.iter().find(|s| s["scenario"] == name).unwrap();
        num(&s["cost_per_kg_dytb_usd"])
    };
    // A vessel's day rate spread over 350 t/day against 10,000 t/day.
    assert!(cost("trial_350tpd") > 3.0 * cost("commercial_10000tpd"));
}

#[test]
fn cook_islands_nodules_on_their_own_grades_and_a_licence_sized_plan() {
    let m = by_id(&appraise_json(&["samples/projects.csv"]));
    let cok = &m["COK"];
    assert_eq!(cok["valued"], true);
    // Grades the record lacks come from the Cook Islands region, named in provenance and
    // in a warning; the record's own Co grade is kept.
    let prov = &cok["provenance"];
    assert_eq!(prov["ni_pct"]["value"], 0.4);
    assert!(
        prov["ni_pct"]["basis"]
            .as_str()
            .unwrap()
            .contains("cook_islands")
    );
    assert_eq!(prov["co_pct"]["origin"], "given");
    let warnings: Vec<&str> = cok["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(warnings.iter().any(|w| w.contains("cook_islands region")));
    // The EEZ-wide 12 billion tonnes are not a mine: Moana Minerals' 23,630 km² licence (the
    // record's) x 29 kg/m² x 0.25 = 171.32 Mt, lifted at 10.8 Mt/y, is 15.86 years (by hand).
    assert_eq!(prov["mineable_mt"]["origin"], "estimated");
    assert!(
        prov["mineable_mt"]["basis"]
            .as_str()
            .unwrap()
            .contains("23630 km² (record)"),
        "{}",
        prov["mineable_mt"]["basis"]
    );
    assert!(
        (num(&cok["mine_life_y"]) - 23_630.0 * 29.0 / 1000.0 * 0.25 / 10.8).abs() < 1e-9,
        "{}",
        cok["mine_life_y"]
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("not a licence's resource"))
    );
    // Nickel yield scales with the grade: 10.8 Mt x 0.898 % x 0.4 / 1.30.
    assert!((num(&cok["annual_metals_t"]["ni"]) - 10.8e6 * 0.00898 * 0.4 / 1.30).abs() < 1e-6);
    // A third of the nickel and a tenth of the copper: worth less than NORI-D.
    assert!(num(&cok["npv_musd"]["base"]) < num(&m["NORID"]["npv_musd"]["base"]));
}

#[test]
fn nori_d_costs_come_from_tmc_unit_costs_and_its_irr_is_compared() {
    let m = by_id(&appraise_json(&["samples/projects.csv"]));
    let p = &m["NORID"];
    // Opex: (1,065 x 97,000 + by-product credits at market_2025_12, the dated default deck,
    // and sulphate payables) per wet tonne, times 10.8 Mt/y: the credits are Cu 70,000 x
    // 11,000 x 0.96, Co 7,400 x 48,139 x 0.90, Mn 2,390,000 x 410 x 0.75.
    let gross = 1065.0 * 97_000.0
        + 70_000.0 * 11000.0 * 0.96
        + 7400.0 * 48139.0 * 0.90
        + 2_390_000.0 * 410.0 * 0.75;
    assert!((num(&p["opex_musd_per_y"]) - gross / 1e6).abs() < 1e-6);
    assert_eq!(p["provenance"]["opex_musd_per_y"]["origin"], "estimated");
    // Sustaining: (2,569 - 1,065) x 97,000 = US$145.9 m/y.
    assert!((num(&p["sustaining_capex_musd_per_y"]) - 145.888).abs() < 1e-9);
    // Metals are paid as sulphates and manganese silicate, not at 100 % of exchange prices,
    // at the default deck (market_2025_12: Ni 14,681, Cu 11,000, Co 48,139, Mn 410 US$/t).
    let revenue = 97_000.0 * 14681.0
        + 70_000.0 * 11000.0 * 0.96
        + 7400.0 * 48139.0 * 0.90
        + 2_400_000.0 * 410.0 * 0.75;
    assert!((num(&p["annual_revenue_musd"]) - revenue / 1e6).abs() < 1e-6);
    // The study's IRR stands beside its NPV.
    let s = &p["study"];
    assert_eq!(s["published_irr_pct"], 27.0);
    assert!(s["model_irr_pct"].is_number());
}

#[test]
fn nori_d_is_its_contract_polygon_beside_the_apeis() {
    let m = by_id(&appraise_json(&["samples/nori_d_contract.geojson"]));
    let p = &m["NORID"];
    // The ISA contract area NORI D: 25,160 km² in the ISA's table.
    let km2 = num(&p["spatial"]["site_area_km2"]);
    assert!((km2 / 25_160.0 - 1.0).abs() < 0.01, "{km2}");
    // The nearest APEI is reported with its distance, and it does not overlap.
    let apei = &p["spatial"]["apei"];
    assert!(apei["name"].as_str().unwrap().starts_with("APEI-"));
    assert_eq!(apei["overlaps"], false);
    assert!(num(&apei["distance_km"]) > 0.0);
    assert_eq!(apei["overlap_km2"], 0.0);
}

#[test]
fn the_area_regime_risk_is_counted_once() {
    let m = by_id(&appraise_json(&["samples/projects.csv"]));
    let factors = m["NORID"]["risk_factors"].as_array().unwrap();
    let about_the_area: Vec<&Value> = factors
        .iter()
        .filter(|f| {
            f["reason"].as_str().unwrap().contains("Area")
                || f["reason"].as_str().unwrap().contains("AREA")
        })
        .collect();
    assert_eq!(about_the_area.len(), 1, "{factors:?}");
    assert_eq!(about_the_area[0]["factor"], "regime");
    assert!(factors.iter().all(|f| f["factor"] != "jurisdiction"));
}

#[test]
fn the_area_royalty_scenario_is_selectable() {
    let draft = by_id(&appraise_json(&["samples/projects.csv"]));
    let high = by_id(&appraise_json(&[
        "samples/projects.csv",
        "--area-royalty",
        "high",
    ]));
    assert_eq!(num(&draft["NORID"]["royalty_pct"]), 6.0);
    assert_eq!(num(&high["NORID"]["royalty_pct"]), 20.0);
    assert!(num(&high["NORID"]["npv_musd"]["base"]) < num(&draft["NORID"]["npv_musd"]["base"]));
    // Only the Area is affected.
    assert_eq!(high["MNT"]["royalty_pct"], draft["MNT"]["royalty_pct"]);
    cargo_bin_cmd!("prospect")
        .args(["appraise", "samples/projects.csv", "--area-royalty", "nope"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("unknown Area royalty scenario"));
}

// --- Milestone-driven lead time (issue 15) ---

#[test]
fn minamitorishima_lead_time_follows_its_dated_milestones() {
    for sample in ["samples/projects.csv", "samples/projects.geojson"] {
        let m = by_id(&appraise_json(&[sample]));
        let lt = &m["MNT"]["lead_time"];
        let plan = &lt["milestone_plan"];
        assert_eq!(plan["anchor_kind"], "decision", "{sample}: {lt}");
        assert_eq!(plan["anchor_date"], "2028-03");
        assert_eq!(plan["milestones"].as_array().unwrap().len(), 3);
        // By hand (docs/models.md, milestone-driven lead time): 2.2083 years to the
        // viability report, + (1.1042 slip + 3.17 permitting + 0.71 financing) x 8 / 7, +
        // a 3.2-year build and 0.5 x 8 / 7 of stall = 11.676 years from the start of 2026.
        assert!(
            (num(&lt["years_to_first_production"]) - 11.676).abs() < 0.01,
            "{}",
            lt["years_to_first_production"]
        );
        assert_eq!(m["MNT"]["first_production_year"]["base"], 2037);
        // The other deep-sea samples carry no dated milestones: the survival model.
        assert!(m["NORID"]["lead_time"]["milestone_plan"].is_null());
    }
}

// --- Seafloor sulphides (issue 15) ---

#[test]
fn okinawa_trough_sulphides_are_valued_on_their_own_grades() {
    for sample in ["samples/projects.csv", "samples/projects.geojson"] {
        let m = by_id(&appraise_json(&[sample]));
        let p = &m["OKI"];
        assert_eq!(p["valued"], true, "{sample}: {}", p["unvalued_reason"]);
        // Taylor's rule on half the 7.4 Mt unclassified resource: 0.16 x 3.7^0.65 =
        // 0.3745 Mt/y, for 3.7 / 0.3745 = 9.88 years.
        assert!((num(&p["throughput_mtpa"]) - 0.3745).abs() < 1e-3);
        assert!((num(&p["mine_life_y"]) - 9.88).abs() < 0.01);
        // Net smelter return by hand (JOGMEC 2013 grades; market_2025_12; recovery x
        // payable): Cu 28.02 + Zn 167.76 + Pb 33.92 + Au 154.55 + Ag 187.58 = 571.83 US$/t
        // ore, x 0.3745 Mt/y = US$214.1 m/y.
        assert!(
            (num(&p["annual_revenue_musd"]) - 571.83 * 0.3745).abs() < 0.2,
            "{}",
            p["annual_revenue_musd"]
        );
        assert!(num(&p["npv_musd"]["base"]).is_finite());
        assert!(p["npv_musd"]["p10"].is_number() && p["npv_musd"]["p90"].is_number());
        let warnings = p["warnings"].to_string();
        assert!(
            warnings.contains("seafloor-sulphide costs borrow"),
            "{warnings}"
        );
        assert!(warnings.contains("six-tenths rule"), "{warnings}");
    }
    // Under a deck without zinc, lead, gold and silver prices it is refused with the fix.
    let m = by_id(&appraise_json(&[
        "samples/projects.csv",
        "--scenario",
        "market_2025_06",
    ]));
    let why = m["OKI"]["unvalued_reason"].as_str().unwrap();
    assert!(why.contains("metals.zn"), "{why}");
}

#[test]
fn the_deep_sea_fields_survive_an_export_round_trip() {
    // Exported and read back, the deep-sea samples keep their dated milestones, sulphide
    // grades, licence area, contained REO and capacity scenario: the same values.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("exported.geojson");
    cargo_bin_cmd!("prospect")
        .args(["export", "samples/projects.csv", "--quiet", "-o"])
        .arg(&out)
        .assert()
        .success();
    let before = by_id(&appraise_json(&["samples/projects.csv"]));
    let after = by_id(&appraise_json(&[out.to_str().unwrap()]));
    for id in ["MNT", "NORID", "COK", "OKI"] {
        let (x, y) = (&before[id], &after[id]);
        assert_eq!(x["valued"], y["valued"], "{id}");
        assert!(
            (num(&x["npv_musd"]["base"]) - num(&y["npv_musd"]["base"])).abs() < 1e-6,
            "{id}: {} -> {}",
            x["npv_musd"]["base"],
            y["npv_musd"]["base"]
        );
        assert_eq!(
            x["lead_time"]["milestone_plan"], y["lead_time"]["milestone_plan"],
            "{id}"
        );
    }
}

#[test]
fn a_state_programme_proceeds_on_policy_not_on_its_value() {
    let m = by_id(&appraise_json(&["samples/projects.csv"]));
    let p = &m["MNT"];
    let o = &p["first_production"];
    // Negative value, yet the state proceeds: the chance of production is the risk
    // model's chance alone (proceeds share 1), and a warning says so.
    assert!(num(&p["npv_musd"]["base"]) < 0.0);
    assert_eq!(num(&o["proceeds_share"]), 1.0);
    assert!((num(&o["chance_of_production"]) - num(&p["chance_of_success"])).abs() < 1e-12);
    assert!(p["warnings"].to_string().contains("state programme"));
    assert_eq!(p["risked_npv_musd"], 0.0);
    // The same record as a company's: its owner would not proceed.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mnt.csv");
    let csv = std::fs::read_to_string("samples/projects.csv").unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    let row = lines.find(|l| l.starts_with("MNT,")).unwrap();
    std::fs::write(
        &path,
        format!("{header}\n{}\n", row.replace(",state", ",company")),
    )
    .unwrap();
    let c = by_id(&appraise_json(&[path.to_str().unwrap()]));
    assert_eq!(
        num(&c["MNT"]["first_production"]["chance_of_production"]),
        0.0
    );
}
