//! A mine's gain in the plan's greedy step without allocating the year again (issue 21):
//! the [`Frontier`] of a year's allocation says what a feed that displaces no one adds;
//! the [`Replay`] of the year's pairs says what one that may displace adds.

use crate::context::plants::Plant;
use crate::portfolio::separation::{Feed, Tier};

/// A year's allocation as one more feed would find it (issue 21): at each separating plant,
/// what is left of its limits and the last (tier, cost, feed id) pair that took feed. A feed
/// whose every pair ranks after that pair at its plant, or before it with room to spare for
/// all the feed brings, changes no other feed's share; what it adds is then its own share,
/// found here without allocating the year again.
pub(super) struct Frontier<'s> {
    charges: &'s crate::portfolio::separation::Charges,
    plants: Vec<FrontierPlant<'s>>,
}

struct FrontierPlant<'s> {
    plant: &'s Plant,
    cap: crate::context::plants::Capacity,
    /// What is left of TREO, NdPr and Dy+Tb, t (null: no limit), to the rounding of the
    /// allocation's own subtractions.
    reo: Option<f64>,
    ndpr: Option<f64>,
    dytb: Option<f64>,
    /// The last pair in the allocation's order that took feed here: tier, cost (US$/kg
    /// TREO, `f64::MAX` without a distance) and feed id.
    last: Option<(Tier, f64, String)>,
}

/// A remaining mine as a greedy step first sees it: candidate, start year, and its gain to
/// rounding with that rounding, t, or its feed when only a replay of the year can say.
pub(super) type Probe = (usize, i32, Result<(f64, f64), Feed>);

/// What a feed joining a [`Frontier`] takes: separated NdPr and Dy+Tb, t.
pub(super) struct Joined {
    pub(super) ndpr_t: f64,
    pub(super) dytb_t: f64,
}

impl<'s> Frontier<'s> {
    /// The frontier of allocation `a` of the plants `caps` (their capacities in its year).
    pub(super) fn new(
        caps: Vec<(&'s Plant, crate::context::plants::Capacity)>,
        charges: &'s crate::portfolio::separation::Charges,
        a: &crate::portfolio::separation::Allocation,
    ) -> Frontier<'s> {
        let mut plants: Vec<FrontierPlant<'s>> = caps
            .into_iter()
            .map(|(plant, cap)| {
                let out = a.plants.iter().find(|o| o.id == plant.id);
                let left = |c: Option<f64>, t: f64| c.map(|c| (c - t).max(0.0));
                FrontierPlant {
                    plant,
                    cap,
                    reo: left(cap.reo_t, out.map_or(0.0, |o| o.treo_t)),
                    ndpr: left(cap.ndpr_t, out.map_or(0.0, |o| o.ndpr_t)),
                    dytb: left(cap.dytb_t, out.map_or(0.0, |o| o.dytb_t)),
                    last: None,
                }
            })
            .collect();
        let index: std::collections::HashMap<&str, usize> = plants
            .iter()
            .enumerate()
            .map(|(j, p)| (p.plant.id.as_str(), j))
            .collect();
        for f in &a.feeds {
            for s in &f.assignments {
                let Some(&j) = s.plant.as_deref().and_then(|id| index.get(id)) else {
                    continue;
                };
                let cost = if s.distance_km.is_none() {
                    f64::MAX
                } else {
                    s.cost_usd_per_kg
                };
                let p = &mut plants[j];
                if p.last
                    .as_ref()
                    .is_none_or(|l| rank(s.tier, cost, &f.id, l).is_gt())
                {
                    p.last = Some((s.tier, cost, f.id.clone()));
                }
            }
        }
        Frontier { charges, plants }
    }

