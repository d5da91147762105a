#!/usr/bin/python3
"""Plot the Jacobian eigenvalues against the DMFT support boundary, from the CSVs of `gdmft spectrum`.

Usage: plot_spectrum.py EIGENVALUES_CSV BOUNDARY_CSV PNG [TITLE]

eigenvalues.csv: '#' header lines (run metadata), then columns re, im, outlier (1: a predicted point mass of a gate
block at -1/tau, excluded from the bulk). boundary.csv: '#' header lines (including center, centers, inflate,
star_shaped and rightmost_predicted), then x, y, angle, crossing, component. Component 0: crossings of F(lambda) = 1
along rays from the center (crossing 0 the outermost, 1, 2, ... further in); component m >= 1: the first crossing
along rays from the gate pole centers[m], traced when the region is not star-shaped about the center (e.g. a separate
blob around -1/tau_r). Each component is drawn as a closed curve with its inflation about its own center.
"""
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from gdmft_csv import read_csv, save_figure  # noqa: E402


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    _, eig = read_csv(sys.argv[1])
    bmeta, bnd = read_csv(sys.argv[2])
    center = float(bmeta.get("center", 0.0))
    inflate = float(bmeta.get("inflate", 1.0))

    fig, ax = plt.subplots(figsize=(5.8, 5.0))
    bulk = [(x, y) for x, y, o in zip(eig["re"], eig["im"], eig["outlier"]) if o == 0]
    outl = [(x, y) for x, y, o in zip(eig["re"], eig["im"], eig["outlier"]) if o != 0]
    if bulk:
        ax.plot([p[0] for p in bulk], [p[1] for p in bulk], ".", ms=2.5, color="tab:blue",
                label="eigenvalues (%d)" % len(bulk))
    if outl:
        ax.plot([p[0] for p in outl], [p[1] for p in outl], "x", ms=5, color="tab:orange",
                label="gate-block point masses (%d)" % len(outl))

    star = bmeta.get("star_shaped", True) is True
    centers = bmeta.get("centers", [center])
    comp = bnd.get("component", [0.0] * len(bnd["x"]))
    rows = list(zip(bnd["x"], bnd["y"], bnd["angle"], bnd["crossing"], comp))
    curves = []  # (center, points sorted by angle)
    if star:
        curves.append((center, sorted((a, x, y) for x, y, a, c, m in rows if m == 0 and c == 0)))
    else:
        # Not star-shaped about the center: the center's own component is the innermost crossing of each ray, and each
        # gate pole's component was traced by rays from that pole.
        innermost = {}
        for x, y, a, c, m in rows:
            if m == 0 and (a not in innermost or c > innermost[a][0]):
                innermost[a] = (c, x, y)
        curves.append((center, sorted((a, v[1], v[2]) for a, v in innermost.items())))
        for k in sorted({int(m) for m in comp if m > 0}):
            pole = centers[k] if k < len(centers) else center
            curves.append((pole, sorted((a, x, y) for x, y, a, c, m in rows if int(m) == k)))
        other = [(x, y) for x, y, a, c, m in rows if m == 0]
        ax.plot([p[0] for p in other], [p[1] for p in other], "k.", ms=1.0, label="all ray crossings (not star-shaped)")
    for i, (pc, pts) in enumerate(curves):
        if not pts:
            continue
        xs = [p[1] for p in pts] + [pts[0][1]]
        ys = [p[2] for p in pts] + [pts[0][2]]
        ax.plot(xs, ys, "k-", lw=1.2, label=r"DMFT boundary $F(\lambda)=1$" if i == 0 else None)
        ax.plot([pc + inflate * (x - pc) for x in xs], [inflate * y for y in ys], "k:", lw=0.9,
                label="inflated by %g%%" % round(100 * (inflate - 1), 3) if i == 0 else None)
    rp = bmeta.get("rightmost_predicted")
    if isinstance(rp, (int, float)) and math.isfinite(rp):
        ax.axvline(rp, color="tab:red", lw=0.8, ls="--", label="rightmost predicted %.4g" % rp)
    ax.axvline(0.0, color="0.6", lw=0.6)
    ax.axhline(0.0, color="0.6", lw=0.6)
    ax.plot([center], [0.0], "k+", ms=8)
    ax.set_xlabel(r"Re $\lambda$")
    ax.set_ylabel(r"Im $\lambda$")
    ax.set_aspect("equal", adjustable="datalim")
    if len(sys.argv) > 4:
        ax.set_title(sys.argv[4], fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="best")
    fig.tight_layout()
    save_figure(fig, sys.argv[3], dpi=150)


if __name__ == "__main__":
    main()
