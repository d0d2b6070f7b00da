#!/usr/bin/env python3
"""The peer of prospect's simulation: the same per-draw model in vectorised numpy.

Reads the JSON that `prospect appraise --format json --draws N` wrote (each valued
project carries `simulation.model`, the inputs its draws were drawn from) and the
assumptions file (price spreads and correlation, recovery shift), draws N times per
project from the same distributions with numpy's own generator, builds the annual
schedule (construction, ramp-up, production, closure, straight-line depreciation, tax
with losses carried forward), and computes NPV and IRR for every draw, vectorised over
draws. IRR is a vectorised Newton iteration; numpy-financial's `irr` (roots of the
polynomial, one draw at a time) checks it on a sample of draws, where it applies.

Prints the draws per second of the numpy kernel alone (sampling, schedule, NPV and IRR;
reading the JSON and starting Python are not counted) and how many projects agree with
prospect in distribution: P10, P50 and P90 of NPV within 5 % of prospect's P10-P90
span (the two use different random streams, so only the distributions can agree).

    python3 benches/peer_numpy.py appraisal.json assumptions/default.toml
"""

import json
import sys
import time
import tomllib

import numpy as np

MAX_YEARS = 150


def cholesky(correlation):
    return np.linalg.cholesky(np.array(correlation, dtype=float))


def factor(rng, dist, n):
    """A cost factor: PERT(min, mode, max) as a scaled beta, or a median-1 lognormal."""
    if "pert" in dist:
        lo, mode, hi = dist["pert"]
        if hi <= lo:
            return np.full(n, mode)
        a = 1.0 + 4.0 * (mode - lo) / (hi - lo)
        b = 1.0 + 4.0 * (hi - mode) / (hi - lo)
        return lo + (hi - lo) * rng.beta(a, b, n)
    return np.exp(dist["log_normal"] * rng.standard_normal(n))


def draws(rng, m, u, n):
    """Driver values, one row per draw: price factors (8), grade, tonnage, recovery,
    capex, opex."""
    sigma = np.array(u["prices"]["sigma"])
    z = rng.standard_normal((n, 8)) @ cholesky(u["prices"]["correlation"]).T
    prices = np.exp(sigma * z - sigma * sigma / 2.0)
    grade = np.maximum(1.0 + m["grade_cv"] * rng.standard_normal(n), 0.05)
    tonnage = np.maximum(1.0 + m["tonnage_cv"] * rng.standard_normal(n), 0.05)
    recovery = np.ones(n)
    r = m["recovery_pct"]
    if r is not None and r > 0:
        t = u["recovery_pts"]
        shift = rng.triangular(t["min"], t["mode"], t["max"], n)
        recovery = np.clip(r + shift, 0.0, 100.0) / r
    return prices, grade, tonnage, recovery, factor(rng, m["capex"], n), factor(rng, m["opex"], n)


def cash_flows(m, prices, grade, tonnage, recovery, capex_f, opex_f):
    """Net after-tax cash flow per draw and year, shape (draws, years)."""
    s = m["schedule"]
    n = len(grade)
    output = grade * recovery
    revenue = (prices @ np.array(m["revenue_parts_musd_per_y"])) * output
    logistics = s["logistics_per_y"] * output
    opex = s["opex_per_y"] * opex_f
    capex = s["capex"] * capex_f
    sustaining = s["sustaining_per_y"] * capex_f
    closure = s["closure"] * capex_f
    life = max(s["mine_life_y"], 0.0) * (tonnage if m["life_from_tonnage"] else np.ones(n))

    c = max(s["construction_y"], 1)
    production_years = MAX_YEARS - 1 - c
    ramp = np.ones(production_years)
    k = min(len(s["ramp_up"]), production_years)
    ramp[:k] = np.clip(s["ramp_up"][:k], 0.0, 1.0)
    before = np.concatenate(([0.0], np.cumsum(ramp)[:-1]))
    left = life[:, None] - before[None, :]
    # A production year runs while more than 1e-9 of the mine plan is left.
    running = left > 1e-9
    share = np.where(running, np.minimum(ramp[None, :], left), 0.0)
    last = running.sum(axis=1)  # production years per draw
    width = c + max(int(last.max()), 1)
    share = share[:, : width - c]
    running = running[:, : width - c]

    rev = revenue[:, None] * share
    royalty = rev * s["royalty_pct"] / 100.0
    op = opex[:, None] * share
    lg = logistics[:, None] * share
    sus = np.where(share > 0.0, sustaining[:, None], 0.0)
    clo = np.zeros_like(share)
    idx = np.maximum(last - 1, 0)
    clo[np.arange(n), idx] = np.where(last > 0, closure, 0.0)
    pre_tax_prod = rev - royalty - op - lg - sus - clo

    dep_years = max(s["depreciation_y"], 1)
    years = np.arange(width - c)
    dep = np.where(years[None, :] < dep_years, capex[:, None] / dep_years, 0.0)
    taxable = rev - royalty - op - lg - sus - clo - dep
    tax = np.zeros_like(taxable)
    losses = np.zeros(n)
    rate = s["tax_rate_pct"] / 100.0
    for j in range(taxable.shape[1]):
        t = taxable[:, j]
        offset = np.minimum(losses, np.maximum(t, 0.0))
        tax[:, j] = np.where(t > 0.0, (t - offset) * rate, 0.0)
        losses = np.where(t < 0.0, losses - t, losses - offset)
    # Years past a draw's last production year carry nothing.
    net_prod = np.where(running, pre_tax_prod - tax, 0.0)
    net = np.empty((n, width))
    net[:, :c] = -(capex / c)[:, None]
    net[:, c:] = net_prod
    no_output = last == 0
    if no_output.any():  # closure in a year of its own
        net[no_output, c] = -closure[no_output]
    return net


