//! The processing bottleneck: each year, mine output is assigned to separation plants
//! outside China within their capacities, and only what a plant separates counts as
//! non-China supply of separated NdPr and Dy + Tb oxide.
//!
//! The rule, year by year (docs/models.md, "Separation"):
//! 1. A product sold as separated oxides by a project whose operator owns no plant in the
//!    layer is separated by the project's own plant: all of it counts. (A producer whose
//!    operator owns a plant in the layer, like Mount Weld and Lynas Malaysia, is separated
//!    there, within that plant's capacity.)
//! 2. Named offtake: feed goes first to plants whose operator or owner is one of the
//!    record's offtakers.
//! 3. Captive feed: then to plants the record's operator owns.
//! 4. Third-party feed: what is left goes to open plants, cheapest first (tolling plus
//!    freight, US$/kg TREO).
//!
//! Within each tier every (feed, plant) pair is ranked by its cost, then the feed's id,
//! then the plant's id, and served in that order: the result does not depend on the order
//! of the records or of the plants. A plant takes the largest share of a feed that fits
//! every limit it has (TREO, NdPr, Dy + Tb). Feed no plant outside China can take is sold
//! to China: it adds no non-China supply and is valued on China terms
//! ([`crate::model::plant_terms`]). Nothing queues for a later year (concentrate is sold, not
//! stockpiled, by a producer that needs the cash; the rule is stated, not modelled).

use serde::Serialize;

use crate::context::geodesic_km;
use crate::context::plants::{Capacity, Plant, PlantAccess, PlantCalendar};
use crate::read::record::ProductForm;

/// One project's output in one year, as the allocation needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub id: String,
    pub operator: Option<String>,
    pub offtakers: Vec<String>,
    pub form: ProductForm,
    pub point: Option<geo::Point<f64>>,
    /// Contained TREO, t (the NdPr plus Dy + Tb when the project gives no TREO).
    pub treo_t: f64,
    /// Contained NdPr oxide, t.
    pub ndpr_t: f64,
    /// Contained Dy + Tb oxide, t.
    pub dytb_t: f64,
    /// Whether the project separates its output in a plant of its own outside the plants
    /// layer (it sells separated oxides and its operator owns no plant in the layer).
    pub own_plant: bool,
}

/// Charges the allocation ranks plants by (from the assumptions, `[separation]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Charges {
    /// Tolling, US$/kg TREO of feed, where a plant gives none.
    pub toll_light_usd_per_kg: f64,
    /// Tolling surcharge, US$/kg Dy + Tb oxide, where a plant gives none.
    pub toll_heavy_usd_per_kg: f64,
    /// Freight, US$ per tonne of product per km.
    pub freight_usd_per_t_km: f64,
    /// TREO in a tonne of concentrate and of mixed carbonate, %.
    pub concentrate_treo_pct: f64,
    pub mixed_carbonate_treo_pct: f64,
    /// A plant with no heavy circuit takes no feed whose Dy + Tb exceed this share of its
    /// NdPr (the heavy rare earths would be lost to China).
    pub light_only_max_dytb_to_ndpr: f64,
}

impl Charges {
    /// US$/kg TREO to separate `f` at `p`: tolling plus freight over `km`.
    pub fn cost(&self, f: &Feed, p: &Plant, heavy: bool, km: f64) -> f64 {
        let toll = p
            .toll_light_usd_per_kg
            .unwrap_or(self.toll_light_usd_per_kg);
        let heavy_toll = if heavy && f.treo_t > 0.0 {
            p.toll_heavy_usd_per_kg
                .unwrap_or(self.toll_heavy_usd_per_kg)
                * f.dytb_t
                / f.treo_t
        } else {
            0.0
        };
        let pct = match f.form {
            ProductForm::MixedCarbonate => self.mixed_carbonate_treo_pct,
            _ => self.concentrate_treo_pct,
        };
        // US$/t product/km x km / (t TREO per t product) / 1000 kg.
        let freight = self.freight_usd_per_t_km * km / (pct / 100.0).max(1e-6) / 1000.0;
        toll + heavy_toll + freight
    }
}

/// How a feed reached a plant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// The project's own separation (it sells separated oxides).
    Own,
    /// The record names the plant's operator or owner as offtaker.
    Named,
    /// The record's operator owns the plant.
    Captive,
    /// An open plant, at least cost.
    ThirdParty,
}

/// A share of one feed separated at one plant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    /// The plant's id (null for the project's own plant).
    pub plant: Option<String>,
    pub tier: Tier,
    /// Share of the year's feed, 0-1.
    pub share: f64,
    /// Separated NdPr and Dy + Tb oxide, t.
    pub ndpr_t: f64,
    pub dytb_t: f64,
    /// Tolling plus freight, US$/kg TREO (0 for the project's own plant).
    pub cost_usd_per_kg: f64,
    /// Geodesic distance to the plant, km.
    pub distance_km: Option<f64>,
}

/// One project's year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedOutcome {
    pub id: String,
    pub mined_ndpr_t: f64,
    pub mined_dytb_t: f64,
    pub separated_ndpr_t: f64,
    pub separated_dytb_t: f64,
    /// Contained oxide no plant outside China took: sold to China, t.
    pub to_china_ndpr_t: f64,
    pub to_china_dytb_t: f64,
    pub assignments: Vec<Assignment>,
}

/// One plant's year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlantOutcome {
    pub id: String,
    pub capacity: Capacity,
    /// Feed taken, t.
    pub treo_t: f64,
    pub ndpr_t: f64,
    pub dytb_t: f64,
    /// Whether a limit is reached (within 0.1 %).
    pub full: bool,
}

