#!/usr/bin/env python3
"""Prints (or writes into docs/validation.md) the table of producers and part-built projects
beside their operators' published revenue and EBITDA, from `prospect appraise` JSON at two
decks: the default (Dec 2025) deck and the June 2025 deck, whose NdPr price (US$53.43/kg) is
close to what the operators sold at in 2024 and FY25.

    cargo run --release -- appraise samples/projects.csv --format json --draws 0 --as-of 2026 > dec.json
    cargo run --release -- appraise samples/projects.csv --format json --draws 0 --as-of 2026 \\
        --scenario market_2025_06 > jun.json
    python3 scripts/producers_table.py dec.json jun.json --write docs/validation.md

Reads the JSON contract only (docs/outputs.md). The model's EBITDA at nameplate is its
revenue less operating cost (own separation included), product freight and royalty:
`annual_revenue_musd - opex_musd_per_y - logistics - royalty_pct x revenue`, before
sustaining capital; "at the operator's output" scales revenue and EBITDA by the operator's
reported output over the model's nameplate (the model's opex scales with output). With
`--write FILE` the table replaces the text between `<!-- producers-table:start -->` and
`<!-- producers-table:end -->` of FILE.
"""
import json
import sys

# Rows: producers, projects ramping up or under construction (the stages valued at the
# as-of date), in this order.
STAGES = ("production", "ramp_up", "construction")

# The operators' published figures, US$ million of the year reported (not escalated: under
# 2 % to 2025), with the output they were earned on. A$ at the FX table's annual averages
# (assumptions/default.toml, fx.rates.AUD): FY25 (Jul 2024-Jun 2025) at the mean of 2024 and
# 2025, 0.6525; 2022 at 0.6951.
OPERATORS = {
    "MTW": {
        "text": "Lynas FY25 (year to June 2025): revenue A$556.5m, EBITDA A$101.2m, on 6,558 t NdPr and 10,970 t REO sold, A$50.6/kg average price (Lynas FY25 results, 27 Aug 2025, as reported by australianminingreview.com.au and middle.news)",
        "revenue": 556.5 * 0.6525,
        "ebitda": 101.2 * 0.6525,
        "output": ("annual_ndpr_t", 6558.0),
    },
    "MTP": {
        "text": "MP Materials 2024: revenue US$203.9m, adjusted EBITDA -US$50.2m, 45,455 t REO in concentrate (shared reference P01), 1,294 t NdPr oxide, Q4 realised US$4,717/t REO (MP Materials results release, 20 Feb 2025)",
        "revenue": 203.9,
        "ebitda": -50.2,
        "output": ("annual_treo_t", 45455.0),
    },
    "YAN": {
        "text": "Hastings 2022 DFS update (a study, not operations): EBITDA A$295m/y (US$205m of 2022) at NdPr US$112/kg, 3,400 t/y NdPr (P11)",
        "revenue": None,
        "ebitda": 295.0 * 0.6951,
        "output": ("annual_ndpr_t", 3400.0),
    },
    "SRV": {"text": "no published financials; at least 5,000 t/y REO at Phase I nameplate (P03)"},
    "NEC": {"text": "no published financials; about 28,000 t of ore mined by Sep 2021, a target of 5,000 t/y REO by 2025 not confirmed (P04)"},
}


def num(v, d=0):
    return "-" if v is None else f"{v:,.{d}f}"


def ebitda(p):
    rev = p.get("annual_revenue_musd") or 0.0
    logistics = (p.get("provenance") or {}).get("logistics_musd_per_y") or {}
    return (
        rev
        - (p.get("opex_musd_per_y") or 0.0)
        - (logistics.get("value") or 0.0)
        - (p.get("royalty_pct") or 0.0) / 100.0 * rev
    )


def cell(p, op):
    """NPV, EBITDA at nameplate and, where the operator reports an output, revenue and EBITDA
    at that output."""
    npv = (p.get("npv_musd") or {}).get("base")
    idle = p.get("idle") or {}
    choice = ""
    if idle and idle.get("chosen") != "operate":
        choice = f" ({idle['chosen'].replace('_', ' ')}; operating {num(idle.get('operate_npv_musd'))})"
    parts = [f"NPV {num(npv)}{choice}", f"EBITDA {num(ebitda(p))}/y"]
    out = op.get("output")
    if out and p.get(out[0]):
        k = out[1] / p[out[0]]
        parts.append(f"at the operator's output (x {k:.2f}): revenue {num(p['annual_revenue_musd'] * k)}, EBITDA {num(ebitda(p) * k)}")
    return "; ".join(parts)


def table(dec, jun):
    jun_by_id = {p["id"]: p for p in jun["projects"]}
    lines = [
        "| id | stage | remaining life, y | capex to spend, US$m | nameplate revenue, US$m/y (Dec 2025 deck) | model, Dec 2025 deck (NdPr US$76.18/kg) | model, Jun 2025 deck (NdPr US$53.43/kg) | NdPr incentive, US$/kg | operator's published figures |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in dec["projects"]:
        if p.get("stage") not in STAGES or not p.get("valued"):
            continue
        op = OPERATORS.get(p["id"], {"text": "-"})
        j = jun_by_id.get(p["id"])
        lines.append(
            "| {id} | {stage} | {life} | {capex} | {rev} | {d} | {j} | {inc} | {text} |".format(
                id=p["id"],
                stage=p["stage"],
                life=num(p.get("remaining_life_y"), 1),
                capex=num(p.get("capex_to_spend_musd")),
                rev=num(p.get("annual_revenue_musd")),
                d=cell(p, op),
                j=cell(j, op) if j and j.get("valued") else "-",
                inc=num(p.get("incentive_ndpr_usd_per_kg"), 1),
                text=op["text"],
            )
        )
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: producers_table.py DEC.json JUN.json [--write FILE]")
    dec = json.load(open(argv[1]))
    jun = json.load(open(argv[2]))
    text = table(dec, jun)
    if "--write" in argv:
        path = argv[argv.index("--write") + 1]
        doc = open(path).read()
        start, end = "<!-- producers-table:start -->\n", "<!-- producers-table:end -->"
        i, k = doc.index(start) + len(start), doc.index(end)
        doc = doc[:i] + text + doc[k:]
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(doc)
        import os

        os.replace(tmp, path)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv)
