#!/usr/bin/python3
"""Topological against dynamical complexity along g_h (issue: decoupling of fixed points from chaos):
the annealed Kac-Rice Sigma (gdmft complexity --scan), lambda_max and C_h0 of the stationary DMFT
(gdmft transitions --scan), with g_zero_unstable, g_fp, the Sigma onset and g_chaos marked. In the gated case
(complexity.csv with a branch_value column) the nontrivial branch's S* is drawn dashed where Sigma = max(0, S*) = 0.

Usage: complexity_vs_chaos.py COMPLEXITY_DIR TRANSITIONS_DIR PNG
(COMPLEXITY_DIR holds complexity.csv and complexity.json; TRANSITIONS_DIR transitions.csv and .json.)
"""
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from gdmft_csv import changed_params, read_csv, save_figure  # noqa: E402


def main(cdir, tdir, png):
    _, cx = read_csv(os.path.join(cdir, "complexity.csv"))
    with open(os.path.join(cdir, "complexity.json")) as f:
        cj = json.load(f)
    _, tr = read_csv(os.path.join(tdir, "transitions.csv"))
    with open(os.path.join(tdir, "transitions.json")) as f:
        tj = json.load(f)
    fig, axes = plt.subplots(3, 1, figsize=(6.4, 7.2), sharex=True)
    axes[0].plot(cx["g_h"], cx["Sigma"], color="#54a24b")
    if "branch_value" in cx and any(not math.isnan(v) for v in cx["branch_value"]):
        # Gated: the nontrivial branch's value S* (Sigma = max(0, S*)), also where it is negative.
        br = [(x, v) for x, v in zip(cx["g_h"], cx["branch_value"]) if not math.isnan(v)]
        axes[0].plot([p[0] for p in br], [p[1] for p in br], color="#54a24b", ls="--", lw=0.8, label="branch S*")
        axes[0].axhline(0, color="0.6", lw=0.8)
    axes[0].set_ylabel("Sigma (Kac-Rice)")
    lam = [(x, v) for x, v in zip(tr["g_h"], tr["lambda_max"]) if not math.isnan(v)]
    axes[1].plot([p[0] for p in lam], [p[1] for p in lam], color="#e45756")
    axes[1].axhline(0, color="0.6", lw=0.8)
    axes[1].set_ylabel("lambda_max (DMFT)")
    axes[2].plot(tr["g_h"], tr["C_h0"], color="#e45756")
    axes[2].set_ylabel("C_h0 (DMFT)")
    axes[2].set_xlabel("g_h")
    marks = [(tj.get("g_zero_unstable"), "zero unstable", "--"), (tj.get("g_fp"), "fixed-point fold", ":"),
             (cj.get("onset"), "Sigma > 0", "-."), (tj.get("g_chaos"), "chaos onset", "-")]
    for v, label, style in marks:
        if v is None:
            continue
        for i, ax in enumerate(axes):
            ax.axvline(v, color="k", ls=style, lw=0.9, label=f"{label} {v:.5g}" if i == 0 else None)
    axes[0].legend(fontsize=8, frameon=False)
    axes[0].set_title(changed_params(tj["params"], skip=("g_h",)) or "default model", fontsize=9)
    fig.tight_layout()
    save_figure(fig, png, dpi=130)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
