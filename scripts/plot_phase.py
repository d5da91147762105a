#!/usr/bin/python3
"""Plot a phase diagram of `gdmft phase`: one coloured cell per grid point, by label, with a legend.

Usage: plot_phase.py PHASE_CSV PNG [BOUNDARY_CSV]

phase.csv: '#' header lines (x_name, y_name, params, ...), then x, y, phase, C_h0, lambda_max, G, ... with
phase one of stable, chaotic, bistable, marginal, unresolved.
boundary.csv (optional, from `gdmft boundary`): x, y, line, with header x_name, y_name; each line is drawn
over the grid. When its x_name is the phase diagram's y_name, its axes are swapped.
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from gdmft_csv import changed_params, read_table, save_figure  # noqa: E402

LABELS = ["stable", "chaotic", "bistable", "marginal", "unresolved"]
COLOURS = ["#4c78a8", "#e45756", "#b279a2", "#f2cf5b", "#bab0ac"]
LINE_STYLES = {"zero_unstable": ("k", "--"), "fixed_point_fold": ("k", ":"), "chaos_onset": ("k", "-")}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    meta, _, rows = read_table(sys.argv[1])
    xs = sorted({float(r["x"]) for r in rows})
    ys = sorted({float(r["y"]) for r in rows})
    ix = {v: i for i, v in enumerate(xs)}
    iy = {v: i for i, v in enumerate(ys)}
    grid = [[float("nan")] * len(xs) for _ in ys]
    for r in rows:
        grid[iy[float(r["y"])]][ix[float(r["x"])]] = LABELS.index(r["phase"]) if r["phase"] in LABELS else 4

    def edges(v):
        if len(v) == 1:
            return [v[0] - 0.5, v[0] + 0.5]
        mids = [(a + b) / 2 for a, b in zip(v, v[1:])]
        return [v[0] - (mids[0] - v[0])] + mids + [v[-1] + (v[-1] - mids[-1])]

    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    ax.pcolormesh(edges(xs), edges(ys), grid, cmap=ListedColormap(COLOURS), vmin=-0.5, vmax=4.5, shading="flat")
    present = sorted({int(v) for row in grid for v in row if v == v})
    handles = [Patch(facecolor=COLOURS[k], label=LABELS[k]) for k in present]

    x_name, y_name = meta.get("x_name", "x"), meta.get("y_name", "y")
    if len(sys.argv) > 3:
        bmeta, _, brows = read_table(sys.argv[3])
        swap = bmeta.get("x_name") == y_name
        lines = {}
        for r in brows:
            lines.setdefault(r["line"], []).append((float(r["x"]), float(r["y"])))
        for name, pts in lines.items():
            px = [p[1] if swap else p[0] for p in pts]
            py = [p[0] if swap else p[1] for p in pts]
            colour, style = LINE_STYLES.get(name, ("k", "-."))
            ax.plot(px, py, color=colour, linestyle=style, linewidth=1.5)
            handles.append(plt.Line2D([], [], color=colour, linestyle=style, label=name.replace("_", " ")))
        ax.set_xlim(edges(xs)[0], edges(xs)[-1])
        ax.set_ylim(edges(ys)[0], edges(ys)[-1])

    ax.set_xlabel(x_name)
    ax.set_ylabel(y_name)
    fixed = changed_params(meta.get("params", {}), skip=(x_name, y_name))
    ax.set_title("gdmft phase: %s x %s\n%s" % (x_name, y_name, fixed), fontsize=9)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    save_figure(fig, sys.argv[2], dpi=130)


if __name__ == "__main__":
    main()
