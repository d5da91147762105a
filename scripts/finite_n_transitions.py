"""Tabulates scripts/finite_n_transitions.sh: bistability, transient-chaos lifetime against N with an
exponential fit, and lambda_max without and with input. Writes DIR/summary.md (whole) and prints it."""
import glob
import json
import math
import os
import sys

from gdmft_csv import write_text_atomic


def load(path):
    with open(path) as f:
        return json.load(f)


def main(d):
    lines = ["# Finite-N confirmation at alpha_r = 10, tau_r = 0", ""]
    lines += ["## Bistability (g_h = 1.9, N = 1000)", "", "| start | settled on the fixed point | trajectories |", "|---|---|---|"]
    for init in ("0.01", "2"):
        p = os.path.join(d, f"bistable_init{init}.json")
        if os.path.exists(p):
            j = load(p)
            lines.append(f"| h ~ N(0, {init}^2) | {j['settled']} ({j['fraction_settled']:.2f}) | {j['trajectories']} |")
    lines += ["", "## Lifetime of transient chaos (g_h = 1.87, starts h ~ N(0, 4))", "",
              "| N | settled / trajectories | t_max | lifetime (MLE, censored) |", "|---|---|---|---|"]
    pts = []
    for p in sorted(glob.glob(os.path.join(d, "lifetime_N*.json")), key=lambda s: int(s.split("_N")[-1][:-5])):
        j = load(p)
        N, tm = j["settings"]["N"], j["settings"]["t_max"]
        if j["lifetime"] is not None:
            lt = f"{j['lifetime']:.0f} +- {j['lifetime_err']:.0f}"
            pts.append((N, math.log(j["lifetime"]), 1.0 / math.sqrt(j["settled"])))
        else:
            lt = f"> {j['lifetime_lower_bound']:.0f} (95%, none settled)"
        lines.append(f"| {N} | {j['settled']} / {j['trajectories']} | {tm:g} | {lt} |")
    if len(pts) >= 3:
        lines.append("")
        # Weighted least squares of ln(lifetime) against N (exponential growth) and against ln N (power
        # law); the sd of ln(lifetime) is ~1/sqrt(events). chi^2 tells which form the data allow.
        for label, f in (("exponential, ln tau = a + b N", lambda n: n), ("power law, ln tau = a + b ln N", math.log)):
            w = [1 / s ** 2 for _, _, s in pts]
            xs = [f(n) for n, _, _ in pts]
            ys = [y for _, y, _ in pts]
            sw = sum(w)
            xm = sum(wi * x for wi, x in zip(w, xs)) / sw
            ym = sum(wi * y for wi, y in zip(w, ys)) / sw
            sxx = sum(wi * (x - xm) ** 2 for wi, x in zip(w, xs))
            b = sum(wi * (x - xm) * (y - ym) for wi, x, y in zip(w, xs, ys)) / sxx
            a = ym - b * xm
            chi2 = sum(wi * (y - a - b * x) ** 2 for wi, x, y in zip(w, xs, ys))
            lines.append(f"- {label}: b = {b:.3g} +- {1 / math.sqrt(sxx):.2g}, chi^2 = {chi2:.1f} for {len(pts) - 2} dof")
    lines += ["", "## Input-induced chaos (g_h = 1.75, N = 1000, the same 4 networks)", "",
              "| input_std | lambda_max finite N | lambda_max DMFT | DMFT state |", "|---|---|---|---|"]
    for s in ("0", "0.2"):
        p, q = os.path.join(d, f"input_s{s}.json"), os.path.join(d, f"input_s{s}_dmft.json")
        if os.path.exists(p) and os.path.exists(q):
            j, k = load(p), load(q)
            lam, err = j["lambda_max"], j.get("stderr_lambda_max")
            lam_s = f"{lam:.4f}" + (f" +- {err:.4f}" if err is not None else "")
            lines.append(f"| {s} | {lam_s} | {k['lambda_max']:.4f} | {k.get('termination')} |")
    text = "\n".join(lines) + "\n"
    write_text_atomic(os.path.join(d, "summary.md"), text)
    print(text)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else "results/finite_n_transitions")
