//! Numbers protected by expected values that do not come from the code: hand-worked cash
//! flows, analytic moments of the distributions the simulation draws from, and published
//! study figures. Each test says which break of the model it catches (docs/reliability.md,
//! mutation testing). Assumptions are overridden in each test with round figures, so the
//! hand work does not depend on the default deck or tables.

use std::path::PathBuf;

use prospect::assumptions::Assumptions;
use prospect::context::SiteContext;
use prospect::model::cashflow::{Discounting, ScheduleInputs};
use prospect::model::cost::{self, Money, Remoteness};
use prospect::model::grade::{self, Production};
use prospect::model::leadtime::LeadTime;
use prospect::model::provenance::Provenance;
use prospect::model::risk;
use prospect::model::simulate::{self, DRIVERS, DrawModel, FactorDist, SimOptions};
use prospect::read::record::{
    Commodity, DepositType, Location, ProcessingRoute, ProductForm, ProjectRecord, Regime,
    StudyStage,
};

fn assumptions(over: &str) -> Assumptions {
    Assumptions::with_override("test.toml", over).unwrap()
}

/// A draw model whose NPV is linear in the price and output factors: revenue only, no
/// cost, royalty or tax; one construction year with nothing spent, then one production
/// year. NPV = revenue x factors / 1.1^2.
fn linear_model(revenue_parts: [f64; 8], recovery_pct: Option<f64>) -> DrawModel {
    DrawModel {
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
        recovery_pct,
        capex: FactorDist::LogNormal(0.0),
        opex: FactorDist::LogNormal(0.0),
        lead_time: LeadTime::fixed(2026, 0.0, 0.0),
        chance_of_success: 1.0,
        owner: prospect::model::owner::OwnerTerms::whole(1),
        rate_pct: 10.0,
        discounting: Discounting::EndOfYear,
        base_irr: None,
        idle_holding_pct: None,
    }
}

/// Every draw's NPV, with every driver but `free` held at base.
fn draws(m: &DrawModel, a: &Assumptions, free: &[&str], n: usize) -> Vec<f64> {
    let opts = SimOptions {
        draws: n,
        seed: 11,
        fixed: DRIVERS
            .iter()
            .filter(|d| !free.contains(d))
            .map(|d| (*d).to_owned())
            .collect(),
        keep_draws: true,
    };
    simulate::simulate("T", m, a, &opts)
        .kept
        .iter()
        .map(|(npv, _)| *npv)
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

/// Sorted copy.
fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s
}

/// A price factor exp(sigma z - sigma^2/2) has mean 1, median exp(-sigma^2/2) and
/// quantiles exp(-sigma^2/2 + sigma z_p) (lognormal moments). Catches the loss of the
/// -sigma^2/2 term, which would raise every simulated mean by exp(sigma^2/2) (6 % at
/// sigma 0.35), and a spread other than sigma.
#[test]
fn price_factors_are_mean_preserving_lognormals() {
    let a = assumptions("");
    let s = a.uncertainty.prices.sigma[0];
    let base = 100.0 / 1.1f64.powi(2);
    let factors: Vec<f64> = draws(
        &linear_model([100.0, 0., 0., 0., 0., 0., 0., 0.], None),
        &a,
        &["price_ndpr"],
        40_000,
    )
    .iter()
    .map(|npv| npv / base)
    .collect();
    // Standard error of the mean: sqrt(exp(s^2) - 1) / sqrt(n) = 0.0018 at s = 0.35;
    // the tolerance is five of them.
    let se = ((s * s).exp() - 1.0).sqrt() / (factors.len() as f64).sqrt();
    let m = mean(&factors);
    assert!((m - 1.0).abs() < 5.0 * se, "mean {m}, se {se}");
    // Quantiles: z_0.1 = -1.2815516, z_0.9 = +1.2815516 (normal table).
    let s2 = sorted(&factors);
    let q = |p: f64| simulate::quantile(&s2, p);
    let z = 1.281_551_565_544_600_4;
    for (p, want) in [
        (0.1, (-s * s / 2.0 - s * z).exp()),
        (0.5, (-s * s / 2.0).exp()),
        (0.9, (-s * s / 2.0 + s * z).exp()),
    ] {
        assert!(
            (q(p) / want - 1.0).abs() < 0.02,
            "P{}: {} vs {want}",
            p * 100.0,
            q(p)
        );
    }
}

