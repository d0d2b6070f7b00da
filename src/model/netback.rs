//! Netback: what a buyer pays for a kilogram of TREO in the product a project sells.
//!
//! A separator pays, oxide by oxide, the better of separating it and letting it go
//! unseparated (issue 14):
//!
//! ```text
//! value_i   = max(p_i x recovery - charge_i,  p_i x unseparated payable)
//! netback   = sum_i s_i x value_i - cracking charge (mineral concentrate only)
//! ```
//!
//! with `s_i` the oxide's share of TREO by mass, `p_i` its separated-oxide price, the light
//! charge on La-Nd and the heavy charge on Sm-Lu and Y. An oxide worth less than its charge
//! (La and Ce at most decks, often Y, Sm and Gd) is not separated: it leaves the circuit at
//! the first split in a mixed product (the La-Ce carbonate of the light cut) paid at the
//! unseparated payable share of its value, and bears no separation charge. Cracking falls
//! on every kilogram, as a concentrate cannot be leached oxide by oxide. Separated oxides
//! are sold at the basket. A record's own sale price or payability replaces the netback,
//! and its own tolling charge replaces the default charges (on every kilogram, as given).
//! The record's own sale price and tolling charge are US$ of its money year, brought to
//! the run's real year by the CPI table. When the record's processing route is
//! `integrated`, the project separates its own product: it sells at the separated and
//! unseparated values and bears the same charges as its own separation cost. Freight to
//! the separator is costed separately (the cost model's logistics).

use serde::Serialize;

use crate::assumptions::{Escalation, NetbackAssumptions};
use crate::read::record::{OXIDES, ProcessingRoute, ProductForm, ProjectRecord};

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
    /// Oxides not separated because their recovered value is below their separation
    /// charge at the deck (symbols of `OXIDES`); empty when every oxide is separated, or the
    /// record's own terms apply.
    pub unseparated_oxides: Vec<&'static str>,
    /// Their share of TREO, %.
    pub unseparated_share_pct: f64,
    /// What is paid for them, % of their separated-oxide value.
    pub unseparated_payable_pct: f64,
    /// How it was made (written out only when shown).
    pub basis: NetbackBasis,
}

/// How a netback was made, kept as its figures and written out only when shown (the
/// provenance log's basis of `payable_price_usd_per_kg`, the JSON's `netback.basis`, a
/// string): most netbacks are made by price searches and scenarios that show none.
#[derive(Debug, Clone, PartialEq)]
pub struct NetbackBasis {
    made: Made,
    /// What came after, already written (an assigned plant's terms).
    then: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Made {
    SalePrice {
        given: f64,
        cpi: Cpi,
    },
    Payability {
        pct: f64,
    },
    SeparatedOxides,
    /// Oxides at the separator's recovery, less the charges (or, integrated, with the
    /// charges as the project's own separation cost). The figures are the ones the text
    /// states, kept here because an assigned plant's terms change the netback's own
    /// fields afterwards (`plant_terms::apply`).
    Recovered {
        integrated: bool,
        recovery: f64,
        variable: f64,
        basket: f64,
        charges: f64,
        charge: Charge,
    },
}

/// Where the charges come from.
#[derive(Debug, Clone, PartialEq)]
enum Charge {
    Tolling {
        usd_per_kg: f64,
        cpi: Cpi,
    },
    Separation {
        light_usd_per_kg: f64,
        light_share: f64,
        heavy_usd_per_kg: f64,
        unseparated: Vec<&'static str>,
        unseparated_share: f64,
        unseparated_payable_pct: f64,
        cracking: f64,
        source: String,
    },
}

/// The CPI step a record's own figure took to the real year (none when the factor is 1).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cpi(f64, i32, i32);

impl std::fmt::Display for Cpi {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let Cpi(factor, from, to) = *self;
        if factor != 1.0 {
            write!(f, " (x {factor:.4} CPI {from} to {to})")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Charge {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Charge::Tolling { usd_per_kg, cpi } => {
                write!(
                    f,
                    "the record's tolling charge US${usd_per_kg}/kg TREO{cpi}"
                )
            }
            Charge::Separation {
                light_usd_per_kg,
                light_share,
                heavy_usd_per_kg,
                unseparated,
                unseparated_share,
                unseparated_payable_pct,
                cracking,
                source,
            } => {
                write!(
                    f,
                    "separation US${light_usd_per_kg}/kg light ({:.0} % of TREO) and US${heavy_usd_per_kg}/kg heavy on the oxides worth separating",
                    light_share * 100.0
                )?;
                if !unseparated.is_empty() {
                    write!(
                        f,
                        "; {} ({:.1} % of TREO) not separated, paid at {unseparated_payable_pct} % of their value",
                        unseparated.join(", "),
                        unseparated_share * 100.0
                    )?;
                }
                if *cracking > 0.0 {
                    write!(f, ", cracking US${cracking}/kg on all TREO")?;
                }
                write!(f, " ({source})")
            }
        }
    }
}

impl std::fmt::Display for NetbackBasis {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match &self.made {
            Made::SalePrice { given, cpi } => write!(
                f,
                "the record's sale price, US${given}/kg TREO in product{cpi}"
            )?,
            Made::Payability { pct } => {
                write!(f, "the record's payability, {pct} % of the basket")?
            }
            Made::SeparatedOxides => f.write_str("separated oxides at the basket")?,
            Made::Recovered {
                integrated,
                recovery,
                variable,
                basket,
                charges,
                charge,
            } => {
                let route = if *integrated {
                    "integrated route"
                } else {
                    "netback"
                };
                write!(
                    f,
                    "{route}: oxides at {recovery} % of their value ({variable:.2} US$/kg TREO of a {basket:.2} basket)"
                )?;
                if *integrated {
                    write!(
                        f,
                        "; own separation cost {charges:.2} US$/kg TREO from {charge}"
                    )?
                } else {
                    write!(f, " less {charges:.2} US$/kg TREO of charges: {charge}")?
                }
            }
        }
        f.write_str(&self.then)
    }
}

