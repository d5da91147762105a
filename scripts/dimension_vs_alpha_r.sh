#!/usr/bin/env bash
# Dimension of the chaotic state against the output-gate sensitivity alpha_r (issue 4, item 2): the
# leading K Lyapunov exponents of finite networks (`gdmft simulate --lyapunov-k K`), their Kaplan-Yorke
# dimension, and the participation ratio of the activity covariance. Resumable (finished runs skipped).
#
#   scripts/dimension_vs_alpha_r.sh [OUT]          (default OUT = results/dimension_vs_alpha_r)
#
# Model: g_h = 3 (g_z = g_r = 1, beta = 0, tau_r = 1, alpha_z = 0), alpha_r in ALPHAS (default
# "0 1 2 4 8 16"). Finite N: N = 500 (env N), K = 96 exponents (env K), 3 networks (env REALIZATIONS),
# t = 500 with burn-in 100, RK4 dt = 0.1, QR every time unit. Writes OUT/alpha_r_A.json per value and the
# DMFT lambda_max of the same model (`gdmft solve --lyapunov`, OUT/dmft_alpha_r_A.json), then
# OUT/dimension_vs_alpha_r.csv and .png (scripts/dimension_vs_alpha_r.py).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/dimension_vs_alpha_r}
bin=${GDMFT:-build/gdmft}
alphas=${ALPHAS:-"0 1 2 4 8 16"}
N=${N:-500}
K=${K:-96}
R=${REALIZATIONS:-3}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
mkdir -p "$out"
for a in $alphas; do
    d="$out/dmft_alpha_r_$a.json"
    [ -s "$d" ] || { "$bin" solve --g-h 3 --alpha-r "$a" --lyapunov --json --quiet > "$d.tmp.$$" && mv "$d.tmp.$$" "$d"; }
    f="$out/alpha_r_$a.json"
    [ -s "$f" ] && continue
    echo "== alpha_r = $a" >&2
    "$bin" simulate --g-h 3 --alpha-r "$a" --N "$N" --realizations "$R" --seed 1 --t-max 500 --t-burn 100 \
        --dt 0.1 --lyapunov-k "$K" --json --quiet > "$f.tmp.$$"
    mv "$f.tmp.$$" "$f"
done
/usr/bin/python3 scripts/dimension_vs_alpha_r.py "$out"
