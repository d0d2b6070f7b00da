//! Strategic reserve: the stockpile of separated NdPr, Dy and Tb oxide that covers the
//! shortfall of a disruption of China's exports at a chosen confidence, on the supply
//! timeline outside China with its uncertainty (each project's first production drawn)
//! and the separation capacity (each year's allocation to plants,
//! [`crate::portfolio::separation`]); and how financing a plan's projects shrinks it.
//!
//! The rule (docs/models.md, "Strategic reserve"): in each year y of the disruption the
//! buyers the reserve serves lack cut × max(0, D(y) − S(y)) tonnes, with D their demand and
//! S the oxide separated outside China that year (what they imported from China is
//! D − S; the disruption removes `cut` of it). The stockpile is the sum over the
//! disruption's years, at the chosen percentile of the draws; nothing refills it while the
//! disruption lasts.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use rand::RngExt;
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;
use serde::Serialize;

use crate::appraisal::Appraisal;
use crate::context::plants::PlantCalendar;
use crate::model::simulate::quantile;
use crate::portfolio::plan::{Plan, plant_for};
use crate::portfolio::separation::{Allocation, Separation};
use crate::portfolio::timeline::ProjectLine;
use crate::read::record::ProjectRecord;

/// A separated oxide the reserve holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Product {
    /// NdPr oxide.
    Ndpr,
    /// Dy2O3.
    Dy,
    /// Tb4O7.
    Tb,
}

/// Every product, in output order.
pub const PRODUCTS: [Product; 3] = [Product::Ndpr, Product::Dy, Product::Tb];

impl Product {
    pub fn name(self) -> &'static str {
        match self {
            Product::Ndpr => "ndpr",
            Product::Dy => "dy",
            Product::Tb => "tb",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Product::Ndpr => "NdPr",
            Product::Dy => "Dy",
            Product::Tb => "Tb",
        })
    }
}

impl FromStr for Product {
    type Err = String;
    fn from_str(s: &str) -> Result<Product, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ndpr" => Ok(Product::Ndpr),
            "dy" => Ok(Product::Dy),
            "tb" => Ok(Product::Tb),
            other => Err(format!("product {other:?} is not one of ndpr, dy, tb")),
        }
    }
}

/// One figure of demand: a product's tonnes a year, in one year or (no year) in every year
/// no figure of its own covers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DemandEntry {
    pub product: Product,
    pub year: Option<i32>,
    /// t/y of oxide.
    pub tonnes: f64,
}

/// Annual demand of the buyers the reserve serves, per product.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Demand {
    pub entries: Vec<DemandEntry>,
}

impl Demand {
    /// Demand for `product` in `year`, t: the year's own figure, else the product's
    /// figure for every year; `None` when the product has no demand given.
    pub fn in_year(&self, product: Product, year: i32) -> Option<f64> {
        let of = |y: Option<i32>| {
            self.entries
                .iter()
                .rev()
                .find(|e| e.product == product && e.year == y)
                .map(|e| e.tonnes)
        };
        of(Some(year)).or_else(|| of(None))
    }

    /// The products with demand given, in output order.
    pub fn products(&self) -> Vec<Product> {
        PRODUCTS
            .into_iter()
            .filter(|p| self.entries.iter().any(|e| e.product == *p))
            .collect()
    }

