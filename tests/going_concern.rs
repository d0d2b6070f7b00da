//! Valuation at the as-of date, against hand-worked schedules: a producer has no
//! construction and starts at the as-of year, a part-built project carries only its cost
//! to complete, and the incentive price makes NPV zero.

use prospect::appraise::{Options, Terms, appraise};
use prospect::assumptions::Assumptions;
use prospect::context::SiteContext;
use prospect::model::cashflow::Phase;
use prospect::read::record::{
    DepositType, Location, ProductForm, ProjectRecord, Regime, StudyStage,
};

/// A producer with every figure given, so that its schedule can be worked by hand:
/// La 40 %, Ce 40 %, Pr 5 %, Nd 15 %, Sm 0 % of TREO; 10,000 t/y TREO sold as separated
/// oxides; opex US$60m/y, sustaining US$5m/y, initial capex US$500m (spent long ago),
/// royalty 5 %, tax 30 %, 4 years left.
fn producer() -> ProjectRecord {
    let mut r = ProjectRecord::empty(Location::File);
    r.id = "PRODUCER".into();
    r.name = "Hand-worked producer".into();
    r.country = Some("US".into());
    r.regime = Some(Regime::Onshore);
    r.geology.deposit_type = Some(DepositType::Carbonatite);
    let mut shares = [None; 15];
    shares[0] = Some(40.0); // La
    shares[1] = Some(40.0); // Ce
    shares[2] = Some(5.0); // Pr
    shares[3] = Some(15.0); // Nd
    shares[4] = Some(0.0); // Sm
    r.geology.oxide_shares = shares;
    r.development.stage = Some(StudyStage::Production);
    r.development.stage_year = Some(2011);
    let e = &mut r.economics;
    e.product_form = Some(ProductForm::SeparatedOxides);
    e.annual_treo_t = Some(10_000.0);
    e.opex_m_per_y = Some(60.0);
    e.sustaining_capex_m_per_y = Some(5.0);
    e.capex_m = Some(500.0);
    e.royalty_pct = Some(5.0);
    e.tax_rate_pct = Some(30.0);
    e.mine_life_y = Some(20.0);
    e.remaining_life_y = Some(4.0);
    // The figures are today's money (the run's real year, 2025), whatever the stage year:
    // no CPI escalation enters the hand work.
    e.money_year = Some(2025);
    r
}

/// The hand work below is priced on the June 2025 deck (NdPr US$53.43/kg), pinned by name
/// so that a change of the default deck leaves it valid.
fn terms(a: &Assumptions) -> Terms {
    let opts = Options {
        scenario: Some("market_2025_06".into()),
        ..Options::at(2026)
    };
    Terms::resolve(a, &opts).unwrap()
}

#[test]
fn a_producer_has_no_construction_and_starts_at_the_as_of_year() {
    let a = Assumptions::defaults();
    let r = producer();
    let out = appraise(&r, SiteContext::unknown(&r), &a, &terms(&a), None);
    assert!(out.valued, "{:?}", out.unvalued_reason);
    let years = &out.cashflows;
    // Four production years from the as-of year, no construction, no ramp-up.
    assert_eq!(years.len(), 4);
    assert!(years.iter().all(|y| y.phase == Phase::Production));
    assert!(
        years
            .iter()
            .all(|y| y.capex == 0.0 && y.output_share == 1.0)
    );
    // Basket at market_2025_06: 0.4 x 0.54 + 0.4 x 1.52 + 0.2 x 53.43 = US$11.51/kg;
    // revenue 10,000 t x 11.51 = US$115.1m/y.
    assert!(
        (years[0].revenue - 115.1).abs() < 1e-9,
        "{}",
        years[0].revenue
    );
    // Pre-tax 115.1 x 0.95 - 60 - 5 = 44.345; no depreciation left (capex sunk), tax 30 %:
    // net 31.0415. The last year also books closure, 5 % of the US$500m plant = 25:
    // net (44.345 - 25) x 0.7 = 13.5415.
    assert!((years[0].net - 31.0415).abs() < 1e-9, "{}", years[0].net);
    assert!((years[3].closure - 25.0).abs() < 1e-9);
    assert!((years[3].net - 13.5415).abs() < 1e-9, "{}", years[3].net);
    // NPV at 8 %, end of year: 31.0415 x (1/1.08 + 1/1.08^2 + 1/1.08^3) + 13.5415/1.08^4.
    let npv = out.npv_musd.base.unwrap();
    assert!((npv - 89.950_363).abs() < 1e-5, "{npv}");
    assert_eq!(out.npv_convention.as_deref(), Some("as_of"));
    assert_eq!(out.npv_as_of_musd, Some(npv));
    assert_eq!(out.capex_to_spend_musd, Some(0.0));
    assert_eq!(out.sunk_capex_musd, Some(500.0));
    assert_eq!(out.remaining_life_y, Some(4.0));
    // Nothing to invest: no IRR, and the project pays back at once.
    assert_eq!(out.irr_pct, None);
}

