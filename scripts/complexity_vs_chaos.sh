#!/usr/bin/env bash
# Sigma(g_h) next to lambda_max(g_h) and C_h0(g_h), at alpha_r = 0 (SCS limit with the gate constant: all onsets
# at g_h sigma_r(0) = 1) and at alpha_r = 10 (where they come apart: docs/complexity.md section 10). tau_r = 0,
# beta_r = 0, g_r = 1. Results under $1 (default results/complexity_vs_chaos): complexity_vs_chaos.png (alpha_r = 0)
# and complexity_vs_chaos_alpha_r10.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/complexity_vs_chaos}
py=/usr/bin/python3
[ -x "$py" ] || py=python3
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
run() {  # run TAG RANGE PNG FLAGS...
    local tag=$1 range=$2 png=$3
    shift 3
    mkdir -p "$out/$tag/complexity"
    build/gdmft complexity --scan "g_h:$range" --points 101 --tau-r 0 "$@" --out "$out/$tag/complexity" --json \
        > "$out/$tag/complexity/.c.json.tmp"
    mv -f "$out/$tag/complexity/.c.json.tmp" "$out/$tag/complexity/complexity.json"
    build/gdmft transitions --scan "g_h:$range" --points 101 --tau-r 0 "$@" --out "$out/$tag/transitions" --no-plot \
        --quiet > /dev/null
    "$py" scripts/complexity_vs_chaos.py "$out/$tag/complexity" "$out/$tag/transitions" "$out/$png"
    echo "wrote $out/$png"
}
run alpha_r0 1:6 complexity_vs_chaos.png
run alpha_r10 1.2:3 complexity_vs_chaos_alpha_r10.png --alpha-r 10
