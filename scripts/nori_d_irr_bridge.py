#!/usr/bin/env python3
"""Why NORI-D's model IRR is about twice the study's 27 %: the bridge of docs/validation.md.

    cargo run -- appraise samples/projects.csv --format json --draws 0 --as-of 2026 \
        | python3 scripts/nori_d_irr_bridge.py

Reads the JSON contract only (docs/outputs.md): NORID's revenue, opex, sustaining capex,
capex, royalty, tax, life and construction years. It rebuilds the model's schedule (capex
spread over the build, ramp 50 % and 80 %, straight-line depreciation over
`--depreciation-y` years, sustaining expensed, closure 5 % of capex in the last year,
end-of-year discounting at 8 %) and then changes one thing at a time:
  1. the study's ramp: first production Q4 2027 and steady state from 2031 (P46), read as
     25, 50 and 75 % of nameplate in 2028-2030 (judgement: the first system's share);
  2. expansion capital X over those ramp years (the systems beyond the first one that the
     US$550 m "initial capital" does not cover), solved so that the IRR is 27 %;
  3. X together with a revenue factor k (the study's own, unpublished, deck) solved so
     that both the study's NPV (US$5.5 bn at 8 %) and IRR (27 %) hold.
It is an explanation, not a calibration: nothing of it enters the model.
"""
import argparse
import json
import sys


def irr(flows):
    lo, hi = -0.9, 5.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if npv(mid, flows) > 0:
            lo = mid
        else:
            hi = mid
    return mid


def npv(rate, flows):
    return sum(c / (1 + rate) ** (i + 1) for i, c in enumerate(flows))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--id", default="NORID")
    ap.add_argument("--depreciation-y", type=int, default=10)
    ap.add_argument("--study-npv", type=float, default=5500.0)
    ap.add_argument("--study-irr", type=float, default=27.0)
    args = ap.parse_args()
    report = json.load(sys.stdin)
    p = next(x for x in report["projects"] if x["id"] == args.id)
    rev, opex = p["annual_revenue_musd"], p["opex_musd_per_y"]
    sust, capex = p["sustaining_capex_musd_per_y"], p["capex_musd"]
    roy, tax = p["royalty_pct"] / 100, p["tax_rate_pct"] / 100
    life, build = int(round(p["mine_life_y"])), p["construction_y"]
    dep_y = args.depreciation_y

    def flows(ramp, extra=(), k=1.0):
        out = [-capex / build] * build
        shares = list(ramp) + [1.0] * (life - len(ramp))
        for i, s in enumerate(shares):
            r = rev * k * s
            dep = capex / dep_y if i < dep_y else 0.0
            dep += sum(e / dep_y for j, e in enumerate(extra) if j <= i < j + dep_y)
            pre = r - r * roy - opex * s - sust
            out.append(pre - max(0.0, (pre - dep) * tax) - (extra[i] if i < len(extra) else 0.0))
        out[-1] -= 0.05 * capex
        return out

    def solve(f, target, lo=0.0, hi=30000.0):
        # Largest x with f(x) > target, f decreasing in x.
        for _ in range(100):
            mid = (lo + hi) / 2
            if f(mid) > target:
                lo = mid
            else:
                hi = mid
        return mid

    print(f"{args.id}: model IRR {p['irr_pct']:.1f} %, NPV {p['npv_musd']['base']:,.0f} US$m")
    base = flows([0.5, 0.8])
    print(f"  rebuilt schedule:                      IRR {irr(base) * 100:5.1f} %, NPV {npv(0.08, base):7,.0f}")
    ramp = [0.25, 0.5, 0.75]
    v = flows(ramp)
    print(f"  1. study ramp (25/50/75 % in 2028-30):  IRR {irr(v) * 100:5.1f} %, NPV {npv(0.08, v):7,.0f}")
    t = args.study_irr / 100
    x = solve(lambda x: irr(flows(ramp, [x / 3] * 3)), t)
    v = flows(ramp, [x / 3] * 3)
    print(f"  2. + expansion capital US${x:,.0f} m:     IRR {irr(v) * 100:5.1f} %, NPV {npv(0.08, v):7,.0f}")
    best = None
    for k100 in range(80, 201):
        k = k100 / 100
        xk = solve(lambda x: irr(flows(ramp, [x / 3] * 3, k)), t)
        n = npv(0.08, flows(ramp, [xk / 3] * 3, k))
        if best is None or abs(n - args.study_npv) < abs(best[2] - args.study_npv):
            best = (k, xk, n)
    k, xk, n = best
    print(f"  3. revenue x {k:.2f} and US${xk:,.0f} m:     IRR {args.study_irr:5.1f} %, NPV {n:7,.0f} (study {args.study_npv:,.0f})")


if __name__ == "__main__":
    main()
