#!/usr/bin/python3
"""Plot ageing curves: C_h(t_w + tau, t_w) against tau for each waiting time t_w, DMFT and finite networks
side by side.

Usage: plot_aging.py PNG CSV [CSV ...] [--title TITLE]

Each CSV is an aging.csv written by `gdmft simulate --waiting-times ... --out DIR` (finite N) or
`gdmft transient --start network --waiting-times ... --out DIR` (the DMFT): '#' header lines (run
metadata), then columns t_w,tau,C_h,C_h_err,C_h_norm,C_h_norm_err,networks,N (N = inf for the DMFT).
One colour per waiting time; the DMFT is drawn as solid lines (with a light band for its error), finite
networks as markers with error bars (one marker shape per N). Panels: C_h(t_w + tau, t_w); the
normalised C_h(t_w + tau, t_w) / sqrt(C_h(t_w, t_w) C_h(t_w + tau, t_w + tau)); and, where an
aging_equal_time.csv lies beside a CSV, the equal-time variance C_h(t, t) against the time since the
start. tau = 0 is left out of the log axis.
"""
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from gdmft_csv import changed_params, read_csv, save_figure  # noqa: E402

MARKERS = "os^Dv<>p"


def curves(cols):
    """{t_w: (tau, C, C_err, norm, norm_err)} without tau = 0."""
    out = {}
    for i, tw in enumerate(cols["t_w"]):
        if cols["tau"][i] <= 0:
            continue
        row = out.setdefault(tw, ([], [], [], [], []))
        for lst, key in zip(row, ("tau", "C_h", "C_h_err", "C_h_norm", "C_h_norm_err")):
            lst.append(cols[key][i])
    return out


def finite(v):
    return [x if math.isfinite(x) else 0.0 for x in v]


def main():
    args = sys.argv[1:]
    title = None
    if "--title" in args:
        k = args.index("--title")
        title = args[k + 1] if k + 1 < len(args) else None
        args = args[:k] + args[k + 2:]
    if len(args) < 2:
        sys.exit(__doc__)
    png, files = args[0], args[1:]
    tables = [(path,) + read_csv(path) for path in files]
    waits = sorted({tw for _, _, c in tables for tw in c["t_w"]})
    color = {tw: "C%d" % (i % 10) for i, tw in enumerate(waits)}
    sizes = sorted({c["N"][0] for _, _, c in tables if c["N"] and math.isfinite(c["N"][0])})
    marker = {n: MARKERS[i % len(MARKERS)] for i, n in enumerate(sizes)}
    equal_time = [p for p in (os.path.join(os.path.dirname(f), "aging_equal_time.csv") for f in files) if os.path.exists(p)]
    npanel = 3 if equal_time else 2
    fig, axes = plt.subplots(1, npanel, figsize=(4.6 * npanel, 4.2))

    for path, meta, cols in tables:
        if not cols["N"]:
            continue
        n = cols["N"][0]
        dmft = not math.isfinite(n)
        what = "DMFT" if dmft else "N = %d" % n
        for tw, (tau, c, ce, nm, ne) in sorted(curves(cols).items()):
            label = "%s, t_w = %g" % (what, tw)
            for ax, y, e in ((axes[0], c, ce), (axes[1], nm, ne)):
                if dmft:
                    ax.plot(tau, y, color=color[tw], lw=1.6, label=label)
                    lo = [a - b for a, b in zip(y, finite(e))]
                    hi = [a + b for a, b in zip(y, finite(e))]
                    ax.fill_between(tau, lo, hi, color=color[tw], alpha=0.2, lw=0)
                else:
                    ax.errorbar(tau, y, yerr=finite(e), color=color[tw], marker=marker[n], ms=3.5, lw=0.8,
                                ls="none", capsize=1.5, label=label)
    for ax, what in ((axes[0], r"$C_h(t_w+\tau, t_w)$"), (axes[1], r"normalised $C_h(t_w+\tau, t_w)$")):
        ax.set_xscale("log")
        ax.set_xlabel(r"lag $\tau$")
        ax.set_ylabel(what)
        ax.axhline(0, color="0.7", lw=0.6)
    axes[1].legend(fontsize=7, frameon=False)

    if equal_time:
        ax = axes[2]
        for p in equal_time:
            _, c = read_csv(p)
            n = c["N"][0] if c["N"] else float("inf")
            pts = [(t, v, e) for t, v, e in zip(c["t"], c["C_h_tt"], c["C_h_tt_err"]) if t > 0]
            if not pts:
                continue
            t, v, e = zip(*pts)
            if math.isfinite(n):
                ax.errorbar(t, v, yerr=finite(e), color="k", marker=marker.get(n, "o"), ms=3.5, lw=0.8, ls="none",
                            capsize=1.5, label="N = %d" % n)
            else:
                ax.plot(t, v, color="k", lw=1.6, label="DMFT")
        for tw in waits:
            ax.axvline(tw, color=color[tw], lw=0.8, ls=":")
        ax.set_xscale("log")
        ax.set_xlabel("time since the start $t$")
        ax.set_ylabel(r"$C_h(t, t)$")
        ax.legend(fontsize=7, frameon=False)

    if title is None and tables:
        params = tables[0][1].get("params", {})
        title = changed_params(params) if isinstance(params, dict) else None
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    save_figure(fig, png, dpi=150)


if __name__ == "__main__":
    main()
