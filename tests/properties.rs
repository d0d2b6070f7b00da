//! Properties that must hold for any input (proptest; failing cases are saved under
//! proptest-regressions/ and replayed first on the next run).

use proptest::prelude::*;
use prospect::assumptions::Assumptions;
use prospect::context::SiteContext;
use prospect::model::cashflow::{self, Discounting, Irr, ScheduleInputs};
use prospect::model::leadtime::lead_time;
use prospect::model::risk::risk;
use prospect::read::record::{
    DepositType, Location, PermitStatus, ProjectRecord, Regime, StudyStage,
};

fn inputs() -> impl Strategy<Value = ScheduleInputs> {
    (
        (
            10.0..2000.0f64,
            0.0..1500.0f64,
            0.0..50.0f64,
            0.0..20.0f64,
            0.0..40.0f64,
        ),
        (
            10.0..3000.0f64,
            0.0..100.0f64,
            0.0..200.0f64,
            1u32..15,
            1u32..5,
            1.0..60.0f64,
        ),
    )
        .prop_map(
            |(
                (revenue, opex, logistics, royalty, tax),
                (capex, sustaining, closure, dep, build, life),
            )| ScheduleInputs {
                revenue_per_y: revenue,
                fixed_revenue_per_y: 0.0,
                opex_per_y: opex,
                logistics_per_y: logistics,
                royalty_pct: royalty,
                tax_rate_pct: tax,
                fiscal: Default::default(),
                capex,
                sustaining_per_y: sustaining,
                closure,
                depreciation_y: dep,
                construction_y: build,
                mine_life_y: life,
                ramp_up: vec![0.5, 0.8],
            },
        )
}

