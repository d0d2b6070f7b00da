//! Whether a site polygon is simple, in O(n log n): a sweep line looks for any crossing (for
//! geometries of 2,000 edges or more), and every edge of every ring goes into an
//! R-tree of bounding boxes, and only edges whose boxes meet are tested for crossing
//! (with `geo`'s robust predicates). `geo::Validation` compares every pair of edges, which
//! takes minutes for a polygon of 100,000 vertices; this takes well under a second
//! (docs/performance.md).
//!
//! Problems found, as `geo::Validation` names them: a ring that crosses or touches itself,
//! two rings (or two polygons of a MultiPolygon) that cross or touch, an interior ring
//! outside its exterior, and polygons of a MultiPolygon of which one lies inside another.
//! Two edges that share their common vertex in a ring are neighbours, not a crossing.

use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Contains, Coord, Line, LineString, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// Orients every ring by RFC 7946's right-hand rule (exterior counter-clockwise, holes
/// clockwise). Geodesic areas read a clockwise exterior as the rest of the Earth (about
/// 510 million km² less the site), and RFC 7946 §3.1.6 asks parsers to accept either
/// winding, so every polygon is oriented once, on reading.
pub fn right_hand(g: &mut geo::Geometry<f64>) {
    use geo::orient::{Direction, Orient};
    match g {
        geo::Geometry::Polygon(p) => *p = p.orient(Direction::Default),
        geo::Geometry::MultiPolygon(mp) => *mp = mp.orient(Direction::Default),
        _ => {}
    }
}

/// Whether a ring winds once around a pole: its longitude steps, each taken the short way,
/// add up to a whole turn. Such a ring spans every longitude without crossing the
/// antimeridian the long way.
pub fn encloses_pole(ring: &LineString<f64>) -> bool {
    let turn: f64 = ring
        .0
        .windows(2)
        .map(|w| {
            let d = w[1].x - w[0].x;
            if d > 180.0 {
                d - 360.0
            } else if d < -180.0 {
                d + 360.0
            } else {
                d
            }
        })
        .sum();
    (turn.abs() - 360.0).abs() < 1e-6
}

/// One edge: which polygon and ring it belongs to, its place in the ring, and the ring's
/// number of edges.
#[derive(Debug, Clone, Copy)]
struct Edge {
    polygon: usize,
    ring: usize,
    index: usize,
    ring_edges: usize,
    line: Line<f64>,
}

/// The name of ring `ring` of polygon `polygon`, for messages.
fn ring_name(polygon: usize, ring: usize, many: bool) -> String {
    let ring = if ring == 0 {
        "the exterior ring".to_owned()
    } else {
        format!("interior ring {ring}")
    };
    if many {
        format!("{ring} of polygon {polygon}")
    } else {
        ring
    }
}

/// The edges of a ring, repeated positions dropped (a zero-length edge is no edge).
fn ring_edges(ring: &LineString<f64>) -> Vec<Line<f64>> {
    let mut pts: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        if pts.last() != Some(c) {
            pts.push(*c);
        }
    }
    pts.windows(2).map(|w| Line::new(w[0], w[1])).collect()
}

/// Whether two edges of one ring are neighbours (consecutive, or last and first).
fn neighbours(a: &Edge, b: &Edge) -> bool {
    let n = a.ring_edges;
    let d = a.index.abs_diff(b.index);
    d == 1 || (n > 2 && d == n - 1)
}

/// The first problem that keeps `polygons` from being a simple (valid) geometry, in
/// words; `None` when there is none.
pub fn problem(polygons: &[&Polygon<f64>]) -> Option<String> {
    let many = polygons.len() > 1;
    let mut edges = Vec::new();
    for (pi, p) in polygons.iter().enumerate() {
        for (ri, ring) in std::iter::once(p.exterior())
            .chain(p.interiors())
            .enumerate()
        {
            let lines = ring_edges(ring);
            let n = lines.len();
            if n < 3 {
                return Some(format!(
                    "{} has fewer than 3 distinct positions",
                    ring_name(pi, ri, many)
                ));
            }
            edges.extend(lines.into_iter().enumerate().map(|(index, line)| Edge {
                polygon: pi,
                ring: ri,
                index,
                ring_edges: n,
                line,
            }));
        }
    }
    if let Some(found) = crossing(&edges, many) {
        return Some(found);
    }
    // No edges cross, so a ring lies wholly inside or outside another: one vertex says which.
    for (pi, p) in polygons.iter().enumerate() {
        for (ri, hole) in p.interiors().iter().enumerate() {
            if !p.exterior().0.is_empty()
                && !Polygon::new(p.exterior().clone(), vec![]).contains(&hole.0[0])
            {
                return Some(format!(
                    "{} is not inside its polygon's exterior",
                    ring_name(pi, ri + 1, many)
                ));
            }
        }
    }
    if many {
        return nested(polygons);
    }
    None
}

