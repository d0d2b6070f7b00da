//! Cost model: initial and sustaining capex, operating cost, logistics to the separation
//! plant, royalty, tax and closure, in real US$ million. Figures a record gives are used
//! as given (converted to US$ at the study year's exchange rate); the rest are estimated.

use serde::Serialize;

use crate::assumptions::{Assumptions, Escalation};
use crate::model::grade::{Production, Unvalued};
use crate::model::provenance::Provenance;
use crate::read::record::{Commodity, DepositType, ProjectRecord};

/// What a project costs, US$ million real.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Costs {
    /// Initial capital, US$ million.
    pub capex_musd: f64,
    /// Sustaining capital, US$ million per year of production.
    pub sustaining_musd_per_y: f64,
    /// Operating cost at nameplate, US$ million per year (scales with output).
    pub opex_musd_per_y: f64,
    /// Product freight to the separation plant at nameplate, US$ million per year.
    pub logistics_musd_per_y: f64,
    /// Royalty, % of revenue (with a royalty formula: its rate at nameplate; the cash flow
    /// sets each year's).
    pub royalty_pct: f64,
    /// Corporate income-tax rate, %.
    pub tax_rate_pct: f64,
    /// Regimes beyond the flat royalty and tax (royalty formula, resource-rent tax).
    pub fiscal: crate::model::fiscal::Fiscal,
    /// Closure and rehabilitation at the end, US$ million.
    pub closure_musd: f64,
    /// Straight-line tax depreciation of initial capex, years.
    pub depreciation_y: u32,
    /// Construction time, years.
    pub construction_y: u32,
    /// Warnings about estimates outside the data they rest on.
    pub warnings: Vec<String>,
}

/// Where the site sits, as the cost model needs it (from the spatial stage).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Remoteness {
    /// Geodesic distance to the nearest non-China separation plant, km.
    pub to_plant_km: Option<f64>,
    /// Geodesic distance to shore (seabed projects), km.
    pub to_shore_km: Option<f64>,
}

/// Converts the record's money to US$ at the rate of its money year (`money_year`, else
/// the study year, else the stage year, else the latest year in the table), then to US$ of
/// the run's real year by the CPI table (`[money]`, issue 14).
pub struct Money<'a> {
    currency: &'a str,
    usd_per_unit: f64,
    /// US$ per unit of the currency in the year `fx_year` of the FX table (1 for US$).
    fx_rate: f64,
    fx_year: i32,
    cpi: Escalation,
}

impl<'a> Money<'a> {
    pub fn of(
        currency: &'a str,
        year: Option<i32>,
        a: &Assumptions,
    ) -> Result<Money<'a>, Unvalued> {
        let Some((rate, at)) = a.usd_per_unit(currency, year) else {
            return Err(Unvalued {
                reason: format!(
                    "currency {currency} is not in the FX table; add its rates under [fx.rates.{currency}] with --assumptions"
                ),
            });
        };
        let cpi = a.money.escalation(year);
        Ok(Money {
            currency,
            usd_per_unit: rate * cpi.factor,
            fx_rate: rate,
            fx_year: at,
            cpi,
        })
    }

    /// `amount` of the record's currency and money year in US$ of the real year.
    pub fn usd(&self, amount: f64) -> f64 {
        amount * self.usd_per_unit
    }

    /// How the record's money was converted ("record, AUD at 0.6600 US$/AUD (2024
    /// average, FX table), x 1.0312 CPI 2024 to 2025 (money year)"), written only when
    /// shown.
    pub fn basis(&self) -> impl std::fmt::Display + '_ {
        std::fmt::from_fn(move |f| {
            let c = self.currency;
            if c == "USD" {
                f.write_str("record, US$")?;
            } else {
                let (rate, at) = (self.fx_rate, self.fx_year);
                write!(
                    f,
                    "record, {c} at {rate:.4} US$/{c} ({at} average, FX table)"
                )?;
            }
            let cpi = &self.cpi;
            if cpi.factor != 1.0 {
                write!(
                    f,
                    ", x {:.4} CPI {} to {} (money year)",
                    cpi.factor, cpi.from_year, cpi.to_year
                )?;
            }
            Ok(())
        })
    }

    pub fn currency(&self) -> &str {
        self.currency
    }
}

