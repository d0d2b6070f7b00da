//! Grade model: what a project sells and how much. Basket price from the oxide
//! distribution and a price deck, payable price by product form, recovery, throughput and
//! mine life (Taylor's rule when not given), and annual output of TREO, NdPr and Dy+Tb
//! oxides (nodules: Ni, Cu, Co, Mn).

use serde::Serialize;

use crate::assumptions::{Assumptions, Metals, Prices};
use crate::model::provenance::Provenance;
use crate::read::record::{Commodity, DepositType, ProductForm, ProjectRecord, StudyStage};

use crate::model::distribution::{self, DY, ND, PR, TB};
use crate::model::netback::{self, Netback};

/// What a project produces at nameplate, and what a kilogram of it is worth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Production {
    pub commodity: Commodity,
    /// Oxide distribution used, % of TREO (rare earths), indexed as [`OXIDES`].
    pub oxide_shares_pct: [f64; 15],
    /// Separated-oxide basket price, US$ per kg TREO.
    pub basket_price_usd_per_kg: f64,
    pub product_form: ProductForm,
    /// Price received per kg TREO in the product sold, US$.
    pub payable_price_usd_per_kg: f64,
    /// Shares of the basket value in NdPr and in Dy+Tb, %.
    pub ndpr_value_share_pct: f64,
    pub dytb_value_share_pct: f64,
    /// TREO recovery to product, %.
    pub recovery_pct: f64,
    /// Ore throughput, Mt/y (nodules: wet), when known or estimated.
    pub throughput_mtpa: Option<f64>,
    /// Mine life at nameplate, years.
    pub mine_life_y: f64,
    /// Annual output at nameplate, t/y.
    pub annual_treo_t: f64,
    pub annual_ndpr_t: f64,
    pub annual_dytb_t: f64,
    /// Nodule metals, t/y.
    pub annual_metals_t: Metals,
    /// Revenue at nameplate, US$ million per year, at the deck's prices.
    pub annual_revenue_musd: f64,
    /// Share of the mine plan resting on Inferred or unclassified tonnage, %.
    pub inferred_share_pct: Option<f64>,
    /// The part of the nameplate revenue that does not move with the price deck (charges a
    /// buyer deducts, as a negative amount), US$ million per year.
    pub fixed_revenue_musd_per_y: f64,
    /// How the price per kg TREO was made (rare earths).
    pub netback: Option<Netback>,
}

/// Why a record cannot be valued.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unvalued {
    pub reason: String,
}

fn unvalued<T>(reason: impl Into<String>) -> Result<T, Unvalued> {
    Err(Unvalued {
        reason: reason.into(),
    })
}