    /// `ndpr=10000t,dy=800t,tb=150t`, a year's figure as `ndpr=12000t@2030`.
    pub fn parse_flag(text: &str) -> Result<Demand, String> {
        let mut entries = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (product, rest) = part.split_once('=').ok_or_else(|| {
                format!("demand {part:?}: no '=' (write e.g. ndpr=10000t,dy=800t,tb=150t)")
            })?;
            let product: Product = product
                .parse()
                .map_err(|e| format!("demand {part:?}: {e}"))?;
            let (tonnes, year) = match rest.split_once('@') {
                Some((t, y)) => (
                    t,
                    Some(y.trim().parse::<i32>().map_err(|_| {
                        format!("demand {part:?}: the year {y:?} is not a whole number")
                    })?),
                ),
                None => (rest, None),
            };
            let tonnes = parse_tonnes(tonnes).map_err(|e| format!("demand {part:?}: {e}"))?;
            entries.push(DemandEntry {
                product,
                year,
                tonnes,
            });
        }
        if entries.is_empty() {
            return Err("demand is empty (write e.g. ndpr=10000t,dy=800t,tb=150t)".into());
        }
        Ok(Demand { entries })
    }

    /// A CSV file with columns `product`, `tonnes` and optionally `year` (a row without a
    /// year holds for every year without its own row). Every bad row is reported, by line
    /// and field.
    pub fn read_csv(path: &Path) -> Result<Demand, String> {
        let file = path.display();
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_path(path)
            .map_err(|e| format!("{file}: {e}"))?;
        let headers = rdr.headers().map_err(|e| format!("{file}: {e}"))?.clone();
        let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let (Some(pc), Some(tc)) = (col("product"), col("tonnes")) else {
            return Err(format!(
                "{file}: the header needs columns product and tonnes (and optionally year); it has {}",
                headers.iter().collect::<Vec<_>>().join(", ")
            ));
        };
        let yc = col("year");
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        for (k, row) in rdr.records().enumerate() {
            let line = k + 2;
            let row = match row {
                Ok(r) => r,
                Err(e) => {
                    problems.push(format!("{file}: line {line}: {e}"));
                    continue;
                }
            };
            let cell = |c: usize| row.get(c).unwrap_or("");
            let product = cell(pc).parse::<Product>();
            let tonnes = parse_tonnes(cell(tc));
            let year = match yc.map(cell).filter(|y| !y.is_empty()) {
                None => Ok(None),
                Some(y) => y
                    .parse::<i32>()
                    .ok()
                    .filter(|y| (1900..=2200).contains(y))
                    .map(Some)
                    .ok_or_else(|| format!("{y:?} is not a year from 1900 to 2200")),
            };
            match (product, tonnes, year) {
                (Ok(product), Ok(tonnes), Ok(year)) => entries.push(DemandEntry {
                    product,
                    year,
                    tonnes,
                }),
                (p, t, y) => {
                    for (field, e) in [("product", p.err()), ("tonnes", t.err()), ("year", y.err())]
                    {
                        if let Some(e) = e {
                            problems.push(format!("{file}: line {line}: field {field}: {e}"));
                        }
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems.join("\n"));
        }
        if entries.is_empty() {
            return Err(format!("{file}: no demand rows"));
        }
        Ok(Demand { entries })
    }
}

/// Tonnes: `10000`, `10000t`, `10_000 t`; finite and not negative.
fn parse_tonnes(text: &str) -> Result<f64, String> {
    let t = text
        .trim()
        .trim_end_matches(['t', 'T'])
        .trim()
        .replace('_', "");
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "{text:?} is not a number of tonnes a year (write e.g. 10000t)"
        )),
    }
}

/// A disruption of China's exports: from `from`, for `years` years, by `cut_pct` % (100:
/// they stop).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Disruption {
    pub from: i32,
    pub years: u32,
    /// Share of China's exports to the reserve's buyers that stops, %.
    pub cut_pct: f64,
}

impl Disruption {
    /// The calendar years it lasts.
    pub fn years(&self) -> impl Iterator<Item = i32> {
        self.from..self.from + self.years as i32
    }
}

/// What `reserve` needs besides the appraisals.
#[derive(Debug, Clone, PartialEq)]
pub struct ReserveOptions {
    pub demand: Demand,
    pub disruption: Disruption,
    /// The stockpile covers the draws' shortfall at this percentile, %.
    pub confidence_pct: f64,
    pub draws: usize,
    pub seed: u64,
    /// Reference line, days of consumption (Japan's 60).
    pub reference_days: f64,
    /// The deck's price of each product, US$/kg, indexed as [`PRODUCTS`].
    pub prices_usd_per_kg: [f64; 3],
    /// The deck's name.
    pub scenario: String,
}