    /// What feed `f` (its `own_plant` set) would take joining the allocation, or `None`
    /// when it could change another feed's share (then only the allocation says).
    pub(super) fn join(&self, f: &Feed) -> Option<Joined> {
        let mut out = Joined {
            ndpr_t: 0.0,
            dytb_t: 0.0,
        };
        if f.own_plant {
            if f.ndpr_t > 0.0 || f.dytb_t > 0.0 {
                (out.ndpr_t, out.dytb_t) = (f.ndpr_t, f.dytb_t);
            }
            return Some(out);
        }
        if f.ndpr_t <= 0.0 && f.dytb_t <= 0.0 {
            return Some(out);
        }
        let pairs = self.pairs(f);
        let mut room: Vec<[Option<f64>; 3]> = self
            .plants
            .iter()
            .map(|p| [p.reo, p.ndpr, p.dytb])
            .collect();
        let mut left = 1.0_f64;
        for (tier, cost, j) in pairs {
            let p = &self.plants[j];
            let heavy = p.cap.heavy;
            let r = &mut room[j];
            let needs = [f.treo_t, f.ndpr_t, if heavy { f.dytb_t } else { 0.0 }];
            let mut share = left;
            for (room, need) in r.iter().zip(needs) {
                if let Some(v) = room
                    && need > 0.0
                {
                    share = share.min((v / need).max(0.0));
                }
            }
            let after = p
                .last
                .as_ref()
                .is_none_or(|l| rank(tier, cost, &f.id, l).is_gt());
            if !after {
                // Before a pair that took feed here: harmless only when what is left holds
                // all that is left of the feed with room to spare in every limit it uses
                // (then every later pair here takes what it took).
                if left <= 1e-12 {
                    continue;
                }
                if share != left {
                    return None;
                }
                for ((room, need), cap) in
                    r.iter()
                        .zip(needs)
                        .zip([p.cap.reo_t, p.cap.ndpr_t, p.cap.dytb_t])
                {
                    if let Some(v) = room
                        && need > 0.0
                        && v - share * need <= 1e-6 + 1e-9 * cap.unwrap_or(0.0).abs()
                    {
                        return None;
                    }
                }
            }
            if share <= 1e-12 {
                continue;
            }
            left -= share;
            for (room, need) in r.iter_mut().zip(needs) {
                if let Some(v) = room {
                    *v = (*v - share * need).max(0.0);
                }
            }
            if p.plant.light {
                out.ndpr_t += share * f.ndpr_t;
            }
            if heavy {
                out.dytb_t += share * f.dytb_t;
            }
        }
        Some(out)
    }

    /// The pairs of feed `f` (not separated in a plant of its own, with NdPr or Dy+Tb) in
    /// the allocation's order: (tier, cost, plant).
    fn pairs(&self, f: &Feed) -> Vec<(Tier, f64, usize)> {
        let mut pairs: Vec<(Tier, f64, usize)> = Vec::new();
        if f.own_plant || (f.ndpr_t <= 0.0 && f.dytb_t <= 0.0) {
            return pairs;
        }
        for (j, p) in self.plants.iter().enumerate() {
            // The distance once per plant, for each of its tiers.
            let mut km: Option<Option<f64>> = None;
            for tier in [Tier::Named, Tier::Captive, Tier::ThirdParty] {
                let d = || {
                    *km.get_or_insert_with(|| {
                        f.point
                            .map(|q| crate::context::geodesic_km(q, p.plant.point))
                    })
                };
                if let Some(cost) = crate::portfolio::separation::pair_cost(
                    f,
                    p.plant,
                    p.cap,
                    self.charges,
                    tier,
                    d,
                ) {
                    pairs.push((tier, cost, j));
                }
            }
        }
        pairs.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.total_cmp(&b.1))
                .then_with(|| self.plants[a.2].plant.id.cmp(&self.plants[b.2].plant.id))
        });
        pairs
    }
}