/// Two price drivers with correlation rho in the assumptions: the logs of their factors
/// correlate at rho, and their ranks at (6/pi) asin(rho/2) (Spearman's rho of a bivariate
/// normal, Pearson 1907). Catches drawing the prices independently (the Cholesky factor
/// ignored) and a wrong factor.
#[test]
fn price_factors_follow_the_correlation_matrix() {
    // Identity but for NdPr-DyTb 0.8 and NdPr-light 0.3.
    let mut rows = Vec::new();
    for i in 0..8 {
        let row: Vec<String> = (0..8)
            .map(|j| {
                let v = match (i.min(j), i.max(j)) {
                    (k, l) if k == l => 1.0,
                    (0, 1) => 0.8,
                    (0, 2) => 0.3,
                    _ => 0.0,
                };
                format!("{v:.1}")
            })
            .collect();
        rows.push(format!("[{}]", row.join(", ")));
    }
    let a = assumptions(&format!(
        "[uncertainty.prices]\ncorrelation = [{}]\n",
        rows.join(", ")
    ));
    let free = ["price_ndpr", "price_dytb", "price_light", "price_heavy"];
    let one = |i: usize| {
        let mut parts = [0.0; 8];
        parts[i] = 100.0;
        let v = draws(&linear_model(parts, None), &a, &free, 20_000);
        v.iter().map(|x| x.ln()).collect::<Vec<f64>>()
    };
    let (ndpr, dytb, light, heavy) = (one(0), one(1), one(2), one(3));
    // Sampling error of a correlation about (1 - rho^2) / sqrt(n): 0.003 at rho 0.8 and
    // n = 20,000; 0.007 at rho 0. Tolerance 0.02.
    assert!((pearson(&ndpr, &dytb) - 0.8).abs() < 0.02);
    assert!((pearson(&ndpr, &light) - 0.3).abs() < 0.02);
    assert!(pearson(&ndpr, &heavy).abs() < 0.02);
    assert!(pearson(&dytb, &light).abs() < 0.02 + 0.8 * 0.3); // implied, not zero
    let rho_s = simulate::spearman(&ndpr, &dytb);
    let want = 6.0 / std::f64::consts::PI * (0.4f64).asin();
    assert!((rho_s - want).abs() < 0.02, "{rho_s} vs {want}");
}

/// The recovery draw shifts TREO recovery by a triangular number of points: with
/// triangle (-20, -10, 0) the mean shift is -10 points, so at 50 % recovery output and
/// revenue fall by 20 % on average, and never rise. Catches a recovery draw that is made
/// but not applied.
#[test]
fn recovery_draws_move_output() {
    let a = assumptions("[uncertainty.recovery_pts]\nmin = -20.0\nmode = -10.0\nmax = 0.0\n");
    let base = 100.0 / 1.1f64.powi(2);
    let f: Vec<f64> = draws(
        &linear_model([100.0, 0., 0., 0., 0., 0., 0., 0.], Some(50.0)),
        &a,
        &["recovery"],
        20_000,
    )
    .iter()
    .map(|npv| npv / base)
    .collect();
    // Triangle sd sqrt((400 + 100 + 0 - 200) / 18) = 4.08 points = 0.082 of output;
    // standard error 0.0006 at 20,000 draws. Tolerance 0.005.
    assert!((mean(&f) - 0.8).abs() < 0.005, "{}", mean(&f));
    assert!(f.iter().all(|x| (0.6 - 1e-9..=1.0 + 1e-9).contains(x)));
    // The triangle's median, 10 + 20 (1 - sqrt(1/2))... mode at the centre: median -10.
    let s = sorted(&f);
    assert!((simulate::quantile(&s, 0.5) - 0.8).abs() < 0.005);
}

fn rare_earth_production(annual_treo_t: f64, form: ProductForm) -> Production {
    let mut shares = [0.0; 15];
    shares[3] = 100.0;
    Production {
        commodity: Commodity::RareEarths,
        oxide_shares_pct: shares,
        basket_price_usd_per_kg: 100.0,
        product_form: form,
        payable_price_usd_per_kg: 100.0,
        ndpr_value_share_pct: 100.0,
        dytb_value_share_pct: 0.0,
        recovery_pct: 60.0,
        throughput_mtpa: None,
        mine_life_y: 10.0,
        annual_treo_t,
        annual_ndpr_t: annual_treo_t,
        annual_dytb_t: 0.0,
        annual_metals_t: Default::default(),
        annual_revenue_musd: annual_treo_t * 1000.0 * 100.0 / 1e6,
        inferred_share_pct: None,
        fixed_revenue_musd_per_y: 0.0,
        netback: None,
    }
}