/// One product's stockpile in one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductReserve {
    pub product: Product,
    /// Mean demand over the disruption's years, t/y.
    pub demand_t_per_y: f64,
    /// The stockpile that covers the shortfall in `confidence_pct` % of the draws, t.
    pub stockpile_t: f64,
    /// Its median and mean over the draws, t.
    pub stockpile_p50_t: f64,
    pub stockpile_mean_t: f64,
    /// The shortfall on the base calendar (every project at its median outcome, as
    /// `timeline` and `plan` count), t.
    pub stockpile_base_t: f64,
    /// Share of draws with any shortfall, 0-1.
    pub prob_shortfall: f64,
    /// The deck's price, US$/kg.
    pub price_usd_per_kg: f64,
    /// `stockpile_t` at that price, US$ million.
    pub cost_musd: f64,
    /// `stockpile_t` in days of the disruption's mean demand.
    pub days_of_consumption: f64,
    /// The reference line (`reference_days` of demand), t and US$ million.
    pub reference_t: f64,
    pub reference_cost_musd: f64,
}

/// One year of the disruption in one scenario, one product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReserveYear {
    pub year: i32,
    pub product: Product,
    pub demand_t: f64,
    /// Oxide separated outside China, t: percentiles over the draws (P10 the low) and the
    /// base calendar.
    pub supply_p10_t: f64,
    pub supply_p50_t: f64,
    pub supply_p90_t: f64,
    pub supply_base_t: f64,
    /// The year's shortfall, t: median and at the confidence (each year's own percentile:
    /// these do not add up to the stockpile, which is the percentile of the sum).
    pub shortfall_p50_t: f64,
    pub shortfall_at_confidence_t: f64,
}

/// The stockpile under one supply outlook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReserveScenario {
    /// `market` (every project at its own chance and pace) or `with_plan` (the plan's
    /// mines financed, its plants built).
    pub name: &'static str,
    pub note: String,
    pub products: Vec<ProductReserve>,
    pub years: Vec<ReserveYear>,
}

/// What financing the plan takes off the stockpile, per product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shrink {
    pub product: Product,
    /// Market minus with-plan stockpile at the confidence, t and US$ million.
    pub stockpile_t: f64,
    pub cost_musd: f64,
    /// The same in expectation (mean over the draws), t.
    pub mean_t: f64,
}

/// The strategic reserve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reserve {
    pub as_of: i32,
    pub seed: u64,
    pub draws: usize,
    pub confidence_pct: f64,
    pub reference_days: f64,
    pub price_scenario: String,
    pub disruption: Disruption,
    pub demand: Demand,
    pub scenarios: Vec<ReserveScenario>,
    /// Null without a plan to compare.
    pub shrink: Option<Vec<Shrink>>,
    /// What the plan financed (mines and plants), when there is one.
    pub plan_financed: Vec<String>,
    pub method: &'static str,
    pub notes: Vec<String>,
}

/// How the reserve is sized (docs/models.md, "Strategic reserve").
pub const METHOD: &str = "each draw gives every project a first-production year (never with one minus its chance of production; else its lead-time quantile at a uniform draw, the appraisal's first-production outlook; producers as they are, blocked projects never; projects independent); each year of the disruption its mined output is allocated to the plants outside China (P50 dates) and the shortfall is cut x max(0, demand - separated supply); the stockpile is the percentile of the sum over the disruption's years at the confidence; cost at the deck's price, days at the disruption's mean demand; with a plan, its mines produce from the plan's first-production year unless their build fails (the owner's construction failure, 1 - risk.base_rate.construction), as the plan counts them, or from their own draw's year where that is earlier (financing never delays a project), and its new plants are built";

/// One project's supply source: its line, the Dy share of its Dy+Tb, and its drawn and
/// base first-production years.
struct Source {
    line: ProjectLine,
    dy_share: Option<f64>,
    /// Its first production in each draw.
    years: Vec<Option<i32>>,
    base: Option<i32>,
}

#[derive(Clone)]
enum FirstDraw {
    Fixed(Option<i32>),
    /// Financed by the plan: its year, with the chance the build succeeds, unless its own
    /// path (`market`, drawn as without the plan) reaches production earlier: financing
    /// never makes a project later than it would be.
    Plan {
        chance: f64,
        year: i32,
        market: Box<FirstDraw>,
    },
    /// Produces with `chance`, in the year of its lead time's quantile.
    Drawn {
        chance: f64,
        lead: Box<crate::model::leadtime::LeadTime>,
    },
}

