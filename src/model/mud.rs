//! Seabed-mud model: a conceptual operation on REY-rich deep-sea mud (Minamitorishima
//! type), built from the resource. Mud (dry t) is lifted from the water depth by a vessel
//! and riser whose capex scales with daily capacity and depth and whose operating cost is
//! a day rate raised with depth plus a cost per tonne; a hydrocyclone upgrades the
//! REY-bearing phosphate grains on board (grade factor and recovery); the concentrate is
//! dewatered at the island base, shipped to a Japanese port, leached to a mixed product and
//! separated outside China at toll charges. A capacity scenario of the assumptions
//! (`[mud.scenarios]`) sets the daily tonnage and, for co-mining, the share of
//! ferromanganese nodules in the lifted solids. Besides NPV a state programme needs the
//! cost of a kilogram of Dy+Tb (and of heavy rare earths) secured, and the subsidy per
//! kilogram that makes NPV zero: [`summary`] gives them. docs/models.md shows the formulas.

use serde::Serialize;

use crate::assumptions::{Assumptions, Prices};
use crate::model::cashflow::{self, Discounting, ScheduleInputs, YearFlow};
use crate::model::cost::{self, Costs, Money};
use crate::model::grade::{self, Production, Unvalued};
use crate::model::provenance::Provenance;
use crate::read::record::{Commodity, ProductForm, ProjectRecord, Regime};

/// Index of the first heavy oxide (Eu) in the oxide order of the record; Y (last) is heavy too.
const EU: usize = 5;
const TB: usize = 7;
const DY: usize = 8;

/// The physical flow of one mud operation at nameplate (per year unless stated).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MudFlow {
    pub scenario: String,
    /// Dry solids lifted, t per operating day.
    pub capacity_t_per_day: f64,
    pub vessels: u32,
    /// Share of nodules in the lifted solids, 0-1.
    pub nodule_share: f64,
    /// Water depth used, m.
    pub water_depth_m: f64,
    /// Mud grade, ppm REO (rare-earth oxides incl. Y2O3).
    pub mud_grade_ppm: f64,
    /// Dry mud lifted, t/y.
    pub mud_t_per_y: f64,
    /// Nodules lifted (co-mining), wet t/y.
    pub nodules_t_per_y: f64,
    pub upgrade_factor: f64,
    /// REO recovery of the hydrocyclone, %.
    pub upgrade_recovery_pct: f64,
    /// Concentrate after the hydrocyclone, dry t/y.
    pub concentrate_t_per_y: f64,
    /// Concentrate grade, ppm REO.
    pub concentrate_grade_ppm: f64,
    /// REO recovered to separated oxides, t/y.
    pub annual_treo_t: f64,
    /// Heavy rare-earth oxides (Eu-Lu and Y), t/y.
    pub annual_hreo_t: f64,
    /// Dy2O3 + Tb4O7, t/y.
    pub annual_dytb_t: f64,
    pub port: String,
    /// Geodesic distance from the site to the port, km.
    pub port_distance_km: f64,
    /// Mineable mud in the plan, dry Mt, and how it was found.
    pub mineable_mud_mt: f64,
    /// Years the resource would last at this rate.
    pub resource_life_y: f64,
}

/// Annual operating cost by step at nameplate, US$ million.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MudOpex {
    pub lift_musd: f64,
    pub upgrade_musd: f64,
    pub dewatering_musd: f64,
    pub shipping_musd: f64,
    pub leach_musd: f64,
    pub separation_musd: f64,
    pub nodule_processing_musd: f64,
}

impl MudOpex {
    /// Everything but shipping (which the schedule carries as logistics).
    fn site_musd(&self) -> f64 {
        self.lift_musd
            + self.upgrade_musd
            + self.dewatering_musd
            + self.leach_musd
            + self.separation_musd
            + self.nodule_processing_musd
    }
}

/// Capex by part, US$ million.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MudCapex {
    pub lift_musd: f64,
    pub plant_musd: f64,
}

