//! A published study beside the model: the study's NPV in US$, and the model's NPV under
//! the study's own prices, discount rate and tax basis where the record gives them, with
//! the price deck the published NPV implies.

use serde::Serialize;

use crate::assumptions::Assumptions;
use crate::model::cashflow::{self, ScheduleInputs};
use crate::model::cost::Money;
use crate::model::grade::Production;
use crate::model::terms::Terms;
use crate::read::record::{NpvBasis, ProjectRecord};

/// The model beside a published study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyComparison {
    pub study_type: Option<String>,
    pub study_year: Option<i32>,
    /// Published NPV, US$ million at the study year's exchange rate (US$ of the study year).
    pub published_npv_musd: f64,
    /// The published NPV in US$ of the run's real year (`money_year`): `published_npv_musd`
    /// × CPI(real year) / CPI(study year). The deviation and the implied prices compare
    /// against it, as the model's NPV is in the same money (issue 14).
    pub published_npv_real_musd: f64,
    /// The real year of `published_npv_real_musd` and `model_npv_musd`.
    pub money_year: i32,
    /// CPI(real year) / CPI(study year).
    pub cpi_factor: f64,
    /// Published NPV in the study's currency, millions.
    pub published_npv_m: f64,
    pub currency: String,
    /// The model's NPV under the study's prices, discount rate and tax basis, US$ million.
    pub model_npv_musd: Option<f64>,
    /// (model - published) / |published|, %.
    pub deviation_pct: Option<f64>,
    pub discount_rate_pct: f64,
    /// pre_tax or post_tax.
    pub npv_basis: String,
    /// Factor applied to the run's price deck to match the study's prices.
    pub price_factor: f64,
    /// The multiple of the run's price deck at which the model, under the study's discount
    /// rate and tax basis, reproduces the published NPV: the deck the study implies.
    pub implied_price_factor: Option<f64>,
    /// The NdPr oxide price that multiple implies, US$/kg.
    pub implied_ndpr_usd_per_kg: Option<f64>,
    /// How the study's terms were matched, and what was not known.
    pub notes: Vec<String>,
    /// Where year 0 of `model_npv_musd` is: always `start_of_construction`, with the full
    /// initial capex, as studies are valued.
    pub npv_convention: &'static str,
    /// Published IRR, % (null when the record gives none).
    pub published_irr_pct: Option<f64>,
    /// The model's IRR under the study's prices and tax basis, %, beside it.
    pub model_irr_pct: Option<f64>,
    /// The rebuild on the study's terms and the bridge in named steps from the published
    /// NPV to prospect's own (`model::bridge`, issue 14); null when the project is not
    /// valued.
    pub bridge: Option<crate::model::bridge::Bridge>,
}

/// A published study's NPV in US$, with the model's side left empty.
pub fn published(rec: &ProjectRecord, a: &Assumptions) -> Option<StudyComparison> {
    let s = &rec.study;
    let published = s.npv_m?;
    let currency = s
        .currency
        .clone()
        .unwrap_or_else(|| rec.currency().to_owned());
    let year = s.year.or(rec.development.stage_year);
    let money = Money::of(&currency, year, a).ok()?;
    let cpi = a.money.escalation(year);
    Some(StudyComparison {
        study_type: s.study_type.map(|t| t.as_str().to_owned()),
        study_year: s.year,
        published_npv_musd: money.usd(published) / cpi.factor,
        published_npv_real_musd: money.usd(published),
        money_year: cpi.to_year,
        cpi_factor: cpi.factor,
        published_npv_m: published,
        currency,
        model_npv_musd: None,
        deviation_pct: None,
        discount_rate_pct: s.discount_rate_pct.unwrap_or(a.valuation.discount_rate_pct),
        npv_basis: match s.npv_basis {
            Some(NpvBasis::PreTax) => "pre_tax",
            _ => "post_tax",
        }
        .into(),
        price_factor: 1.0,
        implied_price_factor: None,
        implied_ndpr_usd_per_kg: None,
        notes: Vec::new(),
        npv_convention: "start_of_construction",
        published_irr_pct: s.irr_pct,
        model_irr_pct: None,
        bridge: None,
    })
}