/// A year's allocation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allocation {
    /// By feed id.
    pub feeds: Vec<FeedOutcome>,
    /// By plant id.
    pub plants: Vec<PlantOutcome>,
}

impl Allocation {
    pub fn mined_ndpr_t(&self) -> f64 {
        self.feeds.iter().map(|f| f.mined_ndpr_t).sum()
    }
    pub fn mined_dytb_t(&self) -> f64 {
        self.feeds.iter().map(|f| f.mined_dytb_t).sum()
    }
    pub fn separated_ndpr_t(&self) -> f64 {
        self.feeds.iter().map(|f| f.separated_ndpr_t).sum()
    }
    pub fn separated_dytb_t(&self) -> f64 {
        self.feeds.iter().map(|f| f.separated_dytb_t).sum()
    }
    pub fn to_china_ndpr_t(&self) -> f64 {
        self.feeds.iter().map(|f| f.to_china_ndpr_t).sum()
    }
    pub fn to_china_dytb_t(&self) -> f64 {
        self.feeds.iter().map(|f| f.to_china_dytb_t).sum()
    }
}

/// What still fits at a plant.
#[derive(Debug, Clone, Copy)]
struct Room {
    reo: Option<f64>,
    ndpr: Option<f64>,
    dytb: Option<f64>,
    heavy: bool,
}

impl Room {
    /// The largest share (up to `left`) of feed `f` that fits.
    fn fits(&self, f: &Feed, left: f64) -> f64 {
        let mut s = left;
        let mut bound = |room: Option<f64>, need: f64| {
            if let Some(r) = room
                && need > 0.0
            {
                s = s.min((r / need).max(0.0));
            }
        };
        bound(self.reo, f.treo_t);
        bound(self.ndpr, f.ndpr_t);
        if self.heavy {
            bound(self.dytb, f.dytb_t);
        }
        s
    }
}

/// Assigns each feed's year of output to plants; `plants` pairs each plant with its
/// capacity this year. Deterministic and independent of the order of either list.
pub fn allocate(feeds: &[Feed], plants: &[(&Plant, Capacity)], c: &Charges) -> Allocation {
    // Distances once per pair, and only of the pairs that could take anything.
    let np = plants.len();
    let km: Vec<std::cell::OnceCell<Option<f64>>> =
        vec![std::cell::OnceCell::new(); feeds.len() * np];
    allocate_by(
        feeds,
        plants,
        c,
        |i, j| {
            *km[i * np + j]
                .get_or_init(|| feeds[i].point.map(|q| geodesic_km(q, plants[j].0.point)))
        },
        |i, j, tier| owner_allows(&feeds[i], plants[j].0, tier),
    )
}

/// What a run's allocations need of each (project, separating plant) pair that does not
/// change from year to year: the geodesic distance (km) and whether the plant's owners
/// are the project's offtakers or operator; and of each project, whether it separates in
/// a plant of its own. Computed once for a run of many years instead of once a year (the
/// same figures, so the same allocation).
#[derive(Debug, Clone)]
pub struct PairFacts {
    /// Separating plants (the order of [`Separation::capacities`]), by id.
    plants: Vec<String>,
    /// Project-major, km; NaN where the project has no site or the pair can never take
    /// feed.
    km: Vec<f64>,
    /// Project-major: bit 0 the plant's owners are offtakers, bit 1 the operator owns it.
    owns: Vec<u8>,
    /// By project: [`Separation::has_own_plant`].
    own_plant: Vec<bool>,
}

impl PairFacts {
    /// The facts of `feeds` (one per project; the year's quantities do not matter) against
    /// the separating plants of `sep`.
    pub fn new(feeds: &[Feed], sep: &Separation) -> PairFacts {
        PairFacts::of(feeds.len(), |i| std::borrow::Cow::Borrowed(&feeds[i]), sep)
    }