/// A mud operation under one scenario: what it produces and what it costs.
#[derive(Debug, Clone, PartialEq)]
pub struct MudCase {
    pub flow: MudFlow,
    pub production: Production,
    pub costs: Costs,
    pub opex: MudOpex,
    pub capex: MudCapex,
}

fn unvalued<T>(reason: impl Into<String>) -> Result<T, Unvalued> {
    Err(Unvalued {
        reason: reason.into(),
    })
}

/// The scenario a record asks for (`capacity_scenario`), else the default.
pub fn scenario_name<'a>(rec: &'a ProjectRecord, a: &'a Assumptions) -> &'a str {
    rec.economics
        .capacity_scenario
        .as_deref()
        .unwrap_or(&a.mud.default_scenario)
}

/// Mineable dry mud, Mt, from the tonnage-and-grade route (resource tonnage) or the
/// contained-REO route (contained REO / grade), with its basis.
fn mineable_mud(rec: &ProjectRecord, grade_ppm: f64, a: &Assumptions) -> Option<(f64, String)> {
    let r = &rec.geology.resource;
    if let Some(reserve) = r.reserve_mt {
        return Some((reserve, format!("ore reserve {reserve} Mt")));
    }
    if r.total_mt().is_some() {
        let mi = r.measured_mt.unwrap_or(0.0) + r.indicated_mt.unwrap_or(0.0);
        let inf = r.inferred_mt.unwrap_or(0.0) + r.unclassified_mt.unwrap_or(0.0);
        let k = a.resources.inferred_conversion;
        return Some((
            mi + k * inf,
            format!("measured + indicated {mi} Mt + {k} x inferred/unclassified {inf} Mt of mud"),
        ));
    }
    let reo = rec.geology.contained_reo_mt?;
    (grade_ppm > 0.0).then(|| {
        (
            reo / (grade_ppm / 1e6),
            format!("contained {reo} Mt REO / grade {grade_ppm} ppm"),
        )
    })
}

