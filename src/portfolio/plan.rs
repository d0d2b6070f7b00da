//! Financing plan: which projects to finance, and when, to meet a supply target as early
//! as possible within an annual budget, on the calendar of [`crate::portfolio::timeline`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::appraisal::Appraisal;
use crate::context::plants::{CapacityStep, Plant, PlantAccess, PlantCalendar};
use crate::portfolio::separation::{Feed, Separation};
use crate::portfolio::timeline::{
    Binding, FeedSource, Output, Oxide, ProjectLine, Target, met_from,
};
use crate::read::record::ProductForm;
use crate::read::record::ProjectRecord;

mod gain;
use gain::{Frontier, Probe, Replay};

/// An annual budget: `2000musd/y` (or a plain number of US$ million a year).
pub fn parse_budget(text: &str) -> Result<f64, String> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.trim_end_matches("/y").trim_end_matches("musd").trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "budget {text:?} is not a number of US$ million a year (write e.g. 2000musd/y)"
        )),
    }
}

// --- Objectives and support (issue 18) ---

/// What the plan optimises when it chooses the next project to finance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Meet the target in the earliest year: the option that brings the target-met year
    /// soonest, then the most chance-weighted separated supply added through the target
    /// year, whatever it costs within the budget.
    Earliest,
    /// Most secured supply per public dollar: chance-weighted separated supply added in the
    /// target year per US$ of public money (capex financed plus the viability gap closed).
    SupplyPerDollar,
    /// Least subsidy: the lowest viability gap per chance-weighted tonne added in the
    /// target year (projects that need none first), then supply per US$ of capex.
    LeastSubsidy,
}

impl Objective {
    pub fn name(self) -> &'static str {
        match self {
            Objective::Earliest => "earliest",
            Objective::SupplyPerDollar => "supply-per-dollar",
            Objective::LeastSubsidy => "least-subsidy",
        }
    }
}

/// A public instrument the plan may use to close a project's viability gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Instrument {
    /// No instrument: a project whose risked value of proceeding is negative is not
    /// financed.
    None,
    /// A viability-gap grant: the gap paid at the start of construction, if the project
    /// reaches it; closes the gap exactly.
    Grant,
    /// A floor on the NdPr oxide price at the record's terms or the run's
    /// (`[instruments.price_floor]`), valued over the simulation's price draws.
    PriceFloor,
    /// A concessional loan at the record's terms or the run's
    /// (`[instruments.concessional_loan]`): its grant element.
    ConcessionalLoan,
    /// The production tax credit of the project's jurisdiction (US 45X, Australia's
    /// CMPTI; `[instruments.production_credit]`) or the one its record names.
    TaxCredit,
}

impl Instrument {
    /// Its name on the command line and in the tables.
    pub fn name(self) -> &'static str {
        match self {
            Instrument::None => "none",
            Instrument::Grant => "grant",
            Instrument::PriceFloor => "price-floor",
            Instrument::ConcessionalLoan => "concessional-loan",
            Instrument::TaxCredit => "tax-credit",
        }
    }
}

/// What one instrument, at its terms, does for one project: its value to the owner in the
/// units of the viability gap and its expected public cost (docs/models.md, "Closing a
/// viability gap").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offer {
    pub instrument: Instrument,
    /// Whether the project can have it at all (a floor needs NdPr output, a credit a
    /// jurisdiction or record that names one, a loan capital to spend).
    pub available: bool,
    /// Its value to the owner, risked and discounted as the viability gap is (chance of
    /// reaching the decision point, at the run's rate from the start of construction to
    /// `as_of`), US$ million.
    pub value_musd: f64,
    /// Expected public cost if the project proceeds with it: the chance it reaches its
    /// decision point (and, for what is paid on production, that its build succeeds) times
    /// the cost, at the government's rate to `as_of`, US$ million; for the floor, the
    /// simulation's expected cost over the draws where the project proceeds with it.
    pub public_cost_musd: f64,
    /// Whether its value covers the viability gap.
    pub closes: bool,
    /// How it was valued, or why it is not available.
    pub note: String,
}

/// The offer of every instrument in `allowed` (but `none`) to project `p` whose viability
/// gap is `gap` US$ million at the run's rate `rate_pct`.
pub fn offers(p: &Appraisal, gap: f64, rate_pct: f64, allowed: &[Instrument]) -> Vec<Offer> {
    OfferFacts::of(p, allowed).offers(gap, rate_pct, allowed)
}

/// What [`offers`] reads of an appraisal, kept for a project with a viability gap once its
/// appraisal is dropped (a streamed plan): the owner's terms, the years to the start of
/// construction and the values of the instruments the run allows.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferFacts {
    /// Chance of reaching the decision point, 0-1 (1 without an owner's view).
    chance_of_decision: f64,
    /// Chance a started build fails, 0-1.
    construction_failure: f64,
    /// Free carry, 0-1.
    free_carried: f64,
    /// Years from the clock to the start of construction (0 or more).
    delay_y: f64,
    /// The government's rate, % (null without instrument values: the run's rate).
    government_rate_pct: Option<f64>,
    floor: Option<Box<crate::model::instruments::FloorValue>>,
    loan: Option<Box<crate::model::instruments::LoanValue>>,
    credit: Option<Box<crate::model::instruments::CreditValue>>,
}

impl OfferFacts {
    /// The facts of appraisal `p` that the offers of the instruments `allowed` need (the
    /// values of instruments not allowed are not kept).
    pub fn of(p: &Appraisal, allowed: &[Instrument]) -> OfferFacts {
        let owner = p.owner.as_ref();
        let ins = p.instruments.as_ref();
        let has = |i: Instrument| allowed.contains(&i);
        OfferFacts {
            chance_of_decision: owner.map_or(1.0, |o| o.terms.chance_of_decision),
            construction_failure: owner.map_or(0.0, |o| o.terms.construction_failure),
            free_carried: owner.map_or(0.0, |o| o.terms.free_carried_pct / 100.0),
            delay_y: p.lead_time.years_to_construction.max(0.0),
            government_rate_pct: ins.map(|i| i.government_rate_pct),
            floor: ins
                .and_then(|i| i.price_floor.clone())
                .filter(|_| has(Instrument::PriceFloor))
                .map(Box::new),
            loan: ins
                .and_then(|i| i.concessional_loan.clone())
                .filter(|_| has(Instrument::ConcessionalLoan))
                .map(Box::new),
            credit: ins
                .and_then(|i| i.production_credit.clone())
                .filter(|_| has(Instrument::TaxCredit))
                .map(Box::new),
        }
    }

