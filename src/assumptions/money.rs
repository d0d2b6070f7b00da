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

/// `[money]`: the one real year every money figure is brought to, and the price index
/// that brings it there.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MoneyAssumptions {
    /// The year whose US$ every output is in (real money of that year).
    pub real_year: i32,
    /// Which price index `cpi` is.
    #[serde(default)]
    pub series: String,
    /// Index by calendar year (annual averages).
    pub cpi: std::collections::BTreeMap<String, f64>,
    /// `cpi` with its years parsed, in year order: made on the first escalation, as the
    /// models ask for thousands of them a run (`cpi` is not changed once the assumptions
    /// are read).
    #[serde(skip)]
    parsed: Parsed,
}

/// The parsed CPI table, made once; it compares equal to any other, being `cpi` itself.
#[derive(Debug, Clone, Default)]
struct Parsed(std::sync::OnceLock<Vec<(i32, f64)>>);

impl PartialEq for Parsed {
    fn eq(&self, _: &Parsed) -> bool {
        true
    }
}

/// How a figure of one year's US$ is brought to the real year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Escalation {
    /// Multiply US$ of `from_year` by this to get US$ of `to_year`.
    pub factor: f64,
    /// The table year used for the figure (the nearest to the one asked for).
    pub from_year: i32,
    /// The real year.
    pub to_year: i32,
}

impl MoneyAssumptions {
    fn index(&self) -> Vec<(i32, f64)> {
        self.cpi
            .iter()
            .filter_map(|(y, v)| Some((y.parse().ok()?, *v)))
            .collect()
    }

    /// The index of `year`, or of the nearest year in the table (the later one on a tie).
    fn at(&self, year: i32) -> Option<(i32, f64)> {
        self.parsed
            .0
            .get_or_init(|| self.index())
            .iter()
            .copied()
            .min_by_key(|(y, _)| ((y - year).abs(), -y))
    }

    /// The factor from US$ of `year` to US$ of the real year: CPI(real) / CPI(year); a
    /// figure of unknown year (`None`) is taken to be in real-year money (factor 1).
    pub fn escalation(&self, year: Option<i32>) -> Escalation {
        let to = self.real_year;
        let (Some(from), Some((_, real))) = (year, self.at(to)) else {
            return Escalation {
                factor: 1.0,
                from_year: to,
                to_year: to,
            };
        };
        match self.at(from) {
            Some((y, v)) => Escalation {
                factor: real / v,
                from_year: y,
                to_year: to,
            },
            None => Escalation {
                factor: 1.0,
                from_year: to,
                to_year: to,
            },
        }
    }

    /// The real year has an index; every index is a positive number.
    pub(super) fn validate(&self) -> Result<(), AssumptionsError> {
        let index = self.index();
        if index.len() != self.cpi.len() {
            return Err(AssumptionsError::Invalid(
                "money.cpi: every key must be a calendar year".into(),
            ));
        }
        if let Some((y, v)) = index.iter().find(|(_, v)| !(v.is_finite() && *v > 0.0)) {
            return Err(AssumptionsError::Invalid(format!(
                "money.cpi.{y} = {v} must be a positive number"
            )));
        }
        if !index.iter().any(|(y, _)| *y == self.real_year) {
            return Err(AssumptionsError::Invalid(format!(
                "money.real_year {} has no index in money.cpi",
                self.real_year
            )));
        }
        Ok(())
    }
}

/// `[care_and_maintenance]`: what holding a built mine idle costs (issue 14).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CareAndMaintenance {
    /// Yearly holding cost, % of the mine's operating cost at nameplate.
    pub holding_cost_pct_of_opex: f64,
}

#[cfg(test)]
mod tests {

    #[test]
    fn escalation_is_the_ratio_of_the_two_years_indexes() {
        let a = crate::assumptions::Assumptions::defaults();
        let m = &a.money;
        // BLS CPI-U annual averages: 2013 232.957; 2025 (11 published months) 321.943.
        let e = m.escalation(Some(2013));
        assert!((e.factor - 321.943 / 232.957).abs() < 1e-12);
        assert_eq!((e.from_year, e.to_year), (2013, 2025));
        // A year outside the table takes the nearest: 2008 -> 2010 (218.056).
        let e = m.escalation(Some(2008));
        assert_eq!(e.from_year, 2010);
        assert!((e.factor - 321.943 / 218.056).abs() < 1e-12);
        // Real-year money and money of unknown year are not moved.
        assert_eq!(m.escalation(Some(2025)).factor, 1.0);
        assert_eq!(m.escalation(None).factor, 1.0);
    }
}
