#!/usr/bin/python3
"""Table of scripts/gradient_vs_N.sh: DMFT against finite-N BPTT for each point and N.

Usage: gradient_vs_N.py OUT   (reads OUT/<point>_N<N>.json, writes OUT/gradient_vs_N.csv and prints it)
"""
import glob
import json
import os
import sys

from gdmft_csv import write_text_atomic


def main(out):
    rows = ["point,N,networks,growth_dmft_same_window,growth_sim,growth_sim_err,grad_norm_Jh_dmft,grad_norm_Jh_sim,grad_norm_Jh_sim_err"]
    for path in sorted(glob.glob(os.path.join(out, "*_N*.json"))):
        name = os.path.basename(path)[:-5].rsplit("_N", 1)[0]
        with open(path) as f:
            j = json.load(f)
        s = j["simulation"]
        h = s["grad_norm_Jh"]
        rows.append("%s,%d,%d,%.6g,%.6g,%.3g,%.6g,%s,%s" % (
            name, s["N"], s["networks"], s.get("growth_rate_dmft_same_window", float("nan")), s["growth_rate"], s["growth_rate_err"],
            j["grad_norm_Jh"], h["value"], h["stderr"]))
    text = "\n".join(rows) + "\n"
    write_text_atomic(os.path.join(out, "gradient_vs_N.csv"), text)
    sys.stdout.write(text)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
