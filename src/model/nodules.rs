//! Polymetallic nodules on their own terms: the grades of the record, else of its region
//! (CCZ, Cook Islands, Peru Basin, Indian Ocean), named in provenance and in a warning; a
//! mine plan sized by the licence (area x abundance x mineable share), not by an EEZ-wide
//! or contract-wide tonnage; metals paid as the product sold (sulphates or matte, and
//! manganese silicate) at the payables of the assumptions; and the seabed operating and
//! sustaining cost built from TMC's published unit costs for NORI-D (cash cost net of
//! by-products and all-in sustaining cost per tonne of nickel), not calibrated on its NPV.

use crate::assumptions::{Assumptions, Metals, NoduleRegion, Prices};
use crate::model::provenance::Provenance;
use crate::read::record::{DepositType, ProjectRecord};

/// The region whose default grades and abundance a nodule record takes: the one whose
/// `zone_country` is the record's country, else the one whose box holds the site, else
/// the default region (with a warning).
pub fn region<'a>(rec: &ProjectRecord, a: &'a Assumptions) -> (&'a str, &'a NoduleRegion, bool) {
    let n = &a.nodules;
    let by_country = rec.country.as_deref().and_then(|c| {
        n.regions
            .iter()
            .find(|(_, r)| r.zone_country.as_deref() == Some(c))
    });
    let by_box = || {
        let p = rec.site_point()?;
        n.regions.iter().find(|(_, r)| {
            let [w, s, e, nn] = r.bbox;
            (w..=e).contains(&p.x()) && (s..=nn).contains(&p.y())
        })
    };
    match by_country.or_else(by_box) {
        Some((name, r)) => (name.as_str(), r, true),
        None => {
            let r = &n.regions[&n.default_region];
            (n.default_region.as_str(), r, false)
        }
    }
}

/// The grades used: the record's, else the region's, each logged.
pub fn grades(rec: &ProjectRecord, a: &Assumptions, log: &mut Provenance) -> Metals {
    let g = &rec.geology;
    let (name, r, _) = region(rec, a);
    let given = [g.ni_pct, g.cu_pct, g.co_pct, g.mn_pct];
    let region = [
        r.grade_pct.ni,
        r.grade_pct.cu,
        r.grade_pct.co,
        r.grade_pct.mn,
    ];
    let keys = ["ni_pct", "cu_pct", "co_pct", "mn_pct"];
    let mut out = [0.0; 4];
    for i in 0..4 {
        out[i] = match given[i] {
            Some(v) => {
                log.given(keys[i], v, "record");
                v
            }
            None => {
                log.assumed(
                    keys[i],
                    region[i],
                    format_args!("{name} nodules ({})", r.source),
                );
                region[i]
            }
        };
    }
    Metals {
        ni: out[0],
        cu: out[1],
        co: out[2],
        mn: out[3],
    }
}

/// The product a nodule record sells and the share of each metal's price it is paid, %.
pub fn payables(a: &Assumptions) -> (&str, Metals) {
    let n = &a.nodules;
    let p = &n.products[&n.product];
    (n.product.as_str(), p.payable_pct)
}

/// Revenue per year, US$ million: metals in product x price x payable.
pub fn revenue_musd(metals: Metals, prices: &Prices, a: &Assumptions) -> f64 {
    let (_, pay) = payables(a);
    metals
        .zip_with(prices.metals, |t, p| t * p)
        .zip_with(pay, |v, k| v * k / 100.0)
        .sum()
        / 1e6
}

/// The licence's in-situ nodules a mine plan may count on, Mt wet: licence area (the
/// record's, else the assumptions' typical licence) x abundance (the record's, else the
/// region's) x the mineable share, with its basis.
pub fn licence_cap_mt(rec: &ProjectRecord, a: &Assumptions) -> Option<(f64, String)> {
    if rec.geology.deposit_type != Some(DepositType::PolymetallicNodules) {
        return None;
    }
    let n = &a.nodules;
    let (name, r, _) = region(rec, a);
    let (area, area_basis) = match rec.geology.licence_area_km2 {
        Some(km2) => (km2, "record".to_owned()),
        None => (
            n.default_licence_area_km2,
            format!(
                "typical licence, assumptions nodules.default_licence_area_km2 ({})",
                n.licence_source
            ),
        ),
    };
    let (abundance, ab_basis) = match rec.geology.abundance_kg_m2 {
        Some(k) => (k, "record".to_owned()),
        None => (r.abundance_kg_m2, format!("{name} region")),
    };
    let mt = area * 1e6 * abundance / 1e9 * n.licence_mineable_share;
    Some((
        mt,
        format!(
            "licence {area:.0} km² ({area_basis}) x {abundance} kg/m² ({ab_basis}) x mineable share {}",
            n.licence_mineable_share
        ),
    ))
}

