#!/usr/bin/env python3
"""Prints (or writes into docs/validation.md) the study-comparison tables from `prospect
appraise` JSON.

    cargo run --release -- appraise samples/projects.csv --format json --draws 0 --as-of 2026 \\
        | python3 scripts/validation_table.py --write docs/validation.md

Reads the JSON contract only (docs/outputs.md): `projects[].study` and its `bridge`. Rows
are sorted by deviation, highest first. Each comparison's tolerance is the accuracy class
of its study type, fixed in advance (shared reference README, "Cost accuracy by study
stage": US S-K 1300 states +/-50 % for a scoping study or PEA, +/-25 % for a PFS and +/-15 %
for a feasibility study); the table says whether the rebuild lands inside it. With
`--write FILE` the tables replace the text between the markers
`<!-- study-table:start -->` and `<!-- study-table:end -->` of FILE.
"""
import json
import statistics
import sys

# Accuracy class by study type, % (fixed before any comparison was looked at).
ACCURACY_CLASS_PCT = {"pea": 50.0, "scoping": 50.0, "pfs": 25.0, "dfs": 15.0, "fs": 15.0}
STEPS = ["rebuild_gap", "money_year", "price_deck", "discount_rate", "fiscal_terms", "valuation_date"]


def num(v, d=0):
    return "-" if v is None else f"{v:,.{d}f}"


def dev(v):
    return "-" if v is None else f"{v:+.0f} %"


def tables(report):
    money_year = report.get("conventions", {}).get("money_year")
    rows, bridges = [], []
    for p in report["projects"]:
        s = p.get("study")
        if not s:
            continue
        deck = "study deck" if s["price_factor"] != 1.0 else report["assumptions"]["scenario"]
        basis = s["npv_basis"].replace("_", "-")
        b = s.get("bridge") or {}
        rebuild = b.get("rebuild_deviation_pct")
        cls = ACCURACY_CLASS_PCT.get(s["study_type"] or "", 50.0)
        inside = "-" if rebuild is None else ("yes" if abs(rebuild) <= cls else "**no**")
        rows.append((
            rebuild,
            f"| {p['id']} | {p['name']} | {s['study_type']} {s['study_year']} | "
            f"{num(s['published_npv_m'])} {s['currency']}, {basis}, {num(s['discount_rate_pct'], 1).rstrip('0').rstrip('.')} % | "
            f"{num(s['published_npv_musd'])} | {num(b.get('rebuilt_npv_musd'))} ({deck}) | {dev(rebuild)} | ±{cls:.0f} % | {inside} | "
            f"{num(s.get('model_npv_musd'))} | {num(s.get('implied_price_factor'), 2)} | {num(s.get('implied_ndpr_usd_per_kg'))} |",
        ))
        if b:
            steps = {x["step"]: x["musd"] for x in b["steps"]}
            bridges.append((
                rebuild,
                f"| {p['id']} | {num(b['published_npv_musd'])} | "
                + " | ".join(f"{steps.get(k, 0):+,.0f}" for k in STEPS)
                + f" | {num(b['model_npv_musd'])} ({b['model_npv_convention'].replace('_', ' ')}) |",
            ))
    key = lambda r: -1e18 if r[0] is None else -r[0]
    rows.sort(key=key)
    bridges.sort(key=key)
    out = [
        f"| id | project | study | published NPV | published, US$m of the study year | rebuilt on the study's terms, US$m (deck) | rebuild deviation | accuracy class | inside | model NPV under the study's deck and rate, US$m of {money_year} | implied price factor | implied NdPr US$/kg of {money_year} |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    out += [line for _, line in rows]
    devs = [abs(r[0]) for r in rows if r[0] is not None]
    if devs:
        inside = sum(1 for r in rows if r[0] is not None and "| yes |" in r[1])
        out.append("")
        out.append(
            f"Median absolute rebuild deviation over {len(devs)} studies: {statistics.median(devs):.0f} %; "
            f"inside their accuracy class: {inside} of {len(devs)}."
        )
    out.append("")
    out.append(f"Bridge from the published NPV to prospect's own, US$ million (`study.bridge`; each step in the money it reaches, the end in US$ of {money_year}):")
    out.append("")
    out.append("| id | published | " + " | ".join(k.replace("_", " ") for k in STEPS) + " | prospect's NPV (valuation date) |")
    out.append("|---|---|" + "---|" * len(STEPS) + "---|")
    out += [line for _, line in bridges]
    return "\n".join(out)


def main():
    report = json.load(sys.stdin)
    text = tables(report)
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        path = sys.argv[2]
        doc = open(path, encoding="utf-8").read()
        start, end = "<!-- study-table:start -->", "<!-- study-table:end -->"
        i, j = doc.index(start) + len(start), doc.index(end)
        doc = doc[:i] + "\n" + text + "\n" + doc[j:]
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(doc)
        import os
        os.replace(path + ".tmp", path)
    else:
        print(text)


if __name__ == "__main__":
    main()
