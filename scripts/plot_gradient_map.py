#!/usr/bin/python3
"""Plot a gradient map of `gdmft gradient --x ... --y ...`: the growth rate of |a_h|^2/N per tau_h on the grid
(diverging colours: red exploding, blue vanishing), with the contours growth x T = +-1 that bound the marginal
region over the map's horizon T, and hatched cells where a stable fixed point coexists (bistable).

Usage: plot_gradient_map.py GRADIENT_MAP_CSV PNG
"""
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402
from gdmft_csv import changed_params, read_table, save_figure  # noqa: E402


def main(csv_path, png):
    meta, _, rows = read_table(csv_path)
    xs = sorted({float(r["x"]) for r in rows})
    ys = sorted({float(r["y"]) for r in rows})
    ix = {v: i for i, v in enumerate(xs)}
    iy = {v: i for i, v in enumerate(ys)}
    grid = [[math.nan] * len(xs) for _ in ys]
    bistable = []
    for r in rows:
        i, j = ix[float(r["x"])], iy[float(r["y"])]
        g = float(r["growth_rate"]) if r["growth_rate"] not in ("", "nan") else math.nan
        grid[j][i] = g
        if r["growth_rate_fixed_point"] not in ("", "nan"):
            bistable.append((float(r["x"]), float(r["y"])))
    finite = [v for row in grid for v in row if not math.isnan(v)]
    lo, hi = (min(finite), max(finite)) if finite else (-1, 1)
    lo, hi = min(lo, -1e-6), max(hi, 1e-6)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    im = ax.pcolormesh(xs, ys, grid, cmap="RdBu_r", norm=TwoSlopeNorm(0, lo, hi), shading="nearest")
    fig.colorbar(im, ax=ax, label="growth rate of |a_h|^2/N (per tau_h)")
    T = float(meta.get("settings", {}).get("horizon", 100))
    if len(xs) > 1 and len(ys) > 1:
        cs = ax.contour(xs, ys, grid, levels=[-1 / T, 1 / T], colors="k", linewidths=0.8, linestyles=["--", "-"])
        ax.clabel(cs, fmt={-1 / T: "-1/T", 1 / T: "+1/T"}, fontsize=7)
    if bistable:
        ax.plot([b[0] for b in bistable], [b[1] for b in bistable], "x", color="0.2", ms=3, label="stable fixed point coexists")
        ax.legend(fontsize=7, loc="lower right", framealpha=0.85)
    ax.set_xlabel(meta.get("x_name", "x"))
    ax.set_ylabel(meta.get("y_name", "y"))
    title = changed_params(meta.get("params", {}), skip=(meta.get("x_name"), meta.get("y_name")))
    ax.set_title("gradient growth, horizon T = %g" % T + (" (" + title + ")" if title else ""), fontsize=9)
    fig.tight_layout()
    save_figure(fig, png, dpi=130)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