/// The cost model for one record.
pub fn costs(
    rec: &ProjectRecord,
    p: &Production,
    where_: Remoteness,
    a: &Assumptions,
    log: &mut Provenance,
) -> Result<Costs, Unvalued> {
    let e = &rec.economics;
    let money = Money::of(rec.currency(), rec.money_year(), a)?;
    let deposit = deposit_type(rec);
    let seabed = deposit.is_seabed();
    let c = &a.costs;
    let mut warnings = Vec::new();

    let capex = match e.capex_m {
        Some(v) => {
            let usd = money.usd(v);
            log.given("capex_musd", usd, money.basis());
            usd
        }
        None if seabed => seabed_capex(rec, p, where_, a, log)?,
        None => {
            let Some(d) = a.deposit(deposit) else {
                return Err(Unvalued {
                    reason: format!("no cost defaults for deposit type {deposit}"),
                });
            };
            let treo = p.annual_treo_t;
            let v = c.capex_a * treo.powf(c.capex_b) * d.capex_factor;
            let [lo, hi] = c.capex_fit_range_t;
            if treo < lo / 2.0 || treo > hi * 2.0 {
                warnings.push(format!(
                    "capex extrapolated: {treo:.0} t/y TREO is far outside the {lo:.0}-{hi:.0} t/y range the capex curve was fitted on"
                ));
            }
            log.estimated(
                "capex_musd",
                v,
                format_args!(
                    "{} x TREO^{} x {} ({deposit} factor), fitted on 10 published hard-rock studies (assumptions/calibration.toml)",
                    c.capex_a, c.capex_b, d.capex_factor
                ),
            );
            v
        }
    };

    let sustaining = match e.sustaining_capex_m_per_y {
        Some(v) => {
            log.given("sustaining_musd_per_y", money.usd(v), money.basis());
            money.usd(v)
        }
        None if seabed && p.commodity == Commodity::NiCuCoMn && p.throughput_mtpa.is_some() => {
            // TMC's all-in sustaining cost over its cash cost, per wet tonne lifted.
            let (_, at_ref, _) =
                crate::model::nodules::unit_costs(a).map_err(|reason| Unvalued { reason })?;
            let u = &a.nodules.unit_costs;
            let q = p.throughput_mtpa.unwrap_or(u.ref_throughput_mtpa);
            let v = at_ref * q / u.ref_throughput_mtpa;
            log.estimated(
                "sustaining_musd_per_y",
                v,
                format_args!(
                    "(AISC US${} - cash cost US${}) /t Ni x {} t Ni = US${at_ref:.1}m/y at {} Mt/y, scaled to {q:.3} Mt/y (TMC NORI-D unit costs)",
                    u.aisc_usd_per_t_ni, u.cash_cost_usd_per_t_ni, u.ref_output_t.ni, u.ref_throughput_mtpa
                ),
            );
            v
        }
        None => sustaining_share_of_capex(capex, c, log),
    };

    let opex = opex(rec, p, &money, a, log)? + own_separation(p, log);

    let logistics = match (where_.to_plant_km, p.commodity) {
        (Some(km), Commodity::RareEarths) => {
            let product_t =
                p.annual_treo_t / (a.product(p.product_form).treo_pct_of_product / 100.0);
            let v = product_t * km * c.logistics_usd_per_t_km / 1e6;
            log.estimated(
                "logistics_musd_per_y",
                v,
                format_args!(
                    "{product_t:.0} t/y of {} x {km:.0} km x US${}/t·km",
                    p.product_form, c.logistics_usd_per_t_km
                ),
            );
            v
        }
        _ => 0.0,
    };

    let terms = crate::model::fiscal::terms(rec, a, p.product_form, log);
    let royalty = crate::model::fiscal::nameplate_royalty(
        &terms,
        crate::model::fiscal::NameplateYear {
            revenue: p.annual_revenue_musd,
            opex,
            logistics,
            sustaining,
            depreciation: capex / f64::from(c.depreciation_y.max(1)),
        },
        log,
    );
    let closure = capex * c.closure_pct_of_capex / 100.0;
    log.assumed(
        "closure_musd",
        closure,
        format_args!("{} % of initial capex (assumption)", c.closure_pct_of_capex),
    );
    let construction_y = construction_y(deposit, a);
    log.assumed(
        "construction_y",
        construction_y,
        format_args!("usual construction time of {deposit} projects (assumption)"),
    );
    Ok(Costs {
        capex_musd: capex,
        sustaining_musd_per_y: sustaining,
        opex_musd_per_y: opex,
        logistics_musd_per_y: logistics,
        royalty_pct: royalty,
        tax_rate_pct: terms.tax_rate_pct,
        fiscal: terms.fiscal,
        closure_musd: closure,
        depreciation_y: c.depreciation_y,
        construction_y,
        warnings,
    })
}