impl FirstDraw {
    /// The first-production year of one draw: `u` the market's uniform (the same draw of
    /// the project with and without the plan), `build` the stream of a financed project's
    /// builds (its own, so the market's draws are not shifted).
    fn year(&self, u: f64, build: &mut Pcg64Mcg, as_of: i32) -> Option<i32> {
        match self {
            FirstDraw::Fixed(y) => *y,
            FirstDraw::Plan {
                chance,
                year,
                market,
            } => {
                let own = market.year(u, build, as_of);
                let built = (build.random::<f64>() < *chance).then_some(*year);
                match (own, built) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            }
            FirstDraw::Drawn { chance, lead } => (u < *chance).then(|| {
                let t = lead.quantile_if_proceeds(u / chance);
                (f64::from(as_of) + t).floor() as i32
            }),
        }
    }
}

/// Supply of the three products separated outside China in one allocation, t.
fn separated(a: &Allocation, sources: &BTreeMap<&str, &Source>) -> [f64; 3] {
    let mut out = [a.separated_ndpr_t(), 0.0, 0.0];
    for f in &a.feeds {
        if let Some(share) = sources.get(f.id.as_str()).and_then(|s| s.dy_share) {
            out[1] += f.separated_dytb_t * share;
            out[2] += f.separated_dytb_t * (1.0 - share);
        }
    }
    out
}

/// Sizes the reserve on `projects` (their `records`) and the plants of `sep`, in the
/// market and, with `plan`, with the plan financed.
pub fn reserve(
    projects: &[Appraisal],
    records: &[ProjectRecord],
    as_of: i32,
    sep: &Separation,
    plan: Option<&Plan>,
    opts: &ReserveOptions,
) -> Reserve {
    let by_id: BTreeMap<&str, &ProjectRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut notes = Vec::new();
    let unsplit: Vec<&str> = projects
        .iter()
        .filter(|p| p.annual_dytb_t.is_some_and(|t| t > 0.0) && p.annual_dy_t.is_none())
        .map(|p| p.id.as_str())
        .collect();
    if !unsplit.is_empty() {
        notes.push(format!(
            "Dy+Tb of {} not split into Dy and Tb (no oxide shares): counted in neither",
            unsplit.join(", ")
        ));
    }
    let mut scenarios = vec![scenario(
        "market",
        "every project at its own chance of production and pace; the plants of the run".into(),
        projects,
        &by_id,
        as_of,
        sep,
        None,
        opts,
    )];
    let mut plan_financed = Vec::new();
    if let Some(p) = plan {
        let mut s = sep.clone();
        for f in &p.plants_financed {
            if let Some(point) = by_id.get(f.sited_at.as_str()).and_then(|r| r.site_point()) {
                s.plants.push(plant_for(f, point));
            }
        }
        plan_financed.extend(p.financed.iter().map(|f| f.id.clone()));
        plan_financed.extend(p.plants_financed.iter().map(|f| f.id.clone()));
        scenarios.push(scenario(
            "with_plan",
            format!(
                "the plan for {} financed: {}",
                p.target,
                if plan_financed.is_empty() {
                    "nothing (the baseline meets its target)".to_owned()
                } else {
                    plan_financed.join(", ")
                }
            ),
            projects,
            &by_id,
            as_of,
            &s,
            Some(p),
            opts,
        ));
    }
    let shrink = (scenarios.len() == 2).then(|| {
        scenarios[0]
            .products
            .iter()
            .zip(&scenarios[1].products)
            .map(|(m, w)| Shrink {
                product: m.product,
                stockpile_t: m.stockpile_t - w.stockpile_t,
                cost_musd: m.cost_musd - w.cost_musd,
                mean_t: m.stockpile_mean_t - w.stockpile_mean_t,
            })
            .collect()
    });
    Reserve {
        as_of,
        seed: opts.seed,
        draws: opts.draws,
        confidence_pct: opts.confidence_pct,
        reference_days: opts.reference_days,
        price_scenario: opts.scenario.clone(),
        disruption: opts.disruption,
        demand: opts.demand.clone(),
        scenarios,
        shrink,
        plan_financed,
        method: METHOD,
        notes,
    }
}

