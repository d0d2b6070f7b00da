//! The fitted defaults are reproducible and validated out of sample: the capex curve, the
//! ionic-clay capex factor and the Taylor coefficient are refitted from
//! assumptions/calibration.toml, default.toml must hold the fit, and every point's
//! leave-one-out error is computed (docs/validation.md lists them). Expected
//! out-of-sample figures come from an independent computation of the same data
//! (docs/validation.md, "Calibrations tested out of sample").

use prospect::assumptions::Assumptions;

fn calibration() -> toml::Table {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assumptions/calibration.toml");
    std::fs::read_to_string(path).unwrap().parse().unwrap()
}

fn points<'a>(t: &'a toml::Table, key: &str) -> Vec<&'a toml::Table> {
    t[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_table().unwrap())
        .collect()
}

fn f(p: &toml::Table, k: &str) -> f64 {
    p[k].as_float()
        .unwrap_or_else(|| panic!("{k} of {:?}", p["id"]))
}

/// (ln TREO, ln US$ capex) of a capex point, at the FX table's rate of its year.
fn capex_point(a: &Assumptions, p: &toml::Table) -> (f64, f64) {
    let cur = p["currency"].as_str().unwrap();
    let year = p["year"].as_integer().unwrap() as i32;
    let (usd, at) = a.usd_per_unit(cur, Some(year)).unwrap();
    assert_eq!(at, year, "{:?}: the FX table has its year", p["id"]);
    (f(p, "treo_t").ln(), (f(p, "capex_m") * usd).ln())
}

/// Least squares of y on x: (intercept, slope).
fn ols(xy: &[(f64, f64)]) -> (f64, f64) {
    let n = xy.len() as f64;
    let mx = xy.iter().map(|p| p.0).sum::<f64>() / n;
    let my = xy.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = xy.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = xy.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let b = sxy / sxx;
    (my - b * mx, b)
}

/// Leave-one-out errors, log units: each point against the fit of the others.
fn loo(xy: &[(f64, f64)]) -> Vec<f64> {
    (0..xy.len())
        .map(|i| {
            let rest: Vec<(f64, f64)> = xy
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, p)| *p)
                .collect();
            let (la, b) = ols(&rest);
            xy[i].1 - (la + b * xy[i].0)
        })
        .collect()
}

fn rms(e: &[f64]) -> f64 {
    (e.iter().map(|x| x * x).sum::<f64>() / e.len() as f64).sqrt()
}

#[test]
fn every_point_names_its_study_once() {
    let t = calibration();
    for key in ["capex", "ionic_clay", "taylor"] {
        let ps = points(&t, key);
        let mut ids: Vec<&str> = ps.iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert!(ps.iter().all(|p| !p["study"].as_str().unwrap().is_empty()));
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "{key}: a project counted twice");
    }
    // Songwe Hill enters the capex fit once (its 2022 DFS, P25), not also as its 2014 PFS.
    let capex = points(&t, "capex");
    assert!(!capex.iter().any(|p| p["id"].as_str() == Some("P23")));
    // The ionic-clay factor is not fitted on a point of the curve it corrects.
    for c in points(&t, "ionic_clay") {
        assert!(!capex.iter().any(|p| p["id"] == c["id"]));
    }
}

#[test]
fn the_capex_curve_is_the_fit_of_its_points_and_its_out_of_sample_error_is_known() {
    let a = Assumptions::defaults();
    let t = calibration();
    let xy: Vec<(f64, f64)> = points(&t, "capex")
        .iter()
        .map(|p| capex_point(&a, p))
        .collect();
    let (la, b) = ols(&xy);
    // default.toml holds the fit, rounded to its printed digits.
    assert!(
        (a.costs.capex_a - la.exp()).abs() < 0.005,
        "a = {}",
        la.exp()
    );
    assert!((a.costs.capex_b - b).abs() < 0.0005, "b = {b}");
    let lo = xy.iter().map(|p| p.0.exp()).fold(f64::INFINITY, f64::min);
    let hi = xy.iter().map(|p| p.0.exp()).fold(0.0, f64::max);
    assert_eq!(a.costs.capex_fit_range_t, [lo.round(), hi.round()]);
    // In sample (n - 2 degrees of freedom) and out of sample: 0.327 and 0.384 log units by
    // the independent computation; the out-of-sample RMSE is the curve's simulated spread.
    let res: Vec<f64> = xy.iter().map(|p| p.1 - (la + b * p.0)).collect();
    let s = (res.iter().map(|r| r * r).sum::<f64>() / (xy.len() - 2) as f64).sqrt();
    assert!((s - 0.327).abs() < 0.001, "{s}");
    let e = loo(&xy);
    assert!((rms(&e) - 0.384).abs() < 0.001, "{}", rms(&e));
    assert!((a.uncertainty.estimated_sigma.capex - rms(&e)).abs() < 0.005);
    // Out of sample is worse than in sample for every point (no point is its own best fit).
    for (r, o) in res.iter().zip(&e) {
        assert!(o.abs() >= r.abs(), "{r} {o}");
    }
}

#[test]
fn the_ionic_clay_factor_comes_from_outside_the_fit() {
    let a = Assumptions::defaults();
    let t = calibration();
    let c = points(&t, "ionic_clay");
    assert_eq!(c.len(), 2);
    let resid: Vec<f64> = c
        .iter()
        .map(|p| {
            let (x, y) = capex_point(&a, p);
            y - (a.costs.capex_a.ln() + a.costs.capex_b * x)
        })
        .collect();
    let mean = resid.iter().sum::<f64>() / resid.len() as f64;
    let factor = a.deposits["ionic_clay"].capex_factor;
    assert!((factor - mean.exp()).abs() < 0.005, "{}", mean.exp());
    // Out of sample, each study against the other's factor: Makuutu 0.47 and Carina 1.60
    // of the curve, ln(0.47/1.60) = -1.214 and +1.214 by the independent computation
    // (docs/validation.md): the factor is poorly known, and the test says so.
    let loo = [resid[0] - resid[1], resid[1] - resid[0]];
    assert!((rms(&loo) - 1.214).abs() < 0.002, "{}", rms(&loo));
}

#[test]
fn the_taylor_coefficient_is_the_geometric_mean_and_its_out_of_sample_error_is_known() {
    let a = Assumptions::defaults();
    let t = calibration();
    let k = a.taylor.exponent;
    let logs: Vec<f64> = points(&t, "taylor")
        .iter()
        .map(|p| (f(p, "capacity_mtpa") / f(p, "reserve_mt").powf(k)).ln())
        .collect();
    let n = logs.len() as f64;
    let mean = logs.iter().sum::<f64>() / n;
    assert!(
        (a.taylor.coefficient - mean.exp()).abs() < 0.005,
        "{}",
        mean.exp()
    );
    // Each project against the coefficient of the other three: the error in ln Q is its
    // own log ratio less the others' mean. Independent computation: RMSE 0.159.
    let e: Vec<f64> = logs
        .iter()
        .map(|l| l - (mean * n - l) / (n - 1.0))
        .collect();
    assert!((rms(&e) - 0.159).abs() < 0.001, "{}", rms(&e));
}
