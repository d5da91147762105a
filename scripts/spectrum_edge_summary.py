#!/usr/bin/python3
"""Summarise spectrum_probe runs (one JSON object per line): rightmost bulk eigenvalue of the network's Jacobian
against the predicted rightmost support point, and the same statistic for the exact ensemble (fresh couplings with
the snapshot's per-unit factors, and bootstrap-resampled factors at other sizes).

Usage: spectrum_edge_summary.py FILE.jsonl [FILE.jsonl ...]
Groups by (N, alpha_z, alpha_r); prints per group the mean and standard error over seeds of
  meas - pred_fact   (the CLI's comparison: network vs the code's factorized boundary)
  meas - pred_joint  (network vs the unfactorized boundary)
  fresh - pred_joint (exact ensemble, same N: the finite-N edge statistic with no state-coupling correlation)
  boot_N: boot - pred_joint (exact ensemble at size boot_N)
"""
import json
import math
import sys
from collections import defaultdict


def stats(v):
    n = len(v)
    if n == 0:
        return "   -"
    m = sum(v) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in v) / (n - 1)) if n > 1 else float("nan")
    return f"{m:+.4f} +- {sd / math.sqrt(n):.4f} (sd {sd:.4f}, n {n})"


def main():
    rows = [json.loads(line) for f in sys.argv[1:] for line in open(f) if line.strip().startswith("{")]
    groups = defaultdict(list)
    for d in rows:
        groups[(d["N"], d["alpha_z"], d["alpha_r"])].append(d)
    for key in sorted(groups):
        g = groups[key]
        print(f"N = {key[0]}, alpha_z = {key[1]}, alpha_r = {key[2]}: {len(g)} snapshots")
        has = lambda k: [d for d in g if k in d and d.get("measured") is not None and d.get("measured", 0) != 0]
        print("  meas - pred_fact  ", stats([d["measured"] - d["pred_fact"] for d in has("pred_fact")]))
        print("  meas - pred_joint ", stats([d["measured"] - d["pred_joint"] for d in has("pred_joint")]))
        print("  |meas - pred_fact| > 0.02:", sum(abs(d["measured"] - d["pred_fact"]) > 0.02 for d in has("pred_fact")))
        fr = [d[k] - d["pred_joint"] for d in g for k in d if k.startswith("fresh_")]
        print("  fresh - pred_joint", stats(fr))
        by_n = defaultdict(list)
        for d in g:
            for k in d:
                if k.startswith("boot_") and k != "boot_N" and "boot_N" in d:
                    by_n[d["boot_N"]].append(d[k] - d["pred_joint"])
        for nb in sorted(by_n):
            print(f"  boot N = {nb}: boot - pred_joint", stats(by_n[nb]))
        print("  pred_fact - pred_joint", stats([d["pred_fact"] - d["pred_joint"] for d in g]))
        print("  pred_joint range", min(d["pred_joint"] for d in g), max(d["pred_joint"] for d in g))


if __name__ == "__main__":
    main()