/// Sustaining capex a record does not give: the assumptions' share of initial capex a
/// year, US$ million a year, logged as an assumption.
pub fn sustaining_share_of_capex(
    capex: f64,
    c: &crate::assumptions::Costs,
    log: &mut Provenance,
) -> f64 {
    let v = capex * c.sustaining_pct_of_capex / 100.0;
    log.assumed(
        "sustaining_musd_per_y",
        v,
        format_args!(
            "{} % of initial capex a year (assumption)",
            c.sustaining_pct_of_capex
        ),
    );
    v
}

/// The deposit type whose cost defaults a record takes: its own, else carbonatite (the
/// commonest hard-rock type of the reference set; judgement). The one fallback of the
/// cost model and of the construction time of records it cannot value (the grade model
/// leaves a record without a type unvalued first).
pub fn deposit_type(rec: &ProjectRecord) -> DepositType {
    rec.geology.deposit_type.unwrap_or(DepositType::Carbonatite)
}

/// Whether a record in the Area takes the US route (DSHMRA, NOAA permit): sponsored by
/// the US, which is not a party to the ISA.
pub fn us_route(rec: &ProjectRecord) -> bool {
    rec.sponsor_country.as_deref() == Some("US")
}

/// Depth factor of seabed costs: 1 + pct/100 × (depth − reference)/1000, at least `floor`
/// (assumptions `seabed.rules.depth_factor_floor`); depths in m, pct per 1,000 m. Used by
/// the nodule capex and by the mud lift's capex and costs.
pub fn depth_factor(depth_m: f64, ref_m: f64, pct_per_1000m: f64, floor: f64) -> f64 {
    (1.0 + pct_per_1000m / 100.0 * (depth_m - ref_m) / 1000.0).max(floor)
}

/// Construction time of a deposit type, years (assumptions: `deposits.*.construction_y`;
/// `seabed.construction_y` for the seabed types without a deposit entry, the nodules).
pub fn construction_y(deposit: DepositType, a: &Assumptions) -> u32 {
    a.deposit(deposit)
        .map_or(a.seabed.construction_y, |d| d.construction_y)
}

fn seabed_capex(
    rec: &ProjectRecord,
    p: &Production,
    where_: Remoteness,
    a: &Assumptions,
    log: &mut Provenance,
) -> Result<f64, Unvalued> {
    let s = &a.seabed;
    let Some(q) = p.throughput_mtpa else {
        return Err(Unvalued {
            reason: "no throughput to size a seabed system's capex".into(),
        });
    };
    let depth = rec.geology.water_depth_m.unwrap_or(s.depth_ref_m);
    let depth_factor = depth_factor(
        depth,
        s.depth_ref_m,
        s.capex_pct_per_1000m,
        s.rules.depth_factor_floor,
    );
    let v = s.capex_ref_musd * (q / s.capex_ref_mtpa).powf(s.scale_exponent) * depth_factor;
    let shore = where_
        .to_shore_km
        .map_or(String::new(), |km| format!("; {km:.0} km from shore"));
    log.estimated(
        "capex_musd",
        v,
        format_args!(
            "NORI-D US${}m at {} Mt/y (its initial capital: the first offshore system; onshore processing tolled, in opex), scaled by (Q/Qref)^{} and water depth {depth:.0} m (x{depth_factor:.2}){shore}",
            s.capex_ref_musd, s.capex_ref_mtpa, s.scale_exponent
        ),
    );
    Ok(v)
}

