//! Equations of the model and portfolio modules checked against values worked by hand
//! (issue 24). Each test names the survivor of the mutation sample it was written for
//! (docs/reliability.md, "Mutation testing"): the suite passed with that change made.

use prospect::assumptions::Assumptions;
use prospect::context::SiteContext;
use prospect::model::provenance::Provenance;
use prospect::model::{cashflow, grade};
use prospect::read::record::oxide::{DY, LA, ND};
use prospect::read::record::{DepositType, Location, ProjectRecord, Regime, StudyStage};

/// Newton's method on its own finds the rate, from a start away from it: -100 now (end
/// of year 1) and 110 a year later return 10 % (1 + r = 110 / 100), and -100 then 0 then
/// 121 also 10 % ((1 + r)^2 = 1.21). Survivor: `r - v / dv` → `r - v * dv` (the search
/// fell back to the bracket, so the IRRs did not move).
#[test]
fn newton_finds_a_hand_worked_irr_by_itself() {
    for (flows, guess) in [
        (&[-100.0, 110.0][..], 0.0),
        (&[-100.0, 110.0][..], 0.5),
        (&[-100.0, 0.0, 121.0][..], 0.0),
    ] {
        let r = cashflow::irr_newton(flows, guess)
            .unwrap_or_else(|| panic!("{flows:?} from {guess}: Newton did not converge"));
        assert!((r - 0.1).abs() < 1e-12, "{flows:?} from {guess}: {r}");
    }
}

/// The basket of 50 % La and 50 % Nd oxide at US$2 and US$100 per kg is US$51 per kg,
/// 98.04 % of it (50 / 51) from NdPr and none from Dy+Tb; at a deck of zero prices the
/// basket is worth nothing and neither is any share of it (not 0 / 0). Survivor: the
/// guard `total > 0.0` → `>=` (no test priced a worthless basket).
#[test]
fn basket_value_shares_by_hand_and_at_zero_prices() {
    let a = Assumptions::defaults();
    let mut prices = a.prices(&a.valuation.default_scenario).unwrap();
    let mut shares = [0.0; 15];
    shares[LA] = 50.0;
    shares[ND] = 50.0;
    prices.oxides = [0.0; 15];
    prices.oxides[LA] = 2.0;
    prices.oxides[ND] = 100.0;
    let (total, ndpr, dytb) = grade::basket(&shares, &prices);
    assert!((total - 51.0).abs() < 1e-12, "{total}");
    assert!((ndpr - 5000.0 / 51.0).abs() < 1e-9, "{ndpr}");
    assert_eq!(dytb, 0.0);
    shares[DY] = 10.0;
    prices.oxides = [0.0; 15];
    assert_eq!(grade::basket(&shares, &prices), (0.0, 0.0, 0.0));
}

/// With Taylor's rule switched off (a coefficient of 0 in an assumptions file) a
/// carbonatite with a 10 Mt resource at 2 % TREO and no throughput, output or life has no
/// plant, so no annual TREO and no mine life (200,000 t of TREO in the ground at 0 t a year): the
/// record is left unvalued with that reason, never valued over an infinite life. (If the
/// assumptions ever refuse a zero coefficient, that refusal protects the same thing.)
/// Survivor: the guard `treo > 0.0` of the life estimate → `true`, reachable only here:
/// any throughput above zero gives the life as tonnage / throughput first.
#[test]
fn no_plant_gives_no_mine_life() {
    let a = match Assumptions::with_override("no_taylor.toml", "[taylor]\ncoefficient = 0.0\n") {
        Ok(a) => a,
        Err(e) => {
            assert!(format!("{e:#}").contains("coefficient"), "{e:#}");
            return;
        }
    };
    let prices = a.prices(&a.valuation.default_scenario).unwrap();
    let mut r = ProjectRecord::empty(Location::File);
    r.id = "Z".into();
    r.name = "No plant".into();
    r.country = Some("AU".into());
    r.regime = Some(Regime::Onshore);
    r.geology.deposit_type = Some(DepositType::Carbonatite);
    r.development.stage = Some(StudyStage::Pfs);
    r.geology.grade_treo_pct = Some(2.0);
    r.geology.resource.indicated_mt = Some(10.0);
    let mut log = Provenance::default();
    match grade::production(&r, &a, &prices, &mut log) {
        Err(e) => assert!(e.reason.contains("no mine life"), "{}", e.reason),
        Ok(p) => panic!("valued over a mine life of {} years", p.mine_life_y),
    }
}