/// The oxide distribution of a record: given shares, else a typical distribution (the
/// library entry the record names, else its deposit type's) rescaled to the record's NdPr
/// and Dy+Tb. The record's annual outputs win over its stated shares: when it gives NdPr
/// (or Dy+Tb) and TREO outputs, the share is their ratio, so that revenue rests on exactly
/// the outputs the report prints. `Err` when the record names an unknown distribution.
pub fn oxide_shares(
    rec: &ProjectRecord,
    a: &Assumptions,
    log: &mut Provenance,
) -> Result<Option<[f64; 15]>, Unvalued> {
    let g = &rec.geology;
    if g.own_oxide_distribution().is_some() {
        let raw = g.oxide_shares.map(|s| s.unwrap_or(0.0));
        let sum: f64 = raw.iter().sum();
        log.given(
            "oxide_shares_pct",
            sum,
            "individual oxide shares of the record, normalised to 100 %",
        );
        return Ok(Some(raw.map(|s| s * 100.0 / sum)));
    }
    let Some(t) = g.deposit_type else {
        return Ok(None);
    };
    let typical = match distribution::typical(rec, t, a) {
        Ok(Some(d)) => d,
        Ok(None) => return Ok(None),
        Err(e) => return Err(Unvalued { reason: e.0 }),
    };
    let shares = typical.shares;
    let default_ndpr = shares[PR] + shares[ND];
    let default_dytb = shares[TB] + shares[DY];
    // The record's outputs, when it gives the part and the whole, fix the share.
    let e = &rec.economics;
    let implied = |part: Option<f64>| match (part, e.annual_treo_t) {
        (Some(p), Some(t)) if t > 0.0 => Some(p / t * 100.0),
        _ => None,
    };
    let ndpr_implied = implied(e.annual_ndpr_t);
    let dytb_implied = implied(e.annual_dytb_t);
    let ndpr = ndpr_implied.or(g.ndpr_share_pct).unwrap_or(default_ndpr);
    let dytb = dytb_implied.or(g.dytb_share_pct).unwrap_or(default_dytb);
    let shares = distribution::rescaled(&shares, ndpr, dytb);
    let mut basis = format!("typical distribution {} ({})", typical.name, typical.source);
    for (name, implied, stated, value, what) in [
        (
            "ndpr_share_pct",
            ndpr_implied,
            g.ndpr_share_pct,
            ndpr,
            "NdPr",
        ),
        (
            "dytb_share_pct",
            dytb_implied,
            g.dytb_share_pct,
            dytb,
            "Dy+Tb",
        ),
    ] {
        match (implied, stated) {
            (Some(_), stated) => log.estimated(
                name,
                value,
                match stated {
                    Some(s) => format!(
                        "annual {what} output / annual TREO output of the record (its stated {s} % share is not used: the outputs win)"
                    ),
                    None => format!("annual {what} output / annual TREO output of the record"),
                },
            ),
            (None, Some(_)) => log.given(name, value, "record"),
            (None, None) => log.assumed(name, value, basis.clone()),
        }
    }
    if ndpr_implied.is_some()
        || dytb_implied.is_some()
        || g.ndpr_share_pct.is_some()
        || g.dytb_share_pct.is_some()
    {
        basis.push_str(", rescaled to the record's NdPr and Dy+Tb shares");
    }
    log.estimated("oxide_shares_pct", 100.0, basis);
    Ok(Some(shares))
}

/// Basket price (US$/kg TREO) and value shares of NdPr and Dy+Tb, %.
pub fn basket(shares: &[f64; 15], prices: &Prices) -> (f64, f64, f64) {
    let values: Vec<f64> = shares
        .iter()
        .zip(&prices.oxides)
        .map(|(s, p)| s / 100.0 * p)
        .collect();
    let total: f64 = values.iter().sum();
    let share = |a: usize, b: usize| {
        if total > 0.0 {
            (values[a] + values[b]) / total * 100.0
        } else {
            0.0
        }
    };
    (total, share(PR, ND), share(TB, DY))
}

/// Ore tonnage a mine plan can count on, Mt, and the share of it that is Inferred or
/// unclassified.
fn mineable_mt(rec: &ProjectRecord, a: &Assumptions) -> Option<(f64, f64, String)> {
    let r = &rec.geology.resource;
    if let Some(reserve) = r.reserve_mt {
        return Some((reserve, 0.0, format!("ore reserve {reserve} Mt")));
    }
    let mi = r.measured_mt.unwrap_or(0.0) + r.indicated_mt.unwrap_or(0.0);
    let inf = r.inferred_mt.unwrap_or(0.0) + r.unclassified_mt.unwrap_or(0.0);
    let k = a.resources.inferred_conversion;
    let total = mi + k * inf;
    (total > 0.0).then(|| {
        (
            total,
            k * inf / total * 100.0,
            format!("measured + indicated {mi} Mt + {k} x inferred/unclassified {inf} Mt"),
        )
    })
}

