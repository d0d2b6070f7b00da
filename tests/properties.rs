//! Properties that must hold for any input (proptest; failing cases are saved under
//! proptest-regressions/ and replayed first on the next run).

use proptest::prelude::*;
use prospect::assumptions::Assumptions;
use prospect::cashflow::{self, Discounting, Irr, ScheduleInputs};
use prospect::leadtime::lead_time;
use prospect::record::{DepositType, Location, PermitStatus, ProjectRecord, Regime, StudyStage};
use prospect::risk::risk;
use prospect::spatial::SiteContext;

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
                opex_per_y: opex,
                logistics_per_y: logistics,
                royalty_pct: royalty,
                tax_rate_pct: tax,
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
    fn chance_in_0_1_and_lead_time_monotone_in_stage(
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
        let chance = risk(&r, &site, &a).chance_of_success;
        prop_assert!((0.0..=1.0).contains(&chance));
        if stage + 1 < StudyStage::ALL.len() {
            let next = record(StudyStage::ALL[stage + 1]);
            let t0 = lead_time(&r, Some(regime), 3, 2.0, &a, 2026).years_to_first_production;
            let t1 = lead_time(&next, Some(regime), 3, 2.0, &a, 2026).years_to_first_production;
            prop_assert!(t1 <= t0 + 1e-9, "{s}: {t0} -> {t1}");
            let c1 = risk(&next, &site, &a).chance_of_success;
            prop_assert!(c1 >= chance - 1e-12);
        }
    }
}