    /// The offer of every instrument in `allowed` (but `none`; those [`OfferFacts::of`]
    /// kept) to the project, whose viability gap is `gap` US$ million at the run's rate
    /// `rate_pct`.
    pub fn offers(&self, gap: f64, rate_pct: f64, allowed: &[Instrument]) -> Vec<Offer> {
        let c = self.chance_of_decision;
        let q = self.construction_failure;
        let s = self.free_carried;
        let delay = self.delay_y;
        let d_run = (1.0 + rate_pct / 100.0).powf(-delay);
        let g = self.government_rate_pct.unwrap_or(rate_pct);
        let d_gov = (1.0 + g / 100.0).powf(-delay);
        let risk = c * d_run;
        let unavailable = |instrument, note: &str| Offer {
            instrument,
            available: false,
            value_musd: 0.0,
            public_cost_musd: 0.0,
            closes: false,
            note: note.to_owned(),
        };
        let mut out = Vec::new();
        let mut kinds: Vec<Instrument> = allowed
            .iter()
            .copied()
            .filter(|i| *i != Instrument::None)
            .collect();
        kinds.sort();
        kinds.dedup();
        for kind in kinds {
            let offer = match kind {
                Instrument::None => continue,
                Instrument::Grant => {
                    let cost = gap * d_gov / d_run.max(1e-300);
                    Offer {
                        instrument: kind,
                        available: true,
                        value_musd: gap,
                        public_cost_musd: cost,
                        closes: true,
                        note: format!(
                            "a viability-gap grant of {} paid at the start of construction, if the project reaches it ({} expected at the clock at the run's rate, {} at the government's {g:.1} %)",
                            money(if c > 0.0 { gap / risk.max(1e-300) } else { 0.0 }),
                            money(gap),
                            money(cost)
                        ),
                    }
                }
                Instrument::PriceFloor => match self.floor.as_deref() {
                    None => unavailable(kind, "no NdPr output for a floor to cover"),
                    Some(f) => {
                        let value = f.value_to_project_musd
                            * (1.0 - f.tax_rate_pct / 100.0)
                            * (1.0 - q)
                            * (1.0 - s)
                            * risk;
                        Offer {
                            instrument: kind,
                            available: true,
                            value_musd: value,
                            public_cost_musd: f.expected_cost_to_government_musd,
                            closes: value >= gap,
                            note: format!(
                                "a floor of US${:.0}/kg NdPr for {} years with {:.0} % of the upside to the government ({} terms), worth {} to the project before tax over the {}",
                                f.floor_ndpr_usd_per_kg,
                                f.tenor_y,
                                f.upside_share_pct,
                                f.terms_basis,
                                money(f.value_to_project_musd),
                                if f.value_basis == "simulation" {
                                    "simulation's price draws"
                                } else {
                                    "deck (no draws)"
                                }
                            ),
                        }
                    }
                },
                Instrument::ConcessionalLoan => match self.loan.as_deref() {
                    None => unavailable(kind, "no capital to spend for a loan to fund"),
                    Some(l) => {
                        let value = l.value_to_project_musd * risk;
                        Offer {
                            instrument: kind,
                            available: true,
                            value_musd: value,
                            public_cost_musd: l.cost_to_government_if_used_musd * c * d_gov,
                            closes: value >= gap,
                            note: format!(
                                "a loan of {} ({:.0} % of the capital to spend) at {:.1} % real over {} years ({} terms) against the market's {:.1} %: grant element {}",
                                money(l.loan_musd),
                                l.share_of_capex_pct,
                                l.rate_pct,
                                l.tenor_y,
                                l.terms_basis,
                                l.market_rate_pct,
                                money(l.value_to_project_musd)
                            ),
                        }
                    }
                },
                Instrument::TaxCredit => match self.credit.as_deref() {
                    None => unavailable(
                        kind,
                        "no production tax credit in its jurisdiction or its record",
                    ),
                    Some(k) => {
                        let value = k.value_to_project_musd * (1.0 - q) * (1.0 - s) * risk;
                        Offer {
                            instrument: kind,
                            available: true,
                            value_musd: value,
                            public_cost_musd: k.cost_to_government_if_used_musd
                                * c
                                * (1.0 - q)
                                * d_gov,
                            closes: value >= gap,
                            note: format!(
                                "{} ({} terms): {:.0} % of {:.0} % of the operating cost for {} years{}, worth {} to the project",
                                k.name,
                                k.terms_basis,
                                k.rate_pct,
                                k.eligible_share_of_opex_pct,
                                k.years_claimed,
                                match (k.first_year_claimed, k.last_year_claimed) {
                                    (Some(a), Some(b)) => format!(" ({a}-{b})"),
                                    _ => String::new(),
                                },
                                money(k.value_to_project_musd)
                            ),
                        }
                    }
                },
            };
            out.push(offer);
        }
        out
    }
}

/// US$ million as the messages print it: `US$12 m`, `-US$9 m`.
pub fn money(musd: f64) -> String {
    crate::output::money_m(musd)
}

/// How the plan chooses and what it may use.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOptions {
    /// Annual budget for capex, US$ million a year.
    pub budget_musd_per_y: f64,
    pub objective: Objective,
    /// Instruments allowed to close a viability gap (empty or `None` only: none).
    pub instruments: Vec<Instrument>,
    /// Real discount rate, %, of the run (the appraisals' own): discounts a viability gap
    /// from the start of construction to `as_of`.
    pub rate_pct: f64,
}

impl Default for PlanOptions {
    fn default() -> PlanOptions {
        PlanOptions {
            budget_musd_per_y: 0.0,
            objective: Objective::SupplyPerDollar,
            instruments: vec![Instrument::Grant],
            rate_pct: 8.0,
        }
    }
}

/// The support that closes a financed project's viability gap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Support {
    /// The allowed instrument with the least expected public cost that closes the gap.
    pub instrument: Instrument,
    /// Its expected public cost, US$ million at `as_of` ([`Offer::public_cost_musd`]).
    pub public_cost_musd: f64,
    /// Risked value of proceeding it closes, US$ million (the viability gap).
    pub closes_musd: f64,
    /// Its value to the owner in the gap's units, US$ million (at least the gap).
    pub value_musd: f64,
    pub note: String,
    /// Every allowed instrument's offer to the project, the chosen one among them.
    pub offers: Vec<Offer>,
}

/// What financing a project is worth, and what it lacks: the risked value of proceeding
/// (the owner's expected value at the decision point, V = (1 − q) × owner NPV − q × capex
/// lost, times the chance of reaching it, discounted from the start of construction to
/// `as_of`; the appraisal's risked NPV when that is positive) and the viability gap, what
/// makes it zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viability {
    /// US$ million at `as_of`; null when the appraisal gives neither a risked NPV nor an
    /// owner's value.
    pub value_musd: Option<f64>,
    /// max(0, −value), US$ million at `as_of`.
    pub gap_musd: f64,
}

/// The viability of financing `p` at the run's rate `rate_pct`.
pub fn viability(p: &Appraisal, rate_pct: f64) -> Viability {
    let value = match (p.risked_npv_musd, p.owner.as_ref()) {
        (Some(v), _) if v > 0.0 => Some(v),
        (_, Some(o)) if o.value_at_decision_musd.is_finite() => {
            let delay = p.lead_time.years_to_construction.max(0.0);
            Some(
                o.terms.chance_of_decision * o.value_at_decision_musd
                    / (1.0 + rate_pct / 100.0).powf(delay),
            )
        }
        (v, _) => v.filter(|v| v.is_finite()),
    };
    Viability {
        value_musd: value,
        gap_musd: value.map_or(0.0, |v| (-v).max(0.0)),
    }
}

/// The instrument that closes a viability gap of `gap` US$ million among `offers` (those of
/// the allowed instruments, [`offers`]), the one with the least expected public cost (ties
/// to the first in the order grant, price-floor, concessional-loan, tax-credit):
/// `Ok(None)` when there is no gap, `Err` (why, instrument by instrument) when none closes
/// it.
pub fn close_gap(gap: f64, offers: &[Offer]) -> Result<Option<Support>, String> {
    if gap <= 0.0 {
        return Ok(None);
    }
    let best = offers
        .iter()
        .filter(|o| o.available && o.closes)
        .min_by(|a, b| {
            a.public_cost_musd
                .total_cmp(&b.public_cost_musd)
                .then(a.instrument.cmp(&b.instrument))
        });
    if let Some(o) = best {
        let others: Vec<String> = offers
            .iter()
            .filter(|x| x.instrument != o.instrument)
            .map(|x| {
                if !x.available {
                    format!("{} not available ({})", x.instrument.name(), x.note)
                } else if x.closes {
                    format!(
                        "{} also closes it at {}",
                        x.instrument.name(),
                        money(x.public_cost_musd)
                    )
                } else {
                    format!(
                        "{} is worth {} to it, short of the gap",
                        x.instrument.name(),
                        money(x.value_musd)
                    )
                }
            })
            .collect();
        return Ok(Some(Support {
            instrument: o.instrument,
            public_cost_musd: o.public_cost_musd,
            closes_musd: gap,
            value_musd: o.value_musd,
            note: format!(
                "{}: {}, worth {} to the owner (risked, at the clock) against a viability gap of {}, at an expected public cost of {}{}",
                o.instrument.name(),
                o.note,
                money(o.value_musd),
                money(gap),
                money(o.public_cost_musd),
                if others.is_empty() {
                    String::new()
                } else {
                    format!("; {}", others.join("; "))
                }
            ),
            offers: offers.to_vec(),
        }));
    }
    let why: Vec<String> = offers
        .iter()
        .map(|x| {
            if !x.available {
                format!("{}: not available ({})", x.instrument.name(), x.note)
            } else {
                format!(
                    "{}: worth {} to it, short of the gap",
                    x.instrument.name(),
                    money(x.value_musd)
                )
            }
        })
        .collect();
    Err(format!(
        "its risked value of proceeding is {}, negative, and no allowed instrument closes the gap of {} (allowed: {})",
        money(-gap),
        money(gap),
        if why.is_empty() {
            "none".to_owned()
        } else {
            why.join("; ")
        }
    ))
}