/// The mud operation of `rec` under scenario `name` at `prices`.
pub fn case(
    rec: &ProjectRecord,
    name: &str,
    a: &Assumptions,
    prices: &Prices,
    log: &mut Provenance,
) -> Result<MudCase, Unvalued> {
    let m = &a.mud;
    let Some(s) = m.scenarios.get(name) else {
        let known: Vec<&str> = m.scenarios.keys().map(String::as_str).collect();
        return unvalued(format!(
            "capacity_scenario {name:?} is not a mud scenario; known: {}",
            known.join(", ")
        ));
    };
    let g = &rec.geology;
    let e = &rec.economics;
    let Some(grade_pct) = g.grade_treo_pct else {
        return unvalued(
            "no mud grade: give grade_treo_ppm (or grade_treo_pct) so the REO in each tonne lifted is known",
        );
    };
    let grade_ppm = grade_pct * 1e4;
    log.given("grade_treo_ppm", grade_ppm, "record");
    let Some((mineable_mt, basis)) = mineable_mud(rec, grade_ppm, a) else {
        return unvalued(
            "no mud resource: give resource_reo_mt (contained REO) or a tonnage (resource_mt, inferred_mt...) with the grade",
        );
    };
    log.estimated("mineable_mud_mt", mineable_mt, basis);

    // Throughput: the record's, else the scenario's daily capacity.
    let days = m.operating_days_per_y;
    let solids_t = match e.throughput_mtpa {
        Some(q) => {
            log.given("throughput_mtpa", q, "record (dry solids lifted)");
            q * 1e6
        }
        None => {
            let q = s.capacity_t_per_day * days;
            log.assumed(
                "throughput_mtpa",
                q / 1e6,
                format_args!(
                    "scenario {name}: {} t/day x {days} operating days ({})",
                    s.capacity_t_per_day, s.source
                ),
            );
            q
        }
    };
    let tpd = solids_t / days;
    let nodules_t = solids_t * s.nodule_share;
    let mud_t = solids_t - nodules_t;

    let (uf, ur) = (m.upgrade_factor, m.upgrade_recovery_pct);
    log.assumed(
        "upgrade_factor",
        uf,
        format_args!(
            "hydrocyclone grade factor, REO recovery {ur} % (assumptions [mud]; Takaya et al. 2018)"
        ),
    );
    let concentrate_t = mud_t * ur / 100.0 / uf;
    let concentrate_ppm = grade_ppm * uf;
    let recovery = match e.recovery_pct {
        Some(r) => {
            log.given("recovery_pct", r, "record (mud to separated oxides)");
            r
        }
        None => {
            let r = ur * m.leach_recovery_pct / 100.0;
            log.estimated(
                "recovery_pct",
                r,
                format_args!(
                    "hydrocyclone {ur} % x leach {} % (assumptions [mud])",
                    m.leach_recovery_pct
                ),
            );
            r
        }
    };
    let treo = match e.annual_treo_t {
        Some(t) => {
            log.given("annual_treo_t", t, "record");
            t
        }
        None => {
            let t = mud_t * grade_ppm / 1e6 * recovery / 100.0;
            log.estimated(
                "annual_treo_t",
                t,
                format_args!("{mud_t:.0} t/y dry mud x {grade_ppm} ppm x recovery {recovery:.1} %"),
            );
            t
        }
    };

    let Some(shares) = grade::oxide_shares(rec, a, log)? else {
        return unvalued("no oxide distribution for seabed mud");
    };
    let (basket, ndpr_value, dytb_value) = grade::basket(&shares, prices);
    log.estimated(
        "basket_price_usd_per_kg",
        basket,
        format_args!(
            "sum of oxide share x {} price (separated oxides)",
            prices.scenario
        ),
    );
    let heavy_share: f64 = shares[EU..].iter().sum();
    let dytb_share = shares[TB] + shares[DY];
    let ndpr_share = shares[2] + shares[3];
    let dytb = e.annual_dytb_t.unwrap_or(treo * dytb_share / 100.0);
    let hreo = treo * heavy_share / 100.0;

    // Mine life: the record's, else the mineable mud at this rate, valued for at most the
    // design life (said in a warning, never cut silently).
    let resource_life = if mud_t > 0.0 {
        mineable_mt * 1e6 / mud_t
    } else {
        f64::INFINITY
    };
    let life = match e.mine_life_y {
        Some(l) => {
            log.given("mine_life_y", l, "record");
            l
        }
        None if resource_life > m.design_life_y => {
            log.assumed(
                "mine_life_y",
                m.design_life_y,
                format_args!(
                    "design life of one system (assumptions mud.design_life_y); the resource would last {resource_life:.0} years at {tpd:.0} t/day"
                ),
            );
            m.design_life_y
        }
        None => {
            log.estimated(
                "mine_life_y",
                resource_life,
                "mineable mud / mud lifted a year",
            );
            resource_life
        }
    };

    // Co-mined nodules: metal per wet tonne as [nodules], at the co-mined nodules' grades.
    let n = &a.nodules;
    let metals = m
        .nodule_grade_pct
        .zip_with(
            n.reference_grade_pct,
            |g, r| if r > 0.0 { g / r } else { 0.0 },
        )
        .zip_with(n.yield_pct_of_wet, |ratio, y| nodules_t * y / 100.0 * ratio);
    if nodules_t > 0.0 {
        log.assumed(
            "annual_metals_t",
            serde_json::to_value(metals).unwrap_or_default(),
            "co-mined nodules x [nodules] yields per wet t scaled to the grades of mud.nodule_grade_pct",
        );
    }
    let metal_revenue = crate::model::nodules::revenue_musd(metals, prices, a);

    let port = geo::Point::new(m.port_lon_lat[0], m.port_lon_lat[1]);
    let port_km = rec
        .site_point()
        .map_or(0.0, |p| crate::context::geodesic_km(p, port));

    let production = Production {
        commodity: Commodity::RareEarths,
        oxide_shares_pct: shares,
        basket_price_usd_per_kg: basket,
        product_form: ProductForm::SeparatedOxides,
        payable_price_usd_per_kg: basket,
        ndpr_value_share_pct: ndpr_value,
        dytb_value_share_pct: dytb_value,
        recovery_pct: recovery,
        throughput_mtpa: Some(solids_t / 1e6),
        mine_life_y: life,
        annual_treo_t: treo,
        annual_ndpr_t: treo * ndpr_share / 100.0,
        annual_dytb_t: dytb,
        annual_metals_t: metals,
        annual_revenue_musd: treo * 1000.0 * basket / 1e6 + metal_revenue,
        inferred_share_pct: None,
        fixed_revenue_musd_per_y: 0.0,
        netback: None,
    };

    // Costs.
    let depth = g.water_depth_m.unwrap_or(m.depth_ref_m);
    if g.water_depth_m.is_none() {
        log.assumed(
            "water_depth_m",
            depth,
            "reference depth of the lift (assumptions mud.depth_ref_m)",
        );
    }
    let floor = a.seabed.rules.depth_factor_floor;
    let capex_depth = cost::depth_factor(depth, m.depth_ref_m, m.lift_capex_pct_per_1000m, floor);
    let opex_depth = cost::depth_factor(depth, m.depth_ref_m, m.lift_opex_pct_per_1000m, floor);
    let lift_capex = m.lift_capex_ref_musd
        * (tpd / m.lift_ref_t_per_day).powf(m.lift_scale_exponent)
        * capex_depth;
    let c = &a.costs;
    let plant_capex = if treo > 0.0 {
        c.capex_a * treo.powf(c.capex_b) * m.plant_capex_factor
    } else {
        0.0
    };
    let opex = MudOpex {
        lift_musd: f64::from(s.vessels) * days * m.vessel_usd_m_per_day * opex_depth
            + solids_t * m.lift_variable_usd_per_t * opex_depth / 1e6,
        upgrade_musd: mud_t * m.upgrade_usd_per_t / 1e6,
        dewatering_musd: concentrate_t * m.dewatering_usd_per_t / 1e6,
        shipping_musd: concentrate_t * port_km * m.shipping_usd_per_t_km / 1e6,
        leach_musd: concentrate_t * m.leach_usd_per_t / 1e6,
        separation_musd: treo
            * 1000.0
            * ((100.0 - heavy_share) / 100.0 * m.separation_light_usd_per_kg
                + heavy_share / 100.0 * m.separation_heavy_usd_per_kg)
            / 1e6,
        nodule_processing_musd: nodules_t * m.nodule_processing_usd_per_t / 1e6,
    };
    let capex_parts = MudCapex {
        lift_musd: lift_capex,
        plant_musd: plant_capex,
    };
    let money = Money::of(rec.currency(), rec.money_year(), a)?;
    let capex = match e.capex_m {
        Some(v) => {
            log.given("capex_musd", money.usd(v), money.basis());
            money.usd(v)
        }
        None => {
            let v = lift_capex + plant_capex;
            log.estimated(
                "capex_musd",
                v,
                format_args!(
                    "lift US${lift_capex:.0}m (NORI-D US${}m at {} t/day x ({tpd:.0}/{})^{} x depth {depth:.0} m factor {capex_depth:.2}) + leach plant US${plant_capex:.0}m ({} x TREO^{} x {})",
                    m.lift_capex_ref_musd,
                    m.lift_ref_t_per_day,
                    m.lift_ref_t_per_day,
                    m.lift_scale_exponent,
                    c.capex_a,
                    c.capex_b,
                    m.plant_capex_factor
                ),
            );
            v
        }
    };
    let opex_total = match e.opex_m_per_y {
        Some(v) => {
            log.given("opex_musd_per_y", money.usd(v), money.basis());
            money.usd(v)
        }
        None => {
            let v = opex.site_musd();
            log.estimated(
                "opex_musd_per_y",
                v,
                format_args!(
                    "lift {:.1} ({} vessel(s) x {days} d x US${}m/d x depth factor {opex_depth:.2} + US${}/t) + hydrocyclone {:.1} + dewatering {:.1} + leach {:.1} + separation outside China {:.1} + nodules {:.1}, US$m/y",
                    opex.lift_musd,
                    s.vessels,
                    m.vessel_usd_m_per_day,
                    m.lift_variable_usd_per_t,
                    opex.upgrade_musd,
                    opex.dewatering_musd,
                    opex.leach_musd,
                    opex.separation_musd,
                    opex.nodule_processing_musd
                ),
            );
            v
        }
    };
    log.estimated(
        "logistics_musd_per_y",
        opex.shipping_musd,
        format_args!(
            "{concentrate_t:.0} t/y concentrate x {port_km:.0} km to {} x US${}/t·km",
            m.port, m.shipping_usd_per_t_km
        ),
    );
    let sustaining = match e.sustaining_capex_m_per_y {
        Some(v) => {
            log.given("sustaining_musd_per_y", money.usd(v), money.basis());
            money.usd(v)
        }
        None => crate::model::cost::sustaining_share_of_capex(capex, c, log),
    };
    let terms = crate::model::fiscal::terms(rec, a, ProductForm::SeparatedOxides, log);
    let royalty = crate::model::fiscal::nameplate_royalty(
        &terms,
        crate::model::fiscal::NameplateYear {
            revenue: production.annual_revenue_musd,
            opex: opex_total,
            logistics: opex.shipping_musd,
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
    let construction_y =
        crate::model::cost::construction_y(crate::read::record::DepositType::SeabedMud, a);
    log.assumed(
        "construction_y",
        construction_y,
        "usual construction time of seabed_mud projects (assumption)",
    );
    let mut warnings = Vec::new();
    if e.mine_life_y.is_none() && resource_life > m.design_life_y {
        warnings.push(format!(
            "the mud resource ({mineable_mt:.0} Mt dry) would last {resource_life:.0} years at {tpd:.0} t/day; only the {} years of one system's design life are valued",
            m.design_life_y
        ));
    }
    let [lo, hi] = c.capex_fit_range_t;
    if treo > 0.0 && (treo < lo / 2.0 || treo > hi * 2.0) && e.capex_m.is_none() {
        warnings.push(format!(
            "leach-plant capex extrapolated: {treo:.0} t/y TREO is far outside the {lo:.0}-{hi:.0} t/y range of the capex curve"
        ));
    }
    if rec.regime == Some(Regime::Area) {
        warnings.push(
            "seabed mud in the Area: the mud model assumes shipping to a Japanese port".into(),
        );
    }
    let costs = Costs {
        capex_musd: capex,
        sustaining_musd_per_y: sustaining,
        opex_musd_per_y: opex_total,
        logistics_musd_per_y: opex.shipping_musd,
        royalty_pct: royalty,
        tax_rate_pct: terms.tax_rate_pct,
        fiscal: terms.fiscal,
        closure_musd: closure,
        depreciation_y: c.depreciation_y,
        construction_y,
        warnings,
    };
    let flow = MudFlow {
        scenario: name.to_owned(),
        capacity_t_per_day: tpd,
        vessels: s.vessels,
        nodule_share: s.nodule_share,
        water_depth_m: depth,
        mud_grade_ppm: grade_ppm,
        mud_t_per_y: mud_t,
        nodules_t_per_y: nodules_t,
        upgrade_factor: uf,
        upgrade_recovery_pct: ur,
        concentrate_t_per_y: concentrate_t,
        concentrate_grade_ppm: concentrate_ppm,
        annual_treo_t: treo,
        annual_hreo_t: hreo,
        annual_dytb_t: dytb,
        port: m.port.clone(),
        port_distance_km: port_km,
        mineable_mud_mt: mineable_mt,
        resource_life_y: resource_life,
    };
    Ok(MudCase {
        flow,
        production,
        costs,
        opex,
        capex: capex_parts,
    })
}

/// What a kilogram of heavy rare earths secured costs, and the subsidy that makes NPV zero.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitCosts {
    /// Present value of every cost (capex, opex, freight, sustaining, closure, royalty) over
    /// the present value of the Dy2O3 + Tb4O7 produced, US$/kg (all cost charged to Dy+Tb).
    pub cost_per_kg_dytb_usd: Option<f64>,
    /// The same net of the revenue from every other product, US$/kg Dy+Tb.
    pub net_cost_per_kg_dytb_usd: Option<f64>,
    /// Present value of every cost over the present value of heavy oxides (Eu-Lu, Y), US$/kg.
    pub cost_per_kg_hreo_usd: Option<f64>,
    /// Subsidy per kg Dy+Tb, paid as revenue, that makes the after-tax NPV zero, US$/kg
    /// (0 when NPV is already positive; null when no subsidy below US$100,000/kg would).
    pub subsidy_per_kg_dytb_usd: Option<f64>,
    /// The same per kg of heavy oxides.
    pub subsidy_per_kg_hreo_usd: Option<f64>,
}

/// Levelised unit costs and subsidies of a schedule at `rate_pct`.
pub fn unit_costs(
    inputs: &ScheduleInputs,
    annual_dytb_t: f64,
    annual_hreo_t: f64,
    rate_pct: f64,
    discounting: Discounting,
) -> UnitCosts {
    let years = cashflow::schedule(inputs, 1.0);
    let r = rate_pct / 100.0;
    let cost = |y: &YearFlow| y.revenue - y.pre_tax;
    let pv_cost = cashflow::npv_of(r, years.iter().map(cost), discounting);
    let pv_revenue = cashflow::npv_of(r, years.iter().map(|y| y.revenue), discounting);
    let pv_share = cashflow::npv_of(r, years.iter().map(|y| y.output_share), discounting);
    let pv_dytb_kg = pv_share * annual_dytb_t * 1000.0;
    let pv_hreo_kg = pv_share * annual_hreo_t * 1000.0;
    // Present values are US$ million; per kg in US$.
    let per = |pv: f64, kg: f64| (kg > 0.0).then(|| pv * 1e6 / kg);
    let subsidy = |t_per_y: f64| -> Option<f64> {
        if t_per_y <= 0.0 {
            return None;
        }
        let scratch = std::cell::RefCell::new(Vec::with_capacity(cashflow::MAX_YEARS));
        // One copy of the inputs, its revenue set at each step (not a clone a step).
        let with = std::cell::RefCell::new(inputs.clone());
        let npv_with = |usd_per_kg: f64| {
            let mut inp = with.borrow_mut();
            inp.revenue_per_y = inputs.revenue_per_y + usd_per_kg * t_per_y * 1000.0 / 1e6;
            cashflow::value_at(&inp, 1.0, &scratch, rate_pct, discounting, true)
        };
        if npv_with(0.0) >= 0.0 {
            return Some(0.0);
        }
        // breakeven_factor searches 0-1,000; one step is US$100/kg.
        cashflow::breakeven_factor(|k| npv_with(k * 100.0)).map(|k| k * 100.0)
    };
    UnitCosts {
        cost_per_kg_dytb_usd: per(pv_cost, pv_dytb_kg),
        net_cost_per_kg_dytb_usd: per(pv_cost - pv_revenue, pv_dytb_kg),
        cost_per_kg_hreo_usd: per(pv_cost, pv_hreo_kg),
        subsidy_per_kg_dytb_usd: subsidy(annual_dytb_t),
        subsidy_per_kg_hreo_usd: subsidy(annual_hreo_t),
    }
}

/// One capacity scenario's result, beside the record's own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioResult {
    pub scenario: String,
    pub capacity_t_per_day: f64,
    pub nodule_share: f64,
    /// After-tax NPV at the run's deck and rate, US$ million.
    pub npv_musd: f64,
    pub capex_musd: f64,
    pub opex_musd_per_y: f64,
    pub annual_dytb_t: f64,
    pub cost_per_kg_dytb_usd: Option<f64>,
    pub subsidy_per_kg_dytb_usd: Option<f64>,
}