impl Serialize for NetbackBasis {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl NetbackBasis {
    fn made(made: Made) -> NetbackBasis {
        NetbackBasis {
            made,
            then: String::new(),
        }
    }

    /// Adds what came after the netback was made (`more` starts with its separator).
    pub fn then(&mut self, more: std::fmt::Arguments) {
        use std::fmt::Write;
        let _ = self.then.write_fmt(more);
    }
}

/// The netback of a product with oxide `shares` (% of TREO), `basket` (US$/kg TREO) and
/// separated-oxide `prices` (US$/kg, indexed as `OXIDES`); `money` brings the record's own
/// sale price and tolling charge (US$ of its money year) to the real year.
pub fn netback(
    rec: &ProjectRecord,
    form: ProductForm,
    shares: &[f64; 15],
    basket: f64,
    prices: &[f64; 15],
    money: Escalation,
    n: &NetbackAssumptions,
) -> Netback {
    let e = &rec.economics;
    let integrated = rec.ownership.processing_route == Some(ProcessingRoute::Integrated);
    let in_real = |v: f64| v * money.factor;
    let cpi = Cpi(money.factor, money.from_year, money.to_year);
    let whole = |price: f64, variable: f64, recovery: f64, charges: f64, made: Made| Netback {
        basket_usd_per_kg: basket,
        recovery_at_separator_pct: recovery,
        charges_usd_per_kg: charges,
        borne_by_project: false,
        price_usd_per_kg: price,
        price_variable_usd_per_kg: variable,
        unseparated_oxides: Vec::new(),
        unseparated_share_pct: 0.0,
        unseparated_payable_pct: n.unseparated_payable_pct,
        basis: NetbackBasis::made(made),
    };
    if let Some(given) = e.sale_price_usd_per_kg {
        let price = in_real(given);
        return whole(price, price, 100.0, 0.0, Made::SalePrice { given, cpi });
    }
    if let Some(pct) = e.payable_pct {
        let price = basket * pct / 100.0;
        return whole(price, price, pct, 0.0, Made::Payability { pct });
    }
    if form == ProductForm::SeparatedOxides {
        return whole(basket, basket, 100.0, 0.0, Made::SeparatedOxides);
    }
    let recovery = n.separator_recovery_pct;
    let total: f64 = shares.iter().sum::<f64>().max(1e-12);
    let cracking = if form == ProductForm::Concentrate {
        n.cracking_usd_per_kg_treo
    } else {
        0.0
    };
    // The record's own tolling charge is on every kilogram, as given; the default charges
    // fall only on the oxides worth separating.
    let (variable, charges, unseparated, unseparated_share, charge_basis) =
        match e.tolling_usd_per_kg {
            Some(t) => (
                basket * recovery / 100.0,
                in_real(t),
                Vec::new(),
                0.0,
                Charge::Tolling { usd_per_kg: t, cpi },
            ),
            None => {
                let split = per_oxide(shares, prices, n);
                let light: f64 = shares[LIGHT].iter().sum::<f64>() / total;
                (
                    split.variable,
                    split.charges + cracking,
                    split.unseparated.clone(),
                    split.unseparated_share * 100.0,
                    Charge::Separation {
                        light_usd_per_kg: n.separation_light_usd_per_kg,
                        light_share: light,
                        heavy_usd_per_kg: n.separation_heavy_usd_per_kg,
                        unseparated: split.unseparated,
                        unseparated_share: split.unseparated_share,
                        unseparated_payable_pct: n.unseparated_payable_pct,
                        cracking,
                        source: n.source.clone(),
                    },
                )
            }
        };
    Netback {
        basket_usd_per_kg: basket,
        recovery_at_separator_pct: recovery,
        charges_usd_per_kg: charges,
        borne_by_project: integrated,
        // Integrated, the project sells at the recovered value and bears the charges.
        price_usd_per_kg: if integrated {
            variable
        } else {
            variable - charges
        },
        price_variable_usd_per_kg: variable,
        unseparated_oxides: unseparated,
        unseparated_share_pct: unseparated_share,
        unseparated_payable_pct: n.unseparated_payable_pct,
        basis: NetbackBasis::made(Made::Recovered {
            integrated,
            recovery,
            variable,
            basket,
            charges,
            charge: charge_basis,
        }),
    }
}

/// Oxide by oxide, the separator's better course at the deck.
struct Split {
    /// Value paid, US$/kg TREO (separated oxides at the recovery, the rest at the
    /// unseparated payable).
    variable: f64,
    /// Separation charges on the separated oxides, US$/kg TREO.
    charges: f64,
    unseparated: Vec<&'static str>,
    /// Share of TREO not separated, 0-1.
    unseparated_share: f64,
}

fn per_oxide(shares: &[f64; 15], prices: &[f64; 15], n: &NetbackAssumptions) -> Split {
    let total: f64 = shares.iter().sum::<f64>().max(1e-12);
    let r = n.separator_recovery_pct / 100.0;
    let m = n.unseparated_payable_pct / 100.0;
    let mut out = Split {
        variable: 0.0,
        charges: 0.0,
        unseparated: Vec::new(),
        unseparated_share: 0.0,
    };
    for (i, (&s, &p)) in shares.iter().zip(prices).enumerate() {
        let s = s / total;
        if s <= 0.0 {
            continue;
        }
        let charge = if LIGHT.contains(&i) {
            n.separation_light_usd_per_kg
        } else {
            n.separation_heavy_usd_per_kg
        };
        if p * r - charge >= p * m {
            out.variable += s * p * r;
            out.charges += s * charge;
        } else {
            out.variable += s * p * m;
            out.unseparated.push(OXIDES[i]);
            out.unseparated_share += s;
        }
    }
    out
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

    /// La US$0.6, Ce 1.5, Nd 80, Dy 200 per kg: basket 0.24 + 0.6 + 12 + 10 = 22.84.
    fn prices() -> [f64; 15] {
        let mut p = [0.0; 15];
        p[0] = 0.6;
        p[1] = 1.5;
        p[3] = 80.0;
        p[8] = 200.0;
        p
    }

    const BASKET: f64 = 22.84;

    fn n() -> NetbackAssumptions {
        NetbackAssumptions {
            separation_light_usd_per_kg: 5.0,
            separation_heavy_usd_per_kg: 22.5,
            cracking_usd_per_kg_treo: 5.0,
            separator_recovery_pct: 95.0,
            unseparated_payable_pct: 65.0,
            unseparated_source: "test".into(),
            source: "test".into(),
        }
    }

    fn real() -> Escalation {
        Escalation {
            factor: 1.0,
            from_year: 2025,
            to_year: 2025,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn la_and_ce_worth_less_than_their_charge_are_not_separated() {
        let r = ProjectRecord::empty(Location::File);
        // By hand, oxide by oxide (recovery 95 %, unseparated at 65 %):
        //   La: 0.6 x 0.95 - 5 = -4.43 < 0.6 x 0.65 = 0.39: unseparated, 0.39
        //   Ce: 1.5 x 0.95 - 5 = -3.575 < 0.975: unseparated, 0.975
        //   Nd: 80 x 0.95 - 5 = 71 > 52: separated, 76 less 5
        //   Dy: 200 x 0.95 - 22.5 = 167.5 > 130: separated, 190 less 22.5
        // Value 0.4 x 0.39 + 0.4 x 0.975 + 0.15 x 76 + 0.05 x 190 = 21.446; separation
        // 0.15 x 5 + 0.05 x 22.5 = 1.875; cracking 5 on every kg: charges 6.875.
        let nb = netback(
            &r,
            ProductForm::Concentrate,
            &shares(),
            BASKET,
            &prices(),
            real(),
            &n(),
        );
        assert!(close(nb.price_variable_usd_per_kg, 21.446));
        assert!(close(nb.charges_usd_per_kg, 6.875));
        assert!(close(nb.price_usd_per_kg, 14.571));
        assert_eq!(nb.unseparated_oxides, vec!["la", "ce"]);
        assert!(close(nb.unseparated_share_pct, 80.0));
        // Charged on every oxide, as before issue 14's per-oxide rule, the same product
        // would fetch 0.95 x 22.84 - (0.95 x 5 + 0.05 x 22.5 + 5) = 10.823: the La-Ce
        // charge (0.8 x 5 = 4) exceeded what they fetch separated (0.8 x 0.84 x 0.95).
        assert!(nb.price_usd_per_kg - 10.823 > 3.7);
        // A mixed carbonate is already cracked: 21.446 - 1.875.
        let nb = netback(
            &r,
            ProductForm::MixedCarbonate,
            &shares(),
            BASKET,
            &prices(),
            real(),
            &n(),
        );
        assert!(close(nb.price_usd_per_kg, 19.571));
        // Stockpiled instead (payable 0): La and Ce earn nothing; 0.15 x 76 + 0.05 x 190 -
        // 1.875 = 19.025.
        let mut stock = n();
        stock.unseparated_payable_pct = 0.0;
        let nb = netback(
            &r,
            ProductForm::MixedCarbonate,
            &shares(),
            BASKET,
            &prices(),
            real(),
            &stock,
        );
        assert!(close(nb.price_usd_per_kg, 19.025));
        // At La and Ce prices above their break-even (5 / (0.95 - 0.65) = 16.67 US$/kg)
        // they are separated: at 20 each fetches 20 x 0.95 = 19 less its 5 of charge.
        let mut dear = prices();
        dear[0] = 20.0;
        dear[1] = 20.0;
        let nb = netback(
            &r,
            ProductForm::MixedCarbonate,
            &shares(),
            0.4 * 20.0 + 0.4 * 20.0 + 12.0 + 10.0,
            &dear,
            real(),
            &n(),
        );
        assert!(nb.unseparated_oxides.is_empty());
        assert!(close(
            nb.price_usd_per_kg,
            0.8 * 19.0 + 11.4 + 9.5 - 4.0 - 0.75 - 1.125
        ));
        // Separated oxides sell at the basket.
        let nb = netback(
            &r,
            ProductForm::SeparatedOxides,
            &shares(),
            BASKET,
            &prices(),
            real(),
            &n(),
        );
        assert_eq!(nb.price_usd_per_kg, BASKET);
    }

    #[test]
    fn a_heavy_oxide_below_the_heavy_charge_is_not_separated() {
        // Y 100 % of TREO at US$8/kg: 8 x 0.95 - 22.5 < 0, so it goes unseparated at
        // 8 x 0.65 = 5.2 (charged, it would be worth -14.9).
        let r = ProjectRecord::empty(Location::File);
        let mut s = [0.0; 15];
        s[14] = 100.0;
        let mut p = [0.0; 15];
        p[14] = 8.0;
        let nb = netback(&r, ProductForm::MixedCarbonate, &s, 8.0, &p, real(), &n());
        assert!(close(nb.price_usd_per_kg, 5.2));
        assert_eq!(nb.unseparated_oxides, vec!["y"]);
        assert_eq!(nb.charges_usd_per_kg, 0.0);
    }

    #[test]
    fn the_record_s_own_terms_win_and_the_integrated_route_bears_the_charges() {
        let mut r = ProjectRecord::empty(Location::File);
        r.economics.tolling_usd_per_kg = Some(4.0);
        // The record's toll is on every kilogram: 0.95 x 22.84 - 4.
        let nb = netback(
            &r,
            ProductForm::MixedCarbonate,
            &shares(),
            BASKET,
            &prices(),
            real(),
            &n(),
        );
        assert!(close(nb.price_usd_per_kg, 21.698 - 4.0));
        assert!(nb.unseparated_oxides.is_empty());
        r.economics.payable_pct = Some(70.0);
        let nb = netback(
            &r,
            ProductForm::MixedCarbonate,
            &shares(),
            BASKET,
            &prices(),
            real(),
            &n(),
        );
        assert!(close(nb.price_usd_per_kg, 15.988));
        assert_eq!(
            nb.basis.to_string(),
            "the record's payability, 70 % of the basket"
        );
        r.economics.sale_price_usd_per_kg = Some(12.0);
        let nb = netback(
            &r,
            ProductForm::MixedCarbonate,
            &shares(),
            BASKET,
            &prices(),
            real(),
            &n(),
        );
        assert_eq!(nb.price_usd_per_kg, 12.0);
        assert_eq!(
            serde_json::to_value(&nb).unwrap()["basis"],
            "the record's sale price, US$12/kg TREO in product"
        );
        let mut r = ProjectRecord::empty(Location::File);
        r.ownership.processing_route = Some(ProcessingRoute::Integrated);
        let nb = netback(
            &r,
            ProductForm::Concentrate,
            &shares(),
            BASKET,
            &prices(),
            real(),
            &n(),
        );
        assert!(nb.borne_by_project);
        assert!(close(nb.price_usd_per_kg, 21.446));
        assert!(close(nb.charges_usd_per_kg, 6.875));
    }

    #[test]
    fn the_record_s_sale_price_and_toll_are_brought_to_the_real_year() {
        // Money of 2013 in 2025 US$: x 321.943 / 232.957 (BLS CPI-U annual averages).
        let a = Assumptions::defaults();
        let f = 321.943 / 232.957;
        let mut r = ProjectRecord::empty(Location::File);
        r.economics.money_year = Some(2013);
        let money = a.money.escalation(r.money_year());
        r.economics.tolling_usd_per_kg = Some(4.0);
        let nb = netback(
            &r,
            ProductForm::MixedCarbonate,
            &shares(),
            BASKET,
            &prices(),
            money,
            &n(),
        );
        assert!(close(nb.charges_usd_per_kg, 4.0 * f));
        assert!(close(nb.price_usd_per_kg, 21.698 - 4.0 * f));
        assert!(
            nb.basis.to_string().contains("CPI 2013 to 2025"),
            "{}",
            nb.basis
        );
        r.economics.sale_price_usd_per_kg = Some(10.0);
        let nb = netback(
            &r,
            ProductForm::MixedCarbonate,
            &shares(),
            BASKET,
            &prices(),
            money,
            &n(),
        );
        assert!(close(nb.price_usd_per_kg, 10.0 * f));
        // 321.943 / 232.957 = 1.38198, to four places.
        assert_eq!(
            nb.basis.to_string(),
            "the record's sale price, US$10/kg TREO in product (x 1.3820 CPI 2013 to 2025)"
        );
        assert!(
            (nb.price_usd_per_kg - 13.819847).abs() < 1e-6,
            "{}",
            nb.price_usd_per_kg
        );
    }

    #[test]
    fn the_defaults_are_the_assumptions_file_s() {
        let a = Assumptions::defaults();
        assert_eq!(a.netback.separation_light_usd_per_kg, 5.0);
        assert_eq!(a.netback.unseparated_payable_pct, 65.0);
        assert!(!a.netback.source.is_empty());
        assert!(!a.netback.unseparated_source.is_empty());
        let b =
            Assumptions::with_override("test", "[netback]\nunseparated_payable_pct = 0").unwrap();
        assert_eq!(b.netback.unseparated_payable_pct, 0.0);
        assert!(
            Assumptions::with_override("test", "[netback]\nunseparated_payable_pct = 120").is_err()
        );
    }
}
