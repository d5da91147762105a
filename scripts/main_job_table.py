#!/usr/bin/python3
"""The main job's summary: the (g_h, alpha_r) phase diagram and its thresholds, the transitions at
alpha_r = 10, and the output-gated point's DMFT against finite-N simulation.

Usage: main_job_table.py OUT

Reads, under OUT (written by scripts/main_job.sh):
  boundary.json, phase/phase.csv   gdmft boundary and gdmft phase over (g_h, alpha_r) (optional)
  transitions.json      gdmft transitions --scan g_h at alpha_r = 10 (optional)
  gradient_map.json, gradient.json   gdmft gradient over (g_h, alpha_r) and at the point (optional)
  solve.json            gdmft solve --lyapunov --json at the output-gated point
  solve_ungated.json    the same at the ungated default (alpha_r = 0), for contrast
  fixedpoint.json       gdmft fixedpoint --json at the output-gated point
  simulate.json         gdmft simulate --lyapunov --json at the output-gated point (optional)
  validation/validation.csv, validation/output_gated/correlations.csv   (gdmft validate)
  solve/correlations.csv, solve_ungated/correlations.csv               (DMFT C_h(tau))
Writes OUT/summary.txt (also printed) and OUT/gating.png, each whole (temporary name, then rename).
Needs python3 and numpy/matplotlib only.
"""
import json
import os
import sys

from gdmft_csv import read_csv, read_table, save_figure, write_text_atomic


def load_json(path):
    with open(path) as f:
        return json.load(f)


def read_validation(path):
    """Rows of validation.csv as dicts (numbers as floats; 'n/a' as None)."""
    rows = []
    with open(path) as f:
        lines = [ln for ln in f if not ln.startswith("#")]
    names = lines[0].strip().split(",")
    for ln in lines[1:]:
        row = {}
        for k, v in zip(names, ln.strip().split(",")):
            if k in ("point", "quantity"):
                row[k] = v
            else:
                try:
                    row[k] = float(v)
                except ValueError:
                    row[k] = None
        rows.append(row)
    return rows


def fnum(v, spec=".4g"):
    return "n/a" if v is None else format(v, spec)


def pct(v):
    return "n/a" if v is None else format(100 * v, "+.1f") + "%"


