//! Seafloor massive sulphides (Cu-Zn-Pb-Au-Ag, the Okinawa Trough type): ore lifted and
//! floated to concentrates, each metal paid as ore x grade x recovery x payable x price (a
//! net smelter return), at the deck's copper price and its sulphide metals (zinc, lead,
//! gold, silver; `[scenarios.*.metals]`). The grades are the record's; a metal without a
//! grade earns nothing and a warning says so. The mine plan is the generic one (Taylor's
//! rule on the mineable tonnage: a sulphide mound is a small mine, not a nodule field),
//! costs are the seabed model's (docs/models.md, Seafloor sulphides).

use serde::Serialize;

use crate::assumptions::{Assumptions, Metals, Prices, SulphideMetals};
use crate::model::grade::{Production, Unvalued};
use crate::model::provenance::Provenance;
use crate::read::record::{Commodity, ProductForm, ProjectRecord};

/// Grams per troy ounce.
pub const G_PER_OZ: f64 = 31.103_476_8;

/// What one tonne of ore is paid, by metal, US$ per tonne of ore.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct NsrPerTonne {
    pub cu: f64,
    pub zn: f64,
    pub pb: f64,
    pub au: f64,
    pub ag: f64,
}

impl NsrPerTonne {
    pub fn total(&self) -> f64 {
        self.cu + self.zn + self.pb + self.au + self.ag
    }
}

