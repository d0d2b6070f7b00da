//! The assumptions of money itself: default prices of by-products and co-products
//! (`[byproduct_prices]`) and the consumer-price table that brings money of different
//! years to one real year (`[cpi]`). Their figures and sources: docs/assumptions.md,
//! "By-product prices" and "Money year".

use serde::Deserialize;

use super::AssumptionsError;

/// The default price of one by-product or co-product.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ByproductPrice {
    /// US$ per tonne of the product as records name it (t of U3O8, of Li2CO3, ...), in the
    /// US$ of `money_year`.
    pub usd_per_t: f64,
    /// Share of the price paid to the producer, %.
    pub payable_pct: f64,
    /// The year whose US$ `usd_per_t` is in (the year of the quote).
    pub money_year: i32,
}

/// Validates `[byproduct_prices]`: positive prices, payables in 0..=100.
pub(super) fn validate_byproduct_prices(
    prices: &std::collections::BTreeMap<String, ByproductPrice>,
) -> Result<(), AssumptionsError> {
    for (name, p) in prices {
        if !(p.usd_per_t.is_finite() && p.usd_per_t > 0.0) {
            return Err(AssumptionsError::Invalid(format!(
                "byproduct_prices.{name}.usd_per_t = {} must be a positive number",
                p.usd_per_t
            )));
        }
        if !(p.payable_pct.is_finite() && (0.0..=100.0).contains(&p.payable_pct)) {
            return Err(AssumptionsError::Invalid(format!(
                "byproduct_prices.{name}.payable_pct = {} is outside 0..=100",
                p.payable_pct
            )));
        }
    }
    Ok(())
}
