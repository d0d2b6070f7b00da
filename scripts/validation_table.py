#!/usr/bin/env python3
"""Prints the study-comparison table of docs/validation.md from `prospect appraise` JSON.

    cargo run --release -- appraise samples/projects.csv --format json --draws 0 \
        | python3 scripts/validation_table.py

Reads the JSON contract only (docs/outputs.md): `projects[].study`. Rows are sorted by
deviation, highest first; the last line gives the median absolute deviation.
"""
import json
import statistics
import sys


def num(v, d=0):
    return "-" if v is None else f"{v:,.{d}f}"


def dev(v):
    return "-" if v is None else f"{v:+.0f} %"


def main():
    report = json.load(sys.stdin)
    rows = []
    for p in report["projects"]:
        s = p.get("study")
        if not s:
            continue
        deck = "study deck" if s["price_factor"] != 1.0 else report["assumptions"]["scenario"]
        basis = s["npv_basis"].replace("_", "-")
        rows.append((
            s.get("deviation_pct"),
            f"| {p['id']} | {p['name']} | {s['study_type']} {s['study_year']} | "
            f"{num(s['published_npv_m'])} {s['currency']}, {basis}, {num(s['discount_rate_pct'], 1).rstrip('0').rstrip('.')} % | "
            f"{num(s['published_npv_musd'])} | {num(s['model_npv_musd'])} ({deck}) | "
            f"{dev(s.get('deviation_pct'))} | "
            f"{num(s.get('implied_price_factor'), 2)} | {num(s.get('implied_ndpr_usd_per_kg'))} |",
        ))
    rows.sort(key=lambda r: -1e18 if r[0] is None else -r[0])
    print("| id | project | study | published NPV | published, US$m | model NPV (deck) | deviation | implied price factor | implied NdPr US$/kg |")
    print("|---|---|---|---|---|---|---|---|---|")
    for _, line in rows:
        print(line)
    devs = [abs(r[0]) for r in rows if r[0] is not None]
    if devs:
        print(f"\nMedian absolute deviation over {len(devs)} studies: {statistics.median(devs):.0f} %.")


if __name__ == "__main__":
    main()
