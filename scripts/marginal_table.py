"""Marginal stability against alpha_z (scripts/marginal_vs_alpha_z.sh, docs/marginal.md).

    marginal_table.py collect OUT [--horizon H]     OUT/az*_tz*/ runs -> OUT/marginal.csv
    marginal_table.py table marginal.csv [--plot marginal.png]

collect: one row per point and source. DMFT (dmft.json of `solve --lyapunov`, R(tau) from
dmft/correlations.csv): lambda_max and its error, settled = converged with exit 0. Finite N
(N<N>_B<t_burn>/): lambda_max from lyapunov.json (error over networks), the near-zero fraction from
spectrum_s*.json (also as a count per unit, near_zero_per_N), and from each memory_s*/response.csv the
response time int t m / int m on [0, UNTIL] (default 30: beyond it the noise of m, weighted by t,
dominates), the
1/e time of m (decay_1e) and the memory lifetime, the first time m(t) falls to LEVEL m(0) (default 1%;
linear interpolation; not reached: H, counted in memory_censored); mean and standard error over networks.
The DMFT's R(tau) gets the same three numbers.
table: a markdown table of marginal.csv; --plot: the four quantities against alpha_z."""
import argparse
import csv
import glob
import json
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdmft_csv import read_csv, save_figure, write_text_atomic  # noqa: E402

COLUMNS = ["alpha_z", "tau_z", "source", "N", "networks", "t_burn", "lambda_max", "lambda_max_err",
           "near_zero_fraction", "near_zero_err", "spectrum_dim", "near_zero_per_N", "response_time", "response_err", "decay_1e", "decay_1e_err",
           "memory_lifetime", "memory_err", "memory_censored", "horizon", "mean_sigma_z", "settled", "note"]


def crossing(pts, level):
    """First time the samples fall to level (linear interpolation), or None."""
    for (t0, m0), (t1, m1) in zip(pts, pts[1:]):
        if m1 <= level:
            return t0 + (m0 - level) / (m0 - m1) * (t1 - t0)
    return None


def response_numbers(t, m, horizon, level, until):
    """(response time int t m / int m on [0, until] by the trapezoid rule, 1/e time of m, time at which m
    falls to level m(0) within the horizon); a time not reached is None."""
    pts = [(a, b) for a, b in zip(t, m) if a <= horizon + 1e-9]
    num = den = 0.0
    for (t0, m0), (t1, m1) in zip(pts, pts[1:]):
        if t1 > until + 1e-9:
            break
        num += 0.5 * (t0 * m0 + t1 * m1) * (t1 - t0)
        den += 0.5 * (m0 + m1) * (t1 - t0)
    return num / den, crossing(pts, pts[0][1] / math.e), crossing(pts, pts[0][1] * level)


def mean_se(xs):
    xs = [x for x in xs if x is not None and math.isfinite(x)]
    if not xs:
        return None, None
    m = sum(xs) / len(xs)
    if len(xs) < 2:
        return m, None
    return m, math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1) / len(xs))


def fmt(x, digits=4):
    return "" if x is None else "%.*g" % (digits, x)


def collect(out, horizon, level, until):
    rows = []
    for d in sorted(glob.glob(os.path.join(out, "az*_tz*"))):
        mt = re.match(r"az([0-9.]+)_tz([0-9.]+)$", os.path.basename(d))
        if not mt:
            continue
        az, tz = float(mt.group(1)), float(mt.group(2))
        dj = os.path.join(d, "dmft.json")
        if os.path.exists(dj):
            j = json.load(open(dj))
            rc = open(dj + ".rc").read().strip() if os.path.exists(dj + ".rc") else "0"
            settled = bool(j.get("converged")) and rc == "0"
            row = dict(alpha_z=az, tau_z=tz, source="dmft", N="inf", networks="", t_burn="",
                       lambda_max=j.get("lambda_max"), lambda_max_err=j.get("lambda_max_err"),
                       mean_sigma_z=j.get("mean_sigma_z"), settled=settled, horizon=horizon,
                       note="%s; window %s" % (j.get("termination"), fmt(j.get("window"))))
            cf = os.path.join(d, "dmft", "correlations.csv")
            if os.path.exists(cf):
                _, c = read_csv(cf)
                rt, d1, life = response_numbers(c["tau"], c["R"], horizon, level, until)
                row.update(response_time=rt, decay_1e=d1, memory_lifetime=life if life is not None else horizon,
                           memory_censored=0 if life is not None else 1)
            rows.append(row)
        for sd in sorted(glob.glob(os.path.join(d, "N*_B*"))):
            ms = re.match(r"N(\d+)_B([0-9.]+)$", os.path.basename(sd))
            row = dict(alpha_z=az, tau_z=tz, source="finite_N", N=int(ms.group(1)), t_burn=float(ms.group(2)),
                       horizon=horizon, settled="")
            lj = os.path.join(sd, "lyapunov.json")
            if os.path.exists(lj):
                j = json.load(open(lj))
                row.update(lambda_max=j["lambda_max"], lambda_max_err=j["stderr_lambda_max"],
                           networks=j["realizations"], mean_sigma_z=j.get("mean_sigma_z"),
                           note="lambda over t = %g..%g" % (j["settings"]["t_burn"], j["settings"]["t_max"])
                           if "settings" in j else "")
            spec = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(sd, "spectrum_s*.json")))]
            if spec:
                row["near_zero_fraction"], row["near_zero_err"] = mean_se([s["near_zero_fraction"] for s in spec])
                row["spectrum_dim"] = spec[0]["dim"]
                row["near_zero_per_N"] = row["near_zero_fraction"] * spec[0]["dim"] / spec[0]["N"]
            rts, d1s, lives, cens = [], [], [], 0
            for f in sorted(glob.glob(os.path.join(sd, "memory_s*", "response.csv"))):
                _, c = read_csv(f)
                rt, d1, life = response_numbers(c["t"], c["m_mean"], horizon, level, until)
                rts.append(rt)
                d1s.append(d1)
                lives.append(life if life is not None else horizon)
                cens += life is None
            if rts:
                row["response_time"], row["response_err"] = mean_se(rts)
                row["decay_1e"], row["decay_1e_err"] = mean_se(d1s)
                row["memory_lifetime"], row["memory_err"] = mean_se(lives)
                row["memory_censored"] = cens
            rows.append(row)
    path = os.path.join(out, "marginal.csv")
    lines = [",".join(COLUMNS)]
    for r in rows:
        lines.append(",".join(fmt(r.get(k), 6) if isinstance(r.get(k), float)
                              else "" if r.get(k) is None else str(r[k]).replace(",", ";") for k in COLUMNS))
    write_text_atomic(path, "\n".join(lines) + "\n")
    print("wrote %s (%d rows)" % (path, len(rows)))