fn record() -> ProjectRecord {
    let mut r = ProjectRecord::empty(Location::File);
    r.id = "T".into();
    r.name = "Test".into();
    r.country = Some("AU".into());
    r.regime = Some(Regime::Onshore);
    r.geology.deposit_type = Some(DepositType::Carbonatite);
    r.development.stage = Some(StudyStage::Pfs);
    r
}

/// Freight by hand: 10,000 t/y TREO in a 50 % TREO concentrate is 20,000 t/y of product;
/// 1,000 km at US$0.10 per t km is US$2.0 million a year. Closure: 10 % of a given US$400m
/// capex is US$40m. Catches a freight figure off by a unit (t vs kt, US$ vs US$ million)
/// and a closure cost dropped.
#[test]
fn freight_and_closure_by_hand() {
    let a = assumptions(
        "[products.concentrate]\ntreo_pct_of_product = 50.0\n[costs]\nlogistics_usd_per_t_km = 0.10\nclosure_pct_of_capex = 10.0\n",
    );
    let mut r = record();
    r.economics.capex_m = Some(400.0);
    let p = rare_earth_production(10_000.0, ProductForm::Concentrate);
    let near = Remoteness {
        to_plant_km: Some(1000.0),
        to_shore_km: None,
    };
    let c = cost::costs(&r, &p, near, &a, &mut Provenance::default()).unwrap();
    assert!(
        (c.logistics_musd_per_y - 2.0).abs() < 1e-9,
        "{}",
        c.logistics_musd_per_y
    );
    assert!((c.closure_musd - 40.0).abs() < 1e-9, "{}", c.closure_musd);
    // Separated oxides are sold where they are made: no freight to a plant.
    let p = rare_earth_production(10_000.0, ProductForm::SeparatedOxides);
    let c = cost::costs(
        &r,
        &p,
        Remoteness::default(),
        &a,
        &mut Provenance::default(),
    )
    .unwrap();
    assert_eq!(c.logistics_musd_per_y, 0.0);
}

/// A Chinese owner or offtaker multiplies the chance by the China-linkage figure, and
/// separation in China by its own: base 0.4 (a PFS), policy score 100 (multiplier 1),
/// then 0.5 and 0.25. Catches a China-linkage multiplier that does nothing.
#[test]
fn china_linkage_multiplies_the_chance_by_hand() {
    let a = assumptions(
        "[risk.base_rate]\npfs = 0.4\n[risk.policy_score]\nAU = 100.0\n[risk.multipliers]\nchina_ownership_or_offtake = 0.5\nchina_processing = 0.25\n",
    );
    let chance = |r: &ProjectRecord| {
        let mut site = SiteContext::unknown(r);
        site.regime = Some(Regime::Onshore);
        site.protected_area = None;
        risk::risk(r, &site, &a).chance_of_success
    };
    let mut r = record();
    assert!((chance(&r) - 0.4).abs() < 1e-12, "{}", chance(&r));
    r.ownership.offtaker_countries = vec!["CN".into()];
    assert!((chance(&r) - 0.2).abs() < 1e-12, "{}", chance(&r));
    r.ownership.processing_route = Some(ProcessingRoute::China);
    assert!((chance(&r) - 0.05).abs() < 1e-12, "{}", chance(&r));
}

