//! Fiscal terms of a project: the royalty and corporate tax of its jurisdiction, and the
//! regimes that are more than a flat rate, applied year by year in the cash flow
//! ([`crate::model::cashflow::schedule`]):
//!
//! - an ad valorem royalty by **product form** (Western Australia: 5 % on a concentrate,
//!   2.5 % on a metal or a final product; `royalty_by_product_pct`);
//! - a **profit-based royalty formula** (South Africa's Mineral and Petroleum Resources
//!   Royalty Act 2008, s.4): rate = 0.5 + EBIT / (gross sales x 12.5) x 100 % for refined
//!   and 0.5 + EBIT / (gross sales x 9) x 100 % for unrefined mineral resources, capped at
//!   5 % and 7 %; EBIT is the year's revenue less operating cost, freight, sustaining
//!   capital, closure and the tax depreciation of initial capex (interest and the royalty
//!   itself are not deducted), and an EBIT below zero gives the 0.5 % minimum;
//! - a **resource-rent tax** (the Cook Islands': 25 % once cash flows have recovered costs
//!   with a 20 % return): `rate_pct` of each year's after-income-tax cash flow left after
//!   the negative cash flows so far, carried forward at `threshold_pct` a year, are
//!   recovered.
//!
//! Every rate is in % and every amount in US$ million real, as in the schedule.

use serde::Serialize;

use crate::assumptions::{Assumptions, RoyaltyFormula};
use crate::model::provenance::Provenance;
use crate::read::record::{ProductForm, ProjectRecord, Regime};

/// What the schedule applies each year beyond the ad valorem royalty and the income tax.
/// The default applies nothing more.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Fiscal {
    /// A royalty rate set each year from the year's margin; replaces the ad valorem rate.
    pub royalty_formula: Option<RoyaltyFormula>,
    /// A resource-rent tax on after-tax cash flow above a threshold return.
    pub rent_tax: Option<RentTax>,
}

/// A resource-rent tax: `rate_pct` % of the after-tax cash flow left once earlier negative
/// cash flows, carried forward at `threshold_pct` % a year, are recovered.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RentTax {
    /// Tax rate on the rent, %.
    pub rate_pct: f64,
    /// Threshold return, % a year.
    pub threshold_pct: f64,
}

impl RoyaltyFormula {
    /// The royalty rate, % of gross sales, for a year's EBIT and gross sales (US$ m):
    /// `intercept + EBIT / (gross sales x divisor) x 100`, within [intercept, cap]. No
    /// sales: the intercept (the royalty is then nil anyway).
    pub fn rate_pct(&self, ebit: f64, gross_sales: f64) -> f64 {
        if gross_sales <= 0.0 || !gross_sales.is_finite() {
            return self.intercept_pct;
        }
        let rate = self.intercept_pct + ebit.max(0.0) / (gross_sales * self.ebit_divisor) * 100.0;
        rate.clamp(self.intercept_pct, self.cap_pct)
    }
}

impl RentTax {
    /// The tax on one year's after-income-tax cash flow (US$ m), given the unrecovered
    /// cash flow carried from earlier years (`carry`, US$ m, >= 0), which it updates: the
    /// carry grows by the threshold return, the year's cash flow first recovers it, and
    /// what is left is taxed.
    pub fn year(&self, carry: &mut f64, cash_flow: f64) -> f64 {
        let base = cash_flow - *carry * (1.0 + self.threshold_pct / 100.0);
        if base <= 0.0 {
            *carry = -base;
            0.0
        } else {
            *carry = 0.0;
            base * self.rate_pct / 100.0
        }
    }
}

/// A project's royalty and tax rates and the regimes beyond them.
#[derive(Debug, Clone, PartialEq)]
pub struct FiscalTerms {
    /// Ad valorem royalty, % of revenue (with a formula: the formula's rate at nameplate
    /// once [`nameplate_royalty`] has set it; the schedule sets each year's own).
    pub royalty_pct: f64,
    /// Corporate income-tax rate, %.
    pub tax_rate_pct: f64,
    pub fiscal: Fiscal,
}

