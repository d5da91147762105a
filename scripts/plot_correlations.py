#!/usr/bin/python3
"""Plot C_h(tau): DMFT against finite-N simulation, from a validate correlations CSV.

Usage: plot_correlations.py CSV PNG [TITLE]

The CSV has '#' header lines (run metadata), then columns: tau, C_h_dmft, and for each size N the
pair C_h_N<N>, C_h_N<N>_err (mean over realizations and its standard error).
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_csv(path):
    with open(path) as f:
        rows = [line for line in f if not line.startswith("#")]
    reader = csv.reader(rows)
    names = next(reader)
    cols = {n: [] for n in names}
    for r in reader:
        for n, v in zip(names, r):
            cols[n].append(float(v))
    return names, cols


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    names, cols = read_csv(sys.argv[1])
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
    fig.savefig(sys.argv[2], dpi=150)


if __name__ == "__main__":
    main()