fn opex(
    rec: &ProjectRecord,
    p: &Production,
    money: &Money,
    a: &Assumptions,
    log: &mut Provenance,
) -> Result<f64, Unvalued> {
    let e = &rec.economics;
    if let Some(v) = e.opex_m_per_y {
        log.given("opex_musd_per_y", money.usd(v), money.basis());
        return Ok(money.usd(v));
    }
    if let Some(per_kg) = e.opex_per_kg_reo {
        let v = money.usd(per_kg) * p.annual_treo_t * 1000.0 / 1e6;
        log.given(
            "opex_musd_per_y",
            v,
            format_args!(
                "{per_kg} {}/kg REO x annual TREO; {}",
                money.currency(),
                money.basis()
            ),
        );
        return Ok(v);
    }
    if let (Some(per_t), Some(q)) = (e.opex_per_t_ore, p.throughput_mtpa) {
        let v = money.usd(per_t) * q;
        log.given(
            "opex_musd_per_y",
            v,
            format_args!(
                "{per_t} {}/t ore x {q:.3} Mt/y; {}",
                money.currency(),
                money.basis()
            ),
        );
        return Ok(v);
    }
    if rec.geology.deposit_type.is_some_and(DepositType::is_seabed) {
        let Some(q) = p.throughput_mtpa else {
            return Err(Unvalued {
                reason: "no throughput to estimate a seabed operating cost".into(),
            });
        };
        let (per_t, _, basis) =
            crate::model::nodules::unit_costs(a).map_err(|reason| Unvalued { reason })?;
        let v = q * per_t;
        log.estimated(
            "opex_musd_per_y",
            v,
            format_args!("US${per_t:.1}/wet t x {q:.3} Mt/y; {basis}"),
        );
        return Ok(v);
    }
    let product = a.product(p.product_form);
    let v = product.opex_usd_per_kg_treo * p.annual_treo_t * 1000.0 / 1e6;
    log.assumed(
        "opex_musd_per_y",
        v,
        format_args!(
            "US${}/kg TREO for {} ({})",
            product.opex_usd_per_kg_treo, p.product_form, product.source
        ),
    );
    Ok(v)
}

/// The separation cost a project on the integrated route bears itself (the netback's
/// charges, as its own plant's cost), US$ million a year at nameplate.
fn own_separation(p: &Production, log: &mut Provenance) -> f64 {
    match &p.netback {
        Some(nb) if nb.borne_by_project && nb.charges_usd_per_kg > 0.0 => {
            let v = nb.charges_usd_per_kg * p.annual_treo_t / 1e3;
            log.estimated(
                "own_separation_musd_per_y",
                v,
                format_args!(
                    "integrated route: US${:.2}/kg TREO x {:.0} t/y TREO, added to opex",
                    nb.charges_usd_per_kg, p.annual_treo_t
                ),
            );
            v
        }
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_depth_factor_stops_at_the_assumptions_floor() {
        // 20 % per 1,000 m: 5,200 m against a 4,200 m reference is x 1.2; 2,200 m is
        // x 0.6; a site at the surface would be x 0.16, so it stops at the floor (0.5 by
        // default, or 0.1 when overridden, which leaves 0.16).
        let floor = Assumptions::defaults().seabed.rules.depth_factor_floor;
        assert!((depth_factor(5200.0, 4200.0, 20.0, floor) - 1.2).abs() < 1e-12);
        assert!((depth_factor(2200.0, 4200.0, 20.0, floor) - 0.6).abs() < 1e-12);
        assert_eq!(depth_factor(0.0, 4200.0, 20.0, floor), floor);
        assert!((depth_factor(0.0, 4200.0, 20.0, 0.1) - 0.16).abs() < 1e-12);
        let b =
            Assumptions::with_override("test", "[seabed.rules]\ndepth_factor_floor = 0.1").unwrap();
        assert_eq!(b.seabed.rules.depth_factor_floor, 0.1);
    }

    #[test]
    fn construction_time_comes_from_the_data_file() {
        let a = Assumptions::defaults();
        let b = Assumptions::with_override("test", "[seabed]\nconstruction_y = 7").unwrap();
        assert_ne!(a.seabed.construction_y, 7);
        assert_eq!(construction_y(DepositType::PolymetallicNodules, &b), 7);
        for t in [DepositType::SeabedMud, DepositType::IonicClay] {
            assert_eq!(construction_y(t, &b), a.deposits[t.as_str()].construction_y);
        }
    }
}
