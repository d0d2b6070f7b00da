//! A built mine that loses money at the deck is valued at the best of operating, care and
//! maintenance, and closing (issue 14), worked by hand.

use prospect::appraise::{Options, Terms, appraise};
use prospect::assumptions::Assumptions;
use prospect::context::SiteContext;
use prospect::read::record::{
    DepositType, Location, ProductForm, ProjectRecord, Regime, StudyStage,
};

/// The hand-worked producer of tests/going_concern.rs (revenue US$115.1m/y at the June
/// 2025 deck, capex US$500m sunk, 4 years left), with an opex of `opex` US$m/y.
fn producer(opex: f64) -> ProjectRecord {
    let mut r = ProjectRecord::empty(Location::File);
    r.id = "P".into();
    r.name = "P".into();
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
    r.development.stage_year = Some(2011);
    let e = &mut r.economics;
    e.product_form = Some(ProductForm::SeparatedOxides);
    e.annual_treo_t = Some(10_000.0);
    e.opex_m_per_y = Some(opex);
    e.sustaining_capex_m_per_y = Some(5.0);
    e.capex_m = Some(500.0);
    e.royalty_pct = Some(5.0);
    e.tax_rate_pct = Some(30.0);
    e.mine_life_y = Some(20.0);
    e.remaining_life_y = Some(4.0);
    e.money_year = Some(2025);
    r
}

fn run(r: &ProjectRecord) -> prospect::appraisal::Appraisal {
    let a = Assumptions::defaults();
    let opts = Options {
        scenario: Some("market_2025_06".into()),
        ..Options::at(2026)
    };
    let t = Terms::resolve(&a, &opts).unwrap();
    appraise(r, SiteContext::unknown(r), &a, &t, None)
}

#[test]
fn a_loss_making_producer_closes_instead_of_booking_its_losses() {
    // Opex US$200m/y against US$115.1m of revenue: operating loses about US$96m a year.
    // Closing now costs the closure, 5 % of the US$500m plant = US$25m, in year 1 at 8 %:
    // -25 / 1.08 = -23.148. Care and maintenance (US$20m/y, 10 % of opex, and the closure
    // at the end of the 4 years) costs more: -(20/1.08 + 20/1.08^2 + 20/1.08^3 + 45/1.08^4).
    let out = run(&producer(200.0));
    let d = out.idle.as_ref().unwrap();
    assert_eq!(d.chosen, "close");
    let close = -25.0 / 1.08;
    assert!((out.npv_musd.base.unwrap() - close).abs() < 1e-9);
    let cm =
        -(20.0 / 1.08 + 20.0 / 1.08f64.powi(2) + 20.0 / 1.08f64.powi(3) + 45.0 / 1.08f64.powi(4));
    assert!((d.care_and_maintenance_npv_musd - cm).abs() < 1e-9);
    assert!(d.operate_npv_musd < close);
    assert_eq!(out.cashflows.len(), 1);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("loses money at the deck"))
    );
    // The breakeven and incentive prices stay those of operating.
    assert!(out.breakeven_price_factor.unwrap() > 1.0);
    // The hand-worked producer earning money (opex US$60m/y) operates.
    let out = run(&producer(60.0));
    assert_eq!(out.idle.as_ref().unwrap().chosen, "operate");
    assert_eq!(out.cashflows.len(), 4);
}