/// Operating cost per wet tonne and sustaining capital per year at the reference rate,
/// US$, from TMC's published unit costs: gross cash cost = cash cost net of by-products x
/// Ni + the by-product credits (Cu, Co, Mn at the credit deck's prices and the product's
/// payables); sustaining = (AISC - cash cost) x Ni.
pub fn unit_costs(a: &Assumptions) -> Result<(f64, f64, String), String> {
    let u = &a.nodules.unit_costs;
    let deck = a
        .prices(&u.credit_scenario)
        .map_err(|e| format!("nodules.unit_costs.credit_scenario: {e}"))?;
    let (product, pay) = payables(a);
    let credits = Metals {
        ni: 0.0,
        ..u.ref_output_t
    }
    .zip_with(deck.metals, |t, p| t * p)
    .zip_with(pay, |v, k| v * k / 100.0)
    .sum();
    let gross = u.cash_cost_usd_per_t_ni * u.ref_output_t.ni + credits;
    let per_wet_t = gross / (u.ref_throughput_mtpa * 1e6);
    let sustaining_musd =
        (u.aisc_usd_per_t_ni - u.cash_cost_usd_per_t_ni) * u.ref_output_t.ni / 1e6;
    let basis = format!(
        "TMC NORI-D unit costs (cash cost US${}/t Ni net of by-products, AISC US${}/t Ni; {}): (cash cost x {} t Ni + by-product credits US${:.0}m at the {} deck and {product} payables) / {} Mt/y wet",
        u.cash_cost_usd_per_t_ni,
        u.aisc_usd_per_t_ni,
        u.source,
        u.ref_output_t.ni,
        credits / 1e6,
        u.credit_scenario,
        u.ref_throughput_mtpa
    );
    Ok((per_wet_t, sustaining_musd, basis))
}

/// Cautions about a nodule mine plan: regional default grades, a throughput beyond a real
/// fleet, a plan capped by the licence.
pub fn warnings(rec: &ProjectRecord, a: &Assumptions, throughput_mtpa: Option<f64>) -> Vec<String> {
    let mut out = Vec::new();
    if rec.geology.deposit_type != Some(DepositType::PolymetallicNodules) {
        return out;
    }
    let g = &rec.geology;
    let (name, _, found) = region(rec, a);
    let missing: Vec<&str> = [
        ("Ni", g.ni_pct),
        ("Cu", g.cu_pct),
        ("Co", g.co_pct),
        ("Mn", g.mn_pct),
    ]
    .iter()
    .filter(|(_, v)| v.is_none())
    .map(|(k, _)| *k)
    .collect();
    let e = &rec.economics;
    let metals_given = [e.annual_ni_t, e.annual_cu_t, e.annual_co_t, e.annual_mn_t]
        .iter()
        .all(Option::is_some);
    if !missing.is_empty() && !metals_given {
        out.push(format!(
            "{} grade(s) not in the record: the {name} region's defaults are used{}",
            missing.join(", "),
            if found {
                String::new()
            } else {
                " (the site lies in no region of the assumptions)".into()
            }
        ));
    }
    if let Some(q) = throughput_mtpa
        && q > a.nodules.max_throughput_mtpa
    {
        out.push(format!(
            "throughput {q} Mt/y wet is beyond what one production system has been designed to lift ({} Mt/y, NORI-D's ramp-up)",
            a.nodules.max_throughput_mtpa
        ));
    }
    if let (Some((cap, basis)), Some(total)) =
        (licence_cap_mt(rec, a), rec.geology.resource.total_mt())
        && rec.geology.resource.reserve_mt.is_none()
        && cap < total * a.resources.inferred_conversion
    {
        out.push(format!(
            "the record's {total:.0} Mt is not a licence's resource: the mine plan counts {cap:.0} Mt ({basis})"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::record::Location;

    fn record(country: Option<&str>, lon: f64, lat: f64) -> ProjectRecord {
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "N".into();
        r.country = country.map(str::to_owned);
        r.geometry = Some(geo::Point::new(lon, lat).into());
        r.geology.deposit_type = Some(DepositType::PolymetallicNodules);
        r
    }

    #[test]
    fn regions_by_country_then_by_box() {
        let a = Assumptions::defaults();
        assert_eq!(
            region(&record(Some("CK"), -160.0, -16.0), &a).0,
            "cook_islands"
        );
        assert_eq!(region(&record(None, -116.8, 11.0), &a).0, "ccz");
        assert_eq!(region(&record(None, -88.0, -7.0), &a).0, "peru_basin");
        assert_eq!(region(&record(None, 76.0, -13.0), &a).0, "indian_ocean");
        let (name, _, found) = region(&record(None, 0.0, 0.0), &a);
        assert_eq!((name, found), ("ccz", false));
    }

    #[test]
    fn the_licence_caps_the_plan_by_hand() {
        let a = Assumptions::defaults();
        let mut r = record(Some("CK"), -160.0, -16.0);
        r.geology.abundance_kg_m2 = Some(29.0);
        r.geology.licence_area_km2 = Some(23630.0);
        // 23,630 km² x 29 kg/m² = 685.27 Mt wet in situ; x 0.25 mineable = 171.3 Mt.
        let (mt, _) = licence_cap_mt(&r, &a).unwrap();
        assert!((mt - 23630.0 * 29.0 / 1000.0 * 0.25).abs() < 1e-9, "{mt}");
    }

    #[test]
    fn unit_costs_from_tmc_by_hand() {
        // Gross cash cost = 1,065 x 97,000 + credits at market_2025_12 (the dated default
        // deck) with sulphate payables: Cu 70,000 x 11,000 x 0.96 + Co 7,400 x 48,139 x 0.90
        // + Mn 2,390,000 x 410 x 0.75.
        let a = Assumptions::defaults();
        let (per_t, sustaining, _) = unit_costs(&a).unwrap();
        let credits =
            70_000.0 * 11000.0 * 0.96 + 7400.0 * 48139.0 * 0.90 + 2_390_000.0 * 410.0 * 0.75;
        let gross = 1065.0 * 97_000.0 + credits;
        assert!((per_t - gross / 10.8e6).abs() < 1e-9, "{per_t}");
        // AISC - cash cost = 1,504 US$/t Ni x 97,000 t = US$145.9 m/y.
        assert!((sustaining - 145.888).abs() < 1e-9, "{sustaining}");
    }
}
