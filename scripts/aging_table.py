#!/usr/bin/python3
"""Tables of ageing runs (docs/aging.md): C_h(t_w, t_w) and the normalised C_h(t_w + tau, t_w) at chosen
lags for each waiting time, with standard errors, and the shift of the normalised correlation from the
first to the last waiting time.

Usage: aging_table.py [--taus 10,30,100] RUN.json [RUN.json ...]

Each RUN.json is the --json output of `gdmft simulate --waiting-times ...` or `gdmft transient --start
network --waiting-times ...`. Runs with the same N and the same waiting times and lags (e.g. the same
networks size with different seeds) are pooled exactly: their means are combined with weights n and
their standard errors from the within- and between-run sums of squares. Prints Markdown.
"""
import json
import math
import sys


def pool(parts):
    """(mean, stderr, n) over independent groups of samples, each given as (mean, stderr, n)."""
    n = sum(k for _, _, k in parts)
    mean = sum(m * k for m, _, k in parts) / n
    ss = 0.0
    for m, e, k in parts:
        sd2 = (e * e * k) if (e is not None and k > 1) else 0.0
        ss += (k - 1) * sd2 + k * (m - mean) ** 2
    err = math.sqrt(ss / (n - 1) / n) if n > 1 else float("nan")
    return mean, err, n


def bracket(lags, tau):
    """(i, w): tau lies between lags[i] and lags[i + 1] at weight w in log tau; None beyond the lags."""
    for i in range(1, len(lags) - 1):
        if lags[i] <= tau * (1 + 1e-9) and tau <= lags[i + 1] * (1 + 1e-9):
            w = (math.log(tau) - math.log(lags[i])) / (math.log(lags[i + 1]) - math.log(lags[i]))
            return i, min(1.0, max(0.0, w))
    return None


def fmt(m, e):
    if m is None:
        return "-"
    if e is None or not math.isfinite(e):
        return "%.3f" % m
    return "%.3f ± %.3f" % (m, e)


def main():
    args = sys.argv[1:]
    taus = [10, 30, 100, 300, 1000]
    if args[:1] == ["--taus"]:
        taus = [float(x) for x in args[1].split(",")]
        args = args[2:]
    if not args:
        sys.exit(__doc__)
    groups = {}
    for path in args:
        j = json.load(open(path))
        a = j["aging"]
        dt = j.get("settings", {}).get("dt")
        key = (a["N"], dt, tuple(a["waiting_times"]), tuple(a["lags"]))
        groups.setdefault(key, []).append(a)
    for (N, dt, waits, lags), runs in groups.items():
        what = ("DMFT" if N is None else "N = %d" % N) + ("" if dt is None else ", dt = %g" % dt)
        n = sum(r["samples"] for r in runs)
        over = runs[0]["stderr_over"]
        where = [bracket(lags, t) for t in taus]
        print("%s (%d %s%s)\n" % (what, n, over, ", %d runs pooled" % len(runs) if len(runs) > 1 else ""))
        print("| t_w | C_h(t_w,t_w) | " + " | ".join("tau = %g" % t for t in taus) + " |")
        print("|---" * (2 + len(taus)) + "|")

        def value(get, b):
            """Pooled (mean, err) of get(run, i) interpolated at bracket b, or None."""
            if b is None:
                return None, None
            i, w = b
            parts = []
            for r in runs:
                m0, e0 = get(r, i)
                m1, e1 = get(r, i + 1)
                parts.append(((1 - w) * m0 + w * m1, (1 - w) * (e0 or 0) + w * (e1 or 0), r["samples"]))
            m, e, _ = pool(parts)
            return m, e

        for w, tw in enumerate(waits):
            c0 = pool([(r["curves"][w]["C_h"][0], r["curves"][w]["C_h_err"][0], r["samples"]) for r in runs])
            row = ["%g" % tw, fmt(c0[0], c0[1])]
            for b in where:
                row.append(fmt(*value(lambda r, i: (r["curves"][w]["C_h_norm"][i], r["curves"][w]["C_h_norm_err"][i]), b)))
            print("| " + " | ".join(row) + " |")
        shift = [value(lambda r, i: (r["norm_shift"][i], r["norm_shift_err"][i]), b) for b in where]
        print("| shift %g -> %g | | " % (waits[0], waits[-1]) + " | ".join(fmt(m, e) for m, e in shift) + " |\n")


if __name__ == "__main__":
    main()