def transitions_section(out, w):
    """The phase diagram's label counts and thresholds, and the transitions at alpha_r = 10."""
    bpath, ppath = os.path.join(out, "boundary.json"), os.path.join(out, "phase", "phase.csv")
    if os.path.exists(bpath) and os.path.exists(ppath):
        b = load_json(bpath)
        counts = {}
        _, _, rows = read_table(ppath)
        for r in rows:
            counts[r["phase"]] = counts.get(r["phase"], 0) + 1
        w("Phase diagram over (g_h, alpha_r) at tau_r = 0 (gdmft phase, %d points): %s"
          % (len(rows), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
        exact = {"first_order_fixed_point_at": 2 * 2 ** 0.5, "discontinuous_chaos_at": 2 * 3 ** 0.5}
        names = {"first_order_fixed_point_at": "fixed-point transition turns first order at alpha_r g_r",
                 "discontinuous_chaos_at": "chaotic transition turns discontinuous at alpha_r g_r"}
        for k in ("first_order_fixed_point_at", "discontinuous_chaos_at"):
            v = b.get(k)
            w("  %-58s %s   (THEORY.md 6: %.7f%s)" % (names[k], fnum(v, ".7f"), exact[k],
              "" if v is None else ", %+.1e relative" % (v / exact[k] - 1)))
        w("")
    tpath = os.path.join(out, "transitions.json")
    if os.path.exists(tpath):
        t = load_json(tpath)
        w("Transitions along g_h at alpha_r = %g, tau_r = %g (gdmft transitions):"
          % (t["params"]["alpha_r"], t["params"]["tau_r"]))
        w("  g_zero_unstable %s   g_fp %s   g_chaos %s   discontinuous %s"
          % (fnum(t.get("g_zero_unstable"), ".7g"), fnum(t.get("g_fp"), ".7g"), fnum(t.get("g_chaos"), ".7g"),
             str(t.get("discontinuous")).lower()))
        if t.get("discontinuous"):
            w("  at g_chaos: C_h0 jumps by %s and lambda_max by %s (chaos %s, fixed point %s);"
              % (fnum(t.get("jump_C_h0")), fnum(t.get("jump_lambda_max")), fnum(t.get("lambda_max_chaos_at_onset")),
                 fnum(t.get("lambda_max_fixed_point_at_onset"))))
            w("  between g_chaos and g_zero_unstable the zero fixed point and chaos coexist (bistable)")
        w("")


def gradient_section(out, w):
    """The gradient map's regime counts and the adjoint DMFT at the validated point (both optional)."""
    mp, pt = os.path.join(out, "gradient_map.json"), os.path.join(out, "gradient.json")
    if not (os.path.exists(mp) and os.path.exists(pt)):
        return
    m, g = load_json(mp), load_json(pt)
    c = m.get("counts", {})
    w("Gradients (gdmft gradient, adjoint DMFT): over %s x %s, horizon %g:" % (m["x"], m["y"], m["settings"]["horizon"]))
    w("  exploding %d, vanishing %d, marginal %d, unresolved %d points (|growth| x horizon > 1 or not)"
      % (c.get("exploding", 0), c.get("vanishing", 0), c.get("marginal", 0), c.get("unresolved", 0)))
    w("  at g_h = %g, alpha_r = %g: growth rate of |a_h|^2/N %s +- %s per tau_h (%s: %s)"
      % (g["params"]["g_h"], g["params"]["alpha_r"], fnum(g["growth_rate"]), fnum(g["growth_rate_err"], ".2g"),
         g["reference_source"], fnum(g["reference_growth"])))
    w("  grad_norm_Jh = %s, grad_norm_Jr = %s over %g tau_h" % (fnum(g["grad_norm_Jh"]), fnum(g["grad_norm_Jr"]),
                                                             g["horizon"]))
    w("")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    gated = load_json(os.path.join(out, "solve.json"))
    ungated = load_json(os.path.join(out, "solve_ungated.json"))
    fp = load_json(os.path.join(out, "fixedpoint.json"))
    sim_path = os.path.join(out, "simulate.json")
    sim = load_json(sim_path) if os.path.exists(sim_path) else None
    rows = [r for r in read_validation(os.path.join(out, "validation", "validation.csv"))
            if r["point"] == "output_gated"]

    p = gated["params"]
    lines = []
    w = lines.append
    transitions_section(out, w)
    gradient_section(out, w)
    w("Output-gated network: g_h = %g, alpha_r = %g, tau_r = %g (other parameters at their defaults)"
      % (p["g_h"], p["alpha_r"], p["tau_r"]))
    w("")
    w("Gating, in the DMFT (gdmft solve --lyapunov):")
    w("  %-26s %10s %10s %10s %12s" % ("", "C_h0", "C_phi0", "tau_corr", "lambda_max"))
    for label, j in (("ungated (alpha_r = 0)", ungated), ("output-gated (alpha_r = %g)" % p["alpha_r"], gated)):
        w("  %-26s %10s %10s %10s %12s" % (label, fnum(j["C_h0"]), fnum(j["C_phi0"]), fnum(j["tau_corr"]),
                                             fnum(j["lambda_max"])))
    w("  (method %s, converged %s; lambda_max by %s, per tau_h; THEORY.md 8: C_h0 = 1.198)"
      % (gated["method"], str(gated["converged"]).lower(), gated.get("lambda_method")))
    w("")
    branches = fp["branches"]
    w("Fixed points (gdmft fixedpoint): %d branch(es)" % len(branches))
    for b in branches:
        w("  Delta_h = %-10s G = %-8s %s" % (fnum(b["Delta_h"]), fnum(b["G"]),
                                            "stable" if b["stable"] else "unstable"))
    w("")

    w("DMFT against finite-N simulation (gdmft validate; mean +- standard error over networks):")
    hdr = "  %-9s %8s %6s %8s %20s %10s %9s %7s" % ("quantity", "DMFT", "N", "networks", "simulation",
                                                    "sim - DMFT", "rel diff", "z")
    w(hdr)
    w("  " + "-" * (len(hdr) - 2))
    for q in ("C_h0", "C_phi0", "tau_corr"):
        for r in sorted((r for r in rows if r["quantity"] == q), key=lambda r: r["N"]):
            diff = None if r["sim_mean"] is None or r["dmft"] is None else r["sim_mean"] - r["dmft"]
            w("  %-9s %8s %6d %8d %20s %10s %9s %7s" % (
                q, fnum(r["dmft"]), int(r["N"]), int(r["realizations"]),
                fnum(r["sim_mean"]) + " +- " + fnum(r["sim_stderr"], ".2g"),
                fnum(diff, "+.3g"), pct(r["rel_diff"]), fnum(r["z_score"], "+.2f")))
    if sim is not None:
        lam, err, dm = sim.get("lambda_max"), sim.get("stderr_lambda_max"), gated.get("lambda_max")
        st = sim["settings"]
        if lam is not None and dm:
            w("  %-9s %8s %6d %8d %20s %10s %9s %7s" % (
                "lambda_max", fnum(dm), st["N"], sim["realizations"], fnum(lam) + " +- " + fnum(err, ".2g"),
                fnum(lam - dm, "+.3g"), pct((lam - dm) / dm), fnum((lam - dm) / err if err else None, "+.2f")))
            w("  (lambda_max from gdmft simulate --lyapunov, t = %g after a burn-in of %g; finite N lies below"
              % (st["t_max"] - st["t_burn"], st["t_burn"]))
            w("   the DMFT and approaches it as 1/N: -3.6% at N = 1000, -1.1% at N = 4000 in docs/validation.md)")
    w("  z = (sim - DMFT) / standard error; the DMFT here is deterministic (no error of its own).")
    w("")
    w("gdmft %s, seed %s; each JSON object and CSV header under %s records its parameters and command line."
      % (gated.get("version"), gated.get("seed"), out))

    # Plot: C_h(tau) of the gated DMFT and of the networks, and the ungated DMFT for contrast.
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        _, val = read_csv(os.path.join(out, "validation", "output_gated", "correlations.csv"))
        _, ung = read_csv(os.path.join(out, "solve_ungated", "correlations.csv"))
        tmax = max(val["tau"])
        fig, ax = plt.subplots(figsize=(6, 4))
        cmap = plt.get_cmap("viridis")
        sizes = [n for n in val if n.startswith("C_h_N") and not n.endswith("_err")]
        for i, n in enumerate(sizes):
            color = cmap(i / max(1, len(sizes) - 1) * 0.85)
            y, e = val[n], val[n + "_err"]
            ax.plot(val["tau"], y, color=color, lw=1.2, label="network N = " + n[len("C_h_N"):])
            ax.fill_between(val["tau"], [a - b for a, b in zip(y, e)], [a + b for a, b in zip(y, e)],
                            color=color, alpha=0.25, lw=0)
        ax.plot(val["tau"], val["C_h_dmft"], "k--", lw=1.6, label="DMFT, alpha_r = %g" % p["alpha_r"])
        k = [i for i, t in enumerate(ung["tau"]) if t <= tmax]
        ax.plot([ung["tau"][i] for i in k], [ung["C_h"][i] for i in k], color="0.55", ls=":", lw=1.6,
                label="DMFT, ungated (alpha_r = 0)")
        ax.set_xlabel(r"$\tau / \tau_h$")
        ax.set_ylabel(r"$C_h(\tau)$")
        ax.set_title("g_h = %g, tau_r = %g: the output gate raises the variance and shortens tau_corr"
                     % (p["g_h"], p["tau_r"]), fontsize=8)
        ax.legend(fontsize=8)
        fig.tight_layout()
        save_figure(fig, os.path.join(out, "gating.png"), dpi=130)
    except Exception as e:  # the table matters more than the figure
        w("(gating.png not written: %s)" % e)

    text = "\n".join(lines) + "\n"
    write_text_atomic(os.path.join(out, "summary.txt"), text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