fn npv(inp: &ScheduleInputs, price: f64) -> f64 {
    let flows: Vec<f64> = cashflow::schedule(inp, price)
        .iter()
        .map(|y| y.net)
        .collect();
    cashflow::npv(0.08, &flows, Discounting::EndOfYear)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn npv_falls_with_costs_and_rises_with_price(inp in inputs(), bump in 1.0..500.0f64, k in 1.01..3.0f64) {
        let base = npv(&inp, 1.0);
        let tol = 1e-9 * (1.0 + base.abs());
        let capex = npv(&ScheduleInputs { capex: inp.capex + bump, ..inp.clone() }, 1.0);
        let opex = npv(&ScheduleInputs { opex_per_y: inp.opex_per_y + bump, ..inp.clone() }, 1.0);
        let royalty = npv(&ScheduleInputs { royalty_pct: (inp.royalty_pct + 5.0).min(100.0), ..inp.clone() }, 1.0);
        let dearer = npv(&inp, k);
        prop_assert!(capex <= base + tol, "capex {} -> {}", base, capex);
        prop_assert!(opex <= base + tol, "opex {} -> {}", base, opex);
        prop_assert!(royalty <= base + tol, "royalty {} -> {}", base, royalty);
        prop_assert!(dearer >= base - tol, "price {} -> {}", base, dearer);
        // A delay of a year moves the whole schedule one period later: its value today is
        // NPV / 1.08, never larger in magnitude.
        let later = npv(&ScheduleInputs { construction_y: inp.construction_y + 1, ..inp.clone() }, 1.0);
        prop_assert!(base <= 0.0 || later < base + tol, "delay {} -> {}", base, later);
    }

    #[test]
    fn a_unique_irr_makes_npv_zero(inp in inputs()) {
        let flows: Vec<f64> = cashflow::schedule(&inp, 1.0).iter().map(|y| y.net).collect();
        if let Irr::Unique { rate } = cashflow::irr(&flows) {
            let scale: f64 = flows.iter().map(|f| f.abs()).sum();
            prop_assert!(cashflow::npv(rate, &flows, Discounting::EndOfYear).abs() <= 1e-6 * scale);
        }
    }

    #[test]
    fn chance_is_base_rate_times_factors_and_lead_time_monotone_in_stage(
        stage in 0usize..10,
        country in prop::sample::select(vec!["AU", "US", "CA", "KE", "GL", "NA", "XX"]),
        permit in prop::option::of(prop::sample::select(PermitStatus::ALL.to_vec())),
        regime in prop::sample::select(vec![Regime::Onshore, Regime::Eez, Regime::Area]),
        stage_year in prop::option::of(2000i32..2026),
    ) {
        let a = Assumptions::defaults();
        let record = |s: StudyStage| {
            let mut r = ProjectRecord::empty(Location::File);
            r.id = "P".into();
            r.country = Some(country.into());
            r.geology.deposit_type = Some(if regime == Regime::Onshore { DepositType::Carbonatite } else { DepositType::PolymetallicNodules });
            r.development.stage = Some(s);
            r.development.permit_status = permit;
            r.development.stage_year = stage_year;
            r
        };
        let s = StudyStage::ALL[stage];
        let r = record(s);
        let mut site = SiteContext::unknown(&r);
        site.regime = Some(regime);
        let out = risk(&r, &site, &a);
        let chance = out.chance_of_success;
        // The chance is the stage's base rate from the assumptions times every reported
        // multiplier, and no factor raises it above that base rate.
        let base = a.risk.base_rate[s.as_str()];
        let product: f64 = out.factors.iter().map(|f| f.multiplier).product();
        prop_assert!((chance - base * product).abs() < 1e-12, "{chance} vs {base} x {product}");
        prop_assert!(out.factors.iter().all(|f| (0.0..=1.0).contains(&f.multiplier)));
        prop_assert!(chance <= base + 1e-12);
        if stage + 1 < StudyStage::ALL.len() {
            // Reaching a later stage (this year, or at an unknown date) never lengthens the
            // remaining time. The same years stuck at a later stage may: a stall is
            // measured against the stage's own length.
            let fresh = |s: StudyStage| {
                let mut r = record(s);
                r.development.stage_year = stage_year.map(|_| 2026);
                r
            };
            let next = fresh(StudyStage::ALL[stage + 1]);
            let t0 = lead_time(&fresh(s), Some(regime), 3, 2.0, &a, 2026).years_to_first_production;
            let t1 = lead_time(&next, Some(regime), 3, 2.0, &a, 2026).years_to_first_production;
            prop_assert!(t1 <= t0 + 1e-9, "{s}: {t0} -> {t1}");
            // A longer stall at this stage never brings the expected year forward.
            if let Some(y) = stage_year {
                let mut longer = r.clone();
                longer.development.stage_year = Some(y - 3);
                let e0 = lead_time(&r, Some(regime), 3, 2.0, &a, 2026);
                let e1 = lead_time(&longer, Some(regime), 3, 2.0, &a, 2026);
                if s < StudyStage::Construction {
                    prop_assert!(e1.first_production_year() >= e0.first_production_year());
                    prop_assert!(e1.quantile_if_proceeds(0.5) >= e0.quantile_if_proceeds(0.5) - 1e-9);
                }
            }
            let c1 = risk(&next, &site, &a).chance_of_success;
            prop_assert!(c1 >= chance - 1e-12);
        }
    }
}

