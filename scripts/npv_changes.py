#!/usr/bin/env python3
"""Prints a markdown table of how each step moved the samples' NPVs, from `prospect
appraise` JSON files run before and after each step (same command, same deck):

    python3 scripts/npv_changes.py before=main.json "per-oxide netback=a.json" "Dubbo Hf=b.json"

The first column is the NPV (`npv_musd.base`, US$ million) of the first file; each later
column is the change the step made; the last is the NPV after all of them, then the
study's published NPV in US$ of the run's money year (`study.published_npv_real_musd`)
where the record has one. Only projects whose NPV moved by at least US$0.5m are listed.
"""
import json
import sys


def load(path):
    return {p["id"]: p for p in json.load(open(path))["projects"]}


def npv(p):
    return (p.get("npv_musd") or {}).get("base") if p and p.get("valued") else None


def fmt(v, sign=False):
    if v is None:
        return "-"
    if abs(v) < 0.5:
        return "0"
    return f"{v:+,.0f}" if sign else f"{v:,.0f}"


def main(args):
    steps = [a.split("=", 1) for a in args]
    runs = [(label, load(path)) for label, path in steps]
    head = ["id", "project", runs[0][0]] + [label for label, _ in runs[1:]] + ["after", "published (study, US$m of the money year)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    first = runs[0][1]
    for pid, p in first.items():
        values = [npv(r.get(pid)) for _, r in runs]
        if all(v is None for v in values):
            continue
        moved = [
            None if a is None or b is None else b - a for a, b in zip(values, values[1:])
        ]
        if all(m is not None and abs(m) < 0.5 for m in moved):
            continue
        last = runs[-1][1].get(pid) or {}
        study = last.get("study") or {}
        pub = study.get("published_npv_real_musd")
        row = [pid, p["name"], fmt(values[0])] + [fmt(m, True) for m in moved] + [fmt(values[-1]), fmt(pub)]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
