#!/usr/bin/env python3
"""Prints (or writes into docs/validation.md) the study-comparison tables from `prospect
appraise` JSON.

    cargo run --release -- appraise samples/projects.csv --format json --draws 0 --as-of 2026 \\
        | python3 scripts/validation_table.py --write docs/validation.md

Reads the JSON contract only (docs/outputs.md): `projects[].study` and its `bridge`. Rows
are sorted by absolute rebuild deviation, smallest first. Each comparison's tolerance is the accuracy class
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
STEPS = ["rebuild_gap", "money_year", "study_schedule", "study_fiscal", "study_byproducts",
         "study_revenue", "study_costs", "study_capex", "price_deck",
         "discount_rate", "fiscal_terms", "valuation_date"]
# What the rebuild's operating flows come from (`study.bridge.rebuild_basis`).
BASIS = {
    "study_operating_terms": "study terms",
    "flow_implied_by_irr": "flow from IRR",
    "model_at_study_deck": "model",
}


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
        how = BASIS.get(b.get("rebuild_basis"), "-")
        if b.get("rebuild_basis") == "study_operating_terms":
            how += ": " + ", ".join(t.replace("study_", "").replace("_musd", "").replace("_per_y", "/y")
                                   for t in b.get("study_terms_used", []))
        if b.get("rebuild_basis") == "model_at_study_deck":
            how += f" ({deck})"
        irr = f"{num(b.get('rebuilt_irr_pct'), 1)} / {num(b.get('published_irr_pct'), 1)}" if b else "-"
        from_irr = b.get("npv_from_published_irr_musd")
        from_irr_dev = None if from_irr is None else (from_irr - s["published_npv_musd"]) / abs(s["published_npv_musd"]) * 100
        rows.append((
            rebuild,
            f"| {p['id']} | {p['name']} | {s['study_type']} {s['study_year']} | "
            f"{num(s['published_npv_m'])} {s['currency']}, {basis}, {num(s['discount_rate_pct'], 1).rstrip('0').rstrip('.')} % | "
            f"{num(s['published_npv_musd'])} | {num(b.get('rebuilt_npv_musd'))} | {how} | {dev(rebuild)} | ±{cls:.0f} % | {inside} | "
            f"{irr} | {num(from_irr)} ({dev(from_irr_dev)}) | "
            f"{num(s.get('model_npv_musd'))} | {num(s.get('implied_price_factor'), 2)} | {num(s.get('implied_ndpr_usd_per_kg'))} |",
            b.get("rebuild_basis"),
        ))
        if b:
            steps = {x["step"]: x["musd"] for x in b["steps"]}
            bridges.append((
                rebuild,
                f"| {p['id']} | {num(b['published_npv_musd'])} | "
                + " | ".join(f"{int(round(steps.get(k, 0))):+,d}" for k in STEPS)
                + f" | {num(b['model_npv_musd'])} ({b['model_npv_convention'].replace('_', ' ')}) |",
            ))
    key = lambda r: -1e18 if r[0] is None else -abs(r[0])
    rows.sort(key=key, reverse=True)
    bridges.sort(key=key, reverse=True)
    out = [
        f"| id | project | study | published NPV | published, US$m of the study year | rebuilt on the study's terms, US$m of the study year | rebuild basis | rebuild deviation | accuracy class | inside | IRR rebuilt / published, % | NPV from the published IRR, US$m (deviation) | model NPV under the study's deck and rate, US$m of {money_year} | implied price factor | implied NdPr US$/kg of {money_year} |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    out += [r[1] for r in rows]
    devs = [abs(r[0]) for r in rows if r[0] is not None]
    if devs:
        inside = sum(1 for r in rows if r[0] is not None and "| yes |" in r[1])
        within10 = sum(1 for d in devs if d <= 10.0)
        out.append("")
        out.append(
            f"Median absolute rebuild deviation over {len(devs)} studies: {statistics.median(devs):.0f} %; "
            f"inside their accuracy class: {inside} of {len(devs)}; within 10 %: {within10} of {len(devs)}."
        )
        for key, label in BASIS.items():
            part = [r for r in rows if r[0] is not None and r[2] == key]
            if part:
                out.append(
                    f"- {label} (`{key}`): {len(part)} studies, median {statistics.median(abs(r[0]) for r in part):.0f} %, "
                    f"inside their class {sum(1 for r in part if '| yes |' in r[1])}."
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