/// Throughput (Mt/y) and mine life (years) from the record, else Taylor's rule.
pub(crate) fn mine_plan(
    rec: &ProjectRecord,
    a: &Assumptions,
    log: &mut Provenance,
) -> (Option<f64>, Option<f64>, Option<f64>) {
    let e = &rec.economics;
    let mut plan = mineable_mt(rec, a);
    // Nodules: an EEZ-wide or contract-wide tonnage is not a mine; the licence caps it.
    if let (Some((mt, share, _)), Some((cap, basis))) =
        (plan.as_ref(), crate::model::nodules::licence_cap_mt(rec, a))
        && cap < *mt
        && rec.geology.resource.reserve_mt.is_none()
    {
        log.estimated(
            "mineable_mt",
            cap,
            format_args!("capped by the licence: {basis}"),
        );
        plan = Some((
            cap,
            *share,
            format!("licence-sized plan {cap:.0} Mt ({basis})"),
        ));
    }
    let inferred_share = plan.as_ref().map(|p| p.1);
    // A seafloor-sulphide mound is a small mine: Taylor's rule sizes it, not a nodule system.
    let seabed = rec
        .geology
        .deposit_type
        .is_some_and(|t| t.is_seabed() && t != DepositType::SeafloorSulphides);
    let throughput = match (e.throughput_mtpa, &plan) {
        (Some(q), _) => {
            log.given("throughput_mtpa", q, "record");
            Some(q)
        }
        // Taylor's rule is for mines; a seabed operation is sized by its collector system.
        (None, Some(_)) if seabed => {
            let q = a.seabed.capex_ref_mtpa;
            log.assumed(
                "throughput_mtpa",
                q,
                format_args!("one production system as at NORI-D ({})", a.seabed.source),
            );
            Some(q)
        }
        (None, Some((mt, _, basis))) => {
            let t = &a.taylor;
            let q = t.coefficient * mt.powf(t.exponent);
            log.estimated(
                "throughput_mtpa",
                q,
                format_args!(
                    "Taylor's rule, Q = {} x R^{} (Long 2009 exponent), R = {basis}",
                    t.coefficient, t.exponent
                ),
            );
            Some(q)
        }
        (None, None) => None,
    };
    let life = match (e.mine_life_y, throughput, &plan) {
        (Some(l), _, _) => {
            log.given("mine_life_y", l, "record");
            Some(l)
        }
        (None, Some(q), Some((mt, _, basis))) if q > 0.0 => {
            log.estimated(
                "mine_life_y",
                mt / q,
                format_args!("mineable tonnage / throughput; {basis}"),
            );
            Some(mt / q)
        }
        _ => None,
    };
    (throughput, life, inferred_share)
}

/// The grade model for one record under one price deck.
pub fn production(
    rec: &ProjectRecord,
    a: &Assumptions,
    prices: &Prices,
    log: &mut Provenance,
) -> Result<Production, Unvalued> {
    let Some(t) = rec.geology.deposit_type else {
        return unvalued("no deposit_type");
    };
    if let Some(q) = rec.economics.throughput_mtpa
        && q <= 0.0
    {
        return unvalued(format!(
            "throughput_mtpa is {q} Mt/y: a mine that processes no ore produces nothing to value"
        ));
    }
    let commodity = rec
        .geology
        .commodity
        .unwrap_or_else(|| t.default_commodity());
    match commodity {
        Commodity::RareEarths => rare_earths(rec, t, a, prices, log),
        Commodity::NiCuCoMn => nodules(rec, a, prices, log),
        Commodity::CuZnAu => crate::model::sulphides::production(rec, a, prices, log),
    }
}