/// A project the plan finances.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Financed {
    pub order: usize,
    pub id: String,
    pub name: String,
    /// Year construction (and spending) starts.
    pub start_year: i32,
    pub first_production_year: i32,
    pub capex_musd: f64,
    /// Target oxide at nameplate, t/y.
    pub supply_t: f64,
    /// Target oxide separated outside China that it added in the target year when the plan
    /// chose it, t/y (0 when chosen after nothing added supply in the target year).
    pub separated_added_t: f64,
    /// That gain weighted by its chance of success, per US$ million of capex.
    pub separated_t_per_musd: f64,
    /// Risked value of proceeding, US$ million at `as_of` ([`Viability`]; negative when
    /// its owner would not build at the deck).
    pub risked_value_musd: Option<f64>,
    /// What makes that value zero, US$ million at `as_of` (0 when it is positive).
    pub viability_gap_musd: f64,
    /// The instrument that closes the gap (null when there is none to close).
    pub support: Option<Support>,
    /// Public money it takes: capex plus the support's cost, US$ million.
    pub public_cost_musd: f64,
    /// The support's cost per kg of the target oxide over its life at nameplate
    /// (`supply_t` × mine life), US$/kg (0 without support).
    pub subsidy_usd_per_kg: f64,
    /// The support's expected public cost per tonne of NdPr oxide secured: its chance of
    /// success × NdPr at nameplate × mine life, US$/t (0 without support; null without
    /// NdPr).
    pub subsidy_usd_per_t_ndpr: Option<f64>,
    /// The same per tonne of Dy+Tb oxide secured, US$/t.
    pub subsidy_usd_per_t_dytb: Option<f64>,
}

/// The financing plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub target: Target,
    /// US$ million a year.
    pub budget_musd_per_y: f64,
    /// What the plan optimised (`--objective`).
    pub objective: Objective,
    /// Instruments it was allowed to close viability gaps with.
    pub instruments: Vec<Instrument>,
    pub method: String,
    pub financed: Vec<Financed>,
    /// Projects already producing or under construction, counted as the baseline (at
    /// their median outcome, as the timeline's base counts them).
    pub baseline: Vec<String>,
    /// What "met" means ([`crate::portfolio::timeline::TARGET_MET_RULE`], the timeline's
    /// too).
    pub target_met_rule: &'static str,
    /// Baseline projects with no output in the base case (median outcome never), with why:
    /// a part-built project its owner would not finish at the deck; its completion is a
    /// candidate to finance.
    pub baseline_without_supply: Vec<(String, String)>,
    pub target_met_year: Option<i32>,
    pub target_met_by_target_year: bool,
    /// Supply of the target oxide in the target year, t/y.
    pub supply_in_target_year_t: f64,
    /// Tonnes per year missing in the target year (0 when met).
    pub shortfall_t: f64,
    /// Extra money the projects that would close the shortfall need beyond the budget,
    /// US$ million (0 when met).
    pub funding_gap_musd: f64,
    /// Spend per year, US$ million; never above the budget.
    pub spend: Vec<(i32, f64)>,
    pub left_out: Vec<(String, String)>,
    /// Supply counts what plants outside China separate. Mined (contained) supply of the
    /// target oxide in the target year with the financed projects, t/y.
    pub mined_in_target_year_t: f64,
    /// What stops the target in the target year with the financed mines: `plants` when
    /// feed is sold to China for want of a plant, else `mines`.
    pub binding_in_target_year: Binding,
    /// New separation plants the plan finances because plants, not mines, stop the target.
    pub plants_financed: Vec<FinancedPlant>,
    /// Capex of the financed mines and plants, US$ million (within the budget).
    pub financed_capex_musd: f64,
    /// Viability gaps the plan closes for its financed mines (the supports' cost), US$
    /// million at `as_of`; plants are not valued, so carry none.
    pub viability_gap_musd: f64,
    /// Capex plus the supports' expected public cost: the public money the plan commits,
    /// US$ million.
    pub public_cost_musd: f64,
    /// The funding gap split: `funding_gap_musd` is its capex; this is the viability gap
    /// of the same mines, US$ million.
    pub funding_gap_viability_musd: f64,
    /// The expected public cost of the supports that would close those gaps, US$ million.
    pub funding_gap_support_musd: f64,
    /// The expected public cost of the supports of the financed mines, US$ million at
    /// `as_of` (with a grant at the government's rate, so not the gap itself).
    pub support_cost_musd: f64,
    /// Which instrument secures the most supply per public dollar: each allowed
    /// instrument offered alone to every mine the plan could finance that has a viability
    /// gap, best first ([`InstrumentSummary`]).
    pub instrument_summary: Vec<InstrumentSummary>,
}

/// One instrument offered alone to every candidate mine with a viability gap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstrumentSummary {
    pub instrument: Instrument,
    /// Mines with a viability gap it was offered to, and those whose gap it closes.
    pub projects_with_gap: usize,
    pub projects_closed: usize,
    /// Ids of the mines it closes.
    pub closed: Vec<String>,
    /// Their expected public cost, US$ million at `as_of`.
    pub public_cost_musd: f64,
    /// Supply it secures: Σ chance of success × nameplate × mine life of the mines it
    /// closes, t of NdPr oxide and of Dy+Tb oxide.
    pub secured_ndpr_t: f64,
    pub secured_dytb_t: f64,
    /// Tonnes of the target oxide secured per US$ million of public cost (null when it
    /// closes none, or costs nothing or less: then it ranks first).
    pub secured_t_per_musd: Option<f64>,
    /// Public cost per tonne of NdPr and of Dy+Tb secured, US$/t (null without tonnes).
    pub usd_per_t_ndpr: Option<f64>,
    pub usd_per_t_dytb: Option<f64>,
}

/// A new separation plant the plan finances (a default scaled on the reference plants:
/// the assumptions' `[separation]` capex per t/y NdPr and lead time).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinancedPlant {
    pub id: String,
    /// Its place in the plan's financing order, counted with the mines'.
    pub order: usize,
    /// Year spending starts.
    pub start_year: i32,
    pub first_output_year: i32,
    pub capex_musd: f64,
    /// Nameplate, t/y.
    pub capacity_ndpr_t: f64,
    pub capacity_dytb_t: f64,
    /// The project whose stranded feed it is sited beside (for freight).
    pub sited_at: String,
    pub reason: String,
    /// Target oxide separated outside China that it added in the target year when the plan
    /// chose it, t/y, and that per US$ million of capex.
    pub separated_added_t: f64,
    pub separated_t_per_musd: f64,
}

/// The separation plant a [`FinancedPlant`] stands for, at `point` (beside the feed it is
/// sited at): open, light and heavy circuits, both feeds, its nameplate from its first
/// output year.
pub fn plant_for(f: &FinancedPlant, point: geo::Point<f64>) -> Plant {
    let first = f.first_output_year;
    Plant {
        id: f.id.clone(),
        name: "New separation plant (financed by the plan)".into(),
        operator: None,
        owners: Vec::new(),
        country: None,
        kind: "separation".into(),
        status: "planned".into(),
        start_year: Some(first),
        start_year_late: Some(first),
        feeds: vec![ProductForm::Concentrate, ProductForm::MixedCarbonate],
        access: PlantAccess::Open,
        light: true,
        heavy: true,
        capacity: vec![CapacityStep {
            from: Some(first),
            from_late: Some(first),
            ndpr_t: Some(f.capacity_ndpr_t),
            dytb_t: Some(f.capacity_dytb_t),
            heavy_reo_t: None,
            reo_t: None,
            basis: "nameplate".into(),
        }],
        toll_light_usd_per_kg: None,
        toll_heavy_usd_per_kg: None,
        source: Some("plan default: assumptions [separation] new_plant_*".into()),
        note: None,
        point,
    }
}

