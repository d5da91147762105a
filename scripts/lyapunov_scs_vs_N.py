#!/usr/bin/env python3
"""Table and plot of the SCS network's finite-N lambda_max against the DMFT (written by
scripts/lyapunov_scs_vs_N.sh).

    scripts/lyapunov_scs_vs_N.py OUT

Reads OUT/POINT/dmft.json and OUT/POINT/N{N}_seed{s}.json (POINT = scs_g2, scs_g3). Per point and N:
the mean of the per-network lambda_max with its standard error (network_mean_se of
scripts/lyapunov_vs_N.py), and the shortfall from the DMFT
with its significance. The DMFT value is checked against THEORY.md 8 (per tau_eff = 2 tau_h). The trend
is fitted as lambda(N) = a + b / N (weighted least squares) over all sizes. Writes
OUT/lyapunov_scs_vs_N.csv, .md and .png.
"""
import json
import os
import sys

from lyapunov_vs_N import network_mean_se, read_runs, wls_line

# THEORY.md 8, SCS lambda_max per tau_eff; here tau_eff = tau_h / sigma_z(0) = 2 tau_h.
POINTS = {"scs_g2": ("g_eff = 2 (g_h = 4)", 0.112458), "scs_g3": ("g_eff = 3 (g_h = 6)", 0.235461)}
TAU_EFF = 2.0


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "results/lyapunov_scs_vs_N"
    rows, md, fits = [], [], {}
    md.append("| point | DMFT (per tau_h) | THEORY.md 8 / 2 | N | networks x trajectories x t | finite N (mean +- SE) "
              "| shortfall | z |")
    md.append("|---|---|---|---|---|---|---|---|")
    for pt, (label, theory) in POINTS.items():
        d = os.path.join(out, pt)
        if not os.path.isdir(d):
            continue
        dm = float("nan")
        if os.path.exists(os.path.join(d, "dmft.json")):
            dm = json.load(open(os.path.join(d, "dmft.json")))["lambda_max"]
        ref = theory / TAU_EFF
        runs = read_runs(d)
        xs, ys, ss = [], [], []
        for N in sorted(runs):
            m, se = network_mean_se(runs[N])
            short = (m - dm) / dm
            z = (m - dm) / se
            st = runs[N][-1]["settings"]
            traj, tm = st["trajectories"], st["t_max"] - st["t_burn"]
            rows.append((pt, label, dm, ref, N, len(runs[N]), traj, tm, m, se, short, z))
            md.append(f"| {label} | {dm:.6f} | {ref:.6f} | {N} | {len(runs[N])} x {traj} x {tm:g} | {m:.4f} +- {se:.4f} "
                      f"({100 * se / dm:.1f}%) | {100 * short:+.1f}% | {z:+.1f} |")
            if se > 0:
                xs.append(1 / N), ys.append(m), ss.append(se)
        if len(xs) >= 3:
            a, sa, b, sb, red = wls_line(xs, ys, ss)
            fits[pt] = (a, b, dm, label, xs, ys, ss)
            sizes = ",".join(str(round(1 / x)) for x in xs)
            md.append(f"| {label} | | | N -> inf (a + b/N over N = {sizes}) | | {a:.4f} +- {sa:.4f} "
                      f"(b = {b:.1f} +- {sb:.1f}, chi2/dof {red:.2f}) | {100 * (a - dm) / dm:+.1f}% | "
                      f"{(a - dm) / sa:+.1f} |")
    with open(os.path.join(out, "lyapunov_scs_vs_N.csv"), "w") as f:
        f.write("# SCS finite-N lambda_max (per tau_h; mean over networks) against the DMFT; "
                "scripts/lyapunov_scs_vs_N.py\n")
        f.write("point,params,dmft_lambda,theory_lambda,N,networks,trajectories,t_measured,lambda_mean,lambda_se,"
                "shortfall,z\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\n")
    with open(os.path.join(out, "lyapunov_scs_vs_N.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))
    if fits:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6, 4.2))
        for k, (pt, (a, b, dm, label, xs, ys, ss)) in enumerate(fits.items()):
            c = f"C{k}"
            ax.errorbar([1000 * x for x in xs], [y / dm for y in ys], yerr=[s / dm for s in ss], fmt="o", color=c,
                        label=label)
            xx = [0, 1000 * max(xs)]
            ax.plot(xx, [(a + b * x / 1000) / dm for x in xx], "-", color=c, lw=1)
        ax.axhline(1.0, color="k", lw=0.8)
        ax.axhspan(0.95, 1.0, color="0.9", zorder=0)
        ax.set_xlabel("1000 / N")
        ax.set_ylabel("finite-N lambda_max / DMFT")
        ax.set_title("SCS: finite N (fit a + b/N); grey: within 5% below the DMFT")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(out, "lyapunov_scs_vs_N.png"), dpi=120)


if __name__ == "__main__":
    main()
