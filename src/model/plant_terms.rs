//! Separation terms of the assigned plant: the tolling charge and the freight of the plant
//! outside China that a project's output is assigned to, and China's terms for the share
//! no such plant takes.
//!
//! The terms are an input of the appraisal, made by a first allocation pass of the
//! portfolio stage (`portfolio::assigned`; docs/architecture.md, "Order of a run"): this
//! model never looks at other projects. Given [`PlantTerms`], the price per kg TREO of the
//! product becomes
//!
//! ```text
//! price = (1 - s) x price at the plant + s x basket x China's payable share
//! ```
//!
//! with `s` the share sold to China. The price at the plant is the netback model's, with
//! the plant's own published tolling charge in place of the default separation charges
//! when the plant gives one (a record's own sale price, payability or tolling charge
//! still wins: used as given). Freight runs to the assigned plant for the share it takes
//! and to the nearest port for the share sold to China (sold at the port; the buyer pays
//! the sea freight, judgement), each at the cost model's US$ per t·km.

use serde::Serialize;

use crate::assumptions::Assumptions;
use crate::model::grade::Production;
use crate::model::provenance::Provenance;
use crate::read::record::{Commodity, ProductForm, ProjectRecord, oxide};

/// The plant a project's output goes to in its first year at full output, from the
/// portfolio's first allocation pass.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PlantTerms {
    /// Calendar year of the allocation the terms come from.
    pub year: i32,
    /// The plant taking the largest share (its id in the plants layer; `own` for the
    /// project's own plant; null when no plant outside China takes any).
    pub plant: Option<String>,
    /// Its name.
    pub plant_name: Option<String>,
    /// How the feed reached it: `named`, `captive`, `third_party` or `own`.
    pub tier: Option<String>,
    /// `base` (the project produces in the base case and was allocated with it) or
    /// `entrant` (valued as if it proceeds, on the room the base case leaves that year).
    pub basis: String,
    /// The plant's own published tolling charge, US$/kg TREO of feed (null: none
    /// published, the netback model's default charges apply).
    pub plant_toll_light_usd_per_kg: Option<f64>,
    /// The plant's own heavy surcharge, US$/kg Dy + Tb oxide (null: none published).
    pub plant_toll_heavy_usd_per_kg: Option<f64>,
    /// Geodesic distance from the site to the plant, km.
    pub distance_km: Option<f64>,
    /// Share of the year's output (NdPr, else Dy + Tb) sold to China for want of a plant
    /// outside it, 0-1.
    pub china_share: f64,
}

/// What the valuation did with the terms (the appraisal's `separation`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeparationUsed {
    /// The terms as the allocation gave them.
    #[serde(flatten)]
    pub terms: PlantTerms,
    /// China's payable share of the basket, %, on the share sold to China.
    pub china_payable_pct: f64,
    /// Separation and cracking charges on the share separated outside China, US$/kg TREO.
    pub charges_usd_per_kg: f64,
    /// Where the charges come from: the plant's published toll, the record's own terms, or
    /// the netback model's defaults.
    pub charges_basis: String,
    /// Price per kg TREO at the plant and when sold to China, US$/kg TREO.
    pub price_at_plant_usd_per_kg: f64,
    pub price_in_china_usd_per_kg: f64,
    /// Distance freight is charged over (the plant's for its share, the nearest port's for
    /// China's share), km; null for a product that pays no freight to a separator.
    pub freight_km: Option<f64>,
    pub freight_basis: String,
}

