#!/usr/bin/env bash
# Marginal stability against alpha_z (docs/marginal.md): DMFT beside finite N at g_h = 3 (g_z = g_r = 1,
# alpha_r = 0). Resumable: every run writes its own JSON and finished runs are skipped.
#
#   scripts/marginal_vs_alpha_z.sh [OUT] [dmft|sim|extra|table|all]   (default OUT = results/marginal, all)
#
# Points "alpha_z:tau_z"; tau_z = 0 also sets tau_r = 0 (the slow-regime point of docs/slow_regime.md).
# Per point:
#   DMFT      (at DMFT_POINTS) `solve --lyapunov`: closure at alpha_z = 0, else sampled with --max-time
#             DMFT_MAX_TIME and --max-window DMFT_MAX_WINDOW (a window comparable to the finite-N age);
#             exit 3 = a budget ran out: kept, marked not settled. R(tau) from its correlations.csv.
#   finite N  NETS networks of N units, each quantity at the age t_burn = TBURN:
#             `simulate --lyapunov` (one run, NETS networks, exponent over [TBURN, TBURN + LYAP_T]);
#             `spectrum --at snapshot --epsilon EPS` (one run per network, snapshot at TBURN);
#             `memory --no-dmft` (one run per network, pulse at TBURN, readout to HORIZON, DIRECTIONS directions).
#   extra     the same finite-N runs at other sizes and ages: EXTRA lists "N/t_burn/alpha_z:tau_z" entries.
# Then `scripts/marginal_table.py collect OUT` writes OUT/marginal.csv and prints the table.
#
# Environment (defaults reproduce docs/marginal.md): GDMFT (binary, build/gdmft), POINTS
# ("0:1 1:1 2:1 5:1 10:1 15:1 20:1 5:0"), DMFT_POINTS ("0:1 2:1 5:1 10:1 20:1 5:0"), N (1000), NETS (3),
# TBURN (200), LYAP_T (200), EPS (0.05),
# HORIZON (100), DIRECTIONS (16), DT (0.1), DMFT_MAX_TIME (300), DMFT_MAX_WINDOW (400), EXTRA (N = 500
# at TBURN at every point, and the age 1000 at N = 500 for alpha_z 5 (tau_z 0) and 20).
# Every run is `nice -n 19` with OMP_NUM_THREADS=1, one at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/marginal}
what=${2:-all}
bin=${GDMFT:-build/gdmft}
points=${POINTS:-"0:1 1:1 2:1 5:1 10:1 15:1 20:1 5:0"}
dmft_points=${DMFT_POINTS:-"0:1 2:1 5:1 10:1 20:1 5:0"}
N=${N:-1000}
nets=${NETS:-3}
tburn=${TBURN:-200}
lyap_t=${LYAP_T:-200}
eps=${EPS:-0.05}
horizon=${HORIZON:-100}
directions=${DIRECTIONS:-16}
dt=${DT:-0.1}
dmft_max_time=${DMFT_MAX_TIME:-300}
dmft_max_window=${DMFT_MAX_WINDOW:-400}
extra=${EXTRA:-"$(for p in $points; do printf '500/%s/%s ' "$tburn" "$p"; done)500/1000/5:0 500/1000/20:1"}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
run_nice=${run_nice:-19}

# shellcheck source=scripts/run_json.sh
. scripts/run_json.sh

model() {  # alpha_z:tau_z -> model flags
    local az=${1%%:*} tz=${1##*:}
    if [ "$tz" = 0 ]; then echo "--alpha-z $az --tau-z 0 --tau-r 0"; else echo "--alpha-z $az --tau-z $tz"; fi
}
dir_of() { echo "$out/az${1%%:*}_tz${1##*:}"; }

# run_json that also keeps the output of exit 3 (a solve whose budget ran out); the code goes to FILE.rc.
run_json_budget() {
    local file=$1 rc=0
    shift
    [ -s "$file" ] && return 0
    echo "== $(date -u +%H:%M:%S) $*" >&2
    nice -n "$run_nice" "$@" > "$file.tmp.$$" || rc=$?
    if [ "$rc" = 0 ] || [ "$rc" = 3 ]; then
        echo "$rc" > "$file.rc" && mv "$file.tmp.$$" "$file"
    else
        echo "exit $rc: $*" >&2 && return "$rc"
    fi
}

finite_n() {  # point t_burn N
    local pt=$1 b=$2 N=$3 d s
    d="$(dir_of "$pt")/N${N}_B${b}"
    mkdir -p "$d"
    # shellcheck disable=SC2046
    run_json "$d/lyapunov.json" "$bin" simulate $(model "$pt") --N "$N" --realizations "$nets" --seed 1 \
        --t-burn "$b" --t-max "$((b + lyap_t))" --dt "$dt" --lyapunov --json --quiet
    for s in $(seq 1 "$nets"); do
        # shellcheck disable=SC2046
        run_json "$d/spectrum_s$s.json" "$bin" spectrum $(model "$pt") --N "$N" --seed "$s" --t-burn "$b" \
            --dt "$dt" --at snapshot --epsilon "$eps" --no-plot --json --quiet
        # shellcheck disable=SC2046
        run_json "$d/memory_s$s.json" "$bin" memory $(model "$pt") --N "$N" --seed "$s" --realizations 1 \
            --t-burn "$b" --horizon "$horizon" --directions "$directions" --dt "$dt" --no-dmft --no-plot \
            --json --quiet --out "$d/memory_s$s"
    done
}

if [ "$what" = dmft ] || [ "$what" = all ]; then
    for pt in $dmft_points; do
        d=$(dir_of "$pt")
        mkdir -p "$d"
        budget=""
        if [ "${pt%%:*}" != 0 ]; then budget="--max-time $dmft_max_time --max-window $dmft_max_window"; fi
        # shellcheck disable=SC2046,SC2086
        run_json_budget "$d/dmft.json" "$bin" solve $(model "$pt") --lyapunov $budget --seed 1 --json --quiet \
            --out "$d/dmft"
    done
fi

if [ "$what" = sim ] || [ "$what" = all ]; then
    for pt in $points; do finite_n "$pt" "$tburn" "$N"; done
fi

if [ "$what" = extra ] || [ "$what" = all ]; then
    for e in $extra; do
        IFS=/ read -r n b pt <<< "$e"
        finite_n "$pt" "$b" "$n"
    done
fi

if [ "$what" = table ] || [ "$what" = all ]; then
    /usr/bin/python3 scripts/marginal_table.py collect "$out" --horizon "$horizon"
    /usr/bin/python3 scripts/marginal_table.py table "$out/marginal.csv" --plot "$out/marginal.png"
fi