/// A year's feeds and their pairs in the allocation's order (tier, cost, feed id, plant id),
/// made once and replayed once, so that what one more feed adds is found by following only
/// what it changes (issue 21). It follows [`crate::portfolio::separation`]'s rule step for
/// step, but the plan reads from it only an estimate of a mine's gain, to choose which mines
/// to allocate; what the plan reports and compares is the allocation's.
pub(super) struct Replay<'s> {
    frontier: &'s Frontier<'s>,
    feeds: Vec<Feed>,
    /// (tier, cost, feed, plant).
    pairs: Vec<(Tier, f64, usize, usize)>,
    /// The year without another feed, before each pair: its plant's room (t, TREO, NdPr
    /// and Dy+Tb; 0 where the plant has no such limit) and its feed's share left.
    before: Vec<Before>,
    /// At each pair, for each limit of its plant, the least need of the later pairs at that
    /// plant (t; infinite when there are none, -1 when one of them needs none of it): a
    /// room at most 5e-13 of it takes nothing more.
    least_after: Vec<[f64; 3]>,
    /// Each feed's pairs (positions in `pairs`): those of feed i are
    /// `of_feed[feed_at[i]..feed_at[i + 1]]`.
    feed_at: Vec<u32>,
    of_feed: Vec<u32>,
    /// Each plant's pairs whose feed has a share left before them (the only ones that take
    /// anything), as `of_feed`.
    plant_at: Vec<u32>,
    of_plant: Vec<u32>,
}

/// A plant's room and a feed's share left before a pair, in the year without another feed.
#[derive(Clone, Copy)]
struct Before {
    room: [f64; 3],
    left: f64,
}

/// Which of TREO, NdPr and Dy+Tb limit plant `p`, and its room at the start of the year, t.
fn limits(p: &FrontierPlant) -> ([bool; 3], [f64; 3]) {
    let c = [p.cap.reo_t, p.cap.ndpr_t, p.cap.dytb_t];
    (c.map(|v| v.is_some()), c.map(|v| v.unwrap_or(0.0)))
}

/// What feed `f` needs of each limit of plant `p` for all of it, t.
fn needs(f: &Feed, p: &FrontierPlant) -> [f64; 3] {
    [f.treo_t, f.ndpr_t, if p.cap.heavy { f.dytb_t } else { 0.0 }]
}

/// The share of a feed with `left` of it and `needs` that a plant with `room` in its
/// `limits` takes, the room reduced by it; 0 when at most 1e-12 (it takes nothing).
fn take(room: &mut [f64; 3], limits: [bool; 3], needs: [f64; 3], left: f64) -> f64 {
    let mut share = left;
    for k in 0..3 {
        if limits[k] && needs[k] > 0.0 {
            share = share.min((room[k] / needs[k]).max(0.0));
        }
    }
    if share <= 1e-12 {
        return 0.0;
    }
    for k in 0..3 {
        if limits[k] {
            room[k] = (room[k] - share * needs[k]).max(0.0);
        }
    }
    share
}

/// Whether a plant with `room` in its `limits` takes nothing of any pair whose least needs
/// are `least`.
fn spent(room: &[f64; 3], limits: [bool; 3], least: &[f64; 3]) -> bool {
    (0..3).any(|k| limits[k] && least[k] > 0.0 && room[k] <= 5e-13 * least[k])
}

/// Positions `at[k]..at[k + 1]` of `of` counted from `counts` and filled in order.
fn index(counts: Vec<u32>, items: impl Iterator<Item = (usize, u32)>) -> (Vec<u32>, Vec<u32>) {
    let mut at = Vec::with_capacity(counts.len() + 1);
    at.push(0);
    for c in &counts {
        at.push(at.last().copied().unwrap_or(0) + c);
    }
    let mut fill: Vec<u32> = at[..counts.len()].to_vec();
    let mut of = vec![0; at.last().copied().unwrap_or(0) as usize];
    for (k, p) in items {
        of[fill[k] as usize] = p;
        fill[k] += 1;
    }
    (at, of)
}