/// The royalty and corporate tax of a record: the record's own when given (used as
/// given: an ad valorem royalty, and no formula in its place), else its jurisdiction's
/// (the Area's in the Area), for the product form it sells; each logged with its source.
/// A jurisdiction's resource-rent tax applies unless the record gives its own tax rate
/// (a record's tax rate is taken as its whole income taxation).
pub fn terms(
    rec: &ProjectRecord,
    a: &Assumptions,
    form: ProductForm,
    log: &mut Provenance,
) -> FiscalTerms {
    let e = &rec.economics;
    let area = rec.regime == Some(Regime::Area);
    let us_route = area && crate::model::cost::us_route(rec);
    let subdivision = rec
        .subdivision
        .as_deref()
        .filter(|_| !area)
        .and_then(|s| a.jurisdictions.get_key_value(s));
    let (jurisdiction, j) = if us_route {
        ("AREA_DSHMRA", &a.jurisdictions["AREA_DSHMRA"])
    } else if let Some((k, j)) = subdivision {
        (k.as_str(), j)
    } else {
        a.jurisdiction(if area { None } else { rec.country.as_deref() })
    };
    let mut fiscal = Fiscal::default();
    let royalty = match (e.royalty_pct, area && !us_route, a.area_royalty()) {
        (Some(r), _, _) => {
            log.given("royalty_pct", r, "record");
            r
        }
        (None, true, Some((name, pct))) => {
            log.assumed(
                "royalty_pct",
                pct,
                format_args!(
                    "the Area, ISA route: royalty scenario {name} of area_royalty_scenarios (--area-royalty); {}",
                    a.area_royalty_scenarios
                        .get("source")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                ),
            );
            pct
        }
        _ => {
            let formula = j
                .royalty_formula_by_product
                .get(form.as_str())
                .and_then(|name| j.royalty_formulas.get(name).map(|f| (name, *f)));
            if let Some((name, f)) = formula {
                fiscal.royalty_formula = Some(f);
                // Provisional: the formula's floor until the nameplate rate is set.
                log.assumed(
                    "royalty_pct",
                    f.intercept_pct,
                    format_args!(
                        "jurisdiction {jurisdiction}, {form}: {name} formula {} + EBIT/(gross sales x {}) x 100 %, at most {} %, set each year in the cash flow; {}",
                        f.intercept_pct, f.ebit_divisor, f.cap_pct, j.source
                    ),
                );
                f.intercept_pct
            } else if let Some(r) = j.royalty_by_product_pct.get(form.as_str()) {
                log.assumed(
                    "royalty_pct",
                    *r,
                    format_args!("jurisdiction {jurisdiction}, rate on {form}: {}", j.source),
                );
                *r
            } else {
                log.assumed(
                    "royalty_pct",
                    j.royalty_pct,
                    format_args!("jurisdiction {jurisdiction}: {}", j.source),
                );
                j.royalty_pct
            }
        }
    };
    let tax = match e.tax_rate_pct {
        Some(r) => {
            log.given("tax_rate_pct", r, "record");
            r
        }
        None => {
            log.assumed(
                "tax_rate_pct",
                j.tax_rate_pct,
                format_args!("jurisdiction {jurisdiction}: {}", j.source),
            );
            if let Some(r) = &j.rent_tax {
                fiscal.rent_tax = Some(RentTax {
                    rate_pct: r.rate_pct,
                    threshold_pct: r.threshold_pct,
                });
                log.assumed(
                    "rent_tax_pct",
                    r.rate_pct,
                    format_args!(
                        "jurisdiction {jurisdiction}: resource-rent tax of {} % on after-tax cash flow above a {} % return; {}",
                        r.rate_pct, r.threshold_pct, r.source
                    ),
                );
            }
            j.tax_rate_pct
        }
    };
    FiscalTerms {
        royalty_pct: royalty,
        tax_rate_pct: tax,
        fiscal,
    }
}

/// A year at nameplate, US$ million: what a royalty formula's EBIT is built from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NameplateYear {
    pub revenue: f64,
    pub opex: f64,
    pub logistics: f64,
    pub sustaining: f64,
    /// Tax depreciation of initial capex in a year that has some.
    pub depreciation: f64,
}

impl NameplateYear {
    /// EBIT as the royalty formula reads it: revenue less costs and depreciation, before
    /// interest and the royalty.
    pub fn ebit(&self) -> f64 {
        self.revenue - self.opex - self.logistics - self.sustaining - self.depreciation
    }
}

