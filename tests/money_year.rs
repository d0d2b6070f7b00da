//! Money year (issue 14): every figure is brought to US$ of one real year, a record's at
//! the exchange rate of its own year and then by the US CPI-U, a deck's from its money
//! year. Expected values from the published Federal Reserve rates and BLS index values
//! (docs/assumptions.md), worked by hand.

use prospect::assumptions::Assumptions;
use prospect::model::cost::Money;

#[test]
fn a_deck_is_escalated_from_its_money_year() {
    let a = Assumptions::defaults();
    // `low`: NdPr US$48/kg of 2024; 2025 money: 48 x 321.943 / 313.689.
    let low = a.prices("low").unwrap();
    assert!((low.oxides[3] - 48.0 * 321.943 / 313.689).abs() < 1e-9);
    // Its other prices come from the 2025 base deck and are not moved.
    let base = a.prices("market_2025_12").unwrap();
    assert!((low.oxides[0] - base.oxides[0]).abs() < 1e-12);
    assert_eq!(base.oxides[3], 76.18);
    // `high`: Nolans' 2022 deck, US$130.10/kg: x 321.943 / 292.655.
    let high = a.prices("high").unwrap();
    assert!((high.oxides[3] - 130.10 * 321.943 / 292.655).abs() < 1e-9);
}

#[test]
fn record_money_converts_at_its_years_rate_then_by_cpi() {
    let a = Assumptions::defaults();
    // A$100m of 2013: 0.9683 US$/A$ (Fed G.5A, 2013), then 321.943 / 232.957.
    let m = Money::of("AUD", Some(2013), &a).unwrap();
    assert!((m.usd(100.0) - 100.0 * 0.9683 * 321.943 / 232.957).abs() < 1e-9);
    assert_eq!(
        m.basis().to_string(),
        "record, AUD at 0.9683 US$/AUD (2013 average, FX table), x 1.3820 CPI 2013 to 2025 (money year)"
    );
    // US$ of the real year: neither converted nor moved, and the basis says so.
    assert_eq!(
        Money::of("USD", Some(2025), &a)
            .unwrap()
            .basis()
            .to_string(),
        "record, US$"
    );
    // US$ of 2025 are not moved; neither is money of no stated year.
    assert_eq!(Money::of("USD", Some(2025), &a).unwrap().usd(100.0), 100.0);
    assert_eq!(Money::of("USD", None, &a).unwrap().usd(100.0), 100.0);
    // Another real year by override: US$100m of 2025 in 2020 money.
    let a = Assumptions::with_override("t.toml", "[money]\nreal_year = 2020\n").unwrap();
    let m = Money::of("USD", Some(2025), &a).unwrap();
    assert!((m.usd(100.0) - 100.0 * 258.811 / 321.943).abs() < 1e-9);
    assert!(Assumptions::with_override("t.toml", "[money]\nreal_year = 1990\n").is_err());
}

#[test]
fn the_output_states_its_money_year() {
    let a = Assumptions::defaults();
    let terms =
        prospect::appraise::Terms::resolve(&a, &prospect::appraise::Options::at(2026)).unwrap();
    let report = prospect::appraisal::Report::new(&a, &terms, None, Vec::new());
    assert_eq!(report.conventions.money_year, 2025);
    assert!(report.conventions.money.contains("real 2025"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["conventions"]["money_year"], 2025);
}