/// Below this many tonnes a year of the target oxide in the target year, an option adds
/// nothing the plan counts (the rounding of shares; the timeline's binding tolerance).
const MIN_GAIN_T: f64 = 1.0;

/// One thing the plan finances: a mine (candidate index, start year) or a new plant.
#[derive(Debug, Clone)]
enum Pick {
    Mine(usize, i32),
    Plant(Box<Plant>, FinancedPlant),
}

/// What the plan needs of one project, made from its appraisal and record as the project is
/// appraised ([`PlanInput::new`]) so that a run keeps neither: a few hundred bytes a
/// project instead of its appraisal (issue 21).
#[derive(Debug, Clone)]
pub struct PlanInput {
    pub id: String,
    /// Its base NPV, US$ million (null: not valued): with the id, the report's order
    /// ([`crate::appraisal::report_order`]), which the plan reads its projects in.
    pub npv_base_musd: Option<f64>,
    facts: InputFacts,
}

#[derive(Debug, Clone)]
enum InputFacts {
    /// Left out whatever the target.
    Out(Out),
    /// A valued non-China mine that no permit blocks: the baseline, a candidate, or left
    /// out for want of the target oxide or of an instrument that closes its gap.
    Mine(Box<Mine>),
}

/// Why a project is left out whatever the target.
#[derive(Debug, Clone)]
enum Out {
    ChinaLinked,
    PlantRecord,
    NotValued,
    Blocked(String),
}

/// The mine facts the plan reads: its calendar, cost, output, viability and support, and
/// what the allocation needs of its feed (as [`ProjectLine::feed_in`] makes it).
#[derive(Debug, Clone)]
struct Mine {
    name: String,
    /// Its record's stage is construction.
    building: bool,
    /// First production, base case (null: never).
    first_production_base: Option<i32>,
    /// Why the base case is never (kept only then).
    never_reason: Option<String>,
    construction_start_year: Option<i32>,
    construction_y: u32,
    capex_musd: f64,
    /// Output at nameplate, t/y.
    ndpr_t: f64,
    dytb_t: f64,
    treo_t: f64,
    mine_life_y: f64,
    chance_of_success: f64,
    viability: Viability,
    /// Expected public cost of the support that closes its viability gap with the allowed
    /// instruments, US$ million (0 without a gap), or why none closes it.
    support: Result<f64, String>,
    /// What the offers need (kept only with a gap).
    offers: Option<Box<OfferFacts>>,
    /// Who runs and buys its feed, where it is, and a producer's remaining life.
    feed: FeedSource,
}

impl PlanInput {
    /// The plan's facts of appraisal `p` of record `rec` (null: none), with the run's rate
    /// and allowed instruments of `opts`.
    pub fn new(p: &Appraisal, rec: Option<&ProjectRecord>, opts: &PlanOptions) -> PlanInput {
        let line = ProjectLine::new(p, rec);
        let facts = if line.china_linked {
            InputFacts::Out(Out::ChinaLinked)
        } else if rec.is_some_and(|r| r.is_plant()) {
            InputFacts::Out(Out::PlantRecord)
        } else if !line.valued {
            InputFacts::Out(Out::NotValued)
        } else if let Some(why) = line.blocked {
            InputFacts::Out(Out::Blocked(why))
        } else {
            let viability = viability(p, opts.rate_pct);
            let gap = viability.gap_musd;
            let offers = (gap > 0.0).then(|| OfferFacts::of(p, &opts.instruments));
            let listed = offers
                .as_ref()
                .map(|f| f.offers(gap, opts.rate_pct, &opts.instruments))
                .unwrap_or_default();
            let support = close_gap(gap, &listed).map(|s| s.map_or(0.0, |s| s.public_cost_musd));
            let base = line.first_production_year.base;
            InputFacts::Mine(Box::new(Mine {
                name: line.name,
                building: line
                    .stage
                    .as_deref()
                    .and_then(crate::read::record::StudyStage::parse)
                    .is_some_and(|s| s == crate::read::record::StudyStage::Construction),
                first_production_base: base,
                never_reason: if base.is_none() {
                    line.first_production_year.never_reason
                } else {
                    None
                },
                construction_start_year: line.construction_start_year,
                construction_y: line.construction_y,
                capex_musd: line.capex_musd,
                ndpr_t: line.ndpr_t,
                dytb_t: line.dytb_t,
                treo_t: line.treo_t,
                mine_life_y: line.mine_life_y,
                chance_of_success: line.chance_of_success,
                viability,
                support,
                offers: offers.map(Box::new),
                feed: line.feed,
            }))
        };
        PlanInput {
            id: p.id.clone(),
            npv_base_musd: p.npv_musd.base,
            facts,
        }
    }

    fn mine(&self) -> Option<&Mine> {
        match &self.facts {
            InputFacts::Mine(m) => Some(m),
            InputFacts::Out(_) => None,
        }
    }
}

impl Mine {
    /// Its feed in `year` with first production in `first` ([`ProjectLine::feed_in`]'s
    /// rule at weight 1); `None` when it produces nothing.
    fn feed_in(&self, id: &str, year: i32, first: Option<i32>, ramp: &[f64]) -> Option<Feed> {
        Output {
            id,
            ndpr_t: self.ndpr_t,
            dytb_t: self.dytb_t,
            treo_t: self.treo_t,
            mine_life_y: self.mine_life_y,
            feed: &self.feed,
        }
        .feed_in(year, first, ramp, 1.0)
    }

    /// Every allowed instrument's offer to it (none without a gap).
    fn offers(&self, rate_pct: f64, allowed: &[Instrument]) -> Vec<Offer> {
        match &self.offers {
            Some(f) if self.viability.gap_musd > 0.0 => {
                f.offers(self.viability.gap_musd, rate_pct, allowed)
            }
            _ => Vec::new(),
        }
    }
}

/// Chooses mines, plants and start years to meet `target` as early as possible within the
/// annual `budget` ([`plan_of`] on the facts of `projects` and their `records`).
pub fn plan(
    projects: &[Appraisal],
    records: &[ProjectRecord],
    as_of: i32,
    horizon: i32,
    target: Target,
    sep: &Separation,
    opts: &PlanOptions,
) -> Plan {
    let by_id: BTreeMap<&str, &ProjectRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let inputs: Vec<PlanInput> = projects
        .iter()
        .map(|p| PlanInput::new(p, by_id.get(p.id.as_str()).copied(), opts))
        .collect();
    plan_of(&inputs, as_of, horizon, target, sep, opts)
}