/// Rings of at least this many edges are first swept (any crossing at all?) before the
/// R-tree names the first crossing pair: an R-tree of boxes tests every pair whose boxes
/// meet, which for long thin spikes (a star of a million points) is most pairs nearby.
const SWEEP_FROM_EDGES: usize = 2_000;

/// The first two edges that cross or touch, other than neighbours in one ring.
fn crossing(edges: &[Edge], many: bool) -> Option<String> {
    if edges.len() >= SWEEP_FROM_EDGES && !sweep::any_crossing(edges) {
        return None;
    }
    first_crossing(edges, many)
}

/// [`crossing`] by the R-tree alone: the crossing pair with the lowest edge numbers.
fn first_crossing(edges: &[Edge], many: bool) -> Option<String> {
    type Boxed = GeomWithData<Rectangle<[f64; 2]>, usize>;
    let boxes: Vec<Boxed> = edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            Boxed::new(
                Rectangle::from_corners(e.line.start.x_y().into(), e.line.end.x_y().into()),
                i,
            )
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    let mut first: Option<(usize, usize)> = None;
    for (i, a) in edges.iter().enumerate() {
        let (lo, hi) = (a.line.start, a.line.end);
        let env = AABB::from_corners(
            [lo.x.min(hi.x), lo.y.min(hi.y)],
            [lo.x.max(hi.x), lo.y.max(hi.y)],
        );
        for cand in tree.locate_in_envelope_intersecting(&env) {
            let j = cand.data;
            if j <= i {
                continue;
            }
            let b = &edges[j];
            let same_ring = a.polygon == b.polygon && a.ring == b.ring;
            let hit = match line_intersection(a.line, b.line) {
                None => false,
                // Neighbours meet at their shared vertex; anything more is a fold.
                Some(LineIntersection::SinglePoint { .. }) => !(same_ring && neighbours(a, b)),
                Some(LineIntersection::Collinear { .. }) => true,
            };
            if hit && first.is_none_or(|f| (i, j) < f) {
                first = Some((i, j));
            }
        }
        if first.is_some_and(|(fi, _)| fi <= i) {
            break;
        }
    }
    let (i, j) = first?;
    let (a, b) = (&edges[i], &edges[j]);
    Some(if a.polygon == b.polygon && a.ring == b.ring {
        format!(
            "{} crosses or touches itself",
            ring_name(a.polygon, a.ring, many)
        )
    } else if a.polygon == b.polygon {
        format!(
            "{} and {} cross or touch",
            ring_name(a.polygon, a.ring, many),
            ring_name(b.polygon, b.ring, many)
        )
    } else {
        format!("polygons {} and {} cross or touch", a.polygon, b.polygon)
    })
}

/// Whether two edges meet other than as neighbours of one ring at their shared vertex.
fn meet(a: &Edge, b: &Edge) -> bool {
    match line_intersection(a.line, b.line) {
        None => false,
        Some(LineIntersection::SinglePoint { .. }) => {
            !(a.polygon == b.polygon && a.ring == b.ring && neighbours(a, b))
        }
        Some(LineIntersection::Collinear { .. }) => true,
    }
}

/// The Shamos-Hoey sweep (1976): whether any two edges meet, in O(n log n) whatever the
/// shape. A vertical line sweeps the plane left to right (ties broken by y, so the line
/// is tilted by an infinitesimal); the edges it cuts are kept in their order along it,
/// and the first meeting of any two edges happens between two that are next to each other
/// in that order at some event: an edge is compared with its new neighbours when it
/// enters and when it leaves. The order uses `geo`'s robust orientation predicate.
mod sweep {
    use std::cmp::Ordering;
    use std::collections::BTreeSet;
    use std::ops::Bound::{Excluded, Unbounded};

    use geo::kernels::{Kernel, Orientation, RobustKernel};
    use geo::{Coord, Line};

    use super::{Edge, meet};

