//! By-products and co-products: the revenue of what a record sells beside its main
//! product, at the record's own prices (US$ per tonne of product, times its payable share)
//! or, where the record names one without a price, at the assumptions' dated default
//! (`[byproduct_prices]`); the ones with neither stay unpriced and carry a warning.
//!
//! By-product revenue is fixed in money: it does not move with the rare-earth deck, so the
//! breakeven factor and the incentive price scale the rare earths only. It enters the
//! schedule's revenue (and so the royalty) and is credited against the C1 cash cost.

use serde::Serialize;

use crate::assumptions::Assumptions;
use crate::model::provenance::Provenance;
use crate::read::record::ProjectRecord;

/// What a record's by-products bring at nameplate.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Byproducts {
    /// Revenue of the priced by-products, US$ million a year.
    pub revenue_musd_per_y: f64,
    /// Commodities the record names without a price and the assumptions do not price.
    pub unpriced: Vec<String>,
    /// Commodities the record names without a price, priced at the assumptions' default.
    pub priced_by_default: Vec<String>,
}

/// The by-products of `rec`: Σ t/y × US$/t × payable / 10^6, and the unpriced ones. A
/// record's own price (and payable) wins; an item without one takes the default price
/// and payable of `a.byproduct_prices` under the same commodity name (the record's own
/// payable, when it gives one, still wins).
pub fn byproducts(rec: &ProjectRecord, a: &Assumptions, log: &mut Provenance) -> Byproducts {
    let mut out = Byproducts::default();
    let (mut given, mut assumed) = (Vec::new(), Vec::new());
    // Prices in US$ of their own year (the record's money year, a default's quote year),
    // brought to the run's real year.
    let own_year = a.money.escalation(rec.money_year()).factor;
    for b in &rec.economics.byproducts {
        let default = a.byproduct_prices.get(&b.commodity);
        let (price, payable, terms) = match (b.usd_per_t, default) {
            (Some(price), _) => (price * own_year, b.payable_pct.unwrap_or(100.0), &mut given),
            (None, Some(d)) => {
                out.priced_by_default.push(b.commodity.clone());
                (
                    d.usd_per_t * a.money.escalation(Some(d.money_year)).factor,
                    b.payable_pct.unwrap_or(d.payable_pct),
                    &mut assumed,
                )
            }
            (None, None) => {
                out.unpriced.push(b.commodity.clone());
                continue;
            }
        };
        out.revenue_musd_per_y += b.t_per_y * price * payable / 100.0 / 1e6;
        terms.push(format!(
            "{} {} t/y x US${price:.0}/t x {payable} %",
            b.commodity, b.t_per_y
        ));
    }
    let basis = |g: &[String], d: &[String]| {
        let mut parts = Vec::new();
        if !g.is_empty() {
            parts.push(format!("record: {}", g.join("; ")));
        }
        if !d.is_empty() {
            parts.push(format!(
                "assumptions' byproduct_prices (docs/assumptions.md, By-product prices): {}",
                d.join("; ")
            ));
        }
        parts.join("; ")
    };
    if !assumed.is_empty() {
        log.assumed(
            "byproduct_revenue_musd_per_y",
            out.revenue_musd_per_y,
            basis(&given, &assumed),
        );
    } else if !given.is_empty() {
        log.given(
            "byproduct_revenue_musd_per_y",
            out.revenue_musd_per_y,
            basis(&given, &assumed),
        );
    }
    out
}