/// The distance product freight is charged over: the assigned plant's for the share it
/// takes, the nearest port's (else the nearest plant's) for the share sold to China; the
/// nearest plant's when the terms give no distance. `None` with `nearest_plant_km` `None`.
pub fn freight_km(
    t: &PlantTerms,
    nearest_plant_km: Option<f64>,
    nearest_port_km: Option<f64>,
) -> (Option<f64>, String) {
    let s = t.china_share.clamp(0.0, 1.0);
    let china_km = nearest_port_km.or(nearest_plant_km);
    let plant_km = if t.tier.as_deref() == Some("own") {
        Some(0.0)
    } else {
        t.distance_km
    };
    match (plant_km, china_km) {
        (Some(p), _) if s <= 0.0 => (
            Some(p),
            format!(
                "to {} ({p:.0} km)",
                t.plant_name
                    .as_deref()
                    .or(t.plant.as_deref())
                    .unwrap_or("the plant")
            ),
        ),
        (_, Some(c)) if s >= 1.0 || plant_km.is_none() && t.plant.is_none() => (
            Some(c),
            format!("all sold to China, at the nearest port ({c:.0} km)"),
        ),
        (Some(p), Some(c)) => (
            Some((1.0 - s) * p + s * c),
            format!(
                "{:.0} % to {} ({p:.0} km), {:.0} % sold to China at the nearest port ({c:.0} km)",
                (1.0 - s) * 100.0,
                t.plant_name
                    .as_deref()
                    .or(t.plant.as_deref())
                    .unwrap_or("the plant"),
                s * 100.0
            ),
        ),
        _ => (
            nearest_plant_km,
            "the nearest plant (the assigned plant's distance is unknown)".into(),
        ),
    }
}

/// Prices `p` on the assigned plant's terms `t` (rare earths only; anything else, and a
/// product without a netback, is left as it is and `None` returned).
pub fn apply(
    rec: &ProjectRecord,
    p: &mut Production,
    t: &PlantTerms,
    a: &Assumptions,
    log: &mut Provenance,
) -> Option<SeparationUsed> {
    if p.commodity != Commodity::RareEarths {
        return None;
    }
    let nb = p.netback.as_mut()?;
    let e = &rec.economics;
    let china_pct = a.separation.china_payable_pct;
    let basket = nb.basket_usd_per_kg;
    let used = |charges, basis: String, at_plant, in_china| SeparationUsed {
        terms: t.clone(),
        china_payable_pct: china_pct,
        charges_usd_per_kg: charges,
        charges_basis: basis,
        price_at_plant_usd_per_kg: at_plant,
        price_in_china_usd_per_kg: in_china,
        freight_km: None,
        freight_basis: String::new(),
    };
    // The record's own price or payability is its terms of sale, used as given.
    if e.sale_price_usd_per_kg.is_some() || e.payable_pct.is_some() {
        return Some(used(
            nb.charges_usd_per_kg,
            "the record's own sale price or payability (used as given)".into(),
            nb.price_usd_per_kg,
            nb.price_usd_per_kg,
        ));
    }
    let plant_toll =
        t.plant_toll_light_usd_per_kg.is_some() || t.plant_toll_heavy_usd_per_kg.is_some();
    let by_plant_toll = !(e.tolling_usd_per_kg.is_some()
        || nb.borne_by_project
        || p.product_form == ProductForm::SeparatedOxides
        || !plant_toll);
    if by_plant_toll {
        nb.unseparated_oxides.clear();
        nb.unseparated_share_pct = 0.0;
    }
    let (charges, variable, basis) = if !by_plant_toll {
        let why = if e.tolling_usd_per_kg.is_some() {
            "the record's own tolling charge"
        } else if p.product_form == ProductForm::SeparatedOxides {
            "separated oxides: no separation charge"
        } else if nb.borne_by_project {
            "integrated route: the project's own separation cost"
        } else {
            "the plant publishes no tolling charge: the netback model's default charges"
        };
        (
            nb.charges_usd_per_kg,
            nb.price_variable_usd_per_kg,
            why.to_owned(),
        )
    } else {
        let s = &a.separation;
        let light = t
            .plant_toll_light_usd_per_kg
            .unwrap_or(s.toll_light_usd_per_kg);
        let heavy = t
            .plant_toll_heavy_usd_per_kg
            .unwrap_or(s.toll_heavy_usd_per_kg);
        let total: f64 = p.oxide_shares_pct.iter().sum::<f64>().max(1e-12);
        let dytb = (p.oxide_shares_pct[oxide::DY] + p.oxide_shares_pct[oxide::TB]) / total;
        let cracking = if p.product_form == ProductForm::Concentrate {
            a.netback.cracking_usd_per_kg_treo
        } else {
            0.0
        };
        let c = light + heavy * dytb + cracking;
        // A published toll is on every kilogram of feed: the plant separates all of it,
        // La and Ce included, so every oxide is paid at the separator's recovery (the
        // netback's per-oxide choice applies only to its default charges).
        (
            c,
            nb.basket_usd_per_kg * nb.recovery_at_separator_pct / 100.0,
            format!(
                "the plant's tolling US${light}/kg TREO + US${heavy}/kg Dy+Tb ({:.2} % of TREO){}",
                dytb * 100.0,
                if cracking > 0.0 {
                    format!(" + cracking US${cracking}/kg")
                } else {
                    String::new()
                }
            ),
        )
    };
    let at_plant = if nb.borne_by_project {
        variable
    } else {
        variable - charges
    };
    let in_china = basket * china_pct / 100.0;
    let s = t.china_share.clamp(0.0, 1.0);
    let price = (1.0 - s) * at_plant + s * in_china;
    nb.price_usd_per_kg = price;
    nb.price_variable_usd_per_kg = (1.0 - s) * variable + s * in_china;
    nb.charges_usd_per_kg = (1.0 - s) * charges;
    let plant = t
        .plant_name
        .as_deref()
        .or(t.plant.as_deref())
        .unwrap_or("no plant outside China");
    nb.basis.then(format_args!(
        "; assigned plant {plant} ({} % of output at {at_plant:.2} US$/kg TREO: {basis}), {:.0} % sold to China at {china_pct} % of the basket",
        format_pct((1.0 - s) * 100.0),
        s * 100.0
    ));
    let payable = price.max(0.0);
    p.payable_price_usd_per_kg = payable;
    p.annual_revenue_musd = p.annual_treo_t * 1000.0 * payable / 1e6;
    p.fixed_revenue_musd_per_y = if nb.borne_by_project {
        0.0
    } else {
        -(nb.price_variable_usd_per_kg - nb.price_usd_per_kg) * p.annual_treo_t / 1e3
    };
    log.estimated("payable_price_usd_per_kg", payable, nb.basis.clone());
    Some(used(charges, basis, at_plant, in_china))
}