fn rare_earths(
    rec: &ProjectRecord,
    t: DepositType,
    a: &Assumptions,
    prices: &Prices,
    log: &mut Provenance,
) -> Result<Production, Unvalued> {
    let e = &rec.economics;
    let Some(d) = a.deposit(t) else {
        return unvalued(format!("no rare-earth defaults for deposit type {t}"));
    };
    let Some(mut shares) = oxide_shares(rec, a, log)? else {
        return unvalued("no oxide distribution");
    };
    let product_form = match e.product_form {
        Some(p) => {
            log.given("product_form", p.as_str(), "record");
            p
        }
        None => {
            let p = ProductForm::parse(&d.product).unwrap_or(ProductForm::Concentrate);
            log.assumed(
                "product_form",
                p.as_str(),
                format_args!("usual product of {t} projects (assumptions deposits.{t}.product)"),
            );
            p
        }
    };
    let recovery = match e.recovery_pct {
        Some(r) => {
            log.given("recovery_pct", r, "record");
            r
        }
        None => {
            log.assumed("recovery_pct", d.recovery_pct, d.recovery_source.clone());
            d.recovery_pct
        }
    };
    let ndpr_share = shares[PR] + shares[ND];
    let dytb_share = shares[TB] + shares[DY];
    let (throughput, life, inferred_share) = mine_plan(rec, a, log);

    // Annual TREO: given, else from a given NdPr or Dy+Tb output, else ore x grade x recovery.
    let treo = if let Some(treo) = e.annual_treo_t {
        log.given("annual_treo_t", treo, "record");
        treo
    } else if let Some(ndpr) = e.annual_ndpr_t.filter(|_| ndpr_share > 0.0) {
        let treo = ndpr / (ndpr_share / 100.0);
        log.estimated(
            "annual_treo_t",
            treo,
            format_args!("annual NdPr output / NdPr share of TREO ({ndpr_share:.1} %)"),
        );
        treo
    } else if let Some(dytb) = e.annual_dytb_t.filter(|_| dytb_share > 0.0) {
        let treo = dytb / (dytb_share / 100.0);
        log.estimated(
            "annual_treo_t",
            treo,
            format_args!("annual Dy+Tb output / Dy+Tb share of TREO ({dytb_share:.2} %)"),
        );
        treo
    } else {
        let (Some(q), Some(grade)) = (throughput, rec.geology.grade_treo_pct) else {
            return unvalued(
                "no annual output, and no throughput or resource tonnage with a grade to estimate it from",
            );
        };
        let treo = q * 1e6 * grade / 100.0 * recovery / 100.0;
        log.estimated(
            "annual_treo_t",
            treo,
            format_args!("throughput {q:.3} Mt/y x grade {grade} % x recovery {recovery} %"),
        );
        treo
    };
    let ndpr = e.annual_ndpr_t.unwrap_or(treo * ndpr_share / 100.0);
    let dytb = e.annual_dytb_t.unwrap_or(treo * dytb_share / 100.0);
    if e.annual_ndpr_t.is_none() {
        log.estimated("annual_ndpr_t", ndpr, "annual TREO x NdPr share");
    }
    if e.annual_dytb_t.is_none() {
        log.estimated("annual_dytb_t", dytb, "annual TREO x Dy+Tb share");
    }
    // The outputs printed are the outputs sold: the distribution follows them.
    if treo > 0.0 {
        let (to_ndpr, to_dytb) = (ndpr / treo * 100.0, dytb / treo * 100.0);
        if (to_ndpr - ndpr_share).abs() > 1e-6 || (to_dytb - dytb_share).abs() > 1e-6 {
            shares = distribution::rescaled(&shares, to_ndpr, to_dytb);
            log.estimated(
                "oxide_shares_pct",
                100.0,
                format_args!(
                    "rescaled so that NdPr is {to_ndpr:.2} % and Dy+Tb {to_dytb:.2} % of TREO, as the record's annual outputs give"
                ),
            );
        }
    }
    let (basket_price, ndpr_value, dytb_value) = basket(&shares, prices);
    log.estimated(
        "basket_price_usd_per_kg",
        basket_price,
        format_args!("sum of oxide share x {} price", prices.scenario),
    );
    let nb = netback::netback(
        rec,
        product_form,
        &shares,
        basket_price,
        &prices.oxides,
        a.money.escalation(rec.money_year()),
        &a.netback,
    );
    let payable = nb.price_usd_per_kg.max(0.0);
    let own = e.sale_price_usd_per_kg.is_some() || e.payable_pct.is_some();
    if own {
        log.given("payable_price_usd_per_kg", payable, nb.basis.clone());
    } else {
        log.estimated("payable_price_usd_per_kg", payable, nb.basis.clone());
    }
    if e.tolling_usd_per_kg.is_some() && !own {
        log.given("tolling_usd_per_kg", nb.charges_usd_per_kg, "record");
    }
    // Charges a buyer deducts are fixed in money: they do not move with the deck.
    let fixed_revenue = if nb.borne_by_project {
        0.0
    } else {
        -(nb.price_variable_usd_per_kg - nb.price_usd_per_kg) * treo / 1e3
    };
    let life = match life {
        Some(l) => l,
        None => match (mineable_mt(rec, a), rec.geology.grade_treo_pct) {
            (Some((mt, _, basis)), Some(grade)) if treo > 0.0 => {
                let l = mt * 1e6 * grade / 100.0 * recovery / 100.0 / treo;
                log.estimated(
                    "mine_life_y",
                    l,
                    format_args!("recoverable TREO in {basis} / annual TREO"),
                );
                l
            }
            _ => return unvalued("no mine life, and no tonnage with a grade to estimate it from"),
        },
    };
    Ok(Production {
        commodity: Commodity::RareEarths,
        oxide_shares_pct: shares,
        basket_price_usd_per_kg: basket_price,
        product_form,
        payable_price_usd_per_kg: payable,
        ndpr_value_share_pct: ndpr_value,
        dytb_value_share_pct: dytb_value,
        recovery_pct: recovery,
        throughput_mtpa: throughput,
        mine_life_y: life,
        annual_treo_t: treo,
        annual_ndpr_t: ndpr,
        annual_dytb_t: dytb,
        annual_metals_t: Metals::default(),
        annual_revenue_musd: treo * 1000.0 * payable / 1e6,
        inferred_share_pct: inferred_share,
        fixed_revenue_musd_per_y: fixed_revenue,
        netback: Some(nb),
    })
}

