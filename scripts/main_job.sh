#!/usr/bin/env bash
# The main job on built-in defaults (called by ./run after the build): the stationary DMFT of the default
# gated network, its fixed-point branches, and finite-N simulations of the same network compared with
# the theory. Everything is written under results/ (or the directory given as $1).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results}
mkdir -p "$out"
bin=build/gdmft

echo "== gdmft solve (stationary DMFT, default parameters) -> $out/solve/" >&2
"$bin" solve --json --lyapunov --out "$out/solve" > "$out/solve.json"

echo "== gdmft fixedpoint -> $out/fixedpoint.json" >&2
"$bin" fixedpoint --json > "$out/fixedpoint.json"

echo "== gdmft simulate (N = 1000, 4 networks, with lambda_max) -> $out/simulate/" >&2
"$bin" simulate --N 1000 --realizations 4 --t-max 300 --t-burn 50 --lyapunov --json \
    --out "$out/simulate" > "$out/simulate.json"

echo "== gdmft validate (default point, N = 500, 1000, 2000) -> $out/validation/" >&2
"$bin" validate --custom --sizes 500,1000,2000 --realizations 4 --t-max 300 --t-burn 50 --corr-times 10 \
    --out "$out/validation" > "$out/validation.txt"

echo
echo "Stationary DMFT (default parameters):"
grep -E '"(converged|method|C_h0|C_phi0|tau_corr|lambda_max)"' "$out/solve.json" | sed 's/^ */  /'
echo "Finite-N simulation (N = 1000, 4 networks):"
grep -E '"(C_h0|stderr_C_h0|tau_corr|lambda_max)"' "$out/simulate.json" | sed 's/^ */  /'
echo
cat "$out/validation.txt"
echo
echo "Results: $out/ (solve/correlations.csv, simulate/correlations.csv, validation/validation.md, validation/custom/C_h.png)"