/// The model under a published study's own prices, discount rate, tax basis and currency.
pub fn compare(
    rec: &ProjectRecord,
    p: &Production,
    inputs: &ScheduleInputs,
    scratch: &std::cell::RefCell<Vec<f64>>,
    a: &Assumptions,
    terms: &Terms,
) -> Option<StudyComparison> {
    let mut out = published(rec, a)?;
    let s = &rec.study;
    let deck_ndpr = terms.prices.oxides[3];
    // The study's prices are in US$ of its year: brought to the real year first.
    let f = out.cpi_factor;
    out.price_factor = if let (Some(basket), true) =
        (s.basket_price_per_kg, p.basket_price_usd_per_kg > 0.0)
    {
        out.notes.push(format!(
            "prices scaled so the basket is the study's US${basket}/kg TREO (x {f:.4} CPI to {} money)",
            out.money_year
        ));
        basket * f / p.basket_price_usd_per_kg
    } else if let (Some(ndpr), true) = (s.ndpr_price_per_kg, deck_ndpr > 0.0) {
        out.notes.push(format!("prices scaled by the study's NdPr price US${ndpr}/kg (x {f:.4} CPI to {} money) over the deck's US${deck_ndpr:.2}/kg", out.money_year));
        ndpr * f / deck_ndpr
    } else {
        out.notes.push(format!(
            "the study's price deck is not in the record: the {} deck is used",
            terms.prices.scenario
        ));
        1.0
    };
    if s.discount_rate_pct.is_none() {
        out.discount_rate_pct = terms.discount_rate_pct;
        out.notes.push(format!(
            "the study's discount rate is not in the record: {} % is used",
            terms.discount_rate_pct
        ));
    }
    if s.npv_basis.is_none() {
        out.notes
            .push("the study's tax basis is not in the record: after-tax NPV is compared".into());
    }
    let after_tax = out.npv_basis == "post_tax";
    let (rate, discounting) = (out.discount_rate_pct, terms.discounting);
    let model = cashflow::value_at(
        inputs,
        out.price_factor,
        scratch,
        rate,
        discounting,
        after_tax,
    );
    out.model_npv_musd = Some(model);
    let published = out.published_npv_real_musd;
    out.implied_price_factor = cashflow::breakeven_factor(|k| {
        cashflow::value_at(inputs, k, scratch, rate, discounting, after_tax) - published
    });
    if p.commodity == crate::read::record::Commodity::RareEarths {
        out.implied_ndpr_usd_per_kg = out.implied_price_factor.map(|k| k * deck_ndpr);
    }
    // The IRR beside the NPV: a study can match on NPV and not on IRR when its capital is
    // larger or later than the record's initial capex.
    if out.published_irr_pct.is_some() {
        let mut flows = scratch.borrow_mut();
        cashflow::flows_into(inputs, out.price_factor, after_tax, &mut flows);
        out.model_irr_pct = cashflow::irr(&flows).pct();
    }
    out.deviation_pct = (published != 0.0).then(|| (model - published) / published.abs() * 100.0);
    Some(out)
}

/// The study's own operating terms from the record (issue 14), in US$ million of the real
/// year: each converted at the study year's exchange rate and brought to the real year
/// by the CPI ratio, as the published NPV is; life-of-mine figures spread evenly over the
/// record's mine life (`None` without one). Used only by the study rebuild.
pub fn operating_terms(
    rec: &ProjectRecord,
    a: &Assumptions,
) -> crate::model::bridge::OperatingTerms {
    let s = &rec.study;
    let t = &s.terms;
    let mut out = crate::model::bridge::OperatingTerms::default();
    let currency = s
        .currency
        .clone()
        .unwrap_or_else(|| rec.currency().to_owned());
    let Ok(money) = Money::of(&currency, s.year.or(rec.development.stage_year), a) else {
        return out;
    };
    let life = rec.economics.mine_life_y.filter(|l| *l > 0.0);
    let mut pick = |given: Option<f64>, name: &'static str| {
        given.map(|v| {
            out.used.push(name);
            money.usd(v)
        })
    };
    let per_y = pick(t.revenue_m_per_y, "study_revenue_musd_per_y");
    let lom = match (per_y, life) {
        (None, Some(l)) => pick(t.revenue_lom_m, "study_revenue_lom_musd").map(|v| v / l),
        _ => None,
    };
    let revenue = per_y.or(lom);
    // The by-product part counts only inside a study revenue (check warns otherwise).
    if revenue.is_some() {
        out.byproduct_revenue_musd_per_y = pick(
            t.byproduct_revenue_m_per_y,
            "study_byproduct_revenue_musd_per_y",
        );
    }
    let ebitda_y = pick(t.ebitda_m_per_y, "study_ebitda_musd_per_y");
    let ebitda_lom = match (ebitda_y, life) {
        (None, Some(l)) => pick(t.ebitda_lom_m, "study_ebitda_lom_musd").map(|v| v / l),
        _ => None,
    };
    let fcf = pick(t.fcf_m_per_y, "study_fcf_musd_per_y");
    let opex = pick(t.opex_m_per_y, "study_opex_musd_per_y");
    let sustaining = pick(
        t.sustaining_capex_m_per_y,
        "study_sustaining_capex_musd_per_y",
    );
    let capex = pick(t.capex_m, "study_capex_musd");
    out.revenue_musd_per_y = revenue;
    out.ebitda_musd_per_y = ebitda_y.or(ebitda_lom);
    out.fcf_musd_per_y = fcf;
    out.opex_musd_per_y = opex;
    out.sustaining_musd_per_y = sustaining;
    out.capex_musd = capex;
    if let Some(c) = t.construction_y {
        out.used.push("study_construction_y");
        out.construction_y = Some(c);
    }
    if let Some(r) = &t.ramp_up_pct {
        out.used.push("study_ramp_up_pct");
        out.ramp_up = Some(r.iter().map(|x| x / 100.0).collect());
    }
    if let Some(r) = t.royalty_pct {
        out.used.push("study_royalty_pct");
        out.royalty_pct = Some(r);
    }
    if let Some(r) = t.tax_rate_pct {
        out.used.push("study_tax_rate_pct");
        out.tax_rate_pct = Some(r);
    }
    // The flow a published IRR implies needs the study's own capex and life, never the
    // model's estimates of them. The rebuild takes it only when the record gives no study
    // deck and no operating term (bridge::rebuild_inputs); the NPV it implies is reported
    // beside every rebuild.
    let capex_given = t.capex_m.is_some() || rec.economics.capex_m.is_some();
    if capex_given && life.is_some() {
        out.irr_for_flow_pct = s.irr_pct.filter(|r| r.is_finite() && *r > 0.0);
    }
    out.deck_given = s.basket_price_per_kg.is_some() || s.ndpr_price_per_kg.is_some();
    out
}
