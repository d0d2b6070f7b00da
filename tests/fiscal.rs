//! Fiscal regimes against hand-worked schedules: South Africa's royalty formula on each
//! year's EBIT (MPRRA s.4), Western Australia's royalty by product form (Mining
//! Regulations 1981 r.86) and the Cook Islands' resource-rent tax (25 % above a 20 %
//! return). Round figures are set in the assumptions so the hand work does not depend on
//! the default deck; the statutory figures are the defaults' own.

use prospect::appraisal::Appraisal;
use prospect::appraise::{Options, Terms, appraise};
use prospect::assumptions::Assumptions;
use prospect::context::SiteContext;
use prospect::read::record::{
    DepositType, Location, ProductForm, ProjectRecord, Regime, StudyStage,
};

/// 1,000 t/y TREO, all Nd2O3 at `nd` US$/kg, sold as separated oxide: revenue `nd` x 1
/// US$m/y; opex US$20m/y; capex US$150m in one construction year; 3 years of output, no
/// ramp-up; closure 5 % of capex (US$7.5m) in the last year; 3-year straight-line tax
/// depreciation (US$50m/y). Royalty and tax: the country's defaults.
fn case(country: &str, nd: f64, form: ProductForm) -> (Assumptions, ProjectRecord) {
    let a = Assumptions::with_override(
        "test.toml",
        &format!(
            "[scenarios.flat]\nbase = \"market_2025\"\n[scenarios.flat.oxides]\nnd = {nd}\n\
             [deposits.carbonatite]\nconstruction_y = 1\n[schedule]\nramp_up = []\n\
             [costs]\nclosure_pct_of_capex = 5.0\ndepreciation_y = 3\n"
        ),
    )
    .unwrap();
    let mut r = ProjectRecord::empty(Location::File);
    r.id = "T".into();
    r.name = "Test".into();
    r.country = Some(country.into());
    r.regime = Some(Regime::Onshore);
    r.geology.deposit_type = Some(DepositType::Carbonatite);
    r.development.stage = Some(StudyStage::Pfs);
    r.geology.oxide_shares = [Some(0.0); 15];
    r.geology.oxide_shares[3] = Some(100.0);
    let e = &mut r.economics;
    e.product_form = Some(form);
    e.annual_treo_t = Some(1000.0);
    e.mine_life_y = Some(3.0);
    e.capex_m = Some(150.0);
    e.sustaining_capex_m_per_y = Some(0.0);
    e.opex_m_per_y = Some(20.0);
    e.recovery_pct = Some(60.0);
    (a, r)
}

