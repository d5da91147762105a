#!/usr/bin/env bash
# Finite-N backpropagation against the adjoint DMFT (docs/gradient.md section 5): the growth rate of
# |a_h|^2/N and grad_norm_Jh at a stable fixed point, in the chaotic state, and at the same fixed point with a
# spread clock (alpha_z = 15; networks start at their Newton fixed point), for N = 500, 1000, 2000
# (4 networks x 4 readouts each, horizon 20, burn-in 100). Writes OUT/<point>_N<N>/ and OUT/gradient_vs_N.csv.
# Usage: scripts/gradient_vs_N.sh [OUT]   (about 20 min on 2 cores; POINTS, SIZES select)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/gradient_vs_N}
sizes=${SIZES:-500 1000 2000}
mkdir -p "$out"
declare -A points=(
  [stable]="--g-h 1.5 --alpha-r 2 --tau-r 0.5 --input-std 0.5 --state fixed-point"
  [chaotic]="--g-h 3 --alpha-r 4 --tau-r 0"
  [slow_clock]="--g-h 1.5 --alpha-r 2 --tau-r 0.5 --input-std 0.5 --alpha-z 15 --state fixed-point"
)
for name in ${POINTS:-stable chaotic slow_clock}; do
  for N in $sizes; do
    echo "== $name N = $N" >&2
    # shellcheck disable=SC2086
    build/gdmft gradient ${points[$name]} --horizon 20 --simulate --N "$N" --networks 4 --readouts 4 \
      --json --quiet --out "$out/${name}_N$N" > "$out/${name}_N$N.json"
  done
done
/usr/bin/python3 scripts/gradient_vs_N.py "$out"
