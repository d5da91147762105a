#!/usr/bin/env python3
"""Table and plot of finite-N lambda_max against the DMFT (written by scripts/lyapunov_vs_N.sh).

    scripts/lyapunov_vs_N.py OUT

Reads OUT/POINT/dmft.json and OUT/POINT/N{N}_seed{s}.json. For each point and N: the mean of the
per-network lambda_max with its standard error: the larger of the spread over networks and the
time-block error of the mean (rms block error / sqrt(networks)), and the shortfall from the DMFT.
The trend is fitted as lambda(N) = a + b / N by weighted least squares (weights 1/SE^2) over all sizes
and, when at least three remain, over N >= 1000 (the plot shows the last fit); the intercept a (with its
standard error from the fit) is compared with the DMFT value. Writes
OUT/lyapunov_vs_N.csv, OUT/lyapunov_vs_N.md and OUT/lyapunov_vs_N.png.
"""
import glob
import json
import math
import os
import re
import sys

POINTS = {
    "outgate_tr0": "alpha_r = 4, tau_r = 0, g_h = 3",
    "outgate_tr1": "alpha_r = 2, tau_r = 1, g_h = 4",
    "update_z2": "alpha_z = 2, tau_z = 1, g_h = 4",
}


def mean_se(v):
    n = len(v)
    m = sum(v) / n
    if n < 2:
        return m, float("nan")
    var = sum((x - m) ** 2 for x in v) / (n - 1)
    return m, math.sqrt(var / n)


def wls_line(x, y, s):
    """y = a + b x with weights 1/s^2; returns a, se_a, b, se_b, chi2/dof."""
    w = [1 / e**2 for e in s]
    S, Sx, Sxx = sum(w), sum(wi * xi for wi, xi in zip(w, x)), sum(wi * xi * xi for wi, xi in zip(w, x))
    Sy, Sxy = sum(wi * yi for wi, yi in zip(w, y)), sum(wi * xi * yi for wi, xi, yi in zip(w, x, y))
    D = S * Sxx - Sx * Sx
    a = (Sxx * Sy - Sx * Sxy) / D
    b = (S * Sxy - Sx * Sy) / D
    dof = len(x) - 2
    chi2 = sum(wi * (yi - a - b * xi) ** 2 for wi, xi, yi in zip(w, x, y))
    return a, math.sqrt(Sxx / D), b, math.sqrt(S / D), (chi2 / dof if dof > 0 else float("nan"))


def read_runs(d):
    """The per-network runs d/N{N}_seed{s}.json of one point, as parsed JSON lists keyed by N."""
    runs = {}
    for f in glob.glob(os.path.join(d, "N*_seed*.json")):
        N = int(re.search(r"N(\d+)_seed", f).group(1))
        runs.setdefault(N, []).append(json.load(open(f)))
    return runs


def network_mean_se(runs):
    """Mean lambda_max over the networks of `runs` and its standard error: the spread over networks, but
    never below the time-block error of the mean (rms block error / sqrt(networks)), since a few networks
    can agree by chance (one network per run, so stderr_lambda_max is over time blocks)."""
    m, se = mean_se([j["lambda_max"] for j in runs])
    blk = [j["stderr_lambda_max"] for j in runs]
    tb = math.sqrt(sum(e * e for e in blk) / len(blk)) / math.sqrt(len(blk))
    return m, (tb if se != se else max(se, tb))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "results/lyapunov_vs_N"
    rows, md, fits = [], [], {}
    md.append("| point | DMFT lambda_max | method | N | networks | finite N (mean +- SE) | shortfall |")
    md.append("|---|---|---|---|---|---|---|")
    for pt, label in POINTS.items():
        d = os.path.join(out, pt)
        if not os.path.isdir(d):
            continue
        dm, dm_err, method = float("nan"), float("nan"), ""
        if os.path.exists(os.path.join(d, "dmft.json")):
            j = json.load(open(os.path.join(d, "dmft.json")))
            dm = j.get("lambda_max") or float("nan")
            dm_err = j.get("lambda_max_err") or 0.0
            method = j.get("lambda_method", j.get("method", ""))
        runs = read_runs(d)
        xs, ys, ss = [], [], []
        for N in sorted(runs):
            m, se = network_mean_se(runs[N])
            short = (m - dm) / dm if dm == dm else float("nan")
            rows.append((pt, label, dm, dm_err, method, N, len(runs[N]), m, se, short))
            md.append(f"| {label} | {dm:.4f} +- {dm_err:.4f} | {method} | {N} | {len(runs[N])} | "
                      f"{m:.4f} +- {se:.4f} | {100 * short:+.1f}% |")
            if se == se and se > 0:
                xs.append(1 / N), ys.append(m), ss.append(se)
        # Fits over all sizes and, when three remain, over N >= 1000 (the 1/N form holds at large N only).
        for nmin in (0, 1000):
            sel = [i for i, x in enumerate(xs) if 1 / x >= nmin]
            if len(sel) < 3 or (nmin and len(sel) == len(xs)):
                continue
            fx, fy, fs = [xs[i] for i in sel], [ys[i] for i in sel], [ss[i] for i in sel]
            a, sa, b, sb, red = wls_line(fx, fy, fs)
            fits[pt] = (a, sa, b, sb, red, fx, fy, fs, dm, dm_err, label, xs, ys, ss)
            z = (a - dm) / math.sqrt(sa**2 + dm_err**2) if dm == dm else float("nan")
            sizes = ",".join(str(round(1 / x)) for x in fx)
            md.append(f"| {label} | | | N -> inf (fit a + b/N over N = {sizes}) | | {a:.4f} +- {sa:.4f} "
                      f"(b = {b:.1f} +- {sb:.1f}, chi2/dof {red:.2f}) | {100 * (a - dm) / dm:+.1f}% ({z:+.1f} sigma) |")
    with open(os.path.join(out, "lyapunov_vs_N.csv"), "w") as f:
        f.write("# finite-N lambda_max (mean over networks, SE over networks) against the DMFT; scripts/lyapunov_vs_N.py\n")
        f.write("point,params,dmft_lambda,dmft_err,dmft_method,N,networks,lambda_mean,lambda_se,shortfall\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\n")
    with open(os.path.join(out, "lyapunov_vs_N.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))
    if fits:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6, 4.2))
        for k, (pt, (a, sa, b, sb, red, fx, fy, fs, dm, dme, label, xs, ys, ss)) in enumerate(fits.items()):
            c = f"C{k}"
            ax.errorbar([1000 * x for x in xs], ys, yerr=ss, fmt="o", color=c, label=label)
            xx = [0, 1000 * max(fx)]
            ax.plot(xx, [a + b * x / 1000 for x in xx], "-", color=c, lw=1)
            ax.errorbar([0], [dm], yerr=[dme], fmt="*", ms=12, color=c)
        ax.set_xlabel("1000 / N")
        ax.set_ylabel("lambda_max (per tau_h)")
        ax.set_title("finite N (circles, fit a + b/N) vs DMFT (stars)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(out, "lyapunov_vs_N.png"), dpi=120)


if __name__ == "__main__":
    main()
