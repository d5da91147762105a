#!/usr/bin/env bash
# Counting fixed points of finite gated networks against the gated annealed complexity (docs/complexity.md
# section 9). Resumable: every run writes its own JSON and finished runs are skipped.
#
#   scripts/gated_counting.sh [OUT]        (default OUT = results/gated_counting)
#
# Points: alpha_r = 10, beta_r = 0, g_r = 1, phi = tanh, no input, at g_h in GAINS (default "2.5 3"); sizes
# SIZES (default "8 12 16 20 24 28 32"), NETWORKS networks per size (default 16), seed 1, the default starts
# of `gdmft fixedpoint --count` (max(600, 80 N) random, max(100, 8 N) along a trajectory). Theory:
# `gdmft complexity --alpha-r 10 --g-h G --json`. Then scripts/gated_counting.py writes OUT/gated_counting.csv
# (one row per point and size, with the theory) and OUT/gated_counting.png from that CSV.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/gated_counting}
bin=${GDMFT:-build/gdmft}
gains=${GAINS:-"2.5 3"}
sizes=${SIZES:-"8 12 16 20 24 28 32"}
networks=${NETWORKS:-16}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
py=/usr/bin/python3
[ -x "$py" ] || py=python3
# shellcheck source=scripts/run_json.sh
. scripts/run_json.sh
mkdir -p "$out"
for g in $gains; do
    run_json "$out/theory_g$g.json" "$bin" complexity --alpha-r 10 --g-h "$g" --json
    for n in $sizes; do
        run_json "$out/count_g${g}_N$n.json" "$bin" fixedpoint --count --alpha-r 10 --g-h "$g" --N "$n" \
            --networks "$networks" --seed 1 --json
    done
done
"$py" scripts/gated_counting.py "$out"
