//! Cost per kilogram: C1 cash cost and all-in sustaining cost (AISC) per kg NdPr oxide and
//! per kg TREO at nameplate, and the incentive price, the NdPr oxide price at which the
//! project's NPV at the hurdle rate is zero.
//!
//! C1 = (operating cost + freight to the separator − by-product credits) / output;
//! AISC = C1 + (royalty + sustaining capital) / output; both in US$ real per kg, at the
//! deck's prices (the royalty depends on them). The incentive price scales the whole deck
//! with NdPr, so it is the deck's NdPr price times the breakeven price factor.

use serde::Serialize;

/// Unit costs of one project at nameplate, US$ real per kg.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct UnitCosts {
    /// C1 cash cost per kg NdPr oxide (null without NdPr output).
    pub c1_usd_per_kg_ndpr: Option<f64>,
    /// C1 cash cost per kg TREO.
    pub c1_usd_per_kg_treo: Option<f64>,
    /// All-in sustaining cost per kg NdPr oxide.
    pub aisc_usd_per_kg_ndpr: Option<f64>,
    /// All-in sustaining cost per kg TREO.
    pub aisc_usd_per_kg_treo: Option<f64>,
}

/// What the unit costs are computed from: nameplate figures, US$ million per year and t/y.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NameplateCosts {
    pub opex_musd_per_y: f64,
    pub logistics_musd_per_y: f64,
    /// Revenue of by-products and co-products credited against cash cost.
    pub byproduct_credit_musd_per_y: f64,
    /// Royalty at nameplate and the deck's prices.
    pub royalty_musd_per_y: f64,
    pub sustaining_musd_per_y: f64,
    pub annual_ndpr_t: f64,
    pub annual_treo_t: f64,
}

/// C1 and AISC per kg of NdPr and of TREO.
pub fn unit_costs(n: &NameplateCosts) -> UnitCosts {
    let c1 = n.opex_musd_per_y + n.logistics_musd_per_y - n.byproduct_credit_musd_per_y;
    let aisc = c1 + n.royalty_musd_per_y + n.sustaining_musd_per_y;
    // US$ million / t = US$ 1e6 / 1e3 kg = US$1,000 per kg.
    let per_kg = |musd: f64, t: f64| (t > 0.0).then(|| musd * 1e3 / t);
    UnitCosts {
        c1_usd_per_kg_ndpr: per_kg(c1, n.annual_ndpr_t),
        c1_usd_per_kg_treo: per_kg(c1, n.annual_treo_t),
        aisc_usd_per_kg_ndpr: per_kg(aisc, n.annual_ndpr_t),
        aisc_usd_per_kg_treo: per_kg(aisc, n.annual_treo_t),
    }
}

/// The NdPr oxide price (US$/kg) at which NPV is zero, the rest of the deck scaled with
/// it: the deck's NdPr price times the breakeven factor.
pub fn incentive_ndpr_price(
    deck_ndpr_usd_per_kg: f64,
    breakeven_factor: Option<f64>,
) -> Option<f64> {
    breakeven_factor
        .filter(|_| deck_ndpr_usd_per_kg > 0.0)
        .map(|k| k * deck_ndpr_usd_per_kg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_costs_by_hand() {
        // Opex US$90m/y, freight 10, credit 20: C1 = 80 US$m/y. 4,000 t NdPr, 16,000 t TREO:
        // 80e6 / 4e6 kg = US$20/kg NdPr; 80e6 / 16e6 kg = US$5/kg TREO. Royalty 12 and
        // sustaining 8 make AISC 100 US$m/y: US$25/kg NdPr, US$6.25/kg TREO.
        let u = unit_costs(&NameplateCosts {
            opex_musd_per_y: 90.0,
            logistics_musd_per_y: 10.0,
            byproduct_credit_musd_per_y: 20.0,
            royalty_musd_per_y: 12.0,
            sustaining_musd_per_y: 8.0,
            annual_ndpr_t: 4000.0,
            annual_treo_t: 16000.0,
        });
        assert!((u.c1_usd_per_kg_ndpr.unwrap() - 20.0).abs() < 1e-9);
        assert!((u.c1_usd_per_kg_treo.unwrap() - 5.0).abs() < 1e-9);
        assert!((u.aisc_usd_per_kg_ndpr.unwrap() - 25.0).abs() < 1e-9);
        assert!((u.aisc_usd_per_kg_treo.unwrap() - 6.25).abs() < 1e-9);
    }

    #[test]
    fn no_ndpr_no_cost_per_kg_ndpr() {
        let u = unit_costs(&NameplateCosts {
            opex_musd_per_y: 90.0,
            logistics_musd_per_y: 0.0,
            byproduct_credit_musd_per_y: 0.0,
            royalty_musd_per_y: 0.0,
            sustaining_musd_per_y: 0.0,
            annual_ndpr_t: 0.0,
            annual_treo_t: 0.0,
        });
        assert_eq!(u.c1_usd_per_kg_ndpr, None);
        assert_eq!(u.aisc_usd_per_kg_treo, None);
    }
}
