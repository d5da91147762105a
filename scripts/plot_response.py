#!/usr/bin/python3
"""Plot the finite-N pulse response (memory trace) of `gdmft memory`, with the DMFT R(t) and the gate drive.

Usage: plot_response.py RESPONSE_CSV GATES_CSV PNG [TITLE]

response.csv: '#' header lines (run metadata), then t, m_mean, m_stderr, (undriven runs) R_dmft, noise_floor.
gates.csv: t, b_z, b_r, sigma_z_mean, sigma_r_mean, var_h, tangent_norm.
Left: the readout m(t) with a band of two standard errors, and the DMFT R(t), on a linear and a log scale.
Right (top): the drive b_z(t), b_r(t) and the mean gates; (bottom) the population variance of h and the
rms size of the perturbation |delta h|/sqrt(N) (its growth in the chaotic phase limits the comparison).
"""
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from gdmft_csv import read_csv, save_figure  # noqa: E402


def title_of(meta):
    p = meta.get("params", {})
    s = meta.get("settings", {})
    t = "alpha_z = %g, g_h = %g, N = %s, %s nets x %s dirs" % (
        p.get("alpha_z", float("nan")), p.get("g_h", float("nan")), s.get("N", "?"),
        s.get("realizations", "?"), s.get("directions", "?"))
    if s.get("drive_amp_z", 0) or s.get("drive_amp_r", 0):
        t += "\ndrive amp_z = %g, amp_r = %g on [%g, %g], rise %g" % (
            s.get("drive_amp_z", 0), s.get("drive_amp_r", 0), s.get("drive_t_on", 0), s.get("drive_t_off", 0),
            s.get("drive_rise", 0))
    return t


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    meta, r = read_csv(sys.argv[1])
    _, g = read_csv(sys.argv[2])
    t, m, se = r["t"], r["m_mean"], r["m_stderr"]
    lo = [a - 2 * b for a, b in zip(m, se)]
    hi = [a + 2 * b for a, b in zip(m, se)]
    fig, ax = plt.subplots(2, 2, figsize=(11, 7.5))
    for k, log in enumerate((False, True)):
        a = ax[k][0]
        a.fill_between(t, lo, hi, color="C0", alpha=0.3, lw=0, label="simulation, 2 s.e.")
        a.plot(t, m, color="C0", lw=1.2, label="simulation m(t)")
        if "R_dmft" in r:
            Rt = [(x, y) for x, y in zip(t, r["R_dmft"]) if math.isfinite(y)]
            a.plot([x for x, _ in Rt], [y for _, y in Rt], "k--", lw=1.2, label="DMFT R(t)")
        if "noise_floor" in r and log:
            a.plot(t, [2 * x for x in r["noise_floor"]], ":", color="gray", lw=1, label="2 x direction noise floor")
        a.set_xlabel("t after the pulse (tau_h)")
        a.set_ylabel("readout m(t)")
        if log:
            pos = [x for x in m if x > 0]
            if pos:
                a.set_yscale("log")
                a.set_ylim(max(min(pos), 1e-4 * max(pos)), 2 * max(pos))
        a.legend(fontsize=8)
    a = ax[0][1]
    a.plot(g["t"], g["b_z"], label="b_z(t)")
    a.plot(g["t"], g["b_r"], label="b_r(t)")
    a.plot(g["t"], g["sigma_z_mean"], label="<sigma_z>")
    a.plot(g["t"], g["sigma_r_mean"], label="<sigma_r>")
    a.set_xlabel("t")
    a.legend(fontsize=8)
    a = ax[1][1]
    a.plot(g["t"], g["var_h"], label="var_i h_i(t)")
    a.plot(g["t"], g["tangent_norm"], label="|delta h| / sqrt(N)")
    a.set_yscale("log")
    a.set_xlabel("t")
    a.legend(fontsize=8)
    fig.suptitle(sys.argv[4] if len(sys.argv) > 4 else title_of(meta), fontsize=10)
    fig.tight_layout()
    save_figure(fig, sys.argv[3], dpi=110)


if __name__ == "__main__":
    main()