/// What the mud model adds to an appraisal (`mud` in the JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MudSummary {
    pub flow: MudFlow,
    pub capex: MudCapex,
    pub opex: MudOpex,
    pub unit_costs: UnitCosts,
    /// Every capacity scenario of the assumptions, deterministic, same deck and rate.
    pub scenarios: Vec<ScenarioResult>,
}

/// The mud summary of a record valued as `case`, with every scenario beside it.
pub fn summary(
    rec: &ProjectRecord,
    case: &MudCase,
    a: &Assumptions,
    prices: &Prices,
    rate_pct: f64,
    discounting: Discounting,
) -> MudSummary {
    let unit = |c: &MudCase| {
        let inputs = crate::model::cashflow::schedule_inputs(&c.production, &c.costs, a);
        let u = unit_costs(
            &inputs,
            c.flow.annual_dytb_t,
            c.flow.annual_hreo_t,
            rate_pct,
            discounting,
        );
        let years = cashflow::schedule(&inputs, 1.0);
        let npv = cashflow::npv_of(rate_pct / 100.0, years.iter().map(|y| y.net), discounting);
        (u, npv)
    };
    let (unit_costs, _) = unit(case);
    let scenarios = a
        .mud
        .scenarios
        .keys()
        .filter_map(|name| {
            // Each scenario at its own capacity: the record's throughput is not imposed.
            let mut r = rec.clone();
            r.economics.throughput_mtpa = None;
            r.economics.capacity_scenario = Some(name.clone());
            let c = self::case(&r, name, a, prices, &mut Provenance::discarding()).ok()?;
            let (u, npv) = unit(&c);
            Some(ScenarioResult {
                scenario: name.clone(),
                capacity_t_per_day: c.flow.capacity_t_per_day,
                nodule_share: c.flow.nodule_share,
                npv_musd: npv,
                capex_musd: c.costs.capex_musd,
                opex_musd_per_y: c.costs.opex_musd_per_y,
                annual_dytb_t: c.flow.annual_dytb_t,
                cost_per_kg_dytb_usd: u.cost_per_kg_dytb_usd,
                subsidy_per_kg_dytb_usd: u.subsidy_per_kg_dytb_usd,
            })
        })
        .collect();
    MudSummary {
        flow: case.flow.clone(),
        capex: case.capex.clone(),
        opex: case.opex.clone(),
        unit_costs,
        scenarios,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::record::{DepositType, Location};

    fn record(depth: f64) -> ProjectRecord {
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "M".into();
        r.country = Some("JP".into());
        r.regime = Some(Regime::Eez);
        r.geometry = Some(geo::Point::new(153.8, 22.0).into());
        r.geology.deposit_type = Some(DepositType::SeabedMud);
        r.geology.grade_treo_pct = Some(0.2); // 2,000 ppm
        r.geology.contained_reo_mt = Some(1.2);
        r.geology.water_depth_m = Some(depth);
        r
    }

    fn run(r: &ProjectRecord, a: &Assumptions) -> MudCase {
        let p = a.prices("market_2025").unwrap();
        case(r, "commercial_10000tpd", a, &p, &mut Provenance::default()).unwrap()
    }

    #[test]
    fn lift_capex_and_opex_rise_with_depth() {
        let a = Assumptions::defaults();
        let shallow = run(&record(4000.0), &a);
        let deep = run(&record(6000.0), &a);
        assert!(deep.costs.capex_musd > shallow.costs.capex_musd);
        assert!(deep.costs.opex_musd_per_y > shallow.costs.opex_musd_per_y);
        // By hand: the lift capex grows by the depth factor ratio, 1.18 / 0.98.
        let ratio = deep.capex.lift_musd / shallow.capex.lift_musd;
        assert!((ratio - 1.18 / 0.98).abs() < 1e-9, "{ratio}");
        // Nothing but the lift depends on depth.
        assert_eq!(deep.capex.plant_musd, shallow.capex.plant_musd);
        assert_eq!(deep.opex.leach_musd, shallow.opex.leach_musd);
    }

    #[test]
    fn an_upgrade_factor_of_one_is_the_unupgraded_route() {
        // No hydrocyclone: factor 1, all REO kept, no cost. Then every tonne of mud is
        // dewatered, shipped and leached, by hand: 10,000 t/day x 300 days = 3 Mt/y dry mud;
        // TREO = 3e6 x 2,000 ppm x 85 % leach recovery = 5,100 t/y; leach cost 3e6 t x US$50
        // = US$150 m/y; dewatering 3e6 x US$20 = US$60 m/y.
        let a = Assumptions::with_override(
            "test",
            "[mud]\nupgrade_factor = 1.0\nupgrade_recovery_pct = 100.0\nupgrade_usd_per_t = 0.0\n",
        )
        .unwrap();
        let c = run(&record(5600.0), &a);
        assert_eq!(c.flow.concentrate_t_per_y, c.flow.mud_t_per_y);
        assert!((c.flow.mud_t_per_y - 3.0e6).abs() < 1e-6);
        assert!((c.production.annual_treo_t - 5100.0).abs() < 1e-6);
        assert!((c.opex.leach_musd - 150.0).abs() < 1e-9);
        assert!((c.opex.dewatering_musd - 60.0).abs() < 1e-9);
        assert_eq!(c.opex.upgrade_musd, 0.0);
        // The default hydrocyclone (x2.5, 70 %) cuts the tonnes leached to 28 % of the mud.
        let up = run(&record(5600.0), &Assumptions::defaults());
        assert!((up.flow.concentrate_t_per_y / up.flow.mud_t_per_y - 0.28).abs() < 1e-12);
    }

    #[test]
    fn the_contained_reo_route_and_the_tonnage_route_agree() {
        let a = Assumptions::defaults();
        let contained = run(&record(5600.0), &a);
        let mut r = record(5600.0);
        r.geology.contained_reo_mt = None;
        r.geology.resource.reserve_mt = Some(600.0); // 1.2 Mt REO / 2,000 ppm
        let tonnage = run(&r, &a);
        assert!((contained.flow.mineable_mud_mt - 600.0).abs() < 1e-9);
        assert_eq!(contained.flow.mineable_mud_mt, tonnage.flow.mineable_mud_mt);
        // 600 Mt at 3 Mt/y would last 200 years: the design life is valued, with a warning.
        assert_eq!(contained.production.mine_life_y, 20.0);
        assert!(
            contained
                .costs
                .warnings
                .iter()
                .any(|w| w.contains("200 years"))
        );
    }

    #[test]
    fn the_subsidy_makes_npv_zero() {
        let a = Assumptions::defaults();
        let c = run(&record(5600.0), &a);
        let inputs = crate::model::cashflow::schedule_inputs(&c.production, &c.costs, &a);
        let u = unit_costs(
            &inputs,
            c.flow.annual_dytb_t,
            c.flow.annual_hreo_t,
            8.0,
            Discounting::EndOfYear,
        );
        let s = u.subsidy_per_kg_dytb_usd.unwrap();
        assert!(s > 0.0);
        let mut with = inputs.clone();
        with.revenue_per_y += s * c.flow.annual_dytb_t * 1000.0 / 1e6;
        let flows = cashflow::schedule(&with, 1.0);
        let npv = cashflow::npv_of(0.08, flows.iter().map(|y| y.net), Discounting::EndOfYear);
        assert!(npv.abs() < 1e-3, "{npv}");
        // The gross cost per kg exceeds the net cost (other oxides earn something).
        assert!(u.cost_per_kg_dytb_usd.unwrap() > u.net_cost_per_kg_dytb_usd.unwrap());
    }
}