fn record_strategy() -> impl Strategy<Value = ProjectRecord> {
    let num = |hi: f64| {
        prop::option::of((0u32..1_000_000).prop_map(move |x| f64::from(x) / 1_000_000.0 * hi))
    };
    (
        ("[A-Z][A-Z0-9]{0,8}", "[A-Za-z][A-Za-z ,'\"-]{0,20}"),
        prop::sample::select(vec!["AU", "US", "CA", "BR", "NA", "KE"]),
        prop::sample::select(vec![
            DepositType::Carbonatite,
            DepositType::IonicClay,
            DepositType::HydrothermalVein,
        ]),
        prop::sample::select(StudyStage::ALL.to_vec()),
        (
            -1_800_000_000i64..1_800_000_000,
            -900_000_000i64..900_000_000,
        ),
        (num(1000.0), num(100.0), num(100.0), num(5000.0), num(50.0)),
        (
            prop::option::of(1990i32..2030),
            prop::collection::vec("[A-Za-z]{1,8}", 0..3),
        ),
    )
        .prop_map(
            |(
                (id, name),
                country,
                deposit,
                stage,
                (lon, lat),
                (reserve, grade, ndpr, capex, life),
                (year, owners),
            )| {
                let mut r = ProjectRecord::empty(Location::File);
                r.id = id;
                r.name = name.trim().to_owned();
                if r.name.is_empty() {
                    r.name = "N".into();
                }
                r.country = Some(country.into());
                r.geometry = Some(geo::Point::new(lon as f64 / 1e7, lat as f64 / 1e7).into());
                r.geology.deposit_type = Some(deposit);
                r.geology.resource.reserve_mt = reserve;
                r.geology.grade_treo_pct = grade;
                r.geology.ndpr_share_pct = ndpr;
                r.economics.capex_m = capex;
                r.economics.mine_life_y = life;
                r.development.stage = Some(stage);
                r.development.stage_year = year;
                r.ownership.owners = owners;
                r
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn exported_geojson_reads_back_to_the_same_records(records in prop::collection::vec(record_strategy(), 1..5)) {
        let mut records = records;
        for (i, r) in records.iter_mut().enumerate() {
            r.id = format!("{}{i}", r.id);
        }
        let features: Vec<serde_json::Value> = records.iter().map(prospect::output::geojson::record_feature).collect();
        let text = prospect::output::geojson::collection("roundtrip", features);
        let mut back = Vec::new();
        prospect::read::visit_bytes("roundtrip.geojson", prospect::read::InputFormat::GeoJson, &text, &mut |event| {
            if let prospect::read::Event::Record(p) = event {
                back.push(p.record);
            }
        });
        prop_assert_eq!(back.len(), records.len());
        for (a, b) in records.iter().zip(back) {
            let b = ProjectRecord { location: Location::File, ..b };
            prop_assert_eq!(a, &b);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn csv_in_csv_out_keeps_unknown_properties(values in prop::collection::vec("[A-Za-z0-9 ,;:'\"()._/]{0,24}", 1..4)) {
        use std::sync::OnceLock;
        static CONTEXT: OnceLock<prospect::context::Context> = OnceLock::new();
        let context = CONTEXT.get_or_init(|| prospect::context::Context::builtin().unwrap());
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["id".to_owned(), "name".into(), "country".into(), "lon".into(), "lat".into(), "deposit_type".into(), "stage".into()];
        header.extend((0..values.len()).map(|i| format!("note_{i}")));
        w.write_record(&header).unwrap();
        let mut row = vec!["P1".to_owned(), "Alpha".into(), "AU".into(), "122.5".into(), "-28.8".into(), "carbonatite".into(), "pfs".into()];
        row.extend(values.iter().cloned());
        w.write_record(&row).unwrap();
        let input = w.into_inner().unwrap();
        let mut records = Vec::new();
        prospect::read::visit_bytes("in.csv", prospect::read::InputFormat::Csv, &input, &mut |event| {
            if let prospect::read::Event::Record(p) = event {
                records.push(p.record);
            }
        });
        let a = Assumptions::defaults();
        let terms = prospect::appraise::Terms::resolve(&a, &prospect::appraise::Options::at(2026)).unwrap();
        let report = prospect::appraise::appraise_all(&records, context, &a, &terms, None, &indicatif::ProgressBar::hidden());
        let out = prospect::output::appraisal::csv(&report).unwrap();
        let mut r = csv::Reader::from_reader(out.as_slice());
        let headers = r.headers().unwrap().clone();
        let first = r.records().next().unwrap().unwrap();
        for (i, v) in values.iter().enumerate() {
            let col = headers.iter().position(|h| h == format!("note_{i}")).unwrap();
            prop_assert_eq!(&first[col], v.as_str());
        }
    }
}