/// One project through every model, every figure given, worked by hand:
/// 1,000 t/y TREO, all Nd2O3 at US$100/kg, sold as separated oxide (100 % payable):
/// revenue US$100m/y; royalty 5 %; opex US$20m/y; capex US$150m in one construction
/// year; 3 years of output with no ramp-up; closure 5 % of capex (US$7.5m) in the last
/// year; tax 30 % with 3-year straight-line depreciation (US$50m/y).
/// Years: -150; 100 - 5 - 20 = 75 less tax 30 % x (75 - 50) = 7.5: 67.5; again 67.5;
/// 75 - 7.5 = 67.5 less tax 30 % x (67.5 - 50) = 5.25: 62.25.
/// NPV at 10 %, end of year: -150/1.1 + 67.5/1.1^2 + 67.5/1.1^3 + 62.25/1.1^4 = 12.652824.
#[test]
fn one_project_by_hand() {
    let a = assumptions(
        "[scenarios.flat]\nbase = \"market_2025\"\n[scenarios.flat.oxides]\nnd = 100.0\n\
         [deposits.carbonatite]\nconstruction_y = 1\n[schedule]\nramp_up = []\n\
         [costs]\nclosure_pct_of_capex = 5.0\ndepreciation_y = 3\n",
    );
    let mut r = record();
    let g = &mut r.geology;
    g.oxide_shares = [Some(0.0); 15];
    g.oxide_shares[3] = Some(100.0);
    let e = &mut r.economics;
    e.product_form = Some(ProductForm::SeparatedOxides);
    e.annual_treo_t = Some(1000.0);
    e.mine_life_y = Some(3.0);
    e.capex_m = Some(150.0);
    e.sustaining_capex_m_per_y = Some(0.0);
    e.opex_m_per_y = Some(20.0);
    e.royalty_pct = Some(5.0);
    e.tax_rate_pct = Some(30.0);
    e.recovery_pct = Some(60.0);
    let mut opts = prospect::appraise::Options::at(2026);
    opts.scenario = Some("flat".into());
    opts.discount_rate_pct = Some(10.0);
    let terms = prospect::appraise::Terms::resolve(&a, &opts).unwrap();
    let out = prospect::appraise::appraise(&r, SiteContext::unknown(&r), &a, &terms, None);
    assert!(out.valued, "{:?}", out.unvalued_reason);
    let net: Vec<f64> = out.cashflows.iter().map(|y| y.net).collect();
    let want = [-150.0, 67.5, 67.5, 62.25];
    assert_eq!(net.len(), 4, "{net:?}");
    for (got, want) in net.iter().zip(want) {
        assert!((got - want).abs() < 1e-9, "{net:?}");
    }
    let closure: f64 = out.cashflows.iter().map(|y| y.closure).sum();
    assert!((closure - 7.5).abs() < 1e-9);
    assert!((out.npv_musd.base.unwrap() - 12.652_824).abs() < 1e-5);
    // Undiscounted cumulative: -150, -82.5, -15, +47.25: payback 2 + 15/62.25 years after
    // production starts.
    assert!((out.payback_years.unwrap() - (2.0 + 15.0 / 62.25)).abs() < 1e-9);
}

/// The capex curve against the published capex of the studies it was fitted on (the
/// samples' own figures, converted at the study year's rate): the mean log residual is
/// within two standard errors of zero, the standard error being the curve's stated
/// residual (0.37 log units) over the square root of the number of studies. Catches a
/// wrong exponent or coefficient (an exponent of 0.5 instead of 0.377 overestimates these
/// studies about 2.5 times).
#[test]
fn capex_curve_matches_the_published_studies_it_rests_on() {
    let a = Assumptions::defaults();
    let data = prospect::read::read_all(&[PathBuf::from("samples/projects.csv")]).unwrap();
    // The studies of the fit (assumptions/default.toml, [costs]) that are samples.
    let fit = [
        "NOL", "BRR", "KVA", "SGW", "NGU", "LOF", "MAK", "RTP", "HAL", "BEL", "BOK",
    ];
    let prices = a.prices(&a.valuation.default_scenario).unwrap();
    let mut residuals = Vec::new();
    for rec in data.records.iter().filter(|r| fit.contains(&r.id.as_str())) {
        let published = rec.economics.capex_m.expect("the fit studies give capex");
        let year = rec.study.year.or(rec.development.stage_year);
        let usd = Money::of(rec.currency(), year, &a).unwrap().usd(published);
        let mut r = rec.clone();
        r.economics.capex_m = None;
        let mut log = Provenance::default();
        let p = grade::production(&r, &a, &prices, &mut log).unwrap();
        let c = cost::costs(&r, &p, Remoteness::default(), &a, &mut log).unwrap();
        residuals.push((usd / c.capex_musd).ln());
    }
    assert_eq!(residuals.len(), fit.len());
    let n = residuals.len() as f64;
    let m = mean(&residuals);
    let tolerance = 2.0 * 0.37 / n.sqrt();
    assert!(
        m.abs() < tolerance,
        "mean log residual {m:.3} (tolerance {tolerance:.3}): {residuals:?}"
    );
}