/// The record's grades (% for base metals, g/t for precious metals), absent as `None`.
fn grades(rec: &ProjectRecord) -> [(&'static str, Option<f64>); 5] {
    let g = &rec.geology;
    [
        ("cu_pct", g.cu_pct),
        ("zn_pct", g.zn_pct),
        ("pb_pct", g.pb_pct),
        ("au_g_t", g.au_g_t),
        ("ag_g_t", g.ag_g_t),
    ]
}

/// Net smelter return per tonne of ore, US$, at `prices`: grade x recovery x payable x
/// price for each metal. `Err` names a metal with a grade whose price the deck lacks.
pub fn nsr_per_t(
    rec: &ProjectRecord,
    a: &Assumptions,
    prices: &Prices,
) -> Result<NsrPerTonne, Unvalued> {
    let s = &a.sulphides;
    let [cu, zn, pb, au, ag] = grades(rec).map(|(_, v)| v.unwrap_or(0.0));
    let need = |grade: f64, price: Option<f64>, key: &str| -> Result<f64, Unvalued> {
        match price {
            _ if grade <= 0.0 => Ok(0.0),
            Some(p) => Ok(p),
            None => Err(Unvalued {
                reason: format!(
                    "price deck {} has no {key} price (metals.{key}): add it with --assumptions or choose a deck that has it (market_2025_12)",
                    prices.scenario
                ),
            }),
        }
    };
    let sp = prices.sulphide;
    let k = |r: f64, p: f64| r / 100.0 * p / 100.0;
    let SulphideMetals {
        cu: rc,
        zn: rz,
        pb: rp,
        au: ra,
        ag: rs,
    } = s.recovery_pct;
    let pay = s.payable_pct;
    Ok(NsrPerTonne {
        cu: cu / 100.0 * k(rc, pay.cu) * prices.metals.cu,
        zn: zn / 100.0 * k(rz, pay.zn) * need(zn, sp.zn, "zn")?,
        pb: pb / 100.0 * k(rp, pay.pb) * need(pb, sp.pb, "pb")?,
        au: au / G_PER_OZ * k(ra, pay.au) * need(au, sp.au_usd_per_oz, "au_usd_per_oz")?,
        ag: ag / G_PER_OZ * k(rs, pay.ag) * need(ag, sp.ag_usd_per_oz, "ag_usd_per_oz")?,
    })
}

/// The grade model of a seafloor-sulphide record.
pub fn production(
    rec: &ProjectRecord,
    a: &Assumptions,
    prices: &Prices,
    log: &mut Provenance,
) -> Result<Production, Unvalued> {
    let given: Vec<(&str, f64)> = grades(rec)
        .iter()
        .filter_map(|(k, v)| v.map(|v| (*k, v)))
        .collect();
    if given.iter().all(|(_, v)| *v <= 0.0) {
        return Err(Unvalued {
            reason: "no metal grade: give cu_pct, zn_pct, pb_pct, au_g_t or ag_g_t (seafloor sulphides are valued on the record's own grades)".into(),
        });
    }
    for (k, v) in &given {
        log.given(k, *v, "record");
    }
    let (throughput, life, inferred_share) = crate::model::grade::mine_plan(rec, a, log);
    let Some(q) = throughput else {
        return Err(Unvalued {
            reason: "no throughput, and no tonnage to estimate it from".into(),
        });
    };
    let Some(life) = life else {
        return Err(Unvalued {
            reason: "no mine life, and no tonnage with a throughput to estimate it from".into(),
        });
    };
    let nsr = nsr_per_t(rec, a, prices)?;
    let s = &a.sulphides;
    log.assumed(
        "metal_recovery_pct",
        serde_json::to_value(s.recovery_pct).unwrap_or_default(),
        format_args!("assumptions sulphides.recovery_pct ({})", s.source),
    );
    log.assumed(
        "metal_payable_pct",
        serde_json::to_value(s.payable_pct).unwrap_or_default(),
        format_args!(
            "concentrate terms, assumptions sulphides.payable_pct ({})",
            s.source
        ),
    );
    log.estimated(
        "nsr_usd_per_t_ore",
        serde_json::to_value(nsr).unwrap_or_default(),
        format_args!(
            "grade x recovery x payable x {} price, by metal (total US${:.1}/t ore)",
            prices.scenario,
            nsr.total()
        ),
    );
    // Copper in concentrate, t/y (the one sulphide metal the nodule outputs also carry).
    let cu_t = q * 1e6 * rec.geology.cu_pct.unwrap_or(0.0) / 100.0 * s.recovery_pct.cu / 100.0;
    Ok(Production {
        commodity: Commodity::CuZnAu,
        oxide_shares_pct: [0.0; 15],
        basket_price_usd_per_kg: 0.0,
        product_form: ProductForm::Concentrate,
        payable_price_usd_per_kg: 0.0,
        ndpr_value_share_pct: 0.0,
        dytb_value_share_pct: 0.0,
        recovery_pct: s.recovery_pct.cu,
        throughput_mtpa: Some(q),
        mine_life_y: life,
        annual_treo_t: 0.0,
        annual_ndpr_t: 0.0,
        annual_dytb_t: 0.0,
        annual_metals_t: Metals {
            cu: cu_t,
            ..Metals::default()
        },
        annual_revenue_musd: q * nsr.total(),
        inferred_share_pct: inferred_share,
        fixed_revenue_musd_per_y: 0.0,
        netback: None,
    })
}

/// Cautions about a sulphide valuation: metals without a grade, the borrowed costs, and a
/// capex scaled far below the system it scales from.
pub fn warnings(rec: &ProjectRecord, a: &Assumptions, throughput_mtpa: Option<f64>) -> Vec<String> {
    if rec.geology.deposit_type != Some(crate::read::record::DepositType::SeafloorSulphides) {
        return Vec::new();
    }
    let missing: Vec<&str> = grades(rec)
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| *k)
        .collect();
    let mut out = vec!["seafloor-sulphide costs borrow the seabed model's (NORI-D's offshore system scaled by throughput and depth, and its unit costs per tonne lifted, which include nodule processing): no sulphide study is public, so the value is an indication; revenue moves with the copper price driver in the simulation (zinc, lead, gold and silver have none of their own)".to_owned()];
    if !missing.is_empty() {
        out.push(format!(
            "{} not in the record: those metals earn nothing",
            missing.join(", ")
        ));
    }
    let s = &a.seabed;
    if let Some(q) = throughput_mtpa
        && rec.economics.capex_m.is_none()
        && q < s.capex_ref_mtpa / 10.0
    {
        out.push(format!(
            "the capex scales NORI-D's offshore system down to {:.1} % of its throughput by the six-tenths rule, far outside the scale it was set at, and includes no onshore concentrator: give capex_musd when a study has one",
            q / s.capex_ref_mtpa * 100.0
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::record::{DepositType, Location};

    fn izena() -> ProjectRecord {
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "S".into();
        r.country = Some("JP".into());
        r.geology.deposit_type = Some(DepositType::SeafloorSulphides);
        let g = &mut r.geology;
        (g.cu_pct, g.zn_pct, g.pb_pct, g.au_g_t, g.ag_g_t) =
            (Some(0.33), Some(7.25), Some(2.52), Some(2.63), Some(216.0));
        r
    }

    #[test]
    fn net_smelter_return_by_hand() {
        // Izena Hole grades (JOGMEC 2013) at market_2025_12, recovery x payable:
        // Cu 0.0033 x 0.80 x 0.965 x 11,000 = 28.02; Zn 0.0725 x 0.85 x 0.85 x 3,202.61 =
        // 167.76; Pb 0.0252 x 0.70 x 0.95 x 2,024.06 = 33.92; Au 2.63 / 31.1035 x 0.50 x 0.90
        // x 4,061.77 = 154.55; Ag 216 / 31.1035 x 0.60 x 0.90 x 50.02 = 187.58 US$/t ore.
        let a = Assumptions::defaults();
        let p = a.prices("market_2025_12").unwrap();
        let n = nsr_per_t(&izena(), &a, &p).unwrap();
        for (got, want) in [
            (n.cu, 28.02),
            (n.zn, 167.76),
            (n.pb, 33.92),
            (n.au, 154.55),
            (n.ag, 187.58),
        ] {
            assert!((got - want).abs() < 0.01, "{got} {want}");
        }
    }

    #[test]
    fn a_deck_without_the_metal_is_a_reason_not_a_zero() {
        let a = Assumptions::defaults();
        let p = a.prices("market_2025_06").unwrap();
        let e = nsr_per_t(&izena(), &a, &p).unwrap_err();
        assert!(e.reason.contains("metals.zn"), "{}", e.reason);
        // Without a zinc grade the zinc price is not needed.
        let mut r = izena();
        (
            r.geology.zn_pct,
            r.geology.pb_pct,
            r.geology.au_g_t,
            r.geology.ag_g_t,
        ) = (None, None, None, None);
        assert!(nsr_per_t(&r, &a, &p).is_ok());
    }

    #[test]
    fn no_grade_no_value() {
        let mut r = izena();
        let g = &mut r.geology;
        (g.cu_pct, g.zn_pct, g.pb_pct, g.au_g_t, g.ag_g_t) = (None, None, None, None, None);
        r.geology.resource.unclassified_mt = Some(7.4);
        let a = Assumptions::defaults();
        let p = a.prices("market_2025_12").unwrap();
        let e = production(&r, &a, &p, &mut Provenance::default()).unwrap_err();
        assert!(e.reason.contains("cu_pct"), "{}", e.reason);
    }
}