fn nodules(
    rec: &ProjectRecord,
    a: &Assumptions,
    prices: &Prices,
    log: &mut Provenance,
) -> Result<Production, Unvalued> {
    let e = &rec.economics;
    let (throughput, life, inferred_share) = mine_plan(rec, a, log);
    let given = Metals {
        ni: e.annual_ni_t.unwrap_or(f64::NAN),
        cu: e.annual_cu_t.unwrap_or(f64::NAN),
        co: e.annual_co_t.unwrap_or(f64::NAN),
        mn: e.annual_mn_t.unwrap_or(f64::NAN),
    };
    let n = &a.nodules;
    let grade = crate::model::nodules::grades(rec, a, log);
    let estimate = |q: f64| {
        grade
            .zip_with(n.reference_grade_pct, |g, r| g / r)
            .zip_with(n.yield_pct_of_wet, |ratio, y| q * 1e6 * y / 100.0 * ratio)
    };
    let metals = if given.sum().is_nan() {
        let Some(q) = throughput else {
            return unvalued(
                "no annual metal output, and no throughput or tonnage to estimate it from",
            );
        };
        let est = estimate(q);
        let merged = given.zip_with(est, |g, e| if g.is_nan() { e } else { g });
        log.estimated(
            "annual_metals_t",
            serde_json::to_value(merged).unwrap_or_default(),
            "wet throughput x NORI-D metal yield per wet tonne, scaled by the grades used over the CCZ reference grades (given outputs kept)",
        );
        merged
    } else {
        log.given(
            "annual_metals_t",
            serde_json::to_value(given).unwrap_or_default(),
            "record",
        );
        given
    };
    let Some(life) = life else {
        return unvalued("no mine life, and no tonnage with a throughput to estimate it from");
    };
    let (product, payable) = crate::model::nodules::payables(a);
    log.assumed(
        "metal_payable_pct",
        serde_json::to_value(payable).unwrap_or_default(),
        format_args!(
            "{product} ({}), assumptions nodules.products",
            n.products[product].source
        ),
    );
    let revenue = crate::model::nodules::revenue_musd(metals, prices, a);
    Ok(Production {
        commodity: Commodity::NiCuCoMn,
        oxide_shares_pct: [0.0; 15],
        basket_price_usd_per_kg: 0.0,
        product_form: ProductForm::Concentrate,
        payable_price_usd_per_kg: 0.0,
        ndpr_value_share_pct: 0.0,
        dytb_value_share_pct: 0.0,
        recovery_pct: 100.0,
        throughput_mtpa: throughput,
        mine_life_y: life,
        annual_treo_t: 0.0,
        annual_ndpr_t: 0.0,
        annual_dytb_t: 0.0,
        annual_metals_t: metals,
        annual_revenue_musd: revenue,
        inferred_share_pct: inferred_share,
        fixed_revenue_musd_per_y: 0.0,
        netback: None,
    })
}