/// Figures reach the JSON rounded to six decimals: 1.23456789 → 1.234568, 0.5 stays 0.5,
/// 2,500.0000004 → 2,500, -0.0000004 → 0 (never -0), and what is not finite → null.
/// Survivor: `(v * 1e6).round() / 1e6` → `% 1e6` (the writers' tests sit in targets the
/// sample did not run).
#[test]
fn json_figures_are_rounded_to_six_decimals() {
    use prospect::model::provenance::round_json;
    for (v, want) in [
        (1.234_567_89, 1.234_568),
        (0.5, 0.5),
        (2_500.000_000_4, 2_500.0),
        (-7.25, -7.25),
    ] {
        assert_eq!(round_json(v).as_f64(), Some(want), "{v}");
    }
    assert_eq!(round_json(-0.000_000_4).to_string(), "0.0");
    assert!(round_json(f64::NAN).is_null());
    assert!(round_json(f64::INFINITY).is_null());
}

/// Confidence counts the share of a project's figures the record gave: A gives 2 of its 4
/// figures (0.5), B 3 of its 10 (0.3). Two otherwise identical records, ranked on
/// confidence alone: A's data share ranks above B's, so A comes first. Over three
/// projects with shares 0.5, 0.3 and 0.25 (1 of 4) the percentile ranks of the data
/// share are 1, 0.5 and 0; stage and resource tie (0.5 each), so confidence is
/// (0.5 + 0.5 + 1) / 3, (0.5 + 0.5 + 0.5) / 3 and (0.5 + 0.5 + 0) / 3. Survivor: the
/// data share `given / all` → `given * all` (2 x 4 = 8 against 3 x 10 = 30 reversed them).
#[test]
fn confidence_ranks_the_share_of_figures_given() {
    use prospect::portfolio::rank::{self, Filters, Weights};
    let a = Assumptions::defaults();
    let terms =
        prospect::appraise::Terms::resolve(&a, &prospect::appraise::Options::at(2026)).unwrap();
    let record = |id: &str| {
        let mut r = ProjectRecord::empty(Location::File);
        r.id = id.into();
        r.name = id.into();
        r.country = Some("AU".into());
        r.regime = Some(Regime::Onshore);
        r.geology.deposit_type = Some(DepositType::Carbonatite);
        r.development.stage = Some(StudyStage::Pfs);
        r.geology.grade_treo_pct = Some(2.0);
        r.geology.resource.indicated_mt = Some(10.0);
        r
    };
    let records = [record("A"), record("B"), record("C")];
    let mut projects = Vec::new();
    for (r, (given, all)) in records.iter().zip([(2, 4), (3, 10), (1, 4)]) {
        let mut p = prospect::appraise::appraise(r, SiteContext::unknown(r), &a, &terms, None);
        p.valued = true;
        p.provenance = Provenance::default();
        for k in 0..all {
            if k < given {
                p.provenance.given(&format!("f{k}"), 1.0, "record");
            } else {
                p.provenance.estimated(&format!("f{k}"), 1.0, "model");
            }
        }
        projects.push(p);
    }
    let weights: std::collections::BTreeMap<String, f64> =
        [("confidence".to_owned(), 1.0)].into_iter().collect();
    let ranking = rank::rank(
        &projects,
        &records,
        &Weights::new(&weights).unwrap(),
        &Filters::default(),
    );
    let order: Vec<&str> = ranking.projects.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(order, ["A", "B", "C"]);
    for (p, want) in ranking.projects.iter().zip([2.0 / 3.0, 0.5, 1.0 / 3.0]) {
        let got = p.criteria["confidence"];
        assert!((got - want).abs() < 1e-12, "{}: {got} vs {want}", p.id);
    }
}

/// Two IRRs 5 points apart: -100, +230, -132.1875 at the ends of years 1-3 make NPV x
/// (1 + r)^3 = -100 (1 + r)^2 + 230 (1 + r) - 132.1875 = -100 (1 + r - 1.125)(1 + r -
/// 1.175), zero at 12.5 % and 17.5 %. The scan's steps of 1 point below ±100 % find
/// both. Survivor: the scan's `r.abs() < 1.0` → `>` (steps of 10 points near usual
/// rates: both roots fell in one step and neither was found).
#[test]
fn two_close_irrs_are_both_found() {
    match cashflow::irr(&[-100.0, 230.0, -132.1875]) {
        cashflow::Irr::Multiple { rates } => {
            assert_eq!(rates.len(), 2, "{rates:?}");
            assert!((rates[0] - 0.125).abs() < 1e-9, "{rates:?}");
            assert!((rates[1] - 0.175).abs() < 1e-9, "{rates:?}");
        }
        other => panic!("{other:?}"),
    }
}