    /// The facts of `n` projects, project `i`'s feed (owners, form and site; the
    /// quantities do not matter) made by `feed(i)`: a run of many projects makes each
    /// when needed instead of holding them all.
    pub fn of<'f>(
        n: usize,
        feed: impl Fn(usize) -> std::borrow::Cow<'f, Feed> + Sync,
        sep: &Separation,
    ) -> PairFacts {
        use rayon::prelude::*;
        let plants: Vec<&Plant> = sep.plants.iter().filter(|p| p.separates()).collect();
        let np = plants.len();
        let mut km = vec![f64::NAN; n * np];
        let mut owns = vec![0u8; n * np];
        let own_of = |f: &Feed| sep.has_own_plant(f.form, f.operator.as_deref());
        let own_plant: Vec<bool> = if np == 0 {
            (0..n).into_par_iter().map(|i| own_of(&feed(i))).collect()
        } else {
            // In chunks of projects, each project's pairs `np` apart.
            const CHUNK: usize = 1024;
            let mut own_plant = vec![false; n];
            own_plant
                .par_chunks_mut(CHUNK)
                .zip(km.par_chunks_mut(CHUNK * np))
                .zip(owns.par_chunks_mut(CHUNK * np))
                .enumerate()
                .for_each(|(c, ((own, km), owns))| {
                    // Which plants each company owns, found once a chunk for each name
                    // (projects share operators and offtakers): `owner_allows` of the
                    // named and captive tiers, a pair at a time.
                    let mut owned_by: std::collections::HashMap<String, Vec<bool>> =
                        std::collections::HashMap::new();
                    let mut of = |company: &str| -> Vec<bool> {
                        if let Some(v) = owned_by.get(company) {
                            return v.clone();
                        }
                        let v: Vec<bool> = plants.iter().map(|p| p.owned_by(company)).collect();
                        owned_by.insert(company.to_owned(), v.clone());
                        v
                    };
                    for (k, own) in own.iter_mut().enumerate() {
                        let f = feed(c * CHUNK + k);
                        *own = own_of(&f);
                        let mut named = vec![false; np];
                        for o in &f.offtakers {
                            for (n, by) in named.iter_mut().zip(of(o)) {
                                *n |= by;
                            }
                        }
                        let captive = f
                            .operator
                            .as_deref()
                            .map_or_else(|| vec![false; np], &mut of);
                        for (j, p) in plants.iter().enumerate() {
                            // A pair no year's allocation can rank ([`eligible`]: the
                            // project separates in a plant of its own, or the plant takes
                            // none of its product form) needs no distance.
                            if let Some(q) = f.point
                                && !*own
                                && takes_form(&f, p)
                            {
                                km[k * np + j] = geodesic_km(q, p.point);
                            }
                            owns[k * np + j] = u8::from(named[j]) | (u8::from(captive[j]) << 1);
                        }
                    }
                });
            own_plant
        };
        PairFacts {
            plants: plants.iter().map(|p| p.id.clone()).collect(),
            km,
            owns,
            own_plant,
        }
    }

    /// Allocates `feeds` of one year, where `rows[i]` is the project (of those the facts
    /// were made from) of `feeds[i]`; the same result as [`Separation::allocate_year`].
    pub fn allocate_year(
        &self,
        sep: &Separation,
        feeds: &mut [Feed],
        rows: &[usize],
        year: i32,
        cal: PlantCalendar,
        as_of: i32,
    ) -> Allocation {
        let caps = sep.capacities(year, cal, as_of);
        debug_assert!(
            caps.len() == self.plants.len()
                && caps
                    .iter()
                    .zip(&self.plants)
                    .all(|((p, _), id)| &p.id == id)
        );
        for (f, &r) in feeds.iter_mut().zip(rows) {
            f.own_plant = self.own_plant[r];
        }
        let np = self.plants.len();
        allocate_by(
            feeds,
            &caps,
            &sep.charges,
            |i, j| {
                let d = self.km[rows[i] * np + j];
                (!d.is_nan()).then_some(d)
            },
            |i, j, tier| match tier {
                Tier::Named => self.owns[rows[i] * np + j] & 1 != 0,
                Tier::Captive => self.owns[rows[i] * np + j] & 2 != 0,
                _ => owner_allows(&feeds[i], caps[j].0, tier),
            },
        )
    }
}