impl<'s> Replay<'s> {
    pub(super) fn new(frontier: &'s Frontier<'s>, feeds: Vec<Feed>) -> Replay<'s> {
        use rayon::prelude::*;
        let mut pairs: Vec<(Tier, f64, usize, usize)> = (0..feeds.len())
            .into_par_iter()
            .flat_map_iter(|i| {
                frontier
                    .pairs(&feeds[i])
                    .into_iter()
                    .map(move |(t, c, j)| (t, c, i, j))
            })
            .collect();
        let plants = &frontier.plants;
        pairs.par_sort_unstable_by(|a, b| {
            pair_order(
                plants,
                (a.0, a.1, &feeds[a.2].id, a.3),
                (b.0, b.1, &feeds[b.2].id, b.3),
            )
        });
        let (lim, mut room): (Vec<[bool; 3]>, Vec<[f64; 3]>) = plants.iter().map(limits).unzip();
        let mut left = vec![1.0_f64; feeds.len()];
        let mut before = Vec::with_capacity(pairs.len());
        for &(_, _, i, j) in &pairs {
            before.push(Before {
                room: room[j],
                left: left[i],
            });
            left[i] -= take(&mut room[j], lim[j], needs(&feeds[i], &plants[j]), left[i]);
        }
        let mut least = vec![[f64::INFINITY; 3]; plants.len()];
        let mut least_after = vec![[0.0; 3]; pairs.len()];
        for (p, &(_, _, i, j)) in pairs.iter().enumerate().rev() {
            least_after[p] = least[j];
            for (l, n) in least[j].iter_mut().zip(needs(&feeds[i], &plants[j])) {
                *l = l.min(if n > 0.0 { n } else { -1.0 });
            }
        }
        let mut per_feed = vec![0; feeds.len()];
        let mut per_plant = vec![0; plants.len()];
        for (&(_, _, i, j), b) in pairs.iter().zip(&before) {
            per_feed[i] += 1;
            per_plant[j] += u32::from(b.left > 1e-12);
        }
        let (feed_at, of_feed) = index(
            per_feed,
            pairs
                .iter()
                .enumerate()
                .map(|(p, &(_, _, i, _))| (i, p as u32)),
        );
        let (plant_at, of_plant) = index(
            per_plant,
            pairs
                .iter()
                .zip(&before)
                .enumerate()
                .filter(|(_, (_, b))| b.left > 1e-12)
                .map(|(p, (&(_, _, _, j), _))| (j, p as u32)),
        );
        Replay {
            frontier,
            feeds,
            pairs,
            before,
            least_after,
            feed_at,
            of_feed,
            plant_at,
            of_plant,
        }
    }

    /// NdPr and Dy+Tb that feed `f` (its `own_plant` set) adds to the year's separated
    /// supply, t. Only what it changes is replayed: the plants whose room it changes and
    /// the feeds whose share it changes, pair by pair in the allocation's order, each until
    /// its state is the year's again (or, for a plant, until neither year's room can take
    /// anything more); every other pair takes what it took.
    pub(super) fn gain(&self, f: &Feed) -> (f64, f64) {
        use std::cmp::Reverse;
        use std::collections::{BinaryHeap, HashMap};
        if f.own_plant {
            return if f.ndpr_t > 0.0 || f.dytb_t > 0.0 {
                (f.ndpr_t, f.dytb_t)
            } else {
                (0.0, 0.0)
            };
        }
        let plants = &self.frontier.plants;
        let np = plants.len();
        let lim: Vec<[bool; 3]> = plants.iter().map(|p| limits(p).0).collect();
        // The new feed's pairs, each with the position of the first pair after it.
        let extra: Vec<(usize, u32)> = self
            .frontier
            .pairs(f)
            .into_iter()
            .map(|(t, c, j)| {
                let q = self.pairs.partition_point(|&(bt, bc, bi, bj)| {
                    pair_order(plants, (bt, bc, &self.feeds[bi].id, bj), (t, c, &f.id, j)).is_lt()
                });
                (j, q as u32)
            })
            .collect();
        // The plants' room where it differs from the year's, whether a pair of theirs is
        // due, and whether neither room takes anything more; the feeds' share left where it
        // differs, and whether a pair of theirs is due.
        let mut room: Vec<Option<[f64; 3]>> = vec![None; np];
        let mut plant_due = vec![false; np];
        let mut plant_spent = vec![false; np];
        let mut left: HashMap<usize, f64> = HashMap::new();
        let mut feed_due: HashMap<usize, bool> = HashMap::new();
        // Due pairs: (position, source: plant j, or np + feed i).
        let mut due: BinaryHeap<Reverse<(u32, usize)>> = BinaryHeap::new();
        let next = |of: &[u32], from: u32| of.get(of.partition_point(|&p| p < from)).copied();
        let of_plant =
            |j: usize| &self.of_plant[self.plant_at[j] as usize..self.plant_at[j + 1] as usize];
        let of_feed =
            |i: usize| &self.of_feed[self.feed_at[i] as usize..self.feed_at[i + 1] as usize];
        // The year's room at plant `j` before position `q`: after its last pair before
        // `q` that could take anything.
        let room_at = |j: usize, q: u32| {
            let of = of_plant(j);
            let k = of.partition_point(|&p| p < q);
            match k.checked_sub(1) {
                None => limits(&plants[j]).1,
                Some(k) => {
                    let p = of[k] as usize;
                    let (i, b) = (self.pairs[p].2, self.before[p]);
                    let mut r = b.room;
                    take(&mut r, lim[j], needs(&self.feeds[i], &plants[j]), b.left);
                    r
                }
            }
        };
        let mut gained = (0.0, 0.0);
        let add = |gained: &mut (f64, f64), share: f64, feed: &Feed, j: usize| {
            if plants[j].plant.light {
                gained.0 += share * feed.ndpr_t;
            }
            if plants[j].cap.heavy {
                gained.1 += share * feed.dytb_t;
            }
        };
        let mut left_f = 1.0_f64;
        let mut k = 0;
        let mut last: Option<u32> = None;
        loop {
            let head = due.peek().map(|r| r.0.0);
            if let Some(&(j, q)) = extra.get(k)
                && head.is_none_or(|p| q <= p)
            {
                k += 1;
                let mut r = room[j].unwrap_or_else(|| room_at(j, q));
                let s = take(&mut r, lim[j], needs(f, &plants[j]), left_f);
                if s > 0.0 {
                    left_f -= s;
                    add(&mut gained, s, f, j);
                    room[j] = Some(r);
                    if !plant_due[j]
                        && !plant_spent[j]
                        && let Some(p) = next(of_plant(j), q)
                    {
                        plant_due[j] = true;
                        due.push(Reverse((p, j)));
                    }
                }
                continue;
            }
            let Some(Reverse((p, source))) = due.pop() else {
                break;
            };
            if source < np {
                plant_due[source] = false;
            } else {
                feed_due.insert(source - np, false);
            }
            let (_, _, i, j) = self.pairs[p as usize];
            if last != Some(p) {
                last = Some(p);
                let b = self.before[p as usize];
                let feed = &self.feeds[i];
                let need = needs(feed, &plants[j]);
                let mut year = b.room;
                let was = take(&mut year, lim[j], need, b.left);
                let mut r = room[j].unwrap_or(b.room);
                let l = left.get(&i).copied().unwrap_or(b.left);
                let s = take(&mut r, lim[j], need, l);
                add(&mut gained, s, feed, j);
                add(&mut gained, -was, feed, j);
                let (l, year_l) = (l - s, b.left - was);
                if l == year_l {
                    left.remove(&i);
                } else {
                    left.insert(i, l);
                }
                if r == year {
                    room[j] = None;
                } else {
                    room[j] = Some(r);
                    let least = &self.least_after[p as usize];
                    plant_spent[j] = spent(&r, lim[j], least) && spent(&year, lim[j], least);
                }
            }
            if room[j].is_some()
                && !plant_spent[j]
                && !plant_due[j]
                && let Some(q) = next(of_plant(j), p + 1)
            {
                plant_due[j] = true;
                due.push(Reverse((q, j)));
            }
            if left.contains_key(&i)
                && !feed_due.get(&i).copied().unwrap_or(false)
                && let Some(q) = next(of_feed(i), p + 1)
            {
                feed_due.insert(i, true);
                due.push(Reverse((q, np + i)));
            }
        }
        gained
    }

    /// NdPr and Dy+Tb separated in the year with feed `f` (its `own_plant` set) added, or
    /// without one, t.
    #[cfg(test)]
    pub(super) fn separated(&self, f: Option<&Feed>) -> (f64, f64) {
        let plants = &self.frontier.plants;
        let mut room: Vec<[Option<f64>; 3]> = plants
            .iter()
            .map(|p| [p.cap.reo_t, p.cap.ndpr_t, p.cap.dytb_t])
            .collect();
        let mut left = vec![1.0_f64; self.feeds.len()];
        let mut left_f = 1.0_f64;
        // NdPr and Dy+Tb separated in plants of the projects' own.
        let mut out = (0.0, 0.0);
        for g in &self.feeds {
            if g.own_plant && (g.ndpr_t > 0.0 || g.dytb_t > 0.0) {
                out.0 += g.ndpr_t;
                out.1 += g.dytb_t;
            }
        }
        let mut extra: Vec<(Tier, f64, usize)> = Vec::new();
        if let Some(f) = f {
            if f.own_plant {
                if f.ndpr_t > 0.0 || f.dytb_t > 0.0 {
                    out.0 += f.ndpr_t;
                    out.1 += f.dytb_t;
                }
            } else {
                extra = self.frontier.pairs(f);
            }
        }
        let mut take = |feed: &Feed, left: &mut f64, j: usize| {
            let p = &plants[j];
            let heavy = p.cap.heavy;
            let needs = [
                feed.treo_t,
                feed.ndpr_t,
                if heavy { feed.dytb_t } else { 0.0 },
            ];
            let r = &mut room[j];
            let mut share = *left;
            for (room, need) in r.iter().zip(needs) {
                if let Some(v) = room
                    && need > 0.0
                {
                    share = share.min((v / need).max(0.0));
                }
            }
            if share <= 1e-12 {
                return;
            }
            *left -= share;
            for (room, need) in r.iter_mut().zip(needs) {
                if let Some(v) = room {
                    *v = (*v - share * need).max(0.0);
                }
            }
            if p.plant.light {
                out.0 += share * feed.ndpr_t;
            }
            if heavy {
                out.1 += share * feed.dytb_t;
            }
        };
        let mut k = 0;
        for &(tier, cost, i, j) in &self.pairs {
            if let Some(f) = f {
                while let Some(&(t, c, pj)) = extra.get(k) {
                    // Written out, not `pair_order`, so that the reference stays apart
                    // from the code it checks.
                    let first = t
                        .cmp(&tier)
                        .then(c.total_cmp(&cost))
                        .then_with(|| f.id.cmp(&self.feeds[i].id))
                        .then_with(|| plants[pj].plant.id.cmp(&plants[j].plant.id))
                        .is_lt();
                    if !first {
                        break;
                    }
                    take(f, &mut left_f, pj);
                    k += 1;
                }
            }
            take(&self.feeds[i], &mut left[i], j);
        }
        if let Some(f) = f {
            for &(_, _, pj) in &extra[k..] {
                take(f, &mut left_f, pj);
            }
        }
        out
    }
}

