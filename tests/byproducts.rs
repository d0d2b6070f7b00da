//! Default by-product prices (issue 14): a record's by-product without a price of its own
//! is sold at the assumptions' dated default, and one with neither carries a warning into
//! every output, the ranking included. Expected values are worked by hand from the
//! published quotes (docs/assumptions.md, By-product prices), not from the code.

use std::collections::BTreeMap;

use prospect::appraise::{Options, Terms, appraise};
use prospect::assumptions::Assumptions;
use prospect::context::SiteContext;
use prospect::portfolio::rank::{Filters, Weights, rank};
use prospect::read::record::{
    Byproduct, DepositType, Location, ProductForm, ProjectRecord, Regime, StudyStage,
};

/// A producer with every figure given (as tests/going_concern.rs), and `byproducts`.
fn producer(id: &str, byproducts: &[&str]) -> ProjectRecord {
    let mut r = ProjectRecord::empty(Location::File);
    r.id = id.into();
    r.name = id.into();
    r.country = Some("US".into());
    r.regime = Some(Regime::Onshore);
    r.geology.deposit_type = Some(DepositType::Carbonatite);
    let mut shares = [None; 15];
    shares[0] = Some(40.0);
    shares[1] = Some(40.0);
    shares[2] = Some(5.0);
    shares[3] = Some(15.0);
    shares[4] = Some(0.0);
    r.geology.oxide_shares = shares;
    r.development.stage = Some(StudyStage::Production);
    r.development.stage_year = Some(2025);
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
    e.byproducts =
        Byproduct::parse_list(&byproducts.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
    r
}

fn terms(a: &Assumptions) -> Terms {
    let opts = Options {
        scenario: Some("market_2025_06".into()),
        ..Options::at(2026)
    };
    Terms::resolve(a, &opts).unwrap()
}

#[test]
fn a_by_product_without_a_price_is_sold_at_the_dated_default() {
    let a = Assumptions::defaults();
    let r = producer("KVA-LIKE", &["u3o8:451"]);
    let out = appraise(&r, SiteContext::unknown(&r), &a, &terms(&a), None);
    // Cameco spot end-Oct 2025, US$80.00/lb x 2,204.62 lb/t = US$176,370/t (rounded as
    // the assumptions carry it); 451 t/y: US$79.54m/y. Tolerance 0.1 %: the price is
    // rounded to US$1/t in the assumptions.
    let expected = 451.0 * 80.0 * 2204.62 / 1e6;
    let got = out.byproduct_revenue_musd_per_y.unwrap();
    assert!(
        (got - expected).abs() / expected < 1e-3,
        "{got} vs {expected}"
    );
    assert!(out.byproducts_unpriced.is_empty());
    assert_eq!(out.byproducts_priced_by_default, ["u3o8"]);
    assert!(!out.warnings.iter().any(|w| w.contains("not priced")));
    let e = out.provenance.get("byproduct_revenue_musd_per_y").unwrap();
    assert_eq!(e.origin, prospect::model::provenance::Origin::Default);
    // A record's own price wins over the default: 451 t at US$100,000/t = US$45.1m.
    let r = producer("OWN", &["u3o8:451:100000"]);
    let out = appraise(&r, SiteContext::unknown(&r), &a, &terms(&a), None);
    assert!((out.byproduct_revenue_musd_per_y.unwrap() - 45.1).abs() < 1e-9);
    assert!(out.byproducts_priced_by_default.is_empty());
    // Lithium carbonate: 93,750 CNY/t incl. VAT / 1.13 / 7.1062 = US$11,675/t; Round
    // Top's 8,956 t/y: US$104.6m/y (0.1 %).
    let r = producer("RTP-LIKE", &["lithium_carbonate:8956"]);
    let out = appraise(&r, SiteContext::unknown(&r), &a, &terms(&a), None);
    let expected = 8956.0 * 93_750.0 / 1.13 / 7.1062 / 1e6;
    let got = out.byproduct_revenue_musd_per_y.unwrap();
    assert!(
        (got - expected).abs() / expected < 1e-3,
        "{got} vs {expected}"
    );
}

#[test]
fn an_unpriced_by_product_warning_reaches_the_ranking() {
    let a = Assumptions::defaults();
    let t = terms(&a);
    let records = [
        producer("PRICED", &["u3o8:451"]),
        producer("UNPRICED", &["phosphoric_acid:15000", "u3o8:451"]),
    ];
    let projects: Vec<_> = records
        .iter()
        .map(|r| appraise(r, SiteContext::unknown(r), &a, &t, None))
        .collect();
    let weights = Weights::new(&a.rank.weights).unwrap();
    let ranking = rank(&projects, &records, &weights, &Filters::default());
    let by_id: BTreeMap<&str, _> = ranking
        .projects
        .iter()
        .map(|p| (p.id.as_str(), p))
        .collect();
    assert!(by_id["PRICED"].byproducts_unpriced.is_empty());
    assert!(by_id["PRICED"].warnings.is_empty());
    assert_eq!(by_id["UNPRICED"].byproducts_unpriced, ["phosphoric_acid"]);
    assert!(by_id["UNPRICED"].warnings[0].contains("phosphoric_acid"));
    let table = prospect::output::portfolio::rank_table(&ranking);
    assert!(
        table.contains("UNPRICED: warning: by-products known but not priced"),
        "{table}"
    );
    assert!(!table.lines().any(|l| l.starts_with("PRICED: warning")));
    let csv = String::from_utf8(prospect::output::portfolio::rank_csv(&ranking).unwrap()).unwrap();
    // The column by name (the simulation's spread columns follow it since issue 20).
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let col = rows
        .headers()
        .unwrap()
        .iter()
        .position(|c| c == "byproducts_unpriced")
        .expect("a byproducts_unpriced column");
    assert!(
        rows.records()
            .map(Result::unwrap)
            .any(|r| &r[1] == "UNPRICED" && &r[col] == "phosphoric_acid")
    );
    let json = serde_json::to_value(&ranking).unwrap();
    let unpriced = json["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "UNPRICED")
        .unwrap();
    assert_eq!(unpriced["byproducts_unpriced"][0], "phosphoric_acid");
}