#[test]
fn a_producer_without_a_remaining_life_takes_it_from_its_current_reserve() {
    let a = Assumptions::defaults();
    let mut r = producer();
    r.economics.remaining_life_y = None;
    r.economics.mine_life_y = None;
    // 2 Mt reserve at 0.5 Mt/y: 4 years left, whatever the start year.
    r.geology.resource.reserve_mt = Some(2.0);
    r.economics.throughput_mtpa = Some(0.5);
    let out = appraise(&r, SiteContext::unknown(&r), &a, &terms(&a), None);
    assert_eq!(out.remaining_life_y, Some(4.0));
    assert_eq!(out.cashflows.len(), 4);
    // Without a reserve either: the mine life less the years produced, 20 - (2026 - 2011).
    let mut r = producer();
    r.economics.remaining_life_y = None;
    let out = appraise(&r, SiteContext::unknown(&r), &a, &terms(&a), None);
    assert_eq!(out.remaining_life_y, Some(5.0));
}

#[test]
fn an_expansion_of_a_producer_is_spent_in_the_first_year() {
    let a = Assumptions::defaults();
    let mut r = producer();
    r.economics.capex_remaining_m = Some(80.0);
    let out = appraise(&r, SiteContext::unknown(&r), &a, &terms(&a), None);
    let y = &out.cashflows;
    assert_eq!(y[0].capex, 80.0);
    assert!(y[1..].iter().all(|y| y.capex == 0.0));
    assert_eq!(out.capex_to_spend_musd, Some(80.0));
    assert_eq!(out.sunk_capex_musd, Some(420.0));
}

#[test]
fn a_part_built_project_carries_only_its_cost_to_complete() {
    let a = Assumptions::defaults();
    let t = terms(&a);
    let mut r = producer();
    r.development.stage = Some(StudyStage::Construction);
    r.development.stage_year = Some(2025);
    r.economics.remaining_life_y = None;
    r.economics.capex_spent_m = Some(300.0);
    let out = appraise(&r, SiteContext::unknown(&r), &a, &t, None);
    assert!(out.valued, "{:?}", out.unvalued_reason);
    // Cost to complete: 500 - 300 = 200, spread over the construction years still ahead.
    let built: Vec<_> = out
        .cashflows
        .iter()
        .filter(|y| y.phase == Phase::Construction)
        .collect();
    let left = out.lead_time.years_to_first_production;
    assert_eq!(built.len() as f64, left.ceil(), "{left}");
    let spent: f64 = built.iter().map(|y| y.capex).sum();
    assert!((spent - 200.0).abs() < 1e-9, "{spent}");
    assert!(
        out.cashflows
            .iter()
            .all(|y| y.capex <= 200.0 / built.len() as f64 + 1e-9)
    );
    assert_eq!(out.npv_convention.as_deref(), Some("as_of"));
    assert_eq!(out.sunk_capex_musd, Some(300.0));
    // A given cost to complete wins over capex - spent.
    r.economics.capex_remaining_m = Some(250.0);
    let out = appraise(&r, SiteContext::unknown(&r), &a, &t, None);
    let spent: f64 = out.cashflows.iter().map(|y| y.capex).sum();
    assert!((spent - 250.0).abs() < 1e-9, "{spent}");
    // The same project before construction is valued at its start with its full capex.
    r.development.stage = Some(StudyStage::Dfs);
    let out = appraise(&r, SiteContext::unknown(&r), &a, &t, None);
    assert_eq!(out.npv_convention.as_deref(), Some("start_of_construction"));
    let npv = out.npv_musd.base.unwrap();
    let delay = out.lead_time.years_to_construction;
    let as_of = out.npv_as_of_musd.unwrap();
    assert!((as_of - npv / 1.08f64.powf(delay)).abs() < 1e-9);
}

