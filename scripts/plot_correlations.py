#!/usr/bin/python3
"""Plot C_h(tau): DMFT against finite-N simulation, from a validate correlations CSV.

Usage: plot_correlations.py CSV PNG [TITLE]

The CSV has '#' header lines (run metadata), then columns: tau, C_h_dmft, and for each size N the
pair C_h_N<N>, C_h_N<N>_err (mean over realizations and its standard error).
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from gdmft_csv import read_csv, save_figure  # noqa: E402


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    _, cols = read_csv(sys.argv[1])
    names = list(cols)
    tau = cols["tau"]
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    sizes = [n for n in names if n.startswith("C_h_N") and not n.endswith("_err")]
    cmap = plt.get_cmap("viridis")
    for i, n in enumerate(sizes):
        color = cmap(i / max(1, len(sizes) - 1) * 0.85)
        y = cols[n]
        err = cols.get(n + "_err")
        ax.plot(tau, y, color=color, lw=1.2, label="simulation N=" + n[len("C_h_N"):])
        if err:
            ax.fill_between(tau, [a - b for a, b in zip(y, err)], [a + b for a, b in zip(y, err)],
                            color=color, alpha=0.25, lw=0)
    if "C_h_dmft" in cols:
        ax.plot(tau, cols["C_h_dmft"], "k--", lw=1.6, label="DMFT")
    ax.set_xlabel(r"$\tau$")
    ax.set_ylabel(r"$C_h(\tau)$")
    if len(sys.argv) > 3:
        ax.set_title(sys.argv[3], fontsize=9)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    save_figure(fig, sys.argv[2], dpi=150)


if __name__ == "__main__":
    main()