fn run(a: &Assumptions, r: &ProjectRecord) -> Appraisal {
    let mut opts = Options::at(2026);
    opts.scenario = Some("flat".into());
    opts.discount_rate_pct = Some(10.0);
    let terms = Terms::resolve(a, &opts).unwrap();
    let out = appraise(r, SiteContext::unknown(r), a, &terms, None);
    assert!(out.valued, "{:?}", out.unvalued_reason);
    out
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// South Africa, unrefined formula 0.5 + EBIT/(9 x sales) x 100, at most 7 %; tax 27 %.
/// Years 2-3: EBIT = 100 - 20 - 50 depreciation = 30: rate 0.5 + 30/900 x 100 = 3.8333 %,
/// royalty 3.8333; pre-tax 100 - 3.8333 - 20 = 76.1667; tax 27 % x (76.1667 - 50) = 7.065;
/// net 69.1017. Year 4 also books closure: EBIT 22.5, rate 0.5 + 2.5 = 3 %, royalty 3;
/// pre-tax 69.5, tax 27 % x 19.5 = 5.265, net 64.235.
/// NPV at 10 %: -150/1.1 + 69.1017/1.1^2 + 69.1017/1.1^3 + 64.235/1.1^4 = 16.5357.
/// Catches a formula on revenue instead of EBIT, the wrong divisor, a rate set once at
/// nameplate instead of each year, and depreciation or closure left out of EBIT.
#[test]
fn south_africa_royalty_follows_each_years_ebit_by_hand() {
    let (a, r) = case("ZA", 100.0, ProductForm::SeparatedOxides);
    let out = run(&a, &r);
    let y = &out.cashflows;
    assert_eq!(y.len(), 4);
    let royalty: Vec<f64> = y.iter().map(|f| f.royalty).collect();
    let want = [0.0, 3.833_333_333_333, 3.833_333_333_333, 3.0];
    for (g, w) in royalty.iter().zip(want) {
        assert!((g - w).abs() < 1e-9, "{royalty:?}");
    }
    let net: Vec<f64> = y.iter().map(|f| f.net).collect();
    let want = [-150.0, 69.101_666_666_667, 69.101_666_666_667, 64.235];
    for (g, w) in net.iter().zip(want) {
        assert!((g - w).abs() < 1e-9, "{net:?}");
    }
    assert!((out.npv_musd.base.unwrap() - 16.535_653).abs() < 1e-5);
    // Shown: the nameplate rate (EBIT 30 on sales of 100) and the schedule's average,
    // (3.8333 x 2 + 3) / 300 = 3.5556 %.
    assert!(close(out.royalty_pct.unwrap(), 0.5 + 30.0 / 9.0));
    assert!((out.royalty_effective_pct.unwrap() - 10.666_666_667 / 3.0).abs() < 1e-6);
    assert_eq!(out.tax_rate_pct, Some(27.0));
    assert_eq!(out.rent_tax_pct, None);
    let basis = &out.provenance.get("royalty_pct").unwrap().basis;
    assert!(basis.contains("EBIT"), "{basis}");
}

/// The caps and the floor: at US$1,000/kg the margin is far above 58.5 %, so every
/// production year pays the unrefined cap of 7 %; with the refined formula chosen instead,
/// 5 %. At US$20/kg EBIT is negative (20 - 20 - 50): the 0.5 % minimum.
#[test]
fn south_africa_caps_and_floor() {
    let (a, r) = case("ZA", 1000.0, ProductForm::SeparatedOxides);
    let out = run(&a, &r);
    for f in &out.cashflows[1..] {
        assert!(close(f.royalty, 0.07 * f.revenue), "{f:?}");
    }
    let refined = Assumptions::with_override(
        "refined.toml",
        "[jurisdictions.ZA.royalty_formula_by_product]\nseparated_oxides = \"refined\"\n",
    )
    .unwrap();
    // The case's own round figures, then the refined form over them.
    let mut a2 = a.clone();
    a2.jurisdictions
        .insert("ZA".into(), refined.jurisdictions["ZA"].clone());
    for f in &run(&a2, &r).cashflows[1..] {
        assert!(close(f.royalty, 0.05 * f.revenue), "{f:?}");
    }
    let (a, r) = case("ZA", 20.0, ProductForm::SeparatedOxides);
    for f in &run(&a, &r).cashflows[1..] {
        assert!(close(f.royalty, 0.005 * f.revenue), "{f:?}");
    }
}

/// A record's own royalty is used as given (an ad valorem rate, no formula in its place).
#[test]
fn a_records_royalty_replaces_the_formula() {
    let (a, mut r) = case("ZA", 100.0, ProductForm::SeparatedOxides);
    r.economics.royalty_pct = Some(5.0);
    let out = run(&a, &r);
    for f in &out.cashflows[1..] {
        assert!(close(f.royalty, 5.0), "{f:?}");
    }
    assert_eq!(
        out.provenance.get("royalty_pct").unwrap().origin,
        prospect::model::provenance::Origin::Given
    );
}

/// Western Australia by product form: 5 % on a concentrate or a mixed carbonate, 2.5 % on
/// separated oxides (r.86: concentrate 5 %, metal or final product 2.5 %). Catches one rate
/// for every form.
#[test]
fn western_australia_royalty_by_product_form() {
    for (form, pct) in [
        (ProductForm::Concentrate, 5.0),
        (ProductForm::MixedCarbonate, 5.0),
        (ProductForm::SeparatedOxides, 2.5),
    ] {
        let (a, r) = case("AU", 100.0, form);
        let out = run(&a, &r);
        assert_eq!(out.royalty_pct, Some(pct), "{form}");
        for f in &out.cashflows[1..] {
            assert!(close(f.royalty, f.revenue * pct / 100.0), "{form}: {f:?}");
        }
    }
}

/// The Cook Islands: royalty 3 %, company tax 20 %, resource-rent tax 25 % above a 20 %
/// return. At US$200/kg: year 1 -150; years 2-3 pre-tax 200 - 6 - 20 = 174, tax 20 % x
/// (174 - 50) = 24.8, after tax 149.2; year 4 pre-tax 166.5, tax 23.3, after tax 143.2.
/// Rent: -150 carried; 149.2 - 150 x 1.2 = -30.8 carried; 149.2 - 30.8 x 1.2 = 112.24 taxed
/// 25 %: 28.06; year 4 all 143.2 is rent: 35.8. Net -150, 149.2, 121.14, 107.4; NPV at
/// 10 % 151.3121. Catches a rent tax on the first positive year, no uplift of the carry,
/// and a tax on pre-tax instead of after-tax cash flow.
#[test]
fn cook_islands_rent_tax_by_hand() {
    let (a, r) = case("CK", 200.0, ProductForm::SeparatedOxides);
    let out = run(&a, &r);
    let rent: Vec<f64> = out.cashflows.iter().map(|f| f.rent_tax).collect();
    let want = [0.0, 0.0, 28.06, 35.8];
    for (g, w) in rent.iter().zip(want) {
        assert!((g - w).abs() < 1e-9, "{rent:?}");
    }
    let net: Vec<f64> = out.cashflows.iter().map(|f| f.net).collect();
    for (g, w) in net.iter().zip([-150.0, 149.2, 121.14, 107.4]) {
        assert!((g - w).abs() < 1e-9, "{net:?}");
    }
    assert!((out.npv_musd.base.unwrap() - 151.312_069).abs() < 1e-5);
    assert_eq!(out.rent_tax_pct, Some(25.0));
    assert_eq!(out.rent_tax_threshold_pct, Some(20.0));
    assert!((out.rent_tax_musd.unwrap() - 63.86).abs() < 1e-9);
    // A record's own tax rate is its whole income taxation: no rent tax then.
    let mut own = r.clone();
    own.economics.tax_rate_pct = Some(20.0);
    let out = run(&a, &own);
    assert!(out.cashflows.iter().all(|f| f.rent_tax == 0.0));
    assert_eq!(out.rent_tax_pct, None);
}

/// Bad fiscal figures are refused at load, naming the path.
#[test]
fn bad_fiscal_figures_are_refused_naming_the_path() {
    for (over, path) in [
        (
            "[jurisdictions.ZA.royalty_formulas.unrefined]\nintercept_pct = 0.5\nebit_divisor = 9.0\ncap_pct = 0.1\n",
            "jurisdictions.ZA.royalty_formulas.unrefined",
        ),
        (
            "[jurisdictions.ZA.royalty_formula_by_product]\nconcentrate = \"nowhere\"\n",
            "jurisdictions.ZA.royalty_formula_by_product.concentrate",
        ),
        (
            "[jurisdictions.AU.royalty_by_product_pct]\nore = 7.5\n",
            "jurisdictions.AU.royalty_by_product_pct.ore",
        ),
        (
            "[jurisdictions.CK.rent_tax]\nrate_pct = 125.0\nthreshold_pct = 20.0\nsource = \"x\"\n",
            "jurisdictions.CK.rent_tax",
        ),
    ] {
        let e = Assumptions::with_override("bad.toml", over).unwrap_err();
        assert!(e.to_string().contains(path), "{e}");
    }
}

/// A subdivision with its own row takes it: the Northern Territory's 3.5 % for a chemically
/// refined product (a mixed carbonate) and 2.5 % for separated oxides, against Western
/// Australia's 5 % and 2.5 % under the AU row; a subdivision without a row (AU-NSW) takes
/// the country's. Catches a subdivision ignored, or one that loses the country's terms.
#[test]
fn a_subdivision_row_replaces_the_countrys() {
    for (sub, form, pct) in [
        (Some("AU-NT"), ProductForm::MixedCarbonate, 3.5),
        (Some("AU-NT"), ProductForm::Concentrate, 5.0),
        (Some("AU-NT"), ProductForm::SeparatedOxides, 2.5),
        (None, ProductForm::MixedCarbonate, 5.0),
        (Some("AU-NSW"), ProductForm::MixedCarbonate, 5.0),
    ] {
        let (a, mut r) = case("AU", 100.0, form);
        r.subdivision = sub.map(str::to_owned);
        let out = run(&a, &r);
        assert_eq!(out.royalty_pct, Some(pct), "{sub:?} {form}");
        assert_eq!(out.tax_rate_pct, Some(30.0));
        let basis = &out.provenance.get("royalty_pct").unwrap().basis;
        let named = if sub == Some("AU-NT") { "AU-NT" } else { "AU" };
        assert!(
            basis.starts_with(&format!("jurisdiction {named},")),
            "{basis}"
        );
    }
    // A subdivision of another country is an error of the record, named by its field.
    let (_, mut r) = case("AU", 100.0, ProductForm::Concentrate);
    r.subdivision = Some("CA-QC".into());
    let problems = prospect::read::validate::record(&r, &[]);
    assert!(
        problems
            .iter()
            .any(|d| d.field.as_deref() == Some("subdivision")),
        "{problems:?}"
    );
}
