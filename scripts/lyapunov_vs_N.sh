#!/usr/bin/env bash
# DMFT lambda_max against finite-N simulations at three gated points (THEORY.md 5 and 8), with the
# trend in N. Resumable: every run writes its own JSON and finished runs are skipped.
#
#   scripts/lyapunov_vs_N.sh [OUT] [sim|dmft|table|all]      (default OUT = results/lyapunov_vs_N, all)
#
# Points (phi = tanh, beta = 0, g_z = g_r = 1, no input):
#   outgate_tr0   alpha_r = 4, tau_r = 0, g_h = 3   Gaussian closure; the Schrodinger ground state applies
#   outgate_tr1   alpha_r = 2, tau_r = 1, g_h = 4   Gaussian closure; tangent DMFT on sampled paths
#   update_z2     alpha_z = 2, tau_z = 1, g_h = 4   sampled single site; tangent DMFT on sampled paths
# Finite N: `gdmft simulate --lyapunov`, t = 500 (N = 4000: 400) with burn-in 100, RK4 dt = 0.1; one
# network per run (seed s = 1..R); N = 500 and 1000: R = 8; N = 2000: R = 4 and N = 4000: R = 2, each
# with --float32 and 2 trajectories per network (their exponents are averaged). Environment: GDMFT (the binary),
# SIZES (default "500 1000 2000 4000"), POINTS (default all three).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/lyapunov_vs_N}
what=${2:-all}
bin=${GDMFT:-build/gdmft}
sizes=${SIZES:-"500 1000 2000 4000"}
points=${POINTS:-"outgate_tr0 outgate_tr1 update_z2"}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}

flags() {
    case $1 in
        outgate_tr0) echo "--alpha-r 4 --tau-r 0 --g-h 3" ;;
        outgate_tr1) echo "--alpha-r 2 --tau-r 1 --g-h 4" ;;
        update_z2) echo "--alpha-z 2 --tau-z 1 --g-h 4" ;;
        *) echo "unknown point $1" >&2; exit 2 ;;
    esac
}
realizations() { case $1 in 500 | 1000) echo 8 ;; 2000) echo 4 ;; *) echo 2 ;; esac; }
extra() { if [ "$1" -ge 2000 ]; then echo "--float32 --trajectories 2"; fi; }
tmax() { if [ "$1" -ge 4000 ]; then echo 400; else echo 500; fi; }

# shellcheck source=scripts/run_json.sh
. scripts/run_json.sh

if [ "$what" = dmft ] || [ "$what" = all ]; then
    for pt in $points; do
        mkdir -p "$out/$pt"
        # shellcheck disable=SC2046
        run_json "$out/$pt/dmft.json" "$bin" solve $(flags "$pt") --lyapunov --json --quiet --seed 1
    done
fi

if [ "$what" = sim ] || [ "$what" = all ]; then
    for N in $sizes; do
        for pt in $points; do
            mkdir -p "$out/$pt"
            for s in $(seq 1 "$(realizations "$N")"); do
                # shellcheck disable=SC2046
                run_json "$out/$pt/N${N}_seed${s}.json" "$bin" simulate $(flags "$pt") --N "$N" --seed "$s" \
                    --t-max "$(tmax "$N")" --t-burn 100 --dt 0.1 --lyapunov $(extra "$N") --json --quiet
            done
        done
    done
fi

if [ "$what" = table ] || [ "$what" = all ]; then
    /usr/bin/python3 scripts/lyapunov_vs_N.py "$out"
fi