/// With a royalty formula, the rate at a nameplate year (shown as `royalty_pct` and used
/// in the unit costs; the schedule sets each year's own), logged as estimated; without
/// one, `royalty_pct` unchanged.
pub fn nameplate_royalty(t: &FiscalTerms, year: NameplateYear, log: &mut Provenance) -> f64 {
    let Some(f) = t.fiscal.royalty_formula else {
        return t.royalty_pct;
    };
    let rate = f.rate_pct(year.ebit(), year.revenue);
    log.estimated(
        "royalty_pct",
        rate,
        format_args!(
            "{} + EBIT/(gross sales x {}) x 100 %, at most {} %, at nameplate: EBIT US${:.1} m on sales of US${:.1} m (revenue less opex, freight, sustaining capital and depreciation of US${:.1} m); the cash flow sets each year's rate from that year's EBIT",
            f.intercept_pct,
            f.ebit_divisor,
            f.cap_pct,
            year.ebit(),
            year.revenue,
            year.depreciation
        ),
    );
    rate
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNREFINED: RoyaltyFormula = RoyaltyFormula {
        intercept_pct: 0.5,
        ebit_divisor: 9.0,
        cap_pct: 7.0,
    };
    const REFINED: RoyaltyFormula = RoyaltyFormula {
        intercept_pct: 0.5,
        ebit_divisor: 12.5,
        cap_pct: 5.0,
    };

    #[test]
    fn the_mprra_formulas_by_hand() {
        // Unrefined, sales 100, EBIT 27: 0.5 + 27 / 900 x 100 = 0.5 + 3 = 3.5 %.
        assert!((UNREFINED.rate_pct(27.0, 100.0) - 3.5).abs() < 1e-12);
        // Refined, sales 200, EBIT 50: 0.5 + 50 / 2,500 x 100 = 0.5 + 2 = 2.5 %.
        assert!((REFINED.rate_pct(50.0, 200.0) - 2.5).abs() < 1e-12);
        // The caps: unrefined reaches 7 % at an EBIT margin of 6.5 x 9 = 58.5 %, refined
        // 5 % at 4.5 x 12.5 = 56.25 %. A 60 % margin is beyond both.
        assert_eq!(UNREFINED.rate_pct(60.0, 100.0), 7.0);
        assert_eq!(REFINED.rate_pct(60.0, 100.0), 5.0);
        assert!((UNREFINED.rate_pct(58.0, 100.0) - (0.5 + 58.0 / 9.0)).abs() < 1e-12);
        assert!((REFINED.rate_pct(56.0, 100.0) - (0.5 + 56.0 / 12.5)).abs() < 1e-12);
        // A loss: the 0.5 % minimum, never below.
        assert_eq!(UNREFINED.rate_pct(-40.0, 100.0), 0.5);
        assert_eq!(REFINED.rate_pct(0.0, 100.0), 0.5);
        // No sales: the intercept, not a division by zero.
        assert_eq!(UNREFINED.rate_pct(5.0, 0.0), 0.5);
    }

    #[test]
    fn the_rent_tax_waits_for_the_threshold_return_by_hand() {
        // 25 % above a 20 % return. Invest 100, then earn 60, 60, 60.
        let t = RentTax {
            rate_pct: 25.0,
            threshold_pct: 20.0,
        };
        let mut carry = 0.0;
        assert_eq!(t.year(&mut carry, -100.0), 0.0);
        assert_eq!(carry, 100.0);
        // Year 2: 60 - 100 x 1.2 = -60: nothing taxed, 60 carried.
        assert_eq!(t.year(&mut carry, 60.0), 0.0);
        assert!((carry - 60.0).abs() < 1e-12);
        // Year 3: 60 - 60 x 1.2 = -12: 12 carried.
        assert_eq!(t.year(&mut carry, 60.0), 0.0);
        assert!((carry - 12.0).abs() < 1e-12);
        // Year 4: 60 - 12 x 1.2 = 45.6 of rent, taxed at 25 %: 11.4.
        assert!((t.year(&mut carry, 60.0) - 11.4).abs() < 1e-12);
        assert_eq!(carry, 0.0);
        // Year 5: all 60 is rent: 15.
        assert!((t.year(&mut carry, 60.0) - 15.0).abs() < 1e-12);
        // The cash flows above return exactly 20 % on the first three years when the third
        // brings 72 (100 x 1.2^2 = 144 = 60 x 1.2 + 72): no rent, no tax, nothing carried.
        let mut c = 0.0;
        for f in [-100.0, 60.0, 72.0] {
            assert_eq!(t.year(&mut c, f), 0.0);
        }
        assert!(c.abs() < 1e-9, "{c}");
    }
}