/// One scenario: the draws, each year's allocation, the shortfall's percentiles.
#[allow(clippy::too_many_arguments)]
fn scenario(
    name: &'static str,
    note: String,
    projects: &[Appraisal],
    by_id: &BTreeMap<&str, &ProjectRecord>,
    as_of: i32,
    sep: &Separation,
    plan: Option<&Plan>,
    opts: &ReserveOptions,
) -> ReserveScenario {
    let financed: BTreeMap<&str, i32> = plan
        .map(|p| {
            p.financed
                .iter()
                .map(|f| (f.id.as_str(), f.first_production_year))
                .collect()
        })
        .unwrap_or_default();
    let draws = opts.draws.max(1);
    let sources: Vec<Source> = projects
        .iter()
        .map(|p| {
            let line = ProjectLine::new(p, by_id.get(p.id.as_str()).copied());
            let o = &p.first_production;
            let market = if line.blocked.is_some() {
                FirstDraw::Fixed(None)
            } else if p.lead_time.produced {
                FirstDraw::Fixed(line.first_production_year.base)
            } else {
                FirstDraw::Drawn {
                    chance: line.chance_of_production,
                    lead: Box::new(p.lead_time.clone()),
                }
            };
            let draw = match financed.get(p.id.as_str()) {
                // As the plan counts it: building from its start year, producing from its
                // first-production year, unless the build fails (the owner's terms'
                // construction failure; a project without an owner's value at its chance);
                // or earlier, where its own path gets there first.
                Some(year) if matches!(market, FirstDraw::Drawn { .. }) => {
                    let chance = p.owner.as_ref().map_or(o.chance_before_decision, |w| {
                        1.0 - w.terms.construction_failure
                    });
                    FirstDraw::Plan {
                        chance,
                        year: *year,
                        market: Box::new(market),
                    }
                }
                _ => market,
            };
            // The base calendar: the timeline's median outcome, or the plan's year.
            let base = match financed.get(p.id.as_str()) {
                Some(y) => Some(*y),
                None => line.first_production_year.base,
            };
            let mut rng = stream(opts.seed, &p.id);
            let mut build = stream(opts.seed, &format!("{} build", p.id));
            let years = (0..draws)
                .map(|_| draw.year(rng.random::<f64>(), &mut build, as_of))
                .collect();
            let dy_share = match (p.annual_dy_t, p.annual_tb_t) {
                (Some(dy), Some(tb)) if dy + tb > 0.0 => Some(dy / (dy + tb)),
                _ => None,
            };
            Source {
                line,
                dy_share,
                years,
                base,
            }
        })
        .collect();
    let index: BTreeMap<&str, &Source> = sources.iter().map(|s| (s.line.id.as_str(), s)).collect();
    let ramp: &[f64] = &sep.ramp;
    let window: Vec<i32> = opts.disruption.years().collect();
    let supply_in = |year: i32, first: &dyn Fn(&Source) -> Option<i32>| -> [f64; 3] {
        let feeds: Vec<_> = sources
            .iter()
            .filter_map(|s| s.line.feed_in(year, first(s), ramp, 1.0))
            .collect();
        separated(
            &sep.allocate_year(&feeds, year, PlantCalendar::P50, as_of),
            &index,
        )
    };
    // supply[draw][year] per product.
    let supply: Vec<Vec<[f64; 3]>> = (0..draws)
        .into_par_iter()
        .map(|k| {
            window
                .iter()
                .map(|&y| supply_in(y, &|s: &Source| s.years[k]))
                .collect()
        })
        .collect();
    let base: Vec<[f64; 3]> = window
        .iter()
        .map(|&y| supply_in(y, &|s: &Source| s.base))
        .collect();
    let cut = (opts.disruption.cut_pct / 100.0).clamp(0.0, 1.0);
    let short = |d: f64, s: f64| cut * (d - s).max(0.0);
    let q = (opts.confidence_pct / 100.0).clamp(0.0, 1.0);
    let mut products = Vec::new();
    let mut years = Vec::new();
    for product in opts.demand.products() {
        let i = product.index();
        let demand: Vec<f64> = window
            .iter()
            .map(|&y| opts.demand.in_year(product, y).unwrap_or(0.0))
            .collect();
        let mut totals: Vec<f64> = supply
            .iter()
            .map(|d| {
                d.iter()
                    .zip(&demand)
                    .map(|(s, dem)| short(*dem, s[i]))
                    .sum::<f64>()
            })
            .collect();
        let prob = totals.iter().filter(|t| **t > 1e-9).count() as f64 / totals.len() as f64;
        let mean = totals.iter().sum::<f64>() / totals.len() as f64;
        totals.sort_by(f64::total_cmp);
        let stockpile = quantile(&totals, q);
        let base_total: f64 = base
            .iter()
            .zip(&demand)
            .map(|(s, dem)| short(*dem, s[i]))
            .sum();
        let mean_demand = if demand.is_empty() {
            0.0
        } else {
            demand.iter().sum::<f64>() / demand.len() as f64
        };
        let price = opts.prices_usd_per_kg[i];
        let reference_t = mean_demand * opts.reference_days / 365.0;
        products.push(ProductReserve {
            product,
            demand_t_per_y: mean_demand,
            stockpile_t: stockpile,
            stockpile_p50_t: quantile(&totals, 0.5),
            stockpile_mean_t: mean,
            stockpile_base_t: base_total,
            prob_shortfall: prob,
            price_usd_per_kg: price,
            cost_musd: stockpile * price / 1000.0,
            days_of_consumption: if mean_demand > 0.0 {
                stockpile / mean_demand * 365.0
            } else {
                0.0
            },
            reference_t,
            reference_cost_musd: reference_t * price / 1000.0,
        });
        for (j, &year) in window.iter().enumerate() {
            let mut s: Vec<f64> = supply.iter().map(|d| d[j][i]).collect();
            s.sort_by(f64::total_cmp);
            let mut sh: Vec<f64> = supply.iter().map(|d| short(demand[j], d[j][i])).collect();
            sh.sort_by(f64::total_cmp);
            years.push(ReserveYear {
                year,
                product,
                demand_t: demand[j],
                supply_p10_t: quantile(&s, 0.1),
                supply_p50_t: quantile(&s, 0.5),
                supply_p90_t: quantile(&s, 0.9),
                supply_base_t: base[j][i],
                shortfall_p50_t: quantile(&sh, 0.5),
                shortfall_at_confidence_t: quantile(&sh, q),
            });
        }
    }
    ReserveScenario {
        name,
        note,
        products,
        years,
    }
}