/// Warnings about what the mine plan rests on.
pub fn confidence_warnings(rec: &ProjectRecord, p: &Production) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(nb) = p.netback.as_ref().filter(|nb| nb.price_usd_per_kg < 0.0) {
        out.push(format!(
            "at this deck a buyer's charges (US${:.2}/kg TREO) exceed what the product is worth to it (US${:.2}/kg): the product sells for nothing",
            nb.charges_usd_per_kg, nb.price_variable_usd_per_kg
        ));
    }
    if let (Some(share), Some(study)) = (p.inferred_share_pct, rec.study.study_type)
        && share > 0.0
        && (StudyStage::Pfs..=StudyStage::Dfs).contains(&study)
    {
        out.push(format!(
            "the mine plan counts Inferred or unclassified tonnage ({share:.0} % of it) although the project has a {study}"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::record::Location;

    fn record() -> ProjectRecord {
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "T".into();
        r.geology.deposit_type = Some(DepositType::Carbonatite);
        r
    }

    #[test]
    fn basket_is_share_weighted_price() {
        let a = Assumptions::defaults();
        let p = a.prices("market_2025").unwrap();
        let mut shares = [0.0; 15];
        shares[0] = 50.0; // La
        shares[ND] = 50.0;
        let (b, ndpr_value, _) = basket(&shares, &p);
        assert!((b - (0.5 * 0.54 + 0.5 * 53.43)).abs() < 1e-9);
        assert!((ndpr_value - 0.5 * 53.43 / b * 100.0).abs() < 1e-9);
    }

    #[test]
    fn given_ndpr_share_rescales_the_typical_distribution() {
        let a = Assumptions::defaults();
        let mut r = record();
        r.geology.ndpr_share_pct = Some(26.4);
        let mut log = Provenance::default();
        let s = oxide_shares(&r, &a, &mut log).unwrap().unwrap();
        assert!((s[PR] + s[ND] - 26.4).abs() < 1e-9);
        assert!((s.iter().sum::<f64>() - 100.0).abs() < 1e-9);
        assert_eq!(
            log.get("ndpr_share_pct").unwrap().origin,
            crate::model::provenance::Origin::Given
        );
    }

    #[test]
    fn output_from_throughput_grade_and_recovery_and_life_from_taylor() {
        let a = Assumptions::defaults();
        let p = a.prices("market_2025").unwrap();
        let mut r = record();
        r.geology.resource.reserve_mt = Some(20.0);
        r.geology.grade_treo_pct = Some(2.0);
        let mut log = Provenance::default();
        let out = production(&r, &a, &p, &mut log).unwrap();
        let q = 0.16 * 20f64.powf(0.65);
        assert!((out.throughput_mtpa.unwrap() - q).abs() < 1e-9);
        assert!((out.mine_life_y - 20.0 / q).abs() < 1e-9);
        assert!((out.annual_treo_t - q * 1e6 * 0.02 * 0.44).abs() < 1e-6); // carbonatite default recovery 44 %
        assert_eq!(
            log.get("throughput_mtpa").unwrap().origin,
            crate::model::provenance::Origin::Estimated
        );
    }

    #[test]
    fn revenue_rests_on_the_outputs_the_record_gives() {
        // Nolans-like: 13,343 t/y TREO with 4,440 t/y NdPr stated, and a 26.4 % resource
        // share. The outputs win: NdPr is 4,440 / 13,343 = 33.28 % of what is sold.
        let a = Assumptions::defaults();
        let p = a.prices("market_2025").unwrap();
        let mut r = record();
        r.geology.ndpr_share_pct = Some(26.4);
        r.economics.annual_treo_t = Some(13_343.0);
        r.economics.annual_ndpr_t = Some(4_440.0);
        r.economics.mine_life_y = Some(20.0);
        r.economics.product_form = Some(ProductForm::SeparatedOxides);
        let out = production(&r, &a, &p, &mut Provenance::default()).unwrap();
        let s = out.oxide_shares_pct;
        assert!((s[PR] + s[ND] - 4_440.0 / 13_343.0 * 100.0).abs() < 1e-9);
        assert_eq!(out.annual_ndpr_t, 4_440.0);
        // Revenue = TREO x basket; its NdPr part is exactly 4,440 t x US$53.43/kg.
        let ndpr_value = out.annual_treo_t * (s[PR] + s[ND]) / 100.0 * 53.43 / 1e3;
        assert!((ndpr_value - 4_440.0 * 53.43 / 1e3).abs() < 1e-9);
        assert!(
            (out.annual_revenue_musd - 13_343.0 * out.basket_price_usd_per_kg / 1e3).abs() < 1e-9
        );

        // Carina-like: no TREO given; NdPr 1,190 t at a 27.5 % share makes 4,327 t TREO,
        // and the given 208 t Dy+Tb must then be 4.81 % of it, not the clay default.
        let mut r = record();
        r.geology.deposit_type = Some(DepositType::IonicClay);
        r.geology.ndpr_share_pct = Some(27.5);
        r.economics.annual_ndpr_t = Some(1_190.0);
        r.economics.annual_dytb_t = Some(208.0);
        r.economics.mine_life_y = Some(17.0);
        let out = production(&r, &a, &p, &mut Provenance::default()).unwrap();
        let treo = 1_190.0 / 0.275;
        assert!((out.annual_treo_t - treo).abs() < 1e-6);
        let s = out.oxide_shares_pct;
        assert!((s[TB] + s[DY] - 208.0 / treo * 100.0).abs() < 1e-9);
        assert!((s.iter().sum::<f64>() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_named_distribution_replaces_the_deposit_default() {
        // Browns Range: xenotime, 4,350 t/y TREO. With the xenotime distribution Dy+Tb is
        // 8.3 + 0.9 of 98.5 % = 9.34 % of TREO, 406 t/y; its 2015 DFS gave 279 t/y Dy in
        // about 3,100 t/y TREO (9.0 % Dy alone), the pilot plant 8.3 % Dy.
        let a = Assumptions::defaults();
        let p = a.prices("market_2025").unwrap();
        let mut r = record();
        r.geology.deposit_type = Some(DepositType::HydrothermalVein);
        r.geology.distribution = Some("xenotime".into());
        r.economics.annual_treo_t = Some(4_350.0);
        r.economics.mine_life_y = Some(11.0);
        let out = production(&r, &a, &p, &mut Provenance::default()).unwrap();
        let share = out.annual_dytb_t / 4_350.0 * 100.0;
        assert!((share - 9.2 / 98.5 * 100.0).abs() < 1e-6, "{share}");
        assert!((8.0..=11.0).contains(&share));
        // The monazite default of the deposit type gives a tenth of that.
        r.geology.distribution = None;
        let out = production(&r, &a, &p, &mut Provenance::default()).unwrap();
        assert!(out.annual_dytb_t < 30.0, "{}", out.annual_dytb_t);
        // An unknown name is a reason not to value, naming the known ones.
        r.geology.distribution = Some("xenotim".into());
        let err = production(&r, &a, &p, &mut Provenance::default()).unwrap_err();
        assert!(err.reason.contains("xenotime"), "{}", err.reason);
    }

    #[test]
    fn nothing_to_size_the_mine_is_unvalued_not_guessed() {
        let a = Assumptions::defaults();
        let p = a.prices("market_2025").unwrap();
        let err = production(&record(), &a, &p, &mut Provenance::default()).unwrap_err();
        assert!(err.reason.contains("no annual output"));
    }
}
