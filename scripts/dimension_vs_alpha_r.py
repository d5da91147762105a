#!/usr/bin/env python3
"""Kaplan-Yorke dimension and participation ratio against alpha_r (written by dimension_vs_alpha_r.sh).

    scripts/dimension_vs_alpha_r.py OUT

Reads OUT/alpha_r_*.json (gdmft simulate --lyapunov-k K --json). Writes OUT/dimension_vs_alpha_r.csv
(alpha_r, N, K, networks, lambda_1 and its SE, Kaplan-Yorke dimension and its SE over networks, whether
it exceeds K (then only K is a lower bound), participation ratio and its SE, tau_corr, and the rough
finite-sample factor 1 / (1 + PR / T_eff) of the PR with T_eff = measured time / tau_corr
(validation/measurements.hpp)) and OUT/dimension_vs_alpha_r.png.
"""
import glob
import json
import os
import re
import sys


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "results/dimension_vs_alpha_r"
    rows = []
    for f in glob.glob(os.path.join(out, "alpha_r_*.json")):
        a = float(re.search(r"alpha_r_([0-9.]+)\.json", f).group(1))
        j = json.load(open(f))
        s = j["params"] if "params" in j else {}
        st = j.get("settings", {})
        K = len(j["lyapunov_spectrum"])
        T = st.get("t_max", 500) - st.get("t_burn", 100)
        pr, tc = j["participation_ratio"], j["tau_corr"]
        factor = 1 / (1 + pr / (T / tc)) if tc and tc > 0 else float("nan")
        ky = j["kaplan_yorke_dim"]
        dm = os.path.join(out, f"dmft_alpha_r_{os.path.basename(f)[len('alpha_r_'):-5]}.json")
        lam_dmft = json.load(open(dm)).get("lambda_max") if os.path.exists(dm) else None
        rows.append(dict(alpha_r=a, N=st.get("N", ""), K=K, networks=j["realizations"],
                         lambda_dmft=lam_dmft if lam_dmft is not None else float("nan"),
                         lambda_1=j["lambda_max"], lambda_1_se=j["stderr_lambda_max"],
                         ky=ky if ky is not None else float("nan"),
                         ky_se=j["stderr_kaplan_yorke_dim"] if j["stderr_kaplan_yorke_dim"] is not None else float("nan"),
                         ky_exceeds_k=j["kaplan_yorke_exceeds_k"], pr=pr, pr_se=j["stderr_participation_ratio"],
                         tau_corr=tc, pr_bias_factor=factor, ky_over_N=(ky / st["N"]) if ky is not None and st.get("N") else float("nan")))
    rows.sort(key=lambda r: r["alpha_r"])
    cols = list(rows[0].keys()) if rows else []
    with open(os.path.join(out, "dimension_vs_alpha_r.csv"), "w") as f:
        f.write("# dimension of the chaotic state vs alpha_r; SE over networks; scripts/dimension_vs_alpha_r.py\n")
        f.write(",".join(cols) + "\n")
        for r in rows:
            f.write(",".join(str(r[c]) for c in cols) + "\n")
    print("| alpha_r | lambda_1 (DMFT) | lambda_1 | Kaplan-Yorke dim | KY / N | participation ratio | tau_corr | PR bias factor |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        ky = f"> {r['K']}" if r["ky_exceeds_k"] else f"{r['ky']:.1f} +- {r['ky_se']:.1f}"
        print(f"| {r['alpha_r']:g} | {r['lambda_dmft']:.4f} | {r['lambda_1']:.4f} +- {r['lambda_1_se']:.4f} | {ky} | {r['ky_over_N']:.3f} | "
              f"{r['pr']:.2f} +- {r['pr_se']:.2f} | {r['tau_corr']:.2f} | {r['pr_bias_factor']:.2f} |")
    if not rows:
        return
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    x = [max(r["alpha_r"], 0.5) for r in rows]
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.6))
    ax[0].errorbar(x, [r["ky"] for r in rows], yerr=[r["ky_se"] for r in rows], fmt="o-", label="Kaplan-Yorke")
    ax[0].errorbar(x, [r["pr"] for r in rows], yerr=[r["pr_se"] for r in rows], fmt="s-", label="participation ratio")
    ax[0].set_xscale("log")
    ax[0].set_xlabel("alpha_r (0 plotted at 0.5)")
    ax[0].set_ylabel("dimension")
    ax[0].legend(fontsize=8)
    ax[1].errorbar(x, [r["lambda_1"] for r in rows], yerr=[r["lambda_1_se"] for r in rows], fmt="o-", label="finite N")
    ax[1].plot(x, [r["lambda_dmft"] for r in rows], "*--", label="DMFT")
    ax[1].legend(fontsize=8)
    ax[1].set_xscale("log")
    ax[1].set_xlabel("alpha_r (0 plotted at 0.5)")
    ax[1].set_ylabel("lambda_1 (per tau_h)")
    N = rows[0]["N"]
    fig.suptitle(f"g_h = 3, N = {N}, K = {rows[0]['K']} exponents")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "dimension_vs_alpha_r.png"), dpi=120)


if __name__ == "__main__":
    main()