    fn lex(a: Coord<f64>, b: Coord<f64>) -> Ordering {
        a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y))
    }

    /// An edge in the sweep's order, left end first.
    #[derive(Clone, Copy)]
    struct Active {
        line: Line<f64>,
        id: usize,
    }

    /// Whether `a` lies below `b` where the sweep cuts both (their x ranges overlap).
    fn order(a: &Line<f64>, b: &Line<f64>) -> Ordering {
        if lex(a.start, b.start) == Ordering::Greater {
            return order(b, a).reverse();
        }
        let side = |p| match RobustKernel::orient2d(a.start, a.end, p) {
            Orientation::CounterClockwise => Ordering::Less,
            Orientation::Clockwise => Ordering::Greater,
            Orientation::Collinear => Ordering::Equal,
        };
        side(b.start).then_with(|| side(b.end))
    }

    impl PartialEq for Active {
        fn eq(&self, other: &Self) -> bool {
            self.id == other.id
        }
    }
    impl Eq for Active {}
    impl PartialOrd for Active {
        fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Active {
        fn cmp(&self, other: &Self) -> Ordering {
            if self.id == other.id {
                return Ordering::Equal;
            }
            order(&self.line, &other.line).then(self.id.cmp(&other.id))
        }
    }

    pub(super) fn any_crossing(edges: &[Edge]) -> bool {
        let lines: Vec<Line<f64>> = edges
            .iter()
            .map(|e| {
                if lex(e.line.start, e.line.end) == Ordering::Greater {
                    Line::new(e.line.end, e.line.start)
                } else {
                    e.line
                }
            })
            .collect();
        // (point, 0 = enters / 1 = leaves, edge): at one point, edges enter before any
        // leaves, so edges that only touch there are both in the order at once.
        let mut events: Vec<(Coord<f64>, u8, usize)> = Vec::with_capacity(2 * lines.len());
        for (i, l) in lines.iter().enumerate() {
            events.push((l.start, 0, i));
            events.push((l.end, 1, i));
        }
        events.sort_unstable_by(|a, b| lex(a.0, b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let key = |i: usize| Active {
            line: lines[i],
            id: i,
        };
        let hit = |a: &Active, b: &Active| meet(&edges[a.id], &edges[b.id]);
        let mut active: BTreeSet<Active> = BTreeSet::new();
        for (_, kind, i) in events {
            let k = key(i);
            if kind == 0 {
                active.insert(k);
                let below = active.range(..k).next_back();
                let above = active.range((Excluded(k), Unbounded)).next();
                if below.is_some_and(|b| hit(b, &k)) || above.is_some_and(|a| hit(&k, a)) {
                    return true;
                }
            } else {
                let below = active.range(..k).next_back().copied();
                let above = active.range((Excluded(k), Unbounded)).next().copied();
                active.remove(&k);
                if let (Some(b), Some(a)) = (below, above)
                    && hit(&b, &a)
                {
                    return true;
                }
            }
        }
        false
    }
}

/// Polygons of a MultiPolygon with no crossing edges: one overlaps another only when a
/// vertex of one lies inside the other (boxes first).
fn nested(polygons: &[&Polygon<f64>]) -> Option<String> {
    use geo::BoundingRect;
    let rects: Vec<_> = polygons.iter().map(|p| p.bounding_rect()).collect();
    for (i, p) in polygons.iter().enumerate() {
        for (j, q) in polygons.iter().enumerate() {
            let (Some(rp), Some(rq)) = (rects[i], rects[j]) else {
                continue;
            };
            let inside = i != j
                && rq.min().x <= rp.min().x
                && rq.min().y <= rp.min().y
                && rq.max().x >= rp.max().x
                && rq.max().y >= rp.max().y;
            if inside && q.contains(&p.exterior().0[0]) {
                return Some(format!("polygons {i} and {j} overlap"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Validation, coord, polygon};
    use proptest::prelude::*;

    fn square(x: f64, y: f64, s: f64) -> LineString<f64> {
        LineString::from(vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)])
    }

    #[test]
    fn simple_rings_pass_and_folds_are_named() {
        let ok = Polygon::new(square(0.0, 0.0, 4.0), vec![square(1.0, 1.0, 1.0)]);
        assert_eq!(problem(&[&ok]), None);
        let bowtie =
            polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 2.0), (x: 2.0, y: 0.0), (x: 0.0, y: 2.0)];
        assert_eq!(
            problem(&[&bowtie]).as_deref(),
            Some("the exterior ring crosses or touches itself")
        );
        let hole_out = Polygon::new(square(0.0, 0.0, 4.0), vec![square(5.0, 5.0, 1.0)]);
        assert_eq!(
            problem(&[&hole_out]).as_deref(),
            Some("interior ring 1 is not inside its polygon's exterior")
        );
        let hole_cross = Polygon::new(square(0.0, 0.0, 4.0), vec![square(3.0, 3.0, 2.0)]);
        assert_eq!(
            problem(&[&hole_cross]).as_deref(),
            Some("the exterior ring and interior ring 1 cross or touch")
        );
        let (a, b) = (
            Polygon::new(square(0.0, 0.0, 4.0), vec![]),
            Polygon::new(square(1.0, 1.0, 1.0), vec![]),
        );
        assert_eq!(
            problem(&[&a, &b]).as_deref(),
            Some("polygons 1 and 0 overlap")
        );
        let c = Polygon::new(square(10.0, 0.0, 1.0), vec![]);
        assert_eq!(problem(&[&a, &c]), None);
        let spike = polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 2.0, y: 0.0), (x: 0.0, y: 4.0)];
        assert!(
            problem(&[&spike]).is_some(),
            "a vertex on another edge is a touch"
        );
    }

    #[test]
    fn a_large_ring_is_checked_whole() {
        // A 50,000-vertex star: simple; one vertex pulled out through the far side folds it.
        let n = 50_000;
        let star = |k: usize| {
            let t = std::f64::consts::TAU * k as f64 / n as f64;
            let r = if k.is_multiple_of(2) { 1.0 } else { 0.9 };
            coord! { x: r * t.cos(), y: r * t.sin() }
        };
        let mut pts: Vec<Coord<f64>> = (0..n).map(star).collect();
        pts.push(pts[0]);
        let ring = LineString::from(pts.clone());
        assert_eq!(problem(&[&Polygon::new(ring, vec![])]), None);
        pts[n / 2] = coord! { x: 1.5, y: 0.0 };
        let folded = Polygon::new(LineString::from(pts), vec![]);
        assert!(problem(&[&folded]).is_some());
    }

    proptest! {
        /// Another method: on small random rings with an area, the verdict is geo's all-pairs one.
        #[test]
        fn agrees_with_geo_on_random_rings(pts in proptest::collection::vec((0i32..8, 0i32..8), 3..8)) {
            let mut ring: Vec<(f64, f64)> = pts.iter().map(|&(x, y)| (f64::from(x), f64::from(y))).collect();
            ring.push(ring[0]);
            let p = Polygon::new(LineString::from(ring), vec![]);
            // A ring of no area folds onto itself; geo's check lets it pass (GEOS does not).
            prop_assume!(geo::Area::unsigned_area(&p) > 0.0);
            prop_assert_eq!(problem(&[&p]).is_none(), p.is_valid(), "{:?}", p);
        }

        /// Another method for the sweep: on random rings (folds, touching vertices,
        /// collinear overlaps and holes on a coarse grid), it finds a crossing exactly
        /// when the R-tree's test of every pair whose boxes meet does.
        #[test]
        fn the_sweep_agrees_with_the_rtree(
            rings in proptest::collection::vec(proptest::collection::vec((0i32..7, 0i32..7), 3..12), 1..3),
        ) {
            let mut edges = Vec::new();
            for (ri, pts) in rings.iter().enumerate() {
                let mut ring: Vec<Coord<f64>> = pts.iter().map(|&(x, y)| coord! { x: f64::from(x), y: f64::from(y) }).collect();
                ring.push(ring[0]);
                let lines = ring_edges(&LineString::from(ring));
                let n = lines.len();
                edges.extend(lines.into_iter().enumerate().map(|(index, line)| Edge { polygon: 0, ring: ri, index, ring_edges: n, line }));
            }
            prop_assert_eq!(sweep::any_crossing(&edges), first_crossing(&edges, false).is_some(), "{:?}", rings);
        }
    }

    /// A star of long thin spikes (what benches/hostile.sh checks at a million points) is
    /// simple, and one spike bent across its neighbour is found.
    #[test]
    fn a_star_of_thin_spikes_is_swept() {
        let n = 20_000;
        let star: Vec<(f64, f64)> = (0..=n)
            .map(|k| {
                let t = std::f64::consts::TAU * (k % n) as f64 / n as f64;
                let r = if k % 2 == 0 { 0.05 } else { 0.045 };
                (122.55 + r * t.cos(), -28.86 + r * t.sin())
            })
            .collect();
        let p = Polygon::new(LineString::from(star.clone()), vec![]);
        assert_eq!(problem(&[&p]), None);
        let mut bent = star;
        bent[1000] = bent[1003];
        let p = Polygon::new(LineString::from(bent), vec![]);
        assert_eq!(
            problem(&[&p]).as_deref(),
            Some("the exterior ring crosses or touches itself")
        );
    }
}