def pm(r, key, err, digits=3):
    if not r[key]:
        return ""
    v = "%.*g" % (digits, float(r[key]))
    return v + (" ± %.2g" % float(r[err]) if r.get(err) else "")


def table(path, plot):
    rows = list(csv.DictReader(open(path)))
    rows.sort(key=lambda r: (-float(r["tau_z"]), float(r["alpha_z"]), r["source"], float(r["t_burn"] or 0)))
    print("| alpha_z | tau_z | source | N (nets) | t_burn | lambda_max | near-zero per unit | response time"
          " | 1/e time | memory lifetime | settled |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        life = pm(r, "memory_lifetime", "memory_err")
        if r["memory_censored"] and int(r["memory_censored"]) > 0:
            life = ">= " + life + " (%s censored)" % r["memory_censored"]
        n = r["N"] + (" (%s)" % r["networks"] if r["networks"] else "")
        settled = {"True": "yes", "False": "**no**"}.get(r["settled"], "")
        age = r["t_burn"]
        lam = pm(r, "lambda_max", "lambda_max_err")
        if r["source"] == "dmft":
            age = r["note"].split("; ")[-1]
            if not lam and r["settled"] == "False":
                lam = "none (budget)"
        near = ""
        if r["near_zero_per_N"]:
            scale = float(r["spectrum_dim"]) / float(r["N"])
            near = "%.3g" % float(r["near_zero_per_N"])
            if r["near_zero_err"]:
                near += " ± %.2g" % (float(r["near_zero_err"]) * scale)
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["alpha_z"], r["tau_z"], r["source"], n, age, lam, near, pm(r, "response_time", "response_err"),
            pm(r, "decay_1e", "decay_1e_err"), life, settled))
    if plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(2, 2, figsize=(9, 6.5), sharex=True)
        panels = [("lambda_max", "lambda_max_err", "lambda_max (1/tau_h)"),
                  ("near_zero_per_N", None, "near-zero eigenvalues per unit"),
                  ("response_time", "response_err", "response time (tau_h)"),
                  ("memory_lifetime", "memory_err", "memory lifetime (tau_h)")]
        groups = {}
        for r in rows:
            groups.setdefault((r["source"], r["N"], r["t_burn"], r["tau_z"]), []).append(r)
        colors = {g: "C%d" % i for i, g in enumerate(sorted(groups))}
        for ax, (key, err, label) in zip(axes.flat, panels):
            for (src, n, tb, tz), rs in sorted(groups.items()):
                rs = [r for r in rs if r[key]]
                if not rs:
                    continue
                x = [float(r["alpha_z"]) for r in rs]
                y = [float(r[key]) for r in rs]
                e = [float(r[err]) if err and r.get(err) else 0 for r in rs]
                name = "DMFT" if src == "dmft" else "N = %s, t_burn %s" % (n, tb)
                ax.errorbar(x, y, yerr=e, marker="o" if tz != "0" else "s", ls="-" if tz != "0" else "none",
                            color=colors[(src, n, tb, tz)],
                            capsize=2, label=name + ("" if tz != "0" else " (tau_z = tau_r = 0)"))
            ax.set_ylabel(label)
            ax.axhline(0, color="0.7", lw=0.5)
        for ax in axes[1]:
            ax.set_xlabel("alpha_z")
        axes[0, 0].legend(fontsize=6)
        fig.suptitle("g_h = 3: marginal stability against alpha_z", fontsize=10)
        fig.tight_layout()
        save_figure(fig, plot, dpi=120)
        print("wrote %s" % plot)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("out")
    c.add_argument("--horizon", type=float, default=100.0)
    c.add_argument("--level", type=float, default=0.01, help="memory lifetime: m(t) = LEVEL m(0)")
    c.add_argument("--until", type=float, default=30.0, help="response time: integrals on [0, UNTIL]")
    t = sub.add_parser("table")
    t.add_argument("csv")
    t.add_argument("--plot")
    a = ap.parse_args()
    if a.cmd == "collect":
        collect(a.out, a.horizon, a.level, a.until)
    else:
        table(a.csv, a.plot)


if __name__ == "__main__":
    main()
