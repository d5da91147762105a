#!/usr/bin/env python3
"""Step bias of the sampled solver at a constant clock, without sampling noise.

At alpha_z = 0 (SCS limit, tanh, no input) h is Gaussian, and the sampled solver's map with infinitely
many paths is deterministic: the drive eta, drawn exactly on the lag grid (covariance g_eff^2 C_phi),
goes through the held-drive exponential step h <- h e^{-a} + (1 - e^{-a}) eta, a = s0 dt / tau_h (an
AR(1) filter, whose stationary covariance follows by FFT; s0 = sigma_z(0) = 1/2 at beta_z = 0, and times
are in units of tau_h as on the command line), and C_phi' is the Gaussian pair average at C_h. This script
solves that dt-discretised map, with the solver's tail model (C_phi below 5% of C_phi(0) replaced by the
exponential through the 1/e and 5% crossings) and window taper, by Anderson mixing to a residual below
1e-11, and prints C_h(0) against the exact continuous Delta0 (THEORY.md 8). The difference is the step
bias of the method itself, apart from sampling error and finite-M bias.

usage: discrete_map_bias.py [--g-eff G] [--clock S0] [--window W] DT [DT ...]
"""
import argparse

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.optimize import anderson

EXACT_DELTA0 = {1.5: 0.747686, 2.0: 1.924805, 3.0: 5.446322}  # THEORY.md 8 (energy condition)
TAIL_LEVEL = 0.05  # the solver's tail_level (dmft/sampled_solver.cpp, Tuning)

xg, wg = np.polynomial.hermite_e.hermegauss(100)
wg = wg / wg.sum()


def pair_average(c0):
    """<tanh(x) tanh(y)> for var c0 and covariance c, as a spline in c on [-c0, c0]."""
    cs = np.linspace(-c0, c0, 401)
    out = np.empty_like(cs)
    for i, c in enumerate(cs):
        a, b = np.sqrt(abs(c)), np.sqrt(max(c0 - abs(c), 0.0))
        inner = (np.tanh(a * xg[:, None] + b * xg[None, :]) * wg).sum(1)
        other = inner if c >= 0 else (np.tanh(-a * xg[:, None] + b * xg[None, :]) * wg).sum(1)
        out[i] = (wg * inner * other).sum()
    return CubicSpline(cs, out)


def crossing(C, dt, level):
    k = np.nonzero(C < level * C[0])[0][0]
    a, b = C[k - 1] / C[0], C[k] / C[0]
    return dt * (k - 1 + (a - level) / (a - b))


def tail_model(C, dt):
    t1, te = crossing(C, dt, np.exp(-1)), crossing(C, dt, TAIL_LEVEL)
    tau = (te - t1) / np.log(1 / (np.e * TAIL_LEVEL))
    k0 = int(np.floor(te / dt)) + 1
    out = C.copy()
    out[k0:] = TAIL_LEVEL * C[0] * np.exp(-(np.arange(k0, len(C)) * dt - te) / tau)
    return out


def solve(g_eff, s0, dt, window):
    n = int(round(window / dt)) + 1
    L = 8 * n  # circle for the FFT: far beyond the decay of C_h
    lam = np.exp(-s0 * dt)
    w = 2 * np.pi * np.fft.rfftfreq(L)
    gain = (1 - lam) ** 2 / np.abs(1 - lam * np.exp(-1j * w)) ** 2  # AR(1) power gain
    s = int(0.75 * (n - 1))
    taper = np.ones(n)
    taper[s:] = np.cos(0.5 * np.pi * (np.arange(s, n) - s) / (n - 1 - s)) ** 2

    def step(cphi):
        ceta = g_eff ** 2 * tail_model(cphi, dt) * taper
        circle = np.zeros(L)
        circle[:n] = ceta
        circle[L - n + 1:] = ceta[1:][::-1]
        ch = np.fft.irfft(np.fft.rfft(circle).real * gain, n=L)[:n]
        return pair_average(ch[0])(ch), ch[0]

    x0 = 0.5 * np.exp(-np.arange(n) * dt * s0 / 3.0)
    x = anderson(lambda c: step(c)[0] - c, x0, f_tol=1e-11, M=10)
    new, ch0 = step(x)
    return ch0, np.max(np.abs(new - x))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--g-eff", type=float, default=1.5, choices=sorted(EXACT_DELTA0))
    ap.add_argument("--clock", type=float, default=0.5, help="the constant clock s0 = sigma_z(0)")
    ap.add_argument("--window", type=float, default=200.0)
    ap.add_argument("dt", type=float, nargs="+")
    a = ap.parse_args()
    exact = EXACT_DELTA0[a.g_eff]
    print("g_eff,clock,window,dt,C_h0,exact,relative_bias,residual")
    for dt in a.dt:
        ch0, res = solve(a.g_eff, a.clock, dt, a.window)
        print(f"{a.g_eff},{a.clock},{a.window},{dt},{ch0:.7f},{exact},{ch0 / exact - 1:+.3e},{res:.1e}", flush=True)


if __name__ == "__main__":
    main()