/// [`allocate`] with the distance of feed `i` to plant `j` from `km` and the ownership
/// part of the eligibility of the pair in a tier from `owns`.
fn allocate_by(
    feeds: &[Feed],
    plants: &[(&Plant, Capacity)],
    c: &Charges,
    km: impl Fn(usize, usize) -> Option<f64>,
    owns: impl Fn(usize, usize, Tier) -> bool,
) -> Allocation {
    let mut feed_order: Vec<usize> = (0..feeds.len()).collect();
    feed_order.sort_by(|a, b| feeds[*a].id.cmp(&feeds[*b].id));
    let mut plant_order: Vec<usize> = (0..plants.len()).collect();
    plant_order.sort_by(|a, b| plants[*a].0.id.cmp(&plants[*b].0.id));

    let mut left: Vec<f64> = vec![1.0; feeds.len()];
    let mut out: Vec<FeedOutcome> = feeds
        .iter()
        .map(|f| FeedOutcome {
            id: f.id.clone(),
            mined_ndpr_t: f.ndpr_t,
            mined_dytb_t: f.dytb_t,
            separated_ndpr_t: 0.0,
            separated_dytb_t: 0.0,
            to_china_ndpr_t: 0.0,
            to_china_dytb_t: 0.0,
            assignments: Vec::new(),
        })
        .collect();
    let mut room: Vec<Room> = plants
        .iter()
        .map(|(_, cap)| Room {
            reo: cap.reo_t,
            ndpr: cap.ndpr_t,
            dytb: cap.dytb_t,
            heavy: cap.heavy,
        })
        .collect();
    let mut taken: Vec<(f64, f64, f64)> = vec![(0.0, 0.0, 0.0); plants.len()];

    // 1. Own separation.
    for &i in &feed_order {
        let f = &feeds[i];
        if f.own_plant && (f.ndpr_t > 0.0 || f.dytb_t > 0.0) {
            left[i] = 0.0;
            out[i].separated_ndpr_t = f.ndpr_t;
            out[i].separated_dytb_t = f.dytb_t;
            out[i].assignments.push(Assignment {
                plant: None,
                tier: Tier::Own,
                share: 1.0,
                ndpr_t: f.ndpr_t,
                dytb_t: f.dytb_t,
                cost_usd_per_kg: 0.0,
                distance_km: None,
            });
        }
    }

    for tier in [Tier::Named, Tier::Captive, Tier::ThirdParty] {
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for &i in &feed_order {
            let f = &feeds[i];
            if left[i] <= 0.0 || (f.ndpr_t <= 0.0 && f.dytb_t <= 0.0) {
                continue;
            }
            for &j in &plant_order {
                let (p, cap) = plants[j];
                // A pair with no room for the feed now has none later in the tier (room
                // and what is left of the feed only shrink), so it would take nothing.
                if !eligible(f, p, cap, c) || !owns(i, j, tier) || room[j].fits(f, left[i]) <= 1e-12
                {
                    continue;
                }
                // A feed with no position pays no freight but ranks after every priced pair.
                let cost = match km(i, j) {
                    Some(d) => c.cost(f, p, cap.heavy, d),
                    None => f64::MAX,
                };
                pairs.push((cost, i, j));
            }
        }
        pairs.sort_by(|a, b| {
            a.0.total_cmp(&b.0)
                .then_with(|| feeds[a.1].id.cmp(&feeds[b.1].id))
                .then_with(|| plants[a.2].0.id.cmp(&plants[b.2].0.id))
        });
        for (cost, i, j) in pairs {
            let f = &feeds[i];
            let share = room[j].fits(f, left[i]);
            if share <= 1e-12 {
                continue;
            }
            left[i] -= share;
            let r = &mut room[j];
            let sub = |v: &mut Option<f64>, x: f64| {
                if let Some(v) = v {
                    *v = (*v - x).max(0.0);
                }
            };
            sub(&mut r.reo, share * f.treo_t);
            sub(&mut r.ndpr, share * f.ndpr_t);
            if r.heavy {
                sub(&mut r.dytb, share * f.dytb_t);
            }
            let t = &mut taken[j];
            t.0 += share * f.treo_t;
            t.1 += share * f.ndpr_t;
            t.2 += share * f.dytb_t;
            let (p, cap) = plants[j];
            let ndpr = if p.light { share * f.ndpr_t } else { 0.0 };
            let dytb = if cap.heavy { share * f.dytb_t } else { 0.0 };
            out[i].separated_ndpr_t += ndpr;
            out[i].separated_dytb_t += dytb;
            out[i].assignments.push(Assignment {
                plant: Some(p.id.clone()),
                tier,
                share,
                ndpr_t: ndpr,
                dytb_t: dytb,
                cost_usd_per_kg: if cost == f64::MAX { 0.0 } else { cost },
                distance_km: km(i, j),
            });
        }
    }
    for o in &mut out {
        o.to_china_ndpr_t = (o.mined_ndpr_t - o.separated_ndpr_t).max(0.0);
        o.to_china_dytb_t = (o.mined_dytb_t - o.separated_dytb_t).max(0.0);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    let mut plants_out: Vec<PlantOutcome> = plants
        .iter()
        .zip(&room)
        .zip(&taken)
        .map(|(((p, cap), r), t)| {
            let near = |left: Option<f64>, cap: Option<f64>| match (left, cap) {
                (Some(l), Some(c)) if c > 0.0 => l <= c * 1e-3,
                _ => false,
            };
            PlantOutcome {
                id: p.id.clone(),
                capacity: *cap,
                treo_t: t.0,
                ndpr_t: t.1,
                dytb_t: t.2,
                full: near(r.reo, cap.reo_t)
                    || near(r.ndpr, cap.ndpr_t)
                    || (cap.heavy && near(r.dytb, cap.dytb_t)),
            }
        })
        .collect();
    plants_out.sort_by(|a, b| a.id.cmp(&b.id));
    Allocation {
        feeds: out,
        plants: plants_out,
    }
}

/// Whether plant `p` (with capacity `cap` this year) can take feed `f` (whatever the
/// tier; [`owner_allows`] is the tier's part).
fn eligible(f: &Feed, p: &Plant, cap: Capacity, c: &Charges) -> bool {
    if f.own_plant || !p.separates() || !cap.any() || !takes_form(f, p) {
        return false;
    }
    if !cap.heavy && f.dytb_t > c.light_only_max_dytb_to_ndpr * f.ndpr_t {
        return false;
    }
    p.light || cap.heavy
}

/// Whether plant `p` takes feed `f`'s product form, whatever the year.
fn takes_form(f: &Feed, p: &Plant) -> bool {
    // Separated oxides not made in a plant of the project's own are made in the layer's
    // plant of its operator, from whatever intermediate that plant takes.
    f.form == ProductForm::SeparatedOxides || p.feeds.contains(&f.form)
}

/// Whether the tier lets plant `p` take feed `f`: its owners are the feed's offtakers
/// (named), its operator (captive), or it is open (third party).
fn owner_allows(f: &Feed, p: &Plant, tier: Tier) -> bool {
    match tier {
        Tier::Own => false,
        Tier::Named => f.offtakers.iter().any(|o| p.owned_by(o)),
        Tier::Captive => f.operator.as_deref().is_some_and(|o| p.owned_by(o)),
        Tier::ThirdParty => p.access == PlantAccess::Open,
    }
}

/// The plants and charges of a run: the plants layer (after any scenario) and the
/// assumptions' `[separation]` figures.
#[derive(Debug, Clone)]
pub struct Separation {
    pub plants: Vec<Plant>,
    pub charges: Charges,
    /// Share of a nameplate capacity a running plant separates, 0-1.
    pub utilisation: f64,
    /// Share of capacity in a new plant's first years (the mines' ramp-up).
    pub ramp: Vec<f64>,
    /// NdPr and Dy + Tb share of a REO-only capacity, 0-1 (for showing capacity only).
    pub reo_ndpr_share: f64,
    pub reo_dytb_share: f64,
    /// Owners of the separating plants of the layer as loaded, before any scenario: a
    /// project of theirs that sells separated oxides is separated in their plants, and
    /// has no plant of its own to fall back on when a scenario removes them.
    pub layer_owners: Vec<String>,
    /// A new plant the plan finances: US$ million per t/y NdPr, and years to first output.
    pub new_plant_capex_musd_per_t_ndpr: f64,
    pub new_plant_lead_time_y: u32,
    /// Its least Dy + Tb circuit per t/y of NdPr, t/t.
    pub new_plant_min_dytb_per_ndpr: f64,
}

impl Separation {
    pub fn new(plants: Vec<Plant>, a: &crate::assumptions::Assumptions) -> Separation {
        let s = &a.separation;
        let pct = |form: &str| {
            a.products
                .get(form)
                .map_or(100.0, |p| p.treo_pct_of_product)
        };
        Separation {
            charges: Charges {
                toll_light_usd_per_kg: s.toll_light_usd_per_kg,
                toll_heavy_usd_per_kg: s.toll_heavy_usd_per_kg,
                freight_usd_per_t_km: a.costs.logistics_usd_per_t_km,
                concentrate_treo_pct: pct("concentrate"),
                mixed_carbonate_treo_pct: pct("mixed_carbonate"),
                light_only_max_dytb_to_ndpr: s.light_only_max_dytb_to_ndpr,
            },
            utilisation: s.utilisation_pct / 100.0,
            ramp: a.schedule.ramp_up.clone(),
            reo_ndpr_share: s.reo_capacity_ndpr_pct / 100.0,
            reo_dytb_share: s.reo_capacity_dytb_pct / 100.0,
            new_plant_capex_musd_per_t_ndpr: s.new_plant_capex_musd_per_t_ndpr,
            new_plant_lead_time_y: s.new_plant_lead_time_y,
            new_plant_min_dytb_per_ndpr: s.new_plant_min_dytb_per_ndpr,
            layer_owners: plants
                .iter()
                .filter(|p| p.separates())
                .flat_map(|p| p.operator.iter().chain(&p.owners).cloned())
                .collect(),
            plants,
        }
    }

    /// Applies a scenario (plants removed, delayed or dated) to the plants.
    pub fn apply(&mut self, changes: &[PlantChange]) -> Result<(), String> {
        apply_changes(&mut self.plants, changes)
    }

    /// Whether a project run by `operator` that sells separated oxides separates them in
    /// a plant of its own outside the layer.
    pub fn has_own_plant(&self, form: ProductForm, operator: Option<&str>) -> bool {
        form == ProductForm::SeparatedOxides
            && !operator.is_some_and(|o| {
                self.layer_owners
                    .iter()
                    .any(|w| crate::context::plants::same_company(w, o))
            })
    }

    /// Each separating plant with its capacity in `year` on `cal`.
    pub fn capacities(&self, year: i32, cal: PlantCalendar, as_of: i32) -> Vec<(&Plant, Capacity)> {
        self.plants
            .iter()
            .filter(|p| p.separates())
            .map(|p| {
                (
                    p,
                    p.capacity_in(year, cal, as_of, self.utilisation, &self.ramp),
                )
            })
            .collect()
    }

    /// The year's allocation of `feeds` (each feed's `own_plant` set by
    /// [`Separation::has_own_plant`]).
    pub fn allocate_year(
        &self,
        feeds: &[Feed],
        year: i32,
        cal: PlantCalendar,
        as_of: i32,
    ) -> Allocation {
        let feeds: Vec<Feed> = feeds
            .iter()
            .map(|f| Feed {
                own_plant: self.has_own_plant(f.form, f.operator.as_deref()),
                ..f.clone()
            })
            .collect();
        allocate(&feeds, &self.capacities(year, cal, as_of), &self.charges)
    }

    /// NdPr capacity of the plants, t/y: the NdPr figure where given, else the REO figure
    /// at the assumed NdPr share.
    pub fn ndpr_capacity_t(&self, caps: &[(&Plant, Capacity)]) -> f64 {
        caps.iter()
            .filter(|(p, _)| p.light)
            .map(|(_, c)| {
                c.ndpr_t
                    .or(c.reo_t.map(|r| r * self.reo_ndpr_share))
                    .unwrap_or(0.0)
            })
            .sum()
    }

    /// Dy + Tb capacity, t/y: the Dy + Tb (or heavy feed) figure where given, else the REO
    /// figure at the assumed Dy + Tb share; 0 for plants without a heavy circuit.
    pub fn dytb_capacity_t(&self, caps: &[(&Plant, Capacity)]) -> f64 {
        caps.iter()
            .filter(|(_, c)| c.heavy)
            .map(|(_, c)| {
                c.dytb_t
                    .or(c.reo_t.map(|r| r * self.reo_dytb_share))
                    .unwrap_or(0.0)
            })
            .sum()
    }
}

/// A change to the plants layer: a plant removed, or delayed.
#[derive(Debug, Clone, PartialEq)]
pub enum PlantChange {
    /// The plant is left out.
    Drop(String),
    /// Every date of the plant moves this many years later.
    DelayBy(String, i32),
    /// The plant starts in this year (every date moves with it; an undated plant gets it).
    StartIn(String, i32),
}

impl std::str::FromStr for PlantChange {
    type Err = String;

    /// `ID` is parsed by the caller for drops; here `ID=+N` (delay) or `ID=YEAR` (start).
    fn from_str(text: &str) -> Result<PlantChange, String> {
        let (id, when) = text.split_once('=').ok_or_else(|| {
            format!("{text:?}: write ID=+YEARS (a delay) or ID=YEAR (a start year)")
        })?;
        let id = id.trim().to_owned();
        let when = when.trim();
        if let Some(n) = when.strip_prefix('+') {
            let n: i32 = n
                .parse()
                .map_err(|_| format!("{text:?}: {n:?} is not a whole number of years"))?;
            Ok(PlantChange::DelayBy(id, n))
        } else {
            match when.parse::<i32>() {
                Ok(y) if (1900..=2200).contains(&y) => Ok(PlantChange::StartIn(id, y)),
                _ => Err(format!(
                    "{text:?}: {when:?} is neither +YEARS nor a year between 1900 and 2200"
                )),
            }
        }
    }
}

/// Applies `changes` to `plants`; an id no plant has is an error naming it.
pub fn apply_changes(plants: &mut Vec<Plant>, changes: &[PlantChange]) -> Result<(), String> {
    for ch in changes {
        let id = match ch {
            PlantChange::Drop(id) | PlantChange::DelayBy(id, _) | PlantChange::StartIn(id, _) => id,
        };
        let Some(k) = plants.iter().position(|p| &p.id == id) else {
            let ids: Vec<&str> = plants.iter().map(|p| p.id.as_str()).collect();
            return Err(format!(
                "no plant with id {id:?} in the plants layer (ids: {})",
                ids.join(", ")
            ));
        };
        match ch {
            PlantChange::Drop(_) => {
                plants.remove(k);
            }
            PlantChange::DelayBy(_, n) => shift(&mut plants[k], *n),
            PlantChange::StartIn(_, y) => {
                let p = &mut plants[k];
                match p.start_year {
                    Some(s) => shift(p, y - s),
                    None => {
                        p.start_year = Some(*y);
                        p.start_year_late = Some(p.start_year_late.unwrap_or(*y).max(*y));
                        for s in &mut p.capacity {
                            if s.from.is_none() {
                                s.from = Some(*y);
                                s.from_late = Some(s.from_late.unwrap_or(*y).max(*y));
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Moves every date of a plant by `n` years.
fn shift(p: &mut Plant, n: i32) {
    let mv = |y: &mut Option<i32>| *y = y.map(|v| v + n);
    mv(&mut p.start_year);
    mv(&mut p.start_year_late);
    for s in &mut p.capacity {
        mv(&mut s.from);
        mv(&mut s.from_late);
    }
}

/// Whether plant `p` (with capacity `cap` this year) can take feed `f` in `tier` and, if so,
/// the cost [`allocate`] ranks the pair by: tolling plus freight over the distance `km()`,
/// US$/kg TREO, or `f64::MAX` for a feed with no position. A plan asks it of a feed that
/// would join a year already allocated, to see where the feed would rank without
/// allocating the year again (issue 21).
pub(crate) fn pair_cost(
    f: &Feed,
    p: &Plant,
    cap: Capacity,
    c: &Charges,
    tier: Tier,
    km: impl FnOnce() -> Option<f64>,
) -> Option<f64> {
    if !eligible(f, p, cap, c) || !owner_allows(f, p, tier) {
        return None;
    }
    Some(match km() {
        Some(d) => c.cost(f, p, cap.heavy, d),
        None => f64::MAX,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::context::plants::CapacityStep;
    use proptest::prelude::*;

    pub(crate) fn charges() -> Charges {
        Charges {
            toll_light_usd_per_kg: 5.0,
            toll_heavy_usd_per_kg: 22.5,
            freight_usd_per_t_km: 0.05,
            concentrate_treo_pct: 45.0,
            mixed_carbonate_treo_pct: 55.0,
            light_only_max_dytb_to_ndpr: 0.05,
        }
    }

    pub(crate) fn plant(
        id: &str,
        owner: &str,
        access: PlantAccess,
        lon: f64,
        ndpr_t: f64,
    ) -> Plant {
        Plant {
            id: id.into(),
            name: id.into(),
            operator: Some(owner.into()),
            owners: vec![owner.into()],
            country: Some("AU".into()),
            kind: "separation".into(),
            status: "operating".into(),
            start_year: Some(2020),
            start_year_late: Some(2020),
            feeds: vec![ProductForm::Concentrate],
            access,
            light: true,
            heavy: false,
            capacity: vec![CapacityStep {
                from: Some(2020),
                from_late: None,
                ndpr_t: Some(ndpr_t),
                dytb_t: None,
                heavy_reo_t: None,
                reo_t: None,
                basis: "nameplate".into(),
            }],
            toll_light_usd_per_kg: None,
            toll_heavy_usd_per_kg: None,
            source: None,
            note: None,
            point: geo::Point::new(lon, 0.0),
        }
    }

    fn feed(id: &str, operator: &str, lon: f64, ndpr_t: f64) -> Feed {
        Feed {
            id: id.into(),
            operator: Some(operator.into()),
            offtakers: Vec::new(),
            form: ProductForm::Concentrate,
            point: Some(geo::Point::new(lon, 0.0)),
            treo_t: ndpr_t * 5.0,
            ndpr_t,
            dytb_t: 0.0,
            own_plant: false,
        }
    }

    fn run(feeds: &[Feed], plants: &[Plant]) -> Allocation {
        let caps: Vec<(&Plant, Capacity)> = plants
            .iter()
            .map(|p| (p, p.capacity_in(2026, PlantCalendar::P50, 2026, 1.0, &[])))
            .collect();
        allocate(feeds, &caps, &charges())
    }

    #[test]
    fn plant_capacity_binds_in_one_year_and_the_mines_in_another() {
        let plants = [plant("P", "Other", PlantAccess::Open, 1.0, 1000.0)];
        // A year with 2,000 t NdPr mined: the 1,000 t/y plant is full, half is sold to China.
        let big = run(&[feed("M", "Miner", 0.0, 2000.0)], &plants);
        assert!((big.separated_ndpr_t() - 1000.0).abs() < 1e-9);
        assert!((big.to_china_ndpr_t() - 1000.0).abs() < 1e-9);
        assert!(big.plants[0].full);
        // A year with 600 t mined: all of it is separated, the plant has room.
        let small = run(&[feed("M", "Miner", 0.0, 600.0)], &plants);
        assert!((small.separated_ndpr_t() - 600.0).abs() < 1e-9);
        assert_eq!(small.to_china_ndpr_t(), 0.0);
        assert!(!small.plants[0].full);
    }

    #[test]
    fn captive_feed_is_served_before_cheaper_third_party_feed() {
        // An open plant owned by Lynas at lon 0. Lynas's mine is 60 degrees away; another
        // miner's sits next door (cheaper freight), yet the captive feed goes first.
        let plants = [plant("LY", "Lynas", PlantAccess::Open, 0.0, 1000.0)];
        let a = run(
            &[
                feed("FAR", "Lynas Rare Earths", 60.0, 800.0),
                feed("NEAR", "Somebody", 0.5, 800.0),
            ],
            &plants,
        );
        let get = |id: &str| a.feeds.iter().find(|f| f.id == id).unwrap();
        assert!((get("FAR").separated_ndpr_t - 800.0).abs() < 1e-9);
        assert_eq!(get("FAR").assignments[0].tier, Tier::Captive);
        assert!((get("NEAR").separated_ndpr_t - 200.0).abs() < 1e-9);
        assert_eq!(get("NEAR").assignments[0].tier, Tier::ThirdParty);
        // A captive plant takes no third party's feed at all.
        let captive = [plant("LY", "Lynas", PlantAccess::Captive, 0.0, 1000.0)];
        let b = run(&[feed("NEAR", "Somebody", 0.5, 800.0)], &captive);
        assert_eq!(b.separated_ndpr_t(), 0.0);
    }

    #[test]
    fn feed_nobody_can_take_goes_to_china_and_adds_no_supply() {
        // A mixed carbonate, and the only plant takes concentrate.
        let plants = [plant("P", "Other", PlantAccess::Open, 1.0, 5000.0)];
        let mut f = feed("MREC", "Miner", 0.0, 700.0);
        f.form = ProductForm::MixedCarbonate;
        f.dytb_t = 10.0;
        let a = run(&[f], &plants);
        assert_eq!(a.separated_ndpr_t(), 0.0);
        assert_eq!(a.separated_dytb_t(), 0.0);
        assert_eq!(a.to_china_ndpr_t(), 700.0);
        assert_eq!(a.to_china_dytb_t(), 10.0);
        assert!(a.feeds[0].assignments.is_empty());
    }

    #[test]
    fn named_offtake_comes_first_and_own_separation_needs_no_plant() {
        let plants = [plant("IL", "Iluka", PlantAccess::Open, 10.0, 500.0)];
        let mut named = feed("BRR", "Northern Minerals", 20.0, 400.0);
        named.offtakers = vec!["Iluka Resources".into()];
        let cheap = feed("NEAR", "Somebody", 10.1, 400.0);
        let mut own = feed("NOL", "Arafura", 0.0, 300.0);
        own.form = ProductForm::SeparatedOxides;
        own.own_plant = true;
        let a = run(&[cheap, named, own], &plants);
        let get = |id: &str| a.feeds.iter().find(|f| f.id == id).unwrap();
        assert_eq!(get("BRR").assignments[0].tier, Tier::Named);
        assert!((get("BRR").separated_ndpr_t - 400.0).abs() < 1e-9);
        assert!((get("NEAR").separated_ndpr_t - 100.0).abs() < 1e-9);
        assert_eq!(get("NOL").assignments[0].tier, Tier::Own);
        assert_eq!(get("NOL").separated_ndpr_t, 300.0);
    }

    #[test]
    fn company_names_match_on_word_boundaries() {
        assert!(same("Lynas", "Lynas Rare Earths"));
        assert!(same("iluka resources", "Iluka"));
        assert!(same("Vital Metals / Cheetah", "Vital Metals"));
        assert!(!same("MP", "MP Materials"));
        assert!(!same("Lyn", "Lynas"));
        assert!(!same("Neo", "Neodymium Corp"));
        fn same(a: &str, b: &str) -> bool {
            crate::context::plants::same_company(a, b)
        }
    }

    #[test]
    fn a_scenario_drops_delays_and_dates_plants() {
        let mut plants = vec![
            plant("A", "X", PlantAccess::Open, 0.0, 100.0),
            plant("B", "X", PlantAccess::Open, 0.0, 100.0),
        ];
        plants[1].start_year = None;
        plants[1].capacity[0].from = None;
        let changes: Vec<PlantChange> = vec!["A=+3".parse().unwrap(), "B=2029".parse().unwrap()];
        apply_changes(&mut plants, &changes).unwrap();
        assert_eq!(plants[0].start_year, Some(2023));
        assert_eq!(plants[0].capacity[0].from, Some(2023));
        assert_eq!(plants[1].start_year, Some(2029));
        assert_eq!(plants[1].capacity[0].from, Some(2029));
        apply_changes(&mut plants, &[PlantChange::Drop("A".into())]).unwrap();
        assert_eq!(plants.len(), 1);
        let err = apply_changes(&mut plants, &[PlantChange::Drop("Z".into())]).unwrap_err();
        assert!(err.contains("\"Z\"") && err.contains("B"), "{err}");
        assert!("A=soon".parse::<PlantChange>().is_err());
        assert!("A".parse::<PlantChange>().is_err());
    }

    /// Random feeds and plants: positions, sizes, owners, access, feed forms and limits.
    fn world() -> impl Strategy<Value = (Vec<Feed>, Vec<Plant>)> {
        let feed_s = (
            0usize..3,
            -60.0f64..60.0,
            0.0f64..3000.0,
            0.0f64..200.0,
            1.0f64..12.0,
            any::<bool>(),
        );
        let plant_s = (
            0usize..3,
            -60.0f64..60.0,
            0.0f64..3000.0,
            0.0f64..8000.0,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        );
        (
            prop::collection::vec(feed_s, 1..7),
            prop::collection::vec(plant_s, 1..6),
        )
            .prop_map(|(fs, ps)| {
                let owners = ["Alpha", "Beta", "Gamma"];
                let feeds = fs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (o, lon, ndpr, dytb, ratio, mixed))| {
                        let mut f = feed(&format!("F{i}"), owners[o], lon, ndpr);
                        // Some feeds with offtakers (the named tier), one or two.
                        f.offtakers = match i % 3 {
                            0 => Vec::new(),
                            1 => vec![owners[(o + 1) % 3].into()],
                            _ => vec![owners[(o + 2) % 3].into(), "Delta Trading".into()],
                        };
                        f.dytb_t = dytb;
                        f.treo_t = (ndpr + dytb) * ratio;
                        if mixed {
                            f.form = ProductForm::MixedCarbonate;
                        }
                        f
                    })
                    .collect();
                let plants = ps
                    .into_iter()
                    .enumerate()
                    .map(|(j, (o, lon, ndpr, reo, open, heavy, reo_bound, both))| {
                        let access = if open {
                            PlantAccess::Open
                        } else {
                            PlantAccess::Captive
                        };
                        let mut p = plant(&format!("P{j}"), owners[o], access, lon, ndpr);
                        p.heavy = heavy;
                        if reo_bound {
                            p.capacity[0].reo_t = Some(reo);
                            p.capacity[0].ndpr_t = None;
                        }
                        if both {
                            p.feeds.push(ProductForm::MixedCarbonate);
                        }
                        p
                    })
                    .collect();
                (feeds, plants)
            })
    }

    proptest! {
        #[test]
        fn removing_a_plant_never_raises_separated_supply((feeds, plants) in world()) {
            let all = run(&feeds, &plants);
            for k in 0..plants.len() {
                let mut fewer = plants.clone();
                fewer.remove(k);
                let less = run(&feeds, &fewer);
                prop_assert!(
                    less.separated_ndpr_t() <= all.separated_ndpr_t() + 1e-6,
                    "without {}: NdPr {} > {}", plants[k].id, less.separated_ndpr_t(), all.separated_ndpr_t()
                );
                // Dy + Tb too, unless a plant without a heavy circuit is in play: such a
                // plant takes feed and sends its heavy rare earths to China, so removing it
                // can let a heavy plant separate them (docs/models.md).
                if plants.iter().all(|p| p.heavy) {
                    prop_assert!(
                        less.separated_dytb_t() <= all.separated_dytb_t() + 1e-6,
                        "without {}: DyTb {} > {}", plants[k].id, less.separated_dytb_t(), all.separated_dytb_t()
                    );
                }
            }
        }

        #[test]
        fn the_allocation_is_the_same_for_shuffled_records(
            (feeds, plants) in world(),
            seed in any::<u64>(),
        ) {
            let a = run(&feeds, &plants);
            let mut f2 = feeds.clone();
            let mut p2 = plants.clone();
            // A Fisher-Yates shuffle from a small LCG.
            let mut s = seed | 1;
            let mut next = |n: usize| {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                (s >> 33) as usize % n
            };
            for i in (1..f2.len()).rev() { let j = next(i + 1); f2.swap(i, j); }
            for i in (1..p2.len()).rev() { let j = next(i + 1); p2.swap(i, j); }
            let b = run(&f2, &p2);
            prop_assert_eq!(a, b);
        }

        /// The run's allocation from distances and owners computed once (PairFacts) is the
        /// year's allocation computed from scratch, for all the projects and for a subset
        /// of them (each feed then a row other than its own index).
        #[test]
        fn pair_facts_allocate_as_the_year_does((feeds, plants) in world(), skip in 0usize..7) {
            let sep = Separation {
                plants,
                charges: charges(),
                utilisation: 1.0,
                ramp: Vec::new(),
                reo_ndpr_share: 0.2,
                reo_dytb_share: 0.01,
                layer_owners: vec!["Beta".into()],
                new_plant_capex_musd_per_t_ndpr: 0.0,
                new_plant_lead_time_y: 0,
                new_plant_min_dytb_per_ndpr: 0.1643,
            };
            let facts = PairFacts::new(&feeds, &sep);
            let rows: Vec<usize> = (0..feeds.len()).filter(|i| *i != skip).collect();
            let some: Vec<Feed> = rows.iter().map(|i| feeds[*i].clone()).collect();
            let expected = sep.allocate_year(&some, 2026, PlantCalendar::P50, 2026);
            // The facts have the owners: the year's feeds need none.
            let mut bare: Vec<Feed> = some
                .iter()
                .map(|f| Feed { operator: None, offtakers: Vec::new(), ..f.clone() })
                .collect();
            let got = facts.allocate_year(&sep, &mut bare, &rows, 2026, PlantCalendar::P50, 2026);
            prop_assert_eq!(expected, got);
        }
    }

    /// A plant's year counts the feed it takes: of a 2,000 t NdPr feed in 10,000 t of
    /// TREO (NdPr 20 % of it) a 1,000 t/y NdPr plant takes half, 5,000 t of TREO and
    /// 1,000 t of NdPr; of a 600 t feed (3,000 t TREO), all. Survivor of the mutation
    /// sample (docs/reliability.md): the TREO taken `+=` → `*=` (it stayed zero).
    #[test]
    fn a_plant_counts_the_treo_and_ndpr_it_takes() {
        let plants = [plant("P", "Other", PlantAccess::Open, 1.0, 1000.0)];
        let big = run(&[feed("M", "Miner", 0.0, 2000.0)], &plants);
        assert!(
            (big.plants[0].treo_t - 5000.0).abs() < 1e-9,
            "{:?}",
            big.plants
        );
        assert!(
            (big.plants[0].ndpr_t - 1000.0).abs() < 1e-9,
            "{:?}",
            big.plants
        );
        let small = run(&[feed("M", "Miner", 0.0, 600.0)], &plants);
        assert!(
            (small.plants[0].treo_t - 3000.0).abs() < 1e-9,
            "{:?}",
            small.plants
        );
        assert!(
            (small.plants[0].ndpr_t - 600.0).abs() < 1e-9,
            "{:?}",
            small.plants
        );
    }
}
