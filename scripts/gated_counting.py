#!/usr/bin/python3
"""Counted fixed points of finite gated networks against the gated annealed complexity.

Usage: gated_counting.py OUT
Reads OUT/theory_g*.json and OUT/count_g*_N*.json (scripts/gated_counting.sh), writes OUT/gated_counting.csv
(columns g_h,N,networks,mean_count,stderr_count,mean_log_count,stderr_log_count,saturated,late_networks,
mean_norm2,stderr_norm2,unstable_fraction,stderr_unstable_fraction,seconds,Sigma,second_moment,
unstable_fraction_theory; the pooled means' standard errors by jackknife over networks), prints the growth rates
(weighted least-squares slopes of ln(mean count) and of <ln count> against N, with standard errors), and
plots OUT/gated_counting.png from the CSV.
"""
import glob
import json
import math
import os
import re
import sys

from gdmft_csv import read_csv, write_text_atomic

COLUMNS = ["g_h", "N", "networks", "mean_count", "stderr_count", "mean_log_count", "stderr_log_count", "saturated",
           "late_networks", "mean_norm2", "stderr_norm2", "unstable_fraction", "stderr_unstable_fraction", "seconds",
           "Sigma", "second_moment", "unstable_fraction_theory"]


def jackknife_ratio(nums, dens):
    """Pooled ratio sum(nums)/sum(dens) over networks and its jackknife standard error (leave one network out)."""
    n, N, D = len(nums), sum(nums), sum(dens)
    if n < 2 or D == 0:
        return N / D if D else float("nan"), float("nan")
    loo = [(N - a) / (D - b) for a, b in zip(nums, dens) if D - b > 0]
    m = sum(loo) / len(loo)
    return N / D, math.sqrt((len(loo) - 1) / len(loo) * sum((v - m) ** 2 for v in loo))


def build_csv(out):
    rows = []
    for path in sorted(glob.glob(os.path.join(out, "count_g*_N*.json"))):
        m = re.search(r"count_g([0-9.]+)_N([0-9]+)\.json$", path)
        g, n = m.group(1), int(m.group(2))
        with open(path) as f:
            c = json.load(f)
        with open(os.path.join(out, "theory_g%s.json" % g)) as f:
            t = json.load(f)
        late = sum(1 for net in c["networks"] if not net["saturated"])
        counts = [net["count"] for net in c["networks"]]
        if all("sum_norm2" in net for net in c["networks"]):
            _, se_n2 = jackknife_ratio([net["sum_norm2"] for net in c["networks"]], counts)
            _, se_u = jackknife_ratio([net["sum_unstable_fraction"] for net in c["networks"]], counts)
        else:
            se_n2 = se_u = float("nan")
        rows.append([float(g), n, len(c["networks"]), c["mean_count"], c["stderr_count"], c["mean_log_count"],
                     c["stderr_log_count"], 1 if c["saturated"] else 0, late, c["mean_norm2"], se_n2,
                     c["unstable_fraction"], se_u, c["seconds"], t["Sigma"], t["second_moment"], t["unstable_fraction"]])
    rows.sort()
    text = ",".join(COLUMNS) + "\n" + "".join(",".join("%.10g" % v for v in r) + "\n" for r in rows)
    path = os.path.join(out, "gated_counting.csv")
    write_text_atomic(path, text)
    return path


def wls_slope(x, y, s):
    """Weighted least-squares slope of y against x (weights 1/s^2) and its standard error."""
    w = [1 / max(v, 1e-12) ** 2 for v in s]
    W = sum(w)
    xm = sum(wi * xi for wi, xi in zip(w, x)) / W
    ym = sum(wi * yi for wi, yi in zip(w, y)) / W
    sxx = sum(wi * (xi - xm) ** 2 for wi, xi in zip(w, x))
    slope = sum(wi * (xi - xm) * (yi - ym) for wi, xi, yi in zip(w, x, y)) / sxx
    return slope, math.sqrt(1 / sxx)


def main(out):
    _, c = read_csv(build_csv(out))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from gdmft_csv import save_figure

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    for g in sorted(set(c["g_h"])):
        idx = [i for i, v in enumerate(c["g_h"]) if v == g]
        N = [c["N"][i] for i in idx]
        lm = [math.log(c["mean_count"][i]) for i in idx]
        slm = [c["stderr_count"][i] / c["mean_count"][i] for i in idx]
        ll = [c["mean_log_count"][i] for i in idx]
        sll = [c["stderr_log_count"][i] for i in idx]
        sig = c["Sigma"][idx[0]]
        s1, e1 = wls_slope(N, lm, slm)
        s2, e2 = wls_slope(N, ll, sll)
        print("g_h %g: Sigma %.5f; slope of ln(mean count) %.4f +- %.4f (%.1f s.e.), of <ln count> %.4f +- %.4f"
              % (g, sig, s1, e1, (s1 - sig) / e1, s2, e2))
        print("   N: " + " ".join("%d" % n for n in N))
        print("   mean count: " + " ".join("%.3f+-%.3f" % (c["mean_count"][i], c["stderr_count"][i]) for i in idx))
        print("   mean |h|^2/N: " + " ".join("%.3f+-%.3f" % (c["mean_norm2"][i], c["stderr_norm2"][i]) for i in idx)
              + "  (theory %.4f)" % c["second_moment"][idx[0]])
        print("   unstable fraction: " + " ".join("%.3f+-%.3f" % (c["unstable_fraction"][i], c["stderr_unstable_fraction"][i])
                                                   for i in idx) + "  (theory %.4f)" % c["unstable_fraction_theory"][idx[0]])
        print("   seconds: " + " ".join("%.0f" % c["seconds"][i] for i in idx))
        print("   unsaturated networks: " + " ".join("%d" % c["late_networks"][i] for i in idx))
        p = axes[0].errorbar(N, lm, yerr=slm, fmt="o", label="g_h = %g" % g)
        col = p[0].get_color()
        axes[0].plot(N, [lm[-1] + sig * (n - N[-1]) for n in N], color=col, ls="--", lw=0.9)
        axes[1].errorbar(N, [c["mean_norm2"][i] for i in idx], yerr=[c["stderr_norm2"][i] for i in idx], fmt="o",
                         color=col)
        axes[1].axhline(c["second_moment"][idx[0]], color=col, ls="--", lw=0.9)
        axes[2].errorbar(N, [c["unstable_fraction"][i] for i in idx],
                         yerr=[c["stderr_unstable_fraction"][i] for i in idx], fmt="o", color=col)
        axes[2].axhline(c["unstable_fraction_theory"][idx[0]], color=col, ls="--", lw=0.9)
    axes[0].set_ylabel("ln E[#FP] (dashed: slope Sigma)")
    axes[1].set_ylabel("mean |h|^2/N (dashed: theory)")
    axes[2].set_ylabel("unstable fraction (dashed: theory)")
    for ax in axes:
        ax.set_xlabel("N")
    axes[0].legend(fontsize=8, frameon=False)
    fig.suptitle("alpha_r = 10, beta_r = 0, g_r = 1: counting against the annealed Kac-Rice theory", fontsize=9)
    fig.tight_layout()
    save_figure(fig, os.path.join(out, "gated_counting.png"), dpi=130)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