/// Chooses mines, plants and start years to meet `target` as early as possible within the
/// annual `budget`, from the facts of every project of the run (`inputs`, in input order).
/// Each step finances the option that adds the most separated supply of
/// the target oxide in the target year per dollar: every remaining mine (at the first
/// start year from its earliest whose construction years fit the budget, its gain weighted
/// by its chance of success) and, when mined feed finds no plant outside China that year, a
/// new open plant sized on that feed (at the first start year the budget allows). When no
/// option adds supply in the target year the plan stops: the rest are left out, each with
/// its reason. Then every financed
/// mine or plant whose removal leaves the target-met year unchanged is dropped (latest
/// first).
pub fn plan_of(
    inputs: &[PlanInput],
    as_of: i32,
    horizon: i32,
    target: Target,
    sep: &Separation,
    opts: &PlanOptions,
) -> Plan {
    let budget = opts.budget_musd_per_y;
    // The mines' ramp-up (the assumptions' schedule), as the separation setup holds it.
    let ramp: &[f64] = &sep.ramp;
    let gap_of = |m: &Mine| m.viability.gap_musd;
    // The support that closes a mine's gap, with its offers and notes (for the financed).
    let support_of = |m: &Mine| close_gap(gap_of(m), &m.offers(opts.rate_pct, &opts.instruments));
    // The expected public cost of the support a project needs (0 without a gap).
    let cost_of = |m: &Mine| m.support.as_ref().map_or(0.0, |c| *c);
    let end = as_of + horizon;
    let supply_t = |m: &Mine| match target.oxide {
        Oxide::Ndpr => m.ndpr_t,
        Oxide::Dytb => m.dytb_t,
    };
    let mut left_out = Vec::new();
    let mut baseline = Vec::new();
    // The baseline's mines, in input order.
    let mut baseline_mines: Vec<(&str, &Mine)> = Vec::new();
    let mut baseline_without_supply = Vec::new();
    let mut candidates: Vec<(&str, &Mine)> = Vec::new();
    // Mines the plan could finance that have a viability gap (for the instrument summary).
    let mut gapped: Vec<(&str, &Mine)> = Vec::new();
    for input in inputs {
        let id = input.id.as_str();
        let l = match &input.facts {
            InputFacts::Out(why) => {
                left_out.push((
                    id.to_owned(),
                    match why {
                        Out::ChinaLinked => {
                            "China-linked: its output is not non-China supply".to_owned()
                        }
                        Out::PlantRecord => "a separation plant record: among the plants of the allocation, not a mine to finance".to_owned(),
                        Out::NotValued => "not valued (no output or cost to plan with)".to_owned(),
                        Out::Blocked(why) => format!("blocked: {why}"),
                    },
                ));
                continue;
            }
            InputFacts::Mine(m) => &**m,
        };
        if l.construction_start_year.is_none() || l.building {
            // Producing, or under construction: the baseline, at its median outcome, whether
            // or not it mines the target oxide (its feed takes room in the plants, as in the
            // timeline). A part-built project whose median outcome is never (its owner would
            // not finish it at the deck) adds nothing there, and its completion can be
            // financed.
            baseline.push(id.to_owned());
            baseline_mines.push((id, l));
            if l.first_production_base.is_none() {
                let why = l
                    .never_reason
                    .clone()
                    .unwrap_or_else(|| "its median outcome is never".to_owned());
                let completion =
                    l.building && l.construction_start_year.is_some() && supply_t(l) > 0.0;
                baseline_without_supply.push((
                    id.to_owned(),
                    if completion {
                        format!("{why}; its completion is a candidate to finance")
                    } else {
                        why
                    },
                ));
                if completion {
                    if gap_of(l) > 0.0 {
                        gapped.push((id, l));
                    }
                    match &l.support {
                        Err(why) => left_out.push((id.to_owned(), format!("completion: {why}"))),
                        Ok(_) => candidates.push((id, l)),
                    }
                }
            }
        } else if supply_t(l) <= 0.0 {
            left_out.push((
                id.to_owned(),
                "produces none of the target oxide".to_owned(),
            ));
        } else {
            if gap_of(l) > 0.0 {
                gapped.push((id, l));
            }
            match &l.support {
                Err(why) => left_out.push((id.to_owned(), why.clone())),
                Ok(_) => candidates.push((id, l)),
            }
        }
    }
    let static_key = |l: &Mine| supply_t(l) * l.chance_of_success / l.capex_musd.max(1.0);
    candidates.sort_by(|a, b| {
        static_key(b.1)
            .total_cmp(&static_key(a.1))
            .then_with(|| a.0.cmp(b.0))
    });

    // A financed completion replaces the baseline's (empty) line of the same project.
    // Feeds of the baseline and the financed mines in a year.
    let feeds_in = |year: i32, chosen: &[(usize, i32)]| -> Vec<Feed> {
        baseline_mines
            .iter()
            .filter_map(|(id, l)| l.feed_in(id, year, l.first_production_base, ramp))
            .chain(chosen.iter().filter_map(|(i, start)| {
                let (id, l) = candidates[*i];
                l.feed_in(id, year, Some(start + l.construction_y.max(1) as i32), ramp)
            }))
            .collect()
    };
    let pick = |ndpr: f64, dytb: f64| match target.oxide {
        Oxide::Ndpr => ndpr,
        Oxide::Dytb => dytb,
    };
    // The mines and the plants layer with the plants of `picks`.
    let world = |picks: &[Pick]| -> (Vec<(usize, i32)>, Separation) {
        let mut s = sep.clone();
        let mut chosen = Vec::new();
        for p in picks {
            match p {
                Pick::Mine(i, y) => chosen.push((*i, *y)),
                Pick::Plant(plant, _) => s.plants.push((**plant).clone()),
            }
        }
        (chosen, s)
    };
    let alloc_in = |picks: &[Pick], year: i32| {
        let (chosen, s) = world(picks);
        s.allocate_year(&feeds_in(year, &chosen), year, PlantCalendar::P50, as_of)
    };
    let separated_in = |picks: &[Pick], year: i32| {
        let a = alloc_in(picks, year);
        pick(a.separated_ndpr_t(), a.separated_dytb_t())
    };
    // Each year's supply allocated once (the rule asks for a year again for every year
    // before it).
    let met_year = |picks: &[Pick]| {
        let (chosen, s) = world(picks);
        let known = std::cell::RefCell::new(BTreeMap::new());
        met_from(as_of..=end, target, |y| {
            *known.borrow_mut().entry(y).or_insert_with(|| {
                let a = s.allocate_year(&feeds_in(y, &chosen), y, PlantCalendar::P50, as_of);
                pick(a.separated_ndpr_t(), a.separated_dytb_t())
            })
        })
    };
    // Separated supply from the clock through the target year: the year from which it
    // meets the target through the target year (null when not by then), and its sum.
    let progress = |picks: &[Pick]| -> (Option<i32>, f64) {
        let (chosen, s) = world(picks);
        let supply: Vec<(i32, f64)> = (as_of..=target.year.min(end))
            .map(|y| {
                let a = s.allocate_year(&feeds_in(y, &chosen), y, PlantCalendar::P50, as_of);
                (y, pick(a.separated_ndpr_t(), a.separated_dytb_t()))
            })
            .collect();
        let met = (0..supply.len())
            .find(|k| supply[*k..].iter().all(|(_, t)| *t >= target.tonnes))
            .map(|k| supply[k].0);
        (met, supply.iter().map(|(_, t)| t).sum())
    };
    let spend_of = |picks: &[Pick]| -> BTreeMap<i32, f64> {
        let mut spend: BTreeMap<i32, f64> = BTreeMap::new();
        for p in picks {
            let (start, years, capex) = match p {
                Pick::Mine(i, s) => {
                    let l = candidates[*i].1;
                    (*s, l.construction_y.max(1) as i32, l.capex_musd)
                }
                Pick::Plant(_, f) => (
                    f.start_year,
                    f.first_output_year - f.start_year,
                    f.capex_musd,
                ),
            };
            for y in start..start + years.max(1) {
                *spend.entry(y).or_default() += capex / f64::from(years.max(1));
            }
        }
        spend
    };
    // The first start year from `earliest` at which `years` years of `capex` fit.
    let fits = |spend: &BTreeMap<i32, f64>, earliest: i32, years: i32, capex: f64| {
        let per_year = capex / f64::from(years.max(1));
        (earliest..=end).find(|s| {
            (*s..s + years.max(1))
                .all(|y| spend.get(&y).copied().unwrap_or(0.0) + per_year <= budget + 1e-9)
        })
    };
    let mine_start = |spend: &BTreeMap<i32, f64>, i: usize| {
        let l = candidates[i].1;
        let earliest = l.construction_start_year.unwrap_or(as_of).max(as_of);
        fits(
            spend,
            earliest,
            l.construction_y.max(1) as i32,
            l.capex_musd,
        )
    };
    // A new open plant sized on the feed sold to China in the target year, if any.
    let plant_option = |picks: &[Pick], spend: &BTreeMap<i32, f64>, k: usize| -> Option<Pick> {
        let at = alloc_in(picks, target.year);
        let stranded = pick(at.to_china_ndpr_t(), at.to_china_dytb_t());
        let short = target.tonnes - pick(at.separated_ndpr_t(), at.separated_dytb_t());
        if stranded <= 0.5 || short <= 0.0 {
            return None;
        }
        let need = short.min(stranded);
        // The largest stranded feed sites the plant.
        let site_feed = at.feeds.iter().max_by(|a, b| {
            pick(a.to_china_ndpr_t, a.to_china_dytb_t)
                .total_cmp(&pick(b.to_china_ndpr_t, b.to_china_dytb_t))
                .then_with(|| b.id.cmp(&a.id))
        })?;
        let site = site_feed.id.clone();
        let point = inputs
            .iter()
            .find(|l| l.id == site)
            .and_then(|l| l.mine())
            .and_then(|l| l.feed.point())?;
        let lead = sep.new_plant_lead_time_y.max(1) as i32;
        // Sized for the whole output of the feed beside it (what other plants separate of it
        // now, which moves to the nearer plant, plus its stranded part up to the need), both
        // circuits on that feed's own mix, the other circuit at least at
        // separation.new_plant_min_dytb_per_ndpr (Aclara Louisiana's 230 t Dy+Tb to 1,400 t
        // NdPr by default), so that neither binds first.
        let own = pick(site_feed.to_china_ndpr_t, site_feed.to_china_dytb_t).max(1e-9);
        let f = (need / own).min(1.0);
        let nd = site_feed.separated_ndpr_t + site_feed.to_china_ndpr_t * f;
        let dt = site_feed.separated_dytb_t + site_feed.to_china_dytb_t * f;
        let (ndpr_cap, dytb_cap) = match target.oxide {
            Oxide::Ndpr => (nd, dt.max(nd * sep.new_plant_min_dytb_per_ndpr)),
            Oxide::Dytb => (nd.max(dt / sep.new_plant_min_dytb_per_ndpr), dt),
        };
        // Sized to separate that feed in the target year at its utilisation and the
        // ramp-up share of that year of its output; the budget search starts from the
        // size at full rate and grows it while a later start lowers the share.
        let share = |first: i32| {
            usize::try_from(target.year - first)
                .ok()
                .map(|k| sep.ramp.get(k).copied().unwrap_or(1.0))
        };
        let full = 1.0 / sep.utilisation.max(1e-6);
        let mut found = None;
        for s in as_of..=target.year - lead {
            let Some(k) = share(s + lead).filter(|k| *k > 0.0) else {
                break;
            };
            let capex = ndpr_cap * full / k * sep.new_plant_capex_musd_per_t_ndpr;
            if fits(spend, s, lead, capex) == Some(s) {
                found = Some((s, full / k));
                break;
            }
        }
        let (start, scale) = found?;
        let (ndpr_cap, dytb_cap) = (ndpr_cap * scale, dytb_cap * scale);
        let capex = ndpr_cap * sep.new_plant_capex_musd_per_t_ndpr;
        let first = start + lead;
        let latest = target.year - lead - sep.ramp.len() as i32;
        let id = format!("new-plant-{k}");
        let financed = FinancedPlant {
            id,
            order: 0,
            start_year: start,
            first_output_year: first,
            capex_musd: capex,
            capacity_ndpr_t: ndpr_cap,
            capacity_dytb_t: dytb_cap,
            sited_at: site,
            reason: format!(
                "{stranded:.0} t/y of the target oxide mined in {} finds no plant outside China{}",
                target.year,
                if start > latest {
                    "; it is still ramping up in the target year, so it is sized for its ramp-up share of that year"
                } else {
                    ""
                }
            ),
            separated_added_t: 0.0,
            separated_t_per_musd: 0.0,
        };
        Some(Pick::Plant(Box::new(plant_for(&financed, point)), financed))
    };

    // Greedy by separated supply added in the target year per dollar.
    let mut picks: Vec<Pick> = Vec::new();
    let mut gains: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
    let unfundable: Vec<usize> = (0..candidates.len())
        .filter(|i| mine_start(&BTreeMap::new(), *i).is_none())
        .collect();
    let mut out_of_reach = vec![false; candidates.len()];
    for &i in &unfundable {
        out_of_reach[i] = true;
    }
    let mut plants_made = 0;
    // Met by the target year is met in the target year when that year is on the calendar
    // (`met_from`: every year from the met year through the target year meets it).
    let simple = (as_of..=end).contains(&target.year);
    loop {
        // The portfolio's allocation in the target year, once a step.
        let (chosen_now, world_now) = world(&picks);
        let at_now = world_now.allocate_year(
            &feeds_in(target.year, &chosen_now),
            target.year,
            PlantCalendar::P50,
            as_of,
        );
        let now = pick(at_now.separated_ndpr_t(), at_now.separated_dytb_t());
        let met = if simple {
            now >= target.tonnes
        } else {
            met_year(&picks).is_some_and(|y| y <= target.year)
        };
        if met {
            break;
        }
        let spend = spend_of(&picks);
        let mut taken = out_of_reach.clone();
        for p in &picks {
            if let Pick::Mine(i, _) = p {
                taken[*i] = true;
            }
        }
        // The objective's key of an option (larger is better, compared in order), from its
        // gain in the target year, chance, capex and the expected public cost of the support
        // that closes its viability gap.
        let base_progress = (opts.objective == Objective::Earliest).then(|| progress(&picks));
        let key = |with: &[Pick], gain: f64, chance: f64, capex: f64, support: f64| -> (f64, f64) {
            let secured = gain * chance;
            match opts.objective {
                Objective::SupplyPerDollar => (secured / (capex + support).max(1.0), 0.0),
                Objective::LeastSubsidy => (-support / secured.max(1e-9), secured / capex.max(1.0)),
                Objective::Earliest => {
                    let (met, cumulative) = progress(with);
                    let before = base_progress.map_or(0.0, |b| b.1);
                    (
                        -f64::from(met.unwrap_or(target.year + 1)),
                        (cumulative - before) * chance,
                    )
                }
            }
        };
        let better = |k: (f64, f64), b: &Option<((f64, f64), f64, f64, Pick)>| {
            b.as_ref().is_none_or(|b| {
                k.0 > b.0.0 + 1e-12 || ((k.0 - b.0.0).abs() <= 1e-12 && k.1 > b.0.1 + 1e-12)
            })
        };
        // (key, gain, score per US$m of capex, option); ties go to the mine earlier in the
        // static order.
        let mut best: Option<((f64, f64), f64, f64, Pick)> = None;
        // Which mines need the year allocated with them (issue 21). A mine that changes no
        // other feed's share adds its own share, to rounding (`tol`): one that cannot add
        // MIN_GAIN_T is passed over as the allocation would pass it, and under
        // supply-per-dollar one whose key cannot come within 4e-12 of the best's is too
        // (the scan's choice among the rest is the same: every key within 3e-12 of the
        // largest is among them, and a key below that never displaces one within it). The rest are allocated, as before.
        let frontier = Frontier::new(
            world_now.capacities(target.year, PlantCalendar::P50, as_of),
            &world_now.charges,
            &at_now,
        );
        // A sum of n terms in order is within (n - 1) x EPSILON / 2 x the sum of their sizes
        // of the exact sum; the gain is the difference of two such sums (doubled again for
        // the shares found to rounding, with a floor).
        let n_feeds = at_now.feeds.len() as f64 + 1.0;
        let tol = |f: &Feed| {
            1e-9 + 4.0 * n_feeds * f64::EPSILON * (now.abs() + 2.0 * pick(f.ndpr_t, f.dytb_t).abs())
        };
        let gain_of = |i: usize, start: i32| {
            let mut with = picks.clone();
            with.push(Pick::Mine(i, start));
            separated_in(&with, target.year) - now
        };
        let key0 =
            |gain: f64, l: &Mine| gain * l.chance_of_success / (l.capex_musd + cost_of(l)).max(1.0);
        use rayon::prelude::*;
        // (candidate, start, its gain to rounding and that rounding): its own share when
        // it changes no other feed's share, else the year replayed with it.
        let probes: Vec<Probe> = (0..candidates.len())
            .into_par_iter()
            .filter_map(|i| {
                if taken[i] {
                    return None;
                }
                let start = mine_start(&spend, i)?;
                let (id, l) = candidates[i];
                // No output in the target year: the same feeds, so a gain of 0.
                let mut f = l.feed_in(
                    id,
                    target.year,
                    Some(start + l.construction_y.max(1) as i32),
                    ramp,
                )?;
                f.own_plant = world_now.has_own_plant(f.form, f.operator.as_deref());
                match frontier.join(&f) {
                    Some(j) => Some((i, start, Ok((pick(j.ndpr_t, j.dytb_t), tol(&f))))),
                    None => Some((i, start, Err(f))),
                }
            })
            .collect();
        let replay = probes.iter().any(|p| p.2.is_err()).then(|| {
            let mut feeds = feeds_in(target.year, &chosen_now);
            for f in &mut feeds {
                f.own_plant = world_now.has_own_plant(f.form, f.operator.as_deref());
            }
            Replay::new(&frontier, feeds)
        });
        let probes: Vec<(usize, i32, (f64, f64))> = probes
            .into_par_iter()
            .filter_map(|(i, start, g)| {
                let g = match g {
                    Ok(g) => g,
                    Err(f) => {
                        let with = replay.as_ref()?.gain(&f);
                        // The replay's own sums differ from the allocation's by rounding.
                        (pick(with.0, with.1), 2.0 * tol(&f))
                    }
                };
                (g.0 + g.1 >= MIN_GAIN_T).then_some((i, start, g))
            })
            .collect();
        let window = if opts.objective == Objective::SupplyPerDollar {
            let lower = probes
                .iter()
                .filter(|(_, _, (g, t))| g - t >= MIN_GAIN_T)
                .map(|&(i, _, (g, t))| key0(g - t, candidates[i].1))
                .fold(f64::NEG_INFINITY, f64::max);
            // Every key within 1e-12 (the scan's tie) of the largest, and the rounding of
            // the keys themselves.
            lower - 4e-12 - 1e-12 * lower.abs()
        } else {
            f64::NEG_INFINITY
        };
        let mut evaluated: Vec<(usize, i32, f64)> = probes
            .par_iter()
            .filter_map(|&(i, start, (g, t))| {
                (key0(g + t, candidates[i].1) >= window).then(|| (i, start, gain_of(i, start)))
            })
            .collect();
        evaluated.sort_by_key(|p| p.0);
        for (i, start, gain) in evaluated {
            let l = candidates[i].1;
            if gain < MIN_GAIN_T {
                continue;
            }
            let mut with = picks.clone();
            with.push(Pick::Mine(i, start));
            let score = gain * l.chance_of_success / l.capex_musd.max(1.0);
            let k = key(&with, gain, l.chance_of_success, l.capex_musd, cost_of(l));
            if better(k, &best) {
                best = Some((k, gain, score, Pick::Mine(i, start)));
            }
        }
        if let Some(p) = plant_option(&picks, &spend, plants_made + 1) {
            let mut with = picks.clone();
            with.push(p.clone());
            let gain = separated_in(&with, target.year) - now;
            let capex = match &p {
                Pick::Plant(_, f) => f.capex_musd,
                Pick::Mine(..) => unreachable!(),
            };
            let score = gain / capex.max(1.0);
            // A plant: chance 1 and no viability gap (it is not valued; judgement).
            let k = key(&with, gain, 1.0, capex, 0.0);
            if gain >= MIN_GAIN_T && better(k, &best) {
                best = Some((k, gain, score, p));
            }
        }
        let Some((_, gain, score, mut p)) = best else {
            break;
        };
        match &mut p {
            Pick::Mine(i, _) => {
                gains.insert(*i, (gain, score));
            }
            Pick::Plant(_, f) => {
                plants_made += 1;
                (f.separated_added_t, f.separated_t_per_musd) = (gain, score);
            }
        }
        picks.push(p);
    }
    // Prune: drop financed mines and plants (latest first) the target-met year does not need.
    if let Some(year) = met_year(&picks) {
        let mut k = picks.len();
        while k > 0 {
            k -= 1;
            let mut without = picks.clone();
            let p = without.remove(k);
            if met_year(&without).is_some_and(|y| y <= year) {
                if let Pick::Mine(i, _) = p {
                    left_out.push((
                        candidates[i].0.to_owned(),
                        "not needed: the target is met as early without it".to_owned(),
                    ));
                }
                picks = without;
            }
        }
    }
    let spend = spend_of(&picks);
    let chosen: Vec<(usize, i32)> = world(&picks).0;
    let mut is_chosen = vec![false; candidates.len()];
    for (j, _) in &chosen {
        is_chosen[*j] = true;
    }
    let at_target = alloc_in(&picks, target.year);
    let stranded = pick(at_target.to_china_ndpr_t(), at_target.to_china_dytb_t());
    let binding = if stranded > 0.5 {
        Binding::Plants
    } else {
        Binding::Mines
    };
    let mined_in_target_year = pick(at_target.mined_ndpr_t(), at_target.mined_dytb_t());
    let met = met_year(&picks);
    let in_target_year = pick(at_target.separated_ndpr_t(), at_target.separated_dytb_t());
    let shortfall = (target.tonnes - in_target_year).max(0.0);
    // The gap: the capex of the mines an unlimited budget would add, each at its earliest
    // start, in the static order, until the target is met (or every mine is in).
    let mut funding_gap_viability = 0.0;
    let mut funding_gap_support = 0.0;
    let funding_gap = if shortfall > 0.0 {
        let mut extra = picks.clone();
        let mut gap = 0.0;
        for (i, (_, l)) in candidates.iter().enumerate() {
            if met_year(&extra).is_some_and(|y| y <= target.year) {
                break;
            }
            if is_chosen[i] {
                continue;
            }
            let earliest = l.construction_start_year.unwrap_or(as_of).max(as_of);
            extra.push(Pick::Mine(i, earliest));
            gap += l.capex_musd;
            funding_gap_viability += gap_of(l);
            funding_gap_support += cost_of(l);
        }
        gap
    } else {
        0.0
    };
    for &i in &unfundable {
        if !is_chosen[i] {
            left_out.push((
                candidates[i].0.to_owned(),
                format!("no start year before {end} fits the budget"),
            ));
        }
    }
    // The ids left out so far, by hash (a hit is confirmed on the list).
    let hash = |id: &str| {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        BuildHasherDefault::<DefaultHasher>::default().hash_one(id)
    };
    let mut out_ids: std::collections::HashSet<u64> =
        left_out.iter().map(|(id, _)| hash(id)).collect();
    for (i, (id, _)) in candidates.iter().enumerate() {
        let placed =
            is_chosen[i] || (out_ids.contains(&hash(id)) && left_out.iter().any(|(o, _)| o == id));
        if !placed {
            out_ids.insert(hash(id));
            left_out.push((
                (*id).to_owned(),
                if met.is_some_and(|y| y <= target.year) {
                    "not needed: the target was met before its turn".to_owned()
                } else {
                    "adds no separated supply in the target year within what the budget leaves"
                        .to_owned()
                },
            ));
        }
    }
    let mut financed = Vec::new();
    let mut plants_financed = Vec::new();
    for (k, p) in picks.iter().enumerate() {
        match p {
            Pick::Mine(i, s) => {
                let (id, l) = candidates[*i];
                let (gain, score) = gains.get(i).copied().unwrap_or((0.0, 0.0));
                let v = Some(l.viability);
                // Every candidate passed `unsupported`, so the gap closes.
                let support = support_of(l).unwrap_or(None);
                let cost = support.as_ref().map_or(0.0, |s| s.public_cost_musd);
                let life_kg = supply_t(l) * l.mine_life_y.max(0.0) * 1000.0;
                financed.push(Financed {
                    risked_value_musd: v.and_then(|v| v.value_musd),
                    viability_gap_musd: gap_of(l),
                    public_cost_musd: l.capex_musd + cost,
                    subsidy_usd_per_kg: if life_kg > 0.0 {
                        cost * 1e6 / life_kg
                    } else {
                        0.0
                    },
                    subsidy_usd_per_t_ndpr: per_t_secured(cost, l, l.ndpr_t),
                    subsidy_usd_per_t_dytb: per_t_secured(cost, l, l.dytb_t),
                    support,
                    order: k + 1,
                    id: id.to_owned(),
                    name: l.name.clone(),
                    start_year: *s,
                    first_production_year: s + l.construction_y.max(1) as i32,
                    capex_musd: l.capex_musd,
                    supply_t: supply_t(l),
                    separated_added_t: gain,
                    separated_t_per_musd: score,
                });
            }
            Pick::Plant(_, f) => {
                let mut f = f.clone();
                f.order = k + 1;
                plants_financed.push(f);
            }
        }
    }
    let financed_capex = financed.iter().map(|f| f.capex_musd).sum::<f64>()
        + plants_financed.iter().map(|f| f.capex_musd).sum::<f64>();
    let viability_gap: f64 = financed
        .iter()
        .filter(|f| f.support.is_some())
        .map(|f| f.viability_gap_musd)
        .sum();
    let support_cost: f64 = financed
        .iter()
        .map(|f| f.support.as_ref().map_or(0.0, |s| s.public_cost_musd))
        .sum();
    let instrument_summary =
        summarise_instruments(&gapped, opts.rate_pct, &opts.instruments, target.oxide);
    let compared_by = match opts.objective {
        Objective::SupplyPerDollar => {
            "chance-weighted separated supply added in the target year per US$ of public money (capex plus the expected public cost of the support that closes its viability gap)"
        }
        Objective::LeastSubsidy => {
            "least expected public cost of support per chance-weighted tonne added in the target year, then that supply per US$ of capex"
        }
        Objective::Earliest => {
            "the earliest year from which the target is met through the target year, then the most chance-weighted separated supply added from the clock through the target year"
        }
    };
    Plan {
        target,
        budget_musd_per_y: budget,
        objective: opts.objective,
        instruments: opts.instruments.clone(),
        method: format!(
            "greedy, objective {}: at each step every remaining mine (at the first start year from its earliest whose construction years fit the budget; its added supply of the target oxide separated outside China in the target year weighted by its chance of success; a mine whose risked value of proceeding is negative only with an allowed instrument that closes its viability gap) and, when feed mined in the target year finds no plant outside China, a new open plant sized on that feed (at the first start year the budget allows; chance 1, no viability gap) are compared by {compared_by}, and the best is financed, until the separated target is met or nothing the budget can reach adds supply in the target year; then pruning of mines and plants the target-met year does not need",
            opts.objective.name()
        ),
        financed_capex_musd: financed_capex,
        viability_gap_musd: viability_gap,
        public_cost_musd: financed_capex + support_cost,
        funding_gap_viability_musd: funding_gap_viability,
        funding_gap_support_musd: funding_gap_support,
        support_cost_musd: support_cost,
        instrument_summary,
        financed,
        baseline,
        target_met_rule: crate::portfolio::timeline::TARGET_MET_RULE,
        baseline_without_supply,
        target_met_year: met,
        target_met_by_target_year: met.is_some_and(|y| y <= target.year),
        supply_in_target_year_t: in_target_year,
        shortfall_t: shortfall,
        funding_gap_musd: funding_gap,
        spend: spend.into_iter().filter(|(_, v)| *v > 1e-9).collect(),
        left_out,
        mined_in_target_year_t: mined_in_target_year,
        binding_in_target_year: binding,
        plants_financed,
    }
}