/// The deck with every oxide and metal price times `k`.
fn scaled_deck(a: &Assumptions, k: f64) -> Assumptions {
    let p = a.prices("market_2025_06").unwrap();
    let names = [
        "la", "ce", "pr", "nd", "sm", "eu", "gd", "tb", "dy", "ho", "er", "tm", "yb", "lu", "y",
    ];
    let mut toml = String::from(
        "[scenarios.scaled]\ndescription = \"test\"\nsource = \"test\"\n[scenarios.scaled.oxides]\n",
    );
    for (n, v) in names.iter().zip(p.oxides) {
        toml.push_str(&format!("{n} = {}\n", v * k));
    }
    toml.push_str(&format!(
        "[scenarios.scaled.metals]\nni = {}\ncu = {}\nco = {}\nmn = {}\n",
        p.metals.ni * k,
        p.metals.cu * k,
        p.metals.co * k,
        p.metals.mn * k
    ));
    Assumptions::with_override("scaled", &toml).unwrap()
}

#[test]
fn the_incentive_price_makes_npv_zero_within_a_tenth_of_a_percent() {
    let a = Assumptions::defaults();
    let mut r = producer();
    // A project still to build, so that NPV is negative at low prices.
    r.development.stage = Some(StudyStage::Dfs);
    r.economics.capex_m = Some(900.0);
    r.economics.remaining_life_y = None;
    let out = appraise(&r, SiteContext::unknown(&r), &a, &terms(&a), None);
    let incentive = out.incentive_ndpr_usd_per_kg.unwrap();
    let k = incentive / 53.43;
    let at = |k: f64| {
        let b = scaled_deck(&a, k);
        let t = Terms::resolve(
            &b,
            &Options {
                scenario: Some("scaled".into()),
                ..Options::at(2026)
            },
        )
        .unwrap();
        appraise(&r, SiteContext::unknown(&r), &b, &t, None)
            .npv_musd
            .base
            .unwrap()
    };
    assert!(at(k * 0.999) < 0.0, "{}", at(k * 0.999));
    assert!(at(k * 1.001) > 0.0, "{}", at(k * 1.001));
}

#[test]
fn a_by_product_credit_changes_revenue_and_c1_by_the_hand_computed_amount() {
    let a = Assumptions::defaults();
    let r = producer();
    let base = appraise(&r, SiteContext::unknown(&r), &a, &terms(&a), None);
    let mut r = producer();
    // 100,000 t/y of acid at US$200/t: US$20m/y.
    r.economics.byproducts =
        prospect::read::record::Byproduct::parse_list(&["acid:100000:200".into()]).unwrap();
    let out = appraise(&r, SiteContext::unknown(&r), &a, &terms(&a), None);
    assert_eq!(out.byproduct_revenue_musd_per_y, Some(20.0));
    assert!((out.annual_revenue_musd.unwrap() - (115.1 + 20.0)).abs() < 1e-9);
    assert!((out.cashflows[0].revenue - 135.1).abs() < 1e-9);
    // C1 = (opex 60 - credit 20) / 10,000 t TREO = US$4.00/kg (US$6.00 without);
    // per kg NdPr, 2,000 t: US$20.00 (US$30.00 without).
    assert!((base.c1_usd_per_kg_treo.unwrap() - 6.0).abs() < 1e-9);
    assert!((out.c1_usd_per_kg_treo.unwrap() - 4.0).abs() < 1e-9);
    assert!((base.c1_usd_per_kg_ndpr.unwrap() - 30.0).abs() < 1e-9);
    assert!((out.c1_usd_per_kg_ndpr.unwrap() - 20.0).abs() < 1e-9);
    // An unpriced by-product (no price of its own, none in the assumptions) is a warning,
    // not revenue.
    r.economics.byproducts =
        prospect::read::record::Byproduct::parse_list(&["phosphoric_acid:451".into()]).unwrap();
    let out = appraise(&r, SiteContext::unknown(&r), &a, &terms(&a), None);
    assert_eq!(out.byproduct_revenue_musd_per_y, Some(0.0));
    assert_eq!(out.byproducts_unpriced, ["phosphoric_acid"]);
    assert!(out.warnings.iter().any(|w| w.contains("phosphoric_acid")));
}
