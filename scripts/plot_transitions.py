#!/usr/bin/python3
"""Plot a `gdmft transitions` scan: C_h0 and lambda_max of the stationary DMFT against the scanned
parameter, the largest fixed-point branch's Delta_h, and the thresholds g_zero_unstable, g_fp, g_chaos
as vertical lines.

Usage: plot_transitions.py TRANSITIONS_CSV TRANSITIONS_JSON PNG
"""
import json
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from gdmft_csv import changed_params, read_csv, save_figure  # noqa: E402

THRESHOLDS = [("g_zero_unstable", "zero unstable", "--"), ("g_fp", "fixed-point fold", ":"),
              ("g_chaos", "chaos onset", "-")]


def main(csv_path, json_path, png):
    meta, cols = read_csv(csv_path)
    with open(json_path) as f:
        res = json.load(f)
    name = res.get("scan_parameter") or list(cols)[0]
    x = cols[name]
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(6.4, 6.4), sharex=True)
    finite = [(xi, c) for xi, c in zip(x, cols["C_h0"]) if not math.isnan(c)]
    a1.plot([p[0] for p in finite], [p[1] for p in finite], "o-", ms=3, color="#e45756", label="C_h0 (stationary DMFT)")
    a1.plot(x, cols["Delta_h_max"], "--", color="#4c78a8", label="largest fixed point Delta_h")
    a1.set_ylabel("variance")
    lam = [(xi, v) for xi, v in zip(x, cols["lambda_max"]) if not math.isnan(v)]
    a2.plot([p[0] for p in lam], [p[1] for p in lam], "o-", ms=3, color="#e45756")
    a2.axhline(0, color="0.6", lw=0.8)
    a2.set_ylabel("lambda_max")
    a2.set_xlabel(name)
    for key, label, style in THRESHOLDS:
        v = res.get(key)
        if v is None:
            continue
        for ax in (a1, a2):
            ax.axvline(v, color="k", ls=style, lw=1, label=f"{label} {v:.5g}" if ax is a1 else None)
    a1.legend(fontsize=8, frameon=False)
    changed = changed_params(meta.get("params", {}), skip=(name,))
    kind = "discontinuous" if res.get("discontinuous") else "continuous"
    a1.set_title(f"gdmft transitions ({kind} onset of chaos)\n{changed}", fontsize=9)
    fig.tight_layout()
    save_figure(fig, png, dpi=130)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
