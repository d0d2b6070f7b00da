//! By-products and co-products: the revenue of what a record sells beside its main
//! product, at the record's own prices (US$ per tonne of product, times its payable share),
//! and the ones it names without a price.
//!
//! By-product revenue is fixed in money: it does not move with the rare-earth deck, so the
//! breakeven factor and the incentive price scale the rare earths only. It enters the
//! schedule's revenue (and so the royalty) and is credited against the C1 cash cost.

use serde::Serialize;

use crate::model::provenance::Provenance;
use crate::read::record::ProjectRecord;

/// What a record's by-products bring at nameplate.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Byproducts {
    /// Revenue of the priced by-products, US$ million a year.
    pub revenue_musd_per_y: f64,
    /// Commodities the record names without a price.
    pub unpriced: Vec<String>,
}

/// The by-products of `rec`: Σ t/y × US$/t × payable / 10^6, and the unpriced ones.
pub fn byproducts(rec: &ProjectRecord, log: &mut Provenance) -> Byproducts {
    let mut out = Byproducts::default();
    let mut terms = Vec::new();
    for b in &rec.economics.byproducts {
        match b.usd_per_t {
            Some(price) => {
                let payable = b.payable_pct.unwrap_or(100.0);
                let v = b.t_per_y * price * payable / 100.0 / 1e6;
                out.revenue_musd_per_y += v;
                terms.push(format!(
                    "{} {} t/y x US${price}/t x {payable} %",
                    b.commodity, b.t_per_y
                ));
            }
            None => out.unpriced.push(b.commodity.clone()),
        }
    }
    if !terms.is_empty() {
        log.given(
            "byproduct_revenue_musd_per_y",
            out.revenue_musd_per_y,
            format!("record: {}", terms.join("; ")),
        );
    }
    out
}

/// The warning a project with known but unpriced by-products carries.
pub fn warning(b: &Byproducts) -> Option<String> {
    (!b.unpriced.is_empty()).then(|| {
        format!(
            "by-products known but not priced, so left out of revenue while the full costs are charged: {} (give a price in byproducts as commodity:t_per_y:usd_per_t)",
            b.unpriced.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::record::{Byproduct, Location};

    #[test]
    fn priced_by_products_make_revenue_and_unpriced_ones_a_warning() {
        let mut r = ProjectRecord::empty(Location::File);
        r.economics.byproducts = Byproduct::parse_list(&[
            "phosphoric_acid:144393:411".into(),
            "zircon:16000:1500:80".into(),
            "u3o8:451".into(),
        ])
        .unwrap();
        let b = byproducts(&r, &mut Provenance::default());
        // 144,393 x 411 / 1e6 = 59.345523; 16,000 x 1,500 x 0.8 / 1e6 = 19.2.
        assert!((b.revenue_musd_per_y - (59.345_523 + 19.2)).abs() < 1e-9);
        assert_eq!(b.unpriced, ["u3o8"]);
        assert!(warning(&b).unwrap().contains("u3o8"));
        assert!(Byproduct::parse_list(&["zircon".into()]).is_err());
        assert!(Byproduct::parse_list(&["zircon:1,000".into()]).is_err());
        assert!(Byproduct::parse_list(&["zircon:10:5:120".into()]).is_err());
    }
}