/// The allocation's order of two pairs (tier, cost, feed id, plant): by tier, cost, feed id,
/// then plant id.
fn pair_order(
    plants: &[FrontierPlant],
    a: (Tier, f64, &str, usize),
    b: (Tier, f64, &str, usize),
) -> std::cmp::Ordering {
    a.0.cmp(&b.0)
        .then(a.1.total_cmp(&b.1))
        .then_with(|| a.2.cmp(b.2))
        .then_with(|| plants[a.3].plant.id.cmp(&plants[b.3].plant.id))
}

/// The allocation's order of a pair (tier, cost, feed id) against `last` at the same plant.
fn rank(tier: Tier, cost: f64, id: &str, last: &(Tier, f64, String)) -> std::cmp::Ordering {
    tier.cmp(&last.0)
        .then(cost.total_cmp(&last.1))
        .then_with(|| id.cmp(last.2.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::plants::{Capacity, PlantAccess};
    use crate::portfolio::separation::tests::{charges, plant};
    use crate::read::record::ProductForm;
    use proptest::prelude::*;

    const OWNERS: [&str; 3] = ["Lynas", "Iluka", "Neo"];

    /// A plant: open, longitude, TREO, NdPr and Dy+Tb limits (t, none when `None`),
    /// whether it separates heavy rare earths and takes mixed carbonate, its owner.
    type PlantFacts = (
        bool,
        f64,
        Option<f64>,
        Option<f64>,
        Option<f64>,
        bool,
        bool,
        usize,
    );
    /// A feed: longitude (none when `None`), TREO t, NdPr and Dy+Tb shares of it, its
    /// operator, whether it is mixed carbonate, its offtaker.
    type FeedFacts = (Option<f64>, f64, f64, f64, usize, bool, Option<usize>);

    fn plant_facts() -> impl Strategy<Value = PlantFacts> {
        (
            any::<bool>(),
            -60.0..60.0_f64,
            proptest::option::of(50.0..3000.0_f64),
            proptest::option::of(10.0..600.0_f64),
            proptest::option::of(0.5..40.0_f64),
            any::<bool>(),
            any::<bool>(),
            0..3_usize,
        )
    }

    fn feed_facts() -> impl Strategy<Value = FeedFacts> {
        (
            proptest::option::weighted(0.9, -60.0..60.0_f64),
            1.0..900.0_f64,
            0.05..0.3_f64,
            prop_oneof![Just(0.0), 0.001..0.08_f64],
            0..3_usize,
            any::<bool>(),
            proptest::option::of(0..3_usize),
        )
    }

    fn feed(id: String, f: &FeedFacts) -> Feed {
        let &(lon, treo, nd, dt, op, mixed, offtaker) = f;
        Feed {
            id,
            operator: Some(OWNERS[op].into()),
            offtakers: offtaker.map(|o| OWNERS[o].to_owned()).into_iter().collect(),
            form: if mixed {
                ProductForm::MixedCarbonate
            } else {
                ProductForm::Concentrate
            },
            point: lon.map(|lon| geo::Point::new(lon, 10.0)),
            treo_t: treo,
            ndpr_t: treo * nd,
            dytb_t: treo * dt,
            own_plant: false,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// What one more feed adds, following only what it changes, is what replaying the
        /// whole year with it adds (to rounding), whichever limits the plants have: plants
        /// limited by TREO alone, by NdPr or Dy+Tb, open or captive, nearly full or not.
        #[test]
        fn the_gain_followed_is_the_gain_replayed(
            plant_facts in proptest::collection::vec(plant_facts(), 1..6),
            feed_facts in proptest::collection::vec(feed_facts(), 0..40),
            new in feed_facts(),
            at in 0..41_usize,
        ) {
            let plants: Vec<Plant> = plant_facts
                .iter()
                .enumerate()
                .map(|(j, &(open, lon, _, ndpr, _, heavy, mixed, owner))| {
                    let access = if open { PlantAccess::Open } else { PlantAccess::Captive };
                    let mut p = plant(&format!("P{j}"), OWNERS[owner], access, lon, ndpr.unwrap_or(0.0));
                    p.heavy = heavy;
                    if mixed {
                        p.feeds.push(ProductForm::MixedCarbonate);
                    }
                    p
                })
                .collect();
            let charges = charges();
            let frontier = Frontier {
                charges: &charges,
                plants: plants
                    .iter()
                    .zip(&plant_facts)
                    .map(|(plant, &(_, _, reo, ndpr, dytb, heavy, _, _))| FrontierPlant {
                        plant,
                        cap: Capacity { reo_t: reo, ndpr_t: ndpr, dytb_t: dytb, heavy },
                        reo: None,
                        ndpr: None,
                        dytb: None,
                        last: None,
                    })
                    .collect(),
            };
            // Ids "f00", "f01", ...; the new feed's sorts among them at `at`.
            let feeds: Vec<Feed> = feed_facts
                .iter()
                .enumerate()
                .map(|(i, f)| feed(format!("f{i:02}"), f))
                .collect();
            let new = feed(format!("f{at:02}x"), &new);
            let r = Replay::new(&frontier, feeds.clone());
            let (without, with) = (r.separated(None), r.separated(Some(&new)));
            let gain = r.gain(&new);
            let scale = 1.0 + new.treo_t + feeds.iter().map(|f| f.treo_t).sum::<f64>();
            prop_assert!((gain.0 - (with.0 - without.0)).abs() <= 1e-9 * scale, "NdPr {gain:?} against {with:?} - {without:?}");
            prop_assert!((gain.1 - (with.1 - without.1)).abs() <= 1e-9 * scale, "Dy+Tb {gain:?} against {with:?} - {without:?}");
        }
    }
}
