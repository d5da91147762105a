#!/usr/bin/env bash
# Finite-N lambda_max of the SCS network (both gates constant) against the DMFT (THEORY.md 8) at
# g_eff = 2 and 3, N = 1000, 2000, 4000, with the 1/N trend. Resumable: every run writes its own JSON
# and finished runs are skipped.
#
#   scripts/lyapunov_scs_vs_N.sh [OUT] [sim|dmft|table|all]      (default OUT = results/lyapunov_scs_vs_N, all)
#
# Points (phi = tanh, alpha_z = alpha_r = 0, beta = 0, so sigma_z = sigma_r = 1/2, g_eff = g_h / 2 and
# tau_eff = 2 tau_h; lambda in units of 1/tau_h, i.e. half the THEORY.md 8 value per tau_eff):
#   scs_g2   g_h = 4 (g_eff = 2)     DMFT 0.056229 per tau_h (THEORY.md 8: 0.112458 per tau_eff)
#   scs_g3   g_h = 6 (g_eff = 3)     DMFT 0.117731 per tau_h (THEORY.md 8: 0.235461 per tau_eff)
# Finite N: `gdmft simulate --lyapunov --float32 --trajectories 2` (the two trajectories' exponents are
# averaged), RK4 dt = 0.1, burn-in 100, one network per run (seed s = 1..R): N = 1000 and 2000: R = 8,
# t = 1100 (1000 measured); N = 4000: R = 4, t = 600. Runs go one at a time, N = 2000 first.
# Environment: GDMFT (the binary), SIZES (default "2000 1000 4000"), POINTS (default "scs_g2 scs_g3"),
# NICE (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/lyapunov_scs_vs_N}
what=${2:-all}
bin=${GDMFT:-build/gdmft}
sizes=${SIZES:-"2000 1000 4000"}
points=${POINTS:-"scs_g2 scs_g3"}
run_nice=${NICE:-10}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}

flags() {
    case $1 in
        scs_g2) echo "--g-h 4" ;;
        scs_g3) echo "--g-h 6" ;;
        *) echo "unknown point $1" >&2; exit 2 ;;
    esac
}
realizations() { if [ "$1" -ge 4000 ]; then echo 4; else echo 8; fi; }
tmax() { if [ "$1" -ge 4000 ]; then echo 600; else echo 1100; fi; }

# shellcheck source=scripts/run_json.sh
. scripts/run_json.sh

if [ "$what" = dmft ] || [ "$what" = all ]; then
    for pt in $points; do
        mkdir -p "$out/$pt"
        # shellcheck disable=SC2046
        run_json "$out/$pt/dmft.json" "$bin" solve $(flags "$pt") --lyapunov --json --quiet
    done
fi

if [ "$what" = sim ] || [ "$what" = all ]; then
    for pt in $points; do
        for N in $sizes; do
            mkdir -p "$out/$pt"
            for s in $(seq 1 "$(realizations "$N")"); do
                # shellcheck disable=SC2046
                run_json "$out/$pt/N${N}_seed${s}.json" "$bin" simulate $(flags "$pt") --N "$N" --seed "$s" \
                    --t-max "$(tmax "$N")" --t-burn 100 --dt 0.1 --lyapunov --float32 --trajectories 2 --json --quiet
            done
        done
    done
fi

if [ "$what" = table ] || [ "$what" = all ]; then
    /usr/bin/python3 scripts/lyapunov_scs_vs_N.py "$out"
fi