fn format_pct(v: f64) -> String {
    format!("{v:.0}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::grade;
    use crate::read::record::{DepositType, Location};

    /// A carbonatite concentrate record with its outputs and life given.
    fn record() -> ProjectRecord {
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "T".into();
        r.geology.deposit_type = Some(DepositType::Carbonatite);
        r.economics.annual_treo_t = Some(10_000.0);
        r.economics.mine_life_y = Some(20.0);
        r.economics.product_form = Some(ProductForm::Concentrate);
        r
    }

    fn terms(plant: Option<&str>, km: Option<f64>, china: f64) -> PlantTerms {
        PlantTerms {
            year: 2030,
            plant: plant.map(str::to_owned),
            plant_name: plant.map(str::to_owned),
            tier: plant.map(|_| "third_party".to_owned()),
            basis: "base".into(),
            plant_toll_light_usd_per_kg: None,
            plant_toll_heavy_usd_per_kg: None,
            distance_km: km,
            china_share: china,
        }
    }

    fn production(r: &ProjectRecord, a: &Assumptions) -> Production {
        let prices = a.prices(&a.valuation.default_scenario).unwrap();
        grade::production(r, a, &prices, &mut Provenance::default()).unwrap()
    }

    #[test]
    fn half_sold_to_china_prices_half_at_the_plant_and_half_at_china_s_payable() {
        let a = Assumptions::defaults();
        let r = record();
        let base = production(&r, &a);
        let nb = base.netback.clone().unwrap();
        let mut p = base.clone();
        let used = apply(
            &r,
            &mut p,
            &terms(Some("P"), Some(100.0), 0.5),
            &a,
            &mut Provenance::default(),
        )
        .unwrap();
        // By hand: 0.5 x (the default netback) + 0.5 x 65 % of the basket.
        let want = 0.5 * nb.price_usd_per_kg + 0.5 * 0.65 * nb.basket_usd_per_kg;
        assert!((p.payable_price_usd_per_kg - want).abs() < 1e-9);
        assert!((p.annual_revenue_musd - 10_000.0 * want / 1e3).abs() < 1e-9);
        assert!((used.price_in_china_usd_per_kg - 0.65 * nb.basket_usd_per_kg).abs() < 1e-9);
        // Nothing to China: the price is the netback's as it was.
        let mut q = base.clone();
        apply(
            &r,
            &mut q,
            &terms(Some("P"), Some(100.0), 0.0),
            &a,
            &mut Provenance::default(),
        );
        assert!((q.payable_price_usd_per_kg - nb.price_usd_per_kg).abs() < 1e-12);
        // Revenue still splits into a moving and a fixed part that sum to it.
        let moving = p.annual_treo_t * p.netback.as_ref().unwrap().price_variable_usd_per_kg / 1e3;
        assert!((moving + p.fixed_revenue_musd_per_y - p.annual_revenue_musd).abs() < 1e-9);
    }

    #[test]
    fn a_plant_s_published_toll_replaces_the_default_charges() {
        let a = Assumptions::defaults();
        let r = record();
        let base = production(&r, &a);
        let nb = base.netback.clone().unwrap();
        let mut t = terms(Some("P"), Some(100.0), 0.0);
        t.plant_toll_light_usd_per_kg = Some(3.0);
        t.plant_toll_heavy_usd_per_kg = Some(10.0);
        let mut p = base.clone();
        let used = apply(&r, &mut p, &t, &a, &mut Provenance::default()).unwrap();
        let sh = &base.oxide_shares_pct;
        let total: f64 = sh.iter().sum();
        let dytb = (sh[oxide::DY] + sh[oxide::TB]) / total;
        // 3 + 10 x Dy+Tb share + cracking 5 (a mineral concentrate).
        let charges = 3.0 + 10.0 * dytb + 5.0;
        assert!((used.charges_usd_per_kg - charges).abs() < 1e-12);
        // The plant's toll is on every kilogram of feed: every oxide, La and Ce included, is
        // separated and paid at the separator's 95 % of the basket.
        assert!(
            (p.payable_price_usd_per_kg - (0.95 * nb.basket_usd_per_kg - charges)).abs() < 1e-9
        );
        assert!(p.netback.as_ref().unwrap().unseparated_oxides.is_empty());
        // The record's own tolling charge wins over the plant's.
        let mut r2 = record();
        r2.economics.tolling_usd_per_kg = Some(4.0);
        let base2 = production(&r2, &a);
        let mut p2 = base2.clone();
        apply(&r2, &mut p2, &t, &a, &mut Provenance::default());
        assert!((p2.payable_price_usd_per_kg - base2.payable_price_usd_per_kg).abs() < 1e-12);
    }

    #[test]
    fn the_record_s_own_payability_is_left_alone() {
        let a = Assumptions::defaults();
        let mut r = record();
        r.economics.payable_pct = Some(70.0);
        let base = production(&r, &a);
        let mut p = base.clone();
        apply(
            &r,
            &mut p,
            &terms(None, None, 1.0),
            &a,
            &mut Provenance::default(),
        );
        assert_eq!(p.payable_price_usd_per_kg, base.payable_price_usd_per_kg);
    }

    #[test]
    fn freight_runs_to_the_plant_and_to_the_port_for_china_s_share() {
        // 40 % to China: 0.6 x 1,000 km + 0.4 x 200 km = 680 km.
        let (km, _) = freight_km(
            &terms(Some("P"), Some(1000.0), 0.4),
            Some(300.0),
            Some(200.0),
        );
        assert!((km.unwrap() - 680.0).abs() < 1e-9);
        let (km, _) = freight_km(&terms(None, None, 1.0), Some(300.0), Some(200.0));
        assert_eq!(km, Some(200.0));
        let (km, _) = freight_km(&terms(None, None, 1.0), Some(300.0), None);
        assert_eq!(km, Some(300.0));
        let (km, _) = freight_km(
            &terms(Some("P"), Some(1000.0), 0.0),
            Some(300.0),
            Some(200.0),
        );
        assert_eq!(km, Some(1000.0));
    }
}