/// The seabed-mud unit costs of a one-year schedule worked by hand: nothing spent in the
/// one construction year, then US$50m revenue and US$30m opex (no royalty, tax or capex)
/// and 10 t of Dy+Tb; at 10 % with end-of-year discounting every figure of the
/// production year is discounted by 1.1^2, so per kg it cancels: cost 30e6 / 10,000 kg =
/// US$3,000/kg, net of revenue (30 - 50) e6 / 10,000 = -US$2,000/kg, and no subsidy is
/// needed (NPV is positive). Survivor: the net cost's `pv_cost - pv_revenue` → `/`.
#[test]
fn mud_unit_costs_of_a_one_year_schedule_by_hand() {
    use prospect::model::cashflow::{Discounting, ScheduleInputs};
    let inputs = ScheduleInputs {
        revenue_per_y: 50.0,
        fixed_revenue_per_y: 0.0,
        opex_per_y: 30.0,
        logistics_per_y: 0.0,
        royalty_pct: 0.0,
        tax_rate_pct: 0.0,
        fiscal: Default::default(),
        capex: 0.0,
        sustaining_per_y: 0.0,
        closure: 0.0,
        depreciation_y: 1,
        construction_y: 1,
        mine_life_y: 1.0,
        ramp_up: Vec::new(),
    };
    let u = prospect::model::mud::unit_costs(&inputs, 10.0, 10.0, 10.0, Discounting::EndOfYear);
    let near = |v: Option<f64>, want: f64| v.is_some_and(|v| (v - want).abs() < 1e-6);
    assert!(near(u.cost_per_kg_dytb_usd, 3000.0), "{u:?}");
    assert!(near(u.net_cost_per_kg_dytb_usd, -2000.0), "{u:?}");
    assert!(near(u.cost_per_kg_hreo_usd, 3000.0), "{u:?}");
    assert_eq!(u.subsidy_per_kg_dytb_usd, Some(0.0));
}

/// The risked value by hand: revenue of US$121m in the one production year after one
/// construction year with nothing spent, at 10 %, is worth 121 / 1.1^2 = US$100m at the
/// start of construction; construction starts 2 years from now, so it is worth
/// 100 / 1.1^2 = US$82.6446m today. With every driver fixed, a decision reached for
/// sure and no construction failure, every draw proceeds and the risked value is that
/// figure. Survivor: the discount of the value at the decision `/ 1.1^t` → `% 1.1^t`.
#[test]
fn the_risked_value_is_discounted_over_the_years_to_construction() {
    use prospect::model::cashflow::{Discounting, ScheduleInputs};
    use prospect::model::leadtime::LeadTime;
    use prospect::model::simulate::{self, DRIVERS, DrawModel, FactorDist, SimOptions};
    let mut revenue_parts = [0.0; 8];
    revenue_parts[0] = 121.0;
    let m = DrawModel {
        inputs: ScheduleInputs {
            revenue_per_y: 0.0,
            fixed_revenue_per_y: 0.0,
            opex_per_y: 0.0,
            logistics_per_y: 0.0,
            royalty_pct: 0.0,
            tax_rate_pct: 0.0,
            fiscal: Default::default(),
            capex: 0.0,
            sustaining_per_y: 0.0,
            closure: 0.0,
            depreciation_y: 1,
            construction_y: 1,
            mine_life_y: 1.0,
            ramp_up: Vec::new(),
        },
        revenue_parts,
        grade_cv: 0.0,
        tonnage_cv: 0.0,
        life_from_tonnage: false,
        recovery_pct: None,
        capex: FactorDist::LogNormal(0.0),
        opex: FactorDist::LogNormal(0.0),
        lead_time: LeadTime::fixed(2026, 2.0, 3.0),
        chance_of_success: 1.0,
        owner: prospect::model::owner::OwnerTerms::whole(1),
        rate_pct: 10.0,
        discounting: Discounting::EndOfYear,
        base_irr: None,
        idle_holding_pct: None,
    };
    let opts = SimOptions {
        draws: 50,
        seed: 24,
        fixed: DRIVERS.iter().map(|d| (*d).to_owned()).collect(),
        keep_draws: false,
    };
    let s = simulate::simulate("T", &m, &Assumptions::defaults(), &opts);
    assert!(
        (s.npv_musd.mean - 100.0).abs() < 1e-9,
        "{}",
        s.npv_musd.mean
    );
    assert_eq!(s.prob_proceeds, 1.0);
    assert!(
        (s.risked_npv_musd - 100.0 / 1.21).abs() < 1e-9,
        "{}",
        s.risked_npv_musd
    );
}