/// The warning a project with known but unpriced by-products carries.
pub fn warning(b: &Byproducts) -> Option<String> {
    (!b.unpriced.is_empty()).then(|| {
        format!(
            "by-products known but not priced, so left out of revenue while the full costs are charged: {} (give a price in byproducts as commodity:t_per_y:usd_per_t, or add one under the assumptions' byproduct_prices)",
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
        let mut a = Assumptions::defaults();
        a.byproduct_prices.clear();
        let b = byproducts(&r, &a, &mut Provenance::default());
        // 144,393 x 411 / 1e6 = 59.345523; 16,000 x 1,500 x 0.8 / 1e6 = 19.2.
        assert!((b.revenue_musd_per_y - (59.345_523 + 19.2)).abs() < 1e-9);
        assert_eq!(b.unpriced, ["u3o8"]);
        assert!(warning(&b).unwrap().contains("u3o8"));
        assert!(Byproduct::parse_list(&["zircon".into()]).is_err());
        assert!(
            Byproduct::parse_list(&["zircon:10::80".into()]).unwrap()[0]
                .usd_per_t
                .is_none()
        );
        assert!(Byproduct::parse_list(&["zircon:1,000".into()]).is_err());
        assert!(Byproduct::parse_list(&["zircon:10:5:120".into()]).is_err());
    }

    #[test]
    fn an_unpriced_item_takes_the_default_price_and_a_given_price_wins() {
        use crate::assumptions::ByproductPrice;
        let mut a = Assumptions::defaults();
        a.byproduct_prices.clear();
        a.byproduct_prices.insert(
            "u3o8".into(),
            ByproductPrice {
                usd_per_t: 176_370.0,
                payable_pct: 100.0,
                money_year: 2025,
            },
        );
        let mut r = ProjectRecord::empty(Location::File);
        r.economics.byproducts = Byproduct::parse_list(&[
            "u3o8:451".into(),
            "zinc:15000".into(),
            "fluorspar:10000:300".into(),
            "u3o8:100::50".into(),
        ])
        .unwrap();
        let mut log = Provenance::default();
        let b = byproducts(&r, &a, &mut log);
        // Hand-worked: 451 t x US$176,370/t = US$79.54287m; 10,000 x 300 = US$3.0m;
        // 100 t x 176,370 x 50 % = US$8.8185m; zinc has no price: unpriced.
        assert!((b.revenue_musd_per_y - (79.542_87 + 3.0 + 8.818_5)).abs() < 1e-9);
        assert_eq!(b.unpriced, ["zinc"]);
        assert_eq!(b.priced_by_default, ["u3o8", "u3o8"]);
        let e = log.get("byproduct_revenue_musd_per_y").unwrap();
        assert_eq!(e.origin, crate::model::provenance::Origin::Default);
        assert!(e.basis.contains("byproduct_prices"), "{}", e.basis);
    }

    #[test]
    fn the_shipped_defaults_price_the_samples_by_products() {
        // The commodities the samples list without a price (samples/SOURCES.md): each has
        // a dated default, so none of them is left out of revenue.
        let a = Assumptions::defaults();
        for c in [
            "zirconium_products",
            "ferroniobium",
            "u3o8",
            "lithium_carbonate",
            "hafnium_oxide",
            "scandium_oxide",
            "fluorspar",
            "zinc",
        ] {
            let p = &a.byproduct_prices[c];
            assert!(p.usd_per_t > 0.0 && p.money_year >= 2020, "{c}");
        }
    }

    #[test]
    fn dubbo_s_hafnium_oxide_is_priced_at_its_dated_default_in_real_money() {
        // 200 t/y HfO2 (samples/SOURCES.md) at US$1,500/kg of Hf metal x 178.49 / 210.49
        // (Hf in HfO2) = US$1,271.95/kg, rounded to US$1,272,000/t of Sep 2022, x the CPI
        // ratio 321.943 / 292.655 (2025 over 2022, BLS): 200 x 1,272,000 x 1.100077 / 1e6
        // = US$279.86m a year. Zinc in a concentrate: 1,000 t x 3,202.61 x 85 % = 2.722m.
        let a = Assumptions::defaults();
        let mut r = ProjectRecord::empty(Location::File);
        r.economics.byproducts =
            Byproduct::parse_list(&["hafnium_oxide:200".into(), "zinc:1000".into()]).unwrap();
        let b = byproducts(&r, &a, &mut Provenance::default());
        let hf: f64 = 200.0 * 1_272_000.0 * 321.943 / 292.655 / 1e6;
        assert!((hf - 279.86).abs() < 0.01);
        let zn = 1000.0 * 3202.61 * 0.85 / 1e6;
        assert!((b.revenue_musd_per_y - (hf + zn)).abs() < 1e-9);
        assert!(b.unpriced.is_empty());
    }
}