def npv(net, rate, offset):
    t = np.arange(net.shape[1]) + offset
    return net @ (1.0 + rate) ** -t


def irr_newton(net, guess=0.1, iterations=50):
    """Vectorised Newton on NPV(r) = 0 (end-of-year flows), iterating only the draws not
    yet converged; NaN where it fails."""
    n, width = net.shape
    r = np.full(n, guess)
    t = np.arange(1, width + 1)
    active = np.flatnonzero((net < 0).any(axis=1) & (net > 0).any(axis=1))
    out = np.full(n, np.nan)
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            if active.size == 0:
                break
            ra = r[active]
            inv = 1.0 / (1.0 + ra)
            d = np.cumprod(np.broadcast_to(inv[:, None], (active.size, width)), axis=1)
            term = net[active] * d
            v = term.sum(axis=1)
            dv = -(term * t).sum(axis=1) * inv
            nxt = ra - v / dv
            bad = ~np.isfinite(nxt) | (nxt <= -0.99) | (nxt > 10.0)
            converged = ~bad & (np.abs(nxt - ra) < 1e-12 * (1.0 + np.abs(nxt)))
            out[active[converged]] = nxt[converged]
            r[active] = nxt
            active = active[~(bad | converged)]
    return out


def main():
    report = json.load(open(sys.argv[1]))
    with open(sys.argv[2], "rb") as f:
        u = tomllib.load(f)["uncertainty"]
    n = report["draws"]
    rng = np.random.default_rng(report["seed"])
    projects = [p for p in report["projects"] if p.get("simulation")]
    agree = 0
    total_draws = 0
    sample_net = []
    start = time.perf_counter()
    results = []
    for p in projects:
        m = p["simulation"]["model"]
        net = cash_flows(m, *draws(rng, m, u, n))
        offset = 1.0 if m["discounting"] == "end_of_year" else 0.5
        values = npv(net, m["rate_pct"] / 100.0, offset)
        irr = irr_newton(net)
        results.append((p, values, irr))
        sample_net.append(net[:2])
        total_draws += n
    elapsed = time.perf_counter() - start

    for p, values, _ in results:
        ours = np.percentile(values, [10, 50, 90])
        theirs = p["simulation"]["npv_musd"]
        span = abs(theirs["p90"] - theirs["p10"])
        tol = 0.05 * span + 1e-6
        diffs = np.abs(ours - [theirs["p10"], theirs["p50"], theirs["p90"]])
        agree += bool((diffs <= tol).all())

    # numpy-financial's IRR (one polynomial per draw) on a sample, beside the Newton one.
    checked = matched = 0
    try:
        import numpy_financial as npf

        for net in sample_net[:200]:
            newton = irr_newton(net)
            for row, r in zip(net, newton):
                if np.isnan(r) or np.sum(np.diff(np.sign(row[row != 0])) != 0) != 1:
                    continue  # numpy-financial's irr applies to one sign change
                checked += 1
                roots = npf.irr(row)
                matched += bool(np.isfinite(roots) and abs(roots - r) < 1e-6)
    except ImportError:
        pass

    print(f"numpy: {len(projects)} projects x {n} draws in {elapsed:.3f} s "
          f"= {total_draws / elapsed:.0f} project-draws/s (kernel only)")
    print(f"numpy: NPV P10/P50/P90 agree with prospect for {agree} of {len(projects)} projects "
          f"(within 5 % of prospect's P10-P90 span)")
    if checked:
        print(f"numpy: vectorised Newton IRR matches numpy-financial's irr on {matched} of {checked} sampled draws")
    else:
        print("numpy: numpy-financial not installed: IRR not cross-checked")
    print(f"rate {total_draws / elapsed:.0f}")


if __name__ == "__main__":
    main()
