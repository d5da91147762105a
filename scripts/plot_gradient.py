#!/usr/bin/python3
"""Plot a `gdmft gradient` run: ln(|a_h|^2/N) against the time before the horizon (the DMFT, and the
finite-N backpropagation when gradient_finite_n.csv is given, with error bars), and the parameter-gradient
sizes against the horizon.

Usage: plot_gradient.py GRADIENT_CSV NORMS_CSV PNG [FINITE_N_CSV]
"""
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from gdmft_csv import changed_params, read_csv, read_table, save_figure  # noqa: E402


def column(rows, name):
    out = []
    for r in rows:
        v = r.get(name, "")
        out.append(float(v) if v not in ("", None) else math.nan)
    return out


def main(profile_csv, norms_csv, png, finite_csv=None):
    meta, _, rows = read_table(profile_csv)
    s = column(rows, "t_before_horizon")
    ln_a = column(rows, "ln_a_h2")
    _, norms = read_csv(norms_csv)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.plot(s, ln_a, "-", color="#e45756", label="DMFT")
    if finite_csv and os.path.exists(finite_csv):
        fmeta, _, frows = read_table(finite_csv)
        fs, fa, fe = column(frows, "t_before_horizon"), column(frows, "ln_a_h2"), column(frows, "ln_a_h2_err")
        n = fmeta.get("N", "")
        a1.errorbar(fs, fa, yerr=fe, fmt="o", ms=2.5, color="#4c78a8", label="finite N %s" % n)
    a1.set_xlabel("time before the horizon (tau_h)")
    a1.set_ylabel("ln |a_h|^2 / N")
    a1.legend(frameon=False)
    T = norms["horizon"]
    for key, color in (("grad_norm_Jh", "#e45756"), ("grad_norm_Jz", "#72b7b2"), ("grad_norm_Jr", "#54a24b")):
        v = norms[key]
        if any(x > 0 for x in v if not math.isnan(x)):
            a2.semilogy(T, v, "-", color=color, label=key)
    a2.set_xlabel("horizon T (tau_h)")
    a2.set_ylabel("(1/N^2) sum (dL/dJ)^2")
    a2.legend(frameon=False)
    title = changed_params(meta.get("params", {}))
    fig.suptitle("adjoint DMFT" + (": " + title if title else ""), fontsize=10)
    fig.tight_layout()
    save_figure(fig, png, dpi=130)


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(*sys.argv[1:])
