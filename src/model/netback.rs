//! Netback: what a buyer pays for a kilogram of TREO in the product a project sells.
//!
//! A separator pays the separated-oxide value of what it recovers, less its charges:
//!
//! ```text
//! netback (US$/kg TREO) = basket x recovery_at_separator
//!                         - light share x light charge - heavy share x heavy charge
//!                         - cracking charge (mineral concentrate only)
//! ```
//!
//! with the light charge on La-Nd and the heavy charge on Sm-Lu and Y (shares of TREO by
//! mass). Separated oxides are sold at the basket. A record's own sale price or
//! payability replaces the netback, and its own tolling charge replaces the default
//! charges. When the record's processing route is `integrated`, the project separates its
//! own product: it sells at the basket and bears the same charges as its own separation
//! cost. Freight to the separator is costed separately (the cost model's logistics).

use serde::Serialize;

use crate::assumptions::NetbackAssumptions;
use crate::read::record::{ProcessingRoute, ProductForm, ProjectRecord};

/// Indices of the light oxides (La, Ce, Pr, Nd) in `OXIDES`; the rest are heavy (Sm-Lu, Y).
const LIGHT: std::ops::Range<usize> = 0..4;

/// How the price of one kilogram of TREO in product is made, US$ real per kg TREO.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Netback {
    /// Separated-oxide basket at the deck, US$/kg TREO.
    pub basket_usd_per_kg: f64,
    /// Share of the basket value a separator pays for (its recovery), %.
    pub recovery_at_separator_pct: f64,
    /// Separation (tolling) and cracking charges, US$/kg TREO, fixed in money terms.
    pub charges_usd_per_kg: f64,
    /// Whether the project bears the charges as its own separation cost (integrated route)
    /// instead of a buyer deducting them from the price.
    pub borne_by_project: bool,
    /// Price received, US$/kg TREO, at the deck (before any charge the project bears).
    pub price_usd_per_kg: f64,
    /// The part of the price that moves with the deck, US$/kg TREO.
    pub price_variable_usd_per_kg: f64,
    /// How it was made.
    pub basis: String,
}