/// The random stream of one project's first production in the reserve's draws: depends on
/// the seed and the project's id only (not on the order of the records or the threads),
/// apart from every stream of the appraisal's simulation (its own driver name).
fn stream(seed: u64, project: &str) -> Pcg64Mcg {
    crate::model::simulate::stream(seed, project, "reserve_first_production")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demand_flags_parse() {
        let d = Demand::parse_flag("ndpr=10000t, dy=800, tb=150t,ndpr=12_000t@2030").unwrap();
        assert_eq!(d.in_year(Product::Ndpr, 2029), Some(10000.0));
        assert_eq!(d.in_year(Product::Ndpr, 2030), Some(12000.0));
        assert_eq!(d.in_year(Product::Dy, 2030), Some(800.0));
        assert_eq!(d.products(), PRODUCTS.to_vec());
        assert!(Demand::parse_flag("gold=1t").is_err());
        assert!(Demand::parse_flag("ndpr=-1t").is_err());
        assert!(Demand::parse_flag("ndpr=lots").is_err());
        assert!(Demand::parse_flag("").is_err());
    }

    #[test]
    fn a_demand_file_reports_every_bad_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demand.csv");
        std::fs::write(
            &path,
            "product,tonnes,year\nndpr,10000,\ngold,5,\ndy,x,20x0\n",
        )
        .unwrap();
        let e = Demand::read_csv(&path).unwrap_err();
        assert!(e.contains("line 3: field product"), "{e}");
        assert!(e.contains("line 4: field tonnes"), "{e}");
        assert!(e.contains("line 4: field year"), "{e}");
        assert!(e.contains("demand.csv"), "{e}");
        std::fs::write(&path, "product,tonnes,year\nndpr,10000,\nndpr,12000,2030\n").unwrap();
        let d = Demand::read_csv(&path).unwrap();
        assert_eq!(d.in_year(Product::Ndpr, 2031), Some(10000.0));
        assert_eq!(d.in_year(Product::Ndpr, 2030), Some(12000.0));
    }
}