/// Expected public cost `cost_musd` per tonne secured of an oxide mined at `t_per_y` at
/// nameplate: chance of success × nameplate × mine life, US$/t (null without the oxide).
fn per_t_secured(cost_musd: f64, l: &Mine, t_per_y: f64) -> Option<f64> {
    let secured = l.chance_of_success * t_per_y * l.mine_life_y.max(0.0);
    (secured > 0.0).then(|| cost_musd * 1e6 / secured)
}

/// Each allowed instrument (but `none`) offered alone to every mine of `gapped`: the mines
/// whose gap it closes, their expected public cost and the supply they secure; best first
/// by the target oxide secured per US$ of public cost (ties by name).
fn summarise_instruments(
    gapped: &[(&str, &Mine)],
    rate_pct: f64,
    allowed: &[Instrument],
    oxide: Oxide,
) -> Vec<InstrumentSummary> {
    let mut kinds: Vec<Instrument> = allowed
        .iter()
        .copied()
        .filter(|i| *i != Instrument::None)
        .collect();
    kinds.sort();
    kinds.dedup();
    let mut out: Vec<InstrumentSummary> = kinds
        .into_iter()
        .map(|kind| {
            let mut row = InstrumentSummary {
                instrument: kind,
                projects_with_gap: gapped.len(),
                projects_closed: 0,
                closed: Vec::new(),
                public_cost_musd: 0.0,
                secured_ndpr_t: 0.0,
                secured_dytb_t: 0.0,
                secured_t_per_musd: None,
                usd_per_t_ndpr: None,
                usd_per_t_dytb: None,
            };
            for (id, l) in gapped {
                let Some(o) = l
                    .offers(rate_pct, &[kind])
                    .into_iter()
                    .find(|o| o.available && o.closes)
                else {
                    continue;
                };
                let life = l.chance_of_success * l.mine_life_y.max(0.0);
                row.projects_closed += 1;
                row.closed.push((*id).to_owned());
                row.public_cost_musd += o.public_cost_musd;
                row.secured_ndpr_t += life * l.ndpr_t;
                row.secured_dytb_t += life * l.dytb_t;
            }
            let target_t = match oxide {
                Oxide::Ndpr => row.secured_ndpr_t,
                Oxide::Dytb => row.secured_dytb_t,
            };
            let cost = row.public_cost_musd;
            row.secured_t_per_musd = (target_t > 0.0 && cost > 0.0).then(|| target_t / cost);
            row.usd_per_t_ndpr =
                (row.secured_ndpr_t > 0.0).then(|| cost * 1e6 / row.secured_ndpr_t);
            row.usd_per_t_dytb =
                (row.secured_dytb_t > 0.0).then(|| cost * 1e6 / row.secured_dytb_t);
            row
        })
        .collect();
    // Most target oxide per US$ first; one that closes none last.
    out.sort_by(|a, b| {
        let k = |r: &InstrumentSummary| match r.secured_t_per_musd {
            Some(v) => v,
            // Supply secured at no public cost, or a gain to the government: best.
            None if r.projects_closed > 0 && r.public_cost_musd <= 0.0 => f64::INFINITY,
            None => -1.0,
        };
        k(b).total_cmp(&k(a)).then(a.instrument.cmp(&b.instrument))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(instrument: Instrument, value: f64, cost: f64, gap: f64) -> Offer {
        Offer {
            instrument,
            available: true,
            value_musd: value,
            public_cost_musd: cost,
            closes: value >= gap,
            note: String::new(),
        }
    }

    #[test]
    fn the_cheapest_instrument_that_closes_the_gap_is_chosen() {
        // Gap 10: the floor (worth 30, costs 25) and the loan (worth 12, costs 13) close
        // it, the credit (worth 8, costs 2) does not; the loan is the cheaper of the two.
        let offers = [
            offer(Instrument::PriceFloor, 30.0, 25.0, 10.0),
            offer(Instrument::ConcessionalLoan, 12.0, 13.0, 10.0),
            offer(Instrument::TaxCredit, 8.0, 2.0, 10.0),
        ];
        let s = close_gap(10.0, &offers).unwrap().unwrap();
        assert_eq!(s.instrument, Instrument::ConcessionalLoan);
        assert_eq!((s.public_cost_musd, s.closes_musd), (13.0, 10.0));
        // A gap of 13: only the floor.
        let offers = [
            offer(Instrument::PriceFloor, 30.0, 25.0, 13.0),
            offer(Instrument::ConcessionalLoan, 12.0, 13.0, 13.0),
        ];
        assert_eq!(
            close_gap(13.0, &offers).unwrap().unwrap().instrument,
            Instrument::PriceFloor
        );
        // A gap of 40: none, and the reason names each, the sign before the currency.
        let offers = [
            offer(Instrument::PriceFloor, 30.0, 25.0, 40.0),
            offer(Instrument::ConcessionalLoan, 12.0, 13.0, 40.0),
        ];
        let why = close_gap(40.0, &offers).unwrap_err();
        assert!(why.contains("-US$40 m"), "{why}");
        assert!(
            why.contains("price-floor: worth US$30 m to it, short of the gap"),
            "{why}"
        );
        // No gap: no support.
        assert_eq!(close_gap(0.0, &offers), Ok(None));
    }

    #[test]
    fn money_prints_its_sign_before_the_currency() {
        assert_eq!(money(-9.2), "-US$9 m");
        assert_eq!(money(12.0), "US$12 m");
        assert_eq!(money(-0.3), "US$0 m");
    }

    #[test]
    fn budgets_parse() {
        assert_eq!(parse_budget("2000musd/y"), Ok(2000.0));
        assert_eq!(parse_budget("750"), Ok(750.0));
        assert!(parse_budget("-1").is_err());
    }
}
