#!/usr/bin/python3
"""Plot a transient (two-time) DMFT run: the readout R(t, 0) and the gate statistics during the drive.

Usage: plot_transient.py CSV PNG [CSV_NO_DRIVE] [TITLE]

CSV is `gdmft transient --out DIR` output (DIR/transient.csv): '#' header lines (run metadata), then
columns t, R, R_err, C_h_tt, C_phi_tt, mean_sigma_z, mean_sigma_r, C_h_tt_err, R_stationary. An optional
second CSV (the same run without the drive) is drawn for comparison. Top panel: R(t, 0) on a log scale
with its standard error band and the stationary R(t); bottom panel: mean sigma_z(t), mean sigma_r(t) and
C_h(t, t) / its pre-pulse value.
"""
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from gdmft_csv import read_csv, save_figure  # noqa: E402


def drive_label(meta):
    s = meta.get("settings", {})
    if not isinstance(s, dict):
        return "drive"
    parts = []
    if s.get("drive_amp_z", 0):
        parts.append("b_z=%g" % s["drive_amp_z"])
    if s.get("drive_amp_r", 0):
        parts.append("b_r=%g" % s["drive_amp_r"])
    if not parts:
        return "no drive"
    return ", ".join(parts) + " on [%g, %g]" % (s.get("drive_t_on", 0), s.get("drive_t_off", 0))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    meta, c = read_csv(sys.argv[1])
    other = None
    title = None
    for arg in sys.argv[3:]:
        if arg.endswith(".csv"):
            other = read_csv(arg)
        else:
            title = arg
    t = c["t"]
    post = [i for i, x in enumerate(t) if x >= 0]
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(6, 6), sharex=True, gridspec_kw={"height_ratios": [3, 2]})

    def draw_R(cols, color, label):
        tt = [cols["t"][i] for i in post]
        r = [cols["R"][i] for i in post]
        e = [cols["R_err"][i] for i in post]
        ax.plot(tt, r, color=color, lw=1.5, label=label)
        ax.fill_between(tt, [max(a - b, 1e-300) for a, b in zip(r, e)], [a + b for a, b in zip(r, e)],
                        color=color, alpha=0.25, lw=0)

    draw_R(c, "C3", "DMFT, " + drive_label(meta))
    if other:
        draw_R(other[1], "C0", "DMFT, " + drive_label(other[0]))
    rs = [(t[i], c["R_stationary"][i]) for i in post if not math.isnan(c["R_stationary"][i])]
    if rs:
        ax.plot([a for a, _ in rs], [b for _, b in rs], "k--", lw=1, label="stationary R(t)")
    ax.set_yscale("log")
    ax.set_ylabel(r"readout $R(t, 0)$")
    ax.legend(fontsize=8, frameon=False)
    if title:
        ax.set_title(title, fontsize=9)

    bx.plot(t, c["mean_sigma_z"], color="C2", lw=1.2, label=r"$\langle\sigma_z\rangle(t)$")
    bx.plot(t, c["mean_sigma_r"], color="C1", lw=1.2, label=r"$\langle\sigma_r\rangle(t)$")
    pre = [c["C_h_tt"][i] for i, x in enumerate(t) if x < 0]
    if pre:
        ref = sum(pre) / len(pre)
        bx.plot(t, [v / ref for v in c["C_h_tt"]], color="C4", lw=1, label=r"$C_h(t,t)$ / pre-pulse mean")
    bx.axvline(0, color="0.6", lw=0.8)
    bx.set_xlabel(r"$t$ (pulse at 0)")
    bx.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    save_figure(fig, sys.argv[2], dpi=150)


if __name__ == "__main__":
    main()