/// The netback of a product with oxide `shares` (% of TREO) and `basket` (US$/kg TREO).
pub fn netback(
    rec: &ProjectRecord,
    form: ProductForm,
    shares: &[f64; 15],
    basket: f64,
    n: &NetbackAssumptions,
) -> Netback {
    let e = &rec.economics;
    let integrated = rec.ownership.processing_route == Some(ProcessingRoute::Integrated);
    if let Some(price) = e.sale_price_usd_per_kg {
        return Netback {
            basket_usd_per_kg: basket,
            recovery_at_separator_pct: 100.0,
            charges_usd_per_kg: 0.0,
            borne_by_project: false,
            price_usd_per_kg: price,
            price_variable_usd_per_kg: price,
            basis: format!("the record's sale price, US${price}/kg TREO in product"),
        };
    }
    if let Some(pct) = e.payable_pct {
        let price = basket * pct / 100.0;
        return Netback {
            basket_usd_per_kg: basket,
            recovery_at_separator_pct: pct,
            charges_usd_per_kg: 0.0,
            borne_by_project: false,
            price_usd_per_kg: price,
            price_variable_usd_per_kg: price,
            basis: format!("the record's payability, {pct} % of the basket"),
        };
    }
    if form == ProductForm::SeparatedOxides {
        return Netback {
            basket_usd_per_kg: basket,
            recovery_at_separator_pct: 100.0,
            charges_usd_per_kg: 0.0,
            borne_by_project: false,
            price_usd_per_kg: basket,
            price_variable_usd_per_kg: basket,
            basis: "separated oxides at the basket".into(),
        };
    }
    let total: f64 = shares.iter().sum::<f64>().max(1e-12);
    let light: f64 = shares[LIGHT].iter().sum::<f64>() / total;
    let (charges, charge_basis) = match e.tolling_usd_per_kg {
        Some(t) => (t, format!("the record's tolling charge US${t}/kg TREO")),
        None => {
            let cracking = if form == ProductForm::Concentrate {
                n.cracking_usd_per_kg_treo
            } else {
                0.0
            };
            let c = light * n.separation_light_usd_per_kg
                + (1.0 - light) * n.separation_heavy_usd_per_kg
                + cracking;
            (
                c,
                format!(
                    "separation US${}/kg light ({:.0} % of TREO) and US${}/kg heavy{} ({})",
                    n.separation_light_usd_per_kg,
                    light * 100.0,
                    n.separation_heavy_usd_per_kg,
                    if cracking > 0.0 {
                        format!(", cracking US${cracking}/kg")
                    } else {
                        String::new()
                    },
                    n.source
                ),
            )
        }
    };
    // The project's own separation plant recovers what a toll separator would.
    let recovery = n.separator_recovery_pct;
    let variable = basket * recovery / 100.0;
    if integrated {
        Netback {
            basket_usd_per_kg: basket,
            recovery_at_separator_pct: recovery,
            charges_usd_per_kg: charges,
            borne_by_project: true,
            price_usd_per_kg: variable,
            price_variable_usd_per_kg: variable,
            basis: format!(
                "integrated route: separated oxides at {recovery} % of the basket; own separation cost {charges:.2} US$/kg TREO from {charge_basis}"
            ),
        }
    } else {
        Netback {
            basket_usd_per_kg: basket,
            recovery_at_separator_pct: recovery,
            charges_usd_per_kg: charges,
            borne_by_project: false,
            price_usd_per_kg: variable - charges,
            price_variable_usd_per_kg: variable,
            basis: format!(
                "netback: {recovery} % of the basket less {charges:.2} US$/kg TREO of charges: {charge_basis}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assumptions::Assumptions;
    use crate::read::record::Location;

    /// La 40 %, Ce 40 %, Nd 15 %, Dy 5 % of TREO: 95 % light, 5 % heavy.
    fn shares() -> [f64; 15] {
        let mut s = [0.0; 15];
        s[0] = 40.0;
        s[1] = 40.0;
        s[3] = 15.0;
        s[8] = 5.0;
        s
    }

    fn n() -> NetbackAssumptions {
        NetbackAssumptions {
            separation_light_usd_per_kg: 5.0,
            separation_heavy_usd_per_kg: 22.5,
            cracking_usd_per_kg_treo: 5.0,
            separator_recovery_pct: 95.0,
            source: "test".into(),
        }
    }

    #[test]
    fn a_concentrate_pays_the_basket_less_cracking_and_separation() {
        let r = ProjectRecord::empty(Location::File);
        // Basket US$30/kg: 0.95 x 30 = 28.5; charges 0.95 x 5 + 0.05 x 22.5 + 5 = 10.875.
        let nb = netback(&r, ProductForm::Concentrate, &shares(), 30.0, &n());
        assert!((nb.charges_usd_per_kg - 10.875).abs() < 1e-12);
        assert!((nb.price_usd_per_kg - 17.625).abs() < 1e-12);
        assert!((nb.price_variable_usd_per_kg - 28.5).abs() < 1e-12);
        // A mixed carbonate is already cracked: 28.5 - 5.875.
        let nb = netback(&r, ProductForm::MixedCarbonate, &shares(), 30.0, &n());
        assert!((nb.price_usd_per_kg - 22.625).abs() < 1e-12);
        // Separated oxides sell at the basket.
        let nb = netback(&r, ProductForm::SeparatedOxides, &shares(), 30.0, &n());
        assert_eq!(nb.price_usd_per_kg, 30.0);
    }

    #[test]
    fn the_record_s_own_terms_win_and_the_integrated_route_bears_the_charges() {
        let mut r = ProjectRecord::empty(Location::File);
        r.economics.tolling_usd_per_kg = Some(4.0);
        let nb = netback(&r, ProductForm::MixedCarbonate, &shares(), 30.0, &n());
        assert!((nb.price_usd_per_kg - (28.5 - 4.0)).abs() < 1e-12);
        r.economics.payable_pct = Some(70.0);
        let nb = netback(&r, ProductForm::MixedCarbonate, &shares(), 30.0, &n());
        assert!((nb.price_usd_per_kg - 21.0).abs() < 1e-12);
        r.economics.sale_price_usd_per_kg = Some(12.0);
        let nb = netback(&r, ProductForm::MixedCarbonate, &shares(), 30.0, &n());
        assert_eq!(nb.price_usd_per_kg, 12.0);
        let mut r = ProjectRecord::empty(Location::File);
        r.ownership.processing_route = Some(ProcessingRoute::Integrated);
        let nb = netback(&r, ProductForm::Concentrate, &shares(), 30.0, &n());
        assert!(nb.borne_by_project);
        assert!((nb.price_usd_per_kg - 28.5).abs() < 1e-12);
        assert!((nb.charges_usd_per_kg - 10.875).abs() < 1e-12);
    }

    #[test]
    fn the_defaults_are_the_assumptions_file_s() {
        let a = Assumptions::defaults();
        assert_eq!(a.netback.separation_light_usd_per_kg, 5.0);
        assert!(!a.netback.source.is_empty());
    }
}
