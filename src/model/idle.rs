//! A built mine that loses money at the deck need not run (issue 14). Its owner can keep
//! operating, hold it on care and maintenance (no output, a holding cost each year, the
//! closure cost at the end of its remaining life) or close it now (the closure cost in the
//! first year). The valuation takes the best of the three: a producer is never valued
//! below what stopping costs. Deterministic: the option to restart when prices recover is
//! not valued (the breakeven and incentive prices say at what deck it would run).
//!
//! Income tax on the holding and closure costs is left out (no taxable income to shield).

use serde::Serialize;

use crate::model::cashflow::{self, Discounting, Phase, YearFlow};

/// The choice between operating, care and maintenance, and closing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdleDecision {
    /// `operate`, `care_and_maintenance` or `close`.
    pub chosen: &'static str,
    /// After-tax NPV of operating the remaining life, US$ million.
    pub operate_npv_musd: f64,
    /// NPV of care and maintenance over the remaining life, closure at its end, US$ million.
    pub care_and_maintenance_npv_musd: f64,
    /// NPV of closing in the first year, US$ million.
    pub close_npv_musd: f64,
    /// Holding cost on care and maintenance, US$ million a year.
    pub care_and_maintenance_musd_per_y: f64,
}

/// What a built project's owner does with it, and the schedule of the chosen course
/// (`None` when it operates).
pub fn decide(
    operating: &[YearFlow],
    closure_musd: f64,
    care_and_maintenance_musd_per_y: f64,
    rate_pct: f64,
    discounting: Discounting,
) -> (IdleDecision, Option<Vec<YearFlow>>) {
    let idle_year = |year: u32, cost: f64, closure: f64| YearFlow {
        opex: cost,
        closure,
        pre_tax: -cost - closure,
        net: -cost - closure,
        ..YearFlow::blank(year, Phase::Idle)
    };
    let n = operating.len().max(1) as u32;
    let care: Vec<YearFlow> = (1..=n)
        .map(|y| {
            let closure = if y == n { closure_musd } else { 0.0 };
            idle_year(y, care_and_maintenance_musd_per_y, closure)
        })
        .collect();
    let close = vec![idle_year(1, 0.0, closure_musd)];
    let value = |years: &[YearFlow]| cashflow::value(years, rate_pct, discounting, true);
    let (op, cm, cl) = (value(operating), value(&care), value(&close));
    let decision = |chosen| IdleDecision {
        chosen,
        operate_npv_musd: op,
        care_and_maintenance_npv_musd: cm,
        close_npv_musd: cl,
        care_and_maintenance_musd_per_y,
    };
    if op >= cm && op >= cl {
        (decision("operate"), None)
    } else if cm >= cl {
        (decision("care_and_maintenance"), Some(care))
    } else {
        (decision("close"), Some(close))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year(y: u32, net: f64) -> YearFlow {
        YearFlow {
            output_share: 1.0,
            pre_tax: net,
            net,
            ..YearFlow::blank(y, Phase::Production)
        }
    }

    #[test]
    fn a_loss_maker_stops_and_a_profitable_mine_runs() {
        // Operating loses 50 a year for 3 years at 0 %: -150. Care and maintenance at 10 a
        // year with closure 30 at the end: -60. Closing now: -30. Closing wins.
        let ops: Vec<YearFlow> = (1..=3).map(|y| year(y, -50.0)).collect();
        let (d, years) = decide(&ops, 30.0, 10.0, 0.0, Discounting::EndOfYear);
        assert_eq!(d.chosen, "close");
        assert_eq!(
            (
                d.operate_npv_musd,
                d.care_and_maintenance_npv_musd,
                d.close_npv_musd
            ),
            (-150.0, -60.0, -30.0)
        );
        let years = years.unwrap();
        assert_eq!(years.len(), 1);
        assert_eq!((years[0].net, years[0].phase), (-30.0, Phase::Idle));
        // The closing year carries the closure as a cost of its own, untaxed: pre-tax and
        // net alike -30, no holding cost.
        let y0 = &years[0];
        assert_eq!((y0.closure, y0.opex, y0.pre_tax), (30.0, 0.0, -30.0));
        // With closure 100 and holding 10 a year, care and maintenance (-130) beats
        // closing now at 10 % (-100 / 1.1 = -90.9)? No: -10/1.1 - 10/1.21 - 110/1.331 =
        // -107.5 against -90.9: closing still wins. At 0 %, with closure 100: C&M -130,
        // close -100: close. Holding cost 0 at 10 %: C&M -100/1.331 = -75.1 beats -90.9.
        let (d, years) = decide(&ops, 100.0, 0.0, 10.0, Discounting::EndOfYear);
        assert_eq!(d.chosen, "care_and_maintenance");
        assert!((d.care_and_maintenance_npv_musd + 100.0 / 1.331).abs() < 1e-9);
        assert_eq!(years.unwrap().len(), 3);
        // Holding 5 a year with closure 100 at the end, at 10 %: care and maintenance
        // -5 x 2.4869 - 100 / 1.331 = -87.6 beats closing now (-90.9) and operating
        // (-124.3). Its years: -5, -5 and -105, the holding cost as opex and the closure
        // in the last.
        let (d, years) = decide(&ops, 100.0, 5.0, 10.0, Discounting::EndOfYear);
        assert_eq!(d.chosen, "care_and_maintenance");
        let care = years.unwrap();
        let flows: Vec<(f64, f64, f64, f64)> = care
            .iter()
            .map(|y| (y.opex, y.closure, y.pre_tax, y.net))
            .collect();
        assert_eq!(
            flows,
            vec![
                (5.0, 0.0, -5.0, -5.0),
                (5.0, 0.0, -5.0, -5.0),
                (5.0, 100.0, -105.0, -105.0)
            ]
        );
        // A mine earning 20 a year runs.
        let ops: Vec<YearFlow> = (1..=3).map(|y| year(y, 20.0)).collect();
        let (d, years) = decide(&ops, 30.0, 10.0, 0.0, Discounting::EndOfYear);
        assert_eq!(d.chosen, "operate");
        assert!(years.is_none());
    }
}
